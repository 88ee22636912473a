// History survives a clean restart and a kill -9; resends stay deduplicated across restarts,
// for accounts and for guests who come back with their resume token.
#include "protocol/messageencoder.h"
#include "serverprocess.h"
#include "testclient.h"

#include <QJsonArray>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>

class TestPersistence : public QObject
{
    Q_OBJECT
private:
    static QJsonArray history(TestClient &c, const QString &with = {}, int limit = 200)
    {
        c.sendJson(MessageEncoder::historyRequest(with, 0, 0, limit));
        return c.waitForType(QStringLiteral("history")).value(QLatin1String("messages")).toArray();
    }

    // Sends n messages and waits until every one is acknowledged.
    static bool sendAcked(TestClient &c, const QString &prefix, int n)
    {
        for (int i = 0; i < n; ++i)
            c.sendChat(QStringLiteral("%1 %2").arg(prefix).arg(i),
                       QStringLiteral("%1-%2").arg(prefix).arg(i));
        for (int i = 0; i < n; ++i) {
            const QString id = QStringLiteral("%1-%2").arg(prefix).arg(i);
            if (c.waitFor([&](const QJsonObject &o) {
                     return o.value(QLatin1String("type")).toString() == QLatin1String("ack") &&
                            o.value(QLatin1String("id")).toString() == id;
                 }).isEmpty())
                return false;
        }
        return true;
    }

private slots:
    void historySurvivesCleanRestart()
    {
        ServerProcess server;
        // Private history belongs to accounts: bob has one, so he can read it after a restart.
        QVERIFY(server.createAccount(QStringLiteral("bob"), QStringLiteral("bob's password")));
        QVERIFY(server.start());
        {
            TestClient alice;
            QVERIFY(alice.open(server.url()) && alice.login(QStringLiteral("alice")));
            QVERIFY(sendAcked(alice, QStringLiteral("before-restart"), 3));
            alice.sendChat(QStringLiteral("@bob for your eyes"), QStringLiteral("p-1"));
            QVERIFY(!alice.waitForType(QStringLiteral("ack")).isEmpty());
            QVERIFY(server.stop()); // SIGTERM: a clean exit with code 0
            // Connected users are told why the server went away.
            QVERIFY(!alice.waitForError(QStringLiteral("server_shutdown")).isEmpty());
            QVERIFY(alice.waitForDisconnected());
            QCOMPARE(int(alice.socket().closeCode()), 1001);
        }
        QVERIFY(server.start());
        TestClient alice;
        QVERIFY(alice.open(server.url()) && alice.login(QStringLiteral("alice")));
        const QJsonArray page = history(alice);
        QCOMPARE(page.size(), 3);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(page.at(i).toObject().value(QLatin1String("content")).toString(),
                     QStringLiteral("before-restart %1").arg(i));
        TestClient bob;
        QVERIFY(bob.open(server.url()));
        QVERIFY2(bob.signIn(QStringLiteral("bob"), QStringLiteral("bob's password")),
                 qPrintable(bob.loginError() + server.log()));
        QCOMPARE(history(bob, QStringLiteral("alice")).size(), 1);
        // The guest who calls herself alice now is not the one who wrote it.
        QVERIFY(history(alice, QStringLiteral("bob")).isEmpty());
    }

    void acknowledgedMessagesSurviveKill9()
    {
        ServerProcess server({QStringLiteral("--rate-limit"), QStringLiteral("1000"),
                              QStringLiteral("--rate-burst"), QStringLiteral("1000")});
        QVERIFY(server.start());
        {
            TestClient alice;
            QVERIFY(alice.open(server.url()) && alice.login(QStringLiteral("alice")));
            // Bursts big enough that several land in one grouped commit.
            for (int burst = 0; burst < 4; ++burst)
                QVERIFY(sendAcked(alice, QStringLiteral("k%1").arg(burst), 10));
            server.kill(); // SIGKILL right after the last ack
            QVERIFY(alice.waitForDisconnected());
        }
        QVERIFY(server.start());
        TestClient reader;
        QVERIFY(reader.open(server.url()) && reader.login(QStringLiteral("reader")));
        const QJsonArray page = history(reader);
        QCOMPARE(page.size(), 40);
        QCOMPARE(page.last().toObject().value(QLatin1String("content")).toString(),
                 QStringLiteral("k3 9"));
    }

    void resendAfterRestartIsNotStoredTwice()
    {
        ServerProcess server;
        QVERIFY(server.start());
        qint64 seq = 0;
        QString session;
        {
            TestClient alice;
            QVERIFY(alice.open(server.url()) && alice.login(QStringLiteral("alice")));
            session = alice.session();
            alice.sendChat(QStringLiteral("are you there?"), QStringLiteral("outbox-7"));
            seq = alice.waitForType(QStringLiteral("ack")).value(QLatin1String("seq")).toInteger();
            QVERIFY(seq > 0);
            server.kill();
        }
        QVERIFY(server.start());
        // The client did not see the ack before the crash, so it resends after reconnecting;
        // it logs in again with its resume token, so the server knows it is the same guest.
        TestClient alice;
        QVERIFY(alice.open(server.url()) && alice.login(QStringLiteral("alice"), false, session));
        alice.sendChat(QStringLiteral("are you there?"), QStringLiteral("outbox-7"));
        const QJsonObject ack = alice.waitForType(QStringLiteral("ack"));
        QVERIFY(ack.value(QLatin1String("duplicate")).toBool());
        QCOMPARE(ack.value(QLatin1String("seq")).toInteger(), seq);
        QCOMPARE(history(alice).size(), 1);
    }

    void storeFromBeforeTheIdIndexChangeStillRecognisesResends()
    {
        // A history file as 0.1.0 wrote it until the index of client ids began with the id.
        ServerProcess server;
        {
            QSqlDatabase db =
                QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("old"));
            db.setDatabaseName(server.databasePath());
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral(
                "CREATE TABLE messages (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL,"
                " sender TEXT NOT NULL, sender_key TEXT NOT NULL, recipient TEXT,"
                " recipient_key TEXT, cid TEXT, content TEXT NOT NULL, mentions TEXT)")));
            QVERIFY(q.exec(QStringLiteral("CREATE UNIQUE INDEX messages_cid ON messages(sender_key,"
                                          " cid) WHERE cid IS NOT NULL")));
            QVERIFY(q.exec(QStringLiteral(
                "INSERT INTO messages (seq, ts, sender, sender_key, cid, content) VALUES"
                " (41, 1795655458483, 'Alice', 'alice', 'outbox-1', 'sent before the upgrade')")));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("old"));
        QVERIFY(server.start());
        TestClient alice;
        QVERIFY(alice.open(server.url()) && alice.login(QStringLiteral("Alice")));
        alice.sendChat(QStringLiteral("sent before the upgrade"), QStringLiteral("outbox-1"));
        const QJsonObject ack = alice.waitForType(QStringLiteral("ack"));
        QVERIFY(ack.value(QLatin1String("duplicate")).toBool());
        QCOMPARE(ack.value(QLatin1String("seq")).toInteger(), 41);
        // The same id from someone else is a message of its own.
        TestClient bob;
        QVERIFY(bob.open(server.url()) && bob.login(QStringLiteral("bob")));
        bob.sendChat(QStringLiteral("same id, other sender"), QStringLiteral("outbox-1"));
        const QJsonObject bobAck = bob.waitForType(QStringLiteral("ack"));
        QVERIFY(!bobAck.value(QLatin1String("duplicate")).toBool());
        QVERIFY(bobAck.value(QLatin1String("seq")).toInteger() > 41);
        QCOMPARE(history(bob).size(), 2);
    }
};

QTEST_GUILESS_MAIN(TestPersistence)
#include "tst_persistence.moc"
