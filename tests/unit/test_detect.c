// SPDX-License-Identifier: GPL-2.0-only
/* Detection on synthetic ticks: incidents open in the tick a metric crosses,
 * update on material changes, close after close_ticks quiet ticks, and a
 * slow ramp with the baseline following it never fires. */
#include <CUnit/Basic.h>
#include <arpa/inet.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "baseline.h"
#include "detect.h"
#include "suites.h"

#define NS 1000000000ULL

/* 2026-11-21 22:19:03 UTC */
static uint64_t start_ns(void)
{
	struct tm tm = {
	    .tm_year = 126, .tm_mon = 10, .tm_mday = 21, .tm_hour = 22, .tm_min = 19, .tm_sec = 3};

	return (uint64_t)timegm(&tm) * NS;
}

static void floors(double thr[XG_M_MAX])
{
	int m;

	for (m = 0; m < XG_M_MAX; m++)
		thr[m] = xg_metric_default_floor(m);
}

/* Quiet traffic: everything well under the floors. */
static void quiet(struct xg_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->interval_s = 1;
	s->proto_pps[XG_PROTO_UDP] = 3000;
	s->proto_pps[XG_PROTO_TCP] = 1000;
	s->tcpf_pps[XG_TCPF_ACK] = 700;
	s->tcpf_pps[XG_TCPF_PSH] = 280;
	s->tcpf_pps[XG_TCPF_SYN] = 20;
	s->svc_pps[XG_SVC_RTP] = 2800;
	s->svc_pps[XG_SVC_SIP_UDP] = 200;
	s->sip_pps[XG_SIP_REGISTER] = 50;
	s->sip_pps[XG_SIP_RESPONSE] = 150;
	s->metric[XG_M_PPS] = 4000;
	s->metric[XG_M_BPS] = 4000 * 8 * 200;
	s->metric[XG_M_UDP_PPS] = 3000;
	s->metric[XG_M_TCP_PPS] = 1000;
	s->metric[XG_M_ACK_PPS] = 700;
	s->metric[XG_M_PSH_PPS] = 280;
	s->metric[XG_M_SYN_PPS] = 20;
	s->metric[XG_M_RTP_PPS] = 2800;
	s->metric[XG_M_SIP_UDP_PPS] = 200;
	s->metric[XG_M_SIP_REGISTER_PPS] = 50;
	s->ttl_entropy = 1.5;
	s->src_entropy = 5;
	s->distinct_sources = 80;
	s->sip_known_share = 0.99;
	s->new_source_share = 0.01;
}

static void victim(struct xg_snapshot *s, const char *addr, double pps)
{
	struct xg_addr_rate *v = &s->top_dst[s->n_top_dst++];

	memset(v, 0, sizeof(*v));
	v->addr.family = AF_INET;
	v->addr.prefixlen = 32;
	inet_pton(AF_INET, addr, v->addr.addr);
	v->pps = pps;
}

/* A SYN flood of pps to tcp/80 on top of quiet traffic. */
static void syn_flood(struct xg_snapshot *s, double pps)
{
	quiet(s);
	s->proto_pps[XG_PROTO_TCP] += pps;
	s->tcpf_pps[XG_TCPF_SYN] += pps;
	s->metric[XG_M_TCP_PPS] += pps;
	s->metric[XG_M_SYN_PPS] += pps;
	s->metric[XG_M_PPS] += pps;
	s->metric[XG_M_BPS] += pps * 8 * 60;
	s->top_ports[0] = (struct xg_port_rate){.l4 = XG_PORT_L4_TCP, .port = 80, .pps = pps};
	s->n_top_ports = 1;
	s->ttl_entropy = 4.2;
	s->new_source_share = 0.97;
	s->distinct_sources = 90000;
	victim(s, "192.0.2.10", pps * 0.7);
	victim(s, "192.0.2.11", pps * 0.3);
}

/* Adds a UDP flood of pps to udp/53. */
static void plus_udp_flood(struct xg_snapshot *s, double pps)
{
	s->proto_pps[XG_PROTO_UDP] += pps;
	s->metric[XG_M_UDP_PPS] += pps;
	s->metric[XG_M_PPS] += pps;
	s->metric[XG_M_BPS] += pps * 8 * 500;
	s->top_ports[1] = s->top_ports[0];
	s->top_ports[0] = (struct xg_port_rate){.l4 = XG_PORT_L4_UDP, .port = 53, .pps = pps};
	s->n_top_ports = 2;
}

static void test_fired(void)
{
	struct xg_snapshot s;
	double thr[XG_M_MAX];
	uint64_t f;

	floors(thr);
	quiet(&s);
	CU_ASSERT_EQUAL(xg_detect_fired(&s, thr), 0);
	s.metric[XG_M_SYN_PPS] = thr[XG_M_SYN_PPS]; /* at the threshold is not over it */
	CU_ASSERT_EQUAL(xg_detect_fired(&s, thr), 0);
	s.metric[XG_M_SYN_PPS] = thr[XG_M_SYN_PPS] + 1;
	s.metric[XG_M_AMP_PPS] = thr[XG_M_AMP_PPS] * 2;
	s.metric[XG_M_ICMP_PPS] = NAN;
	f = xg_detect_fired(&s, thr);
	CU_ASSERT_EQUAL(f, (1ULL << XG_M_SYN_PPS) | (1ULL << XG_M_AMP_PPS));
}

static void test_open_same_tick(void)
{
	struct xg_detect_cfg cfg;
	struct xg_detector d;
	struct xg_snapshot s;
	struct xg_class cls;
	double thr[XG_M_MAX];
	uint64_t t = start_ns();
	char addr[64];

	xg_detect_cfg_defaults(&cfg);
	CU_ASSERT_EQUAL(cfg.close_ticks, 5);
	xg_detector_init(&d, 3);
	floors(thr);

	quiet(&s);
	CU_ASSERT_EQUAL(xg_detect_step(&d, &cfg, &s, thr, false, t - NS, &cls), XG_EV_NONE);
	CU_ASSERT_STRING_EQUAL(cls.family, "");
	CU_ASSERT_FALSE(d.open);

	syn_flood(&s, 40000);
	CU_ASSERT_EQUAL(xg_detect_step(&d, &cfg, &s, thr, true, t, &cls), XG_EV_OPEN);
	CU_ASSERT_TRUE(d.open);
	CU_ASSERT_EQUAL(d.next_seq, 4);
	CU_ASSERT_EQUAL(d.cur.seq, 3);
	CU_ASSERT_STRING_EQUAL(d.cur.id, "20261121T221903Z-3");
	CU_ASSERT_EQUAL(d.cur.start_ns, t);
	CU_ASSERT_EQUAL(d.cur.last_ns, t);
	CU_ASSERT_EQUAL(d.cur.end_ns, 0);
	CU_ASSERT_TRUE(d.cur.learning);
	CU_ASSERT_STRING_EQUAL(d.cur.cls.family, "syn_flood");
	CU_ASSERT_STRING_EQUAL(cls.family, "syn_flood");
	CU_ASSERT_TRUE(d.cur.fired & (1ULL << XG_M_SYN_PPS));
	CU_ASSERT_TRUE(d.cur.fired & (1ULL << XG_M_TCP_PPS));
	CU_ASSERT_DOUBLE_EQUAL(d.cur.peak_pps, 44000, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(d.cur.peak_metric[XG_M_SYN_PPS], 40020, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(d.cur.threshold_at_open[XG_M_SYN_PPS], thr[XG_M_SYN_PPS], 1e-9);
	CU_ASSERT_EQUAL(d.cur.n_victims, 2);
	xg_cidr_format(&d.cur.victims[0], addr, sizeof(addr));
	CU_ASSERT_STRING_EQUAL(addr, "192.0.2.10");
	CU_ASSERT_EQUAL(d.cur.under_ticks, 0);
	CU_ASSERT_EQUAL(d.cur.updates, 0);
}

static void test_updates(void)
{
	struct xg_detect_cfg cfg;
	struct xg_detector d;
	struct xg_snapshot s;
	struct xg_class cls;
	double thr[XG_M_MAX];
	uint64_t t = start_ns();

	xg_detect_cfg_defaults(&cfg);
	xg_detector_init(&d, 0);
	floors(thr);

	syn_flood(&s, 40000);
	CU_ASSERT_EQUAL(xg_detect_step(&d, &cfg, &s, thr, false, t, &cls), XG_EV_OPEN);
	CU_ASSERT_FALSE(d.cur.learning);
	/* The same flood, a little stronger: nothing to report. */
	syn_flood(&s, 45000);
	CU_ASSERT_EQUAL(xg_detect_step(&d, &cfg, &s, thr, false, t + NS, &cls), XG_EV_NONE);
	CU_ASSERT_EQUAL(d.cur.last_ns, t + NS);
	CU_ASSERT_DOUBLE_EQUAL(d.cur.peak_pps, 49000, 1e-9);

	/* A second vector: the class changes to multi_vector. */
	syn_flood(&s, 45000);
	plus_udp_flood(&s, 100000);
	CU_ASSERT_EQUAL(xg_detect_step(&d, &cfg, &s, thr, false, t + 2 * NS, &cls), XG_EV_UPDATE);
	CU_ASSERT_STRING_EQUAL(d.cur.cls.family, "multi_vector");
	CU_ASSERT_STRING_EQUAL(d.cur.cls.subtype, "syn+udp");
	CU_ASSERT_EQUAL(d.cur.updates, 1);
	CU_ASSERT_TRUE(d.cur.fired & (1ULL << XG_M_UDP_PPS));
	CU_ASSERT_TRUE(d.cur.fired & (1ULL << XG_M_SYN_PPS));
	CU_ASSERT_DOUBLE_EQUAL(d.cur.peak_pps, 149000, 1e-9);
	/* The same again: nothing new. */
	CU_ASSERT_EQUAL(xg_detect_step(&d, &cfg, &s, thr, false, t + 3 * NS, &cls), XG_EV_NONE);

	/* The peak grows by 40% of the last report: not yet... */
	syn_flood(&s, 45000);
	plus_udp_flood(&s, 100000 + 0.4 * 149000);
	CU_ASSERT_EQUAL(xg_detect_step(&d, &cfg, &s, thr, false, t + 4 * NS, &cls), XG_EV_NONE);
	/* ...by 50%: an update. */
	syn_flood(&s, 45000);
	plus_udp_flood(&s, 100000 + 0.5 * 149000);
	CU_ASSERT_EQUAL(xg_detect_step(&d, &cfg, &s, thr, false, t + 5 * NS, &cls), XG_EV_UPDATE);
	CU_ASSERT_DOUBLE_EQUAL(d.cur.peak_pps, 1.5 * 149000, 1e-6);
	CU_ASSERT_EQUAL(d.cur.updates, 2);
	/* Growth is measured from that report now. */
	syn_flood(&s, 45000);
	plus_udp_flood(&s, 100000 + 0.9 * 149000);
	CU_ASSERT_EQUAL(xg_detect_step(&d, &cfg, &s, thr, false, t + 6 * NS, &cls), XG_EV_NONE);

	/* A metric that fires for the first time is reported. */
	syn_flood(&s, 45000);
	plus_udp_flood(&s, 100000);
	s.metric[XG_M_ICMP_PPS] = 1.5 * thr[XG_M_ICMP_PPS];
	CU_ASSERT_EQUAL(xg_detect_step(&d, &cfg, &s, thr, false, t + 7 * NS, &cls), XG_EV_UPDATE);
	CU_ASSERT_TRUE(d.cur.fired & (1ULL << XG_M_ICMP_PPS));
	/* The peak stays the peak when traffic falls. */
	CU_ASSERT_DOUBLE_EQUAL(d.cur.peak_pps, 149000 + 0.9 * 149000, 1e-6);
	CU_ASSERT_STRING_EQUAL(d.cur.cls.family, "multi_vector");
	CU_ASSERT_STRING_EQUAL(d.cur.cls.subtype, "syn+udp");
}

static void test_close_and_reopen(void)
{
	struct xg_detect_cfg cfg;
	struct xg_detector d;
	struct xg_snapshot s;
	struct xg_class cls;
	double thr[XG_M_MAX];
	uint64_t t = start_ns(), first_seq;
	char first_id[40];
	int i;

	xg_detect_cfg_defaults(&cfg);
	xg_detector_init(&d, 41);
	floors(thr);

	syn_flood(&s, 40000);
	CU_ASSERT_EQUAL(xg_detect_step(&d, &cfg, &s, thr, false, t, &cls), XG_EV_OPEN);
	first_seq = d.cur.seq;
	strcpy(first_id, d.cur.id);

	/* Three quiet ticks, then it fires again: the count starts over. */
	quiet(&s);
	for (i = 1; i <= 3; i++) {
		CU_ASSERT_EQUAL(
		    xg_detect_step(&d, &cfg, &s, thr, false, t + (uint64_t)i * NS, &cls),
		    XG_EV_NONE);
		CU_ASSERT_EQUAL(d.cur.under_ticks, i);
		CU_ASSERT_STRING_EQUAL(cls.family, "");
	}
	syn_flood(&s, 40000);
	CU_ASSERT_EQUAL(xg_detect_step(&d, &cfg, &s, thr, false, t + 4 * NS, &cls), XG_EV_NONE);
	CU_ASSERT_EQUAL(d.cur.under_ticks, 0);

	/* Exactly close_ticks quiet ticks close it. */
	quiet(&s);
	for (i = 1; i < cfg.close_ticks; i++)
		CU_ASSERT_EQUAL(
		    xg_detect_step(&d, &cfg, &s, thr, false, t + (uint64_t)(4 + i) * NS, &cls),
		    XG_EV_NONE);
	CU_ASSERT_TRUE(d.open);
	CU_ASSERT_EQUAL(xg_detect_step(&d, &cfg, &s, thr, false, t + 9 * NS, &cls), XG_EV_CLOSE);
	CU_ASSERT_FALSE(d.open);
	CU_ASSERT_EQUAL(d.cur.end_ns, t + 9 * NS);
	CU_ASSERT_EQUAL(d.cur.seq, first_seq);
	CU_ASSERT_EQUAL(xg_detect_step(&d, &cfg, &s, thr, false, t + 10 * NS, &cls), XG_EV_NONE);

	/* Later, another one: the next seq and a new id. */
	syn_flood(&s, 40000);
	CU_ASSERT_EQUAL(xg_detect_step(&d, &cfg, &s, thr, false, t + 3600 * NS, &cls), XG_EV_OPEN);
	CU_ASSERT_EQUAL(d.cur.seq, first_seq + 1);
	CU_ASSERT_EQUAL(d.next_seq, first_seq + 2);
	CU_ASSERT_STRING_EQUAL(d.cur.id, "20261121T231903Z-42");
	CU_ASSERT_STRING_NOT_EQUAL(d.cur.id, first_id);
	CU_ASSERT_EQUAL(d.cur.end_ns, 0);
	CU_ASSERT_EQUAL(d.cur.updates, 0);

	/* close_ticks 1: the first quiet tick closes. */
	cfg.close_ticks = 1;
	quiet(&s);
	CU_ASSERT_EQUAL(xg_detect_step(&d, &cfg, &s, thr, false, t + 3601 * NS, &cls), XG_EV_CLOSE);
}

/* An avalanche of re-registrations from known peers is a surge, not an
 * incident; the same from strangers opens one. */
static void test_surge(void)
{
	struct xg_detect_cfg cfg;
	struct xg_detector d;
	struct xg_snapshot s;
	struct xg_class cls;
	double thr[XG_M_MAX];
	uint64_t t = start_ns();

	xg_detect_cfg_defaults(&cfg);
	xg_detector_init(&d, 7);
	floors(thr);
	quiet(&s);
	s.sip_pps[XG_SIP_REGISTER] = 1000;
	s.svc_pps[XG_SVC_SIP_UDP] = 1150;
	s.metric[XG_M_SIP_REGISTER_PPS] = 1000;
	s.metric[XG_M_SIP_UDP_PPS] = 1150;
	s.sip_known_share = 0.95;
	CU_ASSERT_EQUAL(xg_detect_step(&d, &cfg, &s, thr, false, t, &cls), XG_EV_SURGE);
	CU_ASSERT_STRING_EQUAL(cls.family, "sip_registration_surge");
	CU_ASSERT_FALSE(cls.attack);
	CU_ASSERT_FALSE(d.open);
	CU_ASSERT_EQUAL(d.next_seq, 7);

	s.sip_known_share = 0.1;
	s.new_source_share = 0.85;
	CU_ASSERT_EQUAL(xg_detect_step(&d, &cfg, &s, thr, false, t + NS, &cls), XG_EV_OPEN);
	CU_ASSERT_STRING_EQUAL(d.cur.cls.family, "sip_register_flood");
	CU_ASSERT_EQUAL(d.cur.seq, 7);
}

static uint32_t lcg(uint32_t *state)
{
	*state = *state * 1664525u + 1013904223u;
	return *state >> 8;
}

/* Every metric at level x its floor, with +-10% noise. */
static void ramp_tick(struct xg_snapshot *s, double level, uint32_t *seed)
{
	int m;

	quiet(s);
	for (m = 0; m < XG_M_MAX; m++) {
		double noise = 0.9 + 0.2 * (double)(lcg(seed) % 10001) / 10000;

		s->metric[m] = level * xg_metric_default_floor(m) * noise;
	}
}

/* Busy traffic (twice the floors) growing 3x over 30 minutes, one tick a
 * second, the baseline updated every tick: never an incident. */
static void test_gradual_ramp(void)
{
	struct xg_baseline *b = malloc(sizeof(*b));
	struct xg_baseline_cfg bcfg;
	struct xg_detect_cfg dcfg;
	struct xg_detector d;
	struct xg_snapshot s;
	struct xg_class cls;
	double thr[XG_M_MAX], worst = 0;
	uint64_t t = start_ns();
	uint32_t seed = 1;
	int i, events = 0, m;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	xg_baseline_init(b);
	xg_baseline_cfg_defaults(&bcfg);
	xg_detect_cfg_defaults(&dcfg);
	xg_detector_init(&d, 1);

	for (i = 0; i < 600 + 1800 + 600; i++, t += NS) {
		double level = i < 600 ? 2 : i < 2400 ? 2 * (1 + 2.0 * (i - 600) / 1800) : 6;

		ramp_tick(&s, level, &seed);
		xg_baseline_thresholds(b, &bcfg, t, thr);
		/* The first tick has no baseline yet: only the floors, under
		 * which the busy traffic would fire; a real node starts in its
		 * learning period and from a saved baseline. */
		if (i > 0) {
			if (xg_detect_step(&d, &dcfg, &s, thr, xg_baseline_learning(b, &bcfg, t), t,
					   &cls) != XG_EV_NONE)
				events++;
			for (m = 0; m < XG_M_MAX; m++)
				if (s.metric[m] / thr[m] > worst)
					worst = s.metric[m] / thr[m];
		}
		if (!d.open)
			xg_baseline_update(b, &bcfg, s.metric, t);
	}
	CU_ASSERT_EQUAL(events, 0);
	CU_ASSERT_FALSE(d.open);
	CU_ASSERT_TRUE(worst < 0.6);

	/* The same baseline still catches a sudden flood. */
	ramp_tick(&s, 6, &seed);
	s.metric[XG_M_SYN_PPS] *= 5;
	s.tcpf_pps[XG_TCPF_SYN] = s.metric[XG_M_SYN_PPS];
	xg_baseline_thresholds(b, &bcfg, t, thr);
	CU_ASSERT_EQUAL(xg_detect_step(&d, &dcfg, &s, thr, false, t, &cls), XG_EV_OPEN);
	free(b);
}

void add_detect_suite(void)
{
	CU_pSuite s = CU_add_suite("detect", NULL, NULL);

	CU_add_test(s, "fired metrics", test_fired);
	CU_add_test(s, "opens in the tick it fires", test_open_same_tick);
	CU_add_test(s, "updates on class change, new metrics, peak growth", test_updates);
	CU_add_test(s, "closes after close_ticks quiet ticks, reopens with seq+1",
		    test_close_and_reopen);
	CU_add_test(s, "benign surge opens nothing", test_surge);
	CU_add_test(s, "a gradual 3x ramp never fires", test_gradual_ramp);
}
