#pragma once

#include <QByteArray>
#include <QtGlobal>

#include <deque>
#include <map>

// Orders the audio packets of one sender for playout at a steady 20 ms pace. It waits a
// target delay before it starts, which adapts to the measured jitter (within limits); it
// drops duplicates and packets that come after their turn, and reports a gap as Lost so the
// decoder can conceal it (with the next packet for FEC when that one is already here).
// Plain logic with an explicit clock: tested by feeding packets, no device involved.
class JitterBuffer
{
public:
    struct Packet
    {
        quint32 sequence = 0;
        QByteArray payload;
    };
    enum class Kind { Packet, Lost, Waiting };
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
        int late = 0;
        int lost = 0;
        int dropped = 0; // discarded to bring the delay back down
    };

    explicit JitterBuffer(int frameMs = 20, int minFrames = 2, int maxFrames = 25);

    // A packet arrived at arrivalMs (any monotonic clock).
    void push(const Packet &packet, qint64 arrivalMs);
    // The next frame to play; called every frameMs by the playout clock.
    Output pop();

    int targetFrames() const { return m_targetFrames; }
    int bufferedFrames() const { return int(m_packets.size()); }
    int delayMs() const { return m_targetFrames * m_frameMs; }
    Stats stats() const { return m_stats; }

private:
    static bool before(quint32 a, quint32 b) { return qint32(a - b) < 0; } // with wrap-around
    void adapt(qint64 transitMs);

    int m_frameMs;
    int m_minFrames;
    int m_maxFrames;
    int m_targetFrames;
    bool m_playing = false;
    quint32 m_next = 0;                 // sequence to play next, once playing
    std::map<qint64, Packet> m_packets; // by unwrapped sequence
    qint64 m_base = -1;                 // unwrapping: first sequence seen
    double m_jitterMs = 0;
    qint64 m_lastTransit = 0;
    bool m_haveTransit = false;
    Stats m_stats;
};
