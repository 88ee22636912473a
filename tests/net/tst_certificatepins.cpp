// Trust on first use: the verdicts for trusted, unknown, pinned and changed certificates,
// pins kept in the INI file, and a real handshake accepted only once the certificate is pinned.
#include "net/certificatepins.h"
#include "tls/selfsignedcertificate.h"

#include <QFile>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>

namespace {
QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}
} // namespace

class TestCertificatePins : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QSslCertificate m_a;
    QSslCertificate m_b;
    QSslKey m_keyA;
    const QString m_host = QStringLiteral("chat.example:8443");

    QString iniPath() const { return m_dir.filePath(QStringLiteral("pins.ini")); }
    static QList<QSslError> selfSigned(const QSslCertificate &cert)
    {
        return {QSslError(QSslError::SelfSignedCertificate, cert)};
    }
    // A new self-signed certificate (and its key) in the test's folder.
    bool make(const QString &name, QSslCertificate *cert, QSslKey *key = nullptr)
    {
        const QString certPath = m_dir.filePath(name + QLatin1String("-cert.pem"));
        const QString keyPath = m_dir.filePath(name + QLatin1String("-key.pem"));
        QString error;
        if (!SelfSignedCertificate::ensure(certPath, keyPath, QStringLiteral("chat.example"),
                                           &error)) {
            qWarning() << error;
            return false;
        }
        *cert = QSslCertificate(readAll(certPath), QSsl::Pem);
        if (key)
            *key = QSslKey(readAll(keyPath), QSsl::Ec, QSsl::Pem);
        return !cert->isNull() && (!key || !key->isNull());
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(make(QStringLiteral("a"), &m_a, &m_keyA));
        QVERIFY(make(QStringLiteral("b"), &m_b));
        QVERIFY(CertificatePins::fingerprint(m_a) != CertificatePins::fingerprint(m_b));
    }

    void fingerprintText()
    {
        const QString f = CertificatePins::fingerprint(m_a);
        QCOMPARE(f.size(), 32 * 3 - 1);
        QCOMPARE(f, f.toUpper());
        QCOMPARE(f.count(QLatin1Char(':')), 31);
        QCOMPARE(QByteArray::fromHex(f.toLatin1()), m_a.digest(QCryptographicHash::Sha256));
        QCOMPARE(CertificatePins::fingerprint(QSslCertificate()), QString());
    }

    void verdicts()
    {
        QFile::remove(iniPath());
        CertificatePins pins(iniPath());
        using V = CertificatePins::Verdict;
        QCOMPARE(pins.pinned(m_host), QString());
        QCOMPARE(pins.check(m_host, {}, m_a), V::Trusted);
        QCOMPARE(pins.check(m_host, selfSigned(m_a), m_a), V::Unknown);

        pins.pin(m_host, CertificatePins::fingerprint(m_a));
        QCOMPARE(pins.pinned(m_host), CertificatePins::fingerprint(m_a));
        QCOMPARE(pins.check(m_host, selfSigned(m_a), m_a), V::Pinned);
        QCOMPARE(pins.check(m_host, selfSigned(m_b), m_b), V::Changed);
        QCOMPARE(pins.check(m_host, selfSigned(m_b), QSslCertificate()), V::Changed);
        // A certificate the CA store accepts needs no pin, whatever was pinned.
        QCOMPARE(pins.check(m_host, {}, m_b), V::Trusted);
        // Pins belong to one host and port.
        QCOMPARE(pins.check(QStringLiteral("chat.example:8444"), selfSigned(m_a), m_a), V::Unknown);
        QCOMPARE(pins.check(QStringLiteral("other.example:8443"), selfSigned(m_a), m_a),
                 V::Unknown);
    }

    void hostCaseIsIgnored()
    {
        QFile::remove(iniPath());
        CertificatePins pins(iniPath());
        pins.pin(QStringLiteral("Chat.EXAMPLE:8443"), CertificatePins::fingerprint(m_a).toLower());
        QCOMPARE(pins.pinned(m_host), CertificatePins::fingerprint(m_a));
        QCOMPARE(pins.check(QStringLiteral("CHAT.example:8443"), selfSigned(m_a), m_a),
                 CertificatePins::Verdict::Pinned);
        pins.forget(QStringLiteral("CHAT.EXAMPLE:8443"));
        QCOMPARE(pins.pinned(m_host), QString());
    }

    void pinsSurviveReopening()
    {
        QFile::remove(iniPath());
        const QString v6 = QStringLiteral("[::1]:8443");
        {
            CertificatePins pins(iniPath());
            pins.pin(m_host, CertificatePins::fingerprint(m_a));
            pins.pin(v6, CertificatePins::fingerprint(m_b));
        }
        {
            CertificatePins pins(iniPath());
            QCOMPARE(pins.pinned(m_host), CertificatePins::fingerprint(m_a));
            QCOMPARE(pins.pinned(v6), CertificatePins::fingerprint(m_b));
            pins.forget(m_host);
            QCOMPARE(pins.pinned(m_host), QString());
            QCOMPARE(pins.check(m_host, selfSigned(m_a), m_a), CertificatePins::Verdict::Unknown);
        }
        CertificatePins pins(iniPath());
        QCOMPARE(pins.pinned(m_host), QString());
        QCOMPARE(pins.pinned(v6), CertificatePins::fingerprint(m_b));
        QVERIFY(readAll(iniPath()).contains("[certificatePins]"));
    }

    // How a client uses it: in sslErrors, ignore the errors only for a pinned certificate.
    void handshakeNeedsThePin()
    {
        QSslServer server;
        QSslConfiguration serverConfig = QSslConfiguration::defaultConfiguration();
        serverConfig.setLocalCertificate(m_a);
        serverConfig.setPrivateKey(m_keyA);
        server.setSslConfiguration(serverConfig);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        const QString hostPort =
            QStringLiteral("127.0.0.1:") + QString::number(server.serverPort());

        QFile::remove(iniPath());
        CertificatePins pins(iniPath());
        auto connectOnce = [&](CertificatePins::Verdict *verdict) {
            QSslSocket client;
            QSslConfiguration config = QSslConfiguration::defaultConfiguration();
            config.setCaCertificates({}); // as if the system store did not know it, reliably
            client.setSslConfiguration(config);
            connect(&client, &QSslSocket::sslErrors, this, [&](const QList<QSslError> &errors) {
                *verdict = pins.check(hostPort, errors, client.peerCertificate());
                if (*verdict == CertificatePins::Verdict::Pinned)
                    client.ignoreSslErrors();
            });
            client.connectToHostEncrypted(QStringLiteral("127.0.0.1"), server.serverPort());
            // Not waitForEncrypted(): the server runs in this thread and needs the event loop.
            // Unless its errors are ignored, the client drops the connection after sslErrors.
            (void)QTest::qWaitFor(
                [&] {
                    return client.isEncrypted() ||
                           client.state() == QAbstractSocket::UnconnectedState;
                },
                10000);
            const bool encrypted = client.isEncrypted();
            while (server.hasPendingConnections())
                delete server.nextPendingConnection();
            return encrypted;
        };

        CertificatePins::Verdict verdict = CertificatePins::Verdict::Trusted;
        QVERIFY(!connectOnce(&verdict));
        QCOMPARE(verdict, CertificatePins::Verdict::Unknown);

        pins.pin(hostPort, CertificatePins::fingerprint(m_a)); // the user said yes
        QVERIFY(connectOnce(&verdict));
        QCOMPARE(verdict, CertificatePins::Verdict::Pinned);

        pins.pin(hostPort, CertificatePins::fingerprint(m_b)); // as if the server changed
        QVERIFY(!connectOnce(&verdict));
        QCOMPARE(verdict, CertificatePins::Verdict::Changed);
    }
};

QTEST_GUILESS_MAIN(TestCertificatePins)
#include "tst_certificatepins.moc"
