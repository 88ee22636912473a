#pragma once

#include "messagestore.h"
#include "walcheckpointer.h"

#include <QSqlDatabase>
#include <QSqlQuery>

#include <memory>
#include <optional>

// History in one SQLite file in WAL mode. synchronous=NORMAL keeps every committed batch
// across a crash or kill -9; fullSync adds an fsync per commit for power loss.
class SqliteMessageStore : public MessageStore
{
public:
    SqliteMessageStore(const QString &path, bool fullSync);
    ~SqliteMessageStore() override;

    bool open(QString *error) override;
    AppendResult append(ChatMessage &message) override;
    bool commit() override;
    void rollback() override;
    std::optional<QList<ChatMessage>> history(const HistoryQuery &query, bool *more) override;
    QString lastError() const override { return m_lastError; }

private:
    bool exec(const QString &sql);
    bool beginBatch();
    QString notOpen() const;

    QString m_path;
    QString m_connectionName;
    bool m_fullSync;
    bool m_inBatch = false;
    QString m_lastError;
    QSqlDatabase m_db;
    std::optional<QSqlQuery> m_insert;
    std::optional<QSqlQuery> m_findByClientId;
    std::unique_ptr<WalCheckpointer> m_checkpointer;
};
