#include "clientapp.h"

#include "logindialog.h"
#include "mainwindow.h"
#include "net/serveraddress.h"
#include "protocol/namerules.h"
#include "theme.h"
#include "translations.h"

#include <QApplication>
#include <QDateTime>
#include <QEvent>

#include <QLibraryInfo>
#include <QLocale>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTimer>
#include <cstdio>

ClientApp::ClientApp(QApplication &app, const ClientOptions &options)
    : m_app(app), m_options(options)
{
    if (!options.theme.isEmpty())
        m_settings.setTheme(Settings::themeFromName(options.theme));
    Theme::apply(app, m_settings.theme());
    ClientSession *session = m_controller.session();
    session->setCertificatePins(&m_pins);
    // What the user writes is kept until the server has it, across quits and crashes: one file
    // per server and name in the data folder.
    session->setOutboxFolder(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation));
    session->history()->setLimit(m_settings.historyCacheLimit());
    // A sign-in's device token goes to the keychain (or the 0600 file): never the password.
    connect(session, &ClientSession::tokenIssued, this, [this](const QString &token) {
        m_tokens.write(ServerAddress::accountKey(m_controller.session()->url(),
                                                 m_controller.session()->name()),
                       token);
        m_settings.setSignedIn(true);
    });
    connect(session, &ClientSession::sessionEnded, this, &ClientApp::onSessionEnded,
            Qt::QueuedConnection);
    connect(&m_tokens, &TokenStore::backendChanged, this, [this] {
        if (m_window)
            m_window->setTokenStorageNote(tokenStorageNote());
    });
    connect(&m_tokens, &TokenStore::failed, this, [](const QString &, const QString &message) {
        qWarning("confab: cannot keep the sign-in: %s", qPrintable(message));
    });
}

QString ClientApp::tokenStorageNote() const
{
    return m_tokens.backend() == TokenStore::Backend::File
               ? tr("Sign-in kept in %1 (no keychain service; readable only by you)")
                     .arg(m_tokens.filePath())
               : QString();
}

ClientApp::~ClientApp()
{
    if (m_calls)
        m_calls->hangUp(); // the other side hears "hung up", not "connection lost"
    m_controller.disconnectFromServer();
}

void ClientApp::installTranslations(QApplication &, const QString &language)
{
    Translations::install(language);
}

QString ClientApp::defaultName(const Settings &settings)
{
    if (!settings.userName().isEmpty())
        return settings.userName();
    const QString login = qEnvironmentVariable("USER", qEnvironmentVariable("USERNAME"));
    return NameRules::check(login, 32) == ErrorCode::None ? login : QString();
}

QUrl ClientApp::startHost(quint16 port, QString *error)
{
    if (!m_server.start(port, m_options.database, error))
        return {};
    const QUrl url(m_server.localAddress());
    // Our own server's certificate: known without asking anyone.
    if (!m_server.fingerprint().isEmpty())
        m_pins.pin(QStringLiteral("%1:%2").arg(url.host()).arg(url.port()), m_server.fingerprint());
    return url;
}

bool ClientApp::start()
{
    const QString name = m_options.name.isEmpty() ? defaultName(m_settings) : m_options.name;
    const bool nameOk = NameRules::check(name, 32) == ErrorCode::None;
    QUrl url;
    QString hostError;
    if (m_options.host) {
        // Without a usable name the dialog asks for one and starts the server itself, on the
        // port of the command line.
        if (nameOk) {
            url = startHost(m_options.hostPort, &hostError);
            if (!url.isValid())
                qWarning("confab: cannot host on port %u: %s", m_options.hostPort,
                         qPrintable(hostError));
        }
    } else if (!m_options.server.isEmpty()) {
        QString error;
        url = ServerAddress::parse(m_options.server, &error);
        if (!url.isValid())
            qWarning("confab: %s", qPrintable(error));
    }
    // A refused login (or a certificate to decide on) brings the dialog back, once: queued, so
    // it opens from the event loop and not inside the socket's message handling.
    ClientSession *session = m_controller.session();
    connect(
        session, &ClientSession::loginFailed, this,
        [this] { showLoginAgain(QString(), m_settings.signedIn()); }, Qt::QueuedConnection);
    connect(
        session, &ClientSession::certificateRejected, this,
        [this] { showLoginAgain(QString(), m_settings.signedIn()); }, Qt::QueuedConnection);
    if (url.isValid() && nameOk) {
        // Straight to the window; it shows the connection state while it logs in.
        m_settings.setUserName(name);
        session->setPlainFallback(!m_options.server.contains(QLatin1String("://")) &&
                                  !m_options.host);
        if (m_settings.signedIn() && !m_options.host) {
            // This computer's kept sign-in; without one, the dialog asks for the password.
            // What is saved shows at once, while the keychain looks for the token.
            m_controller.showSaved(url, name, true);
            const QString key = ServerAddress::accountKey(url, name);
            connect(&m_tokens, &TokenStore::tokenRead, this,
                    [this, url, name, key](const QString &account, const QString &token) {
                        if (account != key)
                            return;
                        if (token.isEmpty()) {
                            showLoginAgain(tr("Enter your password to sign in."), true);
                            return;
                        }
                        ClientSession::Credentials c;
                        c.mode = ClientSession::Credentials::Mode::Token;
                        c.token = token;
                        m_controller.connectTo(url, name, c);
                    });
            m_tokens.read(key);
        } else {
            m_controller.connectTo(url, name);
        }
        showMainWindow();
    } else {
        // The dialog, opened rather than run with exec(): start() returns and the
        // application's event loop runs it; Quit there quits the application.
        const QString message =
            hostError.isEmpty()
                ? QString()
                : LoginDialog::tr("Could not start the server on this computer: %1\nChoose "
                                  "another port.")
                      .arg(hostError);
        showLoginAgain(message, m_settings.signedIn());
        if (m_options.host)
            m_loginAgain->setHostPort(m_options.hostPort);
        if (!m_options.name.isEmpty())
            m_loginAgain->setName(m_options.name);
    }
    if (m_options.quitAfterMs >= 0)
        QTimer::singleShot(m_options.quitAfterMs, &m_app, &QApplication::quit);
    return true;
}

void ClientApp::showLoginAgain(const QString &message, bool signIn)
{
    // Never a second dialog over the first: a refusal while it is open is its own to show.
    if (m_loginAgain && m_loginAgain->isVisible())
        return;
    m_loginAgain = std::make_unique<LoginDialog>(
        &m_controller, &m_settings,
        [this](quint16 port, QString *error) { return startHost(port, error); }, &m_tokens, &m_pins,
        m_window.get());
    m_loginAgain->setMode(signIn ? LoginDialog::Mode::SignIn : LoginDialog::Mode::Guest);
    if (!message.isEmpty())
        m_loginAgain->showMessage(message);
    // Before the main window exists the dialog is the only window: hiding it on success must
    // not count as the last window closing (that would quit).
    if (!m_window)
        m_app.setQuitOnLastWindowClosed(false);
    connect(m_loginAgain.get(), &QDialog::rejected, &m_app, &QApplication::quit);
    connect(m_loginAgain.get(), &QDialog::accepted, this, [this] {
        if (!m_window) {
            showMainWindow(); // with the host addresses, if hosting
            m_app.setQuitOnLastWindowClosed(true);
            return;
        }
        if (m_server.isRunning())
            m_window->setHostAddresses(m_server.lanAddresses().isEmpty()
                                           ? QStringList{m_server.localAddress()}
                                           : m_server.lanAddresses(),
                                       m_server.fingerprint());
    });
    m_loginAgain->open(); // not exec(): the caller's event loop goes on
}

void ClientApp::onSessionEnded(ErrorCode code, const QString &text)
{
    ClientSession *session = m_controller.session();
    const QString key = ServerAddress::accountKey(session->url(), session->name());
    switch (code) {
    case ErrorCode::TokenRevoked:
    case ErrorCode::SignedOut:
        m_tokens.remove(key);
        m_settings.setSignedIn(code != ErrorCode::SignedOut);
        showLoginAgain(code == ErrorCode::SignedOut
                           ? tr("You signed out.")
                           : tr("This device was signed out of your account (from another "
                                "device, or by a password change). Sign in again."),
                       code != ErrorCode::SignedOut);
        break;
    case ErrorCode::AccountDisabled:
        m_tokens.remove(key);
        showLoginAgain(tr("Your account was disabled by the server's administrator."), true);
        break;
    default: // replaced: the same user on another connection; the window says Offline
        if (m_window)
            m_window->statusBar()->showMessage(text, 30000);
        break;
    }
}

void ClientApp::showMainWindow()
{
    m_window = std::make_unique<MainWindow>(&m_controller, &m_settings);
    m_window->setTokenStorageNote(tokenStorageNote());
    // The note is a sentence: in the new language after a switch (the translators are in).
    connect(m_window.get(), &MainWindow::languageChosen, this,
            [this] { m_window->setTokenStorageNote(tokenStorageNote()); });
    connect(m_window.get(), &MainWindow::signOutRequested, this, [this] {
        ClientSession *session = m_controller.session();
        m_tokens.remove(ServerAddress::accountKey(session->url(), session->name()));
        m_settings.setSignedIn(false);
        session->signOut(); // sessionEnded(signed_out) brings the dialog
        if (session->state() != ClientSession::State::Online)
            showLoginAgain(tr("You signed out."), false);
    });
    connect(m_window.get(), &MainWindow::signInRequested, this, [this] {
        m_controller.disconnectFromServer();
        showLoginAgain(QString(), true);
    });
    if (!m_calls) {
        // The command line wins over the settings for this run. The media module is loaded
        // only when calls are needed (CallLauncher).
        m_calls = std::make_unique<CallLauncher>(
            m_controller.session(), &m_settings,
            CallDevices{m_options.camera.value_or(m_settings.callCamera()),
                        m_options.microphone.value_or(m_settings.callMicrophone()),
                        m_options.speaker.value_or(m_settings.callSpeaker()),
                        m_options.videoCodec.value_or(m_settings.videoCodec())});
    }
    m_window->setCalls(m_calls.get());
    if (m_server.isRunning()) {
        QStringList addresses = m_server.lanAddresses();
        if (addresses.isEmpty())
            addresses << m_server.localAddress();
        m_window->setHostAddresses(addresses, m_server.fingerprint());
    }
    if (qEnvironmentVariableIsSet("CONFAB_STARTUP_PROBE"))
        m_window->installEventFilter(this);
    m_window->show();
}

bool ClientApp::eventFilter(QObject *watched, QEvent *event)
{
    // bench/client-startup.sh and bench/saved-history-startup.sh: report when the first frame
    // of the window has been painted, and how many messages the open conversation had in it
    // (a start from a saved history that shows none has not measured what it claims to).
    if (watched == m_window.get() && event->type() == QEvent::Paint) {
        m_window->removeEventFilter(this);
        const MessageListModel *open =
            m_controller.conversations()->find(m_controller.activeConversation());
        const int shown = open ? open->rowCount() : 0;
        QTimer::singleShot(0, this, [this, shown] {
            std::fprintf(stderr, "confab: first frame at %lld (%d messages shown)\n",
                         QDateTime::currentMSecsSinceEpoch(), shown);
            std::fflush(stderr);
            if (qEnvironmentVariable("CONFAB_STARTUP_PROBE") == QLatin1String("quit"))
                m_app.quit();
        });
    }
    return QObject::eventFilter(watched, event);
}
