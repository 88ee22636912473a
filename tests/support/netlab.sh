#!/usr/bin/env bash
# netlab: impaired links for call tests and benchmarks (issue 13), in network namespaces that
# this script creates for one run and deletes afterwards, whatever happens.
#
#   netlab.sh run [--timeout SECONDS] -- COMMAND [ARGS...]
#       Creates two namespaces, "clients" and "server", joined by two veth pairs (one per user,
#       alice's link and bob's link), runs COMMAND in the clients namespace with the variables
#       below, and deletes both namespaces when COMMAND ends, fails, times out (default 300 s)
#       or this script is interrupted. COMMAND starts the server itself in the server namespace
#       (`ip netns exec $CONFAB_NETLAB_SERVER_NS confab-server --listen 0.0.0.0 ...`) and connects
#       alice to $CONFAB_NETLAB_ALICE_SERVER, bob to $CONFAB_NETLAB_BOB_SERVER, so that each
#       user's traffic takes that user's link, where `rate` shapes it.
#       Without root, ip netns or tc's tbf, COMMAND runs as it is with
#       CONFAB_NETLAB_UNAVAILABLE set to the reason (tests skip, saying why), unless $CI or
#       CONFAB_NETLAB_REQUIRED=1 is set: then that is a failure (exit status 1).
#   netlab.sh rate ID alice|bob|both RATE|none
#       Caps both directions of the link(s) with tbf (RATE as tc takes it: 500kbit, 4mbit), or
#       lifts the cap. Can be called while the run goes on (COMMAND gets ID and this script's
#       path as $CONFAB_NETLAB_ID and $CONFAB_NETLAB_SCRIPT). The queue holds
#       $CONFAB_NETLAB_QUEUE_MS (default 200) of the rate, like a router's buffer.
#   netlab.sh sweep
#       Deletes namespaces left by runs whose script is gone (SIGKILL leaves no trap to run);
#       every `run` does this first.
#
# Addresses: 10.201.1.1 (clients) - 10.201.1.2 (server) is alice's link, 10.201.2.1 - 10.201.2.2
# bob's. They exist only inside the two namespaces; nothing outside them is touched.
set -euo pipefail

prefix=cfbnl
script=$(readlink -f "$0")

ns_of() { echo "$prefix-$1-$2"; } # ID clients|server

# Kills what still runs in a namespace, then deletes it.
delete_ns() {
    local ns=$1 pids
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
}

sweep() {
    local ns id
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$prefix-[0-9]+-(clients|server)$" || true); do
        id=$(echo "$ns" | cut -d- -f2)
        kill -0 "$id" 2>/dev/null || delete_ns "$ns"
    done
}

# tbf on one device in one namespace: RATE, or none.
shape() {
    local ns=$1 dev=$2 rate=$3 queue_ms=${CONFAB_NETLAB_QUEUE_MS:-200} bits burst
    if [ "$rate" = none ]; then
        tc -n "$ns" qdisc del dev "$dev" root 2>/dev/null || true
        return 0
    fi
    bits=$(echo "$rate" | awk '{ v = $0 + 0; u = tolower($0); sub(/^[0-9.]+/, "", u)
        m = (u == "kbit") ? 1e3 : (u == "mbit") ? 1e6 : (u == "gbit") ? 1e9 : (u == "bit" || u == "") ? 1 : -1
        if (m < 0 || v <= 0) exit 1; printf "%d", v * m }') || { echo "netlab: bad rate $rate" >&2; return 2; }
    # A bucket of 10 ms of the rate, at least two full packets.
    burst=$(( bits / 800 > 3028 ? bits / 800 : 3028 ))
    tc -n "$ns" qdisc change dev "$dev" root tbf rate "$rate" burst "$burst" latency "${queue_ms}ms" 2>/dev/null ||
        tc -n "$ns" qdisc replace dev "$dev" root tbf rate "$rate" burst "$burst" latency "${queue_ms}ms"
}

rate() {
    local id=$1 which=$2 rate=$3 link
    case $which in
        alice) set -- a ;;
        bob) set -- b ;;
        both) set -- a b ;;
        *) echo "netlab: rate: alice, bob or both" >&2; return 2 ;;
    esac
    for link in "$@"; do
        shape "$(ns_of "$id" clients)" "v$link" "$rate" # what the user sends
        shape "$(ns_of "$id" server)" "s$link" "$rate"  # what the user receives
    done
}

unavailable() {
    local reason=$1
    shift
    if [ -n "${CI:-}" ] || [ "${CONFAB_NETLAB_REQUIRED:-}" = 1 ]; then
        echo "netlab: $reason (required here: \$CI or CONFAB_NETLAB_REQUIRED is set)" >&2
        exit 1
    fi
    echo "netlab: $reason; running without impaired links" >&2
    CONFAB_NETLAB_UNAVAILABLE="$reason" exec "$@"
}

run() {
    local timeout=300
    while [ $# -gt 0 ]; do
        case $1 in
            --timeout) timeout=$2; shift 2 ;;
            --) shift; break ;;
            *) echo "netlab: run [--timeout S] -- COMMAND..." >&2; exit 2 ;;
        esac
    done
    [ $# -gt 0 ] || { echo "netlab: run: no command" >&2; exit 2; }
    [ "$(id -u)" -eq 0 ] || unavailable "needs root for network namespaces (uid $(id -u))" "$@"
    command -v ip >/dev/null && command -v tc >/dev/null ||
        unavailable "needs ip and tc (iproute2)" "$@"
    sweep
    # Global: the EXIT trap runs after this function has returned.
    local id=$$
    c=$(ns_of "$id" clients)
    s=$(ns_of "$id" server)
    cleanup() {
        trap - EXIT INT TERM HUP
        delete_ns "$c"
        delete_ns "$s"
    }
    trap cleanup EXIT
    trap 'exit 143' INT TERM HUP
    local err
    if ! err=$(ip netns add "$c" 2>&1 && ip netns add "$s" 2>&1); then
        cleanup
        unavailable "cannot create network namespaces: $err" "$@"
    fi
    ip -n "$c" link set lo up
    ip -n "$s" link set lo up
    local link n
    for link in a b; do
        n=$([ $link = a ] && echo 1 || echo 2)
        ip -n "$c" link add "v$link" type veth peer name "s$link" netns "$s"
        ip -n "$c" addr add "10.201.$n.1/24" dev "v$link"
        ip -n "$s" addr add "10.201.$n.2/24" dev "s$link"
        ip -n "$c" link set "v$link" up
        ip -n "$s" link set "s$link" up
    done
    if ! err=$(rate "$id" both 4mbit 2>&1 && rate "$id" both none 2>&1); then
        cleanup
        unavailable "tc cannot use tbf: $err" "$@"
    fi
    export CONFAB_NETLAB_ID=$id CONFAB_NETLAB_SCRIPT=$script CONFAB_NETLAB_SERVER_NS=$s
    export CONFAB_NETLAB_CLIENTS_NS=$c
    export CONFAB_NETLAB_ALICE_SERVER=10.201.1.2 CONFAB_NETLAB_BOB_SERVER=10.201.2.2
    local rc=0
    # In the background, so that a signal to this script is handled at once (bash runs traps
    # only between foreground commands); the trap passes it on and cleans up.
    timeout --kill-after=5 "$timeout" ip netns exec "$c" "$@" &
    child=$!
    trap 'kill -TERM $child 2>/dev/null; exit 143' INT TERM HUP
    wait $child || rc=$?
    [ $rc -eq 124 ] && echo "netlab: the command ran out of its $timeout s" >&2
    return $rc
}

cmd=${1:-}
shift || true
case $cmd in
    run) run "$@" ;;
    rate) [ $# -eq 3 ] || { echo "netlab: rate ID alice|bob|both RATE|none" >&2; exit 2; }; rate "$@" ;;
    sweep) sweep ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
