// The MessageStore contract: every test runs against SqliteMessageStore and
// PostgresMessageStore (initTestCase_data: the column "backend"), and ends with a real
// confab-server on each whose history survives a restart. PostgreSQL is a throwaway cluster
// that this program starts once (PostgresProcess) and stops at the end; each test gets a new
// database. Without PostgreSQL installed the postgresql rows fail and say so.
#include "directconnection.h"
#include "postgresmessagestore.h"
#include "postgresprocess.h"
#include "protocol/messageencoder.h"
#include "serverprocess.h"
#include "sqlitemessagestore.h"
#include "testclient.h"

#include <QHash>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>

namespace {

const QString kSqlite = QStringLiteral("sqlite");
const QString kPostgres = QStringLiteral("postgresql");

ChatMessage message(const QString &from, const QString &content, const QString &id,
                    const QString &to = {}, qint64 timestampMs = 1795655458483)
{
    ChatMessage m;
    m.from = from;
    m.content = content;
    m.clientId = id;
    m.to = to;
    m.timestampMs = timestampMs;
    return m;
}

MessageParties from(const QString &sender, const QString &recipient = {})
{
    return MessageParties{sender, recipient};
}

HistoryQuery query(const QString &viewer, const QString &with, int limit = 50, qint64 before = 0,
                   qint64 after = 0)
{
    HistoryQuery q;
    q.viewer = viewer;
    q.with = with;
    q.limit = limit;
    q.before = before;
    q.after = after;
    return q;
}

QStringList contents(const std::optional<QList<ChatMessage>> &page)
{
    QStringList list;
    if (page) {
        for (const ChatMessage &m : *page)
            list << m.content;
    }
    return list;
}

QJsonArray historyOf(TestClient &c, const QString &with = {})
{
    c.sendJson(MessageEncoder::historyRequest(with, 0, 0, 200));
    return c.waitForType(QStringLiteral("history")).value(QLatin1String("messages")).toArray();
}

QJsonObject ackOf(TestClient &c, const QString &id)
{
    return c.waitFor([&](const QJsonObject &o) {
        return o.value(QLatin1String("type")).toString() == QLatin1String("ack") &&
               o.value(QLatin1String("id")).toString() == id;
    });
}

} // namespace

class TestStoreContract : public QObject
{
    Q_OBJECT
private:
    // A PostgreSQL store's tables as the first schema created them (for the upgrade tests).
    static bool backToVersionOne(const QSqlDatabase &db)
    {
        QSqlQuery q(db);
        return q.exec(QStringLiteral("DROP INDEX messages_node")) &&
               q.exec(QStringLiteral("ALTER TABLE messages DROP COLUMN node")) &&
               q.exec(QStringLiteral("ALTER TABLE messages DROP COLUMN call")) &&
               q.exec(QStringLiteral("DELETE FROM schema_version WHERE version > 1"));
    }

    PostgresProcess m_postgres;
    bool m_postgresUp = false;
    QTemporaryDir m_files;
    int m_fileCount = 0;
    QString m_why;
    QString m_backend; // this row's (init())

    QString backend() const { return m_backend; }

    // A new, empty place for a store of this row's backend: a file or a database. "" (and
    // m_why) when there is none.
    QString newLocation()
    {
        if (backend() == kSqlite)
            return m_files.filePath(QStringLiteral("h%1.sqlite").arg(++m_fileCount));
        if (!m_postgresUp) {
            m_why = QStringLiteral("PostgreSQL did not start: ") + m_postgres.error();
            return {};
        }
        const QString url = m_postgres.createDatabase();
        if (url.isEmpty())
            m_why = m_postgres.error();
        return url;
    }

    std::unique_ptr<MessageStore> storeAt(const QString &location)
    {
        if (backend() == kSqlite)
            return std::make_unique<SqliteMessageStore>(location, false);
        QString why;
        const std::optional<PostgresUrl> url = PostgresUrl::parse(location, &why);
        return url ? std::make_unique<PostgresMessageStore>(*url) : nullptr;
    }

    // Opens a store at a new location: nullptr (and m_why) on failure.
    std::unique_ptr<MessageStore> openNew(QString *location = nullptr)
    {
        const QString where = newLocation();
        if (where.isEmpty())
            return nullptr;
        if (location)
            *location = where;
        std::unique_ptr<MessageStore> store = storeAt(where);
        if (!store || !store->open(&m_why))
            return nullptr;
        return store;
    }

    // A direct connection to a test database, for what the store does not show.
    QSqlDatabase connectTo(const QString &location, const QString &name)
    {
        return openDirectConnection(location, name);
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
        // One cluster for the whole program; a missing PostgreSQL fails the postgresql rows.
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

    void textComesBackAsItWent()
    {
        const auto store = openNew();
        QVERIFY2(store, qPrintable(m_why));
        // Quotes and backslashes would break a store that pasted text into SQL; the rest is
        // UTF-8 beyond the BMP, UTF-8 in names, and length.
        const QString texts[] = {QString::fromUcs4(U"\U0001F600 \u540D\u5B57 Zo\u00EB"),
                                 QStringLiteral("quote\" 'single' back\\ <b>&amp;</b>\ttab ?"),
                                 QStringLiteral("E'\\x41' $1 :name ; DROP TABLE messages; --"),
                                 QStringLiteral("x").repeated(4000)};
        for (const QString &text : texts) {
            ChatMessage m = message(QStringLiteral("Zo\u00EB"), text, QString());
            m.mentions = QStringList{QStringLiteral("bob"), QStringLiteral("carol")};
            QCOMPARE(store->append(m, from(QStringLiteral("a1"))),
                     MessageStore::AppendResult::Stored);
        }
        QVERIFY(store->commit());
        bool more = true;
        const auto page = store->history(query(QStringLiteral("a2"), {}), &more);
        QVERIFY2(page, qPrintable(store->lastError()));
        QCOMPARE(page->size(), 4);
        QVERIFY(!more);
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(page->at(i).content, texts[i]);
            QCOMPARE(page->at(i).from, QStringLiteral("Zo\u00EB"));
            QCOMPARE(page->at(i).mentions,
                     (QStringList{QStringLiteral("bob"), QStringLiteral("carol")}));
            QCOMPARE(page->at(i).timestampMs, qint64(1795655458483));
            QVERIFY(page->at(i).clientId.isEmpty());
            QVERIFY(page->at(i).to.isEmpty());
        }
    }

    void seqFollowsTheOrderOfAppends()
    {
        const auto store = openNew();
        QVERIFY2(store, qPrintable(m_why));
        QList<qint64> seqs;
        // Two batches; the senders' clocks disagree, and the order is the store's, not theirs.
        for (int batch = 0; batch < 2; ++batch) {
            for (int i = 0; i < 3; ++i) {
                ChatMessage m =
                    message(QStringLiteral("alice"), QStringLiteral("m%1").arg(batch * 3 + i),
                            QStringLiteral("c%1").arg(batch * 3 + i), {},
                            1795655458483 - (batch * 3 + i) * 1000);
                QCOMPARE(store->append(m, from(QStringLiteral("a1"))),
                         MessageStore::AppendResult::Stored);
                QVERIFY(m.seq > 0);
                if (!seqs.isEmpty())
                    QVERIFY2(m.seq > seqs.last(), qPrintable(QString::number(m.seq)));
                seqs << m.seq;
            }
            QVERIFY(store->commit());
        }
        bool more = true;
        const auto page = store->history(query(QStringLiteral("a1"), {}), &more);
        QVERIFY2(page, qPrintable(store->lastError()));
        QCOMPARE(page->size(), 6);
        for (int i = 0; i < 6; ++i) {
            QCOMPARE(page->at(i).seq, seqs.at(i));
            QCOMPARE(page->at(i).content, QStringLiteral("m%1").arg(i));
            QCOMPARE(page->at(i).timestampMs, 1795655458483 - i * 1000);
            QCOMPARE(page->at(i).clientId, QStringLiteral("c%1").arg(i));
        }
    }

    void resendIsFoundBySenderAndClientId()
    {
        const auto store = openNew();
        QVERIFY2(store, qPrintable(m_why));
        ChatMessage first = message(QStringLiteral("Alice"), QStringLiteral("hi"),
                                    QStringLiteral("0192f4a1-8b2c-7d3e-9f01-23456789abcd"));
        QCOMPARE(store->append(first, from(QStringLiteral("a1"))),
                 MessageStore::AppendResult::Stored);
        // In the same batch, before the commit, a resend is already recognised.
        ChatMessage early = message(QStringLiteral("alice"), QStringLiteral("hi"), first.clientId);
        QCOMPARE(store->append(early, from(QStringLiteral("a1"))),
                 MessageStore::AppendResult::Duplicate);
        QCOMPARE(early.seq, first.seq);
        QVERIFY(store->commit());
        // After it: the stored seq and time come back, not the resend's time.
        ChatMessage again = message(QStringLiteral("alice"), QStringLiteral("hi"), first.clientId);
        again.timestampMs = first.timestampMs + 5000;
        QCOMPARE(store->append(again, from(QStringLiteral("a1"))),
                 MessageStore::AppendResult::Duplicate);
        QCOMPARE(again.seq, first.seq);
        QCOMPARE(again.timestampMs, first.timestampMs);
        // The same id from another identity is another message, also under the same name.
        ChatMessage other = message(QStringLiteral("bob"), QStringLiteral("hi"), first.clientId);
        QCOMPARE(store->append(other, from(QStringLiteral("a2"))),
                 MessageStore::AppendResult::Stored);
        QVERIFY(other.seq > first.seq);
        ChatMessage impostor =
            message(QStringLiteral("alice"), QStringLiteral("hi"), first.clientId);
        QCOMPARE(store->append(impostor, from(QStringLiteral("g77"))),
                 MessageStore::AppendResult::Stored);
        // Messages without an id (the seed page's) are never duplicates.
        ChatMessage seed1 = message(QStringLiteral("carol"), QStringLiteral("same"), QString());
        ChatMessage seed2 = message(QStringLiteral("carol"), QStringLiteral("same"), QString());
        QCOMPARE(store->append(seed1, from(QStringLiteral("g5"))),
                 MessageStore::AppendResult::Stored);
        QCOMPARE(store->append(seed2, from(QStringLiteral("g5"))),
                 MessageStore::AppendResult::Stored);
        QVERIFY(store->commit());
        bool more = false;
        QCOMPARE(store->history(query(QStringLiteral("a1"), {}), &more)->size(), 5);
    }

    void rollbackForgetsTheBatch()
    {
        const auto store = openNew();
        QVERIFY2(store, qPrintable(m_why));
        QVERIFY(store->commit()); // nothing open: nothing to do
        ChatMessage kept =
            message(QStringLiteral("alice"), QStringLiteral("kept"), QStringLiteral("k1"));
        QCOMPARE(store->append(kept, from(QStringLiteral("a1"))),
                 MessageStore::AppendResult::Stored);
        QVERIFY(store->commit());
        for (const QString &id : {QStringLiteral("r1"), QStringLiteral("r2")}) {
            ChatMessage m = message(QStringLiteral("alice"), QStringLiteral("rolled back"), id);
            QCOMPARE(store->append(m, from(QStringLiteral("a1"))),
                     MessageStore::AppendResult::Stored);
        }
        store->rollback();
        bool more = false;
        QCOMPARE(contents(store->history(query(QStringLiteral("a1"), {}), &more)),
                 QStringList{QStringLiteral("kept")});
        // The ids of the forgotten batch are free: their resend is a new message.
        ChatMessage resent =
            message(QStringLiteral("alice"), QStringLiteral("second try"), QStringLiteral("r1"));
        QCOMPARE(store->append(resent, from(QStringLiteral("a1"))),
                 MessageStore::AppendResult::Stored);
        QVERIFY(resent.seq > kept.seq);
        QVERIFY(store->commit());
        QCOMPARE(contents(store->history(query(QStringLiteral("a1"), {}), &more)),
                 (QStringList{QStringLiteral("kept"), QStringLiteral("second try")}));
    }

    void historyPagesBackAndForward()
    {
        const auto store = openNew();
        QVERIFY2(store, qPrintable(m_why));
        QList<qint64> seq;
        for (int i = 0; i < 10; ++i) {
            ChatMessage m = message(QStringLiteral("alice"), QStringLiteral("p%1").arg(i),
                                    QStringLiteral("id%1").arg(i));
            QCOMPARE(store->append(m, from(QStringLiteral("a1"))),
                     MessageStore::AppendResult::Stored);
            seq << m.seq;
        }
        QVERIFY(store->commit());
        auto page = [&](int limit, qint64 before, qint64 after, bool *more) {
            return contents(
                store->history(query(QStringLiteral("a2"), {}, limit, before, after), more));
        };
        auto list = [](std::initializer_list<int> items) {
            QStringList l;
            for (int i : items)
                l << QStringLiteral("p%1").arg(i);
            return l;
        };
        bool more = false;
        // The newest page, then older ones (oldest first within a page).
        QCOMPARE(page(3, 0, 0, &more), list({7, 8, 9}));
        QVERIFY(more);
        QCOMPARE(page(3, seq[7], 0, &more), list({4, 5, 6}));
        QVERIFY(more);
        QCOMPARE(page(3, seq[1], 0, &more), list({0}));
        QVERIFY(!more);
        // Catching up after a seq: forwards from there.
        QCOMPARE(page(3, 0, seq[2], &more), list({3, 4, 5}));
        QVERIFY(more);
        QCOMPARE(page(5, 0, seq[6], &more), list({7, 8, 9}));
        QVERIFY(!more);
        QCOMPARE(page(5, 0, seq[9], &more), QStringList());
        QVERIFY(!more);
        // Both bounds: the newest of the range.
        QCOMPARE(page(10, seq[8], seq[2], &more), list({3, 4, 5, 6, 7}));
        QVERIFY(!more);
        QCOMPARE(page(3, seq[8], seq[2], &more), list({5, 6, 7}));
        QVERIFY(more);
    }

    void privateHistoryBelongsToIdentities()
    {
        const auto store = openNew();
        QVERIFY2(store, qPrintable(m_why));
        ChatMessage secret = message(QStringLiteral("alice"), QStringLiteral("secret"),
                                     QStringLiteral("s-1"), QStringLiteral("Bob"));
        ChatMessage open = message(QStringLiteral("carol"), QStringLiteral("hello"), QString());
        // alice is account 1, bob account 2, carol account 3; "g1" is a guest who calls
        // itself bob later.
        QCOMPARE(store->append(secret, from(QStringLiteral("a1"), QStringLiteral("a2"))),
                 MessageStore::AppendResult::Stored);
        QCOMPARE(store->append(open, from(QStringLiteral("a3"))),
                 MessageStore::AppendResult::Stored);
        QVERIFY(store->commit());
        bool more = false;
        QCOMPARE(store->history(query(QStringLiteral("a2"), QStringLiteral("*")), &more)->size(),
                 2);
        QCOMPARE(store->history(query(QStringLiteral("a1"), QStringLiteral("*")), &more)->size(),
                 2);
        const auto bobsView =
            store->history(query(QStringLiteral("a2"), QStringLiteral("ALICE")), &more);
        QCOMPARE(bobsView->size(), 1);
        QCOMPARE(bobsView->first().to, QStringLiteral("Bob"));
        QCOMPARE(bobsView->first().from, QStringLiteral("alice"));
        QCOMPARE(store->history(query(QStringLiteral("a1"), QStringLiteral("bob")), &more)->size(),
                 1);
        // The public room has no private messages, for their parties neither.
        QCOMPARE(contents(store->history(query(QStringLiteral("a1"), {}), &more)),
                 QStringList{QStringLiteral("hello")});
        QCOMPARE(contents(store->history(query(QStringLiteral("a3"), QStringLiteral("*")), &more)),
                 QStringList{QStringLiteral("hello")});
        QVERIFY(
            store->history(query(QStringLiteral("a3"), QStringLiteral("alice")), &more)->isEmpty());
        // The name is not the key: a guest called bob gets nothing of bob's.
        QCOMPARE(store->history(query(QStringLiteral("g1"), QStringLiteral("*")), &more)->size(),
                 1);
        QVERIFY(
            store->history(query(QStringLiteral("g1"), QStringLiteral("alice")), &more)->isEmpty());
        // Without an identity, only the public room.
        QCOMPARE(store->history(query(QString(), QStringLiteral("*")), &more)->size(), 1);
    }

    void everythingVisibleIsOneTimeline()
    {
        const auto store = openNew();
        QVERIFY2(store, qPrintable(m_why));
        // Public and private interleaved; x3 is between others and not a1's.
        struct Row
        {
            const char *content;
            const char *from;
            const char *to;
            const char *senderId;
            const char *recipientId;
        };
        const Row rows[] = {
            {"p1", "carol", "", "a3", ""},      {"x1", "alice", "bob", "a1", "a2"},
            {"p2", "bob", "", "a2", ""},        {"x2", "carol", "alice", "a3", "a1"},
            {"x3", "bob", "carol", "a2", "a3"}, {"p3", "alice", "", "a1", ""}};
        QHash<QString, qint64> seq;
        for (const Row &row : rows) {
            ChatMessage m = message(QLatin1String(row.from), QLatin1String(row.content),
                                    QLatin1String(row.content), QLatin1String(row.to));
            QCOMPARE(
                store->append(m, from(QLatin1String(row.senderId), QLatin1String(row.recipientId))),
                MessageStore::AppendResult::Stored);
            seq[QLatin1String(row.content)] = m.seq;
        }
        QVERIFY(store->commit());
        bool more = false;
        auto page = [&](int limit, qint64 before, qint64 after) {
            return contents(store->history(
                query(QStringLiteral("a1"), QStringLiteral("*"), limit, before, after), &more));
        };
        const QStringList all{QStringLiteral("p1"), QStringLiteral("x1"), QStringLiteral("p2"),
                              QStringLiteral("x2"), QStringLiteral("p3")};
        QCOMPARE(page(50, 0, 0), all);
        QVERIFY(!more);
        QCOMPARE(page(2, 0, 0), all.mid(3, 2));
        QVERIFY(more);
        QCOMPARE(page(2, seq[QStringLiteral("x2")], 0), all.mid(1, 2));
        QVERIFY(more);
        QCOMPARE(page(3, 0, seq[QStringLiteral("p1")]), all.mid(1, 3));
        QVERIFY(more);
        QCOMPARE(page(3, 0, seq[QStringLiteral("p2")]), all.mid(3, 2));
        QVERIFY(!more);
    }

    void pagesAreBoundedInBytes()
    {
        const auto store = openNew();
        QVERIFY2(store, qPrintable(m_why));
        for (int i = 0; i < 20; ++i) {
            ChatMessage m =
                message(QStringLiteral("alice"), QString(4000, QLatin1Char('a' + i)), QString());
            QCOMPARE(store->append(m, from(QStringLiteral("a1"))),
                     MessageStore::AppendResult::Stored);
        }
        QVERIFY(store->commit());
        HistoryQuery q = query(QStringLiteral("a2"), {}, 200);
        q.maxBytes = 20000; // 5 messages of 4000 bytes of UTF-8
        bool more = false;
        const auto page = store->history(q, &more);
        QVERIFY(page);
        QVERIFY(more);
        QCOMPARE(page->size(), 5);
        QCOMPARE(page->last().content.at(0), QLatin1Char('a' + 19)); // the newest, oldest first
        // Counted as the UTF-8 that goes out: 4000 Chinese characters are 12000 bytes.
        ChatMessage wide =
            message(QStringLiteral("alice"), QString(4000, QChar(0x6C49)), QString());
        QCOMPARE(store->append(wide, from(QStringLiteral("a1"))),
                 MessageStore::AppendResult::Stored);
        QVERIFY(store->commit());
        QCOMPARE(store->history(q, &more)->size(), 3); // 12000 + 4000 + 4000 bytes
        // One message larger than the bound still comes (a page is never empty).
        q.maxBytes = 10;
        QCOMPARE(store->history(q, &more)->size(), 1);
        QVERIFY(more);
    }

    void reopeningKeepsHistoryAndSeqGoesOn()
    {
        QString location;
        qint64 last = 0;
        qint64 firstSeq = 0;
        {
            const auto store = openNew(&location);
            QVERIFY2(store, qPrintable(m_why));
            for (int i = 0; i < 3; ++i) {
                ChatMessage m = message(QStringLiteral("alice"), QStringLiteral("old %1").arg(i),
                                        QStringLiteral("o%1").arg(i));
                QCOMPARE(store->append(m, from(QStringLiteral("a1"))),
                         MessageStore::AppendResult::Stored);
                last = m.seq;
                if (i == 0)
                    firstSeq = m.seq;
            }
            QVERIFY(store->commit());
        }
        // A second open of the same place (the schema is there already: nothing changes).
        for (int round = 0; round < 2; ++round) {
            const auto store = storeAt(location);
            QString error;
            QVERIFY2(store->open(&error), qPrintable(error));
            bool more = false;
            const auto page = store->history(query(QStringLiteral("a2"), {}), &more);
            QCOMPARE(page->size(), 3 + round);
            QCOMPARE(page->first().content, QStringLiteral("old 0"));
            QCOMPARE(page->first().seq, firstSeq);
            // A resend of what was stored before is still recognised...
            ChatMessage resent =
                message(QStringLiteral("alice"), QStringLiteral("old 0"), QStringLiteral("o0"));
            QCOMPARE(store->append(resent, from(QStringLiteral("a1"))),
                     MessageStore::AppendResult::Duplicate);
            QCOMPARE(resent.seq, firstSeq);
            // ...and new messages go on after the old ones.
            ChatMessage m = message(QStringLiteral("alice"), QStringLiteral("new %1").arg(round),
                                    QStringLiteral("n%1").arg(round));
            QCOMPARE(store->append(m, from(QStringLiteral("a1"))),
                     MessageStore::AppendResult::Stored);
            QVERIFY2(m.seq > last, qPrintable(QStringLiteral("%1 <= %2").arg(m.seq).arg(last)));
            last = m.seq;
            QVERIFY(store->commit());
        }
    }

    // Edits and deletes (docs/protocol.md section 5.5): authorised by the sender's identity,
    // stored so that history shows the current text, and kept across a reopen.
    void changesAreAuthorisedAndStored()
    {
        QString location;
        qint64 publicSeq = 0;
        qint64 privateSeq = 0;
        auto change = [](MessageChange::Kind kind, qint64 seq, const QString &actor,
                         const QString &content = {}) {
            MessageChange c;
            c.kind = kind;
            c.seq = seq;
            c.actor = actor;
            c.content = content;
            c.timestampMs = 1795655460000;
            return c;
        };
        using K = MessageChange::Kind;
        {
            const auto store = openNew(&location);
            QVERIFY2(store, qPrintable(m_why));
            ChatMessage pub =
                message(QStringLiteral("alice"), QStringLiteral("hello"), QStringLiteral("c1"));
            ChatMessage priv = message(QStringLiteral("alice"), QStringLiteral("secret"),
                                       QStringLiteral("c2"), QStringLiteral("bob"));
            QCOMPARE(store->append(pub, from(QStringLiteral("a1"))),
                     MessageStore::AppendResult::Stored);
            QCOMPARE(store->append(priv, from(QStringLiteral("a1"), QStringLiteral("a2"))),
                     MessageStore::AppendResult::Stored);
            QVERIFY(store->commit());
            publicSeq = pub.seq;
            privateSeq = priv.seq;

            MessageStore::Stored changed;
            // Someone else's message, a message that does not exist, another pair's private
            // message (answered as if it did not exist).
            QCOMPARE(
                store->applyChange(change(K::Edit, publicSeq, QStringLiteral("a2"), "x"), &changed),
                ErrorCode::NotYours);
            QCOMPARE(
                store->applyChange(change(K::Delete, privateSeq, QStringLiteral("a2")), &changed),
                ErrorCode::NotYours);
            QCOMPARE(store->applyChange(
                         change(K::Edit, privateSeq + 100, QStringLiteral("a1"), "x"), &changed),
                     ErrorCode::UnknownMessage);
            QCOMPARE(
                store->applyChange(change(K::Delete, privateSeq, QStringLiteral("a3")), &changed),
                ErrorCode::UnknownMessage);
            // The author's edit, then the author's delete of the private one.
            QCOMPARE(store->applyChange(change(K::Edit, publicSeq, QStringLiteral("a1"),
                                               QStringLiteral("hello again")),
                                        &changed),
                     ErrorCode::None);
            QCOMPARE(changed.message.content, QStringLiteral("hello again"));
            QCOMPARE(changed.message.editedMs, qint64(1795655460000));
            QCOMPARE(changed.parties.sender, QStringLiteral("a1"));
            QCOMPARE(
                store->applyChange(change(K::Delete, privateSeq, QStringLiteral("a1")), &changed),
                ErrorCode::None);
            QVERIFY(changed.message.deleted);
            QCOMPARE(changed.message.to, QStringLiteral("bob"));
            QCOMPARE(changed.parties.recipient, QStringLiteral("a2")); // who to tell
            QVERIFY(store->commit());
            // A deleted message stays deleted.
            QCOMPARE(store->applyChange(change(K::Edit, privateSeq, QStringLiteral("a1"), "x"),
                                        &changed),
                     ErrorCode::MessageDeleted);
            QVERIFY(store->commit());
        }
        // Reopened: history shows the messages as they are now, at their seqs.
        const auto store = storeAt(location);
        QString error;
        QVERIFY2(store->open(&error), qPrintable(error));
        bool more = false;
        const auto page = store->history(query(QStringLiteral("a2"), QStringLiteral("*")), &more);
        QVERIFY2(page, qPrintable(store->lastError()));
        QCOMPARE(page->size(), 2);
        QCOMPARE(page->at(0).seq, publicSeq);
        QCOMPARE(page->at(0).content, QStringLiteral("hello again"));
        QCOMPARE(page->at(0).editedMs, qint64(1795655460000));
        QVERIFY(!page->at(0).deleted);
        QCOMPARE(page->at(1).seq, privateSeq);
        QVERIFY(page->at(1).deleted);
        QVERIFY(page->at(1).content.isEmpty()); // the text is gone, not hidden
        QCOMPARE(page->at(1).editedMs, qint64(0));
    }

    // Reactions (docs/protocol.md section 5.7): given by whoever may see the message, bounded
    // per user and per message, stored once, and read back with history pages in the order
    // given, with the viewer's own marked.
    void reactionsAreBoundedAndComeBackWithHistory()
    {
        QString location;
        qint64 pubSeq = 0;
        qint64 privSeq = 0;
        auto react = [](qint64 seq, const QString &actor, const QString &emoji, bool add = true) {
            MessageChange c;
            c.kind = add ? MessageChange::Kind::React : MessageChange::Kind::Unreact;
            c.seq = seq;
            c.actor = actor;
            c.actorName = QStringLiteral("n-") + actor;
            c.emoji = emoji;
            c.timestampMs = 1795655460000;
            return c;
        };
        const QString thumbs = QString::fromUtf8("\xF0\x9F\x91\x8D");
        const QString heart = QString::fromUtf8("\xE2\x9D\xA4\xEF\xB8\x8F");
        {
            const auto store = openNew(&location);
            QVERIFY2(store, qPrintable(m_why));
            ChatMessage pub =
                message(QStringLiteral("alice"), QStringLiteral("hello"), QStringLiteral("c1"));
            ChatMessage priv = message(QStringLiteral("alice"), QStringLiteral("secret"),
                                       QStringLiteral("c2"), QStringLiteral("bob"));
            ChatMessage gone =
                message(QStringLiteral("alice"), QStringLiteral("gone"), QStringLiteral("c3"));
            QCOMPARE(store->append(pub, from(QStringLiteral("a1"))),
                     MessageStore::AppendResult::Stored);
            QCOMPARE(store->append(priv, from(QStringLiteral("a1"), QStringLiteral("a2"))),
                     MessageStore::AppendResult::Stored);
            QCOMPARE(store->append(gone, from(QStringLiteral("a1"))),
                     MessageStore::AppendResult::Stored);
            QVERIFY(store->commit());
            pubSeq = pub.seq;
            privSeq = priv.seq;
            MessageStore::Stored changed;
            bool unchanged = false;
            MessageChange del;
            del.kind = MessageChange::Kind::Delete;
            del.seq = gone.seq;
            del.actor = QStringLiteral("a1");
            QCOMPARE(store->applyChange(del, &changed), ErrorCode::None);

            // Who may not: a third identity on a private message, a seq that does not exist,
            // a deleted message.
            QCOMPARE(store->applyChange(react(privSeq, QStringLiteral("a3"), thumbs), &changed,
                                        &unchanged),
                     ErrorCode::UnknownMessage);
            QCOMPARE(store->applyChange(react(gone.seq + 100, QStringLiteral("a1"), thumbs),
                                        &changed, &unchanged),
                     ErrorCode::UnknownMessage);
            QCOMPARE(store->applyChange(react(gone.seq, QStringLiteral("a1"), thumbs), &changed,
                                        &unchanged),
                     ErrorCode::MessageDeleted);
            // The recipient of the private one may; the summary comes with the change.
            QCOMPARE(store->applyChange(react(privSeq, QStringLiteral("a2"), heart), &changed,
                                        &unchanged),
                     ErrorCode::None);
            QVERIFY(!unchanged);
            QCOMPARE(changed.message.reactions.size(), 1);
            QCOMPARE(changed.message.reactions.at(0).from, QStringList{QStringLiteral("n-a2")});
            QCOMPARE(changed.parties.recipient, QStringLiteral("a2"));

            // The same reaction twice is stored once.
            QCOMPARE(store->applyChange(react(pubSeq, QStringLiteral("b"), thumbs), &changed,
                                        &unchanged),
                     ErrorCode::None);
            QCOMPARE(store->applyChange(react(pubSeq, QStringLiteral("b"), thumbs), &changed,
                                        &unchanged),
                     ErrorCode::None);
            QVERIFY(unchanged);
            // Per user: kMaxReactionsPerUser, then too_many_reactions.
            const QStringList faces = {QString::fromUtf8("\xF0\x9F\x98\x80"),
                                       QString::fromUtf8("\xF0\x9F\x98\x82"),
                                       QString::fromUtf8("\xF0\x9F\x98\xAE")};
            QCOMPARE(ChatMessage::kMaxReactionsPerUser, 3);
            QCOMPARE(store->applyChange(react(pubSeq, QStringLiteral("b"), faces.at(0)), &changed,
                                        &unchanged),
                     ErrorCode::None);
            QCOMPARE(store->applyChange(react(pubSeq, QStringLiteral("b"), faces.at(1)), &changed,
                                        &unchanged),
                     ErrorCode::None);
            QCOMPARE(store->applyChange(react(pubSeq, QStringLiteral("b"), faces.at(2)), &changed,
                                        &unchanged),
                     ErrorCode::TooManyReactions);
            // Taking one back makes room; taking back what is not there changes nothing.
            QCOMPARE(store->applyChange(react(pubSeq, QStringLiteral("b"), faces.at(1), false),
                                        &changed, &unchanged),
                     ErrorCode::None);
            QVERIFY(!unchanged);
            QCOMPARE(store->applyChange(react(pubSeq, QStringLiteral("b"), faces.at(1), false),
                                        &changed, &unchanged),
                     ErrorCode::None);
            QVERIFY(unchanged);
            // Per message: at most kMaxReactionKinds distinct emoji. Many users, each with a
            // new one: 2 there (thumbs, faces[0]), so 14 more fit, the 17th kind does not.
            int kinds = 2;
            for (int i = 0; kinds < ChatMessage::kMaxReactionKinds; ++i, ++kinds) {
                const char32_t code = 0x1F60A + i;
                const QString emoji = QString::fromUcs4(&code, 1);
                QCOMPARE(store->applyChange(react(pubSeq, QStringLiteral("u%1").arg(i), emoji),
                                            &changed, &unchanged),
                         ErrorCode::None);
            }
            const char32_t rocket = 0x1F680;
            QCOMPARE(store->applyChange(
                         react(pubSeq, QStringLiteral("late"), QString::fromUcs4(&rocket, 1)),
                         &changed, &unchanged),
                     ErrorCode::TooManyReactions);
            // An emoji that is there already still may be given, up to kMaxReactionsPerMessage
            // in all.
            for (int i = int(changed.message.reactions.size()); true; ++i) {
                int total = 0;
                for (const ChatMessage::Reaction &r : changed.message.reactions)
                    total += r.count;
                if (total == ChatMessage::kMaxReactionsPerMessage)
                    break;
                QCOMPARE(store->applyChange(react(pubSeq, QStringLiteral("m%1").arg(i), thumbs),
                                            &changed, &unchanged),
                         ErrorCode::None);
            }
            QCOMPARE(store->applyChange(react(pubSeq, QStringLiteral("one-more"), thumbs), &changed,
                                        &unchanged),
                     ErrorCode::TooManyReactions);
            QCOMPARE(changed.message.reactions.first().emoji, thumbs); // the first given
            QCOMPARE(changed.message.reactions.first().from.size(), ChatMessage::kReactionNames);
            QVERIFY(store->commit());
        }
        // Reopened: history pages carry them, the viewer's own marked; a deleted message none.
        const auto store = storeAt(location);
        QString error;
        QVERIFY2(store->open(&error), qPrintable(error));
        bool more = false;
        const auto page = store->history(query(QStringLiteral("a2"), QStringLiteral("*")), &more);
        QVERIFY2(page, qPrintable(store->lastError()));
        QCOMPARE(page->size(), 3);
        const QList<ChatMessage::Reaction> pub = page->at(0).reactions;
        QCOMPARE(pub.size(), ChatMessage::kMaxReactionKinds);
        QCOMPARE(pub.first().emoji, thumbs);
        QCOMPARE(pub.first().count,
                 ChatMessage::kMaxReactionsPerMessage - (ChatMessage::kMaxReactionKinds - 2) - 1);
        QCOMPARE(pub.first().from.first(), QStringLiteral("n-b"));
        QVERIFY(!pub.first().mine);
        QCOMPARE(page->at(1).reactions.size(), 1);
        QVERIFY(page->at(1).reactions.first().mine); // a2's own
        QCOMPARE(page->at(1).reactions.first().emoji, heart);
        QVERIFY(page->at(2).reactions.isEmpty());
        // A third identity sees the public one only, with nothing marked as its own.
        const auto other = store->history(query(QStringLiteral("b"), QStringLiteral("*")), &more);
        QVERIFY(other);
        QCOMPARE(other->size(), 2);
        QVERIFY(other->at(0).reactions.at(0).mine); // b gave the first two
        QVERIFY(other->at(0).reactions.at(1).mine);
        QVERIFY(!other->at(0).reactions.at(2).mine);
    }

    // Read receipts (docs/protocol.md section 19): a marker per (reader, sender) identity,
    // moved only forward, only within the reader's own conversation, never past the newest
    // message, and kept across a reopen.
    void receiptMarkersMoveForwardAndSurviveAReopen()
    {
        QString location;
        auto receipt = [](qint64 seq, const QString &reader, const QString &peerKey, bool read) {
            MessageChange c;
            c.kind = MessageChange::Kind::Receipt;
            c.seq = seq;
            c.actor = reader;
            c.actorName = QStringLiteral("Bob");
            c.peerKey = peerKey;
            c.receiptRead = read;
            c.timestampMs = 1795655460000 + seq;
            return c;
        };
        qint64 first = 0;
        qint64 second = 0;
        qint64 last = 0;
        {
            const auto store = openNew(&location);
            QVERIFY2(store, qPrintable(m_why));
            // alice (a1) writes to bob (a2) twice, a public message between, and carol (a3)
            // writes to alice.
            ChatMessage m1 = message(QStringLiteral("alice"), QStringLiteral("one"),
                                     QStringLiteral("r1"), QStringLiteral("bob"));
            ChatMessage pub =
                message(QStringLiteral("alice"), QStringLiteral("all"), QStringLiteral("r2"));
            ChatMessage m2 = message(QStringLiteral("alice"), QStringLiteral("two"),
                                     QStringLiteral("r3"), QStringLiteral("bob"));
            ChatMessage other = message(QStringLiteral("carol"), QStringLiteral("psst"),
                                        QStringLiteral("r4"), QStringLiteral("alice"));
            QCOMPARE(store->append(m1, from(QStringLiteral("a1"), QStringLiteral("a2"))),
                     MessageStore::AppendResult::Stored);
            QCOMPARE(store->append(pub, from(QStringLiteral("a1"))),
                     MessageStore::AppendResult::Stored);
            QCOMPARE(store->append(m2, from(QStringLiteral("a1"), QStringLiteral("a2"))),
                     MessageStore::AppendResult::Stored);
            QCOMPARE(store->append(other, from(QStringLiteral("a3"), QStringLiteral("a1"))),
                     MessageStore::AppendResult::Stored);
            QVERIFY(store->commit());
            first = m1.seq;
            second = m2.seq;
            last = other.seq;
            MessageStore::Stored target;
            MessageStore::ReceiptRow row;
            bool unchanged = false;
            const QString aliceKey = QStringLiteral("alice");
            // Past the newest message: bad_receipt. No message from alice to carol (a3), nor
            // from bob to alice: not their conversation.
            QCOMPARE(store->applyChange(receipt(last + 1, QStringLiteral("a2"), aliceKey, true),
                                        &target, &unchanged, &row),
                     ErrorCode::BadReceipt);
            QCOMPARE(store->applyChange(receipt(last, QStringLiteral("a3"), aliceKey, true),
                                        &target, &unchanged, &row),
                     ErrorCode::UnknownMessage);
            QCOMPARE(
                store->applyChange(receipt(last, QStringLiteral("a1"), QStringLiteral("bob"), true),
                                   &target, &unchanged, &row),
                ErrorCode::UnknownMessage);
            // Delivered up to the public message: the marker is alice's first message, for
            // alice's identity.
            QCOMPARE(store->applyChange(receipt(pub.seq, QStringLiteral("a2"), aliceKey, false),
                                        &target, &unchanged, &row),
                     ErrorCode::None);
            QVERIFY(!unchanged);
            QCOMPARE(target.message.seq, first);
            QCOMPARE(target.parties.sender, QStringLiteral("a1"));
            QCOMPARE(row.delivered, first);
            QCOMPARE(row.read, 0);
            QCOMPARE(row.readerName, QStringLiteral("Bob"));
            // Read up to the newest (carol's, not to bob): alice's second, delivered with it.
            QCOMPARE(store->applyChange(receipt(last, QStringLiteral("a2"), aliceKey, true),
                                        &target, &unchanged, &row),
                     ErrorCode::None);
            QVERIFY(!unchanged);
            QCOMPARE(row.delivered, second);
            QCOMPARE(row.read, second);
            // Never back: an older read or delivered changes nothing.
            QCOMPARE(store->applyChange(receipt(first, QStringLiteral("a2"), aliceKey, true),
                                        &target, &unchanged, &row),
                     ErrorCode::None);
            QVERIFY(unchanged);
            QCOMPARE(row.read, second);
            QCOMPARE(store->applyChange(receipt(second, QStringLiteral("a2"), aliceKey, false),
                                        &target, &unchanged, &row),
                     ErrorCode::None);
            QVERIFY(unchanged);
            QVERIFY(store->commit());
        }
        const auto store = storeAt(location);
        QString error;
        QVERIFY2(store->open(&error), qPrintable(error));
        // Alice finds bob's markers on her messages; carol has none on hers.
        const auto rows = store->receiptsOn(QStringLiteral("a1"), 200);
        QVERIFY2(rows, qPrintable(store->lastError()));
        QCOMPARE(rows->size(), 1);
        QCOMPARE(rows->first().reader, QStringLiteral("a2"));
        QCOMPARE(rows->first().readerName, QStringLiteral("Bob"));
        QCOMPARE(rows->first().delivered, second);
        QCOMPARE(rows->first().read, second);
        const auto none = store->receiptsOn(QStringLiteral("a3"), 200);
        QVERIFY(none);
        QVERIFY(none->isEmpty());
        // Still monotonic after the reopen.
        MessageStore::Stored target;
        MessageStore::ReceiptRow row;
        bool unchanged = false;
        QCOMPARE(
            store->applyChange(receipt(first, QStringLiteral("a2"), QStringLiteral("alice"), true),
                               &target, &unchanged, &row),
            ErrorCode::None);
        QVERIFY(unchanged);
        QCOMPARE(row.read, second);
        QVERIFY(store->commit());
    }

    // Replies (docs/protocol.md section 5.6): checked against who may see the original, and
    // read back with a quote of the original as it is now.
    void repliesQuoteWhatTheirReceiversMaySee()
    {
        const auto store = openNew();
        QVERIFY2(store, qPrintable(m_why));
        ChatMessage pub = message(QStringLiteral("alice"), QStringLiteral("public words"), "r1");
        ChatMessage priv =
            message(QStringLiteral("alice"), QStringLiteral("private words"), "r2", "bob");
        QCOMPARE(store->append(pub, from("a1")), MessageStore::AppendResult::Stored);
        QCOMPARE(store->append(priv, from("a1", "a2")), MessageStore::AppendResult::Stored);
        QVERIFY(store->commit());

        ChatMessage toRoom = message(QStringLiteral("bob"), QStringLiteral("re"), "r3");
        toRoom.replyTo = priv.seq; // a private original quoted into the room
        QCOMPARE(store->checkReply(toRoom, from("a2")), ErrorCode::UnknownMessage);
        ChatMessage toCarol = message(QStringLiteral("bob"), QStringLiteral("re"), "r4", "carol");
        toCarol.replyTo = priv.seq;
        QCOMPARE(store->checkReply(toCarol, from("a2", "a3")), ErrorCode::UnknownMessage);
        ChatMessage unknown = message(QStringLiteral("bob"), QStringLiteral("re"), "r5");
        unknown.replyTo = priv.seq + 100;
        QCOMPARE(store->checkReply(unknown, from("a2")), ErrorCode::UnknownMessage);

        ChatMessage inPair =
            message(QStringLiteral("bob"), QStringLiteral("re private"), "r6", "alice");
        inPair.replyTo = priv.seq;
        QCOMPARE(store->checkReply(inPair, from("a2", "a1")), ErrorCode::None);
        QCOMPARE(inPair.quoteText, QStringLiteral("private words"));
        QCOMPARE(store->append(inPair, from("a2", "a1")), MessageStore::AppendResult::Stored);
        ChatMessage inRoom = message(QStringLiteral("bob"), QStringLiteral("re public"), "r7");
        inRoom.replyTo = pub.seq;
        QCOMPARE(store->checkReply(inRoom, from("a2")), ErrorCode::None);
        QCOMPARE(store->append(inRoom, from("a2")), MessageStore::AppendResult::Stored);
        QVERIFY(store->commit());

        MessageChange edit;
        edit.seq = pub.seq;
        edit.actor = QStringLiteral("a1");
        edit.content = QStringLiteral("new public words");
        edit.timestampMs = 1795655460000;
        MessageStore::Stored changed;
        QCOMPARE(store->applyChange(edit, &changed), ErrorCode::None);
        QVERIFY(store->commit());
        bool more = false;
        const auto page = store->history(query(QStringLiteral("a2"), QStringLiteral("*")), &more);
        QVERIFY2(page, qPrintable(store->lastError()));
        QCOMPARE(page->size(), 4);
        QCOMPARE(page->at(2).replyTo, priv.seq);
        QCOMPARE(page->at(2).quoteFrom, QStringLiteral("alice"));
        QCOMPARE(page->at(2).quoteText, QStringLiteral("private words"));
        QCOMPARE(page->at(3).replyTo, pub.seq);
        QCOMPARE(page->at(3).quoteText, QStringLiteral("new public words"));
    }

    void everyHistoryQueryUsesAnIndex_data()
    {
        QTest::addColumn<QString>("with");
        QTest::addColumn<qint64>("before");
        QTest::addColumn<qint64>("after");
        QTest::newRow("public, newest") << QString() << qint64(0) << qint64(0);
        QTest::newRow("public, paging back") << QString() << qint64(500) << qint64(0);
        QTest::newRow("public, catching up") << QString() << qint64(0) << qint64(100);
        QTest::newRow("everything visible, catching up")
            << QStringLiteral("*") << qint64(0) << qint64(100);
        QTest::newRow("everything visible, newest")
            << QStringLiteral("*") << qint64(0) << qint64(0);
        QTest::newRow("everything visible, paging back")
            << QStringLiteral("*") << qint64(700) << qint64(0);
        QTest::newRow("conversation") << QStringLiteral("bob") << qint64(0) << qint64(0);
        QTest::newRow("conversation, paging back")
            << QStringLiteral("bob") << qint64(900) << qint64(0);
        QTest::newRow("conversation, catching up")
            << QStringLiteral("bob") << qint64(0) << qint64(100);
    }
    // Files (docs/protocol.md section 18): a file message keeps its file through history, the
    // batch (appendAll) and storedMessage; the uploads each payer made are counted once per
    // content, for the quota.
    void fileMessagesAndUploadsAreKept()
    {
        const auto store = openNew();
        QVERIFY2(store, qPrintable(m_why));
        FileRef f;
        f.name = QStringLiteral("照片 1.png");
        f.size = 48213;
        f.mime = QStringLiteral("image/png");
        f.sha256 = QString(64, QLatin1Char('a'));
        ChatMessage withFile = message(QStringLiteral("alice"), f.summary(), "f1", "bob");
        withFile.file = f;
        ChatMessage plain = message(QStringLiteral("alice"), QStringLiteral("no file"), "f2");
        ChatMessage batched = message(QStringLiteral("alice"), f.summary(), "f3");
        batched.file = f;
        QCOMPARE(store->append(withFile, from("a1", "a2")), MessageStore::AppendResult::Stored);
        QCOMPARE(store->append(plain, from("a1")), MessageStore::AppendResult::Stored);
        QVERIFY(store->commit());
        const MessageParties parties = from("a1");
        std::vector<MessageStore::AppendResult> results;
        store->appendAll({{&batched, &parties}}, &results);
        QCOMPARE(results, std::vector{MessageStore::AppendResult::Stored});
        QVERIFY(store->commit());

        bool more = false;
        const auto page = store->history(query("a2", QStringLiteral("*")), &more);
        QVERIFY2(page, qPrintable(store->lastError()));
        QCOMPARE(page->size(), 3);
        QVERIFY(page->at(0).file.has_value());
        QCOMPARE(*page->at(0).file, f);
        QVERIFY(!page->at(1).file.has_value());
        QCOMPARE(*page->at(2).file, f);
        bool found = false;
        const auto stored = store->storedMessage(withFile.seq, &found);
        QVERIFY(stored && found);
        QCOMPARE(*stored->message.file, f);
        QCOMPARE(stored->parties.recipient, QStringLiteral("a2"));

        bool uploaded = true;
        QCOMPARE(store->fileUsage(QStringLiteral("a1"), f.sha256, &uploaded), qint64(0));
        QVERIFY(!uploaded);
        QVERIFY2(store->recordUpload(QStringLiteral("a1"), f.sha256, f.size, 1),
                 qPrintable(store->lastError()));
        QVERIFY(store->recordUpload(QStringLiteral("a1"), f.sha256, f.size, 2)); // once
        QVERIFY(store->recordUpload(QStringLiteral("a1"), QString(64, QLatin1Char('b')), 10, 3));
        QVERIFY(store->recordUpload(QStringLiteral("127.0.0.1"), f.sha256, f.size, 4));
        QCOMPARE(store->fileUsage(QStringLiteral("a1"), f.sha256, &uploaded), f.size + 10);
        QVERIFY(uploaded);
        QCOMPARE(store->fileUsage(QStringLiteral("a1"), QString(64, QLatin1Char('c')), &uploaded),
                 f.size + 10);
        QVERIFY(!uploaded);
        QCOMPARE(store->fileUsage(QStringLiteral("127.0.0.1"), f.sha256, &uploaded), f.size);
        QVERIFY(uploaded);
    }

    void everyHistoryQueryUsesAnIndex()
    {
        QFETCH(QString, with);
        QFETCH(qint64, before);
        QFETCH(qint64, after);
        const auto store = openNew();
        QVERIFY2(store, qPrintable(m_why));
        const HistoryQuery q = query(QStringLiteral("a1"), with, 50, before, after);
        if (backend() == kSqlite) {
            const QStringList plan = static_cast<SqliteMessageStore &>(*store).historyPlan(q);
            QVERIFY(!plan.isEmpty());
            // A step that reads the table without an index says "SCAN messages" without
            // "USING"; scans of the UNION's own results ("SCAN (subquery-N)") are fine.
            for (const QString &step : plan) {
                QVERIFY2(!(step.startsWith(QLatin1String("SCAN messages")) &&
                           !step.contains(QLatin1String("USING"))),
                         qPrintable(plan.join(QLatin1String(" | "))));
            }
            QVERIFY2(plan.join(QLatin1Char(' ')).contains(QLatin1String("INDEX messages_")),
                     qPrintable(plan.join(QLatin1String(" | "))));
            return;
        }
        // Planned with sequential scans, bitmap scans and sorts discouraged: whatever of them
        // is left has no index to replace it. Every read is an index scan in seq order.
        const QStringList plan = static_cast<PostgresMessageStore &>(*store).historyPlan(q);
        const QString shown = plan.join(QLatin1Char('\n'));
        QVERIFY2(!plan.isEmpty(), "no plan");
        // A Sort node ("Sort  (cost=...)"); a Merge Append's "Sort Key:" line is fine.
        static const QRegularExpression sortNode(
            QStringLiteral("(^|->)\\s*(Incremental )?Sort\\s+\\("));
        QVERIFY2(!shown.contains(QLatin1String("Seq Scan")), qPrintable(shown));
        QVERIFY2(!shown.contains(QLatin1String("Bitmap")), qPrintable(shown));
        for (const QString &line : plan)
            QVERIFY2(!sortNode.match(line).hasMatch(), qPrintable(shown));
        const int scans = int(shown.count(QLatin1String("Index Scan")));
        const int parts = with.isEmpty() ? 1 : with == QLatin1String("*") ? 3 : 2;
        QVERIFY2(scans == parts, qPrintable(shown));
        QVERIFY2(shown.count(QRegularExpression(
                     QStringLiteral("Index Scan (Backward )?using messages_(public|private_sender|"
                                    "private_recipient) on messages"))) == parts,
                 qPrintable(shown));
    }

    void storeThatCannotBeOpenedSaysWhy()
    {
        QTemporaryDir dir;
        std::unique_ptr<MessageStore> store;
        QString shouldMention;
        QString secret;
        if (backend() == kSqlite) {
            // A folder where the file should be.
            const QString path = dir.filePath(QStringLiteral("taken"));
            QVERIFY(QDir().mkpath(path));
            store = std::make_unique<SqliteMessageStore>(path, false);
            shouldMention = path;
        } else {
            QVERIFY2(m_postgresUp, qPrintable(m_postgres.error()));
            // A wrong password: the message names the database, never the password.
            PostgresUrl url;
            url.user = m_postgres.user();
            url.password = QStringLiteral("wrong-Pa55word");
            url.host = QStringLiteral("127.0.0.1");
            url.port = m_postgres.port();
            url.database = QStringLiteral("postgres");
            store = std::make_unique<PostgresMessageStore>(url);
            shouldMention = url.display();
            secret = url.password;
        }
        QString error;
        QVERIFY(!store->open(&error));
        QVERIFY2(error.contains(shouldMention), qPrintable(error));
        if (!secret.isEmpty()) {
            QVERIFY2(!error.contains(secret), qPrintable(error));
            QVERIFY2(error.contains(QLatin1String("password authentication failed")),
                     qPrintable(error));
        }
        ChatMessage m =
            message(QStringLiteral("alice"), QStringLiteral("lost?"), QStringLiteral("x"));
        QCOMPARE(store->append(m, from(QStringLiteral("a1"))), MessageStore::AppendResult::Failed);
        store->rollback(); // nothing to undo; must not crash
        bool more = false;
        QVERIFY(!store->history(query(QStringLiteral("a1"), {}), &more));
        QVERIFY(!store->lastError().isEmpty());
        QVERIFY(secret.isEmpty() || !store->lastError().contains(secret));
    }

    // PostgreSQL's own: the schema's version table, and a database of a newer server.
    void schemaIsVersioned()
    {
        if (backend() == kSqlite)
            QSKIP("SQLite's version is PRAGMA user_version (tst_messagestore)");
        QString location;
        {
            const auto store = openNew(&location);
            QVERIFY2(store, qPrintable(m_why));
        }
        {
            QSqlDatabase db = connectTo(location, QStringLiteral("schema-check"));
            QVERIFY2(db.isOpen(), qPrintable(db.lastError().text()));
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("SELECT MAX(version), COUNT(*) FROM schema_version")));
            QVERIFY(q.next());
            QCOMPARE(q.value(0).toInt(), PostgresMessageStore::schemaVersion());
            QCOMPARE(q.value(1).toInt(), PostgresMessageStore::schemaVersion());
            // A newer server has been here.
            QVERIFY(q.exec(QStringLiteral("INSERT INTO schema_version (version) VALUES (99)")));
            q.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("schema-check"));
        const auto store = storeAt(location);
        QString error;
        QVERIFY(!store->open(&error));
        QVERIFY2(error.contains(QLatin1String("version 99")) &&
                     error.contains(QLatin1String("upgrade confab-server")),
                 qPrintable(error));
    }

    // A whole batch at once (AsyncMessageStore's way; PostgreSQL sends it as one INSERT):
    // the same answers, in the same order, as append() one by one.
    void aBatchIsAppendedInOrderWithItsResends()
    {
        const auto store = openNew();
        QVERIFY2(store, qPrintable(m_why));
        ChatMessage earlier =
            message(QStringLiteral("alice"), QStringLiteral("earlier"), QStringLiteral("c-b"));
        QCOMPARE(store->append(earlier, from(QStringLiteral("a1"))),
                 MessageStore::AppendResult::Stored);
        QVERIFY(store->commit());
        const MessageParties alice = from(QStringLiteral("a1"));
        const MessageParties bob = from(QStringLiteral("a2"), QStringLiteral("a1"));
        QList<ChatMessage> batch{
            message(QStringLiteral("alice"), QStringLiteral("first"), QStringLiteral("c-a")),
            message(QStringLiteral("seed"), QStringLiteral("no id"), QString()),
            message(QStringLiteral("alice"), QStringLiteral("first again"), QStringLiteral("c-a")),
            message(QStringLiteral("alice"), QStringLiteral("earlier again"),
                    QStringLiteral("c-b")),
            message(QStringLiteral("bob"), QStringLiteral("private"), QStringLiteral("c-a"),
                    QStringLiteral("alice")),
            message(QStringLiteral("seed"), QStringLiteral("no id either"), QString()),
        };
        const std::vector<const MessageParties *> parties{&alice, &alice, &alice,
                                                          &alice, &bob,   &alice};
        std::vector<MessageStore::Pending> pending;
        for (int i = 0; i < batch.size(); ++i)
            pending.push_back({&batch[i], parties[size_t(i)]});
        std::vector<MessageStore::AppendResult> results;
        store->appendAll(pending, &results);
        QVERIFY(store->commit());
        using R = MessageStore::AppendResult;
        QCOMPARE(results, (std::vector<R>{R::Stored, R::Stored, R::Duplicate, R::Duplicate,
                                          R::Stored, R::Stored}));
        QCOMPARE(batch[2].seq, batch[0].seq); // the resend gets the first one's seq
        QCOMPARE(batch[3].seq, earlier.seq);
        QVERIFY(earlier.seq < batch[0].seq);
        QVERIFY(batch[0].seq < batch[1].seq);
        QVERIFY(batch[1].seq < batch[4].seq); // the same id from another sender is new
        QVERIFY(batch[4].seq < batch[5].seq);
        bool more = true;
        const auto page = store->history(query(QStringLiteral("a1"), QStringLiteral("*")), &more);
        QVERIFY(page);
        QStringList contents;
        for (const ChatMessage &m : *page)
            contents << m.content;
        QCOMPARE(contents, (QStringList{QStringLiteral("earlier"), QStringLiteral("first"),
                                        QStringLiteral("no id"), QStringLiteral("private"),
                                        QStringLiteral("no id either")}));
    }

    // A batch (appendAll; PostgreSQL sends its rows as one array per column) keeps every
    // character: the array syntax's own (braces, commas, quotes, backslashes, the word NULL,
    // spaces at either end), SQL's, UTF-8 beyond the BMP, and a long text; a call entry and
    // a file too. Empty mentions and ids stay empty, not the text "NULL".
    void oddTextComesBackThroughABatch()
    {
        const auto store = openNew();
        QVERIFY2(store, qPrintable(m_why));
        const QString texts[] = {
            QStringLiteral("{a,b} {\"c\"} {NULL} ,\"\\\"\\\\"),
            QStringLiteral("NULL"),
            QStringLiteral("  spaces at both ends\t\n "),
            QStringLiteral("quote\" 'single' back\\ \\\\ E'\\x41' $1 ; DROP TABLE messages; --"),
            QString::fromUcs4(U"\U0001F600\U0001F44D\U0001F3FD \u540D\u5B57 \u00D8 \u200B"),
            QStringLiteral("{\"\\").repeated(20000),
        };
        FileRef f;
        f.name = QStringLiteral("{\"a\",b} 'x' NULL 照片.png"); // no backslash: not a file name
        f.size = 48213;
        f.mime = QStringLiteral("image/png");
        f.sha256 = QString(64, QLatin1Char('b'));
        CallRecord call;
        call.outcome = CallRecord::Outcome::Answered;
        call.video = true;
        call.durationMs = 252000;
        QList<ChatMessage> batch;
        for (const QString &text : texts) {
            ChatMessage m = message(QString::fromUcs4(U"Zo\u00EB\u540D"), text,
                                    QStringLiteral("id{\"%1\\,NULL}").arg(batch.size()),
                                    batch.size() % 2 ? QStringLiteral("bob") : QString());
            m.mentions = batch.size() % 3
                             ? QStringList{}
                             : QStringList{QStringLiteral("bob"), QStringLiteral("NULL")};
            batch << m;
        }
        batch[1].file = f;
        batch[2].call = call;
        batch[3].replyTo = 1;
        batch << message(QStringLiteral("seed"), QStringLiteral(""), QString());
        std::vector<MessageParties> parties;
        for (const ChatMessage &m : batch)
            parties.push_back(m.to.isEmpty() ? from(QStringLiteral("a1"))
                                             : from(QStringLiteral("a1"), QStringLiteral("a2")));
        std::vector<MessageStore::Pending> pending;
        for (int i = 0; i < batch.size(); ++i)
            pending.push_back({&batch[i], &parties[size_t(i)]});
        std::vector<MessageStore::AppendResult> results;
        store->appendAll(pending, &results);
        QVERIFY2(store->commit(), qPrintable(store->lastError()));
        QCOMPARE(results, std::vector<MessageStore::AppendResult>(
                              size_t(batch.size()), MessageStore::AppendResult::Stored));

        bool more = true;
        const auto page = store->history(query(QStringLiteral("a2"), QStringLiteral("*")), &more);
        QVERIFY2(page, qPrintable(store->lastError()));
        QCOMPARE(page->size(), batch.size());
        for (int i = 0; i < batch.size(); ++i) {
            const ChatMessage &got = page->at(i);
            QCOMPARE(got.seq, batch[i].seq);
            QCOMPARE(got.content, batch[i].content);
            QCOMPARE(got.from, batch[i].from);
            QCOMPARE(got.to, batch[i].to);
            QCOMPARE(got.clientId, batch[i].clientId);
            QCOMPARE(got.mentions, batch[i].mentions);
            QCOMPARE(got.replyTo, batch[i].replyTo);
            QCOMPARE(got.file, batch[i].file);
            QCOMPARE(got.call, batch[i].call);
        }
        // A resend of one of them is found by its odd id.
        ChatMessage again = batch[0];
        again.seq = 0;
        store->appendAll({{&again, &parties[0]}}, &results);
        QVERIFY(store->commit());
        QCOMPARE(results, std::vector{MessageStore::AppendResult::Duplicate});
        QCOMPARE(again.seq, batch[0].seq);
    }

    // A batch too large for one statement (over 8 MB of text in PostgreSQL) goes in pieces in
    // one transaction: every row stored once, in order, and a resend in a later piece of a
    // message in an earlier one found as such.
    void aBatchTooLargeForOneStatementIsStoredInPieces()
    {
        const auto store = openNew();
        QVERIFY2(store, qPrintable(m_why));
        const MessageParties alice = from(QStringLiteral("a1"));
        QList<ChatMessage> batch;
        for (int i = 0; i < 4; ++i)
            batch << message(QStringLiteral("alice"),
                             QString(1200000, QLatin1Char(char('a' + i))) + QStringLiteral("\"\\"),
                             QStringLiteral("big-%1").arg(i));
        batch << message(QStringLiteral("alice"), QStringLiteral("again"), QStringLiteral("big-0"));
        std::vector<MessageStore::Pending> pending;
        for (ChatMessage &m : batch)
            pending.push_back({&m, &alice});
        std::vector<MessageStore::AppendResult> results;
        store->appendAll(pending, &results);
        QVERIFY2(store->commit(), qPrintable(store->lastError()));
        using R = MessageStore::AppendResult;
        QCOMPARE(results,
                 (std::vector<R>{R::Stored, R::Stored, R::Stored, R::Stored, R::Duplicate}));
        QCOMPARE(batch[4].seq, batch[0].seq);
        for (int i = 0; i < 4; ++i) {
            if (i > 0)
                QVERIFY(batch[i - 1].seq < batch[i].seq);
            bool found = false;
            const auto stored = store->storedMessage(batch[i].seq, &found);
            QVERIFY2(stored && found, qPrintable(store->lastError()));
            QCOMPARE(stored->message.content, batch[i].content);
        }
    }

    // What a node stored, read back by another node when the bus may have dropped it
    // (NodeReplay): by node, after a seq, from a time on, with the parties, bounded.
    void messagesAreReadBackByTheNodeThatStoredThem()
    {
        QString location;
        {
            const auto probe = openNew(&location);
            QVERIFY2(probe, qPrintable(m_why));
        }
        auto nodeA = storeAt(location);
        auto nodeB = storeAt(location);
        nodeA->setNodeId(QStringLiteral("node-a"));
        nodeB->setNodeId(QStringLiteral("node-b"));
        QVERIFY(nodeA->open(&m_why) && nodeB->open(&m_why));
        QList<qint64> aSeqs;
        for (int i = 0; i < 4; ++i) {
            ChatMessage a = message(QStringLiteral("alice"), QStringLiteral("a%1").arg(i),
                                    QStringLiteral("ca%1").arg(i),
                                    i == 3 ? QStringLiteral("bob") : QString(), 1000 + i);
            QCOMPARE(nodeA->append(
                         a, from(QStringLiteral("a1"), i == 3 ? QStringLiteral("a2") : QString())),
                     MessageStore::AppendResult::Stored);
            QVERIFY(nodeA->commit());
            aSeqs << a.seq;
            ChatMessage b = message(QStringLiteral("bob"), QStringLiteral("b%1").arg(i),
                                    QStringLiteral("cb%1").arg(i), {}, 1000 + i);
            QCOMPARE(nodeB->append(b, from(QStringLiteral("a2"))),
                     MessageStore::AppendResult::Stored);
            QVERIFY(nodeB->commit());
        }
        bool more = true;
        const auto read = nodeB->storedBy(QStringLiteral("node-a"), aSeqs.at(0), 1001, 2, 0, &more);
        QVERIFY2(read, qPrintable(nodeB->lastError()));
        if (backend() == kSqlite) {
            // One process only: nothing to read back, and nothing is asked for.
            QVERIFY(read->isEmpty());
            QVERIFY(!more);
            return;
        }
        QCOMPARE(read->size(), 2); // the limit; node-b's messages are not among them
        QVERIFY(more);
        QCOMPARE(read->at(0).message.seq, aSeqs.at(1));
        QCOMPARE(read->at(0).message.content, QStringLiteral("a1"));
        QCOMPARE(read->at(0).parties.sender, QStringLiteral("a1"));
        QCOMPARE(read->at(1).message.content, QStringLiteral("a2"));
        const auto rest = nodeB->storedBy(QStringLiteral("node-a"), aSeqs.at(2), 0, 10, 0, &more);
        QVERIFY(rest);
        QCOMPARE(rest->size(), 1);
        QVERIFY(!more);
        QCOMPARE(rest->at(0).message.to, QStringLiteral("bob"));
        QCOMPARE(rest->at(0).parties.recipient, QStringLiteral("a2"));
        // From a time on: the messages before it are left out.
        const auto late = nodeB->storedBy(QStringLiteral("node-a"), 0, 1003, 10, 0, &more);
        QVERIFY(late);
        QCOMPARE(late->size(), 1);
        QCOMPARE(late->at(0).message.seq, aSeqs.at(3));
    }

    // A database of the first schema (a server before this one) is upgraded in place.
    void aVersionOneDatabaseIsUpgraded()
    {
        if (backend() == kSqlite)
            QSKIP("SQLite's version is PRAGMA user_version (tst_messagestore)");
        QString location;
        qint64 oldSeq = 0;
        {
            const auto store = openNew(&location);
            QVERIFY2(store, qPrintable(m_why));
            ChatMessage m = message(QStringLiteral("alice"), QStringLiteral("old"),
                                    QStringLiteral("c-old"), {}, 1000);
            QCOMPARE(store->append(m, from(QStringLiteral("a1"))),
                     MessageStore::AppendResult::Stored);
            QVERIFY(store->commit());
            oldSeq = m.seq;
        }
        {
            // Back to version 1 as it was created.
            QSqlDatabase db = connectTo(location, QStringLiteral("downgrade"));
            QVERIFY2(db.isOpen(), qPrintable(db.lastError().text()));
            QVERIFY2(backToVersionOne(db), qPrintable(db.lastError().text()));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("downgrade"));
        auto store = storeAt(location);
        store->setNodeId(QStringLiteral("node-a"));
        QVERIFY2(store->open(&m_why), qPrintable(m_why));
        ChatMessage m = message(QStringLiteral("alice"), QStringLiteral("new"),
                                QStringLiteral("c-new"), {}, 2000);
        QCOMPARE(store->append(m, from(QStringLiteral("a1"))), MessageStore::AppendResult::Stored);
        QVERIFY(store->commit());
        bool more = true;
        const auto page = store->history(query(QStringLiteral("a1"), {}), &more);
        QVERIFY(page);
        QCOMPARE(page->size(), 2);
        QCOMPARE(page->at(0).seq, oldSeq);
        const auto mine = store->storedBy(QStringLiteral("node-a"), 0, 0, 10, 0, &more);
        QVERIFY(mine);
        QCOMPARE(mine->size(), 1); // the old message has no node
        QCOMPARE(mine->at(0).message.content, QStringLiteral("new"));
    }

    // An upgrade that must alter `messages` while another connection reads it (an older
    // node's long query during a rolling upgrade) does not queue the whole cluster behind
    // it: it gives up after a few bounded waits and says what holds it; once that
    // transaction ends, the next start upgrades.
    void anUpgradeBehindALockGivesUpAndSaysWhy()
    {
        if (backend() == kSqlite)
            QSKIP("SQLite's upgrade takes the whole file (tst_messagestore)");
        QString location;
        {
            const auto store = openNew(&location);
            QVERIFY2(store, qPrintable(m_why));
        }
        QSqlDatabase db = connectTo(location, QStringLiteral("holder"));
        QVERIFY2(db.isOpen(), qPrintable(db.lastError().text()));
        {
            // Back to version 1, whose upgrade adds columns to messages.
            QVERIFY2(backToVersionOne(db), qPrintable(db.lastError().text()));
        }
        QVERIFY(db.transaction());
        {
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("LOCK TABLE messages IN ACCESS SHARE MODE")));
        }
        QString error;
        {
            const auto store = storeAt(location);
            QVERIFY(!store->open(&error));
        }
        QVERIFY2(error.contains(QLatin1String("waited")) && error.contains(QLatin1String("lock")) &&
                     error.contains(QLatin1String("pg_stat_activity")),
                 qPrintable(error));
        // Meanwhile the holder was never in the way of anyone but the upgrade: it still reads.
        {
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM messages")));
        }
        QVERIFY(db.commit());
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("holder"));
        const auto store = storeAt(location);
        QVERIFY2(store->open(&m_why), qPrintable(m_why));
        ChatMessage m = message(QStringLiteral("alice"), QStringLiteral("after"),
                                QStringLiteral("c-after"), {}, 3000);
        QCOMPARE(store->append(m, from(QStringLiteral("a1"))), MessageStore::AppendResult::Stored);
        QVERIFY(store->commit());
    }

    // Two processes on one database (two stores here, each its own connection): one order,
    // and each recognises the other's resends of the same sender.
    void twoServersShareOneOrder()
    {
        if (backend() == kSqlite)
            QSKIP("a SQLite file belongs to one server");
        QString location;
        const auto a = openNew(&location);
        QVERIFY2(a, qPrintable(m_why));
        const auto b = storeAt(location);
        QString error;
        QVERIFY2(b->open(&error), qPrintable(error));
        qint64 last = 0;
        for (int i = 0; i < 6; ++i) {
            MessageStore &store = i % 2 ? *b : *a;
            ChatMessage m = message(QStringLiteral("alice"), QStringLiteral("m%1").arg(i),
                                    QStringLiteral("c%1").arg(i));
            QCOMPARE(store.append(m, from(QStringLiteral("a1"))),
                     MessageStore::AppendResult::Stored);
            QVERIFY(store.commit());
            QVERIFY(m.seq > last);
            last = m.seq;
        }
        bool more = false;
        const QStringList expected{QStringLiteral("m0"), QStringLiteral("m1"),
                                   QStringLiteral("m2"), QStringLiteral("m3"),
                                   QStringLiteral("m4"), QStringLiteral("m5")};
        QCOMPARE(contents(a->history(query(QStringLiteral("a2"), {}), &more)), expected);
        QCOMPARE(contents(b->history(query(QStringLiteral("a2"), {}), &more)), expected);
        ChatMessage resent =
            message(QStringLiteral("alice"), QStringLiteral("m0"), QStringLiteral("c0"));
        QCOMPARE(b->append(resent, from(QStringLiteral("a1"))),
                 MessageStore::AppendResult::Duplicate);
        QVERIFY(b->commit());
        // While one holds a batch open, the other's batch waits for it (one order), and
        // continues once it is committed.
        ChatMessage first =
            message(QStringLiteral("alice"), QStringLiteral("held"), QStringLiteral("h1"));
        QCOMPARE(a->append(first, from(QStringLiteral("a1"))), MessageStore::AppendResult::Stored);
        QVERIFY(a->commit());
        ChatMessage second =
            message(QStringLiteral("bob"), QStringLiteral("after"), QStringLiteral("h2"));
        QCOMPARE(b->append(second, from(QStringLiteral("a2"))), MessageStore::AppendResult::Stored);
        QVERIFY(b->commit());
        QVERIFY(second.seq > first.seq);
    }

    // The database restarts under a running store: the next batch connects again.
    void storeConnectsAgainAfterADatabaseRestart()
    {
        if (backend() == kSqlite)
            QSKIP("a file does not restart");
        const auto store = openNew();
        QVERIFY2(store, qPrintable(m_why));
        ChatMessage before =
            message(QStringLiteral("alice"), QStringLiteral("before"), QStringLiteral("b1"));
        QCOMPARE(store->append(before, from(QStringLiteral("a1"))),
                 MessageStore::AppendResult::Stored);
        QVERIFY(store->commit());
        QVERIFY2(m_postgres.stop(), qPrintable(m_postgres.error()));
        // While it is down: a failure that says so, nothing stored.
        ChatMessage lost =
            message(QStringLiteral("alice"), QStringLiteral("down"), QStringLiteral("d1"));
        const MessageStore::AppendResult down = store->append(lost, from(QStringLiteral("a1")));
        if (down != MessageStore::AppendResult::Failed)
            QVERIFY(!store->commit());
        else
            store->rollback();
        QVERIFY(!store->lastError().isEmpty());
        QVERIFY2(!store->lastError().contains(m_postgres.password()),
                 qPrintable(store->lastError()));
        QVERIFY2(m_postgres.start(), qPrintable(m_postgres.error()));
        ChatMessage after =
            message(QStringLiteral("alice"), QStringLiteral("after"), QStringLiteral("a1"));
        QCOMPARE(store->append(after, from(QStringLiteral("a1"))),
                 MessageStore::AppendResult::Stored);
        QVERIFY2(store->commit(), qPrintable(store->lastError()));
        QVERIFY(after.seq > before.seq);
        bool more = false;
        QCOMPARE(contents(store->history(query(QStringLiteral("a1"), {}), &more)),
                 (QStringList{QStringLiteral("before"), QStringLiteral("after")}));
    }

    // A real confab-server on this backend: two users chat, the server restarts, and the
    // history, the resend check and the order go on.
    void serverKeepsHistoryAcrossRestart()
    {
        QStringList args;
        if (backend() == kPostgres) {
            const QString url = newLocation();
            QVERIFY2(!url.isEmpty(), qPrintable(m_why));
            // After ServerProcess's own --database: the last one counts.
            args << QStringLiteral("--database") << url;
        }
        ServerProcess server(args);
        QVERIFY2(server.start(), qPrintable(server.log()));
        QString aliceSession;
        qint64 helloSeq = 0;
        qint64 lastSeq = 0;
        {
            TestClient alice;
            TestClient bob;
            QVERIFY(alice.open(server.url()) && alice.login(QStringLiteral("alice")));
            QVERIFY(bob.open(server.url()) && bob.login(QStringLiteral("bob")));
            aliceSession = alice.session();
            alice.sendChat(QStringLiteral("hello bob"), QStringLiteral("a-1"));
            helloSeq = ackOf(alice, QStringLiteral("a-1")).value(QLatin1String("seq")).toInteger();
            QVERIFY(helloSeq > 0);
            QVERIFY(!bob.waitForChat(QStringLiteral("hello bob")).isEmpty());
            bob.sendChat(QStringLiteral("hi alice"), QStringLiteral("b-1"));
            QVERIFY(!alice.waitForChat(QStringLiteral("hi alice")).isEmpty());
            bob.sendChat(QStringLiteral("just for you"), QStringLiteral("b-2"),
                         QStringLiteral("alice"));
            const QJsonObject privateChat = alice.waitForChat(QStringLiteral("just for you"));
            QVERIFY(!privateChat.isEmpty());
            lastSeq = ackOf(bob, QStringLiteral("b-2")).value(QLatin1String("seq")).toInteger();
            QVERIFY(lastSeq > helloSeq);
            QVERIFY2(server.stop(), qPrintable(server.log()));
        }
        QVERIFY2(server.start(), qPrintable(server.log()));
        // alice comes back as the same guest (her resume token).
        TestClient alice;
        QVERIFY(alice.open(server.url()));
        QVERIFY(alice.login(QStringLiteral("alice"), false, aliceSession));
        const QJsonArray room = historyOf(alice);
        QCOMPARE(room.size(), 2);
        QCOMPARE(room.at(0).toObject().value(QLatin1String("content")).toString(),
                 QStringLiteral("hello bob"));
        QCOMPARE(room.at(0).toObject().value(QLatin1String("seq")).toInteger(), helloSeq);
        QCOMPARE(room.at(1).toObject().value(QLatin1String("content")).toString(),
                 QStringLiteral("hi alice"));
        const QJsonArray conversation = historyOf(alice, QStringLiteral("bob"));
        QCOMPARE(conversation.size(), 1);
        QCOMPARE(conversation.at(0).toObject().value(QLatin1String("content")).toString(),
                 QStringLiteral("just for you"));
        // Her outbox resends a message the server had acknowledged: recognised, not stored.
        alice.sendChat(QStringLiteral("hello bob"), QStringLiteral("a-1"));
        const QJsonObject resent = ackOf(alice, QStringLiteral("a-1"));
        QVERIFY(resent.value(QLatin1String("duplicate")).toBool());
        QCOMPARE(resent.value(QLatin1String("seq")).toInteger(), helloSeq);
        alice.sendChat(QStringLiteral("back again"), QStringLiteral("a-2"));
        QVERIFY(ackOf(alice, QStringLiteral("a-2")).value(QLatin1String("seq")).toInteger() >
                lastSeq);
        QCOMPARE(historyOf(alice).size(), 3);
        if (backend() == kPostgres)
            QVERIFY(!server.log().contains(m_postgres.password()));
    }

    // A private message is relayed once its batch is stored. If its guest recipient logs out
    // meanwhile and someone else takes the name, the newcomer must not receive it: it belongs
    // to the identity it was sent to, not to whoever holds the name when the batch is done.
    void privateMessageWaitingForTheStoreReachesOnlyItsParties()
    {
        if (backend() == kSqlite)
            QSKIP("the guest's login writes to the same SQLite file, so holding it stalls both");
        const QString url = newLocation();
        QVERIFY2(!url.isEmpty(), qPrintable(m_why));
        QStringList args = ServerProcess::unlimited();
        args << QStringLiteral("--database") << url;
        ServerProcess server(args);
        QVERIFY2(server.start(), qPrintable(server.log()));
        TestClient alice, bob;
        QVERIFY(alice.open(server.url()) && alice.login(QStringLiteral("alice")));
        QVERIFY(bob.open(server.url()) && bob.login(QStringLiteral("bob")));
        alice.sendChat(QStringLiteral("warm-up"), QStringLiteral("w-1"));
        QVERIFY(!ackOf(alice, QStringLiteral("w-1")).isEmpty());

        // Another session holds the table: the server's next batch waits for it.
        {
            QSqlDatabase db = connectTo(url, QStringLiteral("lock"));
            QVERIFY2(db.isOpen(), qPrintable(db.lastError().text()));
            QSqlQuery lock(db);
            QVERIFY(lock.exec(QStringLiteral("BEGIN")));
            QVERIFY(lock.exec(QStringLiteral("LOCK TABLE messages IN EXCLUSIVE MODE")));
            alice.sendChat(QStringLiteral("the key is under the mat"), QStringLiteral("p-1"),
                           QStringLiteral("bob"));
            bob.sendJson(R"({"type":"logout"})");
            QVERIFY(bob.waitForDisconnected());
            TestClient impostor;
            QVERIFY(impostor.open(server.url()) && impostor.login(QStringLiteral("bob")));
            QVERIFY(lock.exec(QStringLiteral("COMMIT")));

            // Alice's own device shows it once stored; a public message after it reaches the
            // newcomer only after the private one would have.
            QVERIFY2(!alice.waitForChat(QStringLiteral("the key is under the mat")).isEmpty(),
                     qPrintable(server.log()));
            alice.sendChat(QStringLiteral("after"), QStringLiteral("a-1"));
            QVERIFY(!impostor.waitForChat(QStringLiteral("after")).isEmpty());
            QCOMPARE(impostor.countChats(QStringLiteral("the key is under the mat")), 0);
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("lock"));
    }

    // While the store hangs, messages wait for it in memory up to a bound; beyond it they are
    // refused with store_failed (the client resends them later) instead of piling up. Once the
    // store answers, what waited is stored and acknowledged, and nothing refused is kept.
    void messagesWaitingForAHungStoreAreBounded()
    {
        if (backend() == kSqlite)
            QSKIP("the guest's login writes to the same SQLite file, so holding it stalls both");
        const QString url = newLocation();
        QVERIFY2(!url.isEmpty(), qPrintable(m_why));
        QStringList args = ServerProcess::unlimited();
        // Alice receives her own messages back, all at once when the store answers: more than
        // a receiver may have queued by default.
        args << QStringLiteral("--max-queued-bytes") << QStringLiteral("100000000");
        args << QStringLiteral("--database") << url;
        ServerProcess server(args);
        QVERIFY2(server.start(), qPrintable(server.log()));
        TestClient alice;
        QVERIFY(alice.open(server.url()) && alice.login(QStringLiteral("alice")));
        alice.sendChat(QStringLiteral("warm-up"), QStringLiteral("w-1"));
        QVERIFY(!ackOf(alice, QStringLiteral("w-1")).isEmpty());

        // 1,200 texts of 4,000 four-byte characters: 19 MB, more than the 16 MiB that may wait.
        constexpr int kCount = 1200;
        QString text;
        for (int i = 0; i < 4000; ++i)
            text += QStringView(u"\U0001F600");
        QHash<QString, QString> answers; // id -> "ack" or the error code
        {
            QSqlDatabase db = connectTo(url, QStringLiteral("hang"));
            QVERIFY2(db.isOpen(), qPrintable(db.lastError().text()));
            QSqlQuery lock(db);
            QVERIFY(lock.exec(QStringLiteral("BEGIN")));
            QVERIFY(lock.exec(QStringLiteral("LOCK TABLE messages IN EXCLUSIVE MODE")));
            for (int i = 0; i < kCount; ++i)
                alice.sendChat(text, QStringLiteral("m-%1").arg(i));
            // Requests are handled in order: once the pong is here, so is every refusal.
            alice.sendJson(R"({"type":"ping","id":"after-all"})");
            QVERIFY2(!alice.waitForType(QStringLiteral("pong"), 60000).isEmpty(),
                     qPrintable(server.log()));
            for (const QJsonObject &e : alice.all([](const QJsonObject &m) {
                     return m.value(QLatin1String("code")).toString() ==
                            QLatin1String("store_failed");
                 }))
                answers.insert(e.value(QLatin1String("id")).toString(),
                               QStringLiteral("store_failed"));
            QVERIFY(!answers.isEmpty());
            QCOMPARE(alice
                         .all([](const QJsonObject &m) {
                             return m.value(QLatin1String("type")).toString() ==
                                    QLatin1String("ack");
                         })
                         .size(),
                     1); // the warm-up's
            QVERIFY(server.log().contains(QLatin1String("not keeping up")));
            QVERIFY(lock.exec(QStringLiteral("COMMIT")));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("hang"));
        // Every message gets exactly one answer.
        while (answers.size() < kCount) {
            const QJsonObject o = alice.waitFor(
                [](const QJsonObject &m) {
                    return m.value(QLatin1String("type")).toString() == QLatin1String("ack") &&
                           m.value(QLatin1String("id")).toString() != QLatin1String("w-1");
                },
                30000);
            QVERIFY2(!o.isEmpty(), qPrintable(QString::number(answers.size()) + server.log()));
            const QString id = o.value(QLatin1String("id")).toString();
            QVERIFY2(!answers.contains(id), qPrintable(id));
            answers.insert(id, QStringLiteral("ack"));
        }
        const int acked = int(std::count(answers.cbegin(), answers.cend(), QStringLiteral("ack")));
        const int refused =
            int(std::count(answers.cbegin(), answers.cend(), QStringLiteral("store_failed")));
        QCOMPARE(acked + refused, kCount);
        // 16 MiB hold about 1,000 of these texts.
        QVERIFY2(acked >= 950 && acked <= 1050,
                 qPrintable(QStringLiteral("%1 acked, %2 refused").arg(acked).arg(refused)));
        QVERIFY(server.log().contains(QLatin1String("answers again")));
        // What was acknowledged is kept, and only that.
        {
            QSqlDatabase db = connectTo(url, QStringLiteral("count"));
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM messages WHERE cid LIKE 'm-%'")));
            QVERIFY(q.next());
            QCOMPARE(q.value(0).toInt(), acked);
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("count"));
    }

    // What the operator sees: the start-up line names the database without the password,
    // and a bad URL or a wrong password stops the server with a message that leaves it out.
    void serverShowsNoPassword()
    {
        if (backend() == kSqlite)
            QSKIP("a file path has no password");
        const QString url = newLocation();
        QVERIFY2(!url.isEmpty(), qPrintable(m_why));
        // Runs the server; with untilListening, stops it (SIGKILL: the start-up line is all
        // this wants) once it listens. The exit code, or -1 when it was killed.
        auto run = [&](const QString &database, QString *output, bool untilListening) {
            QProcess p;
            p.setProcessChannelMode(QProcess::MergedChannels);
            p.start(qEnvironmentVariable("CONFAB_SERVER_BIN"),
                    {QStringLiteral("--listen"), QStringLiteral("127.0.0.1"),
                     QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--database"),
                     database});
            if (untilListening) {
                const bool listening = QTest::qWaitFor(
                    [&] {
                        *output += QString::fromUtf8(p.readAll());
                        return output->contains(QLatin1String("listening on")) ||
                               p.state() == QProcess::NotRunning;
                    },
                    30000);
                if (listening)
                    p.kill();
            }
            if (!p.waitForFinished(30000))
                p.kill();
            *output += QString::fromUtf8(p.readAll());
            return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        };
        QString output;
        run(url, &output, true);
        const std::optional<PostgresUrl> parsed = PostgresUrl::parse(url, nullptr);
        QVERIFY(parsed);
        QVERIFY2(output.contains(QLatin1String("history in ") + parsed->display()),
                 qPrintable(output));
        QVERIFY2(!output.contains(m_postgres.password()), qPrintable(output));

        const QString badPassword = QStringLiteral("not-the-Pa55word");
        QString badUrl = url;
        badUrl.replace(QString::fromLatin1(QUrl::toPercentEncoding(parsed->password)), badPassword);
        output.clear();
        QCOMPARE(run(badUrl, &output, false), 1);
        QVERIFY2(output.contains(parsed->display()) &&
                     output.contains(QLatin1String("password authentication failed")),
                 qPrintable(output));
        QVERIFY2(!output.contains(badPassword), qPrintable(output));

        output.clear();
        QCOMPARE(
            run(QStringLiteral("postgresql://confab:Sekr1t-pw@127.0.0.1:99999/db"), &output, false),
            2);
        QVERIFY2(output.contains(QLatin1String("not a port")), qPrintable(output));
        QVERIFY2(!output.contains(QLatin1String("Sekr1t-pw")), qPrintable(output));
    }
};

QTEST_GUILESS_MAIN(TestStoreContract)
#include "tst_storecontract.moc"
