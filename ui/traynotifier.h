#pragma once

#include <QObject>

class QSystemTrayIcon;
class QWidget;

// Desktop notifications through the tray icon where the desktop has one; otherwise the
// window asks for attention (taskbar flash), which every platform supports.
class TrayNotifier : public QObject
{
    Q_OBJECT
public:
    explicit TrayNotifier(QWidget *window);

    void notify(const QString &title, const QString &text, const QString &key);
    void setUnread(int unread);

signals:
    void activated(const QString &key);

private:
    QWidget *m_window;
    QSystemTrayIcon *m_tray = nullptr;
    QString m_lastKey;
};
