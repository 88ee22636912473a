#include "call/bandwidthestimator.h"

#include <QtGlobal>

#include <algorithm>
#include <cmath>

namespace {
// A decrease is followed by at least this long without another: the queue that made it
// needs time to drain, and cutting again for the same queue would collapse the estimate.
constexpr qint64 kDecreaseHoldMs = 700;
// Bytes waiting over this much of the estimate's second (in ms) is a queue that builds.
constexpr double kQueueLimitMs = 100;
// A report's hold on growth lasts this long when no newer report lifts it.
constexpr qint64 kReportHoldMs = 1500;
// A standing delay reported this soon after a cut is what the cut is still draining.
constexpr qint64 kStandingCutGapMs = 2500;
// No cut and no report of trouble for this long: the estimate grows faster.
constexpr qint64 kQuietMs = 4000;
// The ladder's steps up wait for the rate to hold this long.
constexpr qint64 kStepUpHoldMs = 3000;
// ... or this long while a probe tests the rate with real bytes all along.
constexpr qint64 kStepUpHoldProbedMs = 2000;
// Video's share from the rest of the estimate: VP8's frames also pay header and framing.
constexpr double kVideoShare = 0.95;
// What the media sends at the least, whatever the estimate.
constexpr double kFloorsKbps = BandwidthEstimator::kMinVideoKbps / kVideoShare +
                               BandwidthEstimator::kMinAudioKbps +
                               BandwidthEstimator::kAudioOverheadKbps;
// While TCP recovers, no cut goes below this share of what was delivered before.
constexpr double kRecoveryFloorShare = 0.5;
// Probing grows the estimate to at most this much above what the path delivered in the last
// second when the path did not keep up with what was offered (less than kKeptUpShare of it
// drained). An encoder that sends less than its target (a still picture) is no sign of the
// path's limit, so it is what was offered, not the estimate, that the delivered rate is held
// against.
constexpr double kProbeAhead = 1.15;
constexpr double kKeptUpShare = 0.95;
// A probe goes this far over what the next step of the ladder needs.
constexpr double kProbeHeadroom = 1.1;
// TCP's round trip this little over its smallest is a path without a queue.
constexpr int kClearPathMs = 20;
} // namespace

BandwidthEstimator::Step BandwidthEstimator::step(int index)
{
    switch (qBound(0, index, kSteps - 1)) {
    case 0:
        return {QSize(320, 240), 15, 500};
    case 1:
        return {QSize(640, 480), 30, 1500};
    default:
        return {QSize(1280, 720), 30, kMaxVideoKbps};
    }
}

BandwidthEstimator::BandwidthEstimator(int startKbps)
    : m_estimate(qBound(kMinEstimateKbps, startKbps, kMaxEstimateKbps))
{
    allocate(0);
}

void BandwidthEstimator::setMaxStep(int step)
{
    m_maxStep = qBound(0, step, kSteps - 1);
    if (m_allocation.step > m_maxStep) {
        m_allocation.step = m_maxStep;
        m_allocation.videoKbps =
            std::min(m_allocation.videoKbps, BandwidthEstimator::step(m_maxStep).maxKbps);
    }
}

void BandwidthEstimator::onSendQueue(qint64 nowMs, qint64 queuedBytes, qint64 handedBytes,
                                     qint64 droppedBytes, bool recovering)
{
    const bool dropped = droppedBytes > m_dropped;
    m_dropped = droppedBytes;
    if (m_queueMs >= 0 && nowMs > m_queueMs) {
        // What left the queue for the kernel since the last sample: handed in minus growth.
        const qint64 drained =
            std::max<qint64>(0, (handedBytes - m_handed) - (queuedBytes - m_queued));
        m_drainedTotal += drained;
        // Nothing drained while something waited: the connection is stalled (TCP waiting for
        // a retransmission), which says as little about the rate as a recovery does.
        m_recovering = recovering || (drained == 0 && queuedBytes > 0 && m_queued > 0);
        // The episode ends once something drains with TCP not recovering and the queue no
        // longer grows, or has grown for two hold times (the cut was not enough).
        const qint64 sinceCut = nowMs - m_lastDecreaseMs;
        if (m_inEpisode && !m_recovering && drained > 0 && sinceCut >= kDecreaseHoldMs &&
            (queuedBytes <= m_queued || sinceCut >= 2 * kDecreaseHoldMs))
            m_inEpisode = false;
        if (m_inEpisode || m_recovering)
            m_windowTroubled = true;
        if (m_windowStartMs < 0) {
            m_windowStartMs = m_queueMs;
            m_windowStartTotal = 0;
            m_windowStartHanded = m_handed;
        }
        const qint64 span = nowMs - m_windowStartMs;
        if (span >= 1000) {
            m_throughputKbps = double(m_drainedTotal - m_windowStartTotal) * 8 / double(span);
            m_offeredKbps = double(handedBytes - m_windowStartHanded) * 8 / double(span);
            if (!m_windowTroubled)
                m_deliveredKbps = m_throughputKbps;
            m_windowTroubled = m_inEpisode || m_recovering;
            m_windowStartMs = nowMs;
            m_windowStartTotal = m_drainedTotal;
            m_windowStartHanded = handedBytes;
        }
        // Only a queue that grows: one that drains after a cut is what the cut was for.
        // Measured against what is really sent: under ~170 kbit/s the media's floors (video
        // 150, voice 12, framing 10) send more than the estimate, and against the estimate
        // alone one 320x240 frame read as a queue that builds, cutting again and again down to
        // 40 kbit/s on a 400 kbit/s link (the netlab drop, 22-26 s).
        const double sentKbps = std::max(m_estimate, kFloorsKbps);
        const double queueMs = double(queuedBytes) * 8 / sentKbps;
        if (queueMs > kQueueLimitMs && queuedBytes > m_queued)
            ++m_queueGrowing;
        else
            m_queueGrowing = 0;
        // Two samples in a row: one large keyframe alone is no overuse. Stale video dropped
        // is: the queue was already longer than video may wait.
        if (m_queueGrowing >= 2 || dropped) {
            // What drained over the last interval is the uplink's rate now. The last second's
            // rate only bounds it when TCP neither recovered nor stalled in it (a second that
            // held a recovery says little more than "nothing got through").
            const double recent = double(drained) * 8 / double(nowMs - m_queueMs);
            decrease(nowMs, m_deliveredKbps > 0 ? std::min(m_deliveredKbps, recent) : recent,
                     queueMs);
        }
    }
    m_queueMs = nowMs;
    m_queued = queuedBytes;
    m_handed = handedBytes;
}

void BandwidthEstimator::onReport(qint64 nowMs, const CallReport &report)
{
    m_lossPercent = (report.lossPermille + 5) / 10;
    const int delay = report.delayMs;
    const int previous = m_lastDelayMs;
    m_lastDelayMs = delay;
    const bool rising = previous >= 0 && delay - previous >= 30 && delay >= 60;
    // A delay that stands (neither grows nor falls) cuts only when the last cut is older than
    // two reports: the first report after a cut still averages what queued before it, and
    // the queue a cut leaves drains over the next second or two. Cutting again for it took
    // the estimate from 2.2 Mbit/s to 90 kbit/s in three reports on the netlab drop.
    const bool settled = m_lastDecreaseMs < 0 || nowMs - m_lastDecreaseMs >= kStandingCutGapMs;
    const bool standing = delay >= 250 && (previous < 0 || delay > previous - 20) && settled;
    if (report.lossPermille > 100 || rising || standing) {
        decrease(nowMs, report.kbps > 0 ? report.kbps : m_estimate, delay);
        m_holdUntilMs = nowMs + kReportHoldMs;
        m_lastTroubleMs = nowMs;
    } else if (report.lossPermille > 20 || (previous >= 0 && delay > previous + 10) ||
               delay >= 100) {
        // Some loss, a queue that builds slowly or drains: stay, neither cut nor grow.
        m_holdUntilMs = nowMs + kReportHoldMs;
        m_lastTroubleMs = nowMs;
    } else {
        m_holdUntilMs = -1;
    }
    allocate(nowMs);
}

void BandwidthEstimator::setProbing(bool available)
{
    m_probing = available;
    if (!available)
        m_probeKbps = 0;
}

void BandwidthEstimator::onTcpPath(qint64 nowMs, int queueMs, int ackedKbps, bool recovering,
                                   qint64 sendQueueBytes)
{
    m_pathQueueMs = queueMs;
    // A probe that queues while less than it asked for gets through has found the path's
    // rate: back to what got through, and no probe for a while. A keyframe's queue on a path
    // faster than the probe is no failure: what got through was not less.
    if (m_probeKbps > 0 && queueMs >= kProbeQueueMs &&
        (ackedKbps <= 0 || ackedKbps < 0.95 * m_probeKbps)) {
        const int probed = m_probeKbps;
        m_probeKbps = 0;
        m_probeBackoffUntilMs = nowMs + kProbeBackoffMs;
        ++m_probeFailures;
        decrease(nowMs, ackedKbps > 0 ? ackedKbps : probed / 1.15, queueMs, !recovering);
        allocate(nowMs);
        return;
    }
    const bool queued = queueMs >= kPathQueueMs ||
                        (queueMs >= kPathEarlyQueueMs && sendQueueBytes >= kPathBackedUpBytes);
    if (!queued || ackedKbps <= 0 || ackedKbps >= kPathCutShare * m_estimate)
        return;
    if (recovering)
        m_recovering = true;
    decrease(nowMs, ackedKbps, queueMs, !recovering);
}

void BandwidthEstimator::decrease(qint64 nowMs, double throughputKbps, double queueMs,
                                  bool measured)
{
    // While TCP recovers lost segments nothing drains, whatever the path's rate: one cut for
    // the whole recovery, and none below half of what was delivered before it. Else every
    // sample of "nothing got through" cut again, down to the floor (docs/benchmarks.md).
    const bool recovering = m_recovering && !measured;
    if (recovering && m_inEpisode)
        return;
    const double through = throughputKbps > 0 ? std::min(throughputKbps, m_estimate) : m_estimate;
    // 85% of what got through, and less while a long queue waits, so that it drains in a few
    // seconds rather than at 15% of the link's rate (a 2 s queue: half of what got through).
    // TCP's queue is what stands at the bottleneck itself, a quarter second of it a lot: it
    // weighs more (250 ms: 55% of what got through).
    const double drain =
        std::clamp(queueMs / (measured ? 800.0 : 4000.0), 0.0, measured ? 0.45 : 0.35);
    double floor = kMinEstimateKbps;
    if (recovering)
        floor = std::max(floor, kRecoveryFloorShare * m_deliveredKbps);
    const double target = std::max<double>(floor, (0.85 - drain) * through);
    if (target >= m_estimate)
        return;
    // Soon after a cut, only a clearly lower target: the same queue must not cut twice.
    if (m_lastDecreaseMs >= 0 && nowMs - m_lastDecreaseMs < kDecreaseHoldMs &&
        target > 0.9 * m_estimate)
        return;
    m_overflowKbps = through;
    m_estimate = target;
    m_lastDecreaseMs = nowMs;
    m_inEpisode = true;
    m_windowTroubled = true;
    m_queueGrowing = 0;
    ++m_decreases;
    allocate(nowMs);
}

void BandwidthEstimator::setCeiling(qint64 nowMs, int kbps)
{
    m_ceilingKbps = kbps <= 0 ? 0 : qBound(kMinEstimateKbps, kbps, kMaxEstimateKbps);
    if (m_ceilingKbps > 0 && m_estimate > m_ceilingKbps)
        m_estimate = m_ceilingKbps;
    allocate(nowMs);
}

void BandwidthEstimator::update(qint64 nowMs)
{
    const qint64 dt = m_lastUpdateMs < 0 ? 0 : std::max<qint64>(0, nowMs - m_lastUpdateMs);
    m_lastUpdateMs = nowMs;
    const bool held = (m_holdUntilMs >= 0 && nowMs < m_holdUntilMs) ||
                      (m_lastDecreaseMs >= 0 && nowMs - m_lastDecreaseMs < 2 * kDecreaseHoldMs) ||
                      m_queueGrowing > 0;
    // Below the top of the ladder, with probes, the estimate grows only while a probe tests
    // it: not in the back-off after a failed one.
    const bool belowTop = m_allocation.step < m_maxStep;
    const bool backingOff = m_probing && belowTop && nowMs < m_probeBackoffUntilMs;
    m_probeKbps = m_probing && belowTop && !held && !backingOff
                      ? int(std::min(m_estimate, kProbeHeadroom * nextStepKbps(m_allocation.step)))
                      : 0;
    if (!held && !backingOff && dt > 0) {
        // Near the rate that overflowed last, carefully; far from it (or once well past it,
        // when the path has changed) faster.
        if (m_overflowKbps > 0 && m_estimate > 1.1 * m_overflowKbps)
            m_overflowKbps = 0;
        const bool near = m_overflowKbps > 0 && m_estimate > 0.9 * m_overflowKbps;
        // A path quiet for a while (no cut, no report of trouble) gets probed faster: after a
        // restored link the estimate must climb from a few hundred kbit/s to megabits within
        // seconds, not a minute, and an overshoot now costs a few hundred ms of queue at most
        // (stale video is dropped and cuts the estimate at the next sample).
        const qint64 quietSince = std::max(m_lastDecreaseMs, m_lastTroubleMs);
        const bool quiet = quietSince < 0 || nowMs - quietSince >= kQuietMs;
        // A probe on a path that shows no queue (TCP's round trip at its smallest): real bytes
        // test each step, so it may climb fast (after a restore, 200 kbit/s to the next step
        // of the ladder within seconds).
        const bool clear = m_probeKbps > 0 && m_pathQueueMs >= 0 && m_pathQueueMs < kClearPathMs;
        const double perSecond = clear ? kProbeGrowth : near ? 0.04 : quiet ? 0.15 : 0.08;
        double grown = m_estimate * std::pow(1.0 + perSecond, double(dt) / 1000.0);
        grown += 5.0 * double(dt) / 1000.0; // so that the floor can climb at all
        // Once the path stops keeping up with what is offered, a probe runs at most a little
        // ahead of what it delivered: on a capped link the queue that says "enough" then
        // builds from a small excess, not after a second of 15% growth past the cap.
        if (m_throughputKbps > 0 && m_throughputKbps < kKeptUpShare * m_offeredKbps)
            grown = std::min(grown, std::max(m_estimate, kProbeAhead * m_throughputKbps));
        m_estimate = std::min<double>(grown, m_ceilingKbps > 0 ? m_ceilingKbps : kMaxEstimateKbps);
    }
    allocate(nowMs);
}

double BandwidthEstimator::nextStepKbps(int step)
{
    // The estimate at which video's share reaches the step up (allocate's thresholds).
    const int upFrom = step <= 0 ? kStepUpFromKbps[0] : kStepUpFromKbps[1];
    return upFrom / kVideoShare + kAudioKbps + kAudioOverheadKbps;
}

void BandwidthEstimator::allocate(qint64 nowMs)
{
    Allocation a;
    a.estimateKbps = int(m_estimate);
    // Audio first: its rate stays until video is at its floor; only the rest goes to video.
    const double rest = m_estimate - kAudioOverheadKbps - kMinVideoKbps / kVideoShare;
    const int audioKbps = qBound(kMinAudioKbps, int(rest), kAudioKbps);
    a.audioBitrate = audioKbps * 1000;
    a.audioLossPercent = qBound(5, 2 * m_lossPercent + 5, 30);
    const double video = (m_estimate - audioKbps - kAudioOverheadKbps) * kVideoShare;
    const int videoKbps = qBound(kMinVideoKbps, int(video), kMaxVideoKbps);

    // The ladder: down at once, up only after the rate held for a while.
    int s = std::min(m_allocation.step, m_maxStep);
    if (s == 2 && videoKbps < 1000)
        s = 1;
    if (s == 1 && videoKbps < 280)
        s = 0;
    const int upFrom = kStepUpFromKbps[std::min(s, 1)];
    if (s < m_maxStep && videoKbps >= upFrom) {
        if (m_upSinceMs < 0)
            m_upSinceMs = nowMs;
        if (nowMs - m_upSinceMs >= (m_probeKbps > 0 ? kStepUpHoldProbedMs : kStepUpHoldMs)) {
            ++s;
            m_upSinceMs = -1;
        }
    } else {
        m_upSinceMs = -1;
    }
    if (s != m_allocation.step)
        m_upSinceMs = -1;
    a.step = s;
    a.videoKbps = std::min(videoKbps, step(s).maxKbps);
    m_allocation = a;
}
