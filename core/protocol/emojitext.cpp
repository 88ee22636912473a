#include "protocol/emojitext.h"

#include <unicode/ubrk.h>
#include <unicode/uchar.h>

namespace {

char32_t codePointAt(QStringView text, int i, int *units)
{
    const QChar c = text.at(i);
    if (c.isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate()) {
        *units = 2;
        return QChar::surrogateToUcs4(c, text.at(i + 1));
    }
    *units = 1;
    return c.unicode();
}

bool isKeycapBase(char32_t c)
{
    return (c >= '0' && c <= '9') || c == '#' || c == '*';
}

// Starts an emoji: drawn as one by default, or a pictograph outside Latin-1 (© and ® stay
// text unless VS16 asks otherwise, which the caller checks).
bool startsEmoji(char32_t c)
{
    if (c < 0x2000)
        return false;
    return u_hasBinaryProperty(UChar32(c), UCHAR_EMOJI_PRESENTATION) ||
           u_hasBinaryProperty(UChar32(c), UCHAR_EXTENDED_PICTOGRAPHIC) ||
           u_hasBinaryProperty(UChar32(c), UCHAR_REGIONAL_INDICATOR);
}

// Continues the sequence before it.
bool continuesEmoji(char32_t c)
{
    return c == 0xFE0F || c == 0x200D || c == 0x20E3 || (c >= 0xE0020 && c <= 0xE007F) ||
           u_hasBinaryProperty(UChar32(c), UCHAR_EMOJI_MODIFIER);
}

} // namespace

QList<EmojiText::Run> EmojiText::runs(QStringView text)
{
    QList<Run> result;
    int i = 0;
    while (i < text.size()) {
        int units = 0;
        const char32_t c = codePointAt(text, i, &units);
        int nextUnits = 0;
        const char32_t next =
            i + units < text.size() ? codePointAt(text, i + units, &nextUnits) : 0;
        const bool asked = next == 0xFE0F || (isKeycapBase(c) && next == 0x20E3);
        if (!startsEmoji(c) && !(asked && (c >= 0x80 || isKeycapBase(c)))) {
            i += units;
            continue;
        }
        const int start = i;
        i += units;
        bool afterJoiner = false;
        while (i < text.size()) {
            const char32_t more = codePointAt(text, i, &units);
            if (continuesEmoji(more) || (afterJoiner && startsEmoji(more))) {
                afterJoiner = more == 0x200D;
                i += units;
                continue;
            }
            break;
        }
        // Two regional indicators are one flag.
        if (!result.isEmpty() && result.last().start + result.last().length == start)
            result.last().length = i - result.last().start;
        else
            result.append({start, i - start});
    }
    return result;
}

bool EmojiText::isSingleEmoji(QStringView text)
{
    if (text.isEmpty() || text.size() > 64)
        return false;
    const QList<Run> found = runs(text);
    if (found.size() != 1 || found.first().start != 0 || found.first().length != text.size())
        return false;
    // runs() joins neighbours ("😀😀" is one run for drawing): one grapheme cluster only.
    UErrorCode status = U_ZERO_ERROR;
    UBreakIterator *it =
        ubrk_open(UBRK_CHARACTER, "", reinterpret_cast<const UChar *>(text.utf16()),
                  int32_t(text.size()), &status);
    if (U_FAILURE(status))
        return false;
    const int32_t first = ubrk_first(it);
    const int32_t next = ubrk_next(it);
    ubrk_close(it);
    return first == 0 && next == int32_t(text.size());
}
