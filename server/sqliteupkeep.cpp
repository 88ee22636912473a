#include "sqliteupkeep.h"

#include <QAtomicInt>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>

#include <limits>

Q_LOGGING_CATEGORY(lcCheckpoint, "confab.store")

namespace {
QAtomicInt workerCounter;
}

class SqliteUpkeep::Worker : public QObject
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
        m_timer->setInterval(SqliteUpkeep::kIndexIntervalMs);
        connect(m_timer, &QTimer::timeout, this, [this] {
            indexNewMessages(20);
            m_sinceCheckpointMs += SqliteUpkeep::kIndexIntervalMs;
            if (m_sinceCheckpointMs >= m_intervalMs) {
                m_sinceCheckpointMs = 0;
                checkpoint("PASSIVE");
            }
        });
        m_timer->start();
    }

    void finish()
    {
        if (m_timer)
            m_timer->stop();
        indexNewMessages(std::numeric_limits<int>::max());
        checkpoint("TRUNCATE");
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }

private:
    // Indexes up to `batches` batches of the messages after search_progress, each in its own
    // write transaction (the relay's commits go between them).
    void indexNewMessages(int batches)
    {
        QSqlDatabase db = QSqlDatabase::database(m_name, false);
        if (!db.isOpen() || m_noIndex)
            return;
        for (int i = 0; i < batches; ++i) {
            QSqlQuery q(db);
            // IMMEDIATE: the write lock first (waiting for the relay's commit), so that the
            // read below cannot go stale before the write.
            if (!q.exec(QStringLiteral("BEGIN IMMEDIATE"))) {
                qCWarning(lcCheckpoint).noquote()
                    << "search index: cannot begin:" << q.lastError().text();
                return;
            }
            qint64 from = 0;
            qint64 to = 0;
            int rows = 0;
            const bool ok =
                q.exec(QStringLiteral("SELECT seq FROM search_progress")) && q.next() &&
                [&] {
                    from = q.value(0).toLongLong();
                    return true;
                }() &&
                q.exec(
                    QStringLiteral("SELECT MAX(seq), COUNT(*) FROM (SELECT seq FROM messages WHERE "
                                   "seq > %1 ORDER BY seq LIMIT %2)")
                        .arg(from)
                        .arg(SqliteUpkeep::kIndexBatch)) &&
                q.next() &&
                [&] {
                    to = q.value(0).toLongLong(); // 0 (NULL): nothing new
                    rows = q.value(1).toInt();
                    return true;
                }() &&
                (to == 0 ||
                 (q.exec(QStringLiteral("INSERT INTO messages_fts (rowid, content) SELECT seq, "
                                        "content FROM messages WHERE seq > %1 AND seq <= %2")
                             .arg(from)
                             .arg(to)) &&
                  q.exec(QStringLiteral("UPDATE search_progress SET seq = %1").arg(to))));
            if (!ok) {
                const QString why = q.lastError().text();
                QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
                if (why.contains(QLatin1String("no such table"))) {
                    m_noIndex = true; // a file without the search index (an old schema)
                    return;
                }
                qCWarning(lcCheckpoint).noquote() << "search index: cannot index:" << why;
                return;
            }
            if (!q.exec(QStringLiteral("COMMIT"))) {
                qCWarning(lcCheckpoint).noquote()
                    << "search index: cannot commit:" << q.lastError().text();
                QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
                return;
            }
            if (rows < SqliteUpkeep::kIndexBatch)
                return; // caught up
        }
    }

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
    int m_sinceCheckpointMs = 0;
    bool m_noIndex = false;
};

SqliteUpkeep::SqliteUpkeep(const QString &path, int intervalMs)
    : m_path(path), m_intervalMs(intervalMs)
{
    m_thread.setObjectName(QStringLiteral("wal-checkpoint"));
}

SqliteUpkeep::~SqliteUpkeep()
{
    stop();
}

void SqliteUpkeep::start()
{
    if (m_worker)
        return;
    m_worker = new Worker(m_path, m_intervalMs);
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();
    QMetaObject::invokeMethod(m_worker, [w = m_worker] { w->begin(); });
}

void SqliteUpkeep::stop()
{
    if (!m_worker)
        return;
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker] { w->finish(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
    m_worker = nullptr;
}
