#include "logindialog.h"

#include "model/chatcontroller.h"
#include "protocol/namerules.h"
#include "serveraddress.h"
#include "settings/settings.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

LoginDialog::LoginDialog(ChatController *controller, Settings *settings, HostStarter hostStarter,
                         QWidget *parent)
    : QDialog(parent), m_controller(controller), m_settings(settings),
      m_hostStarter(std::move(hostStarter))
{
    setWindowTitle(tr("Confab — Log in"));
    setObjectName(QStringLiteral("loginDialog"));
    setMinimumWidth(420);

    auto *title = new QLabel(tr("<h2>Welcome to Confab</h2>"), this);
    auto *intro = new QLabel(tr("Join a server, or host one on this computer so others on "
                                "your network can join you."),
                             this);
    intro->setWordWrap(true);

    m_server = new QLineEdit(settings->serverAddress(), this);
    m_server->setObjectName(QStringLiteral("serverEdit"));
    m_server->setPlaceholderText(tr("host, host:port or ws://host:port"));
    m_name = new QLineEdit(settings->userName(), this);
    m_name->setObjectName(QStringLiteral("nameEdit"));
    m_name->setPlaceholderText(tr("Your name"));
    m_name->setMaxLength(64);
    m_host = new QCheckBox(tr("Host on this computer"), this);
    m_host->setObjectName(QStringLiteral("hostCheck"));
    m_host->setChecked(settings->hostMode());
    m_port = new QSpinBox(this);
    m_port->setObjectName(QStringLiteral("portSpin"));
    m_port->setRange(1, 65535);
    m_port->setValue(settings->hostPort());
    m_port->setPrefix(tr("port "));

    auto *form = new QFormLayout;
    form->addRow(tr("&Server:"), m_server);
    auto *hostRow = new QHBoxLayout;
    hostRow->addWidget(m_host);
    hostRow->addWidget(m_port);
    hostRow->addStretch();
    form->addRow(QString(), hostRow);
    form->addRow(tr("&Name:"), m_name);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("statusLabel"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_buttons = new QDialogButtonBox(this);
    QPushButton *connectButton = m_buttons->addButton(tr("&Connect"), QDialogButtonBox::AcceptRole);
    connectButton->setObjectName(QStringLiteral("connectButton"));
    connectButton->setDefault(true);
    m_buttons->addButton(tr("&Quit"), QDialogButtonBox::RejectRole);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &LoginDialog::attemptLogin);
    connect(m_buttons, &QDialogButtonBox::rejected, this, [this] {
        m_controller->disconnectFromServer();
        reject();
    });

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addWidget(intro);
    layout->addSpacing(8);
    layout->addLayout(form);
    layout->addWidget(m_status);
    layout->addStretch();
    layout->addWidget(m_buttons);

    auto updateHost = [this] {
        m_server->setEnabled(!m_host->isChecked());
        m_port->setEnabled(m_host->isChecked());
    };
    connect(m_host, &QCheckBox::toggled, this, updateHost);
    updateHost();
    if (m_name->text().isEmpty())
        m_name->setFocus();

    ClientSession *session = controller->session();
    connect(session, &ClientSession::loggedIn, this, [this] {
        if (!m_waiting)
            return;
        m_waiting = false;
        m_settings->setServerAddress(m_server->text().trimmed());
        m_settings->setUserName(m_name->text().trimmed());
        m_settings->setHostMode(m_host->isChecked());
        m_settings->setHostPort(quint16(m_port->value()));
        accept();
    });
    connect(session, &ClientSession::loginFailed, this, &LoginDialog::onLoginFailed);
    connect(session, &ClientSession::connectionLost, this,
            [this](const QString &reason) { onConnectionLost(reason); });
}

QString LoginDialog::errorText() const
{
    return m_status->property("error").toBool() ? m_status->text() : QString();
}

void LoginDialog::setBusy(bool busy, const QString &message)
{
    m_server->setEnabled(!busy && !m_host->isChecked());
    m_name->setEnabled(!busy);
    m_host->setEnabled(!busy);
    m_port->setEnabled(!busy && m_host->isChecked());
    m_buttons->buttons().first()->setEnabled(!busy);
    m_status->setProperty("error", false);
    m_status->setStyleSheet(QString());
    m_status->setText(message);
}

void LoginDialog::showError(const QString &message)
{
    m_waiting = false;
    setBusy(false);
    m_status->setProperty("error", true);
    m_status->setStyleSheet(QStringLiteral("color: #D73A49;"));
    m_status->setText(message);
}

void LoginDialog::attemptLogin()
{
    const QString name = m_name->text().trimmed();
    switch (NameRules::check(name, 32)) {
    case ErrorCode::None:
        break;
    case ErrorCode::NameEmpty:
        showError(tr("Enter a name so others know who you are."));
        m_name->setFocus();
        return;
    case ErrorCode::NameTooLong:
        showError(tr("That name is too long: use at most 32 characters."));
        m_name->setFocus();
        return;
    default:
        showError(tr("Names may use letters, digits, '_', '-' and '.', and start with a letter or "
                     "digit (no spaces)."));
        m_name->setFocus();
        return;
    }
    QString error;
    if (m_host->isChecked()) {
        m_url = m_hostStarter ? m_hostStarter(quint16(m_port->value()), &error) : QUrl();
        if (!m_url.isValid()) {
            showError(tr("Could not start the server on this computer: %1\nChoose another port.")
                          .arg(error.isEmpty() ? tr("hosting is not available") : error));
            return;
        }
        m_hosting = true;
    } else {
        m_url = ServerAddress::parse(m_server->text(), &error);
        if (!m_url.isValid()) {
            showError(error);
            m_server->setFocus();
            return;
        }
    }
    m_waiting = true;
    setBusy(true, tr("Connecting to %1…").arg(m_url.toString()));
    m_controller->connectTo(m_url, name);
}

void LoginDialog::onLoginFailed(ErrorCode code, const QString &text)
{
    if (!m_waiting)
        return;
    if (code == ErrorCode::NameTaken)
        showError(tr("Someone online already uses the name '%1'. Choose another name.")
                      .arg(m_name->text().trimmed()));
    else
        showError(text);
    m_name->setFocus();
    m_name->selectAll();
}

void LoginDialog::onConnectionLost(const QString &reason)
{
    if (!m_waiting)
        return;
    // At login a failure is reported rather than retried: the address may simply be wrong.
    m_controller->disconnectFromServer();
    showError(tr("Cannot reach the server at %1 (%2).\nCheck the address and that the server "
                 "is running, or choose \"Host on this computer\".")
                  .arg(m_url.toString(), reason.isEmpty() ? tr("no answer") : reason));
}
