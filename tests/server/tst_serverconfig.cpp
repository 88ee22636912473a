// Operator input: options and config files are checked, and mistakes are explained.
#include "serverconfig.h"

#include <QTemporaryFile>
#include <QTest>

class TestServerConfig : public QObject
{
    Q_OBJECT
private:
    static std::optional<ServerConfig> parse(const QStringList &args, QString *message = nullptr,
                                             int *code = nullptr)
    {
        QString m;
        int c = 0;
        auto config = ServerConfig::fromArguments(
            QStringList{QStringLiteral("confab-server")} + args, &m, &c);
        if (message)
            *message = m;
        if (code)
            *code = c;
        return config;
    }

private slots:
    void defaults()
    {
        const auto c = parse({});
        QVERIFY(c);
        QCOMPARE(c->port, quint16(8080)); // the seed page's address
        QCOMPARE(c->limits.maxNameChars, 32);
        QVERIFY(!c->databasePath.isEmpty());
    }
    void commandLineOverridesFile()
    {
        QTemporaryFile file;
        QVERIFY(file.open());
        file.write("port = 9100\nrate-limit = 7\nlog-level = warning\n");
        file.close();
        const auto c = parse({QStringLiteral("--config"), file.fileName(), QStringLiteral("--port"),
                              QStringLiteral("9200")});
        QVERIFY(c);
        QCOMPARE(c->port, quint16(9200));
        QCOMPARE(c->limits.ratePerSecond, 7.0);
        QCOMPARE(c->logLevel, QStringLiteral("warning"));
    }
    void mistakesAreExplained_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("port text") << QStringList{QStringLiteral("--port"), QStringLiteral("http")}
                                   << QStringLiteral("--port");
        QTest::newRow("port fraction")
            << QStringList{QStringLiteral("--port"), QStringLiteral("80.5")}
            << QStringLiteral("whole number");
        QTest::newRow("port range")
            << QStringList{QStringLiteral("--port"), QStringLiteral("70000")}
            << QStringLiteral("65535");
        // QString::toDouble reads "nan"; it passed a range check written as "d < min || d > max".
        QTest::newRow("port nan") << QStringList{QStringLiteral("--port"), QStringLiteral("nan")}
                                  << QStringLiteral("from 0 to 65535");
        QTest::newRow("rate nan") << QStringList{QStringLiteral("--rate-limit"),
                                                 QStringLiteral("NaN")}
                                  << QStringLiteral("--rate-limit");
        QTest::newRow("ping infinite")
            << QStringList{QStringLiteral("--ping-interval"), QStringLiteral("inf")}
            << QStringLiteral("--ping-interval");
        QTest::newRow("listen") << QStringList{QStringLiteral("--listen"),
                                               QStringLiteral("localhostx")}
                                << QStringLiteral("not an IP address");
        QTest::newRow("sync") << QStringList{QStringLiteral("--sync"), QStringLiteral("always")}
                              << QStringLiteral("'normal' or 'full'");
        QTest::newRow("idle shorter than ping")
            << QStringList{QStringLiteral("--ping-interval"), QStringLiteral("10"),
                           QStringLiteral("--idle-timeout"), QStringLiteral("5")}
            << QStringLiteral("longer than");
        QTest::newRow("unknown option")
            << QStringList{QStringLiteral("--prot"), QStringLiteral("1")} << QStringLiteral("prot");
        QTest::newRow("missing file")
            << QStringList{QStringLiteral("--config"), QStringLiteral("/nonexistent.ini")}
            << QStringLiteral("cannot read");
    }
    void mistakesAreExplained()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        QString message;
        int code = 0;
        QVERIFY(!parse(args, &message, &code));
        QCOMPARE(code, 2);
        QVERIFY2(message.contains(mentions), qPrintable(message));
    }
    void unknownFileKeyIsAnError()
    {
        QTemporaryFile file;
        QVERIFY(file.open());
        file.write("[server]\nport = 9100\n");
        file.close();
        QString message;
        int code = 0;
        QVERIFY(!parse({QStringLiteral("--config"), file.fileName()}, &message, &code));
        QCOMPARE(code, 2);
        QVERIFY2(message.contains(QLatin1String("server/port")), qPrintable(message));
    }
    void versionAndHelp()
    {
        QString message;
        int code = -1;
        QVERIFY(!parse({QStringLiteral("--version")}, &message, &code));
        QCOMPARE(code, 0);
        QVERIFY(message.startsWith(QLatin1String("confab-server ")));
        QVERIFY(!parse({QStringLiteral("--help")}, &message, &code));
        QVERIFY(message.contains(QLatin1String("--max-queued-bytes")));
    }
};

QTEST_GUILESS_MAIN(TestServerConfig)
#include "tst_serverconfig.moc"
