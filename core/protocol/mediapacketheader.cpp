#include "protocol/mediapacketheader.h"

#include <QtEndian>

QByteArray MediaPacketHeader::serialize(QByteArrayView payload) const
{
    QByteArray out(kSize + payload.size(), Qt::Uninitialized);
    uchar *p = reinterpret_cast<uchar *>(out.data());
    p[0] = version;
    p[1] = kind;
    p[2] = codec;
    p[3] = flags;
    qToBigEndian<quint32>(callId, p + 4);
    qToBigEndian<quint32>(sequence, p + 8);
    qToBigEndian<quint64>(captureTimeUs, p + 12);
    if (!payload.isEmpty())
        memcpy(p + kSize, payload.data(), size_t(payload.size()));
    return out;
}

std::optional<MediaPacketHeader> MediaPacketHeader::parse(QByteArrayView packet)
{
    if (packet.size() < kSize)
        return std::nullopt;
    const uchar *p = reinterpret_cast<const uchar *>(packet.data());
    MediaPacketHeader h;
    h.version = p[0];
    h.kind = p[1];
    h.codec = p[2];
    h.flags = p[3];
    h.callId = qFromBigEndian<quint32>(p + 4);
    h.sequence = qFromBigEndian<quint32>(p + 8);
    h.captureTimeUs = qFromBigEndian<quint64>(p + 12);
    if (h.version != kVersion)
        return std::nullopt;
    if (h.kind != Audio && h.kind != Video)
        return std::nullopt;
    if (h.codec != Opus && h.codec != Vp8 && h.codec != Jpeg)
        return std::nullopt;
    return h;
}
