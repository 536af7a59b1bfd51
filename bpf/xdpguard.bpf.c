// SPDX-License-Identifier: GPL-2.0-only
/*
 * xdpguard: the XDP fast path. Reads top to bottom as the path of one packet:
 * parse, allowlist, blocklist (drop or per-source rate limit), count, verdict.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <xdp/xdp_helpers.h>
#include <xdpguard/abi.h>
#include "xg_maps.h"
#include "xg_parse.h"
#include "xg_verdict.h"
#include "xg_count.h"

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

SEC("xdp")
int xdpguard(struct xdp_md *ctx)
{
	struct xg_pkt pkt = {};
	struct xg_config *cfg;
	struct xg_stats *st;
	struct xg_block *blk;
	__u32 zero = 0;
	__u8 reason = XG_REASON_NONE;
	int mal;

	cfg = bpf_map_lookup_elem(&xg_config, &zero);
	st = bpf_map_lookup_elem(&xg_stats, &zero);
	if (!cfg || !st)
		return XDP_PASS;

	mal = xg_parse(ctx, &pkt);
	st->proto[pkt.proto & (XG_PROTO_SLOTS - 1)].packets++;
	st->proto[pkt.proto & (XG_PROTO_SLOTS - 1)].bytes += pkt.len;
	if (pkt.l3 != XG_L3_NONE) {
		st->l3[pkt.l3].packets++;
		st->l3[pkt.l3].bytes += pkt.len;
	}
	/* A malformed packet is passed (the stack drops what is really broken),
	 * but once its source address is known it still meets the lists, so a
	 * long extension-header chain is no way around a block. */
	if (mal)
		st->malformed[(mal - 1) & (XG_MAL_SLOTS - 1)]++;

	if (pkt.l3 != XG_L3_NONE) {
		struct xg_allow *a = xg_allow_lookup(cfg, &pkt);

		if (a) {
			a->hits++;
			st->allowed++;
			goto pass;
		}
		blk = xg_block_lookup(cfg, &pkt, &reason);
		if (blk) {
			blk->hits++;
			if (blk->action == XG_ACTION_RATELIMIT &&
			    xg_ratelimit_pass(&pkt, blk->rate_pps))
				goto pass;
			if (blk->action == XG_ACTION_RATELIMIT)
				reason = XG_REASON_RATELIMIT;
			if (!(cfg->flags & XG_CFG_MONITOR_ONLY)) {
				/* The drop path counts only what says why. */
				st->drop[reason & (XG_REASON_SLOTS - 1)]++;
				st->verdict[XG_VERDICT_DROP]++;
				return XDP_DROP;
			}
			st->would_drop[reason & (XG_REASON_SLOTS - 1)]++;
			st->verdict[XG_VERDICT_WOULD_DROP]++;
			if (!mal)
				xg_count_full(ctx, cfg, st, &pkt);
			return XDP_PASS;
		}
	}
pass:
	if (!mal)
		xg_count_full(ctx, cfg, st, &pkt);
	st->verdict[XG_VERDICT_PASS]++;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
