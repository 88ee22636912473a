#pragma once

#include <QImage>
#include <QMutex>

// A hand-over slot for pictures between the media thread and the GUI: the producer
// overwrites, the consumer takes the newest, so a busy window skips frames instead of
// falling behind. publish() says whether the consumer needs a nudge (the slot was empty).
class LatestFrame
{
public:
    bool publish(const QImage &image, quint64 captureTimeUs)
    {
        QMutexLocker lock(&m_mutex);
        const bool wasEmpty = m_image.isNull();
        m_image = image;
        m_captureTimeUs = captureTimeUs;
        return wasEmpty;
    }
    // A null image when nothing new arrived since the last take.
    QImage take(quint64 *captureTimeUs = nullptr)
    {
        QMutexLocker lock(&m_mutex);
        if (captureTimeUs)
            *captureTimeUs = m_captureTimeUs;
        return std::exchange(m_image, QImage());
    }

private:
    QMutex m_mutex;
    QImage m_image;
    quint64 m_captureTimeUs = 0;
};
