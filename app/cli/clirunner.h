#pragma once

#include "net/clientsession.h"
#include "settings/tokenstore.h"

#include <QObject>
#include <QStringList>
#include <QTimer>

#include <cstdio>

// confab-cli: one command against a server, for scripts and bots. Output is JSON lines on
// stdout; errors are one line on stderr; the exit code says what happened (see ExitCode).
class CliRunner : public QObject
{
    Q_OBJECT
public:
    enum ExitCode {
        Ok = 0,
        Usage = 2,
        CannotConnect = 3,
        LoginRefused = 4,
        MessageRejected = 5,
        TimedOut = 6,
    };

    CliRunner(FILE *out = stdout, FILE *err = stderr, QObject *parent = nullptr);

    // Parses the arguments and starts; finished(code) follows (at once for usage errors).
    void run(const QStringList &arguments);

signals:
    void finished(int exitCode);

private:
    void start();
    void forgetToken();
    void onOnline();
    void finish(int code, const QString &error = {});
    void print(const QJsonObject &object);

    FILE *m_out;
    FILE *m_err;
    ClientSession m_session;
    TokenStore m_tokens{QStringLiteral("confab-cli")};
    QUrl m_url;
    QString m_name;
    QString m_password;
    QString m_tokenKey;
    bool m_signOutAtEnd = false; // a password sign-in for one command leaves no token behind
    QTimer m_timeout;
    QString m_command;
    QStringList m_arguments;
    QString m_to;
    QString m_with;
    int m_limit = 50;
    int m_count = -1;
    int m_seen = 0;
    QString m_pendingId;
    QString m_historyRef;
    bool m_done = false;
};
