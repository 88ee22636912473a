#pragma once

#include "protocol/chatmessage.h"
#include "protocol/errorcode.h"
#include "searchquery.h"

#include <QList>
#include <QString>

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

// Who a stored message belongs to, beyond the names it shows. Private history is returned by
// identity, not by name: "a<id>" is an account, "g<random>" one guest session (kept across
// the session's resumes, never given to a later guest of the same name). A private message to
// a user who is neither online nor registered is refused before it gets here.
struct MessageParties
{
    QString sender;
    QString recipient; // private messages only
};

// Which messages a history request may see: public messages, and private ones whose sender or
// recipient identity is the viewer's.
struct HistoryQuery
{
    QString viewer;    // the viewer's identity (MessageParties)
    QString with;      // "" public room, a name = private with that user, "*" all visible
    qint64 before = 0; // seq < before, 0 = no bound
    qint64 after = 0;  // seq > after
    int limit = 50;
    qint64 maxBytes = 0; // stop (with more = true) once the texts reach this; 0 = no bound
};

// A change of a stored message asked for by a user (docs/protocol.md section 5.5). Applied in
// the batch's transaction, in turn with the batch's new messages (MessageStore::applyChange).
struct MessageChange
{
    enum class Kind { Edit, Delete, React, Unreact, Receipt };
    Kind kind = Kind::Edit;
    qint64 seq = 0;
    QString actor;     // the identity asking (MessageParties)
    QString actorName; // React, Unreact: the name it shows under (as spelled)
    QString emoji;     // React, Unreact (section 5.7)
    bool isReaction() const { return kind == Kind::React || kind == Kind::Unreact; }
    // Receipt (docs/protocol.md section 19): `actor` (named actorName) has received, or
    // (receiptRead) read, the private messages of the user whose name key is peerKey up to
    // `seq`.
    QString peerKey;
    bool receiptRead = false;
    QString content;        // Edit: the new text
    QStringList mentions;   // Edit of a public message: the new text's mentions
    qint64 timestampMs = 0; // when the server received the request
    QString ref;            // the request's id, for its error
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
    // Assigns seq and keeps the sender's timestamp. For a (sender identity, clientId) pair
    // already stored, fills `message` with the stored seq and time and returns Duplicate.
    virtual AppendResult append(ChatMessage &message, const MessageParties &parties) = 0;
    // Appends several messages in order, as append() does one by one (what the default does),
    // until one fails: results[i] for each, Failed from the first failure on. A store whose
    // every statement is a network round trip sends them together instead.
    struct Pending
    {
        ChatMessage *message;
        const MessageParties *parties;
    };
    virtual void appendAll(const std::vector<Pending> &items, std::vector<AppendResult> *results)
    {
        results->assign(items.size(), AppendResult::Failed);
        for (size_t i = 0; i < items.size(); ++i) {
            (*results)[i] = append(*items[i].message, *items[i].parties);
            if ((*results)[i] == AppendResult::Failed)
                return;
        }
    }
    virtual bool commit() = 0;
    virtual void rollback() = 0;
    // Oldest first. *more says whether older (or, for `after`, newer) messages remain.
    // nullopt when the store cannot be read (lastError() says why).
    virtual std::optional<QList<ChatMessage>> history(const HistoryQuery &query, bool *more) = 0;
    // What a search (SearchQuery::run) looks at: messages visible to query.viewer below
    // query.before, newest first, at most `limit`, among them every one that has all of
    // query.indexedWords(); *more says whether more remain below. A store with a text index
    // narrows them by it; without one (or without indexed words), every visible message is a
    // candidate, so a page looks at the newest `limit` of them. A store that stops looking
    // before `limit` (an index far behind, whose gap is read without it a bounded number of
    // rows at a time) sets *more, and its last candidate is the lowest message it read.
    virtual std::optional<QList<ChatMessage>> searchCandidates(const SearchQuery &query, int limit,
                                                               bool *more)
    {
        HistoryQuery visible;
        visible.viewer = query.viewer;
        visible.with = QStringLiteral("*");
        visible.before = query.before;
        visible.limit = limit;
        std::optional<QList<ChatMessage>> page = history(visible, more);
        if (page)
            std::reverse(page->begin(), page->end());
        return page;
    }
    // Stored by the server process `node` (setNodeId) after seq `after` with a time of at
    // least `sinceMs`, oldest first, with
    // their parties: at most `limit` messages and `maxBytes` of text (*more says whether
    // more remain). What another node replays when the bus may have lost that node's
    // publications (ChatRouter). A store that only one process uses keeps no node and has
    // none.
    struct Stored
    {
        ChatMessage message;
        MessageParties parties;
    };
    // The stored message `seq` with its parties, in the open batch if there is one; *found false
    // when there is none. nullopt when the store cannot be read.
    virtual std::optional<Stored> storedMessage(qint64 seq, bool *found) = 0;
    // Writes an edit (new text, mentions, edited time) or a delete (no text, no mentions,
    // `deleted`) of message.seq into the open batch; false with lastError() on failure.
    virtual bool writeChange(const ChatMessage &message) = 0;
    // A change of the stored message change.seq by change.actor, authorised here: the message
    // must exist and be visible to the actor (else UnknownMessage), be the actor's own and not
    // a call entry (NotYours), and not be deleted (MessageDeleted). On success (None) `changed`
    // holds the message as it is now, with its parties, for the relay; StoreFailed when the
    // store failed (lastError()). Part of the open batch: committed or rolled back with it.
    // React and Unreact go to applyReaction (`unchanged` may be nullptr for edits), Receipt to
    // applyReceipt (`receipt` gets its markers).
    struct ReceiptRow;
    ErrorCode applyChange(const MessageChange &change, Stored *changed, bool *unchanged = nullptr,
                          ReceiptRow *receipt = nullptr);
    // A reply (docs/protocol.md section 5.6) before it is appended: the message it answers
    // must exist and be one that every receiver of the reply may see (UnknownMessage) — a
    // public reply answers a public message; a private one a public message or one between
    // the same two identities — and not be deleted (MessageDeleted). Fills the quote; None
    // when the reply may be stored, StoreFailed when the store failed.
    ErrorCode checkReply(ChatMessage &reply, const MessageParties &parties);
    // Fills the quotes of the replies among `messages` from the messages they answer, as
    // those are now; false when the store failed.
    bool fillQuotes(QList<ChatMessage> &messages);
    // Reactions (docs/protocol.md section 5.7). One row per (message, identity, emoji).
    struct ReactionRow
    {
        qint64 seq = 0;
        QString actor; // identity
        QString name;  // as it showed when it reacted
        QString emoji;
    };
    // The reactions of the messages `seqs`, in the order they were given (per message at
    // most ChatMessage::kMaxReactionsPerMessage, which applyChange keeps); nullopt when the
    // store cannot be read. In the open batch if there is one.
    virtual std::optional<QList<ReactionRow>> reactionRows(const QList<qint64> &seqs) = 0;
    // Adds (React) or removes (Unreact) change's row in the open batch; false with
    // lastError() on failure.
    virtual bool writeReaction(const MessageChange &change) = 0;
    // A React or Unreact, authorised and bounded here (called by applyChange): the message
    // must exist and be visible to the actor (UnknownMessage) and not be deleted
    // (MessageDeleted); a new reaction must keep the message within kMaxReactionKinds emoji
    // and kMaxReactionsPerMessage reactions, and the actor within kMaxReactionsPerUser on it
    // (TooManyReactions). *unchanged when it was there already (React) or was not (Unreact):
    // nothing is written. `changed` gets the message with its reactions as they are now.
    ErrorCode applyReaction(const MessageChange &change, Stored *changed, bool *unchanged);
    // Fills the reactions of `messages` (not deleted ones), `mine` for `viewer`'s; false
    // when the store failed.
    bool fillReactions(QList<ChatMessage> &messages, const QString &viewer);
    // The summary of one message's rows (in the order given), `mine` for viewer's.
    static QList<ChatMessage::Reaction> summarise(const QList<ReactionRow> &rows,
                                                  const QString &viewer);
    // Read receipts (docs/protocol.md section 19): one row per (reader identity, sender
    // identity), how far the reader has received and read the sender's private messages.
    struct ReceiptRow
    {
        QString reader;     // identity
        QString readerName; // as it spelled its name at its last receipt
        QString peer;       // the sender's identity
        qint64 delivered = 0;
        qint64 read = 0;
        qint64 timestampMs = 0; // when it last moved
    };
    // The highest seq stored (0 when none); nullopt when the store cannot be read.
    virtual std::optional<qint64> newestSeq() = 0;
    // The newest private message from the name key `senderKey` to the identity `recipient`
    // at or below `upTo`, with its parties; *found false when there is none.
    virtual std::optional<Stored> newestFrom(const QString &senderKey, const QString &recipient,
                                             qint64 upTo, bool *found) = 0;
    virtual std::optional<ReceiptRow> receiptRow(const QString &reader, const QString &peer,
                                                 bool *found) = 0;
    // Inserts or replaces the row of (row.reader, row.peer) in the open batch.
    virtual bool writeReceipt(const ReceiptRow &row) = 0;
    // The rows on `peer`'s messages, the most recently moved first, at most `limit`.
    virtual std::optional<QList<ReceiptRow>> receiptsOn(const QString &peer, int limit) = 0;
    // A Receipt, checked here (called by applyChange): change.seq must not pass newestSeq()
    // (BadReceipt), and change.actor must have a private message from change.peerKey at or
    // below it (UnknownMessage). The newest such message is the target: its sender's row moves
    // up to its seq (delivered; read too for a read receipt), never down. `target` gets that
    // message and `row` the markers as they are now; *unchanged when they did not move.
    ErrorCode applyReceipt(const MessageChange &change, Stored *target, ReceiptRow *row,
                           bool *unchanged);
    virtual std::optional<QList<Stored>> storedBy(const QString &node, qint64 after, qint64 sinceMs,
                                                  int limit, qint64 maxBytes, bool *more)
    {
        Q_UNUSED(node)
        Q_UNUSED(after)
        Q_UNUSED(sinceMs)
        Q_UNUSED(limit)
        Q_UNUSED(maxBytes)
        *more = false;
        return QList<Stored>{};
    }
    // Files (docs/protocol.md section 18). The bytes of the files `payer` (an account "a<id>",
    // or a guest's address) has uploaded, each content once; *uploaded says whether `sha256`
    // is among them. nullopt when the store cannot be read.
    virtual std::optional<qint64> fileUsage(const QString &payer, const QString &sha256,
                                            bool *uploaded) = 0;
    // Writes down that `payer` uploaded the content `sha256` of `size` bytes (once).
    virtual bool recordUpload(const QString &payer, const QString &sha256, qint64 size,
                              qint64 nowMs) = 0;
    // A second connection to the same history, unopened, for searches on a thread of their
    // own while this store serves the relay (AsyncMessageStore, Threading::Inline): it only
    // reads, and sees every batch this store has committed. nullptr when there is none.
    virtual std::unique_ptr<MessageStore> searchReader() const { return nullptr; }
    // The node id stored with each message from now on (before open()).
    virtual void setNodeId(const QString &node) { Q_UNUSED(node) }
    virtual QString lastError() const = 0;
};
