// SPDX-License-Identifier: GPL-2.0-only
#include "pkt.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
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
		hl = 20 + (size_t)s->tcp_opt_len;
		memset(p, 0, hl);
		put16(p, s->sport);
		put16(p + 2, s->dport);
		if (s->set & PKT_SET_TCP_SEQ)
			put32(p + 4, s->tcp_seq);
		else
			p[4] = 0x12; /* seq */
		if (s->set & PKT_SET_TCP_ACK)
			put32(p + 8, s->tcp_ack);
		p[12] = (uint8_t)((hl / 4) << 4);
		p[13] = s->tcp_flags;
		put16(p + 14, s->set & PKT_SET_TCP_WIN ? s->tcp_win : 65535);
		if (s->tcp_opt_len)
			memcpy(p + 20, s->tcp_opt, s->tcp_opt_len);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		hl = 8;
		memset(p, 0, 8);
		if (s->set & PKT_SET_ICMP_TYPE) {
			p[0] = s->icmp_type;
			p[1] = s->icmp_code;
		} else {
			p[0] = s->proto == IPPROTO_ICMP ? 8 : 128; /* echo request */
		}
		put16(p + 4, s->set & PKT_SET_ICMP_ID ? s->icmp_id : 0x1234);
		put16(p + 6, s->set & PKT_SET_ICMP_ID ? s->icmp_seq : 1);
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
	if (s->tcp_opt_len > 40 || s->tcp_opt_len % 4)
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
		if (s->set & PKT_SET_TOS)
			ip[1] = s->tos;
		ip[8] = s->ttl ? s->ttl : 64;
		ip[9] = s->proto;
		put16(ip + 4, s->set & PKT_SET_IP_ID ? s->ip_id : 0x4242);
		put16(ip + 6, (uint16_t)((s->set & PKT_SET_IP_DF ? 0x4000 : 0) |
					 (s->frag_more ? 0x2000 : 0) | (s->frag_offset & 0x1fff)));
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
		if (s->set & PKT_SET_TOS) {
			ip[0] |= s->tos >> 4;
			ip[1] = (uint8_t)(s->tos << 4);
		}
		if (s->set & PKT_SET_FLOW) {
			ip[1] |= (s->flow_label >> 16) & 0x0f;
			put16(ip + 2, (uint16_t)s->flow_label);
		}
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

/* Appends formatted text at *off; sets *off past cap when it does not fit. */
static void sip_put(char *buf, size_t cap, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, cap - *off, fmt, ap);
	va_end(ap);
	*off = n < 0 || (size_t)n >= cap - *off ? cap : *off + (size_t)n;
}

size_t pkt_sip_request(const struct pkt_spec *s, const char *method, uint32_t seq, char *buf,
		       size_t cap)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], shost[INET6_ADDRSTRLEN + 2],
	    dhost[INET6_ADDRSTRLEN + 2], sdp[512];
	int af = s->family == 6 ? AF_INET6 : AF_INET;
	int invite = !strcmp(method, "INVITE"), reg = !strcmp(method, "REGISTER");
	uint32_t id = seq * 2654435761u + 0x5a17c0de; /* distinct-looking per seq */
	size_t off = 0, sdp_len = 0;

	if (!invite && !reg && strcmp(method, "OPTIONS"))
		return 0;
	if (!inet_ntop(af, s->src, src, sizeof(src)) || !inet_ntop(af, s->dst, dst, sizeof(dst)))
		return 0;
	snprintf(shost, sizeof(shost), af == AF_INET6 ? "[%s]" : "%s", src);
	snprintf(dhost, sizeof(dhost), af == AF_INET6 ? "[%s]" : "%s", dst);
	if (invite)
		sip_put(sdp, sizeof(sdp), &sdp_len,
			"v=0\r\n"
			"o=- %u %u IN IP%c %s\r\n"
			"s=-\r\n"
			"c=IN IP%c %s\r\n"
			"t=0 0\r\n"
			"m=audio %u RTP/AVP 0 8 101\r\n"
			"a=rtpmap:0 PCMU/8000\r\n"
			"a=rtpmap:8 PCMA/8000\r\n"
			"a=rtpmap:101 telephone-event/8000\r\n"
			"a=fmtp:101 0-16\r\n"
			"a=ptime:20\r\n"
			"a=sendrecv\r\n",
			id, id, af == AF_INET6 ? '6' : '4', src, af == AF_INET6 ? '6' : '4', src,
			10000 + 2 * (seq % 5000));
	if (sdp_len >= sizeof(sdp))
		return 0;

	/* REGISTER goes to the domain; the others to a user at the server. */
	if (reg)
		sip_put(buf, cap, &off, "REGISTER sip:%s SIP/2.0\r\n", dhost);
	else
		sip_put(buf, cap, &off, "%s sip:1000@%s:%u SIP/2.0\r\n", method, dhost,
			(unsigned int)s->dport);
	sip_put(buf, cap, &off,
		"Via: SIP/2.0/UDP %s:%u;branch=z9hG4bK%08x%04x;rport\r\n"
		"Max-Forwards: 70\r\n"
		"From: \"xg-trafgen\" <sip:2000@%s>;tag=%08x\r\n"
		"To: <sip:%s@%s>\r\n"
		"Call-ID: %08x%08x@%s\r\n"
		"CSeq: %u %s\r\n"
		"Contact: <sip:2000@%s:%u>%s\r\n",
		shost, (unsigned int)s->sport, id, seq & 0xffff, dhost, id ^ 0x7a6b5c4d,
		reg ? "2000" : "1000", dhost, id, ~id, shost, 1 + seq % 1000, method, shost,
		(unsigned int)s->sport, reg ? ";expires=3600" : "");
	if (reg)
		sip_put(buf, cap, &off, "Expires: 3600\r\n");
	if (!invite && !reg)
		sip_put(buf, cap, &off, "Accept: application/sdp\r\n");
	sip_put(buf, cap, &off, "User-Agent: xg-trafgen\r\n");
	if (invite)
		sip_put(buf, cap, &off,
			"Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\n"
			"Content-Type: application/sdp\r\n");
	sip_put(buf, cap, &off, "Content-Length: %zu\r\n\r\n%s", sdp_len, invite ? sdp : "");
	return off >= cap ? 0 : off;
}

size_t pkt_rtp(uint8_t *buf, size_t cap, size_t len, uint8_t pt, uint16_t seq, uint32_t ts,
	       uint32_t ssrc)
{
	uint8_t fill = pt == 0 ? 0xff : pt == 8 ? 0xd5 : 0;

	if (len < 12 || len > cap)
		return 0;
	buf[0] = 0x80; /* version 2, no padding, extension or CSRC */
	buf[1] = pt & 0x7f;
	put16(buf + 2, seq);
	put16(buf + 4, (uint16_t)(ts >> 16));
	put16(buf + 6, (uint16_t)ts);
	put16(buf + 8, (uint16_t)(ssrc >> 16));
	put16(buf + 10, (uint16_t)ssrc);
	memset(buf + 12, fill, len - 12);
	return len;
}

void pkt_set_macs(uint8_t *frame, const uint8_t dst[6], const uint8_t src[6])
{
	memcpy(frame, dst, 6);
	memcpy(frame + 6, src, 6);
}
