#include "media/audioplayback.h"

#include "media/audiosource.h"
#include "media/devicechoice.h"
#include "media/devicespec.h"
#include "media/mediaclock.h"

#include <QAudioDevice>
#include <QIODevice>
#include <QMediaDevices>

#include <cstring>

namespace {
constexpr int kFrameSamples = AudioSource::kFrameSamples;
constexpr int kFrameBytes = kFrameSamples * 2;

// Below about -45 dBFS RMS: a pause between words (noise suppression leaves far less), where
// the jitter buffer may drop or insert a frame without anyone hearing it.
bool isQuiet(const qint16 *pcm)
{
    constexpr qint64 kLevel = 180;
    qint64 energy = 0;
    for (int i = 0; i < kFrameSamples; ++i)
        energy += qint64(pcm[i]) * pcm[i];
    return energy < kLevel * kLevel * kFrameSamples;
}
} // namespace

// Adapts QAudioSink's pull model: each read takes as many frames from the playback as the
// sound card wants, keeping the part of a frame it did not take for the next read.
class PlayoutDevice : public QIODevice
{
public:
    explicit PlayoutDevice(AudioPlayback *playback) : m_playback(playback) {}
    bool isSequential() const override { return true; }
    qint64 bytesAvailable() const override { return kFrameBytes + QIODevice::bytesAvailable(); }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        qint64 written = 0;
        while (written < maxSize) {
            if (m_rest.isEmpty()) {
                m_rest.resize(kFrameBytes);
                m_playback->nextFrame(reinterpret_cast<qint16 *>(m_rest.data()));
            }
            const qint64 n = qMin<qint64>(maxSize - written, m_rest.size());
            std::memcpy(data + written, m_rest.constData(), size_t(n));
            m_rest.remove(0, n);
            written += n;
        }
        return written;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    AudioPlayback *m_playback;
    QByteArray m_rest;
};

AudioPlayback::AudioPlayback(QObject *parent) : QObject(parent)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(10);
    connect(&m_timer, &QTimer::timeout, this, &AudioPlayback::tick);
    m_arrivalClock.start();
}

AudioPlayback::~AudioPlayback()
{
    stop();
}

AudioPlayback *AudioPlayback::create(const QString &spec, QString *error, QObject *parent)
{
    const std::optional<DeviceSpec> d = DeviceSpec::parse(DeviceSpec::Role::Speaker, spec, error);
    if (!d)
        return nullptr;
    auto *p = new AudioPlayback(parent);
    p->m_none = d->kind() == DeviceSpec::Kind::Synthetic;
    p->m_deviceId = d->deviceId();
    return p;
}

QString AudioPlayback::description() const
{
    if (m_none)
        return tr("No sound output");
    return m_deviceName.isEmpty() ? tr("Speaker") : m_deviceName;
}

void AudioPlayback::start()
{
    stop();
    QString error;
    m_decoderOpen = m_decoder.open(&error);
    if (!m_decoderOpen) {
        emit failed(error);
        return;
    }
    if (m_none) {
        m_pacer.start();
        m_timer.start();
        return;
    }
    const QList<QAudioDevice> outputs = QMediaDevices::audioOutputs();
    const QAudioDevice device =
        chooseDevice(outputs, m_deviceId, QMediaDevices::defaultAudioOutput());
    if (device.isNull()) {
        // Keep decoding (statistics, the far end's FEC state) but play into nothing.
        m_none = true;
        start();
        emit failed(m_deviceId.isEmpty() || outputs.isEmpty()
                        ? tr("No speaker or headphones found: you will not hear the other "
                             "side. Plug some in and choose them in the call window's device "
                             "menu.")
                        : tr("The chosen speaker is not connected: you will not hear the other "
                             "side. Choose another one in the call window's device menu."));
        return;
    }
    QAudioFormat format;
    format.setSampleRate(AudioSource::kSampleRate);
    format.setChannelCount(1);
    format.setSampleFormat(QAudioFormat::Int16);
    m_deviceName = device.description();
    m_output = std::make_unique<QAudioSink>(device, format);
    m_output->setBufferSize(kFrameBytes * 3); // 60 ms: the jitter buffer does the rest
    m_io = std::make_unique<PlayoutDevice>(this);
    m_io->open(QIODevice::ReadOnly);
    m_output->start(m_io.get());
    if (m_output->error() != QAudio::NoError) {
        const QString name = m_deviceName;
        m_none = true; // as with no speaker: decoding and statistics go on
        start();
        emit failed(
            tr("The speaker %1 cannot be opened: it may be busy in another program.").arg(name));
        return;
    }
    // A speaker that stops working (unplugged, the sound server gone) stops pulling frames:
    // say so, and play into nothing from then on, as when there is none. Queued, so the
    // sink is not deleted while it emits.
    connect(
        m_output.get(), &QAudioSink::stateChanged, this,
        [this] {
            if (!m_output || m_output->state() != QAudio::StoppedState ||
                m_output->error() == QAudio::NoError)
                return;
            const QString name = m_deviceName;
            m_none = true;
            start();
            emit failed(tr("The speaker %1 stopped working (unplugged?): you will not hear the "
                           "other side. Choose another one in the call window's device menu.")
                            .arg(name));
        },
        Qt::QueuedConnection);
}

void AudioPlayback::stop()
{
    m_timer.stop();
    if (m_output) {
        m_output->stop(); // releases the device now
        m_output.reset();
    }
    m_io.reset();
}

void AudioPlayback::push(quint32 sequence, quint64 captureTimeUs, const QByteArray &payload)
{
    if (m_captureTimes.size() > 500) // bounded: entries of packets that were never played
        m_captureTimes.clear();
    m_captureTimes.insert(sequence, captureTimeUs);
    m_jitter.push({sequence, payload}, m_arrivalClock.elapsed());
}

AudioPlayback::Stats AudioPlayback::stats() const
{
    return {m_jitter.stats(), m_jitter.playoutDelayMs(), m_jitter.targetDelayMs(), m_lastLatencyUs};
}

void AudioPlayback::nextFrame(qint16 *pcm)
{
    const JitterBuffer::Output out = m_jitter.pop(m_arrivalClock.elapsed());
    qint64 latency = -1;
    bool ok = false;
    if (m_decoderOpen && out.kind == JitterBuffer::Kind::Packet) {
        ok = m_decoder.decode(out.packet.payload, pcm);
        if (ok)
            m_jitter.setQuiet(isQuiet(pcm));
        const auto it = m_captureTimes.constFind(out.packet.sequence);
        if (ok && it != m_captureTimes.cend()) {
            latency = qint64(mediaClockUs() - it.value());
            m_lastLatencyUs = latency;
        }
        m_captureTimes.remove(out.packet.sequence);
    } else if (m_decoderOpen &&
               (out.kind == JitterBuffer::Kind::Lost || out.kind == JitterBuffer::Kind::Stretch)) {
        ok = m_decoder.conceal(pcm, out.next);
    }
    if (!ok)
        m_lastKind = FrameKind::Silence;
    else if (out.kind == JitterBuffer::Kind::Packet)
        m_lastKind = FrameKind::Decoded;
    else
        m_lastKind =
            out.kind == JitterBuffer::Kind::Lost ? FrameKind::Underrun : FrameKind::Stretched;
    if (!ok)
        std::memset(pcm, 0, kFrameBytes);
    emit framePlayed(QByteArray(reinterpret_cast<const char *>(pcm), kFrameBytes), latency);
}

void AudioPlayback::tick()
{
    QByteArray frame(kFrameBytes, Qt::Uninitialized);
    for (qint64 due = m_pacer.takeDue(); m_timer.isActive() && due > 0; --due)
        nextFrame(reinterpret_cast<qint16 *>(frame.data()));
}
