#include "postgresconnection.h"

#include <QSqlError>

namespace PostgresConnection {

QSqlDatabase add(const PostgresUrl &url, const QString &name, int connectTimeoutS,
                 const QString &extraOptions)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
    db.setHostName(url.host);
    db.setPort(url.port);
    db.setUserName(url.user);
    db.setPassword(url.password);
    db.setDatabaseName(url.database);
    QString options = QStringLiteral("connect_timeout=%1;application_name=confab-server;"
                                     "keepalives=1;keepalives_idle=15;keepalives_interval=5;"
                                     "keepalives_count=4")
                          .arg(connectTimeoutS);
    if (!extraOptions.isEmpty())
        options += QLatin1Char(';') + extraOptions;
    if (!url.sslMode.isEmpty())
        options += QStringLiteral(";sslmode=") + url.sslMode;
    db.setConnectOptions(options);
    return db;
}

QString errorText(const QSqlError &error)
{
    const QString text = error.databaseText().isEmpty() ? error.text() : error.databaseText();
    return text.simplified();
}

} // namespace PostgresConnection
