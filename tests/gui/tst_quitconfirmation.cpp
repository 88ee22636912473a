// Quitting with messages the server has not acknowledged asks first; with none it does not.
// Signing out with messages that have not gone out asks too (they are removed with it).
#include "mainwindow.h"
#include "model/chatcontroller.h"
#include "serverprocess.h"
#include "settings/settings.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QMessageBox>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>

namespace {

// Answers the next message box with the button whose text contains `button`, remembering
// what it said. A timer looks for it, since the window waits in the box's own event loop.
class DialogAnswerer : public QObject
{
public:
    explicit DialogAnswerer(const QString &button) : m_button(button)
    {
        m_timer.setInterval(20);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            if (!box)
                return;
            m_timer.stop();
            m_text = box->text();
            ++m_seen;
            for (QAbstractButton *b : box->buttons()) {
                if (b->text().remove(QLatin1Char('&')).contains(m_button)) {
                    b->click();
                    return;
                }
            }
            box->reject(); // not the expected buttons: do not hang the test
        });
        m_timer.start();
    }
    QString text() const { return m_text; }
    int seen() const { return m_seen; }

private:
    QString m_button;
    QTimer m_timer;
    QString m_text;
    int m_seen = 0;
};

} // namespace

class TestQuitConfirmation : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

    std::unique_ptr<ChatController> offline(ServerProcess &server, const QString &name,
                                            const QString &outboxFolder)
    {
        if (!server.start() || !server.stop())
            return nullptr;
        auto c = std::make_unique<ChatController>();
        c->session()->setReconnectDelays(50, 400);
        c->session()->setOutboxFolder(outboxFolder);
        QSignalSpy lost(c->session(), &ClientSession::connectionLost);
        c->connectTo(server.url(), name);
        if (!lost.wait())
            return nullptr;
        return c;
    }

private slots:
    void asksBeforeQuittingWithUnsentMessages()
    {
        ServerProcess server;
        auto controller =
            offline(server, QStringLiteral("qc_writer"), m_dir.filePath(QStringLiteral("outbox")));
        QVERIFY(controller);
        Settings settings(m_dir.filePath(QStringLiteral("writer.ini")));
        MainWindow window(controller.get(), &settings);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        controller->send(QString(), QStringLiteral("first"));
        controller->send(QString(), QStringLiteral("second"));
        QCOMPARE(controller->unsentCount(), 2);
        {
            // Cancel keeps the window, and the messages.
            DialogAnswerer answer(QStringLiteral("Cancel"));
            QVERIFY(!window.close());
            QCOMPARE(answer.seen(), 1);
            QCOMPARE(answer.text(), QStringLiteral("2 messages are not sent yet. Quit anyway? "
                                                   "They will be sent next time."));
            QVERIFY(window.isVisible());
        }
        {
            // The Quit menu entry asks the same.
            QAction *quit = nullptr;
            for (QAction *a : window.findChildren<QAction *>()) {
                if (a->text() == QLatin1String("&Quit"))
                    quit = a;
            }
            QVERIFY(quit);
            DialogAnswerer answer(QStringLiteral("Cancel"));
            quit->trigger();
            QCOMPARE(answer.seen(), 1);
            QVERIFY(window.isVisible());
        }
        {
            DialogAnswerer answer(QStringLiteral("Quit anyway"));
            QVERIFY(window.close());
            QCOMPARE(answer.seen(), 1);
            QVERIFY(!window.isVisible());
        }
        QCOMPARE(controller->unsentCount(), 2); // kept for next time
    }

    void saysWhenUnsentMessagesWouldBeLost()
    {
        // Without a file (it could not be opened) the sentence must not promise a next time.
        ServerProcess server;
        auto controller = offline(server, QStringLiteral("qc_memory"), QString());
        QVERIFY(controller);
        Settings settings(m_dir.filePath(QStringLiteral("memory.ini")));
        MainWindow window(controller.get(), &settings);
        window.show();
        controller->send(QString(), QStringLiteral("only one"));
        DialogAnswerer answer(QStringLiteral("Quit anyway"));
        QVERIFY(window.close());
        QCOMPARE(answer.text(),
                 QStringLiteral("1 message is not sent yet and will be lost. Quit anyway?"));
    }

    void asksBeforeSigningOutWithUnsentMessages()
    {
        // Signing out removes what has not gone out with the account's saved history.
        ServerProcess server;
        auto controller =
            offline(server, QStringLiteral("qc_leaver"), m_dir.filePath(QStringLiteral("outbox")));
        QVERIFY(controller);
        Settings settings(m_dir.filePath(QStringLiteral("leaver.ini")));
        MainWindow window(controller.get(), &settings);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy requested(&window, &MainWindow::signOutRequested);
        auto *signOut = window.findChild<QAction *>(QStringLiteral("signOutAction"));
        QVERIFY(signOut);
        signOut->trigger(); // nothing unsent: no question
        QCOMPARE(requested.size(), 1);
        controller->send(QString(), QStringLiteral("waiting"));
        {
            DialogAnswerer answer(QStringLiteral("Cancel"));
            signOut->trigger();
            QCOMPARE(answer.seen(), 1);
            QCOMPARE(answer.text(), QStringLiteral("1 message is not sent yet and will be lost. "
                                                   "Sign out anyway?"));
            QCOMPARE(requested.size(), 1);
        }
        {
            DialogAnswerer answer(QStringLiteral("Sign out anyway"));
            signOut->trigger();
            QCOMPARE(answer.seen(), 1);
            QCOMPARE(requested.size(), 2);
        }
    }

    void quitsAtOnceWhenEverythingIsSent()
    {
        ServerProcess server;
        QVERIFY(server.start());
        ChatController controller;
        controller.session()->setOutboxFolder(m_dir.filePath(QStringLiteral("outbox")));
        QSignalSpy in(controller.session(), &ClientSession::loggedIn);
        controller.connectTo(server.url(), QStringLiteral("qc_online"));
        QVERIFY(in.wait());
        Settings settings(m_dir.filePath(QStringLiteral("online.ini")));
        MainWindow window(&controller, &settings);
        window.show();
        controller.send(QString(), QStringLiteral("acknowledged"));
        QTRY_COMPARE(controller.unsentCount(), 0);
        DialogAnswerer answer(QStringLiteral("Cancel"));
        QVERIFY(window.close());
        QCOMPARE(answer.seen(), 0);
        QVERIFY(!window.isVisible());
    }
};

QTEST_MAIN(TestQuitConfirmation)
#include "tst_quitconfirmation.moc"
