// SPDX-License-Identifier: GPL-2.0-only
/* The alerter end to end without a network: controller events in, routed,
 * rendered and queued events out. Workers are off (no_workers), every call
 * gets a fixed clock, and the results are read from the status and, after
 * close, from the queue directory itself. Temp dirs, no root, no timing. */
#include <CUnit/Basic.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

#include "tmpdir.h"
#include "alert_cfg.h"
#include "alert_route.h"
#include "alerter.h"
#include "alertq.h"
#include "fsutil.h"
#include "suites.h"

#define NS	  1000000000ULL
#define FAR	  UINT64_MAX /* a "now" at which every queued event is due */
#define MAX_ITEMS 8
#define PD_KEY	  "R0UT1NGKEY0123456789abcdef"

/* Sunday 2026-11-22 10:00:00 UTC: every test's time 0. */
static uint64_t t0(void)
{
	struct tm tm = {.tm_year = 2026 - 1900, .tm_mon = 10, .tm_mday = 22, .tm_hour = 10};

	return (uint64_t)timegm(&tm) * NS;
}

static uint64_t at(int s)
{
	return t0() + (uint64_t)s * NS;
}

/* ---- temp dirs ---- */

static void tmpdir(char *buf, size_t len)
{
	xg_test_tmpdir(buf, len, "alerter");
}

static void rm_rf(const char *dir)
{
	xg_test_rm_rf(dir);
}

/* ---- the log, so a test can see what the alerter complained about ---- */

static int n_log_forgot; /* "forgetting incident ..." lines */
static int n_log_full;	 /* "queue full ..." lines */
static int n_log_error;	 /* other errors */

static void test_log(void *arg, const char *level, const char *msg)
{
	(void)arg;
	if (strstr(msg, "forgetting incident"))
		n_log_forgot++;
	if (strcmp(level, "error"))
		return;
	if (strstr(msg, "queue full")) {
		n_log_full++;
	} else {
		n_log_error++;
		fprintf(stderr, "alerter error: %s\n", msg);
	}
}

/* Each test starts with a new temp dir and a clean log. */
static void setup(char *dir, size_t len)
{
	n_log_forgot = n_log_full = n_log_error = 0;
	tmpdir(dir, len);
}

/* ... and ends with no error logged and nothing left behind. */
static void teardown(const char *dir)
{
	CU_ASSERT_EQUAL(n_log_error, 0);
	CU_ASSERT_EQUAL(n_log_forgot, 0);
	rm_rf(dir);
}

/* ---- configuration ---- */

static void add_sink(struct xg_alerts_cfg *c, const char *name, enum xg_route_sink_type type)
{
	int i = c->route.n_sinks++;

	snprintf(c->route.sinks[i].name, sizeof(c->route.sinks[i].name), "%s", name);
	c->route.sinks[i].type = type;
	xg_alert_sink_defaults(&c->sink[i], type);
	/* nothing is sent (no workers), but every sink gets what it needs */
	if (type != XG_ROUTE_SINK_PAGERDUTY)
		snprintf(c->sink[i].url, sizeof(c->sink[i].url), "http://127.0.0.1:9/%s", name);
	else
		snprintf(c->sink[i].routing_key, sizeof(c->sink[i].routing_key), "%s", PD_KEY);
}

static struct xg_route_policy *add_policy(struct xg_alerts_cfg *c, const char *name)
{
	struct xg_route_policy *p = &c->route.policies[c->route.n_policies++];

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

static void add_route(struct xg_alerts_cfg *c, enum xg_route_sev min, const char *policy)
{
	struct xg_route_rule *r = &c->route.routes[c->route.n_routes++];

	r->min_severity = min;
	snprintf(r->policy, sizeof(r->policy), "%s", policy);
}

/* A one-off window over [from_s, to_s) after t0; iface NULL: global. */
static void add_once(struct xg_alerts_cfg *c, int from_s, int to_s, const char *iface)
{
	struct xg_route_window *w = &c->route.windows[c->route.n_windows++];

	w->kind = XG_ROUTE_WIN_ONCE;
	w->start_s = (int64_t)(at(from_s) / NS);
	w->end_s = (int64_t)(at(to_s) / NS);
	if (iface)
		snprintf(w->ifaces[w->n_ifaces++], XG_ROUTE_IFNAME_LEN, "%s", iface);
}

static void cfg_check(const struct xg_alerts_cfg *c)
{
	char path[256], why[256];
	int r = xg_route_cfg_check(&c->route, "alerts", path, sizeof(path), why, sizeof(why));

	if (r)
		fprintf(stderr, "route config: %s: %s\n", path, why);
	CU_ASSERT_EQUAL_FATAL(r, 0);
}

/* slack and pagerduty; from warning up, slack at once and PagerDuty when
 * the incident is still open after 60 s. */
static void page_cfg(struct xg_alerts_cfg *c)
{
	struct xg_route_policy *p;

	xg_alerts_cfg_defaults(c);
	snprintf(c->node, sizeof(c->node), "edge-1");
	add_sink(c, "slack", XG_ROUTE_SINK_SLACK);
	add_sink(c, "pagerduty", XG_ROUTE_SINK_PAGERDUTY);
	p = add_policy(c, "page");
	add_step(p, 0, "slack", NULL);
	add_step(p, 60, "pagerduty", NULL);
	add_route(c, XG_ROUTE_SEV_WARNING, "page");
}

/* The given sinks (slack, webhook, ...) all at once, from min up. */
static void at_once_cfg(struct xg_alerts_cfg *c, enum xg_route_sev min, const char *a,
			enum xg_route_sink_type ta, const char *b, enum xg_route_sink_type tb)
{
	struct xg_route_policy *p;

	xg_alerts_cfg_defaults(c);
	snprintf(c->node, sizeof(c->node), "edge-1");
	add_sink(c, a, ta);
	if (b)
		add_sink(c, b, tb);
	p = add_policy(c, "now");
	add_step(p, 0, a, b);
	add_route(c, min, "now");
}

static struct xg_alerter *open_alerter(const char *dir, const struct xg_alerts_cfg *cfg,
				       uint64_t now)
{
	struct xg_alerter_opts o = {.dir = dir, .no_workers = true, .log = test_log};
	struct xg_alerter *a = NULL;
	char err[256] = "";
	int r;

	cfg_check(cfg);
	r = xg_alerter_open(&a, cfg, &o, now, err, sizeof(err));
	if (r)
		fprintf(stderr, "alerter open: %s\n", err);
	CU_ASSERT_EQUAL_FATAL(r, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	return a;
}

/* ---- incidents and events ---- */

/* An incident as the controller reports it (xg_incident_to_json() and the
 * top sources), one reference. */
static struct json_object *incident(const char *event, const char *id, const char *family,
				    const char *service, int confidence, double pps)
{
	char buf[2048];
	struct json_object *o;

	snprintf(buf, sizeof(buf),
		 "{\"event\": \"%s\", \"id\": \"%s\", \"seq\": 3, \"family\": \"%s\","
		 " \"subtype\": \"\", \"service\": \"%s\", \"confidence\": %d,"
		 " \"spoofed\": true, \"botnet\": false, \"learning\": false,"
		 " \"start\": %.3f, \"start_utc\": \"2026-11-22T10:00:00Z\","
		 " \"peak_pps\": %.1f, \"peak_bps\": %.1f,"
		 " \"metrics\": [\"pps\"], \"peak_metrics\": {\"pps\": %.1f},"
		 " \"destinations\": [\"198.51.100.10/32\"],"
		 " \"evidence\": [\"one source sends most of it\"],"
		 " \"top_sources\": [{\"addr\": \"203.0.113.7\", \"pps\": 41000.0,"
		 " \"known\": false}]}",
		 event, id, family, service, confidence, (double)(t0() / NS), pps, pps * 800.0,
		 pps);
	o = json_tokener_parse(buf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	return o;
}

static const char *const ETH0[] = {"eth0"};
static const char *const ETH1[] = {"eth1"};

/* One incident event on one interface (NULL: eth0). */
static void inc_event(struct xg_alerter *a, const char *event, const char *id, const char *family,
		      const char *service, int confidence, double pps, uint64_t now,
		      const char *const *ifaces)
{
	struct json_object *o = incident(event, id, family, service, confidence, pps);

	xg_alerter_on_event(a, event, now, o, ifaces ? ifaces : ETH0, 1);
	json_object_put(o);
}

/* A UDP flood big and certain enough to be critical. */
static void udp_event(struct xg_alerter *a, const char *event, const char *id, uint64_t now,
		      const char *const *ifaces)
{
	inc_event(a, event, id, "udp_flood", "", 90, 250000.0, now, ifaces);
}

static void mitigation(struct xg_alerter *a, const char *id, uint64_t now)
{
	char buf[512];
	struct json_object *o;

	snprintf(buf, sizeof(buf),
		 "{\"event\": \"mitigation\", \"incident\": \"%s\", \"action\": \"block\","
		 " \"target\": \"203.0.113.7/32\", \"ttl\": 300, \"reason\": \"top-source\","
		 " \"applied\": true}",
		 id);
	o = json_tokener_parse(buf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	xg_alerter_on_event(a, "mitigation", now, o, NULL, 0);
	json_object_put(o);
}

/* ---- what the status says ---- */

static int64_t status_queue(struct xg_alerter *a, uint64_t now, const char *key)
{
	struct json_object *s = xg_alerter_status(a, now), *q, *v;
	int64_t n = -1;

	if (json_object_object_get_ex(s, "queue", &q) && json_object_object_get_ex(q, key, &v))
		n = json_object_get_int64(v);
	json_object_put(s);
	return n;
}

/* The "depth" of sink in the status' "sinks", -1 when it is not there. */
static int64_t sink_depth(struct xg_alerter *a, uint64_t now, const char *sink)
{
	struct json_object *s = xg_alerter_status(a, now), *arr, *e, *v;
	int64_t n = -1;
	size_t i;

	if (json_object_object_get_ex(s, "sinks", &arr))
		for (i = 0; i < json_object_array_length(arr); i++) {
			e = json_object_array_get_idx(arr, i);
			if (json_object_object_get_ex(e, "name", &v) &&
			    !strcmp(json_object_get_string(v), sink) &&
			    json_object_object_get_ex(e, "depth", &v))
				n = json_object_get_int64(v);
		}
	json_object_put(s);
	return n;
}

/* ---- what the queue holds, once the alerter is closed ---- */

struct queued {
	int n;
	char key[MAX_ITEMS][XG_ALERTQ_KEY_MAX];
	struct json_object *payload[MAX_ITEMS]; /* parsed, one reference each */
};

/* Leases and acks every event queued for sink, oldest first (an ack lets
 * the next event with the same dedup key out). */
static void read_sink(const char *dir, const char *sink, struct queued *out)
{
	struct xg_alertq *q = NULL;
	struct xg_alert_item it;
	char qdir[512], err[256];

	memset(out, 0, sizeof(*out));
	snprintf(qdir, sizeof(qdir), "%s/queue", dir);
	CU_ASSERT_EQUAL_FATAL(xg_alertq_open(&q, qdir, XG_ALERT_QUEUE_MIN, err, sizeof(err)), 0);
	while (out->n < MAX_ITEMS && !xg_alertq_lease(q, sink, FAR, &it, NULL)) {
		CU_ASSERT_STRING_EQUAL(it.sink, sink);
		snprintf(out->key[out->n], sizeof(out->key[0]), "%s", it.dedup_key);
		out->payload[out->n] = json_tokener_parse(it.payload);
		CU_ASSERT_PTR_NOT_NULL(out->payload[out->n]);
		CU_ASSERT_EQUAL(xg_alertq_ack(q, it.id), 0);
		xg_alertq_item_free(&it);
		out->n++;
	}
	xg_alertq_close(q);
}

static void queued_free(struct queued *qd)
{
	int i;

	for (i = 0; i < qd->n; i++)
		json_object_put(qd->payload[i]);
	qd->n = 0;
}

/* The string at a dotted path ("payload.severity"), or "" */
static const char *jpath(struct json_object *o, const char *path)
{
	char buf[128], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && o; tok = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(o, tok, &o))
			o = NULL;
	return o && json_object_is_type(o, json_type_string) ? json_object_get_string(o) : "";
}

/* Some string of the array at key contains needle. */
static bool array_has(struct json_object *o, const char *key, const char *needle)
{
	struct json_object *arr;
	size_t i;

	if (!json_object_object_get_ex(o, key, &arr) || !json_object_is_type(arr, json_type_array))
		return false;
	for (i = 0; i < json_object_array_length(arr); i++)
		if (strstr(json_object_get_string(json_object_array_get_idx(arr, i)), needle))
			return true;
	return false;
}

/* ---- the tests ---- */

/* incidents.json lists the incidents still being notified. */
static int tracked(const char *dir)
{
	char path[512], err[256], *text = NULL;
	struct json_object *o, *arr;
	size_t len;
	int n = -1;

	snprintf(path, sizeof(path), "%s/incidents.json", dir);
	if (xg_read_file(path, 16 << 20, &text, &len, err, sizeof(err)))
		return -1;
	o = json_tokener_parse(text);
	if (json_object_object_get_ex(o, "incidents", &arr))
		n = (int)json_object_array_length(arr);
	json_object_put(o);
	free(text);
	return n;
}

static void test_escalation(void)
{
	struct xg_alerts_cfg cfg;
	struct xg_alerter *a;
	struct queued pd;
	char dir[64];

	setup(dir, sizeof(dir));
	page_cfg(&cfg);
	a = open_alerter(dir, &cfg, at(0));
	udp_event(a, "incident_open", "inc-esc-1", at(0), NULL);
	xg_alerter_tick(a, at(0));
	CU_ASSERT_EQUAL(sink_depth(a, at(0), "slack"), 1);
	CU_ASSERT_EQUAL(sink_depth(a, at(0), "pagerduty"), 0);
	xg_alerter_tick(a, at(59));
	CU_ASSERT_EQUAL(sink_depth(a, at(59), "slack"), 1);
	CU_ASSERT_EQUAL(sink_depth(a, at(59), "pagerduty"), 0);
	xg_alerter_tick(a, at(60));
	CU_ASSERT_EQUAL(sink_depth(a, at(60), "slack"), 1);
	CU_ASSERT_EQUAL(sink_depth(a, at(60), "pagerduty"), 1);
	CU_ASSERT_EQUAL(status_queue(a, at(60), "depth"), 2);
	CU_ASSERT_EQUAL(status_queue(a, at(60), "pushed"), 2);
	xg_alerter_close(a, at(61));

	read_sink(dir, "pagerduty", &pd);
	CU_ASSERT_EQUAL_FATAL(pd.n, 1);
	CU_ASSERT_STRING_EQUAL(pd.key[0], "inc-esc-1");
	CU_ASSERT_STRING_EQUAL(jpath(pd.payload[0], "event_action"), "trigger");
	CU_ASSERT_STRING_EQUAL(jpath(pd.payload[0], "dedup_key"), "inc-esc-1");
	CU_ASSERT_STRING_EQUAL(jpath(pd.payload[0], "routing_key"), PD_KEY);
	CU_ASSERT_STRING_EQUAL(jpath(pd.payload[0], "payload.severity"), "critical");
	CU_ASSERT_STRING_EQUAL(jpath(pd.payload[0], "payload.source"), "edge-1");
	queued_free(&pd);
	teardown(dir);
}

static void test_close_before_escalation(void)
{
	struct xg_alerts_cfg cfg;
	struct xg_alerter *a;
	struct queued sl, pd;
	char dir[64];

	setup(dir, sizeof(dir));
	page_cfg(&cfg);
	a = open_alerter(dir, &cfg, at(0));
	udp_event(a, "incident_open", "inc-short", at(0), NULL);
	xg_alerter_tick(a, at(0));
	udp_event(a, "incident_close", "inc-short", at(30), NULL);
	xg_alerter_tick(a, at(30));
	CU_ASSERT_EQUAL(sink_depth(a, at(30), "slack"), 2);
	CU_ASSERT_EQUAL(sink_depth(a, at(30), "pagerduty"), 0);
	xg_alerter_tick(a, at(60));
	xg_alerter_tick(a, at(120));
	CU_ASSERT_EQUAL(sink_depth(a, at(120), "slack"), 2);
	CU_ASSERT_EQUAL(sink_depth(a, at(120), "pagerduty"), 0);
	CU_ASSERT_EQUAL(tracked(dir), 0);
	xg_alerter_close(a, at(121));

	read_sink(dir, "slack", &sl);
	CU_ASSERT_EQUAL_FATAL(sl.n, 2);
	CU_ASSERT_STRING_EQUAL(sl.key[1], "inc-short");
	CU_ASSERT_PTR_NULL(strstr(jpath(sl.payload[0], "text"), "Resolved"));
	CU_ASSERT_EQUAL(strncmp(jpath(sl.payload[1], "text"), "Resolved", 8), 0);
	queued_free(&sl);
	read_sink(dir, "pagerduty", &pd);
	CU_ASSERT_EQUAL(pd.n, 0);
	queued_free(&pd);
	teardown(dir);
}

static void test_maintenance_global(void)
{
	struct xg_alerts_cfg cfg;
	struct xg_alerter *a;
	struct queued sl, pd;
	char dir[64];

	setup(dir, sizeof(dir));
	page_cfg(&cfg);
	add_once(&cfg, 0, 600, NULL);
	a = open_alerter(dir, &cfg, at(0));
	/* held: opened in the window, still open when it ends */
	udp_event(a, "incident_open", "inc-held", at(10), NULL);
	xg_alerter_tick(a, at(10));
	/* opens and closes inside the window */
	udp_event(a, "incident_open", "inc-inside", at(20), ETH1);
	xg_alerter_tick(a, at(20));
	udp_event(a, "incident_close", "inc-inside", at(100), ETH1);
	xg_alerter_tick(a, at(100));
	xg_alerter_tick(a, at(300));
	xg_alerter_tick(a, at(599));
	CU_ASSERT_EQUAL(status_queue(a, at(599), "depth"), 0);
	CU_ASSERT_EQUAL(status_queue(a, at(599), "pushed"), 0);
	/* the window is over: the open and the steps due by now */
	xg_alerter_tick(a, at(600));
	CU_ASSERT_EQUAL(sink_depth(a, at(600), "slack"), 1);
	CU_ASSERT_EQUAL(sink_depth(a, at(600), "pagerduty"), 1);
	xg_alerter_tick(a, at(700));
	CU_ASSERT_EQUAL(status_queue(a, at(700), "depth"), 2);
	CU_ASSERT_EQUAL(tracked(dir), 1); /* inc-held, still open */
	xg_alerter_close(a, at(701));

	read_sink(dir, "slack", &sl);
	CU_ASSERT_EQUAL_FATAL(sl.n, 1);
	CU_ASSERT_STRING_EQUAL(sl.key[0], "inc-held");
	queued_free(&sl);
	read_sink(dir, "pagerduty", &pd);
	CU_ASSERT_EQUAL_FATAL(pd.n, 1);
	CU_ASSERT_STRING_EQUAL(jpath(pd.payload[0], "dedup_key"), "inc-held");
	CU_ASSERT_STRING_EQUAL(jpath(pd.payload[0], "event_action"), "trigger");
	queued_free(&pd);
	teardown(dir);
}

static void test_maintenance_iface(void)
{
	struct xg_alerts_cfg cfg;
	struct xg_alerter *a;
	struct queued sl;
	char dir[64];

	setup(dir, sizeof(dir));
	at_once_cfg(&cfg, XG_ROUTE_SEV_WARNING, "slack", XG_ROUTE_SINK_SLACK, NULL, 0);
	add_once(&cfg, 0, 600, "eth1");
	a = open_alerter(dir, &cfg, at(0));
	udp_event(a, "incident_open", "inc-eth0", at(1), ETH0);
	xg_alerter_tick(a, at(1));
	CU_ASSERT_EQUAL(sink_depth(a, at(1), "slack"), 1);
	udp_event(a, "incident_open", "inc-eth1", at(2), ETH1);
	xg_alerter_tick(a, at(2));
	xg_alerter_tick(a, at(599));
	CU_ASSERT_EQUAL(sink_depth(a, at(599), "slack"), 1);
	xg_alerter_tick(a, at(600));
	CU_ASSERT_EQUAL(sink_depth(a, at(600), "slack"), 2);
	xg_alerter_close(a, at(601));

	read_sink(dir, "slack", &sl);
	CU_ASSERT_EQUAL_FATAL(sl.n, 2);
	CU_ASSERT_STRING_EQUAL(sl.key[0], "inc-eth0");
	CU_ASSERT_STRING_EQUAL(sl.key[1], "inc-eth1");
	queued_free(&sl);
	teardown(dir);
}

static void test_mitigation_and_sources(void)
{
	struct xg_alerts_cfg cfg;
	struct xg_alerter *a;
	struct queued wh;
	char dir[64];

	setup(dir, sizeof(dir));
	at_once_cfg(&cfg, XG_ROUTE_SEV_WARNING, "hook", XG_ROUTE_SINK_WEBHOOK, NULL, 0);
	cfg.route.coalesce_s = 0;
	a = open_alerter(dir, &cfg, at(0));
	udp_event(a, "incident_open", "inc-mit", at(0), NULL);
	xg_alerter_tick(a, at(0));
	mitigation(a, "inc-mit", at(1));
	mitigation(a, "inc-other", at(1)); /* no such incident: ignored */
	xg_alerter_tick(a, at(1));
	udp_event(a, "incident_update", "inc-mit", at(2), NULL);
	xg_alerter_tick(a, at(2));
	CU_ASSERT_EQUAL(sink_depth(a, at(2), "hook"), 2);
	xg_alerter_close(a, at(3));

	read_sink(dir, "hook", &wh);
	CU_ASSERT_EQUAL_FATAL(wh.n, 2);
	CU_ASSERT_STRING_EQUAL(jpath(wh.payload[0], "type"), "open");
	CU_ASSERT_FALSE(array_has(wh.payload[0], "mitigation", "block"));
	CU_ASSERT_TRUE(array_has(wh.payload[0], "top_sources", "203.0.113.7"));
	CU_ASSERT_STRING_EQUAL(jpath(wh.payload[1], "type"), "update");
	CU_ASSERT_STRING_EQUAL(jpath(wh.payload[1], "incident.id"), "inc-mit");
	CU_ASSERT_TRUE(array_has(wh.payload[1], "mitigation", "block 203.0.113.7/32"));
	CU_ASSERT_TRUE(array_has(wh.payload[1], "mitigation", "300"));
	CU_ASSERT_TRUE(array_has(wh.payload[1], "top_sources", "203.0.113.7"));
	CU_ASSERT_TRUE(array_has(wh.payload[1], "top_sources", "41.0 kpps"));
	queued_free(&wh);
	teardown(dir);
}

static void test_restart_closes(void)
{
	struct xg_alerter_opts o = {.dir = NULL, .no_workers = true};
	struct xg_alerts_cfg cfg;
	struct xg_alerter *a, *b = NULL;
	struct queued wh, sl;
	char dir[64], err[256] = "";

	setup(dir, sizeof(dir));
	o.dir = dir;
	at_once_cfg(&cfg, XG_ROUTE_SEV_WARNING, "slack", XG_ROUTE_SINK_SLACK, "hook",
		    XG_ROUTE_SINK_WEBHOOK);
	a = open_alerter(dir, &cfg, at(0));
	udp_event(a, "incident_open", "inc-orphan", at(0), NULL);
	xg_alerter_tick(a, at(0));
	CU_ASSERT_EQUAL(sink_depth(a, at(0), "slack"), 1);
	CU_ASSERT_EQUAL(sink_depth(a, at(0), "hook"), 1);

	/* one alerter per directory */
	CU_ASSERT_EQUAL(xg_alerter_open(&b, &cfg, &o, at(1), err, sizeof(err)), -EBUSY);
	CU_ASSERT_PTR_NULL(b);
	CU_ASSERT_NOT_EQUAL(err[0], '\0');

	/* the controller stops without closing the incident */
	xg_alerter_close(a, at(1));
	a = open_alerter(dir, &cfg, at(300));
	xg_alerter_tick(a, at(300));
	CU_ASSERT_EQUAL(sink_depth(a, at(300), "slack"), 2);
	CU_ASSERT_EQUAL(sink_depth(a, at(300), "hook"), 2);
	CU_ASSERT_EQUAL(status_queue(a, at(300), "pushed"), 4);
	xg_alerter_close(a, at(301));

	/* a third run has nothing left to close */
	a = open_alerter(dir, &cfg, at(400));
	xg_alerter_tick(a, at(400));
	CU_ASSERT_EQUAL(status_queue(a, at(400), "pushed"), 4);
	xg_alerter_close(a, at(401));

	read_sink(dir, "hook", &wh);
	CU_ASSERT_EQUAL_FATAL(wh.n, 2);
	CU_ASSERT_STRING_EQUAL(jpath(wh.payload[0], "type"), "open");
	CU_ASSERT_STRING_EQUAL(jpath(wh.payload[1], "type"), "close");
	CU_ASSERT_STRING_EQUAL(jpath(wh.payload[1], "incident.id"), "inc-orphan");
	CU_ASSERT_STRING_EQUAL(jpath(wh.payload[1], "severity"), "info");
	CU_ASSERT_STRING_EQUAL(wh.key[1], "inc-orphan");
	queued_free(&wh);
	read_sink(dir, "slack", &sl);
	CU_ASSERT_EQUAL_FATAL(sl.n, 2);
	CU_ASSERT_STRING_EQUAL(sl.key[1], "inc-orphan");
	CU_ASSERT_EQUAL(strncmp(jpath(sl.payload[1], "text"), "Resolved", 8), 0);
	queued_free(&sl);
	teardown(dir);
}

/* An escalation step that fell due while nobody ran pages nobody at the
 * restart: the close is routed as of the last save. */
static void test_restart_pages_nobody_new(void)
{
	struct xg_alerts_cfg cfg;
	struct xg_alerter *a;

	char dir[64];

	setup(dir, sizeof(dir));
	page_cfg(&cfg);
	a = open_alerter(dir, &cfg, at(0));
	udp_event(a, "incident_open", "inc-down", at(0), NULL);
	xg_alerter_tick(a, at(0));
	xg_alerter_close(a, at(1));
	a = open_alerter(dir, &cfg, at(300));
	xg_alerter_tick(a, at(300));
	CU_ASSERT_EQUAL(sink_depth(a, at(300), "slack"), 2);
	CU_ASSERT_EQUAL(sink_depth(a, at(300), "pagerduty"), 0);
	xg_alerter_close(a, at(301));
	teardown(dir);
}

/* What was known about the mitigation when the controller stopped is in
 * the close a restart sends. */
static void test_restart_keeps_mitigation(void)
{
	struct xg_alerts_cfg cfg;
	struct xg_alerter *a;
	struct queued wh;
	char dir[64];

	setup(dir, sizeof(dir));
	at_once_cfg(&cfg, XG_ROUTE_SEV_WARNING, "hook", XG_ROUTE_SINK_WEBHOOK, NULL, 0);
	a = open_alerter(dir, &cfg, at(0));
	udp_event(a, "incident_open", "inc-mit-restart", at(0), NULL);
	xg_alerter_tick(a, at(0));
	mitigation(a, "inc-mit-restart", at(1));
	xg_alerter_tick(a, at(1));
	xg_alerter_close(a, at(2));
	a = open_alerter(dir, &cfg, at(100));
	xg_alerter_tick(a, at(100));
	xg_alerter_close(a, at(101));

	read_sink(dir, "hook", &wh);
	CU_ASSERT_EQUAL_FATAL(wh.n, 2);
	CU_ASSERT_STRING_EQUAL(jpath(wh.payload[1], "type"), "close");
	CU_ASSERT_TRUE(array_has(wh.payload[1], "mitigation", "block 203.0.113.7/32"));
	queued_free(&wh);
	teardown(dir);
}

static bool status_has_test(struct xg_alerter *a, uint64_t now, const char *id, const char *sink,
			    const char *outcome)
{
	struct json_object *s = xg_alerter_status(a, now), *arr, *e;
	bool found = false;
	size_t i;

	if (json_object_object_get_ex(s, "tests", &arr))
		for (i = 0; i < json_object_array_length(arr); i++) {
			e = json_object_array_get_idx(arr, i);
			if (!strcmp(jpath(e, "id"), id) && !strcmp(jpath(e, "sink"), sink) &&
			    !strcmp(jpath(e, "outcome"), outcome))
				found = true;
		}
	json_object_put(s);
	return found;
}

static void test_test_events(void)
{
	struct xg_alerts_cfg cfg;
	struct xg_alerter *a;
	struct queued sl;
	char dir[64], err[256];

	setup(dir, sizeof(dir));
	at_once_cfg(&cfg, XG_ROUTE_SEV_WARNING, "slack", XG_ROUTE_SINK_SLACK, NULL, 0);
	a = open_alerter(dir, &cfg, at(0));
	err[0] = '\0';
	CU_ASSERT_EQUAL(xg_alerter_test(a, "slack", "test-1-1", at(0), err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(sink_depth(a, at(0), "slack"), 1);
	CU_ASSERT_TRUE(status_has_test(a, at(0), "test-1-1", "slack", "queued"));

	err[0] = '\0';
	CU_ASSERT_EQUAL(xg_alerter_test(a, "nosuch", "test-1-2", at(1), err, sizeof(err)), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "nosuch"));
	err[0] = '\0';
	CU_ASSERT_EQUAL(xg_alerter_test(a, "slack", "inc-1-3", at(2), err, sizeof(err)), -EINVAL);
	CU_ASSERT_NOT_EQUAL(err[0], '\0');
	CU_ASSERT_FALSE(status_has_test(a, at(2), "inc-1-3", "slack", "queued"));
	CU_ASSERT_EQUAL(sink_depth(a, at(2), "slack"), 1);
	CU_ASSERT_EQUAL(status_queue(a, at(2), "depth"), 1);
	xg_alerter_close(a, at(3));

	read_sink(dir, "slack", &sl);
	CU_ASSERT_EQUAL_FATAL(sl.n, 1);
	CU_ASSERT_STRING_EQUAL(sl.key[0], "test-1-1");
	CU_ASSERT_NOT_EQUAL(jpath(sl.payload[0], "text")[0], '\0');
	queued_free(&sl);
	teardown(dir);
}

/* A test to PagerDuty resolves what it triggered: nobody is left paged. */
static void test_test_event_resolves(void)
{
	struct xg_alerts_cfg cfg;
	struct xg_alerter *a;
	struct queued pd;
	char dir[64], err[256];

	setup(dir, sizeof(dir));
	at_once_cfg(&cfg, XG_ROUTE_SEV_WARNING, "pagerduty", XG_ROUTE_SINK_PAGERDUTY, NULL, 0);
	a = open_alerter(dir, &cfg, at(0));
	CU_ASSERT_EQUAL(xg_alerter_test(a, "pagerduty", "test-2-1", at(0), err, sizeof(err)), 0);
	xg_alerter_close(a, at(1));

	read_sink(dir, "pagerduty", &pd);
	CU_ASSERT_EQUAL_FATAL(pd.n, 2);
	CU_ASSERT_STRING_EQUAL(jpath(pd.payload[0], "event_action"), "trigger");
	CU_ASSERT_STRING_EQUAL(jpath(pd.payload[1], "event_action"), "resolve");
	CU_ASSERT_STRING_EQUAL(jpath(pd.payload[0], "dedup_key"), "test-2-1");
	CU_ASSERT_STRING_EQUAL(jpath(pd.payload[1], "dedup_key"), "test-2-1");
	queued_free(&pd);
	teardown(dir);
}

static void test_queue_full(void)
{
	struct xg_alerts_cfg cfg;
	struct xg_alerter *a;
	char dir[64], id[32];
	int i;

	setup(dir, sizeof(dir));
	at_once_cfg(&cfg, XG_ROUTE_SEV_WARNING, "slack", XG_ROUTE_SINK_SLACK, NULL, 0);
	cfg.queue_capacity = XG_ALERT_QUEUE_MIN;
	a = open_alerter(dir, &cfg, at(0));
	for (i = 0; i < 1100; i++) {
		snprintf(id, sizeof(id), "inc-full-%d", i);
		udp_event(a, "incident_open", id, at(2 * i), NULL);
		xg_alerter_tick(a, at(2 * i));
		udp_event(a, "incident_close", id, at(2 * i + 1), NULL);
		xg_alerter_tick(a, at(2 * i + 1));
	}
	CU_ASSERT_EQUAL(n_log_forgot, 0);
	CU_ASSERT_EQUAL(tracked(dir), 0);
	CU_ASSERT(n_log_full > 0);
	CU_ASSERT_EQUAL(status_queue(a, at(2200), "capacity"), XG_ALERT_QUEUE_MIN);
	CU_ASSERT_EQUAL(status_queue(a, at(2200), "depth"), XG_ALERT_QUEUE_MIN);
	CU_ASSERT_EQUAL(sink_depth(a, at(2200), "slack"), XG_ALERT_QUEUE_MIN);
	CU_ASSERT_EQUAL(status_queue(a, at(2200), "pushed"), 2200);
	CU_ASSERT_EQUAL(status_queue(a, at(2200), "dropped"), 2200 - XG_ALERT_QUEUE_MIN);
	/* test events go through the same full queue */
	for (i = 0; i < 50; i++) {
		char err[256];

		snprintf(id, sizeof(id), "test-full-%d", i);
		CU_ASSERT_EQUAL(xg_alerter_test(a, "slack", id, at(2200), err, sizeof(err)), 0);
	}
	CU_ASSERT_EQUAL(status_queue(a, at(2200), "depth"), XG_ALERT_QUEUE_MIN);
	CU_ASSERT_EQUAL(status_queue(a, at(2200), "dropped"), 2250 - XG_ALERT_QUEUE_MIN);
	xg_alerter_close(a, at(2201));
	teardown(dir);
}

static void test_severity_routing(void)
{
	struct xg_alerts_cfg cfg;
	struct xg_alerter *a;
	struct queued sl;
	char dir[64];

	setup(dir, sizeof(dir));
	at_once_cfg(&cfg, XG_ROUTE_SEV_CRITICAL, "slack", XG_ROUTE_SINK_SLACK, NULL, 0);
	a = open_alerter(dir, &cfg, at(0));
	/* an error: an attack, but neither VoIP nor big and certain */
	inc_event(a, "incident_open", "inc-err", "udp_flood", "", 60, 5000.0, at(0), NULL);
	xg_alerter_tick(a, at(0));
	inc_event(a, "incident_update", "inc-err", "udp_flood", "", 60, 5000.0, at(10), NULL);
	xg_alerter_tick(a, at(10));
	inc_event(a, "incident_close", "inc-err", "udp_flood", "", 60, 5000.0, at(20), NULL);
	xg_alerter_tick(a, at(20));
	CU_ASSERT_EQUAL(status_queue(a, at(20), "pushed"), 0);
	CU_ASSERT_EQUAL(tracked(dir), 0);
	/* VoIP is critical whatever its size */
	inc_event(a, "incident_open", "inc-sip", "sip_invite_flood", "sip-udp", 60, 5000.0, at(30),
		  NULL);
	xg_alerter_tick(a, at(30));
	CU_ASSERT_EQUAL(sink_depth(a, at(30), "slack"), 1);
	xg_alerter_close(a, at(31));

	read_sink(dir, "slack", &sl);
	CU_ASSERT_EQUAL_FATAL(sl.n, 1);
	CU_ASSERT_STRING_EQUAL(sl.key[0], "inc-sip");
	queued_free(&sl);
	teardown(dir);
}

static void test_reload(void)
{
	struct xg_alerts_cfg cfg, chat;
	struct xg_alerter *a;
	struct json_object *st, *q, *orph, *v;
	struct queued sl;
	char dir[64];

	setup(dir, sizeof(dir));
	page_cfg(&cfg);
	cfg.route.policies[0].steps[0].n_sinks = 2; /* slack and PagerDuty at once */
	snprintf(cfg.route.policies[0].steps[0].sinks[1], XG_ROUTE_NAME_LEN, "pagerduty");
	cfg.route.policies[0].n_steps = 1;
	at_once_cfg(&chat, XG_ROUTE_SEV_WARNING, "slack", XG_ROUTE_SINK_SLACK, NULL, 0);
	a = open_alerter(dir, &cfg, at(0));
	udp_event(a, "incident_open", "inc-reload", at(0), NULL);
	xg_alerter_tick(a, at(0));
	CU_ASSERT_EQUAL(sink_depth(a, at(0), "slack"), 1);
	CU_ASSERT_EQUAL(sink_depth(a, at(0), "pagerduty"), 1);

	cfg_check(&chat);
	xg_alerter_reload(a, &chat);
	/* PagerDuty's open waits for a sink of that name to return */
	st = xg_alerter_status(a, at(5));
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(st, "queue", &q) &&
			     json_object_object_get_ex(q, "orphaned", &orph));
	CU_ASSERT_TRUE(json_object_object_get_ex(orph, "pagerduty", &v) &&
		       json_object_get_int64(v) == 1);
	json_object_put(st);
	CU_ASSERT_EQUAL(sink_depth(a, at(5), "pagerduty"), -1);

	/* the incident kept its routing state: slack hears the close */
	udp_event(a, "incident_close", "inc-reload", at(10), NULL);
	xg_alerter_tick(a, at(10));
	CU_ASSERT_EQUAL(sink_depth(a, at(10), "slack"), 2);
	CU_ASSERT_EQUAL(status_queue(a, at(10), "depth"), 3);
	xg_alerter_close(a, at(11));

	read_sink(dir, "slack", &sl);
	CU_ASSERT_EQUAL_FATAL(sl.n, 2);
	CU_ASSERT_EQUAL(strncmp(jpath(sl.payload[1], "text"), "Resolved", 8), 0);
	queued_free(&sl);
	teardown(dir);
}

static void test_spool(void)
{
	struct xg_alerts_cfg cfg;
	struct xg_alerter *a;
	struct queued sl;
	char dir[64], path[128];
	FILE *f;

	setup(dir, sizeof(dir));
	at_once_cfg(&cfg, XG_ROUTE_SEV_WARNING, "slack", XG_ROUTE_SINK_SLACK, NULL, 0);
	a = open_alerter(dir, &cfg, at(0));
	snprintf(path, sizeof(path), "%s/%s", dir, XG_ALERTER_SPOOL_DIR);
	CU_ASSERT_EQUAL_FATAL(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/%s/req-1.json", dir, XG_ALERTER_SPOOL_DIR);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("{\"id\": \"test-77-1\", \"sink\": \"slack\"}", f);
	fclose(f);
	/* a file still being written is left alone */
	snprintf(path, sizeof(path), "%s/%s/req-2.json.tmp", dir, XG_ALERTER_SPOOL_DIR);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("{\"id\": \"test-77-2\", \"sink\": \"slack\"}", f);
	fclose(f);

	xg_alerter_tick(a, at(1));
	CU_ASSERT_EQUAL(sink_depth(a, at(1), "slack"), 1);
	CU_ASSERT_TRUE(status_has_test(a, at(1), "test-77-1", "slack", "queued"));
	CU_ASSERT_EQUAL(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/%s/req-1.json", dir, XG_ALERTER_SPOOL_DIR);
	CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
	xg_alerter_close(a, at(2));

	read_sink(dir, "slack", &sl);
	CU_ASSERT_EQUAL_FATAL(sl.n, 1);
	CU_ASSERT_STRING_EQUAL(sl.key[0], "test-77-1");
	queued_free(&sl);
	teardown(dir);
}

void add_alerter_suite(void)
{
	CU_pSuite s = CU_add_suite("alerter", NULL, NULL);

	CU_add_test(s, "slack hears at once and PagerDuty after 60 s, keyed by the incident",
		    test_escalation);
	CU_add_test(s, "a close before the escalation step never reaches PagerDuty",
		    test_close_before_escalation);
	CU_add_test(s, "a global maintenance window holds the open until it ends",
		    test_maintenance_global);
	CU_add_test(s, "a window on eth1 holds eth1's incidents, not eth0's",
		    test_maintenance_iface);
	CU_add_test(s, "mitigation lines and top sources reach the webhook",
		    test_mitigation_and_sources);
	CU_add_test(s, "a restart closes what was left open, one alerter per directory",
		    test_restart_closes);
	CU_add_test(s, "a step due while down pages nobody at the restart",
		    test_restart_pages_nobody_new);
	CU_add_test(s, "a restart's close still lists the mitigation",
		    test_restart_keeps_mitigation);
	CU_add_test(s, "test events are queued, checked and shown in the status", test_test_events);
	CU_add_test(s, "a test to PagerDuty triggers and then resolves", test_test_event_resolves);
	CU_add_test(s, "a full queue drops the oldest and counts them", test_queue_full);
	CU_add_test(s, "a critical-only route ignores errors and pages for VoIP",
		    test_severity_routing);
	CU_add_test(s, "a reload keeps incidents and shows a removed sink's events as orphaned",
		    test_reload);
	CU_add_test(s, "a test request in the spool is queued at the next tick", test_spool);
}
