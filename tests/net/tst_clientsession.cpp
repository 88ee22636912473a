// ClientSession against a real confab-server process: login, refusal, reconnect after the
// server dies, offline sending; nothing lost and nothing doubled. And against a fake server
// that sends what no real one would.
#include "net/clientsession.h"
#include "net/sessionclock.h"
#include "protocol/messageencoder.h"
#include "serverprocess.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

#include <memory>

namespace {
using State = ClientSession::State;

std::unique_ptr<ClientSession> fastSession()
{
    auto s = std::make_unique<ClientSession>();
    s->setReconnectDelays(50, 400);
    return s;
}

// A clock the test moves by hand; the wall clock moves with it (no sleep to notice).
class SteppedClock : public SessionClock
{
public:
    qint64 wallMs() const override { return 1'800'000'000'000 + m_ms; }
    qint64 monotonicMs() const override { return m_ms; }
    void advance(qint64 ms) { m_ms += ms; }

private:
    qint64 m_ms = 0;
};

int countContent(const QSignalSpy &spy, const QString &content)
{
    int n = 0;
    for (const QList<QVariant> &args : spy)
        n += args.at(0).value<ChatMessage>().content == content ? 1 : 0;
    return n;
}
} // namespace

Q_DECLARE_METATYPE(ChatMessage)

class TestClientSession : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { qRegisterMetaType<ChatMessage>(); }

    void logsInAfterTheHandshake()
    {
        ServerProcess server;
        QVERIFY(server.start());
        auto s = fastSession();
        QSignalSpy states(s.get(), &ClientSession::stateChanged);
        QSignalSpy loggedIn(s.get(), &ClientSession::loggedIn);
        s->open(server.url(), QStringLiteral("alice"));
        QVERIFY(loggedIn.wait());
        QCOMPARE(s->state(), State::Online);
        QList<State> seen;
        for (const auto &args : states)
            seen << args.at(0).value<State>();
        QCOMPARE(seen, (QList<State>{State::Connecting, State::Handshaking, State::LoggingIn,
                                     State::Online}));
        QCOMPARE(loggedIn.at(0).at(1).toStringList(), QStringList{QStringLiteral("alice")});
        QCOMPARE(s->limits().maxNameChars, 32);
    }

    void takenNameFailsWithoutRetrying()
    {
        ServerProcess server;
        QVERIFY(server.start());
        auto first = fastSession();
        QSignalSpy firstIn(first.get(), &ClientSession::loggedIn);
        first->open(server.url(), QStringLiteral("alice"));
        QVERIFY(firstIn.wait());
        auto second = fastSession();
        QSignalSpy failed(second.get(), &ClientSession::loginFailed);
        second->open(server.url(), QStringLiteral("Alice"));
        QVERIFY(failed.wait());
        QCOMPARE(failed.at(0).at(0).value<ErrorCode>(), ErrorCode::NameTaken);
        QCOMPARE(second->state(), State::Offline);
        QCOMPARE(second->reconnectRemainingMs(), -1);
    }

    void unreachableServerIsRetried()
    {
        ServerProcess server;
        QVERIFY(server.start());
        const QUrl url = server.url();
        server.kill();
        auto s = fastSession();
        QSignalSpy lost(s.get(), &ClientSession::connectionLost);
        QSignalSpy loggedIn(s.get(), &ClientSession::loggedIn);
        s->open(url, QStringLiteral("alice"));
        QVERIFY(lost.wait());
        QVERIFY(lost.at(0).at(1).toInt() > 0); // a retry is scheduled
        // Written while there is no server at all: kept, and sent once it is back.
        const QString id = s->sendMessage(QStringLiteral("written offline"));
        QCOMPARE(s->outbox().size(), 1);
        QVERIFY(server.start());
        QVERIFY(loggedIn.wait(10000));
        QSignalSpy acked(s.get(), &ClientSession::messageAcknowledged);
        QVERIFY(acked.wait() || !acked.isEmpty());
        QCOMPARE(acked.at(0).at(0).toString(), id);
        QVERIFY(s->outbox().isEmpty());
    }

    void survivesServerCrashWithNothingLostOrDoubled()
    {
        ServerProcess server;
        QVERIFY(server.start());
        auto alice = fastSession();
        auto bob = fastSession();
        QSignalSpy aliceIn(alice.get(), &ClientSession::loggedIn);
        QSignalSpy bobIn(bob.get(), &ClientSession::loggedIn);
        QSignalSpy bobGot(bob.get(), &ClientSession::messageReceived);
        QSignalSpy bobHistory(bob.get(), &ClientSession::historyReceived);
        alice->open(server.url(), QStringLiteral("alice"));
        bob->open(server.url(), QStringLiteral("bob"));
        QVERIFY(aliceIn.wait());
        QVERIFY(bobIn.count() == 1 || bobIn.wait());

        QSignalSpy aliceAcked(alice.get(), &ClientSession::messageAcknowledged);
        alice->sendMessage(QStringLiteral("before the crash"));
        QVERIFY(aliceAcked.wait());
        QTRY_COMPARE(countContent(bobGot, QStringLiteral("before the crash")), 1);

        server.kill();
        QTRY_COMPARE(alice->state(), State::Reconnecting);
        QTRY_COMPARE(bob->state(), State::Reconnecting);
        alice->sendMessage(QStringLiteral("while the server is down"));
        QVERIFY(server.start());
        QTRY_COMPARE_WITH_TIMEOUT(alice->state(), State::Online, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(bob->state(), State::Online, 10000);
        QTRY_VERIFY(alice->outbox().isEmpty());

        // Bob gets it live, in his catch-up after reconnecting, or both: always as the one
        // stored message (one seq), which the models show once.
        auto delivered = [&] {
            QSet<qint64> seqs;
            for (const auto &args : bobGot)
                if (args.at(0).value<ChatMessage>().content ==
                    QLatin1String("while the server is down"))
                    seqs.insert(args.at(0).value<ChatMessage>().seq);
            for (const auto &args : bobHistory)
                for (const ChatMessage &m : args.at(1).value<QList<ChatMessage>>())
                    if (m.content == QLatin1String("while the server is down"))
                        seqs.insert(m.seq);
            return seqs.size();
        };
        QTRY_COMPARE(delivered(), 1);
        QCOMPARE(countContent(bobGot, QStringLiteral("before the crash")), 1);
    }

    void keepsSendingOrderAcrossReconnect()
    {
        ServerProcess server;
        QVERIFY(server.start());
        auto alice = fastSession();
        QSignalSpy in(alice.get(), &ClientSession::loggedIn);
        alice->open(server.url(), QStringLiteral("alice"));
        QVERIFY(in.wait());
        server.kill();
        QTRY_COMPARE(alice->state(), State::Reconnecting);
        for (int i = 0; i < 5; ++i)
            alice->sendMessage(QStringLiteral("offline %1").arg(i));
        QVERIFY(server.start());
        QSignalSpy got(alice.get(), &ClientSession::messageReceived);
        QTRY_COMPARE_WITH_TIMEOUT(got.size(), 5, 10000);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(got.at(i).at(0).value<ChatMessage>().content,
                     QStringLiteral("offline %1").arg(i));
    }

    void rejectedMessageIsReportedNotRetried()
    {
        ServerProcess server({QStringLiteral("--max-text-chars"), QStringLiteral("10")});
        QVERIFY(server.start());
        auto s = fastSession();
        QSignalSpy in(s.get(), &ClientSession::loggedIn);
        s->open(server.url(), QStringLiteral("alice"));
        QVERIFY(in.wait());
        QSignalSpy rejected(s.get(), &ClientSession::messageRejected);
        const QString id = s->sendMessage(QStringLiteral("this is far too long"));
        QVERIFY(rejected.wait());
        QCOMPARE(rejected.at(0).at(0).toString(), id);
        QCOMPARE(rejected.at(0).at(1).value<ErrorCode>(), ErrorCode::MessageTooLong);
        QVERIFY(s->outbox().isEmpty());
    }

    void aCatchUpAfterAReconnectReadsAgainWhatMayStillHaveBeenOnItsWay()
    {
        // Several nodes: the one this session is on relays its own user's seq 11 at once and
        // would relay seq 10 when the bus brings it, but it dies first. The catch-up on the
        // next node must not start after 11, or 10 is never seen (issue 12's failover test).
        // A seq counts as surely complete once it was seen 10 s ago (CatchUpPoint).
        QWebSocketServer fake(QStringLiteral("fake"), QWebSocketServer::NonSecureMode);
        QVERIFY(fake.listen(QHostAddress::LocalHost));
        std::unique_ptr<QWebSocket> peer;
        QList<qint64> afters; // the "after" of each catch-up the session asked for
        QString lastRef;
        connect(&fake, &QWebSocketServer::newConnection, this, [&] {
            peer.reset(fake.nextPendingConnection());
            peer->sendTextMessage(QString::fromUtf8(
                MessageEncoder::handshake(ProtocolLimits{}, QStringLiteral("node"), {}, true)));
            connect(peer.get(), &QWebSocket::textMessageReceived, this, [&](const QString &text) {
                const QJsonObject o = QJsonDocument::fromJson(text.toUtf8()).object();
                if (o.value(QLatin1String("type")).toString() == QLatin1String("login"))
                    peer->sendTextMessage(QStringLiteral(
                        R"({"account":false,"content":"alice","guests":["alice"],"online":1,"self":true,"session":"0123456789abcdef0123456789abcdef","ts":1,"type":"login","user_list":["alice"]})"));
                if (o.value(QLatin1String("type")).toString() == QLatin1String("history")) {
                    afters << qint64(o.value(QLatin1String("after")).toDouble());
                    lastRef = o.value(QLatin1String("id")).toString();
                }
            });
        });
        auto message = [](qint64 seq) {
            ChatMessage m;
            m.seq = seq;
            m.timestampMs = 1000 + seq;
            m.from = QStringLiteral("bob");
            m.content = QStringLiteral("m%1").arg(seq);
            return m;
        };
        auto s = fastSession();
        SteppedClock clock;
        s->setClock(&clock);
        QSignalSpy in(s.get(), &ClientSession::loggedIn);
        QSignalSpy live(s.get(), &ClientSession::messageReceived);
        QSignalSpy pages(s.get(), &ClientSession::historyReceived);
        s->open(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(fake.serverPort())),
                QStringLiteral("alice"));
        QVERIFY(in.wait());
        s->loadNewest(); // the window opening: the newest page
        QTRY_COMPARE(afters.size(), 1);
        QCOMPARE(afters.at(0), 0);
        peer->sendTextMessage(QString::fromUtf8(MessageEncoder::history(
            QStringLiteral("*"), {message(9)}, false, lastRef)));
        QTRY_COMPARE(pages.size(), 1);

        clock.advance(20000); // 9 is surely complete by now
        peer->sendTextMessage(QString::fromUtf8(MessageEncoder::chat(message(11), Dialect::Confab)));
        QTRY_COMPARE(s->lastSeq(), 11);
        peer->abort(); // the node dies before 10 reaches it
        QTRY_COMPARE(in.size(), 2);
        QTRY_COMPARE(afters.size(), 2);
        QCOMPARE(afters.at(1), 9); // not 11
        peer->sendTextMessage(QString::fromUtf8(MessageEncoder::history(
            QStringLiteral("*"), {message(10), message(11)}, false, lastRef)));
        QTRY_COMPARE(pages.size(), 2);
        QCOMPARE(pages.at(1).at(1).value<QList<ChatMessage>>().first().content,
                 QStringLiteral("m10"));
        QCOMPARE(s->lastSeq(), 11);

        // Once 11 was seen long enough ago, the next catch-up starts after it.
        clock.advance(10000);
        peer->abort();
        QTRY_COMPARE(in.size(), 3);
        QTRY_COMPARE(afters.size(), 3);
        QCOMPARE(afters.at(2), 11);
        QCOMPARE(live.size(), 1);
        s->close();
    }

    void badMessagesFromTheServerAreDropped()
    {
        // A broken or hostile server (a fake one here): what does not decode is dropped with a
        // warning that names the problem, nothing of it is acted on, and the session goes on.
        QWebSocketServer fake(QStringLiteral("fake"), QWebSocketServer::NonSecureMode);
        QVERIFY(fake.listen(QHostAddress::LocalHost));
        std::unique_ptr<QWebSocket> peer;
        connect(&fake, &QWebSocketServer::newConnection, this, [&] {
            peer.reset(fake.nextPendingConnection());
            peer->sendTextMessage(QString::fromUtf8(
                MessageEncoder::handshake(ProtocolLimits{}, QStringLiteral("fake"))));
            connect(peer.get(), &QWebSocket::textMessageReceived, this, [&](const QString &text) {
                if (text.contains(QLatin1String(R"("type":"login")")))
                    peer->sendTextMessage(QStringLiteral(
                        R"({"account":false,"content":"alice","guests":["alice"],"online":1,"self":true,"session":"0123456789abcdef0123456789abcdef","ts":1,"type":"login","user_list":["alice"]})"));
            });
        });
        auto s = fastSession();
        QSignalSpy in(s.get(), &ClientSession::loggedIn);
        s->open(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(fake.serverPort())),
                QStringLiteral("alice"));
        QVERIFY(in.wait());
        QSignalSpy received(s.get(), &ClientSession::messageReceived);
        QSignalSpy history(s.get(), &ClientSession::historyReceived);
        QSignalSpy calls(s.get(), &ClientSession::callEventReceived);
        QSignalSpy errors(s.get(), &ClientSession::errorReceived);
        QSignalSpy invites(s.get(), &ClientSession::inviteCreated);

        const char *prefix = "dropped a message from the server: ";
        for (const char *problem : {"out of range: seq", "not a JSON object",
                                    "wrong type: messages[0]", "wrong type: call", "not JSON"})
            QTest::ignoreMessage(QtWarningMsg,
                                 qPrintable(QLatin1String(prefix) + QLatin1String(problem)));
        for (const char *bad : {
                 R"({"content":"x","from":"bob","seq":1e300,"ts":1,"type":"user"})",
                 "[1,2]",
                 R"({"id":"h-1","messages":[7],"more":true,"type":"history","with":""})",
                 R"({"call":"7","from":"bob","type":"call_invite"})",
                 "{\"type\":",
             })
            peer->sendTextMessage(QString::fromUtf8(bad));
        // An invite code has a "code" field too; it is not an error.
        peer->sendTextMessage(QStringLiteral(
            R"({"code":"7QK2M9-B4XTNV-0R8HCD-W3PJ6F","expires":1796260258604,"id":"inv-1","type":"invite","uses":2})"));
        peer->sendTextMessage(QStringLiteral(R"({"call":7,"from":"bob","type":"call_ringing"})"));
        peer->sendTextMessage(
            QStringLiteral(R"({"content":"fine","from":"bob","seq":5,"ts":1,"type":"user"})"));

        QTRY_COMPARE(received.size(), 1);
        QCOMPARE(received.at(0).at(0).value<ChatMessage>().content, QStringLiteral("fine"));
        QCOMPARE(s->lastSeq(), 5); // not the 1e300 of the dropped one
        QVERIFY(history.isEmpty());
        QCOMPARE(calls.size(), 1);
        QCOMPARE(calls.at(0).at(0).value<ServerMessage>().type, ServerMessage::Type::CallRinging);
        QCOMPARE(calls.at(0).at(0).value<ServerMessage>().callId, 7u);
        QCOMPARE(invites.size(), 1);
        QCOMPARE(invites.at(0).at(0).toString(), QStringLiteral("7QK2M9-B4XTNV-0R8HCD-W3PJ6F"));
        QCOMPARE(invites.at(0).at(1).toInt(), 2);
        QVERIFY(errors.isEmpty());
        QCOMPARE(s->state(), State::Online);
        s->close();
    }
};

QTEST_GUILESS_MAIN(TestClientSession)
#include "tst_clientsession.moc"
