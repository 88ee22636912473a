#pragma once

#include <QProcess>
#include <QString>
#include <QTemporaryDir>

// A throwaway PostgreSQL cluster for tests: initdb in a temporary folder, then `postgres` as a
// child process on 127.0.0.1 with a free port (no Unix socket), password authentication
// (scram-sha-256) for its one superuser. fsync is off: it is thrown away afterwards.
//
// PostgreSQL refuses to run as root, so when the tests run as root the cluster belongs to a
// system user `confabtest` (created with useradd when missing), and the programs run as that
// user. The binaries are the newest in /usr/lib/postgresql/*/bin (Debian's `postgresql`
// package, which scripts/bootstrap installs), or those in $CONFAB_POSTGRES_BIN.
//
// The destructor stops the server (a fast shutdown, like pg_ctl stop -m fast) and waits for it
// to exit; the server also gets that signal if the test process dies first (PR_SET_PDEATHSIG:
// strictly, when the thread that called start() ends, so call it from the main thread). Only
// the process this object started is ever signalled.
class PostgresProcess
{
public:
    PostgresProcess();
    ~PostgresProcess();
    PostgresProcess(const PostgresProcess &) = delete;
    PostgresProcess &operator=(const PostgresProcess &) = delete;

    // initdb (first time only), then the server, and waits until it accepts connections.
    // False with error() saying why, e.g. that PostgreSQL is not installed.
    bool start();
    // Fast shutdown; waits for the exit. The data stays for another start().
    bool stop();
    bool isRunning() const { return m_server.state() != QProcess::NotRunning; }

    // A new, empty database owned by the superuser; its postgresql:// URL (with the password),
    // or "" (and error()) on failure. `name` defaults to db1, db2...
    QString createDatabase(QString name = {});
    QString url(const QString &database) const;

    quint16 port() const { return m_port; }
    QString user() const { return QStringLiteral("confab"); }
    // Has characters that must be escaped in a URL, to test the escaping too.
    QString password() const { return m_password; }
    QString error() const { return m_error; }
    QString log() const { return m_log; }
    // The folder with initdb, postgres and createdb; "" when there is none.
    static QString binDir();

private:
    bool prepareUser();
    bool initCluster();
    bool startServer();
    void runAsClusterUser(QProcess &process) const;
    bool fail(const QString &why);

    QTemporaryDir m_dir;
    QString m_bin;
    QString m_password;
    QProcess m_server;
    quint16 m_port = 0;
    bool m_initialised = false;
    int m_databases = 0;
    // When running as root: the user that owns the cluster.
    bool m_dropPrivileges = false;
    uint m_uid = 0;
    uint m_gid = 0;
    QString m_error;
    QString m_log;
};
