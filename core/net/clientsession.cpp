#include "net/clientsession.h"

#include "protocol/messageencoder.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkInformation>

Q_LOGGING_CATEGORY(lcSession, "confab.session")

namespace {

QString str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

QStringList strings(const QJsonValue &v)
{
    QStringList list;
    for (const QJsonValue &item : v.toArray()) {
        if (item.isString())
            list.append(item.toString());
    }
    return list;
}

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

} // namespace

ClientSession::ClientSession(QObject *parent) : QObject(parent)
{
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &ClientSession::connectSocket);
    m_keepaliveTimer.setInterval(15000);
    connect(&m_keepaliveTimer, &QTimer::timeout, this, &ClientSession::checkAlive);
    // A suspended machine stops the monotonic clock but not the wall clock: a jump between
    // the two means we slept, and the connection is most likely dead.
    m_clockTimer.setInterval(5000);
    connect(&m_clockTimer, &QTimer::timeout, this, &ClientSession::checkClockJump);

    connect(&m_socket, &QWebSocket::connected, this, &ClientSession::onConnected);
    connect(&m_socket, &QWebSocket::disconnected, this, &ClientSession::onDisconnected);
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &ClientSession::onText);
    connect(&m_socket, &QWebSocket::binaryMessageReceived, this, [this](const QByteArray &packet) {
        m_sinceLastMessage.restart();
        emit mediaReceived(packet);
    });
    connect(&m_socket, &QWebSocket::pong, this, [this] { m_sinceLastMessage.restart(); });

    if (QNetworkInformation::loadBackendByFeatures(QNetworkInformation::Feature::Reachability)) {
        connect(QNetworkInformation::instance(), &QNetworkInformation::reachabilityChanged, this,
                [this](QNetworkInformation::Reachability r) {
                    if (r == QNetworkInformation::Reachability::Online &&
                        m_state == State::Reconnecting)
                        reconnectNow();
                });
    }
}

ClientSession::~ClientSession()
{
    m_socket.disconnect(this);
}

void ClientSession::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    qCDebug(lcSession) << "state" << state;
    emit stateChanged(state);
}

void ClientSession::open(const QUrl &url, const QString &name)
{
    close();
    m_url = url;
    m_name = name;
    m_session.clear();
    m_wanted = true;
    m_everOnline = false;
    m_replaced = false;
    m_backoff.reset();
    m_monotonic.start();
    m_wallAtStart = QDateTime::currentMSecsSinceEpoch();
    m_clockTimer.start();
    connectSocket();
}

void ClientSession::close()
{
    m_wanted = false;
    m_reconnectTimer.stop();
    m_keepaliveTimer.stop();
    m_clockTimer.stop();
    if (m_socket.state() != QAbstractSocket::UnconnectedState) {
        m_socket.close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("logout"));
        m_socket.abort();
    }
    setState(State::Offline);
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

void ClientSession::connectSocket()
{
    if (!m_wanted)
        return;
    m_socket.abort();
    setState(m_everOnline ? State::Reconnecting : State::Connecting);
    m_socket.open(m_url);
}

void ClientSession::onConnected()
{
    // The login waits for the server's handshake message: sending on a socket the server
    // has not finished setting up is the classic bug of the seed page.
    setState(State::Handshaking);
    m_sinceLastMessage.start();
}

void ClientSession::onDisconnected()
{
    m_keepaliveTimer.stop();
    if (!m_wanted || m_replaced) {
        setState(State::Offline);
        return;
    }
    QString reason = m_socket.closeReason();
    if (reason.isEmpty())
        reason = m_socket.errorString();
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
    m_socket.sendTextMessage(QString::fromUtf8(json));
}

void ClientSession::onText(const QString &text)
{
    m_sinceLastMessage.restart();
    const QJsonObject o = QJsonDocument::fromJson(text.toUtf8()).object();
    const QString type = str(o, "type");
    if (o.contains(QLatin1String("code"))) {
        onError(o);
        return;
    }
    if (type == QLatin1String("handshake")) {
        m_limits = ProtocolLimits::fromJson(o.value(QLatin1String("limits")).toObject());
        setState(State::LoggingIn);
        sendJson(MessageEncoder::loginRequest(m_name, m_session));
    } else if (type == QLatin1String("login")) {
        if (o.value(QLatin1String("self")).toBool())
            onLoggedIn(o);
    } else if (type == QLatin1String("presence")) {
        const QStringList joined = strings(o.value(QLatin1String("joined")));
        const QStringList left = strings(o.value(QLatin1String("left")));
        for (const QString &n : left)
            m_users.removeAll(n);
        for (const QString &n : joined) {
            if (!m_users.contains(n))
                m_users.append(n);
        }
        emit usersChanged(joined, left);
    } else if (type == QLatin1String("user")) {
        if (const auto m = ChatMessage::fromJson(o)) {
            m_lastSeq = qMax(m_lastSeq, m->seq);
            emit messageReceived(*m);
        }
    } else if (type.startsWith(QLatin1String("call_")) ||
               (type == QLatin1String("ack") && o.contains(QLatin1String("call")))) {
        emit callEventReceived(o);
    } else if (type == QLatin1String("ack")) {
        const QString id = str(o, "id");
        const qint64 seq = o.value(QLatin1String("seq")).toInteger();
        m_outbox.acknowledge(id);
        emit messageAcknowledged(id, seq, o.value(QLatin1String("ts")).toInteger());
    } else if (type == QLatin1String("history")) {
        QList<ChatMessage> messages;
        for (const QJsonValue &v : o.value(QLatin1String("messages")).toArray()) {
            if (const auto m = ChatMessage::fromJson(v.toObject())) {
                m_lastSeq = qMax(m_lastSeq, m->seq);
                messages.append(*m);
            }
        }
        const QString ref = str(o, "id");
        const bool more = o.value(QLatin1String("more")).toBool();
        emit historyReceived(str(o, "with"), messages, more, ref);
        if (ref == m_catchUpRef && more)
            catchUp(); // a long absence: keep reading forwards
    } else if (type == QLatin1String("typing")) {
        emit typingChanged(str(o, "from"), str(o, "to"), o.value(QLatin1String("state")).toBool());
    }
}

void ClientSession::onLoggedIn(const QJsonObject &o)
{
    m_session = str(o, "session");
    m_users = strings(o.value(QLatin1String("user_list")));
    const bool reconnected = m_everOnline;
    m_everOnline = true;
    m_backoff.reset();
    setState(State::Online);
    m_keepaliveTimer.start();
    emit loggedIn(m_name, m_users);
    // What happened while we were away first, then what we wrote meanwhile.
    if (reconnected && m_lastSeq > 0)
        catchUp();
    flushOutbox();
}

void ClientSession::onError(const QJsonObject &o)
{
    const ErrorCode code = errorCodeFromName(str(o, "code"));
    const QString text = str(o, "content");
    const QString ref = str(o, "id");
    if (m_state == State::LoggingIn &&
        (code == ErrorCode::NameTaken || code == ErrorCode::NameInvalid ||
         code == ErrorCode::NameEmpty || code == ErrorCode::NameTooLong)) {
        m_wanted = false;
        m_socket.close();
        setState(State::Offline);
        emit loginFailed(code, text);
        return;
    }
    if (code == ErrorCode::Replaced)
        m_replaced = true; // the same user logged in elsewhere; coming back would fight it
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

QString ClientSession::sendMessage(const QString &content, const QString &to)
{
    const QString id = m_outbox.add(content, to);
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
    sendJson(MessageEncoder::chatRequest(entry.content, entry.clientId, entry.to));
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
    m_catchUpRef = QStringLiteral("catchup-%1").arg(++m_requestCounter);
    sendJson(MessageEncoder::historyRequest(QStringLiteral("*"), 0, m_lastSeq,
                                            m_limits.historyPageMax, m_catchUpRef));
}

QString ClientSession::requestHistory(const QString &with, qint64 before, int limit)
{
    const QString ref = QStringLiteral("h-%1").arg(++m_requestCounter);
    if (m_state == State::Online)
        sendJson(MessageEncoder::historyRequest(with, before, 0,
                                                qBound(1, limit, m_limits.historyPageMax), ref));
    return ref;
}

void ClientSession::setTyping(bool typing, const QString &to)
{
    if (m_state == State::Online)
        sendJson(MessageEncoder::typingRequest(typing, to));
}

bool ClientSession::sendMedia(const QByteArray &packet, qint64 maxQueuedBytes)
{
    if (m_state != State::Online || m_socket.bytesToWrite() > maxQueuedBytes)
        return false;
    m_socket.sendBinaryMessage(packet);
    return true;
}

void ClientSession::checkAlive()
{
    if (m_state != State::Online)
        return;
    if (m_sinceLastMessage.elapsed() > m_keepaliveTimeoutMs) {
        qCInfo(lcSession) << "no answer from the server; reconnecting";
        m_socket.abort(); // onDisconnected schedules the reconnect
        return;
    }
    m_socket.ping();
}

void ClientSession::checkClockJump()
{
    const qint64 wallElapsed = QDateTime::currentMSecsSinceEpoch() - m_wallAtStart;
    const qint64 drift = wallElapsed - m_monotonic.elapsed();
    m_wallAtStart = QDateTime::currentMSecsSinceEpoch();
    m_monotonic.restart();
    if (drift < 10000)
        return;
    qCInfo(lcSession) << "woke up after" << drift / 1000 << "s asleep";
    if (m_state == State::Online) {
        // Probably dead: prove it quickly instead of waiting for the normal timeout.
        m_socket.ping();
        QTimer::singleShot(5000, this, [this] {
            if (m_state == State::Online && m_sinceLastMessage.elapsed() > 5000)
                m_socket.abort();
        });
    } else {
        reconnectNow();
    }
}
