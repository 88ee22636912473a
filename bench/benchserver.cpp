#include "benchserver.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTimer>

#include <algorithm>

#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

bool BenchServer::start(const QString &binary, const QStringList &extraArguments, QString *error)
{
    if (!m_dir.isValid()) {
        *error = QStringLiteral("no temporary directory");
        return false;
    }
    // The server's warnings go to our stderr; its stdout is read for the port.
    m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    // If the benchmark dies, the server goes with it.
    m_process.setChildProcessModifier([] { prctl(PR_SET_PDEATHSIG, SIGKILL); });
    m_process.start(binary,
                    QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1"),
                                QStringLiteral("--port"), QStringLiteral("0"),
                                QStringLiteral("--database"),
                                m_dir.filePath(QStringLiteral("history.sqlite")),
                                QStringLiteral("--log-level"), QStringLiteral("warning"),
                                // Below the descriptor limit, which it would warn of.
                                QStringLiteral("--max-connections"), QStringLiteral("1000")} +
                        extraArguments);
    if (!m_process.waitForStarted(10000)) {
        *error = QStringLiteral("cannot start %1: %2").arg(binary, m_process.errorString());
        return false;
    }
    static const QRegularExpression listening(QStringLiteral("listening on ws://[^:]+:(\\d+)"));
    QString out;
    const bool ok = BenchStats::waitFor(
        [&] {
            out += QString::fromUtf8(m_process.readAllStandardOutput());
            return listening.match(out).hasMatch() || m_process.state() == QProcess::NotRunning;
        },
        15000);
    const QRegularExpressionMatch match = listening.match(out);
    if (!ok || !match.hasMatch()) {
        *error = QStringLiteral("the server did not start: %1").arg(out.trimmed());
        return false;
    }
    m_port = quint16(match.captured(1).toUInt());
    return true;
}

void BenchServer::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    if (!m_process.waitForFinished(5000)) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

qint64 BenchServer::cpuTicks() const
{
    return BenchStats::procTicks(QString::number(pid()));
}

QStringList BenchServer::unlimited()
{
    const QString lots = QStringLiteral("1000000000");
    return {QStringLiteral("--rate-limit"),
            QStringLiteral("1000000"),
            QStringLiteral("--rate-burst"),
            QStringLiteral("1000000"),
            QStringLiteral("--send-bytes-per-second"),
            lots,
            QStringLiteral("--send-bytes-burst"),
            lots,
            QStringLiteral("--room-bytes-per-second"),
            lots,
            QStringLiteral("--room-bytes-burst"),
            lots,
            QStringLiteral("--inbox-bytes-per-second"),
            lots,
            QStringLiteral("--inbox-bytes-burst"),
            lots};
}

QString BenchServer::find(const QString &given)
{
    if (!given.isEmpty())
        return given;
    const QString env = qEnvironmentVariable("CONFAB_SERVER_BIN");
    if (!env.isEmpty())
        return env;
    const QDir here(QCoreApplication::applicationDirPath());
    for (const QString &candidate : {here.filePath(QStringLiteral("confab-server")),
                                     here.filePath(QStringLiteral("../server/confab-server"))}) {
        if (QFileInfo(candidate).isExecutable())
            return QDir::cleanPath(candidate);
    }
    return {};
}

namespace BenchStats {

double processCpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

qint64 procTicks(const QString &pid)
{
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    // "pid (comm) state ppid ... utime(14) stime(15)": comm may hold spaces, so count from ')'.
    const QByteArray line = f.readAll();
    const qsizetype close = line.lastIndexOf(')');
    if (close < 0)
        return -1;
    const QList<QByteArray> rest = line.mid(close + 2).split(' ');
    return rest.size() > 12 ? rest.at(11).toLongLong() + rest.at(12).toLongLong() : -1;
}

double ticksPerSecond()
{
    return double(sysconf(_SC_CLK_TCK));
}

Machine machine()
{
    QFile f(QStringLiteral("/proc/stat"));
    Machine m;
    if (!f.open(QIODevice::ReadOnly))
        return m;
    const QList<QByteArray> v = f.readLine().simplified().split(' ');
    if (v.size() < 9 || v.at(0) != "cpu")
        return m;
    // user nice system idle iowait irq softirq steal
    m.busy = v.at(1).toLongLong() + v.at(2).toLongLong() + v.at(3).toLongLong() +
             v.at(6).toLongLong() + v.at(7).toLongLong();
    m.idle = v.at(4).toLongLong() + v.at(5).toLongLong();
    m.steal = v.at(8).toLongLong();
    return m;
}

QString loadAverage()
{
    QFile f(QStringLiteral("/proc/loadavg"));
    if (!f.open(QIODevice::ReadOnly))
        return QStringLiteral("?");
    return QString::fromLatin1(f.readAll()).section(QLatin1Char(' '), 0, 2);
}

bool waitFor(const std::function<bool()> &pred, int timeoutMs)
{
    if (pred())
        return true;
    QEventLoop loop;
    QTimer poll;
    poll.setInterval(5);
    QElapsedTimer clock;
    clock.start();
    bool ok = false;
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (pred()) {
            ok = true;
            loop.quit();
        } else if (clock.elapsed() > timeoutMs) {
            loop.quit();
        }
    });
    poll.start();
    loop.exec();
    return ok;
}

double median(QList<double> values)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    return n % 2 ? values.at(n / 2) : (values.at(n / 2 - 1) + values.at(n / 2)) / 2;
}

} // namespace BenchStats
