#include "accounts/admincommand.h"
#include "accounts/asyncaccountstore.h"
#include "accounts/postgresaccountstore.h"
#include "accounts/sqliteaccountstore.h"
#include "asyncmessagestore.h"
#include "bus/redisbus.h"
#include "chatserver.h"
#include "confabversion.h"
#include "postgresmessagestore.h"
#include "serverconfig.h"
#include "signalwatcher.h"
#include "sqlitemessagestore.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTimer>

#include <cstdio>

int main(int argc, char *argv[])
{
    // The plain Unix event dispatcher (poll) is leaner than the GLib one for many sockets.
    qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("Confab"));
    QCoreApplication::setApplicationName(QStringLiteral("confab-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CONFAB_VERSION));

    // confab-server admin ...: accounts and tokens on the database, then exit.
    if (QCoreApplication::arguments().value(1) == QLatin1String("admin")) {
        QLoggingCategory::setFilterRules(
            QStringLiteral("confab.*.debug=false\nconfab.*.info=false"));
        return AdminCommand::run(QCoreApplication::arguments());
    }

    QString message;
    int exitCode = 0;
    const std::optional<ServerConfig> config =
        ServerConfig::fromArguments(QCoreApplication::arguments(), &message, &exitCode);
    if (!config) {
        std::fputs(qPrintable(message), exitCode == 0 ? stdout : stderr);
        return exitCode;
    }

    qSetMessagePattern(QStringLiteral("%{time yyyy-MM-dd hh:mm:ss.zzz} %{type} %{message}"));
    QString rules = QStringLiteral("confab.*.debug=false\n");
    if (config->logLevel == QLatin1String("debug"))
        rules = QStringLiteral("confab.*.debug=true\n");
    else if (config->logLevel == QLatin1String("warning"))
        rules += QStringLiteral("confab.*.info=false\n");
    else if (config->logLevel == QLatin1String("error"))
        rules += QStringLiteral("confab.*.info=false\nconfab.*.warning=false\n");
    QLoggingCategory::setFilterRules(rules);

    // With --redis, the other nodes of the service are met there (declared before the server,
    // which uses it until it is gone). Started once the server is set up.
    std::unique_ptr<RedisBus> bus;
    if (config->redis)
        bus = std::make_unique<RedisBus>(*config->redis);
    // The history on a thread of its own: in PostgreSQL with a postgresql:// --database, else
    // in the SQLite file. The accounts in the same database, on a connection of their own.
    std::unique_ptr<MessageStore> history;
    if (config->postgres)
        history = std::make_unique<PostgresMessageStore>(*config->postgres);
    else
        history = std::make_unique<SqliteMessageStore>(config->databasePath, config->fullSync);
    if (bus)
        history->setNodeId(bus->nodeId()); // what the others replay if the bus drops it
    // PostgreSQL (round trips) and a SQLite file synced at every commit (--full-sync) get a
    // thread; a plain SQLite file is quicker on the relay's (AsyncMessageStore).
    AsyncMessageStore store(std::move(history), config->postgres || config->fullSync
                                                    ? AsyncMessageStore::Threading::OwnThread
                                                    : AsyncMessageStore::Threading::Inline);
    QString error;
    if (!store.open(&error)) {
        std::fprintf(stderr, "confab-server: %s\n", qPrintable(error));
        return 1;
    }
    // With PostgreSQL every node shares the accounts (identities "a<id>" and guests' resume
    // sessions must mean the same person on each: private history belongs to them).
    // On a thread of their own where the history has one (AsyncAccountStore).
    std::unique_ptr<AccountStore> accountTables;
    if (config->postgres)
        accountTables = std::make_unique<PostgresAccountStore>(*config->postgres);
    else
        accountTables =
            std::make_unique<SqliteAccountStore>(config->databasePath, config->fullSync);
    AsyncAccountStore accounts(std::move(accountTables),
                               config->postgres || config->fullSync
                                   ? AsyncAccountStore::Threading::OwnThread
                                   : AsyncAccountStore::Threading::Inline);
    if (!accounts.open(&error)) {
        std::fprintf(stderr, "confab-server: %s\n", qPrintable(error));
        return 1;
    }
    ChatServer server(*config, &store, &accounts);
    if (bus) {
        server.setBus(bus.get());
        bus->start();
    }
    if (!server.listen(&error)) {
        const bool portTaken = error.startsWith(QLatin1String("cannot listen"));
        std::fprintf(stderr, "confab-server: %s\n%s", qPrintable(error),
                     portTaken ? "Choose another port with --port.\n" : "");
        return 1;
    }
    // Tests and scripts read the real port from this line (useful with --port 0).
    std::printf("confab-server %s listening on %s://%s:%u (history in %s; registration %s, "
                "guests %s)\n",
                CONFAB_VERSION, server.isEncrypted() ? "wss" : "ws",
                qPrintable(config->listenAddress.toString()), server.port(),
                config->postgres ? qPrintable(config->postgres->display())
                                 : qPrintable(config->databasePath),
                qPrintable(AuthPolicy::registrationName(config->auth.registration)),
                config->auth.guests ? "allowed" : "denied");
    if (server.plainPort())
        std::printf("confab-server also listening on ws://%s:%u (plain, for the seed page)\n",
                    qPrintable(config->listenAddress.toString()), server.plainPort());
    std::fflush(stdout);

    SignalWatcher signalWatcher;
    QObject::connect(&signalWatcher, &SignalWatcher::terminationRequested, &server,
                     [&](int number) {
                         std::fprintf(stderr, "confab-server: signal %d, shutting down\n", number);
                         server.shutdown();
                         // Clients get a moment to answer the close handshake; then we go
                         // regardless.
                         QTimer::singleShot(2000, &app, &QCoreApplication::quit);
                     });
    QObject::connect(&server, &ChatServer::drained, &app, &QCoreApplication::quit);
    return app.exec();
}
