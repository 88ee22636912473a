#!/usr/bin/env bash
# Proves the .deb packages on a clean Debian 12: debootstraps a fresh root, installs the
# packages there with apt (every dependency comes from the archive), then checks that the
# programs start and talk to each other. Prints each step; any failure stops it loudly.
# Usage: packaging/verify-debs.sh [PACKAGE_DIR]   (default build-pkg/packages; needs root)
set -euo pipefail
cd "$(dirname "$0")/.."
pkgdir=$(cd "${1:-build-pkg/packages}" && pwd)
ls "$pkgdir"/confab_*.deb "$pkgdir"/confab-server_*.deb "$pkgdir"/confab-videofile_*.deb >/dev/null

step() { echo; echo "== $(date +%T) $*"; }
fail() { echo "VERIFY FAILED: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "run as root (debootstrap and chroot need it)"

work=$(mktemp -d)
root=$work/root
cleanup() {
    # Only what this script started, by the PIDs it recorded: the chroot shares the host's /proc,
    # so "pkill -f confab" in it also killed every other confab process on the machine.
    for pidfile in "$root/tmp/server.pid" "$root/tmp/listen.pid"; do
        [ -s "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    umount -l "$root/dev" 2>/dev/null || true
    umount "$root/proc" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
in_root() { chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

step "debootstrap a clean Debian 12 (bookworm) root"
command -v debootstrap >/dev/null || apt-get install -y -q --no-install-recommends debootstrap >/dev/null
src=/etc/apt/sources.list.d/debian.sources
mirror=$(awk '/^URIs:/{print $2; exit}' "$src" 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log"; fail "debootstrap"; }
if [ -f "$src" ]; then rm -f "$root/etc/apt/sources.list"; cp "$src" "$root/etc/apt/sources.list.d/"; fi
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mkdir -p "$root/tmp/debs"
cp "$pkgdir"/*.deb "$root/tmp/debs/"

in_root apt-get update -q >/dev/null
deb_of() { (cd "$root/tmp/debs" && ls "$1"_*.deb | head -1 | sed 's|^|/tmp/debs/|'); }
# apt_install LOG DEB...: installs (dependencies from the archive) and prints what it cost:
# the packages apt added and the disk space, i.e. that package set's dependency closure on
# top of what is already there.
apt_install() {
    local log=$1
    shift
    echo "without Recommends: $(in_root apt-get install -s --no-install-recommends "$@" 2>/dev/null |
        grep -E '^[0-9]+ upgraded, [0-9]+ newly installed')"
    in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" \
        >"$log" 2>&1 || { tail -30 "$log"; fail "apt install $*"; }
    grep -E "^Setting up confab" "$log"
    echo "cost: $(grep -E '^[0-9]+ upgraded, [0-9]+ newly installed' "$log");" \
        "$(grep -E '^After this operation' "$log")"
}

step "apt install the desktop client alone (its dependency closure on a minimal Debian)"
apt_install "$work/apt-client.log" "$(deb_of confab)"
[ ! -e "$root/usr/lib/x86_64-linux-gnu/libopencv_videoio.so.406" ] ||
    fail "the client alone brought OpenCV videoio (it belongs to confab-videofile)"

step "apt install confab-videofile (the video file module; what it adds on top)"
apt_install "$work/apt-videofile.log" "$(deb_of confab-videofile)"

step "apt install confab-server"
apt_install "$work/apt-server.log" "$(deb_of confab-server)"

step "installed files"
for f in /usr/bin/confab /usr/bin/confab-cli /usr/bin/confab-server /etc/confab/server.ini \
         /lib/systemd/system/confab-server.service /lib/systemd/system/confab-server@.service \
         /usr/share/doc/confab-server/examples/haproxy-confab.cfg /usr/share/applications/confab.desktop \
         /usr/share/metainfo/chat.confab.Confab.metainfo.xml \
         /usr/share/icons/hicolor/48x48/apps/confab.png /usr/share/icons/hicolor/scalable/apps/confab.svg; do
    [ -e "$root$f" ] || fail "missing $f"
    echo "ok $f"
done
module=$(cd "$root" && ls usr/lib/*/confab/confab_videofile.so 2>/dev/null | head -1)
[ -n "$module" ] || fail "missing /usr/lib/<arch>/confab/confab_videofile.so"
echo "ok /$module"
in_root getent passwd confab >/dev/null || fail "no system user 'confab'"
[ "$(in_root stat -c %U /var/lib/confab)" = confab ] || fail "/var/lib/confab not owned by confab"
echo "ok system user confab, /var/lib/confab"

step "the video file module's libraries are installed; the client itself links no videoio"
# confab loads the module (OpenCV videoio: ffmpeg, GStreamer) only for a file camera, so the
# package's dependencies must come from the module (dpkg-shlibdeps reads it too).
in_root ldd "/$module" >"$work/module.ldd" || fail "ldd /$module"
if grep "not found" "$work/module.ldd"; then fail "the video file module's libraries are missing"; fi
grep -q libopencv_videoio "$work/module.ldd" || fail "the module does not link OpenCV videoio"
in_root ldd /usr/bin/confab >"$work/confab.ldd" || fail "ldd /usr/bin/confab"
if grep -E "not found|libopencv_(videoio|imgcodecs)" "$work/confab.ldd"; then fail "confab's libraries"; fi
echo "ok: module $(wc -l <"$work/module.ldd") libraries, confab $(wc -l <"$work/confab.ldd")"

step "the media module's libraries are installed; the client itself links no media library"
# Calls and sounds come from confab-media.so, loaded when first needed (issue 14): its
# libraries must be there, and confab must not link them (a chat-only session maps none).
media=$(cd "$root" && ls usr/lib/*/confab/confab-media.so 2>/dev/null | head -1)
[ -n "$media" ] || fail "missing /usr/lib/<arch>/confab/confab-media.so"
in_root ldd "/$media" >"$work/media.ldd" || fail "ldd /$media"
if grep "not found" "$work/media.ldd"; then fail "the media module's libraries are missing"; fi
grep -q libopus "$work/media.ldd" || fail "the media module does not link Opus"
if grep -E "libQt6Multimedia|libopus|libvpx|libopencv" "$work/confab.ldd"; then
    fail "confab links the media stack itself"
fi
echo "ok: media module $(wc -l <"$work/media.ldd") libraries, confab $(wc -l <"$work/confab.ldd")"

step "confab --version and confab-server --version"
in_root confab --version | tee "$work/v1"
in_root confab-server --version | tee "$work/v2"
grep -q "^confab [0-9]" "$work/v1" || fail "confab --version"
grep -q "^confab-server [0-9]" "$work/v2" || fail "confab-server --version"

step "start confab-server with the packaged config"
port=$((30000 + RANDOM % 20000))
in_root sh -c "confab-server --config /etc/confab/server.ini --port $port \
    --database /tmp/verify-history.sqlite >/tmp/server.log 2>&1 & echo \$! >/tmp/server.pid"
for _ in $(seq 100); do
    grep -q "listening on" "$root/tmp/server.log" 2>/dev/null && break
    sleep 0.1
done
grep "listening on" "$root/tmp/server.log" || { cat "$root/tmp/server.log"; fail "server did not start"; }

step "confab-cli: one message sent and received"
url=ws://127.0.0.1:$port
in_root sh -c "confab-cli --server $url --name listener listen --count 1 --timeout 30 \
    >/tmp/listen.out 2>/tmp/listen.err & echo \$! >/tmp/listen.pid"
for _ in $(seq 100); do
    in_root confab-cli --server "$url" --name probe users 2>/dev/null | grep -q '"listener"' && break
    sleep 0.2
done
in_root confab-cli --server "$url" --name sender send "hello from the package" | tee "$work/sent"
grep -q '"sent":true' "$work/sent" || fail "send"
for _ in $(seq 150); do
    grep -q "hello from the package" "$root/tmp/listen.out" 2>/dev/null && break
    sleep 0.2
done
cat "$root/tmp/listen.out"
grep -q '"content":"hello from the package"' "$root/tmp/listen.out" || { cat "$root/tmp/listen.err"; fail "listen"; }

step "confab starts headless (offscreen), hosts, logs in and exits cleanly"
in_root sh -c "mkdir -p -m 700 /tmp/xdg-run" && in_root env QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=/tmp/xdg-run confab --host $((port + 1)) --name pkguser \
    --quit-after 3000 >"$work/client.log" 2>&1 || { cat "$work/client.log"; fail "confab exited with an error"; }
grep -q "pkguser logged in" "$work/client.log" || { cat "$work/client.log"; fail "client did not log in"; }
echo "ok: $(grep -m1 'pkguser logged in' "$work/client.log")"

step "stop the server (SIGTERM) cleanly"
in_root sh -c 'kill -TERM $(cat /tmp/server.pid)'
for _ in $(seq 50); do in_root sh -c 'kill -0 $(cat /tmp/server.pid) 2>/dev/null' || break; sleep 0.1; done
if in_root sh -c 'kill -0 $(cat /tmp/server.pid) 2>/dev/null'; then fail "server still running"; fi
tail -2 "$root/tmp/server.log"

echo
echo "== all package checks passed"
