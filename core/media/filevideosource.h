#pragma once

#include "media/videosource.h"

#include <QTimer>

#include <opencv2/videoio.hpp>

// A video file as a camera (OpenCV VideoCapture): played at the call's frame rate, scaled
// to the call's size, and started over at the end.
class FileVideoSource : public VideoSource
{
    Q_OBJECT
public:
    FileVideoSource(const QString &path, int width, int height, int fps, QObject *parent = nullptr);

    void start() override;
    void stop() override;
    QString description() const override;

private:
    void tick();

    QString m_path;
    cv::Size m_size;
    cv::VideoCapture m_capture;
    QTimer m_timer{this}; // a child, so it moves with the object to its thread
    int m_framesRead = 0;
};
