#pragma once

#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QPointer>

#include <deque>
#include <memory>
#include <random>
#include <vector>

class QTcpServer;
class QTcpSocket;
class QTimer;

// How ImpairmentProxy treats each direction of each connection it forwards.
struct ImpairmentSettings
{
    int delayMs = 0;  // added to every byte (so 75 in each direction make a 150 ms RTT)
    int jitterMs = 0; // plus 0..jitterMs more, drawn per chunk read (order is kept: TCP)
    // Bursty stalls, what loss looks like on TCP (the retransmission holds everything behind
    // it): every stallEveryMs on average (exponential intervals), nothing is delivered for
    // stallMs. 0 = none.
    int stallEveryMs = 0;
    int stallMs = 0;
    int rateKbps = 0; // 0 = unlimited; else a token bucket per direction
    quint32 seed = 1; // the jitter's and the stalls' random numbers
    // Bytes held per direction: above it the proxy stops reading from the sender, whose TCP
    // window then closes (backpressure, as a real bottleneck does), instead of buffering more.
    qint64 maxBufferedBytes = 256 * 1024;
    int maxConnections = 64;
};

// A small TCP proxy for tests and benchmarks of impaired links (this machine's kernel has no
// netem): it accepts connections and forwards each to `target`, both ways, with a fixed delay,
// jitter, bursty stalls and a rate limit. Memory is bounded: per direction at most
// maxBufferedBytes in the delay queue, the socket's read buffer (same bound) and a bounded
// write backlog. All on the thread the object lives on; the setters may be called through
// queued invocations from other threads.
class ImpairmentProxy : public QObject
{
    Q_OBJECT
public:
    struct Counters
    {
        qint64 connections = 0;
        qint64 bytesForwarded = 0;
        qint64 stalls = 0;            // random and asked-for stall periods begun
        qint64 peakBufferedBytes = 0; // the largest delay queue of one direction
        qint64 readPauses = 0;        // times a direction stopped reading (backpressure)
    };

    explicit ImpairmentProxy(const ImpairmentSettings &settings, QObject *parent = nullptr);
    ~ImpairmentProxy() override;

    // Listens on address:port (0 = any free port) and forwards to target:targetPort.
    Q_INVOKABLE bool listen(const QHostAddress &address, quint16 port, const QHostAddress &target,
                            quint16 targetPort);
    quint16 port() const { return m_port; }

    // Holds all data of every connection, both ways, for ms from now (a link outage).
    Q_INVOKABLE void stallFor(int ms);
    Q_INVOKABLE void setRateKbps(int kbps);
    Q_INVOKABLE void setDelayMs(int ms);
    Counters counters() const { return m_counters; }
    // Connections open now.
    int connectionCount() const { return int(m_connections.size()); }

signals:
    void connectionClosed();

private:
    struct Chunk
    {
        QByteArray data;
        qint64 releaseMs; // on m_clock
    };
    struct Direction
    {
        QPointer<QTcpSocket> from, to;
        std::deque<Chunk> queue;
        qint64 buffered = 0;
        qint64 lastReleaseMs = 0;
        std::mt19937 random;
        qint64 nextStallMs = -1;
        qint64 stalledUntilMs = 0;
        double tokens = 0; // bytes the rate allows now
        qint64 tokensAtMs = 0;
        bool paused = false;
        bool sourceDone = false; // the sender closed: close `to` once the queue is empty
        QTimer *timer = nullptr;
    };
    struct Connection
    {
        QTcpSocket *client = nullptr;
        QTcpSocket *upstream = nullptr;
        Direction up, down;
        bool closing = false;
    };

    void accept();
    void read(Connection *c, Direction &d);
    void flush(Connection *c, Direction &d);
    void schedule(Direction &d, qint64 atMs);
    void stallSchedule(Direction &d, qint64 now);
    void drop(Connection *c);
    void setUp(Connection *c, Direction &d, QTcpSocket *from, QTcpSocket *to, quint32 seed);

    ImpairmentSettings m_settings;
    QTcpServer *m_server = nullptr;
    QHostAddress m_target;
    quint16 m_targetPort = 0;
    quint16 m_port = 0;
    QElapsedTimer m_clock;
    qint64 m_globalStallUntilMs = 0;
    std::vector<std::unique_ptr<Connection>> m_connections;
    quint32 m_accepted = 0;
    Counters m_counters;
};
