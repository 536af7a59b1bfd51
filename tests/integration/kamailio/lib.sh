# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2034 # the variables are for the scripts sourcing this
#
# Shared by tests/integration/kamailio.sh and tools/demo.sh: a VoIP node in
# throw-away network namespaces, Kamailio as its SIP registrar, SIPp as a
# legitimate peer and xg-trafgen as the attacker, all on one bridge.
#
#   peer namespace      veth-peer 10.123.50.20 --+
#   (SIPp)                                        |  bridge namespace       server namespace
#                                                 +- br0 10.123.50.254 ---- veth-srv 10.123.50.1
#   attacker namespace  veth-atk  10.123.50.66 --+                          Kamailio :5060,
#   (xg-trafgen, GRO on the bridge port)                                    xdpguard on veth-srv
#
# Why a bridge: it is what a node sees (a segment in front of it carrying
# peers and attackers alike), and xdpguard protects one interface in both
# runs. xg-trafgen sends live frames out of veth-atk; the kernel delivers
# them only if the other end of that pair (b-veth-atk, the bridge port) has
# GRO on or a native XDP program, so GRO goes on there, and the bridge then
# forwards the frames to veth-srv as ordinary packets, with or without
# xdpguard: the control run and the protected run see the same flood. (The
# fallback, the attacker's veth straight into the server namespace with
# xdpguard on both interfaces, was not needed: the bridge path carries about
# 0.8-1.2M frames/s of one xg-trafgen thread on this 2-CPU machine.)
#
# The server's default route points at the bridge's address: replies to
# spoofed sources leave the node (and die in the bridge namespace, which does
# not forward) as they would on a real network, instead of failing in sendto
# and filling Kamailio's log.
#
# The caller sets TAG (namespace prefix, starting "xg-"), WORK (a temp dir),
# XDPCTL and TRAFGEN before sourcing; everything it starts is recorded in
# XG_PIDS and stopped by xg_cleanup, by PID.

XG_KAM_DIR=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
NS_NET="$TAG-net"
NS_SRV="$TAG-srv"
NS_PEER="$TAG-peer"
NS_ATK="$TAG-atk"
SRV_IP=10.123.50.1
PEER_IP=10.123.50.20
ATK_IP=10.123.50.66
GW_IP=10.123.50.254
SPOOF_CIDR=10.123.128.0/17
SRV_MAC=
KAM_PID=
DAEMON_PID=
SIPP_PID=
XG_PIDS=()
HZ=$(getconf CLK_TCK)

in_srv() { nsenter --net="/run/netns/$NS_SRV" "$@"; }
in_peer() { nsenter --net="/run/netns/$NS_PEER" "$@"; }
in_atk() { nsenter --net="/run/netns/$NS_ATK" "$@"; }
xg() { in_srv "$XDPCTL" "$@"; }

# Both tools present and runnable (sipp -v exits 99 after printing its
# version, so its output is what tells).
xg_have_sip_tools() {
	kamailio -v >/dev/null 2>&1 && sipp -v 2>&1 | grep -q 'SIPp v'
}

# Installs kamailio and sipp when missing. Returns 1 when they cannot be had.
xg_need_sip_tools() {
	local had_kamailio=no
	xg_have_sip_tools && return 0
	dpkg-query -W -f='${Status}' kamailio 2>/dev/null | grep -q "ok installed" && had_kamailio=yes
	echo "installing kamailio and sip-tester (apt-get)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		kamailio sip-tester >"$WORK/apt.log" 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				--no-install-recommends kamailio sip-tester >"$WORK/apt.log" 2>&1; }
	# Debian's package enables and starts a host-wide kamailio.service on
	# 5060 under systemd; our install must not leave a SIP server on the
	# host (one that was there before is not ours to touch).
	if [ "$had_kamailio" = no ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
		systemctl disable --now kamailio.service >/dev/null 2>&1
	fi
	xg_have_sip_tools
}

xg_topology_up() {
	local spec ns dev ip
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	for ns in "$NS_NET" "$NS_SRV" "$NS_PEER" "$NS_ATK"; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
	done
	ip -n "$NS_NET" link add br0 type bridge
	ip -n "$NS_NET" addr add "$GW_IP/24" dev br0
	ip -n "$NS_NET" link set br0 up
	for spec in "$NS_SRV veth-srv $SRV_IP" "$NS_PEER veth-peer $PEER_IP" \
		"$NS_ATK veth-atk $ATK_IP"; do
		read -r ns dev ip <<<"$spec"
		ip link add "$dev" netns "$ns" type veth peer name "b-$dev" netns "$NS_NET" || return 1
		ip -n "$ns" addr add "$ip/24" dev "$dev"
		ip -n "$ns" link set "$dev" up
		ip -n "$NS_NET" link set "b-$dev" master br0 up
	done
	ip -n "$NS_SRV" route add default via "$GW_IP"
	# xg-trafgen's live frames need GRO (or XDP) on the receiving end.
	nsenter --net="/run/netns/$NS_NET" ethtool -K b-veth-atk gro on >/dev/null || return 1
	SRV_MAC=$(ip -n "$NS_SRV" -o link show veth-srv | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
	# The MAC is learned by the bridge from the server's first frame; until
	# then the flood would be flooded to every port. One ping teaches it.
	in_peer ping -q -c 1 -W 1 "$SRV_IP" >/dev/null
}

xg_stop_pid() { # PID: TERM, up to 5 s, then KILL; only a PID we started
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

xg_cleanup() {
	local pid ns
	for pid in "${XG_PIDS[@]}"; do
		xg_stop_pid "$pid"
	done
	XG_PIDS=()
	if [ -e "/run/netns/$NS_SRV" ] && [ -d "${XDPGUARD_PIN_DIR:-/nonexistent}" ]; then
		in_srv "$XDPCTL" detach veth-srv >/dev/null 2>&1
	fi
	for ns in "$NS_PEER" "$NS_ATK" "$NS_SRV" "$NS_NET"; do
		[ -e "/run/netns/$ns" ] && ip netns del "$ns" 2>/dev/null
	done
	[ -n "${XDPGUARD_PIN_DIR:-}" ] && rm -rf "$XDPGUARD_PIN_DIR"
	return 0
}

# Kamailio in the foreground (-DD: no daemonizing, -E: log to stderr), so
# the PID we get is its main process; its workers are that process's
# children. nsenter execs it, so $! is Kamailio itself (not through in_srv:
# a shell function in the background is a subshell, and $! would be that).
xg_kamailio_start() { # LOGFILE
	local i
	nsenter --net="/run/netns/$NS_SRV" kamailio -DD -E -f "$XG_KAM_DIR/kamailio.cfg" -l "udp:$SRV_IP:5060" \
		-m 64 -M 8 >"$1" 2>&1 &
	KAM_PID=$!
	XG_PIDS+=("$KAM_PID")
	for ((i = 0; i < 50; i++)); do
		in_srv ss -Hlun "sport = :5060" 2>/dev/null | grep -q . && return 0
		kill -0 "$KAM_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# CPU ticks (utime + stime, in CLK_TCK) of Kamailio's main process and its
# children, found through their ppid in /proc/*/stat.
xg_kamailio_ticks() {
	local f pid total=0 line rest
	for f in /proc/[0-9]*/stat; do
		read -r line 2>/dev/null <"$f" || continue
		pid=${line%% *}
		rest=${line##*) } # after the command name, which may hold spaces
		# shellcheck disable=SC2086 # split into fields on purpose
		set -- $rest
		# $1 state, $2 ppid, ... $12 utime, $13 stime
		if [ "$pid" = "$KAM_PID" ] || [ "$2" = "$KAM_PID" ]; then
			total=$((total + ${12} + ${13}))
		fi
	done
	echo "$total"
}

# Datagrams that reached the server's UDP layer: delivered to a socket
# (InDatagrams, counted when Kamailio reads them), to no socket (NoPorts) or
# dropped at the socket (InErrors, which already includes RcvbufErrors and
# checksum errors: adding RcvbufErrors again would count those twice).
xg_udp_in() {
	# shellcheck disable=SC2016 # awk's $2, not the shell's
	in_srv awk '/^Udp:/ && $2 ~ /^[0-9]+$/ { print $2 + $3 + $4 }' /proc/net/snmp
}

# SIPp as the peer, in the background: NAME SCENARIO LOCAL_PORT RATE CALLS.
# -m bounds the calls, -timeout the time; statistics every second in
# $WORK/NAME.csv (-trace_stat -fd 1), errors in $WORK/NAME.err. Sets
# SIPP_PID (not echoed: a command substitution would make it a grandchild
# that this shell cannot wait for).
xg_sipp_start() {
	local name=$1 sf=$2 lport=$3 rate=$4 calls=$5
	local secs=$((calls / rate + 15))
	nsenter --net="/run/netns/$NS_PEER" sipp "$SRV_IP:5060" -sf "$XG_KAM_DIR/$sf" -i "$PEER_IP" -p "$lport" \
		-r "$rate" -rp 1000 -m "$calls" -timeout "${secs}s" -nd -nostdin \
		-trace_stat -fd 1 -stf "$WORK/$name.csv" \
		-trace_err -error_file "$WORK/$name.err" </dev/null >"$WORK/$name.out" 2>&1 &
	SIPP_PID=$!
	XG_PIDS+=("$SIPP_PID")
}

# Waits for SIPp processes (PIDs) to finish their bounded runs.
xg_sipp_wait() {
	local pid
	for pid in "$@"; do
		wait "$pid" 2>/dev/null
	done
}

# From SIPp CSVs, the calls whose outcome was counted between T0 and T1
# (epoch seconds): "successful failed retransmissions sent" where sent is
# requests plus retransmissions (what the peer put on the wire).
xg_sipp_window() { # T0 T1 CSV...
	local t0=$1 t1=$2
	shift 2
	awk -F';' -v t0="$t0" -v t1="$t1" '
		FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		{
			split($3, t, "\t")
			if (t[3] + 0 < t0 || t[3] + 0 > t1) next
			ok += $col["SuccessfulCall(P)"]; bad += $col["FailedCall(P)"]
			re += $col["Retransmissions(P)"]; sent += $col["OutgoingCall(P)"]
		}
		END { printf "%d %d %d %d\n", ok, bad, re, sent + re }' "$@"
}

# The last cumulative line of SIPp CSVs: "created successful failed retrans".
xg_sipp_totals() { # CSV...
	local f
	for f in "$@"; do
		awk -F';' 'FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
			{ c = $col["TotalCallCreated"]; s = $col["SuccessfulCall(C)"]
			  f = $col["FailedCall(C)"]; r = $col["Retransmissions(C)"] }
			END { print c + 0, s + 0, f + 0, r + 0 }' "$f"
	done | awk '{ c += $1; s += $2; f += $3; r += $4 } END { print c + 0, s + 0, f + 0, r + 0 }'
}

# A flood from the attacker, in the foreground: sip (INVITEs to 5060) or rtp
# (zero-filled datagrams into the RTP range: version 0, not RTP), from a
# random source in SPOOF_CIDR per frame, as fast as one thread goes, bounded
# by SECONDS and 50M frames. Sets FLOOD_T0, FLOOD_T1 (epoch) and FLOOD_SENT.
xg_flood() { # sip|rtp SECONDS LOG [extra xg-trafgen args]
	local kind=$1 secs=$2 log=$3
	local -a dst
	shift 3
	if [ "$kind" = sip ]; then
		dst=(--dport 5060 --payload sip-invite)
	else
		dst=(--dport 16384 --payload zero)
	fi
	FLOOD_T0=$(date +%s.%N)
	in_atk "$TRAFGEN" --dev veth-atk --dst-mac "$SRV_MAC" --dst "$SRV_IP" \
		--random-src "$SPOOF_CIDR" "${dst[@]}" --duration "$secs" --count 50000000 \
		"$@" >"$log" 2>&1
	FLOOD_T1=$(date +%s.%N)
	FLOOD_SENT=$(awk '/^sent [0-9]+ packets/ { print $2 }' "$log")
	FLOOD_SENT=${FLOOD_SENT:-0}
}

# Human-readable counts: 6234567 -> 6.23M
xg_si() {
	awk -v n="$1" 'BEGIN { if (n >= 1e6) printf "%.2fM", n / 1e6; else if (n >= 1e4) printf "%.1fk", n / 1e3; else printf "%d", n }'
}
