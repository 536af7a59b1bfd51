/* SPDX-License-Identifier: GPL-2.0-only */
/* Packet sampling for the incident captures: 1 packet in 2^pcap_shift,
 * whatever its verdict, copied into the xg_samples ring buffer. */
#ifndef XG_SAMPLE_H
#define XG_SAMPLE_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <xdpguard/abi.h>
#include "xg_maps.h"

/* The first n (1..XG_SAMPLE_SNAP) bytes of the frame into dst. The size
 * is rebuilt from an opaque copy with a mask, so the verifier sees its
 * bounds on the very register the helper gets: a range check on n would be
 * lost to a register copy. */
static __always_inline int load_head(struct xdp_md *ctx, void *dst, __u32 n)
{
	if (n >= XG_SAMPLE_SNAP)
		return bpf_xdp_load_bytes(ctx, 0, dst, XG_SAMPLE_SNAP);
	asm volatile("" : "+r"(n));
	n = ((n - 1) & (XG_SAMPLE_SNAP - 1)) + 1;
	return bpf_xdp_load_bytes(ctx, 0, dst, n);
}

/* A global function: verified once, and out of the hot path's code, since
 * only sampled packets get here. */
__noinline int xg_sample(struct xdp_md *ctx, __u32 what)
{
	__u64 len = (__u64)ctx->data_end - (__u64)ctx->data;
	struct xg_stats *st;
	struct xg_sample *s;
	__u32 zero = 0, cap;

	st = bpf_map_lookup_elem(&xg_stats, &zero);
	s = bpf_map_lookup_elem(&xg_sample_buf, &zero);
	if (!st || !s)
		return 0;
	cap = len > XG_SAMPLE_SNAP ? XG_SAMPLE_SNAP : (__u32)len;
	if (cap < 1)
		return 0;
	s->ts_ns = bpf_ktime_get_ns();
	s->ifindex = ctx->ingress_ifindex;
	s->orig_len = (__u32)len;
	s->cap_len = (__u16)cap;
	s->verdict = (__u8)(what >> 8);
	s->reason = (__u8)what;
	s->pad = 0;
	if (load_head(ctx, s->data, cap))
		return 0;
	/* The record's length, with bounds the verifier sees (as above). */
	asm volatile("" : "+r"(cap));
	cap = ((cap - 1) & (XG_SAMPLE_SNAP - 1)) + 1;
	/* No wakeup per record: the reader drains on its own clock, so a
	 * flood costs no wakeups. A full ring loses the sample, never waits. */
	if (bpf_ringbuf_output(&xg_samples, s, XG_SAMPLE_HDR + cap, BPF_RB_NO_WAKEUP)) {
		st->pcap_lost++;
		return 0;
	}
	st->pcap_samples++;
	return 0;
}

static __always_inline void xg_maybe_sample(struct xdp_md *ctx, const struct xg_config *cfg,
					    struct xg_stats *st, __u8 verdict, __u8 reason)
{
	__u32 shift = cfg->pcap_shift;

	if (shift < XG_PCAP_SHIFT_OFF && !(st->pcap_seq++ & ((1ULL << shift) - 1)))
		xg_sample(ctx, (__u32)verdict << 8 | reason);
}

#endif /* XG_SAMPLE_H */
