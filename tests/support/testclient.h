#pragma once

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QUrl>
#include <QWebSocket>

#include <functional>

// A scripted WebSocket client for integration tests: it records every JSON message the
// server sends and lets a test wait for the one it expects.
class TestClient : public QObject
{
    Q_OBJECT
public:
    using Predicate = std::function<bool(const QJsonObject &)>;

    explicit TestClient(QObject *parent = nullptr);

    // Opens the socket and waits for the server's handshake message. For wss://, the server's
    // certificate must verify against the system store or trustCertificate().
    bool open(const QUrl &url);
    // Adds a CA (or a self-signed server certificate) that wss:// connections accept.
    void trustCertificate(const QSslCertificate &certificate);
    // Confab-dialect login as a guest unless seed is true; true when the server confirms.
    // `session`: the resume token of an earlier login.
    bool login(const QString &name, bool seed = false, const QString &session = {});
    // Sign in to an account with its password or a device token; true when confirmed.
    bool signIn(const QString &name, const QString &password,
                const QString &device = QStringLiteral("test"));
    bool signInWithToken(const QString &name, const QString &token);
    bool registerAccount(const QString &name, const QString &password, const QString &invite = {});
    QJsonObject loginReply() const { return m_loginReply; }
    // The error code of the last refused login or registration ("" when it succeeded).
    QString loginError() const { return m_loginReply.value(QLatin1String("code")).toString(); }
    QString session() const { return m_loginReply.value(QLatin1String("session")).toString(); }
    QString token() const { return m_loginReply.value(QLatin1String("token")).toString(); }

    void sendJson(const QByteArray &json);
    void sendRaw(const QString &text) { m_socket.sendTextMessage(text); }
    void sendBinary(const QByteArray &data) { m_socket.sendBinaryMessage(data); }
    void sendChat(const QString &content, const QString &id, const QString &to = {});
    // Sends a chat message (private when `to` is set) and waits for its ack: the seq it was
    // stored with, 0 when none came.
    qint64 sendAcked(const QString &content, const QString &id, const QString &to = {},
                     qint64 replyTo = 0);
    // The room's history ("" or "*"), or the private conversation's with `with`, as a
    // history request answers it (the newest 200).
    QJsonArray history(const QString &with = {});
    // The message with that seq in a list of messages (empty when it is not there).
    static QJsonObject withSeq(const QJsonArray &messages, qint64 seq);

    // Waits until a message not yet taken matches, takes it and returns it (empty on timeout).
    QJsonObject waitFor(const Predicate &match, int timeoutMs = 5000);
    QJsonObject waitForType(const QString &type, int timeoutMs = 5000);
    QJsonObject waitForError(const QString &code, int timeoutMs = 5000);
    QJsonObject waitForChat(const QString &content, int timeoutMs = 5000);
    // A join (online = true) or leave of `name`: a seed login/logout or a Confab presence batch.
    QJsonObject waitForPresence(const QString &name, bool online, int timeoutMs = 5000);
    // All messages received so far that match (taken or not).
    QList<QJsonObject> all(const Predicate &match) const;
    int countChats(const QString &content) const;

    bool waitForDisconnected(int timeoutMs = 5000);
    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    QWebSocket &socket() { return m_socket; }
    // Every binary message received, in order.
    QSignalSpy *binarySpy() { return &m_binary; }
    QJsonObject handshake() const { return m_handshake; }

private:
    bool awaitLogin();

    QWebSocket m_socket;
    QSignalSpy m_binary{&m_socket, &QWebSocket::binaryMessageReceived};
    QList<QJsonObject> m_messages;
    QList<bool> m_taken;
    QJsonObject m_handshake;
    QJsonObject m_loginReply;
};
