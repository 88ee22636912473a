#pragma once

#include "postgresurl.h"

#include <QSqlDatabase>
#include <QString>

// A test's own connection to a store's database, for what the store does not show or to get
// in its way: a postgresql:// URL through QPSQL, anything else as a SQLite file. Opened; on
// failure db.lastError() says why. `name` is the Qt connection name (removeDatabase it after).
inline QSqlDatabase openDirectConnection(const QString &location, const QString &name)
{
    if (!location.startsWith(QLatin1String("postgresql://"))) {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(location);
        db.open();
        return db;
    }
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
    if (const std::optional<PostgresUrl> url = PostgresUrl::parse(location, nullptr)) {
        db.setHostName(url->host);
        db.setPort(url->port);
        db.setUserName(url->user);
        db.setPassword(url->password);
        db.setDatabaseName(url->database);
        db.open();
    }
    return db;
}
