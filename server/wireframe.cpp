#include "wireframe.h"

#include <QtEndian>

QByteArray WireFrame::frame(quint8 opcode, const QByteArray &payload)
{
    const qsizetype size = payload.size();
    const int header = size < 126 ? 2 : size < 65536 ? 4 : 10;
    QByteArray out(header + size, Qt::Uninitialized);
    uchar *p = reinterpret_cast<uchar *>(out.data());
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
    memcpy(p + header, payload.constData(), size_t(size));
    return out;
}
