#pragma once

#include "clientconnection.h"
#include "protocol/errorcode.h"
#include "serverconfig.h"
#include "transport/addresskey.h"

#include <QByteArrayView>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>
#include <QTcpServer>
#include <QTimer>
#include <QWebSocketServer>

#include <memory>
#include <unordered_map>
#include <vector>

// Open TCP connections, in total and per address key (AddressKey): those still upgrading or
// logging in, and guests, are counted apart, so that a full house of guests behind one NAT
// address does not stop its account holders from connecting to sign in.
struct AddressCounts
{
    int total = 0;
    QHash<QString, int> preLogin;
    QHash<QString, int> guests;
};

// Lives as a child of one accepted socket and holds its place in AddressCounts until the
// socket is deleted, however that happens. The address can change once (a trusted proxy tells
// the real one); a login moves it from the pre-login count to the guests', or out of the
// per-address counts altogether (accounts have a limit of their own).
//
// Q_OBJECT: so that findChild<AddressSlot *> finds it among the socket's other children.
class AddressSlot : public QObject
{
    Q_OBJECT
public:
    enum class Kind { PreLogin, Guest, Account };

    AddressSlot(std::shared_ptr<AddressCounts> counts, const QString &address, QObject *socket);
    ~AddressSlot() override;
    void moveTo(const QString &address);
    void setKind(Kind kind);
    Kind kind() const { return m_kind; }
    QString address() const { return m_address; }

private:
    QHash<QString, int> *table(Kind kind) const;
    void count(int delta);

    std::shared_ptr<AddressCounts> m_counts;
    QString m_address;
    Kind m_kind = Kind::PreLogin;
};

// The server's transport: accepting (plain or TLS), per-address and total limits, the upgrade
// to WebSocket with bounded buffers and a deadline, the write path with a bounded queue per
// receiver, keepalive and timeouts, and closing connections so that the client receives the
// reason. It knows nothing of chat: ChatServer gets each connection's messages as signals and
// hands back ready-made frames.
class Transport : public QObject
{
    Q_OBJECT
public:
    // Media: voice (and anything else that is not video), dropped only over the byte bound.
    // Video and Keyframe: also dropped once this receiver has been behind for longer than
    // kStaleVideoMs, and then every video frame up to a keyframe that is not stale (the
    // receiver could not decode them; it asks the sender for a keyframe when it sees the gap).
    // Longer than the sender's own bound (SessionSocket::kStaleVideoMs): a keyframe on a slow
    // link takes a few hundred ms by itself, and is no backlog.
    enum class Kind { Text, Media, Video, Keyframe };
    static constexpr qint64 kStaleVideoMs = 500;
    // What a stale receiver's queue holds at least before its video is dropped: less is a
    // frame or two on their way, not a backlog.
    static constexpr qint64 kStaleVideoMinBytes = 16 * 1024;
    // Unsent bytes the kernel may hold for a connection in a call (TCP_NOTSENT_LOWAT): the
    // rest waits in its OutQueue, where its age is known and stale video can be dropped.
    static constexpr int kCallKernelLowWater = 4 * 1024;
    // How often the media rate towards a receiver in a call sizes its kernel send buffer.
    static constexpr qint64 kSendBufferWindowMs = 500;

    explicit Transport(const ServerConfig &config, QObject *parent = nullptr);
    ~Transport() override;

    // The first message every connection gets (the protocol's handshake).
    void setGreeting(const QByteArray &json) { m_greeting = json; }
    bool listen(QString *error);
    quint16 port() const { return m_server ? m_server->serverPort() : 0; }
    // The plain ws:// port next to a wss:// one (--plain-port), 0 when there is none.
    quint16 plainPort() const { return m_plainServer ? m_plainServer->serverPort() : 0; }
    bool isEncrypted() const { return m_tls; }
    int connectionCount() const { return int(m_connections.size()); }
    // How many connections the descriptor limit and --max-connections allow together.
    int maxConnections() const { return m_maxConnections; }

    // Queues a ready-made frame (WireFrame). A receiver whose queue would pass
    // --max-queued-bytes is cut off (slow_consumer) before anything more is queued for it;
    // media is dropped already at a quarter of that. False when the frame was not queued.
    bool send(ClientConnection *c, const QByteArray &frame, Kind kind = Kind::Text);
    // Queues a text frame made of pieces (a head, a long shared list, a tail) without copying
    // them when the receiver's queue is empty: the pieces go to the kernel from where they are.
    bool sendPieces(ClientConnection *c, std::initializer_list<QByteArrayView> pieces);
    qint64 queuedBytes(const ClientConnection *c) const;

    // Sends the error (its JSON) and a close frame, stops reading, and waits briefly for the
    // client to close: closing at once with its messages unread made the kernel reset the
    // connection, and the client never saw why (issue: accounts, "flood ... sees 1006").
    void closeWith(ClientConnection *c, quint16 closeCode, const QByteArray &reason,
                   const QByteArray &lastMessage = {});
    // The error in `dialect` (before login: the dialect of the request being refused).
    void closeWithError(ClientConnection *c, ErrorCode code);
    void closeWithError(ClientConnection *c, ErrorCode code, Dialect dialect);
    // A guest login counts against --max-connections-per-address for guests; false when that
    // address has no room (the caller refuses the login).
    // evenIfFull: a guest resuming its session takes the place of its old connection.
    bool countAsGuest(ClientConnection *c, bool evenIfFull = false);
    // Accounts are counted per account, not per address (an office behind one NAT).
    void countAsAccount(ClientConnection *c);
    // In a call: media-sized messages allowed (and a read buffer to hold them); after it, not.
    void setLargeFrames(ClientConnection *c, bool allowed);
    // Upload-chunk-sized input (limits.fileChunkBytes) allowed on `c`, while it holds an upload.
    void setFileFrames(ClientConnection *c, bool allowed);
    // Sets what Qt may buffer of the connection's input for its state (login, chat, call).
    void applyReadLimits(ClientConnection *c);
    void scheduleTurnEnd();
    void shutdown();
    qint64 now() const { return m_clock.elapsed(); }
    qint64 mediaDropped() const { return m_mediaDropped; }
    qint64 staleVideoDropped() const { return m_staleVideoDropped; }
    template <typename F> void forEachConnection(F f)
    {
        for (auto &[socket, c] : m_connections)
            f(c.get());
    }

signals:
    // A WebSocket connection is up and has been greeted.
    void connectionOpened(ClientConnection *c);
    void textReceived(ClientConnection *c, const QString &text);
    void binaryReceived(ClientConnection *c, const QByteArray &data);
    // The connection is gone; `c` is deleted right after this signal.
    void connectionClosed(ClientConnection *c, const QString &reason);
    // The end of an event-loop turn, before the turn's frames are written (group commit).
    void turnEnding();
    // Everything queued for `c` reached the kernel (only when c->notifyDrained is set).
    void queueDrained(ClientConnection *c);
    // After shutdown(): every connection is closed.
    void drained();

private:
    struct Upgrading
    {
        QPointer<QTcpSocket> socket;
        qint64 sinceMs = 0;
        QString address;
    };

    class Listener;
    void accept(QTcpSocket *socket);
    void startUpgrade(QTcpSocket *socket);
    void readProxyHeader(QTcpSocket *socket);
    void acceptWebSockets();
    void onDisconnected(QWebSocket *socket);
    void endTurn();
    void writeOut(ClientConnection *c);
    void writeTls(ClientConnection *c);
    void afterWrite(ClientConnection *c);
    void markSlow(ClientConnection *c, qint64 queued, qint64 adding);
    void sizeSendBuffer(ClientConnection *c, qsizetype mediaBytes);
    void dropSlowConsumers();
    void checkTimeouts();
    void evictOldestUpgrade();
    ClientConnection *connectionFor(QWebSocket *socket) const;
    QString upgradeKey(QTcpSocket *socket) const;

    ServerConfig m_config;
    AddressList m_trustedProxies;
    std::unique_ptr<QTcpServer> m_server;
    std::unique_ptr<QTcpServer> m_plainServer;
    bool m_tls = false;
    QSslConfiguration m_sslConfiguration;
    QWebSocketServer m_webSockets;
    QElapsedTimer m_clock;
    QTimer m_keepalive;
    QByteArray m_greeting;
    int m_maxConnections = 0;
    int m_socketCeiling = 0; // sockets open at most: the descriptor limit keeps its headroom
    int m_maxPendingUpgrades = 0;

    std::unordered_map<QWebSocket *, std::unique_ptr<ClientConnection>> m_connections;
    std::shared_ptr<AddressCounts> m_addresses = std::make_shared<AddressCounts>();
    QHash<QString, Upgrading> m_upgrading; // accepted, WebSocket handshake not done yet
    QHash<QString, int> m_upgradingPerAddress;

    bool m_turnEndScheduled = false;
    std::vector<ClientConnection *> m_dirty; // receivers with frames queued this turn
    std::vector<ClientConnection *> m_slow;
    qint64 m_mediaDropped = 0;
    qint64 m_staleVideoDropped = 0;
    bool m_shuttingDown = false;
};
