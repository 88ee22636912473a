#pragma once

#include <QList>
#include <QStringView>

// Where a text holds emoji, so that the window can draw them with a colour font. Without
// this, characters that also have a text form (☺, ❤, ✈, ☀ and many more) are drawn from
// whatever text font has them first, in black and white, beside colour ones from the
// emoji font: the mix users see. Uses ICU's Unicode properties (Emoji_Presentation,
// Extended_Pictographic), so it follows the Unicode version ICU knows.
class EmojiText
{
public:
    struct Run
    {
        int start = 0;  // in UTF-16 code units
        int length = 0; // a whole sequence: modifiers, ZWJ joins, VS16, keycaps, tags, flags
    };
    static QList<Run> runs(QStringView text);
    // Whether `text` is exactly one emoji: one user-perceived character (an extended grapheme
    // cluster, ICU's rules) that is an emoji sequence from start to end. What a reaction is
    // (docs/protocol.md section 5.7).
    static bool isSingleEmoji(QStringView text);
};
