#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The HTTP server of xdpctl run, end to end: a port already in use stops
# the start; every GET endpoint against a JSON schema (python3-jsonschema);
# authentication and every refusal of a change (401, 403, 400 with the
# lists left as they were, 404, 405, 413); changes that land in the XDP
# lists ('xdpctl list' shows them). During a real flood: a real Prometheus
# scraping every second (its query API sees the incident, the packet rate
# and the tick histogram), promtool on the exposition, and headless
# Chromium on the status page (the attacked service's pill, no address
# anywhere with redaction, a PNG screenshot). Then a SIGHUP with other http
# settings restarts the server with them. The daemon and its clients live
# in the namespace, on its own 127.0.0.1; every wait bounded; cleanup on
# exit kills only what this script started.
#
# usage: tests/integration/http.sh path/to/xdpctl path/to/xg-trafgen
set -u

XDPCTL=$(readlink -f "${1:-build/xdpctl}")
TRAFGEN=$(readlink -f "${2:-build/xg-trafgen}")
HERE=$(dirname "$(readlink -f "$0")")
PY=/usr/bin/python3
PROMETHEUS=${PROMETHEUS:-/usr/bin/prometheus}
PROMTOOL=${PROMTOOL:-/usr/bin/promtool}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
TAG="xg-ht$$"
WORK=$(mktemp -d /tmp/xg-http-XXXXXX)
STATE="$WORK/state"
RX_IP=10.123.9.1
TX_IP=10.123.9.2
PEER_IP=10.123.9.3
PORT=9477
PROM_PORT=9090
TOKEN="xg-test-token-$$-0123456789abcdef"
PROM_PID=
OTHER_PIDS=()
passed=0
failed=0

# shellcheck source=tests/lib.sh
. "$HERE/../lib.sh"
# shellcheck source=tests/integration/ctl_lib.sh
. "$HERE/ctl_lib.sh"

stop_prom() {
	if [ -n "$PROM_PID" ]; then
		kill "$PROM_PID" 2>/dev/null
		wait "$PROM_PID" 2>/dev/null
		PROM_PID=
	fi
}

cleanup() {
	local p
	stop_prom
	for p in "${OTHER_PIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	ns_cleanup
	[ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

for t in "$PY" "$TRAFGEN" "$PROMETHEUS" "$PROMTOOL" "$CHROMIUM" /usr/bin/curl; do
	if [ "$(id -u)" -ne 0 ] || [ ! -x "$t" ]; then
		echo "http: needs root and $t (make deps)"
		echo "http: 0 passed, 1 failed"
		exit 1
	fi
done
if ! "$PY" -c 'import jsonschema' 2>/dev/null; then
	echo "http: needs python3-jsonschema (make deps)"
	echo "http: 0 passed, 1 failed"
	exit 1
fi

# wait_for SECONDS CMD...: until CMD succeeds, polling every 0.2 s.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	while [ "$SECONDS" -le "$deadline" ]; do
		"$@" 2>/dev/null && return 0
		sleep 0.2
	done
	"$@"
}

RX_NET="--net=/run/netns/$NS_RX"
BASE="http://127.0.0.1:$PORT"

# req METHOD PATH [CURL ARGS...]: the status code on stdout, the body in
# $WORK/body, the headers in $WORK/headers.
req() {
	local m=$1 p=$2
	shift 2
	nsenter "$RX_NET" curl -s -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' \
		--max-time 10 -X "$m" "$@" "$BASE$p"
}
AUTH=(-H "Authorization: Bearer $TOKEN")
JSON=(-H "Content-Type: application/json")

# status_is WANT METHOD PATH [CURL ARGS...]
status_is() {
	local want=$1 got
	shift
	got=$(req "$@")
	[ "$got" = "$want" ] || { echo "       $1 $2: got $got, want $want: $(head -c 300 "$WORK/body")" >&2; return 1; }
}

# The schemas of every answer, checked with jsonschema.
cat >"$WORK/schemas.py" <<'EOF'
import json, sys
import jsonschema

num = {"type": "number", "minimum": 0}
cnt = {"type": "integer", "minimum": 0}
nstr = {"type": "string", "minLength": 1}
opt_int = {"type": ["integer", "null"], "minimum": 0}
ts = {"type": "number", "minimum": 1.7e9}
metrics = ["pps", "bps", "tcp_pps", "udp_pps", "icmp_pps", "gre_pps", "esp_pps", "other_pps",
           "frag_pps", "syn_pps", "ack_pps", "rst_pps", "fin_pps", "psh_pps", "xmas_pps",
           "null_pps", "sip_udp_pps", "sip_tcp_pps", "sip_tls_pps", "rtp_pps",
           "sip_register_pps", "sip_invite_pps", "sip_options_pps", "sip_malformed_pps",
           "rtp_invalid_pps", "amp_pps"]
incident = {
    "type": "object",
    "required": ["event", "id", "seq", "family", "subtype", "service", "confidence", "spoofed",
                 "botnet", "learning", "start", "start_utc", "peak_pps", "peak_bps", "metrics",
                 "peak_metrics", "destinations", "evidence", "logged"],
    "properties": {
        "event": {"enum": ["incident_open", "incident_update", "incident_close"]},
        "id": {"type": "string", "pattern": "^[0-9]{8}T[0-9]{6}Z-[0-9]+$"},
        "seq": cnt, "family": nstr, "subtype": {"type": "string"}, "service": nstr,
        "confidence": {"type": "integer", "minimum": 0, "maximum": 100},
        "spoofed": {"type": "boolean"}, "botnet": {"type": "boolean"},
        "learning": {"type": "boolean"}, "start": ts, "end": ts,
        "start_utc": {"type": "string", "pattern": "Z$"},
        "duration_s": num, "peak_pps": num, "peak_bps": num,
        "metrics": {"type": "array", "items": {"enum": metrics}, "minItems": 1},
        "peak_metrics": {"type": "object"}, "destinations": {"type": "array"},
        "evidence": {"type": "array"}, "logged": ts,
    },
}
# the live incident: not a journal line, so no event and no logged
status_incident = dict(incident, required=[k for k in incident["required"]
                                           if k not in ("event", "logged")])
status_incident = dict(status_incident, properties={k: v for k, v in incident["properties"].items()
                                                    if k != "event"})
SCHEMAS = {
    "error": {
        "type": "object", "required": ["error", "status"], "additionalProperties": False,
        "properties": {"error": nstr, "status": {"type": "integer", "minimum": 400, "maximum": 599}},
    },
    "status": {
        "type": "object", "additionalProperties": False,
        "required": ["node", "version", "interfaces", "tick_ms", "ts", "started", "uptime_s",
                     "ticks", "learning", "monitor_only", "rates", "incident", "incidents_total",
                     "escalation", "counts"],
        "properties": {
            "node": nstr, "version": {"type": "string", "pattern": r"^\d+\.\d+\.\d+"},
            "interfaces": {"type": "array", "items": nstr, "minItems": 1},
            "tick_ms": {"type": "integer", "minimum": 100}, "ts": ts, "started": ts,
            "uptime_s": cnt, "ticks": {"type": "integer", "minimum": 1},
            "learning": {"type": "boolean"}, "monitor_only": {"type": "boolean"},
            "rates": {
                "type": "object", "additionalProperties": False,
                "required": ["interval_s", "pps", "bps", "dropped_pps", "would_drop_pps",
                             "allowed_pps", "proto_pps", "services"],
                "properties": {
                    "interval_s": {"type": "number", "exclusiveMinimum": 0},
                    "pps": num, "bps": num, "dropped_pps": num, "would_drop_pps": num,
                    "allowed_pps": num,
                    "proto_pps": {"type": "object", "additionalProperties": num,
                                  "required": ["tcp", "udp", "icmp"]},
                    "services": {
                        "type": "object", "required": ["sip-udp", "sip-tcp", "sip-tls", "rtp"],
                        "additionalProperties": {
                            "type": "object", "additionalProperties": False,
                            "required": ["pps", "bps"], "properties": {"pps": num, "bps": num}},
                    },
                },
            },
            "incident": {"oneOf": [{"type": "null"}, status_incident]},
            "incidents_total": cnt,
            "escalation": {"type": "object", "additionalProperties": False,
                           "required": ["level", "name"],
                           "properties": {"level": {"type": "integer", "minimum": 0, "maximum": 5},
                                          "name": nstr}},
            "counts": {"type": "object", "additionalProperties": False,
                       "required": ["blocks_active", "allowlist", "peers", "bgp_rules",
                                    "alert_queue"],
                       "properties": {k: cnt for k in ["blocks_active", "allowlist", "peers",
                                                       "bgp_rules", "alert_queue"]}},
        },
    },
    "incidents": {
        "type": "object", "additionalProperties": False, "required": ["count", "incidents"],
        "properties": {"count": cnt, "incidents": {"type": "array", "items": incident}},
    },
    "incident": incident,
    "blocks": {
        "type": "object", "additionalProperties": False, "required": ["count", "blocks"],
        "properties": {"count": cnt, "blocks": {"type": "array", "items": {
            "type": "object", "additionalProperties": False,
            "required": ["cidr", "age_s", "action", "rate_pps", "ttl_left_s", "expired", "hits",
                         "origin", "incident", "reason"],
            "properties": {
                "cidr": nstr, "age_s": cnt, "action": {"enum": ["drop", "ratelimit"]},
                "rate_pps": opt_int, "ttl_left_s": opt_int, "expired": {"type": "boolean"},
                "hits": cnt, "origin": {"enum": ["manual", "controller", "api", "learned", "config"]},
                "incident": cnt, "reason": nstr}}}},
    },
    "allow": {
        "type": "object", "additionalProperties": False, "required": ["count", "allow"],
        "properties": {"count": cnt, "allow": {"type": "array", "items": {
            "type": "object", "additionalProperties": False,
            "required": ["cidr", "age_s", "origin", "hits", "comment"],
            "properties": {"cidr": nstr, "age_s": cnt, "hits": cnt, "comment": {"type": "string"},
                           "origin": {"enum": ["manual", "controller", "api", "learned",
                                               "config"]}}}}},
    },
    "peers": {
        "type": "object", "additionalProperties": False, "required": ["count", "peers"],
        "properties": {"count": cnt, "peers": {"type": "array", "items": {
            "type": "object", "required": ["addr", "reason", "first_ns", "last_ns", "sip_ok",
                                           "rtp_ok"],
            "properties": {"addr": nstr, "reason": {"enum": ["sip", "rtp"]}, "first_ns": cnt,
                           "last_ns": cnt, "sip_ok": cnt, "rtp_ok": cnt}}}},
    },
    "baselines": {
        "type": "object", "additionalProperties": False, "required": ["ts", "learning", "metrics"],
        "properties": {
            "ts": ts, "learning": {"type": "boolean"},
            "metrics": {"type": "object", "required": metrics,
                        "additionalProperties": False,
                        "properties": {m: {"type": "object", "additionalProperties": False,
                                           "required": ["rate", "baseline", "threshold"],
                                           "properties": {"rate": num, "baseline": num,
                                                          "threshold": num}}
                                       for m in metrics}},
        },
    },
    "created_block": {
        "type": "object", "additionalProperties": False,
        "required": ["cidr", "action", "origin", "ttl_s", "rate_pps", "reason"],
        "properties": {"cidr": nstr, "action": {"enum": ["drop", "ratelimit"]},
                       "origin": {"const": "api"}, "ttl_s": opt_int, "rate_pps": opt_int,
                       "reason": {"type": ["string", "null"]}},
    },
}

doc = json.load(open(sys.argv[2]))
jsonschema.Draft7Validator.check_schema(SCHEMAS[sys.argv[1]])
errors = list(jsonschema.Draft7Validator(SCHEMAS[sys.argv[1]]).iter_errors(doc))
for e in errors[:3]:
    for c in (e.context or [e])[:6]:
        print("       schema %s: %s at %s" % (sys.argv[1], c.message[:160], list(c.absolute_path)),
              file=sys.stderr)
sys.exit(1 if errors else 0)
EOF

# schema NAME: the last body against the schema NAME
schema() { "$PY" "$WORK/schemas.py" "$1" "$WORK/body"; }
# jq_ EXPR: a Python expression over the last body (as d)
jq_() { "$PY" -c "import json,sys; d=json.load(open('$WORK/body')); print($1)"; }
# get_ok NAME PATH: GET is 200 and the body fits schema NAME
get_ok() { status_is 200 GET "$2" && schema "$1"; }
# the CIDRs of a list, sorted, from xdpctl
list_cidrs() { "$XDPCTL" list "$1" --json | "$PY" -c 'import json,sys; print(" ".join(sorted(e["cidr"] for e in json.load(sys.stdin))))'; }
in_list() { list_cidrs "$1" | tr ' ' '\n' | grep -qx "$2"; }
# code_type PATH FILE: "CODE CONTENT-TYPE" of a GET, the body in FILE
code_type() { nsenter "$RX_NET" curl -s --max-time 10 -o "$2" -w '%{http_code} %{content_type}' "$BASE$1"; }
promcheck() { "$PROMTOOL" check metrics <"$1"; }
api_has_block() { status_is 200 GET /api/v1/blocks && [ "$(jq_ "any(e['cidr'] == '$BLK' for e in d['blocks'])")" = True ]; }
count_is() { status_is 200 GET "$2" && [ "$(jq_ "d['count']")" = "$1" ]; }
# a Prometheus query has at least one sample
prom_has() {
	nsenter "$RX_NET" curl -s --max-time 5 "http://127.0.0.1:$PROM_PORT/api/v1/query" \
		--data-urlencode "query=$1" >"$WORK/prom.json" &&
		"$PY" -c "import json,sys; d=json.load(open('$WORK/prom.json')); sys.exit(0 if d['status']=='success' and d['data']['result'] else 1)"
}
prom_value() {
	nsenter "$RX_NET" curl -s --max-time 5 "http://127.0.0.1:$PROM_PORT/api/v1/query" \
		--data-urlencode "query=$1" |
		"$PY" -c "import json,sys; r=json.load(sys.stdin)['data']['result']; print(r[0]['value'][1] if r else 'none')"
}

echo "http: setting up $NS_TX and $NS_RX; the server on $NS_RX's 127.0.0.1:$PORT"
ns_setup
ip -n "$NS_RX" link set lo up

write_config() { # TOKEN READ_AUTH
	cat >"$WORK/xdpguard.json" <<EOF
{
  "tick_ms": 1000,
  "sample_rate": 16,
  "baseline": {"window": 60, "learning_s": 3,
               "floors": {"pps": 3000, "udp_pps": 2000, "sip_udp_pps": 2000, "bps": 50000000}},
  "detection": {"close_ticks": 3},
  "mitigation": {"block_ttl_s": 4, "cooldown_s": 0},
  "alerts": {"node": "xg-edge-7"},
  "http": {"bind": "127.0.0.1", "port": $PORT, "token": "$1", "read_auth": $2,
           "top_ports": 10, "status_page": {"title": "Voice platform status"}}
}
EOF
	chmod 600 "$WORK/xdpguard.json"
}
write_config "$TOKEN" false

echo "http: the config"
check "config check accepts the http section" "$XDPCTL" config check "$WORK/xdpguard.json"
"$XDPCTL" config show --config "$WORK/xdpguard.json" >"$WORK/shown.json"
check "config show prints the token as ***" \
	bash -c "! grep -q '$TOKEN' '$WORK/shown.json' && grep -q '\"token\": \"\\*\\*\\*\"' '$WORK/shown.json'"

echo "http: the port is taken: the daemon says where and stops"
nsenter "$RX_NET" "$PY" -c "import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $PORT)); s.listen(); open('$WORK/busy', 'w').close(); time.sleep(60)" &
BUSY=$!
OTHER_PIDS+=("$BUSY")
wait_for 5 test -e "$WORK/busy"
start_daemon
exited() { ! kill -0 "$DAEMON" 2>/dev/null; }
check "the daemon exits" wait_for 20 exited
wait "$DAEMON"
rc=$?
DAEMON=
check "with a non-zero status ($rc)" test "$rc" -ne 0
check "one line names the address and port" \
	grep -q "cannot listen on 127.0.0.1:$PORT: Address already in use" "$WORK/daemon.log"
kill "$BUSY" 2>/dev/null
wait "$BUSY" 2>/dev/null

echo "http: the daemon; every GET endpoint against its schema"
start_daemon
check "the server answers" wait_for 20 status_is 200 GET /api/v1/status
check "the log says where it listens" grep -q "http: serving .* on 127.0.0.1:$PORT" "$WORK/daemon.log"
peace 100
check "daemon is running" kill -0 "$DAEMON"
check "GET /api/v1/status" get_ok status /api/v1/status
check "  node, interface and no incident" \
	test "$(jq_ "d['node'], d['interfaces'], d['incident']")" = "xg-edge-7 ['veth-rx'] None"
check "GET /api/v1/incidents (empty)" get_ok incidents /api/v1/incidents
check "GET /api/v1/blocks" get_ok blocks /api/v1/blocks
check "GET /api/v1/allow" get_ok allow /api/v1/allow
check "GET /api/v1/peers" get_ok peers /api/v1/peers
check "GET /api/v1/baselines" get_ok baselines /api/v1/baselines
check "  thresholds at least the floors" test "$(jq_ "d['metrics']['pps']['threshold'] >= 3000")" = True
check "GET /metrics is the Prometheus text format" \
	test "$(code_type /metrics "$WORK/metrics.txt")" = "200 text/plain; version=0.0.4; charset=utf-8"
check "  promtool check metrics passes" promcheck "$WORK/metrics.txt"
check "GET /status is HTML" \
	test "$(code_type /status "$WORK/status.html")" = "200 text/html; charset=utf-8"
check "  with the configured title" grep -q 'Voice platform status' "$WORK/status.html"
check "HEAD /metrics: 200" status_is 200 HEAD /metrics -I

echo "http: changes: authentication"
BLK=10.123.77.0/24
B0=$(list_cidrs block)
A0=$(list_cidrs allow)
check "POST /api/v1/blocks without a token: 401" \
	status_is 401 POST /api/v1/blocks "${JSON[@]}" -d "{\"cidr\":\"$BLK\"}"
check "  a JSON error with the status" bash -c "'$PY' '$WORK/schemas.py' error '$WORK/body' && grep -q '\"status\":401' '$WORK/body'"
check "  and WWW-Authenticate: Bearer" grep -qi '^WWW-Authenticate: Bearer' "$WORK/headers"
check "POST with a wrong token: 401" \
	status_is 401 POST /api/v1/blocks "${JSON[@]}" -H "Authorization: Bearer wrong-$TOKEN" -d "{\"cidr\":\"$BLK\"}"
check "POST with a token of another scheme: 401" \
	status_is 401 POST /api/v1/blocks "${JSON[@]}" -H "Authorization: Basic $TOKEN" -d "{\"cidr\":\"$BLK\"}"
check "DELETE without a token: 401" status_is 401 DELETE "/api/v1/blocks?cidr=$BLK"
check "nothing changed" test "$(list_cidrs block)" = "$B0"

echo "http: changes: refused bodies leave the lists as they were"
check "malformed JSON: 400" status_is 400 POST /api/v1/blocks "${JSON[@]}" "${AUTH[@]}" -d '{"cidr": "10.123.77.0/24"'
check "  a JSON error" schema error
check "not an object: 400" status_is 400 POST /api/v1/blocks "${AUTH[@]}" -d '["10.123.77.0/24"]'
check "trailing garbage: 400" status_is 400 POST /api/v1/blocks "${AUTH[@]}" -d '{"cidr":"10.123.77.0/24"} x'
check "an empty body: 400" status_is 400 POST /api/v1/blocks "${AUTH[@]}"
check "host bits set: 400" status_is 400 POST /api/v1/blocks "${AUTH[@]}" -d '{"cidr":"10.123.77.1/24"}'
check "  names the CIDR" grep -q 'host bits' "$WORK/body"
check "not a CIDR: 400" status_is 400 POST /api/v1/blocks "${AUTH[@]}" -d '{"cidr":"10.123.300.0/24"}'
check "cidr missing: 400" status_is 400 POST /api/v1/blocks "${AUTH[@]}" -d '{"ttl_s":60}'
check "cidr not a string: 400" status_is 400 POST /api/v1/blocks "${AUTH[@]}" -d '{"cidr":10}'
check "ttl_s 0: 400" status_is 400 POST /api/v1/blocks "${AUTH[@]}" -d "{\"cidr\":\"$BLK\",\"ttl_s\":0}"
check "ttl_s a string: 400" status_is 400 POST /api/v1/blocks "${AUTH[@]}" -d "{\"cidr\":\"$BLK\",\"ttl_s\":\"60\"}"
check "an unknown key: 400" status_is 400 POST /api/v1/blocks "${AUTH[@]}" -d "{\"cidr\":\"$BLK\",\"tll_s\":60}"
check "a comment too long: 400" status_is 400 POST /api/v1/allow "${AUTH[@]}" -d "{\"cidr\":\"$BLK\",\"comment\":\"$(printf 'x%.0s' {1..60})\"}"
check "DELETE of a bad CIDR: 400" status_is 400 DELETE "/api/v1/blocks?cidr=10.123.77.1/24" "${AUTH[@]}"
check "DELETE without a CIDR: 400" status_is 400 DELETE /api/v1/blocks "${AUTH[@]}"
head -c 70000 /dev/zero | tr '\0' ' ' >"$WORK/big.json"
check "a body over 64 KiB: 413" status_is 413 POST /api/v1/blocks "${AUTH[@]}" "${JSON[@]}" --data-binary "@$WORK/big.json"
check "  chunked, without a length: 413" status_is 413 POST /api/v1/blocks "${AUTH[@]}" -H "Transfer-Encoding: chunked" --data-binary "@$WORK/big.json"
check "the blocklist is unchanged" test "$(list_cidrs block)" = "$B0"
check "the allowlist is unchanged" test "$(list_cidrs allow)" = "$A0"

echo "http: changes that land in the XDP lists"
check "POST /api/v1/blocks with the token: 201" \
	status_is 201 POST /api/v1/blocks "${JSON[@]}" "${AUTH[@]}" -d "{\"cidr\":\"$BLK\",\"ttl_s\":600,\"reason\":\"test block\"}"
check "  the answer fits its schema" schema created_block
check "  xdpctl list block shows it" in_list block "$BLK"
"$XDPCTL" list block --json >"$WORK/body"
check "  origin api, drop, expiring" test "$(jq_ "[(e['origin'], e['action'], 590 <= e['ttl_left_s'] <= 600) for e in d if e['cidr'] == '$BLK']")" = "[('api', 'drop', True)]"
check "GET /api/v1/blocks lists it" api_has_block
check "  journalled with the reason" grep -q "\"event\":\"api_block\".*test block" "$STATE/incidents.jsonl"
check "a rate limit: 201" status_is 201 POST /api/v1/blocks "${AUTH[@]}" -d '{"cidr":"10.123.78.5","rate_pps":100}'
check "  ratelimit in xdpctl list" bash -c "'$XDPCTL' list block --json | grep -A3 '\"10.123.78.5\"' | grep -q ratelimit"
check "DELETE /api/v1/blocks/10.123.77.0%2F24: 200" status_is 200 DELETE "/api/v1/blocks/10.123.77.0%2F24" "${AUTH[@]}"
check "  gone from xdpctl list" bash -c "! { '$XDPCTL' list block --json | grep -q '\"$BLK\"'; }"
check "DELETE again: 404 (not in the list)" status_is 404 DELETE "/api/v1/blocks/10.123.77.0%2F24" "${AUTH[@]}"
check "DELETE ?cidr=: 200" status_is 200 DELETE "/api/v1/blocks?cidr=10.123.78.5" "${AUTH[@]}"
check "the blocklist is as it was" test "$(list_cidrs block)" = "$B0"
check "POST /api/v1/allow: 201" status_is 201 POST /api/v1/allow "${AUTH[@]}" -d '{"cidr":"10.123.90.0/28","comment":"carrier trunk"}'
check "  xdpctl list allow shows it with its comment" \
	bash -c "'$XDPCTL' list allow | grep '^10.123.90.0/28 ' | grep -q 'carrier trunk'"
check "GET /api/v1/allow fits its schema" get_ok allow /api/v1/allow
check "DELETE /api/v1/allow?cidr=: 200" status_is 200 DELETE "/api/v1/allow?cidr=10.123.90.0/28" "${AUTH[@]}"
check "the allowlist is as it was" test "$(list_cidrs allow)" = "$A0"

echo "http: 404 and 405"
check "an unknown route: 404" status_is 404 GET /api/v1/nothing
check "  a JSON error" schema error
check "an unknown incident: 404" status_is 404 GET /api/v1/incidents/20990101T000000Z-9
check "  a JSON error" schema error
check "PUT /api/v1/blocks: 405" status_is 405 PUT /api/v1/blocks "${AUTH[@]}" -d '{}'
check "  with Allow" grep -qi '^Allow: GET, HEAD, POST, DELETE' "$WORK/headers"
check "POST /metrics: 405" status_is 405 POST /metrics "${AUTH[@]}" -d 'x'
check "GET /api/v1/blocks/X: 405" status_is 405 GET "/api/v1/blocks/10.0.0.0%2F8"

echo "http: a flood, watched by Prometheus and a browser"
cat >"$WORK/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: xdpguard
    scrape_interval: 1s
    scrape_timeout: 900ms
    static_configs:
      - targets: ['127.0.0.1:$PORT']
EOF
nsenter "$RX_NET" "$PROMETHEUS" --config.file="$WORK/prometheus.yml" \
	--storage.tsdb.path="$WORK/tsdb" --web.listen-address="127.0.0.1:$PROM_PORT" \
	>"$WORK/prometheus.log" 2>&1 &
PROM_PID=$!
check "Prometheus is up and scraping the daemon" wait_for 30 prom_has 'up{job="xdpguard"} == 1'
flood 12 --dport 5060 --count 4000000 &
FLOOD=$!
OTHER_PIDS+=("$FLOOD")
check "an incident opened" wait_journal incident_open 8 1
check "GET /api/v1/status during the attack" wait_for 5 get_ok status /api/v1/status
check "  with the open incident" test "$(jq_ "d['incident'] is not None")" = True
SVC=$(jq_ "d['incident']['service']")
ID=$(jq_ "d['incident']['id']")
echo "       incident $ID, service $SVC"
check "Prometheus: xdpguard_incident_open == 1" wait_for 10 prom_has 'xdpguard_incident_open == 1'
check "Prometheus: rate(xdpguard_packets_total[5s]) > 0" wait_for 10 prom_has 'sum(rate(xdpguard_packets_total[5s])) > 0'
check "Prometheus: xdpguard_tick_duration_seconds_count grows" wait_for 10 prom_has 'increase(xdpguard_tick_duration_seconds_count[5s]) > 0'
# peace is ~20 packets/s: a flood is three orders of magnitude above it
check "Prometheus: a flood's rate (over 5 kpps)" wait_for 10 prom_has 'sum(rate(xdpguard_packets_total[3s])) > 5000'
echo "       Prometheus: $(prom_value 'sum(rate(xdpguard_packets_total[3s]))') packets/s"
nsenter "$RX_NET" curl -s "$BASE/metrics" >"$WORK/metrics.attack.txt"
check "promtool check metrics on the exposition under attack" promcheck "$WORK/metrics.attack.txt"
echo "       exposition: $(wc -c <"$WORK/metrics.attack.txt") bytes, $(grep -vc '^#' "$WORK/metrics.attack.txt") series"
check "GET /api/v1/baselines during the attack" get_ok baselines /api/v1/baselines
check "GET /api/v1/blocks during the attack" get_ok blocks /api/v1/blocks

# Chromium: its own profile and HOME, killed by PID only.
mkdir -p "$WORK/chrome-home" "$WORK/chrome-profile"
chrome() {
	HOME="$WORK/chrome-home" timeout 60 nsenter "$RX_NET" "$CHROMIUM" --headless --no-sandbox \
		--disable-gpu --no-first-run --user-data-dir="$WORK/chrome-profile" "$@" \
		2>>"$WORK/chromium.log" &
	local pid=$!
	OTHER_PIDS+=("$pid")
	wait "$pid"
}
chrome --dump-dom "$BASE/status" >"$WORK/dom.html"
check "Chromium loads /status" grep -q 'Voice platform status' "$WORK/dom.html"
case "$SVC" in sip-udp | sip-tcp | sip-tls | rtp) PILL=$SVC ;; *) PILL=all ;; esac
check "the pill of $PILL says attack" \
	grep -q "data-service=\"$PILL\" data-state=\"attack\"" "$WORK/dom.html"
check "every pill has a state" test "$(grep -o 'data-state="[a-z]*"' "$WORK/dom.html" | wc -l)" -ge 5
check "redaction: no 10.123. address anywhere in the DOM" bash -c "! grep -q '10\\.123\\.' '$WORK/dom.html'"
chrome --screenshot="$WORK/status.png" --window-size=1200,1600 "$BASE/status" >/dev/null
check "a screenshot, a PNG" bash -c "[ -s '$WORK/status.png' ] && [ \"\$(head -c 8 '$WORK/status.png' | od -An -tx1 | tr -d ' \n')\" = 89504e470d0a1a0a ]"
wait "$FLOOD" 2>/dev/null

echo "http: after the attack: the incidents"
check "the incident closes" wait_journal incident_close 20 1
check "GET /api/v1/incidents" get_ok incidents /api/v1/incidents
check "  the incident, closed, newest first" \
	test "$(jq_ "d['incidents'][0]['id'] == '$ID' and d['incidents'][0]['event'] == 'incident_close'")" = True
check "GET /api/v1/incidents/ID" get_ok incident "/api/v1/incidents/$ID"
check "  the same incident" test "$(jq_ "d['id']")" = "$ID"
check "?since=1h&limit=1 finds it" count_is 1 "/api/v1/incidents?since=1h&limit=1"
check "?since=2099-01-01 finds none" count_is 0 "/api/v1/incidents?since=2099-01-01"
check "?since=soon: 400" status_is 400 GET "/api/v1/incidents?since=soon"
check "?limit=0: 400" status_is 400 GET "/api/v1/incidents?limit=0"
code_type /status "$WORK/status2.html" >/dev/null
check "the status page lists it" grep -q "$ID" "$WORK/status2.html"
stop_prom

echo "http: SIGHUP with other http settings restarts the server"
write_config "$TOKEN" true
kill -HUP "$DAEMON"
reads_closed() { status_is 401 GET /metrics; }
check "read_auth: /metrics without the token is 401" wait_for 10 reads_closed
check "  with the token, 200" status_is 200 GET /metrics "${AUTH[@]}"
check "  /status too needs it" status_is 401 GET /status
write_config "" false
kill -HUP "$DAEMON"
no_token() { status_is 403 POST /api/v1/blocks -d "{\"cidr\":\"$BLK\"}"; }
check "no token: changes are 403" wait_for 10 no_token
check "  saying how to turn them on" grep -q 'set http.token to enable changes' "$WORK/body"
check "  even with the old token" status_is 403 DELETE "/api/v1/blocks?cidr=$BLK" "${AUTH[@]}"
check "  reads are open again" status_is 200 GET /api/v1/status
check "the daemon is still running" kill -0 "$DAEMON"

stop_daemon
check "the history was saved at exit" test -s "$STATE/history.json"
echo "http: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
