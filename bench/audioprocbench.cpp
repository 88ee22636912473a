// confab-audioproc-bench: AudioProcessor's backends on the simulated call of
// tests/media/audioscenario (espeak-ng speech through an echo path, a near talker, fan noise).
// Prints ERLE per echo delay (after 2 s, and per 2 s window to show convergence), the near
// talker's level change and correlation in double talk, the noise reduction in pauses, and
// the CPU per side (both calls of a 10 ms frame, as % of one core) as a Markdown table.
//
//   confab-audioproc-bench [--seconds 10] [--windows] [--known-delay 80]
#include "audioscenario.h"
#include "media/audioprocessor.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>

namespace {

int knownDelayMs = 80; // as tst_audioprocessor: one figure for echo delays of 40 to 150 ms

std::unique_ptr<AudioProcessor> make(AudioProcessor::Backend backend, int rate)
{
    AudioProcessor::Settings settings;
    settings.sampleRate = rate;
    settings.knownEchoDelayMs = knownDelayMs;
    QString error;
    auto processor = AudioProcessor::create(backend, settings, &error);
    if (!processor)
        std::fprintf(stderr, "%s: %s\n", qPrintable(AudioProcessor::backendName(backend)),
                     qPrintable(error));
    return processor;
}

bool build(AudioScenario &scenario, int rate, int delayMs, double seconds)
{
    AudioScenario::Options options;
    options.sampleRate = rate;
    options.echoDelayMs = delayMs;
    options.seconds = seconds;
    QString error;
    if (!scenario.build(options, &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return false;
    }
    return true;
}

// ERLE per 2 s window, to see when the canceller has converged.
QString windows(const AudioScenario &scenario, AudioProcessor &processor)
{
    const std::vector<float> out = scenario.run(processor, true, true, false, false);
    const size_t step = size_t(2 * scenario.options().sampleRate);
    QStringList parts;
    for (size_t from = 0; from + step <= out.size(); from += step) {
        parts << QString::number(
            AudioScenario::ratioDb(AudioScenario::power(scenario.echo(), from, from + step),
                                   AudioScenario::power(out, from, from + step)),
            'f', 0);
    }
    return parts.join(QLatin1Char('/'));
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("AudioProcessor on a simulated echo path"));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("seconds"), QStringLiteral("Length of each run."),
                      QStringLiteral("s"), QStringLiteral("10")});
    parser.addOption({QStringLiteral("windows"),
                      QStringLiteral("Also print ERLE per 2 s window (convergence).")});
    parser.addOption(
        {QStringLiteral("known-delay"),
         QStringLiteral("The echo delay the processors are told (Settings::knownEchoDelayMs)."),
         QStringLiteral("ms"), QStringLiteral("80")});
    parser.process(app);
    knownDelayMs = parser.value(QStringLiteral("known-delay")).toInt();
    const double seconds = parser.value(QStringLiteral("seconds")).toDouble();
    const bool showWindows = parser.isSet(QStringLiteral("windows"));
    const QList<int> delays = {40, 80, 150};

    QTextStream out(stdout);
    out << "| backend | ERLE 40 ms | ERLE 80 ms | ERLE 150 ms | double talk: level | "
           "correlation | noise in pauses | CPU per side 16 kHz | CPU per side 48 kHz |\n"
           "|---|---|---|---|---|---|---|---|---|\n";
    QStringList notes;
    for (auto backend : AudioProcessor::availableBackends()) {
        const QString name = AudioProcessor::backendName(backend);
        QStringList erles;
        AudioScenario at80;
        for (int delay : delays) {
            AudioScenario scenario;
            if (!build(scenario, 16000, delay, seconds))
                return 1;
            auto processor = make(backend, 16000);
            if (!processor)
                return 1;
            erles << QString::asprintf("%.1f dB", AudioMeasure::erle(scenario, *processor));
            if (showWindows)
                notes << QStringLiteral("%1, %2 ms: ERLE per 2 s window %3 dB")
                             .arg(name)
                             .arg(delay)
                             .arg(windows(scenario, *make(backend, 16000)));
            if (delay == 80)
                at80 = scenario;
        }
        double level = 0, correlation = 0;
        AudioMeasure::doubleTalk(at80, *make(backend, 16000), &level, &correlation);
        const double noise = AudioMeasure::noiseReduction(at80, *make(backend, 16000));

        // CPU: everything at once (echo, near talker, noise), both calls per frame, on this
        // thread's clock; the share of a core is CPU time over the audio's duration.
        QStringList cpu;
        for (int rate : {16000, 48000}) {
            AudioScenario scenario;
            if (!build(scenario, rate, 80, seconds))
                return 1;
            auto processor = make(backend, rate);
            double cpuSeconds = 0;
            scenario.run(*processor, true, true, true, true, &cpuSeconds);
            cpu << QString::asprintf("%.2f %%", 100 * cpuSeconds / seconds);
        }
        out << "| " << name << " | " << erles.join(QLatin1String(" | "))
            << QString::asprintf(" | %+.1f dB | %.2f | -%.1f dB | ", level, correlation, noise)
            << cpu.join(QLatin1String(" | ")) << " |\n";
    }
    for (const QString &note : notes)
        out << "\n" << note;
    out << "\n";
    return 0;
}
