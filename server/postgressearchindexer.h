#pragma once

#include "postgresurl.h"

#include <QThread>

#include <atomic>

// Keeps PostgreSQL's search index (schema version 6: message_search, with pg_trgm's GIN
// index, filled up to search_progress) behind the relay, on a thread and a connection of its
// own. Maintaining a GIN index inside every batch's commit took a third of PostgreSQL's CPU
// and the relay's deliveries/s with it (docs/benchmarks.md, "PostgreSQL's index behind the
// relay"); here new messages are indexed a batch at a time, and edits and deletions (queued in
// search_changes by the messages table's triggers) are redone.
//
// Chat before search. The index costs PostgreSQL about as much CPU as the messages it indexes
// (a second copy of the text, its GIN entries), and the indexer's backend runs at the same
// priority as the relay's. So each tick spends at most kBudgetMs of its kIntervalMs on it,
// and while this process's store was busy for more than half of the last tick (a relay
// that stores as fast as the database lets it), only one batch: under such a load the index
// falls behind, and catches up when the load drops. Searches read the newest rows it has not
// reached without it (PostgresMessageStore::searchCandidates). Of the processes that share a
// database, one indexes at a time: the one whose indexer holds a session advisory lock, which a
// crashed process's connection gives up with it.
class PostgresSearchIndexer
{
public:
    // `storeBusyNs`: the time the store has spent storing, which the store adds to (from its
    // own thread) for as long as this object lives.
    PostgresSearchIndexer(const PostgresUrl &url, const std::atomic<qint64> *storeBusyNs);
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
    const std::atomic<qint64> *m_storeBusyNs;
    QThread m_thread;
    Worker *m_worker = nullptr;
};
