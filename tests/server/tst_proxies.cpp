// Behind a reverse proxy every client comes from the proxy's address: with --trusted-proxy the
// server counts the real address instead (X-Forwarded-For, or a PROXY protocol header), and
// from anyone else those headers count for nothing.
#include "serverprocess.h"

#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>

#include <memory>

namespace {

// A WebSocket client whose upgrade request carries X-Forwarded-For; returns the first text
// message the server sends after the handshake message (or "" when it sends none).
struct ForwardedClient
{
    QWebSocket socket;
    QStringList texts;

    bool open(const QUrl &url, const QByteArray &forwardedFor)
    {
        QObject::connect(&socket, &QWebSocket::textMessageReceived,
                         [this](const QString &t) { texts << t; });
        QNetworkRequest request(url);
        request.setRawHeader("X-Forwarded-For", forwardedFor);
        socket.open(request);
        return QTest::qWaitFor([this] { return !texts.isEmpty(); }, 5000);
    }
    bool refused() const
    {
        return QTest::qWaitFor(
            [this] {
                return texts.join(QLatin1Char(' ')).contains(QLatin1String("too_many_connections"));
            },
            3000);
    }
};

// A raw connection that starts with a PROXY header, then upgrades; returns what came back.
QByteArray proxiedUpgrade(QTcpSocket &s, quint16 port, const QByteArray &proxyHeader)
{
    s.connectToHost(QStringLiteral("127.0.0.1"), port);
    if (!s.waitForConnected(5000))
        return {};
    s.write(proxyHeader);
    s.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    QByteArray got;
    QTest::qWaitFor(
        [&] {
            got += s.readAll();
            return got.contains("handshake") || s.state() == QAbstractSocket::UnconnectedState;
        },
        5000);
    // What follows the handshake within a moment (an error that closes, or nothing).
    QTest::qWaitFor(
        [&] {
            got += s.readAll();
            return got.contains("too_many_connections") ||
                   s.state() == QAbstractSocket::UnconnectedState;
        },
        1000);
    return got;
}

} // namespace

class TestProxies : public QObject
{
    Q_OBJECT
private slots:
    void forwardedForCountsTheRealClient()
    {
        ServerProcess server({QStringLiteral("--trusted-proxy"), QStringLiteral("127.0.0.0/8"),
                              QStringLiteral("--max-connections-per-address"),
                              QStringLiteral("2")});
        QVERIFY(server.start());
        std::vector<std::unique_ptr<ForwardedClient>> clients;
        auto connectFrom = [&](const QByteArray &xff) {
            clients.push_back(std::make_unique<ForwardedClient>());
            return clients.back()->open(server.url(), xff);
        };
        // Two from one office: fine; the third from it is over the limit.
        QVERIFY(connectFrom("10.0.0.1"));
        QVERIFY(connectFrom("192.0.2.9, 10.0.0.1")); // the last entry is the proxy's own view
        QVERIFY(connectFrom("10.0.0.1"));
        QVERIFY(clients.back()->refused());
        // Others behind the same proxy are not held back by that office.
        for (int i = 2; i < 8; ++i) {
            QVERIFY(connectFrom(QByteArray("10.0.0.") + QByteArray::number(i)));
            QVERIFY(!clients.back()
                         ->texts.join(QLatin1Char(' '))
                         .contains(QLatin1String("too_many_connections")));
        }
    }

    void forwardedForFromAnUntrustedPeerCountsForNothing()
    {
        ServerProcess server(
            {QStringLiteral("--max-connections-per-address"), QStringLiteral("2")});
        QVERIFY(server.start());
        ForwardedClient a, b, c;
        QVERIFY(a.open(server.url(), "10.0.0.1"));
        QVERIFY(b.open(server.url(), "10.0.0.2"));
        // A made-up header does not buy a third slot from 127.0.0.1.
        QVERIFY(c.open(server.url(), "10.0.0.3"));
        QVERIFY(c.refused());
    }

    void proxyProtocolGivesTheRealAddress()
    {
        ServerProcess server({QStringLiteral("--trusted-proxy"), QStringLiteral("127.0.0.1"),
                              QStringLiteral("--proxy-protocol"), QStringLiteral("on"),
                              QStringLiteral("--max-connections-per-address"),
                              QStringLiteral("1")});
        QVERIFY(server.start());
        QTcpSocket first, second, other, v2, none;
        QVERIFY(
            proxiedUpgrade(first, server.port(), "PROXY TCP4 198.51.100.7 127.0.0.1 40000 8080\r\n")
                .contains("handshake"));
        const QByteArray again = proxiedUpgrade(second, server.port(),
                                                "PROXY TCP4 198.51.100.7 127.0.0.1 40001 8080\r\n");
        QVERIFY2(again.contains("too_many_connections"), again.constData());
        const QByteArray fromElsewhere = proxiedUpgrade(
            other, server.port(), "PROXY TCP4 198.51.100.8 127.0.0.1 40002 8080\r\n");
        QVERIFY(fromElsewhere.contains("handshake"));
        QVERIFY(!fromElsewhere.contains("too_many_connections"));
        // Version 2 (binary): TCP over IPv4 from 203.0.113.5.
        QByteArray header("\r\n\r\n\0\r\nQUIT\n", 12);
        header.append(char(0x21)).append(char(0x11)).append(char(0)).append(char(12));
        header.append("\xCB\x00\x71\x05", 4).append("\x7F\x00\x00\x01", 4);
        header.append("\x9C\x40\x1F\x90", 4);
        QVERIFY(proxiedUpgrade(v2, server.port(), header).contains("handshake"));
        // From the trusted proxy, a connection without the header is not let in.
        const QByteArray bare = proxiedUpgrade(none, server.port(), QByteArray());
        QVERIFY(!bare.contains("handshake"));
    }
};

QTEST_GUILESS_MAIN(TestProxies)
#include "tst_proxies.moc"
