#pragma once

#include <QList>
#include <QString>
#include <QTextLayout>

class QTextDocument;

// Draws every emoji of a text with the system's colour emoji font (EmojiText finds them), so
// that a message never mixes colour emoji with black-and-white ones taken from a text font.
// Where no colour emoji font is installed, nothing changes.
class EmojiFont
{
public:
    // The first installed of Noto Color Emoji, Apple Color Emoji, Segoe UI Emoji, Twemoji
    // ("" for none). Looked up once.
    static QString family();
    // Formats for QTextLayout::setFormats(): the emoji runs of `text` in that family.
    static QList<QTextLayout::FormatRange> formats(const QString &text);
    // The same on a document whose plain text is `text` (QTextDocument::toPlainText()).
    static void apply(QTextDocument *document);
};
