#pragma once

#include "postgresurl.h"

#include <QSqlDatabase>
#include <QString>

class QSqlError;

// What every PostgreSQL connection of the server has in common (the history store, the
// account store, the search indexer): how it is addressed and how its errors are shown.
namespace PostgresConnection {

// A QPSQL connection called `name` to `url`, not yet open, with keepalives so that a database
// host that vanishes (power, network) fails the call within a minute rather than the kernel's
// two hours. `extraOptions` are more libpq options ("key=value;..."), or empty.
QSqlDatabase add(const PostgresUrl &url, const QString &name, int connectTimeoutS,
                 const QString &extraOptions = {});

// libpq's messages span lines ("connection to server ... failed: FATAL: ..."): one line for
// the log. They never contain the password.
QString errorText(const QSqlError &error);

} // namespace PostgresConnection
