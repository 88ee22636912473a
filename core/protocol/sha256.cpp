#include "protocol/sha256.h"

#include <QCoreApplication>
#include <QFile>
#include <QIODevice>

#include <openssl/evp.h>

namespace {

QString hashFailedText()
{
    return QCoreApplication::translate("Sha256", "SHA-256 is not available (OpenSSL failed).");
}

} // namespace

Sha256::Sha256() : m_context(EVP_MD_CTX_new())
{
    reset();
}

Sha256::~Sha256()
{
    EVP_MD_CTX_free(m_context);
}

void Sha256::reset()
{
    m_failed = !m_context || EVP_DigestInit_ex(m_context, EVP_sha256(), nullptr) != 1;
}

void Sha256::addData(QByteArrayView data)
{
    if (m_failed || data.isEmpty())
        return;
    m_failed = EVP_DigestUpdate(m_context, data.data(), size_t(data.size())) != 1;
}

bool Sha256::addData(QIODevice *device, QString *error)
{
    // One buffer for the whole device: 256 KiB stays in the cache between read and hash.
    QByteArray buffer(kChunkBytes, Qt::Uninitialized);
    for (;;) {
        const qint64 n = device->read(buffer.data(), buffer.size());
        if (n < 0) {
            if (error)
                *error = device->errorString();
            return false;
        }
        if (n == 0) {
            // The end, or a sequential device with nothing more for now (treated as the end,
            // as QCryptographicHash::addData(QIODevice *) does).
            break;
        }
        addData(QByteArrayView(buffer.constData(), n));
    }
    return true;
}

QByteArray Sha256::result() const
{
    if (m_failed)
        return {};
    // Finishes a copy, so that more data may still follow (as with QCryptographicHash).
    EVP_MD_CTX *copy = EVP_MD_CTX_new();
    QByteArray out(kSize, Qt::Uninitialized);
    unsigned int length = 0;
    const bool ok =
        copy && EVP_MD_CTX_copy_ex(copy, m_context) == 1 &&
        EVP_DigestFinal_ex(copy, reinterpret_cast<unsigned char *>(out.data()), &length) == 1 &&
        length == kSize;
    EVP_MD_CTX_free(copy);
    return ok ? out : QByteArray();
}

QByteArray Sha256::hash(QByteArrayView data)
{
    Sha256 h;
    h.addData(data);
    return h.result();
}

QByteArray Sha256::hashFile(const QString &path, QString *error)
{
    QFile f(path);
    // Unbuffered: the chunks go straight from read(2) into our buffer, without QFile's copy.
    if (!f.open(QIODevice::ReadOnly | QIODevice::Unbuffered)) {
        if (error)
            *error = f.errorString();
        return {};
    }
    Sha256 h;
    if (!h.addData(&f, error))
        return {};
    const QByteArray out = h.result();
    if (out.isEmpty() && error)
        *error = hashFailedText();
    return out;
}
