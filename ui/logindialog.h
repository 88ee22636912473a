#pragma once

#include "net/clientsession.h"
#include "protocol/authpolicy.h"
#include "protocol/errorcode.h"

#include <QDialog>
#include <QUrl>

#include <functional>

class ChatController;
class CertificatePins;
class Settings;
class TokenStore;
class QButtonGroup;
class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

// Where a session starts: a server address, a name (both remembered) and how to join it —
// sign in to an account, create one (with an invite code when the server asks for one), or
// continue as a guest — or "host on this computer". It connects in place, showing progress,
// and says what went wrong and what to do when it cannot (server unreachable, wrong password,
// name taken or registered, port busy, an unknown or changed certificate).
//
// Passwords are never stored: a sign-in yields a device token, kept in the OS keychain
// (TokenStore); with one kept for this server and name, signing in needs no password.
class LoginDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Mode { SignIn, CreateAccount, Guest };

    // Starts the embedded server on `port`; returns the URL to connect to, or an invalid URL
    // with *error set.
    using HostStarter = std::function<QUrl(quint16 port, QString *error)>;

    LoginDialog(ChatController *controller, Settings *settings, HostStarter hostStarter,
                TokenStore *tokens = nullptr, CertificatePins *pins = nullptr,
                QWidget *parent = nullptr);

    QString errorText() const;
    bool isHosting() const { return m_hosting; }
    QUrl connectedUrl() const { return m_url; }
    Mode mode() const;
    void setMode(Mode mode);
    // Shows why the dialog is back (a session that ended, a token that no longer works).
    void showMessage(const QString &message);
    // What the command line asked for (confab --host PORT --name NAME), shown instead of the
    // saved choices; they are saved once the login succeeds.
    void setHostPort(quint16 port);
    void setName(const QString &name);

public slots:
    void attemptLogin();

protected:
    // A new language (Translations::install) while the dialog is open.
    void changeEvent(QEvent *event) override;

private:
    void retranslate();
    void setBusy(bool busy, const QString &message = {});
    void showError(const QString &message);
    void updateMode();
    void applyPolicy(const AuthPolicy &policy);
    void connectWith(const ClientSession::Credentials &credentials);
    void onLoginFailed(ErrorCode code, const QString &text);
    void onConnectionLost(const QString &reason);
    void onCertificateRejected(const QString &hostPort, const QString &fingerprint, bool changed);
    QString name() const;

    ChatController *m_controller;
    Settings *m_settings;
    HostStarter m_hostStarter;
    TokenStore *m_tokens;
    CertificatePins *m_pins;
    QLabel *m_title;
    QLabel *m_intro;
    QLabel *m_serverLabel;
    QLineEdit *m_server;
    QCheckBox *m_host;
    QSpinBox *m_port;
    QButtonGroup *m_modes;
    QLabel *m_nameLabel;
    QLineEdit *m_name;
    QLabel *m_passwordLabel;
    QLineEdit *m_password;
    QLabel *m_repeatLabel;
    QLineEdit *m_repeat;
    QLabel *m_inviteLabel;
    QLineEdit *m_invite;
    QLabel *m_policyHint;
    QLabel *m_status;
    QDialogButtonBox *m_buttons;
    QPushButton *m_connectButton;
    QPushButton *m_quitButton;
    QUrl m_url;
    bool m_plainFallback = false;
    bool m_hosting = false;
    bool m_waiting = false;
    QString m_tokenKey;       // the keychain entry a token read is waiting for
    bool m_usedToken = false; // this attempt signs in with a kept token
    AuthPolicy m_policy;
    bool m_policyKnown = false;
};
