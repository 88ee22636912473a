#include "composeedit.h"

#include "emojihighlighter.h"

#include "composebanner.h"
#include "protocol/namerules.h"
#include "recipientchip.h"

#include <QAbstractItemView>
#include <QAbstractTextDocumentLayout>
#include <QCompleter>
#include <QImage>
#include <QKeyEvent>
#include <QMimeData>
#include <QResizeEvent>
#include <QScrollBar>
#include <QTextBlock>
#include <QUrl>
#include <QtMath>

namespace {
constexpr int kCompletionGap = 3; // pixels between the list of names and the typed line
constexpr int kMaxLines = 6;      // the box grows up to this many lines, then scrolls
constexpr int kChipGap = 3;       // pixels between the recipient chip and the text below it
} // namespace

ComposeEdit::ComposeEdit(QWidget *parent)
    : QPlainTextEdit(parent), m_completer(new QCompleter(this)), m_chip(new RecipientChip(this)),
      m_banner(new ComposeBanner(this))
{
    setObjectName(QStringLiteral("composeEdit"));
    new EmojiHighlighter(document()); // emoji in colour as they are typed, as in the messages
    setPlaceholderText(tr("Write a message… (@ completes a name)"));
    setTabChangesFocus(true);
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    m_completer->setWidget(this);
    m_completer->setCompletionMode(QCompleter::PopupCompletion);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setFilterMode(Qt::MatchStartsWith);
    m_completer->setCompletionRole(Qt::DisplayRole);
    connect(m_completer, qOverload<const QString &>(&QCompleter::activated), this,
            &ComposeEdit::insertCompletion);
    connect(m_chip, &RecipientChip::publicRequested, this, [this](bool isPublic) {
        emit publicRequested(isPublic);
        setFocus(); // writing goes on where it was
    });
    connect(m_banner, &ComposeBanner::cancelRequested, this, [this] {
        cancelReply();
        cancelEditing();
        setFocus();
    });
    connect(this, &QPlainTextEdit::textChanged, this, [this] {
        updateHeight();
        if (!toPlainText().isEmpty())
            emit typing();
        const QString prefix = mentionPrefix();
        if (prefix.isNull()) {
            m_completer->popup()->hide();
            return;
        }
        m_completer->setCompletionPrefix(prefix);
        if (m_completer->completionCount() == 0) {
            m_completer->popup()->hide();
            return;
        }
        showCompletions();
        // The first name is the one Enter or Tab picks: show it highlighted.
        m_completer->popup()->setCurrentIndex(m_completer->completionModel()->index(0, 0));
    });
    updateHeight();
}

void ComposeEdit::setRecipient(const QString &name, bool isPublic)
{
    if (name == m_chip->name() && isPublic == m_chip->isPublic())
        return;
    m_chip->setRecipient(name, isPublic);
    placeChip();
    updateHeight();
}

void ComposeEdit::placeChip()
{
    // Inside the box, over the first line: the text moves down by the chip's height, and the
    // box grows by as much (heightFor() counts the viewport's margins). In edit mode the
    // banner takes the chip's place (an edit keeps the message's recipient).
    QWidget *shown = !m_banner->isHidden() ? static_cast<QWidget *>(m_banner)
                     : !m_chip->isHidden() ? static_cast<QWidget *>(m_chip)
                                           : nullptr;
    if (shown == m_banner)
        m_chip->setVisible(false);
    const int top = shown ? shown->sizeHint().height() + kChipGap : 0;
    if (viewportMargins().top() != top)
        setViewportMargins(0, top, 0, 0);
    const QRect area = contentsRect();
    const int left = area.left() + qRound(document()->documentMargin());
    if (shown == m_banner)
        m_banner->setGeometry(left, area.top() + kChipGap, area.width() - 2 * left,
                              m_banner->sizeHint().height());
    else if (shown)
        m_chip->setGeometry(left, area.top() + kChipGap,
                            qMin(m_chip->sizeHint().width(), area.width() - left),
                            m_chip->sizeHint().height());
}

void ComposeEdit::startReply(qint64 seq, const QString &from, const QString &text)
{
    cancelEditing(); // one mode at a time: the draft comes back, and answers the message
    m_replyToSeq = seq;
    m_banner->show(tr("Reply to %1").arg(from), text);
    placeChip();
    updateHeight();
    setFocus();
}

void ComposeEdit::cancelReply()
{
    if (m_replyToSeq == 0)
        return;
    m_replyToSeq = 0;
    m_banner->hide();
    m_chip->setVisible(!m_chip->name().isEmpty());
    placeChip();
    updateHeight();
}

void ComposeEdit::startEditing(qint64 seq, const QString &text)
{
    cancelReply();
    if (m_editingSeq == 0)
        m_savedDraft = toPlainText();
    m_editingSeq = seq;
    m_banner->show(tr("Editing message"), text);
    setPlainText(text);
    moveCursor(QTextCursor::End);
    placeChip();
    updateHeight();
    setFocus();
}

void ComposeEdit::cancelEditing()
{
    if (m_editingSeq == 0)
        return;
    m_editingSeq = 0;
    m_banner->hide();
    setPlainText(m_savedDraft);
    m_savedDraft.clear();
    moveCursor(QTextCursor::End);
    m_chip->setVisible(!m_chip->name().isEmpty());
    placeChip();
    updateHeight();
}

void ComposeEdit::submit()
{
    const QString text = toPlainText();
    if (text.trimmed().isEmpty())
        return;
    if (m_editingSeq > 0) {
        const qint64 seq = m_editingSeq;
        cancelEditing(); // the draft comes back
        emit editSubmitted(seq, text);
        return;
    }
    emit submitted(text); // the receiver takes the text out once it is sent
}

void ComposeEdit::showCompletions()
{
    // Beside the line being typed, starting under (or over) its '@', with a little air so the
    // list never touches the letters. The rect is in this widget's coordinates, as QCompleter
    // wants them, not the viewport's that cursorRect() gives.
    QTextCursor at = textCursor();
    at.setPosition(at.position() - int(mentionPrefix().size()) - 1);
    const QRect line = cursorRect(at).united(cursorRect()).translated(viewport()->pos());
    QAbstractItemView *popup = m_completer->popup();
    const int width =
        popup->sizeHintForColumn(0) + popup->verticalScrollBar()->sizeHint().width() + 16;
    m_completer->complete(
        QRect(line.left(), line.top() - kCompletionGap, width, line.height() + 2 * kCompletionGap));
}

void ComposeEdit::keepCompletionsBesideText()
{
    // The box grows upwards when a line is added (the layout moves it later, after the list
    // was placed) and the window may be resized: the list follows, keeping its highlighted row.
    QAbstractItemView *popup = m_completer->popup();
    if (!popup->isVisible())
        return;
    const int row = popup->currentIndex().row();
    showCompletions();
    if (row >= 0)
        popup->setCurrentIndex(m_completer->completionModel()->index(row, 0));
}

void ComposeEdit::moveEvent(QMoveEvent *event)
{
    QPlainTextEdit::moveEvent(event);
    keepCompletionsBesideText();
}

void ComposeEdit::setNameModel(QAbstractItemModel *names)
{
    m_completer->setModel(names);
}

QString ComposeEdit::mentionPrefix() const
{
    // The word under the cursor, when it starts with '@': null when there is none.
    const QTextCursor c = textCursor();
    const QString block = c.block().text().left(c.positionInBlock());
    const qsizetype at = block.lastIndexOf(QLatin1Char('@'));
    if (at < 0)
        return {};
    if (at > 0 && NameRules::isNameChar(block.at(at - 1).unicode()))
        return {};
    const QString word = block.mid(at + 1);
    for (QChar ch : word) {
        if (!NameRules::isNameChar(ch.unicode()))
            return {};
    }
    return word.isNull() ? QStringLiteral("") : word;
}

void ComposeEdit::insertCompletion(const QString &name)
{
    QTextCursor c = textCursor();
    const QString prefix = mentionPrefix();
    c.movePosition(QTextCursor::Left, QTextCursor::KeepAnchor, int(prefix.size()));
    c.insertText(name + QLatin1Char(' '));
    setTextCursor(c);
    m_completer->popup()->hide();
}

bool ComposeEdit::event(QEvent *event)
{
    // Tab normally moves the focus on; while names are offered it picks one.
    if (event->type() == QEvent::KeyPress && m_completer->popup()->isVisible() &&
        static_cast<QKeyEvent *>(event)->key() == Qt::Key_Tab) {
        keyPressEvent(static_cast<QKeyEvent *>(event));
        return true;
    }
    return QPlainTextEdit::event(event);
}

void ComposeEdit::keyPressEvent(QKeyEvent *event)
{
    QAbstractItemView *popup = m_completer->popup();
    if (popup->isVisible()) {
        switch (event->key()) {
        case Qt::Key_Return:
        case Qt::Key_Enter:
        case Qt::Key_Tab: {
            const QModelIndex current = popup->currentIndex().isValid()
                                            ? popup->currentIndex()
                                            : m_completer->completionModel()->index(0, 0);
            insertCompletion(current.data().toString());
            return;
        }
        case Qt::Key_Escape:
            popup->hide();
            return;
        default:
            break;
        }
    }
    if (event->key() == Qt::Key_Escape && (m_editingSeq > 0 || m_replyToSeq > 0)) {
        cancelEditing();
        cancelReply();
        return;
    }
    const bool enter = event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter;
    if (enter) {
        const bool shift = event->modifiers() & Qt::ShiftModifier;
        const bool ctrl = event->modifiers() & Qt::ControlModifier;
        const bool send = m_ctrlEnterSends ? ctrl : !shift && !ctrl;
        if (send) {
            submit();
            return;
        }
        insertPlainText(QStringLiteral("\n"));
        return;
    }
    QPlainTextEdit::keyPressEvent(event);
}

int ComposeEdit::linesHeight() const
{
    // QPlainTextDocumentLayout lays a block out when asked for its rect, so this is the height
    // of the wrapped lines right after an edit (document()->size() is a count that lags behind
    // and was read as lines while it counted something else: the box grew at the first key).
    const QAbstractTextDocumentLayout *layout = document()->documentLayout();
    qreal height = 0;
    for (QTextBlock block = document()->begin(); block.isValid(); block = block.next())
        height += layout->blockBoundingRect(block).height();
    // The last block's rect includes the document's bottom margin.
    return qMax(0, qCeil(height - document()->documentMargin()));
}

int ComposeEdit::heightFor(int lines) const
{
    // Frame, style sheet padding and the document's margins around `lines` of text, plus the
    // pixel QPlainTextEdit wants to spare below the last line before it counts it as shown
    // (without it the box scrolls by a line while all lines would fit).
    ensurePolished();
    const QMargins frame = contentsMargins();
    const QMargins viewport = viewportMargins();
    return lines + frame.top() + frame.bottom() + viewport.top() + viewport.bottom() +
           2 * qCeil(document()->documentMargin()) + 1;
}

QSize ComposeEdit::sizeHint() const
{
    const int line = fontMetrics().lineSpacing();
    const int h = heightFor(qBound(line, linesHeight(), kMaxLines * line));
    return QSize(QPlainTextEdit::sizeHint().width(), h);
}

QSize ComposeEdit::minimumSizeHint() const
{
    return QSize(100, heightFor(fontMetrics().lineSpacing()));
}

void ComposeEdit::resizeEvent(QResizeEvent *event)
{
    QPlainTextEdit::resizeEvent(event);
    placeChip();
    // Another width wraps the text into more or fewer lines.
    if (event->size().width() != event->oldSize().width())
        updateHeight();
    keepCompletionsBesideText();
}

void ComposeEdit::updateHeight()
{
    // Up to six lines the box grows; beyond, it scrolls. It shrinks again as lines go.
    const bool full = linesHeight() > kMaxLines * fontMetrics().lineSpacing();
    setVerticalScrollBarPolicy(full ? Qt::ScrollBarAsNeeded : Qt::ScrollBarAlwaysOff);
    setFixedHeight(sizeHint().height());
}

namespace {
QStringList localFiles(const QMimeData *source)
{
    QStringList paths;
    if (!source->hasUrls())
        return paths;
    for (const QUrl &url : source->urls()) {
        if (url.isLocalFile())
            paths.append(url.toLocalFile());
    }
    return paths;
}
} // namespace

bool ComposeEdit::canInsertFromMimeData(const QMimeData *source) const
{
    return source->hasImage() || !localFiles(source).isEmpty() ||
           QPlainTextEdit::canInsertFromMimeData(source);
}

void ComposeEdit::insertFromMimeData(const QMimeData *source)
{
    // Files and pictures are sent, not typed in as their paths.
    const QStringList files = localFiles(source);
    if (!files.isEmpty())
        return emit filesPasted(files);
    if (source->hasImage()) {
        const QImage image = qvariant_cast<QImage>(source->imageData());
        if (!image.isNull())
            return emit imagePasted(image);
    }
    QPlainTextEdit::insertFromMimeData(source);
}
