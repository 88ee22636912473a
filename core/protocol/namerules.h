#pragma once

#include "protocol/errorcode.h"

#include <QString>

// Who may be called what. A name is 1..maxChars code points of letters and digits of any
// script plus '_', '-' and '.', starting with a letter or digit. Names are unique without
// regard to case ("Alice" and "alice" are the same person), so lookups use key().
class NameRules
{
public:
    static ErrorCode check(const QString &name, int maxChars);
    static QString key(const QString &name);
    // True for characters that may appear inside a name (used by mention parsing too).
    static bool isNameChar(char32_t c);
};
