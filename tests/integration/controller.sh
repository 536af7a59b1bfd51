#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The controller on a live veth: xdpctl run protects a namespace, a real
# flood (xg-trafgen, bounded in packets and seconds) must open an incident
# within one tick, the incident must close after the flood, a restart must
# keep the baselines, and at a 100 ms tick detection must be faster still.
# Addresses only inside the namespaces; cleanup on exit.
#
# usage: tests/integration/controller.sh path/to/xdpctl path/to/xg-trafgen
set -u

XDPCTL=$(readlink -f "${1:-build/xdpctl}")
TRAFGEN=$(readlink -f "${2:-build/xg-trafgen}")
TAG="xg-ct$$"
WORK=$(mktemp -d /tmp/xg-ctl-XXXXXX)
STATE="$WORK/state"
RX_IP=10.123.3.1
TX_IP=10.123.3.2
PEER_IP=10.123.3.3 # sends SIP OPTIONS in peacetime: must be learned
passed=0
failed=0

# shellcheck source=tests/lib.sh
. "$(dirname "$(readlink -f "$0")")/../lib.sh"

# shellcheck source=tests/integration/ctl_lib.sh
. "$(dirname "$(readlink -f "$0")")/ctl_lib.sh"

cleanup() {
	ns_cleanup
	[ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

if [ "$(id -u)" -ne 0 ] || [ ! -x "$TRAFGEN" ]; then
	echo "controller: needs root and $TRAFGEN"
	echo "controller: 0 passed, 1 failed"
	exit 1
fi

# Floors low enough for a namespace test; the flood is far above them.
write_config() { # TICK_MS [ALLOWLIST-JSON-ARRAY]
	cat >"$WORK/xdpguard.json" <<EOF
{
  "tick_ms": $1,
  "sample_rate": 16,
  "baseline": {"window": 60, "learning_s": 3,
               "floors": {"pps": 3000, "udp_pps": 2000, "bps": 50000000}},
  "detection": {"close_ticks": 3},
  "mitigation": {"block_ttl_s": 4, "cooldown_s": 0, "allowlist": ${2:-[]}}
}
EOF
}

echo "controller: setting up $NS_TX and $NS_RX"
ns_setup

echo "controller: a flood opens an incident within one tick (1 s)"
write_config 1000 '["10.123.3.9"]'
start_daemon
peace 100 # 5 s: the 3 s learning period passes, baselines fill
check "daemon is running" kill -0 "$DAEMON"
check "daemon logged its start" grep -q "controller running: tick 1000 ms" "$WORK/daemon.log"
t0=$(date +%s.%N)
flood
check "flood sent packets" grep -q "^sent [1-9]" "$WORK/flood.log"
check "incident opened" wait_journal incident_open 3 1
start=$(last_open_start)
lat=$(awk -v a="$t0" -v b="${start:-0}" 'BEGIN { printf "%.3f", b - a }')
echo "       detection latency at a 1 s tick: ${lat} s (flood start -> incident open)"
check "detected within 1 s of the flood's start (${lat} s)" \
	awk -v l="$lat" 'BEGIN { exit !(l > -0.05 && l <= 1.05) }'
check "classified as a UDP flood" \
	grep -q '"event":"incident_open".*"family":"udp_flood"' "$STATE/incidents.jsonl"
check "the daemon logged the incident" grep -q "incident_open id=" "$WORK/daemon.log"
first_drop=$(grep '"event":"mitigation"' "$STATE/incidents.jsonl" | head -1 | grep -o '"ts":[0-9.]*' | cut -d: -f2)
lat=$(awk -v a="$t0" -v b="${first_drop:-0}" 'BEGIN { printf "%.3f", b - a }')
echo "       flood start -> first block in force: ${lat} s"
check "the flood's source is blocked within 1 s (${lat} s)" \
	awk -v l="$lat" 'BEGIN { exit !(l > -0.05 && l <= 1.05) }'
check "the block names its reason and incident" \
	bash -c "nsenter --net=/run/netns/$NS_RX '$XDPCTL' list block --json | grep -q '\"reason\": \"top-source\"'"
check "the SIP peer was learned" \
	bash -c "'$XDPCTL' peers --state-dir '$STATE' | grep -q '^$PEER_IP '"
check "the config allowlist is in the XDP allowlist" \
	bash -c "nsenter --net=/run/netns/$NS_RX '$XDPCTL' list allow | grep -q '^10.123.3.9 .*config'"
check "the learned peer is in the XDP allowlist" \
	bash -c "nsenter --net=/run/netns/$NS_RX '$XDPCTL' list allow | grep -q '^$PEER_IP .*learned'"
check "incident closes after the flood stops" wait_journal incident_close 8 1
check "the block is withdrawn after the incident and its TTL" \
	bash -c "for i in \$(seq 80); do nsenter --net=/run/netns/$NS_RX '$XDPCTL' list block | grep -q '(empty)' && exit 0; sleep 0.1; done; exit 1"
check "the withdrawal is journaled" grep -q '"action":"unblock"' "$STATE/incidents.jsonl"
check "xdpctl incidents lists it, closed" \
	bash -c "'$XDPCTL' incidents --state-dir '$STATE' | grep -q 'udp_flood.*closed'"
id=$(grep -o '"id":"[^"]*"' "$STATE/incidents.jsonl" | head -1 | cut -d'"' -f4)
check "xdpctl incident show prints it" \
	bash -c "'$XDPCTL' incident show '$id' --state-dir '$STATE' | grep -q '\"family\": \"udp_flood\"'"

echo "controller: a restart keeps the baselines"
stop_daemon
check "SIGTERM stops the daemon and leaves the program attached" \
	bash -c "ip -n $NS_RX link show veth-rx | grep -q xdp"
check "baselines saved" test -s "$STATE/baseline.json"
start_daemon
sleep 1
check "restart restores the baselines, no new learning period" \
	bash -c "tail -5 '$WORK/daemon.log' | grep -Eq 'baselines: [1-9][0-9]* samples restored, learning done'"

echo "controller: SIGHUP reloads the config; a bad config keeps the old one"
write_config 100
kill -HUP "$DAEMON"
sleep 0.5
check "reloaded with a 100 ms tick" grep -q "config reloaded (tick 100 ms" "$WORK/daemon.log"
check "an allowlist entry the new config drops leaves the program" \
	bash -c "! nsenter --net=/run/netns/$NS_RX '$XDPCTL' list allow | grep -q '^10.123.3.9 '"
cp "$WORK/xdpguard.json" "$WORK/good.json"
echo '{"tick_ms": 5}' >"$WORK/xdpguard.json"
kill -HUP "$DAEMON"
sleep 0.5
check "an invalid config is refused and logged" \
	grep -q "config reload failed, keeping the old config:.*tick_ms" "$WORK/daemon.log"
check "the daemon keeps running" kill -0 "$DAEMON"
cp "$WORK/good.json" "$WORK/xdpguard.json"

echo "controller: at a 100 ms tick, detection within 250 ms"
sleep 1
t0=$(date +%s.%N)
flood
check "second incident opened" wait_journal incident_open 3 2
start=$(last_open_start)
lat=$(awk -v a="$t0" -v b="${start:-0}" 'BEGIN { printf "%.3f", b - a }')
echo "       detection latency at a 100 ms tick: ${lat} s"
check "detected within 250 ms (${lat} s)" awk -v l="$lat" 'BEGIN { exit !(l > -0.05 && l <= 0.25) }'
check "second incident closes" wait_journal incident_close 5 2

stop_daemon
echo "controller: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
