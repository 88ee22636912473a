#pragma once

#include <QString>

#include <optional>

// The Redis server that --redis names: redis://host:port, with an optional trailing '/'. Read
// strictly: a user, password, database number or query would be silently ignored by the bus,
// so they are errors rather than guesses. The port is 6379 when left out.
struct RedisUrl
{
    QString host; // a name, an IPv4 address or an IPv6 address (written [::1] in the URL)
    quint16 port = 6379;

    // nullopt, with *error saying what is wrong, when `url` is not one.
    static std::optional<RedisUrl> parse(const QString &url, QString *error);
    // redis://host:port: for logs, messages and the start-up line.
    QString display() const;
};
