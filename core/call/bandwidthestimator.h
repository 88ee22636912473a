#pragma once

#include "protocol/callreport.h"

#include <QSize>

// How much a call may send, and how to spend it (issue 13, "Adapting to the network"). A plain
// class fed with numbers and times, so it is tested with synthetic traces, without sockets or
// devices. Two signals of a path that is too slow feed it:
// - the send queue: media handed to the session's socket and not yet taken by the kernel
//   (SessionSocket::queuedMediaBytes); it grows as soon as the uplink is slower than the media;
// - the far end's receiver reports (call_report, docs/protocol.md 13.2): loss, and the queue on
//   the whole path as the one-way delay above its smallest (clocks need not agree).
// The controller is AIMD like WebRTC's GCC: on overuse the estimate drops at once to 85% of
// what got through (less while a long queue waits, so it drains in seconds), once while TCP
// recovers lost segments, and is held while the queue drains; otherwise it grows (8% a second, 4%
// near the rate that last overflowed, 15% once nothing has said "too much" for 4 s), but while the
// media uses its share, to no more than 15% above what the path delivered over the last
// second: a probe finds a cap by a small queue, not by a second of overshoot. The estimate is then
// split with audio first: the voice keeps its 24 kbit/s until video is at its floor (150 kbit/s);
// only then does the voice give way, down to 12 kbit/s. Video's share picks VP8's target and a step
// of the ladder 320x240@15 -> 640x480@30 -> 1280x720@30, with hysteresis (a step up waits for the
// rate to hold for seconds, well above the rate that steps down) so it does not flap.
class BandwidthEstimator
{
public:
    static constexpr int kMinVideoKbps = 150;
    static constexpr int kMaxVideoKbps = 2500;
    static constexpr int kAudioKbps = 24;         // Opus' rate when there is room
    static constexpr int kMinAudioKbps = 12;      // the least it is given
    static constexpr int kAudioOverheadKbps = 10; // 50 packets/s of header and framing
    static constexpr int kMinEstimateKbps = 40;
    static constexpr int kMaxEstimateKbps = kMaxVideoKbps + 200;
    static constexpr int kStartKbps = 1000;
    static constexpr int kSteps = 3;

    struct Step
    {
        QSize size;
        int fps;
        int maxKbps; // more would not look better at this size
    };
    static Step step(int index);

    struct Allocation
    {
        int estimateKbps = kStartKbps;
        int audioBitrate = kAudioKbps * 1000; // bit/s, for OPUS_SET_BITRATE
        int audioLossPercent = 10;            // for OPUS_SET_PACKET_LOSS_PERC (in-band FEC)
        int videoKbps = 800;                  // VP8's rc_target_bitrate
        int step = 1;                         // of the ladder, 0..kSteps-1

        bool operator==(const Allocation &o) const
        {
            return estimateKbps == o.estimateKbps && audioBitrate == o.audioBitrate &&
                   audioLossPercent == o.audioLossPercent && videoKbps == o.videoKbps &&
                   step == o.step;
        }
        bool operator!=(const Allocation &o) const { return !(*this == o); }
    };

    explicit BandwidthEstimator(int startKbps = kStartKbps);

    // The highest step the camera offers (its pictures are at least that large).
    void setMaxStep(int step);
    int maxStep() const { return m_maxStep; }
    // A ceiling on the estimate in kbit/s, 0 for none, in force at once (the allocation follows
    // now, not at the next update): what the user lets calls use, or the benchmarks' oracle that
    // knows a link's new rate the instant it changes (docs/benchmarks.md, the floor after a
    // drop). At most kMaxEstimateKbps; below kMinEstimateKbps it is kMinEstimateKbps.
    void setCeiling(qint64 nowMs, int kbps);
    int ceiling() const { return m_ceilingKbps; }

    // The send queue, sampled every 100-250 ms: bytes waiting now, all the media bytes ever
    // handed to the socket and not dropped (a running count), and all the bytes of stale
    // video the socket dropped (a running count: SessionSocket drops video that waited too
    // long). A drop is overuse at once: the queue was already longer than video may wait.
    //
    // `recovering`: the connection's TCP is recovering lost segments (TcpSendBuffer::recovering).
    // Then nothing drains for a while whatever the path's rate, so that is not read as the
    // rate: one cut for the whole recovery, none below half of what was delivered before it
    // (else each sample of "nothing got through" cut again, down to the floor, and the
    // estimate needed 15 s to climb back; docs/benchmarks.md, netlab section).
    void onSendQueue(qint64 nowMs, qint64 queuedBytes, qint64 handedBytes, qint64 droppedBytes = 0,
                     bool recovering = false);
    // The far end's report on what it received.
    void onReport(qint64 nowMs, const CallReport &report);
    // Grows the estimate when nothing says otherwise; call as often as onSendQueue.
    void update(qint64 nowMs);

    int estimateKbps() const { return int(m_estimate); }
    Allocation allocation() const { return m_allocation; }
    // How often the estimate was cut (for tests and logs).
    int decreases() const { return m_decreases; }

private:
    void decrease(qint64 nowMs, double throughputKbps, double queueMs);
    void allocate(qint64 nowMs);

    double m_estimate;
    int m_maxStep = kSteps - 1;
    int m_ceilingKbps = 0;
    qint64 m_lastUpdateMs = -1;
    qint64 m_lastDecreaseMs = -1;
    double m_overflowKbps = 0; // what got through when the path last overflowed; 0 = unknown
    int m_decreases = 0;
    // An episode of trouble: from a cut until something drains again with TCP not recovering,
    // at least kDecreaseHoldMs. No second cut within one while TCP recovers.
    bool m_inEpisode = false;
    bool m_recovering = false; // TCP recovering, or nothing drained while something waited
    // What the last full window without an episode or a recovery delivered (kbit/s).
    double m_deliveredKbps = 0;
    bool m_windowTroubled = false; // the current window saw an episode or a recovery
    double m_offeredKbps = 0;      // handed to the socket over the last full window
    qint64 m_windowStartHanded = 0;

    // Send queue
    qint64 m_queueMs = -1;
    qint64 m_queued = 0;
    qint64 m_handed = 0;
    qint64 m_dropped = 0;
    int m_queueGrowing = 0; // samples in a row over the limit and growing
    // Drained bytes over the last second: (time, running total) at its start.
    qint64 m_drainedTotal = 0;
    qint64 m_windowStartMs = -1;
    qint64 m_windowStartTotal = 0;
    double m_throughputKbps = 0;

    // Reports
    qint64 m_holdUntilMs = -1;   // no growth before this: the last report saw trouble
    qint64 m_lastTroubleMs = -1; // the last report that cut or held
    int m_lastDelayMs = -1;
    int m_lossPercent = 0;

    // Ladder
    qint64 m_upSinceMs = -1; // when the rate first allowed the next step up, -1: it does not
    Allocation m_allocation;
};
