// SPDX-License-Identifier: GPL-2.0-only
/* Traffic and availability history: service states, 5-minute buckets and
 * days rolling forward (gaps are no data), the file round trip and a
 * damaged file. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "history.h"
#include "suites.h"
#include "tmpdir.h"

#define S 1000000000ULL
/* 2026-11-22 00:00:00 UTC: a day and bucket boundary. */
#define DAY0 1795305600ULL

static struct xg_obs *obs_new(void)
{
	struct xg_obs *o = calloc(1, sizeof(*o));
	int m;

	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	o->have_snap = true;
	for (m = 0; m < XG_M_MAX; m++)
		o->thr[m] = 1000;
	return o;
}

static void set_rate(struct xg_obs *o, double pps, double bps)
{
	o->snap.metric[XG_M_PPS] = pps;
	o->snap.metric[XG_M_BPS] = bps;
	o->snap.svc_pps[XG_SVC_SIP_UDP] = pps / 10;
	o->snap.svc_bps[XG_SVC_SIP_UDP] = bps / 10;
}

static struct xg_history *hist_mem(void)
{
	struct xg_history *h = NULL;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(xg_history_open(&h, NULL, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_STRING_EQUAL(err, "");
	return h;
}

static struct json_object *rows_of(struct json_object *j, const char *part, const char *svc)
{
	struct json_object *p, *s, *r;

	CU_ASSERT_FATAL(json_object_object_get_ex(j, part, &p));
	CU_ASSERT_FATAL(json_object_object_get_ex(p, "services", &s));
	CU_ASSERT_FATAL(json_object_object_get_ex(s, svc, &r));
	return r;
}

/* Bucket k (0 oldest, 287 now) of a service. */
static struct json_object *bucket(struct json_object *j, const char *svc, int k)
{
	struct json_object *rows = rows_of(j, "traffic", svc);

	CU_ASSERT_EQUAL_FATAL(json_object_array_length(rows), 288);
	return json_object_array_get_idx(rows, (size_t)k);
}

static struct json_object *day(struct json_object *j, const char *svc, int k)
{
	struct json_object *rows = rows_of(j, "availability", svc);

	CU_ASSERT_EQUAL_FATAL(json_object_array_length(rows), 30);
	return json_object_array_get_idx(rows, (size_t)k);
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static double num(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_double(v) : -1;
}

static bool is_null(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && v == NULL;
}

static void test_history_states(void)
{
	struct xg_obs *o = obs_new();
	int i;

	CU_ASSERT_STRING_EQUAL(xg_history_service(0), "all");
	CU_ASSERT_STRING_EQUAL(xg_history_service(4), "rtp");
	CU_ASSERT_PTR_NULL(xg_history_service(XG_HIST_SERVICES));
	CU_ASSERT_STRING_EQUAL(xg_svc_state_name(XG_STATE_ELEVATED), "elevated");
	for (i = 0; i < XG_HIST_SERVICES; i++)
		CU_ASSERT_EQUAL(xg_history_state(o, i), XG_STATE_OPERATIONAL);

	/* Over half its threshold: elevated, that service only. */
	o->snap.metric[XG_M_SIP_UDP_PPS] = 501;
	CU_ASSERT_EQUAL(xg_history_state(o, 1), XG_STATE_ELEVATED);
	CU_ASSERT_EQUAL(xg_history_state(o, 0), XG_STATE_OPERATIONAL);
	CU_ASSERT_EQUAL(xg_history_state(o, 2), XG_STATE_OPERATIONAL);
	o->snap.metric[XG_M_SIP_UDP_PPS] = 500;
	CU_ASSERT_EQUAL(xg_history_state(o, 1), XG_STATE_OPERATIONAL);
	o->snap.metric[XG_M_BPS] = 900;
	CU_ASSERT_EQUAL(xg_history_state(o, 0), XG_STATE_ELEVATED);
	o->thr[XG_M_BPS] = 0; /* no threshold: nothing to be over */
	CU_ASSERT_EQUAL(xg_history_state(o, 0), XG_STATE_OPERATIONAL);

	/* An incident on one service: that one and "all". */
	o->incident_open = true;
	snprintf(o->inc.cls.service, sizeof(o->inc.cls.service), "sip-tcp");
	o->snap.metric[XG_M_RTP_PPS] = 800;
	CU_ASSERT_EQUAL(xg_history_state(o, 0), XG_STATE_ATTACK);
	CU_ASSERT_EQUAL(xg_history_state(o, 2), XG_STATE_ATTACK);
	CU_ASSERT_EQUAL(xg_history_state(o, 1), XG_STATE_OPERATIONAL);
	CU_ASSERT_EQUAL(xg_history_state(o, 4), XG_STATE_ELEVATED);
	/* "any": every service. */
	snprintf(o->inc.cls.service, sizeof(o->inc.cls.service), "any");
	for (i = 0; i < XG_HIST_SERVICES; i++)
		CU_ASSERT_EQUAL(xg_history_state(o, i), XG_STATE_ATTACK);
	/* A port-only target: "all" alone. */
	snprintf(o->inc.cls.service, sizeof(o->inc.cls.service), "udp/53");
	CU_ASSERT_EQUAL(xg_history_state(o, 0), XG_STATE_ATTACK);
	CU_ASSERT_EQUAL(xg_history_state(o, 1), XG_STATE_OPERATIONAL);
	free(o);
}

static void test_history_buckets(void)
{
	struct xg_history *h = hist_mem();
	struct xg_obs *o = obs_new();
	uint64_t t0 = (DAY0 + 3600) * S; /* 01:00 */
	struct json_object *j, *b;
	struct json_object *v;

	set_rate(o, 100, 8000);
	xg_history_add(h, o, 1, t0 + 10 * S);
	set_rate(o, 300, 2000);
	o->snap.metric[XG_M_PPS] = 600; /* elevated, then back */
	xg_history_add(h, o, 1, t0 + 20 * S);
	set_rate(o, 200, 1000);
	xg_history_add(h, o, 1, t0 + 299 * S);
	set_rate(o, 50, 500);
	xg_history_add(h, o, 1, t0 + 300 * S); /* the next bucket */

	j = xg_history_json(h, t0 + 310 * S);
	CU_ASSERT_TRUE(json_object_object_get_ex(j, "traffic", &v));
	CU_ASSERT_EQUAL(num(v, "bucket_s"), 300);
	CU_ASSERT_EQUAL(num(v, "start"), (double)(DAY0 + 3600 + 300 - 287 * 300));
	b = bucket(j, "all", 287);
	CU_ASSERT_EQUAL(num(b, "t"), (double)(DAY0 + 3600 + 300));
	CU_ASSERT_EQUAL(num(b, "pps"), 50);
	CU_ASSERT_STRING_EQUAL(str(b, "state"), "operational");
	b = bucket(j, "all", 286);
	CU_ASSERT_EQUAL(num(b, "t"), (double)(DAY0 + 3600));
	CU_ASSERT_EQUAL(num(b, "pps"), 600); /* the peak */
	CU_ASSERT_EQUAL(num(b, "bps"), 8000);
	CU_ASSERT_STRING_EQUAL(str(b, "state"), "elevated"); /* the worst */
	b = bucket(j, "sip-udp", 286);
	CU_ASSERT_EQUAL(num(b, "pps"), 30);
	CU_ASSERT_STRING_EQUAL(str(b, "state"), "operational");
	b = bucket(j, "all", 285);
	CU_ASSERT_STRING_EQUAL(str(b, "state"), "nodata");
	CU_ASSERT_TRUE(is_null(b, "pps"));
	json_object_put(j);

	/* A tick without rates records nothing. */
	o->have_snap = false;
	xg_history_add(h, o, 1, t0 + 700 * S);
	j = xg_history_json(h, t0 + 700 * S);
	CU_ASSERT_STRING_EQUAL(str(bucket(j, "all", 287), "state"), "nodata");
	json_object_put(j);
	xg_history_close(h);
	free(o);
}

static void test_history_gaps(void)
{
	struct xg_history *h = hist_mem();
	struct xg_obs *o = obs_new();
	uint64_t t0 = (DAY0 + 7200) * S;
	struct json_object *j;
	int k, nodata = 0;

	set_rate(o, 1000, 1e6);
	xg_history_add(h, o, 1, t0);
	/* Stopped for 5 hours: the buckets in between hold nothing. */
	set_rate(o, 10, 1e3);
	xg_history_add(h, o, 1, t0 + 5 * 3600 * S);
	j = xg_history_json(h, t0 + 5 * 3600 * S);
	CU_ASSERT_EQUAL(num(bucket(j, "all", 287), "pps"), 10);
	CU_ASSERT_EQUAL(num(bucket(j, "all", 287 - 60), "pps"), 1000);
	for (k = 287 - 59; k < 287; k++)
		nodata += !strcmp(str(bucket(j, "all", k), "state"), "nodata");
	CU_ASSERT_EQUAL(nodata, 59);
	json_object_put(j);

	/* Exactly 24 h later the same slot: the old peak is not carried over. */
	set_rate(o, 7, 700);
	xg_history_add(h, o, 1, t0 + 24 * 3600 * S);
	j = xg_history_json(h, t0 + 24 * 3600 * S);
	CU_ASSERT_EQUAL(num(bucket(j, "all", 287), "pps"), 7);
	CU_ASSERT_EQUAL(num(bucket(j, "all", 287 - 228), "pps"), 10); /* 19 h ago */
	json_object_put(j);

	/* Read later without new data: everything has aged out. */
	j = xg_history_json(h, t0 + 49 * 3600 * S);
	for (k = 0, nodata = 0; k < 288; k++)
		nodata += !strcmp(str(bucket(j, "all", k), "state"), "nodata");
	CU_ASSERT_EQUAL(nodata, 288);
	json_object_put(j);
	xg_history_close(h);
	free(o);
}

static void test_history_days(void)
{
	struct xg_history *h = hist_mem();
	struct xg_obs *o = obs_new();
	uint64_t d0 = (DAY0 + 86400 - 100) * S; /* 100 s before midnight */
	struct json_object *j, *d;
	int i;

	set_rate(o, 10, 10);
	for (i = 0; i < 90; i++)
		xg_history_add(h, o, 1, d0 + (uint64_t)i * S);
	o->incident_open = true;
	snprintf(o->inc.cls.service, sizeof(o->inc.cls.service), "sip-udp");
	for (i = 90; i < 100; i++)
		xg_history_add(h, o, 1, d0 + (uint64_t)i * S);
	/* Past midnight, still under attack, with a tick too long to trust. */
	xg_history_add(h, o, 10000, d0 + 150 * S);
	o->incident_open = false;

	j = xg_history_json(h, d0 + 200 * S);
	d = day(j, "sip-udp", 28);
	CU_ASSERT_STRING_EQUAL(str(d, "day"), "2026-11-22");
	CU_ASSERT_EQUAL(num(d, "operational_s"), 90);
	CU_ASSERT_EQUAL(num(d, "attack_s"), 10);
	CU_ASSERT_DOUBLE_EQUAL(num(d, "availability"), 0.9, 1e-9);
	d = day(j, "sip-udp", 29);
	CU_ASSERT_STRING_EQUAL(str(d, "day"), "2026-11-23");
	CU_ASSERT_EQUAL(num(d, "attack_s"), 300); /* clamped to one bucket */
	CU_ASSERT_DOUBLE_EQUAL(num(d, "availability"), 0, 1e-9);
	/* rtp was not targeted: fully available. */
	CU_ASSERT_DOUBLE_EQUAL(num(day(j, "rtp", 28), "availability"), 1, 1e-9);
	d = day(j, "sip-udp", 27);
	CU_ASSERT_EQUAL(num(d, "operational_s"), 0);
	CU_ASSERT_TRUE(is_null(d, "availability"));
	json_object_put(j);

	/* A restart 3 days later: the missing days are no data, not up. */
	xg_history_add(h, o, 1, d0 + (3 * 86400 + 200) * S);
	j = xg_history_json(h, d0 + (3 * 86400 + 200) * S);
	CU_ASSERT_TRUE(is_null(day(j, "all", 27), "availability"));
	CU_ASSERT_TRUE(is_null(day(j, "all", 28), "availability"));
	CU_ASSERT_EQUAL(num(day(j, "all", 29), "operational_s"), 1);
	CU_ASSERT_EQUAL(num(day(j, "all", 25), "operational_s"), 90); /* 2026-11-22 */
	json_object_put(j);

	/* 30 days on the first day has left the window and its slot. */
	xg_history_add(h, o, 1, d0 + 30 * 86400 * S);
	j = xg_history_json(h, d0 + 30 * 86400 * S);
	CU_ASSERT_STRING_EQUAL(str(day(j, "all", 29), "day"), "2026-12-22");
	CU_ASSERT_EQUAL(num(day(j, "all", 29), "operational_s"), 1);
	CU_ASSERT_STRING_EQUAL(str(day(j, "all", 0), "day"), "2026-11-23");
	CU_ASSERT_EQUAL(num(day(j, "all", 0), "attack_s"), 300);
	json_object_put(j);
	xg_history_close(h);
	free(o);
}

static void test_history_file(void)
{
	char dir[64], path[128], tmp[160], err[256];
	struct xg_history *h = NULL;
	struct xg_obs *o = obs_new();
	uint64_t t0 = (DAY0 + 5000) * S;
	struct json_object *a, *b;
	FILE *f;
	int k, nodata = 0;

	xg_test_tmpdir(dir, sizeof(dir), "history");
	snprintf(path, sizeof(path), "%s/history.json", dir);
	CU_ASSERT_EQUAL_FATAL(xg_history_open(&h, path, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, ""); /* no file yet: not a warning */
	set_rate(o, 1234.5, 5e6);
	xg_history_add(h, o, 1, t0);
	o->incident_open = true;
	xg_history_add(h, o, 1, t0 + 400 * S);
	CU_ASSERT_EQUAL(xg_history_save(h, err, sizeof(err)), 0);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	CU_ASSERT_NOT_EQUAL(access(tmp, F_OK), 0);
	a = xg_history_json(h, t0 + 600 * S);
	xg_history_close(h);

	/* A restart reads back exactly what was there. */
	CU_ASSERT_EQUAL_FATAL(xg_history_open(&h, path, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	b = xg_history_json(h, t0 + 600 * S);
	CU_ASSERT_STRING_EQUAL(json_object_to_json_string(a), json_object_to_json_string(b));
	CU_ASSERT_STRING_EQUAL(str(bucket(b, "all", 287), "state"), "attack");
	CU_ASSERT_EQUAL(num(bucket(b, "all", 285), "pps"), 1234.5);
	json_object_put(a);
	json_object_put(b);
	xg_history_close(h);

	/* A damaged file: empty history, a warning, no failure. */
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("{\"format\":\"xdpguard-history\",\"version\":1,\"traffic\":{\"all\":[[0,1,", f);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(xg_history_open(&h, path, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "damaged"));
	b = xg_history_json(h, t0 + 600 * S);
	for (k = 0; k < 288; k++)
		nodata += !strcmp(str(bucket(b, "all", k), "state"), "nodata");
	CU_ASSERT_EQUAL(nodata, 288);
	json_object_put(b);
	xg_history_close(h);

	/* Well-formed JSON with a value out of range is damaged too. */
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("{\"format\":\"xdpguard-history\",\"version\":1,"
	      "\"traffic\":{\"all\":[[1795305600,1,2,7]]},\"days\":{}}",
	      f);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(xg_history_open(&h, path, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "damaged"));
	xg_history_close(h);

	/* And the same with a valid state loads. */
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("{\"format\":\"xdpguard-history\",\"version\":1,"
	      "\"traffic\":{\"rtp\":[[1795305600,1,2,2]]},\"days\":{}}",
	      f);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(xg_history_open(&h, path, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	b = xg_history_json(h, (DAY0 + 10) * S);
	CU_ASSERT_STRING_EQUAL(str(bucket(b, "rtp", 287), "state"), "attack");
	CU_ASSERT_EQUAL(num(bucket(b, "rtp", 287), "bps"), 2);
	json_object_put(b);
	xg_history_close(h);

	xg_test_rm_rf(dir);
	free(o);
}

void add_history_suite(void)
{
	CU_pSuite s = CU_add_suite("history", NULL, NULL);

	CU_add_test(s, "service states", test_history_states);
	CU_add_test(s, "5-minute buckets: peaks and worst state", test_history_buckets);
	CU_add_test(s, "gaps are no data, slots reset", test_history_gaps);
	CU_add_test(s, "days: seconds per state, roll-over", test_history_days);
	CU_add_test(s, "file: round trip, damaged", test_history_file);
}
