// Call signalling and the media relay, against a real server process: only the two members
// of an active call exchange media, as the same bytes; everyone else can neither receive
// nor inject any.
#include "impairmentproxy.h"
#include "protocol/mediapacketheader.h"
#include "protocol/messageencoder.h"
#include "serverprocess.h"
#include "testclient.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <memory>

namespace {
QString typeOf(const QJsonObject &o)
{
    return o.value(QLatin1String("type")).toString();
}
quint32 callOf(const QJsonObject &o)
{
    return quint32(o.value(QLatin1String("call")).toInteger());
}
QByteArray packet(quint32 call, quint32 seq, const QByteArray &payload,
                  MediaPacketHeader::Kind kind = MediaPacketHeader::Audio, quint8 flags = 0)
{
    MediaPacketHeader h;
    h.kind = kind;
    h.flags = flags;
    h.codec = kind == MediaPacketHeader::Audio ? MediaPacketHeader::Opus : MediaPacketHeader::Vp8;
    h.callId = call;
    h.sequence = seq;
    h.captureTimeUs = 123456789;
    return h.serialize(payload);
}
} // namespace

class TestCalls : public QObject
{
    Q_OBJECT
private:
    ServerProcess m_server{{QStringLiteral("--call-ring-seconds"), QStringLiteral("1")}};

    std::unique_ptr<TestClient> online(const QString &name)
    {
        auto c = std::make_unique<TestClient>();
        if (!c->open(m_server.url()) || !c->login(name))
            return nullptr;
        return c;
    }
    // alice calls bob and bob accepts: returns the call id (0 on failure).
    quint32 connectCall(TestClient &alice, TestClient &bob, const QString &bobName)
    {
        alice.sendJson(MessageEncoder::callRequest(
            QStringLiteral("call_invite"), 0, bobName,
            {QStringLiteral("audio"), QStringLiteral("video")}, QStringLiteral("inv")));
        const quint32 call = callOf(alice.waitForType(QStringLiteral("ack")));
        const QJsonObject invite = bob.waitForType(QStringLiteral("call_invite"));
        if (call == 0 || callOf(invite) != call)
            return 0;
        bob.sendJson(MessageEncoder::callRequest(QStringLiteral("call_accept"), call));
        if (alice.waitForType(QStringLiteral("call_accept")).isEmpty())
            return 0;
        return call;
    }
    static QList<QByteArray> received(TestClient &c)
    {
        QList<QByteArray> list;
        for (const QList<QVariant> &args : *c.binarySpy())
            list << args.at(0).toByteArray();
        return list;
    }

private slots:
    void initTestCase() { QVERIFY(m_server.start()); }

    void inviteRingAcceptMediaHangup()
    {
        auto alice = online(QStringLiteral("k_alice"));
        auto bob = online(QStringLiteral("k_bob"));
        auto eve = online(QStringLiteral("k_eve"));
        QVERIFY(alice && bob && eve);
        alice->sendJson(MessageEncoder::callRequest(
            QStringLiteral("call_invite"), 0, QStringLiteral("k_bob"),
            {QStringLiteral("audio"), QStringLiteral("video")}, QStringLiteral("i1"),
            {QStringLiteral("opus"), QStringLiteral("jpeg")}));
        const QJsonObject ack = alice->waitForType(QStringLiteral("ack"));
        QCOMPARE(ack.value(QLatin1String("id")).toString(), QStringLiteral("i1"));
        const quint32 call = callOf(ack);
        QVERIFY(call != 0);
        const QJsonObject invite = bob->waitForType(QStringLiteral("call_invite"));
        QCOMPARE(invite.value(QLatin1String("from")).toString(), QStringLiteral("k_alice"));
        QCOMPARE(callOf(invite), call);
        QCOMPARE(invite.value(QLatin1String("media")).toArray().size(), 2);
        // The codecs each side can decode pass through untouched.
        QCOMPARE(invite.value(QLatin1String("codecs")).toArray(),
                 (QJsonArray{QStringLiteral("opus"), QStringLiteral("jpeg")}));

        // Media before the answer goes nowhere.
        alice->sendBinary(packet(call, 1, "too early"));
        QVERIFY(!alice->waitForError(QStringLiteral("no_call")).isEmpty());

        bob->sendJson(MessageEncoder::callRequest(QStringLiteral("call_ringing"), call));
        QCOMPARE(alice->waitForType(QStringLiteral("call_ringing"))
                     .value(QLatin1String("from"))
                     .toString(),
                 QStringLiteral("k_bob"));
        bob->sendJson(MessageEncoder::callRequest(QStringLiteral("call_accept"), call, {},
                                                  {QStringLiteral("audio")}, {},
                                                  {QStringLiteral("opus"), QStringLiteral("vp8")}));
        const QJsonObject accepted = alice->waitForType(QStringLiteral("call_accept"));
        QCOMPARE(accepted.value(QLatin1String("codecs")).toArray(),
                 (QJsonArray{QStringLiteral("opus"), QStringLiteral("vp8")}));
        QCOMPARE(accepted.value(QLatin1String("media")).toArray(),
                 QJsonArray{QStringLiteral("audio")});

        // Both ways, as the very same bytes.
        const QByteArray a1 = packet(call, 7, QByteArray(900, 'A'));
        const QByteArray v1 = packet(call, 8, QByteArray(40000, 'V'), MediaPacketHeader::Video);
        alice->sendBinary(a1);
        alice->sendBinary(v1);
        const QByteArray b1 = packet(call, 1, "from bob");
        bob->sendBinary(b1);
        QTRY_COMPARE(received(*bob), (QList<QByteArray>{a1, v1}));
        QTRY_COMPARE(received(*alice), QList<QByteArray>{b1});

        // Keyframe requests reach the other side.
        bob->sendJson(MessageEncoder::callRequest(QStringLiteral("call_keyframe"), call));
        QVERIFY(!alice->waitForType(QStringLiteral("call_keyframe")).isEmpty());

        // A third user can neither receive nor inject.
        eve->sendBinary(packet(call, 99, "injected"));
        QVERIFY(!eve->waitForError(QStringLiteral("no_call")).isEmpty());
        eve->sendJson(MessageEncoder::callRequest(QStringLiteral("call_hangup"), call));
        QVERIFY(!eve->waitForError(QStringLiteral("bad_call")).isEmpty());
        alice->sendBinary(packet(call, 9, "after eve"));
        QTRY_COMPARE(received(*bob).size(), 3);
        QVERIFY(!received(*bob).contains(packet(call, 99, "injected")));
        QVERIFY(received(*eve).isEmpty());

        // Hang-up ends it for both; media after it is refused.
        alice->sendJson(MessageEncoder::callRequest(QStringLiteral("call_hangup"), call));
        QCOMPARE(callOf(bob->waitForType(QStringLiteral("call_hangup"))), call);
        bob->sendBinary(packet(call, 2, "late"));
        QVERIFY(!bob->waitForError(QStringLiteral("no_call")).isEmpty());
    }

    // Probe packets (docs/protocol.md 12) test the sender's uplink and end at the server: the
    // handshake says so, the other member never gets one, and what follows them is relayed as
    // before. Outside a call a probe is refused like any packet.
    void probesAreDiscardedNotRelayed()
    {
        auto alice = online(QStringLiteral("p_alice"));
        auto bob = online(QStringLiteral("p_bob"));
        QVERIFY(alice && bob);
        QVERIFY(alice->handshake().value(QLatin1String("media_probes")).toBool());
        alice->sendBinary(packet(1, 0, QByteArray(1000, '\0'), MediaPacketHeader::Video,
                                 MediaPacketHeader::Probe));
        QVERIFY(!alice->waitForError(QStringLiteral("no_call")).isEmpty());
        const quint32 call = connectCall(*alice, *bob, QStringLiteral("p_bob"));
        QVERIFY(call != 0);
        for (int i = 0; i < 20; ++i)
            alice->sendBinary(packet(call, 0, QByteArray(4000, '\0'), MediaPacketHeader::Video,
                                     MediaPacketHeader::Probe));
        const QByteArray v1 = packet(call, 1, QByteArray(3000, 'V'), MediaPacketHeader::Video,
                                     MediaPacketHeader::Keyframe);
        alice->sendBinary(v1);
        QTRY_COMPARE(received(*bob), QList<QByteArray>{v1});
        alice->sendJson(MessageEncoder::callRequest(QStringLiteral("call_hangup"), call));
        QCOMPARE(callOf(bob->waitForType(QStringLiteral("call_hangup"))), call);
    }

    void busyOfflineAndSelf()
    {
        auto alice = online(QStringLiteral("b_alice"));
        auto bob = online(QStringLiteral("b_bob"));
        auto carol = online(QStringLiteral("b_carol"));
        QVERIFY(alice && bob && carol);
        QVERIFY(connectCall(*alice, *bob, QStringLiteral("b_bob")) != 0);
        // carol calls bob, who is in a call: busy, no call created.
        carol->sendJson(
            MessageEncoder::callRequest(QStringLiteral("call_invite"), 0, QStringLiteral("b_bob")));
        QCOMPARE(
            carol->waitForType(QStringLiteral("call_busy")).value(QLatin1String("from")).toString(),
            QStringLiteral("b_bob"));
        QVERIFY(bob->all([](const QJsonObject &o) {
                       return typeOf(o) == QLatin1String("call_invite") &&
                              o.value(QLatin1String("from")).toString() == QLatin1String("b_carol");
                   })
                    .isEmpty());
        carol->sendJson(MessageEncoder::callRequest(QStringLiteral("call_invite"), 0,
                                                    QStringLiteral("nobody_here"), {},
                                                    QStringLiteral("x")));
        QVERIFY(!carol->waitForError(QStringLiteral("user_offline")).isEmpty());
        carol->sendJson(MessageEncoder::callRequest(QStringLiteral("call_invite"), 0,
                                                    QStringLiteral("B_CAROL")));
        QVERIFY(!carol->waitForError(QStringLiteral("bad_recipient")).isEmpty());
    }

    void memberLeavingEndsTheCall()
    {
        auto alice = online(QStringLiteral("l_alice"));
        auto bob = online(QStringLiteral("l_bob"));
        QVERIFY(alice && bob);
        const quint32 call = connectCall(*alice, *bob, QStringLiteral("l_bob"));
        QVERIFY(call != 0);
        bob->socket().abort(); // gone without a word
        const QJsonObject hangup = alice->waitForType(QStringLiteral("call_hangup"));
        QCOMPARE(callOf(hangup), call);
        QCOMPARE(hangup.value(QLatin1String("reason")).toString(), QStringLiteral("disconnected"));
        // alice is free for a new call.
        auto carol = online(QStringLiteral("l_carol"));
        QVERIFY(carol && connectCall(*alice, *carol, QStringLiteral("l_carol")) != 0);
    }

    void rejectCancelAndTimeout()
    {
        auto alice = online(QStringLiteral("r_alice"));
        auto bob = online(QStringLiteral("r_bob"));
        QVERIFY(alice && bob);
        // Rejected.
        alice->sendJson(
            MessageEncoder::callRequest(QStringLiteral("call_invite"), 0, QStringLiteral("r_bob")));
        quint32 call = callOf(alice->waitForType(QStringLiteral("ack")));
        QCOMPARE(callOf(bob->waitForType(QStringLiteral("call_invite"))), call);
        bob->sendJson(MessageEncoder::callRequest(QStringLiteral("call_reject"), call));
        QCOMPARE(callOf(alice->waitForType(QStringLiteral("call_reject"))), call);
        // Cancelled by the caller.
        alice->sendJson(
            MessageEncoder::callRequest(QStringLiteral("call_invite"), 0, QStringLiteral("r_bob")));
        call = callOf(alice->waitForType(QStringLiteral("ack")));
        QCOMPARE(callOf(bob->waitForType(QStringLiteral("call_invite"))), call);
        bob->sendJson(MessageEncoder::callRequest(QStringLiteral("call_cancel"),
                                                  call)); // not bob's to cancel
        QVERIFY(!bob->waitForError(QStringLiteral("bad_call")).isEmpty());
        alice->sendJson(MessageEncoder::callRequest(QStringLiteral("call_cancel"), call));
        QCOMPARE(callOf(bob->waitForType(QStringLiteral("call_cancel"))), call);
        // Nobody answers: both are told when the ring time (1 s here) is over.
        alice->sendJson(
            MessageEncoder::callRequest(QStringLiteral("call_invite"), 0, QStringLiteral("r_bob")));
        call = callOf(alice->waitForType(QStringLiteral("ack")));
        QCOMPARE(callOf(alice->waitForType(QStringLiteral("call_timeout"), 10000)), call);
        QCOMPARE(callOf(bob->waitForType(QStringLiteral("call_timeout"), 10000)), call);
        bob->sendJson(MessageEncoder::callRequest(QStringLiteral("call_accept"), call));
        QVERIFY(!bob->waitForError(QStringLiteral("bad_call")).isEmpty());
    }

    // Issue 13: a member's microphone and camera state (call_media) reaches the other member
    // only, only in an active call, and only with the media the call has.
    void mediaStateGoesToTheOtherMemberOnly()
    {
        auto alice = online(QStringLiteral("m_alice"));
        auto bob = online(QStringLiteral("m_bob"));
        auto eve = online(QStringLiteral("m_eve"));
        QVERIFY(alice && bob && eve);
        alice->sendJson(MessageEncoder::callRequest(
            QStringLiteral("call_invite"), 0, QStringLiteral("m_bob"),
            {QStringLiteral("audio"), QStringLiteral("video")}, QStringLiteral("i1")));
        const quint32 call = callOf(alice->waitForType(QStringLiteral("ack")));
        QCOMPARE(callOf(bob->waitForType(QStringLiteral("call_invite"))), call);
        // Not while it rings: there is no media to speak of yet.
        bob->sendJson(MessageEncoder::callRequest(QStringLiteral("call_media"), call, {},
                                                  {QStringLiteral("video")}));
        QVERIFY(!bob->waitForError(QStringLiteral("bad_call")).isEmpty());
        bob->sendJson(MessageEncoder::callRequest(QStringLiteral("call_accept"), call));
        QVERIFY(!alice->waitForType(QStringLiteral("call_accept")).isEmpty());

        // bob mutes: alice hears from the server that he sends video only.
        bob->sendJson(MessageEncoder::callRequest(QStringLiteral("call_media"), call, {},
                                                  {QStringLiteral("video")}));
        QJsonObject state = alice->waitForType(QStringLiteral("call_media"));
        QCOMPARE(callOf(state), call);
        QCOMPARE(state.value(QLatin1String("from")).toString(), QStringLiteral("m_bob"));
        QCOMPARE(state.value(QLatin1String("media")).toArray(),
                 QJsonArray{QStringLiteral("video")});
        // ...and then that he sends nothing (muted, camera off): no media list at all.
        bob->sendJson(MessageEncoder::callRequest(QStringLiteral("call_media"), call));
        state = alice->waitForType(QStringLiteral("call_media"));
        QVERIFY(!state.contains(QLatin1String("media")));

        // eve can neither tell nor hear.
        eve->sendJson(MessageEncoder::callRequest(QStringLiteral("call_media"), call, {},
                                                  {QStringLiteral("audio")}));
        QVERIFY(!eve->waitForError(QStringLiteral("bad_call")).isEmpty());
        QVERIFY(
            eve->all([](const QJsonObject &o) { return typeOf(o) == QLatin1String("call_media"); })
                .isEmpty());
        alice->sendJson(MessageEncoder::callRequest(QStringLiteral("call_hangup"), call));
        QVERIFY(!bob->waitForType(QStringLiteral("call_hangup")).isEmpty());

        // A voice call's member cannot claim video: the server passes on what the call has.
        alice->sendJson(
            MessageEncoder::callRequest(QStringLiteral("call_invite"), 0, QStringLiteral("m_bob"),
                                        {QStringLiteral("audio")}, QStringLiteral("i2")));
        const quint32 voice = callOf(alice->waitForType(QStringLiteral("ack")));
        QVERIFY(voice != 0 && voice != call);
        bob->sendJson(MessageEncoder::callRequest(QStringLiteral("call_accept"), voice));
        QVERIFY(!alice->waitForType(QStringLiteral("call_accept")).isEmpty());
        bob->sendJson(
            MessageEncoder::callRequest(QStringLiteral("call_media"), voice, {},
                                        {QStringLiteral("video"), QStringLiteral("audio")}));
        state = alice->waitForType(QStringLiteral("call_media"));
        QCOMPARE(callOf(state), voice);
        QCOMPARE(state.value(QLatin1String("media")).toArray(),
                 QJsonArray{QStringLiteral("audio")});
    }

    // Issue 13: receiver reports (call_report, protocol.md 13.2) go to the other member only,
    // only in an active call, only with every figure in its bounds, at most 4 a second.
    void receiverReportsGoToTheOtherMemberOnly()
    {
        auto alice = online(QStringLiteral("r_alice"));
        auto bob = online(QStringLiteral("r_bob"));
        auto eve = online(QStringLiteral("r_eve"));
        QVERIFY(alice && bob && eve);
        CallReport report;
        report.lossPermille = 12;
        report.jitterMs = 4;
        report.delayMs = 35;
        report.kbps = 870;
        report.intervalMs = 1000;
        alice->sendJson(MessageEncoder::callRequest(
            QStringLiteral("call_invite"), 0, QStringLiteral("r_bob"),
            {QStringLiteral("audio"), QStringLiteral("video")}, QStringLiteral("i1")));
        const quint32 call = callOf(alice->waitForType(QStringLiteral("ack")));
        QCOMPARE(callOf(bob->waitForType(QStringLiteral("call_invite"))), call);
        // Not while it rings.
        bob->sendJson(MessageEncoder::callReport(call, {}, report));
        QVERIFY(!bob->waitForError(QStringLiteral("bad_call")).isEmpty());
        bob->sendJson(MessageEncoder::callRequest(QStringLiteral("call_accept"), call));
        QVERIFY(!alice->waitForType(QStringLiteral("call_accept")).isEmpty());

        bob->sendJson(MessageEncoder::callReport(call, {}, report));
        const QJsonObject got = alice->waitForType(QStringLiteral("call_report"));
        QCOMPARE(callOf(got), call);
        QCOMPARE(got.value(QLatin1String("from")).toString(), QStringLiteral("r_bob"));
        QCOMPARE(CallReport::read(got), std::optional<CallReport>(report));

        // Faster than one per 250 ms: refused, not relayed.
        bob->sendJson(MessageEncoder::callReport(call, {}, report));
        QVERIFY(!bob->waitForError(QStringLiteral("rate_limited")).isEmpty());

        // Out of bounds, a fraction, a missing figure: bad_shape, not relayed.
        for (
            const QByteArray &bad :
            {QByteArray(
                 R"("loss_permille":1001,"jitter_ms":0,"delay_ms":0,"kbps":0,"interval_ms":1000)"),
             QByteArray(
                 R"("loss_permille":0,"jitter_ms":-1,"delay_ms":0,"kbps":0,"interval_ms":1000)"),
             QByteArray(
                 R"("loss_permille":0,"jitter_ms":0,"delay_ms":60001,"kbps":0,"interval_ms":1000)"),
             QByteArray(
                 R"("loss_permille":0,"jitter_ms":0,"delay_ms":0,"kbps":1e9,"interval_ms":1000)"),
             QByteArray(
                 R"("loss_permille":0,"jitter_ms":0,"delay_ms":0,"kbps":0,"interval_ms":99)"),
             QByteArray(
                 R"("loss_permille":0.5,"jitter_ms":0,"delay_ms":0,"kbps":0,"interval_ms":1000)"),
             QByteArray(
                 R"("loss_permille":"0","jitter_ms":0,"delay_ms":0,"kbps":0,"interval_ms":1000)"),
             QByteArray(R"("jitter_ms":0,"delay_ms":0,"kbps":0,"interval_ms":1000)")}) {
            bob->sendJson(R"({"type":"call_report","call":)" + QByteArray::number(call) + ',' +
                          bad + '}');
            QVERIFY2(!bob->waitForError(QStringLiteral("bad_shape")).isEmpty(), bad.constData());
        }
        // eve cannot send one into the call, nor receive any.
        eve->sendJson(MessageEncoder::callReport(call, {}, report));
        QVERIFY(!eve->waitForError(QStringLiteral("bad_call")).isEmpty());
        // alice's own report goes to bob; after it alice has had only bob's first one.
        alice->sendJson(MessageEncoder::callReport(call, {}, report));
        QCOMPARE(callOf(bob->waitForType(QStringLiteral("call_report"))), call);
        QCOMPARE(alice
                     ->all([](const QJsonObject &o) {
                         return typeOf(o) == QLatin1String("call_report");
                     })
                     .size(),
                 1);
        QVERIFY(
            eve->all([](const QJsonObject &o) { return typeOf(o) == QLatin1String("call_report"); })
                .isEmpty());
        QVERIFY(bob->isConnected() && eve->isConnected());
    }

    void staleVideoToASlowReceiverIsDroppedNotQueued()
    {
        // bob's downlink carries 200 kbit/s (a proxy that holds at most 16 kB); alice sends
        // 1.2 Mbit/s of video and her voice for 3 s. The server does not queue seconds of
        // video for him: once his queue is stale it drops video up to the next keyframe, so
        // every voice packet reaches him, and every picture he gets can be decoded.
        ImpairmentSettings slow;
        slow.rateKbps = 200;
        slow.maxBufferedBytes = 16 * 1024;
        ImpairmentProxy proxy(slow);
        QVERIFY(proxy.listen(QHostAddress::LocalHost, 0, QHostAddress::LocalHost,
                             quint16(m_server.url().port())));
        QUrl throughProxy = m_server.url();
        throughProxy.setPort(proxy.port());
        auto alice = online(QStringLiteral("s_alice"));
        auto bob = std::make_unique<TestClient>();
        QVERIFY(alice && bob->open(throughProxy) && bob->login(QStringLiteral("s_bob")));
        const quint32 call = connectCall(*alice, *bob, QStringLiteral("s_bob"));
        QVERIFY(call != 0);

        constexpr int kFrames = 90; // 3 s at 30 frames/s, a keyframe every 15
        quint32 audioSeq = 0;
        int frame = 0;
        QTimer tick;
        tick.setInterval(33);
        connect(&tick, &QTimer::timeout, this, [&] {
            for (int i = 0; i < 2; ++i) // about 50 voice packets a second
                alice->sendBinary(packet(call, audioSeq++, QByteArray(100, 'a')));
            const bool key = frame % 15 == 0;
            alice->sendBinary(packet(call, quint32(frame), QByteArray(5000, 'v'),
                                     MediaPacketHeader::Video,
                                     key ? MediaPacketHeader::Keyframe : 0));
            if (++frame == kFrames)
                tick.stop();
        });
        tick.start();
        QTRY_VERIFY_WITH_TIMEOUT(!tick.isActive(), 30000);
        const quint32 lastAudio = audioSeq;
        alice->sendBinary(packet(call, lastAudio, "the end"));
        // Everything not dropped was queued before the last voice packet.
        QTRY_VERIFY_WITH_TIMEOUT(!received(*bob).isEmpty() &&
                                     received(*bob).constLast() ==
                                         packet(call, lastAudio, "the end"),
                                 60000);

        quint32 nextAudio = 0;
        int videoFrames = 0;
        qint64 lastVideo = -1;
        for (const QByteArray &p : received(*bob)) {
            const auto h = MediaPacketHeader::parse(p);
            QVERIFY(h);
            if (h->kind == MediaPacketHeader::Audio) {
                QCOMPARE(h->sequence, nextAudio++); // every one, in order
                continue;
            }
            ++videoFrames;
            // After a gap the next picture is a keyframe: nothing undecodable was sent.
            if (qint64(h->sequence) != lastVideo + 1)
                QVERIFY2(h->flags & MediaPacketHeader::Keyframe,
                         qPrintable(
                             QStringLiteral("frame %1 after %2").arg(h->sequence).arg(lastVideo)));
            lastVideo = h->sequence;
        }
        QCOMPARE(nextAudio, lastAudio + 1);
        QVERIFY2(videoFrames < kFrames, qPrintable(QString::number(videoFrames)));
        QVERIFY(videoFrames > 0);
    }

    void badMediaAndBadSignalling_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("code");
        QTest::newRow("no call id")
            << QByteArray(R"({"type":"call_accept"})") << QStringLiteral("bad_call");
        QTest::newRow("call id text")
            << QByteArray(R"({"type":"call_hangup","call":"7"})") << QStringLiteral("bad_call");
        QTest::newRow("unknown call")
            << QByteArray(R"({"type":"call_hangup","call":12345})") << QStringLiteral("bad_call");
        QTest::newRow("bad media kind")
            << QByteArray(R"({"type":"call_invite","to":"x_bob","media":["smell"]})")
            << QStringLiteral("bad_shape");
        QTest::newRow("bad codec name")
            << QByteArray(R"({"type":"call_invite","to":"x_bob","codecs":["VP8!"]})")
            << QStringLiteral("bad_shape");
        QTest::newRow("no recipient")
            << QByteArray(R"({"type":"call_invite"})") << QStringLiteral("bad_recipient");
        QTest::newRow("media state without a call")
            << QByteArray(R"({"type":"call_media","media":["audio"]})")
            << QStringLiteral("bad_call");
        QTest::newRow("media state bad kind")
            << QByteArray(R"({"type":"call_media","call":7,"media":["smell"]})")
            << QStringLiteral("bad_shape");
        QTest::newRow("media state not a list")
            << QByteArray(R"({"type":"call_media","call":7,"media":"audio"})")
            << QStringLiteral("bad_shape");
        QTest::newRow("media state unknown call")
            << QByteArray(R"({"type":"call_media","call":7,"media":[]})")
            << QStringLiteral("bad_call");
        QTest::newRow("report without figures")
            << QByteArray(R"({"type":"call_report","call":7})") << QStringLiteral("bad_shape");
        QTest::newRow("report unknown call")
            << QByteArray(
                   R"({"type":"call_report","call":7,"loss_permille":0,"jitter_ms":0,"delay_ms":0,"kbps":0,"interval_ms":1000})")
            << QStringLiteral("bad_call");
        QTest::newRow("unknown call type")
            << QByteArray(R"({"type":"call_transfer","call":1})") << QStringLiteral("unsupported");
    }
    void badMediaAndBadSignalling()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, code);
        // A name per row: the previous row's connection may still be closing.
        auto c =
            online(QStringLiteral("x_%1").arg(QString::fromLatin1(QTest::currentDataTag())
                                                  .replace(QLatin1Char(' '), QLatin1Char('_'))));
        QVERIFY(c);
        c->sendJson(json);
        QVERIFY(!c->waitForError(code).isEmpty());
        c->sendBinary(QByteArray("\\x05garbage-without-a-header"));
        QVERIFY(!c->waitForError(QStringLiteral("bad_media")).isEmpty());
        QVERIFY(c->isConnected());
    }
};

QTEST_GUILESS_MAIN(TestCalls)
#include "tst_calls.moc"
