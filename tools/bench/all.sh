#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Every benchmark, one after the other (they share 2 cores: never in
# parallel), with their markdown tables and PASS/FAIL lines gathered into
# BUILD_DIR/bench.md, each with its duration. --quick: a short run of each
# (about 3 minutes here);
# without it, the full run. Exit status: non-zero when any benchmark failed.
#
# usage: tools/bench/all.sh [--quick] [BUILD_DIR]
set -u

Q=
if [ "${1:-}" = --quick ]; then
	Q=--quick
	shift
fi
B=$(readlink -f "${1:-build}")
HERE=$(dirname "$(readlink -f "$0")")
OUT="$B/bench.md"
failed=0

run() {
	local rc t0=$SECONDS
	echo "## $*" | sed "s|$B/||; s|$HERE/|tools/bench/|"
	echo
	"$@" 2>&1
	rc=$?
	[ $rc -eq 0 ] || { echo "(exit $rc)"; failed=$((failed + 1)); }
	echo "($((SECONDS - t0)) s)"
	echo
}

{
	echo "# xdpguard benchmarks, $(date -u +%Y-%m-%dT%H:%MZ), kernel $(uname -r), $(nproc) CPUs${Q:+, quick run}"
	echo
	run "$B/prog_cost" --bpf-dir "$B" $Q
	run "$HERE/controller.sh" $Q "$B"
	run "$HERE/latency.sh" $Q "$B"
	run "$B/insert_rate" "$([ -n "$Q" ] && echo 20000 || echo 100000)"
	run "$B/planner_bench" "$([ -n "$Q" ] && echo 10000 || echo 100000)"
	run "$HERE/alerts.sh" $Q "$B"
	run "$HERE/pcap_loss.sh" $Q "$B"
	run "$HERE/bgp.sh" $Q "$B"
	run "$HERE/http.sh" $Q "$B"
	run "$HERE/veth_drop.sh" $Q "$B"
	echo "bench: $failed failed"
} | tee "$OUT"
echo "written to $OUT"
grep -q '^bench: 0 failed$' "$OUT"
