// The account tables behind a slow database, against a real confab-server on a throwaway
// PostgreSQL cluster: a sign-in or a private message that waits for them holds up nobody
// else, and what one sender wrote while it waited is stored in the order it was written.
// The table is held up the way a long admin transaction or a migration would: another
// connection locks it.
#include "directconnection.h"
#include "postgresprocess.h"
#include "serverprocess.h"
#include "testclient.h"

#include "protocol/messageencoder.h"

#include <QJsonArray>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

#include <memory>

namespace {

const QString kBobPassword = QStringLiteral("bob's fine password");

QString typeOf(const QJsonObject &o)
{
    return o.value(QLatin1String("type")).toString();
}

bool isOwnLoginOrError(const QJsonObject &o)
{
    return (typeOf(o) == QLatin1String("login") && o.value(QLatin1String("self")).toBool()) ||
           o.contains(QLatin1String("code"));
}

// Another client's transaction that holds the account tables until release().
class TableLock
{
public:
    explicit TableLock(const QString &location)
    {
        QSqlDatabase db = openDirectConnection(location, kName);
        if (!db.isOpen()) {
            m_error = db.lastError().text();
            return;
        }
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("BEGIN")) ||
            !q.exec(QStringLiteral("LOCK TABLE accounts, tokens IN ACCESS EXCLUSIVE MODE")))
            m_error = q.lastError().text();
        else
            m_held = true;
    }
    ~TableLock()
    {
        release();
        QSqlDatabase::removeDatabase(kName);
    }
    bool isHeld() const { return m_held; }
    QString error() const { return m_error; }
    void release()
    {
        if (!m_held)
            return;
        QSqlDatabase db = QSqlDatabase::database(kName);
        QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
        db.close();
        m_held = false;
    }

private:
    static inline const QString kName = QStringLiteral("table lock");
    bool m_held = false;
    QString m_error;
};

} // namespace

class TestSlowAccounts : public QObject
{
    Q_OBJECT
private:
    PostgresProcess m_postgres;
    QString m_database;
    std::unique_ptr<ServerProcess> m_server;

    std::unique_ptr<TestClient> guest(const QString &name)
    {
        auto c = std::make_unique<TestClient>();
        if (!c->open(m_server->url()) || !c->login(name))
            return nullptr;
        return c;
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(m_postgres.start(), qPrintable(m_postgres.error()));
        m_database = m_postgres.createDatabase();
        QVERIFY2(!m_database.isEmpty(), qPrintable(m_postgres.error()));
        QStringList args = ServerProcess::unlimited();
        args << QStringLiteral("--database") << m_database << QStringLiteral("--registration")
             << QStringLiteral("open");
        m_server = std::make_unique<ServerProcess>(args);
        QVERIFY2(m_server->start(), qPrintable(m_server->log()));
        TestClient bob;
        QVERIFY(bob.open(m_server->url()));
        QVERIFY2(bob.registerAccount(QStringLiteral("bob"), kBobPassword),
                 qPrintable(bob.loginError()));
    }

    void cleanupTestCase()
    {
        m_server.reset();
        m_postgres.stop();
    }

    // While bob's sign-in waits for the locked tables, alice's messages come and go.
    void aWaitingSignInHoldsUpNobodyElse()
    {
        auto alice = guest(QStringLiteral("alice"));
        QVERIFY(alice);
        TableLock lock(m_database);
        QVERIFY2(lock.isHeld(), qPrintable(lock.error()));

        TestClient bob;
        QVERIFY(bob.open(m_server->url()));
        const QByteArray signIn = MessageEncoder::signInRequest(QStringLiteral("bob"), kBobPassword,
                                                                {}, QStringLiteral("test"));
        bob.sendJson(signIn);
        // The server reads the sign-in first, then alice's messages: they are answered while
        // bob's sign-in still waits (a server that waited for the tables itself would answer
        // them only after bob's sign-in failed with the statement timeout).
        for (int i = 0; i < 3; ++i) {
            const QString text = QStringLiteral("still here %1").arg(i);
            alice->sendChat(text, QStringLiteral("still-%1").arg(i));
            QVERIFY2(!alice->waitForChat(text).isEmpty(), qPrintable(m_server->log()));
            QVERIFY(bob.all(isOwnLoginOrError).isEmpty());
        }

        // Signed in once the tables are free. (A machine so slow that the lookup met the
        // statement timeout meanwhile gets store_failed: then a second try, as a user would.)
        lock.release();
        QJsonObject reply = bob.waitFor(isOwnLoginOrError, 15000);
        if (reply.value(QLatin1String("code")).toString() == QLatin1String("store_failed")) {
            bob.sendJson(signIn);
            reply = bob.waitFor(isOwnLoginOrError, 15000);
        }
        QVERIFY2(typeOf(reply) == QLatin1String("login"),
                 qPrintable(reply.value(QLatin1String("code")).toString()));
        QVERIFY(!alice->waitForPresence(QStringLiteral("bob"), true).isEmpty());
    }

    // A private message to an account that is offline asks the tables whether the name is
    // an account's; what alice sends meanwhile waits behind it, then all of it is stored
    // in the order she wrote it.
    void messagesBehindALookupKeepTheirOrder()
    {
        auto alice = guest(QStringLiteral("alice2"));
        QVERIFY(alice);
        {
            TableLock lock(m_database);
            QVERIFY2(lock.isHeld(), qPrintable(lock.error()));
            alice->sendChat(QStringLiteral("for bob 1"), QStringLiteral("p1"),
                            QStringLiteral("bob"));
            alice->sendChat(QStringLiteral("for the room"), QStringLiteral("r1"));
            alice->sendChat(QStringLiteral("for bob 2"), QStringLiteral("p2"),
                            QStringLiteral("bob"));
        }
        QVERIFY(!alice->waitForChat(QStringLiteral("for bob 2")).isEmpty());

        TestClient bob;
        QVERIFY(bob.open(m_server->url()));
        QVERIFY(bob.signIn(QStringLiteral("bob"), kBobPassword));
        bob.sendJson(MessageEncoder::historyRequest(QStringLiteral("alice2"), 0, 0, 50));
        const QJsonObject page = bob.waitForType(QStringLiteral("history"));
        QStringList texts;
        for (const QJsonValue &v : page.value(QLatin1String("messages")).toArray())
            texts.append(v.toObject().value(QLatin1String("content")).toString());
        QCOMPARE(texts, (QStringList{QStringLiteral("for bob 1"), QStringLiteral("for bob 2")}));

        // Seq follows the order alice wrote in: the room message sits between the two.
        alice->sendJson(MessageEncoder::historyRequest(QStringLiteral("*"), 0, 0, 50));
        QStringList all;
        for (const QJsonValue &v : alice->waitForType(QStringLiteral("history"))
                                       .value(QLatin1String("messages"))
                                       .toArray())
            all.append(v.toObject().value(QLatin1String("content")).toString());
        const qsizetype first = all.indexOf(QStringLiteral("for bob 1"));
        QVERIFY2(first >= 0 && all.mid(first, 3) == (QStringList{QStringLiteral("for bob 1"),
                                                                 QStringLiteral("for the room"),
                                                                 QStringLiteral("for bob 2")}),
                 qPrintable(all.join(QLatin1Char('|'))));
    }
};

QTEST_GUILESS_MAIN(TestSlowAccounts)
#include "tst_slowaccounts.moc"
