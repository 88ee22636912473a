#pragma once

#include "call/callstats.h"
#include "media/audioprocessor.h"
#include "media/voiceencoder.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <atomic>
#include <memory>

class AudioCapture;
class AudioPlayback;

// The audio half of a call, on a thread of its own so a busy video encoder or window never
// makes the voice stutter: microphone -> Opus -> packets for the server; packets from the
// server -> jitter buffer -> Opus (with FEC/PLC) -> speaker.
class AudioPipeline : public QObject
{
    Q_OBJECT
public:
    struct Config
    {
        QString microphone = QStringLiteral("tone"); // AudioCapture::create's spec
        QString speaker = QStringLiteral("none");    // AudioPlayback::create's spec
        int bitrate = 24000;
        // The microphone's clean-up (AudioProcessor, the far end's decoded audio as the echo
        // reference): all on by default, each switchable from the Devices menu.
        AudioProcessor::Features processing;
        // Only a real microphone is processed: test tones and sound files are clean already,
        // and noise suppression takes a steady tone for noise. Tests set this to process
        // them too.
        bool processTestSources = false;
    };

    // Frames handed to the speaker since the pipeline was made, by what they were
    // (AudioPlayback::FrameKind): the call's own measure of how the voice came through.
    struct PlayoutCounts
    {
        qint64 played = 0;    // all of them: the output's pace
        qint64 decoded = 0;   // the far end's packets
        qint64 underruns = 0; // concealed because the packet was not there in time
        qint64 stretched = 0; // concealed on purpose, to grow the jitter buffer's delay
        qint64 silent = 0;    // before playout started, or nothing to decode
    };

    explicit AudioPipeline(QObject *parent = nullptr);
    ~AudioPipeline() override;

    // Thread-safe (atomic counters written on the audio thread).
    PlayoutCounts playoutCounts() const;

    Q_INVOKABLE void start(const AudioPipeline::Config &config);
    Q_INVOKABLE void setSending(quint32 callId, bool sending);
    Q_INVOKABLE void setMuted(bool muted);
    Q_INVOKABLE void setMicrophone(const QString &spec);
    Q_INVOKABLE void setSpeaker(const QString &spec);
    Q_INVOKABLE void setProcessing(const AudioProcessor::Features &features);
    // The bandwidth estimate's share for the voice (BandwidthEstimator::Allocation).
    Q_INVOKABLE void setBitrate(int bitrate, int expectedLossPercent);
    Q_INVOKABLE void receive(const QByteArray &packet);
    Q_INVOKABLE void stop();

signals:
    void packetReady(const QByteArray &packet);
    // Which AudioProcessor backend cleans the microphone ("webrtc", "speexdsp"; empty: none).
    void processorChanged(const QString &backend);
    // Each 20 ms frame handed to the speaker (for level meters and tests).
    void framePlayed(const QByteArray &pcm, qint64 latencyUs);
    void deviceFailed(const QString &message);
    void statsUpdated(const AudioStats &stats);

private:
    void openMicrophone();
    void openSpeaker();
    void openProcessor();
    void onPlayed(const QByteArray &pcm);
    void onCaptured(const QByteArray &pcm, quint64 captureTimeUs);
    void reportStats();

    Config m_config;
    AudioCapture *m_capture = nullptr;
    AudioPlayback *m_playback = nullptr;
    std::unique_ptr<AudioProcessor> m_processor;
    bool m_processMicrophone = false; // a real microphone, or Config::processTestSources
    VoiceEncoder m_encoder;
    bool m_encoderOpen = false;
    quint32 m_callId = 0;
    bool m_sending = false;
    bool m_muted = false;
    quint32 m_sequence = 0;
    bool m_running = false;

    QTimer m_statsTimer{this}; // a child, so it moves with the object to its thread
    QElapsedTimer m_statsClock;
    qint64 m_sentBytes = 0;
    qint64 m_receivedBytes = 0;
    int m_lastLost = 0;
    int m_lastReceived = 0;
    int m_bitrate = 0; // what the encoder was set to, 0 = Config's
    int m_expectedLoss = 10;

    std::atomic<qint64> m_played{0};
    std::atomic<qint64> m_decoded{0};
    std::atomic<qint64> m_underruns{0};
    std::atomic<qint64> m_stretched{0};
    std::atomic<qint64> m_silent{0};
};
Q_DECLARE_METATYPE(AudioPipeline::Config)
