#include "asyncmessagestore.h"

#include <QDebug>
#include <QPointer>

AsyncMessageStore::AsyncMessageStore(std::unique_ptr<MessageStore> store, Threading threading,
                                     QObject *parent)
    : QObject(parent), m_store(std::move(store)),
      m_thread(QStringLiteral("message store"), threading)
{}

AsyncMessageStore::~AsyncMessageStore()
{
    close();
}

bool AsyncMessageStore::open(QString *error)
{
    if (m_open)
        return true;
    QString why;
    if (!m_thread.start([&] { return m_store->open(&why); })) {
        if (error)
            *error = why;
        close();
        return false;
    }
    m_open = true;
    // A store on the relay's thread would hold the relay for as long as a search reads (tens
    // of milliseconds over a large history): searches get a connection and a thread of their
    // own where the store offers one (SQLite in WAL mode: readers never wait for the writer).
    if (m_thread.isInline()) {
        m_reader = m_store->searchReader();
        if (m_reader && !m_readerThread.start([&] { return m_reader->open(&why); })) {
            qWarning().noquote() << "message search runs on the relay's thread:" << why;
            m_readerThread.stop([this] { m_reader.reset(); });
        }
    }
    return true;
}

void AsyncMessageStore::close()
{
    // After everything asked for so far; the store goes on its own thread, where its
    // connection was made.
    m_readerThread.stop([this] { m_reader.reset(); });
    m_thread.stop([this] { m_store.reset(); });
    m_open = false;
}

QString AsyncMessageStore::storeNow(std::vector<Item> &items)
{
    // All or nothing: after a failed append the transaction may be unusable (PostgreSQL
    // refuses every later statement in it), and committing the rest would acknowledge
    // messages around a hole. The senders resend, and the duplicate check keeps them single.
    QString error;
    bool ok = true;
    // New messages go to the store together (appendAll), changes one by one between them, so
    // that everything is applied in the order it was received.
    std::vector<MessageStore::Pending> pending;
    std::vector<size_t> pendingAt;
    pending.reserve(items.size());
    auto appendPending = [&] {
        if (pending.empty() || !ok)
            return;
        std::vector<MessageStore::AppendResult> results;
        m_store->appendAll(pending, &results);
        for (size_t i = 0; i < pending.size(); ++i) {
            items[pendingAt[i]].result = results[i];
            if (results[i] == MessageStore::AppendResult::Failed && ok) {
                error = m_store->lastError();
                ok = false;
            }
        }
        pending.clear();
        pendingAt.clear();
    };
    for (size_t i = 0; i < items.size() && ok; ++i) {
        Item &item = items[i];
        if (!item.change) {
            if (item.message.replyTo > 0) {
                // Checked in the batch, after what came before it (the original may be in it).
                appendPending();
                if (!ok)
                    break;
                item.refusal = m_store->checkReply(item.message, item.parties);
                if (item.refusal == ErrorCode::StoreFailed) {
                    error = m_store->lastError();
                    ok = false;
                    break;
                }
                if (item.refusal != ErrorCode::None) {
                    item.result = MessageStore::AppendResult::Stored; // answered by the refusal
                    continue;
                }
            }
            pending.push_back({&item.message, &item.parties});
            pendingAt.push_back(i);
            continue;
        }
        appendPending();
        if (!ok)
            break;
        MessageStore::Stored changed;
        item.refusal = m_store->applyChange(*item.change, &changed, &item.unchanged, &item.receipt);
        if (item.refusal == ErrorCode::StoreFailed) {
            error = m_store->lastError();
            ok = false;
            break;
        }
        if (item.refusal == ErrorCode::None) {
            item.message = std::move(changed.message);
            item.parties = std::move(changed.parties);
        }
        item.result = MessageStore::AppendResult::Stored;
    }
    appendPending();
    if (ok && !m_store->commit()) {
        error = m_store->lastError();
        ok = false;
    }
    if (!ok) {
        m_store->rollback();
        for (Item &item : items)
            item.result = MessageStore::AppendResult::Failed;
    }
    return error;
}

void AsyncMessageStore::storeBatch(std::vector<Item> items, QObject *context, BatchDone done)
{
    if (!m_open) {
        // Nothing to store into: every item fails, answered like any other (queued).
        QMetaObject::invokeMethod(
            context,
            [items = std::move(items), done = std::move(done)]() mutable {
                done(std::move(items), QStringLiteral("the message store is not open"));
            },
            Qt::QueuedConnection);
        return;
    }
    if (m_thread.isInline()) {
        // Answered at once: the relay's end of turn commits the batch, relays it and writes
        // it out in one go, as one process did before the store had a thread (a queued
        // answer split that into two turns and halved the frames per write).
        const QString error = storeNow(items);
        done(std::move(items), error);
        return;
    }
    ++m_batchesPending;
    QPointer<QObject> to(context);
    m_thread.run([this, items = std::move(items), to, done = std::move(done)]() mutable {
        const QString error = storeNow(items);
        // Answered on the caller's thread; `to` is checked there, where it is deleted.
        m_thread.answer(
            [this, items = std::move(items), error, to, done = std::move(done)]() mutable {
                --m_batchesPending;
                if (to)
                    done(std::move(items), error);
            });
    });
}

template <typename Page, typename Read>
void AsyncMessageStore::read(
    StoreThread &thread, MessageStore *store, QObject *context,
    std::function<void(const std::optional<Page> &, bool, const QString &)> done, Read readPage)
{
    if (!m_open) {
        QMetaObject::invokeMethod(
            context,
            [done = std::move(done)] {
                done(std::nullopt, false, QStringLiteral("the message store is not open"));
            },
            Qt::QueuedConnection);
        return;
    }
    struct Answer
    {
        std::optional<Page> page;
        bool more = false;
        QString error;
    };
    thread.ask<Answer>(
        context,
        [store, readPage = std::move(readPage)]() mutable {
            Answer a;
            a.page = readPage(*store, &a.more);
            if (!a.page)
                a.error = store->lastError();
            return a;
        },
        [done = std::move(done)](Answer a) { done(a.page, a.more, a.error); });
}

void AsyncMessageStore::storedBy(const QString &node, qint64 after, qint64 sinceMs, int limit,
                                 qint64 maxBytes, QObject *context, StoredDone done)
{
    read<QList<MessageStore::Stored>>(
        m_thread, m_store.get(), context, std::move(done), [=](MessageStore &store, bool *more) {
            return store.storedBy(node, after, sinceMs, limit, maxBytes, more);
        });
}

void AsyncMessageStore::receiptsOn(const QString &peer, int limit, QObject *context,
                                   ReceiptsDone done)
{
    read<QList<MessageStore::ReceiptRow>>(m_thread, m_store.get(), context, std::move(done),
                                          [=](MessageStore &store, bool *more) {
                                              *more = false;
                                              return store.receiptsOn(peer, limit);
                                          });
}

void AsyncMessageStore::history(const HistoryQuery &query, QObject *context, HistoryDone done)
{
    read<QList<ChatMessage>>(
        m_thread, m_store.get(), context, std::move(done),
        [=](MessageStore &store, bool *more) { return store.history(query, more); });
}

void AsyncMessageStore::search(const SearchQuery &query, QObject *context, SearchDone done)
{
    // On the search reader's thread when there is one (an inline store's batches are
    // committed when they are asked for, so it sees them), else in turn with the batches.
    StoreThread &thread = m_reader ? m_readerThread : m_thread;
    MessageStore *store = m_reader ? m_reader.get() : m_store.get();
    read<SearchPage>(thread, store, context, std::move(done), [=](MessageStore &s, bool *more) {
        std::optional<SearchPage> page = query.run(s);
        *more = page && page->more;
        return page;
    });
}

void AsyncMessageStore::storedMessage(qint64 seq, QObject *context, MessageDone done)
{
    struct Answer
    {
        std::optional<MessageStore::Stored> message;
        bool found = false;
    };
    if (!m_open) {
        QMetaObject::invokeMethod(
            context, [done = std::move(done)] { done(std::nullopt, false); }, Qt::QueuedConnection);
        return;
    }
    m_thread.ask<Answer>(
        context,
        [store = m_store.get(), seq] {
            Answer a;
            a.message = store->storedMessage(seq, &a.found);
            return a;
        },
        std::function<void(Answer)>(
            [done = std::move(done)](Answer a) { done(a.message, a.found); }));
}

void AsyncMessageStore::fileUsage(const QString &payer, const QString &sha256, QObject *context,
                                  UsageDone done)
{
    struct Answer
    {
        std::optional<qint64> bytes;
        bool uploaded = false;
    };
    if (!m_open) {
        QMetaObject::invokeMethod(
            context, [done = std::move(done)] { done(std::nullopt, false); }, Qt::QueuedConnection);
        return;
    }
    m_thread.ask<Answer>(
        context,
        [store = m_store.get(), payer, sha256] {
            Answer a;
            a.bytes = store->fileUsage(payer, sha256, &a.uploaded);
            return a;
        },
        std::function<void(Answer)>(
            [done = std::move(done)](Answer a) { done(a.bytes, a.uploaded); }));
}

void AsyncMessageStore::recordUpload(const QString &payer, const QString &sha256, qint64 size,
                                     qint64 nowMs, QObject *context, std::function<void(bool)> done)
{
    if (!m_open) {
        QMetaObject::invokeMethod(
            context, [done = std::move(done)] { done(false); }, Qt::QueuedConnection);
        return;
    }
    m_thread.ask<bool>(
        context,
        [store = m_store.get(), payer, sha256, size, nowMs] {
            return store->recordUpload(payer, sha256, size, nowMs);
        },
        std::move(done));
}
