#include "postgresurl.h"

#include <QHostAddress>
#include <QRegularExpression>
#include <QStringList>

namespace {

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

constexpr const char *kForm = "postgresql://user:password@host:port/dbname";

// Decodes %XX escapes into UTF-8 text; nullopt for a broken escape, text that is not UTF-8,
// or a control character (libpq takes C strings: a NUL would cut the value short).
std::optional<QString> decode(const QString &part)
{
    QByteArray bytes;
    const QByteArray raw = part.toUtf8();
    for (qsizetype i = 0; i < raw.size(); ++i) {
        if (raw.at(i) != '%') {
            bytes.append(raw.at(i));
            continue;
        }
        if (i + 2 >= raw.size())
            return std::nullopt;
        const int high = hexValue(raw.at(i + 1));
        const int low = hexValue(raw.at(i + 2));
        if (high < 0 || low < 0)
            return std::nullopt;
        bytes.append(char(high * 16 + low));
        i += 2;
    }
    const QString text = QString::fromUtf8(bytes);
    if (text.toUtf8() != bytes)
        return std::nullopt;
    for (const QChar c : text) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7F)
            return std::nullopt;
    }
    return text;
}

// Characters that may stand unescaped in the user name, password and database name: RFC
// 3986's unreserved and sub-delims, and '%' for escapes. ':' only in the password.
bool plainUrlText(const QString &part, bool colonAllowed)
{
    static const QString allowed = QStringLiteral("-._~!$&'()*+,;=%");
    for (const QChar c : part) {
        const bool ok = (c.unicode() < 0x80 && c.isLetterOrNumber()) || allowed.contains(c) ||
                        (colonAllowed && c == QLatin1Char(':'));
        if (!ok)
            return false;
    }
    return true;
}

} // namespace

bool PostgresUrl::looksLikeUrl(const QString &value)
{
    static const QRegularExpression scheme(QStringLiteral("^[A-Za-z][A-Za-z0-9+.-]*://"));
    return scheme.match(value).hasMatch();
}

std::optional<PostgresUrl> PostgresUrl::parse(const QString &url, QString *error)
{
    auto fail = [&](const QString &why) -> std::optional<PostgresUrl> {
        if (error)
            *error =
                QStringLiteral("--database: %1 (the form is %2)").arg(why, QLatin1String(kForm));
        return std::nullopt;
    };
    const qsizetype schemeEnd = url.indexOf(QLatin1String("://"));
    if (schemeEnd < 0)
        return fail(QStringLiteral("not a URL"));
    const QString scheme = url.left(schemeEnd);
    if (scheme != QLatin1String("postgresql") && scheme != QLatin1String("postgres"))
        return fail(QStringLiteral("'%1://' databases are not supported: a postgresql:// URL is "
                                   "PostgreSQL, a file path is SQLite")
                        .arg(scheme.left(20)));
    QString rest = url.mid(schemeEnd + 3);
    for (const QChar c : rest) {
        if (c.isSpace() || c.unicode() < 0x20 || c.unicode() == 0x7F)
            return fail(QStringLiteral("the URL contains a space or a control character (write "
                                       "a space in the password as %20)"));
    }
    if (rest.contains(QLatin1Char('#')))
        return fail(QStringLiteral("a '#' must be written %23"));

    PostgresUrl u;
    QString query;
    if (const qsizetype q = rest.indexOf(QLatin1Char('?')); q >= 0) {
        query = rest.mid(q + 1);
        rest.truncate(q);
    }
    const qsizetype slash = rest.indexOf(QLatin1Char('/'));
    const QString authority = slash < 0 ? rest : rest.left(slash);
    const QString path = slash < 0 ? QString() : rest.mid(slash + 1);
    const qsizetype at = authority.indexOf(QLatin1Char('@'));
    if (at < 0) {
        if (path.contains(QLatin1Char('@')) || query.contains(QLatin1Char('@')))
            return fail(QStringLiteral("a '/' or '?' in the user name or password must be "
                                       "written %2F or %3F"));
        return fail(QStringLiteral("the user name is missing"));
    }
    if (authority.indexOf(QLatin1Char('@'), at + 1) >= 0)
        return fail(QStringLiteral("an '@' in the user name or password must be written %40"));

    const QString userInfo = authority.left(at);
    const qsizetype colon = userInfo.indexOf(QLatin1Char(':'));
    const QString user = colon < 0 ? userInfo : userInfo.left(colon);
    const QString password = colon < 0 ? QString() : userInfo.mid(colon + 1);
    const std::optional<QString> decodedUser = decode(user);
    if (!plainUrlText(user, false) || !decodedUser)
        return fail(QStringLiteral("the user name has a character that must be %-escaped, or "
                                   "a broken %-escape"));
    if (decodedUser->isEmpty())
        return fail(QStringLiteral("the user name is missing"));
    const std::optional<QString> decodedPassword = decode(password);
    if (!plainUrlText(password, true) || !decodedPassword)
        return fail(QStringLiteral("the password has a character that must be %-escaped, or a "
                                   "broken %-escape"));
    u.user = *decodedUser;
    u.password = *decodedPassword;

    QString hostPort = authority.mid(at + 1);
    QString portText;
    if (hostPort.startsWith(QLatin1Char('['))) {
        const qsizetype close = hostPort.indexOf(QLatin1Char(']'));
        if (close < 0)
            return fail(QStringLiteral("an IPv6 address misses its ']'"));
        u.host = hostPort.mid(1, close - 1);
        const QHostAddress address(u.host);
        if (address.isNull() || address.protocol() != QAbstractSocket::IPv6Protocol)
            return fail(QStringLiteral("'%1' is not an IPv6 address").arg(u.host));
        const QString after = hostPort.mid(close + 1);
        if (!after.isEmpty() && !after.startsWith(QLatin1Char(':')))
            return fail(QStringLiteral("unexpected text after the IPv6 address"));
        if (!after.isEmpty())
            portText = after.mid(1);
        if (after == QLatin1String(":"))
            return fail(QStringLiteral("the port is missing after ':'"));
    } else {
        if (hostPort.contains(QLatin1Char(',')))
            return fail(QStringLiteral("several hosts are not supported"));
        if (const qsizetype c = hostPort.indexOf(QLatin1Char(':')); c >= 0) {
            portText = hostPort.mid(c + 1);
            hostPort.truncate(c);
            if (portText.isEmpty())
                return fail(QStringLiteral("the port is missing after ':'"));
        }
        static const QRegularExpression hostName(
            QStringLiteral("^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
                           "(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$"));
        if (hostPort.isEmpty())
            return fail(QStringLiteral("the host is missing"));
        if (hostPort.size() > 253 || !hostName.match(hostPort).hasMatch())
            return fail(
                QStringLiteral("'%1' is not a host name or address").arg(hostPort.left(64)));
        u.host = hostPort;
    }
    if (!portText.isEmpty()) {
        static const QRegularExpression digits(QStringLiteral("^[0-9]{1,5}$"));
        const int port = portText.toInt();
        if (!digits.match(portText).hasMatch() || port < 1 || port > 65535)
            return fail(
                QStringLiteral("'%1' is not a port from 1 to 65535").arg(portText.left(16)));
        u.port = quint16(port);
    }

    const std::optional<QString> database = decode(path);
    if (slash < 0 || path.isEmpty())
        return fail(QStringLiteral("the database name is missing"));
    if (path.contains(QLatin1Char('/')) || !plainUrlText(path, false) || !database ||
        database->isEmpty())
        return fail(QStringLiteral("the database name has a character that must be %-escaped, "
                                   "or a broken %-escape"));
    u.database = *database;

    if (!query.isEmpty()) {
        static const QStringList sslModes{
            QStringLiteral("disable"), QStringLiteral("allow"),     QStringLiteral("prefer"),
            QStringLiteral("require"), QStringLiteral("verify-ca"), QStringLiteral("verify-full")};
        for (const QString &pair : query.split(QLatin1Char('&'))) {
            const QString key = pair.section(QLatin1Char('='), 0, 0);
            const QString value = pair.section(QLatin1Char('='), 1);
            if (key != QLatin1String("sslmode"))
                return fail(QStringLiteral("unknown parameter '%1' (only sslmode is supported)")
                                .arg(key.left(32)));
            if (!sslModes.contains(value))
                return fail(QStringLiteral("sslmode must be one of %1")
                                .arg(sslModes.join(QStringLiteral(", "))));
            u.sslMode = value;
        }
    }
    return u;
}

QString PostgresUrl::display() const
{
    const QString shownHost =
        host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host;
    return QStringLiteral("postgresql://%1@%2:%3/%4")
        .arg(user, shownHost, QString::number(port), database);
}
