// confab-jitter-bench (issue 13): replays arrival traces through JitterBuffer on a simulated
// clock (tests/media/tracereplay) and prints, per trace, the late and concealed frames and
// the playout delay it added, as a Markdown table for docs/benchmarks.md.
//
//   confab-jitter-bench                      the generated traces (bursty 60 ms, TCP stalls)
//   confab-jitter-bench --trace FILE ...     recorded ones ("<seq> <arrival ms> [quiet]")
//   confab-jitter-bench --write DIR          also save the generated traces there
//   confab-jitter-bench --pull 3             a sound card that takes 3 frames at once

#include "jittertrace.h"
#include "tracereplay.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>

#include <cstdio>

namespace {
void row(const JitterTrace &trace, int pullFrames)
{
    // Mean over four phases of the sound card's clock against the sender's (see the test).
    double late = 0, concealed = 0, mean = 0, p95 = 0;
    int dropped = 0, stretched = 0;
    TraceReplay::Result r;
    for (int phaseMs : {0, 5, 10, 15}) {
        TraceReplay::Options options;
        options.pullFrames = pullFrames;
        options.phaseMs = phaseMs;
        r = TraceReplay::run(trace, options);
        late += r.latePercent() / 4;
        concealed += r.concealedPercent() / 4;
        mean += r.meanAddedMs / 4;
        p95 += r.p95AddedMs / 4;
        dropped += r.dropped;
        stretched += r.stretched;
    }
    QString recovery;
    for (qint64 end : trace.stallEndsMs) {
        TraceReplay::Options options;
        options.pullFrames = pullFrames;
        const TraceReplay::Result one = TraceReplay::run(trace, options);
        const double before = one.meanAddedBetween(end - 8000, end - 2000);
        recovery += QStringLiteral("%1%2 s")
                        .arg(recovery.isEmpty() ? QString() : QStringLiteral(", "))
                        .arg(one.recoveryMs(end, before + 20, end + 15000) / 1000.0, 0, 'f', 1);
    }
    std::printf("| %s | %d | %.0f | %.0f | %.2f | %.2f | %.1f | %.1f | %+.1f | %d / %d | %s |\n",
                qPrintable(trace.name), trace.packets(), trace.jitterPercentileMs(0.95),
                trace.jitterPercentileMs(0.99), late, concealed, mean, p95,
                mean - trace.jitterPercentileMs(0.95), dropped / 4, stretched / 4,
                recovery.isEmpty() ? "–" : qPrintable(recovery));
}
} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Replays arrival traces through the jitter buffer on a simulated clock."));
    parser.addHelpOption();
    const QCommandLineOption traceOption(QStringLiteral("trace"),
                                         QStringLiteral("A recorded trace file (repeatable)."),
                                         QStringLiteral("file"));
    const QCommandLineOption writeOption(
        QStringLiteral("write"), QStringLiteral("Save the generated traces into this folder."),
        QStringLiteral("dir"));
    const QCommandLineOption pullOption(QStringLiteral("pull"),
                                        QStringLiteral("Frames the sound card takes at once."),
                                        QStringLiteral("n"), QStringLiteral("1"));
    parser.addOptions({traceOption, writeOption, pullOption});
    parser.process(app);
    const int pull = qMax(1, parser.value(pullOption).toInt());

    std::vector<JitterTrace> traces;
    QString error;
    for (const QString &path : parser.values(traceOption)) {
        std::optional<JitterTrace> t = JitterTrace::load(path, &error);
        if (!t) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 1;
        }
        traces.push_back(*t);
    }
    if (traces.empty()) {
        for (quint64 seed : {1, 2, 3}) {
            traces.push_back(JitterTrace::bursty(120, seed));
            traces.back().name += QStringLiteral(" seed %1").arg(seed);
        }
        traces.push_back(JitterTrace::stalls(90, 4, {300, 600, 1500}));
        JitterTrace pattern; // the read-back: every other packet 60 ms late
        pattern.name = QStringLiteral("0/60 ms pattern");
        for (int s = 0; s < 3000; ++s) {
            pattern.arrivalMs.push_back(40 + s * 20 + (s % 2 ? 60 : 0));
            pattern.quiet.push_back(false);
        }
        traces.push_back(pattern);
    }
    if (parser.isSet(writeOption)) {
        const QDir dir(parser.value(writeOption));
        for (const JitterTrace &t : traces) {
            const QString file =
                dir.filePath(QString(t.name).replace(QLatin1Char(' '), QLatin1Char('-')) +
                             QStringLiteral(".txt"));
            if (!t.save(file, &error)) {
                std::fprintf(stderr, "%s: %s\n", qPrintable(file), qPrintable(error));
                return 1;
            }
        }
    }

    std::printf("Sound card pulls %d frame(s) at a time; figures are the mean over 4 clock "
                "phases.\n\n",
                pull);
    std::printf("| trace | packets | p95 jitter ms | p99 jitter ms | late %% | concealed %% | "
                "added delay mean ms | added delay p95 ms | mean − p95 jitter ms | "
                "dropped / inserted | back to pre-stall delay after |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (const JitterTrace &t : traces)
        row(t, pull);
    return 0;
}
