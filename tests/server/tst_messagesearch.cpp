// Message search (issue 14, docs/protocol.md section 7.1): every test runs against
// SqliteMessageStore and PostgresMessageStore (initTestCase_data: the column "backend"), on a
// real SQLite file and a throwaway PostgreSQL cluster (PostgresProcess, started once), and the
// protocol tests against a real confab-server on each. Without PostgreSQL installed the
// postgresql rows fail and say so.
#include "asyncmessagestore.h"
#include "directconnection.h"
#include "postgresmessagestore.h"
#include "postgresprocess.h"
#include "protocol/messageencoder.h"
#include "searchquery.h"
#include "serverprocess.h"
#include "sqlitemessagestore.h"
#include "sqlitesearchindex.h"
#include "testclient.h"

#include <QFile>
#include <QJsonArray>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

const QString kSqlite = QStringLiteral("sqlite");
const QString kPostgres = QStringLiteral("postgresql");

// Identities, as the server gives them (MessageParties).
const QString kAlice = QStringLiteral("a1");
const QString kBob = QStringLiteral("a2");
const QString kCarol = QStringLiteral("a3");

SearchQuery searchFor(const QString &viewer, const QString &text, int limit = 20, qint64 before = 0)
{
    SearchQuery q;
    q.viewer = viewer;
    q.words = SearchQuery::wordsOf(text);
    q.limit = limit;
    q.before = before;
    return q;
}

QStringList contents(const SearchPage &page)
{
    QStringList list;
    for (const ChatMessage &m : page.hits)
        list << m.content;
    return list;
}

QStringList hitContents(const QJsonObject &answer)
{
    QStringList list;
    for (const QJsonValue &v : answer.value(QLatin1String("hits")).toArray())
        list << v.toObject().value(QLatin1String("content")).toString();
    return list;
}

} // namespace

class TestMessageSearch : public QObject
{
    Q_OBJECT
private:
    PostgresProcess m_postgres;
    bool m_postgresUp = false;
    QTemporaryDir m_files;
    int m_fileCount = 0;
    QString m_why;
    QString m_backend;

    QString newLocation()
    {
        if (m_backend == kSqlite)
            return m_files.filePath(QStringLiteral("s%1.sqlite").arg(++m_fileCount));
        if (!m_postgresUp) {
            m_why = QStringLiteral("PostgreSQL did not start: ") + m_postgres.error();
            return {};
        }
        const QString url = m_postgres.createDatabase();
        if (url.isEmpty())
            m_why = m_postgres.error();
        return url;
    }

    std::unique_ptr<MessageStore> openAt(const QString &location)
    {
        std::unique_ptr<MessageStore> store;
        if (m_backend == kSqlite) {
            store = std::make_unique<SqliteMessageStore>(location, false);
        } else {
            const std::optional<PostgresUrl> url = PostgresUrl::parse(location, &m_why);
            if (!url)
                return nullptr;
            store = std::make_unique<PostgresMessageStore>(*url);
        }
        if (!store->open(&m_why))
            return nullptr;
        return store;
    }

    std::unique_ptr<MessageStore> openNew(QString *location = nullptr)
    {
        const QString where = newLocation();
        if (where.isEmpty())
            return nullptr;
        if (location)
            *location = where;
        return openAt(where);
    }

    // Stores `content` from `sender` (to `recipient`, private, when given) in its own batch.
    static qint64 store(MessageStore &s, const QString &content, const QString &sender = kAlice,
                        const QString &recipient = {})
    {
        static const QHash<QString, QString> names{{kAlice, QStringLiteral("alice")},
                                                   {kBob, QStringLiteral("bob")},
                                                   {kCarol, QStringLiteral("carol")}};
        ChatMessage m;
        m.from = names.value(sender);
        m.to = names.value(recipient);
        m.content = content;
        m.timestampMs = 1795655458483;
        if (s.append(m, MessageParties{sender, recipient}) != MessageStore::AppendResult::Stored ||
            !s.commit())
            return 0;
        return m.seq;
    }

    static void removeIndexFile(const QString &location)
    {
        for (const char *suffix : {"", "-wal", "-shm"})
            QFile::remove(SqliteSearchIndex::pathFor(location) + QLatin1String(suffix));
    }

    // A direct connection to the test's database, for what the store does not show.
    QSqlDatabase connectTo(const QString &location, const QString &name)
    {
        return openDirectConnection(location, name);
    }

    ServerProcess *startServer(const QString &location)
    {
        QStringList args = ServerProcess::unlimited();
        if (m_backend == kPostgres)
            args << QStringLiteral("--database") << location;
        auto *server = new ServerProcess(args);
        if (!server->start()) {
            m_why = server->log();
            delete server;
            return nullptr;
        }
        return server;
    }

    static QJsonObject searchOver(TestClient &c, const QString &text, const QString &id,
                                  qint64 before = 0, int limit = 0)
    {
        c.sendJson(MessageEncoder::searchRequest(text, before, limit, id));
        return c.waitFor(
            [&](const QJsonObject &o) { return o.value(QLatin1String("id")).toString() == id; });
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

    void findsWordsInAnyScriptNewestFirst()
    {
        const auto s = openNew();
        QVERIFY2(s, qPrintable(m_why));
        QVERIFY(store(*s, QStringLiteral("今天天气很好，我们去公园吧")));
        QVERIFY(store(*s, QStringLiteral("The Weather report says rain")));
        QVERIFY(store(*s, QStringLiteral("明天的天气预报：下雨")));
        QVERIFY(store(*s, QStringLiteral("nothing to see here")));
        QVERIFY(store(*s, QStringLiteral("weather: sunny again")));

        auto page = searchFor(kBob, QStringLiteral("天气预报")).run(*s);
        QVERIFY2(page, qPrintable(s->lastError()));
        QCOMPARE(contents(*page), QStringList{QStringLiteral("明天的天气预报：下雨")});
        QVERIFY(!page->more);

        // Any case; newest first.
        page = searchFor(kBob, QStringLiteral("WEATHER")).run(*s);
        QVERIFY2(page, qPrintable(s->lastError()));
        QCOMPARE(contents(*page), (QStringList{QStringLiteral("weather: sunny again"),
                                               QStringLiteral("The Weather report says rain")}));
        QVERIFY(page->hits.first().seq > page->hits.last().seq);
        QCOMPARE(page->hits.first().from, QStringLiteral("alice"));

        // A two-character Chinese word is below the trigram index: found among the newest.
        page = searchFor(kBob, QStringLiteral("天气")).run(*s);
        QVERIFY2(page, qPrintable(s->lastError()));
        QCOMPARE(contents(*page), (QStringList{QStringLiteral("明天的天气预报：下雨"),
                                               QStringLiteral("今天天气很好，我们去公园吧")}));

        // Every word must be there, in any order; short and long words together.
        page = searchFor(kBob, QStringLiteral("rain report")).run(*s);
        QVERIFY2(page, qPrintable(s->lastError()));
        QCOMPARE(contents(*page), QStringList{QStringLiteral("The Weather report says rain")});
        page = searchFor(kBob, QStringLiteral("下雨 天气预报")).run(*s);
        QVERIFY2(page, qPrintable(s->lastError()));
        QCOMPARE(contents(*page), QStringList{QStringLiteral("明天的天气预报：下雨")});
        page = searchFor(kBob, QStringLiteral("weather snow")).run(*s);
        QVERIFY2(page, qPrintable(s->lastError()));
        QVERIFY(page->hits.isEmpty());
        QVERIFY(!page->more);
    }

    void privateMessagesOnlyForTheirTwoParties()
    {
        QString location;
        const auto s = openNew(&location);
        QVERIFY2(s, qPrintable(m_why));
        QVERIFY(store(*s, QStringLiteral("the launch plan is public")));
        QVERIFY(store(*s, QStringLiteral("secret launch plan 秘密计划"), kAlice, kBob));
        const qint64 last = store(*s, QStringLiteral("carol's own launch plan"), kCarol, kAlice);
        QVERIFY(last > 0);
        // Right after storing (read without the index, as a rule) and once the index has them.
        for (const bool indexed : {false, true}) {
            if (indexed)
                QTRY_COMPARE(indexedUpTo(location), last);
            checkPrivacy(*s);
            if (QTest::currentTestFailed())
                return;
        }
    }

    void checkPrivacy(MessageStore &store)
    {
        MessageStore *const s = &store;
        const QStringList texts{QStringLiteral("launch plan"), QStringLiteral("秘密计划"),
                                QStringLiteral("秘密"), QStringLiteral("plan")};
        for (const QString &text : texts) {
            // Dave (no message of his own) sees only what is public: by the index and by the
            // scan of short words alike.
            auto page = searchFor(QStringLiteral("a4"), text).run(*s);
            QVERIFY2(page, qPrintable(s->lastError()));
            for (const ChatMessage &m : page->hits)
                QVERIFY2(!m.isPrivate(), qPrintable(text + QStringLiteral(": ") + m.content));
            // Carol sees her own private message, never alice's to bob.
            page = searchFor(kCarol, text).run(*s);
            QVERIFY2(page, qPrintable(s->lastError()));
            QVERIFY2(!contents(*page).contains(QStringLiteral("secret launch plan 秘密计划")),
                     qPrintable(text));
        }
        auto page = searchFor(kCarol, QStringLiteral("launch plan")).run(*s);
        QVERIFY2(page, qPrintable(s->lastError()));
        QCOMPARE(contents(*page), (QStringList{QStringLiteral("carol's own launch plan"),
                                               QStringLiteral("the launch plan is public")}));
        // Both parties find it, with who it was to.
        for (const QString &party : {kAlice, kBob}) {
            page = searchFor(party, QStringLiteral("秘密计划")).run(*s);
            QVERIFY2(page, qPrintable(s->lastError()));
            QCOMPARE(contents(*page), QStringList{QStringLiteral("secret launch plan 秘密计划")});
            QCOMPARE(page->hits.first().to, QStringLiteral("bob"));
        }
    }

    void pagesGoBackWithBefore()
    {
        const auto s = openNew();
        QVERIFY2(s, qPrintable(m_why));
        QList<qint64> seqs;
        for (int i = 0; i < 7; ++i) {
            seqs.prepend(store(*s, QStringLiteral("report number %1").arg(i)));
            QVERIFY(seqs.first() > 0);
            QVERIFY(store(*s, QStringLiteral("something else %1").arg(i)));
        }
        for (const QString &text : {QStringLiteral("report"), QStringLiteral("rt")}) {
            QList<qint64> found;
            qint64 before = 0;
            for (int pages = 0; pages < 10; ++pages) {
                const auto page = searchFor(kBob, text, 3, before).run(*s);
                QVERIFY2(page, qPrintable(s->lastError()));
                for (const ChatMessage &m : page->hits)
                    found << m.seq;
                if (!page->more)
                    break;
                QVERIFY(page->nextBefore > 0);
                before = page->nextBefore;
            }
            QCOMPARE(found, seqs);
        }
    }

    void wildcardsAndQuotesAreText()
    {
        const auto s = openNew();
        QVERIFY2(s, qPrintable(m_why));
        QVERIFY(store(*s, QStringLiteral("100% sure")));
        QVERIFY(store(*s, QStringLiteral("1000 sure")));
        QVERIFY(store(*s, QStringLiteral("a_b and a-b")));
        QVERIFY(store(*s, QStringLiteral("she said \"hello\" twice")));
        QVERIFY(store(*s, QStringLiteral("back\\slash here")));
        QVERIFY(store(*s, QStringLiteral("OR AND NOT NEAR")));
        const QList<std::pair<QString, QStringList>> cases{
            {QStringLiteral("00%"), {QStringLiteral("100% sure")}},
            {QStringLiteral("a_b"), {QStringLiteral("a_b and a-b")}},
            {QStringLiteral("\"hello\""), {QStringLiteral("she said \"hello\" twice")}},
            {QStringLiteral("k\\sl"), {QStringLiteral("back\\slash here")}},
            {QStringLiteral("NOT NEAR"), {QStringLiteral("OR AND NOT NEAR")}},
            {QStringLiteral("%%%"), {}},
        };
        for (const auto &[text, expected] : cases) {
            const auto page = searchFor(kBob, text).run(*s);
            QVERIFY2(page, qPrintable(text + QStringLiteral(": ") + s->lastError()));
            QCOMPARE(contents(*page), expected);
        }
    }

    void earlierMessagesAreIndexedByTheUpgrade()
    {
        // A store from before search: its index (and, in SQLite, the triggers) gone and its
        // version step forgotten, with messages written meanwhile. Opening it again adds the
        // index and indexes them.
        QString location;
        {
            const auto s = openNew(&location);
            QVERIFY2(s, qPrintable(m_why));
            QVERIFY(store(*s, QStringLiteral("indexed before: 会议纪要")));
        }
        {
            QSqlDatabase db = connectTo(location, QStringLiteral("old"));
            QVERIFY2(db.isOpen(), qPrintable(db.lastError().text()));
            QSqlQuery q(db);
            const QStringList downgrade =
                m_backend == kSqlite
                    // Schema version 5: the index inside the history file, filled up to
                    // search_progress, with no index file beside it.
                    ? QStringList{QStringLiteral("DROP TRIGGER search_changes_delete"),
                                  QStringLiteral("DROP TRIGGER search_changes_update"),
                                  QStringLiteral("DROP TABLE search_changes"),
                                  QStringLiteral("CREATE VIRTUAL TABLE messages_fts USING fts5("
                                                 "content, content='messages', content_rowid="
                                                 "'seq', tokenize='trigram')"),
                                  QStringLiteral("INSERT INTO messages_fts (messages_fts)"
                                                 " VALUES ('rebuild')"),
                                  QStringLiteral("CREATE TABLE search_progress (seq INTEGER)"),
                                  QStringLiteral("INSERT INTO search_progress SELECT MAX(seq)"
                                                 " FROM messages"),
                                  // Version 7's columns (edits, replies) came later.
                                  QStringLiteral("ALTER TABLE messages DROP COLUMN edited"),
                                  QStringLiteral("ALTER TABLE messages DROP COLUMN deleted"),
                                  QStringLiteral("ALTER TABLE messages DROP COLUMN reply_to"),
                                  // And version 9's (files).
                                  QStringLiteral("ALTER TABLE messages DROP COLUMN file"),
                                  QStringLiteral("DROP TABLE file_uploads"),
                                  QStringLiteral("PRAGMA user_version = 5")}
                    // Schema version 5: pg_trgm's index on messages itself, kept in every
                    // commit.
                    : QStringList{QStringLiteral("DROP TRIGGER search_changes_update ON messages"),
                                  QStringLiteral("DROP TRIGGER search_changes_delete ON messages"),
                                  QStringLiteral("DROP FUNCTION confab_search_changed()"),
                                  QStringLiteral("DROP TABLE message_search, search_progress,"
                                                 " search_changes"),
                                  QStringLiteral("CREATE INDEX messages_content_trgm ON messages"
                                                 " USING gin (content gin_trgm_ops)"),
                                  QStringLiteral("DELETE FROM schema_version WHERE version = 6")};
            for (const QString &sql : downgrade)
                QVERIFY2(q.exec(sql), qPrintable(sql + q.lastError().text()));
            QVERIFY2(q.exec(QStringLiteral(
                         "INSERT INTO messages (ts, sender, sender_key, content, sender_id)"
                         " VALUES (1, 'bob', 'bob', 'written without an index: 会议记录', 'a2')")),
                     qPrintable(q.lastError().text()));
            q.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("old"));
        if (m_backend == kSqlite)
            removeIndexFile(location);
        const auto s = openAt(location);
        QVERIFY2(s, qPrintable(m_why));
        const auto page = searchFor(kCarol, QStringLiteral("会议纪要")).run(*s);
        QVERIFY2(page, qPrintable(s->lastError()));
        QCOMPARE(contents(*page), QStringList{QStringLiteral("indexed before: 会议纪要")});
        const auto older = searchFor(kCarol, QStringLiteral("会议记录")).run(*s);
        QVERIFY2(older, qPrintable(s->lastError()));
        QCOMPARE(contents(*older),
                 QStringList{QStringLiteral("written without an index: 会议记录")});
        // And what comes now is indexed, with what was there before the upgrade.
        const qint64 last = store(*s, QStringLiteral("after the upgrade: 会议议程"));
        QVERIFY(last > 0);
        QTRY_COMPARE(indexedUpTo(location), last);
        QCOMPARE(indexHits(location, QStringLiteral("会议记录")).size(), 1);
        const auto newer = searchFor(kCarol, QStringLiteral("会议议程")).run(*s);
        QVERIFY2(newer, qPrintable(s->lastError()));
        QCOMPARE(newer->hits.size(), 1);
        {
            QSqlDatabase db = connectTo(location, QStringLiteral("check"));
            QSqlQuery q(db);
            if (m_backend == kSqlite) {
                QVERIFY(q.exec(QStringLiteral("PRAGMA user_version")) && q.next());
                QCOMPARE(q.value(0).toInt(), 10); // the newest version
                // The old index has left the history file for a file of its own.
                QVERIFY(q.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE name IN"
                                              " ('messages_fts', 'search_progress')")));
                QVERIFY2(!q.next(), qPrintable(q.value(0).toString()));
                QVERIFY(QFile::exists(SqliteSearchIndex::pathFor(location)));
            } else {
                QVERIFY(q.exec(QStringLiteral("SELECT 1 FROM schema_version WHERE version = 6")));
                QVERIFY(q.next());
                // The index has left the messages table, and so has its cost in every commit.
                QVERIFY(q.exec(QStringLiteral("SELECT indexname FROM pg_indexes WHERE"
                                              " tablename = 'messages' AND indexdef LIKE"
                                              " '%gin_trgm_ops%'")));
                QVERIFY2(!q.next(), qPrintable(q.value(0).toString()));
            }
            q.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("check"));
    }

    void searchesSeeEveryBatchStoredBefore()
    {
        // Through AsyncMessageStore as the server uses it: SQLite inline (searches then go to
        // a reader connection on a thread of their own), PostgreSQL on its thread.
        const QString location = newLocation();
        QVERIFY2(!location.isEmpty(), qPrintable(m_why));
        std::unique_ptr<MessageStore> inner;
        if (m_backend == kSqlite) {
            inner = std::make_unique<SqliteMessageStore>(location, false);
        } else {
            const std::optional<PostgresUrl> url = PostgresUrl::parse(location, &m_why);
            QVERIFY2(url, qPrintable(m_why));
            inner = std::make_unique<PostgresMessageStore>(*url);
        }
        AsyncMessageStore store(std::move(inner), m_backend == kSqlite
                                                      ? AsyncMessageStore::Threading::Inline
                                                      : AsyncMessageStore::Threading::OwnThread);
        QVERIFY2(store.open(&m_why), qPrintable(m_why));
        QObject context;
        for (int round = 0; round < 3; ++round) {
            const QString text = QStringLiteral("round %1 of the 搜索测试").arg(round);
            AsyncMessageStore::Item item;
            item.message.from = QStringLiteral("alice");
            item.message.content = text;
            item.message.timestampMs = 1795655458483;
            item.parties.sender = kAlice;
            std::vector<AsyncMessageStore::Item> batch;
            batch.push_back(item);
            store.storeBatch(std::move(batch), &context,
                             [](std::vector<AsyncMessageStore::Item>, const QString &) {});
            // Asked right after the batch, answered with it.
            std::optional<SearchPage> found;
            bool answered = false;
            store.search(searchFor(kBob, QStringLiteral("搜索测试")), &context,
                         [&](const std::optional<SearchPage> &page, bool, const QString &) {
                             found = page;
                             answered = true;
                         });
            QTRY_VERIFY(answered);
            QVERIFY(found);
            QCOMPARE(found->hits.size(), round + 1);
            QCOMPARE(found->hits.first().content, text);
        }
        QTRY_COMPARE(store.pending(), 0);
    }

    // The seq the search index has reached (SQLite: its own file; PostgreSQL: the
    // search_progress table), or -1 when it cannot be read.
    qint64 indexedUpTo(const QString &location)
    {
        qint64 seq = -1;
        {
            QSqlDatabase db =
                connectTo(m_backend == kSqlite ? SqliteSearchIndex::pathFor(location) : location,
                          QStringLiteral("indexed"));
            QSqlQuery q(db);
            if (q.exec(QStringLiteral("SELECT seq FROM search_progress")) && q.next())
                seq = q.value(0).toLongLong();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("indexed"));
        return seq;
    }

    // The seqs the index itself holds for `word`, read past the store.
    QList<qint64> indexHits(const QString &location, const QString &word)
    {
        QList<qint64> seqs;
        {
            QSqlDatabase db =
                connectTo(m_backend == kSqlite ? SqliteSearchIndex::pathFor(location) : location,
                          QStringLiteral("hits"));
            QSqlQuery q(db);
            if (m_backend == kSqlite) {
                q.prepare(QStringLiteral("SELECT rowid FROM messages_fts WHERE messages_fts"
                                         " MATCH ? ORDER BY rowid"));
                q.addBindValue(QString(QLatin1Char('"') + word + QLatin1Char('"')));
            } else {
                q.prepare(QStringLiteral("SELECT seq FROM message_search WHERE content ILIKE ?"
                                         " ORDER BY seq"));
                q.addBindValue(QString(QLatin1Char('%') + word + QLatin1Char('%')));
            }
            if (q.exec())
                while (q.next())
                    seqs << q.value(0).toLongLong();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("hits"));
        return seqs;
    }

    // Both stores index new messages off the relay's thread and outside its commits
    // (SqliteUpkeep, PostgresSearchIndexer), a batch at a time; until then a search finds them
    // without the index, so a message is found the moment it is stored, and later through the
    // index, once.
    void indexesNewMessagesBehindTheRelay()
    {
        QString location;
        const auto s = openNew(&location);
        QVERIFY2(s, qPrintable(m_why));
        const qint64 seq = store(*s, QStringLiteral("the quarterly 预算 review"));
        QVERIFY(seq > 0);
        const auto now = searchFor(kBob, QStringLiteral("预算 review")).run(*s);
        QVERIFY2(now, qPrintable(s->lastError()));
        QCOMPARE(contents(*now), QStringList{QStringLiteral("the quarterly 预算 review")});
        QTRY_COMPARE(indexedUpTo(location), seq);
        QCOMPARE(indexHits(location, QStringLiteral("quarterly")), QList<qint64>{seq});
        const auto later = searchFor(kBob, QStringLiteral("预算 review")).run(*s);
        QVERIFY2(later, qPrintable(s->lastError()));
        QCOMPARE(contents(*later), QStringList{QStringLiteral("the quarterly 预算 review")});
    }

    // The index's writer never holds up the relay's: a batch is stored while the index is
    // locked for writing (an indexer stopped mid-batch), and found at once.
    void storesWhileTheIndexIsLocked()
    {
        QString location;
        const auto s = openNew(&location);
        QVERIFY2(s, qPrintable(m_why));
        QVERIFY(store(*s, QStringLiteral("stored before the lock")) > 0);
        {
            QSqlDatabase holder =
                connectTo(m_backend == kSqlite ? SqliteSearchIndex::pathFor(location) : location,
                          QStringLiteral("holder"));
            QVERIFY2(holder.isOpen(), qPrintable(holder.lastError().text()));
            QSqlQuery q(holder);
            QVERIFY(q.exec(m_backend == kSqlite ? QStringLiteral("BEGIN IMMEDIATE")
                                                : QStringLiteral("BEGIN")));
            QVERIFY(q.exec(QStringLiteral("UPDATE search_progress SET seq = seq")));
            if (m_backend == kPostgres)
                QVERIFY2(q.exec(QStringLiteral("LOCK TABLE message_search IN EXCLUSIVE MODE")),
                         qPrintable(q.lastError().text()));
            QVERIFY2(store(*s, QStringLiteral("stored while the index is locked")) > 0,
                     qPrintable(s->lastError()));
            const auto page = searchFor(kBob, QStringLiteral("stored")).run(*s);
            QVERIFY2(page, qPrintable(s->lastError()));
            QCOMPARE(contents(*page),
                     (QStringList{QStringLiteral("stored while the index is locked"),
                                  QStringLiteral("stored before the lock")}));
            QVERIFY(q.exec(QStringLiteral("ROLLBACK")));
        }
        QSqlDatabase::removeDatabase(QStringLiteral("holder"));
        if (m_backend == kSqlite) {
            // Private texts: the index file is the server's user's alone, like the history.
            const QFile::Permissions others =
                QFile::ReadGroup | QFile::WriteGroup | QFile::ReadOther | QFile::WriteOther;
            QCOMPARE(QFile::permissions(SqliteSearchIndex::pathFor(location)) & others,
                     QFile::Permissions());
        }
    }

    // An edited or deleted message leaves the index (search_changes, which the messages
    // table's triggers fill).
    void indexFollowsEditsAndDeletions()
    {
        QString location;
        const auto s = openNew(&location);
        QVERIFY2(s, qPrintable(m_why));
        const qint64 edited = store(*s, QStringLiteral("the original wording"));
        const qint64 deleted = store(*s, QStringLiteral("a message to be removed"));
        QVERIFY(edited > 0 && deleted > 0);
        QTRY_COMPARE(indexedUpTo(location), deleted);
        {
            QSqlDatabase db = connectTo(location, QStringLiteral("editor"));
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("UPDATE messages SET content = 'the corrected"
                                          " phrasing' WHERE seq = %1")
                               .arg(edited)));
            QVERIFY(q.exec(QStringLiteral("DELETE FROM messages WHERE seq = %1").arg(deleted)));
        }
        QSqlDatabase::removeDatabase(QStringLiteral("editor"));
        QTRY_COMPARE(indexHits(location, QStringLiteral("corrected")), QList<qint64>{edited});
        QCOMPARE(indexHits(location, QStringLiteral("original")), QList<qint64>{});
        QCOMPARE(indexHits(location, QStringLiteral("removed")), QList<qint64>{});
        const auto page = searchFor(kBob, QStringLiteral("phrasing")).run(*s);
        QVERIFY2(page, qPrintable(s->lastError()));
        QCOMPARE(contents(*page), QStringList{QStringLiteral("the corrected phrasing")});
        QVERIFY(searchFor(kBob, QStringLiteral("removed")).run(*s)->hits.isEmpty());
    }

    // A history restored from a backup, beside the index of the history it replaced: the
    // seqs after the backup come again with other texts, so that index is started afresh.
    void sqliteIndexOfALaterHistoryIsRebuilt()
    {
        if (m_backend != kSqlite)
            QSKIP("SQLite's index file");
        QString location;
        {
            const auto s = openNew(&location);
            QVERIFY2(s, qPrintable(m_why));
            QVERIFY(store(*s, QStringLiteral("alpha, in the backup")) > 0);
        }
        const QString backup = location + QLatin1String(".backup");
        QVERIFY(QFile::copy(location, backup));
        {
            const auto s = openAt(location);
            QVERIFY2(s, qPrintable(m_why));
            QCOMPARE(store(*s, QStringLiteral("beta, after the backup")), 2);
        }
        QTRY_COMPARE(indexedUpTo(location), 2);
        for (const char *suffix : {"-wal", "-shm"})
            QFile::remove(location + QLatin1String(suffix));
        QVERIFY(QFile::remove(location) && QFile::copy(backup, location));
        const auto s = openAt(location);
        QVERIFY2(s, qPrintable(m_why));
        QCOMPARE(store(*s, QStringLiteral("gamma, after the restore")), 2);
        QTRY_COMPARE(indexedUpTo(location), 2);
        QCOMPARE(indexHits(location, QStringLiteral("gamma")), QList<qint64>{2});
        const auto page = searchFor(kBob, QStringLiteral("gamma")).run(*s);
        QVERIFY2(page, qPrintable(s->lastError()));
        QCOMPARE(contents(*page), QStringList{QStringLiteral("gamma, after the restore")});
        QVERIFY(searchFor(kBob, QStringLiteral("beta")).run(*s)->hits.isEmpty());
    }

    // Another history's index file (store_id), even one that has not passed this history's
    // last seq, is not taken for this one's.
    void sqliteIndexOfAnotherHistoryIsRebuilt()
    {
        if (m_backend != kSqlite)
            QSKIP("SQLite's index file");
        QString other;
        {
            const auto s = openNew(&other);
            QVERIFY2(s, qPrintable(m_why));
            QVERIFY(store(*s, QStringLiteral("alpha elsewhere")) > 0);
        }
        QString location;
        {
            const auto s = openNew(&location);
            QVERIFY2(s, qPrintable(m_why));
            for (int i = 1; i <= 3; ++i)
                QVERIFY(store(*s, QStringLiteral("beta %1").arg(i)) > 0);
        }
        removeIndexFile(location);
        QVERIFY(
            QFile::copy(SqliteSearchIndex::pathFor(other), SqliteSearchIndex::pathFor(location)));
        const auto s = openAt(location);
        QVERIFY2(s, qPrintable(m_why));
        QTRY_COMPARE(indexedUpTo(location), 3);
        QCOMPARE(indexHits(location, QStringLiteral("beta")), (QList<qint64>{1, 2, 3}));
        QCOMPARE(indexHits(location, QStringLiteral("alpha")), QList<qint64>{});
        const auto page = searchFor(kBob, QStringLiteral("beta")).run(*s);
        QVERIFY2(page, qPrintable(s->lastError()));
        QCOMPARE(page->hits.size(), 3);
    }

    // An index file that is not a database is made anew; the chat and search go on.
    void sqliteUnreadableIndexIsMadeAnew()
    {
        if (m_backend != kSqlite)
            QSKIP("SQLite's index file");
        QString location;
        {
            const auto s = openNew(&location);
            QVERIFY2(s, qPrintable(m_why));
            QVERIFY(store(*s, QStringLiteral("delta before the damage")) > 0);
        }
        removeIndexFile(location);
        {
            QFile damaged(SqliteSearchIndex::pathFor(location));
            QVERIFY(damaged.open(QIODevice::WriteOnly));
            damaged.write(QByteArray(8192, 'x'));
        }
        const auto s = openAt(location);
        QVERIFY2(s, qPrintable(m_why));
        QVERIFY(store(*s, QStringLiteral("delta after the damage")) > 0);
        QTRY_COMPARE(indexedUpTo(location), 2);
        const auto page = searchFor(kBob, QStringLiteral("delta")).run(*s);
        QVERIFY2(page, qPrintable(s->lastError()));
        QCOMPARE(contents(*page), (QStringList{QStringLiteral("delta after the damage"),
                                               QStringLiteral("delta before the damage")}));
    }

    void sqliteReadsTheIndexNewestFirst()
    {
        if (m_backend != kSqlite)
            QSKIP("SQLite's plan");
        SqliteMessageStore s(m_files.filePath(QStringLiteral("plan.sqlite")), false);
        QVERIFY(s.open(&m_why));
        // The FTS5 index in rowid order, each match looked up by seq: no sort of all matches.
        const QStringList plan = s.searchPlan(searchFor(kBob, QStringLiteral("weather")));
        const QString text = plan.join(QLatin1Char('\n'));
        QVERIFY2(text.contains(QLatin1String("VIRTUAL TABLE")), qPrintable(text));
        QVERIFY2(!text.contains(QLatin1String("TEMP B-TREE")), qPrintable(text));
        for (const QString &line : plan)
            QVERIFY2(!line.startsWith(QLatin1String("SCAN messages ")) &&
                         line != QLatin1String("SCAN messages"),
                     qPrintable(text));
    }

    // An index further behind than one look without it reaches (kMaxExamined rows: a rebuild,
    // or a load that left it no time): a search pages through the gap and passes over no
    // message, then goes on through the index.
    void searchesReachPastALaggingIndex()
    {
        QString location;
        const auto s = openNew(&location);
        QVERIFY2(s, qPrintable(m_why));
        const qint64 first = store(*s, QStringLiteral("an indexed needle"));
        QVERIFY(first > 0);
        QTRY_COMPARE(indexedUpTo(location), first);
        {
            // The indexer held where it is (mid-batch, as far as the stores are concerned).
            QSqlDatabase holder =
                connectTo(m_backend == kSqlite ? SqliteSearchIndex::pathFor(location) : location,
                          QStringLiteral("holder"));
            QVERIFY2(holder.isOpen(), qPrintable(holder.lastError().text()));
            QSqlQuery q(holder);
            QVERIFY(q.exec(m_backend == kSqlite ? QStringLiteral("BEGIN IMMEDIATE")
                                                : QStringLiteral("BEGIN")));
            QVERIFY(q.exec(QStringLiteral("UPDATE search_progress SET seq = seq")));
            QVERIFY(store(*s, QStringLiteral("the needle in the gap")) > 0);
            for (int i = 0; i < SearchQuery::kMaxExamined + 10; ++i) {
                ChatMessage m;
                m.from = QStringLiteral("alice");
                m.content = QStringLiteral("filler %1").arg(i);
                m.timestampMs = 1795655458483;
                QCOMPARE(s->append(m, MessageParties{kAlice, {}}),
                         MessageStore::AppendResult::Stored);
            }
            QVERIFY2(s->commit(), qPrintable(s->lastError()));
            SearchQuery query = searchFor(kBob, QStringLiteral("needle"));
            QStringList found;
            for (int pages = 1;; ++pages) {
                const auto page = query.run(*s);
                QVERIFY2(page, qPrintable(s->lastError()));
                found << contents(*page);
                if (!page->more)
                    break;
                QVERIFY2(pages < 5, qPrintable(found.join(QLatin1Char('|'))));
                query.before = page->nextBefore;
            }
            QCOMPARE(found, (QStringList{QStringLiteral("the needle in the gap"),
                                         QStringLiteral("an indexed needle")}));
            QVERIFY(q.exec(QStringLiteral("ROLLBACK")));
        }
        QSqlDatabase::removeDatabase(QStringLiteral("holder"));
    }

    // PostgreSQL's plan reads pg_trgm's index on message_search, not the messages table.
    void postgresReadsTheIndex()
    {
        if (m_backend != kPostgres)
            QSKIP("PostgreSQL's plan");
        const QString location = newLocation();
        QVERIFY2(!location.isEmpty(), qPrintable(m_why));
        const std::optional<PostgresUrl> url = PostgresUrl::parse(location, &m_why);
        QVERIFY2(url, qPrintable(m_why));
        PostgresMessageStore s(*url);
        QVERIFY2(s.open(&m_why), qPrintable(m_why));
        {
            // A history of some size, so that the planner has a choice to make.
            QSqlDatabase db = connectTo(location, QStringLiteral("filler"));
            QSqlQuery q(db);
            for (const char *sql :
                 {"INSERT INTO messages (ts, sender, sender_key, sender_id, content)"
                  " SELECT g, 'alice', 'alice', 'a1', 'filler number ' || g"
                  " FROM generate_series(1, 20000) g",
                  "INSERT INTO message_search (seq, content) SELECT seq, content FROM messages",
                  "UPDATE search_progress SET seq = (SELECT max(seq) FROM messages)",
                  // What autovacuum does in time: GIN's pending list into the index proper.
                  "SELECT gin_clean_pending_list('message_search_trgm'::regclass)",
                  "ANALYZE messages", "ANALYZE message_search"})
                QVERIFY2(q.exec(QLatin1String(sql)), qPrintable(q.lastError().text()));
        }
        QSqlDatabase::removeDatabase(QStringLiteral("filler"));
        const QString plan =
            s.searchPlan(searchFor(kBob, QStringLiteral("weather"))).join(QLatin1Char('\n'));
        QVERIFY2(plan.contains(QLatin1String("message_search_trgm")), qPrintable(plan));
        QVERIFY2(!plan.contains(QLatin1String("Seq Scan on messages")), qPrintable(plan));
    }

    // Of the processes that share a database, one indexes at a time; when it goes away (its
    // connection, and the lock with it), another takes over.
    void postgresIndexingGoesOnWhenItsProcessLeaves()
    {
        if (m_backend != kPostgres)
            QSKIP("servers that share one database");
        QString location;
        auto first = openNew(&location);
        QVERIFY2(first, qPrintable(m_why));
        auto second = openAt(location);
        QVERIFY2(second, qPrintable(m_why));
        const qint64 one = store(*second, QStringLiteral("epsilon one"));
        QTRY_COMPARE(indexedUpTo(location), one);
        first.reset();
        const qint64 two = store(*second, QStringLiteral("epsilon two"));
        QTRY_COMPARE(indexedUpTo(location), two);
        second.reset();
        const auto third = openAt(location);
        QVERIFY2(third, qPrintable(m_why));
        const qint64 three = store(*third, QStringLiteral("epsilon three"));
        QTRY_COMPARE(indexedUpTo(location), three);
        QCOMPARE(indexHits(location, QStringLiteral("epsilon")), (QList<qint64>{one, two, three}));
    }

    void searchOverTheProtocol()
    {
        const QString location = newLocation();
        QVERIFY2(!location.isEmpty(), qPrintable(m_why));
        std::unique_ptr<ServerProcess> server(startServer(location));
        QVERIFY2(server, qPrintable(m_why));
        TestClient alice, bob, carol;
        QVERIFY(alice.open(server->url()) && alice.login(QStringLiteral("alice")));
        QVERIFY(bob.open(server->url()) && bob.login(QStringLiteral("bob")));
        QVERIFY(carol.open(server->url()) && carol.login(QStringLiteral("carol")));
        alice.sendChat(QStringLiteral("团队会议 at noon"), QStringLiteral("a-1"));
        QVERIFY(!carol.waitForChat(QStringLiteral("团队会议 at noon")).isEmpty());
        alice.sendChat(QStringLiteral("秘密计划: the secret plan"), QStringLiteral("a-2"),
                       QStringLiteral("bob"));
        QVERIFY(!bob.waitForChat(QStringLiteral("秘密计划: the secret plan")).isEmpty());

        // Everyone finds the public message; the answer says what was searched.
        for (TestClient *c : {&alice, &bob, &carol}) {
            const QJsonObject answer =
                searchOver(*c, QStringLiteral("会议"), QStringLiteral("s-1"));
            QCOMPARE(answer.value(QLatin1String("type")).toString(), QStringLiteral("search"));
            QCOMPARE(answer.value(QLatin1String("text")).toString(), QStringLiteral("会议"));
            QCOMPARE(hitContents(answer), QStringList{QStringLiteral("团队会议 at noon")});
            QCOMPARE(answer.value(QLatin1String("more")).toBool(true), false);
        }
        // The private one: its two parties, never carol, by the index or without it.
        for (const QString &text :
             {QStringLiteral("秘密计划"), QStringLiteral("秘密"), QStringLiteral("secret plan")}) {
            const QJsonObject toCarol = searchOver(carol, text, QStringLiteral("s-2"));
            QCOMPARE(toCarol.value(QLatin1String("type")).toString(), QStringLiteral("search"));
            QVERIFY2(hitContents(toCarol).isEmpty(), qPrintable(text));
            for (TestClient *c : {&alice, &bob}) {
                const QJsonObject answer = searchOver(*c, text, QStringLiteral("s-3"));
                const QJsonArray hits = answer.value(QLatin1String("hits")).toArray();
                QCOMPARE(hits.size(), 1);
                const QJsonObject hit = hits.first().toObject();
                QCOMPARE(hit.value(QLatin1String("from")).toString(), QStringLiteral("alice"));
                QCOMPARE(hit.value(QLatin1String("to")).toString(), QStringLiteral("bob"));
                QVERIFY(hit.value(QLatin1String("seq")).toInteger() > 0);
                QVERIFY(hit.value(QLatin1String("ts")).toInteger() > 0);
            }
        }
        // A guest who comes back as a new identity (no session) has no private history: a
        // new "carol" never finds what was sent before either, and a new "bob" neither.
        bob.sendJson(R"({"type":"logout"})");
        QVERIFY(bob.waitForDisconnected());
        TestClient newBob;
        QVERIFY(newBob.open(server->url()) && newBob.login(QStringLiteral("bob")));
        QVERIFY(hitContents(searchOver(newBob, QStringLiteral("秘密计划"), QStringLiteral("s-4")))
                    .isEmpty());

        // Bad input: a clear error with the request's id; the connection stays.
        const QList<QByteArray> bad{
            R"({"type":"search","text":"","id":"b-1"})",
            R"({"type":"search","id":"b-1"})",
            R"({"type":"search","text":"x","limit":51,"id":"b-1"})",
            R"({"type":"search","text":"a b c d e f g h i","id":"b-1"})",
            "{\"type\":\"search\",\"text\":\"" + QByteArray(101, 'x') + "\",\"id\":\"b-1\"}",
        };
        for (const QByteArray &json : bad) {
            alice.sendJson(json);
            const QJsonObject error = alice.waitForError(QStringLiteral("bad_search_request"));
            QVERIFY2(!error.isEmpty(), json.constData());
            QCOMPARE(error.value(QLatin1String("id")).toString(), QStringLiteral("b-1"));
        }
        QCOMPARE(hitContents(searchOver(alice, QStringLiteral("noon"), QStringLiteral("s-5"))),
                 QStringList{QStringLiteral("团队会议 at noon")});
        // Before login: not_logged_in, as for history.
        TestClient stranger;
        QVERIFY(stranger.open(server->url()));
        stranger.sendJson(MessageEncoder::searchRequest(QStringLiteral("noon"), 0, 0));
        QVERIFY(!stranger.waitForError(QStringLiteral("not_logged_in")).isEmpty());
    }

    void searchesArePaidFromTheHistoryBudget()
    {
        if (m_backend != kSqlite)
            QSKIP("the budget is the relay's, whatever the store");
        // 200,000 bytes of history budget, refilled at 1 KiB/s: four searches of 64 KiB fit
        // (the bucket is above zero before the fourth), the fifth waits about a minute.
        QStringList args = ServerProcess::unlimited();
        args << QStringLiteral("--history-bytes-per-second") << QStringLiteral("1024")
             << QStringLiteral("--history-bytes-burst") << QStringLiteral("200000");
        ServerProcess server(args);
        QVERIFY2(server.start(), qPrintable(server.log()));
        TestClient alice;
        QVERIFY(alice.open(server.url()) && alice.login(QStringLiteral("alice")));
        for (int i = 0; i < 4; ++i) {
            const QJsonObject answer =
                searchOver(alice, QStringLiteral("anything"), QStringLiteral("s-%1").arg(i));
            QCOMPARE(answer.value(QLatin1String("type")).toString(), QStringLiteral("search"));
        }
        const QJsonObject refused =
            searchOver(alice, QStringLiteral("anything"), QStringLiteral("s-4"));
        QCOMPARE(refused.value(QLatin1String("code")).toString(), QStringLiteral("rate_limited"));
        QVERIFY(refused.value(QLatin1String("retry_after")).toInt() >= 30);
        // Chat is paid from another budget: it goes on.
        alice.sendChat(QStringLiteral("still talking"), QStringLiteral("a-1"));
        QVERIFY(!alice.waitForChat(QStringLiteral("still talking")).isEmpty());
    }

    void pagesOverTheProtocol()
    {
        const QString location = newLocation();
        QVERIFY2(!location.isEmpty(), qPrintable(m_why));
        std::unique_ptr<ServerProcess> server(startServer(location));
        QVERIFY2(server, qPrintable(m_why));
        TestClient alice;
        QVERIFY(alice.open(server->url()) && alice.login(QStringLiteral("alice")));
        for (int i = 0; i < 5; ++i)
            alice.sendChat(QStringLiteral("item %1 of the list").arg(i),
                           QStringLiteral("p-%1").arg(i));
        QVERIFY(!alice.waitForChat(QStringLiteral("item 4 of the list")).isEmpty());
        // Just sent, and found at once: the server commits before it searches.
        QJsonObject page =
            searchOver(alice, QStringLiteral("of the list"), QStringLiteral("s-1"), 0, 2);
        QCOMPARE(hitContents(page), (QStringList{QStringLiteral("item 4 of the list"),
                                                 QStringLiteral("item 3 of the list")}));
        QVERIFY(page.value(QLatin1String("more")).toBool());
        QStringList all = hitContents(page);
        while (page.value(QLatin1String("more")).toBool()) {
            const qint64 before = page.value(QLatin1String("before")).toInteger();
            QVERIFY(before > 0);
            page =
                searchOver(alice, QStringLiteral("of the list"), QStringLiteral("s-2"), before, 2);
            all << hitContents(page);
            QVERIFY(all.size() <= 5);
        }
        QCOMPARE(all.size(), 5);
        QCOMPARE(all.last(), QStringLiteral("item 0 of the list"));
    }
};

QTEST_GUILESS_MAIN(TestMessageSearch)
#include "tst_messagesearch.moc"
