// The chat as users see it, against a real confab-server process on 127.0.0.1.
#include "protocol/messageencoder.h"
#include "serverprocess.h"
#include "testclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTest>
#include <QtEndian>

#include <memory>

#ifdef Q_OS_UNIX
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace {
QString typeOf(const QJsonObject &o)
{
    return o.value(QLatin1String("type")).toString();
}
QStringList namesIn(const QJsonObject &o)
{
    QStringList names;
    for (const QJsonValue &v : o.value(QLatin1String("user_list")).toArray())
        names.append(v.toString());
    return names;
}
#ifdef Q_OS_UNIX
// Logs in over a socket that takes little at a time (small segments, small receive buffer),
// so the server's kernel buffer for it stays small as well and a long message goes out in
// parts. Returns the payload of the own login confirmation (empty on failure).
QByteArray loginOverNarrowSocket(quint16 port, const QByteArray &loginJson)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    const int mss = 536;
    const int receiveBuffer = 4096;
    const timeval timeout{10, 0};
    ::setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof mss);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, sizeof receiveBuffer);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    auto sendAll = [fd](const QByteArray &bytes) {
        return ::send(fd, bytes.constData(), size_t(bytes.size()), MSG_NOSIGNAL) == bytes.size();
    };
    QByteArray in;
    auto readMore = [fd, &in] {
        char chunk[1024];
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n > 0)
            in.append(chunk, n);
        return n > 0;
    };
    QByteArray self;
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0 &&
        sendAll("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n")) {
        while (!in.contains("\r\n\r\n") && readMore()) {
        }
        in.remove(0, in.indexOf("\r\n\r\n") + 4);
        // One masked text frame (mask 0: the payload stays as it is).
        QByteArray frame("\x81", 1);
        frame.append(char(0x80 | loginJson.size())).append(4, '\0').append(loginJson);
        if (loginJson.size() < 126 && sendAll(frame)) {
            for (;;) {
                if (in.size() < 2 && !readMore())
                    break;
                const quint64 length = quint8(in[1]) & 0x7F;
                const int header = length == 127 ? 10 : length == 126 ? 4 : 2;
                while (in.size() < header && readMore()) {
                }
                if (in.size() < header)
                    break;
                const qint64 size = length == 127   ? qFromBigEndian<quint64>(in.constData() + 2)
                                    : length == 126 ? qFromBigEndian<quint16>(in.constData() + 2)
                                                    : length;
                while (in.size() < header + size && readMore()) {
                }
                if (in.size() < header + size)
                    break;
                const QByteArray payload = in.mid(header, size);
                in.remove(0, header + size);
                if (payload.contains("\"self\":true")) {
                    self = payload;
                    break;
                }
            }
        }
    }
    ::close(fd);
    return self;
}
#endif

// What QJsonDocument writes for a message: the server's bytes must be exactly these.
QByteArray qtCompact(const QByteArray &json)
{
    return QJsonDocument(QJsonDocument::fromJson(json).object()).toJson(QJsonDocument::Compact);
}
} // namespace

class TestChatFlow : public QObject
{
    Q_OBJECT
private:
    ServerProcess m_server;

    std::unique_ptr<TestClient> online(const QString &name, bool seed = false)
    {
        auto c = std::make_unique<TestClient>();
        if (!c->open(m_server.url()) || !c->login(name, seed))
            return nullptr;
        return c;
    }

private slots:
    void initTestCase() { QVERIFY(m_server.start()); }

    void handshakeAdvertisesVersionAndLimits()
    {
        TestClient c;
        QVERIFY(c.open(m_server.url()));
        QCOMPARE(c.handshake().value(QLatin1String("content")).toString(), QStringLiteral("done"));
        QCOMPARE(c.handshake().value(QLatin1String("version")).toInt(),
                 ProtocolLimits::kProtocolVersion);
        // Who may join: the packaged default is invite-only registration, guests welcome.
        const QJsonObject auth = c.handshake().value(QLatin1String("auth")).toObject();
        QCOMPARE(auth.value(QLatin1String("registration")).toString(), QStringLiteral("invite"));
        QCOMPARE(auth.value(QLatin1String("guests")).toBool(), true);
        const QJsonObject limits = c.handshake().value(QLatin1String("limits")).toObject();
        QCOMPARE(limits.value(QLatin1String("name_chars")).toInt(), 32);
        QVERIFY(limits.value(QLatin1String("message_bytes")).toInt() > 0);
    }

    void presenceOnJoinAndLeave()
    {
        auto alice = online(QStringLiteral("p_alice"));
        QVERIFY(alice);
        QVERIFY(alice->loginReply().value(QLatin1String("self")).toBool());
        QVERIFY(namesIn(alice->loginReply()).contains(QStringLiteral("p_alice")));

        auto bob = online(QStringLiteral("p_bob"));
        QVERIFY(bob);
        QVERIFY(namesIn(bob->loginReply()).contains(QStringLiteral("p_alice")));
        // Confab clients hear of joins and leaves in presence batches.
        const QJsonObject joined = alice->waitForPresence(QStringLiteral("p_bob"), true);
        QCOMPARE(typeOf(joined), QStringLiteral("presence"));
        QCOMPARE(joined.value(QLatin1String("online")).toInt(),
                 bob->loginReply().value(QLatin1String("online")).toInt());

        bob->socket().close();
        QVERIFY(!alice->waitForPresence(QStringLiteral("p_bob"), false).isEmpty());
        // One join, told once.
        QCOMPARE(alice
                     ->all([](const QJsonObject &o) {
                         return o.value(QLatin1String("joined"))
                             .toArray()
                             .contains(QStringLiteral("p_bob"));
                     })
                     .size(),
                 1);
    }

    void nameIsUniqueIgnoringCase()
    {
        auto alice = online(QStringLiteral("u_alice"));
        QVERIFY(alice);
        TestClient impostor;
        QVERIFY(impostor.open(m_server.url()));
        QVERIFY(!impostor.login(QStringLiteral("U_Alice")));
        QCOMPARE(impostor.loginReply().value(QLatin1String("code")).toString(),
                 QStringLiteral("name_taken"));
        // The refused client may try another name on the same connection.
        QVERIFY(impostor.login(QStringLiteral("u_alice2")));
    }

    void publicMessageReachesEveryoneWithServerSetSender()
    {
        auto alice = online(QStringLiteral("b_alice"));
        auto bob = online(QStringLiteral("b_bob"));
        auto carol = online(QStringLiteral("b_carol"));
        QVERIFY(alice && bob && carol);
        // A forged "from" is ignored: the server sets the sender.
        alice->sendJson(R"({"type":"user","content":"hello 你好 😀","id":"b-1","from":"b_bob"})");
        const QJsonObject ack = alice->waitForType(QStringLiteral("ack"));
        QCOMPARE(ack.value(QLatin1String("id")).toString(), QStringLiteral("b-1"));
        const qint64 seq = ack.value(QLatin1String("seq")).toInteger();
        QVERIFY(seq > 0);
        for (TestClient *c : {alice.get(), bob.get(), carol.get()}) {
            const QJsonObject m = c->waitForChat(QStringLiteral("hello 你好 😀"));
            QCOMPARE(m.value(QLatin1String("from")).toString(), QStringLiteral("b_alice"));
            QCOMPARE(m.value(QLatin1String("seq")).toInteger(), seq);
            QVERIFY(m.value(QLatin1String("ts")).toInteger() > 0);
            QVERIFY(!m.contains(QLatin1String("to")));
        }
    }

    void privateMessageOnlyForTheTwo()
    {
        auto alice = online(QStringLiteral("v_alice"));
        auto bob = online(QStringLiteral("v_bob"));
        auto carol = online(QStringLiteral("v_carol"));
        QVERIFY(alice && bob && carol);
        alice->sendChat(QStringLiteral("@v_bob the code is 1234"), QStringLiteral("v-1"));
        QCOMPARE(bob->waitForChat(QStringLiteral("@v_bob the code is 1234"))
                     .value(QLatin1String("to"))
                     .toString(),
                 QStringLiteral("v_bob"));
        bob->sendChat(QStringLiteral("got it"), QStringLiteral("v-2"), QStringLiteral("v_alice"));
        QVERIFY(!alice->waitForChat(QStringLiteral("@v_bob the code is 1234")).isEmpty());
        QVERIFY(!alice->waitForChat(QStringLiteral("got it")).isEmpty());
        // Messages are relayed in order, so once carol has the later public message she would
        // already hold the private ones had they leaked.
        alice->sendChat(QStringLiteral("public after private"), QStringLiteral("v-3"));
        QVERIFY(!carol->waitForChat(QStringLiteral("public after private")).isEmpty());
        QCOMPARE(carol->countChats(QStringLiteral("@v_bob the code is 1234")), 0);
        QCOMPARE(carol->countChats(QStringLiteral("got it")), 0);

        // Nor in carol's history, whichever conversation she asks for.
        for (const QString &with :
             {QString(), QStringLiteral("*"), QStringLiteral("v_alice"), QStringLiteral("v_bob")}) {
            carol->sendJson(MessageEncoder::historyRequest(with, 0, 0, 200, QStringLiteral("h")));
            const QJsonObject page = carol->waitForType(QStringLiteral("history"));
            QVERIFY(page.contains(QLatin1String("messages")));
            for (const QJsonValue &v : page.value(QLatin1String("messages")).toArray())
                QVERIFY2(!v.toObject()
                              .value(QLatin1String("to"))
                              .toString()
                              .startsWith(QLatin1String("v_")),
                         qPrintable(with));
        }
        // Bob's conversation with alice holds both, oldest first.
        bob->sendJson(MessageEncoder::historyRequest(QStringLiteral("v_alice"), 0, 0, 10));
        const QJsonArray mine =
            bob->waitForType(QStringLiteral("history")).value(QLatin1String("messages")).toArray();
        QCOMPARE(mine.size(), 2);
        QCOMPARE(mine.at(0).toObject().value(QLatin1String("content")).toString(),
                 QStringLiteral("@v_bob the code is 1234"));
        QCOMPARE(mine.at(1).toObject().value(QLatin1String("content")).toString(),
                 QStringLiteral("got it"));
    }

    void privateMessageToOneselfIsRefused()
    {
        auto alice = online(QStringLiteral("s_alice"));
        QVERIFY(alice);
        alice->sendChat(QStringLiteral("note"), QStringLiteral("s-1"), QStringLiteral("S_ALICE"));
        const QJsonObject e = alice->waitForError(QStringLiteral("bad_recipient"));
        QCOMPARE(e.value(QLatin1String("id")).toString(), QStringLiteral("s-1"));
    }

    void mentionsAreListedInPublicMessages()
    {
        auto alice = online(QStringLiteral("m_alice"));
        auto bob = online(QStringLiteral("m_bob"));
        QVERIFY(alice && bob);
        alice->sendChat(QStringLiteral("hey @m_bob, and @nobody. mail a@b.org"),
                        QStringLiteral("m-1"));
        const QJsonObject m =
            bob->waitForChat(QStringLiteral("hey @m_bob, and @nobody. mail a@b.org"));
        QCOMPARE(m.value(QLatin1String("mentions")).toArray(),
                 QJsonArray({QStringLiteral("m_bob"), QStringLiteral("nobody")}));
        QVERIFY(!m.contains(QLatin1String("to")));
    }

    void historyPagesBackwards()
    {
        auto alice = online(QStringLiteral("h_alice"));
        QVERIFY(alice);
        for (int i = 0; i < 25; ++i)
            alice->sendChat(QStringLiteral("page %1").arg(i), QStringLiteral("h-%1").arg(i));
        QVERIFY(!alice
                     ->waitFor([](const QJsonObject &o) {
                         return typeOf(o) == QLatin1String("ack") &&
                                o.value(QLatin1String("id")).toString() == QLatin1String("h-24");
                     })
                     .isEmpty());
        alice->sendJson(MessageEncoder::historyRequest(QString(), 0, 0, 10));
        const QJsonObject newest = alice->waitForType(QStringLiteral("history"));
        const QJsonArray page1 = newest.value(QLatin1String("messages")).toArray();
        QCOMPARE(page1.size(), 10);
        QVERIFY(newest.value(QLatin1String("more")).toBool());
        QCOMPARE(page1.last().toObject().value(QLatin1String("content")).toString(),
                 QStringLiteral("page 24"));
        QCOMPARE(page1.first().toObject().value(QLatin1String("content")).toString(),
                 QStringLiteral("page 15"));

        const qint64 oldestSeq = page1.first().toObject().value(QLatin1String("seq")).toInteger();
        alice->sendJson(MessageEncoder::historyRequest(QString(), oldestSeq, 0, 10));
        const QJsonArray page2 = alice->waitForType(QStringLiteral("history"))
                                     .value(QLatin1String("messages"))
                                     .toArray();
        QCOMPARE(page2.size(), 10);
        QCOMPARE(page2.last().toObject().value(QLatin1String("content")).toString(),
                 QStringLiteral("page 14"));

        // Catching up forwards from a known seq.
        alice->sendJson(MessageEncoder::historyRequest(QStringLiteral("*"), 0, oldestSeq, 3));
        const QJsonArray forward = alice->waitForType(QStringLiteral("history"))
                                       .value(QLatin1String("messages"))
                                       .toArray();
        QCOMPARE(forward.size(), 3);
        QCOMPARE(forward.first().toObject().value(QLatin1String("content")).toString(),
                 QStringLiteral("page 16"));
    }

    void resentMessageIsAcknowledgedButNotRepeated()
    {
        auto alice = online(QStringLiteral("d_alice"));
        auto bob = online(QStringLiteral("d_bob"));
        QVERIFY(alice && bob);
        alice->sendChat(QStringLiteral("only once"), QStringLiteral("d-1"));
        const QJsonObject first = alice->waitForType(QStringLiteral("ack"));
        alice->sendChat(QStringLiteral("only once"), QStringLiteral("d-1"));
        const QJsonObject second = alice->waitForType(QStringLiteral("ack"));
        QVERIFY(second.value(QLatin1String("duplicate")).toBool());
        QCOMPARE(second.value(QLatin1String("seq")).toInteger(),
                 first.value(QLatin1String("seq")).toInteger());
        alice->sendChat(QStringLiteral("marker"), QStringLiteral("d-2"));
        QVERIFY(!bob->waitForChat(QStringLiteral("marker")).isEmpty());
        QCOMPARE(bob->countChats(QStringLiteral("only once")), 1);
        QCOMPARE(alice->countChats(QStringLiteral("only once")), 1);
    }

    void seedClientChatsWithConfabClient()
    {
        // The original client.html: login without a version, no ids, renders innerHTML.
        auto seed = online(QStringLiteral("userAB12CD34"), true);
        QVERIFY(seed);
        QVERIFY(namesIn(seed->loginReply()).contains(QStringLiteral("userAB12CD34")));
        auto confab = online(QStringLiteral("c_alice"));
        QVERIFY(confab);
        // The seed page learns of every join with the full list.
        const QJsonObject join = seed->waitFor([](const QJsonObject &o) {
            return typeOf(o) == QLatin1String("login") &&
                   o.value(QLatin1String("content")).toString() == QLatin1String("c_alice");
        });
        QVERIFY(namesIn(join).contains(QStringLiteral("userAB12CD34")));
        QVERIFY(namesIn(join).contains(QStringLiteral("c_alice")));

        seed->sendJson(R"({"content":"hi <b>there</b>","type":"user"})");
        const QJsonObject atConfab = confab->waitForChat(QStringLiteral("hi <b>there</b>"));
        QCOMPARE(atConfab.value(QLatin1String("from")).toString(), QStringLiteral("userAB12CD34"));
        // The page puts content into innerHTML, so it gets it escaped.
        const QJsonObject atSeed = seed->waitForChat(QStringLiteral("hi &lt;b&gt;there&lt;/b&gt;"));
        QCOMPARE(atSeed.value(QLatin1String("from")).toString(), QStringLiteral("userAB12CD34"));

        confab->sendChat(QStringLiteral("welcome back"), QStringLiteral("c-1"));
        QCOMPARE(seed->waitForChat(QStringLiteral("welcome back"))
                     .value(QLatin1String("from"))
                     .toString(),
                 QStringLiteral("c_alice"));
        // An error reaches the page as a system message it can show; no unknown types.
        seed->sendJson(R"({"content":"","type":"user"})");
        const QJsonObject error = seed->waitForError(QStringLiteral("empty_message"));
        QCOMPARE(typeOf(error), QStringLiteral("system"));
        confab->sendJson(MessageEncoder::typingRequest(true));
        confab->sendChat(QStringLiteral("after typing"), QStringLiteral("c-2"));
        QVERIFY(!seed->waitForChat(QStringLiteral("after typing")).isEmpty());
        const QStringList seedTypes{QStringLiteral("handshake"), QStringLiteral("login"),
                                    QStringLiteral("logout"), QStringLiteral("user"),
                                    QStringLiteral("system")};
        QVERIFY(seed->all([&](const QJsonObject &o) { return !seedTypes.contains(typeOf(o)); })
                    .isEmpty());
        QVERIFY(seed->all([](const QJsonObject &o) { return typeOf(o) == QLatin1String("ack"); })
                    .isEmpty());

        // A seed user joining later sees recent public messages, as the page cannot ask.
        auto late = online(QStringLiteral("userLATE"), true);
        QVERIFY(late);
        QVERIFY(!late->waitForChat(QStringLiteral("welcome back")).isEmpty());
    }

    void typingReachesOthersOnly()
    {
        auto alice = online(QStringLiteral("t_alice"));
        auto bob = online(QStringLiteral("t_bob"));
        QVERIFY(alice && bob);
        alice->sendJson(MessageEncoder::typingRequest(true, QStringLiteral("t_bob")));
        const QJsonObject t = bob->waitForType(QStringLiteral("typing"));
        QCOMPARE(t.value(QLatin1String("from")).toString(), QStringLiteral("t_alice"));
        QVERIFY(t.value(QLatin1String("state")).toBool());
        QVERIFY(
            alice->all([](const QJsonObject &o) { return typeOf(o) == QLatin1String("typing"); })
                .isEmpty());
    }

    void logoutMessageClosesAndAnnounces()
    {
        auto alice = online(QStringLiteral("l_alice"));
        auto bob = online(QStringLiteral("l_bob"));
        QVERIFY(alice && bob);
        QVERIFY(!alice->waitForPresence(QStringLiteral("l_bob"), true).isEmpty());
        bob->sendJson(R"({"type":"logout"})");
        QVERIFY(bob->waitForDisconnected());
        QVERIFY(!alice->waitForPresence(QStringLiteral("l_bob"), false).isEmpty());
        // The name is free again.
        QVERIFY(online(QStringLiteral("l_bob")));
    }

    void presenceBatchesKeepEveryListRight()
    {
        // Churn around a client that logs in while a batch is being collected: its list
        // (login snapshot plus the batches after it) must end up equal to the server's.
        auto anchor = online(QStringLiteral("j_anchor"));
        QVERIFY(anchor);
        auto ghost = online(QStringLiteral("j_ghost")); // joins before the newcomer...
        QVERIFY(ghost);
        auto newcomer = online(QStringLiteral("j_new"));
        QVERIFY(newcomer);
        ghost->socket().close(); // ...and leaves right after it, inside the same batch
        QVERIFY(ghost->waitForDisconnected());
        auto late = online(QStringLiteral("j_late"));
        QVERIFY(late);
        QVERIFY(!newcomer->waitForPresence(QStringLiteral("j_late"), true).isEmpty());
        QSet<QString> list;
        for (const QString &n : namesIn(newcomer->loginReply()))
            list.insert(n);
        for (const QJsonObject &o : newcomer->all(
                 [](const QJsonObject &o) { return typeOf(o) == QLatin1String("presence"); })) {
            for (const QJsonValue &v : o.value(QLatin1String("left")).toArray())
                list.remove(v.toString());
            for (const QJsonValue &v : o.value(QLatin1String("joined")).toArray())
                list.insert(v.toString());
        }
        QVERIFY(!list.contains(QStringLiteral("j_ghost")));
        QVERIFY(list.contains(QStringLiteral("j_late")));
        QVERIFY(list.contains(QStringLiteral("j_anchor")));
        TestClient probe;
        QVERIFY(probe.open(m_server.url()) && probe.login(QStringLiteral("j_probe")));
        QSet<QString> truth;
        for (const QString &n : namesIn(probe.loginReply()))
            truth.insert(n);
        truth.remove(QStringLiteral("j_probe"));
        QCOMPARE(list, truth);
    }

    void sessionTokenResumesAfterADroppedConnection()
    {
        auto watcher = online(QStringLiteral("r_watch"));
        auto first = online(QStringLiteral("r_alice"));
        QVERIFY(watcher && first);
        const QString session = first->loginReply().value(QLatin1String("session")).toString();
        QCOMPARE(session.size(), 32);
        // Without the token, or with a wrong one, the name stays taken.
        TestClient stranger;
        QVERIFY(stranger.open(m_server.url()));
        stranger.sendJson(
            MessageEncoder::loginRequest(QStringLiteral("r_alice"), QStringLiteral("guess")));
        QVERIFY(!stranger.waitForError(QStringLiteral("name_taken")).isEmpty());
        // The same client, back before the server noticed the old connection died.
        TestClient again;
        QVERIFY(again.open(m_server.url()));
        again.sendJson(MessageEncoder::loginRequest(QStringLiteral("r_alice"), session));
        const QJsonObject reply = again.waitFor([](const QJsonObject &o) {
            return o.value(QLatin1String("self")).toBool() || o.contains(QLatin1String("code"));
        });
        QCOMPARE(typeOf(reply), QStringLiteral("login"));
        QVERIFY(reply.value(QLatin1String("session")).toString() != session);
        QVERIFY(!first->waitForError(QStringLiteral("replaced")).isEmpty());
        QVERIFY(first->waitForDisconnected());
        watcher->sendChat(QStringLiteral("still reachable?"), QStringLiteral("r-1"));
        QVERIFY(!again.waitForChat(QStringLiteral("still reachable?")).isEmpty());
        QCOMPARE(first->countChats(QStringLiteral("still reachable?")), 0);
    }

    void chatAndAckAreWhatQtWrites()
    {
        // The relay writes chat messages and acks by hand; the bytes must be what
        // QJsonDocument writes for the same object, in both dialects.
        const QString texts[] = {QStringLiteral("plain words"),
                                 QStringLiteral("quote\" back\\ <b>&amp;</b> tab\tnl\n\x01\x7f"),
                                 QString::fromUcs4(U"\U0001F600 \u540D\u5B57 Zo\u00EB \u2028"),
                                 QString(QChar(0xD800)) + QStringLiteral("lone"), QString()};
        qint64 seq = 1;
        for (const QString &text : texts) {
            for (const bool withOptional : {false, true}) {
                ChatMessage m;
                m.seq = seq++ * 7919;
                m.timestampMs = 1795655458483 + seq;
                m.from = QStringLiteral("Zo\u00EB");
                m.content = text;
                if (withOptional) {
                    m.clientId = text.isEmpty() ? QStringLiteral("c-1") : text;
                    m.to = QStringLiteral("b\"ob");
                    m.mentions = QStringList{QStringLiteral("carol"), text};
                }
                for (const Dialect d : {Dialect::Seed, Dialect::Confab})
                    QCOMPARE(
                        MessageEncoder::chat(m, d),
                        QJsonDocument(m.toJson(d == Dialect::Seed)).toJson(QJsonDocument::Compact));
                for (const bool duplicate : {false, true}) {
                    QJsonObject ack{{QStringLiteral("type"), QStringLiteral("ack")},
                                    {QStringLiteral("id"), text},
                                    {QStringLiteral("seq"), m.seq},
                                    {QStringLiteral("ts"), m.timestampMs}};
                    if (duplicate)
                        ack.insert(QStringLiteral("duplicate"), true);
                    QCOMPARE(MessageEncoder::ack(text, m.seq, m.timestampMs, duplicate),
                             QJsonDocument(ack).toJson(QJsonDocument::Compact));
                }
            }
        }
    }

    void userListPiecesAreWhatQtWrites()
    {
        // The server serialises user_list from MessageEncoder::jsonString pieces instead of
        // QJsonDocument; the bytes must not differ for any character.
        auto qt = [](const QString &s) {
            const QByteArray a = QJsonDocument(QJsonArray{s}).toJson(QJsonDocument::Compact);
            return a.mid(1, a.size() - 2);
        };
        for (uint u = 0; u < 0x10000; ++u) {
            const QString s = QString(QChar(char16_t(u))) + QStringLiteral("x");
            if (MessageEncoder::jsonString(s) != qt(s))
                QFAIL(qPrintable(QStringLiteral("U+%1 differs").arg(u, 4, 16, QLatin1Char('0'))));
        }
        const QStringList odd{QString(),
                              QStringLiteral("plain"),
                              QStringLiteral("quote\"back\\slash/"),
                              QStringLiteral("tab\tnl\ncr\r\x01\x1f\x7f"),
                              QString::fromUcs4(U"\U0001D49Clpha\U0001F600"),
                              QString(QChar(0xD800)) + QStringLiteral("lone"),
                              QStringLiteral("lone") + QChar(0xDC00),
                              QStringLiteral("Zo\u00EB \u540D\u5B57 a\u0301b \u2028")};
        for (const QString &s : odd)
            QCOMPARE(MessageEncoder::jsonString(s), qt(s));
        QCOMPARE(MessageEncoder::jsonArray({}), QByteArray("[]"));
        QCOMPARE(MessageEncoder::jsonArray(odd),
                 QJsonDocument(QJsonArray::fromStringList(odd)).toJson(QJsonDocument::Compact));
        // The list spliced into login and logout gives the same bytes as the QJsonObject path.
        const QByteArray list = MessageEncoder::jsonArray(odd);
        for (const Dialect d : {Dialect::Seed, Dialect::Confab}) {
            for (const bool self : {false, true}) {
                for (const QString &session : {QString(), QStringLiteral("0123abcd")}) {
                    QCOMPARE(MessageEncoder::login(QStringLiteral("n\"ame"), list, 7, self, d,
                                                   1795655458080, session),
                             MessageEncoder::login(QStringLiteral("n\"ame"), odd, 7, self, d,
                                                   1795655458080, session));
                }
            }
            // The server writes the head, the list and "}" without joining them first.
            QCOMPARE(
                MessageEncoder::loginHead(QStringLiteral("y"), 2, true, 5,
                                          d == Dialect::Confab ? QStringLiteral("s") : QString()) +
                    list + '}',
                MessageEncoder::login(QStringLiteral("y"), odd, 2, true, d, 5,
                                      d == Dialect::Confab ? QStringLiteral("s") : QString()));
            QCOMPARE(MessageEncoder::logout(QStringLiteral("x"), list, 3, d, 42),
                     MessageEncoder::logout(QStringLiteral("x"), odd, 3, d, 42));
        }
        // The online guests are spliced in the same way, into valid JSON.
        LoginInfo info;
        info.guestsJson = list;
        QJsonParseError error;
        const QJsonObject confirmation =
            QJsonDocument::fromJson(MessageEncoder::loginHead(QStringLiteral("y"), 2, true, 5,
                                                              QStringLiteral("s"), &info) +
                                        list + '}',
                                    &error)
                .object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(confirmation.value(QLatin1String("guests")).toArray(),
                 QJsonArray::fromStringList(odd));
        QCOMPARE(confirmation.value(QLatin1String("user_list")).toArray(),
                 QJsonArray::fromStringList(odd));
        QCOMPARE(confirmation.value(QLatin1String("session")).toString(), QStringLiteral("s"));
    }

    void userListKeepsJoinOrderAndEscapingThroughLeaves()
    {
        // Names as unusual as the name rules allow: non-Latin letters, combining marks, a
        // letter outside the BMP, dots and dashes.
        const QStringList names{QStringLiteral("o_Zo\u00EB"), QStringLiteral("o_\u540D\u5B57"),
                                QString::fromUcs4(U"o_\U00020000lpha"), QStringLiteral("o_\u00E1b"),
                                QStringLiteral("o_x.y-z")};
        QStringList seedRaw;
        TestClient seed;
        connect(&seed.socket(), &QWebSocket::textMessageReceived, this,
                [&](const QString &text) { seedRaw.append(text); });
        QVERIFY(seed.open(m_server.url()));
        QVERIFY(seed.login(QStringLiteral("o_seed"), true));
        std::vector<std::unique_ptr<TestClient>> clients;
        for (const QString &name : names) {
            clients.push_back(online(name));
            QVERIFY(clients.back());
        }
        // A newcomer's list (its raw bytes) after joins only, then after a leave.
        auto rawLogin = [&](const QString &name, QStringList *list) {
            QStringList raw;
            auto c = std::make_unique<TestClient>();
            connect(&c->socket(), &QWebSocket::textMessageReceived, c.get(),
                    [&raw](const QString &text) { raw.append(text); });
            if (!c->open(m_server.url()) || !c->login(name))
                return QByteArray();
            *list = namesIn(c->loginReply());
            for (const QString &r : raw) {
                if (r.contains(QLatin1String("\"self\":true")))
                    return r.toUtf8();
            }
            return QByteArray();
        };
        auto inOrder = [](const QStringList &list, const QStringList &expected) {
            QStringList seen;
            for (const QString &n : list) {
                if (expected.contains(n))
                    seen.append(n);
            }
            return seen == expected;
        };
        QStringList list;
        QByteArray raw = rawLogin(QStringLiteral("o_probe1"), &list);
        QVERIFY(!raw.isEmpty());
        QCOMPARE(raw, qtCompact(raw));
        QVERIFY(inOrder(list, QStringList{QStringLiteral("o_seed")} + names +
                                  QStringList{QStringLiteral("o_probe1")}));

        clients[1]->socket().close(); // the list is rebuilt on its next use
        QVERIFY(clients[1]->waitForDisconnected());
        const QJsonObject left = seed.waitForPresence(names[1], false);
        QCOMPARE(typeOf(left), QStringLiteral("logout"));
        QVERIFY(!namesIn(left).contains(names[1]));
        QStringList expected = names;
        expected.removeAt(1);
        QVERIFY(inOrder(namesIn(left), expected));
        raw = rawLogin(QStringLiteral("o_probe2"), &list);
        QVERIFY(!raw.isEmpty());
        QCOMPARE(raw, qtCompact(raw));
        QVERIFY(!list.contains(names[1]));
        QVERIFY(inOrder(list, QStringList{QStringLiteral("o_seed")} + expected +
                                  QStringList{QStringLiteral("o_probe2")}));
        // A name that comes back goes to the end, as it joined last.
        clients[1] = online(names[1]);
        QVERIFY(clients[1]);
        QVERIFY(inOrder(namesIn(clients[1]->loginReply()), expected + QStringList{names[1]}));
        // Every seed login/logout was written exactly as Qt would write it.
        QVERIFY(seedRaw.size() > names.size());
        for (const QString &r : seedRaw)
            QCOMPARE(r.toUtf8(), qtCompact(r.toUtf8()));
    }

    void longUserListArrivesWhole()
    {
        // 800 names of 32 code points, most outside the BMP (4 bytes of UTF-8 each): a list
        // of ~94 KB. The newcomer's socket takes only part of it at once, so the server
        // writes the confirmation in pieces straight from its list and leaves the rest to
        // Qt's buffer; the client must still get exactly the bytes Qt would write.
        ServerProcess server(
            {QStringLiteral("--max-connections-per-address"), QStringLiteral("1000"),
             QStringLiteral("--max-pending-upgrades-per-address"), QStringLiteral("1000")});
        QVERIFY(server.start());
        std::vector<std::unique_ptr<TestClient>> clients;
        for (int i = 0; i < 800; ++i) {
            clients.push_back(std::make_unique<TestClient>());
            clients.back()->socket().open(server.url());
        }
        for (const auto &c : clients)
            QVERIFY(!c->waitForType(QStringLiteral("handshake"), 10000).isEmpty());
        for (size_t i = 0; i < clients.size(); ++i) {
            QString name = QStringLiteral("n%1").arg(i);
            for (qsizetype n = name.size(); n < 32; ++n)  // code points
                name += QString::fromUcs4(U"\U00020000"); // a Han letter, 4 bytes of UTF-8
            clients[i]->sendJson(MessageEncoder::loginRequest(name));
        }
        // In the order the server took the logins: each was told its place in "online".
        QStringList names(qsizetype(clients.size()));
        for (const auto &c : clients) {
            const QJsonObject self = c->waitFor(
                [](const QJsonObject &o) { return o.value(QLatin1String("self")).toBool(); },
                10000);
            const int place = self.value(QLatin1String("online")).toInt();
            QVERIFY(place >= 1 && place <= names.size() && names.at(place - 1).isEmpty());
            names[place - 1] = self.value(QLatin1String("content")).toString();
        }
#ifdef Q_OS_UNIX
        const QByteArray self = loginOverNarrowSocket(
            server.port(), MessageEncoder::loginRequest(QStringLiteral("n_probe")));
#else
        QSKIP("needs POSIX sockets");
#endif
        QVERIFY(self.size() > 50000);
        QCOMPARE(self, qtCompact(self));
        QCOMPARE(namesIn(QJsonDocument::fromJson(self).object()),
                 names + QStringList{QStringLiteral("n_probe")});
    }

    void pingIsAnswered()
    {
        auto alice = online(QStringLiteral("g_alice"));
        QVERIFY(alice);
        alice->sendJson(R"({"type":"ping","id":"p1"})");
        QCOMPARE(alice->waitForType(QStringLiteral("pong")).value(QLatin1String("id")).toString(),
                 QStringLiteral("p1"));
    }
};

QTEST_GUILESS_MAIN(TestChatFlow)
#include "tst_chatflow.moc"
