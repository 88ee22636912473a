#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QTcpSocket>

// A bare RFC 6455 client over QTcpSocket for what QWebSocket will not do: send invalid UTF-8
// in a text frame, ignore pings, or stop reading altogether.
class RawWebSocket : public QObject
{
    Q_OBJECT
public:
    struct Frame
    {
        quint8 opcode;
        QByteArray payload;
    };

    // receiveBuffer > 0 shrinks the kernel receive buffer (set before connecting) so that a
    // client that stops reading backs up quickly.
    bool open(quint16 port, int receiveBuffer = 0);
    void sendFrame(quint8 opcode, const QByteArray &payload);
    void sendText(const QByteArray &utf8) { sendFrame(0x1, utf8); }
    // Stops taking data from the kernel: the server's writes to us start to queue.
    void stopReading();

    // Waits for a text frame containing `needle`.
    bool waitForText(const QByteArray &needle, int timeoutMs = 5000);
    // Waits for a close frame or the end of the connection; closeCode() tells which code came.
    bool waitForClose(int timeoutMs = 5000);
    int closeCode() const { return m_closeCode; }
    QByteArray closeReason() const { return m_closeReason; }
    QList<Frame> frames() const { return m_frames; }

private:
    void parse();

    QTcpSocket m_socket;
    QByteArray m_buffer;
    QList<Frame> m_frames;
    bool m_upgraded = false;
    bool m_reading = true;
    int m_closeCode = -1;
    QByteArray m_closeReason;
};
