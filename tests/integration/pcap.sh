#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Incident captures end to end: xdpctl run samples packets in XDP, a real
# flood opens an incident, and its gzip'd pcap starts with SIP from before
# the attack, is read by tcpdump and tshark (SIP decoded with its method
# and Call-ID), stops at the packet cap, is journaled with its sha256 and
# comes out through 'xdpctl pcap get'. Retention removes files by age and
# by total size; a free-space floor stops writing and says so. Addresses
# only inside the namespaces; every wait bounded; cleanup on exit.
#
# usage: tests/integration/pcap.sh path/to/xdpctl path/to/xg-trafgen
set -u

XDPCTL=$(readlink -f "${1:-build/xdpctl}")
TRAFGEN=$(readlink -f "${2:-build/xg-trafgen}")
HERE=$(dirname "$(readlink -f "$0")")
TAG="xg-pc$$"
WORK=$(mktemp -d /tmp/xg-pcap-XXXXXX)
STATE="$WORK/state"
PCAPS="$STATE/pcaps"
RX_IP=10.123.5.1
TX_IP=10.123.5.2
PEER_IP=10.123.5.3
MAX_PACKETS=2100
passed=0
failed=0

# shellcheck source=tests/lib.sh
. "$HERE/../lib.sh"
# shellcheck source=tests/integration/ctl_lib.sh
. "$HERE/ctl_lib.sh"

cleanup() {
	ns_cleanup
	[ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

if [ "$(id -u)" -ne 0 ] || [ ! -x "$TRAFGEN" ] || ! command -v tshark >/dev/null ||
	! command -v tcpdump >/dev/null; then
	echo "pcap: needs root, $TRAFGEN, tcpdump and tshark (make deps)"
	echo "pcap: 0 passed, 1 failed"
	exit 1
fi

write_config() { # MIN_FREE_MB
	cat >"$WORK/xdpguard.json" <<EOF
{
  "tick_ms": 1000,
  "sample_rate": 16,
  "baseline": {"window": 60, "learning_s": 3,
               "floors": {"pps": 3000, "udp_pps": 2000, "bps": 50000000}},
  "detection": {"close_ticks": 3},
  "mitigation": {"block_ttl_s": 4, "cooldown_s": 0},
  "pcap": {"peace_sample_rate": 1, "incident_sample_rate": 1, "ring_packets": 2000,
           "max_packets": $MAX_PACKETS, "max_age_days": 30, "max_total_mb": 2,
           "min_free_mb": $1}
}
EOF
}

# json FILE EXPR: a value from a JSON file ('j' is the object).
json() { /usr/bin/python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }

pcap_record() { grep '"event":"pcap"' "$STATE/incidents.jsonl" 2>/dev/null | grep "\"incident\":\"$1\"" | tail -1; }

echo "pcap: setting up $NS_TX and $NS_RX"
ns_setup
mkdir -p "$PCAPS"
# Retention at start: a file 40 days old goes by age; a 3 MiB file, the
# oldest of the rest, goes to fit the 2 MiB budget.
head -c 100 /dev/urandom >"$PCAPS/20260101T000000Z-1.pcap.gz"
touch -d '40 days ago' "$PCAPS/20260101T000000Z-1.pcap.gz"
head -c $((3 * 1024 * 1024)) /dev/urandom >"$PCAPS/20261001T000000Z-1.pcap.gz"
touch -d '2 days ago' "$PCAPS/20261001T000000Z-1.pcap.gz"
head -c 1000 /dev/urandom >"$PCAPS/20261120T000000Z-1.pcap.gz"
touch -d '1 day ago' "$PCAPS/20261120T000000Z-1.pcap.gz"
echo junk >"$PCAPS/20261121T000000Z-9.pcap.gz.tmp"

write_config 1
start_daemon
peace 100
check "daemon is running" kill -0 "$DAEMON"
check "retention removed the file older than max_age_days" test ! -e "$PCAPS/20260101T000000Z-1.pcap.gz"
check "retention removed the oldest file to fit max_total_mb" test ! -e "$PCAPS/20261001T000000Z-1.pcap.gz"
check "retention kept a file within both limits" test -e "$PCAPS/20261120T000000Z-1.pcap.gz"
check "a crash's unfinished .tmp is removed" test ! -e "$PCAPS/20261121T000000Z-9.pcap.gz.tmp"

echo "pcap: a SIP INVITE flood: its capture starts before the attack"
# 1000 INVITEs/s: over the INVITE floor, and slow enough that the ring
# still holds peacetime when the incident opens (every packet is sampled).
flood 3 --dport 5060 --payload sip-invite --pps 1000
check "incident opened" wait_journal incident_open 3 1
ID=$(grep '"event":"incident_open"' "$STATE/incidents.jsonl" | head -1 | grep -o '"id":"[^"]*"' | cut -d'"' -f4)
start=$(last_open_start)
check "incident closes" wait_journal incident_close 10 1
check "the capture is journaled" bash -c "for i in \$(seq 50); do grep -q '\"event\":\"pcap\".*$ID' '$STATE/incidents.jsonl' && exit 0; sleep 0.1; done; exit 1"
pcap_record "$ID" >"$WORK/record.json"
FILE="$PCAPS/$ID.pcap.gz"
check "the file is STATE_DIR/pcaps/ID.pcap.gz" test -s "$FILE"
check "it is gzip" gzip -t "$FILE"
check "the journal's sha256 is the file's" \
	test "$(json "$WORK/record.json" "j['sha256']")" = "$(sha256sum "$FILE" | cut -d' ' -f1)"
pk=$(json "$WORK/record.json" "j['packets']")
check "capped at max_packets ($pk of $MAX_PACKETS), and says so" \
	test "$pk" = "$MAX_PACKETS" -a "$(json "$WORK/record.json" "j['stopped']")" = cap
check "the alerts' incident names the file" grep -q "\"pcap\":\"$FILE\"" "$WORK/daemon.log"

check "xdpctl pcap list shows it" bash -c "'$XDPCTL' pcap list --state-dir '$STATE' | grep -q '^$ID .*$pk'"
"$XDPCTL" pcap list --json --state-dir "$STATE" >"$WORK/list.json"
check "xdpctl pcap list --json" test "$(json "$WORK/list.json" "[x['packets'] for x in j if x['incident'] == '$ID'][0]")" = "$pk"
check "xdpctl pcap get, uncompressed" \
	"$XDPCTL" pcap get "$ID" -o "$WORK/x.pcap" --uncompressed --state-dir "$STATE"
check "tcpdump -r reads it" bash -c "tcpdump -r '$WORK/x.pcap' -n >'$WORK/tcpdump.txt' 2>'$WORK/tcpdump.err' && test \$(wc -l <'$WORK/tcpdump.txt') -eq $pk"
check "tshark -r reads it" bash -c "tshark -r '$WORK/x.pcap' >'$WORK/tshark.txt' 2>/dev/null && test -s '$WORK/tshark.txt'"
first=$(tshark -r "$WORK/x.pcap" -T fields -e frame.time_epoch -c 1 2>/dev/null)
check "the first packet ($first) is from before the incident ($start)" \
	awk -v f="${first:-0}" -v s="${start:-0}" 'BEGIN { exit !(f > 0 && f < s) }'
tshark -r "$WORK/x.pcap" -Y sip -T fields -e sip.Method -e sip.Call-ID 2>/dev/null | sort -u >"$WORK/sip.txt"
check "SIP decodes in tshark with its method and Call-ID" grep -qP "^OPTIONS\tct@$PEER_IP$" "$WORK/sip.txt"
check "the INVITE flood decodes as SIP INVITE" grep -qP "^INVITE" "$WORK/sip.txt"
check "the peer's SIP from before the attack is in the capture" \
	bash -c "tshark -r '$WORK/x.pcap' -Y 'ip.src==$PEER_IP && sip.Method==OPTIONS' 2>/dev/null | grep -q ."
check "xdpctl pcap get, compressed, is the same file" \
	bash -c "'$XDPCTL' pcap get '$ID' -o '$WORK/y.pcap.gz' --state-dir '$STATE' && cmp -s '$WORK/y.pcap.gz' '$FILE'"
check "xdpctl pcap get of an unknown incident fails and names it" \
	bash -c "! '$XDPCTL' pcap get 20990101T000000Z-1 -o '$WORK/z' --state-dir '$STATE' 2>'$WORK/get.err' && grep -q 20990101T000000Z-1 '$WORK/get.err'"

echo "pcap: under the free-space floor, no capture, and the incident says why"
write_config 9000000
kill -HUP "$DAEMON"
sleep 1
check "the daemon reloaded" grep -q "config reloaded" "$WORK/daemon.log"
flood 3
check "incident 2 opened" wait_journal incident_open 3 2
ID2=$(grep '"event":"incident_open"' "$STATE/incidents.jsonl" | sed -n 2p | grep -o '"id":"[^"]*"' | cut -d'"' -f4)
check "the capture's journal record says disk_floor" \
	bash -c "for i in \$(seq 50); do grep '\"event\":\"pcap\"' '$STATE/incidents.jsonl' | grep '$ID2' | grep -q disk_floor && exit 0; sleep 0.1; done; exit 1"
check "no file was written" test ! -e "$PCAPS/$ID2.pcap.gz"
check "the daemon logged it" grep -q "pcap: incident $ID2: no capture, free space" "$WORK/daemon.log"
check "incident 2 closes" wait_journal incident_close 10 2

stop_daemon
echo "pcap: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
