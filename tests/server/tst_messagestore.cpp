// SqliteMessageStore on its own: what goes in comes back byte for byte, resends are found,
// private messages stay private, and a store that cannot be opened says why.
#include "sqlitemessagestore.h"

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
            QCOMPARE(store.append(m), MessageStore::AppendResult::Stored);
        }
        QVERIFY(store.commit());
        bool more = true;
        const auto page = store.history({QStringLiteral("bob"), {}, 0, 0, 50}, &more);
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
        QCOMPARE(store.append(first), MessageStore::AppendResult::Stored);
        QVERIFY(store.commit());
        // Names are compared without case; the time of the resend is replaced by the stored one.
        ChatMessage again = message(QStringLiteral("alice"), QStringLiteral("hi"), first.clientId);
        again.timestampMs = first.timestampMs + 5000;
        QCOMPARE(store.append(again), MessageStore::AppendResult::Duplicate);
        QCOMPARE(again.seq, first.seq);
        QCOMPARE(again.timestampMs, first.timestampMs);
        ChatMessage other = message(QStringLiteral("bob"), QStringLiteral("hi"), first.clientId);
        QCOMPARE(store.append(other), MessageStore::AppendResult::Stored);
        QVERIFY(other.seq > first.seq);
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
        QCOMPARE(store.append(secret), MessageStore::AppendResult::Stored);
        QCOMPARE(store.append(open), MessageStore::AppendResult::Stored);
        QVERIFY(store.commit());
        bool more = false;
        QCOMPARE(
            store.history({QStringLiteral("bob"), QStringLiteral("*"), 0, 0, 50}, &more)->size(),
            2);
        QCOMPARE(store.history({QStringLiteral("BOB"), QStringLiteral("alice"), 0, 0, 50}, &more)
                     ->first()
                     .to,
                 QStringLiteral("Bob"));
        const auto carol =
            store.history({QStringLiteral("carol"), QStringLiteral("*"), 0, 0, 50}, &more);
        QCOMPARE(carol->size(), 1);
        QCOMPARE(carol->first().content, QStringLiteral("hello"));
        QVERIFY(store.history({QStringLiteral("carol"), QStringLiteral("alice"), 0, 0, 50}, &more)
                    ->isEmpty());
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
        QCOMPARE(store.append(m), MessageStore::AppendResult::Failed);
        bool more = false;
        QVERIFY(!store.history({QStringLiteral("alice"), {}, 0, 0, 50}, &more));
        QVERIFY(!store.lastError().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestMessageStore)
#include "tst_messagestore.moc"
