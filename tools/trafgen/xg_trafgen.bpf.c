// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sending half of xg-trafgen: an XDP program run by BPF_PROG_TEST_RUN
 * with BPF_F_TEST_XDP_LIVE_FRAMES. The kernel feeds it copies of one
 * template frame in batches; it optionally rewrites the source address, the
 * TTL and the source port of each, and redirects every frame out of the
 * sender's interface.
 *
 * In live-frame mode the pages holding the frames are recycled without
 * being reset, so a frame may still carry what the program wrote into it
 * last time. The program therefore never reads the fields it rewrites: it
 * computes every checksum from the template's values (rodata), so each
 * frame is right whatever state its page was in.
 *
 * The layout is fixed (see xg_trafgen.h): untagged Ethernet, IPv4 without
 * options or IPv6 without extension headers, then the L4 header.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xg_trafgen.h"

/* Set by xg-trafgen before the load. Addresses, ports and checksums are
 * stored as they sit in the frame (network order), read as host integers. */
const volatile __u32 tg_ifindex = 0;	  /* redirect target */
const volatile __u32 tg_flags = 0;	  /* XG_TG_* */
const volatile __u32 tg_l4_csum_off = 0;  /* L4 checksum offset inside the L4 header */
const volatile __u32 tg_src_base[4] = {}; /* fixed bits of the source */
const volatile __u32 tg_src_mask[4] = {}; /* bits to randomise */
const volatile __u32 tg_nsources = 1;	  /* XG_TG_SEQ_SRC: how many */
const volatile __u32 tg_tpl_src[4] = {};  /* the template's source */
const volatile __u16 tg_tpl_ip_csum = 0;  /* the template's IPv4 header checksum */
const volatile __u16 tg_tpl_l4_csum = 0;  /* the template's L4 checksum */
const volatile __u16 tg_tpl_ttl_word = 0; /* IPv4: the template's TTL/protocol word */
const volatile __u16 tg_tpl_sport = 0;	  /* the template's source port */

/* XG_TG_SEQ_SRC: the next index, per CPU (each sending thread cycles). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} tg_seq SEC(".maps");

/* One's-complement arithmetic on values as they sit in memory: the sum is
 * the same in either byte order, so no swapping is needed (RFC 1624). */
static __always_inline __u32 csum_diff32(__u32 sum, __u32 from, __u32 to)
{
	return sum + (~from & 0xffff) + (~from >> 16) + (to & 0xffff) + (to >> 16);
}

static __always_inline __u32 csum_diff16(__u32 sum, __u16 from, __u16 to)
{
	return sum + (__u16)~from + to;
}

static __always_inline __u16 csum_apply(__u16 check, __u32 diff)
{
	__u32 s = (__u16)~check + diff;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

/* XG_TG_SEQ_SRC: index 0, 1, ... tg_nsources - 1, 0, ... on this CPU. */
static __always_inline __u32 next_index(void)
{
	__u32 zero = 0, i, *c;

	c = bpf_map_lookup_elem(&tg_seq, &zero);
	if (!c)
		return 0;
	i = *c;
	*c = i + 1 >= tg_nsources ? 0 : i + 1;
	return i;
}

/* The L4 checksum field, or NULL if it is not inside the frame. */
static __always_inline __u16 *l4_csum(void *l4, void *end)
{
	__u16 *p = l4 + (tg_l4_csum_off & 31);

	if ((void *)(p + 1) > end)
		return NULL;
	return p;
}

/* A random TTL / hop limit (1..255) from the low byte of r. */
static __always_inline __u8 rand_ttl(__u32 r)
{
	__u8 ttl = (__u8)r;

	return ttl ? ttl : 64;
}

/* Writes a random source port (1024..65535, from the high half of r) at
 * *sport; returns the diff it makes to the L4 checksum. */
static __always_inline __u32 rand_port(__u16 *sport, __u32 r)
{
	__u16 p = bpf_htons(1024 + (__u16)((r >> 16) % 64512));

	*sport = p;
	return csum_diff16(0, tg_tpl_sport, p);
}

static __always_inline void rewrite4(void *data, void *end)
{
	struct iphdr *ip = data + XG_TG_ETH_LEN;
	void *l4 = data + XG_TG_ETH_LEN + XG_TG_IP4_LEN;
	__u32 d_addr = 0, d_ttl = 0, d_port = 0, r = 0;
	__u16 *csum;

	if (l4 + 4 > end)
		return;
	if (tg_flags & XG_TG_RAND_SRC) {
		__u32 s =
		    (tg_src_base[0] & ~tg_src_mask[0]) | (bpf_get_prandom_u32() & tg_src_mask[0]);

		ip->saddr = s;
		d_addr = csum_diff32(0, tg_tpl_src[0], s);
	} else if (tg_flags & XG_TG_SEQ_SRC) {
		__u32 s = bpf_htonl(bpf_ntohl(tg_src_base[0]) + next_index());

		ip->saddr = s;
		d_addr = csum_diff32(0, tg_tpl_src[0], s);
	}
	if (tg_flags & (XG_TG_RAND_TTL | XG_TG_RAND_SPORT))
		r = bpf_get_prandom_u32(); /* one draw for both */
	if (tg_flags & XG_TG_RAND_TTL) {
		ip->ttl = rand_ttl(r);
		d_ttl = csum_diff16(0, tg_tpl_ttl_word, *(__u16 *)&ip->ttl);
	}
	if (tg_flags & XG_TG_RAND_SPORT)
		d_port = rand_port(l4, r);
	ip->check = csum_apply(tg_tpl_ip_csum, d_addr + d_ttl);

	if (!(tg_flags & XG_TG_L4_PSEUDO))
		d_addr = 0; /* ICMP: the checksum does not cover the addresses */
	if (!(d_addr + d_port) || !tg_tpl_l4_csum)
		return; /* nothing changed, or UDP without a checksum */
	csum = l4_csum(l4, end);
	if (!csum)
		return;
	*csum = csum_apply(tg_tpl_l4_csum, d_addr + d_port);
	if (!*csum && (tg_flags & XG_TG_L4_PORTS) && tg_l4_csum_off == 6)
		*csum = 0xffff; /* UDP sends a zero sum as all ones */
}

static __always_inline void rewrite6(void *data, void *end)
{
	struct ipv6hdr *ip6 = data + XG_TG_ETH_LEN;
	void *l4 = data + XG_TG_ETH_LEN + XG_TG_IP6_LEN;
	__u32 d_addr = 0, d_port = 0, r = 0;
	__u16 *csum;
	int i;

	if (l4 + 4 > end)
		return;
	if (tg_flags & XG_TG_RAND_SRC) {
#pragma unroll
		for (i = 0; i < 4; i++) {
			__u32 s;

			if (!tg_src_mask[i])
				continue;
			s = (tg_src_base[i] & ~tg_src_mask[i]) |
			    (bpf_get_prandom_u32() & tg_src_mask[i]);
			ip6->saddr.in6_u.u6_addr32[i] = s;
			d_addr = csum_diff32(d_addr, tg_tpl_src[i], s);
		}
	} else if (tg_flags & XG_TG_SEQ_SRC) {
		__u32 s = bpf_htonl(bpf_ntohl(tg_src_base[3]) + next_index());

		ip6->saddr.in6_u.u6_addr32[3] = s;
		d_addr = csum_diff32(0, tg_tpl_src[3], s);
	}
	if (tg_flags & (XG_TG_RAND_TTL | XG_TG_RAND_SPORT))
		r = bpf_get_prandom_u32();
	if (tg_flags & XG_TG_RAND_TTL)
		ip6->hop_limit = rand_ttl(r); /* no IPv6 header checksum */
	if (tg_flags & XG_TG_RAND_SPORT)
		d_port = rand_port(l4, r);
	if (!(d_addr + d_port))
		return;
	csum = l4_csum(l4, end);
	if (!csum)
		return;
	*csum = csum_apply(tg_tpl_l4_csum, d_addr + d_port);
	if (!*csum && (tg_flags & XG_TG_L4_PORTS) && tg_l4_csum_off == 6)
		*csum = 0xffff;
}

SEC("xdp")
int xg_trafgen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	if (tg_flags & (XG_TG_RAND_SRC | XG_TG_SEQ_SRC | XG_TG_RAND_TTL | XG_TG_RAND_SPORT)) {
		if (tg_flags & XG_TG_IPV6)
			rewrite6(data, end);
		else
			rewrite4(data, end);
	}
	return bpf_redirect(tg_ifindex, 0);
}

char _license[] SEC("license") = "GPL";
