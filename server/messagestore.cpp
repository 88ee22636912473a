#include "messagestore.h"

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

ErrorCode MessageStore::applyChange(const MessageChange &change, Stored *changed)
{
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
    }
    if (!writeChange(m))
        return ErrorCode::StoreFailed;
    *changed = std::move(*stored);
    return ErrorCode::None;
}
