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
    bool isEncrypted() const { return m_encrypted; }
    // With --tls-cert and --plain-port: the plain ws:// address next to the wss:// one.
    QUrl plainUrl() const;

    // Options that lift the per-connection rate limit and the send budgets, for tests whose
    // point is not those limits.
    static QStringList unlimited();
    // Runs `confab-server admin --database <this server's file> arguments...`; the password,
    // when given, comes through $CONFAB_PASSWORD. Returns the exit code; *output gets stdout
    // and stderr.
    int admin(const QStringList &arguments, const QString &password = {},
              QString *output = nullptr) const;
    bool createAccount(const QString &name, const QString &password, bool isAdmin = false) const;
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
    bool m_encrypted = false;
    quint16 m_plainPort = 0;
    QString m_log;
};
