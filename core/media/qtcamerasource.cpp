#include "media/qtcamerasource.h"

#include "media/cameramode.h"
#include "media/devicechoice.h"
#include "media/mediaclock.h"

#include <QImage>
#include <QVideoFrame>

#include <opencv2/imgproc.hpp>

QtCameraSource::QtCameraSource(const QByteArray &deviceId, int width, int height, int fps,
                               QObject *parent)
    : VideoSource(parent), m_deviceId(deviceId), m_size(width, height), m_fps(fps)
{
    m_session.setVideoOutput(&m_sink);
    connect(&m_sink, &QVideoSink::videoFrameChanged, this, &QtCameraSource::onFrame);
    connect(&m_devices, &QMediaDevices::videoInputsChanged, this,
            &QtCameraSource::onDevicesChanged);
}

QtCameraSource::~QtCameraSource()
{
    stop();
}

QString QtCameraSource::description() const
{
    return m_device.isNull() ? tr("Camera") : m_device.description();
}

void QtCameraSource::start()
{
    m_wanted = true;
    if (!open())
        emit failed(m_deviceId.isEmpty()
                        ? tr("No camera found. Plug one in (the call picks it up), or "
                             "continue with audio only.")
                        : tr("The chosen camera is not connected. Choose another one in "
                             "the call window's device menu."));
}

void QtCameraSource::stop()
{
    m_wanted = false;
    if (m_camera) {
        m_camera->stop(); // releases the device at once, not when the call object goes
        m_session.setCamera(nullptr);
        m_camera.reset();
    }
}

bool QtCameraSource::open()
{
    m_device =
        chooseDevice(QMediaDevices::videoInputs(), m_deviceId, QMediaDevices::defaultVideoInput());
    if (m_device.isNull())
        return false;

    m_camera = std::make_unique<QCamera>(m_device);
    const QList<QCameraFormat> formats = m_device.videoFormats();
    QList<CameraMode> modes;
    for (const QCameraFormat &f : formats)
        modes.append({f.resolution(), f.maxFrameRate()});
    const int chosen = chooseCameraMode(modes, m_size, float(m_fps));
    if (chosen >= 0)
        m_camera->setCameraFormat(formats.at(chosen));
    // Queued: stop() deletes the camera, which must not happen inside its own signal.
    connect(
        m_camera.get(), &QCamera::errorOccurred, this,
        [this](QCamera::Error error, const QString &text) {
            if (error == QCamera::NoError || !m_camera)
                return;
            stop();
            emit failed(tr("The camera cannot be used: %1. It may be busy in another "
                           "program, or access to it was refused in the system's privacy "
                           "settings.")
                            .arg(text));
        },
        Qt::QueuedConnection);
    m_session.setCamera(m_camera.get());
    m_camera->start();
    return true;
}

void QtCameraSource::onFrame(const QVideoFrame &frame)
{
    if (!frame.isValid())
        return;
    QImage image = frame.toImage().convertToFormat(QImage::Format_BGR888);
    if (image.isNull())
        return;
    const cv::Mat wrapped(image.height(), image.width(), CV_8UC3, image.bits(),
                          size_t(image.bytesPerLine()));
    VideoFrame out;
    out.captureTimeUs = mediaClockUs();
    if (wrapped.cols != m_size.width() || wrapped.rows != m_size.height())
        cv::resize(wrapped, out.image, cv::Size(m_size.width(), m_size.height()), 0, 0,
                   cv::INTER_AREA);
    else
        out.image = wrapped.clone();
    emit frameCaptured(out);
}

void QtCameraSource::onDevicesChanged()
{
    if (!m_wanted)
        return;
    const QList<QCameraDevice> cameras = QMediaDevices::videoInputs();
    if (m_camera && !cameras.contains(m_device)) {
        m_camera->stop();
        m_session.setCamera(nullptr);
        m_camera.reset();
        emit failed(tr("The camera %1 was unplugged.").arg(m_device.description()));
        m_wanted = true; // take the next camera that appears
        return;
    }
    if (!m_camera && open())
        return;
}
