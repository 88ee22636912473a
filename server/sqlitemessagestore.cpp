#include "sqlitemessagestore.h"

#include "sqlitesearchindex.h"
#include "sqlquery.h"

#include "protocol/namerules.h"
#include "protocol/textrules.h"

#include <QAtomicInt>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSqlError>
#include <QVariant>

Q_DECLARE_LOGGING_CATEGORY(lcCheckpoint)

namespace {

QAtomicInt connectionCounter;

// The table as every version since 0.1.0 creates it; migrate() brings it up to date.
constexpr const char *kBaseSchema = "CREATE TABLE IF NOT EXISTS messages ("
                                    " seq INTEGER PRIMARY KEY,"
                                    " ts INTEGER NOT NULL,"
                                    " sender TEXT NOT NULL,"
                                    " sender_key TEXT NOT NULL,"
                                    " recipient TEXT,"
                                    " recipient_key TEXT,"
                                    " cid TEXT,"
                                    " content TEXT NOT NULL,"
                                    " mentions TEXT)";

// PRAGMA user_version of a store this code has brought up to date.
constexpr int kSchemaVersion = 10;

// Version 2: private history belongs to identities (accounts, guest sessions), not to names
// (docs/security.md), and every history query has an index (issue: public history scanned the
// whole table once private rows were many).
constexpr const char *kMigrationTo2[] = {
    "ALTER TABLE messages ADD COLUMN sender_id TEXT",
    "ALTER TABLE messages ADD COLUMN recipient_id TEXT",
    // Rows from before accounts: their private messages went to whoever used a name, so they
    // are given to nobody now (a sender_id that no session has, and no recipient_id).
    "UPDATE messages SET sender_id = 'legacy:' || sender_key WHERE sender_id IS NULL",
    // Resends of messages stored before the upgrade are still recognised (append()).
    "CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    "INSERT OR REPLACE INTO store_meta (key, value) SELECT 'legacy_max_seq', COALESCE(MAX(seq), 0)"
    " FROM messages",
    "DROP INDEX IF EXISTS messages_cid",
    "DROP INDEX IF EXISTS messages_cid_sender",
    "DROP INDEX IF EXISTS messages_to",
    "DROP INDEX IF EXISTS messages_private_from",
    // Resent messages are recognised by the sender's own id. The id comes first: clients
    // send ids that begin with the time (the Confab client's are UUIDv7), so new entries go
    // to one end of the index (docs/benchmarks.md, run a).
    "CREATE UNIQUE INDEX IF NOT EXISTS messages_dedupe ON messages(cid, sender_id)"
    " WHERE cid IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS messages_public ON messages(seq) WHERE recipient_key IS NULL",
    "CREATE INDEX IF NOT EXISTS messages_private_sender ON messages(sender_id, seq)"
    " WHERE recipient_key IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS messages_private_recipient ON messages(recipient_id, seq)"
    " WHERE recipient_key IS NOT NULL",
};

// Versions 3 and 5 kept the search index (FTS5) in this file; version 6 moves it to a file of
// its own (SqliteSearchIndex), and a store below 6 skips them.
//
// Version 4: call entries (docs/protocol.md section 13.1) carry their outcome, kind and
// duration as typed data, the CallRecord's compact JSON; NULL for every other message.
constexpr const char *kMigrationTo4[] = {
    "ALTER TABLE messages ADD COLUMN call TEXT",
};

// Version 6: the search index leaves this file. Its writer (SqliteUpkeep, at the lowest CPU
// priority) shared the file's one write lock with the relay, and the relay's commits slept
// in the busy handler while a low-priority thread held it: 40% of one core's deliveries/s
// (docs/benchmarks.md, "Behind the relay"). Now the index is in SqliteSearchIndex's file and
// this file only queues which indexed rows changed (edits, deletions), for the indexer to
// redo; inserts need nothing, the indexer reads the rows after its progress. store_id ties
// an index file to this history (a history restored from a backup gets a fresh index).
constexpr const char *kMigrationTo6[] = {
    "DROP TRIGGER IF EXISTS messages_fts_insert",
    "DROP TRIGGER IF EXISTS messages_fts_delete",
    "DROP TRIGGER IF EXISTS messages_fts_update",
    "DROP TABLE IF EXISTS messages_fts",
    "DROP TABLE IF EXISTS search_progress",
    "CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    "INSERT OR IGNORE INTO store_meta (key, value) VALUES ('store_id', abs(random()))",
    "CREATE TABLE IF NOT EXISTS search_changes (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL)",
    "CREATE TRIGGER IF NOT EXISTS search_changes_delete AFTER DELETE ON messages BEGIN"
    " INSERT INTO search_changes (seq) VALUES (old.seq); END",
    "CREATE TRIGGER IF NOT EXISTS search_changes_update AFTER UPDATE OF content ON messages"
    " BEGIN INSERT INTO search_changes (seq) VALUES (old.seq); END",
};

// Version 7 (6 is the search index's own file): messages can be changed by their senders
// (docs/protocol.md section 5.5). An edit is an UPDATE of content (the search index's
// triggers follow it) with the time in `edited`; a delete keeps the row and its seq, with no
// content and `deleted` set.
constexpr const char *kMigrationTo7[] = {
    "ALTER TABLE messages ADD COLUMN edited INTEGER",
    "ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0",
    // Replies (section 5.6): the seq of the message answered, 0 for none. The quote is read
    // from that message when the reply is read, so it shows the original as it is now.
    "ALTER TABLE messages ADD COLUMN reply_to INTEGER NOT NULL DEFAULT 0",
};

// Version 8: emoji reactions (docs/protocol.md section 5.7), one row per (message, identity,
// emoji); `id` keeps the order they were given in. The unique index serves the reads by seq.
constexpr const char *kMigrationTo8[] = {
    "CREATE TABLE IF NOT EXISTS reactions ("
    " id INTEGER PRIMARY KEY,"
    " seq INTEGER NOT NULL,"
    " actor TEXT NOT NULL,"
    " name TEXT NOT NULL,"
    " emoji TEXT NOT NULL,"
    " ts INTEGER NOT NULL)",
    "CREATE UNIQUE INDEX IF NOT EXISTS reactions_by_message ON reactions (seq, actor, emoji)",
};

// Version 9: files (docs/protocol.md section 18). A file message keeps its file's name, size,
// type and SHA-256 as FileRef's compact JSON in `file` (NULL for every other message); the
// bytes are in the files folder beside this file, by hash (FileStorage). file_uploads says
// whose uploads brought which content, for the per-user quota and so that the same sender
// sending the same file again needs no second upload.
constexpr const char *kMigrationTo9[] = {
    "ALTER TABLE messages ADD COLUMN file TEXT",
    "CREATE TABLE IF NOT EXISTS file_uploads (payer TEXT NOT NULL, sha256 TEXT NOT NULL,"
    " size INTEGER NOT NULL, created INTEGER NOT NULL, PRIMARY KEY (payer, sha256))",
};

// Version 10: read receipts (docs/protocol.md section 19), one row per (reader identity,
// sender identity) with how far the reader has received and read the sender's private
// messages; the index serves the sender's "receipts" request, the most recently moved first.
constexpr const char *kMigrationTo10[] = {
    "CREATE TABLE IF NOT EXISTS receipts ("
    " reader TEXT NOT NULL,"
    " reader_name TEXT NOT NULL,"
    " peer TEXT NOT NULL,"
    " delivered INTEGER NOT NULL,"
    " read INTEGER NOT NULL,"
    " ts INTEGER NOT NULL,"
    " PRIMARY KEY (reader, peer))",
    "CREATE INDEX IF NOT EXISTS receipts_by_peer ON receipts (peer, ts)",
};

constexpr const char *kColumns =
    "seq, ts, sender, recipient, cid, content, mentions, call, edited, deleted, reply_to, file";
// The index of the first column a query selects after kColumns.
constexpr int kAfterColumns = 12;

QVariant nullIfEmpty(const QString &s)
{
    return s.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(s);
}

// A deleted message's text is empty, never NULL (a null QString is bound as NULL).
QVariant notNull(const QString &s)
{
    return s.isNull() ? QVariant(QStringLiteral("")) : QVariant(s);
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
    m.call = CallRecord::fromStored(q.value(7).toString());
    m.editedMs = q.value(8).toLongLong();
    m.deleted = q.value(9).toInt() != 0;
    m.replyTo = q.value(10).toLongLong();
    m.file = FileRef::fromStored(q.value(11).toString());
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
    if (m_readOnly) {
        // A search reader (searchReader()): the writer has made the files and their schema.
        attachSearchIndex();
        if (!exec(QStringLiteral("PRAGMA query_only=ON")))
            return fail(QStringLiteral("cannot set up %1: %2").arg(m_path, m_lastError));
        return true;
    }

    const QString pragmas[] = {
        QStringLiteral("PRAGMA journal_mode=WAL"),
        m_fullSync ? QStringLiteral("PRAGMA synchronous=FULL")
                   : QStringLiteral("PRAGMA synchronous=NORMAL"),
        QStringLiteral("PRAGMA foreign_keys=ON"),
        // Checkpoints run on their own thread (SqliteUpkeep), never inside a commit.
        QStringLiteral("PRAGMA wal_autocheckpoint=0"),
    };
    for (const QString &sql : pragmas) {
        if (!exec(sql))
            return fail(QStringLiteral("cannot set up %1: %2").arg(m_path, m_lastError));
    }
    // Private messages and password hashes: readable by the server's user alone (SQLite gives
    // the -wal and -shm files the same permissions).
    const QFile::Permissions ownerOnly = QFile::ReadOwner | QFile::WriteOwner;
    if ((QFile::permissions(m_path) & ~(ownerOnly | QFile::ReadUser | QFile::WriteUser)) != 0)
        QFile::setPermissions(m_path, ownerOnly | QFile::ReadUser | QFile::WriteUser);
    if (!exec(QLatin1String(kBaseSchema)) || !migrate())
        return fail(QStringLiteral("cannot create or upgrade the tables in %1: %2")
                        .arg(m_path, m_lastError));

    {
        QSqlQuery meta(m_db);
        if (meta.exec(
                QStringLiteral("SELECT value FROM store_meta WHERE key = 'legacy_max_seq'")) &&
            meta.next())
            m_legacyMaxSeq = meta.value(0).toLongLong();
    }
    m_insert.emplace(m_db);
    m_findByClientId.emplace(m_db);
    if (!m_insert->prepare(QStringLiteral(
            "INSERT INTO messages (ts, sender, sender_key, recipient, recipient_key, cid, content,"
            " mentions, sender_id, recipient_id, call, reply_to, file) VALUES (:ts, :sender,"
            " :sender_key, :recipient, :recipient_key, :cid, :content, :mentions, :sender_id,"
            " :recipient_id, :call, :reply_to, :file)"
            " ON CONFLICT DO NOTHING")) ||
        !m_findByClientId->prepare(
            QStringLiteral("SELECT seq, ts FROM messages WHERE cid = ? AND sender_id = ?"))) {
        return fail(QStringLiteral("cannot prepare statements: %1").arg(m_db.lastError().text()));
    }
    // The search index: without it, searches still read the newest messages (the base
    // class's scan), so a broken index file costs search results, not the chat.
    QString why;
    if (!SqliteSearchIndex::prepare(m_db, m_path, &why))
        qCWarning(lcCheckpoint).noquote() << why << "- searches read only the newest messages";
    else
        attachSearchIndex();
    m_checkpointer = std::make_unique<SqliteUpkeep>(m_path, 1000);
    m_checkpointer->start();
    return true;
}

bool SqliteMessageStore::migrate()
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next()) {
        m_lastError = q.lastError().text();
        return false;
    }
    const int version = q.value(0).toInt();
    q.finish();
    // Each step in its own transaction with its user_version, in order: a store stopped
    // between two steps resumes at the next one.
    if (version < 2 && !migrationStep(2, std::begin(kMigrationTo2), std::end(kMigrationTo2)))
        return false;
    if (version < 4 && !migrationStep(4, std::begin(kMigrationTo4), std::end(kMigrationTo4)))
        return false;
    if (version < 6 && !migrationStep(6, std::begin(kMigrationTo6), std::end(kMigrationTo6)))
        return false;
    if (version < 7 && !migrationStep(7, std::begin(kMigrationTo7), std::end(kMigrationTo7)))
        return false;
    if (version < 8 && !migrationStep(8, std::begin(kMigrationTo8), std::end(kMigrationTo8)))
        return false;
    if (version < 9 && !migrationStep(9, std::begin(kMigrationTo9), std::end(kMigrationTo9)))
        return false;
    if (version < 10 && !migrationStep(10, std::begin(kMigrationTo10), std::end(kMigrationTo10)))
        return false;
    static_assert(kSchemaVersion == 10, "a new schema version needs its step here");
    return true;
}

bool SqliteMessageStore::migrationStep(int version, const char *const *begin,
                                       const char *const *end)
{
    if (!m_db.transaction()) {
        m_lastError = m_db.lastError().text();
        return false;
    }
    for (auto sql = begin; sql != end; ++sql) {
        if (!exec(QLatin1String(*sql))) {
            m_db.rollback();
            return false;
        }
    }
    if (!exec(QStringLiteral("PRAGMA user_version = %1").arg(version)) || !m_db.commit()) {
        if (m_lastError.isEmpty())
            m_lastError = m_db.lastError().text();
        m_db.rollback();
        return false;
    }
    return true;
}

QString SqliteMessageStore::notOpen() const
{
    return QStringLiteral("the history database %1 is not open").arg(m_path);
}

bool SqliteMessageStore::beginBatch()
{
    // The writers of changes, reactions and receipts start here: a closed store says so.
    if (!m_db.isOpen()) {
        m_lastError = notOpen();
        return false;
    }
    if (m_inBatch)
        return true;
    if (!m_db.transaction()) {
        m_lastError = m_db.lastError().text();
        return false;
    }
    m_inBatch = true;
    return true;
}

MessageStore::AppendResult SqliteMessageStore::append(ChatMessage &message,
                                                      const MessageParties &parties)
{
    if (!m_insert) {
        m_lastError = notOpen();
        return AppendResult::Failed;
    }
    if (!beginBatch())
        return AppendResult::Failed;
    const QString senderKey = NameRules::key(message.from);
    // A message stored before identities existed, resent after the upgrade by its sender.
    if (m_legacyMaxSeq > 0 && !message.clientId.isEmpty() &&
        findDuplicate(message, QStringLiteral("legacy:") + senderKey))
        return AppendResult::Duplicate;
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
    q.bindValue(QStringLiteral(":sender_id"), parties.sender);
    q.bindValue(QStringLiteral(":recipient_id"), nullIfEmpty(parties.recipient));
    q.bindValue(QStringLiteral(":call"),
                nullIfEmpty(message.call ? message.call->toStored() : QString()));
    q.bindValue(QStringLiteral(":reply_to"), message.replyTo);
    q.bindValue(QStringLiteral(":file"),
                nullIfEmpty(message.file ? message.file->toStored() : QString()));
    if (!q.exec()) {
        m_lastError = q.lastError().text();
        return AppendResult::Failed;
    }
    if (q.numRowsAffected() == 1) {
        message.seq = q.lastInsertId().toLongLong();
        return AppendResult::Stored;
    }
    // Nothing inserted: the (sender, id) pair exists, so this is a resend.
    if (!findDuplicate(message, parties.sender)) {
        if (m_lastError.isEmpty())
            m_lastError = QStringLiteral("a message was neither stored nor found");
        return AppendResult::Failed;
    }
    return AppendResult::Duplicate;
}

std::optional<MessageStore::Stored> SqliteMessageStore::storedMessage(qint64 seq, bool *found)
{
    *found = false;
    if (!m_db.isOpen()) {
        m_lastError = notOpen();
        return std::nullopt;
    }
    QSqlQuery q(m_db);
    if (!select(q,
                QStringLiteral("SELECT %1, sender_id, recipient_id FROM messages WHERE seq = ?")
                    .arg(QLatin1String(kColumns)),
                {seq}))
        return std::nullopt;
    Stored stored;
    if (q.next()) {
        *found = true;
        stored = Stored{readRow(q),
                        {q.value(kAfterColumns).toString(), q.value(kAfterColumns + 1).toString()}};
    }
    return stored;
}

bool SqliteMessageStore::writeChange(const ChatMessage &message)
{
    if (!beginBatch())
        return false;
    // The row stays, with its seq: a delete clears the text (and the search index's trigger
    // takes it out of the index) rather than removing what history pages count on.
    QSqlQuery q(m_db);
    return select(q,
                  QStringLiteral("UPDATE messages SET content = ?, mentions = ?, edited = ?,"
                                 " deleted = ? WHERE seq = ?"),
                  {notNull(message.content), nullIfEmpty(message.mentions.join(QLatin1Char(' '))),
                   message.editedMs > 0 ? QVariant(message.editedMs)
                                        : QVariant(QMetaType::fromType<qint64>()),
                   message.deleted ? 1 : 0, message.seq});
}

std::optional<QList<MessageStore::ReactionRow>>
SqliteMessageStore::reactionRows(const QList<qint64> &seqs)
{
    if (!m_db.isOpen()) {
        m_lastError = notOpen();
        return std::nullopt;
    }
    QList<ReactionRow> rows;
    if (seqs.isEmpty())
        return rows;
    QStringList marks;
    QVariantList args;
    for (qint64 seq : seqs) {
        marks << QStringLiteral("?");
        args << seq;
    }
    QSqlQuery q(m_db);
    if (!select(q,
                QStringLiteral("SELECT seq, actor, name, emoji FROM reactions WHERE seq IN (%1)"
                               " ORDER BY seq, id")
                    .arg(marks.join(QLatin1Char(','))),
                args))
        return std::nullopt;
    while (q.next())
        rows.append(ReactionRow{q.value(0).toLongLong(), q.value(1).toString(),
                                q.value(2).toString(), q.value(3).toString()});
    return rows;
}

bool SqliteMessageStore::writeReaction(const MessageChange &change)
{
    if (!beginBatch())
        return false;
    QSqlQuery q(m_db);
    if (change.kind == MessageChange::Kind::React)
        return select(q,
                      QStringLiteral("INSERT OR IGNORE INTO reactions (seq, actor, name, emoji, ts)"
                                     " VALUES (?, ?, ?, ?, ?)"),
                      {change.seq, change.actor, notNull(change.actorName), change.emoji,
                       change.timestampMs});
    return select(q,
                  QStringLiteral("DELETE FROM reactions WHERE seq = ? AND actor = ? AND emoji = ?"),
                  {change.seq, change.actor, change.emoji});
}

std::optional<qint64> SqliteMessageStore::newestSeq()
{
    if (!m_db.isOpen()) {
        m_lastError = notOpen();
        return std::nullopt;
    }
    QSqlQuery q(m_db);
    if (!select(q, QStringLiteral("SELECT max(seq) FROM messages"), {}))
        return std::nullopt;
    return q.next() ? q.value(0).toLongLong() : 0;
}

std::optional<MessageStore::Stored> SqliteMessageStore::newestFrom(const QString &senderKey,
                                                                   const QString &recipient,
                                                                   qint64 upTo, bool *found)
{
    *found = false;
    if (!m_db.isOpen()) {
        m_lastError = notOpen();
        return std::nullopt;
    }
    // The recipient's private rows (messages_private_recipient), newest first from upTo, as
    // history reads a conversation.
    QSqlQuery q(m_db);
    if (!select(q,
                QStringLiteral("SELECT %1, sender_id, recipient_id FROM messages"
                               " WHERE recipient_key IS NOT NULL AND recipient_id = ?"
                               " AND sender_key = ? AND seq <= ? ORDER BY seq DESC LIMIT 1")
                    .arg(QLatin1String(kColumns)),
                {recipient, senderKey, upTo}))
        return std::nullopt;
    Stored stored;
    if (q.next()) {
        *found = true;
        stored = Stored{readRow(q),
                        {q.value(kAfterColumns).toString(), q.value(kAfterColumns + 1).toString()}};
    }
    return stored;
}

std::optional<MessageStore::ReceiptRow>
SqliteMessageStore::receiptRow(const QString &reader, const QString &peer, bool *found)
{
    *found = false;
    if (!m_db.isOpen()) {
        m_lastError = notOpen();
        return std::nullopt;
    }
    QSqlQuery q(m_db);
    if (!select(q,
                QStringLiteral("SELECT reader_name, delivered, read, ts FROM receipts"
                               " WHERE reader = ? AND peer = ?"),
                {reader, peer}))
        return std::nullopt;
    ReceiptRow row{reader, {}, peer, 0, 0, 0};
    if (q.next()) {
        *found = true;
        row.readerName = q.value(0).toString();
        row.delivered = q.value(1).toLongLong();
        row.read = q.value(2).toLongLong();
        row.timestampMs = q.value(3).toLongLong();
    }
    return row;
}

bool SqliteMessageStore::writeReceipt(const ReceiptRow &row)
{
    if (!beginBatch())
        return false;
    QSqlQuery q(m_db);
    return select(
        q,
        QStringLiteral("INSERT INTO receipts (reader, reader_name, peer, delivered, read,"
                       " ts) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (reader, peer) DO"
                       " UPDATE SET reader_name = excluded.reader_name,"
                       " delivered = max(delivered, excluded.delivered),"
                       " read = max(read, excluded.read), ts = excluded.ts"),
        {row.reader, notNull(row.readerName), row.peer, row.delivered, row.read, row.timestampMs});
}

std::optional<QList<MessageStore::ReceiptRow>> SqliteMessageStore::receiptsOn(const QString &peer,
                                                                              int limit)
{
    if (!m_db.isOpen()) {
        m_lastError = notOpen();
        return std::nullopt;
    }
    QSqlQuery q(m_db);
    if (!select(q,
                QStringLiteral("SELECT reader, reader_name, delivered, read, ts FROM receipts"
                               " WHERE peer = ? ORDER BY ts DESC LIMIT ?"),
                {peer, limit}))
        return std::nullopt;
    QList<ReceiptRow> rows;
    while (q.next())
        rows.append(ReceiptRow{q.value(0).toString(), q.value(1).toString(), peer,
                               q.value(2).toLongLong(), q.value(3).toLongLong(),
                               q.value(4).toLongLong()});
    return rows;
}

bool SqliteMessageStore::findDuplicate(ChatMessage &message, const QString &senderId)
{
    m_lastError.clear();
    QSqlQuery &f = *m_findByClientId;
    f.bindValue(0, message.clientId);
    f.bindValue(1, senderId);
    if (!f.exec()) {
        m_lastError = f.lastError().text();
        return false;
    }
    if (!f.next())
        return false;
    message.seq = f.value(0).toLongLong();
    message.timestampMs = f.value(1).toLongLong();
    f.finish();
    return true;
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

void SqliteMessageStore::historySql(const HistoryQuery &query, QString *sql,
                                    QVariantList *args) const
{
    const qint64 before = query.before > 0 ? query.before : std::numeric_limits<qint64>::max();
    // Catching up (only `after`) reads forwards; paging back (the usual case) reads backwards.
    const QString order = isForward(query) ? QStringLiteral("ASC") : QStringLiteral("DESC");
    const int rows = query.limit + 1;

    // Each part is one indexed range read (messages_public, messages_private_sender,
    // messages_private_recipient), limited on its own; an OR in one WHERE would make SQLite
    // scan the table (tst_messagestore checks the plans).
    QStringList parts;
    auto part = [&](const QString &where, const QVariantList &values) {
        parts << QStringLiteral("SELECT * FROM (SELECT %1 FROM messages WHERE %2 AND seq < ? AND"
                                " seq > ? ORDER BY seq %3 LIMIT ?)")
                     .arg(QLatin1String(kColumns), where, order);
        *args << values << before << query.after << rows;
    };
    const QString viewer = query.viewer.isEmpty() ? QStringLiteral("-") : query.viewer;
    if (query.with.isEmpty()) {
        part(QStringLiteral("recipient_key IS NULL"), {});
    } else if (query.with == QLatin1String("*")) {
        part(QStringLiteral("recipient_key IS NULL"), {});
        part(QStringLiteral("recipient_key IS NOT NULL AND sender_id = ?"), {viewer});
        part(QStringLiteral("recipient_key IS NOT NULL AND recipient_id = ?"), {viewer});
    } else {
        const QString other = NameRules::key(query.with);
        part(QStringLiteral("recipient_key IS NOT NULL AND sender_id = ? AND recipient_key = ?"),
             {viewer, other});
        part(QStringLiteral("recipient_key IS NOT NULL AND recipient_id = ? AND sender_key = ?"),
             {viewer, other});
    }
    if (parts.size() == 1) {
        *sql = parts.first();
    } else {
        *sql = QStringLiteral("SELECT * FROM (%1) ORDER BY seq %2 LIMIT ?")
                   .arg(parts.join(QStringLiteral(" UNION ALL ")), order);
        *args << rows;
    }
}

bool SqliteMessageStore::isForward(const HistoryQuery &query)
{
    return query.after > 0 && query.before == 0;
}

std::optional<QList<ChatMessage>> SqliteMessageStore::history(const HistoryQuery &query, bool *more)
{
    if (!m_db.isOpen()) {
        m_lastError = notOpen();
        return std::nullopt;
    }
    QString sql;
    QVariantList args;
    historySql(query, &sql, &args);
    QSqlQuery q(m_db);
    if (!select(q, sql, args))
        return std::nullopt;
    QList<ChatMessage> result;
    qint64 bytes = 0;
    *more = false;
    while (q.next()) {
        if (result.size() == query.limit) {
            *more = true;
            break;
        }
        ChatMessage m = readRow(q);
        // A page holds at most maxBytes of text (but always one message): 200 messages of
        // 16 KB each would be a 3 MB answer to one request. Counted as the UTF-8 that goes out.
        bytes += TextRules::utf8Size(m.content);
        if (query.maxBytes > 0 && bytes > query.maxBytes && !result.isEmpty()) {
            *more = true;
            break;
        }
        result.append(std::move(m));
    }
    q.finish();
    if (!isForward(query))
        std::reverse(result.begin(), result.end());
    if (!fillQuotes(result) || !fillReactions(result, query.viewer))
        return std::nullopt;
    return result;
}

QStringList SqliteMessageStore::historyPlan(const HistoryQuery &query)
{
    QString sql;
    QVariantList args;
    historySql(query, &sql, &args);
    QSqlQuery q(m_db);
    QStringList plan;
    if (!q.prepare(QStringLiteral("EXPLAIN QUERY PLAN ") + sql))
        return {q.lastError().text()};
    for (int i = 0; i < args.size(); ++i)
        q.bindValue(i, args.at(i));
    if (!q.exec())
        return {q.lastError().text()};
    while (q.next())
        plan << q.value(3).toString(); // id, parent, notused, detail
    return plan;
}

bool SqliteMessageStore::select(QSqlQuery &q, const QString &sql, const QVariantList &args)
{
    q.setForwardOnly(true);
    return runSql(q, sql, args, &m_lastError);
}

void SqliteMessageStore::attachSearchIndex()
{
    QString why;
    m_searchIndex = SqliteSearchIndex::attach(m_db, m_path, &why);
    if (!m_searchIndex)
        qCWarning(lcCheckpoint).noquote() << why << "- searches read only the newest messages";
}

void SqliteMessageStore::searchSql(const SearchQuery &query, int limit, QString *sql,
                                   QVariantList *args)
{
    // Every indexed word as an FTS5 string (a phrase of its trigrams), all of them required.
    QStringList phrases;
    for (QString word : query.indexedWords())
        phrases << QLatin1Char('"') + word.replace(QLatin1Char('"'), QLatin1String("\"\"")) +
                       QLatin1Char('"');
    // The index is read newest first and stops at the limit: FTS5 hands its matches out in
    // rowid order, and each one is looked up by seq for the privacy rule (the rule of
    // history's "*": public, or the viewer's identity sent or received it).
    *sql = QStringLiteral("SELECT %1 FROM (SELECT rowid AS hit FROM idx.messages_fts WHERE"
                          " messages_fts MATCH ? AND rowid < ? ORDER BY rowid DESC)"
                          " JOIN messages ON messages.seq = hit"
                          " WHERE (recipient_key IS NULL OR sender_id = ? OR recipient_id = ?)"
                          " ORDER BY hit DESC LIMIT ?")
               .arg(QLatin1String(kColumns));
    const QString viewer = query.viewer.isEmpty() ? QStringLiteral("-") : query.viewer;
    *args << phrases.join(QLatin1Char(' '))
          << (query.before > 0 ? query.before : std::numeric_limits<qint64>::max()) << viewer
          << viewer << limit + 1;
}

std::optional<QList<ChatMessage>> SqliteMessageStore::searchCandidates(const SearchQuery &query,
                                                                       int limit, bool *more)
{
    *more = false;
    if (query.indexedWords().isEmpty() || !m_searchIndex)
        return MessageStore::searchCandidates(query, limit, more);
    if (!m_db.isOpen()) {
        m_lastError = notOpen();
        return std::nullopt;
    }
    // The newest messages, which SqliteUpkeep has not indexed yet (a fraction of a second's
    // worth), first: read without the index, up to kMaxExamined of them; run() checks the
    // words. Then the index, for the rest.
    QList<ChatMessage> result;
    QSqlQuery q(m_db);
    const QString viewer = query.viewer.isEmpty() ? QStringLiteral("-") : query.viewer;
    const qint64 before = query.before > 0 ? query.before : std::numeric_limits<qint64>::max();
    if (!select(q,
                QStringLiteral("SELECT %1 FROM messages WHERE seq > (SELECT seq FROM"
                               " idx.search_progress) AND seq < ? AND (recipient_key IS NULL OR"
                               " sender_id = ? OR recipient_id = ?) ORDER BY seq DESC LIMIT ?")
                    .arg(QLatin1String(kColumns)),
                {before, viewer, viewer, SearchQuery::kMaxExamined}))
        return std::nullopt;
    UnindexedLook look(query, before);
    while (q.next())
        look.add(readRow(q));
    q.finish();
    if (look.finish(&result, limit, more))
        return result;
    SearchQuery indexed = query;
    indexed.before = look.indexedBefore();
    QString sql;
    QVariantList args;
    searchSql(indexed, limit - int(result.size()), &sql, &args);
    if (!select(q, sql, args))
        return std::nullopt;
    while (q.next()) {
        if (result.size() == limit) {
            *more = true;
            break;
        }
        result.append(readRow(q));
    }
    return result;
}

QStringList SqliteMessageStore::searchPlan(const SearchQuery &query)
{
    QString sql;
    QVariantList args;
    searchSql(query, query.limit, &sql, &args);
    QSqlQuery q(m_db);
    QStringList plan;
    if (!select(q, QStringLiteral("EXPLAIN QUERY PLAN ") + sql, args))
        return {m_lastError};
    while (q.next())
        plan << q.value(3).toString(); // id, parent, notused, detail
    return plan;
}

std::unique_ptr<MessageStore> SqliteMessageStore::searchReader() const
{
    // WAL mode: this connection reads while the store writes, and sees each committed batch.
    auto reader = std::make_unique<SqliteMessageStore>(m_path, false);
    reader->m_readOnly = true;
    return reader;
}

std::optional<qint64> SqliteMessageStore::fileUsage(const QString &payer, const QString &sha256,
                                                    bool *uploaded)
{
    *uploaded = false;
    if (!m_db.isOpen()) {
        m_lastError = notOpen();
        return std::nullopt;
    }
    QSqlQuery q(m_db);
    if (!select(q,
                QStringLiteral("SELECT COALESCE(SUM(size), 0), COALESCE(MAX(sha256 = ?), 0)"
                               " FROM file_uploads WHERE payer = ?"),
                {sha256, payer}) ||
        !q.next())
        return std::nullopt;
    *uploaded = q.value(1).toInt() != 0;
    return q.value(0).toLongLong();
}

bool SqliteMessageStore::recordUpload(const QString &payer, const QString &sha256, qint64 size,
                                      qint64 nowMs)
{
    if (!m_db.isOpen()) {
        m_lastError = notOpen();
        return false;
    }
    // Outside a batch it is a transaction of its own; inside one, committed with it.
    QSqlQuery q(m_db);
    return select(q,
                  QStringLiteral("INSERT OR IGNORE INTO file_uploads (payer, sha256, size, created)"
                                 " VALUES (?, ?, ?, ?)"),
                  {payer, sha256, size, nowMs});
}
