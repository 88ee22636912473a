// ImpairmentProxy (tests/support), the impaired link of the netlab tests and benchmarks: what
// it forwards arrives whole and in order, never earlier than the delay, a stall or the rate
// allow, and a receiver that stops reading makes it stop reading too instead of buffering.
// Only lower bounds on time are asserted (a slow machine may always be later).
#include "impairmentproxy.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

namespace {
// Echoes everything back, or (reading = false) accepts and never reads.
class EchoServer : public QObject
{
public:
    explicit EchoServer(bool reading = true)
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this, reading] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                ++accepted;
                if (!reading) {
                    s->setReadBufferSize(1); // Qt stops reading: the kernel's window closes
                    continue;
                }
                connect(s, &QTcpSocket::readyRead, s, [s] { s->write(s->readAll()); });
                connect(s, &QTcpSocket::disconnected, s, [s] { s->deleteLater(); });
            }
        });
    }
    quint16 port() const { return m_server.serverPort(); }
    int accepted = 0;

private:
    QTcpServer m_server;
};

QByteArray pattern(int size, int salt)
{
    QByteArray b(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        b[i] = char((i * 131 + salt + i / 251) & 0xff);
    return b;
}

std::unique_ptr<QTcpSocket> connectTo(quint16 port)
{
    auto s = std::make_unique<QTcpSocket>();
    s->connectToHost(QHostAddress::LocalHost, port);
    return s->waitForConnected(5000) ? std::move(s) : nullptr;
}

// Reads from `s` until `size` bytes came (at most 30 s), running the event loop.
QByteArray readExactly(QTcpSocket &s, qsizetype size)
{
    QByteArray got;
    (void)QTest::qWaitFor(
        [&] {
            got += s.readAll();
            return got.size() >= size;
        },
        30000);
    return got;
}
} // namespace

class TestImpairmentProxy : public QObject
{
    Q_OBJECT

private slots:
    // 1 MB each way through delay and jitter: every byte, in order (a stream never overtakes).
    void forwardsWholeAndInOrderWithJitter()
    {
        EchoServer echo;
        ImpairmentSettings s;
        s.delayMs = 5;
        s.jitterMs = 20;
        s.seed = 7;
        ImpairmentProxy proxy(s);
        QVERIFY(proxy.listen(QHostAddress::LocalHost, 0, QHostAddress::LocalHost, echo.port()));
        auto client = connectTo(proxy.port());
        QVERIFY(client);
        const QByteArray sent = pattern(1 << 20, 3);
        for (qsizetype at = 0; at < sent.size(); at += 4096)
            client->write(sent.mid(at, 4096));
        const QByteArray got = readExactly(*client, sent.size());
        QCOMPARE(got.size(), sent.size());
        QVERIFY(got == sent);
        QCOMPARE(proxy.counters().connections, 1);
        QCOMPARE(proxy.counters().bytesForwarded, 2 * sent.size());
    }

    // 75 ms each way: an echo comes back no sooner than 150 ms later.
    void delaysEachDirection()
    {
        EchoServer echo;
        ImpairmentSettings s;
        s.delayMs = 75;
        ImpairmentProxy proxy(s);
        QVERIFY(proxy.listen(QHostAddress::LocalHost, 0, QHostAddress::LocalHost, echo.port()));
        auto client = connectTo(proxy.port());
        QVERIFY(client);
        // The first exchange also pays for the upstream connection: time the second.
        client->write("warm");
        QCOMPARE(readExactly(*client, 4), QByteArray("warm"));
        QElapsedTimer clock;
        clock.start();
        client->write("ping");
        QCOMPARE(readExactly(*client, 4), QByteArray("ping"));
        QVERIFY2(clock.elapsed() >= 150, qPrintable(QString::number(clock.elapsed())));
    }

    // stallFor holds everything; the data arrives whole afterwards, not before the stall ends.
    void stallHoldsThenDelivers()
    {
        EchoServer echo;
        ImpairmentProxy proxy(ImpairmentSettings{});
        QVERIFY(proxy.listen(QHostAddress::LocalHost, 0, QHostAddress::LocalHost, echo.port()));
        auto client = connectTo(proxy.port());
        QVERIFY(client);
        client->write("warm");
        QCOMPARE(readExactly(*client, 4), QByteArray("warm"));
        QElapsedTimer clock;
        clock.start();
        proxy.stallFor(500);
        const QByteArray sent = pattern(100000, 5);
        client->write(sent);
        QCOMPARE(readExactly(*client, sent.size()), sent);
        QVERIFY2(clock.elapsed() >= 500, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(proxy.counters().stalls, 1);
    }

    // Random bursty stalls (seeded): some happen during a transfer of 2 s or more, and the
    // stream still arrives whole.
    void randomStallsKeepTheStreamWhole()
    {
        EchoServer echo;
        ImpairmentSettings s;
        s.stallEveryMs = 200;
        s.stallMs = 100;
        s.rateKbps = 4000; // 500 KB/s: 1 MB each way takes 2 s at least
        s.seed = 42;
        ImpairmentProxy proxy(s);
        QVERIFY(proxy.listen(QHostAddress::LocalHost, 0, QHostAddress::LocalHost, echo.port()));
        auto client = connectTo(proxy.port());
        QVERIFY(client);
        const QByteArray sent = pattern(1 << 20, 9);
        client->write(sent);
        QCOMPARE(readExactly(*client, sent.size()), sent);
        QVERIFY(proxy.counters().stalls >= 2);
    }

    // 800 kbit/s: 100 KB take at least about a second (less the token bucket's 2 KB).
    void limitsTheRate()
    {
        EchoServer echo;
        ImpairmentSettings s;
        s.rateKbps = 800;
        ImpairmentProxy proxy(s);
        QVERIFY(proxy.listen(QHostAddress::LocalHost, 0, QHostAddress::LocalHost, echo.port()));
        auto client = connectTo(proxy.port());
        QVERIFY(client);
        client->write("warm");
        QCOMPARE(readExactly(*client, 4), QByteArray("warm"));
        QTest::qWait(50); // the bucket refills; it holds at most 20 ms of rate
        QElapsedTimer clock;
        clock.start();
        const QByteArray sent = pattern(100000, 1);
        client->write(sent);
        QCOMPARE(readExactly(*client, sent.size()), sent);
        // Each direction at 100 B/ms; the echo's direction overlaps, so one direction's time.
        QVERIFY2(clock.elapsed() >= (100000 - 2 * 2000) / 100,
                 qPrintable(QString::number(clock.elapsed())));
    }

    // A receiver that never reads: the proxy holds at most its bound and stops reading, so the
    // sender's own buffer fills (backpressure), whatever the sender tries to push.
    void backpressureInsteadOfBuffering()
    {
        EchoServer sink(false);
        ImpairmentSettings s;
        s.maxBufferedBytes = 128 * 1024;
        ImpairmentProxy proxy(s);
        QVERIFY(proxy.listen(QHostAddress::LocalHost, 0, QHostAddress::LocalHost, sink.port()));
        auto client = connectTo(proxy.port());
        QVERIFY(client);
        const QByteArray block = pattern(64 * 1024, 2);
        // 64 MB offered, bounded: the loop ends when the kernel stops taking more.
        for (int i = 0; i < 1024; ++i) {
            client->write(block);
            QTest::qWait(2);
            if (client->bytesToWrite() > 8 * block.size())
                break;
        }
        QTRY_VERIFY_WITH_TIMEOUT(proxy.counters().readPauses > 0, 10000);
        QVERIFY(client->bytesToWrite() > 0);
        QVERIFY(proxy.counters().peakBufferedBytes <= s.maxBufferedBytes);
    }

    // Nothing listens behind the proxy: the client's connection is closed, not left hanging.
    void unreachableTargetClosesTheClient()
    {
        quint16 deadPort = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            deadPort = probe.serverPort();
        }
        ImpairmentProxy proxy(ImpairmentSettings{});
        QVERIFY(proxy.listen(QHostAddress::LocalHost, 0, QHostAddress::LocalHost, deadPort));
        auto client = connectTo(proxy.port());
        QVERIFY(client);
        QSignalSpy closed(client.get(), &QTcpSocket::disconnected);
        QVERIFY(closed.wait(10000));
        QTRY_COMPARE(proxy.connectionCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestImpairmentProxy)
#include "tst_impairmentproxy.moc"
