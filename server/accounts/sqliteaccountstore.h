#pragma once

#include "accountstore.h"

#include <QSqlDatabase>
#include <QSqlQuery>

// AccountStore on the history's SQLite file. Tables: accounts, tokens, invites,
// account_events (docs/architecture.md).
//
// Either through a connection it is given (SqliteMessageStore::database(), for the admin
// command: one thread, one connection, so the two never wait for each other's transactions),
// or through a connection of its own to the file (the server, whose message store runs on a
// thread of its own): then a write waits at most a moment for the store's commit.
class SqliteAccountStore : public AccountStore
{
public:
    explicit SqliteAccountStore(const QSqlDatabase &db) : m_db(db) {}
    SqliteAccountStore(const QString &path, bool fullSync);
    ~SqliteAccountStore() override;

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

private:
    // Runs `sql` with positional `args`; false (and lastError) on failure.
    bool run(QSqlQuery &q, const QString &sql, const QVariantList &args);
    std::optional<Account> findAccount(const QString &where, const QVariant &value);
    bool addEvent(AccountEvent::Kind kind, qint64 accountId, qint64 tokenId, qint64 nowMs);

    QSqlDatabase m_db;
    QString m_lastError;
    QString m_path;       // with a connection of its own: the file,
    QString m_connection; // and the connection's name
    bool m_fullSync = false;
};
