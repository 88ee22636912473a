#include "media/audiocapture.h"

#include "media/devicechoice.h"
#include "media/devicespec.h"
#include "media/mediaclock.h"

#include <QAudioDevice>
#include <QFileInfo>
#include <QMediaDevices>

namespace {
constexpr int kFrameBytes = AudioSource::kFrameSamples * 2;

QAudioFormat callFormat()
{
    QAudioFormat f;
    f.setSampleRate(AudioSource::kSampleRate);
    f.setChannelCount(1);
    f.setSampleFormat(QAudioFormat::Int16);
    return f;
}
} // namespace

AudioCapture::AudioCapture(QObject *parent) : QObject(parent)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(10); // checks twice per frame; the clock decides how many are due
    connect(&m_timer, &QTimer::timeout, this, &AudioCapture::tick);
}

AudioCapture::~AudioCapture()
{
    stop();
}

AudioCapture *AudioCapture::create(const QString &spec, QString *error, QObject *parent)
{
    const std::optional<DeviceSpec> d =
        DeviceSpec::parse(DeviceSpec::Role::Microphone, spec, error);
    if (!d)
        return nullptr;
    auto *c = new AudioCapture(parent);
    c->m_tone = d->kind() == DeviceSpec::Kind::Synthetic;
    c->m_fileName = d->filePath();
    c->m_deviceId = d->deviceId();
    return c;
}

QString AudioCapture::description() const
{
    if (m_tone)
        return tr("Test tone");
    if (!m_fileName.isEmpty())
        return tr("Sound file %1").arg(QFileInfo(m_fileName).fileName());
    return m_deviceName.isEmpty() ? tr("Microphone") : m_deviceName;
}

void AudioCapture::start()
{
    stop();
    if (m_tone || !m_fileName.isEmpty()) {
        QString error;
        m_source = m_tone ? AudioSource::tone(440.0) : AudioSource::wavFile(m_fileName, &error);
        if (!m_source) {
            emit failed(error);
            return;
        }
        m_pacer.start();
        m_timer.start();
        return;
    }

    const QAudioDevice device =
        chooseDevice(QMediaDevices::audioInputs(), m_deviceId, QMediaDevices::defaultAudioInput());
    if (device.isNull()) {
        emit failed(m_deviceId.isEmpty()
                        ? tr("No microphone found. Plug one in and choose it in the call "
                             "window's device menu; the other side cannot hear you meanwhile.")
                        : tr("The chosen microphone is not connected. Choose another one in "
                             "the call window's device menu."));
        return;
    }
    if (!device.isFormatSupported(callFormat())) {
        emit failed(
            tr("The microphone %1 cannot record 48 kHz mono audio.").arg(device.description()));
        return;
    }
    m_deviceName = device.description();
    m_input = std::make_unique<QAudioSource>(device, callFormat());
    m_input->setBufferSize(kFrameBytes * 4);
    m_pending.clear();
    m_io = m_input->start();
    if (!m_io || m_input->error() != QAudio::NoError) {
        m_input.reset();
        m_io = nullptr;
        emit failed(tr("The microphone %1 cannot be opened: it may be busy in another "
                       "program, or access to it was refused in the system's privacy settings.")
                        .arg(m_deviceName));
        return;
    }
    connect(m_io, &QIODevice::readyRead, this, &AudioCapture::readDevice);
    // Queued: the source is deleted by stop(), which must not happen inside its own signal.
    connect(
        m_input.get(), &QAudioSource::stateChanged, this,
        [this](QAudio::State state) {
            if (state == QAudio::StoppedState && m_input && m_input->error() != QAudio::NoError) {
                const QString name = m_deviceName;
                stop();
                emit failed(tr("The microphone %1 stopped working (unplugged?).").arg(name));
            }
        },
        Qt::QueuedConnection);
}

void AudioCapture::stop()
{
    m_timer.stop();
    m_source.reset();
    if (m_input) {
        m_input->stop(); // releases the device now
        m_input.reset();
    }
    m_io = nullptr;
    m_pending.clear();
}

void AudioCapture::tick()
{
    for (qint64 due = m_pacer.takeDue(); m_source && due > 0; --due) {
        QByteArray pcm(kFrameBytes, Qt::Uninitialized);
        if (!m_source->read(reinterpret_cast<qint16 *>(pcm.data()))) {
            stop();
            emit failed(tr("The sound source ended."));
            return;
        }
        emit frameCaptured(pcm, mediaClockUs());
    }
}

void AudioCapture::readDevice()
{
    if (!m_io)
        return;
    m_pending += m_io->readAll();
    const quint64 now = mediaClockUs();
    const int frames = int(m_pending.size() / kFrameBytes);
    for (int i = 0; i < frames; ++i) {
        // The last frame of the batch was captured just now; earlier ones 20 ms apart.
        const quint64 age = quint64(frames - 1 - i) * 20000;
        emit frameCaptured(m_pending.mid(i * kFrameBytes, kFrameBytes), now - age);
    }
    m_pending.remove(0, frames * kFrameBytes);
}
