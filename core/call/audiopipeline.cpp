#include "call/audiopipeline.h"

#include "media/audiocapture.h"
#include "media/audioplayback.h"
#include "media/devicespec.h"
#include "protocol/mediapacketheader.h"

#include <QLoggingCategory>

#include <cstring>

namespace {
// From handing a frame to the speaker to its echo in a captured frame: QAudioSink's buffer
// (60 ms, audioplayback.cpp) and one 20 ms capture frame. AudioProcessor starts from this;
// the WebRTC backend finds the real delay itself.
constexpr int kKnownEchoDelayMs = 60 + 20;
Q_LOGGING_CATEGORY(lcAudio, "confab.audio")
} // namespace

AudioPipeline::AudioPipeline(QObject *parent) : QObject(parent)
{
    m_statsTimer.setInterval(1000);
    connect(&m_statsTimer, &QTimer::timeout, this, &AudioPipeline::reportStats);
}

AudioPipeline::~AudioPipeline()
{
    stop();
}

void AudioPipeline::start(const Config &config)
{
    stop();
    m_config = config;
    QString error;
    m_bitrate = config.bitrate;
    m_expectedLoss = 10;
    m_encoderOpen = m_encoder.open(config.bitrate, m_expectedLoss, &error);
    if (!m_encoderOpen)
        emit deviceFailed(tr("The voice encoder cannot start: %1").arg(error));
    m_sequence = 0;
    m_running = true;
    openProcessor();
    openMicrophone();
    openSpeaker();
    m_statsClock.start();
    m_statsTimer.start();
}

void AudioPipeline::openMicrophone()
{
    delete m_capture;
    QString error;
    m_capture = AudioCapture::create(m_config.microphone, &error, this);
    if (!m_capture) {
        emit deviceFailed(error);
        return;
    }
    const std::optional<DeviceSpec> spec =
        DeviceSpec::parse(DeviceSpec::Role::Microphone, m_config.microphone);
    m_processMicrophone =
        m_config.processTestSources || (spec && spec->kind() == DeviceSpec::Kind::Device);
    connect(m_capture, &AudioCapture::frameCaptured, this, &AudioPipeline::onCaptured);
    connect(m_capture, &AudioCapture::failed, this, &AudioPipeline::deviceFailed);
    m_capture->start();
}

void AudioPipeline::openSpeaker()
{
    delete m_playback;
    QString error;
    m_playback = AudioPlayback::create(m_config.speaker, &error, this);
    if (!m_playback) {
        emit deviceFailed(error);
        return;
    }
    connect(m_playback, &AudioPlayback::framePlayed, this, &AudioPipeline::framePlayed);
    connect(m_playback, &AudioPlayback::framePlayed, this, &AudioPipeline::onPlayed);
    connect(m_playback, &AudioPlayback::failed, this, &AudioPipeline::deviceFailed);
    m_playback->start();
}

void AudioPipeline::openProcessor()
{
    AudioProcessor::Settings settings;
    settings.sampleRate = VoiceEncoder::kSampleRate;
    settings.features = m_config.processing;
    settings.knownEchoDelayMs = kKnownEchoDelayMs;
    m_processor.reset();
    for (AudioProcessor::Backend backend : AudioProcessor::availableBackends()) {
        QString error;
        m_processor = AudioProcessor::create(backend, settings, &error);
        if (m_processor)
            break;
        qCWarning(lcAudio, "audio processing %s: %s",
                  qPrintable(AudioProcessor::backendName(backend)), qPrintable(error));
    }
    emit processorChanged(m_processor ? AudioProcessor::backendName(m_processor->backend())
                                      : QString());
}

void AudioPipeline::setProcessing(const AudioProcessor::Features &features)
{
    m_config.processing = features;
    if (m_processor)
        m_processor->setFeatures(features);
}

AudioPipeline::PlayoutCounts AudioPipeline::playoutCounts() const
{
    PlayoutCounts c;
    c.played = m_played.load();
    c.decoded = m_decoded.load();
    c.underruns = m_underruns.load();
    c.stretched = m_stretched.load();
    c.silent = m_silent.load();
    return c;
}

void AudioPipeline::onPlayed(const QByteArray &pcm)
{
    if (m_playback) {
        switch (m_playback->lastFrameKind()) {
        case AudioPlayback::FrameKind::Decoded:
            m_decoded.fetch_add(1);
            break;
        case AudioPlayback::FrameKind::Underrun:
            m_underruns.fetch_add(1);
            break;
        case AudioPlayback::FrameKind::Stretched:
            m_stretched.fetch_add(1);
            break;
        case AudioPlayback::FrameKind::Silence:
            m_silent.fetch_add(1);
            break;
        }
        m_played.fetch_add(1);
    }
    // Every frame the speaker gets, silence and concealment included, is the echo reference,
    // so the canceller's idea of time keeps step with the speaker's.
    if (!m_processor || pcm.size() != VoiceEncoder::kFrameSamples * 2)
        return;
    const auto *samples = reinterpret_cast<const qint16 *>(pcm.constData());
    for (int at = 0; at < VoiceEncoder::kFrameSamples; at += m_processor->frameSamples())
        m_processor->analyzeFarEnd(samples + at);
}

void AudioPipeline::setSending(quint32 callId, bool sending)
{
    m_callId = callId;
    m_sending = sending;
}

void AudioPipeline::setBitrate(int bitrate, int expectedLossPercent)
{
    if (bitrate != m_bitrate) {
        m_bitrate = bitrate;
        m_encoder.setBitrate(bitrate);
    }
    if (expectedLossPercent != m_expectedLoss) {
        m_expectedLoss = expectedLossPercent;
        m_encoder.setExpectedLoss(expectedLossPercent);
    }
}

void AudioPipeline::setMuted(bool muted)
{
    m_muted = muted;
}

void AudioPipeline::setMicrophone(const QString &spec)
{
    m_config.microphone = spec;
    if (m_running)
        openMicrophone();
}

void AudioPipeline::setSpeaker(const QString &spec)
{
    m_config.speaker = spec;
    if (m_running)
        openSpeaker();
}

void AudioPipeline::onCaptured(const QByteArray &pcm, quint64 captureTimeUs)
{
    if (pcm.size() != VoiceEncoder::kFrameSamples * 2)
        return;
    QByteArray frame = pcm;
    // Processed also while not sending or muted, so the canceller has converged when the
    // microphone goes live.
    if (m_processor && m_processMicrophone) {
        auto *samples = reinterpret_cast<qint16 *>(frame.data());
        for (int at = 0; at < VoiceEncoder::kFrameSamples; at += m_processor->frameSamples())
            m_processor->processNearEnd(samples + at);
    }
    if (!m_sending || !m_encoderOpen)
        return;
    // Muted still sends (silence, a few bytes a frame): the far end's jitter buffer keeps
    // its pace and its loss figures stay true.
    if (m_muted)
        std::memset(frame.data(), 0, size_t(frame.size()));
    const QByteArray payload =
        m_encoder.encode(reinterpret_cast<const qint16 *>(frame.constData()));
    if (payload.isEmpty())
        return;
    MediaPacketHeader h;
    h.kind = MediaPacketHeader::Audio;
    h.codec = MediaPacketHeader::Opus;
    h.flags = MediaPacketHeader::Fec;
    h.callId = m_callId;
    h.sequence = m_sequence++;
    h.captureTimeUs = captureTimeUs;
    const QByteArray packet = h.serialize(payload);
    m_sentBytes += packet.size();
    emit packetReady(packet);
}

void AudioPipeline::receive(const QByteArray &packet)
{
    const auto h = MediaPacketHeader::parse(packet);
    if (!h || h->kind != MediaPacketHeader::Audio || h->codec != MediaPacketHeader::Opus ||
        !m_playback)
        return;
    m_receivedBytes += packet.size();
    m_playback->push(h->sequence, h->captureTimeUs, packet.mid(MediaPacketHeader::kSize));
}

void AudioPipeline::stop()
{
    m_running = false;
    m_statsTimer.stop();
    delete m_capture; // releases the devices now
    m_capture = nullptr;
    delete m_playback;
    m_playback = nullptr;
    m_processor.reset();
    m_sending = false;
    m_callId = 0;
    m_lastLost = m_lastReceived = 0;
}

void AudioPipeline::reportStats()
{
    const double seconds = qMax<qint64>(1, m_statsClock.restart()) / 1000.0;
    AudioStats s;
    s.sentKbps = m_sentBytes * 8 / 1000.0 / seconds;
    s.receivedKbps = m_receivedBytes * 8 / 1000.0 / seconds;
    m_sentBytes = m_receivedBytes = 0;
    if (m_playback) {
        const AudioPlayback::Stats p = m_playback->stats();
        const int lost = p.jitter.lost - m_lastLost;
        const int received = p.jitter.received - m_lastReceived;
        m_lastLost = p.jitter.lost;
        m_lastReceived = p.jitter.received;
        s.lossPercent = lost + received > 0 ? 100.0 * lost / (lost + received) : 0;
        s.jitterDelayMs = p.delayMs;
        s.jitterTargetMs = p.targetDelayMs;
        if (p.lastLatencyUs >= 0)
            s.latencyMs = p.lastLatencyUs / 1000.0;
    }
    emit statsUpdated(s);
}
