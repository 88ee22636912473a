#include "net/catchuppoint.h"

CatchUpPoint::CatchUpPoint(qint64 settleMs, int maxPending)
    : m_settleMs(settleMs), m_maxPending(size_t(qMax(1, maxPending)))
{}

void CatchUpPoint::seen(qint64 seq, qint64 nowMs)
{
    if (seq <= m_settled)
        return; // older than what is settled: it changes nothing
    m_highest = qMax(m_highest, seq);
    if (!m_pending.empty() && m_pending.back().seq >= seq)
        return; // a later sighting of a higher seq covers it
    // A flood of messages settles its oldest early rather than growing the list: at the
    // bound they are thousands of messages old, far beyond any reordering.
    if (m_pending.size() >= m_maxPending) {
        m_settled = qMax(m_settled, m_pending.front().seq);
        m_pending.pop_front();
    }
    m_pending.push_back({seq, nowMs});
}

qint64 CatchUpPoint::settled(qint64 nowMs)
{
    while (!m_pending.empty() && nowMs - m_pending.front().atMs >= m_settleMs) {
        m_settled = qMax(m_settled, m_pending.front().seq);
        m_pending.pop_front();
    }
    return m_settled;
}

void CatchUpPoint::reset(qint64 seq)
{
    m_pending.clear();
    m_settled = qMax<qint64>(0, seq);
    m_highest = m_settled;
}
