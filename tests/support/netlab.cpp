#include "netlab.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QRegularExpression>
#include <QThread>

#include <cstdio>

#ifdef Q_OS_LINUX
#include <csignal>
#include <sys/prctl.h>
#endif

NetLab::NetLab()
{
    m_unavailable = qEnvironmentVariable("CONFAB_NETLAB_UNAVAILABLE");
    m_id = qEnvironmentVariable("CONFAB_NETLAB_ID");
    m_script = qEnvironmentVariable("CONFAB_NETLAB_SCRIPT");
    m_serverNs = qEnvironmentVariable("CONFAB_NETLAB_SERVER_NS");
    m_aliceHost = qEnvironmentVariable("CONFAB_NETLAB_ALICE_SERVER");
    m_bobHost = qEnvironmentVariable("CONFAB_NETLAB_BOB_SERVER");
    if (m_unavailable.isEmpty() && (m_id.isEmpty() || m_script.isEmpty() || m_serverNs.isEmpty() ||
                                    m_aliceHost.isEmpty() || m_bobHost.isEmpty())) {
        m_unavailable = QStringLiteral("not run inside tests/support/netlab.sh (run it as "
                                       "`tests/support/netlab.sh run -- PROGRAM`, as root)");
    }
}

NetLab::~NetLab()
{
    stopServer();
}

bool NetLab::startServer(const QString &binary, QString *error)
{
    QString bin = qEnvironmentVariable("CONFAB_SERVER_BIN");
    if (bin.isEmpty())
        bin = binary;
    if (!m_unavailable.isEmpty() || bin.isEmpty() || !m_dir.isValid()) {
        *error = m_unavailable.isEmpty() ? QStringLiteral("no confab-server or temporary directory")
                                         : m_unavailable;
        return false;
    }
    m_server.setProcessChannelMode(QProcess::SeparateChannels);
#ifdef Q_OS_LINUX
    // `ip netns exec` execs the server in the same process: it dies with us.
    m_server.setChildProcessModifier([] { prctl(PR_SET_PDEATHSIG, SIGKILL); });
#endif
    m_server.start(QStringLiteral("ip"),
                   {QStringLiteral("netns"), QStringLiteral("exec"), m_serverNs, bin,
                    QStringLiteral("--listen"), QStringLiteral("0.0.0.0"), QStringLiteral("--port"),
                    QStringLiteral("0"), QStringLiteral("--database"),
                    m_dir.filePath(QStringLiteral("history.sqlite")), QStringLiteral("--log-level"),
                    QStringLiteral("warning")});
    if (!m_server.waitForStarted(10000)) {
        *error = QStringLiteral("cannot start ip netns exec: %1").arg(m_server.errorString());
        return false;
    }
    static const QRegularExpression listening(QStringLiteral("listening on ws://[^ ]*:(\\d+)"));
    QString out;
    const QDeadlineTimer deadline(15000);
    while (!deadline.hasExpired() && m_server.state() != QProcess::NotRunning) {
        m_server.waitForReadyRead(100);
        out += QString::fromUtf8(m_server.readAllStandardOutput());
        const QRegularExpressionMatch match = listening.match(out);
        if (match.hasMatch()) {
            m_port = quint16(match.captured(1).toUInt());
            return true;
        }
    }
    *error = QStringLiteral("the server did not start: %1 %2")
                 .arg(out.trimmed(), QString::fromUtf8(m_server.readAllStandardError()).trimmed());
    return false;
}

void NetLab::stopServer()
{
    if (m_server.state() == QProcess::NotRunning)
        return;
    m_server.terminate();
    if (!m_server.waitForFinished(5000)) {
        m_server.kill();
        m_server.waitForFinished(5000);
    }
}

qint64 NetLab::serverPid() const
{
    return m_server.processId();
}

QUrl NetLab::aliceUrl() const
{
    return QUrl(QStringLiteral("ws://%1:%2").arg(m_aliceHost).arg(m_port));
}

QUrl NetLab::bobUrl() const
{
    return QUrl(QStringLiteral("ws://%1:%2").arg(m_bobHost).arg(m_port));
}

bool NetLab::setRate(const QString &which, const QString &rate, QString *error)
{
    QProcess tc;
    tc.setProcessChannelMode(QProcess::MergedChannels);
    tc.start(QStringLiteral("bash"), {m_script, QStringLiteral("rate"), m_id, which, rate});
    const bool done = tc.waitForFinished(10000);
    if (done && tc.exitStatus() == QProcess::NormalExit && tc.exitCode() == 0)
        return true;
    if (!done)
        tc.kill();
    if (error)
        *error = QStringLiteral("netlab.sh rate %1 %2: %3")
                     .arg(which, rate, QString::fromUtf8(tc.readAll()).trimmed());
    return false;
}

void NetLab::setRateAsync(const QString &which, const QString &rate)
{
    auto *tc = new QProcess(QCoreApplication::instance());
    tc->setProcessChannelMode(QProcess::MergedChannels);
    QObject::connect(tc, &QProcess::finished, tc, [tc, which, rate](int code) {
        if (code != 0)
            std::fprintf(stderr, "netlab: rate %s %s failed: %s\n", qPrintable(which),
                         qPrintable(rate), tc->readAll().constData());
        tc->deleteLater();
    });
    tc->start(QStringLiteral("bash"), {m_script, QStringLiteral("rate"), m_id, which, rate});
}
