#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Self-test of xg-trafgen: two network namespaces joined by a veth pair, the
# generator in one (nsenter --net, as the tests use it), a receiver in the
# other with a trivial XDP_PASS program, GRO, or an XDP_DROP program. Checks
# delivery with the receiver's own counters, random and sequential sources
# and checksums with tcpdump (when installed), --pps pacing, SIP payloads,
# bad input, and measures the single-thread rate into XDP_DROP.
#
# Every address lives inside the namespaces (10.123.200.0/24, fd00:7b:c8::/64
# and the source ranges routed to them); every traffic run is bounded by
# --count or --duration, every capture by -c and a timeout; the namespaces
# are deleted on exit, whatever happens.
#
# usage: tools/trafgen/selftest.sh [BUILD_DIR]    (default: build)
set -u

BUILD=$(readlink -f "${1:-build}")
TG="$BUILD/xg-trafgen"
PASS_OBJ="$BUILD/xg_pass.bpf.o"
DROP_OBJ="$BUILD/bench_drop.bpf.o"
TAG="xg-tg$$"
NS_A="$TAG-a" # sender
NS_B="$TAG-b" # receiver
A_IP=10.123.200.1
B_IP=10.123.200.2
A_IP6=fd00:7b:c8::1
B_IP6=fd00:7b:c8::2
TMP=$(mktemp -d /tmp/xg-tg.XXXXXX)
passed=0
failed=0
BG_PID="" # the one background process of ours still running, if any

# shellcheck disable=SC2317 # called by the trap
cleanup() {
	[ -n "$BG_PID" ] && kill "$BG_PID" 2>/dev/null
	ip netns del "$NS_A" 2>/dev/null
	ip netns del "$NS_B" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=tests/lib.sh
. "$(dirname "$(readlink -f "$0")")/../../tests/lib.sh"

skip() { echo "  skip $1"; }

finish() {
	echo "trafgen: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

if [ "$(id -u)" -ne 0 ]; then
	echo "trafgen: needs root (network namespaces, BPF)"
	failed=1
	finish
fi
for f in "$TG" "$PASS_OBJ" "$DROP_OBJ"; do
	if [ ! -e "$f" ]; then
		echo "trafgen: $f is missing (run make)"
		failed=1
		finish
	fi
done

ns_a() { nsenter --net="/run/netns/$NS_A" "$@"; }
ns_b() { nsenter --net="/run/netns/$NS_B" "$@"; }
tg() { ns_a "$TG" "$@"; }

# Counters of the receiver.
rx_packets() { ip -n "$NS_B" -s link show veth1 | awk '/RX:/ { getline; print $2; exit }'; }
# snmp TABLE FIELD: a field of /proc/net/snmp in the receiver's namespace.
snmp() {
	ns_b cat /proc/net/snmp | awk -v t="$1:" -v f="$2" '
		$1 == t && !c { for (i = 2; i <= NF; i++) if ($i == f) c = i; next }
		$1 == t && c { print $c; exit }'
}
snmp6() { ns_b cat /proc/net/snmp6 | awk -v f="$1" '$1 == f { print $2; exit }'; }

xdp_on_b() { ip -n "$NS_B" link set dev veth1 xdpdrv obj "$1" sec xdp; }
xdp_off_b() { ip -n "$NS_B" link set dev veth1 xdpdrv off 2>/dev/null; }

# within VALUE LO HI
within() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }

# capture N FILTER FILE: starts tcpdump on the receiver (bounded by -c and a
# timeout), waits until it listens; the caller then sends and calls
# capture_wait. Sets CAP_PID.
capture() {
	local i
	ns_b timeout 20 tcpdump -l -c "$1" -n -vv -i veth1 "$2" >"$3" 2>"$3.err" &
	CAP_PID=$!
	BG_PID=$CAP_PID
	for i in $(seq 50); do
		grep -q "listening on" "$3.err" 2>/dev/null && return 0
		sleep 0.1
	done
	kill "$CAP_PID" 2>/dev/null
	capture_wait
	return 1
}
capture_wait() {
	wait "$CAP_PID" 2>/dev/null
	BG_PID=""
}

# Source addresses in a tcpdump -vv text capture (IPv4 and IPv6 lines).
cap_sources() {
	awk '$2 == ">" { s = $1; sub(/\.[0-9]+$/, "", s); print s }
	     / IP6 / && $0 ~ / > / { for (i = 1; i <= NF; i++) if ($(i + 1) == ">") { s = $i; sub(/\.[0-9]+$/, "", s); print s } }' "$1" | sort -u
}

# bad NAME ARGS...: xg-trafgen fails with exit 1 and one line on stderr.
bad() {
	local name=$1 out rc
	shift
	out=$(tg "$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -eq 1 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] && [ -n "$out" ]; then
		ok "bad input: $name ($out)"
	else
		not_ok "bad input: $name (rc=$rc: $out)"
	fi
}

echo "trafgen: setting up $NS_A and $NS_B"
ip netns add "$NS_A" && ip netns add "$NS_B" &&
	ip link add veth0 netns "$NS_A" type veth peer name veth1 netns "$NS_B" &&
	ip -n "$NS_A" addr add "$A_IP/24" dev veth0 &&
	ip -n "$NS_B" addr add "$B_IP/24" dev veth1 &&
	ip -n "$NS_A" addr add "$A_IP6/64" dev veth0 nodad &&
	ip -n "$NS_B" addr add "$B_IP6/64" dev veth1 nodad &&
	ip -n "$NS_A" link set lo up && ip -n "$NS_B" link set lo up &&
	ip -n "$NS_A" link set veth0 up && ip -n "$NS_B" link set veth1 up &&
	# Random sources come back through the sender: a route, so that
	# reverse-path filtering (if on) accepts them.
	ip -n "$NS_B" route add 10.123.0.0/17 via "$A_IP" &&
	ip -n "$NS_B" route add 10.123.201.0/24 via "$A_IP" &&
	ip -n "$NS_B" -6 route add fd00:7b:c9::/64 via "$A_IP6" || {
	echo "trafgen: cannot set up the namespaces"
	failed=1
	finish
}
MAC_B=$(ip -n "$NS_B" link show veth1 | awk '/link\/ether/ { print $2 }')
BASE=(--dev veth0 --dst-mac "$MAC_B")
V4=("${BASE[@]}" --src "$A_IP" --dst "$B_IP")
V6=("${BASE[@]}" --ipv6 --src "$A_IP6" --dst "$B_IP6")

echo "trafgen: the veth rule: nothing on the receiving end, nothing delivered"
r0=$(rx_packets)
out=$(tg "${V4[@]}" --count 1000 2>&1)
r1=$(rx_packets)
# (the stack's own IPv6 ND/MLD packets may cross meanwhile)
if [ $((r1 - r0)) -lt 10 ] && grep -q "warning: veth0 transmitted only [0-9] of 1000" <<<"$out"; then
	ok "no XDP and no GRO on the peer: not delivered, and the tool warns"
else
	not_ok "no XDP and no GRO on the peer (rx +$((r1 - r0)): $out)"
fi

echo "trafgen: receiver with an XDP_PASS program"
if ! xdp_on_b "$PASS_OBJ"; then
	not_ok "attach $PASS_OBJ to veth1"
	finish
fi

r0=$(rx_packets)
u0=$(($(snmp Udp InDatagrams) + $(snmp Udp NoPorts)))
# Paced: every frame goes up the receiver's stack, and in a slow phase of a
# shared host an unpaced sender outran it and the veth dropped the excess
# at its ring (45% delivered, once). Delivery is what this checks; the
# sender's own speed is measured into XDP_DROP below.
out=$(tg "${V4[@]}" --count 100000 --pps 250k 2>&1)
r1=$(rx_packets)
u1=$(($(snmp Udp InDatagrams) + $(snmp Udp NoPorts)))
if grep -Eq "^sent 100000 packets in [0-9.]+ s \([0-9]+ pps\)$" <<<"$out"; then
	ok "UDP --count 100000: $out"
else
	not_ok "UDP --count 100000: output '$out'"
fi
if within $((r1 - r0)) 100000 100050; then
	ok "receiver veth1 rx packets +$((r1 - r0))"
else
	not_ok "receiver veth1 rx packets +$((r1 - r0)), want 100000"
fi
if [ $((u1 - u0)) -eq 100000 ]; then
	ok "receiver Udp InDatagrams+NoPorts +100000"
else
	not_ok "receiver Udp InDatagrams+NoPorts +$((u1 - u0)), want 100000"
fi

out=$(tg "${V4[@]}" --count 1000 --json 2>&1)
# dev_tx_packets may include a frame the kernel sent itself (ND, ARP).
if grep -Eq '^\{"sent":1000,"seconds":[0-9.]+,"pps":[0-9]+,.*"dev_tx_packets":100[0-9],' <<<"$out"; then
	ok "--json: $out"
else
	not_ok "--json: $out"
fi

# Random sources, TTL and ports, still with good checksums: the stack
# counts them as datagrams to a closed port, not as checksum errors. The
# range leaves out the link's 10.123.200.0/24, whose own and broadcast
# addresses the stack would drop as martian sources. These random-source
# runs are paced, one frame at a time: at full speed a third of them were
# once lost on the way up the stack (every frame a new flow), which is not
# what they check.
u0=$(snmp Udp NoPorts)
e0=$(snmp Udp InCsumErrors)
e0ip=$(snmp Ip InHdrErrors)
out=$(tg "${BASE[@]}" --dst "$B_IP" --random-src 10.123.0.0/17 --random-ttl --random-sport \
	--count 20000 --pps 20k 2>&1)
u1=$(snmp Udp NoPorts)
e1=$(snmp Udp InCsumErrors)
e1ip=$(snmp Ip InHdrErrors)
if [ $((u1 - u0)) -eq 20000 ] && [ "$e1" -eq "$e0" ] && [ "$e1ip" -eq "$e0ip" ]; then
	ok "random source/TTL/port: 20000 delivered, no IP or UDP checksum errors"
else
	not_ok "random source/TTL/port: NoPorts +$((u1 - u0)), UDP csum errors +$((e1 - e0)), IP header errors +$((e1ip - e0ip))"
fi

# TCP SYN (each draws a RST) and ICMP echo (each counted, replies rate-limited).
t0=$(snmp Tcp InSegs)
c0=$(snmp Tcp InCsumErrors)
tg "${BASE[@]}" --dst "$B_IP" --random-src 10.123.0.0/17 --random-sport --proto tcp-syn \
	--count 10000 --pps 20k >/dev/null 2>&1
t1=$(snmp Tcp InSegs)
c1=$(snmp Tcp InCsumErrors)
if [ $((t1 - t0)) -eq 10000 ] && [ "$c1" -eq "$c0" ]; then
	ok "TCP SYN from random sources: 10000 segments in, no checksum errors"
else
	not_ok "TCP SYN: InSegs +$((t1 - t0)), checksum errors +$((c1 - c0))"
fi
i0=$(snmp Icmp InEchos)
tg "${V4[@]}" --proto icmp --random-ttl --size 100 --count 10000 >/dev/null 2>&1
i1=$(snmp Icmp InEchos)
if [ $((i1 - i0)) -eq 10000 ]; then
	ok "ICMP echo: 10000 in"
else
	not_ok "ICMP echo: InEchos +$((i1 - i0)), want 10000"
fi

# IPv6: UDP from random sources in a /64, ICMPv6 echo.
u0=$(snmp6 Udp6NoPorts)
e0=$(snmp6 Udp6InCsumErrors)
tg "${BASE[@]}" --ipv6 --dst "$B_IP6" --random-src fd00:7b:c9::/64 --random-sport --random-ttl \
	--count 10000 --pps 20k >/dev/null 2>&1
u1=$(snmp6 Udp6NoPorts)
e1=$(snmp6 Udp6InCsumErrors)
if [ $((u1 - u0)) -eq 10000 ] && [ "$e1" -eq "$e0" ]; then
	ok "IPv6 UDP from random sources: 10000 delivered, no checksum errors"
else
	not_ok "IPv6 UDP: Udp6NoPorts +$((u1 - u0)), checksum errors +$((e1 - e0))"
fi
i0=$(snmp6 Icmp6InEchos)
tg "${V6[@]}" --proto icmp --count 5000 >/dev/null 2>&1
i1=$(snmp6 Icmp6InEchos)
if [ $((i1 - i0)) -eq 5000 ]; then
	ok "ICMPv6 echo: 5000 in"
else
	not_ok "ICMPv6 echo: Icmp6InEchos +$((i1 - i0)), want 5000"
fi

# --pps 10000 --duration 2: about 20000, counted by the receiver.
r0=$(rx_packets)
out=$(tg "${V4[@]}" --pps 10000 --duration 2 2>&1)
r1=$(rx_packets)
n=$(sed -n 's/^sent \([0-9]*\) packets.*/\1/p' <<<"$out")
if within "${n:-0}" 16000 24000 && within $((r1 - r0)) 16000 24050; then
	ok "--pps 10000 --duration 2: $out, receiver +$((r1 - r0))"
else
	not_ok "--pps 10000 --duration 2: '$out', receiver +$((r1 - r0))"
fi

# A fast paced run (chunks of 100 ms) and --count with --duration.
out=$(tg "${V4[@]}" --pps 500k --duration 1 2>&1)
n=$(sed -n 's/^sent \([0-9]*\) packets.*/\1/p' <<<"$out")
if within "${n:-0}" 400000 600000; then
	ok "--pps 500k --duration 1: $out"
else
	not_ok "--pps 500k --duration 1: '$out'"
fi
# A rate no sender here reaches: the run still ends at --duration.
out=$(tg "${V4[@]}" --pps 1000M --duration 1 2>&1)
if grep -Eq "^sent [0-9]+ packets in (0\.9|1\.[01])[0-9]* s" <<<"$out"; then
	ok "--pps beyond the sender's speed ends at --duration 1: $out"
else
	not_ok "--pps 1000M --duration 1: '$out'"
fi
out=$(tg "${V4[@]}" --pps 1000 --count 300 --duration 5 2>&1)
if grep -Eq "^sent 300 packets in (0|1)\.[0-9]* s" <<<"$out"; then
	ok "--count ends a paced run before --duration: $out"
else
	not_ok "--count 300 at 1000 pps: '$out'"
fi

# SIGINT ends a run early with the summary. nsenter execs the tool, so $!
# is its PID.
nsenter --net="/run/netns/$NS_A" "$TG" "${V4[@]}" --pps 1000 --duration 20 >"$TMP/int.out" 2>&1 &
pid=$!
BG_PID=$pid
sleep 1
kill -INT "$pid"
for i in $(seq 30); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if ! kill -0 "$pid" 2>/dev/null && grep -q "^sent [0-9]* packets" "$TMP/int.out"; then
	ok "SIGINT stops the run: $(cat "$TMP/int.out")"
else
	not_ok "SIGINT: still running or no summary ($(cat "$TMP/int.out"))"
	kill "$pid" 2>/dev/null
fi
wait "$pid" 2>/dev/null
BG_PID=""

# No bpffs needed: run in a mount namespace without /sys/fs/bpf.
out=$(unshare -m sh -c "umount /sys/fs/bpf 2>/dev/null; ! ls /sys/fs/bpf/* >/dev/null 2>&1 &&
	exec nsenter --net=/run/netns/$NS_A $TG --dev veth0 --dst-mac $MAC_B --src $A_IP --dst $B_IP --count 1000" 2>&1)
if grep -q "^sent 1000 packets" <<<"$out"; then
	ok "runs without bpffs (pins nothing)"
else
	not_ok "without bpffs: $out"
fi

if command -v tcpdump >/dev/null; then
	echo "trafgen: captures on the receiver"
	if capture 200 "udp and dst port 5060" "$TMP/rand.txt"; then
		tg "${BASE[@]}" --dst "$B_IP" --random-src 10.123.0.0/17 --random-sport --random-ttl \
			--pps 2000 --duration 3 >/dev/null 2>&1
		capture_wait
		cap_sources "$TMP/rand.txt" >"$TMP/rand.src"
		n=$(wc -l <"$TMP/rand.src")
		outside=$(awk -F. '$1 != 10 || $2 != 123 || $3 >= 128' "$TMP/rand.src" | wc -l)
		sums=$(grep -c "udp sum ok" "$TMP/rand.txt")
		badsum=$(grep -Ec "bad (udp )?cksum|incorrect" "$TMP/rand.txt")
		if [ "$n" -ge 150 ] && [ "$outside" -eq 0 ] && [ "$sums" -eq 200 ] && [ "$badsum" -eq 0 ]; then
			ok "--random-src 10.123.0.0/17: $n distinct sources in 200, all inside, checksums ok"
		else
			not_ok "--random-src: $n distinct, $outside outside, $sums sums ok, $badsum bad"
		fi
	else
		not_ok "tcpdump did not start"
	fi

	if capture 30 "udp and dst port 5060" "$TMP/seq.txt"; then
		tg "${BASE[@]}" --dst "$B_IP" --src 10.123.201.1 --sources 10 --pps 1000 --count 30 \
			>/dev/null 2>&1
		capture_wait
		srcs=$(cap_sources "$TMP/seq.txt" | sort -t. -k4 -n | tr '\n' ' ')
		want=$(for i in $(seq 10); do printf '10.123.201.%d ' "$i"; done)
		if [ "$srcs" = "$want" ]; then
			ok "--sources 10: exactly 10.123.201.1 .. 10.123.201.10"
		else
			not_ok "--sources 10: got '$srcs'"
		fi
	else
		not_ok "tcpdump did not start"
	fi

	if capture 1 "udp and dst port 5060" "$TMP/sip.txt"; then
		tg "${V4[@]}" --payload sip-invite --count 1 >/dev/null 2>&1
		capture_wait
		if grep -q "INVITE sip:1000@$B_IP:5060 SIP/2.0" "$TMP/sip.txt" &&
			grep -q "branch=z9hG4bK" "$TMP/sip.txt" && grep -q "m=audio" "$TMP/sip.txt" &&
			grep -q "udp sum ok" "$TMP/sip.txt"; then
			ok "--payload sip-invite: a SIP INVITE with SDP, checksum ok"
		else
			not_ok "--payload sip-invite: $(head -c 300 "$TMP/sip.txt")"
		fi
	else
		not_ok "tcpdump did not start"
	fi
else
	skip "captures (tcpdump is not installed)"
fi

if command -v ethtool >/dev/null; then
	echo "trafgen: receiver with GRO and no XDP program"
	xdp_off_b
	if ns_b ethtool -K veth1 gro on 2>/dev/null; then
		u0=$(snmp Udp NoPorts)
		tg "${V4[@]}" --count 10000 >/dev/null 2>&1
		u1=$(snmp Udp NoPorts)
		if [ $((u1 - u0)) -eq 10000 ]; then
			ok "GRO on the peer instead of XDP: 10000 delivered"
		else
			not_ok "GRO on the peer: NoPorts +$((u1 - u0)), want 10000"
		fi
		ns_b ethtool -K veth1 gro off
	else
		not_ok "ethtool -K veth1 gro on"
	fi
else
	skip "GRO receiver (ethtool is not installed)"
fi

echo "trafgen: bad input"
bad "no --count or --duration" "${V4[@]}"
bad "--duration over 600" "${V4[@]}" --duration 601
bad "--count over 10^10" "${V4[@]}" --count 10000000001
bad "--count 0" "${V4[@]}" --count 0
bad "no --dst-mac" --dev veth0 --src "$A_IP" --dst "$B_IP" --count 1
bad "bad MAC" --dev veth0 --dst-mac 02:00:00:00:00 --src "$A_IP" --dst "$B_IP" --count 1
bad "unknown interface" --dev nosuch0 --dst-mac "$MAC_B" --src "$A_IP" --dst "$B_IP" --count 1
bad "bad --src" "${BASE[@]}" --src 10.123.300.1 --dst "$B_IP" --count 1
bad "mixed families" "${BASE[@]}" --src "$A_IP6" --dst "$B_IP" --count 1
bad "--ipv6 with IPv4" "${V4[@]}" --ipv6 --count 1
bad "bad CIDR" "${BASE[@]}" --dst "$B_IP" --random-src 10.123.128.0/33 --count 1
bad "CIDR host bits" "${BASE[@]}" --dst "$B_IP" --random-src 10.123.128.1/17 --count 1
bad "CIDR family" "${BASE[@]}" --dst "$B_IP" --random-src fd00::/64 --count 1
bad "--random-src with --sources" "${V4[@]}" --random-src 10.123.128.0/17 --sources 4 --count 1
bad "--proto" "${V4[@]}" --proto sctp --count 1
bad "--payload" "${V4[@]}" --payload junk --count 1
bad "SIP payload over TCP" "${V4[@]}" --proto tcp-syn --payload sip-invite --count 1
bad "--size with SIP" "${V4[@]}" --payload sip-options --size 200 --count 1
bad "--size too small for IPv6 TCP" "${V6[@]}" --proto tcp-syn --size 64 --count 1
bad "--size over the MTU" "${V4[@]}" --size 1515 --count 1
bad "--pps 0" "${V4[@]}" --pps 0 --count 1
bad "--threads 0" "${V4[@]}" --threads 0 --count 1
bad "unknown option" "${V4[@]}" --count 1 --frobnicate
bad "--sources past the end" "${BASE[@]}" --src 255.255.255.250 --dst "$B_IP" --sources 10 --count 1

echo "trafgen: rate into an XDP_DROP receiver (one thread, 64-byte UDP frames)"
xdp_off_b
if xdp_on_b "$DROP_OBJ"; then
	r0=$(rx_packets)
	out=$(tg "${V4[@]}" --size 64 --duration 3 --json 2>&1)
	r1=$(rx_packets)
	sent=$(sed -n 's/^{"sent":\([0-9]*\),.*/\1/p' <<<"$out")
	pps=$(sed -n 's/.*"pps":\([0-9]*\),.*/\1/p' <<<"$out")
	echo "  rate: ${pps:-?} pps ($out)"
	if [ "${sent:-0}" -gt 0 ] && [ $((r1 - r0)) -ge $((sent * 99 / 100)) ] &&
		[ "${pps:-0}" -ge 500000 ]; then
		ok "XDP_DROP receiver: ${pps} pps, receiver counted $((r1 - r0)) of $sent"
	else
		not_ok "XDP_DROP receiver: '$out', receiver +$((r1 - r0))"
	fi
	xdp_off_b
else
	not_ok "attach $DROP_OBJ to veth1"
fi

finish
