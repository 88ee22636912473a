#pragma once

#include "media/audioprocessor.h"

#include <QString>

#include <vector>

// A call on a simulated laptop, for AudioProcessor's test and benchmark: real speech made by
// espeak-ng for both talkers, the far end played through an echo path (a delay, an
// attenuation and a decaying room response), the near talker and stationary noise added at
// the microphone. Signals are float at the scenario's rate, in 16-bit full scale.
class AudioScenario
{
public:
    struct Options
    {
        int sampleRate = 16000;
        int echoDelayMs = 80;
        double echoGainDb = -10;  // the echo path's loss (ERL), speaker to microphone
        int roomTailMs = 60;      // the decaying part of the impulse response
        double farLevelDb = -18;  // active speech level, dBFS
        double nearLevelDb = -24; // the near talker is quieter than the far one at the mic
        double noiseLevelDb = -50;
        double seconds = 10;
        double nearStartSeconds = 3; // double talk from here on
    };

    // espeak-ng's speech for these sentences, resampled to sampleRate, with pauseMs of
    // silence after each; empty and *error set when espeak-ng is missing or fails.
    static std::vector<float> speak(const QStringList &sentences, const QString &voice,
                                    int sampleRate, int pauseMs, QString *error);

    // Builds the signals; false and *error set when the speech cannot be made.
    bool build(const Options &options, QString *error);

    const Options &options() const { return m_options; }
    const std::vector<float> &farEnd() const { return m_far; }   // what the speaker plays
    const std::vector<float> &echo() const { return m_echo; }    // its echo at the microphone
    const std::vector<float> &nearEnd() const { return m_near; } // the near talker, clean
    const std::vector<float> &noise() const { return m_noise; }
    // Whether the near talker is silent around sample i (a 50 ms guard on either side).
    bool nearSilentAt(size_t i) const { return m_nearSilent[i]; }

    // The microphone is the sum of the chosen parts; the far end is played throughout
    // (silence when withFar is false). Returns the processor's output, sample for sample.
    std::vector<float> run(AudioProcessor &processor, bool withFar, bool withEcho, bool withNear,
                           bool withNoise, double *cpuSeconds = nullptr) const;

    static double power(const std::vector<float> &x, size_t from, size_t to);
    // 10 log10 of the ratio of two powers, with a floor so silence reads as a large number.
    static double ratioDb(double numerator, double denominator);

private:
    Options m_options;
    std::vector<float> m_far, m_echo, m_near, m_noise;
    std::vector<bool> m_nearSilent;
};

namespace AudioMeasure {
// Echo return loss enhancement: echo-only microphone vs output, from 2 s on.
double erle(const AudioScenario &scenario, AudioProcessor &processor);
// Echo and the near talker at once: the output's level and correlation against the clean
// near talker where he speaks (best lag within 20 ms).
void doubleTalk(const AudioScenario &scenario, AudioProcessor &processor, double *levelDb,
                double *correlation);
// The near talker with noise and no far end: the noise's drop in his pauses, from 2 s on.
double noiseReduction(const AudioScenario &scenario, AudioProcessor &processor);
} // namespace AudioMeasure
