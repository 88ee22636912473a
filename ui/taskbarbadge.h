#pragma once

#include <QObject>

// The unread count on the program's taskbar or dock entry, where the desktop offers one. Qt 6.4
// has no API for it (QGuiApplication::setBadgeNumber came with 6.5). On Linux it is the
// launcher entry signal on the session bus (com.canonical.Unity.LauncherEntry, "Update"), which
// KDE Plasma's task manager, Ubuntu's dock and Dash to Dock show as a badge; elsewhere, and
// without a session bus, nothing is sent and the window title carries the count alone.
class TaskbarBadge : public QObject
{
    Q_OBJECT
public:
    explicit TaskbarBadge(QObject *parent = nullptr);

    // Sent only when it changes; 0 hides the badge.
    void setCount(int count);
    int count() const { return m_count; }
    // "application://confab.desktop": the entry the signal is for (the desktop file's name).
    static QString applicationUri();
    // The object path the signal comes from.
    static QString objectPath();

private:
    int m_count = 0;
};
