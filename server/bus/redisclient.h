#pragma once

#include "redisreply.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QTimer>

#include <deque>
#include <functional>
#include <memory>

// A connection to one Redis server for the bus, over hiredis' asynchronous API driven by
// QSocketNotifiers on this object's thread (not hiredis' adapters/qt.h, which uses its
// notifiers after a disconnect has freed them). Two connections: one for commands, one
// subscribed to the channels (a subscribed connection cannot send commands).
//
// Everything runs on the thread the object lives on. Replies, messages and signals are
// delivered from the event loop, never from inside hiredis: a callback or slot may call any
// method, or delete the client.
//
// Lost connections are made again with a growing, jittered delay (200 ms doubling to 5 s),
// and the channels are subscribed again. Memory is bounded: commands waiting for a reply are
// limited in number and bytes (more are refused at once), and a reply larger than
// maxReplyBytes() drops the connection instead of being read into memory.
class RedisClient : public QObject
{
    Q_OBJECT
public:
    static constexpr int kDefaultMaxPendingCommands = 10000;
    static constexpr qint64 kMaxPendingBytes = qint64(64) << 20; // arguments not yet answered
    static constexpr qint64 kDefaultMaxReplyBytes = qint64(16) << 20;
    static constexpr int kConnectTimeoutMs = 5000; // to connect, PING and subscribe
    static constexpr int kFirstRetryMs = 200;
    static constexpr int kMaxRetryMs = 5000;

    RedisClient(const QString &host, quint16 port, QObject *parent = nullptr);
    // Frees both connections. Commands still waiting get no callback, nothing is emitted.
    ~RedisClient() override;

    // Connects; from then on, reconnects whenever the connection is lost.
    void start();
    // Both connections answer and the channels subscribed when they were made are confirmed.
    bool isConnected() const;

    // Sends a command (binary-safe arguments). `done` runs later from the event loop, exactly
    // once (unless the client is deleted first): with Redis' reply; with Type::Disconnected when
    // the connection is down (before start(), or waiting to reconnect) or drops before the reply;
    // with Type::Error when too many commands are waiting, or for (P)SUBSCRIBE, (P)UNSUBSCRIBE
    // and MONITOR (use subscribe()). While a connection is being made, commands wait for it (at
    // most kConnectTimeoutMs).
    void command(const QList<QByteArray> &args, std::function<void(const RedisReply &)> done = {});

    // The channels whose messages are emitted as messageReceived(). Kept across reconnects.
    void subscribe(const QByteArray &channel);
    void unsubscribe(const QByteArray &channel);

    // Bounds, mainly for tests: commands waiting for a reply, and the largest reply read.
    void setMaxPendingCommands(int commands) { m_maxPendingCommands = commands; }
    void setMaxReplyBytes(qint64 bytes);
    qint64 maxReplyBytes() const { return m_maxReplyBytes; }
    // host:port, for log lines.
    QString address() const;

signals:
    void connected();                         // (re)connected and subscribed
    void disconnected(const QString &reason); // once per loss of a working connection
    void messageReceived(const QByteArray &channel, const QByteArray &payload);

private:
    struct Link; // one hiredis connection with its notifiers (redisclient.cpp)
    enum class State { Idle, Connecting, Connected, Waiting };
    struct Pending
    {
        std::function<void(const RedisReply &)> done;
        qint64 bytes = 0;
    };

    void connectNow();
    void openLinks(const QString &ip);
    bool openLink(Link &link, const QString &ip, QString *why);
    void closeLinks(const QString &reason);
    void fail(const QString &reason);
    void settle();
    void loseConnection(const QString &reason);
    void sendSubscribe(Link &link, const QList<QByteArray> &channels);

    // Called from hiredis callbacks: record, deliver later.
    void linkGone(Link &link);
    void commandAnswered(RedisReply reply);
    void messageArrived(const QByteArray &channel, const QByteArray &payload);
    void deliver(std::function<void()> event);
    void scheduleFlush();
    void flush();

    QString m_host;
    quint16 m_port;
    State m_state = State::Idle;
    std::unique_ptr<Link> m_commands;
    std::unique_ptr<Link> m_subscriber;
    QSet<QByteArray> m_channels;
    std::deque<Pending> m_pending; // commands sent on m_commands, in order, awaiting replies
    qint64 m_pendingBytes = 0;
    int m_maxPendingCommands = kDefaultMaxPendingCommands;
    qint64 m_maxReplyBytes = kDefaultMaxReplyBytes;
    QString m_failure; // why the current attempt failed; handled by settle()
    QTimer m_connectTimer;
    QTimer m_retryTimer;
    int m_failures = 0;        // attempts failed in a row, for the back-off
    bool m_outage = false;     // a loss or failure was logged; "back" is logged on success
    int m_lookupId = -1;       // a QHostInfo lookup in progress
    bool m_destroying = false; // in the destructor: callbacks only clean up
    std::deque<std::function<void()>> m_outbox; // replies, messages and signals to deliver
    bool m_flushScheduled = false;
};
