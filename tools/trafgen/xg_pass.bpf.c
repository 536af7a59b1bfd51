// SPDX-License-Identifier: GPL-2.0-only
/* The receiver side of tools/trafgen/selftest.sh: an XDP program that passes
 * everything. Attached to the receiving veth end, it is what lets frames
 * redirected into the veth pair be delivered (see xg-trafgen --help). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xg_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
