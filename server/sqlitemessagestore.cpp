#include "sqlitemessagestore.h"

#include "protocol/namerules.h"

#include <QDir>
#include <QFileInfo>

#include <algorithm>
#include <limits>

namespace {

constexpr const char *kSchema[] = {
    "CREATE TABLE IF NOT EXISTS messages ("
    " seq INTEGER PRIMARY KEY,"
    " ts INTEGER NOT NULL,"
    " sender TEXT NOT NULL,"
    " sender_key TEXT NOT NULL,"
    " recipient TEXT,"
    " recipient_key TEXT,"
    " cid TEXT,"
    " content TEXT NOT NULL,"
    " mentions TEXT)",
    // Resent messages are recognised by the sender's own id. The id comes first: clients
    // send ids that begin with the time (the Confab client's are UUIDv7), so new entries
    // go to one end of the index. Keyed by sender first, a commit of n messages from n
    // senders rewrote n index pages (docs/benchmarks.md, run a).
    "CREATE UNIQUE INDEX IF NOT EXISTS messages_cid_sender ON messages(cid, sender_key)"
    " WHERE cid IS NOT NULL",
    "DROP INDEX IF EXISTS messages_cid", // its predecessor, in stores made by 0.1.0 until now
    "CREATE INDEX IF NOT EXISTS messages_to ON messages(recipient_key, seq)"
    " WHERE recipient_key IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS messages_private_from ON messages(sender_key, seq)"
    " WHERE recipient_key IS NOT NULL",
};

ChatMessage readRow(const SqliteStatement &q)
{
    ChatMessage m;
    m.seq = q.columnInt64(0);
    m.timestampMs = q.columnInt64(1);
    m.from = q.columnText(2);
    m.to = q.columnText(3);
    m.clientId = q.columnText(4);
    m.content = q.columnText(5);
    const QString mentions = q.columnText(6);
    if (!mentions.isEmpty())
        m.mentions = mentions.split(QLatin1Char(' '));
    return m;
}

} // namespace

SqliteMessageStore::SqliteMessageStore(const QString &path, bool fullSync)
    : m_path(path), m_fullSync(fullSync)
{}

SqliteMessageStore::~SqliteMessageStore()
{
    if (m_inBatch)
        commit();
    m_checkpointer.reset();
    m_insert.finalize();
    m_findByClientId.finalize();
    m_db.close();
}

bool SqliteMessageStore::exec(const char *sql)
{
    if (!m_db.exec(sql)) {
        m_lastError = m_db.errorMessage();
        return false;
    }
    return true;
}

bool SqliteMessageStore::open(QString *error)
{
    auto fail = [&](const QString &what) {
        m_lastError = what;
        if (error)
            *error = what;
        return false;
    };
    const QFileInfo info(m_path);
    if (!QDir().mkpath(info.absolutePath()))
        return fail(QStringLiteral("cannot create the folder %1").arg(info.absolutePath()));
    if (!m_db.open(m_path, 5000))
        return fail(QStringLiteral("cannot open %1: %2").arg(m_path, m_db.errorMessage()));

    const char *const pragmas[] = {
        "PRAGMA journal_mode=WAL",
        m_fullSync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
        "PRAGMA foreign_keys=ON",
        // Checkpoints run on their own thread (WalCheckpointer), never inside a commit.
        "PRAGMA wal_autocheckpoint=0",
    };
    for (const char *sql : pragmas) {
        if (!exec(sql))
            return fail(QStringLiteral("cannot set up %1: %2").arg(m_path, m_lastError));
    }
    for (const char *sql : kSchema) {
        if (!exec(sql))
            return fail(
                QStringLiteral("cannot create the tables in %1: %2").arg(m_path, m_lastError));
    }
    if (!m_insert.prepare(m_db, QStringLiteral("INSERT INTO messages (ts, sender, sender_key,"
                                               " recipient, recipient_key, cid, content,"
                                               " mentions) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                                               " ON CONFLICT DO NOTHING")) ||
        !m_findByClientId.prepare(
            m_db,
            QStringLiteral("SELECT seq, ts FROM messages WHERE cid = ? AND sender_key = ?"))) {
        return fail(QStringLiteral("cannot prepare statements: %1").arg(m_db.errorMessage()));
    }
    m_checkpointer = std::make_unique<WalCheckpointer>(m_path, 1000);
    m_checkpointer->start();
    return true;
}

bool SqliteMessageStore::beginBatch()
{
    if (m_inBatch)
        return true;
    if (!exec("BEGIN"))
        return false;
    m_inBatch = true;
    return true;
}

MessageStore::AppendResult SqliteMessageStore::append(ChatMessage &message)
{
    if (!m_insert.isPrepared() || !beginBatch())
        return AppendResult::Failed;
    const QString senderKey = NameRules::key(message.from);
    SqliteStatement &q = m_insert;
    q.bind(1, message.timestampMs);
    q.bind(2, message.from);
    q.bind(3, senderKey);
    q.bindTextOrNull(4, message.to);
    q.bindTextOrNull(5, message.to.isEmpty() ? QString() : NameRules::key(message.to));
    q.bindTextOrNull(6, message.clientId);
    q.bind(7, message.content);
    q.bindTextOrNull(8, message.mentions.join(QLatin1Char(' ')));
    const bool done = q.step() == SqliteStatement::Step::Done;
    q.reset();
    if (!done) {
        m_lastError = m_db.errorMessage();
        return AppendResult::Failed;
    }
    if (m_db.changes() == 1) {
        message.seq = m_db.lastInsertRowId();
        return AppendResult::Stored;
    }
    // Nothing inserted: the (id, sender) pair exists, so this is a resend.
    SqliteStatement &f = m_findByClientId;
    f.bind(1, message.clientId);
    f.bind(2, senderKey);
    const bool found = f.step() == SqliteStatement::Step::Row;
    if (found) {
        message.seq = f.columnInt64(0);
        message.timestampMs = f.columnInt64(1);
    } else {
        m_lastError = m_db.errorMessage();
    }
    f.reset();
    return found ? AppendResult::Duplicate : AppendResult::Failed;
}

bool SqliteMessageStore::commit()
{
    if (!m_inBatch)
        return true;
    m_inBatch = false;
    if (!exec("COMMIT")) {
        m_db.exec("ROLLBACK");
        return false;
    }
    return true;
}

void SqliteMessageStore::rollback()
{
    if (m_inBatch)
        m_db.exec("ROLLBACK");
    m_inBatch = false;
}

std::optional<QList<ChatMessage>> SqliteMessageStore::history(const HistoryQuery &query, bool *more)
{
    QString where;
    QStringList names;
    const QString me = NameRules::key(query.viewer);
    if (query.with.isEmpty()) {
        where = QStringLiteral("recipient_key IS NULL");
    } else if (query.with == QLatin1String("*")) {
        where = QStringLiteral("(recipient_key IS NULL OR sender_key = ? OR recipient_key = ?)");
        names << me << me;
    } else {
        const QString other = NameRules::key(query.with);
        where =
            QStringLiteral("recipient_key IS NOT NULL AND ((sender_key = ? AND recipient_key = ?)"
                           " OR (sender_key = ? AND recipient_key = ?))");
        names << me << other << other << me;
    }
    const qint64 before = query.before > 0 ? query.before : std::numeric_limits<qint64>::max();
    // Catching up (only `after`) reads forwards; paging back (the usual case) reads backwards.
    const bool forward = query.after > 0 && query.before == 0;
    const QString sql = QStringLiteral("SELECT seq, ts, sender, recipient, cid, content, mentions"
                                       " FROM messages WHERE %1 AND seq < ? AND seq > ?"
                                       " ORDER BY seq %2 LIMIT ?")
                            .arg(where, forward ? QStringLiteral("ASC") : QStringLiteral("DESC"));
    SqliteStatement q;
    if (!q.prepare(m_db, sql)) {
        m_lastError = m_db.errorMessage();
        return std::nullopt;
    }
    int index = 1;
    for (const QString &name : std::as_const(names))
        q.bind(index++, name);
    q.bind(index++, before);
    q.bind(index++, query.after);
    q.bind(index++, qint64(query.limit) + 1);
    QList<ChatMessage> result;
    SqliteStatement::Step step;
    while ((step = q.step()) == SqliteStatement::Step::Row)
        result.append(readRow(q));
    if (step == SqliteStatement::Step::Error) {
        m_lastError = m_db.errorMessage();
        return std::nullopt;
    }
    *more = result.size() > query.limit;
    if (*more)
        result.removeLast();
    if (!forward)
        std::reverse(result.begin(), result.end());
    return result;
}
