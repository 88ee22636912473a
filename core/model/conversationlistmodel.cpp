#include "model/conversationlistmodel.h"

#include "protocol/namerules.h"

#include <algorithm>

ConversationListModel::ConversationListModel(QObject *parent)
    : QAbstractListModel(parent), m_roomTitle(tr("Lobby"))
{
    Conversation room;
    room.messages = new MessageListModel(this);
    m_rows.append(room);
}

int ConversationListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant ConversationListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Conversation &c = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return c.key.isEmpty() ? m_roomTitle : c.key;
    case KeyRole:
        return c.key;
    case UnreadRole:
        return c.unread;
    case MentionedRole:
        return c.mentioned;
    case LastActivityRole:
        return c.lastActivity;
    case IsRoomRole:
        return c.key.isEmpty();
    case DraftRole:
        return c.draft;
    default:
        return {};
    }
}

QHash<int, QByteArray> ConversationListModel::roleNames() const
{
    return {{Qt::DisplayRole, "title"},
            {KeyRole, "key"},
            {UnreadRole, "unread"},
            {MentionedRole, "mentioned"},
            {LastActivityRole, "lastActivity"},
            {IsRoomRole, "isRoom"},
            {DraftRole, "draft"}};
}

int ConversationListModel::findRow(const QString &key) const
{
    if (key.isEmpty())
        return 0;
    const QString k = NameRules::key(key);
    for (int row = 1; row < m_rows.size(); ++row) {
        if (NameRules::key(m_rows.at(row).key) == k)
            return row;
    }
    return -1;
}

int ConversationListModel::rowOf(const QString &key) const
{
    return findRow(key);
}

QString ConversationListModel::keyAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).key : QString();
}

QStringList ConversationListModel::keys() const
{
    QStringList list;
    for (const Conversation &c : m_rows)
        list.append(c.key);
    return list;
}

MessageListModel *ConversationListModel::find(const QString &key) const
{
    const int row = findRow(key);
    return row < 0 ? nullptr : m_rows.at(row).messages;
}

MessageListModel *ConversationListModel::messages(const QString &key)
{
    if (MessageListModel *m = find(key))
        return m;
    Conversation c;
    c.key = key;
    c.messages = new MessageListModel(this);
    const int row = int(m_rows.size());
    beginInsertRows({}, row, row);
    m_rows.append(c);
    endInsertRows();
    return c.messages;
}

void ConversationListModel::setRoomTitle(const QString &title)
{
    m_roomTitle = title;
    emit dataChanged(index(0), index(0), {Qt::DisplayRole});
}

void ConversationListModel::noteActivity(const QString &key, qint64 timestampMs, bool unread,
                                         bool mention)
{
    messages(key);
    const int row = findRow(key);
    Conversation &c = m_rows[row];
    c.lastActivity = qMax(c.lastActivity, timestampMs);
    if (unread) {
        ++c.unread;
        c.mentioned = c.mentioned || mention;
    }
    emit dataChanged(index(row), index(row));
    resort();
}

void ConversationListModel::markRead(const QString &key)
{
    const int row = findRow(key);
    if (row < 0)
        return;
    Conversation &c = m_rows[row];
    if (c.unread == 0 && !c.mentioned)
        return;
    c.unread = 0;
    c.mentioned = false;
    emit dataChanged(index(row), index(row), {UnreadRole, MentionedRole});
}

void ConversationListModel::setDraft(const QString &key, const QString &text)
{
    messages(key);
    const int row = findRow(key);
    if (m_rows.at(row).draft == text)
        return;
    m_rows[row].draft = text;
    emit dataChanged(index(row), index(row), {DraftRole});
}

QString ConversationListModel::draft(const QString &key) const
{
    const int row = findRow(key);
    return row < 0 ? QString() : m_rows.at(row).draft;
}

QHash<QString, QString> ConversationListModel::drafts() const
{
    QHash<QString, QString> all;
    for (const Conversation &c : m_rows) {
        if (!c.draft.isEmpty())
            all.insert(c.key, c.draft);
    }
    return all;
}

int ConversationListModel::totalUnread() const
{
    int total = 0;
    for (const Conversation &c : m_rows)
        total += c.unread;
    return total;
}

void ConversationListModel::resort()
{
    // The room stays first; partners by last activity, newest first.
    QList<Conversation> sorted = m_rows;
    std::stable_sort(sorted.begin() + 1, sorted.end(),
                     [](const Conversation &a, const Conversation &b) {
                         return a.lastActivity > b.lastActivity;
                     });
    bool same = true;
    for (int i = 0; i < sorted.size(); ++i)
        same = same && sorted.at(i).messages == m_rows.at(i).messages;
    if (same)
        return;
    emit layoutAboutToBeChanged();
    const QModelIndexList before = persistentIndexList();
    QList<MessageListModel *> keysBefore;
    for (const QModelIndex &i : before)
        keysBefore.append(m_rows.at(i.row()).messages);
    m_rows = sorted;
    for (int i = 0; i < before.size(); ++i) {
        for (int row = 0; row < m_rows.size(); ++row) {
            if (m_rows.at(row).messages == keysBefore.at(i)) {
                changePersistentIndex(before.at(i), index(row));
                break;
            }
        }
    }
    emit layoutChanged();
}
