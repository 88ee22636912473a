#pragma once

#include <QString>

struct sqlite3;

// One SQLite connection, used by one thread. The server talks to SQLite's C API itself
// rather than through Qt SQL: binding a value through QSqlQuery built a placeholder name
// and a hash entry each time, a tenth of the relay's time under load (docs/benchmarks.md),
// and only a library the server links itself is sure to be the one copy of SQLite that
// every connection to the file goes through (two copies in one process break its locks).
class SqliteConnection
{
public:
    SqliteConnection() = default;
    ~SqliteConnection();
    SqliteConnection(const SqliteConnection &) = delete;
    SqliteConnection &operator=(const SqliteConnection &) = delete;

    // Opens (creating if needed) the file; waits up to busyTimeoutMs for another
    // connection's lock. On failure errorMessage() says why.
    bool open(const QString &path, int busyTimeoutMs);
    void close();
    bool isOpen() const { return m_db != nullptr; }

    // Runs one or more statements that return no rows.
    bool exec(const char *sql);
    qint64 lastInsertRowId() const;
    int changes() const;
    QString errorMessage() const;

    sqlite3 *handle() const { return m_db; }

private:
    sqlite3 *m_db = nullptr;
    QString m_openError;
};
