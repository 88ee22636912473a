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

AccountService::AccountService(AsyncAccountStore *store, const Config &config, QObject *parent)
    : QObject(parent), m_store(store), m_config(config),
      m_hasher(config.hashThreads, config.hashQueue, config.cost), m_throttle(config.throttle)
{
    // Events from now on: the first poll asks where they end.
    m_poll.setInterval(m_config.eventPollMs);
    connect(&m_poll, &QTimer::timeout, this, &AccountService::pollEvents);
    m_poll.start();
    pollEvents();
}

namespace {

struct Lookup
{
    std::optional<Account> account;
    bool failed = false;
};

Lookup lookUp(AccountStore &s, std::optional<Account> found)
{
    return Lookup{found, !found && !s.lastError().isEmpty()};
}

// What a sign-in writes once the password or token is good: the account as it is now (it may
// have been disabled or deleted meanwhile) and, for a new device, its token.
struct Issued
{
    ErrorCode error = ErrorCode::None;
    Account account;
    QString token; // new
    qint64 tokenId = 0;
};

Issued issueToken(AccountStore &s, const Account &account, const QString &device, qint64 nowMs)
{
    Issued out;
    out.account = account;
    out.token = SecretToken::newToken();
    out.tokenId = s.addToken(account.id, SecretToken::hash(out.token), deviceLabel(device), nowMs);
    if (out.tokenId == 0) {
        qCWarning(lcAccounts).noquote() << "cannot store a device token:" << s.lastError();
        out.error = ErrorCode::StoreFailed;
    }
    return out;
}

AccountService::Outcome outcomeOf(const Issued &issued)
{
    if (issued.error != ErrorCode::None)
        return AccountService::failure(issued.error);
    AccountService::Outcome out;
    out.account = issued.account;
    out.newToken = issued.token;
    out.tokenId = issued.tokenId;
    return out;
}

} // namespace

void AccountService::accountByKey(const QString &nameKey, Found done)
{
    ask<Lookup>([nameKey](AccountStore &s) { return lookUp(s, s.findByKey(nameKey)); },
                [done](const Lookup &l) { done(l.account, l.failed); });
}

void AccountService::nameOwner(const QString &nameKey, const QString &skeleton,
                               std::function<void(const NameOwner &)> done)
{
    ask<NameOwner>(
        [nameKey, skeleton](AccountStore &s) {
            NameOwner o;
            o.registered = s.findByKey(nameKey).has_value();
            o.failed = !s.lastError().isEmpty();
            if (!o.registered && !o.failed) {
                o.confusable = s.findBySkeleton(skeleton).has_value();
                o.failed = !s.lastError().isEmpty();
            }
            return o;
        },
        std::move(done));
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

void AccountService::signIn(const QString &address, const QString &nameKey, const QString &password,
                            const QString &device, qint64 nowMs, Done done)
{
    if (const qint64 wait = m_throttle.retryAfterMs(address, nameKey, nowMs); wait > 0) {
        done(failure(ErrorCode::AuthThrottled, wait));
        return;
    }
    ask<Lookup>(
        [nameKey](AccountStore &s) { return lookUp(s, s.findByKey(nameKey)); },
        [this, address, nameKey, password, device, done](const Lookup &found) {
            if (found.failed) {
                done(failure(ErrorCode::StoreFailed));
                return;
            }
            // A name without an account is checked against a dummy hash: it takes as long and ends
            // with the same error, so the answer does not tell which names exist.
            const QString hash = found.account ? found.account->passwordHash : QString();
            const qint64 id = found.account ? found.account->id : 0;
            const bool queued = m_hasher.verify(
                hash, password,
                [this, address, nameKey, device, id, password, done](bool ok, bool needsRehash) {
                    const qint64 now = QDateTime::currentMSecsSinceEpoch();
                    if (!ok) {
                        failed(address, nameKey, now);
                        done(failure(ErrorCode::AuthFailed));
                        return;
                    }
                    m_throttle.recordSuccess(nameKey);
                    if (needsRehash) {
                        // The hashing parameters went up since this hash was made: store a new
                        // one, on the pool, when there is room (nothing waits for it).
                        m_hasher.hash(password, [this, id](const QString &fresh) {
                            if (!fresh.isEmpty())
                                m_store->tell(
                                    [id, fresh](AccountStore &s) { s.setPasswordHash(id, fresh); });
                        });
                    }
                    ask<Issued>(
                        [id, device, now](AccountStore &s) {
                            const std::optional<Account> current = s.findById(id);
                            Issued out;
                            if (!current)
                                out.error = ErrorCode::AuthFailed; // deleted meanwhile
                            else if (current->disabled)
                                out.error = ErrorCode::AccountDisabled;
                            else
                                out = issueToken(s, *current, device, now);
                            return out;
                        },
                        [done](const Issued &issued) { done(outcomeOf(issued)); });
                });
            if (!queued)
                done(failure(ErrorCode::Busy, 1000));
        });
}

void AccountService::signInWithToken(const QString &address, const QString &nameKey,
                                     const QString &token, qint64 nowMs, Done done)
{
    // No throttle: tokens (256 random bits) cannot be guessed, so failures teach nothing, and
    // someone who locks a name or an address by guessing passwords must not lock out the
    // owner's devices too. A lookup costs an index probe; the message rate bounds them.
    const qint64 oldestUse = nowMs - qint64(m_config.tokenDays) * kDayMs;
    ask<Outcome>(
        [address, nameKey, tokenHash = SecretToken::hash(token), nowMs,
         oldestUse](AccountStore &s) {
            const std::optional<DeviceToken> t = s.findToken(tokenHash);
            if (!t) {
                if (!s.lastError().isEmpty())
                    return failure(ErrorCode::StoreFailed);
                qCInfo(lcAccounts).noquote()
                    << "unknown device token for" << nameKey << "from" << address;
                return failure(ErrorCode::TokenInvalid);
            }
            const std::optional<Account> account = s.findById(t->accountId);
            if (!account || account->nameKey != nameKey || t->lastUsedMs < oldestUse) {
                qCInfo(lcAccounts).noquote()
                    << "expired or foreign device token for" << nameKey << "from" << address;
                return failure(ErrorCode::TokenInvalid);
            }
            if (account->disabled)
                return failure(ErrorCode::AccountDisabled);
            s.touchToken(t->id, nowMs);
            Outcome out;
            out.account = *account;
            out.tokenId = t->id;
            return out;
        },
        std::move(done));
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
    const bool invited = m_config.policy.registration == R::Invite;
    if (invited && invite.isEmpty()) {
        done(failure(ErrorCode::InviteRequired));
        return;
    }
    const QString inviteHash = invite.isEmpty() ? QString() : SecretToken::inviteHash(invite);
    // The store's answers first, in the order a user fixes them: the invite, the password,
    // then the name.
    ask<ErrorCode>(
        [invited, inviteHash, nameKey, skeleton, nowMs](AccountStore &s) {
            if (invited && !s.inviteUsable(inviteHash, nowMs))
                return ErrorCode::InviteInvalid;
            if (s.findByKey(nameKey))
                return ErrorCode::NameRegistered;
            if (s.findBySkeleton(skeleton))
                return ErrorCode::NameConfusable;
            return s.lastError().isEmpty() ? ErrorCode::None : ErrorCode::StoreFailed;
        },
        [=, this](ErrorCode found) {
            if (found == ErrorCode::InviteInvalid) {
                failed(address, nameKey, QDateTime::currentMSecsSinceEpoch());
                done(failure(found));
                return;
            }
            if (!passwordAcceptable(password)) {
                done(failure(ErrorCode::WeakPassword));
                return;
            }
            if (found != ErrorCode::None) {
                done(failure(found));
                return;
            }
            const bool queued = m_hasher.hash(password, [=, this](const QString &hash) {
                if (hash.isEmpty()) {
                    done(failure(ErrorCode::Busy)); // the hash could not get its memory
                    return;
                }
                Account a;
                a.name = name;
                a.nameKey = nameKey;
                a.skeleton = skeleton;
                a.passwordHash = hash;
                a.createdMs = QDateTime::currentMSecsSinceEpoch();
                ask<Issued>(
                    [a, invited, inviteHash, device](AccountStore &s) mutable {
                        // Checked again: another registration may have taken the name or the
                        // invite's last use while the hash was made.
                        Issued out;
                        if (invited && !s.consumeInvite(inviteHash, a.createdMs)) {
                            out.error = ErrorCode::InviteInvalid;
                            return out;
                        }
                        if (s.findBySkeleton(a.skeleton) && !s.findByKey(a.nameKey)) {
                            out.error = ErrorCode::NameConfusable;
                            return out;
                        }
                        a.id = s.createAccount(a);
                        if (a.id == 0) {
                            out.error = s.lastError().isEmpty() ? ErrorCode::NameRegistered
                                                                : ErrorCode::StoreFailed;
                            return out;
                        }
                        qCInfo(lcAccounts).noquote() << "account" << a.name << "created";
                        return issueToken(s, a, device, a.createdMs);
                    },
                    [this, address, done](const Issued &issued) {
                        if (issued.error == ErrorCode::None)
                            m_registrations[address].push_back(issued.account.createdMs);
                        done(outcomeOf(issued));
                    });
            });
            if (!queued)
                done(failure(ErrorCode::Busy, 1000));
        });
}

void AccountService::changePassword(const QString &address, qint64 accountId, qint64 keepTokenId,
                                    const QString &oldPassword, const QString &newPassword,
                                    qint64 nowMs, Done done)
{
    ask<Lookup>(
        [accountId](AccountStore &s) { return lookUp(s, s.findById(accountId)); },
        [=, this](const Lookup &found) {
            if (!found.account) {
                done(failure(found.failed ? ErrorCode::StoreFailed : ErrorCode::NotSignedIn));
                return;
            }
            const QString nameKey = found.account->nameKey;
            if (const qint64 wait = m_throttle.retryAfterMs(address, nameKey, nowMs); wait > 0) {
                done(failure(ErrorCode::AuthThrottled, wait));
                return;
            }
            if (!passwordAcceptable(newPassword)) {
                done(failure(ErrorCode::WeakPassword));
                return;
            }
            const bool queued =
                m_hasher.verify(found.account->passwordHash, oldPassword, [=, this](bool ok, bool) {
                    if (!ok) {
                        failed(address, nameKey, QDateTime::currentMSecsSinceEpoch());
                        done(failure(ErrorCode::AuthFailed));
                        return;
                    }
                    const bool again = m_hasher.hash(newPassword, [=, this](const QString &hash) {
                        if (hash.isEmpty()) {
                            done(failure(ErrorCode::StoreFailed));
                            return;
                        }
                        struct Changed
                        {
                            bool ok = false;
                            QList<qint64> revoked;
                            Account account;
                        };
                        const qint64 later = QDateTime::currentMSecsSinceEpoch();
                        ask<Changed>(
                            [accountId, keepTokenId, hash, later](AccountStore &s) {
                                Changed c;
                                c.ok = s.setPasswordHash(accountId, hash);
                                if (!c.ok)
                                    return c;
                                // Whoever knew the old password may hold a token: all others end.
                                c.revoked = s.revokeTokens(accountId, 0, keepTokenId, later);
                                c.account = s.findById(accountId).value_or(Account{});
                                return c;
                            },
                            [this, accountId, done](const Changed &c) {
                                if (!c.ok) {
                                    done(failure(ErrorCode::StoreFailed));
                                    return;
                                }
                                if (!c.revoked.isEmpty())
                                    emit tokensRevoked(accountId, c.revoked);
                                Outcome out;
                                out.revoked = int(c.revoked.size());
                                out.account = c.account;
                                qCInfo(lcAccounts).noquote()
                                    << "password of" << out.account.name << "changed";
                                done(out);
                            });
                    });
                    if (!again)
                        done(failure(ErrorCode::Busy, 1000));
                });
            if (!queued)
                done(failure(ErrorCode::Busy, 1000));
        });
}

void AccountService::touchToken(qint64 tokenId, qint64 nowMs)
{
    m_store->tell([tokenId, nowMs](AccountStore &s) { s.touchToken(tokenId, nowMs); });
}

void AccountService::rememberGuest(const QString &session, const QString &identity,
                                   const QString &nameKey, qint64 nowMs)
{
    m_store->tell([sessionHash = SecretToken::hash(session), identity, nameKey,
                   expires = nowMs + m_config.guestSessionMs](AccountStore &s) {
        if (!s.saveGuestSession(sessionHash, identity, nameKey, expires))
            qCWarning(lcAccounts).noquote() << "cannot keep a guest session:" << s.lastError();
    });
}

void AccountService::guestIdentity(const QString &session, const QString &nameKey, qint64 nowMs,
                                   std::function<void(const QString &)> done)
{
    auto take = [sessionHash = SecretToken::hash(session), nameKey, nowMs](AccountStore &s) {
        return s.takeGuestSession(sessionHash, nameKey, nowMs);
    };
    if (!done) {
        m_store->tell([take](AccountStore &s) { take(s); });
        return;
    }
    ask<QString>(take, std::move(done));
}

void AccountService::devices(qint64 accountId, std::function<void(const QList<DeviceToken> &)> done)
{
    ask<QList<DeviceToken>>([accountId](AccountStore &s) { return s.tokens(accountId); },
                            std::move(done));
}

void AccountService::revoke(qint64 accountId, qint64 tokenId, qint64 exceptTokenId, qint64 nowMs,
                            std::function<void(int)> done)
{
    ask<QList<qint64>>(
        [=](AccountStore &s) { return s.revokeTokens(accountId, tokenId, exceptTokenId, nowMs); },
        [this, accountId, done](const QList<qint64> &revoked) {
            if (!revoked.isEmpty())
                emit tokensRevoked(accountId, revoked);
            if (done)
                done(int(revoked.size()));
        });
}

void AccountService::createInvite(qint64 byAccountId, int uses, int days, qint64 nowMs,
                                  std::function<void(const QString &, qint64)> done)
{
    const QString code = SecretToken::newInviteCode();
    const qint64 expiresMs = nowMs + qint64(days) * kDayMs;
    ask<bool>(
        [byAccountId, uses, nowMs, expiresMs, hash = SecretToken::inviteHash(code)](
            AccountStore &s) { return s.addInvite(hash, byAccountId, nowMs, expiresMs, uses); },
        [code, expiresMs, done](bool ok) { done(ok ? code : QString(), expiresMs); });
}

void AccountService::pollEvents()
{
    // What other processes did: revoked tokens and disabled accounts end their sessions here
    // within a poll interval. Events this process made were acted on already; acting twice
    // finds nothing left to close. One poll at a time: a slow database makes them rarer.
    if (m_polling)
        return;
    m_polling = true;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const bool expire = m_lastEventId >= 0 && now - m_lastExpiryMs > 3600 * 1000;
    if (expire)
        m_lastExpiryMs = now;
    struct Polled
    {
        qint64 lastId = 0;
        QList<AccountEvent> events;
    };
    constexpr int kPage = 500;
    constexpr int kMaxPerPoll = 20 * kPage; // the rest next time: memory stays bounded
    ask<Polled>(
        [after = m_lastEventId, expire, now, tokenDays = m_config.tokenDays](AccountStore &s) {
            Polled p;
            p.lastId = after;
            if (after < 0) {
                p.lastId = s.lastEventId(); // start-up: what happened before is done
            } else {
                while (p.events.size() < kMaxPerPoll) {
                    const QList<AccountEvent> page = s.eventsAfter(p.lastId, kPage);
                    p.events += page;
                    if (!page.isEmpty())
                        p.lastId = page.last().id;
                    if (page.size() < kPage)
                        break;
                }
            }
            if (expire) {
                if (const int expired = s.expireTokens(now - qint64(tokenDays) * kDayMs))
                    qCInfo(lcAccounts) << expired << "device tokens expired unused";
                s.pruneEvents(now - kDayMs);
                s.pruneGuestSessions(now);
            }
            return p;
        },
        [this](const Polled &p) {
            m_polling = false;
            m_lastEventId = p.lastId;
            for (const AccountEvent &e : p.events) {
                if (e.kind == AccountEvent::Kind::TokenRevoked)
                    emit tokensRevoked(e.accountId, {e.tokenId});
                else if (e.kind == AccountEvent::Kind::AccountDisabled)
                    emit accountDisabled(e.accountId);
            }
        });
}
