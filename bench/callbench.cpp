// confab-callbench: one video call between two users of a real confab-server on loopback,
// measured the way the call window experiences it.
//
// alice calls bob, bob accepts; both users live in this process, each with its own
// ClientSession and CallSession (so each side has its own video and audio thread), with the
// test-pattern camera (640x480 at 30 fps), the tone microphone and speaker "none". After a
// warm-up of 2 s it measures for --seconds:
//   - video glass-to-glass: capture time stamp to CallSession::takeRemoteFrame() in a slot on
//     remoteFrameReady (what the window does), every frame taken;
//   - video bit rate, received frame rate and loss (CallStats, once a second per side);
//   - encode+decode CPU per side (CallStats video.encodeCpuPercent, thread CPU time) and the
//     whole process's CPU (getrusage) with a per-thread breakdown;
//   - audio capture to playout hand-off (AudioPipeline::framePlayed's latencyUs, includes the
//     jitter buffer, excludes any device buffer: the speaker is "none");
//   - for orientation: capture to arrival at the receiving client (video and audio), and,
//     before the call, the codec's encode/decode cost per frame on an otherwise idle thread.
// The server is a separate process on 127.0.0.1 with a free port, stopped at the end.
// Results in docs/benchmarks.md ("Calls"); bench/call-benchmarks.sh runs it repeatedly.
#include "call/callsession.h"
#include "call/threadcputimer.h"
#include "media/mediaclock.h"
#include "media/testpatternsource.h"
#include "media/videodecoder.h"
#include "media/videoencoder.h"
#include "net/clientsession.h"
#include "netlab.h"
#include "protocol/mediapacketheader.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace {

constexpr int kWarmupMs = 2000;

// ---- small helpers ----------------------------------------------------------------------

double percentile(std::vector<double> v, double q)
{
    if (v.empty())
        return -1;
    std::sort(v.begin(), v.end());
    const auto rank = size_t(std::ceil(q * double(v.size())));
    return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)]; // nearest rank
}

double maxOf(const std::vector<double> &v)
{
    return v.empty() ? -1 : *std::max_element(v.begin(), v.end());
}

double mean(const std::vector<double> &v)
{
    if (v.empty())
        return -1;
    double s = 0;
    for (double x : v)
        s += x;
    return s / double(v.size());
}

double round1(double x)
{
    return std::round(x * 10) / 10;
}

// Runs the event loop until pred() holds or the time is up.
bool waitFor(const std::function<bool()> &pred, int timeoutMs)
{
    if (pred())
        return true;
    QEventLoop loop;
    QTimer poll;
    poll.setInterval(5);
    QElapsedTimer clock;
    clock.start();
    bool ok = false;
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (pred()) {
            ok = true;
            loop.quit();
        } else if (clock.elapsed() > timeoutMs) {
            loop.quit();
        }
    });
    poll.start();
    loop.exec();
    return ok;
}

// Runs the event loop for ms milliseconds, nothing else (no polling).
void runFor(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, Qt::PreciseTimer, &loop, &QEventLoop::quit);
    loop.exec();
}

double cpuSecondsOfProcess()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct ProcStat
{
    QString name;
    qint64 ticks = -1; // utime + stime
};

// /proc/.../stat: "pid (comm) state ppid ... utime(14) stime(15) ...".
ProcStat readProcStat(const QString &path)
{
    QFile f(path);
    ProcStat s;
    if (!f.open(QIODevice::ReadOnly))
        return s;
    const QByteArray line = f.readAll();
    const qsizetype open = line.indexOf('('), close = line.lastIndexOf(')');
    if (open < 0 || close < open)
        return s;
    s.name = QString::fromUtf8(line.mid(open + 1, close - open - 1));
    const QList<QByteArray> rest = line.mid(close + 2).split(' ');
    if (rest.size() > 12)
        s.ticks = rest.at(11).toLongLong() + rest.at(12).toLongLong();
    return s;
}

QHash<QString, ProcStat> readThreads()
{
    QHash<QString, ProcStat> threads;
    const QStringList tids =
        QDir(QStringLiteral("/proc/self/task")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &tid : tids)
        threads.insert(tid, readProcStat(QStringLiteral("/proc/self/task/%1/stat").arg(tid)));
    return threads;
}

// The machine as a whole, from /proc/stat's "cpu" line: jiffies busy, idle, stolen.
struct MachineTimes
{
    qint64 busy = 0, idle = 0, steal = 0;
};

MachineTimes readMachine()
{
    QFile f(QStringLiteral("/proc/stat"));
    MachineTimes m;
    if (!f.open(QIODevice::ReadOnly))
        return m;
    const QList<QByteArray> v = f.readLine().simplified().split(' ');
    if (v.size() < 9 || v.at(0) != "cpu")
        return m;
    // user nice system idle iowait irq softirq steal
    m.busy = v.at(1).toLongLong() + v.at(2).toLongLong() + v.at(3).toLongLong() +
             v.at(6).toLongLong() + v.at(7).toLongLong();
    m.idle = v.at(4).toLongLong() + v.at(5).toLongLong();
    m.steal = v.at(8).toLongLong();
    return m;
}

QString loadAverage()
{
    QFile f(QStringLiteral("/proc/loadavg"));
    if (!f.open(QIODevice::ReadOnly))
        return QStringLiteral("?");
    return QString::fromLatin1(f.readAll()).section(QLatin1Char(' '), 0, 2);
}

// ---- the server process -----------------------------------------------------------------

class Server
{
public:
    ~Server() { stop(); }

    bool start(const QString &binary, QString *error)
    {
        if (!m_dir.isValid()) {
            *error = QStringLiteral("no temporary directory");
            return false;
        }
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        // If this benchmark dies, the server goes with it.
        m_process.setChildProcessModifier([] { prctl(PR_SET_PDEATHSIG, SIGKILL); });
        m_process.start(binary, {QStringLiteral("--listen"), QStringLiteral("127.0.0.1"),
                                 QStringLiteral("--port"), QStringLiteral("0"),
                                 QStringLiteral("--database"),
                                 m_dir.filePath(QStringLiteral("history.sqlite")),
                                 QStringLiteral("--log-level"), QStringLiteral("warning")});
        if (!m_process.waitForStarted(10000)) {
            *error = QStringLiteral("cannot start %1: %2").arg(binary, m_process.errorString());
            return false;
        }
        static const QRegularExpression listening(QStringLiteral("listening on ws://[^:]+:(\\d+)"));
        QString out;
        const bool ok = waitFor(
            [&] {
                out += QString::fromUtf8(m_process.readAllStandardOutput());
                return listening.match(out).hasMatch() || m_process.state() == QProcess::NotRunning;
            },
            15000);
        const QRegularExpressionMatch match = listening.match(out);
        if (!ok || !match.hasMatch()) {
            *error = QStringLiteral("the server did not start: %1").arg(out.trimmed());
            return false;
        }
        m_port = quint16(match.captured(1).toUInt());
        return true;
    }

    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(5000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    QUrl url() const { return QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(m_port)); }
    qint64 pid() const { return m_process.processId(); }
    qint64 cpuTicks() const
    {
        return readProcStat(QStringLiteral("/proc/%1/stat").arg(pid())).ticks;
    }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
};

// ---- confab-netproxy, for --scenario rtt150 ---------------------------------------------------

class Proxy
{
public:
    ~Proxy() { stop(); }

    bool start(const QString &binary, const QUrl &target, const QStringList &impairment,
               QString *error)
    {
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process.setChildProcessModifier([] { prctl(PR_SET_PDEATHSIG, SIGKILL); });
        m_process.start(binary,
                        QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                    QStringLiteral("--to"),
                                    QStringLiteral("%1:%2").arg(target.host()).arg(target.port())} +
                            impairment);
        if (!m_process.waitForStarted(10000)) {
            *error = QStringLiteral("cannot start %1: %2").arg(binary, m_process.errorString());
            return false;
        }
        static const QRegularExpression listening(QStringLiteral("listening on [^ ]*:(\\d+)"));
        QString out;
        waitFor(
            [&] {
                out += QString::fromUtf8(m_process.readAllStandardOutput());
                return listening.match(out).hasMatch() || m_process.state() == QProcess::NotRunning;
            },
            10000);
        const QRegularExpressionMatch match = listening.match(out);
        if (!match.hasMatch()) {
            *error = QStringLiteral("confab-netproxy did not start: %1").arg(out.trimmed());
            return false;
        }
        m_port = quint16(match.captured(1).toUInt());
        return true;
    }

    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.write("stats\nquit\n");
        if (!m_process.waitForFinished(3000)) {
            m_process.kill();
            m_process.waitForFinished(3000);
        }
        const QString counters = QString::fromUtf8(m_process.readAllStandardOutput()).trimmed();
        if (!counters.isEmpty())
            std::fprintf(stderr, "confab-netproxy: %s\n",
                         qPrintable(counters.section(QLatin1Char('\n'), -1)));
    }

    QUrl url() const { return QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(m_port)); }
    qint64 cpuTicks() const
    {
        return m_process.state() == QProcess::NotRunning
                   ? -1
                   : readProcStat(QStringLiteral("/proc/%1/stat").arg(m_process.processId())).ticks;
    }

private:
    QProcess m_process;
    quint16 m_port = 0;
};

// ---- one user ---------------------------------------------------------------------------

enum Phase { WarmingUp, Measuring, Done };
std::atomic<int> g_phase{WarmingUp};

struct Side
{
    QString name;
    Side *peer = nullptr;
    std::unique_ptr<ClientSession> session;
    std::unique_ptr<CallSession> calls;

    // Main thread (this side as the receiver of video and audio).
    std::vector<double> videoLatencyMs; // capture -> taken by the consumer
    std::vector<double> videoArrivalMs; // capture -> the packet arrived at this client
    std::vector<double> audioArrivalMs; // capture -> the packet arrived at this client
    std::vector<CallStats> stats;       // seconds wholly inside the window
    // For the time series (--scenario): when, in ms of the window, each of the above happened.
    std::vector<double> videoTakenAtMs; // parallel to videoLatencyMs
    std::vector<double> statsAtMs;      // parallel to stats
    bool haveVideoSequence = false;
    quint32 expectedVideoSequence = 0;
    qint64 videoPacketsArrived = 0;
    qint64 videoPacketsMissing = 0;
    QSet<int> videoCodecsSeen; // codec ids in the video packets that arrived in the window

    // This side's audio thread: played frames.
    std::mutex audioMutex;
    std::vector<double> audioLatencyMs;
    qint64 audioSilentFrames = 0; // concealment or nothing to play (latency -1)
    std::vector<double> audioPlayedAtMs, audioSilentAtMs; // ms of the window, for the series
};

bool logIn(Side &side, const QUrl &url, const QString &codec, QString *error)
{
    side.session = std::make_unique<ClientSession>();
    bool in = false;
    QObject::connect(side.session.get(), &ClientSession::loggedIn, side.session.get(),
                     [&in] { in = true; });
    side.session->open(url, side.name);
    if (!waitFor([&] { return in; }, 15000)) {
        *error = QStringLiteral("%1 could not log in").arg(side.name);
        return false;
    }
    side.calls = std::make_unique<CallSession>(side.session.get());
    side.calls->setDevices(
        {QStringLiteral("test-pattern"), QStringLiteral("tone"), QStringLiteral("none"), codec});
    return true;
}

// The measuring taps. windowClock runs from the start of the measured window.
void instrument(Side &side, const QElapsedTimer &windowClock)
{
    CallSession *calls = side.calls.get();
    // The consumer, as the call window does it: take the newest picture when told.
    QObject::connect(calls, &CallSession::remoteFrameReady, calls, [&side, calls, &windowClock] {
        double latency = -1;
        const QImage picture = calls->takeRemoteFrame(&latency);
        if (!picture.isNull() && g_phase == Measuring) {
            side.videoLatencyMs.push_back(latency);
            side.videoTakenAtMs.push_back(double(windowClock.elapsed()));
        }
    });
    QObject::connect(calls, &CallSession::previewReady, calls, [calls] { calls->takePreview(); });
    QObject::connect(calls, &CallSession::statsChanged, calls,
                     [&side, &windowClock](const CallStats &s) {
                         if (g_phase == Measuring && windowClock.elapsed() >= 1000) {
                             side.stats.push_back(s);
                             side.statsAtMs.push_back(double(windowClock.elapsed()));
                         }
                     });
    // Packets as they arrive at this client, forwarded to the main thread (CallSession takes
    // them on the session's network thread; this adds that hop to the arrival time).
    QObject::connect(
        side.session.get(), &ClientSession::mediaReceived, calls, [&side](const QByteArray &p) {
            const auto h = MediaPacketHeader::parse(p);
            if (!h)
                return;
            if (g_phase != Measuring)
                return;
            const double ms = double(qint64(mediaClockUs() - h->captureTimeUs)) / 1000.0;
            if (h->kind == MediaPacketHeader::Audio) {
                side.audioArrivalMs.push_back(ms);
                return;
            }
            side.videoArrivalMs.push_back(ms);
            ++side.videoPacketsArrived;
            side.videoCodecsSeen.insert(h->codec);
            if (side.haveVideoSequence) {
                const qint32 gap = qint32(h->sequence - side.expectedVideoSequence);
                if (gap > 0)
                    side.videoPacketsMissing += gap;
            }
            side.haveVideoSequence = true;
            side.expectedVideoSequence = h->sequence + 1;
        });
    // Frames handed to the (null) speaker on this side's audio thread.
    QObject::connect(
        calls->audioPipeline(), &AudioPipeline::framePlayed, calls->audioPipeline(),
        [&side, &windowClock](const QByteArray &, qint64 latencyUs) {
            if (g_phase != Measuring)
                return;
            const double at = double(windowClock.elapsed());
            std::lock_guard lock(side.audioMutex);
            if (latencyUs >= 0) {
                side.audioLatencyMs.push_back(double(latencyUs) / 1000.0);
                side.audioPlayedAtMs.push_back(at);
            } else {
                ++side.audioSilentFrames;
                side.audioSilentAtMs.push_back(at);
            }
        },
        Qt::DirectConnection);
}

// ---- one run ----------------------------------------------------------------------------

struct Options
{
    QString codec;
    int seconds = 20;
    QString serverBinary;
    bool json = false;
    // Impaired links (issue 13): none (loopback, as before), cap500, rtt150 or drop; see main().
    QString scenario = QStringLiteral("none");
    QString proxyBinary;
    // drop: both senders limited to this many kbit/s the instant the link drops, the limit
    // lifted at the restore; 0 = none. An oracle no estimator can beat: what is left of the
    // first seconds is what was already on its way (docs/benchmarks.md, the floor after a drop).
    int oracleKbps = 0;
    // The oracle's limit comes this many ms after the drop: what a detector that needs that
    // long could reach at best (docs/benchmarks.md, the floor after a drop).
    int oracleDelayMs = 0;
};

// Costs per 640x480 frame measured alone, before the call, on this thread: the test-pattern
// camera (a real camera would not cost this much; part of the process CPU, not of
// encode+decode) and the codec. "thread" is this thread's CPU time (what CallStats counts),
// "process" all threads' (a library may hand work to helper threads).
struct FrameCosts
{
    double patternMs = 0;
    double encodeThreadMs = 0, encodeProcessMs = 0, encodeWallMs = 0;
    double decodeThreadMs = 0, decodeProcessMs = 0, decodeWallMs = 0;
    double kbitPerFrame = 0;
};

FrameCosts measureFrameCosts(const QString &codec)
{
    FrameCosts c;
    constexpr int n = 60;     // two seconds of moving picture (one keyframe interval)
    constexpr int passes = 3; // measured, after one pass for warming up
    const TestPatternSource pattern(640, 480);
    std::vector<VideoFrame> frames;
    for (int i = 0; i < n; ++i)
        frames.push_back(pattern.frame(quint32(i), 0));
    {
        const ThreadCpuTimer cpu;
        for (int i = 0; i < n; ++i)
            pattern.frame(quint32(i), 0);
        c.patternMs = double(cpu.elapsedNs()) / 1e6 / n;
    }
    auto encoder =
        codec == QLatin1String("jpeg") ? VideoEncoder::createJpeg() : VideoEncoder::createVp8();
    QString error;
    if (!encoder->open(640, 480, 30, 800, &error))
        return c;
    std::vector<QByteArray> warmup, packets;
    for (const VideoFrame &frame : frames)
        warmup.push_back(encoder->encode(frame).data);
    {
        const ThreadCpuTimer cpu;
        const double process = cpuSecondsOfProcess();
        QElapsedTimer wall;
        wall.start();
        for (int pass = 0; pass < passes; ++pass) {
            for (const VideoFrame &frame : frames)
                packets.push_back(encoder->encode(frame).data);
        }
        c.encodeThreadMs = double(cpu.elapsedNs()) / 1e6 / (n * passes);
        c.encodeProcessMs = (cpuSecondsOfProcess() - process) * 1000 / (n * passes);
        c.encodeWallMs = double(wall.nsecsElapsed()) / 1e6 / (n * passes);
    }
    qint64 bytes = 0;
    for (const QByteArray &p : packets)
        bytes += p.size();
    c.kbitPerFrame = double(bytes) * 8 / 1000 / double(packets.size());
    auto decoder = VideoDecoder::create(encoder->codecId());
    if (!decoder)
        return c;
    for (const QByteArray &p : warmup)
        decoder->decode(p);
    const ThreadCpuTimer cpu;
    const double process = cpuSecondsOfProcess();
    QElapsedTimer wall;
    wall.start();
    for (const QByteArray &p : packets)
        decoder->decode(p);
    c.decodeThreadMs = double(cpu.elapsedNs()) / 1e6 / double(packets.size());
    c.decodeProcessMs = (cpuSecondsOfProcess() - process) * 1000 / double(packets.size());
    c.decodeWallMs = double(wall.nsecsElapsed()) / 1e6 / double(packets.size());
    return c;
}

QJsonObject statsSummary(const Side &side)
{
    std::vector<double> sent, received, fps, cpu, loss, audioJitter;
    for (const CallStats &s : side.stats) {
        sent.push_back(s.video.sentKbps);
        received.push_back(s.video.receivedKbps);
        fps.push_back(s.video.receivedFps);
        cpu.push_back(s.video.encodeCpuPercent);
        loss.push_back(s.video.lossPercent);
        audioJitter.push_back(s.audio.jitterDelayMs);
    }
    return QJsonObject{{QStringLiteral("samples"), int(side.stats.size())},
                       {QStringLiteral("video_sent_kbps"), round1(mean(sent))},
                       {QStringLiteral("video_received_kbps"), round1(mean(received))},
                       {QStringLiteral("video_received_fps"), round1(mean(fps))},
                       {QStringLiteral("video_loss_percent_stats"), round1(mean(loss))},
                       {QStringLiteral("enc_dec_cpu_percent"), round1(mean(cpu))},
                       {QStringLiteral("audio_jitter_delay_ms"), round1(mean(audioJitter))}};
}

// ---- impaired links: the time series and its summary ------------------------------------------

int countIn(const std::vector<double> &at, double from, double to)
{
    return int(std::count_if(at.begin(), at.end(), [&](double t) { return t >= from && t < to; }));
}

// Video latencies (receiver `r`) of the frames taken in [from, to).
std::vector<double> latenciesIn(const Side &r, double from, double to)
{
    std::vector<double> v;
    for (size_t i = 0; i < r.videoTakenAtMs.size(); ++i)
        if (r.videoTakenAtMs[i] >= from && r.videoTakenAtMs[i] < to)
            v.push_back(r.videoLatencyMs[i]);
    return v;
}

// The receiver's last statistics of [from, to), if any.
const CallStats *statsIn(const Side &r, double from, double to)
{
    const CallStats *found = nullptr;
    for (size_t i = 0; i < r.stats.size(); ++i)
        if (r.statsAtMs[i] >= from && r.statsAtMs[i] < to)
            found = &r.stats[i];
    return found;
}

QString sizeText(const QSize &s)
{
    return s.isValid() ? QStringLiteral("%1x%2").arg(s.width()).arg(s.height())
                       : QStringLiteral("-");
}

// Per second, each direction (receiver's view): frames taken, their glass-to-glass p95, the
// received resolution, audio frames concealed; then per phase of the scenario.
QJsonObject scenarioReport(const Options &o, const Side &alice, const Side &bob, double wallS,
                           double dropAtMs, double restoreAtMs)
{
    const double endMs = wallS * 1000;
    const Side *receivers[2] = {&bob, &alice}; // a→b is what bob receives
    QJsonArray series;
    std::printf("\nper second (receiver's view; conc = audio frames concealed or silent of those "
                "due; kbit/s = video sent by the far end; est = the far end's estimate kbit/s / "
                "ladder step / "
                "its send queue KB):\n");
    std::printf(
        "|   t s | a→b fps | a→b g2g p95 ms | a→b size | a→b conc %% | b→a fps | b→a "
        "g2g p95 ms | b→a size | b→a conc %% | video kbit/s a, b | est a | est b | link |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    std::vector<int> goodSeconds; // both directions at >= 640x480 and >= 25 frames taken
    for (int sec = 0; (sec + 1) * 1000.0 <= endMs; ++sec) { // whole seconds only
        const double from = sec * 1000.0, to = from + 1000;
        QJsonObject row{{QStringLiteral("t"), sec}};
        QString line = QStringLiteral("| %1 ").arg(sec, 5);
        bool good = true;
        double kbps[2] = {-1, -1};
        QString est[2] = {QStringLiteral("-"), QStringLiteral("-")};
        for (int d = 0; d < 2; ++d) {
            const Side &r = *receivers[d];
            const int frames = countIn(r.videoTakenAtMs, from, to);
            const double p95 = percentile(latenciesIn(r, from, to), 0.95);
            const CallStats *st = statsIn(r, from, to);
            const CallStats *senderSt = statsIn(*r.peer, from, to);
            const QSize size = st ? st->video.receivedSize : QSize();
            const int played = countIn(r.audioPlayedAtMs, from, to);
            const int silent = countIn(r.audioSilentAtMs, from, to);
            const double conc = played + silent > 0 ? 100.0 * silent / (played + silent) : -1;
            kbps[d] = senderSt ? senderSt->video.sentKbps : -1;
            if (senderSt)
                est[d] = QStringLiteral("%1/%2/%3")
                             .arg(senderSt->network.estimateKbps)
                             .arg(senderSt->network.ladderStep)
                             .arg(senderSt->network.sendQueueBytes / 1024);
            good = good && size.width() >= 640 && size.height() >= 480 && frames >= 25;
            const QString dir = d == 0 ? QStringLiteral("a_to_b") : QStringLiteral("b_to_a");
            row.insert(dir, QJsonObject{{QStringLiteral("frames"), frames},
                                        {QStringLiteral("g2g_p95_ms"), round1(p95)},
                                        {QStringLiteral("size"), sizeText(size)},
                                        {QStringLiteral("audio_concealed_percent"), round1(conc)},
                                        {QStringLiteral("sender_video_kbps"), std::round(kbps[d])},
                                        {QStringLiteral("sender_estimate"), est[d]}});
            line += QStringLiteral("| %1 | %2 | %3 | %4 ")
                        .arg(frames)
                        .arg(p95 < 0 ? QStringLiteral("-") : QString::number(p95, 'f', 0))
                        .arg(sizeText(size))
                        .arg(conc < 0 ? QStringLiteral("-") : QString::number(conc, 'f', 0));
        }
        QString link = o.scenario == QLatin1String("cap500") ? QStringLiteral("500 kbit/s")
                       : o.scenario == QLatin1String("rtt150")
                           ? QStringLiteral("150 ms RTT, stalls")
                           : QStringLiteral("4 Mbit/s");
        if (o.scenario == QLatin1String("drop") && dropAtMs >= 0 && to > dropAtMs &&
            (restoreAtMs < 0 || from < restoreAtMs))
            link = QStringLiteral("400 kbit/s");
        row.insert(QStringLiteral("link"), link);
        // kbps[0]: what alice sent (the far end of a→b), kbps[1]: bob.
        line += QStringLiteral("| %1, %2 | %3 | %4 | %5 |")
                    .arg(std::round(kbps[0]))
                    .arg(std::round(kbps[1]))
                    .arg(est[0], est[1], link);
        std::printf("%s\n", qPrintable(line));
        series.append(row);
        if (good)
            goodSeconds.push_back(sec);
    }

    struct Phase
    {
        const char *name;
        double from, to;
    };
    std::vector<Phase> phases;
    if (o.scenario == QLatin1String("drop") && dropAtMs >= 0 && restoreAtMs >= 0) {
        phases = {{"before the drop (4 Mbit/s)", 0, dropAtMs},
                  {"first 5 s of 400 kbit/s", dropAtMs, dropAtMs + 5000},
                  {"rest of 400 kbit/s", dropAtMs + 5000, restoreAtMs},
                  {"after the restore (4 Mbit/s)", restoreAtMs, endMs}};
    } else {
        phases = {{"whole window", 0, endMs}};
    }
    QJsonArray phaseJson;
    std::printf(
        "\n| phase | video g2g p50 / p95 / max ms | frames taken/s a→b, b→a | received "
        "sizes | audio concealed %% | video kbit/s sent a, b |\n|---|---|---|---|---|---|\n");
    for (const Phase &ph : phases) {
        std::vector<double> lat;
        double fps[2];
        QSet<QString> sizes;
        int played = 0, silent = 0;
        double sent[2] = {0, 0};
        for (int d = 0; d < 2; ++d) {
            const Side &r = *receivers[d];
            const std::vector<double> l = latenciesIn(r, ph.from, ph.to);
            lat.insert(lat.end(), l.begin(), l.end());
            fps[d] = double(countIn(r.videoTakenAtMs, ph.from, ph.to)) / ((ph.to - ph.from) / 1000);
            std::vector<double> k;
            for (size_t i = 0; i < r.stats.size(); ++i) {
                if (r.statsAtMs[i] >= ph.from && r.statsAtMs[i] < ph.to)
                    sizes.insert(sizeText(r.stats[i].video.receivedSize));
            }
            for (size_t i = 0; i < r.peer->stats.size(); ++i)
                if (r.peer->statsAtMs[i] >= ph.from && r.peer->statsAtMs[i] < ph.to)
                    k.push_back(r.peer->stats[i].video.sentKbps);
            sent[d] = mean(k);
            played += countIn(r.audioPlayedAtMs, ph.from, ph.to);
            silent += countIn(r.audioSilentAtMs, ph.from, ph.to);
        }
        QStringList sizeList = sizes.values();
        sizeList.sort();
        const double conc = played + silent > 0 ? 100.0 * silent / (played + silent) : -1;
        phaseJson.append(QJsonObject{
            {QStringLiteral("phase"), QString::fromLatin1(ph.name)},
            {QStringLiteral("from_s"), round1(ph.from / 1000)},
            {QStringLiteral("to_s"), round1(ph.to / 1000)},
            {QStringLiteral("g2g_p50_ms"), round1(percentile(lat, 0.5))},
            {QStringLiteral("g2g_p95_ms"), round1(percentile(lat, 0.95))},
            {QStringLiteral("g2g_max_ms"), round1(maxOf(lat))},
            {QStringLiteral("fps_a_to_b"), round1(fps[0])},
            {QStringLiteral("fps_b_to_a"), round1(fps[1])},
            {QStringLiteral("sizes"), sizeList.join(QStringLiteral(", "))},
            {QStringLiteral("audio_concealed_percent"), std::round(conc * 100) / 100},
            {QStringLiteral("video_sent_kbps_a"), std::round(sent[0])},
            {QStringLiteral("video_sent_kbps_b"), std::round(sent[1])},
        });
        std::printf("| %s | %.0f / %.0f / %.0f | %.1f, %.1f | %s | %.2f | %.0f, %.0f |\n", ph.name,
                    percentile(lat, 0.5), percentile(lat, 0.95), maxOf(lat), fps[0], fps[1],
                    qPrintable(sizeList.join(QStringLiteral(", "))), conc, sent[0], sent[1]);
    }
    QJsonObject j{{QStringLiteral("name"), o.scenario},
                  {QStringLiteral("series"), series},
                  {QStringLiteral("phases"), phaseJson}};
    if (o.scenario == QLatin1String("drop")) {
        // From the restore to the end of the first second in which both directions are back at
        // >= 640x480 and >= 25 frames taken.
        double back = -1;
        for (int sec : goodSeconds) {
            if (restoreAtMs >= 0 && sec * 1000.0 >= restoreAtMs) {
                back = (sec * 1000.0 + 1000 - restoreAtMs) / 1000;
                break;
            }
        }
        j.insert(QStringLiteral("drop_at_s"), round1(dropAtMs / 1000));
        j.insert(QStringLiteral("restore_at_s"), round1(restoreAtMs / 1000));
        j.insert(QStringLiteral("back_to_640x480_at_25_after_restore_s"), round1(back));
        std::printf(
            "drop at %.1f s, restore at %.1f s; back at >= 640x480 and >= 25 frames/s both "
            "ways: %s\n",
            dropAtMs / 1000, restoreAtMs / 1000,
            back < 0 ? "not within the window"
                     : qPrintable(QStringLiteral("%1 s after the restore").arg(back, 0, 'f', 1)));
    }
    return j;
}

int run(const Options &o)
{
    std::fprintf(stderr, "confab-callbench: %s, 640x480 at 30 fps, %d s after a %d s warm-up\n",
                 qPrintable(o.codec), o.seconds, kWarmupMs / 1000);
    const FrameCosts costs = measureFrameCosts(o.codec);
    const double patternMs = costs.patternMs;
    g_phase = WarmingUp;

    Server server;
    NetLab lab;
    Proxy proxy;
    QString error;
    QUrl aliceUrl, bobUrl;
    const bool capped =
        o.scenario == QLatin1String("cap500") || o.scenario == QLatin1String("drop");
    if (capped) {
        // The server in its namespace, each user on a link of their own that tbf caps.
        if (!lab.unavailableReason().isEmpty()) {
            std::fprintf(stderr, "confab-callbench: --scenario %s needs impaired links: %s\n",
                         qPrintable(o.scenario), qPrintable(lab.unavailableReason()));
            return 77;
        }
        if (!lab.startServer(o.serverBinary, &error) ||
            !lab.setRate(QStringLiteral("both"),
                         o.scenario == QLatin1String("cap500") ? QStringLiteral("500kbit")
                                                               : QStringLiteral("4mbit"),
                         &error)) {
            std::fprintf(stderr, "confab-callbench: %s\n", qPrintable(error));
            return 1;
        }
        aliceUrl = lab.aliceUrl();
        bobUrl = lab.bobUrl();
    } else {
        if (!server.start(o.serverBinary, &error)) {
            std::fprintf(stderr, "confab-callbench: %s\n", qPrintable(error));
            return 1;
        }
        aliceUrl = bobUrl = server.url();
    }
    if (o.scenario == QLatin1String("rtt150")) {
        // Both users through confab-netproxy: 75 ms each way (+0..10 ms jitter) makes a 150 ms
        // round trip to the server; every direction of every connection stalls for 200 ms
        // every 3 s on average (seeded), as TCP does on a burst of loss.
        if (!proxy.start(o.proxyBinary, bobUrl,
                         {QStringLiteral("--delay-ms"), QStringLiteral("75"),
                          QStringLiteral("--jitter-ms"), QStringLiteral("10"),
                          QStringLiteral("--stall-every-ms"), QStringLiteral("3000"),
                          QStringLiteral("--stall-ms"), QStringLiteral("200"),
                          QStringLiteral("--seed"), QStringLiteral("1")},
                         &error)) {
            std::fprintf(stderr, "confab-callbench: %s\n", qPrintable(error));
            return 1;
        }
        aliceUrl = bobUrl = proxy.url();
    }
    QElapsedTimer windowClock; // outlives the sides, whose taps read it
    Side alice, bob;
    alice.name = QStringLiteral("alice");
    bob.name = QStringLiteral("bob");
    alice.peer = &bob;
    bob.peer = &alice;
    if (!logIn(alice, aliceUrl, o.codec, &error) || !logIn(bob, bobUrl, o.codec, &error)) {
        std::fprintf(stderr, "confab-callbench: %s\n", qPrintable(error));
        return 1;
    }
    instrument(alice, windowClock);
    instrument(bob, windowClock);

    bool ringing = false;
    QObject::connect(bob.calls.get(), &CallSession::incomingCall, bob.calls.get(),
                     [&ringing] { ringing = true; });
    if (!alice.calls->call(QStringLiteral("bob")) || !waitFor([&] { return ringing; }, 10000)) {
        std::fprintf(stderr, "confab-callbench: the call did not reach bob\n");
        return 1;
    }
    bob.calls->accept();
    if (!waitFor(
            [&] {
                return alice.calls->state() == CallSession::State::Active &&
                       bob.calls->state() == CallSession::State::Active;
            },
            10000)) {
        std::fprintf(stderr, "confab-callbench: the call did not become active\n");
        return 1;
    }
    const QString loadBefore = loadAverage();
    // The pipelines' threads, to tell them apart from other threads with inherited names.
    QHash<QString, QString> threadLabels{
        {QString::number(getpid()), QStringLiteral("main (sessions, sockets, consumer)")}};
    for (Side *s : {&alice, &bob}) {
        auto tidOf = [](QObject *object) {
            long tid = 0;
            QMetaObject::invokeMethod(
                object, [] { return long(syscall(SYS_gettid)); }, Qt::BlockingQueuedConnection,
                &tid);
            return QString::number(tid);
        };
        threadLabels.insert(tidOf(s->calls->videoPipeline()), s->name + QStringLiteral(" video"));
        threadLabels.insert(tidOf(s->calls->audioPipeline()), s->name + QStringLiteral(" audio"));
    }
    runFor(kWarmupMs);

    // The window.
    const auto threadsBefore = readThreads();
    const double cpuBefore = cpuSecondsOfProcess();
    auto serverTicks = [&] {
        return capped ? readProcStat(QStringLiteral("/proc/%1/stat").arg(lab.serverPid())).ticks
                      : server.cpuTicks();
    };
    const qint64 serverBefore = serverTicks();
    const qint64 proxyBefore = proxy.cpuTicks();
    const MachineTimes machineBefore = readMachine();
    windowClock.start();
    g_phase = Measuring;
    // The drop: 4 Mbit/s for the first third, 400 kbit/s for the second, 4 Mbit/s again.
    double dropAtMs = -1, restoreAtMs = -1;
    // How long each side's estimate took to fall to half of what it was at the drop (polled
    // every 10 ms), and the probe bytes each sent by phase (window start, drop, restore, end).
    double cutAfterMs[2] = {-1, -1};
    int estimateAtDrop[2] = {0, 0};
    qint64 probeBytes[2][4] = {{alice.calls->probeBytesSent(), 0, 0, 0},
                               {bob.calls->probeBytesSent(), 0, 0, 0}};
    QTimer cutWatch;
    cutWatch.setInterval(10);
    QObject::connect(&cutWatch, &QTimer::timeout, [&] {
        const CallSession *sides[2] = {alice.calls.get(), bob.calls.get()};
        for (int i = 0; i < 2; ++i)
            if (cutAfterMs[i] < 0 && sides[i]->estimateKbps() <= estimateAtDrop[i] / 2)
                cutAfterMs[i] = double(windowClock.elapsed()) - dropAtMs;
        if ((cutAfterMs[0] >= 0 && cutAfterMs[1] >= 0) ||
            double(windowClock.elapsed()) - dropAtMs > 5000)
            cutWatch.stop();
    });
    if (o.scenario == QLatin1String("drop")) {
        QTimer::singleShot(o.seconds * 1000 / 3, Qt::PreciseTimer, [&] {
            dropAtMs = double(windowClock.elapsed());
            estimateAtDrop[0] = alice.calls->estimateKbps();
            estimateAtDrop[1] = bob.calls->estimateKbps();
            probeBytes[0][1] = alice.calls->probeBytesSent();
            probeBytes[1][1] = bob.calls->probeBytesSent();
            cutWatch.start();
            lab.setRateAsync(QStringLiteral("both"), QStringLiteral("400kbit"));
            if (o.oracleKbps > 0) {
                QTimer::singleShot(o.oracleDelayMs, Qt::PreciseTimer, [&] {
                    alice.calls->setBandwidthLimit(o.oracleKbps);
                    bob.calls->setBandwidthLimit(o.oracleKbps);
                });
            }
        });
        QTimer::singleShot(o.seconds * 2000 / 3, Qt::PreciseTimer, [&] {
            restoreAtMs = double(windowClock.elapsed());
            probeBytes[0][2] = alice.calls->probeBytesSent();
            probeBytes[1][2] = bob.calls->probeBytesSent();
            lab.setRateAsync(QStringLiteral("both"), QStringLiteral("4mbit"));
            if (o.oracleKbps > 0) {
                alice.calls->setBandwidthLimit(0);
                bob.calls->setBandwidthLimit(0);
            }
        });
    }
    runFor(o.seconds * 1000);
    g_phase = Done;
    probeBytes[0][3] = alice.calls->probeBytesSent();
    probeBytes[1][3] = bob.calls->probeBytesSent();
    if (o.scenario == QLatin1String("drop") && dropAtMs >= 0 && restoreAtMs >= 0) {
        const double endMs = double(windowClock.elapsed());
        const double spans[3] = {dropAtMs, restoreAtMs - dropAtMs, endMs - restoreAtMs};
        auto kbps = [&](int side, int phase) {
            return double(probeBytes[side][phase + 1] - probeBytes[side][phase]) * 8 /
                   std::max(1.0, spans[phase]);
        };
        std::printf("estimate at half of its value at the drop after: alice %.0f ms, bob %.0f ms "
                    "(-1: not within 5 s)\n",
                    cutAfterMs[0], cutAfterMs[1]);
        std::printf("probe kbit/s sent (alice, bob): before the drop %.0f, %.0f; at 400 kbit/s "
                    "%.0f, %.0f; after the restore %.0f, %.0f\n",
                    kbps(0, 0), kbps(1, 0), kbps(0, 1), kbps(1, 1), kbps(0, 2), kbps(1, 2));
    }
    const double wall = double(windowClock.nsecsElapsed()) / 1e9;
    const double processCpu = (cpuSecondsOfProcess() - cpuBefore) / wall * 100;
    const qint64 serverAfter = serverTicks();
    const qint64 proxyAfter = proxy.cpuTicks();
    const double proxyCpu =
        proxyBefore >= 0 && proxyAfter >= 0
            ? double(proxyAfter - proxyBefore) / double(sysconf(_SC_CLK_TCK)) / wall * 100
            : -1;
    const MachineTimes machineAfter = readMachine();
    const auto threadsAfter = readThreads();
    const QString loadAfter = loadAverage();
    const double hz = double(sysconf(_SC_CLK_TCK));
    const double serverCpu = serverBefore >= 0 && serverAfter >= 0
                                 ? double(serverAfter - serverBefore) / hz / wall * 100
                                 : -1;
    // Of all cores together, as % of one core (2 cores = 200%).
    const double machineBusy = double(machineAfter.busy - machineBefore.busy) / hz / wall * 100;
    const double machineSteal = double(machineAfter.steal - machineBefore.steal) / hz / wall * 100;
    const bool stillActive = alice.calls->state() == CallSession::State::Active &&
                             bob.calls->state() == CallSession::State::Active;
    // What was really sent (the peers agree on a codec; an older server that does not pass
    // the codec lists on would make them fall back to VP8).
    const int wanted =
        o.codec == QLatin1String("jpeg") ? MediaPacketHeader::Jpeg : MediaPacketHeader::Vp8;
    QStringList wire;
    bool codecOk = true;
    for (const Side *s : {&alice, &bob}) {
        for (int c : s->videoCodecsSeen) {
            wire << QStringLiteral("%1->%2: %3")
                        .arg(s->peer->name, s->name,
                             c == MediaPacketHeader::Vp8    ? QStringLiteral("vp8")
                             : c == MediaPacketHeader::Jpeg ? QStringLiteral("jpeg")
                                                            : QString::number(c));
            codecOk = codecOk && c == wanted;
        }
        codecOk = codecOk && s->videoCodecsSeen.size() == 1;
    }

    // Per thread: the pipelines' by side, others by their name ("other: NAME"; threads
    // started by a pipeline thread, e.g. a codec library's workers, inherit its name).
    std::map<QString, std::pair<int, double>> byName;
    for (auto it = threadsAfter.cbegin(); it != threadsAfter.cend(); ++it) {
        const qint64 before = threadsBefore.value(it.key()).ticks;
        const double pct = double(it.value().ticks - std::max<qint64>(0, before)) / hz / wall * 100;
        const QString name =
            threadLabels.value(it.key(), QStringLiteral("other: %1").arg(it.value().name));
        auto &entry = byName[name];
        ++entry.first;
        entry.second += pct;
    }

    alice.calls->hangUp();
    waitFor([&] { return bob.calls->state() == CallSession::State::Idle; }, 5000);
    alice.calls.reset();
    bob.calls.reset();
    alice.session->close();
    bob.session->close();
    runFor(100);
    alice.session.reset();
    bob.session.reset();
    server.stop();
    lab.stopServer();
    proxy.stop();

    // ---- the numbers ----
    std::vector<double> video = alice.videoLatencyMs;
    video.insert(video.end(), bob.videoLatencyMs.begin(), bob.videoLatencyMs.end());
    std::vector<double> audio = alice.audioLatencyMs;
    audio.insert(audio.end(), bob.audioLatencyMs.begin(), bob.audioLatencyMs.end());
    std::vector<double> arrived = alice.videoArrivalMs;
    arrived.insert(arrived.end(), bob.videoArrivalMs.begin(), bob.videoArrivalMs.end());
    std::vector<double> audioArrived = alice.audioArrivalMs;
    audioArrived.insert(audioArrived.end(), bob.audioArrivalMs.begin(), bob.audioArrivalMs.end());
    std::vector<double> decodedMedians;
    for (const Side *s : {&alice, &bob})
        for (const CallStats &st : s->stats)
            if (st.video.latencyMs >= 0)
                decodedMedians.push_back(st.video.latencyMs);

    const QJsonObject aliceStats = statsSummary(alice), bobStats = statsSummary(bob);
    const qint64 missing = alice.videoPacketsMissing + bob.videoPacketsMissing;
    const qint64 due = alice.videoPacketsArrived + bob.videoPacketsArrived + missing;
    const double lossPercent = due > 0 ? 100.0 * double(missing) / double(due) : -1;
    const double sideCpu[2] = {aliceStats.value(QStringLiteral("enc_dec_cpu_percent")).toDouble(),
                               bobStats.value(QStringLiteral("enc_dec_cpu_percent")).toDouble()};
    const double sentKbps[2] = {aliceStats.value(QStringLiteral("video_sent_kbps")).toDouble(),
                                bobStats.value(QStringLiteral("video_sent_kbps")).toDouble()};
    const double videoP95 = percentile(video, 0.95);
    const double audioP95 = percentile(audio, 0.95);

    QJsonObject threads;
    for (const auto &[name, entry] : byName)
        threads.insert(name, QJsonObject{{QStringLiteral("threads"), entry.first},
                                         {QStringLiteral("cpu_percent"), round1(entry.second)}});
    QJsonObject j{
        {QStringLiteral("codec"), o.codec},
        {QStringLiteral("size"), QStringLiteral("640x480")},
        {QStringLiteral("fps"), 30},
        {QStringLiteral("seconds"), round1(wall)},
        {QStringLiteral("warmup_seconds"), kWarmupMs / 1000},
        {QStringLiteral("call_still_active"), stillActive},
        {QStringLiteral("wire_codec_ok"), codecOk},
        {QStringLiteral("wire_codecs"), wire.join(QStringLiteral(", "))},
        {QStringLiteral("loadavg_before"), loadBefore},
        {QStringLiteral("loadavg_after"), loadAfter},
        {QStringLiteral("video"),
         QJsonObject{
             {QStringLiteral("frames_taken"), qint64(video.size())},
             {QStringLiteral("taken_fps_alice_to_bob"),
              round1(double(bob.videoLatencyMs.size()) / wall)},
             {QStringLiteral("taken_fps_bob_to_alice"),
              round1(double(alice.videoLatencyMs.size()) / wall)},
             {QStringLiteral("g2g_p50_ms"), round1(percentile(video, 0.5))},
             {QStringLiteral("g2g_p50_ms_alice_to_bob"),
              round1(percentile(bob.videoLatencyMs, 0.5))},
             {QStringLiteral("g2g_p50_ms_bob_to_alice"),
              round1(percentile(alice.videoLatencyMs, 0.5))},
             {QStringLiteral("g2g_p95_ms"), round1(videoP95)},
             {QStringLiteral("g2g_max_ms"), round1(maxOf(video))},
             {QStringLiteral("capture_to_arrived_p50_ms"), round1(percentile(arrived, 0.5))},
             {QStringLiteral("capture_to_arrived_p95_ms"), round1(percentile(arrived, 0.95))},
             {QStringLiteral("capture_to_decoded_mean_of_medians_ms"),
              round1(mean(decodedMedians))},
             {QStringLiteral("packets_arrived"),
              alice.videoPacketsArrived + bob.videoPacketsArrived},
             {QStringLiteral("packets_missing"), missing},
             {QStringLiteral("loss_percent"),
              lossPercent < 0 ? -1 : std::round(lossPercent * 100) / 100},
         }},
        {QStringLiteral("audio"),
         QJsonObject{
             {QStringLiteral("frames_played"), qint64(audio.size())},
             {QStringLiteral("p50_ms_alice_to_bob"), round1(percentile(bob.audioLatencyMs, 0.5))},
             {QStringLiteral("p50_ms_bob_to_alice"), round1(percentile(alice.audioLatencyMs, 0.5))},
             {QStringLiteral("frames_silent_or_concealed"),
              alice.audioSilentFrames + bob.audioSilentFrames},
             {QStringLiteral("p50_ms"), round1(percentile(audio, 0.5))},
             {QStringLiteral("p95_ms"), round1(audioP95)},
             {QStringLiteral("max_ms"), round1(maxOf(audio))},
             {QStringLiteral("capture_to_arrived_p50_ms"), round1(percentile(audioArrived, 0.5))},
             {QStringLiteral("capture_to_arrived_p95_ms"), round1(percentile(audioArrived, 0.95))},
         }},
        {QStringLiteral("alice"), aliceStats},
        {QStringLiteral("bob"), bobStats},
        {QStringLiteral("process_cpu_percent"), round1(processCpu)},
        {QStringLiteral("process_cpu_percent_per_side"), round1(processCpu / 2)},
        {QStringLiteral("test_pattern_ms_per_frame"), std::round(patternMs * 100) / 100},
        {QStringLiteral("alone_per_frame"),
         QJsonObject{
             {QStringLiteral("encode_thread_ms"), std::round(costs.encodeThreadMs * 100) / 100},
             {QStringLiteral("encode_process_ms"), std::round(costs.encodeProcessMs * 100) / 100},
             {QStringLiteral("encode_wall_ms"), std::round(costs.encodeWallMs * 100) / 100},
             {QStringLiteral("decode_thread_ms"), std::round(costs.decodeThreadMs * 100) / 100},
             {QStringLiteral("decode_process_ms"), std::round(costs.decodeProcessMs * 100) / 100},
             {QStringLiteral("decode_wall_ms"), std::round(costs.decodeWallMs * 100) / 100},
             {QStringLiteral("kbit_per_frame"), round1(costs.kbitPerFrame)},
         }},
        {QStringLiteral("server_cpu_percent"), round1(serverCpu)},
        {QStringLiteral("proxy_cpu_percent"), round1(proxyCpu)},
        {QStringLiteral("machine_busy_percent"), round1(machineBusy)},
        {QStringLiteral("machine_steal_percent"), round1(machineSteal)},
        {QStringLiteral("cores"), int(sysconf(_SC_NPROCESSORS_ONLN))},
        {QStringLiteral("threads"), threads},
        {QStringLiteral("targets"),
         QJsonObject{
             {QStringLiteral("video_p95_under_40ms"), videoP95 >= 0 && videoP95 < 40},
             {QStringLiteral("audio_p95_under_40ms"), audioP95 >= 0 && audioP95 < 40},
             {QStringLiteral("vp8_under_1mbps"),
              o.codec == QLatin1String("vp8")
                  ? QJsonValue(std::max(sentKbps[0], sentKbps[1]) < 1000)
                  : QJsonValue()},
             {QStringLiteral("enc_dec_under_15pct_per_side"),
              std::max(sideCpu[0], sideCpu[1]) < 15},
         }},
    };

    // ---- report ----
    auto f = [](double x) {
        return QString::number(x, 'f', 1);
    };
    const QJsonObject jv = j.value(QStringLiteral("video")).toObject();
    const QJsonObject ja = j.value(QStringLiteral("audio")).toObject();
    auto v = [](const QJsonObject &obj, const char *key) {
        return obj.value(QLatin1String(key)).toDouble();
    };
    std::printf("codec %s, %.1f s window (after %d s warm-up), call active throughout: %s\n",
                qPrintable(o.codec), wall, kWarmupMs / 1000, stillActive ? "yes" : "NO");
    std::printf("video codec on the wire: %s%s\n", qPrintable(wire.join(QStringLiteral(", "))),
                codecOk ? "" : "  <-- NOT what was asked for");
    std::printf("load average before/after: %s / %s\n", qPrintable(loadBefore),
                qPrintable(loadAfter));
    std::printf("video glass-to-glass (capture -> takeRemoteFrame), %lld frames: p50 %s "
                "(alice->bob %s, bob->alice %s), p95 %s, max %s ms\n",
                qint64(video.size()), qPrintable(f(v(jv, "g2g_p50_ms"))),
                qPrintable(f(v(jv, "g2g_p50_ms_alice_to_bob"))),
                qPrintable(f(v(jv, "g2g_p50_ms_bob_to_alice"))), qPrintable(f(videoP95)),
                qPrintable(f(v(jv, "g2g_max_ms"))));
    std::printf("  capture -> packet at the receiving client: p50 %s, p95 %s ms\n",
                qPrintable(f(v(jv, "capture_to_arrived_p50_ms"))),
                qPrintable(f(v(jv, "capture_to_arrived_p95_ms"))));
    std::printf("  capture -> decoded (the pipeline's per-second medians, mean): %s ms\n",
                qPrintable(f(v(jv, "capture_to_decoded_mean_of_medians_ms"))));
    std::printf("  frames taken per second: alice->bob %s, bob->alice %s\n",
                qPrintable(f(v(jv, "taken_fps_alice_to_bob"))),
                qPrintable(f(v(jv, "taken_fps_bob_to_alice"))));
    std::printf("  packets: %lld arrived, %lld missing (%.2f%% loss)\n",
                qint64(alice.videoPacketsArrived + bob.videoPacketsArrived), missing, lossPercent);
    for (const auto &[side, st] : {std::pair{"alice", aliceStats}, std::pair{"bob", bobStats}}) {
        std::printf(
            "%-5s (%d stats seconds): video sent %s kbit/s, received %s kbit/s at %s fps, "
            "encode+decode CPU %s%% of a core, audio jitter delay %s ms\n",
            side, st.value(QStringLiteral("samples")).toInt(),
            qPrintable(f(v(st, "video_sent_kbps"))), qPrintable(f(v(st, "video_received_kbps"))),
            qPrintable(f(v(st, "video_received_fps"))), qPrintable(f(v(st, "enc_dec_cpu_percent"))),
            qPrintable(f(v(st, "audio_jitter_delay_ms"))));
    }
    std::printf("audio capture -> playout hand-off (speaker none), %lld frames (+%lld silent or "
                "concealed): p50 %s (alice->bob %s, bob->alice %s), p95 %s, max %s ms; capture -> "
                "arrival p50 %s ms\n",
                qint64(audio.size()), alice.audioSilentFrames + bob.audioSilentFrames,
                qPrintable(f(v(ja, "p50_ms"))), qPrintable(f(v(ja, "p50_ms_alice_to_bob"))),
                qPrintable(f(v(ja, "p50_ms_bob_to_alice"))), qPrintable(f(audioP95)),
                qPrintable(f(v(ja, "max_ms"))), qPrintable(f(v(ja, "capture_to_arrived_p50_ms"))));
    std::printf("whole process CPU (both users, getrusage): %s%% of a core = %s%% per side; "
                "test-pattern camera %.2f ms/frame (= %.1f%% of a core per side at 30 fps, "
                "included); server process %s%%\n",
                qPrintable(f(processCpu)), qPrintable(f(processCpu / 2)), patternMs,
                patternMs * 30 / 10, qPrintable(f(serverCpu)));
    std::printf("machine: %s%% busy of %ld cores x 100%% (this process %s, server %s, everything "
                "else %s), %s%% stolen by the hypervisor\n",
                qPrintable(f(machineBusy)), sysconf(_SC_NPROCESSORS_ONLN),
                qPrintable(f(processCpu)), qPrintable(f(serverCpu)),
                qPrintable(f(machineBusy - processCpu - serverCpu)), qPrintable(f(machineSteal)));
    std::printf("alone, per frame (before the call, 180 frames after 60 of warm-up): encode %.2f "
                "ms thread CPU / "
                "%.2f ms process CPU / %.2f ms wall, decode %.2f / %.2f / %.2f ms, %.1f kbit "
                "(= %.0f kbit/s at 30 fps)\n",
                costs.encodeThreadMs, costs.encodeProcessMs, costs.encodeWallMs,
                costs.decodeThreadMs, costs.decodeProcessMs, costs.decodeWallMs, costs.kbitPerFrame,
                costs.kbitPerFrame * 30);
    std::printf("threads (%% of a core):");
    for (const auto &[name, entry] : byName)
        std::printf(" %s x%d %s;", qPrintable(name), entry.first, qPrintable(f(entry.second)));
    std::printf("\n\n");
    std::printf("| codec | video glass-to-glass p50 / p95 / max ms | frames shown/s a→b, b→a | "
                "video kbit/s sent a, b | video loss | enc+dec CPU a, b | process CPU / 2 | "
                "audio p50 / p95 ms |\n");
    std::printf("|---|---|---|---|---|---|---|---|\n");
    std::printf(
        "| %s | %s / %s / %s | %s, %s | %.0f, %.0f | %.2f%% | %s%%, %s%% | %s%% | %s / %s |\n",
        qPrintable(o.codec), qPrintable(f(v(jv, "g2g_p50_ms"))), qPrintable(f(videoP95)),
        qPrintable(f(v(jv, "g2g_max_ms"))), qPrintable(f(v(jv, "taken_fps_alice_to_bob"))),
        qPrintable(f(v(jv, "taken_fps_bob_to_alice"))), sentKbps[0], sentKbps[1], lossPercent,
        qPrintable(f(sideCpu[0])), qPrintable(f(sideCpu[1])), qPrintable(f(processCpu / 2)),
        qPrintable(f(v(ja, "p50_ms"))), qPrintable(f(audioP95)));
    if (o.scenario != QLatin1String("none")) {
        std::printf("\nscenario %s; this program's CPU (both users, getrusage) %s%% of a core, "
                    "server %s%%, confab-netproxy %s%%\n",
                    qPrintable(o.scenario), qPrintable(f(processCpu)), qPrintable(f(serverCpu)),
                    proxyCpu < 0 ? "-" : qPrintable(f(proxyCpu)));
        j.insert(QStringLiteral("scenario"),
                 scenarioReport(o, alice, bob, wall, dropAtMs, restoreAtMs));
    }
    if (o.json)
        std::printf("%s\n", QJsonDocument(j).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
    return stillActive && codecOk && !video.empty() && !audio.empty() ? 0 : 1;
}

QString findServer(const QString &given)
{
    if (!given.isEmpty())
        return given;
    const QString env = qEnvironmentVariable("CONFAB_SERVER_BIN");
    if (!env.isEmpty())
        return env;
    const QDir here(QCoreApplication::applicationDirPath());
    for (const QString &candidate : {here.filePath(QStringLiteral("confab-server")),
                                     here.filePath(QStringLiteral("../server/confab-server"))}) {
        if (QFileInfo(candidate).isExecutable())
            return QDir::cleanPath(candidate);
    }
    return {};
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("confab-callbench"));
    // The sessions' state changes are not part of the results.
    QLoggingCategory::setFilterRules(QStringLiteral("confab.*.debug=false\nconfab.*.info=false"));
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("A video call between two users of a real confab-server on loopback: "
                       "glass-to-glass latency, bit rate, CPU, audio latency."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("codec"), QStringLiteral("vp8 or jpeg (default vp8)."),
         QStringLiteral("codec"), QStringLiteral("vp8")},
        {QStringLiteral("seconds"),
         QStringLiteral("Measured seconds after the 2 s warm-up, 1..600 (default 20)."),
         QStringLiteral("n"), QStringLiteral("20")},
        {QStringLiteral("server-bin"),
         QStringLiteral("confab-server to start (default: $CONFAB_SERVER_BIN, else next to "
                        "this program or in ../server/)."),
         QStringLiteral("path")},
        {QStringLiteral("json"), QStringLiteral("Also print the results as one JSON line.")},
        {QStringLiteral("scenario"),
         QStringLiteral("Impaired links (issue 13): none (loopback, default); cap500 (each user's "
                        "link capped at 500 kbit/s each way); rtt150 (both users through "
                        "confab-netproxy: 150 ms RTT with bursty stalls); drop (4 Mbit/s, "
                        "400 kbit/s for the middle third of the window, 4 Mbit/s again). cap500 "
                        "and drop run inside tests/support/netlab.sh (root). Adds a time series."),
         QStringLiteral("name"), QStringLiteral("none")},
        {QStringLiteral("proxy-bin"),
         QStringLiteral("confab-netproxy for rtt150 (default: ../tests/confab-netproxy)."),
         QStringLiteral("path")},
        {QStringLiteral("oracle-kbps"),
         QStringLiteral("drop: limit both senders to this many kbit/s the instant the link drops "
                        "and lift the limit at the restore (an oracle; default 0: none)."),
         QStringLiteral("kbps"), QStringLiteral("0")},
        {QStringLiteral("oracle-delay-ms"),
         QStringLiteral("drop: the oracle's limit comes this many ms after the drop (what a "
                        "detector that needs that long could reach at best; default 0)."),
         QStringLiteral("ms"), QStringLiteral("0")},
    });
    parser.process(app);

    Options o;
    o.codec = parser.value(QStringLiteral("codec"));
    bool ok = false;
    o.seconds = parser.value(QStringLiteral("seconds")).toInt(&ok);
    o.json = parser.isSet(QStringLiteral("json"));
    o.scenario = parser.value(QStringLiteral("scenario"));
    o.oracleKbps = parser.value(QStringLiteral("oracle-kbps")).toInt();
    if (o.oracleKbps < 0 || o.oracleKbps > BandwidthEstimator::kMaxEstimateKbps) {
        std::fprintf(stderr, "confab-callbench: --oracle-kbps must be 0..%d\n",
                     BandwidthEstimator::kMaxEstimateKbps);
        return 2;
    }
    o.oracleDelayMs = parser.value(QStringLiteral("oracle-delay-ms")).toInt(&ok);
    if (!ok || o.oracleDelayMs < 0 || o.oracleDelayMs > 10000) {
        std::fprintf(stderr, "confab-callbench: --oracle-delay-ms must be 0..10000\n");
        return 2;
    }
    if (!QStringList{QStringLiteral("none"), QStringLiteral("cap500"), QStringLiteral("rtt150"),
                     QStringLiteral("drop")}
             .contains(o.scenario)) {
        std::fprintf(stderr, "confab-callbench: --scenario must be none, cap500, rtt150 or drop\n");
        return 2;
    }
    o.proxyBinary = parser.value(QStringLiteral("proxy-bin"));
    if (o.proxyBinary.isEmpty())
        o.proxyBinary = QDir::cleanPath(QCoreApplication::applicationDirPath() +
                                        QStringLiteral("/../tests/confab-netproxy"));
    if (o.codec != QLatin1String("vp8") && o.codec != QLatin1String("jpeg")) {
        std::fprintf(stderr, "confab-callbench: --codec must be vp8 or jpeg\n");
        return 2;
    }
    if (!ok || o.seconds < 1 || o.seconds > 600) {
        std::fprintf(stderr, "confab-callbench: --seconds must be 1..600\n");
        return 2;
    }
    o.serverBinary = findServer(parser.value(QStringLiteral("server-bin")));
    if (o.serverBinary.isEmpty()) {
        std::fprintf(stderr, "confab-callbench: no confab-server found; use --server-bin\n");
        return 2;
    }
    // Bounded no matter what: set-up waits have their own time-outs; this is the last resort
    // (the server is a child that dies with us, PR_SET_PDEATHSIG).
    QTimer::singleShot((o.seconds + 90) * 1000, &app, [] {
        std::fprintf(stderr, "confab-callbench: time limit reached, giving up\n");
        std::_Exit(3);
    });
    return run(o);
}
