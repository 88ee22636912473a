#include "net/sessionclock.h"

#include <QDateTime>

SessionClock::SessionClock()
{
    // QElapsedTimer uses CLOCK_MONOTONIC on Linux, which does not count a suspend (unlike
    // CLOCK_BOOTTIME): that difference is what the session looks for.
    m_elapsed.start();
}

SessionClock::~SessionClock() = default;

qint64 SessionClock::wallMs() const
{
    return QDateTime::currentMSecsSinceEpoch();
}

qint64 SessionClock::monotonicMs() const
{
    return m_elapsed.elapsed();
}
