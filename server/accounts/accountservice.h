#pragma once

#include "accounts/asyncaccountstore.h"
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
// accounts, changing passwords, devices and invites. Every call answers later, on this
// object's thread, through a callback: the store is asked on its own thread (AsyncAccountStore:
// with PostgreSQL each question is a round trip the relay must not wait for), and password
// hashes are made and checked on PasswordHasher's pool. It also watches the store for what
// another process did (the admin command line revoking a token or disabling an account, another
// node) and says so.
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

    AccountService(AsyncAccountStore *store, const Config &config, QObject *parent = nullptr);

    const AuthPolicy &policy() const { return m_config.policy; }

    // The account holding this name (NameRules::key); `failed` when the store could not say.
    using Found = std::function<void(const std::optional<Account> &account, bool failed)>;
    void accountByKey(const QString &nameKey, Found done);
    // Whether a guest may use a name: no account holds it (registered) or one like it
    // (confusable, by NameRules::skeleton).
    struct NameOwner
    {
        bool registered = false;
        bool confusable = false;
        bool failed = false;
    };
    void nameOwner(const QString &nameKey, const QString &skeleton,
                   std::function<void(const NameOwner &)> done);

    // Password sign-in. Errors: AuthFailed (name or password), AuthThrottled, Busy,
    // AccountDisabled, StoreFailed.
    void signIn(const QString &address, const QString &nameKey, const QString &password,
                const QString &device, qint64 nowMs, Done done);
    // Device-token sign-in (no hash). TokenInvalid, AccountDisabled, StoreFailed.
    void signInWithToken(const QString &address, const QString &nameKey, const QString &token,
                         qint64 nowMs, Done done);
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
    void devices(qint64 accountId, std::function<void(const QList<DeviceToken> &)> done);
    // Revokes one token or all but exceptTokenId; tokensRevoked comes first, then `done` with
    // how many (if given).
    void revoke(qint64 accountId, qint64 tokenId, qint64 exceptTokenId, qint64 nowMs,
                std::function<void(int)> done = {});
    // An invite code (shown once, only its hash is kept); empty on failure.
    void createInvite(qint64 byAccountId, int uses, int days, qint64 nowMs,
                      std::function<void(const QString &code, qint64 expiresMs)> done);

    // A live session's token counts as used (unused tokens expire after --token-days).
    void touchToken(qint64 tokenId, qint64 nowMs);
    // Guests' resume tokens (AccountStore::saveGuestSession), kept for guestSessionMs.
    void rememberGuest(const QString &session, const QString &identity, const QString &nameKey,
                       qint64 nowMs);
    // Takes (uses up) a guest's resume token: the identity it stood for, or empty.
    void guestIdentity(const QString &session, const QString &nameKey, qint64 nowMs,
                       std::function<void(const QString &identity)> done);

    static bool passwordAcceptable(const QString &password);
    LoginThrottle &throttle() { return m_throttle; }

signals:
    void tokensRevoked(qint64 accountId, const QList<qint64> &tokenIds);
    void accountDisabled(qint64 accountId);

private:
    void pollEvents();
    void failed(const QString &address, const QString &nameKey, qint64 nowMs);
    // `work` on the store's thread, `done` here.
    template <typename Result>
    void ask(std::function<Result(AccountStore &)> work, std::function<void(Result)> done)
    {
        m_store->ask<Result>(this, std::move(work), std::move(done));
    }

    AsyncAccountStore *m_store;
    Config m_config;
    PasswordHasher m_hasher;
    LoginThrottle m_throttle;
    QTimer m_poll;
    qint64 m_lastEventId = -1; // until the store said where its events end
    qint64 m_lastExpiryMs = 0;
    bool m_polling = false;
    QHash<QString, std::deque<qint64>> m_registrations; // by address: times in the last hour
};
