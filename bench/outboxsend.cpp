// The outbox's write cost (issue 15: "one client still sends >= 200 messages/s against a server
// with its rate limit lifted"). One ClientSession in this process sends N messages to a fresh
// confab-server; the window runs from the first send to the last acknowledgement. Each
// configuration is measured with the outbox and history cache in a SQLite file and, as the
// reference, in memory only; the two alternate within a round (this machine's speed drifts
// from minute to minute), and the summary takes the median over the rounds.
#include "benchserver.h"
#include "net/clientsession.h"
#include "net/outboxstore.h"
#include "outboxbench.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>
#include <memory>

using namespace BenchStats;

namespace {

struct Run
{
    bool file = false;
    bool burst = false; // all messages in one event-loop turn, else one per turn
};

struct Result
{
    bool ok = false;
    int acked = 0;
    double wallMs = 0;
    double clientCpuMs = 0;  // this process: the session, its socket, SQLite
    double serverCpuMs = -1; // the confab-server process
    double othersCpuMs = 0;  // the rest of the machine in the window (noise indicator)
    bool fileEmptied = true; // the outbox file held nothing once all were acknowledged
    QString error;

    double perSecond() const { return wallMs > 0 ? acked * 1000.0 / wallMs : 0; }
};

const char *describe(const Run &run)
{
    if (run.burst)
        return run.file ? "burst, file  " : "burst, memory";
    return run.file ? "turns, file  " : "turns, memory";
}

// A chat line of the length people type (about 60 bytes), numbered so none is a duplicate.
QString text(int i)
{
    return QStringLiteral("Message %1: on my way, I will be there in ten minutes or so.").arg(i);
}

Result measure(const SendOptions &o, const Run &run, int index)
{
    Result r;
    BenchServer server;
    if (!server.start(o.serverBinary, BenchServer::unlimited(), &r.error))
        return r;
    QTemporaryDir dir;
    auto owned = std::make_unique<ClientSession>();
    ClientSession &session = *owned;
    session.setOutboxFolder(run.file ? dir.path() : QString());
    bool in = false;
    QObject::connect(&session, &ClientSession::loggedIn, &session, [&in] { in = true; });
    const QString name = QStringLiteral("outbox%1").arg(index);
    session.open(server.url(), name);
    if (!waitFor([&] { return in; }, 15000)) {
        r.error = QStringLiteral("could not log in");
        return r;
    }
    if (run.file && session.outboxPath().isEmpty()) {
        r.error = QStringLiteral("no outbox file: %1").arg(session.outboxError());
        return r;
    }

    QEventLoop loop;
    QObject::connect(&session, &ClientSession::messageAcknowledged, &loop, [&] {
        if (++r.acked == o.messages)
            loop.quit();
    });
    QObject::connect(&session, &ClientSession::messageRejected, &loop, [&] {
        r.error = QStringLiteral("a message was rejected");
        loop.quit();
    });
    QObject::connect(&session, &ClientSession::connectionLost, &loop, [&] {
        r.error = QStringLiteral("the connection was lost");
        loop.quit();
    });
    QTimer::singleShot(o.timeoutSeconds * 1000, &loop, [&] {
        r.error = QStringLiteral("timed out after %1 of %2 acknowledgements")
                      .arg(r.acked)
                      .arg(o.messages);
        loop.quit();
    });
    // One message per timer event: each lands in an event-loop turn of its own, so each opens
    // and commits a transaction of its own (the worst case for the store's grouping).
    int sent = 0;
    QTimer pump;
    pump.setInterval(0);
    QObject::connect(&pump, &QTimer::timeout, &loop, [&] {
        session.sendMessage(text(++sent));
        if (sent == o.messages)
            pump.stop();
    });

    const double cpu0 = processCpuSeconds();
    const qint64 server0 = server.cpuTicks();
    const Machine machine0 = machine();
    QElapsedTimer clock;
    clock.start();
    if (run.burst) {
        QTimer::singleShot(0, &loop, [&] {
            for (int i = 1; i <= o.messages; ++i)
                session.sendMessage(text(i));
        });
    } else {
        pump.start();
    }
    loop.exec();
    r.wallMs = clock.nsecsElapsed() / 1e6;
    r.clientCpuMs = (processCpuSeconds() - cpu0) * 1000;
    const qint64 server1 = server.cpuTicks();
    const Machine machine1 = machine();
    const double tick = 1000 / ticksPerSecond();
    if (server0 >= 0 && server1 >= 0)
        r.serverCpuMs = double(server1 - server0) * tick;
    r.othersCpuMs =
        double(machine1.busy - machine0.busy) * tick - r.clientCpuMs - qMax(0.0, r.serverCpuMs);
    pump.stop();

    const QString path = session.outboxPath();
    const bool emptied = session.outbox().isEmpty();
    session.close();
    session.waitForClosed(5000);
    // The session holds the file's lock until it is gone; then the file is read as the next
    // start of the client would read it.
    owned.reset();
    if (run.file) {
        OutboxStore store;
        r.fileEmptied = store.open(path) && store.load().isEmpty();
    }
    if (r.error.isEmpty() && !emptied)
        r.error = QStringLiteral("messages left in the outbox");
    else if (r.error.isEmpty() && !r.fileEmptied)
        r.error = QStringLiteral("messages left in the file %1").arg(path);
    r.ok = r.error.isEmpty() && r.acked == o.messages;
    return r;
}

void printResult(int round, const Run &run, const Result &r, int messages)
{
    if (!r.error.isEmpty()) {
        std::printf("round %d  %s  FAILED: %s\n", round, describe(run), qPrintable(r.error));
        return;
    }
    std::printf("round %d  %s  %5d acked in %7.1f ms = %6.0f/s; client CPU %6.1f ms "
                "(%5.1f us/msg); server CPU %6.1f ms; other programs %5.1f ms%s\n",
                round, describe(run), r.acked, r.wallMs, r.perSecond(), r.clientCpuMs,
                r.clientCpuMs * 1000 / messages, r.serverCpuMs, r.othersCpuMs,
                run.file ? (r.fileEmptied ? "; file empty after" : "; FILE NOT EMPTY") : "");
}

} // namespace

int runSendBench(const SendOptions &o)
{
    std::printf("confab-outbox-bench: %d messages per run, %d rounds, server %s with its limits "
                "lifted; load average %s\n",
                o.messages, o.rounds, qPrintable(o.serverBinary), qPrintable(loadAverage()));
    std::fflush(stdout);
    const Run runs[] = {{true, false}, {false, false}, {true, true}, {false, true}};
    // Per configuration (index into runs), one value per round.
    QList<double> rate[4], clientUs[4], serverUs[4], clientLoad[4], serverLoad[4];
    QList<double> wallDiffUs[2], cpuDiffUs[2]; // file - memory per message, turns and burst
    bool allOk = true;
    int index = 0;
    for (int round = 1; round <= o.rounds; ++round) {
        Result results[4];
        for (int pair = 0; pair < 2; ++pair) {
            // Alternate which of the two goes first, so neither always gets the warmer machine.
            const bool fileFirst = (round + pair) % 2 == 1;
            for (int k = 0; k < 2; ++k) {
                const int i = pair * 2 + (fileFirst ? k : 1 - k);
                results[i] = measure(o, runs[i], ++index);
                printResult(round, runs[i], results[i], o.messages);
                std::fflush(stdout);
                const Result &r = results[i];
                allOk = allOk && r.ok;
                if (!r.ok)
                    continue;
                rate[i] << r.perSecond();
                clientUs[i] << r.clientCpuMs * 1000 / o.messages;
                serverUs[i] << r.serverCpuMs * 1000 / o.messages;
                clientLoad[i] << r.clientCpuMs / r.wallMs * 100;
                serverLoad[i] << r.serverCpuMs / r.wallMs * 100;
            }
            const Result &file = results[pair * 2], &memory = results[pair * 2 + 1];
            if (file.ok && memory.ok) {
                wallDiffUs[pair] << (file.wallMs - memory.wallMs) * 1000 / o.messages;
                cpuDiffUs[pair] << (file.clientCpuMs - memory.clientCpuMs) * 1000 / o.messages;
            }
        }
    }

    std::printf("\nmedians over %d rounds (CPU in %% of one core during the window):\n", o.rounds);
    std::printf("%-15s %10s %16s %14s %16s %14s\n", "run", "acked/s", "client us/msg",
                "client CPU %", "server us/msg", "server CPU %");
    for (int i = 0; i < 4; ++i)
        std::printf("%-15s %10.0f %16.1f %14.1f %16.1f %14.1f\n", describe(runs[i]),
                    median(rate[i]), median(clientUs[i]), median(clientLoad[i]),
                    median(serverUs[i]), median(serverLoad[i]));
    for (int pair = 0; pair < 2; ++pair)
        std::printf("file - memory, %s: %+.1f us per message of wall time, %+.1f us of client "
                    "CPU (median of the rounds' pairs)\n",
                    pair == 0 ? "one per turn" : "one burst", median(wallDiffUs[pair]),
                    median(cpuDiffUs[pair]));
    const double worst = median(rate[0]);
    std::printf("target >= 200 messages/s with the file, one message per turn: %s (%.0f/s)\n",
                worst >= 200 ? "met" : "MISSED", worst);
    return allOk ? 0 : 1;
}
