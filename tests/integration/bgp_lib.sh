# SPDX-License-Identifier: GPL-2.0-only
# BGP test lab, sourced by the escalation integration tests: two namespaces
# joined by a veth pair, side A (10.123.50.1, where xdpguard and its BGP
# speaker live) and side B (10.123.50.2, the router that should receive the
# FlowSpec and RTBH routes). Real speakers run in them: ExaBGP driven by a
# process, GoBGP, BIRD 2 and FRR's bgpd, each with its own config, socket,
# pid file and log under $BGP_LAB_DIR; nothing of the host's /etc, /run or
# services is used. Every daemon is known by a NAME (exabgp, gobgpd-a,
# gobgpd-b, bird-a, bird-b, frr-a, frr-b) that the query helpers take.
#
# Usage: source this, bgp_lab_setup, trap bgp_lab_teardown EXIT, start a
# receiver in B and a speaker in A, then bgp_wait_established / rib_* /
# bgp_wait_route. Needs root and the packages exabgp gobgpd bird2 frr.
#
# The receivers in B are passive (they never dial), so a session is up as
# soon as the speaker in A has connected: there is no connect-retry timer
# to wait out. Only one receiver and one speaker at a time: all of them
# listen on port 179 of their side.

BGP_LAB_TAG=${BGP_LAB_TAG:-xg-bl$$}
BGP_NS_A="$BGP_LAB_TAG-a"
BGP_NS_B="$BGP_LAB_TAG-b"
BGP_IP_A=10.123.50.1
BGP_IP_B=10.123.50.2
BGP_ASN_A=${BGP_ASN_A:-65001}
BGP_ASN_B=${BGP_ASN_B:-65002}
BGP_LAB_DIR=
# how long the last bgp_wait_route / bgp_wait_no_route took, in seconds
BGP_WAIT_SECS=
declare -gA BGP_PID=() BGP_KIND=() BGP_NSOF=() BGP_CTL=()

# bgp_in_a / bgp_in_b CMD...: CMD in A or B (nsenter, unlike ip netns exec,
# keeps the host's /sys/fs/bpf); bgp_in NS CMD...: in namespace NS.
bgp_in_a() { nsenter --net="/run/netns/$BGP_NS_A" "$@"; }
bgp_in_b() { nsenter --net="/run/netns/$BGP_NS_B" "$@"; }
bgp_in() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" "$@"
}

# bgp_lab_setup: the two namespaces, the veth pair (bl-a in A, bl-b in B),
# the addresses, lo up on both sides, and a fresh $BGP_LAB_DIR.
bgp_lab_setup() {
	BGP_LAB_DIR=$(mktemp -d /tmp/xg-bgplab.XXXXXX) || return 1
	ip netns add "$BGP_NS_A" || return 1
	ip netns add "$BGP_NS_B" || return 1
	ip link add bl-a netns "$BGP_NS_A" type veth peer name bl-b netns "$BGP_NS_B" || return 1
	ip -n "$BGP_NS_A" addr add "$BGP_IP_A/24" dev bl-a
	ip -n "$BGP_NS_B" addr add "$BGP_IP_B/24" dev bl-b
	ip -n "$BGP_NS_A" link set lo up
	ip -n "$BGP_NS_B" link set lo up
	ip -n "$BGP_NS_A" link set bl-a up
	ip -n "$BGP_NS_B" link set bl-b up
}

# bgp_stop NAME: stops one daemon (TERM, then KILL after 3 s) by its PID.
bgp_stop() {
	local name=$1 pid=${BGP_PID[$1]} i
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 30; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	unset "BGP_PID[$name]"
}

# bgp_lab_teardown: every daemon started here, by PID; the namespaces (which
# takes anything left in them down too); the temp dir. Safe to call twice.
bgp_lab_teardown() {
	local name
	for name in "${!BGP_PID[@]}"; do
		bgp_stop "$name"
	done
	ip netns del "$BGP_NS_A" 2>/dev/null
	ip netns del "$BGP_NS_B" 2>/dev/null
	if [ -n "$BGP_LAB_DIR" ] && [ -z "${BGP_LAB_KEEP:-}" ]; then
		rm -rf "$BGP_LAB_DIR"
	fi
	BGP_LAB_DIR=
}

# Registers a daemon started in the background: bgp_register NAME KIND NS
# CTL PID; then checks that it is still alive after a moment (a config
# error makes them exit at once) and shows the log tail if not.
bgp_register() {
	BGP_KIND[$1]=$2
	BGP_NSOF[$1]=$3
	BGP_CTL[$1]=$4
	BGP_PID[$1]=$5
	sleep 0.3
	if ! kill -0 "$5" 2>/dev/null; then
		echo "bgp_lib: $1 exited at start; log:" >&2
		tail -20 "$BGP_LAB_DIR/$1.log" >&2
		unset "BGP_PID[$1]"
		return 1
	fi
}

# ---------------------------------------------------------------- ExaBGP

# start_exabgp_driven ASN_LOCAL ASN_PEER PEER_IP RUN_CMD...: ExaBGP in A
# (name "exabgp") peering from 10.123.50.1 with PEER_IP for ipv4/ipv6
# unicast and flow. RUN_CMD is its API process (text encoder): each line
# it prints is an API command, and ExaBGP answers each with "done" or
# "error" on its stdin (api.ack), where "neighbor PEER_IP up|connected|down"
# lines from neighbor-changes come too. Log: $BGP_LAB_DIR/exabgp.log.
start_exabgp_driven() {
	local asn=$1 peer_as=$2 peer=$3 d=$BGP_LAB_DIR arg
	shift 3
	# exabgp splits "run" on blanks: a wrapper keeps RUN_CMD's quoting
	{
		echo '#!/bin/bash'
		printf 'exec'
		for arg in "$@"; do printf ' %q' "$arg"; done
		echo
	} >"$d/exabgp-run.sh"
	chmod +x "$d/exabgp-run.sh"
	cat >"$d/exabgp.conf" <<-EOF
		process driver {
			run $d/exabgp-run.sh;
			encoder text;
		}
		neighbor $peer {
			router-id $BGP_IP_A;
			local-address $BGP_IP_A;
			local-as $asn;
			peer-as $peer_as;
			hold-time 30;
			family {
				ipv4 unicast;
				ipv6 unicast;
				ipv4 flow;
				ipv6 flow;
			}
			api {
				processes [ driver ];
				neighbor-changes;
			}
		}
	EOF
	# an empty env file of our own keeps /etc/exabgp/exabgp.env out; the
	# variables (exabgp_SECTION_OPTION, or with dots) take precedence
	: >"$d/exabgp.env"
	env exabgp_daemon_user=root exabgp_daemon_daemonize=false \
		exabgp_daemon_drop=false exabgp_daemon_pid= \
		exabgp_api_ack=true exabgp_api_cli=false exabgp_api_respawn=false \
		exabgp_api_encoder=text exabgp_tcp_bind= exabgp_tcp_once=false \
		exabgp_log_enable=true exabgp_log_level=INFO \
		exabgp_log_destination=stdout exabgp_log_processes=true \
		exabgp_log_network=true exabgp_log_reactor=true \
		exabgp_log_routes=false exabgp_log_packets=false \
		nsenter --net="/run/netns/$BGP_NS_A" \
		exabgp --env "$d/exabgp.env" "$d/exabgp.conf" >"$d/exabgp.log" 2>&1 &
	bgp_register exabgp exabgp "$BGP_NS_A" "$peer" $!
}

# A generic RUN_CMD for start_exabgp_driven: forwards the lines appended to
# $BGP_LAB_DIR/exabgp.cmds to ExaBGP and keeps what ExaBGP answers in
# $BGP_LAB_DIR/exabgp.replies. Use: start_exabgp_driven A P IP
# "$(bgp_exabgp_driver)", then exabgp_cmd LINE.
bgp_exabgp_driver() {
	local d=$BGP_LAB_DIR
	: >"$d/exabgp.cmds"
	: >"$d/exabgp.replies"
	cat >"$d/exabgp-driver.sh" <<-EOF
		#!/bin/bash
		# stdin (ExaBGP's answers) to the replies file; the command file to
		# stdout. A background job's stdin would be /dev/null: go through fd 3.
		exec 3<&0
		cat <&3 >>"$d/exabgp.replies" &
		# --pid: ends with ExaBGP even if that was killed hard
		exec tail -n +1 -F --pid=\$PPID "$d/exabgp.cmds" 2>/dev/null
	EOF
	chmod +x "$d/exabgp-driver.sh"
	echo "$d/exabgp-driver.sh"
}

# exabgp_cmd LINE [TIMEOUT]: sends one API command through the driver and
# waits up to TIMEOUT (5) s for its ack; 0 if it was "done".
exabgp_cmd() {
	local r=$BGP_LAB_DIR/exabgp.replies n deadline=$((SECONDS + ${2:-5}))
	n=$(grep -cE '^(done|error)$' "$r")
	printf '%s\n' "$1" >>"$BGP_LAB_DIR/exabgp.cmds"
	while [ "$SECONDS" -le "$deadline" ]; do
		if [ "$(grep -cE '^(done|error)$' "$r")" -gt "$n" ]; then
			[ "$(grep -E '^(done|error)$' "$r" | sed -n "$((n + 1))p")" = done ]
			return
		fi
		sleep 0.05
	done
	echo "bgp_lib: no ack for: $1" >&2
	return 1
}

# ---------------------------------------------------------------- GoBGP

# Writes a gobgpd TOML config: bgp_gobgp_conf FILE ASN ROUTER_ID PEER PEER_AS
# PASSIVE(true|false).
bgp_gobgp_conf() {
	local f=$1 fam
	cat >"$f" <<-EOF
		[global.config]
		  as = $2
		  router-id = "$3"
		  port = 179
		  local-address-list = ["$3"]
		[[neighbors]]
		  [neighbors.config]
		    neighbor-address = "$4"
		    peer-as = $5
		  [neighbors.transport.config]
		    local-address = "$3"
		    passive-mode = $6
		  [neighbors.timers.config]
		    connect-retry = 2
		    hold-time = 30
		    keepalive-interval = 10
	EOF
	for fam in ipv4-unicast ipv6-unicast ipv4-flowspec ipv6-flowspec; do
		printf '  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = "%s"\n' \
			"$fam" >>"$f"
	done
}

bgp_start_gobgpd() {
	local name=$1 ns=$2 port=$3
	nsenter --net="/run/netns/$ns" gobgpd -f "$BGP_LAB_DIR/$name.toml" -p \
		--api-hosts "127.0.0.1:$port" --pprof-disable \
		>"$BGP_LAB_DIR/$name.log" 2>&1 &
	bgp_register "$name" gobgpd "$ns" "$port" $! || return 1
	# the API is up a moment after the process
	local deadline=$((SECONDS + 10))
	while [ "$SECONDS" -le "$deadline" ]; do
		bgp_gobgp "$name" global >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "bgp_lib: $name API not up" >&2
	return 1
}

# bgp_gobgp NAME ARGS...: the gobgp CLI against gobgpd NAME's API.
bgp_gobgp() {
	local name=$1
	shift
	bgp_in "${BGP_NSOF[$name]}" gobgp -u 127.0.0.1 -p "${BGP_CTL[$name]}" "$@"
}

# start_gobgpd_receiver [ASN_LOCAL] [ASN_PEER]: gobgpd "gobgpd-b" in B,
# passive, peering with A; gRPC API on 127.0.0.1:50051 inside B. After a
# session drops it refuses the peer for about 5 s (idle hold): start a
# fresh one for the next speaker rather than wait.
start_gobgpd_receiver() {
	bgp_gobgp_conf "$BGP_LAB_DIR/gobgpd-b.toml" "${1:-$BGP_ASN_B}" "$BGP_IP_B" \
		"$BGP_IP_A" "${2:-$BGP_ASN_A}" true
	bgp_start_gobgpd gobgpd-b "$BGP_NS_B" 50051
}

# start_gobgpd_speaker [ASN_LOCAL] [ASN_PEER] [PORT]: gobgpd "gobgpd-a" in A,
# dialing the receiver at 10.123.50.2; gRPC API on 127.0.0.1:PORT (50051)
# inside A, for an adapter or `bgp_gobgp gobgpd-a global rib ... add`.
start_gobgpd_speaker() {
	bgp_gobgp_conf "$BGP_LAB_DIR/gobgpd-a.toml" "${1:-$BGP_ASN_A}" "$BGP_IP_A" \
		"$BGP_IP_B" "${2:-$BGP_ASN_B}" false
	bgp_start_gobgpd gobgpd-a "$BGP_NS_A" "${3:-50051}"
}

# ---------------------------------------------------------------- BIRD 2

# Writes a BIRD 2 config: bgp_bird_conf NAME ASN ROUTER_ID PEER PEER_AS
# IMPORT EXPORT EXTRA; IMPORT/EXPORT are "all" or "none", EXTRA goes after
# the tables (an include line for the speaker).
bgp_bird_conf() {
	local f=$BGP_LAB_DIR/$1.conf passive=off gw=
	# a receiver: passive, and it keeps unicast routes whose next hop is
	# not on the link (RTBH to a discard address such as 100::1; an
	# IPv4-mapped IPv6 next hop is refused whatever the mode)
	[ "$6" = all ] && passive=on gw=" gateway recursive;"
	cat >"$f" <<-EOF
		log "$BGP_LAB_DIR/$1.log" all;
		router id $3;
		protocol device { scan time 10; }
		# FlowSpec routes live in tables of their own type
		flow4 table flowtab4;
		flow6 table flowtab6;
		$8
		protocol bgp peer {
			local $3 as $2;
			neighbor $4 as $5;
			passive $passive;
			connect delay time 1;
			connect retry time 2;
			hold time 30;
			ipv4 { import $6; export $7;$gw };
			ipv6 { import $6; export $7;$gw };
			flow4 { table flowtab4; import $6; export $7; };
			flow6 { table flowtab6; import $6; export $7; };
		}
	EOF
}

bgp_start_bird() {
	local name=$1 ns=$2 d=$BGP_LAB_DIR
	# -f: foreground, so $! is bird itself; the log file is its own
	nsenter --net="/run/netns/$ns" bird -f -c "$d/$name.conf" \
		-s "$d/$name.ctl" -P "$d/$name.pid" >>"$d/$name.log" 2>&1 &
	bgp_register "$name" bird "$ns" "$d/$name.ctl" $! || return 1
	local deadline=$((SECONDS + 10))
	while [ "$SECONDS" -le "$deadline" ]; do
		[ -S "$d/$name.ctl" ] && return 0
		sleep 0.1
	done
	return 1
}

# bgp_birdc NAME CMD...: birdc against bird NAME's control socket.
bgp_birdc() {
	local name=$1
	shift
	birdc -s "${BGP_CTL[$name]}" "$@"
}

# start_bird_receiver [ASN_LOCAL] [ASN_PEER]: bird "bird-b" in B, passive,
# importing all four families (flow routes into flowtab4 / flowtab6).
start_bird_receiver() {
	bgp_bird_conf bird-b "${1:-$BGP_ASN_B}" "$BGP_IP_B" "$BGP_IP_A" \
		"${2:-$BGP_ASN_A}" all none ""
	bgp_start_bird bird-b "$BGP_NS_B"
}

# start_bird_speaker [ASN_LOCAL] [ASN_PEER] [INCLUDE_FILE]: bird "bird-a" in
# A, dialing 10.123.50.2 and exporting everything in master4/master6/
# flowtab4/flowtab6. Its config includes INCLUDE_FILE (default
# $BGP_LAB_DIR/bird-a.routes.conf, created empty) at top level, after the
# flowtab4/flowtab6 declarations: write static protocols there (see
# bgp_bird_routes_example) and run `bgp_birdc bird-a configure`.
# Control socket: $BGP_LAB_DIR/bird-a.ctl.
start_bird_speaker() {
	local inc=${3:-$BGP_LAB_DIR/bird-a.routes.conf}
	[ -e "$inc" ] || : >"$inc"
	BGP_BIRD_INCLUDE=$inc
	bgp_bird_conf bird-a "${1:-$BGP_ASN_A}" "$BGP_IP_A" "$BGP_IP_B" \
		"${2:-$BGP_ASN_B}" none all "include \"$inc\";"
	bgp_start_bird bird-a "$BGP_NS_A"
}

# ---------------------------------------------------------------- FRR

# Writes a bgpd config: bgp_frr_conf NAME ASN ROUTER_ID PEER PEER_AS PASSIVE.
bgp_frr_conf() {
	local f=$BGP_LAB_DIR/$1/bgpd.conf af
	mkdir -p "$BGP_LAB_DIR/$1"
	{
		echo "frr defaults traditional"
		echo "hostname $1"
		echo "log file $BGP_LAB_DIR/$1.log"
		echo "router bgp $2"
		echo " bgp router-id $3"
		# no policy needed for eBGP, and `network` needs no RIB entry
		echo " no bgp ebgp-requires-policy"
		echo " no bgp network import-check"
		echo " neighbor $4 remote-as $5"
		echo " neighbor $4 update-source $3"
		echo " neighbor $4 timers connect 2"
		[ "$6" = yes ] && echo " neighbor $4 passive"
		for af in "ipv4 unicast" "ipv6 unicast" "ipv4 flowspec" "ipv6 flowspec"; do
			echo " address-family $af"
			echo "  neighbor $4 activate"
			echo " exit-address-family"
		done
		# for `network X route-map XG-RTBH`: the RTBH community
		echo "route-map XG-RTBH permit 10"
		echo " set community 65535:666"
	} >"$f"
	# vtysh reads vtysh.conf from --config_dir: ours, empty, not /etc/frr
	: >"$BGP_LAB_DIR/$1/vtysh.conf"
}

bgp_start_frr() {
	local name=$1 ns=$2 ip=$3 d=$BGP_LAB_DIR/$1
	# -Z: no zebra; -S: stay root; -P 0: no vty TCP port; -l: listen here
	nsenter --net="/run/netns/$ns" /usr/lib/frr/bgpd -Z -S -f "$d/bgpd.conf" \
		-i "$d/bgpd.pid" --vty_socket "$d" -P 0 -l "$ip" \
		>>"$BGP_LAB_DIR/$name.log" 2>&1 &
	bgp_register "$name" frr "$ns" "$d" $! || return 1
	local deadline=$((SECONDS + 10))
	while [ "$SECONDS" -le "$deadline" ]; do
		bgp_vtysh "$name" -c 'show bgp summary' >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# bgp_vtysh NAME ARGS...: vtysh against bgpd NAME only (-c CMD ...).
bgp_vtysh() {
	local name=$1
	shift
	bgp_in "${BGP_NSOF[$name]}" vtysh --vty_socket "${BGP_CTL[$name]}" \
		--config_dir "${BGP_CTL[$name]}" -d bgpd "$@"
}

# start_frr_receiver [ASN_LOCAL] [ASN_PEER]: bgpd -Z "frr-b" in B, passive,
# all four families activated. Files in $BGP_LAB_DIR/frr-b/.
start_frr_receiver() {
	bgp_frr_conf frr-b "${1:-$BGP_ASN_B}" "$BGP_IP_B" "$BGP_IP_A" "${2:-$BGP_ASN_A}" yes
	bgp_start_frr frr-b "$BGP_NS_B" "$BGP_IP_B"
}

# start_frr_speaker [ASN_LOCAL] [ASN_PEER]: bgpd -Z "frr-a" in A, dialing
# 10.123.50.2. Add routes with bgp_vtysh frr-a -c 'configure terminal' -c
# 'router bgp 65001' -c 'address-family ipv4 unicast' -c 'network X/32
# route-map XG-RTBH' (route-map XG-RTBH, in the config, sets 65535:666);
# `no network X/32` withdraws. FRR cannot originate FlowSpec: unicast and
# RTBH only. Its vty socket dir: $BGP_LAB_DIR/frr-a/.
start_frr_speaker() {
	bgp_frr_conf frr-a "${1:-$BGP_ASN_A}" "$BGP_IP_A" "$BGP_IP_B" "${2:-$BGP_ASN_B}" no
	bgp_start_frr frr-a "$BGP_NS_A" "$BGP_IP_A"
}

# ---------------------------------------------------------------- queries

# The normalizer: reads a daemon's RIB dump on stdin, prints one line per
# route. bgp_norm MODE with MODE gobgp-flow|gobgp-uni (gobgp -j), bird-flow|
# bird-uni (birdc show route ... all), frr-flow (show bgp ... flowspec
# detail), frr-uni (concatenated `show bgp ... PREFIX json`). Line format:
#   flow:    DST [src=PFX] [proto=17,6] [port=] [dport=5060] [sport=]
#            [icmp-type=] [icmp-code=] [tcp-flags=] [len=] [dscp=] [frag=]
#            ACTION...   (discard | rate=BYTES_PER_S | redirect=RT |
#            mark=DSCP | action=BITS; "accept" when none)
#   unicast: PFX nh=ADDR [community=A:B,...] (sorted, numeric)
# Numeric match lists are comma-separated terms: N, >=N, <N, A..B (>=A&<=B).
bgp_norm() {
	python3 -c '
import sys, json, re, struct, ipaddress
mode = sys.argv[1]
data = sys.stdin.read()
WELL = {"blackhole": "65535:666", "no-export": "65535:65281", "noExport": "65535:65281",
	"no-advertise": "65535:65282", "noAdvertise": "65535:65282",
	"local-AS": "65535:65283", "no-peer": "65535:65284", "noPeer": "65535:65284",
	"graceful-shutdown": "65535:0", "gracefulShutdown": "65535:0",
	"accept-own": "65535:1", "acceptOwn": "65535:1", "llgr-stale": "65535:6",
	"no-llgr": "65535:7"}
FRAG = {1: "dont-fragment", 2: "is-fragment", 4: "first-fragment", 8: "last-fragment"}
ORDER = ["src", "proto", "port", "dport", "sport", "icmp-type", "icmp-code",
	"tcp-flags", "len", "dscp", "frag", "label"]
def comm_key(c):
	a, b = c.split(":")
	return (int(a), int(b))
def nh(a):
	try:
		ip = ipaddress.ip_address(a)
		if ip.version == 6 and ip.ipv4_mapped:
			return "::ffff:" + str(ip.ipv4_mapped)
		return str(ip)
	except ValueError:
		return a
def pfx(p):
	p = re.sub(r"/(\d+)/(off )?0$", r"/\1", p.strip())
	return p
def rate(r):
	r = float(r)
	return "discard" if r == 0 else "rate=%d" % r if r == int(r) else "rate=%g" % r
def terms(ts):
	# ts: list of (and, op, value); op in "=", ">", ">=", "<", "<=", "!="
	out, cur = [], []
	for a, op, v in ts:
		if not a and cur:
			out.append(cur)
			cur = []
		cur.append((op, v))
	if cur:
		out.append(cur)
	res = []
	for t in out:
		if len(t) == 2 and t[0][0] == ">=" and t[1][0] == "<=":
			res.append("%s..%s" % (t[0][1], t[1][1]))
		else:
			res.append("&".join((("" if op == "=" else op) + str(v)) for op, v in t))
	return ",".join(res)
def line(dst, fields, actions):
	s = [pfx(dst) if dst else "any"]
	for k in ORDER:
		if k in fields:
			s.append("%s=%s" % (k, fields[k]))
	s += actions or ["accept"]
	return " ".join(s)
def bits(val, names):
	got = [n for b, n in sorted(names.items()) if val & b]
	return "+".join(got) or str(val)
# a bitmask term: "a+b" any of them set, "=a+b" all set, "!" negates; for
# one bit any and all are the same and print without "="
def bitterm(neg, match, val, names):
	allset = "=" if match and val & (val - 1) else ""
	return ("!" if neg else "") + allset + bits(val, names)
def bird_bits(v, names):
	parts = []
	for t in v.replace(" ", "").split(","):
		m = re.match(r"(!?)0x([0-9a-f]+)/0x([0-9a-f]+)$", t)
		if not m:
			parts.append(re.sub(r"!!", "", t).replace("_", "-"))
			continue
		neg, val, mask = m.group(1) == "!", int(m.group(2), 16), int(m.group(3), 16)
		if val == mask:
			parts.append(bitterm(neg, 1, mask, names))
		elif val == 0:
			parts.append(bitterm(not neg, 0, mask, names))
		else:
			parts.append(t)
	return ",".join(parts)
TCPF = {1: "fin", 2: "syn", 4: "rst", 8: "push", 16: "ack", 32: "urg", 64: "ece", 128: "cwr"}
GOBGP_T = {2: "src", 3: "proto", 4: "port", 5: "dport", 6: "sport", 7: "icmp-type",
	8: "icmp-code", 9: "tcp-flags", 10: "len", 11: "dscp", 12: "frag", 13: "label"}
def gobgp_flow(j):
	for paths in j.values():
		for p in paths:
			dst, f, acts = None, {}, []
			for c in p["nlri"]["value"]:
				t, v = c["type"], c["value"]
				if t == 1:
					dst = v["prefix"]
				elif t == 2:
					f["src"] = pfx(v["prefix"])
				elif t in (9, 12):
					names = TCPF if t == 9 else FRAG
					parts = []
					for it in v:
						parts.append(bitterm(it["op"] & 2, it["op"] & 1, it["value"], names))
					f[GOBGP_T[t]] = ",".join(parts)
				elif t in GOBGP_T:
					ts = []
					for it in v:
						o = it["op"]
						op = {1: "=", 2: ">", 3: ">=", 4: "<", 5: "<=", 6: "!=", 7: "true", 0: "false"}[o & 7]
						ts.append((bool(o & 0x40), op, it["value"]))
					f[GOBGP_T[t]] = terms(ts)
			for a in p["attrs"]:
				if a["type"] != 16:
					continue
				for e in a["value"]:
					st = e.get("subtype")
					if st == 6:
						acts.append(rate(e.get("rate", 0)))
					elif st == 8:
						acts.append("redirect=%s" % e.get("value"))
					elif st == 9:
						acts.append("mark=%s" % e.get("value"))
					elif st == 7:
						acts.append("action=%s" % ("terminal" if e.get("terminal") else "") + ("sample" if e.get("sample") else ""))
					else:
						acts.append("ext=" + json.dumps(e, sort_keys=True).replace(" ", ""))
			print(line(dst, f, sorted(acts)))
def gobgp_uni(j):
	for key, paths in j.items():
		for p in paths:
			hop, comms = None, []
			for a in p["attrs"]:
				if a["type"] == 3:
					hop = a["nexthop"]
				elif a["type"] == 14:
					hop = a.get("nexthop", hop)
				elif a["type"] == 8:
					comms = ["%d:%d" % (c >> 16, c & 0xffff) for c in a["communities"]]
			uni(key, hop, comms)
def uni(p, hop, comms):
	s = "%s nh=%s" % (pfx(p), nh(hop) if hop else "none")
	if comms:
		s += " community=" + ",".join(sorted(set(comms), key=comm_key))
	print(s)
BIRD_K = {"src": "src", "proto": "proto", "next header": "proto", "port": "port",
	"dport": "dport", "sport": "sport", "icmp type": "icmp-type", "icmp code": "icmp-code",
	"tcp flags": "tcp-flags", "length": "len", "dscp": "dscp", "fragment": "frag", "label": "label"}
def bird_ext(c):
	m = re.match(r"\(generic, (0x[0-9a-f]+), (0x[0-9a-f]+)\)", c)
	if not m:
		return "ext=" + c.replace(" ", "")
	hi, lo = int(m.group(1), 16), int(m.group(2), 16)
	t = hi >> 16
	if t == 0x8006:
		return rate(struct.unpack(">f", struct.pack(">I", lo))[0])
	if t == 0x8008:
		return "redirect=%d:%d" % (hi & 0xffff, lo)
	if t == 0x8009:
		return "mark=%d" % (lo & 0x3f)
	if t == 0x8007:
		return "action=" + ("terminal" if lo & 1 else "") + ("sample" if lo & 2 else "")
	return "ext=%s" % c.replace(" ", "")
def bird_flow(text):
	cur = None
	def flush():
		if cur:
			print(line(cur[0], cur[1], sorted(cur[2])))
	for l in text.splitlines():
		m = re.match(r"flow[46] \{ (.*) \}", l)
		if m:
			flush()
			dst, f = None, {}
			for part in m.group(1).split(";"):
				part = part.strip()
				if not part:
					continue
				if part.startswith("dst "):
					dst = part[4:]
					continue
				for k in sorted(BIRD_K, key=len, reverse=True):
					if part.startswith(k + " "):
						v = part[len(k) + 1:]
						if k == "src":
							v = pfx(v)
						elif k in ("fragment", "tcp flags"):
							v = bird_bits(v, FRAG if k == "fragment" else TCPF)
						else:
							v = re.sub(r"\s+", "", v).replace("&&", "&").replace("||", ",")
						f[BIRD_K[k]] = v
						break
			cur = (dst, f, [])
			continue
		m = re.match(r"\s+BGP\.ext_community: (.*)", l)
		if m and cur:
			cur[2].extend(bird_ext(c) for c in re.findall(r"\([^)]*\)", m.group(1)))
	flush()
def bird_uni(text):
	cur = None
	for l in text.splitlines() + ["END"]:
		m = re.match(r"([0-9a-f.:]+/\d+)\s", l)
		if m or l == "END":
			if cur:
				uni(*cur)
			cur = [m.group(1), None, []] if m else None
			continue
		if not cur:
			continue
		m = re.match(r"\s+BGP\.next_hop: (\S+)", l)
		if m:
			cur[1] = m.group(1)
		m = re.match(r"\s+BGP\.community: (.*)", l)
		if m:
			cur[2] = ["%s:%s" % c for c in re.findall(r"\((\d+),\s*(\d+)\)", m.group(1))]
FRR_K = {"Source Address": "src", "IP Protocol": "proto", "Port": "port",
	"Destination Port": "dport", "Source Port": "sport", "ICMP Type": "icmp-type",
	"ICMP Code": "icmp-code", "TCP Flags": "tcp-flags", "Packet Length": "len",
	"DSCP field": "dscp", "Packet Fragment": "frag", "Flow Label": "label"}
def frr_list(v):
	ts = []
	for it in v.split(","):
		m = re.match(r"\s*(>=|<=|!=|=|>|<)\s*(\d+)", it)
		if m:
			ts.append((False, m.group(1), m.group(2)))
	# FRR prints ">= A , <= B" for one range term: join such pairs
	out, i = [], 0
	while i < len(ts):
		if i + 1 < len(ts) and ts[i][1] in (">=", ">") and ts[i + 1][1] in ("<=", "<"):
			out += [ts[i], (True,) + ts[i + 1][1:]]
			i += 2
		else:
			out.append(ts[i])
			i += 1
	return terms(out)
def frr_bits(v, names):
	parts = []
	for it in v.split(","):
		m = re.match(r"\s*(\S+)\s*(\d+)", it)
		if m:
			# FRR: "=" all of them, "\u220b" any of them, with "!" or "\u220c" not
			neg = m.group(1).startswith("!") or m.group(1) == "\u220c"
			parts.append(bitterm(neg, "=" in m.group(1), int(m.group(2)), names))
	return ",".join(parts)
def frr_flow(text):
	cur = None
	def flush():
		if cur:
			print(line(cur[0], cur[1], sorted(cur[2])))
	for l in text.splitlines():
		if l.startswith("BGP flowspec entry"):
			flush()
			cur = [None, {}, []]
			continue
		if not cur:
			continue
		s = l.strip()
		if s.startswith("Destination Address "):
			cur[0] = s[len("Destination Address "):]
			continue
		if s.startswith("FS:rate "):
			cur[2].append(rate(s.split()[1]))
			continue
		if s.startswith("FS:redirect"):
			m = re.search(r"RT:(\S+)", s)
			cur[2].append("redirect=%s" % (m.group(1) if m else s[12:].replace(" ", "")))
			continue
		if s.startswith("FS:marking "):
			cur[2].append("mark=%s" % s.split()[1])
			continue
		if s.startswith("FS:"):
			cur[2].append("ext=" + s[3:].replace(" ", ""))
			continue
		for k in sorted(FRR_K, key=len, reverse=True):
			if s.startswith(k + " "):
				v = s[len(k) + 1:]
				if k == "Source Address":
					v = pfx(v)
				elif k == "TCP Flags":
					v = frr_bits(v, TCPF)
				elif k == "Packet Fragment":
					v = frr_bits(v, FRAG)
				else:
					v = frr_list(v)
				cur[1][FRR_K[k]] = v
				break
	flush()
def frr_uni(text):
	dec, i = json.JSONDecoder(), 0
	while True:
		while i < len(text) and text[i].isspace():
			i += 1
		if i >= len(text):
			break
		o, i = dec.raw_decode(text, i)
		for p in o.get("paths", []):
			hops = [h["ip"] for h in p.get("nexthops", []) if h.get("ip")]
			comms = [WELL.get(c, c) for c in p.get("community", {}).get("list", [])]
			uni(o["prefix"], hops[0] if hops else None, comms)
if mode in ("gobgp-flow", "gobgp-uni"):
	j = json.loads(data) if data.strip() else {}
	# gobgp prints {} or a dict keyed by prefix; older ones a list
	if isinstance(j, list):
		j = {d["prefix"]: d["paths"] for d in j}
	(gobgp_flow if mode == "gobgp-flow" else gobgp_uni)(j)
else:
	{"bird-flow": bird_flow, "bird-uni": bird_uni, "frr-flow": frr_flow, "frr-uni": frr_uni}[mode](data)
' "$1"
}

# bgp_rib NAME FAMILY: NAME's routes of FAMILY (flowspec4, flowspec6,
# unicast4, unicast6), normalized by bgp_norm, one line each. For BIRD and
# FRR only routes learned over BGP (or, on a speaker, in its tables); for
# gobgpd its global RIB.
bgp_rib() {
	local name=$1 fam=$2 v=${2: -1} kind=${BGP_KIND[$1]} p args
	# a failed query must fail the call, not look like an empty RIB
	local -
	set -o pipefail
	case "$kind/$fam" in
	gobgpd/flowspec*) bgp_gobgp "$name" global rib -a "ipv$v-flowspec" -j | bgp_norm gobgp-flow ;;
	gobgpd/unicast*) bgp_gobgp "$name" global rib -a "ipv$v" -j | bgp_norm gobgp-uni ;;
	bird/flowspec*) bgp_birdc "$name" show route table "flowtab$v" all | bgp_norm bird-flow ;;
	bird/unicast*) bgp_birdc "$name" show route table "master$v" all | bgp_norm bird-uni ;;
	frr/flowspec*) bgp_vtysh "$name" -c "show bgp ipv$v flowspec detail" | bgp_norm frr-flow ;;
	frr/unicast*)
		# the table in JSON has no communities: one query per prefix has
		args=()
		for p in $(bgp_vtysh "$name" -c "show bgp ipv$v unicast json" |
			python3 -c 'import sys,json; print("\n".join(json.load(sys.stdin).get("routes", {})))'); do
			args+=(-c "show bgp ipv$v unicast $p json")
		done
		[ ${#args[@]} -eq 0 ] || bgp_vtysh "$name" "${args[@]}" | bgp_norm frr-uni
		;;
	*)
		echo "bgp_lib: no RIB query for $kind/$fam" >&2
		return 1
		;;
	esac
}

# rib_flowspec4 / rib_flowspec6 / rib_unicast4 / rib_unicast6 NAME: the same.
rib_flowspec4() { bgp_rib "$1" flowspec4; }
rib_flowspec6() { bgp_rib "$1" flowspec6; }
rib_unicast4() { bgp_rib "$1" unicast4; }
rib_unicast6() { bgp_rib "$1" unicast6; }

# bgp_rib_raw NAME FAMILY: the daemon's own text, for a failure's log.
bgp_rib_raw() {
	local name=$1 v=${2: -1}
	case "${BGP_KIND[$1]}/$2" in
	gobgpd/flowspec*) bgp_gobgp "$name" global rib -a "ipv$v-flowspec" ;;
	gobgpd/unicast*) bgp_gobgp "$name" global rib -a "ipv$v" ;;
	bird/flowspec*) bgp_birdc "$name" show route table "flowtab$v" all ;;
	bird/unicast*) bgp_birdc "$name" show route table "master$v" all ;;
	frr/flowspec*) bgp_vtysh "$name" -c "show bgp ipv$v flowspec detail" ;;
	frr/unicast*) bgp_vtysh "$name" -c "show bgp ipv$v unicast" ;;
	esac
}

# bgp_state NAME: prints the session state as "established" or something
# else ("down", "active", ...). ExaBGP: the last neighbor line that the
# generic driver recorded, or else a TCP session on port 179 in A.
bgp_state() {
	local name=$1 out
	case "${BGP_KIND[$name]}" in
	gobgpd)
		out=$(bgp_gobgp "$name" neighbor -j 2>/dev/null |
			python3 -c 'import sys,json; j=json.load(sys.stdin); print(" ".join(str(n.get("state",{}).get("session_state")) for n in j))' 2>/dev/null)
		# session_state 6 is ESTABLISHED in gobgp's API
		[ "$out" = 6 ] && echo established || echo "down${out:+ ($out)}"
		;;
	bird)
		if bgp_birdc "$name" show protocols peer 2>/dev/null | grep -q Established; then
			echo established
		else
			echo down
		fi
		;;
	frr)
		out=$(bgp_vtysh "$name" -c 'show bgp neighbors json' 2>/dev/null |
			grep -o '"bgpState":"[A-Za-z]*"' | head -1 | cut -d'"' -f4)
		[ "$out" = Established ] && echo established || echo "${out:-down}"
		;;
	exabgp)
		if [ -f "$BGP_LAB_DIR/exabgp.replies" ]; then
			out=$(grep -E '^neighbor [^ ]+ (up|down|connected)' "$BGP_LAB_DIR/exabgp.replies" |
				tail -1 | cut -d' ' -f3)
			[ "$out" = up ] && echo established || echo "${out:-down}"
		elif bgp_in_a ss -Htn state established '( dport = :179 or sport = :179 )' | grep -q .; then
			echo established
		else
			echo down
		fi
		;;
	*) echo unknown ;;
	esac
}

# bgp_wait_established NAME TIMEOUT: polls bgp_state for at most TIMEOUT
# seconds; 0 once established. BGP_WAIT_SECS says how long it took.
bgp_wait_established() {
	local t0=$EPOCHREALTIME deadline=$((SECONDS + $2))
	while [ "$SECONDS" -le "$deadline" ]; do
		if [ "$(bgp_state "$1")" = established ]; then
			bgp_took "$t0"
			return 0
		fi
		sleep 0.1
	done
	bgp_took "$t0"
	echo "bgp_lib: $1 not established after $2 s (state: $(bgp_state "$1"))" >&2
	return 1
}

# Sets BGP_WAIT_SECS to the time since $1 (an $EPOCHREALTIME), in seconds
# with milliseconds.
bgp_took() {
	local a=${1/./} b=${EPOCHREALTIME/./}
	local us=$((b - a))
	printf -v BGP_WAIT_SECS '%d.%03d' $((us / 1000000)) $((us % 1000000 / 1000))
}

# bgp_wait_route NAME FAMILY PATTERN TIMEOUT: polls NAME's normalized RIB
# of FAMILY until a line matches the extended regex PATTERN, for at most
# TIMEOUT seconds; 0 if it did. BGP_WAIT_SECS: how long it took.
bgp_wait_route() {
	local t0=$EPOCHREALTIME deadline=$((SECONDS + $4))
	while [ "$SECONDS" -le "$deadline" ]; do
		if bgp_rib "$1" "$2" 2>/dev/null | grep -qE -- "$3"; then
			bgp_took "$t0"
			return 0
		fi
		sleep 0.1
	done
	bgp_took "$t0"
	return 1
}

# bgp_wait_no_route NAME FAMILY PATTERN TIMEOUT: the converse, until no
# line matches (a withdrawal has arrived).
bgp_wait_no_route() {
	local t0=$EPOCHREALTIME deadline=$((SECONDS + $4)) out
	while [ "$SECONDS" -le "$deadline" ]; do
		# a failed query is not an empty RIB
		if out=$(bgp_rib "$1" "$2" 2>/dev/null) && ! grep -qE -- "$3" <<<"$out"; then
			bgp_took "$t0"
			return 0
		fi
		sleep 0.1
	done
	bgp_took "$t0"
	return 1
}
