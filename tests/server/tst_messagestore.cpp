// SqliteMessageStore on its own: what goes in comes back byte for byte, resends are found,
// private messages stay private (to identities, not names), every history query has an
// index, old stores are upgraded, and a store that cannot be opened says why.
#include "sqlitemessagestore.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

class TestMessageStore : public QObject
{
    Q_OBJECT
private:
    static ChatMessage message(const QString &from, const QString &content, const QString &id,
                               const QString &to = {})
    {
        ChatMessage m;
        m.from = from;
        m.content = content;
        m.clientId = id;
        m.to = to;
        m.timestampMs = 1795655458483;
        return m;
    }
    static MessageParties from(const QString &sender, const QString &recipient = {})
    {
        return MessageParties{sender, recipient};
    }
    static HistoryQuery query(const QString &viewer, const QString &with, int limit = 50)
    {
        HistoryQuery q;
        q.viewer = viewer;
        q.with = with;
        q.limit = limit;
        return q;
    }

private slots:
    void textComesBackAsItWent()
    {
        QTemporaryDir dir;
        SqliteMessageStore store(dir.filePath(QStringLiteral("h.sqlite")), false);
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        const QString texts[] = {QString::fromUcs4(U"\U0001F600 \u540D\u5B57 Zo\u00EB"),
                                 QStringLiteral("quote\" 'single' back\\ <b>&amp;</b>\ttab"),
                                 QStringLiteral("x").repeated(4000)};
        for (const QString &text : texts) {
            ChatMessage m = message(QStringLiteral("Zo\u00EB"), text, QString());
            m.mentions = QStringList{QStringLiteral("bob"), QStringLiteral("carol")};
            QCOMPARE(store.append(m, from(QStringLiteral("a1"))),
                     MessageStore::AppendResult::Stored);
        }
        QVERIFY(store.commit());
        bool more = true;
        const auto page = store.history(query(QStringLiteral("a2"), {}), &more);
        QVERIFY(page);
        QCOMPARE(page->size(), 3);
        QVERIFY(!more);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(page->at(i).content, texts[i]);
            QCOMPARE(page->at(i).from, QStringLiteral("Zo\u00EB"));
            QCOMPARE(page->at(i).mentions,
                     (QStringList{QStringLiteral("bob"), QStringLiteral("carol")}));
            QVERIFY(page->at(i).clientId.isEmpty());
            QVERIFY(page->at(i).to.isEmpty());
        }
    }

    void resendIsFoundWithItsSeqAndTime()
    {
        QTemporaryDir dir;
        SqliteMessageStore store(dir.filePath(QStringLiteral("h.sqlite")), false);
        QVERIFY(store.open(nullptr));
        ChatMessage first = message(QStringLiteral("Alice"), QStringLiteral("hi"),
                                    QStringLiteral("0192f4a1-8b2c-7d3e-9f01-23456789abcd"));
        QCOMPARE(store.append(first, from(QStringLiteral("a1"))),
                 MessageStore::AppendResult::Stored);
        QVERIFY(store.commit());
        // The same sender identity; the time of the resend is replaced by the stored one.
        ChatMessage again = message(QStringLiteral("alice"), QStringLiteral("hi"), first.clientId);
        again.timestampMs = first.timestampMs + 5000;
        QCOMPARE(store.append(again, from(QStringLiteral("a1"))),
                 MessageStore::AppendResult::Duplicate);
        QCOMPARE(again.seq, first.seq);
        QCOMPARE(again.timestampMs, first.timestampMs);
        ChatMessage other = message(QStringLiteral("bob"), QStringLiteral("hi"), first.clientId);
        QCOMPARE(store.append(other, from(QStringLiteral("a2"))),
                 MessageStore::AppendResult::Stored);
        QVERIFY(other.seq > first.seq);
        // A later guest with the same name and a copied id is another sender: no ack with the
        // first one's seq and time.
        ChatMessage impostor =
            message(QStringLiteral("alice"), QStringLiteral("hi"), first.clientId);
        QCOMPARE(store.append(impostor, from(QStringLiteral("g77"))),
                 MessageStore::AppendResult::Stored);
        QVERIFY(store.commit());
    }

    void privateMessagesOnlyForTheirTwoParties()
    {
        QTemporaryDir dir;
        SqliteMessageStore store(dir.filePath(QStringLiteral("h.sqlite")), false);
        QVERIFY(store.open(nullptr));
        ChatMessage secret = message(QStringLiteral("alice"), QStringLiteral("secret"),
                                     QStringLiteral("s-1"), QStringLiteral("Bob"));
        ChatMessage open = message(QStringLiteral("carol"), QStringLiteral("hello"), QString());
        // alice is account 1, bob account 2, carol account 3; "g1" is a guest who calls
        // itself bob later.
        QCOMPARE(store.append(secret, from(QStringLiteral("a1"), QStringLiteral("a2"))),
                 MessageStore::AppendResult::Stored);
        QCOMPARE(store.append(open, from(QStringLiteral("a3"))),
                 MessageStore::AppendResult::Stored);
        QVERIFY(store.commit());
        bool more = false;
        QCOMPARE(store.history(query(QStringLiteral("a2"), QStringLiteral("*")), &more)->size(), 2);
        QCOMPARE(store.history(query(QStringLiteral("a1"), QStringLiteral("*")), &more)->size(), 2);
        QCOMPARE(
            store.history(query(QStringLiteral("a2"), QStringLiteral("ALICE")), &more)->first().to,
            QStringLiteral("Bob"));
        QCOMPARE(store.history(query(QStringLiteral("a1"), QStringLiteral("bob")), &more)->size(),
                 1);
        const auto carol = store.history(query(QStringLiteral("a3"), QStringLiteral("*")), &more);
        QCOMPARE(carol->size(), 1);
        QCOMPARE(carol->first().content, QStringLiteral("hello"));
        QVERIFY(
            store.history(query(QStringLiteral("a3"), QStringLiteral("alice")), &more)->isEmpty());
        // The name is not the key: a guest called bob gets nothing of bob's.
        QCOMPARE(store.history(query(QStringLiteral("g1"), QStringLiteral("*")), &more)->size(), 1);
        QVERIFY(
            store.history(query(QStringLiteral("g1"), QStringLiteral("alice")), &more)->isEmpty());
    }

    void everyHistoryQueryUsesAnIndex_data()
    {
        QTest::addColumn<QString>("with");
        QTest::addColumn<qint64>("before");
        QTest::addColumn<qint64>("after");
        QTest::newRow("public, newest") << QString() << qint64(0) << qint64(0);
        QTest::newRow("public, paging back") << QString() << qint64(500) << qint64(0);
        QTest::newRow("everything visible, catching up")
            << QStringLiteral("*") << qint64(0) << qint64(100);
        QTest::newRow("everything visible, newest")
            << QStringLiteral("*") << qint64(0) << qint64(0);
        QTest::newRow("conversation") << QStringLiteral("bob") << qint64(0) << qint64(0);
        QTest::newRow("conversation, paging back")
            << QStringLiteral("bob") << qint64(900) << qint64(0);
    }
    void everyHistoryQueryUsesAnIndex()
    {
        QFETCH(QString, with);
        QFETCH(qint64, before);
        QFETCH(qint64, after);
        QTemporaryDir dir;
        SqliteMessageStore store(dir.filePath(QStringLiteral("h.sqlite")), false);
        QVERIFY(store.open(nullptr));
        HistoryQuery q = query(QStringLiteral("a1"), with);
        q.before = before;
        q.after = after;
        const QStringList plan = store.historyPlan(q);
        QVERIFY(!plan.isEmpty());
        // A step that reads the table without an index says "SCAN messages" without "USING".
        // (Scans of the UNION's own results, "SCAN (subquery-N)", are fine.)
        for (const QString &step : plan) {
            QVERIFY2(!(step.startsWith(QLatin1String("SCAN messages")) &&
                       !step.contains(QLatin1String("USING"))),
                     qPrintable(plan.join(QLatin1String(" | "))));
        }
        QVERIFY2(plan.join(QLatin1Char(' ')).contains(QLatin1String("INDEX messages_")),
                 qPrintable(plan.join(QLatin1String(" | "))));
    }

    void pagesAreBoundedInBytes()
    {
        QTemporaryDir dir;
        SqliteMessageStore store(dir.filePath(QStringLiteral("h.sqlite")), false);
        QVERIFY(store.open(nullptr));
        for (int i = 0; i < 20; ++i) {
            ChatMessage m =
                message(QStringLiteral("alice"), QString(4000, QLatin1Char('a' + i)), QString());
            QCOMPARE(store.append(m, from(QStringLiteral("a1"))),
                     MessageStore::AppendResult::Stored);
        }
        QVERIFY(store.commit());
        HistoryQuery q = query(QStringLiteral("a2"), {}, 200);
        q.maxBytes = 20000; // 5 messages of 4000 bytes of UTF-8
        bool more = false;
        const auto page = store.history(q, &more);
        QVERIFY(page);
        QVERIFY(more);
        QCOMPARE(page->size(), 5);
        // Counted as the UTF-8 that goes out: 4000 Chinese characters are 12000 bytes.
        ChatMessage wide =
            message(QStringLiteral("alice"), QString(4000, QChar(0x6C49)), QString());
        QCOMPARE(store.append(wide, from(QStringLiteral("a1"))),
                 MessageStore::AppendResult::Stored);
        QVERIFY(store.commit());
        QCOMPARE(store.history(q, &more)->size(), 3);                // 12000 + 4000 + 4000 bytes
        QCOMPARE(page->last().content.at(0), QLatin1Char('a' + 19)); // the newest, oldest first
        // One message larger than the bound still comes (a page is never empty).
        q.maxBytes = 10;
        QCOMPARE(store.history(q, &more)->size(), 1);
    }

    void oldStoresAreUpgraded()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("old.sqlite"));
        {
            // A store as 0.1.0 made it: names only, the old indexes.
            QSqlDatabase db =
                QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("old"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            for (const char *sql :
                 {"CREATE TABLE messages (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, sender "
                  "TEXT NOT NULL, sender_key TEXT NOT NULL, recipient TEXT, recipient_key TEXT, "
                  "cid TEXT, content TEXT NOT NULL, mentions TEXT)",
                  "CREATE UNIQUE INDEX messages_cid_sender ON messages(cid, sender_key) WHERE cid "
                  "IS NOT NULL",
                  "CREATE INDEX messages_to ON messages(recipient_key, seq) WHERE recipient_key IS "
                  "NOT NULL",
                  "INSERT INTO messages (ts, sender, sender_key, content, cid) VALUES (1, 'alice', "
                  "'alice', 'old public', 'c1')",
                  "INSERT INTO messages (ts, sender, sender_key, recipient, recipient_key, "
                  "content) "
                  "VALUES (2, 'alice', 'alice', 'dave', 'dave', 'old secret')"})
                QVERIFY2(q.exec(QLatin1String(sql)), qPrintable(q.lastError().text()));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("old"));
        SqliteMessageStore store(path, false);
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        bool more = false;
        const auto publicPage = store.history(query(QStringLiteral("a1"), {}), &more);
        QCOMPARE(publicPage->size(), 1);
        QCOMPARE(publicPage->first().content, QStringLiteral("old public"));
        // Before accounts, whoever used a name read its private messages: nobody gets them now.
        for (const QString &viewer : {QStringLiteral("a1"), QStringLiteral("g1"), QString()})
            QCOMPARE(store.history(query(viewer, QStringLiteral("*")), &more)->size(), 1);
        // A resend of a message stored before the upgrade is still recognised by its sender's
        // name (the client's outbox sends it again after reconnecting to the new server).
        ChatMessage resent =
            message(QStringLiteral("Alice"), QStringLiteral("old public"), QStringLiteral("c1"));
        QCOMPARE(store.append(resent, from(QStringLiteral("g5"))),
                 MessageStore::AppendResult::Duplicate);
        QCOMPARE(resent.seq, 1);
        // New messages go on after the old ones.
        ChatMessage m =
            message(QStringLiteral("alice"), QStringLiteral("new"), QStringLiteral("c2"));
        QCOMPARE(store.append(m, from(QStringLiteral("a1"))), MessageStore::AppendResult::Stored);
        QVERIFY(store.commit());
        QCOMPARE(m.seq, 3);
        // Opening it again changes nothing.
        SqliteMessageStore again(path, false);
        QVERIFY(again.open(nullptr));
        QCOMPARE(again.history(query(QStringLiteral("a1"), {}), &more)->size(), 2);
    }

    void storeThatCannotBeOpenedSaysWhy()
    {
        QTemporaryDir dir;
        // A folder where the file should be.
        const QString path = dir.filePath(QStringLiteral("taken"));
        QVERIFY(QDir().mkpath(path));
        SqliteMessageStore store(path, false);
        QString error;
        QVERIFY(!store.open(&error));
        QVERIFY2(error.contains(path), qPrintable(error));
        ChatMessage m =
            message(QStringLiteral("alice"), QStringLiteral("lost?"), QStringLiteral("x"));
        QCOMPARE(store.append(m, from(QStringLiteral("a1"))), MessageStore::AppendResult::Failed);
        bool more = false;
        QVERIFY(!store.history(query(QStringLiteral("a1"), {}), &more));
        QVERIFY(!store.lastError().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestMessageStore)
#include "tst_messagestore.moc"
