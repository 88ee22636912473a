// Host mode (issue 13): the desktop client's embedded server runs on a thread of its own. Two
// users call each other through it, in this process as in host mode; the GUI thread is blocked
// for 300 ms mid-call, and the relay goes on meanwhile: the far end's voice keeps playing and
// the video comes again.
#include "call/callsession.h"
#include "embeddedserver.h"
#include "media/testpatternsource.h"
#include "net/clientsession.h"

#include "guiblock.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/core.hpp>

#include <memory>

namespace {
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
    u.calls->setDevices(
        {QStringLiteral("test-pattern"), QStringLiteral("tone"), QStringLiteral("none")});
    return u;
}

qint64 frameNumber(const QImage &image)
{
    const QImage bgr = image.convertToFormat(QImage::Format_BGR888);
    const cv::Mat m(bgr.height(), bgr.width(), CV_8UC3, const_cast<uchar *>(bgr.constBits()),
                    size_t(bgr.bytesPerLine()));
    return TestPatternSource::readNumber(m);
}
} // namespace

class TestHostedCall : public QObject
{
    Q_OBJECT
private slots:
    void theEmbeddedServerRelaysWhileTheGuiThreadIsBlocked()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        EmbeddedServer server;
        QString error;
        QVERIFY2(server.start(0, dir.filePath(QStringLiteral("hosted.sqlite")), &error, false),
                 qPrintable(error));
        QVERIFY(server.isRunning());
        QVERIFY(server.port() != 0);
        QVERIFY(server.serverThread()->isRunning());
        QVERIFY(server.serverThread() != QThread::currentThread());

        const QUrl url(server.localAddress());
        User alice = online(url, QStringLiteral("alice"));
        User bob = online(url, QStringLiteral("bob"));
        QVERIFY(alice.session && bob.session);
        QSignalSpy incoming(bob.calls.get(), &CallSession::incomingCall);
        QVERIFY(alice.calls->call(QStringLiteral("bob")));
        QVERIFY(incoming.wait());
        bob.calls->accept();
        QTRY_COMPARE(alice.calls->state(), CallSession::State::Active);
        QTRY_COMPARE(bob.calls->state(), CallSession::State::Active);

        guiblock::checkCallSurvivesBlockedGui(*bob.calls, frameNumber);
        if (QTest::currentTestFailed())
            return;

        // Chat still goes through it, and it stops cleanly with users connected.
        QSignalSpy chat(bob.session.get(), &ClientSession::messageReceived);
        alice.session->sendMessage(QStringLiteral("still there?"));
        QVERIFY(chat.wait());
        QSignalSpy ended(bob.calls.get(), &CallSession::ended);
        server.stop();
        QVERIFY(!server.isRunning());
        QVERIFY(!server.serverThread()->isRunning());
        QVERIFY(ended.size() > 0 || ended.wait());
        QCOMPARE(bob.calls->state(), CallSession::State::Idle);

        // And starts again on the same file.
        QVERIFY2(server.start(0, dir.filePath(QStringLiteral("hosted.sqlite")), &error, false),
                 qPrintable(error));
        User carol = online(QUrl(server.localAddress()), QStringLiteral("carol"));
        QVERIFY(carol.session);
    }

    void aPortInUseIsReported()
    {
        QTemporaryDir dir;
        EmbeddedServer first;
        QString error;
        QVERIFY(first.start(0, dir.filePath(QStringLiteral("a.sqlite")), &error, false));
        EmbeddedServer second;
        QVERIFY(
            !second.start(first.port(), dir.filePath(QStringLiteral("b.sqlite")), &error, false));
        QVERIFY(!error.isEmpty());
        QVERIFY(!second.isRunning());
        QVERIFY(!second.serverThread()->isRunning());
    }
};

QTEST_MAIN(TestHostedCall)
#include "tst_hostedcall.moc"
