#pragma once

#include <QString>

// The process's file descriptor limit against what --max-connections needs. Every connection
// is a descriptor; SQLite needs a few more (the database, its WAL and shared memory, the
// checkpointer's connection, temporary files): without that headroom, a full server made WAL
// checkpoints fail with "unable to open database file".
class FdLimit
{
public:
    static constexpr int kHeadroom = 64;

    struct Result
    {
        int sockets = 0;  // how many sockets the limit allows, the headroom kept aside
        qint64 soft = -1; // the soft limit after raising it (-1: unlimited)
        qint64 hard = -1; // the hard limit (-1: unlimited)
    };

    // Raises the soft limit towards sockets + kHeadroom (never above the hard limit) and says
    // how many sockets it allows.
    static Result ensure(int sockets);
};
