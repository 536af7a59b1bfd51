/* SPDX-License-Identifier: GPL-2.0-only */
/* Allowlist, blocklist and per-source rate limiting. The allowlist is
 * consulted first and always wins; each list is an exact hash plus prefix
 * hashes probed only for the lengths in use. */
#ifndef XG_VERDICT_H
#define XG_VERDICT_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <xdpguard/abi.h>
#include "xg_maps.h"
#include "xg_parse.h"
#include "xg_time.h"

/* Burst tolerance of a rate-limited source: 100 ms worth of packets, and at
 * least one packet interval. */
#define XG_RL_BURST_NS 100000000ULL

static __always_inline int xg_live(const struct xg_block *b)
{
	/* Called only on a hit, so the clock read stays off the miss path. */
	return !b->expires_ns || b->expires_ns > xg_now();
}

#define XG_PROBE_ALLOW_V4 0
#define XG_PROBE_ALLOW_V6 1
#define XG_PROBE_BLOCK_V4 2
#define XG_PROBE_BLOCK_V6 3

/* Index into lens of the longest prefix in map that holds src, or -1. */
static __always_inline int xg_probe_v4(void *map, const struct xg_lens_v4 *lens, __be32 src)
{
	struct xg_v4_prefix_key pk = {};
	int i;

#pragma unroll
	for (i = 0; i < XG_PREFIX_LENS_MAX; i++) {
		if (i >= (int)lens->n)
			break;
		pk.prefixlen = lens->len[i];
		*(__u32 *)pk.addr = src & lens->mask[i];
		if (bpf_map_lookup_elem(map, &pk))
			return i;
	}
	return -1;
}

static __always_inline void xg_v6_masked(__u8 *dst, const __u8 *src, const __u32 *mask)
{
	__u32 w[4];

	__builtin_memcpy(w, src, 16);
	w[0] &= mask[0];
	w[1] &= mask[1];
	w[2] &= mask[2];
	w[3] &= mask[3];
	__builtin_memcpy(dst, w, 16);
}

static __always_inline int xg_probe_v6(void *map, const struct xg_lens_v6 *lens, const __u8 *src)
{
	struct xg_v6_prefix_key pk = {};
	int i;

#pragma unroll
	for (i = 0; i < XG_PREFIX_LENS_MAX; i++) {
		if (i >= (int)lens->n)
			break;
		pk.prefixlen = lens->len[i];
		xg_v6_masked(pk.addr, src, lens->mask[i]);
		if (bpf_map_lookup_elem(map, &pk))
			return i;
	}
	return -1;
}

/*
 * Probes one prefix list for the packet's source (from xg_scratch) and
 * returns the index of the matching length, or -1. A global function, so
 * the verifier checks the unrolled probe loops once, not once per path;
 * it returns an index because a map value cannot leave a global function.
 */
__noinline int xg_prefix_probe(__u64 list)
{
	__u32 zero = 0;
	struct xg_config *cfg = bpf_map_lookup_elem(&xg_config, &zero);
	struct xg_pkt *pkt = bpf_map_lookup_elem(&xg_scratch, &zero);

	if (!cfg || !pkt)
		return -1;
	switch (list) {
	case XG_PROBE_ALLOW_V4:
		return xg_probe_v4(&xg_allow_pfx_v4, &cfg->allow_v4, pkt->src4);
	case XG_PROBE_ALLOW_V6:
		return xg_probe_v6(&xg_allow_pfx_v6, &cfg->allow_v6, pkt->src6);
	case XG_PROBE_BLOCK_V4:
		return xg_probe_v4(&xg_block_pfx_v4, &cfg->block_v4, pkt->src4);
	case XG_PROBE_BLOCK_V6:
		return xg_probe_v6(&xg_block_pfx_v6, &cfg->block_v6, pkt->src6);
	}
	return -1;
}

/* The prefix entry the probe found: one more lookup, on prefix hits only. */
static __always_inline void *xg_prefix_entry(const struct xg_config *cfg, const struct xg_pkt *pkt,
					     __u64 list)
{
	int i;

	if (pkt->l3 == XG_L3_V4) {
		const struct xg_lens_v4 *lens =
		    list == XG_PROBE_ALLOW_V4 ? &cfg->allow_v4 : &cfg->block_v4;
		struct xg_v4_prefix_key pk = {};

		if (!lens->n)
			return NULL;
		i = xg_prefix_probe(list);
		if (i < 0)
			return NULL;
		i &= XG_PREFIX_LENS_MAX - 1;
		pk.prefixlen = lens->len[i];
		*(__u32 *)pk.addr = pkt->src4 & lens->mask[i];
		return bpf_map_lookup_elem(list == XG_PROBE_ALLOW_V4 ? (void *)&xg_allow_pfx_v4
								     : (void *)&xg_block_pfx_v4,
					   &pk);
	} else {
		const struct xg_lens_v6 *lens =
		    list == XG_PROBE_ALLOW_V6 ? &cfg->allow_v6 : &cfg->block_v6;
		struct xg_v6_prefix_key pk = {};

		if (!lens->n)
			return NULL;
		i = xg_prefix_probe(list);
		if (i < 0)
			return NULL;
		i &= XG_PREFIX_LENS_MAX - 1;
		pk.prefixlen = lens->len[i];
		xg_v6_masked(pk.addr, pkt->src6, lens->mask[i]);
		return bpf_map_lookup_elem(list == XG_PROBE_ALLOW_V6 ? (void *)&xg_allow_pfx_v6
								     : (void *)&xg_block_pfx_v6,
					   &pk);
	}
}

static __always_inline struct xg_allow *xg_allow_lookup(const struct xg_config *cfg,
							const struct xg_pkt *pkt)
{
	struct xg_allow *a;

	if (pkt->l3 == XG_L3_V4) {
		if (!(cfg->have & XG_HAVE_ALLOW_V4))
			return NULL;
		a = bpf_map_lookup_elem(&xg_allow_v4, &pkt->src4);
		return a ? a : xg_prefix_entry(cfg, pkt, XG_PROBE_ALLOW_V4);
	}
	if (!(cfg->have & XG_HAVE_ALLOW_V6))
		return NULL;
	a = bpf_map_lookup_elem(&xg_allow_v6, pkt->src6);
	return a ? a : xg_prefix_entry(cfg, pkt, XG_PROBE_ALLOW_V6);
}

/* Returns the live block entry for the source, if any; *reason tells exact
 * from prefix. Expired entries are skipped here and reaped by userspace; an
 * expired prefix still hides shorter prefixes until then, which keeps clock
 * reads out of the probe loop. */
static __always_inline struct xg_block *xg_block_lookup(const struct xg_config *cfg,
							const struct xg_pkt *pkt, __u8 *reason)
{
	struct xg_block *b;

	if (pkt->l3 == XG_L3_V4) {
		if (!(cfg->have & XG_HAVE_BLOCK_V4))
			return NULL;
		b = bpf_map_lookup_elem(&xg_block_v4, &pkt->src4);
		if (b && xg_live(b)) {
			*reason = XG_REASON_BLOCK;
			return b;
		}
		b = xg_prefix_entry(cfg, pkt, XG_PROBE_BLOCK_V4);
	} else {
		if (!(cfg->have & XG_HAVE_BLOCK_V6))
			return NULL;
		b = bpf_map_lookup_elem(&xg_block_v6, pkt->src6);
		if (b && xg_live(b)) {
			*reason = XG_REASON_BLOCK;
			return b;
		}
		b = xg_prefix_entry(cfg, pkt, XG_PROBE_BLOCK_V6);
	}
	if (!b || !xg_live(b))
		return NULL;
	*reason = XG_REASON_BLOCK_PREFIX;
	return b;
}

/* GCRA: returns 1 when a packet at now conforms to rate_pps in the bucket
 * at map/key (a struct xg_ratelimit), creating it on first use. Two CPUs
 * updating one bucket at once may both pass; the error is one packet. */
static __always_inline int xg_gcra(void *map, const void *key, __u64 interval, __u64 now)
{
	struct xg_ratelimit *rl, fresh = {};
	__u64 tau = interval > XG_RL_BURST_NS ? interval : XG_RL_BURST_NS, tat;

	rl = bpf_map_lookup_elem(map, key);
	if (!rl) {
		fresh.tat_ns = now + interval;
		bpf_map_update_elem(map, key, &fresh, BPF_ANY);
		return 1;
	}
	tat = rl->tat_ns > now ? rl->tat_ns : now;
	if (tat - now >= tau)
		return 0;
	rl->tat_ns = tat + interval;
	return 1;
}

/* A rate-limited block entry: each source gets rate_pps. */
static __always_inline int xg_ratelimit_pass(const struct xg_pkt *pkt, __u32 rate_pps)
{
	void *map = pkt->l3 == XG_L3_V4 ? (void *)&xg_rl_v4 : (void *)&xg_rl_v6;
	const void *key = pkt->l3 == XG_L3_V4 ? (const void *)&pkt->src4 : (const void *)pkt->src6;

	if (!rate_pps)
		return 0;
	return xg_gcra(map, key, 1000000000ULL / rate_pps, xg_now());
}

/*
 * Protect mode and the amplification rule, for a packet that is not
 * allowlisted and has been parsed to L4 (from xg_scratch). Returns the drop
 * reason, or 0 to pass. A global function: verified once, and off the path
 * entirely while no service is protected and no reflector class dropped.
 */
__noinline int xg_protect_check(__u64 unused)
{
	struct xg_config *cfg;
	struct xg_pkt *pkt;
	__u32 zero = 0, key;
	__u64 now;

	(void)unused;
	cfg = bpf_map_lookup_elem(&xg_config, &zero);
	pkt = bpf_map_lookup_elem(&xg_scratch, &zero);
	if (!cfg || !pkt || !pkt->has_ports)
		return 0;

	if (cfg->amp_drop_mask && pkt->proto == XG_PROTO_UDP) {
		__u32 sport = pkt->sport;
		struct xg_sport_class *ac = bpf_map_lookup_elem(&xg_sport_class, &sport);

		if (ac && ac->amp && (cfg->amp_drop_mask & (1u << (ac->amp & 31))) &&
		    (pkt->dport < cfg->client_lo || pkt->dport > cfg->client_hi))
			return XG_REASON_AMP;
	}

	if (cfg->protect_mask) {
		struct xg_port_class *cls;
		struct xg_budget *b;
		__u32 svc, src_pps, budget;
		void *map;
		const void *skey;

		key = XG_PORT_KEY(pkt->proto == XG_PROTO_TCP ? XG_PORT_L4_TCP : XG_PORT_L4_UDP,
				  pkt->dport);
		cls = bpf_map_lookup_elem(&xg_port_class, &key);
		if (!cls || !cls->svc)
			return 0;
		svc = cls->svc & (XG_SVC_SLOTS - 1);
		if (!(cfg->protect_mask & (1u << svc)))
			return 0;
		src_pps = cfg->protect_src_pps[svc];
		budget = cfg->protect_budget_pps[svc];
		now = xg_now();
		map = pkt->l3 == XG_L3_V4 ? (void *)&xg_prot_v4 : (void *)&xg_prot_v6;
		skey = pkt->l3 == XG_L3_V4 ? (const void *)&pkt->src4 : (const void *)pkt->src6;
		if (src_pps && !xg_gcra(map, skey, 1000000000ULL / src_pps, now))
			return XG_REASON_PROTECT;
		/* Together the unknown sources get the service's budget, so a
		 * spoofed flood from many sources at a few pps each is held to it. */
		b = bpf_map_lookup_elem(&xg_budget, &svc);
		if (b && budget) {
			__u64 interval = (cfg->ncpus ? cfg->ncpus : 1) * 1000000000ULL / budget;
			__u64 tau = interval > XG_RL_BURST_NS ? interval : XG_RL_BURST_NS;
			__u64 tat = b->tat_ns > now ? b->tat_ns : now;

			if (tat - now >= tau)
				return XG_REASON_PROTECT;
			b->tat_ns = tat + interval;
		}
	}
	return 0;
}

#endif /* XG_VERDICT_H */
