#include "redisurl.h"

#include <QHostAddress>
#include <QRegularExpression>

namespace {

constexpr const char *kForm = "redis://host:port";

} // namespace

std::optional<RedisUrl> RedisUrl::parse(const QString &url, QString *error)
{
    auto fail = [&](const QString &why) -> std::optional<RedisUrl> {
        if (error)
            *error = QStringLiteral("--redis: %1 (the form is %2)").arg(why, QLatin1String(kForm));
        return std::nullopt;
    };
    for (const QChar c : url) {
        if (c.isSpace() || c.unicode() < 0x20 || c.unicode() == 0x7F)
            return fail(QStringLiteral("the URL contains a space or a control character"));
    }
    const qsizetype schemeEnd = url.indexOf(QLatin1String("://"));
    if (schemeEnd < 0)
        return fail(QStringLiteral("'%1' is not a URL").arg(url.left(64)));
    const QString scheme = url.left(schemeEnd);
    if (scheme == QLatin1String("rediss"))
        return fail(QStringLiteral("TLS to Redis (rediss://) is not supported"));
    if (scheme != QLatin1String("redis"))
        return fail(QStringLiteral("'%1://' is not a Redis URL").arg(scheme.left(20)));

    QString rest = url.mid(schemeEnd + 3);
    // Checked before the host so that a password is never echoed back as a "bad host".
    if (rest.contains(QLatin1Char('@')))
        return fail(QStringLiteral("a user name or password is not supported"));
    if (rest.contains(QLatin1Char('?')) || rest.contains(QLatin1Char('#')))
        return fail(QStringLiteral("parameters are not supported"));
    if (const qsizetype slash = rest.indexOf(QLatin1Char('/')); slash >= 0) {
        if (slash != rest.size() - 1)
            return fail(QStringLiteral("a database number or path is not supported"));
        rest.chop(1);
    }

    RedisUrl u;
    QString portText;
    bool hasPort = false;
    if (rest.startsWith(QLatin1Char('['))) {
        const qsizetype close = rest.indexOf(QLatin1Char(']'));
        if (close < 0)
            return fail(QStringLiteral("an IPv6 address misses its ']'"));
        u.host = rest.mid(1, close - 1);
        const QHostAddress address(u.host);
        if (address.isNull() || address.protocol() != QAbstractSocket::IPv6Protocol)
            return fail(QStringLiteral("'%1' is not an IPv6 address").arg(u.host.left(64)));
        const QString after = rest.mid(close + 1);
        if (!after.isEmpty() && !after.startsWith(QLatin1Char(':')))
            return fail(QStringLiteral("unexpected text after the IPv6 address"));
        hasPort = !after.isEmpty();
        portText = after.mid(1);
    } else {
        if (const qsizetype colon = rest.indexOf(QLatin1Char(':')); colon >= 0) {
            hasPort = true;
            portText = rest.mid(colon + 1);
            rest.truncate(colon);
        }
        static const QRegularExpression hostName(
            QStringLiteral("^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
                           "(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$"));
        if (rest.isEmpty())
            return fail(QStringLiteral("the host is missing"));
        if (rest.size() > 253 || !hostName.match(rest).hasMatch())
            return fail(QStringLiteral("'%1' is not a host name or address").arg(rest.left(64)));
        u.host = rest;
    }
    if (hasPort) {
        if (portText.isEmpty())
            return fail(QStringLiteral("the port is missing after ':'"));
        static const QRegularExpression digits(QStringLiteral("^[0-9]{1,5}$"));
        const int port = portText.toInt();
        if (!digits.match(portText).hasMatch() || port < 1 || port > 65535)
            return fail(
                QStringLiteral("'%1' is not a port from 1 to 65535").arg(portText.left(16)));
        u.port = quint16(port);
    }
    return u;
}

QString RedisUrl::display() const
{
    const bool v6 = host.contains(QLatin1Char(':'));
    // One arg() call: a second one would replace a "%1" in the host (an IPv6 scope, [fe80::1%1]).
    return QStringLiteral("redis://%1%2%3:%4")
        .arg(v6 ? QStringLiteral("[") : QString(), host, v6 ? QStringLiteral("]") : QString(),
             QString::number(port));
}
