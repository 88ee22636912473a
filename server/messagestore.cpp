#include "messagestore.h"

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
