// ClientSession against a real confab-server process: login, refusal, reconnect after the
// server dies, offline sending; nothing lost and nothing doubled.
#include "net/clientsession.h"
#include "serverprocess.h"

#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include <memory>

namespace {
using State = ClientSession::State;

std::unique_ptr<ClientSession> fastSession()
{
    auto s = std::make_unique<ClientSession>();
    s->setReconnectDelays(50, 400);
    return s;
}

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
                if (args.at(0).value<ChatMessage>().content == QLatin1String("while the server is down"))
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
};

QTEST_GUILESS_MAIN(TestClientSession)
#include "tst_clientsession.moc"
