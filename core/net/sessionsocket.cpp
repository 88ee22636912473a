#include "net/sessionsocket.h"

#include "net/certificatepins.h"
#include "protocol/filechunk.h"

#include <QSslConfiguration>
#include <QTimer>
#include <QWebSocket>

#include <chrono>

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
        noteReceived();
        emit connected(m_attempt);
    });
    connect(m_socket, &QWebSocket::disconnected, this, [this] {
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
    QMetaObject::invokeMethod(this, "writeMedia", Qt::QueuedConnection, Q_ARG(QByteArray, packet));
    return true;
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

void SessionSocket::writeMedia(const QByteArray &packet)
{
    m_pendingBytes.fetch_sub(packet.size());
    if (!m_socket || !m_online.load() || m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    m_socket->sendBinaryMessage(packet);
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
