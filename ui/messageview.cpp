#include "messageview.h"

#include "messagedelegate.h"
#include "messageviewaccessible.h"
#include "model/messagelistmodel.h"

#include <QAccessible>
#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QDesktopServices>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QMenu>
#include <QPainter>
#include <QScrollBar>
#include <QTextBoundaryFinder>
#include <QToolTip>
#include <QUrl>
#include <QWheelEvent>

namespace {
constexpr int kNearTopRows = 3;
}

MessageView::MessageView(QWidget *parent)
    : QAbstractScrollArea(parent), m_delegate(new MessageDelegate(this))
{
    setObjectName(QStringLiteral("messageView"));
    MessageViewAccessible::installFactory();
    setAccessibleName(tr("Messages"));
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setFrameShape(QFrame::NoFrame);
    // A click takes the focus, so that Ctrl+C copies what the click selected; typing then
    // goes on in the compose box (textTyped). Tab reaches it too, to walk the messages.
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    viewport()->setMouseTracking(true);
    viewport()->setAutoFillBackground(true);
    viewport()->setBackgroundRole(QPalette::Base);
    connect(verticalScrollBar(), &QScrollBar::valueChanged, this, [this](int value) {
        if (m_syncing)
            return;
        // The bar counts rows: dragging it jumps to that message.
        m_topRow = qBound(0, value, qMax(0, rowCount() - 1));
        m_topOffset = 0;
        m_stickToBottom = false;
        clampToContent();
        if (m_topRow < kNearTopRows)
            emit nearTop();
        viewport()->update();
    });
}

void MessageView::setModel(QAbstractItemModel *model)
{
    if (m_model)
        disconnect(m_model, nullptr, this, nullptr);
    m_model = model;
    if (model) {
        connect(model, &QAbstractItemModel::rowsInserted, this, &MessageView::onRowsInserted);
        connect(model, &QAbstractItemModel::rowsRemoved, this, &MessageView::onRowsRemoved);
        connect(model, &QAbstractItemModel::dataChanged, this, &MessageView::onDataChanged);
        connect(model, &QAbstractItemModel::modelReset, this, &MessageView::onReset);
        connect(model, &QAbstractItemModel::layoutChanged, this, &MessageView::onReset);
        connect(model, &QObject::destroyed, this, &MessageView::onReset);
    }
    onReset();
}

int MessageView::rowCount() const
{
    return m_model ? m_model->rowCount() : 0;
}

QStyleOptionViewItem MessageView::optionFor(int row, int y) const
{
    QStyleOptionViewItem option;
    option.initFrom(viewport());
    option.font = font();
    option.widget = this;
    option.rect = QRect(0, y, viewport()->width(), heightOf(row));
    return option;
}

int MessageView::heightOf(int row) const
{
    if (row < 0 || row >= int(m_heights.size()))
        return 0;
    int &h = m_heights[size_t(row)];
    if (h < 0) {
        QStyleOptionViewItem option;
        option.initFrom(viewport());
        option.font = font();
        option.widget = this;
        option.rect = QRect(0, 0, viewport()->width(), 0);
        h = qMax(1, m_delegate->sizeHint(option, m_model->index(row, 0)).height());
    }
    return h;
}

void MessageView::invalidate(int first, int last)
{
    for (int row = qMax(0, first); row <= last && row < int(m_heights.size()); ++row)
        m_heights[size_t(row)] = -1;
}

void MessageView::anchorToBottom()
{
    // Lay out upwards from the newest message until the viewport is full.
    int y = viewport()->height();
    int row = rowCount() - 1;
    while (row > 0 && y - heightOf(row) > 0) {
        y -= heightOf(row);
        --row;
    }
    if (row >= 0)
        y -= heightOf(row);
    m_topRow = qMax(0, row);
    m_topOffset = qMax(0, -y);
}

void MessageView::clampToContent()
{
    // Never leave empty space below the newest message while there is content above.
    // (A view filled exactly to its bottom with more rows below is not at the end: the
    // keyboard's current row is scrolled to just that place.)
    int y = -m_topOffset;
    int row = m_topRow;
    for (; row < rowCount() && y < viewport()->height(); ++row)
        y += heightOf(row);
    if (row >= rowCount() && y <= viewport()->height()) {
        m_stickToBottom = true;
        anchorToBottom();
    }
    syncScrollBar();
}

void MessageView::syncScrollBar()
{
    m_syncing = true;
    QScrollBar *bar = verticalScrollBar();
    const int rows = rowCount();
    const int visibleRows = qMax(1, int(m_visible.size()));
    bar->setRange(0, qMax(0, rows - visibleRows));
    bar->setPageStep(visibleRows);
    bar->setSingleStep(1);
    bar->setValue(m_stickToBottom ? bar->maximum() : m_topRow);
    m_syncing = false;
}

void MessageView::scrollToBottom()
{
    m_stickToBottom = true;
    anchorToBottom();
    syncScrollBar();
    viewport()->update();
}

void MessageView::scrollToTop()
{
    m_stickToBottom = false;
    m_topRow = 0;
    m_topOffset = 0;
    clampToContent();
    emit nearTop();
    viewport()->update();
}

void MessageView::scrollToRow(int row)
{
    if (row < 0 || row >= rowCount())
        return;
    m_stickToBottom = false;
    m_topRow = row;
    m_topOffset = 0;
    scrollBy(-viewport()->height() / 3);
    clampToContent();
    syncScrollBar();
    viewport()->update();
    // A search hit is where the keyboard goes on from.
    m_currentRow = row;
    notifyCurrent();
}

void MessageView::setCurrentRow(int row)
{
    if (rowCount() == 0)
        return;
    row = qBound(0, row, rowCount() - 1);
    ensureVisible(row);
    if (row == m_currentRow)
        return;
    m_currentRow = row;
    viewport()->update();
    notifyCurrent();
}

void MessageView::ensureVisible(int row)
{
    if (row < 0 || row >= rowCount())
        return;
    if (row == rowCount() - 1) {
        scrollToBottom(); // and follow the newest again
        return;
    }
    if (row < m_topRow || (row == m_topRow && m_topOffset > 0)) {
        m_stickToBottom = false;
        m_topRow = row;
        m_topOffset = 0;
        clampToContent();
        if (m_topRow < kNearTopRows)
            emit nearTop();
        viewport()->update();
        return;
    }
    int y = -m_topOffset;
    for (int r = m_topRow; r < row && y < viewport()->height(); ++r)
        y += heightOf(r);
    if (y + heightOf(row) <= viewport()->height())
        return; // all of it is on screen already
    // Below: its bottom at the bottom of the view (its top at the top when taller).
    m_stickToBottom = false;
    m_topRow = row;
    m_topOffset = 0;
    const int above = viewport()->height() - heightOf(row);
    if (above > 0) {
        scrollBy(-above);
    } else {
        clampToContent();
        viewport()->update();
    }
}

int MessageView::rowsPerPage() const
{
    return qMax(1, int(m_visible.size()) - 1);
}

void MessageView::notifyCurrent()
{
#if QT_CONFIG(accessibility)
    if (m_currentRow < 0)
        return;
    // As a list view does: the focus moves to the item (when the list has it), and the item
    // is the selected one. Sent also while QAccessible::isActive() is false (Qt's views wait
    // for it): one event per key or click costs nothing, and the platforms that never report
    // a screen reader (offscreen, some bridges) still get them.
    if (hasFocus()) {
        QAccessibleEvent focus(this, QAccessible::Focus);
        focus.setChild(m_currentRow);
        QAccessible::updateAccessibility(&focus);
    }
    QAccessibleEvent selection(this, QAccessible::Selection);
    selection.setChild(m_currentRow);
    QAccessible::updateAccessibility(&selection);
#endif
}

QRect MessageView::visualRect(int row) const
{
    const Visible *v = visibleRow(row);
    return v ? v->rect : QRect();
}

void MessageView::scrollBy(int dy)
{
    if (rowCount() == 0 || dy == 0)
        return;
    m_stickToBottom = false;
    m_topOffset += dy;
    while (m_topOffset < 0 && m_topRow > 0)
        m_topOffset += heightOf(--m_topRow);
    while (m_topRow < rowCount() - 1 && m_topOffset >= heightOf(m_topRow))
        m_topOffset -= heightOf(m_topRow++);
    if (m_topOffset < 0)
        m_topOffset = 0;
    clampToContent();
    if (dy < 0 && m_topRow < kNearTopRows)
        emit nearTop();
    viewport()->update();
}

void MessageView::scrollContentsBy(int, int)
{
    // Scrolling is driven by the row anchor; the bar only reflects it.
}

void MessageView::layOut()
{
    m_visible.clear();
    if (m_stickToBottom)
        anchorToBottom();
    int y = -m_topOffset;
    for (int row = m_topRow; row < rowCount() && y < viewport()->height(); ++row) {
        const QStyleOptionViewItem option = optionFor(row, y);
        m_visible.push_back(Visible{row, option.rect});
        y += option.rect.height();
    }
}

void MessageView::paintEvent(QPaintEvent *)
{
    QPainter painter(viewport());
    layOut();
    for (const Visible &v : m_visible) {
        const int row = v.row;
        const QStyleOptionViewItem option = optionFor(row, v.rect.top());
        const auto [selectionStart, selectionEnd] = selectionIn(row);
        m_delegate->paint(&painter, option, m_model->index(row, 0), selectionStart, selectionEnd);
        if (row == m_currentRow && m_showCurrent && hasFocus()) {
            // The keyboard's message, framed as a list's current item is.
            painter.save();
            painter.setRenderHint(QPainter::Antialiasing);
            painter.setPen(QPen(palette().color(QPalette::Highlight), 2));
            painter.setBrush(Qt::NoBrush);
            painter.drawRoundedRect(QRectF(option.rect).adjusted(2, 2, -2, -2), 6, 6);
            painter.restore();
        }
    }
    const int visibleRows = int(m_visible.size());
    if (verticalScrollBar()->pageStep() != qMax(1, visibleRows))
        syncScrollBar();
}

void MessageView::resizeEvent(QResizeEvent *event)
{
    QAbstractScrollArea::resizeEvent(event);
    // Heights depend on the width; they are measured again as rows come into view.
    std::fill(m_heights.begin(), m_heights.end(), -1);
    if (m_stickToBottom)
        anchorToBottom();
    else
        clampToContent();
    layOut();
}

void MessageView::wheelEvent(QWheelEvent *event)
{
    const QPoint pixels = event->pixelDelta();
    const int dy = !pixels.isNull() ? -pixels.y()
                                    : -event->angleDelta().y() * 3 * fontMetrics().height() / 120;
    scrollBy(dy);
    event->accept();
}

void MessageView::keyPressEvent(QKeyEvent *event)
{
    if (event->matches(QKeySequence::Copy)) {
        // The selected text, else the whole current message.
        if (hasSelection()) {
            copy();
        } else if (m_currentRow >= 0 && m_currentRow < rowCount()) {
            const QModelIndex index = m_model->index(m_currentRow, 0);
            if (!index.data(MessageListModel::DeletedRole).toBool())
                QGuiApplication::clipboard()->setText(index.data().toString());
        }
        return;
    }
    if (event->key() == Qt::Key_Menu ||
        (event->key() == Qt::Key_F10 && event->modifiers() == Qt::ShiftModifier)) {
        showContextMenu();
        return;
    }
    if (event->key() == Qt::Key_Escape && hasSelection()) {
        clearSelection();
        return;
    }
    const bool command = event->modifiers() & (Qt::ControlModifier | Qt::AltModifier);
    if (!command && !event->text().isEmpty() && event->text().at(0).isPrint()) {
        emit textTyped(event->text());
        return;
    }
    // The first key starts from the newest message on screen.
    const int from = m_currentRow >= 0
                         ? m_currentRow
                         : (!m_visible.empty() ? m_visible.back().row : rowCount() - 1);
    const bool fresh = m_currentRow < 0;
    if (event->key() >= Qt::Key_Home && event->key() <= Qt::Key_PageDown)
        m_showCurrent = true;
    switch (event->key()) {
    case Qt::Key_Up:
        setCurrentRow(fresh ? from : from - 1);
        return;
    case Qt::Key_Down:
        setCurrentRow(fresh ? from : from + 1);
        return;
    case Qt::Key_PageUp:
        setCurrentRow(from - rowsPerPage());
        return;
    case Qt::Key_PageDown:
        setCurrentRow(from + rowsPerPage());
        return;
    case Qt::Key_Home:
        // The oldest loaded; scrolled to the top, older history loads above it.
        setCurrentRow(0);
        return;
    case Qt::Key_End:
        setCurrentRow(rowCount() - 1);
        return;
    default:
        QAbstractScrollArea::keyPressEvent(event);
    }
}

QModelIndex MessageView::indexAt(QPoint pos) const
{
    for (const Visible &v : m_visible) {
        if (v.rect.contains(pos))
            return m_model->index(v.row, 0);
    }
    return {};
}

const MessageView::Visible *MessageView::visibleRow(int row) const
{
    for (const Visible &v : m_visible) {
        if (v.row == row)
            return &v;
    }
    return nullptr;
}

QRect MessageView::textRect(const QModelIndex &index) const
{
    const Visible *v = index.isValid() ? visibleRow(index.row()) : nullptr;
    if (!v)
        return {};
    return m_delegate->textRect(optionFor(v->row, v->rect.top()), index);
}

QRect MessageView::fileButtonRect(const QModelIndex &index) const
{
    const Visible *v = index.isValid() ? visibleRow(index.row()) : nullptr;
    return v ? m_delegate->fileButtonRect(optionFor(v->row, v->rect.top()), index) : QRect();
}

QRect MessageView::imageRect(const QModelIndex &index) const
{
    const Visible *v = index.isValid() ? visibleRow(index.row()) : nullptr;
    return v ? m_delegate->imageRect(optionFor(v->row, v->rect.top()), index) : QRect();
}

QString MessageView::textOf(int row) const
{
    return m_model ? m_model->index(row, 0).data().toString() : QString();
}

MessageView::TextPoint MessageView::textPointAt(QPoint pos) const
{
    if (m_visible.empty())
        return {};
    const Visible *hit = nullptr;
    if (pos.y() < m_visible.front().rect.top())
        return TextPoint{m_visible.front().row, 0};
    for (const Visible &v : m_visible) {
        if (pos.y() <= v.rect.bottom()) {
            hit = &v;
            break;
        }
    }
    if (!hit)
        return TextPoint{m_visible.back().row, int(textOf(m_visible.back().row).size())};
    return TextPoint{hit->row, m_delegate->textPositionAt(optionFor(hit->row, hit->rect.top()),
                                                          m_model->index(hit->row, 0), pos)};
}

bool MessageView::hasSelection() const
{
    return m_anchor.row >= 0 && m_cursor.row >= 0 && !(m_anchor == m_cursor);
}

std::pair<int, int> MessageView::selectionIn(int row) const
{
    if (!hasSelection())
        return {0, 0};
    const TextPoint from = qMin(m_anchor, m_cursor);
    const TextPoint to = qMax(m_anchor, m_cursor);
    if (row < from.row || row > to.row)
        return {0, 0};
    return {row == from.row ? from.pos : 0, row == to.row ? to.pos : int(textOf(row).size())};
}

QString MessageView::selectedText() const
{
    if (!hasSelection())
        return {};
    const TextPoint from = qMin(m_anchor, m_cursor);
    const TextPoint to = qMax(m_anchor, m_cursor);
    QStringList parts;
    for (int row = from.row; row <= to.row && row < rowCount(); ++row) {
        const auto [start, end] = selectionIn(row);
        parts << textOf(row).mid(start, end - start);
    }
    return parts.join(QLatin1Char('\n'));
}

void MessageView::clearSelection()
{
    m_anchor = m_cursor = TextPoint{};
    m_selecting = false;
    viewport()->update();
}

void MessageView::copy() const
{
    if (hasSelection())
        QGuiApplication::clipboard()->setText(selectedText());
}

void MessageView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        // A click on a reply's quote shows the original.
        const QModelIndex index = indexAt(event->position().toPoint());
        if (const Visible *v = index.isValid() ? visibleRow(index.row()) : nullptr) {
            const QStyleOptionViewItem option = optionFor(v->row, v->rect.top());
            const QPoint pos = event->position().toPoint();
            if (m_delegate->fileButtonAt(option, index, pos)) {
                const qint64 seq = index.data(MessageListModel::SeqRole).toLongLong();
                const QVariantMap file = index.data(MessageListModel::FileRole).toMap();
                if (index.data(MessageListModel::TransferRole).isValid())
                    emit fileCancelRequested(
                        seq, seq > 0 ? QString()
                                     : index.data(MessageListModel::ClientIdRole).toString());
                else
                    emit fileDownloadRequested(seq, file.value(QStringLiteral("name")).toString());
                event->accept();
                return;
            }
            if (m_delegate->imageAt(option, index, pos)) {
                emit imageOpenRequested(index.data(MessageListModel::LocalFileRole).toString(),
                                        index.data(MessageListModel::FileRole)
                                            .toMap()
                                            .value(QStringLiteral("name"))
                                            .toString());
                event->accept();
                return;
            }
            // A click on a reaction gives it too, or takes one's own back.
            const int chip = m_delegate->reactionAt(optionFor(v->row, v->rect.top()), index,
                                                    event->position().toPoint());
            const QVariantList reactions = index.data(MessageListModel::ReactionsRole).toList();
            if (chip >= 0 && chip < reactions.size()) {
                emit reactionToggled(
                    index.data(MessageListModel::SeqRole).toLongLong(),
                    reactions.at(chip).toMap().value(QStringLiteral("emoji")).toString());
                event->accept();
                return;
            }
            if (m_delegate->quoteAt(optionFor(v->row, v->rect.top()), index,
                                    event->position().toPoint())) {
                emit quoteClicked(index.data(MessageListModel::ReplyToRole).toLongLong());
                event->accept();
                return;
            }
        }
        // The clicked message becomes the keyboard's (framed again at the next key).
        m_showCurrent = false;
        if (index.isValid() && index.row() != m_currentRow) {
            m_currentRow = index.row();
            notifyCurrent();
        }
        // A press starts a new selection, empty until the mouse moves.
        m_anchor = m_cursor = textPointAt(event->position().toPoint());
        m_selecting = m_anchor.row >= 0;
        viewport()->update();
        if (m_selecting) {
            event->accept();
            return;
        }
    }
    QAbstractScrollArea::mousePressEvent(event);
}

void MessageView::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    if (m_selecting) {
        const TextPoint point = textPointAt(pos);
        if (point.row >= 0 && !(point == m_cursor)) {
            m_cursor = point;
            viewport()->update();
        }
    }
    const QModelIndex index = indexAt(pos);
    bool active = false;
    if (index.isValid() && !m_selecting) {
        if (const Visible *v = visibleRow(index.row())) {
            const QStyleOptionViewItem option = optionFor(v->row, v->rect.top());
            active = !m_delegate->linkAt(option, index, pos).isEmpty() ||
                     m_delegate->retryAt(option, index, pos) ||
                     m_delegate->fileButtonAt(option, index, pos) ||
                     m_delegate->imageAt(option, index, pos);
        }
    }
    viewport()->setCursor(active ? Qt::PointingHandCursor : Qt::IBeamCursor);
    if (m_selecting)
        event->accept();
    else
        QAbstractScrollArea::mouseMoveEvent(event);
}

void MessageView::mouseReleaseEvent(QMouseEvent *event)
{
    const bool wasSelecting = m_selecting;
    m_selecting = false;
    const QPoint pos = event->position().toPoint();
    const QModelIndex index = indexAt(pos);
    // A click that selected nothing opens a link or retries a failed message.
    if (wasSelecting && !hasSelection() && index.isValid() && event->button() == Qt::LeftButton) {
        if (const Visible *v = visibleRow(index.row())) {
            const QStyleOptionViewItem option = optionFor(v->row, v->rect.top());
            const QString link = m_delegate->linkAt(option, index, pos);
            if (!link.isEmpty()) {
                QDesktopServices::openUrl(QUrl(link));
                return;
            }
            if (m_delegate->retryAt(option, index, pos)) {
                emit retryRequested(index.data(MessageListModel::ClientIdRole).toString());
                return;
            }
        }
    }
    if (wasSelecting)
        event->accept();
    else
        QAbstractScrollArea::mouseReleaseEvent(event);
}

void MessageView::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return;
    // Selects the word under the mouse.
    const TextPoint point = textPointAt(event->position().toPoint());
    if (point.row < 0)
        return;
    const QString text = textOf(point.row);
    QTextBoundaryFinder words(QTextBoundaryFinder::Word, text);
    words.setPosition(point.pos);
    const auto reasons =
        words.isAtBoundary() ? words.boundaryReasons() : QTextBoundaryFinder::BoundaryReasons();
    const int start = reasons.testFlag(QTextBoundaryFinder::StartOfItem)
                          ? point.pos
                          : int(words.toPreviousBoundary());
    words.setPosition(point.pos);
    const int end = reasons.testFlag(QTextBoundaryFinder::EndOfItem) &&
                            !reasons.testFlag(QTextBoundaryFinder::StartOfItem)
                        ? point.pos
                        : int(words.toNextBoundary());
    m_anchor = TextPoint{point.row, qMax(0, start)};
    m_cursor = TextPoint{point.row, end < 0 ? int(text.size()) : end};
    m_selecting = false;
    viewport()->update();
}

void MessageView::showContextMenu()
{
    if (m_menu && m_menu->isVisible())
        return; // the menu key also arrives as a context menu event on some systems
    if (m_currentRow < 0 && !m_visible.empty())
        m_currentRow = m_visible.back().row;
    if (m_currentRow < 0 || m_currentRow >= rowCount())
        return;
    m_showCurrent = true;
    ensureVisible(m_currentRow);
    // Laid out now: the menu opens by the message, which may just have scrolled into view.
    viewport()->repaint();
    const QModelIndex index = m_model->index(m_currentRow, 0);
    const QRect text = textRect(index);
    const QPoint at = text.isValid() ? text.bottomLeft()
                                     : QPoint(viewport()->width() / 3, viewport()->height() / 2);
    openMenu(index, QString(), viewport()->mapToGlobal(at));
}

void MessageView::contextMenuEvent(QContextMenuEvent *event)
{
    // From the keyboard (the menu key, Shift+F10): the current message's, by it, wherever the
    // mouse is.
    if (event->reason() == QContextMenuEvent::Keyboard) {
        showContextMenu();
        event->accept();
        return;
    }
    const QModelIndex index = indexAt(event->pos());
    QString link;
    if (const Visible *v = index.isValid() ? visibleRow(index.row()) : nullptr)
        link = m_delegate->linkAt(optionFor(v->row, v->rect.top()), index, event->pos());
    if (!index.isValid() && !hasSelection())
        return;
    openMenu(index, link, event->globalPos());
    event->accept();
}

void MessageView::openMenu(const QModelIndex &index, const QString &link, QPoint globalPos)
{
    if (m_menu)
        m_menu->close();
    // Not exec(): the list keeps running (new messages, scrolling) while the menu is open.
    auto *menu = new QMenu(this);
    m_menu = menu;
    menu->setObjectName(QStringLiteral("messageMenu"));
    menu->setAttribute(Qt::WA_DeleteOnClose);
    if (hasSelection()) {
        QAction *copySelection = menu->addAction(tr("&Copy"), this, &MessageView::copy);
        copySelection->setObjectName(QStringLiteral("copySelectionAction"));
        copySelection->setShortcut(QKeySequence::Copy);
    }
    const bool deleted = index.data(MessageListModel::DeletedRole).toBool();
    if (index.isValid() && !deleted) {
        const QString text = index.data().toString();
        QAction *copyText = menu->addAction(
            tr("Copy &Text"), this, [text] { QGuiApplication::clipboard()->setText(text); });
        copyText->setObjectName(QStringLiteral("copyMessageAction"));
    }
    addReactActions(menu, index);
    addChangeActions(menu, index);
    if (!link.isEmpty()) {
        QAction *copyLink = menu->addAction(tr("Copy &Link Address"), this, [link] {
            QGuiApplication::clipboard()->setText(link);
        });
        copyLink->setObjectName(QStringLiteral("copyLinkAction"));
    }
    menu->popup(globalPos);
}

QStringList MessageView::quickReactions()
{
    return {QStringLiteral("\U0001F44D"), QStringLiteral("\u2764\uFE0F"),
            QStringLiteral("\U0001F602"), QStringLiteral("\U0001F62E"),
            QStringLiteral("\U0001F622"), QStringLiteral("\U0001F389")};
}

void MessageView::addReactActions(QMenu *menu, const QModelIndex &index)
{
    const qint64 seq = index.data(MessageListModel::SeqRole).toLongLong();
    if (!index.isValid() || seq <= 0 || index.data(MessageListModel::DeletedRole).toBool() ||
        index.data(MessageListModel::CallRole).isValid())
        return;
    QMenu *react = menu->addMenu(tr("Rea&ct"));
    react->setObjectName(QStringLiteral("reactMenu"));
    for (const QString &emoji : quickReactions()) {
        QAction *a =
            react->addAction(emoji, this, [this, seq, emoji] { emit reactionToggled(seq, emoji); });
        a->setObjectName(QStringLiteral("reactAction"));
        a->setData(emoji);
    }
    react->addSeparator();
    QAction *more =
        react->addAction(tr("&More…"), this, [this, seq] { emit reactionPickerRequested(seq); });
    more->setObjectName(QStringLiteral("reactMoreAction"));
}

QList<QRect> MessageView::reactionRects(const QModelIndex &index) const
{
    const Visible *v = index.isValid() ? visibleRow(index.row()) : nullptr;
    if (!v)
        return {};
    return m_delegate->reactionRects(optionFor(v->row, v->rect.top()), index);
}

QString MessageView::toolTipAt(QPoint pos) const
{
    const QModelIndex index = indexAt(pos);
    const Visible *v = index.isValid() ? visibleRow(index.row()) : nullptr;
    if (!v)
        return {};
    const QStyleOptionViewItem option = optionFor(v->row, v->rect.top());
    const QString reaction =
        MessageDelegate::reactionToolTip(index, m_delegate->reactionAt(option, index, pos));
    if (!reaction.isEmpty())
        return reaction;
    // The ticks of one's own private message say in words how far it got.
    if (m_delegate->statusRect(option, index).contains(pos))
        return MessageDelegate::receiptText(index);
    return {};
}

bool MessageView::viewportEvent(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        const auto *help = static_cast<QHelpEvent *>(event);
        const QString text = toolTipAt(help->pos());
        if (text.isEmpty()) {
            QToolTip::hideText();
            event->ignore();
        } else {
            QToolTip::showText(help->globalPos(), text, viewport());
        }
        return true;
    }
    return QAbstractScrollArea::viewportEvent(event);
}

void MessageView::addChangeActions(QMenu *menu, const QModelIndex &index)
{
    // Any stored message that is not deleted or a call entry may be answered.
    const qint64 stored = index.data(MessageListModel::SeqRole).toLongLong();
    if (index.isValid() && stored > 0 && !index.data(MessageListModel::DeletedRole).toBool() &&
        !index.data(MessageListModel::CallRole).isValid()) {
        const QString from = index.data(MessageListModel::SenderRole).toString();
        const QString quoted = index.data().toString();
        QAction *reply = menu->addAction(tr("&Reply"), this, [this, stored, from, quoted] {
            emit replyRequested(stored, from, quoted);
        });
        reply->setObjectName(QStringLiteral("replyMessageAction"));
    }
    // Only the user's own messages that the server has stored (they have a seq), are not
    // deleted, and are not call entries (the server's record of a call).
    const qint64 seq = index.data(MessageListModel::SeqRole).toLongLong();
    if (!index.isValid() || !index.data(MessageListModel::OwnRole).toBool() || seq <= 0 ||
        index.data(MessageListModel::DeletedRole).toBool() ||
        index.data(MessageListModel::CallRole).isValid())
        return;
    menu->addSeparator();
    const QString text = index.data().toString();
    QAction *edit =
        menu->addAction(tr("&Edit"), this, [this, seq, text] { emit editRequested(seq, text); });
    edit->setObjectName(QStringLiteral("editMessageAction"));
    QAction *remove =
        menu->addAction(tr("&Delete"), this, [this, seq] { emit deleteRequested(seq); });
    remove->setObjectName(QStringLiteral("deleteMessageAction"));
}

void MessageView::onRowsInserted(const QModelIndex &, int first, int last)
{
    const int count = last - first + 1;
    // The selection stays on its messages when rows come above them (older history).
    for (TextPoint *p : {&m_anchor, &m_cursor}) {
        if (p->row >= first)
            p->row += count;
    }
    if (m_currentRow >= first)
        m_currentRow += count;
    m_heights.insert(m_heights.begin() + first, size_t(count), -1);
    invalidate(last + 1, last + 1); // its group header may come or go
    if (!m_stickToBottom && first <= m_topRow && rowCount() > count)
        m_topRow += count; // older history above: the user's place stays put
    if (m_stickToBottom)
        anchorToBottom();
    layOut();
    syncScrollBar();
    viewport()->update();
}

void MessageView::onRowsRemoved(const QModelIndex &, int first, int last)
{
    const int count = last - first + 1;
    if (hasSelection() && qMax(m_anchor, m_cursor).row >= first &&
        qMin(m_anchor, m_cursor).row <= last) {
        m_anchor = m_cursor = TextPoint{};
        m_selecting = false;
    }
    for (TextPoint *p : {&m_anchor, &m_cursor}) {
        if (p->row > last)
            p->row -= count;
    }
    // A removed current message: the keyboard goes on from the one after it.
    if (m_currentRow > last)
        m_currentRow -= count;
    else if (m_currentRow >= first)
        m_currentRow = qMin(first, rowCount() - 1);
    if (first < int(m_heights.size()))
        m_heights.erase(m_heights.begin() + first,
                        m_heights.begin() + qMin(int(m_heights.size()), last + 1));
    invalidate(first, first);
    if (m_topRow > last)
        m_topRow -= count;
    else if (m_topRow >= first)
        m_topRow = first, m_topOffset = 0;
    m_topRow = qBound(0, m_topRow, qMax(0, rowCount() - 1));
    if (m_stickToBottom)
        anchorToBottom();
    else
        clampToContent();
    layOut();
    syncScrollBar();
    viewport()->update();
}

void MessageView::onDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight)
{
    invalidate(topLeft.row(), bottomRight.row() + 1);
    // What is asked of the view before the next paint (a tooltip, a click) sees the
    // changed row's new height, not the one the last paint showed.
    layOut();
    viewport()->update();
#if QT_CONFIG(accessibility)
    // The current message edited, deleted or sent: a screen reader says it again.
    if (m_currentRow >= topLeft.row() && m_currentRow <= bottomRight.row()) {
        QAccessibleEvent changed(this, QAccessible::NameChanged);
        changed.setChild(m_currentRow);
        QAccessible::updateAccessibility(&changed);
    }
#endif
}

void MessageView::focusInEvent(QFocusEvent *event)
{
    QAbstractScrollArea::focusInEvent(event);
    // Reached with the keyboard: it starts on the newest message on screen.
    const bool keyboard =
        event->reason() == Qt::TabFocusReason || event->reason() == Qt::BacktabFocusReason ||
        event->reason() == Qt::ShortcutFocusReason || event->reason() == Qt::OtherFocusReason;
    if (keyboard) {
        m_showCurrent = true;
        if (m_currentRow < 0 && rowCount() > 0)
            m_currentRow = !m_visible.empty() ? m_visible.back().row : rowCount() - 1;
    }
    viewport()->update();
    notifyCurrent();
}

void MessageView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        setAccessibleName(tr("Messages"));
    QAbstractScrollArea::changeEvent(event);
}

void MessageView::focusOutEvent(QFocusEvent *event)
{
    QAbstractScrollArea::focusOutEvent(event);
    viewport()->update(); // the frame of the current message goes
}

void MessageView::onReset()
{
    m_currentRow = -1;
    m_anchor = m_cursor = TextPoint{};
    m_selecting = false;
    m_heights.assign(size_t(rowCount()), -1);
    m_visible.clear();
    m_stickToBottom = true;
    m_topRow = 0;
    m_topOffset = 0;
    anchorToBottom();
    layOut();
    syncScrollBar();
    viewport()->update();
}
