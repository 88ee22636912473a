#pragma once

#include <QAbstractListModel>
#include <QStringList>

#include <functional>

// Who is online, sorted by name without regard to case; the user's own entry is marked.
class UserListModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role { NameRole = Qt::UserRole + 1, SelfRole, GuestRole };

    explicit UserListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    void setSelf(const QString &name) { m_self = name; }
    void reset(const QStringList &names);
    void apply(const QStringList &joined, const QStringList &left);
    QStringList names() const { return m_names; }
    bool contains(const QString &name) const;
    void clear() { reset({}); }
    // Who has no account (ClientSession::isGuest): the list marks them.
    void setGuestCheck(std::function<bool(const QString &)> isGuest);
    void guestsChanged();

private:
    int rowFor(const QString &name) const;
    int insertionRow(const QString &name) const;

    QStringList m_names;
    QString m_self;
    std::function<bool(const QString &)> m_isGuest;
};
