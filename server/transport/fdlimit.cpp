#include "fdlimit.h"

#include <QtGlobal>

#ifdef Q_OS_UNIX
#include <sys/resource.h>
#endif

int FdLimit::ensure(int connections, QString *warning)
{
#ifdef Q_OS_UNIX
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return connections;
    const rlim_t wanted = rlim_t(connections) + kHeadroom;
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
        rlimit raised = limit;
        raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? wanted : qMin(wanted, limit.rlim_max);
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
            limit = raised;
    }
    if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= wanted)
        return connections;
    const int allowed = qMax(1, int(limit.rlim_cur) - kHeadroom);
    if (warning)
        *warning = QStringLiteral("the file descriptor limit is %1 (hard limit %2), which allows "
                                  "%3 connections, not the %4 of --max-connections; raise it "
                                  "(ulimit -n, or LimitNOFILE= in the systemd unit) or lower "
                                  "--max-connections")
                       .arg(qulonglong(limit.rlim_cur))
                       .arg(limit.rlim_max == RLIM_INFINITY ? QStringLiteral("unlimited")
                                                            : QString::number(limit.rlim_max))
                       .arg(allowed)
                       .arg(connections);
    return allowed;
#else
    Q_UNUSED(warning);
    return connections;
#endif
}
