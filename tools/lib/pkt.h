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
};

/* Fills a spec with defaults: IPv4 UDP 10.123.1.2:40000 -> 10.123.0.2:5060. */
void pkt_spec_init(struct pkt_spec *s);

/* Sets an address from text ("10.123.1.2", "fd00::1"); family follows. */
int pkt_set_addr(struct pkt_spec *s, int is_src, const char *text);

/* Writes the frame into buf; returns its length, or 0 if it does not fit. */
size_t pkt_build(const struct pkt_spec *s, uint8_t *buf, size_t cap);

#endif /* XG_PKT_H */
