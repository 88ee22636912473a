#include "rawwebsocket.h"

#include <QRandomGenerator>
#include <QTest>
#include <QTimer>
#include <QtEndian>

#ifdef Q_OS_UNIX
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

bool RawWebSocket::open(quint16 port, int receiveBuffer)
{
#ifdef Q_OS_UNIX
    if (receiveBuffer > 0) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, sizeof receiveBuffer);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
            ::close(fd);
            return false;
        }
        m_socket.setSocketDescriptor(fd);
    } else
#endif
    {
        Q_UNUSED(receiveBuffer)
        m_socket.connectToHost(QStringLiteral("127.0.0.1"), port);
        if (!m_socket.waitForConnected(5000))
            return false;
    }
    return upgrade();
}

bool RawWebSocket::upgrade()
{
    connect(&m_socket, &QTcpSocket::readyRead, this, &RawWebSocket::parse);
    m_socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                   "Sec-WebSocket-Version: 13\r\n\r\n");
    return QTest::qWaitFor([this] { return m_upgraded; }, 5000);
}

void RawWebSocket::sendFrame(quint8 opcode, const QByteArray &payload)
{
    QByteArray frame;
    frame.append(char(0x80 | opcode));
    if (payload.size() < 126) {
        frame.append(char(0x80 | payload.size()));
    } else if (payload.size() < 65536) {
        frame.append(char(0x80 | 126));
        char len[2];
        qToBigEndian<quint16>(quint16(payload.size()), len);
        frame.append(len, 2);
    } else {
        frame.append(char(0x80 | 127));
        char len[8];
        qToBigEndian<quint64>(quint64(payload.size()), len);
        frame.append(len, 8);
    }
    const quint32 maskValue = QRandomGenerator::global()->generate();
    char mask[4];
    memcpy(mask, &maskValue, 4);
    frame.append(mask, 4);
    const qsizetype start = frame.size();
    frame.append(payload);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame[start + i] = char(frame[start + i] ^ mask[i % 4]);
    m_socket.write(frame);
}

void RawWebSocket::stopReading()
{
    m_reading = false;
    m_socket.setReadBufferSize(1024);
}

void RawWebSocket::parse()
{
    if (!m_reading)
        return;
    m_buffer += m_socket.readAll();
    if (!m_upgraded) {
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        m_upgraded = m_buffer.startsWith("HTTP/1.1 101");
        m_buffer.remove(0, end + 4);
    }
    takeFrames();
}

void RawWebSocket::takeFrames()
{
    while (m_buffer.size() >= 2) {
        const quint8 opcode = quint8(m_buffer[0]) & 0x0F;
        quint64 length = quint8(m_buffer[1]) & 0x7F;
        qsizetype header = 2;
        if (length == 126) {
            if (m_buffer.size() < 4)
                return;
            length = qFromBigEndian<quint16>(m_buffer.constData() + 2);
            header = 4;
        } else if (length == 127) {
            if (m_buffer.size() < 10)
                return;
            length = qFromBigEndian<quint64>(m_buffer.constData() + 2);
            header = 10;
        }
        if (quint64(m_buffer.size() - header) < length)
            return;
        const QByteArray payload = m_buffer.mid(header, qsizetype(length));
        m_buffer.remove(0, header + qsizetype(length));
        m_frames.append(Frame{opcode, payload});
        if (opcode == 0x8 && m_closeCode < 0) {
            m_closeCode = payload.size() >= 2 ? qFromBigEndian<quint16>(payload.constData()) : 1005;
            m_closeReason = payload.mid(2);
        }
    }
}

bool RawWebSocket::waitForText(const QByteArray &needle, int timeoutMs)
{
    return QTest::qWaitFor(
        [&] {
            for (const Frame &f : m_frames) {
                if (f.opcode == 0x1 && f.payload.contains(needle))
                    return true;
            }
            return false;
        },
        timeoutMs);
}

bool RawWebSocket::waitForClose(int timeoutMs)
{
    return QTest::qWaitFor(
        [this] {
            return m_closeCode >= 0 || m_socket.state() == QAbstractSocket::UnconnectedState;
        },
        timeoutMs);
}

bool RawWebSocket::openFrom(const QHostAddress &source, const QHostAddress &server, quint16 port,
                            int receiveBuffer)
{
#ifdef Q_OS_UNIX
    const bool v6 = server.protocol() == QAbstractSocket::IPv6Protocol;
    const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    if (receiveBuffer > 0)
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, sizeof receiveBuffer);
    auto address = [v6](const QHostAddress &a, quint16 p, sockaddr_storage *out) {
        *out = sockaddr_storage{};
        if (v6) {
            auto *in6 = reinterpret_cast<sockaddr_in6 *>(out);
            in6->sin6_family = AF_INET6;
            in6->sin6_port = htons(p);
            const Q_IPV6ADDR ip = a.toIPv6Address();
            memcpy(&in6->sin6_addr, &ip, sizeof ip);
            return socklen_t(sizeof(sockaddr_in6));
        }
        auto *in4 = reinterpret_cast<sockaddr_in *>(out);
        in4->sin_family = AF_INET;
        in4->sin_port = htons(p);
        in4->sin_addr.s_addr = htonl(a.toIPv4Address());
        return socklen_t(sizeof(sockaddr_in));
    };
    sockaddr_storage local{};
    sockaddr_storage remote{};
    const socklen_t localSize = address(source, 0, &local);
    const socklen_t remoteSize = address(server, port, &remote);
    if (::bind(fd, reinterpret_cast<sockaddr *>(&local), localSize) != 0 ||
        ::connect(fd, reinterpret_cast<sockaddr *>(&remote), remoteSize) != 0) {
        ::close(fd);
        return false;
    }
    m_socket.setSocketDescriptor(fd);
    return upgrade();
#else
    Q_UNUSED(source)
    Q_UNUSED(server)
    Q_UNUSED(port)
    Q_UNUSED(receiveBuffer)
    return false;
#endif
}

void RawWebSocket::readPaced(qint64 bytesPerSecond, int intervalMs)
{
    m_reading = false; // parse() leaves the data to the timer
    const qint64 share = qMax<qint64>(1, bytesPerSecond * intervalMs / 1000);
    m_socket.setReadBufferSize(share);
    auto *timer = new QTimer(this);
    connect(timer, &QTimer::timeout, this, [this, share] {
        m_buffer += m_socket.read(share);
        takeFrames();
    });
    timer->start(intervalMs);
}

int RawWebSocket::countText(const QByteArray &needle) const
{
    int n = 0;
    for (const Frame &f : m_frames) {
        if (f.opcode == 0x1 && f.payload.contains(needle))
            ++n;
    }
    return n;
}
