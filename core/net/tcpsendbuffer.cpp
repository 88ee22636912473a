#include "net/tcpsendbuffer.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

#ifdef Q_OS_LINUX
#include <linux/tcp.h> // its tcp_info has tcpi_min_rtt, glibc's netinet/tcp.h does not
#include <netinet/in.h>
#include <sys/socket.h>
#endif

int TcpSendBuffer::sizeFor(int rateKbps, qint64 roundTripUs)
{
    if (roundTripUs <= 0 || rateKbps <= 0)
        return kMaxBytes;
    const double rtt = double(std::max(roundTripUs, kMinRoundTripUs)) / 1e6;
    const double bytes = double(rateKbps) * 1000 / 8 * rtt * kHeadroom;
    return int(std::clamp(bytes, double(kMinBytes), double(kMaxBytes)));
}

#ifdef Q_OS_LINUX
namespace {
// The kernel's view of the connection; false when it does not say. *length: how much of
// tcp_info this kernel filled.
bool readTcpInfo(int fd, tcp_info *info, socklen_t *length)
{
    *info = {};
    *length = sizeof *info;
    return fd >= 0 && ::getsockopt(fd, IPPROTO_TCP, TCP_INFO, info, length) == 0;
}
} // namespace
#endif

qint64 TcpSendBuffer::roundTripUs(int fd)
{
#ifdef Q_OS_LINUX
    tcp_info info;
    socklen_t length;
    if (!readTcpInfo(fd, &info, &length))
        return -1;
    // tcpi_min_rtt came with Linux 4.10; an older kernel fills less and leaves it 0.
    if (length > offsetof(tcp_info, tcpi_min_rtt) && info.tcpi_min_rtt > 0)
        return info.tcpi_min_rtt;
    return info.tcpi_rtt > 0 ? qint64(info.tcpi_rtt) : -1;
#else
    Q_UNUSED(fd);
    return -1;
#endif
}

bool TcpSendBuffer::recovering(int fd)
{
    return sample(fd).recovering;
}

TcpSendBuffer::PathSample TcpSendBuffer::sample(int fd)
{
    PathSample p;
#ifdef Q_OS_LINUX
    tcp_info info;
    socklen_t length;
    if (!readTcpInfo(fd, &info, &length))
        return p;
    p.valid = true;
    // TCP_CA_Recovery is 3, TCP_CA_Loss 4 (linux/tcp.h names them only inside the kernel).
    p.recovering = info.tcpi_retrans > 0 || info.tcpi_ca_state >= 3;
    p.rttUs = info.tcpi_rtt > 0 ? qint64(info.tcpi_rtt) : -1;
    // tcpi_bytes_acked came with Linux 4.1, tcpi_min_rtt with 4.10; an older kernel fills less
    // of the structure.
    if (length >= offsetof(tcp_info, tcpi_bytes_acked) + sizeof info.tcpi_bytes_acked)
        p.bytesAcked = info.tcpi_bytes_acked;
    if (length > offsetof(tcp_info, tcpi_min_rtt) && info.tcpi_min_rtt > 0)
        p.minRttUs = info.tcpi_min_rtt;
#else
    Q_UNUSED(fd);
#endif
    return p;
}

int TcpSendBuffer::update(int fd, int rateKbps)
{
    if (fd < 0 || rateKbps <= 0)
        return 0;
    const int size = sizeFor(rateKbps, roundTripUs(fd));
    if (m_applied > 0 && std::abs(size - m_applied) * 4 <= m_applied)
        return 0;
    return apply(fd, size) ? size : 0;
}

void TcpSendBuffer::release(int fd)
{
    if (fd >= 0 && m_applied > 0 && m_applied != kMaxBytes)
        apply(fd, kMaxBytes);
}

bool TcpSendBuffer::apply(int fd, int bytes)
{
#ifdef Q_OS_LINUX
    if (::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes) != 0)
        return false;
    m_applied = bytes;
    return true;
#else
    Q_UNUSED(fd);
    Q_UNUSED(bytes);
    return false;
#endif
}
