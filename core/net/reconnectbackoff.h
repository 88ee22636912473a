#pragma once

#include <QtGlobal>

#include <functional>

// Delays between reconnect attempts: exponential from `initialMs` up to `maximumMs`, each
// spread by +/- `jitter` so that many clients of a restarted server do not return in step.
class ReconnectBackoff
{
public:
    explicit ReconnectBackoff(int initialMs = 1000, int maximumMs = 30000, double jitter = 0.2);

    // Delay for the next attempt; each call doubles the base delay.
    int nextDelayMs();
    void reset() { m_attempt = 0; }
    int attempts() const { return m_attempt; }

    // Source of uniform random numbers in [0, 1); replaceable for tests.
    void setRandom(std::function<double()> random) { m_random = std::move(random); }

private:
    int m_initialMs;
    int m_maximumMs;
    double m_jitter;
    int m_attempt = 0;
    std::function<double()> m_random;
};
