#include "changepassworddialog.h"

#include "net/clientsession.h"
#include "protocol/authpolicy.h"
#include "theme.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

ChangePasswordDialog::ChangePasswordDialog(ClientSession *session, QWidget *parent)
    : QDialog(parent), m_session(session)
{
    setWindowTitle(tr("Change password"));
    setObjectName(QStringLiteral("changePasswordDialog"));
    setMinimumWidth(400);
    auto make = [this](const char *name) {
        auto *edit = new QLineEdit(this);
        edit->setObjectName(QLatin1String(name));
        edit->setEchoMode(QLineEdit::Password);
        edit->setMaxLength(AuthPolicy::kMaxPasswordChars);
        return edit;
    };
    m_old = make("oldPasswordEdit");
    m_new = make("newPasswordEdit");
    m_new->setPlaceholderText(tr("at least %1 characters").arg(AuthPolicy::kMinPasswordChars));
    m_repeat = make("repeatPasswordEdit");
    auto *form = new QFormLayout;
    form->addRow(tr("&Current password:"), m_old);
    form->addRow(tr("&New password:"), m_new);
    form->addRow(tr("&Repeat:"), m_repeat);
    auto *note = new QLabel(tr("Your other devices will be signed out and need the new "
                               "password."),
                            this);
    note->setWordWrap(true);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("statusLabel"));
    m_status->setWordWrap(true);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Cancel)->setText(tr("Cancel")); // Qt's own may be missing
    QPushButton *change = m_buttons->addButton(tr("C&hange"), QDialogButtonBox::AcceptRole);
    change->setObjectName(QStringLiteral("changeButton"));
    change->setDefault(true);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &ChangePasswordDialog::submit);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addWidget(m_status);
    layout->addWidget(m_buttons);

    connect(session, &ClientSession::passwordChanged, this, [this](int signedOut) {
        if (m_ref.isEmpty())
            return;
        m_ref.clear();
        m_status->setStyleSheet(QString());
        m_status->setText(tr("Password changed; %n other device(s) signed out.", "", signedOut));
        accept();
    });
    connect(session, &ClientSession::errorReceived, this,
            [this](ErrorCode code, const QString &text, const QString &ref) {
                if (ref.isEmpty() || ref != m_ref)
                    return;
                m_ref.clear();
                if (code == ErrorCode::AuthFailed)
                    showError(tr("The current password is wrong."));
                else if (code == ErrorCode::WeakPassword)
                    showError(tr("The new password needs at least %1 characters.")
                                  .arg(AuthPolicy::kMinPasswordChars));
                else if (code == ErrorCode::AuthThrottled)
                    showError(tr("Too many wrong passwords: wait %n second(s).", "",
                                 qMax(1, m_session->retryAfterSeconds())));
                else
                    showError(text);
            });
}

void ChangePasswordDialog::showError(const QString &message)
{
    m_buttons->setEnabled(true);
    m_status->setStyleSheet(QStringLiteral("color: %1;").arg(Theme::colors().danger.name()));
    m_status->setText(message);
}

void ChangePasswordDialog::submit()
{
    if (m_new->text().toUcs4().size() < AuthPolicy::kMinPasswordChars)
        return showError(tr("The new password needs at least %1 characters.")
                             .arg(AuthPolicy::kMinPasswordChars));
    if (m_new->text() != m_repeat->text())
        return showError(tr("The two new passwords differ."));
    if (m_session->state() != ClientSession::State::Online)
        return showError(tr("Not connected: try again when Confab is online."));
    m_buttons->setEnabled(false);
    m_status->setStyleSheet(QString());
    m_status->setText(tr("Changing…"));
    m_ref = m_session->changePassword(m_old->text(), m_new->text());
}
