// confab-fanout-floor: what one fan-out costs the kernel on this machine, without any server.
//
// Opens N TCP connections over loopback (TCP_NODELAY on the sending side, as the server sets
// it), then M times writes one message of S bytes to every connection, from one thread, the
// way a single-threaded relay must; a reader thread on another core drains the receiving
// ends with epoll, as a load generator would. It prints how long one fan-out takes (first
// write to last write returned) and the cost per write. That time is a floor for the
// latency of the last receiver of a message, whatever the server does in user space.
//
// usage: confab-fanout-floor [--receivers N] [--messages M] [--size S] [--pause-ms P]
//                            [--sender-core C] [--reader-core C] [--uring]
// --uring submits each fan-out as one batch of io_uring sends (only when built with liburing).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef CONFAB_HAVE_LIBURING
#include <liburing.h>
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options
{
    int receivers = 1000;
    int messages = 200;
    int size = 250;
    int pauseMs = 5;
    int senderCore = 0;
    int readerCore = 1;
    bool uring = false;
};

[[noreturn]] void die(const char *what)
{
    std::fprintf(stderr, "confab-fanout-floor: %s: %s\n", what, std::strerror(errno));
    std::exit(1);
}

void pinTo(int core)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(core, &set);
    if (pthread_setaffinity_np(pthread_self(), sizeof set, &set) != 0)
        std::fprintf(stderr, "confab-fanout-floor: cannot pin to core %d, running unpinned\n",
                     core);
}

Options parse(int argc, char **argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&](int lo, int hi) {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "confab-fanout-floor: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            const int v = std::atoi(argv[++i]);
            if (v < lo || v > hi) {
                std::fprintf(stderr, "confab-fanout-floor: %s must be %d..%d\n", a.c_str(), lo, hi);
                std::exit(2);
            }
            return v;
        };
        if (a == "--receivers")
            o.receivers = value(1, 20000);
        else if (a == "--messages")
            o.messages = value(1, 100000);
        else if (a == "--size")
            o.size = value(1, 65536);
        else if (a == "--pause-ms")
            o.pauseMs = value(0, 1000);
        else if (a == "--sender-core")
            o.senderCore = value(0, 1023);
        else if (a == "--reader-core")
            o.readerCore = value(0, 1023);
        else if (a == "--uring")
            o.uring = true;
        else {
            std::fprintf(stderr,
                         "confab-fanout-floor: unknown option %s (see the source's header)\n",
                         a.c_str());
            std::exit(2);
        }
    }
#ifndef CONFAB_HAVE_LIBURING
    if (o.uring) {
        std::fprintf(stderr,
                     "confab-fanout-floor: built without liburing; --uring is not available\n");
        std::exit(2);
    }
#endif
    return o;
}

double percentile(std::vector<double> v, double p)
{
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(p * double(v.size())))];
}

} // namespace

int main(int argc, char **argv)
{
    const Options o = parse(argc, argv);
    rlimit files{};
    getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);

    const int listener = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (listener < 0 ||
        bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 ||
        listen(listener, 4096) != 0 ||
        getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length) != 0)
        die("cannot listen on 127.0.0.1");
    std::vector<int> readEnds(size_t(o.receivers)), writeEnds(size_t(o.receivers));
    for (int i = 0; i < o.receivers; ++i) {
        readEnds[size_t(i)] = socket(AF_INET, SOCK_STREAM, 0);
        if (readEnds[size_t(i)] < 0 ||
            connect(readEnds[size_t(i)], reinterpret_cast<sockaddr *>(&address), sizeof address) !=
                0)
            die("cannot connect (raise ulimit -n?)");
        writeEnds[size_t(i)] = accept(listener, nullptr, nullptr);
        if (writeEnds[size_t(i)] < 0)
            die("cannot accept");
        const int one = 1;
        setsockopt(writeEnds[size_t(i)], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }

    std::atomic<long long> received{0};
    std::atomic<bool> stop{false};
    std::thread reader([&] {
        pinTo(o.readerCore);
        const int ep = epoll_create1(0);
        for (int i = 0; i < o.receivers; ++i) {
            epoll_event e{};
            e.events = EPOLLIN;
            e.data.u32 = uint32_t(i);
            epoll_ctl(ep, EPOLL_CTL_ADD, readEnds[size_t(i)], &e);
        }
        std::vector<epoll_event> events(size_t(o.receivers));
        std::vector<char> buffer(1 << 16);
        while (!stop.load(std::memory_order_relaxed)) {
            const int n = epoll_wait(ep, events.data(), o.receivers, 50);
            for (int k = 0; k < n; ++k) {
                const ssize_t r =
                    recv(readEnds[events[size_t(k)].data.u32], buffer.data(), buffer.size(), 0);
                if (r > 0)
                    received.fetch_add(r, std::memory_order_relaxed);
            }
        }
        close(ep);
    });

    pinTo(o.senderCore);
#ifdef CONFAB_HAVE_LIBURING
    io_uring ring{};
    if (o.uring && io_uring_queue_init(unsigned(std::min(o.receivers, 4096)), &ring, 0) != 0)
        die("io_uring_queue_init");
#endif
    const std::vector<char> payload(size_t(o.size), 'x');
    std::vector<double> fanOutUs;
    fanOutUs.reserve(size_t(o.messages));
    int failedWrites = 0;
    bool drained = true;
    for (int m = 0; m < o.messages && drained; ++m) {
        const auto start = Clock::now();
        if (!o.uring) {
            for (const int fd : writeEnds) {
                if (send(fd, payload.data(), payload.size(), MSG_NOSIGNAL | MSG_DONTWAIT) != o.size)
                    ++failedWrites;
            }
        }
#ifdef CONFAB_HAVE_LIBURING
        else {
            for (size_t first = 0; first < writeEnds.size();) {
                const size_t count = std::min<size_t>(4096, writeEnds.size() - first);
                for (size_t i = 0; i < count; ++i)
                    io_uring_prep_send(io_uring_get_sqe(&ring), writeEnds[first + i],
                                       payload.data(), payload.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
                io_uring_submit_and_wait(&ring, unsigned(count));
                io_uring_cqe *cqe = nullptr;
                unsigned head = 0, seen = 0;
                io_uring_for_each_cqe(&ring, head, cqe)
                {
                    if (cqe->res != o.size)
                        ++failedWrites;
                    ++seen;
                }
                io_uring_cq_advance(&ring, seen);
                first += count;
            }
        }
#endif
        fanOutUs.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
        // Wait (at most 10 s) until the reader has everything, then pause: messages arrive
        // one at a time, as at 100 messages/s.
        const long long expected = (long long)(m + 1) * o.receivers * o.size;
        const auto deadline = Clock::now() + std::chrono::seconds(10);
        while (received.load(std::memory_order_relaxed) < expected) {
            if (Clock::now() > deadline) {
                drained = false;
                break;
            }
            std::this_thread::yield();
        }
        if (o.pauseMs > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(o.pauseMs));
    }
    stop = true;
    reader.join();
    if (!drained || failedWrites > 0) {
        std::fprintf(stderr, "confab-fanout-floor: %d short writes, reader %s\n", failedWrites,
                     drained ? "kept up" : "timed out");
        return 1;
    }
    double sum = 0;
    for (const double us : fanOutUs)
        sum += us;
    const double mean = sum / double(fanOutUs.size());
    std::printf("receivers %d, messages %d of %d bytes, %s: one fan-out p50 %.0f us, p99 %.0f us, "
                "mean %.0f us = %.2f us per write\n",
                o.receivers, int(fanOutUs.size()), o.size, o.uring ? "io_uring batch" : "send()",
                percentile(fanOutUs, 0.5), percentile(fanOutUs, 0.99), mean, mean / o.receivers);
    return 0;
}
