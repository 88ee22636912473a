// confab-outbox-bench: what keeping the outbox and the history in a file costs the client.
//
//   confab-outbox-bench [--messages 2000] [--rounds 3] [--server-bin PATH]
//       Messages acknowledged per second and CPU per message of one ClientSession sending to a
//       real confab-server (started here, limits lifted), file against memory (outboxsend.cpp).
//   confab-outbox-bench --make-cache DIR --url ws://127.0.0.1:PORT --name NAME
//                       [--messages 100000] [--limit N]
//       Writes the history cache file the client opens for that server and name
//       (makecache.cpp), for bench/saved-history-startup.sh.
//
// Results in docs/benchmarks.md ("Saved history and the outbox file").
#include "outboxbench.h"
#include "benchserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTimer>

#include <cstdio>
#include <cstdlib>

namespace {

int fail(const char *message)
{
    std::fprintf(stderr, "confab-outbox-bench: %s\n", message);
    return 2;
}

// Parses a bounded integer option; false (and a message) when it is not one.
bool bounded(const QCommandLineParser &parser, const QString &option, int low, int high, int *value)
{
    if (!parser.isSet(option))
        return true;
    bool ok = false;
    const int v = parser.value(option).toInt(&ok);
    if (!ok || v < low || v > high) {
        std::fprintf(stderr, "confab-outbox-bench: --%s must be %d..%d\n", qPrintable(option), low,
                     high);
        return false;
    }
    *value = v;
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("confab-outbox-bench"));
    // The session's state changes are not part of the results.
    QLoggingCategory::setFilterRules(QStringLiteral("confab.*.debug=false\nconfab.*.info=false"));
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("The client's outbox file against memory; or --make-cache: a saved "
                       "history for the start-up benchmark."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("messages"),
         QStringLiteral("Messages to send (default 2000) or to cache (default 100000)."),
         QStringLiteral("n")},
        {QStringLiteral("rounds"),
         QStringLiteral("Rounds of file and memory runs, 1..20 (default 3)."), QStringLiteral("n")},
        {QStringLiteral("timeout"),
         QStringLiteral("Seconds one run may wait for its acknowledgements (default 60)."),
         QStringLiteral("s")},
        {QStringLiteral("server-bin"),
         QStringLiteral("confab-server to start (default: $CONFAB_SERVER_BIN, else next to this "
                        "program or in ../server/)."),
         QStringLiteral("path")},
        {QStringLiteral("make-cache"),
         QStringLiteral("Write a history cache file into this folder instead."),
         QStringLiteral("dir")},
        {QStringLiteral("url"), QStringLiteral("--make-cache: the server the file belongs to."),
         QStringLiteral("url")},
        {QStringLiteral("name"), QStringLiteral("--make-cache: the user the file belongs to."),
         QStringLiteral("name")},
        {QStringLiteral("limit"),
         QStringLiteral("--make-cache: the cache's per-conversation limit (default: all)."),
         QStringLiteral("n")},
    });
    parser.process(app);

    if (parser.isSet(QStringLiteral("make-cache"))) {
        CacheOptions o;
        o.folder = parser.value(QStringLiteral("make-cache"));
        o.url = QUrl(parser.value(QStringLiteral("url")));
        o.name = parser.value(QStringLiteral("name"));
        if (!o.url.isValid() || o.url.host().isEmpty() || o.name.isEmpty())
            return fail("--make-cache needs --url ws://HOST:PORT and --name NAME");
        if (!bounded(parser, QStringLiteral("messages"), 1, 1'000'000, &o.messages) ||
            !bounded(parser, QStringLiteral("limit"), 50, 1'000'000, &o.limit))
            return 2;
        return makeCache(o);
    }

    SendOptions o;
    if (!bounded(parser, QStringLiteral("messages"), 1, 1'000'000, &o.messages) ||
        !bounded(parser, QStringLiteral("rounds"), 1, 20, &o.rounds) ||
        !bounded(parser, QStringLiteral("timeout"), 1, 600, &o.timeoutSeconds))
        return 2;
    o.serverBinary = BenchServer::find(parser.value(QStringLiteral("server-bin")));
    if (o.serverBinary.isEmpty())
        return fail("no confab-server found; use --server-bin");
    // Bounded whatever happens: every wait has its own time-out, this is the last resort (the
    // servers are children that die with us, PR_SET_PDEATHSIG).
    const int runs = o.rounds * 4;
    QTimer::singleShot(runs * (o.timeoutSeconds + 40) * 1000, &app, [] {
        std::fprintf(stderr, "confab-outbox-bench: time limit reached, giving up\n");
        std::_Exit(3);
    });
    return runSendBench(o);
}
