#pragma once

#include "protocol/callrecord.h"
#include "protocol/fileref.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

// One chat message as stored and relayed: public when `to` is empty, else private between
// `from` and `to`. `seq` is the server's number (unique, increasing), `clientId` the
// sender's id used to drop resent duplicates.
struct ChatMessage
{
    qint64 seq = 0;
    qint64 timestampMs = 0;
    QString from;
    QString to;
    QString content;
    QString clientId;
    QStringList mentions;
    // Set on the entry the server records when a call between `from` (the caller) and `to`
    // ends; `content` then holds the same as plain English text for clients that do not know
    // call entries.
    std::optional<CallRecord> call;
    // Changed by its sender after it was sent (docs/protocol.md section 5.5): when the text was
    // last edited (0: never), and whether it was deleted (then `content` is empty).
    qint64 editedMs = 0;
    bool deleted = false;
    // A reply (section 5.6): the seq of the message it answers, and a quote of that message
    // as it is now, filled in by the server: its sender and the start of its text, or that it
    // was deleted. Clients draw the quote without having the original.
    qint64 replyTo = 0;
    QString quoteFrom;
    QString quoteText;
    bool quoteDeleted = false;
    static constexpr int kQuoteChars = 100; // the most of the original's text a quote holds
    // The start of `text` that a quote holds (whole code points).
    static QString quoteOf(const QString &text);
    // A file message (docs/protocol.md section 18): the file it carries; `content` then holds
    // its name and size as text for clients that know no files.
    std::optional<FileRef> file;

    // Emoji reactions (docs/protocol.md section 5.7), as the server summarises them: each
    // emoji once, in the order it was first given, with how many gave it, the names of the
    // first kReactionNames of them, and whether the viewer is among them (history pages only;
    // a live `reaction` says who changed what instead).
    struct Reaction
    {
        QString emoji;
        int count = 0;
        QStringList from;
        bool mine = false;
        bool operator==(const Reaction &) const = default;
    };
    QList<Reaction> reactions;
    static constexpr int kMaxReactionKinds = 16;        // distinct emoji on one message
    static constexpr int kMaxReactionsPerUser = 3;      // one user's on one message
    static constexpr int kMaxReactionsPerMessage = 256; // everyone's on one message
    static constexpr int kReactionNames = 8;            // names listed per emoji
    static constexpr int kMaxEmojiUnits = 32;           // UTF-16 units of one reaction's emoji
    static QJsonArray reactionsToJson(const QList<Reaction> &reactions);
    // A live `reaction`'s summary in place of `listed`: the summary says nothing of "mine",
    // so what the viewer gave stays theirs, and the change itself, when it is the viewer's
    // (bySelf), says what is now.
    static QList<Reaction> mergedReactions(const QList<Reaction> &listed,
                                           const QList<Reaction> &summary, bool bySelf,
                                           const QString &emoji, bool added);
    // nullopt when the array is not a bounded, well-formed summary.
    static std::optional<QList<Reaction>> reactionsFromJson(const QJsonValue &value);

    bool isPrivate() const { return !to.isEmpty(); }

    // The relay object {"type":"user",...}; a seed-dialect receiver (htmlEscape) gets every
    // string HTML-escaped, since the seed page puts them into innerHTML.
    QJsonObject toJson(bool htmlEscape = false) const;
    static std::optional<ChatMessage> fromJson(const QJsonObject &object);
};
