// The transport's pieces on their own: what per-address limits count (AddressKey), the PROXY
// protocol header, the send budgets, the sign-in throttle and the per-receiver queue.
#include "accounts/loginthrottle.h"
#include "transport/addresskey.h"
#include "transport/outqueue.h"
#include "transport/proxyheader.h"
#include "transport/sendbudget.h"

#include <QTest>
#include <QtEndian>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#include <unistd.h>
#endif

class TestTransportUnits : public QObject
{
    Q_OBJECT
private:
    // A PROXY v2 header: the signature, version 2 with `command`, `family`, and `body`.
    static QByteArray proxyV2(int command, int family, const QByteArray &body)
    {
        QByteArray h("\r\n\r\n\0\r\nQUIT\n", 12);
        h.append(char(0x20 | command));
        h.append(char(family));
        char length[2];
        qToBigEndian<quint16>(quint16(body.size()), length);
        h.append(length, 2);
        return h + body;
    }

    static QByteArray ipv4Addresses(quint32 source, quint32 destination)
    {
        QByteArray body(12, '\0');
        qToBigEndian<quint32>(source, body.data());
        qToBigEndian<quint32>(destination, body.data() + 4);
        qToBigEndian<quint16>(56324, body.data() + 8);
        qToBigEndian<quint16>(443, body.data() + 10);
        return body;
    }

private slots:
    void addressKeyCountsIpv6PerSlash64_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<QString>("key");
        QTest::newRow("ipv4") << QStringLiteral("192.0.2.7") << QStringLiteral("192.0.2.7");
        QTest::newRow("ipv4-mapped ipv6")
            << QStringLiteral("::ffff:192.0.2.7") << QStringLiteral("192.0.2.7");
        QTest::newRow("ipv6") << QStringLiteral("2001:db8:1:2:3:4:5:6")
                              << QStringLiteral("2001:db8:1:2::/64");
        QTest::newRow("ipv6, same /64") << QStringLiteral("2001:db8:1:2:ffff:ffff:ffff:ffff")
                                        << QStringLiteral("2001:db8:1:2::/64");
        QTest::newRow("ipv6, next /64")
            << QStringLiteral("2001:db8:1:3::1") << QStringLiteral("2001:db8:1:3::/64");
        QTest::newRow("loopback ::1") << QStringLiteral("::1") << QStringLiteral("::/64");
        QTest::newRow("ipv4 loopback")
            << QStringLiteral("127.0.0.2") << QStringLiteral("127.0.0.2");
    }
    void addressKeyCountsIpv6PerSlash64()
    {
        QFETCH(QString, address);
        QFETCH(QString, key);
        QCOMPARE(AddressKey::of(QHostAddress(address)), key);
    }

    void addressListMatchesNetworks()
    {
        AddressList list;
        QString error;
        QVERIFY(list.parse(QStringLiteral("10.0.0.1, 192.168.0.0/16,fd00::/8"), &error));
        QVERIFY(list.contains(QHostAddress(QStringLiteral("10.0.0.1"))));
        QVERIFY(!list.contains(QHostAddress(QStringLiteral("10.0.0.2"))));
        QVERIFY(list.contains(QHostAddress(QStringLiteral("192.168.44.1"))));
        QVERIFY(list.contains(QHostAddress(QStringLiteral("::ffff:192.168.1.1"))));
        QVERIFY(list.contains(QHostAddress(QStringLiteral("fd12::1"))));
        QVERIFY(!list.contains(QHostAddress(QStringLiteral("2001:db8::1"))));
        QVERIFY(!list.parse(QStringLiteral("10.0.0.1,proxy.example"), &error));
        QVERIFY(error.contains(QLatin1String("proxy.example")));
    }

    void proxyHeaderV1()
    {
        const QByteArray header("PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n");
        qsizetype consumed = 0;
        QHostAddress source;
        QCOMPARE(ProxyHeader::parse(QByteArray(header + "GET / HTTP/1.1\r\n"), &consumed, &source),
                 ProxyHeader::Result::Done);
        QCOMPARE(consumed, header.size());
        QCOMPARE(source, QHostAddress(QStringLiteral("192.0.2.1")));

        const QByteArray v6("PROXY TCP6 2001:db8::7 2001:db8::1 56324 443\r\n");
        QCOMPARE(ProxyHeader::parse(v6, &consumed, &source), ProxyHeader::Result::Done);
        QCOMPARE(consumed, v6.size());
        QCOMPARE(source, QHostAddress(QStringLiteral("2001:db8::7")));

        // UNKNOWN (a health check): done, and the peer's own address stands.
        source = QHostAddress(QStringLiteral("203.0.113.9"));
        QCOMPARE(ProxyHeader::parse("PROXY UNKNOWN\r\nGET", &consumed, &source),
                 ProxyHeader::Result::Done);
        QCOMPARE(consumed, qsizetype(15));
        QVERIFY(source.isNull());
    }

    void proxyHeaderV1IncompleteOrInvalid_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<ProxyHeader::Result>("result");
        using R = ProxyHeader::Result;
        QTest::newRow("empty") << QByteArray() << R::NeedMore;
        QTest::newRow("prefix") << QByteArray("PRO") << R::NeedMore;
        QTest::newRow("no line end yet")
            << QByteArray("PROXY TCP4 192.0.2.1 198.51") << R::NeedMore;
        QTest::newRow("plain http") << QByteArray("GET / HTTP/1.1\r\n") << R::Invalid;
        QTest::newRow("no line end in 107 bytes")
            << QByteArray(QByteArray("PROXY TCP4 ") + QByteArray(100, '1')) << R::Invalid;
        QTest::newRow("bad address")
            << QByteArray("PROXY TCP4 999.0.2.1 198.51.100.2 56324 443\r\n") << R::Invalid;
        QTest::newRow("family mismatch")
            << QByteArray("PROXY TCP4 2001:db8::7 198.51.100.2 56324 443\r\n") << R::Invalid;
        QTest::newRow("bad port") << QByteArray("PROXY TCP4 192.0.2.1 198.51.100.2 70000 443\r\n")
                                  << R::Invalid;
        QTest::newRow("missing field")
            << QByteArray("PROXY TCP4 192.0.2.1 198.51.100.2 56324\r\n") << R::Invalid;
    }
    void proxyHeaderV1IncompleteOrInvalid()
    {
        QFETCH(QByteArray, data);
        QFETCH(ProxyHeader::Result, result);
        qsizetype consumed = 0;
        QHostAddress source;
        QCOMPARE(ProxyHeader::parse(data, &consumed, &source), result);
    }

    void proxyHeaderV2()
    {
        qsizetype consumed = 0;
        QHostAddress source;
        const QByteArray tcp4 = proxyV2(1, 0x11, ipv4Addresses(0xC0000201, 0xC6336402));
        QCOMPARE(ProxyHeader::parse(QByteArray(tcp4 + "GET /"), &consumed, &source),
                 ProxyHeader::Result::Done);
        QCOMPARE(consumed, qsizetype(16 + 12));
        QCOMPARE(source, QHostAddress(QStringLiteral("192.0.2.1")));

        QByteArray body(36, '\0');
        const Q_IPV6ADDR ip = QHostAddress(QStringLiteral("2001:db8::7")).toIPv6Address();
        memcpy(body.data(), &ip, 16);
        QCOMPARE(ProxyHeader::parse(proxyV2(1, 0x21, body), &consumed, &source),
                 ProxyHeader::Result::Done);
        QCOMPARE(consumed, qsizetype(16 + 36));
        QCOMPARE(source, QHostAddress(QStringLiteral("2001:db8::7")));

        // LOCAL: the proxy's own health check; whatever addresses follow are skipped.
        source = QHostAddress(QStringLiteral("203.0.113.9"));
        QCOMPARE(ProxyHeader::parse(proxyV2(0, 0x11, ipv4Addresses(1, 2)), &consumed, &source),
                 ProxyHeader::Result::Done);
        QCOMPARE(consumed, qsizetype(16 + 12));
        QVERIFY(source.isNull());
    }

    void proxyHeaderV2IncompleteOrInvalid_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<ProxyHeader::Result>("result");
        using R = ProxyHeader::Result;
        const QByteArray tcp4 = proxyV2(1, 0x11, ipv4Addresses(0xC0000201, 0xC6336402));
        QTest::newRow("signature prefix") << tcp4.first(5) << R::NeedMore;
        QTest::newRow("signature only") << tcp4.first(12) << R::NeedMore;
        QTest::newRow("addresses cut short") << tcp4.first(20) << R::NeedMore;
        QByteArray version3 = tcp4;
        version3[12] = char(0x31);
        QTest::newRow("version 3") << version3 << R::Invalid;
        QTest::newRow("unknown command") << proxyV2(2, 0x11, ipv4Addresses(1, 2)) << R::Invalid;
        QTest::newRow("too much TLV")
            << proxyV2(1, 0x11, ipv4Addresses(1, 2) + QByteArray(600, 'x')) << R::Invalid;
        QTest::newRow("ipv4 too short") << proxyV2(1, 0x11, QByteArray(8, '\0')) << R::Invalid;
        QTest::newRow("ipv6 too short") << proxyV2(1, 0x21, QByteArray(12, '\0')) << R::Invalid;
        QTest::newRow("unknown family") << proxyV2(1, 0x31, QByteArray(216, '\0')) << R::Invalid;
        QByteArray wrongSignature = tcp4;
        wrongSignature[7] = 'X';
        QTest::newRow("wrong signature") << wrongSignature << R::Invalid;
    }
    void proxyHeaderV2IncompleteOrInvalid()
    {
        QFETCH(QByteArray, data);
        QFETCH(ProxyHeader::Result, result);
        qsizetype consumed = 0;
        QHostAddress source;
        QCOMPARE(ProxyHeader::parse(data, &consumed, &source), result);
    }

    void sendBudgetLetsQuietSendersOverdrawTheRoom()
    {
        SendBudget::Rates rates;
        rates.senderPerSecond = 1000;
        rates.senderBurst = 4000;
        rates.roomPerSecond = 1000;
        rates.roomBurst = 10000;
        SendBudget budget(rates);
        const qint64 t = 1000;
        // Three busy senders empty the room between them.
        for (const char *busy : {"busy1", "busy2", "busy3"})
            QVERIFY(budget.takePublic(QLatin1String(busy), 3000, t));
        QVERIFY(budget.takePublic(QStringLiteral("busy1"), 1000, t)); // the room's last 1000
        // The room is empty and busy2 has spent most of its own budget: refused.
        QVERIFY(!budget.takePublic(QStringLiteral("busy2"), 1000, t));
        // Quiet senders (at least half their own budget left) may overdraw the room, by one
        // room burst at most.
        QVERIFY(budget.takePublic(QStringLiteral("quiet1"), 3000, t));
        QVERIFY(budget.takePublic(QStringLiteral("quiet2"), 3000, t));
        QVERIFY(budget.takePublic(QStringLiteral("quiet3"), 3000, t));
        QVERIFY(!budget.takePublic(QStringLiteral("quiet4"), 3000, t)); // -12000 < -10000
        // Nobody's own budget is ever overdrawn.
        QVERIFY(!budget.takePublic(QStringLiteral("quiet5"), 4001, t));
        // Time refills both: after 13 s the room is back above zero and busy2 has its burst.
        QVERIFY(budget.takePublic(QStringLiteral("busy2"), 3000, t + 13000));
    }

    void historyBudgetPacesPagesPerPayer()
    {
        SendBudget::Rates rates;
        rates.historyPerSecond = 1000;
        rates.historyBurst = 4000;
        SendBudget budget(rates);
        const qint64 t = 7000;
        // A payer nobody has charged yet may go at once.
        QCOMPARE(budget.historyWaitMs(QStringLiteral("a"), t), 0);
        // A page is sent whole even when it is bigger than what is left: the debt is waited off.
        budget.takeHistory(QStringLiteral("a"), 3000, t);
        QCOMPARE(budget.historyWaitMs(QStringLiteral("a"), t), 0);
        budget.takeHistory(QStringLiteral("a"), 3500, t);
        QCOMPARE(budget.historyWaitMs(QStringLiteral("a"), t), 2501); // 2500 bytes at 1000/s
        QCOMPARE(budget.historyWaitMs(QStringLiteral("a"), t + 2501), 0);
        // Others pay for their own pages.
        QCOMPARE(budget.historyWaitMs(QStringLiteral("b"), t), 0);
        // Refilled buckets are forgotten.
        budget.prune(t + 2501);
        QCOMPARE(budget.senders(), 1);
        budget.prune(t + 60000);
        QCOMPARE(budget.senders(), 0);
    }

    void sendBudgetProtectsOneInbox()
    {
        SendBudget::Rates rates;
        rates.senderPerSecond = 1000;
        rates.senderBurst = 4000;
        rates.inboxPerSecond = 100;
        rates.inboxBurst = 6000;
        SendBudget budget(rates);
        const qint64 t = 5000;
        QVERIFY(budget.takePrivate(QStringLiteral("a"), QStringLiteral("victim"), 3000, t));
        QVERIFY(budget.takePrivate(QStringLiteral("b"), QStringLiteral("victim"), 3000, t));
        // The victim's inbox is full for busy senders; another user's is not.
        QVERIFY(!budget.takePrivate(QStringLiteral("a"), QStringLiteral("victim"), 1000, t));
        QVERIFY(budget.takePrivate(QStringLiteral("a"), QStringLiteral("other"), 1000, t));
        // A quiet sender still gets through (overdrawing by at most one inbox burst).
        QVERIFY(budget.takePrivate(QStringLiteral("friend"), QStringLiteral("victim"), 3000, t));
        QVERIFY(budget.takePrivate(QStringLiteral("friend2"), QStringLiteral("victim"), 3000, t));
        QVERIFY(!budget.takePrivate(QStringLiteral("friend3"), QStringLiteral("victim"), 1, t));
    }

    void sendBudgetForgetsIdleSenders()
    {
        SendBudget::Rates rates;
        rates.senderPerSecond = 1000;
        rates.senderBurst = 2000;
        SendBudget budget(rates);
        for (int i = 0; i < 100; ++i)
            QVERIFY(budget.takePublic(QStringLiteral("s%1").arg(i), 1000, 0));
        QVERIFY(budget.senders() >= 100);
        budget.prune(500); // half refilled: still remembered
        QVERIFY(budget.senders() >= 100);
        budget.prune(1000); // full again: forgotten
        QCOMPARE(budget.senders(), 0);
    }

    void loginThrottleDoublesThenLocks()
    {
        LoginThrottle::Policy policy;
        policy.freeFailures = 2;
        policy.baseDelayMs = 1000;
        policy.maxDelayMs = 8000;
        policy.lockFailures = 8;
        policy.lockMs = 60000;
        LoginThrottle throttle(policy);
        const QString name = QStringLiteral("alice");
        const qint64 t = 100000;
        // Guesses at one name from ever new addresses (a botnet): the name's record delays.
        const qint64 expected[] = {0, 0, 1000, 2000, 4000, 8000, 8000, 60000};
        for (int i = 0; i < 8; ++i) {
            const QString address = QStringLiteral("192.0.2.%1").arg(i);
            throttle.recordFailure(address, name, t);
            QCOMPARE(throttle.retryAfterMs(QStringLiteral("203.0.113.1"), name, t), expected[i]);
        }
        // Another name is not delayed; the locked one still is later.
        QCOMPARE(throttle.retryAfterMs(QStringLiteral("203.0.113.1"), QStringLiteral("bob"), t), 0);
        QCOMPARE(throttle.retryAfterMs(QStringLiteral("203.0.113.1"), name, t + 30000), 30000);
        // A correct password clears the name.
        throttle.recordSuccess(name);
        QCOMPARE(throttle.retryAfterMs(QStringLiteral("203.0.113.1"), name, t), 0);
    }

    void loginThrottleDelaysAnAddressTooAndForgets()
    {
        LoginThrottle::Policy policy;
        policy.addressFreeFailures = 3;
        policy.baseDelayMs = 500;
        policy.forgetMs = 60000;
        LoginThrottle throttle(policy);
        const QString address = QStringLiteral("198.51.100.4");
        // A different name each time (guessing names): the address's record delays it.
        for (int i = 0; i < 4; ++i)
            throttle.recordFailure(address, QStringLiteral("user%1").arg(i), 0);
        QCOMPARE(throttle.retryAfterMs(address, QStringLiteral("fresh"), 0), 500);
        QCOMPARE(throttle.retryAfterMs(QStringLiteral("203.0.113.1"), QStringLiteral("fresh"), 0),
                 0);
        // A quiet hour forgets.
        QCOMPARE(throttle.retryAfterMs(address, QStringLiteral("user3"), 60001), 0);
    }

    void loginThrottleTablesAreBounded()
    {
        LoginThrottle::Policy policy;
        policy.maxEntries = 50;
        LoginThrottle throttle(policy);
        for (int i = 0; i < 1000; ++i)
            throttle.recordFailure(QStringLiteral("10.0.%1.%2").arg(i / 256).arg(i % 256),
                                   QStringLiteral("made-up-%1").arg(i), i);
        QVERIFY2(throttle.nameEntries() <= 50, qPrintable(QString::number(throttle.nameEntries())));
        QVERIFY(throttle.addressEntries() <= 50);
        // The newest failures are the ones kept.
        for (int i = 0; i < 5; ++i)
            throttle.recordFailure(QStringLiteral("10.9.9.9"), QStringLiteral("made-up-999"), 1000);
        QVERIFY(throttle.retryAfterMs(QStringLiteral("10.8.8.8"), QStringLiteral("made-up-999"),
                                      1000) > 0);
    }

    void outQueueConsumeSpillsTheRestOfOneFrame()
    {
        OutQueue q;
        q.append(QByteArray("aaaa"));
        q.append(QByteArray("bbbbbb"));
        q.append(QByteArray("cc"));
        q.append(QByteArray()); // nothing to send: not queued
        QCOMPARE(q.bytes(), qsizetype(12));
        QCOMPARE(q.frames(), qsizetype(3));
        QByteArray spilled;
        auto spill = [&](const char *data, qsizetype size) {
            spilled.append(data, size);
        };
        // The kernel took the first frame and one byte of the second: the rest of the second
        // goes to Qt's buffer, and the queue starts at a frame boundary again.
        q.consume(5, spill);
        QCOMPARE(spilled, QByteArray("bbbbb"));
        QCOMPARE(q.frames(), qsizetype(1));
        QCOMPARE(q.bytes(), qsizetype(2));
        spilled.clear();
        q.consume(0, spill);
        QVERIFY(spilled.isEmpty());
        QCOMPARE(q.bytes(), qsizetype(2));
        q.consume(2, spill); // exactly at a boundary: nothing spills
        QVERIFY(spilled.isEmpty());
        QVERIFY(q.isEmpty());
        QCOMPARE(q.bytes(), qsizetype(0));
    }

    void outQueueSharesFramesBetweenReceivers()
    {
        const QByteArray frame(16384, 'f');
        OutQueue first;
        OutQueue second;
        first.append(frame);
        second.append(frame);
        // Both queues hand out the very bytes of the one frame: nothing was copied per receiver.
        const char *seen = nullptr;
        first.takeFront([&](const char *data, qsizetype) { seen = data; });
        QCOMPARE(seen, frame.constData());
        second.takeFront([&](const char *data, qsizetype) { seen = data; });
        QCOMPARE(seen, frame.constData());
        QVERIFY(first.isEmpty() && second.isEmpty());
    }

    void outQueueSendsWhatTheKernelTakes()
    {
#ifdef Q_OS_UNIX
        int fds[2];
        QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
        OutQueue q;
        q.append(QByteArray("hello "));
        q.append(QByteArray("world"));
        const qsizetype sent = q.sendTo(fds[0]);
        QCOMPARE(sent, qsizetype(11));
        q.consume(sent, [](const char *, qsizetype) { QFAIL("nothing should spill"); });
        QVERIFY(q.isEmpty());
        char buffer[32] = {};
        QCOMPARE(::read(fds[1], buffer, sizeof buffer), ssize_t(11));
        QCOMPARE(QByteArray(buffer), QByteArray("hello world"));
        ::close(fds[0]);
        ::close(fds[1]);
#else
        QSKIP("sendTo() is Unix only");
#endif
    }
};

QTEST_GUILESS_MAIN(TestTransportUnits)
#include "tst_transportunits.moc"
