#pragma once

#include "media/videoframe.h"

// The camera when there is none: a moving picture that carries its frame number as a row
// of black and white blocks, readable after lossy compression, so tests and the call window
// can check which frame arrived (and how late).
class TestPatternSource
{
public:
    TestPatternSource(int width = 640, int height = 480);

    VideoFrame frame(quint32 number, quint64 captureTimeUs) const;
    // The number written into a frame by frame(), or -1 when it cannot be read.
    static qint64 readNumber(const cv::Mat &image);

private:
    int m_width;
    int m_height;
};
