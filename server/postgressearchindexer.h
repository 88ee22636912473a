#pragma once

#include "postgresurl.h"

#include <QThread>

// Keeps PostgreSQL's search index (schema version 6: message_search, with pg_trgm's GIN
// index, filled up to search_progress) behind the relay, on a thread and a connection of its
// own. Maintaining a GIN index inside every batch's commit took a third of PostgreSQL's CPU
// and the relay's deliveries/s with it (docs/benchmarks.md, "PostgreSQL's index behind the
// relay"); here new messages are indexed a batch at a time, and edits and deletions (queued in
// search_changes by the messages table's triggers) are redone.
//
// Chat before search: each tick spends at most kBudgetMs of its kIntervalMs on the index, so
// under a load that fills the database's core the index falls behind and catches up when the
// load drops (searches read the newest rows it has not reached without it:
// PostgresMessageStore::searchCandidates). Of the processes that share a database, one
// indexes at a time: the one whose indexer holds a session advisory lock, which a crashed
// process's connection gives up with it.
class PostgresSearchIndexer
{
public:
    explicit PostgresSearchIndexer(const PostgresUrl &url);
    ~PostgresSearchIndexer();
    PostgresSearchIndexer(const PostgresSearchIndexer &) = delete;
    PostgresSearchIndexer &operator=(const PostgresSearchIndexer &) = delete;

    void start();
    void stop(); // waits for the batch in progress

    static constexpr int kIntervalMs = 200;
    static constexpr int kBudgetMs = 50; // a quarter of the wall time at most, under any load
    static constexpr int kBatch = 256;   // rows per statement (one transaction each)

private:
    class Worker;
    PostgresUrl m_url;
    QThread m_thread;
    Worker *m_worker = nullptr;
};
