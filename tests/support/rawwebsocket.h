#pragma once

#include <QByteArray>
#include <QHostAddress>
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

    // Like open(), from the local address `source` (e.g. 127.0.0.2: the whole 127/8 is
    // loopback, so one test can be several users' addresses) to `server` (127.0.0.1 or ::1).
    bool openFrom(const QHostAddress &source, const QHostAddress &server, quint16 port,
                  int receiveBuffer = 0);
    // Reads at most bytesPerSecond (a share every intervalMs) instead of all that arrives, like
    // a user on a slow downlink: Qt holds no more than one share, the kernel the rest.
    void readPaced(qint64 bytesPerSecond, int intervalMs = 100);
    // Text frames received so far that contain `needle`.
    int countText(const QByteArray &needle) const;
    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }

private:
    void parse();
    bool upgrade();
    void takeFrames();

    QTcpSocket m_socket;
    QByteArray m_buffer;
    QList<Frame> m_frames;
    bool m_upgraded = false;
    bool m_reading = true;
    int m_closeCode = -1;
    QByteArray m_closeReason;
};
