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

    // Raises the soft limit towards connections + kHeadroom (never above the hard limit).
    // Returns how many connections the limit allows; *warning says so when it is fewer than
    // asked for, with the numbers and what to do.
    static int ensure(int connections, QString *warning);
};
