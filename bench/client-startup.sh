#!/usr/bin/env bash
# Desktop client: cold start to the first painted window, then RSS and CPU while idle.
# Usage: bench/client-startup.sh [build-dir] [runs]   (needs xvfb-run)
set -euo pipefail
build=${1:-build}
runs=${2:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"; [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; [ -n "${xvfb:-}" ] && kill "$xvfb" 2>/dev/null || true' EXIT
export XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data XDG_RUNTIME_DIR=$work/run
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
port=$((20000 + RANDOM % 20000))
# One X server for all runs, so its own start-up is not counted.
display=:$((100 + RANDOM % 800))
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
export DISPLAY=$display
for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done

echo "== cold start: process launch to first painted window (host mode, on Xvfb started beforehand), $runs runs"
times=()
for i in $(seq "$runs"); do
    t0=$(date +%s%3N)
    out=$(CONFAB_STARTUP_PROBE=quit "$build/app/confab" --host "$port" --name bench \
        --database "$work/h.sqlite" 2>&1 >/dev/null || true)
    t1=$(sed -n 's/^confab: first frame at \([0-9]*\).*$/\1/p' <<<"$out")
    [ -n "$t1" ] || { echo "no first frame reported:"; echo "$out" | tail -5; exit 1; }
    times+=($((t1 - t0)))
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "first window: min %d ms, median %d ms, max %d ms (includes starting the embedded server)\n", a[1], a[int((NR+1)/2)], a[NR]}'

echo "== idle: 30 s after start, connected, nothing happening"
"$build/app/confab" --host "$port" --name idle --database "$work/h.sqlite" >/dev/null 2>&1 &
pid=$!
sleep 5
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
c0=$(ticks); sleep 30; c1=$(ticks)
hz=$(getconf CLK_TCK)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
echo "shared objects mapped when idle: $(awk '$6 ~ /\.so/ {print $6}' "/proc/$pid/maps" | sort -u | wc -l)"
echo "idle RSS: $((rss / 1024)) MiB; CPU over 30 s: $(( (c1 - c0) * 1000 / hz )) ms ($(awk -v t=$((c1-c0)) -v hz=$hz 'BEGIN{printf "%.2f", t/hz/30*100}')% of a core)"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
