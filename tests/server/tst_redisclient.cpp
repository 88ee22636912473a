// RedisClient against a real redis-server (RedisProcess): commands, pub/sub, losing Redis and
// getting it back, deleting the client at awkward moments (AddressSanitizer checks those in the
// "server" label), and the bound on a reply's size. All of it runs on the test's one thread.
#include "bus/redisclient.h"
#include "redisprocess.h"

#include <QPointer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

#include <memory>
#include <optional>

namespace {

using Reply = std::shared_ptr<std::optional<RedisReply>>;

// Sends a command; the reply lands in the returned holder (shared: it outlives a failed wait).
Reply send(RedisClient &client, const QList<QByteArray> &args)
{
    auto reply = std::make_shared<std::optional<RedisReply>>();
    client.command(args, [reply](const RedisReply &r) { *reply = r; });
    return reply;
}

RedisReply run(RedisClient &client, const QList<QByteArray> &args)
{
    const Reply reply = send(client, args);
    if (!QTest::qWaitFor([&] { return reply->has_value(); }, 20000))
        return RedisReply::error("test: no reply within 20 s");
    return **reply;
}

bool startAndWait(RedisClient &client)
{
    QSignalSpy connected(&client, &RedisClient::connected);
    client.start();
    return connected.wait(20000) && client.isConnected();
}

QRegularExpression logLine(const QString &pattern)
{
    return QRegularExpression(QStringLiteral("^") + pattern);
}

} // namespace

class TestRedisClient : public QObject
{
    Q_OBJECT
private:
    RedisProcess m_redis; // shared by the tests that do not stop it

private slots:
    void initTestCase() { QVERIFY2(m_redis.start(), qPrintable(m_redis.error())); }

    void commandsRoundTripBinaryData()
    {
        RedisClient client(m_redis.host(), m_redis.port());
        QVERIFY(startAndWait(client));
        const QByteArray key("bin\0key", 7);
        const QByteArray value("a\0b\r\n\xff\x00z", 8);
        RedisReply r = run(client, {"SET", key, value});
        QCOMPARE(int(r.type), int(RedisReply::Type::Status));
        QCOMPARE(r.string, QByteArray("OK"));
        QVERIFY(r.ok());
        r = run(client, {"GET", key});
        QCOMPARE(int(r.type), int(RedisReply::Type::String));
        QCOMPARE(r.string, value);
        QCOMPARE(r.string.size(), 8);
        r = run(client, {"GET", "no such key"});
        QCOMPARE(int(r.type), int(RedisReply::Type::Nil));
        QVERIFY(r.ok());
        r = run(client, {"INCRBY", "counter", "41"});
        QCOMPARE(int(r.type), int(RedisReply::Type::Integer));
        QCOMPARE(r.integer, qint64(41));
        run(client, {"DEL", "list"});
        QCOMPARE(run(client, {"RPUSH", "list", "one", QByteArray("t\0o", 3)}).integer, qint64(2));
        r = run(client, {"LRANGE", "list", "0", "-1"});
        QCOMPARE(int(r.type), int(RedisReply::Type::Array));
        QCOMPARE(r.elements.size(), size_t(2));
        QCOMPARE(r.elements[1].string, QByteArray("t\0o", 3));
        r = run(client, {"NOSUCHCOMMAND"});
        QCOMPARE(int(r.type), int(RedisReply::Type::Error));
        QVERIFY(!r.ok());
        QVERIFY(r.string.contains("unknown command"));
        // Replies come back in the order the commands went.
        std::vector<Reply> replies;
        for (int i = 0; i < 100; ++i)
            replies.push_back(send(client, {"INCR", "ordered"}));
        QTRY_VERIFY(replies.back()->has_value());
        for (int i = 0; i < 100; ++i)
            QCOMPARE((*replies[size_t(i)])->integer, qint64(i + 1));
    }

    void connectsByHostName()
    {
        RedisClient client(QStringLiteral("localhost"), m_redis.port());
        QVERIFY(startAndWait(client));
        QCOMPARE(run(client, {"PING"}).string, QByteArray("PONG"));
    }

    void publishedMessagesReachSubscribers()
    {
        RedisClient listener(m_redis.host(), m_redis.port());
        RedisClient publisher(m_redis.host(), m_redis.port());
        QSignalSpy messages(&listener, &RedisClient::messageReceived);
        const QByteArray room("room\0one", 8);
        listener.subscribe(room);
        QVERIFY(startAndWait(listener));
        QVERIFY(startAndWait(publisher));
        // connected() means the subscription is confirmed: the message cannot miss it.
        const QByteArray payload("hello\0\xff", 7);
        QCOMPARE(run(publisher, {"PUBLISH", room, payload}).integer, qint64(1));
        QTRY_COMPARE(messages.count(), 1); // perhaps delivered while run() waited
        QCOMPARE(messages.at(0).at(0).toByteArray(), room);
        QCOMPARE(messages.at(0).at(1).toByteArray(), payload);

        // A channel added while connected, and one dropped.
        listener.subscribe("later");
        QTRY_COMPARE(run(publisher, {"PUBLISH", "later", "x"}).integer, qint64(1));
        listener.unsubscribe(room);
        messages.clear();
        run(publisher, {"PUBLISH", room, "not wanted"});
        QCOMPARE(run(publisher, {"PUBLISH", "later", "wanted"}).integer, qint64(1));
        QTRY_VERIFY(!messages.isEmpty() && messages.last().at(1).toByteArray() == "wanted");
        for (const QList<QVariant> &m : messages)
            QVERIFY(m.at(0).toByteArray() != room);
        QTRY_COMPARE(run(publisher, {"PUBLISH", room, "gone"}).integer, qint64(0));
    }

    void commandsAreBoundedAndRefusedAsynchronously()
    {
        RedisClient client(m_redis.host(), m_redis.port());
        // Before start(): down. The answer still comes later, never inside command().
        Reply early = send(client, {"PING"});
        QVERIFY(!early->has_value());
        QTRY_VERIFY(early->has_value());
        QCOMPARE(int((*early)->type), int(RedisReply::Type::Disconnected));

        QVERIFY(startAndWait(client));
        client.setMaxPendingCommands(2);
        Reply first = send(client, {"PING"});
        Reply second = send(client, {"PING"});
        Reply third = send(client, {"PING"});
        QVERIFY(!third->has_value());
        QTRY_VERIFY(first->has_value() && second->has_value() && third->has_value());
        QCOMPARE((*first)->string, QByteArray("PONG"));
        QCOMPARE((*second)->string, QByteArray("PONG"));
        QCOMPARE(int((*third)->type), int(RedisReply::Type::Error));
        QVERIFY((*third)->string.contains("too many commands"));
        // Room again once answered.
        QCOMPARE(run(client, {"PING"}).string, QByteArray("PONG"));

        // Subscribing goes through subscribe(): the command connection must stay a command one.
        RedisReply r = run(client, {"subscribe", "x"});
        QCOMPARE(int(r.type), int(RedisReply::Type::Error));
        QCOMPARE(int(run(client, {}).type), int(RedisReply::Type::Error));
        QCOMPARE(run(client, {"PING"}).string, QByteArray("PONG"));
    }

    void redisLostAndBack()
    {
        RedisProcess redis;
        QVERIFY2(redis.start(), qPrintable(redis.error()));
        RedisClient listener(redis.host(), redis.port());
        RedisClient publisher(redis.host(), redis.port());
        listener.subscribe("news");
        QVERIFY(startAndWait(listener));
        QVERIFY(startAndWait(publisher));
        QSignalSpy lost(&listener, &RedisClient::disconnected);
        QSignalSpy back(&listener, &RedisClient::connected);
        QSignalSpy messages(&listener, &RedisClient::messageReceived);
        Reply blocked = send(listener, {"BLPOP", "nothing", "0"}); // waits for ever
        QVERIFY(!blocked->has_value());

        const QString lostLine =
            QStringLiteral("Redis at 127\\.0\\.0\\.1:%1 lost \\(").arg(redis.port());
        QTest::ignoreMessage(QtWarningMsg, logLine(lostLine)); // the listener
        QTest::ignoreMessage(QtWarningMsg, logLine(lostLine)); // the publisher
        QVERIFY(redis.stop());
        QVERIFY(lost.wait(10000));
        QCOMPARE(lost.count(), 1);
        QVERIFY(!listener.isConnected());
        QVERIFY(blocked->has_value());
        QCOMPARE(int((*blocked)->type), int(RedisReply::Type::Disconnected));
        // While down: Disconnected at once, but not inside command().
        Reply whileDown = send(listener, {"GET", "x"});
        QVERIFY(!whileDown->has_value());
        QTRY_VERIFY(whileDown->has_value());
        QCOMPARE(int((*whileDown)->type), int(RedisReply::Type::Disconnected));
        // Attempts fail meanwhile, quietly: no second disconnected(), no connected().
        QVERIFY(!back.wait(1500));
        QCOMPARE(lost.count(), 1);

        const QString backLine =
            QStringLiteral("Redis at 127\\.0\\.0\\.1:%1 is back").arg(redis.port());
        QTest::ignoreMessage(QtWarningMsg, logLine(backLine));
        QTest::ignoreMessage(QtWarningMsg, logLine(backLine));
        QVERIFY2(redis.start(), qPrintable(redis.error())); // the same port
        QVERIFY(back.wait(20000));
        QTRY_VERIFY_WITH_TIMEOUT(publisher.isConnected(), 20000);
        QCOMPARE(back.count(), 1);
        QCOMPARE(lost.count(), 1);
        QVERIFY(listener.isConnected());
        // Subscribed again without being asked.
        QCOMPARE(run(publisher, {"PUBLISH", "news", "again"}).integer, qint64(1));
        QTRY_COMPARE(messages.count(), 1);
        QCOMPARE(messages.at(0).at(1).toByteArray(), QByteArray("again"));
        QCOMPARE(run(listener, {"SET", "k", "v"}).string, QByteArray("OK"));
    }

    void redisNotThereYet()
    {
        // Started before Redis: no connected(), no disconnected() (nothing was lost), and it
        // connects when Redis comes.
        RedisProcess redis;
        QVERIFY2(redis.start(), qPrintable(redis.error()));
        QVERIFY(redis.stop());
        RedisClient client(redis.host(), redis.port());
        QSignalSpy connected(&client, &RedisClient::connected);
        QSignalSpy lost(&client, &RedisClient::disconnected);
        QTest::ignoreMessage(
            QtWarningMsg,
            logLine(QStringLiteral("cannot reach Redis at 127\\.0\\.0\\.1:%1").arg(redis.port())));
        client.start();
        QCOMPARE(int(run(client, {"PING"}).type), int(RedisReply::Type::Disconnected));
        QVERIFY(!connected.wait(1000));
        QVERIFY2(redis.start(), qPrintable(redis.error()));
        QVERIFY(connected.wait(20000));
        QCOMPARE(lost.count(), 0);
    }

    void silentServerTimesOut()
    {
        // Something listens but never answers PING: not connected; the attempt is given up.
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost));
        RedisClient client(QStringLiteral("127.0.0.1"), silent.serverPort());
        QSignalSpy connected(&client, &RedisClient::connected);
        const Reply reply = send(client, {"PING"}); // before start(): refused
        QTest::ignoreMessage(QtWarningMsg, logLine(QStringLiteral("cannot reach Redis at .*no "
                                                                  "answer within 5 s")));
        client.start();
        const Reply waiting = send(client, {"PING"}); // waits for the connection
        QTRY_VERIFY_WITH_TIMEOUT(waiting->has_value(), 10000);
        QCOMPARE(int((*waiting)->type), int(RedisReply::Type::Disconnected));
        QCOMPARE(connected.count(), 0);
        QVERIFY(!client.isConnected());
        QVERIFY(reply->has_value());
        QCOMPARE(int((*reply)->type), int(RedisReply::Type::Disconnected));
    }

    void replyLargerThanTheBoundDropsTheConnection()
    {
        RedisClient writer(m_redis.host(), m_redis.port());
        RedisClient reader(m_redis.host(), m_redis.port());
        QVERIFY(startAndWait(writer));
        QVERIFY(startAndWait(reader));
        QCOMPARE(reader.maxReplyBytes(), qint64(16) << 20);
        const QByteArray big(17 << 20, 'x');
        QCOMPARE(run(writer, {"SET", "big", big}).string, QByteArray("OK"));
        QCOMPARE(run(writer, {"STRLEN", "big"}).integer, big.size());

        QSignalSpy lost(&reader, &RedisClient::disconnected);
        QSignalSpy back(&reader, &RedisClient::connected);
        QTest::ignoreMessage(QtWarningMsg,
                             logLine(QStringLiteral("Redis at .* sent a reply larger than "
                                                    "16777216 bytes - dropping the connection")));
        QTest::ignoreMessage(QtWarningMsg, logLine(QStringLiteral("Redis at .* lost \\(a reply "
                                                                  "larger than 16777216 bytes")));
        QTest::ignoreMessage(QtWarningMsg, logLine(QStringLiteral("Redis at .* is back")));
        RedisReply r = run(reader, {"GET", "big"});
        QCOMPARE(int(r.type), int(RedisReply::Type::Disconnected));
        QVERIFY2(r.string.contains("larger than"), r.string.constData());
        QVERIFY(lost.count() == 1 || lost.wait(10000));
        QVERIFY(lost.at(0).at(0).toString().contains(QLatin1String("larger than")));
        // Reconnects by itself; smaller replies are fine.
        QVERIFY(back.wait(20000));
        QCOMPARE(run(reader, {"STRLEN", "big"}).integer, big.size());

        // An array is counted as it is built, element by element.
        run(writer, {"DEL", "many"});
        QList<QByteArray> push{"RPUSH", "many"};
        for (int i = 0; i < 2000; ++i)
            push << QByteArray(100, char('a' + i % 26));
        QCOMPARE(run(writer, push).integer, qint64(2000));
        reader.setMaxReplyBytes(64 * 1024);
        QTest::ignoreMessage(QtWarningMsg,
                             logLine(QStringLiteral("Redis at .* sent a reply larger than 65536")));
        QTest::ignoreMessage(QtWarningMsg, logLine(QStringLiteral("Redis at .* lost \\(")));
        QTest::ignoreMessage(QtWarningMsg, logLine(QStringLiteral("Redis at .* is back")));
        r = run(reader, {"LRANGE", "many", "0", "-1"});
        QCOMPARE(int(r.type), int(RedisReply::Type::Disconnected));
        QVERIFY(back.wait(20000));
        r = run(reader, {"LRANGE", "many", "0", "99"});
        QCOMPARE(r.elements.size(), size_t(100));
        run(writer, {"DEL", "big", "many"});
    }

    // Deleting the client at awkward moments: nothing may crash, leak, or be called afterwards.
    void deleteWhileConnected()
    {
        auto client = std::make_unique<RedisClient>(m_redis.host(), m_redis.port());
        client->subscribe("c");
        QVERIFY(startAndWait(*client));
        bool called = false;
        client->command({"BLPOP", "nothing", "0"}, [&](const RedisReply &) { called = true; });
        client->command({"PING"}, [&](const RedisReply &) { called = true; });
        client.reset();
        RedisClient other(m_redis.host(), m_redis.port());
        QVERIFY(startAndWait(other)); // turns of the event loop
        QCOMPARE(run(other, {"PING"}).string, QByteArray("PONG"));
        QVERIFY(!called);
    }

    void deleteWhileConnecting()
    {
        for (int turns = 0; turns < 6; ++turns) {
            auto client = std::make_unique<RedisClient>(m_redis.host(), m_redis.port());
            client->subscribe("c");
            client->start();
            client->command({"PING"});
            for (int i = 0; i < turns; ++i)
                QCoreApplication::processEvents();
            client.reset();
        }
        // While the host name is being looked up.
        auto named = std::make_unique<RedisClient>(QStringLiteral("localhost"), m_redis.port());
        named->start();
        named.reset();
        // With nothing listening (refused at once or during the connect).
        RedisProcess none;
        QVERIFY2(none.start(), qPrintable(none.error()));
        QVERIFY(none.stop());
        auto refused = std::make_unique<RedisClient>(none.host(), none.port());
        refused->start();
        refused.reset();
        QCoreApplication::processEvents(); // anything posted must find nothing
    }

    void deleteRightAfterRedisDied()
    {
        RedisProcess redis;
        QVERIFY2(redis.start(), qPrintable(redis.error()));
        const QString lost = QStringLiteral("Redis at .* lost \\(");

        // Deleted before the client has even read the end of its connections.
        auto client = std::make_unique<RedisClient>(redis.host(), redis.port());
        client->subscribe("c");
        QVERIFY(startAndWait(*client));
        client->command({"BLPOP", "nothing", "0"}, [](const RedisReply &) { QFAIL("called"); });
        redis.kill();
        client.reset();

        // Deleted from the callback that reports the loss.
        QVERIFY2(redis.start(), qPrintable(redis.error()));
        auto *fromCallback = new RedisClient(redis.host(), redis.port());
        QVERIFY(startAndWait(*fromCallback));
        QPointer<RedisClient> watch(fromCallback);
        int calls = 0;
        fromCallback->command({"BLPOP", "nothing", "0"}, [&](const RedisReply &r) {
            ++calls;
            QCOMPARE(int(r.type), int(RedisReply::Type::Disconnected));
            delete fromCallback;
        });
        fromCallback->command({"PING"}, [&](const RedisReply &) { ++calls; });
        QTest::ignoreMessage(QtWarningMsg, logLine(lost));
        redis.kill();
        QTRY_VERIFY(watch.isNull());
        QCOMPARE(calls, 1); // the second callback was dropped with the client

        // Deleted from the disconnected() signal.
        QVERIFY2(redis.start(), qPrintable(redis.error()));
        auto *fromSignal = new RedisClient(redis.host(), redis.port());
        fromSignal->subscribe("c");
        QVERIFY(startAndWait(*fromSignal));
        QPointer<RedisClient> watchSignal(fromSignal);
        connect(fromSignal, &RedisClient::disconnected, this, [fromSignal] { delete fromSignal; });
        QTest::ignoreMessage(QtWarningMsg, logLine(lost));
        QVERIFY(redis.stop());
        QTRY_VERIFY(watchSignal.isNull());
    }
};

QTEST_GUILESS_MAIN(TestRedisClient)
#include "tst_redisclient.moc"
