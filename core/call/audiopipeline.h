#pragma once

#include "call/callstats.h"
#include "media/voiceencoder.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

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
    };

    explicit AudioPipeline(QObject *parent = nullptr);
    ~AudioPipeline() override;

    Q_INVOKABLE void start(const AudioPipeline::Config &config);
    Q_INVOKABLE void setSending(quint32 callId, bool sending);
    Q_INVOKABLE void setMuted(bool muted);
    Q_INVOKABLE void setMicrophone(const QString &spec);
    Q_INVOKABLE void setSpeaker(const QString &spec);
    Q_INVOKABLE void receive(const QByteArray &packet);
    Q_INVOKABLE void stop();

signals:
    void packetReady(const QByteArray &packet);
    // Each 20 ms frame handed to the speaker (for level meters and tests).
    void framePlayed(const QByteArray &pcm, qint64 latencyUs);
    void deviceFailed(const QString &message);
    void statsUpdated(const AudioStats &stats);

private:
    void openMicrophone();
    void openSpeaker();
    void onCaptured(const QByteArray &pcm, quint64 captureTimeUs);
    void reportStats();

    Config m_config;
    AudioCapture *m_capture = nullptr;
    AudioPlayback *m_playback = nullptr;
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
};
Q_DECLARE_METATYPE(AudioPipeline::Config)
