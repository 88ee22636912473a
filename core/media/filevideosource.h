#pragma once

#include "media/videosource.h"

#include <QTimer>

struct ConfabVideoFile;
struct VideoFileApi;

// A video file as a camera: played at the call's frame rate, scaled to the call's size, and
// started over at the end. The file is read through OpenCV's videoio in the module
// confab_videofile (media/videofile), loaded when the first file is started, so the client
// does not load ffmpeg and GStreamer at every start.
class FileVideoSource : public VideoSource
{
    Q_OBJECT
public:
    FileVideoSource(const QString &path, int width, int height, int fps, QObject *parent = nullptr);
    ~FileVideoSource() override;

    void start() override;
    void stop() override;
    QString description() const override;

    // Where the module is looked for, in order: $CONFAB_VIDEOFILE_MODULE alone when set (a
    // file), else next to the program, the bundle's PlugIns (macOS), the installed lib
    // folder (relative to the program, then as configured), and the system's library path.
    static QStringList moduleCandidates();

private:
    void tick();

    QString m_path;
    cv::Size m_size;
    QTimer m_timer{this}; // a child, so it moves with the object to its thread
    const VideoFileApi *m_api = nullptr;
    ConfabVideoFile *m_file = nullptr;
    int m_framesRead = 0;
};
