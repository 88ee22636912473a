#include "protocol/mediapacketheader.h"

#include <QTest>

class TestMediaPacketHeader : public QObject
{
    Q_OBJECT
private slots:
    void roundTrip()
    {
        MediaPacketHeader h;
        h.kind = MediaPacketHeader::Video;
        h.codec = MediaPacketHeader::Vp8;
        h.flags = MediaPacketHeader::Keyframe;
        h.callId = 0xA1B2C3D4;
        h.sequence = 4000000001u;
        h.captureTimeUs = 0x0102030405060708ull;
        const QByteArray packet = h.serialize("payload");
        QCOMPARE(packet.size(), MediaPacketHeader::kSize + 7);
        // Big-endian on the wire, whatever the host.
        QCOMPARE(quint8(packet.at(4)), quint8(0xA1));
        QCOMPARE(quint8(packet.at(12)), quint8(0x01));
        const auto parsed = MediaPacketHeader::parse(packet);
        QVERIFY(parsed);
        QCOMPARE(parsed->kind, h.kind);
        QCOMPARE(parsed->codec, h.codec);
        QCOMPARE(parsed->flags, h.flags);
        QCOMPARE(parsed->callId, h.callId);
        QCOMPARE(parsed->sequence, h.sequence);
        QCOMPARE(parsed->captureTimeUs, h.captureTimeUs);
        QCOMPARE(packet.mid(MediaPacketHeader::kSize), QByteArray("payload"));
    }
    void rejectsGarbage_data()
    {
        QTest::addColumn<QByteArray>("packet");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("short") << QByteArray(19, '\x01');
        MediaPacketHeader h;
        QByteArray badVersion = h.serialize();
        badVersion[0] = 9;
        QTest::newRow("version") << badVersion;
        QByteArray badKind = h.serialize();
        badKind[1] = 7;
        QTest::newRow("kind") << badKind;
        QByteArray badCodec = h.serialize();
        badCodec[2] = 0;
        QTest::newRow("codec") << badCodec;
    }
    void rejectsGarbage()
    {
        QFETCH(QByteArray, packet);
        QVERIFY(!MediaPacketHeader::parse(packet));
    }
};

QTEST_GUILESS_MAIN(TestMediaPacketHeader)
#include "tst_mediapacketheader.moc"
