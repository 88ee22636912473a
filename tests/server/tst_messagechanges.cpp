// Edits and deletes of stored messages (docs/protocol.md section 5.5), against a real
// confab-server process: who may change what, who hears of it (live and in history), what a
// seed page sees, and every class of bad request.
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

// The "message" of an update of `seq`.
TestClient::Predicate updateOf(qint64 seq)
{
    return [seq](const QJsonObject &o) {
        return typeOf(o) == QLatin1String("update") && o.value(QLatin1String("message"))
                                                               .toObject()
                                                               .value(QLatin1String("seq"))
                                                               .toInteger() == seq;
    };
}

} // namespace

class TestMessageChanges : public QObject
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

    void editReachesEveryoneAndHistoryShowsTheNewText()
    {
        auto alice = online(QStringLiteral("e_alice"));
        auto bob = online(QStringLiteral("e_bob"));
        auto seed = online(QStringLiteral("e_seed"), true);
        QVERIFY(alice && bob && seed);
        const qint64 seq = alice->sendAcked(QStringLiteral("helo wrld"), QStringLiteral("e-1"));
        QVERIFY(seq > 0);
        QVERIFY(!seed->waitForChat(QStringLiteral("helo wrld")).isEmpty());

        alice->sendJson(MessageEncoder::editRequest(seq, QStringLiteral("hello world @e_bob"),
                                                    QStringLiteral("ed-1")));
        for (TestClient *c : {alice.get(), bob.get()}) {
            const QJsonObject m =
                c->waitFor(updateOf(seq)).value(QLatin1String("message")).toObject();
            QCOMPARE(m.value(QLatin1String("content")).toString(),
                     QStringLiteral("hello world @e_bob"));
            QCOMPARE(m.value(QLatin1String("from")).toString(), QStringLiteral("e_alice"));
            QVERIFY(m.value(QLatin1String("edited")).toInteger() >=
                    m.value(QLatin1String("ts")).toInteger());
            QCOMPARE(m.value(QLatin1String("mentions")).toArray(),
                     QJsonArray{QStringLiteral("e_bob")});
        }
        // The seed page knows only new messages: the edit comes as one, marked.
        const QJsonObject shown = seed->waitForChat(QStringLiteral("(edited) hello world @e_bob"));
        QCOMPARE(shown.value(QLatin1String("from")).toString(), QStringLiteral("e_alice"));
        QVERIFY(!shown.contains(QLatin1String("edited")));

        // History (asked by someone who joins later) has the new text at the same seq.
        auto carol = online(QStringLiteral("e_carol"));
        QVERIFY(carol);
        const QJsonObject stored = TestClient::withSeq(carol->history(), seq);
        QCOMPARE(stored.value(QLatin1String("content")).toString(),
                 QStringLiteral("hello world @e_bob"));
        QVERIFY(stored.value(QLatin1String("edited")).toInteger() > 0);
    }

    void deleteLeavesNoTextAnywhere()
    {
        auto alice = online(QStringLiteral("d_alice"));
        auto bob = online(QStringLiteral("d_bob"));
        auto seed = online(QStringLiteral("d_seed"), true);
        QVERIFY(alice && bob && seed);
        const qint64 seq =
            alice->sendAcked(QStringLiteral("oops wrong room"), QStringLiteral("d-1"));
        QVERIFY(seq > 0);
        alice->sendJson(MessageEncoder::deleteRequest(seq, QStringLiteral("dl-1")));
        for (TestClient *c : {alice.get(), bob.get()}) {
            const QJsonObject m =
                c->waitFor(updateOf(seq)).value(QLatin1String("message")).toObject();
            QVERIFY(m.value(QLatin1String("deleted")).toBool());
            QCOMPARE(m.value(QLatin1String("content")).toString(), QString());
        }
        QVERIFY(!seed->waitForChat(QStringLiteral("(message deleted)")).isEmpty());

        const QJsonObject stored = TestClient::withSeq(bob->history(), seq);
        QVERIFY(stored.value(QLatin1String("deleted")).toBool());
        QCOMPARE(stored.value(QLatin1String("content")).toString(), QString());
        // A seed page that logs in later is not shown the deleted message at all.
        auto late = online(QStringLiteral("d_late"), true);
        QVERIFY(late);
        const QString marker = QStringLiteral("after the delete");
        QVERIFY(alice->sendAcked(marker, QStringLiteral("d-2")) > 0);
        QVERIFY(!late->waitForChat(marker).isEmpty());
        QCOMPARE(late->countChats(QString()), 0);
        QCOMPARE(late->countChats(QStringLiteral("oops wrong room")), 0);
    }

    void onlyTheSendersIdentityMayChangeAMessage()
    {
        auto alice = online(QStringLiteral("o_alice"));
        auto bob = online(QStringLiteral("o_bob"));
        QVERIFY(alice && bob);
        const qint64 seq = alice->sendAcked(QStringLiteral("mine"), QStringLiteral("o-1"));
        QVERIFY(seq > 0);
        bob->sendJson(
            MessageEncoder::editRequest(seq, QStringLiteral("yours now"), QStringLiteral("ob-1")));
        QCOMPARE(
            bob->waitForError(QStringLiteral("not_yours")).value(QLatin1String("id")).toString(),
            QStringLiteral("ob-1"));
        bob->sendJson(MessageEncoder::deleteRequest(seq, QStringLiteral("ob-2")));
        QVERIFY(!bob->waitForError(QStringLiteral("not_yours")).isEmpty());

        // The same name later is another guest: not the sender either.
        alice->socket().close();
        QVERIFY(alice->waitForDisconnected());
        QVERIFY(!bob->waitForPresence(QStringLiteral("o_alice"), false).isEmpty());
        auto again = online(QStringLiteral("o_alice"));
        QVERIFY(again);
        again->sendJson(MessageEncoder::deleteRequest(seq, QStringLiteral("oa-1")));
        QVERIFY(!again->waitForError(QStringLiteral("not_yours")).isEmpty());
        QCOMPARE(
            TestClient::withSeq(bob->history(), seq).value(QLatin1String("content")).toString(),
            QStringLiteral("mine"));
        QVERIFY(bob->all(updateOf(seq)).isEmpty());
    }

    void privateChangesReachOnlyTheTwoParties()
    {
        auto alice = online(QStringLiteral("p_alice"));
        auto bob = online(QStringLiteral("p_bob"));
        auto carol = online(QStringLiteral("p_carol"));
        QVERIFY(alice && bob && carol);
        const qint64 seq = alice->sendAcked(QStringLiteral("just for bob"), QStringLiteral("p-1"),
                                            QStringLiteral("p_bob"));
        QVERIFY(seq > 0);
        alice->sendJson(MessageEncoder::editRequest(seq, QStringLiteral("still just for bob")));
        QVERIFY(!bob->waitFor(updateOf(seq)).isEmpty());
        QVERIFY(!alice->waitFor(updateOf(seq)).isEmpty());
        alice->sendJson(MessageEncoder::deleteRequest(seq));
        QVERIFY(!bob->waitFor(updateOf(seq)).isEmpty());

        // Carol is told of neither, cannot change it, and cannot tell it exists.
        carol->sendJson(
            MessageEncoder::editRequest(seq, QStringLiteral("mine?"), QStringLiteral("pc-1")));
        QVERIFY(!carol->waitForError(QStringLiteral("unknown_message")).isEmpty());
        const QString marker = QStringLiteral("public, after the changes");
        QVERIFY(alice->sendAcked(marker, QStringLiteral("p-2")) > 0);
        QVERIFY(!carol->waitForChat(marker).isEmpty());
        QVERIFY(carol->all(updateOf(seq)).isEmpty());
        QVERIFY(TestClient::withSeq(carol->history(QStringLiteral("*")), seq).isEmpty());
        // Bob's history has it, deleted.
        QVERIFY(TestClient::withSeq(bob->history(QStringLiteral("p_alice")), seq)
                    .value(QLatin1String("deleted"))
                    .toBool());
    }

    void replyQuotesTheOriginalAsItIsNow()
    {
        auto alice = online(QStringLiteral("q_alice"));
        auto bob = online(QStringLiteral("q_bob"));
        auto seed = online(QStringLiteral("q_seed"), true);
        QVERIFY(alice && bob && seed);
        const QString longText = QStringLiteral("😀").repeated(150); // beyond the quote's length
        const qint64 original = alice->sendAcked(longText, QStringLiteral("q-1"));
        QVERIFY(original > 0);
        const qint64 reply =
            bob->sendAcked(QStringLiteral("nice"), QStringLiteral("q-2"), {}, original);
        QVERIFY(reply > 0);
        const QJsonObject live = alice->waitForChat(QStringLiteral("nice"));
        QCOMPARE(live.value(QLatin1String("reply_to")).toInteger(), original);
        const QJsonObject quote = live.value(QLatin1String("quote")).toObject();
        QCOMPARE(quote.value(QLatin1String("from")).toString(), QStringLiteral("q_alice"));
        QCOMPARE(quote.value(QLatin1String("text")).toString(), QStringLiteral("😀").repeated(100));
        // The seed page gets the reply as a plain message.
        QVERIFY(!seed->waitForChat(QStringLiteral("nice")).contains(QLatin1String("quote")));

        // In history the quote follows the original: edited, then deleted.
        alice->sendJson(MessageEncoder::editRequest(original, QStringLiteral("short now")));
        QVERIFY(!alice->waitFor(updateOf(original)).isEmpty());
        QCOMPARE(TestClient::withSeq(bob->history(), reply)
                     .value(QLatin1String("quote"))
                     .toObject()
                     .value(QLatin1String("text"))
                     .toString(),
                 QStringLiteral("short now"));
        alice->sendJson(MessageEncoder::deleteRequest(original));
        QVERIFY(!alice->waitFor(updateOf(original)).isEmpty());
        const QJsonObject gone =
            TestClient::withSeq(bob->history(), reply).value(QLatin1String("quote")).toObject();
        QVERIFY(gone.value(QLatin1String("deleted")).toBool());
        QVERIFY(!gone.contains(QLatin1String("text")));
        // A deleted message cannot be answered.
        bob->sendJson(MessageEncoder::chatRequest(QStringLiteral("late"), QStringLiteral("q-3"), {},
                                                  true, original));
        QVERIFY(!bob->waitForError(QStringLiteral("message_deleted")).isEmpty());
    }

    void replyNeverShowsAPrivateMessageToAnyoneElse()
    {
        auto alice = online(QStringLiteral("v_alice"));
        auto bob = online(QStringLiteral("v_bob"));
        auto carol = online(QStringLiteral("v_carol"));
        QVERIFY(alice && bob && carol);
        const qint64 secret = alice->sendAcked(QStringLiteral("the secret"), QStringLiteral("v-1"),
                                               QStringLiteral("v_bob"));
        QVERIFY(secret > 0);
        // Carol cannot see it; bob may not quote it into the room or to carol.
        carol->sendJson(MessageEncoder::chatRequest(QStringLiteral("what?"), QStringLiteral("v-2"),
                                                    {}, true, secret));
        QVERIFY(!carol->waitForError(QStringLiteral("unknown_message")).isEmpty());
        bob->sendJson(MessageEncoder::chatRequest(QStringLiteral("to all"), QStringLiteral("v-3"),
                                                  {}, true, secret));
        QCOMPARE(bob->waitForError(QStringLiteral("unknown_message"))
                     .value(QLatin1String("id"))
                     .toString(),
                 QStringLiteral("v-3"));
        bob->sendJson(MessageEncoder::chatRequest(QStringLiteral("to carol"), QStringLiteral("v-4"),
                                                  QStringLiteral("v_carol"), false, secret));
        QVERIFY(!bob->waitForError(QStringLiteral("unknown_message")).isEmpty());
        // In its own conversation the reply carries the quote.
        QVERIFY(bob->sendAcked(QStringLiteral("got it"), QStringLiteral("v-5"),
                               QStringLiteral("v_alice"), secret) > 0);
        const QJsonObject reply = alice->waitForChat(QStringLiteral("got it"));
        QCOMPARE(
            reply.value(QLatin1String("quote")).toObject().value(QLatin1String("text")).toString(),
            QStringLiteral("the secret"));
        const QString marker = QStringLiteral("public marker");
        QVERIFY(alice->sendAcked(marker, QStringLiteral("v-6")) > 0);
        QVERIFY(!carol->waitForChat(marker).isEmpty());
        QCOMPARE(carol->countChats(QStringLiteral("to all")), 0);
        QCOMPARE(carol->countChats(QStringLiteral("to carol")), 0);
        QCOMPARE(carol->countChats(QStringLiteral("got it")), 0);
    }

    // One test per class of bad input; the connection stays usable after each.
    void badChangesAreRefusedWithACode_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QString>("code");
        QTest::newRow("no seq") << QByteArray(R"({"type":"edit","content":"x","id":"b1"})")
                                << QStringLiteral("bad_shape");
        QTest::newRow("seq not a number") << QByteArray(R"({"type":"delete","seq":"5","id":"b1"})")
                                          << QStringLiteral("bad_shape");
        QTest::newRow("seq zero") << QByteArray(R"({"type":"delete","seq":0,"id":"b1"})")
                                  << QStringLiteral("bad_shape");
        QTest::newRow("seq fraction") << QByteArray(R"({"type":"delete","seq":1.5,"id":"b1"})")
                                      << QStringLiteral("bad_shape");
        QTest::newRow("edit without content")
            << QByteArray(R"({"type":"edit","seq":1,"id":"b1"})") << QStringLiteral("bad_shape");
        QTest::newRow("reply_to not a number")
            << QByteArray(R"({"type":"user","content":"re","reply_to":"1","id":"b1"})")
            << QStringLiteral("bad_shape");
        QTest::newRow("reply_to zero")
            << QByteArray(R"({"type":"user","content":"re","reply_to":0,"id":"b1"})")
            << QStringLiteral("bad_shape");
        QTest::newRow("reply to unknown seq")
            << QByteArray(R"({"type":"user","content":"re","reply_to":900000000,"id":"b1"})")
            << QStringLiteral("unknown_message");
        QTest::newRow("unknown seq") << QByteArray(R"({"type":"delete","seq":900000000,"id":"b1"})")
                                     << QStringLiteral("unknown_message");
        QTest::newRow("empty text")
            << QByteArray(R"({"type":"edit","seq":1,"content":" ","id":"b1"})")
            << QStringLiteral("empty_message");
        QTest::newRow("control character")
            << QByteArray(R"({"type":"edit","seq":1,"content":"a\u0007","id":"b1"})")
            << QStringLiteral("bad_text");
        QTest::newRow("too long")
            << (QByteArray("{\"type\":\"edit\",\"seq\":1,\"id\":\"b1\",\"content\":\"") +
                QByteArray(4001, 'x') + QByteArray("\"}"))
            << QStringLiteral("message_too_long");
    }

    void badChangesAreRefusedWithACode()
    {
        QFETCH(QByteArray, request);
        QFETCH(QString, code);
        auto c = online(QStringLiteral("bad_") + QString::number(qHash(request) % 100000));
        QVERIFY(c);
        c->sendJson(request);
        const QJsonObject error = c->waitForError(code);
        QVERIFY2(!error.isEmpty(), qPrintable(code));
        QCOMPARE(error.value(QLatin1String("id")).toString(), QStringLiteral("b1"));
        QVERIFY(c->sendAcked(QStringLiteral("still here"), QStringLiteral("b-ok")) > 0);
    }

    void deletedMessageCannotBeChangedAgain()
    {
        auto alice = online(QStringLiteral("g_alice"));
        QVERIFY(alice);
        const qint64 seq = alice->sendAcked(QStringLiteral("gone soon"), QStringLiteral("g-1"));
        alice->sendJson(MessageEncoder::deleteRequest(seq));
        QVERIFY(!alice->waitFor(updateOf(seq)).isEmpty());
        alice->sendJson(
            MessageEncoder::editRequest(seq, QStringLiteral("back?"), QStringLiteral("g-2")));
        QVERIFY(!alice->waitForError(QStringLiteral("message_deleted")).isEmpty());
        alice->sendJson(MessageEncoder::deleteRequest(seq, QStringLiteral("g-3")));
        QVERIFY(!alice->waitForError(QStringLiteral("message_deleted")).isEmpty());
    }

    // Changes are paid for from the send budget like new messages of their size.
    void changesAreBoundByTheSendBudget()
    {
        ServerProcess server({QStringLiteral("--send-bytes-per-second"), QStringLiteral("1"),
                              QStringLiteral("--send-bytes-burst"), QStringLiteral("20000")});
        QVERIFY(server.start());
        auto alice = online(QStringLiteral("r_alice"), false, &server);
        QVERIFY(alice);
        const qint64 seq = alice->sendAcked(QStringLiteral("short"), QStringLiteral("r-1"));
        QVERIFY(seq > 0);
        const QString big = QStringLiteral("y").repeated(4000);
        int refused = 0;
        for (int i = 0; i < 6 && refused == 0; ++i) {
            const QString id = QStringLiteral("r-e%1").arg(i);
            alice->sendJson(MessageEncoder::editRequest(seq, big, id));
            const QJsonObject answer = alice->waitFor([&](const QJsonObject &o) {
                return updateOf(seq)(o) || o.value(QLatin1String("id")).toString() == id;
            });
            if (typeOf(answer) == QLatin1String("error")) {
                QCOMPARE(answer.value(QLatin1String("code")).toString(),
                         QStringLiteral("rate_limited"));
                ++refused;
            }
        }
        QCOMPARE(refused, 1);
    }
};

QTEST_MAIN(TestMessageChanges)
#include "tst_messagechanges.moc"
