#pragma once

#include "model/messagelistmodel.h"

#include <QAbstractListModel>
#include <QHash>
#include <QList>

// The public room first, then one private conversation per partner, most recent activity
// first. Each row owns the MessageListModel of its conversation.
class ConversationListModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role {
        KeyRole = Qt::UserRole + 1, // "" for the room, else the partner's name
        UnreadRole,
        MentionedRole,
        LastActivityRole,
        IsRoomRole,
        DraftRole, // what the user wrote there and has not sent ("" when nothing)
    };

    explicit ConversationListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // The conversation with `key`, created when new.
    MessageListModel *messages(const QString &key);
    MessageListModel *find(const QString &key) const;
    int rowOf(const QString &key) const;
    QString keyAt(int row) const;
    QStringList keys() const;

    void setRoomTitle(const QString &title);
    // A message arrived in `key` at `timestampMs`; counts as unread unless it is the active
    // conversation (and the window is in front).
    void noteActivity(const QString &key, qint64 timestampMs, bool unread, bool mention);
    void markRead(const QString &key);
    int totalUnread() const;
    // The unsent text of each conversation, kept while the user is elsewhere. A draft for a
    // conversation not listed yet lists it.
    void setDraft(const QString &key, const QString &text);
    QString draft(const QString &key) const;
    // Every non-empty draft: conversation key -> text.
    QHash<QString, QString> drafts() const;

private:
    struct Conversation
    {
        QString key;
        MessageListModel *messages = nullptr;
        int unread = 0;
        bool mentioned = false;
        qint64 lastActivity = 0;
        QString draft;
    };
    void resort();
    int findRow(const QString &key) const;

    QList<Conversation> m_rows;
    QString m_roomTitle;
};
