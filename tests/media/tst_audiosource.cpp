#include "media/audiosource.h"
#include "tonepower.h"

#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

#include <cmath>
#include <vector>

namespace {
QByteArray wav(int rate, int channels, int bits, const std::vector<qint16> &samples, int format = 1)
{
    QByteArray data;
    for (qint16 s : samples) {
        char b[2];
        qToLittleEndian(s, b);
        data.append(b, 2);
    }
    QByteArray fmt(16, '\0');
    qToLittleEndian<quint16>(quint16(format), fmt.data());
    qToLittleEndian<quint16>(quint16(channels), fmt.data() + 2);
    qToLittleEndian<quint32>(quint32(rate), fmt.data() + 4);
    qToLittleEndian<quint32>(quint32(rate * channels * bits / 8), fmt.data() + 8);
    qToLittleEndian<quint16>(quint16(channels * bits / 8), fmt.data() + 12);
    qToLittleEndian<quint16>(quint16(bits), fmt.data() + 14);
    auto chunk = [](const char *id,
                    const QByteArray &body) -> QByteArray { // not a QStringBuilder of temporaries
        char size[4];
        qToLittleEndian<quint32>(quint32(body.size()), size);
        return QByteArray(id, 4) + QByteArray(size, 4) + body;
    };
    const QByteArray body = QByteArray("WAVE") + chunk("fmt ", fmt) + chunk("data", data);
    return chunk("RIFF", body);
}
} // namespace

class TestAudioSource : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString write(const QString &name, const QByteArray &bytes)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        f.write(bytes);
        return path;
    }

private slots:
    void toneHasItsFrequency()
    {
        auto source = AudioSource::tone(440);
        std::vector<qint16> frame(AudioSource::kFrameSamples * 5);
        for (int i = 0; i < 5; ++i)
            QVERIFY(source->read(frame.data() + i * AudioSource::kFrameSamples));
        QVERIFY(tonePower(frame.data(), int(frame.size()), 440) >
                100 * tonePower(frame.data(), int(frame.size()), 700));
    }
    void wavFileIsResampledAndMixedDown()
    {
        // One second of a 1 kHz tone at 16 kHz stereo.
        std::vector<qint16> samples;
        for (int i = 0; i < 16000; ++i) {
            const auto s = qint16(10000 * std::sin(2 * M_PI * 1000 * i / 16000.0));
            samples.push_back(s);
            samples.push_back(s);
        }
        QString error;
        auto source = AudioSource::wavFile(
            write(QStringLiteral("tone.wav"), wav(16000, 2, 16, samples)), &error);
        QVERIFY2(source, qPrintable(error));
        std::vector<qint16> frame(AudioSource::kFrameSamples * 10);
        for (int i = 0; i < 10; ++i)
            QVERIFY(source->read(frame.data() + i * AudioSource::kFrameSamples));
        QVERIFY(tonePower(frame.data(), int(frame.size()), 1000) >
                100 * tonePower(frame.data(), int(frame.size()), 1700));
    }
    void badFilesAreExplained_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("says");
        QTest::newRow("not wav") << QByteArray("hello world, not audio")
                                 << QStringLiteral("not a WAV");
        QTest::newRow("8-bit") << wav(8000, 1, 8, {1, 2, 3}) << QStringLiteral("16-bit PCM");
        QTest::newRow("float") << wav(8000, 1, 16, {1, 2, 3}, 3) << QStringLiteral("16-bit PCM");
        QTest::newRow("no audio") << wav(8000, 1, 16, {}) << QStringLiteral("no audio");
        QByteArray truncated = wav(8000, 1, 16, std::vector<qint16>(100, 5));
        truncated.chop(50);
        QTest::newRow("truncated") << truncated << QStringLiteral("longer than the file");
        QTest::newRow("odd rate") << wav(1000, 1, 16, {1, 2}) << QStringLiteral("sample rate");
    }
    void badFilesAreExplained()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, says);
        QString error;
        QVERIFY(!AudioSource::wavFile(write(QStringLiteral("bad.wav"), bytes), &error));
        QVERIFY2(error.contains(says), qPrintable(error));
        QVERIFY(!AudioSource::wavFile(m_dir.filePath(QStringLiteral("missing.wav")), &error));
        QVERIFY(error.contains(QLatin1String("cannot open")));
    }
};

QTEST_GUILESS_MAIN(TestAudioSource)
#include "tst_audiosource.moc"
