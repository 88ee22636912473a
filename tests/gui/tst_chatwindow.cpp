// The windows, offscreen, against a real server process: what a user types and sees.
#include "composeedit.h"
#include "logindialog.h"
#include "mainwindow.h"
#include "messageview.h"
#include "model/chatcontroller.h"
#include "recipientchip.h"
#include "serverprocess.h"
#include "settings/settings.h"
#include "taskbarbadge.h"
#include "theme.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QCompleter>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <memory>

namespace {
std::unique_ptr<ChatController> online(const QUrl &url, const QString &name)
{
    auto c = std::make_unique<ChatController>();
    QSignalSpy in(c->session(), &ClientSession::loggedIn);
    c->connectTo(url, name);
    if (!in.wait())
        return nullptr;
    return c;
}
// With CONFAB_TEST_SCREENSHOTS=<folder>, the widgets a test is about are saved there as PNG
// files, to be looked at (the chip in the compose box, the room while offline).
void saveScreenshot(QWidget *widget, const QString &name)
{
    const QString folder = qEnvironmentVariable("CONFAB_TEST_SCREENSHOTS");
    QApplication::processEvents(); // the layout the last change asked for, as the user sees it
    if (!folder.isEmpty() && QDir().mkpath(folder))
        widget->grab().save(QDir(folder).filePath(name + QStringLiteral(".png")));
}
// The pixels of exactly the theme's online colour: the green dots in the user list.
int greenPixels(QListView *view)
{
    const QImage image = view->viewport()->grab().toImage();
    const QRgb green = Theme::colors().online.rgb();
    int count = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x)
            count += image.pixel(x, y) == green;
    }
    return count;
}
QStringList shown(MessageView *view)
{
    QStringList list;
    for (int row = 0; view->model() && row < view->model()->rowCount(); ++row)
        list << view->model()->index(row, 0).data().toString();
    return list;
}
} // namespace

class TestChatWindow : public QObject
{
    Q_OBJECT
private:
    ServerProcess m_server;
    QTemporaryDir m_dir;

    std::unique_ptr<Settings> settings(const QString &name)
    {
        return std::make_unique<Settings>(m_dir.filePath(name + QStringLiteral(".ini")));
    }

private slots:
    void initTestCase()
    {
        Theme::apply(*qApp, Settings::Theme::Light); // the style sheet's paddings, as users have
        QVERIFY(m_server.start());
    }

    void twoUsersChatThroughTheServer()
    {
        auto aliceCtl = online(m_server.url(), QStringLiteral("w_alice"));
        auto bobCtl = online(m_server.url(), QStringLiteral("w_bob"));
        QVERIFY(aliceCtl && bobCtl);
        auto aliceSettings = settings(QStringLiteral("alice"));
        auto bobSettings = settings(QStringLiteral("bob"));
        MainWindow alice(aliceCtl.get(), aliceSettings.get());
        MainWindow bob(bobCtl.get(), bobSettings.get());
        alice.show();
        bob.show();
        QTest::keyClicks(alice.composeEdit(), QStringLiteral("hello bob, "));
        alice.composeEdit()->insertPlainText(QStringLiteral("你好 😀")); // typed by an input method
        QTest::keyClick(alice.composeEdit(), Qt::Key_Return);
        QVERIFY(alice.composeEdit()->toPlainText().isEmpty());
        QTRY_VERIFY(shown(bob.messageView()).contains(QStringLiteral("hello bob, 你好 😀")));
        QTRY_VERIFY(shown(alice.messageView()).contains(QStringLiteral("hello bob, 你好 😀")));
        // Shift+Enter breaks the line instead of sending.
        QTest::keyClicks(bob.composeEdit(), QStringLiteral("line one"));
        QTest::keyClick(bob.composeEdit(), Qt::Key_Return, Qt::ShiftModifier);
        QTest::keyClicks(bob.composeEdit(), QStringLiteral("line two"));
        QCOMPARE(bob.composeEdit()->toPlainText(), QStringLiteral("line one\nline two"));
        QTest::keyClick(bob.composeEdit(), Qt::Key_Return);
        QTRY_VERIFY(shown(alice.messageView()).contains(QStringLiteral("line one\nline two")));
        // The window title names the user and the server, and not the application: the
        // window system adds its name (it was shown twice).
        QVERIFY(alice.windowTitle().contains(QLatin1String("w_alice")));
        QVERIFY(!alice.windowTitle().contains(QLatin1String("Confab")));
    }

    void atCompletesOnlineNames()
    {
        auto aliceCtl = online(m_server.url(), QStringLiteral("c_alice"));
        auto bobCtl = online(m_server.url(), QStringLiteral("c_bobby"));
        QVERIFY(aliceCtl && bobCtl);
        QTRY_VERIFY(aliceCtl->users()->contains(QStringLiteral("c_bobby")));
        auto s = settings(QStringLiteral("completion"));
        MainWindow alice(aliceCtl.get(), s.get());
        alice.show();
        alice.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&alice));
        ComposeEdit *edit = alice.composeEdit();
        edit->setFocus();
        QTest::keyClicks(edit, QStringLiteral("thanks @c_bo"));
        QTRY_VERIFY(edit->completer()->popup()->isVisible());
        QCOMPARE(edit->completer()->currentCompletion(), QStringLiteral("c_bobby"));
        QTest::keyClick(edit, Qt::Key_Tab);
        QCOMPARE(edit->toPlainText(), QStringLiteral("thanks @c_bobby "));
        QVERIFY(!edit->completer()->popup()->isVisible());
        // Esc closes the list and keeps the text.
        QTest::keyClicks(edit, QStringLiteral("@c_"));
        QTRY_VERIFY(edit->completer()->popup()->isVisible());
        QTest::keyClick(edit->completer()->popup(), Qt::Key_Escape);
        QVERIFY(!edit->completer()->popup()->isVisible());
        QCOMPARE(edit->toPlainText(), QStringLiteral("thanks @c_bobby @c_"));
    }

    void privateMessageOnlyInItsConversation()
    {
        auto aliceCtl = online(m_server.url(), QStringLiteral("v_alice"));
        auto bobCtl = online(m_server.url(), QStringLiteral("v_bob"));
        QVERIFY(aliceCtl && bobCtl);
        auto sa = settings(QStringLiteral("pa"));
        auto sb = settings(QStringLiteral("pb"));
        MainWindow alice(aliceCtl.get(), sa.get());
        MainWindow bob(bobCtl.get(), sb.get());
        alice.show();
        bob.show();
        QTest::keyClicks(alice.composeEdit(), QStringLiteral("@v_bob just for you"));
        QTest::keyClick(alice.composeEdit(), Qt::Key_Return);
        // Alice's window switches to the private conversation with bob.
        QCOMPARE(aliceCtl->activeConversation(), QStringLiteral("v_bob"));
        QTRY_COMPARE(shown(alice.messageView()), QStringList{QStringLiteral("just for you")});
        // Bob still looks at the room: not there, but in the conversation with alice, unread.
        QTRY_VERIFY(bobCtl->conversations()->rowOf(QStringLiteral("v_alice")) > 0);
        QVERIFY(!shown(bob.messageView()).contains(QStringLiteral("just for you")));
        // Bob's title counts it, first, as a taskbar shows it; reading it clears the count.
        QTRY_VERIFY2(bob.windowTitle().startsWith(QLatin1String("(1) v_bob")),
                     qPrintable(bob.windowTitle()));
        QCOMPARE(bob.taskbarBadge()->count(), 1); // and the taskbar entry's badge
        bob.openConversation(QStringLiteral("v_alice"));
        QCOMPARE(shown(bob.messageView()), QStringList{QStringLiteral("just for you")});
        QApplication::setActiveWindow(&bob); // read when the window is in front
        QTRY_VERIFY2(bob.windowTitle().startsWith(QLatin1String("v_bob")),
                     qPrintable(bob.windowTitle()));
        QCOMPARE(bob.taskbarBadge()->count(), 0);
    }

    // Issue 14, defect 4: a leading "@name" in the room shows a chip before anything is sent;
    // the typing notices go to that person alone; one click makes it a public mention.
    void privateDraftShowsAChipAndTypesOnlyToItsRecipient()
    {
        auto aliceCtl = online(m_server.url(), QStringLiteral("ch_alice"));
        auto bobCtl = online(m_server.url(), QStringLiteral("ch_bob"));
        auto carolCtl = online(m_server.url(), QStringLiteral("ch_carol"));
        QVERIFY(aliceCtl && bobCtl && carolCtl);
        QTRY_VERIFY(aliceCtl->users()->contains(QStringLiteral("ch_carol")));
        QSignalSpy carolTyping(carolCtl->session(), &ClientSession::typingChanged);
        MessageListModel *carolRoom = carolCtl->conversations()->messages(QString());
        auto s = settings(QStringLiteral("chip"));
        MainWindow alice(aliceCtl.get(), s.get());
        alice.show();
        ComposeEdit *edit = alice.composeEdit();
        RecipientChip *chip = edit->recipientChip();
        auto *chipText = chip->findChild<QLabel *>(QStringLiteral("recipientChipText"));
        const int oneLine = edit->height();

        // While the name is typed there is no chip yet (and no typing notice to anyone).
        QTest::keyClicks(edit, QStringLiteral("@ch_bob"));
        QVERIFY(!chip->isVisible());
        QTest::keyClicks(edit, QStringLiteral(" see you at 5"));
        QVERIFY(chip->isVisible());
        QCOMPARE(chipText->text(), QStringLiteral("🔒 Private to ch_bob"));
        // Inside the box, above the text, which moves down: the box grows by the chip.
        QVERIFY(edit->height() > oneLine);
        QVERIFY(chip->geometry().bottom() <= edit->viewport()->geometry().top());
        QVERIFY(edit->rect().contains(chip->geometry()));
        saveScreenshot(&alice, QStringLiteral("compose-private-chip"));
        // "ch_alice is typing" reaches bob, in their private conversation...
        QTRY_COMPARE(bobCtl->typingIn(QStringLiteral("ch_alice")),
                     QStringList{QStringLiteral("ch_alice")});
        // ...and not carol: once she has a message alice sent after the notice, a notice for
        // her would have come first.
        aliceCtl->session()->sendMessage(QStringLiteral("after the notice"));
        QTRY_COMPARE(carolRoom->rowCount() > 0
                         ? carolRoom->index(carolRoom->rowCount() - 1).data().toString()
                         : QString(),
                     QStringLiteral("after the notice"));
        QCOMPARE(carolTyping.count(), 0);

        // One click: public. The chip says so and offers the way back.
        QTest::mouseClick(chip->toggleButton(), Qt::LeftButton);
        QVERIFY(chip->isVisible());
        QVERIFY(chip->isPublic());
        QCOMPARE(chipText->text(), QStringLiteral("@ Public, mentions ch_bob"));
        QCOMPARE(chip->toggleButton()->text(), QStringLiteral("Make private"));
        QVERIFY(edit->hasFocus()); // writing goes on
        saveScreenshot(&alice, QStringLiteral("compose-public-chip"));
        // The notices follow the draft: now the room hears them, and bob's indicator stops.
        QTRY_COMPARE(carolCtl->typingIn(QString()), QStringList{QStringLiteral("ch_alice")});
        QTRY_VERIFY(bobCtl->typingIn(QStringLiteral("ch_alice")).isEmpty());
        // Sent to the room as a mention of bob: carol has it, alice stays in the room.
        QTest::keyClick(edit, Qt::Key_Return);
        QVERIFY(!chip->isVisible());
        QCOMPARE(edit->height(), oneLine);
        QCOMPARE(aliceCtl->activeConversation(), QString());
        QTRY_VERIFY(carolRoom->index(carolRoom->rowCount() - 1)
                        .data()
                        .toString()
                        .endsWith(QLatin1String("@ch_bob see you at 5")));

        // And back: public, then private again; it goes to bob alone.
        QTest::keyClicks(edit, QStringLiteral("@ch_bob only you"));
        QVERIFY(!chip->isPublic());
        QTest::mouseClick(chip->toggleButton(), Qt::LeftButton);
        QVERIFY(chip->isPublic());
        QTest::mouseClick(chip->toggleButton(), Qt::LeftButton);
        QVERIFY(!chip->isPublic());
        QCOMPARE(chipText->text(), QStringLiteral("🔒 Private to ch_bob"));
        QTest::keyClick(edit, Qt::Key_Return);
        QCOMPARE(aliceCtl->activeConversation(), QStringLiteral("ch_bob"));
        QTRY_COMPARE(shown(alice.messageView()), QStringList{QStringLiteral("only you")});
    }

    // A draft belongs to its conversation: it waits there while the user is elsewhere (the
    // list says so), comes back with it, and a room message "@name …" that opens the private
    // conversation neither comes back to the room nor wipes what waited for that person.
    void eachConversationKeepsItsDraftInTheBox()
    {
        auto aliceCtl = online(m_server.url(), QStringLiteral("dw_alice"));
        auto bobCtl = online(m_server.url(), QStringLiteral("dw_bob"));
        QVERIFY(aliceCtl && bobCtl);
        QTRY_VERIFY(aliceCtl->users()->contains(QStringLiteral("dw_bob")));
        auto s = settings(QStringLiteral("drafts"));
        MainWindow alice(aliceCtl.get(), s.get());
        alice.show();
        ComposeEdit *edit = alice.composeEdit();
        QTest::keyClicks(edit, QStringLiteral("half a thought"));
        alice.openConversation(QStringLiteral("dw_bob"));
        QCOMPARE(edit->toPlainText(), QString());
        QTest::keyClicks(edit, QStringLiteral("for bob, later"));
        alice.openConversation(QString());
        QCOMPARE(edit->toPlainText(), QStringLiteral("half a thought"));
        // Typing goes on at the end of it.
        QTest::keyClicks(edit, QStringLiteral(" and more"));
        QCOMPARE(edit->toPlainText(), QStringLiteral("half a thought and more"));
        ConversationListModel *list = aliceCtl->conversations();
        QCOMPARE(list->draft(QStringLiteral("dw_bob")), QStringLiteral("for bob, later"));
        saveScreenshot(&alice, QStringLiteral("conversation-list-draft"));

        // "@dw_bob …" from the room: sent privately, the box in bob's conversation holds
        // what waited there, and the room's box is empty.
        edit->clear();
        QTest::keyClicks(edit, QStringLiteral("@dw_bob quick one"));
        QTest::keyClick(edit, Qt::Key_Return);
        QCOMPARE(aliceCtl->activeConversation(), QStringLiteral("dw_bob"));
        QCOMPARE(edit->toPlainText(), QStringLiteral("for bob, later"));
        QTRY_VERIFY(shown(alice.messageView()).contains(QStringLiteral("quick one")));
        alice.openConversation(QString());
        QCOMPARE(edit->toPlainText(), QString());
        QCOMPARE(list->draft(QString()), QString());

        // An edit is of a message in its conversation: leaving cancels it, and the draft
        // that waited under it is what comes back.
        QTest::keyClicks(edit, QStringLiteral("room draft under an edit"));
        aliceCtl->send(QString(), QStringLiteral("a sent one"));
        MessageListModel *room = list->messages(QString());
        QTRY_VERIFY(room->rowCount() > 0 &&
                    room->index(room->rowCount() - 1).data(MessageListModel::SeqRole).toLongLong() >
                        0);
        const qint64 seq =
            room->index(room->rowCount() - 1).data(MessageListModel::SeqRole).toLongLong();
        edit->startEditing(seq, QStringLiteral("a sent one"));
        QTest::keyClicks(edit, QStringLiteral(", changed"));
        alice.openConversation(QStringLiteral("dw_bob"));
        QCOMPARE(edit->editingSeq(), 0);
        QCOMPARE(edit->toPlainText(), QStringLiteral("for bob, later"));
        alice.openConversation(QString());
        QCOMPARE(edit->toPlainText(), QStringLiteral("room draft under an edit"));
    }

    // Issue 14, defect 6: while disconnected nobody shows as online; back online, all is back.
    void roomShowsOfflineWhileDisconnected()
    {
        ServerProcess server;
        QVERIFY(server.start());
        auto ctl = online(server.url(), QStringLiteral("off_alice"));
        auto bob = online(server.url(), QStringLiteral("off_bob"));
        auto carol = online(server.url(), QStringLiteral("off_carol"));
        QVERIFY(ctl && bob && carol);
        ctl->session()->setReconnectDelays(50, 400);
        bob->session()->setReconnectDelays(50, 400);
        carol->session()->setReconnectDelays(50, 400);
        auto s = settings(QStringLiteral("offline"));
        MainWindow window(ctl.get(), s.get());
        window.resize(1100, 720);
        window.show();
        auto *subtitle = window.findChild<QLabel *>(QStringLiteral("conversationSubtitle"));
        auto *onlineLabel = window.findChild<QLabel *>(QStringLiteral("onlineLabel"));
        auto *users = window.findChild<QListView *>(QStringLiteral("userView"));
        QTRY_COMPARE(subtitle->text(), QStringLiteral("3 online"));
        QCOMPARE(onlineLabel->text(), QStringLiteral("Online (3)"));
        QVERIFY(greenPixels(users) > 0);

        server.kill();
        QTRY_COMPARE(subtitle->text(), QStringLiteral("reconnecting…"));
        QCOMPARE(onlineLabel->text(), QStringLiteral("Not connected — last seen (3)"));
        QCOMPARE(greenPixels(users), 0);
        saveScreenshot(&window, QStringLiteral("room-offline"));

        QVERIFY(server.start());
        QTRY_COMPARE_WITH_TIMEOUT(subtitle->text(), QStringLiteral("3 online"), 15000);
        QCOMPARE(onlineLabel->text(), QStringLiteral("Online (3)"));
        QVERIFY(greenPixels(users) > 0);

        // Closed for good (signed out, replaced): offline, and nobody listed.
        ctl->disconnectFromServer();
        QTRY_COMPARE(subtitle->text(), QStringLiteral("offline"));
        QCOMPARE(greenPixels(users), 0);
    }

    void loginDialogExplainsBadAddress()
    {
        ChatController controller;
        auto s = settings(QStringLiteral("bad"));
        LoginDialog dialog(&controller, s.get(), {});
        dialog.findChild<QLineEdit *>(QStringLiteral("serverEdit"))
            ->setText(QStringLiteral("ws://"));
        dialog.findChild<QLineEdit *>(QStringLiteral("nameEdit"))->setText(QStringLiteral("alice"));
        dialog.attemptLogin();
        QVERIFY(dialog.errorText().contains(QLatin1String("not a server address")));
        QCOMPARE(controller.session()->state(), ClientSession::State::Offline);
    }

    void loginDialogExplainsUnreachableServer()
    {
        ServerProcess gone;
        QVERIFY(gone.start());
        const QUrl url = gone.url();
        gone.kill();
        ChatController controller;
        auto s = settings(QStringLiteral("unreachable"));
        LoginDialog dialog(&controller, s.get(), {});
        dialog.findChild<QLineEdit *>(QStringLiteral("serverEdit"))->setText(url.toString());
        dialog.findChild<QLineEdit *>(QStringLiteral("nameEdit"))->setText(QStringLiteral("alice"));
        dialog.attemptLogin();
        QTRY_VERIFY(dialog.errorText().contains(QLatin1String("Cannot reach the server")));
        // It does not keep retrying behind the user's back.
        QCOMPARE(controller.session()->state(), ClientSession::State::Offline);
        QVERIFY(dialog.findChild<QPushButton *>(QStringLiteral("connectButton"))->isEnabled());
    }

    void loginDialogExplainsTakenAndInvalidNames()
    {
        auto holder = online(m_server.url(), QStringLiteral("taken"));
        QVERIFY(holder);
        ChatController controller;
        auto s = settings(QStringLiteral("taken"));
        LoginDialog dialog(&controller, s.get(), {});
        auto *name = dialog.findChild<QLineEdit *>(QStringLiteral("nameEdit"));
        dialog.findChild<QLineEdit *>(QStringLiteral("serverEdit"))
            ->setText(m_server.url().toString());
        name->setText(QStringLiteral("two words"));
        dialog.attemptLogin();
        QVERIFY(dialog.errorText().contains(QLatin1String("no spaces")));
        name->setText(QStringLiteral("Taken"));
        dialog.attemptLogin();
        QTRY_VERIFY(dialog.errorText().contains(QLatin1String("already uses the name")));
        // A free name then works, and is remembered.
        name->setText(QStringLiteral("free_name"));
        QSignalSpy accepted(&dialog, &QDialog::accepted);
        dialog.attemptLogin();
        QVERIFY(accepted.wait());
        QCOMPARE(s->userName(), QStringLiteral("free_name"));
    }

    void statusBarShowsReconnecting()
    {
        ServerProcess server;
        QVERIFY(server.start());
        auto ctl = online(server.url(), QStringLiteral("status"));
        QVERIFY(ctl);
        auto s = settings(QStringLiteral("status"));
        MainWindow window(ctl.get(), s.get());
        window.show();
        auto *status = window.findChild<QLabel *>(QStringLiteral("connectionStatus"));
        QVERIFY(status->text().startsWith(QLatin1String("Online")));
        server.kill();
        QTRY_VERIFY(status->text().startsWith(QLatin1String("Reconnecting")));
        QVERIFY(server.start());
        // A plain ws:// test server: the status says so.
        QTRY_COMPARE_WITH_TIMEOUT(status->text(), QStringLiteral("Online — not encrypted"), 15000);
    }
};

QTEST_MAIN(TestChatWindow)
#include "tst_chatwindow.moc"
