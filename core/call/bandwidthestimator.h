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
    // TCP's own view of the uplink (TcpPathMonitor), looked at every few tens of ms: its
    // smoothed round trip over its smallest (queueMs) and the bytes acknowledged per second.
    // A queue of kPathQueueMs or more while less than kPathCutShare of the estimate gets
    // through is a path slower than the estimate, which is cut under the acknowledged rate at
    // once, deeper the longer the queue, so that it drains (docs/benchmarks.md, the floor after
    // a drop). So is half that queue while media backs up in our own socket (sendQueueBytes,
    // kPathBackedUpBytes or more: the kernel takes no more): TCP's smoothed round trip follows
    // a queue that builds only by an eighth an acknowledgement, and every 100 ms of waiting
    // costs the voice a tenth of the first 5 s (the floor measured with a late oracle). While
    // TCP recovers lost segments the acknowledged rate says little (a hole holds it back), and
    // the send queue's recovery rule holds instead.
    void onTcpPath(qint64 nowMs, int queueMs, int ackedKbps, bool recovering,
                   qint64 sendQueueBytes = 0);
    static constexpr int kPathQueueMs = 80;
    static constexpr int kPathEarlyQueueMs = 40;
    static constexpr qint64 kPathBackedUpBytes = 8 * 1024;
    static constexpr double kPathCutShare = 0.8;
    static constexpr int kProbeQueueMs = 40;
    static constexpr qint64 kProbeBackoffMs = 5000;
    static constexpr double kProbeGrowth = 0.3;

    // Whether the sender can probe (the server discards probe packets, docs/protocol.md 12).
    // Then the estimate climbs towards the next step of the ladder only with real bytes:
    // probeKbps() is what the sender fills with probe packets up to, media included. A probe
    // that TCP sees queue (kProbeQueueMs over the smallest round trip, less than it asked for
    // acknowledged) has failed: a cut to what got through, and no probe and no growth for
    // kProbeBackoffMs. While a probe runs on a path without a queue the estimate grows by
    // kProbeGrowth a second. Without probes an encoder that sends less than its target (a
    // still picture at 320x240) let the estimate climb blind past a 400 kbit/s link, and the
    // step up to 640x480 it allowed queued a second of voice (docs/benchmarks.md).
    void setProbing(bool available);
    int probeKbps() const { return m_probeKbps; }
    int probeFailures() const { return m_probeFailures; }

    // The far end's report on what it received.
    void onReport(qint64 nowMs, const CallReport &report);
    // Grows the estimate when nothing says otherwise; call as often as onSendQueue.
    void update(qint64 nowMs);

    int estimateKbps() const { return int(m_estimate); }
    Allocation allocation() const { return m_allocation; }
    // How often the estimate was cut (for tests and logs).
    int decreases() const { return m_decreases; }

private:
    // `measured`: throughputKbps is what TCP saw acknowledged, which a queue in our own socket
    // does not falsify; its queue is in round trip, and weighs more.
    void decrease(qint64 nowMs, double throughputKbps, double queueMs, bool measured = false);
    void allocate(qint64 nowMs);
    static double nextStepKbps(int step);
    // Video's share at which the ladder steps up from step 0 and from step 1.
    static constexpr int kStepUpFromKbps[2] = {420, 1500};

    double m_estimate;
    int m_maxStep = kSteps - 1;
    int m_ceilingKbps = 0;
    // Probes
    bool m_probing = false; // available
    int m_probeKbps = 0;    // asked for now, 0: none
    qint64 m_probeBackoffUntilMs = -1;
    int m_probeFailures = 0;
    int m_pathQueueMs = -1; // TCP's, at the last onTcpPath
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
