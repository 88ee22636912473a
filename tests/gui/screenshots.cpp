// confab-screenshots: renders the windows with a realistic conversation for the docs.
// Run under a real X server (scripts/screenshots uses xvfb-run):
//   confab-screenshots --out docs/screenshots --theme light --lang en
#include "builtinmedia.h"
#include "call/callsession.h"
#include "callcoordinator.h"
#include "callwindow.h"
#include "certificatedialog.h"
#include "changepassworddialog.h"
#include "clientapp.h"
#include "composeedit.h"
#include "devicesdialog.h"
#include "embeddedserver.h"
#include "incomingcalldialog.h"
#include "logindialog.h"
#include "mainwindow.h"
#include "messageview.h"
#include "model/chatcontroller.h"
#include "model/conversationlistmodel.h"
#include "model/messagelistmodel.h"
#include "net/certificatepins.h"
#include "settingsdialog.h"
#include "theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPainter>
#include <QPushButton>
#include <QScreen>
#include <QShortcut>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>

#include <functional>
#include <memory>

namespace {

// Connects `name` to the embedded server (its certificate pinned in `pins`) as a guest, or
// with `credentials`, and waits until it is online.
std::unique_ptr<ChatController> join(const QUrl &url, const QString &name, CertificatePins *pins,
                                     const ClientSession::Credentials &credentials = {},
                                     const QString &dataFolder = {})
{
    auto c = std::make_unique<ChatController>();
    c->session()->setCertificatePins(pins);
    c->session()->setOutboxFolder(dataFolder); // the history cache that search reads
    QSignalSpy in(c->session(), &ClientSession::loggedIn);
    QSignalSpy refused(c->session(), &ClientSession::loginFailed);
    QSignalSpy rejected(c->session(), &ClientSession::certificateRejected);
    c->connectTo(url, name, credentials);
    const bool answered = QTest::qWaitFor(
        [&] { return !in.isEmpty() || !refused.isEmpty() || !rejected.isEmpty(); }, 5000);
    if (!answered || in.isEmpty())
        qFatal("%s could not log in: %s", qPrintable(name),
               !refused.isEmpty()    ? qPrintable(refused.first().at(1).toString())
               : !rejected.isEmpty() ? "the certificate was rejected"
                                     : "no answer");
    return c;
}

// The seq of the message with `text` in conversation `key` as `c` has it (0: not there yet).
qint64 seqOf(ChatController *c, const QString &key, const QString &text)
{
    const MessageListModel *list = c->conversations()->find(key);
    for (int row = list ? list->rowCount() - 1 : -1; row >= 0; --row) {
        if (list->itemAt(row).message.content == text)
            return list->itemAt(row).message.seq;
    }
    return 0;
}

// How many reactions `c` shows on the room's message `seq`.
int reactionsOn(ChatController *c, qint64 seq)
{
    MessageListModel *list = c->conversations()->messages(QString());
    const int row = list->rowOfSeq(seq);
    int count = 0;
    for (const QVariant &v :
         list->index(row).data(MessageListModel::ReactionsRole).toList()) // row -1: none
        count += v.toMap().value(QStringLiteral("count")).toInt();
    return count;
}

// `react` once alice shows it: the chips keep the order the reactions came in, the same in
// every shot.
void reactAndWait(ChatController *alice, qint64 seq, const std::function<void()> &react)
{
    const int before = reactionsOn(alice, seq);
    react();
    if (!QTest::qWaitFor([&] { return reactionsOn(alice, seq) > before; }, 5000))
        qFatal("a reaction did not arrive");
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

// For modal dialogs that run their own exec() inside `run`: grabs the dialog once it shows,
// then cancels it so `run` returns.
void saveModal(const std::function<void()> &run, const QString &path)
{
    QTimer::singleShot(0, [path] {
        QWidget *modal = nullptr;
        if (!QTest::qWaitFor([&] { return (modal = QApplication::activeModalWidget()); }, 5000))
            qFatal("no dialog for %s", qPrintable(path));
        save(modal, path);
        auto *box = qobject_cast<QMessageBox *>(modal);
        if (box && box->button(QMessageBox::Cancel))
            box->button(QMessageBox::Cancel)->click();
        else if (auto *dialog = qobject_cast<QDialog *>(modal))
            dialog->reject();
    });
    run();
}

void fill(QWidget *dialog, const char *field, const QString &text)
{
    if (auto *edit = dialog->findChild<QLineEdit *>(QLatin1String(field)))
        edit->setText(text);
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    useBuiltInMedia(); // the call screenshots run the media code linked in
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
    // The host's self-signed certificate, pinned for everyone who joins it here, as a user
    // who compared the fingerprint would have.
    CertificatePins pins(dir.filePath(QStringLiteral("pins.ini")));
    pins.pin(QStringLiteral("127.0.0.1:%1").arg(server.port()), server.fingerprint());
    const QString lanHostPort = QStringLiteral("192.168.1.20:%1").arg(server.port());

    Settings settings(dir.filePath(QStringLiteral("settings.ini")));
    settings.setTheme(Settings::themeFromName(parser.value(theme)));
    {
        ChatController idle;
        settings.setServerAddress(QStringLiteral("chat.example.org:9000"));
        settings.setUserName(QStringLiteral("alice"));
        LoginDialog dialog(&idle, &settings, {});
        dialog.setMode(LoginDialog::Mode::SignIn);
        dialog.show();
        save(&dialog, parser.value(out) + QStringLiteral("/login-%1.png").arg(suffix));
    }
    {
        ChatController idle;
        LoginDialog dialog(&idle, &settings, {});
        dialog.setMode(LoginDialog::Mode::CreateAccount);
        fill(&dialog, "passwordEdit", QStringLiteral("correct horse battery"));
        fill(&dialog, "repeatEdit", QStringLiteral("correct horse battery"));
        dialog.show();
        save(&dialog, parser.value(out) + QStringLiteral("/login-create-%1.png").arg(suffix));
    }

    // Joining a hosted server the first time, and after its certificate changed.
    saveModal([&] { CertificateDialog::ask(nullptr, lanHostPort, server.fingerprint(), false); },
              parser.value(out) + QStringLiteral("/certificate-%1.png").arg(suffix));
    const QString otherFingerprint = QString::fromLatin1(
        QCryptographicHash::hash("another certificate", QCryptographicHash::Sha256)
            .toHex(':')
            .toUpper());
    saveModal([&] { CertificateDialog::ask(nullptr, lanHostPort, otherFingerprint, true); },
              parser.value(out) + QStringLiteral("/certificate-changed-%1.png").arg(suffix));

    // alice has an account (made on her phone, so the devices list has two entries); bob,
    // carol and dave join as guests.
    ClientSession::Credentials registration;
    registration.mode = ClientSession::Credentials::Mode::Register;
    registration.password = QStringLiteral("correct horse battery");
    registration.device = QStringLiteral("alice-phone (Android 14)");
    join(url, QStringLiteral("alice"), &pins, registration)->disconnectFromServer();
    settle();

    auto bob = join(url, QStringLiteral("bob"), &pins);
    auto carol = join(url, QStringLiteral("carol"), &pins);
    auto dave = join(url, QStringLiteral("dave"), &pins);
    const QString standUp = zh ? QStringLiteral("大家好！今天下午三点开会 🎉")
                               : QStringLiteral("Morning all! Stand-up moved to 3 pm 🎉");
    bob->send({}, standUp);
    settle();
    // A reply: carol's answer quotes bob's message.
    carol->send(
        {}, zh ? QStringLiteral("收到，我会准时到。") : QStringLiteral("Got it, I'll be there."),
        ChatController::Addressing::LeadingNameIsPrivate, seqOf(carol.get(), {}, standUp));
    carol->send({}, zh ? QStringLiteral("议程在这里：https://wiki.example.org/standup")
                       : QStringLiteral("Agenda is here: https://wiki.example.org/standup"));
    settle();
    ClientSession::Credentials signIn;
    signIn.mode = ClientSession::Credentials::Mode::Password;
    signIn.password = registration.password;
    signIn.device = QStringLiteral("alice-laptop (Debian GNU/Linux 12 (bookworm))");
    QTemporaryDir aliceData;
    auto alice = join(url, QStringLiteral("alice"), &pins, signIn, aliceData.path());
    settle();
    const QString mockUps = zh ? QStringLiteral("好的，我把设计稿也带上。")
                               : QStringLiteral("Sounds good, I'll bring the mock-ups.");
    alice->send({}, mockUps);
    settle();
    // Edited afterwards (the "edited" mark), and reactions from the others.
    const qint64 mockUpsSeq = seqOf(alice.get(), {}, mockUps);
    alice->editMessage(mockUpsSeq, zh ? QStringLiteral("好的，我把设计稿和原型都带上。")
                                      : QStringLiteral("Sounds good, I'll bring the mock-ups "
                                                       "and the prototype."));
    reactAndWait(alice.get(), mockUpsSeq,
                 [&] { bob->toggleReaction({}, mockUpsSeq, QStringLiteral("👍")); });
    reactAndWait(alice.get(), mockUpsSeq,
                 [&] { carol->toggleReaction({}, mockUpsSeq, QStringLiteral("👍")); });
    reactAndWait(alice.get(), mockUpsSeq,
                 [&] { dave->toggleReaction({}, mockUpsSeq, QStringLiteral("❤️")); });
    settle();
    dave->toggleReaction({}, seqOf(dave.get(), {}, standUp), QStringLiteral("🎉"));
    const QString callMe = zh ? QStringLiteral("开会前能先给我打个电话吗，@alice？")
                              : QStringLiteral("Can you call me before that, @alice?");
    bob->send({}, callMe);
    // In the room before dave's: two senders' messages race to the server otherwise.
    if (!QTest::qWaitFor([&] { return seqOf(alice.get(), {}, callMe) > 0; }, 5000))
        qFatal("bob's message did not arrive");
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
    window.setHostAddresses({QStringLiteral("wss://") + lanHostPort}, server.fingerprint());
    window.resize(1100, 720);
    window.show();
    settle(600);
    save(&window, parser.value(out) + QStringLiteral("/main-%1.png").arg(suffix));
    window.openConversation(QStringLiteral("bob"));
    window.composeEdit()->setPlainText(zh ? QStringLiteral("好的，") : QStringLiteral("Sure, "));
    settle(300);
    save(&window, parser.value(out) + QStringLiteral("/private-%1.png").arg(suffix));
    // Ctrl+K with a word: conversations by name, then the saved messages that contain it.
    window.openConversation(QString());
    window.findChild<QLineEdit *>(QStringLiteral("searchEdit"))
        ->setText(zh ? QStringLiteral("电话") : QStringLiteral("call"));
    settle(400);
    save(&window, parser.value(out) + QStringLiteral("/search-%1.png").arg(suffix));
    window.findChild<QLineEdit *>(QStringLiteral("searchEdit"))->clear();

    // Files: bob sends a picture (it shows inline once fetched), alice a large file that is
    // still on its way (its progress bar and Cancel).
    {
        QImage picture(960, 640, QImage::Format_RGB32);
        QPainter p(&picture);
        QLinearGradient sky(0, 0, 0, 640);
        sky.setColorAt(0, QColor(0x2F, 0x80, 0xED));
        sky.setColorAt(1, QColor(0xFF, 0xC8, 0x7A));
        p.fillRect(picture.rect(), sky);
        p.setBrush(QColor(0x1F, 0x23, 0x28));
        p.setPen(Qt::NoPen);
        p.drawPolygon(QPolygon({QPoint(0, 640), QPoint(300, 330), QPoint(520, 520),
                                QPoint(720, 280), QPoint(960, 640)}));
        p.end();
        const QString picturePath = dir.filePath(QStringLiteral("mountains.png"));
        picture.save(picturePath);
        bob->sendFile(QString(), picturePath);
        QFile big(dir.filePath(QStringLiteral("release-candidate.deb")));
        big.open(QIODevice::WriteOnly);
        big.write(QByteArray(60 * 1024 * 1024, 'x'));
        big.close();
        settle(1500);
        window.attachFile(big.fileName());
        settle(1200);
        save(&window, parser.value(out) + QStringLiteral("/files-%1.png").arg(suffix));
    }

    // Settings → Privacy: the read receipts switch and what it means.
    {
        window.openSettings();
        SettingsDialog *settingsDialog = window.settingsDialog();
        settingsDialog->showPage(SettingsDialog::PrivacyPage);
        save(settingsDialog,
             parser.value(out) + QStringLiteral("/settings-privacy-%1.png").arg(suffix));
        settingsDialog->close();
    }

    // Account → Devices: this laptop and the phone alice registered on.
    {
        QSignalSpy received(alice->session(), &ClientSession::devicesReceived);
        DevicesDialog devices(alice->session(), &window);
        devices.show();
        if (!QTest::qWaitFor([&] { return !received.isEmpty(); }, 5000))
            qFatal("no device list");
        auto *list = devices.findChild<QTreeWidget *>(QStringLiteral("deviceList"));
        for (int i = 0; list && i < list->topLevelItemCount(); ++i) {
            if (!list->topLevelItem(i)->font(0).bold()) // the other device: "Sign out" enables
                list->setCurrentItem(list->topLevelItem(i));
        }
        save(&devices, parser.value(out) + QStringLiteral("/devices-%1.png").arg(suffix));
    }
    // Account → Change password.
    {
        ChangePasswordDialog change(alice->session(), &window);
        fill(&change, "oldPasswordEdit", registration.password);
        fill(&change, "newPasswordEdit", QStringLiteral("staple battery horse"));
        fill(&change, "repeatPasswordEdit", QStringLiteral("staple battery horse"));
        change.show();
        save(&change, parser.value(out) + QStringLiteral("/change-password-%1.png").arg(suffix));
    }

    // A video call with bob: the incoming-call dialog on his side, the call window on
    // alice's, with the test pattern standing in for the cameras.
    const CallSession::Devices testDevices{QStringLiteral("test-pattern"), QStringLiteral("tone"),
                                           QStringLiteral("none"), QStringLiteral("vp8")};
    CallSession aliceCalls(alice->session());
    aliceCalls.setDevices(testDevices);
    launcherFor(&window, &aliceCalls, &settings);
    Settings bobSettings(dir.filePath(QStringLiteral("bob.ini")));
    MainWindow bobWindow(bob.get(), &bobSettings); // not shown: only its dialog is
    CallSession bobCalls(bob->session());
    bobCalls.setDevices(testDevices);
    launcherFor(&bobWindow, &bobCalls, &bobSettings);
    window.callUser(QStringLiteral("bob"));
    if (!QTest::qWaitFor([&] { return coordinatorOf(&bobWindow)->incomingDialog(); }, 5000))
        qFatal("the call did not ring");
    IncomingCallDialog *dialog = coordinatorOf(&bobWindow)->incomingDialog();
    save(dialog, parser.value(out) + QStringLiteral("/incoming-call-%1.png").arg(suffix));
    dialog->acceptButton()->click();
    CallWindow *callWindow = coordinatorOf(&window)->callWindow();
    // A few seconds in: the picture, the call time and the statistics line (I shows it).
    // Without a window manager the window never becomes active, so a key press would not
    // reach its shortcut: the shortcut itself, as if I were pressed.
    for (QShortcut *shortcut : callWindow->findChildren<QShortcut *>()) {
        if (shortcut->key() == QKeySequence(Qt::Key_I))
            emit shortcut->activated();
    }
    settle(3500);
    if (!callWindow->statsLabel()->isVisible() ||
        !callWindow->statsLabel()->text().contains(QStringLiteral(" · ")))
        qWarning("the call window shows no statistics: %s (%s)",
                 qPrintable(callWindow->statsLabel()->text()),
                 callWindow->statsLabel()->isVisible() ? "shown" : "hidden");
    save(callWindow, parser.value(out) + QStringLiteral("/call-%1.png").arg(suffix));
    aliceCalls.hangUp();
    settle(300);
    return 0;
}
