// ClientSession with accounts and wss against real confab-server processes: a password signs
// in once and a device token does from then on (also after the server restarts), a revoked
// token ends the session for good, and certificates are trusted only when the system store,
// a pin the user accepted, or an expected fingerprint vouches for them.
#include "net/certificatepins.h"
#include "net/clientsession.h"
#include "serverprocess.h"
#include "tls/selfsignedcertificate.h"

#include <QFile>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {
using State = ClientSession::State;
using Mode = ClientSession::Credentials::Mode;

std::unique_ptr<ClientSession> fastSession()
{
    auto s = std::make_unique<ClientSession>();
    s->setReconnectDelays(50, 400);
    return s;
}

ClientSession::Credentials password(const QString &pw)
{
    ClientSession::Credentials c;
    c.mode = Mode::Password;
    c.password = pw;
    c.device = QStringLiteral("test device");
    return c;
}

// A server on wss:// with a self-signed certificate made for the test.
struct TlsServer
{
    QTemporaryDir dir;
    std::unique_ptr<ServerProcess> server;
    QSslCertificate certificate;

    bool start(const QString &name = QStringLiteral("one"))
    {
        const QString cert = dir.filePath(name + QStringLiteral("-cert.pem"));
        const QString key = dir.filePath(name + QStringLiteral("-key.pem"));
        QString error;
        if (!SelfSignedCertificate::ensure(cert, key, QStringLiteral("localhost"), &error)) {
            qWarning("%s", qPrintable(error));
            return false;
        }
        QFile f(cert);
        if (!f.open(QIODevice::ReadOnly))
            return false;
        certificate = QSslCertificate(&f, QSsl::Pem);
        server = std::make_unique<ServerProcess>(
            QStringList{QStringLiteral("--tls-cert"), cert, QStringLiteral("--tls-key"), key});
        return server->start();
    }
    QString hostPort() const { return QStringLiteral("127.0.0.1:%1").arg(server->port()); }
};
} // namespace

class TestClientAccounts : public QObject
{
    Q_OBJECT
private slots:
    void passwordOnceThenTheDeviceToken()
    {
        ServerProcess server;
        QVERIFY(server.createAccount(QStringLiteral("alice"), QStringLiteral("alice's secret")));
        QVERIFY(server.start());
        auto s = fastSession();
        QSignalSpy token(s.get(), &ClientSession::tokenIssued);
        QSignalSpy loggedIn(s.get(), &ClientSession::loggedIn);
        s->open(server.url(), QStringLiteral("ALICE"), password(QStringLiteral("alice's secret")));
        QVERIFY(loggedIn.wait(15000));
        QVERIFY(s->isAccount());
        QCOMPARE(s->name(), QStringLiteral("alice")); // the account's own spelling
        QCOMPARE(token.size(), 1);
        QVERIFY(token.at(0).at(0).toString().size() >= 43);

        // The server dies and comes back: the session reconnects with its token, not the
        // password, so no new device appears in the account.
        server.kill();
        QTRY_VERIFY_WITH_TIMEOUT(s->state() != State::Online, 10000);
        QVERIFY(server.start());
        QVERIFY(loggedIn.wait(20000));
        QVERIFY(s->isAccount());
        QCOMPARE(token.size(), 1);
        QString output;
        QCOMPARE(server.admin({QStringLiteral("tokens"), QStringLiteral("alice")}, {}, &output), 0);
        QVERIFY2(output.contains(QLatin1String("1 devices")), qPrintable(output));
        QVERIFY(!server.log().contains(QLatin1String("failed sign-in")));
    }

    void registrationSignsIn()
    {
        ServerProcess server({QStringLiteral("--registration"), QStringLiteral("open")});
        QVERIFY(server.start());
        auto s = fastSession();
        QSignalSpy token(s.get(), &ClientSession::tokenIssued);
        QSignalSpy loggedIn(s.get(), &ClientSession::loggedIn);
        QSignalSpy policy(s.get(), &ClientSession::authPolicyReceived);
        ClientSession::Credentials c;
        c.mode = Mode::Register;
        c.password = QStringLiteral("a long enough password");
        s->open(server.url(), QStringLiteral("newcomer"), c);
        QVERIFY(loggedIn.wait(15000));
        QVERIFY(s->isAccount());
        QCOMPARE(token.size(), 1);
        QCOMPARE(policy.size(), 1);
        QCOMPARE(s->authPolicy().registration, AuthPolicy::Registration::Open);
    }

    void wrongPasswordAndBadTokenAreRefusedWithoutRetrying()
    {
        ServerProcess server;
        QVERIFY(server.createAccount(QStringLiteral("bob"), QStringLiteral("bob's secret")));
        QVERIFY(server.start());
        auto s = fastSession();
        QSignalSpy failed(s.get(), &ClientSession::loginFailed);
        s->open(server.url(), QStringLiteral("bob"), password(QStringLiteral("not it")));
        QVERIFY(failed.wait(15000));
        QCOMPARE(failed.at(0).at(0).value<ErrorCode>(), ErrorCode::AuthFailed);
        QCOMPARE(s->state(), State::Offline);
        ClientSession::Credentials bogus;
        bogus.mode = Mode::Token;
        bogus.token = QStringLiteral("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        s->open(server.url(), QStringLiteral("bob"), bogus);
        QVERIFY(failed.wait());
        QCOMPARE(failed.at(1).at(0).value<ErrorCode>(), ErrorCode::TokenInvalid);
        // A guest may not take the registered name either.
        s->open(server.url(), QStringLiteral("Bob"));
        QVERIFY(failed.wait());
        QCOMPARE(failed.at(2).at(0).value<ErrorCode>(), ErrorCode::NameRegistered);
        QTest::qWait(0);
        QCOMPARE(s->state(), State::Offline);
    }

    void revokedTokenEndsTheSessionForGood()
    {
        ServerProcess server;
        QVERIFY(server.createAccount(QStringLiteral("carol"), QStringLiteral("carol's secret")));
        QVERIFY(server.start());
        auto s = fastSession();
        QSignalSpy loggedIn(s.get(), &ClientSession::loggedIn);
        QSignalSpy ended(s.get(), &ClientSession::sessionEnded);
        s->open(server.url(), QStringLiteral("carol"), password(QStringLiteral("carol's secret")));
        QVERIFY(loggedIn.wait(15000));
        // The administrator signs every device of carol out, on the running server's database.
        QCOMPARE(server.admin(
                     {QStringLiteral("revoke"), QStringLiteral("carol"), QStringLiteral("--all")}),
                 0);
        QVERIFY(ended.wait(10000));
        QCOMPARE(ended.at(0).at(0).value<ErrorCode>(), ErrorCode::TokenRevoked);
        QTRY_COMPARE(s->state(), State::Offline);
        // It does not come back on its own.
        QVERIFY(!loggedIn.wait(1500));
        QCOMPARE(s->state(), State::Offline);
    }

    void unknownCertificateIsAskedAboutThenPinned()
    {
        TlsServer tls;
        QVERIFY(tls.start());
        QTemporaryDir dir;
        CertificatePins pins(dir.filePath(QStringLiteral("pins.ini")));
        auto s = fastSession();
        s->setCertificatePins(&pins);
        QSignalSpy rejected(s.get(), &ClientSession::certificateRejected);
        QSignalSpy loggedIn(s.get(), &ClientSession::loggedIn);
        s->open(tls.server->url(), QStringLiteral("dave"));
        QVERIFY(rejected.wait());
        QCOMPARE(rejected.at(0).at(0).toString(), tls.hostPort());
        QCOMPARE(rejected.at(0).at(1).toString(), CertificatePins::fingerprint(tls.certificate));
        QCOMPARE(rejected.at(0).at(2).toBool(), false);
        QCOMPARE(s->state(), State::Offline);
        QVERIFY(loggedIn.isEmpty());
        // The user compared the fingerprint and said yes.
        s->trustRejectedCertificate();
        QVERIFY(loggedIn.wait());
        QVERIFY(s->isEncrypted());
        QCOMPARE(pins.pinned(tls.hostPort()), CertificatePins::fingerprint(tls.certificate));
        // Next time it connects without asking.
        auto again = fastSession();
        again->setCertificatePins(&pins);
        QSignalSpy againIn(again.get(), &ClientSession::loggedIn);
        QSignalSpy againRejected(again.get(), &ClientSession::certificateRejected);
        again->open(tls.server->url(), QStringLiteral("dave2"));
        QVERIFY(againIn.wait());
        QVERIFY(againRejected.isEmpty());
    }

    void changedCertificateIsRefused()
    {
        TlsServer tls;
        QVERIFY(tls.start());
        QTemporaryDir dir;
        CertificatePins pins(dir.filePath(QStringLiteral("pins.ini")));
        // What the user accepted before, for this address, was another certificate.
        pins.pin(tls.hostPort(), QStringLiteral("AB:CD:EF"));
        auto s = fastSession();
        s->setCertificatePins(&pins);
        s->setPlainFallback(true); // a pinned server is never tried without TLS
        QSignalSpy rejected(s.get(), &ClientSession::certificateRejected);
        QSignalSpy loggedIn(s.get(), &ClientSession::loggedIn);
        QSignalSpy fellBack(s.get(), &ClientSession::fellBackToPlain);
        s->open(tls.server->url(), QStringLiteral("erin"));
        QVERIFY(rejected.wait());
        QCOMPARE(rejected.at(0).at(2).toBool(), true);
        QVERIFY(!loggedIn.wait(1000));
        QVERIFY(fellBack.isEmpty());
        QCOMPARE(pins.pinned(tls.hostPort()), QStringLiteral("AB:CD:EF")); // never silently
    }

    void expectedFingerprintOrAnAuthorityIsEnough()
    {
        TlsServer tls;
        QVERIFY(tls.start());
        // confab-cli --pin: the fingerprint, with or without colons, in any case.
        auto pinned = fastSession();
        pinned->setExpectedFingerprint(
            CertificatePins::fingerprint(tls.certificate).remove(QLatin1Char(':')).toLower());
        QSignalSpy pinnedIn(pinned.get(), &ClientSession::loggedIn);
        pinned->open(tls.server->url(), QStringLiteral("frank"));
        QVERIFY(pinnedIn.wait());
        // A certificate the system's store vouches for needs no pin (here: a store that knows
        // the test certificate as an authority).
        const QSslConfiguration saved = QSslConfiguration::defaultConfiguration();
        QSslConfiguration withCa = saved;
        withCa.addCaCertificate(tls.certificate);
        QSslConfiguration::setDefaultConfiguration(withCa);
        QTemporaryDir dir;
        CertificatePins pins(dir.filePath(QStringLiteral("pins.ini")));
        auto trusted = fastSession();
        trusted->setCertificatePins(&pins);
        QSignalSpy trustedIn(trusted.get(), &ClientSession::loggedIn);
        QSignalSpy rejected(trusted.get(), &ClientSession::certificateRejected);
        trusted->open(QUrl(QStringLiteral("wss://localhost:%1").arg(tls.server->port())),
                      QStringLiteral("grace"));
        const bool in = trustedIn.wait();
        QSslConfiguration::setDefaultConfiguration(saved);
        QVERIFY(in);
        QVERIFY(rejected.isEmpty());
        QVERIFY(pins.pinned(QStringLiteral("localhost:%1").arg(tls.server->port())).isEmpty());
    }

    void bareAddressFallsBackToPlainOnlyForPlainServers()
    {
        ServerProcess plain;
        QVERIFY(plain.start());
        auto s = fastSession();
        s->setPlainFallback(true);
        QSignalSpy fellBack(s.get(), &ClientSession::fellBackToPlain);
        QSignalSpy loggedIn(s.get(), &ClientSession::loggedIn);
        s->open(QUrl(QStringLiteral("wss://127.0.0.1:%1").arg(plain.port())),
                QStringLiteral("henry"));
        QVERIFY(loggedIn.wait());
        QCOMPARE(fellBack.size(), 1);
        QVERIFY(!s->isEncrypted());
        // Without the fallback (an address written with wss://) it stays refused.
        auto strict = fastSession();
        QSignalSpy lost(strict.get(), &ClientSession::connectionLost);
        QSignalSpy strictIn(strict.get(), &ClientSession::loggedIn);
        strict->open(QUrl(QStringLiteral("wss://127.0.0.1:%1").arg(plain.port())),
                     QStringLiteral("ivy"));
        QVERIFY(lost.wait());
        QVERIFY(strictIn.isEmpty());
        strict->close();
    }
};

QTEST_GUILESS_MAIN(TestClientAccounts)
#include "tst_clientaccounts.moc"
