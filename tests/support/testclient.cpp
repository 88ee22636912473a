#include "testclient.h"

#include "protocol/messageencoder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSslConfiguration>
#include <QTest>

TestClient::TestClient(QObject *parent) : QObject(parent)
{
    connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8());
        m_messages.append(doc.object());
        m_taken.append(false);
    });
}

bool TestClient::open(const QUrl &url)
{
    m_socket.open(url);
    m_handshake = waitForType(QStringLiteral("handshake"), 10000);
    return !m_handshake.isEmpty();
}

void TestClient::trustCertificate(const QSslCertificate &certificate)
{
    QSslConfiguration config = m_socket.sslConfiguration();
    config.addCaCertificate(certificate);
    m_socket.setSslConfiguration(config);
}

bool TestClient::login(const QString &name, bool seed, const QString &session)
{
    if (seed)
        sendJson(QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("login")},
                                           {QStringLiteral("content"), name}})
                     .toJson(QJsonDocument::Compact));
    else
        sendJson(MessageEncoder::loginRequest(name, session));
    if (seed) {
        // A seed login confirmation has no "self"; it is the login carrying our own name.
        m_loginReply = waitFor([&](const QJsonObject &o) {
            const QString type = o.value(QLatin1String("type")).toString();
            return (type == QLatin1String("login") &&
                    o.value(QLatin1String("content")).toString() == name) ||
                   o.contains(QLatin1String("code"));
        });
        return m_loginReply.value(QLatin1String("type")).toString() == QLatin1String("login");
    }
    return awaitLogin();
}

bool TestClient::awaitLogin()
{
    m_loginReply = waitFor(
        [&](const QJsonObject &o) {
            return (o.value(QLatin1String("type")).toString() == QLatin1String("login") &&
                    o.value(QLatin1String("self")).toBool()) ||
                   o.contains(QLatin1String("code"));
        },
        15000); // a password is hashed first (Argon2id): allow for a slow machine
    return m_loginReply.value(QLatin1String("type")).toString() == QLatin1String("login");
}

bool TestClient::signIn(const QString &name, const QString &password, const QString &device)
{
    sendJson(MessageEncoder::signInRequest(name, password, {}, device));
    return awaitLogin();
}

bool TestClient::signInWithToken(const QString &name, const QString &token)
{
    sendJson(MessageEncoder::signInRequest(name, {}, token, {}));
    return awaitLogin();
}

bool TestClient::registerAccount(const QString &name, const QString &password,
                                 const QString &invite)
{
    sendJson(MessageEncoder::registerRequest(name, password, invite, QStringLiteral("test")));
    return awaitLogin();
}

void TestClient::sendJson(const QByteArray &json)
{
    m_socket.sendTextMessage(QString::fromUtf8(json));
}

void TestClient::sendChat(const QString &content, const QString &id, const QString &to)
{
    sendJson(MessageEncoder::chatRequest(content, id, to));
}

qint64 TestClient::sendAcked(const QString &content, const QString &id, const QString &to,
                             qint64 replyTo)
{
    sendJson(MessageEncoder::chatRequest(content, id, to, to.isEmpty(), replyTo));
    const QJsonObject ack = waitFor([&](const QJsonObject &o) {
        return o.value(QLatin1String("type")).toString() == QLatin1String("ack") &&
               o.value(QLatin1String("id")).toString() == id;
    });
    return ack.value(QLatin1String("seq")).toInteger();
}

QJsonArray TestClient::history(const QString &with)
{
    sendJson(MessageEncoder::historyRequest(with, 0, 0, 200));
    return waitForType(QStringLiteral("history")).value(QLatin1String("messages")).toArray();
}

QJsonObject TestClient::withSeq(const QJsonArray &messages, qint64 seq)
{
    for (const QJsonValue &v : messages) {
        if (v.toObject().value(QLatin1String("seq")).toInteger() == seq)
            return v.toObject();
    }
    return {};
}

QJsonObject TestClient::waitFor(const Predicate &match, int timeoutMs)
{
    QJsonObject found;
    auto scan = [&] {
        for (qsizetype i = 0; i < m_messages.size(); ++i) {
            if (!m_taken.at(i) && match(m_messages.at(i))) {
                m_taken[i] = true;
                found = m_messages.at(i);
                return true;
            }
        }
        return false;
    };
    if (!scan())
        (void)QTest::qWaitFor(scan, timeoutMs);
    return found;
}

QJsonObject TestClient::waitForType(const QString &type, int timeoutMs)
{
    return waitFor(
        [&](const QJsonObject &o) { return o.value(QLatin1String("type")).toString() == type; },
        timeoutMs);
}

QJsonObject TestClient::waitForError(const QString &code, int timeoutMs)
{
    return waitFor(
        [&](const QJsonObject &o) { return o.value(QLatin1String("code")).toString() == code; },
        timeoutMs);
}

QJsonObject TestClient::waitForChat(const QString &content, int timeoutMs)
{
    return waitFor(
        [&](const QJsonObject &o) {
            return o.value(QLatin1String("type")).toString() == QLatin1String("user") &&
                   o.value(QLatin1String("content")).toString() == content;
        },
        timeoutMs);
}

QJsonObject TestClient::waitForPresence(const QString &name, bool online, int timeoutMs)
{
    return waitFor(
        [&](const QJsonObject &o) {
            const QString type = o.value(QLatin1String("type")).toString();
            if (type == QLatin1String("presence"))
                return o.value(QLatin1String(online ? "joined" : "left")).toArray().contains(name);
            return type == QLatin1String(online ? "login" : "logout") &&
                   !o.value(QLatin1String("self")).toBool() &&
                   o.value(QLatin1String("content")).toString() == name;
        },
        timeoutMs);
}

QList<QJsonObject> TestClient::all(const Predicate &match) const
{
    QList<QJsonObject> result;
    for (const QJsonObject &o : m_messages) {
        if (match(o))
            result.append(o);
    }
    return result;
}

int TestClient::countChats(const QString &content) const
{
    return int(all([&](const QJsonObject &o) {
                   return o.value(QLatin1String("type")).toString() == QLatin1String("user") &&
                          o.value(QLatin1String("content")).toString() == content;
               }).size());
}

bool TestClient::waitForDisconnected(int timeoutMs)
{
    return QTest::qWaitFor([this] { return m_socket.state() == QAbstractSocket::UnconnectedState; },
                           timeoutMs);
}
