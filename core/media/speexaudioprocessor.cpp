#include "media/speexaudioprocessor.h"

#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>

#include <algorithm>
#include <cstring>

namespace {
// Negative dB. -30 rather than speexdsp's -15: the target is >= 10 dB less noise in pauses,
// and -15 gives 9.7 dB on tst_audioprocessor's fan noise (-30: 16.4 dB).
constexpr int kNoiseSuppressDb = -30;
// The gain may lift a quiet talker by up to 12 dB; speexdsp's default 30 dB also lifts the
// residual echo and the noise floor between words.
constexpr int kAgcMaxGainDb = 12;
// The known delay is an estimate from buffer sizes. An echo that arrives before its reference
// cannot be cancelled at all, while one that arrives later only uses up some of the filter's
// tail, so the reference is delayed by this much less than the estimate. Generous, because
// the filter also did worse with the echo right at its start (tst_audioprocessor, 40 ms path
// told 80 ms: 17.7 dB ERLE with a 60 ms margin, 21.2 dB with 80 ms).
constexpr int kDelayMarginMs = 80;
} // namespace

SpeexAudioProcessor::SpeexAudioProcessor(const Settings &settings)
    : m_sampleRate(settings.sampleRate), m_frameSamples(settings.sampleRate * kFrameMs / 1000),
      m_features(settings.features), m_highPass(settings.sampleRate)
{
    if (m_sampleRate < 8000 || m_sampleRate > 48000 || m_sampleRate % 100 != 0) {
        m_error = QStringLiteral("speexdsp takes 8 to 48 kHz, not %1 Hz").arg(m_sampleRate);
        return;
    }
    const int tail = std::max(1, settings.speexTailMs) * m_sampleRate / 1000;
    m_echo = speex_echo_state_init(m_frameSamples, tail);
    m_preprocess = speex_preprocess_state_init(m_frameSamples, m_sampleRate);
    if (!m_echo || !m_preprocess) {
        m_error = QStringLiteral("speexdsp could not allocate its state");
        return;
    }
    int rate = m_sampleRate;
    speex_echo_ctl(m_echo, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
    int maxGain = kAgcMaxGainDb;
    speex_preprocess_ctl(m_preprocess, SPEEX_PREPROCESS_SET_AGC_MAX_GAIN, &maxGain);

    const size_t delay =
        size_t(std::max(0, settings.knownEchoDelayMs - kDelayMarginMs)) * m_sampleRate / 1000;
    m_far.assign(delay, 0);
    m_farTarget = delay;
    // Device callbacks come in bursts of a few frames; more than this is a real lag.
    m_farSlack = size_t(m_sampleRate) / 10;
    // Bounds memory while no microphone frames come at all.
    m_farLimit = delay + size_t(m_sampleRate) / 2;
    m_reference.resize(size_t(m_frameSamples));
    m_out.resize(size_t(m_frameSamples));
    applyFeatures();
}

SpeexAudioProcessor::~SpeexAudioProcessor()
{
    if (m_preprocess)
        speex_preprocess_state_destroy(m_preprocess);
    if (m_echo)
        speex_echo_state_destroy(m_echo);
}

void SpeexAudioProcessor::applyFeatures()
{
    if (!m_preprocess)
        return;
    // speexdsp's residual echo suppressor works through the denoiser's gains, so the denoiser
    // stays on while the canceller is; it only leaves the noise alone when suppression is off.
    int denoise = m_features.noiseSuppression || m_features.echoCancellation;
    int noiseSuppress = m_features.noiseSuppression ? kNoiseSuppressDb : 0;
    int agc = m_features.automaticGain;
    speex_preprocess_ctl(m_preprocess, SPEEX_PREPROCESS_SET_DENOISE, &denoise);
    speex_preprocess_ctl(m_preprocess, SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, &noiseSuppress);
    speex_preprocess_ctl(m_preprocess, SPEEX_PREPROCESS_SET_AGC, &agc);
    speex_preprocess_ctl(m_preprocess, SPEEX_PREPROCESS_SET_ECHO_STATE,
                         m_features.echoCancellation ? m_echo : nullptr);
}

void SpeexAudioProcessor::setFeatures(const Features &features)
{
    if (features == m_features)
        return;
    // A canceller switched back on starts over rather than from a filter that no longer fits.
    if (features.echoCancellation && !m_features.echoCancellation && m_echo)
        speex_echo_state_reset(m_echo);
    m_features = features;
    applyFeatures();
}

void SpeexAudioProcessor::analyzeFarEnd(const qint16 *pcm)
{
    if (!m_echo)
        return;
    m_far.insert(m_far.end(), pcm, pcm + m_frameSamples);
    if (m_far.size() > m_farLimit)
        m_far.erase(m_far.begin(), m_far.begin() + std::ptrdiff_t(m_far.size() - m_farLimit));
}

void SpeexAudioProcessor::processNearEnd(qint16 *pcm)
{
    if (!m_echo)
        return;
    if (m_features.highPassFilter)
        m_highPass.process(pcm, m_frameSamples);

    // The reference for this frame: what was played knownEchoDelayMs ago, or silence when the
    // far end has nothing (not in a call, or its frames are late).
    const size_t n = size_t(m_frameSamples);
    if (m_far.size() >= n) {
        std::copy_n(m_far.begin(), n, m_reference.begin());
        m_far.erase(m_far.begin(), m_far.begin() + std::ptrdiff_t(n));
    } else {
        std::fill(m_reference.begin(), m_reference.end(), 0);
    }
    // Far-end frames that piled up (the microphone started late, or runs slower than the
    // speaker) would misalign the reference for good: back to the known delay, and the
    // filter adapts once to the jump.
    if (m_far.size() > m_farTarget + m_farSlack)
        m_far.erase(m_far.begin(), m_far.begin() + std::ptrdiff_t(m_far.size() - m_farTarget));
    if (m_features.echoCancellation) {
        speex_echo_cancellation(m_echo, pcm, m_reference.data(), m_out.data());
        std::memcpy(pcm, m_out.data(), sizeof(qint16) * n);
    }
    if (m_features.noiseSuppression || m_features.echoCancellation || m_features.automaticGain)
        speex_preprocess_run(m_preprocess, pcm);
}
