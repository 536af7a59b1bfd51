/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The drop fast path: a flood's sources are few and repeat, so a blocked
 * source is remembered per CPU once its entry counts hits in steps
 * (XG_HITS_EXACT reached), and its next packets (untagged or with one VLAN
 * tag) are dropped on the Ethernet and IP header checks and one slot
 * compare, without the parse into scratch or the hash lookups (an IPv4
 * drop 24 -> 12 ns, prog_cost).
 *
 * A slot is valid only while xg_config.list_gen is what it was before the
 * lookup that filled it: every list write changes the generation after
 * writing the entry, so an unblock, a new allow entry or a change of action
 * takes effect on the next packet. Entries edited behind xdpctl's back
 * (bpftool) are caught at the source's next step of the hit counter, when
 * the packet takes the full path again and the slot is refilled or emptied.
 * That step also bounds the one race left on CPUs that reorder loads (not
 * x86): a lookup that ran ahead of the generation's read.
 */
#ifndef XG_HOT_H
#define XG_HOT_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <xdpguard/abi.h>
#include "xg_maps.h"
#include "xg_parse.h"
#include "xg_pkt.h"
#include "xg_sample.h"
#include "xg_time.h"

/* The slot that holds the packet's source and is current, or NULL. What
 * the full parse calls malformed (and passes) never matches: the same
 * header tests decide. */
static __always_inline struct xg_hot_head *xg_hot_match(struct xdp_md *ctx, struct xg_hot *hot,
							__u32 gen)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *l3 = eth + 1;
	__be16 proto;

	if (l3 > end)
		return NULL;
	proto = eth->h_proto;
	/* One VLAN tag, as on a trunk port; QinQ takes the full path. */
	if (proto != bpf_htons(ETH_P_IP) && proto != bpf_htons(ETH_P_IPV6)) {
		struct xg_vlan_hdr *vh = l3;

		if (proto != bpf_htons(XG_ETH_P_8021Q) && proto != bpf_htons(XG_ETH_P_8021AD))
			return NULL;
		if ((void *)(vh + 1) > end)
			return NULL;
		proto = vh->encap_proto;
		l3 = vh + 1;
	}
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = l3;
		struct xg_hot_slot4 *s;

		if (!xg_ipv4_hdr_len(iph, end))
			return NULL;
		s = &hot->v4[xg_hot_index(iph->saddr)];
		if (s->src != iph->saddr || s->h.gen != gen + 1)
			return NULL;
		return &s->h;
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = l3;
		const __u32 *a = ip6h->saddr.in6_u.u6_addr32;
		struct xg_hot_slot6 *s;
		const __u32 *b;

		if ((void *)(ip6h + 1) > end)
			return NULL;
		s = &hot->v6[xg_hot_index(xg_hot_fold6(a))];
		b = (const __u32 *)s->src;
		if (((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3])) ||
		    s->h.gen != gen + 1)
			return NULL;
		return &s->h;
	}
	return NULL;
}

/* Returns XDP_DROP for a packet the fast path dropped (counted as the full
 * path counts it), or -1 to take the full path. gen is xg_config.list_gen,
 * read once at the start of the packet. */
static __always_inline int xg_hot_drop(struct xdp_md *ctx, const struct xg_config *cfg,
				       struct xg_stats *st, struct xg_hot *hot, __u32 gen)
{
	struct xg_hot_head *h = xg_hot_match(ctx, hot, gen);
	__u8 reason;

	if (!h || (cfg->flags & XG_CFG_MONITOR_ONLY))
		return -1;
	/* The entry's turn to count a step (see xg_hit), or expired: the full
	 * path decides again and refills the slot if the source is still
	 * blocked. */
	if (!(st->hit_seq & (XG_HITS_STEP - 1)) || (h->expires_ns && h->expires_ns <= xg_now())) {
		h->gen = 0;
		return -1;
	}
	st->hit_seq++;
	reason = h->reason;
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
	struct xg_hot_head *h;

	if (blk->action != XG_ACTION_DROP || blk->hits < XG_HITS_EXACT)
		return;
	if (pkt->l3 == XG_L3_V4) {
		struct xg_hot_slot4 *s = &hot->v4[xg_hot_index(pkt->src4)];

		s->src = pkt->src4;
		h = &s->h;
	} else {
		const __u32 *a = (const __u32 *)pkt->src6;
		struct xg_hot_slot6 *s = &hot->v6[xg_hot_index(xg_hot_fold6(a))];

		__builtin_memcpy(s->src, pkt->src6, sizeof(s->src));
		h = &s->h;
	}
	h->expires_ns = blk->expires_ns;
	h->reason = reason;
	h->gen = gen + 1;
}

#endif /* XG_HOT_H */
