// ProxyHeader::parse reads the PROXY protocol v1/v2 header that a trusted load balancer puts
// in front of a client's bytes (server/transport). Bytes arrive in pieces, and the transport
// calls parse again as more come, so besides crashes this checks that a header is
// self-delimiting: every proper prefix of an accepted header asks for more data, and the header
// alone parses the same as with the client's bytes after it.
#include "fuzzcheck.h"
#include "transport/proxyheader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    qsizetype consumed = -1;
    QHostAddress source(QHostAddress::Broadcast);
    const ProxyHeader::Result result = ProxyHeader::parse(bytes, &consumed, &source);
    if (result == ProxyHeader::Result::NeedMore) {
        FUZZ_REQUIRE(bytes.size() < ProxyHeader::kMaxBytes);
        return 0;
    }
    if (result == ProxyHeader::Result::Invalid)
        return 0;
    FUZZ_REQUIRE(consumed > 0 && consumed <= bytes.size() && consumed <= ProxyHeader::kMaxBytes);
    FUZZ_REQUIRE(source.isNull() || source.protocol() == QAbstractSocket::IPv4Protocol ||
                 source.protocol() == QAbstractSocket::IPv6Protocol);

    qsizetype headerConsumed = -1;
    QHostAddress headerSource;
    FUZZ_REQUIRE(ProxyHeader::parse(bytes.first(consumed), &headerConsumed, &headerSource) ==
                 ProxyHeader::Result::Done);
    FUZZ_REQUIRE(headerConsumed == consumed && headerSource == source);
    for (qsizetype n = 0; n < consumed; ++n) {
        qsizetype c = -1;
        QHostAddress a;
        FUZZ_REQUIRE(ProxyHeader::parse(bytes.first(n), &c, &a) == ProxyHeader::Result::NeedMore);
    }
    return 0;
}
