#pragma once

#include <QProcess>
#include <QString>
#include <QTemporaryDir>

// A throwaway Redis for tests: `redis-server` as a child process on 127.0.0.1 with a free port,
// nothing saved (--save '' --appendonly no), its working folder a temporary one. start() waits
// until it answers PING. After stop() it can be started again on the same port, so that
// clients see their server come back.
//
// The binary is $CONFAB_REDIS_SERVER, else redis-server from the PATH (Debian's redis-server
// package, which scripts/bootstrap installs). The server also gets SIGTERM if the test process
// dies first (PR_SET_PDEATHSIG; call start() from the main thread). Only the process this
// object started is ever signalled.
class RedisProcess
{
public:
    RedisProcess();
    ~RedisProcess();
    RedisProcess(const RedisProcess &) = delete;
    RedisProcess &operator=(const RedisProcess &) = delete;

    // Starts the server (on the port of the last start, if there was one) and waits until it
    // answers PING. False with error() saying why, e.g. that Redis is not installed.
    bool start();
    // SIGTERM (Redis' own clean shutdown), and waits for the exit.
    bool stop();
    // SIGKILL: a Redis that dies without closing anything itself.
    void kill();
    bool isRunning() const { return m_server.state() != QProcess::NotRunning; }

    quint16 port() const { return m_port; }
    QString host() const { return QStringLiteral("127.0.0.1"); }
    QString url() const { return QStringLiteral("redis://127.0.0.1:%1").arg(m_port); }
    QString error() const { return m_error; }
    QString log() const { return m_log; }
    static QString binary();

private:
    bool launch();
    bool answersPing() const;
    bool fail(const QString &why);

    QTemporaryDir m_dir;
    QProcess m_server;
    quint16 m_port = 0;
    QString m_error;
    QString m_log;
};
