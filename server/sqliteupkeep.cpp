#include "sqliteupkeep.h"

#include "sqlitesearchindex.h"

#include <QAtomicInt>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>

#include <memory>

#ifdef Q_OS_LINUX
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

Q_LOGGING_CATEGORY(lcCheckpoint, "confab.store")

namespace {
QAtomicInt workerCounter;
constexpr int kTickBatches = 20; // of kIndexBatch rows, per tick of the index job
} // namespace

class SqliteUpkeep::Worker : public QObject
{
public:
    Worker(const QString &path, Job job, int intervalMs)
        : m_path(path), m_job(job), m_intervalMs(intervalMs),
          m_name(QStringLiteral("confab-upkeep-%1").arg(workerCounter.fetchAndAddRelaxed(1)))
    {}

    void begin()
    {
        if (m_job == Job::Index) {
            m_index = std::make_unique<SqliteSearchIndex>(m_path, m_name);
            QString why;
            if (!m_index->open(&why)) {
                qCWarning(lcCheckpoint).noquote()
                    << "search index connection failed:" << why
                    << "(searches read the newest messages without it)";
                m_index.reset();
                return;
            }
        } else {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
            db.setDatabaseName(m_path);
            db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
            if (!db.open()) {
                qCWarning(lcCheckpoint).noquote()
                    << "checkpoint connection failed:" << db.lastError().text();
                return;
            }
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
                m_timer->start(indexNewMessages(kTickBatches) ? SqliteUpkeep::kIndexIntervalMs : 0);
            });
        }
        m_timer->start();
    }

    void finish()
    {
        if (m_timer)
            m_timer->stop();
        if (m_job == Job::Index) {
            // One tick's batches more, not the whole backlog: a server far behind (a rebuilt
            // index of a long history) stops at once and goes on from its progress next time.
            if (m_index)
                indexNewMessages(kTickBatches);
            m_index.reset();
            return;
        }
        checkpoint("TRUNCATE");
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }

private:
    // Takes edited and deleted rows into the index, then indexes up to `batches` batches of
    // the messages after its progress, each in its own write transaction of the index file
    // (the history's writer never waits for them). False while more remain.
    bool indexNewMessages(int batches)
    {
        if (!m_index)
            return true;
        if (!m_index->applyChanges())
            qCWarning(lcCheckpoint).noquote()
                << "search index: cannot take in changes:" << m_index->lastError();
        bool caughtUp = false;
        int indexed = 0;
        for (int i = 0; i < batches && !caughtUp; ++i) {
            const int rows = m_index->indexNew(SqliteUpkeep::kIndexBatch);
            if (rows < 0) {
                qCWarning(lcCheckpoint).noquote()
                    << "search index: cannot index:" << m_index->lastError();
                return true;
            }
            indexed += rows;
            caughtUp = rows < SqliteUpkeep::kIndexBatch;
        }
        if (indexed > 0)
            m_index->checkpoint();
        return caughtUp;
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
    std::unique_ptr<SqliteSearchIndex> m_index; // the index job's connection
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
