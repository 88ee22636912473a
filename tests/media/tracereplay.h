#pragma once

#include "jittertrace.h"
#include "media/jitterbuffer.h"

#include <vector>

// Plays a JitterTrace through a JitterBuffer as a call would, on a simulated clock: packets
// are pushed at their arrival times and frames popped at the sound card's own pace, the two
// interleaved in time order (never one pop per push). No sleeps, no wall clock: the same
// trace gives the same figures on any machine.
class TraceReplay
{
public:
    struct Options
    {
        int pullFrames = 1; // a sound card that takes this many frames at once
        qint64 phaseMs = 7; // pops fall between the sender's 20 ms ticks, not on them
        int minFrames = 2;  // JitterBuffer's limits
        int maxFrames = 25;
    };
    struct Played
    {
        qint64 atMs; // when it was popped
        quint32 sequence;
        double addedMs; // popped at, minus sent at, minus the trace's fastest transit
    };
    struct Result
    {
        int packets = 0;         // that arrived
        int frames = 0;          // popped since playout began
        int late = 0;            // packets that arrived after their turn
        int concealed = 0;       // frames concealed for a missing packet
        int dropped = 0;         // frames dropped to shorten the delay
        int stretched = 0;       // frames inserted to lengthen it
        int droppedInSpeech = 0; // packets on time but never played, sent while talking
        double p95JitterMs = 0;
        double meanAddedMs = 0;
        double p95AddedMs = 0;
        std::vector<Played> played;
        JitterBuffer::Stats stats;

        double latePercent() const { return packets ? 100.0 * late / packets : 0; }
        double concealedPercent() const { return frames ? 100.0 * concealed / frames : 0; }
        // Over packets sent in [fromMs, toMs): late ones and the added delay.
        int lateBetween(qint64 fromMs, qint64 toMs) const;
        double meanAddedBetween(qint64 fromMs, qint64 toMs) const;
        double minAddedBetween(qint64 fromMs, qint64 toMs) const;
        // After a stall that ended at stallEndMs: how long until the added delay is back
        // within boundMs for good (to the end of the trace or nextStallMs).
        double recoveryMs(qint64 stallEndMs, double boundMs, qint64 untilMs) const;

        std::vector<quint32> lateSequences; // for lateBetween
    };

    static Result run(const JitterTrace &trace, const Options &options);
    static Result run(const JitterTrace &trace) { return run(trace, Options()); }
};
