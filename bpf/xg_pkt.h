/* SPDX-License-Identifier: GPL-2.0-only */
/* The parse result of one packet, shared by parsing, the lists and counting
 * (through the per-CPU xg_scratch map). */
#ifndef XG_PKT_H
#define XG_PKT_H

#include <linux/types.h>

#define XG_L3_V4   0
#define XG_L3_V6   1
#define XG_L3_NONE 2

#define XG_FRAG_NONE  0
#define XG_FRAG_FIRST 1
#define XG_FRAG_LATER 2

/* What the rest of the program needs to know about one packet. The head is
 * set by xg_parse_l3, which fills in what the lists read (the source); TTL,
 * protocol and fragment bits of IPv4 wait for the pass path. The rest, from
 * dst4 on, only packets that pass need, and it is cleared
 * (xg_pkt_clear_rest) after the lists have decided: a dropped packet never
 * pays for it. */
struct xg_pkt {
	__u32 len; /* frame length */
	__be32 src4;
	__u8 src6[16];
	__u8 l3;     /* XG_L3_* */
	__u8 proto;  /* enum xg_proto */
	__u8 ttl;    /* TTL or hop limit */
	__u8 frag;   /* XG_FRAG_* */
	__be32 dst4; /* destinations are filled by xg_parse_rest */
	__u8 dst6[16];
	__u32 payload_off; /* L4 payload offset in the frame, valid when has_ports */
	__u32 payload_len; /* per the IP and UDP lengths: Ethernet padding excluded */
	__u16 sport;	   /* host order */
	__u16 dport;
	__u8 tcp_flags; /* raw flag byte (FIN..CWR) */
	__u8 has_ports;
};

static __always_inline void xg_pkt_clear_rest(struct xg_pkt *pkt)
{
	__builtin_memset(&pkt->dst4, 0, sizeof(*pkt) - __builtin_offsetof(struct xg_pkt, dst4));
}

#endif /* XG_PKT_H */
