// Issue 13, "Adapting to the network": a call through a real server whose caller's uplink the
// test throttles (a TCP proxy in this process that forwards alice's bytes to the server at a
// set rate, and reads no more from her while it holds a backlog, so the queue builds in her
// socket and on the path as on a slow link). Alice's bandwidth estimate must fall, her video
// step down the ladder to 320x240@15 (bob sees it), her voice keep flowing, and all of it climb
// back once the link is fast again. The impaired-network benchmark (netns, tc) measures the
// same with real links; this is the check that runs everywhere.
#include "call/callsession.h"
#include "net/clientsession.h"
#include "serverprocess.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <memory>

namespace {

// Forwards one direction at `rateKbps` (0: as fast as it comes), the other as it comes.
class ThrottleProxy : public QObject
{
public:
    explicit ThrottleProxy(quint16 targetPort) : m_targetPort(targetPort)
    {
        connect(&m_listener, &QTcpServer::newConnection, this, &ThrottleProxy::accept);
        m_tick.setInterval(kTickMs);
        connect(&m_tick, &QTimer::timeout, this, &ThrottleProxy::pump);
        m_tick.start();
    }
    bool listen() { return m_listener.listen(QHostAddress::LocalHost); }
    quint16 port() const { return m_listener.serverPort(); }
    void setRateKbps(int kbps) { m_rateKbps = kbps; }

private:
    static constexpr int kTickMs = 10;
    static constexpr qint64 kHeldBytes = 16 * 1024; // read no more while this much waits

    void accept()
    {
        while (QTcpSocket *client = m_listener.nextPendingConnection()) {
            // A small receive buffer, so that what is not forwarded backs up into the
            // sender's socket instead of the kernel's buffers here.
            client->setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 32 * 1024);
            client->setReadBufferSize(kHeldBytes);
            auto *upstream = new QTcpSocket(client);
            upstream->connectToHost(QHostAddress::LocalHost, m_targetPort);
            connect(upstream, &QTcpSocket::readyRead, client,
                    [client, upstream] { client->write(upstream->readAll()); });
            connect(upstream, &QTcpSocket::disconnected, client, &QTcpSocket::disconnectFromHost);
            connect(client, &QTcpSocket::disconnected, upstream, &QTcpSocket::disconnectFromHost);
            connect(client, &QTcpSocket::readyRead, this, &ThrottleProxy::pump);
            m_client = client;
            m_upstream = upstream;
        }
    }

    void pump()
    {
        if (!m_client || !m_upstream || m_upstream->state() != QAbstractSocket::ConnectedState)
            return;
        if (m_rateKbps <= 0) {
            m_upstream->write(m_client->readAll());
            m_budget = 0;
            m_clock.invalidate();
            return;
        }
        // The bytes the rate allows since the last call, with at most a few kB of burst.
        const qint64 ms = m_clock.isValid() ? m_clock.restart() : (m_clock.start(), 0);
        m_budget = std::min<double>(m_budget + m_rateKbps / 8.0 * double(ms), 4096);
        const qint64 n = std::min<qint64>(qint64(m_budget), m_client->bytesAvailable());
        if (n > 0) {
            m_upstream->write(m_client->read(n));
            m_budget -= double(n);
        }
    }

    quint16 m_targetPort;
    QTcpServer m_listener;
    QTimer m_tick;
    QPointer<QTcpSocket> m_client;
    QPointer<QTcpSocket> m_upstream;
    int m_rateKbps = 0;
    double m_budget = 0;
    QElapsedTimer m_clock;
};

struct User
{
    std::unique_ptr<ClientSession> session;
    std::unique_ptr<CallSession> calls;
};

User online(const QUrl &url, const QString &name)
{
    User u;
    u.session = std::make_unique<ClientSession>();
    QSignalSpy in(u.session.get(), &ClientSession::loggedIn);
    u.session->open(url, name);
    if (!in.wait())
        return {};
    u.calls = std::make_unique<CallSession>(u.session.get());
    u.calls->setDevices({QStringLiteral("test-pattern"), QStringLiteral("tone"),
                         QStringLiteral("none"), QStringLiteral("vp8")});
    return u;
}

} // namespace

class TestCallAdaptation : public QObject
{
    Q_OBJECT
private slots:
    void aSlowUplinkStepsDownTheLadderAndBack()
    {
        ServerProcess server;
        QVERIFY(server.start());
        ThrottleProxy proxy(quint16(server.url().port()));
        QVERIFY(proxy.listen());
        QUrl throughProxy = server.url();
        throughProxy.setPort(proxy.port());
        User alice = online(throughProxy, QStringLiteral("alice"));
        User bob = online(server.url(), QStringLiteral("bob"));
        QVERIFY(alice.session && bob.session);

        // Bob's view of alice's video, and her voice, from his statistics.
        VideoStats bobSees;
        qint64 bobAudioKbpsSamples = 0;
        connect(bob.calls.get(), &CallSession::statsChanged, this, [&](const CallStats &s) {
            bobSees = s.video;
            if (s.audio.receivedKbps > 5)
                ++bobAudioKbpsSamples;
        });
        QSignalSpy incoming(bob.calls.get(), &CallSession::incomingCall);
        QVERIFY(alice.calls->call(QStringLiteral("bob")));
        QVERIFY(incoming.wait());
        bob.calls->accept();
        QTRY_COMPARE(alice.calls->state(), CallSession::State::Active);

        // A fast link: 640x480 (the test pattern's size, so the ladder's top here).
        QTRY_COMPARE_WITH_TIMEOUT(bobSees.receivedSize, QSize(640, 480), 20000);
        QCOMPARE(alice.calls->allocation().step, 1);

        // 250 kbit/s: the estimate falls under it and alice steps down; bob gets 320x240.
        proxy.setRateKbps(250);
        QTRY_VERIFY_WITH_TIMEOUT(alice.calls->allocation().step == 0, 30000);
        QVERIFY(alice.calls->allocation().estimateKbps < 300);
        QTRY_COMPARE_WITH_TIMEOUT(bobSees.receivedSize, QSize(320, 240), 30000);
        // Audio first: the voice gives way only while video is at its floor (the queue that
        // built up drains), gets its rate back once the link carries it, and keeps arriving.
        const BandwidthEstimator::Allocation low = alice.calls->allocation();
        if (low.audioBitrate < BandwidthEstimator::kAudioKbps * 1000)
            QCOMPARE(low.videoKbps, BandwidthEstimator::kMinVideoKbps);
        QVERIFY(low.audioBitrate >= BandwidthEstimator::kMinAudioKbps * 1000);
        QTRY_COMPARE_WITH_TIMEOUT(alice.calls->allocation().audioBitrate,
                                  BandwidthEstimator::kAudioKbps * 1000, 30000);
        const qint64 audioBefore = bobAudioKbpsSamples;
        QTRY_VERIFY_WITH_TIMEOUT(bobAudioKbpsSamples >= audioBefore + 3, 10000);

        // The link is fast again: back up to 640x480.
        proxy.setRateKbps(0);
        QTRY_VERIFY_WITH_TIMEOUT(alice.calls->allocation().step == 1, 60000);
        QTRY_COMPARE_WITH_TIMEOUT(bobSees.receivedSize, QSize(640, 480), 30000);
        QCOMPARE(alice.calls->state(), CallSession::State::Active);
        QCOMPARE(bob.calls->state(), CallSession::State::Active);
        alice.calls->hangUp();
    }
};

QTEST_MAIN(TestCallAdaptation)
#include "tst_calladaptation.moc"
