#include "protocol/namerules.h"

#include <QDebug>

#include <algorithm>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uset.h>
#include <unicode/uspoof.h>

namespace {

// More nonspacing marks in a row than this (counted after canonical decomposition, so that
// a precomposed letter cannot hide one) is "zalgo" text. Real names need up to three: Tibetan
// stacks two subjoined letters and a vowel sign, Vietnamese two marks on a vowel, Thai a vowel
// and a tone mark, Arabic a shadda and a vowel. (USPOOF_INVISIBLE only catches the same mark
// twice on one base.)
constexpr int MaxMarksInARow = 3;

const UChar *icuChars(const QString &s)
{
    return reinterpret_cast<const UChar *>(s.utf16());
}

// Runs an ICU function that writes a string into a caller's buffer, growing the buffer once
// if ICU says it was too small. Returns false if ICU fails for any other reason.
template <typename Produce> bool icuString(qsizetype capacity, QString *result, Produce produce)
{
    QString out(capacity, Qt::Uninitialized);
    UErrorCode status = U_ZERO_ERROR;
    int32_t length = produce(reinterpret_cast<UChar *>(out.data()), int32_t(out.size()), &status);
    if (status == U_BUFFER_OVERFLOW_ERROR) {
        out = QString(length, Qt::Uninitialized);
        status = U_ZERO_ERROR;
        length = produce(reinterpret_cast<UChar *>(out.data()), int32_t(out.size()), &status);
    }
    if (U_FAILURE(status))
        return false;
    out.truncate(length);
    *result = out;
    return true;
}

// The form of s under an ICU normalizer; s itself (no copy) when it already is in that form,
// which is the common case.
QString normalize(const UNormalizer2 *form, const QString &s)
{
    UErrorCode status = U_ZERO_ERROR;
    const int32_t length = int32_t(s.size());
    if (!form || unorm2_spanQuickCheckYes(form, icuChars(s), length, &status) == length ||
        U_FAILURE(status)) {
        return s;
    }
    QString result;
    const bool ok =
        icuString(s.size() * 2 + 8, &result, [&](UChar *dest, int32_t capacity, UErrorCode *error) {
            return unorm2_normalize(form, icuChars(s), length, dest, capacity, error);
        });
    return ok ? result : s;
}

// One checker for the process. It is configured here, once (C++ guarantees the initialisation
// runs on one thread), and afterwards only used through functions taking a const checker,
// which ICU documents as safe to call from several threads at once (uspoof.h, "Thread
// Safety"). So no per-thread clone is needed.
class SpoofChecker
{
public:
    SpoofChecker()
    {
        UErrorCode status = U_ZERO_ERROR;
        m_checker = uspoof_open(&status);
        // The recommended set is frozen; a thawed copy can take the additions.
        const USet *recommended = uspoof_getRecommendedSet(&status);
        USet *allowed = U_SUCCESS(status) ? uset_cloneAsThawed(recommended) : nullptr;
        if (allowed) {
            // '_' and the digits are in the set, but '-' and '.' are not, and names have
            // always been allowed them.
            uset_add(allowed, U'-');
            uset_add(allowed, U'.');
            // Thai and Lao SARA AM are left out of the set only because NFKC splits each into
            // a nikhahit and SARA AA that look the same. They are in everyday words and names
            // ("น้ำ", "อำนาจ"), and key() applies NFKC, so both spellings are one person.
            uset_add(allowed, 0x0E33);
            uset_add(allowed, 0x0EB3);
            uspoof_setAllowedChars(m_checker, allowed, &status);
        }
        if (allowed)
            uset_close(allowed);
        else if (U_SUCCESS(status))
            status = U_MEMORY_ALLOCATION_ERROR;
        uspoof_setChecks(m_checker,
                         USPOOF_CHAR_LIMIT | USPOOF_RESTRICTION_LEVEL | USPOOF_INVISIBLE |
                             USPOOF_MIXED_NUMBERS,
                         &status);
        // One script, or Latin with one other script that is not Cyrillic or Greek, or the
        // Han+kana, Han+Bopomofo and Han+Hangul mixes that Japanese, Chinese and Korean use.
        uspoof_setRestrictionLevel(m_checker, USPOOF_MODERATELY_RESTRICTIVE);
        if (U_FAILURE(status)) {
            qWarning("NameRules: cannot set up the ICU spoof checker: %s", u_errorName(status));
            uspoof_close(m_checker);
            m_checker = nullptr;
        }
    }
    ~SpoofChecker() { uspoof_close(m_checker); }
    SpoofChecker(const SpoofChecker &) = delete;
    SpoofChecker &operator=(const SpoofChecker &) = delete;

    // Null only if ICU could not be set up; callers then refuse what they cannot judge.
    static const USpoofChecker *get()
    {
        static const SpoofChecker instance;
        return instance.m_checker;
    }

private:
    USpoofChecker *m_checker = nullptr;
};

bool isLetterOrNumber(char32_t c)
{
    return (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_N_MASK)) != 0;
}

bool isDefaultIgnorable(char32_t c)
{
    return u_hasBinaryProperty(UChar32(c), UCHAR_DEFAULT_IGNORABLE_CODE_POINT);
}

bool isStackingMark(char32_t c)
{
    const int8_t type = u_charType(UChar32(c));
    return type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK;
}

// The most nonspacing or enclosing marks that follow one another in the NFD form of s.
int longestMarkRun(const QString &s)
{
    UErrorCode status = U_ZERO_ERROR;
    const QString nfd = normalize(unorm2_getNFDInstance(&status), s);
    int longest = 0;
    int run = 0;
    for (qsizetype i = 0; i < nfd.size(); ++i) {
        char32_t c = nfd.at(i).unicode();
        if (QChar::isHighSurrogate(c) && i + 1 < nfd.size() && nfd.at(i + 1).isLowSurrogate()) {
            c = QChar::surrogateToUcs4(nfd.at(i), nfd.at(i + 1));
            ++i;
        }
        run = isStackingMark(c) ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    return longest;
}

} // namespace

bool NameRules::isNameChar(char32_t c)
{
    if (c < 0x80) {
        return (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z') || (c >= U'0' && c <= U'9') ||
               c == U'_' || c == U'-' || c == U'.';
    }
    // Marks (category M) let Devanagari, Thai, Tamil... names be written at all.
    // Default-ignorable code points (variation selectors, the combining grapheme joiner, Hangul
    // fillers, which are letters) show nothing, so a name using them can pass for another name
    // or for no name at all.
    return (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_N_MASK | U_GC_M_MASK)) != 0 &&
           !isDefaultIgnorable(c);
}

QString NameRules::normalized(const QString &name)
{
    UErrorCode status = U_ZERO_ERROR;
    return normalize(unorm2_getNFCInstance(&status), name);
}

ErrorCode NameRules::check(const QString &name, int maxChars)
{
    if (name.isEmpty())
        return ErrorCode::NameEmpty;
    // A long string is rejected before it is walked character by character.
    if (name.size() > 2 * qsizetype(maxChars))
        return ErrorCode::NameTooLong;
    const QString nfc = normalized(name);
    int count = 0;
    bool ascii = true;
    for (qsizetype i = 0; i < nfc.size(); ++i) {
        char32_t c = nfc.at(i).unicode();
        if (QChar::isHighSurrogate(c)) {
            if (i + 1 >= nfc.size() || !nfc.at(i + 1).isLowSurrogate())
                return ErrorCode::NameInvalid;
            c = QChar::surrogateToUcs4(nfc.at(i), nfc.at(i + 1));
            ++i;
        } else if (QChar::isLowSurrogate(c)) {
            return ErrorCode::NameInvalid;
        }
        // Starting with a letter or digit that is not default-ignorable is also what makes
        // every accepted name show at least one character.
        if (!isNameChar(c) || (count == 0 && !isLetterOrNumber(c)))
            return ErrorCode::NameInvalid;
        ascii = ascii && c < 0x80;
        ++count;
    }
    if (count > maxChars)
        return ErrorCode::NameTooLong;
    // ASCII name characters are all in the recommended set and ASCII is a single script, so
    // only other names need the (slower) UTS #39 checks.
    if (ascii)
        return ErrorCode::None;
    if (longestMarkRun(nfc) > MaxMarksInARow)
        return ErrorCode::NameInvalid;
    const USpoofChecker *checker = SpoofChecker::get();
    if (!checker)
        return ErrorCode::NameInvalid;
    UErrorCode status = U_ZERO_ERROR;
    const int32_t failed =
        uspoof_check2(checker, icuChars(nfc), int32_t(nfc.size()), nullptr, &status);
    return U_SUCCESS(status) && failed == 0 ? ErrorCode::None : ErrorCode::NameInvalid;
}

QString NameRules::key(const QString &name)
{
    // NFKC_Casefold of ASCII is ASCII lowercase. Most names are ASCII and lowercase, and then
    // the key is name itself, with no allocation: key() runs for every message.
    qsizetype firstUpper = -1;
    for (qsizetype i = 0; i < name.size(); ++i) {
        const char16_t u = name.at(i).unicode();
        if (u >= 0x80) {
            UErrorCode status = U_ZERO_ERROR;
            return normalize(unorm2_getNFKCCasefoldInstance(&status), name);
        }
        if (firstUpper < 0 && u >= u'A' && u <= u'Z')
            firstUpper = i;
    }
    if (firstUpper < 0)
        return name;
    QString lower = name;
    for (qsizetype i = firstUpper; i < lower.size(); ++i) {
        const char16_t u = lower.at(i).unicode();
        if (u >= u'A' && u <= u'Z')
            lower[i] = QChar(u + (u'a' - u'A'));
    }
    return lower;
}

QString NameRules::skeleton(const QString &name)
{
    UErrorCode status = U_ZERO_ERROR;
    const QString nfkc = normalize(unorm2_getNFKCInstance(&status), name);
    const USpoofChecker *checker = SpoofChecker::get();
    if (!checker)
        return key(name);
    const auto skeletonOf = [checker](const QString &s, QString *result) {
        return icuString(s.size() * 2 + 8, result,
                         [&](UChar *dest, int32_t capacity, UErrorCode *error) {
                             return uspoof_getSkeleton(checker, 0, icuChars(s), int32_t(s.size()),
                                                       dest, capacity, error);
                         });
    };
    // UTS #39 skeletons are case-sensitive: "AIice" (capital i) has the skeleton of "Alice",
    // but its key "aiice" does not. So the skeleton is taken of the name as shown, then folded
    // like key() (which also drops default-ignorables), then taken again so that the folded
    // letters map to their prototypes too.
    QString once;
    if (!skeletonOf(nfkc, &once))
        return key(name);
    const QString folded = key(once);
    QString twice;
    return skeletonOf(folded, &twice) ? twice : folded;
}
