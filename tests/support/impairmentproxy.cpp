#include "impairmentproxy.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>
#include <cmath>

namespace {
// Bytes handed to the writing socket and not yet on the wire: above this the proxy waits for
// bytesWritten, so a slow receiver holds data in the (bounded) delay queue, not in Qt.
constexpr qint64 kWriteLimit = 64 * 1024;
constexpr qint64 kReadChunk = 64 * 1024;
} // namespace

ImpairmentProxy::ImpairmentProxy(const ImpairmentSettings &settings, QObject *parent)
    : QObject(parent), m_settings(settings)
{
    m_clock.start();
}

ImpairmentProxy::~ImpairmentProxy()
{
    for (auto &c : m_connections) {
        // A dropped connection's sockets are already on their way out (deleteLater), and may
        // be gone when the thread's last deferred deletions ran before this one.
        if (c->closing)
            continue;
        c->closing = true;
        for (QTcpSocket *s : {c->client, c->upstream}) {
            if (s) {
                s->disconnect(this);
                s->abort();
            }
        }
    }
}

bool ImpairmentProxy::listen(const QHostAddress &address, quint16 port, const QHostAddress &target,
                             quint16 targetPort)
{
    m_target = target;
    m_targetPort = targetPort;
    m_server = new QTcpServer(this);
    connect(m_server, &QTcpServer::newConnection, this, &ImpairmentProxy::accept);
    if (!m_server->listen(address, port))
        return false;
    m_port = m_server->serverPort();
    return true;
}

void ImpairmentProxy::stallFor(int ms)
{
    const qint64 now = m_clock.elapsed();
    m_globalStallUntilMs = std::max(m_globalStallUntilMs, now + std::max(0, ms));
    ++m_counters.stalls;
    // The directions notice it when they next flush; none needs waking now.
}

void ImpairmentProxy::setRateKbps(int kbps)
{
    m_settings.rateKbps = std::max(0, kbps);
    for (auto &c : m_connections) {
        for (Direction *d : {&c->up, &c->down}) {
            d->tokens = 0;
            d->tokensAtMs = m_clock.elapsed();
            schedule(*d, d->tokensAtMs);
        }
    }
}

void ImpairmentProxy::setDelayMs(int ms)
{
    m_settings.delayMs = std::max(0, ms);
}

void ImpairmentProxy::accept()
{
    while (QTcpSocket *client = m_server->nextPendingConnection()) {
        if (int(m_connections.size()) >= m_settings.maxConnections) {
            client->abort();
            client->deleteLater();
            continue;
        }
        ++m_counters.connections;
        auto c = std::make_unique<Connection>();
        Connection *raw = c.get();
        raw->client = client;
        raw->upstream = new QTcpSocket(this);
        client->setParent(this);
        const quint32 n = m_accepted++;
        setUp(raw, raw->up, client, raw->upstream, m_settings.seed * 7919u + n * 2u);
        setUp(raw, raw->down, raw->upstream, client, m_settings.seed * 7919u + n * 2u + 1u);
        m_connections.push_back(std::move(c));
        raw->upstream->connectToHost(m_target, m_targetPort);
        read(raw, raw->up); // what arrived with the connection
    }
}

void ImpairmentProxy::setUp(Connection *c, Direction &d, QTcpSocket *from, QTcpSocket *to,
                            quint32 seed)
{
    d.from = from;
    d.to = to;
    d.random.seed(seed);
    d.tokensAtMs = m_clock.elapsed();
    // Qt stops reading from the kernel when this much waits in the socket: with the delay
    // queue's own bound that is the backpressure.
    from->setReadBufferSize(m_settings.maxBufferedBytes);
    d.timer = new QTimer(this);
    d.timer->setSingleShot(true);
    d.timer->setTimerType(Qt::PreciseTimer);
    if (m_settings.stallEveryMs > 0 && m_settings.stallMs > 0) {
        std::exponential_distribution<double> gap(1.0 / m_settings.stallEveryMs);
        d.nextStallMs = m_clock.elapsed() + qint64(gap(d.random));
    }
    Direction *dp = &d;
    connect(d.timer, &QTimer::timeout, this, [this, c, dp] { flush(c, *dp); });
    connect(from, &QTcpSocket::readyRead, this, [this, c, dp] { read(c, *dp); });
    connect(to, &QTcpSocket::bytesWritten, this, [this, c, dp] { flush(c, *dp); });
    connect(to, &QTcpSocket::connected, this, [this, c, dp] { flush(c, *dp); });
    connect(from, &QTcpSocket::disconnected, this, [this, c, dp] {
        dp->sourceDone = true;
        read(c, *dp);
    });
    connect(from, &QTcpSocket::errorOccurred, this, [this, c, dp](QAbstractSocket::SocketError e) {
        if (e == QAbstractSocket::RemoteHostClosedError) {
            dp->sourceDone = true;
            read(c, *dp);
        } else {
            drop(c); // refused, reset, ...: both ends go
        }
    });
}

void ImpairmentProxy::read(Connection *c, Direction &d)
{
    if (c->closing || !d.from)
        return;
    const qint64 now = m_clock.elapsed();
    for (;;) {
        const qint64 room = m_settings.maxBufferedBytes - d.buffered;
        if (room <= 0) {
            if (!d.paused) {
                d.paused = true;
                ++m_counters.readPauses;
            }
            break;
        }
        const QByteArray data = d.from->read(std::min(room, kReadChunk));
        if (data.isEmpty())
            break;
        d.paused = false;
        qint64 release = now + m_settings.delayMs;
        if (m_settings.jitterMs > 0)
            release += std::uniform_int_distribution<int>(0, m_settings.jitterMs)(d.random);
        release = std::max(release, d.lastReleaseMs); // a stream: never overtake
        d.lastReleaseMs = release;
        d.buffered += data.size();
        m_counters.peakBufferedBytes = std::max(m_counters.peakBufferedBytes, d.buffered);
        d.queue.push_back({data, release});
    }
    flush(c, d);
}

void ImpairmentProxy::stallSchedule(Direction &d, qint64 now)
{
    if (d.nextStallMs < 0)
        return;
    std::exponential_distribution<double> gap(1.0 / m_settings.stallEveryMs);
    while (now >= d.nextStallMs) {
        d.stalledUntilMs = d.nextStallMs + m_settings.stallMs;
        ++m_counters.stalls;
        d.nextStallMs = d.stalledUntilMs + qint64(gap(d.random));
    }
}

void ImpairmentProxy::flush(Connection *c, Direction &d)
{
    if (c->closing || !d.to)
        return;
    const qint64 now = m_clock.elapsed();
    stallSchedule(d, now);
    const qint64 hold = std::max(d.stalledUntilMs, m_globalStallUntilMs);
    if (now < hold && !d.queue.empty()) {
        schedule(d, hold);
        return;
    }
    if (d.to->state() != QAbstractSocket::ConnectedState)
        return; // `connected` flushes
    const int rate = m_settings.rateKbps;
    while (!d.queue.empty()) {
        Chunk &front = d.queue.front();
        if (front.releaseMs > now) {
            schedule(d, front.releaseMs);
            break;
        }
        if (d.to->bytesToWrite() >= kWriteLimit)
            break; // bytesWritten flushes again
        qint64 n = front.data.size();
        if (rate > 0) {
            const double bytesPerMs = rate / 8.0;
            // A bucket of 20 ms (at least one full-size packet) so the rate holds on short
            // scales too.
            const double depth = std::max(1500.0, bytesPerMs * 20);
            d.tokens = std::min(depth, d.tokens + double(now - d.tokensAtMs) * bytesPerMs);
            d.tokensAtMs = now;
            n = std::min(n, qint64(d.tokens));
            if (n <= 0) {
                schedule(d,
                         now + std::max<qint64>(1, qint64(std::ceil((1 - d.tokens) / bytesPerMs))));
                break;
            }
            d.tokens -= double(n);
        }
        d.to->write(front.data.constData(), n);
        d.buffered -= n;
        m_counters.bytesForwarded += n;
        if (n == front.data.size())
            d.queue.pop_front();
        else
            front.data.remove(0, n);
    }
    if (d.paused && d.buffered < m_settings.maxBufferedBytes) {
        // More room: read what waits (queued, so read and flush do not recurse).
        QMetaObject::invokeMethod(
            this, [this, c, dp = &d] { read(c, *dp); }, Qt::QueuedConnection);
        d.paused = false;
    }
    if (d.queue.empty() && d.sourceDone && d.from && d.from->bytesAvailable() == 0) {
        d.to->disconnectFromHost();
        const bool otherDone = (&d == &c->up ? c->down : c->up).sourceDone;
        if (otherDone)
            drop(c);
    }
}

void ImpairmentProxy::schedule(Direction &d, qint64 atMs)
{
    d.timer->start(int(std::max<qint64>(0, atMs - m_clock.elapsed())));
}

void ImpairmentProxy::drop(Connection *c)
{
    if (c->closing)
        return;
    c->closing = true;
    for (Direction *d : {&c->up, &c->down})
        d->timer->stop();
    for (QTcpSocket *s : {c->client, c->upstream}) {
        s->disconnect(this);
        s->abort();
        s->deleteLater();
    }
    // Removed later: this may run inside one of the connection's own slots.
    QMetaObject::invokeMethod(
        this,
        [this, c] {
            const auto it = std::find_if(m_connections.begin(), m_connections.end(),
                                         [c](const auto &p) { return p.get() == c; });
            if (it != m_connections.end()) {
                for (Direction *d : {&(*it)->up, &(*it)->down})
                    d->timer->deleteLater();
                m_connections.erase(it);
            }
            emit connectionClosed();
        },
        Qt::QueuedConnection);
}
