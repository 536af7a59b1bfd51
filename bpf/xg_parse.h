/* SPDX-License-Identifier: GPL-2.0-only */
/* Packet parsing: Ethernet (up to 2 VLAN tags), IPv4 (options, fragments),
 * IPv6 (bounded extension-header walk, fragment header), TCP/UDP/ICMP.
 * Every step is bounds-checked; a packet that ends early is reported with an
 * enum xg_malformed reason and never read past its end. */
#ifndef XG_PARSE_H
#define XG_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <xdpguard/abi.h>
#include "xg_maps.h"
#include "xg_pkt.h"

#define XG_ETH_P_8021Q	0x8100
#define XG_ETH_P_8021AD 0x88A8
#define XG_IP_OFFSET	0x1FFF
#define XG_IP_MF	0x2000

struct xg_vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

struct xg_ipv6_frag_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off; /* offset << 3 | M */
	__be32 id;
};

static __always_inline __u8 xg_proto_of(__u8 ipproto)
{
	switch (ipproto) {
	case IPPROTO_TCP:
		return XG_PROTO_TCP;
	case IPPROTO_UDP:
		return XG_PROTO_UDP;
	case IPPROTO_ICMP:
		return XG_PROTO_ICMP;
	case IPPROTO_ICMPV6:
		return XG_PROTO_ICMPV6;
	case IPPROTO_GRE:
		return XG_PROTO_GRE;
	case IPPROTO_ESP:
		return XG_PROTO_ESP;
	default:
		return XG_PROTO_OTHER;
	}
}

/* Parses the L4 header at pos; fills ports, flags and payload. l4_len is
 * what the IP header says follows it, which excludes Ethernet padding. */
static __always_inline int xg_parse_l4(struct xg_pkt *pkt, void *pos, void *end, __u8 ipproto,
				       __u32 l4_off, __u32 l4_len)
{
	if (pkt->frag == XG_FRAG_LATER)
		return 0; /* no L4 header in a non-first fragment */

	switch (ipproto) {
	case IPPROTO_TCP: {
		struct tcphdr *th = pos;
		__u32 doff;

		if ((void *)(th + 1) > end)
			return XG_MAL_L4 + 1;
		doff = th->doff * 4;
		if (doff < sizeof(*th) || pos + doff > end)
			return XG_MAL_L4 + 1;
		pkt->sport = bpf_ntohs(th->source);
		pkt->dport = bpf_ntohs(th->dest);
		pkt->tcp_flags = ((__u8 *)th)[13];
		pkt->payload_off = l4_off + doff;
		pkt->payload_len = l4_len > doff ? l4_len - doff : 0;
		pkt->has_ports = 1;
		return 0;
	}
	case IPPROTO_UDP: {
		struct udphdr *uh = pos;

		if ((void *)(uh + 1) > end)
			return XG_MAL_L4 + 1;
		pkt->sport = bpf_ntohs(uh->source);
		pkt->dport = bpf_ntohs(uh->dest);
		__u32 ulen = bpf_ntohs(uh->len);

		if (ulen < l4_len)
			l4_len = ulen;
		pkt->payload_off = l4_off + sizeof(*uh);
		pkt->payload_len = l4_len > sizeof(*uh) ? l4_len - sizeof(*uh) : 0;
		pkt->has_ports = 1;
		return 0;
	}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		/* type and code are all we would read */
		if (pos + 4 > end)
			return XG_MAL_L4 + 1;
		return 0;
	default:
		return 0;
	}
}

/* Where parsing stopped after the fixed IP header, to resume at L4 once the
 * source has met the lists: a dropped packet is never parsed further. */
struct xg_cursor {
	void *ip;     /* the IPv4 or IPv6 header */
	void *pos;    /* just past the fixed IP header (after IPv4 options) */
	__u32 off;    /* offset of pos in the frame */
	__u32 ip_off; /* offset of ip in the frame */
};

/* The length of the IPv4 header at iph, or 0 when it is malformed
 * (truncated, IHL < 5): the one test of it, shared with the drop fast path
 * (xg_hot.h). */
static __always_inline __u32 xg_ipv4_hdr_len(struct iphdr *iph, void *end)
{
	__u32 ihl;

	if ((void *)(iph + 1) > end)
		return 0;
	ihl = iph->ihl * 4;
	if (ihl < sizeof(*iph) || (void *)iph + ihl > end)
		return 0;
	return ihl;
}

static __always_inline int xg_parse_ipv4(struct xg_pkt *pkt, struct xg_cursor *cur, void *pos,
					 void *end, __u32 off)
{
	struct iphdr *iph = pos;
	__u32 ihl = xg_ipv4_hdr_len(iph, end);

	if (!ihl)
		return XG_MAL_IPV4 + 1;

	/* The source is all the lists read; TTL, protocol and fragment bits
	 * wait for xg_parse_ipv4_l4, on the pass path. */
	pkt->l3 = XG_L3_V4;
	pkt->src4 = iph->saddr;
	cur->ip = iph;
	cur->ip_off = off;
	cur->pos = pos + ihl;
	cur->off = off + ihl;
	return 0;
}

static __always_inline int xg_parse_ipv4_l4(struct xg_pkt *pkt, const struct xg_cursor *cur,
					    void *end)
{
	struct iphdr *iph = cur->ip;
	__u32 ihl, tot_len;
	__u16 frag_off;

	if ((void *)(iph + 1) > end)
		return XG_MAL_IPV4 + 1;
	pkt->ttl = iph->ttl;
	pkt->proto = xg_proto_of(iph->protocol);
	frag_off = bpf_ntohs(iph->frag_off);
	if (frag_off & XG_IP_OFFSET)
		pkt->frag = XG_FRAG_LATER;
	else if (frag_off & XG_IP_MF)
		pkt->frag = XG_FRAG_FIRST;
	ihl = iph->ihl * 4;
	tot_len = bpf_ntohs(iph->tot_len);
	return xg_parse_l4(pkt, cur->pos, end, iph->protocol, cur->off,
			   tot_len > ihl ? tot_len - ihl : 0);
}

static __always_inline int xg_parse_ipv6(struct xg_pkt *pkt, struct xg_cursor *cur, void *pos,
					 void *end, __u32 off)
{
	struct ipv6hdr *ip6h = pos;

	if ((void *)(ip6h + 1) > end)
		return XG_MAL_IPV6 + 1;
	pkt->l3 = XG_L3_V6;
	__builtin_memcpy(pkt->src6, &ip6h->saddr, 16);
	pkt->ttl = ip6h->hop_limit;
	cur->ip = ip6h;
	cur->ip_off = off;
	cur->pos = ip6h + 1;
	cur->off = off + sizeof(*ip6h);
	return 0;
}

static __always_inline int xg_ipv6_is_ext(__u8 nexthdr)
{
	return nexthdr == IPPROTO_HOPOPTS || nexthdr == IPPROTO_ROUTING ||
	       nexthdr == IPPROTO_DSTOPTS || nexthdr == IPPROTO_MH || nexthdr == IPPROTO_AH ||
	       nexthdr == IPPROTO_FRAGMENT;
}

/* Walks the extension headers (bounded), then parses L4. */
static __always_inline int xg_parse_ipv6_l4(struct xg_pkt *pkt, const struct xg_cursor *cur,
					    void *end)
{
	struct ipv6hdr *ip6h = cur->ip;
	void *pos = cur->pos;
	__u32 plen, ext_len = 0;
	__u8 nexthdr;
	int i;

	if ((void *)(ip6h + 1) > end)
		return XG_MAL_IPV6 + 1;
	nexthdr = ip6h->nexthdr;

#pragma unroll
	for (i = 0; i < XG_IPV6_MAX_EXT; i++) {
		struct ipv6_opt_hdr *oh = pos;
		__u32 hlen;

		if (!xg_ipv6_is_ext(nexthdr))
			goto done;
		/* Every extension header is at least 8 bytes. */
		if (pos + 8 > end)
			goto truncated;
		/* One length computation for all kinds, so the paths through the
		 * loop body rejoin and the verifier need not follow each. */
		if (nexthdr == IPPROTO_FRAGMENT) {
			__u16 fo = bpf_ntohs(((struct xg_ipv6_frag_hdr *)pos)->frag_off);

			if (fo & 0xFFF8)
				pkt->frag = XG_FRAG_LATER;
			else if (fo & 1)
				pkt->frag = XG_FRAG_FIRST;
			hlen = 8;
		} else if (nexthdr == IPPROTO_AH) {
			hlen = (oh->hdrlen + 2) * 4;
		} else {
			hlen = (oh->hdrlen + 1) * 8;
		}
		nexthdr = oh->nexthdr;
		pos += hlen & 0xfff;
		ext_len += hlen & 0xfff;
	}
	/* Still inside the extension chain after the bound: give up. */
	if (xg_ipv6_is_ext(nexthdr)) {
		pkt->proto = XG_PROTO_OTHER;
		return XG_MAL_IPV6_EXT + 1;
	}
done:
	pkt->proto = xg_proto_of(nexthdr);
	if (nexthdr == IPPROTO_NONE)
		return 0;
	/* A zero payload length is a jumbogram: the frame tells the length. */
	plen = bpf_ntohs(ip6h->payload_len);
	if (!plen)
		plen = 0xffff;
	return xg_parse_l4(pkt, pos, end, nexthdr, cur->off + ext_len,
			   plen > ext_len ? plen - ext_len : 0);
truncated:
	pkt->proto = XG_PROTO_OTHER;
	return XG_MAL_IPV6_EXT + 1;
}

/* Parses up to the fixed IP header: the source address (and the IPv6 hop
 * limit), what the lists need. Returns 0, or 1 + enum xg_malformed. */
static __always_inline int xg_parse_l3(struct xdp_md *ctx, struct xg_pkt *pkt,
				       struct xg_cursor *cur)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *pos;
	__u16 h_proto;
	int i;

	pkt->len = end - data;
	pkt->l3 = XG_L3_NONE;
	pkt->proto = XG_PROTO_NONIP;
	pkt->ttl = 0;
	pkt->frag = XG_FRAG_NONE;
	if ((void *)(eth + 1) > end)
		return XG_MAL_ETH + 1;
	h_proto = eth->h_proto;
	pos = eth + 1;
	/* Untagged IPv4, a flood's usual shape, without the tag loop. */
	if (h_proto == bpf_htons(ETH_P_IP))
		return xg_parse_ipv4(pkt, cur, pos, end, sizeof(*eth));

#pragma unroll
	for (i = 0; i < 2; i++) {
		struct xg_vlan_hdr *vh = pos;

		if (h_proto != bpf_htons(XG_ETH_P_8021Q) && h_proto != bpf_htons(XG_ETH_P_8021AD))
			break;
		if ((void *)(vh + 1) > end)
			return XG_MAL_VLAN + 1;
		h_proto = vh->encap_proto;
		pos = vh + 1;
	}
	if (h_proto == bpf_htons(XG_ETH_P_8021Q) || h_proto == bpf_htons(XG_ETH_P_8021AD))
		return XG_MAL_VLAN + 1; /* a third tag */

	if (h_proto == bpf_htons(ETH_P_IP))
		return xg_parse_ipv4(pkt, cur, pos, end,
				     sizeof(*eth) + i * sizeof(struct xg_vlan_hdr));
	if (h_proto == bpf_htons(ETH_P_IPV6))
		return xg_parse_ipv6(pkt, cur, pos, end,
				     sizeof(*eth) + i * sizeof(struct xg_vlan_hdr));
	return 0;
}

/* Resumes after xg_parse_l3 for an IP packet: IPv6 extension headers, then
 * TCP/UDP/ICMP, into the packet in xg_scratch. Returns 0, or 1 + enum
 * xg_malformed. A global function so the verifier checks the extension
 * walk once; the cursor comes in as offsets (ip_off of the IP header, off
 * just past its fixed part). */
__noinline int xg_parse_rest(struct xdp_md *ctx, __u64 ip_off, __u64 off)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct xg_cursor cur;
	struct xg_pkt *pkt;
	__u32 zero = 0;

	pkt = bpf_map_lookup_elem(&xg_scratch, &zero);
	if (!pkt || ip_off > 0xff || off > 0x3fff)
		return 0;
	cur.ip = data + (ip_off & 0xff);
	cur.pos = data + (off & 0x3fff);
	cur.off = off;
	if (pkt->l3 == XG_L3_V4) {
		struct iphdr *iph = cur.ip;

		if ((void *)(iph + 1) > end)
			return XG_MAL_IPV4 + 1;
		pkt->dst4 = iph->daddr;
		return xg_parse_ipv4_l4(pkt, &cur, end);
	} else {
		struct ipv6hdr *ip6h = cur.ip;

		if ((void *)(ip6h + 1) > end)
			return XG_MAL_IPV6 + 1;
		__builtin_memcpy(pkt->dst6, &ip6h->daddr, 16);
	}
	return xg_parse_ipv6_l4(pkt, &cur, end);
}

#endif /* XG_PARSE_H */
