#include "media/audiocapture.h"
#include "media/audioplayback.h"
#include "media/qtcamerasource.h"
#include "media/videosource.h"

#include <QMediaDevices>
#include <QSignalSpy>
#include <QTest>

#include <memory>

// A machine with no sound server and no camera: every device says so in words the user can
// act on, and the speaker keeps its pace by playing into nothing. The PulseAudio client is
// pointed at a socket that does not exist (ctest sets PULSE_SERVER, and main() sets it again
// for runs by hand), so a sound server running on the machine does not change the outcome.
class TestNoDevices : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY2(QMediaDevices::audioInputs().isEmpty(), "an audio server was reached");
        QVERIFY2(QMediaDevices::audioOutputs().isEmpty(), "an audio server was reached");
    }

    void defaultMicrophoneIsMissing()
    {
        QString error;
        std::unique_ptr<AudioCapture> capture(AudioCapture::create(QString(), &error));
        QVERIFY2(capture, qPrintable(error));
        QSignalSpy failed(capture.get(), &AudioCapture::failed);
        QSignalSpy captured(capture.get(), &AudioCapture::frameCaptured);
        capture->start();
        QTRY_COMPARE(failed.count(), 1);
        const QString message = failed.first().first().toString();
        QVERIFY2(message.startsWith(QLatin1String("No microphone found.")), qPrintable(message));
        QCOMPARE(capture->description(), QStringLiteral("Microphone"));
        QCOMPARE(captured.count(), 0);
    }

    void defaultSpeakerIsMissingButPlayoutGoesOn()
    {
        QString error;
        std::unique_ptr<AudioPlayback> playback(AudioPlayback::create(QString(), &error));
        QVERIFY2(playback, qPrintable(error));
        QSignalSpy failed(playback.get(), &AudioPlayback::failed);
        QSignalSpy played(playback.get(), &AudioPlayback::framePlayed);
        playback->start();
        QTRY_COMPARE(failed.count(), 1);
        const QString message = failed.first().first().toString();
        QVERIFY2(message.startsWith(QLatin1String("No speaker or headphones found")),
                 qPrintable(message));
        QCOMPARE(playback->description(), QStringLiteral("No sound output"));

        // It plays into nothing at the frame pace: silence (nothing was pushed), whole frames.
        QTRY_VERIFY_WITH_TIMEOUT(played.count() >= 10, 10000);
        for (const QList<QVariant> &args : std::as_const(played)) {
            const QByteArray pcm = args.at(0).toByteArray();
            QCOMPARE(pcm.size(), AudioSource::kFrameSamples * 2);
            QCOMPARE(pcm, QByteArray(pcm.size(), '\0'));
            QCOMPARE(args.at(1).toLongLong(), -1);
        }
        QCOMPARE(failed.count(), 1);
        playback->stop();
    }

    void defaultCameraIsMissing()
    {
        if (!QMediaDevices::videoInputs().isEmpty())
            QSKIP("This machine has a camera; the test needs one without.");
        QString error;
        std::unique_ptr<VideoSource> camera(VideoSource::create(QString(), 640, 480, 30, &error));
        QVERIFY2(camera, qPrintable(error));
        QVERIFY(qobject_cast<QtCameraSource *>(camera.get()));
        QSignalSpy failed(camera.get(), &VideoSource::failed);
        QSignalSpy captured(camera.get(), &VideoSource::frameCaptured);
        camera->start();
        QTRY_COMPARE(failed.count(), 1);
        const QString message = failed.first().first().toString();
        QVERIFY2(message.startsWith(QLatin1String("No camera found.")), qPrintable(message));
        QCOMPARE(camera->description(), QStringLiteral("Camera"));
        QCOMPARE(captured.count(), 0);
        camera->stop();
    }

    void chosenCameraIsMissing()
    {
        if (!QMediaDevices::videoInputs().isEmpty())
            QSKIP("This machine has a camera; the test needs one without.");
        QString error;
        std::unique_ptr<VideoSource> camera(
            VideoSource::create(QStringLiteral("camera:/dev/video7"), 640, 480, 30, &error));
        QVERIFY2(camera, qPrintable(error));
        QSignalSpy failed(camera.get(), &VideoSource::failed);
        camera->start();
        QTRY_COMPARE(failed.count(), 1);
        const QString message = failed.first().first().toString();
        QVERIFY2(message.contains(QLatin1String("not connected")), qPrintable(message));
    }
};

int main(int argc, char *argv[])
{
    // Before QCoreApplication and before any Qt Multimedia use: the audio engine connects once.
    qputenv("PULSE_SERVER", "unix:/nonexistent/confab-no-pulse/native");
    QCoreApplication app(argc, argv);
    qRegisterMetaType<VideoFrame>();
    TestNoDevices test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_nodevices.moc"
