#pragma once

#include "messagestore.h"
#include "postgressearchindexer.h"
#include "postgresurl.h"

#include <QSqlDatabase>
#include <QSqlQuery>

#include <QHash>

#include <memory>
#include <optional>

// History in a PostgreSQL database, through Qt's QPSQL driver (libqt6sql6-psql), so that
// several server processes can share it. The same rules as SqliteMessageStore: one
// transaction per batch (append... commit), the duplicate check by (sender identity, client
// id), history pages by viewer identity, each query one indexed range read per part.
//
// `seq` is the database's (an identity column), and batches of all the processes that share
// the database take one lock (pg_advisory_xact_lock) before their first insert: seq order is
// then commit order, so a reader that has seen seq n never finds a smaller one appear later.
//
// The connection is made by open() and used only by the thread that called it (the store may
// run on a thread of its own). When the database goes away, the failed call says so and the
// next batch or history read connects again.
//
// The schema is the server's: open() creates it and upgrades it (schema_version), under a lock
// so that processes starting together do it once. The user needs the right to create tables
// in the database's public schema (own the database: CREATE DATABASE confab OWNER confab).
class PostgresMessageStore : public MessageStore
{
public:
    explicit PostgresMessageStore(const PostgresUrl &url);
    ~PostgresMessageStore() override;

    bool open(QString *error) override;
    AppendResult append(ChatMessage &message, const MessageParties &parties) override;
    void appendAll(const std::vector<Pending> &items, std::vector<AppendResult> *results) override;
    bool commit() override;
    void rollback() override;
    std::optional<QList<ChatMessage>> history(const HistoryQuery &query, bool *more) override;
    std::optional<Stored> storedMessage(qint64 seq, bool *found) override;
    bool writeChange(const ChatMessage &message) override;
    std::optional<QList<ReactionRow>> reactionRows(const QList<qint64> &seqs) override;
    bool writeReaction(const MessageChange &change) override;
    std::optional<qint64> newestSeq() override;
    std::optional<Stored> newestFrom(const QString &senderKey, const QString &recipient,
                                     qint64 upTo, bool *found) override;
    std::optional<ReceiptRow> receiptRow(const QString &reader, const QString &peer,
                                         bool *found) override;
    bool writeReceipt(const ReceiptRow &row) override;
    std::optional<QList<ReceiptRow>> receiptsOn(const QString &peer, int limit) override;
    std::optional<qint64> fileUsage(const QString &payer, const QString &sha256,
                                    bool *uploaded) override;
    bool recordUpload(const QString &payer, const QString &sha256, qint64 size,
                      qint64 nowMs) override;
    // By the pg_trgm index (message_search, schema version 6) when the search has words it can
    // look up, and the newest messages the index has not reached yet without it.
    std::optional<QList<ChatMessage>> searchCandidates(const SearchQuery &query, int limit,
                                                       bool *more) override;
    std::optional<QList<Stored>> storedBy(const QString &node, qint64 after, qint64 sinceMs,
                                          int limit, qint64 maxBytes, bool *more) override;
    void setNodeId(const QString &node) override { m_nodeId = node; }
    QString lastError() const override { return m_lastError; }

    // The schema version this code creates (schema_version's highest row after open()).
    static int schemaVersion();
    // EXPLAIN of the history query, one line per plan line (for the index tests), planned with
    // sequential scans, bitmap scans and sorts discouraged: a "Seq Scan" or a "Sort" that is
    // still there means that no index can serve the query in seq order.
    QStringList historyPlan(const HistoryQuery &query);
    // EXPLAIN of the indexed search query, as planned for these words.
    QStringList searchPlan(const SearchQuery &query);

private:
    // Whether a read may go ahead (open, its batch not aborted, connected again if needed).
    bool readable();
    bool connect(QString *error); // opens the connection
    bool prepare(QString *error); // the statements of every batch (after migrate())
    void warnAboutSearchLocale(); // LC_CTYPE C: pg_trgm indexes ASCII words only
    // EXECUTE `statement` with `args`; false (the query's error in lastError()) on failure.
    bool execute(QSqlQuery &q, const QString &statement, const QVariantList &args);
    QString literals(const QVariantList &args) const; // quoted by the driver, comma-separated
    // One message's values for an INSERT into messages.
    QVariantList rowValues(const ChatMessage &message, const MessageParties &parties) const;
    bool reconnect(); // both again after a failure; false with lastError()
    void disconnect();
    bool exec(const QString &sql);
    bool migrate();     // migrateOnce() again while a lock times out, a few times
    bool migrateOnce(); // one transaction: every missing version's step
    bool beginBatch();
    bool findDuplicate(ChatMessage &message, const QString &senderId);
    std::optional<QList<ChatMessage>> readHistory(const HistoryQuery &query, bool *more);
    // A read (history, search) with the reconnecting rules: after a failed statement the
    // connection is made again first; a read that fails outside a batch is tried once more on
    // a new connection (the database may have restarted since the last statement).
    template <typename Read> auto readAgainOnce(Read read) -> decltype(read());
    std::optional<QList<ChatMessage>> readSearch(const SearchQuery &query, int limit, bool *more);
    QString searchSql(const SearchQuery &query, int limit) const; // the indexed part
    QString visibleTo(const SearchQuery &query) const;            // the privacy rule, as SQL
    // The prepared statement for this query's shape (PREPAREd on first use) and its values.
    bool historyStatement(const HistoryQuery &query, QString *statement, QVariantList *args);
    void historySql(const HistoryQuery &query, QString *sql, QVariantList *args) const;
    static bool isForward(const HistoryQuery &query);
    // A failed statement may mean a lost connection: the next batch or read connects anew.
    void failed(const QSqlQuery &q);
    QString notOpen() const;

    PostgresUrl m_url;
    QString m_connectionName;
    bool m_opened = false;    // open() succeeded once: reconnecting is allowed
    bool m_reconnect = false; // a statement failed: connect again before the next batch/read
    bool m_inBatch = false;
    bool m_batchFailed = false; // PostgreSQL aborts the whole transaction on an error
    QString m_lastError;
    QString m_lastSqlState; // of the last failed exec() (migrate() retries on a lock timeout)
    QString m_nodeId;       // stored with each message (schema version 2)
    QSqlDatabase m_db;
    QHash<QString, QString> m_historyStatements;      // prepared on this connection: SQL -> name
    std::atomic<qint64> m_busyNs{0};                  // time spent storing batches, for m_indexer
    std::unique_ptr<PostgresSearchIndexer> m_indexer; // from open() on
};
