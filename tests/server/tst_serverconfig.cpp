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
    // Files (docs/protocol.md section 18): beside a SQLite file by default, off with PostgreSQL
    // unless a folder is given, and the options also in the INI file.
    void filesOptions()
    {
        auto c = parse({QStringLiteral("--database"), QStringLiteral("/srv/confab/h.sqlite")});
        QVERIFY(c);
        QCOMPARE(c->filesDir, QStringLiteral("/srv/confab/h.sqlite-files"));
        QCOMPARE(c->limits.maxFileBytes, qint64(104857600));
        QCOMPARE(c->limits.fileQuotaBytes, qint64(1073741824));
        QCOMPARE(c->limits.fileChunkBytes, qint64(65536));
        QCOMPARE(c->fileBytesPerSecond, qint64(64) * 1024 * 1024);
        c = parse({QStringLiteral("--database"), QStringLiteral("postgresql://u@db/confab")});
        QVERIFY(c);
        QCOMPARE(c->limits.maxFileBytes, qint64(0));
        QVERIFY(c->filesDir.isEmpty());
        c = parse({QStringLiteral("--database"), QStringLiteral("postgresql://u@db/confab"),
                   QStringLiteral("--files-dir"), QStringLiteral("/nfs/confab")});
        QVERIFY(c);
        QCOMPARE(c->filesDir, QStringLiteral("/nfs/confab"));
        QVERIFY(c->limits.maxFileBytes > 0);
        QTemporaryFile file;
        QVERIFY(file.open());
        file.write("max-file-bytes = 5000\nfile-quota-bytes = 90000\nmax-message-bytes = 4096\n"
                   "file-bytes-per-second = 100000\n");
        file.close();
        c = parse({QStringLiteral("--config"), file.fileName()});
        QVERIFY(c);
        QCOMPARE(c->limits.maxFileBytes, qint64(5000));
        QCOMPARE(c->limits.fileQuotaBytes, qint64(90000));
        // Chunks are not chat: their bound does not follow the message size (the transport
        // allows them only to a connection that holds an upload).
        QCOMPARE(c->limits.fileChunkBytes, qint64(65536));
        QCOMPARE(c->fileBytesPerSecond, qint64(100000));
        c = parse({QStringLiteral("--max-file-bytes"), QStringLiteral("0")});
        QVERIFY(c);
        QVERIFY(c->filesDir.isEmpty());
        QString message;
        QVERIFY(!parse({QStringLiteral("--max-file-bytes"), QStringLiteral("-1")}, &message));
        QVERIFY2(message.contains(QLatin1String("max-file-bytes")), qPrintable(message));
        QVERIFY(!parse({QStringLiteral("--file-quota-bytes"), QStringLiteral("1.5")}, &message));
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
        QTest::newRow("accounts file with sqlite")
            << QStringList{QStringLiteral("--database"), QStringLiteral("/tmp/h.sqlite"),
                           QStringLiteral("--accounts-file"), QStringLiteral("/tmp/a.sqlite")}
            << QStringLiteral("--accounts-file is not used");
        // The accounts moved to PostgreSQL: an old setting must not pass unnoticed.
        QTest::newRow("accounts file with postgresql")
            << QStringList{QStringLiteral("--database"), QStringLiteral("postgresql://u@h/d"),
                           QStringLiteral("--accounts-file"), QStringLiteral("/tmp/a.sqlite")}
            << QStringLiteral("accounts are kept in PostgreSQL now");
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
    // --database postgresql://...: read strictly, and the password never in a message.
    void postgresUrlIsRead()
    {
        auto c =
            parse({QStringLiteral("--database"),
                   QStringLiteral("postgresql://confab:p%40ss%3Aw%2Frd%20%C3%A9@db.example.org:"
                                  "6543/confab_history?sslmode=verify-full")});
        QVERIFY(c);
        QVERIFY(c->postgres);
        QCOMPARE(c->postgres->user, QStringLiteral("confab"));
        QCOMPARE(c->postgres->password, QStringLiteral("p@ss:w/rd \u00E9"));
        QCOMPARE(c->postgres->host, QStringLiteral("db.example.org"));
        QCOMPARE(c->postgres->port, quint16(6543));
        QCOMPARE(c->postgres->database, QStringLiteral("confab_history"));
        QCOMPARE(c->postgres->sslMode, QStringLiteral("verify-full"));
        QCOMPARE(c->postgres->display(),
                 QStringLiteral("postgresql://confab@db.example.org:6543/confab_history"));
        // The accounts are in PostgreSQL too; the file path is the (unused) default, never one
        // named after the URL.
        QCOMPARE(c->databasePath, ServerConfig::defaultDatabasePath());

        c = parse({QStringLiteral("--database"), QStringLiteral("postgres://u@[::1]/d")});
        QVERIFY(c && c->postgres);
        QCOMPARE(c->postgres->host, QStringLiteral("::1"));
        QCOMPARE(c->postgres->port, quint16(5432));
        QVERIFY(c->postgres->password.isEmpty());
        QCOMPARE(c->postgres->display(), QStringLiteral("postgresql://u@[::1]:5432/d"));

        // A path stays SQLite, also one with a colon in it.
        c = parse({QStringLiteral("--database"), QStringLiteral("/var/lib/confab/a:b.sqlite")});
        QVERIFY(c);
        QVERIFY(!c->postgres);
        QCOMPARE(c->databasePath, QStringLiteral("/var/lib/confab/a:b.sqlite"));

        // In the INI file (quoted, as INI values with ',' or ';' must be).
        QTemporaryFile file;
        QVERIFY(file.open());
        file.write("database = \"postgresql://confab:s%3Bcr,t@127.0.0.1:5433/confab\"\n");
        file.close();
        c = parse({QStringLiteral("--config"), file.fileName()});
        QVERIFY(c && c->postgres);
        QCOMPARE(c->postgres->password, QStringLiteral("s;cr,t"));
        QCOMPARE(c->postgres->port, quint16(5433));
    }
    void postgresUrlMistakesAreExplained_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("mentions");
        const QString form = QStringLiteral("postgresql://user:password@host:port/dbname");
        QTest::newRow("other scheme")
            << QStringLiteral("mysql://u:Sekr1t@h/db") << QStringLiteral("'mysql://'");
        QTest::newRow("no user") << QStringLiteral("postgresql://h:5432/db")
                                 << QStringLiteral("user name is missing");
        QTest::newRow("empty user") << QStringLiteral("postgresql://:Sekr1t@h/db")
                                    << QStringLiteral("user name is missing");
        QTest::newRow("no database") << QStringLiteral("postgresql://u:Sekr1t@h:5432")
                                     << QStringLiteral("database name is missing");
        QTest::newRow("empty database") << QStringLiteral("postgresql://u:Sekr1t@h:5432/")
                                        << QStringLiteral("database name is missing");
        QTest::newRow("port text") << QStringLiteral("postgresql://u:Sekr1t@h:pg/db")
                                   << QStringLiteral("'pg' is not a port");
        QTest::newRow("port range") << QStringLiteral("postgresql://u:Sekr1t@h:70000/db")
                                    << QStringLiteral("from 1 to 65535");
        QTest::newRow("port empty")
            << QStringLiteral("postgresql://u:Sekr1t@h:/db") << QStringLiteral("port is missing");
        QTest::newRow("no host") << QStringLiteral("postgresql://u:Sekr1t@/db")
                                 << QStringLiteral("host is missing");
        QTest::newRow("bad host") << QStringLiteral("postgresql://u:Sekr1t@ho_st/db")
                                  << QStringLiteral("'ho_st' is not a host");
        QTest::newRow("bad ipv6") << QStringLiteral("postgresql://u:Sekr1t@[::zz]/db")
                                  << QStringLiteral("not an IPv6 address");
        QTest::newRow("several hosts")
            << QStringLiteral("postgresql://u:Sekr1t@a,b/db") << QStringLiteral("several hosts");
        QTest::newRow("raw @ in password")
            << QStringLiteral("postgresql://u:Sek@r1t@h/db") << QStringLiteral("%40");
        QTest::newRow("raw / in password")
            << QStringLiteral("postgresql://u:Se/kr1t@h/db") << QStringLiteral("%2F");
        QTest::newRow("broken escape")
            << QStringLiteral("postgresql://u:Sekr1t%4@h/db") << QStringLiteral("password");
        QTest::newRow("space") << QStringLiteral("postgresql://u:Sekr 1t@h/db")
                               << QStringLiteral("%20");
        QTest::newRow("unknown parameter")
            << QStringLiteral("postgresql://u:Sekr1t@h/db?host=other")
            << QStringLiteral("unknown parameter 'host'");
        QTest::newRow("bad sslmode") << QStringLiteral("postgresql://u:Sekr1t@h/db?sslmode=yes")
                                     << QStringLiteral("verify-full");
        QTest::newRow("fragment") << QStringLiteral("postgresql://u:Sekr1t@h/db#x")
                                  << QStringLiteral("%23");
        QTest::newRow("path") << QStringLiteral("postgresql://u:Sekr1t@h/db/more")
                              << QStringLiteral("database name");
        QTest::newRow("form shown") << QStringLiteral("postgresql://u:Sekr1t@h") << form;
    }
    void postgresUrlMistakesAreExplained()
    {
        QFETCH(QString, url);
        QFETCH(QString, mentions);
        QString message;
        int code = 0;
        QVERIFY(!parse({QStringLiteral("--database"), url}, &message, &code));
        QCOMPARE(code, 2);
        QVERIFY2(message.contains(mentions), qPrintable(message));
        QVERIFY2(message.startsWith(QLatin1String("--database: ")), qPrintable(message));
        for (const char *secret : {"Sekr1t", "Sekr", "kr1t"})
            QVERIFY2(!message.contains(QLatin1String(secret)), qPrintable(message));
    }
    // --redis redis://host:port: the bus; read strictly, on the command line or in the file.
    void redisUrlIsRead()
    {
        auto c = parse({});
        QVERIFY(c);
        QVERIFY(!c->redis); // a single process by default
        c = parse({QStringLiteral("--redis"), QStringLiteral("redis://cache.example.org:6380")});
        QVERIFY(c && c->redis);
        QCOMPARE(c->redis->host, QStringLiteral("cache.example.org"));
        QCOMPARE(c->redis->port, quint16(6380));
        QCOMPARE(c->redis->display(), QStringLiteral("redis://cache.example.org:6380"));
        c = parse({QStringLiteral("--redis"), QStringLiteral("redis://127.0.0.1:7000/")});
        QVERIFY(c && c->redis);
        QCOMPARE(c->redis->host, QStringLiteral("127.0.0.1"));
        QCOMPARE(c->redis->port, quint16(7000));
        c = parse({QStringLiteral("--redis"), QStringLiteral("redis://[::1]:6390")});
        QVERIFY(c && c->redis);
        QCOMPARE(c->redis->host, QStringLiteral("::1"));
        QCOMPARE(c->redis->display(), QStringLiteral("redis://[::1]:6390"));
        c = parse({QStringLiteral("--redis"), QStringLiteral("redis://redis")});
        QVERIFY(c && c->redis);
        QCOMPARE(c->redis->port, quint16(6379));

        QTemporaryFile file;
        QVERIFY(file.open());
        file.write("redis = redis://10.0.0.5:6381\n");
        file.close();
        c = parse({QStringLiteral("--config"), file.fileName()});
        QVERIFY(c && c->redis);
        QCOMPARE(c->redis->host, QStringLiteral("10.0.0.5"));
        QCOMPARE(c->redis->port, quint16(6381));
        // The command line wins over the file.
        c = parse({QStringLiteral("--config"), file.fileName(), QStringLiteral("--redis"),
                   QStringLiteral("redis://10.0.0.6:6382")});
        QVERIFY(c && c->redis);
        QCOMPARE(c->redis->host, QStringLiteral("10.0.0.6"));
    }
    void redisUrlMistakesAreExplained_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("no scheme")
            << QStringLiteral("127.0.0.1:6379") << QStringLiteral("not a URL");
        QTest::newRow("other scheme")
            << QStringLiteral("http://h:6379") << QStringLiteral("'http://' is not a Redis URL");
        QTest::newRow("tls") << QStringLiteral("rediss://h:6379") << QStringLiteral("TLS");
        QTest::newRow("no host") << QStringLiteral("redis://:6379")
                                 << QStringLiteral("host is missing");
        QTest::newRow("empty") << QStringLiteral("redis://") << QStringLiteral("host is missing");
        QTest::newRow("bad host") << QStringLiteral("redis://ho_st:6379")
                                  << QStringLiteral("'ho_st' is not a host");
        QTest::newRow("port empty")
            << QStringLiteral("redis://h:") << QStringLiteral("port is missing");
        QTest::newRow("port zero")
            << QStringLiteral("redis://h:0") << QStringLiteral("from 1 to 65535");
        QTest::newRow("port range")
            << QStringLiteral("redis://h:65536") << QStringLiteral("from 1 to 65535");
        QTest::newRow("port text")
            << QStringLiteral("redis://h:six") << QStringLiteral("'six' is not a port");
        QTest::newRow("port sign")
            << QStringLiteral("redis://h:+80") << QStringLiteral("is not a port");
        QTest::newRow("password") << QStringLiteral("redis://:Sekr1t@h:6379")
                                  << QStringLiteral("password is not supported");
        QTest::newRow("database") << QStringLiteral("redis://h:6379/0")
                                  << QStringLiteral("database number");
        QTest::newRow("two slashes")
            << QStringLiteral("redis://h:6379//") << QStringLiteral("database number");
        QTest::newRow("query") << QStringLiteral("redis://h:6379?db=1")
                               << QStringLiteral("parameters");
        QTest::newRow("space") << QStringLiteral("redis://h :6379") << QStringLiteral("space");
        QTest::newRow("bad ipv6") << QStringLiteral("redis://[::zz]:6379")
                                  << QStringLiteral("not an IPv6 address");
        QTest::newRow("ipv6 unclosed")
            << QStringLiteral("redis://[::1:6379") << QStringLiteral("']'");
        QTest::newRow("ipv6 trailing")
            << QStringLiteral("redis://[::1]x") << QStringLiteral("after the IPv6 address");
        QTest::newRow("form shown")
            << QStringLiteral("redis://h:0") << QStringLiteral("redis://host:port");
    }
    void redisUrlMistakesAreExplained()
    {
        QFETCH(QString, url);
        QFETCH(QString, mentions);
        QString message;
        int code = 0;
        QVERIFY(!parse({QStringLiteral("--redis"), url}, &message, &code));
        QCOMPARE(code, 2);
        QVERIFY2(message.contains(mentions), qPrintable(message));
        QVERIFY2(message.startsWith(QLatin1String("--redis: ")), qPrintable(message));
        QVERIFY2(!message.contains(QLatin1String("Sekr1t")), qPrintable(message));
    }
    // Fuzzer finding: display() filled in the port with a second arg(), which replaced the "%1"
    // of an IPv6 scope instead: redis://[fe79::%1]:6179 was shown as redis://[fe79::6179]:%4.
    void redisUrlWithScopeIsShownAsWritten()
    {
        const auto c =
            parse({QStringLiteral("--redis"), QStringLiteral("redis://[fe79::%1]:6179")});
        QVERIFY(c && c->redis);
        QCOMPARE(c->redis->host, QStringLiteral("fe79::%1"));
        QCOMPARE(c->redis->port, quint16(6179));
        QCOMPARE(c->redis->display(), QStringLiteral("redis://[fe79::%1]:6179"));
        const auto again = RedisUrl::parse(c->redis->display(), nullptr);
        QVERIFY(again);
        QCOMPARE(again->host, c->redis->host);
        QCOMPARE(again->port, c->redis->port);
    }
    // A value with "%1" or "%3" in it is quoted as written, not filled in with the range.
    void badValueIsQuotedAsWritten_data()
    {
        QTest::addColumn<QString>("value");
        QTest::newRow("%1") << QStringLiteral("%1");
        QTest::newRow("%3") << QStringLiteral("%3");
        QTest::newRow("%4%5") << QStringLiteral("x%4%5");
    }
    void badValueIsQuotedAsWritten()
    {
        QFETCH(QString, value);
        QString message;
        QVERIFY(!parse({QStringLiteral("--port"), value}, &message));
        QCOMPARE(message,
                 QStringLiteral("--port: '%1' is not a whole number from 0 to 65535\n").arg(value));
        QVERIFY(!parse({QStringLiteral("--rate-limit"), value}, &message));
        QCOMPARE(
            message,
            QStringLiteral("--rate-limit: '%1' is not a number from 0.1 to 1e+07\n").arg(value));
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
