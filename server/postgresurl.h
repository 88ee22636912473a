#pragma once

#include <QString>

#include <optional>

// The PostgreSQL server and database that --database names:
// postgresql://user:password@host:port/dbname[?sslmode=MODE]. Read strictly: anything this
// does not understand is an error, not a guess. The password never appears in an error
// message or in display().
struct PostgresUrl
{
    QString user;
    QString password; // "" = libpq finds one (PGPASSWORD, ~/.pgpass) or needs none
    QString host;     // a name, an IPv4 address or an IPv6 address (written [::1] in the URL)
    quint16 port = 5432;
    QString database;
    QString sslMode; // "" = libpq's default (prefer)

    // Whether --database names a URL (scheme://...) rather than a SQLite file.
    static bool looksLikeUrl(const QString &value);
    // nullopt, with *error saying what is wrong (never the password), when `url` is not one.
    static std::optional<PostgresUrl> parse(const QString &url, QString *error);
    // postgresql://user@host:port/dbname: for logs, messages and the start-up line.
    QString display() const;
};
