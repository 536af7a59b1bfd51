#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Integration test: real traffic through a veth pair between two network
# namespaces, xdpctl attached on the receiver. Every address lives inside
# the namespaces (10.123.0.0/16); every traffic loop is bounded; the
# namespaces and pins are removed on exit, whatever happens.
#
# usage: tests/integration/run.sh path/to/xdpctl
set -u

XDPCTL=$(readlink -f "${1:-build/xdpctl}")
TRAFGEN=$(dirname "$XDPCTL")/xg-trafgen
TAG="xg-it$$"
NS_TX="$TAG-tx" # the sender
NS_RX="$TAG-rx" # the protected node
export XDPGUARD_PIN_DIR="/sys/fs/bpf/$TAG"
RX_IP=10.123.1.1
TX_IP=10.123.1.2
TX_IP2=10.123.1.3 # shares the /24 with TX_IP; allowlisted in one test
passed=0
failed=0

if [ "$(id -u)" -ne 0 ]; then
	echo "integration: needs root (network namespaces, XDP)"
	echo "integration: 0 passed, 1 failed"
	exit 1
fi

cleanup() {
	nsenter --net="/run/netns/$NS_RX" "$XDPCTL" detach veth-rx >/dev/null 2>&1
	ip netns del "$NS_TX" 2>/dev/null
	ip netns del "$NS_RX" 2>/dev/null
	rm -rf "$XDPGUARD_PIN_DIR" 2>/dev/null
}
trap cleanup EXIT INT TERM

# shellcheck source=tests/lib.sh
. "$(dirname "$(readlink -f "$0")")/../lib.sh"

bad() { # NAME EXPECTED-SUBSTRING CMD...
	local name=$1 want=$2 out rc
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && grep -q -- "$want" <<<"$out"; then
		ok "$name"
	else
		not_ok "$name (rc=$rc: $out)"
	fi
}
rx() { nsenter --net="/run/netns/$NS_RX" "$@"; }
tx() { nsenter --net="/run/netns/$NS_TX" "$@"; }
xdpctl() { rx "$XDPCTL" "$@"; }

# One ICMP echo from a source address; succeeds when answered.
ping_from() { tx ping -q -c 1 -W 1 -I "$1" "$RX_IP" >/dev/null 2>&1; }
ping_fails() { ! ping_from "$1"; }
# output_has PATTERN CMD...: CMD's output matches the extended regex.
output_has() {
	local pat=$1
	shift
	"$@" 2>&1 | grep -Eq -- "$pat"
}

# One generator process per burst (xg-trafgen, into veth-rx's XDP hook):
# a process per packet took ~0.4 s each in a TCG VM, too slow for the rate
# limit and the stats windows. gen N SECS ARGS...: N frames from TX_IP,
# spread over SECS (0: at once); bounded by count and duration.
gen() {
	local n=$1 secs=$2 pace=()
	shift 2
	[ "$secs" = 0 ] || pace=(--pps "$(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%d", n / s + 1 }')")
	tx "$TRAFGEN" --dev veth-tx --dst-mac "$RX_MAC" --src "$TX_IP" --dst "$RX_IP" \
		--count "$n" --duration $((${secs%.*} + 10)) "${pace[@]}" "$@" >/dev/null 2>&1
}
# send_udp N PORT [SECS]: N UDP datagrams (not SIP) to RX_IP:PORT.
send_udp() { gen "$1" "${3:-0}" --dport "$2"; }
# send_syn N PORT [SECS]: N TCP SYNs (the receiver answers RST).
send_syn() { gen "$1" "${3:-0}" --proto tcp-syn --dport "$2"; }

# Datagrams that reached the receiver's UDP layer (delivered or port-unreachable).
udp_in() {
	rx awk '/^Udp:/ && $2 ~ /^[0-9]+$/ { print $2 + $3 }' /proc/net/snmp
}

json_field() { # FILE EXPR (python-free: json-c output is one key per line)
	grep -o "\"$2\": [0-9.e+]*" "$1" | head -1 | awk '{ print $2 }'
}

echo "integration: setting up namespaces $NS_TX and $NS_RX"
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
ip netns add "$NS_TX"
ip netns add "$NS_RX"
ip link add veth-tx netns "$NS_TX" type veth peer name veth-rx netns "$NS_RX"
ip -n "$NS_TX" addr add "$TX_IP/24" dev veth-tx
ip -n "$NS_TX" addr add "$TX_IP2/24" dev veth-tx
ip -n "$NS_RX" addr add "$RX_IP/24" dev veth-rx
for ns in "$NS_TX" "$NS_RX"; do
	ip -n "$ns" link set lo up
done
ip -n "$NS_TX" link set veth-tx up
ip -n "$NS_RX" link set veth-rx up
RX_MAC=$(ip -n "$NS_RX" -o link show veth-rx | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)

echo "integration: attach"
check "attach in native mode" xdpctl attach veth-rx --mode native
out=$(xdpctl attach veth-rx 2>&1)
check "attach again is a no-op" grep -q "already attached" <<<"$out"
check "status --json names veth-rx" output_has '"name": "veth-rx"' xdpctl status --json
check "status --json says native mode" output_has '"mode": "native"' xdpctl status --json
check "maps pinned" test -e "$XDPGUARD_PIN_DIR/xg_block_v4"

echo "integration: traffic is counted"
check "ICMP passes before any block" ping_from "$TX_IP"
(
	send_udp 40 5060 2 &
	send_syn 20 5061 2 &
	tx ping -q -c 20 -i 0.05 "$RX_IP" >/dev/null 2>&1 &
	wait
) &
traffic=$!
xdpctl stats --json --interval 1500 >"/tmp/$TAG.stats" 2>&1
wait $traffic
stats=$(tr -d '\n ' <"/tmp/$TAG.stats")
has_rate() { grep -Eq "\"$1\":\{\"pps\":[1-9]" <<<"$stats"; }
check "UDP counted" has_rate udp
check "TCP counted" has_rate tcp
check "ICMP counted" has_rate icmp
check "SIP UDP service counted" has_rate sip-udp
check "SIP TLS service counted (tcp/5061)" has_rate sip-tls
check "non-SIP payload on 5060 counted as malformed SIP" \
	grep -Eq '"malformed":[1-9]' <<<"$stats"
check "TCP SYNs counted" grep -Eq '"syn":[1-9]' <<<"$stats"
check "top ports include udp/5060" grep -q '"proto":"udp","port":5060' <<<"$stats"

echo "integration: block"
before=$(udp_in)
check "block a /32" xdpctl block "$TX_IP"
check "blocked source: ICMP dropped" ping_fails "$TX_IP"
send_udp 30 5060
after=$(udp_in)
check "blocked source: UDP never reaches the receiver's stack ($before -> $after)" \
	test "$after" -eq "$before"
hits=$(xdpctl list block --json | grep -o '"hits": [0-9]*' | head -1 | awk '{print $2}')
check "block entry counts hits (${hits:-none} >= 30)" test "${hits:-0}" -ge 30
send_udp 20 5060 1.5 &
xdpctl stats --json --interval 1000 >"/tmp/$TAG.stats" 2>&1
wait
stats=$(tr -d '\n ' <"/tmp/$TAG.stats")
check "drops counted by reason 'block'" grep -Eq '"drops_pps":\{"block":[1-9]' <<<"$stats"
check "other address of the sender still passes" ping_from "$TX_IP2"
check "unblock" xdpctl unblock "$TX_IP"
check "unblocked source passes again" ping_from "$TX_IP"

echo "integration: allowlist wins over a blocked prefix"
check "block the sender's /24" xdpctl block 10.123.1.0/24
check "allow one host inside it" xdpctl allow "$TX_IP2" --comment "integration peer"
check "blocked host in the prefix is dropped" ping_fails "$TX_IP"
check "allowlisted host in the blocked prefix passes" ping_from "$TX_IP2"
check "allowlist shows the comment" output_has 'integration peer' xdpctl list allow

echo "integration: maps are readable with bpftool"
dump=$(bpftool map dump pinned "$XDPGUARD_PIN_DIR/xg_block_pfx_v4" 2>&1)
check "bpftool shows prefix keys with field names" grep -q '"prefixlen": 24' <<<"$dump"
check "bpftool shows addresses as bytes" grep -q '"addr": \[10,123,1,0' <<<"$dump"
check "bpftool shows block values with field names" grep -q '"expires_ns"' <<<"$dump"
dump=$(bpftool map dump pinned "$XDPGUARD_PIN_DIR/xg_allow_v4" 2>&1)
check "bpftool shows the allowlist comment" grep -q 'integration peer' <<<"$dump"
check "remove the prefix block" xdpctl unblock 10.123.1.0/24
check "disallow" xdpctl disallow "$TX_IP2"

echo "integration: lists from files, applied whole or not at all"
LIST="/tmp/$TAG.list"
printf '# peers\n%s   # file peer\n\n10.123.7.0/24 # lab\n' "$TX_IP2" >"$LIST"
check "allow --file" xdpctl allow --file "$LIST"
check "file comments become entry comments" output_has 'file peer' xdpctl list allow
printf '10.123.8.1\n10.123.8.0/24\n10.123.8.300\n' >"$LIST"
bad "a bad line names file and line" "$LIST:3: invalid CIDR" xdpctl block --file "$LIST"
check "nothing from the bad file was applied" output_has '\(empty\)' xdpctl list block
: >"$LIST"
for len in $(seq 8 25); do echo "10.0.0.0/$len" >>"$LIST"; done
bad "too many prefix lengths is refused" "too many distinct prefix lengths" \
	xdpctl block --file "$LIST"
check "nothing from the refused file was applied" output_has '\(empty\)' xdpctl list block
check "disallow a file entry" xdpctl disallow "$TX_IP2"
check "disallow a file prefix" xdpctl disallow 10.123.7.0/24
rm -f "$LIST"

echo "integration: expiry without any controller"
check "block with --ttl 2" xdpctl block "$TX_IP" --ttl 2
check "dropped while the block is live" ping_fails "$TX_IP"
sleep 2.5
check "passes again once expired (program checks the expiry itself)" ping_from "$TX_IP"
check "list shows the entry as expired" output_has expired xdpctl list block

echo "integration: rate limit"
check "rate-limit the sender to 5 pps" xdpctl block "$TX_IP" --rate 5 --ttl 60
before=$(udp_in)
send_udp 60 5060
after=$(udp_in)
got=$((after - before))
check "rate-limited source: some but not all of 60 datagrams pass ($got)" \
	test "$got" -ge 1 -a "$got" -lt 60
xdpctl unblock "$TX_IP" >/dev/null

echo "integration: monitor-only"
check "set monitor-only on" xdpctl set monitor-only on
xdpctl block "$TX_IP" >/dev/null
check "monitor-only: a blocked source still passes" ping_from "$TX_IP"
check "set monitor-only off" xdpctl set monitor-only off
check "enforcing again: the source is dropped" ping_fails "$TX_IP"
xdpctl unblock "$TX_IP" >/dev/null

echo "integration: bad input gets one clear line and a non-zero exit"
bad "bad CIDR" "invalid CIDR" xdpctl block 10.123.1.300
bad "host bits set" "did you mean 10.123.1.0/24" xdpctl block 10.123.1.5/24
bad "bad ttl" "invalid --ttl" xdpctl block "$TX_IP" --ttl soon
bad "unknown interface" "no such interface 'nope0'" xdpctl attach nope0
bad "bad mode" "invalid --mode" xdpctl attach veth-rx --mode turbo
bad "unblock of an absent entry" "not in the blocklist" xdpctl unblock 10.123.9.9
bad "kernel too old" "too old" env XDPGUARD_FAKE_KERNEL=4.19.0 \
	nsenter --net="/run/netns/$NS_RX" "$XDPCTL" block "$TX_IP"
bad "no bpffs" "no BPF filesystem" env XDPGUARD_PIN_DIR=/tmp/xdpguard-nobpffs/x \
	nsenter --net="/run/netns/$NS_RX" "$XDPCTL" status
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
	bad "not root" "run as root or with CAP_BPF" setpriv --reuid=nobody --regid=nogroup \
		--clear-groups --inh-caps=-all "$XDPCTL" list block
fi
check "a rejected command changed nothing" output_has '\(empty\)' xdpctl list block

echo "integration: detach"
check "detach" xdpctl detach veth-rx
check "no XDP program left on the interface" bash -c "! ip -n $NS_RX link show veth-rx | grep -q xdp"
check "no pins left" test ! -e "$XDPGUARD_PIN_DIR"
bad "detach again" "not attached" xdpctl detach veth-rx
bad "commands need an attached program" "not attached" xdpctl list block

rm -f "/tmp/$TAG.stats"
echo "integration: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
