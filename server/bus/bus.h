#pragma once

#include "messagestore.h"
#include "protocol/callreport.h"
#include "protocol/errorcode.h"
#include "protocol/messageencoder.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

// A user online on some node, as the other nodes see it.
struct BusUser
{
    QString key;      // NameRules::key
    QString name;     // as the user spelled it
    QString skeleton; // NameRules::skeleton: names that look alike share it
    QString identity; // MessageParties identity: private messages go by it
    bool guest = true;
};

// A call signal between the two nodes a call spans: what one member did, for the other
// member's node to pass on (docs/protocol.md section 12) and to follow in its own bookkeeping.
struct BusCallEvent
{
    QString type; // call_invite, call_ringing, call_accept, ... as clients get them; and
                  // call_unreachable: the callee's node has no device of it to ring
    quint32 id = 0;
    QString from; // the member who did it (name)
    QString to;   // call_invite: the callee (name)
    QStringList media;
    QStringList codecs;
    QString reason;
    // call_report: the receiver's figures for the sender's estimate (13.2), checked on both
    // nodes with CallReport::read.
    std::optional<CallReport> report = std::nullopt;
};

// A reaction given or taken back (docs/protocol.md section 5.7), beside the message it
// changed (with its reactions as they are now).
struct BusReaction
{
    QString by; // the name it shows under
    QString emoji;
    bool added = true;
};

// How a node hears about the users and messages of the other nodes of one service (several
// confab-server processes behind a load balancer, docs/deploy.md). A single process has none.
//
// Nothing on the bus is durable: the message store is the record, and the bus only tells the
// sessions that are live on other nodes. Everything is asynchronous: what is published leaves
// later, and what other nodes publish arrives as signals on this object's thread. While the
// bus is down each node keeps serving its own users (linkChanged(false)); the other nodes'
// users are then gone from this node's view until it is back.
class Bus : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    // This process' id among the nodes (new at every start).
    virtual QString nodeId() const = 0;
    virtual bool isConnected() const = 0;

    // Claims a guest's name across the nodes, by its confusable skeleton, so that no two nodes
    // admit the same name (or one that looks the same) at the same moment. done(None): this
    // node holds it and may admit the user (also when the bus is down: each node then decides
    // alone); NameTaken or NameConfusable: another session holds it. done is not called once
    // `context` is gone.
    virtual void claimName(const BusUser &user, QObject *context,
                           std::function<void(ErrorCode)> done) = 0;
    // The name's last session on this node is gone.
    virtual void releaseName(const BusUser &user) = 0;
    // A guest's session moved to another node, which holds the claim now: this node forgets
    // it without giving it up.
    virtual void handOverName(const BusUser &user) = 0;
    // This node admitted `identity` (a guest resuming its session) while another node still
    // lists it: that node closes the old connection (sessionReplaced).
    virtual void publishReplaced(const QString &key, const QString &identity) = 0;

    // This node's users coming and going.
    virtual void userJoined(const BusUser &user) = 0;
    virtual void userLeft(const BusUser &user) = 0;

    // A stored message (seq set), for the sessions on other nodes: the room's, or the
    // private conversation's two parties (their name keys).
    virtual void publishChat(const ChatMessage &message, const MessageParties &parties,
                             const QString &fromKey, const QString &toKey) = 0;
    // A stored message as it is after an edit or delete (docs/protocol.md section 5.5), for
    // the sessions on other nodes that have it: routed like publishChat.
    virtual void publishChange(const ChatMessage &message, const MessageParties &parties,
                               const QString &fromKey, const QString &toKey) = 0;
    // A reaction stored on this node, routed like publishChat.
    virtual void publishReaction(const ChatMessage &message, const MessageParties &parties,
                                 const QString &fromKey, const QString &toKey,
                                 const BusReaction &reaction) = 0;
    // Read receipts (docs/protocol.md section 19) stored on this node, for the devices of the
    // sender identity `toIdentity` (name key `toKey`) on the nodes where that name is online.
    virtual void publishReceipt(const QString &toKey, const QString &toIdentity,
                                const ReceiptInfo &receipt) = 0;
    // A typing notice; `to` empty for the room.
    virtual void publishTyping(const QString &from, const QString &fromKey, const QString &to,
                               const QString &toKey, bool typing) = 0;

    // A node where a user with this name key is online ("" when none).
    virtual QString nodeOf(const QString &key) const = 0;
    // Call signalling and media to the node of a call's other member. Media packets go as
    // they came (binary, header and all).
    virtual void publishCall(const QString &node, const BusCallEvent &event) = 0;
    virtual void publishMedia(const QString &node, const QByteArray &packet) = 0;

signals:
    // Users on other nodes (a name on several nodes, an account's devices, comes once per
    // node).
    void remoteUserJoined(const QString &node, const BusUser &user);
    void remoteUserLeft(const QString &node, const QString &key);
    // A message another node stored, to relay to this node's sessions. Each node publishes
    // its messages in seq order.
    void chatArrived(const QString &node, const ChatMessage &message,
                     const MessageParties &parties);
    // An edit or delete another node stored, to relay to this node's sessions that have the
    // message. Not replayed by NodeReplay: a change that the bus dropped shows in history.
    void changeArrived(const QString &node, const ChatMessage &message,
                       const MessageParties &parties);
    // A reaction another node stored, for this node's sessions that have the message.
    void reactionArrived(const QString &node, const ChatMessage &message,
                         const MessageParties &parties, const BusReaction &reaction);
    // A node's presence expired (it died, or lost the bus for longer than the presence TTL):
    // what it published may be missing, and it publishes nothing more.
    void nodeLost(const QString &node);
    // A node is back on the bus after losing it: what it published meanwhile is missing.
    void nodeReturned(const QString &node);
    void typingArrived(const QString &from, const QString &to, bool typing);
    void receiptArrived(const QString &toKey, const QString &toIdentity,
                        const ReceiptInfo &receipt);
    void callArrived(const QString &node, const BusCallEvent &event);
    void mediaArrived(const QString &node, const QByteArray &packet);
    // A session of this node's resumed on another one: close the old connection.
    void sessionReplaced(const QString &key, const QString &identity);
    // The bus was lost (false) or is back (true).
    void linkChanged(bool up);
};
