#include "messageviewaccessible.h"

#include "messageview.h"
#include "model/messagelistmodel.h"

#include <QAbstractItemModel>
#include <QDateTime>
#include <QLocale>
#include <QPersistentModelIndex>
#include <QPointer>

namespace {

// One message of the list. It follows its message when rows come or go above it (a persistent
// index) and is invalid once the message or the view is gone.
class MessageRowAccessible : public QAccessibleInterface, public QAccessibleActionInterface
{
public:
    MessageRowAccessible(MessageView *view, const QModelIndex &index) : m_view(view), m_index(index)
    {}

    int row() const { return isValid() ? m_index.row() : -1; }

    bool isValid() const override
    {
        return m_view && m_index.isValid() && m_index.model() == m_view->model();
    }
    QObject *object() const override { return nullptr; }
    QWindow *window() const override
    {
        QAccessibleInterface *p = parent();
        return p ? p->window() : nullptr;
    }
    QAccessibleInterface *parent() const override
    {
        return m_view ? QAccessible::queryAccessibleInterface(m_view.data()) : nullptr;
    }
    QAccessibleInterface *child(int) const override { return nullptr; }
    int childCount() const override { return 0; }
    int indexOfChild(const QAccessibleInterface *) const override { return -1; }
    QAccessibleInterface *childAt(int, int) const override { return nullptr; }
    QAccessibleInterface *focusChild() const override { return nullptr; }

    QString text(QAccessible::Text t) const override
    {
        if (!isValid())
            return {};
        switch (t) {
        case QAccessible::Name:
            return MessageViewAccessible::describe(m_index);
        case QAccessible::Value:
            return m_index.data().toString(); // the text alone, for copying by the reader
        default:
            return {};
        }
    }
    void setText(QAccessible::Text, const QString &) override {}
    QRect rect() const override
    {
        if (!isValid())
            return {};
        const QRect r = m_view->visualRect(m_index.row());
        if (!r.isValid())
            return {};
        return QRect(m_view->viewport()->mapToGlobal(r.topLeft()), r.size());
    }
    QAccessible::Role role() const override { return QAccessible::ListItem; }
    QAccessible::State state() const override
    {
        QAccessible::State s;
        if (!isValid()) {
            s.invalid = true;
            return s;
        }
        s.focusable = true;
        s.selectable = true;
        s.readOnly = true;
        if (m_index.row() == m_view->currentRow()) {
            s.selected = true;
            s.focused = m_view->hasFocus();
        }
        if (!m_view->visualRect(m_index.row()).isValid())
            s.offscreen = true;
        return s;
    }

    void *interface_cast(QAccessible::InterfaceType type) override
    {
        return type == QAccessible::ActionInterface
                   ? static_cast<QAccessibleActionInterface *>(this)
                   : nullptr;
    }

    // Actions: a reader may focus the message or open its context menu (Reply, Edit, …).
    QStringList actionNames() const override { return {setFocusAction(), showMenuAction()}; }
    void doAction(const QString &name) override
    {
        if (!isValid())
            return;
        if (name == setFocusAction()) {
            m_view->setFocus(Qt::OtherFocusReason);
            m_view->setCurrentRow(m_index.row());
        } else if (name == showMenuAction()) {
            m_view->setCurrentRow(m_index.row());
            m_view->showContextMenu();
        }
    }
    QStringList keyBindingsForAction(const QString &name) const override
    {
        if (name == showMenuAction())
            return {QStringLiteral("Menu"), QStringLiteral("Shift+F10")};
        return {};
    }

private:
    QPointer<MessageView> m_view;
    QPersistentModelIndex m_index;
};

QAccessibleInterface *messageViewFactory(const QString &className, QObject *object)
{
    if (className == QLatin1String("MessageView") && object && object->isWidgetType())
        return new MessageViewAccessible(static_cast<MessageView *>(object));
    return nullptr;
}

} // namespace

MessageViewAccessible::MessageViewAccessible(MessageView *view)
    : QAccessibleWidget(view, QAccessible::List)
{}

MessageViewAccessible::~MessageViewAccessible()
{
    for (QAccessible::Id id : std::as_const(m_children))
        QAccessible::deleteAccessibleInterface(id);
}

void MessageViewAccessible::installFactory()
{
    static const bool installed = [] {
        QAccessible::installFactory(messageViewFactory);
        return true;
    }();
    Q_UNUSED(installed);
}

QString MessageViewAccessible::describe(const QModelIndex &index)
{
    using M = MessageListModel;
    QStringList parts;
    const QVariant call = index.data(M::CallRole);
    if (call.isValid()) {
        parts << call.toString(); // "Missed call from alice": who is in it already
    } else {
        parts << tr("%1: %2").arg(index.data(M::SenderRole).toString(), index.data().toString());
        const QString quoted = index.data(M::QuoteSenderRole).toString();
        if (index.data(M::ReplyToRole).toLongLong() > 0 && !quoted.isEmpty())
            parts << tr("in reply to %1").arg(quoted);
    }
    if (index.data(M::PrivateRole).toBool()) {
        parts << (index.data(M::OwnRole).toBool()
                      ? tr("private to %1").arg(index.data(M::RecipientRole).toString())
                      : tr("private to you"));
    }
    const QDateTime at = index.data(M::TimestampRole).toDateTime();
    if (at.isValid() && at.toMSecsSinceEpoch() > 0) {
        const QLocale locale;
        parts << (at.date() == QDate::currentDate()
                      ? locale.toString(at.time(), QLocale::ShortFormat)
                      : locale.toString(at, QLocale::ShortFormat));
    }
    if (index.data(M::EditedRole).toBool())
        parts << tr("edited");
    if (index.data(M::MentionRole).toBool() && !index.data(M::OwnRole).toBool())
        parts << tr("mentions you");
    switch (index.data(M::DeliveryRole).value<M::Delivery>()) {
    case M::Delivery::Pending:
        parts << tr("sending");
        break;
    case M::Delivery::Failed:
        parts << tr("not sent");
        break;
    case M::Delivery::Sent:
        break;
    }
    // One's own private message: how far it got (docs/protocol.md section 19), as the ticks
    // show it.
    switch (index.data(M::ReceiptRole).value<M::Receipt>()) {
    case M::Receipt::None:
        break;
    case M::Receipt::Sent:
        parts << tr("sent");
        break;
    case M::Receipt::Delivered:
        parts << tr("delivered");
        break;
    case M::Receipt::Read:
        parts << tr("read");
        break;
    }
    return parts.join(tr(", "));
}

MessageView *MessageViewAccessible::view() const
{
    return static_cast<MessageView *>(widget());
}

int MessageViewAccessible::childCount() const
{
    const QAbstractItemModel *model = view()->model();
    return model ? model->rowCount() : 0;
}

void MessageViewAccessible::prune() const
{
    for (auto it = m_children.begin(); it != m_children.end();) {
        auto *item = static_cast<MessageRowAccessible *>(QAccessible::accessibleInterface(*it));
        if (!item || item->row() != it.key()) {
            if (item)
                QAccessible::deleteAccessibleInterface(*it);
            it = m_children.erase(it);
        } else {
            ++it;
        }
    }
}

QAccessibleInterface *MessageViewAccessible::child(int index) const
{
    const QAbstractItemModel *model = view()->model();
    if (!model || index < 0 || index >= model->rowCount())
        return nullptr;
    if (m_children.size() > 2 * model->rowCount() + 64)
        prune();
    auto it = m_children.find(index);
    if (it != m_children.end()) {
        auto *item = static_cast<MessageRowAccessible *>(QAccessible::accessibleInterface(*it));
        if (item && item->row() == index)
            return item;
        // Its message moved or went away: a new item for what is on this row now.
        if (item)
            QAccessible::deleteAccessibleInterface(*it);
        m_children.erase(it);
    }
    auto *item = new MessageRowAccessible(view(), model->index(index, 0));
    m_children.insert(index, QAccessible::registerAccessibleInterface(item));
    return item;
}

int MessageViewAccessible::indexOfChild(const QAccessibleInterface *child) const
{
    if (!child || child->role() != QAccessible::ListItem || child->parent() != this)
        return -1;
    return static_cast<const MessageRowAccessible *>(child)->row();
}

QAccessibleInterface *MessageViewAccessible::childAt(int x, int y) const
{
    const QPoint pos = view()->viewport()->mapFromGlobal(QPoint(x, y));
    const QModelIndex index = view()->indexAt(pos);
    return index.isValid() ? child(index.row()) : nullptr;
}

QAccessibleInterface *MessageViewAccessible::focusChild() const
{
    if (view()->hasFocus() && view()->currentRow() >= 0)
        return child(view()->currentRow());
    return nullptr;
}
