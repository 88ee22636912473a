// confab-loadgen: WebSocket load generator for the Confab chat server.
//
// One process, many non-blocking sockets driven by Linux epoll (one epoll
// thread by default, --threads N to shard connections over N threads).
// Plain C++20 + POSIX on purpose: the generator must be much cheaper per
// message than the server so that it is never the bottleneck.
//
// It contains a minimal RFC 6455 client (HTTP upgrade, masked client frames,
// unmasked server frames with 7/16/64-bit lengths, ping/pong/close,
// fragmentation) and speaks the Confab JSON protocol with substring searches
// instead of a JSON parser (fast and sufficient for the fixed message shapes).
//
// Phases: connect + login all clients (bounded by --connect-timeout), settle
// until the presence storm is drained, then send for --warmup + --duration
// seconds (only the --duration window is measured), drain in-flight messages,
// close everything and print a report (table on stdout, --json: one JSON line).
//
// Latency is measured for EVERY delivery (no sampling): the send timestamp
// (CLOCK_MONOTONIC ns, shared by all connections of this process) is embedded
// in the message id, and the receive time is taken once per recv() call.
// Values go into a log-linear histogram (<1% relative error).
//
// Besides the honest clients it can run attackers during the measured window,
// each counted apart from the honest numbers: flooders (chat or history
// requests, as fast as the socket takes them or paced, small or big), password
// sign-ins (--signins: right and wrong passwords at a fixed rate, on
// connections that reconnect after each successful sign-in) and unfinished
// WebSocket upgrades (--slow-upgrades: an HTTP header that never ends). Every
// group of connections can come from its own range of local addresses
// (--bind-from and friends: 127.x.y.z all reach the server over loopback, and
// the server's per-address limits see them as different clients). wss:// URLs
// (or --tls) speak TLS through OpenSSL on the same non-blocking epoll loop.

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 // memrchr, epoll_pwait2
#endif

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cinttypes>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#ifdef CONFAB_LOADGEN_TLS
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#else
struct ssl_st; // SSL, unused without OpenSSL
struct ssl_ctx_st;
using SSL = ssl_st;
using SSL_CTX = ssl_ctx_st;
#endif

namespace {

using i64 = std::int64_t;
using u64 = std::uint64_t;

constexpr i64 kNsPerSec = 1'000'000'000;
constexpr i64 kNsPerMs = 1'000'000;

i64 mono_ns()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return i64(ts.tv_sec) * kNsPerSec + ts.tv_nsec;
}

i64 secs_to_ns(double s)
{
    return i64(s * double(kNsPerSec));
}
double ns_to_ms(double ns)
{
    return ns / 1e6;
}

[[noreturn]] void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    std::fputs("confab-loadgen: error: ", stderr);
    std::vfprintf(stderr, fmt, ap);
    std::fputc('\n', stderr);
    va_end(ap);
    std::exit(1);
}

void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    std::fputs("confab-loadgen: ", stderr);
    std::vfprintf(stderr, fmt, ap);
    std::fputc('\n', stderr);
    va_end(ap);
}

std::string strprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
std::string strprintf(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return buf;
}

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

struct Options
{
    std::string url = "ws://127.0.0.1:8080";
    std::string host;
    std::string port = "80";
    std::string path = "/";
    int clients = 100;
    int senders = -1; // default: all clients
    int size = 100;
    double duration = 10;
    bool open_loop = false;
    double rate = 0;
    double warmup = 2;
    int server_pid = 0;
    std::string sender_url;      // --sender-url: the senders connect here instead of --url
    std::string sender_host, sender_port, sender_path;
    std::vector<int> other_pids; // --other-pids: more processes whose CPU the window reports
    bool idle = false;
    bool json = false;
    std::string prefix = "u";
    int threads = 1;
    int max_pending = 200;
    int max_pending_per_address = 8; // the server's --max-pending-upgrades-per-address default
    double connect_timeout = -1;     // default: 30 s + 25 ms per client (see parse_args)
    double settle = 10;              // max settle time
    double quiet = 0.5;              // settle ends after this long without incoming frames
    double drain = 5;                // max wait for in-flight messages after the window
    double ack_timeout = 5;
    int coalesce_us = 0; // min. time between epoll waits (batches reads; adds <= this to latency)
    bool progress = true;
    int flooders = 0;               // extra connections that send as fast as the socket takes
    std::string flood_prefix = "f"; // their names: f0, f1, ...
    int flood_batch = 16;           // messages a flooder queues per pump round
    int flood_size = -1;            // content bytes of a flooder's chat message (default --size)
    bool flood_wide = false;        // content of 4-byte UTF-8 characters (16000 bytes = 4000 chars)
    u64 flood_count = 0;            // messages per flooder in all (0 = no limit)
    double flood_rate = 0;          // messages per second per flooder (0 = as fast as possible)
    bool flood_history = false;     // flooders send history requests instead of chat
    int flood_history_limit = 200;  // their `limit`
    std::string flood_with;         // their `with` ("" = the public room)
    long long flood_before = 0;     // their `before` (0 = none: the newest messages)
    std::string bind_from;          // source addresses of the honest clients
    std::string flood_bind_from;    // ... of the flooders
    int login_version = 2;          // "version" of every login

    // Sign-ins with a password (--signins): attempts per second over signin_conns connections.
    double signins = 0;
    int signin_conns = 64;
    int signin_accounts = 200; // names signin_prefix + 0 .. accounts-1
    std::string signin_prefix = "member";
    std::string signin_password = "bench-password-1";
    int signin_wrong_pct = 20; // share of attempts with a wrong password
    std::string signin_bind_from;

    // Unfinished WebSocket upgrades (--slow-upgrades).
    int slow_upgrades = 0;
    int slow_bytes = 65536; // header bytes a connection writes at once, then one line a second
    std::string slow_bind_from;

    // TLS (wss:// or --tls).
    bool tls = false;
    std::string ca_file; // verify the server against this CA (default: accept any certificate)

    int signers() const { return signins > 0 ? signin_conns : 0; }
    // Connections set up before the window (the honest clients, flooders, signers).
    int prepared() const { return clients + flooders + signers(); }
    int total() const { return prepared() + slow_upgrades; } // all connections
    bool attacks() const { return flooders > 0 || signins > 0 || slow_upgrades > 0; }
};

void usage(FILE *f)
{
    std::fputs(
        "usage: confab-loadgen [options]\n"
        "  --url URL              server URL, ws://host:port[/path] (default ws://127.0.0.1:8080)\n"
        "  --clients C            connections to open and log in (default 100)\n"
        "  --senders S            the first S clients send messages (default: all)\n"
        "  --size BYTES           message content size in bytes (default 100)\n"
        "  --duration SEC         measured window length (default 10); hold time with --idle\n"
        "  --warmup SEC           unmeasured sending before the window (default 2)\n"
        "  --mode closed|open     closed: one outstanding message per sender, next on ack;\n"
        "                         open: send at --rate regardless of acks (default closed)\n"
        "  --rate R               open loop: total messages/s over all senders\n"
        "  --server-pid PID       sample server CPU (/proc/PID/stat) and RSS (/proc/PID/status)\n"
        "  --sender-url URL       the senders (the first S clients) connect here, the others to\n"
        "                         --url (two nodes: senders on one, receivers on the other);\n"
        "                         same scheme as --url\n"
        "  --other-pids P1,P2,..  also report these processes' CPU in the window (a second\n"
        "                         node, the database, Redis)\n"
        "  --idle                 connect + log in, send nothing, hold --duration, report RSS\n"
        "  --json                 also print one JSON line with all numbers\n"
        "  --prefix P             user name prefix (default u -> u0, u1, ...)\n"
        "  --threads N            epoll threads (default 1)\n"
        "  --max-pending N        max outstanding connects/handshakes/logins (default 200)\n"
        "  --max-pending-per-address N  the same per source address of a --bind-from range\n"
        "                         (default 8, the server's --max-pending-upgrades-per-address)\n"
        "  --connect-timeout SEC  limit for connecting + logging in all clients\n"
        "                         (default 30 + 0.025 * clients: each login is broadcast to\n"
        "                         every member, so logging in C clients costs O(C^2))\n"
        "  --settle SEC           max settle time after login (default 10)\n"
        "  --quiet SEC            settle ends after SEC without data messages (default 0.5)\n"
        "  --drain SEC            max wait for in-flight messages after the window (default 5)\n"
        "  --ack-timeout SEC      closed loop: resend if no ack within SEC (default 5)\n"
        "  --coalesce-us N        at most one epoll wait per N microseconds: fewer, bigger\n"
        "                         reads at moderate load (adds <= N us to latency and changes\n"
        "                         the server's TCP pattern; default 0 = off)\n"
        "  --flooders F           F extra connections (named f0, f1, ...) that, during the\n"
        "                         measured window, send chat messages as fast as their\n"
        "                         sockets accept them, ignoring acks and rate_limited errors\n"
        "                         (default 0). Honest numbers (deliveries, latency,\n"
        "                         completeness) count only the --clients connections and\n"
        "                         only ids of the senders; flooders are reported apart.\n"
        "  --flood-prefix P       flooder name prefix (default f)\n"
        "  --flood-batch N        messages a flooder queues per round while its socket\n"
        "                         takes them (default 16)\n"
        "  --flood-size BYTES     content bytes of a flooder's message (default --size)\n"
        "  --flood-charset ascii|wide\n"
        "                         wide: content of 4-byte UTF-8 characters (emoji), so that\n"
        "                         16000 bytes are 4000 characters (default ascii)\n"
        "  --flood-count N        messages per flooder in all, then it stops (default: no limit)\n"
        "  --flood-rate R         messages per second per flooder, paced from the window start\n"
        "                         (default 0 = as fast as the socket takes them)\n"
        "  --flood-type chat|history\n"
        "                         history: flooders send history requests (default chat)\n"
        "  --flood-history-limit N  `limit` of those requests (default 200)\n"
        "  --flood-with NAME      `with` of those requests (default \"\": the public room)\n"
        "  --flood-history-before SEQ  `before` of those requests (default: none, the newest)\n"
        "  --bind-from RANGE      source addresses of the honest clients, A.B.C.D, "
        "A.B.C.D-E.F.G.H\n"
        "                         or A.B.C.D-N (last byte up to N); client i uses address\n"
        "                         i mod size (127/8 all reaches the server over loopback)\n"
        "  --flood-bind-from RANGE   the same for the flooders\n"
        "  --signins R            R password sign-ins per second during the window (open loop),\n"
        "                         names --signin-prefix 0..--signin-accounts-1 in turn; each\n"
        "                         successful one logs out, and its connection reconnects\n"
        "  --signin-conns K       connections the sign-ins use (default 64); an attempt due when\n"
        "                         all K wait for an answer is skipped and counted\n"
        "  --signin-accounts N    (default 200)   --signin-prefix P (default member)\n"
        "  --signin-password PW   the accounts' password (default bench-password-1)\n"
        "  --signin-wrong PCT     share of attempts with a wrong password (default 20)\n"
        "  --signin-bind-from RANGE  source addresses of the sign-in connections\n"
        "  --slow-upgrades N      N connections that start a WebSocket upgrade at the window "
        "start\n"
        "                         and never finish its header: --slow-bytes at once, then one\n"
        "                         header line a second; a connection the server closes is\n"
        "                         opened again until the window ends\n"
        "  --slow-bytes N         (default 65536)   --slow-bind-from RANGE  their addresses\n"
        "  --login-version N      \"version\" of the logins (default 2)\n"
        "  --tls                  TLS (implied by a wss:// URL); any certificate is accepted\n"
        "  --ca FILE              verify the server's certificate against this CA instead\n"
        "  --no-progress          no progress lines on stderr\n"
        "  --help\n",
        f);
}

double parse_double(const char *opt, const std::string &v, double lo, double hi)
{
    char *end = nullptr;
    errno = 0;
    double d = std::strtod(v.c_str(), &end);
    if (errno || end == v.c_str() || *end || !(d >= lo && d <= hi))
        die("%s: invalid value '%s' (expected %g..%g)", opt, v.c_str(), lo, hi);
    return d;
}

int parse_int(const char *opt, const std::string &v, long lo, long hi)
{
    char *end = nullptr;
    errno = 0;
    long n = std::strtol(v.c_str(), &end, 10);
    if (errno || end == v.c_str() || *end || n < lo || n > hi)
        die("%s: invalid value '%s' (expected %ld..%ld)", opt, v.c_str(), lo, hi);
    return int(n);
}

void parse_url(Options &o)
{
    std::string_view u = o.url;
    if (u.starts_with("wss://")) {
        o.tls = true;
        u.remove_prefix(6);
        o.port = "443";
    } else if (u.starts_with("ws://")) {
        u.remove_prefix(5);
    } else {
        die("--url: must start with ws:// or wss:// (got '%s')", o.url.c_str());
    }
    size_t slash = u.find('/');
    std::string_view hostport = u.substr(0, slash);
    o.path = slash == std::string_view::npos ? "/" : std::string(u.substr(slash));
    if (hostport.starts_with('[')) { // [v6]:port
        size_t close = hostport.find(']');
        if (close == std::string_view::npos)
            die("--url: bad IPv6 address");
        o.host = std::string(hostport.substr(1, close - 1));
        std::string_view rest = hostport.substr(close + 1);
        if (rest.starts_with(':'))
            o.port = std::string(rest.substr(1));
    } else {
        size_t colon = hostport.rfind(':');
        o.host = std::string(hostport.substr(0, colon));
        if (colon != std::string_view::npos)
            o.port = std::string(hostport.substr(colon + 1));
    }
    if (o.host.empty() || o.port.empty())
        die("--url: cannot parse '%s'", o.url.c_str());
}

Options parse_args(int argc, char **argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        std::string val;
        bool has_val = false;
        if (size_t eq = a.find('='); a.starts_with("--") && eq != std::string::npos) {
            val = a.substr(eq + 1);
            a = a.substr(0, eq);
            has_val = true;
        }
        auto need = [&]() -> std::string {
            if (has_val)
                return val;
            if (i + 1 >= argc)
                die("%s needs a value", a.c_str());
            return argv[++i];
        };
        const char *opt = a.c_str();
        if (a == "--help" || a == "-h") {
            usage(stdout);
            std::exit(0);
        } else if (a == "--url") {
            o.url = need();
        } else if (a == "--clients") {
            o.clients = parse_int(opt, need(), 1, 1'000'000);
        } else if (a == "--senders") {
            o.senders = parse_int(opt, need(), 0, 1'000'000);
        } else if (a == "--size") {
            o.size = parse_int(opt, need(), 0, 16 * 1024 * 1024);
        } else if (a == "--duration") {
            o.duration = parse_double(opt, need(), 0.001, 86400);
        } else if (a == "--warmup") {
            o.warmup = parse_double(opt, need(), 0, 3600);
        } else if (a == "--mode") {
            std::string m = need();
            if (m == "closed")
                o.open_loop = false;
            else if (m == "open")
                o.open_loop = true;
            else
                die("--mode: expected closed or open, got '%s'", m.c_str());
        } else if (a == "--rate") {
            o.rate = parse_double(opt, need(), 0.001, 1e9);
        } else if (a == "--server-pid") {
            o.server_pid = parse_int(opt, need(), 1, 1L << 30);
        } else if (a == "--sender-url") {
            o.sender_url = need();
        } else if (a == "--other-pids") {
            const std::string list = need();
            size_t start = 0;
            while (start <= list.size()) {
                size_t comma = list.find(',', start);
                if (comma == std::string::npos)
                    comma = list.size();
                o.other_pids.push_back(
                    parse_int(opt, list.substr(start, comma - start), 1, 1L << 30));
                start = comma + 1;
            }
        } else if (a == "--idle") {
            o.idle = true;
        } else if (a == "--json") {
            o.json = true;
        } else if (a == "--prefix") {
            o.prefix = need();
        } else if (a == "--threads") {
            o.threads = parse_int(opt, need(), 1, 64);
        } else if (a == "--max-pending") {
            o.max_pending = parse_int(opt, need(), 1, 1'000'000);
        } else if (a == "--max-pending-per-address") {
            o.max_pending_per_address = parse_int(opt, need(), 1, 1'000'000);
        } else if (a == "--connect-timeout") {
            o.connect_timeout = parse_double(opt, need(), 0.1, 3600);
        } else if (a == "--settle") {
            o.settle = parse_double(opt, need(), 0, 3600);
        } else if (a == "--quiet") {
            o.quiet = parse_double(opt, need(), 0, 60);
        } else if (a == "--drain") {
            o.drain = parse_double(opt, need(), 0, 3600);
        } else if (a == "--ack-timeout") {
            o.ack_timeout = parse_double(opt, need(), 0.001, 3600);
        } else if (a == "--coalesce-us") {
            o.coalesce_us = parse_int(opt, need(), 0, 1'000'000);
        } else if (a == "--no-progress") {
            o.progress = false;
        } else if (a == "--flooders") {
            o.flooders = parse_int(opt, need(), 0, 1'000'000);
        } else if (a == "--flood-prefix") {
            o.flood_prefix = need();
        } else if (a == "--flood-batch") {
            o.flood_batch = parse_int(opt, need(), 1, 100'000);
        } else if (a == "--flood-size") {
            o.flood_size = parse_int(opt, need(), 0, 16 * 1024 * 1024);
        } else if (a == "--flood-charset") {
            std::string m = need();
            if (m != "ascii" && m != "wide")
                die("--flood-charset: expected ascii or wide, got '%s'", m.c_str());
            o.flood_wide = m == "wide";
        } else if (a == "--flood-count") {
            o.flood_count = u64(parse_int(opt, need(), 1, 1'000'000'000));
        } else if (a == "--flood-rate") {
            o.flood_rate = parse_double(opt, need(), 0.001, 1e6);
        } else if (a == "--flood-type") {
            std::string m = need();
            if (m != "chat" && m != "history")
                die("--flood-type: expected chat or history, got '%s'", m.c_str());
            o.flood_history = m == "history";
        } else if (a == "--flood-history-limit") {
            o.flood_history_limit = parse_int(opt, need(), 1, 1'000'000);
        } else if (a == "--flood-with") {
            o.flood_with = need();
        } else if (a == "--flood-history-before") {
            o.flood_before = parse_int(opt, need(), 1, 2'000'000'000);
        } else if (a == "--bind-from") {
            o.bind_from = need();
        } else if (a == "--flood-bind-from") {
            o.flood_bind_from = need();
        } else if (a == "--signins") {
            o.signins = parse_double(opt, need(), 0.001, 1e6);
        } else if (a == "--signin-conns") {
            o.signin_conns = parse_int(opt, need(), 1, 1'000'000);
        } else if (a == "--signin-accounts") {
            o.signin_accounts = parse_int(opt, need(), 1, 1'000'000'000);
        } else if (a == "--signin-prefix") {
            o.signin_prefix = need();
        } else if (a == "--signin-password") {
            o.signin_password = need();
        } else if (a == "--signin-wrong") {
            o.signin_wrong_pct = parse_int(opt, need(), 0, 100);
        } else if (a == "--signin-bind-from") {
            o.signin_bind_from = need();
        } else if (a == "--slow-upgrades") {
            o.slow_upgrades = parse_int(opt, need(), 0, 1'000'000);
        } else if (a == "--slow-bytes") {
            o.slow_bytes = parse_int(opt, need(), 1, 64 * 1024 * 1024);
        } else if (a == "--slow-bind-from") {
            o.slow_bind_from = need();
        } else if (a == "--login-version") {
            o.login_version = parse_int(opt, need(), 1, 1'000'000);
        } else if (a == "--tls") {
            o.tls = true;
        } else if (a == "--ca") {
            o.ca_file = need();
        } else {
            usage(stderr);
            die("unknown option '%s'", argv[i]);
        }
    }
    if (o.senders < 0)
        o.senders = o.clients;
    if (o.connect_timeout < 0)
        o.connect_timeout = 30 + 0.025 * o.total();
    if (o.flooders > 0 && o.idle)
        die("--flooders cannot be combined with --idle");
    if (o.senders > o.clients)
        die("--senders (%d) must not exceed --clients (%d)", o.senders, o.clients);
    if (o.open_loop && !o.idle && o.senders > 0 && o.rate <= 0)
        die("--mode open needs --rate R (total messages per second)");
    if (o.flood_size < 0)
        o.flood_size = o.size;
    if (o.threads > o.total())
        o.threads = o.total();
    if (o.signins > 0 && o.idle)
        die("--signins cannot be combined with --idle");
    if (o.slow_upgrades > 0 && o.idle)
        die("--slow-upgrades cannot be combined with --idle");
    for (const std::string *s : {&o.signin_password, &o.flood_with})
        for (char ch : *s)
            if (ch == '"' || ch == '\\' || (unsigned char)ch < 0x20)
                die("--signin-password/--flood-with must not contain quotes, backslashes or "
                    "control characters");
    for (const std::string *pre : {&o.prefix, &o.flood_prefix, &o.signin_prefix})
        for (char ch : *pre)
            if (ch == '"' || ch == '\\' || (unsigned char)ch < 0x20)
                die("--prefix/--flood-prefix must not contain quotes, backslashes or control "
                    "characters");
    if (o.flooders > 0 &&
        (o.prefix.starts_with(o.flood_prefix) || o.flood_prefix.starts_with(o.prefix)))
        die("--prefix '%s' and --flood-prefix '%s' must not be prefixes of each other (names would "
            "collide)",
            o.prefix.c_str(), o.flood_prefix.c_str());
    if (o.signins > 0 &&
        (o.prefix.starts_with(o.signin_prefix) || o.signin_prefix.starts_with(o.prefix)))
        die("--prefix '%s' and --signin-prefix '%s' must not be prefixes of each other",
            o.prefix.c_str(), o.signin_prefix.c_str());
    if (!o.sender_url.empty()) {
        Options so;
        so.url = o.sender_url;
        parse_url(so);
        o.sender_host = so.host;
        o.sender_port = so.port;
        o.sender_path = so.path;
        if (o.sender_url.starts_with("wss://") != o.url.starts_with("wss://"))
            die("--sender-url must have the same scheme as --url");
    }
    parse_url(o);
#ifndef CONFAB_LOADGEN_TLS
    if (o.tls)
        die("TLS (wss://, --tls) needs a confab-loadgen built with OpenSSL (libssl-dev)");
#endif
    if (!o.ca_file.empty() && !o.tls)
        die("--ca is for TLS (wss:// or --tls)");
    return o;
}

// --bind-from A.B.C.D, A.B.C.D-E.F.G.H or A.B.C.D-N (N = the last byte of the last address).
struct AddrRange
{
    uint32_t first = 0; // host byte order
    uint32_t count = 0; // 0: no range, the kernel picks the source address
    uint32_t at(uint32_t i) const { return first + i % count; }
};

AddrRange parse_range(const char *opt, const std::string &text)
{
    AddrRange r;
    if (text.empty())
        return r;
    const size_t dash = text.find('-');
    const std::string a = text.substr(0, dash);
    in_addr lo{};
    if (inet_pton(AF_INET, a.c_str(), &lo) != 1)
        die("%s: '%s' is not an IPv4 address", opt, a.c_str());
    r.first = ntohl(lo.s_addr);
    uint32_t last = r.first;
    if (dash != std::string::npos) {
        const std::string b = text.substr(dash + 1);
        in_addr hi{};
        if (inet_pton(AF_INET, b.c_str(), &hi) == 1) {
            last = ntohl(hi.s_addr);
        } else {
            last = (r.first & ~0xFFu) | uint32_t(parse_int(opt, b, 0, 255));
        }
    }
    if (last < r.first)
        die("%s: '%s' ends before it starts", opt, text.c_str());
    r.count = last - r.first + 1;
    return r;
}

// ---------------------------------------------------------------------------
// Histogram: log-linear buckets (128 sub-buckets per power of two, <0.8% error)
// ---------------------------------------------------------------------------

class Histogram
{
public:
    void record(u64 v)
    {
        ++buckets_[index(v)];
        ++count_;
        sum_ += double(v);
        max_ = std::max(max_, v);
        min_ = std::min(min_, v);
    }
    void merge(const Histogram &o)
    {
        for (size_t i = 0; i < buckets_.size(); ++i)
            buckets_[i] += o.buckets_[i];
        count_ += o.count_;
        sum_ += o.sum_;
        max_ = std::max(max_, o.max_);
        min_ = std::min(min_, o.min_);
    }
    u64 count() const { return count_; }
    u64 max() const { return max_; }
    u64 min() const { return count_ ? min_ : 0; }
    double mean() const { return count_ ? sum_ / double(count_) : 0; }
    // Value at quantile q (0..1): midpoint of the bucket holding rank ceil(q*n).
    u64 quantile(double q) const
    {
        if (!count_)
            return 0;
        u64 rank = std::max<u64>(1, u64(std::ceil(q * double(count_))));
        u64 cum = 0;
        for (size_t i = 0; i < buckets_.size(); ++i) {
            cum += buckets_[i];
            if (cum >= rank)
                return std::clamp(mid(int(i)), min(), max_);
        }
        return max_;
    }

private:
    static constexpr int kSubBits = 7;
    static constexpr u64 kSub = u64(1) << kSubBits;
    static int index(u64 v)
    {
        if (v < kSub)
            return int(v);
        int e = 63 - __builtin_clzll(v);
        return int(u64(e - kSubBits + 1) * kSub + ((v >> (e - kSubBits)) & (kSub - 1)));
    }
    static u64 mid(int idx)
    {
        if (u64(idx) < kSub)
            return u64(idx);
        int e = idx / int(kSub) + kSubBits - 1;
        u64 sub = u64(idx) % kSub;
        u64 lo = (kSub + sub) << (e - kSubBits);
        return lo + ((u64(1) << (e - kSubBits)) >> 1);
    }
    std::vector<u64> buckets_ = std::vector<u64>(64 * kSub, 0);
    u64 count_ = 0;
    double sum_ = 0;
    u64 max_ = 0;
    u64 min_ = UINT64_MAX;
};

// ---------------------------------------------------------------------------
// Stats
// ---------------------------------------------------------------------------

struct Counters
{
    u64 sent = 0;         // chat messages sent by our senders
    u64 acks = 0;         // acks for our messages
    u64 deliveries = 0;   // relayed "user" messages carrying one of our ids
    u64 foreign_user = 0; // "user" messages without one of our ids (history, other tools)
    u64 presence = 0;     // login/logout of other users
    u64 other = 0;        // any other message type (typing, ...)
    u64 rate_limited = 0; // error code rate_limited
    u64 errors = 0;       // all other errors
    u64 ack_timeouts = 0; // closed loop: no ack within --ack-timeout
    u64 pings = 0;        // pings answered
    u64 frames = 0;       // frames received
    u64 bytes_rx = 0;
    u64 bytes_tx = 0;
    u64 reads = 0;   // successful recv() calls
    u64 wakeups = 0; // epoll waits that returned

    void merge(const Counters &o)
    {
        sent += o.sent;
        acks += o.acks;
        deliveries += o.deliveries;
        foreign_user += o.foreign_user;
        presence += o.presence;
        other += o.other;
        rate_limited += o.rate_limited;
        errors += o.errors;
        ack_timeouts += o.ack_timeouts;
        pings += o.pings;
        frames += o.frames;
        bytes_rx += o.bytes_rx;
        bytes_tx += o.bytes_tx;
        reads += o.reads;
        wakeups += o.wakeups;
    }
};

struct Stats
{
    Counters win;  // events inside the measured window
    Counters all;  // all events of the run
    Histogram lat; // send -> relay receive, every delivery in the window (ns)
    Histogram lat_rx; // the same, deliveries to the clients that do not send (receivers)
    std::vector<Histogram>
        lat_by_sec;     // the same per second of the window (at most 60 s; not --idle)
    Histogram ack_lat;  // send -> own ack (ns), window
    Histogram send_lag; // open loop: actual - scheduled send time (ns), window
    std::map<std::string, u64> errors_by_code; // all errors of the run
    u64 disconnects = 0;
    u64 dropped = 0; // open loop: sends skipped because the output buffer was full
    std::map<std::string, u64> close_reasons; // honest clients lost during the run, by reason

    // Flooders (--flooders). Honest numbers above never include them.
    struct Flood
    {
        u64 sent = 0;         // chat messages written by flooders
        u64 acks = 0;         // of those, accepted (stored and relayed) by the server
        u64 rate_limited = 0; // rate_limited errors received by flooders
        u64 relayed = 0;      // flooder messages received by honest clients
        u64 rx_other = 0;     // anything else flooders received (honest relays, presence, ...)
        u64 disconnects = 0;  // flooder connections lost
        u64 history = 0;      // history pages received by flooders
        u64 bytes_rx = 0;     // everything flooders received
        i64 first_disc = INT64_MAX, last_disc = 0; // mono ns
        std::map<std::string, u64> errors_by_code;
        std::map<std::string, u64> close_reasons;
    } flood;

    // Password sign-ins (--signins), all within the window.
    struct SignIns
    {
        u64 attempts = 0;   // logins with a password sent
        u64 wrong = 0;      // of those, with a wrong password
        u64 ok = 0;         // confirmations (signed in)
        u64 failed = 0;     // auth_failed (the password was hashed and did not match)
        u64 busy = 0;       // busy (the hash queue was full)
        u64 throttled = 0;  // auth_throttled
        u64 other = 0;      // any other answer
        u64 skipped = 0;    // attempts due while all sign-in connections waited for an answer
        u64 unanswered = 0; // attempts without an answer at the end
        u64 connects = 0;   // connections opened (the first ones and after each sign-in)
        Histogram ok_lat, failed_lat, busy_lat; // send -> answer (ns)
        std::map<std::string, u64> errors_by_code;
        std::map<std::string, u64> close_reasons; // connections lost other than by our logout
    } signin;

    // Unfinished WebSocket upgrades (--slow-upgrades).
    struct Slow
    {
        u64 connects = 0; // connections opened
        u64 refused = 0;  // connect() failed or reset before anything was written
        u64 closed = 0;   // closed by the server while the window was open
        u64 bytes = 0;    // header bytes written
        Histogram held;   // connect -> closed by the server (ns)
        std::map<std::string, u64> close_reasons;
    } slow;

    void merge(const Stats &o)
    {
        signin.attempts += o.signin.attempts;
        signin.wrong += o.signin.wrong;
        signin.ok += o.signin.ok;
        signin.failed += o.signin.failed;
        signin.busy += o.signin.busy;
        signin.throttled += o.signin.throttled;
        signin.other += o.signin.other;
        signin.skipped += o.signin.skipped;
        signin.unanswered += o.signin.unanswered;
        signin.connects += o.signin.connects;
        signin.ok_lat.merge(o.signin.ok_lat);
        signin.failed_lat.merge(o.signin.failed_lat);
        signin.busy_lat.merge(o.signin.busy_lat);
        for (auto &[k, v] : o.signin.errors_by_code)
            signin.errors_by_code[k] += v;
        for (auto &[k, v] : o.signin.close_reasons)
            signin.close_reasons[k] += v;
        slow.connects += o.slow.connects;
        slow.refused += o.slow.refused;
        slow.closed += o.slow.closed;
        slow.bytes += o.slow.bytes;
        slow.held.merge(o.slow.held);
        for (auto &[k, v] : o.slow.close_reasons)
            slow.close_reasons[k] += v;
        flood.history += o.flood.history;
        flood.bytes_rx += o.flood.bytes_rx;
        for (auto &[k, v] : o.close_reasons)
            close_reasons[k] += v;
        flood.sent += o.flood.sent;
        flood.acks += o.flood.acks;
        flood.rate_limited += o.flood.rate_limited;
        flood.relayed += o.flood.relayed;
        flood.rx_other += o.flood.rx_other;
        flood.disconnects += o.flood.disconnects;
        flood.first_disc = std::min(flood.first_disc, o.flood.first_disc);
        flood.last_disc = std::max(flood.last_disc, o.flood.last_disc);
        for (auto &[k, v] : o.flood.errors_by_code)
            flood.errors_by_code[k] += v;
        for (auto &[k, v] : o.flood.close_reasons)
            flood.close_reasons[k] += v;
        win.merge(o.win);
        all.merge(o.all);
        lat.merge(o.lat);
        lat_rx.merge(o.lat_rx);
        if (lat_by_sec.size() < o.lat_by_sec.size())
            lat_by_sec.resize(o.lat_by_sec.size());
        for (size_t i = 0; i < o.lat_by_sec.size(); ++i)
            lat_by_sec[i].merge(o.lat_by_sec[i]);
        ack_lat.merge(o.ack_lat);
        send_lag.merge(o.send_lag);
        for (auto &[k, v] : o.errors_by_code)
            errors_by_code[k] += v;
        disconnects += o.disconnects;
        dropped += o.dropped;
    }
};

// ---------------------------------------------------------------------------
// Minimal JSON access: substring search instead of a JSON parser, good enough
// for the server's flat compact objects and much faster. A key is a quoted
// string followed by ':'; quotes inside string values are escaped, so a key
// cannot be matched inside a value, and a value equal to the key name is
// skipped because it is not followed by ':'. Nested objects are not
// distinguished from the top level (the server's chat/ack messages have none).
// ---------------------------------------------------------------------------

inline bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

constexpr size_t npos = std::string_view::npos;

// q is the index of a '"'. If it opens `"key"` followed by ':' and a string
// value, return the index of the value's first character, else npos.
inline size_t match_key(std::string_view s, size_t q, std::string_view key)
{
    size_t i = q + 1;
    if (s.size() - i < key.size() + 2)
        return npos;
    for (size_t k = 0; k < key.size(); ++k)
        if (s[i + k] != key[k])
            return npos;
    i += key.size();
    if (s[i++] != '"')
        return npos;
    while (i < s.size() && is_ws(s[i]))
        ++i;
    if (i >= s.size() || s[i++] != ':')
        return npos;
    while (i < s.size() && is_ws(s[i]))
        ++i;
    if (i >= s.size() || s[i] != '"')
        return npos;
    return i + 1;
}

// Raw (still escaped) string value starting at i, up to the closing quote
// (a quote preceded by an odd number of backslashes is escaped).
inline std::string_view string_at(std::string_view s, size_t i)
{
    const char *base = s.data();
    for (size_t j = i; j < s.size();) {
        const void *hit = std::memchr(base + j, '"', s.size() - j);
        if (!hit)
            return {};
        const size_t k = size_t(static_cast<const char *>(hit) - base);
        size_t b = k;
        while (b > i && base[b - 1] == '\\')
            --b;
        if ((k - b) % 2 == 0)
            return s.substr(i, k - i);
        j = k + 1;
    }
    return {};
}

// String value of the first `"key":"..."` (key without quotes), or empty.
std::string_view json_str(std::string_view s, std::string_view key)
{
    const char *base = s.data();
    size_t q = 0;
    while (q < s.size()) {
        const void *hit = std::memchr(base + q, '"', s.size() - q);
        if (!hit)
            break;
        q = size_t(static_cast<const char *>(hit) - base);
        if (size_t v = match_key(s, q, key); v != npos)
            return string_at(s, v);
        ++q;
    }
    return {};
}

// Same, searching from the end: the server sorts keys, so "type" is the last
// key and "id" comes right after the (long) "content" of a relay; scanning
// backwards touches only the short tail of each message.
std::string_view json_str_last(std::string_view s, std::string_view key)
{
    // Visit the '"' characters from the end, 8 bytes at a time (SWAR): the
    // exact zero-byte mask of (word ^ 0x22..22) marks the quotes in a word.
    constexpr u64 kQuotes = 0x2222222222222222ull, k7F = 0x7F7F7F7F7F7F7F7Full;
    const char *base = s.data();
    size_t pos = s.size();
    while (pos >= 8) {
        u64 w;
        std::memcpy(&w, base + pos - 8, 8); // little-endian: byte i = bits 8i..8i+7
        const u64 x = w ^ kQuotes;
        u64 m = ~(((x & k7F) + k7F) | x | k7F);
        while (m) {
            const int bit = 63 - __builtin_clzll(m);
            const size_t q = pos - 8 + size_t(bit >> 3);
            if (size_t v = match_key(s, q, key); v != npos)
                return string_at(s, v);
            m &= ~(u64(1) << bit);
        }
        pos -= 8;
    }
    while (pos-- > 0) {
        if (base[pos] == '"')
            if (size_t v = match_key(s, pos, key); v != npos)
                return string_at(s, v);
    }
    return {};
}

template <class T> bool parse_num(std::string_view s, T &out)
{
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

// Message ids: "<send time ns, 16 hex digits>-<tag>-<client index>-<counter>". Time comes
// first, as in the Confab client's ids (UUIDv7), so the server's index of ids grows at
// one end instead of at one place per sender.
struct MsgId
{
    i64 ts = 0;
    uint32_t index = 0;
    u64 counter = 0;
};

int format_id(char *buf, size_t size, const MsgId &id, const std::string &tag)
{
    return std::snprintf(buf, size, "%016" PRIx64 "-%s-%u-%" PRIu64, u64(id.ts), tag.c_str(),
                         id.index, id.counter);
}

// False for ids this run did not generate (e.g. history of an earlier run).
bool parse_id(std::string_view s, const std::string &tag, MsgId &id)
{
    constexpr size_t kTs = 16;
    if (s.size() < kTs + tag.size() + 2 || s[kTs] != '-' || s.substr(kTs + 1, tag.size()) != tag ||
        s[kTs + 1 + tag.size()] != '-')
        return false;
    u64 ts = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + kTs, ts, 16);
    if (ec != std::errc() || p != s.data() + kTs)
        return false;
    id.ts = i64(ts);
    const std::string_view rest = s.substr(kTs + tag.size() + 2);
    const size_t dash = rest.find('-');
    return dash != std::string_view::npos && parse_num(rest.substr(0, dash), id.index) &&
           parse_num(rest.substr(dash + 1), id.counter);
}

// Append s to out as a JSON string body (escaping quotes/backslashes/controls).
void json_escape(std::string &out, std::string_view s)
{
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if ((unsigned char)c < 0x20) {
            out += strprintf("\\u%04x", c);
        } else {
            out += c;
        }
    }
}

// ---------------------------------------------------------------------------
// RFC 6455 frame codec
// ---------------------------------------------------------------------------

namespace ws {

enum Opcode : uint8_t {
    kCont = 0x0,
    kText = 0x1,
    kBinary = 0x2,
    kClose = 0x8,
    kPing = 0x9,
    kPong = 0xA
};

constexpr u64 kMaxFrame = 64ull << 20; // refuse absurd frames (protocol error guard)

// Append one masked client frame (FIN set) to out.
void append_frame(std::string &out, uint8_t opcode, std::string_view payload, uint32_t mask_key)
{
    const size_t n = payload.size();
    uint8_t hdr[14];
    size_t h = 0;
    hdr[h++] = uint8_t(0x80 | (opcode & 0x0F));
    if (n < 126) {
        hdr[h++] = uint8_t(0x80 | n);
    } else if (n <= 0xFFFF) {
        hdr[h++] = 0x80 | 126;
        hdr[h++] = uint8_t(n >> 8);
        hdr[h++] = uint8_t(n);
    } else {
        hdr[h++] = 0x80 | 127;
        for (int i = 7; i >= 0; --i)
            hdr[h++] = uint8_t(u64(n) >> (8 * i));
    }
    uint8_t mk[4];
    std::memcpy(mk, &mask_key, 4);
    std::memcpy(hdr + h, mk, 4);
    h += 4;
    const size_t start = out.size();
    out.resize(start + h + n);
    char *dst = out.data() + start;
    std::memcpy(dst, hdr, h);
    dst += h;
    const char *src = payload.data();
    for (size_t i = 0; i < n; ++i)
        dst[i] = char(uint8_t(src[i]) ^ mk[i & 3]);
}

struct Frame
{
    bool fin = false;
    uint8_t opcode = 0;
    std::string_view payload;
};

enum class ParseResult { kFrame, kNeedMore, kError };

// Parse one server frame from [p, p+n). On kFrame, *consumed is the frame size
// and f.payload points into p (or into unmask_buf if the server masked it,
// which it must not do, but we tolerate it).
ParseResult parse_frame(const char *p, size_t n, Frame &f, size_t *consumed,
                        std::string &unmask_buf, std::string *err)
{
    if (n < 2)
        return ParseResult::kNeedMore;
    const uint8_t b0 = uint8_t(p[0]), b1 = uint8_t(p[1]);
    if (b0 & 0x70) {
        *err = "reserved bits set in frame header";
        return ParseResult::kError;
    }
    f.fin = b0 & 0x80;
    f.opcode = b0 & 0x0F;
    const bool masked = b1 & 0x80;
    u64 len = b1 & 0x7F;
    size_t h = 2;
    if (len == 126) {
        if (n < 4)
            return ParseResult::kNeedMore;
        len = (u64(uint8_t(p[2])) << 8) | uint8_t(p[3]);
        h = 4;
    } else if (len == 127) {
        if (n < 10)
            return ParseResult::kNeedMore;
        len = 0;
        for (int i = 0; i < 8; ++i)
            len = (len << 8) | uint8_t(p[2 + i]);
        h = 10;
    }
    if (len > kMaxFrame) {
        *err = strprintf("frame too large (%" PRIu64 " bytes)", len);
        return ParseResult::kError;
    }
    if (masked)
        h += 4;
    if (n < h + len)
        return ParseResult::kNeedMore;
    if (masked) {
        const uint8_t *mk = reinterpret_cast<const uint8_t *>(p + h - 4);
        unmask_buf.assign(p + h, size_t(len));
        for (size_t i = 0; i < len; ++i)
            unmask_buf[i] = char(uint8_t(unmask_buf[i]) ^ mk[i & 3]);
        f.payload = unmask_buf;
    } else {
        f.payload = std::string_view(p + h, size_t(len));
    }
    *consumed = h + size_t(len);
    return ParseResult::kFrame;
}

// Fixed key from RFC 6455 section 1.3 and its known accept value.
constexpr std::string_view kKey = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr std::string_view kAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

std::string upgrade_request(const Options &o)
{
    std::string host = o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host;
    return "GET " + o.path + " HTTP/1.1\r\nHost: " + host + ":" + o.port +
           "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " +
           std::string(kKey) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

// Check an HTTP upgrade response head (without the final CRLFCRLF).
bool check_upgrade_response(std::string_view head, std::string *err)
{
    std::string_view status = head.substr(0, head.find("\r\n"));
    if (status.find(" 101") == std::string_view::npos) {
        *err = "upgrade refused: " + std::string(status);
        return false;
    }
    // Case-insensitive header search for Sec-WebSocket-Accept.
    std::string lower(head);
    for (char &c : lower)
        c = char(std::tolower((unsigned char)c));
    size_t pos = lower.find("\r\nsec-websocket-accept:");
    if (pos == std::string::npos) {
        *err = "upgrade response lacks Sec-WebSocket-Accept";
        return false;
    }
    pos += 23;
    size_t end = head.find("\r\n", pos);
    std::string_view v =
        head.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    while (!v.empty() && is_ws(v.front()))
        v.remove_prefix(1);
    while (!v.empty() && is_ws(v.back()))
        v.remove_suffix(1);
    if (v != kAccept) {
        *err = "bad Sec-WebSocket-Accept: " + std::string(v);
        return false;
    }
    return true;
}

} // namespace ws

// ---------------------------------------------------------------------------
// Shared state between the main (controller) thread and the epoll workers
// ---------------------------------------------------------------------------

enum Phase : int { kConnect = 0, kHold = 1, kRun = 2, kDrain = 3, kStop = 4 };

struct Shared
{
    Options opt;
    sockaddr_storage addr{};
    socklen_t addrlen = 0;
    std::string request;       // HTTP upgrade request
    // --sender-url: where the senders connect instead (split_senders), and their request.
    bool split_senders = false;
    sockaddr_storage sender_addr{};
    socklen_t sender_addrlen = 0;
    std::string sender_request;
    std::string tag;           // per-process run tag, prefix of every message id
    std::string content;       // message content (--size bytes of ASCII)
    std::string flood_content; // flooders' content (--flood-size, --flood-charset)
    std::string slow_head;     // what an unfinished upgrade starts with
    AddrRange bind, flood_bind, signin_bind, slow_bind;
    SSL_CTX *ssl_ctx = nullptr;
    std::atomic<u64> signin_seq{0}; // attempts so far, over all workers: picks name and password

    std::atomic<int> phase{kConnect};
    std::atomic<i64> run_start{0}, meas_start{0}, meas_end{0}; // set before phase kRun

    std::atomic<bool> failed{false};
    std::mutex fail_mu;
    std::string fail_msg;

    void fail(const std::string &msg)
    {
        std::lock_guard lock(fail_mu);
        if (!failed.load()) {
            fail_msg = msg;
            failed.store(true);
        }
    }
};

// ---------------------------------------------------------------------------
// Connection
// ---------------------------------------------------------------------------

enum class ConnState : uint8_t {
    kIdle,
    kConnecting,
    kTlsHandshake,
    kUpgrading,
    kAwaitHello,
    kLoggingIn,
    kReady,
    kSignIdle,    // signer: greeted, no sign-in in flight
    kSignWaiting, // signer: a login with a password sent, no answer yet
    kSignLeaving, // signer: signed in, logout sent, waiting for the server to close
    kSlowSending, // unfinished upgrade: writing a header that never ends
    kClosed
};

enum class Role : uint8_t { kHonest, kFlooder, kSigner, kSlow };

struct Conn
{
    int fd = -1;
    uint32_t index = 0;      // global client index (name = prefix + index)
    uint32_t role_index = 0; // index among the connections of its role
    Role role = Role::kHonest;
    ConnState st = ConnState::kIdle;
    uint32_t ev_mask = 0; // currently registered epoll events
    bool sender = false;
    bool flooder = false;
    bool close_sent = false;
    bool counted_pending = false; // counted in Worker::pending_ (connect phase)
    bool counted_ready = false;   // counted in Worker::ready_
    bool counted_source = false;  // counted in Worker::pending_by_source_
    uint32_t source = 0;          // the local address it binds to (host order), 0 = any
    SSL *ssl = nullptr;
    bool tls_write_wants_read = false; // SSL_write needs input first (flush again after reading)
    i64 connected_ns = 0;              // slow: when the TCP connection was up
    i64 next_flood_ns = 0;             // paced flooder: time of the next message
    i64 next_slow_line_ns = 0;
    u64 slow_bytes = 0; // slow: header bytes written on this connection
    i64 attempt_ns = 0; // signer: when the pending attempt was sent
    std::string attempt_name;
    std::string name;
    std::string fatal_code; // code of a fatal error the server sent, if any
    std::string close_info; // "close CODE REASON" from the server's close frame, if any
    std::string in;         // unconsumed input (partial frame / HTTP head)
    std::string out;        // unsent output
    size_t out_off = 0;
    std::string frag; // fragmented message being reassembled
    uint8_t frag_op = 0;
    uint32_t rng = 1; // xorshift state for mask keys

    // Sender state.
    u64 counter = 0;          // messages sent
    bool outstanding = false; // closed loop: waiting for ack of pending_counter
    u64 pending_counter = 0;
    i64 pending_sent_ns = 0;

    uint32_t next_mask()
    {
        rng ^= rng << 13;
        rng ^= rng >> 17;
        rng ^= rng << 5;
        return rng;
    }
};

// ---------------------------------------------------------------------------
// Worker: one epoll loop owning a subset of the connections
// ---------------------------------------------------------------------------

class Worker
{
public:
    Worker(Shared &sh, std::vector<uint32_t> indices) : sh_(sh), opt_(sh.opt)
    {
        conns_.resize(indices.size());
        const uint32_t C = uint32_t(opt_.clients), F = uint32_t(opt_.flooders),
                       S = uint32_t(opt_.signers());
        for (size_t i = 0; i < indices.size(); ++i) {
            Conn &c = conns_[i];
            c.index = indices[i];
            if (c.index < C) {
                c.role = Role::kHonest;
                c.role_index = c.index;
                c.name = opt_.prefix + std::to_string(c.index);
            } else if (c.index < C + F) {
                c.role = Role::kFlooder;
                c.role_index = c.index - C;
                c.name = opt_.flood_prefix + std::to_string(c.role_index);
            } else if (c.index < C + F + S) {
                c.role = Role::kSigner;
                c.role_index = c.index - C - F;
            } else {
                c.role = Role::kSlow;
                c.role_index = c.index - C - F - S;
            }
            c.flooder = c.role == Role::kFlooder;
            c.sender = c.index < uint32_t(opt_.senders);
            // conns_ never resizes after this
            if (c.flooder)
                flooders_.push_back(&c);
            else if (c.role == Role::kSigner)
                signers_.push_back(&c);
            else if (c.role == Role::kSlow)
                slow_.push_back(&c);
            if (c.role != Role::kSlow)
                ++prepared_;
            const AddrRange &range = c.role == Role::kHonest    ? sh_.bind
                                     : c.role == Role::kFlooder ? sh_.flood_bind
                                     : c.role == Role::kSigner  ? sh_.signin_bind
                                                                : sh_.slow_bind;
            c.source = range.count ? range.at(c.role_index) : 0;
            c.rng = uint32_t(c.index * 2654435761u) ^ 0x9E3779B9u ^ uint32_t(mono_ns());
            if (!c.rng)
                c.rng = 1;
        }
        max_pending_ = std::max(1, opt_.max_pending / opt_.threads);
        if (!opt_.idle)
            stats.lat_by_sec.resize(size_t(std::clamp(std::ceil(opt_.duration), 1.0, 60.0)));
        scratch_.resize(kScratch);
    }

    void run();

    // Published progress, read by the controller while running.
    std::atomic<u64> pub_connected{0}, pub_ready{0}, pub_sent{0}, pub_acks{0}, pub_deliveries{0},
        pub_rate_limited{0}, pub_disconnects{0}, pub_outstanding{0};
    std::atomic<i64> pub_last_rx{0};

    Stats stats; // final numbers, read after join

private:
    static constexpr size_t kScratch = 256 * 1024;
    static constexpr size_t kMaxEvents = 512;

    struct Timer
    {
        i64 t;
        Conn *c;
        bool operator>(const Timer &o) const { return t > o.t; }
    };

    void start_connect(Conn &c);
    void finish_connect(Conn &c);
    void begin_upgrade(Conn &c);
    void tls_handshake(Conn &c);
    ssize_t conn_read(Conn &c, char *buf, size_t len);
    ssize_t conn_write(Conn &c, const char *buf, size_t len);
    void mark_ready(Conn &c);
    void release_source(Conn &c)
    {
        if (c.counted_source) {
            c.counted_source = false;
            --pending_by_source_[c.source];
        }
    }
    bool source_full(const Conn &c)
    {
        return c.source && c.role != Role::kSlow &&
               pending_by_source_[c.source] >=
                   std::max(1, opt_.max_pending_per_address / opt_.threads);
    }
    void on_event(Conn &c, uint32_t ev);
    void on_readable(Conn &c);
    size_t consume(Conn &c, const char *data, size_t len);
    void handle_frame(Conn &c, const ws::Frame &f);
    void on_message(Conn &c, std::string_view msg);
    void on_delivery(Conn &c, std::string_view msg);
    void on_ack(Conn &c, std::string_view msg);
    void on_error(Conn &c, std::string_view msg);
    void send_login(Conn &c);
    void send_chat(Conn &c, i64 scheduled);
    void queue_frame(Conn &c, uint8_t opcode, std::string_view payload);
    void flush(Conn &c);
    void set_events(Conn &c, uint32_t ev);
    void close_conn(Conn &c, const std::string &reason);
    void init_senders();
    void fire_timers();
    bool flood_pump();
    void queue_flood_message(Conn &c);
    void signin_pump();
    void send_signin(Conn &c);
    void on_signer_message(Conn &c, std::string_view type, std::string_view msg);
    void slow_pump(Conn &c);
    void reconnect_later(Conn &c);
    void start_slow();
    bool flooding(i64 t) const { return phase_ == kRun && t >= meas_start_ && t < meas_end_; }
    void sweep_ack_timeouts();
    void publish();
    void shutdown_all();
    bool in_window(i64 t) const { return t >= meas_start_ && t < meas_end_; }
    bool sending_allowed(i64 t) const { return phase_ == kRun && t < meas_end_; }

    Shared &sh_;
    const Options &opt_;
    int ep_ = -1;
    std::vector<Conn> conns_;
    std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
    std::string scratch_;
    std::string unmask_buf_;
    std::string msg_buf_;
    size_t next_connect_ = 0;
    int pending_ = 0; // connections started but not logged in
    int max_pending_ = 1;
    u64 ready_ = 0;       // logged-in connections
    u64 outstanding_ = 0; // closed loop: messages waiting for their ack
    int phase_ = kConnect;
    bool senders_started_ = false;
    i64 now_ = 0; // time of the current event batch / recv
    i64 meas_start_ = INT64_MAX, meas_end_ = INT64_MAX, run_start_ = 0;
    i64 interval_ns_ = 0; // open loop: per-sender send interval
    int disconnect_logs_ = 0;
    int error_logs_ = 0;
    std::vector<Conn *> flooders_;
    bool flood_more_ =
        false; // some flooder's socket took a whole batch: pump again without waiting
    i64 flood_next_ = INT64_MAX; // paced flooders: the earliest next message
    std::vector<Conn *> signers_;
    size_t signer_cursor_ = 0;
    i64 signin_next_ = INT64_MAX; // time of the next sign-in attempt (window only)
    i64 signin_interval_ = 0;
    std::vector<Conn *> slow_;
    bool slow_started_ = false;
    i64 slow_next_ = INT64_MAX;       // the earliest next header line
    std::vector<Conn *> reconnect_;   // signers and slow connections to open again
    std::vector<Conn *> tls_pending_; // TLS connections with decrypted input left in OpenSSL
    std::map<uint32_t, int> pending_by_source_; // connections in their upgrade, per bound address
    u64 prepared_ = 0;                          // connections that must be ready before the window
};

void Worker::set_events(Conn &c, uint32_t ev)
{
    if (c.ev_mask == ev || c.fd < 0)
        return;
    epoll_event e{};
    e.events = ev;
    e.data.ptr = &c;
    if (epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &e) != 0)
        close_conn(c, strprintf("epoll_ctl: %s", std::strerror(errno)));
    else
        c.ev_mask = ev;
}

void Worker::start_connect(Conn &c)
{
    const bool to_sender_url = sh_.split_senders && c.sender;
    const auto &a = to_sender_url ? sh_.sender_addr : sh_.addr;
    const socklen_t alen = to_sender_url ? sh_.sender_addrlen : sh_.addrlen;
    c.close_sent = false;
    c.fatal_code.clear();
    c.close_info.clear();
    c.in.clear();
    c.out.clear();
    c.out_off = 0;
    c.frag.clear();
    c.frag_op = 0;
    c.tls_write_wants_read = false;
    int fd = socket(a.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        sh_.fail(strprintf(
            "socket() for client %u: %s%s", c.index, std::strerror(errno),
            errno == EMFILE || errno == ENFILE ? " (raise the open file limit: ulimit -n)" : ""));
        return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c.fd = fd;
    c.st = ConnState::kConnecting;
    if (phase_ == kConnect && c.role != Role::kSlow) {
        c.counted_pending = true;
        ++pending_;
    }
    if (c.role == Role::kSigner)
        ++stats.signin.connects;
    else if (c.role == Role::kSlow)
        ++stats.slow.connects;
    if (c.source && c.role != Role::kSlow) {
        // The server refuses an address's connections beyond a few in their upgrade.
        c.counted_source = true;
        ++pending_by_source_[c.source];
    }
    if (c.source && a.ss_family == AF_INET) {
        // The port is chosen at connect(), per destination: many connections per address.
        setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        sockaddr_in local{};
        local.sin_family = AF_INET;
        local.sin_addr.s_addr = htonl(c.source);
        if (bind(fd, reinterpret_cast<const sockaddr *>(&local), sizeof local) != 0) {
            char text[INET_ADDRSTRLEN] = "?";
            inet_ntop(AF_INET, &local.sin_addr, text, sizeof text);
            sh_.fail(strprintf("bind(%s) for client %u: %s", text, c.index, std::strerror(errno)));
            return;
        }
    } else if (c.source) {
        sh_.fail("--bind-from and friends need an IPv4 server address");
        return;
    }
    epoll_event e{};
    e.events = EPOLLOUT | EPOLLIN;
    e.data.ptr = &c;
    if (epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &e) != 0) {
        close_conn(c, strprintf("epoll_ctl add: %s", std::strerror(errno)));
        return;
    }
    c.ev_mask = e.events;
    if (connect(fd, reinterpret_cast<const sockaddr *>(&a), alen) == 0) {
        finish_connect(c);
    } else if (errno != EINPROGRESS) {
        close_conn(c, strprintf("connect to %s:%s: %s%s", opt_.host.c_str(), opt_.port.c_str(),
                                std::strerror(errno),
                                errno == EADDRNOTAVAIL ? " (out of local ports?)" : ""));
    }
}

void Worker::finish_connect(Conn &c)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        err = errno;
    if (err) {
        close_conn(c, strprintf("connect to %s:%s: %s", opt_.host.c_str(), opt_.port.c_str(),
                                std::strerror(err)));
        return;
    }
    pub_connected.fetch_add(1, std::memory_order_relaxed);
    c.connected_ns = mono_ns();
    if (opt_.tls) {
#ifdef CONFAB_LOADGEN_TLS
        c.ssl = SSL_new(sh_.ssl_ctx);
        if (!c.ssl || SSL_set_fd(c.ssl, c.fd) != 1) {
            close_conn(c, "SSL_new/SSL_set_fd failed");
            return;
        }
        {
            unsigned char buf[sizeof(in6_addr)];
            const bool literal = inet_pton(AF_INET, opt_.host.c_str(), buf) == 1 ||
                                 inet_pton(AF_INET6, opt_.host.c_str(), buf) == 1;
            if (!literal)
                SSL_set_tlsext_host_name(c.ssl, opt_.host.c_str());
            if (!opt_.ca_file.empty()) {
                X509_VERIFY_PARAM *param = SSL_get0_param(c.ssl);
                if (literal)
                    X509_VERIFY_PARAM_set1_ip_asc(param, opt_.host.c_str());
                else
                    X509_VERIFY_PARAM_set1_host(param, opt_.host.c_str(), 0);
            }
        }
        SSL_set_connect_state(c.ssl);
        c.st = ConnState::kTlsHandshake;
        tls_handshake(c);
#endif
        return;
    }
    begin_upgrade(c);
}

#ifdef CONFAB_LOADGEN_TLS
std::string ssl_errors()
{
    std::string out;
    while (unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        out += out.empty() ? "" : "; ";
        out += buf;
    }
    return out.empty() ? "no details" : out;
}
#endif

void Worker::tls_handshake(Conn &c)
{
#ifdef CONFAB_LOADGEN_TLS
    ERR_clear_error();
    const int r = SSL_do_handshake(c.ssl);
    if (r == 1) {
        begin_upgrade(c);
        return;
    }
    const int e = SSL_get_error(c.ssl, r);
    if (e == SSL_ERROR_WANT_READ) {
        set_events(c, EPOLLIN);
    } else if (e == SSL_ERROR_WANT_WRITE) {
        set_events(c, EPOLLIN | EPOLLOUT);
    } else {
        const long verify = SSL_get_verify_result(c.ssl);
        close_conn(c, strprintf("TLS handshake failed: %s%s%s", ssl_errors().c_str(),
                                verify != X509_V_OK ? ", certificate: " : "",
                                verify != X509_V_OK ? X509_verify_cert_error_string(verify) : ""));
    }
#else
    close_conn(c, "TLS not built in");
#endif
}

// The TCP (and TLS) connection is up: start the WebSocket upgrade, or, for a slow
// connection, the header that never ends.
void Worker::begin_upgrade(Conn &c)
{
    if (c.role == Role::kSlow) {
        c.st = ConnState::kSlowSending;
        c.slow_bytes = 0;
        c.out.append(sh_.slow_head);
        slow_pump(c);
        return;
    }
    c.st = ConnState::kUpgrading;
    set_events(c, EPOLLIN);
    c.out.append(sh_.split_senders && c.sender ? sh_.sender_request : sh_.request);
    flush(c);
}

// recv() or SSL_read(): > 0 bytes read, 0 at the end of the stream, -1 with errno set
// (EAGAIN: nothing more for now).
ssize_t Worker::conn_read(Conn &c, char *buf, size_t len)
{
    if (!c.ssl)
        return recv(c.fd, buf, len, 0);
#ifdef CONFAB_LOADGEN_TLS
    // OpenSSL hands out one record (<= 16 KiB) per call: fill the buffer from several.
    size_t got = 0;
    while (got < len) {
        size_t n = 0;
        ERR_clear_error();
        if (SSL_read_ex(c.ssl, buf + got, len - got, &n) == 1) {
            got += n;
            continue;
        }
        const int e = SSL_get_error(c.ssl, 0);
        if (got > 0 &&
            (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_ZERO_RETURN))
            break; // report what we have; the rest comes with the next call
        if (e == SSL_ERROR_WANT_READ) {
            errno = EAGAIN;
            return -1;
        }
        if (e == SSL_ERROR_WANT_WRITE) {
            set_events(c, EPOLLIN | EPOLLOUT);
            errno = EAGAIN;
            return -1;
        }
        if (e == SSL_ERROR_ZERO_RETURN)
            return 0;
        if (got > 0)
            break;
        if (e == SSL_ERROR_SYSCALL && errno == 0)
            return 0; // EOF without close_notify
        if (e != SSL_ERROR_SYSCALL)
            errno = EPROTO;
        return -1;
    }
    return ssize_t(got);
#else
    (void)buf;
    (void)len;
    errno = ENOTSUP;
    return -1;
#endif
}

ssize_t Worker::conn_write(Conn &c, const char *buf, size_t len)
{
    if (!c.ssl)
        return send(c.fd, buf, len, MSG_NOSIGNAL);
#ifdef CONFAB_LOADGEN_TLS
    size_t n = 0;
    ERR_clear_error();
    if (SSL_write_ex(c.ssl, buf, len, &n) == 1) {
        c.tls_write_wants_read = false;
        return ssize_t(n);
    }
    const int e = SSL_get_error(c.ssl, 0);
    if (e == SSL_ERROR_WANT_WRITE) {
        errno = EAGAIN;
        return -1;
    }
    if (e == SSL_ERROR_WANT_READ) {
        c.tls_write_wants_read = true; // on_readable flushes again
        errno = EAGAIN;
        return -1;
    }
    if (e != SSL_ERROR_SYSCALL)
        errno = EPROTO;
    return -1;
#else
    (void)buf;
    (void)len;
    errno = ENOTSUP;
    return -1;
#endif
}

// Counted once as ready for the window (honest clients and flooders logged in, signers greeted).
void Worker::mark_ready(Conn &c)
{
    release_source(c);
    if (c.counted_pending) {
        c.counted_pending = false;
        --pending_;
    }
    if (!c.counted_ready) {
        c.counted_ready = true;
        ++ready_;
    }
}

void Worker::close_conn(Conn &c, const std::string &reason)
{
    if (c.st == ConnState::kClosed)
        return;
    const ConnState was = c.st;
    const bool was_ready = was == ConnState::kReady;
#ifdef CONFAB_LOADGEN_TLS
    if (c.ssl) {
        SSL_free(c.ssl);
        c.ssl = nullptr;
    }
#endif
    if (c.fd >= 0)
        close(c.fd);
    c.fd = -1;
    c.st = ConnState::kClosed;
    // c.in is NOT released here: frames being handled may point into it
    // (on_readable releases it once parsing has returned).
    c.out.clear();
    c.out_off = 0;
    if (c.outstanding) {
        c.outstanding = false;
        --outstanding_;
    }
    if (c.counted_pending) {
        c.counted_pending = false;
        --pending_;
    }
    release_source(c);
    const i64 t = mono_ns();
    if (c.role == Role::kSigner) {
        // Our own logout ends a connection normally; anything else is counted by reason.
        if (was == ConnState::kSignWaiting)
            ++stats.signin.unanswered;
        if (was != ConnState::kSignLeaving) {
            std::string key = c.close_info.empty() ? reason : c.close_info;
            if (!c.fatal_code.empty())
                key = "error " + c.fatal_code + ", " + key;
            ++stats.signin.close_reasons[key];
        }
        if (phase_ < kStop)
            reconnect_later(c);
        return;
    }
    if (c.role == Role::kSlow) {
        std::string key = c.close_info.empty() ? reason : c.close_info;
        ++stats.slow.close_reasons[key];
        if (was == ConnState::kConnecting) {
            ++stats.slow.refused;
        } else if (t < meas_end_) {
            ++stats.slow.closed;
            stats.slow.held.record(u64(std::max<i64>(0, t - c.connected_ns)));
        }
        if (phase_ < kStop)
            reconnect_later(c);
        return;
    }
    if (!was_ready) {
        sh_.fail(strprintf("client %s (#%u) failed before login completed: %s", c.name.c_str(),
                           c.index, reason.c_str()));
        return;
    }
    // Reason by category: the fatal error code (if any) and the close frame, or
    // else how the socket ended (EOF, reset, ...).
    std::string key = c.close_info.empty() ? reason : c.close_info;
    if (!c.fatal_code.empty())
        key = "error " + c.fatal_code + ", " + key;
    if (c.flooder) {
        auto &f = stats.flood;
        ++f.disconnects;
        ++f.close_reasons[key];
        f.first_disc = std::min(f.first_disc, t);
        f.last_disc = std::max(f.last_disc, t);
        return;
    }
    ++stats.disconnects;
    ++stats.close_reasons[key];
    pub_disconnects.store(stats.disconnects, std::memory_order_relaxed);
    if (phase_ < kStop && disconnect_logs_++ < 5)
        note("client %s disconnected: %s", c.name.c_str(), reason.c_str());
}

// Signers and slow connections are opened again (at the next loop round) while the window
// is open: a signer after each sign-in, a slow connection when the server has cut it off.
void Worker::reconnect_later(Conn &c)
{
    const bool window_open = phase_ == kRun && mono_ns() < meas_end_;
    if (c.role == Role::kSigner ? (phase_ == kConnect || window_open || phase_ == kHold ||
                                   (phase_ == kRun && mono_ns() < meas_start_))
                                : window_open)
        reconnect_.push_back(&c);
}

// Frames are queued and then flushed right away by the caller (no batching:
// a chat message must leave at the time stamped into its id).
void Worker::queue_frame(Conn &c, uint8_t opcode, std::string_view payload)
{
    ws::append_frame(c.out, opcode, payload, c.next_mask());
}

// Write as much queued output as the socket takes; the rest waits for EPOLLOUT.
void Worker::flush(Conn &c)
{
    if (c.st == ConnState::kClosed || c.st == ConnState::kConnecting ||
        c.st == ConnState::kTlsHandshake)
        return;
    while (c.out_off < c.out.size()) {
        ssize_t n = conn_write(c, c.out.data() + c.out_off, c.out.size() - c.out_off);
        if (n > 0) {
            c.out_off += size_t(n);
            if (c.role == Role::kSlow) {
                c.slow_bytes += u64(n);
                stats.slow.bytes += u64(n);
            }
            stats.all.bytes_tx += u64(n);
            if (in_window(now_))
                stats.win.bytes_tx += u64(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            set_events(c, c.tls_write_wants_read ? EPOLLIN : EPOLLIN | EPOLLOUT);
            if (c.out_off > (1u << 20)) { // compact occasionally
                c.out.erase(0, c.out_off);
                c.out_off = 0;
            }
            return;
        }
        close_conn(c, strprintf("send: %s", std::strerror(errno)));
        return;
    }
    c.out.clear();
    c.out_off = 0;
    set_events(c, EPOLLIN);
}

void Worker::on_event(Conn &c, uint32_t ev)
{
    if (c.st == ConnState::kClosed)
        return;
    if (c.st == ConnState::kConnecting) {
        if (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP))
            finish_connect(c);
        return;
    }
    if (c.st == ConnState::kTlsHandshake) {
        tls_handshake(c);
        return;
    }
    if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP))
        on_readable(c);
    if (c.st != ConnState::kClosed && (ev & EPOLLOUT)) {
        flush(c);
        if (c.st == ConnState::kSlowSending)
            slow_pump(c);
    }
}

void Worker::on_readable(Conn &c)
{
    // Level-triggered: a few reads per event, the rest on the next round, so
    // one busy connection cannot starve the others.
    for (int round = 0; round < 4 && c.st != ConnState::kClosed; ++round) {
        ssize_t r = conn_read(c, scratch_.data(), kScratch);
        if (r == 0) {
            close_conn(c, "connection closed by server");
            return;
        }
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                close_conn(c, strprintf("recv: %s", std::strerror(errno)));
            else if (c.tls_write_wants_read)
                flush(c);
            return;
        }
        now_ = mono_ns();
        stats.all.bytes_rx += u64(r);
        ++stats.all.reads;
        if (c.flooder)
            stats.flood.bytes_rx += u64(r);
        if (in_window(now_)) {
            stats.win.bytes_rx += u64(r);
            ++stats.win.reads;
        }
        if (c.st == ConnState::kSlowSending) // an answer to an unfinished upgrade: read and drop
            continue;
        if (c.in.empty() && c.st != ConnState::kUpgrading) {
            // Fast path: parse straight out of the scratch buffer, keep only a tail.
            size_t used = consume(c, scratch_.data(), size_t(r));
            if (c.st != ConnState::kClosed && used < size_t(r))
                c.in.assign(scratch_.data() + used, size_t(r) - used);
        } else {
            c.in.append(scratch_.data(), size_t(r));
            size_t used = consume(c, c.in.data(), c.in.size());
            if (c.st != ConnState::kClosed)
                c.in.erase(0, used);
        }
        if (c.st == ConnState::kClosed) {
            std::string().swap(c.in);
            return;
        }
        if (c.tls_write_wants_read)
            flush(c);
        if (size_t(r) < kScratch)
            return;
    }
#ifdef CONFAB_LOADGEN_TLS
    // Decrypted input that OpenSSL holds is invisible to epoll: come back without waiting.
    if (c.ssl && c.st != ConnState::kClosed && SSL_pending(c.ssl) > 0)
        tls_pending_.push_back(&c);
#endif
}

// Consume as many complete units (HTTP head, frames) as possible.
size_t Worker::consume(Conn &c, const char *data, size_t len)
{
    size_t off = 0;
    if (c.st == ConnState::kUpgrading) {
        std::string_view sv(data, len);
        size_t end = sv.find("\r\n\r\n");
        if (end == std::string_view::npos) {
            if (len > 16384)
                close_conn(c, "HTTP upgrade response too long");
            return 0;
        }
        std::string err;
        if (!ws::check_upgrade_response(sv.substr(0, end), &err)) {
            close_conn(c, err);
            return len;
        }
        c.st = ConnState::kAwaitHello;
        off = end + 4;
    }
    while (off < len && c.st != ConnState::kClosed) {
        ws::Frame f;
        size_t used = 0;
        std::string err;
        auto res = ws::parse_frame(data + off, len - off, f, &used, unmask_buf_, &err);
        if (res == ws::ParseResult::kNeedMore)
            break;
        if (res == ws::ParseResult::kError) {
            close_conn(c, "protocol error: " + err);
            return len;
        }
        off += used;
        handle_frame(c, f);
    }
    return off;
}

void Worker::handle_frame(Conn &c, const ws::Frame &f)
{
    ++stats.all.frames;
    if (in_window(now_))
        ++stats.win.frames;
    switch (f.opcode) {
    case ws::kText:
    case ws::kBinary:
        if (f.fin) {
            on_message(c, f.payload);
        } else {
            c.frag.assign(f.payload);
            c.frag_op = f.opcode;
        }
        break;
    case ws::kCont:
        if (!c.frag_op) {
            close_conn(c, "protocol error: continuation frame without start");
            return;
        }
        c.frag.append(f.payload);
        if (f.fin) {
            c.frag_op = 0;
            std::string msg;
            msg.swap(c.frag);
            on_message(c, msg);
        }
        break;
    case ws::kPing:
        if (in_window(now_))
            ++stats.win.pings;
        ++stats.all.pings;
        queue_frame(c, ws::kPong, f.payload);
        flush(c);
        break;
    case ws::kPong:
        break;
    case ws::kClose: {
        unsigned code = f.payload.size() >= 2
                            ? (unsigned(uint8_t(f.payload[0])) << 8) | uint8_t(f.payload[1])
                            : 0;
        std::string reason(f.payload.size() > 2 ? f.payload.substr(2) : std::string_view());
        c.close_info = strprintf("close %u%s%s", code, reason.empty() ? "" : " ", reason.c_str());
        if (!c.close_sent) {
            c.close_sent = true;
            queue_frame(c, ws::kClose, f.payload.substr(0, std::min<size_t>(2, f.payload.size())));
            flush(c);
        }
        close_conn(c, strprintf("server sent close frame (code %u%s%s)", code,
                                reason.empty() ? "" : ": ", reason.c_str()));
        break;
    }
    default:
        close_conn(c, strprintf("protocol error: unknown opcode 0x%x", f.opcode));
        break;
    }
}

// Dispatch one complete text message. Only the "type" field is looked up for
// every message; everything else is read on demand.
void Worker::on_message(Conn &c, std::string_view msg)
{
    pub_last_rx.store(now_,
                      std::memory_order_relaxed); // data only: pings do not keep "settle" busy
    const std::string_view type = json_str_last(msg, "type");
    const bool win = in_window(now_);
    if (c.role == Role::kSigner) {
        on_signer_message(c, type, msg);
        return;
    }
    if (type == "user") {
        on_delivery(c, msg);
    } else if (type == "ack") {
        on_ack(c, msg);
    } else if (type == "history" && c.flooder) {
        ++stats.flood.history;
    } else if (type == "login" || type == "logout") {
        // The confirmation of our own login (v2 adds "account", "guests", "token", ...
        // before and after "content"; the first "content" key is still the name).
        if (type == "login" && c.st == ConnState::kLoggingIn &&
            json_str(msg, "content") == c.name) {
            c.st = ConnState::kReady;
            mark_ready(c);
            return;
        }
        ++stats.all.presence;
        if (win)
            ++stats.win.presence;
    } else if (type == "handshake" && c.st == ConnState::kAwaitHello) {
        send_login(c);
    } else if (type == "error" || type == "system") { // fatal errors come in the seed form
        on_error(c, msg);
    } else if (c.flooder) {
        ++stats.flood.rx_other;
    } else {
        ++stats.all.other;
        if (win)
            ++stats.win.other;
    }
}

// A relayed chat message. It is attributed by its "id" field (which we
// generated, see format_id), NOT by "from"
// or content; every logged-in member, the sender included, receives one.
void Worker::on_delivery(Conn &c, std::string_view msg)
{
    if (c.flooder) { // flooders' receptions are not honest deliveries
        ++stats.flood.rx_other;
        return;
    }
    MsgId id;
    if (!parse_id(json_str_last(msg, "id"), sh_.tag, id)) {
        ++stats.all.foreign_user; // e.g. history of an earlier run
        if (in_window(now_))
            ++stats.win.foreign_user;
        return;
    }
    if (opt_.flooders > 0 && id.index >= uint32_t(opt_.clients)) { // sent by a flooder
        ++stats.flood.relayed;
        return;
    }
    ++stats.all.deliveries;
    if (in_window(now_)) {
        ++stats.win.deliveries;
        const u64 lat = u64(std::max<i64>(0, now_ - id.ts));
        stats.lat.record(lat);
        if (!c.sender)
            stats.lat_rx.record(lat);
        if (!stats.lat_by_sec.empty())
            stats
                .lat_by_sec[std::min(stats.lat_by_sec.size() - 1,
                                     size_t((now_ - meas_start_) / kNsPerSec))]
                .record(lat);
    }
}

void Worker::on_ack(Conn &c, std::string_view msg)
{
    if (c.flooder) { // accepted (stored and relayed) flooder message; not waited for
        ++stats.flood.acks;
        return;
    }
    ++stats.all.acks;
    const bool win = in_window(now_);
    if (win)
        ++stats.win.acks;
    MsgId id;
    if (!parse_id(json_str_last(msg, "id"), sh_.tag, id))
        return;
    if (win)
        stats.ack_lat.record(u64(std::max<i64>(0, now_ - id.ts)));
    if (c.outstanding && id.index == c.index && id.counter == c.pending_counter) {
        c.outstanding = false;
        --outstanding_;
        if (sending_allowed(now_))
            send_chat(c, 0);
    }
}

void Worker::on_error(Conn &c, std::string_view msg)
{
    std::string_view code = json_str(msg, "code");
    std::string_view text = json_str(msg, "content");
    const bool win = in_window(now_);
    if (msg.find("\"fatal\":true") != std::string_view::npos)
        c.fatal_code.assign(code.empty() ? std::string_view("(no code)") : code);
    if (c.flooder) { // ignored, only counted
        if (code == "rate_limited")
            ++stats.flood.rate_limited;
        ++stats.flood.errors_by_code[code.empty() ? std::string("(no code)") : std::string(code)];
        if (c.st != ConnState::kReady)
            sh_.fail(strprintf("login of %s failed: server error '%.*s': %.*s", c.name.c_str(),
                               int(code.size()), code.data(), int(text.size()), text.data()));
        return;
    }
    ++stats.errors_by_code[code.empty() ? std::string("(no code)") : std::string(code)];
    if (code == "rate_limited") {
        ++stats.all.rate_limited;
        if (win)
            ++stats.win.rate_limited;
        // Closed loop: the message was dropped, so no ack will come: retry shortly.
        if (c.outstanding) {
            c.outstanding = false;
            --outstanding_;
            if (sending_allowed(now_))
                timers_.push({now_ + 5 * kNsPerMs, &c});
        }
        return;
    }
    ++stats.all.errors;
    if (win)
        ++stats.win.errors;
    if (c.st != ConnState::kReady) {
        sh_.fail(strprintf("login of %s failed: server error '%.*s': %.*s", c.name.c_str(),
                           int(code.size()), code.data(), int(text.size()), text.data()));
        return;
    }
    if (error_logs_++ < 5)
        note("client %s got error '%.*s': %.*s", c.name.c_str(), int(code.size()), code.data(),
             int(text.size()), text.data());
}

void Worker::send_login(Conn &c)
{
    msg_buf_.assign(R"({"type":"login","content":")");
    msg_buf_ += c.name;
    msg_buf_ += R"(","version":)";
    msg_buf_ += std::to_string(opt_.login_version);
    msg_buf_ += '}';
    c.st = ConnState::kLoggingIn;
    queue_frame(c, ws::kText, msg_buf_);
    flush(c);
}

// Signers: greeted -> idle; an attempt -> waiting; the answer is counted, and a successful
// sign-in logs out (the server closes, and the connection is opened again).
void Worker::on_signer_message(Conn &c, std::string_view type, std::string_view msg)
{
    auto &s = stats.signin;
    if (type == "handshake" && c.st == ConnState::kAwaitHello) {
        c.st = ConnState::kSignIdle;
        mark_ready(c);
        return;
    }
    if (c.st != ConnState::kSignWaiting) {
        if (type == "error" || type == "system") { // e.g. a fatal too_many_connections
            std::string_view code = json_str(msg, "code");
            if (msg.find("\"fatal\":true") != std::string_view::npos)
                c.fatal_code.assign(code.empty() ? std::string_view("(no code)") : code);
            ++s.errors_by_code[code.empty() ? std::string("(no code)") : std::string(code)];
        }
        return; // presence, relays while leaving, ...
    }
    const u64 lat = u64(std::max<i64>(0, now_ - c.attempt_ns));
    if (type == "login" && json_str(msg, "content") == c.attempt_name) {
        ++s.ok;
        s.ok_lat.record(lat);
        c.st = ConnState::kSignLeaving;
        queue_frame(c, ws::kText, R"({"type":"logout"})");
        flush(c);
        return;
    }
    if (type == "error" || type == "system") {
        std::string_view code = json_str(msg, "code");
        ++s.errors_by_code[code.empty() ? std::string("(no code)") : std::string(code)];
        if (code == "auth_failed") {
            ++s.failed;
            s.failed_lat.record(lat);
        } else if (code == "busy") {
            ++s.busy;
            s.busy_lat.record(lat);
        } else if (code == "auth_throttled") {
            ++s.throttled;
        } else {
            ++s.other;
        }
        if (msg.find("\"fatal\":true") != std::string_view::npos)
            c.fatal_code.assign(code.empty() ? std::string_view("(no code)")
                                             : code); // a close follows
        c.st = ConnState::kSignIdle;
    }
}

// One password sign-in on an idle signer: names in turn, --signin-wrong percent of the
// passwords wrong.
void Worker::send_signin(Conn &c)
{
    const u64 k = sh_.signin_seq.fetch_add(1, std::memory_order_relaxed);
    // Which attempts are wrong is mixed (a multiplicative hash), not every n-th: names go in
    // turn, and every n-th would give all the wrong passwords to a few names.
    const bool wrong = ((k * 0x9E3779B97F4A7C15ull) >> 40) % 100 < u64(opt_.signin_wrong_pct);
    c.attempt_name = opt_.signin_prefix + std::to_string(k % u64(opt_.signin_accounts));
    msg_buf_.assign(R"({"type":"login","content":")");
    msg_buf_ += c.attempt_name;
    msg_buf_ += R"(","version":)";
    msg_buf_ += std::to_string(opt_.login_version);
    msg_buf_ += R"(,"password":")";
    msg_buf_ += wrong ? std::string("wrong-") + opt_.signin_password : opt_.signin_password;
    msg_buf_ += R"(","device":"bench"})";
    c.st = ConnState::kSignWaiting;
    c.attempt_ns = now_;
    ++stats.signin.attempts;
    if (wrong)
        ++stats.signin.wrong;
    queue_frame(c, ws::kText, msg_buf_);
    flush(c);
}

void Worker::signin_pump()
{
    if (signers_.empty() || phase_ != kRun)
        return;
    if (signin_next_ == INT64_MAX) {
        // This worker's share of the rate, its first attempt offset by its share of one interval.
        signin_interval_ = std::max<i64>(1, i64(double(kNsPerSec) * opt_.threads / opt_.signins));
        signin_next_ = meas_start_ + i64(double(signin_interval_) *
                                         (signers_.front()->index % opt_.threads) / opt_.threads);
    }
    for (int budget = 10000; budget > 0 && signin_next_ <= now_ && signin_next_ < meas_end_;
         --budget) {
        signin_next_ += signin_interval_;
        Conn *idle = nullptr;
        for (size_t i = 0; i < signers_.size() && !idle; ++i) {
            const size_t j = (signer_cursor_ + i) % signers_.size();
            if (signers_[j]->st == ConnState::kSignIdle) {
                idle = signers_[j];
                signer_cursor_ = j + 1;
            }
        }
        if (!idle) {
            ++stats.signin.skipped;
            continue;
        }
        send_signin(*idle);
    }
}

// Send one chat message now (scheduled: open-loop target time, 0 if none).
void Worker::send_chat(Conn &c, i64 scheduled)
{
    if (c.st != ConnState::kReady)
        return;
    if (c.out.size() - c.out_off > (64u << 20)) { // server not reading: don't grow forever
        ++stats.dropped;
        return;
    }
    ++c.counter;
    char id[96];
    const int idn = format_id(id, sizeof id, MsgId{now_, c.index, c.counter}, sh_.tag);
    msg_buf_.assign(R"({"type":"user","content":")");
    msg_buf_ += sh_.content;
    msg_buf_ += R"(","id":")";
    msg_buf_.append(id, size_t(idn));
    msg_buf_ += "\"}";
    queue_frame(c, ws::kText, msg_buf_);
    ++stats.all.sent;
    if (in_window(now_)) {
        ++stats.win.sent;
        if (scheduled)
            stats.send_lag.record(u64(std::max<i64>(0, now_ - scheduled)));
    }
    if (!opt_.open_loop) {
        c.outstanding = true;
        ++outstanding_;
        c.pending_counter = c.counter;
        c.pending_sent_ns = now_;
    }
    flush(c); // send right away: the timestamp in the id is "now"
}

void Worker::init_senders()
{
    senders_started_ = true;
    if (opt_.idle || opt_.senders == 0)
        return;
    if (opt_.open_loop)
        interval_ns_ = std::max<i64>(1, i64(double(kNsPerSec) * opt_.senders / opt_.rate));
    for (Conn &c : conns_) {
        if (!c.sender)
            continue;
        // Open loop: stagger the senders uniformly over one interval.
        i64 t = opt_.open_loop ? run_start_ + i64(double(interval_ns_) * c.index / opt_.senders)
                               : run_start_;
        timers_.push({t, &c});
    }
}

void Worker::fire_timers()
{
    if (now_ >= meas_end_) {
        timers_ = {};
        return;
    }
    // Bounded per round so that reading is not starved if we fall behind.
    for (int budget = 20000; budget > 0 && !timers_.empty() && timers_.top().t <= now_; --budget) {
        Timer t = timers_.top();
        timers_.pop();
        Conn &c = *t.c;
        if (c.st != ConnState::kReady)
            continue;
        if (opt_.open_loop) {
            send_chat(c, t.t);
            timers_.push({t.t + interval_ns_, &c});
        } else if (!c.outstanding) {
            send_chat(c, 0);
        }
    }
}

// Flooders: while the window is open, every flooder whose output has been fully
// taken by the kernel gets another batch of --flood-batch chat messages queued and
// written at once. A socket that returns EAGAIN keeps its rest in c.out and waits
// for EPOLLOUT (flush arms it); it gets no new batch until that rest is written,
// so a blocked flooder never stalls the loop or the honest clients. Returns true
// if some flooder took a whole batch (then the loop polls without sleeping).
// Outside the window nothing new is queued: flooders stop by themselves at the
// window's end with at most one batch left to write.
bool Worker::flood_pump()
{
    if (flooders_.empty() || !flooding(now_)) {
        flood_next_ = INT64_MAX;
        return false;
    }
    const u64 limit = opt_.flood_count ? opt_.flood_count : UINT64_MAX;
    bool more = false;
    if (opt_.flood_rate > 0) {
        if (flood_next_ != INT64_MAX && now_ < flood_next_)
            return false; // nobody due yet
        flood_next_ = INT64_MAX;
        // Paced: each flooder sends on its own schedule from the window start (staggered
        // over one interval), whether or not its socket keeps up (open loop).
        const i64 interval = std::max<i64>(1, i64(double(kNsPerSec) / opt_.flood_rate));
        for (Conn *cp : flooders_) {
            Conn &c = *cp;
            if (c.st != ConnState::kReady || c.counter >= limit)
                continue;
            if (c.next_flood_ns == 0)
                c.next_flood_ns =
                    meas_start_ + i64(double(interval) * c.role_index / std::max(1, opt_.flooders));
            bool queued = false;
            for (int k = 0; k < 1000 && c.next_flood_ns <= now_ && c.counter < limit; ++k) {
                if (c.out.size() - c.out_off > (64u << 20))
                    break; // the server does not read: do not grow for ever
                queue_flood_message(c);
                c.next_flood_ns += interval;
                queued = true;
            }
            if (queued)
                flush(c);
            if (c.st == ConnState::kReady && c.counter < limit)
                flood_next_ = std::min(flood_next_, c.next_flood_ns);
        }
        if (flood_next_ == INT64_MAX)
            flood_next_ = meas_end_; // all done: nothing until the window ends
        return false;
    }
    for (Conn *cp : flooders_) {
        Conn &c = *cp;
        if (c.st != ConnState::kReady || c.out_off < c.out.size() || c.counter >= limit)
            continue;
        for (int k = 0; k < opt_.flood_batch && c.counter < limit; ++k)
            queue_flood_message(c);
        flush(c);
        if (c.st == ConnState::kReady && c.out_off >= c.out.size() && c.counter < limit)
            more = true;
    }
    return more;
}

// One flooder message: a chat message with an id of ours (so that honest clients can tell
// its relays apart), or a history request.
void Worker::queue_flood_message(Conn &c)
{
    ++c.counter;
    char id[96];
    const int idn = format_id(id, sizeof id, MsgId{now_, c.index, c.counter}, sh_.tag);
    if (opt_.flood_history) {
        msg_buf_.assign(R"({"type":"history","with":")");
        msg_buf_ += opt_.flood_with;
        msg_buf_ += R"(","limit":)";
        msg_buf_ += std::to_string(opt_.flood_history_limit);
        if (opt_.flood_before > 0) {
            msg_buf_ += R"(,"before":)";
            msg_buf_ += std::to_string(opt_.flood_before);
        }
        msg_buf_ += R"(,"id":")";
    } else {
        msg_buf_.assign(R"({"type":"user","content":")");
        msg_buf_ += sh_.flood_content;
        msg_buf_ += R"(","id":")";
    }
    msg_buf_.append(id, size_t(idn));
    msg_buf_ += "\"}";
    queue_frame(c, ws::kText, msg_buf_);
    ++stats.flood.sent;
}

// Unfinished upgrades: --slow-bytes of header at once, then one more line a second, never
// the blank line that ends it. Only while the window is open.
void Worker::slow_pump(Conn &c)
{
    if (c.st != ConnState::kSlowSending)
        return;
    const bool open = now_ < meas_end_;
    while (open && c.st == ConnState::kSlowSending && c.out_off >= c.out.size() &&
           c.slow_bytes < u64(opt_.slow_bytes)) {
        c.out.clear();
        c.out_off = 0;
        const size_t want = std::min<size_t>(4096, size_t(u64(opt_.slow_bytes) - c.slow_bytes));
        while (c.out.size() < want)
            c.out += strprintf("X-Pad-%" PRIu64 ": %s\r\n", c.slow_bytes + c.out.size(),
                               std::string(std::min<size_t>(100, want), 'a').c_str());
        flush(c);
    }
    if (c.st != ConnState::kSlowSending)
        return;
    if (c.slow_bytes >= u64(opt_.slow_bytes) && c.out_off >= c.out.size() && open) {
        if (c.next_slow_line_ns == 0 || c.next_slow_line_ns < c.connected_ns)
            c.next_slow_line_ns = now_ + kNsPerSec;
        if (now_ >= c.next_slow_line_ns) {
            c.out += "X-Still-Here: 1\r\n";
            c.next_slow_line_ns = now_ + kNsPerSec;
            flush(c);
        }
        slow_next_ = std::min(slow_next_, c.next_slow_line_ns);
    }
}

void Worker::start_slow()
{
    slow_started_ = true;
    for (Conn *c : slow_)
        start_connect(*c);
}

void Worker::sweep_ack_timeouts()
{
    const i64 limit = secs_to_ns(opt_.ack_timeout);
    for (Conn &c : conns_) {
        if (c.outstanding && c.st == ConnState::kReady && now_ - c.pending_sent_ns > limit) {
            ++stats.all.ack_timeouts;
            if (in_window(now_))
                ++stats.win.ack_timeouts;
            c.outstanding = false;
            --outstanding_;
            if (sending_allowed(now_))
                send_chat(c, 0);
        }
    }
}

void Worker::publish()
{
    constexpr auto rl = std::memory_order_relaxed;
    pub_ready.store(ready_, rl);
    pub_sent.store(stats.all.sent, rl);
    pub_acks.store(stats.all.acks, rl);
    pub_deliveries.store(stats.all.deliveries, rl);
    pub_rate_limited.store(stats.all.rate_limited, rl);
    pub_outstanding.store(outstanding_, rl);
}

void Worker::shutdown_all()
{
    // Best effort: a close frame (1000) on every open socket, then close().
    std::string frame;
    for (Conn &c : conns_) {
        if (c.st == ConnState::kClosed || c.fd < 0)
            continue;
        if ((c.st == ConnState::kReady || c.st == ConnState::kSignIdle) && !c.close_sent &&
            c.out_off == c.out.size()) {
            frame.clear();
            const char payload[2] = {char(0x03), char(0xE8)};
            ws::append_frame(frame, ws::kClose, std::string_view(payload, 2), c.next_mask());
            ssize_t n = conn_write(c, frame.data(), frame.size()); // the socket is non-blocking
            (void)n;
        }
        if (c.st == ConnState::kSignWaiting)
            ++stats.signin.unanswered;
#ifdef CONFAB_LOADGEN_TLS
        if (c.ssl) {
            SSL_free(c.ssl);
            c.ssl = nullptr;
        }
#endif
        close(c.fd);
        c.fd = -1;
        c.st = ConnState::kClosed;
    }
    if (ep_ >= 0)
        close(ep_);
    ep_ = -1;
}

void Worker::run()
{
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    if (ep_ < 0) {
        sh_.fail(strprintf("epoll_create1: %s", std::strerror(errno)));
        return;
    }
    std::vector<epoll_event> evs(kMaxEvents);
    bool have_pwait2 = true;
    i64 last_sweep = 0;
    i64 last_wake = 0;
    const i64 coalesce_ns = i64(opt_.coalesce_us) * 1000;
    for (;;) {
        const int ph = sh_.phase.load(std::memory_order_acquire);
        if (ph == kStop || sh_.failed.load(std::memory_order_relaxed))
            break;
        if (ph >= kRun && phase_ < kRun) {
            run_start_ = sh_.run_start.load();
            meas_start_ = sh_.meas_start.load();
            meas_end_ = sh_.meas_end.load();
        }
        phase_ = ph;
        if (ph == kConnect) {
            while (next_connect_ < conns_.size() && pending_ < max_pending_ && !sh_.failed.load()) {
                Conn &c = conns_[next_connect_];
                if (source_full(c))
                    break; // its address has enough upgrades going: wait for one to finish
                ++next_connect_;
                if (c.role != Role::kSlow) // unfinished upgrades start with the window
                    start_connect(c);
            }
        }
        if (ph == kRun && !senders_started_)
            init_senders();
        if (!reconnect_.empty() && ph < kDrain) {
            std::vector<Conn *> again;
            again.swap(reconnect_);
            for (Conn *c : again) {
                if (c->st != ConnState::kClosed)
                    continue;
                if (source_full(*c))
                    reconnect_.push_back(c); // next round
                else
                    start_connect(*c);
            }
        }
        publish();

        // Optional coalescing: let input accumulate so one wakeup reads more.
        i64 now = mono_ns();
        if (coalesce_ns > 0 && now - last_wake < coalesce_ns) {
            const i64 nap = std::min(coalesce_ns - (now - last_wake),
                                     timers_.empty() || phase_ != kRun
                                         ? coalesce_ns
                                         : std::max<i64>(0, timers_.top().t - now));
            if (nap > 0) {
                timespec ts{time_t(nap / kNsPerSec), long(nap % kNsPerSec)};
                nanosleep(&ts, nullptr);
                now = mono_ns();
            }
        }
        // Sleep until the next send timer (ns precision via epoll_pwait2), at
        // most 20 ms so that phase changes are noticed quickly.
        i64 deadline = now + 20 * kNsPerMs;
        if (phase_ == kRun && !timers_.empty())
            deadline = std::min(deadline, timers_.top().t);
        if (phase_ == kRun && !flooders_.empty() && now < meas_start_)
            deadline = std::min(deadline, meas_start_); // flooding starts with the window
        if (flood_more_ && flooding(now))
            deadline = now;
        if (phase_ == kRun) {
            if (flooding(now))
                deadline = std::min(deadline, flood_next_);
            if (signin_next_ < meas_end_)
                deadline = std::min(deadline, signin_next_);
            deadline = std::min(deadline, slow_next_);
            if (!signers_.empty() && signin_next_ == INT64_MAX && now < meas_start_)
                deadline = std::min(deadline, meas_start_);
            if (!slow_.empty() && !slow_started_)
                deadline = std::min(deadline, meas_start_);
        }
        if (!tls_pending_.empty())
            deadline = now;
        const i64 wait = std::max<i64>(0, deadline - now);
        int n;
        if (have_pwait2) {
            timespec ts{time_t(wait / kNsPerSec), long(wait % kNsPerSec)};
            n = epoll_pwait2(ep_, evs.data(), int(evs.size()), &ts, nullptr);
            if (n < 0 && errno == ENOSYS) {
                have_pwait2 = false;
                continue;
            }
        } else {
            n = epoll_wait(ep_, evs.data(), int(evs.size()), int((wait + kNsPerMs - 1) / kNsPerMs));
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            sh_.fail(strprintf("epoll_wait: %s", std::strerror(errno)));
            break;
        }
        now_ = last_wake = mono_ns();
        ++stats.all.wakeups;
        if (in_window(now_))
            ++stats.win.wakeups;
        for (int i = 0; i < n; ++i)
            on_event(*static_cast<Conn *>(evs[size_t(i)].data.ptr), evs[size_t(i)].events);
        if (!tls_pending_.empty()) {
            std::vector<Conn *> pending;
            pending.swap(tls_pending_);
            for (Conn *c : pending)
                if (c->st != ConnState::kClosed)
                    on_readable(*c);
        }
        now_ = mono_ns();
        if (phase_ == kRun)
            fire_timers();
        flood_more_ = flood_pump();
        if (phase_ == kRun) {
            signin_pump();
            if (!slow_.empty() && !slow_started_ && now_ >= meas_start_)
                start_slow();
            if (now_ >= slow_next_) {
                slow_next_ = INT64_MAX;
                for (Conn *c : slow_)
                    slow_pump(*c);
            }
        }
        if (!opt_.open_loop && phase_ >= kRun && now_ - last_sweep > 100 * kNsPerMs) {
            sweep_ack_timeouts();
            last_sweep = now_;
        }
    }
    publish();
    shutdown_all();
}

// ---------------------------------------------------------------------------
// Process sampling (/proc) for the server and ourselves
// ---------------------------------------------------------------------------

struct ProcMem
{
    bool ok = false;
    double rss_mib = 0;
    double hwm_mib = 0;
};

// CPU seconds of a process (tid 0) or of one of its threads, and its name (comm).
bool read_proc_cpu(int pid, double *seconds, int tid = 0, std::string *comm = nullptr)
{
    char path[96];
    if (tid)
        std::snprintf(path, sizeof path, "/proc/%d/task/%d/stat", pid, tid);
    else
        std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = std::fopen(path, "r");
    if (!f)
        return false;
    char buf[4096];
    size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = 0;
    const char *p = std::strrchr(buf, ')');
    if (!p)
        return false;
    if (comm) {
        const char *open = std::strchr(buf, '(');
        comm->assign(open ? open + 1 : buf, open ? size_t(p - open - 1) : 0);
    }
    // After ")": field 3 (state) ... utime is field 14, stime field 15.
    unsigned long long utime = 0, stime = 0;
    if (std::sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
                    &stime) != 2)
        return false;
    *seconds = double(utime + stime) / double(sysconf(_SC_CLK_TCK));
    return true;
}

// CPU seconds of every thread of a process, by thread id (with the thread's name).
std::map<int, std::pair<std::string, double>> read_thread_cpu(int pid)
{
    std::map<int, std::pair<std::string, double>> out;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/task", pid);
    if (DIR *d = opendir(path)) {
        while (dirent *e = readdir(d)) {
            const int tid = std::atoi(e->d_name);
            double sec = 0;
            std::string comm;
            if (tid > 0 && read_proc_cpu(pid, &sec, tid, &comm))
                out[tid] = {comm, sec};
        }
        closedir(d);
    }
    return out;
}

ProcMem read_proc_mem(int pid)
{
    ProcMem m;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = std::fopen(path, "r");
    if (!f)
        return m;
    char line[256];
    bool rss = false, hwm = false;
    while (std::fgets(line, sizeof line, f)) {
        unsigned long long kb = 0;
        if (std::sscanf(line, "VmRSS: %llu kB", &kb) == 1) {
            m.rss_mib = double(kb) / 1024.0;
            rss = true;
        } else if (std::sscanf(line, "VmHWM: %llu kB", &kb) == 1) {
            m.hwm_mib = double(kb) / 1024.0;
            hwm = true;
        }
    }
    std::fclose(f);
    m.ok = rss && hwm;
    return m;
}

double self_cpu_seconds()
{
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// CPU use of a process over an interval, as % of one core.
struct CpuWindow
{
    bool ok = false;
    double start = 0, end = 0;
    double percent(double wall_s) const
    {
        return ok && wall_s > 0 ? (end - start) / wall_s * 100.0 : 0;
    }
};

// ---------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------

class JsonLine
{
public:
    void num(const char *k, double v)
    {
        key(k);
        if (std::isfinite(v))
            s_ += strprintf("%.6g", v);
        else
            s_ += "null";
    }
    void num(const char *k, u64 v)
    {
        key(k);
        s_ += std::to_string(v);
    }
    void boolean(const char *k, bool v)
    {
        key(k);
        s_ += v ? "true" : "false";
    }
    void str(const char *k, std::string_view v)
    {
        key(k);
        s_ += '"';
        json_escape(s_, v);
        s_ += '"';
    }
    void raw(const char *k, const std::string &v)
    {
        key(k);
        s_ += v;
    }
    std::string done() const { return s_ + "}"; }

private:
    void key(const char *k)
    {
        s_ += s_.empty() ? "{" : ",";
        s_ += '"';
        s_ += k;
        s_ += "\":";
    }
    std::string s_;
};

struct Report
{
    const Options *opt = nullptr;
    Stats st;
    double login_s = 0, settle_s = 0, window_s = 0, drain_s = 0;
    bool settle_quiet = true;
    u64 expected_deliveries = 0;
    ProcMem mem_before, mem_login, mem_end;
    i64 meas_start_ns = 0;
    double rss_min_mib = 0, rss_max_mib = 0; // server RSS sampled every 0.5 s in the window
    int rss_samples = 0;
    CpuWindow server_cpu, self_cpu;
    std::vector<CpuWindow> other_cpu; // --other-pids, in their order
    CpuWindow login_server_cpu, login_self_cpu; // during connect + login (TLS handshakes, ...)
    // The server's threads in the window: the main (relay) thread is the one whose id is the
    // process id; the others are the password hashers, the WAL checkpointer and Qt's.
    std::map<int, std::pair<std::string, double>> threads_start, threads_end;
    // % of one core in the window per thread id, with its name.
    std::vector<std::pair<int, std::pair<std::string, double>>> thread_cpu() const
    {
        std::vector<std::pair<int, std::pair<std::string, double>>> out;
        for (const auto &[tid, end] : threads_end) {
            const auto it = threads_start.find(tid);
            const double start = it == threads_start.end() ? 0.0 : it->second.second;
            out.push_back(
                {tid, {end.first, window_s > 0 ? (end.second - start) / window_s * 100 : 0}});
        }
        return out;
    }
    bool server = false;
};

std::string fmt_ms(u64 ns)
{
    return strprintf("%.3f", ns_to_ms(double(ns)));
}

void print_latency(const char *label, const Histogram &h)
{
    if (!h.count()) {
        std::printf("  %-18s (no samples)\n", label);
        return;
    }
    std::printf("  %-18s n=%" PRIu64
                "  p50 %s ms  p90 %s ms  p99 %s ms  p99.9 %s ms  max %s ms  mean %.3f ms\n",
                label, h.count(), fmt_ms(h.quantile(0.5)).c_str(), fmt_ms(h.quantile(0.9)).c_str(),
                fmt_ms(h.quantile(0.99)).c_str(), fmt_ms(h.quantile(0.999)).c_str(),
                fmt_ms(h.max()).c_str(), ns_to_ms(h.mean()));
}

void json_latency(JsonLine &j, const char *prefix, const Histogram &h)
{
    auto k = [&](const char *s) {
        return std::string(prefix) + s;
    };
    std::string a = k("_count"), b = k("_p50_ms"), c = k("_p90_ms"), d = k("_p99_ms"),
                e = k("_p999_ms"), f = k("_max_ms"), g = k("_mean_ms");
    j.num(a.c_str(), h.count());
    j.num(b.c_str(), ns_to_ms(double(h.quantile(0.5))));
    j.num(c.c_str(), ns_to_ms(double(h.quantile(0.9))));
    j.num(d.c_str(), ns_to_ms(double(h.quantile(0.99))));
    j.num(e.c_str(), ns_to_ms(double(h.quantile(0.999))));
    j.num(f.c_str(), ns_to_ms(double(h.max())));
    j.num(g.c_str(), ns_to_ms(h.mean()));
}

void print_report(const Report &r)
{
    const Options &o = *r.opt;
    const Counters &w = r.st.win;
    const double win = r.window_s;
    const double C = o.prepared(); // connections, flooders and signers included
    std::printf(
        "confab-loadgen  url=%s  clients=%d  senders=%d  size=%d B  mode=%s  threads=%d%s\n",
        o.url.c_str(), o.clients, o.idle ? 0 : o.senders, o.size,
        o.idle ? "idle" : (o.open_loop ? "open" : "closed"), o.threads,
        o.flooders ? strprintf("  flooders=%d", o.flooders).c_str() : "");
    if (o.open_loop && !o.idle)
        std::printf("  %-18s %.1f msg/s total (%.3f msg/s per sender)\n", "target rate", o.rate,
                    o.rate / std::max(1, o.senders));
    std::printf("  %-18s %d clients in %.3f s (%.0f logins/s); settle %.3f s%s\n", "connect+login",
                o.prepared(), r.login_s, r.login_s > 0 ? C / r.login_s : 0.0, r.settle_s,
                r.settle_quiet ? "" : " (not quiet, cut off by --settle)");
    std::printf(
        "  %-18s server %.1f%%, loadgen %.1f%% of one core while connecting and logging in%s\n", "",
        r.login_server_cpu.percent(r.login_s), r.login_self_cpu.percent(r.login_s),
        o.tls ? " (TLS)" : "");
    if (o.idle) {
        std::printf("  %-18s %.3f s idle; %" PRIu64 " frames received, %" PRIu64
                    " pings answered\n",
                    "hold", win, w.frames, w.pings);
    } else {
        std::printf("  %-18s %.3f s (after %.3f s warmup)\n", "window", win, o.warmup);
        std::printf("  %-18s %" PRIu64 " msgs  %.1f msg/s\n", "sent", w.sent, double(w.sent) / win);
        std::printf("  %-18s %" PRIu64 "  %.1f /s\n", "acks", w.acks, double(w.acks) / win);
        std::printf("  %-18s %" PRIu64
                    "  %.1f deliveries/s  (%.2f per sent message; %d recipients)\n",
                    "deliveries", w.deliveries, double(w.deliveries) / win,
                    w.sent ? double(w.deliveries) / double(w.sent) : 0.0, o.clients);
        std::printf("  %-18s every delivery in the window, from the send time embedded in the id\n",
                    "latency");
        print_latency("  send->relay", r.st.lat);
        if (o.senders < o.clients)
            print_latency("  send->receiver", r.st.lat_rx);
        print_latency("  send->ack", r.st.ack_lat);
        if (o.open_loop)
            print_latency("  send lag", r.st.send_lag);
        std::printf("  %-18s %" PRIu64 " in window, %" PRIu64 " total\n", "rate_limited",
                    w.rate_limited, r.st.all.rate_limited);
        if (!o.open_loop)
            std::printf("  %-18s %" PRIu64 " total\n", "ack timeouts", r.st.all.ack_timeouts);
        if (r.st.dropped)
            std::printf("  %-18s %" PRIu64 " (output buffer full)\n", "dropped sends",
                        r.st.dropped);
        std::printf("  %-18s %" PRIu64 " of %" PRIu64
                    " expected deliveries received after %.3f s drain%s\n",
                    "completeness", r.st.all.deliveries, r.expected_deliveries, r.drain_s,
                    r.st.all.deliveries >= r.expected_deliveries ? "" : "  (INCOMPLETE)");
    }
    std::string errs;
    for (auto &[k, v] : r.st.errors_by_code)
        errs += strprintf("%s%s=%" PRIu64, errs.empty() ? "" : ", ", k.c_str(), v);
    std::printf("  %-18s %s\n", "errors (all)", errs.empty() ? "none" : errs.c_str());
    std::printf("  %-18s presence %" PRIu64 ", foreign user %" PRIu64 ", other %" PRIu64
                ", pings answered %" PRIu64 " (whole run)\n",
                "other messages", r.st.all.presence, r.st.all.foreign_user, r.st.all.other,
                r.st.all.pings);
    std::string reasons;
    for (auto &[k, v] : r.st.close_reasons)
        reasons += strprintf("%s%s: %" PRIu64, reasons.empty() ? " (" : "; ", k.c_str(), v);
    std::printf("  %-18s %" PRIu64 "%s%s\n", "disconnects", r.st.disconnects, reasons.c_str(),
                reasons.empty() ? "" : ")");
    if (o.flooders) {
        const auto &f = r.st.flood;
        std::printf("  %-18s %d connections sending as fast as their sockets accept, during the "
                    "window only\n",
                    "flooders", o.flooders);
        std::printf("  %-18s %" PRIu64 " msgs written  %.1f msg/s\n", "  sent", f.sent,
                    double(f.sent) / win);
        std::printf("  %-18s %" PRIu64
                    " relays of flooder messages received by the %d honest clients"
                    " (= %.0f messages relayed to all); %" PRIu64 " acks read by flooders\n",
                    "  got through", f.relayed, o.clients,
                    double(f.relayed) / std::max(1, o.clients), f.acks);
        std::printf("  %-18s %" PRIu64 "\n", "  rate_limited", f.rate_limited);
        std::string ferrs;
        for (auto &[k, v] : f.errors_by_code)
            ferrs += strprintf("%s%s=%" PRIu64, ferrs.empty() ? "" : ", ", k.c_str(), v);
        std::printf("  %-18s %s\n", "  errors", ferrs.empty() ? "none" : ferrs.c_str());
        std::string fr;
        for (auto &[k, v] : f.close_reasons)
            fr += strprintf("%s%s: %" PRIu64, fr.empty() ? "" : "; ", k.c_str(), v);
        std::printf("  %-18s %" PRIu64 " of %d%s%s%s\n", "  disconnected", f.disconnects,
                    o.flooders, fr.empty() ? "" : " (", fr.c_str(), fr.empty() ? "" : ")");
        if (f.disconnects)
            std::printf("  %-18s first %.1f ms, last %.1f ms after the window start\n", "",
                        double(f.first_disc - r.meas_start_ns) / 1e6,
                        double(f.last_disc - r.meas_start_ns) / 1e6);
        std::printf("  %-18s %" PRIu64 " other messages received by flooders\n", "", f.rx_other);
        std::printf("  %-18s %" PRIu64
                    " history pages received by flooders; %.2f MiB received in all\n",
                    "", f.history, double(f.bytes_rx) / 1048576.0);
    }
    if (o.signins > 0) {
        const auto &g = r.st.signin;
        std::printf("  %-18s %.1f/s offered on %d connections, %d%% with a wrong password\n",
                    "sign-ins", o.signins, o.signers(), o.signin_wrong_pct);
        std::printf("  %-18s %" PRIu64 " sent (%" PRIu64 " wrong), %" PRIu64
                    " skipped (no idle connection)\n",
                    "  attempts", g.attempts, g.wrong, g.skipped);
        std::printf("  %-18s ok %" PRIu64 " (%.2f/s), auth_failed %" PRIu64
                    " (%.2f/s), busy %" PRIu64 " (%.2f/s), auth_throttled %" PRIu64
                    ", other %" PRIu64 ", unanswered %" PRIu64 "\n",
                    "  answers", g.ok, double(g.ok) / win, g.failed, double(g.failed) / win, g.busy,
                    double(g.busy) / win, g.throttled, g.other, g.unanswered);
        print_latency("  ok: send->login", g.ok_lat);
        print_latency("  auth_failed", g.failed_lat);
        print_latency("  busy", g.busy_lat);
        std::string codes, lost;
        for (auto &[k, v] : g.errors_by_code)
            codes += strprintf("%s%s=%" PRIu64, codes.empty() ? "" : ", ", k.c_str(), v);
        for (auto &[k, v] : g.close_reasons)
            lost += strprintf("%s%s: %" PRIu64, lost.empty() ? "" : "; ", k.c_str(), v);
        std::printf("  %-18s %s; %" PRIu64 " connections opened; lost otherwise: %s\n", "  errors",
                    codes.empty() ? "none" : codes.c_str(), g.connects,
                    lost.empty() ? "none" : lost.c_str());
    }
    if (o.slow_upgrades > 0) {
        const auto &u = r.st.slow;
        std::string why;
        for (auto &[k, v] : u.close_reasons)
            why += strprintf("%s%s: %" PRIu64, why.empty() ? "" : "; ", k.c_str(), v);
        std::printf("  %-18s %d at a time: %" PRIu64 " connections opened, %" PRIu64
                    " refused, %" PRIu64
                    " closed by the server in the window, %.2f MiB of header written\n",
                    "slow upgrades", o.slow_upgrades, u.connects, u.refused, u.closed,
                    double(u.bytes) / 1048576.0);
        print_latency("  held until closed", u.held);
        std::printf("  %-18s %s\n", "  closes", why.empty() ? "none" : why.c_str());
    }
    if (!o.idle) {
        std::string bysec;
        for (size_t i = 0; i < r.st.lat_by_sec.size(); ++i)
            bysec += strprintf("%s%s", i ? " " : "",
                               r.st.lat_by_sec[i].count()
                                   ? fmt_ms(r.st.lat_by_sec[i].quantile(0.99)).c_str()
                                   : "-");
        std::printf("  %-18s %s\n", "honest p99/s (ms)", bysec.c_str());
    }
    std::printf("  %-18s rx %.2f MiB/s, tx %.2f MiB/s; %.0f frames/s received\n", "traffic",
                double(w.bytes_rx) / win / 1048576.0, double(w.bytes_tx) / win / 1048576.0,
                double(w.frames) / win);
    std::printf("  %-18s %.0f epoll wakeups/s, %.0f reads/s, %.1f frames per read\n", "event loop",
                double(w.wakeups) / win, double(w.reads) / win,
                w.reads ? double(w.frames) / double(w.reads) : 0.0);
    for (size_t i = 0; i < o.other_pids.size(); ++i) {
        if (r.other_cpu[i].ok)
            std::printf("  %-18s pid %d: cpu %.1f%% of one core during the %s\n", "other process",
                        o.other_pids[i], r.other_cpu[i].percent(win), o.idle ? "hold" : "window");
        else
            std::printf("  %-18s pid %d: gone or unreadable\n", "other process", o.other_pids[i]);
    }
    if (r.server) {
        std::printf("  %-18s pid %d: cpu %.1f%% of one core during the %s\n", "server",
                    o.server_pid, r.server_cpu.percent(win), o.idle ? "hold" : "window");
        std::string threads;
        for (const auto &[tid, t] : r.thread_cpu())
            if (t.second >= 0.5 || tid == o.server_pid)
                threads +=
                    strprintf("%s%s%s %d: %.1f%%", threads.empty() ? "" : ", ", t.first.c_str(),
                              tid == o.server_pid ? " (main)" : "", tid, t.second);
        std::printf("  %-18s threads: %s\n", "", threads.c_str());
        std::printf("  %-18s rss before %.1f MiB, after login %.1f MiB, end %.1f MiB (hwm %.1f MiB "
                    "after login, "
                    "%.1f MiB at end)\n",
                    "", r.mem_before.rss_mib, r.mem_login.rss_mib, r.mem_end.rss_mib,
                    r.mem_login.hwm_mib, r.mem_end.hwm_mib);
        std::printf("  %-18s per connection: %.1f KiB after login, %.1f KiB at end\n", "",
                    (r.mem_login.rss_mib - r.mem_before.rss_mib) * 1024.0 / C,
                    (r.mem_end.rss_mib - r.mem_before.rss_mib) * 1024.0 / C);
        if (r.rss_samples)
            std::printf(
                "  %-18s rss in the %s: min %.1f MiB, max %.1f MiB (%d samples, every 0.5 s)\n", "",
                o.idle ? "hold" : "window", r.rss_min_mib, r.rss_max_mib, r.rss_samples);
    }
    std::printf("  %-18s cpu %.1f%% of one core (all threads)\n", "loadgen",
                r.self_cpu.percent(win));
    std::fflush(stdout);
}

void print_json(const Report &r)
{
    const Options &o = *r.opt;
    const Counters &w = r.st.win;
    const double win = r.window_s;
    JsonLine j;
    j.str("tool", "confab-loadgen");
    j.str("url", o.url);
    j.str("mode", o.idle ? "idle" : (o.open_loop ? "open" : "closed"));
    j.num("clients", u64(o.clients));
    j.num("flooders", u64(o.flooders));
    j.num("senders", u64(o.idle ? 0 : o.senders));
    j.num("size", u64(o.size));
    j.num("threads", u64(o.threads));
    j.num("target_rate", o.open_loop ? o.rate : 0.0);
    j.num("warmup_s", o.warmup);
    j.num("window_s", win);
    j.num("login_s", r.login_s);
    j.num("logins_per_s", r.login_s > 0 ? o.prepared() / r.login_s : 0.0);
    j.num("settle_s", r.settle_s);
    j.num("login_server_cpu_pct", r.login_server_cpu.percent(r.login_s));
    j.num("login_loadgen_cpu_pct", r.login_self_cpu.percent(r.login_s));
    j.boolean("settle_quiet", r.settle_quiet);
    j.num("sent", w.sent);
    j.num("sent_per_s", double(w.sent) / win);
    j.num("acks", w.acks);
    j.num("acks_per_s", double(w.acks) / win);
    j.num("deliveries", w.deliveries);
    j.num("deliveries_per_s", double(w.deliveries) / win);
    j.num("frames_rx", w.frames);
    j.num("bytes_rx", w.bytes_rx);
    j.num("bytes_tx", w.bytes_tx);
    j.num("reads", w.reads);
    j.num("wakeups", w.wakeups);
    json_latency(j, "latency", r.st.lat);
    json_latency(j, "latency_receivers", r.st.lat_rx);
    json_latency(j, "ack_latency", r.st.ack_lat);
    json_latency(j, "send_lag", r.st.send_lag);
    j.str("latency_sampling", "all");
    j.num("rate_limited", w.rate_limited);
    j.num("rate_limited_total", r.st.all.rate_limited);
    j.num("errors", w.errors);
    std::string errs = "{";
    for (auto &[k, v] : r.st.errors_by_code) {
        if (errs.size() > 1)
            errs += ',';
        errs += '"';
        json_escape(errs, k);
        errs += "\":" + std::to_string(v);
    }
    errs += '}';
    j.raw("errors_by_code", errs);
    j.num("ack_timeouts", r.st.all.ack_timeouts);
    j.num("dropped_sends", r.st.dropped);
    j.num("presence", r.st.all.presence);
    j.num("foreign_user", r.st.all.foreign_user);
    j.num("other", r.st.all.other);
    j.num("pings", r.st.all.pings);
    j.num("disconnects", r.st.disconnects);
    auto json_map = [](const std::map<std::string, u64> &m) {
        std::string out = "{";
        for (auto &[k, v] : m) {
            if (out.size() > 1)
                out += ',';
            out += '"';
            json_escape(out, k);
            out += "\":" + std::to_string(v);
        }
        return out + '}';
    };
    j.raw("disconnect_reasons", json_map(r.st.close_reasons));
    if (o.flooders) {
        const auto &f = r.st.flood;
        j.num("flood_sent", f.sent);
        j.num("flood_sent_per_s", double(f.sent) / win);
        j.num("flood_accepted", f.acks);
        j.num("flood_relayed_to_honest", f.relayed);
        j.num("flood_relayed_msgs", double(f.relayed) / std::max(1, o.clients));
        j.num("flood_rate_limited", f.rate_limited);
        j.num("flood_history_pages", f.history);
        j.num("flood_bytes_rx", f.bytes_rx);
        j.num("flood_disconnects", f.disconnects);
        j.num("flood_first_disconnect_ms",
              f.disconnects ? double(f.first_disc - r.meas_start_ns) / 1e6 : 0.0);
        j.num("flood_last_disconnect_ms",
              f.disconnects ? double(f.last_disc - r.meas_start_ns) / 1e6 : 0.0);
        j.raw("flood_errors_by_code", json_map(f.errors_by_code));
        j.raw("flood_disconnect_reasons", json_map(f.close_reasons));
        j.num("flood_rx_other", f.rx_other);
    }
    if (!o.idle) {
        std::string bysec = "[";
        for (size_t i = 0; i < r.st.lat_by_sec.size(); ++i)
            bysec += strprintf("%s%.6g", i ? "," : "",
                               ns_to_ms(double(r.st.lat_by_sec[i].quantile(0.99))));
        j.raw("latency_p99_by_sec_ms", bysec + "]");
    }
    if (o.signins > 0) {
        const auto &g = r.st.signin;
        j.num("signin_rate", o.signins);
        j.num("signin_conns", u64(o.signers()));
        j.num("signin_wrong_pct", u64(o.signin_wrong_pct));
        j.num("signin_attempts", g.attempts);
        j.num("signin_wrong", g.wrong);
        j.num("signin_ok", g.ok);
        j.num("signin_ok_per_s", double(g.ok) / win);
        j.num("signin_failed", g.failed);
        j.num("signin_failed_per_s", double(g.failed) / win);
        j.num("signin_hashed_per_s", double(g.ok + g.failed) / win);
        j.num("signin_busy", g.busy);
        j.num("signin_busy_per_s", double(g.busy) / win);
        j.num("signin_throttled", g.throttled);
        j.num("signin_other", g.other);
        j.num("signin_skipped", g.skipped);
        j.num("signin_unanswered", g.unanswered);
        j.num("signin_connects", g.connects);
        json_latency(j, "signin_ok_latency", g.ok_lat);
        json_latency(j, "signin_failed_latency", g.failed_lat);
        json_latency(j, "signin_busy_latency", g.busy_lat);
        j.raw("signin_errors_by_code", json_map(g.errors_by_code));
        j.raw("signin_lost", json_map(g.close_reasons));
    }
    if (o.slow_upgrades > 0) {
        const auto &u = r.st.slow;
        j.num("slow_upgrades", u64(o.slow_upgrades));
        j.num("slow_connects", u.connects);
        j.num("slow_refused", u.refused);
        j.num("slow_closed", u.closed);
        j.num("slow_bytes", u.bytes);
        json_latency(j, "slow_held", u.held);
        j.raw("slow_close_reasons", json_map(u.close_reasons));
    }
    j.boolean("tls", o.tls);
    j.num("login_version", u64(o.login_version));
    j.num("sent_total", r.st.all.sent);
    j.num("deliveries_total", r.st.all.deliveries);
    j.num("deliveries_expected", r.expected_deliveries);
    j.num("drain_s", r.drain_s);
    j.num("loadgen_cpu_pct", r.self_cpu.percent(win));
    if (!o.other_pids.empty()) {
        // -1: the process was gone (or unreadable) at the start or the end of the window.
        std::string pids = "[", pcts = "[";
        for (size_t i = 0; i < o.other_pids.size(); ++i) {
            pids += strprintf("%s%d", i ? "," : "", o.other_pids[i]);
            pcts += strprintf("%s%.4g", i ? "," : "",
                              r.other_cpu[i].ok ? r.other_cpu[i].percent(win) : -1.0);
        }
        j.raw("other_pids", pids + "]");
        j.raw("other_cpu_pct", pcts + "]");
    }
    if (r.server) {
        j.num("server_pid", u64(o.server_pid));
        j.num("server_cpu_pct", r.server_cpu.percent(win));
        // Per thread (% of one core in the window): the relay (main) thread, and the others.
        double main_pct = 0, others_pct = 0;
        std::string list = "[";
        for (const auto &[tid, t] : r.thread_cpu()) {
            (tid == o.server_pid ? main_pct : others_pct) += t.second;
            if (t.second >= 0.5 || tid == o.server_pid) {
                list += strprintf("%s{\"tid\":%d,\"name\":\"", list.size() > 1 ? "," : "", tid);
                json_escape(list, t.first);
                list += strprintf("\",\"cpu_pct\":%.3g}", t.second);
            }
        }
        j.num("server_main_thread_cpu_pct", main_pct);
        j.num("server_other_threads_cpu_pct", others_pct);
        j.raw("server_threads", list + "]");
        j.num("server_rss_before_mib", r.mem_before.rss_mib);
        j.num("server_rss_login_mib", r.mem_login.rss_mib);
        j.num("server_rss_end_mib", r.mem_end.rss_mib);
        j.num("server_hwm_end_mib", r.mem_end.hwm_mib);
        j.num("server_hwm_login_mib", r.mem_login.hwm_mib);
        j.num("server_rss_per_conn_login_kib",
              (r.mem_login.rss_mib - r.mem_before.rss_mib) * 1024.0 / o.prepared());
        j.num("server_rss_per_conn_end_kib",
              (r.mem_end.rss_mib - r.mem_before.rss_mib) * 1024.0 / o.prepared());
        j.num("server_rss_min_mib", r.rss_min_mib);
        j.num("server_rss_max_mib", r.rss_max_mib);
        j.num("server_rss_samples", u64(r.rss_samples));
    }
    std::printf("%s\n", j.done().c_str());
    std::fflush(stdout);
}

// ---------------------------------------------------------------------------
// Controller
// ---------------------------------------------------------------------------

void raise_nofile(int clients)
{
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    const rlim_t need = rlim_t(clients) + 64;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur < need)
        die("%d clients need about %llu file descriptors but the limit is %llu (raise the hard "
            "limit, "
            "e.g. ulimit -Hn)",
            clients, (unsigned long long)need, (unsigned long long)rl.rlim_cur);
}

void resolve(const std::string &host, const std::string &port, sockaddr_storage *addr,
             socklen_t *addrlen)
{
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *res = nullptr;
    int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
    if (rc != 0 || !res)
        die("cannot resolve %s:%s: %s", host.c_str(), port.c_str(), gai_strerror(rc));
    std::memcpy(addr, res->ai_addr, res->ai_addrlen);
    *addrlen = res->ai_addrlen;
    freeaddrinfo(res);
}

void resolve(Shared &sh)
{
    resolve(sh.opt.host, sh.opt.port, &sh.addr, &sh.addrlen);
    if (!sh.opt.sender_url.empty()) {
        Options so = sh.opt;
        so.host = so.sender_host;
        so.port = so.sender_port;
        so.path = so.sender_path;
        resolve(so.host, so.port, &sh.sender_addr, &sh.sender_addrlen);
        if (sh.sender_addr.ss_family != sh.addr.ss_family)
            die("--sender-url and --url must be of the same address family");
        sh.sender_request = ws::upgrade_request(so);
        sh.split_senders = true;
    }
}

void on_watchdog(int)
{
    static const char msg[] = "confab-loadgen: error: hard timeout reached, aborting\n";
    ssize_t n = write(2, msg, sizeof msg - 1);
    (void)n;
    _exit(2);
}

// Sleep until `deadline` (monotonic ns) in short steps; false if a worker failed.
bool sleep_until(const Shared &sh, i64 deadline)
{
    for (;;) {
        if (sh.failed.load())
            return false;
        i64 now = mono_ns();
        if (now >= deadline)
            return true;
        i64 step = std::min<i64>(deadline - now, 10 * kNsPerMs);
        timespec ts{time_t(step / kNsPerSec), long(step % kNsPerSec)};
        nanosleep(&ts, nullptr);
    }
}

template <class F> u64 sum_of(const std::vector<std::unique_ptr<Worker>> &ws, F f)
{
    u64 s = 0;
    for (auto &w : ws)
        s += f(*w);
    return s;
}

} // namespace

int main(int argc, char **argv)
{
    Shared sh;
    sh.opt = parse_args(argc, argv);
    const Options &o = sh.opt;
    signal(SIGPIPE, SIG_IGN);
    raise_nofile(o.total());
    resolve(sh);
    sh.request = ws::upgrade_request(o);
    sh.tag =
        strprintf("%06x", unsigned((u64(getpid()) * 2654435761u) ^ u64(mono_ns())) & 0xFFFFFFu);
    static constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    sh.content.resize(size_t(o.size));
    for (size_t i = 0; i < sh.content.size(); ++i)
        sh.content[i] = kAlphabet[i % kAlphabet.size()];
    if (o.flood_wide) {
        // U+1F600 and up: 4 bytes of UTF-8, one character (two UTF-16 units) each.
        for (int i = 0; i + 4 <= o.flood_size; i += 4)
            sh.flood_content +=
                std::string{char(0xF0), char(0x9F), char(0x98), char(0x80 + (i / 4) % 64)};
        while (int(sh.flood_content.size()) < o.flood_size)
            sh.flood_content += 'x';
    } else {
        sh.flood_content.resize(size_t(o.flood_size));
        for (size_t i = 0; i < sh.flood_content.size(); ++i)
            sh.flood_content[i] = kAlphabet[i % kAlphabet.size()];
    }
    sh.slow_head = "GET " + o.path + " HTTP/1.1\r\nHost: " + o.host + ":" + o.port +
                   "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                   "Sec-WebSocket-Key: " +
                   std::string(ws::kKey) + "\r\n";
    sh.bind = parse_range("--bind-from", o.bind_from);
    sh.flood_bind = parse_range("--flood-bind-from", o.flood_bind_from);
    sh.signin_bind = parse_range("--signin-bind-from", o.signin_bind_from);
    sh.slow_bind = parse_range("--slow-bind-from", o.slow_bind_from);
#ifdef CONFAB_LOADGEN_TLS
    if (o.tls) {
        sh.ssl_ctx = SSL_CTX_new(TLS_client_method());
        if (!sh.ssl_ctx)
            die("SSL_CTX_new failed");
        SSL_CTX_set_min_proto_version(sh.ssl_ctx, TLS1_2_VERSION);
        // Every connection is a client of its own: a full handshake each, no resumption.
        SSL_CTX_set_session_cache_mode(sh.ssl_ctx, SSL_SESS_CACHE_OFF);
        SSL_CTX_set_options(sh.ssl_ctx, SSL_OP_NO_TICKET);
        // Partial writes from a buffer that may move (we append to it); idle connections
        // give their buffers back (10,000 of them would hold ~700 MB otherwise).
        SSL_CTX_set_mode(sh.ssl_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
                                         SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                                         SSL_MODE_RELEASE_BUFFERS);
        if (o.ca_file.empty()) {
            SSL_CTX_set_verify(sh.ssl_ctx, SSL_VERIFY_NONE, nullptr);
        } else {
            if (SSL_CTX_load_verify_locations(sh.ssl_ctx, o.ca_file.c_str(), nullptr) != 1)
                die("--ca %s: cannot load it: %s", o.ca_file.c_str(), ssl_errors().c_str());
            SSL_CTX_set_verify(sh.ssl_ctx, SSL_VERIFY_PEER, nullptr);
        }
    }
#endif

    // Safety net: every phase below is bounded; this catches anything else.
    const double budget =
        o.connect_timeout + o.settle + o.quiet + o.warmup + o.duration + o.drain + 30;
    signal(SIGALRM, on_watchdog);
    alarm(unsigned(std::ceil(budget)));

    Report rep;
    rep.opt = &o;
    rep.server = o.server_pid > 0;
    if (rep.server) {
        rep.mem_before = read_proc_mem(o.server_pid);
        double cpu = 0;
        if (!rep.mem_before.ok || !read_proc_cpu(o.server_pid, &cpu))
            die("--server-pid %d: cannot read /proc/%d/stat or /proc/%d/status", o.server_pid,
                o.server_pid, o.server_pid);
    }

    std::vector<std::unique_ptr<Worker>> workers;
    for (int t = 0; t < o.threads; ++t) {
        std::vector<uint32_t> idx;
        for (int i = t; i < o.total(); i += o.threads)
            idx.push_back(uint32_t(i));
        workers.push_back(std::make_unique<Worker>(sh, std::move(idx)));
    }
    std::vector<std::thread> threads;
    auto stop = [&](int code) {
        sh.phase.store(kStop, std::memory_order_release);
        for (auto &th : threads)
            th.join();
        threads.clear();
        if (code) {
            std::lock_guard lock(sh.fail_mu);
            std::fprintf(stderr, "confab-loadgen: error: %s\n", sh.fail_msg.c_str());
        }
        return code;
    };

    // Phase 1: connect and log in everyone.
    const i64 t_connect = mono_ns();
    rep.login_server_cpu.ok =
        rep.server && read_proc_cpu(o.server_pid, &rep.login_server_cpu.start);
    rep.login_self_cpu.ok = true;
    rep.login_self_cpu.start = self_cpu_seconds();
    for (auto &w : workers)
        threads.emplace_back([&w] { w->run(); });
    {
        const i64 limit = t_connect + secs_to_ns(o.connect_timeout);
        i64 next_progress = t_connect + 2 * kNsPerSec;
        for (;;) {
            if (!sleep_until(sh, mono_ns() + 5 * kNsPerMs))
                return stop(1);
            u64 ready = sum_of(workers, [](Worker &w) { return w.pub_ready.load(); });
            if (ready >= u64(o.prepared()))
                break;
            i64 now = mono_ns();
            u64 tcp = sum_of(workers, [](Worker &w) { return w.pub_connected.load(); });
            if (now >= limit) {
                sh.fail(strprintf("timeout: only %" PRIu64
                                  " of %d clients logged in after %.1f s (%" PRIu64
                                  " TCP connections established)",
                                  ready, o.prepared(), o.connect_timeout, tcp));
                return stop(1);
            }
            if (o.progress && now >= next_progress) {
                note("connecting: %" PRIu64 "/%d logged in, %" PRIu64 " connected", ready,
                     o.prepared(), tcp);
                next_progress += 2 * kNsPerSec;
            }
        }
    }
    const i64 t_login = mono_ns();
    rep.login_s = double(t_login - t_connect) / 1e9;
    rep.login_server_cpu.ok =
        rep.login_server_cpu.ok && read_proc_cpu(o.server_pid, &rep.login_server_cpu.end);
    rep.login_self_cpu.end = self_cpu_seconds();

    // Phase 2: settle until no data message has arrived for --quiet seconds (the
    // presence broadcasts of C logins are C^2 messages), at most --settle s.
    sh.phase.store(kHold, std::memory_order_release);
    {
        const i64 limit = t_login + secs_to_ns(o.settle);
        for (;;) {
            if (!sleep_until(sh, mono_ns() + 10 * kNsPerMs))
                return stop(1);
            i64 last = t_login;
            for (auto &w : workers)
                last = std::max(last, w->pub_last_rx.load());
            i64 now = mono_ns();
            if (now - last >= secs_to_ns(o.quiet))
                break;
            if (now >= limit) {
                rep.settle_quiet = false;
                note("settle: still receiving after %.1f s, continuing anyway", o.settle);
                break;
            }
        }
    }
    rep.settle_s = double(mono_ns() - t_login) / 1e9;
    if (rep.server)
        rep.mem_login = read_proc_mem(o.server_pid);

    // Phase 3: warmup + measured window (idle: the hold period is the window).
    const i64 run_start = mono_ns();
    const i64 meas_start = run_start + (o.idle ? 0 : secs_to_ns(o.warmup));
    const i64 meas_end = meas_start + secs_to_ns(o.duration);
    sh.run_start.store(run_start);
    sh.meas_start.store(meas_start);
    sh.meas_end.store(meas_end);
    rep.meas_start_ns = meas_start;
    sh.phase.store(kRun, std::memory_order_release);
    if (!sleep_until(sh, meas_start))
        return stop(1);
    rep.server_cpu.ok = rep.server && read_proc_cpu(o.server_pid, &rep.server_cpu.start);
    rep.other_cpu.resize(o.other_pids.size());
    for (size_t i = 0; i < o.other_pids.size(); ++i)
        rep.other_cpu[i].ok = read_proc_cpu(o.other_pids[i], &rep.other_cpu[i].start);
    if (rep.server)
        rep.threads_start = read_thread_cpu(o.server_pid);
    rep.self_cpu.ok = true;
    rep.self_cpu.start = self_cpu_seconds();
    const i64 t_ws = mono_ns();
    // Sample the server's RSS every 0.5 s during the window (start and end included).
    auto sample_rss = [&] {
        if (!rep.server)
            return;
        ProcMem m = read_proc_mem(o.server_pid);
        if (!m.ok)
            return;
        if (rep.rss_samples == 0 || m.rss_mib < rep.rss_min_mib)
            rep.rss_min_mib = m.rss_mib;
        if (rep.rss_samples == 0 || m.rss_mib > rep.rss_max_mib)
            rep.rss_max_mib = m.rss_mib;
        ++rep.rss_samples;
    };
    sample_rss();
    for (i64 next = t_ws + kNsPerSec / 2; next < meas_end; next += kNsPerSec / 2) {
        if (!sleep_until(sh, next))
            return stop(1);
        sample_rss();
    }
    if (!sleep_until(sh, meas_end))
        return stop(1);
    const i64 t_we = mono_ns();
    sample_rss();
    rep.server_cpu.ok = rep.server_cpu.ok && read_proc_cpu(o.server_pid, &rep.server_cpu.end);
    for (size_t i = 0; i < o.other_pids.size(); ++i)
        rep.other_cpu[i].ok =
            rep.other_cpu[i].ok && read_proc_cpu(o.other_pids[i], &rep.other_cpu[i].end);
    if (rep.server)
        rep.threads_end = read_thread_cpu(o.server_pid);
    rep.self_cpu.end = self_cpu_seconds();
    rep.window_s = double(t_we - t_ws) / 1e9;
    if (rep.server)
        rep.mem_end = read_proc_mem(o.server_pid);

    // Phase 4: drain in-flight messages (not counted in the window) so the
    // completeness check is meaningful; bounded by --drain.
    sh.phase.store(kDrain, std::memory_order_release);
    const i64 t_drain = mono_ns();
    auto expected = [&] {
        u64 sent = sum_of(workers, [](Worker &w) { return w.pub_sent.load(); });
        u64 rl = sum_of(workers, [](Worker &w) { return w.pub_rate_limited.load(); });
        u64 disc = sum_of(workers, [](Worker &w) { return w.pub_disconnects.load(); });
        return (sent - std::min(sent, rl)) * (u64(o.clients) - std::min<u64>(u64(o.clients), disc));
    };
    if (!o.idle) {
        const i64 limit = t_drain + secs_to_ns(o.drain);
        while (mono_ns() < limit) {
            u64 outstanding = sum_of(workers, [](Worker &w) { return w.pub_outstanding.load(); });
            u64 got = sum_of(workers, [](Worker &w) { return w.pub_deliveries.load(); });
            if (outstanding == 0 && got >= expected())
                break;
            if (!sleep_until(sh, mono_ns() + 5 * kNsPerMs))
                return stop(1);
        }
    }
    rep.drain_s = double(mono_ns() - t_drain) / 1e9;
    rep.expected_deliveries = expected();

    // Phase 5: close everything, merge and report.
    if (stop(sh.failed.load() ? 1 : 0))
        return 1;
    for (auto &w : workers)
        rep.st.merge(w->stats);
    alarm(0);
    print_report(rep);
    if (o.json)
        print_json(rep);
    if (rep.st.disconnects)
        note("warning: %" PRIu64 " connections were lost during the run", rep.st.disconnects);
    return 0;
}
