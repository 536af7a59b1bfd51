#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The live demo (make demo), about a minute: a SIP registrar (Kamailio)
# protected by `xdpctl run`, a legitimate peer (SIPp: OPTIONS and REGISTER,
# 30 requests/s) and an attacker (xg-trafgen: a SIP INVITE flood from random
# sources in 10.123.128.0/17, as fast as one thread goes, 15 s) on a bridge
# in front of the server. Narrated as it happens: the baseline and the peer
# are learned, the flood starts, the incident opens with its classification,
# mitigation goes in, the peer's success rate holds while the flood is
# dropped at XDP, the flood stops, the incident closes and the mitigation is
# withdrawn. The topology is in tests/integration/kamailio/lib.sh; the same
# scenario with measurements and a control run without xdpguard is
# tests/integration/kamailio.sh.
#
# Every address is inside throw-away namespaces (xg-demo*, 10.123.0.0/16),
# every traffic run is bounded in packets and seconds, only the processes
# started here are stopped (by PID), and everything is removed on exit,
# Ctrl-C included.
#
# usage: tools/demo.sh [path/to/xdpctl] [path/to/xg-trafgen]
# shellcheck disable=SC2317 # functions reached through the traps
set -u

XDPCTL=$(readlink -f "${1:-build/xdpctl}")
BUILD=$(dirname "$XDPCTL")
TRAFGEN=$(readlink -f "${2:-$BUILD/xg-trafgen}")
REPO=$(dirname "$(dirname "$(readlink -f "$0")")")
TAG="xg-demo$$"
WORK=$(mktemp -d /tmp/xg-demo-XXXXXX)
STATE="$WORK/state"
export XDPGUARD_PIN_DIR="/sys/fs/bpf/$TAG"
FLOOD_S=15
SIPP_S=80 # the peer's run outlasts the demo; stopped at the end

# shellcheck source=tests/integration/kamailio/lib.sh
. "$REPO/tests/integration/kamailio/lib.sh"

B=$'\033[1m'
N=$'\033[0m'
say() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
note() { printf '   %s\n' "$*"; }

cleanup() {
	xg_cleanup
	rm -rf "$WORK"
	echo "demo: namespaces removed"
}

if [ "$(id -u)" -ne 0 ]; then
	echo "demo: run as root (it creates network namespaces and attaches XDP)" >&2
	rm -rf "$WORK"
	exit 1
fi
trap cleanup EXIT
trap 'exit 130' INT TERM

# make demo builds xdpctl; the flood generator may not be built yet.
if [ ! -x "$TRAFGEN" ]; then
	make -s -C "$REPO" BUILD="$BUILD" "$BUILD/xg-trafgen" || exit 1
fi
if ! xg_need_sip_tools; then
	echo "demo: needs kamailio and sipp (Debian packages kamailio, sip-tester)" >&2
	exit 1
fi

# --- narration helpers ----------------------------------------------------------

NJ=0          # journal lines already narrated
PREV_UDP=0    # the server's UDP counter at the last status line
PREV_TICKS=0  # Kamailio's CPU ticks at the last status line

field() { grep -o "\"$1\":\"\?[^,\"}]*" <<<"$2" | head -1 | sed 's/.*:"\?//'; }

# Narrates the journal lines written since the last call: incidents and
# mitigation steps (the many top-source /32 blocks of one tick as one line).
narrate_journal() {
	local line ev total blocks=0 unblocks=0 example="" ex_reason=""
	[ -f "$STATE/incidents.jsonl" ] || return 0
	total=$(wc -l <"$STATE/incidents.jsonl")
	while IFS= read -r line; do
		ev=$(field event "$line")
		case "$ev" in
		incident_open)
			note "${B}INCIDENT $(field id "$line")${N}: $(field family "$line")" \
				"on $(field service "$line"), confidence $(field confidence "$line")," \
				"spoofed $(field spoofed "$line"), botnet $(field botnet "$line")"
			grep -o '"evidence":\[[^]]*\]' <<<"$line" | sed 's/^"evidence":\["//; s/"\]$//' |
				sed 's/","/\n/g; s#\\/#/#g' | sed 's/^/      evidence: /'
			;;
		mitigation)
			case "$(field action "$line")" in
			protect)
				note "${B}MITIGATION${N}: protect mode on $(field target "$line"): unknown" \
					"sources $(field rate_pps "$line") pps each, $(field budget_pps "$line") pps" \
					"together; learned and allowlisted peers pass (TTL $(field ttl "$line") s)"
				;;
			unprotect)
				note "${B}WITHDRAWN${N}: protect mode on $(field target "$line") ($(field reason "$line"))"
				;;
			block | ratelimit)
				blocks=$((blocks + 1))
				[ -z "$example" ] && example=$(field target "$line") ex_reason=$(field reason "$line")
				;;
			unblock) unblocks=$((unblocks + 1)) ;;
			*) note "mitigation: $(field action "$line") $(field target "$line"): $(field reason "$line")" ;;
			esac
			;;
		incident_close)
			note "${B}INCIDENT CLOSED${N} $(field id "$line") after $(awk -v d="$(field duration_s "$line")" 'BEGIN { printf "%.0f", d }') s"
			;;
		esac
	done < <(tail -n +"$((NJ + 1))" "$STATE/incidents.jsonl" | head -n "$((total - NJ))")
	NJ=$total
	[ "$blocks" -gt 0 ] && note "${B}MITIGATION${N}: $blocks block(s), e.g. $example ($ex_reason)"
	[ "$unblocks" -gt 0 ] && note "withdrawn: $unblocks block(s) no longer needed or expired"
	return 0
}

# One status line per second (the xdpctl stats interval paces the loop):
# what arrives at the server's interface, what xdpguard drops, what reaches
# the server's UDP layer, the peer's answered requests, Kamailio's CPU.
status_line() {
	local s nic drop udp ticks ok=0 fail=0 f row
	s=$(xg stats --json --interval 1000 2>/dev/null | tr -d ' \n')
	nic=$(grep -o '"verdict_pps":{[^}]*}' <<<"$s" |
		awk -F'[:,}]' '{ printf "%.0f", $3 + $5 }')
	drop=$(grep -o '"verdict_pps":{[^}]*}' <<<"$s" | awk -F'[:,}]' '{ printf "%.0f", $5 }')
	udp=$(xg_udp_in)
	ticks=$(xg_kamailio_ticks)
	for f in "$WORK/demo-opt.csv" "$WORK/demo-reg.csv"; do
		[ -s "$f" ] || continue
		row=$(awk -F';' 'FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			{ o = $c["SuccessfulCall(P)"]; x = $c["FailedCall(P)"] } END { print o + 0, x + 0 }' "$f")
		ok=$((ok + ${row% *}))
		fail=$((fail + ${row#* }))
	done
	printf '   %s  at veth-srv %8s pkt/s, dropped by XDP %8s/s | to the UDP layer %7s/s | peer %3d/%-3d answered | Kamailio CPU %3d%%\n' \
		"$(date +%T)" "$(xg_si "${nic:-0}")" "$(xg_si "${drop:-0}")" "$(xg_si $((udp - PREV_UDP)))" \
		"$ok" $((ok + fail)) $(((ticks - PREV_TICKS) * 100 / HZ))
	PREV_UDP=$udp
	PREV_TICKS=$ticks
	narrate_journal
}

# --- the demo ---------------------------------------------------------------------

say "setting up: Kamailio on $SRV_IP, a SIP peer $PEER_IP and an attacker $ATK_IP on a bridge"
xg_topology_up || exit 1
xg_kamailio_start "$WORK/kamailio.log" || {
	cat "$WORK/kamailio.log"
	exit 1
}
note "Kamailio $(kamailio -v | head -1 | awk '{ print $3 }'): registrar on $SRV_IP:5060, 2 UDP workers (tests/integration/kamailio/kamailio.cfg)"

say "xdpctl run veth-srv: the controller attaches xdpguard and starts learning"
cat >"$WORK/xdpguard.json" <<EOF
{
  "baseline": {"learning_s": 10},
  "mitigation": {"block_ttl_s": 10}
}
EOF
note "embedded defaults (1 s tick, thresholds, protect budget), except two keys so the demo"
note "takes a minute: learning_s 10 (default 300 s) and block_ttl_s 10 (default 300 s):"
note "$(tr -d '\n' <"$WORK/xdpguard.json" | tr -s ' ')"
nsenter --net="/run/netns/$NS_SRV" "$XDPCTL" run --config "$WORK/xdpguard.json" \
	--state-dir "$STATE" veth-srv >"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
XG_PIDS+=("$DAEMON_PID")
T_START=$SECONDS
sleep 1
kill -0 "$DAEMON_PID" 2>/dev/null || {
	cat "$WORK/daemon.log"
	exit 1
}
sed 's/^/   /' "$WORK/daemon.log"

say "peacetime: the peer sends SIP OPTIONS (20/s) and REGISTERs (10/s) with SIPp"
xg_sipp_start demo-opt options.xml 5070 20 $((20 * SIPP_S))
xg_sipp_start demo-reg register.xml 5072 10 $((10 * SIPP_S))
PREV_UDP=$(xg_udp_in)
PREV_TICKS=$(xg_kamailio_ticks)
learned=
for ((i = 0; i < 25; i++)); do
	status_line
	if [ -z "$learned" ] && xg list allow 2>/dev/null | grep -q "^$PEER_IP\b.*learned"; then
		learned=yes
		note "${B}peer learned${N}: $PEER_IP sent well-formed SIP in two ticks outside incidents;" \
			"the controller put it in the XDP allowlist:"
		xg list allow | sed 's/^/      /'
	fi
	if [ -n "$learned" ] && [ $((SECONDS - T_START)) -ge 12 ]; then
		note "${B}baseline learned${N}: the 10 s learning period is over, incidents are enforced now"
		break
	fi
done

say "attack: SIP INVITE flood to $SRV_IP:5060 from random (spoofed) sources in $SPOOF_CIDR, ${FLOOD_S} s"
note "xg-trafgen, one thread at full speed; nothing else changes on the server. A /17 holds"
note "32,768 addresses: at ~1M pkt/s each repeats ~30 times a second with the same TTL, so"
note "xdpguard may call it a botnet rather than spoofed; the answer (protect mode) is the same"
U0=$(xg_udp_in)
C0=$(xg_kamailio_ticks)
nsenter --net="/run/netns/$NS_ATK" "$TRAFGEN" --dev veth-atk --dst-mac "$SRV_MAC" \
	--dst "$SRV_IP" --random-src "$SPOOF_CIDR" --payload sip-invite --dport 5060 \
	--duration "$FLOOD_S" --count 50000000 >"$WORK/flood.log" 2>&1 &
FLOOD_PID=$!
XG_PIDS+=("$FLOOD_PID")
T_FLOOD=$(date +%s.%N)
while kill -0 "$FLOOD_PID" 2>/dev/null; do
	status_line
done
wait "$FLOOD_PID"
T_END=$(date +%s.%N)
sleep 0.5
U1=$(xg_udp_in)
C1=$(xg_kamailio_ticks)
SENT=$(awk '/^sent [0-9]+ packets/ { print $2 }' "$WORK/flood.log")

say "the flood stopped: $(cat "$WORK/flood.log")"
note "the incident closes after 5 quiet ticks; the mitigation stays until its TTL (10 s) has passed"
for ((i = 0; i < 20; i++)); do
	status_line
	grep -q '"action":"unprotect"' "$STATE/incidents.jsonl" 2>/dev/null && break
done

say "summary"
LEGIT=$(xg_sipp_window "$T_FLOOD" "$(awk -v t="$T_END" 'BEGIN { printf "%.3f", t + 2 }')" \
	"$WORK/demo-opt.csv" "$WORK/demo-reg.csv")
read -r ok fail retrans peer_sent <<<"$LEGIT"
reached=$((U1 - U0 - peer_sent))
[ "$reached" -lt 0 ] && reached=0
note "flood: $(xg_si "${SENT:-0}") packets in ${FLOOD_S} s; $(xg_si "$reached") reached the server's UDP layer" \
	"($(awk -v r="$reached" -v s="${SENT:-0}" 'BEGIN { printf "%.2f", s ? 100 * r / s : 0 }')%)," \
	"most of them in the first tick, before the incident opened"
note "the peer during the flood: $ok of $((ok + fail)) requests answered" \
	"($(awk -v o="$ok" -v f="$fail" 'BEGIN { printf "%.1f", o + f ? 100 * o / (o + f) : 0 }')%), $retrans retransmissions"
note "Kamailio's CPU during the flood: $(awk -v t=$((C1 - C0)) -v hz="$HZ" 'BEGIN { printf "%.2f", t / hz }') s" \
	"(without xdpguard the same flood keeps its two workers busy: tests/integration/kamailio.sh)"
note "xdpctl incidents:"
xg incidents --state-dir "$STATE" | sed 's/^/      /'
note "blocklist now:"
xg list block | sed 's/^/      /'

say "done: stopping SIPp, the controller and Kamailio; removing the namespaces"
