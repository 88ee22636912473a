#!/usr/bin/env bash
# Runs the Confab benchmarks described in docs/benchmarks.md and prints one
# Markdown table row per run (two for g, gb, gc, h, hb and i).
#
# usage: bench/run-benchmarks.sh [BUILD_DIR] [RUN...]
#   BUILD_DIR  CMake build directory (default ./build) holding
#              server/confab-server, bench/confab-loadgen, bench/confab-bare-broadcast
#   RUN        any of a b c d e fa fb g gb gc h i (default: all, in that order); one
#              given twice runs twice (logs NAME.2, ...)
#                a..e, fa, fb  throughput, latency, idle memory, flood (docs/benchmarks.md)
#                g    chat p50/p99 without, then with, password sign-ins arriving faster
#                     than one hashing thread can check them; sign-ins per second per core
#                gb   the same with --hash-threads 2 (server still on core 0)
#                gc   the same with --hash-threads 2 and the server on cores 0 and 1
#                h    run a's load (C=100, closed loop) over ws:// and over wss://
#                hb   a fixed load (C=100, 500 msg/s open loop: 50,000 deliveries/s) over
#                     ws:// and wss://, for the server's CPU per delivery (the closed loop
#                     of h saturates the load generator's core with TLS)
#                i    run d's 10,000 idle connections over ws:// and over wss://
#
# Every run starts a fresh server (confab-server with a new SQLite file in a
# temporary directory, or confab-bare-broadcast) pinned to core 0 and the load
# generator pinned to core 1, waits until both cores are idle first (at most
# $CONFAB_BENCH_IDLE_WAIT s, default 60; a run that started on a busy machine
# says so in its notes), and kills the server afterwards. Every step is bounded
# in time (timeout). The loadgen's full reports are kept in $CONFAB_BENCH_LOGS
# (default BUILD_DIR/bench-results). Runs g, gb, gc first create 200 accounts
# with `confab-server admin create` (one Argon2id hash each, ~30-90 s, once per
# invocation); h and i make a self-signed P-256 certificate with openssl.
#
# Needs: bash, taskset, timeout, jq, two or more cores; openssl (h, i).

set -euo pipefail

BUILD=./build
RUNS=()
ALL_RUNS=(a b c d e fa fb g gb gc h hb i)
for arg in "$@"; do
    case "$arg" in
    -h | --help)
        awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
        exit 0
        ;;
    a | b | c | d | e | fa | fb | g | gb | gc | h | hb | i) RUNS+=("$arg") ;;
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
[[ ${#RUNS[@]} -gt 0 ]] || RUNS=("${ALL_RUNS[@]}")

LOGS=${CONFAB_BENCH_LOGS:-$BUILD/bench-results}
# shellcheck source=bench/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"
bench_need "$SERVER_BIN" "$LOADGEN_BIN" "$BARE_BIN"
bench_setup

# One Markdown row from a loadgen JSON line.
row() {
    local run=$1${LOG_SUFFIX:-} server=$2 json=$LOGS/$1${LOG_SUFFIX:-}.json
    jq -r --arg run "$run" --arg server "$server" --arg busy "$IDLE_NOTE" '
        def f1: (. * 10 | round) / 10;
        def f3: (. * 1000 | round) / 1000;
        def busy: if $busy == "" then "" else "; **\($busy)**" end;
        if .mode == "idle" then
            "| \($run) | \($server) | \(.clients) | 0 | idle | – | – | – | – | – | \(.server_cpu_pct | f1) | "
            + "login \(.login_s | f3) s (\(.logins_per_s | round) logins/s, server CPU \(.login_server_cpu_pct | f1)%, "
            + "loadgen CPU \(.login_loadgen_cpu_pct | f1)%); RSS \(.server_rss_before_mib | f1) → "
            + "\(.server_rss_login_mib | f1) MiB after login, \(.server_rss_end_mib | f1) MiB after hold = "
            + "**\(.server_rss_per_conn_login_kib | f1) KiB/conn** (\(.server_rss_per_conn_end_kib | f1) at end)"
            + busy + " |"
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
                + "honest disconnects \(.disconnects); loadgen CPU \(.loadgen_cpu_pct | f1)%"
              elif .signin_rate != null then
                "sign-ins offered \(.signin_rate)/s (\(.signin_wrong_pct)% wrong) on \(.signin_conns) connections: "
                + "**\(.signin_hashed_per_s | f1) hashed/s** (\(.signin_ok_per_s | f1) ok + "
                + "\(.signin_failed_per_s | f1) auth_failed), **\(.signin_busy_per_s | f1) busy/s**, "
                + "\(.signin_throttled) auth_throttled, \(.signin_skipped) skipped; sign-in p50/p99 "
                + "\(.signin_ok_latency_p50_ms | round)/\(.signin_ok_latency_p99_ms | round) ms (busy answer p99 "
                + "\(.signin_busy_latency_p99_ms | f3) ms); honest p99 by second (ms): "
                + "\(.latency_p99_by_sec_ms | map(f3 | tostring) | join(" ")); RSS end \(.server_rss_end_mib | f1) MiB, "
                + "peak (VmHWM) \(.server_hwm_end_mib | f1) MiB; loadgen CPU \(.loadgen_cpu_pct | f1)%"
              else
                "msgs sent \(.sent_per_s | round)/s, ack p99 \(.ack_latency_p99_ms | f3) ms, "
                + "RSS end \(.server_rss_end_mib | f1) MiB, loadgen CPU \(.loadgen_cpu_pct | f1)%"
              end)
            + (if .flooders == 0 and .rate_limited_total > 0 then ", rate_limited \(.rate_limited_total)" else "" end)
            + (if .flooders == 0 and .disconnects > 0 then ", disconnects \(.disconnects)" else "" end)
            + (if .loadgen_cpu_pct > 80 then "; **loadgen over 80% of its core**" else "" end)
            + busy + " |"
        end' "$json"
}

# Server options for runs a, b, c, g, h (and for the bare relay: none): every limit out of
# the way, since all clients come from 127.0.0.1 and share one address's limits and budget.
BUDGETS=(--send-bytes-per-second 1000000000 --send-bytes-burst 1000000000
    --room-bytes-per-second 1000000000 --room-bytes-burst 1000000000
    --inbox-bytes-per-second 1000000000 --inbox-bytes-burst 1000000000)
PER_ADDRESS=(--max-connections-per-address 100000 --max-pending-upgrades-per-address 100000)
UNLIMITED=(--rate-limit 1000000 --rate-burst 1000000 "${PER_ADDRESS[@]}" "${BUDGETS[@]}")

# Runs g, gb, gc: accounts member0..member199 (password below), signed in by --signins.
SIGNIN_ACCOUNTS=200
SIGNIN_PASSWORD=bench-password-1
CHAT_SMALL=(--clients 100 --senders 100 --mode open --rate 100 --duration 10)
SIGNIN_FLOOD=(--signins 50 --signin-accounts "$SIGNIN_ACCOUNTS" --signin-password "$SIGNIN_PASSWORD"
    --signin-wrong 20 --signin-conns 64 --signin-bind-from 127.0.3.1-127.0.3.64)

# signin_run ID HASH_THREADS: the reference first, then the same load with the sign-ins,
# against the same server.
signin_run() {
    local id=$1 threads=$2
    make_accounts "$SIGNIN_ACCOUNTS" member "$SIGNIN_PASSWORD"
    wait_idle
    SERVER_DB=$ACCOUNTS_DB start_server confab "${UNLIMITED[@]}" --hash-threads "$threads"
    loadgen "$id-ref" "${CHAT_SMALL[@]}"
    row "$id-ref" "confab-server, $threads hash thread(s)$([[ ${SERVER_CPUS:-0} == 0 ]] || echo ", cores $SERVER_CPUS")"
    loadgen "$id" --prefix v "${CHAT_SMALL[@]}" "${SIGNIN_FLOOD[@]}"
    stop_server
    row "$id" "same server + sign-ins"
}

run() {
    local id=$1
    case "$id" in
    a)
        wait_idle
        start_server confab "${UNLIMITED[@]}"
        loadgen a --clients 100 --mode closed --duration 10
        stop_server
        row a confab-server
        ;;
    b)
        wait_idle
        start_server confab "${UNLIMITED[@]}"
        loadgen b --clients 1000 --senders 100 --mode open --rate 100 --duration 10
        stop_server
        row b confab-server
        ;;
    c)
        wait_idle
        start_server confab "${UNLIMITED[@]}"
        loadgen c --clients 1000 --senders 1000 --mode closed --duration 10
        stop_server
        row c confab-server
        ;;
    d)
        wait_idle
        start_server confab --max-connections 100000 "${PER_ADDRESS[@]}"
        loadgen d --clients 10000 --idle --duration 5
        stop_server
        row d confab-server
        ;;
    e)
        # Default rate limits (20/s, burst 40, flood-strikes 50); only the per-address
        # limits and byte budgets are raised because every client connects from 127.0.0.1.
        wait_idle
        start_server confab "${PER_ADDRESS[@]}" "${BUDGETS[@]}"
        loadgen e --clients 100 --senders 10 --mode open --rate 50 --flooders 100 --duration 10
        stop_server
        row e confab-server
        ;;
    fa)
        wait_idle
        start_server bare
        loadgen fa --clients 100 --mode closed --duration 10
        stop_server
        row fa bare-broadcast
        ;;
    fb)
        wait_idle
        start_server bare
        loadgen fb --clients 1000 --senders 100 --mode open --rate 100 --duration 10
        stop_server
        row fb bare-broadcast
        ;;
    g) signin_run g 1 ;;
    gb) signin_run gb 2 ;;
    gc) SERVER_CPUS=0,1 signin_run gc 2 ;;
    h)
        make_certificate
        wait_idle
        start_server confab "${UNLIMITED[@]}"
        loadgen h-plain --clients 100 --mode closed --duration 10
        stop_server
        row h-plain "confab-server ws://"
        wait_idle
        start_server confab "${UNLIMITED[@]}" --tls-cert "$TLS_CERT" --tls-key "$TLS_KEY"
        SCHEME=wss loadgen h-tls --ca "$TLS_CERT" --clients 100 --mode closed --duration 10
        stop_server
        row h-tls "confab-server wss://"
        ;;
    hb)
        make_certificate
        wait_idle
        start_server confab "${UNLIMITED[@]}"
        loadgen hb-plain --clients 100 --senders 100 --mode open --rate 500 --duration 10
        stop_server
        row hb-plain "confab-server ws://"
        wait_idle
        start_server confab "${UNLIMITED[@]}" --tls-cert "$TLS_CERT" --tls-key "$TLS_KEY"
        SCHEME=wss loadgen hb-tls --ca "$TLS_CERT" --clients 100 --senders 100 --mode open --rate 500 --duration 10
        stop_server
        row hb-tls "confab-server wss://"
        ;;
    i)
        make_certificate
        wait_idle
        start_server confab --max-connections 100000 "${PER_ADDRESS[@]}"
        loadgen i-plain --clients 10000 --idle --duration 5 --connect-timeout 550
        stop_server
        row i-plain "confab-server ws://"
        wait_idle
        start_server confab --max-connections 100000 "${PER_ADDRESS[@]}" --tls-cert "$TLS_CERT" --tls-key "$TLS_KEY"
        SCHEME=wss loadgen i-tls --ca "$TLS_CERT" --clients 10000 --idle --duration 5 --connect-timeout 550
        stop_server
        row i-tls "confab-server wss://"
        ;;
    esac
}

echo "Confab benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "- commit: $(git -C "$(dirname "$0")/.." rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$(dirname "$0")/.." diff --quiet HEAD -- server core bench 2>/dev/null || echo ' (with uncommitted changes in server/, core/ or bench/)')"
echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r)"
echo "- server on core 0, loadgen on core 1 (taskset); open file limit $(ulimit -n); logs in $LOGS"
echo
echo "| run | server | C | S | mode | deliveries/s | p50 ms | p99 ms | max ms | delivered/expected | server CPU % | notes |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
declare -A TIMES # a run given more than once logs as NAME.2, NAME.3, ...
for id in "${RUNS[@]}"; do
    TIMES[$id]=$((${TIMES[$id]:-0} + 1))
    LOG_SUFFIX=""
    ((TIMES[$id] == 1)) || LOG_SUFFIX=.${TIMES[$id]}
    run "$id"
done
