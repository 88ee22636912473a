#include "jittertrace.h"

#include <QFile>
#include <QTextStream>

#include <algorithm>

namespace {
// xorshift64*: the same numbers on every platform and standard library.
class Random
{
public:
    explicit Random(quint64 seed) : m_state(seed ? seed : 0x9E3779B97F4A7C15ull) {}
    double uniform() // [0, 1)
    {
        m_state ^= m_state >> 12;
        m_state ^= m_state << 25;
        m_state ^= m_state >> 27;
        return double((m_state * 0x2545F4914F6CDD1Dull) >> 11) / double(1ull << 53);
    }
    double between(double lo, double hi) { return lo + (hi - lo) * uniform(); }

private:
    quint64 m_state;
};

constexpr qint64 kBaseTransitMs = 40;

// Talk spurts and pauses of one speaker in a conversation (roughly Brady's on-off model).
std::vector<bool> talk(int packets, Random &random)
{
    std::vector<bool> quiet(size_t(packets), false);
    int at = 0;
    bool pausing = false;
    while (at < packets) {
        const double seconds = pausing ? random.between(0.3, 1.5) : random.between(0.6, 3.0);
        const int n = int(seconds * 1000 / JitterTrace::kFrameMs);
        for (int i = at; i < std::min(packets, at + n); ++i)
            quiet[size_t(i)] = pausing;
        at += n;
        pausing = !pausing;
    }
    return quiet;
}

// Arrivals over TCP: holds of up to maxHoldMs in jittery spells, a few milliseconds of noise
// always, and the order kept (a packet never overtakes the one before it).
std::vector<qint64> holds(int packets, Random &random, int maxHoldMs)
{
    std::vector<qint64> arrival(static_cast<size_t>(packets));
    bool jittery = false;
    qint64 spellEndMs = 0;
    qint64 holdEndMs = -1;
    qint64 last = 0;
    for (int seq = 0; seq < packets; ++seq) {
        const qint64 sent = qint64(seq) * JitterTrace::kFrameMs;
        if (sent >= spellEndMs) {
            jittery = !jittery;
            spellEndMs =
                sent + qint64(1000 * (jittery ? random.between(2, 8) : random.between(1, 4)));
        }
        qint64 at = sent + kBaseTransitMs + qint64(random.between(0, 3));
        if (jittery && at > holdEndMs && random.uniform() < 0.2)
            holdEndMs = at + qint64(random.between(maxHoldMs / 2.0, maxHoldMs));
        if (at < holdEndMs)
            at = holdEndMs;
        at = std::max(at, last);
        arrival[size_t(seq)] = last = at;
    }
    return arrival;
}
} // namespace

JitterTrace JitterTrace::bursty(int seconds, quint64 seed, int maxHoldMs)
{
    Random random(seed);
    const int packets = seconds * 1000 / kFrameMs;
    JitterTrace t;
    t.name = QStringLiteral("bursty-%1ms").arg(maxHoldMs);
    t.arrivalMs = holds(packets, random, maxHoldMs);
    t.quiet = talk(packets, random);
    return t;
}

JitterTrace JitterTrace::stalls(int seconds, quint64 seed, const std::vector<int> &stallMs)
{
    Random random(seed);
    const int packets = seconds * 1000 / kFrameMs;
    JitterTrace t;
    t.name = QStringLiteral("tcp-stall");
    t.arrivalMs = holds(packets, random, 30);
    t.quiet = talk(packets, random);
    // Evenly spread, each well after the one before so recovery can be seen.
    for (size_t i = 0; i < stallMs.size(); ++i) {
        const qint64 startMs = qint64(seconds) * 1000 * qint64(i + 1) / qint64(stallMs.size() + 1);
        const qint64 endMs = startMs + stallMs[i];
        for (qint64 &at : t.arrivalMs) {
            if (at >= startMs && at < endMs)
                at = endMs; // held by the retransmission, then all at once
        }
        t.stallEndsMs.push_back(endMs);
        t.name += QStringLiteral("-%1ms").arg(stallMs[i]);
    }
    return t;
}

std::optional<JitterTrace> JitterTrace::load(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        *error = file.errorString();
        return std::nullopt;
    }
    JitterTrace t;
    t.name = path.section(QLatin1Char('/'), -1).section(QLatin1Char('.'), 0, 0);
    QTextStream in(&file);
    int lineNumber = 0;
    while (!in.atEnd()) {
        const QString line = in.readLine().section(QLatin1Char('#'), 0, 0).trimmed();
        ++lineNumber;
        if (line.isEmpty())
            continue;
        const QStringList f = line.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        bool ok[3] = {false, false, true};
        const int seq = f.value(0).toInt(&ok[0]);
        const qint64 at = f.value(1).toLongLong(&ok[1]);
        const int quiet = f.size() > 2 ? f.at(2).toInt(&ok[2]) : 0;
        if (f.size() < 2 || !ok[0] || !ok[1] || !ok[2] || seq < 0 || seq > 10'000'000) {
            *error = QStringLiteral("%1:%2: expected <sequence> <arrival ms> [quiet]")
                         .arg(path)
                         .arg(lineNumber);
            return std::nullopt;
        }
        if (size_t(seq) >= t.arrivalMs.size()) {
            t.arrivalMs.resize(size_t(seq) + 1, -1);
            t.quiet.resize(size_t(seq) + 1, false);
        }
        t.arrivalMs[size_t(seq)] = at;
        t.quiet[size_t(seq)] = quiet != 0;
    }
    return t;
}

bool JitterTrace::save(const QString &path, QString *error) const
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text | QIODevice::Truncate)) {
        *error = file.errorString();
        return false;
    }
    QTextStream out(&file);
    out << "# " << name << ": <sequence> <arrival ms> <quiet>, one packet every " << kFrameMs
        << " ms\n";
    for (size_t seq = 0; seq < arrivalMs.size(); ++seq) {
        if (arrivalMs[seq] >= 0)
            out << seq << ' ' << arrivalMs[seq] << ' ' << (quiet[seq] ? 1 : 0) << '\n';
    }
    return true;
}

qint64 JitterTrace::minTransitMs() const
{
    qint64 best = -1;
    for (size_t seq = 0; seq < arrivalMs.size(); ++seq) {
        if (arrivalMs[seq] < 0)
            continue;
        const qint64 transit = arrivalMs[seq] - qint64(seq) * kFrameMs;
        if (best < 0 || transit < best)
            best = transit;
    }
    return best;
}

double JitterTrace::jitterPercentileMs(double p, qint64 fromMs, qint64 toMs) const
{
    const qint64 base = minTransitMs();
    std::vector<qint64> jitter;
    for (size_t seq = 0; seq < arrivalMs.size(); ++seq) {
        const qint64 sent = qint64(seq) * kFrameMs;
        if (arrivalMs[seq] < 0 || sent < fromMs || (toMs >= 0 && sent >= toMs))
            continue;
        jitter.push_back(arrivalMs[seq] - sent - base);
    }
    if (jitter.empty())
        return 0;
    std::sort(jitter.begin(), jitter.end());
    return double(jitter[size_t(p * double(jitter.size() - 1) + 0.5)]);
}
