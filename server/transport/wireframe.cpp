#include "wireframe.h"

#include <QtEndian>

namespace {

int headerSize(qsizetype size)
{
    return size < 126 ? 2 : size < 65536 ? 4 : 10;
}

void writeHeader(uchar *p, quint8 opcode, qsizetype size)
{
    p[0] = 0x80 | opcode; // FIN: the whole message in one frame
    if (size < 126) {
        p[1] = uchar(size);
    } else if (size < 65536) {
        p[1] = 126;
        qToBigEndian<quint16>(quint16(size), p + 2);
    } else {
        p[1] = 127;
        qToBigEndian<quint64>(quint64(size), p + 2);
    }
}

} // namespace

QByteArray WireFrame::frame(quint8 opcode, const QByteArray &payload)
{
    const qsizetype size = payload.size();
    const int header = headerSize(size);
    QByteArray out(header + size, Qt::Uninitialized);
    uchar *p = reinterpret_cast<uchar *>(out.data());
    writeHeader(p, opcode, size);
    memcpy(p + header, payload.constData(), size_t(size));
    return out;
}

QByteArray WireFrame::textHeader(qsizetype size)
{
    QByteArray out(headerSize(size), Qt::Uninitialized);
    writeHeader(reinterpret_cast<uchar *>(out.data()), 0x1, size);
    return out;
}

QByteArray WireFrame::close(quint16 code, const QByteArray &reason)
{
    QByteArray payload(2, Qt::Uninitialized);
    qToBigEndian<quint16>(code, reinterpret_cast<uchar *>(payload.data()));
    payload.append(reason.left(123)); // a control frame carries at most 125 bytes
    return frame(0x8, payload);
}
