#pragma once

#include <QStringList>

#include <cstdio>

// `confab-server admin ...`: accounts, invites and device tokens, straight on the database,
// also while the server runs (SQLite in WAL mode lets both write; the server notices revoked
// tokens and disabled accounts within a second and ends their sessions).
class AdminCommand
{
public:
    enum ExitCode {
        Ok = 0,
        Usage = 2,
        DatabaseError = 3,
        NotFound = 4,
        Refused = 5, // the name is taken or looks like another, the password is too short...
    };

    // arguments: the program's, starting with the program name and "admin".
    static int run(const QStringList &arguments, FILE *out = stdout, FILE *err = stderr);
};
