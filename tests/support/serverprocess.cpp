#include "serverprocess.h"

#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTest>

ServerProcess::ServerProcess(const QStringList &extraArguments) : m_extra(extraArguments)
{
    m_process.setProcessChannelMode(QProcess::SeparateChannels);
    QObject::connect(&m_process, &QProcess::readyReadStandardError, &m_process,
                     [this] { m_log += QString::fromUtf8(m_process.readAllStandardError()); });
}

ServerProcess::~ServerProcess()
{
    if (m_process.state() != QProcess::NotRunning)
        kill();
}

bool ServerProcess::start()
{
    const QString binary = qEnvironmentVariable("CONFAB_SERVER_BIN");
    if (binary.isEmpty()) {
        qWarning("CONFAB_SERVER_BIN is not set; run the tests through ctest");
        return false;
    }
    // A port below the ephemeral range, kept for restarts: a server started with --port 0
    // by a test running in parallel could otherwise take it while this one is down.
    const bool firstStart = m_port == 0;
    if (firstStart)
        m_port = freePort();
    QStringList args{QStringLiteral("--listen"),   QStringLiteral("127.0.0.1"),
                     QStringLiteral("--port"),     QString::number(m_port),
                     QStringLiteral("--database"), databasePath()};
    args += m_extra;
    m_process.start(binary, args);
    if (!m_process.waitForStarted(10000))
        return false;
    static const QRegularExpression listening(QStringLiteral("listening on (wss?)://[^:]+:(\\d+)"));
    QString out;
    const bool ok = QTest::qWaitFor(
        [&] {
            out += QString::fromUtf8(m_process.readAllStandardOutput());
            return listening.match(out).hasMatch() || m_process.state() == QProcess::NotRunning;
        },
        15000);
    const QRegularExpressionMatch match = listening.match(out);
    if (!ok || !match.hasMatch()) {
        m_process.waitForFinished(1000);
        m_log += QString::fromUtf8(m_process.readAllStandardError());
        if (firstStart && m_log.contains(QLatin1String("cannot listen"))) {
            m_port = 0; // taken since we looked: try another one
            m_log.clear();
            return start();
        }
        qWarning("server did not start: %s %s", qPrintable(out), qPrintable(m_log));
        return false;
    }
    m_encrypted = match.captured(1) == QLatin1String("wss");
    m_port = quint16(match.captured(2).toUInt());
    static const QRegularExpression plain(QStringLiteral("also listening on ws://[^:]+:(\\d+)"));
    out += QString::fromUtf8(m_process.readAllStandardOutput());
    m_plainPort = quint16(plain.match(out).captured(1).toUInt());
    return true;
}

quint16 ServerProcess::freePort()
{
    for (int attempt = 0; attempt < 200; ++attempt) {
        const auto candidate = quint16(20000 + QRandomGenerator::global()->bounded(12000));
        QTcpServer probe;
        if (probe.listen(QHostAddress::LocalHost, candidate))
            return candidate;
    }
    return 0;
}

bool ServerProcess::stop()
{
    m_process.terminate();
    // Under a sanitizer on a loaded machine an orderly shutdown (threads joined, files
    // closed, the leak check) can take a while: allow for it before calling it stuck.
    if (!m_process.waitForFinished(30000)) {
        qWarning("server did not stop within 30 s: %s", qPrintable(m_log.right(2000)));
        kill();
        return false;
    }
    m_log += QString::fromUtf8(m_process.readAllStandardError());
    const bool clean = m_process.exitStatus() == QProcess::NormalExit && m_process.exitCode() == 0;
    if (!clean)
        qWarning("server stopped with %s %d: %s",
                 m_process.exitStatus() == QProcess::NormalExit ? "exit code" : "a crash, code",
                 m_process.exitCode(), qPrintable(m_log.right(4000)));
    return clean;
}

void ServerProcess::kill()
{
    m_process.kill();
    m_process.waitForFinished(10000);
}

QUrl ServerProcess::url() const
{
    return QUrl(QStringLiteral("%1://127.0.0.1:%2")
                    .arg(m_encrypted ? QStringLiteral("wss") : QStringLiteral("ws"))
                    .arg(m_port));
}

QUrl ServerProcess::plainUrl() const
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(m_plainPort));
}

QStringList ServerProcess::unlimited()
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

int ServerProcess::admin(const QStringList &arguments, const QString &password,
                         QString *output) const
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (!password.isEmpty())
        env.insert(QStringLiteral("CONFAB_PASSWORD"), password);
    else
        env.remove(QStringLiteral("CONFAB_PASSWORD"));
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(qEnvironmentVariable("CONFAB_SERVER_BIN"),
            QStringList{QStringLiteral("admin"), QStringLiteral("--database"), databasePath()} +
                arguments);
    if (!p.waitForFinished(30000)) {
        p.kill();
        return -1;
    }
    if (output)
        *output = QString::fromUtf8(p.readAll());
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

bool ServerProcess::createAccount(const QString &name, const QString &password, bool isAdmin) const
{
    QStringList args{QStringLiteral("create"), name};
    if (isAdmin)
        args << QStringLiteral("--admin");
    QString output;
    const int code = admin(args, password, &output);
    if (code != 0)
        qWarning("admin create %s failed (%d): %s", qPrintable(name), code, qPrintable(output));
    return code == 0;
}
