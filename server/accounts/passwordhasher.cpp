#include "passwordhasher.h"

#include <QByteArray>
#include <QMetaObject>

#include <sodium.h>

#ifdef Q_OS_LINUX
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

PasswordHasher::Cost PasswordHasher::Cost::interactive()
{
    return Cost{crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

PasswordHasher::PasswordHasher(int threads, int maxQueued, Cost cost, QObject *parent)
    : QObject(parent), m_cost(cost), m_maxQueued(qMax(1, maxQueued))
{
    if (sodium_init() < 0)
        qFatal("libsodium cannot initialise");
    // The dummy for unknown names has the same parameters as real hashes, so verifying
    // against it takes as long. It is made on a worker too, with the first job.
    m_workers.reserve(size_t(qMax(1, threads)));
    for (int i = 0; i < qMax(1, threads); ++i)
        m_workers.emplace_back([this] { run(); });
}

PasswordHasher::~PasswordHasher()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
        m_jobs.clear();
    }
    m_wake.notify_all();
    for (std::thread &t : m_workers)
        t.join();
}

int PasswordHasher::queued() const
{
    std::lock_guard lock(m_mutex);
    return int(m_jobs.size());
}

bool PasswordHasher::enqueue(std::function<void()> job)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping || int(m_jobs.size()) >= m_maxQueued)
            return false;
        m_jobs.push_back(std::move(job));
    }
    m_wake.notify_one();
    return true;
}

void PasswordHasher::run()
{
#ifdef Q_OS_LINUX
    // Where a hashing thread shares a core with the relay (a one-core server, or more hashing
    // threads than spare cores), the relay goes first: a flood of sign-ins had pushed the
    // chat's p99 from 17 to 64 ms on one core (bench/abuse.sh, attack f). Nice 10 leaves the
    // hash about a tenth of a busy core, and all of an idle one. Linux gives each thread its
    // own nice value.
    setpriority(PRIO_PROCESS, id_t(syscall(SYS_gettid)), 10);
#endif
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || !m_jobs.empty(); });
            if (m_stopping)
                return;
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
        }
        job();
    }
}

QString PasswordHasher::hashNow(const QString &password, Cost cost)
{
    const QByteArray utf8 = password.toUtf8();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, utf8.constData(), quint64(utf8.size()), cost.opsLimit,
                          cost.memLimit) != 0)
        return {}; // out of memory
    return QString::fromLatin1(out);
}

bool PasswordHasher::verifyNow(const QString &storedHash, const QString &password)
{
    const QByteArray hash = storedHash.toLatin1();
    const QByteArray utf8 = password.toUtf8();
    if (hash.isEmpty() || hash.size() >= crypto_pwhash_STRBYTES)
        return false;
    return crypto_pwhash_str_verify(hash.constData(), utf8.constData(), quint64(utf8.size())) == 0;
}

bool PasswordHasher::needsRehash(const QString &storedHash, Cost cost)
{
    const QByteArray hash = storedHash.toLatin1();
    return crypto_pwhash_str_needs_rehash(hash.constData(), cost.opsLimit, cost.memLimit) != 0;
}

bool PasswordHasher::hash(const QString &password, HashDone done)
{
    const Cost cost = m_cost;
    return enqueue([this, password, cost, done = std::move(done)] {
        const QString result = hashNow(password, cost);
        // `this` outlives every job: the destructor joins the workers before it returns, and
        // a queued call to a deleted object is dropped by Qt.
        QMetaObject::invokeMethod(
            this, [done, result] { done(result); }, Qt::QueuedConnection);
    });
}

bool PasswordHasher::verify(const QString &storedHash, const QString &password, VerifyDone done)
{
    const Cost cost = m_cost;
    return enqueue([this, storedHash, password, cost, done = std::move(done)] {
        QString hash = storedHash;
        if (hash.isEmpty()) {
            // Only workers touch the dummy (never the event loop, which must not wait for it).
            std::lock_guard lock(m_dummyMutex);
            if (m_dummyHash.isEmpty()) {
                QByteArray random(16, Qt::Uninitialized);
                randombytes_buf(random.data(), size_t(random.size()));
                m_dummyHash = hashNow(QString::fromLatin1(random.toHex()), cost);
            }
            hash = m_dummyHash;
        }
        const bool ok = verifyNow(hash, password) && !storedHash.isEmpty();
        const bool rehash = ok && needsRehash(hash, cost);
        QMetaObject::invokeMethod(
            this, [done, ok, rehash] { done(ok, rehash); }, Qt::QueuedConnection);
    });
}
