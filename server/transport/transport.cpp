#include "transport/transport.h"

#include "confabversion.h"
#include "protocol/messageencoder.h"
#include "tls/selfsignedcertificate.h"
#include "transport/fdlimit.h"
#include "transport/proxyheader.h"
#include "transport/wireframe.h"

#include <QFile>
#include <QLoggingCategory>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>
#include <QWebSocket>

#ifdef Q_OS_UNIX
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#endif

#include <iterator>

Q_LOGGING_CATEGORY(lcTransport, "confab.transport")

namespace {

// What Qt may buffer of a connection that has not finished its upgrade: enough for any real
// browser's request headers. Qt's own ceiling is 800 KB, which let 256 unfinished upgrades
// hold 238 MB; past this much Qt stops reading and the upgrade deadline ends the connection.
constexpr qint64 kUpgradeReadBuffer = 16 * 1024;
// Before login a client sends only small messages (a login, a ping).
constexpr qint64 kLoginMessageBytes = 8 * 1024;
// How much of a TLS connection's queue is handed to QSslSocket (which copies and encrypts it)
// at a time; the rest waits, shared, in the OutQueue.
constexpr qint64 kTlsHighWater = 64 * 1024;
// A closing client gets this long to answer our close frame before the connection is cut.
constexpr int kCloseGraceMs = 2000;
// A WebSocket frame header is at most this long (with a 64-bit length and a mask).
constexpr qint64 kFrameHeaderBytes = 14;
// Over the advertised size, up to this much more gets the too_large error instead of a close.
constexpr qint64 kSlackBytes = 4096;

QWebSocketProtocol::CloseCode closeCodeFor(ErrorCode code)
{
    switch (code) {
    case ErrorCode::ServerShutdown:
        return QWebSocketProtocol::CloseCodeGoingAway;
    case ErrorCode::TooLarge:
        return QWebSocketProtocol::CloseCodeTooMuchData;
    case ErrorCode::SignedOut:
        return QWebSocketProtocol::CloseCodeNormal;
    default:
        return QWebSocketProtocol::CloseCodePolicyViolated;
    }
}

} // namespace

AddressSlot::AddressSlot(std::shared_ptr<AddressCounts> counts, const QString &address,
                         QObject *socket)
    : QObject(socket), m_counts(std::move(counts)), m_address(address)
{
    ++m_counts->total;
    count(+1);
}

AddressSlot::~AddressSlot()
{
    count(-1);
    --m_counts->total;
}

QHash<QString, int> *AddressSlot::table(Kind kind) const
{
    switch (kind) {
    case Kind::PreLogin:
        return &m_counts->preLogin;
    case Kind::Guest:
        return &m_counts->guests;
    case Kind::Account:
        break;
    }
    return nullptr;
}

void AddressSlot::count(int delta)
{
    QHash<QString, int> *t = table(m_kind);
    if (!t)
        return;
    auto it = t->find(m_address);
    if (it == t->end())
        it = t->insert(m_address, 0);
    if ((it.value() += delta) <= 0)
        t->erase(it);
}

void AddressSlot::setKind(Kind kind)
{
    count(-1);
    m_kind = kind;
    count(+1);
}

void AddressSlot::moveTo(const QString &address)
{
    count(-1);
    m_address = address;
    count(+1);
}

// Accepts into a QSslSocket when the server speaks TLS, so that the handshake can start only
// after the per-address limits have been checked (QSslServer would handshake first).
class Transport::Listener : public QTcpServer
{
public:
    explicit Listener(const QSslConfiguration *tls) : m_tls(tls) {}

protected:
    void incomingConnection(qintptr descriptor) override
    {
        if (!m_tls) {
            QTcpServer::incomingConnection(descriptor);
            return;
        }
        auto *socket = new QSslSocket(this);
        socket->setSslConfiguration(*m_tls);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        addPendingConnection(socket);
    }

private:
    const QSslConfiguration *m_tls;
};

Transport::Transport(const ServerConfig &config, QObject *parent)
    : QObject(parent), m_config(config),
      m_webSockets(QStringLiteral("Confab %1").arg(QLatin1String(CONFAB_VERSION)),
                   QWebSocketServer::NonSecureMode)
{
    m_clock.start();
    m_trustedProxies.parse(m_config.trustedProxies, nullptr); // validated by ServerConfig
    m_maxConnections = m_config.maxConnections;
    m_webSockets.setHandshakeTimeout(m_config.handshakeTimeoutMs);
    m_webSockets.setMaxPendingConnections(1000);
    connect(&m_webSockets, &QWebSocketServer::newConnection, this, &Transport::acceptWebSockets);
    // One timer for all connections: per-connection timers would cost memory and wake-ups.
    m_keepalive.setInterval(qMax(10, qMin(m_config.pingIntervalMs / 2, 1000)));
    connect(&m_keepalive, &QTimer::timeout, this, &Transport::checkTimeouts);
}

Transport::~Transport()
{
    for (auto &[socket, c] : m_connections) {
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
        if (c->tcp)
            c->tcp->deleteLater();
    }
}

bool Transport::listen(QString *error)
{
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    if (!m_config.tlsCertificate.isEmpty()) {
        if (!QSslSocket::supportsSsl())
            return fail(QStringLiteral("TLS is not available: Qt found no OpenSSL library"));
        QFile certFile(m_config.tlsCertificate);
        if (!certFile.open(QIODevice::ReadOnly))
            return fail(QStringLiteral("cannot read the certificate %1: %2")
                            .arg(m_config.tlsCertificate, certFile.errorString()));
        const QList<QSslCertificate> chain = QSslCertificate::fromDevice(&certFile, QSsl::Pem);
        if (chain.isEmpty())
            return fail(QStringLiteral("%1 holds no PEM certificate").arg(m_config.tlsCertificate));
        QFile keyFile(m_config.tlsKey);
        if (!keyFile.open(QIODevice::ReadOnly))
            return fail(QStringLiteral("cannot read the key %1: %2")
                            .arg(m_config.tlsKey, keyFile.errorString()));
        const QByteArray keyPem = keyFile.readAll();
        QSslKey key(keyPem, QSsl::Ec, QSsl::Pem);
        if (key.isNull())
            key = QSslKey(keyPem, QSsl::Rsa, QSsl::Pem);
        if (key.isNull())
            return fail(QStringLiteral("%1 holds no PEM private key (EC or RSA, unencrypted)")
                            .arg(m_config.tlsKey));
        if (!SelfSignedCertificate::keyMatches(chain.first(), keyPem))
            return fail(QStringLiteral("the key %1 does not belong to the certificate %2")
                            .arg(m_config.tlsKey, m_config.tlsCertificate));
        m_sslConfiguration = QSslConfiguration::defaultConfiguration();
        m_sslConfiguration.setLocalCertificateChain(chain);
        m_sslConfiguration.setPrivateKey(key);
        m_sslConfiguration.setPeerVerifyMode(QSslSocket::VerifyNone); // no client certificates
        m_sslConfiguration.setProtocol(QSsl::TlsV1_2OrLater);
        m_tls = true;
    }

    // Sockets beyond --max-connections are taken only to tell the client why it is refused,
    // and never so many that the descriptors SQLite needs run out (FdLimit's headroom).
    const FdLimit::Result fd = FdLimit::ensure(2 * m_config.maxConnections);
    m_socketCeiling = qMin(2 * m_config.maxConnections, fd.sockets);
    m_maxConnections =
        qMin(m_config.maxConnections, m_socketCeiling - qMin(64, m_socketCeiling / 8));
    m_maxPendingUpgrades = qMax(8, qMin(1024, m_socketCeiling / 4));
    if (m_maxConnections < m_config.maxConnections)
        qCWarning(lcTransport).noquote()
            << QStringLiteral("the file descriptor limit is %1 (hard limit %2), which allows %3 "
                              "connections, not the %4 of --max-connections; raise it (ulimit -n, "
                              "or LimitNOFILE= in the systemd unit) to at least %5, or lower "
                              "--max-connections")
                   .arg(fd.soft)
                   .arg(fd.hard < 0 ? QStringLiteral("unlimited") : QString::number(fd.hard))
                   .arg(m_maxConnections)
                   .arg(m_config.maxConnections)
                   .arg(2 * m_config.maxConnections + FdLimit::kHeadroom);

    auto open = [&](std::unique_ptr<QTcpServer> &server, quint16 port, bool tls) {
        server = std::make_unique<Listener>(tls ? &m_sslConfiguration : nullptr);
        QTcpServer *listener = server.get();
        connect(listener, &QTcpServer::newConnection, this, [this, listener] {
            while (QTcpSocket *socket = listener->nextPendingConnection())
                accept(socket);
        });
        // Clients queue behind each other in accept(); a large backlog avoids refused
        // connects when many users (or the load generator) arrive together.
        listener->setListenBacklogSize(1024);
        if (!listener->listen(m_config.listenAddress, port))
            return fail(QStringLiteral("cannot listen on %1 port %2: %3")
                            .arg(m_config.listenAddress.toString())
                            .arg(port)
                            .arg(listener->errorString()));
        return true;
    };
    if (!open(m_server, m_config.port, m_tls))
        return false;
    // Plain ws:// next to wss://, for the old seed page (it cannot speak TLS).
    if (m_tls && m_config.plainPort >= 0 &&
        !open(m_plainServer, quint16(m_config.plainPort), false))
        return false;
    m_keepalive.start();
    return true;
}

QString Transport::upgradeKey(QTcpSocket *socket) const
{
    return socket->peerAddress().toString() + QLatin1Char('/') +
           QString::number(socket->peerPort());
}

void Transport::accept(QTcpSocket *socket)
{
    const QHostAddress peerAddress = socket->peerAddress();
    const QString peer = AddressKey::of(peerAddress);
    const bool proxy = m_trustedProxies.contains(peerAddress);
    // Far over a limit: drop at once, before spending a handshake on it. Up to the limit's
    // double the client is upgraded so it can be told the reason. A trusted proxy carries
    // many clients: they are counted once their real addresses are known.
    const bool tooMany =
        !proxy && (m_addresses->preLogin.value(peer) >= 2 * m_config.maxConnectionsPerAddress ||
                   m_upgradingPerAddress.value(peer) >= m_config.maxPendingUpgradesPerAddress);
    if (m_shuttingDown || m_addresses->total >= m_socketCeiling || tooMany) {
        qCDebug(lcTransport).noquote() << "refused connection from" << peer << "(over limits)";
        socket->abort();
        socket->deleteLater();
        return;
    }
    // Unfinished upgrades from many addresses together: the oldest goes, so that a crowd of
    // connections that never finish cannot keep newcomers (who finish in milliseconds) out.
    if (m_upgrading.size() >= m_maxPendingUpgrades)
        evictOldestUpgrade();
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    socket->setReadBufferSize(kUpgradeReadBuffer);
    // A child object of the socket gives the address's slot back when the socket is deleted.
    // (Signal connections to the socket are not reliable for this: the WebSocket upgrade
    // disconnects them.)
    new AddressSlot(m_addresses, peer, socket);
    // QTcpServer keeps accepted sockets as its children until it dies and QWebSocket does
    // not delete them: we do (when the upgrade fails, or in onDisconnected after it).
    const QString key = upgradeKey(socket);
    m_upgrading.insert(key, Upgrading{socket, now(), peer});
    ++m_upgradingPerAddress[peer];
    connect(socket, &QObject::destroyed, this, [this, key, socket](QObject *) {
        const auto it = m_upgrading.constFind(key);
        if (it == m_upgrading.cend() || it->socket)
            return; // upgraded already, or the key belongs to a newer socket
        if (--m_upgradingPerAddress[it->address] <= 0)
            m_upgradingPerAddress.remove(it->address);
        m_upgrading.erase(it);
        Q_UNUSED(socket);
    });
    // A socket that fails before the WebSocket server has it (TLS, PROXY header) is ours to
    // delete, and stays so after the upgrade (acceptWebSockets).
    connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
    if (proxy && m_config.proxyProtocol) {
        connect(socket, &QIODevice::readyRead, this, [this, socket] { readProxyHeader(socket); });
        if (socket->bytesAvailable())
            readProxyHeader(socket);
        return;
    }
    startUpgrade(socket);
}

void Transport::readProxyHeader(QTcpSocket *socket)
{
    qsizetype consumed = 0;
    QHostAddress source;
    const QByteArray head = socket->peek(ProxyHeader::kMaxBytes);
    switch (ProxyHeader::parse(head, &consumed, &source)) {
    case ProxyHeader::Result::NeedMore:
        return;
    case ProxyHeader::Result::Invalid:
        qCWarning(lcTransport).noquote()
            << "bad PROXY header from trusted proxy" << socket->peerAddress().toString();
        socket->abort();
        return;
    case ProxyHeader::Result::Done:
        break;
    }
    socket->skip(consumed);
    socket->disconnect(this); // the readyRead above; the destroyed handler stays
    const QString key = upgradeKey(socket);
    connect(socket, &QObject::destroyed, this, [this, key](QObject *) {
        const auto it = m_upgrading.constFind(key);
        if (it == m_upgrading.cend() || it->socket)
            return;
        if (--m_upgradingPerAddress[it->address] <= 0)
            m_upgradingPerAddress.remove(it->address);
        m_upgrading.erase(it);
    });
    if (!source.isNull()) {
        const QString real = AddressKey::of(source);
        if (AddressSlot *slot =
                socket->findChild<AddressSlot *>(QString(), Qt::FindDirectChildrenOnly))
            slot->moveTo(real);
        auto it = m_upgrading.find(key);
        if (it != m_upgrading.end()) {
            if (--m_upgradingPerAddress[it->address] <= 0)
                m_upgradingPerAddress.remove(it->address);
            it->address = real;
            ++m_upgradingPerAddress[real];
        }
        socket->setProperty("confabClientAddress", real);
    }
    startUpgrade(socket);
}

void Transport::startUpgrade(QTcpSocket *socket)
{
    if (qobject_cast<QSslSocket *>(socket)) {
        auto *ssl = static_cast<QSslSocket *>(socket);
        connect(ssl, &QSslSocket::encrypted, this, [this, ssl] {
            ssl->disconnect(this);
            m_webSockets.handleConnection(ssl);
        });
        ssl->startServerEncryption();
        return;
    }
    // A client that greets a plain port with TLS (a ClientHello starts with 0x16 0x03) is
    // told at once by closing, instead of waiting out the upgrade deadline: clients that try
    // wss:// first for an address without a scheme fall back to ws:// without delay.
    auto handOver = [this, socket] {
        const QByteArray first = socket->peek(2);
        if (first.size() >= 2 && first.at(0) == 0x16 && first.at(1) == 0x03) {
            qCDebug(lcTransport).noquote()
                << "TLS client on the plain port from" << socket->peerAddress().toString();
            socket->abort();
            return;
        }
        m_webSockets.handleConnection(socket);
    };
    if (socket->bytesAvailable() >= 2) {
        handOver();
        return;
    }
    // The connection dies with the socket (its context), and the handle with the lambda.
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = connect(socket, &QIODevice::readyRead, socket, [socket, connection, handOver] {
        if (socket->bytesAvailable() < 2)
            return;
        QObject::disconnect(*connection);
        handOver();
    });
}

void Transport::acceptWebSockets()
{
    while (QWebSocket *socket = m_webSockets.nextPendingConnection()) {
        const QString key = socket->peerAddress().toString() + QLatin1Char('/') +
                            QString::number(socket->peerPort());
        const Upgrading upgrading = m_upgrading.take(key);
        if (--m_upgradingPerAddress[upgrading.address] <= 0)
            m_upgradingPerAddress.remove(upgrading.address);
        QTcpSocket *tcp = upgrading.socket;
        if (!tcp) {
            qCWarning(lcTransport) << "upgraded socket without its TCP connection; dropping it";
            socket->abort();
            socket->deleteLater();
            continue;
        }
        // QWebSocketServer keeps a connection from every socket it upgraded to itself, and each
        // handshake and each disconnect finds its socket by walking all of them
        // (QObject::sender): 10,000 open connections made logins crawl (bench run i, 491
        // instead of 2,000 a second) and a mass disconnect quadratic. The socket deletes itself
        // when it disconnects (accept), which is all that connection did.
        QObject::disconnect(tcp, &QAbstractSocket::disconnected, &m_webSockets, nullptr);
        QString ip = upgrading.address;
        auto *slot = tcp->findChild<AddressSlot *>(QString(), Qt::FindDirectChildrenOnly);
        // Behind a trusted reverse proxy the client's address is the last one the proxy added.
        if (m_trustedProxies.contains(tcp->peerAddress()) && !m_config.proxyProtocol) {
            const QByteArray forwarded = socket->request().rawHeader("X-Forwarded-For");
            const QByteArray last = forwarded.split(',').last().trimmed();
            QHostAddress client;
            if (!last.isEmpty() && client.setAddress(QString::fromLatin1(last))) {
                ip = AddressKey::of(client);
                if (slot)
                    slot->moveTo(ip);
            }
        }

        auto owned = std::make_unique<ClientConnection>(socket, ip, m_config.limits, now());
        ClientConnection *c = owned.get();
        c->tcp = tcp;
        c->slot = slot;
        c->encrypted = qobject_cast<QSslSocket *>(tcp) != nullptr;
        m_connections.emplace(socket, std::move(owned));
        applyReadLimits(c);
        connect(socket, &QWebSocket::textMessageReceived, this, [this, c](const QString &text) {
            if (!c->closing)
                emit textReceived(c, text);
        });
        connect(socket, &QWebSocket::binaryMessageReceived, this,
                [this, c](const QByteArray &data) {
                    if (!c->closing)
                        emit binaryReceived(c, data);
                });
        connect(socket, &QWebSocket::pong, this, [this, c] { c->lastActivityMs = now(); });
        connect(socket, &QWebSocket::disconnected, this,
                [this, socket] { onDisconnected(socket); });
        // More of the queue can go out once Qt's buffer has room again.
        if (c->encrypted)
            connect(static_cast<QSslSocket *>(tcp), &QSslSocket::encryptedBytesWritten, this,
                    [this, c] { writeOut(c); });
        else
            connect(tcp, &QAbstractSocket::bytesWritten, this, [this, c] {
                if (c->tcp && c->tcp->bytesToWrite() == 0)
                    writeOut(c);
            });
        qCDebug(lcTransport).noquote() << "connection from" << ip << socket->peerPort();

        send(c, WireFrame::text(m_greeting));
        if (m_shuttingDown) {
            closeWithError(c, ErrorCode::ServerShutdown);
        } else if (m_addresses->preLogin.value(ip) > m_config.maxConnectionsPerAddress) {
            qCWarning(lcTransport).noquote() << "too many connections from" << ip << "("
                                             << m_addresses->preLogin.value(ip) << "not logged in)";
            closeWithError(c, ErrorCode::TooManyConnections);
        } else if (m_addresses->total > m_maxConnections) {
            qCWarning(lcTransport).noquote() << "server full, refusing" << ip;
            closeWithError(c, ErrorCode::ServerFull);
        } else {
            emit connectionOpened(c);
        }
    }
}

void Transport::applyReadLimits(ClientConnection *c)
{
    // What one connection can make Qt hold of its input: the read buffer plus one message
    // being put together, so at most about twice this limit per connection, whatever it sends
    // (docs/security.md has the sum). Qt itself closes with 1009 past it; up to it, the decoder
    // answers too_large and the connection stays. A frame must fit the read buffer whole, or
    // Qt would wait for it forever. Media-sized messages only during a call.
    const qint64 text =
        c->loggedIn ? m_config.limits.maxMessageBytes + kSlackBytes : kLoginMessageBytes;
    qint64 message =
        c->largeFrames ? qMax(text, m_config.limits.maxMediaBytes + kSlackBytes) : text;
    // An upload's chunks (docs/protocol.md section 18) are larger than chat: only while the
    // connection holds one.
    if (c->fileFrames)
        message = qMax(message, m_config.limits.fileChunkBytes + kSlackBytes);
    c->socket->setMaxAllowedIncomingMessageSize(quint64(message));
    c->socket->setMaxAllowedIncomingFrameSize(quint64(message));
    if (c->tcp)
        c->tcp->setReadBufferSize(message + kFrameHeaderBytes + 4096);
}

void Transport::setFileFrames(ClientConnection *c, bool allowed)
{
    if (c->fileFrames == allowed)
        return;
    c->fileFrames = allowed;
    applyReadLimits(c);
}

void Transport::setLargeFrames(ClientConnection *c, bool allowed)
{
    if (c->largeFrames == allowed)
        return;
    c->largeFrames = allowed;
    applyReadLimits(c);
#if defined(Q_OS_UNIX) && defined(TCP_NOTSENT_LOWAT)
    // In a call the kernel keeps only a little unsent, so that a receiver's backlog waits in
    // its OutQueue where stale video can be dropped (not megabytes in the kernel, where it
    // can only be sent, seconds late). 0 restores the system's default after the call.
    if (c->tcp && c->tcp->socketDescriptor() >= 0) {
        const int lowat = allowed ? kCallKernelLowWater : 0;
        ::setsockopt(int(c->tcp->socketDescriptor()), IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat,
                     sizeof lowat);
    }
#endif
    c->videoWaitsForKeyframe = false;
    c->mediaWindowMs = now();
    c->mediaWindowBytes = 0;
    if (!allowed && c->tcp && c->tcp->socketDescriptor() >= 0)
        c->sendBuffer.release(int(c->tcp->socketDescriptor()));
}

ClientConnection *Transport::connectionFor(QWebSocket *socket) const
{
    const auto it = m_connections.find(socket);
    return it == m_connections.end() ? nullptr : it->second.get();
}

bool Transport::countAsGuest(ClientConnection *c, bool evenIfFull)
{
    if (!c->slot)
        return true;
    if (!evenIfFull &&
        m_addresses->guests.value(c->slot->address()) >= m_config.maxConnectionsPerAddress) {
        qCWarning(lcTransport).noquote() << "too many guests from" << c->slot->address();
        return false;
    }
    c->slot->setKind(AddressSlot::Kind::Guest);
    return true;
}

void Transport::countAsAccount(ClientConnection *c)
{
    if (c->slot)
        c->slot->setKind(AddressSlot::Kind::Account);
}

void Transport::evictOldestUpgrade()
{
    auto oldest = m_upgrading.end();
    for (auto it = m_upgrading.begin(); it != m_upgrading.end(); ++it) {
        if (oldest == m_upgrading.end() || it->sinceMs < oldest->sinceMs)
            oldest = it;
    }
    if (oldest == m_upgrading.end())
        return;
    qCDebug(lcTransport).noquote()
        << "dropping the oldest unfinished upgrade, from" << oldest->address;
    if (oldest->socket) {
        oldest->socket->abort();
        oldest->socket->deleteLater();
    }
    if (--m_upgradingPerAddress[oldest->address] <= 0)
        m_upgradingPerAddress.remove(oldest->address);
    m_upgrading.erase(oldest);
}

void Transport::onDisconnected(QWebSocket *socket)
{
    const auto it = m_connections.find(socket);
    if (it == m_connections.end())
        return;
    std::unique_ptr<ClientConnection> c = std::move(it->second);
    m_connections.erase(it);
    socket->disconnect(this);
    socket->deleteLater();
    if (c->tcp) {
        c->tcp->disconnect(this);
        c->tcp->deleteLater(); // QWebSocket does not delete the socket it was upgraded from
    }
    const QString reason = socket->closeReason().isEmpty()
                               ? QStringLiteral("code %1").arg(int(socket->closeCode()))
                               : socket->closeReason();
    m_slow.erase(std::remove(m_slow.begin(), m_slow.end(), c.get()), m_slow.end());
    m_dirty.erase(std::remove(m_dirty.begin(), m_dirty.end(), c.get()), m_dirty.end());
    emit connectionClosed(c.get(), reason);
    if (m_shuttingDown && m_connections.empty())
        emit drained();
}

qint64 Transport::queuedBytes(const ClientConnection *c) const
{
    qint64 queued = c->out.bytes();
    if (c->tcp) {
        queued += c->tcp->bytesToWrite();
        if (c->encrypted)
            queued += static_cast<const QSslSocket *>(c->tcp.data())->encryptedBytesToWrite();
    }
    return queued;
}

void Transport::markSlow(ClientConnection *c, qint64 queued, qint64 adding)
{
    qCWarning(lcTransport).noquote()
        << "dropping slow receiver" << (c->name.isEmpty() ? c->address : c->name) << "from"
        << c->address << "with" << queued << "bytes queued and" << adding << "more to send";
    c->closing = true;
    m_slow.push_back(c);
    scheduleTurnEnd();
}

bool Transport::send(ClientConnection *c, const QByteArray &frame, Kind kind)
{
    if (c->closing || !c->tcp || frame.isEmpty())
        return false;
    // Counted when queued, before anything is copied for it (the finding 1: checked
    // only after the write, each receiver's buffer already held its own copy of a burst).
    const qint64 queued = queuedBytes(c);
    if (queued == 0)
        c->behindSinceMs = now();
    if (kind == Kind::Video || kind == Kind::Keyframe) {
        // Video that would wait behind a backlog this old arrives too late to be worth
        // showing: dropped, with what follows it up to a keyframe, so the voice and a fresh
        // picture get through and the backlog drains instead of growing.
        const bool stale =
            queued >= kStaleVideoMinBytes && now() - c->behindSinceMs > kStaleVideoMs;
        if (stale)
            c->videoWaitsForKeyframe = true;
        else if (kind == Kind::Keyframe)
            c->videoWaitsForKeyframe = false;
        if (c->videoWaitsForKeyframe) {
            ++m_staleVideoDropped;
            return false;
        }
    }
    if (kind != Kind::Text) {
        // A receiver that falls behind loses media first, before it is cut off for text.
        if (queued + frame.size() > m_config.maxQueuedBytes / 4) {
            ++m_mediaDropped;
            if (kind != Kind::Media)
                c->videoWaitsForKeyframe = true;
            return false;
        }
    } else if (queued + frame.size() > m_config.maxQueuedBytes) {
        markSlow(c, queued, frame.size());
        return false;
    }
    // Frames are gathered per receiver and written at the end of the event-loop turn
    // (endTurn), so one sendmsg carries a turn's frames. QWebSocket writes its own frames
    // (pongs) whole, and only whole frames of ours ever wait in Qt's buffer, so frames never
    // interleave.
    if (c->out.isEmpty())
        m_dirty.push_back(c);
    c->out.append(frame); // a reference: the frame is shared by all its receivers
    if (kind != Kind::Text && c->largeFrames)
        sizeSendBuffer(c, frame.size());
    scheduleTurnEnd();
    return true;
}

void Transport::sizeSendBuffer(ClientConnection *c, qsizetype mediaBytes)
{
    // What the kernel may hold for a receiver in a call, sent or not: the rate its media comes
    // at times the path's round trip, with headroom (TcpSendBuffer). Without a bound the
    // congestion window grown on a fast path lets 50 KB and more into flight, and when the
    // path slows down the router drops it and TCP spends seconds recovering it.
    c->mediaWindowBytes += mediaBytes;
    const qint64 span = now() - c->mediaWindowMs;
    if (span < kSendBufferWindowMs)
        return;
    const int kbps = int(c->mediaWindowBytes * 8 / span);
    c->mediaWindowMs = now();
    c->mediaWindowBytes = 0;
    if (c->tcp && c->tcp->socketDescriptor() >= 0)
        c->sendBuffer.update(int(c->tcp->socketDescriptor()), std::max(kbps, 1));
}

bool Transport::sendPieces(ClientConnection *c, std::initializer_list<QByteArrayView> pieces)
{
    if (c->closing || !c->tcp)
        return false;
    qsizetype size = 0;
    for (QByteArrayView piece : pieces)
        size += piece.size();
    const qint64 queued = queuedBytes(c);
    if (queued == 0)
        c->behindSinceMs = now();
    if (queued + size > m_config.maxQueuedBytes) {
        markSlow(c, queued, size);
        return false;
    }
#ifdef Q_OS_UNIX
    // With 10,000 users online a user list is over 100 KB. Copied into a message and a frame,
    // which were freed again after the write, it left the heap full of touched holes that
    // later took the connections' long-lived buffers, so the RSS per idle connection grew
    // (docs/benchmarks.md, run d). So the pieces go to the kernel from where they are, when
    // nothing else waits for this receiver (then writing now keeps the order).
    QTcpSocket *tcp = c->tcp.data();
    if (!c->encrypted && queued == 0 && pieces.size() <= 8) {
        iovec iov[8];
        size_t n = 0;
        for (QByteArrayView piece : pieces)
            iov[n++] = {const_cast<char *>(piece.data()), size_t(piece.size())};
        msghdr msg{};
        msg.msg_iov = iov;
        msg.msg_iovlen = decltype(msg.msg_iovlen)(n);
        qsizetype sent = qMax<qsizetype>(
            0, ::sendmsg(int(tcp->socketDescriptor()), &msg, MSG_NOSIGNAL | MSG_DONTWAIT));
        // What the kernel did not take waits in Qt's buffer (the rest of one frame).
        for (const QByteArrayView piece : pieces) {
            if (sent >= piece.size()) {
                sent -= piece.size();
                continue;
            }
            tcp->write(piece.data() + sent, piece.size() - sent);
            sent = 0;
        }
        return true;
    }
#endif
    QByteArray frame;
    frame.reserve(size);
    for (QByteArrayView piece : pieces)
        frame.append(piece);
    return send(c, frame);
}

void Transport::scheduleTurnEnd()
{
    if (m_turnEndScheduled)
        return;
    m_turnEndScheduled = true;
    // Runs after the sockets that are ready in this event-loop turn have been read, so one
    // commit covers all their messages and each receiver gets one write for all of them.
    QMetaObject::invokeMethod(this, &Transport::endTurn, Qt::QueuedConnection);
}

void Transport::endTurn()
{
    m_turnEndScheduled = false;
    emit turnEnding();
    std::vector<ClientConnection *> dirty;
    dirty.swap(m_dirty);
    for (ClientConnection *c : dirty)
        writeOut(c);
    dropSlowConsumers();
}

void Transport::writeOut(ClientConnection *c)
{
    QTcpSocket *tcp = c->tcp.data();
    if (!tcp) {
        c->out.clear();
        return;
    }
    if (c->encrypted) {
        writeTls(c);
        afterWrite(c);
        return;
    }
    // Qt's buffer holds the rest of a frame: its bytesWritten brings us back when it is out.
    if (tcp->bytesToWrite() > 0 || c->out.isEmpty()) {
        afterWrite(c);
        return;
    }
    qsizetype written = 0;
#ifdef Q_OS_UNIX
    // Straight into the kernel: one system call, no copy, and no write notifier to arm and
    // disarm in the event loop when the kernel takes it all (the usual case).
    written = c->out.sendTo(int(tcp->socketDescriptor()));
#endif
    c->out.consume(written, [tcp](const char *data, qsizetype size) { tcp->write(data, size); });
    // The kernel is full at a frame boundary: hand Qt one whole frame so that its write
    // notifier tells us when there is room again.
    if (!c->out.isEmpty() && tcp->bytesToWrite() == 0)
        c->out.takeFront([tcp](const char *data, qsizetype size) { tcp->write(data, size); });
    afterWrite(c);
}

void Transport::writeTls(ClientConnection *c)
{
    // Never sendmsg() on a TLS connection: every byte goes through QSslSocket, which encrypts
    // it. It copies what it is given, so it gets a little at a time.
    auto *ssl = static_cast<QSslSocket *>(c->tcp.data());
    while (!c->out.isEmpty() && ssl->bytesToWrite() + ssl->encryptedBytesToWrite() < kTlsHighWater)
        c->out.takeFront([ssl](const char *data, qsizetype size) { ssl->write(data, size); });
}

void Transport::afterWrite(ClientConnection *c)
{
    if (c->notifyDrained && !c->closing && queuedBytes(c) == 0) {
        c->notifyDrained = false;
        emit queueDrained(c);
    }
}

void Transport::dropSlowConsumers()
{
    std::vector<ClientConnection *> slow;
    slow.swap(m_slow);
    for (ClientConnection *c : slow) {
        c->out.clear();
        // Its queue is full, so a close frame would not get through: abort the connection.
        c->socket->abort();
    }
}

void Transport::closeWithError(ClientConnection *c, ErrorCode code)
{
    closeWithError(c, code, c->dialect);
}

void Transport::closeWithError(ClientConnection *c, ErrorCode code, Dialect dialect)
{
    qCInfo(lcTransport).noquote() << "closing connection"
                                  << (c->name.isEmpty() ? c->address : c->name) << "reason"
                                  << errorCodeName(code);
    closeWith(c, quint16(closeCodeFor(code)), errorCodeName(code).toUtf8(),
              MessageEncoder::error(code, {}, dialect));
}

void Transport::closeWith(ClientConnection *c, quint16 closeCode, const QByteArray &reason,
                          const QByteArray &lastMessage)
{
    if (c->closing || !c->tcp)
        return;
    QTcpSocket *tcp = c->tcp.data();
    // Our own close frame after the last message; QWebSocket, which would close the TCP
    // connection right after its close frame, is told nothing more of this socket's input.
    if (!lastMessage.isEmpty())
        c->out.append(WireFrame::text(lastMessage));
    c->out.append(WireFrame::close(closeCode, reason));
    if (std::find(m_dirty.begin(), m_dirty.end(), c) == m_dirty.end())
        m_dirty.push_back(c);
    c->closing = true;
    QObject::disconnect(tcp, &QIODevice::readyRead, c->socket, nullptr);
    // Read and drop what the client still sends, so that closing does not reset the
    // connection (Linux sends RST when a socket with unread input is closed). Bounded: the
    // read buffer is small and emptied at once.
    tcp->setReadBufferSize(4096);
    connect(tcp, &QIODevice::readyRead, tcp, [tcp] { tcp->skip(tcp->bytesAvailable()); });
    tcp->skip(tcp->bytesAvailable());
    writeOut(c);
    // The client answers the close frame by closing: that ends the connection (and the
    // QWebSocket's disconnected signal cleans up). A client that does not is cut off.
    QTimer::singleShot(kCloseGraceMs, tcp, &QAbstractSocket::abort);
    scheduleTurnEnd();
}

void Transport::checkTimeouts()
{
    const qint64 t = now();
    for (auto it = m_upgrading.begin(); it != m_upgrading.end();) {
        // QWebSocketServer gives up on a handshake after its timeout but leaves the socket; a
        // TLS handshake or PROXY header that never completes has no timeout of its own.
        if (t - it->sinceMs > m_config.handshakeTimeoutMs) {
            if (it->socket) {
                it->socket->abort();
                it->socket->deleteLater();
            }
            if (--m_upgradingPerAddress[it->address] <= 0)
                m_upgradingPerAddress.remove(it->address);
            it = m_upgrading.erase(it);
        } else {
            ++it;
        }
    }
    std::vector<ClientConnection *> idle;
    for (auto &[socket, c] : m_connections) {
        if (c->closing)
            continue;
        const qint64 silent = t - c->lastActivityMs;
        if (silent > m_config.idleTimeoutMs ||
            (!c->loggedIn && t - c->connectedMs > m_config.loginTimeoutMs))
            idle.push_back(c.get());
        else if (silent >= m_config.pingIntervalMs &&
                 t - c->lastPingMs >= m_config.pingIntervalMs) {
            c->lastPingMs = t; // one ping per interval, not one per tick of this timer
            socket->ping();
        }
    }
    for (ClientConnection *c : idle) {
        const bool neverLoggedIn = !c->loggedIn;
        qCInfo(lcTransport).noquote()
            << (c->name.isEmpty() ? c->address : c->name)
            << (neverLoggedIn ? "did not log in in time" : "silent for too long");
        closeWithError(c, neverLoggedIn ? ErrorCode::LoginTimeout : ErrorCode::IdleTimeout);
    }
}

void Transport::shutdown()
{
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    if (m_server)
        m_server->close();
    if (m_plainServer)
        m_plainServer->close();
    m_keepalive.stop();
    qCInfo(lcTransport) << "shutting down," << m_connections.size() << "connections to close";
    if (m_connections.empty()) {
        QMetaObject::invokeMethod(this, &Transport::drained, Qt::QueuedConnection);
        return;
    }
    std::vector<ClientConnection *> all;
    for (auto &[socket, c] : m_connections)
        all.push_back(c.get());
    for (ClientConnection *c : all)
        closeWithError(c, ErrorCode::ServerShutdown);
}
