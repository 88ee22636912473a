#include "loginthrottle.h"

#include <algorithm>
#include <vector>

LoginThrottle::LoginThrottle() : m_policy(Policy()) {}

qint64 LoginThrottle::waitFor(const Table &table, const QString &key, qint64 nowMs) const
{
    const auto it = table.constFind(key);
    if (it == table.cend() || nowMs - it->lastFailureMs > m_policy.forgetMs)
        return 0;
    return qMax<qint64>(0, it->blockedUntilMs - nowMs);
}

qint64 LoginThrottle::retryAfterMs(const QString &address, const QString &nameKey,
                                   qint64 nowMs) const
{
    return qMax(waitFor(m_addresses, address, nowMs), waitFor(m_names, nameKey, nowMs));
}

void LoginThrottle::fail(Table &table, const QString &key, int freeFailures, int lockFailures,
                         qint64 nowMs)
{
    if (!table.contains(key) && table.size() >= m_policy.maxEntries)
        evictOldest(table, nowMs);
    Entry &e = table[key];
    if (nowMs - e.lastFailureMs > m_policy.forgetMs)
        e = Entry{};
    ++e.failures;
    e.lastFailureMs = nowMs;
    if (lockFailures > 0 && e.failures >= lockFailures) {
        e.blockedUntilMs = nowMs + m_policy.lockMs;
    } else if (e.failures > freeFailures) {
        const int doublings = qMin(e.failures - freeFailures - 1, 30);
        e.blockedUntilMs =
            nowMs + qMin(m_policy.maxDelayMs, m_policy.baseDelayMs * (qint64(1) << doublings));
    }
}

void LoginThrottle::evictOldest(Table &table, qint64 nowMs)
{
    // Forgotten entries first; then the tenth with the oldest failures. Amortised: one sort
    // per tenth of the table's capacity.
    for (auto it = table.begin(); it != table.end();) {
        if (nowMs - it->lastFailureMs > m_policy.forgetMs)
            it = table.erase(it);
        else
            ++it;
    }
    if (table.size() < m_policy.maxEntries)
        return;
    std::vector<qint64> times;
    times.reserve(size_t(table.size()));
    for (const Entry &e : table)
        times.push_back(e.lastFailureMs);
    const size_t cut = std::max<size_t>(1, times.size() / 10);
    std::nth_element(times.begin(), times.begin() + long(cut - 1), times.end());
    const qint64 threshold = times[cut - 1];
    for (auto it = table.begin(); it != table.end();) {
        if (it->lastFailureMs <= threshold)
            it = table.erase(it);
        else
            ++it;
    }
}

void LoginThrottle::recordFailure(const QString &address, const QString &nameKey, qint64 nowMs)
{
    fail(m_addresses, address, m_policy.addressFreeFailures, m_policy.addressLockFailures, nowMs);
    fail(m_names, nameKey, m_policy.freeFailures, m_policy.lockFailures, nowMs);
}

void LoginThrottle::recordSuccess(const QString &nameKey)
{
    m_names.remove(nameKey);
}
