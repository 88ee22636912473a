// ClientSession::close() against a real confab-server: the close frame reaches the server, which
// logs a clean close with the client's reason instead of a dropped connection (issue 15).
#include "net/clientsession.h"
#include "serverprocess.h"

#include <QSignalSpy>
#include <QTest>

class TestGracefulClose : public QObject
{
    Q_OBJECT
private slots:
    void closeSendsTheCloseFrame()
    {
        ServerProcess server;
        QVERIFY(server.start());
        ClientSession session;
        QSignalSpy loggedIn(&session, &ClientSession::loggedIn);
        session.open(server.url(), QStringLiteral("alice"));
        QVERIFY(loggedIn.wait());

        session.close();
        QCOMPARE(session.state(), ClientSession::State::Offline);
        // The server saw the client's close frame: its reason is logged. A connection that was
        // only dropped (abort) is logged as "code 1000" (what Qt reports without a frame) and
        // no reason, so the reason is what tells them apart.
        QTRY_VERIFY_WITH_TIMEOUT(server.log().contains(QLatin1String("alice left from")), 10000);
        const QString log = server.log();
        const qsizetype at = log.indexOf(QLatin1String("alice left from"));
        const QString line = log.mid(at, log.indexOf(QLatin1Char('\n'), at) - at);
        QVERIFY2(line.contains(QLatin1String("(logout)")) ||
                     line.contains(QLatin1String("( logout )")),
                 qPrintable(line));
    }
};

QTEST_MAIN(TestGracefulClose)
#include "tst_gracefulclose.moc"
