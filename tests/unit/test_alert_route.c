// SPDX-License-Identifier: GPL-2.0-only
/* Alert routing on an injected clock: severity routes, escalation steps,
 * maintenance windows (one-off, weekly, per interface), coalescing, the
 * close reaching every notified sink, config checks, and the same actions
 * whatever the tick cadence. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "alert_route.h"
#include "suites.h"

#define NS	1000000000ULL
#define LOG_MAX 512

enum { SLACK, PAGERDUTY, SYSLOG, MAIL }; /* places in base_cfg's sinks */

static uint64_t utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = {.tm_year = y - 1900,
			.tm_mon = mo - 1,
			.tm_mday = d,
			.tm_hour = h,
			.tm_min = mi,
			.tm_sec = s};

	return (uint64_t)timegm(&tm) * NS;
}

/* Sunday 2026-11-22 10:00:00 UTC: every test's time 0. */
static uint64_t t0(void)
{
	return utc(2026, 11, 22, 10, 0, 0);
}

static uint64_t at(int s)
{
	return t0() + (uint64_t)s * NS;
}

static void add_sink(struct xg_route_cfg *c, const char *name, enum xg_route_sink_type type)
{
	struct xg_route_sink *k = &c->sinks[c->n_sinks++];

	snprintf(k->name, sizeof(k->name), "%s", name);
	k->type = type;
}

static struct xg_route_policy *add_policy(struct xg_route_cfg *c, const char *name)
{
	struct xg_route_policy *p = &c->policies[c->n_policies++];

	snprintf(p->name, sizeof(p->name), "%s", name);
	return p;
}

/* A step with one or two sinks (b may be NULL). */
static void add_step(struct xg_route_policy *p, uint32_t delay_s, const char *a, const char *b)
{
	struct xg_route_step *st = &p->steps[p->n_steps++];

	st->delay_s = delay_s;
	snprintf(st->sinks[st->n_sinks++], XG_ROUTE_NAME_LEN, "%s", a);
	if (b)
		snprintf(st->sinks[st->n_sinks++], XG_ROUTE_NAME_LEN, "%s", b);
}

static void add_route(struct xg_route_cfg *c, enum xg_route_sev min, const char *policy)
{
	struct xg_route_rule *r = &c->routes[c->n_routes++];

	r->min_severity = min;
	snprintf(r->policy, sizeof(r->policy), "%s", policy);
}

static struct xg_route_window *add_once(struct xg_route_cfg *c, int from_s, int to_s)
{
	struct xg_route_window *w = &c->windows[c->n_windows++];

	w->kind = XG_ROUTE_WIN_ONCE;
	w->start_s = (int64_t)(at(from_s) / NS);
	w->end_s = (int64_t)(at(to_s) / NS);
	return w;
}

static struct xg_route_window *add_weekly(struct xg_route_cfg *c, const char *spec)
{
	struct xg_route_window *w = &c->windows[c->n_windows++];
	char why[160];

	CU_ASSERT_EQUAL_FATAL(xg_route_weekly_parse(spec, w, why, sizeof(why)), 0);
	return w;
}

static void add_iface(struct xg_route_window *w, const char *name)
{
	snprintf(w->ifaces[w->n_ifaces++], XG_ROUTE_IFNAME_LEN, "%s", name);
}

/*
 * slack, pagerduty, syslog, mail. Every incident from info up goes to
 * syslog; from warning up to slack; from error up to the "page" policy:
 * slack at once, PagerDuty if still open after 60 s.
 */
static void base_cfg(struct xg_route_cfg *c)
{
	struct xg_route_policy *p;

	xg_route_cfg_defaults(c);
	add_sink(c, "slack", XG_ROUTE_SINK_SLACK);
	add_sink(c, "pagerduty", XG_ROUTE_SINK_PAGERDUTY);
	add_sink(c, "syslog", XG_ROUTE_SINK_SYSLOG);
	add_sink(c, "mail", XG_ROUTE_SINK_EMAIL);
	p = add_policy(c, "log");
	add_step(p, 0, "syslog", NULL);
	p = add_policy(c, "chat");
	add_step(p, 0, "slack", NULL);
	p = add_policy(c, "page");
	add_step(p, 0, "slack", NULL);
	add_step(p, 60, "pagerduty", NULL);
	add_route(c, XG_ROUTE_SEV_INFO, "log");
	add_route(c, XG_ROUTE_SEV_WARNING, "chat");
	add_route(c, XG_ROUTE_SEV_ERROR, "page");
}

/* Only the escalation: slack at once, PagerDuty after 60 s. */
static void page_cfg(struct xg_route_cfg *c)
{
	struct xg_route_policy *p;

	xg_route_cfg_defaults(c);
	add_sink(c, "slack", XG_ROUTE_SINK_SLACK);
	add_sink(c, "pagerduty", XG_ROUTE_SINK_PAGERDUTY);
	p = add_policy(c, "page");
	add_step(p, 0, "slack", NULL);
	add_step(p, 60, "pagerduty", NULL);
	add_route(c, XG_ROUTE_SEV_WARNING, "page");
}

/* Everything the router said, in order. */
struct log {
	int n;
	struct xg_route_action a[LOG_MAX];
};

static void keep(struct log *l, const struct xg_route_out *o)
{
	int i;

	for (i = 0; i < o->n && l->n < LOG_MAX; i++)
		l->a[l->n++] = o->a[i];
}

static int event(const struct xg_route_cfg *c, struct xg_route_state *st, enum xg_route_kind kind,
		 enum xg_route_sev sev, const char *iface, int t_s, struct log *l)
{
	const char *ifs[1] = {iface};
	struct xg_route_out o;
	int n;

	n = xg_route_on_event(c, st, kind, sev, ifs, iface ? 1 : 0, at(t_s), &o);
	if (l)
		keep(l, &o);
	return n;
}

/* Ticks every second from from_s to to_s, both included. */
static void ticks(const struct xg_route_cfg *c, struct xg_route_state *st, int from_s, int to_s,
		  struct log *l)
{
	struct xg_route_out o;
	int t;

	for (t = from_s; t <= to_s; t++) {
		xg_route_tick(c, st, at(t), &o);
		keep(l, &o);
	}
}

/* How many actions of this kind went to the sink (NULL: any sink). */
static int count(const struct log *l, const char *sink, enum xg_route_kind kind)
{
	int i, n = 0;

	for (i = 0; i < l->n; i++)
		if ((!sink || !strcmp(l->a[i].sink, sink)) && l->a[i].kind == kind)
			n++;
	return n;
}

/* The first such action, or NULL. */
static const struct xg_route_action *find(const struct log *l, const char *sink,
					  enum xg_route_kind kind)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->a[i].sink, sink) && l->a[i].kind == kind)
			return &l->a[i];
	return NULL;
}

static void check_action(const struct xg_route_action *a, const char *sink, enum xg_route_kind kind,
			 int t_s)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_STRING_EQUAL(a->sink, sink);
	CU_ASSERT_EQUAL(a->kind, kind);
	CU_ASSERT_EQUAL(a->not_before_ns, at(t_s));
}

static void test_defaults(void)
{
	struct xg_route_cfg c;
	struct xg_route_state st;
	char path[128], why[256];

	xg_route_cfg_defaults(&c);
	CU_ASSERT_EQUAL(c.coalesce_s, 30);
	CU_ASSERT_EQUAL(c.n_sinks + c.n_routes + c.n_policies + c.n_windows, 0);
	CU_ASSERT_EQUAL(xg_route_cfg_check(&c, "alerts", path, sizeof(path), why, sizeof(why)), 0);

	/* no routes: nothing is alerted, and the state is done at the close */
	xg_route_state_init(&st);
	CU_ASSERT_EQUAL(event(&c, &st, XG_ROUTE_OPEN, XG_ROUTE_SEV_CRITICAL, "eth0", 0, NULL), 0);
	CU_ASSERT_FALSE(xg_route_done(&st));
	CU_ASSERT_EQUAL(xg_route_next_due(&c, &st), UINT64_MAX);
	CU_ASSERT_EQUAL(event(&c, &st, XG_ROUTE_CLOSE, XG_ROUTE_SEV_CRITICAL, "eth0", 5, NULL), 0);
	CU_ASSERT_TRUE(xg_route_done(&st));
}

static void test_names(void)
{
	enum xg_route_sink_type type;
	enum xg_route_sev sev;
	int k;

	for (k = 0; k < XG_ROUTE_SEV_MAX; k++) {
		CU_ASSERT_EQUAL(xg_route_sev_parse(xg_route_sev_name(k), &sev), 0);
		CU_ASSERT_EQUAL(sev, k);
	}
	for (k = 0; k < XG_ROUTE_SINK_MAX; k++) {
		CU_ASSERT_EQUAL(xg_route_sink_type_parse(xg_route_sink_type_name(k), &type), 0);
		CU_ASSERT_EQUAL(type, k);
	}
	CU_ASSERT_STRING_EQUAL(xg_route_sev_name(XG_ROUTE_SEV_WARNING), "warning");
	CU_ASSERT_STRING_EQUAL(xg_route_sink_type_name(XG_ROUTE_SINK_OPSGENIE), "opsgenie");
	CU_ASSERT_EQUAL(xg_route_sev_parse("fatal", &sev), -1);
	CU_ASSERT_EQUAL(xg_route_sev_parse("Warning", &sev), -1);
	CU_ASSERT_EQUAL(xg_route_sink_type_parse("teams", &type), -1);
	/* the order routes compare by */
	CU_ASSERT_TRUE(XG_ROUTE_SEV_INFO < XG_ROUTE_SEV_WARNING &&
		       XG_ROUTE_SEV_WARNING < XG_ROUTE_SEV_ERROR &&
		       XG_ROUTE_SEV_ERROR < XG_ROUTE_SEV_CRITICAL);
}

static void test_route_by_severity(void)
{
	struct xg_route_cfg c;
	struct xg_route_state st;
	struct log l = {0};

	base_cfg(&c);

	/* warning: the info and warning routes, not the error one */
	xg_route_state_init(&st);
	CU_ASSERT_EQUAL(event(&c, &st, XG_ROUTE_OPEN, XG_ROUTE_SEV_WARNING, "eth0", 0, &l), 2);
	check_action(&l.a[0], "slack", XG_ROUTE_OPEN, 0);
	check_action(&l.a[1], "syslog", XG_ROUTE_OPEN, 0);
	CU_ASSERT_EQUAL(l.a[0].type, XG_ROUTE_SINK_SLACK);
	CU_ASSERT_EQUAL(l.a[0].severity, XG_ROUTE_SEV_WARNING);
	CU_ASSERT_EQUAL(l.a[0].rev, 1);
	ticks(&c, &st, 1, 300, &l);
	CU_ASSERT_EQUAL(count(&l, "pagerduty", XG_ROUTE_OPEN), 0);
	CU_ASSERT_EQUAL(count(&l, "mail", XG_ROUTE_OPEN), 0);
	CU_ASSERT_EQUAL(l.n, 2);

	/* info: syslog only */
	memset(&l, 0, sizeof(l));
	xg_route_state_init(&st);
	CU_ASSERT_EQUAL(event(&c, &st, XG_ROUTE_OPEN, XG_ROUTE_SEV_INFO, "eth0", 0, &l), 1);
	check_action(&l.a[0], "syslog", XG_ROUTE_OPEN, 0);

	/* critical: all three routes; slack is in two, notified once */
	memset(&l, 0, sizeof(l));
	xg_route_state_init(&st);
	CU_ASSERT_EQUAL(event(&c, &st, XG_ROUTE_OPEN, XG_ROUTE_SEV_CRITICAL, "eth0", 0, &l), 2);
	ticks(&c, &st, 1, 120, &l);
	CU_ASSERT_EQUAL(count(&l, "slack", XG_ROUTE_OPEN), 1);
	CU_ASSERT_EQUAL(count(&l, "syslog", XG_ROUTE_OPEN), 1);
	check_action(find(&l, "pagerduty", XG_ROUTE_OPEN), "pagerduty", XG_ROUTE_OPEN, 60);
}

/* A sink in several routes gets its open at its earliest step, once. */
static void test_earliest_step(void)
{
	struct xg_route_cfg c;
	struct xg_route_state st;
	struct log l = {0};
	struct xg_route_policy *p;

	page_cfg(&c);
	p = add_policy(&c, "urgent");
	add_step(p, 10, "pagerduty", NULL);
	add_route(&c, XG_ROUTE_SEV_CRITICAL, "urgent");
	/* routes in the other order schedule the same */
	c.routes[1] = c.routes[0];
	c.routes[0] = (struct xg_route_rule){XG_ROUTE_SEV_CRITICAL, "urgent"};
	xg_route_state_init(&st);
	event(&c, &st, XG_ROUTE_OPEN, XG_ROUTE_SEV_CRITICAL, "eth0", 0, &l);
	ticks(&c, &st, 1, 120, &l);
	CU_ASSERT_EQUAL(count(&l, "pagerduty", XG_ROUTE_OPEN), 1);
	check_action(find(&l, "pagerduty", XG_ROUTE_OPEN), "pagerduty", XG_ROUTE_OPEN, 10);
}

/* A rise in severity adds routes from then on; a fall cancels nothing. */
static void test_severity_rise(void)
{
	struct xg_route_cfg c;
	struct xg_route_state st;
	struct log l = {0};

	base_cfg(&c);
	c.coalesce_s = 0;
	xg_route_state_init(&st);
	event(&c, &st, XG_ROUTE_OPEN, XG_ROUTE_SEV_WARNING, "eth0", 0, &l);
	ticks(&c, &st, 1, 99, &l);
	CU_ASSERT_EQUAL(count(&l, "pagerduty", XG_ROUTE_OPEN), 0);

	/* error at 100: the page policy starts, its PagerDuty step at 160 */
	event(&c, &st, XG_ROUTE_UPDATE, XG_ROUTE_SEV_ERROR, "eth0", 100, &l);
	CU_ASSERT_EQUAL(xg_route_next_due(&c, &st), at(160));
	/* back to warning at 130: the escalation already under way goes on */
	event(&c, &st, XG_ROUTE_UPDATE, XG_ROUTE_SEV_WARNING, "eth0", 130, &l);
	ticks(&c, &st, 131, 200, &l);
	check_action(find(&l, "pagerduty", XG_ROUTE_OPEN), "pagerduty", XG_ROUTE_OPEN, 160);
	CU_ASSERT_EQUAL(find(&l, "pagerduty", XG_ROUTE_OPEN)->severity, XG_ROUTE_SEV_WARNING);
	CU_ASSERT_EQUAL(count(&l, "slack", XG_ROUTE_OPEN), 1);
	event(&c, &st, XG_ROUTE_CLOSE, XG_ROUTE_SEV_WARNING, "eth0", 300, &l);
	CU_ASSERT_EQUAL(count(&l, NULL, XG_ROUTE_CLOSE), 3);
	CU_ASSERT_TRUE(xg_route_done(&st));
}

static void test_escalation(void)
{
	struct xg_route_cfg c;
	struct xg_route_state st;
	struct xg_route_out o;
	struct log l = {0};

	page_cfg(&c);
	xg_route_state_init(&st);
	CU_ASSERT_EQUAL(event(&c, &st, XG_ROUTE_OPEN, XG_ROUTE_SEV_ERROR, "eth0", 0, &l), 1);
	check_action(&l.a[0], "slack", XG_ROUTE_OPEN, 0);
	CU_ASSERT_EQUAL(xg_route_next_due(&c, &st), at(60));
	ticks(&c, &st, 1, 59, &l);
	CU_ASSERT_EQUAL(l.n, 1);
	CU_ASSERT_EQUAL(xg_route_tick(&c, &st, at(60), &o), 1);
	check_action(&o.a[0], "pagerduty", XG_ROUTE_OPEN, 60);
	CU_ASSERT_EQUAL(o.a[0].type, XG_ROUTE_SINK_PAGERDUTY);
	CU_ASSERT_EQUAL(xg_route_next_due(&c, &st), UINT64_MAX);
	/* a late tick says when it fell due */
	xg_route_state_init(&st);
	event(&c, &st, XG_ROUTE_OPEN, XG_ROUTE_SEV_ERROR, "eth0", 0, NULL);
	CU_ASSERT_EQUAL(xg_route_tick(&c, &st, at(75), &o), 1);
	check_action(&o.a[0], "pagerduty", XG_ROUTE_OPEN, 60);
}

static void test_close_before_escalation(void)
{
	struct xg_route_cfg c;
	struct xg_route_state st;
	struct log l = {0};

	page_cfg(&c);
	xg_route_state_init(&st);
	event(&c, &st, XG_ROUTE_OPEN, XG_ROUTE_SEV_ERROR, "eth0", 0, &l);
	ticks(&c, &st, 1, 29, &l);
	CU_ASSERT_EQUAL(event(&c, &st, XG_ROUTE_CLOSE, XG_ROUTE_SEV_ERROR, "eth0", 30, &l), 1);
	check_action(&l.a[1], "slack", XG_ROUTE_CLOSE, 30);
	CU_ASSERT_EQUAL(l.a[1].rev, 2);
	CU_ASSERT_TRUE(xg_route_done(&st));
	ticks(&c, &st, 31, 300, &l);
	CU_ASSERT_EQUAL(l.n, 2);
	CU_ASSERT_EQUAL(count(&l, "pagerduty", XG_ROUTE_OPEN), 0);
	CU_ASSERT_EQUAL(count(&l, "pagerduty", XG_ROUTE_CLOSE), 0);
	/* nothing after the close */
	CU_ASSERT_EQUAL(event(&c, &st, XG_ROUTE_UPDATE, XG_ROUTE_SEV_ERROR, "eth0", 40, &l), -1);
}

static void test_close_after_escalation(void)
{
	struct xg_route_cfg c;
	struct xg_route_state st;
	struct log l = {0};

	page_cfg(&c);
	xg_route_state_init(&st);
	event(&c, &st, XG_ROUTE_OPEN, XG_ROUTE_SEV_ERROR, "eth0", 0, &l);
	ticks(&c, &st, 1, 89, &l);
	CU_ASSERT_EQUAL(l.n, 2);
	CU_ASSERT_EQUAL(event(&c, &st, XG_ROUTE_CLOSE, XG_ROUTE_SEV_ERROR, "eth0", 90, &l), 2);
	check_action(&l.a[2], "slack", XG_ROUTE_CLOSE, 90);
	check_action(&l.a[3], "pagerduty", XG_ROUTE_CLOSE, 90);
	CU_ASSERT_TRUE(xg_route_done(&st));
	CU_ASSERT_EQUAL(st.slot[1].opened_ns, at(60));
}

/* No tick between the open and the close: the step due at 60 still goes out,
 * before the closes, with the time it fell due. */
static void test_without_ticks(void)
{
	struct xg_route_cfg c;
	struct xg_route_state st;
	struct log l = {0};

	page_cfg(&c);
	xg_route_state_init(&st);
	event(&c, &st, XG_ROUTE_OPEN, XG_ROUTE_SEV_ERROR, "eth0", 0, &l);
	CU_ASSERT_EQUAL(event(&c, &st, XG_ROUTE_CLOSE, XG_ROUTE_SEV_ERROR, "eth0", 90, &l), 3);
	check_action(&l.a[1], "pagerduty", XG_ROUTE_OPEN, 60);
	check_action(&l.a[2], "slack", XG_ROUTE_CLOSE, 90);
	check_action(&l.a[3], "pagerduty", XG_ROUTE_CLOSE, 90);
}

static void test_maintenance_global(void)
{
	struct xg_route_cfg c;
	struct xg_route_state st;
	struct xg_route_out o;
	struct log l = {0};

	/* an incident that opens and closes inside the window sends nothing,
	 * then or later */
	page_cfg(&c);
	add_once(&c, 100, 200);
	xg_route_state_init(&st);
	CU_ASSERT_EQUAL(event(&c, &st, XG_ROUTE_OPEN, XG_ROUTE_SEV_CRITICAL, "eth0", 120, &l), 0);
	CU_ASSERT_EQUAL(event(&c, &st, XG_ROUTE_UPDATE, XG_ROUTE_SEV_CRITICAL, "eth0", 130, &l), 0);
	ticks(&c, &st, 131, 179, &l);
	CU_ASSERT_EQUAL(event(&c, &st, XG_ROUTE_CLOSE, XG_ROUTE_SEV_CRITICAL, "eth0", 180, &l), 0);
	CU_ASSERT_TRUE(xg_route_done(&st));
	ticks(&c, &st, 181, 400, &l);
	CU_ASSERT_EQUAL(l.n, 0);

	/* notified before the window: the escalation due inside it, the
	 * update and the close are held; the close goes out when it ends */
	page_cfg(&c);
	add_once(&c, 30, 200);
	xg_route_state_init(&st);
	event(&c, &st, XG_ROUTE_OPEN, XG_ROUTE_SEV_CRITICAL, "eth0", 0, &l);
	ticks(&c, &st, 1, 59, &l);
	CU_ASSERT_EQUAL(xg_route_tick(&c, &st, at(60), &o), 0);
	CU_ASSERT_EQUAL(o.held, 1);
	ticks(&c, &st, 61, 99, &l);
	CU_ASSERT_EQUAL(event(&c, &st, XG_ROUTE_UPDATE, XG_ROUTE_SEV_CRITICAL, "eth0", 100, &l), 0);
	ticks(&c, &st, 101, 149, &l);
	CU_ASSERT_EQUAL(xg_route_on_event(&c, &st, XG_ROUTE_CLOSE, XG_ROUTE_SEV_CRITICAL,
					  (const char *const[]){"eth0"}, 1, at(150), &o),
			0);
	CU_ASSERT_EQUAL(o.held, 1); /* slack's close; PagerDuty's open is cancelled */
	CU_ASSERT_FALSE(xg_route_done(&st));
	CU_ASSERT_EQUAL(xg_route_next_due(&c, &st), at(200));
	ticks(&c, &st, 151, 199, &l);
	CU_ASSERT_EQUAL(l.n, 1);
	CU_ASSERT_EQUAL(xg_route_tick(&c, &st, at(200), &o), 1);
	check_action(&o.a[0], "slack", XG_ROUTE_CLOSE, 200);
	CU_ASSERT_EQUAL(o.a[0].rev, 3);
	CU_ASSERT_TRUE(xg_route_done(&st));
	keep(&l, &o);
	ticks(&c, &st, 201, 400, &l);
	CU_ASSERT_EQUAL(count(&l, "pagerduty", XG_ROUTE_OPEN), 0);
	CU_ASSERT_EQUAL(count(&l, "pagerduty", XG_ROUTE_CLOSE), 0);
	CU_ASSERT_EQUAL(count(&l, "slack", XG_ROUTE_UPDATE), 0);
	CU_ASSERT_EQUAL(l.n, 2);

	/* an incident that outlasts the window: what is due goes out at its
	 * end, the open to PagerDuty and one update with the latest state */
	memset(&l, 0, sizeof(l));
	page_cfg(&c);
	add_once(&c, 30, 120);
	xg_route_state_init(&st);
	event(&c, &st, XG_ROUTE_OPEN, XG_ROUTE_SEV_ERROR, "eth0", 0, &l);
	ticks(&c, &st, 1, 99, &l);
	event(&c, &st, XG_ROUTE_UPDATE, XG_ROUTE_SEV_CRITICAL, "eth0", 100, &l);
	event(&c, &st, XG_ROUTE_UPDATE, XG_ROUTE_SEV_ERROR, "eth0", 110, &l);
	ticks(&c, &st, 101, 119, &l);
	CU_ASSERT_EQUAL(l.n, 1);
	CU_ASSERT_EQUAL(xg_route_tick(&c, &st, at(120), &o), 2);
	check_action(&o.a[0], "slack", XG_ROUTE_UPDATE, 120);
	check_action(&o.a[1], "pagerduty", XG_ROUTE_OPEN, 120);
	CU_ASSERT_EQUAL(o.a[0].rev, 3);
	CU_ASSERT_EQUAL(o.a[1].rev, 3);
	CU_ASSERT_EQUAL(o.a[0].severity, XG_ROUTE_SEV_ERROR);
	CU_ASSERT_EQUAL(event(&c, &st, XG_ROUTE_CLOSE, XG_ROUTE_SEV_ERROR, "eth0", 300, &l), 2);
	CU_ASSERT_TRUE(xg_route_done(&st));

	/* opened inside the window and still open at its end: the open goes
	 * out then, and the close later reaches it */
	memset(&l, 0, sizeof(l));
	page_cfg(&c);
	add_once(&c, 0, 30);
	xg_route_state_init(&st);
	event(&c, &st, XG_ROUTE_OPEN, XG_ROUTE_SEV_ERROR, "eth0", 10, &l);
	ticks(&c, &st, 11, 100, &l);
	CU_ASSERT_EQUAL(l.n, 2);
	check_action(&l.a[0], "slack", XG_ROUTE_OPEN, 30);
	check_action(&l.a[1], "pagerduty", XG_ROUTE_OPEN, 70);
	event(&c, &st, XG_ROUTE_CLOSE, XG_ROUTE_SEV_ERROR, "eth0", 120, &l);
	CU_ASSERT_EQUAL(count(&l, NULL, XG_ROUTE_CLOSE), 2);
}

static void test_maintenance_iface(void)
{
	const char *both[2] = {"eth0", "eth1"}, *one[1] = {"eth1"};
	struct xg_route_cfg c;
	struct xg_route_state st;
	struct xg_route_out o;
	struct log l = {0};

	page_cfg(&c);
	add_iface(add_once(&c, 0, 600), "eth1");

	/* another interface: as if there were no window */
	xg_route_state_init(&st);
	CU_ASSERT_EQUAL(event(&c, &st, XG_ROUTE_OPEN, XG_ROUTE_SEV_ERROR, "eth0", 10, &l), 1);
	ticks(&c, &st, 11, 100, &l);
	CU_ASSERT_EQUAL(count(&l, "pagerduty", XG_ROUTE_OPEN), 1);

	/* the interface in maintenance: nothing */
	memset(&l, 0, sizeof(l));
	xg_route_state_init(&st);
	CU_ASSERT_EQUAL(event(&c, &st, XG_ROUTE_OPEN, XG_ROUTE_SEV_ERROR, "eth1", 10, &l), 0);
	ticks(&c, &st, 11, 100, &l);
	event(&c, &st, XG_ROUTE_CLOSE, XG_ROUTE_SEV_ERROR, "eth1", 101, &l);
	CU_ASSERT_EQUAL(l.n, 0);
	CU_ASSERT_TRUE(xg_route_done(&st));

	/* on both: only partly in maintenance, so news */
	xg_route_state_init(&st);
	CU_ASSERT_EQUAL(
	    xg_route_on_event(&c, &st, XG_ROUTE_OPEN, XG_ROUTE_SEV_ERROR, both, 2, at(10), &o), 1);

	/* no interface known: only a global window holds it */
	memset(&l, 0, sizeof(l));
	xg_route_state_init(&st);
	CU_ASSERT_EQUAL(event(&c, &st, XG_ROUTE_OPEN, XG_ROUTE_SEV_ERROR, NULL, 10, &l), 1);

	CU_ASSERT_EQUAL(xg_route_maintenance_until(&c, one, 1, at(10)), at(600));
	CU_ASSERT_EQUAL(xg_route_maintenance_until(&c, both, 2, at(10)), at(10));
	CU_ASSERT_EQUAL(xg_route_maintenance_until(&c, NULL, 0, at(10)), at(10));
	CU_ASSERT_EQUAL(xg_route_maintenance_until(&c, one, 1, at(600)), at(600));

	/* a global window covers every interface, and joins a per-interface
	 * one that touches it into one run */
	add_once(&c, 600, 700);
	CU_ASSERT_EQUAL(xg_route_maintenance_until(&c, one, 1, at(10)), at(700));
	CU_ASSERT_EQUAL(xg_route_maintenance_until(&c, both, 2, at(650)), at(700));
	CU_ASSERT_EQUAL(xg_route_maintenance_until(&c, NULL, 0, at(650)), at(700));
	CU_ASSERT_EQUAL(xg_route_maintenance_until(&c, NULL, 0, at(10)), at(10));
}

static void weekly_ok(const char *spec, uint32_t start_s, uint32_t len_s, const char *canon)
{
	struct xg_route_window w = {0};
	char why[160], buf[64];

	if (xg_route_weekly_parse(spec, &w, why, sizeof(why))) {
		fprintf(stderr, "\n\"%s\": %s\n", spec, why);
		CU_FAIL("weekly_parse");
		return;
	}
	CU_ASSERT_EQUAL(w.kind, XG_ROUTE_WIN_WEEKLY);
	CU_ASSERT_EQUAL(w.week_start_s, start_s);
	CU_ASSERT_EQUAL(w.week_len_s, len_s);
	xg_route_weekly_format(&w, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, canon);
}

static void weekly_bad(const char *spec, const char *want)
{
	struct xg_route_window w = {0};
	char why[160];

	CU_ASSERT_EQUAL(xg_route_weekly_parse(spec, &w, why, sizeof(why)), -1);
	if (strcmp(why, want))
		fprintf(stderr, "\n\"%s\": got \"%s\", want \"%s\"\n", spec, why, want);
	CU_ASSERT_STRING_EQUAL(why, want);
	CU_ASSERT_EQUAL(w.week_len_s, 0);
}

#define H 3600u
#define D 86400u

static void test_weekly_parse(void)
{
	weekly_ok("Sun 02:00-04:00", 6 * D + 2 * H, 2 * H, "Sun 02:00-04:00");
	weekly_ok("  mon 00:00 - 00:30 ", 0, 1800, "Mon 00:00-00:30");
	/* past midnight, and past the end of the week */
	weekly_ok("Sat 23:00-01:00", 5 * D + 23 * H, 2 * H, "Sat 23:00-01:00");
	weekly_ok("SUN 23:30-00:15", 6 * D + 23 * H + 1800, 2700, "Sun 23:30-00:15");
	weekly_ok("Fri 22:00-Mon 06:00", 4 * D + 22 * H, 2 * D + 8 * H, "Fri 22:00-Mon 06:00");
	weekly_ok("Sun 22:00-Sun 23:00", 6 * D + 22 * H, H, "Sun 22:00-23:00");
	/* a whole day, and all but a minute of the week */
	weekly_ok("Tue 00:00-24:00", D, D, "Tue 00:00-Wed 00:00");
	weekly_ok("Wed 10:00-Wed 09:59", 2 * D + 10 * H, 7 * D - 60, "Wed 10:00-Wed 09:59");

	weekly_bad("", "empty: expected DAY HH:MM-HH:MM or DAY HH:MM-DAY HH:MM (UTC), like "
		       "\"Sun 02:00-04:00\"");
	weekly_bad("Sux 02:00-04:00", "\"Sux\" is not a day (Mon Tue Wed Thu Fri Sat Sun)");
	weekly_bad("Sunday 02:00-04:00", "\"Sunday\" is not a day (Mon Tue Wed Thu Fri Sat Sun)");
	weekly_bad("Sun 2:00-04:00", "\"2:00\" is not a time 00:00-23:59");
	weekly_bad("Sun 24:00-01:00", "\"24:00\" is not a time 00:00-23:59");
	weekly_bad("Sun 02:60-03:00", "\"02:60\" is not a time 00:00-23:59");
	weekly_bad("Sun 02:00-24:30", "\"24:30\" is not a time 00:00-24:00");
	weekly_bad("Sun 02:00-Xyz 03:00", "\"Xyz\" is not a day (Mon Tue Wed Thu Fri Sat Sun)");
	weekly_bad("Sun 02:00", "expected DAY HH:MM-HH:MM or DAY HH:MM-DAY HH:MM (UTC), like "
				"\"Sun 02:00-04:00\"");
	weekly_bad("Sun02:00-04:00", "expected DAY HH:MM-HH:MM or DAY HH:MM-DAY HH:MM (UTC), like "
				     "\"Sun 02:00-04:00\"");
	weekly_bad("Sun 02:00-04:00 UTC", "unexpected \"UTC\" after the end time");
	weekly_bad("Sun 02:00-02:00", "start and end are the same time: an empty window (for a "
				      "whole day write \"Mon 02:00-Tue 02:00\")");
	weekly_bad("Sun 02:00-Sun 02:00", "start and end are the same time: an empty window");
	weekly_bad("1795305600", "\"1795305600\" is not a day (Mon Tue Wed Thu Fri Sat Sun)");
}

static void test_weekly_match(void)
{
	struct xg_route_cfg c;
	struct xg_route_window w = {0};
	char why[160];

	/* Saturday night past midnight into Sunday */
	CU_ASSERT_EQUAL_FATAL(xg_route_weekly_parse("Sat 23:00-01:00", &w, why, sizeof(why)), 0);
	CU_ASSERT_FALSE(xg_route_window_active(&w, utc(2026, 11, 28, 22, 59, 59)));
	CU_ASSERT_TRUE(xg_route_window_active(&w, utc(2026, 11, 28, 23, 0, 0)));
	CU_ASSERT_TRUE(xg_route_window_active(&w, utc(2026, 11, 29, 0, 30, 0)));
	CU_ASSERT_TRUE(xg_route_window_active(&w, utc(2026, 11, 29, 1, 0, 0) - 1));
	CU_ASSERT_FALSE(xg_route_window_active(&w, utc(2026, 11, 29, 1, 0, 0)));
	CU_ASSERT_FALSE(xg_route_window_active(&w, utc(2026, 11, 27, 23, 30, 0))); /* a Friday */

	/* Sunday night into Monday: across the end of the week */
	CU_ASSERT_EQUAL_FATAL(xg_route_weekly_parse("Sun 23:00-01:00", &w, why, sizeof(why)), 0);
	CU_ASSERT_TRUE(xg_route_window_active(&w, utc(2026, 11, 22, 23, 30, 0)));
	CU_ASSERT_TRUE(xg_route_window_active(&w, utc(2026, 11, 23, 0, 59, 0)));
	CU_ASSERT_FALSE(xg_route_window_active(&w, utc(2026, 11, 23, 1, 0, 0)));
	CU_ASSERT_FALSE(xg_route_window_active(&w, utc(2026, 11, 22, 22, 59, 0)));
	/* every week, before and after the epoch's own weekday */
	CU_ASSERT_TRUE(xg_route_window_active(&w, utc(2026, 11, 29, 23, 30, 0)));
	CU_ASSERT_TRUE(xg_route_window_active(&w, utc(2026, 1, 5, 0, 30, 0))); /* a Monday */
	CU_ASSERT_TRUE(xg_route_window_active(&w, utc(1970, 1, 5, 0, 30, 0)));
	CU_ASSERT_FALSE(xg_route_window_active(&w, utc(1970, 1, 1, 0, 30, 0))); /* a Thursday */

	/* a weekend across the wrap, seen through maintenance_until */
	xg_route_cfg_defaults(&c);
	add_weekly(&c, "Fri 22:00-Mon 06:00");
	CU_ASSERT_EQUAL(xg_route_maintenance_until(&c, NULL, 0, utc(2026, 11, 28, 12, 0, 0)),
			utc(2026, 11, 30, 6, 0, 0));
	CU_ASSERT_EQUAL(xg_route_maintenance_until(&c, NULL, 0, utc(2026, 11, 30, 5, 59, 59)),
			utc(2026, 11, 30, 6, 0, 0));
	CU_ASSERT_EQUAL(xg_route_maintenance_until(&c, NULL, 0, utc(2026, 11, 26, 12, 0, 0)),
			utc(2026, 11, 26, 12, 0, 0));

	/* windows that touch make one run */
	xg_route_cfg_defaults(&c);
	add_weekly(&c, "Sun 23:00-01:00");
	add_weekly(&c, "Sun 22:00-23:00");
	CU_ASSERT_EQUAL(xg_route_maintenance_until(&c, NULL, 0, utc(2026, 11, 22, 22, 30, 0)),
			utc(2026, 11, 23, 1, 0, 0));
	/* and windows that cover the whole week never end */
	xg_route_cfg_defaults(&c);
	add_weekly(&c, "Mon 00:00-Thu 00:00");
	add_weekly(&c, "Thu 00:00-Mon 00:00");
	CU_ASSERT_EQUAL(xg_route_maintenance_until(&c, NULL, 0, t0()), UINT64_MAX);
}

/* A weekly window used by the router, with an interface. */
static void test_weekly_route(void)
{
	struct xg_route_cfg c;
	struct xg_route_state st;
	struct log l = {0};

	page_cfg(&c);
	/* t0 is Sunday 10:00: the window is [120 s, 420 s) from t0 */
	add_iface(add_weekly(&c, "Sun 10:02-10:07"), "eth1");
	xg_route_state_init(&st);
	event(&c, &st, XG_ROUTE_OPEN, XG_ROUTE_SEV_ERROR, "eth1", 100, &l);
	ticks(&c, &st, 101, 500, &l);
	check_action(find(&l, "slack", XG_ROUTE_OPEN), "slack", XG_ROUTE_OPEN, 100);
	check_action(find(&l, "pagerduty", XG_ROUTE_OPEN), "pagerduty", XG_ROUTE_OPEN, 420);
	/* a week later, the same */
	CU_ASSERT_EQUAL(
	    xg_route_maintenance_until(&c, (const char *const[]){"eth1"}, 1, at(7 * 86400 + 200)),
	    at(7 * 86400 + 420));
}

static void test_coalesce(void)
{
	struct xg_route_cfg c;
	struct xg_route_state st;
	struct xg_route_out o;
	struct log l = {0};
	int t;

	page_cfg(&c);
	xg_route_state_init(&st);
	event(&c, &st, XG_ROUTE_OPEN, XG_ROUTE_SEV_WARNING, "eth0", 0, &l);
	/* 10 updates inside the 30 s after the open */
	for (t = 1; t <= 10; t++) {
		CU_ASSERT_EQUAL(event(&c, &st, XG_ROUTE_UPDATE,
				      t == 10 ? XG_ROUTE_SEV_ERROR : XG_ROUTE_SEV_WARNING, "eth0",
				      t * 2, &l),
				0);
		ticks(&c, &st, t * 2, t * 2 + 1, &l);
	}
	ticks(&c, &st, 22, 29, &l);
	CU_ASSERT_EQUAL(l.n, 1);
	CU_ASSERT_EQUAL(xg_route_tick(&c, &st, at(30), &o), 1);
	check_action(&o.a[0], "slack", XG_ROUTE_UPDATE, 30);
	CU_ASSERT_EQUAL(o.a[0].rev, 11);
	CU_ASSERT_EQUAL(o.a[0].severity, XG_ROUTE_SEV_ERROR);
	keep(&l, &o);

	/* one at 40 waits for 60; a quiet spell, then one at 100 goes at once */
	event(&c, &st, XG_ROUTE_UPDATE, XG_ROUTE_SEV_ERROR, "eth0", 40, &l);
	CU_ASSERT_EQUAL(xg_route_next_due(&c, &st), at(60));
	ticks(&c, &st, 41, 99, &l);
	check_action(&l.a[l.n - 2], "slack", XG_ROUTE_UPDATE, 60);
	check_action(&l.a[l.n - 1], "pagerduty", XG_ROUTE_OPEN, 60);
	CU_ASSERT_EQUAL(event(&c, &st, XG_ROUTE_UPDATE, XG_ROUTE_SEV_ERROR, "eth0", 100, &l), 2);
	check_action(&l.a[l.n - 2], "slack", XG_ROUTE_UPDATE, 100);
	check_action(&l.a[l.n - 1], "pagerduty", XG_ROUTE_UPDATE, 100);
	CU_ASSERT_EQUAL(l.a[l.n - 1].rev, 13);

	/* coalesce_s 0: every update */
	c.coalesce_s = 0;
	CU_ASSERT_EQUAL(event(&c, &st, XG_ROUTE_UPDATE, XG_ROUTE_SEV_ERROR, "eth0", 101, &l), 2);
	CU_ASSERT_EQUAL(event(&c, &st, XG_ROUTE_UPDATE, XG_ROUTE_SEV_ERROR, "eth0", 101, &l), 2);
}

static void test_close_flushes_update(void)
{
	struct xg_route_cfg c;
	struct xg_route_state st;
	struct log l = {0};

	page_cfg(&c);
	xg_route_state_init(&st);
	event(&c, &st, XG_ROUTE_OPEN, XG_ROUTE_SEV_WARNING, "eth0", 0, &l);
	event(&c, &st, XG_ROUTE_UPDATE, XG_ROUTE_SEV_WARNING, "eth0", 5, &l);
	event(&c, &st, XG_ROUTE_UPDATE, XG_ROUTE_SEV_WARNING, "eth0", 10, &l);
	ticks(&c, &st, 11, 19, &l);
	CU_ASSERT_EQUAL(event(&c, &st, XG_ROUTE_CLOSE, XG_ROUTE_SEV_WARNING, "eth0", 20, &l), 1);
	check_action(&l.a[1], "slack", XG_ROUTE_CLOSE, 20);
	CU_ASSERT_EQUAL(l.a[1].rev, 4);
	ticks(&c, &st, 21, 200, &l);
	CU_ASSERT_EQUAL(l.n, 2);
	CU_ASSERT_EQUAL(count(&l, NULL, XG_ROUTE_UPDATE), 0);
	CU_ASSERT_EQUAL(xg_route_next_due(&c, &st), UINT64_MAX);
}

static void test_event_order(void)
{
	const char *ifs[XG_ROUTE_MAX_IFACES + 1] = {0};
	struct xg_route_cfg c;
	struct xg_route_state st, before;
	struct xg_route_out o;

	page_cfg(&c);
	xg_route_state_init(&st);
	CU_ASSERT_EQUAL(event(&c, &st, XG_ROUTE_UPDATE, XG_ROUTE_SEV_ERROR, "eth0", 0, NULL), -1);
	CU_ASSERT_EQUAL(event(&c, &st, XG_ROUTE_CLOSE, XG_ROUTE_SEV_ERROR, "eth0", 0, NULL), -1);
	CU_ASSERT_EQUAL(xg_route_tick(&c, &st, at(0), &o), 0);
	CU_ASSERT_FALSE(xg_route_done(&st));
	CU_ASSERT_EQUAL(event(&c, &st, XG_ROUTE_OPEN, XG_ROUTE_SEV_ERROR, "eth0", 0, NULL), 1);
	before = st;
	CU_ASSERT_EQUAL(event(&c, &st, XG_ROUTE_OPEN, XG_ROUTE_SEV_ERROR, "eth0", 1, NULL), -1);
	CU_ASSERT_EQUAL(event(&c, &st, XG_ROUTE_UPDATE, XG_ROUTE_SEV_MAX, "eth0", 1, NULL), -1);
	CU_ASSERT_EQUAL(event(&c, &st, (enum xg_route_kind)7, XG_ROUTE_SEV_ERROR, "eth0", 1, NULL),
			-1);
	CU_ASSERT_EQUAL(xg_route_on_event(&c, &st, XG_ROUTE_UPDATE, XG_ROUTE_SEV_ERROR, ifs,
					  XG_ROUTE_MAX_IFACES + 1, at(1), &o),
			-1);
	CU_ASSERT_EQUAL(o.n, 0);
	CU_ASSERT_EQUAL(
	    xg_route_on_event(&c, &st, XG_ROUTE_UPDATE, XG_ROUTE_SEV_ERROR, NULL, 1, at(1), &o),
	    -1);
	CU_ASSERT_EQUAL(memcmp(&st, &before, sizeof(st)), 0);
}

/* After a reload that drops PagerDuty and adds mail, the open incident's
 * close still reaches PagerDuty, after the configured sinks. */
static void test_reload(void)
{
	struct xg_route_cfg c, c2;
	struct xg_route_state st;
	struct xg_route_out o;
	struct xg_route_policy *p;

	page_cfg(&c);
	xg_route_state_init(&st);
	event(&c, &st, XG_ROUTE_OPEN, XG_ROUTE_SEV_ERROR, "eth0", 0, NULL);
	xg_route_tick(&c, &st, at(60), &o);
	CU_ASSERT_EQUAL(o.n, 1);

	xg_route_cfg_defaults(&c2);
	add_sink(&c2, "mail", XG_ROUTE_SINK_EMAIL);
	add_sink(&c2, "slack", XG_ROUTE_SINK_SLACK);
	p = add_policy(&c2, "page");
	add_step(p, 0, "slack", "mail");
	add_route(&c2, XG_ROUTE_SEV_ERROR, "page");
	/* routes only change at a rise in severity: mail is not told mid-way */
	xg_route_tick(&c2, &st, at(70), &o);
	CU_ASSERT_EQUAL(o.n, 0);
	CU_ASSERT_EQUAL(event(&c2, &st, XG_ROUTE_CLOSE, XG_ROUTE_SEV_ERROR, "eth0", 80, NULL), 2);
	/* evaluated again through the out-parameter of a fresh call */
	xg_route_state_init(&st);
	event(&c, &st, XG_ROUTE_OPEN, XG_ROUTE_SEV_ERROR, "eth0", 0, NULL);
	xg_route_tick(&c, &st, at(60), &o);
	xg_route_on_event(&c2, &st, XG_ROUTE_CLOSE, XG_ROUTE_SEV_ERROR, NULL, 0, at(80), &o);
	CU_ASSERT_EQUAL_FATAL(o.n, 2);
	check_action(&o.a[0], "slack", XG_ROUTE_CLOSE, 80);
	check_action(&o.a[1], "pagerduty", XG_ROUTE_CLOSE, 80);
	CU_ASSERT_EQUAL(o.a[1].type, XG_ROUTE_SINK_PAGERDUTY);
}

/* ---- config checks ---- */

static void check_err(const struct xg_route_cfg *c, const char *want_path, const char *want_why)
{
	char path[160], why[256];

	CU_ASSERT_EQUAL(xg_route_cfg_check(c, "alerts", path, sizeof(path), why, sizeof(why)), -1);
	if (strcmp(path, want_path) || strcmp(why, want_why))
		fprintf(stderr, "\ngot %s: %s\nwant %s: %s\n", path, why, want_path, want_why);
	CU_ASSERT_STRING_EQUAL(path, want_path);
	CU_ASSERT_STRING_EQUAL(why, want_why);
}

static void test_check(void)
{
	struct xg_route_cfg c;
	char path[160], why[256];

	base_cfg(&c);
	add_iface(add_weekly(&c, "Sun 02:00-04:00"), "eth1");
	add_once(&c, 0, 3600);
	CU_ASSERT_EQUAL(xg_route_cfg_check(&c, "alerts", path, sizeof(path), why, sizeof(why)), 0);
	CU_ASSERT_STRING_EQUAL(path, "");

	/* unknown sink in a policy */
	base_cfg(&c);
	snprintf(c.policies[2].steps[1].sinks[0], XG_ROUTE_NAME_LEN, "pd");
	check_err(&c, "alerts.policies[2].steps[1].sinks[0]",
		  "unknown sink \"pd\" (not in alerts.sinks)");
	/* without a prefix the path starts at the section's keys */
	CU_ASSERT_EQUAL(xg_route_cfg_check(&c, "", path, sizeof(path), why, sizeof(why)), -1);
	CU_ASSERT_STRING_EQUAL(path, "policies[2].steps[1].sinks[0]");
	CU_ASSERT_STRING_EQUAL(why, "unknown sink \"pd\" (not in sinks)");

	/* a route naming a policy that does not exist */
	base_cfg(&c);
	snprintf(c.routes[1].policy, XG_ROUTE_NAME_LEN, "paging");
	check_err(&c, "alerts.routes[1].policy", "no policy named \"paging\" (in alerts.policies)");
	base_cfg(&c);
	c.routes[0].min_severity = XG_ROUTE_SEV_MAX;
	check_err(&c, "alerts.routes[0].min_severity",
		  "must be one of info, warning, error, critical");

	/* windows */
	base_cfg(&c);
	add_once(&c, 100, 100);
	check_err(&c, "alerts.maintenance[0].end",
		  "must be after start (1795341700), got 1795341700");
	base_cfg(&c);
	add_once(&c, 0, 10)->start_s = -5;
	check_err(&c, "alerts.maintenance[0].start", "must be a Unix time (UTC seconds), got -5");
	base_cfg(&c);
	add_weekly(&c, "Sun 02:00-04:00");
	add_weekly(&c, "Sun 02:00-04:00")->week_len_s = 0;
	check_err(&c, "alerts.maintenance[1].weekly",
		  "must start within the week and last from a second to under a week");
	base_cfg(&c);
	add_weekly(&c, "Sun 02:00-04:00")->kind = (enum xg_route_window_kind)5;
	check_err(&c, "alerts.maintenance[0]", "needs \"start\" and \"end\", or \"weekly\"");
	base_cfg(&c);
	add_iface(add_weekly(&c, "Sun 02:00-04:00"), "eth 1");
	check_err(&c, "alerts.maintenance[0].interfaces[0]",
		  "invalid interface name \"eth 1\": 1-15 characters, no '/', ':' or spaces");
	base_cfg(&c);
	{
		struct xg_route_window *w = add_weekly(&c, "Sun 02:00-04:00");

		add_iface(w, "eth1");
		add_iface(w, "eth1");
	}
	check_err(&c, "alerts.maintenance[0].interfaces[1]",
		  "duplicate interface \"eth1\" (also interfaces[0])");

	/* sinks */
	base_cfg(&c);
	snprintf(c.sinks[2].name, XG_ROUTE_NAME_LEN, "slack");
	check_err(&c, "alerts.sinks[2].name", "duplicate sink \"slack\" (also alerts.sinks[0])");
	base_cfg(&c);
	snprintf(c.sinks[1].name, XG_ROUTE_NAME_LEN, "pager duty\n");
	check_err(&c, "alerts.sinks[1].name",
		  "must be 1-31 characters A-Z a-z 0-9 _ - ., got \"pager duty?\"");
	base_cfg(&c);
	c.sinks[1].name[0] = '\0';
	check_err(&c, "alerts.sinks[1].name",
		  "must be 1-31 characters A-Z a-z 0-9 _ - ., got \"\"");
	base_cfg(&c);
	c.sinks[3].type = XG_ROUTE_SINK_MAX;
	check_err(&c, "alerts.sinks[3].type",
		  "must be one of webhook, pagerduty, slack, discord, opsgenie, email, syslog");
	base_cfg(&c);
	c.n_sinks = XG_ROUTE_MAX_SINKS + 1;
	check_err(&c, "alerts.sinks", "at most 16, got 17");

	/* policies and steps */
	base_cfg(&c);
	snprintf(c.policies[2].name, XG_ROUTE_NAME_LEN, "log");
	check_err(&c, "alerts.policies[2].name",
		  "duplicate policy \"log\" (also alerts.policies[0])");
	base_cfg(&c);
	add_policy(&c, "empty");
	check_err(&c, "alerts.policies[3].steps", "policy \"empty\" needs at least one step");
	base_cfg(&c);
	c.policies[2].steps[1].delay_s = 86401;
	check_err(&c, "alerts.policies[2].steps[1].delay_s", "must be 0-86400, got 86401");
	base_cfg(&c);
	c.policies[2].steps[0].delay_s = 120;
	check_err(&c, "alerts.policies[2].steps[1].delay_s",
		  "60 is less than the step before it (120): steps go in the order they fire");
	base_cfg(&c);
	c.policies[2].steps[1].n_sinks = 0;
	check_err(&c, "alerts.policies[2].steps[1].sinks", "a step needs at least one sink");
	base_cfg(&c);
	add_step(&c.policies[2], 300, "mail", "slack");
	check_err(&c, "alerts.policies[2].steps[2].sinks[1]",
		  "sink \"slack\" is already in steps[0]");
	base_cfg(&c);
	add_step(&c.policies[2], 300, "mail", "mail");
	check_err(&c, "alerts.policies[2].steps[2].sinks[1]",
		  "sink \"mail\" is already in steps[2]");

	/* coalescing */
	base_cfg(&c);
	c.coalesce_s = 3601;
	check_err(&c, "alerts.coalesce_s", "must be 0-3600, got 3601");
	c.coalesce_s = 0;
	CU_ASSERT_EQUAL(xg_route_cfg_check(&c, "alerts", path, sizeof(path), why, sizeof(why)), 0);
}

/* ---- the same actions whatever the tick cadence ---- */

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

static int sink_order(const struct xg_route_cfg *c, const char *name)
{
	int i;

	for (i = 0; i < c->n_sinks; i++)
		if (!strcmp(c->sinks[i].name, name))
			return i;
	return c->n_sinks;
}

/* Stable: one sink's actions at one time stay in the order they came. */
static void sort_log(const struct xg_route_cfg *c, struct log *l)
{
	int i, j;

	for (i = 1; i < l->n; i++) {
		struct xg_route_action a = l->a[i];

		for (j = i; j > 0; j--) {
			const struct xg_route_action *b = &l->a[j - 1];

			if (b->not_before_ns < a.not_before_ns ||
			    (b->not_before_ns == a.not_before_ns &&
			     sink_order(c, b->sink) <= sink_order(c, a.sink)))
				break;
			l->a[j] = l->a[j - 1];
		}
		l->a[j] = a;
	}
}

struct ev {
	enum xg_route_kind kind;
	enum xg_route_sev sev;
	int t_s;
};

/* One incident's events, ticking every `every` seconds between them (0:
 * never), then until nothing is pending. */
static void play(const struct xg_route_cfg *c, const struct ev *ev, int n, const char *iface,
		 int every, struct log *l)
{
	struct xg_route_state st;
	struct xg_route_out o;
	uint64_t next;
	int i, t, guard;

	xg_route_state_init(&st);
	for (i = 0; i < n; i++) {
		if (every && i)
			for (t = ev[i - 1].t_s + every; t < ev[i].t_s; t += every) {
				xg_route_tick(c, &st, at(t), &o);
				keep(l, &o);
			}
		CU_ASSERT_TRUE(event(c, &st, ev[i].kind, ev[i].sev, iface, ev[i].t_s, l) >= 0);
	}
	for (guard = 0; guard < 64 && (next = xg_route_next_due(c, &st)) != UINT64_MAX; guard++) {
		xg_route_tick(c, &st, next, &o);
		keep(l, &o);
	}
	CU_ASSERT_TRUE(xg_route_done(&st));
}

static void test_cadence(void)
{
	const char *ifaces[3] = {"eth0", "eth1", NULL};
	const int cadence[] = {1, 7, 45, 0};
	struct xg_route_cfg c;
	uint32_t seed = 42;
	int round, bad = 0;

	base_cfg(&c);
	c.policies[2].steps[1].delay_s = 45;
	add_step(&c.policies[2], 200, "mail", NULL);
	add_iface(add_weekly(&c, "Sun 10:03-10:06"), "eth1");
	add_once(&c, 500, 560);

	for (round = 0; round < 300; round++) {
		struct ev ev[24];
		struct log ref = {0}, l;
		const char *iface = ifaces[lcg(&seed) % 3];
		int n = 0, t = (int)(lcg(&seed) % 600), k, i, j;

		ev[n++] = (struct ev){XG_ROUTE_OPEN, lcg(&seed) % XG_ROUTE_SEV_MAX, t};
		k = (int)(lcg(&seed) % 20);
		for (i = 0; i < k; i++) {
			t += (int)(lcg(&seed) % 40);
			ev[n++] = (struct ev){XG_ROUTE_UPDATE, lcg(&seed) % XG_ROUTE_SEV_MAX, t};
		}
		t += 1 + (int)(lcg(&seed) % 300);
		ev[n++] = (struct ev){XG_ROUTE_CLOSE, lcg(&seed) % XG_ROUTE_SEV_MAX, t};

		play(&c, ev, n, iface, cadence[0], &ref);
		sort_log(&c, &ref);
		for (k = 1; k < (int)(sizeof(cadence) / sizeof(cadence[0])); k++) {
			memset(&l, 0, sizeof(l));
			play(&c, ev, n, iface, cadence[k], &l);
			sort_log(&c, &l);
			if (l.n != ref.n || memcmp(l.a, ref.a, sizeof(l.a[0]) * (size_t)l.n)) {
				bad++;
				fprintf(stderr, "\nround %d: cadence %d differs from 1\n", round,
					cadence[k]);
			}
		}

		/* what the rules promise, on the log */
		for (i = 0; i < ref.n; i++) {
			const struct xg_route_action *a = &ref.a[i];
			const char *ifs[1] = {iface};
			int opens = 0, closes = 0;
			uint64_t last = 0;

			/* nothing goes out in maintenance */
			if (xg_route_maintenance_until(&c, ifs, iface ? 1 : 0, a->not_before_ns) !=
			    a->not_before_ns)
				bad++;
			if (a->kind != XG_ROUTE_OPEN)
				continue;
			/* per sink: open, updates coalesce_s apart, one close */
			for (j = 0; j < ref.n; j++) {
				const struct xg_route_action *b = &ref.a[j];

				if (strcmp(b->sink, a->sink))
					continue;
				if (b->kind == XG_ROUTE_OPEN)
					opens++;
				else if (!opens || closes)
					bad++;
				if (b->kind == XG_ROUTE_UPDATE &&
				    b->not_before_ns < last + (uint64_t)c.coalesce_s * NS)
					bad++;
				if (b->kind == XG_ROUTE_CLOSE)
					closes++;
				last = b->not_before_ns;
			}
			if (opens != 1 || closes != 1)
				bad++;
		}
		/* a close for every open */
		if (count(&ref, NULL, XG_ROUTE_OPEN) != count(&ref, NULL, XG_ROUTE_CLOSE))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

void add_alert_route_suite(void)
{
	CU_pSuite s = CU_add_suite("alert_route", NULL, NULL);

	CU_add_test(s, "defaults: nothing routed", test_defaults);
	CU_add_test(s, "severity and sink type names", test_names);
	CU_add_test(s, "routes by severity", test_route_by_severity);
	CU_add_test(s, "a sink in several routes: its earliest step", test_earliest_step);
	CU_add_test(s, "a rise adds routes, a fall cancels nothing", test_severity_rise);
	CU_add_test(s, "escalation: slack at once, pagerduty after 60 s", test_escalation);
	CU_add_test(s, "close at 30 s: slack only", test_close_before_escalation);
	CU_add_test(s, "close at 90 s: both", test_close_after_escalation);
	CU_add_test(s, "no ticks: the same actions", test_without_ticks);
	CU_add_test(s, "global maintenance holds open, update, close, escalation",
		    test_maintenance_global);
	CU_add_test(s, "per-interface maintenance", test_maintenance_iface);
	CU_add_test(s, "weekly window parsing", test_weekly_parse);
	CU_add_test(s, "weekly window across midnight and the week's end", test_weekly_match);
	CU_add_test(s, "weekly window per interface in routing", test_weekly_route);
	CU_add_test(s, "coalescing: one update per window, latest state", test_coalesce);
	CU_add_test(s, "a close drops a waiting update", test_close_flushes_update);
	CU_add_test(s, "events out of order change nothing", test_event_order);
	CU_add_test(s, "a reload keeps the close for a removed sink", test_reload);
	CU_add_test(s, "config check errors with key paths", test_check);
	CU_add_test(s, "random incidents: any tick cadence, rules hold", test_cadence);
}
