#include "sendbudget.h"

SendBudget::SendBudget() : SendBudget(Rates()) {}

SendBudget::SendBudget(Rates rates) : m_rates(rates)
{
    m_room.tokens = double(m_rates.roomBurst);
}

void SendBudget::refill(Bucket &b, qint64 perSecond, qint64 burst, qint64 nowMs) const
{
    if (nowMs > b.lastMs) {
        b.tokens = qMin(double(burst), b.tokens + double(nowMs - b.lastMs) * perSecond / 1000.0);
        b.lastMs = nowMs;
    }
}

SendBudget::Bucket &SendBudget::bucket(QHash<QString, Bucket> &table, const QString &key,
                                       qint64 perSecond, qint64 burst, qint64 nowMs) const
{
    auto it = table.find(key);
    if (it == table.end())
        it = table.insert(key, Bucket{double(burst), nowMs}); // a newcomer starts full
    refill(*it, perSecond, burst, nowMs);
    return *it;
}

void SendBudget::forgetFull(QHash<QString, Bucket> &table, qint64 perSecond, qint64 burst,
                            qint64 nowMs) const
{
    for (auto it = table.begin(); it != table.end();) {
        refill(*it, perSecond, burst, nowMs);
        if (it->tokens >= double(burst))
            it = table.erase(it);
        else
            ++it;
    }
}

SendBudget::Bucket &SendBudget::sender(const QString &key, qint64 nowMs)
{
    return bucket(m_senders, key, m_rates.senderPerSecond, m_rates.senderBurst, nowMs);
}

bool SendBudget::takeShared(Bucket &own, Bucket &shared, qint64 perSecond, qint64 burst,
                            qint64 bytes, qint64 nowMs)
{
    if (own.tokens < double(bytes))
        return false;
    refill(shared, perSecond, burst, nowMs);
    const bool quietSender = own.tokens >= double(m_rates.senderBurst) / 2;
    if (shared.tokens < double(bytes) &&
        !(quietSender && shared.tokens - double(bytes) >= -double(burst)))
        return false;
    own.tokens -= double(bytes);
    shared.tokens -= double(bytes);
    return true;
}

bool SendBudget::takePrivate(const QString &key, const QString &recipient, qint64 bytes,
                             qint64 nowMs)
{
    Bucket &own = sender(key, nowMs);
    Bucket &inbox = bucket(m_inboxes, recipient, m_rates.inboxPerSecond, m_rates.inboxBurst, nowMs);
    return takeShared(own, inbox, m_rates.inboxPerSecond, m_rates.inboxBurst, bytes, nowMs);
}

bool SendBudget::takePublic(const QString &key, qint64 bytes, qint64 nowMs)
{
    return takeShared(sender(key, nowMs), m_room, m_rates.roomPerSecond, m_rates.roomBurst, bytes,
                      nowMs);
}

qint64 SendBudget::historyWaitMs(const QString &requester, qint64 nowMs)
{
    auto it = m_history.find(requester);
    if (it == m_history.end())
        return 0;
    refill(*it, m_rates.historyPerSecond, m_rates.historyBurst, nowMs);
    if (it->tokens > 0)
        return 0;
    // Rounded up, so that the bucket is above zero when the wait is over.
    return qint64(-it->tokens * 1000.0 / double(m_rates.historyPerSecond)) + 1;
}

void SendBudget::takeHistory(const QString &requester, qint64 bytes, qint64 nowMs)
{
    bucket(m_history, requester, m_rates.historyPerSecond, m_rates.historyBurst, nowMs).tokens -=
        double(bytes);
}

void SendBudget::prune(qint64 nowMs)
{
    forgetFull(m_senders, m_rates.senderPerSecond, m_rates.senderBurst, nowMs);
    forgetFull(m_inboxes, m_rates.inboxPerSecond, m_rates.inboxBurst, nowMs);
    forgetFull(m_history, m_rates.historyPerSecond, m_rates.historyBurst, nowMs);
}
