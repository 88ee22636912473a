#include "media/jitterbuffer.h"

#include <cmath>

JitterBuffer::JitterBuffer(int frameMs, int minFrames, int maxFrames)
    : m_frameMs(frameMs), m_minFrames(minFrames), m_maxFrames(maxFrames), m_targetFrames(minFrames)
{}

void JitterBuffer::adapt(qint64 transitMs)
{
    // RFC 3550 inter-arrival jitter: a smoothed mean of how much the transit time varies.
    if (m_haveTransit) {
        const double d = std::abs(double(transitMs - m_lastTransit));
        m_jitterMs += (d - m_jitterMs) / 16.0;
    }
    m_lastTransit = transitMs;
    m_haveTransit = true;
    // Enough frames to ride out about three times the jitter, one frame of slack.
    const int wanted = int(std::ceil(3.0 * m_jitterMs / m_frameMs)) + 1;
    m_targetFrames = qBound(m_minFrames, wanted, m_maxFrames);
}

void JitterBuffer::push(const Packet &packet, qint64 arrivalMs)
{
    ++m_stats.received;
    if (m_base < 0)
        m_base = packet.sequence;
    if (m_playing && before(packet.sequence, m_next)) {
        ++m_stats.late; // its turn has passed: playing it now would only add delay
        return;
    }
    // Unwrap relative to the first sequence so the map stays ordered across 2^32.
    const qint64 key = qint64(qint32(packet.sequence - quint32(m_base)));
    if (m_packets.count(key)) {
        ++m_stats.duplicates;
        return;
    }
    // The sender's clock is the sequence (20 ms per packet); arrival minus that is transit.
    adapt(arrivalMs - key * m_frameMs);
    m_packets.emplace(key, packet);
    // Far more queued than needed (after a burst): drop the oldest to cut the delay.
    while (int(m_packets.size()) > m_targetFrames + m_maxFrames) {
        m_packets.erase(m_packets.begin());
        ++m_stats.dropped;
        if (m_playing)
            m_next = m_packets.begin()->second.sequence;
    }
}

JitterBuffer::Output JitterBuffer::pop()
{
    Output out;
    if (!m_playing) {
        if (int(m_packets.size()) < m_targetFrames)
            return out; // still filling up to the target delay
        m_playing = true;
        m_next = m_packets.begin()->second.sequence;
    }
    if (m_packets.empty()) {
        out.kind = Kind::Lost; // underrun: conceal and keep the pace
        ++m_stats.lost;
        ++m_next;
        return out;
    }
    auto first = m_packets.begin();
    if (first->second.sequence == m_next) {
        out.kind = Kind::Packet;
        out.packet = first->second;
        m_packets.erase(first);
    } else {
        out.kind = Kind::Lost;
        ++m_stats.lost;
        if (first->second.sequence == m_next + 1)
            out.next = first->second.payload;
    }
    ++m_next;
    return out;
}
