#pragma once

#include "protocol/errorcode.h"

#include <QString>

// Who may be called what, and when two names are the same person.
//
// A name is 1..maxChars code points of letters and digits plus '_', '-' and '.', starting with
// a letter or digit, drawn from ICU's UTS #39 recommended identifier set, in one script or an
// accepted mix (UTS #39 "moderately restrictive": Latin plus Han and kana is fine, Latin plus
// Cyrillic is not). Invisible characters and stacks of combining marks are refused, so every
// accepted name shows what it is.
//
// Three spellings matter. normalized() (NFC) is how the server stores and shows a name. key()
// (NFKC_Casefold) decides identity: "Alice", "ALICE" and fullwidth "ａlice" are one person.
// skeleton() (UTS #39) decides look-alikes: a new name whose skeleton equals a known name's
// skeleton is refused even though its key differs.
class NameRules
{
public:
    // The NFC form: precomposed and decomposed "José" become one spelling.
    static QString normalized(const QString &name);
    // NameEmpty, NameTooLong or NameInvalid, or None. Judges normalized(name), so callers should
    // store and show normalized(name) rather than name as received.
    static ErrorCode check(const QString &name, int maxChars);
    // Identity: NFKC_Casefold of the name. Cheap for ASCII names (it is on the per-message path).
    static QString key(const QString &name);
    // A case-insensitive UTS #39 confusable skeleton of the NFKC form: Cyrillic "асе" and
    // Latin "ace" share one, and so do "AIice" (capital i), "a1ice" and "Alice". Names with the
    // same key() may still have different skeletons ("ALICE", "alice"), so compare both.
    static QString skeleton(const QString &name);
    // True for characters that may appear inside a name (used by mention parsing too). check()
    // applies further rules to the whole name.
    static bool isNameChar(char32_t c);
};
