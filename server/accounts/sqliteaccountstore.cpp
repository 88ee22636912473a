#include "sqliteaccountstore.h"

#include "sqlquery.h"

#include <QAtomicInt>
#include <QSqlError>
#include <QVariant>

namespace {

constexpr const char *kSchema[] = {
    "CREATE TABLE IF NOT EXISTS accounts ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " name_key TEXT NOT NULL UNIQUE,"
    " skeleton TEXT NOT NULL,"
    " password_hash TEXT NOT NULL,"
    " admin INTEGER NOT NULL DEFAULT 0,"
    " disabled INTEGER NOT NULL DEFAULT 0,"
    " created INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS accounts_skeleton ON accounts(skeleton)",
    // Only the hash of a token is kept: a copy of the file does not sign anyone in.
    "CREATE TABLE IF NOT EXISTS tokens ("
    " id INTEGER PRIMARY KEY,"
    " account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
    " token_hash TEXT NOT NULL UNIQUE,"
    " label TEXT NOT NULL,"
    " created INTEGER NOT NULL,"
    " last_used INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS tokens_account ON tokens(account_id)",
    "CREATE INDEX IF NOT EXISTS tokens_last_used ON tokens(last_used)",
    "CREATE TABLE IF NOT EXISTS invites ("
    " code_hash TEXT PRIMARY KEY,"
    " created_by INTEGER,"
    " created INTEGER NOT NULL,"
    " expires INTEGER NOT NULL,"
    " uses_left INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS guest_sessions ("
    " session_hash TEXT PRIMARY KEY,"
    " identity TEXT NOT NULL,"
    " name_key TEXT NOT NULL,"
    " expires INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS guest_sessions_expires ON guest_sessions(expires)",
    "CREATE TABLE IF NOT EXISTS account_events ("
    " id INTEGER PRIMARY KEY,"
    " kind INTEGER NOT NULL,"
    " account_id INTEGER NOT NULL,"
    " token_id INTEGER NOT NULL DEFAULT 0,"
    " ts INTEGER NOT NULL)",
};

Account readAccount(const QSqlQuery &q)
{
    Account a;
    a.id = q.value(0).toLongLong();
    a.name = q.value(1).toString();
    a.nameKey = q.value(2).toString();
    a.skeleton = q.value(3).toString();
    a.passwordHash = q.value(4).toString();
    a.admin = q.value(5).toBool();
    a.disabled = q.value(6).toBool();
    a.createdMs = q.value(7).toLongLong();
    return a;
}

constexpr const char *kAccountColumns =
    "SELECT id, name, name_key, skeleton, password_hash, admin, disabled, created FROM accounts";

} // namespace

bool SqliteAccountStore::run(QSqlQuery &q, const QString &sql, const QVariantList &args)
{
    m_lastError.clear();
    return runSql(q, sql, args, &m_lastError);
}

SqliteAccountStore::SqliteAccountStore(const QString &path, bool fullSync)
    : m_path(path), m_fullSync(fullSync)
{}

SqliteAccountStore::~SqliteAccountStore()
{
    if (m_connection.isEmpty())
        return;
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connection);
}

bool SqliteAccountStore::open(QString *error)
{
    if (!m_path.isEmpty() && m_connection.isEmpty()) {
        static QAtomicInt counter;
        m_connection = QStringLiteral("confab-accounts-%1").arg(counter.fetchAndAddRelaxed(1));
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
        m_db.setDatabaseName(m_path);
        // The message store's thread commits a batch in milliseconds; wait for it rather
        // than fail.
        m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        QSqlQuery q(m_db);
        if (!m_db.open() ||
            !q.exec(m_fullSync ? QStringLiteral("PRAGMA synchronous=FULL")
                               : QStringLiteral("PRAGMA synchronous=NORMAL")) ||
            !q.exec(QStringLiteral("PRAGMA foreign_keys=ON")) ||
            // Checkpoints are SqliteUpkeep's, never inside a commit on the relay's thread.
            !q.exec(QStringLiteral("PRAGMA wal_autocheckpoint=0"))) {
            m_lastError = m_db.lastError().text() + q.lastError().text();
            if (error)
                *error = QStringLiteral("cannot open %1: %2").arg(m_path, m_lastError);
            return false;
        }
    }
    for (const char *sql : kSchema) {
        QSqlQuery q(m_db);
        if (!q.exec(QLatin1String(sql))) {
            m_lastError = q.lastError().text();
            if (error)
                *error = QStringLiteral("cannot create the account tables in %1: %2")
                             .arg(m_db.databaseName(), m_lastError);
            return false;
        }
    }
    return true;
}

std::optional<Account> SqliteAccountStore::findAccount(const QString &where, const QVariant &value)
{
    QSqlQuery q(m_db);
    if (!run(q,
             QLatin1String(kAccountColumns) + QStringLiteral(" WHERE ") + where +
                 QStringLiteral(" LIMIT 1"),
             {value}) ||
        !q.next())
        return std::nullopt;
    return readAccount(q);
}

std::optional<Account> SqliteAccountStore::findByKey(const QString &nameKey)
{
    return findAccount(QStringLiteral("name_key = ?"), nameKey);
}

std::optional<Account> SqliteAccountStore::findById(qint64 id)
{
    return findAccount(QStringLiteral("id = ?"), id);
}

std::optional<Account> SqliteAccountStore::findBySkeleton(const QString &skeleton)
{
    return findAccount(QStringLiteral("skeleton = ?"), skeleton);
}

QList<Account> SqliteAccountStore::accounts()
{
    QList<Account> result;
    QSqlQuery q(m_db);
    if (run(q, QLatin1String(kAccountColumns) + QStringLiteral(" ORDER BY name_key"), {})) {
        while (q.next())
            result.append(readAccount(q));
    }
    return result;
}

qint64 SqliteAccountStore::createAccount(const Account &a)
{
    QSqlQuery q(m_db);
    if (!run(q,
             QStringLiteral("INSERT INTO accounts (name, name_key, skeleton, password_hash, admin,"
                            " disabled, created) VALUES (?, ?, ?, ?, ?, 0, ?)"
                            " ON CONFLICT(name_key) DO NOTHING"),
             {a.name, a.nameKey, a.skeleton, a.passwordHash, a.admin ? 1 : 0, a.createdMs}))
        return 0;
    return q.numRowsAffected() == 1 ? q.lastInsertId().toLongLong() : 0;
}

bool SqliteAccountStore::setPasswordHash(qint64 accountId, const QString &hash)
{
    QSqlQuery q(m_db);
    return run(q, QStringLiteral("UPDATE accounts SET password_hash = ? WHERE id = ?"),
               {hash, accountId}) &&
           q.numRowsAffected() == 1;
}

bool SqliteAccountStore::setDisabled(qint64 accountId, bool disabled, qint64 nowMs)
{
    QSqlQuery q(m_db);
    if (!run(q, QStringLiteral("UPDATE accounts SET disabled = ? WHERE id = ?"),
             {disabled ? 1 : 0, accountId}) ||
        q.numRowsAffected() != 1)
        return false;
    return !disabled || addEvent(AccountEvent::Kind::AccountDisabled, accountId, 0, nowMs);
}

int SqliteAccountStore::accountCount()
{
    QSqlQuery q(m_db);
    if (!run(q, QStringLiteral("SELECT COUNT(*) FROM accounts"), {}) || !q.next())
        return 0;
    return q.value(0).toInt();
}

qint64 SqliteAccountStore::addToken(qint64 accountId, const QString &tokenHash,
                                    const QString &label, qint64 nowMs)
{
    QSqlQuery q(m_db);
    if (!run(q,
             QStringLiteral("INSERT INTO tokens (account_id, token_hash, label, created, "
                            "last_used) VALUES (?, ?, ?, ?, ?)"),
             {accountId, tokenHash, label, nowMs, nowMs}))
        return 0;
    return q.lastInsertId().toLongLong();
}

std::optional<DeviceToken> SqliteAccountStore::findToken(const QString &tokenHash)
{
    QSqlQuery q(m_db);
    if (!run(q,
             QStringLiteral("SELECT id, account_id, label, created, last_used FROM tokens"
                            " WHERE token_hash = ?"),
             {tokenHash}) ||
        !q.next())
        return std::nullopt;
    return DeviceToken{q.value(0).toLongLong(), q.value(1).toLongLong(), q.value(2).toString(),
                       q.value(3).toLongLong(), q.value(4).toLongLong()};
}

bool SqliteAccountStore::touchToken(qint64 tokenId, qint64 nowMs)
{
    QSqlQuery q(m_db);
    return run(q, QStringLiteral("UPDATE tokens SET last_used = ? WHERE id = ?"), {nowMs, tokenId});
}

QList<DeviceToken> SqliteAccountStore::tokens(qint64 accountId)
{
    QList<DeviceToken> result;
    QSqlQuery q(m_db);
    if (run(q,
            QStringLiteral("SELECT id, account_id, label, created, last_used FROM tokens"
                           " WHERE account_id = ? ORDER BY last_used DESC"),
            {accountId})) {
        while (q.next())
            result.append(DeviceToken{q.value(0).toLongLong(), q.value(1).toLongLong(),
                                      q.value(2).toString(), q.value(3).toLongLong(),
                                      q.value(4).toLongLong()});
    }
    return result;
}

QList<qint64> SqliteAccountStore::revokeTokens(qint64 accountId, qint64 tokenId,
                                               qint64 exceptTokenId, qint64 nowMs)
{
    QList<qint64> ids;
    for (const DeviceToken &t : tokens(accountId)) {
        if (tokenId > 0 ? t.id == tokenId : t.id != exceptTokenId)
            ids.append(t.id);
    }
    if (!m_lastError.isEmpty())
        return {};
    QList<qint64> revoked;
    for (qint64 id : ids) {
        QSqlQuery q(m_db);
        if (!run(q, QStringLiteral("DELETE FROM tokens WHERE id = ? AND account_id = ?"),
                 {id, accountId}))
            break;
        if (q.numRowsAffected() == 1 &&
            addEvent(AccountEvent::Kind::TokenRevoked, accountId, id, nowMs))
            revoked.append(id);
    }
    return revoked;
}

int SqliteAccountStore::expireTokens(qint64 unusedBeforeMs)
{
    QSqlQuery q(m_db);
    if (!run(q, QStringLiteral("DELETE FROM tokens WHERE last_used < ?"), {unusedBeforeMs}))
        return 0;
    return q.numRowsAffected();
}

bool SqliteAccountStore::addInvite(const QString &codeHash, qint64 createdBy, qint64 nowMs,
                                   qint64 expiresMs, int uses)
{
    QSqlQuery q(m_db);
    return run(
        q,
        QStringLiteral("INSERT INTO invites (code_hash, created_by, created, expires, "
                       "uses_left) VALUES (?, ?, ?, ?, ?)"),
        {codeHash, createdBy > 0 ? QVariant(createdBy) : QVariant(), nowMs, expiresMs, uses});
}

bool SqliteAccountStore::inviteUsable(const QString &codeHash, qint64 nowMs)
{
    QSqlQuery q(m_db);
    return run(q,
               QStringLiteral("SELECT 1 FROM invites WHERE code_hash = ? AND uses_left > 0 AND"
                              " expires > ?"),
               {codeHash, nowMs}) &&
           q.next();
}

bool SqliteAccountStore::consumeInvite(const QString &codeHash, qint64 nowMs)
{
    QSqlQuery q(m_db);
    return run(q,
               QStringLiteral("UPDATE invites SET uses_left = uses_left - 1 WHERE code_hash = ?"
                              " AND uses_left > 0 AND expires > ?"),
               {codeHash, nowMs}) &&
           q.numRowsAffected() == 1;
}

bool SqliteAccountStore::saveGuestSession(const QString &sessionHash, const QString &identity,
                                          const QString &nameKey, qint64 expiresMs)
{
    QSqlQuery q(m_db);
    return run(q,
               QStringLiteral("INSERT OR REPLACE INTO guest_sessions (session_hash, identity,"
                              " name_key, expires) VALUES (?, ?, ?, ?)"),
               {sessionHash, identity, nameKey, expiresMs});
}

QString SqliteAccountStore::takeGuestSession(const QString &sessionHash, const QString &nameKey,
                                             qint64 nowMs)
{
    QSqlQuery q(m_db);
    if (!run(q,
             QStringLiteral("SELECT identity, name_key, expires FROM guest_sessions"
                            " WHERE session_hash = ?"),
             {sessionHash}) ||
        !q.next())
        return {};
    const QString identity = q.value(0).toString();
    const bool valid = q.value(1).toString() == nameKey && q.value(2).toLongLong() > nowMs;
    q.finish();
    QSqlQuery d(m_db);
    run(d, QStringLiteral("DELETE FROM guest_sessions WHERE session_hash = ?"), {sessionHash});
    return valid ? identity : QString();
}

void SqliteAccountStore::pruneGuestSessions(qint64 nowMs)
{
    QSqlQuery q(m_db);
    run(q, QStringLiteral("DELETE FROM guest_sessions WHERE expires <= ?"), {nowMs});
}

bool SqliteAccountStore::addEvent(AccountEvent::Kind kind, qint64 accountId, qint64 tokenId,
                                  qint64 nowMs)
{
    QSqlQuery q(m_db);
    return run(q,
               QStringLiteral("INSERT INTO account_events (kind, account_id, token_id, ts) VALUES"
                              " (?, ?, ?, ?)"),
               {int(kind), accountId, tokenId, nowMs});
}

QList<AccountEvent> SqliteAccountStore::eventsAfter(qint64 eventId, int limit)
{
    QList<AccountEvent> result;
    QSqlQuery q(m_db);
    if (run(q,
            QStringLiteral("SELECT id, kind, account_id, token_id FROM account_events WHERE id > ?"
                           " ORDER BY id LIMIT ?"),
            {eventId, limit})) {
        while (q.next())
            result.append(AccountEvent{q.value(0).toLongLong(),
                                       AccountEvent::Kind(q.value(1).toInt()),
                                       q.value(2).toLongLong(), q.value(3).toLongLong()});
    }
    return result;
}

qint64 SqliteAccountStore::lastEventId()
{
    QSqlQuery q(m_db);
    if (!run(q, QStringLiteral("SELECT COALESCE(MAX(id), 0) FROM account_events"), {}) || !q.next())
        return 0;
    return q.value(0).toLongLong();
}

void SqliteAccountStore::pruneEvents(qint64 olderThanMs)
{
    QSqlQuery q(m_db);
    run(q, QStringLiteral("DELETE FROM account_events WHERE ts < ?"), {olderThanMs});
}
