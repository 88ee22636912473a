// `confab --host PORT`: the desktop client runs the server in-process, logs its user in, and
// others can join it — the README's first command, offscreen.
#include "protocol/messageencoder.h"
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

namespace {

// Starts `confab --host PORT --name host_user` offscreen with its own folders in `dir`, `extra`
// added to its environment; true once its embedded server accepts connections.
bool launchHost(const QTemporaryDir &dir, QProcess &client, quint16 *port,
                const QProcessEnvironment &extra = {})
{
    // A free port below the ephemeral range: the servers other tests start with --port 0 (in
    // parallel under ctest -j) cannot take it between this check and the client's bind.
    *port = 0;
    for (int attempt = 0; attempt < 100 && *port == 0; ++attempt) {
        QTcpServer probe;
        const auto candidate = quint16(20000 + QRandomGenerator::global()->bounded(10000));
        if (probe.listen(QHostAddress::Any, candidate))
            *port = candidate;
    }
    if (*port == 0)
        return false;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("XDG_DATA_HOME"), dir.filePath(QStringLiteral("data")));
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.remove(QStringLiteral("CONFAB_MEDIA_MODULE")); // the tests' own: this is the program
    env.insert(extra);
    client.setProcessEnvironment(env);
    client.start(qEnvironmentVariable("CONFAB_CLIENT_BIN"),
                 {QStringLiteral("--host"), QString::number(*port), QStringLiteral("--name"),
                  QStringLiteral("host_user"), QStringLiteral("--quit-after"),
                  QStringLiteral("60000")});
    if (!client.waitForStarted())
        return false;
    const quint16 p = *port;
    return QTest::qWaitFor(
        [p] {
            QTcpSocket attempt;
            attempt.connectToHost(QHostAddress::LocalHost, p);
            return attempt.waitForConnected(200);
        },
        15000);
}

QString hostFolder(const QTemporaryDir &dir)
{
    return dir.filePath(QStringLiteral("data/Confab/confab/"));
}

// Host mode serves wss:// with a certificate made on the first run, kept in the data folder.
QSslCertificate hostCertificate(const QTemporaryDir &dir)
{
    QFile certFile(hostFolder(dir) + QStringLiteral("hosted-certificate.pem"));
    if (!certFile.open(QIODevice::ReadOnly))
        return {};
    return QSslCertificate(&certFile, QSsl::Pem);
}

// `guest` logged in to the host; true when host_user is online there too (logged in before or
// after the guest).
bool joinHost(TestClient &guest, quint16 port, const QSslCertificate &certificate,
              const QString &name)
{
    guest.trustCertificate(certificate);
    if (!guest.open(QUrl(QStringLiteral("wss://127.0.0.1:%1").arg(port))) || !guest.login(name))
        return false;
    return guest.loginReply()
               .value(QLatin1String("user_list"))
               .toArray()
               .contains(QStringLiteral("host_user")) ||
           !guest.waitForPresence(QStringLiteral("host_user"), true, 10000).isEmpty();
}

// `guest` calls host_user (voice); the call's id from the server's ack, 0 without one.
quint32 callHost(TestClient &guest)
{
    guest.sendJson(MessageEncoder::callRequest(QStringLiteral("call_invite"), 0,
                                               QStringLiteral("host_user"),
                                               {QStringLiteral("audio")}, QStringLiteral("i1")));
    return quint32(
        guest.waitForType(QStringLiteral("ack")).value(QLatin1String("call")).toInteger());
}

// The shared objects a process has mapped whose file name contains one of `names`.
QStringList mappedLibraries(qint64 pid, const QStringList &names)
{
    QFile maps(QStringLiteral("/proc/%1/maps").arg(pid));
    if (!maps.open(QIODevice::ReadOnly))
        return {QStringLiteral("(no /proc/%1/maps)").arg(pid)};
    QStringList found;
    const QList<QByteArray> lines = maps.readAll().split('\n');
    for (const QByteArray &line : lines) {
        const int slash = line.indexOf('/');
        if (slash < 0)
            continue;
        const QString path = QString::fromUtf8(line.mid(slash));
        const QString file = path.mid(path.lastIndexOf(QLatin1Char('/')) + 1);
        for (const QString &name : names) {
            if (file.contains(name) && !found.contains(file))
                found << file;
        }
    }
    return found;
}

const QStringList kMediaLibraries{
    QStringLiteral("confab-media"), QStringLiteral("libQt6Multimedia"),
    QStringLiteral("libopus"),      QStringLiteral("libvpx"),
    QStringLiteral("libopencv"),    QStringLiteral("libwebrtc_audio_processing"),
    QStringLiteral("libspeexdsp"),  QStringLiteral("libpulse")};

} // namespace

class TestHostMode : public QObject
{
    Q_OBJECT
private slots:
    void hostsAndLogsTheUserIn()
    {
        QTemporaryDir dir;
        QProcess client;
        quint16 port = 0;
        QVERIFY(launchHost(dir, client, &port));
        const QSslCertificate certificate = hostCertificate(dir);
        QVERIFY(!certificate.isNull());
        // Its key is readable by the user alone.
        const QFile::Permissions mode =
            QFile::permissions(hostFolder(dir) + QStringLiteral("hosted-key.pem"));
        QVERIFY(mode.testFlags(QFile::ReadOwner | QFile::WriteOwner));
        QCOMPARE(int(mode & 0x00FF), 0); // nothing for the group or others (mode 0600)
        // Nothing in plain text: a ws:// client gets no handshake.
        TestClient plain;
        QVERIFY(!plain.open(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(port))));
        TestClient guest;
        QVERIFY2(joinHost(guest, port, certificate, QStringLiteral("guest")),
                 client.readAllStandardError().constData());
        // History is kept in the user's data folder.
        guest.sendChat(QStringLiteral("hello host"), QStringLiteral("g1"));
        QVERIFY(!guest.waitForType(QStringLiteral("ack")).isEmpty());
        QVERIFY(QFile::exists(hostFolder(dir) + QStringLiteral("hosted-history.sqlite")));

        client.terminate();
        QVERIFY(client.waitForFinished(10000));
    }

    // Issue 14's lean client: logged in and chatting, the program has none of the media stack
    // mapped; the first call loads the media module, and the call rings.
    void theMediaModuleLoadsWithTheFirstCall()
    {
        QTemporaryDir dir;
        QProcess client;
        quint16 port = 0;
        QVERIFY(launchHost(dir, client, &port));
        TestClient guest;
        QVERIFY2(joinHost(guest, port, hostCertificate(dir), QStringLiteral("caller")),
                 client.readAllStandardError().constData());
        guest.sendChat(QStringLiteral("hello"), QStringLiteral("c1"));
        QVERIFY(!guest.waitForType(QStringLiteral("ack")).isEmpty());
        QCOMPARE(mappedLibraries(client.processId(), kMediaLibraries), QStringList());

        const quint32 call = callHost(guest);
        QVERIFY(call != 0);
        const QJsonObject ringing = guest.waitForType(QStringLiteral("call_ringing"), 15000);
        QVERIFY2(!ringing.isEmpty(), client.readAllStandardError().constData());
        const QStringList mapped = mappedLibraries(client.processId(), kMediaLibraries);
        QVERIFY2(mapped.contains(QStringLiteral("confab-media.so")), qPrintable(mapped.join(' ')));
        QVERIFY2(mapped.filter(QStringLiteral("libopus")).size() == 1,
                 qPrintable(mapped.join(' ')));
        guest.sendJson(MessageEncoder::callRequest(QStringLiteral("call_cancel"), call));

        client.terminate();
        QVERIFY(client.waitForFinished(10000));
    }

    // Without the module (a broken install), a call to the user is answered "busy" at once
    // instead of ringing for nothing, and the chat goes on; stderr says what is wrong and what
    // to do.
    void withoutTheMediaModuleACallIsAnsweredBusy()
    {
        QTemporaryDir dir;
        QProcess client;
        quint16 port = 0;
        QProcessEnvironment extra;
        extra.insert(QStringLiteral("CONFAB_MEDIA_MODULE"),
                     dir.filePath(QStringLiteral("gone.so")));
        QVERIFY(launchHost(dir, client, &port, extra));
        QByteArray err; // all of it: a failure message below reads some too
        auto errors = [&] {
            return (err += client.readAllStandardError()).constData();
        };
        TestClient guest;
        QVERIFY2(joinHost(guest, port, hostCertificate(dir), QStringLiteral("caller")), errors());
        QVERIFY(callHost(guest) != 0);
        const QJsonObject declined = guest.waitForType(QStringLiteral("call_busy"), 15000);
        QVERIFY2(!declined.isEmpty(), errors());
        guest.sendChat(QStringLiteral("still here"), QStringLiteral("c2"));
        QVERIFY(!guest.waitForType(QStringLiteral("ack")).isEmpty());
        client.terminate();
        QVERIFY(client.waitForFinished(10000));
        errors();
        QVERIFY2(err.contains("calls and sounds are off") && err.contains("reinstall Confab"),
                 err.constData());
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
