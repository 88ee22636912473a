#include "tls/selfsignedcertificate.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSslCertificate>
#include <QSslKey>
#include <QStringList>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <filesystem>
#include <memory>
#include <system_error>

namespace {

template <auto Free> struct OpenSslDeleter
{
    template <typename T> void operator()(T *p) const { Free(p); }
};
template <typename T, auto Free> using OpenSslPtr = std::unique_ptr<T, OpenSslDeleter<Free>>;

using KeyPtr = OpenSslPtr<EVP_PKEY, EVP_PKEY_free>;
using CertPtr = OpenSslPtr<X509, X509_free>;
using BioPtr = OpenSslPtr<BIO, BIO_free_all>;
using BignumPtr = OpenSslPtr<BIGNUM, BN_free>;
using ExtensionPtr = OpenSslPtr<X509_EXTENSION, X509_EXTENSION_free>;

constexpr int MaxCommonNameChars = 64; // ub-common-name in RFC 5280

void setError(QString *error, const QString &text)
{
    if (error)
        *error = text;
}

// OpenSSL keeps errors in a queue per thread, which Qt's TLS code on this thread reads too:
// every error is taken out here so that none is left behind to confuse a later handshake.
QString takeOpenSslErrors()
{
    QStringList parts;
    while (const unsigned long code = ERR_get_error()) {
        char text[256];
        ERR_error_string_n(code, text, sizeof text);
        parts << QString::fromLatin1(text);
    }
    return parts.isEmpty() ? QStringLiteral("unknown OpenSSL error")
                           : parts.join(QStringLiteral("; "));
}

// Without a callback OpenSSL would ask for a passphrase on the terminal.
int refusePassphrase(char *, int, int, void *)
{
    return -1;
}

// A crash between the two renames in ensure() can leave a new key next to the old
// certificate; Qt only notices that in the middle of a handshake.
bool keyMatchesCertificate(const QSslCertificate &cert, const QByteArray &keyPem)
{
    const QByteArray der = cert.toDer();
    const auto *p = reinterpret_cast<const unsigned char *>(der.constData());
    const CertPtr x509(d2i_X509(nullptr, &p, long(der.size())));
    const BioPtr bio(BIO_new_mem_buf(keyPem.constData(), int(keyPem.size())));
    const KeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, refusePassphrase, nullptr)
                         : nullptr);
    const bool matches = x509 && key && X509_check_private_key(x509.get(), key.get()) == 1;
    ERR_clear_error();
    return matches;
}

bool readFile(const QString &path, QByteArray *data)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    *data = file.readAll();
    return true;
}

bool existingPairIsUsable(const QString &certPath, const QString &keyPath)
{
    QByteArray certPem;
    QByteArray keyPem;
    if (!readFile(certPath, &certPem) || !readFile(keyPath, &keyPem))
        return false;
    const QSslCertificate cert(certPem, QSsl::Pem);
    if (cert.isNull() || cert.expiryDate() <= QDateTime::currentDateTimeUtc())
        return false;
    // Ours are EC; an RSA pair someone put there is fine too.
    if (QSslKey(keyPem, QSsl::Ec, QSsl::Pem).isNull() &&
        QSslKey(keyPem, QSsl::Rsa, QSsl::Pem).isNull())
        return false;
    return keyMatchesCertificate(cert, keyPem);
}

// Letters, digits and hyphens in dot-separated labels: also keeps anything that could change
// the meaning of the subjectAltName text below (commas, colons) out of it.
bool isHostName(const QString &name)
{
    static const QRegularExpression label(QStringLiteral("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"));
    if (name.isEmpty() || name.size() > 253)
        return false;
    const QStringList labels = name.split(QLatin1Char('.'));
    for (const QString &l : labels) {
        if (!label.match(l).hasMatch())
            return false;
    }
    return true;
}

QString subjectAltNames(const QString &commonName)
{
    QStringList names{QStringLiteral("DNS:localhost"), QStringLiteral("IP:127.0.0.1")};
    const QHostAddress address(commonName);
    if (!address.isNull()) {
        const QString ip = QStringLiteral("IP:") + address.toString();
        if (!names.contains(ip))
            names << ip;
    } else if (isHostName(commonName.toLower())) {
        const QString dns = QStringLiteral("DNS:") + commonName.toLower();
        if (!names.contains(dns))
            names << dns;
    }
    return names.join(QLatin1Char(','));
}

QByteArray toPem(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return size > 0 ? QByteArray(data, qsizetype(size)) : QByteArray();
}

// Makes the key and the certificate in memory; *why is OpenSSL's explanation on failure.
bool generate(const QString &commonName, QByteArray *certPem, QByteArray *keyPem, QString *why)
{
    const KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    const CertPtr cert(X509_new());
    const BignumPtr serial(BN_new());
    if (!key || !cert || !serial) {
        *why = takeOpenSslErrors();
        return false;
    }
    X509 *x = cert.get();

    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QByteArray cn = commonName.toUtf8();
    X509_NAME *name = X509_get_subject_name(x);
    // 159 random bits with the top one set: positive, never zero, and at most the 20 octets
    // RFC 5280 allows.
    bool ok =
        X509_set_version(x, X509_VERSION_3) &&
        BN_rand(serial.get(), 159, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) &&
        BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(x)) &&
        // A day early so that a client whose clock is behind accepts it too.
        ASN1_TIME_set(X509_getm_notBefore(x), std::time_t(now.addDays(-1).toSecsSinceEpoch())) &&
        ASN1_TIME_set(X509_getm_notAfter(x), std::time_t(now.addYears(10).toSecsSinceEpoch())) &&
        X509_set_pubkey(x, key.get()) &&
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char *>(cn.constData()),
                                   int(cn.size()), -1, 0) &&
        X509_set_issuer_name(x, name);

    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
    const struct
    {
        int nid;
        QByteArray value;
    } extensions[] = {
        {NID_basic_constraints, QByteArrayLiteral("critical,CA:FALSE")},
        {NID_key_usage, QByteArrayLiteral("critical,digitalSignature")},
        {NID_ext_key_usage, QByteArrayLiteral("serverAuth")},
        {NID_subject_alt_name, subjectAltNames(commonName).toLatin1()},
        {NID_subject_key_identifier, QByteArrayLiteral("hash")},
    };
    for (const auto &e : extensions) {
        if (!ok)
            break;
        const ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, e.nid, e.value.constData()));
        ok = ext && X509_add_ext(x, ext.get(), -1);
    }
    ok = ok && X509_sign(x, key.get(), EVP_sha256()) > 0;

    const BioPtr certBio(BIO_new(BIO_s_mem()));
    const BioPtr keyBio(BIO_new(BIO_s_mem()));
    // PKCS#8 ("BEGIN PRIVATE KEY"), unencrypted: the file's mode protects it.
    ok = ok && certBio && keyBio && PEM_write_bio_X509(certBio.get(), x) &&
         PEM_write_bio_PrivateKey(keyBio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    if (!ok) {
        *why = takeOpenSslErrors();
        return false;
    }
    *certPem = toPem(certBio.get());
    *keyPem = toPem(keyBio.get());
    return true;
}

// Writes data to a new file next to path, created with the given permissions by the open()
// call itself (O_CREAT|O_EXCL with the mode on Unix), so a key is never readable by others,
// not even for a moment, and a file planted under the temporary name is never written
// through. Returns the temporary file's path, or "" with *why set.
QString writeTemporary(const QString &path, const QByteArray &data,
                       QFileDevice::Permissions permissions, QString *why)
{
    const QFileInfo target(path);
    for (int attempt = 0; attempt < 8; ++attempt) {
        const QString name = target.absolutePath() + QLatin1String("/.") + target.fileName() +
                             QLatin1String(".new-") +
                             QString::number(QRandomGenerator::global()->generate(), 36);
        QFile file(name);
        if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly, permissions)) {
            if (QFileInfo::exists(name))
                continue; // taken: try another name
            *why = file.errorString();
            return {};
        }
        if (file.write(data) != data.size() || !file.flush()) {
            *why = file.errorString();
            file.close();
            file.remove();
            return {};
        }
        file.close();
        return name;
    }
    *why = QStringLiteral("no free temporary name in %1").arg(target.absolutePath());
    return {};
}

// Replaces to with from in one step (rename(2) on Unix): readers see the old file or the
// new one, never half of either. QFile::rename refuses to replace an existing file.
bool replaceFile(const QString &from, const QString &to, QString *why)
{
    std::error_code ec;
    std::filesystem::rename(QFile(from).filesystemFileName(), QFile(to).filesystemFileName(), ec);
    if (ec) {
        *why = QString::fromLocal8Bit(ec.message());
        return false;
    }
    return true;
}

bool makeFolder(const QString &filePath, const QString &what, QString *error)
{
    const QString folder = QFileInfo(filePath).absolutePath();
    if (QDir().mkpath(folder))
        return true;
    setError(error, QStringLiteral("Cannot create the folder %1 for the TLS %2 %3.")
                        .arg(folder, what, filePath));
    return false;
}

} // namespace

bool SelfSignedCertificate::ensure(const QString &certPath, const QString &keyPath,
                                   const QString &commonName, QString *error)
{
    if (certPath.isEmpty() || keyPath.isEmpty() ||
        QFileInfo(certPath).absoluteFilePath() == QFileInfo(keyPath).absoluteFilePath()) {
        setError(error, QStringLiteral("The TLS certificate (%1) and key (%2) need two different "
                                       "files.")
                            .arg(certPath, keyPath));
        return false;
    }
    const QString cn =
        commonName.trimmed().isEmpty() ? QStringLiteral("localhost") : commonName.trimmed();
    if (cn.size() > MaxCommonNameChars) {
        setError(error, QStringLiteral("Cannot make the TLS certificate %1: the name \"%2\" is "
                                       "longer than %3 characters.")
                            .arg(certPath, cn)
                            .arg(MaxCommonNameChars));
        return false;
    }

    ERR_clear_error(); // errors other code left behind are not ours to report
    if (existingPairIsUsable(certPath, keyPath))
        return true;

    if (!makeFolder(certPath, QStringLiteral("certificate"), error) ||
        !makeFolder(keyPath, QStringLiteral("key"), error))
        return false;

    QByteArray certPem;
    QByteArray keyPem;
    QString why;
    if (!generate(cn, &certPem, &keyPem, &why)) {
        setError(error,
                 QStringLiteral("Cannot make the TLS certificate %1: %2").arg(certPath, why));
        return false;
    }

    const QString keyTemp =
        writeTemporary(keyPath, keyPem, QFileDevice::ReadOwner | QFileDevice::WriteOwner, &why);
    if (keyTemp.isEmpty()) {
        setError(error, QStringLiteral("Cannot write the TLS key %1: %2").arg(keyPath, why));
        return false;
    }
    const QString certTemp = writeTemporary(certPath, certPem,
                                            QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                QFileDevice::ReadGroup | QFileDevice::ReadOther,
                                            &why);
    if (certTemp.isEmpty()) {
        QFile::remove(keyTemp);
        setError(error,
                 QStringLiteral("Cannot write the TLS certificate %1: %2").arg(certPath, why));
        return false;
    }
    // The key first: if only one rename happens, the next ensure() sees a pair that does not
    // belong together and starts again.
    if (!replaceFile(keyTemp, keyPath, &why)) {
        QFile::remove(keyTemp);
        QFile::remove(certTemp);
        setError(error, QStringLiteral("Cannot write the TLS key %1: %2").arg(keyPath, why));
        return false;
    }
    if (!replaceFile(certTemp, certPath, &why)) {
        QFile::remove(certTemp);
        setError(error,
                 QStringLiteral("Cannot write the TLS certificate %1: %2").arg(certPath, why));
        return false;
    }
    return true;
}

bool SelfSignedCertificate::keyMatches(const QSslCertificate &certificate, const QByteArray &keyPem)
{
    return keyMatchesCertificate(certificate, keyPem);
}
