#pragma once

#include <QMenu>

class ClientSession;

// The Account menu: change password, devices, invites (administrators), sign out; for a guest,
// a way to sign in or make an account instead. It follows the session (what it shows depends
// on whether the user signed in, and as what).
class AccountMenu : public QMenu
{
    Q_OBJECT
public:
    explicit AccountMenu(ClientSession *session, QWidget *parent = nullptr);

    // Where this computer keeps the sign-in, when it is not the OS keychain (shown in the menu).
    void setStorageNote(const QString &note);

signals:
    // Sign this device out (the app forgets its kept sign-in and shows the login dialog).
    void signOutRequested();
    // A guest wants to sign in or create an account: back to the login dialog.
    void signInRequested();

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslate();
    void update();
    void createInvite();

    ClientSession *m_session;
    QAction *m_who;
    QAction *m_storage;
    QAction *m_password;
    QAction *m_devices;
    QAction *m_invite;
    QAction *m_signOut;
    QAction *m_signIn;
    QString m_inviteRef;
};
