// The models a window shows, fed by real sessions through a real server.
#include "model/chatcontroller.h"
#include "serverprocess.h"

#include <QSignalSpy>
#include <QTest>

#include <memory>

namespace {
std::unique_ptr<ChatController> online(const QUrl &url, const QString &name)
{
    auto c = std::make_unique<ChatController>();
    c->session()->setReconnectDelays(50, 400);
    QSignalSpy in(c->session(), &ClientSession::loggedIn);
    c->connectTo(url, name);
    if (!in.wait())
        return nullptr;
    return c;
}
QStringList contents(MessageListModel *m)
{
    QStringList list;
    for (int row = 0; m && row < m->rowCount(); ++row)
        list << m->index(row).data().toString();
    return list;
}
int unread(ChatController &c, const QString &key)
{
    const int row = c.conversations()->rowOf(key);
    return row < 0 ? -1
                   : c.conversations()->index(row).data(ConversationListModel::UnreadRole).toInt();
}
} // namespace

class TestChatController : public QObject
{
    Q_OBJECT
private:
    ServerProcess m_server{{QStringLiteral("--rate-limit"), QStringLiteral("1000"),
                            QStringLiteral("--rate-burst"), QStringLiteral("1000")}};

private slots:
    void initTestCase() { QVERIFY(m_server.start()); }

    void privateMessageShowsOnlyInItsConversation()
    {
        auto alice = online(m_server.url(), QStringLiteral("pc_alice"));
        auto bob = online(m_server.url(), QStringLiteral("pc_bob"));
        auto carol = online(m_server.url(), QStringLiteral("pc_carol"));
        QVERIFY(alice && bob && carol);
        // Typed in the room with an @name in front: it goes to bob's conversation.
        QCOMPARE(alice->send(QString(), QStringLiteral("@pc_bob psst")).value_or(QString()),
                 QStringLiteral("pc_bob"));
        QTRY_COMPARE(contents(bob->conversations()->find(QStringLiteral("pc_alice"))),
                     QStringList{QStringLiteral("psst")});
        QTRY_COMPARE(contents(alice->conversations()->find(QStringLiteral("pc_bob"))),
                     QStringList{QStringLiteral("psst")});
        alice->send(QString(), QStringLiteral("in public"));
        QTRY_VERIFY(contents(carol->conversations()->find(QString()))
                        .contains(QStringLiteral("in public")));
        QVERIFY(
            !contents(carol->conversations()->find(QString())).contains(QStringLiteral("psst")));
        QVERIFY(
            !contents(alice->conversations()->find(QString())).contains(QStringLiteral("psst")));
        QCOMPARE(carol->conversations()->rowOf(QStringLiteral("pc_alice")), -1);
        QCOMPARE(unread(*bob, QStringLiteral("pc_alice")), 1);
    }

    void unreadCountsAndMentions()
    {
        auto alice = online(m_server.url(), QStringLiteral("uc_alice"));
        auto bob = online(m_server.url(), QStringLiteral("uc_bob"));
        QVERIFY(alice && bob);
        QSignalSpy notified(bob.get(), &ChatController::notificationRequested);
        bob->setWindowActive(false);
        alice->send(QString(), QStringLiteral("one"));
        alice->send(QString(), QStringLiteral("two for @uc_bob"));
        QTRY_COMPARE(unread(*bob, QString()), 2);
        const QModelIndex room =
            bob->conversations()->index(bob->conversations()->rowOf(QString()));
        QVERIFY(room.data(ConversationListModel::MentionedRole).toBool());
        QCOMPARE(notified.size(), 1);           // the mention, not the plain message
        QCOMPARE(unread(*alice, QString()), 0); // own messages are never unread
        bob->setWindowActive(true);
        QCOMPARE(unread(*bob, QString()), 0);
        QVERIFY(!room.data(ConversationListModel::MentionedRole).toBool());
    }

    void pendingWhileOfflineThenSent()
    {
        ServerProcess server;
        QVERIFY(server.start());
        auto alice = online(server.url(), QStringLiteral("alice"));
        QVERIFY(alice);
        server.kill();
        QTRY_COMPARE(alice->session()->state(), ClientSession::State::Reconnecting);
        alice->send(QString(), QStringLiteral("queued"));
        MessageListModel *room = alice->conversations()->find(QString());
        QCOMPARE(room->index(room->rowCount() - 1)
                     .data(MessageListModel::DeliveryRole)
                     .value<MessageListModel::Delivery>(),
                 MessageListModel::Delivery::Pending);
        QVERIFY(server.start());
        QTRY_COMPARE_WITH_TIMEOUT(room->index(room->rowCount() - 1)
                                      .data(MessageListModel::DeliveryRole)
                                      .value<MessageListModel::Delivery>(),
                                  MessageListModel::Delivery::Sent, 10000);
        QCOMPARE(contents(room).count(QStringLiteral("queued")), 1);
    }

    void serverRestartShowsEverythingOnce()
    {
        ServerProcess server;
        QVERIFY(server.start());
        auto alice = online(server.url(), QStringLiteral("alice"));
        auto bob = online(server.url(), QStringLiteral("bob"));
        QVERIFY(alice && bob);
        alice->send(QString(), QStringLiteral("before"));
        QTRY_VERIFY(
            contents(bob->conversations()->find(QString())).contains(QStringLiteral("before")));
        server.kill();
        QTRY_COMPARE(alice->session()->state(), ClientSession::State::Reconnecting);
        alice->send(QString(), QStringLiteral("during"));
        QVERIFY(server.start());
        QTRY_COMPARE_WITH_TIMEOUT(bob->session()->state(), ClientSession::State::Online, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(
            contents(bob->conversations()->find(QString())).contains(QStringLiteral("during")),
            10000);
        // A later message proves the catch-up and the live relays have all arrived.
        alice->send(QString(), QStringLiteral("after"));
        QTRY_VERIFY(
            contents(bob->conversations()->find(QString())).contains(QStringLiteral("after")));
        QTRY_VERIFY(
            contents(alice->conversations()->find(QString())).contains(QStringLiteral("after")));
        for (ChatController *c : {alice.get(), bob.get()}) {
            const QStringList room = contents(c->conversations()->find(QString()));
            QCOMPARE(room, (QStringList{QStringLiteral("before"), QStringLiteral("during"),
                                        QStringLiteral("after")}));
        }
    }

    void historyPagesOnRequest()
    {
        ServerProcess server({QStringLiteral("--rate-limit"), QStringLiteral("10000"),
                              QStringLiteral("--rate-burst"), QStringLiteral("10000")});
        QVERIFY(server.start());
        {
            auto writer = online(server.url(), QStringLiteral("writer"));
            QVERIFY(writer);
            for (int i = 0; i < 260; ++i)
                writer->session()->sendMessage(QStringLiteral("m%1").arg(i));
            QTRY_VERIFY_WITH_TIMEOUT(writer->session()->outbox().isEmpty(), 10000);
        }
        auto reader = online(server.url(), QStringLiteral("reader"));
        QVERIFY(reader);
        MessageListModel *room = reader->conversations()->messages(QString());
        QTRY_COMPARE(room->rowCount(), 200); // the first page on login
        QCOMPARE(room->index(199).data().toString(), QStringLiteral("m259"));
        reader->loadOlder(QString());
        QTRY_COMPARE(room->rowCount(), 250);
        QVERIFY(room->hasMoreHistory());
        reader->loadOlder(QString());
        QTRY_COMPARE(room->rowCount(), 260);
        QVERIFY(!room->hasMoreHistory());
        QCOMPARE(room->index(0).data().toString(), QStringLiteral("m0"));
    }

    void typingIsShownAndClearedByTheMessage()
    {
        auto alice = online(m_server.url(), QStringLiteral("ty_alice"));
        auto bob = online(m_server.url(), QStringLiteral("ty_bob"));
        QVERIFY(alice && bob);
        alice->noteTyping();
        QTRY_COMPARE(bob->typingIn(QString()), QStringList{QStringLiteral("ty_alice")});
        alice->send(QString(), QStringLiteral("done typing"));
        QTRY_COMPARE(bob->typingIn(QString()), QStringList{});
    }

    // Issue 14, defect 4: "@bob …" written in the room is private to bob, and so is the
    // "typing…" that goes with it; carol, a third party, hears nothing of it.
    void privateDraftTypesOnlyToItsRecipient()
    {
        auto alice = online(m_server.url(), QStringLiteral("pd_alice"));
        auto bob = online(m_server.url(), QStringLiteral("pd_bob"));
        auto carol = online(m_server.url(), QStringLiteral("pd_carol"));
        QVERIFY(alice && bob && carol);
        QSignalSpy carolTyping(carol->session(), &ClientSession::typingChanged);
        QSignalSpy draft(alice.get(), &ChatController::draftChanged);
        // While the name is being typed nobody knows whom the draft is for: no notice at all.
        alice->setDraft(QStringLiteral("@pd_b"));
        QCOMPARE(alice->draftPrivateTo(), QString());
        alice->setDraft(QStringLiteral("@pd_bob see you"));
        QCOMPARE(alice->draftMention(), QStringLiteral("pd_bob"));
        QCOMPARE(alice->draftPrivateTo(), QStringLiteral("pd_bob"));
        QCOMPARE(draft.count(), 1);
        QTRY_COMPARE(bob->typingIn(QStringLiteral("pd_alice")),
                     QStringList{QStringLiteral("pd_alice")});
        // What alice sends after the notice reaches carol after it: once carol has this, she
        // would have had a notice too.
        alice->session()->sendMessage(QStringLiteral("barrier"));
        QTRY_VERIFY(contents(carol->conversations()->messages(QString()))
                        .contains(QStringLiteral("barrier")));
        QCOMPARE(carolTyping.count(), 0);
        QVERIFY(carol->typingIn(QString()).isEmpty());

        // Made public, the draft's notices go to the room, and bob's indicator stops.
        alice->setDraftPublic(true);
        QCOMPARE(alice->draftPrivateTo(), QString());
        QCOMPARE(alice->draftAddressing(), ChatController::Addressing::AsWritten);
        QTRY_COMPARE(carol->typingIn(QString()), QStringList{QStringLiteral("pd_alice")});
        QTRY_VERIFY(bob->typingIn(QStringLiteral("pd_alice")).isEmpty());
        // Sent as written: a public message that mentions bob, in the room, exactly as typed
        // (the client says "to":"" so the server does not read "@pd_bob " as private).
        QCOMPARE(alice->send(QString(), QStringLiteral("@pd_bob see you"), alice->draftAddressing())
                     .value_or(QStringLiteral("?")),
                 QString());
        QSignalSpy bobMessages(bob->session(), &ClientSession::messageReceived);
        QTRY_VERIFY(!bobMessages.isEmpty());
        const auto mention = bobMessages.last().at(0).value<ChatMessage>();
        QVERIFY(!mention.isPrivate());
        QCOMPARE(mention.content, QStringLiteral("@pd_bob see you"));
        QCOMPARE(mention.mentions, QStringList{QStringLiteral("pd_bob")});
        QTRY_VERIFY(
            contents(carol->conversations()->messages(QString())).contains(mention.content));
        // Another name: the choice does not carry over.
        alice->setDraft(QString());
        alice->setDraft(QStringLiteral("@pd_carol hi"));
        QVERIFY(!alice->isDraftPublic());
        QCOMPARE(alice->draftPrivateTo(), QStringLiteral("pd_carol"));
        // Outside the room a leading name is just text.
        alice->setActiveConversation(QStringLiteral("pd_bob"));
        QCOMPARE(alice->draftMention(), QString());
    }

    // Each conversation keeps what was written in it: switching brings it back, the list
    // shows it, and leaving a conversation ends the "typing…" its draft had started.
    void eachConversationKeepsItsDraft()
    {
        auto alice = online(m_server.url(), QStringLiteral("dr_alice"));
        auto bob = online(m_server.url(), QStringLiteral("dr_bob"));
        QVERIFY(alice && bob);
        ConversationListModel *list = alice->conversations();
        auto draftOf = [list](const QString &key) {
            return list->index(list->rowOf(key)).data(ConversationListModel::DraftRole).toString();
        };
        alice->setDraft(QStringLiteral("half a thought for the room"));
        QCOMPARE(draftOf(QString()), QStringLiteral("half a thought for the room"));

        alice->setActiveConversation(QStringLiteral("dr_bob"));
        QCOMPARE(alice->draft(), QString());
        alice->setDraft(QStringLiteral("only for bob"));
        QTRY_COMPARE(bob->typingIn(QStringLiteral("dr_alice")),
                     QStringList{QStringLiteral("dr_alice")});
        QCOMPARE(draftOf(QStringLiteral("dr_bob")), QStringLiteral("only for bob"));

        // Back in the room: its draft, and bob hears at once that alice stopped (before the
        // indicator would have expired by itself).
        QSignalSpy typing(bob->session(), &ClientSession::typingChanged);
        alice->setActiveConversation(QString());
        QCOMPARE(alice->draft(), QStringLiteral("half a thought for the room"));
        QVERIFY(typing.wait(3000));
        QCOMPARE(typing.last().at(2).toBool(), false);
        QVERIFY(bob->typingIn(QStringLiteral("dr_alice")).isEmpty());
        QCOMPARE(draftOf(QStringLiteral("dr_bob")), QStringLiteral("only for bob"));

        // A room draft private to bob is the room's, not bob's conversation's.
        alice->setDraft(QStringLiteral("@dr_bob quick one"));
        QCOMPARE(alice->draftPrivateTo(), QStringLiteral("dr_bob"));
        alice->setActiveConversation(QStringLiteral("dr_bob"));
        QCOMPARE(alice->draft(), QStringLiteral("only for bob"));
        QCOMPARE(alice->draftPrivateTo(), QString());
        // Sent, it is gone from where it was.
        alice->setDraft(QString());
        QCOMPARE(draftOf(QStringLiteral("dr_bob")), QString());
        alice->setActiveConversation(QString());
        QCOMPARE(alice->draft(), QStringLiteral("@dr_bob quick one"));
    }

    // Issue 14, defect 6: without a connection the list is the last one known, not "online".
    void userListIsStaleWhileDisconnected()
    {
        ServerProcess server;
        QVERIFY(server.start());
        auto alice = online(server.url(), QStringLiteral("st_alice"));
        auto bob = online(server.url(), QStringLiteral("st_bob"));
        QVERIFY(alice && bob);
        UserListModel *users = alice->users();
        QTRY_COMPARE(users->rowCount(), 2);
        QVERIFY(users->isLive());
        QVERIFY(users->index(0).data(UserListModel::OnlineRole).toBool());
        QSignalSpy live(users, &UserListModel::liveChanged);
        server.kill();
        QVERIFY(live.wait());
        QVERIFY(!users->isLive());
        QVERIFY(!users->index(0).data(UserListModel::OnlineRole).toBool());
        QVERIFY(server.start());
        QTRY_VERIFY_WITH_TIMEOUT(users->isLive(), 15000);
        QTRY_COMPARE_WITH_TIMEOUT(users->rowCount(), 2, 15000);
        QVERIFY(users->index(1).data(UserListModel::OnlineRole).toBool());
    }

    void userListFollowsPresence()
    {
        auto alice = online(m_server.url(), QStringLiteral("ul_alice"));
        QVERIFY(alice);
        {
            auto bob = online(m_server.url(), QStringLiteral("ul_bob"));
            QVERIFY(bob);
            QTRY_VERIFY(alice->users()->contains(QStringLiteral("ul_bob")));
        }
        QTRY_VERIFY(!alice->users()->contains(QStringLiteral("ul_bob")));
    }
};

QTEST_GUILESS_MAIN(TestChatController)
#include "tst_chatcontroller.moc"
