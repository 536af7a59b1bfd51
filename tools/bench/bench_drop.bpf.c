// SPDX-License-Identifier: GPL-2.0-only
/* The floor for tools/bench/prog_cost: an XDP program that drops everything
 * without looking at the packet, so its cost is the BPF_PROG_TEST_RUN
 * overhead alone. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int bench_drop(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_DROP;
}

char _license[] SEC("license") = "GPL";
