// The user list on the right, offscreen, against a real server process (issue 14, defect 8).
#include "mainwindow.h"
#include "model/chatcontroller.h"
#include "serverprocess.h"
#include "settings/settings.h"

#include <QListView>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

class TestUserList : public QObject
{
    Q_OBJECT
private:
    ServerProcess m_server;
    QTemporaryDir m_dir;

private slots:
    void initTestCase() { QVERIFY(m_server.start()); }

    // One click on a name opens the private conversation with that user (it only selected
    // the row before); a click on oneself does nothing.
    void aClickOnAUserOpensTheConversation()
    {
        ChatController alice;
        ChatController bob;
        QSignalSpy aliceIn(alice.session(), &ClientSession::loggedIn);
        QSignalSpy bobIn(bob.session(), &ClientSession::loggedIn);
        alice.connectTo(m_server.url(), QStringLiteral("u_alice"));
        bob.connectTo(m_server.url(), QStringLiteral("u_bob"));
        QTRY_COMPARE(aliceIn.size(), 1);
        QTRY_COMPARE(bobIn.size(), 1);
        QTRY_VERIFY(alice.users()->contains(QStringLiteral("u_bob")));
        Settings settings(m_dir.filePath(QStringLiteral("users.ini")));
        MainWindow window(&alice, &settings);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *view = window.findChild<QListView *>(QStringLiteral("userView"));
        QVERIFY(view && view->isVisible());
        QModelIndex bobRow;
        QModelIndex selfRow;
        for (int row = 0; row < view->model()->rowCount(); ++row) {
            const QModelIndex index = view->model()->index(row, 0);
            if (index.data(UserListModel::NameRole).toString() == QLatin1String("u_bob"))
                bobRow = index;
            if (index.data(UserListModel::SelfRole).toBool())
                selfRow = index;
        }
        QVERIFY(bobRow.isValid() && selfRow.isValid());
        QCOMPARE(alice.activeConversation(), QString());
        // On the name, left of the hover buttons.
        const QRect rect = view->visualRect(bobRow);
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                          QPoint(rect.left() + rect.height() + 10, rect.center().y()));
        QCOMPARE(alice.activeConversation(), QStringLiteral("u_bob"));
        const QRect self = view->visualRect(selfRow);
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                          QPoint(self.left() + self.height() + 10, self.center().y()));
        QCOMPARE(alice.activeConversation(), QStringLiteral("u_bob"));
    }
};

QTEST_MAIN(TestUserList)
#include "tst_userlist.moc"
