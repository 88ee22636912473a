#include "protocol/namerules.h"

#include <QChar>
#include <QStringView>

bool NameRules::isNameChar(char32_t c)
{
    // Marks (category M) let Devanagari, Thai, Tamil... names be written at all.
    return QChar::isLetterOrNumber(c) || QChar::isMark(c) || c == U'_' || c == U'-' || c == U'.';
}

ErrorCode NameRules::check(const QString &name, int maxChars)
{
    if (name.isEmpty())
        return ErrorCode::NameEmpty;
    // A long string is rejected before it is walked character by character.
    if (name.size() > 2 * maxChars)
        return ErrorCode::NameTooLong;
    int count = 0;
    bool first = true;
    for (qsizetype i = 0; i < name.size(); ++i) {
        char32_t c = name.at(i).unicode();
        if (QChar::isHighSurrogate(c)) {
            if (i + 1 >= name.size() || !name.at(i + 1).isLowSurrogate())
                return ErrorCode::NameInvalid;
            c = QChar::surrogateToUcs4(name.at(i), name.at(i + 1));
            ++i;
        } else if (QChar::isLowSurrogate(c)) {
            return ErrorCode::NameInvalid;
        }
        if (first ? !QChar::isLetterOrNumber(c) : !isNameChar(c))
            return ErrorCode::NameInvalid;
        first = false;
        ++count;
    }
    return count > maxChars ? ErrorCode::NameTooLong : ErrorCode::None;
}

QString NameRules::key(const QString &name)
{
    return name.toCaseFolded();
}
