#include "media/audiocapture.h"
#include "media/audioplayback.h"
#include "media/audiosource.h"
#include "media/mediaclock.h"
#include "media/voiceencoder.h"

#include "tonepower.h"
#include <QAudioDevice>
#include <QDir>
#include <QElapsedTimer>
#include <QMediaDevices>
#include <QProcess>

#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <cmath>
#include <memory>

// Real audio I/O: the call's speaker and microphone classes against a PulseAudio daemon of
// the test's own, whose only devices are a null sink and a source fed by the sink's monitor.
// What the speaker plays into the sink comes back out of that source, so the microphone must
// hear the tone. Last, the daemon is killed under both, as when a sound server crashes.
namespace {
const QByteArray kSinkName = "confab_test";
// Qt 6.4 leaves PulseAudio's monitor sources out of QMediaDevices::audioInputs(), so the
// microphone cannot be pointed at "confab_test.monitor" itself: a remap source on top of it
// is an ordinary source with the monitor's audio.
const QByteArray kMicName = "confab_test_mic";

// A clear 440 Hz tone: far above 700 Hz, and loud (a sine of amplitude A over N samples has
// a Goertzel power of about (A N / 2)^2; the tone is sent at about 9800).
bool hasTone(const QByteArray &pcm)
{
    const double n = double(pcm.size() / 2);
    const double loud = (1000 * n / 2) * (1000 * n / 2);
    const double p440 = tonePower(pcm, 440);
    return p440 > loud && p440 > 100 * tonePower(pcm, 700);
}

QAudioDevice findDevice(const QList<QAudioDevice> &devices, const QByteArray &id)
{
    for (const QAudioDevice &d : devices) {
        if (d.id() == id)
            return d;
    }
    return {};
}

// The far end: a 440 Hz tone, Opus-encoded, pushed into the playback every 20 ms (as many
// frames as the clock says are due, so a late timer does not slow it down).
class ToneSender : public QObject
{
public:
    explicit ToneSender(AudioPlayback *playback) : m_playback(playback)
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(20);
        connect(&m_timer, &QTimer::timeout, this, &ToneSender::tick);
    }
    bool start(QString *error)
    {
        if (!m_encoder.open(24000, 10, error))
            return false;
        m_clock.start();
        tick();
        m_timer.start();
        return true;
    }
    void stop() { m_timer.stop(); }

private:
    void tick()
    {
        const qint64 due = m_clock.elapsed() / 20 + 1;
        while (m_sequence < due) {
            qint16 pcm[AudioSource::kFrameSamples];
            m_tone->read(pcm);
            m_playback->push(quint32(m_sequence++), mediaClockUs(), m_encoder.encode(pcm));
        }
    }

    AudioPlayback *m_playback;
    std::unique_ptr<AudioSource> m_tone = AudioSource::tone(440);
    VoiceEncoder m_encoder;
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_sequence = 0;
};

QString firstMessage(const QSignalSpy &spy)
{
    return spy.isEmpty() ? QString() : spy.first().first().toString();
}
} // namespace

class TestAudioDevices : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_runtime;
    QProcess m_daemon;

    // pactl against the test's daemon; the output, or a null QByteArray on failure.
    static QByteArray pactl(const QStringList &args)
    {
        QProcess p;
        p.start(QStringLiteral("pactl"), args);
        if (!p.waitForFinished(10000) || p.exitStatus() != QProcess::NormalExit ||
            p.exitCode() != 0)
            return {};
        QByteArray out = p.readAllStandardOutput();
        if (out.isNull())
            out = QByteArray(""); // succeeded with no output: empty, not null
        return out;
    }
    // The indexes of the streams of one kind ("sink-inputs", "source-outputs") that clients
    // have open now. The remap source's own stream on the monitor belongs to no client.
    static QList<int> clientStreams(const QString &kind)
    {
        QList<int> streams;
        const QByteArray out = pactl({QStringLiteral("list"), QStringLiteral("short"), kind});
        for (const QByteArray &line : out.split('\n')) {
            const QList<QByteArray> fields = line.split('\t');
            if (fields.size() > 2 && fields.at(2) != "-")
                streams.append(fields.at(0).toInt());
        }
        return streams;
    }
    static int streamCount(const QString &kind) { return int(clientStreams(kind).size()); }
    QString daemonLog() { return QString::fromLocal8Bit(m_daemon.readAllStandardError()); }

private slots:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("pulseaudio")).isEmpty())
            QSKIP("The pulseaudio binary is not installed (Debian: apt install pulseaudio); "
                  "real audio devices cannot be tested without it.");
        if (QStandardPaths::findExecutable(QStringLiteral("pactl")).isEmpty())
            QSKIP("pactl is not installed (Debian: apt install pulseaudio-utils).");
        QVERIFY(m_runtime.isValid());

        // A private server: its socket, cookie and state under the temporary directory, and
        // every client of this process (Qt Multimedia, pactl) pointed at it. This must
        // happen before the first Qt Multimedia use: Qt connects to the server only once.
        const QString home = m_runtime.filePath(QStringLiteral("home"));
        const QString runtime = m_runtime.filePath(QStringLiteral("pulse"));
        QVERIFY(QDir().mkpath(home));
        qputenv("XDG_RUNTIME_DIR", QFile::encodeName(m_runtime.path()));
        qputenv("PULSE_RUNTIME_PATH", QFile::encodeName(runtime));
        qputenv("HOME", QFile::encodeName(home));
        qputenv("PULSE_SERVER", "unix:" + QFile::encodeName(runtime) + "/native");
        qunsetenv("PULSE_SINK");
        qunsetenv("PULSE_SOURCE");

        // --system=no: as root pulseaudio would otherwise assume a system-wide instance.
        // -n: no default script, only the modules given here.
        m_daemon.setProgram(QStringLiteral("pulseaudio"));
        m_daemon.setArguments({
            QStringLiteral("--daemonize=no"),
            QStringLiteral("--system=no"),
            QStringLiteral("--exit-idle-time=-1"),
            QStringLiteral("--disallow-exit"),
            QStringLiteral("--log-target=stderr"),
            QStringLiteral("-n"),
            QStringLiteral("--load=module-native-protocol-unix auth-anonymous=1"),
            QStringLiteral("--load=module-null-sink sink_name=") + QString::fromLatin1(kSinkName) +
                QStringLiteral(" sink_properties=device.description=Confab-Test-Sink"),
            QStringLiteral("--load=module-remap-source source_name=") +
                QString::fromLatin1(kMicName) + QStringLiteral(" master=") +
                QString::fromLatin1(kSinkName) +
                QStringLiteral(".monitor source_properties=device.description=Confab-Test-Mic"),
        });
        m_daemon.start();
        QVERIFY2(m_daemon.waitForStarted(), qPrintable(m_daemon.errorString()));
        const bool up = QTest::qWaitFor(
            [this] {
                return m_daemon.state() != QProcess::Running ||
                       !pactl({QStringLiteral("info")}).isNull();
            },
            20000);
        QVERIFY2(up && m_daemon.state() == QProcess::Running,
                 qPrintable(QStringLiteral("pulseaudio did not come up:\n") + daemonLog()));
    }

    void cleanupTestCase()
    {
        if (m_daemon.state() == QProcess::NotRunning)
            return;
        m_daemon.terminate();
        if (!m_daemon.waitForFinished(10000)) {
            m_daemon.kill();
            m_daemon.waitForFinished(10000);
        }
    }

    void nullSinkIsListed()
    {
        QTRY_VERIFY(!findDevice(QMediaDevices::audioOutputs(), kSinkName).isNull());
        QTRY_VERIFY(!findDevice(QMediaDevices::audioInputs(), kMicName).isNull());
        const QAudioDevice sink = findDevice(QMediaDevices::audioOutputs(), kSinkName);
        QCOMPARE(sink.mode(), QAudioDevice::Output);
        QCOMPARE(sink.description(), QStringLiteral("Confab-Test-Sink"));
        const QAudioDevice mic = findDevice(QMediaDevices::audioInputs(), kMicName);
        QCOMPARE(mic.mode(), QAudioDevice::Input);
        QCOMPARE(mic.description(), QStringLiteral("Confab-Test-Mic"));
        // The only sink there is, so the default one.
        QCOMPARE(QMediaDevices::defaultAudioOutput().id(), kSinkName);
    }

    void playbackPlaysIntoTheSink()
    {
        const QAudioDevice sink = findDevice(QMediaDevices::audioOutputs(), kSinkName);
        QVERIFY(!sink.isNull());
        int realFrames = 0;
        QByteArray played; // the decoded frames, as the sink got them
        QString error;
        std::unique_ptr<AudioPlayback> playback(AudioPlayback::create(
            QStringLiteral("speaker:") + QString::fromLatin1(kSinkName), &error));
        QVERIFY2(playback, qPrintable(error));
        QSignalSpy failed(playback.get(), &AudioPlayback::failed);
        connect(playback.get(), &AudioPlayback::framePlayed, playback.get(),
                [&](const QByteArray &pcm, qint64 latencyUs) {
                    QCOMPARE(pcm.size(), AudioSource::kFrameSamples * 2);
                    if (latencyUs >= 0) {
                        ++realFrames;
                        played += pcm;
                    }
                });

        playback->start();
        QVERIFY2(failed.isEmpty(), qPrintable(firstMessage(failed)));
        QCOMPARE(playback->description(), sink.description());
        ToneSender sender(playback.get());
        QVERIFY2(sender.start(&error), qPrintable(error));

        // Only the sink's pulls play frames in this mode (there is no pacing timer): real
        // frames mean the QAudioSink is running against the server.
        QTRY_VERIFY_WITH_TIMEOUT(realFrames >= 25, 15000);
        QVERIFY2(failed.isEmpty(), qPrintable(firstMessage(failed)));
        QCOMPARE(streamCount(QStringLiteral("sink-inputs")), 1);
        QVERIFY(hasTone(played.right(10 * AudioSource::kFrameSamples * 2)));
        QVERIFY(playback->stats().lastLatencyUs >= 0);

        // stop() releases the device at once: the stream leaves the server.
        sender.stop();
        playback->stop();
        QTRY_COMPARE(streamCount(QStringLiteral("sink-inputs")), 0);
    }

    void captureHearsWhatIsPlayed()
    {
        const QAudioDevice mic = findDevice(QMediaDevices::audioInputs(), kMicName);
        QVERIFY(!mic.isNull());
        QList<QByteArray> frames;
        bool heard = false;
        QString error;
        std::unique_ptr<AudioCapture> capture(
            AudioCapture::create(QStringLiteral("mic:") + QString::fromLatin1(kMicName), &error));
        QVERIFY2(capture, qPrintable(error));
        QSignalSpy captureFailed(capture.get(), &AudioCapture::failed);
        connect(capture.get(), &AudioCapture::frameCaptured, capture.get(),
                [&](const QByteArray &pcm, quint64 captureTimeUs) {
                    QCOMPARE(pcm.size(), AudioSource::kFrameSamples * 2);
                    QVERIFY(captureTimeUs > 0);
                    frames.append(pcm);
                    if (frames.size() >= 10) { // the last 200 ms
                        QByteArray window;
                        for (qsizetype i = frames.size() - 10; i < frames.size(); ++i)
                            window += frames.at(i);
                        heard = heard || hasTone(window);
                    }
                });

        capture->start();
        QVERIFY2(captureFailed.isEmpty(), qPrintable(firstMessage(captureFailed)));
        QCOMPARE(capture->description(), mic.description());
        // Nothing plays yet: the microphone hears the null sink's silence.
        QTRY_VERIFY_WITH_TIMEOUT(frames.size() >= 10, 15000);
        QVERIFY(!heard);
        QCOMPARE(streamCount(QStringLiteral("source-outputs")), 1);

        // The speaker plays the tone into the sink; the microphone records it off its monitor.
        std::unique_ptr<AudioPlayback> playback(AudioPlayback::create(
            QStringLiteral("speaker:") + QString::fromLatin1(kSinkName), &error));
        QVERIFY2(playback, qPrintable(error));
        QSignalSpy playbackFailed(playback.get(), &AudioPlayback::failed);
        playback->start();
        ToneSender sender(playback.get());
        QVERIFY2(sender.start(&error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(heard || !captureFailed.isEmpty() || !playbackFailed.isEmpty(),
                                 20000);
        QVERIFY2(captureFailed.isEmpty(), qPrintable(firstMessage(captureFailed)));
        QVERIFY2(playbackFailed.isEmpty(), qPrintable(firstMessage(playbackFailed)));
        QVERIFY(heard);

        sender.stop();
        playback->stop();
        capture->stop();
        QTRY_COMPARE(streamCount(QStringLiteral("source-outputs")), 0);
        QTRY_COMPARE(streamCount(QStringLiteral("sink-inputs")), 0);
    }

    void missingMicrophoneFails()
    {
        QString error;
        std::unique_ptr<AudioCapture> capture(
            AudioCapture::create(QStringLiteral("mic:does-not-exist"), &error));
        QVERIFY2(capture, qPrintable(error));
        QSignalSpy failed(capture.get(), &AudioCapture::failed);
        QSignalSpy captured(capture.get(), &AudioCapture::frameCaptured);
        capture->start();
        QTRY_COMPARE(failed.count(), 1);
        const QString message = failed.first().first().toString();
        QVERIFY2(message.contains(QLatin1String("microphone is not connected")),
                 qPrintable(message));
        QCOMPARE(captured.count(), 0);
        QCOMPARE(streamCount(QStringLiteral("source-outputs")), 0);
    }

    void missingSpeakerPlaysIntoNothing()
    {
        QString error;
        std::unique_ptr<AudioPlayback> playback(
            AudioPlayback::create(QStringLiteral("speaker:does-not-exist"), &error));
        QVERIFY2(playback, qPrintable(error));
        QSignalSpy failed(playback.get(), &AudioPlayback::failed);
        QSignalSpy played(playback.get(), &AudioPlayback::framePlayed);
        playback->start();
        QTRY_COMPARE(failed.count(), 1);
        QVERIFY2(failed.first().at(0).toString().contains(
                     QLatin1String("chosen speaker is not connected")),
                 qPrintable(failed.first().at(0).toString()));
        QTRY_VERIFY_WITH_TIMEOUT(played.count() >= 10, 10000);
        QCOMPARE(playback->description(), QStringLiteral("No sound output"));
        QCOMPARE(streamCount(QStringLiteral("sink-inputs")), 0);
        playback->stop();
    }

    // The sound server goes away during a call (it crashed, or was restarted): both devices
    // tell the user, and the speaker goes on at the frame pace, into nothing. Last: it ends
    // the daemon.
    void serverGoneIsReported()
    {
        int realFrames = 0;
        QString error;
        std::unique_ptr<AudioPlayback> playback(AudioPlayback::create(
            QStringLiteral("speaker:") + QString::fromLatin1(kSinkName), &error));
        QVERIFY2(playback, qPrintable(error));
        std::unique_ptr<AudioCapture> capture(
            AudioCapture::create(QStringLiteral("mic:") + QString::fromLatin1(kMicName), &error));
        QVERIFY2(capture, qPrintable(error));
        QSignalSpy playbackFailed(playback.get(), &AudioPlayback::failed);
        QSignalSpy captureFailed(capture.get(), &AudioCapture::failed);
        QSignalSpy played(playback.get(), &AudioPlayback::framePlayed);
        QSignalSpy captured(capture.get(), &AudioCapture::frameCaptured);
        playback->start();
        capture->start();
        ToneSender sender(playback.get());
        QVERIFY2(sender.start(&error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(played.count() >= 10 && captured.count() >= 10, 15000);
        QVERIFY2(playbackFailed.isEmpty(), qPrintable(firstMessage(playbackFailed)));
        QVERIFY2(captureFailed.isEmpty(), qPrintable(firstMessage(captureFailed)));

        m_daemon.kill();
        QVERIFY(m_daemon.waitForFinished(10000));
        QTRY_COMPARE_WITH_TIMEOUT(captureFailed.count(), 1, 15000);
        QString message = firstMessage(captureFailed);
        QVERIFY2(message.contains(QLatin1String("Confab-Test-Mic")) &&
                     message.contains(QLatin1String("stopped working")),
                 qPrintable(message));
        QTRY_COMPARE_WITH_TIMEOUT(playbackFailed.count(), 1, 15000);
        message = firstMessage(playbackFailed);
        QVERIFY2(message.contains(QLatin1String("Confab-Test-Sink")) &&
                     message.contains(QLatin1String("stopped working")),
                 qPrintable(message));
        QCOMPARE(playback->description(), QStringLiteral("No sound output"));
        // The tone still arrives and is decoded, played into nothing at the frame pace.
        connect(playback.get(), &AudioPlayback::framePlayed, playback.get(),
                [&](const QByteArray &, qint64 latencyUs) { realFrames += latencyUs >= 0; });
        QTRY_VERIFY_WITH_TIMEOUT(realFrames >= 10, 15000);
        QCOMPARE(playbackFailed.count(), 1);
        QCOMPARE(captureFailed.count(), 1);
    }
};

QTEST_GUILESS_MAIN(TestAudioDevices)
#include "tst_audiodevices.moc"
