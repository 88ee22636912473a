#pragma once

#include <QAbstractScrollArea>
#include <QPointer>
#include <QStyleOptionViewItem>

#include <vector>

class MessageDelegate;
class QAbstractItemModel;

// The message list, built to stay fast with any number of messages: it measures and paints
// only the rows on screen (heights are cached and measured when first needed), and keeps its
// place as a row plus an offset rather than a pixel position, so opening a conversation of
// 100,000 messages costs the same as one of ten. It follows the newest message while the
// user is at the bottom, keeps the user's place when older history is inserted above, and
// asks for more when scrolled near the top. The scroll bar counts messages.
class MessageView : public QAbstractScrollArea
{
    Q_OBJECT
public:
    explicit MessageView(QWidget *parent = nullptr);

    void setModel(QAbstractItemModel *model);
    QAbstractItemModel *model() const { return m_model; }
    bool isAtBottom() const { return m_stickToBottom; }
    void scrollToBottom();
    void scrollToTop();
    // Shows `row` a third of the way down (a search hit), and stops following the newest.
    void scrollToRow(int row);
    // Scrolls by `dy` pixels (negative: towards older messages).
    void scrollBy(int dy);
    QModelIndex indexAt(QPoint pos) const;
    int firstVisibleRow() const { return m_topRow; }

signals:
    void nearTop();
    void retryRequested(const QString &clientId);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;

private:
    int rowCount() const;
    int heightOf(int row) const;
    void invalidate(int first, int last);
    void anchorToBottom();
    void clampToContent();
    void syncScrollBar();
    QStyleOptionViewItem optionFor(int row, int y) const;

    void onRowsInserted(const QModelIndex &parent, int first, int last);
    void onRowsRemoved(const QModelIndex &parent, int first, int last);
    void onDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight);
    void onReset();

    QPointer<QAbstractItemModel> m_model;
    MessageDelegate *m_delegate;
    mutable std::vector<int> m_heights; // -1: not measured yet at the current width
    int m_topRow = 0;                   // first row on screen
    int m_topOffset = 0;                // pixels of it above the viewport's top
    bool m_stickToBottom = true;
    bool m_syncing = false;
    struct Visible
    {
        int row;
        QRect rect;
    };
    std::vector<Visible> m_visible; // what the last paint showed
};
