// ServerConfig::fromArguments: the server's command line and its INI file (--config).
// Input format: command-line arguments separated by '\n'; if there is a NUL byte, what follows
// it is the INI file, written to a file in /dev/shm (memory) and passed as --config.
// Besides crashes this checks the promises the rest of the server builds on when a
// configuration is accepted: every value within the range its option documents.
#include "fuzzcheck.h"
#include "serverconfig.h"

#include <QDir>
#include <QSettings>

#include <cmath>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

// One file for the whole run. QSettings keeps what it read from a file in a process-wide
// cache and reads the file again only when its size or modification time changed, so every
// input gets a modification time of its own. (A new name per input instead makes the cache
// grow, and libFuzzer then scans the heap for leaks after every input: 200 runs/s, not 2000.)
class ConfigFile
{
public:
    ConfigFile()
    {
        const QString dir = QDir(QStringLiteral("/dev/shm")).exists() ? QStringLiteral("/dev/shm")
                                                                      : QDir::tempPath();
        m_path = QStringLiteral("%1/confab-fuzz-serverconfig-%2.ini").arg(dir).arg(::getpid());
    }
    ~ConfigFile() { ::unlink(QFile::encodeName(m_path).constData()); }

    QString write(QByteArrayView contents)
    {
        const int fd = ::open(QFile::encodeName(m_path).constData(),
                              O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        FUZZ_REQUIRE(fd >= 0);
        FUZZ_REQUIRE(::write(fd, contents.data(), size_t(contents.size())) == contents.size());
        const timespec stamp{time_t(++m_inputs), 0};
        const timespec times[2] = {stamp, stamp};
        FUZZ_REQUIRE(::futimens(fd, times) == 0);
        ::close(fd);
        return m_path;
    }

private:
    QString m_path;
    qint64 m_inputs = 0;
};

void checkAccepted(const ServerConfig &c)
{
    FUZZ_REQUIRE(c.maxConnections >= 1 && c.maxConnectionsPerAddress >= 1);
    FUZZ_REQUIRE(c.limits.ratePerSecond >= 0.1 && c.limits.ratePerSecond <= 1e7);
    FUZZ_REQUIRE(c.limits.rateBurst >= 1 && c.floodStrikes >= 1);
    FUZZ_REQUIRE(c.limits.maxMessageBytes >= 256 && c.limits.maxTextChars >= 1);
    FUZZ_REQUIRE(c.maxQueuedBytes >= 1024);
    FUZZ_REQUIRE(c.pingIntervalMs >= 50 && c.idleTimeoutMs > c.pingIntervalMs);
    FUZZ_REQUIRE(c.loginTimeoutMs >= 100 && c.presenceIntervalMs >= 0);
    FUZZ_REQUIRE(c.limits.historyPageMax >= 1 && c.limits.callRingSeconds >= 1);
    FUZZ_REQUIRE(c.seedHistoryMessages >= 0 && c.tokenDays >= 1);
    FUZZ_REQUIRE(c.hashThreads >= 1 && c.hashQueue >= 1 && c.maxPendingUpgradesPerAddress >= 1);
    FUZZ_REQUIRE(c.tlsCertificate.isEmpty() == c.tlsKey.isEmpty());
    FUZZ_REQUIRE(!c.proxyProtocol || (!c.trustedProxies.isEmpty() && c.tlsCertificate.isEmpty()));
    FUZZ_REQUIRE(c.limits.sendBytesBurst >= c.limits.maxMessageBytes);
    FUZZ_REQUIRE(c.roomBytesBurst >= c.limits.maxMessageBytes);
    FUZZ_REQUIRE(c.inboxBytesBurst >= c.limits.maxMessageBytes);
    FUZZ_REQUIRE(!c.databasePath.isEmpty());
    if (c.postgres) {
        FUZZ_REQUIRE(!c.postgres->user.isEmpty() && !c.postgres->host.isEmpty());
        FUZZ_REQUIRE(!c.postgres->database.isEmpty() && c.postgres->port >= 1);
        FUZZ_REQUIRE(!c.postgres->display().contains(QLatin1Char('\n')));
    }
    if (c.redis) {
        FUZZ_REQUIRE(!c.redis->host.isEmpty() && c.redis->port >= 1);
        // What the logs and messages show is a URL that reads back as the same server.
        const std::optional<RedisUrl> again = RedisUrl::parse(c.redis->display(), nullptr);
        FUZZ_REQUIRE(again && again->host == c.redis->host && again->port == c.redis->port);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ConfigFile configFile;

    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    const qsizetype nul = input.indexOf('\0');
    QStringList arguments{QStringLiteral("confab-server")};
    for (const QByteArray &line :
         input.first(nul < 0 ? input.size() : nul).toByteArray().split('\n')) {
        const QString argument = QString::fromUtf8(line);
        // The harness's own file is the only one read: "--config /dev/zero" would never end.
        if (!argument.contains(QLatin1String("config"), Qt::CaseInsensitive))
            arguments.append(argument);
    }
    QString iniFile;
    if (nul >= 0) {
        iniFile = configFile.write(input.sliced(nul + 1));
        arguments << QStringLiteral("--config") << iniFile;
    }
    QString message;
    int exitCode = -1;
    const std::optional<ServerConfig> config =
        ServerConfig::fromArguments(arguments, &message, &exitCode);
    if (config) {
        FUZZ_REQUIRE(exitCode == 0);
        checkAccepted(*config);
    } else {
        FUZZ_REQUIRE((exitCode == 0 || exitCode == 2) && !message.isEmpty());
    }
    return 0;
}
