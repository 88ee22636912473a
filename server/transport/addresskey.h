#pragma once

#include <QHostAddress>
#include <QString>

// The unit that per-address limits count: an IPv4 address, or the /64 network of an IPv6
// address (one subscriber gets a whole /64, so counting full IPv6 addresses would give anyone
// unlimited addresses). IPv4-mapped IPv6 addresses count as their IPv4 address.
class AddressKey
{
public:
    static QString of(const QHostAddress &address);
};

// A list of addresses and networks ("10.0.0.1", "192.168.0.0/16", "fd00::/8"), e.g. the
// reverse proxies whose X-Forwarded-For and PROXY headers are believed.
class AddressList
{
public:
    // False with *error for an entry that is not an address or a network.
    bool parse(const QString &commaSeparated, QString *error);
    bool contains(const QHostAddress &address) const;
    bool isEmpty() const { return m_networks.isEmpty(); }

private:
    QList<QPair<QHostAddress, int>> m_networks;
};
