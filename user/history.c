// SPDX-License-Identifier: GPL-2.0-only
/*
 * Traffic and availability history (see history.h).
 *
 * Both tables are rings indexed by time (bucket start / 300 mod 288, day
 * number mod 30), and every slot remembers the time it holds. A slot whose
 * time is not the one asked for holds nothing for that time, so a gap (a
 * stopped controller, a restart hours later) reads as "no data" without any
 * work to roll the rings forward, and an old slot is reset the first time
 * the new time lands on it.
 */
#include "history.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fsutil.h"

#define BUCKET_S     300
#define BUCKETS	     288 /* 24 h */
#define DAYS	     30
#define DAY_S	     86400
#define EMPTY	     (-1) /* a slot's time when it never held anything */
#define FILE_MAX     (4u << 20)
#define FORMAT	     "xdpguard-history"
#define FORMAT_VER   1
#define NS_PER_S     1000000000ULL
#define STATES	     3
#define MAX_INTERVAL BUCKET_S /* a tick never credits more than one bucket */

struct bucket {
	int64_t t;	 /* start, Unix seconds, a multiple of BUCKET_S; EMPTY */
	double pps, bps; /* peaks */
	int state;	 /* worst enum xg_svc_state */
};

struct day {
	int64_t day; /* Unix day (UTC); EMPTY */
	double secs[STATES];
};

struct tables {
	struct bucket b[XG_HIST_SERVICES][BUCKETS];
	struct day d[XG_HIST_SERVICES][DAYS];
};

struct xg_history {
	pthread_mutex_t lock;
	char *path; /* NULL: kept in memory only */
	struct tables t;
};

static const char *const services[XG_HIST_SERVICES] = {"all", "sip-udp", "sip-tcp", "sip-tls",
						       "rtp"};
static const char *const state_names[STATES] = {"operational", "elevated", "attack"};

const char *xg_svc_state_name(enum xg_svc_state s)
{
	return (unsigned)s < STATES ? state_names[s] : "?";
}

const char *xg_history_service(int i)
{
	return i >= 0 && i < XG_HIST_SERVICES ? services[i] : NULL;
}

/* The metrics whose rate over half the threshold makes service i
 * elevated (-1 ends the list). */
static const int elevated_by[XG_HIST_SERVICES][3] = {
    {XG_M_PPS, XG_M_BPS, -1},
    {XG_M_SIP_UDP_PPS, -1, -1},
    {XG_M_SIP_TCP_PPS, -1, -1},
    {XG_M_SIP_TLS_PPS, -1, -1},
    {XG_M_RTP_PPS, XG_M_RTP_INVALID_PPS, -1},
};

static const int svc_class[XG_HIST_SERVICES] = {XG_SVC_NONE, XG_SVC_SIP_UDP, XG_SVC_SIP_TCP,
						XG_SVC_SIP_TLS, XG_SVC_RTP};

enum xg_svc_state xg_history_state(const struct xg_obs *o, int i)
{
	const char *target;
	int k, m;

	if (i < 0 || i >= XG_HIST_SERVICES)
		return XG_STATE_OPERATIONAL;
	if (o->incident_open) {
		target = o->inc.cls.service;
		/* "all" is under attack whatever the target; an incident
		 * without a named service targets every one. */
		if (i == 0 || !target[0] || !strcmp(target, "any") || !strcmp(target, services[i]))
			return XG_STATE_ATTACK;
	}
	if (!o->have_snap)
		return XG_STATE_OPERATIONAL;
	for (k = 0; k < 3 && (m = elevated_by[i][k]) >= 0; k++)
		if (o->thr[m] > 0 && o->snap.metric[m] > o->thr[m] / 2)
			return XG_STATE_ELEVATED;
	return XG_STATE_OPERATIONAL;
}

static void rates(const struct xg_obs *o, int i, double *pps, double *bps)
{
	if (i == 0) {
		*pps = o->snap.metric[XG_M_PPS];
		*bps = o->snap.metric[XG_M_BPS];
	} else {
		*pps = o->snap.svc_pps[svc_class[i]];
		*bps = o->snap.svc_bps[svc_class[i]];
	}
}

static void tables_clear(struct tables *t)
{
	int s, k;

	memset(t, 0, sizeof(*t));
	for (s = 0; s < XG_HIST_SERVICES; s++) {
		for (k = 0; k < BUCKETS; k++)
			t->b[s][k].t = EMPTY;
		for (k = 0; k < DAYS; k++)
			t->d[s][k].day = EMPTY;
	}
}

static struct bucket *bucket_at(struct tables *t, int s, int64_t start)
{
	return &t->b[s][(start / BUCKET_S) % BUCKETS];
}

static struct day *day_at(struct tables *t, int s, int64_t day)
{
	return &t->d[s][day % DAYS];
}

/* ---- the file ---- */

static bool finite_nonneg(double v)
{
	return isfinite(v) && v >= 0;
}

static bool num_at(struct json_object *a, size_t i, double *out)
{
	struct json_object *v = json_object_array_get_idx(a, i);

	if (!v ||
	    !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return false;
	*out = json_object_get_double(v);
	return true;
}

/* One service's rows: [t, pps, bps, state] and [day, op_s, el_s, at_s].
 * false when anything is off: the file is then dropped as a whole. */
static bool load_rows(struct tables *t, int s, struct json_object *rows, bool days)
{
	size_t i, n;

	if (!json_object_is_type(rows, json_type_array))
		return false;
	n = json_object_array_length(rows);
	if (n > (days ? DAYS : BUCKETS))
		return false;
	for (i = 0; i < n; i++) {
		struct json_object *r = json_object_array_get_idx(rows, i);
		double v[4];
		int k;

		if (!json_object_is_type(r, json_type_array) || json_object_array_length(r) != 4)
			return false;
		for (k = 0; k < 4; k++)
			if (!num_at(r, (size_t)k, &v[k]) || !finite_nonneg(v[k]))
				return false;
		if (v[0] > 1e13 || v[0] != floor(v[0]))
			return false;
		if (days) {
			struct day *d = day_at(t, s, (int64_t)v[0]);

			if (d->day != EMPTY)
				return false; /* two rows for one slot */
			d->day = (int64_t)v[0];
			for (k = 0; k < STATES; k++)
				d->secs[k] = v[k + 1];
		} else {
			struct bucket *b;

			if ((int64_t)v[0] % BUCKET_S || v[3] >= STATES || v[3] != floor(v[3]))
				return false;
			b = bucket_at(t, s, (int64_t)v[0]);
			if (b->t != EMPTY)
				return false;
			b->t = (int64_t)v[0];
			b->pps = v[1];
			b->bps = v[2];
			b->state = (int)v[3];
		}
	}
	return true;
}

static bool load_json(struct tables *t, struct json_object *root)
{
	struct json_object *v, *traffic, *days, *rows;
	int s;

	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "format", &v) ||
	    strcmp(json_object_get_string(v), FORMAT) ||
	    !json_object_object_get_ex(root, "version", &v) ||
	    json_object_get_int(v) != FORMAT_VER ||
	    !json_object_object_get_ex(root, "traffic", &traffic) ||
	    !json_object_is_type(traffic, json_type_object) ||
	    !json_object_object_get_ex(root, "days", &days) ||
	    !json_object_is_type(days, json_type_object))
		return false;
	for (s = 0; s < XG_HIST_SERVICES; s++) {
		if (json_object_object_get_ex(traffic, services[s], &rows) &&
		    !load_rows(t, s, rows, false))
			return false;
		if (json_object_object_get_ex(days, services[s], &rows) &&
		    !load_rows(t, s, rows, true))
			return false;
	}
	return true;
}

/* 0, with err set when the file was there but could not be used (the
 * history then starts empty); -ENOMEM. */
static int load(struct xg_history *h, char *err, size_t errlen)
{
	struct json_object *root;
	struct tables *t;
	size_t len, used;
	char *text;
	int ret;

	ret = xg_read_file(h->path, FILE_MAX, &text, &len, err, errlen);
	if (ret == -ENOENT || ret == -ENOMEM)
		return ret == -ENOMEM ? ret : 0;
	if (ret) {
		used = strnlen(err, errlen);
		snprintf(err + used, errlen - used, ", history starts empty");
		return 0;
	}
	root = json_tokener_parse(text);
	free(text);
	t = malloc(sizeof(*t));
	if (!t) {
		json_object_put(root);
		return -ENOMEM;
	}
	tables_clear(t);
	if (root && load_json(t, root))
		h->t = *t;
	else
		snprintf(err, errlen, "%s is damaged, history starts empty", h->path);
	free(t);
	json_object_put(root);
	return 0;
}

int xg_history_open(struct xg_history **hp, const char *path, char *err, size_t errlen)
{
	struct xg_history *h = calloc(1, sizeof(*h));

	*hp = NULL;
	if (errlen)
		err[0] = '\0';
	if (!h)
		return -ENOMEM;
	tables_clear(&h->t);
	if (path) {
		h->path = strdup(path);
		if (!h->path) {
			free(h);
			return -ENOMEM;
		}
		if (load(h, err, errlen)) {
			free(h->path);
			free(h);
			return -ENOMEM;
		}
	}
	pthread_mutex_init(&h->lock, NULL);
	*hp = h;
	return 0;
}

void xg_history_close(struct xg_history *h)
{
	if (!h)
		return;
	pthread_mutex_destroy(&h->lock);
	free(h->path);
	free(h);
}

/* ---- updates ---- */

void xg_history_add(struct xg_history *h, const struct xg_obs *o, double interval_s,
		    uint64_t now_ns)
{
	int64_t now_s = (int64_t)(now_ns / NS_PER_S);
	int64_t start = now_s - now_s % BUCKET_S, today = now_s / DAY_S;
	int s;

	/* Without a tick's rates there is nothing to record: no data. */
	if (!o->have_snap || !(interval_s > 0))
		return;
	if (interval_s > MAX_INTERVAL)
		interval_s = MAX_INTERVAL;
	pthread_mutex_lock(&h->lock);
	for (s = 0; s < XG_HIST_SERVICES; s++) {
		struct bucket *b = bucket_at(&h->t, s, start);
		struct day *d = day_at(&h->t, s, today);
		enum xg_svc_state st = xg_history_state(o, s);
		double pps, bps;

		if (b->t != start)
			*b = (struct bucket){.t = start};
		if (d->day != today)
			*d = (struct day){.day = today};
		rates(o, s, &pps, &bps);
		if (finite_nonneg(pps) && pps > b->pps)
			b->pps = pps;
		if (finite_nonneg(bps) && bps > b->bps)
			b->bps = bps;
		if ((int)st > b->state)
			b->state = (int)st;
		d->secs[st] += interval_s;
	}
	pthread_mutex_unlock(&h->lock);
}

/* ---- output ---- */

static struct json_object *save_json(const struct tables *t)
{
	struct json_object *root = json_object_new_object();
	struct json_object *traffic = json_object_new_object(), *days = json_object_new_object();
	int s, k;

	json_object_object_add(root, "format", json_object_new_string(FORMAT));
	json_object_object_add(root, "version", json_object_new_int(FORMAT_VER));
	for (s = 0; s < XG_HIST_SERVICES; s++) {
		struct json_object *rows = json_object_new_array();

		for (k = 0; k < BUCKETS; k++) {
			const struct bucket *b = &t->b[s][k];
			struct json_object *r;

			if (b->t == EMPTY)
				continue;
			r = json_object_new_array();
			json_object_array_add(r, json_object_new_int64(b->t));
			json_object_array_add(r, json_object_new_double(b->pps));
			json_object_array_add(r, json_object_new_double(b->bps));
			json_object_array_add(r, json_object_new_int(b->state));
			json_object_array_add(rows, r);
		}
		json_object_object_add(traffic, services[s], rows);
		rows = json_object_new_array();
		for (k = 0; k < DAYS; k++) {
			const struct day *d = &t->d[s][k];
			struct json_object *r;
			int i;

			if (d->day == EMPTY)
				continue;
			r = json_object_new_array();
			json_object_array_add(r, json_object_new_int64(d->day));
			for (i = 0; i < STATES; i++)
				json_object_array_add(r, json_object_new_double(d->secs[i]));
			json_object_array_add(rows, r);
		}
		json_object_object_add(days, services[s], rows);
	}
	json_object_object_add(root, "traffic", traffic);
	json_object_object_add(root, "days", days);
	return root;
}

int xg_history_save(struct xg_history *h, char *err, size_t errlen)
{
	struct json_object *root;
	const char *text;
	int ret;

	if (errlen)
		err[0] = '\0';
	if (!h->path)
		return 0;
	pthread_mutex_lock(&h->lock);
	root = save_json(&h->t);
	pthread_mutex_unlock(&h->lock);
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
	ret = text ? xg_write_atomic(h->path, text, strlen(text), err, errlen) : -ENOMEM;
	json_object_put(root);
	return ret;
}

static struct json_object *num_or_null(bool have, double v)
{
	return have ? json_object_new_double(v) : NULL;
}

struct json_object *xg_history_json(struct xg_history *h, uint64_t now_ns)
{
	int64_t now_s = (int64_t)(now_ns / NS_PER_S);
	int64_t first = now_s - now_s % BUCKET_S - (int64_t)(BUCKETS - 1) * BUCKET_S;
	int64_t today = now_s / DAY_S;
	struct json_object *root = json_object_new_object();
	struct json_object *traffic = json_object_new_object(), *tsvc = json_object_new_object();
	struct json_object *avail = json_object_new_object(), *asvc = json_object_new_object();
	int s, k;

	pthread_mutex_lock(&h->lock);
	for (s = 0; s < XG_HIST_SERVICES; s++) {
		struct json_object *rows = json_object_new_array();

		for (k = 0; k < BUCKETS; k++) {
			int64_t t = first + (int64_t)k * BUCKET_S;
			const struct bucket *b = t >= 0 ? bucket_at(&h->t, s, t) : NULL;
			bool have = b && b->t == t;
			struct json_object *r = json_object_new_object();

			json_object_object_add(r, "t", json_object_new_int64(t));
			json_object_object_add(r, "pps", num_or_null(have, have ? b->pps : 0));
			json_object_object_add(r, "bps", num_or_null(have, have ? b->bps : 0));
			json_object_object_add(
			    r, "state",
			    json_object_new_string(have ? xg_svc_state_name(b->state) : "nodata"));
			json_object_array_add(rows, r);
		}
		json_object_object_add(tsvc, services[s], rows);

		rows = json_object_new_array();
		for (k = 0; k < DAYS; k++) {
			int64_t day = today - (DAYS - 1) + k;
			const struct day *d = day >= 0 ? day_at(&h->t, s, day) : NULL;
			bool have = d && d->day == day;
			double total = have ? d->secs[0] + d->secs[1] + d->secs[2] : 0;
			struct json_object *r = json_object_new_object();
			time_t when = (time_t)(day * DAY_S);
			char date[16];
			struct tm tm;
			int i;

			gmtime_r(&when, &tm);
			strftime(date, sizeof(date), "%Y-%m-%d", &tm);
			json_object_object_add(r, "day", json_object_new_string(date));
			for (i = 0; i < STATES; i++) {
				char key[24];

				snprintf(key, sizeof(key), "%s_s", state_names[i]);
				json_object_object_add(
				    r, key, json_object_new_double(have ? d->secs[i] : 0));
			}
			/* Available: observed and not under attack. */
			json_object_object_add(
			    r, "availability",
			    num_or_null(total > 0, total > 0 ? (total - d->secs[2]) / total : 0));
			json_object_array_add(rows, r);
		}
		json_object_object_add(asvc, services[s], rows);
	}
	pthread_mutex_unlock(&h->lock);

	json_object_object_add(traffic, "bucket_s", json_object_new_int(BUCKET_S));
	json_object_object_add(traffic, "start", json_object_new_int64(first));
	json_object_object_add(traffic, "services", tsvc);
	json_object_object_add(avail, "days", json_object_new_int(DAYS));
	json_object_object_add(avail, "services", asvc);
	json_object_object_add(root, "traffic", traffic);
	json_object_object_add(root, "availability", avail);
	return root;
}
