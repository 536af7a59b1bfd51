#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Replay tests: every scenario of xg-pcapgen goes through `xdpctl replay`
# (the real XDP program under BPF_PROG_TEST_RUN and the real controller on
# the capture's clock), and the JSON lines it prints must name the attack:
# one incident of the expected family (and subtype), opened during the
# attack and closed after it; no incident at all for the benign ramp and
# avalanche; a summary that counts every packet. Then bad captures.
#
# usage: tests/replay/run.sh path/to/xdpctl path/to/xg-pcapgen
#
# The config is tests/replay/replay.json: 1 s ticks, a 30-tick window,
# threshold 3 x p99, 20 s of learning, close after 5 quiet ticks. Its floors
# are far below the product's because the captures are small. Peacetime
# (50 SIP endpoints, 4 RTP streams, SIP-TLS ACKs, a ping) peaks per tick at
# about pps 255, udp_pps 230, rtp_pps 202, tcp_pps 27, ack_pps 21, psh_pps 6,
# sip_udp_pps 27, sip_register_pps 12, sip_options_pps 15 and 0.5 Mbit/s;
# the avalanche at pps 305 and sip_register_pps 68 in peace, and at pps 900,
# udp_pps 820, sip_register_pps 660 and 3.9 Mbit/s in its surge (which must
# fire: sip_register_pps 100, sip_udp_pps 300). So pps and udp_pps 1500,
# rtp_pps 1000, tcp/ack/psh_pps 500, sip_tcp/tls_pps 300 and bps 12e6 stay
# well over all of it, and what peace does not send sits low: icmp, gre,
# esp, other, frag, syn, rst, fin, malformed SIP, invalid RTP and amp 100;
# sip_invite, xmas and null 50. Each attack (600-4000 pps) is 2.8x (udp_pps
# 4200 against 1500) to 30x (syn_pps 3000 against 100) over the floor of its
# own metric. sip_options_pps is 60 so that the ramp (OPTIONS from 30/s to
# 90/s over 10 minutes) crosses its floor: the rolling baseline, not the
# floor, must keep it quiet. Every attack starts at 40 s, after learning,
# and the 20 s of peace after it leave time for the incident to close.
# Captures sample 1 in 16 in peace and 1 in 4 during an incident, so each
# incident's pcap holds packets from before it opened.
set -u

XDPCTL=$(readlink -f "${1:-build/xdpctl}")
PCAPGEN=$(readlink -f "${2:-build/xg-pcapgen}")
HERE=$(cd "$(dirname "$0")" && pwd)
CONFIG="$HERE/replay.json"
passed=0
failed=0

ok() {
	passed=$((passed + 1))
	echo "  ok   $1"
}

not_ok() { # NAME WHY
	failed=$((failed + 1))
	echo "  FAIL $1 ($2)"
}

if [ "$(id -u)" -ne 0 ]; then
	echo "replay: needs root (BPF_PROG_TEST_RUN)"
	echo "replay: 0 passed, 1 failed"
	exit 1
fi
for bin in "$XDPCTL" "$PCAPGEN"; do
	if [ ! -x "$bin" ]; then
		echo "replay: $bin: not an executable"
		echo "replay: 0 passed, 1 failed"
		exit 1
	fi
done

TMP=$(mktemp -d /tmp/xg-replay.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

# JSON from replay: one object per line. jq reads it when installed
# (XG_NO_JQ=1 forces the fallback); otherwise grep and sed, which is enough
# for top-level string, number and boolean values.
if command -v jq >/dev/null 2>&1 && [ -z "${XG_NO_JQ:-}" ]; then
	HAVE_JQ=1
else
	HAVE_JQ=0
fi

# jval LINE KEY: the value of a top-level key (strings without quotes).
jval() {
	if [ "$HAVE_JQ" = 1 ]; then
		jq -r --arg k "$2" 'if has($k) then .[$k] | tostring else empty end' <<<"$1" \
			2>/dev/null
	else
		grep -o "\"$2\"[[:space:]]*:[[:space:]]*\(\"[^\"]*\"\|[^,}[:space:]]*\)" <<<"$1" |
			head -1 | sed -e 's/^"[^"]*"[[:space:]]*:[[:space:]]*//' -e 's/^"\(.*\)"$/\1/'
	fi
}

# events FILE NAME: the lines of one event type.
events() {
	grep -E "\"event\"[[:space:]]*:[[:space:]]*\"$2\"" "$1"
}

# count FILE NAME
count() {
	events "$1" "$2" | wc -l
}

# Packets in a capture: tcpdump or capinfos, else what pcapgen said.
pcap_count() { # FILE FALLBACK
	if command -v tcpdump >/dev/null 2>&1; then
		tcpdump -tt -n -r "$1" 2>/dev/null | grep -c '^[0-9]\{9,\}\.[0-9]'
	elif command -v capinfos >/dev/null 2>&1; then
		capinfos -c -M "$1" | sed -n 's/^Number of packets:[[:space:]]*//p'
	else
		echo "$2"
	fi
}

# a <= x <= b for decimals
between() {
	awk -v a="$1" -v x="$2" -v b="$3" 'BEGIN { exit !(x + 0 >= a + 0 && x + 0 <= b + 0) }'
}

# name family subtype spoofed: what each scenario must open. "-" for no
# subtype check; spoofed "-" for no check, else true/false.
SCENARIOS="
udp_flood            udp_flood           -         false
syn_flood            syn_flood           -         -
sip_tls_syn_flood    sip_tls_syn_flood   -         -
tcp_ack              tcp_flood           ack       -
tcp_rst              tcp_flood           rst       -
tcp_fin              tcp_flood           fin       -
tcp_psh              tcp_flood           psh       -
tcp_xmas             tcp_flood           xmas      -
tcp_null             tcp_flood           null      -
icmp_flood           icmp_flood          -         -
fragment_flood       fragment_flood      -         -
gre_flood            protocol_flood      gre       -
esp_flood            protocol_flood      esp       -
amp_dns              amplification       dns       -
amp_ntp              amplification       ntp       -
amp_ssdp             amplification       ssdp      -
amp_memcached        amplification       memcached -
sip_register_flood   sip_register_flood  -         -
sip_invite_flood     sip_invite_flood    -         -
sip_options_flood    sip_options_flood   -         -
sip_malformed_flood  sip_malformed_flood -         -
rtp_flood            rtp_flood           -         -
multi_vector         multi_vector        -         -
ipv6_udp_flood       udp_flood           -         false
spoofed_udp_flood    udp_flood           -         true
ramp                 none                -         -
avalanche            none                -         -
"

echo "replay: xg-pcapgen"
out=$("$PCAPGEN" list 2>&1)
listed=$(awk '{ print $1 }' <<<"$out" | sort | tr '\n' ' ')
want=$(awk 'NF { print $1 }' <<<"$SCENARIOS" | sort | tr '\n' ' ')
if [ "$listed" = "$want" ]; then
	ok "list names every scenario tested here"
else
	not_ok "list names every scenario tested here" "listed: $listed"
fi
for bad_args in "no_such_scenario -o $TMP/x.pcap" "udp_flood" "udp_flood -o $TMP/x.pcap --scale 0" \
	"udp_flood -o $TMP/x.pcap --seed -1" "udp_flood -o $TMP/x.pcap --bogus"; do
	# shellcheck disable=SC2086 # the arguments are split on purpose
	out=$("$PCAPGEN" $bad_args 2>&1)
	rc=$?
	if [ $rc -eq 1 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && grep -q '^xg-pcapgen: ' <<<"$out"; then
		ok "'xg-pcapgen $bad_args': one error line, exit 1"
	else
		not_ok "'xg-pcapgen $bad_args': one error line, exit 1" "rc=$rc: $out"
	fi
done
"$PCAPGEN" sip_invite_flood -o "$TMP/a.pcap" --seed 7 2>/dev/null
"$PCAPGEN" sip_invite_flood -o "$TMP/b.pcap" --seed 7 2>/dev/null
"$PCAPGEN" sip_invite_flood -o "$TMP/c.pcap" --seed 8 2>/dev/null
if [ -s "$TMP/a.pcap" ] && cmp -s "$TMP/a.pcap" "$TMP/b.pcap"; then
	ok "the same seed writes the same bytes"
else
	not_ok "the same seed writes the same bytes" "a.pcap and b.pcap differ"
fi
if [ -s "$TMP/c.pcap" ] && ! cmp -s "$TMP/a.pcap" "$TMP/c.pcap"; then
	ok "another seed writes other bytes"
else
	not_ok "another seed writes other bytes" "a.pcap and c.pcap are the same"
fi
"$PCAPGEN" icmp_flood -o "$TMP/ns.pcap" --scale 0.1 --nanosecond 2>/dev/null
magic=$(od -An -tx1 -N4 "$TMP/ns.pcap" 2>/dev/null | tr -d ' \n')
if [ "$magic" = "4d3cb2a1" ]; then
	ok "--nanosecond writes a nanosecond pcap"
else
	not_ok "--nanosecond writes a nanosecond pcap" "magic $magic"
fi
rm -f "$TMP"/[abc].pcap

echo "replay: scenarios (jq: $([ "$HAVE_JQ" = 1 ] && echo yes || echo no))"
while read -r -u 3 name family subtype spoofed; do
	[ -n "$name" ] || continue
	pcap="$TMP/$name.pcap"
	out="$TMP/$name.out"
	err="$TMP/$name.err"

	if ! gen=$("$PCAPGEN" "$name" -o "$pcap" 2>&1); then
		not_ok "$name: generate" "$gen"
		continue
	fi
	# "xg-pcapgen: NAME: N packets, B bytes, L s from EPOCH, attack A-B s -> FILE"
	n=$(sed -n 's/.*: \([0-9]*\) packets,.*/\1/p' <<<"$gen")
	epoch=$(sed -n 's/.* from \([0-9]*\),.*/\1/p' <<<"$gen")
	atk_from=$(sed -n 's/.*, attack \([0-9.]*\)-\([0-9.]*\) s.*/\1/p' <<<"$gen")
	atk_to=$(sed -n 's/.*, attack \([0-9.]*\)-\([0-9.]*\) s.*/\2/p' <<<"$gen")
	counted=$(pcap_count "$pcap" "$n")

	"$XDPCTL" replay "$pcap" --config "$CONFIG" --state-dir "$TMP/state-$name" >"$out" 2>"$err"
	rc=$?
	if [ $rc -ne 0 ]; then
		not_ok "$name: replay" "exit $rc: $(head -c 300 "$err")"
		rm -f "$pcap"
		continue
	fi

	# The summary: every packet read, and each one passed or dropped.
	sum=$(events "$out" summary | tail -1)
	packets=$(jval "$sum" packets)
	np=$(jval "$sum" passed)
	nd=$(jval "$sum" dropped)
	if [ -z "$sum" ]; then
		not_ok "$name: summary counts all $counted packets" "no summary line"
	elif [ "$counted" != "$n" ]; then
		not_ok "$name: summary counts all $counted packets" \
			"xg-pcapgen said $n packets, the capture holds $counted"
	elif [ "$packets" = "$counted" ] && [[ "$np$nd" =~ ^[0-9]+$ ]] &&
		[ $((np + nd)) -eq "$counted" ]; then
		ok "$name: summary counts all $counted packets"
	else
		not_ok "$name: summary counts all $counted packets" \
			"packets $packets, passed $np + dropped $nd"
	fi

	opens=$(count "$out" incident_open)
	if [ "$family" = none ]; then
		if [ "$opens" -eq 0 ]; then
			ok "$name: no incident"
		else
			not_ok "$name: no incident" "$opens opened: $(events "$out" incident_open |
				while read -r l; do jval "$l" family; done | tr '\n' ' ')"
		fi
		surges=$(events "$out" surge)
		if [ "$name" = avalanche ]; then
			fams=$(while read -r l; do [ -n "$l" ] && jval "$l" family; done <<<"$surges" |
				sort -u | tr '\n' ' ')
			if [ "$fams" = "sip_registration_surge " ]; then
				ok "$name: surge event, sip_registration_surge ($(wc -l <<<"$surges") ticks)"
			else
				not_ok "$name: surge event, sip_registration_surge" \
					"surge families: '${fams}'"
			fi
		elif [ -z "$surges" ]; then
			ok "$name: nothing over threshold (no surge)"
		else
			not_ok "$name: nothing over threshold (no surge)" \
				"$(wc -l <<<"$surges") surge events: $(head -c 300 <<<"$surges")"
		fi
		rm -f "$pcap"
		continue
	fi

	what=$family
	[ "$subtype" != - ] && what="$family/$subtype"
	open=$(events "$out" incident_open | head -1)
	got="$(jval "$open" family)"
	[ "$subtype" != - ] && got="$got/$(jval "$open" subtype)"
	if [ "$opens" -eq 1 ] && [ "$got" = "$what" ]; then
		ok "$name: one incident, $what"
	elif [ "$opens" -eq 0 ]; then
		not_ok "$name: one incident, $what" "none opened; surges: $(count "$out" surge)"
	else
		not_ok "$name: one incident, $what" "$opens opened, the first $got: $(
			events "$out" incident_open | while read -r l; do
				st=$(jval "$l" subtype)
				printf '%s%s ' "$(jval "$l" family)" "${st:+/$st}"
			done
		)"
	fi
	[ -n "$open" ] || {
		rm -f "$pcap"
		continue
	}

	# Opened in a tick that ends inside the attack (or the one just after).
	id=$(jval "$open" id)
	ts=$(jval "$open" ts)
	lo=$(awk -v e="$epoch" -v a="$atk_from" 'BEGIN { printf "%.3f", e + a }')
	hi=$(awk -v e="$epoch" -v b="$atk_to" 'BEGIN { printf "%.3f", e + b + 1 }')
	if between "$lo" "$ts" "$hi"; then
		ok "$name: opened during the attack (+$(awk -v t="$ts" -v e="$epoch" \
			'BEGIN { printf "%.1f", t - e }') s)"
	else
		not_ok "$name: opened during the attack" "at $ts, the attack is $lo-$hi"
	fi

	close=$(events "$out" incident_close | tail -1)
	cid=$(jval "$close" id)
	cts=$(jval "$close" ts)
	if [ -n "$close" ] && [ "$cid" = "$id" ] && between "$hi" "$cts" 9999999999; then
		ok "$name: closed after the attack, same id"
	elif [ -z "$close" ]; then
		not_ok "$name: closed after the attack, same id" "no incident_close for $id"
	else
		not_ok "$name: closed after the attack, same id" "closed $cid at $cts; opened $id"
	fi

	# The incident's capture, in the state dir, on the capture's clock:
	# journaled, whole, and starting before the incident.
	rec=$(grep '"event":"pcap"' "$TMP/state-$name/incidents.jsonl" 2>/dev/null | grep "\"$id\"" | tail -1)
	start=$(jval "$open" start)
	first=$(jval "$rec" first_ts)
	if [ -n "$rec" ] && gzip -t "$TMP/state-$name/pcaps/$id.pcap.gz" 2>/dev/null &&
		[ "$(jval "$rec" packets)" -gt 0 ] && between 0 "$first" "$start"; then
		ok "$name: capture of $(jval "$rec" packets) packets from $(awk -v f="$first" -v s="$start" \
			'BEGIN { printf "%.1f", s - f }') s before the open"
	else
		not_ok "$name: capture journaled, whole, starting before the open" \
			"record '${rec:0:200}', incident start $start"
	fi

	if [ "$spoofed" != - ]; then
		got=$(jval "$open" spoofed)
		if [ "$got" = "$spoofed" ]; then
			ok "$name: spoofed $spoofed"
		else
			not_ok "$name: spoofed $spoofed" "\"spoofed\": $got"
		fi
	fi
	rm -f "$pcap"
done 3<<<"$SCENARIOS"

echo "replay: bad captures"
# fails_with NAME REGEX FILE: replay exits non-zero with one line on stderr
# that matches REGEX.
fails_with() {
	local name=$1 re=$2 out rc

	out=$("$XDPCTL" replay "$3" --config "$CONFIG" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -ne 0 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && grep -Eq -- "$re" <<<"$out"; then
		ok "$name: exit $rc, one error line naming it"
	else
		not_ok "$name: exit non-zero, one error line naming it" "rc=$rc: $out"
	fi
}

# A capture cut inside a packet: the packets before it are replayed, then
# one error line naming the packet. The cut goes 5 bytes into the data of
# packet 1001, found by walking the record headers (16 bytes, caplen at 8).
"$PCAPGEN" icmp_flood -o "$TMP/whole.pcap" --scale 0.1 2>/dev/null
off=24
for ((i = 1; i <= 1000; i++)); do
	caplen=$(od -An -tu4 -j $((off + 8)) -N4 "$TMP/whole.pcap" | tr -d ' ')
	off=$((off + 16 + caplen))
done
head -c $((off + 16 + 5)) "$TMP/whole.pcap" >"$TMP/cut.pcap"
fails_with "a capture cut inside packet 1001" 'packet 1001([^0-9]|$)' "$TMP/cut.pcap"
head -c $((off + 8)) "$TMP/whole.pcap" >"$TMP/cut2.pcap"
fails_with "a capture cut inside the header of packet 1001" 'packet 1001([^0-9]|$)' \
	"$TMP/cut2.pcap"
printf 'From: a text file\nnot a capture at all\n' >"$TMP/text.pcap"
fails_with "a file that is not a capture" 'text\.pcap' "$TMP/text.pcap"
fails_with "a missing file" 'missing\.pcap' "$TMP/missing.pcap"

echo "replay: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
