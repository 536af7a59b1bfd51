#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Controller cost: xdpctl run protects a namespace while live traffic keeps
# every counter moving (UDP from thousands of random sources, SIP to 5060,
# RTP into the RTP range, TCP SYNs to 5061); CPU time per tick and RSS are
# read from /proc for the daemon alone. Then replay throughput on a large
# generated capture. Traffic stays in namespaces (10.123.0.0/16), bounded.
#
# usage: tools/bench/controller.sh [--quick] [BUILD_DIR]
set -u

QUICK=0
if [ "${1:-}" = "--quick" ]; then
	QUICK=1
	shift
fi
B=$(readlink -f "${1:-build}")
XDPCTL=$B/xdpctl
TRAFGEN=$B/xg-trafgen
PCAPGEN=$B/xg-pcapgen
TAG="xg-bc$$"
NS_TX="$TAG-tx"
NS_RX="$TAG-rx"
export XDPGUARD_PIN_DIR="/sys/fs/bpf/$TAG"
WORK=$(mktemp -d /tmp/xg-bench-ctl-XXXXXX)
SECS=$((QUICK ? 15 : 60))
DAEMON=
GENS=()

cleanup() {
	for p in "${GENS[@]}" $DAEMON; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	nsenter --net="/run/netns/$NS_RX" "$XDPCTL" detach veth-rx >/dev/null 2>&1
	ip netns del "$NS_TX" 2>/dev/null
	ip netns del "$NS_RX" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$WORK"
	rm -rf "$XDPGUARD_PIN_DIR"
}
trap cleanup EXIT INT TERM

[ "$(id -u)" -eq 0 ] || { echo "controller bench: needs root" >&2; exit 1; }
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
ip netns add "$NS_TX"
ip netns add "$NS_RX"
ip link add veth-tx netns "$NS_TX" type veth peer name veth-rx netns "$NS_RX"
ip -n "$NS_TX" addr add 10.123.4.2/24 dev veth-tx
ip -n "$NS_RX" addr add 10.123.4.1/24 dev veth-rx
ip -n "$NS_TX" link set veth-tx up
ip -n "$NS_RX" link set veth-rx up
ip -n "$NS_RX" link set lo up # the daemon's HTTP API listens on 127.0.0.1
MAC=$(ip -n "$NS_RX" -o link show veth-rx | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)

cat >"$WORK/cfg.json" <<EOF
{"tick_ms": 1000, "baseline": {"learning_s": 5}, "mitigation": {"max_peers": 65536}}
EOF

tg() {
	nsenter --net="/run/netns/$NS_TX" "$TRAFGEN" --dev veth-tx --dst-mac "$MAC" --dst 10.123.4.1 \
		--duration $((SECS + 10)) "$@" >/dev/null 2>&1 &
	GENS+=($!)
}

# The state of a busy node, as data only (nothing is sent to these
# addresses): 1M blocks in 100.64.0.0/10 and 65,536 learned peers (the
# allowlist's cap; with the ~34k live sources, ~100k tracked) in
# 198.18.0.0/15 (RFC 2544's benchmarking range), which the controller
# keeps, ages and mirrors into the XDP allowlist.
load_state() {
	awk 'BEGIN { for (i = 0; i < 1000000; i++)
		printf "100.%d.%d.%d\n", 64 + int(i / 65536), int(i / 256) % 256, i % 256 }' \
		>"$WORK/blocks.txt"
	nsenter --net="/run/netns/$NS_RX" "$XDPCTL" attach veth-rx >/dev/null
	nsenter --net="/run/netns/$NS_RX" "$XDPCTL" block --file "$WORK/blocks.txt" >/dev/null
	mkdir -p "$WORK/state"
	/usr/bin/python3 -c '
import json, sys, time
now = time.clock_gettime_ns(time.CLOCK_REALTIME)
peers = [{"addr": "198.%d.%d.%d" % (18 + i // 65536, i // 256 % 256, i % 256), "reason": "sip",
          "first_ns": now, "last_ns": now, "sip_ok": 10, "rtp_ok": 0} for i in range(65536)]
json.dump({"format": 1, "peers": peers}, open(sys.argv[1], "w"))
' "$WORK/state/peers.json"
}

# measure LABEL TARGETS: the daemon's CPU per tick and RSS under live traffic.
measure() {
	nsenter --net="/run/netns/$NS_RX" "$XDPCTL" run --config "$WORK/cfg.json" \
		--state-dir "$WORK/state" veth-rx >"$WORK/daemon.log" 2>&1 &
	DAEMON=$!
	sleep 2
	# All counters live: many sources (talkers, distinct bitmap), SIP
	# (methods, peer learning), RTP (RTP check, learning), SYNs (flags,
	# SIP-TLS class).
	tg --random-src 10.123.128.0/17 --random-ttl --dport 9999 --pps 20k
	tg --src 10.123.4.2 --sources 2000 --payload sip-register --pps 2k
	tg --src 10.123.4.2 --sources 50 --payload rtp --pps 5k
	tg --src 10.123.4.2 --sources 500 --proto tcp-syn --dport 5061 --pps 2k
	sleep 5

	local hz c0 c1 t0 t1 rss hwm p
	if ! kill -0 "$DAEMON" 2>/dev/null; then
		echo "controller, $1: FAIL: xdpctl run did not start:"
		tail -3 "$WORK/daemon.log" | sed 's/^/  /'
		for p in "${GENS[@]}"; do kill "$p" 2>/dev/null; done
		GENS=()
		DAEMON=
		STATUS=1
		return
	fi
	hz=$(getconf CLK_TCK)
	c0=$(awk '{ print $14 + $15 }' "/proc/$DAEMON/stat")
	t0=$(date +%s.%N)
	sleep "$SECS"
	c1=$(awk '{ print $14 + $15 }' "/proc/$DAEMON/stat")
	t1=$(date +%s.%N)
	rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$DAEMON/status")
	hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$DAEMON/status")
	kill -TERM "$DAEMON"
	wait "$DAEMON" 2>/dev/null
	DAEMON=
	for p in "${GENS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	GENS=()

	awk -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v hz="$hz" -v rss="$rss" \
		-v hwm="$hwm" -v label="$1" -v targets="$2" 'BEGIN {
		wall = t1 - t0; cpu = (c1 - c0) / hz
		share = 100 * cpu / wall
		printf "controller, %s: %.0f s at a 1 s tick, live traffic ~29k pps from ~30k sources\n", label, wall
		printf "  CPU %.3f s in %.0f s: %.3f%% of one core, %.2f ms per tick", cpu, wall, share, 1000 * cpu / wall
		if (targets) printf " (target <= 0.2%%: %s)", share <= 0.2 ? "PASS" : "FAIL"
		printf "\n  RSS %.1f MB now, %.1f MB peak", rss / 1024, hwm / 1024
		if (targets) printf " (target <= 20 MB: %s)", hwm / 1024 <= 20 ? "PASS" : "FAIL"
		printf "\n"
		exit (targets && (share > 0.2 || hwm / 1024 > 20))
	}'
}

STATUS=0
measure "empty lists" 1 || STATUS=1
nsenter --net="/run/netns/$NS_RX" "$XDPCTL" detach veth-rx >/dev/null 2>&1
rm -rf "$WORK/state"
load_state
measure "1M blocks, 65,536 learned peers (the cap) and ~34k live sources" 0 || STATUS=1
echo "  (/proc/PID/stat counts CPU in clock ticks of 1/$(getconf CLK_TCK) s: the figure is coarse)"

scale=$((QUICK ? 5 : 20))
"$PCAPGEN" spoofed_udp_flood --scale "$scale" -o "$WORK/big.pcap" 2>"$WORK/gen.log"
"$XDPCTL" replay "$WORK/big.pcap" >"$WORK/replay.out"
pkts=$(tail -1 "$WORK/replay.out" | grep -o '"packets":[0-9]*' | cut -d: -f2)
pps=$(tail -1 "$WORK/replay.out" | grep -o '"replay_pps":[0-9.]*' | cut -d: -f2)
awk -v n="$pkts" -v r="$pps" 'BEGIN {
	printf "replay: %d packets at %.0f packets/s (target >= 1M: %s)\n", n, r, (r >= 1e6) ? "PASS" : "FAIL"
	exit r < 1e6
}' || STATUS=1
exit "${STATUS:-0}"
