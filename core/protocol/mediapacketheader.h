#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

// The fixed 20-byte header in front of every binary media message (docs/protocol.md,
// "Media packets"). All fields are big-endian. The server reads it to route the packet and
// relays the bytes unchanged.
struct MediaPacketHeader
{
    static constexpr int kSize = 20;
    static constexpr quint8 kVersion = 1;

    enum Kind : quint8 { Audio = 1, Video = 2 };
    enum Codec : quint8 { Opus = 1, Vp8 = 2, Jpeg = 3 };
    // Probe: filler that tests the sender's uplink (docs/protocol.md 12): a server that says
    // "media_probes" in its handshake discards it; it is never relayed.
    enum Flag : quint8 { Keyframe = 0x01, Fec = 0x02, Probe = 0x04 };

    quint8 version = kVersion;
    quint8 kind = Audio;
    quint8 codec = Opus;
    quint8 flags = 0;
    quint32 callId = 0;
    quint32 sequence = 0;
    quint64 captureTimeUs = 0; // sender's capture clock, microseconds

    // Header followed by payload.
    QByteArray serialize(QByteArrayView payload = {}) const;
    // nullopt when the packet is shorter than the header, the version is unknown, or kind or
    // codec are not defined values.
    static std::optional<MediaPacketHeader> parse(QByteArrayView packet);
};
