#pragma once

#include <QList>
#include <QString>
#include <QtGlobal>

#include <memory>

// The microphone's clean-up before encoding: echo cancellation (the far end's decoded audio,
// as it goes to the speaker, is the reference), noise suppression, automatic gain and a
// high-pass filter. Two implementations behind this interface: the WebRTC module
// (webrtc-audio-processing 0.3, what PulseAudio and PipeWire use), the default wherever the
// build found it, and speexdsp (Mumble's choice) everywhere else. Plain classes fed 10 ms
// frames of 16-bit mono PCM: tested with synthetic echo paths, no device involved.
//
// Not thread-safe: call analyzeFarEnd() and processNearEnd() from one thread (the audio
// pipeline's), interleaved as the frames happen.
class AudioProcessor
{
public:
    enum class Backend { WebRtc, Speex };

    // Each feature can be switched on its own (the Devices menu); all are on by default.
    struct Features
    {
        bool echoCancellation = true;
        bool noiseSuppression = true;
        bool automaticGain = true;
        bool highPassFilter = true;
        bool operator==(const Features &) const = default;
    };

    struct Settings
    {
        int sampleRate = 16000; // 8, 16, 32 or 48 kHz
        Features features;
        // What the pipeline knows of the delay from handing a far-end frame to the speaker to
        // its echo coming back from the microphone (output plus input buffering). The WebRTC
        // module estimates the delay itself and starts from this; speexdsp delays its
        // reference by a little less, so its filter only has to cover the rest.
        int knownEchoDelayMs = 0;
        // How much echo (delay not covered by knownEchoDelayMs plus the room's reverberation)
        // speexdsp's filter models. Longer costs CPU and converges more slowly.
        int speexTailMs = 256;
    };

    static constexpr int kFrameMs = 10;

    virtual ~AudioProcessor() = default;

    // The backends this build has, the preferred first.
    static QList<Backend> availableBackends();
    static Backend defaultBackend() { return availableBackends().constFirst(); }
    static QString backendName(Backend backend);
    // Null (and *error set) if the backend is not built in or refuses the settings.
    static std::unique_ptr<AudioProcessor> create(Backend backend, const Settings &settings,
                                                  QString *error = nullptr);
    static std::unique_ptr<AudioProcessor> create(const Settings &settings,
                                                  QString *error = nullptr)
    {
        return create(defaultBackend(), settings, error);
    }

    virtual Backend backend() const = 0;
    virtual int sampleRate() const = 0;
    int frameSamples() const { return sampleRate() * kFrameMs / 1000; }

    // One 10 ms frame (frameSamples() samples) of what is about to be played.
    virtual void analyzeFarEnd(const qint16 *pcm) = 0;
    // One 10 ms frame from the microphone, processed in place.
    virtual void processNearEnd(qint16 *pcm) = 0;

    virtual Features features() const = 0;
    virtual void setFeatures(const Features &features) = 0;
};
