#include "protocol/filechunk.h"

#include <QtEndian>

QByteArray FileChunkHeader::serialize(QByteArrayView payload) const
{
    QByteArray out(kSize + payload.size(), Qt::Uninitialized);
    uchar *p = reinterpret_cast<uchar *>(out.data());
    p[0] = kKind;
    p[1] = p[2] = p[3] = 0;
    qToBigEndian<quint32>(transfer, p + 4);
    qToBigEndian<quint64>(offset, p + 8);
    if (!payload.isEmpty())
        memcpy(p + kSize, payload.data(), size_t(payload.size()));
    return out;
}

std::optional<FileChunkHeader> FileChunkHeader::parse(QByteArrayView message)
{
    if (message.size() < kSize)
        return std::nullopt;
    const uchar *p = reinterpret_cast<const uchar *>(message.data());
    if (p[0] != kKind || p[1] != 0 || p[2] != 0 || p[3] != 0)
        return std::nullopt;
    FileChunkHeader h;
    h.transfer = qFromBigEndian<quint32>(p + 4);
    h.offset = qFromBigEndian<quint64>(p + 8);
    if (h.offset > (quint64(1) << 53))
        return std::nullopt;
    return h;
}
