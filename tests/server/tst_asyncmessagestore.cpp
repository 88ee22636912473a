// AsyncMessageStore: the relay's store on a thread of its own. Answers come back in the order
// asked, each batch is one transaction, a read sees every batch asked for before it, an answer
// for a context that is gone is dropped, and destroying the store commits what was queued.
#include "asyncmessagestore.h"
#include "sqlitemessagestore.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

using Item = AsyncMessageStore::Item;
using R = MessageStore::AppendResult;

Item item(const QString &content, const QString &id, const QString &sender = QStringLiteral("a1"))
{
    Item i;
    i.message.from = QStringLiteral("alice");
    i.message.content = content;
    i.message.clientId = id;
    i.message.timestampMs = 1795655458483;
    i.parties.sender = sender;
    return i;
}

HistoryQuery publicPage(int limit = 50)
{
    HistoryQuery q;
    q.viewer = QStringLiteral("a2");
    q.limit = limit;
    return q;
}

std::unique_ptr<AsyncMessageStore> openStore(const QString &path)
{
    auto store =
        std::make_unique<AsyncMessageStore>(std::make_unique<SqliteMessageStore>(path, false));
    QString error;
    if (!store->open(&error)) {
        qWarning("%s", qPrintable(error));
        return nullptr;
    }
    return store;
}

// The real SQLite store, except that appending the text "poison" fails, as a full disk or a
// dropped database connection would fail one append in the middle of a batch.
class PoisonedStore : public SqliteMessageStore
{
public:
    using SqliteMessageStore::SqliteMessageStore;
    AppendResult append(ChatMessage &message, const MessageParties &parties) override
    {
        if (message.content == QLatin1String("poison"))
            return AppendResult::Failed;
        return SqliteMessageStore::append(message, parties);
    }
    QString lastError() const override { return QStringLiteral("poisoned"); }
};

} // namespace

class TestAsyncMessageStore : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    int m_files = 0;
    QString newPath() { return m_dir.filePath(QStringLiteral("h%1.sqlite").arg(++m_files)); }

private slots:
    void answersComeInOrderAndReadsSeeEarlierBatches()
    {
        auto store = openStore(newPath());
        QVERIFY(store);
        QObject context;
        QStringList events;
        QList<qint64> seqs;
        for (int b = 0; b < 20; ++b) {
            std::vector<Item> batch;
            for (int i = 0; i < 5; ++i)
                batch.push_back(item(QStringLiteral("b%1m%2").arg(b).arg(i),
                                     QStringLiteral("id-%1-%2").arg(b).arg(i)));
            store->storeBatch(std::move(batch), &context,
                              [&, b](std::vector<Item> items, const QString &error) {
                                  QVERIFY2(error.isEmpty(), qPrintable(error));
                                  for (const Item &i : items) {
                                      QCOMPARE(i.result, R::Stored);
                                      seqs << i.message.seq;
                                  }
                                  events << QStringLiteral("batch %1").arg(b);
                              });
            if (b == 9) {
                // Asked for after ten batches: sees exactly their 50 messages.
                store->history(
                    publicPage(200), &context,
                    [&](const std::optional<QList<ChatMessage>> &page, bool more, const QString &) {
                        QVERIFY(page);
                        QCOMPARE(page->size(), 50);
                        QCOMPARE(page->last().content, QStringLiteral("b9m4"));
                        QVERIFY(!more);
                        events << QStringLiteral("read");
                    });
            }
        }
        QCOMPARE(store->pending(), 21);
        QTRY_COMPARE(store->pending(), 0);
        QCOMPARE(events.size(), 21);
        QCOMPARE(events.at(10), QStringLiteral("read"));
        QCOMPARE(events.first(), QStringLiteral("batch 0"));
        QCOMPARE(events.last(), QStringLiteral("batch 19"));
        for (int i = 1; i < seqs.size(); ++i)
            QVERIFY(seqs.at(i) > seqs.at(i - 1));
    }

    void aResendIsFoundAsTheStoredMessage()
    {
        auto store = openStore(newPath());
        QVERIFY(store);
        QObject context;
        QList<Item> answers;
        auto collect = [&](std::vector<Item> items, const QString &) {
            for (Item &i : items)
                answers << i;
        };
        store->storeBatch({item(QStringLiteral("hello"), QStringLiteral("x1"))}, &context, collect);
        // The same id from the same sender, in the next batch and twice within one batch.
        store->storeBatch({item(QStringLiteral("hello"), QStringLiteral("x1")),
                           item(QStringLiteral("other"), QStringLiteral("x2")),
                           item(QStringLiteral("other"), QStringLiteral("x2"))},
                          &context, collect);
        // Another sender may use the same id.
        store->storeBatch(
            {item(QStringLiteral("mine"), QStringLiteral("x1"), QStringLiteral("a9"))}, &context,
            collect);
        QTRY_COMPARE(answers.size(), 5);
        QCOMPARE(answers.at(0).result, R::Stored);
        QCOMPARE(answers.at(1).result, R::Duplicate);
        QCOMPARE(answers.at(1).message.seq, answers.at(0).message.seq);
        QCOMPARE(answers.at(2).result, R::Stored);
        QCOMPARE(answers.at(3).result, R::Duplicate);
        QCOMPARE(answers.at(3).message.seq, answers.at(2).message.seq);
        QCOMPARE(answers.at(4).result, R::Stored);
    }

    void aFailedAppendFailsTheWholeBatch()
    {
        // Committing the others would acknowledge messages around a hole in what the sender
        // wrote; instead all come back failed (to be resent) and nothing of the batch is kept.
        AsyncMessageStore store(std::make_unique<PoisonedStore>(newPath(), false));
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        QObject context;
        QList<Item> answers;
        QString why;
        auto collect = [&](std::vector<Item> items, const QString &e) {
            why = e;
            for (Item &i : items)
                answers << i;
        };
        store.storeBatch({item(QStringLiteral("first"), QStringLiteral("p1")),
                          item(QStringLiteral("poison"), QStringLiteral("p2")),
                          item(QStringLiteral("third"), QStringLiteral("p3"))},
                         &context, collect);
        QTRY_COMPARE(answers.size(), 3);
        for (const Item &i : answers)
            QCOMPARE(i.result, R::Failed);
        QCOMPARE(why, QStringLiteral("poisoned"));
        // The next batch is stored as usual, and it is all the history holds.
        store.storeBatch({item(QStringLiteral("first"), QStringLiteral("p1"))}, &context, collect);
        QTRY_COMPARE(answers.size(), 4);
        QCOMPARE(answers.at(3).result, R::Stored);
        std::optional<QList<ChatMessage>> page;
        store.history(
            publicPage(), &context,
            [&](const std::optional<QList<ChatMessage>> &p, bool, const QString &) { page = p; });
        QTRY_VERIFY(page.has_value());
        QCOMPARE(page->size(), 1);
        QCOMPARE(page->first().content, QStringLiteral("first"));
    }

    void anInlineStoreAnswersABatchAtOnceAndReadsLater()
    {
        // A plain SQLite file on the relay's thread: the batch is committed and answered
        // within the call (the relay writes it out in the same turn), all or nothing as on a
        // thread; history pages still come back queued.
        AsyncMessageStore store(std::make_unique<PoisonedStore>(newPath(), false),
                                AsyncMessageStore::Threading::Inline);
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        QObject context;
        QList<Item> answers;
        auto collect = [&](std::vector<Item> items, const QString &) {
            for (Item &i : items)
                answers << i;
        };
        store.storeBatch({item(QStringLiteral("first"), QStringLiteral("p1")),
                          item(QStringLiteral("poison"), QStringLiteral("p2"))},
                         &context, collect);
        QCOMPARE(answers.size(), 2);
        QCOMPARE(answers.at(0).result, R::Failed);
        QCOMPARE(answers.at(1).result, R::Failed);
        store.storeBatch({item(QStringLiteral("first"), QStringLiteral("p1"))}, &context, collect);
        QCOMPARE(answers.size(), 3);
        QCOMPARE(answers.at(2).result, R::Stored);
        QCOMPARE(store.pending(), 0);
        std::optional<QList<ChatMessage>> page;
        store.history(
            publicPage(), &context,
            [&](const std::optional<QList<ChatMessage>> &p, bool, const QString &) { page = p; });
        QVERIFY(!page.has_value()); // queued, as the callers expect
        QTRY_VERIFY(page.has_value());
        QCOMPARE(page->size(), 1);
        QCOMPARE(page->first().content, QStringLiteral("first"));
    }

    void anAnswerForAContextThatIsGoneIsDropped()
    {
        auto store = openStore(newPath());
        QVERIFY(store);
        auto gone = std::make_unique<QObject>();
        bool called = false;
        store->storeBatch({item(QStringLiteral("orphan"), QStringLiteral("o1"))}, gone.get(),
                          [&](std::vector<Item>, const QString &) { called = true; });
        store->history(publicPage(), gone.get(),
                       [&](const std::optional<QList<ChatMessage>> &, bool, const QString &) {
                           called = true;
                       });
        gone.reset();
        QObject context;
        bool later = false;
        store->history(publicPage(), &context,
                       [&](const std::optional<QList<ChatMessage>> &page, bool, const QString &) {
                           // The orphan's batch was still committed.
                           later = page && page->size() == 1;
                       });
        QTRY_VERIFY(later);
        QVERIFY(!called);
    }

    void destroyingTheStoreCommitsWhatWasQueued()
    {
        const QString path = newPath();
        {
            auto store = openStore(path);
            QVERIFY(store);
            QObject context;
            for (int i = 0; i < 50; ++i)
                store->storeBatch(
                    {item(QStringLiteral("q%1").arg(i), QStringLiteral("q%1").arg(i))}, &context,
                    [](std::vector<Item>, const QString &) {});
        } // no event loop ran: nothing was answered
        SqliteMessageStore check(path, false);
        QVERIFY(check.open(nullptr));
        bool more = false;
        const auto page = check.history(publicPage(100), &more);
        QVERIFY(page);
        QCOMPARE(page->size(), 50);
        QCOMPARE(page->last().content, QStringLiteral("q49"));
    }

    void aStoreThatCannotOpenSaysWhy()
    {
        QFile blocker(m_dir.filePath(QStringLiteral("not-a-folder")));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        AsyncMessageStore store(std::make_unique<SqliteMessageStore>(
            m_dir.filePath(QStringLiteral("not-a-folder/h.sqlite")), false));
        QString error;
        QVERIFY(!store.open(&error));
        QVERIFY2(error.contains(QLatin1String("not-a-folder")), qPrintable(error));
        QVERIFY(!store.isOpen());
    }
};

QTEST_GUILESS_MAIN(TestAsyncMessageStore)
#include "tst_asyncmessagestore.moc"
