#include "sqliteupkeep.h"

#include <QAtomicInt>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>

#include <limits>

#ifdef Q_OS_LINUX
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

Q_LOGGING_CATEGORY(lcCheckpoint, "confab.store")

namespace {
QAtomicInt workerCounter;
}

class SqliteUpkeep::Worker : public QObject
{
public:
    Worker(const QString &path, Job job, int intervalMs)
        : m_path(path), m_job(job), m_intervalMs(intervalMs),
          m_name(QStringLiteral("confab-upkeep-%1").arg(workerCounter.fetchAndAddRelaxed(1)))
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
        if (m_job == Job::Checkpoint) {
            m_timer->setInterval(m_intervalMs);
            connect(m_timer, &QTimer::timeout, this, [this] { checkpoint("PASSIVE"); });
        } else {
#ifdef Q_OS_LINUX
            // Chat before search: this thread only gets the CPU the relay leaves (nice 19 is
            // per thread on Linux). Under a load that fills the core, the index falls behind and
            // catches up when the load drops; searches read what it has not reached yet without
            // it (SqliteMessageStore::searchCandidates).
            setpriority(PRIO_PROCESS, pid_t(syscall(SYS_gettid)), 19);
#endif
            m_timer->setInterval(SqliteUpkeep::kIndexIntervalMs);
            connect(m_timer, &QTimer::timeout, this, [this] {
                // Behind by more than a tick's batches: the next tick at once, so the index keeps
                // up with any rate the relay stores at while there is CPU for it.
                m_timer->start(indexNewMessages(20) ? SqliteUpkeep::kIndexIntervalMs : 0);
            });
        }
        m_timer->start();
    }

    void finish()
    {
        if (m_timer)
            m_timer->stop();
        if (m_job == Job::Index)
            indexNewMessages(std::numeric_limits<int>::max());
        else
            checkpoint("TRUNCATE");
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }

private:
    // Indexes up to `batches` batches of the messages after search_progress, each in its own
    // write transaction (the relay's commits go between them). False while more remain.
    bool indexNewMessages(int batches)
    {
        QSqlDatabase db = QSqlDatabase::database(m_name, false);
        if (!db.isOpen() || m_noIndex)
            return true;
        for (int i = 0; i < batches; ++i) {
            QSqlQuery q(db);
            // IMMEDIATE: the write lock first (waiting for the relay's commit), so that the
            // read below cannot go stale before the write.
            if (!q.exec(QStringLiteral("BEGIN IMMEDIATE"))) {
                qCWarning(lcCheckpoint).noquote()
                    << "search index: cannot begin:" << q.lastError().text();
                return true;
            }
            // The next batch after search_progress: its last seq (`to`) and size.
            qint64 from = 0;
            qint64 to = 0;
            int rows = 0;
            bool ok = q.exec(QStringLiteral("SELECT seq FROM search_progress")) && q.next();
            if (ok) {
                from = q.value(0).toLongLong();
                ok = q.exec(QStringLiteral("SELECT MAX(seq), COUNT(*) FROM (SELECT seq FROM "
                                           "messages WHERE seq > %1 ORDER BY seq LIMIT %2)")
                                .arg(from)
                                .arg(SqliteUpkeep::kIndexBatch)) &&
                     q.next();
            }
            if (ok) {
                to = q.value(0).toLongLong(); // 0 (NULL) when nothing is new
                rows = q.value(1).toInt();
            }
            if (ok && rows > 0) {
                ok = q.exec(QStringLiteral("INSERT INTO messages_fts (rowid, content) SELECT seq,"
                                           " content FROM messages WHERE seq > %1 AND seq <= %2")
                                .arg(from)
                                .arg(to)) &&
                     q.exec(QStringLiteral("UPDATE search_progress SET seq = %1").arg(to));
            }
            if (!ok) {
                const QString why = q.lastError().text();
                QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
                if (why.contains(QLatin1String("no such table"))) {
                    m_noIndex = true; // a file without the search index (an old schema)
                    return true;
                }
                qCWarning(lcCheckpoint).noquote() << "search index: cannot index:" << why;
                return true;
            }
            if (!q.exec(QStringLiteral("COMMIT"))) {
                qCWarning(lcCheckpoint).noquote()
                    << "search index: cannot commit:" << q.lastError().text();
                QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
                return true;
            }
            if (rows < SqliteUpkeep::kIndexBatch)
                return true; // caught up
        }
        return false;
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
    Job m_job;
    int m_intervalMs;
    QString m_name;
    QTimer *m_timer = nullptr;
    bool m_noIndex = false;
};

SqliteUpkeep::SqliteUpkeep(const QString &path, int intervalMs)
    : m_path(path), m_intervalMs(intervalMs)
{
    m_checkpointThread.setObjectName(QStringLiteral("wal-checkpoint"));
    m_indexThread.setObjectName(QStringLiteral("search-index"));
}

SqliteUpkeep::~SqliteUpkeep()
{
    stop();
}

void SqliteUpkeep::start()
{
    if (m_checkpointer)
        return;
    const auto launch = [this](QThread &thread, Job job) {
        auto *worker = new Worker(m_path, job, m_intervalMs);
        worker->moveToThread(&thread);
        connect(&thread, &QThread::finished, worker, &QObject::deleteLater);
        thread.start();
        QMetaObject::invokeMethod(worker, [worker] { worker->begin(); });
        return worker;
    };
    m_indexer = launch(m_indexThread, Job::Index);
    m_checkpointer = launch(m_checkpointThread, Job::Checkpoint);
}

void SqliteUpkeep::stop()
{
    if (!m_checkpointer)
        return;
    // The index first: the last checkpoint then has its pages too.
    for (auto [thread, worker] :
         {std::pair{&m_indexThread, m_indexer}, std::pair{&m_checkpointThread, m_checkpointer}}) {
        QMetaObject::invokeMethod(
            worker, [worker] { worker->finish(); }, Qt::BlockingQueuedConnection);
        thread->quit();
        thread->wait();
    }
    m_indexer = nullptr;
    m_checkpointer = nullptr;
}
