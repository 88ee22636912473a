#pragma once

#include "net/outbox.h"
#include "net/reconnectbackoff.h"
#include "protocol/chatmessage.h"
#include "protocol/errorcode.h"
#include "protocol/protocollimits.h"

#include <QElapsedTimer>
#include <QObject>
#include <QStringList>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>

// One user's connection to a Confab server, kept alive for as long as the user wants it:
// it logs in after the server's handshake, reconnects with backoff after a drop (and at once
// after the machine wakes or the network returns), resumes its session, resends what was not
// acknowledged and catches up on what it missed. Everything it learns arrives as signals.
class ClientSession : public QObject
{
    Q_OBJECT
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
public:
    enum class State { Offline, Connecting, Handshaking, LoggingIn, Online, Reconnecting };
    Q_ENUM(State)

    explicit ClientSession(QObject *parent = nullptr);
    ~ClientSession() override;

    // Starts connecting and keeps the session up until close().
    void open(const QUrl &url, const QString &name);
    void close();

    State state() const { return m_state; }
    QUrl url() const { return m_url; }
    QString name() const { return m_name; }
    QStringList onlineUsers() const { return m_users; }
    ProtocolLimits limits() const { return m_limits; }
    qint64 lastSeq() const { return m_lastSeq; }
    // Milliseconds until the next reconnect attempt, or -1 when none is scheduled.
    int reconnectRemainingMs() const;
    const Outbox &outbox() const { return m_outbox; }

    // Queues a chat message (private when `to` is set) and returns its client id. It is sent
    // now when online, else as soon as the session is back.
    QString sendMessage(const QString &content, const QString &to = {});
    // Sends a rejected message again under a new id; returns the new id.
    QString retry(const QString &content, const QString &to);
    // Asks for a page of history; the answer comes as historyReceived with the returned ref.
    QString requestHistory(const QString &with, qint64 before, int limit = 50);
    void setTyping(bool typing, const QString &to = {});
    // Call signalling (docs/protocol.md section 13) and media packets (section 12).
    void sendCallRequest(const QByteArray &json) { sendJson(json); }
    // Sends a binary media packet unless more than maxQueuedBytes already wait to be
    // written (an uplink slower than the media): then it is dropped and false returned, so
    // media never delays chat messages by more than that much.
    bool sendMedia(const QByteArray &packet, qint64 maxQueuedBytes);

    // Tuning for tests and for the UI's "reconnect now".
    void setReconnectDelays(int initialMs, int maximumMs);
    void setKeepalive(int intervalMs, int timeoutMs);
    void reconnectNow();

signals:
    void stateChanged(ClientSession::State state);
    void loggedIn(const QString &name, const QStringList &users);
    // The server refused the login (name taken or invalid): the session is offline and does
    // not retry, since retrying cannot help.
    void loginFailed(ErrorCode code, const QString &text);
    // The connection could not be made or was lost; a reconnect follows after delayMs.
    void connectionLost(const QString &reason, int delayMs);
    void usersChanged(const QStringList &joined, const QStringList &left);
    void messageReceived(const ChatMessage &message);
    void messageAcknowledged(const QString &clientId, qint64 seq, qint64 timestampMs);
    // The server refused this message for good (too long, bad recipient...).
    void messageRejected(const QString &clientId, ErrorCode code, const QString &text);
    void historyReceived(const QString &with, const QList<ChatMessage> &messages, bool more,
                         const QString &ref);
    void typingChanged(const QString &from, const QString &to, bool typing);
    // ref: the id of the request that caused it, "" when none.
    void errorReceived(ErrorCode code, const QString &text, const QString &ref);
    // A call step from the server (call_invite, call_accept, ..., or the ack of an invite).
    void callEventReceived(const QJsonObject &event);
    // A media packet of the current call, header and payload as sent.
    void mediaReceived(const QByteArray &packet);

private:
    void setState(State state);
    void connectSocket();
    void onConnected();
    void onDisconnected();
    void onText(const QString &text);
    void onLoggedIn(const QJsonObject &o);
    void onError(const QJsonObject &o);
    void scheduleReconnect(const QString &reason);
    void sendJson(const QByteArray &json);
    void sendEntry(Outbox::Entry &entry);
    void flushOutbox();
    void catchUp();
    void checkAlive();
    void checkClockJump();

    QWebSocket m_socket;
    QUrl m_url;
    QString m_name;
    QString m_session;
    State m_state = State::Offline;
    bool m_wanted = false;     // the user wants to be connected
    bool m_everOnline = false; // logged in at least once since open()
    bool m_replaced = false;   // another connection of ours took over: do not come back
    ProtocolLimits m_limits;
    QStringList m_users;
    qint64 m_lastSeq = 0;
    Outbox m_outbox;
    ReconnectBackoff m_backoff;
    QTimer m_reconnectTimer;
    QTimer m_keepaliveTimer;
    QTimer m_clockTimer;
    QElapsedTimer m_sinceLastMessage;
    QElapsedTimer m_monotonic;
    qint64 m_wallAtStart = 0;
    int m_keepaliveTimeoutMs = 45000;
    int m_requestCounter = 0;
    QString m_catchUpRef;
};
