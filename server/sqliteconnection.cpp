#include "sqliteconnection.h"

#include <QFile>

#include <sqlite3.h>

SqliteConnection::~SqliteConnection()
{
    close();
}

bool SqliteConnection::open(const QString &path, int busyTimeoutMs)
{
    close();
    m_openError.clear();
    const QByteArray file = QFile::encodeName(path);
    const int rc =
        sqlite3_open_v2(file.constData(), &m_db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        m_openError =
            m_db ? QString::fromUtf8(sqlite3_errmsg(m_db)) : QString::fromUtf8(sqlite3_errstr(rc));
        close();
        return false;
    }
    sqlite3_extended_result_codes(m_db, 1);
    sqlite3_busy_timeout(m_db, busyTimeoutMs);
    return true;
}

void SqliteConnection::close()
{
    if (m_db) {
        // Statements are finalised by their owners first; v2 copes if one is left over.
        sqlite3_close_v2(m_db);
        m_db = nullptr;
    }
}

bool SqliteConnection::exec(const char *sql)
{
    return m_db && sqlite3_exec(m_db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
}

qint64 SqliteConnection::lastInsertRowId() const
{
    return m_db ? sqlite3_last_insert_rowid(m_db) : 0;
}

int SqliteConnection::changes() const
{
    return m_db ? sqlite3_changes(m_db) : 0;
}

QString SqliteConnection::errorMessage() const
{
    if (!m_db)
        return m_openError.isEmpty() ? QStringLiteral("the database is not open") : m_openError;
    return QString::fromUtf8(sqlite3_errmsg(m_db));
}
