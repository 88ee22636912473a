#include "traynotifier.h"

#include <QApplication>
#include <QSystemTrayIcon>
#include <QWidget>

TrayNotifier::TrayNotifier(QWidget *window) : QObject(window), m_window(window)
{
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(QApplication::windowIcon(), this);
        m_tray->setToolTip(QStringLiteral("Confab"));
        m_tray->show();
        connect(m_tray, &QSystemTrayIcon::messageClicked, this,
                [this] { emit activated(m_lastKey); });
        connect(m_tray, &QSystemTrayIcon::activated, this, [this] { emit activated(QString()); });
    }
}

void TrayNotifier::notify(const QString &title, const QString &text, const QString &key)
{
    m_lastKey = key;
    if (m_tray && QSystemTrayIcon::supportsMessages())
        m_tray->showMessage(title, text, QSystemTrayIcon::Information, 8000);
    else
        QApplication::alert(m_window);
}

void TrayNotifier::setUnread(int unread)
{
    if (m_tray)
        m_tray->setToolTip(unread > 0 ? tr("Confab — %n unread", nullptr, unread)
                                      : QStringLiteral("Confab"));
}
