#pragma once

#include <QElapsedTimer>
#include <QtGlobal>

// The two clocks ClientSession compares to notice that the machine slept: while it is
// suspended the wall clock moves on and the monotonic clock stands still. This one reads the
// system's; tests give the session a subclass they move by hand, since no test can suspend
// the machine.
class SessionClock
{
public:
    SessionClock();
    virtual ~SessionClock();

    // Milliseconds since the epoch.
    virtual qint64 wallMs() const;
    // Milliseconds since an arbitrary start, not counting time asleep.
    virtual qint64 monotonicMs() const;

private:
    QElapsedTimer m_elapsed;
};
