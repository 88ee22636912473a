#pragma once

#include <QString>
#include <QtGlobal>

#include <memory>

// Where call audio comes from: the microphone (Qt Multimedia, later), a generated tone, or
// a WAV file, all delivering 20 ms frames of 48 kHz mono 16-bit samples.
class AudioSource
{
public:
    static constexpr int kSampleRate = 48000;
    static constexpr int kFrameSamples = 960;

    virtual ~AudioSource() = default;
    // Fills one frame; false when the source has ended or failed.
    virtual bool read(qint16 *frame) = 0;

    // A sine tone, endless.
    static std::unique_ptr<AudioSource> tone(double hz = 440.0, double amplitude = 0.3);
    // A PCM WAV file (16-bit, mono or stereo, any rate: mixed down and resampled to 48 kHz),
    // looped. nullptr and *error when the file cannot be used.
    static std::unique_ptr<AudioSource> wavFile(const QString &path, QString *error);
};
