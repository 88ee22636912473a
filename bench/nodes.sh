#!/usr/bin/env bash
# Several nodes (issue 12): the PostgreSQL store against SQLite, and two confab-server nodes
# joined by Redis against one. Sides of a row alternate within one script run (this VM's
# speed drifts by tens of percent from minute to minute; the order is reversed in even
# rounds). Prints one line per run and, at the end, the median and range of each figure
# per row and side.
#
# usage: bench/nodes.sh BUILD ROUNDS ROW...
#   BUILD    CMake build directory (confab-server and confab-loadgen built)
#   ROUNDS   N (rounds 1..N) or M-N (rounds M..N, adding to the runs already logged)
#   ROW      any of:
#     store  run a (C=100 closed loop, every message stored), one node, sides:
#              sqlite       SQLite, --sync normal (the default: no fsync per commit)
#              sqlite-full  SQLite, --sync full (one fsync per commit)
#              pg           PostgreSQL, default settings (synchronous_commit=on: a WAL flush
#                           per commit, like sqlite-full)
#              pg-async     PostgreSQL, synchronous_commit=off for the database (no wait for
#                           the WAL flush, like sqlite)
#     bus    run b (C=1000, 100 senders, 100 msg/s open loop), every node on PostgreSQL
#            (synchronous_commit=$BUS_SYNC, default on), sides:
#              one    one node, no Redis
#              same   two nodes and Redis, every client on node A
#              cross  two nodes and Redis, the 100 senders on node A, the 900 receivers on B
#     buslight  as bus at a light load: C=100, 10 senders, 100 msg/s in all (10,000
#            deliveries/s), where one node's latency is near a millisecond; cross puts the
#            10 senders on A and the 90 receivers on B
#
# Placement: the nodes, PostgreSQL and Redis all on core 0 (SERVER_CPUS), the load generator
# alone on core 1 (LOADGEN_CPUS), as bench/bench-lib.sh does for one server. PG_CPUS moves
# PostgreSQL elsewhere (e.g. PG_CPUS=1: next to the load generator); STORE_SIDES="sqlite
# pg-async" runs only those sides of the store row. PostgreSQL is a
# throwaway cluster (initdb of Debian's postgresql package, the newest under
# /usr/lib/postgresql) in a folder under /tmp, run as the user nobody when this runs as root,
# on a free 127.0.0.1 port, one database per run; Redis (redis-server, no persistence) is
# started afresh for every run of the bus row (the name claims of a run must not outlive it).
# Everything is stopped by its PID at the end (and on Ctrl-C).
#
# Each run waits for idle cores first (bench-lib's wait_idle) and also measures the CPU used
# on cores 0-1 during the load generator's run by processes other than its own ("foreign",
# % of one core) and the time stolen by the hypervisor: a run with foreign > 10% is flagged.
# Logs: $CONFAB_BENCH_LOGS (default /tmp/confab-nodes-logs), one JSON line per run in all.jsonl.
# Needs: bash, taskset, timeout, jq, setpriv (as root), redis-server, PostgreSQL 13+.

set -euo pipefail

[[ $# -ge 3 ]] || { sed -n '2,/^$/p' "$0" | sed 's/^# \?//'; exit 2; }
BUILD=$1 FIRST=1 LAST=$2
if [[ $2 == *-* ]]; then FIRST=${2%-*} LAST=${2#*-}; fi
[[ $FIRST =~ ^[0-9]+$ && $LAST =~ ^[0-9]+$ && $FIRST -ge 1 ]] || { echo "nodes: bad ROUNDS '$2'" >&2; exit 2; }
shift 2
ROWS=("$@")
for r in "${ROWS[@]}"; do
    case "$r" in store | bus | buslight) ;; *) echo "nodes: unknown row '$r'" >&2; exit 2 ;; esac
done

LOGS=${CONFAB_BENCH_LOGS:-/tmp/confab-nodes-logs}
# shellcheck source=bench/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"
bench_need "$SERVER_BIN" "$LOADGEN_BIN"
command -v redis-server >/dev/null || { echo "nodes: redis-server is needed" >&2; exit 1; }
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -x $PG_BIN/initdb && -x $PG_BIN/postgres && -x $PG_BIN/psql ]] ||
    { echo "nodes: PostgreSQL not found under /usr/lib/postgresql/*/bin" >&2; exit 1; }
bench_setup

UNLIMITED=(--rate-limit 1000000 --rate-burst 1000000 --max-connections-per-address 100000
    --max-pending-upgrades-per-address 100000
    --send-bytes-per-second 1000000000 --send-bytes-burst 1000000000
    --room-bytes-per-second 1000000000 --room-bytes-burst 1000000000
    --inbox-bytes-per-second 1000000000 --inbox-bytes-burst 1000000000)
PG_PASSWORD=bench-$RANDOM$RANDOM
PG_DIR="" PG_PID="" PG_PORT="" REDIS_PID="" REDIS_PORT="" REDIS_DIR=""
A_PID="" A_PORT="" A_LOG="" B_PID="" B_PORT="" B_LOG=""

stop_pid() { # stop_pid PID SIGNAL SECONDS: the signal, then SIGKILL after SECONDS
    local pid=$1 sig=$2 secs=$3
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill "-$sig" "$pid" 2>/dev/null || true
    for _ in $(seq $((secs * 10))); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

free_port() { # a port on 127.0.0.1 that nothing listens on (the caller retries on a race)
    local p
    for _ in $(seq 200); do
        p=$((20000 + RANDOM % 12000))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
    done
    echo "nodes: no free port" >&2
    exit 1
}

stop_nodes() {
    stop_pid "$A_PID" TERM 5
    stop_pid "$B_PID" TERM 5
    A_PID="" B_PID=""
    SERVER_PID=""
}

stop_redis() {
    stop_pid "$REDIS_PID" TERM 30
    REDIS_PID=""
    [[ -n $REDIS_DIR ]] && rm -rf "$REDIS_DIR"
    REDIS_DIR=""
}

stop_postgres() {
    stop_pid "$PG_PID" INT 60 # SIGINT: a fast shutdown
    PG_PID=""
    [[ -n $PG_DIR ]] && rm -rf "$PG_DIR"
    PG_DIR=""
}

nodes_cleanup() {
    stop_nodes
    stop_redis
    stop_postgres
    bench_cleanup
}
trap nodes_cleanup EXIT

as_pg_user() { # as_pg_user COMMAND...: as nobody when root (PostgreSQL refuses root)
    if ((EUID == 0)); then
        setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
    else
        "$@"
    fi
}

start_postgres() {
    # Not under $WORK (0700, root's): the cluster's user must reach its folder.
    PG_DIR=$(mktemp -d /tmp/confab-nodes-pg.XXXXXX)
    chmod 0711 "$PG_DIR"
    mkdir "$PG_DIR/data"
    printf '%s\n' "$PG_PASSWORD" >"$PG_DIR/pwfile"
    chmod 0600 "$PG_DIR/pwfile"
    chmod 0700 "$PG_DIR/data"
    ((EUID == 0)) && chown nobody:nogroup "$PG_DIR/data" "$PG_DIR/pwfile"
    (cd "$PG_DIR" && as_pg_user env LC_ALL=C "$PG_BIN/initdb" --pgdata "$PG_DIR/data" --username confab \
        --pwfile "$PG_DIR/pwfile" --auth scram-sha-256 --encoding UTF8 --locale C --no-instructions) \
        >"$LOGS/initdb.log" 2>&1 || { cat "$LOGS/initdb.log" >&2; exit 1; }
    rm -f "$PG_DIR/pwfile"
    local attempt
    for attempt in 1 2 3 4 5; do
        PG_PORT=$(free_port)
        # Default settings apart from the socket (TCP only) and the log (to our file).
        (cd "$PG_DIR" && exec taskset -c "${PG_CPUS:-${SERVER_CPUS:-0}}" setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
            "$PG_BIN/postgres" -D "$PG_DIR/data" -h 127.0.0.1 -p "$PG_PORT" -k '' -c logging_collector=off) \
            >"$LOGS/postgres.log" 2>&1 &
        PG_PID=$!
        for _ in $(seq 600); do # up to 60 s
            grep -q 'ready to accept connections' "$LOGS/postgres.log" && return 0
            kill -0 "$PG_PID" 2>/dev/null || break
            sleep 0.1
        done
        stop_pid "$PG_PID" INT 30
        PG_PID=""
        grep -q 'could not bind\|could not create any TCP/IP' "$LOGS/postgres.log" || break
    done
    echo "nodes: postgres did not start:" >&2
    cat "$LOGS/postgres.log" >&2
    exit 1
}

psql_admin() {
    PGPASSWORD=$PG_PASSWORD timeout 60 "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" \
        -U confab -d postgres -c "$1" >/dev/null
}

new_database() { # new_database NAME SYNCHRONOUS_COMMIT: sets DB_URL
    psql_admin "CREATE DATABASE $1"
    psql_admin "ALTER DATABASE $1 SET synchronous_commit = $2"
    DB_URL="postgresql://confab:$PG_PASSWORD@127.0.0.1:$PG_PORT/$1"
}

pg_pids() { # the postmaster and its children (the nodes' connections included), comma-separated
    { echo "$PG_PID"; ps -o pid= --ppid "$PG_PID"; } | tr -d ' ' | paste -sd,
}

start_redis() {
    REDIS_DIR=$(mktemp -d "$WORK/redis.XXXXXX")
    local attempt
    for attempt in 1 2 3 4 5; do
        REDIS_PORT=$(free_port)
        taskset -c "${SERVER_CPUS:-0}" redis-server --save '' --appendonly no --port "$REDIS_PORT" \
            --bind 127.0.0.1 --dir "$REDIS_DIR" --daemonize no --logfile '' >"$REDIS_DIR/log" 2>&1 &
        REDIS_PID=$!
        for _ in $(seq 300); do # up to 30 s
            if [[ $(timeout 2 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]; then
                return 0
            fi
            kill -0 "$REDIS_PID" 2>/dev/null || break
            sleep 0.1
        done
        stop_pid "$REDIS_PID" TERM 10
        REDIS_PID=""
        grep -q 'Address already in use' "$REDIS_DIR/log" || break
    done
    echo "nodes: redis-server did not start:" >&2
    cat "$REDIS_DIR/log" >&2
    exit 1
}

start_node() { # start_node A|B [server options...]: bench-lib's start_server, kept as node A or B
    local which=$1
    shift
    start_server confab "$@"
    if [[ $which == A ]]; then A_PID=$SERVER_PID A_PORT=$PORT A_LOG=$SERVER_LOG; else B_PID=$SERVER_PID B_PORT=$PORT B_LOG=$SERVER_LOG; fi
}

cpu_jiffies() { # user+nice+system and steal of cores 0 and 1 (/proc/stat)
    awk '$1 == "cpu0" || $1 == "cpu1" { u += $2 + $3 + $4; s += $9 } END { print u, s }' /proc/stat
}

proc_secs() { # CPU seconds of the PIDs given (comma-separated); the gone ones count 0
    local pid total=0 t
    for pid in ${1//,/ }; do
        t=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat" 2>/dev/null) || t=0
        total=$((total + ${t:-0}))
    done
    echo "$total"
}

children_secs() { # CPU seconds of the shell's waited-for children, from `times` output in $WORK/times
    tail -1 "$WORK/times" | sed 's/m/ /g; s/s//g' | awk '{ print $1 * 60 + $2 + $3 * 60 + $4 }'
}

# run_load NAME OTHER_PIDS [loadgen options...]: bench-lib's loadgen, plus the CPU used on
# cores 0-1 meanwhile by processes that are not ours: sets FOREIGN_PCT and STEAL_PCT.
run_load() {
    local name=$1 others=$2
    shift 2
    local hz j0 j1 s0 s1 ours0 ours1 c0 c1 t0 t1
    hz=$(getconf CLK_TCK)
    read -r j0 s0 < <(cpu_jiffies)
    ours0=$(proc_secs "$SERVER_PID,$others")
    times >"$WORK/times" # in this shell: a $(...) subshell would report its own children
    c0=$(children_secs)
    t0=$(date +%s.%N)
    loadgen "$name" "$@"
    t1=$(date +%s.%N)
    times >"$WORK/times"
    c1=$(children_secs)
    ours1=$(proc_secs "$SERVER_PID,$others")
    read -r j1 s1 < <(cpu_jiffies)
    # The load generator's CPU is in the shell's children times (it has been waited for).
    FOREIGN_PCT=$(awk -v j="$((j1 - j0))" -v o="$((ours1 - ours0))" -v c0="$c0" -v c1="$c1" -v hz="$hz" \
        -v w="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
        'BEGIN { f = (j - o) / hz - (c1 - c0); if (f < 0) f = 0; printf "%.1f", 100 * f / w }')
    STEAL_PCT=$(awk -v s="$((s1 - s0))" -v hz="$hz" -v w="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
        'BEGIN { printf "%.1f", 100 * s / hz / w }')
}

# record NAME ROW SIDE ROLES_JSON: one line in all.jsonl (ROLES_JSON names --other-pids' entries)
record() {
    local name=$1 row=$2 side=$3 roles=$4 warnings busy=$IDLE_NOTE
    warnings=$(cat "$LOGS/$name".server*.log 2>/dev/null | grep -vc 'file descriptor limit' || true)
    if awk -v f="$FOREIGN_PCT" 'BEGIN { exit !(f > 10) }'; then
        busy="${busy:+$busy; }other processes used ${FOREIGN_PCT}% of a core on cores 0-1 during the run"
    fi
    jq -c --arg row "$row" --arg side "$side" --arg name "$name" --arg busy "$busy" --arg bus_sync "${BUS_SYNC:-on}" \
        --arg pg_cpus "${PG_CPUS:-${SERVER_CPUS:-0}}" \
        --argjson warnings "$warnings" --argjson roles "$roles" \
        --argjson foreign "$FOREIGN_PCT" --argjson steal "$STEAL_PCT" '
        (.other_cpu_pct // []) as $o
        | def role(r): [range(0; $roles | length) | select($roles[.] == r) | $o[.]] | add // 0;
        {row: $row, side: $side, name: $name, busy: $busy, foreign_pct: $foreign, steal_pct: $steal,
         bus_synchronous_commit: (if $row != "store" then $bus_sync else null end), pg_cpus: $pg_cpus,
         server_log_lines: $warnings,
         node_b_cpu_pct: role("node_b"), redis_cpu_pct: role("redis"), pg_cpu_pct: role("pg")}
        + . + {nodes_cpu_pct: (.server_cpu_pct + role("node_b"))}
        | . + {nodes_cpu_us_per_delivery: (if .deliveries_per_s > 0
                 then .nodes_cpu_pct / 100 / .deliveries_per_s * 1e6 else null end),
               all_cpu_us_per_delivery: (if .deliveries_per_s > 0
                 then (.nodes_cpu_pct + .redis_cpu_pct + .pg_cpu_pct) / 100 / .deliveries_per_s * 1e6
                 else null end)}' \
        "$LOGS/$name.json" >>"$LOGS/all.jsonl"
    jq -r '[.name, (if .busy != "" then "BUSY(" + .busy + ")" else "" end),
        "deliv/s", (.deliveries_per_s | round), "sent/s", (.sent_per_s | round),
        "p50", .latency_p50_ms, "p99", .latency_p99_ms, "rx p50", .latency_receivers_p50_ms,
        "rx p99", .latency_receivers_p99_ms, "ack p99", .ack_latency_p99_ms,
        "node A CPU", .server_cpu_pct, "node B", .node_b_cpu_pct, "pg", .pg_cpu_pct, "redis", .redis_cpu_pct,
        "loadgen", .loadgen_cpu_pct, "foreign", .foreign_pct, "steal", .steal_pct,
        "us/deliv nodes", (.nodes_cpu_us_per_delivery // 0 | . * 1000 | round / 1000),
        "delivered", "\(.deliveries_total)/\(.deliveries_expected)", "log lines", .server_log_lines]
        | map(tostring) | join(" ")' <<<"$(tail -n 1 "$LOGS/all.jsonl")"
}

RUN_SEQ=0
one() { # one ROW SIDE NAME
    local row=$1 side=$2 name=$3 db="bench_$((++RUN_SEQ))_$$"
    rm -f "$LOGS/$name".*
    wait_idle
    case "$row/$side" in
    store/sqlite | store/sqlite-full)
        local sync=normal
        [[ $side == sqlite-full ]] && sync=full
        start_node A "${UNLIMITED[@]}" --sync "$sync"
        run_load "$name" "" --clients 100 --mode closed --duration 10
        stop_nodes
        record "$name" "$row" "$side" '[]'
        ;;
    store/pg | store/pg-async)
        local sc=on
        [[ $side == pg-async ]] && sc=off
        new_database "$db" "$sc"
        start_node A "${UNLIMITED[@]}" --database "$DB_URL"
        local pgp
        pgp=$(pg_pids)
        run_load "$name" "$pgp" --clients 100 --mode closed --duration 10 --other-pids "$pgp"
        stop_nodes
        record "$name" "$row" "$side" "$(tr ',' '\n' <<<"$pgp" | jq -R '"pg"' | jq -sc .)"
        psql_admin "DROP DATABASE $db"
        ;;
    bus/* | buslight/*)
        new_database "$db" "${BUS_SYNC:-on}"
        local load=(--clients 1000 --senders 100 --mode open --rate 100 --duration 10)
        [[ $row == buslight ]] && load=(--clients 100 --senders 10 --mode open --rate 100 --duration 10)
        if [[ $side == one ]]; then
            start_node A "${UNLIMITED[@]}" --database "$DB_URL"
            local pgp
            pgp=$(pg_pids)
            run_load "$name" "$pgp" "${load[@]}" --other-pids "$pgp"
            stop_nodes
            record "$name" "$row" "$side" "$(tr ',' '\n' <<<"$pgp" | jq -R '"pg"' | jq -sc .)"
        else
            start_redis
            start_node A "${UNLIMITED[@]}" --database "$DB_URL" --redis "redis://127.0.0.1:$REDIS_PORT"
            start_node B "${UNLIMITED[@]}" --database "$DB_URL" --redis "redis://127.0.0.1:$REDIS_PORT"
            local pgp others
            pgp=$(pg_pids)
            others="$B_PID,$REDIS_PID,$pgp"
            # bench-lib's loadgen connects to $PORT and samples $SERVER_PID: node A's CPU.
            SERVER_PID=$A_PID SERVER_LOG=$A_LOG
            if [[ $side == same ]]; then
                PORT=$A_PORT
                run_load "$name" "$others" "${load[@]}" --other-pids "$others"
            else
                PORT=$B_PORT
                run_load "$name" "$others" "${load[@]}" --other-pids "$others" \
                    --sender-url "ws://127.0.0.1:$A_PORT"
            fi
            cp "$B_LOG" "$LOGS/$name.server-b.log"
            stop_nodes
            stop_redis
            record "$name" "$row" "$side" \
                "$({ echo node_b; echo redis; tr ',' '\n' <<<"$pgp" | sed 's/.*/pg/'; } | jq -R . | jq -sc .)"
        fi
        psql_admin "DROP DATABASE $db"
        ;;
    esac
}

echo "nodes.sh, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$(dirname "$0")" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "machine: $(nproc) cores, kernel $(uname -r); nodes and Redis on core ${SERVER_CPUS:-0}, PostgreSQL on core ${PG_CPUS:-${SERVER_CPUS:-0}}, loadgen on core ${LOADGEN_CPUS:-1}; logs in $LOGS"
start_postgres
echo "PostgreSQL: $("$PG_BIN/postgres" --version) on 127.0.0.1:$PG_PORT (pid $PG_PID), data in $PG_DIR; $(redis-server --version | cut -d' ' -f1-3)"
((FIRST > 1)) || : >"$LOGS/all.jsonl"
for ((round = FIRST; round <= LAST; round++)); do
    for row in "${ROWS[@]}"; do
        case $row in
        store) read -r -a sides <<<"${STORE_SIDES:-sqlite pg-async sqlite-full pg}" ;;
        bus | buslight) sides=(one same cross) ;;
        esac
        if ((round % 2 == 0)); then
            rev=()
            for ((i = ${#sides[@]} - 1; i >= 0; i--)); do rev+=("${sides[i]}"); done
            sides=("${rev[@]}")
        fi
        for side in "${sides[@]}"; do
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
    | ($runs | map(.side) | unique)[] as $side
    | [$runs[] | select(.side == $side)] as $r
    | "\($row) \($side) (\($r | length) runs): deliveries/s \($r | stat(.deliveries_per_s)); msgs/s \($r | stat(.sent_per_s)); "
      + "p50 \($r | stat(.latency_p50_ms)); p99 \($r | stat(.latency_p99_ms)); "
      + "receivers p50 \($r | stat(.latency_receivers_p50_ms)); receivers p99 \($r | stat(.latency_receivers_p99_ms)); "
      + "ack p50 \($r | stat(.ack_latency_p50_ms)); ack p99 \($r | stat(.ack_latency_p99_ms)); "
      + "node A CPU \($r | stat(.server_cpu_pct)); node B CPU \($r | stat(.node_b_cpu_pct)); "
      + "pg CPU \($r | stat(.pg_cpu_pct)); redis CPU \($r | stat(.redis_cpu_pct)); "
      + "nodes us/delivery \($r | stat(.nodes_cpu_us_per_delivery // 0)); all us/delivery \($r | stat(.all_cpu_us_per_delivery // 0)); "
      + "loadgen CPU \($r | stat(.loadgen_cpu_pct)); foreign \($r | stat(.foreign_pct)); steal \($r | stat(.steal_pct))"
      + "; incomplete runs \([$r[] | select(.deliveries_total != .deliveries_expected)] | length)"
      + "; loadgen > 80%: \([$r[] | select(.loadgen_cpu_pct > 80)] | length)"
      + "; busy: \([$r[] | select(.busy != "")] | length)"
      + "; server log lines \([$r[].server_log_lines] | add)"
' "$LOGS/all.jsonl"
