#include "media/voicedecoder.h"
#include "media/voiceencoder.h"
#include "tonepower.h"

#include <QTest>

#include <algorithm>

#include <cmath>
#include <random>
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
    // Issue 13: the bandwidth estimate moves Opus' rate during a call, without reopening.
    void bitrateFollowsTheEstimate()
    {
        VoiceEncoder encoder;
        QVERIFY(encoder.open(24000, 10));
        // Speech-like noise: Opus spends what it is given on it.
        std::mt19937 random(7);
        std::normal_distribution<double> noise(0, 3000);
        std::vector<qint16> pcm(VoiceEncoder::kFrameSamples);
        auto kbps = [&](int frames) {
            qint64 bytes = 0;
            for (int f = 0; f < frames; ++f) {
                for (qint16 &v : pcm)
                    v = qint16(std::clamp(noise(random), -30000.0, 30000.0));
                bytes += encoder.encode(pcm.data()).size();
            }
            return double(bytes) * 8 / (frames * 0.02) / 1000;
        };
        const double at24 = kbps(150);
        encoder.setBitrate(12000);
        encoder.setExpectedLoss(25);
        QCOMPARE(encoder.bitrate(), 12000);
        kbps(25); // let it settle
        const double at12 = kbps(150);
        QVERIFY2(at24 > 18 && at24 < 30, qPrintable(QString::number(at24)));
        QVERIFY2(at12 > 8 && at12 < 15, qPrintable(QString::number(at12)));
        encoder.setBitrate(24000);
        kbps(25);
        const double back = kbps(150);
        QVERIFY2(back > 18 && back < 30, qPrintable(QString::number(back)));
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
