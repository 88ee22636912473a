#include "chatserver.h"

#include "confabversion.h"
#include "protocol/mediapacketheader.h"
#include "protocol/namerules.h"
#include "protocol/textrules.h"
#include "wireframe.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QTcpSocket>
#include <QWebSocket>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#include <sys/uio.h>
#endif

#include <iterator>

Q_LOGGING_CATEGORY(lcServer, "confab.server")

namespace {

qint64 wallClockMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QString addressKey(QHostAddress a)
{
    bool v4 = false;
    const quint32 ip4 = a.toIPv4Address(&v4);
    if (v4)
        a = QHostAddress(ip4); // ::ffff:1.2.3.4 and 1.2.3.4 are one address for the limit
    return a.toString();
}

QString upgradeKey(const QHostAddress &address, quint16 port)
{
    return address.toString() + QLatin1Char('/') + QString::number(port);
}

QString newSessionToken()
{
    quint64 bits[2];
    QRandomGenerator::system()->fillRange(bits);
    return QString::fromLatin1(
        QByteArray(reinterpret_cast<const char *>(bits), sizeof bits).toHex());
}

QWebSocketProtocol::CloseCode closeCodeFor(ErrorCode code)
{
    switch (code) {
    case ErrorCode::ServerShutdown:
        return QWebSocketProtocol::CloseCodeGoingAway;
    case ErrorCode::TooLarge:
        return QWebSocketProtocol::CloseCodeTooMuchData;
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
    ++m_counts->perAddress[m_address];
}

AddressSlot::~AddressSlot()
{
    --m_counts->total;
    auto it = m_counts->perAddress.find(m_address);
    if (it != m_counts->perAddress.end() && --it.value() <= 0)
        m_counts->perAddress.erase(it);
}

ChatServer::ChatServer(const ServerConfig &config, MessageStore *store, QObject *parent)
    : QObject(parent), m_config(config), m_store(store), m_decoder(config.limits),
      m_webSockets(QStringLiteral("Confab %1").arg(QLatin1String(CONFAB_VERSION)),
                   QWebSocketServer::NonSecureMode)
{
    m_clock.start();
    m_webSockets.setHandshakeTimeout(m_config.handshakeTimeoutMs);
    m_webSockets.setMaxPendingConnections(1000);
    connect(&m_tcp, &QTcpServer::newConnection, this, &ChatServer::acceptTcpConnections);
    connect(&m_webSockets, &QWebSocketServer::newConnection, this, &ChatServer::acceptWebSockets);
    // One timer for all connections: per-connection timers would cost memory and wake-ups.
    m_keepalive.setInterval(qMax(10, m_config.pingIntervalMs / 2));
    connect(&m_keepalive, &QTimer::timeout, this, &ChatServer::checkKeepalive);
    m_presenceTimer.setSingleShot(true);
    m_presenceTimer.setInterval(m_config.presenceIntervalMs);
    connect(&m_presenceTimer, &QTimer::timeout, this, &ChatServer::flushPresence);
}

ChatServer::~ChatServer()
{
    flush();
    for (auto &[socket, c] : m_connections) {
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
    }
}

bool ChatServer::listen(QString *error)
{
    // Clients queue behind each other in accept(); a large backlog avoids refused connects
    // when many users (or the load generator) arrive together.
    m_tcp.setListenBacklogSize(1024);
    if (!m_tcp.listen(m_config.listenAddress, m_config.port)) {
        if (error)
            *error = QStringLiteral("cannot listen on %1 port %2: %3")
                         .arg(m_config.listenAddress.toString())
                         .arg(m_config.port)
                         .arg(m_tcp.errorString());
        return false;
    }
    m_keepalive.start();
    return true;
}

quint16 ChatServer::port() const
{
    return m_tcp.serverPort();
}

QStringList ChatServer::onlineUsers() const
{
    QStringList names;
    names.reserve(qsizetype(m_room.size()));
    for (const ClientConnection *c : m_room)
        names.append(c->name);
    return names;
}

ClientConnection *ChatServer::connectionFor(QWebSocket *socket) const
{
    const auto it = m_connections.find(socket);
    return it == m_connections.end() ? nullptr : it->second.get();
}

void ChatServer::acceptTcpConnections()
{
    while (QTcpSocket *socket = m_tcp.nextPendingConnection()) {
        const QString peer = addressKey(socket->peerAddress());
        // Far over a limit: drop at once, before spending a WebSocket handshake on it. Up to
        // the limit's double the client is upgraded so it can be told the reason.
        if (m_shuttingDown || m_addresses->total >= 2 * m_config.maxConnections ||
            m_addresses->perAddress.value(peer) >= 2 * m_config.maxConnectionsPerAddress) {
            qCWarning(lcServer).noquote() << "refused connection from" << peer << "(over limits)";
            socket->abort();
            socket->deleteLater();
            continue;
        }
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        // A child object of the socket gives the address's slot back when the socket is
        // deleted. (Signal connections to the socket are not reliable for this: the WebSocket
        // upgrade disconnects them.)
        new AddressSlot(m_addresses, peer, socket);
        // QTcpServer keeps accepted sockets as its children until it dies and QWebSocket does
        // not delete them: the server does (the sweep in checkKeepalive before the upgrade,
        // onDisconnected after it).
        m_upgrading.insert(upgradeKey(socket->peerAddress(), socket->peerPort()),
                           Upgrading{socket, now()});
        m_webSockets.handleConnection(socket);
    }
}

void ChatServer::acceptWebSockets()
{
    while (QWebSocket *socket = m_webSockets.nextPendingConnection()) {
        const QString ip = addressKey(socket->peerAddress());
        QTcpSocket *tcp =
            m_upgrading.take(upgradeKey(socket->peerAddress(), socket->peerPort())).socket;
        if (!tcp) {
            qCWarning(lcServer) << "upgraded socket without its TCP connection; dropping it";
            socket->abort();
            socket->deleteLater();
            continue;
        }

        // Incoming limits: Qt itself closes with 1009 past twice our advertised size; up to
        // that, the decoder answers too_large and the connection stays.
        socket->setMaxAllowedIncomingMessageSize(
            quint64(qMax(m_config.limits.maxMessageBytes, m_config.limits.maxMediaBytes) * 2));
        socket->setMaxAllowedIncomingFrameSize(
            quint64(qMax(m_config.limits.maxMessageBytes, m_config.limits.maxMediaBytes) * 2));

        auto owned = std::make_unique<ClientConnection>(socket, ip, m_config.limits, now());
        ClientConnection *c = owned.get();
        c->tcp = tcp;
        m_connections.emplace(socket, std::move(owned));
        connect(socket, &QWebSocket::textMessageReceived, this,
                [this, c](const QString &text) { onText(c, text); });
        connect(socket, &QWebSocket::binaryMessageReceived, this,
                [this, c](const QByteArray &data) { onBinary(c, data); });
        connect(socket, &QWebSocket::pong, this, [this, c] { c->lastActivityMs = now(); });
        connect(socket, &QWebSocket::disconnected, this,
                [this, socket] { onDisconnected(socket); });
        qCDebug(lcServer).noquote() << "connection from" << ip << socket->peerPort();

        sendBytes(c, MessageEncoder::handshake(m_config.limits, m_webSockets.serverName()));
        if (m_shuttingDown) {
            closeWith(c, ErrorCode::ServerShutdown);
        } else if (m_addresses->perAddress.value(ip) > m_config.maxConnectionsPerAddress) {
            qCWarning(lcServer).noquote() << "too many connections from" << ip << "("
                                          << m_addresses->perAddress.value(ip) << "open)";
            closeWith(c, ErrorCode::TooManyConnections);
        } else if (m_addresses->total > m_config.maxConnections) {
            qCWarning(lcServer).noquote() << "server full, refusing" << ip;
            closeWith(c, ErrorCode::ServerFull);
        }
    }
}

void ChatServer::onDisconnected(QWebSocket *socket)
{
    const auto it = m_connections.find(socket);
    if (it == m_connections.end())
        return;
    std::unique_ptr<ClientConnection> c = std::move(it->second);
    m_connections.erase(it);
    socket->disconnect(this);
    socket->deleteLater();
    if (c->tcp)
        c->tcp->deleteLater(); // QWebSocket does not delete the socket it was upgraded from

    const QString reason = socket->closeReason().isEmpty()
                               ? QStringLiteral("code %1").arg(int(socket->closeCode()))
                               : socket->closeReason();
    if (c->loggedIn)
        leaveRoom(c.get(), reason);
    else
        qCDebug(lcServer).noquote()
            << "connection from" << c->address << "closed (" << reason << ")";
    m_slow.erase(std::remove(m_slow.begin(), m_slow.end(), c.get()), m_slow.end());
    m_dirty.erase(std::remove(m_dirty.begin(), m_dirty.end(), c.get()), m_dirty.end());
    if (m_shuttingDown && m_connections.empty())
        emit drained();
}

void ChatServer::leaveRoom(ClientConnection *c, const QString &reason)
{
    if (!c->loggedIn)
        return;
    endCallOf(c, QStringLiteral("disconnected")); // the other member is told at once
    c->loggedIn = false;
    m_online.remove(c->nameKey);
    m_room.erase(std::find(m_room.begin(), m_room.end(), c));
    m_userListStale = true;
    if (c->dialect == Dialect::Seed)
        --m_seedMembers;
    qCInfo(lcServer).noquote() << c->name << "left from" << c->address << "(" << reason << ")";
    if (!m_shuttingDown)
        announce(c, false);
}

void ChatServer::onText(ClientConnection *c, const QString &text)
{
    if (c->closing)
        return;
    c->lastActivityMs = now();
    // Every message costs a token, well-formed or not, so bad input cannot flood either.
    const bool allowed = takeToken(c);
    if (c->closing)
        return;
    const DecodedRequest decoded = m_decoder.decode(text.toUtf8());
    const Dialect replyDialect =
        c->loggedIn ? c->dialect : (decoded.version > 0 ? Dialect::Confab : Dialect::Seed);
    if (!allowed) {
        sendError(c, ErrorCode::RateLimited, decoded.ref, replyDialect);
        return;
    }
    if (!decoded.ok()) {
        qCDebug(lcServer).noquote()
            << "bad input from" << c->address << errorCodeName(decoded.error);
        sendError(c, decoded.error, decoded.ref, replyDialect);
        return;
    }
    const ClientRequest &r = decoded.request;

    if (r.type == ClientRequest::Type::Login) {
        handleLogin(c, r);
        return;
    }
    if (r.type == ClientRequest::Type::Ping) {
        sendBytes(c, MessageEncoder::pong(r.ref));
        return;
    }
    if (!c->loggedIn) {
        sendError(c, ErrorCode::NotLoggedIn, r.ref, replyDialect);
        return;
    }
    switch (r.type) {
    case ClientRequest::Type::Chat:
        handleChat(c, r);
        break;
    case ClientRequest::Type::History:
        handleHistory(c, r);
        break;
    case ClientRequest::Type::Typing:
        handleTyping(c, r);
        break;
    case ClientRequest::Type::Logout:
        writeOut(c); // what this turn gathered for it goes before the close frame
        c->closing = true;
        c->socket->close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("logout"));
        break;
    case ClientRequest::Type::Call:
        handleCall(c, r);
        break;
    case ClientRequest::Type::Reserved:
        sendError(c, ErrorCode::Unsupported, r.ref, c->dialect);
        break;
    case ClientRequest::Type::Login:
    case ClientRequest::Type::Ping:
        break;
    }
}

bool ChatServer::takeToken(ClientConnection *c)
{
    if (c->rate.take(now())) {
        c->strikes = 0;
        return true;
    }
    if (++c->strikes >= m_config.floodStrikes) {
        qCWarning(lcServer).noquote()
            << "flood from" << (c->name.isEmpty() ? c->address : c->name) << "- closing";
        closeWith(c, ErrorCode::Flood);
    }
    return false;
}

void ChatServer::onBinary(ClientConnection *c, const QByteArray &data)
{
    if (c->closing)
        return;
    c->lastActivityMs = now();
    // Media over its rate is dropped without a reply: a late frame is worthless anyway.
    if (!c->mediaRate.take(now()))
        return;
    relayMedia(c, data);
}

void ChatServer::relayMedia(ClientConnection *c, const QByteArray &packet)
{
    // Errors about media cost a text token, so bad packets cannot make the server talk fast.
    auto refuse = [&](ErrorCode code) {
        if (takeToken(c))
            sendError(c, code, {}, c->dialect);
    };
    if (packet.size() > m_config.limits.maxMediaBytes)
        return refuse(ErrorCode::TooLarge);
    if (!c->loggedIn)
        return refuse(ErrorCode::NotLoggedIn);
    const std::optional<MediaPacketHeader> header = MediaPacketHeader::parse(packet);
    if (!header)
        return refuse(ErrorCode::BadMedia);
    const CallRegistry::Call *call = m_calls.find(header->callId);
    if (!call || call->state != CallRegistry::State::Active ||
        !m_calls.isMember(header->callId, c->nameKey))
        return refuse(ErrorCode::NoCall);
    ClientConnection *other = m_online.value(m_calls.otherKey(header->callId, c->nameKey));
    if (!other || other->closing || !other->tcp)
        return;
    // A receiver that falls behind loses media first, before it is cut off for text.
    if (other->tcp->bytesToWrite() + other->out.bytes() > m_config.maxQueuedBytes / 4) {
        ++m_mediaDropped;
        return;
    }
    // The same bytes, header and all: no JSON, no base64, no copy of the payload per hop.
    send(other, WireFrame::binary(packet));
}

void ChatServer::handleLogin(ClientConnection *c, const ClientRequest &r)
{
    const Dialect dialect = r.version > 0 ? Dialect::Confab : Dialect::Seed;
    if (c->loggedIn) {
        sendError(c, ErrorCode::AlreadyLoggedIn, r.ref, c->dialect);
        return;
    }
    const QString key = NameRules::key(r.name);
    if (ClientConnection *holder = m_online.value(key)) {
        // A client that lost its connection (sleep, network change) comes back before the
        // server noticed: the session token from its last login proves it is the same one.
        if (r.session.isEmpty() || r.session != holder->session) {
            qCInfo(lcServer).noquote() << "name" << r.name << "taken, refused for" << c->address;
            sendError(c, ErrorCode::NameTaken, r.ref, dialect);
            return;
        }
        qCInfo(lcServer).noquote()
            << r.name << "resumed from" << c->address << ", closing the old connection";
        leaveRoom(holder, QStringLiteral("replaced"));
        closeWith(holder, ErrorCode::Replaced);
    }
    if (dialect == Dialect::Seed && m_config.seedHistoryMessages > 0)
        flush(); // so the history replay below and live relays do not overlap
    c->name = r.name;
    c->session = newSessionToken();
    c->nameKey = key;
    c->dialect = dialect;
    c->loggedIn = true;
    m_online.insert(key, c);
    m_room.push_back(c);
    if (!m_userListStale) {
        m_userListJson.chop(1); // the ]
        if (m_userListJson.size() > 1)
            m_userListJson.append(',');
        m_userListJson.append(MessageEncoder::jsonString(c->name)).append(']');
    }
    if (dialect == Dialect::Seed)
        ++m_seedMembers;
    qCInfo(lcServer).noquote() << r.name << "logged in from" << c->address
                               << (dialect == Dialect::Seed ? "(seed dialect)" : "");
    announce(c, true);

    if (dialect == Dialect::Seed && m_config.seedHistoryMessages > 0) {
        // The old web page cannot ask for history: show it the latest public messages.
        bool more = false;
        const QList<ChatMessage> recent =
            m_store
                ->history(HistoryQuery{c->name, QString(), 0, 0, m_config.seedHistoryMessages},
                          &more)
                .value_or(QList<ChatMessage>());
        for (const ChatMessage &m : recent)
            sendBytes(c, MessageEncoder::chat(m, Dialect::Seed));
    }
}

const QByteArray &ChatServer::userListJson()
{
    if (m_userListStale) {
        QByteArray json;
        json.reserve(m_userListJson.size());
        json.append('[');
        for (const ClientConnection *c : m_room) {
            if (json.size() > 1)
                json.append(',');
            json.append(MessageEncoder::jsonString(c->name));
        }
        json.append(']');
        m_userListJson = std::move(json);
        m_userListStale = false;
    }
    return m_userListJson;
}

void ChatServer::announce(ClientConnection *subject, bool login)
{
    const qint64 ts = wallClockMs();
    const int online = int(m_room.size());
    if (login) {
        // The newcomer gets the whole list once; after that only changes.
        sendWithUserList(subject, MessageEncoder::loginHead(subject->name, online, true, ts,
                                                            subject->dialect == Dialect::Confab
                                                                ? subject->session
                                                                : QString()));
    }
    // The seed page rebuilds its list from user_list on every login and logout.
    if (m_seedMembers > 0) {
        const QByteArray &users = userListJson();
        const QByteArray seed = WireFrame::text(
            login ? MessageEncoder::login(subject->name, users, online, false, Dialect::Seed, ts)
                  : MessageEncoder::logout(subject->name, users, online, Dialect::Seed, ts));
        for (ClientConnection *c : m_room) {
            if (c != subject && c->dialect == Dialect::Seed)
                send(c, seed);
        }
    }
    // Confab clients get joins and leaves in batches: when thousands reconnect at once (a
    // server restart), one message per join to everyone would be O(n^2) messages.
    m_presenceChanges.insert(subject->nameKey, subject->name);
    if (!m_presenceTimer.isActive())
        m_presenceTimer.start();
}

void ChatServer::flushPresence()
{
    QStringList joined;
    QStringList left;
    // Every name touched since the last batch is listed by its state now, even when it came
    // and went: a client that logged in meanwhile took its list at some point in between,
    // and only the current state is right for every client (the lists are sets).
    for (auto it = m_presenceChanges.cbegin(); it != m_presenceChanges.cend(); ++it) {
        if (const ClientConnection *now = m_online.value(it.key()))
            joined.append(now->name);
        else
            left.append(it.value());
    }
    m_presenceChanges.clear();
    if (joined.isEmpty() && left.isEmpty())
        return;
    const QByteArray frame =
        WireFrame::text(MessageEncoder::presence(joined, left, int(m_room.size()), wallClockMs()));
    for (ClientConnection *c : m_room) {
        if (c->dialect == Dialect::Confab)
            send(c, frame);
    }
}

void ChatServer::handleChat(ClientConnection *c, const ClientRequest &r)
{
    ChatMessage m;
    m.from = c->name;
    m.content = r.content;
    m.clientId = r.ref;
    m.timestampMs = wallClockMs();
    if (!r.to.isEmpty()) {
        const QString toKey = NameRules::key(r.to);
        if (toKey == c->nameKey) {
            sendError(c, ErrorCode::BadRecipient, r.ref, c->dialect);
            return;
        }
        // Use the spelling of the name the recipient logged in with, when online.
        const ClientConnection *recipient = m_online.value(toKey);
        m.to = recipient ? recipient->name : r.to;
    } else {
        m.mentions = TextRules::mentions(m.content, m_config.limits.maxNameChars);
    }

    const MessageStore::AppendResult result = m_store->append(m);
    if (result == MessageStore::AppendResult::Failed) {
        qCWarning(lcServer).noquote()
            << "cannot store a message from" << c->name << ":" << m_store->lastError();
        sendError(c, ErrorCode::StoreFailed, r.ref, c->dialect);
        // What is already in the batch is committed (or reported failed) on its own.
        flush();
        return;
    }
    m_pending.push_back(
        Pending{c->socket, std::move(m), result == MessageStore::AppendResult::Duplicate});
    scheduleTurnEnd();
}

void ChatServer::scheduleTurnEnd()
{
    if (m_turnEndScheduled)
        return;
    m_turnEndScheduled = true;
    // Runs after the sockets that are ready in this event-loop turn have been read, so one
    // commit covers all their messages and each receiver gets one write for all of them.
    QMetaObject::invokeMethod(this, &ChatServer::endTurn, Qt::QueuedConnection);
}

void ChatServer::endTurn()
{
    m_turnEndScheduled = false;
    flush();
    std::vector<ClientConnection *> dirty;
    dirty.swap(m_dirty);
    for (ClientConnection *c : dirty)
        writeOut(c);
    dropSlowConsumers();
}

void ChatServer::writeOut(ClientConnection *c)
{
    if (c->out.isEmpty())
        return;
    QTcpSocket *tcp = c->tcp.data();
    if (!tcp) {
        c->out.clear();
        return;
    }
    qsizetype written = 0;
#ifdef Q_OS_UNIX
    // Straight into the kernel when Qt holds nothing for this socket (the usual case): one
    // system call, and no write notifier to arm and disarm in the event loop.
    if (tcp->bytesToWrite() == 0)
        written = c->out.sendTo(int(tcp->socketDescriptor()));
#endif
    // The rest waits in Qt's buffer, behind which later writes queue up in order.
    c->out.forEachAfter(written,
                        [tcp](const char *data, qsizetype size) { tcp->write(data, size); });
    c->out.clear(); // an idle connection keeps no frames
    checkQueued(c);
}

void ChatServer::checkQueued(ClientConnection *c)
{
    // A receiver that does not read must not make the server buffer without bound.
    if (c->tcp && c->tcp->bytesToWrite() > m_config.maxQueuedBytes && !c->closing) {
        c->closing = true;
        m_slow.push_back(c);
    }
}

void ChatServer::sendWithUserList(ClientConnection *c, const QByteArray &head)
{
    if (c->closing || !c->tcp)
        return;
    const QByteArray &list = userListJson();
    static constexpr char tail = '}';
    const QByteArray start = WireFrame::textHeader(head.size() + list.size() + 1) + head;
#ifdef Q_OS_UNIX
    // With 10,000 users online the list is over 100 KB. Copied into a message and a frame,
    // which were freed again after the write, it left the heap full of touched holes that
    // later took the connections' long-lived buffers, so the RSS per idle connection grew
    // (docs/benchmarks.md, run d). So the pieces go to the kernel from where they are, when
    // nothing else waits for this receiver (then writing now keeps the order).
    QTcpSocket *tcp = c->tcp.data();
    if (c->out.isEmpty() && tcp->bytesToWrite() == 0) {
        const QByteArrayView pieces[] = {start, list, QByteArrayView(&tail, 1)};
        iovec iov[std::size(pieces)];
        for (size_t i = 0; i < std::size(pieces); ++i)
            iov[i] = {const_cast<char *>(pieces[i].data()), size_t(pieces[i].size())};
        msghdr msg{};
        msg.msg_iov = iov;
        msg.msg_iovlen = std::size(iov);
        qsizetype sent = qMax<qsizetype>(
            0, ::sendmsg(int(tcp->socketDescriptor()), &msg, MSG_NOSIGNAL | MSG_DONTWAIT));
        // What the kernel did not take waits in Qt's buffer, as in writeOut.
        for (const QByteArrayView piece : pieces) {
            if (sent >= piece.size()) {
                sent -= piece.size();
                continue;
            }
            tcp->write(piece.data() + sent, piece.size() - sent);
            sent = 0;
        }
        checkQueued(c);
        if (!m_slow.empty())
            scheduleTurnEnd(); // dropSlowConsumers
        return;
    }
#endif
    QByteArray frame;
    frame.reserve(start.size() + list.size() + 1);
    send(c, frame.append(start).append(list).append(tail));
}

void ChatServer::flush()
{
    if (m_pending.empty())
        return;
    std::vector<Pending> batch;
    batch.swap(m_pending);
    if (!m_store->commit()) {
        qCWarning(lcServer).noquote()
            << "cannot commit" << batch.size() << "messages:" << m_store->lastError();
        m_store->rollback();
        for (const Pending &p : batch) {
            if (ClientConnection *c = connectionFor(p.sender.data()))
                sendError(c, ErrorCode::StoreFailed, p.message.clientId, c->dialect);
        }
        return;
    }
    for (const Pending &p : batch) {
        if (!p.duplicate)
            relay(p.message);
        ClientConnection *c = connectionFor(p.sender.data());
        // Seed clients send no id and would not understand an ack.
        if (c && !p.message.clientId.isEmpty())
            sendBytes(c, MessageEncoder::ack(p.message.clientId, p.message.seq,
                                             p.message.timestampMs, p.duplicate));
    }
}

void ChatServer::relay(const ChatMessage &message)
{
    // Serialised and framed once per dialect, not once per receiver.
    const QByteArray confab = WireFrame::text(MessageEncoder::chat(message, Dialect::Confab));
    QByteArray seed;
    auto payloadFor = [&](const ClientConnection *c) -> const QByteArray & {
        if (c->dialect == Dialect::Confab)
            return confab;
        if (seed.isEmpty())
            seed = WireFrame::text(MessageEncoder::chat(message, Dialect::Seed));
        return seed;
    };
    if (message.isPrivate()) {
        ClientConnection *from = m_online.value(NameRules::key(message.from));
        ClientConnection *to = m_online.value(NameRules::key(message.to));
        if (from)
            send(from, payloadFor(from));
        if (to && to != from)
            send(to, payloadFor(to));
        return;
    }
    for (ClientConnection *c : m_room)
        send(c, payloadFor(c));
}

void ChatServer::handleHistory(ClientConnection *c, const ClientRequest &r)
{
    // Answer from committed data only: what is pending now is relayed in this same turn.
    flush();
    HistoryQuery q{c->name, r.with, r.before, r.after, r.limit};
    bool more = false;
    const std::optional<QList<ChatMessage>> page = m_store->history(q, &more);
    if (!page) {
        qCWarning(lcServer).noquote() << "cannot read history:" << m_store->lastError();
        sendError(c, ErrorCode::StoreFailed, r.ref, c->dialect);
        return;
    }
    sendBytes(c, MessageEncoder::history(r.with, *page, more, r.ref));
}

void ChatServer::handleCall(ClientConnection *c, const ClientRequest &r)
{
    using A = ClientRequest::CallAction;
    if (r.callAction == A::Invite) {
        const QString toKey = NameRules::key(r.to);
        if (toKey == c->nameKey)
            return sendError(c, ErrorCode::BadRecipient, r.ref, c->dialect);
        ClientConnection *callee = m_online.value(toKey);
        if (!callee || callee->dialect != Dialect::Confab)
            return sendError(c, ErrorCode::UserOffline, r.ref, c->dialect);
        if (m_calls.callOf(c->nameKey))
            return sendError(c, ErrorCode::BadCall, r.ref, c->dialect);
        if (m_calls.callOf(toKey)) {
            sendBytes(c, MessageEncoder::callEvent(QStringLiteral("call_busy"), 0, callee->name));
            return;
        }
        const quint32 id = m_calls.create(c->name, callee->name, r.media);
        qCInfo(lcServer).noquote()
            << c->name << "calls" << callee->name << r.media.join(QLatin1Char('+'));
        sendBytes(c, MessageEncoder::callAck(r.ref, id, callee->name));
        sendBytes(callee, MessageEncoder::callEvent(QStringLiteral("call_invite"), id, c->name,
                                                    callee->name, r.media, {}, r.codecs));
        QTimer::singleShot(m_config.limits.callRingSeconds * 1000, this,
                           [this, id] { ringTimeout(id); });
        return;
    }
    const CallRegistry::Call *call = m_calls.find(r.callId);
    if (!call || !m_calls.isMember(r.callId, c->nameKey))
        return sendError(c, ErrorCode::BadCall, r.ref, c->dialect);
    const quint32 id = call->id;
    const bool isCaller = call->callerKey == c->nameKey;
    const bool ringing = call->state == CallRegistry::State::Ringing;
    ClientConnection *other = m_online.value(m_calls.otherKey(id, c->nameKey));
    auto forward = [&](const QString &type, const QStringList &media = {},
                       const QStringList &codecs = {}) {
        if (other)
            sendBytes(other,
                      MessageEncoder::callEvent(type, id, c->name, {}, media, r.reason, codecs));
    };
    switch (r.callAction) {
    case A::Ringing:
        if (isCaller || !ringing)
            return sendError(c, ErrorCode::BadCall, r.ref, c->dialect);
        forward(QStringLiteral("call_ringing"));
        break;
    case A::Accept:
        if (isCaller || !m_calls.accept(id, r.media))
            return sendError(c, ErrorCode::BadCall, r.ref, c->dialect);
        qCInfo(lcServer).noquote() << c->name << "accepted call" << id;
        forward(QStringLiteral("call_accept"), m_calls.find(id)->media, r.codecs);
        break;
    case A::Reject:
    case A::Busy:
        if (isCaller || !ringing)
            return sendError(c, ErrorCode::BadCall, r.ref, c->dialect);
        forward(r.callAction == A::Reject ? QStringLiteral("call_reject")
                                          : QStringLiteral("call_busy"));
        m_calls.remove(id);
        break;
    case A::Cancel:
        if (!isCaller || !ringing)
            return sendError(c, ErrorCode::BadCall, r.ref, c->dialect);
        forward(QStringLiteral("call_cancel"));
        m_calls.remove(id);
        break;
    case A::Hangup:
        forward(QStringLiteral("call_hangup"));
        m_calls.remove(id);
        qCInfo(lcServer).noquote() << c->name << "hung up call" << id;
        break;
    case A::Keyframe:
        if (ringing)
            return sendError(c, ErrorCode::BadCall, r.ref, c->dialect);
        forward(QStringLiteral("call_keyframe"));
        break;
    case A::Invite:
        break;
    }
}

void ChatServer::ringTimeout(quint32 callId)
{
    const CallRegistry::Call *call = m_calls.find(callId);
    if (!call || call->state != CallRegistry::State::Ringing)
        return;
    const QByteArray timeout =
        MessageEncoder::callEvent(QStringLiteral("call_timeout"), callId, {});
    for (const QString &key : {call->callerKey, call->calleeKey}) {
        if (ClientConnection *member = m_online.value(key))
            sendBytes(member, timeout);
    }
    m_calls.remove(callId);
}

void ChatServer::endCallOf(ClientConnection *c, const QString &reason)
{
    const CallRegistry::Call *call = m_calls.callOf(c->nameKey);
    if (!call)
        return;
    const quint32 id = call->id;
    if (ClientConnection *other = m_online.value(m_calls.otherKey(id, c->nameKey)))
        sendBytes(other, MessageEncoder::callEvent(QStringLiteral("call_hangup"), id, c->name, {},
                                                   {}, reason));
    m_calls.remove(id);
}

void ChatServer::handleTyping(ClientConnection *c, const ClientRequest &r)
{
    const QByteArray payload = WireFrame::text(MessageEncoder::typing(c->name, r.to, r.typing));
    if (!r.to.isEmpty()) {
        ClientConnection *to = m_online.value(NameRules::key(r.to));
        if (to && to != c && to->dialect == Dialect::Confab)
            send(to, payload);
    } else {
        for (ClientConnection *other : m_room) {
            if (other != c && other->dialect == Dialect::Confab)
                send(other, payload);
        }
    }
}

void ChatServer::send(ClientConnection *c, const QByteArray &frame)
{
    if (c->closing || !c->tcp)
        return;
    // Frames are gathered per receiver and written at the end of the event-loop turn
    // (writeOut). QWebSocket writes its own frames (pongs, close) whole on this same thread,
    // and closeWith() writes ours out first, so frames never interleave or reorder.
    if (c->out.isEmpty())
        m_dirty.push_back(c);
    c->out.append(frame); // a reference: the frame is shared by all its receivers
    scheduleTurnEnd();
}

void ChatServer::dropSlowConsumers()
{
    std::vector<ClientConnection *> slow;
    slow.swap(m_slow);
    for (ClientConnection *c : slow) {
        qCWarning(lcServer).noquote()
            << "dropping slow receiver" << c->name << "from" << c->address << "with"
            << (c->tcp ? c->tcp->bytesToWrite() : 0) << "bytes queued";
        c->out.clear();
        // Its queue is full, so a close frame would not get through: abort the connection.
        c->socket->abort();
    }
}

void ChatServer::sendError(ClientConnection *c, ErrorCode code, const QString &ref, Dialect dialect)
{
    if (errorCodeCloses(code)) {
        closeWith(c, code);
        return;
    }
    sendBytes(c, MessageEncoder::error(code, ref, dialect));
}

void ChatServer::closeWith(ClientConnection *c, ErrorCode code)
{
    if (c->closing)
        return;
    qCInfo(lcServer).noquote() << "closing connection" << (c->name.isEmpty() ? c->address : c->name)
                               << "reason" << errorCodeName(code);
    sendBytes(c, MessageEncoder::error(code, {}, c->dialect));
    writeOut(c); // before QWebSocket writes its close frame
    c->closing = true;
    c->socket->close(closeCodeFor(code), errorCodeName(code));
}

void ChatServer::checkKeepalive()
{
    const qint64 t = now();
    for (auto it = m_upgrading.begin(); it != m_upgrading.end();) {
        // QWebSocketServer gives up on a handshake after its timeout but leaves the socket.
        if (t - it->sinceMs > m_config.handshakeTimeoutMs + 1000) {
            if (it->socket) {
                it->socket->abort();
                it->socket->deleteLater();
            }
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
        else if (silent >= m_config.pingIntervalMs)
            socket->ping();
    }
    for (ClientConnection *c : idle) {
        const bool neverLoggedIn = !c->loggedIn;
        qCInfo(lcServer).noquote()
            << (c->name.isEmpty() ? c->address : c->name)
            << (neverLoggedIn ? "did not log in in time" : "silent for too long");
        QWebSocket *socket = c->socket;
        closeWith(c,
                  neverLoggedIn ? ErrorCode::LoginTimeout : ErrorCode::IdleTimeout); // may delete c
        // A peer that stopped answering will not answer the close handshake either.
        QTimer::singleShot(1000, socket, &QWebSocket::abort);
    }
}

void ChatServer::shutdown()
{
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    m_tcp.close();
    m_keepalive.stop();
    flush();
    qCInfo(lcServer) << "shutting down," << m_connections.size() << "connections to close";
    if (m_connections.empty()) {
        QMetaObject::invokeMethod(this, &ChatServer::drained, Qt::QueuedConnection);
        return;
    }
    std::vector<ClientConnection *> all;
    for (auto &[socket, c] : m_connections)
        all.push_back(c.get());
    for (ClientConnection *c : all)
        closeWith(c, ErrorCode::ServerShutdown);
}
