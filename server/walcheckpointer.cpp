#include "walcheckpointer.h"

#include "sqliteconnection.h"

#include <QLoggingCategory>
#include <QTimer>

Q_LOGGING_CATEGORY(lcCheckpoint, "confab.store")

class WalCheckpointer::Worker : public QObject
{
public:
    Worker(const QString &path, int intervalMs) : m_path(path), m_intervalMs(intervalMs) {}

    void begin()
    {
        if (!m_db.open(m_path, 5000)) {
            qCWarning(lcCheckpoint).noquote()
                << "checkpoint connection failed:" << m_db.errorMessage();
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
        m_db.close();
    }

private:
    void checkpoint(const char *mode)
    {
        if (!m_db.isOpen())
            return;
        const QByteArray sql = QByteArray("PRAGMA wal_checkpoint(") + mode + ')';
        if (!m_db.exec(sql.constData()))
            qCWarning(lcCheckpoint).noquote() << "checkpoint failed:" << m_db.errorMessage();
    }

    QString m_path;
    int m_intervalMs;
    SqliteConnection m_db;
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
