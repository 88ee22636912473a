#pragma once

#include "accounts/accountstore.h"
#include "storethread.h"

#include <functional>
#include <memory>

// An AccountStore where it may take its time: on a thread of its own (PostgreSQL, whose every
// call is a network round trip, or a SQLite file synced at each commit), or on the caller's
// (a plain SQLite file: an indexed lookup in the page cache). Either way the answer comes
// back queued, so callers have one way to be answered. Work runs in the order it was asked.
class AsyncAccountStore : public QObject
{
    Q_OBJECT
public:
    using Threading = StoreThread::Threading;
    // Takes the store unopened; open() opens it on the store's thread.
    explicit AsyncAccountStore(std::unique_ptr<AccountStore> store,
                               Threading threading = Threading::Inline, QObject *parent = nullptr);
    // Finishes what was asked, then closes the store on its thread.
    ~AsyncAccountStore() override;

    // Blocks until the store is open (start-up only).
    bool open(QString *error);

    // `work` runs with the store on its thread; `done` gets its result on this thread, if
    // `context` is still there. `work` must touch nothing but the store and what it captured.
    template <typename Result>
    void ask(QObject *context, std::function<Result(AccountStore &)> work,
             std::function<void(Result)> done)
    {
        m_thread.ask<Result>(
            context, [this, work = std::move(work)] { return work(*m_store); }, std::move(done));
    }
    // A write nobody waits for (a token's last use, a guest's session); failures are logged.
    void tell(std::function<void(AccountStore &)> work)
    {
        m_thread.run([this, work = std::move(work)] { work(*m_store); });
    }

    int pending() const { return m_thread.pending(); }

private:
    std::unique_ptr<AccountStore> m_store; // used on m_thread only
    StoreThread m_thread;
};
