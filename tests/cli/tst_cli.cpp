// confab-cli as a script would use it: a real binary against a real server.
#include "net/certificatepins.h"
#include "serverprocess.h"
#include "testclient.h"
#include "tls/selfsignedcertificate.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSslCertificate>
#include <QTemporaryDir>
#include <QTest>

namespace {
struct Run
{
    int exitCode = -1;
    QList<QJsonObject> lines;
    QString error;
};

// Where the CLI keeps device tokens during the tests: a folder of their own, in the 0600 file
// (no keychain service runs here).
QTemporaryDir &tokenHome()
{
    static QTemporaryDir dir;
    return dir;
}

QProcess *startCli(const QStringList &args, const QString &password = {})
{
    auto *p = new QProcess;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_DATA_HOME"), tokenHome().path());
    env.insert(QStringLiteral("CONFAB_TOKEN_STORE"), QStringLiteral("file"));
    if (password.isEmpty())
        env.remove(QStringLiteral("CONFAB_PASSWORD"));
    else
        env.insert(QStringLiteral("CONFAB_PASSWORD"), password);
    p->setProcessEnvironment(env);
    p->start(qEnvironmentVariable("CONFAB_CLI_BIN"), args);
    return p;
}

Run finish(QProcess *p)
{
    Run r;
    // Keep this process's own sockets serviced meanwhile (no blocking wait).
    if (!QTest::qWaitFor([p] { return p->state() == QProcess::NotRunning; }, 20000)) {
        p->kill();
        p->waitForFinished();
    }
    r.exitCode = p->exitStatus() == QProcess::NormalExit ? p->exitCode() : -1;
    for (const QByteArray &line : p->readAllStandardOutput().split('\n')) {
        if (!line.trimmed().isEmpty())
            r.lines << QJsonDocument::fromJson(line).object();
    }
    r.error = QString::fromUtf8(p->readAllStandardError());
    delete p;
    return r;
}

Run cli(const QStringList &args, const QString &password = {})
{
    return finish(startCli(args, password));
}
} // namespace

class TestCli : public QObject
{
    Q_OBJECT
private:
    ServerProcess m_server{{QStringLiteral("--max-text-chars"), QStringLiteral("50")}};
    QString url() const { return m_server.url().toString(); }

private slots:
    void initTestCase() { QVERIFY(m_server.start()); }

    void sendAndHistory()
    {
        const Run sent =
            cli({QStringLiteral("--server"), url(), QStringLiteral("--name"), QStringLiteral("bot"),
                 QStringLiteral("send"), QStringLiteral("build 42 passed ✅")});
        QCOMPARE(sent.exitCode, 0);
        QCOMPARE(sent.lines.size(), 1);
        QVERIFY(sent.lines.first().value(QLatin1String("seq")).toInteger() > 0);
        const Run page = cli({QStringLiteral("--server"), url(), QStringLiteral("--name"),
                              QStringLiteral("reader"), QStringLiteral("history"),
                              QStringLiteral("--limit"), QStringLiteral("10")});
        QCOMPARE(page.exitCode, 0);
        QVERIFY(!page.lines.isEmpty());
        QCOMPARE(page.lines.last().value(QLatin1String("content")).toString(),
                 QStringLiteral("build 42 passed ✅"));
        QCOMPARE(page.lines.last().value(QLatin1String("from")).toString(), QStringLiteral("bot"));
    }

    void listenPrintsJsonLines()
    {
        QProcess *listener = startCli({QStringLiteral("--server"), url(), QStringLiteral("--name"),
                                       QStringLiteral("listener"), QStringLiteral("listen"),
                                       QStringLiteral("--count"), QStringLiteral("2")});
        TestClient watcher;
        QVERIFY(watcher.open(m_server.url()) && watcher.login(QStringLiteral("watcher")));
        // The listener is online: already in the watcher's list, or announced after it.
        QVERIFY(watcher.loginReply()
                    .value(QLatin1String("user_list"))
                    .toArray()
                    .contains(QStringLiteral("listener")) ||
                !watcher.waitForPresence(QStringLiteral("listener"), true, 10000).isEmpty());
        watcher.sendChat(QStringLiteral("first"), QStringLiteral("l1"));
        watcher.sendChat(QStringLiteral("@listener second, private"), QStringLiteral("l2"));
        const Run r = finish(listener);
        QVERIFY2(r.exitCode == 0, qPrintable(r.error + QString::number(r.lines.size())));
        QCOMPARE(r.lines.size(), 2);
        QCOMPARE(r.lines.at(0).value(QLatin1String("content")).toString(), QStringLiteral("first"));
        QCOMPARE(r.lines.at(1).value(QLatin1String("to")).toString(), QStringLiteral("listener"));
    }

    void privateSend()
    {
        TestClient bob;
        QVERIFY(bob.open(m_server.url()) && bob.login(QStringLiteral("p_bob")));
        const Run r = cli({QStringLiteral("--server"), url(), QStringLiteral("--name"),
                           QStringLiteral("p_bot"), QStringLiteral("send"), QStringLiteral("--to"),
                           QStringLiteral("p_bob"), QStringLiteral("psst")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(bob.waitForChat(QStringLiteral("psst")).value(QLatin1String("to")).toString(),
                 QStringLiteral("p_bob"));
    }

    void exitCodes_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("says");
        QTest::newRow("no command") << QStringList{QStringLiteral("--name"), QStringLiteral("x")}
                                    << 2 << QStringLiteral("no command");
        QTest::newRow("unknown command")
            << QStringList{QStringLiteral("--name"), QStringLiteral("x"), QStringLiteral("dance")}
            << 2 << QStringLiteral("unknown command");
        QTest::newRow("no name") << QStringList{QStringLiteral("listen")} << 2
                                 << QStringLiteral("--name");
        QTest::newRow("send without text")
            << QStringList{QStringLiteral("--name"), QStringLiteral("x"), QStringLiteral("send")}
            << 2 << QStringLiteral("TEXT");
        QTest::newRow("unreachable")
            << QStringList{QStringLiteral("--server"), QStringLiteral("ws://127.0.0.1:1"),
                           QStringLiteral("--name"), QStringLiteral("x"), QStringLiteral("users")}
            << 3 << QStringLiteral("cannot reach");
        QTest::newRow("invalid name")
            << QStringList{QStringLiteral("--name"), QStringLiteral("two words"),
                           QStringLiteral("users")}
            << 4 << QStringLiteral("Names may use");
        QTest::newRow("too long") << QStringList{QStringLiteral("--name"),
                                                 QStringLiteral("verbose"), QStringLiteral("send"),
                                                 QString(80, QLatin1Char('x'))}
                                  << 5 << QStringLiteral("message_too_long");
    }
    void exitCodes()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, says);
        if (!args.contains(QStringLiteral("--server")))
            args = QStringList{QStringLiteral("--server"), url()} + args;
        const Run r = cli(args);
        QCOMPARE(r.exitCode, code);
        QVERIFY2(r.error.contains(says), qPrintable(r.error));
    }

    void takenNameIsRefused()
    {
        TestClient holder;
        QVERIFY(holder.open(m_server.url()) && holder.login(QStringLiteral("holder")));
        const Run r = cli({QStringLiteral("--server"), url(), QStringLiteral("--name"),
                           QStringLiteral("holder"), QStringLiteral("users")});
        QCOMPARE(r.exitCode, 4);
        QVERIFY(r.error.contains(QLatin1String("already uses")));
    }

    void accountsSignInOnceAndKeepATokenOnly()
    {
        ServerProcess server;
        QVERIFY(
            server.createAccount(QStringLiteral("deploy_bot"), QStringLiteral("bot password 1")));
        QVERIFY(server.start());
        const QStringList base{QStringLiteral("--server"), server.url().toString(),
                               QStringLiteral("--name"), QStringLiteral("deploy_bot")};
        // The name has an account: as a guest it is refused, with what to do.
        Run r = cli(base + QStringList{QStringLiteral("send"), QStringLiteral("hi")});
        QCOMPARE(r.exitCode, 4);
        QVERIFY2(r.error.contains(QLatin1String("confab-cli login")), qPrintable(r.error));
        // login reads the password from a file and keeps a device token, readable by the user
        // alone; the password itself is not kept anywhere.
        QTemporaryDir dir;
        QFile secret(dir.filePath(QStringLiteral("pw")));
        QVERIFY(secret.open(QIODevice::WriteOnly));
        secret.write("bot password 1\n");
        secret.close();
        r = cli(base + QStringList{QStringLiteral("--password-file"), secret.fileName(),
                                   QStringLiteral("login")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.lines.size(), 1);
        const QString stored = r.lines.first().value(QLatin1String("stored")).toString();
        QVERIFY(QFile::exists(stored));
        QCOMPARE(int(QFile::permissions(stored) & 0x00FF), 0);
        QFile tokens(stored);
        QVERIFY(tokens.open(QIODevice::ReadOnly));
        QVERIFY(!tokens.readAll().contains("bot password"));
        // Later runs sign in with the token.
        r = cli(base + QStringList{QStringLiteral("send"), QStringLiteral("build 42 passed")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.lines.first().value(QLatin1String("sent")).toBool());
        QString out;
        QCOMPARE(server.admin({QStringLiteral("tokens"), QStringLiteral("deploy_bot")}, {}, &out),
                 0);
        QVERIFY2(out.contains(QLatin1String("1 devices")), qPrintable(out));
        // logout signs the device out and forgets the token.
        r = cli(base + QStringList{QStringLiteral("logout")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.lines.first().value(QLatin1String("signed_out")).toBool());
        QCOMPARE(server.admin({QStringLiteral("tokens"), QStringLiteral("deploy_bot")}, {}, &out),
                 0);
        QVERIFY2(out.contains(QLatin1String("0 devices")), qPrintable(out));
        r = cli(base + QStringList{QStringLiteral("send"), QStringLiteral("again")});
        QCOMPARE(r.exitCode, 4);
        // $CONFAB_PASSWORD signs in for one command and leaves no device behind.
        r = cli(base + QStringList{QStringLiteral("send"), QStringLiteral("with env")},
                QStringLiteral("bot password 1"));
        QCOMPARE(r.exitCode, 0);
        QTRY_VERIFY(
            server.admin({QStringLiteral("tokens"), QStringLiteral("deploy_bot")}, {}, &out) == 0 &&
            out.contains(QLatin1String("0 devices")));
        // A wrong one is refused like any wrong password.
        r = cli(base + QStringList{QStringLiteral("send"), QStringLiteral("x")},
                QStringLiteral("not the password"));
        QCOMPARE(r.exitCode, 4);
        QVERIFY(r.error.contains(QLatin1String("auth_failed")));
    }

    void certificatesArePinnedOrRefused()
    {
        QTemporaryDir dir;
        const QString cert = dir.filePath(QStringLiteral("cert.pem"));
        const QString key = dir.filePath(QStringLiteral("key.pem"));
        QString error;
        QVERIFY2(SelfSignedCertificate::ensure(cert, key, QStringLiteral("localhost"), &error),
                 qPrintable(error));
        QFile f(cert);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString fingerprint = CertificatePins::fingerprint(QSslCertificate(&f, QSsl::Pem));
        ServerProcess server(
            {QStringLiteral("--tls-cert"), cert, QStringLiteral("--tls-key"), key});
        QVERIFY(server.start());
        const QStringList base{QStringLiteral("--server"), server.url().toString(),
                               QStringLiteral("--name"), QStringLiteral("pinner"),
                               QStringLiteral("users")};
        // Unknown: refused, and the message gives the fingerprint to check and pass.
        Run r = cli(base);
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.error.contains(fingerprint) && r.error.contains(QLatin1String("--pin")),
                 qPrintable(r.error));
        r = cli(base + QStringList{QStringLiteral("--pin"), fingerprint});
        QCOMPARE(r.exitCode, 0);
        r = cli(base + QStringList{QStringLiteral("--pin"), QStringLiteral("AB:CD")});
        QCOMPARE(r.exitCode, 3);
        // --insecure only when spelled out.
        r = cli(QStringList{QStringLiteral("--insecure")} + base);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.error.contains(QLatin1String("--insecure=accept-any-certificate")),
                 qPrintable(r.error));
        r = cli(QStringList{QStringLiteral("--insecure=accept-any-certificate")} + base);
        QCOMPARE(r.exitCode, 0);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
