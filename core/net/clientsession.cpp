#include "net/clientsession.h"

#include "net/certificatepins.h"
#include "protocol/filechunk.h"
#include "protocol/messageencoder.h"
#include "protocol/namerules.h"

#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMetaMethod>
#include <QNetworkInformation>
#include <QSslConfiguration>

Q_LOGGING_CATEGORY(lcSession, "confab.session")

namespace {

// Where the local file keeps a guest's resume token between runs.
constexpr char kGuestSessionKey[] = "guest_session";
// A catch-up that has read this many pages and is not done gives up on the saved history.
constexpr int kCatchUpPagesMax = 25;
// The network watch starts after the first window (see the constructor).
constexpr int kWatchNetworkAfterMs = 1000;

// Errors after which trying again with the same message cannot succeed.
bool rejectsForGood(ErrorCode code)
{
    switch (code) {
    case ErrorCode::EmptyMessage:
    case ErrorCode::MessageTooLong:
    case ErrorCode::BadText:
    case ErrorCode::BadUtf8:
    case ErrorCode::BadRecipient:
    case ErrorCode::TooLarge:
    case ErrorCode::BadShape:
        return true;
    default:
        return false;
    }
}

// Refusals of a login that trying the same again cannot fix: the user must change something.
bool refusesLogin(ErrorCode code)
{
    switch (code) {
    case ErrorCode::NameTaken:
    case ErrorCode::NameInvalid:
    case ErrorCode::NameEmpty:
    case ErrorCode::NameTooLong:
    case ErrorCode::NameRegistered:
    case ErrorCode::NameConfusable:
    case ErrorCode::AuthFailed:
    case ErrorCode::AuthThrottled:
    case ErrorCode::RegistrationClosed:
    case ErrorCode::InviteRequired:
    case ErrorCode::InviteInvalid:
    case ErrorCode::GuestsNotAllowed:
    case ErrorCode::WeakPassword:
    case ErrorCode::TokenInvalid:
    case ErrorCode::AccountDisabled:
    case ErrorCode::TooManyDevices:
    case ErrorCode::BadShape:
        return true;
    default:
        return false;
    }
}

// Fatal errors after which reconnecting would only fight the server (or the user's own
// other device).
bool endsSession(ErrorCode code)
{
    return code == ErrorCode::Replaced || code == ErrorCode::TokenRevoked ||
           code == ErrorCode::AccountDisabled || code == ErrorCode::SignedOut;
}

QString hostPort(const QUrl &url)
{
    // The port the connection really goes to (wss:// without one is 443).
    const int standard = url.scheme() == QLatin1String("wss") ? 443 : 80;
    return QStringLiteral("%1:%2").arg(url.host()).arg(url.port(standard));
}

QString plainFingerprint(const QString &fingerprint)
{
    return fingerprint.toUpper().remove(QLatin1Char(':')).remove(QLatin1Char(' '));
}

} // namespace

ClientSession::ClientSession(QObject *parent) : QObject(parent), m_socket(new SessionSocket)
{
    m_networkThread.setObjectName(QStringLiteral("session network"));
    m_socket->moveToThread(&m_networkThread);
    connect(&m_networkThread, &QThread::finished, m_socket, &QObject::deleteLater);
    // Above the GUI: a voice frame waits for nothing else (CallSession's audio thread is
    // time-critical too).
    m_networkThread.start(QThread::HighPriority);

    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &ClientSession::connectSocket);
    // Receipts wait a little, so a page of history or a burst of messages makes one each.
    m_receiptTimer.setSingleShot(true);
    m_receiptTimer.setInterval(300);
    connect(&m_receiptTimer, &QTimer::timeout, this, &ClientSession::flushReceipts);
    m_keepaliveTimer.setInterval(15000);
    connect(&m_keepaliveTimer, &QTimer::timeout, this, &ClientSession::checkAlive);
    // A suspended machine stops the monotonic clock but not the wall clock: a jump between
    // the two means we slept (SessionClock).
    m_clockTimer.setInterval(5000);
    connect(&m_clockTimer, &QTimer::timeout, this, &ClientSession::checkClockJump);

    // Queued: the socket's signals come from the network thread.
    connect(m_socket, &SessionSocket::connected, this, &ClientSession::onConnected);
    connect(m_socket, &SessionSocket::disconnected, this, &ClientSession::onDisconnected);
    connect(m_socket, &SessionSocket::textReceived, this, &ClientSession::onText);
    connect(m_socket, &SessionSocket::certificateRejected, this,
            &ClientSession::onCertificateRejected);
    connect(m_socket, &SessionSocket::mediaReceived, this, &ClientSession::onMediaForwarded);
    connect(m_socket, &SessionSocket::fileChunkReceived, this,
            [this](quint64 attempt, const QByteArray &chunk) {
                if (attempt == m_attempt)
                    emit fileChunkReceived(chunk);
            });
    connect(m_socket, &SessionSocket::written, this, &ClientSession::socketWritten);
    connect(m_socket, &SessionSocket::pathQueued, this, &ClientSession::uplinkQueued);

    connect(&m_outboxStore, &OutboxStore::failed, this, [this](const QString &message) {
        qCWarning(lcSession).noquote() << "outbox kept in memory only:" << message;
        emit outboxStorageFailed(message);
    });

    // Loading the backend loads GLib's GIO and NetworkManager's plugin: a few milliseconds
    // the first window need not wait for. A network change in the first second is also
    // what the connection itself notices.
    QTimer::singleShot(kWatchNetworkAfterMs, this, [this] {
        if (!QNetworkInformation::loadBackendByFeatures(QNetworkInformation::Feature::Reachability))
            return;
        connect(QNetworkInformation::instance(), &QNetworkInformation::reachabilityChanged, this,
                [this](QNetworkInformation::Reachability r) {
                    if (r == QNetworkInformation::Reachability::Online)
                        networkReturned();
                });
    });
}

ClientSession::~ClientSession()
{
    m_socket->disconnect(this);
    m_socket->setMediaHandler({});
    // The socket goes with its thread (deleteLater on finished), after the work queued for it.
    m_networkThread.quit();
    m_networkThread.wait();
}

void ClientSession::connectNotify(const QMetaMethod &signal)
{
    // Called from the connecting thread, outside Qt's signal-slot locks: an atomic store only.
    if (signal == QMetaMethod::fromSignal(&ClientSession::mediaReceived))
        m_socket->setForwardMedia(true);
}

void ClientSession::onMediaForwarded(const QByteArray &packet)
{
    // The last listener's going is noticed here, not in disconnectNotify: Qt calls that with
    // the listener's signal-slot mutex held (~QObject), taken from a pool of 131 by address,
    // and isSignalConnected() takes this object's; when they are the same mutex the thread
    // waits for itself, and the network thread, queuing the next packet here, with it.
    const QMetaMethod media = QMetaMethod::fromSignal(&ClientSession::mediaReceived);
    if (!isSignalConnected(media)) {
        m_socket->setForwardMedia(false);
        // A listener connected from another thread meanwhile: its connectNotify may have
        // come before the store above.
        if (!isSignalConnected(media))
            return;
        m_socket->setForwardMedia(true);
    }
    emit mediaReceived(packet);
}

void ClientSession::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    m_socket->setOnline(state == State::Online);
    qCDebug(lcSession) << "state" << state;
    emit stateChanged(state);
}

void ClientSession::open(const QUrl &url, const QString &name, const Credentials &credentials)
{
    close();
    if (url != m_url || NameRules::key(name) != NameRules::key(m_name))
        setCatchUpPoint(0); // another server's or person's numbers; a cache file brings its own
    // A catch-up of the last connection of another run does not go on in this one: what it
    // kept aside was never read up to.
    resetCatchUp();
    openLocalStore(url, name, credentials.mode != Credentials::Mode::Guest);
    m_credentials = credentials;
    // A guest's identity is its session: the one kept from the last run (if any) makes this
    // run the same guest, so the server recognises resends of messages it already has.
    m_session = credentials.mode == Credentials::Mode::Guest
                    ? m_history.value(QLatin1String(kGuestSessionKey))
                    : QString();
    m_wanted = true;
    m_everOnline = false;
    m_ended = false;
    m_account = false;
    m_admin = false;
    m_guests.clear();
    m_backoff.reset();
    startClockCheck();
    m_clockTimer.start();
    connectSocket();
}

void ClientSession::close()
{
    saveSettledPoint();
    m_wanted = false;
    m_reconnectTimer.stop();
    m_keepaliveTimer.stop();
    m_clockTimer.stop();
    if (m_socketOpen) {
        // The close frame (and anything queued before it, such as a sign-out) goes out before
        // the connection ends; a peer that never lets it out is cut off after a moment.
        QMetaObject::invokeMethod(m_socket, "closeSocket", Qt::QueuedConnection,
                                  Q_ARG(quint64, m_attempt),
                                  Q_ARG(QString, QStringLiteral("logout")));
    }
    setState(State::Offline);
}

void ClientSession::openLocalStore(const QUrl &url, const QString &name, bool privateAllowed)
{
    m_url = url;
    m_name = name;
    m_history.setSelf(name);
    if (m_outboxFolder.isEmpty())
        return;
    const QString path = QDir(m_outboxFolder).filePath(OutboxStore::fileName(m_url, m_name));
    const QString previous = m_outboxStore.path();
    if (m_outboxStore.isOpen() && previous == path) {
        m_history.setPrivateAllowed(privateAllowed);
        return;
    }
    m_outbox.setStore(nullptr);
    m_outboxStore.close();
    // Another server or name: its messages stay in its file, for when it is opened again, and
    // must not go out under this one (even when its file had failed).
    if (!previous.isEmpty() && previous != path)
        m_outbox.clear();
    if (!m_outboxStore.open(path)) {
        qCWarning(lcSession).noquote()
            << "outbox kept in memory only:" << m_outboxStore.errorString();
        emit outboxStorageFailed(m_outboxStore.errorString());
        return;
    }
    m_outbox.setStore(&m_outboxStore);
    m_history.setPrivateAllowed(privateAllowed);
    // Where the last run had read up to: the first login catches up from there, forwards.
    // Written down as such, so that what this run adds to the cache before it has settled
    // (caughtUpTo() falls back to the newest message kept) does not move it.
    setCatchUpPoint(m_history.caughtUpTo());
    m_history.setCaughtUpTo(m_savedPoint);
}

QString ClientSession::outboxPath() const
{
    return m_outboxStore.isOpen() ? m_outboxStore.path() : QString();
}

QString ClientSession::outboxError() const
{
    return m_outboxFolder.isEmpty() || m_outboxStore.isOpen() ? QString()
                                                              : m_outboxStore.errorString();
}

bool ClientSession::waitForClosed(int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (m_socketOpen && clock.elapsed() < timeoutMs) {
        QEventLoop loop;
        // Queued after onDisconnected (connected first), which clears m_socketOpen.
        connect(m_socket, &SessionSocket::disconnected, &loop, &QEventLoop::quit);
        connect(m_socket, &SessionSocket::certificateRejected, &loop, &QEventLoop::quit);
        QTimer::singleShot(qMax<qint64>(1, timeoutMs - clock.elapsed()), &loop, &QEventLoop::quit);
        loop.exec();
    }
    return !m_socketOpen;
}

void ClientSession::setExpectedFingerprint(const QString &fingerprint)
{
    m_expectedFingerprint = plainFingerprint(fingerprint);
}

void ClientSession::onCertificateRejected(quint64 attempt, const QString &fingerprint, bool changed)
{
    // The network thread decided during the handshake (SessionSocket::onSslErrors, with the
    // policy of connectSocket) and aborted the attempt.
    if (attempt != m_attempt)
        return;
    m_socketOpen = false;
    const QString where = hostPort(m_url);
    qCWarning(lcSession).noquote()
        << "certificate of" << where << (changed ? "changed" : "unknown") << fingerprint;
    // Nothing went out over a connection we cannot vouch for: let the user decide; no
    // reconnect loop either.
    m_rejectedHostPort = where;
    m_rejectedFingerprint = fingerprint;
    m_wanted = false;
    m_reconnectTimer.stop();
    setState(State::Offline);
    emit certificateRejected(where, fingerprint, changed);
}

void ClientSession::trustRejectedCertificate()
{
    if (m_rejectedFingerprint.isEmpty())
        return;
    if (m_pins) {
        m_pins->pin(m_rejectedHostPort, m_rejectedFingerprint);
        m_pins->sync();
    } else {
        m_expectedFingerprint = plainFingerprint(m_rejectedFingerprint);
    }
    m_rejectedFingerprint.clear();
    m_wanted = true;
    m_backoff.reset();
    connectSocket();
}

int ClientSession::reconnectRemainingMs() const
{
    return m_reconnectTimer.isActive() ? m_reconnectTimer.remainingTime() : -1;
}

void ClientSession::setReconnectDelays(int initialMs, int maximumMs)
{
    m_backoff = ReconnectBackoff(initialMs, maximumMs);
}

void ClientSession::setKeepalive(int intervalMs, int timeoutMs)
{
    m_keepaliveTimer.setInterval(intervalMs);
    m_keepaliveTimeoutMs = timeoutMs;
}

void ClientSession::reconnectNow()
{
    if (!m_wanted || m_state == State::Online)
        return;
    m_backoff.reset();
    m_reconnectTimer.stop();
    connectSocket();
}

void ClientSession::setClock(SessionClock *clock)
{
    m_clock = clock ? clock : &m_systemClock;
    startClockCheck(); // readings of two different clocks say nothing about a sleep
}

void ClientSession::networkReturned()
{
    // Only the wait is cut short. Restarting an attempt under way would throw away its
    // progress, and a network that flickers sends several of these in a row.
    if (m_wanted && !m_ended && m_reconnectTimer.isActive())
        reconnectNow();
}

void ClientSession::connectSocket()
{
    if (!m_wanted || m_ended)
        return;
    // A connection that is still up (after a wake-up) is dropped quietly on the network thread:
    // no loss to report, and its signals, still on their way, name an older attempt.
    ++m_attempt;
    m_socketOpen = true;
    m_socketConnected = false;
    m_lastError = QAbstractSocket::UnknownSocketError;
    setState(m_everOnline ? State::Reconnecting : State::Connecting);
    // What the TLS handshake may accept, decided on the network thread (onCertificateRejected).
    SessionTlsPolicy policy;
    policy.insecure = m_insecure;
    policy.expectedFingerprint = m_expectedFingerprint;
    policy.usePins = m_pins != nullptr;
    if (m_pins)
        policy.pinned = m_pins->pinned(hostPort(m_url));
    QMetaObject::invokeMethod(m_socket, "openUrl", Qt::QueuedConnection, Q_ARG(quint64, m_attempt),
                              Q_ARG(QUrl, m_url), Q_ARG(SessionTlsPolicy, policy));
}

void ClientSession::onConnected(quint64 attempt)
{
    if (attempt != m_attempt)
        return;
    // The login waits for the server's handshake message: sending on a socket the server
    // has not finished setting up is the classic bug of the seed page.
    setState(State::Handshaking);
    m_socketConnected = true;
}

void ClientSession::abortSocket()
{
    QMetaObject::invokeMethod(m_socket, "abortSocket", Qt::QueuedConnection,
                              Q_ARG(quint64, m_attempt));
}

void ClientSession::onDisconnected(quint64 attempt, const QString &closeReason,
                                   const QString &errorString, int socketError)
{
    if (attempt != m_attempt)
        return; // an attempt given up already
    m_socketOpen = false;
    m_lastError = QAbstractSocket::SocketError(socketError);
    m_keepaliveTimer.stop();
    saveSettledPoint();
    // A catch-up dies with its connection; the next login goes on from the last page read.
    m_catchingUp = false;
    if (!m_wanted || m_ended) {
        setState(State::Offline);
        return;
    }
    // An address typed without a scheme is tried with TLS first. A server that does not speak
    // it ends the TLS handshake at once: then plain ws://, unless this server was seen with a
    // pinned certificate (then it is an attack, not a plain server).
    // Secrets never go over a connection the user did not ask to be plain: a guest may fall
    // back, a sign-in (password or token) or a registration may not, since whoever breaks the
    // TLS handshake could otherwise read them.
    const bool secrets = m_credentials.mode != Credentials::Mode::Guest;
    if (m_plainFallback && !m_socketConnected && !m_everOnline && !secrets &&
        m_url.scheme() == QLatin1String("wss") &&
        (m_lastError == QAbstractSocket::SslHandshakeFailedError ||
         m_lastError == QAbstractSocket::RemoteHostClosedError ||
         m_lastError == QAbstractSocket::SslInternalError) &&
        !(m_pins &&
          (!m_pins->pinned(hostPort(m_url)).isEmpty() || m_pins->seenWithTls(hostPort(m_url))))) {
        qCInfo(lcSession).noquote() << hostPort(m_url) << "does not speak TLS; trying ws://";
        m_plainFallback = false;
        m_url.setScheme(QStringLiteral("ws"));
        emit fellBackToPlain();
        connectSocket();
        return;
    }
    QString reason = closeReason;
    if (reason.isEmpty())
        reason = errorString;
    scheduleReconnect(reason);
}

void ClientSession::scheduleReconnect(const QString &reason)
{
    const int delay = m_backoff.nextDelayMs();
    qCInfo(lcSession).noquote() << "connection lost (" << reason << "), retrying in" << delay
                                << "ms";
    setState(State::Reconnecting);
    m_reconnectTimer.start(delay);
    emit connectionLost(reason, delay);
}

void ClientSession::sendJson(const QByteArray &json)
{
    QMetaObject::invokeMethod(m_socket, "sendText", Qt::QueuedConnection,
                              Q_ARG(QString, QString::fromUtf8(json)));
}

void ClientSession::onText(quint64 attempt, const QString &text)
{
    // Nothing of a connection given up, nor of one closed by close() that was on its way
    // from the network thread (the socket stops delivering once it closes).
    if (attempt != m_attempt || !m_wanted)
        return;
    const DecodedServerMessage decoded = m_decoder.decode(text.toUtf8());
    if (!decoded.ok()) {
        // A broken or hostile server: what it meant cannot be known, so nothing is done.
        qCWarning(lcSession).noquote()
            << "dropped a message from the server:" << decoded.errorText();
        return;
    }
    // Files' messages are FileTransfers' to read (docs/protocol.md section 18).
    if (decoded.message.type == ServerMessage::Type::Unknown &&
        decoded.message.typeName.startsWith(QLatin1String("file_"))) {
        emit fileEventReceived(QJsonDocument::fromJson(text.toUtf8()).object());
        return;
    }
    onMessage(decoded.message);
}

void ClientSession::onMessage(const ServerMessage &m)
{
    using T = ServerMessage::Type;
    if (m.isCallEvent()) {
        emit callEventReceived(m);
        return;
    }
    switch (m.type) {
    case T::Handshake:
        onHandshake(m);
        break;
    case T::Login:
        if (m.self)
            onLoggedIn(m);
        break;
    case T::Presence:
        onPresence(m);
        break;
    case T::Chat:
        m_history.add({m.message});
        noteDelivered({m.message});
        if (m_catchingUp)
            m_liveSeqWhileCatchingUp = qMax(m_liveSeqWhileCatchingUp, m.message.seq);
        else
            advanceCaughtUp(m.message.seq);
        emit messageReceived(m.message);
        break;
    case T::Update:
        // Only what is cached already is changed: the cache keeps runs without holes.
        m_history.update(m.message);
        emit messageUpdated(m.message);
        break;
    case T::Reaction:
        m_history.updateReactions(m.message.seq, m.message.reactions, m.from, m.emoji, m.added);
        emit reactionReceived(m.message.seq, m.from, m.emoji, m.added, m.message.reactions);
        break;
    case T::Receipt:
    case T::Receipts:
        for (const ReceiptInfo &receipt : m.receipts)
            emit receiptReceived(receipt);
        break;
    case T::Ack:
        if (const Outbox::Entry *e = m_outbox.find(m.ref); e && m.seq > 0) {
            ChatMessage own;
            own.seq = m.seq;
            own.timestampMs = m.timestampMs;
            own.from = m_name;
            own.to = e->to;
            own.content = e->content;
            own.clientId = e->clientId;
            m_history.add({own});
        }
        m_outbox.acknowledge(m.ref);
        emit messageAcknowledged(m.ref, m.seq, m.timestampMs);
        break;
    case T::History:
        onHistory(m);
        break;
    case T::Search:
        emit searchResultsReceived(m.searchText, m.messages, m.more, m.nextBefore, m.ref);
        break;
    case T::Typing:
        emit typingChanged(m.from, m.to, m.typing);
        break;
    case T::Error:
        onError(m);
        break;
    case T::PasswordChanged:
        emit passwordChanged(m.count);
        break;
    case T::Devices:
        emit devicesReceived(m.devices);
        break;
    case T::DeviceRevoked:
        emit deviceRevoked(m.count);
        break;
    case T::InviteCreated:
        emit inviteCreated(m.inviteCode, m.inviteUses, m.inviteExpiresMs);
        break;
    case T::Unknown:
        qCDebug(lcSession).noquote() << "ignored a message of type" << m.typeName;
        break;
    default: // pong (the WebSocket pings keep the connection alive), seed-only messages
        break;
    }
}

void ClientSession::onHandshake(const ServerMessage &m)
{
    m_limits = m.limits;
    m_decoder = ServerMessageDecoder(m_limits);
    // One process relays in seq order: the highest seq seen is complete at once. Several
    // nodes may not (CatchUpPoint); the window is kept across connections to either kind.
    m_point.setSettleMs(m.severalNodes ? m_clusterSettleMs : 0);
    m_policy = m.auth;
    m_mediaProbes.store(m.mediaProbes);
    m_plainFallback = false; // it answered: whatever the scheme, it is the right one
    if (isEncrypted() && m_pins && !m_pins->seenWithTls(hostPort(m_url))) {
        m_pins->markSeenWithTls(hostPort(m_url)); // never fall back to ws:// for it again
        m_pins->sync();
    }
    emit authPolicyReceived(m_policy);
    setState(State::LoggingIn);
    sendLogin();
}

void ClientSession::onPresence(const ServerMessage &m)
{
    for (const QString &n : m.left) {
        m_users.removeAll(n);
        m_guests.remove(NameRules::key(n));
    }
    for (const QString &n : m.joined) {
        if (!m_users.contains(n))
            m_users.append(n);
        // A name that joined again may have signed in this time, or the other way round.
        if (m.guests.contains(n))
            m_guests.insert(NameRules::key(n));
        else
            m_guests.remove(NameRules::key(n));
    }
    emit usersChanged(m.joined, m.left);
}

void ClientSession::onHistory(const ServerMessage &m)
{
    m_history.add(m.messages);
    noteDelivered(m.messages);
    // Only the catch-up's own pages say what was read up to where: a page of older messages
    // (loadOlder) or of one conversation says nothing of what the others missed.
    const bool catchUpPage = !m_catchUpRef.isEmpty() && m.ref == m_catchUpRef;
    if (catchUpPage) {
        qint64 newest = 0;
        for (const ChatMessage &message : m.messages)
            newest = qMax(newest, message.seq);
        advanceCaughtUp(newest); // once a page: one write
    }
    emit historyReceived(m.with, m.messages, m.more, m.ref);
    if (!catchUpPage)
        return;
    m_catchUpRead += int(m.messages.size());
    if (m.more && !m_catchUpNewest) {
        // A long absence: keep reading forwards, up to a bound. Past it, more was missed
        // than the cache keeps: reading on would fetch everything since, and stopping would
        // leave a hole. The newest page instead, and the saved history goes.
        const int most = qMin(m_history.limit(), kCatchUpPagesMax * m_limits.historyPageMax);
        if (m_catchUpRead >= most) {
            qCInfo(lcSession) << "missed more than" << most
                              << "messages: reading the newest instead of the saved history";
            m_history.clearMessages();
            setCatchUpPoint(0);
            m_catchUpNewest = true;
            emit savedHistoryDropped();
        }
        catchUp();
        return;
    }
    m_catchingUp = false;
    m_catchUpNewest = false;
    m_catchUpRef.clear();
    advanceCaughtUp(m_liveSeqWhileCatchingUp);
}

void ClientSession::advanceCaughtUp(qint64 seq)
{
    if (seq <= m_lastSeq)
        return;
    m_lastSeq = seq;
    m_point.seen(seq, m_clock->monotonicMs());
    saveSettledPoint();
}

void ClientSession::saveSettledPoint()
{
    // The cache file keeps the settled point, not the highest seq, so that the next run's
    // catch-up cannot skip a message that a node was still bringing when this one ended.
    // Called with each message (same transaction), and now and then as the window passes.
    const qint64 settled = m_point.settled(m_clock->monotonicMs());
    if (settled > m_savedPoint) {
        m_savedPoint = settled;
        m_history.setCaughtUpTo(settled);
    }
}

void ClientSession::setCatchUpPoint(qint64 seq)
{
    m_lastSeq = seq;
    m_savedPoint = seq;
    m_point.reset(seq);
}

void ClientSession::rewindToSettledPoint()
{
    // A new connection, perhaps to another node: from what had surely all arrived. What is
    // read again is dropped by seq (the cache, the models).
    const qint64 settled = m_point.settled(m_clock->monotonicMs());
    if (m_lastSeq > 0 && settled == 0)
        m_catchUpNewest = true; // read from nothing, and less than a settle window ago
    m_lastSeq = settled;
}

void ClientSession::resetCatchUp()
{
    m_catchingUp = false;
    m_catchUpNewest = false;
    m_catchUpRef.clear();
    m_catchUpRead = 0;
    m_liveSeqWhileCatchingUp = 0;
}

void ClientSession::sendLogin()
{
    using M = Credentials::Mode;
    switch (m_credentials.mode) {
    case M::Guest:
        sendJson(MessageEncoder::loginRequest(m_name, m_session));
        break;
    case M::Password:
        sendJson(MessageEncoder::signInRequest(m_name, m_credentials.password, {},
                                               m_credentials.device, m_session));
        break;
    case M::Token:
        sendJson(MessageEncoder::signInRequest(m_name, {}, m_credentials.token, {}, m_session));
        break;
    case M::Register:
        sendJson(MessageEncoder::registerRequest(m_name, m_credentials.password,
                                                 m_credentials.invite, m_credentials.device));
        break;
    }
}

bool ClientSession::isGuest(const QString &name) const
{
    return m_guests.contains(NameRules::key(name));
}

QString ClientSession::nextRef(const char *prefix)
{
    return QStringLiteral("%1-%2").arg(QLatin1String(prefix)).arg(++m_requestCounter);
}

QString ClientSession::changePassword(const QString &oldPassword, const QString &newPassword)
{
    const QString ref = nextRef("pw");
    sendJson(QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("password_change")},
                                       {QStringLiteral("old"), oldPassword},
                                       {QStringLiteral("password"), newPassword},
                                       {QStringLiteral("id"), ref}})
                 .toJson(QJsonDocument::Compact));
    return ref;
}

QString ClientSession::requestDevices()
{
    const QString ref = nextRef("dev");
    sendJson(QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("devices")},
                                       {QStringLiteral("id"), ref}})
                 .toJson(QJsonDocument::Compact));
    return ref;
}

QString ClientSession::revokeDevice(qint64 deviceId)
{
    const QString ref = nextRef("rev");
    QJsonObject o{{QStringLiteral("type"), QStringLiteral("device_revoke")},
                  {QStringLiteral("id"), ref}};
    if (deviceId > 0)
        o.insert(QStringLiteral("device"), deviceId);
    else
        o.insert(QStringLiteral("all"), true);
    sendJson(QJsonDocument(o).toJson(QJsonDocument::Compact));
    return ref;
}

QString ClientSession::createInvite(int uses, int days)
{
    const QString ref = nextRef("inv");
    sendJson(QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("invite_create")},
                                       {QStringLiteral("uses"), uses},
                                       {QStringLiteral("days"), days},
                                       {QStringLiteral("id"), ref}})
                 .toJson(QJsonDocument::Compact));
    return ref;
}

void ClientSession::signOut()
{
    if (m_state == State::Online)
        sendJson(QByteArrayLiteral(R"({"type":"sign_out"})"));
    m_credentials = Credentials{};
    m_ended = true;
    // The account's messages leave this computer with it. The file is closed before it is
    // deleted, so nothing can be written to it after: not a message that arrives before the
    // server ends the session, nor the conversation the window opens meanwhile. Messages
    // the server has not acknowledged go too (the window asked); they were private to the
    // account as much as what it received.
    const QString path = m_outboxStore.path();
    m_outbox.setStore(nullptr);
    m_outbox.clear();
    m_outboxStore.close();
    if (!path.isEmpty()) {
        for (const char *suffix : {"", "-wal", "-shm", "-journal"})
            QFile::remove(path + QLatin1String(suffix));
    }
    setCatchUpPoint(0);
    resetCatchUp();
}

void ClientSession::onLoggedIn(const ServerMessage &m)
{
    m_session = m.session;
    m_users = m.users;
    m_account = m.account;
    m_admin = m.admin;
    m_guests.clear();
    for (const QString &g : m.guests)
        m_guests.insert(NameRules::key(g));
    // The server's spelling of the name (an account's, or the normalised form).
    if (!m.name.isEmpty())
        m_name = m.name;
    m_history.setSelf(m_name);
    // A guest's private conversations are never kept on disk; its resume token is, for the
    // next run (as the token file keeps an account's device token).
    m_history.setPrivateAllowed(m_account);
    if (!m_account)
        m_history.setValue(QLatin1String(kGuestSessionKey), m_session);
    if (!m.token.isEmpty()) {
        // From now on the token, never the password: it is not kept in memory either.
        m_credentials = Credentials{Credentials::Mode::Token, {}, m.token, {}, {}};
        emit tokenIssued(m.token);
    }
    m_everOnline = true;
    m_backoff.reset();
    setState(State::Online);
    m_keepaliveTimer.start();
    emit loggedIn(m_name, m_users);
    // The markers on our messages that moved while we were away; and ours, again, in case
    // the last connection ended before the server had them (it drops what moves nothing).
    sendJson(MessageEncoder::receiptsRequest());
    m_receiptsSent.clear();
    if (!m_receiptsDue.isEmpty())
        m_receiptTimer.start();
    // What happened while we were away first, then what we wrote meanwhile.
    // (On the first login too when the cache knows where it left off, and after a
    // connection lost in the middle of a catch-up.)
    if (m_lastSeq > 0 || m_catchingUp) {
        rewindToSettledPoint();
        catchUp();
    }
    flushOutbox();
}

void ClientSession::onError(const ServerMessage &m)
{
    const ErrorCode code = m.code;
    const QString &text = m.text;
    const QString &ref = m.ref;
    m_retryAfter = m.retryAfterSeconds;
    if (m_state == State::LoggingIn && code == ErrorCode::Busy) {
        // The server's password queue is full: the same login again, a little later.
        QTimer::singleShot(qBound(1, m_retryAfter, 30) * 1000, this, [this] {
            if (m_state == State::LoggingIn)
                sendLogin();
        });
        return;
    }
    if (m_state == State::LoggingIn && refusesLogin(code)) {
        m_wanted = false;
        QMetaObject::invokeMethod(m_socket, "closeSocket", Qt::QueuedConnection,
                                  Q_ARG(quint64, m_attempt), Q_ARG(QString, QString()));
        setState(State::Offline);
        emit loginFailed(code, text);
        return;
    }
    if (endsSession(code)) {
        // Signed out elsewhere, revoked, disabled, or the same user logged in again on
        // another connection: coming back would fight it.
        m_ended = true;
        if (code != ErrorCode::Replaced)
            m_credentials = Credentials{};
        emit sessionEnded(code, text);
    }
    if (!ref.isEmpty() && ref == m_catchUpRef) {
        // History is paced per account: the catch-up page comes a little later.
        QTimer::singleShot(qBound(1, m_retryAfter, 30) * 1000, this, [this, ref] {
            if (m_state == State::Online && m_catchUpRef == ref)
                catchUp();
        });
        return;
    }
    if (!ref.isEmpty()) {
        if (Outbox::Entry *e = m_outbox.find(ref)) {
            if (rejectsForGood(code)) {
                m_outbox.acknowledge(ref);
                emit messageRejected(ref, code, text);
            } else if (code == ErrorCode::RateLimited || code == ErrorCode::StoreFailed) {
                // Still wanted: send again a little later, under the same id.
                const QString id = e->clientId;
                QTimer::singleShot(1000 + 500 * qMin(e->attempts, 10), this, [this, id] {
                    if (Outbox::Entry *again = m_outbox.find(id); again && m_state == State::Online)
                        sendEntry(*again);
                });
            }
            return;
        }
    }
    emit errorReceived(code, text, ref);
}

QString ClientSession::sendMessage(const QString &content, const QString &to, qint64 replyTo)
{
    const QString id = m_outbox.add(content, to, replyTo);
    if (m_state == State::Online)
        sendEntry(*m_outbox.find(id));
    return id;
}

QString ClientSession::retry(const QString &content, const QString &to)
{
    return sendMessage(content, to);
}

void ClientSession::sendEntry(Outbox::Entry &entry)
{
    ++entry.attempts;
    // The audience is the caller's choice (ChatController reads a leading "@name" itself):
    // the server must not read it again.
    sendJson(
        MessageEncoder::chatRequest(entry.content, entry.clientId, entry.to, true, entry.replyTo));
}

void ClientSession::flushOutbox()
{
    for (const Outbox::Entry &e : m_outbox.entries()) {
        if (Outbox::Entry *entry = m_outbox.find(e.clientId))
            sendEntry(*entry);
    }
}

void ClientSession::catchUp()
{
    if (!m_catchingUp) {
        m_catchingUp = true;
        m_liveSeqWhileCatchingUp = 0;
        m_catchUpRead = 0;
    }
    m_catchUpRef = QStringLiteral("catchup-%1").arg(++m_requestCounter);
    sendJson(MessageEncoder::historyRequest(QStringLiteral("*"), 0, m_catchUpNewest ? 0 : m_lastSeq,
                                            m_limits.historyPageMax, m_catchUpRef));
}

void ClientSession::loadNewest()
{
    if (m_state != State::Online || m_lastSeq > 0 || m_catchingUp)
        return;
    // The newest page of everything is a run of each conversation's newest messages: a
    // catch-up from nothing, so live messages wait for it as for any catch-up.
    m_catchUpNewest = true;
    catchUp();
}

QString ClientSession::requestHistory(const QString &with, qint64 before, int limit)
{
    const QString ref = QStringLiteral("h-%1").arg(++m_requestCounter);
    if (m_state == State::Online)
        sendJson(MessageEncoder::historyRequest(with, before, 0,
                                                qBound(1, limit, m_limits.historyPageMax), ref));
    return ref;
}

QString ClientSession::search(const QString &text, qint64 before, int limit)
{
    if (m_state != State::Online)
        return {};
    const QString ref = nextRef("s");
    sendJson(MessageEncoder::searchRequest(text, before, limit, ref));
    return ref;
}

QString ClientSession::editMessage(qint64 seq, const QString &content)
{
    if (m_state != State::Online || seq <= 0)
        return {};
    const QString ref = nextRef("e");
    sendJson(MessageEncoder::editRequest(seq, content, ref));
    return ref;
}

QString ClientSession::deleteMessage(qint64 seq)
{
    if (m_state != State::Online || seq <= 0)
        return {};
    const QString ref = nextRef("d");
    sendJson(MessageEncoder::deleteRequest(seq, ref));
    return ref;
}

QString ClientSession::react(qint64 seq, const QString &emoji, bool add)
{
    if (m_state != State::Online || seq <= 0 || emoji.isEmpty())
        return {};
    const QString ref = nextRef("r");
    sendJson(MessageEncoder::reactRequest(seq, emoji, add, ref));
    return ref;
}

void ClientSession::noteDelivered(const QList<ChatMessage> &messages)
{
    const QString self = NameRules::key(m_name);
    for (const ChatMessage &message : messages) {
        if (message.isPrivate() && message.seq > 0 && NameRules::key(message.from) != self)
            queueReceipt(message.from, message.seq, false);
    }
}

void ClientSession::markRead(const QString &with, qint64 seq)
{
    if (!with.isEmpty() && seq > 0 && NameRules::key(with) != NameRules::key(m_name))
        queueReceipt(with, seq, m_sendReadReceipts);
}

void ClientSession::setSendReadReceipts(bool on)
{
    m_sendReadReceipts = on;
    if (on)
        return;
    // What the server was told stays told; what waits for the next flush is taken back.
    for (auto it = m_receiptsDue.begin(); it != m_receiptsDue.end(); ++it)
        it->read = qMin(it->read, m_receiptsSent.value(it.key()).read);
}

void ClientSession::queueReceipt(const QString &with, qint64 seq, bool read)
{
    ReceiptInfo &due = m_receiptsDue[NameRules::key(with)];
    due.with = with;
    due.delivered = qMax(due.delivered, seq);
    if (read)
        due.read = qMax(due.read, seq);
    if (m_state == State::Online && !m_receiptTimer.isActive())
        m_receiptTimer.start();
}

void ClientSession::flushReceipts()
{
    if (m_state != State::Online)
        return; // the next login sends them
    for (auto it = m_receiptsDue.cbegin(); it != m_receiptsDue.cend(); ++it) {
        ReceiptInfo &sent = m_receiptsSent[it.key()];
        const ReceiptInfo &due = it.value();
        // A read says delivered too: one request when both moved to the same place.
        if (due.read > sent.read) {
            sendJson(MessageEncoder::receiptRequest(due.with, due.read, true));
            sent.read = due.read;
            sent.delivered = qMax(sent.delivered, due.read);
        }
        if (due.delivered > sent.delivered) {
            sendJson(MessageEncoder::receiptRequest(due.with, due.delivered, false));
            sent.delivered = due.delivered;
        }
    }
}

void ClientSession::setTyping(bool typing, const QString &to)
{
    if (m_state == State::Online)
        sendJson(MessageEncoder::typingRequest(typing, to));
}

bool ClientSession::sendFileRequest(const QByteArray &json)
{
    if (m_state != State::Online)
        return false;
    sendJson(json);
    return true;
}

bool ClientSession::sendFileChunk(const QByteArray &chunk)
{
    if (m_state != State::Online)
        return false;
    m_socket->sendFileChunk(chunk);
    return true;
}

void ClientSession::checkAlive()
{
    if (m_state != State::Online)
        return;
    if (m_socket->msSinceLastReceive() > m_keepaliveTimeoutMs) {
        qCInfo(lcSession) << "no answer from the server; reconnecting";
        abortSocket(); // onDisconnected schedules the reconnect
        return;
    }
    QMetaObject::invokeMethod(m_socket, "ping", Qt::QueuedConnection);
}

void ClientSession::startClockCheck()
{
    m_checkedWallMs = m_clock->wallMs();
    m_checkedMonotonicMs = m_clock->monotonicMs();
}

void ClientSession::checkClockJump()
{
    saveSettledPoint();
    const qint64 wallMs = m_clock->wallMs();
    const qint64 monotonicMs = m_clock->monotonicMs();
    const qint64 asleepMs = (wallMs - m_checkedWallMs) - (monotonicMs - m_checkedMonotonicMs);
    m_checkedWallMs = wallMs;
    m_checkedMonotonicMs = monotonicMs;
    // Below this it is the wall clock being corrected, not a sleep.
    if (asleepMs < 10000)
        return;
    qCInfo(lcSession) << "woke up after" << asleepMs / 1000 << "s asleep; connecting afresh";
    // Whatever was under way before the sleep is of unknown health: the server may have timed
    // it out and a NAT on the way may have forgotten it, without a word, so a ping could only
    // prove it dead after a timeout. A resume costs one round trip and the others see no change
    // in the user list (protocol.md section 4.2).
    m_backoff.reset();
    m_reconnectTimer.stop();
    connectSocket();
}
