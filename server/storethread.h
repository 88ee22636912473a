#pragma once

#include <QObject>
#include <QPointer>
#include <QThread>

#include <functional>
#include <utility>

// Where a store lives: a thread of its own, or the caller's (Threading::Inline). Work runs
// there one item at a time, in the order it was given. Answers come back to the caller's
// thread as queued calls on a context object: a context that is gone by then gets nothing.
//
// A database connection belongs to the thread that made it, so the store is opened and
// closed through start() and stop(), on its thread.
class StoreThread : public QObject
{
    Q_OBJECT
public:
    enum class Threading { OwnThread, Inline };
    StoreThread(const QString &name, Threading threading, QObject *parent = nullptr);
    // Ends the thread after what was queued; stop() should have closed the store first.
    ~StoreThread() override;

    // Starts the thread and runs `open` there; blocks until it has (start-up only).
    bool start(const std::function<bool()> &open);
    // Runs `close` there after everything queued so far, then ends the thread.
    void stop(const std::function<void()> &close);
    bool isInline() const { return m_inline; }

    // Runs `work` where the store lives: queued on its thread, or here and now (Inline).
    template <typename Work> void run(Work &&work)
    {
        if (m_inline)
            work();
        else
            QMetaObject::invokeMethod(m_worker, std::forward<Work>(work));
    }

    // Runs `work` where the store lives, then `done` with its result on this object's thread,
    // queued (also Inline: the caller's frame has finished by then), if `context` still is.
    template <typename Result, typename Work>
    void ask(QObject *context, Work &&work, std::function<void(Result)> done)
    {
        ++m_pending;
        QPointer<QObject> to(context);
        run([this, work = std::forward<Work>(work), to, done = std::move(done)]() mutable {
            Result result = work();
            answer([this, result = std::move(result), to, done = std::move(done)]() mutable {
                --m_pending;
                if (to)
                    done(std::move(result));
            });
        });
    }

    // Calls `f` on this object's thread, queued: how work on the store's thread answers.
    template <typename F> void answer(F &&f)
    {
        QMetaObject::invokeMethod(this, std::forward<F>(f), Qt::QueuedConnection);
    }

    // Questions asked (ask()) and not answered yet.
    int pending() const { return m_pending; }

private:
    QThread m_thread;
    QObject *m_worker = nullptr; // lives on m_thread: queued calls run there
    bool m_inline = false;
    int m_pending = 0;
};
