#pragma once

#include <QSyntaxHighlighter>

// Gives the emoji of an editable text (the compose box) the colour emoji font as they are
// typed or pasted, as EmojiFont does for the messages shown.
class EmojiHighlighter : public QSyntaxHighlighter
{
    Q_OBJECT
public:
    explicit EmojiHighlighter(QTextDocument *document);

protected:
    void highlightBlock(const QString &text) override;
};
