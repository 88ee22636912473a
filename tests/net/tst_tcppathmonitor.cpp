// TcpPathMonitor (issue 13): TCP's view of a call's uplink from TCP_INFO samples. Synthetic
// samples for the arithmetic (a queue in round trip, the acknowledged rate over a window), and
// TcpSendBuffer::sample on a real loopback connection for what the kernel really says.
#include "net/tcppathmonitor.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

namespace {
TcpSendBuffer::PathSample sampleOf(qint64 rttMs, qint64 minRttMs, quint64 acked,
                                   bool recovering = false)
{
    TcpSendBuffer::PathSample s;
    s.valid = true;
    s.rttUs = rttMs * 1000;
    s.minRttUs = minRttMs * 1000;
    s.bytesAcked = acked;
    s.recovering = recovering;
    return s;
}
} // namespace

class TestTcpPathMonitor : public QObject
{
    Q_OBJECT
private slots:
    void queueIsTheRoundTripOverItsSmallest();
    void ackedRateNeedsAWindow();
    void ackedRateFollowsTheLastWindow();
    void aNewConnectionStartsOver();
    void aRealConnectionIsSampled();
};

void TestTcpPathMonitor::queueIsTheRoundTripOverItsSmallest()
{
    TcpPathMonitor m;
    QCOMPARE(m.view().queueMs, -1);
    m.add(0, sampleOf(255, 5, 0));
    QCOMPARE(m.view().queueMs, 250);
    m.add(50, sampleOf(5, 5, 0, true));
    QCOMPARE(m.view().queueMs, 0);
    QVERIFY(m.view().recovering);
    // The kernel did not say (no round trip yet): unknown, not zero.
    TcpSendBuffer::PathSample none = sampleOf(0, 0, 0);
    none.rttUs = -1;
    none.minRttUs = -1;
    m.add(100, none);
    QCOMPARE(m.view().queueMs, -1);
    // The descriptor could not be read: nothing is known any more.
    m.add(150, TcpSendBuffer::PathSample{});
    QCOMPARE(m.view().queueMs, -1);
    QCOMPARE(m.view().ackedKbps, -1);
    QVERIFY(!m.view().recovering);
}

void TestTcpPathMonitor::ackedRateNeedsAWindow()
{
    TcpPathMonitor m;
    // 50 kB/s = 400 kbit/s acknowledged, sampled every 50 ms.
    for (qint64 t = 0; t < TcpPathMonitor::kRateWindowMs; t += 50) {
        m.add(t, sampleOf(5, 5, quint64(t) * 50));
        QCOMPARE(m.view().ackedKbps, -1); // a few segments are no rate
    }
    m.add(TcpPathMonitor::kRateWindowMs, sampleOf(5, 5, TcpPathMonitor::kRateWindowMs * 50));
    QCOMPARE(m.view().ackedKbps, 400);
}

void TestTcpPathMonitor::ackedRateFollowsTheLastWindow()
{
    TcpPathMonitor m;
    quint64 acked = 0;
    qint64 t = 0;
    // 4 Mbit/s for a second, then 400 kbit/s: within a window and a sample the rate is the new
    // one, not an average over the second.
    for (; t <= 1000; t += 50) {
        m.add(t, sampleOf(5, 5, acked));
        acked += 25000; // 500 kB/s
    }
    QCOMPARE(m.view().ackedKbps, 4000);
    for (qint64 end = t + TcpPathMonitor::kRateWindowMs + 50; t <= end; t += 50) {
        acked += 2500; // 50 kB/s
        m.add(t, sampleOf(255, 5, acked));
    }
    QCOMPARE(m.view().ackedKbps, 400);
    QCOMPARE(m.view().queueMs, 250);
}

void TestTcpPathMonitor::aNewConnectionStartsOver()
{
    TcpPathMonitor m;
    for (qint64 t = 0; t <= 300; t += 50)
        m.add(t, sampleOf(5, 5, 1000000 + quint64(t) * 50));
    QCOMPARE(m.view().ackedKbps, 400);
    // A count that went back: a new connection after a reconnect. No rate until a window.
    m.add(350, sampleOf(5, 5, 100));
    QCOMPARE(m.view().ackedKbps, -1);
    m.add(550, sampleOf(5, 5, 100 + 200 * 50));
    QCOMPARE(m.view().ackedKbps, 400);
    m.reset();
    QCOMPARE(m.view().ackedKbps, -1);
    QCOMPARE(m.view().queueMs, -1);
}

// The kernel's own numbers on a real connection: a round trip, its smallest, and every byte
// written acknowledged once the peer has read it.
void TestTcpPathMonitor::aRealConnectionIsSampled()
{
#ifndef Q_OS_LINUX
    QSKIP("TCP_INFO is read on Linux only");
#endif
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, server.serverPort());
    QVERIFY(client.waitForConnected(5000));
    QTRY_VERIFY(server.hasPendingConnections());
    QTcpSocket *peer = server.nextPendingConnection();
    QVERIFY(peer);

    const TcpSendBuffer::PathSample before = TcpSendBuffer::sample(int(client.socketDescriptor()));
    QVERIFY(before.valid);
    const QByteArray data(200000, 'x');
    client.write(data);
    qint64 read = 0;
    QTRY_VERIFY_WITH_TIMEOUT((read += peer->readAll().size()) == data.size(), 10000);
    TcpSendBuffer::PathSample after;
    QTRY_VERIFY((after = TcpSendBuffer::sample(int(client.socketDescriptor()))).bytesAcked >=
                before.bytesAcked + quint64(data.size()));
    QVERIFY(after.rttUs > 0);
    QVERIFY(after.minRttUs > 0);
    QVERIFY(after.minRttUs <= after.rttUs);
    QVERIFY(!after.recovering);

    TcpPathMonitor m;
    m.add(0, after);
    QVERIFY(m.view().queueMs >= 0);
    // Not a socket: nothing.
    QVERIFY(!TcpSendBuffer::sample(-1).valid);
}

QTEST_MAIN(TestTcpPathMonitor)
#include "tst_tcppathmonitor.moc"
