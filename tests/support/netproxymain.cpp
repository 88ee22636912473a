// confab-netproxy: ImpairmentProxy as a program, for benchmarks and scripts. It forwards TCP
// connections from --listen to --to with a delay, jitter, bursty stalls and a rate limit, prints
// "listening on HOST:PORT" once ready, and takes commands on standard input, one per line:
//   stall MS    hold everything, both ways, for MS milliseconds
//   rate KBPS   change the rate limit (0 = none)
//   delay MS    change the fixed delay (for data read from now on)
//   stats       print the counters
//   quit
// It ends at end of input too, so a parent that dies takes it along.
#include "impairmentproxy.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSocketNotifier>

#include <cstdio>
#include <unistd.h>

namespace {
bool parseHostPort(const QString &text, QHostAddress *host, quint16 *port)
{
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return false;
    bool ok = false;
    const uint p = text.mid(colon + 1).toUInt(&ok);
    if (!ok || p > 65535)
        return false;
    QString h = text.left(colon);
    if (h.startsWith(QLatin1Char('[')) && h.endsWith(QLatin1Char(']')))
        h = h.mid(1, h.size() - 2);
    if (!host->setAddress(h))
        return false;
    *port = quint16(p);
    return true;
}

int intOption(const QCommandLineParser &p, const QString &name, int min, int max, bool *ok)
{
    bool good = false;
    const int v = p.value(name).toInt(&good);
    if (!good || v < min || v > max) {
        std::fprintf(stderr, "confab-netproxy: --%s must be %d..%d\n", qPrintable(name), min, max);
        *ok = false;
    }
    return v;
}

void printCounters(const ImpairmentProxy &proxy)
{
    const ImpairmentProxy::Counters c = proxy.counters();
    std::printf("connections %lld open %d bytes %lld stalls %lld peak_buffered %lld "
                "read_pauses %lld\n",
                c.connections, proxy.connectionCount(), c.bytesForwarded, c.stalls,
                c.peakBufferedBytes, c.readPauses);
    std::fflush(stdout);
}
} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "A TCP proxy that delays, jitters, stalls and rate-limits what it forwards."));
    parser.addHelpOption();
    const auto opt = [](const char *name, const char *help, const char *def) {
        return QCommandLineOption(QString::fromLatin1(name), QString::fromLatin1(help),
                                  QStringLiteral("n"), QString::fromLatin1(def));
    };
    parser.addOptions({
        {QStringLiteral("listen"), QStringLiteral("HOST:PORT to listen on (port 0: any)."),
         QStringLiteral("addr"), QStringLiteral("127.0.0.1:0")},
        {QStringLiteral("to"), QStringLiteral("HOST:PORT to forward to."), QStringLiteral("addr")},
        opt("delay-ms", "Delay added in each direction, 0..10000.", "0"),
        opt("jitter-ms", "Extra random delay 0..N per chunk, 0..10000.", "0"),
        opt("stall-every-ms", "Mean time between stalls per direction (0: none).", "0"),
        opt("stall-ms", "Length of each stall, 0..60000.", "0"),
        opt("rate-kbps", "Rate limit per direction in kbit/s (0: none).", "0"),
        opt("seed", "Seed of the random numbers.", "1"),
        opt("max-buffer-kb", "Bytes held per direction before reading stops, KiB.", "256"),
    });
    parser.process(app);

    ImpairmentSettings s;
    bool ok = true;
    s.delayMs = intOption(parser, QStringLiteral("delay-ms"), 0, 10000, &ok);
    s.jitterMs = intOption(parser, QStringLiteral("jitter-ms"), 0, 10000, &ok);
    s.stallEveryMs = intOption(parser, QStringLiteral("stall-every-ms"), 0, 3600000, &ok);
    s.stallMs = intOption(parser, QStringLiteral("stall-ms"), 0, 60000, &ok);
    s.rateKbps = intOption(parser, QStringLiteral("rate-kbps"), 0, 10000000, &ok);
    s.seed = quint32(intOption(parser, QStringLiteral("seed"), 0, 2147483647, &ok));
    s.maxBufferedBytes =
        qint64(intOption(parser, QStringLiteral("max-buffer-kb"), 4, 65536, &ok)) * 1024;
    QHostAddress listenHost, toHost;
    quint16 listenPort = 0, toPort = 0;
    if (!parseHostPort(parser.value(QStringLiteral("listen")), &listenHost, &listenPort)) {
        std::fprintf(stderr, "confab-netproxy: --listen must be HOST:PORT\n");
        ok = false;
    }
    if (!parseHostPort(parser.value(QStringLiteral("to")), &toHost, &toPort) || toPort == 0) {
        std::fprintf(stderr, "confab-netproxy: --to must be HOST:PORT\n");
        ok = false;
    }
    if (!ok)
        return 2;

    ImpairmentProxy proxy(s);
    if (!proxy.listen(listenHost, listenPort, toHost, toPort)) {
        std::fprintf(stderr, "confab-netproxy: cannot listen on %s\n",
                     qPrintable(parser.value(QStringLiteral("listen"))));
        return 1;
    }
    std::printf("listening on %s:%u\n", qPrintable(listenHost.toString()), proxy.port());
    std::fflush(stdout);

    QSocketNotifier input(STDIN_FILENO, QSocketNotifier::Read);
    QByteArray line;
    QObject::connect(&input, &QSocketNotifier::activated, &app, [&] {
        char buffer[512];
        const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (n <= 0) {
            input.setEnabled(false);
            QCoreApplication::quit();
            return;
        }
        line.append(buffer, n);
        if (line.size() > 4096)
            line.clear(); // not a command: bounded
        qsizetype end;
        while ((end = line.indexOf('\n')) >= 0) {
            const QList<QByteArray> words = line.left(end).simplified().split(' ');
            line.remove(0, end + 1);
            bool good = false;
            const int value = words.size() > 1 ? words.at(1).toInt(&good) : 0;
            const QByteArray &cmd = words.at(0);
            if (cmd == "quit") {
                QCoreApplication::quit();
            } else if (cmd == "stats") {
                printCounters(proxy);
            } else if (cmd == "stall" && good && value >= 0 && value <= 600000) {
                proxy.stallFor(value);
            } else if (cmd == "rate" && good && value >= 0) {
                proxy.setRateKbps(value);
            } else if (cmd == "delay" && good && value >= 0 && value <= 10000) {
                proxy.setDelayMs(value);
            } else if (!cmd.isEmpty()) {
                std::fprintf(stderr, "confab-netproxy: unknown command: %s\n", cmd.constData());
            }
        }
    });
    const int rc = app.exec();
    printCounters(proxy);
    return rc;
}
