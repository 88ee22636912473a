#pragma once

#include <QHash>
#include <QString>

// What senders may make the server relay, in bytes per second (docs/protocol.md, 11.2).
//
// Each sender (an account, or the address of a guest) has a token bucket of bytes; every chat
// message and typing notice it sends takes its size from it. Public messages also take from
// one bucket for the whole room, so that every receiver's incoming rate has a ceiling however
// many addresses send: a reader who keeps up with that ceiling is never dropped as slow
// because of what others sent. When the room's bucket is empty, a sender whose own bucket is
// at least half full (one who has been quiet) may still overdraw it, up to one room burst: so
// senders who spend their budget all the time cannot shut out those who rarely speak. Private
// messages take from the recipient's inbox bucket in the same way, so many addresses together
// cannot bury one user either.
class SendBudget
{
public:
    struct Rates
    {
        qint64 senderPerSecond = 16384;
        qint64 senderBurst = 65536;
        qint64 roomPerSecond = 262144;
        qint64 roomBurst = 524288;
        // Private messages and typing into one user, from all senders together.
        qint64 inboxPerSecond = 65536;
        qint64 inboxBurst = 262144;
        // History pages one account, or one guest address, makes the server send: 32
        // connections asking for pages of 16 KB messages had a page built and written for each
        // of them in the same turns, and everyone's messages waited behind (issue: hardening).
        qint64 historyPerSecond = 1048576;
        qint64 historyBurst = 4194304;
    };

    SendBudget();
    explicit SendBudget(Rates rates);

    // Takes `bytes` for a message that reaches the whole room (public chat, typing to all).
    bool takePublic(const QString &sender, qint64 bytes, qint64 nowMs);
    // Takes `bytes` for a message to one user (by NameRules::key).
    bool takePrivate(const QString &sender, const QString &recipient, qint64 bytes, qint64 nowMs);

    // How long (ms) the history pages of `requester` must wait before the next one may be built:
    // 0 while its bucket has anything left. A page's size is known only once it is built, so
    // the page that empties the bucket is sent whole and the debt paid by waiting.
    qint64 historyWaitMs(const QString &requester, qint64 nowMs);
    void takeHistory(const QString &requester, qint64 bytes, qint64 nowMs);

    // Forgets senders whose buckets are full again (they cost nothing to recreate): the table
    // holds only those who sent recently.
    void prune(qint64 nowMs);
    int senders() const { return int(m_senders.size() + m_inboxes.size() + m_history.size()); }
    const Rates &rates() const { return m_rates; }

private:
    struct Bucket
    {
        double tokens = 0;
        qint64 lastMs = 0;
    };
    void refill(Bucket &b, qint64 perSecond, qint64 burst, qint64 nowMs) const;
    // The bucket of `key` in `table`, refilled to now; a new one starts full.
    Bucket &bucket(QHash<QString, Bucket> &table, const QString &key, qint64 perSecond,
                   qint64 burst, qint64 nowMs) const;
    // Drops the buckets that are full again: they cost nothing to recreate.
    void forgetFull(QHash<QString, Bucket> &table, qint64 perSecond, qint64 burst,
                    qint64 nowMs) const;
    Bucket &sender(const QString &key, qint64 nowMs);
    // Takes from `shared` (the room, or an inbox) for a sender whose own bucket is `own`.
    bool takeShared(Bucket &own, Bucket &shared, qint64 perSecond, qint64 burst, qint64 bytes,
                    qint64 nowMs);

    Rates m_rates;
    Bucket m_room;
    QHash<QString, Bucket> m_senders;
    QHash<QString, Bucket> m_inboxes;
    QHash<QString, Bucket> m_history;
};
