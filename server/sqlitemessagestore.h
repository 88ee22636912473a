#pragma once

#include "messagestore.h"
#include "sqliteupkeep.h"

#include <QSqlDatabase>
#include <QSqlQuery>

#include <memory>
#include <optional>

// History in one SQLite file in WAL mode. synchronous=NORMAL keeps every committed batch
// across a crash or kill -9; fullSync adds an fsync per commit for power loss.
class SqliteMessageStore : public MessageStore
{
public:
    SqliteMessageStore(const QString &path, bool fullSync);
    ~SqliteMessageStore() override;

    bool open(QString *error) override;
    AppendResult append(ChatMessage &message, const MessageParties &parties) override;
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
    // By the FTS5 trigram index (SqliteSearchIndex's file) when the search has words it can
    // look up.
    std::optional<QList<ChatMessage>> searchCandidates(const SearchQuery &query, int limit,
                                                       bool *more) override;
    // Another connection to the file that only reads (PRAGMA query_only): searches on a
    // thread of their own while this one serves the relay.
    std::unique_ptr<MessageStore> searchReader() const override;
    QString lastError() const override { return m_lastError; }

    // The connection, for the account store on the same file (SqliteAccountStore).
    QSqlDatabase database() const { return m_db; }
    QString path() const { return m_path; }
    // EXPLAIN QUERY PLAN of the history query, one detail line per step (for the index tests).
    QStringList historyPlan(const HistoryQuery &query);
    // The same for the indexed search query.
    QStringList searchPlan(const SearchQuery &query);

private:
    bool exec(const QString &sql);
    // Prepares `sql` on `q` forward-only, binds `args` by position and runs it; false with
    // lastError() on failure.
    bool select(QSqlQuery &q, const QString &sql, const QVariantList &args);
    // Attaches the index file (SqliteSearchIndex) as `idx`; without it searches scan.
    void attachSearchIndex();
    static void searchSql(const SearchQuery &query, int limit, QString *sql, QVariantList *args);
    bool migrate();
    // Runs one schema version's statements and sets user_version to `version`, atomically.
    bool migrationStep(int version, const char *const *begin, const char *const *end);
    // The stored seq and time of (clientId, senderId), into `message`; false when none.
    bool findDuplicate(ChatMessage &message, const QString &senderId);
    void historySql(const HistoryQuery &query, QString *sql, QVariantList *args) const;
    static bool isForward(const HistoryQuery &query);
    bool beginBatch();
    QString notOpen() const;

    QString m_path;
    QString m_connectionName;
    bool m_fullSync;
    bool m_readOnly = false; // a searchReader(): no schema work, no writes, no checkpoints
    bool m_inBatch = false;
    bool m_searchIndex = false; // the index file is attached as `idx`
    qint64 m_legacyMaxSeq = 0;  // rows before identities (schema 2); 0 = none
    QString m_lastError;
    QSqlDatabase m_db;
    std::optional<QSqlQuery> m_insert;
    std::optional<QSqlQuery> m_findByClientId;
    std::unique_ptr<SqliteUpkeep> m_checkpointer;
};
