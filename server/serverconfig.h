#pragma once

#include "bus/redisurl.h"
#include "postgresurl.h"
#include "protocol/authpolicy.h"
#include "protocol/protocollimits.h"

#include <QHostAddress>
#include <QString>

#include <optional>

// Everything an operator can set, from command-line options and an optional INI file whose
// keys are the long option names ("port = 9000"). Options on the command line win.
struct ServerConfig
{
    QHostAddress listenAddress = QHostAddress::Any;
    quint16 port = 8080; // the seed page connects to ws://127.0.0.1:8080
    // --database: a SQLite file (history and accounts), or a postgresql:// URL (`postgres`):
    // then history and accounts are in PostgreSQL, and databasePath is the default path, not
    // used by the server (docs/architecture.md).
    QString databasePath;
    std::optional<PostgresUrl> postgres;
    // --redis: the bus that joins several server processes; none = a single process.
    std::optional<RedisUrl> redis;
    bool fullSync = false; // fsync every commit (survives power loss, not only kill -9)

    // wss: PEM files; both empty = plain ws.
    QString tlsCertificate;
    QString tlsKey;
    int plainPort = -1; // with TLS: also plain ws:// on this port (0 = a free one), -1 = none

    // Accounts (docs/security.md).
    AuthPolicy auth;    // registration open|invite|closed (default invite), guests allow|deny
    int tokenDays = 90; // unused device tokens expire
    int hashThreads = 1;
    int hashQueue = 16; // sign-ins waiting for a hash; more get "busy"

    ProtocolLimits limits;
    int maxConnections = 20000;
    int maxConnectionsPerAddress = 32; // guests and connections not signed in yet
    int maxConnectionsPerAccount = 8;  // devices of one account online at once
    int maxCallsPerAddress = 2;        // calls of guests behind one address at once
    int maxPendingUpgradesPerAddress = 8;
    QString trustedProxies;     // addresses/networks whose X-Forwarded-For or PROXY header counts
    bool proxyProtocol = false; // trusted proxies send a PROXY header (HAProxy send-proxy)
    // Public chat into the whole room, and private messages into one user (SendBudget).
    qint64 roomBytesPerSecond = 262144;
    qint64 roomBytesBurst = 524288;
    qint64 historyBytesPerSecond = 1048576;
    qint64 historyBytesBurst = 4194304;
    qint64 inboxBytesPerSecond = 65536;
    qint64 inboxBytesBurst = 262144;
    qint64 maxQueuedBytes = 4 * 1024 * 1024; // per receiver, then it is disconnected
    int floodStrikes = 50;                   // rate-limited messages in a row before closing
    int pingIntervalMs = 30000;
    int idleTimeoutMs = 90000;
    int handshakeTimeoutMs = 10000;
    int loginTimeoutMs = 60000;
    int presenceIntervalMs = 100; // joins and leaves are sent to Confab clients in batches
    int seedHistoryMessages = 20; // recent public messages replayed to a seed client on login
    QString logLevel = QStringLiteral("info");
    // Files (docs/protocol.md section 18): where their bytes are kept. Empty: beside a SQLite
    // --database (its path + "-files"); with PostgreSQL only where --files-dir says (a folder
    // that every node sees), else the server keeps no files (limits.maxFileBytes 0).
    // limits.maxFileBytes and limits.fileQuotaBytes are --max-file-bytes and --file-quota-bytes.
    QString filesDir;
    // --file-bytes-per-second: how fast one connection's uploads are taken in (their progress
    // waits beyond it); the burst is limits.fileWindowBytes.
    qint64 fileBytesPerSecond = 64LL * 1024 * 1024;

    static QString defaultDatabasePath();

    // Parses the program's arguments. On --help/--version or an error, returns nullopt and
    // fills *message with the text to print and *exitCode with the code to exit with.
    static std::optional<ServerConfig> fromArguments(const QStringList &arguments, QString *message,
                                                     int *exitCode);
};
