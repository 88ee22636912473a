// JPEG through OpenCV: every frame stands alone (no keyframes needed), at a higher bit rate.
#include "media/videodecoder.h"
#include "media/videoencoder.h"
#include "protocol/mediapacketheader.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <vector>

namespace {

class JpegEncoder : public VideoEncoder
{
public:
    explicit JpegEncoder(int quality) : m_quality(quality) {}

    bool open(int width, int height, int, int, QString *) override
    {
        m_size = cv::Size(width, height);
        return true;
    }
    Packet encode(const VideoFrame &frame) override
    {
        Packet out;
        if (frame.isNull())
            return out;
        cv::Mat image = frame.image;
        if (image.size() != m_size)
            cv::resize(frame.image, image, m_size, 0, 0, cv::INTER_AREA);
        std::vector<uchar> buffer;
        if (!cv::imencode(".jpg", image, buffer, {cv::IMWRITE_JPEG_QUALITY, m_quality}))
            return out;
        out.data =
            QByteArray(reinterpret_cast<const char *>(buffer.data()), qsizetype(buffer.size()));
        out.keyframe = true;
        return out;
    }
    void requestKeyframe() override {}
    quint8 codecId() const override { return MediaPacketHeader::Jpeg; }

private:
    int m_quality;
    cv::Size m_size;
};

class JpegDecoder : public VideoDecoder
{
public:
    VideoFrame decode(const QByteArray &packet) override
    {
        VideoFrame frame;
        if (packet.isEmpty())
            return frame;
        const cv::Mat bytes(1, int(packet.size()), CV_8UC1, const_cast<char *>(packet.constData()));
        try {
            frame.image = cv::imdecode(bytes, cv::IMREAD_COLOR);
        } catch (const std::exception &) { // cv::Exception, bad_alloc
            frame.image.release();         // broken data: a null frame, not a crash
        }
        // A peer cannot make the window show (and scale) a giant picture.
        if (frame.image.cols > 1920 || frame.image.rows > 1088)
            frame.image.release();
        return frame;
    }
};

} // namespace

std::unique_ptr<VideoEncoder> VideoEncoder::createJpeg(int quality)
{
    return std::make_unique<JpegEncoder>(quality);
}

std::unique_ptr<VideoDecoder> createJpegDecoder()
{
    return std::make_unique<JpegDecoder>();
}
