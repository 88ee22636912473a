#pragma once

#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

#include <functional>

// What the Qt benchmark programs that need a real confab-server share (the approach of
// callbench.cpp): the server as a child process on 127.0.0.1 with a free port and a fresh
// SQLite file, and the CPU figures read from /proc and getrusage.
class BenchServer
{
public:
    BenchServer() = default;
    ~BenchServer() { stop(); }
    BenchServer(const BenchServer &) = delete;
    BenchServer &operator=(const BenchServer &) = delete;

    // Starts `binary` with `extraArguments` after the listen, port, database and log options
    // and waits (at most 15 s) for its "listening on" line.
    bool start(const QString &binary, const QStringList &extraArguments, QString *error);
    // SIGTERM, SIGKILL after 5 s.
    void stop();

    QUrl url() const { return QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(m_port)); }
    qint64 pid() const { return m_process.processId(); }
    // utime + stime of the server process in clock ticks, -1 when unknown.
    qint64 cpuTicks() const;

    // The options that lift the server's rate limit and send budgets, as the tests'
    // ServerProcess::unlimited() (a benchmark of the client must not measure the limits).
    static QStringList unlimited();
    // --server-bin if given, else $CONFAB_SERVER_BIN, else next to this program or in
    // ../server/; "" when none is found.
    static QString find(const QString &given);

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
};

namespace BenchStats {

// CPU seconds (user + system) of this process so far.
double processCpuSeconds();
// utime + stime of /proc/<pid>/stat (or "self") in clock ticks, -1 when unreadable.
qint64 procTicks(const QString &pid);
double ticksPerSecond();

// The machine as a whole, from /proc/stat's "cpu" line, in clock ticks.
struct Machine
{
    qint64 busy = 0, idle = 0, steal = 0;
};
Machine machine();
QString loadAverage();

// Runs the event loop until pred() holds or timeoutMs has passed (polls every 5 ms: only for
// set-up steps, never inside a measured window).
bool waitFor(const std::function<bool()> &pred, int timeoutMs);

double median(QList<double> values);

} // namespace BenchStats
