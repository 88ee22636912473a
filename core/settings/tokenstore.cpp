#include "settings/tokenstore.h"

#include <qt6keychain/keychain.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QLoggingCategory>
#include <QStandardPaths>

#include <atomic>
#include <functional>

#if defined(Q_OS_UNIX) && !defined(Q_OS_DARWIN) && !defined(Q_OS_ANDROID)
#define CONFAB_TOKENSTORE_DBUS
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusReply>
#include <QLibrary>
#endif

#ifdef Q_OS_UNIX
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#else
#include <QSaveFile>
#endif

Q_LOGGING_CATEGORY(lcTokens, "confab.tokenstore")

namespace {

// Process-wide, like QtKeychain's own choice of backend: once one store has found no keychain
// service, the others do not ask again.
std::atomic<bool> s_forceFile{false};
std::atomic<bool> s_noKeychain{false};

const QString tokensKey = QStringLiteral("tokens");

QString posixError(int errorNumber)
{
    return QString::fromLocal8Bit(std::strerror(errorNumber));
}

// QtKeychain 0.13 reports a missing service as OtherError ("Unknown error" when libsecret
// cannot be loaded, "D-Bus is not running" on the KWallet path), the same code as real
// failures of a working keychain. So the bus is asked whether a keychain that QtKeychain can
// use is there at all.
bool keychainServiceReachable()
{
#ifdef CONFAB_TOKENSTORE_DBUS
    const QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected() || !bus.interface())
        return false;
    const QDBusConnectionInterface *const daemon = bus.interface();
    const QDBusReply<QStringList> activatable = daemon->activatableServiceNames();
    const auto present = [&](const QString &name) {
        return daemon->isServiceRegistered(name).value() ||
               (activatable.isValid() && activatable.value().contains(name));
    };
    // QtKeychain talks to KWallet over D-Bus itself, but to the Secret Service only through
    // libsecret, which it loads at run time (libqt6keychain1 does not depend on it).
    for (const char *name : {"org.kde.kwalletd6", "org.kde.kwalletd5", "org.kde.kwalletd"}) {
        if (present(QLatin1String(name)))
            return true;
    }
    QLibrary libsecret(QStringLiteral("secret-1"), 0);
    return present(QStringLiteral("org.freedesktop.secrets")) && libsecret.load();
#else
    // macOS and Windows always have their keychain: an error there is a real error.
    return true;
#endif
}

const char *kindName(int kind)
{
    static const char *const names[] = {"read", "write", "remove"};
    return names[kind];
}

} // namespace

TokenStore::TokenStore(const QString &service, const QString &fallbackDir, QObject *parent)
    : QObject(parent), m_service(service),
      m_dir(fallbackDir.isEmpty()
                ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
                : fallbackDir)
{
    if (fileBackendForced() || s_noKeychain)
        m_backend = Backend::File;
}

// Keychain jobs have no parent and delete themselves when they finish: deleting a running
// job could leave QtKeychain's D-Bus or libsecret callback with a dangling pointer. Their
// connections to this object end with it.
TokenStore::~TokenStore() = default;

QString TokenStore::filePath() const
{
    return QDir(m_dir).filePath(QStringLiteral("tokens.json"));
}

void TokenStore::read(const QString &account)
{
    enqueue({Operation::Read, account, {}});
}

void TokenStore::write(const QString &account, const QString &token)
{
    enqueue({Operation::Write, account, token});
}

void TokenStore::remove(const QString &account)
{
    enqueue({Operation::Remove, account, {}});
}

void TokenStore::setForceFileBackend(bool force)
{
    s_forceFile = force;
}

bool TokenStore::fileBackendForced() const
{
    return s_forceFile || qEnvironmentVariable("CONFAB_TOKEN_STORE") == QLatin1String("file");
}

// One operation at a time, in the order of the calls: QtKeychain runs its jobs one by one
// anyway, and a write that falls back to the file must be there for the read after it.
void TokenStore::enqueue(Operation op)
{
    m_queue.append(std::move(op));
    scheduleNext();
}

void TokenStore::scheduleNext()
{
    if (m_scheduled || m_running || m_queue.isEmpty())
        return;
    m_scheduled = true;
    // Queued, so that answers never arrive inside the call that asked.
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_scheduled = false;
            runNext();
        },
        Qt::QueuedConnection);
}

void TokenStore::runNext()
{
    if (m_running || m_queue.isEmpty())
        return;
    m_running = true;
    const Operation op = m_queue.takeFirst();
    if (op.kind == Operation::Write && op.token.isEmpty()) {
        emit failed(op.account, tr("An empty token cannot be stored."));
        finishOperation();
        return;
    }
    if (fileBackendForced() || s_noKeychain)
        setBackend(Backend::File);
    if (m_backend == Backend::File) {
        runFileOperation(op);
        finishOperation();
    } else {
        startKeychainJob(op);
    }
}

void TokenStore::finishOperation()
{
    m_running = false;
    scheduleNext();
}

void TokenStore::setBackend(Backend backend)
{
    if (m_backend == backend)
        return;
    m_backend = backend;
    emit backendChanged(backend);
}

void TokenStore::startKeychainJob(const Operation &op)
{
    QKeychain::Job *job = nullptr;
    switch (op.kind) {
    case Operation::Read:
        job = new QKeychain::ReadPasswordJob(m_service);
        break;
    case Operation::Write: {
        auto *writeJob = new QKeychain::WritePasswordJob(m_service);
        writeJob->setTextData(op.token);
        job = writeJob;
        break;
    }
    case Operation::Remove:
        job = new QKeychain::DeletePasswordJob(m_service);
        break;
    }
    job->setKey(op.account);
    job->setAutoDelete(true);
    // QtKeychain's own fallback is a QSettings file with the usual mode; ours is 0600.
    job->setInsecureFallback(false);
    connect(job, &QKeychain::Job::finished, this,
            [this, op](QKeychain::Job *finished) { keychainJobFinished(finished, op); });
    job->start();
}

void TokenStore::keychainJobFinished(QKeychain::Job *job, const Operation &op)
{
    const QKeychain::Error error = job->error();
    const bool found = error == QKeychain::NoError;
    // "No such entry" is an answer from a working keychain too, for a read or a remove.
    if (!found && !(error == QKeychain::EntryNotFound && op.kind != Operation::Write)) {
        if (m_backend == Backend::Unknown && meansNoKeychain(job)) {
            switchToFile(job);
            runFileOperation(op);
        } else {
            qCWarning(lcTokens).nospace()
                << "Keychain " << kindName(op.kind) << " for " << op.account << " failed: error "
                << int(error) << ", " << job->errorString();
            emit failed(op.account, tr("Keychain error: %1").arg(job->errorString()));
        }
        finishOperation();
        return;
    }

    setBackend(Backend::Keychain);
    QString message;
    switch (op.kind) {
    case Operation::Read: {
        const QString token =
            found ? qobject_cast<QKeychain::ReadPasswordJob *>(job)->textData() : QString();
        if (!token.isEmpty()) {
            emit tokenRead(op.account, token);
            break;
        }
        // Stored while no keychain service ran: hand it out, then move it into the keychain.
        QString fromFile;
        if (!fileToken(op.account, &fromFile, &message))
            qCWarning(lcTokens).noquote() << message;
        emit tokenRead(op.account, fromFile);
        if (!fromFile.isEmpty()) {
            migrateToKeychain(op.account, fromFile); // finishes the operation
            return;
        }
        break;
    }
    case Operation::Write:
        // A token left in the file by a session without keychain is stale now.
        if (!removeFileToken(op.account, &message))
            qCWarning(lcTokens).noquote() << message;
        emit tokenWritten(op.account);
        break;
    case Operation::Remove:
        // Forgetting must forget the file's copy as well.
        if (removeFileToken(op.account, &message))
            emit tokenRemoved(op.account);
        else
            emit failed(op.account, message);
        break;
    }
    finishOperation();
}

bool TokenStore::meansNoKeychain(QKeychain::Job *job) const
{
    switch (job->error()) {
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return true;
    case QKeychain::OtherError:
        return !keychainServiceReachable();
    default:
        // AccessDeniedByUser, AccessDenied (a locked keychain whose prompt was dismissed),
        // CouldNotDeleteEntry: the keychain is there and said no.
        return false;
    }
}

void TokenStore::switchToFile(QKeychain::Job *job)
{
    if (!s_noKeychain.exchange(true)) {
        qCWarning(lcTokens).nospace().noquote()
            << "No keychain service (QtKeychain error " << int(job->error()) << ": "
            << job->errorString() << "); keeping device tokens in " << filePath() << " (mode 0600)";
    }
    setBackend(Backend::File);
}

void TokenStore::migrateToKeychain(const QString &account, const QString &token)
{
    auto *job = new QKeychain::WritePasswordJob(m_service);
    job->setKey(account);
    job->setTextData(token);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    connect(job, &QKeychain::Job::finished, this, [this, account](QKeychain::Job *finished) {
        QString message;
        if (finished->error() != QKeychain::NoError) {
            qCWarning(lcTokens).nospace()
                << "Could not move the token for " << account << " into the keychain (error "
                << int(finished->error()) << ", " << finished->errorString() << "); it stays in "
                << filePath();
        } else if (!removeFileToken(account, &message)) {
            qCWarning(lcTokens).noquote() << message;
        } else {
            qCInfo(lcTokens).nospace() << "Moved the token for " << account << " from "
                                       << filePath() << " into the keychain";
        }
        finishOperation();
    });
    job->start();
}

void TokenStore::runFileOperation(const Operation &op)
{
    QString token;
    QString message;
    switch (op.kind) {
    case Operation::Read:
        if (fileToken(op.account, &token, &message))
            emit tokenRead(op.account, token);
        else
            emit failed(op.account, message);
        break;
    case Operation::Write:
        if (setFileToken(op.account, op.token, &message))
            emit tokenWritten(op.account);
        else
            emit failed(op.account, message);
        break;
    case Operation::Remove:
        if (removeFileToken(op.account, &message))
            emit tokenRemoved(op.account);
        else
            emit failed(op.account, message);
        break;
    }
}

namespace {

// Reads the file's token map; a missing file is an empty map. Narrows a mode wider than 0600.
bool loadTokens(const QString &path, QJsonObject *tokens, QString *error)
{
    *tokens = {};
    QFile file(path);
    if (!file.exists())
        return true;
#ifdef Q_OS_UNIX
    struct stat st = {};
    const QByteArray nativePath = QFile::encodeName(path);
    if (::stat(nativePath.constData(), &st) == 0 && (st.st_mode & 077) != 0) {
        if (::chmod(nativePath.constData(), 0600) == 0) {
            qCWarning(lcTokens, "%s had mode %04o, readable by others; narrowed it to 0600",
                      nativePath.constData(), unsigned(st.st_mode & 07777));
        } else {
            qCWarning(lcTokens, "%s has mode %04o, readable by others, and chmod failed: %s",
                      nativePath.constData(), unsigned(st.st_mode & 07777), std::strerror(errno));
        }
    }
#endif
    if (!file.open(QIODevice::ReadOnly)) {
        *error = TokenStore::tr("Could not read %1: %2").arg(path, file.errorString());
        return false;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    // The parser's message names a position, never the text, so no token leaks into it.
    if (!document.isObject() || !document.object().value(tokensKey).isObject()) {
        *error = TokenStore::tr("%1 is not a token file: %2")
                     .arg(path, parseError.error != QJsonParseError::NoError
                                    ? parseError.errorString()
                                    : TokenStore::tr("no \"tokens\" object"));
        return false;
    }
    *tokens = document.object().value(tokensKey).toObject();
    return true;
}

// Replaces the file with one holding `tokens` (removes it when empty). The new file is a
// temporary one created 0600 in the same folder and renamed over the old: it is never
// readable by others, not even empty, and readers see the old file or the new one whole.
bool saveTokens(const QString &dir, const QString &path, const QJsonObject &tokens, QString *error)
{
    if (tokens.isEmpty()) {
        if (QFile::exists(path) && !QFile::remove(path)) {
            *error = TokenStore::tr("Could not remove %1").arg(path);
            return false;
        }
        return true;
    }
    const QByteArray data = QJsonDocument(QJsonObject{{tokensKey, tokens}}).toJson();
#ifdef Q_OS_UNIX
    QByteArray temporary = QFile::encodeName(path + QStringLiteral(".XXXXXX"));
    const int fd = ::mkstemp(temporary.data()); // open(O_CREAT | O_EXCL, 0600)
    if (fd < 0) {
        *error = TokenStore::tr("Could not create a file in %1: %2").arg(dir, posixError(errno));
        return false;
    }
    int failure = 0;
    // Exactly 0600 also under an unusual umask such as 0277.
    if (::fchmod(fd, 0600) != 0)
        failure = errno;
    for (qsizetype written = 0; failure == 0 && written < data.size();) {
        const ssize_t n = ::write(fd, data.constData() + written, size_t(data.size() - written));
        if (n < 0 && errno != EINTR)
            failure = errno;
        else if (n > 0)
            written += n;
    }
    if (failure == 0 && ::fsync(fd) != 0)
        failure = errno;
    if (::close(fd) != 0 && failure == 0)
        failure = errno;
    if (failure == 0 && ::rename(temporary.constData(), QFile::encodeName(path).constData()) != 0)
        failure = errno;
    if (failure != 0) {
        ::unlink(temporary.constData());
        *error = TokenStore::tr("Could not write %1: %2").arg(path, posixError(failure));
        return false;
    }
    return true;
#else
    // Windows: the folder's ACL (the user's profile) is what keeps others out.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit()) {
        *error = TokenStore::tr("Could not write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
#endif
}

// Read, change and write back under a lock file, so that two Confab processes (two
// accounts) do not drop each other's tokens.
bool updateTokens(const QString &dir, const QString &path,
                  const std::function<bool(QJsonObject &)> &change, QString *error)
{
    // Only the last folder is created 0700; its parents (~/.local/share) get the usual mode.
    const QString folder = QDir(dir).absolutePath();
    if (!QFileInfo::exists(folder)) {
        QDir().mkpath(QFileInfo(folder).absolutePath());
        if (!QDir().mkdir(folder, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner) &&
            !QFileInfo(folder).isDir()) {
            *error = TokenStore::tr("Could not create the folder %1").arg(folder);
            return false;
        }
    }
    QLockFile lock(path + QStringLiteral(".lock"));
    if (!lock.tryLock(5000)) {
        *error = TokenStore::tr("%1 is locked by another process").arg(path);
        return false;
    }
    QJsonObject tokens;
    if (!loadTokens(path, &tokens, error)) {
        // An unreadable file holds nothing usable: start afresh rather than refuse forever.
        qCWarning(lcTokens).noquote() << *error << "- replacing it";
        tokens = {};
    }
    if (!change(tokens))
        return true; // nothing to write
    return saveTokens(dir, path, tokens, error);
}

} // namespace

bool TokenStore::fileToken(const QString &account, QString *token, QString *error) const
{
    QJsonObject tokens;
    if (!loadTokens(filePath(), &tokens, error))
        return false;
    *token = tokens.value(account).toString();
    return true;
}

bool TokenStore::setFileToken(const QString &account, const QString &token, QString *error)
{
    return updateTokens(
        m_dir, filePath(),
        [&](QJsonObject &tokens) {
            tokens.insert(account, token);
            return true;
        },
        error);
}

bool TokenStore::removeFileToken(const QString &account, QString *error)
{
    // The common case while the keychain works: no file, nothing to do, no folder created.
    if (!QFile::exists(filePath()))
        return true;
    return updateTokens(
        m_dir, filePath(),
        [&](QJsonObject &tokens) {
            if (!tokens.contains(account))
                return false;
            tokens.remove(account);
            return true;
        },
        error);
}
