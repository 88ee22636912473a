#pragma once

#include "protocol/errorcode.h"

#include <QString>
#include <QStringList>

// Rules for the text of a chat message and what the server reads out of it.
class TextRules
{
public:
    // Empty, too long (code points), unpaired surrogates, or control characters other than
    // newline and tab are rejected.
    static ErrorCode check(const QString &text, int maxChars);
    // "@bob hi" addresses bob privately: returns "bob" when the text starts with '@' and a
    // valid name followed by whitespace or the end; otherwise an empty string.
    static QString privateTarget(const QString &text, int maxNameChars);
    // Valid names after an '@' anywhere in the text, each once (by NameRules::key), in order,
    // at most maxCount of them.
    static QStringList mentions(const QString &text, int maxNameChars, int maxCount = 20);
    // Escapes &, <, >, " and ' so text can be placed into HTML (the seed page uses innerHTML).
    static QString htmlEscaped(const QString &text);
};
