// `confab --host PORT`: the desktop client runs the server in-process, logs its user in, and
// others can join it — the README's first command, offscreen.
#include "testclient.h"

#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QRandomGenerator>
#include <QSslCertificate>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

class TestHostMode : public QObject
{
    Q_OBJECT
private slots:
    void hostsAndLogsTheUserIn()
    {
        QTemporaryDir dir;
        // A free port below the ephemeral range: the servers other tests start with --port 0
        // (in parallel under ctest -j) cannot take it between this check and the client's bind.
        quint16 port = 0;
        for (int attempt = 0; attempt < 100 && port == 0; ++attempt) {
            QTcpServer probe;
            const auto candidate = quint16(20000 + QRandomGenerator::global()->bounded(10000));
            if (probe.listen(QHostAddress::Any, candidate))
                port = candidate;
        }
        QVERIFY(port != 0);

        QProcess client;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), dir.filePath(QStringLiteral("data")));
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        client.setProcessEnvironment(env);
        client.start(qEnvironmentVariable("CONFAB_CLIENT_BIN"),
                     {QStringLiteral("--host"), QString::number(port), QStringLiteral("--name"),
                      QStringLiteral("host_user"), QStringLiteral("--quit-after"),
                      QStringLiteral("60000")});
        QVERIFY(client.waitForStarted());

        // Wait until the embedded server accepts connections.
        QVERIFY(QTest::qWaitFor(
            [&] {
                QTcpSocket attempt;
                attempt.connectToHost(QHostAddress::LocalHost, port);
                return attempt.waitForConnected(200);
            },
            15000));
        // Host mode serves wss:// with a certificate made on the first run, kept in the data
        // folder; its key is readable by the user alone.
        const QString folder = dir.filePath(QStringLiteral("data/Confab/confab/"));
        QFile certFile(folder + QStringLiteral("hosted-certificate.pem"));
        QVERIFY(certFile.open(QIODevice::ReadOnly));
        const QSslCertificate certificate(&certFile, QSsl::Pem);
        QVERIFY(!certificate.isNull());
        const QFile::Permissions mode =
            QFile::permissions(folder + QStringLiteral("hosted-key.pem"));
        QVERIFY(mode.testFlags(QFile::ReadOwner | QFile::WriteOwner));
        QCOMPARE(int(mode & 0x00FF), 0); // nothing for the group or others (mode 0600)
        // Nothing in plain text: a ws:// client gets no handshake.
        TestClient plain;
        QVERIFY(!plain.open(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(port))));
        TestClient guest;
        guest.trustCertificate(certificate);
        QVERIFY(guest.open(QUrl(QStringLiteral("wss://127.0.0.1:%1").arg(port))));
        QVERIFY(guest.login(QStringLiteral("guest")));
        // The hosting user is online in their own server (logged in before or after the guest).
        const bool hostOnline =
            guest.loginReply()
                .value(QLatin1String("user_list"))
                .toArray()
                .contains(QStringLiteral("host_user")) ||
            !guest.waitForPresence(QStringLiteral("host_user"), true, 10000).isEmpty();
        QVERIFY2(hostOnline, client.readAllStandardError().constData());
        // History is kept in the user's data folder.
        guest.sendChat(QStringLiteral("hello host"), QStringLiteral("g1"));
        QVERIFY(!guest.waitForType(QStringLiteral("ack")).isEmpty());
        QVERIFY(QFile::exists(
            dir.filePath(QStringLiteral("data/Confab/confab/hosted-history.sqlite"))));

        client.terminate();
        QVERIFY(client.waitForFinished(10000));
    }

    void versionWorksWithoutADisplay()
    {
        QProcess client;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        env.remove(QStringLiteral("DISPLAY"));
        client.setProcessEnvironment(env);
        client.start(qEnvironmentVariable("CONFAB_CLIENT_BIN"), {QStringLiteral("--version")});
        QVERIFY(client.waitForFinished(10000));
        QCOMPARE(client.exitCode(), 0);
        QVERIFY(client.readAllStandardOutput().startsWith("confab "));
    }

    void badCallDeviceOptionsAreRefusedAtStart_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty camera")
            << QStringList{QStringLiteral("--camera"), QString()}
            << QStringLiteral("--camera: '' is not valid; use test-pattern, file:PATH, camera or "
                              "camera:ID");
        QTest::newRow("camera kind")
            << QStringList{QStringLiteral("--camera"), QStringLiteral("webcam")}
            << QStringLiteral("--camera: 'webcam' is not valid; use test-pattern, file:PATH, "
                              "camera or camera:ID");
        QTest::newRow("missing video file")
            << QStringList{QStringLiteral("--camera"), QStringLiteral("file:/nonexistent/a.avi")}
            << QStringLiteral("--camera: the file '/nonexistent/a.avi' does not exist");
        QTest::newRow("missing wav file")
            << QStringList{QStringLiteral("--mic"), QStringLiteral("file:/nonexistent/a.wav")}
            << QStringLiteral("--mic: the file '/nonexistent/a.wav' does not exist");
        QTest::newRow("speaker kind")
            << QStringList{QStringLiteral("--speaker"), QStringLiteral("file:/tmp/x")}
            << QStringLiteral("--speaker: 'file:/tmp/x' is not valid; use none, speaker or "
                              "speaker:ID");
        QTest::newRow("codec") << QStringList{QStringLiteral("--video-codec"),
                                              QStringLiteral("h264")}
                               << QStringLiteral(
                                      "--video-codec: 'h264' is not valid; use vp8 or jpeg");
    }
    void badCallDeviceOptionsAreRefusedAtStart()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        QProcess client;
        client.start(qEnvironmentVariable("CONFAB_CLIENT_BIN"), arguments);
        QVERIFY(client.waitForFinished(10000));
        QCOMPARE(client.exitCode(), 2);
        const QString err = QString::fromUtf8(client.readAllStandardError());
        QVERIFY2(err.contains(message), qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestHostMode)
#include "tst_hostmode.moc"
