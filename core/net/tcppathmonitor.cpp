#include "net/tcppathmonitor.h"

#include <algorithm>
#include <climits>

void TcpPathMonitor::add(qint64 nowMs, const TcpSendBuffer::PathSample &sample)
{
    if (!sample.valid) {
        reset();
        return;
    }
    m_view.recovering = sample.recovering;
    m_view.queueMs = sample.rttUs > 0 && sample.minRttUs > 0
                         ? int(std::max<qint64>(0, sample.rttUs - sample.minRttUs) / 1000)
                         : -1;
    // A count that went back is another connection: start over.
    if (!m_acked.empty() && (sample.bytesAcked < m_acked.back().bytes || nowMs < m_acked.back().ms))
        m_acked.clear();
    m_acked.push_back({nowMs, sample.bytesAcked});
    // Keep one sample at or before the window's start.
    while (m_acked.size() > 2 && nowMs - m_acked[1].ms >= kRateWindowMs)
        m_acked.pop_front();
    const Acked &first = m_acked.front();
    const qint64 span = nowMs - first.ms;
    m_view.ackedKbps =
        span >= kRateWindowMs
            ? int(std::min<quint64>((sample.bytesAcked - first.bytes) * 8 / quint64(span), INT_MAX))
            : -1;
}

void TcpPathMonitor::reset()
{
    m_acked.clear();
    m_view = {};
}
