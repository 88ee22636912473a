#pragma once

#include <QObject>
#include <QString>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

// Argon2id password hashing (libsodium crypto_pwhash_str) on a small pool of worker threads,
// so that the relay's event loop never waits for a hash. The queue in front of the pool is
// bounded: a job that does not fit is refused at once (the caller answers "busy"), so a
// flood of sign-ins costs a bounded amount of memory and delays nobody's chat.
//
// Results come back as queued calls on the thread that owns this object.
class PasswordHasher : public QObject
{
    Q_OBJECT
public:
    struct Cost
    {
        // libsodium's "interactive" level: 64 MiB and 2 passes, about 0.1 s on a laptop core.
        unsigned long long opsLimit;
        size_t memLimit;
        static Cost interactive();
    };

    PasswordHasher(int threads, int maxQueued, Cost cost = Cost::interactive(),
                   QObject *parent = nullptr);
    ~PasswordHasher() override;

    using HashDone = std::function<void(const QString &hash)>; // empty on failure
    using VerifyDone = std::function<void(bool ok, bool needsRehash)>;

    // false when the queue is full (nothing is queued then).
    bool hash(const QString &password, HashDone done);
    // Verifies against `storedHash`; an empty storedHash verifies against a dummy hash, so a
    // name without an account costs as much time as one with (names cannot be probed).
    bool verify(const QString &storedHash, const QString &password, VerifyDone done);

    int threads() const { return int(m_workers.size()); }
    int maxQueued() const { return m_maxQueued; }
    int queued() const;

    // Synchronous versions, for the admin command line (not the event loop).
    static QString hashNow(const QString &password, Cost cost = Cost::interactive());
    static bool verifyNow(const QString &storedHash, const QString &password);
    static bool needsRehash(const QString &storedHash, Cost cost = Cost::interactive());

private:
    void run();
    bool enqueue(std::function<void()> job);

    Cost m_cost;
    int m_maxQueued;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::function<void()>> m_jobs;
    bool m_stopping = false;
    std::mutex m_dummyMutex;
    QString m_dummyHash;
    std::vector<std::thread> m_workers;
};
