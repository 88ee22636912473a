#include "media/filevideosource.h"

#include "media/mediaclock.h"
#include "media/videofile/confab_videofile.h"
#include "settings/modulepaths.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLibrary>
#include <QMutex>

#include <opencv2/imgproc.hpp>

#include <memory>

// From core/CMakeLists.txt: the module's file name and where the packages install it.
#ifndef CONFAB_VIDEOFILE_FILE_NAME
#error "CONFAB_VIDEOFILE_FILE_NAME is set by core/CMakeLists.txt"
#endif

// The module's functions, resolved once per process. The library stays loaded until the
// process ends (unloading OpenCV's ffmpeg and GStreamer is not safe).
struct VideoFileApi
{
    ConfabVideoFileOpenFn open = nullptr;
    ConfabVideoFileReadFn read = nullptr;
    ConfabVideoFileRewindFn rewind = nullptr;
    ConfabVideoFileCloseFn close = nullptr;
    ConfabVideoFileLastErrorFn lastError = nullptr;
};

namespace {

QString moduleError(const VideoFileApi *api)
{
    return QString::fromUtf8(api->lastError()).trimmed();
}

// The module from the first candidate that loads and is of this ABI; nullptr and *error
// otherwise. Failures are not remembered: a later start looks again.
const VideoFileApi *loadVideoFileApi(QString *error)
{
    static QMutex mutex;
    static const VideoFileApi *loaded = nullptr;
    const QMutexLocker lock(&mutex);
    if (loaded)
        return loaded;

    QStringList problems; // modules found but not usable
    QStringList looked;   // folders without one
    for (const QString &candidate : FileVideoSource::moduleCandidates()) {
        const QFileInfo info(candidate);
        const bool bareName = candidate == QLatin1String(CONFAB_VIDEOFILE_FILE_NAME);
        if (!bareName && !info.exists()) {
            looked << QDir::toNativeSeparators(info.absolutePath());
            continue;
        }
        QLibrary library(candidate);
        if (!library.load()) {
            if (bareName) // the system's search path: only "not found" in all likelihood
                looked << QCoreApplication::translate("FileVideoSource", "the library path");
            else
                problems << library.errorString();
            continue;
        }
        const auto abi =
            reinterpret_cast<ConfabVideoFileAbiFn>(library.resolve("confab_videofile_abi"));
        auto api = std::make_unique<VideoFileApi>();
        api->open =
            reinterpret_cast<ConfabVideoFileOpenFn>(library.resolve("confab_videofile_open"));
        api->read =
            reinterpret_cast<ConfabVideoFileReadFn>(library.resolve("confab_videofile_read"));
        api->rewind =
            reinterpret_cast<ConfabVideoFileRewindFn>(library.resolve("confab_videofile_rewind"));
        api->close =
            reinterpret_cast<ConfabVideoFileCloseFn>(library.resolve("confab_videofile_close"));
        api->lastError = reinterpret_cast<ConfabVideoFileLastErrorFn>(
            library.resolve("confab_videofile_last_error"));
        if (!abi || abi() != CONFAB_VIDEOFILE_ABI || !api->open || !api->read || !api->rewind ||
            !api->close || !api->lastError) {
            problems << QCoreApplication::translate("FileVideoSource",
                                                    "%1 is not a module of this version")
                            .arg(QDir::toNativeSeparators(library.fileName()));
            library.unload();
            continue;
        }
        loaded = api.release();
        return loaded;
    }
    if (error) {
        *error = problems.isEmpty()
                     ? QCoreApplication::translate("FileVideoSource", "%1 was not found in %2")
                           .arg(QStringLiteral(CONFAB_VIDEOFILE_FILE_NAME),
                                looked.join(QStringLiteral(", ")))
                     : problems.join(QStringLiteral("; "));
    }
    return nullptr;
}

} // namespace

QStringList FileVideoSource::moduleCandidates()
{
    return ModulePaths::candidates(QStringLiteral(CONFAB_VIDEOFILE_FILE_NAME),
                                   "CONFAB_VIDEOFILE_MODULE");
}

FileVideoSource::FileVideoSource(const QString &path, int width, int height, int fps,
                                 QObject *parent)
    : VideoSource(parent), m_path(path), m_size(width, height)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(1000 / qMax(1, fps));
    connect(&m_timer, &QTimer::timeout, this, &FileVideoSource::tick);
}

FileVideoSource::~FileVideoSource()
{
    stop();
}

QString FileVideoSource::description() const
{
    return tr("Video file %1").arg(QFileInfo(m_path).fileName());
}

void FileVideoSource::start()
{
    stop();
    if (!QFileInfo(m_path).isFile()) {
        emit failed(tr("The video file %1 does not exist.").arg(m_path));
        return;
    }
    QString why;
    m_api = loadVideoFileApi(&why);
    if (!m_api) {
#if defined(Q_OS_LINUX)
        // The Linux packages ship the module apart (confab-videofile): OpenCV videoio brings
        // ffmpeg and GStreamer, some 250 packages that chat-only installs need not carry.
        const QString remedy = tr("Install the confab-videofile package to play video files "
                                  "as a camera.");
#else
        const QString remedy = tr("Reinstalling Confab should bring it back.");
#endif
        emit failed(tr("The video file %1 cannot be played: Confab's video file module is "
                       "missing or cannot be loaded (%2). %3")
                        .arg(m_path, why, remedy));
        return;
    }
    m_file = m_api->open(m_path.toUtf8().constData());
    if (!m_file) {
        emit failed(tr("The video file %1 cannot be read: %2.").arg(m_path, moduleError(m_api)));
        return;
    }
    m_framesRead = 0;
    m_timer.start();
}

void FileVideoSource::stop()
{
    m_timer.stop();
    if (m_file) {
        m_api->close(m_file);
        m_file = nullptr;
    }
}

void FileVideoSource::tick()
{
    if (!m_file)
        return;
    ConfabVideoFrame picture{};
    int result = m_api->read(m_file, &picture);
    if (result == 0 && m_framesRead > 0) { // the end: loop
        m_framesRead = 0;
        if (m_api->rewind(m_file))
            result = m_api->read(m_file, &picture);
    }
    if (result != 1) {
        const QString why = moduleError(m_api);
        stop();
        emit failed(why.isEmpty()
                        ? tr("The video file %1 has no readable frames.").arg(m_path)
                        : tr("The video file %1 has no readable frames: %2.").arg(m_path, why));
        return;
    }
    ++m_framesRead;
    // The module's picture lives until its next read: scaled or copied into our own.
    const cv::Mat image(picture.height, picture.width, CV_8UC3,
                        const_cast<unsigned char *>(picture.data), picture.step);
    VideoFrame frame;
    frame.captureTimeUs = mediaClockUs();
    if (image.size() != m_size)
        cv::resize(image, frame.image, m_size, 0, 0, cv::INTER_AREA);
    else
        frame.image = image.clone();
    emit frameCaptured(frame);
}
