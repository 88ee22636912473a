#include "serverconfig.h"

#include "confabversion.h"
#include "transport/addresskey.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

#include <type_traits>

namespace {

struct OptionSpec
{
    const char *name;
    const char *description;
    const char *valueName;
};

constexpr OptionSpec kOptions[] = {
    {"listen", "Address to listen on (default: all addresses).", "address"},
    {"port", "TCP port (default 8080; 0 picks a free port).", "port"},
    {"database",
     "SQLite history file (default: in the user's data folder), or a PostgreSQL database: "
     "postgresql://user:password@host:port/dbname.",
     "path|url"},
    // No longer used (the accounts are where the history is), but known, so that a config
    // file that still has it says why instead of "unknown key".
    {"accounts-file", "No longer used: the accounts are kept with the history.", "path"},
    {"redis", "Redis server that joins several server processes (their bus): redis://host:port.",
     "url"},
    {"sync", "'normal' (survives a crash) or 'full' (also survives power loss).", "mode"},
    {"max-connections", "Connections in total (default 20000).", "n"},
    {"max-connections-per-address", "Connections from one IP address (default 32).", "n"},
    {"rate-limit", "Messages per second per connection (default 20).", "n"},
    {"rate-burst", "Messages allowed in a burst (default 40).", "n"},
    {"flood-strikes", "Rate-limited messages in a row before disconnecting (default 50).", "n"},
    {"max-message-bytes", "Largest JSON message in bytes (default 16384).", "n"},
    {"max-text-chars", "Longest chat message in characters (default 4000).", "n"},
    {"max-queued-bytes",
     "Bytes queued to one slow receiver before it is dropped (default 4194304).", "n"},
    {"ping-interval", "Seconds between keepalive pings (default 30).", "seconds"},
    {"idle-timeout", "Seconds of silence before a connection is closed (default 90).", "seconds"},
    {"login-timeout", "Seconds a connection may stay without logging in (default 60).", "seconds"},
    {"upgrade-timeout",
     "Seconds a connection has for its TLS and WebSocket handshakes (default 10).", "seconds"},
    {"presence-interval", "Seconds between batched join/leave notices (default 0.1).", "seconds"},
    {"call-ring-seconds", "Seconds an unanswered call rings before it times out (default 30).",
     "seconds"},
    {"history-page", "Most messages in one history page (default 200).", "n"},
    {"seed-history", "Recent messages replayed to client.html users on login (default 20).", "n"},
    {"log-level", "debug, info, warning or error (default info).", "level"},
    {"tls-cert", "PEM certificate (chain) to serve wss:// with; needs --tls-key.", "file"},
    {"tls-key", "PEM private key of --tls-cert (unencrypted EC or RSA).", "file"},
    {"plain-port",
     "With --tls-cert: also serve plain ws:// on this port (for the old seed page; 0 picks a "
     "free port).",
     "port"},
    {"registration", "Who may create accounts: open, invite (default) or closed.", "policy"},
    {"guests", "allow (default) or deny users without an account.", "policy"},
    {"token-days", "Days an unused device sign-in stays valid (default 90).", "days"},
    {"hash-threads", "Threads that hash passwords (default 1).", "n"},
    {"hash-queue", "Sign-ins that may wait for a hash; more get 'busy' (default 16).", "n"},
    {"max-calls-per-address", "Calls guests behind one address may be in at once (default 2).",
     "n"},
    {"max-connections-per-account", "Devices one account may have signed in at once (default 8).",
     "n"},
    {"max-pending-upgrades-per-address",
     "Connections from one address still in their TLS/WebSocket handshake (default 8).", "n"},
    {"trusted-proxy",
     "Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For header "
     "gives the client's address.",
     "list"},
    {"proxy-protocol",
     "'on': trusted proxies send a PROXY protocol header instead (HAProxy "
     "send-proxy / send-proxy-v2). Plain ws only.",
     "on|off"},
    {"send-bytes-per-second",
     "Chat bytes per second one account, or one guest address, may send (default 16384).", "n"},
    {"send-bytes-burst", "Chat bytes one sender may send at once (default 65536).", "n"},
    {"room-bytes-per-second",
     "Public chat bytes per second into the room, all senders together (default 262144).", "n"},
    {"room-bytes-burst", "Public chat bytes into the room at once (default 524288).", "n"},
    {"inbox-bytes-per-second",
     "Private bytes per second into one user, all senders together (default 65536).", "n"},
    {"inbox-bytes-burst", "Private bytes into one user at once (default 262144).", "n"},
    {"history-bytes", "Most bytes of text in one history page (default 262144).", "n"},
    {"history-bytes-per-second",
     "History bytes per second one account, or one guest address, may fetch (default 1048576).",
     "n"},
    {"history-bytes-burst",
     "History bytes one account or guest address may fetch at once "
     "(default 4194304).",
     "n"},
    {"files-dir",
     "Folder for the files users send (default: beside a SQLite --database, named after it "
     "with '-files'; with PostgreSQL, files are off unless this is given).",
     "path"},
    {"max-file-bytes",
     "Largest file a user may send, in bytes (default 104857600 = 100 MB; 0 turns files off).",
     "n"},
    {"file-quota-bytes",
     "Bytes of files one account, or one guest address, may keep on the server (default "
     "1073741824 = 1 GB).",
     "n"},
    {"file-bytes-per-second",
     "Upload and download pace of one connection, each, in bytes per second (default 67108864 = 64 "
     "MiB/s).",
     "n"},
    {"file-window-bytes",
     "Upload bytes a client may send ahead of the server's progress (default 1048576).", "n"},
};

// Reads an integer option and checks its range; records an error message otherwise.
class ValueReader
{
public:
    ValueReader(const QCommandLineParser &parser, const QSettings *file)
        : m_parser(parser), m_file(file)
    {}

    QString text(const char *name) const
    {
        const QString key = QLatin1String(name);
        if (m_parser.isSet(key))
            return m_parser.value(key);
        if (m_file && m_file->contains(key))
            return m_file->value(key).toString();
        return {};
    }

    template <typename T> void number(const char *name, T min, T max, T *out)
    {
        const QString value = text(name);
        if (value.isEmpty())
            return;
        bool ok = false;
        const double d = value.toDouble(&ok);
        const bool wholeOnly = std::is_integral_v<T>;
        // Written so that NaN (which QString::toDouble reads from "nan") fails the range check.
        if (!ok || !(d >= double(min) && d <= double(max)) ||
            (wholeOnly && d != double(qint64(d)))) {
            // The value in one arg() call with the rest: a later arg() would replace a "%3"
            // in what the operator wrote.
            const QString range = QStringLiteral("%1 to %2").arg(double(min)).arg(double(max));
            m_errors << QStringLiteral("--%1: '%2' is not a %3 from %4")
                            .arg(QLatin1String(name), value,
                                 wholeOnly ? QStringLiteral("whole number")
                                           : QStringLiteral("number"),
                                 range);
            return;
        }
        *out = T(d);
    }

    void fail(const QString &message) { m_errors << message; }
    QStringList errors() const { return m_errors; }

private:
    const QCommandLineParser &m_parser;
    const QSettings *m_file;
    QStringList m_errors;
};

} // namespace

QString ServerConfig::defaultDatabasePath()
{
    QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (dir.isEmpty())
        dir = QDir::currentPath();
    return dir + QStringLiteral("/server-history.sqlite");
}

std::optional<ServerConfig> ServerConfig::fromArguments(const QStringList &arguments,
                                                        QString *message, int *exitCode)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Confab relay server: chat rooms, presence, private messages and history."));
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    const QCommandLineOption configOption(QStringLiteral("config"),
                                          QStringLiteral("INI file with the options below."),
                                          QStringLiteral("file"));
    parser.addOption(configOption);
    for (const OptionSpec &spec : kOptions) {
        parser.addOption(QCommandLineOption(QLatin1String(spec.name),
                                            QLatin1String(spec.description),
                                            QLatin1String(spec.valueName)));
    }

    *exitCode = 0;
    if (!parser.parse(arguments)) {
        *message = parser.errorText() + QStringLiteral("\nRun with --help for the options.\n");
        *exitCode = 2;
        return std::nullopt;
    }
    if (parser.isSet(helpOption)) {
        *message = parser.helpText();
        return std::nullopt;
    }
    if (parser.isSet(versionOption)) {
        *message = QStringLiteral("confab-server %1\n").arg(QLatin1String(CONFAB_VERSION));
        return std::nullopt;
    }
    if (!parser.positionalArguments().isEmpty()) {
        *message =
            QStringLiteral("unexpected argument '%1'\n").arg(parser.positionalArguments().first());
        *exitCode = 2;
        return std::nullopt;
    }

    std::optional<QSettings> file;
    if (parser.isSet(configOption)) {
        const QString path = parser.value(configOption);
        if (!QFileInfo(path).isReadable()) {
            *message = QStringLiteral("cannot read config file '%1'\n").arg(path);
            *exitCode = 2;
            return std::nullopt;
        }
        file.emplace(path, QSettings::IniFormat);
        if (file->status() != QSettings::NoError) {
            *message = QStringLiteral("config file '%1' is not a valid INI file\n").arg(path);
            *exitCode = 2;
            return std::nullopt;
        }
        // A misspelt key must not be ignored silently: the operator thinks it is in force.
        QStringList known;
        for (const OptionSpec &spec : kOptions)
            known << QLatin1String(spec.name);
        for (const QString &key : file->allKeys()) {
            if (!known.contains(key)) {
                *message = QStringLiteral("config file '%1': unknown key '%2' (keys are the long "
                                          "option names, outside any [section])\n")
                               .arg(path, key);
                *exitCode = 2;
                return std::nullopt;
            }
        }
    }

    ServerConfig c;
    ValueReader r(parser, file ? &*file : nullptr);
    if (const QString listen = r.text("listen"); !listen.isEmpty()) {
        if (!c.listenAddress.setAddress(listen))
            r.fail(QStringLiteral("--listen: '%1' is not an IP address").arg(listen));
    }
    r.number<quint16>("port", 0, 65535, &c.port);
    c.databasePath = r.text("database");
    const bool accountsFile = !r.text("accounts-file").isEmpty();
    if (PostgresUrl::looksLikeUrl(c.databasePath)) {
        QString why;
        c.postgres = PostgresUrl::parse(c.databasePath, &why);
        if (!c.postgres)
            r.fail(why);
        // The URL (and its password) is kept in `postgres` alone, never in a file name.
        c.databasePath.clear();
        // Refused rather than ignored: an operator who set it expects the accounts there,
        // and would otherwise find them missing without a word.
        if (accountsFile)
            r.fail(QStringLiteral("--accounts-file: with a postgresql:// --database the accounts "
                                  "are kept in PostgreSQL now, beside the history, so that "
                                  "every server on it knows the same accounts; remove the "
                                  "option (docs/deploy.md)"));
    } else if (accountsFile) {
        r.fail(QStringLiteral("--accounts-file is not used: a SQLite --database keeps the "
                              "accounts itself, and a postgresql:// one keeps them in "
                              "PostgreSQL"));
    }
    if (c.databasePath.isEmpty())
        c.databasePath = defaultDatabasePath();
    if (const QString redis = r.text("redis"); !redis.isEmpty()) {
        QString why;
        c.redis = RedisUrl::parse(redis, &why);
        if (!c.redis)
            r.fail(why);
    }
    if (const QString sync = r.text("sync"); !sync.isEmpty()) {
        if (sync == QLatin1String("full"))
            c.fullSync = true;
        else if (sync != QLatin1String("normal"))
            r.fail(QStringLiteral("--sync: '%1' must be 'normal' or 'full'").arg(sync));
    }
    r.number("max-connections", 1, 1000000, &c.maxConnections);
    r.number("max-connections-per-address", 1, 1000000, &c.maxConnectionsPerAddress);
    r.number("rate-limit", 0.1, 1e7, &c.limits.ratePerSecond);
    r.number("rate-burst", 1, 10000000, &c.limits.rateBurst);
    r.number("flood-strikes", 1, 1000000, &c.floodStrikes);
    r.number<qint64>("max-message-bytes", 256, 1 << 24, &c.limits.maxMessageBytes);
    r.number("max-text-chars", 1, 1 << 22, &c.limits.maxTextChars);
    r.number<qint64>("max-queued-bytes", 1024, qint64(1) << 32, &c.maxQueuedBytes);
    double ping = c.pingIntervalMs / 1000.0;
    double idle = c.idleTimeoutMs / 1000.0;
    r.number("ping-interval", 0.05, 3600.0, &ping);
    r.number("idle-timeout", 0.1, 86400.0, &idle);
    double upgrade = c.handshakeTimeoutMs / 1000.0;
    r.number("upgrade-timeout", 0.1, 600.0, &upgrade);
    c.handshakeTimeoutMs = int(upgrade * 1000);
    double login = c.loginTimeoutMs / 1000.0;
    r.number("login-timeout", 0.1, 86400.0, &login);
    c.loginTimeoutMs = int(login * 1000);
    double presence = c.presenceIntervalMs / 1000.0;
    r.number("presence-interval", 0.0, 60.0, &presence);
    c.presenceIntervalMs = int(presence * 1000);
    c.pingIntervalMs = int(ping * 1000);
    c.idleTimeoutMs = int(idle * 1000);
    if (c.idleTimeoutMs <= c.pingIntervalMs)
        r.fail(QStringLiteral("--idle-timeout must be longer than --ping-interval"));
    r.number("history-page", 1, 10000, &c.limits.historyPageMax);
    r.number("call-ring-seconds", 1, 600, &c.limits.callRingSeconds);
    r.number("seed-history", 0, 1000, &c.seedHistoryMessages);
    if (const QString level = r.text("log-level"); !level.isEmpty()) {
        static const QStringList levels{QStringLiteral("debug"), QStringLiteral("info"),
                                        QStringLiteral("warning"), QStringLiteral("error")};
        if (levels.contains(level))
            c.logLevel = level;
        else
            r.fail(QStringLiteral("--log-level: '%1' must be one of %2")
                       .arg(level, levels.join(QStringLiteral(", "))));
    }
    c.tlsCertificate = r.text("tls-cert");
    c.tlsKey = r.text("tls-key");
    if (c.tlsCertificate.isEmpty() != c.tlsKey.isEmpty())
        r.fail(QStringLiteral("--tls-cert and --tls-key go together"));
    r.number("plain-port", 0, 65535, &c.plainPort);
    if (c.plainPort >= 0 && c.tlsCertificate.isEmpty())
        r.fail(QStringLiteral("--plain-port is for a server with --tls-cert (without it, --port "
                              "is plain already)"));
    if (const QString policy = r.text("registration"); !policy.isEmpty()) {
        if (!AuthPolicy::registrationFromName(policy, &c.auth.registration))
            r.fail(
                QStringLiteral("--registration: '%1' must be open, invite or closed").arg(policy));
    }
    if (const QString guests = r.text("guests"); !guests.isEmpty()) {
        if (guests == QLatin1String("allow") || guests == QLatin1String("deny"))
            c.auth.guests = guests == QLatin1String("allow");
        else
            r.fail(QStringLiteral("--guests: '%1' must be allow or deny").arg(guests));
    }
    r.number("token-days", 1, 36500, &c.tokenDays);
    r.number("hash-threads", 1, 256, &c.hashThreads);
    r.number("hash-queue", 1, 100000, &c.hashQueue);
    r.number("max-pending-upgrades-per-address", 1, 1000000, &c.maxPendingUpgradesPerAddress);
    r.number("max-connections-per-account", 1, 10000, &c.maxConnectionsPerAccount);
    r.number("max-calls-per-address", 1, 100000, &c.maxCallsPerAddress);
    c.trustedProxies = r.text("trusted-proxy");
    if (!c.trustedProxies.isEmpty()) {
        AddressList list;
        QString why;
        if (!list.parse(c.trustedProxies, &why))
            r.fail(QStringLiteral("--trusted-proxy: %1").arg(why));
    }
    if (const QString proxy = r.text("proxy-protocol"); !proxy.isEmpty()) {
        if (proxy == QLatin1String("on") || proxy == QLatin1String("off"))
            c.proxyProtocol = proxy == QLatin1String("on");
        else
            r.fail(QStringLiteral("--proxy-protocol: '%1' must be on or off").arg(proxy));
        if (c.proxyProtocol && c.trustedProxies.isEmpty())
            r.fail(QStringLiteral("--proxy-protocol needs --trusted-proxy"));
        if (c.proxyProtocol && !c.tlsCertificate.isEmpty())
            r.fail(QStringLiteral("--proxy-protocol works with plain ws only: let the proxy "
                                  "terminate TLS"));
    }
    r.number<qint64>("send-bytes-per-second", 1, qint64(1) << 40, &c.limits.sendBytesPerSecond);
    r.number<qint64>("send-bytes-burst", 1, qint64(1) << 40, &c.limits.sendBytesBurst);
    r.number<qint64>("room-bytes-per-second", 1, qint64(1) << 40, &c.roomBytesPerSecond);
    r.number<qint64>("room-bytes-burst", 1, qint64(1) << 40, &c.roomBytesBurst);
    r.number<qint64>("inbox-bytes-per-second", 1, qint64(1) << 40, &c.inboxBytesPerSecond);
    r.number<qint64>("inbox-bytes-burst", 1, qint64(1) << 40, &c.inboxBytesBurst);
    r.number<qint64>("history-bytes", 1024, qint64(1) << 32, &c.limits.historyBytes);
    r.number<qint64>("history-bytes-per-second", 1024, qint64(1) << 40, &c.historyBytesPerSecond);
    r.number<qint64>("history-bytes-burst", 1024, qint64(1) << 40, &c.historyBytesBurst);
    r.number<qint64>("max-file-bytes", 0, qint64(1) << 40, &c.limits.maxFileBytes);
    r.number<qint64>("file-quota-bytes", 0, qint64(1) << 50, &c.limits.fileQuotaBytes);
    c.filesDir = r.text("files-dir");
    if (c.filesDir.isEmpty() && !c.postgres)
        c.filesDir = c.databasePath + QStringLiteral("-files");
    if (c.filesDir.isEmpty())
        c.limits.maxFileBytes = 0; // PostgreSQL without a shared folder: no files
    if (c.limits.maxFileBytes == 0)
        c.filesDir.clear();
    r.number<qint64>("file-bytes-per-second", 65536, qint64(1) << 40, &c.fileBytesPerSecond);
    // At least a chunk, or no upload could move; at most 16 MiB (what it lets wait in the
    // kernel's buffers ahead of the uploader's chat).
    r.number<qint64>("file-window-bytes", 65536, 16LL * 1024 * 1024, &c.limits.fileWindowBytes);
    // A burst smaller than one allowed message would refuse that message for ever.
    // (A message costs its text's UTF-8 plus 128; its text is at most the JSON's size.)
    const qint64 largest = c.limits.maxMessageBytes + 128;
    if (c.limits.sendBytesBurst < largest || c.roomBytesBurst < largest ||
        c.inboxBytesBurst < largest)
        r.fail(QStringLiteral("--send-bytes-burst, --room-bytes-burst and --inbox-bytes-burst must "
                              "be at least --max-message-bytes + 128"));
    if (!r.errors().isEmpty()) {
        *message = r.errors().join(QLatin1Char('\n')) + QLatin1Char('\n');
        *exitCode = 2;
        return std::nullopt;
    }
    return c;
}
