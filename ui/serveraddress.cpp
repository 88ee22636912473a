#include "serveraddress.h"

#include <QCoreApplication>

QUrl ServerAddress::parse(const QString &input, QString *error)
{
    auto fail = [&](const QString &why) {
        if (error)
            *error = why;
        return QUrl();
    };
    QString text = input.trimmed();
    if (text.isEmpty())
        return fail(QCoreApplication::translate("ServerAddress", "Enter the server's address."));
    if (!text.contains(QLatin1String("://")))
        text.prepend(QLatin1String("ws://"));
    QUrl url(text, QUrl::StrictMode);
    if (url.scheme() == QLatin1String("http"))
        url.setScheme(QStringLiteral("ws"));
    else if (url.scheme() == QLatin1String("https"))
        url.setScheme(QStringLiteral("wss"));
    if (!url.isValid() || url.host().isEmpty() ||
        (url.scheme() != QLatin1String("ws") && url.scheme() != QLatin1String("wss")))
        return fail(QCoreApplication::translate(
                        "ServerAddress",
                        "'%1' is not a server address. Use host, host:port or ws://host:port.")
                        .arg(input.trimmed()));
    if (url.port() == -1 && url.scheme() == QLatin1String("ws"))
        url.setPort(8080);
    return url;
}
