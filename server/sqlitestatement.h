#pragma once

#include <QByteArray>
#include <QString>

#include <vector>

class SqliteConnection;
struct sqlite3_stmt;

// A prepared statement on a SqliteConnection: bind, step, read columns, reset. Text is
// bound as UTF-8 and kept alive here until the next reset, so SQLite need not copy it.
class SqliteStatement
{
public:
    SqliteStatement() = default;
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;

    bool prepare(SqliteConnection &db, const QString &sql);
    bool isPrepared() const { return m_stmt != nullptr; }
    void finalize();

    // Parameters count from 1, as in SQLite.
    void bind(int index, qint64 value);
    void bind(int index, const QString &text);
    // NULL for an empty string.
    void bindTextOrNull(int index, const QString &text);
    void bindNull(int index);

    enum class Step { Row, Done, Error };
    Step step();
    // Ready for new bindings and a new run; releases the bound text.
    void reset();

    qint64 columnInt64(int column) const;
    QString columnText(int column) const;

private:
    sqlite3_stmt *m_stmt = nullptr;
    std::vector<QByteArray> m_text; // UTF-8 of the bound strings, by parameter index
};
