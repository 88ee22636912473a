#include "net/outbox.h"

#include "net/outboxstore.h"

#include <QRandomGenerator>
#include <QUuid>

QString Outbox::newClientId()
{
    return clientIdAt(QDateTime::currentMSecsSinceEpoch());
}

QString Outbox::clientIdAt(qint64 msecsSinceEpoch)
{
    const quint64 ms = quint64(msecsSinceEpoch) & 0xFFFF'FFFF'FFFFull; // 48 bits
    QRandomGenerator *random = QRandomGenerator::system();
    const quint64 a = random->generate64();
    const quint64 b = random->generate64();
    const QUuid id(uint(ms >> 16), ushort(ms & 0xFFFF),
                   ushort(0x7000 | (a & 0x0FFF)),    // version 7, 12 random bits
                   uchar(0x80 | ((a >> 12) & 0x3F)), // variant 10, 6 random bits
                   uchar(b), uchar(b >> 8), uchar(b >> 16), uchar(b >> 24), uchar(b >> 32),
                   uchar(b >> 40), uchar(b >> 48));
    return id.toString(QUuid::WithoutBraces);
}

QString Outbox::add(const QString &content, const QString &to, qint64 replyTo)
{
    Entry e;
    e.clientId = newClientId();
    e.content = content;
    e.to = to;
    e.replyTo = qMax<qint64>(0, replyTo);
    e.created = QDateTime::currentDateTimeUtc();
    m_entries.append(e);
    if (m_store)
        m_store->insert(e);
    return e.clientId;
}

void Outbox::setStore(OutboxStore *store)
{
    m_store = store;
    if (!m_store)
        return;
    QList<Entry> entries = m_store->load();
    if (!m_store->isOpen())
        return; // it failed and said so: what is in memory is all there is
    for (const Entry &e : std::as_const(m_entries)) {
        bool known = false;
        for (const Entry &stored : std::as_const(entries))
            known = known || stored.clientId == e.clientId;
        if (!known) {
            m_store->insert(e);
            entries.append(e);
        }
    }
    m_entries = entries;
}

bool Outbox::acknowledge(const QString &clientId)
{
    for (qsizetype i = 0; i < m_entries.size(); ++i) {
        if (m_entries.at(i).clientId == clientId) {
            m_entries.removeAt(i);
            if (m_store)
                m_store->remove(clientId);
            return true;
        }
    }
    return false;
}

const Outbox::Entry *Outbox::find(const QString &clientId) const
{
    for (const Entry &e : m_entries) {
        if (e.clientId == clientId)
            return &e;
    }
    return nullptr;
}

Outbox::Entry *Outbox::find(const QString &clientId)
{
    for (Entry &e : m_entries) {
        if (e.clientId == clientId)
            return &e;
    }
    return nullptr;
}
