// JPEG through Qt's image I/O (its jpeg plugin, loaded on first use): every frame stands alone
// (no keyframes needed), at a higher bit rate.
#include "media/videodecoder.h"
#include "media/videoencoder.h"
#include "protocol/mediapacketheader.h"

#include <QBuffer>
#include <QImage>
#include <QImageReader>
#include <QImageWriter>

#include <opencv2/imgproc.hpp>

namespace {

// The largest picture a peer may send (1080p, in whole 16-px macroblocks).
constexpr int maxWidth = 1920;
constexpr int maxHeight = 1088;

const QByteArray jpegFormat = QByteArrayLiteral("jpeg");

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
        // BGR to RGB in a buffer kept between frames (with the scaling, when needed): Qt's
        // writer copies RGB888 rows as they are, but converts any other layout row by row.
        if (frame.image.size() != m_size) {
            cv::resize(frame.image, m_scaled, m_size, 0, 0, cv::INTER_AREA);
            cv::cvtColor(m_scaled, m_rgb, cv::COLOR_BGR2RGB);
        } else {
            cv::cvtColor(frame.image, m_rgb, cv::COLOR_BGR2RGB);
        }
        const QImage image(m_rgb.data, m_rgb.cols, m_rgb.rows, qsizetype(m_rgb.step[0]),
                           QImage::Format_RGB888); // a view, no copy
        QBuffer buffer(&out.data);
        buffer.open(QIODevice::WriteOnly);
        QImageWriter writer(&buffer, jpegFormat);
        writer.setQuality(m_quality);
        if (!writer.write(image)) {
            out.data.clear();
            return out;
        }
        out.keyframe = true;
        return out;
    }
    void requestKeyframe() override {}
    quint8 codecId() const override { return MediaPacketHeader::Jpeg; }
    int width() const override { return m_size.width; }
    int height() const override { return m_size.height; }

private:
    int m_quality;
    cv::Size m_size;
    cv::Mat m_scaled;
    cv::Mat m_rgb;
};

// A decoded QImage as a BGR cv::Mat (one pass, into the Mat's own memory).
cv::Mat toBgr(QImage image)
{
    if (image.format() != QImage::Format_RGB32 && image.format() != QImage::Format_ARGB32)
        image.convertTo(QImage::Format_RGB32); // grayscale JPEGs
    const cv::Mat argb(image.height(), image.width(), CV_8UC4,
                       const_cast<uchar *>(image.constBits()), size_t(image.bytesPerLine()));
    cv::Mat bgr(image.height(), image.width(), CV_8UC3);
#if Q_BYTE_ORDER == Q_LITTLE_ENDIAN
    cv::cvtColor(argb, bgr, cv::COLOR_BGRA2BGR); // 0xAARRGGBB is B, G, R, A in memory
#else
    const int fromTo[] = {3, 0, 2, 1, 1, 2}; // A, R, G, B in memory
    cv::mixChannels(&argb, 1, &bgr, 1, fromTo, 3);
#endif
    return bgr;
}

class JpegDecoder : public VideoDecoder
{
public:
    VideoFrame decode(const QByteArray &packet) override
    {
        VideoFrame frame;
        // Not even the start-of-image marker: nothing for the JPEG reader (which would log).
        if (packet.size() < 4 || quint8(packet[0]) != 0xFF || quint8(packet[1]) != 0xD8)
            return frame;
        QBuffer buffer;
        buffer.setData(packet); // shares the bytes
        buffer.open(QIODevice::ReadOnly);
        // Only the JPEG reader sees a peer's bytes: no guessing the format from the content,
        // and no EXIF rotation (which would swap the checked width and height).
        QImageReader reader(&buffer, jpegFormat);
        reader.setAutoDetectImageFormat(false);
        reader.setAutoTransform(false);
        // A peer cannot make the window show (and scale) a giant picture, nor make us
        // allocate one: the size in the header is checked before anything is decoded.
        const QSize size = reader.size();
        if (!size.isValid() || size.width() > maxWidth || size.height() > maxHeight)
            return frame;
        QImage image;
        if (!reader.read(&image) || image.isNull() || image.size() != size)
            return frame; // broken data: a null frame
        try {
            frame.image = toBgr(std::move(image));
        } catch (const std::exception &) { // cv::Exception, bad_alloc
            frame.image.release();
        }
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
