#!/usr/bin/env bash
# Calls: confab-callbench for each codec, several runs each, then a table of ranges.
# Usage: bench/call-benchmarks.sh [build-dir] [runs] [seconds]   (needs jq)
# Before each run it waits (up to 15 minutes) until no compiler, ninja or other benchmark runs and
# both cores are 95% idle (CONFAB_BENCH_NO_WAIT=1: don't).
# Full outputs go to $CONFAB_BENCH_LOGS (default BUILD/bench-results/).
set -euo pipefail
build=${1:-build}
runs=${2:-3}
seconds=${3:-20}
bench=$build/bench/confab-callbench
server=$build/server/confab-server
logs=${CONFAB_BENCH_LOGS:-$build/bench-results}
for f in "$bench" "$server"; do
    [ -x "$f" ] || { echo "missing $f: cmake --build $build --target confab-callbench confab-server" >&2; exit 1; }
done
command -v jq >/dev/null || { echo "needs jq" >&2; exit 1; }
mkdir -p "$logs"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
json=$logs/callbench-$stamp.jsonl     # the runs used for the ranges
all=$logs/callbench-$stamp-all.jsonl  # every try
: >"$json"
: >"$all"

echo "== machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), kernel $(uname -r)"
echo "== commit $(git -C "$(dirname "$0")" rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u '+%Y-%m-%d %H:%M UTC')"

# Both cores at least 95% idle over one second?
idle_now() {
    local a b
    a=$(grep -E '^cpu ' /proc/stat)
    sleep 1
    b=$(grep -E '^cpu ' /proc/stat)
    paste <(echo "$a") <(echo "$b") | awk '{
        n = (NF - 2) / 2; tot = 0; idle = 0
        for (i = 2; i <= n + 1; i++) { d = $(i + n + 1) - $i; tot += d; if (i == 5 || i == 6) idle += d }
        exit !(tot > 0 && idle / tot >= 0.95)
    }'
}

# Waits (at most 15 minutes) until no compiler, ninja or other benchmark of this repository
# runs and the cores are idle.
others='[n]inja|[c]c1plus|[r]un-benchmarks|[c]onfab-loadgen|[c]lient-startup'
wait_quiet() {
    local waited=0
    [ -n "${CONFAB_BENCH_NO_WAIT:-}" ] && return 0
    while pgrep -f "$others" >/dev/null || ! idle_now; do
        if [ $waited -ge 900 ]; then
            echo "   (still busy after 15 min: running anyway; $({ pgrep -fa '[n]inja|[c]c1plus' || true; } | wc -l) compile processes)"
            return 0
        fi
        sleep 9
        waited=$((waited + 10))
    done
    [ $waited -gt 0 ] && echo "   (waited ${waited} s for the machine to be idle)"
    return 0
}

# A run during which other programs used more than $max_other% of a core (from /proc/stat:
# machine busy minus this benchmark minus the server) is reported but repeated, at most
# twice; the ranges below use the last try of each run.
max_other=${CONFAB_BENCH_MAX_OTHER:-20}
for codec in vp8 jpeg; do
    for i in $(seq "$runs"); do
        for try in 1 2 3; do
            wait_quiet
            busy=$({ pgrep -fa '[n]inja|[c]c1plus' || true; } | wc -l)
            echo "== $codec run $i try $try (load $(cut -d' ' -f1-3 /proc/loadavg), compile processes: $busy)"
            out=$logs/callbench-$stamp-$codec-$i-$try.txt
            timeout $((seconds + 120)) "$bench" --codec "$codec" --seconds "$seconds" \
                --server-bin "$server" --json >"$out" 2>&1 || echo "   (exit status $?)"
            grep -v '^{' "$out" | sed -n '/^codec /,/^$/p'
            grep '^| [vj]' "$out" || true
            line=$(grep '^{' "$out" || echo '{}')
            jq -r 'if .wire_codec_ok and .call_still_active then empty else "   WARNING: codec on the wire \(.wire_codecs), call active throughout: \(.call_still_active)" end' <<<"$line"
            other=$(jq -r '(.machine_busy_percent // 0) - (.process_cpu_percent // 0) - (.server_cpu_percent // 0) | round' <<<"$line")
            final=$([ "$other" -le "$max_other" ] || [ "$try" -eq 3 ] && echo true || echo false)
            jq -c --argjson run "$i" --argjson attempt "$try" --argjson busy "$busy" \
                --argjson other "$other" --argjson final "$final" \
                '. + {run: $run, attempt: $attempt, compile_processes: $busy, other_load_percent: $other, final: $final}' \
                <<<"$line" >>"$all"
            [ "$final" = true ] && { jq -c '.' <<<"$(tail -1 "$all")" >>"$json"; break; }
            echo "   other programs used ${other}% of a core during the window: repeating"
        done
    done
done

echo
echo "== every try"
jq -rs '
  "| codec | run | try | video p50 / p95 / max ms | kbit/s sent a, b | enc+dec CPU a, b % | process CPU / 2 % | audio p50 / p95 / max ms | other load % | used |",
  "|---|---|---|---|---|---|---|---|---|---|",
  (.[] | "| \(.codec) | \(.run) | \(.attempt) | \(.video.g2g_p50_ms) / \(.video.g2g_p95_ms) / \(.video.g2g_max_ms) | \(.alice.video_sent_kbps | round), \(.bob.video_sent_kbps | round) | \(.alice.enc_dec_cpu_percent), \(.bob.enc_dec_cpu_percent) | \(.process_cpu_percent_per_side) | \(.audio.p50_ms) / \(.audio.p95_ms) / \(.audio.max_ms) | \(.other_load_percent) | \(if .final then "yes" else "no" end) |")
' "$all"
echo
# min–max of a field over the runs, as "a" or "a–b" (used by the two summaries below)
RANGE_DEF='def span: min as $a | max as $b | if $a == $b then "\($a)" else "\($a)–\($b)" end;
           def r(f): map(f) | span;'
echo "== ranges over $runs runs (min–max)"
jq -rs "$RANGE_DEF"'
  def rr(f): map(f) | flatten | map(round) | span;
  def r1(f): map(f) | flatten | span;
  "| codec | video glass-to-glass p50 / p95 / max ms | frames shown/s (each direction) | video kbit/s sent (each side) | video loss % | enc+dec CPU % of a core (each side) | process CPU / 2 % | audio p50 / p95 ms | server CPU % |",
  "|---|---|---|---|---|---|---|---|---|",
  (group_by(.codec) | sort_by(.[0].codec) | reverse | .[] |
    "| \(.[0].codec) | \(r(.video.g2g_p50_ms)) / \(r(.video.g2g_p95_ms)) / \(r(.video.g2g_max_ms)) | \(r1([.video.taken_fps_alice_to_bob, .video.taken_fps_bob_to_alice])) | \(rr([.alice.video_sent_kbps, .bob.video_sent_kbps])) | \(r(.video.loss_percent)) | \(r1([.alice.enc_dec_cpu_percent, .bob.enc_dec_cpu_percent])) | \(r(.process_cpu_percent_per_side)) | \(r(.audio.p50_ms)) / \(r(.audio.p95_ms)) | \(r(.server_cpu_percent)) |")
' "$json"
echo
echo "== where it goes (min–max over runs)"
jq -rs "$RANGE_DEF"'
  group_by(.codec) | sort_by(.[0].codec) | reverse | .[] |
  "\(.[0].codec): video p50 capture→at the receiving client \(r(.video.capture_to_arrived_p50_ms)) ms, →decoded \(r(.video.capture_to_decoded_mean_of_medians_ms)) ms (pipeline medians), →taken \(r(.video.g2g_p50_ms)) ms; audio p50 capture→arrived \(r(.audio.capture_to_arrived_p50_ms)) ms, →played \(r(.audio.p50_ms)) ms, jitter buffer target \(r([.alice.audio_jitter_delay_ms, .bob.audio_jitter_delay_ms] | max)) ms, max \(r(.audio.max_ms)) ms",
  "\(.[0].codec): alone per frame: encode \(r(.alone_per_frame.encode_thread_ms)) ms, decode \(r(.alone_per_frame.decode_thread_ms)) ms (thread CPU), test pattern \(r(.test_pattern_ms_per_frame)) ms; in the call, per side: video thread \(r([.threads["alice video"].cpu_percent, .threads["bob video"].cpu_percent] | max))% max, audio thread \(r([.threads["alice audio"].cpu_percent, .threads["bob audio"].cpu_percent] | max))% max; shared: main thread \(r(.threads | to_entries | map(select(.key | startswith("main"))) | .[0].value.cpu_percent))%, other threads \(r([.threads | to_entries[] | select(.key | startswith("other")) | .value.cpu_percent] | add))%; server \(r(.server_cpu_percent))%; machine busy \(r(.machine_busy_percent))% of \(.[0].cores)×100%, steal \(r(.machine_steal_percent))%"
' "$json"
echo "(JSON lines: $json)"
