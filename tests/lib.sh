# SPDX-License-Identifier: GPL-2.0-only
# Shared by the shell test layers: count and print results. A script sets
# passed=0 failed=0, sources this, and ends with "NAME: $passed passed,
# $failed failed".

ok() {
	passed=$((passed + 1))
	echo "  ok   $1"
}

not_ok() {
	failed=$((failed + 1))
	echo "  FAIL $1"
}

# check NAME CMD...: passes when CMD exits 0.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}
