#pragma once

#include "media/videoframe.h"

#include <QObject>
#include <QString>

// Where the call's pictures come from: a camera through Qt Multimedia, the moving test
// pattern, or a video file through OpenCV (in a module loaded on demand). All three deliver BGR
// frames stamped with their capture time, on the thread the source lives in, so the pipeline does
// not care which one it has.
class VideoSource : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    // Starts delivering frames; failure is reported through failed().
    virtual void start() = 0;
    virtual void stop() = 0;
    // A short description for the device menu and logs ("Test pattern", the camera's name).
    virtual QString description() const = 0;

    // "test-pattern", "file:PATH", "camera:ID" (a QCameraDevice id) or "" / "camera" for the
    // system's default camera. nullptr and *error for an unknown kind.
    static VideoSource *create(const QString &spec, int width, int height, int fps, QString *error,
                               QObject *parent = nullptr);

signals:
    void frameCaptured(const VideoFrame &frame);
    // The source stopped for good; `message` says what the user can do about it.
    void failed(const QString &message);
};
Q_DECLARE_METATYPE(VideoFrame)
