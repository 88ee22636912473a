#pragma once

#include "media/framepacer.h"
#include "media/jitterbuffer.h"
#include "media/voicedecoder.h"

#include <QAudioSink>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <memory>

class PlayoutDevice;

// The far end's voice: packets go into the jitter buffer as they arrive; the output pulls
// one 20 ms frame at a time, decoded (or concealed with FEC/PLC) just before it is played.
// The output is a speaker through QAudioSink, pulling at the sound card's pace, or "none":
// a timer that plays into nothing at the same pace (no speaker, tests, benchmarks).
class AudioPlayback : public QObject
{
    Q_OBJECT
public:
    // What the last frame handed to the output was.
    enum class FrameKind {
        Decoded,   // a packet of the far end's
        Underrun,  // its packet was not there in time: concealed (FEC/PLC)
        Stretched, // inserted in a quiet stretch to grow the delay: concealed on purpose
        Silence,   // not playing yet (filling up), or nothing could be decoded
    };
    struct Stats
    {
        JitterBuffer::Stats jitter;
        int delayMs = 0;           // the jitter buffer's real playout delay, smoothed
        int targetDelayMs = 0;     // what it aims for, from the measured jitter
        qint64 lastLatencyUs = -1; // capture to playout of the last real frame
    };

    // "none", "" / "speaker" for the default output, or "speaker:ID" (a QAudioDevice id).
    static AudioPlayback *create(const QString &spec, QString *error, QObject *parent = nullptr);
    ~AudioPlayback() override;

    void start();
    void stop();
    // A packet of the far end's audio (the payload after the media header).
    void push(quint32 sequence, quint64 captureTimeUs, const QByteArray &payload);
    Stats stats() const;
    FrameKind lastFrameKind() const { return m_lastKind; }
    QString description() const;

    // One frame (kFrameSamples samples) for the output; public for the device adapter.
    void nextFrame(qint16 *pcm);

signals:
    // Every frame handed to the output; latencyUs is capture-to-now, -1 for concealment and
    // silence.
    void framePlayed(const QByteArray &pcm, qint64 latencyUs);
    void failed(const QString &message);

private:
    explicit AudioPlayback(QObject *parent);
    void tick();

    JitterBuffer m_jitter;
    VoiceDecoder m_decoder;
    bool m_decoderOpen = false;
    QElapsedTimer m_arrivalClock;
    QHash<quint32, quint64> m_captureTimes; // sequence -> capture time, while buffered
    qint64 m_lastLatencyUs = -1;
    FrameKind m_lastKind = FrameKind::Silence;

    bool m_none = false;
    QTimer m_timer{this}; // a child, so it moves with the object to its thread
    FramePacer m_pacer{20};

    QByteArray m_deviceId;
    QString m_deviceName;
    std::unique_ptr<QAudioSink> m_output;
    std::unique_ptr<PlayoutDevice> m_io;
};
