#include "chatrouter.h"

#include "protocol/messageencoder.h"
#include "protocol/namerules.h"
#include "protocol/textrules.h"
#include "replies.h"
#include "transport/wireframe.h"

#include <QDateTime>
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcServer)

namespace {
// What a typing notice costs from the send budget (about its frame).
constexpr qint64 kTypingBytes = 64;
// What a reaction costs from the send budget (its relay: the summary of section 5.7).
constexpr qint64 kReactionBytes = 512;
// What a receipt costs from the send budget toward its sender (about its frame).
constexpr qint64 kReceiptBytes = 64;
// What messages waiting for the store may hold (texts plus their bookkeeping), while the
// batch before them is being committed. Reached only when the store stalls (a database that
// hangs, a disk that stops): then new messages are answered store_failed, to be resent, and
// memory stays bounded however long the stall lasts.
constexpr qint64 kMaxWaitingBytes = 16 * 1024 * 1024;
constexpr qint64 kItemOverheadBytes = 512;
// Messages of one sender waiting behind an account lookup: a round trip's worth of typing.
constexpr size_t kMaxHeldChats = 16;
constexpr qint64 kMaxHeldChatBytes = 64 * 1024;
constexpr int kMaxBatchesInFlight = 2;
} // namespace

ChatRouter::ChatRouter(const ServerConfig &config, AsyncMessageStore *store, Transport *transport,
                       Roster *roster, SendBudget *budget, AccountService *accounts,
                       ConnectionOf connectionOf, QObject *parent)
    : QObject(parent), m_config(config), m_store(store), m_transport(*transport), m_roster(*roster),
      m_budget(*budget), m_accounts(*accounts), m_connectionOf(std::move(connectionOf))
{}

ChatRouter::~ChatRouter()
{
    // What was received goes to the store even now (the store outlives the server and
    // commits it); nobody is left to acknowledge it to, so its sender resends it later and
    // the duplicate check keeps it single.
    m_batchesInFlight = 0;
    m_closing = true; // an inline store answers at once: nothing is relayed from here
    flush();
}

void ChatRouter::sendError(ClientConnection *c, ErrorCode code, const QString &ref)
{
    Replies::sendError(m_transport, c, code, ref, c->dialect);
}

void ChatRouter::handleChat(ClientConnection *c, const ClientRequest &r)
{
    if (!c->chatLookupPending)
        return route(c, r);
    const qint64 bytes = TextRules::utf8Size(r.content);
    if (c->heldChats.size() >= kMaxHeldChats || c->heldChatBytes + bytes > kMaxHeldChatBytes)
        return sendError(c, ErrorCode::RateLimited, r.ref);
    c->heldChats.push_back(r);
    c->heldChatBytes += bytes;
}

void ChatRouter::route(ClientConnection *c, const ClientRequest &r)
{
    if (r.to.isEmpty())
        return accept(c, r, QString(), QString());
    const QString toKey = NameRules::key(r.to);
    if (toKey == c->nameKey)
        return sendError(c, ErrorCode::BadRecipient, r.ref);
    // Private history belongs to identities: an account (also while offline) or the guest
    // online now. A name that is neither has nobody to keep the message for.
    if (const ClientConnection *recipient = m_roster.newestDevice(toKey))
        return accept(c, r, recipient->name, recipient->identity); // the name as they spell it
    // Whether the name is an account's is the store's to say: with PostgreSQL a round trip
    // this thread does not wait for.
    c->chatLookupPending = true;
    m_accounts.accountByKey(toKey, [this, socket = QPointer<QWebSocket>(c->socket), r,
                                    toKey](const std::optional<Account> &account, bool failed) {
        ClientConnection *still = m_connectionOf(socket);
        if (!still)
            return;
        still->chatLookupPending = false;
        if (still->closing) {
            still->heldChats.clear();
            still->heldChatBytes = 0;
            return;
        }
        if (const ClientConnection *recipient = m_roster.newestDevice(toKey))
            accept(still, r, recipient->name, recipient->identity); // came online meanwhile
        else if (account)
            accept(still, r, account->name, QStringLiteral("a%1").arg(account->id));
        else if (const BusUser *remote = m_roster.remoteUser(toKey))
            accept(still, r, remote->name, remote->identity); // a guest on another node
        else
            sendError(still, failed ? ErrorCode::StoreFailed : ErrorCode::UserOffline, r.ref);
        releaseHeld(still);
    });
}

void ChatRouter::releaseHeld(ClientConnection *c)
{
    while (!c->chatLookupPending && !c->heldChats.empty()) {
        const ClientRequest next = std::move(c->heldChats.front());
        c->heldChats.pop_front();
        c->heldChatBytes -= TextRules::utf8Size(next.content);
        route(c, next);
    }
}

void ChatRouter::accept(ClientConnection *c, const ClientRequest &r, const QString &to,
                        const QString &recipient)
{
    ChatMessage m;
    m.from = c->name;
    m.to = to;
    m.content = r.content;
    m.clientId = r.ref;
    m.replyTo = r.replyTo;
    m.file = r.file; // a file message (FileService): its text is the file's name and size
    m.timestampMs = QDateTime::currentMSecsSinceEpoch();
    MessageParties parties{c->identity, recipient};
    // What this message makes the server send, paid for from the sender's budget (and the
    // room's or the recipient's): the text, plus the envelope around it.
    // A reply carries a quote of up to kQuoteChars characters too.
    const qint64 cost = TextRules::utf8Size(r.content) + 128 +
                        (r.replyTo > 0 ? 4 * ChatMessage::kQuoteChars : 0) +
                        (r.file ? TextRules::utf8Size(r.file->name) + 192 : 0);
    if (!to.isEmpty()) {
        if (!m_budget.takePrivate(c->budgetKey(), NameRules::key(to), cost, now()))
            return sendError(c, ErrorCode::RateLimited, r.ref);
    } else {
        if (!m_budget.takePublic(c->budgetKey(), cost, now()))
            return sendError(c, ErrorCode::RateLimited, r.ref);
        if (!r.file) // a file's name mentions nobody
            m.mentions = TextRules::mentions(m.content, m_config.limits.maxNameChars);
    }

    const qint64 size = TextRules::utf8Size(m.content) + kItemOverheadBytes;
    if (m_pendingBytes + size > kMaxWaitingBytes) {
        if (!m_backlogFull) {
            m_backlogFull = true;
            qCWarning(lcServer).noquote()
                << "the message store is not keeping up:" << m_pending.size()
                << "messages wait for it; new messages are refused (store_failed) until it does";
        }
        return sendError(c, ErrorCode::StoreFailed, r.ref);
    }
    m_pendingBytes += size;
    m_pending.push_back(Pending{c->socket, {std::move(m), parties}, size});
    m_transport.scheduleTurnEnd();
}

void ChatRouter::handleChange(ClientConnection *c, const ClientRequest &r)
{
    MessageChange change;
    change.kind = r.type == ClientRequest::Type::Edit ? MessageChange::Kind::Edit
                                                      : MessageChange::Kind::Delete;
    change.seq = r.seq;
    change.actor = c->identity;
    change.content = r.content;
    change.ref = r.ref;
    change.timestampMs = QDateTime::currentMSecsSinceEpoch();
    if (change.kind == MessageChange::Kind::Edit)
        change.mentions = TextRules::mentions(r.content, m_config.limits.maxNameChars);
    // Paid for like a new message of its size: it goes to as many receivers. Whether the
    // message is private is the store's to say, so the room's bucket pays for either.
    const qint64 cost = TextRules::utf8Size(r.content) + 128;
    if (!m_budget.takePublic(c->budgetKey(), cost, now()))
        return sendError(c, ErrorCode::RateLimited, r.ref);
    queueChange(c, std::move(change), TextRules::utf8Size(r.content) + kItemOverheadBytes);
}

void ChatRouter::queueChange(ClientConnection *c, MessageChange change, qint64 size)
{
    if (m_pendingBytes + size > kMaxWaitingBytes)
        return sendError(c, ErrorCode::StoreFailed, change.ref);
    AsyncMessageStore::Item item;
    item.change = std::move(change);
    m_pendingBytes += size;
    m_pending.push_back(Pending{c->socket, std::move(item), size});
    m_transport.scheduleTurnEnd();
}

void ChatRouter::handleReaction(ClientConnection *c, const ClientRequest &r)
{
    MessageChange change;
    change.kind = r.type == ClientRequest::Type::React ? MessageChange::Kind::React
                                                       : MessageChange::Kind::Unreact;
    change.seq = r.seq;
    change.actor = c->identity;
    change.actorName = c->name;
    change.emoji = r.emoji;
    change.ref = r.ref;
    change.timestampMs = QDateTime::currentMSecsSinceEpoch();
    // Paid for like a short message (a token of the message rate was taken already): what it
    // makes the server send is the message's reaction summary, bounded by the limits of
    // section 5.7, to everyone who has the message. Taking one back costs the same, so
    // toggling cannot flood the others either.
    if (!m_budget.takePublic(c->budgetKey(), kReactionBytes, now()))
        return sendError(c, ErrorCode::RateLimited, r.ref);
    queueChange(c, std::move(change), kItemOverheadBytes);
}

void ChatRouter::handleReceipt(ClientConnection *c, const ClientRequest &r)
{
    const QString peerKey = NameRules::key(r.with);
    if (peerKey == c->nameKey)
        return sendError(c, ErrorCode::BadRecipient, r.ref);
    // Paid for from the private bucket toward the sender, like a typing notice, and like one
    // dropped without a reply when it is spent: a client that sends a receipt for every
    // message it shows (or floods them) loses nothing that the next one does not say, since
    // each carries everything up to its seq. The message rate took its token already.
    if (!m_budget.takePrivate(c->budgetKey(), peerKey, kReceiptBytes, now()))
        return;
    MessageChange change;
    change.kind = MessageChange::Kind::Receipt;
    change.seq = r.seq;
    change.actor = c->identity;
    change.actorName = c->name;
    change.peerKey = peerKey;
    change.receiptRead = r.receiptRead;
    change.ref = r.ref;
    change.timestampMs = QDateTime::currentMSecsSinceEpoch();
    queueChange(c, std::move(change), kItemOverheadBytes);
}

void ChatRouter::relayReceipt(const QString &key, const QString &identity,
                              const ReceiptInfo &receipt)
{
    // By identity, as the messages themselves: a later guest of the sender's name is somebody
    // else, and the seed page knows no receipts.
    const QByteArray payload = WireFrame::text(MessageEncoder::receipt(receipt));
    for (ClientConnection *c : m_roster.devicesOf(key)) {
        if (c->identity == identity && c->dialect == Dialect::Confab)
            m_transport.send(c, payload);
    }
}

void ChatRouter::storeServerMessage(const ChatMessage &message, const MessageParties &parties)
{
    // No sender connection (nothing to acknowledge) and no budget: at most one per call, and
    // calls are bounded. It waits for the store like any message, even behind a stall.
    const qint64 size = TextRules::utf8Size(message.content) + kItemOverheadBytes;
    m_pendingBytes += size;
    m_pending.push_back(Pending{{}, {message, parties}, size});
    m_transport.scheduleTurnEnd();
}

void ChatRouter::flush()
{
    // At most two batches at the store: while one commits, the next waits there, so that the
    // store thread starts it the moment the first is done instead of idling for a round trip
    // through this thread. A third gathers here meanwhile, so a slow disk (or database) makes
    // batches larger instead of queueing many small ones.
    if (m_pending.empty() || m_batchesInFlight >= kMaxBatchesInFlight)
        return;
    std::vector<QPointer<QWebSocket>> senders;
    std::vector<AsyncMessageStore::Item> items;
    senders.reserve(m_pending.size());
    items.reserve(m_pending.size());
    for (Pending &p : m_pending) {
        senders.push_back(p.sender);
        items.push_back(std::move(p.item));
    }
    m_pending.clear();
    m_pendingBytes = 0;
    ++m_batchesInFlight;
    m_store->storeBatch(std::move(items), this,
                        [this, senders = std::move(senders)](
                            std::vector<AsyncMessageStore::Item> stored, const QString &error) {
                            if (!m_closing)
                                batchStored(senders, std::move(stored), error);
                        });
}

void ChatRouter::batchStored(const std::vector<QPointer<QWebSocket>> &senders,
                             std::vector<AsyncMessageStore::Item> items, const QString &error)
{
    --m_batchesInFlight;
    if (m_backlogFull) {
        m_backlogFull = false;
        qCInfo(lcServer).noquote() << "the message store answers again";
    }
    using R = MessageStore::AppendResult;
    int failed = 0;
    for (size_t i = 0; i < items.size(); ++i) {
        const AsyncMessageStore::Item &item = items[i];
        ClientConnection *c = m_connectionOf(senders[i]);
        if (item.change) {
            // Answered by the change itself, which reaches the sender's devices too; only a
            // refusal is answered to the sender alone.
            if (item.result == R::Failed)
                ++failed;
            const ErrorCode refusal =
                item.result == R::Failed ? ErrorCode::StoreFailed : item.refusal;
            if (refusal != ErrorCode::None) {
                if (c)
                    sendError(c, refusal, item.change->ref);
                continue;
            }
            if (item.change->kind == MessageChange::Kind::Receipt) {
                if (item.unchanged)
                    continue; // the markers did not move: nobody needs telling
                const ReceiptInfo receipt{item.receipt.readerName, item.receipt.delivered,
                                          item.receipt.read};
                const QString toKey = NameRules::key(item.message.from);
                relayReceipt(toKey, item.parties.sender, receipt);
                if (m_bus)
                    m_bus->publishReceipt(toKey, item.parties.sender, receipt);
                continue;
            }
            if (item.change->isReaction()) {
                if (item.unchanged)
                    continue; // there already, or already gone: nobody needs telling
                const BusReaction reaction{item.change->actorName, item.change->emoji,
                                           item.change->kind == MessageChange::Kind::React};
                relayReaction(item.message, item.parties, reaction);
                if (m_bus)
                    m_bus->publishReaction(item.message, item.parties,
                                           NameRules::key(item.message.from),
                                           NameRules::key(item.message.to), reaction);
                continue;
            }
            relay(item.message, item.parties, true);
            if (m_bus)
                m_bus->publishChange(item.message, item.parties, NameRules::key(item.message.from),
                                     NameRules::key(item.message.to));
            continue;
        }
        if (item.result == R::Failed) {
            ++failed;
            if (c)
                sendError(c, ErrorCode::StoreFailed, item.message.clientId);
            continue;
        }
        if (item.refusal != ErrorCode::None) { // a reply to what its receivers may not see
            if (c)
                sendError(c, item.refusal, item.message.clientId);
            continue;
        }
        if (item.result == R::Stored) {
            relay(item.message, item.parties);
            if (m_bus)
                m_bus->publishChat(item.message, item.parties, NameRules::key(item.message.from),
                                   NameRules::key(item.message.to));
        }
        // Seed clients send no id and would not understand an ack.
        if (c && !item.message.clientId.isEmpty())
            Replies::sendJson(m_transport, c,
                              MessageEncoder::ack(item.message.clientId, item.message.seq,
                                                  item.message.timestampMs,
                                                  item.result == R::Duplicate));
    }
    if (failed)
        qCWarning(lcServer).noquote()
            << "cannot store" << failed << "of" << items.size() << "messages:" << error;
    flush(); // what gathered meanwhile
}

void ChatRouter::relay(const ChatMessage &message, const MessageParties &parties, bool update)
{
    // Serialised and framed once per dialect, not once per receiver. The seed page gets a
    // change as a new message (MessageEncoder::seedUpdate).
    const QByteArray confab = WireFrame::text(
        update ? MessageEncoder::update(message) : MessageEncoder::chat(message, Dialect::Confab));
    QByteArray seed;
    auto payloadFor = [&](const ClientConnection *c) -> const QByteArray & {
        if (c->dialect == Dialect::Confab)
            return confab;
        if (seed.isEmpty())
            seed = WireFrame::text(update ? MessageEncoder::seedUpdate(message)
                                          : MessageEncoder::chat(message, Dialect::Seed));
        return seed;
    };
    if (message.isPrivate()) {
        // Every device of both: the sender's others show what it wrote elsewhere. By identity,
        // not by name alone: the batch was stored after a turn or more, and a guest who left
        // meanwhile may have passed its name on to someone else.
        const QString fromKey = NameRules::key(message.from);
        const QString toKey = NameRules::key(message.to);
        for (ClientConnection *c : m_roster.devicesOf(fromKey)) {
            if (c->identity == parties.sender)
                m_transport.send(c, payloadFor(c));
        }
        if (toKey != fromKey) {
            for (ClientConnection *c : m_roster.devicesOf(toKey)) {
                if (c->identity == parties.recipient)
                    m_transport.send(c, payloadFor(c));
            }
        }
        return;
    }
    for (ClientConnection *c : m_roster.members()) {
        // A seed page still waiting for its catch-up gets this message in it.
        if (!c->seedReplayPending)
            m_transport.send(c, payloadFor(c));
    }
}

void ChatRouter::relayReaction(const ChatMessage &message, const MessageParties &parties,
                               const BusReaction &reaction)
{
    const QByteArray payload = WireFrame::text(
        MessageEncoder::reaction(message, reaction.by, reaction.emoji, reaction.added));
    if (message.isPrivate()) {
        // The two identities' devices only, as for the message itself (relay()).
        const QString fromKey = NameRules::key(message.from);
        const QString toKey = NameRules::key(message.to);
        auto sendTo = [&](const QString &key, const QString &identity) {
            for (ClientConnection *c : m_roster.devicesOf(key)) {
                if (c->identity == identity && c->dialect == Dialect::Confab)
                    m_transport.send(c, payload);
            }
        };
        sendTo(fromKey, parties.sender);
        if (toKey != fromKey)
            sendTo(toKey, parties.recipient);
        return;
    }
    for (ClientConnection *c : m_roster.members()) {
        if (c->dialect == Dialect::Confab)
            m_transport.send(c, payload);
    }
}

void ChatRouter::handleTyping(ClientConnection *c, const ClientRequest &r)
{
    const QByteArray payload = WireFrame::text(MessageEncoder::typing(c->name, r.to, r.typing));
    // Typing notices cost from the send budget too (without a reply: they are ephemeral), or
    // many connections could bury everyone in them within the message rate.
    if (!r.to.isEmpty()) {
        const QString toKey = NameRules::key(r.to);
        if (toKey == c->nameKey || !m_roster.isOnline(toKey) ||
            !m_budget.takePrivate(c->budgetKey(), toKey, kTypingBytes, now()))
            return;
        for (ClientConnection *to : m_roster.devicesOf(toKey)) {
            if (to->dialect == Dialect::Confab)
                m_transport.send(to, payload);
        }
        if (m_bus)
            m_bus->publishTyping(c->name, c->nameKey, r.to, toKey, r.typing);
        return;
    }
    if (!m_budget.takePublic(c->budgetKey(), kTypingBytes, now()))
        return;
    for (ClientConnection *other : m_roster.members()) {
        if (other->nameKey != c->nameKey && other->dialect == Dialect::Confab)
            m_transport.send(other, payload);
    }
    if (m_bus)
        m_bus->publishTyping(c->name, c->nameKey, {}, {}, r.typing);
}

void ChatRouter::typingFromBus(const QString &from, const QString &to, bool typing)
{
    const QByteArray payload = WireFrame::text(MessageEncoder::typing(from, to, typing));
    const QString fromKey = NameRules::key(from);
    if (!to.isEmpty()) {
        for (ClientConnection *c : m_roster.devicesOf(NameRules::key(to))) {
            if (c->dialect == Dialect::Confab)
                m_transport.send(c, payload);
        }
        return;
    }
    for (ClientConnection *c : m_roster.members()) {
        if (c->nameKey != fromKey && c->dialect == Dialect::Confab)
            m_transport.send(c, payload);
    }
}
