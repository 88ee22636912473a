// The history cache in the outbox's file: pages come back in order and survive reopening, each
// conversation stays within its bound, private messages are kept only for an account, search
// finds words (and only what it may), and clearing leaves nothing of the messages in the file.
#include "net/historycache.h"
#include "net/outboxstore.h"
#include "settings/settings.h"

#include <QDir>
#include <QFile>
#include <QSettings>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

namespace {

ChatMessage message(qint64 seq, const QString &from, const QString &to, const QString &content)
{
    ChatMessage m;
    m.seq = seq;
    m.timestampMs = 1'700'000'000'000 + seq * 1000;
    m.from = from;
    m.to = to;
    m.content = content;
    m.clientId = QStringLiteral("id-%1").arg(seq);
    return m;
}

QList<qint64> seqs(const QList<ChatMessage> &messages)
{
    QList<qint64> list;
    for (const ChatMessage &m : messages)
        list << m.seq;
    return list;
}

QByteArray fileBytes(const QString &path)
{
    QByteArray all;
    for (const QString &suffix : {QString(), QStringLiteral("-wal")}) {
        QFile f(path + suffix);
        if (f.open(QIODevice::ReadOnly))
            all += f.readAll();
    }
    return all;
}

} // namespace

class TestHistoryCache : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    int m_files = 0;

    QString newPath() { return m_dir.filePath(QStringLiteral("cache-%1.sqlite").arg(++m_files)); }

private slots:
    void pagesComeBackInOrderAndSurviveReopening()
    {
        const QString path = newPath();
        {
            OutboxStore store;
            QVERIFY2(store.open(path), qPrintable(store.errorString()));
            HistoryCache cache(&store);
            cache.setSelf(QStringLiteral("alice"));
            QList<ChatMessage> batch;
            for (qint64 seq = 1; seq <= 30; ++seq)
                batch << message(seq * 2, QStringLiteral("bob"), {},
                                 QStringLiteral("m%1").arg(seq));
            cache.add(batch);
            // The same seq again (a resent page) replaces, it does not double.
            cache.add({message(60, QStringLiteral("bob"), {}, QStringLiteral("m30"))});
            QVERIFY(store.commit());
        }
        OutboxStore store;
        QVERIFY(store.open(path));
        HistoryCache cache(&store);
        cache.setSelf(QStringLiteral("alice"));
        QCOMPARE(cache.count(QString()), 30);
        QCOMPARE(cache.maxSeq(), 60);
        const QList<ChatMessage> newest = cache.page(QString(), 0, 5);
        QCOMPARE(seqs(newest), (QList<qint64>{52, 54, 56, 58, 60}));
        QCOMPARE(newest.last().content, QStringLiteral("m30"));
        QCOMPARE(newest.last().from, QStringLiteral("bob"));
        QCOMPARE(newest.last().clientId, QStringLiteral("id-60"));
        QCOMPARE(newest.last().timestampMs, 1'700'000'060'000);
        QCOMPARE(seqs(cache.page(QString(), 52, 3)), (QList<qint64>{46, 48, 50}));
        QCOMPARE(seqs(cache.page(QString(), 4, 10)), (QList<qint64>{2}));
        QCOMPARE(seqs(cache.around(QString(), 30, 5)), (QList<qint64>{26, 28, 30, 32, 34}));
    }

    // Reactions come back after a restart (an offline start shows them), a live change
    // replaces the summary, and the user's own stay theirs until they take them back.
    void reactionsAreKeptAndFollowLiveChanges()
    {
        const QString path = newPath();
        const QString thumbs = QStringLiteral("\U0001F44D");
        const QString party = QStringLiteral("\U0001F389");
        auto reaction = [](const QString &emoji, QStringList from, bool mine) {
            ChatMessage::Reaction r;
            r.emoji = emoji;
            r.count = int(from.size());
            r.from = std::move(from);
            r.mine = mine;
            return r;
        };
        {
            OutboxStore store;
            QVERIFY2(store.open(path), qPrintable(store.errorString()));
            HistoryCache cache(&store);
            cache.setSelf(QStringLiteral("alice"));
            ChatMessage m = message(5, QStringLiteral("bob"), {}, QStringLiteral("lunch?"));
            m.reactions = {
                reaction(thumbs, {QStringLiteral("bob"), QStringLiteral("alice")}, true)};
            cache.add({m, message(6, QStringLiteral("bob"), {}, QStringLiteral("plain"))});
            QVERIFY(store.commit());
        }
        OutboxStore store;
        QVERIFY(store.open(path));
        HistoryCache cache(&store);
        cache.setSelf(QStringLiteral("alice"));
        QList<ChatMessage> page = cache.page(QString(), 0, 10);
        QCOMPARE(page.size(), 2);
        QCOMPARE(page.at(0).reactions,
                 (QList<ChatMessage::Reaction>{
                     reaction(thumbs, {QStringLiteral("bob"), QStringLiteral("alice")}, true)}));
        QVERIFY(page.at(1).reactions.isEmpty());

        // carol adds one: a live summary says nothing of "mine", alice's thumb stays hers.
        cache.updateReactions(
            5,
            {reaction(thumbs, {QStringLiteral("bob"), QStringLiteral("alice")}, false),
             reaction(party, {QStringLiteral("carol")}, false)},
            QStringLiteral("carol"), party, true);
        page = cache.page(QString(), 0, 10);
        QCOMPARE(page.at(0).reactions.size(), 2);
        QVERIFY(page.at(0).reactions.at(0).mine);
        QVERIFY(!page.at(0).reactions.at(1).mine);
        // alice takes hers back (from another device of hers, or this one).
        cache.updateReactions(5,
                              {reaction(thumbs, {QStringLiteral("bob")}, false),
                               reaction(party, {QStringLiteral("carol")}, false)},
                              QStringLiteral("Alice"), thumbs, false);
        // A reaction to a message the cache does not hold adds nothing.
        cache.updateReactions(99, {reaction(party, {QStringLiteral("carol")}, false)},
                              QStringLiteral("carol"), party, true);
        QVERIFY(store.commit());
        QCOMPARE(cache.count(QString()), 2);
        page = cache.page(QString(), 0, 10);
        QCOMPARE(page.at(0).reactions,
                 (QList<ChatMessage::Reaction>{reaction(thumbs, {QStringLiteral("bob")}, false),
                                               reaction(party, {QStringLiteral("carol")}, false)}));
    }

    void eachConversationKeepsOnlyItsNewestMessages()
    {
        OutboxStore store;
        QVERIFY(store.open(newPath()));
        HistoryCache cache(&store);
        cache.setSelf(QStringLiteral("alice"));
        cache.setPrivateAllowed(true);
        cache.setLimit(100);
        // One message at a time, as live messages come, and a page at once.
        for (qint64 seq = 1; seq <= 500; ++seq)
            cache.add({message(seq, QStringLiteral("bob"), {}, QStringLiteral("room"))});
        QList<ChatMessage> page;
        for (qint64 seq = 1001; seq <= 1300; ++seq)
            page << message(seq, QStringLiteral("carol"), QStringLiteral("alice"),
                            QStringLiteral("private"));
        cache.add(page);
        QVERIFY(cache.count(QString()) >= 100);
        QVERIFY2(cache.count(QString()) <= 110, qPrintable(QString::number(cache.count({}))));
        QVERIFY(cache.count(QStringLiteral("carol")) >= 100);
        QVERIFY(cache.count(QStringLiteral("carol")) <= 110);
        // The newest ones are the ones kept, and the room's bound did not touch carol's.
        QCOMPARE(cache.page(QString(), 0, 1).constFirst().seq, 500);
        QCOMPARE(cache.page(QStringLiteral("carol"), 0, 1).constFirst().seq, 1300);
        QVERIFY(cache.page(QString(), 0, 1000).constFirst().seq > 380);
    }

    void privateMessagesAreKeptOnlyForAnAccount()
    {
        OutboxStore store;
        QVERIFY(store.open(newPath()));
        HistoryCache cache(&store);
        cache.setSelf(QStringLiteral("Alice"));
        // A guest: the room only.
        cache.add({message(1, QStringLiteral("bob"), {}, QStringLiteral("hello room")),
                   message(2, QStringLiteral("bob"), QStringLiteral("alice"),
                           QStringLiteral("secret one"))});
        QCOMPARE(cache.count(QString()), 1);
        QCOMPARE(cache.count(QStringLiteral("bob")), 0);

        cache.setPrivateAllowed(true);
        cache.add({message(3, QStringLiteral("Bob"), QStringLiteral("ALICE"),
                           QStringLiteral("secret two")),
                   message(4, QStringLiteral("alice"), QStringLiteral("bob"),
                           QStringLiteral("secret three"))});
        // Both directions are one conversation, named by the other person.
        QCOMPARE(seqs(cache.page(QStringLiteral("bob"), 0, 10)), (QList<qint64>{3, 4}));
        const QList<HistoryCache::Conversation> list = cache.conversations();
        QCOMPARE(list.size(), 2);
        for (const HistoryCache::Conversation &c : list) {
            if (c.key.isEmpty())
                continue;
            QCOMPARE(c.key, QStringLiteral("bob"));
            QCOMPARE(c.displayName, QStringLiteral("bob")); // the last message's spelling
            QCOMPARE(c.lastSeq, 4);
        }
        QCOMPARE(cache.search(QStringLiteral("secret"), 10).size(), 2);

        // Signed in as a guest after all: what was private goes, and stays out of reach.
        cache.setPrivateAllowed(false);
        QVERIFY(store.commit());
        QCOMPARE(cache.count(QStringLiteral("bob")), 0);
        QVERIFY(cache.search(QStringLiteral("secret"), 10).isEmpty());
        QCOMPARE(cache.conversations().size(), 1);
    }

    void searchFindsWordsLiterally()
    {
        OutboxStore store;
        QVERIFY(store.open(newPath()));
        HistoryCache cache(&store);
        cache.setSelf(QStringLiteral("alice"));
        cache.setPrivateAllowed(true);
        cache.add({message(1, QStringLiteral("bob"), {}, QStringLiteral("Deploy at 5pm")),
                   message(2, QStringLiteral("bob"), {}, QStringLiteral("50% done")),
                   message(3, QStringLiteral("bob"), {}, QStringLiteral("500 done")),
                   message(4, QStringLiteral("carol"), QStringLiteral("alice"),
                           QStringLiteral("the deploy key")),
                   message(5, QStringLiteral("bob"), {}, QStringLiteral("会议改到三点"))});
        const QList<HistoryCache::Hit> deploy = cache.search(QStringLiteral("DEPLOY"), 10);
        QCOMPARE(deploy.size(), 2);
        QCOMPARE(deploy.at(0).message.seq, 4); // newest first
        QCOMPARE(deploy.at(0).conversation, QStringLiteral("carol"));
        QCOMPARE(deploy.at(0).displayName, QStringLiteral("carol"));
        QCOMPARE(deploy.at(1).conversation, QString(""));
        // % and _ are letters here, not patterns.
        QCOMPARE(cache.search(QStringLiteral("0%"), 10).size(), 1);
        QCOMPARE(cache.search(QStringLiteral("5_"), 10).size(), 0);
        QCOMPARE(cache.search(QStringLiteral("三点"), 10).size(), 1);
        QCOMPARE(cache.search(QStringLiteral("done"), 1).size(), 1);
        QVERIFY(cache.search(QStringLiteral("   "), 10).isEmpty());
        // Every word, in any order, as the server searches (issue 14).
        QCOMPARE(cache.search(QStringLiteral("key  DEPLOY"), 10).size(), 1);
        QCOMPARE(cache.search(QStringLiteral("5pm deploy"), 10).at(0).message.seq, 1);
        QVERIFY(cache.search(QStringLiteral("deploy 三点"), 10).isEmpty());
    }

    void clearingLeavesNothingOfTheMessagesInTheFile()
    {
        const QString path = newPath();
        OutboxStore store;
        QVERIFY(store.open(path));
        HistoryCache cache(&store);
        cache.setSelf(QStringLiteral("alice"));
        cache.setPrivateAllowed(true);
        QList<ChatMessage> batch;
        for (qint64 seq = 1; seq <= 200; ++seq)
            batch << message(seq, QStringLiteral("bob"), QStringLiteral("alice"),
                             QStringLiteral("zebra-password-%1").arg(seq));
        cache.add(batch);
        cache.setValue(QStringLiteral("last_conversation"), QStringLiteral("bob"));
        QVERIFY(store.commit());
        QVERIFY(fileBytes(path).contains("zebra-password-17"));

        cache.clear();
        QVERIFY(store.isOpen());
        QCOMPARE(cache.maxSeq(), 0);
        QCOMPARE(cache.value(QStringLiteral("last_conversation")), QString());
        QVERIFY(!fileBytes(path).contains("zebra-password"));
        // The file goes on working for what comes next.
        cache.add({message(201, QStringLiteral("bob"), {}, QStringLiteral("after"))});
        QVERIFY(store.commit());
        QCOMPARE(cache.count(QString()), 1);
    }

    void theCatchUpPointIsKeptApartFromTheNewestMessage()
    {
        const QString path = newPath();
        {
            OutboxStore store;
            QVERIFY(store.open(path));
            HistoryCache cache(&store);
            cache.setSelf(QStringLiteral("alice"));
            cache.add({message(3, QStringLiteral("bob"), {}, QStringLiteral("a")),
                       message(9, QStringLiteral("bob"), {}, QStringLiteral("b"))});
            // A file from before the catch-up point was kept: its newest message.
            QCOMPARE(cache.caughtUpTo(), 9);
            cache.setCaughtUpTo(3);
            cache.setValue(HistoryCache::kLastConversation, QString());
            QVERIFY(store.commit());
        }
        OutboxStore store;
        QVERIFY(store.open(path));
        HistoryCache cache(&store);
        QCOMPARE(cache.caughtUpTo(), 3);
        QCOMPARE(cache.maxSeq(), 9);
        // Dropping the messages drops the point with them, and keeps the other values.
        cache.setValue(QStringLiteral("guest_session"), QStringLiteral("abc"));
        cache.clearMessages();
        QVERIFY(store.commit());
        QCOMPARE(cache.maxSeq(), 0);
        QCOMPARE(cache.caughtUpTo(), 0);
        QCOMPARE(cache.value(QStringLiteral("guest_session")), QStringLiteral("abc"));
    }

    void rangeReadsFromAHitToWhatIsShown()
    {
        OutboxStore store;
        QVERIFY(store.open(newPath()));
        HistoryCache cache(&store);
        cache.setSelf(QStringLiteral("alice"));
        cache.setLimit(100);
        QList<ChatMessage> batch;
        for (qint64 seq = 1; seq <= 100; ++seq)
            batch << message(seq, QStringLiteral("bob"), {}, QStringLiteral("m"));
        cache.add(batch);
        QCOMPARE(seqs(cache.range(QString(), 40, 45)), (QList<qint64>{40, 41, 42, 43, 44}));
        QCOMPARE(cache.range(QString(), 1, 0).size(), 100); // to the newest
        QVERIFY(cache.range(QString(), 50, 50).isEmpty());
    }

    void aGuestLoginLeavesNoPrivateTextInTheFile()
    {
        // Deleted rows stay in the file's free pages and its write-ahead log until rewritten.
        const QString path = newPath();
        OutboxStore store;
        QVERIFY(store.open(path));
        HistoryCache cache(&store);
        cache.setSelf(QStringLiteral("alice"));
        cache.setPrivateAllowed(true);
        QList<ChatMessage> batch;
        for (qint64 seq = 1; seq <= 200; ++seq)
            batch << message(seq, QStringLiteral("bob"), QStringLiteral("alice"),
                             QStringLiteral("kiwi-secret-%1").arg(seq));
        batch << message(201, QStringLiteral("bob"), {}, QStringLiteral("room-text"));
        cache.add(batch);
        cache.setValue(HistoryCache::kLastConversation, QStringLiteral("bob"));
        QVERIFY(store.commit());
        QVERIFY(fileBytes(path).contains("kiwi-secret-17"));

        cache.setPrivateAllowed(false);
        QVERIFY(store.commit());
        QVERIFY(store.isOpen());
        const QByteArray bytes = fileBytes(path);
        QVERIFY(!bytes.contains("kiwi-secret"));
        QVERIFY(bytes.contains("room-text"));
        // The name of the private conversation goes with it; the room's would stay.
        QCOMPARE(cache.value(HistoryCache::kLastConversation), QString());
        QCOMPARE(cache.count(QString()), 1);
    }

    void outboxFilesOfTheFirstVersionGainTheCache()
    {
        const QString path = newPath();
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), "v1");
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral(
                "CREATE TABLE outbox (position INTEGER PRIMARY KEY AUTOINCREMENT, client_id TEXT "
                "NOT NULL UNIQUE, recipient TEXT NOT NULL DEFAULT '', content TEXT NOT NULL, "
                "created_ms INTEGER NOT NULL)")));
            QVERIFY(q.exec(QStringLiteral("INSERT INTO outbox (client_id, content, created_ms) "
                                          "VALUES ('c1', 'unsent', 5)")));
            QVERIFY(q.exec(QStringLiteral("PRAGMA user_version=1")));
        }
        QSqlDatabase::removeDatabase(QStringLiteral("v1"));
        OutboxStore store;
        QVERIFY2(store.open(path), qPrintable(store.errorString()));
        QCOMPARE(store.load().size(), 1);
        HistoryCache cache(&store);
        cache.add({message(7, QStringLiteral("bob"), {}, QStringLiteral("hi"))});
        QVERIFY(store.commit());
        QCOMPARE(cache.maxSeq(), 7);
    }

    void theBoundIsASettingWithASaneDefault()
    {
        Settings settings(m_dir.filePath(QStringLiteral("limit.ini")));
        QCOMPARE(settings.historyCacheLimit(), 5000);
        settings.setHistoryCacheLimit(200);
        QCOMPARE(settings.historyCacheLimit(), 200);
        for (const QVariant &bad : {QVariant(QStringLiteral("lots")), QVariant(0), QVariant(-5),
                                    QVariant(10), QVariant(2'000'000'000)}) {
            QSettings raw(m_dir.filePath(QStringLiteral("limit.ini")), QSettings::IniFormat);
            raw.setValue(QStringLiteral("history/messagesPerConversation"), bad);
            raw.sync();
            Settings reread(m_dir.filePath(QStringLiteral("limit.ini")));
            QCOMPARE(reread.historyCacheLimit(), 5000);
        }
        HistoryCache cache(nullptr);
        cache.setLimit(3);
        QCOMPARE(cache.limit(), 50); // the cache's own floor, whatever it is given
    }

    void nothingHappensWithoutAFile()
    {
        OutboxStore store; // never opened
        HistoryCache cache(&store);
        cache.add({message(1, QStringLiteral("bob"), {}, QStringLiteral("hi"))});
        QCOMPARE(cache.maxSeq(), 0);
        QVERIFY(cache.page(QString(), 0, 10).isEmpty());
        QVERIFY(cache.search(QStringLiteral("hi"), 10).isEmpty());
        cache.clear();
    }
};

QTEST_GUILESS_MAIN(TestHistoryCache)
#include "tst_historycache.moc"
