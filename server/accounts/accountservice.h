#pragma once

#include "accounts/accountstore.h"
#include "accounts/loginthrottle.h"
#include "accounts/passwordhasher.h"
#include "protocol/authpolicy.h"
#include "protocol/errorcode.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <deque>

#include <functional>

// Accounts as the relay uses them: signing in with a password or a device token, making
// accounts, changing passwords, devices and invites. Password hashes are made and checked on
// PasswordHasher's pool, so these calls answer later (on this object's thread) through a
// callback; everything else answers at once. It also watches the store for what another
// process did (the admin command line revoking a token or disabling an account) and says so.
//
// It knows accounts, not connections: whether a name is online, or looks like an online name,
// is the relay's business.
class AccountService : public QObject
{
    Q_OBJECT
public:
    struct Config
    {
        AuthPolicy policy;
        int tokenDays = 90;
        int hashThreads = 1;
        int hashQueue = 16;
        PasswordHasher::Cost cost = PasswordHasher::Cost::interactive();
        LoginThrottle::Policy throttle;
        int eventPollMs = 1000;
        qint64 guestSessionMs = 24LL * 3600 * 1000;
        int registrationsPerHour = 5; // per address: each new account costs a hash and a row
    };

    struct Outcome
    {
        ErrorCode error = ErrorCode::None;
        qint64 retryAfterMs = 0; // AuthThrottled, Busy
        Account account;
        QString newToken; // a device token made by this sign-in
        qint64 tokenId = 0;
        int revoked = 0; // changePassword: the other devices signed out
    };
    using Done = std::function<void(const Outcome &)>;
    static Outcome failure(ErrorCode code, qint64 retryAfterMs = 0);

    AccountService(AccountStore *store, const Config &config, QObject *parent = nullptr);

    const AuthPolicy &policy() const { return m_config.policy; }
    AccountStore *store() const { return m_store; }

    // The account holding this name (NameRules::key) or one that looks like it (skeleton).
    std::optional<Account> accountByKey(const QString &nameKey);
    std::optional<Account> accountBySkeleton(const QString &skeleton);

    // Password sign-in. Errors: AuthFailed (name or password), AuthThrottled, Busy,
    // AccountDisabled, StoreFailed.
    void signIn(const QString &address, const QString &nameKey, const QString &password,
                const QString &device, qint64 nowMs, Done done);
    // Device-token sign-in, answered at once (no hash). TokenInvalid, AccountDisabled.
    Outcome signInWithToken(const QString &address, const QString &nameKey, const QString &token,
                            qint64 nowMs);
    // A new account, signed in. The caller has checked the name against online users.
    // Errors: RegistrationClosed, InviteRequired, InviteInvalid, NameRegistered,
    // NameConfusable, WeakPassword, Busy, AuthThrottled, StoreFailed.
    void registerAccount(const QString &address, const QString &name, const QString &nameKey,
                         const QString &skeleton, const QString &password, const QString &invite,
                         const QString &device, qint64 nowMs, Done done);
    // Checks the old password, sets the new one and revokes every token but keepTokenId.
    // Outcome.account is the account; the revoked token ids come through tokensRevoked.
    void changePassword(const QString &address, qint64 accountId, qint64 keepTokenId,
                        const QString &oldPassword, const QString &newPassword, qint64 nowMs,
                        Done done);
    QList<DeviceToken> devices(qint64 accountId);
    // Revokes one token or all but exceptTokenId; tokensRevoked follows. Returns how many.
    int revoke(qint64 accountId, qint64 tokenId, qint64 exceptTokenId, qint64 nowMs);
    // An invite code (shown once, only its hash is kept); empty on failure.
    QString createInvite(qint64 byAccountId, int uses, int days, qint64 nowMs, qint64 *expiresMs);

    // A live session's token counts as used (unused tokens expire after --token-days).
    void touchToken(qint64 tokenId, qint64 nowMs);
    // Guests' resume tokens (AccountStore::saveGuestSession), kept for guestSessionMs.
    void rememberGuest(const QString &session, const QString &identity, const QString &nameKey,
                       qint64 nowMs);
    QString guestIdentity(const QString &session, const QString &nameKey, qint64 nowMs);

    static bool passwordAcceptable(const QString &password);
    // Called before every write: the relay commits its open batch of messages first, since the
    // account tables share its SQLite connection and a write would otherwise join the batch.
    void setBeforeWrite(std::function<void()> beforeWrite)
    {
        m_beforeWrite = std::move(beforeWrite);
    }
    LoginThrottle &throttle() { return m_throttle; }

signals:
    void tokensRevoked(qint64 accountId, const QList<qint64> &tokenIds);
    void accountDisabled(qint64 accountId);

private:
    void pollEvents();
    Outcome issueToken(const Account &account, const QString &device, qint64 nowMs);
    void failed(const QString &address, const QString &nameKey, qint64 nowMs);
    void beforeWrite()
    {
        if (m_beforeWrite)
            m_beforeWrite();
    }

    AccountStore *m_store;
    Config m_config;
    PasswordHasher m_hasher;
    LoginThrottle m_throttle;
    QTimer m_poll;
    qint64 m_lastEventId = 0;
    qint64 m_lastExpiryMs = 0;
    std::function<void()> m_beforeWrite;
    QHash<QString, std::deque<qint64>> m_registrations; // by address: times in the last hour
};
