#pragma once

#include "media/audioprocessor.h"

#include <memory>

namespace webrtc {
class AudioProcessing;
class AudioFrame;
} // namespace webrtc

// AudioProcessor over the WebRTC module (webrtc-audio-processing 0.3). Echo cancellation is
// the full AEC with the extended filter (longer tails, steadier on laptops) and delay-agnostic
// mode (it finds the echo's delay itself, so an unknown device buffer does not matter), at
// high suppression; noise suppression at high level; adaptive digital gain (we have no analog
// microphone level to steer); the module's own high-pass filter.
class WebRtcAudioProcessor : public AudioProcessor
{
public:
    // Check ok() (or use AudioProcessor::create, which does).
    explicit WebRtcAudioProcessor(const Settings &settings);
    ~WebRtcAudioProcessor() override;

    bool ok() const { return m_error.isEmpty(); }
    QString error() const { return m_error; }

    Backend backend() const override { return Backend::WebRtc; }
    int sampleRate() const override { return m_sampleRate; }
    void analyzeFarEnd(const qint16 *pcm) override;
    void processNearEnd(qint16 *pcm) override;
    Features features() const override { return m_features; }
    void setFeatures(const Features &features) override;

private:
    bool applyFeatures();

    std::unique_ptr<webrtc::AudioProcessing> m_apm;
    std::unique_ptr<webrtc::AudioFrame> m_frame;
    int m_sampleRate = 16000;
    int m_knownDelayMs = 0;
    Features m_features;
    QString m_error;
};
