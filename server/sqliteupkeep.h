#pragma once

#include <QObject>
#include <QString>
#include <QThread>

// The history file's upkeep, on two threads with a connection each, so that none of it happens
// inside a commit on the relay's thread:
// - WAL checkpoints. A checkpoint copies the log into the database and fsyncs both; inside a
//   commit it would stall every client for milliseconds, so the server's connection turns
//   automatic checkpoints off and this object takes them over (every intervalMs).
// - The search index (SqliteSearchIndex, a file of its own since schema version 6). Indexing
//   a message's trigrams in the batch's transaction cost ~47 us a message and halved the
//   relay's deliveries/s; new messages are indexed here instead, a few hundred at a time
//   (~7-9 us each), every kIndexIntervalMs, on a thread at the lowest CPU priority. Searches
//   read the rows it has not reached yet without the index
//   (SqliteMessageStore::searchCandidates).
class SqliteUpkeep : public QObject
{
    Q_OBJECT
public:
    SqliteUpkeep(const QString &path, int intervalMs);
    ~SqliteUpkeep() override;

    void start();
    // Blocks until the index has had one more tick and a final full checkpoint has run
    // (shutdown).
    void stop();

    static constexpr int kIndexIntervalMs = 200;
    static constexpr int kIndexBatch = 256; // rows per write transaction of the index file

private:
    class Worker;
    enum class Job { Checkpoint, Index };

    QString m_path;
    int m_intervalMs;
    QThread m_checkpointThread;
    QThread m_indexThread; // at the lowest CPU priority: chat before search
    Worker *m_checkpointer = nullptr;
    Worker *m_indexer = nullptr;
};
