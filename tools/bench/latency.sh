#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# From the first attack packet to the first drop: xdpctl run protects a
# namespace; N times, a bounded flood starts and the time until the
# controller's first mitigation step is read from the journal. Reported as
# p50/p99 at a 1 s tick and at a 100 ms tick. Namespaces only (10.123.0.0/16).
#
# usage: tools/bench/latency.sh [--quick] [BUILD_DIR]
set -u

RUNS=10
if [ "${1:-}" = "--quick" ]; then
	RUNS=3
	shift
fi
B=$(readlink -f "${1:-build}")
XDPCTL=$B/xdpctl
TRAFGEN=$B/xg-trafgen
TAG="xg-bl$$"
NS_TX="$TAG-tx"
NS_RX="$TAG-rx"
export XDPGUARD_PIN_DIR="/sys/fs/bpf/$TAG"
WORK=$(mktemp -d /tmp/xg-bench-lat-XXXXXX)
DAEMON=

cleanup() {
	[ -n "$DAEMON" ] && kill "$DAEMON" 2>/dev/null && wait "$DAEMON" 2>/dev/null
	nsenter --net="/run/netns/$NS_RX" "$XDPCTL" detach veth-rx >/dev/null 2>&1
	ip netns del "$NS_TX" 2>/dev/null
	ip netns del "$NS_RX" 2>/dev/null
	rm -rf "$WORK" "$XDPGUARD_PIN_DIR"
}
trap cleanup EXIT INT TERM

[ "$(id -u)" -eq 0 ] || { echo "latency bench: needs root" >&2; exit 1; }
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
ip netns add "$NS_TX"
ip netns add "$NS_RX"
ip link add veth-tx netns "$NS_TX" type veth peer name veth-rx netns "$NS_RX"
ip -n "$NS_TX" addr add 10.123.5.2/24 dev veth-tx
ip -n "$NS_RX" addr add 10.123.5.1/24 dev veth-rx
ip -n "$NS_TX" link set veth-tx up
ip -n "$NS_RX" link set veth-rx up
ip -n "$NS_RX" link set lo up # the daemon's HTTP API listens on 127.0.0.1
MAC=$(ip -n "$NS_RX" -o link show veth-rx | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)

measure() { # TICK_MS
	local tick=$1 i t0 ts n
	rm -rf "$WORK/state"
	cat >"$WORK/cfg.json" <<EOF
{"tick_ms": $tick, "baseline": {"learning_s": 1, "floors": {"pps": 3000, "udp_pps": 2000}},
 "detection": {"close_ticks": 2}, "mitigation": {"block_ttl_s": 1, "cooldown_s": 0}}
EOF
	nsenter --net="/run/netns/$NS_RX" "$XDPCTL" run --config "$WORK/cfg.json" \
		--state-dir "$WORK/state" veth-rx >"$WORK/daemon.log" 2>&1 &
	DAEMON=$!
	sleep 3
	: >"$WORK/lat.$tick"
	for ((i = 0; i < RUNS; i++)); do
		n=$(grep -c '"action":"block"' "$WORK/state/incidents.jsonl" 2>/dev/null)
		n=${n:-0}
		t0=$(date +%s.%N)
		nsenter --net="/run/netns/$NS_TX" "$TRAFGEN" --dev veth-tx --dst-mac "$MAC" \
			--src 10.123.5.2 --dst 10.123.5.1 --dport 9999 --pps 200k --duration 1.5 \
			--count 300000 >/dev/null 2>&1
		ts=$(grep '"action":"block"' "$WORK/state/incidents.jsonl" 2>/dev/null |
			sed -n "$((n + 1))p" | grep -o '"ts":[0-9.]*' | cut -d: -f2)
		[ -n "$ts" ] && awk -v a="$t0" -v b="$ts" 'BEGIN { printf "%.3f\n", b - a }' >>"$WORK/lat.$tick"
		# wait for the incident to close and the block to lapse
		sleep $((tick >= 1000 ? 5 : 2))
	done
	kill -TERM "$DAEMON"
	wait "$DAEMON" 2>/dev/null
	DAEMON=
	sort -n "$WORK/lat.$tick" | awk -v tick="$tick" -v runs="$RUNS" '
		{ v[NR] = $1 }
		END {
			if (!NR) { printf "tick %4d ms: no measurement: FAIL\n", tick; exit 1 }
			p50 = v[int((NR + 1) / 2)]; p99 = v[NR]
			printf "tick %4d ms: first attack packet -> first drop over %d of %d runs: p50 %.3f s, p99 %.3f s (max)\n", tick, NR, runs, p50, p99
		}'
}

echo "latency: a 200k pps UDP flood from one source, $RUNS runs per tick; the clock starts"
echo "  before the generator loads its program, so each figure is an upper bound"
STATUS=0
measure 1000 || STATUS=1
measure 100 || STATUS=1
exit $STATUS
