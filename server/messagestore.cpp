#include "messagestore.h"

#include <QHash>
#include <QSet>

namespace {
void setQuote(ChatMessage &reply, const ChatMessage &original)
{
    reply.quoteFrom = original.from;
    reply.quoteDeleted = original.deleted;
    reply.quoteText = original.deleted ? QString() : ChatMessage::quoteOf(original.content);
}
} // namespace

ErrorCode MessageStore::checkReply(ChatMessage &reply, const MessageParties &parties)
{
    bool found = false;
    const std::optional<Stored> original = storedMessage(reply.replyTo, &found);
    if (!original)
        return ErrorCode::StoreFailed;
    if (!found)
        return ErrorCode::UnknownMessage;
    if (original->message.isPrivate()) {
        // The quote goes to the reply's receivers: a private original only into its own
        // conversation, never into the room or to a third user.
        const MessageParties &o = original->parties;
        const bool samePair =
            !reply.isPrivate()
                ? false
                : (o.sender == parties.sender && o.recipient == parties.recipient) ||
                      (o.sender == parties.recipient && o.recipient == parties.sender);
        if (!samePair)
            return ErrorCode::UnknownMessage;
    }
    if (original->message.deleted)
        return ErrorCode::MessageDeleted;
    setQuote(reply, original->message);
    return ErrorCode::None;
}

bool MessageStore::fillQuotes(QList<ChatMessage> &messages)
{
    for (ChatMessage &m : messages) {
        if (m.replyTo <= 0)
            continue;
        bool found = false;
        const std::optional<Stored> original = storedMessage(m.replyTo, &found);
        if (!original)
            return false;
        if (found)
            setQuote(m, original->message);
        else
            m.quoteDeleted = true; // cannot happen: rows are never removed
    }
    return true;
}

ErrorCode MessageStore::applyReceipt(const MessageChange &change, Stored *target, ReceiptRow *row,
                                     bool *unchanged)
{
    *unchanged = false;
    const std::optional<qint64> newest = newestSeq();
    if (!newest)
        return ErrorCode::StoreFailed;
    // A marker past every stored message would mark messages not yet written as read.
    if (change.seq > *newest)
        return ErrorCode::BadReceipt;
    bool found = false;
    std::optional<Stored> message = newestFrom(change.peerKey, change.actor, change.seq, &found);
    if (!message)
        return ErrorCode::StoreFailed;
    // No private message from that name to this identity: not a conversation it is in. One
    // answer whatever else the seq is, so other pairs' seqs cannot be probed.
    if (!found)
        return ErrorCode::UnknownMessage;
    const qint64 seq = message->message.seq;
    std::optional<ReceiptRow> old = receiptRow(change.actor, message->parties.sender, &found);
    if (!old)
        return ErrorCode::StoreFailed;
    ReceiptRow now =
        found ? *old : ReceiptRow{change.actor, change.actorName, message->parties.sender, 0, 0, 0};
    // Monotonic: a marker never goes back, and read implies delivered.
    const qint64 delivered = std::max(now.delivered, seq);
    const qint64 read = change.receiptRead ? std::max(now.read, seq) : now.read;
    *target = std::move(*message);
    if (found && delivered == now.delivered && read == now.read) {
        *unchanged = true;
        *row = now;
        return ErrorCode::None;
    }
    now.delivered = delivered;
    now.read = read;
    now.readerName = change.actorName;
    now.timestampMs = change.timestampMs;
    if (!writeReceipt(now))
        return ErrorCode::StoreFailed;
    *row = now;
    return ErrorCode::None;
}

ErrorCode MessageStore::applyChange(const MessageChange &change, Stored *changed, bool *unchanged,
                                    ReceiptRow *receipt)
{
    if (change.kind == MessageChange::Kind::Receipt) {
        bool same = false;
        ReceiptRow row;
        const ErrorCode e = applyReceipt(change, changed, &row, &same);
        if (unchanged)
            *unchanged = same;
        if (receipt)
            *receipt = row;
        return e;
    }
    if (change.isReaction()) {
        bool same = false;
        const ErrorCode e = applyReaction(change, changed, &same);
        if (unchanged)
            *unchanged = same;
        return e;
    }
    bool found = false;
    std::optional<Stored> stored = storedMessage(change.seq, &found);
    if (!stored)
        return ErrorCode::StoreFailed;
    if (!found)
        return ErrorCode::UnknownMessage;
    const MessageParties &parties = stored->parties;
    // Someone else's private message is answered as if it did not exist, so that seqs cannot
    // be probed for private conversations.
    const bool visible = !stored->message.isPrivate() || parties.sender == change.actor ||
                         parties.recipient == change.actor;
    if (!visible)
        return ErrorCode::UnknownMessage;
    // By identity, not by name: a later guest of the same name is somebody else. A call entry
    // is the server's record, not its caller's text.
    if (parties.sender != change.actor || stored->message.call)
        return ErrorCode::NotYours;
    if (stored->message.deleted)
        return ErrorCode::MessageDeleted;
    ChatMessage &m = stored->message;
    switch (change.kind) {
    case MessageChange::Kind::Edit:
        m.content = change.content;
        m.mentions = m.isPrivate() ? QStringList() : change.mentions;
        m.editedMs = change.timestampMs;
        break;
    case MessageChange::Kind::Delete:
        m.content.clear();
        m.mentions.clear();
        m.deleted = true;
        break;
    case MessageChange::Kind::React:
    case MessageChange::Kind::Unreact:
    case MessageChange::Kind::Receipt:
        break; // applyReaction's and applyReceipt's, above
    }
    if (!writeChange(m))
        return ErrorCode::StoreFailed;
    *changed = std::move(*stored);
    return ErrorCode::None;
}

QList<ChatMessage::Reaction> MessageStore::summarise(const QList<ReactionRow> &rows,
                                                     const QString &viewer)
{
    QList<ChatMessage::Reaction> list;
    for (const ReactionRow &row : rows) {
        auto it = std::find_if(list.begin(), list.end(), [&](const ChatMessage::Reaction &r) {
            return r.emoji == row.emoji;
        });
        if (it == list.end()) {
            list.append(ChatMessage::Reaction{row.emoji, 0, {}, false});
            it = list.end() - 1;
        }
        ++it->count;
        if (it->from.size() < ChatMessage::kReactionNames)
            it->from.append(row.name);
        if (!viewer.isEmpty() && row.actor == viewer)
            it->mine = true;
    }
    return list;
}

ErrorCode MessageStore::applyReaction(const MessageChange &change, Stored *changed, bool *unchanged)
{
    *unchanged = false;
    bool found = false;
    std::optional<Stored> stored = storedMessage(change.seq, &found);
    if (!stored)
        return ErrorCode::StoreFailed;
    if (!found)
        return ErrorCode::UnknownMessage;
    // Anyone who may see the message may react to it; someone else's private message is
    // answered as if it did not exist (section 5.5).
    const MessageParties &parties = stored->parties;
    if (stored->message.isPrivate() && parties.sender != change.actor &&
        parties.recipient != change.actor)
        return ErrorCode::UnknownMessage;
    if (stored->message.deleted)
        return ErrorCode::MessageDeleted;
    std::optional<QList<ReactionRow>> rows = reactionRows({change.seq});
    if (!rows)
        return ErrorCode::StoreFailed;
    bool there = false;
    int mine = 0;
    QSet<QString> kinds;
    for (const ReactionRow &row : std::as_const(*rows)) {
        kinds.insert(row.emoji);
        if (row.actor == change.actor) {
            ++mine;
            there = there || row.emoji == change.emoji;
        }
    }
    const bool add = change.kind == MessageChange::Kind::React;
    if (there == add) {
        *unchanged = true; // given twice, or taken back twice: nothing to store or tell
    } else if (add) {
        if (mine >= ChatMessage::kMaxReactionsPerUser ||
            rows->size() >= ChatMessage::kMaxReactionsPerMessage ||
            (!kinds.contains(change.emoji) && kinds.size() >= ChatMessage::kMaxReactionKinds))
            return ErrorCode::TooManyReactions;
        if (!writeReaction(change))
            return ErrorCode::StoreFailed;
        rows->append(ReactionRow{change.seq, change.actor, change.actorName, change.emoji});
    } else {
        if (!writeReaction(change))
            return ErrorCode::StoreFailed;
        rows->removeIf([&](const ReactionRow &row) {
            return row.actor == change.actor && row.emoji == change.emoji;
        });
    }
    stored->message.reactions = summarise(*rows, QString());
    *changed = std::move(*stored);
    return ErrorCode::None;
}

bool MessageStore::fillReactions(QList<ChatMessage> &messages, const QString &viewer)
{
    QList<qint64> seqs;
    for (const ChatMessage &m : std::as_const(messages)) {
        if (!m.deleted)
            seqs.append(m.seq);
    }
    if (seqs.isEmpty())
        return true;
    const std::optional<QList<ReactionRow>> rows = reactionRows(seqs);
    if (!rows)
        return false;
    QHash<qint64, QList<ReactionRow>> bySeq;
    for (const ReactionRow &row : *rows)
        bySeq[row.seq].append(row);
    for (ChatMessage &m : messages) {
        const auto it = bySeq.constFind(m.seq);
        if (it != bySeq.cend() && !m.deleted)
            m.reactions = summarise(*it, viewer);
    }
    return true;
}
