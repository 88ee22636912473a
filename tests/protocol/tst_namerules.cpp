#include "protocol/namerules.h"

#include <QTest>

class TestNameRules : public QObject
{
    Q_OBJECT
private slots:
    void check_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<ErrorCode>("expected");
        QTest::newRow("plain") << QStringLiteral("alice") << ErrorCode::None;
        QTest::newRow("digits and marks") << QStringLiteral("bob_2-x.y") << ErrorCode::None;
        QTest::newRow("capitals") << QStringLiteral("Carol") << ErrorCode::None;
        QTest::newRow("digit first") << QStringLiteral("2pac") << ErrorCode::None;
        QTest::newRow("chinese") << QStringLiteral("小明") << ErrorCode::None;
        QTest::newRow("devanagari with marks") << QStringLiteral("हिन्दी") << ErrorCode::None;
        QTest::newRow("thai") << QStringLiteral("สมชาย") << ErrorCode::None;
        QTest::newRow("thai tone on vowel") << QStringLiteral("กี่") << ErrorCode::None;
        QTest::newRow("thai sara am") << QStringLiteral("อำนาจ") << ErrorCode::None;
        QTest::newRow("tamil") << QStringLiteral("தமிழ்") << ErrorCode::None;
        QTest::newRow("arabic vowelled") << QStringLiteral("مُحَمَّد") << ErrorCode::None;
        QTest::newRow("tibetan stack") << QStringLiteral("བསྒྲུབས") << ErrorCode::None;
        QTest::newRow("korean") << QStringLiteral("김철수") << ErrorCode::None;
        QTest::newRow("greek") << QStringLiteral("Ελένη") << ErrorCode::None;
        QTest::newRow("cyrillic") << QStringLiteral("Иван") << ErrorCode::None;
        QTest::newRow("han and latin") << QStringLiteral("小明abc") << ErrorCode::None;
        QTest::newRow("han and hiragana") << QStringLiteral("田中さん") << ErrorCode::None;
        QTest::newRow("vietnamese") << QStringLiteral("Nguyễn") << ErrorCode::None;
        QTest::newRow("josé precomposed") << QStringLiteral("Jos\u00e9") << ErrorCode::None;
        QTest::newRow("josé decomposed") << QStringLiteral("Jose\u0301") << ErrorCode::None;
        QTest::newRow("mark first") << QStringLiteral("\u0301abc") << ErrorCode::NameInvalid;
        // A letter outside the recommended identifier set (a mathematical alphabet): it is
        // "Ada" in another font, so it is refused rather than accepted as a different person.
        QTest::newRow("outside BMP letter") << QStringLiteral("𝒜da") << ErrorCode::NameInvalid;
        QTest::newRow("math bold") << QStringLiteral("𝐚𝐥𝐢𝐜𝐞") << ErrorCode::NameInvalid;
        QTest::newRow("fullwidth") << QStringLiteral("ａlice") << ErrorCode::NameInvalid;
        QTest::newRow("ligature") << QStringLiteral("\ufb01sh") << ErrorCode::NameInvalid;
        QTest::newRow("cyrillic a in latin") << QStringLiteral("аlice") << ErrorCode::NameInvalid;
        QTest::newRow("cyrillic e in latin") << QStringLiteral("alicе") << ErrorCode::NameInvalid;
        QTest::newRow("cyrillic es in latin") << QStringLiteral("aliсe") << ErrorCode::NameInvalid;
        QTest::newRow("greek alpha in latin") << QStringLiteral("αlice") << ErrorCode::NameInvalid;
        QTest::newRow("han and greek") << QStringLiteral("中文Ελ") << ErrorCode::NameInvalid;
        QTest::newRow("mixed digit systems")
            << QStringLiteral("a1\u0662") << ErrorCode::NameInvalid;
        QTest::newRow("grapheme joiner") << QStringLiteral("alice\u034f") << ErrorCode::NameInvalid;
        QTest::newRow("variation selector")
            << QStringLiteral("alice\ufe0f") << ErrorCode::NameInvalid;
        QTest::newRow("khmer inherent vowel")
            << QStringLiteral("alice\u17b4") << ErrorCode::NameInvalid;
        QTest::newRow("zero width joiner")
            << QStringLiteral("ali\u200dce") << ErrorCode::NameInvalid;
        QTest::newRow("zero width space")
            << QStringLiteral("ali\u200bce") << ErrorCode::NameInvalid;
        QTest::newRow("soft hyphen") << QStringLiteral("ali\u00adce") << ErrorCode::NameInvalid;
        QTest::newRow("bidi override") << QStringLiteral("ali\u202ece") << ErrorCode::NameInvalid;
        QTest::newRow("hangul filler") << QStringLiteral("\u3164\u3164") << ErrorCode::NameInvalid;
        QTest::newRow("hangul filler after letter")
            << QStringLiteral("a\u3164") << ErrorCode::NameInvalid;
        QTest::newRow("hangul choseong and jungseong fillers")
            << QStringLiteral("\u115f\u1160") << ErrorCode::NameInvalid;
        QTest::newRow("halfwidth hangul filler")
            << QStringLiteral("\uffa0") << ErrorCode::NameInvalid;
        QTest::newRow("strike-through zalgo")
            << QStringLiteral("z\u0336a\u0336l\u0336g\u0336o\u0336") << ErrorCode::NameInvalid;
        QTest::newRow("repeated mark") << QStringLiteral("a\u0301\u0301") << ErrorCode::NameInvalid;
        // Counted after decomposition: e + U+0300 composes to one letter in NFC, which must not
        // let a fourth mark through.
        QTest::newRow("four stacked marks")
            << QStringLiteral("e\u0300\u0301\u0302\u0303") << ErrorCode::NameInvalid;
        QTest::newRow("four stacked marks, none composing")
            << QStringLiteral("x\u0300\u0301\u0302\u0303") << ErrorCode::NameInvalid;
        QTest::newRow("three stacked marks")
            << QStringLiteral("e\u0300\u0301\u0302") << ErrorCode::None;
        QTest::newRow("vietnamese two marks") << QStringLiteral("Nguy\u1ec7t") << ErrorCode::None;
        QTest::newRow("empty") << QString() << ErrorCode::NameEmpty;
        QTest::newRow("space") << QStringLiteral("al ice") << ErrorCode::NameInvalid;
        QTest::newRow("leading dot") << QStringLiteral(".alice") << ErrorCode::NameInvalid;
        QTest::newRow("control char") << QStringLiteral("ali\x01"
                                                        "ce")
                                      << ErrorCode::NameInvalid;
        QTest::newRow("newline") << QStringLiteral("alice\n") << ErrorCode::NameInvalid;
        QTest::newRow("html") << QStringLiteral("<b>x</b>") << ErrorCode::NameInvalid;
        QTest::newRow("apostrophe") << QStringLiteral("o'brien") << ErrorCode::NameInvalid;
        QTest::newRow("emoji") << QStringLiteral("bob😀") << ErrorCode::NameInvalid;
        QTest::newRow("lone surrogate")
            << QString(QChar(0xD800)) + QStringLiteral("x") << ErrorCode::NameInvalid;
        QTest::newRow("lone low surrogate")
            << QStringLiteral("x") + QChar(0xDC00) << ErrorCode::NameInvalid;
        QTest::newRow("32 chars") << QString(32, QLatin1Char('a')) << ErrorCode::None;
        QTest::newRow("33 chars") << QString(33, QLatin1Char('a')) << ErrorCode::NameTooLong;
        QTest::newRow("32 chinese") << QString(32, QChar(0x4E2D)) << ErrorCode::None;
        QTest::newRow("33 chinese") << QString(33, QChar(0x4E2D)) << ErrorCode::NameTooLong;
        QTest::newRow("huge") << QString(100000, QLatin1Char('a')) << ErrorCode::NameTooLong;
    }
    void check()
    {
        QFETCH(QString, name);
        QFETCH(ErrorCode, expected);
        QCOMPARE(NameRules::check(name, 32), expected);
    }

    void normalizedComposes()
    {
        const QString decomposed = QStringLiteral("Jose\u0301");
        QCOMPARE(NameRules::normalized(decomposed), QStringLiteral("Jos\u00e9"));
        QCOMPARE(NameRules::normalized(QStringLiteral("Jos\u00e9")), QStringLiteral("Jos\u00e9"));
        QCOMPARE(NameRules::normalized(QStringLiteral("alice")), QStringLiteral("alice"));
        // NFC, not NFKC: the shown spelling keeps what the user typed when it is already
        // composed.
        QCOMPARE(NameRules::normalized(QStringLiteral("ａ")), QStringLiteral("ａ"));
    }

    void sameKey_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::newRow("case") << QStringLiteral("Alice") << QStringLiteral("aLICE");
        QTest::newRow("upper") << QStringLiteral("ALICE") << QStringLiteral("alice");
        QTest::newRow("fullwidth") << QStringLiteral("ａlice") << QStringLiteral("alice");
        QTest::newRow("math bold") << QStringLiteral("𝐚𝐥𝐢𝐜𝐞") << QStringLiteral("alice");
        QTest::newRow("josé") << NameRules::normalized(QStringLiteral("Jose\u0301"))
                              << QStringLiteral("jos\u00e9");
        QTest::newRow("josé unnormalized")
            << QStringLiteral("Jose\u0301") << QStringLiteral("JOS\u00c9");
        QTest::newRow("default ignorable")
            << QStringLiteral("alice\u034f") << QStringLiteral("alice");
        QTest::newRow("sharp s") << QStringLiteral("stra\u00dfe") << QStringLiteral("STRASSE");
        QTest::newRow("thai sara am")
            << QStringLiteral("\u0e19\u0e49\u0e33") << QStringLiteral("\u0e19\u0e49\u0e4d\u0e32");
        QTest::newRow("greek final sigma")
            << QStringLiteral("\u03a3\u03af\u03c3\u03c5\u03c6\u03bf\u03c2")
            << QStringLiteral("\u03c3\u03af\u03c3\u03c5\u03c6\u03bf\u03c3");
    }
    void sameKey()
    {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QCOMPARE(NameRules::key(a), NameRules::key(b));
    }

    void differentKey_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::newRow("other name") << QStringLiteral("alice") << QStringLiteral("alicia");
        QTest::newRow("accent") << QStringLiteral("jose") << QStringLiteral("jos\u00e9");
        QTest::newRow("cyrillic a") << QStringLiteral("alice") << QStringLiteral("аlice");
    }
    void differentKey()
    {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QVERIFY(NameRules::key(a) != NameRules::key(b));
    }

    void asciiKeyIsLowercase()
    {
        const QString all = QStringLiteral("ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz "
                                           "0123456789 _-. !\"#$%&'()*+,/:;<=>?@[\\]^`{|}~");
        QCOMPARE(NameRules::key(all), all.toLower());
        QCOMPARE(NameRules::key(QStringLiteral("Bob_2-X.y")), QStringLiteral("bob_2-x.y"));
        QCOMPARE(NameRules::key(QStringLiteral("carol")), QStringLiteral("carol"));
        QCOMPARE(NameRules::key(QString()), QString());
    }

    void sameSkeleton_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::newRow("mixed cyrillic") << QStringLiteral("аlісе") << QStringLiteral("alice");
        // Both are valid names (one script each), so only the skeleton can tell the server
        // that they look the same.
        QTest::newRow("whole-script cyrillic") << QStringLiteral("асе") << QStringLiteral("ace");
        QTest::newRow("whole-script cyrillic 2")
            << QStringLiteral("сосо") << QStringLiteral("coco");
        QTest::newRow("digit one") << QStringLiteral("a1ice") << QStringLiteral("alice");
        // Skeletons are taken before case folding: capital i looks like l, not like i.
        QTest::newRow("capital i") << QStringLiteral("AIice") << QStringLiteral("Alice");
        QTest::newRow("capital i, any case") << QStringLiteral("AIice") << QStringLiteral("alice");
        QTest::newRow("ian") << QStringLiteral("Ian") << QStringLiteral("lan");
        QTest::newRow("capitals") << QStringLiteral("AL1CE") << QStringLiteral("ALICE");
        QTest::newRow("cyrillic capitals") << QStringLiteral("АLІСЕ") << QStringLiteral("ALICE");
        QTest::newRow("ignorable") << QStringLiteral("alice\u034f") << QStringLiteral("alice");
        QTest::newRow("rn") << QStringLiteral("rnary") << QStringLiteral("mary");
        QTest::newRow("fullwidth") << QStringLiteral("ａlice") << QStringLiteral("Alice");
        QTest::newRow("greek alpha") << QStringLiteral("αlice") << QStringLiteral("alice");
        QTest::newRow("cherokee a") << QStringLiteral("\u13aalice") << QStringLiteral("Alice");
    }
    void sameSkeleton()
    {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QCOMPARE(NameRules::skeleton(a), NameRules::skeleton(b));
    }

    void differentSkeleton_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::newRow("other name") << QStringLiteral("alice") << QStringLiteral("alicia");
        QTest::newRow("bob and rob") << QStringLiteral("bob") << QStringLiteral("rob");
        QTest::newRow("accent") << QStringLiteral("jose") << QStringLiteral("jos\u00e9");
        QTest::newRow("ivan") << QStringLiteral("Иван") << QStringLiteral("ivan");
        QTest::newRow("han") << QStringLiteral("小明") << QStringLiteral("小朋");
    }
    void differentSkeleton()
    {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QVERIFY(NameRules::skeleton(a) != NameRules::skeleton(b));
    }

    void isNameChar_data()
    {
        QTest::addColumn<uint>("c");
        QTest::addColumn<bool>("expected");
        QTest::newRow("letter") << uint(U'a') << true;
        QTest::newRow("digit") << uint(U'7') << true;
        QTest::newRow("underscore") << uint(U'_') << true;
        QTest::newRow("han") << uint(0x660E) << true;
        QTest::newRow("devanagari virama") << uint(0x094D) << true;
        QTest::newRow("space") << uint(U' ') << false;
        QTest::newRow("at") << uint(U'@') << false;
        QTest::newRow("hangul filler") << uint(0x3164) << false;
        QTest::newRow("variation selector") << uint(0xFE0F) << false;
        QTest::newRow("zero width joiner") << uint(0x200D) << false;
        QTest::newRow("lone surrogate") << uint(0xD800) << false;
    }
    void isNameChar()
    {
        QFETCH(uint, c);
        QFETCH(bool, expected);
        QCOMPARE(NameRules::isNameChar(char32_t(c)), expected);
    }
};

QTEST_GUILESS_MAIN(TestNameRules)
#include "tst_namerules.moc"
