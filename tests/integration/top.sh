#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# xdpctl top against a live daemon and a real flood: the curses view in a
# detached tmux session (its own tmux server, 160x50) must show live UDP
# rates, the flood's sources and the incident the daemon's API reports;
# the keys (p, s, q) and a resize must work; the batch path (--batch 2)
# must print two plain frames; an unreachable API must be said, not fatal.
# Addresses only inside the namespaces; cleanup on exit.
#
# usage: tests/integration/top.sh path/to/xdpctl path/to/xg-trafgen
set -u

XDPCTL=$(readlink -f "${1:-build/xdpctl}")
TRAFGEN=$(readlink -f "${2:-build/xg-trafgen}")
TAG="xg-top$$"
WORK=$(mktemp -d /tmp/xg-top-XXXXXX)
STATE="$WORK/state"
RX_IP=10.123.90.1
TX_IP=10.123.90.2
PEER_IP=10.123.90.3
TMUX_SOCK="xg-top-$$" # a private tmux server: nothing of the user's is touched
SESSION="xg-top-$$"
FLOOD_PID=
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

check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

# shellcheck source=tests/integration/ctl_lib.sh
. "$(dirname "$(readlink -f "$0")")/ctl_lib.sh"

tm() { tmux -L "$TMUX_SOCK" "$@" 2>/dev/null; }

cleanup() {
	tm kill-session -t "$SESSION" 2>/dev/null
	tm kill-server 2>/dev/null
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TMUX_SOCK" # the server leaves its socket
	if [ -n "$FLOOD_PID" ]; then
		kill "$FLOOD_PID" 2>/dev/null
		wait "$FLOOD_PID" 2>/dev/null
	fi
	ns_cleanup
	[ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

if [ "$(id -u)" -ne 0 ] || [ ! -x "$TRAFGEN" ] || ! command -v tmux >/dev/null; then
	echo "top: needs root, tmux and $TRAFGEN"
	echo "top: 0 passed, 1 failed"
	exit 1
fi

ROOT=$(dirname "$(readlink -f "$0")")/../..

echo "top: the Grafana dashboard and the Prometheus example"
# Every metric the dashboard queries must be one obs.h lists (what prom.c
# renders); a histogram's _bucket/_sum/_count count as its name.
dash_check() {
	python3 - "$ROOT/config/grafana-xdpguard.json" "$ROOT/user/obs.h" <<'PY'
import json, re, sys
dash = json.load(open(sys.argv[1]))
head = open(sys.argv[2]).read().split("#ifndef")[0]
known = set(re.findall(r"\b(xdpguard_[a-z0-9_]+)", head))
# "xdpguard_capture_samples_total / _lost_total"
for m in re.finditer(r"(xdpguard_[a-z0-9_]*?)_[a-z]+_total\s*/\s*_([a-z_]+)", head):
    known.add(m.group(1) + "_" + m.group(2))
used = set(re.findall(r"\b(xdpguard_[a-z0-9_]+)", json.dumps(dash)))
bad = sorted(u for u in used
             if u not in known and re.sub(r"_(bucket|sum|count)$", "", u) not in known)
ds = [v for v in dash["templating"]["list"] if v["name"] == "DS_PROMETHEUS"]
if bad or not used or not ds or ds[0]["type"] != "datasource":
    print("       unknown metrics: %s; datasource variable: %s" % (bad, bool(ds)))
    sys.exit(1)
PY
}
check "the dashboard is JSON and queries only metrics obs.h lists" dash_check
check "the dashboard has the tick p99 panel" \
	grep -q 'histogram_quantile(0.99, sum by (le, instance) (rate(xdpguard_tick_duration_seconds_bucket' \
	"$ROOT/config/grafana-xdpguard.json"
check "the Prometheus example scrapes 127.0.0.1:9477" \
	grep -q 'targets: \["127.0.0.1:9477"\]' "$ROOT/config/prometheus.yml.example"

# in the receiver's namespace, where the daemon and its API live
top_rx() { nsenter --net="/run/netns/$NS_RX" "$XDPCTL" top "$@"; }

# "12.3k" -> 12300
num() { awk -v v="$1" 'BEGIN { m = 1; if (v ~ /k$/) m = 1e3; if (v ~ /M$/) m = 1e6;
	if (v ~ /G$/) m = 1e9; sub(/[kMG]$/, "", v); printf "%.0f", v * m }'; }

# The pps of the row NAME (first column) in a frame on stdin; 0 when absent.
row_pps() { awk -v n="$1" '$1 == n { print $2; exit }' | { read -r v; num "${v:-0}"; }; }

pane() { tm capture-pane -p -t "$SESSION"; }

# Waits up to $1 tenths of a second for CMD (run on the pane text) to pass.
wait_pane() {
	local i tries=$1
	shift
	for ((i = 0; i < tries; i++)); do
		pane >"$WORK/pane.txt" 2>/dev/null
		"$@" <"$WORK/pane.txt" && return 0
		sleep 0.1
	done
	return 1
}

udp_positive() { [ "$(row_pps udp)" -gt 0 ]; }
has() { grep -q -- "$1"; }
lacks() { ! grep -q -- "$1"; }

# Floors low enough for a namespace test; mitigation in dry-run, so the
# flood reaches the counters for its whole length and the incident opens.
cat >"$WORK/xdpguard.json" <<EOF
{
  "tick_ms": 1000,
  "sample_rate": 16,
  "baseline": {"window": 60, "learning_s": 3,
               "floors": {"pps": 3000, "udp_pps": 2000, "bps": 50000000}},
  "detection": {"close_ticks": 3},
  "mitigation": {"block_ttl_s": 4, "cooldown_s": 0, "dry_run": true}
}
EOF

echo "top: setting up $NS_TX and $NS_RX"
ns_setup
ip -n "$NS_RX" link set lo up # the daemon's API listens on 127.0.0.1
start_daemon
peace 80 # 4 s: past the learning period
check "daemon is running" kill -0 "$DAEMON"

echo "top: --help, bad options"
check "--help prints the manual" bash -c "'$XDPCTL' top --help | grep -q '^Keys (on a terminal):'"
check "an out-of-range --interval is refused" bash -c "! '$XDPCTL' top --interval 50 2>/dev/null"

echo "top: --batch 2 during a flood"
# 3 sources: the program samples 1 packet in 16, and a cycle of 4 would
# always land on the same source
flood 4 --sources 3 &
FLOOD_PID=$!
sleep 0.5
top_rx --batch 2 --interval 500 >"$WORK/batch.txt" 2>"$WORK/batch.err"
rc=$?
check "--batch 2 exits 0" test "$rc" -eq 0
check "--batch 2 prints two frames" test "$(grep -c '^xdpguard top' "$WORK/batch.txt")" -eq 2
check "no curses escapes in batch output" bash -c "! grep -q $'\e' '$WORK/batch.txt'"
udp=$(awk '/^xdpguard top/ { f++ } f == 2' "$WORK/batch.txt" | row_pps udp)
check "the second frame's UDP rate is live ($udp pps)" test "$udp" -gt 10000
check "the batch frame lists the flood's port" grep -q '  udp/9999 ' "$WORK/batch.txt"
nsrc=$(awk '/^xdpguard top/ { f++ } f == 2' "$WORK/batch.txt" | grep -oE '  10\.123\.90\.[2-4] ' | sort -u | wc -l)
check "the batch frame lists the flood's sources ($nsrc of 3)" test "$nsrc" -ge 2
check "the batch frame has the SIP, verdict and drop sections" \
	bash -c "grep -q '^SIP ' '$WORK/batch.txt' && grep -q 'VERDICT' '$WORK/batch.txt' &&
		grep -q 'DROPS BY REASON' '$WORK/batch.txt' && grep -q '^  malformed ' '$WORK/batch.txt'"
wait "$FLOOD_PID"
FLOOD_PID=

echo "top: an unreachable API is said, the counters go on"
top_rx --once --interval 200 --api http://127.0.0.1:9/api/v1/status >"$WORK/noapi.txt" 2>&1
rc=$?
check "--once with a dead API exits 0" test "$rc" -eq 0
check "it says the API is not reachable, with the URL and a reason" \
	grep -q '^daemon API: not reachable (http://127.0.0.1:9/api/v1/status: .\+)' "$WORK/noapi.txt"
check "the counters are still shown" grep -q '^PROTOCOL' "$WORK/noapi.txt"

echo "top: the curses view in tmux (160x50) during a flood"
tm new-session -d -s "$SESSION" -x 160 -y 50 \
	"nsenter --net=/run/netns/$NS_RX env XDPGUARD_PIN_DIR=$XDPGUARD_PIN_DIR TERM=xterm-256color $XDPCTL top --interval 500; echo top-exited-\$?; sleep 30"
check "the view starts" wait_pane 50 has '^xdpguard top'
api_ok=0
wait_pane 30 has '^daemon API: .*: ok' && api_ok=1
check "the daemon's API answers (pane: $(grep '^daemon API' "$WORK/pane.txt" | head -1))" \
	test "$api_ok" -eq 1
flood 5 --sources 3 &
FLOOD_PID=$!
check "the UDP pps row goes live during the flood" wait_pane 40 udp_positive
grep '^  udp ' "$WORK/pane.txt" | sed 's/^/       /'
check "the flood's sources are listed" wait_pane 30 has "  10\.123\.90\.[2-4] "
check "the flood's port is listed" wait_pane 30 has '  udp/9999 '
check "incident opened (journal)" wait_journal incident_open 5 1
id=$(grep -o '"id":"[^"]*"' "$STATE/incidents.jsonl" 2>/dev/null | head -1 | cut -d'"' -f4)
check "the pane shows the open incident ${id:-?} from the API" wait_pane 40 has "^INCIDENT ${id:-none} "
check "the incident line names family and confidence" has 'udp_flood.*confidence [0-9]\+%' <"$WORK/pane.txt"
check "the mitigation line shows the counts" has '^mitigation: escalation .* alert queue [0-9-]' <"$WORK/pane.txt"
grep -E '^(INCIDENT|mitigation)' "$WORK/pane.txt" | cut -c1-150 | sed 's/^/       /'
cp "$WORK/pane.txt" "$WORK/pane-flood.txt" # kept with KEEP=1

echo "top: keys and resize"
tm send-keys -t "$SESSION" p
check "p pauses" wait_pane 20 has 'PAUSED'
tm send-keys -t "$SESSION" p
check "p again resumes" wait_pane 20 lacks 'PAUSED'
tm send-keys -t "$SESSION" s
check "s sorts the sources by bit/s" wait_pane 20 has 'by bps'
tm send-keys -t "$SESSION" s
check "s again sorts them by address" wait_pane 20 has 'by addr'
tm resize-window -t "$SESSION" -x 40 -y 8 2>/dev/null
check "a 40x8 terminal is drawn truncated" wait_pane 30 has '^xdpguard top'
check "still running after the shrink" wait_pane 5 lacks 'top-exited'
tm resize-window -t "$SESSION" -x 20 -y 3 2>/dev/null
sleep 1
check "still running at 20x3" wait_pane 5 lacks 'top-exited'
tm resize-window -t "$SESSION" -x 160 -y 50 2>/dev/null
check "back to 160x50: both columns again" wait_pane 30 has 'PROTOCOL .*TOP DST PORTS'
tm send-keys -t "$SESSION" q
check "q quits with status 0" wait_pane 30 has 'top-exited-0'
tm kill-session -t "$SESSION" 2>/dev/null
wait "$FLOOD_PID"
FLOOD_PID=

echo "top: drops by reason"
nsenter --net="/run/netns/$NS_RX" "$XDPCTL" block "$TX_IP" --ttl 30 >/dev/null
flood 3 --sources 3 &
FLOOD_PID=$!
sleep 0.5
top_rx --once --no-api >"$WORK/drops.txt" 2>&1
blk=$(row_pps block <"$WORK/drops.txt")
drp=$(row_pps drop <"$WORK/drops.txt")
check "the blocked source's packets are drops by reason block ($blk pps)" test "$blk" -gt 10000
check "and verdict drop ($drp pps)" test "$drp" -ge "$blk"
check "--no-api says the API is off" grep -q '^daemon API: off' "$WORK/drops.txt"
wait "$FLOOD_PID"
FLOOD_PID=

echo "top: a bearer token (http.read_auth)"
TOKEN=xg-top-test-token-$$-0123456789
sed -i 's/^  "mitigation"/  "http": {"token": "'"$TOKEN"'", "read_auth": true},\n  "mitigation"/' "$WORK/xdpguard.json"
kill -HUP "$DAEMON"
api_line() { top_rx --once --interval 200 "$@" 2>&1 | grep '^daemon API:'; }
auth_needed() {
	local i
	for ((i = 0; i < 30; i++)); do
		api_line | grep -q '^daemon API: error (.*: HTTP 401' && return 0
		sleep 0.1
	done
	return 1
}
check "without the token the API answers 401, and top says so" auth_needed
api_line | sed 's/^/       /'
api_line --token "$TOKEN" >"$WORK/token.txt"
check "--token gets through" grep -q ': ok' "$WORK/token.txt"
XDPGUARD_TOKEN=$TOKEN api_line >"$WORK/token.txt"
check "XDPGUARD_TOKEN gets through" grep -q ': ok' "$WORK/token.txt"
XDPGUARD_TOKEN=$TOKEN top_rx --once --interval 200 >"$WORK/token.txt" 2>&1
check "the token is never printed" bash -c "! grep -q '$TOKEN' '$WORK/token.txt'"

stop_daemon
echo "top: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
