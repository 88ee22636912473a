#pragma once

#include "protocol/chatmessage.h"

#include <QAbstractListModel>
#include <QHash>
#include <QList>
#include <QSet>

// The messages of one conversation, oldest first: stored ones ordered by the server's seq,
// then the user's own messages that are still pending (or failed) in the order written.
// History pages are inserted above, live messages appended; a message is never listed twice.
class MessageListModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum class Delivery { Pending, Sent, Failed };
    Q_ENUM(Delivery)
    // How far one of the user's own private messages got (docs/protocol.md section 19):
    // stored by the server, received by a device of the recipient, shown to the recipient.
    // None for every other message (public, someone else's, not stored yet).
    enum class Receipt { None, Sent, Delivered, Read };
    Q_ENUM(Receipt)

    enum Role {
        SenderRole = Qt::UserRole + 1,
        TimestampRole, // QDateTime, local time
        OwnRole,
        PrivateRole,
        MentionRole, // mentions the user
        DeliveryRole,
        SeqRole,
        ClientIdRole,
        RecipientRole,
        ErrorRole,
        // A call entry's line in the user's language ("Missed call from alice", "Voice call,
        // 4:12"); an invalid QVariant for every other message.
        CallRole,
        MissedCallRole,  // a call entry of a call this user did not answer
        EditedRole,      // its sender changed the text after sending it
        DeletedRole,     // its sender deleted it: the text shown is "message deleted"
        ReplyToRole,     // the seq of the message it answers (0: not a reply)
        QuoteSenderRole, // a reply's quote: who wrote the original
        QuoteTextRole,   // and the start of its text, or "message deleted"
        // Emoji reactions (docs/protocol.md section 5.7): a QVariantList of QVariantMaps with
        // "emoji" (QString), "count" (int), "from" (QStringList, the first names), "mine"
        // (bool: the user gave it; a click takes it back). Empty for none.
        ReactionsRole,
        ReceiptRole, // Receipt
        // Files (docs/protocol.md section 18). FileRole: a QVariantMap with "name", "size"
        // (qint64), "mime", "image" (bool: a type shown inline) and "caption" (the text, when
        // it is more than the server's "📎 name (size)"); an invalid QVariant for other
        // messages.
        FileRole,
        // Where the file is on this computer (an own upload's source, or a finished
        // download); "" when it is not here.
        LocalFileRole,
        // A transfer under way: a QVariantMap with "done", "total" (qint64) and "upload"
        // (bool); invalid when none.
        TransferRole,
        // Why the last transfer of this file failed ("" when none): a download's or an
        // upload's, in the user's language.
        FileErrorRole,
    };

    struct Item
    {
        ChatMessage message;
        bool own = false;
        bool mentionsMe = false;
        Delivery delivery = Delivery::Sent;
        QString error;
        // Files: where an own upload is read from; a transfer's progress (done < 0: none).
        QString localPath;
        qint64 transferDone = -1;
        qint64 transferTotal = 0;
        bool uploading = false;
        QString fileError;
    };

    explicit MessageListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // A message from the server (live or history); returns false when it was known already.
    bool addMessage(const ChatMessage &message, bool own, bool mentionsMe);
    // Several at once, in any order relative to what is listed (history pages, catch-up).
    int addMessages(const QList<ChatMessage> &messages, const QString &self);
    // timestampMs: when it was written (0 = now).
    void addPending(const QString &clientId, const QString &from, const QString &to,
                    const QString &content, qint64 timestampMs = 0);
    // An own file being uploaded from `localPath` (its hash is not known yet).
    void addPendingFile(const QString &clientId, const QString &from, const QString &to,
                        const FileRef &file, const QString &localPath);
    void markSent(const QString &clientId, qint64 seq, qint64 timestampMs);
    // A transfer of the listed message (an upload by its client id, a download by its seq):
    // progress, its end (done < 0), or its failure. False when it is not listed.
    bool setTransfer(int row, qint64 done, qint64 total, bool upload);
    bool setFileError(int row, const QString &error);
    // The file with this SHA-256 is at `path` on this computer (a download finished, an own
    // upload was stored): every message carrying it can show it.
    void setLocalFile(const QString &sha256, const QString &path);
    QString localFile(const QString &sha256) const { return m_localFiles.value(sha256); }
    // The row of an own message not stored yet (pending or failed), or -1.
    int rowOfPending(const QString &clientId) const;
    // A stored message changed (edited, deleted): the listed one with its seq takes the new
    // text and marks. Returns false when it is not listed.
    bool updateMessage(const ChatMessage &message, bool mentionsMe);
    // The reactions of the stored message `seq` as the server summarises them now. A live
    // change says who made it: when that is the user (`bySelf`), `emoji` is theirs now
    // (`added`) or no longer; otherwise the user's own stay as they were. Returns false
    // when the message is not listed.
    bool setReactions(qint64 seq, const QList<ChatMessage::Reaction> &reactions, bool bySelf,
                      const QString &emoji, bool added);
    // Whether the user gave `emoji` to the stored message `seq`.
    bool hasOwnReaction(qint64 seq, const QString &emoji) const;
    // The other party's markers in a private conversation (section 19): the user's own
    // stored messages up to `delivered` were received, up to `read` read. Markers only grow:
    // lower values than those held change nothing.
    void setReceiptMarks(qint64 delivered, qint64 read);
    qint64 deliveredUpTo() const { return m_delivered; }
    qint64 readUpTo() const { return m_read; }
    void markFailed(const QString &clientId, const QString &error);
    void removePending(const QString &clientId);
    // Removes the stored messages and keeps the pending and failed ones (a saved history
    // that was dropped, ClientSession::savedHistoryDropped).
    void clearStored();

    // The line a call entry shows, as seen by the caller (own) or by the callee.
    static QString callText(const ChatMessage &message, bool own);
    // A call this user did not answer: it counts as unread, as a message would.
    static bool isMissedCall(const ChatMessage &message, bool own);

    qint64 oldestSeq() const;
    // The row of the stored message `seq`, or -1.
    int rowOfSeq(qint64 seq) const;
    const Item &itemAt(int row) const { return m_items.at(row); }
    bool hasMoreHistory() const { return m_hasMore; }
    void setHasMoreHistory(bool more) { m_hasMore = more; }

private:
    int rowOfClientId(const QString &clientId) const;
    int insertionRow(qint64 seq) const;

    QList<Item> m_items;
    QSet<qint64> m_seqs;
    QHash<QString, QString> m_localFiles; // SHA-256 -> a local copy
    bool m_hasMore = true;
    qint64 m_delivered = 0;
    qint64 m_read = 0;
};
