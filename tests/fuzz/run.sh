#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Runs every libFuzzer target (build them first: make fuzz) for SECONDS each
# (default 10), starting from its seed corpus in tests/fuzz/corpus/<target>.
#
#   tests/fuzz/run.sh [SECONDS] [BUILD_DIR]
#
# New corpus entries and crash reproducers go to a temporary directory,
# never into the repository: it is removed when every target passes and
# kept (its path printed) when one fails. Exit status 1 when any target
# crashed, leaked, timed out or ran out of memory; each failure prints the
# sanitizer's report and the command that reproduces it.
#
# To grow the committed seeds from a long run, minimise by hand:
#   build/fuzz/fuzz_X -merge=1 tests/fuzz/corpus/fuzz_X NEW_CORPUS_DIR
set -u

secs=${1:-10}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${2:-$root/build}
case $secs in
'' | *[!0-9]*)
	echo "usage: $0 [SECONDS] [BUILD_DIR]" >&2
	exit 2
	;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/xg-fuzz.XXXXXX") || exit 1
# The targets write their scratch files under TMPDIR: on tmpfs when there
# is one (they fsync), and removed here whatever happens to them.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	scratch=$(mktemp -d /dev/shm/xg-fuzz-scratch.XXXXXX) || exit 1
else
	scratch=$work/scratch
	mkdir -p "$scratch"
fi
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

passed=0
failed=0
for dir in "$here"/corpus/*/; do
	t=$(basename "$dir")
	bin=$build/fuzz/$t
	out=$work/$t
	mkdir -p "$out/corpus" "$out/crashes" "$scratch/$t"
	if [ ! -x "$bin" ]; then
		echo "$t: FAIL ($bin is not built: run 'make fuzz')"
		failed=$((failed + 1))
		continue
	fi
	dict=""
	[ -f "$here/$t.dict" ] && dict="-dict=$here/$t.dict"
	# -timeout: an input slower than this is a hang; -rss_limit_mb: a leak
	# or a blow-up; the first corpus directory receives what is new.
	# shellcheck disable=SC2086
	TMPDIR=$scratch/$t "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$out/crashes/" $dict \
		"$out/corpus" "$dir" >"$out/log" 2>&1
	rc=$?
	rm -rf "${scratch:?}/$t"
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$out/log" | tail -n 1 | cut -d' ' -f2)
	new=$(find "$out/corpus" -type f | wc -l)
	repro=$(find "$out/crashes" -type f | head -n 1)
	if [ "$rc" -eq 0 ] && [ -z "$repro" ]; then
		echo "$t: ok (${runs:-0} runs, coverage ${cov:-?}, $new new inputs)"
		passed=$((passed + 1))
		continue
	fi
	failed=$((failed + 1))
	echo "$t: FAIL (exit $rc after ${runs:-0} runs)"
	# The report: from the sanitizer's or the harness's first word on.
	awk '/INVARIANT BROKEN|^==[0-9]+==ERROR|runtime error:|ERROR: libFuzzer/ { on = 1 }
	     on && n < 60 { print "    " substr($0, 1, 300); n++ }' "$out/log" |
		LC_ALL=C tr -c '[:print:]\n' '?' # the harness may quote binary input
	if [ -n "$repro" ]; then
		echo "    reproducer: $repro"
		echo "    reproduce:  $bin $repro"
	else
		echo "    no reproducer written; the log: $out/log"
	fi
done

echo "fuzz: $passed passed, $failed failed"
if [ "$failed" -ne 0 ]; then
	echo "fuzz: logs, new inputs and reproducers kept in $work"
	exit 1
fi
rm -rf "$work"
exit 0
