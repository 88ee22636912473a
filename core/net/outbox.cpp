#include "net/outbox.h"

#include <QUuid>

QString Outbox::newClientId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

QString Outbox::add(const QString &content, const QString &to)
{
    Entry e;
    e.clientId = newClientId();
    e.content = content;
    e.to = to;
    e.created = QDateTime::currentDateTimeUtc();
    m_entries.append(e);
    return e.clientId;
}

bool Outbox::acknowledge(const QString &clientId)
{
    for (qsizetype i = 0; i < m_entries.size(); ++i) {
        if (m_entries.at(i).clientId == clientId) {
            m_entries.removeAt(i);
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
