#pragma once

#include "protocol/errorcode.h"

#include <QString>
#include <QStringList>

// Rules for the text of a chat message and what the server reads out of it.
class TextRules
{
public:
    // EmptyMessage when nothing in the text is visible (only whitespace, zero-width and other
    // format or default-ignorable characters); MessageTooLong (code points); BadUtf8 for
    // unpaired surrogates; BadText for C0/C1 controls other than newline and tab, and for bidi
    // embeddings and overrides (U+202A..U+202E; the isolates U+2066..U+2069 are fine).
    static ErrorCode check(const QString &text, int maxChars);
    // "@bob hi" addresses bob privately: returns "bob" when the text starts with '@' and a
    // valid name followed by whitespace or the end; otherwise an empty string.
    static QString privateTarget(const QString &text, int maxNameChars);
    // Valid names after an '@' anywhere in the text, each once (by NameRules::key), in order,
    // at most maxCount of them.
    static QStringList mentions(const QString &text, int maxNameChars, int maxCount = 20);
    // Bytes of UTF-8 of `text`, without making them (a surrogate pair is 4 bytes).
    static qint64 utf8Size(QStringView text);
    // Escapes &, <, >, " and ' so text can be placed into HTML (the seed page uses innerHTML).
    static QString htmlEscaped(const QString &text);
};
