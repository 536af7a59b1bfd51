// SPDX-License-Identifier: GPL-2.0-only
/* Escalation levels, the rules of an incident, and the BGP rule table
 * (safety limits, reference counts, TTL, dry-run, restart), on an injected
 * clock with no speaker workers. */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bgp.h"
#include "config.h"
#include "escalate.h"
#include "suites.h"
#include "testutil.h"
#include "tmpdir.h"

#define S 1000000000ULL

static struct xg_cfg *cfg_new(void)
{
	static struct xg_cfg cfg;

	xg_cfg_defaults(&cfg);
	cfg.bgp.enabled = true;
	cfg.bgp.allow_private = false;
	cfg.bgp.level[XG_LVL_FS_RATELIMIT] = (struct xg_bgp_level_cfg){true, 1000, 0, false};
	cfg.bgp.level[XG_LVL_FS_DISCARD] = (struct xg_bgp_level_cfg){true, 5000, 0, false};
	cfg.bgp.level[XG_LVL_RTBH] = (struct xg_bgp_level_cfg){true, 20000, 8e9, false};
	cfg.bgp.level[XG_LVL_SCRUB] = (struct xg_bgp_level_cfg){false, 0, 0, false};
	cfg.bgp.hold_down_s = 30;
	cfg.bgp.step_down_ratio = 0.5;
	return &cfg;
}

static void test_level_for(void)
{
	struct xg_bgp_cfg *b = &cfg_new()->bgp;

	CU_ASSERT_EQUAL(xg_esc_level_for(b, 999, 0), XG_LVL_LOCAL);
	CU_ASSERT_EQUAL(xg_esc_level_for(b, 1000, 0), XG_LVL_FS_RATELIMIT);
	CU_ASSERT_EQUAL(xg_esc_level_for(b, 5000, 0), XG_LVL_FS_DISCARD);
	CU_ASSERT_EQUAL(xg_esc_level_for(b, 20000, 0), XG_LVL_RTBH);
	CU_ASSERT_EQUAL(xg_esc_level_for(b, 10, 8e9), XG_LVL_RTBH); /* bps alone */
	b->level[XG_LVL_FS_DISCARD].enabled = false;
	CU_ASSERT_EQUAL(xg_esc_level_for(b, 6000, 0), XG_LVL_FS_RATELIMIT);
	b->enabled = false;
	CU_ASSERT_EQUAL(xg_esc_level_for(b, 1e9, 1e12), XG_LVL_LOCAL);
}

static void test_step_hysteresis(void)
{
	struct xg_bgp_cfg *b = &cfg_new()->bgp;
	struct xg_esc_state st = {0};
	uint64_t t = 1000 * S;

	CU_ASSERT_EQUAL(xg_esc_step(b, &st, 100, 0, t), XG_LVL_LOCAL);
	/* up at once, straight to the level the rate reaches */
	CU_ASSERT_EQUAL(xg_esc_step(b, &st, 25000, 0, t += S), XG_LVL_RTBH);
	/* under the threshold but over half of it: stays */
	CU_ASSERT_EQUAL(xg_esc_step(b, &st, 12000, 0, t += 60 * S), XG_LVL_RTBH);
	/* under half: the hold starts; 29 s later still there */
	CU_ASSERT_EQUAL(xg_esc_step(b, &st, 100, 0, t += S), XG_LVL_RTBH);
	CU_ASSERT_EQUAL(xg_esc_step(b, &st, 100, 0, t += 29 * S), XG_LVL_RTBH);
	/* 30 s: one level down, not to the bottom */
	CU_ASSERT_EQUAL(xg_esc_step(b, &st, 100, 0, t += S), XG_LVL_FS_DISCARD);
	CU_ASSERT_EQUAL(xg_esc_step(b, &st, 100, 0, t += S), XG_LVL_FS_DISCARD);
	/* a burst back over half of this level resets the hold */
	CU_ASSERT_EQUAL(xg_esc_step(b, &st, 3000, 0, t += 20 * S), XG_LVL_FS_DISCARD);
	CU_ASSERT_EQUAL(xg_esc_step(b, &st, 100, 0, t += S), XG_LVL_FS_DISCARD);
	CU_ASSERT_EQUAL(xg_esc_step(b, &st, 100, 0, t += 29 * S), XG_LVL_FS_DISCARD);
	CU_ASSERT_EQUAL(xg_esc_step(b, &st, 100, 0, t += S), XG_LVL_FS_RATELIMIT);
	xg_esc_step(b, &st, 100, 0, t += S);
	CU_ASSERT_EQUAL(xg_esc_step(b, &st, 100, 0, t += 30 * S), XG_LVL_LOCAL);
	/* a disabled level in between is skipped on the way down */
	b->level[XG_LVL_FS_DISCARD].enabled = false;
	memset(&st, 0, sizeof(st));
	xg_esc_step(b, &st, 30000, 0, t += S);
	xg_esc_step(b, &st, 10, 0, t += S);
	CU_ASSERT_EQUAL(xg_esc_step(b, &st, 10, 0, t += 30 * S), XG_LVL_FS_RATELIMIT);
}

static void incident(struct xg_incident *inc, const char *victim)
{
	memset(inc, 0, sizeof(*inc));
	snprintf(inc->id, sizeof(inc->id), "20261122T000000Z-1");
	snprintf(inc->cls.family, sizeof(inc->cls.family), "sip_invite_flood");
	snprintf(inc->cls.service, sizeof(inc->cls.service), "sip-udp");
	inc->cls.attack = true;
	inc->victims[0] = xg_test_cidr(victim);
	inc->n_victims = 1;
}

static void block(struct xg_plan *p, const char *t)
{
	p->steps[p->n].kind = XG_STEP_BLOCK;
	p->steps[p->n++].target = xg_test_cidr(t);
}

static void text_of(const struct xg_bgp_intent *in, char *buf, size_t len)
{
	CU_ASSERT(xg_bgp_intent_format(in, buf, len) > 0);
}

static void test_match_for(void)
{
	struct xg_cfg *cfg = cfg_new();
	struct xg_class cls = {0};
	struct xg_esc_match m;

	snprintf(cls.family, sizeof(cls.family), "sip_invite_flood");
	snprintf(cls.service, sizeof(cls.service), "sip-udp");
	xg_esc_match_for(cfg, &cls, &m);
	CU_ASSERT_EQUAL(m.proto, 17);
	CU_ASSERT_EQUAL(m.dport.n, 1);
	CU_ASSERT_EQUAL(m.dport.r[0].lo, 5060);
	snprintf(cls.family, sizeof(cls.family), "sip_tls_syn_flood");
	snprintf(cls.service, sizeof(cls.service), "sip-tls");
	xg_esc_match_for(cfg, &cls, &m);
	CU_ASSERT_EQUAL(m.proto, 6);
	CU_ASSERT_EQUAL(m.tcp_flags, XG_BGP_TCP_SYN);
	CU_ASSERT_EQUAL(m.dport.r[0].lo, 5061);
	snprintf(cls.family, sizeof(cls.family), "amplification");
	snprintf(cls.subtype, sizeof(cls.subtype), "ntp");
	snprintf(cls.service, sizeof(cls.service), "any");
	xg_esc_match_for(cfg, &cls, &m);
	CU_ASSERT_EQUAL(m.proto, 17);
	CU_ASSERT_EQUAL(m.sport.n, 1);
	CU_ASSERT_EQUAL(m.sport.r[0].lo, 123);
	CU_ASSERT_EQUAL(m.dport.n, 0);
	snprintf(cls.family, sizeof(cls.family), "fragment_flood");
	xg_esc_match_for(cfg, &cls, &m);
	CU_ASSERT_EQUAL(m.proto, 0);
	CU_ASSERT_EQUAL(m.fragment, XG_BGP_FRAG_IS);
	snprintf(cls.family, sizeof(cls.family), "rtp_flood");
	snprintf(cls.service, sizeof(cls.service), "rtp");
	xg_esc_match_for(cfg, &cls, &m);
	CU_ASSERT_EQUAL(m.dport.r[0].lo, 10000);
	CU_ASSERT_EQUAL(m.dport.r[0].hi, 20000);
}

static void test_rules_by_level(void)
{
	struct xg_cfg *cfg = cfg_new();
	struct xg_esc_rules *r = calloc(1, sizeof(*r));
	struct xg_plan *p = calloc(1, sizeof(*p));
	struct xg_incident inc;
	struct xg_esc_match m;
	char t[XG_BGP_TEXT_MAX];

	cfg->bgp.n_comm = 1;
	cfg->bgp.comm[0] = 64500u << 16 | 9;
	incident(&inc, "198.51.100.7/32");
	cfg->bgp.allow_private = true; /* documentation range */
	block(p, "203.0.113.9/32");
	block(p, "192.0.2.0/24");
	p->steps[p->n].kind = XG_STEP_RATELIMIT; /* soft: never in a network rule */
	p->steps[p->n++].target = xg_test_cidr("100.64.0.1/32");
	xg_esc_match_for(cfg, &inc.cls, &m);

	xg_esc_rules(&cfg->bgp, XG_LVL_LOCAL, &inc, p, &m, r);
	CU_ASSERT_EQUAL(r->n, 0);

	xg_esc_rules(&cfg->bgp, XG_LVL_FS_RATELIMIT, &inc, p, &m, r);
	CU_ASSERT_EQUAL_FATAL(r->n, 2);
	text_of(&r->rule[0], t, sizeof(t));
	CU_ASSERT_STRING_EQUAL(t, "flowspec src 203.0.113.9 dst 198.51.100.7 proto udp dport 5060 "
				  "then rate-limit 125000");
	CU_ASSERT_EQUAL(r->level[0], XG_LVL_FS_RATELIMIT);

	xg_esc_rules(&cfg->bgp, XG_LVL_FS_DISCARD, &inc, p, &m, r);
	CU_ASSERT_EQUAL_FATAL(r->n, 2);
	text_of(&r->rule[1], t, sizeof(t));
	CU_ASSERT_STRING_EQUAL(
	    t, "flowspec src 192.0.2.0/24 dst 198.51.100.7 proto udp dport 5060 then discard");

	xg_esc_rules(&cfg->bgp, XG_LVL_RTBH, &inc, p, &m, r);
	if (r->n != 3)
		fprintf(stderr, "notes: %s\n", r->n_notes ? r->notes[0] : "none");
	CU_ASSERT_EQUAL_FATAL(r->n, 3);
	CU_ASSERT_EQUAL(r->rule[2].kind, XG_BGP_RTBH);
	CU_ASSERT_EQUAL(r->level[2], XG_LVL_RTBH);
	text_of(&r->rule[2], t, sizeof(t));
	CU_ASSERT_STRING_EQUAL(t, "rtbh 198.51.100.7 community 64500:9,65535:666");
	free(r);
	free(p);
}

static void test_rules_safety(void)
{
	struct xg_cfg *cfg = cfg_new();
	struct xg_esc_rules *r = calloc(1, sizeof(*r));
	struct xg_plan *p = calloc(1, sizeof(*p));
	struct xg_incident inc;
	struct xg_esc_match m;

	/* a private victim: nothing leaves the node unless allowed */
	incident(&inc, "10.123.0.2/32");
	block(p, "10.123.1.5/32");
	xg_esc_match_for(cfg, &inc.cls, &m);
	xg_esc_rules(&cfg->bgp, XG_LVL_RTBH, &inc, p, &m, r);
	CU_ASSERT_EQUAL(r->n, 0);
	CU_ASSERT(r->n_notes >= 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r->notes[0], "private or reserved"));
	cfg->bgp.allow_private = true;
	xg_esc_rules(&cfg->bgp, XG_LVL_RTBH, &inc, p, &m, r);
	CU_ASSERT_EQUAL(r->n, 2);
	/* never_blackhole: the FlowSpec rule stays, the RTBH goes */
	cfg->bgp.never_blackhole[cfg->bgp.n_never++] = xg_test_cidr("10.123.0.0/24");
	xg_esc_rules(&cfg->bgp, XG_LVL_RTBH, &inc, p, &m, r);
	CU_ASSERT_EQUAL_FATAL(r->n, 1);
	CU_ASSERT_EQUAL(r->rule[0].kind, XG_BGP_FLOWSPEC);
	CU_ASSERT_PTR_NOT_NULL(strstr(r->notes[0], "never_blackhole"));
	/* spoofed: no source to name, so no FlowSpec rule (it would match
	 * peers); the drop stays local */
	p->n = 0;
	cfg->bgp.n_never = 0;
	xg_esc_rules(&cfg->bgp, XG_LVL_FS_DISCARD, &inc, p, &m, r);
	CU_ASSERT_EQUAL(r->n, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r->notes[0], "spares the peers"));
	/* max_flowspec_sources per victim */
	cfg->bgp.max_flowspec_sources = 2;
	block(p, "10.123.1.1/32");
	block(p, "10.123.1.2/32");
	block(p, "10.123.1.3/32");
	xg_esc_rules(&cfg->bgp, XG_LVL_FS_DISCARD, &inc, p, &m, r);
	CU_ASSERT_EQUAL(r->n, 2);
	free(r);
	free(p);
}

static void test_admit(void)
{
	struct xg_cfg *cfg = cfg_new();
	struct xg_bgp_intent in;
	char why[256];

	memset(&in, 0, sizeof(in));
	in.kind = XG_BGP_RTBH;
	in.has_dst = true;
	in.dst = xg_test_cidr("198.18.0.0/24");
	cfg->bgp.allow_private = true;
	CU_ASSERT_EQUAL(xg_esc_admit(&cfg->bgp, &in, why, sizeof(why)), -EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "rtbh_min_prefix_v4"));
	cfg->bgp.rtbh_min_prefix_v4 = 24;
	CU_ASSERT_EQUAL(xg_esc_admit(&cfg->bgp, &in, why, sizeof(why)), 0);
	cfg->bgp.allow_private = false;
	CU_ASSERT_EQUAL(xg_esc_admit(&cfg->bgp, &in, why, sizeof(why)), -EPERM);
	in.dst = xg_test_cidr("2001:db8::1/128");
	CU_ASSERT(xg_esc_is_reserved(&in.dst));
	in.dst = xg_test_cidr("2a00:1450::1/128");
	CU_ASSERT(!xg_esc_is_reserved(&in.dst));
	CU_ASSERT_EQUAL(xg_esc_admit(&cfg->bgp, &in, why, sizeof(why)), 0);
	in.dst = xg_test_cidr("8.8.8.8/32");
	CU_ASSERT(!xg_esc_is_reserved(&in.dst));
	in.dst = xg_test_cidr("172.20.1.1/32");
	CU_ASSERT(xg_esc_is_reserved(&in.dst));
}

/* ---- the rule table ---- */

static struct xg_bgp *open_table(struct xg_cfg *cfg, const char *dir, uint64_t now)
{
	struct xg_bgp_opts o = {.state_dir = dir, .no_workers = true};
	struct xg_bgp *b = NULL;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(xg_bgp_open(&b, &cfg->bgp, &o, now, err, sizeof(err)), 0);
	return b;
}

static struct xg_cfg *table_cfg(void)
{
	struct xg_cfg *cfg = cfg_new();

	cfg->bgp.allow_private = true;
	cfg->bgp.n_speakers = 2;
	xg_speaker_cfg_defaults(&cfg->bgp.speakers[0], XG_SPK_GOBGP);
	snprintf(cfg->bgp.speakers[0].name, XG_BGP_NAME_MAX, "gobgp");
	xg_speaker_cfg_defaults(&cfg->bgp.speakers[1], XG_SPK_FRR);
	snprintf(cfg->bgp.speakers[1].name, XG_BGP_NAME_MAX, "frr");
	cfg->bgp.speakers[1].asn = 65001;
	return cfg;
}

static struct xg_bgp_intent rule(const char *text)
{
	struct xg_bgp_intent in;
	char why[256];

	CU_ASSERT_EQUAL_FATAL(xg_bgp_intent_parse(text, &in, why, sizeof(why)), 0);
	return in;
}

static void test_table_refcount(void)
{
	struct xg_cfg *cfg = table_cfg();
	struct xg_bgp_intent r[2] = {
	    rule("flowspec src 10.123.1.0/24 dst 10.123.0.2/32 proto udp dport 5060 then discard"),
	    rule("rtbh 10.123.0.2/32 community 65535:666")};
	struct xg_bgp_sync_result res;
	char dir[128];
	struct xg_bgp *b;
	uint64_t t = 1800000000 * S;

	xg_test_tmpdir(dir, sizeof(dir), "bgp");
	b = open_table(cfg, dir, t);
	CU_ASSERT_EQUAL(xg_bgp_sync(b, "inc-1", r, NULL, 2, 0, t, &res), 0);
	CU_ASSERT_EQUAL(res.announced, 2);
	CU_ASSERT_EQUAL(xg_bgp_active(b), 2);
	/* flowspec to gobgp only (FRR cannot), rtbh to both */
	CU_ASSERT_EQUAL(xg_bgp_pending(b), 3);
	/* a second incident wanting the RTBH: the same rule, one more owner */
	xg_bgp_sync(b, "inc-2", &r[1], NULL, 1, 0, t + S, &res);
	CU_ASSERT_EQUAL(res.announced, 0);
	CU_ASSERT_EQUAL(res.refreshed, 1);
	CU_ASSERT_EQUAL(xg_bgp_pending(b), 3);
	/* the first lets go of everything: only the flowspec rule goes */
	xg_bgp_sync(b, "inc-1", NULL, NULL, 0, 0, t + 2 * S, &res);
	CU_ASSERT_EQUAL(res.withdrawn, 1);
	CU_ASSERT_EQUAL(xg_bgp_active(b), 1);
	CU_ASSERT_EQUAL(xg_bgp_pending(b), 4);
	xg_bgp_sync(b, "inc-2", NULL, NULL, 0, 0, t + 3 * S, &res);
	CU_ASSERT_EQUAL(res.withdrawn, 1);
	CU_ASSERT_EQUAL(xg_bgp_active(b), 0);
	CU_ASSERT_EQUAL(xg_bgp_pending(b), 6);
	xg_bgp_close(b);
	xg_test_rm_rf(dir);
}

static void test_table_limits(void)
{
	struct xg_cfg *cfg = table_cfg();
	struct xg_bgp_intent r[5];
	struct xg_bgp_sync_result res;
	char dir[128], text[128];
	struct xg_bgp *b;
	uint64_t t = 1800000000 * S;
	int i;

	for (i = 0; i < 5; i++) {
		snprintf(text, sizeof(text),
			 "flowspec src 10.123.1.%d/32 dst 10.123.0.2/32 then discard", i + 1);
		r[i] = rule(text);
	}
	xg_test_tmpdir(dir, sizeof(dir), "bgp");
	/* the cap */
	cfg->bgp.max_rules = 3;
	b = open_table(cfg, dir, t);
	xg_bgp_sync(b, "inc-1", r, NULL, 5, 0, t, &res);
	CU_ASSERT_EQUAL(res.announced, 3);
	CU_ASSERT_EQUAL(res.refused, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.first_refusal, "max_rules"));
	CU_ASSERT_EQUAL(xg_bgp_active(b), 3);
	xg_bgp_flush(b, t);
	CU_ASSERT_EQUAL(xg_bgp_active(b), 0);
	xg_bgp_close(b);
	xg_test_rm_rf(dir);

	/* the announcements-per-minute window: held back, then let through */
	xg_test_tmpdir(dir, sizeof(dir), "bgp");
	cfg->bgp.max_rules = 200;
	cfg->bgp.max_announce_per_min = 2;
	b = open_table(cfg, dir, t);
	xg_bgp_sync(b, "inc-1", r, NULL, 5, 0, t, &res);
	CU_ASSERT_EQUAL(res.announced, 2);
	CU_ASSERT_EQUAL(res.refused, 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.first_refusal, "max_announce_per_min"));
	xg_bgp_sync(b, "inc-1", r, NULL, 5, 0, t + 59 * S, &res);
	CU_ASSERT_EQUAL(res.announced, 0);
	xg_bgp_sync(b, "inc-1", r, NULL, 5, 0, t + 60 * S, &res);
	CU_ASSERT_EQUAL(res.announced, 2);
	CU_ASSERT_EQUAL(xg_bgp_active(b), 4);
	xg_bgp_close(b);
	xg_test_rm_rf(dir);
}

static void test_table_ttl_dry_run(void)
{
	struct xg_cfg *cfg = table_cfg();
	struct xg_bgp_intent r = rule("rtbh 10.123.0.2/32");
	int lvl = XG_LVL_RTBH;
	struct xg_bgp_sync_result res;
	char dir[128], why[256];
	struct xg_bgp *b;
	uint64_t t = 1800000000 * S;

	xg_test_tmpdir(dir, sizeof(dir), "bgp");
	cfg->bgp.level[XG_LVL_RTBH].dry_run = true;
	b = open_table(cfg, dir, t);
	xg_bgp_sync(b, "inc-1", &r, &lvl, 1, 0, t, &res);
	CU_ASSERT_EQUAL(res.announced, 1);
	CU_ASSERT_EQUAL(xg_bgp_pending(b), 0); /* dry-run: nothing to any speaker */
	CU_ASSERT_EQUAL(xg_bgp_active(b), 0);
	xg_bgp_sync(b, "inc-1", NULL, NULL, 0, 0, t, &res);
	/* a manual rule with a TTL lapses on its own */
	CU_ASSERT_EQUAL(xg_bgp_announce(b, &r, NULL, 60, t, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(xg_bgp_pending(b), 2);
	xg_bgp_tick(b, t + 59 * S);
	CU_ASSERT_EQUAL(xg_bgp_active(b), 1);
	xg_bgp_tick(b, t + 60 * S);
	CU_ASSERT_EQUAL(xg_bgp_active(b), 0);
	CU_ASSERT_EQUAL(xg_bgp_pending(b), 4);
	/* withdrawing what is not there says so */
	CU_ASSERT_EQUAL(xg_bgp_withdraw(b, &r, t, why, sizeof(why)), -ENOENT);
	/* manual rules pass the same safety checks */
	cfg->bgp.allow_private = false;
	xg_bgp_close(b);
	b = open_table(cfg, dir, t);
	CU_ASSERT_EQUAL(xg_bgp_announce(b, &r, NULL, 60, t, why, sizeof(why)), -EPERM);
	xg_bgp_close(b);
	xg_test_rm_rf(dir);
}

static void test_table_restart(void)
{
	struct xg_cfg *cfg = table_cfg();
	struct xg_bgp_intent r[2] = {rule("rtbh 10.123.0.2/32"), rule("rtbh 10.123.0.3/32")};
	struct xg_bgp_sync_result res;
	struct xg_bgp_opts o;
	char dir[128], err[256];
	struct xg_bgp *b, *b2;
	uint64_t t = 1800000000 * S;

	xg_test_tmpdir(dir, sizeof(dir), "bgp");
	b = open_table(cfg, dir, t);
	/* one process at a time */
	o = (struct xg_bgp_opts){.state_dir = dir, .no_workers = true};
	CU_ASSERT_EQUAL(xg_bgp_open(&b2, &cfg->bgp, &o, t, err, sizeof(err)), -EBUSY);
	xg_bgp_sync(b, "inc-1", &r[0], NULL, 1, 600, t, &res);
	xg_bgp_sync(b, "inc-2", &r[1], NULL, 1, 60, t, &res);
	CU_ASSERT_EQUAL(xg_bgp_pending(b), 4);
	xg_bgp_close(b);
	/* back 2 minutes later: the first announced again (2 speakers), the
	 * second expired and withdrawn (2 more); the 4 unsent ones are still
	 * queued */
	b = open_table(cfg, dir, t + 120 * S);
	CU_ASSERT_EQUAL(xg_bgp_active(b), 1);
	CU_ASSERT_EQUAL(xg_bgp_pending(b), 8);
	xg_bgp_close(b);
	/* and the table file says the same */
	b = open_table(cfg, dir, t + 121 * S);
	CU_ASSERT_EQUAL(xg_bgp_active(b), 1);
	xg_bgp_close(b);
	xg_test_rm_rf(dir);
}

static void test_attack_rate(void)
{
	struct xg_snapshot *s = calloc(1, sizeof(*s));
	struct xg_incident inc;
	double pps, bps;

	incident(&inc, "198.51.100.7/32");
	inc.peak_pps = 100000;
	inc.peak_bps = 100000 * 800.0; /* 100-byte packets */
	/* the node's own drop takes 99k pps: the link still carries 100k */
	s->metric[XG_M_PPS] = 1000;
	s->metric[XG_M_BPS] = 1000 * 800.0;
	s->mitigated_pps = 99000;
	xg_esc_attack_rate(s, &inc, &pps, &bps);
	CU_ASSERT_DOUBLE_EQUAL(pps, 100000, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(bps, 100000 * 800.0, 1e-3);
	free(s);
}

void add_escalate_suite(void)
{
	CU_pSuite s = CU_add_suite("escalate", NULL, NULL);

	CU_add_test(s, "level by pps or bps", test_level_for);
	CU_add_test(s, "up at once, down one level per hold", test_step_hysteresis);
	CU_add_test(s, "attack size counts what XDP dropped", test_attack_rate);
	CU_add_test(s, "match from the class and service ports", test_match_for);
	CU_add_test(s, "rules by level: rate-limit, discard, RTBH", test_rules_by_level);
	CU_add_test(s, "private, never_blackhole, spoofed, source cap", test_rules_safety);
	CU_add_test(s, "admission: RTBH prefix length, reserved ranges", test_admit);
	CU_add_test(s, "table: one rule, many owners", test_table_refcount);
	CU_add_test(s, "table: rule cap and announcements per minute", test_table_limits);
	CU_add_test(s, "table: dry-run, TTL, manual rules", test_table_ttl_dry_run);
	CU_add_test(s, "table: restart re-announces live rules, withdraws stale",
		    test_table_restart);
}
