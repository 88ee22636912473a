// The emoji picker beside the compose box, offscreen: groups in the colour font, the
// keyboard, inserting at the cursor (issue 14).
#include "composeedit.h"
#include "emojifont.h"
#include "emojipicker.h"
#include "mainwindow.h"
#include "model/chatcontroller.h"
#include "settings/settings.h"

#include <QApplication>
#include <QDir>
#include <QListWidget>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextCursor>
#include <QToolButton>

namespace {
// With CONFAB_TEST_SCREENSHOTS=<folder>, the widgets a test is about are saved there as PNG
// files, to be looked at.
void saveScreenshot(QWidget *widget, const QString &name)
{
    const QString folder = qEnvironmentVariable("CONFAB_TEST_SCREENSHOTS");
    QApplication::processEvents();
    if (!folder.isEmpty() && QDir().mkpath(folder))
        widget->grab().save(QDir(folder).filePath(name + QStringLiteral(".png")));
}
} // namespace

class TestEmojiPicker : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private slots:
    void groupsInTheColourFontAndTheKeyboard()
    {
        EmojiPicker picker;
        QVERIFY(picker.groupCount() >= 5);
        for (int g = 0; g < picker.groupCount(); ++g) {
            QVERIFY(picker.group(g)->count() >= 20);
            QVERIFY(!picker.tabs()->tabToolTip(g).isEmpty()); // the group's name
            if (!EmojiFont::family().isEmpty())
                QCOMPARE(picker.group(g)->font().families().value(0), EmojiFont::family());
        }
        QWidget anchor;
        anchor.resize(40, 40);
        anchor.move(600, 600);
        anchor.show();
        picker.popup(&anchor);
        QVERIFY(picker.isVisible());
        QListWidget *smileys = picker.group(0);
        QTRY_VERIFY(smileys->hasFocus());
        QCOMPARE(smileys->currentRow(), 0);
        // Arrows move in the grid: right one, down one row.
        QTest::keyClick(smileys, Qt::Key_Right);
        QCOMPARE(smileys->currentRow(), 1);
        const QRect first = smileys->visualItemRect(smileys->item(1));
        QTest::keyClick(smileys, Qt::Key_Down);
        QVERIFY(smileys->currentRow() > 1);
        QCOMPARE(smileys->visualItemRect(smileys->currentItem()).left(), first.left());
        QTest::keyClick(smileys, Qt::Key_Up);
        QCOMPARE(smileys->currentRow(), 1);
        // Ctrl+PgDown and Ctrl+PgUp change the group, with the focus in its grid.
        QTest::keyClick(smileys, Qt::Key_PageDown, Qt::ControlModifier);
        QCOMPARE(picker.tabs()->currentIndex(), 1);
        QTRY_VERIFY(picker.group(1)->hasFocus());
        QTest::keyClick(picker.group(1), Qt::Key_PageUp, Qt::ControlModifier);
        QCOMPARE(picker.tabs()->currentIndex(), 0);
        // Enter picks the current one and closes.
        QSignalSpy chosen(&picker, &EmojiPicker::emojiChosen);
        QTest::keyClick(smileys, Qt::Key_Return);
        QCOMPARE(chosen.size(), 1);
        QCOMPARE(chosen.at(0).at(0).toString(), smileys->item(1)->text());
        QVERIFY(!picker.isVisible());
        // Esc closes without picking.
        picker.popup(&anchor);
        QVERIFY(picker.isVisible());
        QTest::keyClick(picker.group(0), Qt::Key_Escape);
        QVERIFY(!picker.isVisible());
        QCOMPARE(chosen.size(), 1);
    }

    // The button by the compose box: the emoji goes in at the cursor, not at the end.
    void insertsAtTheCursor()
    {
        ChatController controller;
        Settings settings(m_dir.filePath(QStringLiteral("picker.ini")));
        MainWindow window(&controller, &settings);
        window.show();
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        ComposeEdit *edit = window.composeEdit();
        QTest::keyClicks(edit, QStringLiteral("see you"));
        QTest::keyClick(edit, Qt::Key_Left);
        QTest::keyClick(edit, Qt::Key_Left);
        QTest::keyClick(edit, Qt::Key_Left); // between "see " and "you"
        auto *button = window.findChild<QToolButton *>(QStringLiteral("emojiButton"));
        QVERIFY(button && button->isVisible());
        QVERIFY(!button->toolTip().isEmpty());
        QTest::mouseClick(button, Qt::LeftButton);
        EmojiPicker *picker = window.emojiPicker();
        QVERIFY(picker && picker->isVisible());
        // Above the button, not over the text being written.
        QVERIFY(picker->geometry().bottom() < button->mapToGlobal(QPoint(0, 0)).y());
        QListWidget *grid = picker->group(0);
        QTRY_VERIFY(grid->hasFocus());
        saveScreenshot(picker, QStringLiteral("emoji-picker"));
        QTest::keyClick(grid, Qt::Key_Right);
        const QString emoji = grid->currentItem()->text();
        QTest::keyClick(grid, Qt::Key_Return);
        QVERIFY(!picker->isVisible());
        QCOMPARE(edit->toPlainText(), QStringLiteral("see ") + emoji + QStringLiteral("you"));
        QCOMPARE(edit->textCursor().position(), int(4 + emoji.size()));
        QTRY_VERIFY(edit->hasFocus());
        // A click picks too; Ctrl+; opens it from the keyboard.
        QTest::keyClick(edit, Qt::Key_Semicolon, Qt::ControlModifier);
        QTRY_VERIFY(picker->isVisible());
        QListWidgetItem *heart = picker->group(2)->item(0);
        picker->tabs()->setCurrentIndex(2);
        QTest::mouseClick(picker->group(2)->viewport(), Qt::LeftButton, {},
                          picker->group(2)->visualItemRect(heart).center());
        QVERIFY(!picker->isVisible());
        QVERIFY(edit->toPlainText().contains(heart->text()));
    }
};

QTEST_MAIN(TestEmojiPicker)
#include "tst_emojipicker.moc"
