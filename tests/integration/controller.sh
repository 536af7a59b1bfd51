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
NS_TX="$TAG-tx"
NS_RX="$TAG-rx"
export XDPGUARD_PIN_DIR="/sys/fs/bpf/$TAG"
WORK=$(mktemp -d /tmp/xg-ctl-XXXXXX)
STATE="$WORK/state"
RX_IP=10.123.3.1
TX_IP=10.123.3.2
PEER_IP=10.123.3.3 # sends SIP OPTIONS in peacetime: must be learned
DAEMON=
passed=0
failed=0

# shellcheck source=tests/lib.sh
. "$(dirname "$(readlink -f "$0")")/../lib.sh"

stop_daemon() {
	if [ -n "$DAEMON" ]; then
		kill -TERM "$DAEMON" 2>/dev/null
		wait "$DAEMON" 2>/dev/null
		DAEMON=
	fi
}

cleanup() {
	stop_daemon
	nsenter --net="/run/netns/$NS_RX" "$XDPCTL" detach veth-rx >/dev/null 2>&1
	ip netns del "$NS_TX" 2>/dev/null
	ip netns del "$NS_RX" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$WORK"; rm -rf "$XDPGUARD_PIN_DIR"
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

start_daemon() {
	nsenter --net="/run/netns/$NS_RX" "$XDPCTL" run --config "$WORK/xdpguard.json" \
		--state-dir "$STATE" veth-rx >>"$WORK/daemon.log" 2>&1 &
	DAEMON=$!
}

# Light peacetime traffic: N datagrams, 20 per second, plus a SIP OPTIONS
# from the peer address every 5th (cat writes the message in one datagram).
peace() {
	local i
	for ((i = 0; i < $1; i++)); do
		nsenter --net="/run/netns/$NS_TX" bash -c "echo hello > /dev/udp/$RX_IP/9999" 2>/dev/null
		if ((i % 5 == 0)); then
			nsenter --net="/run/netns/$NS_TX" socat -u "FILE:$WORK/options.sip" \
				"UDP4-SENDTO:$RX_IP:5060,bind=$PEER_IP:5060" 2>/dev/null
		fi
		sleep 0.05
	done
}

# A flood of UDP to 9999: about 300k packets/s for at most 3 s.
flood() {
	nsenter --net="/run/netns/$NS_TX" "$TRAFGEN" --dev veth-tx --dst-mac "$RX_MAC" \
		--src "$TX_IP" --dst "$RX_IP" --dport 9999 --pps 300k --duration 3 \
		--count 1000000 >"$WORK/flood.log" 2>&1
}

journal_has() { local n; n=$(grep -c "\"event\":\"$1\"" "$STATE/incidents.jsonl" 2>/dev/null); echo "${n:-0}"; }

# Waits up to $2 seconds for the journal to hold $3 events of type $1.
wait_journal() {
	local deadline=$((SECONDS + $2))
	while [ "$SECONDS" -le "$deadline" ]; do
		[ "$(journal_has "$1")" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

# start of the newest incident_open, from the journal
last_open_start() {
	grep '"event":"incident_open"' "$STATE/incidents.jsonl" | tail -1 |
		grep -o '"start":[0-9.]*' | cut -d: -f2
}

echo "controller: setting up $NS_TX and $NS_RX"
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
ip netns add "$NS_TX"
ip netns add "$NS_RX"
ip link add veth-tx netns "$NS_TX" type veth peer name veth-rx netns "$NS_RX"
ip -n "$NS_TX" addr add "$TX_IP/24" dev veth-tx
ip -n "$NS_TX" addr add "$PEER_IP/24" dev veth-tx
printf 'OPTIONS sip:%s SIP/2.0\r\nVia: SIP/2.0/UDP %s:5060;branch=z9hG4bK-ct\r\nFrom: <sip:peer@%s>;tag=1\r\nTo: <sip:%s>\r\nCall-ID: ct@%s\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n' \
	"$RX_IP" "$PEER_IP" "$PEER_IP" "$RX_IP" "$PEER_IP" >"$WORK/options.sip"
ip -n "$NS_RX" addr add "$RX_IP/24" dev veth-rx
ip -n "$NS_TX" link set veth-tx up
ip -n "$NS_RX" link set veth-rx up
RX_MAC=$(ip -n "$NS_RX" -o link show veth-rx | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)

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
check "reloaded with a 100 ms tick" grep -q "config reloaded (tick 100 ms)" "$WORK/daemon.log"
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
