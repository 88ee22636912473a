#pragma once

#include <QtGlobal>

// How much a TCP connection that carries a call may hold in the kernel, sent or not (issue 13,
// "Adapting to the network"). TCP_NOTSENT_LOWAT keeps what the kernel has not sent small, but
// not what it has sent and not had acknowledged: on a fast path the congestion window grows
// while media is app-limited, so when the link falls tenfold 50 KB and more are in flight, the
// router's queue drops most of it and TCP spends seconds recovering it, with the voice behind
// it (docs/benchmarks.md, the netlab section). SO_SNDBUF bounds the two together; it is sized
// from the rate the call sends at times the path's round trip, with headroom, so that it costs
// no rate, and set again when that product changes by more than a quarter.
//
// The round trip is the connection's smallest (TCP_INFO tcpi_min_rtt), not its smoothed one:
// the smoothed one includes the queue that builds when the link is too slow, so sizing by it
// would let in more exactly when less must be in flight.
//
// Once set, the kernel no longer tunes the buffer itself (there is no way back), so after a
// call release() leaves it at kMaxBytes, which still carries 10 Mbit/s over 200 ms.
class TcpSendBuffer
{
public:
    static constexpr int kMinBytes = 4 * 1024;
    static constexpr int kMaxBytes = 256 * 1024;
    static constexpr double kHeadroom = 2.0;
    // Round trips shorter than this count as this: a few ms of scheduling are no path.
    static constexpr qint64 kMinRoundTripUs = 10000;

    // The size for media at rateKbps over a path with this round trip (µs; <= 0: unknown, then
    // kMaxBytes: nothing is known to be safe to cut).
    static int sizeFor(int rateKbps, qint64 roundTripUs);
    // The connection's smallest round trip so far, µs; -1 when the system does not say.
    static qint64 roundTripUs(int fd);
    // TCP is recovering lost segments (retransmissions outstanding, or in fast recovery or
    // after a timeout): what drains now says nothing about the path's rate.
    static bool recovering(int fd);

    // TCP's own view of the connection now (TCP_INFO), for TcpPathMonitor.
    struct PathSample
    {
        bool valid = false;     // the system said
        qint64 rttUs = -1;      // smoothed round trip
        qint64 minRttUs = -1;   // the smallest seen
        quint64 bytesAcked = 0; // a running count
        bool recovering = false;
    };
    static PathSample sample(int fd);
    // Whether sample() can say anything on this system.
    static constexpr bool canSample()
    {
#ifdef Q_OS_LINUX
        return true;
#else
        return false;
#endif
    }

    // Sizes fd's buffer for rateKbps (> 0) unless the size last set is within a quarter of
    // it. Returns the size set, 0 when nothing changed or setting failed.
    int update(int fd, int rateKbps);
    // The call is over: kMaxBytes, if anything was set before.
    void release(int fd);
    // What was last set (the kernel doubles it for its own bookkeeping), 0: nothing yet.
    int applied() const
    {
        return m_applied;
    }
    // A new connection: nothing set on it yet.
    void reset()
    {
        m_applied = 0;
    }

private:
    bool apply(int fd, int bytes);

    int m_applied = 0;
};
