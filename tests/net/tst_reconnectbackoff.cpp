#include "net/reconnectbackoff.h"

#include <QTest>

class TestReconnectBackoff : public QObject
{
    Q_OBJECT
private slots:
    void doublesUpToTheMaximum()
    {
        ReconnectBackoff b(1000, 30000, 0.2);
        b.setRandom([] { return 0.5; }); // no jitter
        QList<int> delays;
        for (int i = 0; i < 8; ++i)
            delays << b.nextDelayMs();
        QCOMPARE(delays, (QList<int>{1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000}));
        b.reset();
        QCOMPARE(b.nextDelayMs(), 1000);
    }
    void jitterSpreadsClients()
    {
        ReconnectBackoff low(1000, 30000, 0.2), high(1000, 30000, 0.2);
        low.setRandom([] { return 0.0; });
        high.setRandom([] { return 0.999; });
        QCOMPARE(low.nextDelayMs(), 800);
        QCOMPARE(high.nextDelayMs(), 1200);
    }
    void manyAttemptsDoNotOverflow()
    {
        ReconnectBackoff b(1000, 30000, 0.0);
        for (int i = 0; i < 1000; ++i)
            QVERIFY(b.nextDelayMs() <= 30000);
    }
};

QTEST_GUILESS_MAIN(TestReconnectBackoff)
#include "tst_reconnectbackoff.moc"
