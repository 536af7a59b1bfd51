// SPDX-License-Identifier: GPL-2.0-only
/* Every parse path of the XDP program: L2 (VLAN tags), L3 (IPv4 options and
 * fragments, IPv6 extension headers and fragments), L4, and what happens
 * when a frame ends early or is not IP at all. */
#include <bpf/bpf.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "harness.h"

#define L3_V4 0
#define L3_V6 1

/* One frame of len bytes was parsed fully as proto over l3 and passed. */
#define EXPECT_PARSED(st, xproto, xl3, len)                                                        \
	do {                                                                                       \
		EXPECT_EQ((st).proto[xproto].packets, 1);                                          \
		EXPECT_EQ((st).proto[xproto].bytes, (len));                                        \
		EXPECT_EQ((st).l3[xl3].packets, 1);                                                \
		EXPECT_EQ((st).l3[xl3].bytes, (len));                                              \
		EXPECT_EQ((st).l3[1 - (xl3)].packets, 0);                                          \
		EXPECT_EQ(SUM((st).malformed), 0);                                                 \
		EXPECT_EQ((st).verdict[XG_VERDICT_PASS], 1);                                       \
		EXPECT_EQ((st).verdict[XG_VERDICT_DROP], 0);                                       \
	} while (0)

/* One frame stopped early with reason mal, and was passed. */
#define EXPECT_MALFORMED(st, mal)                                                                  \
	do {                                                                                       \
		EXPECT_EQ((st).malformed[mal], 1);                                                 \
		EXPECT_EQ(SUM((st).malformed), 1);                                                 \
		EXPECT_EQ((st).verdict[XG_VERDICT_PASS], 1);                                       \
		EXPECT_EQ(SUM((st).verdict), 1);                                                   \
		EXPECT_EQ(SUM((st).size), 0); /* not counted beyond proto/l3 */                    \
		EXPECT_EQ(SUM((st).ttl), 0);                                                       \
	} while (0)

/* Sum of every per-port counter, through the userspace reader. */
static uint64_t all_port_counters(void)
{
	struct xg_counters *c = calloc(1, sizeof(*c));
	uint64_t sum;
	int ret;

	if (!c)
		return UINT64_MAX;
	ret = xg_counters_read(&fx.m, c);
	EXPECT_EQ(ret, 0);
	sum = sum_u64(c->port, 2 * XG_PORTS);
	free(c);
	return sum;
}

static void test_ipv4_udp(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];
	char msg[1024];
	size_t n;

	spec_v4(&s, "10.123.1.2", IPPROTO_UDP, 5060);
	sip_request(msg, sizeof(msg), "REGISTER", "UDP");
	spec_text(&s, msg);
	n = BUILD(&s, buf);
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	stats_get(&st);
	EXPECT_PARSED(st, XG_PROTO_UDP, L3_V4, n);
	EXPECT_EQ(port_get(XG_PORT_L4_UDP, 5060), 1);
	EXPECT_EQ(port_get(XG_PORT_L4_TCP, 5060), 0);
	EXPECT_EQ(st.svc[XG_SVC_SIP_UDP].packets, 1);
	EXPECT_EQ(st.sip[XG_SIP_REGISTER], 1);
	EXPECT_EQ(st.ttl[64 >> 3], 1);
}

static void test_ipv4_tcp(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];
	size_t n;

	spec_v4(&s, "10.123.1.2", IPPROTO_TCP, 5060);
	s.sport = 41000;
	s.tcp_flags = 0x02; /* SYN */
	n = BUILD(&s, buf);
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	stats_get(&st);
	EXPECT_PARSED(st, XG_PROTO_TCP, L3_V4, n);
	EXPECT_EQ(port_get(XG_PORT_L4_TCP, 5060), 1);
	EXPECT_EQ(port_get(XG_PORT_L4_UDP, 5060), 0);
	EXPECT_EQ(st.svc[XG_SVC_SIP_TCP].packets, 1);
	EXPECT_EQ(st.tcp_flags[XG_TCPF_SYN], 1);
}

static void test_ipv4_icmp(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];
	size_t n;

	spec_v4(&s, "10.123.1.2", IPPROTO_ICMP, 0);
	spec_text(&s, "ping payload");
	n = BUILD(&s, buf);
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	stats_get(&st);
	EXPECT_PARSED(st, XG_PROTO_ICMP, L3_V4, n);
	EXPECT_EQ(all_port_counters(), 0);
	EXPECT_EQ(SUM(st.tcp_flags), 0);
	EXPECT_EQ(st.ttl[64 >> 3], 1);
}

static void test_ipv6_udp(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];
	char msg[1024];
	size_t n;

	spec_v6(&s, "fd00:123:1::2", IPPROTO_UDP, 5060);
	sip_request(msg, sizeof(msg), "OPTIONS", "UDP");
	spec_text(&s, msg);
	n = BUILD(&s, buf);
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	stats_get(&st);
	EXPECT_PARSED(st, XG_PROTO_UDP, L3_V6, n);
	EXPECT_EQ(port_get(XG_PORT_L4_UDP, 5060), 1);
	EXPECT_EQ(st.svc[XG_SVC_SIP_UDP].packets, 1);
	EXPECT_EQ(st.sip[XG_SIP_OPTIONS], 1);
}

static void test_ipv6_tcp(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];
	size_t n;

	spec_v6(&s, "fd00:123:1::2", IPPROTO_TCP, 5061);
	s.tcp_flags = 0x12; /* SYN+ACK */
	n = BUILD(&s, buf);
	EXPECT_EQ(n, 14 + 40 + 20);
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	stats_get(&st);
	EXPECT_PARSED(st, XG_PROTO_TCP, L3_V6, n);
	EXPECT_EQ(port_get(XG_PORT_L4_TCP, 5061), 1);
	EXPECT_EQ(st.svc[XG_SVC_SIP_TLS].packets, 1);
	EXPECT_EQ(st.tcp_flags[XG_TCPF_SYNACK], 1);
}

static void test_ipv6_icmpv6(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];
	size_t n;

	spec_v6(&s, "fd00:123:1::2", IPPROTO_ICMPV6, 0);
	s.ttl = 255;
	n = BUILD(&s, buf);
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	stats_get(&st);
	EXPECT_PARSED(st, XG_PROTO_ICMPV6, L3_V6, n);
	EXPECT_EQ(all_port_counters(), 0);
	EXPECT_EQ(st.ttl[255 >> 3], 1);
}

static void test_other_protocols(void)
{
	static const struct {
		uint8_t ipproto;
		int proto;
	} cases[] = {
	    {IPPROTO_GRE, XG_PROTO_GRE},
	    {IPPROTO_ESP, XG_PROTO_ESP},
	    {IPPROTO_SCTP, XG_PROTO_OTHER},
	};
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];
	size_t i, n = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		spec_v4(&s, "10.123.1.2", cases[i].ipproto, 5060);
		spec_text(&s, "opaque bytes of another protocol");
		n = BUILD(&s, buf);
		EXPECT_EQ(RUN(buf, n), XDP_PASS);
	}
	stats_get(&st);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EXPECT_EQ(st.proto[cases[i].proto].packets, 1);
		EXPECT_EQ(st.proto[cases[i].proto].bytes, n);
	}
	EXPECT_EQ(st.l3[L3_V4].packets, 3);
	EXPECT_EQ(SUM(st.malformed), 0);
	EXPECT_EQ(st.verdict[XG_VERDICT_PASS], 3);
	EXPECT_EQ(all_port_counters(), 0); /* no ports outside TCP/UDP */
	EXPECT_EQ(SUM(st.sip), 0);
}

static void test_vlan_single(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];
	char msg[1024];
	size_t n;

	spec_v4(&s, "10.123.1.2", IPPROTO_UDP, 5060);
	s.nvlan = 1;
	s.vlan_id[0] = 100;
	sip_request(msg, sizeof(msg), "INVITE", "UDP");
	spec_text(&s, msg);
	n = BUILD(&s, buf);
	EXPECT_EQ(buf[12], 0x81);
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	stats_get(&st);
	EXPECT_PARSED(st, XG_PROTO_UDP, L3_V4, n);
	EXPECT_EQ(port_get(XG_PORT_L4_UDP, 5060), 1);
	EXPECT_EQ(st.sip[XG_SIP_INVITE], 1);
}

static void test_vlan_qinq(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];
	char msg[1024];
	size_t n;

	spec_v4(&s, "10.123.1.2", IPPROTO_UDP, 5060);
	s.nvlan = 2;
	s.vlan_tpid[0] = 0x88a8;
	s.vlan_id[0] = 200;
	s.vlan_tpid[1] = 0x8100;
	s.vlan_id[1] = 100;
	sip_request(msg, sizeof(msg), "BYE", "UDP");
	spec_text(&s, msg);
	n = BUILD(&s, buf);
	EXPECT_EQ(buf[12], 0x88);
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	stats_get(&st);
	EXPECT_PARSED(st, XG_PROTO_UDP, L3_V4, n);
	EXPECT_EQ(port_get(XG_PORT_L4_UDP, 5060), 1);
	EXPECT_EQ(st.sip[XG_SIP_BYE], 1);
}

static void test_vlan_qinq_ipv6(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];
	size_t n;

	spec_v6(&s, "fd00:123:1::2", IPPROTO_TCP, 5060);
	s.nvlan = 2;
	s.vlan_tpid[0] = 0x88a8;
	s.vlan_tpid[1] = 0x8100;
	s.tcp_flags = 0x10;
	n = BUILD(&s, buf);
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	stats_get(&st);
	EXPECT_PARSED(st, XG_PROTO_TCP, L3_V6, n);
	EXPECT_EQ(port_get(XG_PORT_L4_TCP, 5060), 1);
	EXPECT_EQ(st.tcp_flags[XG_TCPF_ACK], 1);
}

static void test_vlan_three_tags(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];
	size_t n;

	spec_v4(&s, "10.123.1.2", IPPROTO_UDP, 5060);
	s.nvlan = 3;
	s.vlan_tpid[0] = 0x88a8;
	n = BUILD(&s, buf);
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	stats_get(&st);
	EXPECT_MALFORMED(st, XG_MAL_VLAN);
	EXPECT_EQ(st.proto[XG_PROTO_NONIP].packets, 1);
	EXPECT_EQ(st.l3[L3_V4].packets + st.l3[L3_V6].packets, 0);
	EXPECT_EQ(all_port_counters(), 0);
}

static void test_vlan_truncated(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];

	spec_v4(&s, "10.123.1.2", IPPROTO_UDP, 5060);
	s.nvlan = 1;
	BUILD(&s, buf);
	/* Ethernet header plus half a tag. */
	EXPECT_EQ(RUN(buf, 16), XDP_PASS);
	stats_get(&st);
	EXPECT_MALFORMED(st, XG_MAL_VLAN);
	EXPECT_EQ(st.proto[XG_PROTO_NONIP].bytes, 16);
}

static void test_ipv4_options(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];
	char msg[1024];
	size_t n;

	spec_v4(&s, "10.123.1.2", IPPROTO_UDP, 5060);
	s.ip_opt_len = 8;
	sip_request(msg, sizeof(msg), "INVITE", "UDP");
	spec_text(&s, msg);
	n = BUILD(&s, buf);
	EXPECT_EQ(buf[14], 0x47); /* IHL 7 */
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	stats_get(&st);
	EXPECT_PARSED(st, XG_PROTO_UDP, L3_V4, n);
	EXPECT_EQ(port_get(XG_PORT_L4_UDP, 5060), 1);
	EXPECT_EQ(st.svc[XG_SVC_SIP_UDP].packets, 1);
	EXPECT_EQ(st.sip[XG_SIP_INVITE], 1);
}

static void test_ipv4_options_max(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];
	char msg[1024];
	size_t n;

	spec_v4(&s, "10.123.1.2", IPPROTO_TCP, 5060);
	s.ip_opt_len = 40;
	s.tcp_flags = 0x18; /* PSH+ACK */
	sip_request(msg, sizeof(msg), "MESSAGE", "TCP");
	spec_text(&s, msg);
	n = BUILD(&s, buf);
	EXPECT_EQ(buf[14], 0x4f); /* IHL 15 */
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	stats_get(&st);
	EXPECT_PARSED(st, XG_PROTO_TCP, L3_V4, n);
	EXPECT_EQ(port_get(XG_PORT_L4_TCP, 5060), 1);
	EXPECT_EQ(st.tcp_flags[XG_TCPF_PSH], 1);
	EXPECT_EQ(st.sip[XG_SIP_MESSAGE], 1);
}

static void test_ipv6_ext_headers(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];
	char msg[1024];
	size_t n;

	spec_v6(&s, "fd00:123:1::2", IPPROTO_UDP, 5060);
	s.next_ext = 3;
	s.ext_type[0] = IPPROTO_HOPOPTS;
	s.ext_type[1] = IPPROTO_DSTOPTS;
	s.ext_type[2] = IPPROTO_ROUTING;
	sip_request(msg, sizeof(msg), "SUBSCRIBE", "UDP");
	spec_text(&s, msg);
	n = BUILD(&s, buf);
	EXPECT_EQ(buf[14 + 6], IPPROTO_HOPOPTS);
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	stats_get(&st);
	EXPECT_PARSED(st, XG_PROTO_UDP, L3_V6, n);
	EXPECT_EQ(port_get(XG_PORT_L4_UDP, 5060), 1);
	EXPECT_EQ(st.svc[XG_SVC_SIP_UDP].packets, 1);
	EXPECT_EQ(st.sip[XG_SIP_SUBSCRIBE], 1);
}

static void test_ipv6_ext_at_limit(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];
	size_t n;
	int i;

	spec_v6(&s, "fd00:123:1::2", IPPROTO_TCP, 5060);
	s.tcp_flags = 0x01;
	s.next_ext = XG_IPV6_MAX_EXT;
	for (i = 0; i < XG_IPV6_MAX_EXT; i++)
		s.ext_type[i] = i == 0 ? IPPROTO_HOPOPTS : IPPROTO_DSTOPTS;
	n = BUILD(&s, buf);
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	stats_get(&st);
	EXPECT_PARSED(st, XG_PROTO_TCP, L3_V6, n);
	EXPECT_EQ(port_get(XG_PORT_L4_TCP, 5060), 1);
	EXPECT_EQ(st.tcp_flags[XG_TCPF_FIN], 1);
}

static void test_ipv6_ext_too_many(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];
	size_t n;
	int i;

	spec_v6(&s, "fd00:123:1::2", IPPROTO_UDP, 5060);
	s.next_ext = XG_IPV6_MAX_EXT + 1;
	for (i = 0; i < XG_IPV6_MAX_EXT + 1; i++)
		s.ext_type[i] = i == 0 ? IPPROTO_HOPOPTS : IPPROTO_DSTOPTS;
	n = BUILD(&s, buf);
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	stats_get(&st);
	EXPECT_MALFORMED(st, XG_MAL_IPV6_EXT);
	EXPECT_EQ(st.proto[XG_PROTO_OTHER].packets, 1);
	EXPECT_EQ(st.l3[L3_V6].packets, 1);
	EXPECT_EQ(st.l3[L3_V6].bytes, n);
	EXPECT_EQ(all_port_counters(), 0);
}

static void test_ipv6_ext_truncated(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];

	spec_v6(&s, "fd00:123:1::2", IPPROTO_UDP, 5060);
	s.next_ext = 1;
	s.ext_type[0] = IPPROTO_HOPOPTS;
	BUILD(&s, buf);
	/* The fixed header and one byte of the hop-by-hop header. */
	EXPECT_EQ(RUN(buf, 14 + 40 + 1), XDP_PASS);
	stats_get(&st);
	EXPECT_MALFORMED(st, XG_MAL_IPV6_EXT);
	EXPECT_EQ(st.l3[L3_V6].packets, 1);
}

static void test_ipv4_frag_first(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];
	char msg[1024];
	size_t n;

	spec_v4(&s, "10.123.1.2", IPPROTO_UDP, 5060);
	s.frag_more = 1;
	sip_request(msg, sizeof(msg), "INVITE", "UDP");
	spec_text(&s, msg);
	n = BUILD(&s, buf);
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	stats_get(&st);
	EXPECT_PARSED(st, XG_PROTO_UDP, L3_V4, n);
	EXPECT_EQ(st.frag_first, 1);
	EXPECT_EQ(st.frag_later, 0);
	EXPECT_EQ(port_get(XG_PORT_L4_UDP, 5060), 1);
	EXPECT_EQ(st.svc[XG_SVC_SIP_UDP].packets, 1);
	EXPECT_EQ(st.sip[XG_SIP_INVITE], 1);
}

/* The bytes where a UDP header would be: 40000 -> 5060, then SIP. */
static const uint8_t fake_ports[] = {0x9c, 0x40, 0x13, 0xc4, 0x00, 0x30, 0x00, 0x00,
				     'I',  'N',	 'V',  'I',  'T',  'E',	 ' ',  's',
				     'i',  'p',	 ':',  'b',  'o',  'b',	 '@',  'x'};

static void test_ipv4_frag_later(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];
	size_t n;

	spec_v4(&s, "10.123.1.2", IPPROTO_UDP, 5060);
	s.frag_offset = 185; /* 1480 bytes in */
	spec_payload(&s, fake_ports, sizeof(fake_ports));
	n = BUILD(&s, buf);
	EXPECT_EQ(buf[14 + 20], 0x9c);
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	stats_get(&st);
	EXPECT_PARSED(st, XG_PROTO_UDP, L3_V4, n);
	EXPECT_EQ(st.frag_later, 1);
	EXPECT_EQ(st.frag_first, 0);
	EXPECT_EQ(port_get(XG_PORT_L4_UDP, 5060), 0);
	EXPECT_EQ(all_port_counters(), 0);
	EXPECT_EQ(st.svc[XG_SVC_SIP_UDP].packets, 0);
	EXPECT_EQ(SUM(st.sip), 0);
	EXPECT_EQ(st.ttl[64 >> 3], 1);
}

static void test_ipv4_frag_later_tcp(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];
	uint8_t fake_tcp[40] = {0x9c, 0x40, 0x13, 0xc4};
	size_t n;

	fake_tcp[12] = 5 << 4;
	fake_tcp[13] = 0x02; /* what would be SYN */
	spec_v4(&s, "10.123.1.2", IPPROTO_TCP, 5060);
	s.frag_offset = 3;
	s.frag_more = 1; /* a middle fragment */
	spec_payload(&s, fake_tcp, sizeof(fake_tcp));
	n = BUILD(&s, buf);
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	stats_get(&st);
	EXPECT_PARSED(st, XG_PROTO_TCP, L3_V4, n);
	EXPECT_EQ(st.frag_later, 1);
	EXPECT_EQ(st.frag_first, 0);
	EXPECT_EQ(all_port_counters(), 0);
	EXPECT_EQ(SUM(st.tcp_flags), 0);
}

static void test_ipv4_dont_fragment(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];
	size_t n;

	spec_v4(&s, "10.123.1.2", IPPROTO_UDP, 5060);
	spec_text(&s, "\r\n\r\n");
	n = BUILD(&s, buf);
	buf[14 + 6] = 0x40; /* DF, as most stacks send */
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	stats_get(&st);
	EXPECT_PARSED(st, XG_PROTO_UDP, L3_V4, n);
	EXPECT_EQ(st.frag_first + st.frag_later, 0);
	EXPECT_EQ(port_get(XG_PORT_L4_UDP, 5060), 1);
	EXPECT_EQ(st.sip[XG_SIP_KEEPALIVE], 1);
}

static void test_ipv6_frag_first(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];
	char msg[1024];
	size_t n;

	spec_v6(&s, "fd00:123:1::2", IPPROTO_UDP, 5060);
	s.frag_more = 1;
	sip_request(msg, sizeof(msg), "NOTIFY", "UDP");
	spec_text(&s, msg);
	n = BUILD(&s, buf);
	EXPECT_EQ(buf[14 + 6], IPPROTO_FRAGMENT);
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	stats_get(&st);
	EXPECT_PARSED(st, XG_PROTO_UDP, L3_V6, n);
	EXPECT_EQ(st.frag_first, 1);
	EXPECT_EQ(st.frag_later, 0);
	EXPECT_EQ(port_get(XG_PORT_L4_UDP, 5060), 1);
	EXPECT_EQ(st.sip[XG_SIP_NOTIFY], 1);
}

static void test_ipv6_frag_later(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];
	size_t n;

	spec_v6(&s, "fd00:123:1::2", IPPROTO_UDP, 5060);
	s.frag_offset = 181;
	spec_payload(&s, fake_ports, sizeof(fake_ports));
	n = BUILD(&s, buf);
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	stats_get(&st);
	EXPECT_PARSED(st, XG_PROTO_UDP, L3_V6, n);
	EXPECT_EQ(st.frag_later, 1);
	EXPECT_EQ(st.frag_first, 0);
	EXPECT_EQ(all_port_counters(), 0);
	EXPECT_EQ(SUM(st.sip), 0);
}

static void test_ipv6_frag_atomic(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];
	size_t n;

	/* A fragment header with offset 0 and M clear is a whole datagram. */
	spec_v6(&s, "fd00:123:1::2", IPPROTO_UDP, 5060);
	s.frag = 1;
	spec_text(&s, "\r\n\r\n");
	n = BUILD(&s, buf);
	EXPECT_EQ(buf[14 + 6], IPPROTO_FRAGMENT);
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	stats_get(&st);
	EXPECT_PARSED(st, XG_PROTO_UDP, L3_V6, n);
	EXPECT_EQ(st.frag_first + st.frag_later, 0);
	EXPECT_EQ(port_get(XG_PORT_L4_UDP, 5060), 1);
	EXPECT_EQ(st.sip[XG_SIP_KEEPALIVE], 1);
}

static void test_eth_short(void)
{
	uint8_t buf[64] = {0};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = 10, .repeat = 1);
	struct xg_stats st;
	int ret;

	/* The kernel refuses test frames (and XDP frames in general: see
	 * bpf_xdp_adjust_head/tail) shorter than ETH_HLEN, so XG_MAL_ETH is
	 * unreachable here; check it never reaches the program. */
	ret = bpf_prog_test_run_opts(fx.prog_fd, &o);
	EXPECT_TRUE(ret == -EINVAL);
	stats_get(&st);
	EXPECT_EQ(SUM(st.verdict), 0);
	EXPECT_EQ(st.malformed[XG_MAL_ETH], 0);
}

static void test_eth_only(void)
{
	uint8_t buf[14] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00};
	struct xg_stats st;

	/* Exactly an Ethernet header that announces IPv4. */
	EXPECT_EQ(RUN(buf, sizeof(buf)), XDP_PASS);
	stats_get(&st);
	EXPECT_MALFORMED(st, XG_MAL_IPV4);
	EXPECT_EQ(st.l3[L3_V4].packets + st.l3[L3_V6].packets, 0);
}

static void test_ipv4_truncated(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];

	spec_v4(&s, "10.123.1.2", IPPROTO_UDP, 5060);
	BUILD(&s, buf);
	EXPECT_EQ(RUN(buf, 14 + 12), XDP_PASS); /* IPv4 header cut at 12 bytes */
	stats_get(&st);
	EXPECT_MALFORMED(st, XG_MAL_IPV4);
	EXPECT_EQ(st.l3[L3_V4].packets, 0);
	EXPECT_EQ(all_port_counters(), 0);
}

static void test_ipv4_bad_ihl(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];
	size_t n;

	spec_v4(&s, "10.123.1.2", IPPROTO_UDP, 5060);
	n = BUILD(&s, buf);
	buf[14] = 0x44; /* IHL 4: shorter than the fixed header */
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	buf[14] = 0x4f; /* IHL 15: 60 bytes, past the end of a 60-byte frame */
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	stats_get(&st);
	EXPECT_EQ(st.malformed[XG_MAL_IPV4], 2);
	EXPECT_EQ(SUM(st.malformed), 2);
	EXPECT_EQ(st.verdict[XG_VERDICT_PASS], 2);
	EXPECT_EQ(all_port_counters(), 0);
}

static void test_ipv6_truncated(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];

	spec_v6(&s, "fd00:123:1::2", IPPROTO_UDP, 5060);
	BUILD(&s, buf);
	EXPECT_EQ(RUN(buf, 14 + 30), XDP_PASS); /* fixed header cut */
	stats_get(&st);
	EXPECT_MALFORMED(st, XG_MAL_IPV6);
	EXPECT_EQ(st.l3[L3_V6].packets, 0);
}

static void test_tcp_truncated(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];

	spec_v4(&s, "10.123.1.2", IPPROTO_TCP, 5060);
	s.tcp_flags = 0x02;
	BUILD(&s, buf);
	EXPECT_EQ(RUN(buf, 14 + 20 + 10), XDP_PASS); /* TCP header cut at 10 bytes */
	stats_get(&st);
	EXPECT_MALFORMED(st, XG_MAL_L4);
	EXPECT_EQ(st.proto[XG_PROTO_TCP].packets, 1);
	EXPECT_EQ(st.l3[L3_V4].packets, 1);
	EXPECT_EQ(SUM(st.tcp_flags), 0);
	EXPECT_EQ(all_port_counters(), 0);
}

static void test_tcp_bad_doff(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];
	size_t n;

	spec_v6(&s, "fd00:123:1::2", IPPROTO_TCP, 5060);
	s.tcp_flags = 0x02;
	n = BUILD(&s, buf);
	buf[14 + 40 + 12] = 4 << 4; /* data offset below the fixed header */
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	buf[14 + 40 + 12] = 15 << 4; /* options past the end of the frame */
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	stats_get(&st);
	EXPECT_EQ(st.malformed[XG_MAL_L4], 2);
	EXPECT_EQ(SUM(st.malformed), 2);
	EXPECT_EQ(st.proto[XG_PROTO_TCP].packets, 2);
	EXPECT_EQ(all_port_counters(), 0);
}

static void test_udp_icmp_truncated(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];

	spec_v4(&s, "10.123.1.2", IPPROTO_UDP, 5060);
	BUILD(&s, buf);
	EXPECT_EQ(RUN(buf, 14 + 20 + 6), XDP_PASS);
	spec_v4(&s, "10.123.1.2", IPPROTO_ICMP, 0);
	BUILD(&s, buf);
	EXPECT_EQ(RUN(buf, 14 + 20 + 3), XDP_PASS);
	spec_v6(&s, "fd00:123:1::2", IPPROTO_ICMPV6, 0);
	BUILD(&s, buf);
	EXPECT_EQ(RUN(buf, 14 + 40 + 2), XDP_PASS);
	stats_get(&st);
	EXPECT_EQ(st.malformed[XG_MAL_L4], 3);
	EXPECT_EQ(SUM(st.malformed), 3);
	EXPECT_EQ(st.proto[XG_PROTO_UDP].packets, 1);
	EXPECT_EQ(st.proto[XG_PROTO_ICMP].packets, 1);
	EXPECT_EQ(st.proto[XG_PROTO_ICMPV6].packets, 1);
	EXPECT_EQ(st.verdict[XG_VERDICT_PASS], 3);
	EXPECT_EQ(all_port_counters(), 0);
}

static uint32_t xorshift(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static void test_garbage(void)
{
	static const uint16_t types[] = {0x0800, 0x86dd, 0x8100, 0x88a8, 0x0806, 0x1234};
	enum { FRAMES = 3000 };
	uint8_t buf[1024];
	uint32_t seed = 0x5eed1234;
	uint64_t protos = 0;
	struct xg_stats st;
	int i, j, bad = 0;

	for (i = 0; i < FRAMES; i++) {
		size_t len = 14 + xorshift(&seed) % 300;

		for (j = 0; j < (int)len; j++)
			buf[j] = (uint8_t)xorshift(&seed);
		if (i % 4) { /* mostly something the parser walks into */
			uint16_t t = types[xorshift(&seed) % 6];

			buf[12] = (uint8_t)(t >> 8);
			buf[13] = (uint8_t)t;
			if (t == 0x8100 || t == 0x88a8) {
				t = types[xorshift(&seed) % 4];
				buf[16] = (uint8_t)(t >> 8);
				buf[17] = (uint8_t)t;
			}
			if (i % 3 == 0) /* plausible version nibbles */
				buf[14] = t == 0x86dd ? 0x60 : 0x45;
		}
		if (RUN(buf, len) != XDP_PASS)
			bad++;
	}
	EXPECT_EQ(bad, 0);
	stats_get(&st);
	EXPECT_EQ(st.verdict[XG_VERDICT_PASS], FRAMES);
	EXPECT_EQ(st.verdict[XG_VERDICT_DROP] + st.verdict[XG_VERDICT_WOULD_DROP], 0);
	for (i = 0; i < XG_PROTO_SLOTS; i++)
		protos += st.proto[i].packets;
	EXPECT_EQ(protos, FRAMES); /* every frame in exactly one protocol */
	EXPECT_TRUE(SUM(st.malformed) > 0);
}

static void test_arp_nonip(void)
{
	uint8_t buf[60] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06,
			   /* ARP request, Ethernet/IPv4 */
			   0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01, 2, 0, 0, 0, 0, 1, 10, 123, 1,
			   2, 0, 0, 0, 0, 0, 0, 10, 123, 0, 2};
	struct xg_stats st;

	EXPECT_EQ(RUN(buf, sizeof(buf)), XDP_PASS);
	stats_get(&st);
	EXPECT_EQ(st.proto[XG_PROTO_NONIP].packets, 1);
	EXPECT_EQ(st.proto[XG_PROTO_NONIP].bytes, 60);
	EXPECT_EQ(st.l3[L3_V4].packets + st.l3[L3_V6].packets, 0);
	EXPECT_EQ(SUM(st.malformed), 0);
	EXPECT_EQ(st.verdict[XG_VERDICT_PASS], 1);
	EXPECT_EQ(st.size[0], 1);
	EXPECT_EQ(SUM(st.ttl), 0);
	EXPECT_EQ(all_port_counters(), 0);
}

static const struct fx_test tests[] = {
    {"IPv4 UDP", test_ipv4_udp},
    {"IPv4 TCP", test_ipv4_tcp},
    {"IPv4 ICMP", test_ipv4_icmp},
    {"IPv6 UDP", test_ipv6_udp},
    {"IPv6 TCP", test_ipv6_tcp},
    {"IPv6 ICMPv6", test_ipv6_icmpv6},
    {"IPv4 GRE, ESP, SCTP: no ports", test_other_protocols},
    {"single 802.1Q tag", test_vlan_single},
    {"QinQ 802.1ad + 802.1Q", test_vlan_qinq},
    {"QinQ with IPv6 inside", test_vlan_qinq_ipv6},
    {"three VLAN tags: malformed VLAN, passed", test_vlan_three_tags},
    {"truncated VLAN tag: malformed VLAN", test_vlan_truncated},
    {"IPv4 options (IHL 7): ports and SIP parsed", test_ipv4_options},
    {"IPv4 40 bytes of options (IHL 15)", test_ipv4_options_max},
    {"IPv6 hop-by-hop + dest-options + routing", test_ipv6_ext_headers},
    {"IPv6 exactly XG_IPV6_MAX_EXT extension headers", test_ipv6_ext_at_limit},
    {"IPv6 XG_IPV6_MAX_EXT + 1 extension headers: malformed", test_ipv6_ext_too_many},
    {"IPv6 extension header cut: malformed", test_ipv6_ext_truncated},
    {"IPv4 first fragment: frag_first, ports read", test_ipv4_frag_first},
    {"IPv4 last fragment: frag_later, no ports", test_ipv4_frag_later},
    {"IPv4 middle TCP fragment: no ports, no flags", test_ipv4_frag_later_tcp},
    {"IPv4 DF set: not a fragment", test_ipv4_dont_fragment},
    {"IPv6 first fragment: frag_first, ports read", test_ipv6_frag_first},
    {"IPv6 non-first fragment: frag_later, no ports", test_ipv6_frag_later},
    {"IPv6 atomic fragment: not a fragment", test_ipv6_frag_atomic},
    {"frame under 14 bytes never reaches XDP", test_eth_short},
    {"Ethernet header only: IPv4 malformed", test_eth_only},
    {"IPv4 header cut: malformed IPv4", test_ipv4_truncated},
    {"IPv4 IHL < 5 or past the end: malformed IPv4", test_ipv4_bad_ihl},
    {"IPv6 header cut: malformed IPv6", test_ipv6_truncated},
    {"TCP header cut: malformed L4", test_tcp_truncated},
    {"TCP data offset < 5 or past the end: malformed L4", test_tcp_bad_doff},
    {"UDP, ICMP, ICMPv6 headers cut: malformed L4", test_udp_icmp_truncated},
    {"3000 garbage frames: all passed, all counted", test_garbage},
    {"ARP: non-IP", test_arp_nonip},
    {NULL, NULL},
};

int register_parse_tests(void)
{
	return fx_add_suite("parse", tests);
}
