#include "media/jitterbuffer.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace {
// About 10 s of packets: long enough to remember the last burst of jitter through a calm
// spell, short enough to follow a route that got faster or a clock that drifts.
constexpr size_t kWindow = 500;
// The share of packets the delay covers. The rest come late; a late one raises the delay
// at once, for kLateHoldMs, so a burst of spikes costs one glitch, not one each. Both are
// set where the bursty traces of tst_jitterbuffer stay under 1 % late (0.4-0.8 %) at the
// least delay: 0.95 and 10 s kept them at 0.14 % late but 4-5 ms over p95 jitter + 20 ms
// (docs/benchmarks.md, "Jitter buffer").
constexpr double kQuantile = 0.90;
constexpr qint64 kLateHoldMs = 1000;
// A late packet raises the target by at most this many frames at a time: a TCP stall of a
// second is one event, not a reason to play everything a second late from then on (the
// wait for the stalled packets has grown the delay already; it shrinks back in pauses).
constexpr int kLateStepFrames = 1;
// Beyond this much more delay than needed (after a stall), frames go even in speech, one in
// kForceEvery: a short skip now and then is better than talking across half a second.
constexpr int kForceExcessMs = 200;
constexpr int kForceEvery = 5;
// Frames only count as a pause after this many quiet ones in a row: the frame after a single
// quiet one may well be the start of a word.
constexpr int kQuietFrames = 3;
// A packet this far behind its turn means a new stream (the sender restarted), not jitter.
constexpr qint64 kRestartMs = 2000;
} // namespace

JitterBuffer::JitterBuffer(int frameMs, int minFrames, int maxFrames)
    : m_frameMs(frameMs), m_minMs(minFrames * frameMs), m_maxMs(maxFrames * frameMs),
      m_targetMs(m_minMs), m_quantileMs(m_minMs)
{}

qint64 JitterBuffer::minTransit() const
{
    return m_transits.empty() ? 0 : *std::min_element(m_transits.begin(), m_transits.end());
}

void JitterBuffer::adapt(qint64 transitMs, qint64 arrivalMs, bool clustered)
{
    m_transits.push_back(transitMs);
    if (m_transits.size() > kWindow)
        m_transits.pop_front();
    // A packet delivered together with the one before it (the burst after a TCP hold) needs
    // less delay than that one, which is already counted: counting the whole burst would
    // weigh one hold as many times as it held packets, and a stall would swamp the quantile.
    if (!clustered) {
        m_samples.push_back(transitMs);
        if (m_samples.size() > kWindow)
            m_samples.pop_front();
    }
    updateTarget(arrivalMs);
}

void JitterBuffer::updateTarget(qint64 nowMs)
{
    const qint64 base = minTransit();
    std::vector<qint64> jitter;
    jitter.reserve(m_samples.size());
    for (qint64 t : m_samples)
        jitter.push_back(std::max<qint64>(0, t - base));
    qint64 wanted = 0;
    if (!jitter.empty()) {
        const auto at = jitter.begin() + qint64(kQuantile * double(jitter.size() - 1) + 0.5);
        std::nth_element(jitter.begin(), at, jitter.end());
        wanted = *at;
    }
    m_quantileMs = int(std::clamp<qint64>(wanted, m_minMs, m_maxMs));
    if (nowMs < m_lateFloorUntilMs)
        wanted = std::max<qint64>(wanted, m_lateFloorMs);
    else
        m_lateFloorMs = 0;
    m_targetMs = int(std::clamp<qint64>(wanted, m_minMs, m_maxMs));
}

void JitterBuffer::raiseForLate(qint64 transitMs, qint64 nowMs)
{
    // Above what the quantile asks, not above the current target: the many late packets of
    // one stall must not raise it frame after frame.
    const qint64 needed = transitMs - minTransit();
    const qint64 step = std::min<qint64>(needed, m_quantileMs + kLateStepFrames * m_frameMs);
    if (nowMs >= m_lateFloorUntilMs)
        m_lateFloorMs = 0;
    m_lateFloorMs = int(std::max<qint64>(m_lateFloorMs, step));
    m_lateFloorUntilMs = nowMs + kLateHoldMs;
    updateTarget(nowMs);
}

void JitterBuffer::push(const Packet &packet, qint64 arrivalMs)
{
    ++m_stats.received;
    if (m_base < 0) {
        m_base = packet.sequence;
        m_clockMs = arrivalMs - m_frameMs; // for pop() without a clock
    }
    // Unwrap relative to the first sequence so the map stays ordered across 2^32.
    const qint64 key = qint64(qint32(packet.sequence - quint32(m_base)));
    // The sender's clock is the sequence (one frame per packet); arrival minus that is the
    // transit, up to a constant that cancels out.
    const qint64 transit = arrivalMs - key * m_frameMs;
    const bool clustered =
        m_haveArrival && arrivalMs - m_lastArrivalMs < m_frameMs / 4 && transit < m_lastTransitMs;
    m_lastArrivalMs = arrivalMs;
    m_lastTransitMs = transit;
    m_haveArrival = true;

    if (m_playing && key < m_nextKey) {
        if ((m_nextKey - key) * m_frameMs > kRestartMs) {
            restart(); // the sender started over: play the new stream from here
        } else {
            // Its turn has passed: playing it now would only add delay. But it says the
            // delay is too short.
            ++m_stats.late;
            adapt(transit, arrivalMs, clustered);
            raiseForLate(transit, arrivalMs);
            return;
        }
    }
    if (m_packets.count(key)) {
        ++m_stats.duplicates;
        return;
    }
    adapt(transit, arrivalMs, clustered);
    if (m_playing && key == m_nextKey && m_waitedFrames > 0) {
        ++m_stats.late; // waited for with concealment: the delay was too short
        raiseForLate(transit, arrivalMs);
    }
    m_packets.emplace(key, packet);
    // Bounded whatever the sender does; these are the stalest.
    while (int(m_packets.size()) > 3 * m_maxMs / m_frameMs) {
        if (m_playing && m_packets.begin()->first >= m_nextKey) {
            m_nextKey = m_packets.begin()->first + 1;
            m_waitedFrames = 0;
        }
        m_packets.erase(m_packets.begin());
        ++m_stats.dropped;
    }
}

void JitterBuffer::restart()
{
    m_playing = false;
    m_packets.clear();
    m_transits.clear();
    m_samples.clear();
    m_lateFloorMs = 0;
    m_lateFloorUntilMs = 0;
    m_waitedFrames = 0;
    m_targetMs = m_minMs;
}

JitterBuffer::Output JitterBuffer::pop()
{
    return pop(m_clockMs + m_frameMs);
}

JitterBuffer::Output JitterBuffer::pop(qint64 nowMs)
{
    // A sound card pulls a few frames at once and then none for a while. What counts is the
    // earliest a frame is taken: the playout clock follows the early pulls at once and the
    // late ones slowly, so the delay it measures is the one the earliest pull leaves.
    const qint64 expected = m_clockMs + m_frameMs;
    if (!m_haveClock || std::abs(nowMs - expected) > 10 * m_frameMs)
        m_clockMs = nowMs; // the first pop, or playout was stopped for a while
    else if (nowMs < expected)
        m_clockMs = nowMs;
    else
        m_clockMs = expected + (nowMs - expected) / 32;
    m_haveClock = true;

    if (!m_playing) {
        if (m_packets.empty())
            return {};
        const qint64 first = m_packets.begin()->first;
        if (m_clockMs - first * m_frameMs - minTransit() < m_targetMs)
            return {}; // still filling up to the target delay
        m_playing = true;
        m_nextKey = first;
        m_waitedFrames = 0;
    }
    return play();
}

JitterBuffer::Output JitterBuffer::play()
{
    const qint64 delay = m_clockMs - m_nextKey * m_frameMs - minTransit();
    m_playoutDelayMs += (double(delay) - m_playoutDelayMs) / 50.0;
    const qint64 excess = delay - m_targetMs;
    ++m_sinceDrop;

    const auto next = m_packets.find(m_nextKey);
    if (next != m_packets.end()) {
        const bool following = m_packets.count(m_nextKey + 1) > 0;
        const bool quiet = m_quietFrames >= kQuietFrames;
        const bool quietDrop = quiet && excess >= m_frameMs;
        const bool forcedDrop = excess >= kForceExcessMs && m_sinceDrop >= kForceEvery;
        if (following && (quietDrop || forcedDrop)) {
            m_packets.erase(next);
            ++m_stats.dropped;
            m_sinceDrop = 0;
            return take(m_nextKey + 1);
        }
        if (quiet && excess < 0) {
            ++m_stats.stretched; // the packet stays for the next pop
            Output out;
            out.kind = Kind::Stretch;
            return out;
        }
        return take(m_nextKey);
    }

    Output out;
    out.kind = Kind::Lost;
    ++m_stats.lost;
    // Not here yet: wait for it rather than skip it. The delay grows by what the network held
    // it, so the rest of a burst is on time. With later packets here it may be lost: wait
    // only while the delay is below the target anyway (concealing either way).
    const bool wait = m_packets.empty() ? delay + m_frameMs <= m_maxMs : delay < m_targetMs;
    if (wait) {
        ++m_waitedFrames;
        return out;
    }
    // A gap with later packets here (lost), or waited as long as allowed: go on without it.
    const auto following = m_packets.find(m_nextKey + 1);
    if (following != m_packets.end())
        out.next = following->second.payload;
    ++m_nextKey;
    m_waitedFrames = 0;
    // After a long gap in the sequence (packets the server dropped), go on with what is here.
    if (!m_packets.empty() && m_packets.begin()->first > m_nextKey + m_maxMs / m_frameMs)
        m_nextKey = m_packets.begin()->first;
    return out;
}

JitterBuffer::Output JitterBuffer::take(qint64 key)
{
    const auto it = m_packets.find(key);
    Output out;
    out.kind = Kind::Packet;
    out.packet = it->second;
    m_packets.erase(it);
    m_nextKey = key + 1;
    m_waitedFrames = 0;
    return out;
}
