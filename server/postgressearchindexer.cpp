#include "postgressearchindexer.h"

#include "postgresconnection.h"

#include <QAtomicInt>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>

#include <openssl/crypto.h>

#include <optional>

Q_DECLARE_LOGGING_CATEGORY(lcCheckpoint) // "confab.store", sqliteupkeep.cpp

namespace {

QAtomicInt workerCounter;

// The session advisory lock of the one indexer at work: "confab" 5 (1 and 2 are the history
// store's, 3 and 4 the account store's; every Confab server must use the same keys).
constexpr qint64 kIndexLock = 0x636f6e6661620005;
// The indexer's statements are small: one stuck behind a lock (or a dead link) fails soon, and
// its connection (with the lock that makes it the indexer) is made anew.
constexpr int kStatementTimeoutMs = 10000;
// While the store is busy the index may fall behind, but not further than this: beyond it,
// searches would read the gap without the index many pages long.
constexpr qint64 kMaxLagWhileBusy = 100000;
constexpr int kMaxRetryMs = 5000;

// The messages after search_progress, a batch of them, into message_search (a deleted one's
// empty text needs no entry), and search_progress to the last. One statement, one transaction:
// the batch lock makes seq order commit order (PostgresMessageStore), so no message can still
// appear below the progress once a later one is visible.
const QString kIndexNew = QStringLiteral(
    "WITH batch AS (SELECT seq, content, deleted FROM messages"
    "  WHERE seq > COALESCE((SELECT seq FROM search_progress WHERE id = 1), 0)"
    "  ORDER BY seq LIMIT %1),"
    " added AS (INSERT INTO message_search (seq, content) SELECT seq, content FROM batch"
    "  WHERE NOT deleted AND content <> ''"
    "  ON CONFLICT (seq) DO UPDATE SET content = EXCLUDED.content),"
    " moved AS (UPDATE search_progress SET seq = (SELECT max(seq) FROM batch)"
    "  WHERE id = 1 AND EXISTS (SELECT 1 FROM batch))"
    " SELECT count(*) FROM batch");

// Edited and deleted messages (search_changes) that the index already holds, redone from the
// messages as they are now: the text of an edit, no entry for a deletion. A change queued
// after this statement's snapshot is taken by the next one. Those above the progress need
// nothing: kIndexNew reads them as they are.
const QString kApplyChanges = QStringLiteral(
    "WITH changed AS (DELETE FROM search_changes WHERE id IN"
    "  (SELECT id FROM search_changes ORDER BY id LIMIT %1) RETURNING seq),"
    " current AS (SELECT seq, content FROM messages WHERE seq IN (SELECT seq FROM changed)"
    "  AND seq <= (SELECT seq FROM search_progress WHERE id = 1)"
    "  AND NOT deleted AND content <> ''),"
    " kept AS (INSERT INTO message_search (seq, content) SELECT seq, content FROM current"
    "  ON CONFLICT (seq) DO UPDATE SET content = EXCLUDED.content),"
    " gone AS (DELETE FROM message_search WHERE seq IN (SELECT seq FROM changed)"
    "  AND seq NOT IN (SELECT seq FROM current))"
    " SELECT count(*) FROM changed");

} // namespace

class PostgresSearchIndexer::Worker : public QObject
{
public:
    Worker(const PostgresUrl &url, const std::atomic<qint64> *storeBusyNs)
        : m_url(url), m_storeBusyNs(storeBusyNs),
          m_name(QStringLiteral("confab-pgindex-%1").arg(workerCounter.fetchAndAddRelaxed(1)))
    {}

    void begin()
    {
        m_timer = new QTimer(this);
        m_timer->setSingleShot(true);
        connect(m_timer, &QTimer::timeout, this, [this] { tick(); });
        m_timer->start(0);
        m_sinceTick.start();
    }

    void finish()
    {
        if (m_timer)
            m_timer->stop();
        if (QSqlDatabase::contains(m_name)) {
            {
                QSqlDatabase db = QSqlDatabase::database(m_name, false);
                db.close();
            }
            QSqlDatabase::removeDatabase(m_name);
            // libpq's OpenSSL state of this thread (see ~PostgresMessageStore).
            OPENSSL_thread_stop();
        }
    }

private:
    void tick()
    {
        if (work())
            recovered();
        m_timer->start(m_retryMs); // kIntervalMs, or longer after a failure
    }

    // False when the database failed.
    bool work()
    {
        if (!connected())
            return false;
        const std::optional<bool> locked = holdsLock();
        if (!locked)
            return false;
        if (!*locked)
            return true; // another process indexes: ask again next tick
        // The store's share of the wall time since the last tick.
        const qint64 busyNs = m_storeBusyNs->load(std::memory_order_relaxed);
        bool storeBusy = 2 * (busyNs - m_lastBusyNs) > m_sinceTick.nsecsElapsed();
        m_lastBusyNs = busyNs;
        m_sinceTick.restart();
        if (storeBusy) {
            const int lag = run(
                QStringLiteral(
                    "SELECT LEAST((SELECT COALESCE(max(seq), 0) FROM messages) - COALESCE((SELECT"
                    " seq FROM search_progress WHERE id = 1), 0), %1)")
                    .arg(kMaxLagWhileBusy));
            if (lag < 0)
                return false;
            storeBusy = lag < kMaxLagWhileBusy;
        }
        QElapsedTimer spent;
        spent.start();
        int written = 0;
        for (const QString &statement : {kApplyChanges, kIndexNew}) {
            int rows = 0;
            do {
                rows = run(statement.arg(kBatch));
                if (rows < 0)
                    return false;
                written += rows;
            } while (rows == kBatch && !storeBusy && spent.elapsed() < kBudgetMs);
        }
        // GIN puts new entries in a pending list that every search reads through, up to
        // gin_pending_list_limit (4 MB); merged into the index here, in bulk, each tick that
        // wrote, searches read only the index. Only the index's owner may; for anyone else
        // autovacuum does it, and the indexer goes on without.
        if (written > 0 && m_cleanPendingList) {
            QSqlQuery q(QSqlDatabase::database(m_name, false));
            if (!q.exec(QStringLiteral(
                    "SELECT gin_clean_pending_list('message_search_trgm'::regclass)"))) {
                qCInfo(lcCheckpoint).noquote()
                    << "search index: cannot merge GIN's pending list ("
                    << PostgresConnection::errorText(q.lastError()) << "); autovacuum will";
                m_cleanPendingList = false;
            }
        }
        return true;
    }

    bool connected()
    {
        QSqlDatabase db = QSqlDatabase::contains(m_name)
                              ? QSqlDatabase::database(m_name, false)
                              : PostgresConnection::add(m_url, m_name, 10,
                                                        QStringLiteral("tcp_user_timeout=10000"));
        if (db.isOpen())
            return true;
        m_locked = false;
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(QStringLiteral("SET statement_timeout = %1").arg(kStatementTimeoutMs)))
                return true;
            return failed(q.lastError());
        }
        return failed(db.lastError());
    }

    // Whether this session is the indexer; nullopt when the database failed.
    std::optional<bool> holdsLock()
    {
        if (m_locked)
            return true;
        QSqlQuery q(QSqlDatabase::database(m_name, false));
        if (!q.exec(QStringLiteral("SELECT pg_try_advisory_lock(%1)").arg(kIndexLock)) ||
            !q.next()) {
            failed(q.lastError());
            return std::nullopt;
        }
        m_locked = q.value(0).toBool();
        return m_locked;
    }

    int run(const QString &sql)
    {
        QSqlQuery q(QSqlDatabase::database(m_name, false));
        q.setForwardOnly(true);
        if (!q.exec(sql) || !q.next()) {
            failed(q.lastError());
            return -1;
        }
        return q.value(0).toInt();
    }

    bool failed(const QSqlError &error)
    {
        // Said once per outage; the connection (and the lock with it) is made anew, less often
        // the longer the database stays away.
        if (!m_warned)
            qCWarning(lcCheckpoint).noquote()
                << "search index on" << m_url.display()
                << "failed:" << PostgresConnection::errorText(error)
                << "(searches read the newest messages without it; trying again)";
        m_warned = true;
        m_locked = false;
        QSqlDatabase::database(m_name, false).close();
        m_retryMs = std::min(m_retryMs * 2, kMaxRetryMs);
        return false;
    }

    // A tick that worked: the back-off and the warning start afresh.
    void recovered()
    {
        if (m_warned)
            qCInfo(lcCheckpoint).noquote() << "search index on" << m_url.display() << "again";
        m_warned = false;
        m_retryMs = kIntervalMs;
    }

    PostgresUrl m_url;
    const std::atomic<qint64> *m_storeBusyNs;
    QString m_name;
    QTimer *m_timer = nullptr;
    QElapsedTimer m_sinceTick;
    qint64 m_lastBusyNs = 0;
    bool m_locked = false; // this session holds kIndexLock
    bool m_warned = false;
    bool m_cleanPendingList = true; // until the database says this role may not
    int m_retryMs = kIntervalMs;
};

PostgresSearchIndexer::PostgresSearchIndexer(const PostgresUrl &url,
                                             const std::atomic<qint64> *storeBusyNs)
    : m_url(url), m_storeBusyNs(storeBusyNs)
{
    m_thread.setObjectName(QStringLiteral("search-index"));
}

PostgresSearchIndexer::~PostgresSearchIndexer()
{
    stop();
}

void PostgresSearchIndexer::start()
{
    if (m_worker)
        return;
    m_worker = new Worker(m_url, m_storeBusyNs);
    m_worker->moveToThread(&m_thread);
    QObject::connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();
    QMetaObject::invokeMethod(m_worker, [worker = m_worker] { worker->begin(); });
}

void PostgresSearchIndexer::stop()
{
    if (!m_worker)
        return;
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker] { worker->finish(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
    m_worker = nullptr;
}
