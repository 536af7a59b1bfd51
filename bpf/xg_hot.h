/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The drop fast path: a flood's sources are few and repeat, so a blocked
 * IPv4 source is remembered per CPU once its entry counts hits in steps
 * (XG_HITS_EXACT reached), and its next packets are dropped on an Ethernet
 * and IPv4 header check and one slot compare, without parsing into scratch
 * or the hash lookups (xdpguard 24 -> 12 ns a drop, prog_cost).
 *
 * A slot is valid only while xg_config.list_gen is what it was before the
 * lookup that filled it: every list write changes the generation after
 * writing the entry, so an unblock, a new allow entry or a change of action
 * takes effect on the next packet. Entries edited behind xdpctl's back
 * (bpftool) are caught at the source's next step of the hit counter, when
 * the packet takes the full path again and the slot is refilled or emptied.
 */
#ifndef XG_HOT_H
#define XG_HOT_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <xdpguard/abi.h>
#include "xg_maps.h"
#include "xg_pkt.h"
#include "xg_sample.h"
#include "xg_time.h"

static __always_inline struct xg_hot_slot *xg_hot_slot(struct xg_hot *hot, __be32 src4)
{
	/* Fibonacci hashing: the top 8 bits of the product */
	return &hot->slot[((__u32)src4 * 2654435761u) >> 24];
}

/* Returns XDP_DROP for a packet the fast path dropped (counted as the full
 * path counts it), or -1 to take the full path. gen is xg_config.list_gen,
 * read once at the start of the packet. */
static __always_inline int xg_hot_drop(struct xdp_md *ctx, const struct xg_config *cfg,
				       struct xg_stats *st, struct xg_hot *hot, __u32 gen)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct xg_hot_slot *s;
	__u8 reason;

	if ((void *)(iph + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return -1;
	s = xg_hot_slot(hot, iph->saddr);
	if (s->src4 != iph->saddr || s->gen != gen + 1)
		return -1;
	/* What the full parse calls malformed (and passes) stays its call. */
	if (iph->ihl < 5 || (void *)iph + iph->ihl * 4 > end)
		return -1;
	if (cfg->flags & XG_CFG_MONITOR_ONLY)
		return -1;
	/* The entry's turn to count a step (see xg_hit), or expired: the full
	 * path decides again and refills the slot if the source is still
	 * blocked. */
	if (!(st->hit_seq & (XG_HITS_STEP - 1)) || (s->expires_ns && s->expires_ns <= xg_now())) {
		s->gen = 0;
		return -1;
	}
	st->hit_seq++;
	reason = s->reason;
	st->drop[reason & (XG_REASON_SLOTS - 1)]++;
	st->verdict[XG_VERDICT_DROP]++;
	xg_maybe_sample(ctx, cfg, st, XG_VERDICT_DROP, reason);
	return XDP_DROP;
}

/* After the full path dropped pkt for blk: remember the source if the fast
 * path may drop its next packets the same way (a plain drop whose entry
 * counts in steps). */
static __always_inline void xg_hot_fill(struct xg_hot *hot, const struct xg_pkt *pkt,
					const struct xg_block *blk, __u8 reason, __u32 gen)
{
	struct xg_hot_slot *s;

	if (pkt->l3 != XG_L3_V4 || blk->action != XG_ACTION_DROP || blk->hits < XG_HITS_EXACT)
		return;
	s = xg_hot_slot(hot, pkt->src4);
	s->src4 = pkt->src4;
	s->expires_ns = blk->expires_ns;
	s->reason = reason;
	s->gen = gen + 1;
}

#endif /* XG_HOT_H */
