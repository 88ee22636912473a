// wss:// against real confab-server processes, with certificates the test makes with the
// openssl command line (a test CA and a server certificate for 127.0.0.1 signed by it): who can
// connect, that nothing readable crosses the wire, plain and TLS users in one room, and bad
// certificate options.
#include "serverprocess.h"
#include "testclient.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslError>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <vector>

namespace {

constexpr const char *kOpensslConfig = R"([req]
distinguished_name = dn
prompt = no
[dn]
CN = Test CA
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
)";

// Why `bytes` is not a sequence of whole TLS records (empty when it is one): each record is a
// 5-byte header (content type 20 to 23, version 3.x, length) and that many bytes.
QString notTlsRecords(const QByteArray &bytes, int *applicationRecords)
{
    qsizetype at = 0;
    *applicationRecords = 0;
    while (at < bytes.size()) {
        if (bytes.size() - at < 5)
            return QStringLiteral("a record header cut short at byte %1").arg(at);
        const auto type = quint8(bytes.at(at));
        const auto major = quint8(bytes.at(at + 1));
        const int length = (quint8(bytes.at(at + 3)) << 8) | quint8(bytes.at(at + 4));
        if (type < 20 || type > 23 || major != 3 || length > 16384 + 2048)
            return QStringLiteral("no TLS record at byte %1 (%2)")
                .arg(at)
                .arg(QString::fromLatin1(bytes.mid(at, 16).toHex(' ')));
        if (type == 23)
            ++*applicationRecords;
        at += 5 + length;
    }
    return at == bytes.size() ? QString() : QStringLiteral("the last record is cut short");
}

// A TCP relay in front of a port on 127.0.0.1 that keeps every byte it forwards.
class RecordingRelay : public QObject
{
public:
    struct Stream
    {
        QByteArray toServer;
        QByteArray toClient;
        bool closed = false;
    };

    explicit RecordingRelay(quint16 target) : m_target(target)
    {
        connect(&m_listener, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *client = m_listener.nextPendingConnection())
                relay(client);
        });
    }
    bool listen() { return m_listener.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_listener.serverPort(); }
    const std::vector<std::unique_ptr<Stream>> &streams() const { return m_streams; }

private:
    void relay(QTcpSocket *client)
    {
        m_streams.push_back(std::make_unique<Stream>());
        Stream *s = m_streams.back().get();
        // What the client sends before the server side is connected waits in its write buffer.
        auto *server = new QTcpSocket(client);
        connect(client, &QIODevice::readyRead, server, [client, server, s] {
            const QByteArray data = client->readAll();
            s->toServer += data;
            server->write(data);
        });
        connect(server, &QIODevice::readyRead, client, [client, server, s] {
            const QByteArray data = server->readAll();
            s->toClient += data;
            client->write(data);
        });
        connect(client, &QAbstractSocket::disconnected, server,
                [server] { server->disconnectFromHost(); });
        connect(server, &QAbstractSocket::disconnected, client, [client, s] {
            s->closed = true;
            client->disconnectFromHost();
        });
        server->connectToHost(QHostAddress::LocalHost, m_target);
    }

    QTcpServer m_listener;
    quint16 m_target;
    std::vector<std::unique_ptr<Stream>> m_streams;
};

} // namespace

class TestTls : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QSslCertificate m_ca;

    QString path(const char *name) const { return m_dir.filePath(QLatin1String(name)); }

    bool openssl(const QStringList &arguments)
    {
        QProcess p;
        p.setWorkingDirectory(m_dir.path());
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(QStringLiteral("openssl"), arguments);
        if (!p.waitForFinished(30000) || p.exitStatus() != QProcess::NormalExit ||
            p.exitCode() != 0) {
            qWarning("openssl %s failed: %s", qPrintable(arguments.join(QLatin1Char(' '))),
                     p.readAll().constData());
            return false;
        }
        return true;
    }

    QStringList tlsArguments(const QString &certificate, const QString &key) const
    {
        return {QStringLiteral("--tls-cert"), certificate, QStringLiteral("--tls-key"), key};
    }
    QStringList tlsArguments() const
    {
        return tlsArguments(path("server.pem"), path("server.key"));
    }

    static bool sawJoin(const TestClient &c, const QString &name)
    {
        return !c.all([&](const QJsonObject &o) {
                     return o.value(QLatin1String("type")).toString() ==
                                QLatin1String("presence") &&
                            o.value(QLatin1String("joined")).toArray().contains(name);
                 }).isEmpty();
    }

    static bool waitForAll(TestClient &c, const QStringList &chats)
    {
        for (const QString &text : chats) {
            if (c.waitForChat(text).isEmpty()) {
                qWarning("no %s", qPrintable(text));
                return false;
            }
        }
        return true;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(!QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty(),
                 "the openssl command line tool is needed to make the test certificates");
        QFile config(path("openssl.cnf"));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(kOpensslConfig);
        config.close();
        const QStringList ec{
            QStringLiteral("-newkey"), QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
            QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes")};
        QVERIFY(openssl(
            QStringList{QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-config"),
                        path("openssl.cnf"), QStringLiteral("-extensions"), QStringLiteral("ca")} +
            ec +
            QStringList{QStringLiteral("-keyout"), path("ca.key"), QStringLiteral("-out"),
                        path("ca.pem"), QStringLiteral("-days"), QStringLiteral("2")}));
        QVERIFY(openssl(QStringList{QStringLiteral("req"), QStringLiteral("-new"),
                                    QStringLiteral("-config"), path("openssl.cnf"),
                                    QStringLiteral("-subj"), QStringLiteral("/CN=localhost")} +
                        ec +
                        QStringList{QStringLiteral("-keyout"), path("server.key"),
                                    QStringLiteral("-out"), path("server.csr")}));
        QVERIFY(
            openssl({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                     path("server.csr"), QStringLiteral("-CA"), path("ca.pem"),
                     QStringLiteral("-CAkey"), path("ca.key"), QStringLiteral("-CAcreateserial"),
                     QStringLiteral("-out"), path("server.pem"), QStringLiteral("-days"),
                     QStringLiteral("2"), QStringLiteral("-extfile"), path("openssl.cnf"),
                     QStringLiteral("-extensions"), QStringLiteral("server")}));
        QVERIFY(
            openssl({QStringLiteral("genpkey"), QStringLiteral("-algorithm"), QStringLiteral("EC"),
                     QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:P-256"),
                     QStringLiteral("-out"), path("other.key")}));
        QFile garbage(path("garbage.pem"));
        QVERIFY(garbage.open(QIODevice::WriteOnly));
        garbage.write("this is neither a certificate nor a key\n");
        garbage.close();
        QVERIFY(QFile::copy(path("garbage.pem"), path("garbage.key")));

        const QList<QSslCertificate> ca = QSslCertificate::fromPath(path("ca.pem"));
        QCOMPARE(ca.size(), 1);
        m_ca = ca.first();
        qRegisterMetaType<QList<QSslError>>();
    }

    void connectsOnlyWhenTheCaIsTrusted()
    {
        ServerProcess server(tlsArguments());
        QVERIFY(server.start());
        QVERIFY(server.isEncrypted());
        QCOMPARE(server.url().scheme(), QStringLiteral("wss"));

        TestClient alice;
        TestClient bob;
        alice.trustCertificate(m_ca);
        bob.trustCertificate(m_ca);
        QVERIFY(alice.open(server.url()) && alice.login(QStringLiteral("alice")));
        QVERIFY(bob.open(server.url()) && bob.login(QStringLiteral("bob")));
        QVERIFY(alice.socket().sslConfiguration().sessionProtocol() >= QSsl::TlsV1_2);
        alice.sendChat(QStringLiteral("hello over TLS"), QStringLiteral("t-1"));
        QVERIFY(!bob.waitForChat(QStringLiteral("hello over TLS")).isEmpty());
        bob.sendChat(QStringLiteral("just for you"), QStringLiteral("t-2"),
                     QStringLiteral("alice"));
        QVERIFY(!alice.waitForChat(QStringLiteral("just for you")).isEmpty());

        // A client that does not know the CA refuses the server before anything is said.
        TestClient stranger;
        QSignalSpy sslErrors(&stranger.socket(), &QWebSocket::sslErrors);
        stranger.socket().open(server.url());
        QVERIFY(sslErrors.wait(10000));
        QVERIFY(!sslErrors.first().first().value<QList<QSslError>>().isEmpty());
        QVERIFY(stranger.waitForDisconnected());
        QVERIFY(stranger.handshake().isEmpty());
        QVERIFY(stranger.all([](const QJsonObject &) { return true; }).isEmpty());
    }

    void nothingPlaintextReachesTheWire()
    {
        ServerProcess server(tlsArguments());
        QVERIFY(server.start());
        RecordingRelay relay(server.url().port());
        QVERIFY(relay.listen());
        QUrl relayed = server.url();
        relayed.setPort(relay.port());

        const QString marker = QStringLiteral("marker-Qz7Xw4-public");
        const QString whisper = QStringLiteral("marker-Kp2Lm9-private");
        {
            TestClient alice;
            TestClient bob;
            alice.trustCertificate(m_ca);
            bob.trustCertificate(m_ca);
            QVERIFY(alice.open(relayed) && alice.login(QStringLiteral("tls_alice")));
            QVERIFY(bob.open(relayed) && bob.login(QStringLiteral("tls_bob")));
            alice.sendChat(marker, QStringLiteral("w-1"));
            bob.sendChat(whisper, QStringLiteral("w-2"), QStringLiteral("tls_alice"));
            // Decrypted at the other end, so it went through the relay.
            QVERIFY(!alice.waitForChat(marker).isEmpty());
            QVERIFY(!bob.waitForChat(marker).isEmpty());
            const QJsonObject secret = alice.waitForChat(whisper);
            QCOMPARE(secret.value(QLatin1String("from")).toString(), QStringLiteral("tls_bob"));
            alice.socket().close();
            bob.socket().close();
            QVERIFY(alice.waitForDisconnected() && bob.waitForDisconnected());
        }
        QCOMPARE(relay.streams().size(), size_t(2));
        QTRY_VERIFY(relay.streams().at(0)->closed && relay.streams().at(1)->closed);

        const QList<QByteArray> plaintext{
            marker.toUtf8(), whisper.toUtf8(), "tls_alice", "tls_bob",       "handshake",
            "{\"type\"",     "user_list",      "HTTP/1.1",  "Sec-WebSocket", "websocket"};
        for (const auto &s : relay.streams()) {
            for (const QByteArray *bytes : {&s->toServer, &s->toClient}) {
                QVERIFY(!bytes->isEmpty());
                QCOMPARE(quint8(bytes->at(0)), quint8(0x16)); // a TLS handshake record
                int application = 0;
                const QString why = notTlsRecords(*bytes, &application);
                QVERIFY2(why.isEmpty(), qPrintable(why));
                QVERIFY(application > 0);
                for (const QByteArray &text : plaintext)
                    QVERIFY2(!bytes->contains(text), text.constData());
            }
        }
    }

    void plainTlsAndSeedGuestsShareOneRoom()
    {
        ServerProcess server(tlsArguments() +
                             QStringList{QStringLiteral("--plain-port"), QStringLiteral("0")});
        QVERIFY(server.start());
        QVERIFY(server.isEncrypted());
        QVERIFY(server.plainUrl().port() > 0);
        QVERIFY(server.plainUrl().port() != server.url().port());

        TestClient secure;
        secure.trustCertificate(m_ca);
        QVERIFY(secure.open(server.url()) && secure.login(QStringLiteral("secure_sam")));
        TestClient plain;
        QVERIFY(plain.open(server.plainUrl()) && plain.login(QStringLiteral("plain_pat")));
        TestClient seed;
        QVERIFY(seed.open(server.plainUrl()) && seed.login(QStringLiteral("seed_sid"), true));

        // Everyone sees everyone come in (Confab clients in batches, which may hold several).
        QTRY_VERIFY(sawJoin(secure, QStringLiteral("plain_pat")));
        QTRY_VERIFY(sawJoin(secure, QStringLiteral("seed_sid")));
        QTRY_VERIFY(sawJoin(plain, QStringLiteral("seed_sid")));
        QStringList seen;
        for (const QJsonValue &v : seed.loginReply().value(QLatin1String("user_list")).toArray())
            seen.append(v.toString());
        QVERIFY2(seen.contains(QStringLiteral("secure_sam")) &&
                     seen.contains(QStringLiteral("plain_pat")),
                 qPrintable(seen.join(QLatin1Char(' '))));

        // And every public message.
        secure.sendChat(QStringLiteral("from the encrypted side"), QStringLiteral("r-1"));
        plain.sendChat(QStringLiteral("from the plain side"), QStringLiteral("r-2"));
        seed.sendJson(R"({"type":"user","content":"from the old page"})");
        const QStringList all{QStringLiteral("from the encrypted side"),
                              QStringLiteral("from the plain side"),
                              QStringLiteral("from the old page")};
        QVERIFY(waitForAll(secure, all));
        QVERIFY(waitForAll(plain, all));
        QVERIFY(waitForAll(seed, all));
        const QList<QJsonObject> fromSeed = secure.all([](const QJsonObject &o) {
            return o.value(QLatin1String("content")).toString() ==
                   QLatin1String("from the old page");
        });
        QCOMPARE(fromSeed.size(), 1);
        QCOMPARE(fromSeed.first().value(QLatin1String("from")).toString(),
                 QStringLiteral("seed_sid"));

        // And everyone going.
        secure.socket().close();
        QVERIFY(!plain.waitForPresence(QStringLiteral("secure_sam"), false).isEmpty());
        QVERIFY(!seed.waitForPresence(QStringLiteral("secure_sam"), false).isEmpty());
    }

    void badCertificateOptionsStopTheServer_data()
    {
        QTest::addColumn<QString>("certificate");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("named");
        QTest::newRow("missing certificate")
            << path("missing.pem") << path("server.key") << path("missing.pem");
        QTest::newRow("missing key")
            << path("server.pem") << path("missing.key") << path("missing.key");
        QTest::newRow("certificate not PEM")
            << path("garbage.pem") << path("server.key") << path("garbage.pem");
        QTest::newRow("key not PEM")
            << path("server.pem") << path("garbage.key") << path("garbage.key");
        QTest::newRow("swapped") << path("server.key") << path("server.pem") << path("server.key");
        QTest::newRow("key of another certificate")
            << path("server.pem") << path("other.key") << path("other.key");
    }

    void badCertificateOptionsStopTheServer()
    {
        QFETCH(QString, certificate);
        QFETCH(QString, key);
        QFETCH(QString, named);
        ServerProcess server(tlsArguments(certificate, key));
        QVERIFY2(!server.start(), "the server started and listens");
        QCOMPARE(server.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(server.process().exitCode(), 1);
        QVERIFY2(server.log().contains(named), qPrintable(server.log()));
    }
};

QTEST_GUILESS_MAIN(TestTls)
#include "tst_tls.moc"
