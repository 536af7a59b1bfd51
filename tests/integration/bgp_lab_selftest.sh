#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Self-test of the BGP lab (bgp_lib.sh), no xdpguard involved: ExaBGP in A,
# driven through its API, announces and withdraws FlowSpec v4/v6 and RTBH
# v4/v6 to each receiver in B (gobgpd, BIRD, FRR), which must show the
# same normalized routes; then the speakers that an adapter would drive in
# A (gobgpd over gRPC, BIRD by include + configure, FRR by vtysh) each get
# a route to a gobgpd receiver in B. Needs root and exabgp gobgpd bird2
# frr. Prints "ok - ..." / "not ok - ..." and "N passed, N failed".

cd "$(dirname "$0")" || exit 1
. ./bgp_lib.sh

passed=0
failed=0
ok() {
	passed=$((passed + 1))
	echo "ok - $1"
}
not_ok() {
	failed=$((failed + 1))
	echo "not ok - $1"
}
# check NAME CMD...: passes when CMD exits 0; the time of the last
# bgp_wait_* goes in the line.
check() {
	local name=$1
	shift
	BGP_WAIT_SECS=
	if "$@"; then
		ok "$name${BGP_WAIT_SECS:+ (${BGP_WAIT_SECS}s)}"
	else
		not_ok "$name${BGP_WAIT_SECS:+ (${BGP_WAIT_SECS}s)}"
		return 1
	fi
}

exa_refused() { ! exabgp_cmd "$1" 2>/dev/null; }
# "Reconfigured", or "Reconfiguration in progress" when protocols go
bird_configure() { bgp_birdc bird-a configure | grep -q Reconfigur; }

missing=
for tool in exabgp gobgpd gobgp bird birdc vtysh /usr/lib/frr/bgpd nsenter python3; do
	command -v "$tool" >/dev/null || missing+=" $tool"
done
if [ "$(id -u)" != 0 ] || [ -n "$missing" ]; then
	not_ok "prerequisites: root and the packages exabgp gobgpd bird2 frr (missing:${missing:- root})"
	echo "bgp_lab_selftest: $passed passed, $failed failed"
	exit 1
fi

t_start=$SECONDS
trap bgp_lab_teardown EXIT
trap 'exit 130' INT TERM
check "lab setup" bgp_lab_setup || exit 1

# What ExaBGP announces, and the line each receiver must show for it.
FLOW4='destination 10.123.60.5/32; protocol udp; destination-port =5060;'
FLOW4_LINE='^10\.123\.60\.5/32 proto=17 dport=5060 discard$'
FLOW4B='destination 10.123.60.6/32; source 10.123.70.0/24; protocol [ udp tcp ]; destination-port [ =53 >=1000&<=2000 ]; packet-length >=1000; fragment [ is-fragment ];'
FLOW4B_LINE='^10\.123\.60\.6/32 src=10\.123\.70\.0/24 proto=17,6 dport=53,1000\.\.2000 len=>=1000 frag=is-fragment rate=9600$'
FLOW4C='destination 10.123.60.7/32; protocol tcp; tcp-flags [ syn ];'
FLOW4C_LINE='^10\.123\.60\.7/32 proto=6 tcp-flags=syn discard$'
FLOW6='destination 2001:db8:123::5/128; next-header udp; destination-port =5060;'
FLOW6_LINE='^2001:db8:123::5/128 proto=17 dport=5060 discard$'
RTBH4_LINE='^10\.123\.60\.5/32 nh=10\.123\.50\.1 community=(.*,)?65535:666(,|$)'
# an IPv6 RTBH goes to a discard next hop: BIRD refuses IPv4-mapped ones
RTBH6_LINE='^2001:db8:123::5/128 nh=100::1 community=(.*,)?65535:666(,|$)'

for rx in gobgpd bird frr; do
	name=$rx-b
	check "$rx: receiver starts" "start_${rx}_receiver" || continue
	check "$rx: exabgp starts" start_exabgp_driven "$BGP_ASN_A" "$BGP_ASN_B" "$BGP_IP_B" \
		"$(bgp_exabgp_driver)" || { bgp_stop "$name"; continue; }
	check "$rx: session established (receiver view)" bgp_wait_established "$name" 15
	check "$rx: session established (exabgp view, neighbor-changes)" bgp_wait_established exabgp 15
	check "$rx: exabgp acks flow4 announce" \
		exabgp_cmd "announce flow route { match { $FLOW4 } then { discard; } }"
	check "$rx: exabgp acks flow4 rate-limit announce" \
		exabgp_cmd "announce flow route { match { $FLOW4B } then { rate-limit 9600; } }"
	check "$rx: exabgp acks flow4 tcp-flags announce" \
		exabgp_cmd "announce flow route { match { $FLOW4C } then { discard; } }"
	check "$rx: exabgp acks flow6 announce" \
		exabgp_cmd "announce flow route { match { $FLOW6 } then { discard; } }"
	check "$rx: exabgp acks rtbh4 announce" \
		exabgp_cmd "announce route 10.123.60.5/32 next-hop 10.123.50.1 community [65535:666]"
	check "$rx: exabgp acks rtbh6 announce" \
		exabgp_cmd "announce route 2001:db8:123::5/128 next-hop 100::1 community [65535:666]"
	check "$rx: exabgp answers error to a bad command" exa_refused "announce bogus"
	check "$rx: flow4 received" bgp_wait_route "$name" flowspec4 "$FLOW4_LINE" 10
	check "$rx: flow4 rate-limit received" bgp_wait_route "$name" flowspec4 "$FLOW4B_LINE" 10
	check "$rx: flow4 tcp-flags received" bgp_wait_route "$name" flowspec4 "$FLOW4C_LINE" 10
	check "$rx: flow6 received" bgp_wait_route "$name" flowspec6 "$FLOW6_LINE" 10
	check "$rx: rtbh4 received" bgp_wait_route "$name" unicast4 "$RTBH4_LINE" 10
	check "$rx: rtbh6 received" bgp_wait_route "$name" unicast6 "$RTBH6_LINE" 10
	if [ "$failed" -gt 0 ]; then
		for fam in flowspec4 flowspec6 unicast4 unicast6; do
			echo "# $name $fam:"
			bgp_rib "$name" "$fam" 2>&1 | sed 's/^/#   /'
		done
	fi
	check "$rx: exabgp acks withdrawals" exabgp_cmd "withdraw flow route { match { $FLOW4 } }"
	exabgp_cmd "withdraw flow route { match { $FLOW4B } }"
	exabgp_cmd "withdraw flow route { match { $FLOW4C } }"
	exabgp_cmd "withdraw flow route { match { $FLOW6 } }"
	exabgp_cmd "withdraw route 10.123.60.5/32 next-hop 10.123.50.1"
	exabgp_cmd "withdraw route 2001:db8:123::5/128 next-hop 100::1"
	check "$rx: flow4 withdrawn" bgp_wait_no_route "$name" flowspec4 '^10\.123\.60\.[567]/32' 10
	check "$rx: flow6 withdrawn" bgp_wait_no_route "$name" flowspec6 '^2001:db8:123::5/128' 10
	check "$rx: rtbh4 withdrawn" bgp_wait_no_route "$name" unicast4 '^10\.123\.60\.5/32' 10
	check "$rx: rtbh6 withdrawn" bgp_wait_no_route "$name" unicast6 '^2001:db8:123::5/128' 10
	bgp_stop exabgp
	bgp_stop "$name"
done

# The speakers in A, each to a fresh gobgpd receiver in B (one that saw a
# session drop would hold the next one off for about 5 s).
check "gobgpd speaker: receiver starts" start_gobgpd_receiver
if check "gobgpd speaker starts" start_gobgpd_speaker; then
	check "gobgpd speaker: established" bgp_wait_established gobgpd-a 15
	check "gobgpd speaker: flow4 added over gRPC" bgp_gobgp gobgpd-a global rib -a ipv4-flowspec \
		add match destination 10.123.60.20/32 protocol udp destination-port ==5060 then discard
	check "gobgpd speaker: flow6 added" bgp_gobgp gobgpd-a global rib -a ipv6-flowspec \
		add match destination 2001:db8:123::20/128 protocol udp then rate-limit 9600
	check "gobgpd speaker: rtbh4 added" bgp_gobgp gobgpd-a global rib -a ipv4 \
		add 10.123.60.20/32 nexthop 10.123.50.1 community 65535:666
	check "gobgpd speaker: flow4 at receiver" bgp_wait_route gobgpd-b flowspec4 \
		'^10\.123\.60\.20/32 proto=17 dport=5060 discard$' 10
	check "gobgpd speaker: flow6 at receiver" bgp_wait_route gobgpd-b flowspec6 \
		'^2001:db8:123::20/128 proto=17 rate=9600$' 10
	check "gobgpd speaker: rtbh4 at receiver" bgp_wait_route gobgpd-b unicast4 \
		'^10\.123\.60\.20/32 nh=10\.123\.50\.1 community=65535:666$' 10
	check "gobgpd speaker: flow4 deleted" bgp_gobgp gobgpd-a global rib -a ipv4-flowspec \
		del match destination 10.123.60.20/32 protocol udp destination-port ==5060
	bgp_gobgp gobgpd-a global rib -a ipv6-flowspec del match destination 2001:db8:123::20/128 protocol udp
	bgp_gobgp gobgpd-a global rib -a ipv4 del 10.123.60.20/32
	check "gobgpd speaker: flow4 gone at receiver" bgp_wait_no_route gobgpd-b flowspec4 '^10\.123\.60\.20/' 10
	check "gobgpd speaker: flow6 gone at receiver" bgp_wait_no_route gobgpd-b flowspec6 '^2001:db8:123::20/' 10
	check "gobgpd speaker: rtbh4 gone at receiver" bgp_wait_no_route gobgpd-b unicast4 '^10\.123\.60\.20/' 10
	bgp_stop gobgpd-a
fi
bgp_stop gobgpd-b

check "bird speaker: receiver starts" start_gobgpd_receiver

if check "bird speaker starts" start_bird_speaker; then
	check "bird speaker: established" bgp_wait_established bird-a 15
	cat >"$BGP_BIRD_INCLUDE" <<-'EOF'
		protocol static xg_flow4 {
			flow4 { table flowtab4; };
			route flow4 { dst 10.123.60.21/32; proto 17; dport 5060; } {
				bgp_ext_community.add((generic, 0x80060000, 0x0));
			};
		}
		protocol static xg_flow6 {
			flow6 { table flowtab6; };
			route flow6 { dst 2001:db8:123::21/128; next header 17; dport 5060; } {
				bgp_ext_community.add((generic, 0x80060000, 0x0));
			};
		}
		protocol static xg_rtbh4 {
			ipv4;
			route 10.123.60.21/32 blackhole { bgp_community.add((65535, 666)); };
		}
	EOF
	check "bird speaker: configure with the include" bird_configure
	check "bird speaker: flow4 at receiver" bgp_wait_route gobgpd-b flowspec4 \
		'^10\.123\.60\.21/32 proto=17 dport=5060 discard$' 10
	check "bird speaker: flow6 at receiver" bgp_wait_route gobgpd-b flowspec6 \
		'^2001:db8:123::21/128 proto=17 dport=5060 discard$' 10
	check "bird speaker: rtbh4 at receiver" bgp_wait_route gobgpd-b unicast4 \
		'^10\.123\.60\.21/32 nh=10\.123\.50\.1 community=65535:666$' 10
	: >"$BGP_BIRD_INCLUDE"
	check "bird speaker: configure with the include emptied" bird_configure
	check "bird speaker: flow4 gone at receiver" bgp_wait_no_route gobgpd-b flowspec4 '^10\.123\.60\.21/' 10
	check "bird speaker: flow6 gone at receiver" bgp_wait_no_route gobgpd-b flowspec6 '^2001:db8:123::21/' 10
	check "bird speaker: rtbh4 gone at receiver" bgp_wait_no_route gobgpd-b unicast4 '^10\.123\.60\.21/' 10
	bgp_stop bird-a
fi
bgp_stop gobgpd-b

check "frr speaker: receiver starts" start_gobgpd_receiver

if check "frr speaker starts" start_frr_speaker; then
	check "frr speaker: established" bgp_wait_established frr-a 15
	check "frr speaker: network statement by vtysh" bgp_vtysh frr-a -c 'configure terminal' \
		-c "router bgp $BGP_ASN_A" -c 'address-family ipv4 unicast' \
		-c 'network 10.123.60.22/32 route-map XG-RTBH'
	check "frr speaker: rtbh4 at receiver" bgp_wait_route gobgpd-b unicast4 \
		'^10\.123\.60\.22/32 nh=10\.123\.50\.1 community=65535:666$' 10
	check "frr speaker: no network by vtysh" bgp_vtysh frr-a -c 'configure terminal' \
		-c "router bgp $BGP_ASN_A" -c 'address-family ipv4 unicast' \
		-c 'no network 10.123.60.22/32 route-map XG-RTBH'
	check "frr speaker: rtbh4 gone at receiver" bgp_wait_no_route gobgpd-b unicast4 '^10\.123\.60\.22/' 10
	bgp_stop frr-a
fi

bgp_stop gobgpd-b
echo "# took $((SECONDS - t_start)) s"
echo "bgp_lab_selftest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
