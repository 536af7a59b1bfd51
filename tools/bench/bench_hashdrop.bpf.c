// SPDX-License-Identifier: GPL-2.0-only
/*
 * The floor for a source-address filter, for tools/bench/veth_drop.sh: an
 * XDP program that parses Ethernet and IPv4 and drops the packet when its
 * source is in a hash map, and does nothing else (no VLAN, no IPv6, no
 * expiry, no counters). Any blocklist that keys a hash map on the source
 * pays at least this; xdpguard's cost above it is what its lists, expiry
 * and accounting add.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __be32);
	__type(value, __u8);
} hashdrop_src SEC(".maps");

SEC("xdp")
int bench_hashdrop(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);

	if ((void *)(iph + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	return bpf_map_lookup_elem(&hashdrop_src, &iph->saddr) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
