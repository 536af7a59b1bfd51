#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# What the HTTP server costs: the time of a /metrics scrape (curl's
# time_total over 100 scrapes, p50 and p99), the size of the exposition with
# the series a busy node has (64 watched ports, the top ports, an open
# incident, every label table), and the controller's tick duration (the
# daemon's own xdpguard_tick_duration_seconds histogram: sum / count over a
# window) with nobody scraping, with a real Prometheus scraping every
# second, and with curl scraping ten times a second (then with nobody
# again: the spread of the two quiet windows is the noise floor).
#
# The daemon runs in namespaces xg-hb<pid>-tx/-rx (10.123.9.0/24) with its
# server on the namespace's 127.0.0.1; steady traffic (xg-trafgen, paced)
# keeps the tick's work the same in every window. Prints a markdown table.
#
# usage: tools/bench/http.sh [--quick] [BUILD_DIR]
#   --quick   10 s windows (default 30 s)
set -u

QUICK=0
if [ "${1:-}" = "--quick" ]; then
	QUICK=1
	shift
fi
BUILD=$(readlink -f "${1:-build}")
XDPCTL="$BUILD/xdpctl"
TRAFGEN="$BUILD/xg-trafgen"
ROOT=$(dirname "$(readlink -f "$0")")/../..
PROMETHEUS=${PROMETHEUS:-/usr/bin/prometheus}
TAG="xg-hb$$"
WORK=$(mktemp -d /tmp/xg-httpbench-XXXXXX)
STATE="$WORK/state"
RX_IP=10.123.9.1
TX_IP=10.123.9.2
PEER_IP=10.123.9.3
PORT=9477
PROM_PORT=9090
WINDOW=$((QUICK ? 2 : 30))
FLOOD_S=$((QUICK ? 4 : 8)) # the flood that opens an incident
SCRAPES=100
PIDS=()
PROM_PID=

# shellcheck source=tests/integration/ctl_lib.sh
. "$ROOT/tests/integration/ctl_lib.sh"

cleanup() {
	local p
	[ -n "$PROM_PID" ] && kill "$PROM_PID" 2>/dev/null && wait "$PROM_PID" 2>/dev/null
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	ns_cleanup
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

for t in "$XDPCTL" "$TRAFGEN" "$PROMETHEUS" /usr/bin/curl; do
	if [ "$(id -u)" -ne 0 ] || [ ! -x "$t" ]; then
		echo "http bench: needs root and $t" >&2
		exit 2
	fi
done

RX_NET="--net=/run/netns/$NS_RX"
BASE="http://127.0.0.1:$PORT"
ns_setup
ip -n "$NS_RX" link set lo up
cat >"$WORK/xdpguard.json" <<EOF
{
  "tick_ms": 1000,
  "sample_rate": 16,
  "services": {"watched_ports": "udp:1000-1031,tcp:2000-2031"},
  "baseline": {"window": 60, "learning_s": 3,
               "floors": {"pps": 3000, "udp_pps": 2000, "sip_udp_pps": 2000, "bps": 50000000}},
  "detection": {"close_ticks": 600},
  "http": {"port": $PORT, "top_ports": 64}
}
EOF
start_daemon
deadline=$((SECONDS + 20))
until nsenter "$RX_NET" curl -sf -o /dev/null "$BASE/metrics"; do
	[ "$SECONDS" -gt "$deadline" ] && { echo "http bench: the server did not come up" >&2; exit 2; }
	sleep 0.2
done
peace 20 # the peer is learned
if ! wait_log learning_done 15; then
	echo "http bench: the daemon did not finish learning" >&2
	exit 2
fi

# Steady traffic on many ports, then a flood that opens an incident (and
# keeps it open: close_ticks is long) so every kind of series is present.
traffic() { # SECONDS DPORT PPS [ARGS]
	nsenter --net="/run/netns/$NS_TX" "$TRAFGEN" --dev veth-tx --dst-mac "$RX_MAC" \
		--src "$TX_IP" --dst "$RX_IP" --duration "$1" --dport "$2" --pps "$3" "${@:4}" \
		>/dev/null 2>&1 &
	PIDS+=($!)
}
TOTAL=$((WINDOW * 4 + 90))
for p in 1000 1007 1031 5060 9999 10000 12000 3478; do
	traffic "$TOTAL" "$p" 2k
done
traffic "$TOTAL" 2000 2k --proto tcp-syn
traffic "$TOTAL" 2031 2k --proto tcp-syn
traffic "$FLOOD_S" 5060 200k --random-src 10.123.128.0/17
FLOOD_END=$((SECONDS + FLOOD_S))
if ! wait_journal incident_open $((FLOOD_S - 1)) 1; then
	echo "http bench: note: no incident opened; incident series absent" >&2
fi

# scrape time and size
: >"$WORK/times"
for ((i = 0; i < SCRAPES; i++)); do
	nsenter "$RX_NET" curl -s -o "$WORK/metrics.txt" -w '%{time_total}\n' "$BASE/metrics" >>"$WORK/times"
done
read -r P50 P99 < <(sort -n "$WORK/times" | awk '{ v[NR] = $1 } END {
	i50 = int(NR * 0.50 + 0.5); i99 = int(NR * 0.99 + 0.5); if (i99 > NR) i99 = NR
	printf "%.2f %.2f\n", v[i50] * 1000, v[i99] * 1000 }')
BYTES=$(wc -c <"$WORK/metrics.txt")
SERIES=$(grep -vc '^#' "$WORK/metrics.txt")
FAMILIES=$(grep -c '^# TYPE' "$WORK/metrics.txt")

# tick: sum and count of the daemon's histogram, one scrape per window edge
tick_sc() {
	nsenter "$RX_NET" curl -s "$BASE/metrics" |
		awk '/^xdpguard_tick_duration_seconds_sum/ { s = $2 } /^xdpguard_tick_duration_seconds_count/ { c = $2 } END { print s, c }'
}
# window NAME: mean tick in ms over WINDOW seconds
window() {
	local s0 c0 s1 c1
	read -r s0 c0 < <(tick_sc)
	sleep "$WINDOW"
	read -r s1 c1 < <(tick_sc)
	awk -v a="$s0" -v b="$s1" -v x="$c0" -v y="$c1" 'BEGIN { printf "%.3f %d\n", (b - a) / (y - x) * 1000, y - x }'
}
# the windows start once the flood is over (its ticks are the busiest),
# and the first is repeated last, so a drift shows
while [ "$SECONDS" -lt $((FLOOD_END + (QUICK ? 1 : 3))) ]; do sleep 0.2; done
read -r T_NONE N_NONE < <(window)

cat >"$WORK/prometheus.yml" <<EOF
global: {scrape_interval: 1s}
scrape_configs:
  - job_name: xdpguard
    scrape_interval: 1s
    scrape_timeout: 900ms
    static_configs: [{targets: ['127.0.0.1:$PORT']}]
EOF
nsenter "$RX_NET" "$PROMETHEUS" --config.file="$WORK/prometheus.yml" \
	--storage.tsdb.path="$WORK/tsdb" --web.listen-address="127.0.0.1:$PROM_PORT" \
	>"$WORK/prometheus.log" 2>&1 &
PROM_PID=$!
sleep $((QUICK ? 2 : 3))
read -r T_PROM N_PROM < <(window)
kill "$PROM_PID" 2>/dev/null
wait "$PROM_PID" 2>/dev/null
PROM_PID=

( for ((i = 0; i < WINDOW * 10 + 50; i++)); do
	nsenter "$RX_NET" curl -s -o /dev/null "$BASE/metrics"
	sleep 0.1
done ) &
LOOP=$!
PIDS+=("$LOOP")
sleep 1
read -r T_10 N_10 < <(window)
kill "$LOOP" 2>/dev/null
wait "$LOOP" 2>/dev/null
read -r T_NONE2 N_NONE2 < <(window)

echo "| measure | value |"
echo "|---|---|"
echo "| /metrics scrape, p50 ($SCRAPES scrapes, curl time_total) | $P50 ms |"
echo "| /metrics scrape, p99 | $P99 ms |"
echo "| exposition size | $BYTES bytes |"
echo "| series (samples) / metric families | $SERIES / $FAMILIES |"
echo "| tick duration, mean, no scraping ($N_NONE ticks) | $T_NONE ms |"
echo "| tick duration, mean, Prometheus at 1 Hz ($N_PROM ticks) | $T_PROM ms |"
echo "| tick duration, mean, curl at 10 Hz ($N_10 ticks) | $T_10 ms |"
echo "| tick duration, mean, no scraping again ($N_NONE2 ticks) | $T_NONE2 ms |"
