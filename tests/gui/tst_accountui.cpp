// The login dialog with accounts, offscreen, against real server processes: signing in keeps a
// device token (never the password) and needs no password the next time; creating an account
// asks for an invite when the server wants one; a registered name sends a guest to "Sign in";
// an unknown certificate is asked about and pinned; the Account menu says where the sign-in is
// kept when there is no keychain.
#include "accountmenu.h"
#include "logindialog.h"
#include "mainwindow.h"
#include "model/chatcontroller.h"
#include "net/certificatepins.h"
#include "net/serveraddress.h"
#include "serverprocess.h"
#include "settings/settings.h"
#include "settings/tokenstore.h"
#include "tls/selfsignedcertificate.h"

#include <QApplication>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>

class TestAccountUi : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

    std::unique_ptr<Settings> settings(const QString &name)
    {
        return std::make_unique<Settings>(m_dir.filePath(name + QStringLiteral(".ini")));
    }
    static void fill(LoginDialog &d, const char *field, const QString &text)
    {
        d.findChild<QLineEdit *>(QLatin1String(field))->setText(text);
    }

private slots:
    void initTestCase()
    {
        // No keychain service runs here: tokens go to the 0600 file in a folder of the test.
        qputenv("XDG_DATA_HOME", m_dir.filePath(QStringLiteral("data")).toUtf8());
        TokenStore::setForceFileBackend(true);
    }

    void signInKeepsATokenNotThePassword()
    {
        ServerProcess server;
        QVERIFY(server.createAccount(QStringLiteral("ui_alice"), QStringLiteral("correct horse")));
        QVERIFY(server.start());
        TokenStore tokens(QStringLiteral("Confab test"), m_dir.filePath(QStringLiteral("tokens")));
        auto s = settings(QStringLiteral("signin"));
        {
            ChatController controller;
            QObject::connect(controller.session(), &ClientSession::tokenIssued, &tokens,
                             [&](const QString &token) {
                                 tokens.write(ServerAddress::accountKey(server.url(),
                                                                        QStringLiteral("ui_alice")),
                                              token);
                             });
            QSignalSpy written(&tokens, &TokenStore::tokenWritten);
            LoginDialog dialog(&controller, s.get(), {}, &tokens);
            dialog.setMode(LoginDialog::Mode::SignIn);
            fill(dialog, "serverEdit", server.url().toString());
            fill(dialog, "nameEdit", QStringLiteral("ui_alice"));
            fill(dialog, "passwordEdit", QStringLiteral("wrong horse"));
            dialog.attemptLogin();
            QTRY_VERIFY_WITH_TIMEOUT(
                dialog.errorText().contains(QLatin1String("password is wrong")), 15000);
            fill(dialog, "passwordEdit", QStringLiteral("correct horse"));
            QSignalSpy accepted(&dialog, &QDialog::accepted);
            dialog.attemptLogin();
            QVERIFY(accepted.wait(15000));
            QVERIFY(controller.session()->isAccount());
            QVERIFY(written.wait());
            // The password field is emptied, and nothing of it is in the settings.
            QVERIFY(
                dialog.findChild<QLineEdit *>(QStringLiteral("passwordEdit"))->text().isEmpty());
            QVERIFY(s->signedIn());
        }
        s->sync();
        QFile ini(m_dir.filePath(QStringLiteral("signin.ini")));
        QVERIFY(ini.open(QIODevice::ReadOnly));
        QVERIFY(!ini.readAll().contains("horse"));
        QFile tokenFile(tokens.filePath());
        QVERIFY(tokenFile.open(QIODevice::ReadOnly));
        QVERIFY(!tokenFile.readAll().contains("horse"));

        // Next time: the dialog opens on "Sign in", and an empty password uses the kept token.
        ChatController again;
        LoginDialog dialog(&again, s.get(), {}, &tokens);
        QCOMPARE(dialog.mode(), LoginDialog::Mode::SignIn);
        fill(dialog, "serverEdit", server.url().toString());
        QSignalSpy accepted(&dialog, &QDialog::accepted);
        dialog.attemptLogin();
        QVERIFY(accepted.wait(15000));
        QVERIFY(again.session()->isAccount());
        QString out;
        QCOMPARE(server.admin({QStringLiteral("tokens"), QStringLiteral("ui_alice")}, {}, &out), 0);
        QVERIFY2(out.contains(QLatin1String("1 devices")), qPrintable(out));
    }

    void createAccountAsksForTheInvite()
    {
        ServerProcess server; // the packaged default: registration by invite
        QVERIFY(server.start());
        ChatController controller;
        auto s = settings(QStringLiteral("create"));
        LoginDialog dialog(&controller, s.get(), {});
        dialog.setMode(LoginDialog::Mode::CreateAccount);
        fill(dialog, "serverEdit", server.url().toString());
        fill(dialog, "nameEdit", QStringLiteral("ui_newbie"));
        fill(dialog, "passwordEdit", QStringLiteral("short"));
        fill(dialog, "repeatEdit", QStringLiteral("short"));
        dialog.attemptLogin();
        QVERIFY(dialog.errorText().contains(QLatin1String("at least 8")));
        fill(dialog, "passwordEdit", QStringLiteral("long enough now"));
        fill(dialog, "repeatEdit", QStringLiteral("long enough, not"));
        dialog.attemptLogin();
        QVERIFY(dialog.errorText().contains(QLatin1String("differ")));
        fill(dialog, "repeatEdit", QStringLiteral("long enough now"));
        dialog.attemptLogin();
        QTRY_VERIFY_WITH_TIMEOUT(dialog.errorText().contains(QLatin1String("invite code")), 10000);
        auto *invite = dialog.findChild<QLineEdit *>(QStringLiteral("inviteEdit"));
        QVERIFY(invite->isVisibleTo(&dialog));
        QString code;
        QCOMPARE(server.admin({QStringLiteral("invite")}, {}, &code), 0);
        static const QRegularExpression codeLine(QStringLiteral("^[0-9A-Z]{6}(-[0-9A-Z]{6})+$"),
                                                 QRegularExpression::MultilineOption);
        invite->setText(codeLine.match(code).captured(0));
        QVERIFY2(!invite->text().isEmpty(), qPrintable(code));
        QSignalSpy accepted(&dialog, &QDialog::accepted);
        dialog.attemptLogin();
        QVERIFY(accepted.wait(15000));
        QVERIFY(controller.session()->isAccount());
    }

    void registeredNameSendsAGuestToSignIn()
    {
        ServerProcess server;
        QVERIFY(server.createAccount(QStringLiteral("ui_owner"), QStringLiteral("owner's word")));
        QVERIFY(server.start());
        ChatController controller;
        auto s = settings(QStringLiteral("guest"));
        LoginDialog dialog(&controller, s.get(), {});
        dialog.setMode(LoginDialog::Mode::Guest);
        QVERIFY(
            !dialog.findChild<QLineEdit *>(QStringLiteral("passwordEdit"))->isVisibleTo(&dialog));
        fill(dialog, "serverEdit", server.url().toString());
        fill(dialog, "nameEdit", QStringLiteral("UI_Owner"));
        dialog.attemptLogin();
        QTRY_VERIFY(dialog.errorText().contains(QLatin1String("registered account")));
        QCOMPARE(dialog.mode(), LoginDialog::Mode::SignIn);
        QVERIFY(
            dialog.findChild<QLineEdit *>(QStringLiteral("passwordEdit"))->isVisibleTo(&dialog));
    }

    void unknownCertificateIsAskedAboutAndPinned()
    {
        const QString cert = m_dir.filePath(QStringLiteral("cert.pem"));
        const QString key = m_dir.filePath(QStringLiteral("key.pem"));
        QString error;
        QVERIFY2(SelfSignedCertificate::ensure(cert, key, QStringLiteral("localhost"), &error),
                 qPrintable(error));
        ServerProcess server(
            {QStringLiteral("--tls-cert"), cert, QStringLiteral("--tls-key"), key});
        QVERIFY(server.start());
        CertificatePins pins(m_dir.filePath(QStringLiteral("pins.ini")));
        ChatController controller;
        auto s = settings(QStringLiteral("tls"));
        LoginDialog dialog(&controller, s.get(), {}, nullptr, &pins);
        dialog.setMode(LoginDialog::Mode::Guest);
        // An address without a scheme: wss:// first.
        fill(dialog, "serverEdit", QStringLiteral("127.0.0.1:%1").arg(server.port()));
        fill(dialog, "nameEdit", QStringLiteral("ui_tls"));
        QString asked;
        QTimer answer;
        answer.setInterval(50);
        connect(&answer, &QTimer::timeout, this, [&] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            if (!box || box->objectName() != QLatin1String("certificateDialog"))
                return;
            asked = box->informativeText();
            box->findChild<QPushButton *>(QStringLiteral("trustButton"))->click();
        });
        answer.start();
        QSignalSpy accepted(&dialog, &QDialog::accepted);
        dialog.attemptLogin();
        QVERIFY(accepted.wait(15000));
        answer.stop();
        QFile f(cert);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString fingerprint = CertificatePins::fingerprint(QSslCertificate(&f, QSsl::Pem));
        // Shown to compare, in rows of 8 bytes (the markup between them aside).
        const QString shown = QString(asked).remove(QRegularExpression(QStringLiteral("<[^>]*>")));
        QVERIFY2(shown.contains(fingerprint), qPrintable(asked));
        QVERIFY2(asked.contains(fingerprint.left(24) + QStringLiteral("</nobr><br><nobr>") +
                                fingerprint.mid(24, 24) + QStringLiteral("</nobr><br><nobr>")),
                 qPrintable(asked));
        QCOMPARE(pins.pinned(QStringLiteral("127.0.0.1:%1").arg(server.port())), fingerprint);
        QVERIFY(controller.session()->isEncrypted());
    }

    void accountMenuSaysWhereTheSignInIsKept()
    {
        ChatController controller;
        auto s = settings(QStringLiteral("menu"));
        MainWindow window(&controller, s.get());
        auto *menu = window.findChild<AccountMenu *>(QStringLiteral("accountMenu"));
        QVERIFY(menu);
        window.setTokenStorageNote(QStringLiteral("Sign-in kept in /x/tokens.json"));
        bool shown = false;
        for (QAction *a : menu->actions())
            shown |= a->isVisible() && a->text().contains(QLatin1String("/x/tokens.json"));
        QVERIFY(shown);
    }
};

QTEST_MAIN(TestAccountUi)
#include "tst_accountui.moc"
