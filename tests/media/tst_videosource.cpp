#include "media/cameramode.h"
#include "media/filevideosource.h"
#include "media/testpatterncamera.h"
#include "media/testpatternsource.h"
#include "media/videosource.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <memory>
#include <vector>

Q_DECLARE_METATYPE(QList<CameraMode>)

namespace {
// What a source delivered: each frame's size and test-pattern number (-1 when unreadable).
struct Received
{
    std::vector<qint64> numbers;
    std::vector<QSize> sizes;
    void attach(VideoSource *source)
    {
        QObject::connect(source, &VideoSource::frameCaptured, source,
                         [this](const VideoFrame &frame) {
                             sizes.emplace_back(frame.image.cols, frame.image.rows);
                             numbers.push_back(TestPatternSource::readNumber(frame.image));
                         });
    }
};

QString firstMessage(const QSignalSpy &spy)
{
    return spy.isEmpty() ? QString() : spy.first().first().toString();
}

QString numbersText(const std::vector<qint64> &numbers)
{
    QStringList parts;
    for (qint64 n : numbers)
        parts << QString::number(n);
    return parts.join(QLatin1Char(' '));
}
} // namespace

class TestVideoSource : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QByteArray m_module; // $CONFAB_VIDEOFILE_MODULE, restored after each test

    // An MJPG AVI of test-pattern frames `first`..`last`, drawn at 640x480 and stored at
    // `size`, written with OpenCV's own writer. Empty when the writer cannot be used.
    QString writeVideo(const QString &name, quint32 first, quint32 last, cv::Size size)
    {
        const QString path = m_dir.filePath(name);
        cv::VideoWriter writer(path.toStdString(), cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 30,
                               size);
        if (!writer.isOpened())
            return {};
        const TestPatternSource pattern(640, 480);
        for (quint32 n = first; n <= last; ++n) {
            cv::Mat image = pattern.frame(n, 0).image;
            if (image.size() != size)
                cv::resize(image, image, size, 0, 0, cv::INTER_AREA);
            writer.write(image);
        }
        writer.release();
        return path;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        qRegisterMetaType<VideoFrame>();
        // The video file module (ctest sets it; this is for a run by hand).
        if (!qEnvironmentVariableIsSet("CONFAB_VIDEOFILE_MODULE"))
            qputenv("CONFAB_VIDEOFILE_MODULE", CONFAB_VIDEOFILE_MODULE_PATH);
        m_module = qgetenv("CONFAB_VIDEOFILE_MODULE");
    }
    void cleanup() { qputenv("CONFAB_VIDEOFILE_MODULE", m_module); }

    void testPatternCameraCountsFromZero()
    {
        QString error;
        std::unique_ptr<VideoSource> source(
            VideoSource::create(QStringLiteral("test-pattern"), 640, 480, 30, &error));
        QVERIFY2(source, qPrintable(error));
        QVERIFY(qobject_cast<TestPatternCamera *>(source.get()));
        QCOMPARE(source->description(), QStringLiteral("Test pattern"));
        QSignalSpy failed(source.get(), &VideoSource::failed);
        Received received;
        received.attach(source.get());

        source->start();
        QTRY_VERIFY_WITH_TIMEOUT(received.numbers.size() >= 10, 10000);
        source->stop();
        for (size_t i = 0; i < received.numbers.size(); ++i) {
            QVERIFY2(received.numbers[i] == qint64(i), qPrintable(numbersText(received.numbers)));
            QCOMPARE(received.sizes[i], QSize(640, 480));
        }
        QCOMPARE(failed.count(), 0);
    }

    // These two run before any file is played: once loaded, the module stays for the process.
    void missingModuleIsReported()
    {
        const QString path = writeVideo(QStringLiteral("nomodule.avi"), 1, 3, {640, 480});
        QVERIFY2(!path.isEmpty(), "OpenCV cannot write an MJPG AVI here");
        const QString module = m_dir.filePath(QStringLiteral("nowhere/confab_videofile.so"));
        qputenv("CONFAB_VIDEOFILE_MODULE", QFile::encodeName(module));
        QCOMPARE(FileVideoSource::moduleCandidates(), QStringList{module});
        FileVideoSource source(path, 640, 480, 30);
        QSignalSpy failed(&source, &VideoSource::failed);
        Received received;
        received.attach(&source);
        source.start();
        QTRY_COMPARE(failed.count(), 1);
        const QString message = firstMessage(failed);
        QVERIFY2(message.contains(path) && message.contains(QLatin1String("video file module")) &&
                     message.contains(QLatin1String("was not found in")) &&
                     message.contains(
                         QDir::toNativeSeparators(m_dir.filePath(QStringLiteral("nowhere")))),
                 qPrintable(message));
#if defined(Q_OS_LINUX)
        // What to do about it: the module is a package of its own there.
        QVERIFY2(message.contains(QLatin1String("confab-videofile")), qPrintable(message));
#endif
        QTest::qWait(100); // the timer would have ticked by now
        QVERIFY(received.numbers.empty());
    }

    void brokenModuleIsReported()
    {
        const QString path = writeVideo(QStringLiteral("badmodule.avi"), 1, 3, {640, 480});
        QVERIFY2(!path.isEmpty(), "OpenCV cannot write an MJPG AVI here");
        // A file with the module's name that is no library at all.
        const QString module = m_dir.filePath(QStringLiteral("confab_videofile.so"));
        QFile file(module);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not a shared library");
        file.close();
        qputenv("CONFAB_VIDEOFILE_MODULE", QFile::encodeName(module));
        FileVideoSource source(path, 640, 480, 30);
        QSignalSpy failed(&source, &VideoSource::failed);
        source.start();
        QTRY_COMPARE(failed.count(), 1);
        const QString message = firstMessage(failed);
        QVERIFY2(message.contains(path) && message.contains(QLatin1String("cannot be loaded")) &&
                     message.contains(QFileInfo(module).fileName()),
                 qPrintable(message));
    }

    void fileIsPlayedInOrderAndLooped()
    {
        const QString path = writeVideo(QStringLiteral("pattern.avi"), 100, 129, {640, 480});
        QVERIFY2(!path.isEmpty(), "OpenCV cannot write an MJPG AVI here");
        QString error;
        std::unique_ptr<VideoSource> source(
            VideoSource::create(QStringLiteral("file:") + path, 640, 480, 30, &error));
        QVERIFY2(source, qPrintable(error));
        QVERIFY(qobject_cast<FileVideoSource *>(source.get()));
        QCOMPARE(source->description(), QStringLiteral("Video file pattern.avi"));
        QSignalSpy failed(source.get(), &VideoSource::failed);
        Received received;
        received.attach(source.get());

        // Once through (100..129) and well into the second round.
        source->start();
        QTRY_VERIFY_WITH_TIMEOUT(received.numbers.size() >= 40 || !failed.isEmpty(), 20000);
        source->stop();
        QVERIFY2(failed.isEmpty(), qPrintable(firstMessage(failed)));
        for (size_t i = 0; i < received.numbers.size(); ++i) {
            QVERIFY2(received.numbers[i] == qint64(100 + i % 30),
                     qPrintable(numbersText(received.numbers)));
            QCOMPARE(received.sizes[i], QSize(640, 480));
        }
    }

    void smallerFileIsScaledToTheCallSize()
    {
        const QString path = writeVideo(QStringLiteral("small.avi"), 7, 12, {320, 240});
        QVERIFY2(!path.isEmpty(), "OpenCV cannot write an MJPG AVI here");
        FileVideoSource source(path, 640, 480, 30);
        QSignalSpy failed(&source, &VideoSource::failed);
        Received received;
        received.attach(&source);

        source.start();
        QTRY_VERIFY_WITH_TIMEOUT(received.numbers.size() >= 6 || !failed.isEmpty(), 20000);
        source.stop();
        QVERIFY2(failed.isEmpty(), qPrintable(firstMessage(failed)));
        for (size_t i = 0; i < received.sizes.size(); ++i)
            QCOMPARE(received.sizes[i], QSize(640, 480));
        // Scaled down for the file and up again by the source, the numbers still read.
        for (size_t i = 0; i < 6; ++i)
            QVERIFY2(received.numbers[i] == qint64(7 + i),
                     qPrintable(numbersText(received.numbers)));
    }

    void missingFileFails()
    {
        const QString path = m_dir.filePath(QStringLiteral("missing.avi"));
        FileVideoSource source(path, 640, 480, 30);
        QSignalSpy failed(&source, &VideoSource::failed);
        Received received;
        received.attach(&source);
        source.start();
        QTRY_COMPARE(failed.count(), 1);
        const QString message = failed.first().first().toString();
        QVERIFY2(message.contains(path) && message.contains(QLatin1String("does not exist")),
                 qPrintable(message));
        QVERIFY(received.numbers.empty());
    }

    void fileThatIsNoVideoFails()
    {
        // Random bytes (seeded: the same bytes every run) with a video file's name.
        QByteArray noise(256 * 1024, Qt::Uninitialized);
        QRandomGenerator random(20240611);
        random.fillRange(reinterpret_cast<quint32 *>(noise.data()), noise.size() / 4);
        const QString path = m_dir.filePath(QStringLiteral("noise.avi"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QCOMPARE(file.write(noise), noise.size());
        file.close();

        FileVideoSource source(path, 640, 480, 30);
        QSignalSpy failed(&source, &VideoSource::failed);
        Received received;
        received.attach(&source);
        source.start();
        // OpenCV refuses it when opening, or (had a demuxer taken it) on the first read.
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 20000);
        const QString message = failed.first().first().toString();
        QVERIFY2(message.contains(path), qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("cannot be read")) ||
                     message.contains(QLatin1String("no readable frames")),
                 qPrintable(message));
        QVERIFY(received.numbers.empty());
    }

    void unknownSpecIsRefused_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::newRow("unknown kind") << QStringLiteral("webcam:0");
        QTest::newRow("file without path") << QStringLiteral("file:");
        QTest::newRow("camera without id") << QStringLiteral("camera:");
        QTest::newRow("test pattern typo") << QStringLiteral("testpattern");
    }
    void unknownSpecIsRefused()
    {
        QFETCH(QString, spec);
        QString error;
        QCOMPARE(VideoSource::create(spec, 640, 480, 30, &error), nullptr);
        QVERIFY2(error.contains(QLatin1String("Unknown camera")) && error.contains(spec),
                 qPrintable(error));
        // No error pointer: still nullptr, no crash.
        QCOMPARE(VideoSource::create(spec, 640, 480, 30, nullptr), nullptr);
    }

    void cameraModeIsChosen_data()
    {
        QTest::addColumn<QList<CameraMode>>("modes");
        QTest::addColumn<float>("fps");
        QTest::addColumn<int>("expected");
        auto mode = [](int w, int h, float fps) {
            return CameraMode{QSize(w, h), fps};
        };

        QTest::newRow("exact 640x480@30 preferred")
            << QList<CameraMode>{mode(320, 240, 30), mode(1280, 720, 30), mode(640, 480, 30),
                                 mode(1280, 960, 30), mode(1920, 1080, 30)}
            << 30.f << 2;
        QTest::newRow("exact size at a higher rate still fits")
            << QList<CameraMode>{mode(1280, 720, 30), mode(640, 480, 60)} << 30.f << 1;
        QTest::newRow("nearest size when absent")
            << QList<CameraMode>{mode(320, 240, 30), mode(800, 600, 30), mode(1920, 1080, 30)}
            << 30.f << 1;
        QTest::newRow("larger wins at equal distance")
            << QList<CameraMode>{mode(320, 240, 30), mode(1280, 960, 30)} << 30.f << 1;
        QTest::newRow("matching aspect wins at equal area")
            << QList<CameraMode>{mode(960, 500, 30), mode(800, 600, 30)} << 30.f << 1;
        QTest::newRow("modes below the rate skipped")
            << QList<CameraMode>{mode(640, 480, 15), mode(1280, 720, 30)} << 30.f << 1;
        QTest::newRow("29.97 counts as 30")
            << QList<CameraMode>{mode(1280, 720, 30), mode(640, 480, 29.97f)} << 30.f << 1;
        QTest::newRow("none reaches the rate: the fastest")
            << QList<CameraMode>{mode(640, 480, 10), mode(1280, 720, 15), mode(320, 240, 15)}
            << 30.f << 1;
        QTest::newRow("none reaches the rate: nearest among the fastest")
            << QList<CameraMode>{mode(1920, 1080, 15), mode(640, 480, 15), mode(320, 240, 5)}
            << 30.f << 1;
        QTest::newRow("empty resolution ignored")
            << QList<CameraMode>{mode(0, 0, 30), mode(320, 240, 30)} << 30.f << 1;
        QTest::newRow("single mode") << QList<CameraMode>{mode(160, 120, 5)} << 30.f << 0;
        QTest::newRow("empty list") << QList<CameraMode>{} << 30.f << -1;
    }
    void cameraModeIsChosen()
    {
        QFETCH(QList<CameraMode>, modes);
        QFETCH(float, fps);
        QFETCH(int, expected);
        QCOMPARE(chooseCameraMode(modes, QSize(640, 480), fps), expected);
    }
};

QTEST_GUILESS_MAIN(TestVideoSource)
#include "tst_videosource.moc"
