#pragma once

#include "media/testpatternsource.h"
#include "media/videosource.h"

#include <QElapsedTimer>
#include <QTimer>

// The test pattern as a camera: frames at a steady rate from a precise timer, numbered from
// 0, so tests and benchmarks can run a call with no camera attached.
class TestPatternCamera : public VideoSource
{
    Q_OBJECT
public:
    TestPatternCamera(int width, int height, int fps, QObject *parent = nullptr);

    void start() override;
    void stop() override;
    QString description() const override { return tr("Test pattern"); }

private:
    void tick();

    TestPatternSource m_pattern;
    QTimer m_timer{this}; // a child, so it moves with the object to its thread
    quint32 m_number = 0;
};
