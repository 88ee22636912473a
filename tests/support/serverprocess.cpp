#include "serverprocess.h"

#include <QRegularExpression>
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
    QStringList args{QStringLiteral("--listen"),   QStringLiteral("127.0.0.1"),
                     QStringLiteral("--port"),     QString::number(m_port),
                     QStringLiteral("--database"), databasePath()};
    args += m_extra;
    m_process.start(binary, args);
    if (!m_process.waitForStarted(10000))
        return false;
    static const QRegularExpression listening(QStringLiteral("listening on ws://[^:]+:(\\d+)"));
    QString out;
    const bool ok = QTest::qWaitFor(
        [&] {
            out += QString::fromUtf8(m_process.readAllStandardOutput());
            return listening.match(out).hasMatch() || m_process.state() == QProcess::NotRunning;
        },
        15000);
    const QRegularExpressionMatch match = listening.match(out);
    if (!ok || !match.hasMatch()) {
        qWarning("server did not start: %s %s", qPrintable(out), qPrintable(m_log));
        return false;
    }
    m_port = quint16(match.captured(1).toUInt());
    return true;
}

bool ServerProcess::stop()
{
    m_process.terminate();
    if (!m_process.waitForFinished(10000)) {
        kill();
        return false;
    }
    return m_process.exitStatus() == QProcess::NormalExit && m_process.exitCode() == 0;
}

void ServerProcess::kill()
{
    m_process.kill();
    m_process.waitForFinished(10000);
}

QUrl ServerProcess::url() const
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(m_port));
}
