// Call entries (docs/protocol.md section 13.1): when a call ends, the server records one entry
// in the private conversation of its two members, with how it ended, and nobody else ever
// sees it. Against a real server process and its SQLite file.
#include "protocol/messageencoder.h"
#include "serverprocess.h"
#include "testclient.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>

#include <memory>

namespace {
// The child: this program run again as a client process that answers one call and then does
// nothing until it is killed.
const char kChildUrl[] = "CONFAB_CALLHISTORY_CHILD_URL";
const char kChildName[] = "CONFAB_CALLHISTORY_CHILD_NAME";

QString typeOf(const QJsonObject &o)
{
    return o.value(QLatin1String("type")).toString();
}
quint32 callOf(const QJsonObject &o)
{
    return quint32(o.value(QLatin1String("call")).toInteger());
}
bool isCallEntry(const QJsonObject &o)
{
    return typeOf(o) == QLatin1String("user") && o.value(QLatin1String("call")).isObject();
}
QString outcomeOf(const QJsonObject &entry)
{
    return entry.value(QLatin1String("call")).toObject().value(QLatin1String("outcome")).toString();
}
QList<QJsonObject> callEntries(const QJsonArray &messages)
{
    QList<QJsonObject> entries;
    for (const QJsonValue &v : messages) {
        if (isCallEntry(v.toObject()))
            entries << v.toObject();
    }
    return entries;
}
} // namespace

class TestCallHistory : public QObject
{
    Q_OBJECT
private:
    // Calls that ring out do so after a second.
    ServerProcess m_server{{QStringLiteral("--call-ring-seconds"), QStringLiteral("1")}};
    int m_marker = 0;

    std::unique_ptr<TestClient> online(const QString &name, const QString &session = {})
    {
        auto c = std::make_unique<TestClient>();
        if (!c->open(m_server.url()) || !c->login(name, false, session))
            return nullptr;
        return c;
    }
    static QJsonArray history(TestClient &c, const QString &with)
    {
        c.sendJson(MessageEncoder::historyRequest(with, 0, 0, 200));
        return c.waitForType(QStringLiteral("history")).value(QLatin1String("messages")).toArray();
    }
    // alice invites bob; returns the call id (0 on failure), once bob's invite arrived.
    static quint32 invite(TestClient &alice, TestClient &bob, const QString &bobName,
                          const QStringList &media = {QStringLiteral("audio")})
    {
        alice.sendJson(MessageEncoder::callRequest(QStringLiteral("call_invite"), 0, bobName, media,
                                                   QStringLiteral("inv")));
        const quint32 call = callOf(alice.waitForType(QStringLiteral("ack")));
        if (call == 0 || callOf(bob.waitForType(QStringLiteral("call_invite"))) != call)
            return 0;
        return call;
    }
    static QJsonObject waitForEntry(TestClient &c) { return c.waitFor(isCallEntry); }
    // Everything the server sent `c` before a private marker from `from` to it: on one server
    // messages are relayed in seq order, so what comes before the marker has all arrived.
    bool drained(TestClient &from, TestClient &c, const QString &cName)
    {
        const QString text = QStringLiteral("marker %1").arg(++m_marker);
        from.sendChat(text, QStringLiteral("mk-%1").arg(m_marker), cName);
        return !c.waitForChat(text).isEmpty();
    }

private slots:
    void initTestCase() { QVERIFY(m_server.start()); }

    void answeredCallIsRecordedOnceForBothAndNobodyElse()
    {
        auto alice = online(QStringLiteral("a_alice"));
        auto bob = online(QStringLiteral("a_bob"));
        auto carol = online(QStringLiteral("a_carol"));
        QVERIFY(alice && bob && carol);
        const QString bobSession = bob->session();
        QElapsedTimer lasted;
        lasted.start();
        const quint32 call = invite(*alice, *bob, QStringLiteral("a_bob"),
                                    {QStringLiteral("audio"), QStringLiteral("video")});
        QVERIFY(call != 0);
        bob->sendJson(MessageEncoder::callRequest(QStringLiteral("call_accept"), call));
        QVERIFY(!alice->waitForType(QStringLiteral("call_accept")).isEmpty());
        alice->sendJson(MessageEncoder::callRequest(QStringLiteral("call_hangup"), call));
        QVERIFY(!bob->waitForType(QStringLiteral("call_hangup")).isEmpty());

        // Live, to both: from the caller to the callee, typed, with its English text.
        const QJsonObject forAlice = waitForEntry(*alice);
        const QJsonObject forBob = waitForEntry(*bob);
        const qint64 bound = lasted.elapsed();
        QVERIFY(!forAlice.isEmpty() && !forBob.isEmpty());
        QCOMPARE(forBob, forAlice);
        QCOMPARE(forBob.value(QLatin1String("from")).toString(), QStringLiteral("a_alice"));
        QCOMPARE(forBob.value(QLatin1String("to")).toString(), QStringLiteral("a_bob"));
        QCOMPARE(outcomeOf(forBob), QStringLiteral("answered"));
        const QJsonObject record = forBob.value(QLatin1String("call")).toObject();
        QVERIFY(record.value(QLatin1String("video")).toBool());
        const qint64 duration = record.value(QLatin1String("duration_ms")).toInteger(-1);
        QVERIFY(duration >= 0 && duration <= bound);
        QVERIFY(forBob.value(QLatin1String("content"))
                    .toString()
                    .startsWith(QLatin1String("Video call, ")));
        QVERIFY(forBob.value(QLatin1String("seq")).toInteger() > 0);
        QVERIFY(!forBob.contains(QLatin1String("id"))); // nobody's message: no ack, no outbox

        // Once: nothing more arrives before a later message.
        QVERIFY(drained(*alice, *bob, QStringLiteral("a_bob")));
        QVERIFY(drained(*bob, *alice, QStringLiteral("a_alice")));
        QCOMPARE(alice->all(isCallEntry).size(), 1);
        QCOMPARE(bob->all(isCallEntry).size(), 1);

        // In history, for both; after a reconnect too (the guest resumes its identity).
        QCOMPARE(callEntries(history(*alice, QStringLiteral("a_bob"))),
                 QList<QJsonObject>{forAlice});
        bob.reset();
        bob = online(QStringLiteral("a_bob"), bobSession);
        QVERIFY(bob);
        QCOMPARE(callEntries(history(*bob, QStringLiteral("a_alice"))), QList<QJsonObject>{forBob});
        QCOMPARE(callEntries(history(*bob, QStringLiteral("*"))), QList<QJsonObject>{forBob});

        // carol, online all along, never sees it: not live, not in any history.
        QVERIFY(drained(*alice, *carol, QStringLiteral("a_carol")));
        QVERIFY(carol->all(isCallEntry).isEmpty());
        QVERIFY(callEntries(history(*carol, QStringLiteral("*"))).isEmpty());
        QVERIFY(history(*carol, QStringLiteral("a_alice")).size() == 1); // the marker only
        QVERIFY(history(*carol, QStringLiteral("a_bob")).isEmpty());
        QVERIFY(callEntries(history(*carol, QString())).isEmpty());
    }

    void callThatRingsOutIsMissedForTheCallee()
    {
        auto alice = online(QStringLiteral("r_alice"));
        auto bob = online(QStringLiteral("r_bob"));
        QVERIFY(alice && bob);
        const quint32 call = invite(*alice, *bob, QStringLiteral("r_bob"));
        QVERIFY(call != 0);
        // Nobody answers: the server's ring timeout (--call-ring-seconds 1) ends it.
        QCOMPARE(callOf(bob->waitForType(QStringLiteral("call_timeout"))), call);
        const QJsonObject entry = waitForEntry(*bob);
        QCOMPARE(outcomeOf(entry), QStringLiteral("missed"));
        QCOMPARE(entry.value(QLatin1String("from")).toString(), QStringLiteral("r_alice"));
        QCOMPARE(entry.value(QLatin1String("content")).toString(),
                 QStringLiteral("Missed voice call from r_alice"));
        QVERIFY(
            !entry.value(QLatin1String("call")).toObject().value(QLatin1String("video")).toBool());
        QCOMPARE(outcomeOf(waitForEntry(*alice)), QStringLiteral("missed"));
    }

    void cancelledCallIsMissed()
    {
        auto alice = online(QStringLiteral("c_alice"));
        auto bob = online(QStringLiteral("c_bob"));
        QVERIFY(alice && bob);
        const quint32 call = invite(*alice, *bob, QStringLiteral("c_bob"));
        QVERIFY(call != 0);
        alice->sendJson(MessageEncoder::callRequest(QStringLiteral("call_cancel"), call));
        QVERIFY(!bob->waitForType(QStringLiteral("call_cancel")).isEmpty());
        QCOMPARE(outcomeOf(waitForEntry(*bob)), QStringLiteral("missed"));
        QCOMPARE(outcomeOf(waitForEntry(*alice)), QStringLiteral("missed"));
        QVERIFY(drained(*alice, *bob, QStringLiteral("c_bob")));
        QCOMPARE(bob->all(isCallEntry).size(), 1);
    }

    void declinedCallIsDeclinedForBoth()
    {
        auto alice = online(QStringLiteral("d_alice"));
        auto bob = online(QStringLiteral("d_bob"));
        QVERIFY(alice && bob);
        const quint32 call = invite(*alice, *bob, QStringLiteral("d_bob"),
                                    {QStringLiteral("audio"), QStringLiteral("video")});
        QVERIFY(call != 0);
        bob->sendJson(MessageEncoder::callRequest(QStringLiteral("call_reject"), call));
        QVERIFY(!alice->waitForType(QStringLiteral("call_reject")).isEmpty());
        const QJsonObject forAlice = waitForEntry(*alice);
        QCOMPARE(outcomeOf(forAlice), QStringLiteral("declined"));
        QCOMPARE(forAlice.value(QLatin1String("content")).toString(),
                 QStringLiteral("Video call declined"));
        QCOMPARE(waitForEntry(*bob), forAlice);
        QCOMPARE(callEntries(history(*bob, QStringLiteral("d_alice"))),
                 QList<QJsonObject>{forAlice});
    }

    void calleeBusyOnAnotherCallGetsAMissedCall()
    {
        auto alice = online(QStringLiteral("b_alice"));
        auto bob = online(QStringLiteral("b_bob"));
        auto carol = online(QStringLiteral("b_carol"));
        QVERIFY(alice && bob && carol);
        const quint32 call = invite(*alice, *bob, QStringLiteral("b_bob"));
        QVERIFY(call != 0);
        carol->sendJson(
            MessageEncoder::callRequest(QStringLiteral("call_invite"), 0, QStringLiteral("b_bob")));
        QVERIFY(!carol->waitForType(QStringLiteral("call_busy")).isEmpty());
        const QJsonObject entry = waitForEntry(*bob);
        QCOMPARE(entry.value(QLatin1String("from")).toString(), QStringLiteral("b_carol"));
        QCOMPARE(outcomeOf(entry), QStringLiteral("missed"));
        QVERIFY(alice->all(isCallEntry).isEmpty()); // alice's call goes on
    }

    // A call the server has to end at the answer: bob, a guest, answers while the guests of
    // his address are already in as many calls as they may be (--max-calls-per-address, 2).
    // alice signed in to an account, so her own invite was not counted against the address.
    // Both get the entry, "failed".
    void callRefusedAtTheAnswerIsFailedForBoth()
    {
        ServerProcess server{{QStringLiteral("--registration"), QStringLiteral("open"),
                              QStringLiteral("--max-calls-per-address"), QStringLiteral("2")}};
        QVERIFY(server.start());
        auto guest = [&](const QString &name) {
            auto c = std::make_unique<TestClient>();
            return c->open(server.url()) && c->login(name) ? std::move(c) : nullptr;
        };
        auto g1 = guest(QStringLiteral("f_g1"));
        auto g2 = guest(QStringLiteral("f_g2"));
        auto g3 = guest(QStringLiteral("f_g3"));
        auto g4 = guest(QStringLiteral("f_g4"));
        auto bob = guest(QStringLiteral("f_bob"));
        auto alice = std::make_unique<TestClient>();
        QVERIFY(g1 && g2 && g3 && g4 && bob);
        QVERIFY(alice->open(server.url()));
        QVERIFY2(alice->registerAccount(QStringLiteral("f_alice"), QStringLiteral("alice's pass")),
                 qPrintable(alice->loginError()));
        QVERIFY(invite(*g1, *g2, QStringLiteral("f_g2")) != 0);
        QVERIFY(invite(*g3, *g4, QStringLiteral("f_g4")) != 0);

        const quint32 call = invite(*alice, *bob, QStringLiteral("f_bob"),
                                    {QStringLiteral("audio"), QStringLiteral("video")});
        QVERIFY(call != 0);
        bob->sendJson(MessageEncoder::callRequest(QStringLiteral("call_accept"), call));
        QCOMPARE(bob->waitForType(QStringLiteral("error")).value(QLatin1String("code")).toString(),
                 QStringLiteral("too_many_calls"));
        QCOMPARE(callOf(alice->waitForType(QStringLiteral("call_hangup"))), call);
        const QJsonObject forAlice = waitForEntry(*alice);
        QCOMPARE(outcomeOf(forAlice), QStringLiteral("failed"));
        QCOMPARE(forAlice.value(QLatin1String("content")).toString(),
                 QStringLiteral("Video call from f_alice failed"));
        QCOMPARE(waitForEntry(*bob), forAlice);
        QCOMPARE(callEntries(history(*alice, QStringLiteral("f_bob"))),
                 QList<QJsonObject>{forAlice});
        // The guests' own calls are not touched.
        QVERIFY(g2->all(isCallEntry).isEmpty() && g4->all(isCallEntry).isEmpty());
    }

    // bob's client process is killed (SIGKILL) mid-call: no hang-up, no WebSocket close,
    // just its socket closed by the kernel. The server still records the call, answered, with
    // the time it lasted.
    void memberKilledMidCallStillLeavesTheEntryWithItsDuration()
    {
        auto alice = online(QStringLiteral("k_alice"));
        QVERIFY(alice);
        QProcess bob;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QLatin1String(kChildUrl), m_server.url().toString());
        env.insert(QLatin1String(kChildName), QStringLiteral("k_bob"));
        bob.setProcessEnvironment(env);
        bob.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        bob.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY(!alice->waitForPresence(QStringLiteral("k_bob"), true, 30000).isEmpty());
        QElapsedTimer total;
        total.start();
        alice->sendJson(
            MessageEncoder::callRequest(QStringLiteral("call_invite"), 0, QStringLiteral("k_bob"),
                                        {QStringLiteral("audio")}, QStringLiteral("k")));
        const quint32 call = callOf(alice->waitForType(QStringLiteral("ack")));
        QVERIFY(call != 0);
        QCOMPARE(callOf(alice->waitForType(QStringLiteral("call_accept"))), call);
        QElapsedTimer active; // starts after the server's accept, ends before it sees bob go
        active.start();
        bob.kill();
        QVERIFY(bob.waitForFinished());
        const qint64 atLeast = active.elapsed();
        const QJsonObject hangup = alice->waitForType(QStringLiteral("call_hangup"));
        QCOMPARE(hangup.value(QLatin1String("reason")).toString(), QStringLiteral("disconnected"));
        const QJsonObject entry = waitForEntry(*alice);
        const qint64 atMost = total.elapsed();
        QCOMPARE(outcomeOf(entry), QStringLiteral("answered"));
        // The server's clock counts whole milliseconds: one either way.
        const qint64 duration = entry.value(QLatin1String("call"))
                                    .toObject()
                                    .value(QLatin1String("duration_ms"))
                                    .toInteger(-1);
        QVERIFY2(duration + 1 >= atLeast && duration <= atMost + 1,
                 qPrintable(
                     QStringLiteral("%1 not in [%2, %3]").arg(duration).arg(atLeast).arg(atMost)));
        QCOMPARE(callEntries(history(*alice, QStringLiteral("k_bob"))), QList<QJsonObject>{entry});
    }

    // A version-2 history file (before search and call entries) opened by this server: its
    // messages stay, the call column is added, and call entries are kept in it.
    void versionTwoStoreIsUpgraded()
    {
        ServerProcess server{{QStringLiteral("--call-ring-seconds"), QStringLiteral("1")}};
        {
            QSqlDatabase db =
                QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("v2"));
            db.setDatabaseName(server.databasePath());
            QVERIFY(db.open());
            QSqlQuery q(db);
            const char *schema[] = {
                "CREATE TABLE messages (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL,"
                " sender TEXT NOT NULL, sender_key TEXT NOT NULL, recipient TEXT,"
                " recipient_key TEXT, cid TEXT, content TEXT NOT NULL, mentions TEXT,"
                " sender_id TEXT, recipient_id TEXT)",
                "CREATE TABLE store_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
                "INSERT INTO store_meta (key, value) VALUES ('legacy_max_seq', 0)",
                "CREATE UNIQUE INDEX messages_dedupe ON messages(cid, sender_id)"
                " WHERE cid IS NOT NULL",
                "CREATE INDEX messages_public ON messages(seq) WHERE recipient_key IS NULL",
                "CREATE INDEX messages_private_sender ON messages(sender_id, seq)"
                " WHERE recipient_key IS NOT NULL",
                "CREATE INDEX messages_private_recipient ON messages(recipient_id, seq)"
                " WHERE recipient_key IS NOT NULL",
                "INSERT INTO messages (seq, ts, sender, sender_key, cid, content, sender_id)"
                " VALUES (7, 1795655458483, 'dana', 'dana', 'd-1', 'written on version 2',"
                " 'gdana')",
                "PRAGMA user_version = 2",
            };
            for (const char *sql : schema)
                QVERIFY2(q.exec(QLatin1String(sql)), sql);
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("v2"));
        QVERIFY(server.start());
        {
            TestClient alice, bob;
            QVERIFY(alice.open(server.url()) && alice.login(QStringLiteral("alice")));
            QVERIFY(bob.open(server.url()) && bob.login(QStringLiteral("bob")));
            alice.sendJson(MessageEncoder::historyRequest({}, 0, 0, 50));
            const QJsonArray room = alice.waitForType(QStringLiteral("history"))
                                        .value(QLatin1String("messages"))
                                        .toArray();
            QCOMPARE(room.size(), 1);
            QCOMPARE(room.at(0).toObject().value(QLatin1String("content")).toString(),
                     QStringLiteral("written on version 2"));
            const quint32 call = invite(alice, bob, QStringLiteral("bob"));
            QVERIFY(call != 0);
            bob.sendJson(MessageEncoder::callRequest(QStringLiteral("call_reject"), call));
            QCOMPARE(outcomeOf(waitForEntry(alice)), QStringLiteral("declined"));
            QVERIFY(server.stop());
        }
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("v4"));
        db.setDatabaseName(server.databasePath());
        QVERIFY(db.open());
        {
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("PRAGMA user_version")) && q.next());
            QCOMPARE(q.value(0).toInt(), 10); // the newest schema
            QVERIFY(q.exec(QStringLiteral("SELECT seq, content, call FROM messages ORDER BY seq")));
            QVERIFY(q.next());
            QCOMPARE(q.value(0).toInt(), 7);
            QVERIFY(q.value(2).isNull()); // an old message is no call entry
            QVERIFY(q.next());
            QCOMPARE(q.value(1).toString(), QStringLiteral("Voice call declined"));
            QCOMPARE(q.value(2).toString(),
                     QStringLiteral(R"({"duration_ms":0,"outcome":"declined","video":false})"));
            QVERIFY(!q.next());
        }
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("v4"));
    }
};

// The child process: logs in, accepts the first call, then waits to be killed.
int runChild()
{
    TestClient c;
    if (!c.open(QUrl(qEnvironmentVariable(kChildUrl))) ||
        !c.login(qEnvironmentVariable(kChildName)))
        return 2;
    const quint32 call = callOf(c.waitForType(QStringLiteral("call_invite"), 60000));
    if (call == 0)
        return 3;
    c.sendJson(MessageEncoder::callRequest(QStringLiteral("call_accept"), call));
    return QCoreApplication::exec();
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    if (qEnvironmentVariableIsSet(kChildUrl))
        return runChild();
    TestCallHistory test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "tst_callhistory.moc"
