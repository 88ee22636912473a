#include "media/voicedecoder.h"
#include "media/voiceencoder.h"
#include "tonepower.h"

#include <QTest>

#include <cmath>
#include <vector>

namespace {
constexpr double kPi = 3.14159265358979323846;

std::vector<qint16> tone(double hz, int frames)
{
    std::vector<qint16> pcm(size_t(frames) * VoiceEncoder::kFrameSamples);
    for (size_t i = 0; i < pcm.size(); ++i)
        pcm[i] = qint16(8000 * std::sin(2 * kPi * hz * double(i) / VoiceEncoder::kSampleRate));
    return pcm;
}

} // namespace

class TestVoiceCodec : public QObject
{
    Q_OBJECT
private slots:
    void toneSurvivesTheRoundTrip_data()
    {
        QTest::addColumn<double>("hz");
        QTest::newRow("440 Hz") << 440.0;
        QTest::newRow("1 kHz") << 1000.0;
    }
    void toneSurvivesTheRoundTrip()
    {
        QFETCH(double, hz);
        VoiceEncoder encoder;
        VoiceDecoder decoder;
        QVERIFY(encoder.open());
        QVERIFY(decoder.open());
        const int frames = 50;
        const std::vector<qint16> in = tone(hz, frames);
        std::vector<qint16> out(in.size());
        int bytes = 0;
        for (int f = 0; f < frames; ++f) {
            const QByteArray packet = encoder.encode(in.data() + f * VoiceEncoder::kFrameSamples);
            QVERIFY(!packet.isEmpty());
            bytes += int(packet.size());
            QVERIFY(decoder.decode(packet, out.data() + f * VoiceEncoder::kFrameSamples));
        }
        // The last half second: the tone dominates, other frequencies stay quiet.
        const qint16 *tail = out.data() + out.size() / 2;
        const int n = int(out.size() / 2);
        const double at = tonePower(tail, n, hz);
        QVERIFY2(at > 50 * tonePower(tail, n, hz * 1.7), "tone lost");
        QVERIFY2(at > 50 * tonePower(tail, n, hz * 0.6), "tone lost");
        // Voice bitrate: well under 64 kbit/s (24 kbit/s asked).
        QVERIFY(bytes * 8 / (frames * 0.02) < 40000);
    }
    void lostFramesAreConcealed()
    {
        VoiceEncoder encoder;
        VoiceDecoder decoder;
        QVERIFY(encoder.open());
        QVERIFY(decoder.open());
        const std::vector<qint16> in = tone(440, 20);
        std::vector<QByteArray> packets;
        for (int f = 0; f < 20; ++f)
            packets.push_back(encoder.encode(in.data() + f * VoiceEncoder::kFrameSamples));
        std::vector<qint16> frame(VoiceEncoder::kFrameSamples);
        for (int f = 0; f < 10; ++f)
            QVERIFY(decoder.decode(packets[size_t(f)], frame.data()));
        // Frame 10 lost: rebuilt from frame 11's FEC, which still carries the tone.
        QVERIFY(decoder.conceal(frame.data(), packets[11]));
        QVERIFY(tonePower(frame.data(), VoiceEncoder::kFrameSamples, 440) >
                10 * tonePower(frame.data(), VoiceEncoder::kFrameSamples, 1500));
        // Without the next packet, loss concealment still gives a full frame.
        QVERIFY(decoder.conceal(frame.data()));
        QVERIFY(decoder.decode(packets[12], frame.data()));
    }
    void brokenPacketsAreRefused()
    {
        VoiceDecoder decoder;
        QVERIFY(decoder.open());
        std::vector<qint16> frame(VoiceEncoder::kFrameSamples);
        QVERIFY(!decoder.decode(QByteArray(), frame.data()));
        QVERIFY(!decoder.decode(QByteArray(3000, '\xff'), frame.data()));
    }
};

QTEST_GUILESS_MAIN(TestVoiceCodec)
#include "tst_voicecodec.moc"
