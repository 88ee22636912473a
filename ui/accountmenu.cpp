#include "accountmenu.h"

#include "changepassworddialog.h"
#include "devicesdialog.h"
#include "net/clientsession.h"

#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QEvent>
#include <QInputDialog>
#include <QLocale>
#include <QMessageBox>

AccountMenu::AccountMenu(ClientSession *session, QWidget *parent)
    : QMenu(parent), m_session(session)
{
    setObjectName(QStringLiteral("accountMenu"));
    m_who = addAction(QString());
    m_who->setEnabled(false);
    m_storage = addAction(QString());
    m_storage->setEnabled(false);
    m_storage->setVisible(false);
    addSeparator();
    m_password = addAction(QString(), this, [this] {
        ChangePasswordDialog dialog(m_session, parentWidget());
        dialog.exec();
    });
    m_password->setObjectName(QStringLiteral("changePasswordAction"));
    m_devices = addAction(QString(), this, [this] {
        DevicesDialog dialog(m_session, parentWidget());
        dialog.exec();
    });
    m_devices->setObjectName(QStringLiteral("devicesAction"));
    m_invite = addAction(QString(), this, &AccountMenu::createInvite);
    m_invite->setObjectName(QStringLiteral("inviteAction"));
    addSeparator();
    m_signIn = addAction(QString(), this, &AccountMenu::signInRequested);
    m_signIn->setObjectName(QStringLiteral("signInAction"));
    m_signOut = addAction(QString(), this, &AccountMenu::signOutRequested);
    m_signOut->setObjectName(QStringLiteral("signOutAction"));

    connect(session, &ClientSession::loggedIn, this, &AccountMenu::update);
    connect(session, &ClientSession::stateChanged, this, &AccountMenu::update);
    connect(session, &ClientSession::inviteCreated, this,
            [this](const QString &code, int uses, qint64 expiresMs) {
                QApplication::clipboard()->setText(code);
                QMessageBox box(QMessageBox::Information, tr("Invite"),
                                tr("Invite code (copied to the clipboard):"), QMessageBox::Ok,
                                parentWidget());
                box.setInformativeText(
                    tr("<p><tt style='font-size:large'>%1</tt></p><p>It lets %n person(s) create "
                       "an account on this server until %2.</p>",
                       "", uses)
                        .arg(code.toHtmlEscaped(),
                             QLocale().toString(QDateTime::fromMSecsSinceEpoch(expiresMs),
                                                QLocale::ShortFormat)));
                box.setTextInteractionFlags(Qt::TextSelectableByMouse);
                box.exec();
            });
    retranslate();
}

void AccountMenu::retranslate()
{
    setTitle(tr("&Account"));
    m_password->setText(tr("Change &password…"));
    m_devices->setText(tr("&Devices…"));
    m_invite->setText(tr("Create an &invite…"));
    m_signIn->setText(tr("Sign &in or create an account…"));
    m_signOut->setText(tr("Sign &out"));
    update();
}

void AccountMenu::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QMenu::changeEvent(event);
}

void AccountMenu::setStorageNote(const QString &note)
{
    m_storage->setText(note);
    m_storage->setVisible(!note.isEmpty());
}

void AccountMenu::update()
{
    const bool online = m_session->state() == ClientSession::State::Online;
    const bool account = m_session->isAccount();
    m_who->setText(account ? tr("Signed in as %1").arg(m_session->name())
                           : tr("%1 (guest)").arg(m_session->name()));
    m_password->setVisible(account);
    m_devices->setVisible(account);
    m_invite->setVisible(account && m_session->isAdmin());
    m_password->setEnabled(online);
    m_devices->setEnabled(online);
    m_invite->setEnabled(online);
    m_signOut->setVisible(account);
    m_signIn->setVisible(!account);
}

void AccountMenu::createInvite()
{
    bool ok = false;
    const int uses =
        QInputDialog::getInt(parentWidget(), tr("Invite"),
                             tr("How many people may use this invite?"), 1, 1, 1000, 1, &ok);
    if (ok)
        m_inviteRef = m_session->createInvite(uses, 7);
}
