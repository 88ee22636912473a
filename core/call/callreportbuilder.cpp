#include "call/callreportbuilder.h"

#include <algorithm>
#include <cmath>

namespace {
constexpr qint32 kResyncDistance = 1000; // a jump further is a restarted count, not loss
constexpr size_t kBaselineReports = 30;  // the empty path: the smallest delay of 30 s
} // namespace

void CallReportBuilder::reset()
{
    *this = CallReportBuilder();
}

void CallReportBuilder::onPacket(qint64 arrivalUs, const MediaPacketHeader &header, qsizetype bytes)
{
    if (m_intervalStartUs < 0)
        m_intervalStartUs = arrivalUs;
    m_bytes += bytes;
    Stream &s = header.kind == MediaPacketHeader::Audio ? m_audio : m_video;
    if (s.started) {
        const qint32 gap = qint32(header.sequence - s.expected);
        if (gap < 0 && gap > -kResyncDistance)
            return; // late or duplicate
        if (gap > 0 && gap < kResyncDistance)
            s.missing += gap;
    }
    s.started = true;
    s.expected = header.sequence + 1;
    ++s.received;
    if (header.kind != MediaPacketHeader::Audio)
        return;
    const qint64 transit = arrivalUs - qint64(header.captureTimeUs);
    if (m_haveTransit) {
        // RFC 3550's interarrival jitter: the smoothed change of the transit time.
        const double d = std::abs(double(transit - m_lastTransitUs));
        m_jitterUs += (d - m_jitterUs) / 16.0;
    }
    m_haveTransit = true;
    m_lastTransitUs = transit;
    if (m_transits.size() < 10000) // 50 a second; bounded if take() is late
        m_transits.push_back(transit);
}

CallReport CallReportBuilder::take(qint64 nowUs)
{
    CallReport r;
    const qint64 spanUs = m_intervalStartUs < 0 ? 0 : nowUs - m_intervalStartUs;
    r.intervalMs = int(
        std::clamp<qint64>(spanUs / 1000, CallReport::kMinIntervalMs, CallReport::kMaxIntervalMs));
    const int missing = m_audio.missing + m_video.missing;
    const int due = m_audio.received + m_video.received + missing;
    r.lossPermille = due > 0 ? int(qint64(missing) * 1000 / due) : 0;
    r.jitterMs = int(std::min<double>(CallReport::kMaxJitterMs, m_jitterUs / 1000.0));
    r.kbps = int(
        std::min<qint64>(CallReport::kMaxKbps, m_bytes * 8 * 1000 / std::max<qint64>(1, spanUs)));
    if (!m_transits.empty()) {
        const auto mid = m_transits.begin() + long(m_transits.size() / 2);
        std::nth_element(m_transits.begin(), mid, m_transits.end());
        const qint64 median = *mid;
        m_minima.push_back(*std::min_element(m_transits.begin(), m_transits.end()));
        while (m_minima.size() > kBaselineReports)
            m_minima.pop_front();
        const qint64 baseline = *std::min_element(m_minima.begin(), m_minima.end());
        r.delayMs = int(std::clamp<qint64>((median - baseline) / 1000, 0, CallReport::kMaxDelayMs));
    }
    m_transits.clear();
    m_audio.received = m_audio.missing = 0;
    m_video.received = m_video.missing = 0;
    m_bytes = 0;
    m_intervalStartUs = nowUs;
    return r;
}
