// A large file over loopback while people chat (issue 14: "a 100 MB file over loopback at
// >= 50 MB/s, with chat p99 during the transfer <= 20 ms for other users, and for the sender's
// own messages too").
//
// A real confab-server (a child process, fresh SQLite file and files folder). In this process,
// through the client's own code (ClientSession + FileTransfers): alice uploads the file, then
// bob downloads it; meanwhile alice, bob and carol each send a chat line to the room every
// --chat-ms. dave only listens, in a second process of this program (--listener), so that what
// he hears is not delayed by this process's own work on the file. Every chat line carries the
// steady clock (CLOCK_MONOTONIC, one clock for all processes of the machine) of its send, so a
// receiver knows its delivery latency.
//
// Reported per phase (upload, download): the transfer's MB/s (10^6 bytes per second) from the
// first to the last byte, and with the hashing and checks around it; chat latency p50/p99/max of
// - "others": carol's lines as dave hears them (users who have nothing to do with the file),
// - "sender": the transferring user's own lines (alice while uploading, bob while
//   downloading) as dave hears them, and the time to their ack,
// - "to the downloader": carol's lines as bob hears them while his download runs;
// and the CPU of this process, the listener and the server.
#include "benchserver.h"
#include "net/clientsession.h"
#include "net/filetransfers.h"
#include "protocol/sha256.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QLoggingCategory>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <thread>

#include <signal.h>
#include <sys/prctl.h>

using namespace BenchStats;

namespace {

qint64 steadyNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// "fb|<phase>|<sender>|<steady ns at send>|<padding to a typical line>"
QString chatLine(const QString &phase, const QString &sender)
{
    return QStringLiteral("fb|%1|%2|%3|on my way, I will be there in ten minutes or so.")
        .arg(phase, sender)
        .arg(steadyNs());
}

struct Parsed
{
    QString phase, sender;
    double latencyMs = -1;
};

Parsed parseLine(const QString &content)
{
    const QStringList parts = content.split(QLatin1Char('|'));
    if (parts.size() < 4 || parts.at(0) != QLatin1String("fb"))
        return {};
    return {parts.at(1), parts.at(2), (steadyNs() - parts.at(3).toLongLong()) / 1e6};
}

double percentile(QList<double> v, double p)
{
    if (v.isEmpty())
        return -1;
    std::sort(v.begin(), v.end());
    const qsizetype i = qMin(v.size() - 1, qsizetype(p / 100.0 * double(v.size())));
    return v.at(i);
}

QString summary(const QList<double> &v)
{
    if (v.isEmpty())
        return QStringLiteral("no samples");
    return QStringLiteral("p50 %1 ms  p99 %2 ms  max %3 ms  (n=%4)")
        .arg(percentile(v, 50), 0, 'f', 2)
        .arg(percentile(v, 99), 0, 'f', 2)
        .arg(percentile(v, 100), 0, 'f', 2)
        .arg(v.size());
}

// The listener: logs in as `name`, prints "<phase> <sender> <latency ms>" for every chat line,
// and its CPU ticks when stdin closes.
int runListener(const QUrl &url, const QString &name)
{
    ClientSession session;
    QObject::connect(&session, &ClientSession::messageReceived, [](const ChatMessage &m) {
        const Parsed p = parseLine(m.content);
        if (p.latencyMs >= 0)
            std::printf("%s %s %.3f\n", qPrintable(p.phase), qPrintable(p.sender), p.latencyMs);
        std::fflush(stdout);
    });
    QObject::connect(&session, &ClientSession::loggedIn, [] {
        std::printf("ready\n");
        std::fflush(stdout);
    });
    session.open(url, name);
    // The parent closes our stdin when it is done: a thread of ours waits for that.
    std::thread reader([] {
        char buffer[64];
        while (std::fgets(buffer, sizeof buffer, stdin)) {
        }
        QMetaObject::invokeMethod(
            qApp, [] { QCoreApplication::quit(); }, Qt::QueuedConnection);
    });
    reader.detach();
    QCoreApplication::exec();
    std::printf("cpu %.3f\n", processCpuSeconds());
    std::fflush(stdout);
    session.close();
    session.waitForClosed(2000);
    return 0;
}

struct Transfer
{
    qint64 startNs = 0; // upload()/download() called
    qint64 firstNs = 0; // the server said where to start (upload) / the first chunk (download)
    qint64 bytesNs = 0; // the last byte acknowledged (upload) / written (download)
    qint64 doneNs = 0;  // the message acknowledged (upload) / the file checked (download)
    bool failed = false;
    QString error;
    double mbps(qint64 bytes) const
    {
        return bytesNs > firstNs ? bytes / ((bytesNs - firstNs) / 1e9) / 1e6 : 0;
    }
    double mbpsWhole(qint64 bytes) const
    {
        return doneNs > startNs ? bytes / ((doneNs - startNs) / 1e9) / 1e6 : 0;
    }
};

struct Options
{
    QString serverBinary;
    qint64 bytes = 100'000'000;
    int chatMs = 20;
    int rounds = 1;
    QStringList serverArgs;
};

int runBench(const Options &o)
{
    const QString program = QCoreApplication::applicationFilePath();
    std::printf("confab-filebench: %lld bytes, chat every %d ms from alice, bob and carol, "
                "server %s %s; load average %s\n",
                o.bytes, o.chatMs, qPrintable(o.serverBinary), qPrintable(o.serverArgs.join(' ')),
                qPrintable(loadAverage()));
    std::fflush(stdout);
    QTemporaryDir dir;
    const QString source = dir.filePath(QStringLiteral("big.bin"));
    {
        QFile f(source);
        if (!f.open(QIODevice::WriteOnly))
            return 1;
        // Random bytes (no compression anywhere to flatter the figures).
        QByteArray block(1 << 20, Qt::Uninitialized);
        for (qint64 done = 0; done < o.bytes; done += block.size()) {
            QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(block.data()),
                                                  block.size() / 4);
            f.write(block.constData(), qMin<qint64>(block.size(), o.bytes - done));
        }
    }
    int failures = 0;
    for (int round = 1; round <= o.rounds; ++round) {
        BenchServer server;
        QString error;
        if (!server.start(o.serverBinary, BenchServer::unlimited() + o.serverArgs, &error)) {
            std::printf("cannot start the server: %s\n", qPrintable(error));
            return 1;
        }
        // dave, in his own process.
        QProcess listener;
        listener.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        listener.setChildProcessModifier([] { prctl(PR_SET_PDEATHSIG, SIGKILL); });
        listener.start(program, {QStringLiteral("--listener"), server.url().toString(),
                                 QStringLiteral("dave")});
        QByteArray heard;
        if (!waitFor(
                [&] {
                    heard += listener.readAllStandardOutput();
                    return heard.contains("ready\n");
                },
                15000)) {
            std::printf("the listener did not log in\n");
            return 1;
        }
        heard.clear();

        ClientSession alice, bob, carol;
        int in = 0;
        for (ClientSession *s : {&alice, &bob, &carol})
            QObject::connect(s, &ClientSession::loggedIn, [&in] { ++in; });
        alice.open(server.url(), QStringLiteral("alice"));
        bob.open(server.url(), QStringLiteral("bob"));
        carol.open(server.url(), QStringLiteral("carol"));
        if (!waitFor([&] { return in == 3; }, 15000)) {
            std::printf("could not log in\n");
            return 1;
        }
        FileTransfers aliceFiles(&alice), bobFiles(&bob);

        QString phase = QStringLiteral("idle");
        std::map<QString, QList<double>> acks;  // phase -> the transferring user's ack times
        std::map<QString, QList<double>> atBob; // phase -> carol's lines heard by bob
        QHash<QString, qint64> sentAt;          // client id -> steady ns
        QObject::connect(&bob, &ClientSession::messageReceived, [&](const ChatMessage &m) {
            const Parsed p = parseLine(m.content);
            if (p.latencyMs >= 0 && p.sender == QLatin1String("carol"))
                atBob[p.phase] << p.latencyMs;
        });
        auto ackOf = [&](const QString &id, qint64) {
            const auto it = sentAt.find(id);
            if (it != sentAt.end()) {
                acks[phase] << (steadyNs() - it.value()) / 1e6;
                sentAt.erase(it);
            }
        };
        QObject::connect(&alice, &ClientSession::messageAcknowledged, ackOf);
        QObject::connect(&bob, &ClientSession::messageAcknowledged, ackOf);

        // Chat at a steady pace: carol always, and whoever is transferring.
        ClientSession *transferring = nullptr;
        QTimer chat;
        chat.setInterval(o.chatMs);
        chat.setTimerType(Qt::PreciseTimer);
        QObject::connect(&chat, &QTimer::timeout, [&] {
            carol.sendMessage(chatLine(phase, QStringLiteral("carol")));
            if (transferring) {
                const qint64 t = steadyNs();
                const QString id = transferring->sendMessage(chatLine(phase, transferring->name()));
                sentAt.insert(id, t);
            }
        });

        Transfer up, down;
        qint64 fileSeq = 0;
        FileRef fileRef;
        const double cpu0 = processCpuSeconds();
        const qint64 server0 = server.cpuTicks();
        const Machine machine0 = machine();
        QEventLoop loop;
        QTimer::singleShot(600'000, &loop, [&] {
            up.error = QStringLiteral("timed out");
            loop.quit();
        });

        // Upload.
        QObject::connect(&aliceFiles, &FileTransfers::uploadProgress,
                         [&](const QString &, qint64 done, qint64 total) {
                             if (!up.firstNs)
                                 up.firstNs = steadyNs();
                             if (done == total)
                                 up.bytesNs = steadyNs();
                         });
        QObject::connect(&aliceFiles, &FileTransfers::uploadFailed,
                         [&](const QString &, ErrorCode, const QString &text) {
                             up.failed = true;
                             up.error = text;
                             loop.quit();
                         });
        QObject::connect(&bob, &ClientSession::messageReceived, [&](const ChatMessage &m) {
            if (m.file && m.from == QLatin1String("alice")) {
                fileSeq = m.seq;
                fileRef = *m.file;
            }
        });
        QObject::connect(&aliceFiles, &FileTransfers::uploadFinished, [&] {
            up.doneNs = steadyNs();
            // Download, once bob has the file message.
            waitFor([&] { return fileSeq > 0; }, 10000);
            phase = QStringLiteral("download");
            transferring = &bob;
            down.startNs = steadyNs();
            bobFiles.download(fileSeq, fileRef, dir.filePath(QStringLiteral("copy.bin")));
        });
        QObject::connect(&bobFiles, &FileTransfers::downloadProgress,
                         [&](const QString &, qint64 done, qint64 total) {
                             if (!down.firstNs)
                                 down.firstNs = steadyNs();
                             if (done == total)
                                 down.bytesNs = steadyNs();
                         });
        QObject::connect(&bobFiles, &FileTransfers::downloadFailed,
                         [&](const QString &, ErrorCode, const QString &text) {
                             down.failed = true;
                             down.error = text;
                             loop.quit();
                         });
        QObject::connect(&bobFiles, &FileTransfers::downloadFinished, [&] {
            down.doneNs = steadyNs();
            transferring = nullptr;
            phase = QStringLiteral("after");
            loop.quit();
        });

        QTimer::singleShot(0, &loop, [&] {
            phase = QStringLiteral("upload");
            transferring = &alice;
            chat.start();
            up.startNs = steadyNs();
            aliceFiles.upload(source);
        });
        loop.exec();
        // The last lines reach dave.
        waitFor([] { return false; }, 300);
        chat.stop();
        const double clientCpu = processCpuSeconds() - cpu0;
        const double tick = 1.0 / ticksPerSecond();
        const double serverCpu = double(server.cpuTicks() - server0) * tick;
        const Machine machine1 = machine();
        listener.closeWriteChannel();
        listener.waitForFinished(5000);
        heard += listener.readAllStandardOutput();
        std::map<QString, QList<double>> others, own; // phase -> latencies at dave
        double listenerCpu = -1;
        for (const QByteArray &line : heard.split('\n')) {
            const QList<QByteArray> f = line.split(' ');
            if (f.size() == 2 && f.at(0) == "cpu")
                listenerCpu = f.at(1).toDouble();
            if (f.size() != 3)
                continue;
            const QString ph = QString::fromLatin1(f.at(0));
            const bool ownLine = (ph == QLatin1String("upload") && f.at(1) == "alice") ||
                                 (ph == QLatin1String("download") && f.at(1) == "bob");
            if (f.at(1) == "carol")
                others[ph] << f.at(2).toDouble();
            else if (ownLine)
                own[ph] << f.at(2).toDouble();
        }
        const double wall = (steadyNs() - up.startNs) / 1e9;
        std::printf("round %d\n", round);
        if (!up.error.isEmpty() || !down.error.isEmpty()) {
            std::printf("  FAILED: upload %s, download %s\n", qPrintable(up.error),
                        qPrintable(down.error));
            ++failures;
        }
        std::printf("  upload:   %6.1f MB/s first to last byte (%.2f s); %6.1f MB/s with hashing "
                    "and the server's check (%.2f s)\n",
                    up.mbps(o.bytes), (up.bytesNs - up.firstNs) / 1e9, up.mbpsWhole(o.bytes),
                    (up.doneNs - up.startNs) / 1e9);
        std::printf("  download: %6.1f MB/s first to last byte (%.2f s); %6.1f MB/s with the "
                    "client's check (%.2f s)\n",
                    down.mbps(o.bytes), (down.bytesNs - down.firstNs) / 1e9,
                    down.mbpsWhole(o.bytes), (down.doneNs - down.startNs) / 1e9);
        for (const char *ph : {"upload", "download"}) {
            const QString p = QLatin1String(ph);
            std::printf("  chat during the %s:\n", ph);
            std::printf("    others (carol -> dave):            %s\n",
                        qPrintable(summary(others[p])));
            std::printf("    sender's own (%s -> dave):        %s\n",
                        p == QLatin1String("upload") ? "alice" : "bob  ",
                        qPrintable(summary(own[p])));
            std::printf("    sender's own, to its ack:          %s\n",
                        qPrintable(summary(acks[p])));
            if (p == QLatin1String("download"))
                std::printf("    to the downloader (carol -> bob):  %s\n",
                            qPrintable(summary(atBob[p])));
        }
        std::printf(
            "  CPU over %.1f s: this process (alice, bob, carol) %.2f s, listener %.2f s, "
            "server %.2f s; machine busy %.2f s of %.2f s (2 cores = %.1f)\n",
            wall, clientCpu, listenerCpu, serverCpu, double(machine1.busy - machine0.busy) * tick,
            double(machine1.busy - machine0.busy + machine1.idle - machine0.idle) * tick, 2 * wall);
        std::fflush(stdout);
        for (ClientSession *s : {&alice, &bob, &carol})
            s->close();
        for (ClientSession *s : {&alice, &bob, &carol})
            s->waitForClosed(2000);
    }
    return failures ? 1 : 0;
}

// --- The floor: what this machine does without Confab's logic ---

// The far end of the raw WebSocket measurement, in a process of its own: connects to `url` and
// either sends `bytes` in `chunk`-sized binary messages as fast as its socket takes them
// ("send"), or receives until `bytes` have come ("receive"); prints its CPU seconds.
int runRawPeer(const QUrl &url, const QString &mode, qint64 bytes, qint64 chunk)
{
    QWebSocket socket;
    qint64 sent = 0;
    qint64 received = 0;
    const QByteArray payload(chunk, 'x');
    auto pump = [&] {
        // Only once the upgrade is done: QWebSocket drops what is sent before (and the
        // handshake request's own bytesWritten comes first). Keep about 1 MiB in Qt's buffer:
        // the kernel never waits for us.
        if (mode != QLatin1String("send") || socket.state() != QAbstractSocket::ConnectedState)
            return;
        while (sent < bytes && socket.bytesToWrite() < 1024 * 1024) {
            socket.sendBinaryMessage(payload.left(qMin(chunk, bytes - sent)));
            sent += qMin(chunk, bytes - sent);
        }
    };
    QObject::connect(&socket, &QWebSocket::connected, [&] { pump(); });
    QObject::connect(&socket, &QWebSocket::bytesWritten, [&] { pump(); });
    QObject::connect(&socket, &QWebSocket::binaryMessageReceived, [&](const QByteArray &m) {
        received += m.size();
        if (received >= bytes)
            QCoreApplication::quit();
    });
    QObject::connect(&socket, &QWebSocket::disconnected, [] { QCoreApplication::quit(); });
    socket.open(url);
    QCoreApplication::exec();
    std::printf("cpu %.3f\n", processCpuSeconds());
    std::fflush(stdout);
    return 0;
}

struct RawResult
{
    double mbps = 0;
    double serverCpu = 0; // this process (the QWebSocketServer side)
    double peerCpu = 0;
    bool complete = false; // else stopped after 20 s: mbps is what came until then
    qint64 bytes = 0;
};

// QWebSocketServer in this process, a QWebSocket client in a child: `bytes` in `chunk`-sized
// binary messages from the client (upload) or to it (download), as fast as Qt goes.
RawResult rawWebSocket(bool upload, qint64 bytes, qint64 chunk)
{
    RawResult r;
    QWebSocketServer server(QStringLiteral("floor"), QWebSocketServer::NonSecureMode);
    if (!server.listen(QHostAddress::LocalHost))
        return r;
    QProcess peer;
    peer.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    QElapsedTimer clock;
    qint64 received = 0;
    qint64 sent = 0;
    double cpu0 = 0;
    bool done = false;
    QWebSocket *socket = nullptr;
    const QByteArray payload(chunk, 'x');
    auto pump = [&] {
        while (socket && sent < bytes && socket->bytesToWrite() < 1024 * 1024) {
            socket->sendBinaryMessage(payload.left(qMin(chunk, bytes - sent)));
            sent += qMin(chunk, bytes - sent);
        }
    };
    QObject::connect(&server, &QWebSocketServer::newConnection, [&] {
        socket = server.nextPendingConnection();
        socket->setMaxAllowedIncomingMessageSize(quint64(chunk + 4096));
        socket->setMaxAllowedIncomingFrameSize(quint64(chunk + 4096));
        cpu0 = processCpuSeconds();
        clock.start();
        QObject::connect(socket, &QWebSocket::binaryMessageReceived, [&](const QByteArray &m) {
            received += m.size();
            if (received >= bytes)
                done = true;
        });
        // The server side sends only when it is the sender (its bytesWritten also follows the
        // upgrade's answer).
        if (!upload) {
            QObject::connect(socket, &QWebSocket::bytesWritten, [&] { pump(); });
            pump();
        }
    });
    peer.start(QCoreApplication::applicationFilePath(),
               {QStringLiteral("--raw-peer"),
                QStringLiteral("ws://127.0.0.1:%1").arg(server.serverPort()),
                upload ? QStringLiteral("send") : QStringLiteral("receive"), QString::number(bytes),
                QString::number(chunk)});
    if (upload) {
        waitFor([&] { return done; }, 20000);
    } else {
        waitFor([&] { return peer.state() == QProcess::NotRunning; }, 20000);
    }
    const double seconds = clock.nsecsElapsed() / 1e9;
    r.complete = upload ? done : peer.state() == QProcess::NotRunning;
    r.bytes = upload ? received : bytes;
    r.serverCpu = processCpuSeconds() - cpu0;
    if (socket)
        socket->close();
    if (!peer.waitForFinished(3000))
        peer.kill();
    for (const QByteArray &line : peer.readAllStandardOutput().split('\n')) {
        if (line.startsWith("cpu "))
            r.peerCpu = line.mid(4).toDouble();
    }
    r.mbps = r.bytes / seconds / 1e6;
    return r;
}

int runFloor(qint64 bytes)
{
    std::printf("confab-filebench --floor: %lld bytes; load average %s\n", bytes,
                qPrintable(loadAverage()));
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("floor.bin"));
    QByteArray block(64 * 1024, Qt::Uninitialized);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(block.data()),
                                          block.size() / 4);
    // Disk: 64 KiB appends, the file opened, flushed and closed for each (FileStorage::append).
    QElapsedTimer clock;
    clock.start();
    for (qint64 done = 0; done < bytes; done += block.size()) {
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Append))
            return 1;
        f.write(block.constData(), qMin<qint64>(block.size(), bytes - done));
        f.flush();
    }
    const double appendSeconds = clock.nsecsElapsed() / 1e9;
    std::printf("  disk: 64 KiB appends (open, write, close each) %7.1f MB/s\n",
                bytes / appendSeconds / 1e6);
    // SHA-256 of the file just written (from the page cache), as client and server hash it.
    clock.restart();
    {
        QFile f(path);
        QCryptographicHash hash(QCryptographicHash::Sha256);
        if (!f.open(QIODevice::ReadOnly) || !hash.addData(&f))
            return 1;
    }
    std::printf("  SHA-256 (QCryptographicHash over the file): %7.1f MB/s\n",
                bytes / (clock.nsecsElapsed() / 1e9) / 1e6);
    // The same with Sha256 (OpenSSL), which client and server use since h-sha.
    clock.restart();
    if (Sha256::hashFile(path).isEmpty())
        return 1;
    std::printf("  SHA-256 (Sha256, OpenSSL, over the file):   %7.1f MB/s\n",
                bytes / (clock.nsecsElapsed() / 1e9) / 1e6);
    for (const qint64 chunk : {qint64(65536)}) {
        // Both ways. (Client to server "stalled" until 2026-12-04: the peer's pump ran on the
        // bytesWritten of its handshake request and handed every message to QWebSocket while
        // it was still connecting, which drops them; and the server side pumped too.)
        for (const bool upload : {false, true}) {
            const RawResult r = rawWebSocket(upload, bytes, chunk);
            std::printf("  raw QWebSocket between two processes, %s, %6lld-byte messages: "
                        "%7.1f MB/s%s; CPU: QWebSocketServer side %.2f s, client side %.2f s\n",
                        upload ? "client to server" : "server to client", chunk, r.mbps,
                        r.complete ? "" : " (NOT COMPLETE after 20 s)", r.serverCpu, r.peerCpu);
            std::fflush(stdout);
        }
    }
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("confab.*.debug=false"));
    const QStringList args = app.arguments();
    if (args.size() == 4 && args.at(1) == QLatin1String("--listener"))
        return runListener(QUrl(args.at(2)), args.at(3));
    if (args.size() == 6 && args.at(1) == QLatin1String("--raw-peer"))
        return runRawPeer(QUrl(args.at(2)), args.at(3), args.at(4).toLongLong(),
                          args.at(5).toLongLong());

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("A large file up and down through a real confab-server while people chat."));
    parser.addHelpOption();
    const QCommandLineOption serverBin(QStringLiteral("server-bin"),
                                       QStringLiteral("The confab-server to start."),
                                       QStringLiteral("path"));
    const QCommandLineOption bytes(QStringLiteral("bytes"),
                                   QStringLiteral("File size (default 100000000)."),
                                   QStringLiteral("n"), QStringLiteral("100000000"));
    const QCommandLineOption chatMs(QStringLiteral("chat-ms"),
                                    QStringLiteral("Each chatter's interval (default 20)."),
                                    QStringLiteral("ms"), QStringLiteral("20"));
    const QCommandLineOption rounds(QStringLiteral("rounds"),
                                    QStringLiteral("Repetitions (default 1)."), QStringLiteral("n"),
                                    QStringLiteral("1"));
    const QCommandLineOption serverArg(QStringLiteral("server-arg"),
                                       QStringLiteral("An extra option for the server."),
                                       QStringLiteral("arg"));
    const QCommandLineOption floor(
        QStringLiteral("floor"),
        QStringLiteral("Measure the machine instead: disk appends, SHA-256, raw QWebSocket."));
    parser.addOptions({serverBin, bytes, chatMs, rounds, serverArg, floor});
    parser.process(app);
    if (parser.isSet(floor))
        return runFloor(parser.value(bytes).toLongLong());
    Options o;
    o.serverBinary = BenchServer::find(parser.value(serverBin));
    if (o.serverBinary.isEmpty()) {
        std::fprintf(stderr, "confab-server not found: give --server-bin\n");
        return 2;
    }
    o.bytes = parser.value(bytes).toLongLong();
    o.chatMs = qMax(1, parser.value(chatMs).toInt());
    o.rounds = qMax(1, parser.value(rounds).toInt());
    o.serverArgs = parser.values(serverArg);
    return runBench(o);
}
