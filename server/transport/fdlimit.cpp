#include "fdlimit.h"

#include <QtGlobal>

#ifdef Q_OS_UNIX
#include <sys/resource.h>
#endif

FdLimit::Result FdLimit::ensure(int sockets)
{
    Result result;
    result.sockets = sockets;
#ifdef Q_OS_UNIX
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return result;
    const rlim_t wanted = rlim_t(sockets) + kHeadroom;
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
        rlimit raised = limit;
        raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? wanted : qMin(wanted, limit.rlim_max);
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
            limit = raised;
    }
    result.soft = limit.rlim_cur == RLIM_INFINITY ? -1 : qint64(limit.rlim_cur);
    result.hard = limit.rlim_max == RLIM_INFINITY ? -1 : qint64(limit.rlim_max);
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted)
        result.sockets = qMax(1, int(limit.rlim_cur) - kHeadroom);
#endif
    return result;
}
