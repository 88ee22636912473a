// confab-screenshots: renders the windows with a realistic conversation for the docs.
// Run under a real X server (scripts/screenshots uses xvfb-run):
//   confab-screenshots --out docs/screenshots --theme light --lang en
#include "call/callsession.h"
#include "callcoordinator.h"
#include "callwindow.h"
#include "clientapp.h"
#include "composeedit.h"
#include "embeddedserver.h"
#include "incomingcalldialog.h"
#include "logindialog.h"
#include "mainwindow.h"
#include "messageview.h"
#include "model/chatcontroller.h"
#include "theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QPushButton>
#include <QScreen>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

std::unique_ptr<ChatController> join(const QUrl &url, const QString &name)
{
    auto c = std::make_unique<ChatController>();
    QSignalSpy in(c->session(), &ClientSession::loggedIn);
    c->connectTo(url, name);
    if (!in.wait(5000))
        qFatal("%s could not log in", qPrintable(name));
    return c;
}

void settle(int ms = 300)
{
    QTest::qWait(ms); // let relays, presence batches and repaints happen
}

bool save(QWidget *w, const QString &path)
{
    w->raise();
    w->activateWindow();
    settle(400);
    QPixmap shot = w->grab();
    const bool ok = shot.save(path);
    qInfo("%s %s (%dx%d)", ok ? "wrote" : "FAILED", qPrintable(path), shot.width(), shot.height());
    return ok;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("confab-screenshots"));
    QCommandLineParser parser;
    const QCommandLineOption out(QStringLiteral("out"), QStringLiteral("Folder"),
                                 QStringLiteral("dir"), QStringLiteral("."));
    const QCommandLineOption theme(QStringLiteral("theme"), QStringLiteral("light or dark"),
                                   QStringLiteral("t"), QStringLiteral("light"));
    const QCommandLineOption lang(QStringLiteral("lang"), QStringLiteral("en or zh_CN"),
                                  QStringLiteral("l"), QStringLiteral("en"));
    parser.addOptions({out, theme, lang});
    parser.process(app);
    const QString suffix = parser.value(theme) + QLatin1Char('-') + parser.value(lang);
    QDir().mkpath(parser.value(out));

    QTemporaryDir dir;
    qputenv("XDG_CONFIG_HOME", dir.filePath(QStringLiteral("config")).toUtf8());
    ClientApp::installTranslations(app, parser.value(lang));
    Theme::apply(app, Settings::themeFromName(parser.value(theme)));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/confab.svg")));

    EmbeddedServer server;
    QString error;
    if (!server.start(0, dir.filePath(QStringLiteral("history.sqlite")), &error))
        qFatal("server: %s", qPrintable(error));
    const QUrl url(server.localAddress());
    const bool zh = parser.value(lang).startsWith(QLatin1String("zh"));

    Settings settings(dir.filePath(QStringLiteral("settings.ini")));
    settings.setTheme(Settings::themeFromName(parser.value(theme)));
    {
        ChatController idle;
        settings.setServerAddress(QStringLiteral("chat.example.org:9000"));
        settings.setUserName(QStringLiteral("alice"));
        LoginDialog dialog(&idle, &settings, {});
        dialog.show();
        save(&dialog, parser.value(out) + QStringLiteral("/login-%1.png").arg(suffix));
    }

    auto bob = join(url, QStringLiteral("bob"));
    auto carol = join(url, QStringLiteral("carol"));
    auto dave = join(url, QStringLiteral("dave"));
    bob->send({}, zh ? QStringLiteral("大家好！今天下午三点开会 🎉")
                     : QStringLiteral("Morning all! Stand-up moved to 3 pm 🎉"));
    carol->send({}, zh ? QStringLiteral("收到，我会准时到。")
                       : QStringLiteral("Got it, I'll be there."));
    carol->send({}, zh ? QStringLiteral("议程在这里：https://wiki.example.org/standup")
                       : QStringLiteral("Agenda is here: https://wiki.example.org/standup"));
    settle();
    auto alice = join(url, QStringLiteral("alice"));
    settle();
    alice->send({}, zh ? QStringLiteral("好的，我把设计稿也带上。")
                       : QStringLiteral("Sounds good, I'll bring the mock-ups."));
    settle();
    bob->send({}, zh ? QStringLiteral("开会前能先给我打个电话吗，@alice？")
                     : QStringLiteral("Can you call me before that, @alice?"));
    dave->send(
        {}, zh ? QStringLiteral("这是一条比较长的消息，用来看看换行是否正常：我们需要在周五之前完成"
                                "发布说明、安装包测试和截图，然后发给所有人确认。")
               : QStringLiteral(
                     "A longer message to check wrapping: before Friday we need the release notes, "
                     "the installer tests and fresh screenshots, then everyone signs off."));
    bob->send({}, zh ? QStringLiteral("@alice 私聊：预算的事我们单独说")
                     : QStringLiteral("@alice privately: let's talk budget separately"));
    settle(500);
    dave->noteTyping();

    MainWindow window(alice.get(), &settings);
    window.setHostAddresses({QStringLiteral("ws://192.168.1.20:%1").arg(server.port())});
    window.resize(1100, 720);
    window.show();
    settle(600);
    save(&window, parser.value(out) + QStringLiteral("/main-%1.png").arg(suffix));
    window.openConversation(QStringLiteral("bob"));
    window.composeEdit()->setPlainText(zh ? QStringLiteral("好的，") : QStringLiteral("Sure, "));
    settle(300);
    save(&window, parser.value(out) + QStringLiteral("/private-%1.png").arg(suffix));

    // A video call with bob: the incoming-call dialog on his side, the call window on
    // alice's, with the test pattern standing in for the cameras.
    const CallSession::Devices testDevices{QStringLiteral("test-pattern"), QStringLiteral("tone"),
                                           QStringLiteral("none"), QStringLiteral("vp8")};
    CallSession aliceCalls(alice->session());
    aliceCalls.setDevices(testDevices);
    window.setCallSession(&aliceCalls);
    Settings bobSettings(dir.filePath(QStringLiteral("bob.ini")));
    MainWindow bobWindow(bob.get(), &bobSettings); // not shown: only its dialog is
    CallSession bobCalls(bob->session());
    bobCalls.setDevices(testDevices);
    bobWindow.setCallSession(&bobCalls);
    window.callUser(QStringLiteral("bob"));
    if (!QTest::qWaitFor([&] { return bobWindow.callCoordinator()->incomingDialog(); }, 5000))
        qFatal("the call did not ring");
    IncomingCallDialog *dialog = bobWindow.callCoordinator()->incomingDialog();
    save(dialog, parser.value(out) + QStringLiteral("/incoming-call-%1.png").arg(suffix));
    dialog->acceptButton()->click();
    CallWindow *callWindow = window.callCoordinator()->callWindow();
    // A few seconds in: the picture, the call time and a statistics line.
    settle(3500);
    save(callWindow, parser.value(out) + QStringLiteral("/call-%1.png").arg(suffix));
    aliceCalls.hangUp();
    settle(300);
    return 0;
}
