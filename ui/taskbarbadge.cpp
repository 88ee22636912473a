#include "taskbarbadge.h"

#include <QGuiApplication>
#include <QVariantMap>

#ifdef CONFAB_HAVE_DBUS
#include <QDBusConnection>
#include <QDBusMessage>
#endif

TaskbarBadge::TaskbarBadge(QObject *parent) : QObject(parent) {}

QString TaskbarBadge::applicationUri()
{
    const QString name = QGuiApplication::desktopFileName().isEmpty()
                             ? QStringLiteral("confab")
                             : QGuiApplication::desktopFileName();
    return QStringLiteral("application://") + name + QStringLiteral(".desktop");
}

QString TaskbarBadge::objectPath()
{
    return QStringLiteral("/chat/confab/Confab/LauncherEntry");
}

void TaskbarBadge::setCount(int count)
{
    count = std::max(0, count);
    if (count == m_count)
        return;
    m_count = count;
#ifdef CONFAB_HAVE_DBUS
    // A start with nothing unread sends nothing: the bus is asked only once there is news.
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected())
        return;
    QDBusMessage update = QDBusMessage::createSignal(
        objectPath(), QStringLiteral("com.canonical.Unity.LauncherEntry"),
        QStringLiteral("Update"));
    update << applicationUri()
           << QVariantMap{{QStringLiteral("count"), qint64(count)},
                          {QStringLiteral("count-visible"), count > 0}};
    bus.send(update);
#endif
}
