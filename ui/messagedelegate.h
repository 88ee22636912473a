#pragma once

#include <QStyledItemDelegate>

class QTextDocument;

// Paints one chat message: a day separator when the day changes, the sender's avatar, name
// and time once per group (same sender, same minute), then the text in a bubble — own
// messages on the right in the accent tint, mentions highlighted, pending and failed marked.
class MessageDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    explicit MessageDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    // The link under `pos` (viewport coordinates), if any.
    QString linkAt(const QStyleOptionViewItem &option, const QModelIndex &index, QPoint pos) const;
    // Whether `pos` hits the "Retry" of a failed message.
    bool retryAt(const QStyleOptionViewItem &option, const QModelIndex &index, QPoint pos) const;

    static bool startsGroup(const QModelIndex &index);
    static bool startsDay(const QModelIndex &index);
    static QString dayLabel(const QDate &date);

private:
    struct Layout
    {
        QRect daySeparator;
        QRect avatar;
        QRect header;
        QRect bubble;
        QRect text;
        QRect status;
        int height = 0;
    };
    Layout layout(const QStyleOptionViewItem &option, const QModelIndex &index) const;
    static bool hasLink(const QString &text);
    void prepareDocument(QTextDocument &doc, const QString &text, int width,
                         const QFont &font) const;
};
