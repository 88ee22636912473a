// What the kernel may hold for a call's connections (issue 13, "Adapting to the network"): a
// call through the desktop client's embedded server, in this process, and the options read
// back with getsockopt on the real descriptors, both ends. Found by their addresses among this
// process' open descriptors, so no hook in the code under test: the client's connection has the
// server's port as its peer, the server's accepted one has it as its own.
//
// Without TCP_NOTSENT_LOWAT the kernel's send buffer (megabytes on a fast path) holds the
// backlog where nobody can see or drop it: seconds of stale video in front of the voice.
#include "call/callsession.h"
#include "embeddedserver.h"
#include "net/clientsession.h"
#include "net/sessionsocket.h"
#include "transport/transport.h"

#include <QDir>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace {
struct User
{
    std::unique_ptr<ClientSession> session;
    std::unique_ptr<CallSession> calls;
};

User online(const QUrl &url, const QString &name)
{
    User u;
    u.session = std::make_unique<ClientSession>();
    QSignalSpy in(u.session.get(), &ClientSession::loggedIn);
    u.session->open(url, name);
    if (!in.wait())
        return {};
    u.calls = std::make_unique<CallSession>(u.session.get());
    u.calls->setDevices(
        {QStringLiteral("test-pattern"), QStringLiteral("tone"), QStringLiteral("none")});
    return u;
}

int portOf(const sockaddr_storage &a)
{
    if (a.ss_family == AF_INET)
        return ntohs(reinterpret_cast<const sockaddr_in &>(a).sin_port);
    if (a.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6 &>(a).sin6_port);
    return -1;
}

struct Connections
{
    QList<int> clientSide; // connected to the server's port
    QList<int> serverSide; // accepted on it
};

// This process' connected TCP descriptors to and from `serverPort`.
Connections connectionsOf(int serverPort)
{
    Connections found;
    const QStringList fds =
        QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::Files | QDir::System);
    for (const QString &name : fds) {
        const int fd = name.toInt();
        int type = 0;
        socklen_t length = sizeof type;
        if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) != 0 || type != SOCK_STREAM)
            continue;
        sockaddr_storage local{}, peer{};
        socklen_t localLength = sizeof local, peerLength = sizeof peer;
        if (::getsockname(fd, reinterpret_cast<sockaddr *>(&local), &localLength) != 0 ||
            ::getpeername(fd, reinterpret_cast<sockaddr *>(&peer), &peerLength) != 0)
            continue; // not connected: the listening socket
        if (portOf(peer) == serverPort)
            found.clientSide.append(fd);
        else if (portOf(local) == serverPort)
            found.serverSide.append(fd);
    }
    return found;
}

int notSentLowWater(int fd)
{
    int value = -1;
    socklen_t length = sizeof value;
    if (::getsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &value, &length) != 0)
        return -1;
    return value;
}

QList<int> notSentLowWaters(const QList<int> &fds)
{
    QList<int> values;
    for (int fd : fds)
        values.append(notSentLowWater(fd));
    return values;
}
} // namespace

class TestCallSocketLimits : public QObject
{
    Q_OBJECT
private slots:
    void aCallsConnectionsKeepLittleUnsentInTheKernel()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        EmbeddedServer server;
        QString error;
        QVERIFY2(server.start(0, dir.filePath(QStringLiteral("limits.sqlite")), &error, false),
                 qPrintable(error));
        const QUrl url(server.localAddress());
        User alice = online(url, QStringLiteral("alice"));
        User bob = online(url, QStringLiteral("bob"));
        QVERIFY(alice.session && bob.session);

        const int port = server.port();
        const QList<int> idle(2, 0);
        const QList<int> client(2, SessionSocket::kKernelLowWater);
        const QList<int> inCall(2, Transport::kCallKernelLowWater);
        // The clients' side keeps little unsent from the start; the server's chat connections
        // keep the system's default (0 read back: never set) until they are in a call.
        Connections c = connectionsOf(port);
        QCOMPARE(c.clientSide.size(), 2);
        QCOMPARE(c.serverSide.size(), 2);
        QCOMPARE(notSentLowWaters(c.clientSide), client);
        QCOMPARE(notSentLowWaters(c.serverSide), idle);

        QSignalSpy incoming(bob.calls.get(), &CallSession::incomingCall);
        // Pictures taken as a window takes them (the next is announced once this one is).
        int aliceShown = 0, bobShown = 0;
        connect(alice.calls.get(), &CallSession::remoteFrameReady, this,
                [&] { aliceShown += !alice.calls->takeRemoteFrame().isNull(); });
        connect(bob.calls.get(), &CallSession::remoteFrameReady, this,
                [&] { bobShown += !bob.calls->takeRemoteFrame().isNull(); });
        QVERIFY(alice.calls->call(QStringLiteral("bob")));
        QVERIFY(incoming.wait());
        bob.calls->accept();
        QTRY_COMPARE(alice.calls->state(), CallSession::State::Active);
        QTRY_COMPARE(bob.calls->state(), CallSession::State::Active);
        // Media flows both ways: bob has shown pictures from alice and alice from bob.
        QTRY_VERIFY_WITH_TIMEOUT(aliceShown > 10, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(bobShown > 10, 15000);

        c = connectionsOf(port);
        QCOMPARE(c.clientSide.size(), 2);
        QCOMPARE(c.serverSide.size(), 2);
        QCOMPARE(notSentLowWaters(c.clientSide), client);
        // The server sets it when the call is answered, on its own thread.
        QTRY_COMPARE(notSentLowWaters(c.serverSide), inCall);

        // After the call the server's side goes back to the default.
        alice.calls->hangUp();
        QTRY_COMPARE(bob.calls->state(), CallSession::State::Idle);
        QTRY_COMPARE(notSentLowWaters(connectionsOf(port).serverSide), idle);
        QCOMPARE(notSentLowWaters(connectionsOf(port).clientSide), client);
    }
};

QTEST_MAIN(TestCallSocketLimits)
#include "tst_callsocketlimits.moc"
