// The language switched while the call window and the login dialog are open (issue 14): they
// show the new language at once, as the main window and the Settings dialog do.
#include "call/callsession.h"
#include "callwindow.h"
#include "incomingcalldialog.h"
#include "logindialog.h"
#include "model/chatcontroller.h"
#include "serverprocess.h"
#include "settings/settings.h"
#include "translations.h"
#include "videoview.h"

#include <QAbstractButton>
#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <memory>

namespace {
std::unique_ptr<ChatController> online(const QUrl &url, const QString &name)
{
    auto c = std::make_unique<ChatController>();
    QSignalSpy in(c->session(), &ClientSession::loggedIn);
    c->connectTo(url, name);
    if (!in.wait())
        return nullptr;
    return c;
}

template <typename T> T *child(QWidget *parent, const char *name)
{
    return parent->findChild<T *>(QLatin1String(name));
}
} // namespace

class TestRetranslation : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private slots:
    void initTestCase() { Translations::install(QStringLiteral("en")); }
    void cleanup() { Translations::install(QStringLiteral("en")); }

    void loginDialogSwitchesLanguageWhileOpen()
    {
        ChatController controller;
        Settings settings(m_dir.filePath(QStringLiteral("login.ini")));
        LoginDialog dialog(&controller, &settings, {});
        dialog.setMode(LoginDialog::Mode::Guest);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto *connectButton = child<QPushButton>(&dialog, "connectButton");
        auto *host = child<QCheckBox>(&dialog, "hostCheck");
        auto *guest = child<QPushButton>(&dialog, "guestMode");
        auto *hint = child<QLabel>(&dialog, "policyHint");
        QVERIFY(connectButton && host && guest && hint);
        QCOMPARE(dialog.windowTitle(), QStringLiteral("Log in"));
        QCOMPARE(connectButton->text(), QStringLiteral("&Connect"));
        QCOMPARE(host->text(), QStringLiteral("Host on this computer"));
        QVERIFY(hint->text().startsWith(QStringLiteral("Guests use any name")));

        QVERIFY(Translations::install(QStringLiteral("zh_CN")));
        QTRY_COMPARE(dialog.windowTitle(), QStringLiteral("登录"));
        QCOMPARE(connectButton->text(), QStringLiteral("连接(&C)"));
        QCOMPARE(host->text(), QStringLiteral("在本机托管"));
        QCOMPARE(guest->text(), QStringLiteral("以访客身份继续"));
        QVERIFY2(!hint->text().startsWith(QStringLiteral("Guests")), qPrintable(hint->text()));
        QCOMPARE(child<QLineEdit>(&dialog, "nameEdit")->placeholderText(),
                 QStringLiteral("你的名字"));
        // The mode chosen and what was typed stay.
        QCOMPARE(dialog.mode(), LoginDialog::Mode::Guest);

        Translations::install(QStringLiteral("en"));
        QTRY_COMPARE(dialog.windowTitle(), QStringLiteral("Log in"));
        QCOMPARE(connectButton->text(), QStringLiteral("&Connect"));
    }

    void incomingCallSwitchesLanguageWhileRinging()
    {
        IncomingCallDialog dialog(QStringLiteral("r_bob"), true);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto *caller = child<QLabel>(&dialog, "callerLabel");
        auto *kind = child<QLabel>(&dialog, "callKindLabel");
        QVERIFY(caller && kind);
        QCOMPARE(dialog.windowTitle(), QStringLiteral("Incoming call"));
        QCOMPARE(caller->text(), QStringLiteral("r_bob is calling"));
        QCOMPARE(kind->text(), QStringLiteral("Video call"));
        QCOMPARE(dialog.acceptButton()->text(), QStringLiteral("Accept"));

        QVERIFY(Translations::install(QStringLiteral("zh_CN")));
        QTRY_COMPARE(dialog.acceptButton()->text(), QStringLiteral("接听"));
        QCOMPARE(dialog.declineButton()->text(), QStringLiteral("拒绝"));
        QCOMPARE(dialog.windowTitle(), QStringLiteral("来电"));
        QCOMPARE(caller->text(), QStringLiteral("r_bob 来电"));
        QCOMPARE(kind->text(), QStringLiteral("视频通话"));
        QVERIFY(dialog.isRinging()); // switching the language does not answer it
    }

    void callWindowSwitchesLanguageDuringACall()
    {
        ServerProcess server;
        QVERIFY(server.start());
        auto alice = online(server.url(), QStringLiteral("r_alice"));
        auto bob = online(server.url(), QStringLiteral("r_bob"));
        QVERIFY(alice && bob);
        CallSession calls(alice->session());
        calls.setDevices({QStringLiteral("test-pattern"), QStringLiteral("tone"),
                          QStringLiteral("none"), QStringLiteral("vp8")});
        QVERIFY(calls.call(QStringLiteral("r_bob")));
        auto *window = new CallWindow(&calls);
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window));
        QTRY_VERIFY(window->statusLabel()->text().contains(QStringLiteral("r_bob…")));
        QVERIFY(window->statusLabel()->text().startsWith(QStringLiteral("Calling r_bob")) ||
                window->statusLabel()->text().startsWith(QStringLiteral("Ringing r_bob")));
        QCOMPARE(window->hangUpButton()->text(), QStringLiteral("Hang up"));
        QCOMPARE(window->muteButton()->text(), QStringLiteral("Mute"));
        QCOMPARE(window->cameraButton()->text(), QStringLiteral("Camera off"));

        QVERIFY(Translations::install(QStringLiteral("zh_CN")));
        QTRY_COMPARE(window->hangUpButton()->text(), QStringLiteral("挂断"));
        QCOMPARE(window->muteButton()->text(), QStringLiteral("静音"));
        QCOMPARE(window->cameraButton()->text(), QStringLiteral("关闭摄像头"));
        QVERIFY2(window->statusLabel()->text().startsWith(QStringLiteral("正在呼叫 r_bob")),
                 qPrintable(window->statusLabel()->text()));
        QCOMPARE(window->windowTitle(), window->statusLabel()->text());
        QCOMPARE(window->previewView()->toolTip(),
                 QStringLiteral("你的摄像头画面。点击可移到另一个角落。"));

        // Ended while in Chinese: the close button in Chinese, and back in English.
        window->showEnded(QStringLiteral("—"), 60000);
        QCOMPARE(window->hangUpButton()->text(), QStringLiteral("关闭"));
        Translations::install(QStringLiteral("en"));
        QTRY_COMPARE(window->hangUpButton()->text(), QStringLiteral("Close"));
        QCOMPARE(window->muteButton()->text(), QStringLiteral("Mute"));
        calls.hangUp();
        window->close(); // deletes itself
    }
};

QTEST_MAIN(TestRetranslation)
#include "tst_retranslation.moc"
