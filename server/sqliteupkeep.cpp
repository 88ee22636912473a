#include "walcheckpointer.h"

#include <QAtomicInt>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>

Q_LOGGING_CATEGORY(lcCheckpoint, "confab.store")

namespace {
QAtomicInt workerCounter;
}

class WalCheckpointer::Worker : public QObject
{
public:
    Worker(const QString &path, int intervalMs)
        : m_path(path), m_intervalMs(intervalMs),
          m_name(QStringLiteral("confab-checkpoint-%1").arg(workerCounter.fetchAndAddRelaxed(1)))
    {}

    void begin()
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(m_path);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        if (!db.open()) {
            qCWarning(lcCheckpoint).noquote()
                << "checkpoint connection failed:" << db.lastError().text();
            return;
        }
        m_timer = new QTimer(this);
        m_timer->setInterval(m_intervalMs);
        connect(m_timer, &QTimer::timeout, this, [this] { checkpoint("PASSIVE"); });
        m_timer->start();
    }

    void finish()
    {
        if (m_timer)
            m_timer->stop();
        checkpoint("TRUNCATE");
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }

private:
    void checkpoint(const char *mode)
    {
        QSqlDatabase db = QSqlDatabase::database(m_name, false);
        if (!db.isOpen())
            return;
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("PRAGMA wal_checkpoint(%1)").arg(QLatin1String(mode))))
            qCWarning(lcCheckpoint).noquote() << "checkpoint failed:" << q.lastError().text();
    }

    QString m_path;
    int m_intervalMs;
    QString m_name;
    QTimer *m_timer = nullptr;
};

WalCheckpointer::WalCheckpointer(const QString &path, int intervalMs)
    : m_path(path), m_intervalMs(intervalMs)
{
    m_thread.setObjectName(QStringLiteral("wal-checkpoint"));
}

WalCheckpointer::~WalCheckpointer()
{
    stop();
}

void WalCheckpointer::start()
{
    if (m_worker)
        return;
    m_worker = new Worker(m_path, m_intervalMs);
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();
    QMetaObject::invokeMethod(m_worker, [w = m_worker] { w->begin(); });
}

void WalCheckpointer::stop()
{
    if (!m_worker)
        return;
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker] { w->finish(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
    m_worker = nullptr;
}
