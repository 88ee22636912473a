#pragma once

#include "model/conversationlistmodel.h"
#include "model/userlistmodel.h"
#include "net/clientsession.h"

#include <QHash>
#include <QObject>
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

    // Sends `text` in the conversation `key` ("" = the room). In the room, "@name text" is a
    // private message and is filed under that person's conversation. Returns the
    // conversation it went to, or an empty optional when there was nothing to send.
    std::optional<QString> send(const QString &key, const QString &text);
    void retry(const QString &key, const QString &clientId);
    // Asks for the page before the oldest message shown in `key`.
    void loadOlder(const QString &key);

    void setActiveConversation(const QString &key);
    QString activeConversation() const { return m_active; }
    void setWindowActive(bool active);
    // The user is typing in the active conversation (sent at most every few seconds).
    void noteTyping();
    QStringList typingIn(const QString &key) const { return m_typing.value(key); }

signals:
    // A private message or a mention the user has not seen: for the tray.
    void notificationRequested(const QString &title, const QString &text, const QString &key);
    void typingChanged(const QString &key, const QStringList &who);
    void activeConversationChanged(const QString &key);

private:
    QString keyFor(const ChatMessage &m) const;
    bool mentionsSelf(const ChatMessage &m) const;
    void onMessage(const ChatMessage &m);
    void onHistory(const QString &with, const QList<ChatMessage> &messages, bool more);
    void onTyping(const QString &from, const QString &to, bool typing);
    void showUnsent();
    void fillFromCache();
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
    QHash<QString, qint64> m_typingSeen;             // "key/name" -> ms of last notice
    QTimer m_typingExpiry;
    qint64 m_lastTypingSent = 0;
    bool m_initialHistoryLoaded = false;
    bool m_savedShown = false;
    QString m_filledFrom; // the local file the models were filled from
};
