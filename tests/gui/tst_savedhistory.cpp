// Issue 15's history cache, end to end against a real server: started with the server down,
// the window shows the last conversation from the cache and says it is offline; when the
// server is back, what was missed fills in, each message once. A catch-up that spans several
// pages is not cut short by live messages, and one cut off is taken up again after a restart
// where it stopped; a saved history too old to catch up with gives way to the newest page; a
// search hit far back opens without a hole; signing out removes the account's cache (also
// what arrives during it), and a guest's private messages and conversations never reach the
// disk.
#include "composeedit.h"
#include "mainwindow.h"
#include "messageview.h"
#include "model/chatcontroller.h"
#include "model/messagesearchmodel.h"
#include "net/outboxstore.h"
#include "serverprocess.h"
#include "settings/settings.h"
#include "testclient.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

using Mode = ClientSession::Credentials::Mode;

ClientSession::Credentials password(const QString &pw)
{
    ClientSession::Credentials c;
    c.mode = Mode::Password;
    c.password = pw;
    c.device = QStringLiteral("test device");
    return c;
}

QStringList contents(const MessageListModel *list)
{
    QStringList out;
    for (int row = 0; list && row < list->rowCount(); ++row)
        out << list->index(row).data().toString();
    return out;
}

// Stored messages in seq order, none twice, none pending.
bool inOrderOnce(const MessageListModel *list)
{
    qint64 last = 0;
    for (int row = 0; row < list->rowCount(); ++row) {
        const qint64 seq = list->index(row).data(MessageListModel::SeqRole).toLongLong();
        if (seq <= last)
            return false;
        last = seq;
    }
    return true;
}

// Stored messages in seq order with no seq missing between the first row and the last (the
// tests' servers number only the messages written in them).
bool contiguous(const MessageListModel *list)
{
    qint64 last = 0;
    for (int row = 0; row < list->rowCount(); ++row) {
        const qint64 seq = list->index(row).data(MessageListModel::SeqRole).toLongLong();
        if (last > 0 && seq != last + 1)
            return false;
        last = seq;
    }
    return true;
}

// Sends `count` room messages "<prefix> 1".. and waits until the server has the last one.
bool writeMany(TestClient &writer, const QString &prefix, int count)
{
    for (int i = 1; i <= count; ++i)
        writer.sendChat(QStringLiteral("%1 %2").arg(prefix).arg(i),
                        QStringLiteral("%1-%2").arg(prefix).arg(i));
    const QString last = QStringLiteral("%1-%2").arg(prefix).arg(count);
    return !writer
                .waitFor([&](const QJsonObject &o) { return o.value(QLatin1String("id")) == last; },
                         20000)
                .isEmpty();
}

QByteArray filesUnder(const QString &folder)
{
    QByteArray all;
    for (const QFileInfo &info : QDir(folder).entryInfoList(QDir::Files)) {
        QFile f(info.filePath());
        if (f.open(QIODevice::ReadOnly))
            all += f.readAll();
    }
    return all;
}

std::unique_ptr<ChatController> client(const QString &folder)
{
    auto c = std::make_unique<ChatController>();
    c->session()->setReconnectDelays(50, 400);
    c->session()->setOutboxFolder(folder);
    return c;
}

} // namespace

class TestSavedHistory : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private slots:
    void startsFromTheCacheOfflineThenFillsTheGap()
    {
        ServerProcess server(ServerProcess::unlimited());
        QVERIFY(server.createAccount(QStringLiteral("alice"), QStringLiteral("alice's secret")));
        QVERIFY(server.createAccount(QStringLiteral("bob"), QStringLiteral("bob's secret")));
        QVERIFY(server.start());
        const QString folder = m_dir.filePath(QStringLiteral("gap"));
        TestClient bob;
        QVERIFY(bob.open(server.url()));
        QVERIFY(bob.signIn(QStringLiteral("bob"), QStringLiteral("bob's secret")));

        QString token;
        {
            auto first = client(folder);
            QSignalSpy issued(first->session(), &ClientSession::tokenIssued);
            QSignalSpy in(first->session(), &ClientSession::loggedIn);
            first->connectTo(server.url(), QStringLiteral("alice"),
                             password(QStringLiteral("alice's secret")));
            QVERIFY(in.wait(15000));
            QCOMPARE(issued.size(), 1);
            token = issued.first().first().toString();
            bob.sendChat(QStringLiteral("room one"), QStringLiteral("r1"));
            bob.sendChat(QStringLiteral("psst one"), QStringLiteral("p1"), QStringLiteral("alice"));
            QTRY_COMPARE(contents(first->conversations()->find(QStringLiteral("bob"))),
                         QStringList{QStringLiteral("psst one")});
            first->send(QString(), QStringLiteral("room two"));
            first->send(QStringLiteral("bob"), QStringLiteral("psst two"));
            QTRY_COMPARE(first->unsentCount(), 0);
            first->setActiveConversation(QStringLiteral("bob"));
            first->disconnectFromServer();
        }
        // While alice is away: more for her, then the server goes down.
        bob.sendChat(QStringLiteral("room three"), QStringLiteral("r3"));
        bob.sendChat(QStringLiteral("psst three"), QStringLiteral("p3"), QStringLiteral("alice"));
        QVERIFY(!bob.waitFor([](const QJsonObject &o) {
                        return o.value(QLatin1String("id")) == QLatin1String("p3");
                    })
                     .isEmpty());
        QVERIFY(server.stop());

        // The next start, with the server unreachable: the window fills from the file.
        auto second = client(folder);
        second->showSaved(server.url(), QStringLiteral("alice"), true);
        Settings settings(m_dir.filePath(QStringLiteral("gap.ini")));
        MainWindow window(second.get(), &settings);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(second->activeConversation(), QStringLiteral("bob"));
        MessageListModel *withBob = second->conversations()->find(QStringLiteral("bob"));
        MessageListModel *room = second->conversations()->find(QString());
        QVERIFY(withBob && room);
        QCOMPARE(contents(withBob),
                 (QStringList{QStringLiteral("psst one"), QStringLiteral("psst two")}));
        QCOMPARE(contents(room),
                 (QStringList{QStringLiteral("room one"), QStringLiteral("room two")}));
        QCOMPARE(window.findChild<QLabel *>(QStringLiteral("conversationTitle"))->text(),
                 QStringLiteral("bob"));

        ClientSession::Credentials saved;
        saved.mode = Mode::Token;
        saved.token = token;
        QSignalSpy lost(second->session(), &ClientSession::connectionLost);
        second->connectTo(server.url(), QStringLiteral("alice"), saved);
        QVERIFY(lost.wait());
        auto *status = window.findChild<QLabel *>(QStringLiteral("connectionStatus"));
        QVERIFY(status);
        QVERIFY2(status->text().contains(QLatin1String("showing saved messages")),
                 qPrintable(status->text()));
        // Still what the cache had, once each.
        QCOMPARE(withBob->rowCount(), 2);

        QVERIFY(server.start());
        QTRY_COMPARE_WITH_TIMEOUT(
            contents(withBob),
            (QStringList{QStringLiteral("psst one"), QStringLiteral("psst two"),
                         QStringLiteral("psst three")}),
            15000);
        QTRY_COMPARE(contents(room),
                     (QStringList{QStringLiteral("room one"), QStringLiteral("room two"),
                                  QStringLiteral("room three")}));
        QVERIFY(inOrderOnce(withBob));
        QVERIFY(inOrderOnce(room));
        QTRY_VERIFY(!status->text().contains(QLatin1String("saved")));
    }

    void searchFindsSavedMessagesOfflineAndOpensThem()
    {
        // A saved conversation longer than the first screenful, and no server at all.
        ServerProcess server;
        QVERIFY(server.start() && server.stop());
        const QString folder = m_dir.filePath(QStringLiteral("search"));
        {
            OutboxStore store;
            QVERIFY(store.open(QDir(folder).filePath(
                OutboxStore::fileName(server.url(), QStringLiteral("finn")))));
            HistoryCache cache(&store);
            cache.setSelf(QStringLiteral("finn"));
            QList<ChatMessage> room;
            for (qint64 seq = 1; seq <= 500; ++seq) {
                ChatMessage m;
                m.seq = seq;
                m.timestampMs = 1'700'000'000'000 + seq * 60'000;
                m.from = seq % 2 ? QStringLiteral("gus") : QStringLiteral("finn");
                m.content = seq == 7 ? QStringLiteral("the platypus plan is on page four")
                                     : QStringLiteral("message number %1").arg(seq);
                room << m;
            }
            cache.add(room);
            QVERIFY(store.commit());
        }
        auto c = client(folder);
        c->connectTo(server.url(), QStringLiteral("finn"));
        Settings settings(m_dir.filePath(QStringLiteral("search.ini")));
        MainWindow window(c.get(), &settings);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        MessageListModel *room = c->conversations()->find(QString());
        QVERIFY(room->rowCount() < 100); // the newest page, not all 500
        QCOMPARE(room->rowOfSeq(7), -1);

        auto *search = window.findChild<QLineEdit *>(QStringLiteral("searchEdit"));
        auto *results = window.findChild<QListView *>(QStringLiteral("searchResultsView"));
        auto *label = window.findChild<QLabel *>(QStringLiteral("searchResultsLabel"));
        QVERIFY(search && results && label);
        QTest::keySequence(&window, QKeySequence(Qt::CTRL | Qt::Key_K));
        QVERIFY(search->hasFocus());
        QTest::keyClicks(search, QStringLiteral("Platypus"));
        QTRY_COMPARE(results->model()->rowCount(), 1);
        QVERIFY(results->isVisible());
        QVERIFY(results->model()->index(0, 0).data().toString().contains(
            QLatin1String("platypus plan")));

        // Enter: no conversation is called that, so the first message hit opens.
        QTest::keyClick(search, Qt::Key_Return);
        const int row = room->rowOfSeq(7);
        QVERIFY(row >= 0);
        QCOMPARE(room->index(row).data().toString(),
                 QStringLiteral("the platypus plan is on page four"));
        QVERIFY(inOrderOnce(room));
        QCOMPARE(room->index(0).data(MessageListModel::SeqRole).toLongLong() <= 7, true);
        // Everything between the hit and the newest page is there: no hole.
        QCOMPARE(room->rowCount(),
                 500 - room->index(0).data(MessageListModel::SeqRole).toInt() + 1);
        MessageView *view = window.messageView();
        QVERIFY(!view->isAtBottom());
        QVERIFY(view->firstVisibleRow() <= row);
        QVERIFY(row - view->firstVisibleRow() < 10);

        // A word nowhere: said so, and Esc clears the search.
        search->setFocus();
        search->selectAll();
        QTest::keyClicks(search, QStringLiteral("wallaby"));
        QTRY_VERIFY(label->isVisible() && label->text().contains(QLatin1String("No results")));
        QVERIFY(!results->isVisible());
        QTest::keyClick(search, Qt::Key_Escape);
        QVERIFY(search->text().isEmpty());
        QTRY_VERIFY(!label->isVisible());
    }

    void liveMessagesDoNotCutACatchUpShort()
    {
        // More was missed than one page holds, and new messages arrive while the pages do.
        ServerProcess server(ServerProcess::unlimited());
        QVERIFY(server.start());
        const QString folder = m_dir.filePath(QStringLiteral("pages"));
        TestClient writer;
        QVERIFY(writer.open(server.url()));
        QVERIFY(writer.login(QStringLiteral("writer")));
        {
            auto first = client(folder);
            QSignalSpy in(first->session(), &ClientSession::loggedIn);
            first->connectTo(server.url(), QStringLiteral("reader"));
            QVERIFY(in.wait(15000));
            writer.sendChat(QStringLiteral("before"), QStringLiteral("b0"));
            QTRY_COMPARE(contents(first->conversations()->find(QString())),
                         QStringList{QStringLiteral("before")});
            first->disconnectFromServer();
        }
        const int missed = 450; // over two of the server's pages of 200
        for (int i = 1; i <= missed; ++i)
            writer.sendChat(QStringLiteral("missed %1").arg(i), QStringLiteral("m%1").arg(i));
        QVERIFY(!writer
                     .waitFor(
                         [&](const QJsonObject &o) {
                             return o.value(QLatin1String("id")) ==
                                    QStringLiteral("m%1").arg(missed);
                         },
                         15000)
                     .isEmpty());

        auto second = client(folder);
        MessageListModel *room = second->conversations()->messages(QString());
        QObject::connect(second->session(), &ClientSession::loggedIn, &writer,
                         [&] { writer.sendChat(QStringLiteral("live"), QStringLiteral("live")); });
        second->connectTo(server.url(), QStringLiteral("reader"));
        QTRY_COMPARE_WITH_TIMEOUT(room->rowCount(), missed + 2, 20000);
        QVERIFY(inOrderOnce(room));
        const QStringList shown = contents(room);
        QCOMPARE(shown.first(), QStringLiteral("before"));
        for (int i = 1; i <= missed; ++i)
            QVERIFY2(shown.contains(QStringLiteral("missed %1").arg(i)),
                     qPrintable(QString::number(i)));
        QVERIFY(shown.contains(QStringLiteral("live")));
        // The cache holds them too, for the next start.
        QCOMPARE(second->session()->history()->count(QString()), missed + 2);
    }

    void signingOutRemovesTheAccountsCache()
    {
        ServerProcess server(ServerProcess::unlimited());
        QVERIFY(server.createAccount(QStringLiteral("carol"), QStringLiteral("carol's secret")));
        QVERIFY(server.start());
        const QString folder = m_dir.filePath(QStringLiteral("signout"));
        TestClient dave;
        QVERIFY(dave.open(server.url()));
        QVERIFY(dave.login(QStringLiteral("dave")));
        auto carol = client(folder);
        QSignalSpy in(carol->session(), &ClientSession::loggedIn);
        carol->connectTo(server.url(), QStringLiteral("carol"),
                         password(QStringLiteral("carol's secret")));
        QVERIFY(in.wait(15000));
        dave.sendChat(QStringLiteral("quokka in the room"), QStringLiteral("d1"));
        dave.sendChat(QStringLiteral("quokka just for carol"), QStringLiteral("d2"),
                      QStringLiteral("carol"));
        QTRY_COMPARE(carol->session()->history()->maxSeq(), 2);
        QTRY_VERIFY(filesUnder(folder).contains("quokka just for carol"));

        QSignalSpy ended(carol->session(), &ClientSession::sessionEnded);
        carol->session()->signOut();
        QVERIFY(ended.wait());
        QCOMPARE(carol->session()->history()->maxSeq(), 0);
        QVERIFY(!filesUnder(folder).contains("quokka"));
    }

    void aRestartAfterAnInterruptedCatchUpShowsEverything()
    {
        // A catch-up cut off after a page, with a newer live message already in the cache:
        // the next start must read on from where the pages had got to, not from that
        // message (which would skip the pages never read, for good).
        ServerProcess server(ServerProcess::unlimited());
        QVERIFY(server.start());
        const QString folder = m_dir.filePath(QStringLiteral("interrupted"));
        TestClient writer;
        QVERIFY(writer.open(server.url()));
        QVERIFY(writer.login(QStringLiteral("penn")));
        {
            auto first = client(folder);
            QSignalSpy in(first->session(), &ClientSession::loggedIn);
            first->connectTo(server.url(), QStringLiteral("quinn"));
            QVERIFY(in.wait(15000));
            writer.sendChat(QStringLiteral("before"), QStringLiteral("b0"));
            QTRY_COMPARE(contents(first->conversations()->find(QString())),
                         QStringList{QStringLiteral("before")});
            first->disconnectFromServer();
        }
        const int missed = 1000; // five of the server's pages of 200
        QVERIFY(writeMany(writer, QStringLiteral("missed"), missed));
        {
            auto second = client(folder);
            MessageListModel *room = second->conversations()->messages(QString());
            bool pageSeen = false;
            bool liveSeen = false;
            bool finished = false;
            auto cutWhenBoth = [&] {
                if (pageSeen && liveSeen &&
                    second->session()->state() == ClientSession::State::Online)
                    second->disconnectFromServer();
            };
            QObject::connect(second->session(), &ClientSession::loggedIn, &writer, [&] {
                writer.sendChat(QStringLiteral("live"), QStringLiteral("live"));
            });
            QObject::connect(second->session(), &ClientSession::historyReceived, &writer,
                             [&](const QString &with, const QList<ChatMessage> &, bool more) {
                                 if (with != QLatin1String("*"))
                                     return;
                                 finished = finished || !more;
                                 pageSeen = true;
                                 cutWhenBoth();
                             });
            QObject::connect(second->session(), &ClientSession::messageReceived, &writer,
                             [&](const ChatMessage &m) {
                                 liveSeen = liveSeen || m.content == QLatin1String("live");
                                 cutWhenBoth();
                             });
            second->connectTo(server.url(), QStringLiteral("quinn"));
            QTRY_COMPARE_WITH_TIMEOUT(second->session()->state(), ClientSession::State::Offline,
                                      20000);
            QVERIFY(contents(room).contains(QStringLiteral("live")));
            QVERIFY2(!finished, "the catch-up ended before it could be cut off");
            QVERIFY(!contents(room).contains(QStringLiteral("missed %1").arg(missed)));
        }

        auto third = client(folder);
        MessageListModel *room = third->conversations()->messages(QString());
        third->connectTo(server.url(), QStringLiteral("quinn"));
        QTRY_VERIFY_WITH_TIMEOUT(contents(room).contains(QStringLiteral("missed %1").arg(missed)),
                                 20000);
        // From the first saved message shown to the newest: each once, in order, none missing.
        QTRY_COMPARE(contents(room).last(), QStringLiteral("live"));
        QVERIFY(inOrderOnce(room));
        QVERIFY(contiguous(room));
        QCOMPARE(contents(room).count(QStringLiteral("live")), 1);
        const HistoryCache *cache = third->session()->history();
        QTRY_COMPARE(cache->caughtUpTo(), cache->maxSeq());
    }

    void aSavedHistoryTooOldIsReplacedByTheNewestPage()
    {
        // More was missed than the cache keeps: the catch-up does not read all of it, and the
        // window does not show the old messages above a hole.
        ServerProcess server(ServerProcess::unlimited());
        QVERIFY(server.start());
        const QString folder = m_dir.filePath(QStringLiteral("stale"));
        TestClient writer;
        QVERIFY(writer.open(server.url()));
        QVERIFY(writer.login(QStringLiteral("rory")));
        {
            auto first = client(folder);
            first->session()->history()->setLimit(100);
            QSignalSpy in(first->session(), &ClientSession::loggedIn);
            first->connectTo(server.url(), QStringLiteral("sage"));
            QVERIFY(in.wait(15000));
            writer.sendChat(QStringLiteral("old news"), QStringLiteral("old"));
            QTRY_COMPARE(contents(first->conversations()->find(QString())),
                         QStringList{QStringLiteral("old news")});
            first->disconnectFromServer();
        }
        const int missed = 1000;
        QVERIFY(writeMany(writer, QStringLiteral("new"), missed));

        auto second = client(folder);
        second->session()->history()->setLimit(100);
        QSignalSpy pages(second->session(), &ClientSession::historyReceived);
        QSignalSpy dropped(second->session(), &ClientSession::savedHistoryDropped);
        MessageListModel *room = second->conversations()->messages(QString());
        second->connectTo(server.url(), QStringLiteral("sage"));
        QCOMPARE(contents(room), QStringList{QStringLiteral("old news")}); // from the cache
        QTRY_VERIFY_WITH_TIMEOUT(contents(room).contains(QStringLiteral("new %1").arg(missed)),
                                 20000);
        QTest::qWait(200); // no further pages come
        QCOMPARE(dropped.size(), 1);
        QCOMPARE(pages.size(), 2); // one page forwards, then the newest
        QVERIFY(!contents(room).contains(QStringLiteral("old news")));
        QVERIFY(!contents(room).contains(QStringLiteral("new 1")));
        QCOMPARE(contents(room).last(), QStringLiteral("new %1").arg(missed));
        QVERIFY(inOrderOnce(room));
        QVERIFY(contiguous(room));
        // The cache is the newest run too, and the next start catches up after it.
        const HistoryCache *cache = second->session()->history();
        QCOMPARE(cache->search(QStringLiteral("old news"), 10).size(), 0);
        QCOMPARE(cache->caughtUpTo(), cache->maxSeq());
        QCOMPARE(second->session()->lastSeq(), cache->maxSeq());
    }

    void jumpingToAnOldHitLeavesNoHole()
    {
        // A hit further back than the 5,000 messages one step of joining used to cover (the
        // cache may keep more: history/messagesPerConversation).
        ServerProcess server;
        QVERIFY(server.start() && server.stop());
        const QString folder = m_dir.filePath(QStringLiteral("far"));
        const int total = 2 * HistoryCache::kDefaultLimit + 500;
        {
            OutboxStore store;
            QVERIFY(store.open(QDir(folder).filePath(
                OutboxStore::fileName(server.url(), QStringLiteral("tess")))));
            HistoryCache cache(&store);
            cache.setSelf(QStringLiteral("tess"));
            cache.setLimit(4 * HistoryCache::kDefaultLimit);
            QList<ChatMessage> room;
            for (qint64 seq = 1; seq <= total; ++seq) {
                ChatMessage m;
                m.seq = seq;
                m.timestampMs = 1'700'000'000'000 + seq * 1000;
                m.from = QStringLiteral("ulla");
                m.content =
                    seq == 5 ? QStringLiteral("the needle") : QStringLiteral("hay %1").arg(seq);
                room << m;
            }
            cache.add(room);
            QVERIFY(store.commit());
        }
        auto c = client(folder);
        c->session()->history()->setLimit(4 * HistoryCache::kDefaultLimit);
        c->showSaved(server.url(), QStringLiteral("tess"), false);
        MessageListModel *room = c->conversations()->find(QString());
        QVERIFY(room && room->rowCount() < 100);
        const QList<HistoryCache::Hit> hits = c->searchSaved(QStringLiteral("needle"));
        QCOMPARE(hits.size(), 1);
        QVERIFY(c->showMessage(QString(), hits.first().message.seq));
        QVERIFY(room->rowOfSeq(5) >= 0);
        QCOMPARE(room->index(room->rowCount() - 1).data(MessageListModel::SeqRole).toInt(), total);
        QVERIFY(inOrderOnce(room));
        QVERIFY(contiguous(room));
        QCOMPARE(room->rowCount(),
                 total - room->index(0).data(MessageListModel::SeqRole).toInt() + 1);
    }

    void signingOutLeavesNothingOfTheAccountOnDisk()
    {
        // What arrives while the sign-out is under way, and what the window does after it,
        // must not bring the account's messages or its last conversation back to the disk.
        ServerProcess server(ServerProcess::unlimited());
        QVERIFY(server.createAccount(QStringLiteral("vera"), QStringLiteral("vera's secret")));
        QVERIFY(server.start());
        const QString folder = m_dir.filePath(QStringLiteral("signout-late"));
        TestClient walt;
        QVERIFY(walt.open(server.url()));
        QVERIFY(walt.login(QStringLiteral("walt")));
        auto vera = client(folder);
        QSignalSpy in(vera->session(), &ClientSession::loggedIn);
        vera->connectTo(server.url(), QStringLiteral("vera"),
                        password(QStringLiteral("vera's secret")));
        QVERIFY(in.wait(15000));
        walt.sendChat(QStringLiteral("axolotl one for vera"), QStringLiteral("w0"),
                      QStringLiteral("vera"));
        QTRY_VERIFY(filesUnder(folder).contains("axolotl one"));
        vera->setActiveConversation(QStringLiteral("walt"));

        // Signed out as the first of two private messages arrives: the second is on its way.
        QObject::connect(vera->session(), &ClientSession::messageReceived, vera.get(),
                         [&](const ChatMessage &m) {
                             if (m.content == QLatin1String("axolotl two for vera"))
                                 vera->session()->signOut();
                         });
        QSignalSpy ended(vera->session(), &ClientSession::sessionEnded);
        walt.sendChat(QStringLiteral("axolotl two for vera"), QStringLiteral("w1"),
                      QStringLiteral("vera"));
        walt.sendChat(QStringLiteral("axolotl three for vera"), QStringLiteral("w2"),
                      QStringLiteral("vera"));
        QVERIFY(ended.wait());
        // The window goes on after it: another conversation, and a message that cannot go.
        vera->setActiveConversation(QString());
        vera->setActiveConversation(QStringLiteral("walt"));
        vera->send(QStringLiteral("walt"), QStringLiteral("axolotl four, never sent"));
        QTest::qWait(200); // the end of the turn's commit, had anything been written
        const QByteArray bytes = filesUnder(folder);
        QVERIFY(!bytes.contains("axolotl"));
        QVERIFY(!bytes.contains("last_conversation"));
        QCOMPARE(vera->session()->history()->maxSeq(), 0);
    }

    void aGuestsLastConversationIsKeptOnlyForTheRoom()
    {
        ServerProcess server;
        QVERIFY(server.start() && server.stop());
        const QString folder = m_dir.filePath(QStringLiteral("guest-last"));
        auto c = client(folder);
        c->showSaved(server.url(), QStringLiteral("xena"), false);
        c->setActiveConversation(QStringLiteral("yuri"));
        QCOMPARE(c->session()->history()->value(HistoryCache::kLastConversation), QString());
        c.reset();
        QVERIFY(!filesUnder(folder).contains("yuri"));
    }

    void aGuestStaysTheSameGuestAfterARestart()
    {
        // The client died after the server stored a message but before the ack was written:
        // the next run resends it, and the server must know it as the same guest's.
        ServerProcess server(ServerProcess::unlimited());
        QVERIFY(server.start());
        const QString folder = m_dir.filePath(QStringLiteral("guest-restart"));
        TestClient hal;
        QVERIFY(hal.open(server.url()));
        QVERIFY(hal.login(QStringLiteral("hal")));
        QString id;
        {
            auto first = client(folder);
            QSignalSpy in(first->session(), &ClientSession::loggedIn);
            first->connectTo(server.url(), QStringLiteral("ivy"));
            QVERIFY(in.wait(15000));
            QSignalSpy acked(first->session(), &ClientSession::messageAcknowledged);
            first->send(QString(), QStringLiteral("said only once"));
            QVERIFY(acked.wait());
            id = acked.first().first().toString();
            first->disconnectFromServer();
        }
        QVERIFY(!hal.waitForChat(QStringLiteral("said only once")).isEmpty());
        {
            // What the file would hold had the client been killed before the ack.
            OutboxStore store;
            QVERIFY(store.open(
                QDir(folder).filePath(OutboxStore::fileName(server.url(), QStringLiteral("ivy")))));
            store.insert({id, QStringLiteral("said only once"), QString(),
                          QDateTime::currentDateTimeUtc(), 0});
            QVERIFY(store.commit());
        }
        auto second = client(folder);
        QCOMPARE(second->unsentCount(), 0);
        second->connectTo(server.url(), QStringLiteral("ivy"));
        QCOMPARE(second->unsentCount(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(second->unsentCount(), 0, 15000);
        second->send(QString(), QStringLiteral("and then this"));
        QVERIFY(!hal.waitForChat(QStringLiteral("and then this")).isEmpty());
        QCOMPARE(hal.countChats(QStringLiteral("said only once")), 1);
        QCOMPARE(contents(second->conversations()->find(QString()))
                     .count(QStringLiteral("said only once")),
                 1);
    }

    // Unsent drafts are kept with the history: the next start shows each in its conversation
    // (the open one in the compose box), also without the network.
    void draftsSurviveARestart()
    {
        ServerProcess server(ServerProcess::unlimited());
        QVERIFY(server.createAccount(QStringLiteral("dana"), QStringLiteral("dana's secret")));
        QVERIFY(server.start());
        const QString folder = m_dir.filePath(QStringLiteral("drafts"));
        {
            auto first = client(folder);
            QSignalSpy in(first->session(), &ClientSession::loggedIn);
            first->connectTo(server.url(), QStringLiteral("dana"),
                             password(QStringLiteral("dana's secret")));
            QVERIFY(in.wait(15000));
            first->setDraft(QStringLiteral("a room draft, 未完"));
            first->setActiveConversation(QStringLiteral("Emil"));
            first->setDraft(QStringLiteral("line one for emil\nline two"));
            first->disconnectFromServer();
        } // quit within a second of the last keystroke: saved on the way out
        QVERIFY(server.stop());

        {
            auto second = client(folder);
            second->showSaved(server.url(), QStringLiteral("dana"), true);
            QCOMPARE(second->activeConversation(), QStringLiteral("Emil"));
            QCOMPARE(second->draft(), QStringLiteral("line one for emil\nline two"));
            QCOMPARE(second->conversations()->draft(QString()),
                     QStringLiteral("a room draft, 未完"));
            Settings settings(m_dir.filePath(QStringLiteral("drafts.ini")));
            MainWindow window(second.get(), &settings);
            window.show();
            QCOMPARE(window.composeEdit()->toPlainText(),
                     QStringLiteral("line one for emil\nline two"));
            second->setActiveConversation(QString());
            QCOMPARE(window.composeEdit()->toPlainText(), QStringLiteral("a room draft, 未完"));
            // A cleared draft does not come back.
            window.composeEdit()->clear();
        }
        auto third = client(folder);
        third->showSaved(server.url(), QStringLiteral("dana"), true);
        QCOMPARE(third->conversations()->draft(QString()), QString());
        QCOMPARE(third->conversations()->draft(QStringLiteral("emil")),
                 QStringLiteral("line one for emil\nline two"));
    }

    // The saved drafts are read like any input: a damaged or foreign value is left out, a
    // good entry beside it still comes back.
    void damagedSavedDraftsAreLeftOut()
    {
        ServerProcess server;
        QVERIFY(server.start() && server.stop());
        const QString folder = m_dir.filePath(QStringLiteral("bad-drafts"));
        for (const QString &value :
             {QStringLiteral("not json at all {"), QStringLiteral("[1,2,3]"),
              QStringLiteral(R"({"bad name with spaces":"x","felix":"kept","gus":42,)"
                             R"("hal":"","ivy":["a"],"olga":"that is me"})")}) {
            {
                auto c = client(folder);
                c->showSaved(server.url(), QStringLiteral("olga"), true);
                c->session()->history()->setValue(QStringLiteral("drafts"), value);
            }
            auto c = client(folder);
            c->showSaved(server.url(), QStringLiteral("olga"), true);
            const QHash<QString, QString> drafts = c->conversations()->drafts();
            if (value.startsWith(QLatin1Char('{'))) {
                QCOMPARE(drafts, (QHash<QString, QString>{
                                     {QStringLiteral("felix"), QStringLiteral("kept")}}));
            } else {
                QVERIFY(drafts.isEmpty());
            }
        }
    }

    // A guest's drafts, private ones included, never reach the disk.
    void aGuestsDraftsStayInMemory()
    {
        ServerProcess server;
        QVERIFY(server.start() && server.stop());
        const QString folder = m_dir.filePath(QStringLiteral("guest-drafts"));
        auto c = client(folder);
        c->showSaved(server.url(), QStringLiteral("xavi"), false);
        c->setDraft(QStringLiteral("quokka in the room"));
        c->setActiveConversation(QStringLiteral("yuri"));
        c->setDraft(QStringLiteral("quokka for yuri"));
        QCOMPARE(c->conversations()->draft(QString()), QStringLiteral("quokka in the room"));
        c.reset();
        QVERIFY(!filesUnder(folder).contains("quokka"));
    }

    void guestsPrivateMessagesNeverReachTheDisk()
    {
        ServerProcess server(ServerProcess::unlimited());
        QVERIFY(server.start());
        const QString folder = m_dir.filePath(QStringLiteral("guest"));
        TestClient erin;
        QVERIFY(erin.open(server.url()));
        QVERIFY(erin.login(QStringLiteral("erin")));
        auto guest = client(folder);
        QSignalSpy in(guest->session(), &ClientSession::loggedIn);
        guest->connectTo(server.url(), QStringLiteral("gina"));
        QVERIFY(in.wait(15000));
        erin.sendChat(QStringLiteral("wombat for gina only"), QStringLiteral("e1"),
                      QStringLiteral("gina"));
        erin.sendChat(QStringLiteral("wombat for everyone"), QStringLiteral("e2"));
        guest->send(QStringLiteral("erin"), QStringLiteral("wombat reply"));
        QTRY_COMPARE(contents(guest->conversations()->find(QString())),
                     QStringList{QStringLiteral("wombat for everyone")});
        QTRY_COMPARE(guest->unsentCount(), 0);
        QVERIFY(guest->session()->outboxPath().startsWith(folder));
        QCOMPARE(guest->session()->history()->search(QStringLiteral("wombat"), 10).size(), 1);
        QCOMPARE(guest->session()->history()->count(QStringLiteral("erin")), 0);
        guest->disconnectFromServer();
        guest.reset(); // closes the file
        const QByteArray bytes = filesUnder(folder);
        QVERIFY(bytes.contains("wombat for everyone"));
        QVERIFY(!bytes.contains("gina only"));
    }
};

QTEST_MAIN(TestSavedHistory)
#include "tst_savedhistory.moc"
