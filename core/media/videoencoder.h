#pragma once

#include "media/videoframe.h"

#include <QByteArray>
#include <QString>

#include <memory>

// Compresses frames for the wire. Two codecs behind one interface (they are the two
// implementations): VP8 through libvpx in real-time mode, the default, and JPEG through
// Qt's image I/O as the fallback.
class VideoEncoder
{
public:
    struct Packet
    {
        QByteArray data;
        bool keyframe = false;
    };

    virtual ~VideoEncoder() = default;
    virtual bool open(int width, int height, int fps, int bitrateKbps, QString *error) = 0;
    // Empty data when the encoder produced nothing for this frame (or failed).
    virtual Packet encode(const VideoFrame &frame) = 0;
    // A new target, kbit/s, without reopening (VP8: the rate control's target; JPEG has
    // none: a no-op). The size is changed by opening again.
    virtual void setBitrate(int kbps) { Q_UNUSED(kbps); }
    virtual int width() const { return 0; }
    virtual int height() const { return 0; }
    // The next frame is sent whole (a receiver lost packets or just joined).
    virtual void requestKeyframe() = 0;
    virtual quint8 codecId() const = 0; // MediaPacketHeader::Codec

    static std::unique_ptr<VideoEncoder> createVp8();
    static std::unique_ptr<VideoEncoder> createJpeg(int quality = 75);
};
