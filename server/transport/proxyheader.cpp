#include "proxyheader.h"

#include <QList>
#include <QtEndian>

namespace {

constexpr char kV2Signature[12] = {'\r', '\n', '\r', '\n', '\0', '\r',
                                   '\n', 'Q',  'U',  'I',  'T',  '\n'};

ProxyHeader::Result parseV1(QByteArrayView data, qsizetype *consumed, QHostAddress *source)
{
    const qsizetype end = data.indexOf(QByteArrayView("\r\n"));
    if (end < 0)
        return data.size() >= 107 ? ProxyHeader::Result::Invalid : ProxyHeader::Result::NeedMore;
    if (end > 105)
        return ProxyHeader::Result::Invalid;
    const QList<QByteArray> parts = data.first(end).toByteArray().split(' ');
    if (parts.size() >= 2 && parts.at(1) == "UNKNOWN") {
        *consumed = end + 2;
        *source = QHostAddress();
        return ProxyHeader::Result::Done;
    }
    if (parts.size() != 6 || (parts.at(1) != "TCP4" && parts.at(1) != "TCP6"))
        return ProxyHeader::Result::Invalid;
    QHostAddress address;
    if (!address.setAddress(QString::fromLatin1(parts.at(2))) ||
        (parts.at(1) == "TCP4") != (address.protocol() == QAbstractSocket::IPv4Protocol))
        return ProxyHeader::Result::Invalid;
    bool portOk = false;
    const uint port = parts.at(4).toUInt(&portOk);
    if (!portOk || port > 65535)
        return ProxyHeader::Result::Invalid;
    *consumed = end + 2;
    *source = address;
    return ProxyHeader::Result::Done;
}

ProxyHeader::Result parseV2(QByteArrayView data, qsizetype *consumed, QHostAddress *source)
{
    if (data.size() < 16)
        return ProxyHeader::Result::NeedMore;
    const auto *p = reinterpret_cast<const uchar *>(data.data());
    const int version = p[12] >> 4;
    const int command = p[12] & 0x0F;
    const int family = p[13];
    const qsizetype length = qFromBigEndian<quint16>(p + 14);
    if (version != 2 || command > 1 || 16 + length > ProxyHeader::kMaxBytes)
        return ProxyHeader::Result::Invalid;
    if (data.size() < 16 + length)
        return ProxyHeader::Result::NeedMore;
    *consumed = 16 + length;
    *source = QHostAddress();
    if (command == 0) // LOCAL: the proxy's own connection (a health check)
        return ProxyHeader::Result::Done;
    const uchar *addresses = p + 16;
    switch (family) {
    case 0x11: // TCP over IPv4
    case 0x12: // UDP over IPv4
        if (length < 12)
            return ProxyHeader::Result::Invalid;
        *source = QHostAddress(qFromBigEndian<quint32>(addresses));
        return ProxyHeader::Result::Done;
    case 0x21: // TCP over IPv6
    case 0x22:
        if (length < 36)
            return ProxyHeader::Result::Invalid;
        *source = QHostAddress(addresses);
        return ProxyHeader::Result::Done;
    case 0x00: // UNSPEC
        return ProxyHeader::Result::Done;
    default:
        return ProxyHeader::Result::Invalid;
    }
}

} // namespace

ProxyHeader::Result ProxyHeader::parse(QByteArrayView data, qsizetype *consumed,
                                       QHostAddress *source)
{
    // Decide the version from the first bytes; a prefix of either signature needs more data.
    const qsizetype n = qMin<qsizetype>(data.size(), 12);
    if (QByteArrayView(kV2Signature, n) == data.first(n))
        return n < 12 ? Result::NeedMore : parseV2(data, consumed, source);
    const QByteArrayView v1("PROXY ");
    const qsizetype m = qMin(data.size(), v1.size());
    if (v1.first(m) != data.first(m))
        return Result::Invalid;
    return m < v1.size() ? Result::NeedMore : parseV1(data, consumed, source);
}
