#include "model/userlistmodel.h"

#include "protocol/namerules.h"

#include <algorithm>

namespace {
bool lessByName(const QString &a, const QString &b)
{
    const int c = a.compare(b, Qt::CaseInsensitive);
    return c != 0 ? c < 0 : a < b;
}
} // namespace

UserListModel::UserListModel(QObject *parent) : QAbstractListModel(parent) {}

int UserListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_names.size());
}

QVariant UserListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_names.size())
        return {};
    const QString &name = m_names.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return name;
    case SelfRole:
        return NameRules::key(name) == NameRules::key(m_self);
    case GuestRole:
        return m_isGuest ? m_isGuest(name) : false;
    case OnlineRole:
        return m_live;
    default:
        return {};
    }
}

QHash<int, QByteArray> UserListModel::roleNames() const
{
    return {{NameRole, "name"}, {SelfRole, "self"}, {GuestRole, "guest"}, {OnlineRole, "online"}};
}

void UserListModel::setLive(bool live)
{
    if (m_live == live)
        return;
    m_live = live;
    if (!m_names.isEmpty())
        emit dataChanged(index(0), index(int(m_names.size()) - 1), {OnlineRole});
    emit liveChanged(live);
}

void UserListModel::setGuestCheck(std::function<bool(const QString &)> isGuest)
{
    m_isGuest = std::move(isGuest);
}

void UserListModel::guestsChanged()
{
    if (!m_names.isEmpty())
        emit dataChanged(index(0), index(int(m_names.size()) - 1), {GuestRole});
}

void UserListModel::reset(const QStringList &names)
{
    beginResetModel();
    m_names = names;
    m_names.removeDuplicates();
    std::sort(m_names.begin(), m_names.end(), lessByName);
    endResetModel();
}

int UserListModel::rowFor(const QString &name) const
{
    const QString key = NameRules::key(name);
    for (int i = 0; i < m_names.size(); ++i) {
        if (NameRules::key(m_names.at(i)) == key)
            return i;
    }
    return -1;
}

bool UserListModel::contains(const QString &name) const
{
    return rowFor(name) >= 0;
}

int UserListModel::insertionRow(const QString &name) const
{
    return int(std::lower_bound(m_names.cbegin(), m_names.cend(), name, lessByName) -
               m_names.cbegin());
}

void UserListModel::apply(const QStringList &joined, const QStringList &left)
{
    for (const QString &name : left) {
        const int row = rowFor(name);
        if (row < 0)
            continue;
        beginRemoveRows({}, row, row);
        m_names.removeAt(row);
        endRemoveRows();
    }
    for (const QString &name : joined) {
        if (rowFor(name) >= 0)
            continue;
        const int row = insertionRow(name);
        beginInsertRows({}, row, row);
        m_names.insert(row, name);
        endInsertRows();
    }
}
