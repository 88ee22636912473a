// confab-bare-broadcast: a deliberately minimal QtWebSockets broadcast loop,
// used as a baseline ("ceiling") to compare confab-server against with
// confab-loadgen. It speaks just enough of the protocol for the load
// generator: handshake, login reply (self only, no presence), relay of chat
// messages unchanged to every connected socket, and an ack to the sender.
// No JSON parsing, no storage, no validation, no rate limiting.
//
// usage: confab-bare-broadcast [PORT]   (0 or omitted = any free port)

#include <QCoreApplication>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QString>
#include <QWebSocket>
#include <QWebSocketServer>

#include <cstdio>
#include <cstdlib>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace {

// Raw (unescaped-as-is) string value following `"key":"` in s, or empty.
QStringView stringAfter(QStringView s, QStringView marker, bool fromEnd)
{
    const qsizetype at = fromEnd ? s.lastIndexOf(marker) : s.indexOf(marker);
    if (at < 0)
        return {};
    const qsizetype start = at + marker.size();
    qsizetype end = start;
    while (end < s.size()) {
        if (s[end] == u'"')
            break;
        if (s[end] == u'\\')
            ++end; // skip the escaped character
        ++end;
    }
    if (end >= s.size())
        return {};
    return s.sliced(start, end - start);
}

class BareServer : public QObject
{
public:
    explicit BareServer(QObject* parent = nullptr)
        : QObject(parent), m_server(QStringLiteral("bare"), QWebSocketServer::NonSecureMode, this)
    {
        m_server.setMaxPendingConnections(1000);
        connect(&m_server, &QWebSocketServer::newConnection, this, &BareServer::onNewConnection);
    }

    bool listen(quint16 port)
    {
        if (!m_server.listen(QHostAddress(QStringLiteral("127.0.0.1")), port))
            return false;
        // TCP_NODELAY on the listening socket: Linux copies it to every accepted socket.
        // (confab-server sets LowDelayOption per socket; without it Nagle + delayed ACK
        // add ~40 ms to the tail and the comparison is meaningless.)
        const int one = 1;
        if (::setsockopt(int(m_server.socketDescriptor()), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
            std::perror("setsockopt(TCP_NODELAY)");
        return true;
    }
    quint16 port() const { return m_server.serverPort(); }
    QString errorString() const { return m_server.errorString(); }

private:
    void onNewConnection()
    {
        while (QWebSocket* ws = m_server.nextPendingConnection()) {
            m_clients.append(ws);
            connect(ws, &QWebSocket::textMessageReceived, this,
                    [this, ws](const QString& msg) { onText(ws, msg); });
            connect(ws, &QWebSocket::disconnected, this, [this, ws] {
                m_clients.removeOne(ws);
                ws->deleteLater();
            });
            ws->sendTextMessage(QStringLiteral(R"({"type":"handshake","content":"done","version":1})"));
        }
    }

    void onText(QWebSocket* sender, const QString& msg)
    {
        if (msg.contains(QLatin1StringView(R"("type":"login")"))) {
            const QStringView name = stringAfter(msg, u"\"content\":\"", false);
            sender->sendTextMessage(QStringLiteral(R"({"type":"login","content":")") + name
                                    + QStringLiteral(R"(","self":true})"));
            return;
        }
        for (QWebSocket* ws : std::as_const(m_clients))
            ws->sendTextMessage(msg);
        const QStringView id = stringAfter(msg, u"\"id\":\"", true);
        sender->sendTextMessage(QStringLiteral(R"({"type":"ack","id":")") + id + QStringLiteral(R"("})"));
    }

    QWebSocketServer m_server;
    QList<QWebSocket*> m_clients;
};

} // namespace

int main(int argc, char** argv)
{
    qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);

    int port = 0;
    if (argc > 1) {
        char* end = nullptr;
        const long p = std::strtol(argv[1], &end, 10);
        if (!end || *end || p < 0 || p > 65535) {
            std::fprintf(stderr, "usage: %s [PORT]\n", argv[0]);
            return 2;
        }
        port = int(p);
    }

    BareServer server;
    if (!server.listen(quint16(port))) {
        std::fprintf(stderr, "listen failed: %s\n", qPrintable(server.errorString()));
        return 1;
    }
    std::printf("listening on ws://127.0.0.1:%u\n", unsigned(server.port()));
    std::fflush(stdout);
    return app.exec();
}
