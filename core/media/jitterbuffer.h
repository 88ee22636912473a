#pragma once

#include <QByteArray>
#include <QtGlobal>

#include <deque>
#include <map>

// Orders the audio packets of one sender for playout at a steady 20 ms pace, and keeps its
// delay just long enough for the network's jitter while it plays:
// - It measures each packet's transit (arrival minus the sender's 20 ms clock) and aims for
//   a delay above the fastest transit of the last seconds that covers a high quantile of the
//   rest. A packet that comes after its turn raises that aim at once.
// - When the next packet is not there, it conceals and waits for it (up to its maximum
//   delay) instead of skipping it: the delay grows by what the network took.
// - It moves towards its aim in quiet stretches only (setQuiet), dropping a frame or
//   inserting a concealed one where nobody hears it; far too much delay goes even in speech.
// It drops duplicates and packets whose turn has passed, and reports a gap as Lost so the
// decoder can conceal it (with the next packet for FEC when that one is already here).
// Plain logic with an explicit clock: tested by replaying arrival traces, no device involved.
class JitterBuffer
{
public:
    struct Packet
    {
        quint32 sequence = 0;
        QByteArray payload;
    };
    // Packet: play it. Lost: conceal a missing packet's frame (FEC from `next` if set).
    // Stretch: a frame inserted in a quiet stretch to grow the delay: conceal it (PLC).
    // Waiting: not playing yet, play silence.
    enum class Kind { Packet, Lost, Stretch, Waiting };
    struct Output
    {
        Kind kind = Kind::Waiting;
        Packet packet;   // Kind::Packet
        QByteArray next; // Kind::Lost: the following packet's payload, if present (FEC)
    };
    struct Stats
    {
        int received = 0;
        int duplicates = 0;
        int late = 0;      // arrived after their turn: dropped, or waited for with concealment
        int lost = 0;      // frames concealed because their packet was not there
        int dropped = 0;   // discarded to bring the delay down
        int stretched = 0; // concealed frames inserted to bring the delay up
    };

    explicit JitterBuffer(int frameMs = 20, int minFrames = 2, int maxFrames = 25);

    // A packet arrived at arrivalMs (any monotonic clock, the same as pop's).
    void push(const Packet &packet, qint64 arrivalMs);
    // The next frame to play, at nowMs on push's clock; called every frameMs on average (a
    // sound card that pulls several frames at once is fine).
    Output pop(qint64 nowMs);
    // The same for a caller that pops exactly every frameMs from the first arrival.
    Output pop();
    // Whether the audio played last was quiet, so that a frame dropped or inserted next goes
    // unheard. The player knows, having decoded it.
    void setQuiet(bool quiet) { m_quietFrames = quiet ? m_quietFrames + 1 : 0; }

    int targetDelayMs() const { return m_targetMs; }
    // The delay playout adds now over the fastest transit seen lately: what the statistics
    // line shows. Smoothed over about a second of played frames.
    int playoutDelayMs() const { return int(m_playoutDelayMs + 0.5); }
    int bufferedFrames() const { return int(m_packets.size()); }
    Stats stats() const { return m_stats; }

private:
    static bool before(quint32 a, quint32 b) { return qint32(a - b) < 0; } // with wrap-around
    void adapt(qint64 transitMs, qint64 arrivalMs, bool clustered);
    void updateTarget(qint64 nowMs);
    void raiseForLate(qint64 transitMs, qint64 nowMs);
    qint64 minTransit() const;
    void restart();
    Output play();
    Output take(qint64 key);

    const int m_frameMs;
    const int m_minMs;
    const int m_maxMs;
    int m_targetMs;
    int m_quantileMs; // the target as the jitter alone asks it, without late packets
    bool m_playing = false;
    int m_quietFrames = 0;              // quiet frames played in a row
    qint64 m_nextKey = 0;               // unwrapped sequence to play next, once playing
    std::map<qint64, Packet> m_packets; // by unwrapped sequence
    qint64 m_base = -1;                 // unwrapping: first sequence seen
    qint64 m_lastArrivalMs = 0;
    qint64 m_lastTransitMs = 0;
    bool m_haveArrival = false;
    qint64 m_clockMs = 0; // the playout clock: when the last frame was popped, smoothed
    bool m_haveClock = false;
    int m_waitedFrames = 0; // concealed frames while waiting for m_nextKey
    int m_sinceDrop = 0;    // frames since the last drop in speech
    double m_playoutDelayMs = 0;
    std::deque<qint64> m_transits; // of every packet, recent ones: the fastest is the base
    std::deque<qint64> m_samples;  // transits that say how much delay is needed (see adapt)
    int m_lateFloorMs = 0;         // raised by late packets, for a while
    qint64 m_lateFloorUntilMs = 0;
    Stats m_stats;
};
