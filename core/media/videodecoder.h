#pragma once

#include "media/videoframe.h"

#include <QByteArray>

#include <memory>

// Turns VideoEncoder's packets back into BGR frames.
class VideoDecoder
{
public:
    virtual ~VideoDecoder() = default;
    // A null frame for a broken packet, or a VP8 delta frame before its keyframe.
    virtual VideoFrame decode(const QByteArray &packet) = 0;

    static std::unique_ptr<VideoDecoder> create(quint8 codecId);
};
