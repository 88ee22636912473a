#pragma once

#include <QSqlDatabase>
#include <QString>

// The message search index of a SQLite history, in a file of its own beside it
// (`HISTORY-search`): an FTS5 table with the trigram tokenizer (any substring of 3 or more
// characters, in any script) and search_progress, the last seq it holds.
//
// Why a file of its own: SQLite has one write lock per file. With the index in the history
// file, the indexer's transactions (a low-priority thread) held the lock the relay's commits
// need, and the relay slept in the busy handler: 40% of one core's deliveries/s. Here the
// indexer writes only this file and reads the history in WAL mode, which never blocks the
// relay's writer. The file holds nothing that cannot be rebuilt from the history: a missing,
// unreadable or foreign one (store_id) is made anew and refilled behind the relay.
//
// One object is the indexer's connection, on SqliteUpkeep's index thread.
class SqliteSearchIndex
{
public:
    static QString pathFor(const QString &historyPath);
    // Creates the index file if needed and starts it afresh when it does not belong to this
    // history (another store_id, or a progress beyond its last seq: a history restored from
    // a backup). `history` is the writer's open connection to the history file.
    static bool prepare(const QSqlDatabase &history, const QString &historyPath, QString *error);
    // Attaches the index file as schema `idx` to a connection to the history, for searches.
    static bool attach(const QSqlDatabase &history, const QString &historyPath, QString *error);

    SqliteSearchIndex(const QString &historyPath, const QString &connectionName);
    ~SqliteSearchIndex();

    bool open(QString *error);
    // Indexes up to `rows` of the messages after search_progress in one write transaction of
    // this file. The number indexed, or -1 on failure (lastError()).
    int indexNew(int rows);
    // Redoes the indexed rows that were edited or deleted since (search_changes in the
    // history file). False on failure.
    bool applyChanges();
    // A passive checkpoint of this file's log (the indexer's own writes).
    void checkpoint();
    QString lastError() const { return m_lastError; }

private:
    bool exec(const QString &sql);

    QString m_historyPath;
    QString m_connectionName;
    QSqlDatabase m_db;
    QString m_lastError;
};
