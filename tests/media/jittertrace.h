#pragma once

#include <QString>
#include <QtGlobal>

#include <optional>
#include <vector>

// When each packet of a 20 ms audio stream reached the receiver, for replaying through
// JitterBuffer (tests/media/tst_jitterbuffer, bench/jitterbench). Recorded traces load from
// text files; two kinds are generated here, deterministically (own PRNG, no std::
// distributions, whose output differs between standard libraries):
// - bursty(): calm spells and spells of TCP holds of up to 60 ms, the way a busy Wi-Fi or
//   a loaded uplink delays a WebSocket stream;
// - stalls(): milder holds, plus stalls of hundreds of milliseconds after which everything
//   held arrives at once (TCP recovering a lost segment).
// Each packet also says whether the sender was pausing between words, which is where the
// jitter buffer may drop or insert frames.
//
// File format, one packet a line, "#" starts a comment, a missing sequence was lost:
//     <sequence> <arrival ms> <quiet 0|1>
class JitterTrace
{
public:
    static constexpr int kFrameMs = 20;

    static JitterTrace bursty(int seconds, quint64 seed, int maxHoldMs = 60);
    static JitterTrace stalls(int seconds, quint64 seed, const std::vector<int> &stallMs);
    static std::optional<JitterTrace> load(const QString &path, QString *error);
    bool save(const QString &path, QString *error) const;

    QString name;
    std::vector<qint64> arrivalMs;   // by sequence; -1: never arrived
    std::vector<bool> quiet;         // by sequence: sent in a pause between words
    std::vector<qint64> stallEndsMs; // generated stalls: when the held packets arrived

    int packets() const { return int(arrivalMs.size()); }
    // Transit minus the fastest transit, over the packets that arrived: what a jitter buffer
    // has to absorb. p in [0, 1]; `fromMs`/`toMs` limit it to packets sent in that span.
    qint64 minTransitMs() const;
    double jitterPercentileMs(double p, qint64 fromMs = 0, qint64 toMs = -1) const;
};
