// Call entries in the window (issue 13), offscreen against a real server process: the line a
// call leaves in the private conversation, and a missed call that stays visible as unread
// where there is no system tray (offscreen has none).
#include "clientapp.h"
#include "mainwindow.h"
#include "messageview.h"
#include "model/chatcontroller.h"
#include "net/historycache.h"
#include "net/outboxstore.h"
#include "protocol/messageencoder.h"
#include "serverprocess.h"
#include "settings/settings.h"
#include "testclient.h"
#include "theme.h"

#include <QApplication>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTemporaryDir>
#include <QTest>

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
int unread(ChatController &c, const QString &key)
{
    const int row = c.conversations()->rowOf(key);
    return row < 0 ? -1
                   : c.conversations()->index(row).data(ConversationListModel::UnreadRole).toInt();
}
QStringList lines(MessageListModel *model)
{
    QStringList list;
    for (int row = 0; model && row < model->rowCount(); ++row)
        list << model->index(row).data().toString();
    return list;
}
// The id of the first call step of `type` that `events` (a spy on
// ClientSession::callEventReceived, made before the step was caused) saw or sees next.
quint32 callIdOf(QSignalSpy &events, const QString &type)
{
    auto find = [&]() -> quint32 {
        for (const QList<QVariant> &args : events) {
            const auto m = args.at(0).value<ServerMessage>();
            if (m.typeName == type)
                return m.callId;
        }
        return 0;
    };
    while (find() == 0 && events.wait()) {
    }
    return find();
}
using Spy = std::unique_ptr<QSignalSpy>;
Spy callEvents(ChatController &c)
{
    return std::make_unique<QSignalSpy>(c.session(), &ClientSession::callEventReceived);
}
} // namespace

class TestCallEntries : public QObject
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
        QVERIFY(m_server.start());
    }

    void missedCallIsUnreadWhereThereIsNoTray()
    {
        QVERIFY(!QSystemTrayIcon::isSystemTrayAvailable()); // what this test is about
        auto bobCtl = online(m_server.url(), QStringLiteral("m_bob"));
        QVERIFY(bobCtl);
        auto sb = settings(QStringLiteral("mb"));
        MainWindow bob(bobCtl.get(), sb.get());
        bob.show();
        TestClient alice;
        QVERIFY(alice.open(m_server.url()) && alice.login(QStringLiteral("m_alice")));
        const Spy rings = callEvents(*bobCtl);
        alice.sendJson(MessageEncoder::callRequest(QStringLiteral("call_invite"), 0,
                                                   QStringLiteral("m_bob"),
                                                   {QStringLiteral("audio")}, QStringLiteral("i")));
        const quint32 call = quint32(
            alice.waitForType(QStringLiteral("ack")).value(QLatin1String("call")).toInteger());
        QVERIFY(call != 0);
        QCOMPARE(callIdOf(*rings, QStringLiteral("call_invite")), call);
        alice.sendJson(MessageEncoder::callRequest(QStringLiteral("call_cancel"), call));

        // bob looks at the room: the conversation with alice gets the missed call, unread, and
        // the window title counts it (what a taskbar shows).
        QTRY_COMPARE(unread(*bobCtl, QStringLiteral("m_alice")), 1);
        QCOMPARE(lines(bobCtl->conversations()->find(QStringLiteral("m_alice"))),
                 QStringList{QStringLiteral("Missed call from m_alice")});
        QTRY_VERIFY2(bob.windowTitle().startsWith(QLatin1String("(1) m_bob")),
                     qPrintable(bob.windowTitle()));

        // Shown as a centred line of its own, not as a bubble of alice's.
        bob.openConversation(QStringLiteral("m_alice"));
        MessageView *view = bob.messageView();
        QTRY_COMPARE(view->model()->rowCount(), 1);
        const QModelIndex entry = view->model()->index(0, 0);
        QVERIFY(entry.data(MessageListModel::MissedCallRole).toBool());
        QTRY_VERIFY(view->textRect(entry).isValid());
        const QRect text = view->textRect(entry);
        const int width = view->viewport()->width();
        QVERIFY2(text.left() > width / 4 && text.left() < width / 2 && text.right() > width / 2,
                 qPrintable(
                     QStringLiteral("%1..%2 of %3").arg(text.left()).arg(text.right()).arg(width)));
        QApplication::setActiveWindow(&bob); // read once the window is in front
        QTRY_COMPARE(unread(*bobCtl, QStringLiteral("m_alice")), 0);
        QTRY_VERIFY2(bob.windowTitle().startsWith(QLatin1String("m_bob")),
                     qPrintable(bob.windowTitle()));
    }

    // A missed call recorded while this client's connection was down (here: it had not
    // connected yet; the call rang bob's other device) comes in the catch-up, unread too.
    void missedCallInTheCatchUpIsUnread()
    {
        ServerProcess server;
        QVERIFY(server.createAccount(QStringLiteral("o_bob"), QStringLiteral("bob's password")));
        QVERIFY(server.start());
        ChatController laptop; // running, not connected
        laptop.setWindowActive(false);
        TestClient phone, alice;
        QVERIFY(phone.open(server.url()) &&
                phone.signIn(QStringLiteral("o_bob"), QStringLiteral("bob's password")));
        QVERIFY(alice.open(server.url()) && alice.login(QStringLiteral("o_alice")));
        alice.sendJson(MessageEncoder::callRequest(QStringLiteral("call_invite"), 0,
                                                   QStringLiteral("o_bob"),
                                                   {QStringLiteral("audio")}, QStringLiteral("i")));
        const quint32 call = quint32(phone.waitForType(QStringLiteral("call_invite"))
                                         .value(QLatin1String("call"))
                                         .toInteger());
        QVERIFY(call != 0);
        alice.sendJson(MessageEncoder::callRequest(QStringLiteral("call_cancel"), call));
        QVERIFY(!phone
                     .waitFor([](const QJsonObject &o) {
                         return o.value(QLatin1String("call")).isObject();
                     })
                     .isEmpty());

        SessionCredentials password;
        password.mode = SessionCredentials::Mode::Password;
        password.password = QStringLiteral("bob's password");
        QSignalSpy in(laptop.session(), &ClientSession::loggedIn);
        laptop.connectTo(server.url(), QStringLiteral("o_bob"), password);
        QVERIFY(in.wait());
        QTRY_COMPARE(lines(laptop.conversations()->find(QStringLiteral("o_alice"))),
                     QStringList{QStringLiteral("Missed call from o_alice")});
        QCOMPARE(unread(laptop, QStringLiteral("o_alice")), 1);
    }

    void answeredCallIsOneLineForBothAndNotUnread()
    {
        auto alice = online(m_server.url(), QStringLiteral("t_alice"));
        auto bob = online(m_server.url(), QStringLiteral("t_bob"));
        QVERIFY(alice && bob);
        alice->setWindowActive(false);
        bob->setWindowActive(false);
        const Spy toAlice = callEvents(*alice);
        const Spy toBob = callEvents(*bob);
        alice->session()->sendCallRequest(MessageEncoder::callRequest(
            QStringLiteral("call_invite"), 0, QStringLiteral("t_bob"),
            {QStringLiteral("audio"), QStringLiteral("video")}, QStringLiteral("c")));
        const quint32 call = callIdOf(*toBob, QStringLiteral("call_invite"));
        QVERIFY(call != 0);
        bob->session()->sendCallRequest(
            MessageEncoder::callRequest(QStringLiteral("call_accept"), call));
        QCOMPARE(callIdOf(*toAlice, QStringLiteral("call_accept")), call);
        bob->session()->sendCallRequest(
            MessageEncoder::callRequest(QStringLiteral("call_hangup"), call));

        QTRY_COMPARE(lines(alice->conversations()->find(QStringLiteral("t_bob"))).size(), 1);
        QTRY_COMPARE(lines(bob->conversations()->find(QStringLiteral("t_alice"))).size(), 1);
        const QString line = lines(alice->conversations()->find(QStringLiteral("t_bob"))).first();
        QVERIFY2(line.startsWith(QLatin1String("Video call, 0:")), qPrintable(line));
        QCOMPARE(lines(bob->conversations()->find(QStringLiteral("t_alice"))).first(), line);
        // A call both took part in is no news to either.
        QCOMPARE(unread(*alice, QStringLiteral("t_bob")), 0);
        QCOMPARE(unread(*bob, QStringLiteral("t_alice")), 0);
    }

    void declinedCallReadsTheSameOnBothSides()
    {
        auto alice = online(m_server.url(), QStringLiteral("n_alice"));
        auto bob = online(m_server.url(), QStringLiteral("n_bob"));
        QVERIFY(alice && bob);
        const Spy toBob = callEvents(*bob);
        alice->session()->sendCallRequest(
            MessageEncoder::callRequest(QStringLiteral("call_invite"), 0, QStringLiteral("n_bob"),
                                        {QStringLiteral("audio")}, QStringLiteral("c")));
        const quint32 call = callIdOf(*toBob, QStringLiteral("call_invite"));
        QVERIFY(call != 0);
        bob->session()->sendCallRequest(
            MessageEncoder::callRequest(QStringLiteral("call_reject"), call));
        QTRY_COMPARE(lines(alice->conversations()->find(QStringLiteral("n_bob"))),
                     QStringList{QStringLiteral("Call declined")});
        QTRY_COMPARE(lines(bob->conversations()->find(QStringLiteral("n_alice"))),
                     QStringList{QStringLiteral("Call declined")});
    }

    // The local history cache keeps an entry's record (the window shows it before the
    // server answers), also in a file written before call entries.
    void historyCacheKeepsTheRecord()
    {
        const QString path = m_dir.filePath(QStringLiteral("cache.sqlite"));
        ChatMessage entry;
        entry.seq = 12;
        entry.timestampMs = 1795655458483;
        entry.from = QStringLiteral("h_alice");
        entry.to = QStringLiteral("h_bob");
        entry.call = CallRecord{CallRecord::Outcome::Answered, false, 252000};
        entry.content = entry.call->plainText(entry.from);
        {
            OutboxStore store;
            QVERIFY2(store.open(path), qPrintable(store.errorString()));
            HistoryCache cache(&store);
            cache.setSelf(QStringLiteral("h_bob"));
            cache.setPrivateAllowed(true);
            cache.add({entry});
            QVERIFY(store.commit());
        }
        OutboxStore store;
        QVERIFY2(store.open(path), qPrintable(store.errorString()));
        HistoryCache cache(&store);
        cache.setSelf(QStringLiteral("h_bob"));
        cache.setPrivateAllowed(true);
        const QList<ChatMessage> page = cache.page(QStringLiteral("h_alice"), 0, 10);
        QCOMPARE(page.size(), 1);
        QVERIFY(page.first().call);
        QCOMPARE(*page.first().call, *entry.call);
        QCOMPARE(MessageListModel::callText(page.first(), false),
                 QStringLiteral("Voice call, 4:12"));
    }

    // Last: the translations stay installed. The lines in Chinese, as a zh_CN user sees them.
    void linesAreTranslatedToChinese()
    {
        ClientApp::installTranslations(*qApp, QStringLiteral("zh_CN"));
        ChatMessage m;
        m.from = QStringLiteral("alice");
        m.to = QStringLiteral("bob");
        m.call = CallRecord{CallRecord::Outcome::Missed, false, 0};
        QCOMPARE(MessageListModel::callText(m, false), QStringLiteral("来自 alice 的未接来电"));
        QCOMPARE(MessageListModel::callText(m, true), QStringLiteral("呼叫 bob，对方未接听"));
        m.call = CallRecord{CallRecord::Outcome::Answered, true, 3723000};
        QCOMPARE(MessageListModel::callText(m, true), QStringLiteral("视频通话，1:02:03"));
        m.call = CallRecord{CallRecord::Outcome::Declined, true, 0};
        QCOMPARE(MessageListModel::callText(m, false), QStringLiteral("视频通话已拒绝"));
    }
};

QTEST_MAIN(TestCallEntries)
#include "tst_callentries.moc"
