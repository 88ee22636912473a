#pragma once

#include <QList>
#include <QString>

#include <optional>

struct Account
{
    qint64 id = 0;
    QString name;     // as registered (NFC)
    QString nameKey;  // NameRules::key: unique
    QString skeleton; // NameRules::skeleton: look-alikes share it
    QString passwordHash;
    bool admin = false;
    bool disabled = false;
    qint64 createdMs = 0;
};

struct DeviceToken
{
    qint64 id = 0;
    qint64 accountId = 0;
    QString label;
    qint64 createdMs = 0;
    qint64 lastUsedMs = 0;
};

// Something another process (the admin command line) or another node did to an account,
// which the running server must act on: end a revoked token's session, a disabled account's.
struct AccountEvent
{
    enum class Kind { TokenRevoked = 1, AccountDisabled = 2 };
    qint64 id = 0;
    Kind kind = Kind::TokenRevoked;
    qint64 accountId = 0;
    qint64 tokenId = 0; // TokenRevoked
};

// Where accounts, device tokens, invites and guest sessions are kept: beside the history,
// in its SQLite file (SqliteAccountStore) or its PostgreSQL database (PostgresAccountStore),
// same schema. Calls are synchronous and short (indexed lookups; with PostgreSQL a round trip
// each); password hashing never happens here.
// A call that fails sets lastError(); "not found" is not a failure.
class AccountStore
{
public:
    virtual ~AccountStore() = default;

    virtual bool open(QString *error) = 0;

    virtual std::optional<Account> findByKey(const QString &nameKey) = 0;
    virtual std::optional<Account> findById(qint64 id) = 0;
    // Any account whose name has this confusable skeleton.
    virtual std::optional<Account> findBySkeleton(const QString &skeleton) = 0;
    virtual QList<Account> accounts() = 0;
    // The new account's id; 0 when the name (key) is taken or the store failed.
    virtual qint64 createAccount(const Account &account) = 0;
    virtual bool setPasswordHash(qint64 accountId, const QString &hash) = 0;
    virtual bool setDisabled(qint64 accountId, bool disabled, qint64 nowMs) = 0;
    virtual int accountCount() = 0;

    virtual qint64 addToken(qint64 accountId, const QString &tokenHash, const QString &label,
                            qint64 nowMs) = 0;
    virtual std::optional<DeviceToken> findToken(const QString &tokenHash) = 0;
    virtual bool touchToken(qint64 tokenId, qint64 nowMs) = 0;
    virtual QList<DeviceToken> tokens(qint64 accountId) = 0;
    // Revokes one token (tokenId > 0) or all but exceptTokenId (tokenId == 0); records an event
    // per token so that running servers end their sessions. Returns the revoked ids.
    virtual QList<qint64> revokeTokens(qint64 accountId, qint64 tokenId, qint64 exceptTokenId,
                                       qint64 nowMs) = 0;
    // Deletes tokens unused since `unusedBeforeMs`; returns how many.
    virtual int expireTokens(qint64 unusedBeforeMs) = 0;

    virtual bool addInvite(const QString &codeHash, qint64 createdBy, qint64 nowMs,
                           qint64 expiresMs, int uses) = 0;
    virtual bool inviteUsable(const QString &codeHash, qint64 nowMs) = 0;
    // Takes one use; false when the code is unknown, used up or expired.
    virtual bool consumeInvite(const QString &codeHash, qint64 nowMs) = 0;

    // A guest's resume token (its hash) and who it was, so that a guest who comes back with it
    // (also after a server restart) keeps its private history and its resends are recognised.
    virtual bool saveGuestSession(const QString &sessionHash, const QString &identity,
                                  const QString &nameKey, qint64 expiresMs) = 0;
    // The identity for this resume token and name, once (the row goes); "" when none.
    virtual QString takeGuestSession(const QString &sessionHash, const QString &nameKey,
                                     qint64 nowMs) = 0;
    virtual void pruneGuestSessions(qint64 nowMs) = 0;

    virtual QList<AccountEvent> eventsAfter(qint64 eventId, int limit) = 0;
    virtual qint64 lastEventId() = 0;
    virtual void pruneEvents(qint64 olderThanMs) = 0;

    virtual QString lastError() const = 0;
};
