#include "audioscenario.h"
#include "call/audiopipeline.h"
#include "media/audioprocessor.h"
#include "media/voicedecoder.h"
#include "protocol/mediapacketheader.h"

#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

#include <cmath>

Q_DECLARE_METATYPE(AudioProcessor::Backend)

// AudioProcessor's two backends on a simulated call (AudioScenario: espeak-ng speech, an echo
// path with a delay and 60 ms of room, a near talker and fan noise, 16 kHz). The figures are
// behaviour, not timings, so they hold on a loaded machine; docs/benchmarks.md has the same
// measurements from bench/audioprocbench.cpp.
class TestAudioProcessor : public QObject
{
    Q_OBJECT
private:
    static constexpr int kKnownDelayMs = 80;
    static double erleTarget(AudioProcessor::Backend backend)
    {
        return backend == AudioProcessor::Backend::WebRtc ? 40.0 : 18.0;
    }
    std::unique_ptr<AudioProcessor> make(AudioProcessor::Backend backend,
                                         AudioProcessor::Features features = {})
    {
        AudioProcessor::Settings settings;
        settings.sampleRate = 16000;
        settings.features = features;
        // As a pipeline would from its buffer sizes: one figure, while the echo path's real
        // delay is anywhere from 40 to 150 ms.
        settings.knownEchoDelayMs = kKnownDelayMs;
        QString error;
        auto processor = AudioProcessor::create(backend, settings, &error);
        if (!processor)
            qWarning("%s", qPrintable(error));
        return processor;
    }
    static void addBackends()
    {
        QTest::addColumn<AudioProcessor::Backend>("backend");
        QTest::newRow("webrtc") << AudioProcessor::Backend::WebRtc;
        QTest::newRow("speexdsp") << AudioProcessor::Backend::Speex;
    }
    // The WebRTC backend is the one CI builds (scripts/bootstrap installs it); a build without
    // it says so instead of failing.
    static bool skipIfMissing(AudioProcessor::Backend backend)
    {
        return !AudioProcessor::availableBackends().contains(backend);
    }

    static bool writeWav(const QString &path, const std::vector<float> &samples, int rate)
    {
        QByteArray data;
        for (float v : samples) {
            char bytes[2];
            qToLittleEndian<qint16>(qint16(std::clamp(std::lround(v), -32768L, 32767L)), bytes);
            data.append(bytes, 2);
        }
        QByteArray header("RIFF....WAVEfmt ");
        const auto put32 = [&](quint32 v) {
            char b[4];
            qToLittleEndian(v, b);
            header.append(b, 4);
        };
        const auto put16 = [&](quint16 v) {
            char b[2];
            qToLittleEndian(v, b);
            header.append(b, 2);
        };
        put32(16);
        put16(1); // PCM
        put16(1); // mono
        put32(quint32(rate));
        put32(quint32(rate) * 2);
        put16(2);
        put16(16);
        header.append("data");
        put32(quint32(data.size()));
        qToLittleEndian(quint32(header.size() - 8 + data.size()), header.data() + 4);
        QFile file(path);
        return file.open(QIODevice::WriteOnly) && file.write(header + data) > 0;
    }

    AudioScenario m_scenario; // 80 ms echo delay
    QString m_scenarioError;

private slots:
    void initTestCase()
    {
        AudioScenario::Options options;
        const bool built = m_scenario.build(options, &m_scenarioError);
#if !defined(Q_OS_LINUX)
        // scripts/bootstrap installs espeak-ng on Linux (and CI's macOS job has it from
        // Homebrew); Windows has no package for it.
        if (!built && QStandardPaths::findExecutable(QStringLiteral("espeak-ng")).isEmpty())
            QSKIP("espeak-ng is not installed: no speech to test with");
#endif
        QVERIFY2(built, qPrintable(m_scenarioError));
    }

    void defaultIsWebRtcWhenBuilt()
    {
        const auto backends = AudioProcessor::availableBackends();
        QVERIFY(backends.contains(AudioProcessor::Backend::Speex));
        QCOMPARE(AudioProcessor::defaultBackend(), backends.constFirst());
#ifdef CONFAB_EXPECT_WEBRTC_APM
        QCOMPARE(AudioProcessor::defaultBackend(), AudioProcessor::Backend::WebRtc);
#endif
    }

    void refusesOddRates()
    {
        AudioProcessor::Settings settings;
        settings.sampleRate = 44100;
        QString error;
        if (!skipIfMissing(AudioProcessor::Backend::WebRtc)) {
            QVERIFY(!AudioProcessor::create(AudioProcessor::Backend::WebRtc, settings, &error));
            QVERIFY(error.contains(QLatin1String("44100")));
        }
        settings.sampleRate = 48000;
        for (auto backend : AudioProcessor::availableBackends()) {
            auto processor = AudioProcessor::create(backend, settings, &error);
            QVERIFY2(processor, qPrintable(error));
            QCOMPARE(processor->frameSamples(), 480);
        }
    }

    // Echo return loss enhancement in single talk, after 2 s, over the delays a laptop has.
    void cancelsEcho_data()
    {
        QTest::addColumn<AudioProcessor::Backend>("backend");
        QTest::addColumn<int>("delayMs");
        for (int delay : {40, 80, 150}) {
            QTest::addRow("webrtc %d ms", delay) << AudioProcessor::Backend::WebRtc << delay;
            QTest::addRow("speexdsp %d ms", delay) << AudioProcessor::Backend::Speex << delay;
        }
    }
    void cancelsEcho()
    {
        QFETCH(AudioProcessor::Backend, backend);
        QFETCH(int, delayMs);
        if (skipIfMissing(backend))
            QSKIP("this build has no WebRTC audio processing");
        AudioScenario scenario;
        AudioScenario::Options options;
        options.echoDelayMs = delayMs;
        options.seconds = 8;
        QString error;
        QVERIFY2(scenario.build(options, &error), qPrintable(error));
        auto processor = make(backend);
        QVERIFY(processor);
        const double erle = AudioMeasure::erle(scenario, *processor);
        qInfo("%s, %d ms: ERLE %.1f dB", qPrintable(AudioProcessor::backendName(backend)), delayMs,
              erle);
        QVERIFY2(erle >= erleTarget(backend), qPrintable(QString::number(erle, 'f', 1)));
    }

    // Both talk at once: the near talker must come through at about his level.
    void keepsNearTalkerInDoubleTalk_data()
    {
        addBackends();
    }
    void keepsNearTalkerInDoubleTalk()
    {
        QFETCH(AudioProcessor::Backend, backend);
        if (skipIfMissing(backend))
            QSKIP("this build has no WebRTC audio processing");
        auto processor = make(backend);
        QVERIFY(processor);
        double level = 0, correlation = 0;
        AudioMeasure::doubleTalk(m_scenario, *processor, &level, &correlation);
        qInfo("%s: near talker %+.1f dB, correlation %.2f",
              qPrintable(AudioProcessor::backendName(backend)), level, correlation);
        QVERIFY2(std::abs(level) <= 6.0, qPrintable(QString::number(level, 'f', 1)));
    }

    // Fan noise in the near talker's pauses, no far end.
    void suppressesNoise_data()
    {
        addBackends();
    }
    void suppressesNoise()
    {
        QFETCH(AudioProcessor::Backend, backend);
        if (skipIfMissing(backend))
            QSKIP("this build has no WebRTC audio processing");
        auto processor = make(backend);
        QVERIFY(processor);
        const double reduction = AudioMeasure::noiseReduction(m_scenario, *processor);
        qInfo("%s: noise %.1f dB lower in pauses", qPrintable(AudioProcessor::backendName(backend)),
              reduction);
        QVERIFY2(reduction >= 10.0, qPrintable(QString::number(reduction, 'f', 1)));
    }

    // A feature switched off is off: with everything off the microphone passes unchanged,
    // and echo cancellation off leaves the echo (the Devices menu relies on this).
    void featuresSwitchOff_data()
    {
        addBackends();
    }
    void featuresSwitchOff()
    {
        QFETCH(AudioProcessor::Backend, backend);
        if (skipIfMissing(backend))
            QSKIP("this build has no WebRTC audio processing");
        AudioProcessor::Features none;
        none.echoCancellation = none.noiseSuppression = none.automaticGain = none.highPassFilter =
            false;
        auto processor = make(backend, none);
        QVERIFY(processor);
        const std::vector<float> out = m_scenario.run(*processor, true, true, true, true);
        double diff = 0;
        for (size_t i = 0; i < out.size(); ++i) {
            const double in = std::clamp(
                std::lround(m_scenario.echo()[i] + m_scenario.nearEnd()[i] + m_scenario.noise()[i]),
                -32768L, 32767L);
            diff = std::max(diff, std::abs(in - out[i]));
        }
        QCOMPARE(diff, 0.0);

        // Switched at run time: on, then echo cancellation off.
        processor->setFeatures({});
        QVERIFY(AudioMeasure::erle(m_scenario, *processor) >= erleTarget(backend));
        AudioProcessor::Features noEcho;
        noEcho.echoCancellation = false;
        noEcho.noiseSuppression = false;
        processor->setFeatures(noEcho);
        QCOMPARE(processor->features(), noEcho);
        QVERIFY(AudioMeasure::erle(m_scenario, *processor) < 6.0);
    }

    // The high-pass filter takes out hum below the voice band and leaves the voice.
    void highPassFilter_data()
    {
        addBackends();
    }
    void highPassFilter()
    {
        QFETCH(AudioProcessor::Backend, backend);
        if (skipIfMissing(backend))
            QSKIP("this build has no WebRTC audio processing");
        AudioProcessor::Features onlyFilter;
        onlyFilter.echoCancellation = onlyFilter.noiseSuppression = onlyFilter.automaticGain =
            false;
        const auto gainDb = [&](double hz) {
            auto processor = make(backend, onlyFilter);
            const int frame = processor->frameSamples();
            std::vector<qint16> pcm(static_cast<size_t>(frame));
            double in = 0, out = 0;
            for (int f = 0; f < 100; ++f) {
                for (int i = 0; i < frame; ++i) {
                    const double t = double(f * frame + i) / processor->sampleRate();
                    pcm[size_t(i)] = qint16(8000 * std::sin(2 * 3.14159265358979323846 * hz * t));
                }
                if (f >= 50) // after the filter settles
                    for (qint16 v : pcm)
                        in += double(v) * v;
                processor->processNearEnd(pcm.data());
                if (f >= 50)
                    for (qint16 v : pcm)
                        out += double(v) * v;
            }
            return AudioScenario::ratioDb(out, in);
        };
        const double hum = gainDb(40);
        const double voice = gainDb(1000);
        qInfo("40 Hz %.1f dB, 1 kHz %.1f dB", hum, voice);
        QVERIFY(hum < -10);
        QVERIFY(std::abs(voice) < 1);
    }

    // The live microphone path: AudioPipeline runs the microphone through the processor
    // before encoding. Fan noise from a sound file, once processed and once not, side by
    // side in real time; the decoded packets of the processed one are much quieter.
    void pipelineProcessesMicrophone()
    {
        AudioScenario noisy;
        AudioScenario::Options options;
        options.sampleRate = VoiceEncoder::kSampleRate;
        options.seconds = 4;
        QVERIFY2(noisy.build(options, &m_scenarioError), qPrintable(m_scenarioError));
        QTemporaryDir dir;
        const QString wav = dir.filePath(QStringLiteral("noise.wav"));
        QVERIFY(writeWav(wav, noisy.noise(), options.sampleRate));

        struct Side
        {
            AudioPipeline pipeline;
            VoiceDecoder decoder;
            std::vector<float> decoded;
        };
        Side processed, unprocessed;
        for (Side *side : {&processed, &unprocessed}) {
            QVERIFY(side->decoder.open());
            connect(&side->pipeline, &AudioPipeline::packetReady, this,
                    [side](const QByteArray &packet) {
                        std::vector<qint16> pcm(size_t(VoiceEncoder::kFrameSamples));
                        if (side->decoder.decode(packet.mid(MediaPacketHeader::kSize), pcm.data()))
                            side->decoded.insert(side->decoded.end(), pcm.begin(), pcm.end());
                    });
            AudioPipeline::Config config;
            config.microphone = QStringLiteral("file:") + wav;
            config.processTestSources = true;
            if (side == &unprocessed)
                config.processing = {false, false, false, false};
            side->pipeline.start(config);
            side->pipeline.setSending(1, true);
        }
        QTRY_VERIFY_WITH_TIMEOUT(processed.decoded.size() >= size_t(3 * options.sampleRate) &&
                                     unprocessed.decoded.size() >= size_t(3 * options.sampleRate),
                                 10000);
        processed.pipeline.stop();
        unprocessed.pipeline.stop();
        // The last second, once the suppressor has learnt the noise.
        const size_t from = size_t(2 * options.sampleRate), to = size_t(3 * options.sampleRate);
        const double reduction =
            AudioScenario::ratioDb(AudioScenario::power(unprocessed.decoded, from, to),
                                   AudioScenario::power(processed.decoded, from, to));
        qInfo("pipeline: noise %.1f dB lower with processing", reduction);
        QVERIFY2(reduction >= 10.0, qPrintable(QString::number(reduction, 'f', 1)));
    }

    // The speaker ran for half a second before the microphone started (a call window opening
    // its devices one after the other): speexdsp's reference must not stay that far behind.
    void speexRealignsAfterFarEndRanAhead()
    {
        auto processor = make(AudioProcessor::Backend::Speex);
        std::vector<qint16> silence(size_t(processor->frameSamples()), 0);
        for (int i = 0; i < 50; ++i)
            processor->analyzeFarEnd(silence.data());
        const double erle = AudioMeasure::erle(m_scenario, *processor);
        qInfo("speexdsp after 500 ms ahead: ERLE %.1f dB", erle);
        QVERIFY2(erle >= erleTarget(AudioProcessor::Backend::Speex),
                 qPrintable(QString::number(erle, 'f', 1)));
    }

    // The far end without a microphone (or the other way round) neither grows memory nor
    // crashes: the pipeline may run one side before the other starts.
    void sidesOutOfStep_data()
    {
        addBackends();
    }
    void sidesOutOfStep()
    {
        QFETCH(AudioProcessor::Backend, backend);
        if (skipIfMissing(backend))
            QSKIP("this build has no WebRTC audio processing");
        auto processor = make(backend);
        std::vector<qint16> pcm(static_cast<size_t>(processor->frameSamples()), 1000);
        for (int i = 0; i < 1000; ++i)
            processor->analyzeFarEnd(pcm.data());
        for (int i = 0; i < 1000; ++i)
            processor->processNearEnd(pcm.data());
    }
};

QTEST_GUILESS_MAIN(TestAudioProcessor)
#include "tst_audioprocessor.moc"
