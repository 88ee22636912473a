#pragma once

#include "net/tcpsendbuffer.h"

#include <QtGlobal>

#include <deque>

// TCP's own view of a call's uplink (issue 13, "Adapting to the network"), from TCP_INFO
// samples taken every few tens of ms. A plain class fed with samples and times, tested with
// synthetic ones.
//
// When the link falls, the first thing to show it is TCP's round trip: the segments in flight
// queue at the bottleneck, and within a few round trips the smoothed round trip stands far
// over the smallest. The send queue that BandwidthEstimator watches shows it only once the
// kernel's buffer is full and the media backs up behind it, and a report from the far end
// comes once a second: a detector that needs 300 ms leaves a second of delay and a fifth of
// the voice concealed in the first 5 s (docs/benchmarks.md, the floor after a drop). While
// such a queue stands the bottleneck is busy, so the bytes acknowledged per second are its
// rate: what to cut to.
class TcpPathMonitor
{
public:
    // The acknowledged rate is taken over at least this long: a few segments are no rate.
    static constexpr qint64 kRateWindowMs = 200;

    struct View
    {
        int queueMs = -1;   // smoothed round trip over the smallest; -1: unknown
        int ackedKbps = -1; // acknowledged over the last kRateWindowMs or more; -1: unknown
        bool recovering = false;
    };

    void add(qint64 nowMs, const TcpSendBuffer::PathSample &sample);
    View view() const { return m_view; }
    void reset();

private:
    struct Acked
    {
        qint64 ms;
        quint64 bytes;
    };
    std::deque<Acked> m_acked; // the last kRateWindowMs and one sample before
    View m_view;
};
