#pragma once

#include "media/audiosource.h"
#include "media/framepacer.h"

#include <QAudioSource>
#include <QObject>
#include <QTimer>

#include <memory>

class QIODevice;

// Delivers the call's microphone audio as 20 ms frames (48 kHz mono 16-bit) stamped with
// their capture time, on the thread it lives in. Either a real input device through
// QAudioSource, or a generated tone or WAV file paced by a timer as if it were one.
class AudioCapture : public QObject
{
    Q_OBJECT
public:
    // "tone", "file:PATH", "mic:ID" (a QAudioDevice id) or "" / "mic" for the default input.
    // nullptr and *error for an unknown kind.
    static AudioCapture *create(const QString &spec, QString *error, QObject *parent = nullptr);
    ~AudioCapture() override;

    // Starts capturing; failure is reported through failed().
    void start();
    void stop();
    QString description() const;

signals:
    void frameCaptured(const QByteArray &pcm, quint64 captureTimeUs);
    void failed(const QString &message);

private:
    AudioCapture(QObject *parent);
    void tick();
    void readDevice();

    // Synthetic: the source and the pacing clock.
    QString m_fileName;
    bool m_tone = false;
    std::unique_ptr<AudioSource> m_source;
    QTimer m_timer{this}; // a child, so it moves with the object to its thread
    FramePacer m_pacer{20};

    // Device.
    QByteArray m_deviceId;
    QString m_deviceName;
    std::unique_ptr<QAudioSource> m_input;
    QIODevice *m_io = nullptr;
    QByteArray m_pending;
};
