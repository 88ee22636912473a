#pragma once

#include "accounts/accountservice.h"
#include "asyncmessagestore.h"
#include "bus/bus.h"
#include "bus/nodereplay.h"
#include "callrelay.h"
#include "chatrouter.h"
#include "clientconnection.h"
#include "fileservice.h"
#include "messagesearch.h"
#include "protocol/requestdecoder.h"
#include "roster.h"
#include "serverconfig.h"
#include "transport/sendbudget.h"
#include "transport/transport.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <deque>
#include <vector>

// The relay: one public room, presence, sign-in, private routing and history; calls are
// CallRelay's. The transport (accepting, limits, the write path) is Transport's; the accounts'
// storage and password hashing are AccountService's. All of it runs on the thread that owns the
// object; nothing blocks: the message store runs on its own thread (AsyncMessageStore), messages
// are committed in batches (one per event-loop turn while the store keeps up, larger while it is
// busy) and relayed and acknowledged when their batch is.
class ChatServer : public QObject
{
    Q_OBJECT
public:
    // `store` is open and outlives the server.
    ChatServer(const ServerConfig &config, AsyncMessageStore *store, AsyncAccountStore *accounts,
               QObject *parent = nullptr);
    ~ChatServer() override;

    // Joins the other nodes of the service over `bus` (before listen(); it outlives the server).
    void setBus(Bus *bus);

    bool listen(QString *error);
    quint16 port() const { return m_transport.port(); }
    quint16 plainPort() const { return m_transport.plainPort(); }
    bool isEncrypted() const { return m_transport.isEncrypted(); }
    int connectionCount() const { return m_transport.connectionCount(); }
    int onlineCount() const { return m_roster.nameCount(); }
    QStringList onlineUsers() const { return m_roster.names(); }
    AccountService *accounts() { return &m_accounts; }

    // Stops accepting, tells every client why, and emits drained() once all are closed.
    void shutdown();

signals:
    void drained();

private:
    // Who a session is, once its name is checked.
    struct Identity
    {
        QString id; // MessageParties identity
        qint64 accountId = 0;
        qint64 tokenId = 0;
        bool admin = false;
    };

    void onText(ClientConnection *c, const QString &text);
    void onBinary(ClientConnection *c, const QByteArray &data);
    void onClosed(ClientConnection *c, const QString &reason);
    // Rate limit: false when over it; closes the connection after too many strikes.
    bool takeToken(ClientConnection *c);
    void leaveRoom(ClientConnection *c, const QString &reason);

    void handleLogin(ClientConnection *c, const ClientRequest &r);
    // A guest's login once the name is known to be no account's: false (and the error sent)
    // when it is refused.
    bool admitGuest(ClientConnection *c, const ClientRequest &r, Dialect dialect,
                    const QString &sessionIdentity);
    void handleRegister(ClientConnection *c, const ClientRequest &r);
    void handleAccountRequest(ClientConnection *c, const ClientRequest &r);
    void signedIn(ClientConnection *c, const ClientRequest &r, const AccountService::Outcome &o);
    void admit(ClientConnection *c, const QString &name, Dialect dialect, const Identity &who,
               const QString &newToken = {});
    void onTokensRevoked(qint64 accountId, const QList<qint64> &tokenIds);
    void onAccountDisabled(qint64 accountId);
    ClientConnection *connectionOf(const QPointer<QWebSocket> &socket) const;

    void handleHistory(ClientConnection *c, const ClientRequest &r);
    void pumpHistory(ClientConnection *c);
    void historyDelivered(ClientConnection *c);

    void send(ClientConnection *c, const QByteArray &frame) { m_transport.send(c, frame); }
    void sendBytes(ClientConnection *c, const QByteArray &json);
    void sendError(ClientConnection *c, ErrorCode code, const QString &ref, Dialect dialect,
                   qint64 retryAfterMs = 0);
    void replaySeedHistory(ClientConnection *c);
    // nameJoined: the name came online (false: another device of an account already online).
    void announce(ClientConnection *joined, bool login, const LoginInfo *info = nullptr,
                  bool nameJoined = true);
    void flushPresence();
    // A name came online (login) or went offline: seed pages are told at once, Confab clients
    // in the next presence batch. `except` is the connection that logged in, told already.
    void announceChange(const QString &name, const QString &key, bool login,
                        const ClientConnection *except);
    static BusUser busUser(const ClientConnection *c);
    void setGreeting(bool severalNodes);
    void onRemoteJoined(const QString &node, const BusUser &user);
    void onRemoteLeft(const QString &node, const QString &key);
    void onBusLink(bool up);
    void onSessionReplaced(const QString &key, const QString &identity);

    qint64 now() const { return m_transport.now(); }

    ServerConfig m_config;
    AsyncMessageStore *m_store;
    AccountService m_accounts;
    RequestDecoder m_decoder;
    Transport m_transport;
    SendBudget m_budget;
    QTimer m_housekeeping;

    QHash<QWebSocket *, ClientConnection *> m_bySocket;
    Roster m_roster;
    QHash<QString, QString> m_presenceChanges; // name key -> name, touched since the last batch
    QTimer m_presenceTimer;

    Bus *m_bus = nullptr;
    bool m_busWasUp = false;
    ChatRouter m_router;
    CallRelay m_callRelay;  // after m_transport, m_config and the presence it asks
    NodeReplay m_replay;    // after m_router, which it relays through
    MessageSearch m_search; // after m_router, which it flushes
    FileService m_files;    // after m_router, through which files become messages
    qint64 m_historyBytesInFlight = 0;
    std::deque<QWebSocket *> m_historyWaiting; // by socket: a closed one is simply skipped
    bool m_shuttingDown = false;
};
