#include "asyncmessagestore.h"

#include <QPointer>

AsyncMessageStore::AsyncMessageStore(std::unique_ptr<MessageStore> store, QObject *parent)
    : QObject(parent), m_store(std::move(store))
{
    m_thread.setObjectName(QStringLiteral("message store"));
}

AsyncMessageStore::~AsyncMessageStore()
{
    close();
}

bool AsyncMessageStore::open(QString *error)
{
    if (m_open)
        return true;
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
    ++m_pending;
    QPointer<QObject> to(context);
    QMetaObject::invokeMethod(
        m_worker, [this, items = std::move(items), to, done = std::move(done)]() mutable {
            // All or nothing: after a failed append the transaction may be unusable (PostgreSQL
            // refuses every later statement in it), and committing the rest would acknowledge
            // messages around a hole. The senders resend, and the duplicate check keeps them
            // single.
            QString error;
            bool ok = true;
            for (Item &item : items) {
                item.result = m_store->append(item.message, item.parties);
                if (item.result == MessageStore::AppendResult::Failed) {
                    error = m_store->lastError();
                    ok = false;
                    break;
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

void AsyncMessageStore::storedBy(const QString &node, qint64 after, qint64 sinceMs, int limit,
                                 qint64 maxBytes, QObject *context, StoredDone done)
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
    QMetaObject::invokeMethod(
        m_worker,
        [this, node, after, sinceMs, limit, maxBytes, to, done = std::move(done)]() mutable {
            bool more = false;
            std::optional<QList<MessageStore::Stored>> page =
                m_store->storedBy(node, after, sinceMs, limit, maxBytes, &more);
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

void AsyncMessageStore::history(const HistoryQuery &query, QObject *context, HistoryDone done)
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
    QMetaObject::invokeMethod(m_worker, [this, query, to, done = std::move(done)]() mutable {
        bool more = false;
        std::optional<QList<ChatMessage>> page = m_store->history(query, &more);
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
