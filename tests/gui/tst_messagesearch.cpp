// Ctrl+K message search in the window (issue 14), offscreen, against a real server process:
// hits from the server's whole history with who, where and the words around the match; Enter
// opens the conversation at the message, loading the older pages it is in; others' private
// messages are never among the hits.
#include "mainwindow.h"
#include "messageview.h"
#include "model/chatcontroller.h"
#include "model/messagelistmodel.h"
#include "model/messagesearchmodel.h"
#include "serverprocess.h"
#include "settings/settings.h"
#include "testclient.h"
#include "theme.h"

#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>

namespace {

std::unique_ptr<ChatController> online(const QUrl &url, const QString &name, const QString &folder)
{
    auto c = std::make_unique<ChatController>();
    c->session()->setOutboxFolder(folder);
    QSignalSpy in(c->session(), &ClientSession::loggedIn);
    c->connectTo(url, name);
    if (!in.wait())
        return nullptr;
    return c;
}

QJsonObject ackOf(TestClient &c, const QString &id)
{
    return c.waitFor([&](const QJsonObject &o) {
        return o.value(QLatin1String("type")).toString() == QLatin1String("ack") &&
               o.value(QLatin1String("id")).toString() == id;
    });
}

} // namespace

class TestMessageSearchWindow : public QObject
{
    Q_OBJECT
private:
    ServerProcess m_server{ServerProcess::unlimited()};
    QTemporaryDir m_dir;

private slots:
    void initTestCase()
    {
        Theme::apply(*qApp, Settings::Theme::Light);
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_server.start(), qPrintable(m_server.log()));
    }

    void findsOlderMessagesOnTheServerAndOpensThem()
    {
        // Bob wrote about the unicorn long ago; 300 messages came after it. Carol told bob a
        // secret that mentions it too.
        TestClient bob, carol;
        QVERIFY(bob.open(m_server.url()) && bob.login(QStringLiteral("s_bob")));
        QVERIFY(carol.open(m_server.url()) && carol.login(QStringLiteral("s_carol")));
        bob.sendChat(QStringLiteral("the 独角兽 unicorn plan is ready"), QStringLiteral("u-0"));
        const qint64 unicornSeq =
            ackOf(bob, QStringLiteral("u-0")).value(QLatin1String("seq")).toInteger();
        QVERIFY(unicornSeq > 0);
        carol.sendChat(QStringLiteral("secret: the 独角兽 unicorn is mine"), QStringLiteral("c-0"),
                       QStringLiteral("s_bob"));
        QVERIFY(!ackOf(carol, QStringLiteral("c-0")).isEmpty());
        for (int i = 1; i <= 300; ++i)
            bob.sendChat(QStringLiteral("filler %1").arg(i), QStringLiteral("f-%1").arg(i));
        QVERIFY(!ackOf(bob, QStringLiteral("f-300")).isEmpty());

        // Alice comes later: her window has the newest page only.
        auto alice = online(m_server.url(), QStringLiteral("s_alice"),
                            m_dir.filePath(QStringLiteral("alice")));
        QVERIFY(alice);
        Settings settings(m_dir.filePath(QStringLiteral("alice.ini")));
        MainWindow window(alice.get(), &settings);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        MessageListModel *room = alice->conversations()->messages(QString());
        QTRY_VERIFY(room->rowCount() > 0);
        QCOMPARE(room->rowOfSeq(unicornSeq), -1);

        auto *search = window.findChild<QLineEdit *>(QStringLiteral("searchEdit"));
        auto *results = window.findChild<QListView *>(QStringLiteral("searchResultsView"));
        auto *label = window.findChild<QLabel *>(QStringLiteral("searchResultsLabel"));
        QVERIFY(search && results && label);
        QTest::keySequence(&window, QKeySequence(Qt::CTRL | Qt::Key_K));
        QVERIFY(search->hasFocus());
        search->insert(QStringLiteral("独角兽")); // as an input method types it

        // The server's hit: who, where, and the words around the match, with the searched
        // words to highlight; carol's private message to bob is not among them.
        QTRY_COMPARE(results->model()->rowCount(), 1);
        QTRY_COMPARE(label->text(), QStringLiteral("Messages"));
        QVERIFY(results->isVisible());
        const QModelIndex hit = results->model()->index(0, 0);
        QCOMPARE(hit.data(MessageSearchModel::SenderRole).toString(), QStringLiteral("s_bob"));
        QCOMPARE(hit.data(MessageSearchModel::SeqRole).toLongLong(), unicornSeq);
        QCOMPARE(hit.data(MessageSearchModel::ConversationRole).toString(), QString());
        QVERIFY(hit.data(MessageSearchModel::SnippetRole)
                    .toString()
                    .contains(QStringLiteral("独角兽 unicorn plan")));
        QCOMPARE(hit.data(MessageSearchModel::SearchTextRole).toString(), QStringLiteral("独角兽"));
        QVERIFY(hit.data().toString().contains(QLatin1String("s_bob in the room")));
        QVERIFY(!hit.data().toString().contains(QLatin1String("mine")));

        // Enter opens the room at the message: the pages between it and the newest are
        // loaded from the server, and the view shows it near the top.
        QTest::keyClick(search, Qt::Key_Return);
        QTRY_VERIFY(room->rowOfSeq(unicornSeq) >= 0);
        const int row = room->rowOfSeq(unicornSeq);
        QCOMPARE(room->index(row).data().toString(),
                 QStringLiteral("the 独角兽 unicorn plan is ready"));
        MessageView *view = window.messageView();
        QTRY_VERIFY(!view->isAtBottom());
        QVERIFY(view->firstVisibleRow() <= row);
        QVERIFY(row - view->firstVisibleRow() < 10);
        QCOMPARE(alice->activeConversation(), QString());

        // A word in many messages: the newest first; scrolled to the end, the older pages come
        // from the server (the saved ones are not shown twice).
        search->setFocus();
        search->selectAll();
        QTest::keyClicks(search, QStringLiteral("filler"));
        QTRY_VERIFY(results->model()->rowCount() >= 20 &&
                    results->model()->index(0, 0).data(MessageSearchModel::SearchTextRole) ==
                        QStringLiteral("filler"));
        const int firstRows = results->model()->rowCount();
        QVERIFY(firstRows < 300);
        QTRY_VERIFY([&] {
            results->scrollToBottom();
            return results->model()->rowCount() >= firstRows + 20;
        }());
        QList<qint64> seqs;
        for (int row = 0; row < results->model()->rowCount(); ++row)
            seqs << results->model()->index(row, 0).data(MessageSearchModel::SeqRole).toLongLong();
        QVERIFY(std::is_sorted(seqs.rbegin(), seqs.rend()));
        QVERIFY(std::adjacent_find(seqs.begin(), seqs.end()) == seqs.end());

        // Two words, both needed, in any order; a word nowhere says so; Esc clears it.
        search->setFocus();
        search->selectAll();
        search->insert(QStringLiteral("plan 独角兽"));
        QTRY_COMPARE(results->model()->rowCount(), 1);
        QTRY_COMPARE(label->text(), QStringLiteral("Messages"));
        search->selectAll();
        QTest::keyClicks(search, QStringLiteral("unicorn wallaby"));
        QTRY_VERIFY(label->text().contains(QLatin1String("No results")));
        QVERIFY(!results->isVisible());
        QTest::keyClick(search, Qt::Key_Escape);
        QVERIFY(search->text().isEmpty());
        QTRY_VERIFY(!label->isVisible());
    }

    void bobFindsTheSecretAndOpensItsConversation()
    {
        // The same secret is bob's to find: in his private conversation with carol.
        auto bob =
            online(m_server.url(), QStringLiteral("s_bob2"), m_dir.filePath(QStringLiteral("bob")));
        QVERIFY(bob);
        TestClient carol;
        QVERIFY(carol.open(m_server.url()) && carol.login(QStringLiteral("s_carol2")));
        carol.sendChat(QStringLiteral("between us: 会议纪要 are late"), QStringLiteral("c-1"),
                       QStringLiteral("s_bob2"));
        QVERIFY(!ackOf(carol, QStringLiteral("c-1")).isEmpty());
        Settings settings(m_dir.filePath(QStringLiteral("bob.ini")));
        MainWindow window(bob.get(), &settings);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *search = window.findChild<QLineEdit *>(QStringLiteral("searchEdit"));
        auto *results = window.findChild<QListView *>(QStringLiteral("searchResultsView"));
        QTest::keySequence(&window, QKeySequence(Qt::CTRL | Qt::Key_K));
        search->insert(QStringLiteral("会议纪要"));
        QTRY_COMPARE(results->model()->rowCount(), 1);
        const QModelIndex hit = results->model()->index(0, 0);
        QCOMPARE(hit.data(MessageSearchModel::ConversationRole).toString(),
                 QStringLiteral("s_carol2"));
        QVERIFY(hit.data().toString().contains(QLatin1String("s_carol2, privately")));
        // A click opens the conversation with carol at the message.
        QTest::mouseClick(results->viewport(), Qt::LeftButton, {},
                          results->visualRect(hit).center());
        QTRY_COMPARE(bob->activeConversation(), QStringLiteral("s_carol2"));
        MessageListModel *conversation = bob->conversations()->messages(QStringLiteral("s_carol2"));
        QTRY_VERIFY(conversation->rowOfSeq(hit.data(MessageSearchModel::SeqRole).toLongLong()) >=
                    0);
    }
};

QTEST_MAIN(TestMessageSearchWindow)
#include "tst_messagesearch.moc"
