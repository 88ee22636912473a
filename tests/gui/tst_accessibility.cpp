// What a screen reader gets, offscreen, through Qt's accessibility interfaces (issue 14): the
// message list's items (names, states, the focus and selection events as the keyboard walks
// them), the keys that walk it, and a name for every control of the main window.
#include "composeedit.h"
#include "mainwindow.h"
#include "messageview.h"
#include "model/chatcontroller.h"
#include "model/messagelistmodel.h"
#include "serverprocess.h"
#include "settings/settings.h"

#include <QAccessible>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QLocale>
#include <QMenu>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QtTest/qtestaccessible.h>

#include <functional>
#include <memory>

namespace {
ChatMessage message(qint64 seq, const QString &from, const QString &content, qint64 atMs)
{
    ChatMessage m;
    m.seq = seq;
    m.timestampMs = atMs;
    m.from = from;
    m.content = content;
    return m;
}

std::unique_ptr<ChatController> online(const QUrl &url, const QString &name)
{
    auto c = std::make_unique<ChatController>();
    QSignalSpy in(c->session(), &ClientSession::loggedIn);
    c->connectTo(url, name);
    if (!in.wait())
        return nullptr;
    return c;
}

// Whether an event of `type` about item `child` of `object` was sent since the last clear.
// Qt 6.4 passes events on only while QAccessible::isActive(), which only a platform's bridge
// sets (AT-SPI with a screen reader on X11/Wayland, UI Automation, VoiceOver), never the
// offscreen platform: there the events cannot be seen and only the states are checked (what
// a reader reads when told of the change).
bool sent(QObject *object, QAccessible::Event type, int child)
{
    if (!QAccessible::isActive())
        return true;
    QAccessibleEvent expected(object, type);
    expected.setChild(child);
    return QTestAccessibility::containsEvent(&expected);
}

QString itemName(QAccessibleInterface *list, int row)
{
    QAccessibleInterface *item = list->child(row);
    return item ? item->text(QAccessible::Name) : QStringLiteral("<no item>");
}

// A name a reader can say: at least one letter or digit ("➤" or "🙂" alone is not).
bool sayable(const QString &name)
{
    for (const QChar c : name) {
        if (c.isLetterOrNumber())
            return true;
    }
    return false;
}
} // namespace

class TestAccessibility : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        // As Qt's own accessibility tests: the events are recorded (instead of going to the
        // platform's bridge) while accessibility is active; see sent().
        QTestAccessibility::initialize();
    }

    void cleanup() { QTestAccessibility::clearEvents(); }

    // Each loaded message is an item of a list, named as it is to be read out.
    void messagesAreNamedListItems()
    {
        const QDateTime at(QDate::currentDate(), QTime(9, 41));
        MessageListModel model;
        model.addMessage(message(10, QStringLiteral("bob"), QStringLiteral("hello there"),
                                 at.toMSecsSinceEpoch()),
                         false, false);
        ChatMessage privateEdited = message(11, QStringLiteral("me"),
                                            QStringLiteral("just for you"), at.toMSecsSinceEpoch());
        privateEdited.to = QStringLiteral("bob");
        privateEdited.editedMs = at.toMSecsSinceEpoch() + 60000;
        model.addMessage(privateEdited, true, false);
        ChatMessage gone = message(12, QStringLiteral("bob"), QString(), at.toMSecsSinceEpoch());
        gone.deleted = true;
        model.addMessage(gone, false, false);
        model.addPending(QStringLiteral("c1"), QStringLiteral("me"), QString(),
                         QStringLiteral("on its way"), at.toMSecsSinceEpoch());

        MessageView view;
        view.setModel(&model);
        view.resize(600, 500);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));

        QAccessibleInterface *list = QAccessible::queryAccessibleInterface(&view);
        QVERIFY(list);
        QCOMPARE(list->role(), QAccessible::List);
        QCOMPARE(list->text(QAccessible::Name), QStringLiteral("Messages"));
        QCOMPARE(list->childCount(), 4);
        for (int row = 0; row < 4; ++row) {
            QAccessibleInterface *item = list->child(row);
            QVERIFY(item);
            QCOMPARE(item->role(), QAccessible::ListItem);
            QCOMPARE(item->parent(), list);
            QCOMPARE(list->indexOfChild(item), row);
            QCOMPARE(list->child(row), item); // the same item when asked again
            QVERIFY(!item->state().selected);
            QVERIFY(item->rect().isValid()); // all four are on screen
        }
        QCOMPARE(itemName(list, 0), QStringLiteral("bob: hello there, 9:41 AM"));
        // One's own stored private message says how far it got (read receipts).
        QCOMPARE(itemName(list, 1), QStringLiteral("me: just for you, private to bob, 9:41 AM, "
                                                   "edited, sent"));
        QCOMPARE(itemName(list, 2), QStringLiteral("bob: message deleted, 9:41 AM"));
        QCOMPARE(itemName(list, 3), QStringLiteral("me: on its way, 9:41 AM, sending"));
        // A reader at a point on the screen finds the message there.
        QAccessibleInterface *first = list->child(0);
        QCOMPARE(list->childAt(first->rect().center().x(), first->rect().center().y()), first);

        // Messages coming and going: the items follow what is on each row.
        model.markFailed(QStringLiteral("c1"), QStringLiteral("too long"));
        QCOMPARE(itemName(list, 3), QStringLiteral("me: on its way, 9:41 AM, not sent"));
        model.addMessages(
            {message(5, QStringLiteral("carol"), QStringLiteral("older"), at.toMSecsSinceEpoch())},
            QStringLiteral("me"));
        QCOMPARE(list->childCount(), 5);
        QCOMPARE(itemName(list, 0), QStringLiteral("carol: older, 9:41 AM"));
        QCOMPARE(itemName(list, 1), QStringLiteral("bob: hello there, 9:41 AM"));
    }

    // Tab reaches the list; Up/Down, PageUp/PageDown and Home/End walk it; the reader hears
    // each move (focus and selection on the item); Ctrl+C copies the message, the menu key
    // and Shift+F10 open its menu.
    void theKeyboardWalksTheMessages()
    {
        const qint64 start = QDateTime::currentMSecsSinceEpoch() - 3600 * 1000;
        MessageListModel model;
        for (int i = 0; i < 60; ++i) {
            model.addMessage(message(100 + i,
                                     i % 2 ? QStringLiteral("bob") : QStringLiteral("carol"),
                                     QStringLiteral("message number %1").arg(i), start + i * 1000),
                             false, false);
        }
        QWidget window;
        auto *before = new QPushButton(QStringLiteral("before"), &window);
        auto *view = new MessageView(&window);
        view->setModel(&model);
        before->setGeometry(0, 0, 100, 30);
        view->setGeometry(0, 40, 500, 400);
        window.resize(500, 440);
        window.show();
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        before->setFocus();
        QTRY_VERIFY(before->hasFocus());
        QAccessibleInterface *list = QAccessible::queryAccessibleInterface(view);
        QVERIFY(list);
        QCOMPARE(view->currentRow(), -1);
        QVERIFY(!list->focusChild());

        // Tab: the newest message is the current one, focused for the reader.
        QTestAccessibility::clearEvents();
        QTest::keyClick(before, Qt::Key_Tab);
        QTRY_VERIFY(view->hasFocus());
        QCOMPARE(view->currentRow(), 59);
        QVERIFY(sent(view, QAccessible::Focus, 59));
        QCOMPARE(list->focusChild(), list->child(59));
        QVERIFY(list->child(59)->state().focused);
        QVERIFY(list->child(59)->state().selected);

        QTestAccessibility::clearEvents();
        QTest::keyClick(view, Qt::Key_Up);
        QCOMPARE(view->currentRow(), 58);
        QVERIFY(sent(view, QAccessible::Focus, 58));
        QVERIFY(sent(view, QAccessible::Selection, 58));
        QVERIFY(list->child(58)->state().focused);
        QVERIFY(!list->child(59)->state().focused);
        QVERIFY(!list->child(59)->state().selected);
        QVERIFY(list->focusChild()
                    ->text(QAccessible::Name)
                    .startsWith(QStringLiteral("carol: message number 58, ")));

        // Home: the oldest loaded message, scrolled into view.
        QTest::keyClick(view, Qt::Key_Home);
        QCOMPARE(view->currentRow(), 0);
        QCOMPARE(view->firstVisibleRow(), 0);
        QTRY_VERIFY(list->child(0)->rect().isValid());
        QVERIFY(!list->child(0)->state().offscreen);
        QVERIFY(list->child(59)->state().offscreen);
        QTest::keyClick(view, Qt::Key_Down);
        QCOMPARE(view->currentRow(), 1);

        // PageDown and PageUp move by about what the view shows, keeping the message in view.
        QTest::keyClick(view, Qt::Key_PageDown);
        const int paged = view->currentRow();
        QVERIFY2(paged > 3 && paged < 59, qPrintable(QString::number(paged)));
        QTRY_VERIFY(view->visualRect(paged).isValid());
        QVERIFY(view->visualRect(paged).bottom() <= view->viewport()->height());
        QTest::keyClick(view, Qt::Key_PageUp);
        QVERIFY(view->currentRow() >= 0 && view->currentRow() < paged - 1);
        QTRY_VERIFY(view->visualRect(view->currentRow()).isValid());

        // End: the newest again, and the list follows new messages again.
        QTest::keyClick(view, Qt::Key_End);
        QCOMPARE(view->currentRow(), 59);
        QVERIFY(view->isAtBottom());

        // Ctrl+C without a text selection copies the current message.
        QTest::keyClick(view, Qt::Key_Up);
        QGuiApplication::clipboard()->clear();
        QTest::keyClick(view, Qt::Key_C, Qt::ControlModifier);
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("message number 58"));

        // The menu key, and Shift+F10: the current message's menu, beside it.
        for (const auto &[key, modifiers] :
             {std::pair{Qt::Key_Menu, Qt::KeyboardModifiers()},
              std::pair{Qt::Key_F10, Qt::KeyboardModifiers(Qt::ShiftModifier)}}) {
            QTest::keyClick(view, key, modifiers);
            QMenu *menu = view->findChild<QMenu *>(QStringLiteral("messageMenu"));
            QVERIFY(menu);
            QTRY_VERIFY(menu->isVisible());
            auto *copy = menu->findChild<QAction *>(QStringLiteral("copyMessageAction"));
            QVERIFY(copy);
            QGuiApplication::clipboard()->clear();
            copy->trigger();
            QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("message number 58"));
            const QRect item = view->visualRect(58);
            const QPoint menuAt = view->viewport()->mapFromGlobal(menu->pos());
            QVERIFY2(item.adjusted(0, 0, 0, 8).contains(QPoint(item.center().x(), menuAt.y())),
                     qPrintable(QStringLiteral("menu at %1, message %2-%3")
                                    .arg(menuAt.y())
                                    .arg(item.top())
                                    .arg(item.bottom())));
            menu->close();
            QTRY_VERIFY(!view->findChild<QMenu *>(QStringLiteral("messageMenu")));
        }

        // A reader's own action opens the menu too.
        QAccessibleActionInterface *actions = list->child(57)->actionInterface();
        QVERIFY(actions);
        QVERIFY(actions->actionNames().contains(QAccessibleActionInterface::showMenuAction()));
        actions->doAction(QAccessibleActionInterface::showMenuAction());
        QCOMPARE(view->currentRow(), 57);
        QMenu *menu = view->findChild<QMenu *>(QStringLiteral("messageMenu"));
        QVERIFY(menu);
        QTRY_VERIFY(menu->isVisible());
        menu->close();

        // Older history loaded above: the current message stays the same message.
        model.addMessages({message(50, QStringLiteral("dave"), QStringLiteral("older one"), start)},
                          QStringLiteral("me"));
        QCOMPARE(view->currentRow(), 58);
        QVERIFY(itemName(list, 58).startsWith(QStringLiteral("bob: message number 57, ")));
        window.activateWindow(); // back from the menu (offscreen does not give it back)
        view->setFocus();
        QTRY_VERIFY(view->hasFocus());
        QCOMPARE(list->focusChild(), list->child(58));
    }

    // Every control of the main window that takes input has a name a reader can say.
    void mainWindowControlsHaveNames()
    {
        ServerProcess server;
        QVERIFY(server.start());
        auto alice = online(server.url(), QStringLiteral("a_alice"));
        auto bob = online(server.url(), QStringLiteral("a_bob"));
        QVERIFY(alice && bob);
        QTemporaryDir dir;
        Settings settings(dir.filePath(QStringLiteral("a.ini")));
        MainWindow window(alice.get(), &settings);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        // A private conversation: its call button shows; a draft to bob: the recipient chip.
        window.openConversation(QStringLiteral("a_bob"));
        window.composeEdit()->setPlainText(QStringLiteral("@a_bob hi"));
        QApplication::processEvents();

        QStringList unnamed;
        int visited = 0;
        std::function<void(QAccessibleInterface *, const QString &)> walk =
            [&](QAccessibleInterface *iface, const QString &path) {
                if (!iface || ++visited > 5000)
                    return;
                const QAccessible::State state = iface->state();
                if (state.invisible)
                    return;
                static const QList<QAccessible::Role> interactive{
                    QAccessible::PushButton, QAccessible::CheckBox,       QAccessible::RadioButton,
                    QAccessible::ComboBox,   QAccessible::EditableText,   QAccessible::SpinBox,
                    QAccessible::List,       QAccessible::Table,          QAccessible::Tree,
                    QAccessible::ButtonMenu, QAccessible::ButtonDropDown, QAccessible::Slider,
                    QAccessible::ListItem,   QAccessible::MenuItem};
                const QString name = iface->text(QAccessible::Name);
                const QString here = path + QLatin1Char('/') +
                                     (iface->object() && !iface->object()->objectName().isEmpty()
                                          ? iface->object()->objectName()
                                          : QString::number(int(iface->role()), 16));
                // Labels are read by their text; an empty one is nothing to read.
                const bool control = interactive.contains(iface->role()) ||
                                     (state.focusable && iface->role() != QAccessible::StaticText);
                if (control && !sayable(name))
                    unnamed << QStringLiteral("%1 (role 0x%2, name \"%3\")")
                                   .arg(here)
                                   .arg(int(iface->role()), 0, 16)
                                   .arg(name);
                for (int i = 0; i < iface->childCount(); ++i)
                    walk(iface->child(i), here);
            };
        QAccessibleInterface *root = QAccessible::queryAccessibleInterface(&window);
        QVERIFY(root);
        walk(root, QString());
        QVERIFY(visited > 20);
        QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(QLatin1Char('\n'))));
    }
};

QTEST_MAIN(TestAccessibility)
#include "tst_accessibility.moc"
