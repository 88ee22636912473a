#pragma once

#include <QImage>
#include <QStyledItemDelegate>

#include <memory>

// Paints one chat message: a day separator when the day changes, the sender's avatar and name
// once per group (same sender, same minute), then the text in a bubble with its time — own
// messages on the right in the accent tint, mentions highlighted, pending and failed marked.
class MessageDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    explicit MessageDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    // Paints with the characters [selectionStart, selectionEnd) of the text selected.
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index,
               int selectionStart, int selectionEnd) const;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    // The position in the text nearest to `pos` (viewport coordinates), for selecting with the
    // mouse: 0 before the text, its length after it.
    int textPositionAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                       QPoint pos) const;
    // Where the text's lines are painted (viewport coordinates).
    QRect textRect(const QStyleOptionViewItem &option, const QModelIndex &index) const;

    // The link under `pos` (viewport coordinates), if any.
    QString linkAt(const QStyleOptionViewItem &option, const QModelIndex &index, QPoint pos) const;
    // Whether `pos` hits the "Retry" of a failed message.
    bool retryAt(const QStyleOptionViewItem &option, const QModelIndex &index, QPoint pos) const;
    // Whether `pos` hits a reply's quote (a click there shows the original).
    bool quoteAt(const QStyleOptionViewItem &option, const QModelIndex &index, QPoint pos) const;

    // The emoji reaction chip under `pos` (its position in MessageListModel::ReactionsRole's
    // list), or -1. A click on one toggles the user's reaction; hovering shows who gave it.
    int reactionAt(const QStyleOptionViewItem &option, const QModelIndex &index, QPoint pos) const;
    // Where the chips are painted (viewport coordinates), in the list's order.
    QList<QRect> reactionRects(const QStyleOptionViewItem &option, const QModelIndex &index) const;
    // "alice, bob and 3 others": who gave the reaction `i` of `index`.
    static QString reactionToolTip(const QModelIndex &index, int i);

    // Where the time (and a private message's ticks) is painted (viewport coordinates).
    QRect statusRect(const QStyleOptionViewItem &option, const QModelIndex &index) const;
    // How far one of the user's own private messages got (docs/protocol.md section 19), in
    // words: "Sent", "Delivered", "Read"; "" for other messages. The ticks' tooltip.
    static QString receiptText(const QModelIndex &index);
    // The ticks drawn after the time: one (sent), two (delivered, read: then in the accent).
    static QString receiptTicks(const QModelIndex &index);
    // Files (docs/protocol.md section 18): whether `pos` hits a file's button (Download, or
    // Cancel while it travels), or an image's thumbnail (a click opens it full size).
    bool fileButtonAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                      QPoint pos) const;
    bool imageAt(const QStyleOptionViewItem &option, const QModelIndex &index, QPoint pos) const;
    // Where the file's button and an image's thumbnail are painted (viewport coordinates;
    // empty when there is none).
    QRect fileButtonRect(const QStyleOptionViewItem &option, const QModelIndex &index) const;
    QRect imageRect(const QStyleOptionViewItem &option, const QModelIndex &index) const;
    // The file card's button label for `index` ("" when it has none).
    static QString fileButtonText(const QModelIndex &index);
    // The largest a thumbnail is shown (it is decoded at that size, never whole).
    static constexpr int kThumbWidth = 240;
    static constexpr int kThumbHeight = 180;

    static bool startsGroup(const QModelIndex &index);
    static bool startsDay(const QModelIndex &index);
    static QString dayLabel(const QDate &date);

private:
    class Text;
    struct Layout
    {
        QRect daySeparator;
        QRect avatar;
        QRect header;
        QRect bubble;
        QRect text; // where the text's lines are, as wide as the widest
        QRect status;
        QRect quote;            // a reply's quote of the original, over the text; empty otherwise
        QList<QRect> reactions; // emoji reaction chips under the bubble, in the list's order
        QRect file;             // a file's card or an image's thumbnail, over the text
        QRect fileButton;       // the card's Download or Cancel
        QRect progress;         // the bar of a transfer under way
        QImage thumbnail;       // the image shown, when it is here
        // The text laid out once, at the width it was measured at: painting and hit tests use
        // this same layout, so what is drawn is always what the row's height was made for.
        std::shared_ptr<const Text> content;
        int height = 0;
    };
    Layout layout(const QStyleOptionViewItem &option, const QModelIndex &index) const;
};
