#include "addresskey.h"

#include <QStringList>

QString AddressKey::of(const QHostAddress &address)
{
    bool v4 = false;
    const quint32 ip4 = address.toIPv4Address(&v4);
    if (v4)
        return QHostAddress(ip4).toString();
    if (address.protocol() != QAbstractSocket::IPv6Protocol)
        return address.toString();
    Q_IPV6ADDR ip6 = address.toIPv6Address();
    for (int i = 8; i < 16; ++i)
        ip6[i] = 0;
    return QHostAddress(ip6).toString() + QStringLiteral("/64");
}

bool AddressList::parse(const QString &commaSeparated, QString *error)
{
    m_networks.clear();
    for (QString entry : commaSeparated.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        entry = entry.trimmed();
        QPair<QHostAddress, int> network = QHostAddress::parseSubnet(entry);
        if (network.first.isNull()) {
            QHostAddress single;
            if (!single.setAddress(entry)) {
                if (error)
                    *error = QStringLiteral("'%1' is not an address or a network").arg(entry);
                return false;
            }
            network = {single, single.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128};
        }
        m_networks.append(network);
    }
    return true;
}

bool AddressList::contains(const QHostAddress &address) const
{
    bool v4 = false;
    const quint32 ip4 = address.toIPv4Address(&v4);
    const QHostAddress plain = v4 ? QHostAddress(ip4) : address;
    for (const auto &network : m_networks) {
        if (plain.isInSubnet(network))
            return true;
    }
    return false;
}
