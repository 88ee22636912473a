#include "messageview.h"

#include "messagedelegate.h"
#include "model/messagelistmodel.h"

#include <QDesktopServices>
#include <QMouseEvent>
#include <QScrollBar>
#include <QTimer>
#include <QUrl>

MessageView::MessageView(QWidget *parent) : QListView(parent), m_delegate(new MessageDelegate(this))
{
    setItemDelegate(m_delegate);
    setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setSelectionMode(QAbstractItemView::NoSelection);
    setFocusPolicy(Qt::NoFocus);
    setMouseTracking(true);
    setWordWrap(true);
    setResizeMode(QListView::Adjust);
    setFrameShape(QFrame::NoFrame);
    setObjectName(QStringLiteral("messageView"));
    verticalScrollBar()->setSingleStep(24);
    connect(verticalScrollBar(), &QScrollBar::valueChanged, this, [this](int value) {
        m_stickToBottom = isAtBottom();
        if (value <= verticalScrollBar()->minimum() + 40 && model() && model()->rowCount() > 0)
            emit nearTop();
    });
}

void MessageView::setModel(QAbstractItemModel *model)
{
    if (this->model())
        disconnect(this->model(), nullptr, this, nullptr);
    QListView::setModel(model);
    if (model) {
        connect(model, &QAbstractItemModel::rowsAboutToBeInserted, this,
                &MessageView::beforeInsert);
        connect(model, &QAbstractItemModel::rowsInserted, this, &MessageView::afterInsert);
    }
    m_stickToBottom = true;
    scrollToBottom();
}

bool MessageView::isAtBottom() const
{
    const QScrollBar *bar = verticalScrollBar();
    return bar->value() >= bar->maximum() - 8;
}

void MessageView::beforeInsert(const QModelIndex &, int first, int)
{
    // Rows going in above what the user reads must not move it.
    m_distanceFromBottom = first == 0 && model()->rowCount() > 0
                               ? verticalScrollBar()->maximum() - verticalScrollBar()->value()
                               : -1;
}

void MessageView::afterInsert(const QModelIndex &, int, int)
{
    const int keep = m_distanceFromBottom;
    const bool stick = m_stickToBottom;
    // The layout is updated later in this event-loop turn; scroll once it is.
    QTimer::singleShot(0, this, [this, keep, stick] {
        if (stick)
            scrollToBottom();
        else if (keep >= 0)
            verticalScrollBar()->setValue(verticalScrollBar()->maximum() - keep);
    });
}

void MessageView::resizeEvent(QResizeEvent *event)
{
    const bool stick = m_stickToBottom;
    QListView::resizeEvent(event);
    // Heights depend on the width: lay the rows out again.
    scheduleDelayedItemsLayout();
    if (stick)
        QTimer::singleShot(0, this, [this] { scrollToBottom(); });
}

void MessageView::mouseMoveEvent(QMouseEvent *event)
{
    const QModelIndex index = indexAt(event->position().toPoint());
    QStyleOptionViewItem option;
    initViewItemOption(&option);
    option.rect = visualRect(index);
    const bool link = index.isValid() &&
                      !m_delegate->linkAt(option, index, event->position().toPoint()).isEmpty();
    const bool retry =
        index.isValid() && m_delegate->retryAt(option, index, event->position().toPoint());
    viewport()->setCursor(link || retry ? Qt::PointingHandCursor : Qt::ArrowCursor);
    QListView::mouseMoveEvent(event);
}

void MessageView::mouseReleaseEvent(QMouseEvent *event)
{
    const QModelIndex index = indexAt(event->position().toPoint());
    if (index.isValid() && event->button() == Qt::LeftButton) {
        QStyleOptionViewItem option;
        initViewItemOption(&option);
        option.rect = visualRect(index);
        const QString link = m_delegate->linkAt(option, index, event->position().toPoint());
        if (!link.isEmpty()) {
            QDesktopServices::openUrl(QUrl(link));
            return;
        }
        if (m_delegate->retryAt(option, index, event->position().toPoint())) {
            emit retryRequested(index.data(MessageListModel::ClientIdRole).toString());
            return;
        }
    }
    QListView::mouseReleaseEvent(event);
}
