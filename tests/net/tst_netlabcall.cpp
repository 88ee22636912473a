// A real call over impaired links (issue 13), what a user would notice whether or not the call
// adapts to the link: run by tests/support/netlab.sh (ctest does), alice and bob in one network
// namespace, confab-server in another, each user on a veth link of their own that tbf caps;
// alice's connection also goes through an ImpairmentProxy, which can hold everything for a
// while (a link outage or a burst of loss, as TCP sees it). Test-pattern camera, tone
// microphone, speaker "none"; every wait is bounded, no assertion is on time.
// Without root or ip netns (a developer's machine) it skips, saying why; in CI it must run.
#include "call/callsession.h"
#include "impairmentproxy.h"
#include "net/clientsession.h"
#include "netlab.h"

#include <QHostAddress>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>

namespace {
struct User
{
    std::unique_ptr<ClientSession> session;
    std::unique_ptr<CallSession> calls;
    // Frames handed to the speaker (its audio thread), and those among them with nothing
    // received to play (concealed or silence).
    std::atomic<int> played{0};
    std::atomic<int> concealed{0};
};

bool online(User &u, const QUrl &url, const QString &name)
{
    u.session = std::make_unique<ClientSession>();
    QSignalSpy in(u.session.get(), &ClientSession::loggedIn);
    u.session->open(url, name);
    if (!in.wait(15000))
        return false;
    u.calls = std::make_unique<CallSession>(u.session.get());
    u.calls->setDevices({QStringLiteral("test-pattern"), QStringLiteral("tone"),
                         QStringLiteral("none"), QStringLiteral("vp8")});
    User *user = &u;
    QObject::connect(
        u.calls->audioPipeline(), &AudioPipeline::framePlayed, u.calls->audioPipeline(),
        [user](const QByteArray &, qint64 latencyUs) {
            ++user->played;
            if (latencyUs < 0)
                ++user->concealed;
        },
        Qt::DirectConnection);
    return true;
}

// Waits (at most timeoutMs) until `count` new pictures of the far end have been taken, as the
// call window takes them: takeRemoteFrame() gives a picture only when a new one was decoded
// since the last take, so a frozen picture gives none. Any resolution (the calls may adapt it).
bool freshPictures(CallSession &calls, int count, int timeoutMs)
{
    calls.takeRemoteFrame(); // what waited already is not fresh
    int taken = 0;
    return QTest::qWaitFor(
        [&] {
            if (!calls.takeRemoteFrame().isNull())
                ++taken;
            return taken >= count;
        },
        timeoutMs);
}

bool bothActive(const User &a, const User &b)
{
    return a.calls->state() == CallSession::State::Active &&
           b.calls->state() == CallSession::State::Active;
}
} // namespace

class TestNetlabCall : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        if (!m_lab.unavailableReason().isEmpty())
            QSKIP(
                qPrintable(QStringLiteral("no impaired links here: ") + m_lab.unavailableReason()));
        QString error;
        QVERIFY2(m_lab.startServer({}, &error), qPrintable(error));
        // Alice through the proxy (in this namespace, on its own thread), then her link.
        m_proxy = new ImpairmentProxy(ImpairmentSettings{});
        m_proxy->moveToThread(&m_proxyThread);
        connect(&m_proxyThread, &QThread::finished, m_proxy, &QObject::deleteLater);
        m_proxyThread.start();
        bool listening = false;
        QMetaObject::invokeMethod(
            m_proxy,
            [&] {
                listening = m_proxy->listen(QHostAddress::LocalHost, 0,
                                            QHostAddress(m_lab.aliceHost()), m_lab.serverPort());
            },
            Qt::BlockingQueuedConnection);
        QVERIFY(listening);
        const QUrl viaProxy(QStringLiteral("ws://127.0.0.1:%1").arg(m_proxy->port()));
        QVERIFY(online(m_alice, viaProxy, QStringLiteral("alice")));
        QVERIFY(online(m_bob, m_lab.bobUrl(), QStringLiteral("bob")));
        QSignalSpy incoming(m_bob.calls.get(), &CallSession::incomingCall);
        QVERIFY(m_alice.calls->call(QStringLiteral("bob")));
        QVERIFY(incoming.wait(10000));
        m_bob.calls->accept();
        QVERIFY(QTest::qWaitFor([&] { return bothActive(m_alice, m_bob); }, 10000));
        // Both see the other before any impairment.
        QVERIFY(freshPictures(*m_bob.calls, 5, 10000));
        QVERIFY(freshPictures(*m_alice.calls, 5, 10000));
    }

    void cleanupTestCase()
    {
        if (m_alice.calls)
            m_alice.calls->hangUp();
        m_alice.calls.reset();
        m_bob.calls.reset();
        m_alice.session.reset();
        m_bob.session.reset();
        m_proxyThread.quit();
        m_proxyThread.wait(5000);
        m_lab.stopServer();
    }

    // Both links capped at 500 kbit/s each way, less than the 640x480 video at 30 fps asks for.
    // Over 8 s of audio (400 frames each side) the call stays up, the pictures keep moving both
    // ways and some of the far end's voice reaches each speaker. How much: today (no bandwidth
    // estimation, video at its full rate) most of it is concealed (about 90%, the audio waits
    // behind video in the same TCP stream and comes too late for the jitter buffer; see
    // docs/benchmarks.md, "Calls over impaired links"), so the bound here is only that the
    // audio path is not cut off; the share heard is logged. Tighten it to the target
    // once the calls adapt.
    void voiceAndPicturesThroughA500kbitCap()
    {
        QString error;
        QVERIFY2(m_lab.setRate(QStringLiteral("both"), QStringLiteral("500kbit"), &error),
                 qPrintable(error));
        // Let the queues fill to what the cap makes of them (2 s of audio) before counting.
        const int settle = m_bob.played;
        QVERIFY(QTest::qWaitFor([&] { return m_bob.played - settle >= 100; }, 10000));
        const int played[2] = {m_alice.played, m_bob.played};
        const int concealed[2] = {m_alice.concealed, m_bob.concealed};
        QVERIFY(QTest::qWaitFor(
            [&] { return m_alice.played - played[0] >= 400 && m_bob.played - played[1] >= 400; },
            30000));
        const int heard[2] = {(m_alice.played - played[0]) - (m_alice.concealed - concealed[0]),
                              (m_bob.played - played[1]) - (m_bob.concealed - concealed[1])};
        const int due[2] = {m_alice.played - played[0], m_bob.played - played[1]};
        qInfo("under the cap: alice heard %d of %d frames, bob %d of %d", heard[0], due[0],
              heard[1], due[1]);
        QVERIFY2(heard[0] > 0, "no voice from bob reaches alice");
        QVERIFY2(heard[1] > 0, "no voice from alice reaches bob");
        QVERIFY2(freshPictures(*m_bob.calls, 5, 10000), "bob's picture of alice froze");
        QVERIFY2(freshPictures(*m_alice.calls, 5, 10000), "alice's picture of bob froze");
        QVERIFY(bothActive(m_alice, m_bob));
        QVERIFY(m_lab.setRate(QStringLiteral("both"), QStringLiteral("none"), &error));
    }

    // Alice's connection holds everything for 3 s, both ways (an outage; what a burst of loss
    // does to TCP): the call stays up on the same connections, and afterwards both hear and
    // see each other again.
    void callSurvivesAThreeSecondStall()
    {
        // Any change of state would be a lost connection (Online is where both are).
        QSignalSpy aliceDropped(m_alice.session.get(), &ClientSession::stateChanged);
        QSignalSpy bobDropped(m_bob.session.get(), &ClientSession::stateChanged);
        QVERIFY(freshPictures(*m_bob.calls, 1, 10000));
        const int bobConcealedBefore = m_bob.concealed;
        QMetaObject::invokeMethod(m_proxy, [p = m_proxy] { p->stallFor(3000); });
        // The stall is real: bob's speaker gets concealment, nothing from alice.
        QVERIFY(QTest::qWaitFor([&] { return m_bob.concealed - bobConcealedBefore >= 25; }, 10000));
        // And it ends: fresh audio from alice (frames played that are not concealment) ...
        const int playedMark = m_bob.played, concealedMark = m_bob.concealed;
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         return (m_bob.played - playedMark) - (m_bob.concealed - concealedMark) >=
                                50;
                     },
                     20000),
                 "bob does not hear alice again after the stall");
        const int alicePlayedMark = m_alice.played, aliceConcealedMark = m_alice.concealed;
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         return (m_alice.played - alicePlayedMark) -
                                    (m_alice.concealed - aliceConcealedMark) >=
                                50;
                     },
                     20000),
                 "alice does not hear bob again after the stall");
        // ... and moving pictures both ways.
        QVERIFY2(freshPictures(*m_bob.calls, 5, 10000), "bob's picture of alice stays frozen");
        QVERIFY2(freshPictures(*m_alice.calls, 5, 10000), "alice's picture of bob stays frozen");
        QVERIFY(bothActive(m_alice, m_bob));
        QCOMPARE(aliceDropped.size(), 0);
        QCOMPARE(bobDropped.size(), 0);
    }

private:
    NetLab m_lab;
    QThread m_proxyThread;
    ImpairmentProxy *m_proxy = nullptr;
    User m_alice, m_bob;
};

QTEST_GUILESS_MAIN(TestNetlabCall)
#include "tst_netlabcall.moc"
