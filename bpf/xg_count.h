/* SPDX-License-Identifier: GPL-2.0-only */
/* Counting: SIP start-line classification, the RTP check, histograms and
 * sampled per-source counters. All counters are per-CPU plain increments. */
#ifndef XG_COUNT_H
#define XG_COUNT_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <xdpguard/abi.h>
#include "xg_maps.h"
#include "xg_parse.h"
#include "xg_time.h"

/* Eight characters as the little- or big-endian word a u64 load yields. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define XG_C(c, i) ((__u64)(__u8)(c) << (8 * (i)))
#else
#define XG_C(c, i) ((__u64)(__u8)(c) << (8 * (7 - (i))))
#endif
#define XG_W8(a, b, c, d, e, f, g, h)                                                              \
	(XG_C(a, 0) | XG_C(b, 1) | XG_C(c, 2) | XG_C(d, 3) | XG_C(e, 4) | XG_C(f, 5) |             \
	 XG_C(g, 6) | XG_C(h, 7))
#define XG_MASK(n)                                                                                 \
	(XG_W8(n > 0 ? 0xff : 0, n > 1 ? 0xff : 0, n > 2 ? 0xff : 0, n > 3 ? 0xff : 0,             \
	       n > 4 ? 0xff : 0, n > 5 ? 0xff : 0, n > 6 ? 0xff : 0, n > 7 ? 0xff : 0))

/* RFC 3261 token characters, as a bitmap over byte values 0-127. */
#define XG_TOKEN_LO 0x03ff6ca200000000ULL /* ! % ' * + - . 0-9 */
#define XG_TOKEN_HI 0x47ffffff87fffffeULL /* A-Z _ ` a-z ~ */

/*
 * Classifies the first bytes of a payload on a SIP port. Returns enum xg_sip,
 * or -1 when there is no payload (a bare TCP ACK, an empty datagram).
 *
 * A global function, so the verifier checks it once rather than once per
 * path into the counting code; it takes the payload as an offset and length
 * because packet pointers cannot cross into a global function.
 */
__noinline int xg_sip_classify(struct xdp_md *ctx, __u64 off, __u64 len, __u64 is_tcp)
{
	const __u8 *p = (const __u8 *)(long)ctx->data;
	const void *end = (const void *)(long)ctx->data_end;
	union {
		__u64 w[2];
		__u8 c[XG_SIP_PEEK];
	} head;
	__u64 w;
	int i;

	if (off > 0x3fff || len > 0xffff)
		return -1;
	p += off & 0x3fff; /* the mask restates the bound for the verifier */
	/* len (from the IP/UDP lengths) keeps Ethernet padding out; end keeps
	 * the reads inside the frame. Both are checked. */
	if (!len || (const void *)p >= end)
		return -1;
	if (len >= 2 && (const void *)(p + 2) <= end && p[0] == '\r' && p[1] == '\n')
		return XG_SIP_KEEPALIVE;
	if (len < XG_SIP_PEEK || (const void *)(p + XG_SIP_PEEK) > end)
		return is_tcp ? XG_SIP_CONTINUATION : XG_SIP_MALFORMED;

	/* Work on a copy, so the verifier sees fixed stack offsets. */
	__builtin_memcpy(&head, p, XG_SIP_PEEK);
	w = head.w[0];
	if ((w & XG_MASK(7)) == XG_W8('I', 'N', 'V', 'I', 'T', 'E', ' ', 0))
		return XG_SIP_INVITE;
	if (w == XG_W8('R', 'E', 'G', 'I', 'S', 'T', 'E', 'R')) {
		if (head.c[8] == ' ')
			return XG_SIP_REGISTER;
	} else if (w == XG_W8('S', 'I', 'P', '/', '2', '.', '0', ' ')) {
		return XG_SIP_RESPONSE;
	} else if (w == XG_W8('O', 'P', 'T', 'I', 'O', 'N', 'S', ' ')) {
		return XG_SIP_OPTIONS;
	} else if ((w & XG_MASK(4)) == XG_W8('A', 'C', 'K', ' ', 0, 0, 0, 0)) {
		return XG_SIP_ACK;
	} else if ((w & XG_MASK(4)) == XG_W8('B', 'Y', 'E', ' ', 0, 0, 0, 0)) {
		return XG_SIP_BYE;
	} else if ((w & XG_MASK(7)) == XG_W8('C', 'A', 'N', 'C', 'E', 'L', ' ', 0)) {
		return XG_SIP_CANCEL;
	} else if ((w & XG_MASK(7)) == XG_W8('N', 'O', 'T', 'I', 'F', 'Y', ' ', 0)) {
		return XG_SIP_NOTIFY;
	} else if (w == XG_W8('M', 'E', 'S', 'S', 'A', 'G', 'E', ' ')) {
		return XG_SIP_MESSAGE;
	} else if (w == XG_W8('S', 'U', 'B', 'S', 'C', 'R', 'I', 'B')) {
		if (head.c[8] == 'E' && head.c[9] == ' ')
			return XG_SIP_SUBSCRIBE;
	}

	/* Another method: a token of at least 3 characters, then SP. A bounded
	 * loop (kernel 5.3+), verified once since this is a global function. */
	for (i = 0; i < XG_SIP_PEEK; i++) {
		__u8 c = head.c[i];

		if (c == ' ')
			return i >= 3 ? XG_SIP_OTHER
				      : (is_tcp ? XG_SIP_CONTINUATION : XG_SIP_MALFORMED);
		if (c >= 128 || !(((c < 64 ? XG_TOKEN_LO : XG_TOKEN_HI) >> (c & 63)) & 1))
			break;
	}
	return is_tcp ? XG_SIP_CONTINUATION : XG_SIP_MALFORMED;
}

/* RFC 7983 demultiplexing of what may share the RTP ports: RTP/RTCP
 * version 2, STUN (with its magic cookie) or DTLS. Anything else fails. */
static __always_inline int xg_rtp_valid(struct xdp_md *ctx, __u32 off, __u32 len)
{
	const __u8 *p = (const __u8 *)(long)ctx->data + (off & 0x3fff);
	const void *end = (const void *)(long)ctx->data_end;
	__u8 b0;

	/* len (from the IP/UDP lengths) keeps Ethernet padding out; end keeps
	 * the reads inside the frame. Both are checked. */
	if (len < 12 || (const void *)(p + 12) > end)
		return 0;
	b0 = p[0];
	if (b0 >= 128 && b0 <= 191)
		return 1;
	if (b0 >= 20 && b0 <= 25)
		return p[1] == 0xfe; /* DTLS record: content type, version major */
	if (b0 <= 3) {
		if (len < 20 || (const void *)(p + 20) > end)
			return 0;
		return p[4] == 0x21 && p[5] == 0x12 && p[6] == 0xa4 && p[7] == 0x42;
	}
	return 0;
}

static __always_inline __u8 xg_tcpf_bucket(__u8 f)
{
	/* FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 */
	if ((f & 0x29) == 0x29)
		return XG_TCPF_XMAS;
	if (f & 0x02)
		return (f & 0x10) ? XG_TCPF_SYNACK : XG_TCPF_SYN;
	if (f & 0x04)
		return XG_TCPF_RST;
	if (f & 0x01)
		return XG_TCPF_FIN;
	if (f & 0x08)
		return XG_TCPF_PSH;
	if (f & 0x20)
		return XG_TCPF_URG;
	if (f & 0x10)
		return XG_TCPF_ACK;
	return XG_TCPF_NONE;
}

static __always_inline void xg_talker_add(void *map, const void *key, __u32 len, __u64 now)
{
	struct xg_talker *t, fresh = {};

	t = bpf_map_lookup_elem(map, key);
	if (t) {
		/* sampled, so contention is rare and a lost add is noise */
		t->samples++;
		t->bytes += len;
		t->last_ns = now;
		return;
	}
	fresh.samples = 1;
	fresh.bytes = len;
	fresh.last_ns = now;
	bpf_map_update_elem(map, key, &fresh, BPF_ANY);
}

/* One sample: the source into the talker map, the destination into the
 * victim map. */
static __always_inline void xg_talker_sample(const struct xg_pkt *pkt, struct xg_stats *st)
{
	__u64 now = bpf_ktime_get_ns();

	st->talker_samples++;
	if (pkt->l3 == XG_L3_V4) {
		xg_talker_add(&xg_talkers_v4, &pkt->src4, pkt->len, now);
		xg_talker_add(&xg_victims_v4, &pkt->dst4, pkt->len, now);
	} else {
		st->talker_samples_v6++;
		xg_talker_add(&xg_talkers_v6, pkt->src6, pkt->len, now);
		xg_talker_add(&xg_victims_v6, pkt->dst6, pkt->len, now);
	}
}

#define XG_PEER_SIP_OK	0
#define XG_PEER_SIP_BAD 1
#define XG_PEER_RTP_OK	2

/* Records SIP/RTP activity of the source for peer learning. */
static __always_inline void xg_peer_touch(const struct xg_pkt *pkt, int what)
{
	void *map = pkt->l3 == XG_L3_V4 ? (void *)&xg_peers_v4 : (void *)&xg_peers_v6;
	const void *key = pkt->l3 == XG_L3_V4 ? (const void *)&pkt->src4 : (const void *)pkt->src6;
	struct xg_peer *p, fresh = {};
	struct xg_learn *budget;
	__u32 zero = 0;
	__u64 now;

	budget = bpf_map_lookup_elem(&xg_learn, &zero);
	if (!budget)
		return;
	if (budget->budget <= 0) {
		budget->skipped++;
		return;
	}
	budget->budget--;
	if (pkt->l3 != XG_L3_V4)
		budget->touched_v6++;
	now = xg_now();
	p = bpf_map_lookup_elem(map, key);
	if (!p) {
		fresh.first_ns = now;
		p = &fresh;
	}
	if (what == XG_PEER_SIP_OK)
		p->sip_ok++;
	else if (what == XG_PEER_SIP_BAD)
		p->sip_bad++;
	else
		p->rtp_ok++;
	p->last_ns = now;
	if (p == &fresh)
		bpf_map_update_elem(map, key, &fresh, BPF_ANY);
}

/* Marks the source in this CPU's distinct-source bitmap. */
static __always_inline void xg_srcbits_mark(const struct xg_pkt *pkt)
{
	__u32 h = pkt->src4, slot;
	__u64 *w;

	if (pkt->l3 == XG_L3_V6) {
		__u32 a[4];

		__builtin_memcpy(a, pkt->src6, 16);
		h = a[0] ^ a[1] ^ a[2] ^ (a[3] * 0x85EBCA6Bu);
	}
	h *= 0x9E3779B1u; /* Fibonacci hashing: the top bits are well mixed */
	h >>= 32 - XG_SRCBITS_LOG2;
	slot = bpf_get_smp_processor_id() * XG_SRCBITS_WORDS + (h >> 6);
	w = bpf_map_lookup_elem(&xg_srcbits, &slot);
	if (w)
		*w |= 1ULL << (h & 63);
}

/* Counts everything about a packet that is passed (or would-dropped). */
static __always_inline void xg_count_full(struct xdp_md *ctx, const struct xg_config *cfg,
					  struct xg_stats *st, const struct xg_pkt *pkt)
{
	__u32 size_b = pkt->len >= (XG_SIZE_BUCKETS << 6) ? XG_SIZE_BUCKETS - 1 : pkt->len >> 6;

	st->size[size_b & (XG_SIZE_BUCKETS - 1)]++;
	if (pkt->l3 == XG_L3_NONE)
		return;
	st->ttl[(pkt->ttl >> 3) & (XG_TTL_BUCKETS - 1)]++;
	if (pkt->frag == XG_FRAG_FIRST)
		st->frag_first++;
	else if (pkt->frag == XG_FRAG_LATER)
		st->frag_later++;

	if (pkt->proto == XG_PROTO_TCP && pkt->has_ports)
		st->tcp_flags[xg_tcpf_bucket(pkt->tcp_flags)]++;

	if (pkt->has_ports) {
		__u32 pkey = XG_PORT_KEY(
		    pkt->proto == XG_PROTO_TCP ? XG_PORT_L4_TCP : XG_PORT_L4_UDP, pkt->dport);
		__u32 slot = bpf_get_smp_processor_id() * (2 * XG_PORTS) + pkey;
		struct xg_port_ctr *pc = bpf_map_lookup_elem(&xg_port_stats, &slot);
		struct xg_port_class *cls = bpf_map_lookup_elem(&xg_port_class, &pkey);

		if (pc)
			pc->packets++;
		if (cls && cls->svc) {
			__u8 svc = cls->svc & (XG_SVC_SLOTS - 1);

			st->svc[svc].packets++;
			st->svc[svc].bytes += pkt->len;
			if (svc == XG_SVC_SIP_UDP || svc == XG_SVC_SIP_TCP) {
				int m = xg_sip_classify(ctx, pkt->payload_off, pkt->payload_len,
							svc == XG_SVC_SIP_TCP);

				if (m >= 0) {
					st->sip[m & (XG_SIP_SLOTS - 1)]++;
					if (m != XG_SIP_CONTINUATION &&
					    !(cfg->flags & XG_CFG_LEARN_PAUSED))
						xg_peer_touch(pkt, m == XG_SIP_MALFORMED
								       ? XG_PEER_SIP_BAD
								       : XG_PEER_SIP_OK);
				}
			} else if (svc == XG_SVC_RTP && pkt->proto == XG_PROTO_UDP) {
				if (!xg_rtp_valid(ctx, pkt->payload_off, pkt->payload_len))
					st->rtp_invalid++;
				else if (cfg->rtp_learn_shift < 32 &&
					 !(cfg->flags & XG_CFG_LEARN_PAUSED) &&
					 !(st->rtp_learn_seq++ &
					   ((1ULL << cfg->rtp_learn_shift) - 1)))
					xg_peer_touch(pkt, XG_PEER_RTP_OK);
			}
		}
	}

	if (pkt->proto == XG_PROTO_UDP && pkt->has_ports) {
		__u32 sport = pkt->sport;
		struct xg_sport_class *ac = bpf_map_lookup_elem(&xg_sport_class, &sport);

		if (ac && ac->amp) {
			st->amp[ac->amp & (XG_AMP_SLOTS - 1)].packets++;
			st->amp[ac->amp & (XG_AMP_SLOTS - 1)].bytes += pkt->len;
		}
	}

	xg_srcbits_mark(pkt);

	if (cfg->sample_shift < 32 && !(st->sample_seq++ & ((1ULL << cfg->sample_shift) - 1)))
		xg_talker_sample(pkt, st);
}

#endif /* XG_COUNT_H */
