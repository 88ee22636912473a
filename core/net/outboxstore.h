#pragma once

#include "net/outbox.h"

#include <QObject>
#include <QSqlQuery>
#include <QString>
#include <QUrl>

#include <map>
#include <optional>

// The local file of one server and name: the outbox, and (HistoryCache) the recent history.
// The outbox on disk: one SQLite file per server and name, so what the user wrote survives a
// quit, a crash or kill -9 until the server has acknowledged it. Writes are grouped: the first
// one of an event-loop turn opens a transaction, and a queued call commits it at the end of the
// turn, so a burst of messages costs one commit. The commit is a normal-priority posted event
// and a window's repaint a low-priority one, so a message is in the file before it is painted
// as "sending…".
//
// A file that cannot be opened, read or written makes the store fail: failed() says why, the
// store closes, and the Outbox it backs goes on in memory.
class OutboxStore : public QObject
{
    Q_OBJECT
public:
    explicit OutboxStore(QObject *parent = nullptr);
    ~OutboxStore() override;

    // Opens (or creates, 0600) the file. On failure errorString() says why; failed() is not
    // emitted, the caller reports it.
    bool open(const QString &path);
    // Commits what is pending and closes the file.
    void close();
    bool isOpen() const { return !m_connection.isEmpty(); }
    QString path() const { return m_path; }
    QString errorString() const { return m_error; }

    // The messages in the file, oldest first.
    QList<Outbox::Entry> load();
    void insert(const Outbox::Entry &entry);
    void remove(const QString &clientId);
    // Commits the open transaction now (otherwise done at the end of the turn).
    bool commit();

    // For the other tables of the file (HistoryCache): the connection's name, and a write
    // transaction that is committed with the outbox's at the end of the turn. A failed
    // statement there is reported with fail(), which closes the file as for the outbox.
    QString connectionName() const { return m_connection; }
    // A statement prepared once per open file and kept until it closes (nullptr when closed or
    // when `sql` does not prepare): a message a turn costs no parsing of SQL.
    QSqlQuery *statement(const QString &sql);
    bool beginWrite() { return isOpen() && begin(); }
    void fail(const QString &what, const QString &error);

    // "host_port_name.sqlite": the name's NameRules::key, and the host, percent-encoded
    // where they hold anything but letters, digits and "-._", so two servers or two names
    // never share a file and no name can leave the folder.
    static QString fileName(const QUrl &server, const QString &name);

signals:
    void failed(const QString &message);

private:
    // The pragmas, the schema and the prepared statements; returns why they failed, or "".
    QString setUp();
    bool begin();

    QString m_connection; // empty while closed
    QString m_path;
    QString m_error;
    std::optional<QSqlQuery> m_insert;
    std::optional<QSqlQuery> m_delete;
    std::map<QString, QSqlQuery> m_statements;
    bool m_inTransaction = false;
};
