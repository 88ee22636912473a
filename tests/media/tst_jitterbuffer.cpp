#include "media/jitterbuffer.h"

#include <QTest>

namespace {
JitterBuffer::Packet packet(quint32 seq)
{
    return JitterBuffer::Packet{seq, QByteArray::number(seq)};
}
QList<quint32> playAll(JitterBuffer &jb, int pops, int *lost = nullptr)
{
    QList<quint32> played;
    for (int i = 0; i < pops; ++i) {
        const JitterBuffer::Output out = jb.pop();
        if (out.kind == JitterBuffer::Kind::Packet)
            played << out.packet.sequence;
        else if (out.kind == JitterBuffer::Kind::Lost && lost)
            ++*lost;
    }
    return played;
}
} // namespace

class TestJitterBuffer : public QObject
{
    Q_OBJECT
private slots:
    void waitsForTheTargetThenPlaysInOrder()
    {
        JitterBuffer jb(20, 3, 25);
        jb.push(packet(100), 0);
        QCOMPARE(jb.pop().kind, JitterBuffer::Kind::Waiting);
        jb.push(packet(102), 40); // reordered: 101 comes after 102
        jb.push(packet(101), 45);
        QCOMPARE(playAll(jb, 3), (QList<quint32>{100, 101, 102}));
    }
    void duplicatesAndLatePacketsAreDropped()
    {
        JitterBuffer jb(20, 2, 25);
        for (quint32 s = 0; s < 4; ++s)
            jb.push(packet(s), s * 20);
        jb.push(packet(2), 70); // duplicate
        QCOMPARE(playAll(jb, 4), (QList<quint32>{0, 1, 2, 3}));
        jb.push(packet(1), 200); // long after its turn
        QCOMPARE(jb.stats().duplicates, 1);
        QCOMPARE(jb.stats().late, 1);
        QCOMPARE(jb.bufferedFrames(), 0);
    }
    void lossIsReportedWithTheNextPacketForFec()
    {
        JitterBuffer jb(20, 2, 25);
        jb.push(packet(10), 0);
        jb.push(packet(11), 20);
        jb.push(packet(13), 60); // 12 never comes
        jb.push(packet(14), 80);
        QCOMPARE(jb.pop().packet.sequence, 10u);
        QCOMPARE(jb.pop().packet.sequence, 11u);
        const JitterBuffer::Output gap = jb.pop();
        QCOMPARE(gap.kind, JitterBuffer::Kind::Lost);
        QCOMPARE(gap.next, QByteArray("13")); // FEC of 12 travels in 13
        QCOMPARE(jb.pop().packet.sequence, 13u);
        QCOMPARE(jb.stats().lost, 1);
    }
    void underrunKeepsThePace()
    {
        JitterBuffer jb(20, 2, 25);
        jb.push(packet(0), 0);
        jb.push(packet(1), 20);
        int lost = 0;
        QCOMPARE(playAll(jb, 4, &lost), (QList<quint32>{0, 1}));
        QCOMPARE(lost, 2);
        jb.push(packet(4), 100); // the next one in line after two concealed frames
        QCOMPARE(jb.pop().packet.sequence, 4u);
    }
    void delayGrowsWithJitterAndStaysBounded()
    {
        JitterBuffer steady(20, 2, 25), jittery(20, 2, 25);
        for (quint32 s = 0; s < 200; ++s) {
            steady.push(packet(s), s * 20);
            // Every other packet 60 ms late: the network's jitter.
            jittery.push(packet(s), s * 20 + (s % 2 ? 60 : 0));
            steady.pop();
            jittery.pop();
        }
        QCOMPARE(steady.targetFrames(), 2);
        QVERIFY2(jittery.targetFrames() >= 4, qPrintable(QString::number(jittery.targetFrames())));
        QVERIFY(jittery.targetFrames() <= 25);
    }
    void sequenceWrapAround()
    {
        JitterBuffer jb(20, 2, 25);
        const quint32 start = 0xFFFFFFFEu;
        for (quint32 i = 0; i < 4; ++i)
            jb.push(packet(start + i), i * 20);
        QCOMPARE(playAll(jb, 4), (QList<quint32>{0xFFFFFFFEu, 0xFFFFFFFFu, 0u, 1u}));
    }
};

QTEST_GUILESS_MAIN(TestJitterBuffer)
#include "tst_jitterbuffer.moc"
