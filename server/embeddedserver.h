#pragma once

#include "serverconfig.h"

#include <QObject>
#include <QStringList>

#include <memory>

class ChatServer;
class SqliteMessageStore;

// The relay running inside the desktop client ("host on this computer"): the same server
// code on a SQLite file in the user's data folder, listening on all addresses so others on
// the LAN can join.
class EmbeddedServer : public QObject
{
    Q_OBJECT
public:
    explicit EmbeddedServer(QObject *parent = nullptr);
    ~EmbeddedServer() override;

    // Starts on `port` (0 picks a free one). On failure returns false and explains why.
    bool start(quint16 port, const QString &databasePath, QString *error);
    void stop();
    bool isRunning() const { return m_server != nullptr; }
    quint16 port() const;
    // ws:// addresses others can use: this machine's non-loopback IPv4 addresses.
    QStringList lanAddresses() const;
    QString localAddress() const;

    static QString defaultDatabasePath();

private:
    std::unique_ptr<SqliteMessageStore> m_store;
    std::unique_ptr<ChatServer> m_server;
};
