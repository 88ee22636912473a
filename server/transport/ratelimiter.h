#pragma once

#include <QtGlobal>

// Token bucket: `rate` tokens per second, at most `burst` saved up.
class RateLimiter
{
public:
    RateLimiter(double rate, int burst) : m_rate(rate), m_burst(burst), m_tokens(burst) {}

    // Takes one token at time nowMs; false when the bucket is empty.
    bool take(qint64 nowMs)
    {
        if (nowMs > m_lastMs) {
            m_tokens = qMin(double(m_burst), m_tokens + (nowMs - m_lastMs) * m_rate / 1000.0);
            m_lastMs = nowMs;
        }
        if (m_tokens < 1.0)
            return false;
        m_tokens -= 1.0;
        return true;
    }

private:
    double m_rate;
    int m_burst;
    double m_tokens;
    qint64 m_lastMs = 0;
};
