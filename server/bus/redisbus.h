#pragma once

#include "bus.h"
#include "redisclient.h"
#include "redisurl.h"

#include <QHash>
#include <QJsonObject>
#include <QTimer>

// The bus over Redis (--redis): pub/sub channels for what happens, keys for what is (docs/
// deploy.md, "Several nodes"):
//
//   confab:room                  every node: public messages, public typing, joins and leaves
//   confab:node:<id>             one node: private messages, typing and call signals for
//                                its users
//   confab:media:<id>            one node: media packets of calls with a member there, as
//                                binary: the sending node's id (16 bytes), then the packet
//   confab:presence:<id>         hash: this node's users (key -> user) and "_v", the version of
//                                the last change; expires unless the node refreshes it
//   confab:name:<skeleton>       who holds a guest name: "<identity>\n<key>"; expires unless
//                                refreshed by the node that holds it
//
// A crashed node's users and names are free again after kTtlMs. Joins and leaves arrive at once
// on the room channel; every kRefreshMs each node also reads all presence hashes, which is how
// it learns of nodes that died and catches up after its own link was down.
class RedisBus : public Bus
{
    Q_OBJECT
public:
    static constexpr int kTtlMs = 15000;
    static constexpr int kRefreshMs = 4000;
    // Presence and names are refreshed every kRefreshMs; a snapshot bigger than this many users
    // per node is not believed (the hashes are ours, but Redis is shared infrastructure).
    static constexpr int kMaxUsersPerNode = 100000;

    explicit RedisBus(const RedisUrl &url, QObject *parent = nullptr);
    ~RedisBus() override;

    // Connects (and keeps reconnecting).
    void start();

    QString nodeId() const override { return m_node; }
    bool isConnected() const override { return m_up; }
    void claimName(const BusUser &user, QObject *context,
                   std::function<void(ErrorCode)> done) override;
    void releaseName(const BusUser &user) override;
    void handOverName(const BusUser &user) override;
    void publishReplaced(const QString &key, const QString &identity) override;
    void userJoined(const BusUser &user) override;
    void userLeft(const BusUser &user) override;
    void publishChat(const ChatMessage &message, const MessageParties &parties,
                     const QString &fromKey, const QString &toKey) override;
    void publishChange(const ChatMessage &message, const MessageParties &parties,
                       const QString &fromKey, const QString &toKey) override;
    void publishReaction(const ChatMessage &message, const MessageParties &parties,
                         const QString &fromKey, const QString &toKey,
                         const BusReaction &reaction) override;
    void publishReceipt(const QString &toKey, const QString &toIdentity,
                        const ReceiptInfo &receipt) override;
    void publishTyping(const QString &from, const QString &fromKey, const QString &to,
                       const QString &toKey, bool typing) override;
    QString nodeOf(const QString &key) const override;
    void publishCall(const QString &node, const BusCallEvent &event) override;
    void publishMedia(const QString &node, const QByteArray &packet) override;

private:
    struct RemoteNode
    {
        QHash<QString, BusUser> users; // by key
        qint64 version = 0;            // of the last change applied
    };

    void onConnected();
    void onDisconnected(const QString &reason);
    void onMessage(const QByteArray &channel, const QByteArray &payload);
    void refresh();
    void sync();
    void applySnapshot(const QString &node, const RedisReply &hash);
    void forgetNode(const QString &node);
    void addRemote(const QString &node, const BusUser &user);
    void removeRemote(const QString &node, const QString &key);
    // The nodes other than this one where a user with `key` is online.
    QStringList nodesWith(const QString &key) const;
    void publish(const QByteArray &channel, QJsonObject event);
    void publishTo(const QStringList &nodes, const QJsonObject &event);
    // A stored message (`kind` "chat" or "change") to the nodes that may have sessions for it.
    void publishMessage(const QString &kind, const ChatMessage &message,
                        const MessageParties &parties, const QString &fromKey, const QString &toKey,
                        const QJsonObject &extra = {});
    QByteArray claimValue(const BusUser &user) const;
    void writePresence(const BusUser &user);

    RedisClient m_redis;
    QString m_node;
    QByteArray m_presenceKey;
    QHash<QString, BusUser> m_local;   // this node's users, by key
    QHash<QString, QByteArray> m_held; // name claims this node holds: skeleton -> value
    QHash<QString, RemoteNode> m_remote;
    qint64 m_version = 0;
    bool m_up = false;
    bool m_syncing = false;
    QTimer m_refresh;
};
