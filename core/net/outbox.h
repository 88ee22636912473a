#pragma once

#include <QDateTime>
#include <QList>
#include <QString>

class OutboxStore;

// Messages the user sent that the server has not acknowledged yet, oldest first. They stay
// here across disconnects and are sent again, with the same id, when the session is back
// online; the server recognises resends by that id, so nothing is lost or doubled. With a
// store attached, every change is written to its file as well, so they survive the client.
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
        // The seq of the message this one answers (0: none). Kept in the file too, so an
        // unsent reply is still one after a restart of the client.
        qint64 replyTo = 0;
    };

    // Keeps the entries in `store` as well (not owned; nullptr = memory only). What the store
    // holds is loaded in front of what is here, and what is here is written to it.
    void setStore(OutboxStore *store);
    OutboxStore *store() const { return m_store; }

    // Adds a message (a reply to `replyTo` when > 0) and returns its new client id.
    QString add(const QString &content, const QString &to, qint64 replyTo = 0);
    // Removes and returns true when the id was waiting.
    bool acknowledge(const QString &clientId);
    const Entry *find(const QString &clientId) const;
    Entry *find(const QString &clientId);
    QList<Entry> entries() const { return m_entries; }
    bool isEmpty() const { return m_entries.isEmpty(); }
    int size() const { return int(m_entries.size()); }
    // Forgets every entry in memory (a store keeps its rows).
    void clear() { m_entries.clear(); }

    // A UUIDv7 (RFC 9562): the time in milliseconds, then 74 random bits. Ids that begin
    // with the time keep the server's index of ids growing at one end.
    static QString newClientId();
    static QString clientIdAt(qint64 msecsSinceEpoch);

private:
    QList<Entry> m_entries;
    OutboxStore *m_store = nullptr;
};
