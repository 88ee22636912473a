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
