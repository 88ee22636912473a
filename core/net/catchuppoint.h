#pragma once

#include <QtGlobal>

#include <deque>

// Where a catch-up after a reconnect may safely start. On one server every message reaches a
// session in seq order, so the highest seq seen is that point. Several nodes break the
// order: a node relays its own users' messages as soon as they are stored and the others'
// when the bus brings them, so seq N+1 can arrive before seq N. If the connection is lost in
// between, a catch-up "after N+1" never brings N.
//
// So a seq counts as settled only once it has been seen `settleMs` ago: by then every lower
// seq has reached the node (a commit and a bus hop take milliseconds; the window is generous)
// and, while the connection lasts, this session. The catch-up reads again from the settled
// point and the receivers drop what they have by seq. Times are the caller's (monotonic
// milliseconds), so tests need no clock; memory is bounded by `maxPending`.
class CatchUpPoint
{
public:
    explicit CatchUpPoint(qint64 settleMs = 10000, int maxPending = 4096);

    // A message (or the newest of a history page) seen at `nowMs`.
    void seen(qint64 seq, qint64 nowMs);
    // The point to catch up after at `nowMs`: every seq up to it has been seen. 0 while
    // nothing has settled since reset(0): then only the newest page is safe.
    qint64 settled(qint64 nowMs);
    // The highest seq seen.
    qint64 highest() const { return m_highest; }
    // Starts again from a point known to be complete (a saved one, or 0 for nothing).
    void reset(qint64 seq);
    // 0: every seq settles as soon as it is seen (one server relays in seq order).
    void setSettleMs(qint64 ms) { m_settleMs = qMax<qint64>(0, ms); }

private:
    struct Pending
    {
        qint64 seq;
        qint64 atMs;
    };
    qint64 m_settleMs;
    size_t m_maxPending;
    qint64 m_settled = 0;
    qint64 m_highest = 0;
    std::deque<Pending> m_pending; // rising seqs in the order seen: the oldest settle first
};
