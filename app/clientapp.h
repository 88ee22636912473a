#pragma once

#include "calllauncher.h"
#include "clientoptions.h"
#include "embeddedserver.h"
#include "model/chatcontroller.h"
#include "net/certificatepins.h"
#include "settings/settings.h"
#include "settings/tokenstore.h"

#include <QObject>
#include <QTranslator>

#include <memory>

class QApplication;
class MainWindow;
class LoginDialog;

// Wires the desktop client together: options and settings, language and theme, the login
// dialog or a direct start, host mode, and the main window.
class ClientApp : public QObject
{
    Q_OBJECT
public:
    ClientApp(QApplication &app, const ClientOptions &options);
    ~ClientApp() override;

    // Shows the first window: the chat window when the command line and the settings say
    // where and who, else the login dialog (opened, not run: the application's event loop
    // runs it, and its Quit quits the application). Returns true.
    bool start();
    // The login dialog while it is open (or the last one), for tests.
    LoginDialog *loginDialog() const { return m_loginAgain.get(); }

    ChatController *controller() { return &m_controller; }
    MainWindow *mainWindow() const { return m_window.get(); }
    EmbeddedServer *embeddedServer() { return &m_server; }
    CallLauncher *calls() { return m_calls.get(); }

    // Loads the Qt and Confab translations for `language` ("" = the system's).
    static void installTranslations(QApplication &app, const QString &language);
    // The name to use when none was given: the settings', else the login name if valid.
    static QString defaultName(const Settings &settings);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QUrl startHost(quint16 port, QString *error);
    void showMainWindow();
    // The login dialog over the window (not blocking the event loop): after a refused login,
    // an ended session, a sign-out. Quitting it quits the app.
    void showLoginAgain(const QString &message, bool signIn);
    void onSessionEnded(ErrorCode code, const QString &text);
    QString tokenStorageNote() const;

    QApplication &m_app;
    ClientOptions m_options;
    Settings m_settings;
    ChatController m_controller;
    TokenStore m_tokens;
    CertificatePins m_pins;
    EmbeddedServer m_server;
    std::unique_ptr<CallLauncher> m_calls;
    std::unique_ptr<MainWindow> m_window;
    // After the window: a dialog over the window is its child, and must go first.
    std::unique_ptr<LoginDialog> m_loginAgain;
};
