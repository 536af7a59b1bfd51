// SPDX-License-Identifier: GPL-2.0-only
/* Mitigation planning from hand-built snapshots and incidents, with the
 * preserved and soft-allowlisted sets as small arrays. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "planner.h"
#include "suites.h"
#include "testutil.h"

#define SET_MAX 16

/* Counts a broken property and says which. */
#define PROPERTY(cond, n)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "\n%s:%d: not %s\n", __FILE__, __LINE__, #cond);           \
			(n)++;                                                                     \
		}                                                                                  \
	} while (0)

/* The test's preserved set: entries may be hosts or prefixes. */
struct keepset {
	struct xg_cidr pres[SET_MAX];
	int np;
	struct xg_cidr soft[SET_MAX];
	int ns;
};

static bool overlaps(const struct xg_cidr *a, const struct xg_cidr *b)
{
	return xg_cidr_contains(a, b) || xg_cidr_contains(b, a);
}

static bool ks_is_preserved(void *arg, const struct xg_cidr *host)
{
	const struct keepset *k = arg;
	int i;

	for (i = 0; i < k->np; i++)
		if (xg_cidr_contains(&k->pres[i], host))
			return true;
	return false;
}

static bool ks_covers_preserved(void *arg, const struct xg_cidr *prefix)
{
	const struct keepset *k = arg;
	int i;

	for (i = 0; i < k->np; i++)
		if (overlaps(prefix, &k->pres[i]))
			return true;
	return false;
}

static bool ks_is_soft(void *arg, const struct xg_cidr *host)
{
	const struct keepset *k = arg;
	int i;

	for (i = 0; i < k->ns; i++)
		if (xg_cidr_contains(&k->soft[i], host))
			return true;
	return false;
}

static struct xg_preserved keep_of(struct keepset *k)
{
	return (struct xg_preserved){.is_preserved = ks_is_preserved,
				     .covers_preserved = ks_covers_preserved,
				     .is_soft = ks_is_soft,
				     .arg = k};
}

static void preserve(struct keepset *k, const char *text)
{
	k->pres[k->np++] = xg_test_cidr(text);
}

static void soften(struct keepset *k, const char *text)
{
	k->soft[k->ns++] = xg_test_cidr(text);
}

static void add_src(struct xg_snapshot *s, const char *addr, double pps, bool known)
{
	struct xg_addr_rate *r = &s->top_src[s->n_top_src++];

	memset(r, 0, sizeof(*r));
	r->addr = xg_test_cidr(addr);
	r->pps = pps;
	r->bps = pps * 800;
	r->known = known;
}

static void snap(struct xg_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->interval_s = 1;
	s->distinct_sources = 40;
	s->sip_known_share = -1;
	s->new_source_share = 0.9;
}

static void incident(struct xg_incident *inc, const char *family, const char *subtype,
		     const char *service)
{
	memset(inc, 0, sizeof(*inc));
	inc->seq = 1;
	snprintf(inc->id, sizeof(inc->id), "20260101T000000Z-1");
	snprintf(inc->cls.family, sizeof(inc->cls.family), "%s", family);
	snprintf(inc->cls.subtype, sizeof(inc->cls.subtype), "%s", subtype);
	snprintf(inc->cls.service, sizeof(inc->cls.service), "%s", service);
	inc->cls.attack = true;
	inc->cls.confidence = 90;
}

static const double no_peace[XG_SVC_MAX];

static int count_kind(const struct xg_plan *p, enum xg_step_kind kind)
{
	int i, n = 0;

	for (i = 0; i < p->n; i++)
		n += p->steps[i].kind == kind;
	return n;
}

/* The step of that kind whose target prints as text, or NULL. */
static const struct xg_step *find_target(const struct xg_plan *p, enum xg_step_kind kind,
					 const char *text)
{
	char buf[64];
	int i;

	for (i = 0; i < p->n; i++) {
		if (p->steps[i].kind != kind ||
		    (kind != XG_STEP_BLOCK && kind != XG_STEP_RATELIMIT))
			continue;
		xg_cidr_format(&p->steps[i].target, buf, sizeof(buf));
		if (!strcmp(buf, text))
			return &p->steps[i];
	}
	return NULL;
}

static bool targets(const struct xg_plan *p, const char *text)
{
	return find_target(p, XG_STEP_BLOCK, text) || find_target(p, XG_STEP_RATELIMIT, text);
}

static void dump(const struct xg_plan *p)
{
	static const char *const kinds[] = {"BLOCK", "RATELIMIT", "PROTECT", "AMP_DROP"};
	char buf[64];
	int i;

	for (i = 0; i < p->n; i++) {
		xg_cidr_format(&p->steps[i].target, buf, sizeof(buf));
		fprintf(stderr, "  %s %s: %s\n", kinds[p->steps[i].kind],
			p->steps[i].kind <= XG_STEP_RATELIMIT ? buf : "-", p->steps[i].reason);
	}
}

static void test_defaults(void)
{
	struct xg_plan_cfg cfg;

	xg_plan_cfg_defaults(&cfg);
	CU_ASSERT_EQUAL(cfg.max_block_sources, 32);
	CU_ASSERT_DOUBLE_EQUAL(cfg.min_source_pps, 50, 1e-9);
	CU_ASSERT_EQUAL(cfg.aggregate_min, 4);
	CU_ASSERT_DOUBLE_EQUAL(cfg.protect_distinct, 500, 1e-9);
	CU_ASSERT_EQUAL(cfg.protect_source_pps, 10);
	CU_ASSERT_DOUBLE_EQUAL(cfg.protect_budget_factor, 2, 1e-9);
	CU_ASSERT_EQUAL(cfg.protect_budget_min, 100);
	CU_ASSERT_EQUAL(cfg.soft_rate_pps, 50);
}

static void test_service_class(void)
{
	struct xg_class c;

	CU_ASSERT_EQUAL(xg_plan_service_class("sip-udp"), XG_SVC_SIP_UDP);
	CU_ASSERT_EQUAL(xg_plan_service_class("sip-tcp"), XG_SVC_SIP_TCP);
	CU_ASSERT_EQUAL(xg_plan_service_class("sip-tls"), XG_SVC_SIP_TLS);
	CU_ASSERT_EQUAL(xg_plan_service_class("rtp"), XG_SVC_RTP);
	CU_ASSERT_EQUAL(xg_plan_service_class("udp/53"), XG_SVC_NONE);
	CU_ASSERT_EQUAL(xg_plan_service_class("any"), XG_SVC_NONE);
	CU_ASSERT_EQUAL(xg_plan_service_class("turn"), XG_SVC_NONE);
	CU_ASSERT_EQUAL(xg_plan_service_class(""), XG_SVC_NONE);
	CU_ASSERT_EQUAL(xg_plan_service_class(NULL), XG_SVC_NONE);

	memset(&c, 0, sizeof(c));
	strcpy(c.family, "amplification");
	strcpy(c.subtype, "dns");
	CU_ASSERT_EQUAL(xg_plan_amp_class(&c), XG_AMP_DNS);
	strcpy(c.subtype, "memcached");
	CU_ASSERT_EQUAL(xg_plan_amp_class(&c), XG_AMP_MEMCACHED);
	strcpy(c.subtype, "ubnt");
	CU_ASSERT_EQUAL(xg_plan_amp_class(&c), XG_AMP_UBNT);
	strcpy(c.subtype, "bogus");
	CU_ASSERT_EQUAL(xg_plan_amp_class(&c), XG_AMP_NONE);
	strcpy(c.family, "udp_flood");
	strcpy(c.subtype, "dns");
	CU_ASSERT_EQUAL(xg_plan_amp_class(&c), XG_AMP_NONE);

	memset(&c, 0, sizeof(c));
	strcpy(c.family, "sip_invite_flood");
	CU_ASSERT_EQUAL(xg_plan_attack_metric(&c), XG_M_SIP_INVITE_PPS);
	strcpy(c.family, "udp_flood");
	strcpy(c.service, "sip-udp");
	CU_ASSERT_EQUAL(xg_plan_attack_metric(&c), XG_M_SIP_UDP_PPS);
	strcpy(c.service, "udp/53");
	CU_ASSERT_EQUAL(xg_plan_attack_metric(&c), XG_M_UDP_PPS);
	strcpy(c.family, "tcp_flood");
	strcpy(c.subtype, "ack");
	CU_ASSERT_EQUAL(xg_plan_attack_metric(&c), XG_M_ACK_PPS);
	strcpy(c.family, "multi_vector");
	strcpy(c.subtype, "syn+udp");
	CU_ASSERT_EQUAL(xg_plan_attack_metric(&c), XG_M_PPS);
}

static void test_top_sources(void)
{
	struct xg_plan_cfg cfg;
	struct xg_incident inc;
	struct xg_snapshot s;
	struct keepset k = {0};
	struct xg_preserved keep = keep_of(&k);
	struct xg_plan p;

	xg_plan_cfg_defaults(&cfg);
	snap(&s);
	s.metric[XG_M_UDP_PPS] = 6500;
	add_src(&s, "198.51.100.7", 3100, false);
	add_src(&s, "203.0.113.9", 2000, false);
	add_src(&s, "192.0.2.10", 900, true); /* seen in peacetime */
	add_src(&s, "100.64.1.1", 800, false);
	add_src(&s, "100.64.2.1", 49, false); /* too small */
	incident(&inc, "udp_flood", "", "udp/5060");

	xg_plan(&cfg, &inc, &s, &keep, no_peace, &p);
	CU_ASSERT_EQUAL_FATAL(p.n, 3);
	CU_ASSERT_EQUAL(count_kind(&p, XG_STEP_BLOCK), 3);
	CU_ASSERT_TRUE(find_target(&p, XG_STEP_BLOCK, "198.51.100.7") == &p.steps[0]);
	CU_ASSERT_TRUE(find_target(&p, XG_STEP_BLOCK, "203.0.113.9") == &p.steps[1]);
	CU_ASSERT_TRUE(find_target(&p, XG_STEP_BLOCK, "100.64.1.1") == &p.steps[2]);
	CU_ASSERT_EQUAL(p.steps[0].target.prefixlen, 32);
	CU_ASSERT_STRING_EQUAL(p.steps[0].reason, "top source 3100 pps of udp_flood");
	CU_ASSERT_FALSE(targets(&p, "192.0.2.10"));
	CU_ASSERT_FALSE(targets(&p, "100.64.2.1"));

	/* Listed twice, once as known: known. */
	add_src(&s, "203.0.113.9", 60, true);
	xg_plan(&cfg, &inc, &s, &keep, no_peace, &p);
	CU_ASSERT_EQUAL(p.n, 2);
	CU_ASSERT_FALSE(targets(&p, "203.0.113.9"));
	s.n_top_src--;

	/* Not an attack or in the learning period: planned all the same. */
	inc.cls.attack = false;
	inc.learning = true;
	xg_plan(&cfg, &inc, &s, &keep, no_peace, &p);
	CU_ASSERT_EQUAL(p.n, 3);
}

static void test_ipv6(void)
{
	struct xg_plan_cfg cfg;
	struct xg_incident inc;
	struct xg_snapshot s;
	struct xg_plan p;

	xg_plan_cfg_defaults(&cfg);
	snap(&s);
	s.metric[XG_M_UDP_PPS] = 5000;
	add_src(&s, "2001:db8:1::5", 2500, false);
	add_src(&s, "2001:db8:2::9", 1500, false);
	incident(&inc, "udp_flood", "", "any");

	/* No preserved set at all. */
	xg_plan(&cfg, &inc, &s, NULL, NULL, &p);
	CU_ASSERT_EQUAL_FATAL(p.n, 2);
	CU_ASSERT_EQUAL(p.steps[0].kind, XG_STEP_BLOCK);
	CU_ASSERT_EQUAL(p.steps[0].target.family, AF_INET6);
	CU_ASSERT_EQUAL(p.steps[0].target.prefixlen, 128);
	CU_ASSERT_PTR_NOT_NULL(find_target(&p, XG_STEP_BLOCK, "2001:db8:1::5"));
	CU_ASSERT_PTR_NOT_NULL(find_target(&p, XG_STEP_BLOCK, "2001:db8:2::9"));

	/* Four in one /64: the /64. */
	add_src(&s, "2001:db8:3::1", 300, false);
	add_src(&s, "2001:db8:3::2", 300, false);
	add_src(&s, "2001:db8:3::3:4", 300, false);
	add_src(&s, "2001:db8:3:0:ffff::1", 300, false);
	xg_plan(&cfg, &inc, &s, NULL, NULL, &p);
	CU_ASSERT_EQUAL_FATAL(p.n, 3);
	CU_ASSERT_PTR_NOT_NULL(find_target(&p, XG_STEP_BLOCK, "2001:db8:3::/64"));
	CU_ASSERT_TRUE(find_target(&p, XG_STEP_BLOCK, "2001:db8:3::/64") == &p.steps[0]);
}

/* Five sources in 10.123.5.0/24 at 400-800 pps, one elsewhere at 3000. */
static void crowd(struct xg_snapshot *s)
{
	snap(s);
	s->metric[XG_M_SIP_INVITE_PPS] = 6000;
	s->metric[XG_M_UDP_PPS] = 6500;
	add_src(s, "198.51.100.7", 3000, false);
	add_src(s, "10.123.5.1", 800, false);
	add_src(s, "10.123.5.2", 700, false);
	add_src(s, "10.123.5.3", 600, false);
	add_src(s, "10.123.5.4", 500, false);
	add_src(s, "10.123.5.200", 400, false);
}

static void test_aggregate(void)
{
	struct xg_plan_cfg cfg;
	struct xg_incident inc;
	struct xg_snapshot s;
	struct keepset k = {0};
	struct xg_preserved keep = keep_of(&k);
	struct xg_plan p;

	xg_plan_cfg_defaults(&cfg);
	crowd(&s);
	incident(&inc, "sip_invite_flood", "", "sip-udp");
	preserve(&k, "10.99.0.1"); /* elsewhere */
	xg_plan(&cfg, &inc, &s, &keep, no_peace, &p);
	CU_ASSERT_EQUAL_FATAL(p.n, 2);
	/* Prefix steps before host steps, even when a host is busier. */
	CU_ASSERT_EQUAL(p.steps[0].kind, XG_STEP_BLOCK);
	CU_ASSERT_TRUE(find_target(&p, XG_STEP_BLOCK, "10.123.5.0/24") == &p.steps[0]);
	CU_ASSERT_STRING_EQUAL(p.steps[0].reason,
			       "5 sources in 10.123.5.0/24, 3000 pps of sip_invite_flood");
	CU_ASSERT_TRUE(find_target(&p, XG_STEP_BLOCK, "198.51.100.7") == &p.steps[1]);
	CU_ASSERT_FALSE(targets(&p, "10.123.5.1"));

	/* Three are not enough. */
	s.n_top_src = 4;
	xg_plan(&cfg, &inc, &s, &keep, no_peace, &p);
	CU_ASSERT_EQUAL(p.n, 4);
	CU_ASSERT_EQUAL(count_kind(&p, XG_STEP_BLOCK), 4);
	CU_ASSERT_FALSE(targets(&p, "10.123.5.0/24"));
}

static void test_aggregate_around_peer(void)
{
	struct xg_plan_cfg cfg;
	struct xg_incident inc;
	struct xg_snapshot s;
	struct keepset k = {0};
	struct xg_preserved keep = keep_of(&k);
	struct xg_plan p;
	const struct xg_step *st;
	int i;

	xg_plan_cfg_defaults(&cfg);
	crowd(&s);
	incident(&inc, "sip_invite_flood", "", "sip-udp");
	preserve(&k, "10.123.5.77"); /* a peer, quiet in this tick */
	xg_plan(&cfg, &inc, &s, &keep, no_peace, &p);
	CU_ASSERT_EQUAL_FATAL(p.n, 6);
	CU_ASSERT_EQUAL(count_kind(&p, XG_STEP_BLOCK), 6);
	CU_ASSERT_FALSE(targets(&p, "10.123.5.0/24"));
	CU_ASSERT_FALSE(targets(&p, "10.123.5.77"));
	for (i = 0; i < p.n; i++) {
		CU_ASSERT_EQUAL(p.steps[i].target.prefixlen, 32);
		CU_ASSERT_FALSE(ks_covers_preserved(&k, &p.steps[i].target));
	}
	/* By pps, descending. */
	CU_ASSERT_TRUE(find_target(&p, XG_STEP_BLOCK, "198.51.100.7") == &p.steps[0]);
	CU_ASSERT_TRUE(find_target(&p, XG_STEP_BLOCK, "10.123.5.1") == &p.steps[1]);
	CU_ASSERT_TRUE(find_target(&p, XG_STEP_BLOCK, "10.123.5.200") == &p.steps[5]);
	st = find_target(&p, XG_STEP_BLOCK, "10.123.5.2");
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_PTR_NOT_NULL(strstr(st->reason, "700 pps"));
	CU_ASSERT_PTR_NOT_NULL(strstr(st->reason, "10.123.5.0/24 holds a peer"));

	/* A preserved /28 that overlaps the /24 splits it too. */
	k.np = 0;
	preserve(&k, "10.123.5.64/28");
	xg_plan(&cfg, &inc, &s, &keep, no_peace, &p);
	CU_ASSERT_EQUAL(p.n, 6);
	CU_ASSERT_FALSE(targets(&p, "10.123.5.0/24"));

	/* Splitting would exceed the host budget: the /24 is rate-limited. */
	cfg.max_block_sources = 3;
	xg_plan(&cfg, &inc, &s, &keep, no_peace, &p);
	CU_ASSERT_EQUAL_FATAL(p.n, 2);
	st = find_target(&p, XG_STEP_RATELIMIT, "10.123.5.0/24");
	CU_ASSERT_TRUE(st == &p.steps[0]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL(st->rate_pps, cfg.protect_source_pps);
	CU_ASSERT_TRUE(find_target(&p, XG_STEP_BLOCK, "198.51.100.7") == &p.steps[1]);
	CU_ASSERT_EQUAL(count_kind(&p, XG_STEP_BLOCK), 1);

	/* A source known from peacetime in the /24 keeps it from a block too. */
	xg_plan_cfg_defaults(&cfg);
	k.np = 0;
	add_src(&s, "10.123.5.9", 300, true);
	xg_plan(&cfg, &inc, &s, &keep, no_peace, &p);
	CU_ASSERT_EQUAL(p.n, 6);
	CU_ASSERT_FALSE(targets(&p, "10.123.5.0/24"));
	CU_ASSERT_FALSE(targets(&p, "10.123.5.9"));
}

static void test_preserved_source(void)
{
	struct xg_plan_cfg cfg;
	struct xg_incident inc;
	struct xg_snapshot s;
	struct keepset k = {0};
	struct xg_preserved keep = keep_of(&k);
	struct xg_plan p;

	xg_plan_cfg_defaults(&cfg);
	crowd(&s);
	/* The busiest source is an allowlisted carrier trunk, and so is one
	 * of the /24. */
	preserve(&k, "198.51.100.7");
	preserve(&k, "10.123.5.3");
	incident(&inc, "sip_invite_flood", "", "sip-udp");
	xg_plan(&cfg, &inc, &s, &keep, no_peace, &p);
	CU_ASSERT_FALSE(targets(&p, "198.51.100.7"));
	CU_ASSERT_FALSE(targets(&p, "10.123.5.3"));
	CU_ASSERT_FALSE(targets(&p, "10.123.5.0/24"));
	CU_ASSERT_EQUAL(count_kind(&p, XG_STEP_BLOCK), 4);
	CU_ASSERT_PTR_NOT_NULL(find_target(&p, XG_STEP_BLOCK, "10.123.5.1"));
}

static void test_soft(void)
{
	struct xg_plan_cfg cfg;
	struct xg_incident inc;
	struct xg_snapshot s;
	struct keepset k = {0};
	struct xg_preserved keep = keep_of(&k);
	struct xg_plan p;
	const struct xg_step *st;

	xg_plan_cfg_defaults(&cfg);
	snap(&s);
	s.metric[XG_M_SIP_REGISTER_PPS] = 4000;
	add_src(&s, "198.51.100.7", 2000, false);
	add_src(&s, "203.0.113.9", 1500, false);
	soften(&k, "203.0.113.0/24");
	incident(&inc, "sip_register_flood", "", "sip-udp");
	xg_plan(&cfg, &inc, &s, &keep, no_peace, &p);
	CU_ASSERT_EQUAL_FATAL(p.n, 2);
	CU_ASSERT_PTR_NOT_NULL(find_target(&p, XG_STEP_BLOCK, "198.51.100.7"));
	st = find_target(&p, XG_STEP_RATELIMIT, "203.0.113.9");
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL(st->rate_pps, 50);
	CU_ASSERT_PTR_NOT_NULL(strstr(st->reason, "soft"));
	CU_ASSERT_FALSE(find_target(&p, XG_STEP_BLOCK, "203.0.113.9") != NULL);

	/* Soft hosts inside a blocked /24 keep an exact rate limit, which wins
	 * over the prefix in the data plane. */
	crowd(&s);
	k.ns = 0;
	soften(&k, "10.123.5.2");
	xg_plan(&cfg, &inc, &s, &keep, no_peace, &p);
	CU_ASSERT_PTR_NOT_NULL(find_target(&p, XG_STEP_BLOCK, "10.123.5.0/24"));
	st = find_target(&p, XG_STEP_RATELIMIT, "10.123.5.2");
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL(st->rate_pps, cfg.soft_rate_pps);
}

static void test_spoofed(void)
{
	struct xg_plan_cfg cfg;
	struct xg_incident inc;
	struct xg_snapshot s;
	struct keepset k = {0};
	struct xg_preserved keep = keep_of(&k);
	double peace[XG_SVC_MAX] = {0};
	struct xg_plan p;

	xg_plan_cfg_defaults(&cfg);
	crowd(&s);
	s.distinct_sources = 40000;
	incident(&inc, "sip_invite_flood", "", "sip-udp");
	inc.cls.spoofed = true;
	peace[XG_SVC_SIP_UDP] = 120;
	xg_plan(&cfg, &inc, &s, &keep, peace, &p);
	CU_ASSERT_EQUAL_FATAL(p.n, 1);
	CU_ASSERT_EQUAL(p.steps[0].kind, XG_STEP_PROTECT);
	CU_ASSERT_EQUAL(p.steps[0].svc, XG_SVC_SIP_UDP);
	CU_ASSERT_EQUAL(p.steps[0].rate_pps, 10);
	CU_ASSERT_EQUAL(p.steps[0].budget_pps, 240);
	CU_ASSERT_STRING_EQUAL(p.steps[0].reason,
			       "spoofed sip_invite_flood: protect sip-udp, budget 240 pps");

	/* A quiet service: the floor. */
	peace[XG_SVC_SIP_UDP] = 20;
	xg_plan(&cfg, &inc, &s, &keep, peace, &p);
	CU_ASSERT_EQUAL_FATAL(p.n, 1);
	CU_ASSERT_EQUAL(p.steps[0].budget_pps, 100);
	xg_plan(&cfg, &inc, &s, &keep, NULL, &p);
	CU_ASSERT_EQUAL_FATAL(p.n, 1);
	CU_ASSERT_EQUAL(p.steps[0].budget_pps, 100);

	/* Spoofed at a service that is no class: nothing to do. */
	incident(&inc, "syn_flood", "", "tcp/443");
	inc.cls.spoofed = true;
	xg_plan(&cfg, &inc, &s, &keep, peace, &p);
	CU_ASSERT_EQUAL(p.n, 0);

	/* TLS and RTP map to their classes. */
	incident(&inc, "sip_tls_syn_flood", "", "sip-tls");
	inc.cls.spoofed = true;
	xg_plan(&cfg, &inc, &s, &keep, peace, &p);
	CU_ASSERT_EQUAL_FATAL(p.n, 1);
	CU_ASSERT_EQUAL(p.steps[0].svc, XG_SVC_SIP_TLS);
	incident(&inc, "rtp_flood", "non_rtp", "rtp");
	inc.cls.spoofed = true;
	xg_plan(&cfg, &inc, &s, &keep, peace, &p);
	CU_ASSERT_EQUAL_FATAL(p.n, 1);
	CU_ASSERT_EQUAL(p.steps[0].svc, XG_SVC_RTP);
}

static void test_many_sources(void)
{
	struct xg_plan_cfg cfg;
	struct xg_incident inc;
	struct xg_snapshot s;
	struct keepset k = {0};
	struct xg_preserved keep = keep_of(&k);
	double peace[XG_SVC_MAX] = {0};
	struct xg_plan p;

	xg_plan_cfg_defaults(&cfg);
	peace[XG_SVC_SIP_UDP] = 400;
	crowd(&s);
	incident(&inc, "sip_register_flood", "", "sip-udp");
	inc.cls.botnet = true;
	s.metric[XG_M_SIP_REGISTER_PPS] = 6000;

	/* 500 is not more than 500. */
	s.distinct_sources = 500;
	xg_plan(&cfg, &inc, &s, &keep, peace, &p);
	CU_ASSERT_EQUAL(count_kind(&p, XG_STEP_PROTECT), 0);

	s.distinct_sources = 2400;
	xg_plan(&cfg, &inc, &s, &keep, peace, &p);
	CU_ASSERT_EQUAL_FATAL(p.n, 3);
	CU_ASSERT_EQUAL(p.steps[0].kind, XG_STEP_PROTECT);
	CU_ASSERT_EQUAL(p.steps[0].svc, XG_SVC_SIP_UDP);
	CU_ASSERT_EQUAL(p.steps[0].budget_pps, 800);
	CU_ASSERT_PTR_NOT_NULL(strstr(p.steps[0].reason, "2400"));
	/* Real sources: blocked besides. */
	CU_ASSERT_TRUE(find_target(&p, XG_STEP_BLOCK, "10.123.5.0/24") == &p.steps[1]);
	CU_ASSERT_TRUE(find_target(&p, XG_STEP_BLOCK, "198.51.100.7") == &p.steps[2]);
}

static void test_thin_sources(void)
{
	struct xg_plan_cfg cfg;
	struct xg_incident inc;
	struct xg_snapshot s;
	struct xg_plan p;

	xg_plan_cfg_defaults(&cfg);
	crowd(&s);
	incident(&inc, "sip_invite_flood", "", "sip-udp");
	/* The top sources carry 6000 of 20000 pps: most of it is spread
	 * over sources too small to see. */
	s.metric[XG_M_SIP_INVITE_PPS] = 20000;
	xg_plan(&cfg, &inc, &s, NULL, no_peace, &p);
	CU_ASSERT_EQUAL_FATAL(p.n, 3);
	CU_ASSERT_EQUAL(p.steps[0].kind, XG_STEP_PROTECT);
	CU_ASSERT_EQUAL(p.steps[0].budget_pps, 100);
	CU_ASSERT_EQUAL(count_kind(&p, XG_STEP_BLOCK), 2);

	/* 6000 of 11000: blocking covers most of it. */
	s.metric[XG_M_SIP_INVITE_PPS] = 11000;
	xg_plan(&cfg, &inc, &s, NULL, no_peace, &p);
	CU_ASSERT_EQUAL(count_kind(&p, XG_STEP_PROTECT), 0);

	/* No candidate at all and nothing to protect: an empty plan. */
	snap(&s);
	s.metric[XG_M_UDP_PPS] = 9000;
	add_src(&s, "192.0.2.1", 3000, true);
	add_src(&s, "192.0.2.2", 20, false);
	incident(&inc, "udp_flood", "", "udp/9999");
	xg_plan(&cfg, &inc, &s, NULL, no_peace, &p);
	CU_ASSERT_EQUAL(p.n, 0);
}

static void test_amplification(void)
{
	struct xg_plan_cfg cfg;
	struct xg_incident inc;
	struct xg_snapshot s;
	struct keepset k = {0};
	struct xg_preserved keep = keep_of(&k);
	struct xg_plan p;

	xg_plan_cfg_defaults(&cfg);
	snap(&s);
	s.metric[XG_M_AMP_PPS] = 50000;
	s.amp_pps[XG_AMP_DNS] = 48000;
	s.distinct_sources = 300;
	add_src(&s, "8.8.4.4", 4000, false);
	add_src(&s, "9.9.9.9", 3500, false);
	add_src(&s, "1.1.1.1", 3000, false);
	preserve(&k, "1.1.1.1"); /* the node's own resolver */
	incident(&inc, "amplification", "dns", "rtp");
	xg_plan(&cfg, &inc, &s, &keep, no_peace, &p);
	CU_ASSERT_EQUAL_FATAL(p.n, 3);
	CU_ASSERT_EQUAL(p.steps[0].kind, XG_STEP_AMP_DROP);
	CU_ASSERT_EQUAL(p.steps[0].amp, XG_AMP_DNS);
	CU_ASSERT_PTR_NOT_NULL(strstr(p.steps[0].reason, "48000"));
	CU_ASSERT_TRUE(find_target(&p, XG_STEP_BLOCK, "8.8.4.4") == &p.steps[1]);
	CU_ASSERT_TRUE(find_target(&p, XG_STEP_BLOCK, "9.9.9.9") == &p.steps[2]);
	CU_ASSERT_FALSE(targets(&p, "1.1.1.1"));

	/* Spoofed-looking: the source-port rule only. */
	inc.cls.spoofed = true;
	incident(&inc, "amplification", "ntp", "udp/5060");
	inc.cls.spoofed = true;
	xg_plan(&cfg, &inc, &s, &keep, no_peace, &p);
	CU_ASSERT_EQUAL_FATAL(p.n, 1);
	CU_ASSERT_EQUAL(p.steps[0].kind, XG_STEP_AMP_DROP);
	CU_ASSERT_EQUAL(p.steps[0].amp, XG_AMP_NTP);

	/* Spoofed on a service: AMP_DROP, then PROTECT. */
	incident(&inc, "amplification", "memcached", "sip-udp");
	inc.cls.spoofed = true;
	xg_plan(&cfg, &inc, &s, &keep, no_peace, &p);
	CU_ASSERT_EQUAL_FATAL(p.n, 2);
	CU_ASSERT_EQUAL(p.steps[0].kind, XG_STEP_AMP_DROP);
	CU_ASSERT_EQUAL(p.steps[0].amp, XG_AMP_MEMCACHED);
	CU_ASSERT_EQUAL(p.steps[1].kind, XG_STEP_PROTECT);

	/* An unknown subtype: no class to drop, blocks only. */
	incident(&inc, "amplification", "quic", "any");
	xg_plan(&cfg, &inc, &s, &keep, no_peace, &p);
	CU_ASSERT_EQUAL(count_kind(&p, XG_STEP_AMP_DROP), 0);
	CU_ASSERT_EQUAL(count_kind(&p, XG_STEP_BLOCK), 2);
}

static void test_max_block_sources(void)
{
	struct xg_plan_cfg cfg;
	struct xg_incident inc;
	struct xg_snapshot s;
	struct xg_plan p;
	char a[32];
	int i;

	xg_plan_cfg_defaults(&cfg);
	snap(&s);
	s.metric[XG_M_UDP_PPS] = 100000;
	for (i = 0; i < XG_TOP_SOURCES; i++) {
		snprintf(a, sizeof(a), "100.%d.%d.1", 64 + i / 8, i);
		add_src(&s, a, 5000 - 100 * i, false);
	}
	incident(&inc, "udp_flood", "", "any");
	xg_plan(&cfg, &inc, &s, NULL, no_peace, &p);
	CU_ASSERT_EQUAL(p.n, 32);

	cfg.max_block_sources = 5;
	xg_plan(&cfg, &inc, &s, NULL, no_peace, &p);
	CU_ASSERT_EQUAL_FATAL(p.n, 5);
	for (i = 0; i < 5; i++) {
		snprintf(a, sizeof(a), "100.64.%d.1", i);
		CU_ASSERT_TRUE(find_target(&p, XG_STEP_BLOCK, a) == &p.steps[i]);
	}

	cfg.max_block_sources = 0;
	xg_plan(&cfg, &inc, &s, NULL, no_peace, &p);
	CU_ASSERT_EQUAL(p.n, 0);

	/* Prefix steps are not host steps: five /24s of four and two hosts
	 * with a budget of two. */
	snap(&s);
	s.metric[XG_M_UDP_PPS] = 100000;
	for (i = 0; i < 20; i++) {
		snprintf(a, sizeof(a), "100.64.%d.%d", i / 4, 1 + i % 4);
		add_src(&s, a, 1000 - i, false);
	}
	add_src(&s, "198.51.100.1", 900, false);
	add_src(&s, "198.51.100.2", 800, false);
	add_src(&s, "198.51.101.2", 700, false);
	cfg.max_block_sources = 2;
	xg_plan(&cfg, &inc, &s, NULL, no_peace, &p);
	CU_ASSERT_EQUAL(p.n, 7);
	CU_ASSERT_EQUAL(count_kind(&p, XG_STEP_BLOCK), 7);
	for (i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(p.steps[i].target.prefixlen, 24);
	CU_ASSERT_TRUE(find_target(&p, XG_STEP_BLOCK, "198.51.100.1") == &p.steps[5]);
	CU_ASSERT_TRUE(find_target(&p, XG_STEP_BLOCK, "198.51.100.2") == &p.steps[6]);
}

/* A deterministic generator, so failures reproduce. */
static uint32_t rnd(uint64_t *st)
{
	*st = *st * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*st >> 33);
}

static struct xg_cidr rand_addr(uint64_t *st, unsigned int prefixlen)
{
	struct xg_cidr c;
	unsigned int bit, max;

	memset(&c, 0, sizeof(c));
	if (rnd(st) % 4 == 0) {
		c.family = AF_INET6;
		c.addr[0] = 0x20;
		c.addr[1] = 0x01;
		c.addr[2] = 0x0d;
		c.addr[3] = 0xb8;
		c.addr[7] = (uint8_t)(rnd(st) % 3);
		c.addr[14] = (uint8_t)(rnd(st) % 4);
		c.addr[15] = (uint8_t)(rnd(st) % 16);
	} else {
		c.family = AF_INET;
		c.addr[0] = 10;
		c.addr[1] = (uint8_t)(rnd(st) % 2);
		c.addr[2] = (uint8_t)(rnd(st) % 4);
		c.addr[3] = (uint8_t)(rnd(st) % 32);
	}
	max = xg_cidr_maxlen(&c);
	c.prefixlen = prefixlen > max ? max : prefixlen;
	if (c.family == AF_INET6 && prefixlen < 32)
		c.prefixlen = prefixlen + 96; /* keep v6 prefixes narrow too */
	for (bit = c.prefixlen; bit < max; bit++)
		c.addr[bit / 8] &= (uint8_t) ~(0x80 >> (bit % 8));
	return c;
}

/* A source's rate; listed twice, its highest. */
static double src_pps(const struct xg_snapshot *s, const struct xg_cidr *host)
{
	double pps = -1;
	int i;

	for (i = 0; i < s->n_top_src; i++)
		if (s->top_src[i].addr.family == host->family &&
		    !memcmp(s->top_src[i].addr.addr, host->addr, 16) && s->top_src[i].pps > pps)
			pps = s->top_src[i].pps;
	return pps;
}

static void test_never_blocks_preserved(void)
{
	static const char *const fams[][3] = {
	    {"udp_flood", "", "any"},		{"sip_invite_flood", "", "sip-udp"},
	    {"amplification", "dns", "rtp"},	{"syn_flood", "", "sip-tcp"},
	    {"multi_vector", "syn+udp", "any"}, {"rtp_flood", "rtp", "rtp"},
	};
	static const unsigned int plens[] = {32, 32, 31, 30, 28, 24, 20, 16};
	uint64_t st = 20261121;
	int it, failures = 0;

	for (it = 0; it < 1000; it++) {
		const char *const *f = fams[rnd(&st) % 6];
		struct xg_plan_cfg cfg;
		struct xg_incident inc;
		struct xg_snapshot s;
		struct keepset k = {0};
		struct xg_preserved keep = keep_of(&k);
		double peace[XG_SVC_MAX] = {0};
		struct xg_plan p;
		int i, j, hosts = 0, last_rank = 0;
		double last_pps = 0;

		xg_plan_cfg_defaults(&cfg);
		cfg.aggregate_min = 1 + (int)(rnd(&st) % 6);
		cfg.max_block_sources = (int)(rnd(&st) % 40);
		snap(&s);
		s.distinct_sources = rnd(&st) % 1000;
		for (i = 0; i < XG_M_MAX; i++)
			s.metric[i] = rnd(&st) % 100000;
		s.n_top_src = (int)(rnd(&st) % (XG_TOP_SOURCES + 1));
		for (i = 0; i < s.n_top_src; i++) {
			s.top_src[i].addr = rand_addr(&st, 128);
			s.top_src[i].pps = rnd(&st) % 5000;
			s.top_src[i].known = rnd(&st) % 10 == 0;
		}
		/* Busiest first, as the collector gives them. */
		for (i = 1; i < s.n_top_src; i++) {
			struct xg_addr_rate r = s.top_src[i];

			for (j = i; j > 0 && s.top_src[j - 1].pps < r.pps; j--)
				s.top_src[j] = s.top_src[j - 1];
			s.top_src[j] = r;
		}
		k.np = (int)(rnd(&st) % 7);
		for (i = 0; i < k.np; i++)
			k.pres[i] = rand_addr(&st, plens[rnd(&st) % 8]);
		k.ns = (int)(rnd(&st) % 4);
		for (i = 0; i < k.ns; i++)
			k.soft[i] = rand_addr(&st, plens[rnd(&st) % 8]);
		incident(&inc, f[0], f[1], f[2]);
		inc.cls.spoofed = rnd(&st) % 5 == 0;
		peace[XG_SVC_SIP_UDP] = rnd(&st) % 500;

		xg_plan(&cfg, &inc, &s, &keep, peace, &p);

		CU_ASSERT_TRUE(p.n >= 0 && p.n <= XG_PLAN_MAX_STEPS);
		for (i = 0; i < p.n; i++) {
			const struct xg_step *x = &p.steps[i];
			bool host = xg_cidr_is_host(&x->target);
			/* AMP_DROP 0, PROTECT 1, prefixes 2, hosts 3 */
			int rank = x->kind == XG_STEP_AMP_DROP	? 0
				   : x->kind == XG_STEP_PROTECT ? 1
				   : host			? 3
								: 2;

			PROPERTY(rank >= last_rank, failures);
			if (rank == 3) {
				double pps = src_pps(&s, &x->target);

				PROPERTY(last_rank != 3 || pps <= last_pps, failures);
				last_pps = pps;
			}
			last_rank = rank;
			CU_ASSERT_TRUE(x->reason[0] != '\0');
			if (x->kind != XG_STEP_BLOCK && x->kind != XG_STEP_RATELIMIT)
				continue;
			PROPERTY(!inc.cls.spoofed, failures);
			if (host)
				hosts++;
			/* Independently of the planner's own checks. */
			for (j = 0; j < k.np; j++) {
				PROPERTY(x->kind != XG_STEP_BLOCK ||
					     !overlaps(&x->target, &k.pres[j]),
					 failures);
				PROPERTY(!host || !xg_cidr_contains(&k.pres[j], &x->target),
					 failures);
			}
			PROPERTY(x->kind != XG_STEP_BLOCK || !host || !ks_is_soft(&k, &x->target),
				 failures);
		}
		PROPERTY(hosts <= cfg.max_block_sources, failures);
		if (failures) {
			fprintf(stderr, "iteration %d failed\n", it);
			dump(&p);
			break;
		}
	}
	CU_ASSERT_EQUAL(failures, 0);
}

void add_planner_suite(void)
{
	CU_pSuite s = CU_add_suite("planner", NULL, NULL);

	CU_add_test(s, "defaults", test_defaults);
	CU_add_test(s, "service, amplification class and attack metric", test_service_class);
	CU_add_test(s, "top sources become /32 blocks", test_top_sources);
	CU_add_test(s, "IPv6: /128 blocks, /64 aggregate", test_ipv6);
	CU_add_test(s, "5 sources in one /24: the /24", test_aggregate);
	CU_add_test(s, "a /24 holding a peer is split around it", test_aggregate_around_peer);
	CU_add_test(s, "a preserved top source is never blocked", test_preserved_source);
	CU_add_test(s, "soft-allowlisted: rate-limited", test_soft);
	CU_add_test(s, "spoofed: protect only, budget from peace rate and floor", test_spoofed);
	CU_add_test(s, "many distinct sources: protect besides blocks", test_many_sources);
	CU_add_test(s, "sources too small to block: protect", test_thin_sources);
	CU_add_test(s, "amplification: AMP_DROP and reflector blocks", test_amplification);
	CU_add_test(s, "max_block_sources", test_max_block_sources);
	CU_add_test(s, "random snapshots never block a preserved address",
		    test_never_blocks_preserved);
}
