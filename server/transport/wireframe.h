#pragma once

#include <QByteArray>

// A complete, unmasked server-to-client WebSocket frame (RFC 6455, section 5.2). The server
// builds it once per message and writes the same bytes to every receiver's TCP socket, so
// fan-out costs one buffer append per receiver and no per-receiver encoding.
class WireFrame
{
public:
    static QByteArray text(const QByteArray &utf8) { return frame(0x1, utf8); }
    static QByteArray binary(const QByteArray &data) { return frame(0x2, data); }
    // The header of a text frame only; the caller writes the `size` bytes of payload after it.
    static QByteArray textHeader(qsizetype size);
    // A close frame: the 2-byte code and up to 123 bytes of reason.
    static QByteArray close(quint16 code, const QByteArray &reason);

private:
    static QByteArray frame(quint8 opcode, const QByteArray &payload);
};
