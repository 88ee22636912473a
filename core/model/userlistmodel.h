#pragma once

#include <QAbstractListModel>
#include <QStringList>

#include <functional>

// Who is online, sorted by name without regard to case; the user's own entry is marked.
// While the connection is down the list is only the last one known: isLive() is false and
// OnlineRole says nobody is known to be online, so the views grey it out instead of
// showing green dots for people who may have left.
class UserListModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(bool live READ isLive WRITE setLive NOTIFY liveChanged)
public:
    enum Role { NameRole = Qt::UserRole + 1, SelfRole, GuestRole, OnlineRole };

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
    bool isLive() const { return m_live; }
    void setLive(bool live);

signals:
    void liveChanged(bool live);

private:
    int rowFor(const QString &name) const;
    int insertionRow(const QString &name) const;

    QStringList m_names;
    QString m_self;
    std::function<bool(const QString &)> m_isGuest;
    bool m_live = false;
};
