#include "tracereplay.h"

#include <algorithm>
#include <utility>

namespace {
constexpr int kFrameMs = JitterTrace::kFrameMs;

bool sentBetween(quint32 sequence, qint64 fromMs, qint64 toMs)
{
    const qint64 sent = qint64(sequence) * kFrameMs;
    return sent >= fromMs && sent < toMs;
}
} // namespace

TraceReplay::Result TraceReplay::run(const JitterTrace &trace, const Options &options)
{
    Result r;
    std::vector<std::pair<qint64, quint32>> arrivals;
    for (size_t seq = 0; seq < trace.arrivalMs.size(); ++seq) {
        if (trace.arrivalMs[seq] >= 0)
            arrivals.emplace_back(trace.arrivalMs[seq], quint32(seq));
    }
    std::stable_sort(arrivals.begin(), arrivals.end(),
                     [](const auto &a, const auto &b) { return a.first < b.first; });
    r.packets = int(arrivals.size());
    if (arrivals.empty())
        return r;
    r.p95JitterMs = trace.jitterPercentileMs(0.95);
    const qint64 base = trace.minTransitMs();

    JitterBuffer jb(kFrameMs, options.minFrames, options.maxFrames);
    const qint64 startMs = arrivals.front().first + options.phaseMs;
    const int pull = std::max(1, options.pullFrames);
    size_t next = 0;
    for (qint64 k = 0;; ++k) {
        // The sound card's clock: `pull` frames at once, every pull * 20 ms.
        const qint64 nowMs = startMs + (k / pull) * pull * kFrameMs;
        for (; next < arrivals.size() && arrivals[next].first <= nowMs; ++next) {
            const int lateBefore = jb.stats().late;
            jb.push({arrivals[next].second, QByteArray(1, 'x')}, arrivals[next].first);
            if (jb.stats().late > lateBefore)
                r.lateSequences.push_back(arrivals[next].second);
        }
        if (next == arrivals.size() && jb.bufferedFrames() == 0)
            break;
        const JitterBuffer::Output out = jb.pop(nowMs);
        switch (out.kind) {
        case JitterBuffer::Kind::Waiting:
            continue;
        case JitterBuffer::Kind::Packet: {
            const quint32 seq = out.packet.sequence;
            r.played.push_back({nowMs, seq, double(nowMs - qint64(seq) * kFrameMs - base)});
            // What the decoder would tell: was this frame a pause between words?
            jb.setQuiet(trace.quiet[seq]);
            break;
        }
        case JitterBuffer::Kind::Lost:
            ++r.concealed;
            break;
        case JitterBuffer::Kind::Stretch:
            break;
        }
        ++r.frames;
    }
    r.stats = jb.stats();
    r.late = r.stats.late;
    r.dropped = r.stats.dropped;
    r.stretched = r.stats.stretched;
    // Which packets went unplayed though on time, and whether anybody could hear it.
    std::vector<bool> heard(trace.arrivalMs.size(), false);
    for (const Played &p : r.played)
        heard[p.sequence] = true;
    for (quint32 s : r.lateSequences)
        heard[s] = true; // late, not dropped on purpose
    for (const auto &a : arrivals) {
        if (!heard[a.second] && !trace.quiet[a.second])
            ++r.droppedInSpeech;
    }
    std::vector<double> added;
    for (const Played &p : r.played)
        added.push_back(p.addedMs);
    if (!added.empty()) {
        double sum = 0;
        for (double a : added)
            sum += a;
        r.meanAddedMs = sum / double(added.size());
        std::sort(added.begin(), added.end());
        r.p95AddedMs = added[size_t(0.95 * double(added.size() - 1) + 0.5)];
    }
    return r;
}

int TraceReplay::Result::lateBetween(qint64 fromMs, qint64 toMs) const
{
    return int(std::count_if(lateSequences.begin(), lateSequences.end(),
                             [&](quint32 s) { return sentBetween(s, fromMs, toMs); }));
}

double TraceReplay::Result::meanAddedBetween(qint64 fromMs, qint64 toMs) const
{
    double sum = 0;
    int n = 0;
    for (const Played &p : played) {
        if (sentBetween(p.sequence, fromMs, toMs)) {
            sum += p.addedMs;
            ++n;
        }
    }
    return n ? sum / n : 0;
}

double TraceReplay::Result::minAddedBetween(qint64 fromMs, qint64 toMs) const
{
    double least = -1;
    for (const Played &p : played) {
        if (sentBetween(p.sequence, fromMs, toMs) && (least < 0 || p.addedMs < least))
            least = p.addedMs;
    }
    return least;
}

double TraceReplay::Result::recoveryMs(qint64 stallEndMs, double boundMs, qint64 untilMs) const
{
    double recovered = 0;
    for (const Played &p : played) {
        if (p.atMs >= stallEndMs && p.atMs < untilMs && p.addedMs > boundMs)
            recovered = double(p.atMs - stallEndMs) + kFrameMs;
    }
    return recovered;
}
