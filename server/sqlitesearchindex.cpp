#include "sqlitesearchindex.h"

#include <QFile>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <optional>

Q_DECLARE_LOGGING_CATEGORY(lcCheckpoint)

namespace {

// The index's own tables. The FTS5 table keeps its copy of each text (not external content):
// the texts are in another file, and a row must be deletable by rowid alone when a message is
// edited or deleted.
constexpr const char *kSchema[] = {
    "CREATE TABLE IF NOT EXISTS search_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5(content, tokenize='trigram')",
    "CREATE TABLE IF NOT EXISTS search_progress (seq INTEGER NOT NULL)",
};

constexpr int kChangesPerPass = 256;

std::optional<qint64> single(QSqlQuery &q, const QString &sql)
{
    if (!q.exec(sql) || !q.next())
        return std::nullopt;
    return q.value(0).toLongLong();
}

void removeFiles(const QString &path)
{
    for (const char *suffix : {"", "-wal", "-shm", "-journal"})
        QFile::remove(path + QLatin1String(suffix));
}

// Creates or checks the index file on a connection of its own; `retry` once more after
// removing a file that is not a database.
bool prepareFile(const QString &path, const QString &connectionName, qint64 storeId, qint64 lastSeq,
                 QString *error, bool retry)
{
    bool ok = false;
    bool unreadable = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        QSqlQuery q(db);
        const auto run = [&](const QString &sql) {
            if (q.exec(sql))
                return true;
            *error = QStringLiteral("%1: %2").arg(sql, q.lastError().text());
            return false;
        };
        if (!db.open()) {
            *error = db.lastError().text();
        } else {
            q = QSqlQuery(db);
            ok = run(QStringLiteral("PRAGMA journal_mode=WAL")) &&
                 run(QStringLiteral("PRAGMA synchronous=NORMAL"));
            unreadable = !ok;
            for (const char *sql : kSchema)
                ok = ok && run(QLatin1String(sql));
            // The texts of private messages: readable by the server's user alone, like the
            // history (SQLite gives the -wal and -shm files the same permissions).
            QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadUser |
                                            QFile::WriteUser);
            std::optional<qint64> owner;
            std::optional<qint64> progress;
            if (ok) {
                owner = single(
                    q, QStringLiteral("SELECT value FROM search_meta WHERE key = 'store_id'"));
                progress = single(q, QStringLiteral("SELECT seq FROM search_progress"));
            }
            // Another history's index, or one that has seqs this history has not reached
            // (restored from a backup): nothing in it can be trusted.
            const bool foreign = (owner && *owner != storeId) || (progress && *progress > lastSeq);
            if (ok && (!owner || !progress || foreign)) {
                if (foreign)
                    qCWarning(lcCheckpoint).noquote()
                        << "search index" << path
                        << "belongs to another copy of the history; indexing it anew";
                ok = db.transaction() && run(QStringLiteral("DELETE FROM messages_fts")) &&
                     run(QStringLiteral("DELETE FROM search_progress")) &&
                     run(QStringLiteral("INSERT INTO search_progress (seq) VALUES (0)")) &&
                     run(QStringLiteral("INSERT OR REPLACE INTO search_meta (key, value)"
                                        " VALUES ('store_id', %1)")
                             .arg(storeId)) &&
                     db.commit();
                if (!ok)
                    db.rollback();
            }
        }
        q = QSqlQuery();
        db.close();
    }
    QSqlDatabase::removeDatabase(connectionName);
    if (!ok && unreadable && retry) {
        qCWarning(lcCheckpoint).noquote()
            << "search index" << path << "is unreadable (" << *error << "); making it anew";
        removeFiles(path);
        return prepareFile(path, connectionName, storeId, lastSeq, error, false);
    }
    return ok;
}

} // namespace

QString SqliteSearchIndex::pathFor(const QString &historyPath)
{
    return historyPath + QLatin1String("-search");
}

bool SqliteSearchIndex::prepare(const QSqlDatabase &history, const QString &historyPath,
                                QString *error)
{
    QSqlQuery q(history);
    const std::optional<qint64> storeId =
        single(q, QStringLiteral("SELECT value FROM store_meta WHERE key = 'store_id'"));
    const std::optional<qint64> lastSeq =
        single(q, QStringLiteral("SELECT COALESCE(MAX(seq), 0) FROM messages"));
    if (!storeId || !lastSeq) {
        *error = QStringLiteral("cannot read the history's store_id: %1").arg(q.lastError().text());
        return false;
    }
    q.finish();
    const QString path = pathFor(historyPath);
    if (!prepareFile(path, history.connectionName() + QLatin1String("-index-setup"), *storeId,
                     *lastSeq, error, true)) {
        *error = QStringLiteral("cannot set up the search index %1: %2").arg(path, *error);
        return false;
    }
    return true;
}

bool SqliteSearchIndex::attach(const QSqlDatabase &history, const QString &historyPath,
                               QString *error)
{
    const QString path = pathFor(historyPath);
    if (!QFile::exists(path)) {
        *error = QStringLiteral("the search index %1 does not exist").arg(path);
        return false;
    }
    QSqlQuery q(history);
    if (!q.prepare(QStringLiteral("ATTACH DATABASE ? AS idx"))) {
        *error = q.lastError().text();
        return false;
    }
    q.addBindValue(path);
    if (!q.exec()) {
        *error =
            QStringLiteral("cannot open the search index %1: %2").arg(path, q.lastError().text());
        return false;
    }
    return true;
}

SqliteSearchIndex::SqliteSearchIndex(const QString &historyPath, const QString &connectionName)
    : m_historyPath(historyPath), m_connectionName(connectionName)
{}

SqliteSearchIndex::~SqliteSearchIndex()
{
    if (m_db.isValid()) {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

bool SqliteSearchIndex::exec(const QString &sql)
{
    QSqlQuery q(m_db);
    if (q.exec(sql))
        return true;
    m_lastError = q.lastError().text();
    return false;
}

bool SqliteSearchIndex::open(QString *error)
{
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    m_db.setDatabaseName(pathFor(m_historyPath));
    m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    QSqlQuery q(m_db);
    // The history is read here, and written only to take indexed changes off its queue.
    // Automatic checkpoints off: this connection's commits must not checkpoint the history at
    // the lowest priority; checkpoint() does this file's.
    const bool ok = m_db.open() && exec(QStringLiteral("PRAGMA wal_autocheckpoint=0")) &&
                    q.prepare(QStringLiteral("ATTACH DATABASE ? AS hist")) &&
                    (q.addBindValue(m_historyPath), q.exec()) &&
                    exec(QStringLiteral("SELECT 1 FROM search_progress"));
    if (!ok) {
        if (m_lastError.isEmpty())
            m_lastError = q.lastError().isValid() ? q.lastError().text() : m_db.lastError().text();
        *error = m_lastError;
    }
    return ok;
}

int SqliteSearchIndex::indexNew(int rows)
{
    if (!m_db.transaction()) {
        m_lastError = m_db.lastError().text();
        return -1;
    }
    QSqlQuery q(m_db);
    const std::optional<qint64> from = single(q, QStringLiteral("SELECT seq FROM search_progress"));
    bool ok = bool(from) &&
              q.exec(QStringLiteral("SELECT MAX(seq), COUNT(*) FROM (SELECT seq FROM hist.messages"
                                    " WHERE seq > %1 ORDER BY seq LIMIT %2)")
                         .arg(*from)
                         .arg(rows)) &&
              q.next();
    const qint64 to = ok ? q.value(0).toLongLong() : 0; // 0 (NULL) when nothing is new
    const int count = ok ? q.value(1).toInt() : 0;
    if (ok && count > 0) {
        ok = q.exec(QStringLiteral("INSERT INTO messages_fts (rowid, content) SELECT seq, content"
                                   " FROM hist.messages WHERE seq > %1 AND seq <= %2")
                        .arg(*from)
                        .arg(to)) &&
             q.exec(QStringLiteral("UPDATE search_progress SET seq = %1").arg(to));
    }
    if (!ok) {
        m_lastError = q.lastError().text();
        q = QSqlQuery();
        m_db.rollback();
        return -1;
    }
    q = QSqlQuery();
    if (!m_db.commit()) {
        m_lastError = m_db.lastError().text();
        m_db.rollback();
        return -1;
    }
    return count;
}

bool SqliteSearchIndex::applyChanges()
{
    for (;;) {
        QSqlQuery q(m_db);
        q.setForwardOnly(true);
        if (!q.exec(QStringLiteral("SELECT id, seq FROM hist.search_changes ORDER BY id LIMIT %1")
                        .arg(kChangesPerPass))) {
            m_lastError = q.lastError().text();
            return false;
        }
        qint64 lastId = 0;
        QList<qint64> seqs;
        while (q.next()) {
            lastId = q.value(0).toLongLong();
            seqs << q.value(1).toLongLong();
        }
        q.finish();
        if (seqs.isEmpty())
            return true;
        // A changed row the index holds is taken out and, if it is still there, put back with
        // its text now. One after the progress is indexed as it is when the indexer gets there.
        bool ok = m_db.transaction();
        const std::optional<qint64> progress =
            ok ? single(q, QStringLiteral("SELECT seq FROM search_progress")) : std::nullopt;
        ok = ok && bool(progress);
        for (qint64 seq : std::as_const(seqs)) {
            if (!ok || seq > *progress)
                continue;
            ok = q.exec(QStringLiteral("DELETE FROM messages_fts WHERE rowid = %1").arg(seq)) &&
                 q.exec(QStringLiteral("INSERT INTO messages_fts (rowid, content) SELECT seq,"
                                       " content FROM hist.messages WHERE seq = %1")
                            .arg(seq));
        }
        if (!ok) {
            m_lastError = q.lastError().isValid() ? q.lastError().text() : m_db.lastError().text();
            q = QSqlQuery();
            m_db.rollback();
            return false;
        }
        q = QSqlQuery();
        if (!m_db.commit()) {
            m_lastError = m_db.lastError().text();
            m_db.rollback();
            return false;
        }
        // Off the queue once the index has them (done twice after a crash in between: the
        // same result).
        if (!exec(QStringLiteral("DELETE FROM hist.search_changes WHERE id <= %1").arg(lastId)))
            return false;
        if (seqs.size() < kChangesPerPass)
            return true;
    }
}

void SqliteSearchIndex::checkpoint()
{
    if (!exec(QStringLiteral("PRAGMA main.wal_checkpoint(PASSIVE)")))
        qCWarning(lcCheckpoint).noquote() << "search index checkpoint failed:" << m_lastError;
}
