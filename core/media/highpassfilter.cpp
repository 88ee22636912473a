#include "media/highpassfilter.h"

#include <algorithm>
#include <cmath>

namespace {
constexpr double kPi = 3.14159265358979323846; // M_PI is not standard (MSVC lacks it)
}

HighPassFilter::HighPassFilter(int sampleRate, double cutoffHz)
{
    // The bilinear-transform design of the RBJ audio EQ cookbook, Q = 1/sqrt(2).
    const double w0 = 2 * kPi * cutoffHz / sampleRate;
    const double alpha = std::sin(w0) / std::sqrt(2.0);
    const double cosw0 = std::cos(w0);
    const double a0 = 1 + alpha;
    m_b0 = (1 + cosw0) / 2 / a0;
    m_b1 = -(1 + cosw0) / a0;
    m_b2 = m_b0;
    m_a1 = -2 * cosw0 / a0;
    m_a2 = (1 - alpha) / a0;
}

void HighPassFilter::process(qint16 *pcm, int samples)
{
    for (int i = 0; i < samples; ++i) {
        const double x = pcm[i];
        const double y = m_b0 * x + m_b1 * m_x1 + m_b2 * m_x2 - m_a1 * m_y1 - m_a2 * m_y2;
        m_x2 = m_x1;
        m_x1 = x;
        m_y2 = m_y1;
        m_y1 = y;
        pcm[i] = qint16(std::clamp(std::lround(y), -32768L, 32767L));
    }
}

void HighPassFilter::reset()
{
    m_x1 = m_x2 = m_y1 = m_y2 = 0;
}
