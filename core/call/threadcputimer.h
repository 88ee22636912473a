#pragma once

#include <QtGlobal>

#ifdef Q_OS_UNIX
#include <time.h>
#else
#include <QElapsedTimer>
#endif

// CPU time spent by the calling thread in a section (encode, decode), for the statistics
// overlay and the benchmarks. Where there is no per-thread CPU clock it counts wall time.
class ThreadCpuTimer
{
public:
    ThreadCpuTimer() { m_start = now(); }
    qint64 elapsedNs() const { return now() - m_start; }

private:
    static qint64 now()
    {
#ifdef Q_OS_UNIX
        timespec ts;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
#else
        static QElapsedTimer clock;
        if (!clock.isValid())
            clock.start();
        return clock.nsecsElapsed();
#endif
    }
    qint64 m_start;
};
