#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Proof on a real SIP server: Kamailio (registrar) in a server namespace,
# SIPp as a legitimate peer (OPTIONS and REGISTER at a fixed rate), and
# xg-trafgen flooding from spoofed sources, first INVITEs to UDP/5060, then
# junk into the RTP range. Each flood runs twice:
#
#   control    no xdpguard: how much of the flood reaches the server's UDP
#              layer, what it costs Kamailio, what the peer still gets;
#   protected  xdpctl run with automatic mitigation, after a short learning
#              period in which the peer becomes a known peer.
#
# Only the protected run is asserted (the control run's numbers are printed
# for comparison): incident and first drop within 1 s of the flood's start,
# at most 5% of the flood reaching the UDP layer, >= 99% of the peer's calls
# answered during the flood and none failed, the peer in the allowlist as a
# learned peer before and during the flood, every one of its requests that
# reached XDP passed (the allowlist entry's hit counter against what SIPp
# sent), Kamailio near idle, and every block and protect mode withdrawn
# once the incident has closed and the TTL has passed. The topology is
# described in kamailio/lib.sh.
#
# Every address lives inside the namespaces (10.123.0.0/16), every traffic
# run is bounded in packets and seconds, only processes this script started
# are stopped (by PID), and the namespaces go on exit, Ctrl-C included.
# About 2.5 minutes.
#
# usage: tests/integration/kamailio.sh [path/to/xdpctl] [path/to/xg-trafgen]
# shellcheck disable=SC2317 # functions reached through check, wait_for and the traps
set -u

XDPCTL=$(readlink -f "${1:-build/xdpctl}")
TRAFGEN=$(readlink -f "${2:-build/xg-trafgen}")
TAG="xg-ka$$"
WORK=$(mktemp -d /tmp/xg-kam-XXXXXX)
STATE="$WORK/state"
export XDPGUARD_PIN_DIR="/sys/fs/bpf/$TAG"
FLOOD_S=20     # each flood: 20 s at full speed
LEARN_S=20     # the peer's traffic before the protected run's first flood
OPT_RATE=20    # SIPp OPTIONS per second
REG_RATE=10    # SIPp REGISTERs per second
TICK_MS=500    # half-second ticks: detection and the first drop well within 1 s
CLOSE_TICKS=4  # the incident closes 2 s after the flood
TTL_S=10       # mitigation TTL: withdrawn ~12 s after the flood
passed=0
failed=0

# shellcheck source=tests/integration/kamailio/lib.sh
. "$(dirname "$(readlink -f "$0")")/kamailio/lib.sh"

# shellcheck source=tests/lib.sh
. "$(dirname "$(readlink -f "$0")")/../lib.sh"
# le A B: A <= B for decimals
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }
ge_nonzero() { [ "$1" -gt 0 ] && ge "$2" "$3"; } # COUNT VALUE MIN

# Logs stay for a failed run (the final line must be the count, so the
# note about them comes first, from finish).
cleanup() {
	xg_cleanup
	[ "$failed" -gt 0 ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

finish() {
	[ "$failed" -gt 0 ] && echo "kamailio: logs kept in $WORK"
	echo "kamailio: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

if [ "$(id -u)" -ne 0 ] || [ ! -x "$XDPCTL" ] || [ ! -x "$TRAFGEN" ]; then
	echo "kamailio: needs root, $XDPCTL and $TRAFGEN (make)"
	failed=1
	finish
fi
if ! xg_need_sip_tools; then
	echo "kamailio: skipped: kamailio or sipp (package sip-tester) cannot be installed:" \
		"$(tail -1 "$WORK/apt.log" 2>/dev/null)"
	echo "kamailio: 0 passed, 0 failed"
	rm -rf "$WORK"
	trap - EXIT
	exit 0
fi

# --- the protected run's config ----------------------------------------------

# A short learning period (the default is 300 s) so the peer is learned in
# this test's time; mitigation with a short TTL so withdrawal is seen, and
# no cooldown: the second flood comes from the same spoofed range soon after
# the first one's blocks were withdrawn.
write_config() {
	cat >"$WORK/xdpguard.json" <<EOF
{
  "tick_ms": $TICK_MS,
  "baseline": {"window": 60, "learning_s": 10},
  "detection": {"close_ticks": $CLOSE_TICKS},
  "mitigation": {"block_ttl_s": $TTL_S, "cooldown_s": 0}
}
EOF
	"$XDPCTL" config check "$WORK/xdpguard.json"
}

# --- helpers --------------------------------------------------------------------

# The peer's allowlist entry ({"cidr":...,"origin":...,"hits":...}), if any.
peer_allow_entry() {
	xg list allow --json 2>/dev/null | tr -d ' \n' | grep -o '{[^}]*}' |
		grep "\"cidr\":\"$PEER_IP\(/32\)\?\""
}
peer_in_allow_json() { peer_allow_entry >/dev/null; }
# Its hit counter: every packet of the peer's that XDP saw and passed.
peer_hits() {
	local h
	h=$(peer_allow_entry | grep -o '"hits":[0-9]*' | cut -d: -f2)
	echo "${h:-0}"
}
# Frames the bridge could not put into veth-srv's receive ring (the veth
# equivalent of a NIC's RX ring overflowing): lost before XDP runs.
ring_drops() {
	ip -n "$NS_NET" -s link show dev b-veth-srv |
		awk '/^ *TX:/ { getline; print $4; exit }'
}

# Controller-made entries still in force (not expired) in the blocklist.
live_blocks() {
	xg list block --json 2>/dev/null | tr -d ' \n' | grep -o '{[^}]*}' |
		grep -v '"origin":"manual"' | grep -c '"expired":false'
}
# Protect mode in force: the runtime config's mask (xdpctl status does not
# show it, bpftool does, by field name).
protect_on() {
	bpftool map dump pinned "$XDPGUARD_PIN_DIR/xg_config" 2>/dev/null |
		grep -q '"protect_mask": [1-9]'
}
mitigation_gone() { [ "$(live_blocks)" -eq 0 ] && ! protect_on; }
closed_incidents_at_least() { # N
	[ "$(grep -c '"event":"incident_close"' "$STATE/incidents.jsonl" 2>/dev/null)" -ge "$1" ]
}
# HITS SENT RING: every request the peer sent reached XDP's allowlist, but
# for those the veth ring may have lost (at most RING).
peer_accounted() { [ "$1" -gt 0 ] && [ "$1" -le "$2" ] && [ $(($2 - $1)) -le "$3" ]; }
# A latency that exists and is at most 1 s.
within_1s() { [ "$1" != - ] && le "$1" 1.0; }

# The journal's incident_open with start after T (epoch): its start.
incident_start_after() { # T
	grep '"event":"incident_open"' "$STATE/incidents.jsonl" 2>/dev/null |
		grep -o '"start":[0-9.]*' | cut -d: -f2 |
		awk -v t="$1" '$1 + 0 >= t - 0.5 { print; exit }'
}
incident_line_after() { # T
	local s
	s=$(incident_start_after "$1")
	[ -n "$s" ] && grep '"event":"incident_open"' "$STATE/incidents.jsonl" | grep -F "\"start\":$s" | head -1
}
# The first mitigation event in the journal after T: its timestamp.
mitigation_ts_after() { # T
	grep '"event":"mitigation"' "$STATE/incidents.jsonl" 2>/dev/null |
		grep -o '"\(ts\|logged\|time\)":[0-9.]*' | cut -d: -f2 |
		awk -v t="$1" '$1 + 0 >= t - 0.5 { print; exit }'
}

# Polls the drop counters (xdpctl stats over a 100 ms interval, back to
# back) from just before the flood's start, for at most 4 s, and writes the
# epoch time at which the first sample that saw a drop ended to
# $WORK/first-drop.
drop_poller() {
	local end=$((SECONDS + 4)) out t
	rm -f "$WORK/first-drop"
	while [ "$SECONDS" -lt "$end" ]; do
		out=$(xg stats --json --interval 100 2>/dev/null | tr -d ' \n')
		t=$(date +%s.%N)
		if grep -o '"drops_pps":{[^}]*}' <<<"$out" | grep -Eq ':[0-9]*[1-9][0-9]*(\.[0-9]*)?[,}]|:0\.[0-9]*[1-9]'; then
			# the sample covered the last ~100 ms: the first drop was at t at
			# the latest, an upper bound
			echo "$t" >"$WORK/first-drop"
			return 0
		fi
	done
	return 1
}

# Waits up to $1 s for COND (a command) to hold; prints how long it took.
wait_for() { # SECONDS CMD...
	local limit=$1 t0 t
	shift
	t0=$(date +%s.%N)
	while :; do
		if "$@"; then
			t=$(date +%s.%N)
			awk -v a="$t0" -v b="$t" 'BEGIN { printf "%.1f\n", b - a }'
			return 0
		fi
		le "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')" "$limit" || return 1
		sleep 0.25
	done
}

# The peer's SIPp traffic alone for LEARN_S seconds: the learning period
# passes and the peer becomes a known peer, mirrored into the allowlist.
learn() {
	local opt reg
	xg_sipp_start learn-opt options.xml 5070 "$OPT_RATE" $((OPT_RATE * LEARN_S))
	opt=$SIPP_PID
	xg_sipp_start learn-reg register.xml 5072 "$REG_RATE" $((REG_RATE * LEARN_S))
	reg=$SIPP_PID
	xg_sipp_wait "$opt" "$reg"
}

# One measured flood: MODE (control|protected) KIND (sip|rtp). SIPp runs
# 3 s before the flood, during it and 3 s after; the UDP and CPU numbers
# cover the flood and the 1 s after it in which Kamailio drains its socket.
# Results go into R[MODE.KIND.*].
declare -A R
phase() {
	local mode=$1 kind=$2 k="$1.$2" span opt reg u0 u1 c0 c1 h0 h1 r0 r1 w sampler
	span=$((3 + FLOOD_S + 3))
	h0=$(peer_hits)
	r0=$(ring_drops)
	xg_sipp_start "$k-opt" options.xml 5070 "$OPT_RATE" $((OPT_RATE * span))
	opt=$SIPP_PID
	xg_sipp_start "$k-reg" register.xml 5072 "$REG_RATE" $((REG_RATE * span))
	reg=$SIPP_PID
	sleep 3
	if [ "$mode" = protected ]; then
		if peer_in_allow_json; then R[$k.peer_before]=yes; else R[$k.peer_before]=no; fi
		drop_poller &
		R[$k.poller]=$!
		XG_PIDS+=("$!")
	fi
	u0=$(xg_udp_in)
	c0=$(xg_kamailio_ticks)
	# What passes once mitigation is in force: the UDP layer's count from
	# 3 s into the flood to 2 s before its end.
	(
		sleep 3
		echo "$(date +%s.%N) $(xg_udp_in)" >"$WORK/$k-steady"
		sleep $((FLOOD_S - 5))
		echo "$(date +%s.%N) $(xg_udp_in)" >>"$WORK/$k-steady"
	) &
	sampler=$!
	XG_PIDS+=("$sampler")
	echo "       $mode: $kind flood for ${FLOOD_S}s"
	xg_flood "$kind" "$FLOOD_S" "$WORK/$k-flood.log"
	if [ "$mode" = protected ]; then
		if peer_in_allow_json; then R[$k.peer_after]=yes; else R[$k.peer_after]=no; fi
	fi
	sleep 1
	u1=$(xg_udp_in)
	c1=$(xg_kamailio_ticks)
	[ "$mode" = protected ] && wait "${R[$k.poller]}" 2>/dev/null
	wait "$sampler" 2>/dev/null
	xg_sipp_wait "$opt" "$reg"
	h1=$(peer_hits)
	r1=$(ring_drops)
	# What SIPp counted while the flood ran (and its last answers came in).
	w=$(xg_sipp_window "$FLOOD_T0" "$(awk -v t="$FLOOD_T1" 'BEGIN { printf "%.3f", t + 2.5 }')" \
		"$WORK/$k-opt.csv" "$WORK/$k-reg.csv")
	read -r "R[$k.ok]" "R[$k.fail]" "R[$k.retrans]" "R[$k.legit]" <<<"$w"
	read -r "R[$k.created]" "R[$k.tok]" "R[$k.tfail]" "R[$k.tretrans]" \
		<<<"$(xg_sipp_totals "$WORK/$k-opt.csv" "$WORK/$k-reg.csv")"
	# every request SIPp put on the wire, retransmissions included
	R[$k.peer_sent]=$((R[$k.created] + R[$k.tretrans]))
	R[$k.peer_hits]=$((h1 - h0))
	R[$k.ring]=$((r1 - r0))
	R[$k.t0]=$FLOOD_T0
	R[$k.t1]=$FLOOD_T1
	R[$k.sent]=$FLOOD_SENT
	R[$k.pps]=$(awk -v n="$FLOOD_SENT" -v a="$FLOOD_T0" -v b="$FLOOD_T1" 'BEGIN { printf "%.0f", n / (b - a) }')
	# The peer's own datagrams are not flood.
	R[$k.reached]=$(awk -v d=$((u1 - u0)) -v l="${R[$k.legit]}" 'BEGIN { r = d - l; print (r < 0 ? 0 : r) }')
	R[$k.reached_pct]=$(awk -v r="${R[$k.reached]}" -v s="$FLOOD_SENT" 'BEGIN { printf "%.2f", s ? 100 * r / s : 0 }')
	R[$k.steady]=$(awk 'NR == 1 { t = $1; u = $2 } NR == 2 { printf "%.0f", ($2 - u) / ($1 - t) }' \
		"$WORK/$k-steady" 2>/dev/null)
	R[$k.cpu]=$(awk -v t=$((c1 - c0)) -v hz="$HZ" 'BEGIN { printf "%.2f", t / hz }')
	R[$k.succ]=$(awk -v o="${R[$k.ok]}" -v f="${R[$k.fail]}" 'BEGIN { printf "%.1f", o + f ? 100 * o / (o + f) : 0 }')
	if [ "$mode" = protected ]; then
		R[$k.inc]=$(incident_start_after "$FLOOD_T0")
		R[$k.det]=$(awk -v s="${R[$k.inc]:-}" -v t="$FLOOD_T0" 'BEGIN { if (s == "") print "-"; else printf "%.2f", s - t }')
		R[$k.mit]=$(mitigation_ts_after "$FLOOD_T0")
		R[$k.mit_lat]=$(awk -v s="${R[$k.mit]:-}" -v t="$FLOOD_T0" 'BEGIN { if (s == "") print "-"; else printf "%.2f", s - t }')
		R[$k.drop]=$(cat "$WORK/first-drop" 2>/dev/null)
		R[$k.drop_lat]=$(awk -v s="${R[$k.drop]:-}" -v t="$FLOOD_T0" 'BEGIN { if (s == "") print "-"; else printf "%.2f", s - t }')
	fi
	echo "       sent $(xg_si "${R[$k.sent]}") at $(xg_si "${R[$k.pps]}") pps; reached UDP: $(xg_si "${R[$k.reached]}") (${R[$k.reached_pct]}%)," \
		"steady ${R[$k.steady]:-?}/s; Kamailio CPU ${R[$k.cpu]} s; peer: ${R[$k.ok]} ok, ${R[$k.fail]} failed," \
		"${R[$k.retrans]} retransmissions; frames lost in veth-srv's ring: ${R[$k.ring]}"
}

# The protected run's assertions for one flood.
assert_protected() { # KIND
	local k="protected.$1" what=$1 line cpu_max
	line=$(incident_line_after "${R[$k.t0]}")
	check "$what: flood sent (${R[$k.sent]} packets)" test "${R[$k.sent]}" -gt 0
	check "$what: incident opened within 1 s of the flood's start (${R[$k.det]} s)" \
		within_1s "${R[$k.det]}"
	echo "       incident: $(grep -o '"family":"[^"]*"\|"service":"[^"]*"\|"spoofed":[a-z]*\|"botnet":[a-z]*\|"confidence":[0-9]*' <<<"$line" | tr '\n' ' ')"
	check "$what: a mitigation event in the journal (${R[$k.mit_lat]} s after the start)" \
		test -n "${R[$k.mit]:-}"
	check "$what: first drop within 1 s of the flood's start (${R[$k.drop_lat]} s)" \
		within_1s "${R[$k.drop_lat]}"
	check "$what: at most 5% of the flood reached the UDP layer (${R[$k.reached_pct]}%)" \
		le "${R[$k.reached_pct]}" 5
	check "$what: legitimate success >= 99% during the flood (${R[$k.succ]}%, ${R[$k.ok]} calls)" \
		ge_nonzero "${R[$k.ok]}" "${R[$k.succ]}" 99
	check "$what: no failed call in the peer's run, retransmissions included (${R[$k.tfail]} failed, ${R[$k.tretrans]} retransmissions of ${R[$k.created]} calls)" \
		test "${R[$k.tfail]}" -eq 0
	# The allowlist is checked first in XDP and always passes, so its hit
	# counter is the peer's packets xdpguard saw and passed. Any of the
	# peer's requests missing there were lost before XDP, in the veth ring
	# the flood keeps full (counted by ring_drops), not dropped by xdpguard.
	check "$what: xdpguard passed every packet of the peer's it saw: allowlist hits ${R[$k.peer_hits]} = ${R[$k.peer_sent]} sent - lost before XDP (<= ${R[$k.ring]} ring drops)" \
		peer_accounted "${R[$k.peer_hits]}" "${R[$k.peer_sent]}" "${R[$k.ring]}"
	check "$what: the peer was in the allowlist (learned) before and during the flood" \
		test "${R[$k.peer_before]}" = yes -a "${R[$k.peer_after]}" = yes
	# Near idle: under 5% of one core over the flood (control: most of a core).
	cpu_max=$(awk -v s="$FLOOD_S" 'BEGIN { print 0.05 * s }')
	check "$what: Kamailio near idle during the flood (${R[$k.cpu]} CPU s in ${FLOOD_S} s, limit $cpu_max)" \
		le "${R[$k.cpu]}" "$cpu_max"
}

# After a flood: the incident closes, then the mitigation is withdrawn once
# the TTL has passed (the TTL is extended while the attack lasts, so it runs
# from the flood's end), and not before the incident closed.
assert_withdrawn() { # KIND CLOSES: the journal's incident_close count to wait for
	local what=$1 k="protected.$1" took limit id end gone last
	limit=$((CLOSE_TICKS * TICK_MS / 1000 + TTL_S + 10))
	took=$(wait_for "$limit" closed_incidents_at_least "$2")
	check "$what: incident closed after the flood" test -n "$took"
	id=$(incident_line_after "${R[$k.t0]}" | grep -o '"id":"[^"]*"' | cut -d'"' -f4)
	end=$(grep '"event":"incident_close"' "$STATE/incidents.jsonl" | grep -F "\"id\":\"$id\"" |
		grep -o '"end":[0-9.]*' | cut -d: -f2)
	took=$(wait_for "$limit" mitigation_gone)
	gone=$(date +%s.%N)
	# the last withdrawal the journal recorded for this incident
	last=$(grep '"event":"mitigation"' "$STATE/incidents.jsonl" | grep -F "\"incident\":\"$id\"" |
		grep '"action":"un' | grep -o '"ts":[0-9.]*' | cut -d: -f2 | sort -n | tail -1)
	R[$k.wd_flood]=$(awk -v a="${R[$k.t1]}" -v b="${last:-$gone}" 'BEGIN { printf "%.1f", b - a }')
	R[$k.wd_close]=$(awk -v a="${end:-0}" -v b="${last:-$gone}" 'BEGIN { printf "%.1f", b - a }')
	check "$what: every block and protect mode withdrawn (${R[$k.wd_flood]} s after the flood, ${R[$k.wd_close]} s after the incident closed; TTL ${TTL_S} s)" \
		test -n "$took"
	check "$what: withdrawn only after the incident closed and the TTL passed" \
		awk -v c="${R[$k.wd_close]}" -v f="${R[$k.wd_flood]}" -v ttl="$TTL_S" \
		'BEGIN { exit !(c >= 0 && f >= ttl - 1) }'
}

# --- setup ---------------------------------------------------------------------

echo "kamailio: setting up $NS_NET, $NS_SRV, $NS_PEER, $NS_ATK"
check "namespaces, bridge and veths up" xg_topology_up
check "kamailio listens on $SRV_IP:5060" xg_kamailio_start "$WORK/kamailio.log"
xg_sipp_start smoke-opt options.xml 5070 20 20
o=$SIPP_PID
xg_sipp_start smoke-reg register.xml 5072 20 20
r=$SIPP_PID
xg_sipp_wait "$o" "$r"
read -r created okc failc _ <<<"$(xg_sipp_totals "$WORK/smoke-opt.csv" "$WORK/smoke-reg.csv")"
check "kamailio answers SIPp's OPTIONS and REGISTERs with 200 ($okc of $created)" \
	test "$okc" -eq 40 -a "$failc" -eq 0
if [ "$failed" -gt 0 ]; then
	finish
fi

# --- control -------------------------------------------------------------------

echo "kamailio: control run, no xdpguard"
phase control sip
phase control rtp
check "control: the SIP flood reached Kamailio's UDP layer (${R[control.sip.reached_pct]}%)" \
	ge "${R[control.sip.reached_pct]}" 50

# --- protected -----------------------------------------------------------------

echo "kamailio: protected run, xdpctl run on veth-srv"
check "the protected run's config is valid" write_config
nsenter --net="/run/netns/$NS_SRV" "$XDPCTL" run --config "$WORK/xdpguard.json" --state-dir "$STATE" veth-srv \
	>"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
XG_PIDS+=("$DAEMON_PID")
sleep 1
check "xdpctl run is running" kill -0 "$DAEMON_PID"
echo "       the peer's SIPp traffic for ${LEARN_S}s: the learning period (10 s) passes, the peer is learned"
learn
took=$(wait_for 5 peer_in_allow_json)
check "the peer is learned and in the allowlist ($(peer_allow_entry | grep -o '"origin":"[^"]*"'))" \
	test -n "$took"
phase protected sip
assert_protected sip
assert_withdrawn sip 1
phase protected rtp
assert_protected rtp
assert_withdrawn rtp 2
xg_stop_pid "$DAEMON_PID"
check "xdpctl peers lists the peer as learned (state saved on exit)" \
	bash -c "'$XDPCTL' peers --state-dir '$STATE' | grep -q '^$PEER_IP\b'"

# --- the table ----------------------------------------------------------------

row() { printf '  %-34s %20s %20s\n' "$@"; }
echo
echo "kamailio: results (xg-trafgen, one thread, a random source in $SPOOF_CIDR per frame, ${FLOOD_S} s)"
for kind in sip rtp; do
	c="control.$kind"
	p="protected.$kind"
	echo
	if [ "$kind" = sip ]; then
		row "SIP INVITE flood to UDP/5060" control protected
	else
		row "junk into the RTP range (UDP/16384)" control protected
	fi
	row "flood sent (rate)" "$(xg_si "${R[$c.sent]}") ($(xg_si "${R[$c.pps]}")/s)" \
		"$(xg_si "${R[$p.sent]}") ($(xg_si "${R[$p.pps]}")/s)"
	row "reached the server's UDP layer" "$(xg_si "${R[$c.reached]}") (${R[$c.reached_pct]}%)" \
		"$(xg_si "${R[$p.reached]}") (${R[$p.reached_pct]}%)"
	row "Kamailio CPU seconds" "${R[$c.cpu]}" "${R[$p.cpu]}"
	row "peer success during the flood" "${R[$c.succ]}% (${R[$c.ok]})" "${R[$p.succ]}% (${R[$p.ok]})"
	row "peer failed / retransmissions" "${R[$c.fail]} / ${R[$c.retrans]}" "${R[$p.fail]} / ${R[$p.retrans]}"
	row "peer requests seen by XDP / sent" "-" "${R[$p.peer_hits]} / ${R[$p.peer_sent]}"
	row "frames lost in veth-srv's ring" "${R[$c.ring]}" "${R[$p.ring]}"
	row "steady state to UDP (peer ~35/s)" "${R[$c.steady]:-?}/s" "${R[$p.steady]:-?}/s"
	row "incident open / first drop after" "-" "${R[$p.det]} s / ${R[$p.drop_lat]} s"
	row "withdrawn after the flood" "-" "${R[$p.wd_flood]} s"
done
echo
finish
