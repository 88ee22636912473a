#pragma once

#include "media/audioprocessor.h"
#include "media/highpassfilter.h"

#include <vector>

struct SpeexEchoState_;
struct SpeexPreprocessState_;

// AudioProcessor over speexdsp, for where the WebRTC module is not packaged: speex_echo's
// adaptive filter (MDF) cancels the echo, speex_preprocess suppresses the residual echo and
// the noise and applies the gain; HighPassFilter is ours. speexdsp does not look for the
// echo's delay, so the reference is delayed by a little less than Settings::knownEchoDelayMs
// and the filter (Settings::speexTailMs long) must cover the rest.
class SpeexAudioProcessor : public AudioProcessor
{
public:
    explicit SpeexAudioProcessor(const Settings &settings);
    ~SpeexAudioProcessor() override;
    SpeexAudioProcessor(const SpeexAudioProcessor &) = delete;
    SpeexAudioProcessor &operator=(const SpeexAudioProcessor &) = delete;

    bool ok() const { return m_error.isEmpty(); }
    QString error() const { return m_error; }

    Backend backend() const override { return Backend::Speex; }
    int sampleRate() const override { return m_sampleRate; }
    void analyzeFarEnd(const qint16 *pcm) override;
    void processNearEnd(qint16 *pcm) override;
    Features features() const override { return m_features; }
    void setFeatures(const Features &features) override;

private:
    void applyFeatures();

    int m_sampleRate = 16000;
    int m_frameSamples = 160;
    Features m_features;
    SpeexEchoState_ *m_echo = nullptr;
    SpeexPreprocessState_ *m_preprocess = nullptr;
    HighPassFilter m_highPass;
    // The far end's frames not yet paired with a microphone frame: starts with
    // the delay's worth of silence, bounded so a stalled microphone cannot grow it.
    std::vector<qint16> m_far;
    size_t m_farTarget = 0;
    size_t m_farSlack = 0;
    size_t m_farLimit = 0;
    std::vector<qint16> m_reference;
    std::vector<qint16> m_out;
    QString m_error;
};
