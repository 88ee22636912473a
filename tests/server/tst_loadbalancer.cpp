// The packaged HAProxy configuration (packaging/haproxy/confab.cfg) in front of two real
// confab-server nodes: clients get through on ws:// and on wss:// (TLS ended by HAProxy),
// connections are spread over the nodes, and when a node dies the next login goes to the
// other one at once. (The nodes here keep separate SQLite files and no bus: what crosses
// nodes is issue 12's Redis part.)
#include "serverprocess.h"
#include "testclient.h"
#include "tls/selfsignedcertificate.h"

#include <QFile>
#include <QProcess>
#include <QSslCertificate>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

quint16 freePort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
}

bool accepts(quint16 port)
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port);
    return s.waitForConnected(500);
}

// HAProxy in the foreground (-db) with the packaged file; stopped (and killed if need be) by
// the destructor.
class Haproxy
{
public:
    bool start(const QString &config, const QString &pem, quint16 node1, quint16 node2)
    {
        const QString binary =
            QStandardPaths::findExecutable(QStringLiteral("haproxy"), {}).isEmpty()
                ? QStandardPaths::findExecutable(QStringLiteral("haproxy"),
                                                 {QStringLiteral("/usr/sbin")})
                : QStandardPaths::findExecutable(QStringLiteral("haproxy"));
        if (binary.isEmpty()) {
            qWarning("haproxy is not installed (scripts/bootstrap installs it)");
            return false;
        }
        plainPort = freePort();
        tlsPort = freePort();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("CONFAB_LISTEN"), QStringLiteral("127.0.0.1:%1").arg(plainPort));
        env.insert(QStringLiteral("CONFAB_TLS_LISTEN"),
                   QStringLiteral("127.0.0.1:%1").arg(tlsPort));
        env.insert(QStringLiteral("CONFAB_TLS_PEM"), pem);
        env.insert(QStringLiteral("CONFAB_NODE1"), QStringLiteral("127.0.0.1:%1").arg(node1));
        env.insert(QStringLiteral("CONFAB_NODE2"), QStringLiteral("127.0.0.1:%1").arg(node2));
        m_process.setProcessEnvironment(env);
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(binary, {QStringLiteral("-db"), QStringLiteral("-f"), config});
        if (!m_process.waitForStarted())
            return false;
        return QTest::qWaitFor(
            [this] {
                return m_process.state() == QProcess::Running && accepts(plainPort) &&
                       accepts(tlsPort);
            },
            10000);
    }
    ~Haproxy()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(5000)) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }
    QString log() { return QString::fromUtf8(m_process.readAll()); }

    quint16 plainPort = 0;
    quint16 tlsPort = 0;

private:
    QProcess m_process;
};

QString packagedConfig()
{
    return QStringLiteral(CONFAB_SOURCE_DIR "/packaging/haproxy/confab.cfg");
}

} // namespace

class TestLoadBalancer : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_pem;
    QSslCertificate m_certificate;
    std::unique_ptr<ServerProcess> m_node1;
    std::unique_ptr<ServerProcess> m_node2;
    std::unique_ptr<Haproxy> m_haproxy;

    // Which node has `name` logged in (1 or 2), or 0.
    int nodeOf(const QString &name)
    {
        const QString line = name + QStringLiteral(" logged in from");
        if (m_node1->log().contains(line))
            return 1;
        if (m_node2->log().contains(line))
            return 2;
        return 0;
    }

private slots:
    void initTestCase()
    {
        const QString cert = m_dir.filePath(QStringLiteral("cert.pem"));
        const QString key = m_dir.filePath(QStringLiteral("key.pem"));
        QString error;
        QVERIFY2(SelfSignedCertificate::ensure(cert, key, QStringLiteral("localhost"), &error),
                 qPrintable(error));
        QFile c(cert), k(key);
        QVERIFY(c.open(QIODevice::ReadOnly) && k.open(QIODevice::ReadOnly));
        const QByteArray certBytes = c.readAll();
        m_certificate = QSslCertificate(certBytes, QSsl::Pem);
        // HAProxy wants the chain and the key in one file.
        m_pem = m_dir.filePath(QStringLiteral("haproxy.pem"));
        QFile pem(m_pem);
        QVERIFY(pem.open(QIODevice::WriteOnly));
        pem.write(certBytes + k.readAll());
        pem.close();

        const QStringList behindProxy{QStringLiteral("--trusted-proxy"),
                                      QStringLiteral("127.0.0.1")};
        m_node1 = std::make_unique<ServerProcess>(behindProxy);
        m_node2 = std::make_unique<ServerProcess>(behindProxy);
        QVERIFY(m_node1->start());
        QVERIFY(m_node2->start());
        m_haproxy = std::make_unique<Haproxy>();
        QVERIFY2(m_haproxy->start(packagedConfig(), m_pem, m_node1->port(), m_node2->port()),
                 qPrintable(m_haproxy->log()));
    }

    void clientsGetThroughOnPlainAndTls()
    {
        TestClient plain;
        QVERIFY(plain.open(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(m_haproxy->plainPort))));
        QVERIFY(plain.login(QStringLiteral("plainuser")));

        TestClient tls;
        tls.trustCertificate(m_certificate);
        QVERIFY(tls.open(QUrl(QStringLiteral("wss://localhost:%1").arg(m_haproxy->tlsPort))));
        QVERIFY(tls.login(QStringLiteral("tlsuser")));
        QVERIFY(nodeOf(QStringLiteral("plainuser")) != 0);
        QVERIFY(nodeOf(QStringLiteral("tlsuser")) != 0);
        // A message goes through both ways and is acknowledged by the node behind.
        tls.sendChat(QStringLiteral("through the balancer"), QStringLiteral("t1"));
        QVERIFY(!tls.waitFor([](const QJsonObject &o) {
                        return o.value(QLatin1String("id")) == QLatin1String("t1");
                    })
                     .isEmpty());
    }

    void connectionsAreSpreadOverTheNodes()
    {
        // leastconn: two users online at once land on different nodes.
        TestClient first, second;
        const QUrl url(QStringLiteral("ws://127.0.0.1:%1").arg(m_haproxy->plainPort));
        QVERIFY(first.open(url) && first.login(QStringLiteral("spreadone")));
        QVERIFY(second.open(url) && second.login(QStringLiteral("spreadtwo")));
        QTRY_VERIFY(nodeOf(QStringLiteral("spreadone")) != 0 &&
                    nodeOf(QStringLiteral("spreadtwo")) != 0);
        QVERIFY(nodeOf(QStringLiteral("spreadone")) != nodeOf(QStringLiteral("spreadtwo")));
    }

    void aDeadNodeIsPassedOverAtOnce()
    {
        const QUrl url(QStringLiteral("ws://127.0.0.1:%1").arg(m_haproxy->plainPort));
        TestClient victim;
        QVERIFY(victim.open(url) && victim.login(QStringLiteral("victim")));
        QTRY_VERIFY(nodeOf(QStringLiteral("victim")) != 0);
        const int dead = nodeOf(QStringLiteral("victim"));
        (dead == 1 ? m_node1 : m_node2)->kill();
        QVERIFY(victim.waitForDisconnected(10000));
        // Every login now succeeds, on the node that is left, also before the health check
        // has marked the dead one down (a refused connection is sent elsewhere).
        for (int i = 0; i < 4; ++i) {
            TestClient next;
            const QString name = QStringLiteral("survivor%1").arg(i);
            QVERIFY(next.open(url));
            QVERIFY2(next.login(name), qPrintable(m_haproxy->log()));
            QCOMPARE(nodeOf(name), dead == 1 ? 2 : 1);
        }
    }
};

QTEST_MAIN(TestLoadBalancer)
#include "tst_loadbalancer.moc"
