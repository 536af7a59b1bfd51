#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# How fast does BGP escalation reach the routers? Real speakers in
# namespaces (tests/integration/bgp_lib.sh): ExaBGP on side A, driven by
# `xdpctl bgp exabgp-api`, peering with a GoBGP receiver on side B; the
# controller (`xdpctl run`) on a second veth pair (tests/integration/
# ctl_lib.sh) under a real flood from xg-trafgen.
#
#   detection -> RIB    a flood from one source escalates to FlowSpec
#                       (thresholds set low); the time from the journal's
#                       incident_open to the rule showing in the receiver's
#                       `gobgp global rib -a ipv4-flowspec` (polled every
#                       20 ms), over N floods; p50, p99, max
#   200 rules           200 manual announcements handed to the running
#                       controller at once (200 `xdpctl bgp announce`
#                       processes): time until the receiver holds all 200;
#                       then `xdpctl bgp flush`: time until it holds none
#
# The receiver's view is what counts: the rule has crossed the controller's
# queue, the worker, the relay, ExaBGP and a BGP session.
#
# usage: tools/bench/bgp.sh [--quick] [BUILD_DIR]
#   --quick   3 floods (about 40 s in all); default 10 floods
# Exit status: 1 if the p99 target (<= 2 s) fails, 2 if it could not run.
set -u

QUICK=0
BUILD_ARG=
for a in "$@"; do
	case "$a" in
	--quick) QUICK=1 ;;
	-h | --help)
		sed -n '3,/^set -u/p' "$0" | sed -e '/^set -u/d' -e 's/^# \{0,1\}//'
		exit 0
		;;
	-*)
		echo "bgp bench: unknown option $a" >&2
		exit 2
		;;
	*) BUILD_ARG=$a ;;
	esac
done

HERE=$(dirname "$(readlink -f "$0")")
ROOT=$(readlink -f "$HERE/../..")
B=$(readlink -f "${BUILD_ARG:-$ROOT/build}")
XDPCTL=$B/xdpctl
TRAFGEN=$B/xg-trafgen
TAG="xg-bb$$"
WORK=$(mktemp -d /tmp/xg-bgpbench-XXXXXX)
STATE="$WORK/state"
RX_IP=10.123.8.1
TX_IP=10.123.8.2
PEER_IP=10.123.8.3
RUNS=$([ "$QUICK" = 1 ] && echo 3 || echo 10)
SOCK="$WORK/exabgp.sock"

. "$ROOT/tests/integration/ctl_lib.sh"
BGP_LAB_TAG="xg-bb$$l"
. "$ROOT/tests/integration/bgp_lib.sh"

cleanup() {
	ns_cleanup
	bgp_lab_teardown
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$(id -u)" -ne 0 ] || [ ! -x "$XDPCTL" ] || [ ! -x "$TRAFGEN" ]; then
	echo "bgp bench: needs root, $XDPCTL and $TRAFGEN" >&2
	exit 2
fi
for p in exabgp gobgpd gobgp; do
	command -v "$p" >/dev/null || {
		echo "bgp bench: $p is not installed (make deps)" >&2
		exit 2
	}
done

cat >"$WORK/xdpguard.json" <<EOF
{
  "tick_ms": 100,
  "sample_rate": 16,
  "baseline": {"window": 60, "learning_s": 3,
               "floors": {"pps": 3000, "udp_pps": 2000, "bps": 50000000}},
  "detection": {"close_ticks": 5},
  "mitigation": {"block_ttl_s": 2, "cooldown_s": 0},
  "bgp": {
    "enabled": true, "allow_private": true, "hold_down_s": 0,
    "max_rules": 1000, "max_announce_per_min": 100000, "rule_ttl_s": 600,
    "levels": {"flowspec_ratelimit": {"pps": 20000},
               "flowspec_discard": {"enabled": false},
               "rtbh": {"enabled": false}},
    "speakers": [{"name": "exa", "type": "exabgp", "socket": "$SOCK"}]
  }
}
EOF

ns_setup
bgp_lab_setup || exit 2
start_gobgpd_receiver || exit 2
start_exabgp_driven "$BGP_ASN_A" "$BGP_ASN_B" "$BGP_IP_B" "$XDPCTL" bgp exabgp-api --socket "$SOCK"
if ! bgp_wait_established gobgpd-b 30; then
	echo "bgp bench: ExaBGP and GoBGP did not establish" >&2
	exit 2
fi
start_daemon
peace 20 # the peer is learned
if ! wait_log learning_done 15 || ! kill -0 "$DAEMON" 2>/dev/null; then
	echo "bgp bench: the controller did not start or did not finish learning:" >&2
	tail -5 "$WORK/daemon.log" >&2
	exit 2
fi

now() { date +%s.%N; }
flowspec_count() { bgp_gobgp gobgpd-b global rib -a ipv4-flowspec 2>/dev/null | grep -c 'destination'; }

echo "# BGP escalation: detection to the receiver's RIB, $RUNS floods"
lat=()
for ((i = 1; i <= RUNS; i++)); do
	n_open=$(journal_has incident_open)
	flood_bg 3
	seen=""
	deadline=$((SECONDS + 10))
	while [ "$SECONDS" -le "$deadline" ]; do
		if [ "$(flowspec_count)" -gt 0 ]; then
			seen=$(now)
			break
		fi
		sleep 0.02
	done
	# the rule is in: the rest of the flood would change nothing
	kill "$FLOOD_PID" 2>/dev/null
	wait "$FLOOD_PID"
	start=""
	[ "$(journal_has incident_open)" -gt "$n_open" ] && start=$(last_open_start)
	if [ -n "$seen" ] && [ -n "$start" ]; then
		l=$(awk -v a="$start" -v b="$seen" 'BEGIN { printf "%.3f", b - a }')
		lat+=("$l")
		echo "  flood $i: ${l} s"
	else
		echo "  flood $i: no rule seen (incident ${start:-not opened})"
	fi
	# the incident closes, its rule is withdrawn: wait for a clean slate
	deadline=$((SECONDS + 20))
	while [ "$SECONDS" -le "$deadline" ] && [ "$(flowspec_count)" -gt 0 ]; do
		sleep 0.1
	done
	wait_journal incident_close 10 "$i" >/dev/null
done

pct() { # P values... -> the P-th percentile (nearest rank)
	local p=$1
	shift
	printf '%s\n' "$@" | sort -g | awk -v p="$p" '{ v[NR] = $1 } END {
		if (!NR) { print "n/a"; exit }
		r = int(p / 100 * NR + 0.999999); if (r < 1) r = 1; if (r > NR) r = NR
		print v[r] }'
}

echo
echo "# 200 rules: announce and withdraw through the running controller"
t0=$(now)
pids=()
for ((k = 0; k < 200; k++)); do
	"$XDPCTL" bgp announce flowspec src "10.123.$((100 + k / 250)).$((k % 250 + 1))" \
		dst "$RX_IP" proto udp dport 5060 then discard \
		--config "$WORK/xdpguard.json" --state-dir "$STATE" --wait 60 >/dev/null 2>&1 &
	pids+=($!)
done
refused=0
for p in "${pids[@]}"; do
	wait "$p" || refused=$((refused + 1))
done
t_acc=$(now)
ann=""
deadline=$((SECONDS + 60))
while [ "$SECONDS" -le "$deadline" ]; do
	if [ "$(flowspec_count)" -ge 200 ]; then
		ann=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
		break
	fi
	sleep 0.05
done
t1=$(now)
"$XDPCTL" bgp flush --config "$WORK/xdpguard.json" --state-dir "$STATE" >/dev/null
wd=""
deadline=$((SECONDS + 60))
while [ "$SECONDS" -le "$deadline" ]; do
	if [ "$(flowspec_count)" -eq 0 ]; then
		wd=$(awk -v a="$t1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
		break
	fi
	sleep 0.05
done
acc=$(awk -v a="$t0" -v b="$t_acc" 'BEGIN { printf "%.2f", b - a }')

p50=$(pct 50 "${lat[@]}")
p99=$(pct 99 "${lat[@]}")
max=$(pct 100 "${lat[@]}")
echo
echo "| metric | value |"
echo "|---|---:|"
echo "| detection -> receiver RIB, p50 ($((${#lat[@]})) of $RUNS floods) | ${p50} s |"
echo "| detection -> receiver RIB, p99 | ${p99} s |"
echo "| detection -> receiver RIB, max | ${max} s |"
echo "| 200 rules accepted by the controller (200 CLI calls, $refused refused) | ${acc} s |"
echo "| 200 rules announced, all in the receiver's RIB | ${ann:-not reached in 60} s |"
echo "| flush of 200 rules, none left in the receiver's RIB | ${wd:-not reached in 60} s |"
echo
status=0
if [ "${#lat[@]}" -lt "$RUNS" ]; then
	echo "FAIL: $((RUNS - ${#lat[@]})) of $RUNS floods reached no rule"
	status=1
fi
if [ "$p99" != n/a ] && awk -v p="$p99" 'BEGIN { exit !(p <= 2) }'; then
	echo "PASS: detection to RIB p99 ${p99} s <= 2 s"
else
	echo "FAIL: detection to RIB p99 ${p99} s (target <= 2 s)"
	status=1
fi
[ -n "$ann" ] && [ -n "$wd" ] || status=1
exit $status
