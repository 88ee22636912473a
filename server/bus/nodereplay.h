#pragma once

#include "asyncmessagestore.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QSet>

#include <functional>

// What the bus may have dropped, read back from the message store. Redis pub/sub keeps
// nothing: a node killed between its commit and its publication, or cut off from Redis for a
// while, stored messages that the other nodes' users never got live. Every node publishes its
// messages in seq order (its batches commit one after the other), so each node notes the last
// seq it heard from every other node; when that node's link may have had a hole, it reads
// what that node stored after it (MessageStore::storedBy) and relays it to its own sessions:
// - the node's presence expired (it died, or lost Redis for longer than the presence TTL);
// - the node says it is back on the bus (it lost Redis for a shorter while);
// - this node is back on the bus (it heard nothing from anyone meanwhile).
// Live messages from a node while its replay runs are noted, so nothing is relayed twice.
class NodeReplay : public QObject
{
    Q_OBJECT
public:
    using Relay = std::function<void(const ChatMessage &, const MessageParties &)>;
    using Clock = std::function<qint64()>; // wall-clock milliseconds

    NodeReplay(AsyncMessageStore *store, Relay relay, QObject *parent = nullptr);

    void setClock(Clock clock) { m_clock = std::move(clock); }

    // A node this one hears of (a user of it joined). Only what it stores from now on (less a
    // margin for clocks) may be replayed here: earlier, this node was not listening for it.
    void nodeSeen(const QString &node);
    // A message the bus brought from `node`: relayed, and noted.
    void relayFromBus(const QString &node, const ChatMessage &message,
                      const MessageParties &parties);
    // Replays what `node` stored after the last seq heard from it; `gone`: the node is dead
    // (its id is never used again), forget it afterwards.
    void replay(const QString &node, bool gone);
    // This node's own link came back: every node may have been missed.
    void replayAll();

    // Bounds of one replay: per page, and in all (past it, users see the rest when their
    // client next catches up).
    static constexpr int kPageMessages = 500;
    static constexpr qint64 kPageBytes = 4 * 1024 * 1024;
    static constexpr int kMaxMessages = 20000;
    // How much earlier than nodeSeen() a replay may reach (clocks of two hosts differ).
    static constexpr qint64 kClockMarginMs = 60000;

signals:
    // A replay ended: `relayed` messages went out that the bus had not brought (for tests
    // and the log).
    void replayed(const QString &node, int relayed);

private:
    struct Mark
    {
        qint64 lastSeq = 0;     // the highest seq heard from the node
        qint64 cursor = 0;      // where the running replay has read to
        qint64 sinceMs = 0;     // when this node first heard of it
        bool replaying = false; // a read is under way
        bool again = false;     // asked again meanwhile: read on once it ends
        bool gone = false;
        int relayed = 0; // by the running replay
        int read = 0;
        QSet<qint64> liveDuringReplay; // bounded by kMaxMessages
    };
    void readPage(const QString &node);
    void pageRead(const QString &node, const std::optional<QList<MessageStore::Stored>> &page,
                  bool more, const QString &error);
    void finish(const QString &node);

    AsyncMessageStore *m_store;
    Relay m_relay;
    Clock m_clock = [] {
        return QDateTime::currentMSecsSinceEpoch();
    };
    QHash<QString, Mark> m_marks;
};
