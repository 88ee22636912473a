#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

// The program's side of tests/support/netlab.sh (issue 13's impaired links): a test or a
// benchmark run as `netlab.sh run -- PROGRAM` is in the "clients" namespace; the server goes in
// the "server" namespace, and each user reaches it over their own veth link, which setRate caps.
// Without that script around it (no root, no ip netns, or run by hand) unavailableReason() says
// why, for a QSKIP.
class NetLab
{
public:
    NetLab();
    ~NetLab();

    // Empty when the namespaces are there.
    QString unavailableReason() const { return m_unavailable; }
    // The server's address as alice's and as bob's link reach it.
    QString aliceHost() const { return m_aliceHost; }
    QString bobHost() const { return m_bobHost; }

    // Starts confab-server ($CONFAB_SERVER_BIN, else `binary`) in the server namespace,
    // listening on every address there, and waits (at most 15 s) for it to listen.
    bool startServer(const QString &binary, QString *error);
    void stopServer();
    quint16 serverPort() const { return m_port; }
    qint64 serverPid() const;
    QUrl aliceUrl() const;
    QUrl bobUrl() const;

    // Caps both directions of a link ("alice", "bob" or "both") with tbf, e.g. "500kbit", or
    // lifts the cap ("none"). Waits for tc (at most 10 s).
    bool setRate(const QString &which, const QString &rate, QString *error = nullptr);
    // The same without waiting (for a benchmark's event loop); the result is logged.
    void setRateAsync(const QString &which, const QString &rate);

private:
    QString m_unavailable;
    QString m_id, m_script, m_serverNs, m_aliceHost, m_bobHost;
    QTemporaryDir m_dir;
    QProcess m_server;
    quint16 m_port = 0;
};
