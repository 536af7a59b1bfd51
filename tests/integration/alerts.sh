#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Alerts end to end: xdpctl run protects a namespace, a real flood opens an
# incident, and every sink type reaches a real local receiver (HTTP for the
# webhook, PagerDuty, Slack, Discord and OpsGenie; SMTP; syslog over UDP)
# on 127.0.0.1. Then the HTTP receiver goes down, a second incident queues
# its alerts, the controller is killed with kill -9 and restarted with the
# receiver back: every queued event arrives exactly once. A third incident
# is cut short by another kill -9: the restart resolves what it paged.
# Addresses only inside the namespaces; every wait bounded; cleanup on exit.
#
# usage: tests/integration/alerts.sh path/to/xdpctl path/to/xg-trafgen
set -u

XDPCTL=$(readlink -f "${1:-build/xdpctl}")
TRAFGEN=$(readlink -f "${2:-build/xg-trafgen}")
HERE=$(dirname "$(readlink -f "$0")")
PY=/usr/bin/python3
TAG="xg-al$$"
WORK=$(mktemp -d /tmp/xg-alerts-XXXXXX)
STATE="$WORK/state"
RX_IP=10.123.4.1
TX_IP=10.123.4.2
PEER_IP=10.123.4.3
SECRET="whsec-$$-correct-horse"
RKEY="R0UTINGKEY$$abcdef0123"
OGKEY="og-key-$$-0123456789abcdef"
HTTP_PID=
OTHER_PIDS=()
passed=0
failed=0

# shellcheck source=tests/lib.sh
. "$HERE/../lib.sh"
# shellcheck source=tests/integration/ctl_lib.sh
. "$HERE/ctl_lib.sh"

stop_http() {
	if [ -n "$HTTP_PID" ]; then
		kill "$HTTP_PID" 2>/dev/null
		wait "$HTTP_PID" 2>/dev/null
		HTTP_PID=
	fi
}

cleanup() {
	local p
	ns_cleanup
	stop_http
	for p in "${OTHER_PIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	[ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

if [ "$(id -u)" -ne 0 ] || [ ! -x "$TRAFGEN" ] || [ ! -x "$PY" ]; then
	echo "alerts: needs root, $TRAFGEN and $PY"
	echo "alerts: 0 passed, 1 failed"
	exit 1
fi

# wait_for SECONDS CMD...: until CMD succeeds, polling every 0.1 s.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	while [ "$SECONDS" -le "$deadline" ]; do
		"$@" 2>/dev/null && return 0
		sleep 0.1
	done
	"$@"
}

ck() { "$PY" "$HERE/alert_check.py" "$WORK/requests.jsonl" "$@"; }

# The receivers live in the daemon's namespace, on its own 127.0.0.1.
# nsenter execs the receiver, so $! is the receiver's own PID.
RX_NET="--net=/run/netns/$NS_RX"

start_http() { # [PORT]
	rm -f "$WORK/http.port"
	nsenter "$RX_NET" "$PY" -W ignore "$HERE/alert_recv.py" http "$WORK/requests.jsonl" "$WORK/http.port" \
		--port "${1:-0}" --secret "$SECRET" --wrong-secret "not-$SECRET" \
		2>>"$WORK/http.err" &
	HTTP_PID=$!
	wait_for 5 test -s "$WORK/http.port"
}

# status_num EXPR: a number from 'xdpctl alerts status --json'.
status_num() {
	"$XDPCTL" alerts status --json --state-dir "$STATE" |
		"$PY" -c "import json,sys; s=json.load(sys.stdin); print(int($1 or 0))"
}

# the id of the Nth incident (1-based) in the journal
incident_id() {
	grep '"event":"incident_open"' "$STATE/incidents.jsonl" | sed -n "${1}p" |
		grep -o '"id":"[^"]*"' | cut -d'"' -f4
}

echo "alerts: setting up $NS_TX and $NS_RX, receivers on $NS_RX's 127.0.0.1"
ns_setup
ip -n "$NS_RX" link set lo up
start_http
nsenter "$RX_NET" "$PY" -W ignore "$HERE/alert_recv.py" smtp "$WORK/mail" "$WORK/smtp.port" 2>"$WORK/smtp.err" &
OTHER_PIDS+=($!)
nsenter "$RX_NET" "$PY" -W ignore "$HERE/alert_recv.py" udp "$WORK/dgram" "$WORK/udp.port" 2>"$WORK/udp.err" &
OTHER_PIDS+=($!)
wait_for 5 test -s "$WORK/smtp.port"
wait_for 5 test -s "$WORK/udp.port"
HP=$(cat "$WORK/http.port")
SP=$(cat "$WORK/smtp.port")
UP=$(cat "$WORK/udp.port")
U="http://127.0.0.1:$HP"

cat >"$WORK/xdpguard.json" <<EOF
{
  "tick_ms": 1000,
  "sample_rate": 16,
  "baseline": {"window": 60, "learning_s": 3,
               "floors": {"pps": 3000, "udp_pps": 2000, "bps": 50000000}},
  "detection": {"close_ticks": 3},
  "mitigation": {"block_ttl_s": 4, "cooldown_s": 0},
  "alerts": {
    "node": "xg-edge-1",
    "coalesce_s": 1,
    "sinks": [
      {"name": "hook", "type": "webhook", "url": "$U/hook", "secret": "$SECRET",
       "headers": ["X-Team: noc"], "timeout_ms": 2000},
      {"name": "pd", "type": "pagerduty", "url": "$U/pd", "routing_key": "$RKEY", "timeout_ms": 2000},
      {"name": "chat", "type": "slack", "url": "$U/slack", "timeout_ms": 2000},
      {"name": "dc", "type": "discord", "url": "$U/discord", "mention": "@here", "timeout_ms": 2000},
      {"name": "og", "type": "opsgenie", "url": "$U/og", "api_key": "$OGKEY", "timeout_ms": 2000},
      {"name": "mail", "type": "email", "url": "smtp://127.0.0.1:$SP",
       "from": "xdpguard <xg@example.net>", "to": ["noc@example.net"], "starttls": false},
      {"name": "siem", "type": "syslog", "target": "udp:127.0.0.1:$UP", "format": "cef"},
      {"name": "late", "type": "webhook", "url": "$U/late", "timeout_ms": 2000}
    ],
    "policies": [{"name": "noc", "steps": [
      {"delay_s": 0, "sinks": ["hook", "pd", "chat", "dc", "og", "mail", "siem"]},
      {"delay_s": 2, "sinks": ["late"]}]}],
    "routes": [{"min_severity": "info", "policy": "noc"}]
  }
}
EOF
chmod 600 "$WORK/xdpguard.json"

echo "alerts: the config"
check "config check accepts the alerts section" "$XDPCTL" config check "$WORK/xdpguard.json"
"$XDPCTL" config show --config "$WORK/xdpguard.json" >"$WORK/shown.json"
check "config show prints no secret, routing key or API key" \
	bash -c "! grep -qE '$SECRET|$RKEY|$OGKEY' '$WORK/shown.json' && grep -q '\"routing_key\": \"\\*\\*\\*\"' '$WORK/shown.json'"

echo "alerts: a flood: every sink hears of the open within a second"
start_daemon
peace 100
check "daemon is running" kill -0 "$DAEMON"
flood 3
check "incident 1 opened" wait_journal incident_open 3 1
ID1=$(incident_id 1)
check "the webhook got the open" wait_for 5 ck has "$ID1" /hook open
logged=$(grep '"event":"incident_open"' "$STATE/incidents.jsonl" | head -1 | grep -o '"logged":[0-9.]*' | cut -d: -f2)
arrived=$(ck arrival "$ID1" /hook open)
lat=$(awk -v a="${logged:-0}" -v b="${arrived:-0}" 'BEGIN { printf "%.3f", b - a }')
echo "       incident open -> webhook delivery: ${lat} s"
check "delivered within 1 s of the open (${lat} s)" awk -v l="$lat" 'BEGIN { exit !(l >= 0 && l <= 1.0) }'
check "webhook: schema, configured header, HMAC ok, a wrong secret rejected" ck hook_open "$ID1"
check "PagerDuty: a v2 trigger with the required fields, dedup_key = incident" \
	wait_for 3 ck pd "$ID1" trigger "$RKEY"
check "Slack: blocks within Slack's limits" wait_for 3 ck slack "$ID1"
check "Discord: one embed within Discord's limits" wait_for 3 ck discord "$ID1" "@here"
check "OpsGenie: create with alias = incident, GenieKey auth" wait_for 3 ck og "$ID1" create "$OGKEY"
check "email: a message reached the SMTP server" wait_for 5 test -s "$WORK/mail.1"
check "email: subject, sender and recipient" \
	bash -c "grep -q '^Subject: \\[xdpguard\\]' '$WORK/mail.1' && grep -q 'RCPT TO noc@example.net' '$WORK/mail.1' && grep -q '$ID1' '$WORK/mail.1'"
check "syslog: a CEF record over UDP" \
	wait_for 3 bash -c "grep -l 'CEF:0|xdpguard|xdpguard|' '$WORK'/dgram.* | xargs grep -l '$ID1' >/dev/null"

check "incident 1 closes" wait_journal incident_close 10 1
check "PagerDuty: resolve with the same dedup_key" wait_for 5 ck pd "$ID1" resolve "$RKEY"
check "OpsGenie: close by alias" wait_for 5 ck og "$ID1" close "$OGKEY"
check "webhook: the close" wait_for 5 ck has "$ID1" /hook close
check "escalation: the 2 s step got the open" ck has "$ID1" /late open
t_hook=$(ck arrival "$ID1" /hook open)
t_late=$(ck arrival "$ID1" /late open)
check "escalation: not before its delay ($(awk -v a="$t_hook" -v b="$t_late" 'BEGIN { printf "%.2f", b - a }') s after the first step)" \
	awk -v a="$t_hook" -v b="$t_late" 'BEGIN { exit !(b - a >= 1.5) }'
check "escalation: the step got the close" wait_for 5 ck has "$ID1" /late close
for s in hook late; do
	check "$s: exactly one open and one close for incident 1" \
		test "$(ck count "$ID1" /$s open)/$(ck count "$ID1" /$s close)" = "1/1"
done
check "PagerDuty: exactly one resolve" test "$(ck count "$ID1" /pd resolve)" = 1

echo "alerts: xdpctl alerts"
check "alerts test through the running controller is delivered" \
	bash -c "'$XDPCTL' alerts test hook --state-dir '$STATE' --timeout 10 | grep -q 'delivered to hook (queued and sent by the running controller)'"
check "the test event is marked as a test and signed" \
	bash -c "grep '\"/hook\"' '$WORK/requests.jsonl' | grep -q '\\\\\"type\\\\\":\\\\\"test\\\\\".*' && grep '\\\\\"type\\\\\":\\\\\"test\\\\\"' '$WORK/requests.jsonl' | grep -q '\"sig\": \"ok\"'"
check "alerts test of an unknown sink fails and names it" \
	bash -c "! '$XDPCTL' alerts test nosuch --state-dir '$STATE' --timeout 5 2>'$WORK/t.err' && grep -q nosuch '$WORK/t.err'"
check "alerts status: running, queue empty" \
	test "$(status_num "s['running'] and s['queue']['depth'] == 0")" = 1
check "alerts status: per-sink delivered counts" \
	test "$(status_num "min(x['delivered'] for x in s['sinks'] if x['name'] != 'late')")" -ge 2
"$XDPCTL" alerts status --state-dir "$STATE" >"$WORK/status.txt"
check "alerts status prints a table of sinks" grep -q '^pd  *pagerduty' "$WORK/status.txt"
check "no secret in the daemon's log" bash -c "! grep -qE '$SECRET|$RKEY|$OGKEY' '$WORK/daemon.log'"

echo "alerts: receiver down, alerts queue; kill -9; restart: each arrives once"
stop_http
sleep 1
flood 3
check "incident 2 opened" wait_journal incident_open 3 2
ID2=$(incident_id 2)
check "incident 2 closes" wait_journal incident_close 10 2
sleep 1.5 # the tick after the close queues it
check "alerts status shows the failures" \
	test "$(status_num "s['queue']['depth'] >= 10 and any(x['last_error'] for x in s['sinks'])")" = 1
depth=$(status_num "s['queue']['depth']")
echo "       queued while the receiver is down: $depth"
kill -9 "$DAEMON"
wait "$DAEMON" 2>/dev/null
DAEMON=
check "after kill -9 the queue is intact on disk ($depth)" \
	test "$(status_num "(not s['running']) and s['queue']['depth']")" = "$depth"
start_http "$HP"
start_daemon
drained() { test "$(status_num "s['queue']['depth'] == 0 and s['running']")" = 1; }
check "after the restart every queued event is delivered" wait_for 60 drained
for s in hook late; do
	check "$s: incident 2's open and close arrived exactly once" \
		test "$(ck count "$ID2" /$s open)/$(ck count "$ID2" /$s close)" = "1/1"
done
check "PagerDuty: incident 2 triggered and resolved exactly once" \
	test "$(ck count "$ID2" /pd trigger)/$(ck count "$ID2" /pd resolve)" = "1/1"
check "OpsGenie: incident 2 created and closed exactly once" \
	test "$(ck count "$ID2" /og create)/$(ck count "$ID2" /og close)" = "1/1"
check "Slack and Discord: incident 2's resolution arrived once each" \
	test "$(ck count "$ID2" /slack resolved)/$(ck count "$ID2" /discord resolved)" = "1/1"

echo "alerts: kill -9 during an incident; the restart resolves what it paged"
sleep 2
flood 4 &
FLOOD=$!
check "incident 3 opened" wait_journal incident_open 5 3
ID3=$(incident_id 3)
check "PagerDuty was paged for incident 3" wait_for 5 ck pd "$ID3" trigger "$RKEY"
kill -9 "$DAEMON"
wait "$DAEMON" 2>/dev/null
DAEMON=
wait "$FLOOD"
start_daemon
check "the restart resolves incident 3 at PagerDuty" wait_for 10 ck pd "$ID3" resolve "$RKEY"
check "the webhook's close says why" \
	wait_for 5 bash -c "grep '$ID3' '$WORK/requests.jsonl' | grep -q 'closed_by.*restart'"
check "the daemon logged it" grep -q "incident $ID3 was open when the controller stopped" "$WORK/daemon.log"

stop_daemon
echo "alerts: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
