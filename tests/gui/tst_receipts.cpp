// Read receipts in the window (docs/protocol.md section 19), offscreen, against a real server
// process: one tick while the recipient is away, two when its client has the message, two
// in the accent when the recipient opens the conversation in an active window; the same in
// words for a screen reader and the tooltip; and the ticks kept in the local cache. With
// "Send read receipts" off in the Settings dialog the sender never sees "read", only
// "delivered", until it is turned on again.
#include "mainwindow.h"
#include "messagedelegate.h"
#include "messageview.h"
#include "messageviewaccessible.h"
#include "model/chatcontroller.h"
#include "model/messagelistmodel.h"
#include "serverprocess.h"
#include "settings/settings.h"
#include "settingsdialog.h"
#include "theme.h"

#include <QAccessible>
#include <QApplication>
#include <QCheckBox>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

const QString kPassword = QStringLiteral("correct horse");

std::unique_ptr<ChatController> signedIn(const QUrl &url, const QString &name,
                                         const QString &cacheFolder)
{
    auto c = std::make_unique<ChatController>();
    c->session()->setOutboxFolder(cacheFolder);
    SessionCredentials password;
    password.mode = SessionCredentials::Mode::Password;
    password.password = kPassword;
    QSignalSpy in(c->session(), &ClientSession::loggedIn);
    c->connectTo(url, name, password);
    if (!in.wait(15000))
        return nullptr;
    return c;
}

int rowOf(const QAbstractItemModel *model, const QString &text)
{
    for (int row = 0; model && row < model->rowCount(); ++row) {
        if (model->index(row, 0).data().toString() == text)
            return row;
    }
    return -1;
}

MessageListModel::Receipt receiptOf(const QAbstractItemModel *model, const QString &text)
{
    const int row = rowOf(model, text);
    if (row < 0)
        return MessageListModel::Receipt::None;
    return model->index(row, 0)
        .data(MessageListModel::ReceiptRole)
        .value<MessageListModel::Receipt>();
}

} // namespace

class TestReceiptsUi : public QObject
{
    Q_OBJECT
private:
    ServerProcess m_server;
    QTemporaryDir m_dir;

private slots:
    void initTestCase()
    {
        Theme::apply(*qApp, Settings::Theme::Light);
        QVERIFY(m_dir.isValid());
        QVERIFY(m_server.createAccount(QStringLiteral("t_alice"), kPassword));
        QVERIFY(m_server.createAccount(QStringLiteral("t_bob"), kPassword));
        QVERIFY(m_server.createAccount(QStringLiteral("t_carol"), kPassword));
        QVERIFY(m_server.createAccount(QStringLiteral("t_dave"), kPassword));
        QVERIFY(m_server.start());
    }

    void ticksChangeWhenTheOtherUserOpensTheConversation()
    {
        auto aliceCtl = signedIn(m_server.url(), QStringLiteral("t_alice"), m_dir.filePath("a"));
        QVERIFY(aliceCtl);
        Settings aliceSettings(m_dir.filePath(QStringLiteral("alice.ini")));
        auto alice = std::make_unique<MainWindow>(aliceCtl.get(), &aliceSettings);
        alice->show();
        QVERIFY(QTest::qWaitForWindowExposed(alice.get()));

        // Bob is offline: stored, one tick.
        const QString first = QStringLiteral("are you there?");
        QVERIFY(aliceCtl->send(QStringLiteral("t_bob"), first));
        alice->openConversation(QStringLiteral("t_bob"));
        const QAbstractItemModel *model = alice->messageView()->model();
        QTRY_COMPARE(receiptOf(model, first), MessageListModel::Receipt::Sent);
        const QModelIndex index = model->index(rowOf(model, first), 0);
        QCOMPARE(MessageDelegate::receiptTicks(index), QStringLiteral("\u2713"));
        QCOMPARE(MessageDelegate::receiptText(index), QStringLiteral("Sent"));
        QVERIFY(MessageViewAccessible::describe(index).endsWith(QLatin1String("sent")));

        // Bob comes online: his client receives it in the catch-up (two ticks), while his
        // window shows the room, so it is not read yet.
        auto bobCtl = signedIn(m_server.url(), QStringLiteral("t_bob"), m_dir.filePath("b"));
        QVERIFY(bobCtl);
        Settings bobSettings(m_dir.filePath(QStringLiteral("bob.ini")));
        MainWindow bob(bobCtl.get(), &bobSettings);
        bob.show();
        QVERIFY(QTest::qWaitForWindowExposed(&bob));
        bob.openConversation(QString());
        QTRY_VERIFY(bobCtl->conversations()->find(QStringLiteral("t_alice")));
        QTRY_COMPARE(receiptOf(model, first), MessageListModel::Receipt::Delivered);
        QCOMPARE(MessageDelegate::receiptTicks(model->index(rowOf(model, first), 0)),
                 QStringLiteral("\u2713\u2713"));
        QVERIFY(MessageViewAccessible::describe(model->index(rowOf(model, first), 0))
                    .endsWith(QLatin1String("delivered")));

        // Bob opens the conversation in his active window: read, two coloured ticks.
        bob.activateWindow();
        QTRY_VERIFY(bob.isActiveWindow());
        bob.openConversation(QStringLiteral("t_alice"));
        QTRY_COMPARE(receiptOf(model, first), MessageListModel::Receipt::Read);
        const QModelIndex read = model->index(rowOf(model, first), 0);
        QCOMPARE(MessageDelegate::receiptText(read), QStringLiteral("Read"));
        QVERIFY(MessageViewAccessible::describe(read).endsWith(QLatin1String("read")));
        // Bob's own view of alice's message has no ticks: they are the sender's.
        const QAbstractItemModel *bobs = bob.messageView()->model();
        QTRY_VERIFY(rowOf(bobs, first) >= 0);
        QCOMPARE(receiptOf(bobs, first), MessageListModel::Receipt::None);

        // A new message while bob has the conversation open and his window active: read at
        // once.
        const QString second = QStringLiteral("lunch at noon?");
        QVERIFY(aliceCtl->send(QStringLiteral("t_bob"), second));
        QTRY_COMPARE(receiptOf(model, second), MessageListModel::Receipt::Read);

        // Alice's client keeps the ticks in its cache: shown offline at the next start.
        alice.reset();
        aliceCtl.reset();
        ChatController offline;
        offline.session()->setOutboxFolder(m_dir.filePath("a"));
        offline.showSaved(m_server.url(), QStringLiteral("t_alice"), true);
        const MessageListModel *saved = offline.conversations()->find(QStringLiteral("t_bob"));
        QVERIFY(saved);
        QCOMPARE(receiptOf(saved, first), MessageListModel::Receipt::Read);
        QCOMPARE(receiptOf(saved, second), MessageListModel::Receipt::Read);
    }

    void noReadReceiptsWhileTheSettingIsOff()
    {
        auto carolCtl = signedIn(m_server.url(), QStringLiteral("t_carol"), m_dir.filePath("c"));
        auto daveCtl = signedIn(m_server.url(), QStringLiteral("t_dave"), m_dir.filePath("d"));
        QVERIFY(carolCtl && daveCtl);
        Settings carolSettings(m_dir.filePath(QStringLiteral("carol.ini")));
        Settings daveSettings(m_dir.filePath(QStringLiteral("dave.ini")));
        QVERIFY(daveSettings.sendReadReceipts()); // on by default
        MainWindow carol(carolCtl.get(), &carolSettings);
        MainWindow dave(daveCtl.get(), &daveSettings);
        carol.show();
        dave.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dave));

        // Dave turns read receipts off in the Settings dialog; its tooltip says what it means.
        dave.openSettings();
        SettingsDialog *dialog = dave.settingsDialog();
        QVERIFY(dialog);
        dialog->showPage(SettingsDialog::PrivacyPage);
        auto *check = dialog->findChild<QCheckBox *>(QStringLiteral("readReceiptsCheck"));
        QVERIFY(check);
        QVERIFY(check->isChecked());
        QVERIFY(check->isVisible());
        QVERIFY(check->toolTip().contains(QLatin1String("delivered")));
        check->click();
        QVERIFY(!check->isChecked());
        QVERIFY(!daveSettings.sendReadReceipts());
        dialog->close();

        // Dave reads carol's message in his active window: carol sees it delivered only.
        dave.activateWindow();
        QTRY_VERIFY(dave.isActiveWindow());
        const QString first = QStringLiteral("did you read this?");
        QVERIFY(carolCtl->send(QStringLiteral("t_dave"), first));
        QTRY_VERIFY(daveCtl->conversations()->find(QStringLiteral("t_carol")));
        dave.openConversation(QStringLiteral("t_carol"));
        carol.openConversation(QStringLiteral("t_dave"));
        const QAbstractItemModel *model = carol.messageView()->model();
        const QAbstractItemModel *daves = dave.messageView()->model();
        QTRY_VERIFY(rowOf(daves, first) >= 0); // on dave's screen
        QTRY_COMPARE(receiptOf(model, first), MessageListModel::Receipt::Delivered);
        // A second one, shown to dave too: its "delivered" goes in the same flush a "read" of
        // the first would have gone in (read first), so by then a read would be here.
        const QString second = QStringLiteral("and this?");
        QVERIFY(carolCtl->send(QStringLiteral("t_dave"), second));
        QTRY_VERIFY(rowOf(daves, second) >= 0);
        QTRY_COMPARE(receiptOf(model, second), MessageListModel::Receipt::Delivered);
        QCOMPARE(receiptOf(model, first), MessageListModel::Receipt::Delivered);
        QCOMPARE(MessageDelegate::receiptText(model->index(rowOf(model, second), 0)),
                 QStringLiteral("Delivered"));

        // Turned on again (a new dialog reads the saved choice): what dave sees is read.
        QTRY_VERIFY(!dave.settingsDialog());
        Settings again(m_dir.filePath(QStringLiteral("dave.ini")));
        QVERIFY(!again.sendReadReceipts()); // kept
        dave.openSettings();
        check = dave.settingsDialog()->findChild<QCheckBox *>(QStringLiteral("readReceiptsCheck"));
        QVERIFY(check && !check->isChecked());
        check->click();
        QVERIFY(daveSettings.sendReadReceipts());
        dave.settingsDialog()->close();
        dave.activateWindow();
        QTRY_VERIFY(dave.isActiveWindow());
        QTRY_COMPARE(receiptOf(model, second), MessageListModel::Receipt::Read);
        QCOMPARE(receiptOf(model, first), MessageListModel::Receipt::Read);
    }
};

QTEST_MAIN(TestReceiptsUi)
#include "tst_receipts.moc"
