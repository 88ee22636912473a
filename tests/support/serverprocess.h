#pragma once

#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

// A real confab-server process on 127.0.0.1 with a free port and its own SQLite file.
// The binary comes from $CONFAB_SERVER_BIN (set by CTest).
class ServerProcess
{
public:
    explicit ServerProcess(const QStringList &extraArguments = {});
    ~ServerProcess();

    // Starts the server and waits for its "listening on" line. Reuses the same database and
    // port on a restart, so clients can reconnect to the same address.
    bool start();
    bool stop(); // SIGTERM, waits for a clean exit; true if exit code 0
    void kill(); // SIGKILL: no chance to flush anything
    QUrl url() const;
    quint16 port() const { return m_port; }
    QString databasePath() const { return m_dir.filePath(QStringLiteral("history.sqlite")); }
    QString log() const { return m_log; }
    QProcess &process() { return m_process; }

private:
    static quint16 freePort();

    QTemporaryDir m_dir;
    QStringList m_extra;
    QProcess m_process;
    quint16 m_port = 0;
    QString m_log;
};
