// Emoji reactions (docs/protocol.md section 5.7) against a real confab-server process: who may
// react to what, who hears of it (live and in history), what a seed page sees (nothing), every
// class of bad request, and a user who reacts thousands of times.
#include "protocol/messageencoder.h"
#include "serverprocess.h"
#include "testclient.h"

#include <QJsonArray>
#include <QTest>

#include <memory>

namespace {

const QString kThumbs = QString::fromUtf8("\xF0\x9F\x91\x8D");        // 👍
const QString kHeart = QString::fromUtf8("\xE2\x9D\xA4\xEF\xB8\x8F"); // ❤️
const QString kFamily =
    QString::fromUtf8("\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80"
                      "\x8D\xF0\x9F\x91\xA7"); // 👨‍👩‍👧, one grapheme
const QString kFlag = QString::fromUtf8("\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7"); // 🇫🇷

QString typeOf(const QJsonObject &o)
{
    return o.value(QLatin1String("type")).toString();
}

TestClient::Predicate reactionOf(qint64 seq)
{
    return [seq](const QJsonObject &o) {
        return typeOf(o) == QLatin1String("reaction") &&
               o.value(QLatin1String("seq")).toInteger() == seq;
    };
}

QByteArray reactJson(qint64 seq, const QString &emoji, const QString &id, bool add = true)
{
    return MessageEncoder::reactRequest(seq, emoji, add, id);
}

} // namespace

class TestReactions : public QObject
{
    Q_OBJECT
private:
    ServerProcess m_server;

    std::unique_ptr<TestClient> online(const QString &name, bool seed = false,
                                       ServerProcess *server = nullptr)
    {
        auto c = std::make_unique<TestClient>();
        if (!c->open((server ? server : &m_server)->url()) || !c->login(name, seed))
            return nullptr;
        return c;
    }

private slots:
    void initTestCase() { QVERIFY(m_server.start()); }

    void aReactionReachesEveryoneWithWhoAndHowMany()
    {
        auto alice = online(QStringLiteral("x_alice"));
        auto bob = online(QStringLiteral("x_bob"));
        auto carol = online(QStringLiteral("x_carol"));
        auto seed = online(QStringLiteral("x_seed"), true);
        QVERIFY(alice && bob && carol && seed);
        const qint64 seq =
            alice->sendAcked(QStringLiteral("lunch at noon?"), QStringLiteral("l-1"));
        QVERIFY(seq > 0);

        bob->sendJson(reactJson(seq, kThumbs, QStringLiteral("r-1")));
        for (TestClient *c : {alice.get(), bob.get(), carol.get()}) {
            const QJsonObject r = c->waitFor(reactionOf(seq));
            QCOMPARE(r.value(QLatin1String("by")).toString(), QStringLiteral("x_bob"));
            QCOMPARE(r.value(QLatin1String("emoji")).toString(), kThumbs);
            QVERIFY(r.value(QLatin1String("added")).toBool());
            const QJsonArray list = r.value(QLatin1String("reactions")).toArray();
            QCOMPARE(list.size(), 1);
            QCOMPARE(list.at(0).toObject().value(QLatin1String("count")).toInt(), 1);
            QCOMPARE(list.at(0).toObject().value(QLatin1String("from")).toArray(),
                     QJsonArray{QStringLiteral("x_bob")});
        }
        carol->sendJson(reactJson(seq, kThumbs, QStringLiteral("r-2")));
        carol->sendJson(reactJson(seq, kFamily, QStringLiteral("r-3")));
        QVERIFY(!alice->waitFor(reactionOf(seq)).isEmpty());
        const QJsonArray now =
            alice->waitFor(reactionOf(seq)).value(QLatin1String("reactions")).toArray();
        QCOMPARE(now.size(), 2);
        QCOMPARE(now.at(0).toObject().value(QLatin1String("count")).toInt(), 2);
        QCOMPARE(now.at(1).toObject().value(QLatin1String("emoji")).toString(), kFamily);

        // Taken back: everyone is told, and the count goes down.
        bob->sendJson(reactJson(seq, kThumbs, QStringLiteral("r-4"), false));
        const QJsonObject removed = carol->waitFor([&](const QJsonObject &o) {
            return reactionOf(seq)(o) && !o.value(QLatin1String("added")).toBool(true);
        });
        QCOMPARE(removed.value(QLatin1String("by")).toString(), QStringLiteral("x_bob"));
        QCOMPARE(removed.value(QLatin1String("reactions"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QLatin1String("from"))
                     .toArray(),
                 QJsonArray{QStringLiteral("x_carol")});

        // History has them, the asker's own marked.
        const QJsonObject inCarols = TestClient::withSeq(carol->history(), seq);
        const QJsonArray listed = inCarols.value(QLatin1String("reactions")).toArray();
        QCOMPARE(listed.size(), 2);
        QVERIFY(listed.at(0).toObject().value(QLatin1String("mine")).toBool());
        const QJsonObject inAlices = TestClient::withSeq(alice->history(), seq);
        QVERIFY(!inAlices.value(QLatin1String("reactions"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QLatin1String("mine"))
                     .toBool());

        // The seed page knows no reactions: it gets none of them, and the next message is
        // the first thing it receives after the original.
        QVERIFY(!seed->waitForChat(QStringLiteral("lunch at noon?")).isEmpty());
        alice->sendAcked(QStringLiteral("after the reactions"), QStringLiteral("l-2"));
        QVERIFY(!seed->waitForChat(QStringLiteral("after the reactions")).isEmpty());
        QVERIFY(seed->all([](const QJsonObject &o) {
                        return typeOf(o) == QLatin1String("reaction") ||
                               o.contains(QLatin1String("reactions")) ||
                               o.value(QLatin1String("content")).toString().contains(kThumbs);
                    })
                    .isEmpty());
    }

    void privateMessagesTakeReactionsFromTheirPartiesOnly()
    {
        auto alice = online(QStringLiteral("p_alice"));
        auto bob = online(QStringLiteral("p_bob"));
        auto carol = online(QStringLiteral("p_carol"));
        QVERIFY(alice && bob && carol);
        const qint64 seq = alice->sendAcked(QStringLiteral("just us"), QStringLiteral("p-1"),
                                            QStringLiteral("p_bob"));
        QVERIFY(seq > 0);
        // Carol may not see it: the same answer as for a seq that does not exist.
        carol->sendJson(reactJson(seq, kHeart, QStringLiteral("c-1")));
        QCOMPARE(carol->waitForError(QStringLiteral("unknown_message"))
                     .value(QLatin1String("id"))
                     .toString(),
                 QStringLiteral("c-1"));
        carol->sendJson(reactJson(seq + 1000, kHeart, QStringLiteral("c-2")));
        QCOMPARE(carol->waitForError(QStringLiteral("unknown_message"))
                     .value(QLatin1String("id"))
                     .toString(),
                 QStringLiteral("c-2"));
        bob->sendJson(reactJson(seq, kHeart, QStringLiteral("b-1")));
        QVERIFY(!alice->waitFor(reactionOf(seq)).isEmpty());
        QVERIFY(!bob->waitFor(reactionOf(seq)).isEmpty());
        // Carol hears nothing of it (a later public message comes after it on her
        // connection, were it sent).
        alice->sendAcked(QStringLiteral("public now"), QStringLiteral("p-2"));
        QVERIFY(!carol->waitForChat(QStringLiteral("public now")).isEmpty());
        QVERIFY(carol->all(reactionOf(seq)).isEmpty());
        // A deleted message takes none.
        alice->sendJson(MessageEncoder::deleteRequest(seq));
        QVERIFY(!bob->waitForType(QStringLiteral("update")).isEmpty());
        bob->sendJson(reactJson(seq, kThumbs, QStringLiteral("b-2")));
        QCOMPARE(bob->waitForError(QStringLiteral("message_deleted"))
                     .value(QLatin1String("id"))
                     .toString(),
                 QStringLiteral("b-2"));
    }

    void badReactionsGetClearErrors_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("code");
        QTest::newRow("no emoji") << R"({"type":"react","seq":1,"id":"q"})"
                                  << "bad_shape";
        QTest::newRow("emoji not a string") << R"({"type":"react","seq":1,"emoji":5,"id":"q"})"
                                            << "bad_shape";
        QTest::newRow("no seq") << QString::fromUtf8(R"({"type":"react","emoji":"👍","id":"q"})")
                                << "bad_shape";
        QTest::newRow("seq 0") << QString::fromUtf8(
                                      R"({"type":"react","seq":0,"emoji":"👍","id":"q"})")
                               << "bad_shape";
        QTest::newRow("seq text") << QString::fromUtf8(
                                         R"({"type":"unreact","seq":"1","emoji":"👍","id":"q"})")
                                  << "bad_shape";
        QTest::newRow("empty") << R"({"type":"react","seq":1,"emoji":"","id":"q"})"
                               << "bad_emoji";
        QTest::newRow("a letter") << R"({"type":"react","seq":1,"emoji":"a","id":"q"})"
                                  << "bad_emoji";
        QTest::newRow("a word") << R"({"type":"react","seq":1,"emoji":"lol","id":"q"})"
                                << "bad_emoji";
        QTest::newRow("two emoji")
            << QString::fromUtf8(R"({"type":"react","seq":1,"emoji":"👍👍","id":"q"})")
            << "bad_emoji";
        QTest::newRow("emoji and text")
            << QString::fromUtf8(R"({"type":"react","seq":1,"emoji":"👍 ok","id":"q"})")
            << "bad_emoji";
        QTest::newRow("two flags")
            << QString::fromUtf8(R"({"type":"react","seq":1,"emoji":"🇫🇷🇩🇪","id":"q"})")
            << "bad_emoji";
        QTest::newRow("control") << QString::fromUtf8(
                                        R"({"type":"react","seq":1,"emoji":"👍\u0007","id":"q"})")
                                 << "bad_emoji";
        QTest::newRow("lone surrogate") << R"({"type":"react","seq":1,"emoji":"\ud83d","id":"q"})"
                                        << "bad_emoji";
        QTest::newRow("huge") << QStringLiteral(R"({"type":"react","seq":1,"emoji":"%1","id":"q"})")
                                     .arg(QString(6000, QLatin1Char('x')))
                              << "bad_emoji";
        QTest::newRow("many joiners")
            << QStringLiteral(R"({"type":"react","seq":1,"emoji":"%1","id":"q"})")
                   .arg(QString::fromUtf8("👍") + QString::fromUtf8("\u200D👍").repeated(20))
            << "bad_emoji";
    }

    void badReactionsGetClearErrors()
    {
        QFETCH(QString, json);
        QFETCH(QString, code);
        auto c = online(QStringLiteral("bad_reactor"));
        QVERIFY(c);
        const qint64 seq = c->sendAcked(QStringLiteral("target"), QStringLiteral("t-1"));
        QVERIFY(seq > 0);
        c->sendRaw(QString(json).replace(QLatin1String("\"seq\":1,"),
                                         QStringLiteral("\"seq\":%1,").arg(seq)));
        const QJsonObject error = c->waitForError(code);
        QVERIFY2(!error.isEmpty(), qPrintable(json.left(200)));
        QCOMPARE(error.value(QLatin1String("id")).toString(), QStringLiteral("q"));
        // Nothing was stored.
        QVERIFY(!TestClient::withSeq(c->history(), seq).contains(QLatin1String("reactions")));
    }

    void oneUserCannotPileUpReactions()
    {
        auto alice = online(QStringLiteral("m_alice"));
        auto bob = online(QStringLiteral("m_bob"));
        QVERIFY(alice && bob);
        const qint64 seq = alice->sendAcked(QStringLiteral("react to me"), QStringLiteral("m-1"));
        QVERIFY(seq > 0);
        // Flags and ZWJ sequences are one emoji each.
        for (const QString &emoji : {kThumbs, kFlag, kFamily})
            bob->sendJson(reactJson(seq, emoji, QStringLiteral("ok")));
        bob->sendJson(reactJson(seq, kHeart, QStringLiteral("fourth")));
        QCOMPARE(bob->waitForError(QStringLiteral("too_many_reactions"))
                     .value(QLatin1String("id"))
                     .toString(),
                 QStringLiteral("fourth"));
        const QJsonArray listed =
            TestClient::withSeq(alice->history(), seq).value(QLatin1String("reactions")).toArray();
        QCOMPARE(listed.size(), 3);
        // The same reaction again is no change: nobody is told twice.
        const int before = int(alice->all(reactionOf(seq)).size());
        QCOMPARE(before, 3);
        bob->sendJson(reactJson(seq, kThumbs, QStringLiteral("again")));
        bob->sendAcked(QStringLiteral("marker"), QStringLiteral("m-2"));
        QVERIFY(!alice->waitForChat(QStringLiteral("marker")).isEmpty());
        QCOMPARE(int(alice->all(reactionOf(seq)).size()), before);
    }

    // A user who reacts thousands of times, as fast as it can: refused with rate_limited (and
    // in the end cut off as a flood), while the message keeps its bounded reactions and the
    // server stays up for the others.
    void thousandsOfReactionsAreRefused()
    {
        ServerProcess limited; // the default limits
        QVERIFY(limited.start());
        auto alice = online(QStringLiteral("f_alice"), false, &limited);
        auto spammer = online(QStringLiteral("f_spam"), false, &limited);
        QVERIFY(alice && spammer);
        const qint64 seq = alice->sendAcked(QStringLiteral("spam target"), QStringLiteral("f-1"));
        QVERIFY(seq > 0);
        for (int i = 0; i < 3000 && spammer->isConnected(); ++i) {
            const bool add = i % 2 == 0;
            spammer->sendJson(reactJson(seq, kThumbs, QStringLiteral("s%1").arg(i), add));
        }
        QVERIFY(!spammer->waitForError(QStringLiteral("rate_limited")).isEmpty());
        // The others are still served, and the message has at most one reaction from it.
        const qint64 later = alice->sendAcked(QStringLiteral("still here"), QStringLiteral("f-2"));
        QVERIFY(later > seq);
        const QJsonArray listed =
            TestClient::withSeq(alice->history(), seq).value(QLatin1String("reactions")).toArray();
        QVERIFY(listed.size() <= 1);
        if (!listed.isEmpty())
            QCOMPARE(listed.at(0).toObject().value(QLatin1String("count")).toInt(), 1);
    }
};

QTEST_GUILESS_MAIN(TestReactions)
#include "tst_reactions.moc"
