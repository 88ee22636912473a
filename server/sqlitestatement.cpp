#include "sqlitestatement.h"

#include "sqliteconnection.h"

#include <sqlite3.h>

SqliteStatement::~SqliteStatement()
{
    finalize();
}

bool SqliteStatement::prepare(SqliteConnection &db, const QString &sql)
{
    finalize();
    const QByteArray utf8 = sql.toUtf8();
    if (sqlite3_prepare_v3(db.handle(), utf8.constData(), int(utf8.size()),
                           SQLITE_PREPARE_PERSISTENT, &m_stmt, nullptr) != SQLITE_OK) {
        m_stmt = nullptr;
        return false;
    }
    m_text.resize(size_t(sqlite3_bind_parameter_count(m_stmt)) + 1);
    return true;
}

void SqliteStatement::finalize()
{
    if (m_stmt) {
        sqlite3_finalize(m_stmt);
        m_stmt = nullptr;
    }
    m_text.clear();
}

void SqliteStatement::bind(int index, qint64 value)
{
    sqlite3_bind_int64(m_stmt, index, value);
}

void SqliteStatement::bind(int index, const QString &text)
{
    QByteArray &utf8 = m_text.at(size_t(index));
    utf8 = text.toUtf8();
    // An empty QByteArray's data is still a valid "", so empty text stays text, not NULL.
    sqlite3_bind_text(m_stmt, index, utf8.constData(), int(utf8.size()), SQLITE_STATIC);
}

void SqliteStatement::bindTextOrNull(int index, const QString &text)
{
    if (text.isEmpty())
        bindNull(index);
    else
        bind(index, text);
}

void SqliteStatement::bindNull(int index)
{
    sqlite3_bind_null(m_stmt, index);
}

SqliteStatement::Step SqliteStatement::step()
{
    switch (sqlite3_step(m_stmt)) {
    case SQLITE_ROW:
        return Step::Row;
    case SQLITE_DONE:
        return Step::Done;
    default:
        return Step::Error;
    }
}

void SqliteStatement::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
    for (QByteArray &text : m_text)
        text.clear();
}

qint64 SqliteStatement::columnInt64(int column) const
{
    return sqlite3_column_int64(m_stmt, column);
}

QString SqliteStatement::columnText(int column) const
{
    const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
    return text ? QString::fromUtf8(text, sqlite3_column_bytes(m_stmt, column)) : QString();
}
