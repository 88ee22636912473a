#!/usr/bin/env bash
# Runs each libFuzzer harness of a -DCONFAB_FUZZ=ON build for a bounded time, one harness after
# the other, and prints the executions and findings per harness (tests/fuzz/README.md).
#
#   tests/fuzz/run-fuzzers.sh BUILD_DIR SECONDS [HARNESS...]
#
# SECONDS bounds each harness (wall clock). Environment:
#   FUZZ_JOBS=N    parallel fuzzing processes per harness (default: the number of cores, at most 2)
#   FUZZ_RUNS=N    stop a harness once its processes together ran about N inputs (default: no limit)
#   FUZZ_WORK=DIR  where corpora, logs and crash files go (default: BUILD_DIR/tests/fuzz/work)
# The corpus a harness grows is kept in FUZZ_WORK and used again by the next run; the seeds in
# tests/fuzz/corpus are read, never written. Runs under nice -n 19, so builds come first.
# Exit status: 0 if nothing was found, 1 if any harness found something (a crash, leak, timeout or
# out-of-memory input). Slow units (inputs that took over 10 s, -report_slow_units) are listed
# apart and do not count: on a busy machine they measure the machine, so replay them.
set -euo pipefail

if [ $# -lt 2 ]; then
    sed -n '2,15p' "$0" >&2
    exit 2
fi
build=$(cd "$1" && pwd)
seconds=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
bin="$build/tests/fuzz"
work=${FUZZ_WORK:-$bin/work}
cores=$(nproc)
jobs=${FUZZ_JOBS:-$((cores < 2 ? cores : 2))}
harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then
    for f in "$bin"/fuzz_*; do
        [ -x "$f" ] && [ -f "$f" ] && harnesses+=("${f##*/fuzz_}")
    done
fi
if [ ${#harnesses[@]} -eq 0 ]; then
    echo "run-fuzzers: no fuzz_* programs in $bin (configure with -DCONFAB_FUZZ=ON and build)" >&2
    exit 2
fi

# UBSan findings stop the run (the code is built with -fno-sanitize-recover) with a stack.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export QT_LOGGING_RULES=${QT_LOGGING_RULES:-*.debug=false}

found=0
printf '%-20s %8s %14s %9s %5s  %s\n' harness seconds executions findings slow command
for name in "${harnesses[@]}"; do
    program="$bin/fuzz_$name"
    [ -x "$program" ] || { echo "run-fuzzers: no $program" >&2; exit 2; }
    dir="$work/$name"
    mkdir -p "$dir/corpus" "$dir/logs" "$dir/findings"
    rm -f "$dir"/logs/fuzz-*.log
    options=(-max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$dir/findings/")
    [ -f "$here/$name.dict" ] && options+=(-dict="$here/$name.dict")
    [ -n "${FUZZ_RUNS:-}" ] && options+=(-runs=$(((FUZZ_RUNS + jobs - 1) / jobs)))
    find "$dir/findings" -type f | sort >"$dir/logs/findings-before"
    start=$(date +%s)
    # -jobs: independent processes that share the corpus folder; each writes logs/fuzz-N.log.
    (cd "$dir/logs" && nice -n 19 "$program" -jobs="$jobs" -workers="$jobs" "${options[@]}" \
        "$dir/corpus" "$here/corpus/$name" >/dev/null 2>&1) || true
    elapsed=$(($(date +%s) - start))
    executions=0
    for log in "$dir"/logs/fuzz-*.log; do
        [ -f "$log" ] || continue
        n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        # A process killed before its final statistics: its last status line.
        [ -n "$n" ] || n=$(sed -n 's/^#\([0-9]*\).*/\1/p' "$log" | tail -1)
        executions=$((executions + ${n:-0}))
    done
    find "$dir/findings" -type f | sort >"$dir/logs/findings-after"
    all=$(comm -13 "$dir/logs/findings-before" "$dir/logs/findings-after")
    new=$(printf '%s\n' "$all" | grep -v '/slow-unit-' || true)
    slow=$(printf '%s\n' "$all" | grep '/slow-unit-' || true)
    findings=$(printf '%s' "$new" | grep -c . || true)
    slowunits=$(printf '%s' "$slow" | grep -c . || true)
    [ "$findings" -eq 0 ] || found=1
    printf '%-20s %8d %14d %9d %5d  %s\n' "$name" "$elapsed" "$executions" "$findings" \
        "$slowunits" \
        "fuzz_$name -jobs=$jobs -workers=$jobs ${options[*]} CORPUS tests/fuzz/corpus/$name"
    if [ "$findings" -ne 0 ]; then
        grep -h -m1 -E 'ERROR:|runtime error|FUZZ_REQUIRE' "$dir"/logs/fuzz-*.log | sed 's/^/    /' || true
        printf '%s\n' "$new" | sed 's/^/    /'
    fi
    if [ "$slowunits" -ne 0 ]; then
        echo "    slow units (replay each with: $program FILE):"
        printf '%s\n' "$slow" | sed 's/^/    /'
    fi
done
exit $found
