#include "filestorage.h"

#include "protocol/fileref.h"
#include "protocol/sha256.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <cstdio>

namespace {

constexpr QFile::Permissions kOwnerFile = QFile::ReadOwner | QFile::WriteOwner;
constexpr QFile::Permissions kOwnerDir = QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner;

bool makeDir(const QString &path, QString *error)
{
    if (!QDir().mkpath(path)) {
        *error = QStringLiteral("cannot create the folder %1").arg(path);
        return false;
    }
    // Private files are in there: nobody but the server's user may list or read them.
    if (!QFile::setPermissions(path, kOwnerDir)) {
        *error = QStringLiteral("cannot make the folder %1 private").arg(path);
        return false;
    }
    return true;
}

} // namespace

bool FileStorage::open(qint64 maxPartialAgeMs, QString *error)
{
    QString why;
    if (!makeDir(m_dir, &why) || !makeDir(m_dir + QStringLiteral("/partial"), &why)) {
        if (error)
            *error = why;
        return false;
    }
    sweepPartials(maxPartialAgeMs);
    return true;
}

QString FileStorage::blobPath(const QString &sha256) const
{
    return QStringLiteral("%1/%2/%3").arg(m_dir, sha256.left(2), sha256);
}

bool FileStorage::hasBlob(const QString &sha256, qint64 size) const
{
    const QFileInfo info(blobPath(sha256));
    return info.isFile() && info.size() == size;
}

bool FileStorage::readBlob(const QString &sha256, qint64 offset, qint64 max, QByteArray *out) const
{
    QFile f(blobPath(sha256));
    if (!f.open(QIODevice::ReadOnly) || !f.seek(offset))
        return false;
    *out = f.read(max);
    return f.error() == QFileDevice::NoError;
}

QString FileStorage::partialPath(const QString &payer, const QString &sha256, qint64 size) const
{
    const QByteArray key = QCryptographicHash::hash(
        (payer + QLatin1Char('\n') + sha256 + QLatin1Char('\n') + QString::number(size)).toUtf8(),
        QCryptographicHash::Sha256);
    return QStringLiteral("%1/partial/%2").arg(m_dir, QString::fromLatin1(key.toHex()));
}

qint64 FileStorage::partialSize(const QString &path)
{
    const QFileInfo info(path);
    return info.isFile() ? info.size() : 0;
}

bool FileStorage::append(const QString &path, qint64 offset, QByteArrayView data, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Append, kOwnerFile)) {
        *error = f.errorString();
        return false;
    }
    if (f.size() != offset) {
        *error = QStringLiteral("%1 holds %2 bytes, not %3").arg(path).arg(f.size()).arg(offset);
        return false;
    }
    if (f.write(data.data(), data.size()) != data.size() || !f.flush()) {
        *error = f.errorString();
        f.close();
        f.resize(offset); // no half chunk: the next offer resumes at a chunk's end
        return false;
    }
    return true;
}

void FileStorage::removePartial(const QString &path)
{
    QFile::remove(path);
}

bool FileStorage::publish(const QString &partial, const QString &sha256, QString *error)
{
    const QString target = blobPath(sha256);
    QString why;
    if (!makeDir(QFileInfo(target).absolutePath(), &why)) {
        *error = why;
        return false;
    }
    QFile::setPermissions(partial, kOwnerFile);
    // rename(2) replaces an existing file atomically: readers of the old one (the same bytes)
    // keep reading it, and nobody ever sees a half-written file under this name.
    if (std::rename(QFile::encodeName(partial).constData(),
                    QFile::encodeName(target).constData()) != 0) {
        *error = QStringLiteral("cannot move %1 to %2").arg(partial, target);
        return false;
    }
    return true;
}

int FileStorage::sweepPartials(qint64 maxAgeMs, const QStringList &keep) const
{
    int removed = 0;
    const QDateTime oldest = QDateTime::currentDateTimeUtc().addMSecs(-maxAgeMs);
    QDirIterator it(m_dir + QStringLiteral("/partial"), QDir::Files | QDir::Hidden);
    while (it.hasNext()) {
        const QString path = it.next();
        if (keep.contains(path) || it.fileInfo().lastModified() >= oldest)
            continue;
        if (QFile::remove(path))
            ++removed;
    }
    return removed;
}

FileStorage::Check FileStorage::verify(const QString &path, const QString &sha256,
                                       const QString &mime)
{
    Check check;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        check.error = f.errorString();
        return check;
    }
    const QByteArray head = f.peek(16);
    // OpenSSL's SHA-256 (the CPU's SHA instructions): several times QCryptographicHash's pace,
    // and this runs after the last byte of every upload, before its message is stored.
    Sha256 hash;
    if (!hash.addData(&f, &check.error))
        return check;
    const QByteArray digest = hash.result();
    if (digest.isEmpty()) {
        check.error = QStringLiteral("SHA-256 failed (OpenSSL)");
        return check;
    }
    check.readable = true;
    check.hashMatches = QString::fromLatin1(digest.toHex()) == sha256;
    check.typeMatches = FileRef::contentMatches(mime, head);
    return check;
}

QByteArray FileStorage::head(const QString &sha256) const
{
    QFile f(blobPath(sha256));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.read(16);
}
