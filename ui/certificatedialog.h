#pragma once

#include <QCoreApplication>
#include <QString>

class QWidget;

// Asks the user about a server certificate that is not valid for the system's certificate
// store: the first time (trust on first use, like SSH: compare the fingerprint with the one
// the server's owner shows) or, louder, when it differs from the one accepted before (a new
// certificate, or someone in between). Nothing is accepted without the user's explicit "yes".
class CertificateDialog
{
    Q_DECLARE_TR_FUNCTIONS(CertificateDialog)

public:
    // True when the user trusts the certificate.
    static bool ask(QWidget *parent, const QString &hostPort, const QString &fingerprint,
                    bool changed);
};
