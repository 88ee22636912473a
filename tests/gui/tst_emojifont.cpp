// EmojiFont: a message's emoji are laid out in the colour emoji font, every one of them,
// and its text in the text font (issue 14, defect 7: a message mixed colour emoji with
// black-and-white ones taken from DejaVu). Needs fonts-noto-color-emoji (scripts/bootstrap).
#include "emojifont.h"
#include "emojihighlighter.h"

#include <QApplication>
#include <QFont>
#include <QGlyphRun>
#include <QPlainTextEdit>
#include <QRawFont>
#include <QTest>
#include <QTextDocument>

namespace {

// The font family each character of `layout`'s text was drawn from.
QStringList familiesOf(QTextLayout &layout, const QList<int> &positions)
{
    QStringList families;
    for (int position : positions) {
        QString family;
        for (const QGlyphRun &run : layout.glyphRuns(position, 1))
            family = run.rawFont().familyName();
        families << family;
    }
    return families;
}

} // namespace

class TestEmojiFont : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY2(!EmojiFont::family().isEmpty(),
                 "no colour emoji font: install fonts-noto-color-emoji (scripts/bootstrap)");
    }

    void everyEmojiOfALineComesFromTheColourFont()
    {
        const QString text = QString::fromUtf16(u"hi ❤ ☺ 😀 ✈ ok");
        QTextLayout layout(text, QFont(QStringLiteral("DejaVu Sans"), 11));
        layout.setFormats(EmojiFont::formats(text));
        layout.beginLayout();
        layout.createLine().setLineWidth(1000);
        layout.endLayout();
        const QString emoji = EmojiFont::family();
        // h, ❤, ☺, 😀 (two code units, the first), ✈, o
        const QStringList families = familiesOf(layout, {0, 3, 5, 7, 10, 12});
        QCOMPARE(families.mid(1, 4), QStringList(4, emoji));
        QVERIFY2(families.at(0) != emoji && families.at(5) != emoji,
                 qPrintable(families.join(',')));
    }

    void aLinkedMessageGetsTheColourFontToo()
    {
        // Messages with links are laid out as rich text.
        QTextDocument document;
        document.setHtml(QStringLiteral("<a href=\"https://x.example\">x</a> ") +
                         QString::fromUtf16(u"❤"));
        EmojiFont::apply(&document);
        QTextCursor cursor(&document);
        cursor.setPosition(3);
        QCOMPARE(cursor.charFormat().fontFamilies().toStringList(),
                 QStringList{EmojiFont::family()});
        cursor.setPosition(1);
        QVERIFY(!cursor.charFormat().fontFamilies().toStringList().contains(EmojiFont::family()));
    }

    void whatIsTypedGetsTheColourFont()
    {
        QPlainTextEdit edit;
        new EmojiHighlighter(edit.document());
        edit.insertPlainText(QString::fromUtf16(u"so ☺"));
        const QTextLayout *layout = edit.document()->firstBlock().layout();
        QVERIFY(layout);
        bool found = false;
        for (const QTextLayout::FormatRange &r : layout->formats())
            found = found ||
                    (r.start == 3 && r.length == 1 &&
                     r.format.fontFamilies().toStringList() == QStringList{EmojiFont::family()});
        QVERIFY(found);
    }
};

QTEST_MAIN(TestEmojiFont)
#include "tst_emojifont.moc"
