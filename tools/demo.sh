#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# A live demo in throw-away network namespaces: a SIP server node protected
# by xdpguard, a known peer and an attacker on the same segment. Every
# address is inside the namespaces; every traffic loop is bounded; the
# namespaces are removed on exit, Ctrl-C included.
#
# usage: tools/demo.sh [path/to/xdpctl]
set -u

XDPCTL=$(readlink -f "${1:-build/xdpctl}")
TAG="xg-demo$$"
NS_NET="$TAG-net"   # a bridge: the segment in front of the server
NS_PEER="$TAG-peer" # a known SIP peer
NS_ATK="$TAG-atk"   # the attacker
NS_SRV="$TAG-srv"   # the protected SIP server
export XDPGUARD_PIN_DIR="/sys/fs/bpf/$TAG"
SRV=10.123.10.1
PEER=10.123.10.20
ATTACKER=10.123.10.66

if [ "$(id -u)" -ne 0 ]; then
	echo "demo: run as root (it creates network namespaces and attaches XDP)" >&2
	exit 1
fi

cleanup() {
	nsenter --net="/run/netns/$NS_SRV" "$XDPCTL" detach veth-srv >/dev/null 2>&1
	for ns in "$NS_PEER" "$NS_ATK" "$NS_NET" "$NS_SRV"; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -f "$MSG"
	echo "demo: namespaces removed"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
srv() { nsenter --net="/run/netns/$NS_SRV" "$@"; }
peer() { nsenter --net="/run/netns/$NS_PEER" "$@"; }
atk() { nsenter --net="/run/netns/$NS_ATK" "$@"; }
xdpctl() { srv "$XDPCTL" "$@"; }

# sip_options N: the peer sends N SIP OPTIONS pings, 20 per second (cat
# writes each message in one datagram).
MSG=$(mktemp)
printf 'OPTIONS sip:%s SIP/2.0\r\nVia: SIP/2.0/UDP %s:5060;branch=z9hG4bK-demo\r\nFrom: <sip:peer@%s>;tag=1\r\nTo: <sip:%s>\r\nCall-ID: demo@%s\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n' \
	"$SRV" "$PEER" "$PEER" "$SRV" "$PEER" >"$MSG"
sip_options() {
	local i
	for ((i = 0; i < $1; i++)); do
		peer bash -c "cat '$MSG' >/dev/udp/$SRV/5060" 2>/dev/null
		sleep 0.05
	done
}

# junk N: the attacker sends N non-SIP datagrams to 5060 as fast as bash can.
junk() {
	atk bash -c "for ((i = 0; i < $1; i++)); do echo flood > /dev/udp/$SRV/5060; done" 2>/dev/null
}

udp_in() { srv awk '/^Udp:/ && $2 ~ /^[0-9]+$/ { print $2 + $3 }' /proc/net/snmp; }

say "setting up: peer $PEER and attacker $ATTACKER on a bridge in front of server $SRV"
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
for ns in "$NS_NET" "$NS_PEER" "$NS_ATK" "$NS_SRV"; do
	ip netns add "$ns"
done
ip -n "$NS_NET" link add br0 type bridge
ip -n "$NS_NET" link set br0 up
# host end, bridge end, address
for spec in "$NS_PEER veth-peer $PEER" "$NS_ATK veth-atk $ATTACKER" "$NS_SRV veth-srv $SRV"; do
	set -- $spec
	ip link add "$2" netns "$1" type veth peer name "b-$2" netns "$NS_NET"
	ip -n "$1" addr add "$3/24" dev "$2"
	ip -n "$1" link set "$2" up
	ip -n "$NS_NET" link set "b-$2" master br0 up
done

say "xdpctl attach veth-srv"
xdpctl attach veth-srv || exit 1
xdpctl status

say "peacetime: the peer pings the server with SIP OPTIONS"
sip_options 20 &
xdpctl stats --interval 1000 | sed -n '/^SIP/,/^TCP/p'
wait

say "attack: 3000 junk datagrams to 5060 from $ATTACKER"
junk 3000 &
xdpctl stats --interval 1000 | sed -n '/^SIP/,/^TCP/p'
wait

say "mitigate: allowlist the peer, block the whole /24 for 30 s"
xdpctl allow "$PEER" --comment "demo SIP peer"
xdpctl block 10.123.10.0/24 --ttl 30
before=$(udp_in)
junk 3000 &
sip_options 20 &
xdpctl stats --interval 1000 | sed -n '/^SIP/,$p'
wait
after=$(udp_in)
echo "datagrams that reached the server's UDP stack during the attack: $((after - before)) (the peer's 20 OPTIONS)"
xdpctl list block
xdpctl list allow

say "done: detaching"
xdpctl detach veth-srv
