#include "media/testpatternsource.h"

#include <opencv2/imgproc.hpp>

namespace {
constexpr int kBits = 24;
constexpr int kBlock = 16; // pixels; survives chroma subsampling and quantisation
} // namespace

TestPatternSource::TestPatternSource(int width, int height) : m_width(width), m_height(height) {}

VideoFrame TestPatternSource::frame(quint32 number, quint64 captureTimeUs) const
{
    VideoFrame f;
    f.captureTimeUs = captureTimeUs;
    f.image = cv::Mat(m_height, m_width, CV_8UC3);
    // A diagonal colour gradient that moves one step per frame, and a bouncing box.
    for (int y = 0; y < m_height; ++y) {
        auto *row = f.image.ptr<cv::Vec3b>(y);
        for (int x = 0; x < m_width; ++x)
            row[x] = cv::Vec3b(uchar((x + number) & 0xFF), uchar((y + 2 * number) & 0xFF),
                               uchar(((x + y) / 4) & 0xFF));
    }
    const int span = m_width - 120;
    const int bx = int(number * 7 % unsigned(2 * span));
    cv::rectangle(f.image, cv::Rect(bx < span ? bx : 2 * span - bx, m_height / 2 - 40, 80, 80),
                  cv::Scalar(40, 200, 240), cv::FILLED);
    // The frame number, most significant bit first, on a band of its own.
    cv::rectangle(f.image, cv::Rect(0, 0, m_width, 2 * kBlock), cv::Scalar(128, 128, 128),
                  cv::FILLED);
    for (int bit = 0; bit < kBits; ++bit) {
        const bool one = (number >> (kBits - 1 - bit)) & 1u;
        cv::rectangle(f.image, cv::Rect(8 + bit * kBlock, kBlock / 2, kBlock, kBlock),
                      one ? cv::Scalar(255, 255, 255) : cv::Scalar(0, 0, 0), cv::FILLED);
    }
    return f;
}

qint64 TestPatternSource::readNumber(const cv::Mat &image)
{
    if (image.empty() || image.cols < 8 + kBits * kBlock || image.rows < 2 * kBlock)
        return -1;
    cv::Mat gray;
    cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY);
    quint32 number = 0;
    for (int bit = 0; bit < kBits; ++bit) {
        // The middle of each block: edges blur in compression.
        const cv::Rect inner(8 + bit * kBlock + 4, kBlock / 2 + 4, kBlock - 8, kBlock - 8);
        const double mean = cv::mean(gray(inner))[0];
        if (mean > 100 && mean < 156)
            return -1; // neither black nor white: not one of our frames
        number = (number << 1) | (mean >= 128 ? 1u : 0u);
    }
    return number;
}
