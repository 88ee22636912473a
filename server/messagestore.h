#pragma once

#include "protocol/chatmessage.h"

#include <QList>
#include <QString>

#include <optional>

// Which messages a history request may see: `viewer` only ever gets public messages and
// private ones they sent or received.
struct HistoryQuery
{
    QString viewer;
    QString with;      // "" public room, a name = private with that user, "*" all visible
    qint64 before = 0; // seq < before, 0 = no bound
    qint64 after = 0;  // seq > after
    int limit = 50;
};

// Where messages are kept. Appends are grouped: append() adds to the open batch, commit()
// makes the whole batch durable. Nothing is relayed or acknowledged before commit() returns
// true. SQLite is the implementation today; PostgreSQL is the second one planned.
class MessageStore
{
public:
    enum class AppendResult { Stored, Duplicate, Failed };

    virtual ~MessageStore() = default;

    virtual bool open(QString *error) = 0;
    // Assigns seq and keeps the sender's timestamp. For a (sender, clientId) pair already
    // stored, fills `message` with the stored seq and time and returns Duplicate.
    virtual AppendResult append(ChatMessage &message) = 0;
    virtual bool commit() = 0;
    virtual void rollback() = 0;
    // Oldest first. *more says whether older (or, for `after`, newer) messages remain.
    // nullopt when the store cannot be read (lastError() says why).
    virtual std::optional<QList<ChatMessage>> history(const HistoryQuery &query, bool *more) = 0;
    virtual QString lastError() const = 0;
};
