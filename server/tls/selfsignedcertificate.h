#pragma once

#include <QByteArray>
#include <QSslCertificate>
#include <QString>

// The certificate and key a Confab server in host mode offers over TLS when the user has
// none from a certificate authority: made once with OpenSSL, kept in two PEM files and reused
// until it expires. Clients accept it by pinning its fingerprint (see CertificatePins).
class SelfSignedCertificate
{
public:
    // Keeps certPath and keyPath when both load, belong together and the certificate has not
    // expired; otherwise writes a new pair over them (so point it only at files it owns): an EC
    // P-256 key (mode 0600) and an X.509 v3 certificate signed with SHA-256, valid from a day
    // ago for ten years, for commonName ("" means "localhost"), localhost and 127.0.0.1. Missing
    // folders are created. On failure returns false and sets *error to a sentence naming the
    // file.
    static bool ensure(const QString &certPath, const QString &keyPath, const QString &commonName,
                       QString *error);
    // Whether the PEM private key belongs to the certificate (any certificate, also an
    // operator's --tls-cert): a mismatched pair would let no TLS handshake finish.
    static bool keyMatches(const QSslCertificate &certificate, const QByteArray &keyPem);
};
