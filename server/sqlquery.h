#pragma once

#include <QSqlError>
#include <QSqlQuery>
#include <QString>
#include <QVariantList>

// Prepares `sql` on `q`, binds `args` by position and runs it: the SQLite stores' one way to
// run a statement with values. False with the driver's message in *error on failure.
inline bool runSql(QSqlQuery &q, const QString &sql, const QVariantList &args, QString *error)
{
    if (!q.prepare(sql)) {
        *error = q.lastError().text();
        return false;
    }
    for (int i = 0; i < args.size(); ++i)
        q.bindValue(i, args.at(i));
    if (!q.exec()) {
        *error = q.lastError().text();
        return false;
    }
    return true;
}
