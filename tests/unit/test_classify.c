// SPDX-License-Identifier: GPL-2.0-only
/* Classification of hand-built snapshots: peacetime traffic of a VoIP node
 * plus one attack (or a benign surge), thresholds at 3x peacetime or the
 * floors, the fired metrics from those. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

#include "classify.h"
#include "detect.h"
#include "suites.h"

/* What the node receives, before the collector's derived rates. */
struct traffic {
	struct xg_snapshot s;
	double frag;
	double rtp_invalid;
};

static void add_port(struct xg_snapshot *s, int l4, int port, double pps)
{
	int i;

	for (i = 0; i < s->n_top_ports; i++)
		if (s->top_ports[i].l4 == l4 && s->top_ports[i].port == port)
			break;
	if (i == s->n_top_ports) {
		if (s->n_top_ports == XG_TOP_PORTS)
			return;
		s->top_ports[s->n_top_ports++] =
		    (struct xg_port_rate){.l4 = (uint8_t)l4, .port = (uint16_t)port};
	}
	s->top_ports[i].pps += pps;
	/* Busiest first. */
	for (; i > 0 && s->top_ports[i].pps > s->top_ports[i - 1].pps; i--) {
		struct xg_port_rate t = s->top_ports[i];

		s->top_ports[i] = s->top_ports[i - 1];
		s->top_ports[i - 1] = t;
	}
}

static void udp(struct traffic *t, int port, int svc, double pps, double size)
{
	t->s.proto_pps[XG_PROTO_UDP] += pps;
	t->s.proto_bps[XG_PROTO_UDP] += pps * size * 8;
	t->s.svc_pps[svc] += pps;
	t->s.svc_bps[svc] += pps * size * 8;
	if (port >= 0)
		add_port(&t->s, XG_PORT_L4_UDP, port, pps);
}

static void tcp(struct traffic *t, int port, int svc, int flags, double pps, double size)
{
	t->s.proto_pps[XG_PROTO_TCP] += pps;
	t->s.proto_bps[XG_PROTO_TCP] += pps * size * 8;
	t->s.svc_pps[svc] += pps;
	t->s.svc_bps[svc] += pps * size * 8;
	t->s.tcpf_pps[flags] += pps;
	if (port >= 0)
		add_port(&t->s, XG_PORT_L4_TCP, port, pps);
}

static void sip_udp(struct traffic *t, int kind, double pps)
{
	udp(t, 5060, XG_SVC_SIP_UDP, pps, 700);
	t->s.sip_pps[kind] += pps;
}

static void sip_tcp(struct traffic *t, int kind, double pps)
{
	tcp(t, 5060, XG_SVC_SIP_TCP, XG_TCPF_PSH, pps, 800);
	t->s.sip_pps[kind] += pps;
}

/* A small SBC on a quiet afternoon. */
static void peace(struct traffic *t)
{
	memset(t, 0, sizeof(*t));
	t->s.interval_s = 1;
	sip_udp(t, XG_SIP_REGISTER, 100);
	sip_udp(t, XG_SIP_OPTIONS, 40);
	sip_udp(t, XG_SIP_INVITE, 10);
	sip_udp(t, XG_SIP_RESPONSE, 150);
	sip_udp(t, XG_SIP_KEEPALIVE, 50);
	sip_tcp(t, XG_SIP_REGISTER, 20);
	sip_tcp(t, XG_SIP_RESPONSE, 20);
	tcp(t, 5061, XG_SVC_SIP_TLS, XG_TCPF_PSH, 150, 900);
	tcp(t, 5061, XG_SVC_SIP_TLS, XG_TCPF_ACK, 100, 60);
	tcp(t, 5061, XG_SVC_SIP_TLS, XG_TCPF_SYN, 5, 60);
	tcp(t, 443, XG_SVC_NONE, XG_TCPF_ACK, 300, 60);
	tcp(t, 443, XG_SVC_NONE, XG_TCPF_PSH, 200, 1200);
	udp(t, 12000, XG_SVC_RTP, 2500, 214);
	udp(t, 16000, XG_SVC_RTP, 2500, 214);
	udp(t, 53, XG_SVC_NONE, 30, 100);
	t->s.amp_pps[XG_AMP_DNS] = 30; /* replies to our own lookups */
	t->s.proto_pps[XG_PROTO_ICMP] = 10;
	t->s.ttl_entropy = 1.8;
	t->s.src_entropy = 7;
	t->s.distinct_sources = 150;
	t->s.sip_known_share = 0.98;
	t->s.new_source_share = 0.02;
}

/* The collector's rates from the traffic. */
static void derive(struct traffic *t)
{
	struct xg_snapshot *s = &t->s;
	double *m = s->metric;
	int i;

	memset(m, 0, sizeof(s->metric));
	for (i = 0; i < XG_PROTO_MAX; i++) {
		m[XG_M_PPS] += s->proto_pps[i];
		m[XG_M_BPS] += s->proto_bps[i];
	}
	m[XG_M_TCP_PPS] = s->proto_pps[XG_PROTO_TCP];
	m[XG_M_UDP_PPS] = s->proto_pps[XG_PROTO_UDP];
	m[XG_M_ICMP_PPS] = s->proto_pps[XG_PROTO_ICMP] + s->proto_pps[XG_PROTO_ICMPV6];
	m[XG_M_GRE_PPS] = s->proto_pps[XG_PROTO_GRE];
	m[XG_M_ESP_PPS] = s->proto_pps[XG_PROTO_ESP];
	m[XG_M_OTHER_PPS] = s->proto_pps[XG_PROTO_OTHER];
	m[XG_M_FRAG_PPS] = t->frag;
	m[XG_M_SYN_PPS] = s->tcpf_pps[XG_TCPF_SYN];
	m[XG_M_ACK_PPS] = s->tcpf_pps[XG_TCPF_ACK];
	m[XG_M_RST_PPS] = s->tcpf_pps[XG_TCPF_RST];
	m[XG_M_FIN_PPS] = s->tcpf_pps[XG_TCPF_FIN];
	m[XG_M_PSH_PPS] = s->tcpf_pps[XG_TCPF_PSH];
	m[XG_M_XMAS_PPS] = s->tcpf_pps[XG_TCPF_XMAS];
	m[XG_M_NULL_PPS] = s->tcpf_pps[XG_TCPF_NONE];
	m[XG_M_SIP_UDP_PPS] = s->svc_pps[XG_SVC_SIP_UDP];
	m[XG_M_SIP_TCP_PPS] = s->svc_pps[XG_SVC_SIP_TCP];
	m[XG_M_SIP_TLS_PPS] = s->svc_pps[XG_SVC_SIP_TLS];
	m[XG_M_RTP_PPS] = s->svc_pps[XG_SVC_RTP];
	m[XG_M_SIP_REGISTER_PPS] = s->sip_pps[XG_SIP_REGISTER];
	m[XG_M_SIP_INVITE_PPS] = s->sip_pps[XG_SIP_INVITE];
	m[XG_M_SIP_OPTIONS_PPS] = s->sip_pps[XG_SIP_OPTIONS];
	m[XG_M_SIP_MALFORMED_PPS] = s->sip_pps[XG_SIP_MALFORMED];
	m[XG_M_RTP_INVALID_PPS] = t->rtp_invalid;
	for (i = XG_AMP_NONE + 1; i < XG_AMP_MAX; i++)
		m[XG_M_AMP_PPS] += s->amp_pps[i];
}

/* 3x peacetime, never under the floors: what the baseline would say. */
static void thresholds(double thr[XG_M_MAX])
{
	struct traffic p;
	int m;

	peace(&p);
	derive(&p);
	for (m = 0; m < XG_M_MAX; m++) {
		thr[m] = 3 * p.s.metric[m];
		if (thr[m] < xg_metric_default_floor(m))
			thr[m] = xg_metric_default_floor(m);
	}
}

static uint64_t classify(struct traffic *t, struct xg_class *c)
{
	double thr[XG_M_MAX];
	uint64_t fired;

	derive(t);
	thresholds(thr);
	fired = xg_detect_fired(&t->s, thr);
	xg_classify(&t->s, thr, fired, c);
	return fired;
}

static bool has_evidence(const struct xg_class *c, const char *needle)
{
	int i;

	for (i = 0; i < c->n_evidence; i++)
		if (strstr(c->evidence[i], needle))
			return true;
	return false;
}

static void dump(const struct xg_class *c)
{
	int i;

	fprintf(stderr, "\n  %s/%s service %s conf %d attack %d spoofed %d botnet %d\n", c->family,
		c->subtype, c->service, c->confidence, c->attack, c->spoofed, c->botnet);
	for (i = 0; i < c->n_evidence; i++)
		fprintf(stderr, "    %s\n", c->evidence[i]);
}

/* Family, subtype and service in one assertion, with the whole class on
 * stderr when it fails. */
static void expect(const struct xg_class *c, const char *family, const char *subtype,
		   const char *service, bool attack)
{
	bool ok = !strcmp(c->family, family) && !strcmp(c->subtype, subtype) &&
		  !strcmp(c->service, service) && c->attack == attack;

	if (!ok) {
		fprintf(stderr, "\n  expected %s/%s service %s attack %d, got:", family, subtype,
			service, attack);
		dump(c);
	}
	CU_ASSERT_TRUE(ok);
	CU_ASSERT_TRUE(c->confidence >= 0 && c->confidence <= 100);
	CU_ASSERT_TRUE(c->n_evidence >= 1 && c->n_evidence <= XG_EVIDENCE_MAX);
}

/* Attack traffic from many new sources, as a botnet or spoofing makes it. */
static void strangers(struct traffic *t)
{
	t->s.sip_known_share = 0.1;
	t->s.new_source_share = 0.9;
	t->s.distinct_sources = 3000;
	t->s.src_entropy = 11;
}

static void test_nothing_fired(void)
{
	struct traffic t;
	struct xg_class c;

	peace(&t);
	CU_ASSERT_EQUAL(classify(&t, &c), 0);
	CU_ASSERT_STRING_EQUAL(c.family, "none");
	CU_ASSERT_FALSE(c.attack);
	CU_ASSERT_EQUAL(c.confidence, 0);
}

static void test_sip_floods(void)
{
	struct traffic t;
	struct xg_class c;
	uint64_t fired;

	peace(&t);
	strangers(&t);
	sip_udp(&t, XG_SIP_REGISTER, 5100);
	sip_udp(&t, XG_SIP_RESPONSE, 130);
	fired = classify(&t, &c);
	CU_ASSERT_TRUE(fired & (1ULL << XG_M_SIP_REGISTER_PPS));
	expect(&c, "sip_register_flood", "", "sip-udp", true);
	/* 5200/s against a threshold of 500 (3x the 120/s of peacetime is 360,
	 * under the floor). */
	CU_ASSERT_TRUE(has_evidence(&c, "sip_register_pps 5220/s is 10.4x its threshold 500"));
	CU_ASSERT_TRUE(has_evidence(&c, "93% of SIP packets are REGISTER"));
	CU_ASSERT_TRUE(has_evidence(&c, "90% of sampled packets from new sources"));
	CU_ASSERT_TRUE(c.botnet);
	CU_ASSERT_FALSE(c.spoofed);

	peace(&t);
	strangers(&t);
	sip_tcp(&t, XG_SIP_INVITE, 2500);
	classify(&t, &c);
	expect(&c, "sip_invite_flood", "", "sip-tcp", true);
	CU_ASSERT_TRUE(has_evidence(&c, "sip_invite_pps"));
	CU_ASSERT_TRUE(has_evidence(&c, "of SIP packets are INVITE"));

	peace(&t);
	strangers(&t);
	sip_udp(&t, XG_SIP_OPTIONS, 4000);
	classify(&t, &c);
	expect(&c, "sip_options_flood", "", "sip-udp", true);

	/* Junk at the SIP port. */
	peace(&t);
	strangers(&t);
	sip_udp(&t, XG_SIP_MALFORMED, 8000);
	classify(&t, &c);
	expect(&c, "sip_malformed_flood", "", "sip-udp", true);
	CU_ASSERT_TRUE(has_evidence(&c, "of SIP packets are not SIP"));

	/* Only the SIP port fired, and REGISTER makes it up. */
	peace(&t);
	strangers(&t);
	sip_udp(&t, XG_SIP_REGISTER, 450);
	sip_udp(&t, XG_SIP_RESPONSE, 2600);
	sip_udp(&t, XG_SIP_REGISTER, 2600);
	classify(&t, &c);
	expect(&c, "sip_register_flood", "", "sip-udp", true);

	/* A flood of SIP responses at the port: a UDP flood of sip-udp. */
	peace(&t);
	strangers(&t);
	sip_udp(&t, XG_SIP_RESPONSE, 9000);
	classify(&t, &c);
	expect(&c, "udp_flood", "", "sip-udp", true);
}

static void test_sip_tls_syn(void)
{
	struct traffic t;
	struct xg_class c;

	peace(&t);
	tcp(&t, 5061, XG_SVC_SIP_TLS, XG_TCPF_SYN, 60000, 60);
	t.s.ttl_entropy = 4.6;
	t.s.src_entropy = 15;
	t.s.distinct_sources = 250000;
	t.s.new_source_share = 0.99;
	classify(&t, &c);
	expect(&c, "sip_tls_syn_flood", "", "sip-tls", true);
	CU_ASSERT_TRUE(c.spoofed);
	CU_ASSERT_FALSE(c.botnet);
	CU_ASSERT_TRUE(has_evidence(&c, "syn_pps 60005/s is 30.0x its threshold 2000"));
	CU_ASSERT_TRUE(has_evidence(&c, "SYNs go to SIP-TLS; busiest tcp/5061"));
	CU_ASSERT_TRUE(has_evidence(&c, "ttl entropy 4.6 bits"));

	/* A SIP-TLS port that is not 5061: the service class says so. */
	peace(&t);
	tcp(&t, 5062, XG_SVC_SIP_TLS, XG_TCPF_SYN, 60000, 60);
	classify(&t, &c);
	expect(&c, "sip_tls_syn_flood", "", "sip-tls", true);
}

static void test_syn_and_tcp_floods(void)
{
	static const struct {
		int flag;
		const char *subtype;
		double pps;
	} flags[] = {
	    {XG_TCPF_ACK, "ack", 150000}, {XG_TCPF_RST, "rst", 20000},
	    {XG_TCPF_FIN, "fin", 20000},  {XG_TCPF_PSH, "psh", 150000},
	    {XG_TCPF_XMAS, "xmas", 5000}, {XG_TCPF_NONE, "null", 5000},
	};
	struct traffic t;
	struct xg_class c;
	size_t i;

	peace(&t);
	strangers(&t);
	tcp(&t, 80, XG_SVC_NONE, XG_TCPF_SYN, 80000, 60);
	classify(&t, &c);
	expect(&c, "syn_flood", "", "tcp/80", true);
	CU_ASSERT_TRUE(has_evidence(&c, "SYN is"));

	/* SYNs at the SIP TCP port carry no SIP: a SYN flood of sip-tcp. */
	peace(&t);
	strangers(&t);
	tcp(&t, 5060, XG_SVC_SIP_TCP, XG_TCPF_SYN, 80000, 60);
	classify(&t, &c);
	expect(&c, "syn_flood", "", "sip-tcp", true);

	/* Spread over random ports. */
	peace(&t);
	strangers(&t);
	for (i = 0; i < 16; i++)
		tcp(&t, 1000 + (int)i, XG_SVC_NONE, XG_TCPF_SYN, 5000, 60);
	classify(&t, &c);
	expect(&c, "syn_flood", "", "any", true);

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		peace(&t);
		strangers(&t);
		tcp(&t, 443, XG_SVC_NONE, flags[i].flag, flags[i].pps, 60);
		classify(&t, &c);
		expect(&c, "tcp_flood", flags[i].subtype, "tcp/443", true);
	}
}

static void test_rtp_flood(void)
{
	struct traffic t;
	struct xg_class c;

	peace(&t);
	strangers(&t);
	udp(&t, 14000, XG_SVC_RTP, 120000, 214);
	classify(&t, &c);
	expect(&c, "rtp_flood", "rtp", "rtp", true);

	/* Non-RTP payloads into the media ports. */
	peace(&t);
	strangers(&t);
	udp(&t, 14000, XG_SVC_RTP, 5000, 100);
	t.rtp_invalid = 5000;
	classify(&t, &c);
	expect(&c, "rtp_flood", "non_rtp", "rtp", true);
	CU_ASSERT_TRUE(has_evidence(&c, "rtp_invalid_pps 5000/s is 5.0x its threshold 1000"));
	CU_ASSERT_TRUE(has_evidence(&c, "of packets to the RTP range are not RTP"));
}

static void test_amplification(void)
{
	static const struct {
		int amp;
		const char *name;
	} amps[] = {
	    {XG_AMP_DNS, "dns"},	 {XG_AMP_NTP, "ntp"},
	    {XG_AMP_SSDP, "ssdp"},	 {XG_AMP_MEMCACHED, "memcached"},
	    {XG_AMP_CLDAP, "cldap"},	 {XG_AMP_CHARGEN, "chargen"},
	    {XG_AMP_SNMP, "snmp"},	 {XG_AMP_WSD, "wsd"},
	    {XG_AMP_MDNS, "mdns"},	 {XG_AMP_PORTMAP, "portmap"},
	    {XG_AMP_NETBIOS, "netbios"}, {XG_AMP_RIP, "rip"},
	    {XG_AMP_ARD, "ard"},	 {XG_AMP_UBNT, "ubnt"},
	};
	struct traffic t;
	struct xg_class c;
	size_t i;
	int p;

	for (i = 0; i < sizeof(amps) / sizeof(amps[0]); i++) {
		peace(&t);
		strangers(&t);
		/* Reflected at random destination ports, a little of another
		 * reflector mixed in. */
		for (p = 0; p < 10; p++)
			udp(&t, 30000 + p, XG_SVC_NONE, 4000, 1400);
		t.s.amp_pps[amps[i].amp] += 36000;
		t.s.amp_pps[amps[i].amp == XG_AMP_DNS ? XG_AMP_NTP : XG_AMP_DNS] += 4000;
		classify(&t, &c);
		expect(&c, "amplification", amps[i].name, "any", true);
	}

	/* Large responses come in fragments: still the amplification. */
	peace(&t);
	strangers(&t);
	udp(&t, 7777, XG_SVC_NONE, 60000, 1400);
	t.s.amp_pps[XG_AMP_MEMCACHED] = 60000;
	t.frag = 40000;
	classify(&t, &c);
	expect(&c, "amplification", "memcached", "udp/7777", true);
	CU_ASSERT_TRUE(has_evidence(&c, "memcached is"));

	/* Reflected at the media ports. */
	peace(&t);
	strangers(&t);
	for (p = 0; p < 10; p++)
		udp(&t, 10000 + 997 * p, XG_SVC_RTP, 8000, 1200);
	t.s.amp_pps[XG_AMP_NTP] = 80000;
	t.rtp_invalid = 80000;
	classify(&t, &c);
	expect(&c, "amplification", "ntp", "rtp", true);
}

static void test_other_protocols(void)
{
	struct traffic t;
	struct xg_class c;

	peace(&t);
	strangers(&t);
	t.s.proto_pps[XG_PROTO_ICMP] += 30000;
	classify(&t, &c);
	expect(&c, "icmp_flood", "", "any", true);

	peace(&t);
	strangers(&t);
	t.s.proto_pps[XG_PROTO_ICMPV6] += 30000;
	classify(&t, &c);
	expect(&c, "icmp_flood", "", "any", true);

	/* Fragments of UDP, no reflector port: a fragment flood, the UDP total
	 * is its doing. */
	peace(&t);
	strangers(&t);
	udp(&t, -1, XG_SVC_NONE, 40000, 1400);
	t.frag = 40000;
	classify(&t, &c);
	expect(&c, "fragment_flood", "", "any", true);

	peace(&t);
	strangers(&t);
	t.s.proto_pps[XG_PROTO_GRE] = 20000;
	classify(&t, &c);
	expect(&c, "protocol_flood", "gre", "any", true);

	peace(&t);
	strangers(&t);
	t.s.proto_pps[XG_PROTO_ESP] = 50000;
	classify(&t, &c);
	expect(&c, "protocol_flood", "esp", "any", true);

	peace(&t);
	strangers(&t);
	t.s.proto_pps[XG_PROTO_OTHER] = 20000;
	classify(&t, &c);
	expect(&c, "protocol_flood", "other", "any", true);
}

static void test_udp_flood(void)
{
	struct traffic t;
	struct xg_class c;
	int p;

	peace(&t);
	strangers(&t);
	udp(&t, 9999, XG_SVC_NONE, 100000, 512);
	classify(&t, &c);
	expect(&c, "udp_flood", "", "udp/9999", true);
	CU_ASSERT_TRUE(has_evidence(&c, "to udp/9999"));

	peace(&t);
	strangers(&t);
	for (p = 0; p < 16; p++)
		udp(&t, 40000 + p, XG_SVC_NONE, 6000, 512);
	classify(&t, &c);
	expect(&c, "udp_flood", "", "any", true);
	CU_ASSERT_TRUE(has_evidence(&c, "spread over many ports"));

	/* Only the byte rate fired (jumbo frames), from new sources: named by
	 * the protocol that carries the bytes. */
	peace(&t);
	strangers(&t);
	udp(&t, 8000, XG_SVC_NONE, 6000, 9000);
	CU_ASSERT_EQUAL(classify(&t, &c), 1ULL << XG_M_BPS);
	expect(&c, "udp_flood", "", "udp/8000", true);
	CU_ASSERT_TRUE(has_evidence(&c, "bps "));
}

static void test_multi_vector(void)
{
	struct traffic t;
	struct xg_class c;

	peace(&t);
	strangers(&t);
	tcp(&t, 80, XG_SVC_NONE, XG_TCPF_SYN, 50000, 60);
	udp(&t, 53, XG_SVC_NONE, 100000, 512);
	classify(&t, &c);
	expect(&c, "multi_vector", "syn+udp", "any", true);
	CU_ASSERT_TRUE(has_evidence(&c, "syn_pps"));
	CU_ASSERT_TRUE(has_evidence(&c, "udp_pps"));

	/* Three vectors. */
	peace(&t);
	strangers(&t);
	tcp(&t, 80, XG_SVC_NONE, XG_TCPF_SYN, 50000, 60);
	udp(&t, 53, XG_SVC_NONE, 100000, 512);
	t.s.proto_pps[XG_PROTO_ICMP] += 20000;
	classify(&t, &c);
	expect(&c, "multi_vector", "syn+icmp+udp", "any", true);

	/* A SIP flood with a SYN flood on the side. */
	peace(&t);
	strangers(&t);
	sip_udp(&t, XG_SIP_INVITE, 5000);
	tcp(&t, 5061, XG_SVC_SIP_TLS, XG_TCPF_SYN, 30000, 60);
	classify(&t, &c);
	expect(&c, "multi_vector", "sip_invite+sip_tls_syn", "any", true);

	/* The second vector only marginally over: the strong one names it,
	 * the other is mentioned. */
	peace(&t);
	strangers(&t);
	tcp(&t, 80, XG_SVC_NONE, XG_TCPF_SYN, 3000, 60);
	udp(&t, 53, XG_SVC_NONE, 200000, 512);
	classify(&t, &c);
	expect(&c, "udp_flood", "", "udp/53", true);
	CU_ASSERT_TRUE(has_evidence(&c, "also syn_flood at 1.5x"));

	/* Related vectors are one attack: a REGISTER flood that also carries
	 * malformed packets. */
	peace(&t);
	strangers(&t);
	sip_udp(&t, XG_SIP_REGISTER, 8000);
	sip_udp(&t, XG_SIP_MALFORMED, 600);
	classify(&t, &c);
	expect(&c, "sip_register_flood", "", "sip-udp", true);
}

/* An avalanche restart: every phone re-registers at once, retransmitting. */
static void avalanche(struct traffic *t, double known, double novel)
{
	peace(t);
	sip_udp(t, XG_SIP_REGISTER, 19 * 100); /* 20x normal REGISTER */
	sip_udp(t, XG_SIP_RESPONSE, 5 * 150);  /* 401 challenges and 200s */
	sip_tcp(t, XG_SIP_REGISTER, 19 * 20);
	t->s.sip_known_share = known;
	t->s.new_source_share = novel;
	t->s.distinct_sources = 2500;
}

static void test_registration_surge(void)
{
	struct traffic t;
	struct xg_class c;
	uint64_t fired;

	avalanche(&t, 0.95, 0.03);
	fired = classify(&t, &c);
	CU_ASSERT_TRUE(fired & (1ULL << XG_M_SIP_REGISTER_PPS));
	expect(&c, "sip_registration_surge", "", "sip-udp", false);
	CU_ASSERT_TRUE(has_evidence(&c, "95% of SIP packets from peers known before"));
	CU_ASSERT_TRUE(has_evidence(&c, "sip_register_pps"));
	CU_ASSERT_FALSE(c.botnet);
	CU_ASSERT_TRUE(c.confidence >= 80);

	/* No novelty information: still the known share decides. */
	avalanche(&t, 0.95, -1);
	classify(&t, &c);
	expect(&c, "sip_registration_surge", "", "sip-udp", false);

	/* The same rate with only 10% of SIP from known peers is a flood. */
	avalanche(&t, 0.1, 0.03);
	classify(&t, &c);
	expect(&c, "sip_register_flood", "", "sip-udp", true);
	CU_ASSERT_FALSE(c.botnet);

	/* The same rate from strangers is an attack, and a botnet. */
	avalanche(&t, 0.1, 0.85);
	classify(&t, &c);
	expect(&c, "sip_register_flood", "", "sip-udp", true);
	CU_ASSERT_TRUE(c.botnet);

	/* Known SIP peers, but most sampled packets from new sources. */
	avalanche(&t, 0.95, 0.6);
	classify(&t, &c);
	expect(&c, "sip_register_flood", "", "sip-udp", true);

	/* Known peers, but junk fired too: not a restart. */
	avalanche(&t, 0.95, 0.03);
	sip_udp(&t, XG_SIP_MALFORMED, 500);
	classify(&t, &c);
	CU_ASSERT_TRUE(c.attack);

	/* Known peers, and a SYN flood alongside: not only a restart. */
	avalanche(&t, 0.95, 0.03);
	tcp(&t, 80, XG_SVC_NONE, XG_TCPF_SYN, 50000, 60);
	classify(&t, &c);
	CU_ASSERT_TRUE(c.attack);
	CU_ASSERT_STRING_NOT_EQUAL(c.family, "sip_registration_surge");

	/* A big restart that moves the UDP total too, all of it SIP. */
	avalanche(&t, 0.9, 0.1);
	sip_udp(&t, XG_SIP_REGISTER, 40000);
	fired = classify(&t, &c);
	CU_ASSERT_TRUE(fired & (1ULL << XG_M_UDP_PPS));
	expect(&c, "sip_registration_surge", "", "sip-udp", false);
}

static void test_traffic_surge(void)
{
	struct traffic t;
	struct xg_class c;

	/* Only the byte rate rose (jumbo frames), from known sources: large
	 * transfers. */
	peace(&t);
	udp(&t, 12000, XG_SVC_NONE, 6000, 9000);
	CU_ASSERT_EQUAL(classify(&t, &c), 1ULL << XG_M_BPS);
	expect(&c, "traffic_surge", "", "any", false);
	CU_ASSERT_TRUE(has_evidence(&c, "only the totals rose"));
}

static void test_source_flags(void)
{
	struct traffic t;
	struct xg_class c;

	/* Random TTLs from new sources. */
	peace(&t);
	udp(&t, 9999, XG_SVC_NONE, 100000, 512);
	t.s.ttl_entropy = 4.1;
	t.s.new_source_share = 0.62;
	classify(&t, &c);
	CU_ASSERT_TRUE(c.spoofed);
	CU_ASSERT_FALSE(c.botnet);
	CU_ASSERT_TRUE(has_evidence(&c, "ttl entropy 4.1 bits"));
	CU_ASSERT_TRUE(has_evidence(&c, "62% of sampled packets from new sources"));

	/* The same TTL spread from known sources is not spoofing. */
	t.s.new_source_share = 0.1;
	classify(&t, &c);
	CU_ASSERT_FALSE(c.spoofed);

	/* A mixed-OS botnet: TTLs below 64, 128 and 255 (about 3 bits), a
	 * few thousand real sources each sending many packets. */
	t.s.ttl_entropy = 3.1;
	t.s.distinct_sources = 3000;
	t.s.new_source_share = 0.95;
	classify(&t, &c);
	CU_ASSERT_FALSE(c.spoofed);
	CU_ASSERT_TRUE(c.botnet);

	/* Plausible TTLs, but about one new source per packet. */
	t.s.ttl_entropy = 2.0;
	t.s.src_entropy = 14;
	t.s.distinct_sources = 90000;
	t.s.new_source_share = 0.99;
	classify(&t, &c);
	CU_ASSERT_TRUE(c.spoofed);
	CU_ASSERT_FALSE(c.botnet);

	/* Many real sources, mostly new: a botnet. */
	t.s.src_entropy = 10;
	t.s.distinct_sources = 2000;
	t.s.new_source_share = 0.8;
	classify(&t, &c);
	CU_ASSERT_FALSE(c.spoofed);
	CU_ASSERT_TRUE(c.botnet);
	CU_ASSERT_TRUE(has_evidence(&c, "2000 distinct sources"));

	/* Few sources: neither. */
	t.s.distinct_sources = 20;
	classify(&t, &c);
	CU_ASSERT_FALSE(c.spoofed);
	CU_ASSERT_FALSE(c.botnet);

	/* Many sources, mostly known: not a botnet. */
	t.s.distinct_sources = 2000;
	t.s.new_source_share = 0.3;
	classify(&t, &c);
	CU_ASSERT_FALSE(c.botnet);
}

static void test_confidence(void)
{
	struct traffic t;
	struct xg_class weak, strong;

	peace(&t);
	strangers(&t);
	udp(&t, 9999, XG_SVC_NONE, 30000, 512);
	classify(&t, &weak);
	peace(&t);
	strangers(&t);
	udp(&t, 9999, XG_SVC_NONE, 900000, 512);
	classify(&t, &strong);
	CU_ASSERT_STRING_EQUAL(weak.family, "udp_flood");
	CU_ASSERT_STRING_EQUAL(strong.family, "udp_flood");
	CU_ASSERT_TRUE(weak.confidence < strong.confidence);
	CU_ASSERT_TRUE(strong.confidence >= 90);
	CU_ASSERT_TRUE(weak.confidence <= 60);
}

void add_classify_suite(void)
{
	CU_pSuite s = CU_add_suite("classify", NULL, NULL);

	CU_add_test(s, "nothing fired", test_nothing_fired);
	CU_add_test(s, "SIP method and malformed floods", test_sip_floods);
	CU_add_test(s, "SIP-TLS SYN flood", test_sip_tls_syn);
	CU_add_test(s, "SYN and TCP flag floods", test_syn_and_tcp_floods);
	CU_add_test(s, "RTP floods", test_rtp_flood);
	CU_add_test(s, "amplification by reflector", test_amplification);
	CU_add_test(s, "ICMP, fragment and protocol floods", test_other_protocols);
	CU_add_test(s, "UDP floods", test_udp_flood);
	CU_add_test(s, "multi-vector and related vectors", test_multi_vector);
	CU_add_test(s, "avalanche restart is a surge, strangers a flood", test_registration_surge);
	CU_add_test(s, "traffic surge from known sources", test_traffic_surge);
	CU_add_test(s, "spoofed and botnet flags", test_source_flags);
	CU_add_test(s, "confidence grows with the ratio", test_confidence);
}
