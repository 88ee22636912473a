#pragma once

#include "callregistry.h"
#include "clientconnection.h"
#include "messagestore.h"
#include "protocol/requestdecoder.h"
#include "serverconfig.h"
#include "wireframe.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QWebSocketServer>

#include <memory>
#include <unordered_map>
#include <vector>

// Open TCP connections, in total and per peer address.
struct AddressCounts
{
    int total = 0;
    QHash<QString, int> perAddress;
};

// Lives as a child of one accepted socket and holds its place in AddressCounts until the
// socket is deleted, however that happens.
class AddressSlot : public QObject
{
public:
    AddressSlot(std::shared_ptr<AddressCounts> counts, const QString &address, QObject *socket);
    ~AddressSlot() override;

private:
    std::shared_ptr<AddressCounts> m_counts;
    QString m_address;
};

// The relay: one public room, presence, private routing, history, limits. All of it runs on
// the thread that owns the object; nothing blocks except SQLite commits (grouped per
// event-loop turn).
class ChatServer : public QObject
{
    Q_OBJECT
public:
    ChatServer(const ServerConfig &config, MessageStore *store, QObject *parent = nullptr);
    ~ChatServer() override;

    bool listen(QString *error);
    quint16 port() const;
    int connectionCount() const { return int(m_connections.size()); }
    int onlineCount() const { return int(m_room.size()); }
    QStringList onlineUsers() const;

    // Stops accepting, tells every client why, and emits drained() once all are closed.
    void shutdown();

signals:
    void drained();

private:
    struct Pending
    {
        QPointer<QWebSocket> sender;
        ChatMessage message;
        bool duplicate = false;
    };

    void acceptTcpConnections();
    void acceptWebSockets();
    void onText(ClientConnection *c, const QString &text);
    void onBinary(ClientConnection *c, const QByteArray &data);
    // Rate limit: false when over it; closes the connection after too many strikes.
    bool takeToken(ClientConnection *c);
    void onDisconnected(QWebSocket *socket);
    void leaveRoom(ClientConnection *c, const QString &reason);

    void handleLogin(ClientConnection *c, const ClientRequest &r);
    void handleChat(ClientConnection *c, const ClientRequest &r);
    void handleHistory(ClientConnection *c, const ClientRequest &r);
    void handleTyping(ClientConnection *c, const ClientRequest &r);
    void handleCall(ClientConnection *c, const ClientRequest &r);
    void relayMedia(ClientConnection *c, const QByteArray &packet);
    void endCallOf(ClientConnection *c, const QString &reason);
    void ringTimeout(quint32 callId);

    // Queues one ready-made frame (WireFrame) to the receiver.
    void send(ClientConnection *c, const QByteArray &frame);
    void sendBytes(ClientConnection *c, const QByteArray &json) { send(c, WireFrame::text(json)); }
    // A message with the user list: head (MessageEncoder::loginHead), the list, "}".
    void sendWithUserList(ClientConnection *c, const QByteArray &head);
    void sendError(ClientConnection *c, ErrorCode code, const QString &ref, Dialect dialect);
    void closeWith(ClientConnection *c, ErrorCode code);
    void dropSlowConsumers();

    void scheduleTurnEnd();
    void endTurn();
    void writeOut(ClientConnection *c);
    void checkQueued(ClientConnection *c);
    void flush();
    void relay(const ChatMessage &message);
    void announce(ClientConnection *joined, bool login);
    void flushPresence();
    void checkKeepalive();

    // m_room's names as one JSON array, as login confirmations and seed presence carry it.
    const QByteArray &userListJson();

    ClientConnection *connectionFor(QWebSocket *socket) const;
    qint64 now() const { return m_clock.elapsed(); }

    ServerConfig m_config;
    MessageStore *m_store;
    RequestDecoder m_decoder;
    QTcpServer m_tcp;
    QWebSocketServer m_webSockets;
    QElapsedTimer m_clock;
    QTimer m_keepalive;

    std::unordered_map<QWebSocket *, std::unique_ptr<ClientConnection>> m_connections;
    QHash<QString, ClientConnection *> m_online; // by NameRules::key
    std::vector<ClientConnection *> m_room;      // logged-in users in join order
    int m_seedMembers = 0;
    // The `user_list` of m_room, serialised: a join appends its name, a leave only marks it
    // stale, and the next use rebuilds it. So a login costs a copy of these bytes instead
    // of serialising every name again (which made n logins O(n^2) JSON work).
    QByteArray m_userListJson = QByteArrayLiteral("[]");
    bool m_userListStale = false;
    QHash<QString, QString> m_presenceChanges; // name key -> name, touched since the last batch
    QTimer m_presenceTimer;
    struct Upgrading
    {
        QPointer<QTcpSocket> socket;
        qint64 sinceMs = 0;
    };
    std::shared_ptr<AddressCounts> m_addresses = std::make_shared<AddressCounts>();
    QHash<QString, Upgrading> m_upgrading; // accepted, WebSocket handshake not done yet

    CallRegistry m_calls;
    qint64 m_mediaDropped = 0; // packets not queued to receivers that fell behind

    std::vector<Pending> m_pending;
    bool m_turnEndScheduled = false;
    std::vector<ClientConnection *> m_dirty; // receivers with frames gathered this turn
    std::vector<ClientConnection *> m_slow;
    bool m_shuttingDown = false;
};
