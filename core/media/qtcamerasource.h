#pragma once

#include "media/videosource.h"

#include <QByteArray>
#include <QCamera>
#include <QMediaCaptureSession>
#include <QMediaDevices>
#include <QVideoSink>

#include <memory>

// A real camera through Qt Multimedia (QCamera into a QVideoSink). Asks for the mode
// nearest the call's size at its frame rate, converts each picture to BGR with OpenCV, and
// follows hot-plugging: it waits for a camera when none is attached and reports one that
// is unplugged while in use.
class QtCameraSource : public VideoSource
{
    Q_OBJECT
public:
    // An empty id means the system's default camera.
    QtCameraSource(const QByteArray &deviceId, int width, int height, int fps,
                   QObject *parent = nullptr);
    ~QtCameraSource() override;

    void start() override;
    void stop() override;
    QString description() const override;

private:
    bool open();
    void onFrame(const QVideoFrame &frame);
    void onDevicesChanged();

    QByteArray m_deviceId;
    QSize m_size;
    int m_fps;
    bool m_wanted = false; // start() was called and not stop()
    QCameraDevice m_device;
    QMediaDevices m_devices;
    std::unique_ptr<QCamera> m_camera;
    QMediaCaptureSession m_session;
    QVideoSink m_sink;
};
