#!/usr/bin/env bash
# Calls over impaired links (issue 13): confab-callbench --scenario for each scenario, each run
# inside tests/support/netlab.sh's namespaces (cap500 and drop need root; rtt150 runs through
# confab-netproxy on loopback). Prints each run's time series and summary; JSON lines go to
# $CONFAB_BENCH_LOGS (default BUILD/bench-results/).
# Usage: bench/netlab-benchmarks.sh [build-dir] [runs] [scenarios...]
#   default: build 1 cap500 rtt150 drop (30 s windows; drop 60 s: 20 s at 4 Mbit/s, 20 s at
#   400 kbit/s, 20 s at 4 Mbit/s again)
# $CONFAB_CALLBENCH_EXTRA: more options for confab-callbench, e.g. "--oracle-kbps 200" (the
# floor after a drop: both senders limited the instant the link drops).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
runs=${2:-1}
shift $(( $# >= 2 ? 2 : $# ))
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(cap500 rtt150 drop)
bench=$build/bench/confab-callbench
server=$build/server/confab-server
proxy=$build/tests/confab-netproxy
for f in "$bench" "$server" "$proxy"; do
    [ -x "$f" ] || { echo "missing $f: cmake --build $build --target confab-callbench confab-server confab-netproxy" >&2; exit 1; }
done
logs=${CONFAB_BENCH_LOGS:-$build/bench-results}
mkdir -p "$logs"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
json=$logs/netlab-$stamp.jsonl
: >"$json"
echo "== machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), kernel $(uname -r)"
echo "== commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u '+%Y-%m-%d %H:%M UTC')"
for scenario in "${scenarios[@]}"; do
    seconds=30
    [ "$scenario" = drop ] && seconds=60
    for i in $(seq "$runs"); do
        echo "== $scenario run $i ($seconds s window; load $(cut -d' ' -f1-3 /proc/loadavg))"
        out=$logs/netlab-$stamp-$scenario-$i.txt
        rc=0
        CONFAB_NETLAB_REQUIRED=1 "$here/../tests/support/netlab.sh" run --timeout $((seconds + 120)) -- \
            "$bench" --codec vp8 --seconds "$seconds" --scenario "$scenario" \
            --server-bin "$server" --proxy-bin "$proxy" --json ${CONFAB_CALLBENCH_EXTRA:-} \
            >"$out" 2>&1 || rc=$?
        [ $rc -eq 0 ] || echo "   (exit status $rc)"
        grep -E '^(video glass-to-glass|audio capture|confab-netproxy:|scenario |estimate at half|probe kbit/s)' "$out" || true
        sed -n '/^per second/,$p' "$out" | grep -v '^{'
        grep '^{' "$out" | jq -c --arg scenario "$scenario" --argjson run "$i" \
            '. + {run: $run}' >>"$json" || true
    done
done
echo "(JSON lines: $json; full outputs: $logs/netlab-$stamp-*.txt)"
