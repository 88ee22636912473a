#pragma once

#include <QtGlobal>

#include <algorithm>
#include <atomic>

// Packets handed to a pipeline's thread and not yet taken by it. The thread works through
// its queue in order; when it falls behind (a slow decoder, a busy machine) more packets
// would only queue up seconds of stale video and memory without bound. So the one
// producer drops what goes over the limit, and the pipeline, seeing the gap in the
// sequence, waits for a keyframe and asks the sender for one.
class MediaBacklog
{
public:
    MediaBacklog(int maxPackets, qsizetype maxBytes)
        : m_maxPackets(maxPackets), m_maxBytes(maxBytes)
    {}

    // Producer thread (one only): false, and counted as dropped, when over the limit.
    bool tryAdd(qsizetype bytes)
    {
        const int packets = m_packets.load() + 1;
        if (packets > m_maxPackets || m_bytes.load() + bytes > m_maxBytes) {
            m_dropped.fetch_add(1);
            return false;
        }
        m_packets.fetch_add(1);
        m_bytes.fetch_add(bytes);
        m_peakPackets.store(std::max(m_peakPackets.load(), packets));
        return true;
    }

    // Consumer thread: the packet was taken.
    void release(qsizetype bytes)
    {
        m_packets.fetch_sub(1);
        m_bytes.fetch_sub(bytes);
    }

    int dropped() const { return m_dropped.load(); }
    int peakPackets() const { return m_peakPackets.load(); }
    int maxPackets() const { return m_maxPackets; }

private:
    const int m_maxPackets;
    const qsizetype m_maxBytes;
    std::atomic<int> m_packets{0};
    std::atomic<qsizetype> m_bytes{0};
    std::atomic<int> m_dropped{0};
    std::atomic<int> m_peakPackets{0};
};
