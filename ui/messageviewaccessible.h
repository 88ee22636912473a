#pragma once

#include <QAccessibleWidget>
#include <QCoreApplication>
#include <QHash>

class MessageView;

// What screen readers see of a MessageView: a list whose items are the loaded messages, each
// named as it would be read out ("alice: see you at 5, 14:05, edited, private to bob"), the
// current one selected and, while the list has the focus, focused. The view paints its rows
// itself (no item widgets, no QAbstractItemView), so Qt's own list support does not apply.
// Item interfaces are made when asked for and kept per row; one whose message moved to another
// row (history loaded above) or went away is replaced when its row is asked for again.
class MessageViewAccessible : public QAccessibleWidget
{
    Q_DECLARE_TR_FUNCTIONS(MessageViewAccessible)
public:
    explicit MessageViewAccessible(MessageView *view);
    ~MessageViewAccessible() override;

    // Makes QAccessible::queryAccessibleInterface() answer with this class for every
    // MessageView; called by MessageView's constructor, effective once.
    static void installFactory();
    // How the message at `index` of a MessageListModel is read out.
    static QString describe(const QModelIndex &index);

    int childCount() const override;
    QAccessibleInterface *child(int index) const override;
    int indexOfChild(const QAccessibleInterface *child) const override;
    QAccessibleInterface *childAt(int x, int y) const override;
    QAccessibleInterface *focusChild() const override;

private:
    MessageView *view() const;
    // Drops the items whose message is gone or on another row (bounded memory).
    void prune() const;

    mutable QHash<int, QAccessible::Id> m_children; // row -> its item's interface
};
