# Helpers shared by bench/run-benchmarks.sh and bench/abuse.sh (sourced, not run).
#
# The caller sets BUILD (CMake build directory) and LOGS (where reports go) and calls
# bench_setup; afterwards WORK is a temporary directory removed at exit, and
# start_server / loadgen / stop_server run one server and one load generator at a time,
# each pinned to its cores (SERVER_CPUS, default 0; LOADGEN_CPUS, default 1).

SERVER_BIN=$BUILD/server/confab-server
LOADGEN_BIN=$BUILD/bench/confab-loadgen
BARE_BIN=$BUILD/bench/confab-bare-broadcast
SERVER_PID=""
SERVER_LOG=""
SERVER_DIR=""
PORT=""
IDLE_NOTE=""

bench_need() {
    local bin tool
    for bin in "$@"; do
        [[ -x $bin ]] || { echo "${0##*/}: $bin not found (build it first)" >&2; exit 1; }
    done
    for tool in taskset timeout jq; do
        command -v "$tool" >/dev/null || { echo "${0##*/}: '$tool' is needed" >&2; exit 1; }
    done
    [[ $(nproc) -ge 2 ]] || { echo "${0##*/}: needs at least 2 cores (server on 0, loadgen on 1)" >&2; exit 1; }
}

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

bench_cleanup() {
    stop_server
    [[ -n ${WORK:-} ]] && rm -rf "$WORK"
}

bench_setup() {
    mkdir -p "$LOGS"
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/confab-bench.XXXXXX")
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
    # 10,000 connections need more than the usual 1024 descriptors, in both processes
    # (they inherit this limit).
    local hard
    hard=$(ulimit -Hn)
    if [[ $hard == unlimited ]]; then ulimit -n 1048576 2>/dev/null || true; else ulimit -n "$hard"; fi
    if [[ $(ulimit -n) != unlimited && $(ulimit -n) -lt 10200 ]]; then
        echo "${0##*/}: warning: open file limit $(ulimit -n) < 10200, runs with 10,000 connections will fail (raise ulimit -Hn)" >&2
    fi
}

# Wait (at most CONFAB_BENCH_IDLE_WAIT seconds, default 60) until cores 0 and 1 are both at
# least 95% idle over 1 s. Sets IDLE_NOTE to "" when they were. Otherwise it waits as long
# again for a moment when whatever runs there is nice'd (idle + nice >= 95%: at nice 19 such
# jobs get ~1.5% of a core next to the benchmark's processes), and then runs anyway; either
# way IDLE_NOTE says what the cores were doing.
wait_idle() {
    local wait=${CONFAB_BENCH_IDLE_WAIT:-60}
    local deadline=$((SECONDS + wait)) strict=1
    local a b sample idle nice
    while :; do
        a=$(grep -E '^cpu[01] ' /proc/stat)
        sleep 1
        b=$(grep -E '^cpu[01] ' /proc/stat)
        # Per core: idle% and nice%, e.g. "97 0 98 1".
        sample=$(paste <(echo "$a") <(echo "$b") | awk '{
                n = (NF - 2) / 2; tot = 0; idl = 0; nic = 0
                for (i = 2; i <= n + 1; i++) {
                    d = $(i + n + 1) - $i; tot += d
                    if (i == 5 || i == 6) idl += d
                    if (i == 3) nic += d
                }
                printf "%d %d ", (tot > 0 ? 100 * idl / tot : 100), (tot > 0 ? 100 * nic / tot : 0)
            }')
        read -r i0 n0 i1 n1 <<<"$sample"
        idle="$i0/$i1"
        nice="$n0/$n1"
        if ((i0 >= 95 && i1 >= 95)); then
            IDLE_NOTE=""
            return 0
        fi
        if ((!strict && i0 + n0 >= 95 && i1 + n1 >= 95)); then
            IDLE_NOTE="cores 0/1 busy only with nice'd jobs before the run (idle $idle%, nice $nice%)"
            return 0
        fi
        if ((SECONDS >= deadline)); then
            if ((strict)); then
                strict=0
                deadline=$((SECONDS + wait))
                continue
            fi
            echo "${0##*/}: warning: cores 0/1 still busy after $((2 * wait)) s (idle $idle%, nice $nice%), running anyway" >&2
            IDLE_NOTE="machine busy: cores 0/1 idle $idle%, nice $nice% before the run"
            ps -eo pid,ni,pcpu,comm --sort=-pcpu | head -8 >>"$LOGS/busy.txt"
            return 0
        fi
    done
}

# start_server confab|bare [server options...]: sets SERVER_PID, SERVER_LOG, SERVER_DIR and
# PORT. With SERVER_DB set, the server starts on a copy of that database.
start_server() {
    local kind=$1
    shift
    SERVER_DIR=$(mktemp -d "$WORK/server.XXXXXX")
    local dir=$SERVER_DIR
    if [[ -n ${SERVER_DB:-} ]]; then
        cp "$SERVER_DB" "$dir/history.sqlite"
        [[ -f $SERVER_DB-wal ]] && cp "$SERVER_DB-wal" "$dir/history.sqlite-wal"
    fi
    if [[ $kind == confab ]]; then
        taskset -c "${SERVER_CPUS:-0}" "$SERVER_BIN" --port 0 --database "$dir/history.sqlite" --log-level warning "$@" \
            >"$dir/stdout" 2>"$dir/stderr" &
    else
        taskset -c "${SERVER_CPUS:-0}" "$BARE_BIN" 0 >"$dir/stdout" 2>"$dir/stderr" &
    fi
    SERVER_PID=$!
    SERVER_LOG=$dir/stderr
    PORT=""
    for _ in $(seq 300); do # up to 30 s for the startup line
        PORT=$(grep -o 'wss\?://[^ ]*' "$dir/stdout" 2>/dev/null | head -1 | sed 's/.*://') || true
        [[ -n $PORT ]] && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "${0##*/}: server did not start:" >&2
    cat "$dir/stderr" >&2
    exit 1
}

# loadgen NAME [loadgen options...]: runs the load generator against the running server
# (ws://, or wss:// with SCHEME=wss); the JSON line goes to $LOGS/NAME.json, the report to
# NAME.txt, the server's log so far to NAME.server.log (NAME$LOG_SUFFIX if that is set).
loadgen() {
    local name=$1${LOG_SUFFIX:-}
    shift
    if ! timeout 600 taskset -c "${LOADGEN_CPUS:-1}" "$LOADGEN_BIN" --url "${SCHEME:-ws}://127.0.0.1:$PORT" \
        --server-pid "$SERVER_PID" --json --no-progress "$@" >"$LOGS/$name.txt" 2>"$LOGS/$name.err"; then
        echo "${0##*/}: loadgen failed in run $name:" >&2
        cat "$LOGS/$name.err" >&2
        exit 1
    fi
    tail -n 1 "$LOGS/$name.txt" >"$LOGS/$name.json"
    cp "$SERVER_LOG" "$LOGS/$name.server.log"
}

# A self-signed P-256 certificate for 127.0.0.1 in $WORK (made once): sets TLS_CERT, TLS_KEY.
make_certificate() {
    TLS_CERT=$WORK/cert.pem
    TLS_KEY=$WORK/key.pem
    [[ -f $TLS_CERT ]] && return 0
    command -v openssl >/dev/null || { echo "${0##*/}: 'openssl' is needed for the TLS runs" >&2; exit 1; }
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$TLS_KEY" -out "$TLS_CERT" \
        -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
}

# A database with N accounts (PREFIX0 .. PREFIXN-1, password PW) made with the admin command,
# once per N in $WORK (each account costs one Argon2id hash, ~0.1-0.2 s): sets ACCOUNTS_DB.
make_accounts() {
    local n=$1 prefix=$2 pw=$3
    ACCOUNTS_DB=$WORK/accounts-$prefix-$n.sqlite
    [[ -f $ACCOUNTS_DB ]] && return 0
    local i
    for ((i = 0; i < n; i++)); do
        CONFAB_PASSWORD=$pw nice -n 5 "$SERVER_BIN" admin --database "$ACCOUNTS_DB.tmp" create "$prefix$i" >/dev/null ||
            { echo "${0##*/}: cannot create account $prefix$i" >&2; exit 1; }
    done
    # One file: the admin command leaves no WAL behind once it has exited, but be sure.
    sqlite3 "$ACCOUNTS_DB.tmp" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null 2>&1 || true
    mv "$ACCOUNTS_DB.tmp" "$ACCOUNTS_DB"
    rm -f "$ACCOUNTS_DB.tmp-wal" "$ACCOUNTS_DB.tmp-shm"
}
