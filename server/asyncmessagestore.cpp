#include "asyncmessagestore.h"

#include <QPointer>

AsyncMessageStore::AsyncMessageStore(std::unique_ptr<MessageStore> store, Threading threading,
                                     QObject *parent)
    : QObject(parent), m_store(std::move(store)), m_inline(threading == Threading::Inline)
{
    m_thread.setObjectName(QStringLiteral("message store"));
}

template <typename Work> void AsyncMessageStore::run(Work &&work)
{
    if (m_inline)
        work();
    else
        QMetaObject::invokeMethod(m_worker, std::forward<Work>(work));
}

AsyncMessageStore::~AsyncMessageStore()
{
    close();
}

bool AsyncMessageStore::open(QString *error)
{
    if (m_open)
        return true;
    if (m_inline) {
        QString why;
        m_open = m_store->open(&why);
        if (!m_open && error)
            *error = why;
        return m_open;
    }
    m_worker = new QObject;
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();
    bool ok = false;
    QString why;
    QMetaObject::invokeMethod(
        m_worker, [&] { ok = m_store->open(&why); }, Qt::BlockingQueuedConnection);
    if (!ok) {
        if (error)
            *error = why;
        close();
        return false;
    }
    m_open = true;
    return true;
}

void AsyncMessageStore::close()
{
    if (m_inline) {
        m_store.reset();
        m_open = false;
        return;
    }
    if (!m_thread.isRunning())
        return;
    // Queued after everything asked for so far: that is all done when this runs. The store
    // goes on its own thread, where its connection was made.
    QMetaObject::invokeMethod(
        m_worker, [this] { m_store.reset(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
    m_worker = nullptr;
    m_open = false;
}

QString AsyncMessageStore::storeNow(std::vector<Item> &items)
{
    // All or nothing: after a failed append the transaction may be unusable (PostgreSQL
    // refuses every later statement in it), and committing the rest would acknowledge
    // messages around a hole. The senders resend, and the duplicate check keeps them single.
    QString error;
    bool ok = true;
    std::vector<MessageStore::Pending> pending;
    pending.reserve(items.size());
    for (Item &item : items)
        pending.push_back({&item.message, &item.parties});
    std::vector<MessageStore::AppendResult> results;
    m_store->appendAll(pending, &results);
    for (size_t i = 0; i < items.size(); ++i) {
        items[i].result = results[i];
        if (results[i] == MessageStore::AppendResult::Failed && ok) {
            error = m_store->lastError();
            ok = false;
        }
    }
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
    if (m_inline) {
        // Answered at once: the relay's end of turn commits the batch, relays it and writes
        // it out in one go, as one process did before the store had a thread (a queued
        // answer split that into two turns and halved the frames per write).
        const QString error = storeNow(items);
        done(std::move(items), error);
        return;
    }
    ++m_pending;
    QPointer<QObject> to(context);
    run([this, items = std::move(items), to, done = std::move(done)]() mutable {
        const QString error = storeNow(items);
        // Answered on the caller's thread; `to` is checked there, where it is deleted.
        QMetaObject::invokeMethod(
            this,
            [this, items = std::move(items), error, to, done = std::move(done)]() mutable {
                --m_pending;
                if (to)
                    done(std::move(items), error);
            },
            Qt::QueuedConnection);
    });
}

template <typename Page, typename Read>
void AsyncMessageStore::read(
    QObject *context, std::function<void(const std::optional<Page> &, bool, const QString &)> done,
    Read readPage)
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
    ++m_pending;
    QPointer<QObject> to(context);
    run([this, readPage = std::move(readPage), to, done = std::move(done)]() mutable {
        bool more = false;
        std::optional<Page> page = readPage(&more);
        const QString error = page ? QString() : m_store->lastError();
        QMetaObject::invokeMethod(
            this,
            [this, page = std::move(page), more, error, to, done = std::move(done)] {
                --m_pending;
                if (to)
                    done(page, more, error);
            },
            Qt::QueuedConnection);
    });
}

void AsyncMessageStore::storedBy(const QString &node, qint64 after, qint64 sinceMs, int limit,
                                 qint64 maxBytes, QObject *context, StoredDone done)
{
    read<QList<MessageStore::Stored>>(context, std::move(done), [=, this](bool *more) {
        return m_store->storedBy(node, after, sinceMs, limit, maxBytes, more);
    });
}

void AsyncMessageStore::history(const HistoryQuery &query, QObject *context, HistoryDone done)
{
    read<QList<ChatMessage>>(context, std::move(done),
                             [=, this](bool *more) { return m_store->history(query, more); });
}

void AsyncMessageStore::search(const SearchQuery &query, QObject *context, SearchDone done)
{
    read<SearchPage>(context, std::move(done), [=, this](bool *more) {
        std::optional<SearchPage> page = query.run(*m_store);
        *more = page && page->more;
        return page;
    });
}
