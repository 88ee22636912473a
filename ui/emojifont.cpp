#include "emojifont.h"

#include "protocol/emojitext.h"

#include <QFontDatabase>
#include <QTextCursor>
#include <QTextDocument>

QString EmojiFont::family()
{
    static const QString found = [] {
        const QStringList installed = QFontDatabase::families();
        for (const char *name :
             {"Noto Color Emoji", "Apple Color Emoji", "Segoe UI Emoji", "Twemoji"}) {
            if (installed.contains(QLatin1String(name)))
                return QString::fromLatin1(name);
        }
        return QString();
    }();
    return found;
}

QList<QTextLayout::FormatRange> EmojiFont::formats(const QString &text)
{
    QList<QTextLayout::FormatRange> ranges;
    if (family().isEmpty())
        return ranges;
    QTextCharFormat format;
    format.setFontFamilies({family()});
    for (const EmojiText::Run &run : EmojiText::runs(text))
        ranges.append({run.start, run.length, format});
    return ranges;
}

void EmojiFont::apply(QTextDocument *document)
{
    const QList<QTextLayout::FormatRange> ranges = formats(document->toPlainText());
    for (const QTextLayout::FormatRange &range : ranges) {
        QTextCursor cursor(document);
        cursor.setPosition(range.start);
        cursor.setPosition(range.start + range.length, QTextCursor::KeepAnchor);
        cursor.mergeCharFormat(range.format);
    }
}
