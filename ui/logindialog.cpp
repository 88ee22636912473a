#include "logindialog.h"

#include "certificatedialog.h"
#include "model/chatcontroller.h"
#include "net/certificatepins.h"
#include "net/serveraddress.h"
#include "protocol/namerules.h"
#include "settings/settings.h"
#include "settings/tokenstore.h"
#include "theme.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSysInfo>
#include <QVBoxLayout>

namespace {

QString deviceLabel()
{
    // What the device list shows for this sign-in: the computer's name and the system.
    return QStringLiteral("%1 (%2)").arg(QSysInfo::machineHostName(),
                                         QSysInfo::prettyProductName());
}

} // namespace

LoginDialog::LoginDialog(ChatController *controller, Settings *settings, HostStarter hostStarter,
                         TokenStore *tokens, CertificatePins *pins, QWidget *parent)
    : QDialog(parent), m_controller(controller), m_settings(settings),
      m_hostStarter(std::move(hostStarter)), m_tokens(tokens), m_pins(pins)
{
    setObjectName(QStringLiteral("loginDialog"));
    setMinimumWidth(440);

    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("loginTitle"));
    m_intro = new QLabel(this);
    m_intro->setObjectName(QStringLiteral("loginIntro"));
    m_intro->setWordWrap(true);

    m_server = new QLineEdit(settings->serverAddress(), this);
    m_server->setObjectName(QStringLiteral("serverEdit"));
    m_host = new QCheckBox(this);
    m_host->setObjectName(QStringLiteral("hostCheck"));
    m_host->setChecked(settings->hostMode());
    m_port = new QSpinBox(this);
    m_port->setObjectName(QStringLiteral("portSpin"));
    m_port->setRange(1, 65535);
    m_port->setValue(settings->hostPort());

    // Sign in | Create account | Guest, as one row of toggle buttons.
    m_modes = new QButtonGroup(this);
    auto *modeRow = new QHBoxLayout;
    modeRow->setSpacing(0);
    for (Mode mode : {Mode::SignIn, Mode::CreateAccount, Mode::Guest}) {
        auto *button = new QPushButton(this);
        button->setCheckable(true);
        button->setObjectName(mode == Mode::SignIn          ? QStringLiteral("signInMode")
                              : mode == Mode::CreateAccount ? QStringLiteral("createMode")
                                                            : QStringLiteral("guestMode"));
        m_modes->addButton(button, int(mode));
        modeRow->addWidget(button);
    }
    modeRow->addStretch();

    m_name = new QLineEdit(settings->userName(), this);
    m_name->setObjectName(QStringLiteral("nameEdit"));
    m_name->setMaxLength(64);
    m_password = new QLineEdit(this);
    m_password->setObjectName(QStringLiteral("passwordEdit"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setMaxLength(AuthPolicy::kMaxPasswordChars);
    m_repeat = new QLineEdit(this);
    m_repeat->setObjectName(QStringLiteral("repeatEdit"));
    m_repeat->setEchoMode(QLineEdit::Password);
    m_repeat->setMaxLength(AuthPolicy::kMaxPasswordChars);
    m_invite = new QLineEdit(this);
    m_invite->setObjectName(QStringLiteral("inviteEdit"));
    m_invite->setMaxLength(AuthPolicy::kMaxInviteChars);

    auto *form = new QFormLayout;
    m_serverLabel = new QLabel(this);
    m_serverLabel->setBuddy(m_server);
    form->addRow(m_serverLabel, m_server);
    auto *hostRow = new QHBoxLayout;
    hostRow->addWidget(m_host);
    hostRow->addWidget(m_port);
    hostRow->addStretch();
    form->addRow(QString(), hostRow);
    form->addRow(QString(), modeRow);
    m_nameLabel = new QLabel(this);
    m_nameLabel->setBuddy(m_name);
    form->addRow(m_nameLabel, m_name);
    m_passwordLabel = new QLabel(this);
    m_passwordLabel->setBuddy(m_password);
    form->addRow(m_passwordLabel, m_password);
    m_repeatLabel = new QLabel(this);
    m_repeatLabel->setBuddy(m_repeat);
    form->addRow(m_repeatLabel, m_repeat);
    m_inviteLabel = new QLabel(this);
    m_inviteLabel->setBuddy(m_invite);
    form->addRow(m_inviteLabel, m_invite);

    m_policyHint = new QLabel(this);
    m_policyHint->setObjectName(QStringLiteral("policyHint"));
    m_policyHint->setWordWrap(true);
    m_policyHint->setProperty("secondary", true);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("statusLabel"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_buttons = new QDialogButtonBox(this);
    m_connectButton = m_buttons->addButton(QString(), QDialogButtonBox::AcceptRole);
    m_connectButton->setObjectName(QStringLiteral("connectButton"));
    m_connectButton->setDefault(true);
    m_quitButton = m_buttons->addButton(QString(), QDialogButtonBox::RejectRole);
    m_quitButton->setObjectName(QStringLiteral("quitButton"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &LoginDialog::attemptLogin);
    connect(m_buttons, &QDialogButtonBox::rejected, this, [this] {
        m_controller->disconnectFromServer();
        reject();
    });

    auto *layout = new QVBoxLayout(this);
    // The default constraint: at least the width set above (SetMinimumSize would replace it
    // with the narrower minimum of the layout), as tall as the content; adjustSize() grows
    // it with its messages.
    layout->addWidget(m_title);
    layout->addWidget(m_intro);
    layout->addSpacing(8);
    layout->addLayout(form);
    layout->addWidget(m_policyHint);
    layout->addWidget(m_status);
    layout->addStretch();
    layout->addWidget(m_buttons);

    auto updateHost = [this] {
        m_server->setEnabled(!m_host->isChecked());
        m_port->setEnabled(m_host->isChecked());
    };
    connect(m_host, &QCheckBox::toggled, this, updateHost);
    updateHost();
    connect(m_modes, &QButtonGroup::idClicked, this, [this] { updateMode(); });
    retranslate();
    setMode(settings->signedIn() ? Mode::SignIn : Mode::Guest);
    if (m_name->text().isEmpty())
        m_name->setFocus();
    else if (mode() == Mode::SignIn)
        m_password->setFocus();

    ClientSession *session = controller->session();
    connect(session, &ClientSession::loggedIn, this, [this] {
        if (!m_waiting)
            return;
        m_waiting = false;
        m_settings->setServerAddress(m_server->text().trimmed());
        m_settings->setUserName(m_controller->session()->name());
        m_settings->setHostMode(m_host->isChecked());
        m_settings->setHostPort(quint16(m_port->value()));
        m_settings->setSignedIn(m_controller->session()->isAccount());
        m_password->clear();
        m_repeat->clear();
        accept();
    });
    connect(session, &ClientSession::authPolicyReceived, this, &LoginDialog::applyPolicy);
    // Queued: the session reports these from inside the socket's own message handling, and
    // what follows may close the socket or open it again (a retry); that waits for the event
    // loop, out of the socket's dispatch.
    connect(session, &ClientSession::loginFailed, this, &LoginDialog::onLoginFailed,
            Qt::QueuedConnection);
    connect(
        session, &ClientSession::connectionLost, this,
        [this](const QString &reason) { onConnectionLost(reason); }, Qt::QueuedConnection);
    // Queued as well: the session reports it from inside the socket's TLS handling; the question
    // to the user waits for the event loop.
    connect(session, &ClientSession::certificateRejected, this, &LoginDialog::onCertificateRejected,
            Qt::QueuedConnection);
    if (m_tokens) {
        connect(m_tokens, &TokenStore::tokenRead, this,
                [this](const QString &account, const QString &token) {
                    if (account != m_tokenKey || !m_waiting)
                        return;
                    m_tokenKey.clear();
                    if (token.isEmpty()) {
                        showError(tr("Enter your password: this computer has no sign-in kept "
                                     "for %1 on this server.")
                                      .arg(name()));
                        m_password->setFocus();
                        return;
                    }
                    m_usedToken = true;
                    ClientSession::Credentials c;
                    c.mode = ClientSession::Credentials::Mode::Token;
                    c.token = token;
                    connectWith(c);
                });
        connect(m_tokens, &TokenStore::failed, this,
                [this](const QString &account, const QString &message) {
                    if (account != m_tokenKey || !m_waiting)
                        return;
                    m_tokenKey.clear();
                    showError(tr("The keychain did not give the saved sign-in (%1). Enter your "
                                 "password.")
                                  .arg(message));
                });
    }
}

void LoginDialog::retranslate()
{
    setWindowTitle(tr("Log in"));
    m_title->setText(tr("<h2>Welcome to Confab</h2>"));
    m_intro->setText(tr("Join a server, or host one on this computer so others on your network "
                        "can join you."));
    m_serverLabel->setText(tr("&Server:"));
    m_server->setPlaceholderText(tr("host, host:port or wss://host:port"));
    m_host->setText(tr("Host on this computer"));
    m_port->setPrefix(tr("port "));
    m_port->setAccessibleName(tr("Port"));
    m_modes->button(int(Mode::SignIn))->setText(tr("Sign in"));
    m_modes->button(int(Mode::CreateAccount))->setText(tr("Create account"));
    m_modes->button(int(Mode::Guest))->setText(tr("Continue as guest"));
    m_nameLabel->setText(tr("&Name:"));
    m_name->setPlaceholderText(tr("Your name"));
    m_passwordLabel->setText(tr("&Password:"));
    m_repeatLabel->setText(tr("&Repeat:"));
    m_inviteLabel->setText(tr("&Invite code:"));
    m_connectButton->setText(tr("&Connect"));
    m_quitButton->setText(tr("&Quit"));
    // The hint and placeholders of the chosen way in. (A message already shown stays as it
    // was said: it answered what the user did then.)
    updateMode();
}

void LoginDialog::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QDialog::changeEvent(event);
}

QString LoginDialog::name() const
{
    return NameRules::normalized(m_name->text().trimmed());
}

LoginDialog::Mode LoginDialog::mode() const
{
    return Mode(qMax(0, m_modes->checkedId()));
}

void LoginDialog::setMode(Mode mode)
{
    if (QAbstractButton *b = m_modes->button(int(mode)))
        b->setChecked(true);
    updateMode();
}

void LoginDialog::updateMode()
{
    const Mode m = mode();
    const bool account = m != Mode::Guest;
    m_passwordLabel->setVisible(account);
    m_password->setVisible(account);
    m_repeatLabel->setVisible(m == Mode::CreateAccount);
    m_repeat->setVisible(m == Mode::CreateAccount);
    // The invite field shows while the server's policy is unknown or asks for one.
    const bool invite =
        m == Mode::CreateAccount &&
        (!m_policyKnown || m_policy.registration == AuthPolicy::Registration::Invite);
    m_inviteLabel->setVisible(invite);
    m_invite->setVisible(invite);
    m_invite->setPlaceholderText(m_policyKnown ? tr("from the server's administrator")
                                               : tr("if the server asks for one"));
    m_password->setPlaceholderText(
        m == Mode::SignIn ? tr("empty: use this computer's saved sign-in")
                          : tr("at least %1 characters").arg(AuthPolicy::kMinPasswordChars));
    QString hint;
    if (m == Mode::Guest)
        hint = tr("Guests use any name no account holds; their private messages are not kept "
                  "for them after they leave.");
    else if (m == Mode::CreateAccount && m_policyKnown &&
             m_policy.registration == AuthPolicy::Registration::Closed)
        hint = tr("This server does not accept new accounts; ask its administrator.");
    else if (m == Mode::SignIn)
        hint = tr("Your password is not stored: this computer keeps a sign-in you can revoke "
                  "from any of your devices.");
    m_policyHint->setText(hint);
    m_policyHint->setVisible(!hint.isEmpty());
    // Rows came and went. Before the window shows, that does not reach the form's cached sizes
    // (only the top layout hears of it), and adjustSize() would measure the previous mode.
    if (auto *form = findChild<QFormLayout *>())
        form->invalidate();
    adjustSize();
}

void LoginDialog::applyPolicy(const AuthPolicy &policy)
{
    m_policy = policy;
    m_policyKnown = true;
    if (QAbstractButton *create = m_modes->button(int(Mode::CreateAccount)))
        create->setEnabled(policy.registration != AuthPolicy::Registration::Closed ||
                           mode() == Mode::CreateAccount);
    if (QAbstractButton *guest = m_modes->button(int(Mode::Guest)))
        guest->setEnabled(policy.guests || mode() == Mode::Guest);
    updateMode();
}

QString LoginDialog::errorText() const
{
    return m_status->property("error").toBool() ? m_status->text() : QString();
}

void LoginDialog::showMessage(const QString &message)
{
    showError(message);
}

void LoginDialog::setHostPort(quint16 port)
{
    m_host->setChecked(true);
    m_port->setValue(port);
}

void LoginDialog::setName(const QString &name)
{
    m_name->setText(name);
}

void LoginDialog::setBusy(bool busy, const QString &message)
{
    m_server->setEnabled(!busy && !m_host->isChecked());
    m_name->setEnabled(!busy);
    m_password->setEnabled(!busy);
    m_repeat->setEnabled(!busy);
    m_invite->setEnabled(!busy);
    m_host->setEnabled(!busy);
    m_port->setEnabled(!busy && m_host->isChecked());
    for (QAbstractButton *b : m_modes->buttons())
        b->setEnabled(!busy);
    m_connectButton->setEnabled(!busy);
    m_status->setProperty("error", false);
    m_status->setStyleSheet(QString());
    m_status->setText(message);
    adjustSize();
}

void LoginDialog::showError(const QString &message)
{
    m_waiting = false;
    setBusy(false);
    if (m_policyKnown)
        applyPolicy(m_policy);
    m_status->setProperty("error", true);
    m_status->setStyleSheet(QStringLiteral("color: %1;").arg(Theme::colors().danger.name()));
    m_status->setText(message);
    adjustSize();
}

void LoginDialog::attemptLogin()
{
    const QString who = name();
    switch (NameRules::check(who, 32)) {
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
        showError(tr("Names may use letters and digits of one script, and '_', '-' and '.'; they "
                     "start with a letter or digit (no spaces, no symbols)."));
        m_name->setFocus();
        return;
    }
    const Mode m = mode();
    if (m == Mode::CreateAccount) {
        if (m_password->text().toUcs4().size() < AuthPolicy::kMinPasswordChars) {
            showError(tr("Choose a password of at least %1 characters.")
                          .arg(AuthPolicy::kMinPasswordChars));
            m_password->setFocus();
            return;
        }
        if (m_password->text() != m_repeat->text()) {
            showError(tr("The two passwords differ: type the same password twice."));
            m_repeat->setFocus();
            return;
        }
    }
    QString error;
    m_plainFallback = false;
    if (m_host->isChecked()) {
        m_url = m_hostStarter ? m_hostStarter(quint16(m_port->value()), &error) : QUrl();
        if (!m_url.isValid()) {
            showError(tr("Could not start the server on this computer: %1\nChoose another port.")
                          .arg(error.isEmpty() ? tr("hosting is not available") : error));
            return;
        }
        m_hosting = true;
    } else {
        bool schemeGiven = true;
        m_url = ServerAddress::parse(m_server->text(), &error, &schemeGiven);
        if (!m_url.isValid()) {
            showError(error);
            m_server->setFocus();
            return;
        }
        m_plainFallback = !schemeGiven;
    }
    m_waiting = true;
    m_usedToken = false;
    setBusy(true, tr("Connecting to %1…").arg(m_url.toString()));
    ClientSession::Credentials c;
    c.device = deviceLabel();
    switch (m) {
    case Mode::Guest:
        break;
    case Mode::CreateAccount:
        c.mode = ClientSession::Credentials::Mode::Register;
        c.password = m_password->text();
        c.invite = m_invite->text().trimmed();
        break;
    case Mode::SignIn:
        if (m_password->text().isEmpty()) {
            if (!m_tokens) {
                showError(tr("Enter your password."));
                m_password->setFocus();
                return;
            }
            // This computer's kept sign-in for this server and name, if any.
            m_tokenKey = ServerAddress::accountKey(m_url, who);
            m_tokens->read(m_tokenKey);
            return;
        }
        c.mode = ClientSession::Credentials::Mode::Password;
        c.password = m_password->text();
        break;
    }
    connectWith(c);
}

void LoginDialog::connectWith(const ClientSession::Credentials &credentials)
{
    ClientSession *session = m_controller->session();
    session->setCertificatePins(m_pins);
    session->setPlainFallback(m_plainFallback);
    m_controller->connectTo(m_url, name(), credentials);
}

void LoginDialog::onLoginFailed(ErrorCode code, const QString &text)
{
    if (!m_waiting)
        return;
    const QString who = name();
    const int wait = m_controller->session()->retryAfterSeconds();
    switch (code) {
    case ErrorCode::NameTaken:
        showError(tr("Someone online already uses the name '%1'. Choose another name.").arg(who));
        break;
    case ErrorCode::NameRegistered:
        showError(tr("'%1' belongs to a registered account. Sign in with its password, or choose "
                     "another name.")
                      .arg(who));
        setMode(Mode::SignIn);
        break;
    case ErrorCode::NameConfusable:
        showError(tr("'%1' looks like the name of someone else on this server. Choose another "
                     "name.")
                      .arg(who));
        break;
    case ErrorCode::AuthFailed:
        showError(tr("The name or the password is wrong."));
        m_password->selectAll();
        m_password->setFocus();
        return;
    case ErrorCode::AuthThrottled:
        showError(
            tr("Too many failed sign-ins. Wait %n second(s) and try again.", "", qMax(1, wait)));
        return;
    case ErrorCode::TokenInvalid:
        // The kept sign-in was revoked or expired: it goes, and the password is needed.
        if (m_tokens)
            m_tokens->remove(ServerAddress::accountKey(m_url, who));
        showError(tr("This computer's sign-in for %1 is no longer valid (signed out from "
                     "another device, or unused for too long). Enter your password.")
                      .arg(who));
        setMode(Mode::SignIn);
        m_password->setFocus();
        return;
    case ErrorCode::RegistrationClosed:
        showError(tr("This server does not accept new accounts. Sign in, or continue as a "
                     "guest if the server allows it."));
        break;
    case ErrorCode::InviteRequired:
        showError(tr("This server needs an invite code to create an account: ask its "
                     "administrator for one."));
        m_invite->setFocus();
        return;
    case ErrorCode::InviteInvalid:
        showError(tr("That invite code is not valid: it is unknown, used up or expired."));
        m_invite->selectAll();
        m_invite->setFocus();
        return;
    case ErrorCode::GuestsNotAllowed:
        showError(tr("This server does not allow guests: sign in or create an account."));
        setMode(Mode::SignIn);
        return;
    case ErrorCode::WeakPassword:
        showError(
            tr("Choose a password of at least %1 characters.").arg(AuthPolicy::kMinPasswordChars));
        m_password->setFocus();
        return;
    case ErrorCode::AccountDisabled:
        showError(tr("This account is disabled. Ask the server's administrator."));
        return;
    default:
        showError(text);
        break;
    }
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

void LoginDialog::onCertificateRejected(const QString &hostPort, const QString &fingerprint,
                                        bool changed)
{
    if (!m_waiting)
        return;
    if (CertificateDialog::ask(this, hostPort, fingerprint, changed)) {
        setBusy(true, tr("Connecting to %1…").arg(m_url.toString()));
        m_controller->session()->trustRejectedCertificate();
        return;
    }
    m_controller->disconnectFromServer();
    showError(changed
                  ? tr("Not connected: the certificate of %1 changed and you did not accept "
                       "the new one.")
                        .arg(hostPort)
                  : tr("Not connected: you did not accept the certificate of %1.").arg(hostPort));
}
