#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Capture sampling under the hardest flood this machine makes: xdpctl run
# protects a namespace, xg-trafgen floods it at full speed, and 'xdpctl
# stats' reads how many packets XDP saw, how many it sampled into the
# ring buffer and how many samples it lost because the reader fell behind,
# at the default incident rate (1 in 64) and at every packet (1 in 1).
# Generator and receiver share this 2-core machine (veth NAPI runs on the
# sender's CPU), so the flood rate is what one sending core reaches.
#
# usage: tools/bench/pcap_loss.sh [--quick] [BUILD_DIR]
set -u

QUICK=0
if [ "${1:-}" = --quick ]; then
	QUICK=1
	shift
fi
BUILD=$(readlink -f "${1:-build}")
XDPCTL="$BUILD/xdpctl"
TRAFGEN="$BUILD/xg-trafgen"
TAG="xg-bl$$"
WORK=$(mktemp -d /tmp/xg-bench-pcap-XXXXXX)
STATE="$WORK/state"
RX_IP=10.123.6.1
TX_IP=10.123.6.2
PEER_IP=10.123.6.3
SECS=$((QUICK ? 2 : 4))

# shellcheck source=tests/integration/ctl_lib.sh
. "$(dirname "$(readlink -f "$0")")/../../tests/integration/ctl_lib.sh"

cleanup() {
	ns_cleanup
	[ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

if [ "$(id -u)" -ne 0 ] || [ ! -x "$TRAFGEN" ]; then
	echo "pcap_loss: needs root and $TRAFGEN" >&2
	exit 1
fi

write_config() { # INCIDENT_RATE
	cat >"$WORK/xdpguard.json" <<EOC
{
  "tick_ms": 1000,
  "baseline": {"window": 60, "learning_s": 2,
               "floors": {"pps": 3000, "udp_pps": 2000, "bps": 50000000}},
  "detection": {"close_ticks": 1},
  "mitigation": {"enabled": false},
  "pcap": {"incident_sample_rate": $1, "max_packets": 1000000, "min_free_mb": 0}
}
EOC
}

ns_setup
printf '| incident sample rate | XDP saw (pps) | sampled (/s) | lost (/s) | lost %% | written to the pcap |\n'
printf '|---|---:|---:|---:|---:|---:|\n'
# --quick: the default rate alone
for rate in $([ "$QUICK" = 1 ] && echo 64 || echo 64 1); do
	rm -rf "$STATE"
	write_config "$rate"
	: >"$WORK/daemon.log"
	start_daemon
	if ! wait_log learning_done 15; then
		echo "pcap_loss: the daemon did not finish learning" >&2
		exit 1
	fi
	flood "$((SECS + 1)).5" --pps 4M --count $(((SECS + 2) * 4000000)) &
	fl=$!
	sleep 1 # the incident opens within a tick: the incident rate is on
	nsenter --net="/run/netns/$NS_RX" "$XDPCTL" stats --json --interval $((SECS * 1000)) \
		>"$WORK/stats.json" 2>"$WORK/stats.err"
	wait "$fl"
	# the incident closes; its capture is finished and journaled
	wait_journal pcap 15 1
	stop_daemon
	/usr/bin/python3 - "$WORK/stats.json" "$STATE/incidents.jsonl" "$rate" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
saw = sum(s["verdict_pps"].values())
smp, lost = s["pcap_samples_pps"], s["pcap_lost_pps"]
written = 0
for line in open(sys.argv[2]):
    e = json.loads(line)
    if e.get("event") == "pcap":
        written = max(written, e["packets"])
pct = 100.0 * lost / (smp + lost) if smp + lost else 0.0
print("| 1 in %s | %.0f | %.0f | %.0f | %.2f | %d |" % (sys.argv[3], saw, smp, lost, pct, written))
PY
done
