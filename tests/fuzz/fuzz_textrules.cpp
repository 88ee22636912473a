// NameRules and TextRules (ICU: normalisation, UTS #39 spoof checks) on arbitrary UTF-16, the
// form JSON escapes can give a QString: unpaired surrogates, noncharacters, any code point.
// The input bytes are UTF-16LE code units. Besides crashes this checks the promises the server
// builds on: what a name or mention passes, and that the hand-written JSON string writer
// (MessageEncoder::jsonString) writes what QJsonDocument writes.
#include "fuzzcheck.h"
#include "protocol/messageencoder.h"
#include "protocol/namerules.h"
#include "protocol/textrules.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

namespace {

constexpr int kMaxNameChars = 32; // ProtocolLimits' defaults
constexpr int kMaxTextChars = 4000;

bool isValidName(const QString &name)
{
    return NameRules::check(name, kMaxNameChars) == ErrorCode::None;
}

void checkName(const QString &s)
{
    const QString key = NameRules::key(s);
    NameRules::skeleton(s);
    if (!isValidName(s))
        return;
    // The server stores and compares these forms of an accepted name.
    FUZZ_REQUIRE(isValidName(NameRules::normalized(s)));
    FUZZ_REQUIRE(!key.isEmpty() && NameRules::key(key) == key);
}

void checkText(const QString &s)
{
    TextRules::check(s, kMaxTextChars);
    const QString target = TextRules::privateTarget(s, kMaxNameChars);
    if (!target.isEmpty()) {
        FUZZ_REQUIRE(isValidName(target));
        FUZZ_REQUIRE(s.startsWith(QLatin1Char('@') + target));
        FUZZ_REQUIRE(s.size() == target.size() + 1 || s.at(target.size() + 1).isSpace());
    }
    const QStringList mentions = TextRules::mentions(s, kMaxNameChars);
    FUZZ_REQUIRE(mentions.size() <= 20);
    QSet<QString> keys;
    for (const QString &m : mentions) {
        FUZZ_REQUIRE(isValidName(m) && s.contains(QLatin1Char('@') + m));
        keys.insert(NameRules::key(m));
    }
    FUZZ_REQUIRE(keys.size() == mentions.size());

    // The seed page puts this into innerHTML.
    const QString escaped = TextRules::htmlEscaped(s);
    for (const QChar c : {u'<', u'>', u'"', u'\''})
        FUZZ_REQUIRE(!escaped.contains(c));
}

void checkJsonString(const QString &s)
{
    const QByteArray array = QJsonDocument(QJsonArray{s}).toJson(QJsonDocument::Compact);
    FUZZ_REQUIRE(MessageEncoder::jsonString(s) == array.sliced(1, array.size() - 2));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    // UTF-16LE code units (the platform's QChar layout on the machines this runs on).
    QString s(qsizetype(size / 2), Qt::Uninitialized);
    for (qsizetype i = 0; i < s.size(); ++i)
        s[i] = QChar(char16_t(data[2 * i] | (data[2 * i + 1] << 8)));
    for (qsizetype i = 0; i < s.size(); ++i)
        NameRules::isNameChar(s.at(i).unicode());
    checkName(s);
    checkText(s);
    checkJsonString(s);
    return 0;
}
