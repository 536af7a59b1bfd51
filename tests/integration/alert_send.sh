#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The alert transports against local receivers: a Python HTTP server that
# records each request and answers with the status its path names, a
# Python smtpd server and a UDP listener, all on 127.0.0.1 and ephemeral
# ports. No root needed; every wait is bounded; cleanup on exit.
#
# usage: tests/integration/alert_send.sh [path/to/alert_send_probe]
set -u

PROBE=$(readlink -f "${1:-build/alert_send_probe}")
PY=/usr/bin/python3
WORK=$(mktemp -d /tmp/xg-send-XXXXXX)
PIDS=()
passed=0
failed=0

# shellcheck source=tests/lib.sh
. "$(dirname "$(readlink -f "$0")")/../lib.sh"

cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	[ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

if [ ! -x "$PROBE" ] || [ ! -x "$PY" ]; then
	echo "alert_send: needs $PROBE and $PY"
	echo "alert_send: 0 passed, 1 failed"
	exit 1
fi

# wait_file FILE: up to 5 s for FILE to be non-empty.
wait_file() {
	local i
	for ((i = 0; i < 50; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# json FILE KEY: one field of the probe's JSON line.
json() {
	"$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

# --- receivers (tests/integration/alert_recv.py) -----------------------------

RECV="$(dirname "$(readlink -f "$0")")/alert_recv.py"
"$PY" -W ignore "$RECV" http "$WORK/requests.jsonl" "$WORK/http.port" 2>"$WORK/http.err" &
PIDS+=($!)
"$PY" -W ignore "$RECV" smtp "$WORK/mail" "$WORK/smtp.port" 2>"$WORK/smtp.err" &
PIDS+=($!)
"$PY" -W ignore "$RECV" udp "$WORK/dgram" "$WORK/udp.port" 2>"$WORK/udp.err" &
PIDS+=($!)
if ! wait_file "$WORK/http.port" || ! wait_file "$WORK/smtp.port" ||
	! wait_file "$WORK/udp.port"; then
	echo "alert_send: a receiver did not start"
	cat "$WORK"/*.err
	echo "alert_send: 0 passed, 1 failed"
	exit 1
fi
HTTP_PORT=$(cat "$WORK/http.port")
SMTP_PORT=$(cat "$WORK/smtp.port")
UDP_PORT=$(cat "$WORK/udp.port")
BASE="http://127.0.0.1:$HTTP_PORT"

# --- HTTP ---------------------------------------------------------------------

printf '{"type":"open","summary":"SIP INVITE flood \\u00e9 / ok"}' >"$WORK/body.json"

# probe_http NAME PATH [HEADER...]: result JSON in $WORK/NAME.out
probe_http() {
	local name=$1 path=$2
	shift 2
	timeout 20 "$PROBE" http "$BASE$path" "$WORK/body.json" "$@" >"$WORK/$name.out" \
		2>"$WORK/$name.err"
}

probe_http ok /200 "Content-Type: application/json" "X-Xdpguard-Signature: t=1,v1=abc"
check "200 is delivered" test "$(json "$WORK/ok.out" outcome)" = delivered
check "200 status reported" test "$(json "$WORK/ok.out" status)" = 200
req_check() { # the first request: exact body, method and headers
	"$PY" - "$WORK/requests.jsonl" "$WORK/body.json" <<'PYEOF'
import json, sys
r = json.loads(open(sys.argv[1]).readline())
body = open(sys.argv[2], encoding="utf-8").read()
h = {k.lower(): v for k, v in r["headers"].items()}
ok = (r["method"] == "POST" and r["path"] == "/200" and r["body"] == body
      and h.get("content-type") == "application/json"
      and h.get("x-xdpguard-signature") == "t=1,v1=abc"
      and "expect" not in h)
sys.exit(0 if ok else 1)
PYEOF
}
check "POST arrives with the exact body and headers" req_check

probe_http e500 /500
check "500 is retry" test "$(json "$WORK/e500.out" outcome)" = retry
check "500 status reported" test "$(json "$WORK/e500.out" status)" = 500

probe_http e429 /429
check "429 is retry" test "$(json "$WORK/e429.out" outcome)" = retry
check "429 Retry-After: 7 parsed" test "$(json "$WORK/e429.out" retry_after_s)" = 7

probe_http e503 /503
check "503 is retry" test "$(json "$WORK/e503.out" outcome)" = retry
ra=$(json "$WORK/e503.out" retry_after_s)
check "Retry-After as an HTTP-date parsed (55..60 s: $ra)" test "$ra" -ge 55 -a "$ra" -le 60

probe_http e404 /404
check "404 is permanent" test "$(json "$WORK/e404.out" outcome)" = permanent

probe_http e408 /408
check "408 is retry" test "$(json "$WORK/e408.out" outcome)" = retry

check "bad header (CR/LF) refused" bash -c \
	"'$PROBE' http '$BASE/200' '$WORK/body.json' \$'X-A: 1\r\nX-B: 2' | grep -q '\"permanent\"'"

# Connection refused: a port that was just free. The URL carries a token;
# the error must say what failed without it.
DEAD_PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
SECRET=s3cr3tTokenValue1234567890
timeout 20 "$PROBE" http "http://127.0.0.1:$DEAD_PORT/hook?token=$SECRET" "$WORK/body.json" \
	>"$WORK/refused.out" 2>&1
check "connection refused is retry" test "$(json "$WORK/refused.out" outcome)" = retry
check "connection refused has status 0" test "$(json "$WORK/refused.out" status)" = 0
check "connection refused error explains" grep -qi "connect" "$WORK/refused.out"
check "connection refused error is redacted" bash -c "! grep -q '$SECRET' '$WORK/refused.out'"

check "file:// URL refused as permanent" bash -c \
	"'$PROBE' http 'file:///etc/passwd' '$WORK/body.json' | grep -q '\"permanent\"'"

# --- SMTP ---------------------------------------------------------------------

printf 'From: xdpguard <xg@example.net>\r\nTo: ops@example.net\r\nSubject: [xdpguard] SIP flood on edge-1\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nA flood.\r\n.leading dot line\r\n' \
	>"$WORK/msg.eml"
timeout 20 "$PROBE" smtp "smtp://127.0.0.1:$SMTP_PORT" xg@example.net ops@example.net \
	"$WORK/msg.eml" >"$WORK/smtp.out" 2>"$WORK/smtp.errout"
check "SMTP delivered" test "$(json "$WORK/smtp.out" outcome)" = delivered
wait_file "$WORK/mail.1"
check "SMTP message arrives with its Subject" \
	grep -q "^Subject: \[xdpguard\] SIP flood on edge-1" "$WORK/mail.1"
check "SMTP envelope sender and recipient" \
	grep -qz "MAIL FROM xg@example.net.RCPT TO ops@example.net" "$WORK/mail.1"
check "SMTP dot-stuffing undone by the server" grep -q "^\.leading dot line" "$WORK/mail.1"

# --- syslog -------------------------------------------------------------------

LINE='<27>1 2026-01-01T00:00:00Z edge-1 xdpguard - incident_open [xdpguard@32473 id="x-1"] SIP flood'
"$PROBE" syslog "udp:127.0.0.1:$UDP_PORT" "$LINE" >"$WORK/syslog.out" 2>&1
check "syslog UDP delivered" test "$(json "$WORK/syslog.out" outcome)" = delivered
wait_file "$WORK/dgram.1"
check "syslog line arrives intact" test "$(cat "$WORK/dgram.1" 2>/dev/null)" = "$LINE"
"$PROBE" syslog "udp:127.0.0.1:$UDP_PORT" $'first line\nsecond line' >/dev/null 2>&1
wait_file "$WORK/dgram.3"
check "syslog one datagram per line" test "$(cat "$WORK/dgram.2" 2>/dev/null)|$(cat "$WORK/dgram.3" 2>/dev/null)" = "first line|second line"
# unix: a datagram socket like /dev/log, bound by the test.
"$PY" -W ignore -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[2] + ".tmp", "wb").write(s.recv(65536))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
' "$WORK/log.sock" "$WORK/unix.dgram" 2>"$WORK/unix.err" &
PIDS+=($!)
for ((i = 0; i < 50; i++)); do [ -S "$WORK/log.sock" ] && break; sleep 0.1; done
"$PROBE" syslog "unix:$WORK/log.sock" "$LINE" >"$WORK/unix.out" 2>&1
check "syslog unix datagram delivered" test "$(json "$WORK/unix.out" outcome)" = delivered
wait_file "$WORK/unix.dgram"
check "syslog unix line arrives intact" test "$(cat "$WORK/unix.dgram" 2>/dev/null)" = "$LINE"
"$PROBE" syslog "bogus:x" "$LINE" >"$WORK/bogus.out" 2>&1
check "syslog malformed target is permanent" test "$(json "$WORK/bogus.out" outcome)" = permanent

# --- backoff (pure) -----------------------------------------------------------

bo() { "$PROBE" backoff "$@"; }
check "backoff attempt 1 window is 1 s" test "$(bo 1 0.5 0)" = 500000000
check "backoff attempt 3 window is 4 s" test "$(bo 3 0.5 0)" = 2000000000
check "backoff jitter 0 may be immediate" test "$(bo 2 0 0)" = 0
check "backoff capped at 300 s" test "$(bo 40 0.5 0)" = 150000000000
check "backoff never before Retry-After" test "$(bo 1 0.5 7)" = 7000000000
check "backoff jitter clamped below 1" bash -c "[ \$('$PROBE' backoff 1 5 0) -lt 1000000000 ]"

echo "alert_send: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
