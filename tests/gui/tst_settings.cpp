// The Settings dialog and what it changes, offscreen, with a real server process: the theme,
// the language switched live in every open window, notifications (issue 14).
#include "accountmenu.h"
#include "builtinmedia.h"
#include "calllauncher.h"
#include "composeedit.h"
#include "mainwindow.h"
#include "messagealerts.h"
#include "model/chatcontroller.h"
#include "net/serveraddress.h"
#include "serverprocess.h"
#include "settings/settings.h"
#include "settingsdialog.h"
#include "theme.h"
#include "translations.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QContextMenuEvent>
#include <QDir>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QMenuBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
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

template <typename T> T *child(QWidget *parent, const char *name)
{
    return parent->findChild<T *>(QLatin1String(name));
}

// On the indicator: a radio button or check box takes clicks on its indicator and text only,
// and the layout makes it wider than those.
void click(QAbstractButton *button)
{
    QVERIFY(button);
    QTest::mouseClick(button, Qt::LeftButton, {}, QPoint(8, button->height() / 2));
}

// With CONFAB_TEST_SCREENSHOTS=<folder>, the widgets a test is about are saved there as PNG
// files, to be looked at.
void saveScreenshot(QWidget *widget, const QString &name)
{
    const QString folder = qEnvironmentVariable("CONFAB_TEST_SCREENSHOTS");
    QApplication::processEvents();
    if (!folder.isEmpty() && QDir().mkpath(folder))
        widget->grab().save(QDir(folder).filePath(name + QStringLiteral(".png")));
}

QString menuTitles(QMainWindow *window)
{
    QStringList titles;
    for (QAction *a : window->menuBar()->actions())
        titles << a->text();
    return titles.join(QLatin1Char('|'));
}
} // namespace

class TestSettings : public QObject
{
    Q_OBJECT
private:
    ServerProcess m_server;
    QTemporaryDir m_dir;

    QString iniPath(const QString &name) const
    {
        return m_dir.filePath(name + QStringLiteral(".ini"));
    }

private slots:
    void initTestCase()
    {
        useBuiltInMedia(); // the chime through the media module's code
        Translations::install(QStringLiteral("en"));
        Theme::apply(*qApp, Settings::Theme::Light);
        QVERIFY(m_server.start());
    }

    void cleanup()
    {
        Translations::install(QStringLiteral("en"));
        Theme::apply(*qApp, Settings::Theme::Light);
    }

    // Ctrl+, opens it; each choice is saved and in effect before the dialog closes.
    void ctrlCommaOpensSettingsThatApplyAtOnce()
    {
        auto ctl = online(m_server.url(), QStringLiteral("s_alice"));
        QVERIFY(ctl);
        Settings settings(iniPath(QStringLiteral("apply")));
        CallLauncher calls(ctl->session(), &settings, CallDevices{});
        MainWindow window(ctl.get(), &settings);
        window.setCalls(&calls);
        window.show();
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QVERIFY(!window.settingsDialog());
        QTest::keyClick(window.composeEdit(), Qt::Key_Comma, Qt::ControlModifier);
        SettingsDialog *dialog = window.settingsDialog();
        QVERIFY(dialog);
        QVERIFY(dialog->isVisible());
        QCOMPARE(dialog->currentPage(), SettingsDialog::AppearancePage);
        // Ctrl+, again: the same dialog, not a second one.
        QTest::keyClick(window.composeEdit(), Qt::Key_Comma, Qt::ControlModifier);
        QCOMPARE(window.findChildren<SettingsDialog *>().size(), 1);

        // The theme: dark at once, and kept.
        QVERIFY(child<QRadioButton>(dialog, "themeLight")->isChecked() ||
                child<QRadioButton>(dialog, "themeSystem")->isChecked());
        click(child<QRadioButton>(dialog, "themeDark"));
        QVERIFY(Theme::isDark());
        QCOMPARE(Settings(iniPath(QStringLiteral("apply"))).theme(), Settings::Theme::Dark);
        click(child<QRadioButton>(dialog, "themeLight"));
        QVERIFY(!Theme::isDark());
        QCOMPARE(Settings(iniPath(QStringLiteral("apply"))).theme(), Settings::Theme::Light);

        // Ctrl+Enter sends from now on; Enter breaks the line.
        click(child<QCheckBox>(dialog, "ctrlEnterCheck"));
        QVERIFY(Settings(iniPath(QStringLiteral("apply"))).sendWithCtrlEnter());
        ComposeEdit *edit = window.composeEdit();
        QTest::keyClicks(edit, QStringLiteral("one"));
        QTest::keyClick(edit, Qt::Key_Return);
        QTest::keyClicks(edit, QStringLiteral("two"));
        QCOMPARE(edit->toPlainText(), QStringLiteral("one\ntwo"));
        QTest::keyClick(edit, Qt::Key_Return, Qt::ControlModifier);
        QVERIFY(edit->toPlainText().isEmpty());

        // Notifications: both on by default; off is kept.
        dialog->showPage(SettingsDialog::NotificationsPage);
        auto *notify = child<QCheckBox>(dialog, "notificationsCheck");
        auto *sound = child<QCheckBox>(dialog, "soundCheck");
        QVERIFY(notify->isVisible());
        QVERIFY(notify->isChecked() && sound->isChecked());
        click(sound);
        QVERIFY(!Settings(iniPath(QStringLiteral("apply"))).notificationSound());
        QVERIFY(Settings(iniPath(QStringLiteral("apply"))).notificationsEnabled());
        click(notify);
        QVERIFY(!Settings(iniPath(QStringLiteral("apply"))).notificationsEnabled());

        // Devices: the lists (the calls are loaded for them), with the built-in sources; a
        // choice is kept for calls.
        QVERIFY(!calls.loadedFeature());
        dialog->showPage(SettingsDialog::DevicesPage);
        QVERIFY(calls.loadedFeature());
        auto *camera = child<QComboBox>(dialog, "cameraCombo");
        QVERIFY(camera->isVisible());
        const int pattern = camera->findData(QStringLiteral("test-pattern"));
        QVERIFY(pattern > 0);
        camera->setCurrentIndex(pattern);
        emit camera->activated(pattern);
        QCOMPARE(Settings(iniPath(QStringLiteral("apply"))).callCamera(),
                 QStringLiteral("test-pattern"));
        QCOMPARE(calls.devices().camera, QStringLiteral("test-pattern"));

        // Account: the account menu's entries, for a guest "sign in" and no "sign out".
        dialog->showPage(SettingsDialog::AccountPage);
        auto *signIn = child<QPushButton>(dialog, "signInActionButton");
        QVERIFY(signIn);
        QVERIFY(signIn->isVisible());
        QVERIFY(!child<QPushButton>(dialog, "signOutActionButton")->isVisible());
        QVERIFY(dialog->findChild<QLabel *>() != nullptr);
        bool namesGuest = false;
        for (QLabel *label : dialog->findChildren<QLabel *>())
            namesGuest |= label->isVisible() && label->text() == QStringLiteral("s_alice (guest)");
        QVERIFY(namesGuest);
        QSignalSpy signInAsked(&window, &MainWindow::signInRequested);
        QTest::mouseClick(signIn, Qt::LeftButton);
        QCOMPARE(signInAsked.size(), 1);

        // Opened again, it shows what is saved.
        dialog->close();
        QTRY_VERIFY(!window.settingsDialog());
        window.openSettings();
        dialog = window.settingsDialog();
        QVERIFY(child<QRadioButton>(dialog, "themeLight")->isChecked());
        QVERIFY(child<QCheckBox>(dialog, "ctrlEnterCheck")->isChecked());
        QVERIFY(!child<QCheckBox>(dialog, "soundCheck")->isChecked());
    }

    // Issue 14, defect 8: a new language needs no restart. Chinese and back, with the main
    // window, its menus and the dialog open.
    void languageSwitchesOpenWindowsLive()
    {
        auto ctl = online(m_server.url(), QStringLiteral("s_bob"));
        QVERIFY(ctl);
        Settings settings(iniPath(QStringLiteral("language")));
        MainWindow window(ctl.get(), &settings);
        window.show();
        window.openSettings();
        SettingsDialog *dialog = window.settingsDialog();
        dialog->showPage(SettingsDialog::LanguagePage);
        auto *search = child<QLineEdit>(&window, "searchEdit");
        auto *pages = child<QListWidget>(dialog, "settingsPages");
        auto *status = child<QLabel>(&window, "connectionStatus");
        QListView *conversations = child<QListView>(&window, "conversationView");
        QCOMPARE(search->placeholderText(), QStringLiteral("Search (Ctrl+K)"));
        QCOMPARE(menuTitles(&window), QStringLiteral("&Confab|&Account|&Help"));
        QCOMPARE(dialog->windowTitle(), QStringLiteral("Settings"));

        click(child<QRadioButton>(dialog, "language_zh_CN"));
        QCOMPARE(Settings(iniPath(QStringLiteral("language"))).language(), QStringLiteral("zh_CN"));
        QTRY_COMPARE(search->placeholderText(), QStringLiteral("搜索（Ctrl+K）"));
        QTRY_COMPARE(menuTitles(&window), QStringLiteral("Confab(&C)|账户(&A)|帮助(&H)"));
        QCOMPARE(window.menuBar()->actions().first()->menu()->actions().first()->text(),
                 QStringLiteral("设置(&S)…"));
        QCOMPARE(status->text(), QStringLiteral("在线 — 未加密"));
        QCOMPARE(conversations->model()->index(0, 0).data().toString(), QStringLiteral("大厅"));
        QTRY_COMPARE(dialog->windowTitle(), QStringLiteral("设置"));
        saveScreenshot(dialog, QStringLiteral("settings-zh"));
        saveScreenshot(&window, QStringLiteral("window-zh"));
        QCOMPARE(pages->item(SettingsDialog::LanguagePage)->text(), QStringLiteral("语言"));
        QCOMPARE(child<QRadioButton>(dialog, "languageSystem")->text(), QStringLiteral("跟随系统"));
        QVERIFY(child<QRadioButton>(dialog, "language_zh_CN")->isChecked());
        // Only one set of menus: the old ones are gone.
        QTRY_COMPARE(
            window.menuBar()->findChildren<QMenu *>(QString(), Qt::FindDirectChildrenOnly).size(),
            2); // Confab, Help (Account is the window's)

        click(child<QRadioButton>(dialog, "language_en"));
        QTRY_COMPARE(search->placeholderText(), QStringLiteral("Search (Ctrl+K)"));
        QTRY_COMPARE(menuTitles(&window), QStringLiteral("&Confab|&Account|&Help"));
        QCOMPARE(status->text(), QStringLiteral("Online — not encrypted"));
        QCOMPARE(conversations->model()->index(0, 0).data().toString(), QStringLiteral("Lobby"));
        QTRY_COMPARE(dialog->windowTitle(), QStringLiteral("Settings"));
        QCOMPARE(pages->item(SettingsDialog::LanguagePage)->text(), QStringLiteral("Language"));
        saveScreenshot(dialog, QStringLiteral("settings-en"));
        QCOMPARE(Settings(iniPath(QStringLiteral("language"))).language(), QStringLiteral("en"));
    }

    // The chime sounds for a message that notifies (private, or a mention) and not for one's
    // own, not in the conversation open in the active window, not in a muted one; a muted
    // conversation still counts unread messages; the mute is kept. (No sound card here: the
    // chimes are counted.)
    void newMessagesChimeUnlessOwnOpenOrMuted()
    {
        auto aliceCtl = online(m_server.url(), QStringLiteral("n_alice"));
        auto bobCtl = online(m_server.url(), QStringLiteral("n_bob"));
        QVERIFY(aliceCtl && bobCtl);
        const QString ini = iniPath(QStringLiteral("alerts"));
        Settings settings(ini);
        MainWindow window(aliceCtl.get(), &settings);
        window.show();
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QSignalSpy chimes(window.messageAlerts(), &MessageAlerts::soundPlayed);
        ConversationListModel *list = aliceCtl->conversations();
        const QString bob = QStringLiteral("n_bob");
        auto fromBob = [&] {
            return list->messages(bob)->rowCount();
        };

        // A private message while the room is open: a chime.
        bobCtl->send(QString(), QStringLiteral("@n_alice one"));
        QTRY_COMPARE(chimes.size(), 1);
        // Her own message: none (the next one from bob is the only new chime).
        aliceCtl->send(QString(), QStringLiteral("@n_bob mine"));
        QTRY_COMPARE(bobCtl->conversations()->messages(QStringLiteral("n_alice"))->rowCount(), 2);
        QTRY_COMPARE(fromBob(), 2);
        QCOMPARE(chimes.size(), 1);
        // Bob's conversation open in the active window: none.
        window.openConversation(bob);
        bobCtl->send(QString(), QStringLiteral("@n_alice read at once"));
        QTRY_COMPARE(fromBob(), 3);
        QCOMPARE(chimes.size(), 1);
        // A mention in the room, with bob's conversation open: a chime.
        bobCtl->send(QString(), QStringLiteral("hello @n_alice, in public"));
        QTRY_COMPARE(chimes.size(), 2);

        // Muted from the conversation list's context menu.
        window.openConversation(QString());
        QListView *view = child<QListView>(&window, "conversationView");
        const QModelIndex bobRow = view->model()->index(list->rowOf(bob), 0);
        QCOMPARE(bobRow.data(ConversationListModel::KeyRole).toString(), bob);
        const QPoint at = view->visualRect(bobRow).center();
        QContextMenuEvent menuEvent(QContextMenuEvent::Mouse, at,
                                    view->viewport()->mapToGlobal(at));
        QApplication::sendEvent(view->viewport(), &menuEvent);
        auto *menu = window.findChild<QMenu *>(QStringLiteral("conversationMenu"));
        saveScreenshot(view, QStringLiteral("conversations-before-mute"));
        QVERIFY(menu);
        QTRY_VERIFY(menu->isVisible());
        auto *mute = menu->findChild<QAction *>(QStringLiteral("muteAction"));
        QVERIFY(mute && !mute->isChecked());
        mute->trigger();
        menu->close();
        QVERIFY(window.messageAlerts()->isMuted(bob));
        // Another window in front: what comes now would notify if not muted.
        QWidget other;
        other.show();
        other.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&other));
        const int unread = bobRow.data(ConversationListModel::UnreadRole).toInt();
        bobCtl->send(QString(), QStringLiteral("@n_alice muted"));
        QTRY_COMPARE(fromBob(), 4);
        QCOMPARE(chimes.size(), 2);
        QTRY_COMPARE(bobRow.data(ConversationListModel::UnreadRole).toInt(), unread + 1);
        saveScreenshot(view, QStringLiteral("conversations-muted"));
        // The room is not muted: a mention there still chimes, and only that one.
        bobCtl->send(QString(), QStringLiteral("again @n_alice"));
        QTRY_COMPARE(chimes.size(), 3);

        // Kept for this account, in a new window too.
        QCOMPARE(Settings(ini).mutedConversations(
                     ServerAddress::accountKey(m_server.url(), QStringLiteral("n_alice"))),
                 QStringList{bob});
        {
            MainWindow again(aliceCtl.get(), &settings);
            QVERIFY(again.messageAlerts()->isMuted(bob));
            QVERIFY(!again.messageAlerts()->isMuted(QString()));
        }

        // The sound turned off in the settings: a message notifies without a chime.
        window.messageAlerts()->setMuted(bob, false);
        settings.setNotificationSound(false);
        bobCtl->send(QString(), QStringLiteral("@n_alice quiet"));
        QTRY_COMPARE(fromBob(), 5);
        QCOMPARE(chimes.size(), 3);
        settings.setNotificationSound(true);
        bobCtl->send(QString(), QStringLiteral("@n_alice loud"));
        QTRY_COMPARE(chimes.size(), 4);
    }
};

QTEST_MAIN(TestSettings)
#include "tst_settings.moc"
