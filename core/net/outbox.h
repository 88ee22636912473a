#pragma once

#include <QDateTime>
#include <QList>
#include <QString>

// Messages the user sent that the server has not acknowledged yet, oldest first. They stay
// here across disconnects and are sent again, with the same id, when the session is back
// online; the server recognises resends by that id, so nothing is lost or doubled.
class Outbox
{
public:
    struct Entry
    {
        QString clientId;
        QString content;
        QString to;
        QDateTime created;
        int attempts = 0;
    };

    // Adds a message and returns its new client id.
    QString add(const QString &content, const QString &to);
    // Removes and returns true when the id was waiting.
    bool acknowledge(const QString &clientId);
    const Entry *find(const QString &clientId) const;
    Entry *find(const QString &clientId);
    QList<Entry> entries() const { return m_entries; }
    bool isEmpty() const { return m_entries.isEmpty(); }
    int size() const { return int(m_entries.size()); }

    // A UUIDv7 (RFC 9562): the time in milliseconds, then 74 random bits. Ids that begin
    // with the time keep the server's index of ids growing at one end.
    static QString newClientId();
    static QString clientIdAt(qint64 msecsSinceEpoch);

private:
    QList<Entry> m_entries;
};
