#pragma once

#include <QHash>
#include <QString>

// Slows down password guessing: failed sign-ins are counted per address and per name, and
// after a few free failures each further one makes the next attempt wait longer (doubling,
// up to a ceiling), until a temporary lock. The same rules apply to names with and without
// an account, so the answers never tell which names exist.
//
// Memory is bounded: each table holds at most maxEntries; beyond that the entries with the
// oldest failures go first (an attacker who fills the table with made-up names only evicts
// entries older than their own).
class LoginThrottle
{
public:
    struct Policy
    {
        int freeFailures = 5;         // failures before any delay
        qint64 baseDelayMs = 1000;    // the first delay; each further failure doubles it
        qint64 maxDelayMs = 60000;    // the ceiling of the doubling
        int lockFailures = 20;        // failures that lock for lockMs
        qint64 lockMs = 15 * 60000;   // the temporary lock
        qint64 forgetMs = 60 * 60000; // a quiet hour forgets the failures
        int maxEntries = 100000;      // per table (addresses, names)
        int addressFreeFailures = 20; // an address (a NAT, an office) gets more before a delay
        // Addresses get delays but no lock: one address must not lock everyone behind it out
        // for a quarter of an hour (found in review: 20 wrong passwords from one address did).
        int addressLockFailures = 0; // 0 = never
    };

    LoginThrottle();
    explicit LoginThrottle(Policy policy) : m_policy(policy) {}

    // How long this address or name must wait before its next attempt, 0 = may try now.
    qint64 retryAfterMs(const QString &address, const QString &nameKey, qint64 nowMs) const;
    void recordFailure(const QString &address, const QString &nameKey, qint64 nowMs);
    // A correct password clears the name's failures; the address keeps its own record.
    void recordSuccess(const QString &nameKey);

    int addressEntries() const { return int(m_addresses.size()); }
    int nameEntries() const { return int(m_names.size()); }
    const Policy &policy() const { return m_policy; }

private:
    struct Entry
    {
        int failures = 0;
        qint64 lastFailureMs = 0;
        qint64 blockedUntilMs = 0;
    };
    using Table = QHash<QString, Entry>;

    qint64 waitFor(const Table &table, const QString &key, qint64 nowMs) const;
    void fail(Table &table, const QString &key, int freeFailures, int lockFailures, qint64 nowMs);
    void evictOldest(Table &table, qint64 nowMs);

    Policy m_policy;
    Table m_addresses;
    Table m_names;
};
