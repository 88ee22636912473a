// Read receipts (docs/protocol.md section 19) against a real confab-server process: the
// sender of private messages, and nobody else, hears how far the recipient has received and
// read them; markers never go back, survive a restart, reach a sender that was offline, and
// every class of bad receipt gets its answer (or is dropped where the protocol says so).
#include "protocol/messageencoder.h"
#include "serverprocess.h"
#include "testclient.h"

#include <QJsonArray>
#include <QTest>

#include <memory>

namespace {

QString typeOf(const QJsonObject &o)
{
    return o.value(QLatin1String("type")).toString();
}

// A live receipt (not the answer to a "receipts" request).
bool isReceipt(const QJsonObject &o)
{
    return typeOf(o) == QLatin1String("receipt");
}

TestClient::Predicate receiptFrom(const QString &with)
{
    return [with](const QJsonObject &o) {
        return typeOf(o) == QLatin1String("receipt") &&
               o.value(QLatin1String("with")).toString() == with;
    };
}

qint64 delivered(const QJsonObject &o)
{
    return o.value(QLatin1String("delivered")).toInteger();
}

qint64 readUpTo(const QJsonObject &o)
{
    return o.value(QLatin1String("read")).toInteger();
}

} // namespace

class TestReceipts : public QObject
{
    Q_OBJECT
private:
    ServerProcess m_server{ServerProcess::unlimited()};

    std::unique_ptr<TestClient> online(const QString &name, bool seed = false,
                                       ServerProcess *server = nullptr)
    {
        auto c = std::make_unique<TestClient>();
        if (!c->open((server ? server : &m_server)->url()) || !c->login(name, seed))
            return nullptr;
        return c;
    }

    std::unique_ptr<TestClient> signedIn(ServerProcess &server, const QString &name)
    {
        auto c = std::make_unique<TestClient>();
        if (!c->open(server.url()) || !c->signIn(name, QStringLiteral("correct horse")))
            return nullptr;
        return c;
    }

    // Something that reaches `c` after everything sent to it before: a public message from
    // `from`, waited for on `c`.
    static void barrier(TestClient &from, TestClient &c, const QString &text)
    {
        from.sendAcked(text, QStringLiteral("barrier-") + QString(text).replace(u' ', u'-'));
        QVERIFY(!c.waitForChat(text).isEmpty());
    }

private slots:
    void initTestCase() { QVERIFY(m_server.start()); }

    void deliveredAndReadReachTheSenderOnly()
    {
        auto alice = online(QStringLiteral("d_alice"));
        auto bob = online(QStringLiteral("d_bob"));
        auto carol = online(QStringLiteral("d_carol"));
        auto seed = online(QStringLiteral("d_seed"), true);
        QVERIFY(alice && bob && carol && seed);
        const qint64 seq = alice->sendAcked(QStringLiteral("lunch?"), QStringLiteral("a-1"),
                                            QStringLiteral("d_bob"));
        QVERIFY(seq > 0);
        QVERIFY(!bob->waitForChat(QStringLiteral("lunch?")).isEmpty());

        bob->sendJson(MessageEncoder::receiptRequest(QStringLiteral("d_alice"), seq, false));
        QJsonObject r = alice->waitFor(receiptFrom(QStringLiteral("d_bob")));
        QCOMPARE(delivered(r), seq);
        QCOMPARE(readUpTo(r), 0);

        bob->sendJson(MessageEncoder::receiptRequest(QStringLiteral("d_alice"), seq, true));
        r = alice->waitFor(receiptFrom(QStringLiteral("d_bob")));
        QCOMPARE(delivered(r), seq);
        QCOMPARE(readUpTo(r), seq);

        // Nobody else hears of it: not a third user, not the reader itself, not a seed page.
        barrier(*alice, *carol, QStringLiteral("after the receipts"));
        QVERIFY(!bob->waitForChat(QStringLiteral("after the receipts")).isEmpty());
        QVERIFY(!seed->waitForChat(QStringLiteral("after the receipts")).isEmpty());
        QVERIFY(carol->all(isReceipt).isEmpty());
        QVERIFY(bob->all(isReceipt).isEmpty());
        QVERIFY(seed->all(isReceipt).isEmpty());
        // A third user cannot make receipts for that message either.
        carol->sendJson(MessageEncoder::receiptRequest(QStringLiteral("d_alice"), seq, true,
                                                       QStringLiteral("c-1")));
        QCOMPARE(carol->waitForError(QStringLiteral("unknown_message"))
                     .value(QLatin1String("id"))
                     .toString(),
                 QStringLiteral("c-1"));
    }

    void markersNeverGoBackAndRepeatsGoNowhere()
    {
        auto alice = online(QStringLiteral("m_alice"));
        auto bob = online(QStringLiteral("m_bob"));
        QVERIFY(alice && bob);
        const qint64 one =
            alice->sendAcked(QStringLiteral("one"), QStringLiteral("m-1"), QStringLiteral("m_bob"));
        const qint64 two =
            alice->sendAcked(QStringLiteral("two"), QStringLiteral("m-2"), QStringLiteral("m_bob"));
        // A public message after them: read up to it means up to alice's last private one.
        const qint64 pub = alice->sendAcked(QStringLiteral("room"), QStringLiteral("m-3"));
        QVERIFY(one > 0 && two > one && pub > two);
        bob->sendJson(MessageEncoder::receiptRequest(QStringLiteral("m_alice"), pub, true));
        QJsonObject r = alice->waitFor(receiptFrom(QStringLiteral("m_bob")));
        QCOMPARE(readUpTo(r), two);
        QCOMPARE(delivered(r), two);
        // Older markers, and the same again, change nothing and are relayed to nobody.
        bob->sendJson(MessageEncoder::receiptRequest(QStringLiteral("m_alice"), one, true));
        bob->sendJson(MessageEncoder::receiptRequest(QStringLiteral("m_alice"), one, false));
        bob->sendJson(MessageEncoder::receiptRequest(QStringLiteral("m_alice"), two, true));
        barrier(*bob, *alice, QStringLiteral("m after"));
        QCOMPARE(alice->all(receiptFrom(QStringLiteral("m_bob"))).size(), 1); // the first only
        // The sender's "receipts" request says the same.
        alice->sendJson(MessageEncoder::receiptsRequest(QStringLiteral("q-1")));
        const QJsonObject all = alice->waitForType(QStringLiteral("receipts"));
        QCOMPARE(all.value(QLatin1String("id")).toString(), QStringLiteral("q-1"));
        const QJsonArray list = all.value(QLatin1String("receipts")).toArray();
        QCOMPARE(list.size(), 1);
        QCOMPARE(list.at(0).toObject().value(QLatin1String("with")).toString(),
                 QStringLiteral("m_bob"));
        QCOMPARE(readUpTo(list.at(0).toObject()), two);
    }

    void badReceiptsGetClearErrors_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("code");
        QTest::newRow("no seq") << R"({"type":"read","with":"b_alice","id":"q"})"
                                << "bad_shape";
        QTest::newRow("seq 0") << R"({"type":"read","with":"b_alice","seq":0,"id":"q"})"
                               << "bad_shape";
        QTest::newRow("seq text") << R"({"type":"delivered","with":"b_alice","seq":"5","id":"q"})"
                                  << "bad_shape";
        QTest::newRow("seq fraction") << R"({"type":"read","with":"b_alice","seq":1.5,"id":"q"})"
                                      << "bad_shape";
        QTest::newRow("no with") << R"({"type":"read","seq":SEQ,"id":"q"})"
                                 << "bad_recipient";
        QTest::newRow("with a number") << R"({"type":"read","with":7,"seq":SEQ,"id":"q"})"
                                       << "bad_recipient";
        QTest::newRow("with no name") << R"({"type":"read","with":"a b","seq":SEQ,"id":"q"})"
                                      << "bad_recipient";
        QTest::newRow("with oneself") << R"({"type":"read","with":"B_BOB","seq":SEQ,"id":"q"})"
                                      << "bad_recipient";
        QTest::newRow("beyond the newest")
            << R"({"type":"read","with":"b_alice","seq":9007199254740000,"id":"q"})"
            << "bad_receipt";
        QTest::newRow("nobody who wrote")
            << R"({"type":"read","with":"b_nobody","seq":SEQ,"id":"q"})"
            << "unknown_message";
        QTest::newRow("before the first")
            << R"({"type":"delivered","with":"b_alice","seq":1,"id":"q"})"
            << "unknown_message";
    }

    void badReceiptsGetClearErrors()
    {
        QFETCH(QString, json);
        QFETCH(QString, code);
        auto alice = online(QStringLiteral("b_alice"));
        auto bob = online(QStringLiteral("b_bob"));
        QVERIFY(alice && bob);
        const qint64 seq = alice->sendAcked(QStringLiteral("hi bob"), QStringLiteral("b-1"),
                                            QStringLiteral("b_bob"));
        QVERIFY(seq > 1);
        bob->sendRaw(QString(json).replace(QLatin1String("SEQ"), QString::number(seq)));
        const QJsonObject error = bob->waitForError(code);
        QVERIFY2(!error.isEmpty(), qPrintable(json));
        QCOMPARE(error.value(QLatin1String("id")).toString(), QStringLiteral("q"));
        // Nothing was stored: alice has no markers.
        alice->sendJson(MessageEncoder::receiptsRequest());
        QVERIFY(alice->waitForType(QStringLiteral("receipts"))
                    .value(QLatin1String("receipts"))
                    .toArray()
                    .isEmpty());
        QVERIFY(alice->all(isReceipt).isEmpty());
    }

    // A client that floods receipts: within the message rate, the markers that do not move
    // are dropped (the sender hears once); past it, rate_limited, and the server goes on.
    void aFloodOfReceiptsIsCoalescedAndBounded()
    {
        ServerProcess limited; // the default limits
        QVERIFY(limited.start());
        auto alice = online(QStringLiteral("f_alice"), false, &limited);
        auto bob = online(QStringLiteral("f_bob"), false, &limited);
        QVERIFY(alice && bob);
        const qint64 seq = alice->sendAcked(QStringLiteral("flood me"), QStringLiteral("f-1"),
                                            QStringLiteral("f_bob"));
        QVERIFY(seq > 0);
        for (int i = 0; i < 30; ++i)
            bob->sendJson(MessageEncoder::receiptRequest(QStringLiteral("f_alice"), seq, i % 2));
        QVERIFY(!alice->waitFor(receiptFrom(QStringLiteral("f_bob"))).isEmpty());
        QVERIFY(!alice->waitFor(receiptFrom(QStringLiteral("f_bob"))).isEmpty());
        for (int i = 0; i < 3000 && bob->isConnected(); ++i)
            bob->sendJson(MessageEncoder::receiptRequest(QStringLiteral("f_alice"), seq, true,
                                                         QStringLiteral("s%1").arg(i)));
        QVERIFY(!bob->waitForError(QStringLiteral("rate_limited")).isEmpty());
        // Delivered, then read: two receipts in all, whatever came after.
        const qint64 later = alice->sendAcked(QStringLiteral("still here"), QStringLiteral("f-2"));
        QVERIFY(later > seq);
        QCOMPARE(alice->all(receiptFrom(QStringLiteral("f_bob"))).size(), 2);
    }

    // Markers are stored: a sender who was offline, or a server that restarted, loses none;
    // and messages fetched from history (not relayed live) are acknowledged like live ones.
    void markersSurviveRestartAndReachAnOfflineSender()
    {
        ServerProcess server(ServerProcess::unlimited());
        QVERIFY(server.createAccount(QStringLiteral("r_alice"), QStringLiteral("correct horse")));
        QVERIFY(server.createAccount(QStringLiteral("r_bob"), QStringLiteral("correct horse")));
        QVERIFY(server.start());
        qint64 seq = 0;
        {
            auto alice = signedIn(server, QStringLiteral("r_alice"));
            QVERIFY(alice);
            // Bob is offline: the message waits in history.
            seq = alice->sendAcked(QStringLiteral("while you were out"), QStringLiteral("r-1"),
                                   QStringLiteral("r_bob"));
            QVERIFY(seq > 0);
        }
        {
            auto bob = signedIn(server, QStringLiteral("r_bob"));
            QVERIFY(bob);
            bob->sendJson(MessageEncoder::historyRequest(QStringLiteral("*"), 0, 0, 50));
            const QJsonArray page = bob->waitForType(QStringLiteral("history"))
                                        .value(QLatin1String("messages"))
                                        .toArray();
            QCOMPARE(page.last().toObject().value(QLatin1String("seq")).toInteger(), seq);
            bob->sendJson(MessageEncoder::receiptRequest(QStringLiteral("r_alice"), seq, false));
            bob->sendJson(MessageEncoder::receiptRequest(QStringLiteral("r_alice"), seq, true));
            // Stored before anything after it is answered.
            bob->sendJson(MessageEncoder::receiptsRequest());
            QVERIFY(!bob->waitForType(QStringLiteral("receipts")).isEmpty());
        }
        QVERIFY(server.stop());
        QVERIFY(server.start());
        auto alice = signedIn(server, QStringLiteral("r_alice"));
        QVERIFY(alice);
        alice->sendJson(MessageEncoder::receiptsRequest(QStringLiteral("q")));
        const QJsonArray list = alice->waitForType(QStringLiteral("receipts"))
                                    .value(QLatin1String("receipts"))
                                    .toArray();
        QCOMPARE(list.size(), 1);
        QCOMPARE(list.at(0).toObject().value(QLatin1String("with")).toString(),
                 QStringLiteral("r_bob"));
        QCOMPARE(delivered(list.at(0).toObject()), seq);
        QCOMPARE(readUpTo(list.at(0).toObject()), seq);
        // Bob's own markers are about alice's messages: he has none on his.
        auto bob = signedIn(server, QStringLiteral("r_bob"));
        QVERIFY(bob);
        bob->sendJson(MessageEncoder::receiptsRequest());
        QVERIFY(bob->waitForType(QStringLiteral("receipts"))
                    .value(QLatin1String("receipts"))
                    .toArray()
                    .isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestReceipts)
#include "tst_receipts.moc"
