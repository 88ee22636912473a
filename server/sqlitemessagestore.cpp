#include "sqlitemessagestore.h"

#include "protocol/namerules.h"

#include <QAtomicInt>
#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QVariant>

namespace {

QAtomicInt connectionCounter;

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

QVariant nullIfEmpty(const QString &s)
{
    return s.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(s);
}

ChatMessage readRow(const QSqlQuery &q)
{
    ChatMessage m;
    m.seq = q.value(0).toLongLong();
    m.timestampMs = q.value(1).toLongLong();
    m.from = q.value(2).toString();
    m.to = q.value(3).toString();
    m.clientId = q.value(4).toString();
    m.content = q.value(5).toString();
    const QString mentions = q.value(6).toString();
    if (!mentions.isEmpty())
        m.mentions = mentions.split(QLatin1Char(' '));
    return m;
}

} // namespace

SqliteMessageStore::SqliteMessageStore(const QString &path, bool fullSync)
    : m_path(path),
      m_connectionName(
          QStringLiteral("confab-store-%1").arg(connectionCounter.fetchAndAddRelaxed(1))),
      m_fullSync(fullSync)
{}

SqliteMessageStore::~SqliteMessageStore()
{
    if (m_inBatch)
        commit();
    m_checkpointer.reset();
    m_insert.reset();
    m_findByClientId.reset();
    if (m_db.isValid()) {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

bool SqliteMessageStore::exec(const QString &sql)
{
    QSqlQuery q(m_db);
    if (!q.exec(sql)) {
        m_lastError = q.lastError().text();
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
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")))
        return fail(QStringLiteral("the Qt SQLite driver is missing (install libqt6sql6-sqlite)"));
    const QFileInfo info(m_path);
    if (!QDir().mkpath(info.absolutePath()))
        return fail(QStringLiteral("cannot create the folder %1").arg(info.absolutePath()));

    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    m_db.setDatabaseName(m_path);
    m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!m_db.open())
        return fail(QStringLiteral("cannot open %1: %2").arg(m_path, m_db.lastError().text()));

    const QString pragmas[] = {
        QStringLiteral("PRAGMA journal_mode=WAL"),
        m_fullSync ? QStringLiteral("PRAGMA synchronous=FULL")
                   : QStringLiteral("PRAGMA synchronous=NORMAL"),
        QStringLiteral("PRAGMA foreign_keys=ON"),
        // Checkpoints run on their own thread (WalCheckpointer), never inside a commit.
        QStringLiteral("PRAGMA wal_autocheckpoint=0"),
    };
    for (const QString &sql : pragmas) {
        if (!exec(sql))
            return fail(QStringLiteral("cannot set up %1: %2").arg(m_path, m_lastError));
    }
    for (const char *sql : kSchema) {
        if (!exec(QLatin1String(sql)))
            return fail(
                QStringLiteral("cannot create the tables in %1: %2").arg(m_path, m_lastError));
    }

    m_insert.emplace(m_db);
    m_findByClientId.emplace(m_db);
    if (!m_insert->prepare(QStringLiteral(
            "INSERT INTO messages (ts, sender, sender_key, recipient, recipient_key, cid, content,"
            " mentions) VALUES (:ts, :sender, :sender_key, :recipient, :recipient_key, :cid,"
            " :content, :mentions) ON CONFLICT DO NOTHING")) ||
        !m_findByClientId->prepare(
            QStringLiteral("SELECT seq, ts FROM messages WHERE sender_key = ? AND cid = ?"))) {
        return fail(QStringLiteral("cannot prepare statements: %1").arg(m_db.lastError().text()));
    }
    m_checkpointer = std::make_unique<WalCheckpointer>(m_path, 1000);
    m_checkpointer->start();
    return true;
}

QString SqliteMessageStore::notOpen() const
{
    return QStringLiteral("the history database %1 is not open").arg(m_path);
}

bool SqliteMessageStore::beginBatch()
{
    if (m_inBatch)
        return true;
    if (!m_db.transaction()) {
        m_lastError = m_db.lastError().text();
        return false;
    }
    m_inBatch = true;
    return true;
}

MessageStore::AppendResult SqliteMessageStore::append(ChatMessage &message)
{
    if (!m_insert) {
        m_lastError = notOpen();
        return AppendResult::Failed;
    }
    if (!beginBatch())
        return AppendResult::Failed;
    const QString senderKey = NameRules::key(message.from);
    QSqlQuery &q = *m_insert;
    // By name: QSqlQuery turns a position into a placeholder name with QString::arg for
    // every value bound, which cost more than SQLite's insert itself (docs/benchmarks.md).
    q.bindValue(QStringLiteral(":ts"), message.timestampMs);
    q.bindValue(QStringLiteral(":sender"), message.from);
    q.bindValue(QStringLiteral(":sender_key"), senderKey);
    q.bindValue(QStringLiteral(":recipient"), nullIfEmpty(message.to));
    q.bindValue(QStringLiteral(":recipient_key"),
                message.to.isEmpty() ? nullIfEmpty({}) : QVariant(NameRules::key(message.to)));
    q.bindValue(QStringLiteral(":cid"), nullIfEmpty(message.clientId));
    q.bindValue(QStringLiteral(":content"), message.content);
    q.bindValue(QStringLiteral(":mentions"), nullIfEmpty(message.mentions.join(QLatin1Char(' '))));
    if (!q.exec()) {
        m_lastError = q.lastError().text();
        return AppendResult::Failed;
    }
    if (q.numRowsAffected() == 1) {
        message.seq = q.lastInsertId().toLongLong();
        return AppendResult::Stored;
    }
    // Nothing inserted: the (sender, id) pair exists, so this is a resend.
    QSqlQuery &f = *m_findByClientId;
    f.bindValue(0, senderKey);
    f.bindValue(1, message.clientId);
    if (!f.exec() || !f.next()) {
        m_lastError = f.lastError().text();
        return AppendResult::Failed;
    }
    message.seq = f.value(0).toLongLong();
    message.timestampMs = f.value(1).toLongLong();
    f.finish();
    return AppendResult::Duplicate;
}

bool SqliteMessageStore::commit()
{
    if (!m_inBatch)
        return true;
    m_inBatch = false;
    if (!m_db.commit()) {
        m_lastError = m_db.lastError().text();
        m_db.rollback();
        return false;
    }
    return true;
}

void SqliteMessageStore::rollback()
{
    if (m_inBatch)
        m_db.rollback();
    m_inBatch = false;
}

std::optional<QList<ChatMessage>> SqliteMessageStore::history(const HistoryQuery &query, bool *more)
{
    if (!m_db.isOpen()) {
        m_lastError = notOpen();
        return std::nullopt;
    }
    QString where;
    QVariantList args;
    const QString me = NameRules::key(query.viewer);
    if (query.with.isEmpty()) {
        where = QStringLiteral("recipient_key IS NULL");
    } else if (query.with == QLatin1String("*")) {
        where = QStringLiteral("(recipient_key IS NULL OR sender_key = ? OR recipient_key = ?)");
        args << me << me;
    } else {
        const QString other = NameRules::key(query.with);
        where =
            QStringLiteral("recipient_key IS NOT NULL AND ((sender_key = ? AND recipient_key = ?)"
                           " OR (sender_key = ? AND recipient_key = ?))");
        args << me << other << other << me;
    }
    const qint64 before = query.before > 0 ? query.before : std::numeric_limits<qint64>::max();
    // Catching up (only `after`) reads forwards; paging back (the usual case) reads backwards.
    const bool forward = query.after > 0 && query.before == 0;
    const QString sql = QStringLiteral("SELECT seq, ts, sender, recipient, cid, content, mentions"
                                       " FROM messages WHERE %1 AND seq < ? AND seq > ?"
                                       " ORDER BY seq %2 LIMIT ?")
                            .arg(where, forward ? QStringLiteral("ASC") : QStringLiteral("DESC"));
    args << before << query.after << query.limit + 1;

    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    QList<ChatMessage> result;
    if (!q.prepare(sql)) {
        m_lastError = q.lastError().text();
        return std::nullopt;
    }
    for (int i = 0; i < args.size(); ++i)
        q.bindValue(i, args.at(i));
    if (!q.exec()) {
        m_lastError = q.lastError().text();
        return std::nullopt;
    }
    while (q.next())
        result.append(readRow(q));
    *more = result.size() > query.limit;
    if (*more)
        result.removeLast();
    if (!forward)
        std::reverse(result.begin(), result.end());
    return result;
}
