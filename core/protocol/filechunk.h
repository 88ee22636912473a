#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

// The 16-byte header in front of every binary message that carries part of a file
// (docs/protocol.md section 18): uploads from a client, downloads from the server. All fields
// are big-endian. Its first byte is 0x10, never a media packet's version (1), so the two
// kinds of binary message cannot be taken for each other.
struct FileChunkHeader
{
    static constexpr int kSize = 16;
    static constexpr quint8 kKind = 0x10;

    quint32 transfer = 0; // the upload's or the download's id, given by the server
    quint64 offset = 0;   // where in the file the payload starts

    // Header followed by payload.
    QByteArray serialize(QByteArrayView payload = {}) const;
    // Whether a binary message is a file chunk at all (else it is a media packet).
    static bool isFileChunk(QByteArrayView message)
    {
        return !message.isEmpty() && quint8(message.front()) == kKind;
    }
    // nullopt when the message is shorter than the header or its reserved bytes are not 0.
    static std::optional<FileChunkHeader> parse(QByteArrayView message);
};
