#pragma once

#include <QStyledItemDelegate>

#include <functional>

// A conversation in the left column: avatar (or '#' for the room), name in bold while
// unread, an unread pill and an '@' marker when the user was mentioned. A muted conversation
// has a grey pill and a crossed-out bell. A conversation with an unsent draft shows it under
// the name, "Draft:" in red.
class ConversationDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    // Whether the conversation with this key is muted (MessageAlerts).
    void setMutedCheck(std::function<bool(const QString &)> isMuted)
    {
        m_isMuted = std::move(isMuted);
    }

private:
    std::function<bool(const QString &)> m_isMuted;
};

// A user in the right column: avatar, status dot, name and a call button.
class UserDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    static QRect callButtonRect(const QRect &row);
    static QRect messageButtonRect(const QRect &row);
};

// A message found by search: who and where in small grey type, then the words around the
// match with the match in bold.
class SearchHitDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};
