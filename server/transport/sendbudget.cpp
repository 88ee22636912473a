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

SendBudget::Bucket &SendBudget::sender(const QString &key, qint64 nowMs)
{
    auto it = m_senders.find(key);
    if (it == m_senders.end())
        it = m_senders.insert(key, Bucket{double(m_rates.senderBurst), nowMs});
    refill(*it, m_rates.senderPerSecond, m_rates.senderBurst, nowMs);
    return *it;
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
    auto inbox = m_inboxes.find(recipient);
    if (inbox == m_inboxes.end())
        inbox = m_inboxes.insert(recipient, Bucket{double(m_rates.inboxBurst), nowMs});
    return takeShared(own, *inbox, m_rates.inboxPerSecond, m_rates.inboxBurst, bytes, nowMs);
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
    auto it = m_history.find(requester);
    if (it == m_history.end())
        it = m_history.insert(requester, Bucket{double(m_rates.historyBurst), nowMs});
    refill(*it, m_rates.historyPerSecond, m_rates.historyBurst, nowMs);
    it->tokens -= double(bytes);
}

void SendBudget::prune(qint64 nowMs)
{
    for (auto it = m_senders.begin(); it != m_senders.end();) {
        refill(*it, m_rates.senderPerSecond, m_rates.senderBurst, nowMs);
        if (it->tokens >= double(m_rates.senderBurst))
            it = m_senders.erase(it);
        else
            ++it;
    }
    for (auto it = m_inboxes.begin(); it != m_inboxes.end();) {
        refill(*it, m_rates.inboxPerSecond, m_rates.inboxBurst, nowMs);
        if (it->tokens >= double(m_rates.inboxBurst))
            it = m_inboxes.erase(it);
        else
            ++it;
    }
    for (auto it = m_history.begin(); it != m_history.end();) {
        refill(*it, m_rates.historyPerSecond, m_rates.historyBurst, nowMs);
        if (it->tokens >= double(m_rates.historyBurst))
            it = m_history.erase(it);
        else
            ++it;
    }
}
