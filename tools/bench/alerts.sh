#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The alert pipeline, end to end, against a local webhook receiver
# (tests/integration/alert_recv.py) on 127.0.0.1:
#  - open -> delivery latency: incidents 20 ms apart go through the real
#    alerter (routing, rendering, the fsync'd queue, a worker, HTTP); the
#    time from the open event to the receiver's arrival of the "open"
#    webhook, p50/p99/max. Target: p99 <= 1000 ms.
#  - drain: a backlog of test events queued with no worker running, then
#    the time to deliver all of it (no target: reported).
# No root needed. Exits non-zero only when the p99 target is missed (or the
# benchmark could not measure it).
#
# usage: tools/bench/alerts.sh [--quick] [BUILD_DIR]
set -u

INCIDENTS=100
EVENTS=2000
if [ "${1:-}" = "--quick" ]; then
	INCIDENTS=30
	EVENTS=500
	shift
fi
B=$(readlink -f "${1:-build}")
BENCH=$B/alert_bench
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY=/usr/bin/python3
P99_TARGET_MS=1000
WORK=$(mktemp -d "${TMPDIR:-/tmp}/xg-bench-alerts-XXXXXX")
RECV=

cleanup() {
	# only the receiver this script started
	if [ -n "$RECV" ]; then
		kill "$RECV" 2>/dev/null
		wait "$RECV" 2>/dev/null
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -x "$BENCH" ] || { echo "alerts bench: $BENCH missing (make)" >&2; exit 1; }

"$PY" "$ROOT/tests/integration/alert_recv.py" http "$WORK/recv.log" "$WORK/port" \
	>"$WORK/recv.out" 2>&1 &
RECV=$!
for _ in $(seq 100); do
	[ -s "$WORK/port" ] && break
	sleep 0.1
done
[ -s "$WORK/port" ] || { echo "alerts bench: the receiver did not start" >&2; cat "$WORK/recv.out" >&2; exit 1; }
URL="http://127.0.0.1:$(cat "$WORK/port")/hook"

echo "alerts: webhook to $URL; queue in $WORK ($(findmnt -no FSTYPE -T "$WORK" 2>/dev/null || echo '?'))"
echo "alerts: latency over $INCIDENTS incidents, 20 ms apart (each opened and closed)"
# Bounded twice over: alert_bench gives up on its own after 30 s / 120 s.
timeout 120 "$BENCH" latency --url "$URL" --incidents "$INCIDENTS" --dir "$WORK/lat" \
	--out "$WORK/opens"
LAT_RC=$?
echo "alerts: drain of $EVENTS queued events"
DRAIN=$(timeout 300 "$BENCH" drain --url "$URL" --events "$EVENTS" --dir "$WORK/drain")
DRAIN_RC=$?
[ -n "$DRAIN" ] && echo "alerts: $DRAIN"

# Join the receiver's arrivals ("open" webhooks of bench-<k>) with the open
# times, and the drain line; print the table. Exit 1 on a missed p99.
"$PY" - "$WORK/recv.log" "$WORK/opens" "$INCIDENTS" "$EVENTS" "$P99_TARGET_MS" "$LAT_RC" \
	"$DRAIN_RC" "$DRAIN" <<'EOF'
import json, math, re, sys

log, opens, n_inc, n_ev, target, lat_rc, drain_rc, drain = sys.argv[1:9]
n_inc, n_ev, target = int(n_inc), int(n_ev), float(target)

t_open = {}
for line in open(opens):
    k, t = line.split()
    t_open[k] = float(t)

arrive, tests, dup = {}, set(), 0
for line in open(log):
    rec = json.loads(line)
    try:
        body = json.loads(rec["body"])
    except ValueError:
        continue
    inc_id = (body.get("incident") or {}).get("id", "")
    if body.get("type") == "open" and inc_id in t_open:
        if inc_id in arrive:
            dup += 1  # at-least-once: a redelivery; the first arrival counts
            continue
        arrive[inc_id] = rec["t"]
    elif body.get("type") == "test" and inc_id.startswith("test-bench-"):
        tests.add(inc_id)

lat = sorted((arrive[k] - t_open[k]) * 1000 for k in arrive)

def pct(p):  # nearest rank
    return lat[max(0, math.ceil(p / 100 * len(lat)) - 1)]

# Every open must arrive for the p99 to mean anything.
ok = lat_rc == "0" and len(lat) == n_inc and pct(99) <= target if lat else False
rows = []
if lat:
    rows += [("open->delivery p50", "%.1f ms" % pct(50), "", ""),
             ("open->delivery p99", "%.1f ms" % pct(99), "<= %d ms" % int(target),
              "PASS" if ok else "FAIL"),
             ("open->delivery max", "%.1f ms" % lat[-1], "", "")]
    worst = sorted(arrive, key=lambda k: arrive[k] - t_open[k])[-3:][::-1]
else:
    rows.append(("open->delivery p99", "no measurement", "<= %d ms" % int(target), "FAIL"))
    worst = []
rows.append(("opens delivered", "%d of %d%s" % (len(lat), n_inc,
             ", %d duplicate(s)" % dup if dup else ""), "", ""))
m = re.match(r"drained (\d+) events in ([0-9.]+) s: ([0-9.]+) events/s", drain)
if m and drain_rc == "0":
    rows += [("drain throughput", "%.0f events/s" % float(m.group(3)), "(report)", ""),
             ("drain time, %d events" % n_ev, "%.2f s" % float(m.group(2)), "(report)", ""),
             ("drain events received", "%d of %d" % (len(tests), n_ev), "", "")]
else:
    rows.append(("drain", "failed (exit %s)" % drain_rc, "(report)", ""))

print()
print("| metric | value | target | result |")
print("|---|---|---|---|")
for r in rows:
    print("| %s | %s | %s | %s |" % r)
if worst:
    print()
    print("slowest opens: " + ", ".join("%s %.1f ms" % (k, (arrive[k] - t_open[k]) * 1000)
                                         for k in worst))
sys.exit(0 if ok else 1)
EOF
