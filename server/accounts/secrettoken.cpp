#include "secrettoken.h"

#include <QCryptographicHash>

#include <sodium.h>

namespace {

QByteArray randomBytes(int count)
{
    // sodium_init() is idempotent and thread-safe; randombytes_buf needs it once.
    if (sodium_init() < 0)
        qFatal("libsodium cannot initialise: no source of random numbers");
    QByteArray bytes(count, Qt::Uninitialized);
    randombytes_buf(bytes.data(), size_t(bytes.size()));
    return bytes;
}

} // namespace

QString SecretToken::newToken()
{
    return QString::fromLatin1(
        randomBytes(32).toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QString SecretToken::newInviteCode()
{
    // Crockford's base32 alphabet: no I, L, O, U, so a code read aloud or retyped survives.
    static constexpr char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    const QByteArray bytes = randomBytes(15); // 120 bits = 24 base32 digits
    QString code;
    quint32 buffer = 0;
    int bits = 0;
    int digits = 0;
    for (char b : bytes) {
        buffer = (buffer << 8) | quint8(b);
        bits += 8;
        while (bits >= 5) {
            if (digits > 0 && digits % 6 == 0)
                code.append(QLatin1Char('-'));
            code.append(QLatin1Char(alphabet[(buffer >> (bits - 5)) & 31]));
            bits -= 5;
            ++digits;
        }
    }
    return code;
}

QString SecretToken::hash(const QString &secret)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(secret.toUtf8(), QCryptographicHash::Sha256).toHex());
}

QString SecretToken::inviteHash(const QString &code)
{
    QString canonical = code.toUpper();
    canonical.remove(QLatin1Char('-'));
    canonical.remove(QLatin1Char(' '));
    return hash(canonical);
}
