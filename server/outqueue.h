#pragma once

#include <QByteArray>

#include <vector>

// The frames waiting for one receiver until the end of the event-loop turn, in order.
//
// It keeps references, not copies: QByteArray is implicitly shared, so relaying one frame
// to a room of n members costs n reference counts instead of n copies, and the frames go
// to the kernel from where they are with one sendmsg. Copying each frame into a buffer per
// receiver, freed after the write, cost a fifth of the server's time in page faults alone
// (docs/benchmarks.md, run a).
class OutQueue
{
public:
    bool isEmpty() const { return m_frames.empty(); }
    qsizetype bytes() const { return m_bytes; }

    void append(const QByteArray &frame);
    void clear();

    // Writes what the kernel takes now, without blocking, to the stream socket fd; returns
    // how many bytes that was (0 on any error: the socket reports it itself). Unix only.
    qsizetype sendTo(int fd) const;

    // Calls write(data, size) for everything after the first skip bytes, in order.
    template <typename Write> void forEachAfter(qsizetype skip, Write write) const
    {
        for (const QByteArray &frame : m_frames) {
            if (skip >= frame.size()) {
                skip -= frame.size();
                continue;
            }
            write(frame.constData() + skip, frame.size() - skip);
            skip = 0;
        }
    }

private:
    std::vector<QByteArray> m_frames;
    qsizetype m_bytes = 0;
};
