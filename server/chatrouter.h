#pragma once

#include "accounts/accountservice.h"
#include "asyncmessagestore.h"
#include "bus/bus.h"
#include "clientconnection.h"
#include "roster.h"
#include "serverconfig.h"
#include "transport/sendbudget.h"
#include "transport/transport.h"

#include <QObject>
#include <QPointer>
#include <QWebSocket>

#include <functional>
#include <vector>

// Chat routing with the group commit: a message is checked (recipient, send budget), stored
// in the turn's batch, and relayed to the room or to both sides' devices and acknowledged
// when its batch is committed (docs/architecture.md, "Group commit"). Typing notices go the
// same ways without being stored.
class ChatRouter : public QObject
{
    Q_OBJECT
public:
    using ConnectionOf = std::function<ClientConnection *(const QPointer<QWebSocket> &)>;

    ChatRouter(const ServerConfig &config, AsyncMessageStore *store, Transport *transport,
               Roster *roster, SendBudget *budget, AccountService *accounts,
               ConnectionOf connectionOf, QObject *parent = nullptr);
    // Hands what is pending to the store (which commits it); nobody is acknowledged.
    ~ChatRouter() override;

    // With several nodes: stored messages and typing are published on the bus too.
    void setBus(Bus *bus) { m_bus = bus; }

    void handleChat(ClientConnection *c, const ClientRequest &r);
    void handleTyping(ClientConnection *c, const ClientRequest &r);
    // An edit or delete of a stored message (docs/protocol.md section 5.5): authorised and
    // applied by the store in the turn's batch, then relayed to whoever has the message.
    void handleChange(ClientConnection *c, const ClientRequest &r);
    // An emoji reaction given or taken back (docs/protocol.md section 5.7): checked and
    // stored like an edit, then relayed as a `reaction` to whoever has the message.
    void handleReaction(ClientConnection *c, const ClientRequest &r);
    // A delivered or read receipt (docs/protocol.md section 19): checked and stored in the
    // turn's batch like a reaction, then the markers as they are now go to the devices of the
    // sender of the messages, never to anyone else; one that moves nothing goes nowhere.
    void handleReceipt(ClientConnection *c, const ClientRequest &r);
    // The markers another node stored, for this node's devices of the identity they are for.
    void receiptFromBus(const QString &toKey, const QString &toIdentity, const ReceiptInfo &receipt)
    {
        relayReceipt(toKey, toIdentity, receipt);
    }
    // A private message the server writes itself (a call's entry, CallRelay::callRecorded):
    // stored with the turn's batch and relayed like a user's, acknowledged to nobody.
    void storeServerMessage(const ChatMessage &message, const MessageParties &parties);
    // Sends the messages received so far to the store as one batch (at the end of a turn),
    // unless a batch is there already: then they wait for it and the next batch grows.
    void flush();
    // What another node stored or a user there typed, for this node's sessions.
    void relayFromBus(const ChatMessage &message, const MessageParties &parties)
    {
        relay(message, parties);
    }
    // An edit or delete another node stored: the message as it is now, to this node's
    // sessions that have it.
    void changeFromBus(const ChatMessage &message, const MessageParties &parties)
    {
        relay(message, parties, true);
    }
    void typingFromBus(const QString &from, const QString &to, bool typing);
    // A reaction another node stored, for this node's sessions that have the message.
    void reactionFromBus(const ChatMessage &message, const MessageParties &parties,
                         const BusReaction &reaction)
    {
        relayReaction(message, parties, reaction);
    }

private:
    struct Pending
    {
        QPointer<QWebSocket> sender;
        AsyncMessageStore::Item item;
        qint64 size = 0; // what it holds, counted against kMaxWaitingBytes
    };

    // A chat message whose recipient is known (or that has none): budgets, then the batch.
    void route(ClientConnection *c, const ClientRequest &r);
    void accept(ClientConnection *c, const ClientRequest &r, const QString &to,
                const QString &recipient);
    // Routes the messages that waited for a lookup, until one starts another.
    void releaseHeld(ClientConnection *c);
    void batchStored(const std::vector<QPointer<QWebSocket>> &senders,
                     std::vector<AsyncMessageStore::Item> items, const QString &error);
    // A new message, or (`update`) a stored one as it is after a change, to its receivers.
    void relay(const ChatMessage &message, const MessageParties &parties, bool update = false);
    // A reaction to the Confab sessions that have the message (the seed page knows none).
    void relayReaction(const ChatMessage &message, const MessageParties &parties,
                       const BusReaction &reaction);
    // Markers to the Confab devices of `identity` (whose name key is `key`).
    void relayReceipt(const QString &key, const QString &identity, const ReceiptInfo &receipt);
    // Adds a change (edit, delete, reaction) to the turn's batch.
    void queueChange(ClientConnection *c, MessageChange change, qint64 size);
    void sendError(ClientConnection *c, ErrorCode code, const QString &ref);
    qint64 now() const { return m_transport.now(); }

    const ServerConfig &m_config;
    AsyncMessageStore *m_store;
    Transport &m_transport;
    Roster &m_roster;
    SendBudget &m_budget;
    AccountService &m_accounts;
    ConnectionOf m_connectionOf;
    Bus *m_bus = nullptr;
    std::vector<Pending> m_pending;
    qint64 m_pendingBytes = 0;
    int m_batchesInFlight = 0;  // sent to the store, not answered yet
    bool m_backlogFull = false; // said so in the log; cleared when a batch is answered
    bool m_closing = false;     // in the destructor
};
