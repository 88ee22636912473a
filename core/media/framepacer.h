#pragma once

#include <QElapsedTimer>

// Frames of a fixed length that are due by the clock since start(). A source or sink paced
// by a QTimer asks for every due frame on each tick, so a timer that fires late (a busy
// thread, a coarse timer) delays frames but never slows the stream down.
class FramePacer
{
public:
    explicit FramePacer(int frameMs) : m_frameMs(frameMs) {}

    void start()
    {
        m_done = 0;
        m_clock.start();
    }
    // True, and the frame counted, while one more frame is due now.
    bool takeDue()
    {
        if (m_done >= m_clock.elapsed() / m_frameMs + 1)
            return false;
        ++m_done;
        return true;
    }

private:
    const int m_frameMs;
    QElapsedTimer m_clock;
    qint64 m_done = 0;
};
