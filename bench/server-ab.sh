#!/usr/bin/env bash
# A/B of two confab-server binaries with one load generator, alternating in the same run
# (this VM's speed drifts by tens of percent from minute to minute, so a comparison is only
# worth something within one run). Prints one line per run and, at the end, the median and
# the range of each figure per row and server.
#
# usage: bench/server-ab.sh BEFORE_SERVER AFTER_SERVER LOADGEN ROUNDS ROW...
#   BEFORE_SERVER, AFTER_SERVER  confab-server binaries
#   LOADGEN                      the confab-loadgen used against both
#   ROUNDS                       N (rounds 1..N) or M-N (rounds M..N, adding to the runs
#                                already logged: a round at a time between other work);
#                                in odd rounds "before" runs first, in even ones "after"
#                                (so drift does not favour one side)
#   ROW                          any of (each run as in docs/benchmarks.md):
#     a      C=100 closed loop, every message stored (run a): deliveries/s, messages/s acked
#     b      C=1000, 100 msg/s open loop (run b): delivery and ack latency
#     gref   C=100, 100 msg/s open loop (run g-ref): latency at a light load
#     d      10,000 idle logins, 5 s hold (run d): logins/s, KiB per connection
#     base   1,000 honest users from 250 addresses, 100 msg/s, default limits
#            (bench/abuse.sh base)
#     hist   as gref, plus 4 connections asking for history pages of 200 (the newest),
#            HIST_RATE (default 100) requests/s each, history budgets raised: pages read
#
# A round runs every ROW for both servers before the next round starts. Every run gets a
# fresh server pinned to core 0 and the load generator on core 1 (bench/bench-lib.sh:
# waits for idle cores first, logs in $CONFAB_BENCH_LOGS, default /tmp/confab-ab-logs).
# Needs: bash, taskset, timeout, jq, two or more cores.

set -euo pipefail

[[ $# -ge 5 ]] || { sed -n '2,/^$/p' "$0" | sed 's/^# \?//'; exit 2; }
BEFORE=$1 AFTER=$2 LOADGEN=$3 FIRST=1 LAST=$4
if [[ $4 == *-* ]]; then FIRST=${4%-*} LAST=${4#*-}; fi
[[ $FIRST =~ ^[0-9]+$ && $LAST =~ ^[0-9]+$ && $FIRST -ge 1 ]] || { echo "server-ab: bad ROUNDS '$4'" >&2; exit 2; }
shift 4
ROWS=("$@")
for r in "${ROWS[@]}"; do
    case "$r" in a | b | gref | d | base | hist) ;; *) echo "server-ab: unknown row '$r'" >&2; exit 2 ;; esac
done

BUILD=/nonexistent
LOGS=${CONFAB_BENCH_LOGS:-/tmp/confab-ab-logs}
# shellcheck source=bench/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"
SERVER_BIN=$BEFORE LOADGEN_BIN=$LOADGEN
bench_need "$BEFORE" "$AFTER" "$LOADGEN"
bench_setup

BUDGETS=(--send-bytes-per-second 1000000000 --send-bytes-burst 1000000000
    --room-bytes-per-second 1000000000 --room-bytes-burst 1000000000
    --inbox-bytes-per-second 1000000000 --inbox-bytes-burst 1000000000)
PER_ADDRESS=(--max-connections-per-address 100000 --max-pending-upgrades-per-address 100000)
UNLIMITED=(--rate-limit 1000000 --rate-burst 1000000 "${PER_ADDRESS[@]}" "${BUDGETS[@]}")
HIST_RATE=${HIST_RATE:-100}

one() { # one ROW SIDE NAME
    local row=$1 side=$2 name=$3
    SERVER_BIN=$BEFORE
    if [[ $side == after ]]; then SERVER_BIN=$AFTER; fi
    wait_idle
    case "$row" in
    a)
        start_server confab "${UNLIMITED[@]}"
        loadgen "$name" --clients 100 --mode closed --duration 10
        ;;
    b)
        start_server confab "${UNLIMITED[@]}"
        loadgen "$name" --clients 1000 --senders 100 --mode open --rate 100 --duration 10
        ;;
    gref)
        start_server confab "${UNLIMITED[@]}"
        loadgen "$name" --clients 100 --senders 100 --mode open --rate 100 --duration 10
        ;;
    d)
        start_server confab --max-connections 100000 "${PER_ADDRESS[@]}"
        loadgen "$name" --clients 10000 --idle --duration 5
        ;;
    base)
        start_server confab
        loadgen "$name" --clients 1000 --senders 100 --mode open --rate 100 --warmup 2 --duration 12 \
            --bind-from 127.0.1.1-127.0.1.250
        ;;
    hist)
        start_server confab "${UNLIMITED[@]}" --history-bytes-per-second 1000000000 \
            --history-bytes-burst 1000000000
        loadgen "$name" --clients 100 --senders 100 --mode open --rate 100 --duration 10 \
            --flooders 4 --flood-type history --flood-history-limit 200 --flood-rate "$HIST_RATE" \
            --flood-batch 1 --flood-bind-from 127.0.2.1
        ;;
    esac
    stop_server
    # What the server logged at warning level or above, apart from the descriptor limit at start.
    local warnings
    warnings=$(grep -vc 'file descriptor limit' "$LOGS/$name.server.log" || true)
    jq -c --arg row "$row" --arg side "$side" --arg name "$name" --arg busy "$IDLE_NOTE" \
        --argjson warnings "$warnings" '{row: $row, side: $side, name: $name, busy: $busy,
          server_log_lines: $warnings} + .' "$LOGS/$name.json" >>"$LOGS/all.jsonl"
    jq -r '[.name, .busy] + (
        if .row == "d" then ["logins/s", (.logins_per_s | round), "KiB/conn", .server_rss_per_conn_login_kib,
            "login server CPU", .login_server_cpu_pct, "login loadgen CPU", .login_loadgen_cpu_pct]
        else ["deliv/s", (.deliveries_per_s | round), "sent/s", (.sent_per_s | round),
            "p50", .latency_p50_ms, "p99", .latency_p99_ms, "ack p99", .ack_latency_p99_ms,
            "server CPU", .server_cpu_pct, "(main", .server_main_thread_cpu_pct, "other", .server_other_threads_cpu_pct,
            ") loadgen CPU", .loadgen_cpu_pct, "delivered", "\(.deliveries_total)/\(.deliveries_expected)"]
            + (if .row == "hist" then ["pages", .flood_history_pages] else [] end) end)
        + ["server log lines", .server_log_lines] | map(tostring) | join(" ")' <<<"$(tail -n 1 "$LOGS/all.jsonl")"
}

echo "server-ab, $(date -u '+%Y-%m-%d %H:%M UTC'); before $BEFORE, after $AFTER, loadgen $LOADGEN"
echo "machine: $(nproc) cores, kernel $(uname -r); server on core 0, loadgen on core 1; logs in $LOGS"
((FIRST > 1)) || : >"$LOGS/all.jsonl"
for ((round = FIRST; round <= LAST; round++)); do
    order=(before after)
    ((round % 2)) || order=(after before)
    for row in "${ROWS[@]}"; do
        for side in "${order[@]}"; do
            one "$row" "$side" "$row-$side-$round"
        done
    done
done

echo
echo "Median [min–max] over all rounds logged in $LOGS/all.jsonl:"
jq -rs '
    def med: sort | if length % 2 == 1 then .[length / 2 | floor]
             else (.[length / 2 - 1] + .[length / 2]) / 2 end;
    def r2: (. * 100 | round) / 100;
    def stat(f): map(f) | "\(med | r2) [\(min | r2)–\(max | r2)]";
    group_by(.row)[] | . as $runs | $runs[0].row as $row
    | ["before", "after"][] as $side
    | [$runs[] | select(.side == $side)] as $r
    | "\($row) \($side): " + (if $row == "d" then
          "logins/s \($r | stat(.logins_per_s)); KiB/conn \($r | stat(.server_rss_per_conn_login_kib)); "
          + "server CPU \($r | stat(.login_server_cpu_pct)); loadgen CPU \($r | stat(.login_loadgen_cpu_pct))"
        else
          "deliveries/s \($r | stat(.deliveries_per_s)); msgs/s \($r | stat(.sent_per_s)); "
          + "p50 \($r | stat(.latency_p50_ms)); p99 \($r | stat(.latency_p99_ms)); "
          + "ack p50 \($r | stat(.ack_latency_p50_ms)); ack p99 \($r | stat(.ack_latency_p99_ms)); "
          + "server CPU \($r | stat(.server_cpu_pct)) (store/other threads \($r | stat(.server_other_threads_cpu_pct))); "
          + "loadgen CPU \($r | stat(.loadgen_cpu_pct))"
          + (if $row == "hist" then "; pages \($r | stat(.flood_history_pages))" else "" end)
        end)
        + "; incomplete runs \([$r[] | select(.deliveries_total != .deliveries_expected)] | length)"
        + "; loadgen > 80%: \([$r[] | select(.loadgen_cpu_pct > 80 or (.login_loadgen_cpu_pct // 0) > 80)] | length)"
        + "; busy: \([$r[] | select(.busy != "")] | length)"
        + "; server log lines \([$r[].server_log_lines] | add)"
' "$LOGS/all.jsonl"
