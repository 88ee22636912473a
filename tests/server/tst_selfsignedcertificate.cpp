// Host mode's certificate: made once with the names, extensions and key protection asked for,
// kept while it is good, made again when it is broken, and accepted by a real TLS handshake.
#include "net/certificatepins.h"
#include "tls/selfsignedcertificate.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSslCertificateExtension>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace {
QSslCertificate loadCertificate(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QSslCertificate();
    return QSslCertificate(file.readAll(), QSsl::Pem);
}
QSslKey loadKey(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QSslKey();
    return QSslKey(file.readAll(), QSsl::Ec, QSsl::Pem);
}
} // namespace

class TestSelfSignedCertificate : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_cert;
    QString m_key;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // In a folder that does not exist yet, which ensure() must create.
        m_cert = m_dir.filePath(QStringLiteral("tls/cert.pem"));
        m_key = m_dir.filePath(QStringLiteral("tls/key.pem"));
#ifdef Q_OS_UNIX
        // The key's mode must come from open(), not from a friendly umask.
        const mode_t old = umask(0);
#endif
        QString error;
        const bool made =
            SelfSignedCertificate::ensure(m_cert, m_key, QStringLiteral("chat.example"), &error);
#ifdef Q_OS_UNIX
        umask(old);
#endif
        QVERIFY2(made, qPrintable(error));
        QVERIFY(error.isEmpty());
    }

    void createsFiles()
    {
        QVERIFY(QFileInfo(m_cert).isFile());
        QVERIFY(QFileInfo(m_key).isFile());
        QVERIFY(!loadCertificate(m_cert).isNull());
        const QSslKey key = loadKey(m_key);
        QVERIFY(!key.isNull());
        QCOMPARE(key.type(), QSsl::PrivateKey);
        QCOMPARE(key.algorithm(), QSsl::Ec);
        QCOMPARE(key.length(), 256);
        // No temporary files left behind.
        QCOMPARE(
            QDir(QFileInfo(m_cert).absolutePath()).entryList(QDir::Files | QDir::Hidden).size(), 2);
    }

    void keyIsOwnerOnly()
    {
        QCOMPARE(QFileInfo(m_key).permissions() & ~(QFile::ReadUser | QFile::WriteUser),
                 QFile::ReadOwner | QFile::WriteOwner);
#ifdef Q_OS_UNIX
        struct stat st;
        QCOMPARE(::stat(QFile::encodeName(m_key).constData(), &st), 0);
        QCOMPARE(st.st_mode & 07777, mode_t(0600));
#endif
    }

    void certificateIsAsAsked()
    {
        const QSslCertificate cert = loadCertificate(m_cert);
        // Not cert.isSelfSigned(): Qt answers with X509_check_issued(), which wants the
        // keyCertSign usage that RFC 5280 forbids without CA:TRUE. Self-signed here means issued
        // by itself (below), signed by its own key (opensslAcceptsItAsItsOwnIssuer) and
        // reported as such by a handshake (tlsHandshake).
        QCOMPARE(cert.issuerDisplayName(), cert.subjectDisplayName());
        QCOMPARE(cert.version(), QByteArray("3"));
        QCOMPARE(cert.subjectInfo(QSslCertificate::CommonName),
                 QStringList{QStringLiteral("chat.example")});
        QCOMPARE(cert.issuerInfo(QSslCertificate::CommonName),
                 QStringList{QStringLiteral("chat.example")});

        const auto san = cert.subjectAlternativeNames();
        QCOMPARE(san.values(QSsl::DnsEntry).size(), 2);
        QVERIFY(san.values(QSsl::DnsEntry).contains(QStringLiteral("localhost")));
        QVERIFY(san.values(QSsl::DnsEntry).contains(QStringLiteral("chat.example")));
        QCOMPARE(san.values(QSsl::IpAddressEntry), QStringList{QStringLiteral("127.0.0.1")});

        const QDateTime now = QDateTime::currentDateTimeUtc();
        QVERIFY(qAbs(cert.effectiveDate().secsTo(now.addDays(-1))) < 120);
        QVERIFY(qAbs(cert.expiryDate().secsTo(now.addYears(10))) < 120);

        QCOMPARE(cert.publicKey().algorithm(), QSsl::Ec);
        QVERIFY(cert.toText().contains(QLatin1String("Signature Algorithm: ecdsa-with-SHA256")));

        QMap<QString, QVariant> extensions;
        for (const QSslCertificateExtension &e : cert.extensions())
            extensions.insert(e.name(), e.value());
        QCOMPARE(extensions.value(QStringLiteral("basicConstraints"))
                     .toMap()
                     .value(QStringLiteral("ca")),
                 QVariant(false));
        QCOMPARE(extensions.value(QStringLiteral("keyUsage")).toStringList(),
                 QStringList{QStringLiteral("Digital Signature")});
        QCOMPARE(extensions.value(QStringLiteral("extendedKeyUsage")).toStringList(),
                 QStringList{QStringLiteral("TLS Web Server Authentication")});
    }

    void namesInTheSubjectAltName_data()
    {
        QTest::addColumn<QString>("commonName");
        QTest::addColumn<QStringList>("dns");
        QTest::addColumn<QStringList>("ip");
        const QString localhost = QStringLiteral("localhost");
        const QString loopback = QStringLiteral("127.0.0.1");
        QTest::newRow("host name, lower-cased")
            << QStringLiteral("Box-1.LAN") << QStringList{localhost, QStringLiteral("box-1.lan")}
            << QStringList{loopback};
        QTest::newRow("IPv4 address") << QStringLiteral("192.168.1.20") << QStringList{localhost}
                                      << QStringList{loopback, QStringLiteral("192.168.1.20")};
        QTest::newRow("not a host name") << QStringLiteral("Zoë's chat, at home")
                                         << QStringList{localhost} << QStringList{loopback};
        QTest::newRow("empty means localhost")
            << QString() << QStringList{localhost} << QStringList{loopback};
    }
    void namesInTheSubjectAltName()
    {
        QFETCH(QString, commonName);
        QFETCH(QStringList, dns);
        QFETCH(QStringList, ip);
        QTemporaryDir dir;
        const QString certPath = dir.filePath(QStringLiteral("c.pem"));
        QString error;
        QVERIFY2(SelfSignedCertificate::ensure(certPath, dir.filePath(QStringLiteral("k.pem")),
                                               commonName, &error),
                 qPrintable(error));
        const QSslCertificate cert = loadCertificate(certPath);
        QCOMPARE(cert.subjectInfo(QSslCertificate::CommonName),
                 QStringList{commonName.isEmpty() ? QStringLiteral("localhost") : commonName});
        auto sorted = [](QStringList l) {
            l.sort();
            return l;
        };
        const auto san = cert.subjectAlternativeNames();
        QCOMPARE(sorted(san.values(QSsl::DnsEntry)), sorted(dns));
        QCOMPARE(sorted(san.values(QSsl::IpAddressEntry)), sorted(ip));
    }

    void fingerprintMatchesOpenSsl()
    {
        const QString fingerprint = CertificatePins::fingerprint(loadCertificate(m_cert));
        QVERIFY(QRegularExpression(QStringLiteral("^([0-9A-F]{2}:){31}[0-9A-F]{2}$"))
                    .match(fingerprint)
                    .hasMatch());
        const QString openssl = QStringLiteral("/usr/bin/openssl");
        if (!QFileInfo(openssl).isExecutable())
            QSKIP("/usr/bin/openssl is not installed");
        QProcess p;
        p.start(openssl,
                {QStringLiteral("x509"), QStringLiteral("-noout"), QStringLiteral("-fingerprint"),
                 QStringLiteral("-sha256"), QStringLiteral("-in"), m_cert});
        QVERIFY(p.waitForFinished());
        QCOMPARE(p.exitCode(), 0);
        // "sha256 Fingerprint=AB:CD:..." (OpenSSL 1.1 wrote "SHA256").
        const QString out = QString::fromLatin1(p.readAllStandardOutput()).trimmed();
        QCOMPARE(out.section(QLatin1Char('='), 1), fingerprint);
    }

    void opensslAcceptsItAsItsOwnIssuer()
    {
        const QString openssl = QStringLiteral("/usr/bin/openssl");
        if (!QFileInfo(openssl).isExecutable())
            QSKIP("/usr/bin/openssl is not installed");
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        // -check_ss_sig: also verify the signature of the certificate trusted as the root.
        p.start(openssl, {QStringLiteral("verify"), QStringLiteral("-check_ss_sig"),
                          QStringLiteral("-purpose"), QStringLiteral("sslserver"),
                          QStringLiteral("-CAfile"), m_cert, m_cert});
        QVERIFY(p.waitForFinished());
        const QByteArray out = p.readAll();
        QVERIFY2(p.exitCode() == 0, out.constData());
        QVERIFY2(out.trimmed().endsWith(": OK"), out.constData());
    }

    void keepsAGoodPair()
    {
        const QString before = CertificatePins::fingerprint(loadCertificate(m_cert));
        const QByteArray key = loadKey(m_key).toPem();
        QString error;
        QVERIFY2(
            SelfSignedCertificate::ensure(m_cert, m_key, QStringLiteral("chat.example"), &error),
            qPrintable(error));
        QCOMPARE(CertificatePins::fingerprint(loadCertificate(m_cert)), before);
        QCOMPARE(loadKey(m_key).toPem(), key);
    }

    void replacesWhatIsBroken_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::newRow("corrupt certificate") << QStringLiteral("cert");
        QTest::newRow("corrupt key") << QStringLiteral("key");
        QTest::newRow("missing key") << QStringLiteral("nokey");
        QTest::newRow("key of another pair") << QStringLiteral("otherkey");
    }
    void replacesWhatIsBroken()
    {
        QFETCH(QString, damage);
        QTemporaryDir dir;
        const QString cert = dir.filePath(QStringLiteral("cert.pem"));
        const QString key = dir.filePath(QStringLiteral("key.pem"));
        QString error;
        QVERIFY2(SelfSignedCertificate::ensure(cert, key, {}, &error), qPrintable(error));
        const QString before = CertificatePins::fingerprint(loadCertificate(cert));

        auto overwrite = [](const QString &path, const QByteArray &data) {
            QFile f(path);
            return f.open(QIODevice::WriteOnly | QIODevice::Truncate) &&
                   f.write(data) == data.size();
        };
        if (damage == QLatin1String("cert")) {
            QVERIFY(overwrite(cert, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n"));
        } else if (damage == QLatin1String("key")) {
            QVERIFY(overwrite(key, QByteArray(100, '\0')));
        } else if (damage == QLatin1String("nokey")) {
            QVERIFY(QFile::remove(key));
        } else {
            const QString otherCert = dir.filePath(QStringLiteral("other-cert.pem"));
            const QString otherKey = dir.filePath(QStringLiteral("other-key.pem"));
            QVERIFY2(SelfSignedCertificate::ensure(otherCert, otherKey, {}, &error),
                     qPrintable(error));
            QVERIFY(QFile::remove(key));
            QVERIFY(QFile::copy(otherKey, key));
        }

        QVERIFY2(SelfSignedCertificate::ensure(cert, key, {}, &error), qPrintable(error));
        const QSslCertificate now = loadCertificate(cert);
        QVERIFY(!now.isNull());
        QVERIFY(!loadKey(key).isNull());
        QVERIFY(CertificatePins::fingerprint(now) != before);
        QCOMPARE(QFileInfo(key).permissions() & ~(QFile::ReadUser | QFile::WriteUser),
                 QFile::ReadOwner | QFile::WriteOwner);
    }

    void unwritableFolderIsExplained()
    {
        QTemporaryDir dir;
        // A folder that cannot be made: its parent is a file (works for root too).
        const QString file = dir.filePath(QStringLiteral("plain-file"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        const QString cert = file + QLatin1String("/tls/cert.pem");
        QString error;
        QVERIFY(
            !SelfSignedCertificate::ensure(cert, file + QLatin1String("/tls/key.pem"), {}, &error));
        QVERIFY2(error.contains(cert), qPrintable(error));
        QVERIFY2(error.contains(file + QLatin1String("/tls")), qPrintable(error));
    }

    void readOnlyFolderIsExplained()
    {
#ifdef Q_OS_UNIX
        if (::geteuid() == 0)
            QSKIP("root may write into read-only folders");
#endif
        QTemporaryDir dir;
        QVERIFY(QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::ExeOwner));
        const QString key = dir.filePath(QStringLiteral("key.pem"));
        QString error;
        const bool made = SelfSignedCertificate::ensure(dir.filePath(QStringLiteral("cert.pem")),
                                                        key, {}, &error);
        QVERIFY(QFile::setPermissions(dir.path(),
                                      QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        QVERIFY(!made);
        QVERIFY2(error.contains(key), qPrintable(error));
    }

    void tooLongNameIsExplained()
    {
        QTemporaryDir dir;
        const QString cert = dir.filePath(QStringLiteral("cert.pem"));
        QString error;
        QVERIFY(!SelfSignedCertificate::ensure(cert, dir.filePath(QStringLiteral("key.pem")),
                                               QStringLiteral("x").repeated(65), &error));
        QVERIFY2(error.contains(cert) && error.contains(QLatin1String("64")), qPrintable(error));
        QVERIFY(!QFileInfo::exists(cert));
    }

    void tlsHandshake_data()
    {
        QTest::addColumn<QString>("host");
        QTest::addColumn<bool>("asCa");
        QTest::newRow("CA, localhost") << QStringLiteral("localhost") << true;
        QTest::newRow("CA, 127.0.0.1") << QStringLiteral("127.0.0.1") << true;
        QTest::newRow("self-signed error ignored") << QStringLiteral("127.0.0.1") << false;
    }
    void tlsHandshake()
    {
        QFETCH(QString, host);
        QFETCH(bool, asCa);
        const QSslCertificate cert = loadCertificate(m_cert);
        const QSslKey key = loadKey(m_key);

        QSslServer server;
        QSslConfiguration serverConfig = QSslConfiguration::defaultConfiguration();
        serverConfig.setLocalCertificate(cert);
        serverConfig.setPrivateKey(key);
        serverConfig.setPeerVerifyMode(QSslSocket::VerifyNone);
        server.setSslConfiguration(serverConfig);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));

        QSslSocket client;
        QSslConfiguration clientConfig = QSslConfiguration::defaultConfiguration();
        QList<QSslError> expected;
        if (asCa)
            clientConfig.setCaCertificates({cert}); // and nothing else
        else
            expected << QSslError(QSslError::SelfSignedCertificate, cert);
        client.setSslConfiguration(clientConfig);
        client.ignoreSslErrors(expected);
        QList<QSslError> errors;
        connect(&client, &QSslSocket::sslErrors, this,
                [&](const QList<QSslError> &list) { errors = list; });
        // Not waitForEncrypted(): the server runs in this thread and needs the event loop.
        QSignalSpy encrypted(&client, &QSslSocket::encrypted);
        client.connectToHostEncrypted(host, server.serverPort());
        QVERIFY2(encrypted.wait(10000), qPrintable(client.errorString()));
        QCOMPARE(errors, expected);
        QCOMPARE(client.peerCertificate(), cert);

        QTRY_VERIFY(server.hasPendingConnections());
        auto *peer = qobject_cast<QSslSocket *>(server.nextPendingConnection());
        QVERIFY(peer);
        QTRY_VERIFY(peer->isEncrypted());
        client.write("hello over TLS\n");
        QTRY_VERIFY(peer->canReadLine());
        QCOMPARE(peer->readLine(), QByteArray("hello over TLS\n"));
        peer->write("and back\n");
        QTRY_VERIFY(client.canReadLine());
        QCOMPARE(client.readLine(), QByteArray("and back\n"));
    }
};

QTEST_GUILESS_MAIN(TestSelfSignedCertificate)
#include "tst_selfsignedcertificate.moc"
