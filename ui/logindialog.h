#pragma once

#include "protocol/errorcode.h"

#include <QDialog>
#include <QUrl>

#include <functional>

class ChatController;
class Settings;
class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QSpinBox;

// Where a session starts: a server address and a name (both remembered), or "host on this
// computer". It connects in place, showing progress, and says what went wrong and what to
// do when it cannot (server unreachable, name taken or invalid, port busy).
class LoginDialog : public QDialog
{
    Q_OBJECT
public:
    // Starts the embedded server on `port`; returns the URL to connect to, or an invalid URL
    // with *error set.
    using HostStarter = std::function<QUrl(quint16 port, QString *error)>;

    LoginDialog(ChatController *controller, Settings *settings, HostStarter hostStarter,
                QWidget *parent = nullptr);

    QString errorText() const;
    bool isHosting() const { return m_hosting; }
    QUrl connectedUrl() const { return m_url; }

public slots:
    void attemptLogin();

private:
    void setBusy(bool busy, const QString &message = {});
    void showError(const QString &message);
    void onLoginFailed(ErrorCode code, const QString &text);
    void onConnectionLost(const QString &reason);

    ChatController *m_controller;
    Settings *m_settings;
    HostStarter m_hostStarter;
    QLineEdit *m_server;
    QLineEdit *m_name;
    QCheckBox *m_host;
    QSpinBox *m_port;
    QLabel *m_status;
    QDialogButtonBox *m_buttons;
    QUrl m_url;
    bool m_hosting = false;
    bool m_waiting = false;
};
