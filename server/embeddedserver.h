#pragma once

#include "serverconfig.h"

#include <QObject>
#include <QStringList>
#include <QThread>

#include <memory>

class ChatServer;
class AsyncAccountStore;
class AsyncMessageStore;

// The relay running inside the desktop client ("host on this computer"): the same server
// code on a SQLite file in the user's data folder, listening on all addresses so others on
// the LAN can join. It serves wss:// with a self-signed certificate made on the first run
// (kept next to the history, the key with mode 0600); others check its fingerprint, which the
// window shows next to the address. Anyone who can reach it may create an account.
// The relay runs on a thread of its own ("embedded server"): the stores, the accounts and the
// ChatServer are made, run and deleted there, so a busy window (a long layout, a modal
// dialog) never holds up the others' messages and calls. This object's methods are for the
// thread that made it; start() and stop() wait for the server thread.
class EmbeddedServer : public QObject
{
    Q_OBJECT
public:
    explicit EmbeddedServer(QObject *parent = nullptr);
    ~EmbeddedServer() override;

    // Starts on `port` (0 picks a free one). On failure returns false and explains why.
    // tls = false serves plain ws:// (tests, and a caller that wants no certificate).
    bool start(quint16 port, const QString &databasePath, QString *error, bool tls = true);
    void stop();
    bool isRunning() const { return m_running; }
    bool isEncrypted() const { return m_encrypted; }
    quint16 port() const { return m_port; }
    // The thread the relay runs on (for tests); running while isRunning().
    QThread *serverThread() { return &m_thread; }
    // Addresses others can use: this machine's non-loopback IPv4 addresses.
    QStringList lanAddresses() const;
    QString localAddress() const;
    // SHA-256 fingerprint of the certificate (CertificatePins::fingerprint), "" without TLS.
    QString fingerprint() const { return m_fingerprint; }

    static QString defaultDatabasePath();

private:
    QString scheme() const;

    // On m_thread: made, used and deleted there only.
    std::unique_ptr<AsyncMessageStore> m_store;
    std::unique_ptr<AsyncAccountStore> m_accounts;
    std::unique_ptr<ChatServer> m_server;
    QThread m_thread;
    QObject *m_context = nullptr; // lives on m_thread: where the work is sent
    // Read from the server when it started.
    bool m_running = false;
    bool m_encrypted = false;
    quint16 m_port = 0;
    QString m_fingerprint;
};
