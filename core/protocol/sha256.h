#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

class QIODevice;
struct evp_md_ctx_st;

// SHA-256 through OpenSSL's EVP interface. Files are known by the SHA-256 of their content
// (docs/protocol.md section 18): the client hashes a file before it offers it and a download
// after its last byte, the server an upload after its last byte. QCryptographicHash does that
// at about 200 MB/s here; OpenSSL uses the CPU's SHA extensions (SHA-NI, ARMv8 SHA2) where
// there are some, about 1.7 GB/s on the same machine, so hashing no longer halves a 100 MB
// upload's speed (docs/benchmarks.md, "File transfer beside chat").
//
// addData() and result() work as QCryptographicHash's do: result() may be called more than
// once, and data added after it continues the same hash.
class Sha256
{
public:
    static constexpr int kSize = 32; // bytes of a result
    // What addData(QIODevice *) reads at a time: its memory, whatever the file's size.
    static constexpr qint64 kChunkBytes = 256 * 1024;

    Sha256();
    ~Sha256();
    Sha256(const Sha256 &) = delete;
    Sha256 &operator=(const Sha256 &) = delete;

    void addData(QByteArrayView data);
    // Reads `device` to its end in chunks of kChunkBytes; false on a read error (then
    // *error, if given, is the device's errorString()).
    bool addData(QIODevice *device, QString *error = nullptr);
    // The 32-byte hash of what was added so far; empty if OpenSSL failed (never seen: only
    // without memory, or with a provider that has no SHA-256).
    QByteArray result() const;
    // Starts over with nothing added.
    void reset();

    static QByteArray hash(QByteArrayView data);
    // The hash of the whole file at `path`, read in bounded chunks; empty with *error set
    // (why the file could not be opened or read) on failure.
    static QByteArray hashFile(const QString &path, QString *error = nullptr);

private:
    evp_md_ctx_st *m_context = nullptr; // EVP_MD_CTX
    bool m_failed = false;
};
