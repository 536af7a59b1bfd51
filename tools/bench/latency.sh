#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# From the first attack packet to the first drop: xdpctl run protects a
# namespace; N times, a bounded flood starts and the time until the
# controller's first mitigation step is read from the journal. Reported as
# p50/p99 at a 1 s tick and at a 100 ms tick. Namespaces only (10.123.0.0/16).
# Each flood comes from a source of its own and stops once it is blocked;
# the next starts as soon as the incident has closed, so the runs cost what
# they measure rather than fixed waits.
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
WORK=$(mktemp -d /tmp/xg-bench-lat-XXXXXX)
STATE="$WORK/state"
RX_IP=10.123.5.1
TX_IP=10.123.5.2
PEER_IP=10.123.5.3
FLOOD_PID=

# shellcheck source=tests/integration/ctl_lib.sh
. "$(dirname "$(readlink -f "$0")")/../../tests/integration/ctl_lib.sh"

cleanup() {
	[ -n "$FLOOD_PID" ] && kill "$FLOOD_PID" 2>/dev/null && wait "$FLOOD_PID" 2>/dev/null
	ns_cleanup
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

[ "$(id -u)" -eq 0 ] || {
	echo "latency bench: needs root" >&2
	exit 1
}
ns_setup

BLOCK='"action":"block"' # a block step in the journal

measure() { # TICK_MS
	local tick=$1 i t0 ts n c src
	rm -rf "$STATE"
	: >"$WORK/daemon.log"
	cat >"$WORK/xdpguard.json" <<EOF
{"tick_ms": $tick, "baseline": {"learning_s": 1, "floors": {"pps": 3000, "udp_pps": 2000}},
 "detection": {"close_ticks": 1}, "mitigation": {"block_ttl_s": 1, "cooldown_s": 0}}
EOF
	start_daemon
	# the floods start once the baseline is learnt (the log says so)
	if ! wait_log learning_done 15; then
		echo "tick $tick ms: the daemon did not finish learning: FAIL"
		stop_daemon
		return 1
	fi
	: >"$WORK/lat.$tick"
	for ((i = 0; i < RUNS; i++)); do
		n=$(count_lines "$STATE/incidents.jsonl" "$BLOCK")
		c=$(journal_has incident_close)
		# Runs start at phases of the tick spread evenly over it: the
		# wait before a block is partly the wait for the next tick.
		sleep "$(awk -v t="$tick" -v i="$i" -v n="$RUNS" 'BEGIN { printf "%.3f", t * (i + 0.5) / n / 1000 }')"
		# a fresh source: the last run's block may not have lapsed yet
		src=10.123.5.$((tick >= 1000 ? 10 + i : 100 + i))
		t0=$(date +%s.%N)
		flood_bg 1.5 --src "$src" --pps 200k --count 300000
		# once blocked, the rest of the flood would only be dropped
		wait_lines "$STATE/incidents.jsonl" "$BLOCK" 3 $((n + 1))
		kill "$FLOOD_PID" 2>/dev/null
		wait "$FLOOD_PID" 2>/dev/null
		FLOOD_PID=
		ts=$(grep "$BLOCK" "$STATE/incidents.jsonl" 2>/dev/null |
			sed -n "$((n + 1))p" | grep -o '"ts":[0-9.]*' | cut -d: -f2)
		[ -n "$ts" ] && awk -v a="$t0" -v b="$ts" 'BEGIN { printf "%.3f\n", b - a }' >>"$WORK/lat.$tick"
		# the next run opens an incident of its own
		wait_journal incident_close 10 $((c + 1))
	done
	stop_daemon
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
