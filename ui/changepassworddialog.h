#pragma once

#include <QDialog>

class ClientSession;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

// Account → Change password: the current password, the new one twice. The server checks the
// current one, and signs out every other device of the account (their kept sign-ins are
// revoked): whoever knew the old password is out.
class ChangePasswordDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ChangePasswordDialog(ClientSession *session, QWidget *parent = nullptr);

private:
    void submit();
    void showError(const QString &message);

    ClientSession *m_session;
    QLineEdit *m_old;
    QLineEdit *m_new;
    QLineEdit *m_repeat;
    QLabel *m_status;
    QDialogButtonBox *m_buttons;
    QString m_ref;
};
