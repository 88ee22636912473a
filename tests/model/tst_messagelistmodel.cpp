#include "model/messagelistmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

namespace {
ChatMessage msg(qint64 seq, const QString &from, const QString &content, const QString &id = {})
{
    ChatMessage m;
    m.seq = seq;
    m.from = from;
    m.content = content;
    m.clientId = id;
    m.timestampMs = 1700000000000 + seq;
    return m;
}
QStringList contents(const MessageListModel &model)
{
    QStringList list;
    for (int row = 0; row < model.rowCount(); ++row)
        list << model.index(row).data().toString();
    return list;
}
} // namespace

class TestMessageListModel : public QObject
{
    Q_OBJECT
private slots:
    // Emoji reactions (docs/protocol.md section 5.7): a live summary replaces the listed one;
    // "mine" follows the user's own changes and survives the others'.
    void reactionsFollowTheServerAndKeepTheUsersOwn()
    {
        MessageListModel model;
        QAbstractItemModelTester tester(&model);
        const QString thumbs = QStringLiteral("\U0001F44D");
        const QString party = QStringLiteral("\U0001F389");
        QVERIFY(
            model.addMessage(msg(7, QStringLiteral("bob"), QStringLiteral("hi")), false, false));
        QVERIFY(model.index(0).data(MessageListModel::ReactionsRole).toList().isEmpty());
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        auto reaction = [](const QString &emoji, int count, const QStringList &from) {
            return ChatMessage::Reaction{emoji, count, from, false};
        };
        // Someone else gives one: listed, not the user's.
        QVERIFY(model.setReactions(7, {reaction(thumbs, 1, {QStringLiteral("carol")})}, false,
                                   thumbs, true));
        QCOMPARE(changed.size(), 1);
        QVariantList list = model.index(0).data(MessageListModel::ReactionsRole).toList();
        QCOMPARE(list.size(), 1);
        QCOMPARE(list.at(0).toMap().value(QStringLiteral("count")).toInt(), 1);
        QVERIFY(!list.at(0).toMap().value(QStringLiteral("mine")).toBool());
        QVERIFY(!model.hasOwnReaction(7, thumbs));
        // The user gives the same one: now theirs.
        QVERIFY(model.setReactions(
            7, {reaction(thumbs, 2, {QStringLiteral("carol"), QStringLiteral("me")})}, true, thumbs,
            true));
        QVERIFY(model.hasOwnReaction(7, thumbs));
        // Someone else adds another: the user's own stays theirs.
        QVERIFY(model.setReactions(
            7,
            {reaction(thumbs, 2, {QStringLiteral("carol"), QStringLiteral("me")}),
             reaction(party, 1, {QStringLiteral("dave")})},
            false, party, true));
        QVERIFY(model.hasOwnReaction(7, thumbs));
        QVERIFY(!model.hasOwnReaction(7, party));
        list = model.index(0).data(MessageListModel::ReactionsRole).toList();
        QCOMPARE(list.size(), 2);
        QCOMPARE(list.at(1).toMap().value(QStringLiteral("from")).toStringList(),
                 QStringList{QStringLiteral("dave")});
        // The user takes theirs back.
        QVERIFY(model.setReactions(7,
                                   {reaction(thumbs, 1, {QStringLiteral("carol")}),
                                    reaction(party, 1, {QStringLiteral("dave")})},
                                   true, thumbs, false));
        QVERIFY(!model.hasOwnReaction(7, thumbs));
        // A message that is not listed is not changed.
        QVERIFY(!model.setReactions(99, {}, true, thumbs, true));
        // A history page brings them as they are now, "mine" included.
        ChatMessage again = msg(7, QStringLiteral("bob"), QStringLiteral("hi"));
        again.reactions = {ChatMessage::Reaction{party, 3, {QStringLiteral("dave")}, true}};
        QCOMPARE(model.addMessages({again}, QStringLiteral("me")), 0);
        QVERIFY(model.hasOwnReaction(7, party));
        QCOMPARE(model.index(0).data(MessageListModel::ReactionsRole).toList().size(), 1);
        // A deleted message has none.
        ChatMessage deleted = msg(7, QStringLiteral("bob"), QString());
        deleted.deleted = true;
        QVERIFY(model.updateMessage(deleted, false));
        QVERIFY(model.index(0).data(MessageListModel::ReactionsRole).toList().isEmpty());
    }

    // Read receipts (docs/protocol.md section 19): the user's own stored private messages
    // show how far they got; the marks only grow; nothing else has any.
    void ownPrivateMessagesFollowTheReceiptMarks()
    {
        using R = MessageListModel::Receipt;
        MessageListModel model;
        QAbstractItemModelTester tester(&model);
        auto own = [](qint64 seq, const QString &text) {
            ChatMessage m = msg(seq, QStringLiteral("me"), text);
            m.to = QStringLiteral("bob");
            return m;
        };
        ChatMessage theirs = msg(6, QStringLiteral("bob"), QStringLiteral("theirs"));
        theirs.to = QStringLiteral("me");
        QVERIFY(model.addMessage(own(5, QStringLiteral("one")), true, false));
        QVERIFY(model.addMessage(theirs, false, false));
        QVERIFY(model.addMessage(own(8, QStringLiteral("two")), true, false));
        model.addPending(QStringLiteral("p-1"), QStringLiteral("me"), QStringLiteral("bob"),
                         QStringLiteral("pending"));
        auto receipts = [&] {
            QList<R> list;
            for (int row = 0; row < model.rowCount(); ++row)
                list << model.index(row).data(MessageListModel::ReceiptRole).value<R>();
            return list;
        };
        QCOMPARE(receipts(), (QList<R>{R::Sent, R::None, R::Sent, R::None}));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setReceiptMarks(6, 0);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(receipts(), (QList<R>{R::Delivered, R::None, R::Sent, R::None}));
        model.setReceiptMarks(8, 5);
        QCOMPARE(receipts(), (QList<R>{R::Read, R::None, R::Delivered, R::None}));
        // Lower marks change nothing and say nothing.
        model.setReceiptMarks(1, 1);
        QCOMPARE(changed.size(), 2);
        QCOMPARE(receipts(), (QList<R>{R::Read, R::None, R::Delivered, R::None}));
        // Read implies delivered.
        model.setReceiptMarks(0, 9);
        QCOMPARE(receipts(), (QList<R>{R::Read, R::None, R::Read, R::None}));
        QCOMPARE(model.deliveredUpTo(), qint64(9));
    }

    void ordersBySeqAndNeverDoubles()
    {
        MessageListModel model;
        QAbstractItemModelTester tester(&model);
        QVERIFY(
            model.addMessage(msg(5, QStringLiteral("bob"), QStringLiteral("five")), false, false));
        QVERIFY(
            model.addMessage(msg(3, QStringLiteral("bob"), QStringLiteral("three")), false, false));
        QVERIFY(
            !model.addMessage(msg(5, QStringLiteral("bob"), QStringLiteral("five")), false, false));
        QCOMPARE(contents(model), (QStringList{QStringLiteral("three"), QStringLiteral("five")}));
    }
    void pendingBecomesSentInPlace()
    {
        MessageListModel model;
        QAbstractItemModelTester tester(&model);
        model.addMessage(msg(1, QStringLiteral("bob"), QStringLiteral("hi")), false, false);
        model.addPending(QStringLiteral("c1"), QStringLiteral("me"), {}, QStringLiteral("mine"));
        QCOMPARE(
            model.index(1).data(MessageListModel::DeliveryRole).value<MessageListModel::Delivery>(),
            MessageListModel::Delivery::Pending);
        // Someone else's message stored meanwhile goes before our pending one...
        model.addMessage(msg(2, QStringLiteral("bob"), QStringLiteral("later")), false, false);
        QCOMPARE(contents(model), (QStringList{QStringLiteral("hi"), QStringLiteral("later"),
                                               QStringLiteral("mine")}));
        // ...and our relay replaces the pending copy.
        model.addMessage(msg(3, QStringLiteral("me"), QStringLiteral("mine"), QStringLiteral("c1")),
                         true, false);
        QCOMPARE(contents(model), (QStringList{QStringLiteral("hi"), QStringLiteral("later"),
                                               QStringLiteral("mine")}));
        QCOMPARE(
            model.index(2).data(MessageListModel::DeliveryRole).value<MessageListModel::Delivery>(),
            MessageListModel::Delivery::Sent);
        // The ack after the relay changes nothing.
        model.markSent(QStringLiteral("c1"), 3, 1);
        QCOMPARE(model.rowCount(), 3);
    }
    void ackBeforeRelay()
    {
        MessageListModel model;
        QAbstractItemModelTester tester(&model);
        model.addPending(QStringLiteral("c1"), QStringLiteral("me"), {}, QStringLiteral("mine"));
        model.markSent(QStringLiteral("c1"), 7, 1);
        QVERIFY(!model.addMessage(
            msg(7, QStringLiteral("me"), QStringLiteral("mine"), QStringLiteral("c1")), true,
            false));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0).data(MessageListModel::SeqRole).toLongLong(), 7);
    }
    void failedKeepsTheText()
    {
        MessageListModel model;
        model.addPending(QStringLiteral("c1"), QStringLiteral("me"), {},
                         QStringLiteral("too long"));
        model.markFailed(QStringLiteral("c1"), QStringLiteral("The message is too long"));
        QCOMPARE(
            model.index(0).data(MessageListModel::DeliveryRole).value<MessageListModel::Delivery>(),
            MessageListModel::Delivery::Failed);
        QCOMPARE(model.index(0).data(MessageListModel::ErrorRole).toString(),
                 QStringLiteral("The message is too long"));
        model.removePending(QStringLiteral("c1"));
        QCOMPARE(model.rowCount(), 0);
    }
    void historyPageGoesOnTopInOneInsert()
    {
        MessageListModel model;
        QAbstractItemModelTester tester(&model);
        model.addMessage(msg(100, QStringLiteral("bob"), QStringLiteral("newest")), false, false);
        QList<ChatMessage> page;
        for (int seq = 99; seq >= 50; --seq) // any order
            page << msg(seq, QStringLiteral("bob"), QString::number(seq));
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QCOMPARE(model.addMessages(page, QStringLiteral("me")), 50);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(model.oldestSeq(), 50);
        QCOMPARE(model.index(0).data().toString(), QStringLiteral("50"));
        QCOMPARE(model.index(50).data().toString(), QStringLiteral("newest"));
        // The same page again adds nothing.
        QCOMPARE(model.addMessages(page, QStringLiteral("me")), 0);
    }
    void mentionsAndOwnFromHistory()
    {
        MessageListModel model;
        ChatMessage m = msg(1, QStringLiteral("Bob"), QStringLiteral("hey @ME"));
        m.mentions = {QStringLiteral("ME")};
        model.addMessages({m, msg(2, QStringLiteral("me"), QStringLiteral("mine"))},
                          QStringLiteral("me"));
        QVERIFY(model.index(0).data(MessageListModel::MentionRole).toBool());
        QVERIFY(model.index(1).data(MessageListModel::OwnRole).toBool());
    }
};

QTEST_GUILESS_MAIN(TestMessageListModel)
#include "tst_messagelistmodel.moc"
