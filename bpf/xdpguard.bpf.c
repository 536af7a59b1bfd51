// SPDX-License-Identifier: GPL-2.0-only
/*
 * xdpguard: the XDP fast path. Reads top to bottom as the path of one packet:
 * a blocked source this CPU has dropped recently is dropped at once
 * (xg_hot.h); any other packet is parsed to the source address, checked
 * against the allowlist, then the blocklist (drop or per-source rate limit),
 * and what passes is parsed further, counted and passed.
 */
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>
#include <xdp/xdp_helpers.h>
#include <xdpguard/abi.h>
#include "xg_maps.h"
#include "xg_parse.h"
#include "xg_verdict.h"
#include "xg_count.h"
#include "xg_sample.h"
#include "xg_hot.h"

/* Run before other programs sharing the interface through libxdp's
 * dispatcher, and let them see what we pass. */
struct {
	__uint(priority, 10);
	__uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(xdpguard);

/* Masked indexes below keep the verifier's bounds without a branch. */
_Static_assert(XG_PROTO_MAX <= XG_PROTO_SLOTS, "proto[] too small");
_Static_assert(XG_SVC_MAX <= XG_SVC_SLOTS, "svc[] too small");
_Static_assert(XG_SIP_MAX <= XG_SIP_SLOTS, "sip[] too small");
_Static_assert(XG_MAL_MAX <= XG_MAL_SLOTS, "malformed[] too small");
_Static_assert(XG_REASON_MAX <= XG_REASON_SLOTS, "drop[] too small");

/* An entry's hit counter: exact for its first XG_HITS_EXACT hits, then 1
 * packet in XG_HITS_STEP adds XG_HITS_STEP. The entry is shared by every
 * CPU; a flood from one source written on each packet by both cores bounced
 * its cache line between them and halved the drop rate (veth_drop.sh: 14 vs
 * 28 Mpps). The step is large so that even at 20 Mpps the line is written a
 * few thousand times a second, not tens of thousands. */
static __always_inline void xg_hit(__u64 *hits, struct xg_stats *st)
{
	if (*hits < XG_HITS_EXACT)
		(*hits)++;
	else if (!(st->hit_seq++ & (XG_HITS_STEP - 1)))
		*hits += XG_HITS_STEP;
}

SEC("xdp")
int xdpguard(struct xdp_md *ctx)
{
	struct xg_cursor cur = {};
	struct xg_pkt *pkt;
	struct xg_config *cfg;
	struct xg_stats *st;
	struct xg_block *blk;
	struct xg_hot *hot;
	__u32 gen;
	__u32 zero = 0;
	__u8 reason = XG_REASON_NONE;
	__u8 verdict = XG_VERDICT_PASS;
	bool allowed = false;
	int mal;

	cfg = bpf_map_lookup_elem(&xg_config, &zero);
	st = bpf_map_lookup_elem(&xg_stats, &zero);
	hot = bpf_map_lookup_elem(&xg_hot, &zero);
	if (!cfg || !st || !hot)
		return XDP_PASS;
	/* Read before any lookup: a slot filled from this packet's lookups
	 * must not outlive a list write made after them. */
	gen = *(volatile __u32 *)&cfg->list_gen;
	if (xg_hot_drop(ctx, cfg, st, hot, gen) == XDP_DROP)
		return XDP_DROP;
	pkt = bpf_map_lookup_elem(&xg_scratch, &zero);
	if (!pkt)
		return XDP_PASS;

	/* The lists need only the source address: parse that far, decide, and
	 * parse the rest only for packets that go on. */
	mal = xg_parse_l3(ctx, pkt, &cur);
	if (pkt->l3 != XG_L3_NONE) {
		struct xg_allow *a = xg_allow_lookup(cfg, pkt);

		if (a) {
			/* exact: a peer's traffic is accounted for packet by
			 * packet, and goes on to the stack, which costs far
			 * more than this line */
			a->hits++;
			st->allowed++;
			allowed = true;
			goto pass;
		}
		blk = xg_block_lookup(cfg, pkt, &reason);
		if (blk) {
			xg_hit(&blk->hits, st);
			if (blk->action == XG_ACTION_RATELIMIT &&
			    xg_ratelimit_pass(pkt, blk->rate_pps))
				goto pass;
			if (blk->action == XG_ACTION_RATELIMIT)
				reason = XG_REASON_RATELIMIT;
			if (!(cfg->flags & XG_CFG_MONITOR_ONLY)) {
				/* The drop path counts only what says why; the
				 * entry's hits say how much. */
				xg_hot_fill(hot, pkt, blk, reason, gen);
				st->drop[reason & (XG_REASON_SLOTS - 1)]++;
				st->verdict[XG_VERDICT_DROP]++;
				xg_maybe_sample(ctx, cfg, st, XG_VERDICT_DROP, reason);
				return XDP_DROP;
			}
			st->would_drop[reason & (XG_REASON_SLOTS - 1)]++;
			verdict = XG_VERDICT_WOULD_DROP;
		}
	}
pass:
	xg_pkt_clear_rest(pkt);
	/* A malformed packet is passed (the stack drops what is really broken)
	 * and counted with the layer where it ended. */
	if (!mal && pkt->l3 != XG_L3_NONE)
		mal = xg_parse_rest(ctx, cur.ip_off, cur.off);
	/* Protect mode and the reflector rule need the service: after L4. */
	if (!mal && !allowed && verdict == XG_VERDICT_PASS &&
	    (cfg->protect_mask | cfg->amp_drop_mask)) {
		int r = xg_protect_check(0);

		if (r) {
			reason = (__u8)r;
			if (!(cfg->flags & XG_CFG_MONITOR_ONLY)) {
				st->drop[reason & (XG_REASON_SLOTS - 1)]++;
				st->verdict[XG_VERDICT_DROP]++;
				xg_maybe_sample(ctx, cfg, st, XG_VERDICT_DROP, reason);
				return XDP_DROP;
			}
			st->would_drop[reason & (XG_REASON_SLOTS - 1)]++;
			verdict = XG_VERDICT_WOULD_DROP;
		}
	}
	st->proto[pkt->proto & (XG_PROTO_SLOTS - 1)].packets++;
	st->proto[pkt->proto & (XG_PROTO_SLOTS - 1)].bytes += pkt->len;
	if (pkt->l3 != XG_L3_NONE) {
		st->l3[pkt->l3 & 1].packets++;
		st->l3[pkt->l3 & 1].bytes += pkt->len;
	}
	if (mal)
		st->malformed[(mal - 1) & (XG_MAL_SLOTS - 1)]++;
	else
		xg_count_full(ctx, cfg, st, pkt);
	st->verdict[verdict]++;
	xg_maybe_sample(ctx, cfg, st, verdict, reason);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
