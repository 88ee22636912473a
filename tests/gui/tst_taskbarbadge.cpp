// TaskbarBadge (issue 14: the unread total on the taskbar): the launcher entry signal that docks
// and task managers read, caught on a private session bus (a real dbus-daemon the test starts
// and stops) by a second connection, as a dock would.
#include "taskbarbadge.h"

#include <QDBusConnection>
#include <QGuiApplication>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>
#include <QVariantMap>

// Records the launcher entry updates a dock would get.
class Dock : public QObject
{
    Q_OBJECT
public:
    struct Update
    {
        QString app;
        QVariantMap properties;
    };
    QList<Update> updates;

public slots:
    void onUpdate(const QString &app, const QVariantMap &properties)
    {
        updates.append({app, properties});
        emit updated();
    }

signals:
    void updated();
};

class TestTaskbarBadge : public QObject
{
    Q_OBJECT
private:
    QProcess m_daemon;
    QString m_address;

private slots:
    void initTestCase()
    {
        // Before anything asks for the session bus: this test's own.
        m_daemon.start(QStringLiteral("dbus-daemon"),
                       {QStringLiteral("--session"), QStringLiteral("--nofork"),
                        QStringLiteral("--print-address")});
        QVERIFY2(m_daemon.waitForStarted(), "dbus-daemon (package dbus-daemon) is needed");
        QTRY_VERIFY(m_daemon.canReadLine());
        m_address = QString::fromUtf8(m_daemon.readLine()).trimmed();
        QVERIFY(!m_address.isEmpty());
        qputenv("DBUS_SESSION_BUS_ADDRESS", m_address.toUtf8());
        QVERIFY(QDBusConnection::sessionBus().isConnected());
    }

    void cleanupTestCase()
    {
        m_daemon.terminate();
        m_daemon.waitForFinished(5000);
    }

    void theDockSeesTheCountAndItsEnd()
    {
        QGuiApplication::setDesktopFileName(QStringLiteral("confab"));
        QDBusConnection dockBus = QDBusConnection::connectToBus(m_address, QStringLiteral("dock"));
        QVERIFY(dockBus.isConnected());
        Dock dock;
        QVERIFY(dockBus.connect(
            QString(), QString(), QStringLiteral("com.canonical.Unity.LauncherEntry"),
            QStringLiteral("Update"), &dock, SLOT(onUpdate(QString, QVariantMap))));
        QSignalSpy updated(&dock, &Dock::updated);

        TaskbarBadge badge;
        badge.setCount(3);
        QVERIFY(updated.wait());
        QCOMPARE(dock.updates.size(), 1);
        QCOMPARE(dock.updates[0].app, QStringLiteral("application://confab.desktop"));
        QCOMPARE(dock.updates[0].properties.value(QStringLiteral("count")).toLongLong(), 3);
        QCOMPARE(dock.updates[0].properties.value(QStringLiteral("count-visible")).toBool(), true);

        // The same count again is no news; a read conversation hides the badge.
        badge.setCount(3);
        badge.setCount(0);
        QVERIFY(updated.wait());
        QCOMPARE(dock.updates.size(), 2);
        QCOMPARE(dock.updates[1].properties.value(QStringLiteral("count")).toLongLong(), 0);
        QCOMPARE(dock.updates[1].properties.value(QStringLiteral("count-visible")).toBool(), false);
        // Nonsense from a caller is no badge, and not a third update (it was 0 already).
        badge.setCount(-5);
        QCOMPARE(badge.count(), 0);
        QVERIFY(!updated.wait(300));
        QDBusConnection::disconnectFromBus(QStringLiteral("dock"));
    }
};

QTEST_MAIN(TestTaskbarBadge)
#include "tst_taskbarbadge.moc"
