#pragma once

#include <QtGlobal>

// A second-order Butterworth high-pass (biquad, direct form I) for 16-bit PCM. speexdsp has
// no such filter, and below ~100 Hz a microphone picks up mostly desk thumps, fan rumble and
// DC, which waste the codec's bits and make the echo canceller's job harder.
class HighPassFilter
{
public:
    HighPassFilter(int sampleRate, double cutoffHz = 100.0);

    void process(qint16 *pcm, int samples);
    void reset();

private:
    double m_b0 = 1, m_b1 = 0, m_b2 = 0, m_a1 = 0, m_a2 = 0;
    double m_x1 = 0, m_x2 = 0, m_y1 = 0, m_y2 = 0;
};
