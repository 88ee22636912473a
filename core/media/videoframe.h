#pragma once

#include <opencv2/core.hpp>

#include <QtGlobal>

// One picture on its way through the pipeline: BGR, 8 bits per channel (OpenCV's layout),
// with the sender's capture time.
struct VideoFrame
{
    cv::Mat image; // CV_8UC3
    quint64 captureTimeUs = 0;
    bool isNull() const { return image.empty(); }
};
