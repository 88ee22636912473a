#pragma once

#include <QList>
#include <QSettings>
#include <QSslCertificate>
#include <QSslError>
#include <QString>

// Trust on first use for servers with self-signed certificates, as SSH and Mumble do: the
// first time the user accepts a server's certificate its SHA-256 fingerprint is pinned to
// "host:port", later connections are accepted silently while it matches, and a different
// certificate is reported as changed (a new server, or someone in the middle).
class CertificatePins
{
public:
    enum class Verdict {
        Trusted, // valid for the system's CA store: no pin needed
        Pinned,  // not valid for the CA store, but the one the user accepted before
        Unknown, // not valid for the CA store and never seen: ask the user
        Changed, // not valid for the CA store and not the one the user accepted: warn
    };

    // The application's usual QSettings.
    CertificatePins();
    // For tests and tools: pins in an INI file of their own.
    explicit CertificatePins(const QString &iniPath);

    // hostPort is "host:port"; case does not matter. Returns "" when nothing is pinned.
    QString pinned(const QString &hostPort) const;
    void pin(const QString &hostPort, const QString &fingerprint);
    void forget(const QString &hostPort);

    // errors: what the TLS handshake reported (QSslSocket::sslErrors); peer: the server's
    // own certificate (QSslSocket::peerCertificate), which is what gets pinned.
    Verdict check(const QString &hostPort, const QList<QSslError> &errors,
                  const QSslCertificate &peer) const;
    // The same against a pin read before (pinned(hostPort)): for the session's network
    // thread, which does not touch the settings.
    static Verdict verdict(const QString &pin, const QList<QSslError> &errors,
                           const QSslCertificate &peer);

    // Servers this client has spoken TLS with: an address without a scheme never falls back to
    // plain ws:// for them (someone who breaks the handshake must not get a downgrade).
    bool seenWithTls(const QString &hostPort) const;
    void markSeenWithTls(const QString &hostPort);

    void sync() { m_settings.sync(); }

    // SHA-256 of the DER as upper-case hex pairs joined by ':', the same text as
    // `openssl x509 -noout -fingerprint -sha256`. "" for a null certificate.
    static QString fingerprint(const QSslCertificate &cert);

private:
    static QString key(const QString &hostPort);

    QSettings m_settings;
};
