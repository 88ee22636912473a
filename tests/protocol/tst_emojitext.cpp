// EmojiText: which parts of a message are emoji, whole sequences included, so that the
// window draws each of them with the colour font (issue 14, defect 7).
#include "protocol/emojitext.h"

#include <QTest>

namespace {

// The runs as the strings they cover.
QStringList covered(const QString &text)
{
    QStringList parts;
    for (const EmojiText::Run &run : EmojiText::runs(text))
        parts << text.mid(run.start, run.length);
    return parts;
}

} // namespace

class TestEmojiText : public QObject
{
    Q_OBJECT
private slots:
    void findsEmojiWithAndWithoutATextForm_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("emoji");
        const auto s = [](const char16_t *u) {
            return QString::fromUtf16(u);
        };
        QTest::newRow("plain text") << s(u"hello, world 123 #1 © ®") << QStringList{};
        QTest::newRow("colour by default") << s(u"ok 😀!") << QStringList{s(u"😀")};
        // These have a text form too: a text font would draw them in black and white.
        QTest::newRow("text-default pictographs")
            << s(u"I ❤ you ☺ ✈ ☀") << QStringList{s(u"❤"), s(u"☺"), s(u"✈"), s(u"☀")};
        QTest::newRow("VS16") << s(u"❤️ and ©️") << QStringList{s(u"❤️"), s(u"©️")};
        QTest::newRow("skin tone") << s(u"👍🏽 yes") << QStringList{s(u"👍🏽")};
        QTest::newRow("ZWJ family")
            << s(u"👩‍👩‍👧 home") << QStringList{s(u"👩‍👩‍👧")};
        QTest::newRow("flag") << s(u"🇩🇪 de") << QStringList{s(u"🇩🇪")};
        QTest::newRow("keycap") << s(u"press 1️⃣ now, not 1") << QStringList{s(u"1️⃣")};
        QTest::newRow("CJK is text") << s(u"你好，世界") << QStringList{};
        QTest::newRow("side by side") << s(u"😀😀 x") << QStringList{s(u"😀😀")};
    }

    void findsEmojiWithAndWithoutATextForm()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, emoji);
        QCOMPARE(covered(text), emoji);
    }

    // What a reaction may be (docs/protocol.md section 5.7): exactly one emoji.
    void singleEmoji_data()
    {
        auto s = [](const char16_t *t) {
            return QString::fromUtf16(t);
        };
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("single");
        QTest::newRow("thumbs") << s(u"👍") << true;
        QTest::newRow("skin tone") << s(u"👍🏽") << true;
        QTest::newRow("heart with VS16") << s(u"❤️") << true;
        QTest::newRow("ZWJ family") << s(u"👨‍👩‍👧") << true;
        QTest::newRow("flag") << s(u"🇫🇷") << true;
        QTest::newRow("keycap") << s(u"1️⃣") << true;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("letter") << s(u"a") << false;
        QTest::newRow("digit alone") << s(u"1") << false;
        QTest::newRow("two") << s(u"👍👍") << false;
        QTest::newRow("two flags") << s(u"🇫🇷🇩🇪") << false;
        QTest::newRow("with text") << s(u"👍ok") << false;
        QTest::newRow("with space") << s(u" 👍") << false;
        QTest::newRow("CJK") << s(u"你") << false;
        QTest::newRow("lone surrogate") << QString(QChar(0xD83D)) << false;
        QTest::newRow("long") << s(u"👍").repeated(40) << false;
    }

    void singleEmoji()
    {
        QFETCH(QString, text);
        QFETCH(bool, single);
        QCOMPARE(EmojiText::isSingleEmoji(text), single);
    }

    void brokenTextIsNoProblem()
    {
        // A lone surrogate (which the server refuses, but a saved file might hold) is skipped.
        const QString broken = QString(QChar(0xD83D)) + QStringLiteral("a") + QChar(0xDE00);
        QVERIFY(EmojiText::runs(broken).isEmpty());
        QVERIFY(EmojiText::runs(QString()).isEmpty());
    }
};

QTEST_APPLESS_MAIN(TestEmojiText)
#include "tst_emojitext.moc"
