#pragma once

#include "protocol/chatmessage.h"

#include <QList>
#include <QString>

class OutboxStore;

// The recent history of each conversation, kept in the outbox's file (OutboxStore) so the
// window can fill at start without the network, and the user can read and search offline.
//
// A conversation is the room ("") or the NameRules::key of the other person. Each keeps at
// most limit() messages; older ones are pruned in steps of a tenth of the limit, so the
// cache never holds more than 110% of it. Private messages are kept only while
// setPrivateAllowed(true) (a signed-in account): turning it off removes them.
//
// What is cached per conversation is always a run of the newest messages without holes:
// the session catches up forwards from caughtUpTo() and older pages extend it backwards, so
// paging back reads the cache first and asks the server only where the cache ends.
class HistoryCache
{
public:
    struct Conversation
    {
        QString key;         // "" = the room, else NameRules::key of the other person
        QString displayName; // the other person's name as last spelled ("" for the room)
        qint64 lastSeq = 0;
        qint64 lastTimestampMs = 0;
    };
    struct Hit
    {
        QString conversation; // as Conversation::key
        QString displayName;
        ChatMessage message;
    };

    static constexpr int kDefaultLimit = 5000;
    // The saved value naming the conversation open when the window last closed.
    static inline const QString kLastConversation = QStringLiteral("last_conversation");

    // Reads and writes the file `store` has open (not owned; nothing happens while closed).
    explicit HistoryCache(OutboxStore *store);

    void setSelf(const QString &name) { m_selfKey = keyOf(name); }
    void setLimit(int perConversation);
    int limit() const { return m_limit; }
    void setPrivateAllowed(bool allowed);
    bool privateAllowed() const { return m_privateAllowed; }

    // Stores messages from the server (live, history pages, acknowledged own ones); a seq
    // already stored is replaced. Written in the store's transaction of this turn.
    void add(const QList<ChatMessage> &messages);
    // A stored message changed (edited, deleted): its row gets the new text and marks, if
    // the cache has it. Nothing is added, so the cached runs keep having no holes.
    void update(const ChatMessage &message);
    // A live `reaction` (docs/protocol.md section 5.7) on a cached message: its new summary,
    // with the viewer's own kept (ChatMessage::mergedReactions).
    void updateReactions(qint64 seq, const QList<ChatMessage::Reaction> &summary, const QString &by,
                         const QString &emoji, bool added);

    // Up to `limit` messages of `conversation` older than `before` (0 = the newest), oldest
    // first.
    QList<ChatMessage> page(const QString &conversation, qint64 before, int limit) const;
    // Up to `limit` messages around `seq` in its conversation (half before, half after).
    QList<ChatMessage> around(const QString &conversation, qint64 seq, int limit) const;
    // The messages of `conversation` from `first` up to (not including) `before`, oldest
    // first; at most what one conversation may hold (110% of limit()).
    QList<ChatMessage> range(const QString &conversation, qint64 first, qint64 before) const;
    QList<Conversation> conversations() const;
    // Messages whose text contains `text` (case-insensitive for ASCII), newest first.
    QList<Hit> search(const QString &text, int limit) const;
    qint64 maxSeq() const;
    int count(const QString &conversation) const;

    // The seq up to which the session has read everything (catch-up pages, then live
    // messages while no catch-up was under way): the next start catches up after it. Not
    // maxSeq(), which counts live messages that came in while a catch-up was unfinished.
    // A file from before this was kept gives maxSeq().
    qint64 caughtUpTo() const;
    void setCaughtUpTo(qint64 seq);

    // Small values that belong with the cache (the last open conversation).
    QString value(const QString &name) const;
    void setValue(const QString &name, const QString &value);

    // Removes every cached message and saved value, and rewrites the file so their pages
    // are not left behind in it.
    void clear();
    // Removes every cached message and where the catch-up stood, and keeps the other saved
    // values (a saved history too old to catch up with).
    void clearMessages();

    // The conversation a message belongs to, seen from `selfKey`.
    static QString conversationOf(const ChatMessage &message, const QString &selfKey);
    static QString keyOf(const QString &name);

private:
    bool usable() const;
    void prune(const QString &conversation);
    // Commits, then rewrites the file without its free pages and empties the write-ahead
    // log, so deleted text is not left in either.
    void rewrite();
    QList<ChatMessage> select(const QString &sql, const QVariantList &values) const;

    OutboxStore *m_store;
    QString m_selfKey;
    int m_limit = kDefaultLimit;
    bool m_privateAllowed = false;
    QHash<QString, int> m_addedSincePrune; // conversation -> messages added
};
