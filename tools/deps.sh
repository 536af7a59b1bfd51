#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Installs the Debian/Ubuntu packages the build and the tests need, only the
# missing ones; silent when everything is already there.
set -eu

PKGS="make gcc clang llvm clang-format pkg-config linux-libc-dev libc6-dev
libbpf-dev libxdp-dev xdp-tools bpftool libelf-dev zlib1g-dev libjson-c-dev
libcunit1-dev libpcap-dev uthash-dev libssl-dev libcurl4-openssl-dev iproute2 iputils-ping tcpdump ethtool
kamailio sip-tester python3 socat tshark libclang-rt-dev
qemu-system-x86 busybox-static xz-utils nftables iptables
exabgp gobgpd bird2 frr
libmicrohttpd-dev prometheus chromium python3-jsonschema"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages:$missing (run 'make deps' as root)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
# Debian enables (and may start) these services on install: a test
# dependency must not leave a SIP server, a BGP speaker or Prometheus on the
# host; the tests start their own instances inside namespaces.
for unit in kamailio:kamailio exabgp:exabgp gobgpd:gobgpd bird2:bird frr:frr prometheus:prometheus; do
	case " $missing " in
	*" ${unit%%:*} "*)
		if command -v systemctl >/dev/null 2>&1; then
			systemctl disable --now "${unit#*:}.service" >/dev/null 2>&1 || true
		fi
		;;
	esac
done
