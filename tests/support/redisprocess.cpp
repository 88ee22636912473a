#include "redisprocess.h"

#include <QDir>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace {

quint16 freePort()
{
    for (int attempt = 0; attempt < 200; ++attempt) {
        const auto candidate = quint16(20000 + QRandomGenerator::global()->bounded(12000));
        QTcpServer probe;
        if (probe.listen(QHostAddress::LocalHost, candidate))
            return candidate;
    }
    return 0;
}

} // namespace

RedisProcess::RedisProcess() : m_dir(QDir::tempPath() + QStringLiteral("/confab-redis-XXXXXX"))
{
    m_server.setProcessChannelMode(QProcess::MergedChannels);
    QObject::connect(&m_server, &QProcess::readyReadStandardOutput, &m_server,
                     [this] { m_log += QString::fromUtf8(m_server.readAllStandardOutput()); });
}

RedisProcess::~RedisProcess()
{
    stop();
}

bool RedisProcess::fail(const QString &why)
{
    m_error = why;
    return false;
}

QString RedisProcess::binary()
{
    const QString configured = qEnvironmentVariable("CONFAB_REDIS_SERVER");
    if (!configured.isEmpty())
        return QFileInfo(configured).isExecutable() ? configured : QString();
    return QStandardPaths::findExecutable(QStringLiteral("redis-server"));
}

bool RedisProcess::answersPing() const
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_port);
    if (!socket.waitForConnected(1000))
        return false;
    socket.write("PING\r\n");
    QByteArray answer;
    while (answer.size() < 7 && socket.waitForReadyRead(1000))
        answer += socket.readAll();
    // "-LOADING ..." or a refusal would not do: only the real answer counts.
    return answer.startsWith("+PONG\r\n");
}

bool RedisProcess::launch()
{
    m_log.clear();
    const pid_t parent = getpid();
    m_server.setWorkingDirectory(m_dir.path());
    // In the child, between fork and exec: only system calls.
    m_server.setChildProcessModifier([parent] {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(126);
    });
    m_server.start(binary(),
                   {QStringLiteral("--save"), QString(), QStringLiteral("--appendonly"),
                    QStringLiteral("no"), QStringLiteral("--port"), QString::number(m_port),
                    QStringLiteral("--bind"), QStringLiteral("127.0.0.1"), QStringLiteral("--dir"),
                    m_dir.path(), QStringLiteral("--daemonize"), QStringLiteral("no"),
                    QStringLiteral("--logfile"), QString()});
    if (!m_server.waitForStarted(30000))
        return fail(QStringLiteral("cannot run %1: %2").arg(binary(), m_server.errorString()));
    const bool up = QTest::qWaitFor(
        [&] { return m_server.state() == QProcess::NotRunning || answersPing(); }, 30000);
    if (up && m_server.state() == QProcess::Running)
        return true;
    if (m_server.state() == QProcess::Running)
        stop();
    else
        m_server.waitForFinished(10000);
    m_log += QString::fromUtf8(m_server.readAll());
    return fail(
        QStringLiteral("redis-server did not answer on port %1: %2").arg(m_port).arg(m_log));
}

bool RedisProcess::start()
{
    if (isRunning())
        return true;
    if (!m_dir.isValid())
        return fail(
            QStringLiteral("cannot create a temporary folder: %1").arg(m_dir.errorString()));
    if (binary().isEmpty())
        return fail(QStringLiteral("Redis is not installed: no redis-server on the PATH (or in "
                                   "$CONFAB_REDIS_SERVER). Install Debian's redis-server package "
                                   "(scripts/bootstrap does)"));
    if (m_port != 0)
        return launch(); // a restart: the clients know this port
    // A free port can be taken between the probe and the server's bind: try a few.
    for (int attempt = 0; attempt < 5; ++attempt) {
        m_port = freePort();
        if (m_port == 0)
            return fail(QStringLiteral("no free port on 127.0.0.1"));
        if (launch())
            return true;
        if (!m_log.contains(QLatin1String("Address already in use")))
            break;
    }
    m_port = 0;
    return false;
}

bool RedisProcess::stop()
{
    if (m_server.state() == QProcess::NotRunning)
        return true;
    const qint64 pid = m_server.processId();
    if (pid > 0)
        ::kill(pid_t(pid), SIGTERM);
    if (m_server.waitForFinished(30000))
        return m_server.exitStatus() == QProcess::NormalExit;
    kill();
    m_error = QStringLiteral("redis-server did not stop within 30 s");
    return false;
}

void RedisProcess::kill()
{
    if (m_server.state() == QProcess::NotRunning)
        return;
    m_server.kill(); // SIGKILL to this child only
    m_server.waitForFinished(10000);
}
