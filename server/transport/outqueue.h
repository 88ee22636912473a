#pragma once

#include <QByteArray>

#include <vector>

// The whole frames waiting for one receiver, in order, until the kernel takes them.
//
// It keeps references, not copies: QByteArray is implicitly shared, so relaying one frame to
// a room of n members costs n reference counts instead of n copies, and the frames go to the
// kernel from where they are with one sendmsg. Copying each frame into a buffer per receiver
// cost a fifth of the server's time in page faults (docs/benchmarks.md, run a), and handing
// whole bursts to QTcpSocket's own buffer (which copies) made one burst cost 23 MB per slow
// receiver (issue: hardening). So only the rest of a frame the kernel took part of ever goes
// to Qt's buffer; everything else waits here, counted against the receiver's bound.
class OutQueue
{
public:
    bool isEmpty() const { return m_head == m_frames.size(); }
    qsizetype bytes() const { return m_bytes; }
    qsizetype frames() const { return qsizetype(m_frames.size() - m_head); }

    void append(const QByteArray &frame);
    void clear();

    // Writes what the kernel takes now, without blocking, to the stream socket fd; returns
    // how many bytes that was (0 on any error: the socket reports it itself). Unix only.
    qsizetype sendTo(int fd) const;

    // Drops the first `written` bytes: whole frames leave the queue, and the rest of a frame
    // the kernel took only part of is passed to spill(data, size) (Qt's socket buffer), so the
    // queue again starts at a frame boundary.
    template <typename Spill> void consume(qsizetype written, Spill spill)
    {
        while (written > 0 && !isEmpty()) {
            const QByteArray &frame = m_frames[m_head];
            if (written < frame.size())
                spill(frame.constData() + written, frame.size() - written);
            written -= qMin(written, frame.size());
            popFront();
        }
    }

    // Passes the first frame to write(data, size) and drops it.
    template <typename Write> void takeFront(Write write)
    {
        const QByteArray &frame = m_frames[m_head];
        write(frame.constData(), frame.size());
        popFront();
    }
    qsizetype frontSize() const { return m_frames[m_head].size(); }

private:
    void popFront();

    std::vector<QByteArray> m_frames;
    size_t m_head = 0; // frames before it are sent; compacted when the queue empties
    qsizetype m_bytes = 0;
};
