#include "media/testpatterncamera.h"

#include "media/mediaclock.h"

TestPatternCamera::TestPatternCamera(int width, int height, int fps, QObject *parent)
    : VideoSource(parent), m_pattern(width, height)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(1000 / qMax(1, fps));
    connect(&m_timer, &QTimer::timeout, this, &TestPatternCamera::tick);
}

void TestPatternCamera::start()
{
    m_timer.start();
}

void TestPatternCamera::stop()
{
    m_timer.stop();
}

void TestPatternCamera::tick()
{
    emit frameCaptured(m_pattern.frame(m_number++, mediaClockUs()));
}
