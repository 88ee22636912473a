// confab-cli as a script would use it: a real binary against a real server.
#include "serverprocess.h"
#include "testclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

namespace {
struct Run
{
    int exitCode = -1;
    QList<QJsonObject> lines;
    QString error;
};

QProcess *startCli(const QStringList &args)
{
    auto *p = new QProcess;
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

Run cli(const QStringList &args)
{
    return finish(startCli(args));
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
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
