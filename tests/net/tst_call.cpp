// A whole call between two core clients through a real server: signalling, then VP8 video
// from the test pattern and Opus audio from a tone, encoded, relayed and decoded; the
// receiver reads the frame numbers back from the pictures and hears the tone.
#include "media/audiosource.h"
#include "media/jitterbuffer.h"
#include "media/testpatternsource.h"
#include "media/videodecoder.h"
#include "media/videoencoder.h"
#include "media/voicedecoder.h"
#include "media/voiceencoder.h"
#include "net/clientsession.h"
#include "protocol/mediapacketheader.h"
#include "protocol/messageencoder.h"
#include "serverprocess.h"

#include "tonepower.h"

#include <QSignalSpy>
#include <QTest>

#include <cmath>
#include <memory>
#include <vector>

namespace {
std::unique_ptr<ClientSession> online(const QUrl &url, const QString &name)
{
    auto s = std::make_unique<ClientSession>();
    QSignalSpy in(s.get(), &ClientSession::loggedIn);
    s->open(url, name);
    if (!in.wait())
        return nullptr;
    return s;
}
// The latest call event of this wire type; one without a typeName when none came.
ServerMessage waitEvent(QSignalSpy &spy, const QString &type)
{
    ServerMessage found;
    (void)QTest::qWaitFor(
        [&] {
            for (const auto &args : spy) {
                const auto m = args.at(0).value<ServerMessage>();
                if (m.typeName == type)
                    found = m;
            }
            return !found.typeName.isEmpty();
        },
        5000);
    return found;
}
} // namespace

class TestCall : public QObject
{
    Q_OBJECT
private slots:
    void videoAndAudioThroughTheServer()
    {
        ServerProcess server;
        QVERIFY(server.start());
        auto alice = online(server.url(), QStringLiteral("alice"));
        auto bob = online(server.url(), QStringLiteral("bob"));
        auto eve = online(server.url(), QStringLiteral("eve"));
        QVERIFY(alice && bob && eve);
        QSignalSpy aliceEvents(alice.get(), &ClientSession::callEventReceived);
        QSignalSpy bobEvents(bob.get(), &ClientSession::callEventReceived);
        QSignalSpy bobMedia(bob.get(), &ClientSession::mediaReceived);
        QSignalSpy eveMedia(eve.get(), &ClientSession::mediaReceived);

        alice->sendCallRequest(MessageEncoder::callRequest(
            QStringLiteral("call_invite"), 0, QStringLiteral("bob"),
            {QStringLiteral("audio"), QStringLiteral("video")}, QStringLiteral("c1")));
        const quint32 call = waitEvent(aliceEvents, QStringLiteral("ack")).callId;
        QVERIFY(call != 0);
        QCOMPARE(waitEvent(bobEvents, QStringLiteral("call_invite")).callId, call);
        bob->sendCallRequest(MessageEncoder::callRequest(QStringLiteral("call_accept"), call));
        QVERIFY(!waitEvent(aliceEvents, QStringLiteral("call_accept")).typeName.isEmpty());

        // Alice's side: 30 video frames and 50 audio frames (1 s), interleaved as captured.
        auto video = VideoEncoder::createVp8();
        QVERIFY(video->open(640, 480, 30, 800, nullptr));
        VoiceEncoder voice;
        QVERIFY(voice.open());
        const TestPatternSource camera;
        auto mic = AudioSource::tone(440);
        std::vector<qint16> frame(AudioSource::kFrameSamples);
        quint32 videoSeq = 0, audioSeq = 0;
        for (int tick = 0; tick < 50; ++tick) {
            MediaPacketHeader h;
            h.callId = call;
            if (tick % 5 < 3) { // ~30 fps against 50 audio frames per second
                const VideoEncoder::Packet p =
                    video->encode(camera.frame(500 + videoSeq, quint64(tick) * 20000));
                h.kind = MediaPacketHeader::Video;
                h.codec = video->codecId();
                h.flags = p.keyframe ? MediaPacketHeader::Keyframe : 0;
                h.sequence = videoSeq++;
                alice->sendMedia(h.serialize(p.data), 1 << 30);
            }
            QVERIFY(mic->read(frame.data()));
            h.kind = MediaPacketHeader::Audio;
            h.codec = MediaPacketHeader::Opus;
            h.flags = 0;
            h.sequence = audioSeq++;
            alice->sendMedia(h.serialize(voice.encode(frame.data())), 1 << 30);
        }
        QTRY_COMPARE_WITH_TIMEOUT(bobMedia.size(), int(videoSeq + audioSeq), 10000);

        // Bob's side: decode in order; read the frame numbers; play the audio through the
        // jitter buffer and the decoder.
        auto videoDecoder = VideoDecoder::create(MediaPacketHeader::Vp8);
        VoiceDecoder voiceDecoder;
        QVERIFY(voiceDecoder.open());
        JitterBuffer jitter;
        QList<qint64> numbers;
        QList<JitterBuffer::Packet> audio;
        for (const auto &args : bobMedia) {
            const QByteArray packet = args.at(0).toByteArray();
            const auto h = MediaPacketHeader::parse(packet);
            QVERIFY(h);
            QCOMPARE(h->callId, call);
            if (h->kind == MediaPacketHeader::Video) {
                const VideoFrame f = videoDecoder->decode(packet.mid(MediaPacketHeader::kSize));
                QVERIFY(!f.isNull());
                numbers << TestPatternSource::readNumber(f.image);
            } else {
                audio << JitterBuffer::Packet{h->sequence, packet.mid(MediaPacketHeader::kSize)};
            }
        }
        QList<qint64> expected;
        for (quint32 i = 0; i < videoSeq; ++i)
            expected << 500 + i;
        QCOMPARE(numbers, expected);
        // Playout: one packet arrives and one frame is played every 20 ms.
        std::vector<qint16> heard;
        for (int i = 0; i < audio.size() + 10; ++i) {
            if (i < audio.size())
                jitter.push(audio.at(i), i * 20);
            const JitterBuffer::Output out = jitter.pop();
            if (out.kind != JitterBuffer::Kind::Packet)
                continue;
            QVERIFY(voiceDecoder.decode(out.packet.payload, frame.data()));
            heard.insert(heard.end(), frame.begin(), frame.end());
        }
        QCOMPARE(int(heard.size()), 50 * AudioSource::kFrameSamples);
        const std::vector<qint16> tail(heard.end() - 24000, heard.end());
        QVERIFY(tonePower(tail, 440) > 50 * tonePower(tail, 700));
        QVERIFY(eveMedia.isEmpty()); // a third user got nothing

        // Hang-up ends it on both sides.
        bob->sendCallRequest(MessageEncoder::callRequest(QStringLiteral("call_hangup"), call));
        QVERIFY(!waitEvent(aliceEvents, QStringLiteral("call_hangup")).typeName.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCall)
#include "tst_call.moc"
