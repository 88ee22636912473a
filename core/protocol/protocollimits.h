#pragma once

#include <QJsonObject>

// The bounds a server enforces. Sent to clients in the handshake so they can check input
// before sending it (see docs/protocol.md, "Limits").
struct ProtocolLimits
{
    static constexpr int kProtocolVersion = 2;
    static constexpr int kMaxIdChars = 64;
    // Message search (docs/protocol.md section 7.1): the text asked for, in code points and
    // words, and the hits in one answer.
    static constexpr int kMaxSearchChars = 100;
    static constexpr int kMaxSearchWords = 8;
    static constexpr int kMaxSearchHits = 50;
    static constexpr int kDefaultSearchHits = 20;
    // Read receipts (docs/protocol.md section 19): the markers one "receipts" answer holds.
    static constexpr int kMaxReceipts = 200;

    int maxNameChars = 32;              // Unicode code points
    int maxTextChars = 4000;            // Unicode code points in a chat message
    qint64 maxMessageBytes = 16384;     // one text (JSON) message, UTF-8 bytes
    qint64 maxMediaBytes = 262144;      // one binary media packet
    int historyPageMax = 200;           // messages in one history page
    double ratePerSecond = 20;          // sustained client messages per second
    int rateBurst = 40;                 // messages allowed in a burst
    double mediaPacketsPerSecond = 400; // binary media packets per second (audio + video)
    int mediaBurst = 800;
    int callRingSeconds = 30; // an unanswered invite ends with call_timeout
    // Bytes of chat text (public and private) and typing one sender may make the server
    // relay: a token bucket per account, or per address for guests (docs/protocol.md, 11.2).
    qint64 sendBytesPerSecond = 16384;
    qint64 sendBytesBurst = 65536;
    qint64 historyBytes = 262144; // most bytes of message text in one history page
    // Files (docs/protocol.md section 18). maxFileBytes 0: this server keeps no files (and a
    // server that does not say is one of those).
    qint64 maxFileBytes = 100LL * 1024 * 1024;
    qint64 fileQuotaBytes = 1024LL * 1024 * 1024; // per account, or per address for guests
    // Payload of one uploaded chunk at most: 65536 since issue 14's 50 MB/s (16384 before; a
    // client uses what the server says, and a server takes any chunk up to its own bound).
    qint64 fileChunkBytes = 65536;
    // Uploaded bytes a client may send ahead of the progress: 1 MiB since issue 14 (256 KiB
    // before: too little to keep a paced upload's pipe full while its progress comes back).
    qint64 fileWindowBytes = 1048576;
    // The largest chunk a client uses whatever a server says: what it reads into memory at once.
    static constexpr qint64 kMaxFileChunkBytes = 262144;

    QJsonObject toJson() const;
    static ProtocolLimits fromJson(const QJsonObject &object);
};
