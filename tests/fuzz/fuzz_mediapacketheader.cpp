// MediaPacketHeader::parse reads every binary message a client sends (docs/protocol.md,
// section 12). The server relays the bytes it accepted unchanged, so an accepted header must be
// exactly what serialize() writes for the fields it read.
#include "fuzzcheck.h"
#include "protocol/mediapacketheader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView packet(reinterpret_cast<const char *>(data), qsizetype(size));
    const std::optional<MediaPacketHeader> header = MediaPacketHeader::parse(packet);
    if (!header) {
        FUZZ_REQUIRE(size < size_t(MediaPacketHeader::kSize) ||
                     data[0] != MediaPacketHeader::kVersion ||
                     (data[1] != MediaPacketHeader::Audio && data[1] != MediaPacketHeader::Video) ||
                     (data[2] != MediaPacketHeader::Opus && data[2] != MediaPacketHeader::Vp8 &&
                      data[2] != MediaPacketHeader::Jpeg));
        return 0;
    }
    FUZZ_REQUIRE(header->version == MediaPacketHeader::kVersion);
    FUZZ_REQUIRE(header->kind == MediaPacketHeader::Audio ||
                 header->kind == MediaPacketHeader::Video);
    FUZZ_REQUIRE(header->codec == MediaPacketHeader::Opus ||
                 header->codec == MediaPacketHeader::Vp8 ||
                 header->codec == MediaPacketHeader::Jpeg);
    FUZZ_REQUIRE(header->serialize(packet.sliced(MediaPacketHeader::kSize)) == packet);
    return 0;
}
