#include "outqueue.h"

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#include <sys/uio.h>

#include <climits>
#endif

#include <algorithm>

namespace {
// A receiver's usual turn (an ack, a message or two). A queue that once held a busy
// turn gives its memory back: 10,000 idle connections must not each keep kilobytes.
constexpr size_t kKeptCapacity = 8;
} // namespace

void OutQueue::append(const QByteArray &frame)
{
    if (frame.isEmpty())
        return;
    m_frames.push_back(frame);
    m_bytes += frame.size();
}

void OutQueue::clear()
{
    if (m_frames.capacity() > kKeptCapacity)
        std::vector<QByteArray>().swap(m_frames);
    else
        m_frames.clear();
    m_head = 0;
    m_bytes = 0;
}

void OutQueue::popFront()
{
    m_bytes -= m_frames[m_head].size();
    m_frames[m_head] = QByteArray(); // the reference goes now, not when the queue empties
    if (++m_head == m_frames.size())
        clear();
}

qsizetype OutQueue::sendTo([[maybe_unused]] int fd) const
{
    qsizetype total = 0;
#ifdef Q_OS_UNIX
#ifdef IOV_MAX
    constexpr size_t kMaxIov = std::min<size_t>(IOV_MAX, 1024);
#else
    constexpr size_t kMaxIov = 16; // the least POSIX allows
#endif
    iovec iov[kMaxIov];
    for (size_t first = m_head; first < m_frames.size();) {
        const size_t count = std::min(kMaxIov, m_frames.size() - first);
        qsizetype chunk = 0;
        for (size_t i = 0; i < count; ++i) {
            const QByteArray &frame = m_frames[first + i];
            iov[i] = {const_cast<char *>(frame.constData()), size_t(frame.size())};
            chunk += frame.size();
        }
        msghdr msg{};
        msg.msg_iov = iov;
        msg.msg_iovlen = decltype(msg.msg_iovlen)(count);
        const ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n <= 0)
            break;
        total += n;
        if (n < chunk)
            break; // the kernel's buffer is full
        first += count;
    }
#endif
    return total;
}
