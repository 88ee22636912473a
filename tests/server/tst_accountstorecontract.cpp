// The AccountStore contract: every test runs against SqliteAccountStore and
// PostgresAccountStore (initTestCase_data: the column "backend"), including two store
// instances on one database at once (two server processes), and ends with two real
// confab-servers on one PostgreSQL database that know the same accounts. PostgreSQL is a
// throwaway cluster that this program starts once (PostgresProcess); each test gets a new
// database. Without PostgreSQL installed the postgresql rows fail and say so.
#include "accounts/postgresaccountstore.h"
#include "accounts/sqliteaccountstore.h"
#include "directconnection.h"
#include "postgresmessagestore.h"
#include "postgresprocess.h"
#include "protocol/messageencoder.h"
#include "protocol/namerules.h"
#include "serverprocess.h"
#include "sqlitemessagestore.h"
#include "testclient.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <barrier>
#include <memory>

namespace {

const QString kSqlite = QStringLiteral("sqlite");
const QString kPostgres = QStringLiteral("postgresql");
constexpr qint64 kNow = 1795655458483;

Account account(const QString &name, const QString &hash = {})
{
    Account a;
    a.name = name;
    a.nameKey = NameRules::key(name);
    a.skeleton = NameRules::skeleton(name);
    a.passwordHash =
        hash.isEmpty() ? QStringLiteral("$argon2id$v=19$m=65536,t=2,p=1$") + name : hash;
    a.createdMs = kNow;
    return a;
}

QStringList contentsOf(const QJsonArray &messages)
{
    QStringList list;
    for (const QJsonValue &m : messages)
        list << m.toObject().value(QLatin1String("content")).toString();
    return list;
}

} // namespace

class TestAccountStoreContract : public QObject
{
    Q_OBJECT
private:
    PostgresProcess m_postgres;
    bool m_postgresUp = false;
    QTemporaryDir m_files;
    int m_fileCount = 0;
    QString m_why;
    QString m_backend; // this row's (init())

    // A new, empty place for a store of this row's backend: a SQLite file (in WAL mode, as
    // the server's history store leaves it) or a PostgreSQL database. "" (and m_why) when
    // there is none.
    QString newLocation()
    {
        if (m_backend == kSqlite) {
            const QString path = m_files.filePath(QStringLiteral("a%1.sqlite").arg(++m_fileCount));
            SqliteMessageStore history(path, false);
            if (!history.open(&m_why))
                return {};
            return path;
        }
        if (!m_postgresUp) {
            m_why = QStringLiteral("PostgreSQL did not start: ") + m_postgres.error();
            return {};
        }
        const QString url = m_postgres.createDatabase();
        if (url.isEmpty())
            m_why = m_postgres.error();
        return url;
    }

    std::unique_ptr<AccountStore> storeAt(const QString &location, int timeoutMs = 0)
    {
        if (m_backend == kSqlite)
            return std::make_unique<SqliteAccountStore>(location, false);
        const std::optional<PostgresUrl> url = PostgresUrl::parse(location, &m_why);
        if (!url)
            return nullptr;
        return std::make_unique<PostgresAccountStore>(
            *url, timeoutMs > 0 ? timeoutMs : PostgresAccountStore::kDefaultStatementTimeoutMs);
    }

    // A store opened at `location`: nullptr (and m_why) on failure.
    std::unique_ptr<AccountStore> openAt(const QString &location, int timeoutMs = 0)
    {
        std::unique_ptr<AccountStore> store = storeAt(location, timeoutMs);
        if (!store || !store->open(&m_why))
            return nullptr;
        return store;
    }

    std::unique_ptr<AccountStore> openNew(QString *location = nullptr)
    {
        const QString where = newLocation();
        if (where.isEmpty())
            return nullptr;
        if (location)
            *location = where;
        return openAt(where);
    }

    // A direct connection to a test database, for what the store does not show.
    static QSqlDatabase connectTo(const QString &location, const QString &name)
    {
        return openDirectConnection(location, name);
    }

    // Runs `body` on a thread of its own with a store of its own at `location`, as another
    // server process would (a store's connection belongs to the thread that opened it).
    QThread *onThread(const QString &location, const std::function<void(AccountStore *store)> &body)
    {
        // Made here: the PostgreSQL URL parse and m_backend are read on this thread only.
        std::shared_ptr<AccountStore> store(storeAt(location).release());
        QThread *thread = QThread::create([store, body]() mutable {
            QString why;
            if (!store->open(&why)) {
                qWarning("cannot open the store: %s", qPrintable(why));
                body(nullptr);
            } else {
                body(store.get());
            }
            store.reset(); // closed on the thread that opened it
        });
        return thread;
    }

private slots:
    void initTestCase_data()
    {
        QTest::addColumn<QString>("backend");
        QTest::newRow("sqlite") << kSqlite;
        QTest::newRow("postgresql") << kPostgres;
    }

    void initTestCase()
    {
        QVERIFY(m_files.isValid());
        m_postgresUp = m_postgres.start();
        if (!m_postgresUp)
            qWarning("PostgreSQL: %s", qPrintable(m_postgres.error()));
    }

    void init()
    {
        QFETCH_GLOBAL(QString, backend);
        m_backend = backend;
        m_why.clear();
    }

    void cleanupTestCase() { QVERIFY2(m_postgres.stop(), qPrintable(m_postgres.error())); }

    void accountsAreFoundByKeyIdAndSkeleton()
    {
        const auto store = openNew();
        QVERIFY2(store, qPrintable(m_why));
        QCOMPARE(store->accountCount(), 0);
        QVERIFY(!store->findByKey(NameRules::key(QStringLiteral("alice"))));
        QVERIFY2(store->lastError().isEmpty(), qPrintable(store->lastError())); // not a failure

        Account alice = account(QStringLiteral("Alice"));
        alice.admin = true;
        const qint64 aliceId = store->createAccount(alice);
        QVERIFY2(aliceId > 0, qPrintable(store->lastError()));
        const qint64 zoeId = store->createAccount(account(QStringLiteral("Zo\u00EB")));
        const qint64 bobId = store->createAccount(account(QStringLiteral("bob")));
        QVERIFY(zoeId > 0 && bobId > 0);
        QVERIFY(aliceId != zoeId && zoeId != bobId && aliceId != bobId);
        QCOMPARE(store->accountCount(), 3);

        const std::optional<Account> byKey = store->findByKey(QStringLiteral("alice"));
        QVERIFY(byKey);
        QCOMPARE(byKey->id, aliceId);
        QCOMPARE(byKey->name, QStringLiteral("Alice"));
        QCOMPARE(byKey->nameKey, alice.nameKey);
        QCOMPARE(byKey->skeleton, alice.skeleton);
        QCOMPARE(byKey->passwordHash, alice.passwordHash);
        QVERIFY(byKey->admin);
        QVERIFY(!byKey->disabled);
        QCOMPARE(byKey->createdMs, kNow);

        const std::optional<Account> byId = store->findById(zoeId);
        QVERIFY(byId);
        QCOMPARE(byId->name, QStringLiteral("Zo\u00EB"));
        QVERIFY(!byId->admin);
        QVERIFY(!store->findById(zoeId + bobId + aliceId));

        // A look-alike finds the account whose skeleton it shares.
        const std::optional<Account> lookAlike =
            store->findBySkeleton(NameRules::skeleton(QStringLiteral("a1ice")));
        QVERIFY(lookAlike);
        QCOMPARE(lookAlike->id, aliceId);
        QVERIFY(!store->findBySkeleton(NameRules::skeleton(QStringLiteral("carol"))));

        // All of them, by name key (code point order).
        QStringList keys;
        for (const Account &a : store->accounts())
            keys << a.nameKey;
        QCOMPARE(keys, (QStringList{QStringLiteral("alice"), QStringLiteral("bob"),
                                    NameRules::key(QStringLiteral("Zo\u00EB"))}));
        QVERIFY(store->lastError().isEmpty());
    }

    void aNameIsRegisteredOnce()
    {
        const auto store = openNew();
        QVERIFY2(store, qPrintable(m_why));
        QVERIFY(store->createAccount(account(QStringLiteral("alice"))) > 0);
        // The same key in another spelling: refused, and that is not a store failure.
        QCOMPARE(store->createAccount(account(QStringLiteral("ALICE"))), qint64(0));
        QVERIFY2(store->lastError().isEmpty(), qPrintable(store->lastError()));
        QCOMPARE(store->accountCount(), 1);
        QCOMPARE(store->findByKey(QStringLiteral("alice"))->name, QStringLiteral("alice"));
    }

    void passwordHashComesBackAsItWent()
    {
        const auto store = openNew();
        QVERIFY2(store, qPrintable(m_why));
        // What an Argon2id string holds, and what would break SQL pasted together.
        const QString hash = QStringLiteral(
            "$argon2id$v=19$m=65536,t=3,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG");
        const qint64 id = store->createAccount(account(QStringLiteral("alice"), hash));
        QVERIFY(id > 0);
        QCOMPARE(store->findById(id)->passwordHash, hash);
        const QString odd =
            QStringLiteral("it's \"quoted\" \\ $1 ; DROP TABLE accounts; -- \u00E9");
        QVERIFY2(store->setPasswordHash(id, odd), qPrintable(store->lastError()));
        QCOMPARE(store->findById(id)->passwordHash, odd);
        QCOMPARE(store->findByKey(QStringLiteral("alice"))->passwordHash, odd);
        QVERIFY(!store->setPasswordHash(id + 1000, hash));
        QCOMPARE(store->accountCount(), 1);
    }

    void deviceTokens()
    {
        const auto store = openNew();
        QVERIFY2(store, qPrintable(m_why));
        const qint64 alice = store->createAccount(account(QStringLiteral("alice")));
        const qint64 bob = store->createAccount(account(QStringLiteral("bob")));
        QVERIFY(alice > 0 && bob > 0);
        const qint64 laptop = store->addToken(alice, QStringLiteral("h-laptop"),
                                              QStringLiteral("laptop \u00E9"), kNow);
        const qint64 phone =
            store->addToken(alice, QStringLiteral("h-phone"), QStringLiteral("phone"), kNow + 1);
        const qint64 tablet =
            store->addToken(alice, QStringLiteral("h-tablet"), QStringLiteral("tablet"), kNow + 2);
        const qint64 bobs =
            store->addToken(bob, QStringLiteral("h-bob"), QStringLiteral("bob's"), kNow);
        QVERIFY2(laptop > 0 && phone > 0 && tablet > 0 && bobs > 0, qPrintable(store->lastError()));
        // A token hash belongs to one token; an account that is not there has none.
        QCOMPARE(store->addToken(bob, QStringLiteral("h-laptop"), QStringLiteral("x"), kNow),
                 qint64(0));
        QCOMPARE(
            store->addToken(bob + alice + 100, QStringLiteral("h-none"), QStringLiteral("x"), kNow),
            qint64(0));

        std::optional<DeviceToken> found = store->findToken(QStringLiteral("h-laptop"));
        QVERIFY(found);
        QCOMPARE(found->id, laptop);
        QCOMPARE(found->accountId, alice);
        QCOMPARE(found->label, QStringLiteral("laptop \u00E9"));
        QCOMPARE(found->createdMs, kNow);
        QCOMPARE(found->lastUsedMs, kNow);
        QVERIFY(!store->findToken(QStringLiteral("h-unknown")));
        QVERIFY(store->lastError().isEmpty());

        // Touching moves it to the front of the list (most recently used first).
        QVERIFY(store->touchToken(laptop, kNow + 10));
        found = store->findToken(QStringLiteral("h-laptop"));
        QCOMPARE(found->createdMs, kNow);
        QCOMPARE(found->lastUsedMs, kNow + 10);
        QList<qint64> ids;
        for (const DeviceToken &t : store->tokens(alice))
            ids << t.id;
        QCOMPARE(ids, (QList<qint64>{laptop, tablet, phone}));

        // Revoking one, then all but one; each with an event, and only alice's.
        const qint64 before = store->lastEventId();
        QCOMPARE(store->revokeTokens(alice, phone, 0, kNow + 20), QList<qint64>{phone});
        QVERIFY(!store->findToken(QStringLiteral("h-phone")));
        QCOMPARE(store->revokeTokens(alice, phone, 0, kNow + 20), QList<qint64>{});
        QCOMPARE(store->revokeTokens(alice, bobs, 0, kNow + 20), QList<qint64>{}); // not hers
        QCOMPARE(store->revokeTokens(alice, 0, laptop, kNow + 21), QList<qint64>{tablet});
        QVERIFY(store->findToken(QStringLiteral("h-laptop")));
        QVERIFY(store->findToken(QStringLiteral("h-bob")));
        const QList<AccountEvent> events = store->eventsAfter(before, 10);
        QCOMPARE(events.size(), 2);
        QCOMPARE(events.at(0).kind, AccountEvent::Kind::TokenRevoked);
        QCOMPARE(events.at(0).accountId, alice);
        QCOMPARE(events.at(0).tokenId, phone);
        QCOMPARE(events.at(1).tokenId, tablet);
        QVERIFY(events.at(1).id > events.at(0).id);
        QCOMPARE(store->lastEventId(), events.at(1).id);

        // Expiry: tokens unused since then go, without events.
        QCOMPARE(store->expireTokens(kNow + 5), 1); // bob's (laptop was used at +10)
        QVERIFY(!store->findToken(QStringLiteral("h-bob")));
        QCOMPARE(store->tokens(alice).size(), 1);
        QCOMPARE(store->expireTokens(kNow + 5), 0);
        QCOMPARE(store->lastEventId(), events.at(1).id);
        QCOMPARE(store->revokeTokens(alice, 0, 0, kNow + 30), QList<qint64>{laptop});
        QVERIFY(store->tokens(alice).isEmpty());
        QVERIFY(store->lastError().isEmpty());
    }

    void invites()
    {
        const auto store = openNew();
        QVERIFY2(store, qPrintable(m_why));
        const qint64 admin = store->createAccount(account(QStringLiteral("admin")));
        QVERIFY(store->addInvite(QStringLiteral("i-two"), admin, kNow, kNow + 1000, 2));
        QVERIFY(store->addInvite(QStringLiteral("i-cli"), 0, kNow, kNow + 1000, 1)); // admin cmd
        QVERIFY(!store->addInvite(QStringLiteral("i-two"), admin, kNow, kNow + 1000, 5));

        QVERIFY(store->inviteUsable(QStringLiteral("i-two"), kNow));
        QVERIFY(store->consumeInvite(QStringLiteral("i-two"), kNow));
        QVERIFY(store->inviteUsable(QStringLiteral("i-two"), kNow));
        QVERIFY(store->consumeInvite(QStringLiteral("i-two"), kNow));
        QVERIFY(!store->inviteUsable(QStringLiteral("i-two"), kNow)); // used up
        QVERIFY(!store->consumeInvite(QStringLiteral("i-two"), kNow));

        QVERIFY(!store->inviteUsable(QStringLiteral("i-cli"), kNow + 1000)); // expired
        QVERIFY(!store->consumeInvite(QStringLiteral("i-cli"), kNow + 1000));
        QVERIFY(store->consumeInvite(QStringLiteral("i-cli"), kNow + 999));

        QVERIFY(!store->inviteUsable(QStringLiteral("i-unknown"), kNow));
        QVERIFY(!store->consumeInvite(QStringLiteral("i-unknown"), kNow));
        QVERIFY(store->lastError().isEmpty());
    }

    void disabling()
    {
        const auto store = openNew();
        QVERIFY2(store, qPrintable(m_why));
        const qint64 alice = store->createAccount(account(QStringLiteral("alice")));
        const qint64 before = store->lastEventId();
        QVERIFY(store->setDisabled(alice, true, kNow));
        QVERIFY(store->findById(alice)->disabled);
        QVERIFY(store->findByKey(QStringLiteral("alice"))->disabled);
        QList<AccountEvent> events = store->eventsAfter(before, 10);
        QCOMPARE(events.size(), 1);
        QCOMPARE(events.at(0).kind, AccountEvent::Kind::AccountDisabled);
        QCOMPARE(events.at(0).accountId, alice);
        // Enabling again records nothing: there is no session to end.
        QVERIFY(store->setDisabled(alice, false, kNow + 1));
        QVERIFY(!store->findById(alice)->disabled);
        QCOMPARE(store->eventsAfter(before, 10).size(), 1);
        // An account that is not there: false, and no event.
        QVERIFY(!store->setDisabled(alice + 100, true, kNow));
        QCOMPARE(store->eventsAfter(before, 10).size(), 1);
    }

    void guestSessions()
    {
        const auto store = openNew();
        QVERIFY2(store, qPrintable(m_why));
        QVERIFY(store->saveGuestSession(QStringLiteral("s1"), QStringLiteral("g1"),
                                        QStringLiteral("gus"), kNow + 1000));
        QVERIFY(store->saveGuestSession(QStringLiteral("s2"), QStringLiteral("g2"),
                                        QStringLiteral("gail"), kNow + 1000));
        QVERIFY(store->saveGuestSession(QStringLiteral("s3"), QStringLiteral("g3"),
                                        QStringLiteral("gil"), kNow + 10));
        // Saved again (a new login with the same token): the last one counts.
        QVERIFY(store->saveGuestSession(QStringLiteral("s2"), QStringLiteral("g2b"),
                                        QStringLiteral("gail"), kNow + 1000));

        // Once, with its name, before it expires.
        QCOMPARE(store->takeGuestSession(QStringLiteral("s1"), QStringLiteral("gus"), kNow),
                 QStringLiteral("g1"));
        QCOMPARE(store->takeGuestSession(QStringLiteral("s1"), QStringLiteral("gus"), kNow),
                 QString());
        // With another name it gives nothing, and is gone (a token is tried once).
        QCOMPARE(store->takeGuestSession(QStringLiteral("s2"), QStringLiteral("gus"), kNow),
                 QString());
        QCOMPARE(store->takeGuestSession(QStringLiteral("s2"), QStringLiteral("gail"), kNow),
                 QString());
        QCOMPARE(store->takeGuestSession(QStringLiteral("s3"), QStringLiteral("gil"), kNow + 10),
                 QString()); // expired
        QCOMPARE(store->takeGuestSession(QStringLiteral("none"), QStringLiteral("gil"), kNow),
                 QString());

        QVERIFY(store->saveGuestSession(QStringLiteral("s4"), QStringLiteral("g4"),
                                        QStringLiteral("gia"), kNow + 10));
        QVERIFY(store->saveGuestSession(QStringLiteral("s5"), QStringLiteral("g5"),
                                        QStringLiteral("gina"), kNow + 1000));
        store->pruneGuestSessions(kNow + 10);
        QCOMPARE(store->takeGuestSession(QStringLiteral("s4"), QStringLiteral("gia"), kNow),
                 QString());
        QCOMPARE(store->takeGuestSession(QStringLiteral("s5"), QStringLiteral("gina"), kNow),
                 QStringLiteral("g5"));
        QVERIFY(store->lastError().isEmpty());
    }

    void eventsArePagedAndPruned()
    {
        const auto store = openNew();
        QVERIFY2(store, qPrintable(m_why));
        QCOMPARE(store->lastEventId(), qint64(0));
        QVERIFY(store->eventsAfter(0, 10).isEmpty());
        const qint64 alice = store->createAccount(account(QStringLiteral("alice")));
        for (int i = 0; i < 5; ++i)
            QVERIFY(store->addToken(alice, QStringLiteral("t%1").arg(i), QStringLiteral("d"),
                                    kNow) > 0);
        QCOMPARE(store->revokeTokens(alice, 0, 0, kNow).size(), 5); // events at kNow
        QVERIFY(store->setDisabled(alice, true, kNow + 100));
        const QList<AccountEvent> first = store->eventsAfter(0, 4);
        QCOMPARE(first.size(), 4);
        const QList<AccountEvent> rest = store->eventsAfter(first.last().id, 4);
        QCOMPARE(rest.size(), 2);
        QCOMPARE(rest.last().kind, AccountEvent::Kind::AccountDisabled);
        QCOMPARE(store->lastEventId(), rest.last().id);
        store->pruneEvents(kNow + 1);
        const QList<AccountEvent> left = store->eventsAfter(0, 10);
        QCOMPARE(left.size(), 1);
        QCOMPARE(left.at(0).id, rest.last().id);
        QVERIFY(store->lastError().isEmpty());
    }

    // Two stores on one database, one after the other: what one writes, the other finds, as
    // two server processes on one database must.
    void twoStoresShareOneDatabase()
    {
        QString location;
        const auto a = openNew(&location);
        QVERIFY2(a, qPrintable(m_why));
        const auto b = openAt(location);
        QVERIFY2(b, qPrintable(m_why));

        const qint64 alice = a->createAccount(account(QStringLiteral("alice")));
        QVERIFY(alice > 0);
        QCOMPARE(b->findByKey(QStringLiteral("alice"))->id, alice);
        QCOMPARE(b->createAccount(account(QStringLiteral("Alice"))), qint64(0));
        QVERIFY(b->lastError().isEmpty());
        // Ids are the database's: b's next account does not get alice's id ("a<id>" is the
        // identity that private history belongs to).
        const qint64 bob = b->createAccount(account(QStringLiteral("bob")));
        QVERIFY(bob > 0 && bob != alice);
        QCOMPARE(a->findById(bob)->name, QStringLiteral("bob"));

        const qint64 token = a->addToken(alice, QStringLiteral("h-a"), QStringLiteral("d"), kNow);
        QCOMPARE(b->findToken(QStringLiteral("h-a"))->id, token);
        const qint64 seen = b->lastEventId();
        QCOMPARE(a->revokeTokens(alice, token, 0, kNow), QList<qint64>{token});
        const QList<AccountEvent> events = b->eventsAfter(seen, 10);
        QCOMPARE(events.size(), 1);
        QCOMPARE(events.at(0).tokenId, token);

        QVERIFY(a->saveGuestSession(QStringLiteral("s"), QStringLiteral("g7"),
                                    QStringLiteral("gus"), kNow + 1000));
        QCOMPARE(b->takeGuestSession(QStringLiteral("s"), QStringLiteral("gus"), kNow),
                 QStringLiteral("g7"));
        QCOMPARE(a->takeGuestSession(QStringLiteral("s"), QStringLiteral("gus"), kNow), QString());

        QVERIFY(a->addInvite(QStringLiteral("i"), alice, kNow, kNow + 1000, 1));
        QVERIFY(b->consumeInvite(QStringLiteral("i"), kNow));
        QVERIFY(!a->consumeInvite(QStringLiteral("i"), kNow));
        QVERIFY(b->setDisabled(alice, true, kNow));
        QVERIFY(a->findByKey(QStringLiteral("alice"))->disabled);
    }

    // Two "processes" (stores on threads of their own) register the same names at the same
    // moment: each name goes to one of them, and the other gets "taken" (0, no error), which
    // the server answers name_registered. Their invite's last use and a guest session too.
    void theSameNameAtOnceGoesToOne()
    {
        QString location;
        const auto setup = openNew(&location);
        QVERIFY2(setup, qPrintable(m_why));
        constexpr int kNames = 40;
        for (int i = 0; i < kNames; ++i) {
            QVERIFY(setup->addInvite(QStringLiteral("inv%1").arg(i), 0, kNow, kNow + 1000, 1));
            QVERIFY(setup->saveGuestSession(QStringLiteral("s%1").arg(i),
                                            QStringLiteral("g%1").arg(i), QStringLiteral("gus"),
                                            kNow + 1000));
        }
        struct Result
        {
            qint64 id = 0;
            QString error;
            bool invite = false;
            QString guest;
        };
        std::vector<Result> results[2];
        std::barrier sync(2);
        std::atomic<bool> opened[2] = {false, false};
        QThread *threads[2];
        for (int t = 0; t < 2; ++t) {
            results[t].resize(kNames);
            threads[t] = onThread(location, [&, t](AccountStore *store) {
                opened[t] = store != nullptr;
                for (int i = 0; i < kNames; ++i) {
                    sync.arrive_and_wait();
                    if (!store)
                        continue;
                    Result &r = results[t][i];
                    // Two spellings of one name (one key).
                    r.id = store->createAccount(account(
                        (t == 0 ? QStringLiteral("racer%1") : QStringLiteral("RACER%1")).arg(i)));
                    r.error = store->lastError();
                    sync.arrive_and_wait();
                    r.invite = store->consumeInvite(QStringLiteral("inv%1").arg(i), kNow);
                    sync.arrive_and_wait();
                    r.guest = store->takeGuestSession(QStringLiteral("s%1").arg(i),
                                                      QStringLiteral("gus"), kNow);
                }
            });
            threads[t]->start();
        }
        for (QThread *thread : threads) {
            QVERIFY(thread->wait(120000));
            delete thread;
        }
        QVERIFY(opened[0] && opened[1]);
        for (int i = 0; i < kNames; ++i) {
            const Result &r0 = results[0][i];
            const Result &r1 = results[1][i];
            QVERIFY2(r0.error.isEmpty() && r1.error.isEmpty(),
                     qPrintable(r0.error + QLatin1Char(' ') + r1.error));
            QVERIFY2((r0.id > 0) != (r1.id > 0), qPrintable(QString::number(i)));
            QVERIFY(r0.invite != r1.invite);
            // SQLite reads and then deletes a guest session: one server process, one thread.
            if (m_backend == kPostgres) {
                QVERIFY(r0.guest.isEmpty() != r1.guest.isEmpty());
                QCOMPARE(r0.guest + r1.guest, QStringLiteral("g%1").arg(i));
            }
        }
        QCOMPARE(setup->accountCount(), kNames);
    }

    // Two look-alike names (one skeleton, two keys) at the same moment: the PostgreSQL store
    // lets one in. (In SQLite one server process registers one after the other, and
    // AccountService's own check refuses the second.)
    void lookAlikesAtOnceGoToOne()
    {
        if (m_backend == kSqlite)
            QSKIP("one process: AccountService checks look-alikes before it creates");
        QString location;
        const auto setup = openNew(&location);
        QVERIFY2(setup, qPrintable(m_why));
        constexpr int kNames = 40;
        qint64 ids[2][kNames] = {};
        std::barrier sync(2);
        QThread *threads[2];
        for (int t = 0; t < 2; ++t) {
            threads[t] = onThread(location, [&, t](AccountStore *store) {
                for (int i = 0; i < kNames; ++i) {
                    sync.arrive_and_wait();
                    if (!store)
                        continue;
                    Account a = account(QStringLiteral("look%1x%2").arg(t).arg(i));
                    a.skeleton = QStringLiteral("skeleton%1").arg(i);
                    ids[t][i] = store->createAccount(a);
                }
            });
            threads[t]->start();
        }
        for (QThread *thread : threads) {
            QVERIFY(thread->wait(120000));
            delete thread;
        }
        for (int i = 0; i < kNames; ++i)
            QVERIFY2((ids[0][i] > 0) != (ids[1][i] > 0), qPrintable(QString::number(i)));
        QCOMPARE(setup->accountCount(), kNames);
    }

    void reopenKeepsData()
    {
        QString location;
        qint64 alice = 0;
        qint64 token = 0;
        qint64 lastEvent = 0;
        {
            const auto store = openNew(&location);
            QVERIFY2(store, qPrintable(m_why));
            alice = store->createAccount(account(QStringLiteral("alice")));
            token = store->addToken(alice, QStringLiteral("h"), QStringLiteral("laptop"), kNow);
            QVERIFY(store->addToken(alice, QStringLiteral("h2"), QStringLiteral("old"), kNow));
            QVERIFY(store->addInvite(QStringLiteral("i"), alice, kNow, kNow + 1000, 3));
            QVERIFY(store->saveGuestSession(QStringLiteral("s"), QStringLiteral("g1"),
                                            QStringLiteral("gus"), kNow + 1000));
            QCOMPARE(store->revokeTokens(alice, 0, token, kNow).size(), 1);
            lastEvent = store->lastEventId();
            QVERIFY(lastEvent > 0);
        }
        const auto store = openAt(location);
        QVERIFY2(store, qPrintable(m_why));
        QCOMPARE(store->findByKey(QStringLiteral("alice"))->id, alice);
        QCOMPARE(store->findToken(QStringLiteral("h"))->id, token);
        QVERIFY(!store->findToken(QStringLiteral("h2")));
        QVERIFY(store->inviteUsable(QStringLiteral("i"), kNow));
        QCOMPARE(store->takeGuestSession(QStringLiteral("s"), QStringLiteral("gus"), kNow),
                 QStringLiteral("g1"));
        QCOMPARE(store->lastEventId(), lastEvent);
        // Ids go on from there.
        const qint64 bob = store->createAccount(account(QStringLiteral("bob")));
        QVERIFY(bob > alice);
        QVERIFY(store->addToken(bob, QStringLiteral("h3"), QStringLiteral("x"), kNow) > token);
    }

    // The account tables have a version of their own (account_schema_version), beside the
    // history's (schema_version): either store upgrades its tables without the other.
    void schemaVersion()
    {
        if (m_backend == kSqlite)
            QSKIP("the SQLite account tables are created with IF NOT EXISTS, unversioned");
        QString location;
        const auto store = openNew(&location);
        QVERIFY2(store, qPrintable(m_why));
        const std::optional<PostgresUrl> url = PostgresUrl::parse(location, nullptr);
        QVERIFY(url);
        PostgresMessageStore history(*url);
        QVERIFY2(history.open(&m_why), qPrintable(m_why));
        // Opening again changes nothing.
        QVERIFY2(openAt(location), qPrintable(m_why));
        {
            QSqlDatabase db = connectTo(location, QStringLiteral("schema"));
            QVERIFY2(db.isOpen(), qPrintable(db.lastError().text()));
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("SELECT version FROM account_schema_version")));
            QVERIFY(q.next());
            QCOMPARE(q.value(0).toInt(), PostgresAccountStore::schemaVersion());
            QVERIFY(!q.next());
            QVERIFY(q.exec(QStringLiteral("SELECT max(version) FROM schema_version")));
            QVERIFY(q.next());
            QCOMPARE(q.value(0).toInt(), PostgresMessageStore::schemaVersion());
            // A newer server has been here: this one refuses the tables, and says why.
            QVERIFY(
                q.exec(QStringLiteral("INSERT INTO account_schema_version (version) VALUES (%1)")
                           .arg(PostgresAccountStore::schemaVersion() + 1)));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("schema"));
        QVERIFY(!openAt(location));
        QVERIFY2(m_why.contains(QLatin1String("upgrade confab-server")), qPrintable(m_why));
        QVERIFY(!m_why.contains(m_postgres.password()));
        // The history's own version is not in the way of the history.
        PostgresMessageStore again(*url);
        QVERIFY2(again.open(&m_why), qPrintable(m_why));
    }

    // The database restarts under a running store: the next call connects again, and no
    // error on the way says the password.
    void storeConnectsAgainAfterADatabaseRestart()
    {
        if (m_backend == kSqlite)
            QSKIP("a file does not restart");
        const auto store = openNew();
        QVERIFY2(store, qPrintable(m_why));
        const qint64 alice = store->createAccount(account(QStringLiteral("alice")));
        QVERIFY(alice > 0);
        QVERIFY2(m_postgres.stop(), qPrintable(m_postgres.error()));
        QVERIFY(!store->findByKey(QStringLiteral("alice")));
        QVERIFY(!store->lastError().isEmpty());
        QVERIFY2(!store->lastError().contains(m_postgres.password()),
                 qPrintable(store->lastError()));
        QCOMPARE(store->createAccount(account(QStringLiteral("bob"))), qint64(0));
        QVERIFY(!store->lastError().isEmpty()); // a failure, not "taken"
        QVERIFY2(m_postgres.start(), qPrintable(m_postgres.error()));
        // Within the pause between connection attempts, then after it.
        QVERIFY(QTest::qWaitFor(
            [&] { return store->findByKey(QStringLiteral("alice")).has_value(); }, 10000));
        QVERIFY(store->lastError().isEmpty());
        // A restart while the connection is idle: found out by the call, which is tried again
        // at once on a new connection.
        QVERIFY2(m_postgres.stop(), qPrintable(m_postgres.error()));
        QVERIFY2(m_postgres.start(), qPrintable(m_postgres.error()));
        QVERIFY2(store->createAccount(account(QStringLiteral("bob"))) > 0,
                 qPrintable(store->lastError()));
        QCOMPARE(store->accountCount(), 2);
    }

    // A call stuck behind someone else's lock fails after the statement timeout, instead of
    // holding the relay's thread.
    void aCallIsBoundedByTheStatementTimeout()
    {
        if (m_backend == kSqlite)
            QSKIP("SQLite's bound is its busy timeout");
        QString location;
        const auto setup = openNew(&location);
        QVERIFY2(setup, qPrintable(m_why));
        const auto store = openAt(location, 300);
        QVERIFY2(store, qPrintable(m_why));
        {
            QSqlDatabase db = connectTo(location, QStringLiteral("lock"));
            QVERIFY2(db.isOpen(), qPrintable(db.lastError().text()));
            QSqlQuery lock(db);
            QVERIFY(lock.exec(QStringLiteral("BEGIN")));
            QVERIFY(lock.exec(QStringLiteral("LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE")));
            QElapsedTimer timer;
            timer.start();
            QVERIFY(!store->findByKey(QStringLiteral("alice")));
            QVERIFY2(store->lastError().contains(QLatin1String("timeout")),
                     qPrintable(store->lastError()));
            QVERIFY2(timer.elapsed() < 3000, qPrintable(QString::number(timer.elapsed())));
            QVERIFY(lock.exec(QStringLiteral("ROLLBACK")));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("lock"));
        // The connection is still good.
        QVERIFY(store->createAccount(account(QStringLiteral("alice"))) > 0);
        QVERIFY(store->findByKey(QStringLiteral("alice")));
    }

    void openFailsWithoutThePassword()
    {
        if (m_backend == kSqlite)
            QSKIP("a file path has no password");
        const QString location = newLocation();
        QVERIFY2(!location.isEmpty(), qPrintable(m_why));
        std::optional<PostgresUrl> url = PostgresUrl::parse(location, nullptr);
        QVERIFY(url);
        url->password = QStringLiteral("not-the-Pa55word");
        PostgresAccountStore store(*url);
        QString why;
        QVERIFY(!store.open(&why));
        QVERIFY2(why.contains(url->display()), qPrintable(why));
        QVERIFY2(!why.contains(url->password) && !why.contains(m_postgres.password()),
                 qPrintable(why));
        // Calls on a store that never opened fail, and say so.
        QVERIFY(!store.findByKey(QStringLiteral("alice")));
        QVERIFY(!store.lastError().isEmpty());
    }

    // Two real servers on one PostgreSQL database know the same accounts: an account made on
    // one signs in on the other as the same identity, so its private history is there, and a
    // new account on the other node never gets an identity (and history) that is someone
    // else's. The admin command works on that database too, and a guest who comes back on the
    // other node keeps its private history.
    void serversOnOneDatabaseShareAccounts()
    {
        if (m_backend == kSqlite)
            QSKIP("a SQLite file belongs to one server process");
        const QString url = newLocation();
        QVERIFY2(!url.isEmpty(), qPrintable(m_why));
        QStringList args = ServerProcess::unlimited();
        args << QStringLiteral("--database") << url << QStringLiteral("--registration")
             << QStringLiteral("open");
        ServerProcess nodeA(args);
        ServerProcess nodeB(args);
        QVERIFY2(nodeA.start(), qPrintable(nodeA.log()));
        QVERIFY2(nodeB.start(), qPrintable(nodeB.log()));
        const QString alicePassword = QStringLiteral("alice's password");
        const QString bobPassword = QStringLiteral("bob's password");
        QString gusSession;
        QString aliceToken;
        {
            TestClient alice, bob, gus;
            QVERIFY(alice.open(nodeA.url()) &&
                    alice.registerAccount(QStringLiteral("alice"), alicePassword));
            QVERIFY(bob.open(nodeA.url()) &&
                    bob.registerAccount(QStringLiteral("bob"), bobPassword));
            QVERIFY(gus.open(nodeA.url()) && gus.login(QStringLiteral("gus")));
            gusSession = gus.session();
            aliceToken = alice.token();
            QVERIFY(!aliceToken.isEmpty());
            alice.sendChat(QStringLiteral("for bob only"), QStringLiteral("p-1"),
                           QStringLiteral("bob"));
            QVERIFY(!bob.waitForChat(QStringLiteral("for bob only")).isEmpty());
            gus.sendChat(QStringLiteral("gus to alice"), QStringLiteral("g-1"),
                         QStringLiteral("alice"));
            QVERIFY(!alice.waitForChat(QStringLiteral("gus to alice")).isEmpty());
            gus.sendJson(R"({"type":"logout"})");
            QVERIFY(gus.waitForDisconnected());
        }

        // Node B: carol is new there. With an account file per node she would have been
        // account 1 there, alice's identity, and read alice's private history.
        TestClient carol;
        QVERIFY(carol.open(nodeB.url()) &&
                carol.registerAccount(QStringLiteral("carol"), QStringLiteral("carol's password")));
        const QStringList carolSees = contentsOf(carol.history(QStringLiteral("*")));
        QVERIFY2(!carolSees.contains(QStringLiteral("for bob only")) &&
                     !carolSees.contains(QStringLiteral("gus to alice")),
                 qPrintable(carolSees.join(QLatin1Char('|'))));
        QVERIFY(contentsOf(carol.history(QStringLiteral("alice"))).isEmpty());
        QVERIFY(contentsOf(carol.history(QStringLiteral("bob"))).isEmpty());

        // The names are taken on every node (while their owners are offline there).
        TestClient thief;
        QVERIFY(thief.open(nodeB.url()));
        QVERIFY(!thief.registerAccount(QStringLiteral("alice"), QStringLiteral("stolen password")));
        QCOMPARE(thief.loginError(), QStringLiteral("name_registered"));
        QVERIFY(!thief.login(QStringLiteral("Bob")));
        QCOMPARE(thief.loginError(), QStringLiteral("name_registered"));

        // bob signs in on node B with the password he registered on node A: his history.
        TestClient bob;
        QVERIFY2(bob.open(nodeB.url()) && bob.signIn(QStringLiteral("bob"), bobPassword),
                 qPrintable(bob.loginError() + nodeB.log()));
        QCOMPARE(contentsOf(bob.history(QStringLiteral("alice"))),
                 QStringList{QStringLiteral("for bob only")});
        // alice's device token from node A signs her in on node B.
        TestClient alice;
        QVERIFY2(alice.open(nodeB.url()) &&
                     alice.signInWithToken(QStringLiteral("alice"), aliceToken),
                 qPrintable(alice.loginError()));
        QCOMPARE(contentsOf(alice.history(QStringLiteral("bob"))),
                 QStringList{QStringLiteral("for bob only")});

        // gus comes back on node B with his resume token: the same guest, his history.
        TestClient gus;
        QVERIFY(gus.open(nodeB.url()));
        QVERIFY2(gus.login(QStringLiteral("gus"), false, gusSession), qPrintable(gus.loginError()));
        QCOMPARE(contentsOf(gus.history(QStringLiteral("alice"))),
                 QStringList{QStringLiteral("gus to alice")});

        // confab-server admin with the URL: an account it makes signs in on both nodes.
        QString output;
        QCOMPARE(nodeA.admin({QStringLiteral("--database"), url, QStringLiteral("create"),
                              QStringLiteral("dave")},
                             QStringLiteral("dave's password"), &output),
                 0);
        QVERIFY2(!output.contains(m_postgres.password()), qPrintable(output));
        QCOMPARE(
            nodeA.admin({QStringLiteral("--database"), url, QStringLiteral("list")}, {}, &output),
            0);
        for (const char *name : {"alice", "bob", "carol", "dave"})
            QVERIFY2(output.contains(QLatin1String(name)), qPrintable(output));
        QVERIFY2(output.contains(QLatin1String("4 accounts")), qPrintable(output));
        TestClient dave;
        QVERIFY(dave.open(nodeB.url()) &&
                dave.signIn(QStringLiteral("dave"), QStringLiteral("dave's password")));
        // Disabled by the admin command: node B signs bob out.
        QCOMPARE(nodeA.admin({QStringLiteral("--database"), url, QStringLiteral("disable"),
                              QStringLiteral("bob")},
                             {}, &output),
                 0);
        QVERIFY2(bob.waitForDisconnected(10000), qPrintable(nodeB.log()));
        QVERIFY(!nodeA.log().contains(m_postgres.password()));
        QVERIFY(!nodeB.log().contains(m_postgres.password()));
    }
};

QTEST_GUILESS_MAIN(TestAccountStoreContract)
#include "tst_accountstorecontract.moc"
