#include "media/webrtcaudioprocessor.h"

#include <webrtc/common.h>
#include <webrtc/modules/audio_processing/include/audio_processing.h>
#include <webrtc/modules/interface/module_common_types.h>

#include <algorithm>
#include <cstring>

WebRtcAudioProcessor::WebRtcAudioProcessor(const Settings &settings)
    : m_frame(std::make_unique<webrtc::AudioFrame>()), m_sampleRate(settings.sampleRate),
      m_knownDelayMs(std::max(0, settings.knownEchoDelayMs)), m_features(settings.features)
{
    if (m_sampleRate != 8000 && m_sampleRate != 16000 && m_sampleRate != 32000 &&
        m_sampleRate != 48000) {
        m_error = QStringLiteral("the WebRTC audio processing takes 8, 16, 32 or 48 kHz, not %1 Hz")
                      .arg(m_sampleRate);
        return;
    }
    webrtc::Config config;
    // Both only exist as create-time options in 0.3. The extended filter is what the module
    // itself recommends for desktop devices; without delay-agnostic mode it would trust our
    // delay figure, which on real devices is a guess.
    config.Set<webrtc::ExtendedFilter>(new webrtc::ExtendedFilter(true));
    config.Set<webrtc::DelayAgnostic>(new webrtc::DelayAgnostic(true));
    // The experimental AGC drives an analog microphone level, which Qt Multimedia does not
    // expose; the digital AGC below does the job instead.
    config.Set<webrtc::ExperimentalAgc>(new webrtc::ExperimentalAgc(false));
    m_apm.reset(webrtc::AudioProcessing::Create(config));
    if (!m_apm) {
        m_error = QStringLiteral("the WebRTC audio processing module could not be created");
        return;
    }
    if (m_apm->Initialize(m_sampleRate, m_sampleRate, m_sampleRate, webrtc::AudioProcessing::kMono,
                          webrtc::AudioProcessing::kMono,
                          webrtc::AudioProcessing::kMono) != webrtc::AudioProcessing::kNoError) {
        m_error =
            QStringLiteral("the WebRTC audio processing refused %1 Hz mono").arg(m_sampleRate);
        return;
    }
    m_apm->echo_cancellation()->set_suppression_level(webrtc::EchoCancellation::kHighSuppression);
    m_apm->noise_suppression()->set_level(webrtc::NoiseSuppression::kHigh);
    m_apm->gain_control()->set_mode(webrtc::GainControl::kAdaptiveDigital);
    if (!applyFeatures())
        m_error = QStringLiteral("the WebRTC audio processing refused its settings");
}

WebRtcAudioProcessor::~WebRtcAudioProcessor() = default;

bool WebRtcAudioProcessor::applyFeatures()
{
    bool ok = true;
    ok &= m_apm->echo_cancellation()->Enable(m_features.echoCancellation) == 0;
    ok &= m_apm->noise_suppression()->Enable(m_features.noiseSuppression) == 0;
    ok &= m_apm->gain_control()->Enable(m_features.automaticGain) == 0;
    ok &= m_apm->high_pass_filter()->Enable(m_features.highPassFilter) == 0;
    return ok;
}

void WebRtcAudioProcessor::setFeatures(const Features &features)
{
    if (features == m_features || !m_apm)
        return;
    m_features = features;
    applyFeatures();
}

void WebRtcAudioProcessor::analyzeFarEnd(const qint16 *pcm)
{
    if (!m_apm)
        return;
    // ProcessReverseStream may rewrite the frame (intelligibility enhancement, off here), so
    // it gets a copy and the caller's buffer stays as it is.
    m_frame->UpdateFrame(0, 0, pcm, size_t(frameSamples()), m_sampleRate,
                         webrtc::AudioFrame::kNormalSpeech, webrtc::AudioFrame::kVadUnknown, 1);
    m_apm->ProcessReverseStream(m_frame.get());
}

void WebRtcAudioProcessor::processNearEnd(qint16 *pcm)
{
    if (!m_apm)
        return;
    m_frame->UpdateFrame(0, 0, pcm, size_t(frameSamples()), m_sampleRate,
                         webrtc::AudioFrame::kNormalSpeech, webrtc::AudioFrame::kVadUnknown, 1);
    // Required before every frame while the canceller is on; in delay-agnostic mode it is
    // where the estimate starts from.
    if (m_features.echoCancellation)
        m_apm->set_stream_delay_ms(m_knownDelayMs);
    if (m_apm->ProcessStream(m_frame.get()) == webrtc::AudioProcessing::kNoError)
        std::memcpy(pcm, m_frame->data_, sizeof(qint16) * size_t(frameSamples()));
}
