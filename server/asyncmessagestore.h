#pragma once

#include "messagestore.h"
#include "storethread.h"

#include <QObject>

#include <functional>
#include <memory>
#include <vector>

// Runs a MessageStore on a thread of its own, so the relay never waits for the disk or, with
// a database server, for a network round trip. A local SQLite file without a sync per commit
// may instead run on the caller's thread (Threading::Inline): its commit writes the WAL
// without waiting for the disk, and a thread would only add hand-overs (measured: 10-13%
// fewer deliveries, docs/benchmarks.md). Answers come back queued either way. Work is done in the
// order it was asked for, one item at a time, and each answer comes back to the caller's thread as
// a queued call on a context object: a context that is gone by then gets nothing.
//
// A batch is one transaction (the group commit): all its messages are appended, then
// committed together; nothing is relayed or acknowledged before its answer says Stored.
// History read after a batch was queued sees that batch.
class AsyncMessageStore : public QObject
{
    Q_OBJECT
public:
    struct Item
    {
        ChatMessage message;
        MessageParties parties;
        MessageStore::AppendResult result = MessageStore::AppendResult::Failed; // the answer
        // A change of a stored message instead of a new one (MessageStore::applyChange): in
        // the answer, `message` and `parties` are the changed message's, and `refusal` why it
        // was refused (None with result Stored: changed). A reply that was refused
        // (MessageStore::checkReply) has its refusal too, and was not stored.
        std::optional<MessageChange> change;
        ErrorCode refusal = ErrorCode::None;
        // A reaction that was there already (or, taken back, was not): nothing to relay.
        bool unchanged = false;
        // A receipt (MessageChange::Kind::Receipt): the markers as they are now, and in
        // `message` and `parties` the message they were moved to.
        MessageStore::ReceiptRow receipt;
    };
    using BatchDone = std::function<void(std::vector<Item> items, const QString &error)>;
    using HistoryDone = std::function<void(const std::optional<QList<ChatMessage>> &page, bool more,
                                           const QString &error)>;

    using Threading = StoreThread::Threading;
    // Takes the store unopened; open() opens it on the store's thread.
    explicit AsyncMessageStore(std::unique_ptr<MessageStore> store,
                               Threading threading = Threading::OwnThread,
                               QObject *parent = nullptr);
    // Finishes what was queued (so every batch asked for is committed), then closes the store
    // on its thread.
    ~AsyncMessageStore() override;

    // Starts the thread and opens the store there; blocks until it has (start-up only).
    bool open(QString *error);
    bool isOpen() const { return m_open; }

    // Appends and commits `items` in one transaction. When an append or the commit fails, the
    // transaction is rolled back and every item comes back as Failed, with the reason.
    // Inline, `done` is called before this returns (the other calls are always queued).
    void storeBatch(std::vector<Item> items, QObject *context, BatchDone done);
    void history(const HistoryQuery &query, QObject *context, HistoryDone done);
    using StoredDone = std::function<void(const std::optional<QList<MessageStore::Stored>> &page,
                                          bool more, const QString &error)>;
    // MessageStore::storedBy on the store's thread.
    void storedBy(const QString &node, qint64 after, qint64 sinceMs, int limit, qint64 maxBytes,
                  QObject *context, StoredDone done);
    using ReceiptsDone =
        std::function<void(const std::optional<QList<MessageStore::ReceiptRow>> &rows, bool more,
                           const QString &error)>;
    // MessageStore::receiptsOn on the store's thread, in turn with the batches.
    void receiptsOn(const QString &peer, int limit, QObject *context, ReceiptsDone done);
    // A message search (SearchQuery::run) on the store's thread, or on the search reader's
    // (an inline store's searchReader()); `more` is page->more.
    using SearchDone =
        std::function<void(const std::optional<SearchPage> &page, bool more, const QString &error)>;
    void search(const SearchQuery &query, QObject *context, SearchDone done);

    // Files (docs/protocol.md section 18), on the store's thread. The stored message `seq`
    // with its parties (found false: there is none; nullopt: the store failed).
    using MessageDone =
        std::function<void(const std::optional<MessageStore::Stored> &message, bool found)>;
    void storedMessage(qint64 seq, QObject *context, MessageDone done);
    // MessageStore::fileUsage: `bytes` nullopt when the store failed.
    using UsageDone = std::function<void(std::optional<qint64> bytes, bool uploaded)>;
    void fileUsage(const QString &payer, const QString &sha256, QObject *context, UsageDone done);
    void recordUpload(const QString &payer, const QString &sha256, qint64 size, qint64 nowMs,
                      QObject *context, std::function<void(bool ok)> done);

    // Batches and reads asked for but not answered yet.
    int pending() const { return m_batchesPending + m_thread.pending() + m_readerThread.pending(); }

private:
    void close();
    QString storeNow(std::vector<Item> &items); // on the store's thread; the error, if any
    // A read (history page, storedBy) on the store's thread, answered queued on `context`.
    // `readPage(store, &more)` runs on `thread`; a failure's error is `store`'s.
    template <typename Page, typename Read>
    void read(StoreThread &thread, MessageStore *store, QObject *context,
              std::function<void(const std::optional<Page> &, bool, const QString &)> done,
              Read readPage);

    std::unique_ptr<MessageStore> m_store; // used on m_thread only
    StoreThread m_thread;
    // Searches of an inline store: its MessageStore::searchReader(), on a thread of its own.
    std::unique_ptr<MessageStore> m_reader;
    StoreThread m_readerThread{QStringLiteral("message search"), Threading::OwnThread};
    bool m_open = false;
    int m_batchesPending = 0;
};
