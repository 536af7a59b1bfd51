// SPDX-License-Identifier: GPL-2.0-only
#include "pkt.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

void pkt_spec_init(struct pkt_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->family = 4;
	pkt_set_addr(s, 1, "10.123.1.2");
	pkt_set_addr(s, 0, "10.123.0.2");
	s->proto = IPPROTO_UDP;
	s->sport = 40000;
	s->dport = 5060;
}

int pkt_set_addr(struct pkt_spec *s, int is_src, const char *text)
{
	uint8_t *dst = is_src ? s->src : s->dst;

	memset(dst, 0, 16);
	if (inet_pton(AF_INET, text, dst) == 1) {
		s->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, text, dst) == 1) {
		s->family = 6;
		return 0;
	}
	return -1;
}

/* Writes the L4 header and payload at p; returns its length. */
static size_t put_l4(const struct pkt_spec *s, uint8_t *p, int is_later_frag)
{
	size_t hl = 0;

	if (is_later_frag) {
		memcpy(p, s->payload, s->payload_len);
		return s->payload_len;
	}
	switch (s->proto) {
	case IPPROTO_UDP:
		hl = 8;
		put16(p, s->sport);
		put16(p + 2, s->dport);
		put16(p + 4, (uint16_t)(8 + s->payload_len));
		put16(p + 6, 0);
		break;
	case IPPROTO_TCP:
		hl = 20;
		memset(p, 0, 20);
		put16(p, s->sport);
		put16(p + 2, s->dport);
		p[4] = 0x12; /* seq */
		p[12] = 5 << 4;
		p[13] = s->tcp_flags;
		put16(p + 14, 65535);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		hl = 8;
		memset(p, 0, 8);
		p[0] = s->proto == IPPROTO_ICMP ? 8 : 128; /* echo request */
		put16(p + 4, 0x1234);
		put16(p + 6, 1);
		break;
	default:
		break;
	}
	if (s->payload_len)
		memcpy(p + hl, s->payload, s->payload_len);
	return hl + s->payload_len;
}

/* Fills the L4 checksum over the pseudo-header; p/len is the L4 segment. */
static void l4_csum(const struct pkt_spec *s, uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	uint8_t pseudo[40];
	size_t off;

	switch (s->proto) {
	case IPPROTO_UDP:
		off = 6;
		break;
	case IPPROTO_TCP:
		off = 16;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		off = 2;
		break;
	default:
		return;
	}
	if (len < off + 2)
		return;
	put16(p + off, 0);
	if (s->proto != IPPROTO_ICMP) {
		size_t alen = s->family == 4 ? 4 : 16;

		memset(pseudo, 0, sizeof(pseudo));
		memcpy(pseudo, s->src, alen);
		memcpy(pseudo + alen, s->dst, alen);
		if (s->family == 4) {
			pseudo[9] = s->proto;
			put16(pseudo + 10, (uint16_t)len);
			sum = csum_add(0, pseudo, 12);
		} else {
			pseudo[34] = (uint8_t)(len >> 8);
			pseudo[35] = (uint8_t)len;
			pseudo[39] = s->proto;
			sum = csum_add(0, pseudo, 40);
		}
	}
	sum = csum_add(sum, p, len);
	put16(p + off, csum_fold(sum) ? csum_fold(sum) : 0xffff);
}

size_t pkt_build(const struct pkt_spec *s, uint8_t *buf, size_t cap)
{
	uint8_t tmp[PKT_MAX];
	size_t off = 12, l4len, iphl;
	int later = s->frag_offset != 0;
	int i;

	if (cap < 64 || s->payload_len > 1500 || s->nvlan > 4)
		return 0;
	memset(tmp, 0, sizeof(tmp));
	/* dst 02:00:00:00:00:02, src 02:00:00:00:00:01 */
	tmp[0] = 0x02;
	tmp[5] = 0x02;
	tmp[6] = 0x02;
	tmp[11] = 0x01;
	for (i = 0; i < s->nvlan; i++) {
		put16(tmp + off, s->vlan_tpid[i] ? s->vlan_tpid[i] : 0x8100);
		put16(tmp + off + 2, s->vlan_id[i] & 0x0fff);
		off += 4;
	}

	if (s->family == 4) {
		uint8_t *ip = tmp + off + 2;

		put16(tmp + off, 0x0800);
		off += 2;
		iphl = 20 + s->ip_opt_len;
		ip[0] = 0x40 | (uint8_t)(iphl / 4);
		ip[8] = s->ttl ? s->ttl : 64;
		ip[9] = s->proto;
		put16(ip + 4, 0x4242);
		put16(ip + 6, (uint16_t)((s->frag_more ? 0x2000 : 0) | (s->frag_offset & 0x1fff)));
		memcpy(ip + 12, s->src, 4);
		memcpy(ip + 16, s->dst, 4);
		memset(ip + 20, 1, s->ip_opt_len); /* NOP options */
		l4len = put_l4(s, ip + iphl, later);
		if (!s->frag_offset && !s->frag_more)
			l4_csum(s, ip + iphl, l4len);
		put16(ip + 2, (uint16_t)(iphl + l4len));
		put16(ip + 10, csum_fold(csum_add(0, ip, iphl)));
		off += iphl + l4len;
	} else {
		uint8_t *ip = tmp + off + 2;
		uint8_t *pos = ip + 40;
		uint8_t *nh = ip + 6;
		int has_frag = s->frag || s->frag_offset || s->frag_more;

		put16(tmp + off, 0x86dd);
		off += 2;
		ip[0] = 0x60;
		ip[7] = s->ttl ? s->ttl : 64;
		memcpy(ip + 8, s->src, 16);
		memcpy(ip + 24, s->dst, 16);
		for (i = 0; i < s->next_ext && i < PKT_MAX_EXT; i++) {
			*nh = s->ext_type[i];
			nh = pos;
			pos[1] = 0; /* 8 bytes: next header, length, 6 bytes PadN */
			pos[2] = 1;
			pos[3] = 4;
			pos += 8;
		}
		if (has_frag) {
			*nh = IPPROTO_FRAGMENT;
			nh = pos;
			put16(pos + 2, (uint16_t)((s->frag_offset << 3) | (s->frag_more ? 1 : 0)));
			pos[7] = 0x42;
			pos += 8;
		}
		*nh = s->proto;
		l4len = put_l4(s, pos, later);
		if (!has_frag)
			l4_csum(s, pos, l4len);
		put16(ip + 4, (uint16_t)((size_t)(pos - ip - 40) + l4len));
		off += (size_t)(pos - ip) + l4len;
	}
	if (off < 60)
		off = 60; /* minimum Ethernet frame, as on the wire */
	if (off > cap)
		return 0;
	memcpy(buf, tmp, off);
	return off;
}
