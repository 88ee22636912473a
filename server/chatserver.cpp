#include "chatserver.h"

#include "confabversion.h"
#include "protocol/filechunk.h"
#include "protocol/mediapacketheader.h"
#include "protocol/namerules.h"
#include "protocol/textrules.h"
#include "replies.h"
#include "transport/wireframe.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QWebSocket>

Q_LOGGING_CATEGORY(lcServer, "confab.server")

namespace {

// History requests one connection may have waiting; the answers go out one at a time.
constexpr size_t kMaxQueuedHistory = 4;
// Rate-limited messages are forgiven at this pace (strikes per second): a client that keeps
// sending over its limit is cut off even if some of its messages get through.
constexpr double kStrikeDecayPerSecond = 2.0;
// History pages on their way to clients that do not read them, all connections together: each
// connection has at most one, but 20,000 of them would otherwise hold gigabytes.
constexpr qint64 kHistoryBytesInFlight = 64LL * 1024 * 1024;

qint64 wallClockMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QString randomHex(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    QRandomGenerator::system()->generate(reinterpret_cast<quint32 *>(raw.data()),
                                         reinterpret_cast<quint32 *>(raw.data() + bytes));
    return QString::fromLatin1(raw.toHex());
}

QString accountIdentity(qint64 accountId)
{
    return QStringLiteral("a%1").arg(accountId);
}

AccountService::Config accountConfig(const ServerConfig &config)
{
    AccountService::Config a;
    a.policy = config.auth;
    a.tokenDays = config.tokenDays;
    a.hashThreads = config.hashThreads;
    a.hashQueue = config.hashQueue;
    return a;
}

SendBudget::Rates budgetRates(const ServerConfig &config)
{
    SendBudget::Rates r;
    r.senderPerSecond = config.limits.sendBytesPerSecond;
    r.senderBurst = config.limits.sendBytesBurst;
    r.roomPerSecond = config.roomBytesPerSecond;
    r.roomBurst = config.roomBytesBurst;
    r.inboxPerSecond = config.inboxBytesPerSecond;
    r.inboxBurst = config.inboxBytesBurst;
    r.historyPerSecond = config.historyBytesPerSecond;
    r.historyBurst = config.historyBytesBurst;
    return r;
}

// Without a files folder the server keeps no files, and says so in the handshake.
ServerConfig withFiles(ServerConfig config)
{
    if (config.filesDir.isEmpty())
        config.limits.maxFileBytes = 0;
    return config;
}

} // namespace

ChatServer::ChatServer(const ServerConfig &config, AsyncMessageStore *store,
                       AsyncAccountStore *accounts, QObject *parent)
    : QObject(parent), m_config(withFiles(config)), m_store(store),
      m_accounts(accounts, accountConfig(config)), m_decoder(m_config.limits), m_transport(config),
      m_budget(budgetRates(config)),
      m_router(m_config, store, &m_transport, &m_roster, &m_budget, &m_accounts,
               [this](const QPointer<QWebSocket> &socket) { return connectionOf(socket); }),
      m_callRelay(m_config, &m_transport,
                  [this](const QString &key) { return m_roster.newestDevice(key); }),
      m_replay(store,
               [this](const ChatMessage &message, const MessageParties &parties) {
                   m_router.relayFromBus(message, parties);
               }),
      m_search(m_config, store, &m_transport, &m_budget, &m_router,
               [this](const QPointer<QWebSocket> &socket) { return connectionOf(socket); }),
      m_files(m_config, store, &m_transport, &m_router,
              [this](const QPointer<QWebSocket> &socket) { return connectionOf(socket); })
{
    setGreeting(false);
    connect(&m_transport, &Transport::connectionOpened, this,
            [this](ClientConnection *c) { m_bySocket.insert(c->socket, c); });
    connect(&m_transport, &Transport::textReceived, this, &ChatServer::onText);
    connect(&m_transport, &Transport::binaryReceived, this, &ChatServer::onBinary);
    connect(&m_transport, &Transport::connectionClosed, this, &ChatServer::onClosed);
    connect(&m_transport, &Transport::turnEnding, &m_router, &ChatRouter::flush);
    connect(&m_callRelay, &CallRelay::callRecorded, &m_router, &ChatRouter::storeServerMessage);
    connect(&m_transport, &Transport::queueDrained, this, [this](ClientConnection *c) {
        historyDelivered(c);
        pumpHistory(c);
        // Room in the total again: those who waited for it go next, oldest first.
        while (!m_historyWaiting.empty() && m_historyBytesInFlight < kHistoryBytesInFlight) {
            ClientConnection *next = m_bySocket.value(m_historyWaiting.front());
            m_historyWaiting.pop_front();
            if (next)
                pumpHistory(next);
        }
    });
    // Downloads go on as the receiver's queue empties (FileService::pump).
    connect(&m_transport, &Transport::queueDrained, &m_files, &FileService::queueDrained);
    connect(&m_transport, &Transport::drained, this, &ChatServer::drained);
    connect(&m_accounts, &AccountService::tokensRevoked, this, &ChatServer::onTokensRevoked);
    connect(&m_accounts, &AccountService::accountDisabled, this, &ChatServer::onAccountDisabled);

    m_presenceTimer.setSingleShot(true);
    m_presenceTimer.setInterval(m_config.presenceIntervalMs);
    connect(&m_presenceTimer, &QTimer::timeout, this, &ChatServer::flushPresence);
    m_housekeeping.setInterval(10000);
    connect(&m_housekeeping, &QTimer::timeout, this, [this] {
        m_budget.prune(now());
        // A device online for months keeps its token: its use is written down twice a day.
        const qint64 wall = wallClockMs();
        for (ClientConnection *c : m_roster.members()) {
            if (c->tokenId && wall - c->tokenTouchedMs > 12LL * 3600 * 1000) {
                c->tokenTouchedMs = wall;
                m_accounts.touchToken(c->tokenId, wall);
            }
        }
    });
    m_housekeeping.start();
}

ChatServer::~ChatServer() = default;

void ChatServer::setGreeting(bool severalNodes)
{
    m_transport.setGreeting(MessageEncoder::handshake(
        m_config.limits, QStringLiteral("Confab %1").arg(QLatin1String(CONFAB_VERSION)),
        m_config.auth, severalNodes));
}

void ChatServer::setBus(Bus *bus)
{
    m_bus = bus;
    setGreeting(true);
    m_router.setBus(bus);
    connect(bus, &Bus::remoteUserJoined, this, &ChatServer::onRemoteJoined);
    connect(bus, &Bus::remoteUserLeft, this, &ChatServer::onRemoteLeft);
    connect(bus, &Bus::chatArrived, &m_replay, &NodeReplay::relayFromBus);
    connect(bus, &Bus::nodeLost, &m_replay,
            [this](const QString &node) { m_replay.replay(node, true); });
    connect(bus, &Bus::nodeReturned, &m_replay,
            [this](const QString &node) { m_replay.replay(node, false); });
    connect(bus, &Bus::changeArrived, &m_router,
            [this](const QString &, const ChatMessage &message, const MessageParties &parties) {
                m_router.changeFromBus(message, parties);
            });
    connect(bus, &Bus::reactionArrived, &m_router,
            [this](const QString &, const ChatMessage &message, const MessageParties &parties,
                   const BusReaction &reaction) {
                m_router.reactionFromBus(message, parties, reaction);
            });
    connect(bus, &Bus::typingArrived, &m_router, &ChatRouter::typingFromBus);
    connect(bus, &Bus::receiptArrived, &m_router, &ChatRouter::receiptFromBus);
    connect(bus, &Bus::linkChanged, this, &ChatServer::onBusLink);
    connect(bus, &Bus::sessionReplaced, this, &ChatServer::onSessionReplaced);
    m_callRelay.setBus(bus, [this](const QString &key) { return m_roster.remoteUser(key); });
    connect(bus, &Bus::callArrived, &m_callRelay, &CallRelay::handleRemote);
    connect(bus, &Bus::mediaArrived, &m_callRelay, &CallRelay::relayRemoteMedia);
    connect(bus, &Bus::remoteUserLeft, &m_callRelay, &CallRelay::remoteMemberLeft);
}

BusUser ChatServer::busUser(const ClientConnection *c)
{
    return BusUser{c->nameKey, c->name, c->skeleton, c->identity, c->isGuest()};
}

void ChatServer::onRemoteJoined(const QString &node, const BusUser &user)
{
    m_replay.nodeSeen(node);
    if (m_roster.joinRemote(node, user))
        announceChange(user.name, user.key, true, nullptr);
}

void ChatServer::onRemoteLeft(const QString &node, const QString &key)
{
    QString name;
    if (!m_roster.isOnline(key, &name))
        return;
    if (m_roster.leaveRemote(node, key))
        announceChange(name, key, false, nullptr);
}

void ChatServer::onBusLink(bool up)
{
    // The log says it (RedisClient); the users are told too, since whom they see changes.
    QString text;
    if (!up)
        text = QStringLiteral("The other servers of this chat cannot be reached: you see and "
                              "reach only the people on this server until they are back.");
    else if (m_busWasUp)
        text = QStringLiteral("Connected to the other servers of this chat again.");
    // What the others published meanwhile never came: it is read back from the store.
    if (up && m_busWasUp)
        m_replay.replayAll();
    if (up)
        m_busWasUp = true;
    if (text.isEmpty())
        return;
    const QByteArray frame = WireFrame::text(MessageEncoder::system(text));
    for (ClientConnection *c : m_roster.members())
        send(c, frame);
}

void ChatServer::onSessionReplaced(const QString &key, const QString &identity)
{
    // Copied: leaving changes the list.
    const std::vector<ClientConnection *> devices = m_roster.devicesOf(key);
    for (ClientConnection *holder : devices) {
        if (!holder->isGuest() || holder->identity != identity)
            continue;
        qCInfo(lcServer).noquote() << holder->name << "resumed on another node, closing"
                                   << "the old connection from" << holder->address;
        m_bus->handOverName(busUser(holder)); // the other node holds the claim now
        leaveRoom(holder, QStringLiteral("replaced"));
        m_transport.closeWithError(holder, ErrorCode::Replaced);
    }
}

bool ChatServer::listen(QString *error)
{
    if (!m_files.open(error))
        return false;
    return m_transport.listen(error);
}

ClientConnection *ChatServer::connectionOf(const QPointer<QWebSocket> &socket) const
{
    return socket ? m_bySocket.value(socket.data()) : nullptr;
}

void ChatServer::historyDelivered(ClientConnection *c)
{
    c->historyInFlight = false;
    m_historyBytesInFlight -= c->historyFrameBytes;
    c->historyFrameBytes = 0;
}

void ChatServer::onClosed(ClientConnection *c, const QString &reason)
{
    historyDelivered(c);
    m_files.connectionClosed(c);
    m_bySocket.remove(c->socket);
    if (c->loggedIn)
        leaveRoom(c, reason);
    else
        qCDebug(lcServer).noquote()
            << "connection from" << c->address << "closed (" << reason << ")";
}

void ChatServer::leaveRoom(ClientConnection *c, const QString &reason)
{
    if (!c->loggedIn)
        return;
    m_callRelay.endCallOf(c, QStringLiteral("disconnected")); // the other member is told at once
    c->loggedIn = false;
    if (!m_roster.leave(c)) {
        // The account is still online on another device: nobody else notices.
        qCInfo(lcServer).noquote()
            << c->name << "left one of its devices, from" << c->address << "(" << reason << ")";
        return;
    }
    qCInfo(lcServer).noquote() << c->name << "left from" << c->address << "(" << reason << ")";
    if (m_bus) {
        m_bus->userLeft(busUser(c));
        if (c->isGuest())
            m_bus->releaseName(busUser(c));
    }
    // Still online on another node (an account's other device): nobody notices.
    if (!m_shuttingDown && !m_roster.isOnline(c->nameKey))
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

    using T = ClientRequest::Type;
    switch (r.type) {
    case T::Login:
        handleLogin(c, r);
        return;
    case T::Register:
        handleRegister(c, r);
        return;
    case T::Ping:
        sendBytes(c, MessageEncoder::pong(r.ref));
        return;
    default:
        break;
    }
    if (!c->loggedIn) {
        sendError(c, ErrorCode::NotLoggedIn, r.ref, replyDialect);
        return;
    }
    switch (r.type) {
    case T::Chat:
        m_router.handleChat(c, r);
        break;
    case T::History:
    case T::Receipts: // paced as a page of history: same queue, same budget
        handleHistory(c, r);
        break;
    case T::Receipt:
        m_router.handleReceipt(c, r);
        break;
    case T::Search:
        m_search.handle(c, r);
        break;
    case T::Edit:
    case T::Delete:
        m_router.handleChange(c, r);
        break;
    case T::React:
    case T::Unreact:
        m_router.handleReaction(c, r);
        break;
    case T::Typing:
        m_router.handleTyping(c, r);
        break;
    case T::Logout:
        m_transport.closeWith(c, QWebSocketProtocol::CloseCodeNormal, "logout");
        break;
    case T::Call:
        m_callRelay.handle(c, r);
        break;
    case T::Reserved:
        sendError(c, ErrorCode::Unsupported, r.ref, c->dialect);
        break;
    case T::FileOffer:
    case T::FileGet:
    case T::FileCancel:
        m_files.handle(c, r);
        break;
    case T::ChangePassword:
    case T::Devices:
    case T::RevokeDevice:
    case T::SignOut:
    case T::CreateInvite:
        handleAccountRequest(c, r);
        break;
    case T::Login:
    case T::Register:
    case T::Ping:
        break;
    }
}

bool ChatServer::takeToken(ClientConnection *c)
{
    const qint64 t = now();
    // Strikes fade instead of resetting on one allowed message: a client that slips an
    // allowed message between refused ones was never cut off (issue: hardening, finding 6).
    c->strikes = qMax(0.0, c->strikes - double(t - c->strikesMs) * kStrikeDecayPerSecond / 1000);
    c->strikesMs = t;
    if (c->rate.take(t))
        return true;
    c->strikes += 1;
    if (c->strikes >= m_config.floodStrikes) {
        qCWarning(lcServer).noquote()
            << "flood from" << (c->name.isEmpty() ? c->address : c->name) << "- closing";
        m_transport.closeWithError(c, ErrorCode::Flood);
    }
    return false;
}

void ChatServer::onBinary(ClientConnection *c, const QByteArray &data)
{
    if (c->closing)
        return;
    c->lastActivityMs = now();
    // A part of a file being uploaded (its first byte tells it from a media packet).
    if (FileChunkHeader::isFileChunk(data)) {
        const FileService::Refusal refused = m_files.handleChunk(c, data);
        if (refused.code != ErrorCode::None && takeToken(c))
            sendError(c, refused.code, refused.ref, c->dialect);
        return;
    }
    // Media over its rate is dropped without a reply: a late frame is worthless anyway.
    if (!c->mediaRate.take(now()))
        return;
    // Errors about media cost a text token, so bad packets cannot make the server talk fast.
    if (const ErrorCode refused = m_callRelay.relayMedia(c, data);
        refused != ErrorCode::None && takeToken(c))
        sendError(c, refused, {}, c->dialect);
}

void ChatServer::handleLogin(ClientConnection *c, const ClientRequest &r)
{
    const Dialect dialect = r.version > 0 ? Dialect::Confab : Dialect::Seed;
    if (c->loggedIn)
        return sendError(c, ErrorCode::AlreadyLoggedIn, r.ref, c->dialect);
    if (c->authPending)
        return sendError(c, ErrorCode::Busy, r.ref, dialect, 1000);
    const QString key = NameRules::key(r.name);
    const QString skeleton = NameRules::skeleton(r.name);

    // A client that lost its connection (sleep, network change) comes back before the server
    // noticed: the session token from its last login proves it is the same one, and it keeps
    // who it was (its account, or its guest identity).
    ClientConnection *holder = nullptr;
    for (ClientConnection *device : m_roster.devicesOf(key)) {
        if (!r.session.isEmpty() && r.session == device->session)
            holder = device;
    }
    if (holder) {
        qCInfo(lcServer).noquote()
            << r.name << "resumed from" << c->address << ", closing the old connection";
        const Identity who{holder->identity, holder->accountId, holder->tokenId, holder->admin};
        const QString name = holder->name;
        leaveRoom(holder, QStringLiteral("replaced"));
        m_transport.closeWithError(holder, ErrorCode::Replaced);
        if (who.accountId) {
            m_transport.countAsAccount(c);
        } else {
            m_transport.countAsGuest(c, true);
            m_accounts.guestIdentity(r.session, key, wallClockMs(), {}); // its row is used up
        }
        admit(c, name, dialect, who);
        return;
    }

    const QPointer<QWebSocket> socket(c->socket);
    const auto signedInHere = [this, socket, r](const AccountService::Outcome &o) {
        if (ClientConnection *still = connectionOf(socket)) {
            still->authPending = false;
            signedIn(still, r, o);
        }
    };
    if (!r.password.isEmpty()) {
        c->authPending = true;
        m_accounts.signIn(c->address, key, r.password, r.device, wallClockMs(), signedInHere);
        return;
    }
    if (!r.token.isEmpty()) {
        c->authPending = true;
        m_accounts.signInWithToken(c->address, key, r.token, wallClockMs(), signedInHere);
        return;
    }

    // A guest, if no account holds the name or one like it.
    if (!m_config.auth.guests)
        return sendError(c, ErrorCode::GuestsNotAllowed, r.ref, dialect);
    c->authPending = true;
    m_accounts.nameOwner(
        key, skeleton, [this, socket, r, dialect](const AccountService::NameOwner &owner) {
            ClientConnection *still = connectionOf(socket);
            if (!still || still->closing)
                return;
            still->authPending = false;
            if (owner.failed)
                return sendError(still, ErrorCode::StoreFailed, r.ref, dialect);
            if (owner.registered) {
                qCInfo(lcServer).noquote()
                    << "registered name" << r.name << "refused to a guest from" << still->address;
                return sendError(still, ErrorCode::NameRegistered, r.ref, dialect);
            }
            if (owner.confusable)
                return sendError(still, ErrorCode::NameConfusable, r.ref, dialect);
            if (r.session.isEmpty()) {
                admitGuest(still, r, dialect, QString());
                return;
            }
            // A guest whose connection is gone (or whose server restarted) comes back with its
            // resume token: the same identity, so the same private history, and its resends are
            // recognised. The token is used up here; a refusal below gives it back.
            still->authPending = true;
            m_accounts.guestIdentity(
                r.session, NameRules::key(r.name), wallClockMs(),
                [this, socket, r, dialect](const QString &identity) {
                    if (ClientConnection *again = connectionOf(socket); again && !again->closing) {
                        again->authPending = false;
                        if (admitGuest(again, r, dialect, identity))
                            return;
                    }
                    if (!identity.isEmpty())
                        m_accounts.rememberGuest(r.session, identity, NameRules::key(r.name),
                                                 wallClockMs());
                });
        });
}

bool ChatServer::admitGuest(ClientConnection *c, const ClientRequest &r, Dialect dialect,
                            const QString &sessionIdentity)
{
    const QString key = NameRules::key(r.name);
    const QString skeleton = NameRules::skeleton(r.name);
    Identity who;
    ErrorCode conflict = m_roster.nameConflict(key, skeleton, c);
    // A guest whose connection to another node dropped (or whose node died) comes back here
    // before that node let go of it: its resume token shows it is the one listed there.
    const bool moving = conflict == ErrorCode::NameTaken && !sessionIdentity.isEmpty() &&
                        !m_roster.newestDevice(key) && m_roster.remoteUser(key) &&
                        m_roster.remoteUser(key)->guest;
    if (moving && sessionIdentity == m_roster.remoteUser(key)->identity)
        conflict = ErrorCode::None;
    if (conflict != ErrorCode::None) {
        qCInfo(lcServer).noquote()
            << "name" << r.name << errorCodeName(conflict) << ", refused for" << c->address;
        sendError(c, conflict, r.ref, dialect);
        return false;
    }
    if (!m_transport.countAsGuest(c)) {
        sendError(c, ErrorCode::TooManyConnections, r.ref, dialect);
        return false;
    }
    who.id = sessionIdentity.isEmpty() ? QStringLiteral("g") + randomHex(16) : sessionIdentity;
    if (!m_bus) {
        admit(c, r.name, dialect, who);
        return true;
    }
    // With several nodes the name is claimed across them first, so that two nodes cannot
    // admit it (or a look-alike) at the same moment.
    c->authPending = true;
    const QPointer<QWebSocket> socket(c->socket);
    const BusUser claim{key, r.name, skeleton, who.id, true};
    const bool fromSession = !sessionIdentity.isEmpty();
    m_bus->claimName(
        claim, c->socket, [this, socket, r, dialect, who, claim, fromSession](ErrorCode e) {
            ClientConnection *still = connectionOf(socket);
            if (!still || still->closing || still->loggedIn) {
                m_bus->releaseName(claim);
                if (fromSession && (!still || !still->loggedIn))
                    m_accounts.rememberGuest(r.session, who.id, claim.key, wallClockMs());
                return;
            }
            still->authPending = false;
            if (e == ErrorCode::None) {
                e = m_roster.nameConflict(claim.key, claim.skeleton, still);
                const BusUser *there = m_roster.remoteUser(claim.key);
                if (e == ErrorCode::NameTaken && there && there->identity == claim.identity &&
                    !m_roster.newestDevice(claim.key)) {
                    e = ErrorCode::None; // this session, moving here from that node
                    m_bus->publishReplaced(claim.key, claim.identity);
                }
            }
            if (e != ErrorCode::None) {
                qCInfo(lcServer).noquote() << "name" << r.name << errorCodeName(e)
                                           << "on another node, refused for" << still->address;
                if (fromSession) // its resume token back, for the next try
                    m_accounts.rememberGuest(r.session, who.id, claim.key, wallClockMs());
                return sendError(still, e, r.ref, dialect);
            }
            admit(still, r.name, dialect, who);
        });
    return true;
}

void ChatServer::handleRegister(ClientConnection *c, const ClientRequest &r)
{
    if (c->loggedIn)
        return sendError(c, ErrorCode::AlreadyLoggedIn, r.ref, c->dialect);
    if (c->authPending)
        return sendError(c, ErrorCode::Busy, r.ref, Dialect::Confab, 1000);
    const QString key = NameRules::key(r.name);
    const QString skeleton = NameRules::skeleton(r.name);
    if (const ErrorCode conflict = m_roster.nameConflict(key, skeleton, c);
        conflict != ErrorCode::None)
        return sendError(c, conflict, r.ref, Dialect::Confab);
    c->authPending = true;
    const QPointer<QWebSocket> socket(c->socket);
    m_accounts.registerAccount(c->address, r.name, key, skeleton, r.password, r.invite, r.device,
                               wallClockMs(), [this, socket, r](const AccountService::Outcome &o) {
                                   if (ClientConnection *still = connectionOf(socket)) {
                                       still->authPending = false;
                                       signedIn(still, r, o);
                                   }
                               });
}

void ChatServer::signedIn(ClientConnection *c, const ClientRequest &r,
                          const AccountService::Outcome &o)
{
    // The seed page cannot register or send a password: such requests are Confab's.
    const Dialect dialect =
        r.version > 0 || r.type == ClientRequest::Type::Register || !r.password.isEmpty()
            ? Dialect::Confab
            : Dialect::Seed;
    if (c->closing)
        return;
    if (o.error != ErrorCode::None)
        return sendError(c, o.error, r.ref, dialect, o.retryAfterMs);
    if (c->loggedIn)
        return sendError(c, ErrorCode::AlreadyLoggedIn, r.ref, c->dialect);
    const Account &a = o.account;
    // The account owns its name: a guest who holds it now (who took it before it was
    // registered) gives it up. The account's own other devices stay online.
    if (ClientConnection *holder = m_roster.newestDevice(a.nameKey);
        holder && holder != c && holder->isGuest()) {
        qCInfo(lcServer).noquote() << a.name << "signed in from" << c->address
                                   << ", closing the guest connection that held the name";
        leaveRoom(holder, QStringLiteral("replaced"));
        m_transport.closeWithError(holder, ErrorCode::Replaced);
    }
    if (int(m_roster.devicesOf(a.nameKey).size()) >= m_config.maxConnectionsPerAccount) {
        qCWarning(lcServer).noquote()
            << a.name << "is signed in on" << m_roster.devicesOf(a.nameKey).size()
            << "devices; refusing another";
        return sendError(c, ErrorCode::TooManyDevices, r.ref, dialect);
    }
    // Accounts are limited per account (--max-connections-per-account), not per address: an
    // office behind one NAT address must not share the guests' 32 slots.
    m_transport.countAsAccount(c);
    admit(c, a.name, dialect, Identity{accountIdentity(a.id), a.id, o.tokenId, a.admin},
          o.newToken);
}

void ChatServer::admit(ClientConnection *c, const QString &name, Dialect dialect,
                       const Identity &who, const QString &newToken)
{
    c->name = name;
    c->session = randomHex(16);
    c->nameKey = NameRules::key(name);
    c->skeleton = NameRules::skeleton(name);
    c->identity = who.id;
    c->accountId = who.accountId;
    c->tokenId = who.tokenId;
    c->tokenTouchedMs = wallClockMs(); // the sign-in wrote it down
    c->admin = who.admin;
    c->dialect = dialect;
    c->loggedIn = true;
    m_transport.applyReadLimits(c);
    const bool elsewhere = m_roster.remoteUser(c->nameKey) != nullptr;
    const bool firstDevice = m_roster.join(c);
    if (m_bus && firstDevice)
        m_bus->userJoined(busUser(c));
    if (c->isGuest() && dialect == Dialect::Confab)
        m_accounts.rememberGuest(c->session, c->identity, c->nameKey, wallClockMs());
    qCInfo(lcServer).noquote() << name << "logged in from" << c->address
                               << (c->isGuest() ? "as a guest" : "to the account")
                               << (dialect == Dialect::Seed ? "(seed dialect)" : "");
    LoginInfo info;
    info.account = !c->isGuest();
    info.admin = c->admin;
    info.token = newToken;
    info.tokenId = newToken.isEmpty() ? 0 : c->tokenId;
    info.guestsJson = m_roster.guestListJson();
    announce(c, true, &info, firstDevice && !elsewhere);

    if (dialect == Dialect::Seed && m_config.seedHistoryMessages > 0)
        replaySeedHistory(c);
}

void ChatServer::replaySeedHistory(ClientConnection *c)
{
    // The old web page cannot ask for history: show it the latest public messages. Until
    // they come, public messages are not relayed to it: the store answers in order, so every
    // batch committed before the read is in the page, and every later one is relayed after.
    c->seedReplayPending = true;
    m_store->history(HistoryQuery{c->identity, QString(), 0, 0, m_config.seedHistoryMessages,
                                  m_config.limits.historyBytes},
                     this,
                     [this, socket = QPointer<QWebSocket>(c->socket)](
                         const std::optional<QList<ChatMessage>> &page, bool, const QString &) {
                         ClientConnection *still = connectionOf(socket);
                         if (!still)
                             return;
                         still->seedReplayPending = false;
                         // As they are now: a deleted one is left out, an edited one shows its
                         // current text.
                         for (const ChatMessage &m : page.value_or(QList<ChatMessage>())) {
                             if (!m.deleted)
                                 sendBytes(still, MessageEncoder::chat(m, Dialect::Seed));
                         }
                     });
}

void ChatServer::handleAccountRequest(ClientConnection *c, const ClientRequest &r)
{
    using T = ClientRequest::Type;
    if (r.type == T::SignOut) {
        const qint64 accountId = c->accountId;
        const qint64 tokenId = c->tokenId;
        leaveRoom(c, QStringLiteral("signed out"));
        m_transport.closeWithError(c, ErrorCode::SignedOut);
        if (tokenId)
            m_accounts.revoke(accountId, tokenId, 0, wallClockMs());
        return;
    }
    if (c->isGuest())
        return sendError(c, ErrorCode::NotSignedIn, r.ref, c->dialect);
    switch (r.type) {
    case T::ChangePassword: {
        const QPointer<QWebSocket> socket(c->socket);
        m_accounts.changePassword(
            c->address, c->accountId, c->tokenId, r.oldPassword, r.password, wallClockMs(),
            [this, socket, r](const AccountService::Outcome &o) {
                ClientConnection *still = connectionOf(socket);
                if (!still || still->closing)
                    return;
                if (o.error != ErrorCode::None)
                    return sendError(still, o.error, r.ref, still->dialect, o.retryAfterMs);
                sendBytes(still, MessageEncoder::passwordChanged(o.revoked, r.ref));
            });
        break;
    }
    case T::Devices: {
        m_accounts.devices(c->accountId, [this, socket = QPointer<QWebSocket>(c->socket),
                                          r](const QList<DeviceToken> &tokens) {
            ClientConnection *still = connectionOf(socket);
            if (!still || still->closing)
                return;
            QList<DeviceInfo> list;
            for (const DeviceToken &t : tokens)
                list.append(
                    DeviceInfo{t.id, t.label, t.createdMs, t.lastUsedMs, t.id == still->tokenId});
            sendBytes(still, MessageEncoder::devices(list, r.ref));
        });
        break;
    }
    case T::RevokeDevice: {
        // "all": every other device; this one signs out with sign_out.
        const auto answer = [this, socket = QPointer<QWebSocket>(c->socket), r](int count) {
            ClientConnection *still = connectionOf(socket);
            if (still && !still->closing)
                sendBytes(still, MessageEncoder::deviceRevoked(count, r.ref));
        };
        if (r.allDevices)
            m_accounts.revoke(c->accountId, 0, c->tokenId, wallClockMs(), answer);
        else
            m_accounts.revoke(c->accountId, r.deviceId, 0, wallClockMs(), answer);
        break;
    }
    case T::CreateInvite: {
        if (!c->admin)
            return sendError(c, ErrorCode::Forbidden, r.ref, c->dialect);
        m_accounts.createInvite(
            c->accountId, r.inviteUses, r.inviteDays, wallClockMs(),
            [this, socket = QPointer<QWebSocket>(c->socket), r](const QString &code,
                                                                qint64 expires) {
                ClientConnection *still = connectionOf(socket);
                if (!still || still->closing)
                    return;
                if (code.isEmpty())
                    return sendError(still, ErrorCode::StoreFailed, r.ref, still->dialect);
                qCInfo(lcServer).noquote()
                    << still->name << "created an invite for" << r.inviteUses << "accounts";
                sendBytes(still, MessageEncoder::invite(code, r.inviteUses, expires, r.ref));
            });
        break;
    }
    default:
        break;
    }
}

void ChatServer::onTokensRevoked(qint64 accountId, const QList<qint64> &tokenIds)
{
    // A revoked token ends its live session at once, wherever it was revoked.
    std::vector<ClientConnection *> ended;
    for (ClientConnection *c : m_roster.members()) {
        if (c->accountId == accountId && tokenIds.contains(c->tokenId))
            ended.push_back(c);
    }
    for (ClientConnection *c : ended) {
        qCInfo(lcServer).noquote() << "device token of" << c->name << "revoked; closing";
        leaveRoom(c, QStringLiteral("token revoked"));
        m_transport.closeWithError(c, ErrorCode::TokenRevoked);
    }
}

void ChatServer::onAccountDisabled(qint64 accountId)
{
    std::vector<ClientConnection *> ended;
    for (ClientConnection *c : m_roster.members()) {
        if (c->accountId == accountId)
            ended.push_back(c);
    }
    for (ClientConnection *c : ended) {
        qCInfo(lcServer).noquote() << "account" << c->name << "disabled; closing";
        leaveRoom(c, QStringLiteral("account disabled"));
        m_transport.closeWithError(c, ErrorCode::AccountDisabled);
    }
}

void ChatServer::announce(ClientConnection *subject, bool login, const LoginInfo *info,
                          bool nameJoined)
{
    const qint64 ts = wallClockMs();
    const int online = m_roster.nameCount();
    if (login) {
        // The newcomer gets the whole list once; after that only changes. Names cannot hold
        // characters that HTML treats specially (NameRules), so the one list serves both
        // dialects unescaped.
        const bool confab = subject->dialect == Dialect::Confab;
        const QByteArray head = MessageEncoder::loginHead(subject->name, online, true, ts,
                                                          confab ? subject->session : QString(),
                                                          confab ? info : nullptr);
        const QByteArray &list = m_roster.userListJson();
        static constexpr char tail = '}';
        const QByteArray header = WireFrame::textHeader(head.size() + list.size() + 1);
        m_transport.sendPieces(subject, {header, head, list, QByteArrayView(&tail, 1)});
        if (!nameJoined)
            return; // another device of someone already online: nothing changed for others
    }
    announceChange(subject->name, subject->nameKey, login, subject);
}

void ChatServer::announceChange(const QString &name, const QString &key, bool login,
                                const ClientConnection *except)
{
    // The seed page rebuilds its list from user_list on every login and logout.
    if (m_roster.seedMembers() > 0) {
        const qint64 ts = wallClockMs();
        const int online = m_roster.nameCount();
        const QByteArray &users = m_roster.userListJson();
        const QByteArray seed = WireFrame::text(
            login ? MessageEncoder::login(name, users, online, false, Dialect::Seed, ts)
                  : MessageEncoder::logout(name, users, online, Dialect::Seed, ts));
        for (ClientConnection *c : m_roster.members()) {
            if (c != except && c->dialect == Dialect::Seed)
                send(c, seed);
        }
    }
    // Confab clients get joins and leaves in batches: when thousands reconnect at once (a
    // server restart), one message per join to everyone would be O(n^2) messages.
    m_presenceChanges.insert(key, name);
    if (!m_presenceTimer.isActive())
        m_presenceTimer.start();
}

void ChatServer::flushPresence()
{
    QStringList joined;
    QStringList left;
    QStringList guests;
    // Every name touched since the last batch is listed by its state now, even when it came
    // and went: a client that logged in meanwhile took its list at some point in between,
    // and only the current state is right for every client (the lists are sets).
    for (auto it = m_presenceChanges.cbegin(); it != m_presenceChanges.cend(); ++it) {
        QString name;
        bool guest = false;
        if (m_roster.isOnline(it.key(), &name, &guest)) {
            joined.append(name);
            if (guest)
                guests.append(name);
        } else {
            left.append(it.value());
        }
    }
    m_presenceChanges.clear();
    if (joined.isEmpty() && left.isEmpty())
        return;
    const QByteArray frame = WireFrame::text(
        MessageEncoder::presence(joined, left, m_roster.nameCount(), wallClockMs(), guests));
    for (ClientConnection *c : m_roster.members()) {
        if (c->dialect == Dialect::Confab)
            send(c, frame);
    }
}

void ChatServer::handleHistory(ClientConnection *c, const ClientRequest &r)
{
    // One page at a time per connection, each only once the previous one has reached the
    // kernel: 40 pages asked for at once held 121 MB for one connection (issue: hardening).
    if (c->historyQueue.size() >= kMaxQueuedHistory)
        return sendError(c, ErrorCode::HistoryBusy, r.ref, c->dialect);
    c->historyQueue.push_back(r);
    pumpHistory(c);
}

void ChatServer::pumpHistory(ClientConnection *c)
{
    if (c->historyInFlight || c->historyReading || c->historyQueue.empty() || c->closing)
        return;
    if (m_transport.queuedBytes(c) > 0) {
        c->notifyDrained = true; // come back when what is queued has gone out
        return;
    }
    if (m_historyBytesInFlight >= kHistoryBytesInFlight) {
        m_historyWaiting.push_back(c->socket); // come back when others' pages have gone out
        return;
    }
    // Whoever pays (the account, or the guest's address) has had its share of pages for now:
    // come back when its bucket has refilled. One timer per connection at most.
    if (const qint64 waitMs = m_budget.historyWaitMs(c->budgetKey(), now()); waitMs > 0) {
        if (!c->historyTimerArmed) {
            c->historyTimerArmed = true;
            QTimer::singleShot(waitMs, this, [this, socket = QPointer<QWebSocket>(c->socket)] {
                if (ClientConnection *still = connectionOf(socket)) {
                    still->historyTimerArmed = false;
                    pumpHistory(still);
                }
            });
        }
        return;
    }
    const ClientRequest r = std::move(c->historyQueue.front());
    c->historyQueue.pop_front();
    // The store answers in order: a batch sent before this read is in the page (and relayed
    // before it); one sent later is relayed after it. Either way nothing falls between.
    m_router.flush();
    c->historyReading = true;
    auto answered = [this, socket = QPointer<QWebSocket>(c->socket)](const QByteArray &frame) {
        ClientConnection *still = connectionOf(socket);
        send(still, frame);
        m_budget.takeHistory(still->budgetKey(), frame.size(), now());
        still->historyInFlight = true;
        still->historyFrameBytes = frame.size();
        m_historyBytesInFlight += frame.size();
        still->notifyDrained = true;
    };
    if (r.type == ClientRequest::Type::Receipts) {
        // The markers on this identity's private messages (docs/protocol.md section 19).
        m_store->receiptsOn(
            c->identity, ProtocolLimits::kMaxReceipts, this,
            [this, socket = QPointer<QWebSocket>(c->socket), ref = r.ref,
             answered](const std::optional<QList<MessageStore::ReceiptRow>> &rows, bool,
                       const QString &error) {
                ClientConnection *still = connectionOf(socket);
                if (!still)
                    return;
                still->historyReading = false;
                if (!rows) {
                    qCWarning(lcServer).noquote() << "cannot read receipts:" << error;
                    sendError(still, ErrorCode::StoreFailed, ref, still->dialect);
                    return pumpHistory(still);
                }
                QList<ReceiptInfo> list;
                for (const MessageStore::ReceiptRow &row : *rows)
                    list.append(ReceiptInfo{row.readerName, row.delivered, row.read});
                answered(WireFrame::text(MessageEncoder::receipts(list, ref)));
            });
        return;
    }
    const HistoryQuery q{c->identity, r.with,  r.before,
                         r.after,     r.limit, m_config.limits.historyBytes};
    m_store->history(q, this,
                     [this, socket = QPointer<QWebSocket>(c->socket), with = r.with,
                      ref = r.ref](const std::optional<QList<ChatMessage>> &page, bool more,
                                   const QString &error) {
                         ClientConnection *still = connectionOf(socket);
                         if (!still)
                             return;
                         still->historyReading = false;
                         if (!page) {
                             qCWarning(lcServer).noquote() << "cannot read history:" << error;
                             sendError(still, ErrorCode::StoreFailed, ref, still->dialect);
                             return pumpHistory(still);
                         }
                         const QByteArray frame =
                             WireFrame::text(MessageEncoder::history(with, *page, more, ref));
                         send(still, frame);
                         m_budget.takeHistory(still->budgetKey(), frame.size(), now());
                         still->historyInFlight = true;
                         still->historyFrameBytes = frame.size();
                         m_historyBytesInFlight += frame.size();
                         still->notifyDrained = true;
                     });
}

void ChatServer::sendBytes(ClientConnection *c, const QByteArray &json)
{
    Replies::sendJson(m_transport, c, json);
}

void ChatServer::sendError(ClientConnection *c, ErrorCode code, const QString &ref, Dialect dialect,
                           qint64 retryAfterMs)
{
    Replies::sendError(m_transport, c, code, ref, dialect, retryAfterMs);
}

void ChatServer::shutdown()
{
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    m_router.flush();
    m_transport.shutdown();
}
