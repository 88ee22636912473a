#include "net/reconnectbackoff.h"

#include <QRandomGenerator>

#include <algorithm>
#include <cmath>

ReconnectBackoff::ReconnectBackoff(int initialMs, int maximumMs, double jitter)
    : m_initialMs(initialMs), m_maximumMs(maximumMs), m_jitter(jitter),
      m_random([] { return QRandomGenerator::global()->generateDouble(); })
{}

int ReconnectBackoff::nextDelayMs()
{
    const double base = std::min(double(m_maximumMs), m_initialMs * std::pow(2.0, m_attempt));
    if (m_attempt < 30)
        ++m_attempt;
    const double spread = 1.0 + m_jitter * (2.0 * m_random() - 1.0);
    return int(std::lround(base * spread));
}
