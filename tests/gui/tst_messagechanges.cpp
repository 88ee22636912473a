// Editing and deleting one's own messages in the window (docs/protocol.md section 5.5),
// offscreen, against a real server process: the context menu, the compose box in edit mode,
// and what the other user sees, live and in the local history cache.
#include "composebanner.h"
#include "composeedit.h"
#include "mainwindow.h"
#include "messageview.h"
#include "model/chatcontroller.h"
#include "model/messagelistmodel.h"
#include "serverprocess.h"
#include "settings/settings.h"
#include "theme.h"

#include <QAction>
#include <QApplication>
#include <QContextMenuEvent>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

std::unique_ptr<ChatController> online(const QUrl &url, const QString &name,
                                       const QString &cacheFolder)
{
    auto c = std::make_unique<ChatController>();
    c->session()->setOutboxFolder(cacheFolder); // the local history cache, as the app has it
    QSignalSpy in(c->session(), &ClientSession::loggedIn);
    c->connectTo(url, name);
    if (!in.wait())
        return nullptr;
    return c;
}

// The row of the message whose text is `text`, or -1.
int rowOf(MessageView *view, const QString &text)
{
    for (int row = 0; view->model() && row < view->model()->rowCount(); ++row) {
        if (view->model()->index(row, 0).data().toString() == text)
            return row;
    }
    return -1;
}

// Opens the message list's context menu on `row` (it must be on screen).
QMenu *menuOn(MessageView *view, int row)
{
    const QRect rect = view->textRect(view->model()->index(row, 0));
    if (!rect.isValid())
        return nullptr;
    QWidget *viewport = view->viewport();
    QContextMenuEvent event(QContextMenuEvent::Mouse, rect.center(),
                            viewport->mapToGlobal(rect.center()));
    QApplication::sendEvent(viewport, &event);
    return view->findChild<QMenu *>(QStringLiteral("messageMenu"));
}

// Closes the menu and waits until it is gone (it deletes itself on close).
bool closeMenu(MessageView *view, QMenu *menu)
{
    menu->close();
    return QTest::qWaitFor(
        [view] { return !view->findChild<QMenu *>(QStringLiteral("messageMenu")); });
}

QAction *action(QMenu *menu, const char *name)
{
    return menu ? menu->findChild<QAction *>(QLatin1String(name)) : nullptr;
}

} // namespace

class TestMessageChangesUi : public QObject
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
        Theme::apply(*qApp, Settings::Theme::Light);
        QVERIFY(m_dir.isValid());
        QVERIFY(m_server.start());
    }

    void ownMessageIsEditedAndDeletedForEveryone()
    {
        auto aliceCtl = online(m_server.url(), QStringLiteral("m_alice"), m_dir.filePath("a"));
        auto bobCtl = online(m_server.url(), QStringLiteral("m_bob"), m_dir.filePath("b"));
        QVERIFY(aliceCtl && bobCtl);
        auto aliceSettings = settings(QStringLiteral("alice"));
        auto bobSettings = settings(QStringLiteral("bob"));
        MainWindow alice(aliceCtl.get(), aliceSettings.get());
        MainWindow bob(bobCtl.get(), bobSettings.get());
        alice.show();
        bob.show();
        QVERIFY(QTest::qWaitForWindowExposed(&alice));

        QTest::keyClicks(alice.composeEdit(), QStringLiteral("helo wrld"));
        QTest::keyClick(alice.composeEdit(), Qt::Key_Return);
        QTRY_VERIFY(rowOf(bob.messageView(), QStringLiteral("helo wrld")) >= 0);
        // Sent (stored, with a seq) before it can be changed.
        QTRY_VERIFY(alice.messageView()
                        ->model()
                        ->index(rowOf(alice.messageView(), QStringLiteral("helo wrld")), 0)
                        .data(MessageListModel::SeqRole)
                        .toLongLong() > 0);

        // Someone else's message offers no Edit or Delete.
        const int bobsRow = rowOf(bob.messageView(), QStringLiteral("helo wrld"));
        QTRY_VERIFY(
            bob.messageView()->textRect(bob.messageView()->model()->index(bobsRow, 0)).isValid());
        QMenu *bobsMenu = menuOn(bob.messageView(), bobsRow);
        QVERIFY(bobsMenu);
        QVERIFY(!action(bobsMenu, "editMessageAction"));
        QVERIFY(!action(bobsMenu, "deleteMessageAction"));
        QVERIFY(closeMenu(bob.messageView(), bobsMenu));

        // Alice has a draft going; Edit sets it aside, Esc brings it back.
        QTest::keyClicks(alice.composeEdit(), QStringLiteral("half written"));
        int row = rowOf(alice.messageView(), QStringLiteral("helo wrld"));
        QTRY_VERIFY(
            alice.messageView()->textRect(alice.messageView()->model()->index(row, 0)).isValid());
        QMenu *menu = menuOn(alice.messageView(), row);
        QVERIFY(action(menu, "editMessageAction"));
        action(menu, "editMessageAction")->trigger();
        QVERIFY(closeMenu(alice.messageView(), menu));
        QVERIFY(alice.composeEdit()->banner()->isVisible());
        QCOMPARE(alice.composeEdit()->toPlainText(), QStringLiteral("helo wrld"));
        QTest::keyClick(alice.composeEdit(), Qt::Key_Escape);
        QVERIFY(!alice.composeEdit()->banner()->isVisible());
        QCOMPARE(alice.composeEdit()->toPlainText(), QStringLiteral("half written"));

        // Edit for real: the new text replaces the old one, for both, marked "edited".
        menu = menuOn(alice.messageView(), row);
        action(menu, "editMessageAction")->trigger();
        QVERIFY(closeMenu(alice.messageView(), menu));
        alice.composeEdit()->selectAll();
        QTest::keyClicks(alice.composeEdit(), QStringLiteral("hello world"));
        QTest::keyClick(alice.composeEdit(), Qt::Key_Return);
        QCOMPARE(alice.composeEdit()->toPlainText(), QStringLiteral("half written"));
        for (MainWindow *w : {&alice, &bob}) {
            QTRY_VERIFY(rowOf(w->messageView(), QStringLiteral("hello world")) >= 0);
            QCOMPARE(rowOf(w->messageView(), QStringLiteral("helo wrld")), -1);
            const QModelIndex index = w->messageView()->model()->index(
                rowOf(w->messageView(), QStringLiteral("hello world")), 0);
            QVERIFY(index.data(MessageListModel::EditedRole).toBool());
        }
        // The local cache has the new text too (what the next start shows).
        const QList<ChatMessage> cached = bobCtl->session()->history()->page(QString(), 0, 50);
        QVERIFY(!cached.isEmpty());
        QCOMPARE(cached.last().content, QStringLiteral("hello world"));
        QVERIFY(cached.last().editedMs > 0);

        // Delete asks first (window-modal, not exec()): Cancel keeps the message.
        row = rowOf(alice.messageView(), QStringLiteral("hello world"));
        menu = menuOn(alice.messageView(), row);
        QVERIFY(action(menu, "deleteMessageAction"));
        action(menu, "deleteMessageAction")->trigger();
        QVERIFY(closeMenu(alice.messageView(), menu));
        QMessageBox *ask = alice.findChild<QMessageBox *>(QStringLiteral("deleteConfirmation"));
        QVERIFY(ask);
        QTRY_VERIFY(ask->isVisible());
        QCOMPARE(ask->windowModality(), Qt::WindowModal);
        QVERIFY(ask->button(QMessageBox::Cancel));
        ask->button(QMessageBox::Cancel)->click();
        QTRY_VERIFY(!alice.findChild<QMessageBox *>(QStringLiteral("deleteConfirmation")));
        // Had the delete gone out, bob would have it before this later message.
        alice.composeEdit()->clear(); // the draft set aside for the edit is back in it
        QTest::keyClicks(alice.composeEdit(), QStringLiteral("after the cancel"));
        QTest::keyClick(alice.composeEdit(), Qt::Key_Return);
        QTRY_VERIFY(rowOf(bob.messageView(), QStringLiteral("after the cancel")) >= 0);
        QVERIFY(rowOf(bob.messageView(), QStringLiteral("hello world")) >= 0);
        QVERIFY(rowOf(alice.messageView(), QStringLiteral("hello world")) >= 0);

        // Delete confirmed: "message deleted" for both, and nothing more to change.
        QTRY_VERIFY(
            alice.messageView()->textRect(alice.messageView()->model()->index(row, 0)).isValid());
        menu = menuOn(alice.messageView(), row);
        QVERIFY(action(menu, "deleteMessageAction"));
        action(menu, "deleteMessageAction")->trigger();
        QVERIFY(closeMenu(alice.messageView(), menu));
        ask = alice.findChild<QMessageBox *>(QStringLiteral("deleteConfirmation"));
        QVERIFY(ask);
        QTRY_VERIFY(ask->isVisible());
        auto *confirm = ask->findChild<QPushButton *>(QStringLiteral("deleteConfirmButton"));
        QVERIFY(confirm);
        confirm->click();
        for (MainWindow *w : {&alice, &bob}) {
            QTRY_VERIFY(rowOf(w->messageView(), QStringLiteral("hello world")) < 0);
            const QModelIndex index = w->messageView()->model()->index(row, 0);
            QVERIFY(index.data(MessageListModel::DeletedRole).toBool());
            QCOMPARE(index.data().toString(), QStringLiteral("message deleted"));
        }
        auto cachedDeleted = [&] {
            for (const ChatMessage &m : bobCtl->session()->history()->page(QString(), 0, 50)) {
                if (m.deleted && m.content.isEmpty())
                    return true;
            }
            return false;
        };
        QTRY_VERIFY(cachedDeleted());
        menu = menuOn(alice.messageView(), row);
        QVERIFY(menu);
        QVERIFY(!action(menu, "editMessageAction"));
        QVERIFY(!action(menu, "deleteMessageAction"));
        QVERIFY(closeMenu(alice.messageView(), menu));
    }

    // Emoji reactions (docs/protocol.md section 5.7) in two windows: bob reacts through the
    // menu, alice sees the chip and who gave it, bob's click on his own chip takes it back.
    void aReactionFromTheMenuShowsForBothAndAClickTakesItBack()
    {
        auto aliceCtl = online(m_server.url(), QStringLiteral("x_alice"), m_dir.filePath("xa"));
        auto bobCtl = online(m_server.url(), QStringLiteral("x_bob"), m_dir.filePath("xb"));
        QVERIFY(aliceCtl && bobCtl);
        auto aliceSettings = settings(QStringLiteral("xalice"));
        auto bobSettings = settings(QStringLiteral("xbob"));
        MainWindow alice(aliceCtl.get(), aliceSettings.get());
        MainWindow bob(bobCtl.get(), bobSettings.get());
        alice.show();
        bob.show();
        QVERIFY(QTest::qWaitForWindowExposed(&bob));
        aliceCtl->send(QString(), QStringLiteral("react to this"));
        QTRY_VERIFY(rowOf(bob.messageView(), QStringLiteral("react to this")) >= 0);
        const int row = rowOf(bob.messageView(), QStringLiteral("react to this"));
        const QModelIndex bobs = bob.messageView()->model()->index(row, 0);
        QTRY_VERIFY(bob.messageView()->textRect(bobs).isValid());
        QMenu *menu = menuOn(bob.messageView(), row);
        QVERIFY(menu);
        auto *react = menu->findChild<QMenu *>(QStringLiteral("reactMenu"));
        QVERIFY(react);
        QAction *first = nullptr;
        for (QAction *a : react->actions()) {
            if (!first && a->objectName() == QLatin1String("reactAction"))
                first = a;
        }
        QVERIFY(first);
        const QString emoji = first->data().toString();
        first->trigger();
        QVERIFY(closeMenu(bob.messageView(), menu));

        const int alicesRow = rowOf(alice.messageView(), QStringLiteral("react to this"));
        QVERIFY(alicesRow >= 0);
        const QModelIndex alices = alice.messageView()->model()->index(alicesRow, 0);
        QTRY_COMPARE(alice.messageView()->reactionRects(alices).size(), 1);
        const QVariantMap shown =
            alices.data(MessageListModel::ReactionsRole).toList().at(0).toMap();
        QCOMPARE(shown.value(QStringLiteral("emoji")).toString(), emoji);
        QCOMPARE(shown.value(QStringLiteral("count")).toInt(), 1);
        QVERIFY(!shown.value(QStringLiteral("mine")).toBool());
        QVERIFY(alice.messageView()
                    ->toolTipAt(alice.messageView()->reactionRects(alices).at(0).center())
                    .contains(QLatin1String("x_bob")));
        // Bob's own, marked as his.
        QTRY_COMPARE(bob.messageView()->reactionRects(bobs).size(), 1);
        QVERIFY(bobs.data(MessageListModel::ReactionsRole)
                    .toList()
                    .at(0)
                    .toMap()
                    .value(QStringLiteral("mine"))
                    .toBool());
        // His click on it takes it back, for both.
        QTest::mouseClick(bob.messageView()->viewport(), Qt::LeftButton, {},
                          bob.messageView()->reactionRects(bobs).at(0).center());
        QTRY_VERIFY(alice.messageView()->reactionRects(alices).isEmpty());
        QTRY_VERIFY(bob.messageView()->reactionRects(bobs).isEmpty());
    }

    void replyQuotesTheOriginalAndAClickShowsIt()
    {
        auto aliceCtl = online(m_server.url(), QStringLiteral("r_alice"), m_dir.filePath("ra"));
        auto bobCtl = online(m_server.url(), QStringLiteral("r_bob"), m_dir.filePath("rb"));
        QVERIFY(aliceCtl && bobCtl);
        auto aliceSettings = settings(QStringLiteral("ralice"));
        auto bobSettings = settings(QStringLiteral("rbob"));
        MainWindow alice(aliceCtl.get(), aliceSettings.get());
        MainWindow bob(bobCtl.get(), bobSettings.get());
        alice.resize(900, 500);
        bob.resize(900, 500);
        alice.show();
        bob.show();
        QVERIFY(QTest::qWaitForWindowExposed(&bob));
        aliceCtl->send(QString(), QStringLiteral("the original question"));
        for (int i = 0; i < 40; ++i)
            aliceCtl->send(QString(), QStringLiteral("filler %1").arg(i));
        QTRY_VERIFY(rowOf(bob.messageView(), QStringLiteral("filler 39")) >= 0);
        QTRY_VERIFY(bob.messageView()->isAtBottom());

        // Bob answers the last message through the menu.
        const int last = rowOf(bob.messageView(), QStringLiteral("filler 39"));
        QTRY_VERIFY(
            bob.messageView()->textRect(bob.messageView()->model()->index(last, 0)).isValid());
        QMenu *menu = menuOn(bob.messageView(), last);
        QVERIFY(action(menu, "replyMessageAction"));
        action(menu, "replyMessageAction")->trigger();
        QVERIFY(closeMenu(bob.messageView(), menu));
        QVERIFY(bob.composeEdit()->banner()->isVisible());
        QVERIFY(bob.composeEdit()->banner()->title().contains(QLatin1String("r_alice")));
        QTest::keyClicks(bob.composeEdit(), QStringLiteral("answer to the last"));
        QTest::keyClick(bob.composeEdit(), Qt::Key_Return);
        QVERIFY(!bob.composeEdit()->banner()->isVisible());
        QTRY_VERIFY(rowOf(alice.messageView(), QStringLiteral("answer to the last")) >= 0);
        const QModelIndex answer = alice.messageView()->model()->index(
            rowOf(alice.messageView(), QStringLiteral("answer to the last")), 0);
        QCOMPARE(answer.data(MessageListModel::QuoteSenderRole).toString(),
                 QStringLiteral("r_alice"));
        QCOMPARE(answer.data(MessageListModel::QuoteTextRole).toString(),
                 QStringLiteral("filler 39"));

        // A reply to the first message, far above: a click on its quote brings it into view.
        const qint64 firstSeq =
            alice.messageView()
                ->model()
                ->index(rowOf(alice.messageView(), QStringLiteral("the original question")), 0)
                .data(MessageListModel::SeqRole)
                .toLongLong();
        QVERIFY(firstSeq > 0);
        bob.composeEdit()->startReply(firstSeq, QStringLiteral("r_alice"),
                                      QStringLiteral("the original question"));
        QTest::keyClicks(bob.composeEdit(), QStringLiteral("about that question"));
        QTest::keyClick(bob.composeEdit(), Qt::Key_Return);
        QTRY_VERIFY(rowOf(alice.messageView(), QStringLiteral("about that question")) >= 0);
        MessageView *view = alice.messageView();
        const int first = rowOf(view, QStringLiteral("the original question"));
        const int replyRow = rowOf(view, QStringLiteral("about that question"));
        QTRY_VERIFY(view->textRect(view->model()->index(replyRow, 0)).isValid());
        QVERIFY(!view->textRect(view->model()->index(first, 0)).isValid()); // far above
        QCOMPARE(view->model()->index(replyRow, 0).data(MessageListModel::QuoteTextRole).toString(),
                 QStringLiteral("the original question"));
        // The quote is drawn over the text, inside the bubble.
        const QRect text = view->textRect(view->model()->index(replyRow, 0));
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                          QPoint(text.left() + 10, text.top() - 12));
        QTRY_VERIFY(view->textRect(view->model()->index(first, 0)).isValid());
    }
};

QTEST_MAIN(TestMessageChangesUi)
#include "tst_messagechanges.moc"
