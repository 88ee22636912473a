#!/usr/bin/env bash
# Runs the attacks of the security review against a confab-server with 1,000 honest users,
# each for a bounded time, and prints one Markdown table row per attack: the server's peak
# RSS (VmHWM), the honest users' p99 and disconnects, what the attacker achieved, and the
# CPU of the server and of the load generator.
#
# usage: bench/abuse.sh [BUILD_DIR] [ATTACK...]
#   BUILD_DIR  CMake build directory (default ./build) holding server/confab-server and
#              bench/confab-loadgen
#   ATTACK     any of base a a64 b16 b32 c d e e64 f g (default: all, in that order, then
#              base again); one given twice is run twice
#     base  no attack (the reference)
#     a     fan-out burst: one address opens 32 connections, each sends 40 public
#           messages of 16 KB (4000 four-byte characters) at once
#     a64   the same from 64 addresses, 4 connections each (256 connections)
#     b16   history: 200 stored public messages of 16 KB; 16 connections from one
#           address each ask for 40 pages of 200 of them (before=201) at once
#     b32   the same with 32 connections
#     c     public history with 1,000,000 private rows in the store (newer than the 200
#           public ones): 4 connections from one address, 10 requests each (limit 200,
#           before the private rows' end)
#     d     256 unfinished WebSocket upgrades from 64 addresses (4 each): 64 KB of a
#           header that never ends, then a line a second; reopened when cut off
#     e     over the rate limit: one address, 32 connections each sending 40 messages/s
#           (twice the limit: once the burst is spent, one allowed message between
#           refused ones)
#     e64   the same from 64 addresses, one connection each
#     f     sign-in flood: 500 wrong passwords/s on 256 connections from 64 addresses
#     g     many big allowed messages: 64 addresses each send one 16 KB message a
#           second (each address's whole byte budget), 1,024 KB/s offered to the room
#
# Every attack gets a fresh server with the default limits (nothing raised) pinned to
# core 0, and one load generator pinned to core 1 that runs the honest users and the
# attacker together: 1,000 users from 127.0.1.1-127.0.1.250 (4 per address), the first
# 100 sending $CONFAB_ABUSE_RATE messages/s in all (default 100, open loop), all reading
# everything; the attackers come from 127.0.2.1-127.0.2.64 (the whole 127/8 reaches the
# server over loopback, and the server's per-address limits see the addresses apart). The
# attack starts with the measured window (12 s after 2 s of warmup) and stops with it.
# Waits for idle cores first (at most $CONFAB_BENCH_IDLE_WAIT s, default 60). Reports in
# $CONFAB_BENCH_LOGS (default BUILD_DIR/bench-results/abuse). CONFAB_ABUSE_PERF=1 also
# records the server with perf (ATTACK.perf.data; for diagnosis, not for the table).
#
# Targets (hardening issue): peak RSS <= 256 MB, honest p99 <= 50 ms, 0 honest
# disconnects, during each attack.
#
# Needs: bash, taskset, timeout, jq, sqlite3 (b, c), two or more cores.

set -euo pipefail

BUILD=./build
ATTACKS=()
ALL_ATTACKS=(base a a64 b16 b32 c d e e64 f g base)
for arg in "$@"; do
    case "$arg" in
    -h | --help)
        awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
        exit 0
        ;;
    base | a | a64 | b16 | b32 | c | d | e | e64 | f | g) ATTACKS+=("$arg") ;;
    *)
        if [[ ${#ATTACKS[@]} -eq 0 && -d "$arg" ]]; then
            BUILD=$arg
        else
            echo "abuse: unknown attack or missing directory '$arg'" >&2
            exit 2
        fi
        ;;
    esac
done
[[ ${#ATTACKS[@]} -gt 0 ]] || ATTACKS=("${ALL_ATTACKS[@]}")

LOGS=${CONFAB_BENCH_LOGS:-$BUILD/bench-results/abuse}
# shellcheck source=bench/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"
bench_need "$SERVER_BIN" "$LOADGEN_BIN"
bench_setup

RATE=${CONFAB_ABUSE_RATE:-100}
HONEST=(--clients 1000 --senders 100 --mode open --rate "$RATE" --warmup 2 --duration 12
    --bind-from 127.0.1.1-127.0.1.250)
ATTACKER=127.0.2.1
ATTACKERS=127.0.2.1-127.0.2.64
BIG=(--flood-size 16000 --flood-charset wide) # 4000 characters, 16,000 bytes: the largest allowed

# An empty store as the server makes it (the admin command opens and creates it).
empty_store() {
    local db=$1
    rm -f "$db" "$db-wal" "$db-shm"
    "$SERVER_BIN" admin --database "$db" list >/dev/null
}

# Attack b: 200 public messages of 16 KB (4000 four-byte characters each).
HISTORY_DB=$WORK/history-16k.sqlite
make_history_db() {
    [[ -f $HISTORY_DB ]] && return 0
    command -v sqlite3 >/dev/null || { echo "abuse: 'sqlite3' is needed for attacks b and c" >&2; exit 1; }
    empty_store "$HISTORY_DB.tmp"
    sqlite3 "$HISTORY_DB.tmp" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
        INSERT INTO messages (ts, sender, sender_key, content, sender_id)
        SELECT 1795655458000 + i, 'old' || (i % 10), 'old' || (i % 10),
               replace(hex(zeroblob(4000)), '00', '😀'), 'gold' || (i % 10) FROM n;
        PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
    mv "$HISTORY_DB.tmp" "$HISTORY_DB"
}

# Attack c: 200 short public messages, then 1,000,000 private ones between 1,000 senders and
# 997 recipients (newer than every public one: a scan from the newest end would read them all).
PRIVATE_DB=$WORK/private-1m.sqlite
make_private_db() {
    [[ -f $PRIVATE_DB ]] && return 0
    command -v sqlite3 >/dev/null || { echo "abuse: 'sqlite3' is needed for attacks b and c" >&2; exit 1; }
    empty_store "$PRIVATE_DB.tmp"
    sqlite3 "$PRIVATE_DB.tmp" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
        INSERT INTO messages (ts, sender, sender_key, content, sender_id)
        SELECT 1795655458000 + i, 'old' || (i % 10), 'old' || (i % 10),
               'a public message of the old days, number ' || i, 'gold' || (i % 10) FROM n;
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
        INSERT INTO messages (ts, sender, sender_key, recipient, recipient_key, content, sender_id, recipient_id)
        SELECT 1795655500000 + i, 'p' || (i % 1000), 'p' || (i % 1000), 'q' || (i % 997), 'q' || (i % 997),
               'a private message, number ' || i, 'gp' || (i % 1000), 'gq' || (i % 997) FROM n;
        PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
    mv "$PRIVATE_DB.tmp" "$PRIVATE_DB"
}

# One Markdown row from a loadgen JSON line: row LOGNAME ATTACK WHAT.
row() {
    local attack=$2 what=$3 json=$LOGS/$1.json
    jq -r --arg attack "$attack" --arg what "$what" --arg busy "$IDLE_NOTE" '
        def f1: (. * 10 | round) / 10;
        def f3: (. * 1000 | round) / 1000;
        def codes: to_entries | map("\(.key) \(.value)") | join(", ");
        def mark(ok): if ok then "" else " **✗**" end;
        ([.latency_p99_by_sec_ms[]] | max) as $worst
        | (.server_hwm_end_mib * 1048576 / 1e6) as $peak_mb
        | "| \($attack) | \($what) "
        + "| \(.server_hwm_end_mib | f1) MiB (\($peak_mb | f1) MB)\(mark($peak_mb <= 256)); \(.server_hwm_login_mib | f1) after login "
        + "| \(.latency_p99_ms | f3)\(mark(.latency_p99_ms <= 50)); worst second \($worst | f3); p50 \(.latency_p50_ms | f3) "
        + "| \(.disconnects)\(mark(.disconnects == 0))"
        + " | "
        + (if .flooders > 0 then
            "\(.flooders) flooders wrote \(.flood_sent): "
            + (if .flood_history_pages > 0 or (.flood_errors_by_code.history_busy // 0) > 0 then
                "\(.flood_history_pages) history pages (\(.flood_bytes_rx / 1048576 | f1) MiB) read"
              else
                "\(.flood_accepted) accepted, \(.flood_relayed_msgs | round) relayed to all"
              end)
            + "; errors: \(.flood_errors_by_code | codes)"
            + "; \(.flood_disconnects) disconnected"
            + (if .flood_disconnects > 0 then " (\(.flood_disconnect_reasons | codes); last at \(.flood_last_disconnect_ms | round) ms)" else "" end)
          elif .signin_rate != null then
            "\(.signin_attempts) wrong sign-ins sent: \(.signin_failed) hashed (auth_failed, \(.signin_hashed_per_s | f1)/s), "
            + "\(.signin_busy) busy, \(.signin_throttled) auth_throttled, \(.signin_other) other; \(.signin_skipped) skipped"
          elif .slow_upgrades != null then
            "\(.slow_connects) connections (\(.slow_upgrades) at a time), \(.slow_bytes / 1048576 | f1) MiB of header; "
            + "\(.slow_closed) cut off after \(.slow_held_p50_ms / 1000 | f1) s (max \(.slow_held_max_ms / 1000 | f1) s), "
            + "\(.slow_refused) refused"
          else "–" end)
        + " | \(.deliveries_total)/\(.deliveries_expected), rate_limited \(.rate_limited_total)"
        + " | \(.server_cpu_pct | f1) | \(.loadgen_cpu_pct | f1)\(if .loadgen_cpu_pct > 80 then " **>80%**" else "" end)"
        + (if $busy == "" then "" else " (\($busy))" end) + " |"' "$json"
}

declare -A TIMES # an attack given more than once gets logs NAME.2, NAME.3, ...
attack() {
    local id=$1
    local what args=() db="" name=$1
    TIMES[$id]=$((${TIMES[$id]:-0} + 1))
    ((TIMES[$id] == 1)) || name=$id.${TIMES[$id]}
    case "$id" in
    base) what="no attack" ;;
    a)
        what="fan-out burst, 1 address × 32 conns × 40 × 16 KB"
        args=(--flooders 32 --flood-bind-from "$ATTACKER" "${BIG[@]}" --flood-batch 40 --flood-count 40)
        ;;
    a64)
        what="fan-out burst, 64 addresses × 4 conns × 40 × 16 KB"
        args=(--flooders 256 --flood-bind-from "$ATTACKERS" "${BIG[@]}" --flood-batch 40 --flood-count 40)
        ;;
    b16 | b32)
        make_history_db
        db=$HISTORY_DB
        what="history, 1 address × ${id#b} conns × 40 pages of 200 (16 KB msgs)"
        # before=201: the 200 big messages, not the honest users' newer small ones.
        args=(--flooders "${id#b}" --flood-bind-from "$ATTACKER" --flood-type history --flood-history-limit 200
            --flood-history-before 201 --flood-batch 40 --flood-count 40)
        ;;
    c)
        make_private_db
        db=$PRIVATE_DB
        what="public history, 1 M private rows, 4 conns × 10"
        # before=1000201: the newest public messages below the private rows, so that a query
        # without the public index would read through all of them.
        args=(--flooders 4 --flood-bind-from "$ATTACKER" --flood-type history --flood-history-limit 200
            --flood-history-before 1000201 --flood-batch 10 --flood-count 10)
        ;;
    d)
        what="256 unfinished upgrades, 64 addresses"
        args=(--slow-upgrades 256 --slow-bind-from "$ATTACKERS" --slow-bytes 65536)
        ;;
    e)
        what="over the rate limit, 1 address × 32 conns × 40 msg/s (limit 20/s)"
        args=(--flooders 32 --flood-bind-from "$ATTACKER" --flood-rate 40)
        ;;
    e64)
        what="over the rate limit, 64 addresses × 1 conn × 40 msg/s"
        args=(--flooders 64 --flood-bind-from "$ATTACKERS" --flood-rate 40)
        ;;
    f)
        what="sign-in flood, 500 wrong passwords/s, 64 addresses"
        args=(--signins 500 --signin-wrong 100 --signin-conns 256 --signin-bind-from "$ATTACKERS"
            --signin-accounts 1000 --signin-prefix nobody)
        ;;
    g)
        what="big allowed messages, 64 addresses × 1 × 16 KB/s"
        args=(--flooders 64 --flood-bind-from "$ATTACKERS" "${BIG[@]}" --flood-rate 1)
        ;;
    esac
    wait_idle
    SERVER_DB=$db start_server confab
    local perf_pid=""
    if [[ -n ${CONFAB_ABUSE_PERF:-} ]]; then
        # Diagnosis only (it costs the loadgen's core some time): where the server's time goes.
        taskset -c "${LOADGEN_CPUS:-1}" perf record -q -F 499 -g -o "$LOGS/$name.perf.data" -p "$SERVER_PID" \
            >/dev/null 2>&1 &
        perf_pid=$!
    fi
    loadgen "$name" "${HONEST[@]}" "${args[@]}"
    if [[ -n $perf_pid ]]; then
        kill -INT "$perf_pid" 2>/dev/null || true
        wait "$perf_pid" 2>/dev/null || true
    fi
    # Where the memory is at the end (the peak is VmHWM), for the record.
    cp "/proc/$SERVER_PID/smaps_rollup" "$LOGS/$name.smaps_rollup" 2>/dev/null || true
    stop_server
    row "$name" "$id" "$what"
}

echo "Confab abuse benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "- commit: $(git -C "$(dirname "$0")/.." rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$(dirname "$0")/.." diff --quiet HEAD -- server core bench 2>/dev/null || echo ' (with uncommitted changes in server/, core/ or bench/)')"
echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r)"
echo "- server (default limits) on core 0, loadgen (1,000 honest users, $RATE msg/s, + the attacker) on core 1; logs in $LOGS"
echo "- targets: peak RSS ≤ 256 MB, honest p99 ≤ 50 ms, 0 honest disconnects (✗ = missed)"
echo
echo "| attack | what | server peak RSS (VmHWM) | honest p99 ms (12 s window) | honest disconnects | attacker achieved | honest delivered/expected | server CPU % | loadgen CPU % |"
echo "|---|---|---|---|---|---|---|---|---|"
for id in "${ATTACKS[@]}"; do
    attack "$id"
done
