#include "net/certificatepins.h"

#include <QCryptographicHash>

CertificatePins::CertificatePins() : m_settings() {}

CertificatePins::CertificatePins(const QString &iniPath) : m_settings(iniPath, QSettings::IniFormat)
{}

QString CertificatePins::key(const QString &hostPort)
{
    // Host names are case-insensitive, and "Example.org:443" must find the pin of
    // "example.org:443".
    return QStringLiteral("certificatePins/") + hostPort.trimmed().toLower();
}

QString CertificatePins::pinned(const QString &hostPort) const
{
    return m_settings.value(key(hostPort)).toString();
}

void CertificatePins::pin(const QString &hostPort, const QString &fingerprint)
{
    m_settings.setValue(key(hostPort), fingerprint.trimmed().toUpper());
}

void CertificatePins::forget(const QString &hostPort)
{
    m_settings.remove(key(hostPort));
}

CertificatePins::Verdict CertificatePins::check(const QString &hostPort,
                                                const QList<QSslError> &errors,
                                                const QSslCertificate &peer) const
{
    return verdict(errors.isEmpty() ? QString() : pinned(hostPort), errors, peer);
}

CertificatePins::Verdict CertificatePins::verdict(const QString &pin,
                                                  const QList<QSslError> &errors,
                                                  const QSslCertificate &peer)
{
    if (errors.isEmpty())
        return Verdict::Trusted;
    if (pin.isEmpty())
        return Verdict::Unknown;
    const QString actual = fingerprint(peer);
    // A null peer has no fingerprint and never matches a pin.
    if (!actual.isEmpty() && actual.compare(pin, Qt::CaseInsensitive) == 0)
        return Verdict::Pinned;
    return Verdict::Changed;
}

QString CertificatePins::fingerprint(const QSslCertificate &cert)
{
    if (cert.isNull())
        return {};
    return QString::fromLatin1(cert.digest(QCryptographicHash::Sha256).toHex(':').toUpper());
}

bool CertificatePins::seenWithTls(const QString &hostPort) const
{
    return m_settings.value(QStringLiteral("tlsServers/") + hostPort.trimmed().toLower(), false)
        .toBool();
}

void CertificatePins::markSeenWithTls(const QString &hostPort)
{
    m_settings.setValue(QStringLiteral("tlsServers/") + hostPort.trimmed().toLower(), true);
}
