#include "net/sessionsocket.h"

#include "net/certificatepins.h"
#include "protocol/filechunk.h"
#include "protocol/mediapacketheader.h"

#include <QSslConfiguration>
#include <QTcpSocket>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>
#include <chrono>

#ifdef Q_OS_UNIX
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#endif

namespace {
qint64 steadyMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

QString plainFingerprint(const QString &fingerprint)
{
    return fingerprint.toUpper().remove(QLatin1Char(':')).remove(QLatin1Char(' '));
}
} // namespace

SessionSocket::SessionSocket()
{
    qRegisterMetaType<SessionTlsPolicy>();
    m_lastReceiveMs.store(steadyMs());
}

SessionSocket::~SessionSocket()
{
    if (m_socket)
        m_socket->disconnect(this);
}

void SessionSocket::ensureSocket()
{
    if (m_socket)
        return;
    // Made here, on the network thread, so that the socket and everything Qt makes for it
    // (its TCP or TLS socket, timers) belong to this thread.
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    connect(m_socket, &QWebSocket::connected, this, [this] {
        m_sendBuffer.reset();
        limitKernelBuffer();
        noteReceived();
        emit connected(m_attempt);
    });
    connect(m_socket, &QWebSocket::disconnected, this, [this] {
        clearMedia();
        noteQueued();
        emit disconnected(m_attempt, m_socket->closeReason(), m_socket->errorString(),
                          int(m_lastError));
    });
    connect(m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        noteReceived();
        emit textReceived(m_attempt, text);
    });
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, &SessionSocket::onBinary);
    connect(m_socket, &QWebSocket::pong, this, [this] {
        noteReceived();
        emit pongReceived(m_attempt);
    });
    connect(m_socket, &QWebSocket::bytesWritten, this, [this] {
        noteQueued();
        pumpMedia();
        emit written();
    });
    connect(m_socket, &QWebSocket::sslErrors, this, &SessionSocket::onSslErrors);
    connect(m_socket, QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error), this,
            [this](QAbstractSocket::SocketError e) { m_lastError = e; });
}

void SessionSocket::setMediaHandler(MediaHandler handler)
{
    // Under the lock that onBinary holds while it calls the handler: after this, the old
    // handler is neither running nor called again.
    const std::lock_guard<std::mutex> lock(m_handlerMutex);
    m_handler = std::move(handler);
}

bool SessionSocket::sendMedia(const QByteArray &packet, qint64 maxQueuedBytes)
{
    if (!m_online.load() || m_pendingBytes.load() + m_socketBytes.load() > maxQueuedBytes)
        return false;
    m_pendingBytes.fetch_add(packet.size());
    m_acceptedBytes.fetch_add(packet.size());
    QMetaObject::invokeMethod(this, "writeMedia", Qt::QueuedConnection, Q_ARG(QByteArray, packet),
                              Q_ARG(qint64, steadyMs()));
    return true;
}

int SessionSocket::descriptor() const
{
    // QWebSocket makes its TCP (or TLS) socket as its child.
    const auto *tcp = m_socket ? m_socket->findChild<QTcpSocket *>() : nullptr;
    return tcp ? int(tcp->socketDescriptor()) : -1;
}

void SessionSocket::limitKernelBuffer()
{
#if defined(Q_OS_UNIX) && defined(TCP_NOTSENT_LOWAT)
    // The kernel's send buffer grows to megabytes on a fast path and keeps them when the path
    // slows down: seconds of media no one here could see or drop (a drop to 400 kbit/s queued
    // 10 s in it). With this it takes no more than a few KB it has not sent yet; the rest
    // waits in our queues.
    const int fd = descriptor();
    const int lowat = kKernelLowWater;
    if (fd >= 0)
        ::setsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof lowat);
#endif
}

void SessionSocket::setMediaSendRate(int kbps)
{
    QMetaObject::invokeMethod(this, "sizeSendBuffer", Qt::QueuedConnection, Q_ARG(int, kbps));
}

void SessionSocket::sizeSendBuffer(int kbps)
{
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    const int fd = descriptor();
    m_tcpRecovering.store(kbps > 0 && TcpSendBuffer::recovering(fd));
    if (kbps > 0)
        m_sendBuffer.update(fd, kbps);
    else
        m_sendBuffer.release(fd);
    if (kbps > 0 && !m_pathTimer) {
        m_pathTimer = new QTimer(this);
        m_pathTimer->setInterval(kPathSampleMs);
        m_pathTimer->setTimerType(Qt::PreciseTimer);
        connect(m_pathTimer, &QTimer::timeout, this, &SessionSocket::samplePath);
    }
    if (!m_pathTimer)
        return;
    if (kbps > 0 && !m_pathTimer->isActive()) {
        m_path.reset();
        m_pathTimer->start();
        samplePath();
    } else if (kbps <= 0) {
        m_pathTimer->stop();
        m_path.reset();
        m_probeMarkMs = -1;
        m_pathQueueMs.store(-1);
        m_pathAckedKbps.store(-1);
        m_pathRecovering.store(false);
    }
}

void SessionSocket::samplePath()
{
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState) {
        m_path.reset();
        return;
    }
    const qint64 now = steadyMs();
    m_path.add(now, TcpSendBuffer::sample(descriptor()));
    const TcpPathMonitor::View v = m_path.view();
    m_pathQueueMs.store(v.queueMs);
    m_pathAckedKbps.store(v.ackedKbps);
    m_pathRecovering.store(v.recovering);
    if (v.queueMs >= kPathQueueSignalMs && now - m_pathSignalMs >= 2 * kPathSampleMs) {
        m_pathSignalMs = now;
        emit pathQueued();
    }
    sendProbe(now);
}

void SessionSocket::setProbeRate(quint32 callId, int kbps)
{
    m_probe.store(kbps > 0 && callId != 0 ? quint64(callId) << 32 | quint32(kbps) : 0);
}

void SessionSocket::sendProbe(qint64 nowMs)
{
    const quint64 probe = m_probe.load();
    const quint32 callId = quint32(probe >> 32);
    const qint64 kbps = qint64(probe & 0xffffffffu);
    const qint64 accepted = m_acceptedBytes.load();
    const qint64 sinceMs = m_probeMarkMs < 0 ? 0 : nowMs - m_probeMarkMs;
    const qint64 sent = accepted - m_probeMarkBytes;
    m_probeMarkMs = nowMs;
    m_probeMarkBytes = accepted;
    // What the rate allows since the last look, less what the media sent meanwhile. Only one
    // look's worth: a rate the media once left unused is no debt to pay in a burst.
    const qint64 due = kbps * std::min<qint64>(sinceMs, 2 * kPathSampleMs) / 8;
    const qint64 fill = std::min<qint64>(due - sent, kMaxProbeBytes);
    if (probe == 0 || !m_online.load() || fill < MediaPacketHeader::kSize + 256 ||
        !m_audioQueue.empty() || !m_videoQueue.empty() ||
        m_socket->bytesToWrite() >= kSocketLowWater)
        return;
    MediaPacketHeader h;
    h.kind = MediaPacketHeader::Video;
    h.codec = MediaPacketHeader::Vp8;
    h.flags = MediaPacketHeader::Probe;
    h.callId = callId;
    const QByteArray packet = h.serialize(QByteArray(fill - MediaPacketHeader::kSize, '\0'));
    m_socket->sendBinaryMessage(packet);
    m_acceptedBytes.fetch_add(packet.size());
    m_probeBytes.fetch_add(packet.size());
    m_probeMarkBytes += packet.size(); // not media the next look finds sent
    noteQueued();
}

TcpPathMonitor::View SessionSocket::tcpPath() const
{
    TcpPathMonitor::View v;
    v.queueMs = m_pathQueueMs.load();
    v.ackedKbps = m_pathAckedKbps.load();
    v.recovering = m_pathRecovering.load();
    return v;
}

void SessionSocket::dropQueuedVideo()
{
    QMetaObject::invokeMethod(this, "dropVideoQueue", Qt::QueuedConnection);
}

void SessionSocket::dropVideoQueue()
{
    if (m_videoQueue.empty())
        return;
    for (const QueuedMedia &m : m_videoQueue)
        dropMedia(m.packet.size());
    m_videoQueue.clear();
    m_videoWaitsForKeyframe.store(true);
}

void SessionSocket::sendFileChunk(const QByteArray &chunk)
{
    m_fileBytes.fetch_add(chunk.size());
    QMetaObject::invokeMethod(this, "writeFileChunk", Qt::QueuedConnection,
                              Q_ARG(QByteArray, chunk));
}

qint64 SessionSocket::msSinceLastReceive() const
{
    return steadyMs() - m_lastReceiveMs.load();
}

void SessionSocket::noteReceived()
{
    m_lastReceiveMs.store(steadyMs());
}

void SessionSocket::noteQueued()
{
    m_socketBytes.store(m_socket ? m_socket->bytesToWrite() : 0);
}

void SessionSocket::openUrl(quint64 attempt, const QUrl &url, const SessionTlsPolicy &policy)
{
    ensureSocket();
    {
        // Dropping a connection that is still up (a new attempt) is no loss to report.
        const QSignalBlocker quiet(m_socket);
        m_socket->abort();
    }
    m_attempt = attempt;
    m_policy = policy;
    m_lastError = QAbstractSocket::UnknownSocketError;
    noteQueued();
    m_socket->open(url);
}

void SessionSocket::closeSocket(quint64 attempt, const QString &reason)
{
    if (!m_socket || attempt != m_attempt || m_socket->state() == QAbstractSocket::UnconnectedState)
        return;
    m_socket->close(QWebSocketProtocol::CloseCodeNormal, reason);
    if (m_socket->state() != QAbstractSocket::UnconnectedState)
        QTimer::singleShot(2000, this, [this, attempt] {
            if (attempt == m_attempt && m_socket->state() != QAbstractSocket::UnconnectedState)
                m_socket->abort();
        });
}

void SessionSocket::abortSocket(quint64 attempt)
{
    if (m_socket && attempt == m_attempt)
        m_socket->abort(); // disconnected follows
}

void SessionSocket::sendText(const QString &text)
{
    if (!m_socket)
        return;
    m_socket->sendTextMessage(text);
    noteQueued();
}

void SessionSocket::ping()
{
    if (m_socket)
        m_socket->ping();
}

void SessionSocket::writeMedia(const QByteArray &packet, qint64 acceptedMs)
{
    if (!m_socket || !m_online.load() || m_socket->state() != QAbstractSocket::ConnectedState) {
        m_pendingBytes.fetch_sub(packet.size());
        clearMedia();
        return;
    }
    const auto h = MediaPacketHeader::parse(packet);
    const bool video = h && h->kind == MediaPacketHeader::Video;
    const bool keyframe = h && (h->flags & MediaPacketHeader::Keyframe);
    if (video && m_videoWaitsForKeyframe.load() && !keyframe) {
        dropMedia(packet.size()); // undecodable without the keyframe it follows
        return;
    }
    (video ? m_videoQueue : m_audioQueue).push_back({packet, acceptedMs, keyframe});
    dropStaleVideo(steadyMs());
    pumpMedia();
}

void SessionSocket::clearMedia()
{
    for (std::deque<QueuedMedia> *queue : {&m_audioQueue, &m_videoQueue}) {
        for (const QueuedMedia &m : *queue)
            m_pendingBytes.fetch_sub(m.packet.size());
        queue->clear();
    }
    m_videoWaitsForKeyframe.store(false);
    m_keyframeInSocket = false;
}

void SessionSocket::dropStaleVideo(qint64 nowMs)
{
    // Video that waited too long is only delay: drop it, and what depends on it. While a
    // keyframe is still on its way into the kernel (on a slow link it takes a few hundred ms
    // by itself) nothing is stale, and the waiting counts from when it left: else the frames
    // behind each keyframe would be dropped and ask for the next one, again and again.
    if (m_keyframeInSocket)
        return;
    while (!m_videoQueue.empty() &&
           nowMs - std::max(m_videoQueue.front().acceptedMs, m_keyframeLeftMs) > kStaleVideoMs) {
        m_videoWaitsForKeyframe.store(true);
        dropMedia(m_videoQueue.front().packet.size());
        m_videoQueue.pop_front();
    }
    if (!m_videoWaitsForKeyframe.load())
        return;
    while (!m_videoQueue.empty() && !m_videoQueue.front().keyframe) {
        dropMedia(m_videoQueue.front().packet.size());
        m_videoQueue.pop_front();
    }
    if (!m_videoQueue.empty())
        m_videoWaitsForKeyframe.store(false); // a keyframe is next
}

void SessionSocket::dropMedia(qsizetype bytes)
{
    m_pendingBytes.fetch_sub(bytes);
    m_droppedBytes.fetch_add(bytes);
}

void SessionSocket::pumpMedia()
{
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    const qint64 now = steadyMs();
    if (m_keyframeInSocket && m_socket->bytesToWrite() < kSocketLowWater) {
        m_keyframeInSocket = false;
        m_keyframeLeftMs = now;
    }
    while (m_socket->bytesToWrite() < kSocketLowWater) {
        std::deque<QueuedMedia> *queue = &m_audioQueue; // the voice first
        if (queue->empty()) {
            queue = &m_videoQueue;
            dropStaleVideo(now);
        }
        if (queue->empty())
            break;
        const QByteArray packet = std::move(queue->front().packet);
        if (queue->front().keyframe)
            m_keyframeInSocket = true;
        queue->pop_front();
        m_pendingBytes.fetch_sub(packet.size());
        m_socket->sendBinaryMessage(packet);
    }
    noteQueued();
}

void SessionSocket::writeFileChunk(const QByteArray &chunk)
{
    m_fileBytes.fetch_sub(chunk.size());
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    m_socket->sendBinaryMessage(chunk);
    noteQueued();
}

void SessionSocket::onBinary(const QByteArray &packet)
{
    noteReceived();
    if (FileChunkHeader::isFileChunk(packet)) {
        emit fileChunkReceived(m_attempt, packet);
        return;
    }
    {
        const std::lock_guard<std::mutex> lock(m_handlerMutex);
        if (m_handler)
            m_handler(packet);
    }
    if (m_forwardMedia.load())
        emit mediaReceived(packet);
}

void SessionSocket::onSslErrors(const QList<QSslError> &errors)
{
    // Called while the TLS handshake waits: ignoreSslErrors() only counts from in here.
    if (m_policy.insecure) {
        m_socket->ignoreSslErrors();
        return;
    }
    QSslCertificate peer = m_socket->sslConfiguration().peerCertificate();
    if (peer.isNull() && !errors.isEmpty())
        peer = errors.first().certificate();
    const QString fingerprint = CertificatePins::fingerprint(peer);
    bool changed = false;
    if (!m_policy.expectedFingerprint.isEmpty()) {
        if (plainFingerprint(fingerprint) == m_policy.expectedFingerprint) {
            m_socket->ignoreSslErrors();
            return;
        }
        changed = true;
    } else if (m_policy.usePins) {
        switch (CertificatePins::verdict(m_policy.pinned, errors, peer)) {
        case CertificatePins::Verdict::Trusted:
        case CertificatePins::Verdict::Pinned:
            m_socket->ignoreSslErrors();
            return;
        case CertificatePins::Verdict::Changed:
            changed = true;
            break;
        case CertificatePins::Verdict::Unknown:
            break;
        }
    }
    // Nothing goes out over a connection we cannot vouch for: stop here and let the user
    // decide (ClientSession).
    emit certificateRejected(m_attempt, fingerprint, changed);
    const QSignalBlocker quiet(m_socket);
    m_socket->abort();
}
