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
    // How many frames are due now, counted as done. Read once per tick: a loop that asked
    // the clock again after each frame would never end if a frame took longer than its length.
    qint64 takeDue()
    {
        const qint64 due = m_clock.elapsed() / m_frameMs + 1 - m_done;
        if (due <= 0)
            return 0;
        m_done += due;
        return due;
    }

private:
    const int m_frameMs;
    QElapsedTimer m_clock;
    qint64 m_done = 0;
};
