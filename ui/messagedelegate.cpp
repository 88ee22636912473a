#include "messagedelegate.h"

#include "avatar.h"
#include "emojifont.h"
#include "imagepreview.h"
#include "model/messagelistmodel.h"
#include "theme.h"

#include <QAbstractTextDocumentLayout>
#include <QDateTime>
#include <QHash>
#include <QPainter>
#include <QPainterPath>
#include <QRegularExpression>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextLayout>

#include <cmath>

namespace {
constexpr int kMargin = 12;
constexpr int kAvatar = 32;
constexpr int kPad = 8;
constexpr int kGap = 2;
constexpr int kGroupGap = 10;

const QRegularExpression &linkPattern()
{
    static const QRegularExpression re(QStringLiteral(R"((https?://|www\.)[^\s<>"]+)"));
    return re;
}

QDateTime timeOf(const QModelIndex &i)
{
    return i.data(MessageListModel::TimestampRole).toDateTime().toLocalTime();
}

QString statusText(const QModelIndex &index)
{
    switch (index.data(MessageListModel::DeliveryRole).value<MessageListModel::Delivery>()) {
    case MessageListModel::Delivery::Pending:
        return MessageDelegate::tr("sending…");
    case MessageListModel::Delivery::Failed:
        return MessageDelegate::tr("Not sent — Retry");
    case MessageListModel::Delivery::Sent:
        break;
    }
    // A changed text says so before its time, as Telegram does; one's own private message
    // shows its ticks after it.
    const QString ticks = MessageDelegate::receiptTicks(index);
    const QString time = timeOf(index).toString(QStringLiteral("HH:mm"));
    const QString status = index.data(MessageListModel::EditedRole).toBool()
                               ? MessageDelegate::tr("edited %1").arg(time)
                               : time;
    return ticks.isEmpty() ? status : status + QLatin1Char(' ') + ticks;
}

// A deleted message's line ("message deleted") is set in italics, in the secondary colour.
QFont contentFont(const QStyleOptionViewItem &option, const QModelIndex &index)
{
    QFont font = option.font;
    if (index.data(MessageListModel::DeletedRole).toBool())
        font.setItalic(true);
    return font;
}

bool isCallEntry(const QModelIndex &index)
{
    return index.data(MessageListModel::CallRole).isValid();
}

// After a call entry's line: " · 14:02".
QString callTimeText(const QModelIndex &index)
{
    return QStringLiteral(" · ") + timeOf(index).toString(QStringLiteral("HH:mm"));
}

// A reaction chip's label: the emoji and how many gave it.
QString chipLabel(const QVariantMap &reaction)
{
    return reaction.value(QStringLiteral("emoji")).toString() + QStringLiteral(" ") +
           QString::number(reaction.value(QStringLiteral("count")).toInt());
}

// A chip's label laid out on one line with its emoji in the colour emoji font, as message
// text is: QPainter::drawText took a text font's black-and-white glyph for some (❤️).
QTextLine layoutChip(QTextLayout &layout, const QString &label, const QFont &font)
{
    layout.setText(label);
    layout.setFont(font);
    layout.setFormats(EmojiFont::formats(label));
    layout.beginLayout();
    QTextLine line = layout.createLine();
    line.setLineWidth(1e6);
    layout.endLayout();
    return line;
}

constexpr int kChipGap = 4;
constexpr int kFileCardWidth = 280;

// Thumbnails decoded once per file (ImagePreview: bounded, at their shown size) and kept for
// the last 64 files: layout and paint ask for them at every repaint.
QImage thumbnailFor(const QString &path)
{
    static QHash<QString, QImage> cache;
    static QStringList order;
    if (path.isEmpty())
        return {};
    const auto it = cache.constFind(path);
    if (it != cache.cend())
        return *it;
    const QImage image = ImagePreview::load(
        path, QSize(MessageDelegate::kThumbWidth, MessageDelegate::kThumbHeight));
    cache.insert(path, image); // a null image too: a file that is no image is not read again
    order.append(path);
    if (order.size() > 64)
        cache.remove(order.takeFirst());
    return image;
}

QString fileSizeText(const QVariantMap &file, const QVariant &transfer)
{
    if (transfer.isValid()) {
        const QVariantMap t = transfer.toMap();
        return MessageDelegate::tr("%1 of %2")
            .arg(FileRef::sizeText(t.value(QStringLiteral("done")).toLongLong()),
                 FileRef::sizeText(t.value(QStringLiteral("total")).toLongLong()));
    }
    return FileRef::sizeText(file.value(QStringLiteral("size")).toLongLong());
}

bool hasLink(const QString &text)
{
    return text.contains(QLatin1String("http")) || text.contains(QLatin1String("www."));
}

QString linkedHtml(const QString &text)
{
    // Escaped text plus <a> and <br>: each character of `text` stays one position in the
    // document, so positions in the document are positions in the message.
    QString html;
    qsizetype last = 0;
    auto it = linkPattern().globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        html += text.mid(last, m.capturedStart() - last).toHtmlEscaped();
        QString url = m.captured();
        const QString href =
            url.startsWith(QLatin1String("www.")) ? QStringLiteral("https://") + url : url;
        html += QStringLiteral("<a href=\"%1\" style=\"color:%2\">%3</a>")
                    .arg(href.toHtmlEscaped(), Theme::colors().accent.name(), url.toHtmlEscaped());
        last = m.capturedEnd();
    }
    html += text.mid(last).toHtmlEscaped();
    html.replace(QLatin1Char('\n'), QLatin1String("<br>"));
    return QStringLiteral("<span style=\"color:%1\">%2</span>")
        .arg(Theme::colors().text.name(), html);
}
} // namespace

// A message's text wrapped at one width: plain text through QTextLayout (cheap), text with
// links through QTextDocument (anchors). Both wrap at word boundaries, and inside a word only
// when it is longer than a line (URLs).
class MessageDelegate::Text
{
public:
    Text(const QString &text, const QFont &font, int width)
    {
        if (hasLink(text)) {
            m_document = std::make_unique<QTextDocument>();
            m_document->setDefaultFont(font);
            m_document->setDocumentMargin(0);
            QTextOption option = m_document->defaultTextOption();
            option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
            m_document->setDefaultTextOption(option);
            m_document->setHtml(linkedHtml(text));
            EmojiFont::apply(m_document.get());
            m_document->setTextWidth(width);
            m_size = QSizeF(m_document->idealWidth(), m_document->size().height());
            const QTextLayout *last = m_document->lastBlock().layout();
            if (last && last->lineCount() > 0)
                m_lastLineWidth = last->lineAt(last->lineCount() - 1).naturalTextWidth();
            return;
        }
        m_layout = std::make_unique<QTextLayout>(
            QString(text).replace(QLatin1Char('\n'), QChar::LineSeparator), font);
        QTextOption option;
        option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
        m_layout->setTextOption(option);
        m_layout->setFormats(EmojiFont::formats(m_layout->text()));
        m_layout->beginLayout();
        qreal height = 0;
        qreal widest = 0;
        for (QTextLine line = m_layout->createLine(); line.isValid();
             line = m_layout->createLine()) {
            line.setLineWidth(width);
            line.setPosition(QPointF(0, height));
            height += line.height();
            widest = qMax(widest, line.naturalTextWidth());
            m_lastLineWidth = line.naturalTextWidth();
        }
        m_layout->endLayout();
        m_size = QSizeF(widest, height);
    }

    QSize size() const
    {
        return QSize(int(std::ceil(m_size.width())), int(std::ceil(m_size.height())));
    }
    int lastLineWidth() const { return int(std::ceil(m_lastLineWidth)); }

    // Draws the text with the characters [selectionStart, selectionEnd) highlighted.
    void draw(QPainter *painter, QPoint topLeft, const QColor &color, int selectionStart,
              int selectionEnd, const QPalette &palette) const
    {
        QTextCharFormat selected;
        selected.setBackground(palette.brush(QPalette::Active, QPalette::Highlight));
        selected.setForeground(palette.brush(QPalette::Active, QPalette::HighlightedText));
        const bool hasSelection = selectionEnd > selectionStart;
        if (m_document) {
            QAbstractTextDocumentLayout::PaintContext context;
            context.palette.setColor(QPalette::Text, color);
            if (hasSelection) {
                QAbstractTextDocumentLayout::Selection selection;
                selection.cursor = QTextCursor(m_document.get());
                selection.cursor.setPosition(selectionStart);
                selection.cursor.setPosition(selectionEnd, QTextCursor::KeepAnchor);
                selection.format = selected;
                context.selections << selection;
            }
            painter->translate(topLeft);
            m_document->documentLayout()->draw(painter, context);
            painter->translate(-topLeft);
            return;
        }
        QList<QTextLayout::FormatRange> selections;
        if (hasSelection)
            selections << QTextLayout::FormatRange{selectionStart, selectionEnd - selectionStart,
                                                   selected};
        painter->setPen(color);
        m_layout->draw(painter, topLeft, selections);
    }

    // The character position nearest to `pos` (relative to the text's top left): above the
    // text is its first line, below it its last, so a drag past a message's end selects to
    // its end.
    int positionAt(QPoint pos) const
    {
        if (m_document) {
            const QPointF inside(qBound(0.0, qreal(pos.x()), m_size.width()),
                                 qBound(0.0, qreal(pos.y()), qMax(0.0, m_size.height() - 1)));
            return qMax(0, m_document->documentLayout()->hitTest(inside, Qt::FuzzyHit));
        }
        if (m_layout->lineCount() == 0)
            return 0;
        QTextLine line = m_layout->lineAt(m_layout->lineCount() - 1);
        for (int i = 0; i < m_layout->lineCount(); ++i) {
            if (pos.y() < m_layout->lineAt(i).rect().bottom()) {
                line = m_layout->lineAt(i);
                break;
            }
        }
        int position = line.xToCursor(pos.x());
        // xToCursor past the end of a line broken by the user lands after its line separator,
        // which is the next line's start.
        if (position > line.textStart() + line.textLength() - 1 && position > line.textStart() &&
            m_layout->text().at(position - 1) == QChar::LineSeparator)
            --position;
        return position;
    }

    // The link under `pos` (relative to the text's top left), if any.
    QString anchorAt(QPoint pos) const
    {
        return m_document ? m_document->documentLayout()->anchorAt(pos) : QString();
    }

private:
    std::unique_ptr<QTextDocument> m_document;
    std::unique_ptr<QTextLayout> m_layout;
    QSizeF m_size;
    qreal m_lastLineWidth = 0;
};

MessageDelegate::MessageDelegate(QObject *parent) : QStyledItemDelegate(parent) {}

bool MessageDelegate::startsDay(const QModelIndex &index)
{
    if (index.row() == 0)
        return true;
    const QModelIndex prev = index.siblingAtRow(index.row() - 1);
    return timeOf(prev).date() != timeOf(index).date();
}

bool MessageDelegate::startsGroup(const QModelIndex &index)
{
    if (startsDay(index))
        return true;
    const QModelIndex prev = index.siblingAtRow(index.row() - 1);
    // A call entry is a line of its own: the messages after it show their sender again.
    if (isCallEntry(prev) || isCallEntry(index))
        return true;
    return prev.data(MessageListModel::SenderRole) != index.data(MessageListModel::SenderRole) ||
           timeOf(prev).secsTo(timeOf(index)) > 60;
}

QString MessageDelegate::dayLabel(const QDate &date)
{
    const QDate today = QDate::currentDate();
    if (date == today)
        return tr("Today");
    if (date == today.addDays(-1))
        return tr("Yesterday");
    return QLocale().toString(date, QLocale::LongFormat);
}

MessageDelegate::Layout MessageDelegate::layout(const QStyleOptionViewItem &option,
                                                const QModelIndex &index) const
{
    Layout l;
    const QRect r = option.rect;
    const bool own = index.data(MessageListModel::OwnRole).toBool();
    const bool group = startsGroup(index);
    const QVariantMap file = index.data(MessageListModel::FileRole).toMap();
    const bool hasFile = !file.isEmpty();
    // A file message's text is its caption only: the card shows the name and size.
    const QString text =
        hasFile ? file.value(QStringLiteral("caption")).toString() : index.data().toString();
    const QFontMetrics fm(option.font);
    int y = r.top() + (group && index.row() > 0 ? kGroupGap : kGap);

    if (startsDay(index)) {
        l.daySeparator = QRect(r.left(), y, r.width(), fm.height() + 8);
        y = l.daySeparator.bottom() + 4;
    }
    if (isCallEntry(index)) {
        // A system line, centred: the call's outcome and its time, no avatar, name or bubble.
        QFont small = option.font;
        small.setPointSizeF(small.pointSizeF() * 0.8);
        const QFontMetrics smallMetrics(small);
        const int timeWidth = smallMetrics.horizontalAdvance(callTimeText(index)) + 2;
        l.content = std::make_shared<const Text>(text, option.font,
                                                 qMax(60, r.width() - 2 * kMargin - timeWidth));
        const QSize textSize = l.content->size();
        const int left = r.left() + (r.width() - textSize.width() - timeWidth) / 2;
        l.text = QRect(left, y + kPad / 2, textSize.width(), textSize.height());
        l.status = QRect(l.text.right() + 1, l.text.bottom() - smallMetrics.height() + 1, timeWidth,
                         smallMetrics.height());
        l.height = l.text.bottom() + 1 + kPad / 2 - r.top() + kGap;
        return l;
    }
    const int contentLeft = r.left() + kMargin + kAvatar + kPad;
    const int maxBubble = qMax(120, int((r.width() - kAvatar - 2 * kMargin) * 0.72));
    if (group && !own) {
        l.avatar = QRect(r.left() + kMargin, y, kAvatar, kAvatar);
        l.header = QRect(contentLeft, y, r.width() - contentLeft - kMargin, fm.height());
        y = l.header.bottom() + 3;
    }
    // The text wraps at the widest a bubble may be; the bubble then shrinks to the widest line.
    // The time goes at the end of the last line when it fits there, else on a line of its own,
    // so it never covers the text and the text never needs a narrower column than measured.
    const int wrapWidth = maxBubble - 2 * kPad;
    l.content = std::make_shared<const Text>(text, contentFont(option, index), wrapWidth);
    const bool noText = hasFile && text.isEmpty();
    const QSize textSize = noText ? QSize(0, 0) : l.content->size();
    // The file: an image's thumbnail when the image is here, else a card with its name, size,
    // a button and, while it travels, a progress bar.
    QSize fileSize(0, 0);
    const QVariant transfer = index.data(MessageListModel::TransferRole);
    if (hasFile) {
        if (file.value(QStringLiteral("image")).toBool())
            l.thumbnail = thumbnailFor(index.data(MessageListModel::LocalFileRole).toString());
        if (!l.thumbnail.isNull())
            fileSize = l.thumbnail.size();
        else
            fileSize = QSize(qMin(wrapWidth, kFileCardWidth),
                             2 * fm.height() + 10 + (transfer.isValid() ? 8 : 0));
        if (!l.thumbnail.isNull() && transfer.isValid())
            fileSize.rheight() += 8; // an own image being sent shows its bar under it
    }
    const QFont small = [&] {
        QFont f = option.font;
        f.setPointSizeF(f.pointSizeF() * 0.8);
        return f;
    }();
    const QFontMetrics smallMetrics(small);
    const int statusWidth = smallMetrics.horizontalAdvance(statusText(index)) + 6;
    const int statusHeight = smallMetrics.height();
    const bool statusInline = !noText && l.content->lastLineWidth() + statusWidth <= wrapWidth;
    const int innerWidth = statusInline
                               ? qMax(textSize.width(), l.content->lastLineWidth() + statusWidth)
                               : qMax(textSize.width(), statusWidth);
    // A reply's quote: two small lines (who, and the start of the text) over the text, at
    // least as wide as a short quote needs and never wider than the bubble may be.
    const bool reply = index.data(MessageListModel::ReplyToRole).toLongLong() > 0;
    const int quoteHeight = reply ? 2 * smallMetrics.height() + 6 : 0;
    const int quoteWidth =
        reply
            ? qMin(wrapWidth, qMax(smallMetrics.horizontalAdvance(
                                       index.data(MessageListModel::QuoteTextRole).toString()),
                                   smallMetrics.horizontalAdvance(
                                       index.data(MessageListModel::QuoteSenderRole).toString())) +
                                  14)
            : 0;
    const int fileHeight = hasFile ? fileSize.height() + (noText ? 2 : 4) : 0;
    const int innerHeight = textSize.height() + (statusInline ? 0 : statusHeight) +
                            (reply ? quoteHeight + 4 : 0) + fileHeight;
    const int bubbleWidth =
        qMax(qMax(qMax(innerWidth, quoteWidth), fileSize.width()), 24) + 2 * kPad;
    const int bubbleHeight = innerHeight + 2 * kPad - 2;
    const int bubbleLeft = own ? r.right() - kMargin - bubbleWidth : contentLeft;
    l.bubble = QRect(bubbleLeft, y, bubbleWidth, bubbleHeight);
    if (reply)
        l.quote = QRect(bubbleLeft + kPad, y + kPad - 1, bubbleWidth - 2 * kPad, quoteHeight);
    const int fileTop = y + kPad - 1 + (reply ? quoteHeight + 4 : 0);
    if (hasFile) {
        l.file = QRect(QPoint(bubbleLeft + kPad, fileTop), fileSize);
        if (transfer.isValid())
            l.progress = QRect(l.file.left(), l.file.bottom() - 5, l.file.width(), 5);
        if (l.thumbnail.isNull()) {
            const QString label = fileButtonText(index);
            if (!label.isEmpty()) {
                const int w = fm.horizontalAdvance(label) + 20;
                const int h = fm.height() + 8;
                l.fileButton = QRect(l.file.right() - 6 - w + 1,
                                     l.file.top() + (2 * fm.height() + 10 - h) / 2, w, h);
            }
        } else if (transfer.isValid()) {
            // An own image on its way: Cancel on the thumbnail's corner.
            const QString label = fileButtonText(index);
            const int w = fm.horizontalAdvance(label) + 20;
            l.fileButton = QRect(l.file.right() - 6 - w + 1, l.file.top() + 6, w, fm.height() + 8);
        }
    }
    const int textTop = fileTop + fileHeight;
    l.text = QRect(bubbleLeft + kPad, textTop, textSize.width(), textSize.height());
    l.status = QRect(l.bubble.right() - kPad - statusWidth + 1,
                     l.bubble.bottom() - kPad + 2 - statusHeight, statusWidth, statusHeight);
    y = l.bubble.bottom() + 1;
    // Emoji reactions: chips under the bubble, on its side, wrapping at the bubble's widest.
    const QVariantList reactions = index.data(MessageListModel::ReactionsRole).toList();
    if (!reactions.isEmpty()) {
        QList<int> widths;
        int labelHeight = fm.height();
        for (const QVariant &v : reactions) {
            QTextLayout label;
            const QTextLine l = layoutChip(label, chipLabel(v.toMap()), option.font);
            widths.append(int(std::ceil(l.naturalTextWidth())) + 14);
            labelHeight = qMax(labelHeight, int(std::ceil(l.height())));
        }
        const int chipHeight = labelHeight + 4;
        int x = 0;
        int line = 0;
        QList<QRect> chips;
        for (const int w : std::as_const(widths)) {
            if (x > 0 && x + w > maxBubble) {
                x = 0;
                ++line;
            }
            chips.append(QRect(x, line * (chipHeight + kChipGap), w, chipHeight));
            x += w + kChipGap;
        }
        const int top = y + kChipGap;
        // Own messages' chips line up with the bubble's right edge, row by row.
        QHash<int, int> rowRight;
        for (const QRect &chip : std::as_const(chips))
            rowRight[chip.top()] = qMax(rowRight.value(chip.top()), chip.right() + 1);
        for (QRect &chip : chips) {
            const int left =
                own ? l.bubble.right() + 1 - rowRight.value(chip.top()) : l.bubble.left();
            chip.translate(left, top);
        }
        l.reactions = chips;
        y = chips.last().bottom() + 1;
    }
    if (l.avatar.isValid())
        y = qMax(y, l.avatar.bottom() + 1);
    l.height = y - r.top() + kGap;
    return l;
}

QSize MessageDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    opt.rect = QRect(0, 0, qMax(200, option.rect.width()), 0);
    return QSize(opt.rect.width(), layout(opt, index).height);
}

void MessageDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                            const QModelIndex &index) const
{
    paint(painter, option, index, 0, 0);
}

void MessageDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                            const QModelIndex &index, int selectionStart, int selectionEnd) const
{
    const Theme::Colors &c = Theme::colors();
    const Layout l = layout(option, index);
    const bool own = index.data(MessageListModel::OwnRole).toBool();
    const bool mention = index.data(MessageListModel::MentionRole).toBool();
    const auto delivery =
        index.data(MessageListModel::DeliveryRole).value<MessageListModel::Delivery>();
    const QString sender = index.data(MessageListModel::SenderRole).toString();
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    QFont small = option.font;
    small.setPointSizeF(small.pointSizeF() * 0.8);

    if (l.daySeparator.isValid()) {
        painter->setFont(small);
        painter->setPen(c.secondary);
        const QString label = dayLabel(timeOf(index).date());
        const int w = painter->fontMetrics().horizontalAdvance(label) + 24;
        const QRect pill(l.daySeparator.center().x() - w / 2, l.daySeparator.top(), w,
                         l.daySeparator.height());
        // The secondary text colour, a little fainter than the label: the panel colour used
        // before all but vanished on the dark theme's window (1.03:1).
        // Not antialiased: a one-pixel line on a whole pixel row, not two half-tone rows.
        QColor line = c.secondary;
        line.setAlphaF(0.8);
        painter->setPen(QPen(line, 1));
        painter->setRenderHint(QPainter::Antialiasing, false);
        const int mid = l.daySeparator.center().y();
        painter->drawLine(l.daySeparator.left() + kMargin, mid, pill.left() - 6, mid);
        painter->drawLine(pill.right() + 6, mid, l.daySeparator.right() - kMargin, mid);
        painter->setRenderHint(QPainter::Antialiasing, true);
        painter->setPen(c.secondary);
        painter->drawText(pill, Qt::AlignCenter, label);
    }
    if (isCallEntry(index)) {
        // A missed call stands out as a failed message does; the others are quiet lines.
        const bool missed = index.data(MessageListModel::MissedCallRole).toBool();
        painter->setFont(option.font);
        l.content->draw(painter, l.text.topLeft(), missed ? c.danger : c.secondary, selectionStart,
                        selectionEnd, option.palette);
        painter->setFont(small);
        painter->setPen(c.secondary);
        painter->drawText(l.status, Qt::AlignLeft | Qt::AlignVCenter, callTimeText(index));
        painter->restore();
        return;
    }
    if (l.avatar.isValid())
        Avatar::paint(painter, l.avatar, sender);
    if (l.header.isValid()) {
        QFont bold = option.font;
        bold.setBold(true);
        painter->setFont(bold);
        painter->setPen(Avatar::colorFor(sender).lighter(Theme::isDark() ? 150 : 100));
        // The name only: every bubble carries its own time, so the header repeating it for
        // the group's first message showed that time twice.
        painter->drawText(l.header, Qt::AlignLeft | Qt::AlignVCenter, sender);
    }
    QColor bubble = own ? c.ownBubble : c.otherBubble;
    if (mention)
        bubble = c.mention;
    QPainterPath path;
    path.addRoundedRect(l.bubble, 10, 10);
    painter->fillPath(path, bubble);
    if (delivery == MessageListModel::Delivery::Failed) {
        painter->setPen(QPen(c.danger, 1.5));
        painter->drawPath(path);
    }

    if (l.quote.isValid()) {
        // As the compose box's banner: a tinted block with the accent on its left edge.
        painter->setPen(Qt::NoPen);
        painter->setBrush(own ? c.otherBubble : c.ownBubble);
        painter->drawRoundedRect(l.quote, 4, 4);
        painter->setBrush(c.accent);
        painter->drawRect(QRect(l.quote.left(), l.quote.top(), 3, l.quote.height()));
        painter->setFont(small);
        const QFontMetrics qm(small);
        const QRect lines = l.quote.adjusted(8, 3, -4, -3);
        painter->setPen(c.accent);
        painter->drawText(QRect(lines.left(), lines.top(), lines.width(), qm.height()),
                          Qt::AlignLeft | Qt::AlignVCenter,
                          qm.elidedText(index.data(MessageListModel::QuoteSenderRole).toString(),
                                        Qt::ElideRight, lines.width()));
        painter->setPen(c.secondary);
        const QString quoted = index.data(MessageListModel::QuoteTextRole).toString().simplified();
        painter->drawText(
            QRect(lines.left(), lines.top() + qm.height(), lines.width(), qm.height()),
            Qt::AlignLeft | Qt::AlignVCenter, qm.elidedText(quoted, Qt::ElideRight, lines.width()));
    }
    if (l.file.isValid()) {
        const QFontMetrics fm(option.font);
        const QVariantMap file = index.data(MessageListModel::FileRole).toMap();
        const QVariant transfer = index.data(MessageListModel::TransferRole);
        const QString error = index.data(MessageListModel::FileErrorRole).toString();
        if (!l.thumbnail.isNull()) {
            QPainterPath clip;
            clip.addRoundedRect(QRect(l.file.topLeft(), l.thumbnail.size()), 6, 6);
            painter->save();
            painter->setClipPath(clip);
            painter->drawImage(l.file.topLeft(), l.thumbnail);
            painter->restore();
        } else {
            QPainterPath card;
            card.addRoundedRect(l.file, 6, 6);
            painter->fillPath(card, own ? c.otherBubble : c.ownBubble);
            const int textRight =
                l.fileButton.isValid() ? l.fileButton.left() - 8 : l.file.right() - 8;
            const QRect nameRect(l.file.left() + 10, l.file.top() + 5,
                                 textRight - l.file.left() - 10, fm.height());
            QFont bold = option.font;
            bold.setBold(true);
            painter->setFont(bold);
            painter->setPen(c.text);
            painter->drawText(
                nameRect, Qt::AlignLeft | Qt::AlignVCenter,
                QFontMetrics(bold).elidedText(QStringLiteral("\U0001F4CE ") +
                                                  file.value(QStringLiteral("name")).toString(),
                                              Qt::ElideMiddle, nameRect.width()));
            painter->setFont(option.font);
            painter->setPen(error.isEmpty() ? c.secondary : c.danger);
            const QRect sizeRect = nameRect.translated(0, fm.height());
            painter->drawText(sizeRect, Qt::AlignLeft | Qt::AlignVCenter,
                              fm.elidedText(error.isEmpty() ? fileSizeText(file, transfer) : error,
                                            Qt::ElideRight, sizeRect.width()));
        }
        if (l.fileButton.isValid()) {
            QPainterPath button;
            button.addRoundedRect(l.fileButton, 5, 5);
            painter->fillPath(button, c.window);
            painter->setPen(QPen(c.accent, 1));
            painter->drawPath(button);
            painter->setFont(option.font);
            painter->setPen(c.accent);
            painter->drawText(l.fileButton, Qt::AlignCenter, fileButtonText(index));
        }
        if (l.progress.isValid()) {
            const QVariantMap t = transfer.toMap();
            const qint64 total = qMax<qint64>(1, t.value(QStringLiteral("total")).toLongLong());
            const qint64 done = t.value(QStringLiteral("done")).toLongLong();
            const QRect bar = l.progress.adjusted(8, 0, -8, -1);
            QColor track = c.secondary;
            track.setAlphaF(0.3);
            painter->setPen(Qt::NoPen);
            painter->setBrush(track);
            painter->drawRoundedRect(bar, 2, 2);
            painter->setBrush(c.accent);
            painter->drawRoundedRect(
                QRect(bar.left(), bar.top(),
                      int(bar.width() * qBound<qint64>(0, done, total) / total), bar.height()),
                2, 2);
        }
    }
    const bool deleted = index.data(MessageListModel::DeletedRole).toBool();
    painter->setFont(contentFont(option, index));
    l.content->draw(painter, l.text.topLeft(), deleted ? c.secondary : c.text, selectionStart,
                    selectionEnd, option.palette);
    painter->setFont(small);
    painter->setPen(delivery == MessageListModel::Delivery::Failed ? c.danger : c.secondary);
    const QString status = statusText(index);
    const QString ticks = receiptTicks(index);
    if (ticks.isEmpty()) {
        painter->drawText(l.status, Qt::AlignRight | Qt::AlignVCenter, status);
    } else {
        // The time quiet, the ticks after it; read ones in the accent, as Telegram and
        // Signal tell "seen" apart.
        const int ticksWidth = painter->fontMetrics().horizontalAdvance(ticks);
        painter->drawText(l.status.adjusted(0, 0, -ticksWidth, 0),
                          Qt::AlignRight | Qt::AlignVCenter, status.chopped(ticks.size()));
        if (index.data(MessageListModel::ReceiptRole).value<MessageListModel::Receipt>() ==
            MessageListModel::Receipt::Read)
            painter->setPen(c.accent);
        painter->drawText(l.status, Qt::AlignRight | Qt::AlignVCenter, ticks);
    }
    if (!l.reactions.isEmpty()) {
        // The user's own reactions in the accent, the others' quiet: a click takes one's own
        // back, so it must be told apart.
        const QVariantList reactions = index.data(MessageListModel::ReactionsRole).toList();
        painter->setFont(option.font);
        for (int i = 0; i < l.reactions.size() && i < reactions.size(); ++i) {
            const QVariantMap reaction = reactions.at(i).toMap();
            const bool mine = reaction.value(QStringLiteral("mine")).toBool();
            QPainterPath chip;
            chip.addRoundedRect(l.reactions.at(i), l.reactions.at(i).height() / 2.0,
                                l.reactions.at(i).height() / 2.0);
            painter->fillPath(chip, mine ? c.ownBubble : c.otherBubble);
            painter->setPen(QPen(mine ? c.accent : c.secondary, mine ? 1.5 : 1));
            painter->drawPath(chip);
            painter->setPen(c.text);
            QTextLayout label;
            const QTextLine line = layoutChip(label, chipLabel(reaction), option.font);
            const QRectF r = l.reactions.at(i);
            label.draw(painter, QPointF(r.left() + (r.width() - line.naturalTextWidth()) / 2,
                                        r.top() + (r.height() - line.height()) / 2));
        }
    }
    painter->restore();
}

int MessageDelegate::reactionAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                                QPoint pos) const
{
    const QList<QRect> chips = layout(option, index).reactions;
    for (int i = 0; i < chips.size(); ++i) {
        if (chips.at(i).contains(pos))
            return i;
    }
    return -1;
}

QList<QRect> MessageDelegate::reactionRects(const QStyleOptionViewItem &option,
                                            const QModelIndex &index) const
{
    return layout(option, index).reactions;
}

QRect MessageDelegate::statusRect(const QStyleOptionViewItem &option,
                                  const QModelIndex &index) const
{
    return layout(option, index).status;
}

QString MessageDelegate::receiptText(const QModelIndex &index)
{
    switch (index.data(MessageListModel::ReceiptRole).value<MessageListModel::Receipt>()) {
    case MessageListModel::Receipt::None:
        break;
    case MessageListModel::Receipt::Sent:
        return tr("Sent");
    case MessageListModel::Receipt::Delivered:
        return tr("Delivered");
    case MessageListModel::Receipt::Read:
        return tr("Read");
    }
    return {};
}

QString MessageDelegate::receiptTicks(const QModelIndex &index)
{
    switch (index.data(MessageListModel::ReceiptRole).value<MessageListModel::Receipt>()) {
    case MessageListModel::Receipt::None:
        break;
    case MessageListModel::Receipt::Sent:
        return QStringLiteral("\u2713"); // ✓
    case MessageListModel::Receipt::Delivered:
    case MessageListModel::Receipt::Read:
        return QStringLiteral("\u2713\u2713");
    }
    return {};
}

QString MessageDelegate::reactionToolTip(const QModelIndex &index, int i)
{
    const QVariantList reactions = index.data(MessageListModel::ReactionsRole).toList();
    if (i < 0 || i >= reactions.size())
        return {};
    const QVariantMap reaction = reactions.at(i).toMap();
    const QStringList names = reaction.value(QStringLiteral("from")).toStringList();
    const int count = reaction.value(QStringLiteral("count")).toInt();
    const int others = count - int(names.size());
    const QString emoji = reaction.value(QStringLiteral("emoji")).toString();
    if (others > 0)
        return tr("%1 %2 and %n other(s)", nullptr, others)
            .arg(emoji, names.join(QStringLiteral(", ")));
    return tr("%1 %2").arg(emoji, QLocale().createSeparatedList(names));
}

bool MessageDelegate::quoteAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                              QPoint pos) const
{
    return layout(option, index).quote.contains(pos);
}

QString MessageDelegate::linkAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                                QPoint pos) const
{
    const Layout l = layout(option, index);
    if (!l.text.contains(pos))
        return {};
    return l.content->anchorAt(pos - l.text.topLeft());
}

int MessageDelegate::textPositionAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                                    QPoint pos) const
{
    const Layout l = layout(option, index);
    return l.content->positionAt(pos - l.text.topLeft());
}

QRect MessageDelegate::textRect(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    return layout(option, index).text;
}

bool MessageDelegate::retryAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                              QPoint pos) const
{
    if (index.data(MessageListModel::DeliveryRole).value<MessageListModel::Delivery>() !=
        MessageListModel::Delivery::Failed)
        return false;
    return layout(option, index).bubble.contains(pos);
}

QString MessageDelegate::fileButtonText(const QModelIndex &index)
{
    if (index.data(MessageListModel::FileRole).isNull())
        return {};
    if (index.data(MessageListModel::TransferRole).isValid())
        return tr("Cancel");
    // An own file not stored yet (failed): the bubble's Retry sends it again.
    if (index.data(MessageListModel::SeqRole).toLongLong() <= 0)
        return {};
    return tr("Download");
}

bool MessageDelegate::fileButtonAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                                   QPoint pos) const
{
    return layout(option, index).fileButton.contains(pos);
}

bool MessageDelegate::imageAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                              QPoint pos) const
{
    const Layout l = layout(option, index);
    return !l.thumbnail.isNull() && l.file.contains(pos) && !l.fileButton.contains(pos);
}

QRect MessageDelegate::fileButtonRect(const QStyleOptionViewItem &option,
                                      const QModelIndex &index) const
{
    return layout(option, index).fileButton;
}

QRect MessageDelegate::imageRect(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const Layout l = layout(option, index);
    return l.thumbnail.isNull() ? QRect() : QRect(l.file.topLeft(), l.thumbnail.size());
}
