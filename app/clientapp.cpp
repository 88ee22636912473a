#include "clientapp.h"

#include "logindialog.h"
#include "mainwindow.h"
#include "protocol/namerules.h"
#include "serveraddress.h"
#include "theme.h"

#include <QApplication>
#include <QDateTime>
#include <QEvent>

#include <QLibraryInfo>
#include <QLocale>
#include <QTimer>
#include <cstdio>

ClientApp::ClientApp(QApplication &app, const ClientOptions &options)
    : m_app(app), m_options(options)
{
    if (!options.theme.isEmpty())
        m_settings.setTheme(Settings::themeFromName(options.theme));
    Theme::apply(app, m_settings.theme());
}

ClientApp::~ClientApp()
{
    if (m_calls)
        m_calls->hangUp(); // the other side hears "hung up", not "connection lost"
    m_controller.disconnectFromServer();
}

void ClientApp::installTranslations(QApplication &app, const QString &language)
{
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    QLocale::setDefault(locale);
    auto *qt = new QTranslator(&app);
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                 QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QApplication::installTranslator(qt);
    auto *own = new QTranslator(&app);
    if (own->load(locale, QStringLiteral("confab"), QStringLiteral("_"), QStringLiteral(":/i18n")))
        QApplication::installTranslator(own);
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
    return QUrl(m_server.localAddress());
}

bool ClientApp::start()
{
    QString name = m_options.name.isEmpty() ? defaultName(m_settings) : m_options.name;
    QUrl url;
    if (m_options.host) {
        QString error;
        url = startHost(m_options.hostPort, &error);
        if (!url.isValid()) {
            qWarning("confab: cannot host on port %u: %s", m_options.hostPort, qPrintable(error));
            m_settings.setHostMode(true);
            m_settings.setHostPort(m_options.hostPort);
        }
    } else if (!m_options.server.isEmpty()) {
        QString error;
        url = ServerAddress::parse(m_options.server, &error);
        if (!url.isValid())
            qWarning("confab: %s", qPrintable(error));
    }
    const bool direct = url.isValid() && NameRules::check(name, 32) == ErrorCode::None;
    if (direct) {
        // Straight to the window; it shows the connection state while it logs in. A refused
        // login brings the dialog back.
        m_settings.setUserName(name);
        m_controller.connectTo(url, name);
        showMainWindow();
        connect(m_controller.session(), &ClientSession::loginFailed, this, [this] {
            LoginDialog dialog(
                &m_controller, &m_settings,
                [this](quint16 port, QString *error) { return startHost(port, error); },
                m_window.get());
            if (dialog.exec() != QDialog::Accepted)
                m_app.quit();
        });
    } else {
        if (m_options.host)
            m_settings.setHostMode(true);
        LoginDialog dialog(&m_controller, &m_settings,
                           [this](quint16 port, QString *error) { return startHost(port, error); });
        if (dialog.exec() != QDialog::Accepted)
            return false;
        showMainWindow();
    }
    if (m_options.quitAfterMs >= 0)
        QTimer::singleShot(m_options.quitAfterMs, &m_app, &QApplication::quit);
    return true;
}

void ClientApp::showMainWindow()
{
    m_window = std::make_unique<MainWindow>(&m_controller, &m_settings);
    if (!m_calls) {
        m_calls = std::make_unique<CallSession>(m_controller.session());
        // The command line wins over the settings for this run.
        m_calls->setDevices({m_options.camera.value_or(m_settings.callCamera()),
                             m_options.microphone.value_or(m_settings.callMicrophone()),
                             m_options.speaker.value_or(m_settings.callSpeaker()),
                             m_options.videoCodec.value_or(m_settings.videoCodec())});
    }
    m_window->setCallSession(m_calls.get());
    connect(m_window.get(), &MainWindow::themeChosen, this,
            [this](int theme) { Theme::apply(m_app, Settings::Theme(theme)); });
    if (m_server.isRunning()) {
        QStringList addresses = m_server.lanAddresses();
        if (addresses.isEmpty())
            addresses << m_server.localAddress();
        m_window->setHostAddresses(addresses);
    }
    if (qEnvironmentVariableIsSet("CONFAB_STARTUP_PROBE"))
        m_window->installEventFilter(this);
    m_window->show();
}

bool ClientApp::eventFilter(QObject *watched, QEvent *event)
{
    // bench/client-startup: report when the first frame of the window has been painted.
    if (watched == m_window.get() && event->type() == QEvent::Paint) {
        m_window->removeEventFilter(this);
        QTimer::singleShot(0, this, [this] {
            std::fprintf(stderr, "confab: first frame at %lld\n",
                         QDateTime::currentMSecsSinceEpoch());
            std::fflush(stderr);
            if (qEnvironmentVariable("CONFAB_STARTUP_PROBE") == QLatin1String("quit"))
                m_app.quit();
        });
    }
    return QObject::eventFilter(watched, event);
}
