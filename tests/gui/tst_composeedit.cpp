// The compose box offscreen, without a server: the @-completion popup and the box's height
// (issue 14).
#include "composeedit.h"
#include "recipientchip.h"
#include "theme.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QCompleter>
#include <QDir>
#include <QLabel>
#include <QScreen>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStringListModel>
#include <QTest>
#include <QToolButton>
#include <QVBoxLayout>

namespace {
// A window laid out like the chat panel: the message list above, the compose box at the bottom.
struct ChatPanel
{
    QWidget window;
    ComposeEdit *edit;
    QStringListModel names{
        {QStringLiteral("carol"), QStringLiteral("carla"), QStringLiteral("bob")}};

    ChatPanel()
    {
        auto *layout = new QVBoxLayout(&window);
        layout->addStretch(1);
        edit = new ComposeEdit(&window);
        edit->setNameModel(&names);
        layout->addWidget(edit);
        window.resize(520, 320);
    }
};

// The typed text's line on screen, from the box's left edge to the cursor.
QRect typedLineOnScreen(ComposeEdit *edit)
{
    const QRect cursor = edit->cursorRect();
    const QRect line(QPoint(0, cursor.top()), QPoint(cursor.right(), cursor.bottom()));
    return line.translated(edit->viewport()->mapToGlobal(QPoint(0, 0)));
}
} // namespace

class TestComposeEdit : public QObject
{
    Q_OBJECT
private slots:
    // The light theme's style sheet, as the client runs: its padding is part of the box.
    void initTestCase() { Theme::apply(*qApp, Settings::Theme::Light); }

    void completionLeavesTheTypedTextVisible_data()
    {
        QTest::addColumn<bool>("atScreenBottom");
        QTest::addColumn<bool>("secondLine");
        QTest::newRow("popup above") << true << false;
        QTest::newRow("popup above, on a second line") << true << true;
        QTest::newRow("popup below") << false << false;
    }
    void completionLeavesTheTypedTextVisible()
    {
        QFETCH(bool, atScreenBottom);
        QFETCH(bool, secondLine);
        ChatPanel panel;
        const QRect screen = panel.window.screen()->availableGeometry();
        // At the bottom of the screen (as a chat window usually is) the list opens above the
        // line; near the top, below it.
        panel.window.move(screen.left() + 40, atScreenBottom
                                                  ? screen.bottom() - panel.window.height() + 1
                                                  : screen.top());
        panel.window.show();
        panel.window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&panel.window));
        ComposeEdit *edit = panel.edit;
        edit->setFocus();
        if (secondLine) {
            QTest::keyClicks(edit, QStringLiteral("first line"));
            QTest::keyClick(edit, Qt::Key_Return, Qt::ShiftModifier);
        }
        QTest::keyClicks(edit, QStringLiteral("thanks @ca"));
        QAbstractItemView *popup = edit->completer()->popup();
        QTRY_VERIFY(popup->isVisible());
        // Whatever the layout does with the box's height, the list ends up beside the line.
        QCoreApplication::sendPostedEvents();
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        const QRect line = typedLineOnScreen(edit);
        QVERIFY2(!popup->geometry().intersects(line),
                 qPrintable(QStringLiteral("list at y %1..%2 covers the line at y %3..%4")
                                .arg(popup->geometry().top())
                                .arg(popup->geometry().bottom())
                                .arg(line.top())
                                .arg(line.bottom())));
        QVERIFY(atScreenBottom ? popup->geometry().bottom() < line.top()
                               : popup->geometry().top() > line.bottom());

        // The first name is highlighted, so that Enter visibly picks it; Down moves on.
        QCOMPARE(popup->currentIndex().row(), 0);
        QVERIFY(popup->selectionModel()->isSelected(popup->currentIndex()));
        QCOMPARE(popup->currentIndex().data().toString(), QStringLiteral("carol"));
        QTest::keyClick(popup, Qt::Key_Down);
        QCOMPARE(popup->currentIndex().data().toString(), QStringLiteral("carla"));
        QTest::keyClick(popup, Qt::Key_Return);
        QVERIFY(edit->toPlainText().endsWith(QStringLiteral("thanks @carla ")));
        QVERIFY(!popup->isVisible());
    }

    void boxGrowsWithItsLinesAndShrinksBack()
    {
        ChatPanel panel;
        panel.window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel.window));
        ComposeEdit *edit = panel.edit;
        edit->setFocus();
        const int oneLine = edit->height();
        const auto settled = [&] {
            QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
            return edit->height();
        };
        // One line holds one line of text: the first keystroke does not grow the box.
        QTest::keyClicks(edit, QStringLiteral("h"));
        QCOMPARE(settled(), oneLine);
        QTest::keyClicks(edit, QStringLiteral("ello there"));
        QCOMPARE(settled(), oneLine);
        // Each line the user adds grows it, up to six.
        QList<int> heights{oneLine};
        for (int line = 2; line <= 8; ++line) {
            QTest::keyClick(edit, Qt::Key_Return, Qt::ShiftModifier);
            QTest::keyClicks(edit, QStringLiteral("line %1").arg(line));
            heights << settled();
            // Up to six lines, all of them show; beyond, the box scrolls.
            if (line <= 6)
                QCOMPARE(edit->verticalScrollBar()->maximum(), 0);
            else
                QVERIFY(edit->verticalScrollBar()->maximum() > 0);
        }
        for (int i = 1; i < 6; ++i)
            QVERIFY2(heights[i] > heights[i - 1], qPrintable(QStringLiteral("line %1").arg(i + 1)));
        QCOMPARE(heights[6], heights[5]);
        QCOMPARE(heights[7], heights[5]);
        // A long line that wraps counts as the lines it takes.
        edit->clear();
        QCOMPARE(settled(), oneLine);
        QTest::keyClicks(edit, QStringLiteral("word ").repeated(40));
        QVERIFY(settled() > oneLine);
        // Deleting shrinks it again, all the way back to one line.
        QTest::keyClick(edit, Qt::Key_A, Qt::ControlModifier);
        QTest::keyClick(edit, Qt::Key_Backspace);
        QVERIFY(edit->toPlainText().isEmpty());
        QCOMPARE(settled(), oneLine);
        // Sent, the text leaves the box (the receiver takes it out once it is sent, as the
        // main window does): it is one line high for the next message.
        QSignalSpy sent(edit, &ComposeEdit::submitted);
        connect(edit, &ComposeEdit::submitted, edit, [edit] { edit->clear(); });
        edit->insertPlainText(QStringLiteral("a\nb\nc")); // pasted
        QVERIFY(settled() > oneLine);
        QTest::keyClick(edit, Qt::Key_Return);
        QCOMPARE(sent.count(), 1);
        QCOMPARE(sent.first().first().toString(), QStringLiteral("a\nb\nc"));
        QVERIFY(edit->toPlainText().isEmpty());
        QCOMPARE(settled(), oneLine);
    }

    // Issue 14, defect 4: the "private to" chip sits in the box above the text, the box grows
    // by it and shrinks back without it, and its button asks for the other addressing.
    void recipientChipSitsAboveTheText()
    {
        ChatPanel panel;
        panel.window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel.window));
        ComposeEdit *edit = panel.edit;
        RecipientChip *chip = edit->recipientChip();
        const auto settled = [&] {
            QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
            return edit->height();
        };
        edit->setFocus();
        QTest::keyClicks(edit, QStringLiteral("@carol welcome"));
        const int oneLine = settled();
        QVERIFY(!chip->isVisible());
        edit->setRecipient(QStringLiteral("carol"), false);
        QVERIFY(chip->isVisible());
        const int withChip = settled();
        QVERIFY(withChip >= oneLine + chip->height());
        // Inside the box, over the text, which shows whole below it.
        QVERIFY(edit->rect().contains(chip->geometry()));
        QVERIFY(chip->geometry().bottom() < edit->viewport()->geometry().top());
        QVERIFY(edit->viewport()->rect().contains(edit->cursorRect()));
        QCOMPARE(edit->verticalScrollBar()->maximum(), 0);
        // The label and the button show whole.
        for (QWidget *part : chip->findChildren<QWidget *>())
            QVERIFY(chip->rect().contains(part->geometry()));
        const QString folder = qEnvironmentVariable("CONFAB_TEST_SCREENSHOTS");
        if (!folder.isEmpty() && QDir().mkpath(folder))
            panel.window.grab().save(QDir(folder).filePath(QStringLiteral("compose-chip.png")));

        QSignalSpy asked(edit, &ComposeEdit::publicRequested);
        QTest::mouseClick(chip->toggleButton(), Qt::LeftButton);
        QCOMPARE(asked.count(), 1);
        QCOMPARE(asked.last().at(0).toBool(), true);
        QVERIFY(edit->hasFocus());
        edit->setRecipient(QStringLiteral("carol"), true);
        QCOMPARE(chip->findChild<QLabel *>()->text(), QStringLiteral("@ Public, mentions carol"));
        QTest::mouseClick(chip->toggleButton(), Qt::LeftButton);
        QCOMPARE(asked.last().at(0).toBool(), false);

        edit->setRecipient(QString(), false);
        QVERIFY(!chip->isVisible());
        QCOMPARE(settled(), oneLine);
    }
};

QTEST_MAIN(TestComposeEdit)
#include "tst_composeedit.moc"
