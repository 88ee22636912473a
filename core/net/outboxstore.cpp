#include "net/outboxstore.h"

#include "protocol/namerules.h"

#include <QAtomicInt>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QVariant>

namespace {

// 1: the outbox. 2: the history cache and the saved state beside it. 3: call entries.
// 4: edits, deletes and replies in the history. 5: an unsent reply's reply_to in the outbox.
// 6: reactions in the history.
constexpr int kSchemaVersion = 6;

QString encoded(const QString &text)
{
    // '_' separates the parts of the file name, so it is encoded inside them.
    return QString::fromLatin1(QUrl::toPercentEncoding(text, {}, QByteArrayLiteral("_~")));
}

} // namespace

OutboxStore::OutboxStore(QObject *parent) : QObject(parent) {}

OutboxStore::~OutboxStore()
{
    close();
}

QString OutboxStore::fileName(const QUrl &server, const QString &name)
{
    const int standard = server.scheme() == QLatin1String("wss") ? 443 : 80;
    QString who = encoded(NameRules::key(name));
    // Names of 32 code points in a non-Latin script would pass the 255 bytes file systems
    // allow for a file name; those get a hash instead.
    if (who.size() > 96)
        who = QString::fromLatin1(
            QCryptographicHash::hash(NameRules::key(name).toUtf8(), QCryptographicHash::Sha256)
                .toHex());
    return QStringLiteral("%1_%2_%3.sqlite")
        .arg(encoded(server.host().toLower()))
        .arg(server.port(standard))
        .arg(who);
}

bool OutboxStore::open(const QString &path)
{
    close();
    m_error.clear();
    m_path = path;
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath())) {
        m_error = tr("cannot create the folder %1").arg(info.absolutePath());
        return false;
    }
    static QAtomicInt counter;
    const QString connection =
        QStringLiteral("confab-outbox-%1").arg(counter.fetchAndAddRelaxed(1));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(path);
        // Another client with the same file holds its lock: give up quickly and say so.
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=200"));
        if (!db.open()) {
            m_error = tr("cannot open %1: %2").arg(path, db.lastError().text());
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(connection);
            return false;
        }
    }
    m_connection = connection;
    const QString why = setUp();
    if (!why.isEmpty()) {
        close();
        m_error = why;
        return false;
    }
    // What the user wrote, private messages included: for the user's eyes only.
    QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
    return true;
}

QString OutboxStore::setUp()
{
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    QSqlQuery q(db);
    // One process per file: a second client of the same server and name would resend the
    // same messages. EXCLUSIVE keeps the lock from the first write until the file is closed
    // (a killed process loses it with its descriptors). WAL with synchronous=NORMAL writes a
    // commit without an fsync: the rows survive a crash of the client, as the server's do.
    bool ok = q.exec(QStringLiteral("PRAGMA locking_mode=EXCLUSIVE")) &&
              q.exec(QStringLiteral("PRAGMA journal_mode=WAL")) && q.next() &&
              q.value(0).toString().compare(QLatin1String("wal"), Qt::CaseInsensitive) == 0 &&
              q.exec(QStringLiteral("PRAGMA synchronous=NORMAL")) &&
              q.exec(QStringLiteral("PRAGMA user_version")) && q.next();
    if (ok && q.value(0).toInt() > kSchemaVersion)
        return tr("%1 was written by a newer version of Confab").arg(m_path);
    // Writing the version proves the file writable and takes the lock now, not at the first
    // message.
    ok = ok &&
         q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS outbox ("
                               "position INTEGER PRIMARY KEY AUTOINCREMENT, "
                               "client_id TEXT NOT NULL UNIQUE, "
                               "recipient TEXT NOT NULL DEFAULT '', "
                               "content TEXT NOT NULL, "
                               "created_ms INTEGER NOT NULL)")) &&
         q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS history ("
                               "seq INTEGER PRIMARY KEY, "
                               "conversation TEXT NOT NULL, "
                               "sender TEXT NOT NULL, "
                               "recipient TEXT NOT NULL DEFAULT '', "
                               "content TEXT NOT NULL, "
                               "created_ms INTEGER NOT NULL, "
                               "client_id TEXT NOT NULL DEFAULT '', "
                               "mentions TEXT NOT NULL DEFAULT '', "
                               "call TEXT NOT NULL DEFAULT '')")) &&
         // Version 3: call entries keep their CallRecord (its compact JSON). A file of
         // version 2 has the table without the column.
         (q.exec(QStringLiteral("SELECT call FROM history LIMIT 0")) ||
          q.exec(QStringLiteral("ALTER TABLE history ADD COLUMN call TEXT NOT NULL DEFAULT ''"))) &&
         // Version 4: changed messages (edited, deleted; docs/protocol.md section 5.5).
         (q.exec(QStringLiteral("SELECT edited FROM history LIMIT 0")) ||
          (q.exec(QStringLiteral("ALTER TABLE history ADD COLUMN edited INTEGER NOT NULL "
                                 "DEFAULT 0")) &&
           q.exec(QStringLiteral("ALTER TABLE history ADD COLUMN deleted INTEGER NOT NULL "
                                 "DEFAULT 0")))) &&
         // and replies (section 5.6) with their quotes.
         (q.exec(QStringLiteral("SELECT reply_to FROM history LIMIT 0")) ||
          (q.exec(QStringLiteral("ALTER TABLE history ADD COLUMN reply_to INTEGER NOT NULL "
                                 "DEFAULT 0")) &&
           q.exec(QStringLiteral("ALTER TABLE history ADD COLUMN quote TEXT NOT NULL "
                                 "DEFAULT ''")))) &&
         // Version 5: the outbox keeps what an unsent reply answers.
         (q.exec(QStringLiteral("SELECT reply_to FROM outbox LIMIT 0")) ||
          q.exec(QStringLiteral("ALTER TABLE outbox ADD COLUMN reply_to INTEGER NOT NULL "
                                "DEFAULT 0"))) &&
         // Version 6: reactions (docs/protocol.md section 5.7), as their summary's JSON.
         (q.exec(QStringLiteral("SELECT reactions FROM history LIMIT 0")) ||
          q.exec(QStringLiteral("ALTER TABLE history ADD COLUMN reactions TEXT NOT NULL "
                                "DEFAULT ''"))) &&
         q.exec(QStringLiteral("CREATE INDEX IF NOT EXISTS history_by_conversation "
                               "ON history (conversation, seq)")) &&
         q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS saved_state ("
                               "name TEXT PRIMARY KEY, value TEXT NOT NULL)")) &&
         q.exec(QStringLiteral("PRAGMA user_version=%1").arg(kSchemaVersion));
    if (!ok) {
        const QString error = q.lastError().text().trimmed();
        return tr("cannot use %1: %2")
            .arg(m_path, error.isEmpty() ? tr("not a usable SQLite file") : error);
    }
    m_insert.emplace(db);
    m_delete.emplace(db);
    if (!m_insert->prepare(QStringLiteral("INSERT INTO outbox (client_id, recipient, content, "
                                          "created_ms, reply_to) VALUES (?, ?, ?, ?, ?)")) ||
        !m_delete->prepare(QStringLiteral("DELETE FROM outbox WHERE client_id = ?")))
        return tr("cannot use %1: %2").arg(m_path, m_insert->lastError().text());
    return {};
}

void OutboxStore::close()
{
    if (!isOpen())
        return;
    commit();
    if (!isOpen())
        return; // the commit failed and closed it
    m_insert.reset();
    m_delete.reset();
    m_statements.clear();
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
    m_connection.clear();
    m_inTransaction = false;
}

QList<Outbox::Entry> OutboxStore::load()
{
    QList<Outbox::Entry> entries;
    if (!isOpen())
        return entries;
    QString error;
    {
        QSqlQuery q(QSqlDatabase::database(m_connection, false));
        q.setForwardOnly(true);
        if (q.exec(QStringLiteral("SELECT client_id, recipient, content, created_ms, reply_to "
                                  "FROM outbox ORDER BY position"))) {
            while (q.next()) {
                Outbox::Entry e;
                e.clientId = q.value(0).toString();
                e.to = q.value(1).toString();
                e.content = q.value(2).toString();
                e.created = QDateTime::fromMSecsSinceEpoch(q.value(3).toLongLong(), Qt::UTC);
                e.replyTo = qMax<qint64>(0, q.value(4).toLongLong()); // the file may be edited
                entries.append(e);
            }
        }
        if (q.lastError().isValid())
            error = q.lastError().text();
    } // the query ends before a failure closes the connection
    if (!error.isEmpty()) {
        fail(tr("cannot read %1").arg(m_path), error);
        entries.clear();
    }
    return entries;
}

void OutboxStore::insert(const Outbox::Entry &entry)
{
    if (!isOpen() || !begin())
        return;
    m_insert->bindValue(0, entry.clientId);
    // A null QString would be bound as NULL: the room is the empty name.
    m_insert->bindValue(1, entry.to.isNull() ? QStringLiteral("") : entry.to);
    m_insert->bindValue(2, entry.content);
    m_insert->bindValue(3, entry.created.toMSecsSinceEpoch());
    m_insert->bindValue(4, entry.replyTo);
    if (!m_insert->exec())
        fail(tr("cannot write to %1").arg(m_path), m_insert->lastError().text());
}

void OutboxStore::remove(const QString &clientId)
{
    if (!isOpen() || !begin())
        return;
    m_delete->bindValue(0, clientId);
    if (!m_delete->exec())
        fail(tr("cannot write to %1").arg(m_path), m_delete->lastError().text());
}

QSqlQuery *OutboxStore::statement(const QString &sql)
{
    if (!isOpen())
        return nullptr;
    auto it = m_statements.find(sql);
    if (it == m_statements.end()) {
        QSqlQuery q(QSqlDatabase::database(m_connection, false));
        if (!q.prepare(sql))
            return nullptr;
        it = m_statements.emplace(sql, std::move(q)).first;
    }
    return &it->second;
}

bool OutboxStore::begin()
{
    if (m_inTransaction)
        return true;
    QString error;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        if (!db.transaction())
            error = db.lastError().text();
    }
    if (!error.isEmpty()) {
        fail(tr("cannot write to %1").arg(m_path), error);
        return false;
    }
    m_inTransaction = true;
    QMetaObject::invokeMethod(
        this, [this] { commit(); }, Qt::QueuedConnection);
    return true;
}

bool OutboxStore::commit()
{
    if (!isOpen() || !m_inTransaction)
        return isOpen();
    m_inTransaction = false;
    QString error;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        if (!db.commit())
            error = db.lastError().text();
    }
    if (!error.isEmpty()) {
        fail(tr("cannot write to %1").arg(m_path), error);
        return false;
    }
    return true;
}

void OutboxStore::fail(const QString &what, const QString &error)
{
    m_error = QStringLiteral("%1: %2").arg(what, error);
    // After a failed statement SQLite may have ended the transaction itself; the rows are in
    // memory anyway. Nothing more goes to this file: one that missed a message but held later
    // ones would resend them out of order next time.
    if (m_inTransaction) {
        QSqlDatabase::database(m_connection, false).rollback();
        m_inTransaction = false;
    }
    const QString path = m_path;
    close();
    m_path = path;
    emit failed(m_error);
}
