#include "audioscenario.h"

#include "call/threadcputimer.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtEndian>

#include <speex/speex_resampler.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace {

// The samples of a 16-bit mono PCM WAV file (espeak-ng writes 22050 Hz), or empty.
std::vector<float> readWav(const QString &path, int *rate)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray bytes = file.readAll();
    if (bytes.size() < 12 || !bytes.startsWith("RIFF") || bytes.mid(8, 4) != "WAVE")
        return {};
    // Walk the chunks rather than assume a 44-byte header.
    qsizetype at = 12;
    bool format = false;
    while (at + 8 <= bytes.size()) {
        const QByteArray id = bytes.mid(at, 4);
        const quint32 size = qFromLittleEndian<quint32>(bytes.constData() + at + 4);
        const char *body = bytes.constData() + at + 8;
        if (id == "fmt " && size >= 16) {
            const quint16 pcm = qFromLittleEndian<quint16>(body);
            const quint16 channels = qFromLittleEndian<quint16>(body + 2);
            const quint16 bits = qFromLittleEndian<quint16>(body + 14);
            *rate = int(qFromLittleEndian<quint32>(body + 4));
            format = pcm == 1 && channels == 1 && bits == 16;
        } else if (id == "data" && format) {
            const qsizetype count = std::min<qsizetype>(size, bytes.size() - at - 8) / 2;
            std::vector<float> samples(static_cast<size_t>(count));
            for (qsizetype i = 0; i < count; ++i)
                samples[size_t(i)] = qFromLittleEndian<qint16>(body + 2 * i);
            return samples;
        }
        at += 8 + qsizetype(size) + (size & 1);
    }
    return {};
}

std::vector<float> resample(const std::vector<float> &in, int from, int to)
{
    if (from == to)
        return in;
    int err = 0;
    SpeexResamplerState *st = speex_resampler_init(1, spx_uint32_t(from), spx_uint32_t(to),
                                                   SPEEX_RESAMPLER_QUALITY_DESKTOP, &err);
    std::vector<float> out(size_t(double(in.size()) * to / from) + 64);
    spx_uint32_t inLength = spx_uint32_t(in.size());
    spx_uint32_t outLength = spx_uint32_t(out.size());
    speex_resampler_process_float(st, 0, in.data(), &inLength, out.data(), &outLength);
    speex_resampler_destroy(st);
    out.resize(outLength);
    return out;
}

// Scales x so that its active samples (those within 40 dB of the peak frame) have levelDb.
void normalize(std::vector<float> &x, double levelDb, int sampleRate)
{
    const size_t frame = size_t(sampleRate / 100);
    std::vector<double> energies;
    for (size_t i = 0; i + frame <= x.size(); i += frame) {
        double e = 0;
        for (size_t j = i; j < i + frame; ++j)
            e += double(x[j]) * x[j];
        energies.push_back(e / double(frame));
    }
    const double peak = energies.empty() ? 0 : *std::max_element(energies.begin(), energies.end());
    double sum = 0;
    int active = 0;
    for (double e : energies) {
        if (e > peak * 1e-4) {
            sum += e;
            ++active;
        }
    }
    if (active == 0)
        return;
    const double gain = 32768.0 * std::pow(10.0, levelDb / 20) / std::sqrt(sum / active);
    for (float &v : x)
        v = float(v * gain);
}

std::vector<float> fitted(std::vector<float> x, size_t length)
{
    // Repeated if short, so every scenario length has speech throughout.
    const size_t original = x.size();
    while (original > 0 && x.size() < length)
        x.insert(x.end(), x.begin(),
                 x.begin() + std::ptrdiff_t(std::min(original, length - x.size())));
    x.resize(length, 0.0f);
    return x;
}

} // namespace

std::vector<float> AudioScenario::speak(const QStringList &sentences, const QString &voice,
                                        int sampleRate, int pauseMs, QString *error)
{
    const QString espeak = QStandardPaths::findExecutable(QStringLiteral("espeak-ng"));
    if (espeak.isEmpty()) {
        *error = QStringLiteral("espeak-ng is not installed (scripts/bootstrap installs it)");
        return {};
    }
    QTemporaryDir dir;
    std::vector<float> speech;
    for (const QString &sentence : sentences) {
        const QString wav = dir.filePath(QStringLiteral("speech.wav"));
        QProcess process;
        process.start(espeak, {QStringLiteral("-v"), voice, QStringLiteral("-w"), wav, sentence});
        if (!process.waitForFinished(30000) || process.exitCode() != 0) {
            *error = QStringLiteral("espeak-ng failed: %1")
                         .arg(QString::fromLocal8Bit(process.readAllStandardError()));
            return {};
        }
        int rate = 0;
        const std::vector<float> raw = readWav(wav, &rate);
        if (raw.empty()) {
            *error = QStringLiteral("espeak-ng wrote no readable WAV file");
            return {};
        }
        const std::vector<float> part = resample(raw, rate, sampleRate);
        speech.insert(speech.end(), part.begin(), part.end());
        speech.insert(speech.end(), size_t(sampleRate) * size_t(pauseMs) / 1000, 0.0f);
    }
    return speech;
}

bool AudioScenario::build(const Options &options, QString *error)
{
    m_options = options;
    const int rate = options.sampleRate;
    const size_t length = size_t(options.seconds * rate);

    // Two talkers, two voices, different sentences (Harvard sentences). The far end talks
    // with short pauses; the near end leaves a second between sentences for the noise
    // measurement.
    const QStringList farText = {QStringLiteral("The birch canoe slid on the smooth planks."),
                                 QStringLiteral("Glue the sheet to the dark blue background."),
                                 QStringLiteral("It's easy to tell the depth of a well."),
                                 QStringLiteral("These days a chicken leg is a rare dish."),
                                 QStringLiteral("Rice is often served in round bowls."),
                                 QStringLiteral("The juice of lemons makes fine punch.")};
    const QStringList nearText = {QStringLiteral("The box was thrown beside the parked truck."),
                                  QStringLiteral("Four hours of steady work faced us."),
                                  QStringLiteral("A large size in stockings is hard to sell."),
                                  QStringLiteral("The boy was there when the sun rose.")};
    m_far = speak(farText, QStringLiteral("en-us"), rate, 250, error);
    if (m_far.empty())
        return false;
    std::vector<float> nearSpeech = speak(nearText, QStringLiteral("en+f3"), rate, 1000, error);
    if (nearSpeech.empty())
        return false;
    normalize(m_far, options.farLevelDb, rate);
    normalize(nearSpeech, options.nearLevelDb, rate);
    m_far = fitted(std::move(m_far), length);

    const size_t nearStart = size_t(options.nearStartSeconds * rate);
    m_near.assign(length, 0.0f);
    const std::vector<float> placed = fitted(nearSpeech, length - std::min(length, nearStart));
    std::copy(placed.begin(), placed.end(), m_near.begin() + std::ptrdiff_t(nearStart));

    // The room: a direct path then exponentially decaying random taps over roomTailMs
    // (60 dB down at its end), scaled to unit energy, then the speaker-to-microphone loss.
    std::mt19937 random(13);
    std::normal_distribution<double> gauss;
    const size_t taps = size_t(options.roomTailMs) * size_t(rate) / 1000;
    std::vector<double> response(taps + 1);
    response[0] = 1.0;
    for (size_t k = 1; k <= taps; ++k)
        response[k] = 0.5 * gauss(random) * std::exp(-6.9 * double(k) / double(taps));
    double energy = 0;
    for (double h : response)
        energy += h * h;
    const double gain = std::pow(10.0, options.echoGainDb / 20) / std::sqrt(energy);
    for (double &h : response)
        h *= gain;
    const size_t delay = size_t(options.echoDelayMs) * size_t(rate) / 1000;
    m_echo.assign(length, 0.0f);
    for (size_t n = delay; n < length; ++n) {
        double sum = 0;
        const size_t last = std::min(taps, n - delay);
        for (size_t k = 0; k <= last; ++k)
            sum += response[k] * m_far[n - delay - k];
        m_echo[n] = float(sum);
    }

    // Stationary noise: white noise through a one-pole low-pass, like a fan or air
    // conditioning (more rumble than hiss), at noiseLevelDb.
    m_noise.assign(length, 0.0f);
    double state = 0;
    for (float &v : m_noise) {
        state = 0.9 * state + gauss(random);
        v = float(state);
    }
    const double noisePower = power(m_noise, 0, length);
    const double noiseGain =
        32768.0 * std::pow(10.0, options.noiseLevelDb / 20) / std::sqrt(noisePower);
    for (float &v : m_noise)
        v = float(v * noiseGain);

    // Where the near talker is silent: frames 40 dB under his active level, widened by 50 ms.
    const size_t guard = size_t(rate) / 20;
    const double quiet = std::pow(32768.0, 2) * std::pow(10.0, (options.nearLevelDb - 40) / 10);
    std::vector<bool> loud(length, false);
    const size_t frame = size_t(rate / 100);
    for (size_t i = 0; i + frame <= length; i += frame) {
        if (power(m_near, i, i + frame) > quiet)
            std::fill(loud.begin() + std::ptrdiff_t(i), loud.begin() + std::ptrdiff_t(i + frame),
                      true);
    }
    m_nearSilent.assign(length, true);
    for (size_t i = 0; i < length; ++i) {
        if (loud[i]) {
            const size_t from = i > guard ? i - guard : 0;
            const size_t to = std::min(length, i + guard);
            std::fill(m_nearSilent.begin() + std::ptrdiff_t(from),
                      m_nearSilent.begin() + std::ptrdiff_t(to), false);
        }
    }
    return true;
}

std::vector<float> AudioScenario::run(AudioProcessor &processor, bool withFar, bool withEcho,
                                      bool withNear, bool withNoise, double *cpuSeconds) const
{
    const size_t frame = size_t(processor.frameSamples());
    const size_t length = m_far.size() / frame * frame;
    std::vector<qint16> far(frame), mic(frame);
    std::vector<float> out(length, 0.0f);
    double cpu = 0;
    for (size_t at = 0; at < length; at += frame) {
        for (size_t i = 0; i < frame; ++i) {
            const size_t n = at + i;
            far[i] = qint16(std::clamp(withFar ? std::lround(m_far[n]) : 0L, -32768L, 32767L));
            const double sum = (withEcho ? m_echo[n] : 0.0f) + (withNear ? m_near[n] : 0.0f) +
                               (withNoise ? m_noise[n] : 0.0f);
            mic[i] = qint16(std::clamp(std::lround(sum), -32768L, 32767L));
        }
        // The order of a real call: the frame goes to the speaker, then the microphone's.
        const ThreadCpuTimer timer;
        processor.analyzeFarEnd(far.data());
        processor.processNearEnd(mic.data());
        cpu += double(timer.elapsedNs()) * 1e-9;
        std::copy(mic.begin(), mic.end(), out.begin() + std::ptrdiff_t(at));
    }
    if (cpuSeconds)
        *cpuSeconds = cpu;
    return out;
}

double AudioScenario::power(const std::vector<float> &x, size_t from, size_t to)
{
    to = std::min(to, x.size());
    double sum = 0;
    for (size_t i = from; i < to; ++i)
        sum += double(x[i]) * x[i];
    return to > from ? sum / double(to - from) : 0;
}

double AudioScenario::ratioDb(double numerator, double denominator)
{
    return 10 * std::log10(std::max(numerator, 1e-3) / std::max(denominator, 1e-3));
}

double AudioMeasure::erle(const AudioScenario &scenario, AudioProcessor &processor)
{
    const std::vector<float> out = scenario.run(processor, true, true, false, false);
    const size_t from = size_t(2 * scenario.options().sampleRate);
    return AudioScenario::ratioDb(AudioScenario::power(scenario.echo(), from, out.size()),
                                  AudioScenario::power(out, from, out.size()));
}

void AudioMeasure::doubleTalk(const AudioScenario &scenario, AudioProcessor &processor,
                              double *levelDb, double *correlation)
{
    const std::vector<float> out = scenario.run(processor, true, true, true, false);
    const std::vector<float> &clean = scenario.nearEnd();
    const int rate = scenario.options().sampleRate;
    const size_t from = size_t(scenario.options().nearStartSeconds * rate);
    std::vector<size_t> talking;
    for (size_t i = from; i < out.size(); ++i) {
        if (!scenario.nearSilentAt(i))
            talking.push_back(i);
    }
    // Level: over the near talker's speech, output against the clean signal.
    double outEnergy = 0, cleanEnergy = 0;
    for (size_t i : talking) {
        outEnergy += double(out[i]) * out[i];
        cleanEnergy += double(clean[i]) * clean[i];
    }
    *levelDb = AudioScenario::ratioDb(outEnergy, cleanEnergy);
    // Correlation: the processors may delay their output a little, so the best of the lags
    // up to 20 ms.
    double best = 0;
    const size_t maxLag = size_t(rate / 50);
    for (size_t lag = 0; lag <= maxLag; ++lag) {
        double xy = 0, xx = 0, yy = 0;
        for (size_t i : talking) {
            if (i + lag >= out.size())
                continue;
            const double x = clean[i], y = out[i + lag];
            xy += x * y;
            xx += x * x;
            yy += y * y;
        }
        if (xx > 0 && yy > 0)
            best = std::max(best, xy / std::sqrt(xx * yy));
    }
    *correlation = best;
}

double AudioMeasure::noiseReduction(const AudioScenario &scenario, AudioProcessor &processor)
{
    const std::vector<float> out = scenario.run(processor, false, false, true, true);
    const std::vector<float> &noise = scenario.noise();
    const size_t from = size_t(2 * scenario.options().sampleRate);
    double in = 0, left = 0;
    for (size_t i = from; i < out.size(); ++i) {
        if (scenario.nearSilentAt(i)) {
            in += double(noise[i]) * noise[i];
            left += double(out[i]) * out[i];
        }
    }
    return AudioScenario::ratioDb(in, left);
}
