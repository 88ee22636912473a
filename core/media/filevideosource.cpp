#include "media/filevideosource.h"

#include "media/mediaclock.h"

#include <QFileInfo>

#include <opencv2/imgproc.hpp>

FileVideoSource::FileVideoSource(const QString &path, int width, int height, int fps,
                                 QObject *parent)
    : VideoSource(parent), m_path(path), m_size(width, height)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(1000 / qMax(1, fps));
    connect(&m_timer, &QTimer::timeout, this, &FileVideoSource::tick);
}

QString FileVideoSource::description() const
{
    return tr("Video file %1").arg(QFileInfo(m_path).fileName());
}

void FileVideoSource::start()
{
    if (!QFileInfo(m_path).isFile()) {
        emit failed(tr("The video file %1 does not exist.").arg(m_path));
        return;
    }
    try {
        m_capture.open(m_path.toStdString());
    } catch (const cv::Exception &) {
    }
    if (!m_capture.isOpened()) {
        emit failed(
            tr("The video file %1 cannot be read: not a video format OpenCV knows.").arg(m_path));
        return;
    }
    m_framesRead = 0;
    m_timer.start();
}

void FileVideoSource::stop()
{
    m_timer.stop();
    m_capture.release();
}

void FileVideoSource::tick()
{
    cv::Mat image;
    bool ok = false;
    try {
        ok = m_capture.read(image);
        if (!ok && m_framesRead > 0) { // the end: loop
            m_capture.set(cv::CAP_PROP_POS_FRAMES, 0);
            m_framesRead = 0;
            ok = m_capture.read(image);
        }
    } catch (const cv::Exception &) {
        ok = false;
    }
    if (!ok || image.empty()) {
        stop();
        emit failed(tr("The video file %1 has no readable frames.").arg(m_path));
        return;
    }
    ++m_framesRead;
    if (image.channels() == 1)
        cv::cvtColor(image, image, cv::COLOR_GRAY2BGR);
    else if (image.channels() == 4)
        cv::cvtColor(image, image, cv::COLOR_BGRA2BGR);
    VideoFrame frame;
    frame.captureTimeUs = mediaClockUs();
    if (image.size() != m_size)
        cv::resize(image, frame.image, m_size, 0, 0, cv::INTER_AREA);
    else
        frame.image = image;
    emit frameCaptured(frame);
}
