#!/usr/bin/env bash
# Runs the Confab benchmarks described in docs/benchmarks.md and prints one
# Markdown table row per run.
#
# usage: bench/run-benchmarks.sh [BUILD_DIR] [RUN...]
#   BUILD_DIR  CMake build directory (default ./build) holding
#              server/confab-server, bench/confab-loadgen, bench/confab-bare-broadcast
#   RUN        any of a b c d e fa fb (default: all, in that order)
#
# Every run starts a fresh server (confab-server with a new SQLite file in a
# temporary directory, or confab-bare-broadcast) pinned to core 0 and the load
# generator pinned to core 1, waits until both cores are idle first, and kills
# the server afterwards. Every step is bounded in time (timeout). The loadgen's
# full reports are kept in $CONFAB_BENCH_LOGS (default BUILD_DIR/bench-results).
#
# Needs: bash, taskset, timeout, jq, two or more cores.

set -euo pipefail

BUILD=./build
RUNS=()
for arg in "$@"; do
    case "$arg" in
    -h | --help)
        sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    a | b | c | d | e | fa | fb) RUNS+=("$arg") ;;
    *)
        if [[ ${#RUNS[@]} -eq 0 && -d "$arg" ]]; then
            BUILD=$arg
        else
            echo "run-benchmarks: unknown run or missing directory '$arg'" >&2
            exit 2
        fi
        ;;
    esac
done
[[ ${#RUNS[@]} -gt 0 ]] || RUNS=(a b c d e fa fb)

SERVER_BIN=$BUILD/server/confab-server
LOADGEN_BIN=$BUILD/bench/confab-loadgen
BARE_BIN=$BUILD/bench/confab-bare-broadcast
for bin in "$SERVER_BIN" "$LOADGEN_BIN" "$BARE_BIN"; do
    [[ -x $bin ]] || { echo "run-benchmarks: $bin not found (build it first)" >&2; exit 1; }
done
for tool in taskset timeout jq; do
    command -v "$tool" >/dev/null || { echo "run-benchmarks: '$tool' is needed" >&2; exit 1; }
done
[[ $(nproc) -ge 2 ]] || { echo "run-benchmarks: needs at least 2 cores (server on 0, loadgen on 1)" >&2; exit 1; }

LOGS=${CONFAB_BENCH_LOGS:-$BUILD/bench-results}
mkdir -p "$LOGS"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/confab-bench.XXXXXX")
SERVER_PID=""

stop_server() {
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 50); do # up to 5 s for a clean shutdown
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}
cleanup() {
    stop_server
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 10,000 connections need more than the usual 1024 descriptors, in both processes
# (they inherit this limit).
hard=$(ulimit -Hn)
if [[ $hard == unlimited ]]; then ulimit -n 1048576 2>/dev/null || true; else ulimit -n "$hard"; fi
if [[ $(ulimit -n) != unlimited && $(ulimit -n) -lt 10200 ]]; then
    echo "run-benchmarks: warning: open file limit $(ulimit -n) < 10200, run d will fail (raise ulimit -Hn)" >&2
fi

# Wait (at most 60 s) until cores 0 and 1 are both at least 95% idle over 1 s.
wait_idle() {
    local deadline=$((SECONDS + 60))
    while :; do
        local a b
        a=$(grep -E '^cpu[01] ' /proc/stat)
        sleep 1
        b=$(grep -E '^cpu[01] ' /proc/stat)
        if paste <(echo "$a") <(echo "$b") | awk '{
                n = (NF - 2) / 2; tot = 0; idle = 0
                for (i = 2; i <= n + 1; i++) { d = $(i + n + 1) - $i; tot += d; if (i == 5 || i == 6) idle += d }
                if (tot > 0 && idle / tot < 0.95) bad = 1
            } END { exit bad }'; then
            return 0
        fi
        if ((SECONDS >= deadline)); then
            echo "run-benchmarks: warning: cores 0/1 still busy after 60 s, running anyway" >&2
            return 0
        fi
    done
}

# start_server confab|bare [server options...]: sets SERVER_PID and PORT.
start_server() {
    local kind=$1
    shift
    local dir
    dir=$(mktemp -d "$WORK/server.XXXXXX")
    if [[ $kind == confab ]]; then
        taskset -c 0 "$SERVER_BIN" --port 0 --database "$dir/history.sqlite" --log-level warning "$@" \
            >"$dir/stdout" 2>"$dir/stderr" &
    else
        taskset -c 0 "$BARE_BIN" 0 >"$dir/stdout" 2>"$dir/stderr" &
    fi
    SERVER_PID=$!
    SERVER_LOG=$dir/stderr
    PORT=""
    for _ in $(seq 100); do # up to 10 s for the startup line
        PORT=$(grep -o 'ws://[^ ]*' "$dir/stdout" 2>/dev/null | head -1 | sed 's/.*://') || true
        [[ -n $PORT ]] && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "run-benchmarks: server did not start:" >&2
    cat "$dir/stderr" >&2
    exit 1
}

# loadgen NAME [loadgen options...]: runs the load generator on core 1 against
# the running server; the JSON line goes to $LOGS/NAME.json, the report to NAME.txt.
loadgen() {
    local name=$1
    shift
    if ! timeout 600 taskset -c 1 "$LOADGEN_BIN" --url "ws://127.0.0.1:$PORT" --server-pid "$SERVER_PID" \
        --json --no-progress "$@" >"$LOGS/$name.txt" 2>"$LOGS/$name.err"; then
        echo "run-benchmarks: loadgen failed in run $name:" >&2
        cat "$LOGS/$name.err" >&2
        exit 1
    fi
    tail -n 1 "$LOGS/$name.txt" >"$LOGS/$name.json"
    cp "$SERVER_LOG" "$LOGS/$name.server.log"
}

# One Markdown row from a loadgen JSON line.
row() {
    local run=$1 server=$2 json=$LOGS/$1.json
    jq -r --arg run "$run" --arg server "$server" '
        def f1: (. * 10 | round) / 10;
        def f3: (. * 1000 | round) / 1000;
        def dash: if . == null then "–" else tostring end;
        if .mode == "idle" then
            "| \($run) | \($server) | \(.clients) | 0 | idle | – | – | – | – | – | \(.server_cpu_pct | f1) | "
            + "login \(.login_s | f3) s (\(.logins_per_s | round) logins/s); RSS \(.server_rss_before_mib | f1) → "
            + "\(.server_rss_login_mib | f1) MiB after login, \(.server_rss_end_mib | f1) MiB after hold = "
            + "**\(.server_rss_per_conn_login_kib | f1) KiB/conn** (\(.server_rss_per_conn_end_kib | f1) at end) |"
        else
            "| \($run) | \($server) | \(.clients) | \(.senders)"
            + (if .flooders > 0 then " + \(.flooders) flooders" else "" end)
            + " | \(.mode)" + (if .mode == "open" then " \(.target_rate) msg/s" else "" end)
            + " | \(.deliveries_per_s | round) | \(.latency_p50_ms | f3) | \(.latency_p99_ms | f3) "
            + "| \(.latency_max_ms | f3) | \(.deliveries_total)/\(.deliveries_expected) "
            + "| \(.server_cpu_pct | f1) | "
            + (if .flooders > 0 then
                "flooders wrote \(.flood_sent) msgs (\(.flood_sent_per_s | round)/s), \(.flood_relayed_msgs | round) "
                + "relayed, \(.flood_rate_limited) rate_limited read, \(.flood_disconnects)/\(.flooders) disconnected "
                + "(last at \(.flood_last_disconnect_ms | round) ms); honest p99 by second (ms): "
                + "\(.latency_p99_by_sec_ms | map(f3 | tostring) | join(" ")); server RSS in window "
                + "\(.server_rss_min_mib | f1)–\(.server_rss_max_mib | f1) MiB (every 0.5 s), peak (VmHWM) "
                + "\(.server_hwm_end_mib | f1) MiB; honest rate_limited \(.rate_limited_total), "
                + "honest disconnects \(.disconnects)"
              else
                "msgs sent \(.sent_per_s | round)/s, ack p99 \(.ack_latency_p99_ms | f3) ms, "
                + "RSS end \(.server_rss_end_mib | f1) MiB, loadgen CPU \(.loadgen_cpu_pct | f1)%"
                + (if .rate_limited_total > 0 then ", rate_limited \(.rate_limited_total)" else "" end)
                + (if .disconnects > 0 then ", disconnects \(.disconnects)" else "" end)
              end)
            + " |"
        end' "$json"
}

# Server options for runs a, b, c (and for the bare relay: none).
UNLIMITED=(--rate-limit 1000000 --rate-burst 1000000 --max-connections-per-address 100000)

run() {
    local id=$1
    wait_idle
    case "$id" in
    a)
        start_server confab "${UNLIMITED[@]}"
        loadgen a --clients 100 --mode closed --duration 10
        stop_server
        row a confab-server
        ;;
    b)
        start_server confab "${UNLIMITED[@]}"
        loadgen b --clients 1000 --senders 100 --mode open --rate 100 --duration 10
        stop_server
        row b confab-server
        ;;
    c)
        start_server confab "${UNLIMITED[@]}"
        loadgen c --clients 1000 --senders 1000 --mode closed --duration 10
        stop_server
        row c confab-server
        ;;
    d)
        start_server confab --max-connections 100000 --max-connections-per-address 100000
        loadgen d --clients 10000 --idle --duration 5
        stop_server
        row d confab-server
        ;;
    e)
        # Default rate limits (20/s, burst 40, flood-strikes 50); only the per-address
        # limit is raised because every client connects from 127.0.0.1.
        start_server confab --max-connections-per-address 100000
        loadgen e --clients 100 --senders 10 --mode open --rate 50 --flooders 100 --duration 10
        stop_server
        row e confab-server
        ;;
    fa)
        start_server bare
        loadgen fa --clients 100 --mode closed --duration 10
        stop_server
        row fa bare-broadcast
        ;;
    fb)
        start_server bare
        loadgen fb --clients 1000 --senders 100 --mode open --rate 100 --duration 10
        stop_server
        row fb bare-broadcast
        ;;
    esac
}

echo "Confab benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "- commit: $(git -C "$(dirname "$0")/.." rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r)"
echo "- server on core 0, loadgen on core 1 (taskset); open file limit $(ulimit -n); logs in $LOGS"
echo
echo "| run | server | C | S | mode | deliveries/s | p50 ms | p99 ms | max ms | delivered/expected | server CPU % | notes |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for id in "${RUNS[@]}"; do
    run "$id"
done
