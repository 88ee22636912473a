#include "media/audiosource.h"

#include <QFile>
#include <QtEndian>

#include <cmath>
#include <vector>

namespace {

class ToneSource : public AudioSource
{
public:
    ToneSource(double hz, double amplitude)
        : m_step(2 * M_PI * hz / kSampleRate), m_amplitude(amplitude)
    {}
    bool read(qint16 *frame) override
    {
        for (int i = 0; i < kFrameSamples; ++i) {
            frame[i] = qint16(std::lround(32767 * m_amplitude * std::sin(m_phase)));
            m_phase = std::fmod(m_phase + m_step, 2 * M_PI);
        }
        return true;
    }

private:
    double m_step;
    double m_amplitude;
    double m_phase = 0;
};

class BufferSource : public AudioSource
{
public:
    explicit BufferSource(std::vector<qint16> samples) : m_samples(std::move(samples)) {}
    bool read(qint16 *frame) override
    {
        for (int i = 0; i < kFrameSamples; ++i) {
            frame[i] = m_samples[m_position];
            m_position = (m_position + 1) % m_samples.size();
        }
        return true;
    }

private:
    std::vector<qint16> m_samples;
    size_t m_position = 0;
};

bool fail(QString *error, const QString &why)
{
    if (error)
        *error = why;
    return false;
}

// Reads the "fmt " and "data" chunks of a RIFF/WAVE file; every length is checked against
// what is really there.
bool parseWav(const QByteArray &file, std::vector<qint16> *mono, int *rate, QString *error)
{
    if (file.size() < 12 || !file.startsWith("RIFF") || file.mid(8, 4) != "WAVE")
        return fail(error, QStringLiteral("not a WAV file"));
    int channels = 0, bits = 0, format = 0;
    qsizetype pos = 12;
    QByteArrayView data;
    while (pos + 8 <= file.size()) {
        const QByteArray id = file.mid(pos, 4);
        const quint32 size = qFromLittleEndian<quint32>(file.constData() + pos + 4);
        pos += 8;
        if (size > quint32(file.size() - pos))
            return fail(
                error,
                QStringLiteral("chunk '%1' is longer than the file").arg(QString::fromLatin1(id)));
        if (id == "fmt " && size >= 16) {
            const char *f = file.constData() + pos;
            format = qFromLittleEndian<quint16>(f);
            channels = qFromLittleEndian<quint16>(f + 2);
            *rate = int(qFromLittleEndian<quint32>(f + 4));
            bits = qFromLittleEndian<quint16>(f + 14);
        } else if (id == "data") {
            data = QByteArrayView(file.constData() + pos, size);
        }
        pos += size + (size & 1);
    }
    if (format != 1 || bits != 16)
        return fail(error, QStringLiteral("only 16-bit PCM WAV files are supported"));
    if (channels < 1 || channels > 8 || *rate < 8000 || *rate > 192000)
        return fail(error, QStringLiteral("unsupported channel count or sample rate"));
    const qsizetype frames = data.size() / (2 * channels);
    if (frames == 0)
        return fail(error, QStringLiteral("the file has no audio"));
    mono->resize(size_t(frames));
    for (qsizetype i = 0; i < frames; ++i) {
        int sum = 0;
        for (int c = 0; c < channels; ++c)
            sum += qFromLittleEndian<qint16>(data.data() + (i * channels + c) * 2);
        (*mono)[size_t(i)] = qint16(sum / channels);
    }
    return true;
}

} // namespace

std::unique_ptr<AudioSource> AudioSource::tone(double hz, double amplitude)
{
    return std::make_unique<ToneSource>(hz, amplitude);
}

std::unique_ptr<AudioSource> AudioSource::wavFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        fail(error, QStringLiteral("cannot open %1: %2").arg(path, file.errorString()));
        return nullptr;
    }
    if (file.size() > 200 * 1024 * 1024) {
        fail(error, QStringLiteral("%1 is too large (200 MB at most)").arg(path));
        return nullptr;
    }
    std::vector<qint16> mono;
    int rate = 0;
    if (!parseWav(file.readAll(), &mono, &rate, error))
        return nullptr;
    if (rate != kSampleRate) {
        // Linear interpolation is plenty for a test and demo source.
        std::vector<qint16> resampled(size_t(double(mono.size()) * kSampleRate / rate));
        for (size_t i = 0; i < resampled.size(); ++i) {
            const double at = double(i) * rate / kSampleRate;
            const size_t j = size_t(at);
            const double frac = at - double(j);
            const double a = mono[std::min(j, mono.size() - 1)];
            const double b = mono[std::min(j + 1, mono.size() - 1)];
            resampled[i] = qint16(std::lround(a + (b - a) * frac));
        }
        mono.swap(resampled);
    }
    if (mono.empty()) {
        fail(error, QStringLiteral("the file has no audio"));
        return nullptr;
    }
    return std::make_unique<BufferSource>(std::move(mono));
}
