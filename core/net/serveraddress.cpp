#include "net/serveraddress.h"

#include "protocol/namerules.h"

#include <QCoreApplication>

QString ServerAddress::accountKey(const QUrl &url, const QString &name)
{
    const int defaultPort = url.scheme() == QLatin1String("wss") ? 443 : 80;
    return QStringLiteral("%1@%2:%3")
        .arg(NameRules::key(name), url.host().toLower())
        .arg(url.port(defaultPort));
}

QUrl ServerAddress::parse(const QString &input, QString *error, bool *schemeGiven)
{
    auto fail = [&](const QString &why) {
        if (error)
            *error = why;
        return QUrl();
    };
    QString text = input.trimmed();
    if (text.isEmpty())
        return fail(QCoreApplication::translate("ServerAddress", "Enter the server's address."));
    const bool hasScheme = text.contains(QLatin1String("://"));
    if (schemeGiven)
        *schemeGiven = hasScheme;
    if (!hasScheme)
        text.prepend(QLatin1String("wss://"));
    QUrl url(text, QUrl::StrictMode);
    if (url.scheme() == QLatin1String("http"))
        url.setScheme(QStringLiteral("ws"));
    else if (url.scheme() == QLatin1String("https"))
        url.setScheme(QStringLiteral("wss"));
    if (!url.isValid() || url.host().isEmpty() ||
        (url.scheme() != QLatin1String("ws") && url.scheme() != QLatin1String("wss")))
        return fail(QCoreApplication::translate(
                        "ServerAddress",
                        "'%1' is not a server address. Use host, host:port, wss://host:port or "
                        "ws://host:port.")
                        .arg(input.trimmed()));
    if (url.port() == -1 && (url.scheme() == QLatin1String("ws") || !hasScheme))
        url.setPort(8080);
    return url;
}
