#include "protocol/textrules.h"

#include <QTest>

class TestTextRules : public QObject
{
    Q_OBJECT
private slots:
    void check_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<ErrorCode>("expected");
        QTest::newRow("plain") << QStringLiteral("hi everyone 你好 😀") << ErrorCode::None;
        QTest::newRow("newlines and tabs") << QStringLiteral("a\n\tb") << ErrorCode::None;
        QTest::newRow("empty") << QString() << ErrorCode::EmptyMessage;
        QTest::newRow("blank") << QStringLiteral("  \n ") << ErrorCode::EmptyMessage;
        QTest::newRow("bell") << QStringLiteral("ding\x07") << ErrorCode::BadText;
        QTest::newRow("escape") << QStringLiteral("\x1b[31mred") << ErrorCode::BadText;
        QTest::newRow("delete") << QStringLiteral("a\x7f") << ErrorCode::BadText;
        QTest::newRow("c1 next line") << QStringLiteral("a\u0085b") << ErrorCode::BadText;
        QTest::newRow("c1 csi") << QStringLiteral("\u009b31mred") << ErrorCode::BadText;
        QTest::newRow("c1 first") << QStringLiteral("a\u0080") << ErrorCode::BadText;
        QTest::newRow("c1 last") << QStringLiteral("a\u009f") << ErrorCode::BadText;
        QTest::newRow("nbsp is fine") << QStringLiteral("a\u00a0b") << ErrorCode::None;
        QTest::newRow("bidi embedding") << QStringLiteral("a\u202ab") << ErrorCode::BadText;
        QTest::newRow("bidi pop") << QStringLiteral("a\u202cb") << ErrorCode::BadText;
        QTest::newRow("bidi override") << QStringLiteral("txt.\u202eexe") << ErrorCode::BadText;
        QTest::newRow("bidi isolates")
            << QStringLiteral("a \u2067\u05e9\u05dc\u05d5\u05dd\u2069 \u2066b\u2069 \u2068c\u2069")
            << ErrorCode::None;
        QTest::newRow("bidi marks") << QStringLiteral("a\u200e\u200f") << ErrorCode::None;
        QTest::newRow("zero width space only")
            << QStringLiteral("\u200b") << ErrorCode::EmptyMessage;
        QTest::newRow("word joiner only")
            << QStringLiteral("\u2060\u2060") << ErrorCode::EmptyMessage;
        QTest::newRow("byte order mark only")
            << QStringLiteral("\ufeff") << ErrorCode::EmptyMessage;
        QTest::newRow("hangul filler only")
            << QStringLiteral("\u3164 \u3164") << ErrorCode::EmptyMessage;
        QTest::newRow("hangul jamo fillers only")
            << QStringLiteral("\u115f\u1160") << ErrorCode::EmptyMessage;
        QTest::newRow("variation selector only")
            << QStringLiteral("\ufe0f\ufe0e") << ErrorCode::EmptyMessage;
        QTest::newRow("ignorables and spaces")
            << QStringLiteral(" \u200b\n\u034f\u00ad\u3000\u180e") << ErrorCode::EmptyMessage;
        QTest::newRow("zero width space in word") << QStringLiteral("a\u200bb") << ErrorCode::None;
        QTest::newRow("emoji with variation selector")
            << QStringLiteral("❤️") << ErrorCode::None;
        QTest::newRow("emoji zwj sequence")
            << QStringLiteral("👨‍👩‍👧") << ErrorCode::None;
        QTest::newRow("flag") << QStringLiteral("🇫🇷") << ErrorCode::None;
        QTest::newRow("keycap") << QStringLiteral("1️⃣") << ErrorCode::None;
        QTest::newRow("lone high surrogate")
            << QStringLiteral("a") + QChar(0xD83D) << ErrorCode::BadUtf8;
        QTest::newRow("lone low surrogate") << QString(QChar(0xDE00)) << ErrorCode::BadUtf8;
        QTest::newRow("at limit") << QString(20, QLatin1Char('x')) << ErrorCode::None;
        QTest::newRow("over limit") << QString(21, QLatin1Char('x')) << ErrorCode::MessageTooLong;
        // Twenty emoji are twenty characters although they are forty UTF-16 units.
        QTest::newRow("emoji at limit")
            << QString(QStringLiteral("😀")).repeated(20) << ErrorCode::None;
    }
    void check()
    {
        QFETCH(QString, text);
        QFETCH(ErrorCode, expected);
        QCOMPARE(TextRules::check(text, 20), expected);
    }
    void privateTarget_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("target");
        QTest::newRow("private") << QStringLiteral("@bob hi") << QStringLiteral("bob");
        QTest::newRow("only name") << QStringLiteral("@bob") << QStringLiteral("bob");
        QTest::newRow("chinese") << QStringLiteral("@小明 你好") << QStringLiteral("小明");
        QTest::newRow("newline after") << QStringLiteral("@bob\nhi") << QStringLiteral("bob");
        QTest::newRow("comma after") << QStringLiteral("@bob, hi") << QString();
        QTest::newRow("not at start") << QStringLiteral("hi @bob") << QString();
        QTest::newRow("bare at") << QStringLiteral("@ bob") << QString();
        QTest::newRow("space first") << QStringLiteral(" @bob hi") << QString();
        QTest::newRow("ignorable after") << QStringLiteral("@bob\ufe0f hi") << QString();
    }
    void privateTarget()
    {
        QFETCH(QString, text);
        QFETCH(QString, target);
        QCOMPARE(TextRules::privateTarget(text, 32), target);
    }
    void mentions_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("names");
        QTest::newRow("two") << QStringLiteral("hi @bob and @carol!")
                             << QStringList{QStringLiteral("bob"), QStringLiteral("carol")};
        QTest::newRow("sentence end")
            << QStringLiteral("thanks @bob.") << QStringList{QStringLiteral("bob")};
        QTest::newRow("email is not one")
            << QStringLiteral("mail me at a@example.org") << QStringList{};
        QTest::newRow("once per name")
            << QStringLiteral("@Bob @bob @BOB") << QStringList{QStringLiteral("Bob")};
        QTest::newRow("none") << QStringLiteral("no mention @ all") << QStringList{};
        QTest::newRow("mixed-script look-alike is not one")
            << QStringLiteral("hi @\u0430lice") << QStringList{};
        QTest::newRow("non-latin")
            << QStringLiteral("@\u5c0f\u660e \u4f60\u597d @\u0418\u0432\u0430\u043d")
            << QStringList{QStringLiteral("\u5c0f\u660e"),
                           QStringLiteral("\u0418\u0432\u0430\u043d")};
        QTest::newRow("decomposed and precomposed are one")
            << QStringLiteral("@Jose\u0301 @jos\u00e9")
            << QStringList{QStringLiteral("Jose\u0301")};
        QTest::newRow("ignorable ends the name")
            << QStringLiteral("@bob\u034f!") << QStringList{QStringLiteral("bob")};
    }
    void mentions()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, names);
        QCOMPARE(TextRules::mentions(text, 32), names);
    }
    void mentionsAreBounded()
    {
        QString text;
        for (int i = 0; i < 100; ++i)
            text += QStringLiteral("@u%1 ").arg(i);
        QCOMPARE(TextRules::mentions(text, 32, 20).size(), 20);
    }
    void htmlEscaped()
    {
        QCOMPARE(TextRules::htmlEscaped(QStringLiteral("<img src=x onerror='a()'>&")),
                 QStringLiteral("&lt;img src=x onerror=&#39;a()&#39;&gt;&amp;"));
    }
};

QTEST_GUILESS_MAIN(TestTextRules)
#include "tst_textrules.moc"
