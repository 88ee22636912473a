// CatchUpPoint: where a catch-up after a reconnect may start when several nodes can deliver
// seq N+1 before seq N. Times are given by hand (milliseconds of a monotonic clock).
#include "net/catchuppoint.h"

#include <QTest>

class TestCatchUpPoint : public QObject
{
    Q_OBJECT
private slots:
    void aSeqSettlesAfterTheWindow()
    {
        CatchUpPoint p(10000);
        p.reset(9);
        p.seen(10, 0);
        p.seen(12, 1000);
        QCOMPARE(p.highest(), 12);
        QCOMPARE(p.settled(9999), 9); // 10 may still have a lower neighbour on its way
        QCOMPARE(p.settled(10000), 10);
        QCOMPARE(p.settled(11000), 12);
    }

    void aHigherSeqSeenFirstKeepsTheLowerOneToBeReadAgain()
    {
        // Node B relays its own 11 before node A's 10 reaches it over the bus. If the session
        // is cut meanwhile, the catch-up must start at or below 9.
        CatchUpPoint p(10000);
        p.reset(9);
        p.seen(11, 0);
        QCOMPARE(p.settled(5000), 9);
        p.seen(10, 20); // arrives late: nothing later is needed for it
        QCOMPARE(p.settled(10000), 11);
    }

    void nothingSettledSinceNothingMeansTheNewestPage()
    {
        CatchUpPoint p(10000);
        p.seen(40, 0);
        QCOMPARE(p.settled(9000), 0);
        QCOMPARE(p.settled(10000), 40);
    }

    void oldOrRepeatedSeqsChangeNothing()
    {
        CatchUpPoint p(100);
        p.reset(50);
        p.seen(30, 0);
        p.seen(50, 0);
        QCOMPARE(p.highest(), 50);
        QCOMPARE(p.settled(1000), 50);
        p.seen(60, 0);
        p.seen(60, 50); // the same seq again (a page, then the relay) does not delay it
        QCOMPARE(p.settled(100), 60);
    }

    void aFloodSettlesItsOldestEarlyWithinTheBound()
    {
        // Memory is bounded by the number kept, not by how many messages arrive in a window.
        CatchUpPoint p(10000, 3);
        for (qint64 seq = 1; seq <= 1000; ++seq)
            p.seen(seq, 0);
        QCOMPARE(p.highest(), 1000);
        QCOMPARE(p.settled(0), 997); // the three newest are still pending
        QCOMPARE(p.settled(10000), 1000);
    }

    void resetForgetsWhatWasPending()
    {
        CatchUpPoint p(10000);
        p.seen(5, 0);
        p.reset(0);
        QCOMPARE(p.highest(), 0);
        QCOMPARE(p.settled(20000), 0);
    }
};

QTEST_GUILESS_MAIN(TestCatchUpPoint)
#include "tst_catchuppoint.moc"
