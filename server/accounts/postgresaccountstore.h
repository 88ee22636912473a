#pragma once

#include "accountstore.h"
#include "postgresurl.h"

#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>

#include <functional>

// AccountStore in the PostgreSQL database of the history (PostgresMessageStore), so that
// every server process on that database knows the same accounts, device tokens, invites and
// guest resume sessions: an identity "a5" or "g..." then means one person on every node, and
// so does the private history that belongs to it. Tables accounts, tokens, invites,
// guest_sessions and account_events, beside the history's (docs/architecture.md).
//
// The same answers as SqliteAccountStore, also when several processes call at once: a name
// (key) goes to one account (the other createAccount returns 0 with no error), an invite's
// last use and a guest session are taken once, and account_events ids grow in commit order
// (every event insert takes an advisory lock), so a node reading events after id n misses
// none. Unlike SQLite's, createAccount also refuses (0, no error) a name whose confusable
// skeleton belongs to another account: AccountService checks that first, but between two
// processes only the database can.
//
// Known cost: calls are synchronous on the thread that opened the store (the server's main
// thread), one round trip or more per call, each bounded by a statement timeout (5 s by
// default). Moving them to a thread of their own is future work. The connection is the
// store's own (its own connection name). When it is lost, the call finds out, connects again
// and tries once more; while the database cannot be reached, calls fail at once for a couple
// of seconds rather than each waiting for a connection attempt.
//
// The schema has its own version table (account_schema_version), upgraded by open() under an
// advisory lock, independently of the history's schema_version. Error texts never contain
// the password.
class PostgresAccountStore : public AccountStore
{
public:
    static constexpr int kDefaultStatementTimeoutMs = 5000;

    explicit PostgresAccountStore(const PostgresUrl &url,
                                  int statementTimeoutMs = kDefaultStatementTimeoutMs);
    ~PostgresAccountStore() override;

    bool open(QString *error) override;

    std::optional<Account> findByKey(const QString &nameKey) override;
    std::optional<Account> findById(qint64 id) override;
    std::optional<Account> findBySkeleton(const QString &skeleton) override;
    QList<Account> accounts() override;
    qint64 createAccount(const Account &account) override;
    bool setPasswordHash(qint64 accountId, const QString &hash) override;
    bool setDisabled(qint64 accountId, bool disabled, qint64 nowMs) override;
    int accountCount() override;

    qint64 addToken(qint64 accountId, const QString &tokenHash, const QString &label,
                    qint64 nowMs) override;
    std::optional<DeviceToken> findToken(const QString &tokenHash) override;
    bool touchToken(qint64 tokenId, qint64 nowMs) override;
    QList<DeviceToken> tokens(qint64 accountId) override;
    QList<qint64> revokeTokens(qint64 accountId, qint64 tokenId, qint64 exceptTokenId,
                               qint64 nowMs) override;
    int expireTokens(qint64 unusedBeforeMs) override;

    bool addInvite(const QString &codeHash, qint64 createdBy, qint64 nowMs, qint64 expiresMs,
                   int uses) override;
    bool inviteUsable(const QString &codeHash, qint64 nowMs) override;
    bool consumeInvite(const QString &codeHash, qint64 nowMs) override;

    bool saveGuestSession(const QString &sessionHash, const QString &identity,
                          const QString &nameKey, qint64 expiresMs) override;
    QString takeGuestSession(const QString &sessionHash, const QString &nameKey,
                             qint64 nowMs) override;
    void pruneGuestSessions(qint64 nowMs) override;

    QList<AccountEvent> eventsAfter(qint64 eventId, int limit) override;
    qint64 lastEventId() override;
    void pruneEvents(qint64 olderThanMs) override;

    QString lastError() const override { return m_lastError; }

    // The schema version this code creates (account_schema_version's highest row).
    static int schemaVersion();

    // One of the store's statements (the table in the .cpp): PREPAREd on a connection the
    // first time it is used there.
    struct Statement
    {
        const char *name;
        const char *types; // the parameters' types, "(text, bigint)"; "" for none
        const char *sql;
    };

private:
    // Runs `body` (false, with lastError(), on failure) after connecting if need be; when it
    // failed because the connection was lost, once more on a new connection. `body` must
    // start from scratch each time (it may run twice).
    bool call(const std::function<bool()> &body);
    // EXECUTE `statement` with `args`; false (and lastError) on failure.
    bool execute(QSqlQuery &q, const Statement &statement, const QVariantList &args);
    bool exec(const QString &sql); // a statement without results
    // BEGIN, `body`, COMMIT; ROLLBACK when `body` fails. With `eventLock`, the lock that keeps
    // account_events ids in commit order, taken first.
    bool transaction(bool eventLock, const std::function<bool()> &body);
    QString literals(const QVariantList &args) const;
    bool connect(QString *error);
    void disconnect();
    bool migrate();
    bool connectionAlive();
    std::optional<Account> findAccount(const Statement &statement, const QVariant &value);

    PostgresUrl m_url;
    int m_statementTimeoutMs;
    QString m_connectionName;
    QSqlDatabase m_db;
    bool m_connected = false;
    bool m_opened = false;    // open() succeeded once: connecting again is allowed
    qint64 m_retryAtMs = 0;   // after a failed connection attempt, none before this time
    QString m_connectError;   // and why it failed
    QSet<QString> m_prepared; // statement names PREPAREd on this connection
    QString m_lastError;
};
