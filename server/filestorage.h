#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringList>

// The files folder (docs/protocol.md section 18): each file's bytes once, named by their
// SHA-256 (<dir>/<first two hex digits>/<sha256>), and the uploads still on their way in
// <dir>/partial/. Readable by the server's user alone: folders 0700, files 0600. An upload
// becomes a stored file by an atomic rename, so a stored file is always whole and checked.
class FileStorage
{
public:
    explicit FileStorage(const QString &dir) : m_dir(dir) {}

    // Makes the folders (owner only) and removes partial uploads older than maxPartialAgeMs.
    bool open(qint64 maxPartialAgeMs, QString *error);
    QString dir() const { return m_dir; }

    QString blobPath(const QString &sha256) const;
    // Whether the stored file for `sha256` is there with `size` bytes.
    bool hasBlob(const QString &sha256, qint64 size) const;
    // Up to `max` bytes of the stored file from `offset` (false on a read error).
    bool readBlob(const QString &sha256, qint64 offset, qint64 max, QByteArray *out) const;

    // Where the upload of `sha256` (`size` bytes) by `payer` is kept until it is whole: a name
    // derived from the three, so that a new connection (or a restarted server) finds it again,
    // and that tells nothing of who the payer is.
    QString partialPath(const QString &payer, const QString &sha256, qint64 size) const;
    // Bytes of a partial upload on disk, 0 when there is none.
    static qint64 partialSize(const QString &path);
    // Appends `data` to the partial upload, which must hold exactly `offset` bytes.
    static bool append(const QString &path, qint64 offset, QByteArrayView data, QString *error);
    static void removePartial(const QString &path);
    // Moves a checked partial upload to its stored name (atomically; an existing file of the
    // same content stays, the upload goes).
    bool publish(const QString &partial, const QString &sha256, QString *error);
    // Removes partial uploads not written to for maxAgeMs; how many.
    int sweepPartials(qint64 maxAgeMs, const QStringList &keep = {}) const;

    // What a whole upload turned out to be (run on a worker thread: a 100 MB file takes a
    // while to hash).
    struct Check
    {
        bool readable = false;
        bool hashMatches = false;
        bool typeMatches = false;
        QString error;
    };
    static Check verify(const QString &path, const QString &sha256, const QString &mime);
    // The first bytes of a stored file, for the type check of a file sent again.
    QByteArray head(const QString &sha256) const;

private:
    QString m_dir;
};
