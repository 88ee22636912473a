#include "embeddedserver.h"

#include "chatserver.h"
#include "sqlitemessagestore.h"

#include <QNetworkInterface>
#include <QStandardPaths>

EmbeddedServer::EmbeddedServer(QObject *parent) : QObject(parent) {}

EmbeddedServer::~EmbeddedServer()
{
    stop();
}

QString EmbeddedServer::defaultDatabasePath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/hosted-history.sqlite");
}

bool EmbeddedServer::start(quint16 port, const QString &databasePath, QString *error)
{
    stop();
    ServerConfig config;
    config.port = port;
    config.databasePath = databasePath.isEmpty() ? defaultDatabasePath() : databasePath;
    auto store = std::make_unique<SqliteMessageStore>(config.databasePath, false);
    if (!store->open(error))
        return false;
    auto server = std::make_unique<ChatServer>(config, store.get());
    if (!server->listen(error))
        return false;
    m_store = std::move(store);
    m_server = std::move(server);
    return true;
}

void EmbeddedServer::stop()
{
    m_server.reset();
    m_store.reset();
}

quint16 EmbeddedServer::port() const
{
    return m_server ? m_server->port() : 0;
}

QString EmbeddedServer::localAddress() const
{
    // Not "localhost": a minimal system may have no /etc/hosts, and it may resolve to ::1.
    return QStringLiteral("ws://127.0.0.1:%1").arg(port());
}

QStringList EmbeddedServer::lanAddresses() const
{
    QStringList result;
    for (const QNetworkInterface &iface : QNetworkInterface::allInterfaces()) {
        if (!(iface.flags() & QNetworkInterface::IsUp) ||
            (iface.flags() & QNetworkInterface::IsLoopBack))
            continue;
        for (const QNetworkAddressEntry &entry : iface.addressEntries()) {
            if (entry.ip().protocol() == QAbstractSocket::IPv4Protocol)
                result.append(QStringLiteral("ws://%1:%2").arg(entry.ip().toString()).arg(port()));
        }
    }
    return result;
}
