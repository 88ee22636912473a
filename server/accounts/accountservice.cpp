#include "accounts/accountservice.h"

#include "accounts/secrettoken.h"

#include <QDateTime>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcAccounts, "confab.accounts")

namespace {

constexpr qint64 kDayMs = 24LL * 3600 * 1000;

QString deviceLabel(const QString &device)
{
    return device.trimmed().isEmpty() ? QStringLiteral("unnamed device") : device.trimmed();
}

} // namespace

AccountService::Outcome AccountService::failure(ErrorCode code, qint64 retryAfterMs)
{
    Outcome out;
    out.error = code;
    out.retryAfterMs = retryAfterMs;
    return out;
}

AccountService::AccountService(AccountStore *store, const Config &config, QObject *parent)
    : QObject(parent), m_store(store), m_config(config),
      m_hasher(config.hashThreads, config.hashQueue, config.cost), m_throttle(config.throttle)
{
    m_lastEventId = m_store->lastEventId();
    m_poll.setInterval(m_config.eventPollMs);
    connect(&m_poll, &QTimer::timeout, this, &AccountService::pollEvents);
    m_poll.start();
}

std::optional<Account> AccountService::accountByKey(const QString &nameKey)
{
    return m_store->findByKey(nameKey);
}

std::optional<Account> AccountService::accountBySkeleton(const QString &skeleton)
{
    return m_store->findBySkeleton(skeleton);
}

bool AccountService::passwordAcceptable(const QString &password)
{
    // Characters, not UTF-16 units: a password of emoji counts what the user typed.
    return password.toUcs4().size() >= AuthPolicy::kMinPasswordChars &&
           password.size() <= AuthPolicy::kMaxPasswordChars;
}

void AccountService::failed(const QString &address, const QString &nameKey, qint64 nowMs)
{
    m_throttle.recordFailure(address, nameKey, nowMs);
    // Every failure is logged with its address (fail2ban and the like can act on this line).
    qCWarning(lcAccounts).noquote() << "failed sign-in for" << nameKey << "from" << address;
}

AccountService::Outcome AccountService::issueToken(const Account &account, const QString &device,
                                                   qint64 nowMs)
{
    beforeWrite();
    Outcome out;
    out.account = account;
    out.newToken = SecretToken::newToken();
    out.tokenId =
        m_store->addToken(account.id, SecretToken::hash(out.newToken), deviceLabel(device), nowMs);
    if (out.tokenId == 0) {
        qCWarning(lcAccounts).noquote() << "cannot store a device token:" << m_store->lastError();
        return failure(ErrorCode::StoreFailed);
    }
    return out;
}

void AccountService::signIn(const QString &address, const QString &nameKey, const QString &password,
                            const QString &device, qint64 nowMs, Done done)
{
    if (const qint64 wait = m_throttle.retryAfterMs(address, nameKey, nowMs); wait > 0) {
        done(failure(ErrorCode::AuthThrottled, wait));
        return;
    }
    const std::optional<Account> account = m_store->findByKey(nameKey);
    if (!account && !m_store->lastError().isEmpty()) {
        done(failure(ErrorCode::StoreFailed));
        return;
    }
    // A name without an account is checked against a dummy hash: it takes as long and ends
    // with the same error, so the answer does not tell which names exist.
    const QString hash = account ? account->passwordHash : QString();
    const qint64 id = account ? account->id : 0;
    const bool queued = m_hasher.verify(
        hash, password,
        [this, address, nameKey, device, id, password, done](bool ok, bool needsRehash) {
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            if (!ok) {
                failed(address, nameKey, now);
                done(failure(ErrorCode::AuthFailed));
                return;
            }
            const std::optional<Account> current = m_store->findById(id);
            if (!current) {
                done(failure(ErrorCode::AuthFailed)); // deleted meanwhile
                return;
            }
            m_throttle.recordSuccess(nameKey);
            if (current->disabled) {
                done(failure(ErrorCode::AccountDisabled));
                return;
            }
            if (needsRehash) {
                // The hashing parameters went up since this hash was made: store a new one,
                // on the pool, when there is room (nothing waits for it).
                m_hasher.hash(password, [this, id](const QString &fresh) {
                    beforeWrite();
                    if (!fresh.isEmpty())
                        m_store->setPasswordHash(id, fresh);
                });
            }
            done(issueToken(*current, device, now));
        });
    if (!queued) {
        done(failure(ErrorCode::Busy, 1000));
    }
}

AccountService::Outcome AccountService::signInWithToken(const QString &address,
                                                        const QString &nameKey,
                                                        const QString &token, qint64 nowMs)
{
    // No throttle: tokens (256 random bits) cannot be guessed, so failures teach nothing, and
    // someone who locks a name or an address by guessing passwords must not lock out the
    // owner's devices too. A lookup costs an index probe; the message rate bounds them.
    const std::optional<DeviceToken> t = m_store->findToken(SecretToken::hash(token));
    if (!t) {
        if (!m_store->lastError().isEmpty())
            return failure(ErrorCode::StoreFailed);
        qCInfo(lcAccounts).noquote() << "unknown device token for" << nameKey << "from" << address;
        return failure(ErrorCode::TokenInvalid);
    }
    const std::optional<Account> account = m_store->findById(t->accountId);
    if (!account || account->nameKey != nameKey ||
        t->lastUsedMs < nowMs - qint64(m_config.tokenDays) * kDayMs) {
        qCInfo(lcAccounts).noquote()
            << "expired or foreign device token for" << nameKey << "from" << address;
        return failure(ErrorCode::TokenInvalid);
    }
    if (account->disabled)
        return failure(ErrorCode::AccountDisabled);
    beforeWrite();
    m_store->touchToken(t->id, nowMs);
    Outcome out;
    out.account = *account;
    out.tokenId = t->id;
    return out;
}

void AccountService::registerAccount(const QString &address, const QString &name,
                                     const QString &nameKey, const QString &skeleton,
                                     const QString &password, const QString &invite,
                                     const QString &device, qint64 nowMs, Done done)
{
    using R = AuthPolicy::Registration;
    if (m_config.policy.registration == R::Closed) {
        done(failure(ErrorCode::RegistrationClosed));
        return;
    }
    // Registrations cost a hash too: the same throttle as sign-ins, by address.
    if (const qint64 wait = m_throttle.retryAfterMs(address, nameKey, nowMs); wait > 0) {
        done(failure(ErrorCode::AuthThrottled, wait));
        return;
    }
    // Each address may make a few accounts an hour: with open registration, accounts would
    // otherwise be a way around the per-address limits (each has its own).
    {
        constexpr qint64 kHourMs = 3600 * 1000;
        if (m_registrations.size() > 100000)
            m_registrations.clear(); // bounded; forgetting them all errs on the lenient side
        std::deque<qint64> &times = m_registrations[address];
        while (!times.empty() && times.front() < nowMs - kHourMs)
            times.pop_front();
        if (int(times.size()) >= m_config.registrationsPerHour) {
            done(failure(ErrorCode::AuthThrottled, times.front() + kHourMs - nowMs));
            return;
        }
    }
    const QString inviteHash = invite.isEmpty() ? QString() : SecretToken::inviteHash(invite);
    if (m_config.policy.registration == R::Invite) {
        if (invite.isEmpty()) {
            done(failure(ErrorCode::InviteRequired));
            return;
        }
        if (!m_store->inviteUsable(inviteHash, nowMs)) {
            failed(address, nameKey, nowMs);
            done(failure(ErrorCode::InviteInvalid));
            return;
        }
    }
    if (!passwordAcceptable(password)) {
        done(failure(ErrorCode::WeakPassword));
        return;
    }
    if (const std::optional<Account> same = m_store->findByKey(nameKey)) {
        done(failure(ErrorCode::NameRegistered));
        return;
    }
    if (m_store->findBySkeleton(skeleton)) {
        done(failure(ErrorCode::NameConfusable));
        return;
    }
    const bool invited = m_config.policy.registration == R::Invite;
    const bool queued = m_hasher.hash(password, [this, name, nameKey, skeleton, inviteHash, invited,
                                                 device, done](const QString &hash) {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (hash.isEmpty()) {
            done(failure(ErrorCode::Busy)); // the hash could not get its memory
            return;
        }
        // Checked again: another registration may have taken the name or the invite's
        // last use while the hash was made.
        beforeWrite();
        if (invited && !m_store->consumeInvite(inviteHash, now)) {
            done(failure(ErrorCode::InviteInvalid));
            return;
        }
        Account a;
        a.name = name;
        a.nameKey = nameKey;
        a.skeleton = skeleton;
        a.passwordHash = hash;
        a.createdMs = now;
        if (m_store->findBySkeleton(skeleton) && !m_store->findByKey(nameKey)) {
            done(failure(ErrorCode::NameConfusable));
            return;
        }
        a.id = m_store->createAccount(a);
        if (a.id == 0) {
            done(failure(m_store->lastError().isEmpty() ? ErrorCode::NameRegistered
                                                        : ErrorCode::StoreFailed));
            return;
        }
        qCInfo(lcAccounts).noquote() << "account" << name << "created";
        done(issueToken(a, device, now));
    });
    if (!queued) {
        done(failure(ErrorCode::Busy, 1000));
    }
}

void AccountService::changePassword(const QString &address, qint64 accountId, qint64 keepTokenId,
                                    const QString &oldPassword, const QString &newPassword,
                                    qint64 nowMs, Done done)
{
    const std::optional<Account> account = m_store->findById(accountId);
    if (!account) {
        done(failure(ErrorCode::NotSignedIn));
        return;
    }
    if (const qint64 wait = m_throttle.retryAfterMs(address, account->nameKey, nowMs); wait > 0) {
        done(failure(ErrorCode::AuthThrottled, wait));
        return;
    }
    if (!passwordAcceptable(newPassword)) {
        done(failure(ErrorCode::WeakPassword));
        return;
    }
    const QString nameKey = account->nameKey;
    const bool queued = m_hasher.verify(
        account->passwordHash, oldPassword,
        [this, address, nameKey, accountId, keepTokenId, newPassword, done](bool ok, bool) {
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            if (!ok) {
                failed(address, nameKey, now);
                done(failure(ErrorCode::AuthFailed));
                return;
            }
            const bool again = m_hasher.hash(
                newPassword, [this, accountId, keepTokenId, done](const QString &hash) {
                    const qint64 later = QDateTime::currentMSecsSinceEpoch();
                    beforeWrite();
                    if (hash.isEmpty() || !m_store->setPasswordHash(accountId, hash)) {
                        done(failure(ErrorCode::StoreFailed));
                        return;
                    }
                    // Whoever knew the old password may hold a token: all others end now.
                    Outcome out;
                    out.revoked = revoke(accountId, 0, keepTokenId, later);
                    out.account = m_store->findById(accountId).value_or(Account{});
                    qCInfo(lcAccounts).noquote() << "password of" << out.account.name << "changed";
                    done(out);
                });
            if (!again) {
                done(failure(ErrorCode::Busy, 1000));
            }
        });
    if (!queued) {
        done(failure(ErrorCode::Busy, 1000));
    }
}

void AccountService::touchToken(qint64 tokenId, qint64 nowMs)
{
    beforeWrite();
    m_store->touchToken(tokenId, nowMs);
}

void AccountService::rememberGuest(const QString &session, const QString &identity,
                                   const QString &nameKey, qint64 nowMs)
{
    beforeWrite();
    if (!m_store->saveGuestSession(SecretToken::hash(session), identity, nameKey,
                                   nowMs + m_config.guestSessionMs))
        qCWarning(lcAccounts).noquote() << "cannot keep a guest session:" << m_store->lastError();
}

QString AccountService::guestIdentity(const QString &session, const QString &nameKey, qint64 nowMs)
{
    beforeWrite();
    return m_store->takeGuestSession(SecretToken::hash(session), nameKey, nowMs);
}

QList<DeviceToken> AccountService::devices(qint64 accountId)
{
    return m_store->tokens(accountId);
}

int AccountService::revoke(qint64 accountId, qint64 tokenId, qint64 exceptTokenId, qint64 nowMs)
{
    beforeWrite();
    const QList<qint64> revoked = m_store->revokeTokens(accountId, tokenId, exceptTokenId, nowMs);
    if (!revoked.isEmpty())
        emit tokensRevoked(accountId, revoked);
    return int(revoked.size());
}

QString AccountService::createInvite(qint64 byAccountId, int uses, int days, qint64 nowMs,
                                     qint64 *expiresMs)
{
    beforeWrite();
    const QString code = SecretToken::newInviteCode();
    *expiresMs = nowMs + qint64(days) * kDayMs;
    if (!m_store->addInvite(SecretToken::inviteHash(code), byAccountId, nowMs, *expiresMs, uses))
        return {};
    return code;
}

void AccountService::pollEvents()
{
    // What other processes did: revoked tokens and disabled accounts end their sessions here
    // within a poll interval. Events this process made were acted on already; acting twice
    // finds nothing left to close.
    for (;;) {
        const QList<AccountEvent> events = m_store->eventsAfter(m_lastEventId, 500);
        for (const AccountEvent &e : events) {
            m_lastEventId = e.id;
            if (e.kind == AccountEvent::Kind::TokenRevoked)
                emit tokensRevoked(e.accountId, {e.tokenId});
            else if (e.kind == AccountEvent::Kind::AccountDisabled)
                emit accountDisabled(e.accountId);
        }
        if (events.size() < 500)
            break;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (now - m_lastExpiryMs > 3600 * 1000) {
        m_lastExpiryMs = now;
        beforeWrite();
        if (const int expired = m_store->expireTokens(now - qint64(m_config.tokenDays) * kDayMs))
            qCInfo(lcAccounts) << expired << "device tokens expired unused";
        m_store->pruneEvents(now - kDayMs);
        m_store->pruneGuestSessions(now);
    }
}
