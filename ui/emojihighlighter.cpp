#include "emojihighlighter.h"

#include "emojifont.h"

EmojiHighlighter::EmojiHighlighter(QTextDocument *document) : QSyntaxHighlighter(document) {}

void EmojiHighlighter::highlightBlock(const QString &text)
{
    for (const QTextLayout::FormatRange &range : EmojiFont::formats(text))
        setFormat(range.start, range.length, range.format);
}
