// ClientSession's two shortcuts past the reconnect back-off, against a real confab-server: the
// machine woke from a sleep (a clock the test moves by hand), and the network came back (the
// test says so). Each must lead to exactly one new connection, and nothing else must (issue 15).
#include "net/clientsession.h"
#include "net/sessionclock.h"
#include "serverprocess.h"

#include <QHostAddress>
#include <QPointer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>
#include <utility>

namespace {
using State = ClientSession::State;

// A machine the test suspends: the wall clock moves only when told, and the monotonic clock
// never does. Counting the readings tells the test that the session has checked again.
class ManualClock : public SessionClock
{
public:
    qint64 wallMs() const override
    {
        ++m_readings;
        return m_wallMs;
    }
    qint64 monotonicMs() const override { return 0; }
    void sleep(qint64 ms) { m_wallMs += ms; }
    int readings() const { return m_readings; }

private:
    qint64 m_wallMs = 1'800'000'000'000;
    mutable int m_readings = 0;
};

// A TCP relay between the session and the server. It counts the connections the session
// opens, which no signal of the session shows (an attempt that is dropped before it gets
// anywhere leaves no trace there). While held it takes connections and passes nothing on, so
// the test can act while an attempt is under way.
class CountingRelay
{
public:
    explicit CountingRelay(quint16 serverPort) : m_serverPort(serverPort)
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket *client = m_server.nextPendingConnection()) {
                ++m_connections;
                if (m_holding)
                    m_held.append(client);
                else
                    pipe(client);
            }
        });
        m_server.listen(QHostAddress::LocalHost);
    }

    QUrl url() const
    {
        return QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(m_server.serverPort()));
    }
    bool isListening() const { return m_server.isListening(); }
    int connections() const { return m_connections; }
    void hold() { m_holding = true; }
    // Passes on the held connections the session has not given up.
    void release()
    {
        m_holding = false;
        for (QTcpSocket *client : std::as_const(m_held))
            if (client && client->state() == QAbstractSocket::ConnectedState)
                pipe(client);
        m_held.clear();
    }

private:
    void pipe(QTcpSocket *client)
    {
        auto *upstream = new QTcpSocket(client);
        QObject::connect(upstream, &QTcpSocket::connected, client, [client, upstream] {
            auto forward = [client, upstream] {
                upstream->write(client->readAll());
            };
            QObject::connect(client, &QTcpSocket::readyRead, upstream, forward);
            forward();
        });
        QObject::connect(upstream, &QTcpSocket::readyRead, client,
                         [client, upstream] { client->write(upstream->readAll()); });
        QObject::connect(upstream, &QTcpSocket::disconnected, client,
                         &QTcpSocket::disconnectFromHost);
        QObject::connect(upstream, &QTcpSocket::errorOccurred, client,
                         [client] { client->disconnectFromHost(); });
        QObject::connect(client, &QTcpSocket::disconnected, upstream,
                         &QTcpSocket::disconnectFromHost);
        upstream->connectToHost(QHostAddress::LocalHost, m_serverPort);
    }

    QTcpServer m_server;
    quint16 m_serverPort;
    int m_connections = 0;
    bool m_holding = false;
    QList<QPointer<QTcpSocket>> m_held;
};

// A session whose wake-up check reads `clock` every 20 ms instead of every 5 s.
std::unique_ptr<ClientSession> sessionWithClock(ManualClock *clock)
{
    auto s = std::make_unique<ClientSession>();
    s->setReconnectDelays(50, 400);
    s->setClock(clock);
    s->setClockCheckInterval(20);
    return s;
}

int count(const QSignalSpy &states, State state)
{
    int n = 0;
    for (const QList<QVariant> &args : states)
        n += args.at(0).value<State>() == state ? 1 : 0;
    return n;
}

bool contains(const QSignalSpy &history, const QString &content)
{
    for (const QList<QVariant> &args : history)
        for (const ChatMessage &m : args.at(1).value<QList<ChatMessage>>())
            if (m.content == content)
                return true;
    return false;
}
} // namespace

Q_DECLARE_METATYPE(ChatMessage)

class TestSessionWake : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { qRegisterMetaType<ChatMessage>(); }

    void wakeUpReconnectsOnceAndResumes()
    {
        ServerProcess server;
        QVERIFY(server.start());
        CountingRelay relay(server.port());
        QVERIFY(relay.isListening());
        ManualClock clock;
        auto alice = sessionWithClock(&clock);
        QSignalSpy aliceIn(alice.get(), &ClientSession::loggedIn);
        alice->open(relay.url(), QStringLiteral("alice"));
        QVERIFY(aliceIn.wait());
        ClientSession bob;
        QSignalSpy bobIn(&bob, &ClientSession::loggedIn);
        bob.open(server.url(), QStringLiteral("bob"));
        QVERIFY(bobIn.wait());
        // Something only alice's identity may read again: a new guest by her name could not.
        QSignalSpy aliceGot(alice.get(), &ClientSession::messageReceived);
        bob.sendMessage(QStringLiteral("for alice only"), QStringLiteral("alice"));
        QVERIFY(aliceGot.wait());

        QSignalSpy states(alice.get(), &ClientSession::stateChanged);
        QSignalSpy lost(alice.get(), &ClientSession::connectionLost);
        clock.sleep(60000);
        QVERIFY(aliceIn.wait());
        QCOMPARE(aliceIn.size(), 2);
        QCOMPARE(relay.connections(), 2);
        QCOMPARE(count(states, State::Reconnecting), 1);
        QVERIFY(lost.isEmpty()); // nothing was lost, and no back-off attempt comes on top
        QCOMPARE(alice->reconnectRemainingMs(), -1);

        // The next checks find the clocks in step again.
        const int readings = clock.readings();
        QTRY_VERIFY(clock.readings() >= readings + 5);
        QCOMPARE(relay.connections(), 2);
        QCOMPARE(aliceIn.size(), 2);
        QCOMPARE(alice->state(), State::Online);

        // Resumed: the same identity, and one alice on the server.
        QCOMPARE(aliceIn.last().at(1).toStringList().count(QStringLiteral("alice")), 1);
        QSignalSpy history(alice.get(), &ClientSession::historyReceived);
        alice->requestHistory(QStringLiteral("bob"), 0);
        QTRY_VERIFY(contains(history, QStringLiteral("for alice only")));
        QTRY_COMPARE(bob.onlineUsers().count(QStringLiteral("alice")), 1);
    }

    void smallDriftIsNoSleep()
    {
        ServerProcess server;
        QVERIFY(server.start());
        CountingRelay relay(server.port());
        QVERIFY(relay.isListening());
        ManualClock clock;
        auto s = sessionWithClock(&clock);
        QSignalSpy in(s.get(), &ClientSession::loggedIn);
        s->open(relay.url(), QStringLiteral("alice"));
        QVERIFY(in.wait());

        QSignalSpy states(s.get(), &ClientSession::stateChanged);
        clock.sleep(9000); // the wall clock set right, just under what counts as a sleep
        const int readings = clock.readings();
        QTRY_VERIFY(clock.readings() >= readings + 5);
        QVERIFY(states.isEmpty());
        QCOMPARE(relay.connections(), 1);
        QCOMPARE(s->state(), State::Online);
    }

    void wakeUpAfterTheSessionEndedStaysOffline()
    {
        ServerProcess server;
        QVERIFY(server.start());
        CountingRelay relay(server.port());
        QVERIFY(relay.isListening());
        ManualClock clock;
        auto s = sessionWithClock(&clock);
        QSignalSpy in(s.get(), &ClientSession::loggedIn);
        s->open(relay.url(), QStringLiteral("alice"));
        QVERIFY(in.wait());
        QSignalSpy ended(s.get(), &ClientSession::sessionEnded);
        s->signOut();
        QVERIFY(ended.wait());
        QTRY_COMPARE(s->state(), State::Offline);

        clock.sleep(60000);
        const int readings = clock.readings();
        QTRY_VERIFY(clock.readings() >= readings + 5);
        QCOMPARE(s->state(), State::Offline);
        QCOMPARE(relay.connections(), 1);
    }

    void networkReturnCutsTheBackOffShortOnce()
    {
        ServerProcess server;
        QVERIFY(server.start());
        CountingRelay relay(server.port());
        QVERIFY(relay.isListening());
        ClientSession s;
        // A back-off far longer than the test may take: only the trigger can bring it back.
        s.setReconnectDelays(60000, 60000);
        QSignalSpy in(&s, &ClientSession::loggedIn);
        QSignalSpy lost(&s, &ClientSession::connectionLost);
        s.open(relay.url(), QStringLiteral("alice"));
        QVERIFY(in.wait());

        QVERIFY(server.stop());
        QTRY_COMPARE(lost.size(), 1);
        QVERIFY(s.reconnectRemainingMs() > 40000);
        QVERIFY(server.start()); // the same port

        relay.hold();
        s.networkReturned();
        QTRY_COMPARE(relay.connections(), 2); // at once, not after the back-off
        QCOMPARE(s.reconnectRemainingMs(), -1);
        // The network flickers while the attempt is under way: it is not started again.
        s.networkReturned();
        relay.release();
        QVERIFY(in.wait());
        QCOMPARE(in.size(), 2);
        QCOMPARE(s.state(), State::Online);
        QCOMPARE(relay.connections(), 2);
        QCOMPARE(lost.size(), 1);
        QCOMPARE(s.reconnectRemainingMs(), -1);
    }

    void networkReturnWhileOnlineChangesNothing()
    {
        ServerProcess server;
        QVERIFY(server.start());
        CountingRelay relay(server.port());
        QVERIFY(relay.isListening());
        ClientSession s;
        s.setReconnectDelays(50, 400);
        QSignalSpy in(&s, &ClientSession::loggedIn);
        s.open(relay.url(), QStringLiteral("alice"));
        QVERIFY(in.wait());

        QSignalSpy states(&s, &ClientSession::stateChanged);
        s.networkReturned();
        QVERIFY(states.isEmpty());
        // A round trip later it is still the same connection.
        QSignalSpy acked(&s, &ClientSession::messageAcknowledged);
        s.sendMessage(QStringLiteral("still here"));
        QVERIFY(acked.wait());
        QVERIFY(states.isEmpty());
        QCOMPARE(relay.connections(), 1);
        QCOMPARE(in.size(), 1);
    }
};

QTEST_MAIN(TestSessionWake)
#include "tst_sessionwake.moc"
