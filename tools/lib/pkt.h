/* SPDX-License-Identifier: GPL-2.0-only */
/* Builds test packets (Ethernet, VLAN, IPv4/IPv6 with options, extension
 * headers and fragments, TCP/UDP/ICMP) for BPF tests, benchmarks and
 * generators. Checksums are filled in so captures decode cleanly. */
#ifndef XG_PKT_H
#define XG_PKT_H

#include <stddef.h>
#include <stdint.h>

#define PKT_MAX	    2048
#define PKT_MAX_EXT 8

struct pkt_spec {
	int family;	 /* 4 or 6 */
	uint8_t src[16]; /* network order; IPv4 uses the first 4 bytes */
	uint8_t dst[16];
	int nvlan;	       /* 0, 1, 2 (or more, to test the bound) */
	uint16_t vlan_tpid[4]; /* 0 = 0x8100 */
	uint16_t vlan_id[4];
	uint8_t proto;	/* IPPROTO_UDP, IPPROTO_TCP, IPPROTO_ICMP, ... */
	uint16_t sport; /* host order */
	uint16_t dport;
	uint8_t tcp_flags;    /* TH_SYN etc. */
	uint8_t ttl;	      /* 0 = 64 */
	uint8_t ip_opt_len;   /* IPv4 options bytes (multiple of 4, NOPs) */
	uint16_t frag_offset; /* in 8-byte units */
	int frag_more;	      /* MF / M flag */
	int frag;	      /* IPv6: add a fragment header even when offset 0 and !more */
	int next_ext;	      /* IPv6: number of extension headers before L4 */
	uint8_t ext_type[PKT_MAX_EXT]; /* IPPROTO_HOPOPTS, IPPROTO_DSTOPTS, IPPROTO_ROUTING */
	const void *payload;
	size_t payload_len;

	/* Optional header fields, for traffic generators. Each applies only
	 * when its PKT_SET_* bit is in `set`, so a zeroed spec builds exactly
	 * the packet it always did. */
	uint32_t set;	     /* PKT_SET_* */
	uint16_t ip_id;	     /* IPv4 identification (default 0x4242) */
	uint8_t tos;	     /* IPv4 TOS / IPv6 traffic class (default 0) */
	uint32_t tcp_seq;    /* default 0x12000000 */
	uint32_t tcp_ack;    /* acknowledgment number (default 0) */
	uint16_t tcp_win;    /* default 65535 */
	uint8_t icmp_type;   /* default echo request (8, or 128 for ICMPv6) */
	uint8_t icmp_code;   /* default 0 */
	uint16_t icmp_id;    /* default 0x1234 */
	uint16_t icmp_seq;   /* default 1 */
	uint32_t flow_label; /* IPv6 (default 0) */
	/* TCP options after the fixed header (a multiple of 4, at most 40
	 * bytes); none when tcp_opt_len is 0, whatever `set` says. */
	const void *tcp_opt;
	uint8_t tcp_opt_len;
};

#define PKT_SET_IP_ID	  (1u << 0)
#define PKT_SET_IP_DF	  (1u << 1) /* IPv4 don't-fragment flag */
#define PKT_SET_TOS	  (1u << 2)
#define PKT_SET_TCP_SEQ	  (1u << 3)
#define PKT_SET_TCP_ACK	  (1u << 4)
#define PKT_SET_TCP_WIN	  (1u << 5)
#define PKT_SET_ICMP_TYPE (1u << 6) /* icmp_type and icmp_code */
#define PKT_SET_ICMP_ID	  (1u << 7) /* icmp_id and icmp_seq */
#define PKT_SET_FLOW	  (1u << 8)

/* Fills a spec with defaults: IPv4 UDP 10.123.1.2:40000 -> 10.123.0.2:5060. */
void pkt_spec_init(struct pkt_spec *s);

/* Sets an address from text ("10.123.1.2", "fd00::1"); family follows. */
int pkt_set_addr(struct pkt_spec *s, int is_src, const char *text);

/* Writes the frame into buf; returns its length, or 0 if it does not fit. */
size_t pkt_build(const struct pkt_spec *s, uint8_t *buf, size_t cap);

/* Application payloads, for generators. */

/* Writes a SIP request over UDP as a softphone would send it from s->src
 * port s->sport to s->dst port s->dport (IPv4 or IPv6, by s->family):
 * method is "INVITE" (with an SDP audio offer), "REGISTER" or "OPTIONS".
 * It has a request line, Via with a branch, Max-Forwards, From with a tag,
 * To, Call-ID, CSeq, Contact, User-Agent and Content-Length; user 2000 at
 * the server's domain (s->dst) calls user 1000, or registers itself, from
 * a Contact at s->src. `seq` varies the branch, tag, Call-ID and CSeq.
 * Returns the length written (no NUL
 * counted), or 0 for another method or if it does not fit in cap. */
size_t pkt_sip_request(const struct pkt_spec *s, const char *method, uint32_t seq, char *buf,
		       size_t cap);

/* Writes an RTP packet of len bytes: a 12-byte header (version 2, payload
 * type pt, sequence, timestamp, SSRC) and len - 12 bytes of payload-type
 * silence (0xff for PCMU, 0xd5 for PCMA, else 0). Returns len, or 0 if len
 * is under 12 or over cap. A 20 ms G.711 packet is 172 bytes. */
size_t pkt_rtp(uint8_t *buf, size_t cap, size_t len, uint8_t pt, uint16_t seq, uint32_t ts,
	       uint32_t ssrc);

/* Overwrites the Ethernet destination and source of a frame pkt_build()
 * wrote (it uses 02:00:00:00:00:02 and 02:00:00:00:00:01). */
void pkt_set_macs(uint8_t *frame, const uint8_t dst[6], const uint8_t src[6]);

#endif /* XG_PKT_H */
