#include "protocol/textrules.h"

#include "protocol/namerules.h"

#include <QSet>

#include <unicode/uchar.h>

namespace {

// Reads the code point at i and advances i past it; returns 0xFFFFFFFF for a broken pair.
char32_t nextCodePoint(const QString &text, qsizetype &i)
{
    const QChar c = text.at(i++);
    if (c.isHighSurrogate()) {
        if (i < text.size() && text.at(i).isLowSurrogate())
            return QChar::surrogateToUcs4(c, text.at(i++));
        return 0xFFFFFFFF;
    }
    if (c.isLowSurrogate())
        return 0xFFFFFFFF;
    return c.unicode();
}

// The name that starts at index start (just after an '@'), or an empty string. Trailing dots
// belong to the sentence, not the name ("thanks @bob.").
QString nameAt(const QString &text, qsizetype start, int maxNameChars, qsizetype *end)
{
    qsizetype i = start;
    qsizetype last = start;
    while (i < text.size()) {
        qsizetype next = i;
        const char32_t c = nextCodePoint(text, next);
        if (c == 0xFFFFFFFF || !NameRules::isNameChar(c))
            break;
        i = next;
        last = i;
    }
    while (last > start && text.at(last - 1) == QLatin1Char('.'))
        --last;
    if (end)
        *end = last;
    QString name = text.mid(start, last - start);
    if (NameRules::check(name, maxNameChars) != ErrorCode::None)
        return {};
    return name;
}

// C0 and C1 controls other than newline and tab can move the cursor or reach a terminal, and
// the bidi embeddings and overrides (U+202A..U+202E) reorder the rest of a line, so a message
// can show text other than what it contains. The isolates (U+2066..U+2069) only reorder within
// themselves and are needed for mixing right-to-left and left-to-right text.
bool isAllowedInText(char32_t c)
{
    if (c < 0x20)
        return c == U'\n' || c == U'\t';
    if (c >= 0x7F && c <= 0x9F)
        return false;
    return c < 0x202A || c > 0x202E;
}

// Whether c draws something: not whitespace, not a format character (zero-width space, word
// joiner, byte order mark...) and not default-ignorable (variation selectors, Hangul fillers).
bool isVisible(char32_t c)
{
    if (c < 0x80)
        return c > 0x20 && c != 0x7F;
    if (u_isUWhiteSpace(UChar32(c)) || u_charType(UChar32(c)) == U_FORMAT_CHAR)
        return false;
    return !u_hasBinaryProperty(UChar32(c), UCHAR_DEFAULT_IGNORABLE_CODE_POINT);
}

} // namespace

ErrorCode TextRules::check(const QString &text, int maxChars)
{
    if (text.trimmed().isEmpty())
        return ErrorCode::EmptyMessage;
    if (text.size() > 2 * qsizetype(maxChars))
        return ErrorCode::MessageTooLong;
    int count = 0;
    bool visible = false;
    for (qsizetype i = 0; i < text.size();) {
        const char32_t c = nextCodePoint(text, i);
        if (c == 0xFFFFFFFF)
            return ErrorCode::BadUtf8;
        if (!isAllowedInText(c))
            return ErrorCode::BadText;
        visible = visible || isVisible(c);
        ++count;
    }
    // Zero-width spaces, joiners, variation selectors or Hangul fillers alone would show as
    // an empty message.
    if (!visible)
        return ErrorCode::EmptyMessage;
    return count > maxChars ? ErrorCode::MessageTooLong : ErrorCode::None;
}

QString TextRules::privateTarget(const QString &text, int maxNameChars)
{
    if (!text.startsWith(QLatin1Char('@')))
        return {};
    qsizetype end = 1;
    const QString name = nameAt(text, 1, maxNameChars, &end);
    if (name.isEmpty())
        return {};
    if (end < text.size() && !text.at(end).isSpace())
        return {};
    return name;
}

QStringList TextRules::mentions(const QString &text, int maxNameChars, int maxCount)
{
    QStringList result;
    QSet<QString> seen;
    for (qsizetype i = text.indexOf(QLatin1Char('@')); i >= 0 && result.size() < maxCount;
         i = text.indexOf(QLatin1Char('@'), i + 1)) {
        // "mail@example.org" is not a mention: the '@' must not follow a name character.
        if (i > 0 && NameRules::isNameChar(text.at(i - 1).unicode()))
            continue;
        const QString name = nameAt(text, i + 1, maxNameChars, nullptr);
        if (name.isEmpty())
            continue;
        const QString key = NameRules::key(name);
        if (!seen.contains(key)) {
            seen.insert(key);
            result.append(name);
        }
    }
    return result;
}

QString TextRules::htmlEscaped(const QString &text)
{
    return text.toHtmlEscaped().replace(QLatin1Char('\''), QLatin1String("&#39;"));
}

qint64 TextRules::utf8Size(QStringView text)
{
    qint64 n = 0;
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        n += u < 0x80 ? 1 : u < 0x800 || QChar::isSurrogate(u) ? 2 : 3;
    }
    return n;
}
