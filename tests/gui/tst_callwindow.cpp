// Calls in the windows, offscreen, between two users of a real server: the call buttons,
// the incoming-call dialog, the call window's pictures, buttons, shortcuts and statistics,
// and what each side is told when a call ends.
#include "builtinmedia.h"
#include "call/callsession.h"
#include "callcoordinator.h"
#include "callwindow.h"
#include "incomingcalldialog.h"
#include "mainwindow.h"
#include "model/chatcontroller.h"
#include "serverprocess.h"
#include "settings/settings.h"
#include "videoview.h"

#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <memory>

namespace {
// One user with a main window and calls through the test pattern and tone.
struct Client
{
    std::unique_ptr<ChatController> controller;
    std::unique_ptr<Settings> settings;
    std::unique_ptr<CallSession> calls;
    std::unique_ptr<MainWindow> window;

    CallWindow *callWindow() const { return coordinatorOf(window.get())->callWindow(); }
    IncomingCallDialog *dialog() const { return coordinatorOf(window.get())->incomingDialog(); }
};

std::unique_ptr<Client> client(const QUrl &url, const QString &name, const QString &iniPath)
{
    auto c = std::make_unique<Client>();
    c->controller = std::make_unique<ChatController>();
    QSignalSpy in(c->controller->session(), &ClientSession::loggedIn);
    c->controller->connectTo(url, name);
    if (!in.wait())
        return nullptr;
    c->settings = std::make_unique<Settings>(iniPath);
    c->calls = std::make_unique<CallSession>(c->controller->session());
    c->calls->setDevices({QStringLiteral("test-pattern"), QStringLiteral("tone"),
                          QStringLiteral("none"), QStringLiteral("vp8")});
    c->window = std::make_unique<MainWindow>(c->controller.get(), c->settings.get());
    launcherFor(c->window.get(), c->calls.get(), c->settings.get());
    c->window->show();
    return c;
}
} // namespace

class TestCallWindow : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

    std::unique_ptr<Client> user(ServerProcess &server, const QString &name)
    {
        return client(server.url(), name, m_dir.filePath(name + QStringLiteral(".ini")));
    }

private slots:
    void aCallFromTheConversationHeader()
    {
        ServerProcess server;
        QVERIFY(server.start());
        auto alice = user(server, QStringLiteral("alice"));
        auto bob = user(server, QStringLiteral("bob"));
        QVERIFY(alice && bob);

        // The call button of a private conversation.
        alice->window->openConversation(QStringLiteral("bob"));
        auto *callButton =
            alice->window->findChild<QToolButton *>(QStringLiteral("conversationCallButton"));
        QVERIFY(callButton);
        QTRY_VERIFY(callButton->isVisible() && callButton->isEnabled());
        callButton->click();
        QVERIFY(alice->callWindow());
        QVERIFY(alice->callWindow()->isVisible());
        QTRY_VERIFY(
            alice->callWindow()->statusLabel()->text().startsWith(QStringLiteral("Ringing bob")));
        // Alice sees herself while it rings.
        QTRY_VERIFY(alice->callWindow()->previewView()->hasImage());
        // No statistics while it rings, even asked for (issue 13): there is nothing to measure.
        CallWindow *aw = alice->callWindow();
        QVERIFY(!aw->statsLabel()->isVisible());
        aw->activateWindow();
        QTRY_VERIFY(aw->isActiveWindow());
        QTest::keyClick(aw, Qt::Key_I);
        QVERIFY(!aw->statsLabel()->isVisible());
        QVERIFY(!aw->peerMediaLabel()->isVisible());

        // Bob: the incoming-call dialog, ringing, on top.
        QTRY_VERIFY(bob->dialog() && bob->dialog()->isVisible());
        QVERIFY(bob->dialog()->isRinging());
        QVERIFY(bob->dialog()->windowFlags() & Qt::WindowStaysOnTopHint);
        QCOMPARE(bob->dialog()->findChild<QLabel *>(QStringLiteral("callerLabel"))->text(),
                 QStringLiteral("alice is calling"));
        bob->dialog()->acceptButton()->click();
        QVERIFY(bob->callWindow() && bob->callWindow()->isVisible());

        // Both see the other's video and the running call time.
        QTRY_VERIFY_WITH_TIMEOUT(bob->callWindow()->remoteView()->hasImage(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(alice->callWindow()->remoteView()->hasImage(), 10000);
        QCOMPARE(bob->callWindow()->remoteView()->image().size(), QSize(640, 480));
        QTRY_VERIFY(alice->callWindow()->statusLabel()->text().startsWith(
            QStringLiteral("Call with bob — 00:")));
        // Alice asked for the statistics while it rang: now they show.
        QVERIFY(aw->statsLabel()->isVisible());
        QVERIFY(!aw->peerMediaLabel()->isVisible()); // bob sends everything

        // Bob's statistics line is off until I shows it: resolution, frame rate, loss, jitter.
        CallWindow *w = bob->callWindow();
        w->activateWindow();
        QTRY_VERIFY(w->isActiveWindow());
        QVERIFY(!w->statsLabel()->isVisible());
        QTest::keyClick(w, Qt::Key_I);
        QVERIFY(w->statsLabel()->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(w->statsLabel()->text().startsWith(QStringLiteral("640x480 · ")),
                                 5000);
        QVERIFY(w->statsLabel()->text().contains(QLatin1String("loss")));
        QVERIFY(w->statsLabel()->text().contains(QLatin1String("jitter buffer")));
        // ...and the bandwidth estimate with the ladder step bob sends at (issue 13): the test
        // pattern is 640x480, the middle step.
        QTRY_VERIFY_WITH_TIMEOUT(w->statsLabel()->text().contains(QRegularExpression(QStringLiteral(
                                     "estimate \\d+ kbit/s, step 2 of 3 \\(480p30\\)"))),
                                 5000);
        QTRY_VERIFY_WITH_TIMEOUT(aw->statsLabel()->text().startsWith(QStringLiteral("640x480 · ")),
                                 5000);
        // I hides them again.
        QTest::keyClick(w, Qt::Key_I);
        QVERIFY(!w->statsLabel()->isVisible());

        // Shortcuts: M mutes, V turns the camera off; alice is told (issue 13).
        QTest::keyClick(w, Qt::Key_M);
        QVERIFY(bob->calls->isMuted());
        QCOMPARE(w->muteButton()->text(), QStringLiteral("Unmute"));
        QTRY_VERIFY(aw->peerMediaLabel()->isVisible());
        QCOMPARE(aw->peerMediaLabel()->text(), QStringLiteral("bob is muted"));
        QTest::keyClick(w, Qt::Key_V);
        QVERIFY(!bob->calls->isCameraOn());
        QVERIFY(!w->previewView()->hasImage());
        QVERIFY(!w->previewView()->isVisible());
        QTRY_COMPARE(aw->peerMediaLabel()->text(),
                     QStringLiteral("bob is muted and the camera is off"));
        // Alice's window drops bob's last picture and shows his avatar instead, and her
        // statistics no longer claim a picture size.
        QVERIFY(!aw->remoteView()->hasImage());
        QVERIFY(aw->statsLabel()->text().startsWith(QStringLiteral("no video: camera off · ")));
        QVERIFY(!aw->statsLabel()->text().contains(QLatin1String("640x480")));
        if (const QString dir = qEnvironmentVariable("CONFAB_SCREENSHOT_DIR"); !dir.isEmpty())
            aw->grab().save(dir + QStringLiteral("/callwindow-far-end-muted.png"));
        QTest::keyClick(w, Qt::Key_V);
        QVERIFY(bob->calls->isCameraOn());
        QTRY_COMPARE(aw->peerMediaLabel()->text(), QStringLiteral("bob is muted"));
        QTRY_VERIFY_WITH_TIMEOUT(aw->remoteView()->hasImage(), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(aw->statsLabel()->text().startsWith(QStringLiteral("640x480 · ")),
                                 5000);
        QTest::keyClick(w, Qt::Key_M);
        QVERIFY(!bob->calls->isMuted());
        QTRY_VERIFY(!aw->peerMediaLabel()->isVisible());

        // The devices menu offers the test sources next to the real devices.
        emit w->devicesMenu()->aboutToShow();
        QStringList entries;
        for (QAction *a : w->devicesMenu()->actions())
            entries << a->text();
        QVERIFY(entries.contains(QStringLiteral("Test pattern")));
        QVERIFY(entries.contains(QStringLiteral("Test tone")));
        QVERIFY(entries.contains(QStringLiteral("No sound")));
        // Echo cancellation switched off (headphones) stays off in the next session.
        QAction *echo = nullptr;
        for (QAction *a : w->devicesMenu()->actions()) {
            if (a->text() == QStringLiteral("Echo cancellation"))
                echo = a;
        }
        QVERIFY(echo && echo->isChecked());
        echo->trigger();
        QVERIFY(!bob->calls->audioProcessing().echoCancellation);
        QVERIFY(bob->calls->audioProcessing().noiseSuppression);
        bob->settings->sync();
        {
            Settings saved(m_dir.filePath(QStringLiteral("bob.ini")));
            CallSession nextCalls(bob->controller->session());
            QWidget nextWindow;
            CallCoordinator next(&nextCalls, &saved);
            next.setMainWindow(&nextWindow);
            QVERIFY(!nextCalls.audioProcessing().echoCancellation);
            QVERIFY(nextCalls.audioProcessing().automaticGain);
        }

        // Esc hangs up at once; alice's window says so.
        QTest::keyClick(w, Qt::Key_Escape);
        QCOMPARE(bob->calls->state(), CallSession::State::Idle);
        QTRY_COMPARE(alice->calls->state(), CallSession::State::Idle);
        QTRY_COMPARE(alice->callWindow()->statusLabel()->text(), QStringLiteral("bob hung up."));
        QVERIFY(!alice->callWindow()->muteButton()->isEnabled());
    }

    void declinedFromTheDialog()
    {
        ServerProcess server;
        QVERIFY(server.start());
        auto alice = user(server, QStringLiteral("alice"));
        auto bob = user(server, QStringLiteral("bob"));
        QVERIFY(alice && bob);
        alice->window->callUser(QStringLiteral("bob"));
        QTRY_VERIFY(bob->dialog() && bob->dialog()->isVisible());
        bob->dialog()->declineButton()->click();
        QTRY_COMPARE(alice->callWindow()->statusLabel()->text(),
                     QStringLiteral("bob declined the call."));
        QVERIFY(!bob->callWindow());
    }

    void callerGivesUpAndTheCalleeSeesAMissedCall()
    {
        ServerProcess server;
        QVERIFY(server.start());
        auto alice = user(server, QStringLiteral("alice"));
        auto bob = user(server, QStringLiteral("bob"));
        QVERIFY(alice && bob);
        alice->window->callUser(QStringLiteral("bob"));
        QTRY_VERIFY(bob->dialog() && bob->dialog()->isVisible());
        QPointer<IncomingCallDialog> dialog = bob->dialog();
        alice->callWindow()->close(); // closing the window ends the call
        QTRY_VERIFY(!dialog);         // the dialog goes away by itself
        QTRY_COMPARE(bob->window->statusBar()->currentMessage(),
                     QStringLiteral("Missed call from alice."));
    }

    void callingWhileInACallIsRefused()
    {
        ServerProcess server;
        QVERIFY(server.start());
        auto alice = user(server, QStringLiteral("alice"));
        auto bob = user(server, QStringLiteral("bob"));
        auto carol = user(server, QStringLiteral("carol"));
        QVERIFY(alice && bob && carol);
        alice->window->callUser(QStringLiteral("bob"));
        QTRY_VERIFY(bob->dialog());
        bob->dialog()->acceptButton()->click();
        QTRY_COMPARE(alice->calls->state(), CallSession::State::Active);
        // Alice tries a second call: she is told, the first call goes on.
        alice->window->callUser(QStringLiteral("carol"));
        QCOMPARE(alice->window->statusBar()->currentMessage(),
                 QStringLiteral("You are already in a call. Hang up first."));
        // Carol calls bob: busy, said in carol's call window.
        carol->window->callUser(QStringLiteral("bob"));
        QTRY_COMPARE(carol->callWindow()->statusLabel()->text(),
                     QStringLiteral("bob is in another call. Try again later."));
        QCOMPARE(bob->calls->state(), CallSession::State::Active);
    }
};

QTEST_MAIN(TestCallWindow)
#include "tst_callwindow.moc"
