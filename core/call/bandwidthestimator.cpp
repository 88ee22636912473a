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
// No cut and no report of trouble for this long: the estimate grows faster.
constexpr qint64 kQuietMs = 4000;
// The ladder's steps up wait for the rate to hold this long.
constexpr qint64 kStepUpHoldMs = 3000;
// Video's share from the rest of the estimate: VP8's frames also pay header and framing.
constexpr double kVideoShare = 0.95;
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
                                     qint64 droppedBytes)
{
    const bool dropped = droppedBytes > m_dropped;
    m_dropped = droppedBytes;
    if (m_queueMs >= 0 && nowMs > m_queueMs) {
        // What left the queue for the kernel since the last sample: handed in minus growth.
        const qint64 drained =
            std::max<qint64>(0, (handedBytes - m_handed) - (queuedBytes - m_queued));
        m_drainedTotal += drained;
        if (m_windowStartMs < 0) {
            m_windowStartMs = m_queueMs;
            m_windowStartTotal = 0;
        }
        const qint64 span = nowMs - m_windowStartMs;
        if (span >= 1000) {
            m_throughputKbps = double(m_drainedTotal - m_windowStartTotal) * 8 / double(span);
            m_windowStartMs = nowMs;
            m_windowStartTotal = m_drainedTotal;
        }
        // Only a queue that grows: one that drains after a cut is what the cut was for.
        const double queueMs = double(queuedBytes) * 8 / std::max(1.0, m_estimate);
        if (queueMs > kQueueLimitMs && queuedBytes > m_queued)
            ++m_queueGrowing;
        else
            m_queueGrowing = 0;
        // Two samples in a row: one large keyframe alone is no overuse. Stale video dropped
        // is: the queue was already longer than video may wait.
        if (m_queueGrowing >= 2 || dropped) {
            // What drained over the last interval is the uplink's rate now.
            const double recent = double(drained) * 8 / double(nowMs - m_queueMs);
            decrease(nowMs, m_throughputKbps > 0 ? std::min(m_throughputKbps, recent) : recent,
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
    const bool standing = delay >= 250 && (previous < 0 || delay > previous - 20);
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

void BandwidthEstimator::decrease(qint64 nowMs, double throughputKbps, double queueMs)
{
    const double through = throughputKbps > 0 ? std::min(throughputKbps, m_estimate) : m_estimate;
    // 85% of what got through, and less while a long queue waits, so that it drains in a few
    // seconds rather than at 15% of the link's rate (a 2 s queue: half of what got through).
    const double drain = std::clamp(queueMs / 4000.0, 0.0, 0.35);
    const double target = std::max<double>(kMinEstimateKbps, (0.85 - drain) * through);
    if (target >= m_estimate)
        return;
    // Soon after a cut, only a clearly lower target: the same queue must not cut twice.
    if (m_lastDecreaseMs >= 0 && nowMs - m_lastDecreaseMs < kDecreaseHoldMs &&
        target > 0.9 * m_estimate)
        return;
    m_overflowKbps = through;
    m_estimate = target;
    m_lastDecreaseMs = nowMs;
    m_queueGrowing = 0;
    ++m_decreases;
    allocate(nowMs);
}

void BandwidthEstimator::update(qint64 nowMs)
{
    const qint64 dt = m_lastUpdateMs < 0 ? 0 : std::max<qint64>(0, nowMs - m_lastUpdateMs);
    m_lastUpdateMs = nowMs;
    const bool held = (m_holdUntilMs >= 0 && nowMs < m_holdUntilMs) ||
                      (m_lastDecreaseMs >= 0 && nowMs - m_lastDecreaseMs < 2 * kDecreaseHoldMs) ||
                      m_queueGrowing > 0;
    if (!held && dt > 0) {
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
        const double perSecond = near ? 0.04 : quiet ? 0.15 : 0.08;
        m_estimate *= std::pow(1.0 + perSecond, double(dt) / 1000.0);
        m_estimate += 5.0 * double(dt) / 1000.0; // so that the floor can climb at all
        m_estimate = std::min<double>(m_estimate, kMaxEstimateKbps);
    }
    allocate(nowMs);
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
    const int upFrom = s == 0 ? 420 : 1500;
    if (s < m_maxStep && videoKbps >= upFrom) {
        if (m_upSinceMs < 0)
            m_upSinceMs = nowMs;
        if (nowMs - m_upSinceMs >= kStepUpHoldMs) {
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
