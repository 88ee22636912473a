#include "media/videodecoder.h"

#include "protocol/mediapacketheader.h"

std::unique_ptr<VideoDecoder> createVp8Decoder();  // vp8codec.cpp
std::unique_ptr<VideoDecoder> createJpegDecoder(); // jpegcodec.cpp

std::unique_ptr<VideoDecoder> VideoDecoder::create(quint8 codecId)
{
    switch (codecId) {
    case MediaPacketHeader::Vp8:
        return createVp8Decoder();
    case MediaPacketHeader::Jpeg:
        return createJpegDecoder();
    default:
        return nullptr;
    }
}
