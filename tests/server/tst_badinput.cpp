// Bad input of every kind gets its error code; other users never notice.
#include "protocol/messageencoder.h"
#include "rawwebsocket.h"
#include "serverprocess.h"
#include "testclient.h"

#include <QJsonArray>
#include <QTest>

#include <memory>

class TestBadInput : public QObject
{
    Q_OBJECT
private:
    ServerProcess m_server;
    TestClient m_speaker;  // an honest user who keeps talking
    TestClient m_listener; // an honest user who must keep hearing it
    int m_marker = 0;

    // The honest pair still works: a new message from one reaches the other.
    bool othersUnaffected(TestClient &speaker, TestClient &listener)
    {
        const QString text = QStringLiteral("still here %1").arg(++m_marker);
        speaker.sendChat(text, QStringLiteral("mark-%1").arg(m_marker));
        return !listener.waitForChat(text).isEmpty();
    }
    bool othersUnaffected() { return othersUnaffected(m_speaker, m_listener); }

    static bool seesLogout(TestClient &c, const QString &name, int timeoutMs = 10000)
    {
        return !c.waitForPresence(name, false, timeoutMs).isEmpty();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_server.start());
        QVERIFY(m_speaker.open(m_server.url()) && m_speaker.login(QStringLiteral("speaker")));
        QVERIFY(m_listener.open(m_server.url()) && m_listener.login(QStringLiteral("listener")));
    }

    void badMessagesGetTheirCode_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("code");
        QTest::newRow("invalid json") << QByteArray("{not json") << QStringLiteral("bad_json");
        QTest::newRow("json array") << QByteArray("[1,2,3]") << QStringLiteral("bad_json");
        QTest::newRow("wrong shape") << QByteArray(R"({"type":"user","content":["x"],"id":"w1"})")
                                     << QStringLiteral("bad_shape");
        QTest::newRow("no type") << QByteArray(R"({"content":"x"})") << QStringLiteral("bad_shape");
        QTest::newRow("unknown type")
            << QByteArray(R"({"type":"selfdestruct"})") << QStringLiteral("unknown_type");
        QTest::newRow("json escape surrogate")
            << QByteArray(R"({"type":"user","content":"\udc00","id":"u1"})")
            << QStringLiteral("bad_utf8");
        QTest::newRow("control characters")
            << QByteArray(R"({"type":"user","content":"ring\u0007","id":"c1"})")
            << QStringLiteral("bad_text");
        QTest::newRow("too long") << QByteArray(R"({"type":"user","id":"l1","content":")") +
                                         QByteArray(4001, 'x') + QByteArray(R"("})")
                                  << QStringLiteral("message_too_long");
        QTest::newRow("oversize") << QByteArray(R"({"type":"user","id":"o1","content":")") +
                                         QByteArray(20000, 'x') + QByteArray(R"("})")
                                  << QStringLiteral("too_large");
        QTest::newRow("second login")
            << QByteArray(R"({"type":"login","content":"again","version":1})")
            << QStringLiteral("already_logged_in");
        QTest::newRow("unknown call type")
            << QByteArray(R"({"type":"call_transfer","to":"listener"})")
            << QStringLiteral("unsupported");
    }
    void badMessagesGetTheirCode()
    {
        QFETCH(QByteArray, input);
        QFETCH(QString, code);
        TestClient offender;
        QVERIFY(offender.open(m_server.url()));
        QVERIFY(offender.login(QStringLiteral("offender")));
        offender.sendJson(input);
        const QJsonObject error = offender.waitForError(code);
        QVERIFY2(!error.isEmpty(), qPrintable(code));
        QCOMPARE(error.value(QLatin1String("type")).toString(), QStringLiteral("error"));
        QVERIFY(!error.value(QLatin1String("content")).toString().isEmpty());
        // Not fatal: the connection stays and works.
        const QString sorry =
            QStringLiteral("sorry for %1").arg(QLatin1String(QTest::currentDataTag()));
        offender.sendChat(sorry, QStringLiteral("ok-1"));
        QVERIFY(!offender.waitForType(QStringLiteral("ack")).isEmpty());
        QVERIFY(othersUnaffected());
        QCOMPARE(m_listener.countChats(sorry), 1);
    }

    void badLoginsGetTheirCode_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("code");
        QTest::newRow("empty") << QString() << QStringLiteral("name_empty");
        QTest::newRow("overlong") << QString(33, QLatin1Char('n'))
                                  << QStringLiteral("name_too_long");
        QTest::newRow("control") << QStringLiteral("bad\x07name") << QStringLiteral("name_invalid");
        QTest::newRow("spaces") << QStringLiteral("two words") << QStringLiteral("name_invalid");
        QTest::newRow("taken") << QStringLiteral("Listener") << QStringLiteral("name_taken");
    }
    void badLoginsGetTheirCode()
    {
        QFETCH(QString, name);
        QFETCH(QString, code);
        TestClient c;
        QVERIFY(c.open(m_server.url()));
        QVERIFY(!c.login(name));
        QCOMPARE(c.loginReply().value(QLatin1String("code")).toString(), code);
        QVERIFY(c.isConnected());
        QVERIFY(othersUnaffected());
    }

    void messageBeforeLogin()
    {
        TestClient c;
        QVERIFY(c.open(m_server.url()));
        c.sendJson(R"({"type":"user","content":"sneaky","id":"x","version":1})");
        QVERIFY(!c.waitForError(QStringLiteral("not_logged_in")).isEmpty());
        c.sendJson(MessageEncoder::historyRequest(QString(), 0, 0, 10));
        QVERIFY(!c.waitForError(QStringLiteral("not_logged_in")).isEmpty());
        QVERIFY(othersUnaffected());
        QCOMPARE(m_listener.countChats(QStringLiteral("sneaky")), 0);
    }

    void binaryGarbage()
    {
        TestClient c;
        QVERIFY(c.open(m_server.url()));
        c.sendBinary(QByteArray("\x00\xff\x13garbage", 10));
        QVERIFY(!c.waitForError(QStringLiteral("not_logged_in")).isEmpty());
        QVERIFY(c.login(QStringLiteral("binary")));
        c.sendBinary(QByteArray(300, '\x7f'));
        QVERIFY(!c.waitForError(QStringLiteral("bad_media")).isEmpty());
        QVERIFY(c.isConnected());
        QVERIFY(othersUnaffected());
    }

    void invalidUtf8TextFrame()
    {
        RawWebSocket raw;
        QVERIFY(raw.open(m_server.port()));
        QVERIFY(raw.waitForText("handshake"));
        raw.sendText(R"({"type":"login","content":"rawuser","version":1})");
        QVERIFY(raw.waitForText("\"self\":true"));
        QVERIFY(!m_listener.waitForPresence(QStringLiteral("rawuser"), true).isEmpty());
        raw.sendText("{\"type\":\"user\",\"content\":\"\xC3\x28\xFF\"}");
        // RFC 6455 requires failing the connection: close code 1007 (invalid frame payload).
        QVERIFY(raw.waitForClose());
        QCOMPARE(raw.closeCode(), 1007);
        QVERIFY(seesLogout(m_listener, QStringLiteral("rawuser")));
        QVERIFY(othersUnaffected());
    }

    void hugeFrameIsRefusedByTheTransport()
    {
        TestClient c;
        QVERIFY(c.open(m_server.url()));
        QVERIFY(c.login(QStringLiteral("huge")));
        QVERIFY(!m_listener.waitForPresence(QStringLiteral("huge"), true).isEmpty());
        // Past twice the advertised limit the server does not even buffer it.
        c.sendRaw(QString(600 * 1024, QLatin1Char('x')));
        QVERIFY(c.waitForDisconnected(10000));
        QCOMPARE(int(c.socket().closeCode()), 1009);
        QVERIFY(seesLogout(m_listener, QStringLiteral("huge")));
        QVERIFY(othersUnaffected());
    }

    void floodIsLimitedThenDisconnected()
    {
        ServerProcess server({QStringLiteral("--rate-limit"), QStringLiteral("5"),
                              QStringLiteral("--rate-burst"), QStringLiteral("10"),
                              QStringLiteral("--flood-strikes"), QStringLiteral("100")});
        QVERIFY(server.start());
        TestClient speaker, listener, flooder;
        QVERIFY(speaker.open(server.url()) && speaker.login(QStringLiteral("speaker")));
        QVERIFY(listener.open(server.url()) && listener.login(QStringLiteral("listener")));
        QVERIFY(flooder.open(server.url()) && flooder.login(QStringLiteral("flooder")));
        QVERIFY(!listener.waitForPresence(QStringLiteral("flooder"), true).isEmpty());
        for (int i = 0; i < 500; ++i)
            flooder.sendChat(QStringLiteral("spam %1").arg(i), QStringLiteral("f-%1").arg(i));
        QVERIFY(!flooder.waitForError(QStringLiteral("rate_limited")).isEmpty());
        QVERIFY(flooder.waitForDisconnected(10000));
        QCOMPARE(flooder.socket().closeReason(), QStringLiteral("flood"));
        QVERIFY(seesLogout(listener, QStringLiteral("flooder")));
        // Only the burst (less the login's token) got through; the rest was refused, not stored.
        const int relayed = int(listener
                                    .all([](const QJsonObject &o) {
                                        return o.value(QLatin1String("content"))
                                            .toString()
                                            .startsWith(QLatin1String("spam"));
                                    })
                                    .size());
        QVERIFY2(relayed >= 9 && relayed < 100, qPrintable(QString::number(relayed)));
        QVERIFY(othersUnaffected(speaker, listener));
    }

    void floodOfBadInputIsLimitedToo()
    {
        ServerProcess server({QStringLiteral("--rate-limit"), QStringLiteral("5"),
                              QStringLiteral("--rate-burst"), QStringLiteral("10"),
                              QStringLiteral("--flood-strikes"), QStringLiteral("50")});
        QVERIFY(server.start());
        TestClient flooder;
        QVERIFY(flooder.open(server.url()));
        for (int i = 0; i < 300; ++i)
            flooder.sendRaw(QStringLiteral("{garbage"));
        QVERIFY(flooder.waitForDisconnected(10000));
        QCOMPARE(flooder.socket().closeReason(), QStringLiteral("flood"));
        QVERIFY(flooder
                    .all([](const QJsonObject &o) {
                        return o.value(QLatin1String("code")).toString() ==
                               QLatin1String("bad_json");
                    })
                    .size() < 50);
    }

    void connectionThatNeverLogsInIsClosed()
    {
        ServerProcess server({QStringLiteral("--login-timeout"), QStringLiteral("0.5"),
                              QStringLiteral("--ping-interval"), QStringLiteral("0.2")});
        QVERIFY(server.start());
        TestClient lurker; // answers pings, so only the login timeout can end it
        QVERIFY(lurker.open(server.url()));
        QVERIFY(!lurker.waitForError(QStringLiteral("login_timeout"), 10000).isEmpty());
        QVERIFY(lurker.waitForDisconnected());
        QCOMPARE(lurker.socket().closeReason(), QStringLiteral("login_timeout"));
    }

    void receiverThatNeverReadsIsDropped()
    {
        ServerProcess server(
            ServerProcess::unlimited() +
            QStringList{QStringLiteral("--max-queued-bytes"), QStringLiteral("65536")});
        QVERIFY(server.start());
        TestClient speaker, listener;
        QVERIFY(speaker.open(server.url()) && speaker.login(QStringLiteral("speaker")));
        QVERIFY(listener.open(server.url()) && listener.login(QStringLiteral("listener")));
        RawWebSocket sleeper;
        QVERIFY(sleeper.open(server.port(), 4096));
        QVERIFY(sleeper.waitForText("handshake"));
        sleeper.sendText(R"({"type":"login","content":"sleeper","version":1})");
        QVERIFY(sleeper.waitForText("\"self\":true"));
        QVERIFY(!listener.waitForPresence(QStringLiteral("sleeper"), true).isEmpty());
        sleeper.stopReading();

        // Far more than socket buffers can hold, sent until the sleeper is dropped.
        const QString chunk(3900, QLatin1Char('z'));
        int sent = 0;
        bool dropped = false;
        while (!dropped && sent < 4000) {
            for (int i = 0; i < 100; ++i, ++sent)
                speaker.sendChat(chunk + QString::number(sent), QStringLiteral("s-%1").arg(sent));
            dropped = seesLogout(listener, QStringLiteral("sleeper"), 200);
        }
        QVERIFY2(dropped || seesLogout(listener, QStringLiteral("sleeper")),
                 "slow receiver never dropped");
        QVERIFY(server.log().contains(QLatin1String("dropping slow receiver sleeper")));
        // The honest listener got every message, in order.
        const QString last = chunk + QString::number(sent - 1);
        QVERIFY(!listener.waitForChat(last, 20000).isEmpty());
        const auto all = listener.all([](const QJsonObject &o) {
            return o.value(QLatin1String("type")).toString() == QLatin1String("user");
        });
        QCOMPARE(all.size(), sent);
        QVERIFY(othersUnaffected(speaker, listener));
    }

    void silentConnectionTimesOut()
    {
        ServerProcess server({QStringLiteral("--ping-interval"), QStringLiteral("0.2"),
                              QStringLiteral("--idle-timeout"), QStringLiteral("1")});
        QVERIFY(server.start());
        TestClient listener;
        QVERIFY(listener.open(server.url()) && listener.login(QStringLiteral("listener")));
        RawWebSocket silent; // never answers pings
        QVERIFY(silent.open(server.port()));
        QVERIFY(silent.waitForText("handshake"));
        silent.sendText(R"({"type":"login","content":"silent","version":1})");
        QVERIFY(silent.waitForText("\"self\":true"));
        QVERIFY(!listener.waitForPresence(QStringLiteral("silent"), true).isEmpty());
        QVERIFY2(seesLogout(listener, QStringLiteral("silent")), qPrintable(server.log()));
        QVERIFY(silent.waitForClose());
        QVERIFY(silent.waitForText("idle_timeout"));
        // The listener was just as quiet but answers pings, so it stays.
        QVERIFY(listener.isConnected());
        TestClient speaker;
        QVERIFY(speaker.open(server.url()) && speaker.login(QStringLiteral("speaker")));
        QVERIFY(othersUnaffected(speaker, listener));
    }

    void tooManyConnectionsFromOneAddress()
    {
        ServerProcess server(
            {QStringLiteral("--max-connections-per-address"), QStringLiteral("3")});
        QVERIFY(server.start());
        std::vector<std::unique_ptr<TestClient>> clients;
        for (int i = 0; i < 3; ++i) {
            clients.push_back(std::make_unique<TestClient>());
            QVERIFY(clients.back()->open(server.url()));
            QVERIFY(clients.back()->login(QStringLiteral("c%1").arg(i)));
        }
        // A fourth may connect (it might be an account holder come to sign in), but not stay
        // as a fourth guest from this address.
        TestClient extra;
        QVERIFY(extra.open(server.url()));
        QVERIFY(!extra.login(QStringLiteral("c3")));
        QCOMPARE(extra.loginError(), QStringLiteral("too_many_connections"));
        QVERIFY(extra.waitForDisconnected());
        QCOMPARE(extra.socket().closeReason(), QStringLiteral("too_many_connections"));
        // Closing one frees a place.
        clients.front()->socket().close();
        QVERIFY(clients.front()->waitForDisconnected());
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         TestClient probe;
                         return probe.open(server.url()) && probe.login(QStringLiteral("again"));
                     },
                     5000),
                 qPrintable(server.log()));
        QVERIFY(othersUnaffected(*clients[1], *clients[2]));
    }
};

QTEST_GUILESS_MAIN(TestBadInput)
#include "tst_badinput.moc"
