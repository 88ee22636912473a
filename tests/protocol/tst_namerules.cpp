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
        QTest::newRow("chinese") << QStringLiteral("小明") << ErrorCode::None;
        QTest::newRow("devanagari with marks") << QStringLiteral("हिन्दी") << ErrorCode::None;
        QTest::newRow("mark first") << QStringLiteral("\u0301abc") << ErrorCode::NameInvalid;
        QTest::newRow("outside BMP letter") << QStringLiteral("𝒜da") << ErrorCode::None;
        QTest::newRow("empty") << QString() << ErrorCode::NameEmpty;
        QTest::newRow("space") << QStringLiteral("al ice") << ErrorCode::NameInvalid;
        QTest::newRow("leading dot") << QStringLiteral(".alice") << ErrorCode::NameInvalid;
        QTest::newRow("control char") << QStringLiteral("ali\x01"
                                                        "ce")
                                      << ErrorCode::NameInvalid;
        QTest::newRow("newline") << QStringLiteral("alice\n") << ErrorCode::NameInvalid;
        QTest::newRow("html") << QStringLiteral("<b>x</b>") << ErrorCode::NameInvalid;
        QTest::newRow("emoji") << QStringLiteral("bob😀") << ErrorCode::NameInvalid;
        QTest::newRow("lone surrogate")
            << QString(QChar(0xD800)) + QStringLiteral("x") << ErrorCode::NameInvalid;
        QTest::newRow("32 chars") << QString(32, QLatin1Char('a')) << ErrorCode::None;
        QTest::newRow("33 chars") << QString(33, QLatin1Char('a')) << ErrorCode::NameTooLong;
        QTest::newRow("32 chinese") << QString(32, QChar(0x4E2D)) << ErrorCode::None;
        QTest::newRow("huge") << QString(100000, QLatin1Char('a')) << ErrorCode::NameTooLong;
    }
    void check()
    {
        QFETCH(QString, name);
        QFETCH(ErrorCode, expected);
        QCOMPARE(NameRules::check(name, 32), expected);
    }
    void keyIgnoresCase()
    {
        QCOMPARE(NameRules::key(QStringLiteral("Alice")), NameRules::key(QStringLiteral("aLICE")));
        QVERIFY(NameRules::key(QStringLiteral("alice")) !=
                NameRules::key(QStringLiteral("alicia")));
    }
};

QTEST_GUILESS_MAIN(TestNameRules)
#include "tst_namerules.moc"
