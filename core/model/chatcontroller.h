#pragma once

#include "model/conversationlistmodel.h"
#include "model/userlistmodel.h"
#include "net/clientsession.h"
#include "net/filetransfers.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <optional>

// The state the window shows, kept in one place: it feeds the session's events into the
// conversation, message and user models and turns the user's actions into session calls.
// Widgets observe these models; they keep no copies.
class ChatController : public QObject
{
    Q_OBJECT
public:
    explicit ChatController(QObject *parent = nullptr);
    ~ChatController() override;

    ClientSession *session() { return &m_session; }
    ConversationListModel *conversations() { return &m_conversations; }
    UserListModel *users() { return &m_users; }
    QString self() const { return m_session.name(); }

    void connectTo(const QUrl &url, const QString &name,
                   const ClientSession::Credentials &credentials = ClientSession::Credentials());
    // Shows what the local file of this server and name holds (the history cache and the
    // unsent messages) before any network answer; connectTo() does it too. account: a
    // signed-in account, whose private conversations are cached.
    void showSaved(const QUrl &url, const QString &name, bool account);
    // Whether the conversations show messages from the local cache (the window says so while
    // the connection is not up).
    bool showsSavedMessages() const { return m_savedShown; }
    // Messages in the local cache whose text contains `text`, newest first; works offline.
    QList<HistoryCache::Hit> searchSaved(const QString &text, int limit = 50) const;
    // Opens `key` around the message `seq` (a search hit): the cache's messages around it are
    // loaded into the conversation first. Returns false when the cache does not have it.
    bool showMessage(const QString &key, qint64 seq);
    void disconnectFromServer() { m_session.close(); }
    // Messages written but not acknowledged by the server yet (the window asks before quitting).
    int unsentCount() const { return m_session.outbox().size(); }

    // How a leading "@name" in the room is read: as a private message to that person (the
    // default, and what the compose box shows with its "private to" chip), or as written, a
    // public message that mentions them (the user turned the chip back to public).
    enum class Addressing { LeadingNameIsPrivate, AsWritten };
    // Sends `text` in the conversation `key` ("" = the room). In the room, "@name text" is a
    // private message and is filed under that person's conversation, unless `addressing`
    // says otherwise. Returns the conversation it went to, or an empty optional when there
    // was nothing to send.
    // `replyTo`: the seq of the message it answers (docs/protocol.md section 5.6), 0 = none.
    std::optional<QString> send(const QString &key, const QString &text,
                                Addressing addressing = Addressing::LeadingNameIsPrivate,
                                qint64 replyTo = 0);
    void retry(const QString &key, const QString &clientId);
    // Changes of one of the user's own stored messages (docs/protocol.md section 5.5). Return
    // false when offline: nothing was sent. A refusal comes as messageChangeFailed.
    bool editMessage(qint64 seq, const QString &text);
    bool deleteMessage(qint64 seq);
    // Gives `emoji` to the stored message `seq` in conversation `key`, or takes it back when
    // the user gave it already (docs/protocol.md section 5.7). False when offline.
    bool toggleReaction(const QString &key, qint64 seq, const QString &emoji);
    // Asks for the page before the oldest message shown in `key`.
    void loadOlder(const QString &key);

    void setActiveConversation(const QString &key);
    QString activeConversation() const { return m_active; }
    void setWindowActive(bool active);
    // Settings → Privacy: whether the other party learns that its private messages were read.
    // Turned on, what the user sees now counts as read at once.
    void setSendReadReceipts(bool on);
    // The user is typing in the active conversation (sent at most every few seconds), to
    // whoever the draft goes to.
    void noteTyping();
    // What the compose box of the active conversation holds. A room draft that starts with
    // "@name " is private to that person: draftPrivateTo() names them (the window shows it
    // before anything is sent) and typing notices go to them alone. setDraftPublic(true) turns
    // it back into a public message that mentions them, until the name changes.
    // Each conversation keeps its own draft: another one brings back what was written there
    // (draft()), and the drafts are saved with the local history for the next start (not a
    // guest's). The conversation list shows them (ConversationListModel::DraftRole).
    void setDraft(const QString &text);
    QString draft() const { return m_draft; }
    void setDraftPublic(bool isPublic);
    // The leading name of a room draft ("" when there is none, or outside the room).
    QString draftMention() const { return m_draftName; }
    bool isDraftPublic() const { return m_draftPublic; }
    // Whom the draft goes to privately; "" when it goes to the room.
    QString draftPrivateTo() const;
    Addressing draftAddressing() const
    {
        return m_draftPublic ? Addressing::AsWritten : Addressing::LeadingNameIsPrivate;
    }
    QStringList typingIn(const QString &key) const { return m_typing.value(key); }

    // Files (docs/protocol.md section 18). sendFile sends the file at `path` into conversation
    // `key`: to the room, or in a private conversation to that person only. It shows at once
    // as an own message with the upload's progress; false with *error (in the user's
    // language) when it cannot be sent at all (unreadable, empty, over the server's size).
    bool sendFile(const QString &key, const QString &path, QString *error = nullptr);
    void cancelUpload(const QString &key, const QString &clientId);
    // Downloads the file of the stored message `seq` of conversation `key` into `target`;
    // progress and the end show on the message's row.
    bool downloadFile(const QString &key, qint64 seq, const QString &target);
    void cancelDownload(const QString &key, qint64 seq);
    bool isDownloading(qint64 seq) const { return m_downloadBySeq.contains(seq); }
    FileTransfers *files() { return &m_files; }
    // Images up to this size are fetched by themselves, into the cache folder, so that they
    // show inline; larger ones show as files.
    static constexpr qint64 kAutoImageBytes = 10LL * 1024 * 1024;
    // Where fetched images are kept, by SHA-256 (default: the cache location's "files").
    void setFileCacheDir(const QString &dir) { m_fileCacheDir = dir; }
    QString fileCacheDir() const;

signals:
    // A private message or a mention the user has not seen: for the tray.
    void notificationRequested(const QString &title, const QString &text, const QString &key);
    void typingChanged(const QString &key, const QStringList &who);
    void activeConversationChanged(const QString &key);
    // draftMention(), isDraftPublic() or draftPrivateTo() changed.
    void draftChanged();
    // The server refused an edit or delete (`text` says why, for the user).
    void messageChangeFailed(const QString &text);
    // A file transfer failed (`text` says which and why, for the user); the row shows it too.
    void fileFailed(const QString &text);
    // A download the user asked for is saved at `path`.
    void fileSaved(const QString &path);

private:
    QString keyFor(const ChatMessage &m) const;
    bool mentionsSelf(const ChatMessage &m) const;
    void onMessage(const ChatMessage &m);
    void onMessageUpdated(const ChatMessage &m);
    void onReaction(qint64 seq, const QString &by, const QString &emoji, bool added,
                    const QList<ChatMessage::Reaction> &reactions);
    void onHistory(const QString &with, const QList<ChatMessage> &messages, bool more);
    void onTyping(const QString &from, const QString &to, bool typing);
    // Read receipts (docs/protocol.md section 19): the other party's markers on the user's
    // messages in the conversation with receipt.with, kept (in the cache too) and shown.
    void onReceipt(const ReceiptInfo &receipt);
    // The conversation `key`'s list takes the markers known for it.
    void applyReceiptMarks(const QString &key);
    // The conversation `key` is on screen in an active window: what it shows of the other
    // party's messages is read.
    void noteShown(const QString &key);
    void showUnsent();
    // The person a room text starting with "@name" is addressed to: "" when the name is not
    // finished yet (no space after it, and nobody online has it) or is the user's own.
    QString leadingName(const QString &text) const;
    void updateDraftName();
    // Where typing notices for the draft go now: nullopt when nowhere (no draft, or a leading
    // name still being typed), "" for the room.
    std::optional<QString> typingTarget() const;
    void stopTyping();
    void fillFromCache();
    // The drafts to and from the local file (kDraftsValue), so a restart loses none.
    void saveDrafts();
    void loadDrafts();
    // saveDrafts() now if a save is due (before quitting or another file opens).
    void flushDrafts();
    // The files of messages now listed in `key`: a local copy known shows; a small image is
    // fetched.
    void noteFiles(const QString &key, const QList<ChatMessage> &messages);
    void setupFiles();
    MessageListModel *rowFor(const QString &transferId, int *row);
    QString conversationKey(const HistoryCache::Conversation &c) const;

    ClientSession m_session;
    ConversationListModel m_conversations;
    UserListModel m_users;
    QString m_active;
    bool m_windowActive = true;
    QHash<QString, QString> m_pendingKeys;           // client id -> conversation
    QHash<QString, QPair<QString, QString>> m_texts; // client id -> (content, to) for retry
    QHash<QString, QStringList> m_typing;            // conversation -> who is typing
    QHash<QString, QString> m_loadingOlder;          // conversation -> history request ref
    QSet<QString> m_changeRefs;                      // edits and deletes not answered yet
    QStringList m_reactionRefs;          // reactions among them, oldest first (at most 32 kept)
    QHash<QString, qint64> m_typingSeen; // "key/name" -> ms of last notice
    QHash<QString, ReceiptInfo> m_receiptMarks; // NameRules::key of the other party -> markers
    QTimer m_typingExpiry;
    qint64 m_lastTypingSent = 0;
    std::optional<QString> m_typingSentTo; // where the last "typing" notice went ("" = room)
    QString m_draft;    // the active conversation's (the others' are in m_conversations)
    QTimer m_draftSave; // a burst of keystrokes is one write
    QString m_draftName;
    bool m_draftPublic = false;
    bool m_initialHistoryLoaded = false;
    bool m_savedShown = false;
    // When this client started: a missed call that ended since then and arrives in a catch-up
    // (the connection was down when it was recorded) is unread; older ones were seen before.
    const qint64 m_startedMs = QDateTime::currentMSecsSinceEpoch();
    QString m_filledFrom; // the local file the models were filled from

    FileTransfers m_files{&m_session};
    struct Transfer
    {
        QString key;      // the conversation that shows it
        QString clientId; // an upload's (its message's client id)
        qint64 seq = 0;   // a download's message
        QString sha256;
        QString path;
        bool automatic = false; // an image fetched to show inline, not asked for
    };
    QHash<QString, Transfer> m_transfers;   // FileTransfers id -> where it shows
    QHash<qint64, QString> m_downloadBySeq; // message seq -> download id
    QHash<QString, QString> m_uploadPaths;  // own upload's client id -> its source
    QSet<QString> m_fetching;               // SHA-256 of images being fetched
    QString m_fileCacheDir;
};
