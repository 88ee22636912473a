#pragma once

#include <QAbstractScrollArea>
#include <QPointer>
#include <QStyleOptionViewItem>

#include <utility>
#include <vector>

class MessageDelegate;
class QMenu;
class QAbstractItemModel;

// The message list, built to stay fast with any number of messages: it measures and paints
// only the rows on screen (heights are cached and measured when first needed), and keeps its
// place as a row plus an offset rather than a pixel position, so opening a conversation of
// 100,000 messages costs the same as one of ten. It follows the newest message while the
// user is at the bottom, keeps the user's place when older history is inserted above, and
// asks for more when scrolled near the top. The scroll bar counts messages.
//
// Text is selected with the mouse as in a browser — from one message into the next, a double
// click for a word — and copied with Ctrl+C or the context menu, which also copies a whole
// message or a link.
//
// From the keyboard (Tab reaches it), one message is the current one, framed: Up/Down,
// PageUp/PageDown and Home/End move it, the menu key or Shift+F10 opens its context menu and
// Ctrl+C copies it when no text is selected. Screen readers see each message as an item of the
// list, the current one focused (MessageViewAccessible).
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
    // Where the text of `index` is painted (viewport coordinates); empty when not on screen.
    QRect textRect(const QModelIndex &index) const;
    // A file message's button (Download, Cancel) and an image's thumbnail, as painted
    // (viewport coordinates; empty when the row is not shown or has none).
    QRect fileButtonRect(const QModelIndex &index) const;
    QRect imageRect(const QModelIndex &index) const;
    // Where the emoji reaction chips of `index` are painted (viewport coordinates), in the
    // order of MessageListModel::ReactionsRole; empty when none or not on screen.
    QList<QRect> reactionRects(const QModelIndex &index) const;
    // The tooltip at `pos` (viewport coordinates): who gave the reaction there, or "".
    QString toolTipAt(QPoint pos) const;
    // The emoji the context menu's React offers at once (the picker has the rest).
    static QStringList quickReactions();

    bool hasSelection() const;
    // The selected text; the parts of several messages are joined by line breaks.
    QString selectedText() const;
    void clearSelection();
    // Puts the selected text on the clipboard.
    void copy() const;

    // The message the keyboard is on (-1: none yet); it is kept in view.
    int currentRow() const { return m_currentRow; }
    void setCurrentRow(int row);
    // Where `row` is on screen (viewport coordinates); empty when it is not.
    QRect visualRect(int row) const;
    // The current message's context menu, by it (the menu key, Shift+F10).
    void showContextMenu();

signals:
    void nearTop();
    void retryRequested(const QString &clientId);
    // The context menu's Edit and Delete, offered on the user's own stored messages.
    void editRequested(qint64 seq, const QString &text);
    void deleteRequested(qint64 seq);
    // The context menu's Reply, on any stored message; and a click on a reply's quote.
    void replyRequested(qint64 seq, const QString &from, const QString &text);
    void quoteClicked(qint64 seq);
    // Emoji reactions (docs/protocol.md section 5.7): a click on a chip or an emoji of the
    // menu's React gives or takes back `emoji`; the menu's "More…" asks for the picker.
    void reactionToggled(qint64 seq, const QString &emoji);
    void reactionPickerRequested(qint64 seq);
    // Files (docs/protocol.md section 18): a click on a file's Download, on Cancel while it
    // travels (an own upload by its client id, a download by its seq), or on an image's
    // thumbnail.
    void fileDownloadRequested(qint64 seq, const QString &name);
    void fileCancelRequested(qint64 seq, const QString &clientId);
    void imageOpenRequested(const QString &path, const QString &name);
    // Text typed while the list has the focus (after selecting): it belongs in the compose box.
    void textTyped(const QString &text);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;
    bool viewportEvent(QEvent *event) override;
    void focusInEvent(QFocusEvent *event) override;
    void focusOutEvent(QFocusEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    // Edit and Delete for the user's own stored message at `index`.
    void addChangeActions(QMenu *menu, const QModelIndex &index);
    // React (a submenu of quick emoji and "More…") for any stored message not deleted.
    void addReactActions(QMenu *menu, const QModelIndex &index);
    // The context menu of `index` (and of the selection), `link` the one under the mouse.
    void openMenu(const QModelIndex &index, const QString &link, QPoint globalPos);
    // Scrolls just enough to show all of `row` (its top when taller than the view).
    void ensureVisible(int row);
    // Tells screen readers that the current message changed (focus and selection).
    void notifyCurrent();
    int rowsPerPage() const;
    struct Visible
    {
        int row;
        QRect rect;
    };
    // One end of a selection: a row and a position in its text.
    struct TextPoint
    {
        int row = -1;
        int pos = 0;
        bool operator<(const TextPoint &o) const
        {
            return row < o.row || (row == o.row && pos < o.pos);
        }
        bool operator==(const TextPoint &o) const { return row == o.row && pos == o.pos; }
    };

    int rowCount() const;
    int heightOf(int row) const;
    void invalidate(int first, int last);
    void anchorToBottom();
    void layOut(); // which rows are on screen, and where
    void clampToContent();
    void syncScrollBar();
    QStyleOptionViewItem optionFor(int row, int y) const;
    const Visible *visibleRow(int row) const;
    // The text point nearest to `pos`: above the first row on screen is its start, below the
    // last its end.
    TextPoint textPointAt(QPoint pos) const;
    // The selected characters [start, end) of `row`.
    std::pair<int, int> selectionIn(int row) const;
    QString textOf(int row) const;

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
    std::vector<Visible> m_visible; // what is on screen (laid out by layOut())
    TextPoint m_anchor;             // where the selection started
    TextPoint m_cursor;             // where it ends (may be before the anchor)
    bool m_selecting = false;       // the left button is down and drags a selection
    int m_currentRow = -1;          // the keyboard's message
    bool m_showCurrent = false;     // framed: the keyboard moved to it (not a click)
    QPointer<QMenu> m_menu;         // the context menu while it is open
};
