# SPDX-License-Identifier: GPL-2.0-only
# Shared by the controller-level integration tests: two namespaces joined
# by a veth pair, a daemon on the receiving side, peacetime traffic and a
# bounded flood. The caller sets XDPCTL, TRAFGEN, TAG, WORK, STATE, RX_IP,
# TX_IP and PEER_IP, sources this, and calls ns_setup; cleanup is
# ns_cleanup (from the caller's trap).

NS_TX="$TAG-tx"
NS_RX="$TAG-rx"
export XDPGUARD_PIN_DIR="/sys/fs/bpf/$TAG"
DAEMON=

stop_daemon() {
	if [ -n "$DAEMON" ]; then
		kill -TERM "$DAEMON" 2>/dev/null
		wait "$DAEMON" 2>/dev/null
		DAEMON=
	fi
}

ns_cleanup() {
	stop_daemon
	nsenter --net="/run/netns/$NS_RX" "$XDPCTL" detach veth-rx >/dev/null 2>&1
	ip netns del "$NS_TX" 2>/dev/null
	ip netns del "$NS_RX" 2>/dev/null
	rm -rf "$XDPGUARD_PIN_DIR"
}

# ns_setup: the namespaces, the veth pair, the addresses, RX_MAC, and a SIP
# OPTIONS message from the peer in $WORK/options.sip.
ns_setup() {
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
	# the daemon's HTTP API listens on 127.0.0.1 of its namespace
	ip -n "$NS_TX" link set lo up
	ip -n "$NS_RX" link set lo up
	RX_MAC=$(ip -n "$NS_RX" -o link show veth-rx | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
}

start_daemon() {
	nsenter --net="/run/netns/$NS_RX" "$XDPCTL" run --config "$WORK/xdpguard.json" \
		--state-dir "$STATE" veth-rx >>"$WORK/daemon.log" 2>&1 &
	DAEMON=$!
}

# Light peacetime traffic: N datagrams, 20 per second, plus a SIP OPTIONS
# from the peer address every 5th (socat writes the message in one datagram).
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

# A flood of UDP to 9999: about 300k packets/s for at most ${1:-3} s; more
# xg-trafgen options after the duration (a later --dport, --src, --pps or
# --count wins).
flood() {
	flood_bg "$@" && wait "$FLOOD_PID"
}

# flood_bg: the same flood in the background. FLOOD_PID is the generator
# itself (nsenter execs it), so a caller can stop it early.
flood_bg() {
	local secs=${1:-3}
	[ $# -gt 0 ] && shift
	nsenter --net="/run/netns/$NS_TX" "$TRAFGEN" --dev veth-tx --dst-mac "$RX_MAC" \
		--src "$TX_IP" --dst "$RX_IP" --dport 9999 --pps 300k --duration "$secs" \
		--count 1000000 "$@" >"$WORK/flood.log" 2>&1 &
	FLOOD_PID=$!
}

# count_lines FILE PATTERN: lines of FILE matching PATTERN (grep -E), 0 when
# there are none or there is no file yet.
count_lines() {
	local n
	n=$(grep -cE "$2" "$1" 2>/dev/null)
	echo "${n:-0}"
}

# wait_lines FILE PATTERN SECS COUNT: waits up to SECS seconds for FILE to
# hold COUNT lines matching PATTERN.
wait_lines() {
	local deadline=$((SECONDS + $3))
	while [ "$SECONDS" -le "$deadline" ]; do
		[ "$(count_lines "$1" "$2")" -ge "$4" ] && return 0
		sleep 0.1
	done
	return 1
}

journal_has() { count_lines "$STATE/incidents.jsonl" "\"event\":\"$1\""; }

# Waits up to $2 seconds for the journal to hold $3 events of type $1.
wait_journal() { wait_lines "$STATE/incidents.jsonl" "\"event\":\"$1\"" "$2" "$3"; }

# Waits up to $2 seconds for the daemon's log to hold $3 (default 1) lines
# matching $1: the log says when learning is done, which ends a wait sooner
# than a fixed sleep.
wait_log() { wait_lines "$WORK/daemon.log" "$1" "$2" "${3:-1}"; }

# start of the newest incident_open, from the journal
last_open_start() {
	grep '"event":"incident_open"' "$STATE/incidents.jsonl" | tail -1 |
		grep -o '"start":[0-9.]*' | cut -d: -f2
}
