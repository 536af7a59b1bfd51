#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The default vmtest command, run inside the guest from the repository root:
# each suite in turn (all of them, even after a failure), its time, and its
# exit status in $VMTEST_SHARE/suite.NAME so that `tools/vmtest/vmtest --all`
# can count one pass/fail per kernel x suite.
#
# usage: tools/vmtest/suites.sh [SUITE...]   (default: bpf integration)
#   bpf          build/test_bpf (BPF_PROG_TEST_RUN, CUnit)
#   integration  tests/integration/run.sh build/xdpctl (veth + namespaces)
set -u

cd "$(dirname "$(readlink -f "$0")")/../.." || exit 1
share=${VMTEST_SHARE:-}

run_suite() { # NAME CMD...
	local name=$1 t0 t1 rc
	shift
	echo "vmtest: suite $name: $*"
	t0=$(date +%s.%N)
	"$@"
	rc=$?
	t1=$(date +%s.%N)
	echo "vmtest: suite $name: exit $rc in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')s on $(uname -r)"
	[ -n "$share" ] && echo "$rc" >"$share/suite.$name"
	return "$rc"
}

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(bpf integration)

status=0
for s in "${suites[@]}"; do
	case $s in
	bpf) run_suite bpf build/test_bpf || status=1 ;;
	integration) run_suite integration tests/integration/run.sh build/xdpctl || status=1 ;;
	*)
		echo "vmtest: unknown suite '$s' (bpf, integration)"
		status=2
		;;
	esac
done
exit "$status"
