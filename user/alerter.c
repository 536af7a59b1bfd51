// SPDX-License-Identifier: GPL-2.0-only
#include "alerter.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alert_deliver.h"
#include "alert_payload.h"
#include "alert_route.h"
#include "alertq.h"
#include "fsutil.h"

#define MAX_TRACKERS	    16 /* incidents being notified; the controller has one open */
#define MAX_PENDING	    (2 * XG_ROUTE_MAX_OUT)
#define MAX_TESTS	    8
#define MAX_SPOOL_TICK	    16
#define WAIT_MAX_MS	    1000 /* workers look at their stop flag at least this often */
#define STATE_MAGIC	    "xg-alert-routes-1"
#define XG_ALERTER_PATH_MAX 4096

struct tracker {
	bool used;
	char id[XG_ALERTQ_KEY_MAX];
	struct xg_route_state st;
	struct json_object *inc; /* the latest incident JSON, own reference */
	struct xg_alert_lines lines;
	int n_pend;
	struct xg_route_action pend[MAX_PENDING];
};

struct sink_stat {
	char name[XG_ROUTE_NAME_LEN];
	uint64_t delivered, retries, dropped;
	uint64_t last_ok_ns, last_err_ns, next_retry_ns;
	long last_status;
	char last_error[XG_SEND_ERROR_MAX];
};

struct test_result {
	char id[64];
	char sink[XG_ROUTE_NAME_LEN];
	char outcome[16]; /* queued, delivered, retry, permanent, failed */
	char error[XG_SEND_ERROR_MAX];
	uint64_t at_ns;
};

struct worker {
	struct xg_alerter *a;
	pthread_t thread;
	int idx;
	bool running;
	uint64_t rng;
};

struct xg_alerter {
	struct xg_alerts_cfg *cfg;
	struct xg_alerter_opts o;
	char dir[XG_ALERTER_PATH_MAX];
	char node[XG_ALERT_NODE_MAX];
	struct xg_alertq *q;

	pthread_mutex_t lock; /* stats, tests and stop: shared with workers */
	bool stop;
	struct sink_stat stat[XG_ROUTE_MAX_SINKS];
	struct test_result tests[MAX_TESTS];
	int next_test;
	struct worker w[XG_ROUTE_MAX_SINKS];

	/* the controller thread's alone */
	struct tracker tr[MAX_TRACKERS];
	bool trackers_dirty;
	uint64_t last_status_ns;    /* last written */
	uint64_t status_checked_ns; /* last built, written or not */
	uint64_t status_gen;	    /* the queue's generation then */
	char *last_status;	    /* what was written, without its "updated" stamp */
	uint64_t held_logged;
};

static void logf_(struct xg_alerter *a, const char *level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void logf_(struct xg_alerter *a, const char *level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!a->o.log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	a->o.log(a->o.log_arg, level, msg);
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return "";
}

/* ---- what an alert says beyond the incident ---- */

void xg_alert_top_sources(struct json_object *inc, struct xg_alert_lines *l)
{
	struct json_object *arr, *e, *v;
	size_t i, n;

	l->n_src = 0;
	if (!inc || !json_object_object_get_ex(inc, "top_sources", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return;
	n = json_object_array_length(arr);
	for (i = 0; i < n && l->n_src < 8; i++) {
		double pps = 0;

		e = json_object_array_get_idx(arr, i);
		if (json_object_object_get_ex(e, "pps", &v))
			pps = json_object_get_double(v);
		if (pps >= 1e6)
			snprintf(l->src[l->n_src], sizeof(l->src[0]), "%s (%.1f Mpps)",
				 jstr(e, "addr"), pps / 1e6);
		else if (pps >= 1e3)
			snprintf(l->src[l->n_src], sizeof(l->src[0]), "%s (%.1f kpps)",
				 jstr(e, "addr"), pps / 1e3);
		else
			snprintf(l->src[l->n_src], sizeof(l->src[0]), "%s (%.0f pps)",
				 jstr(e, "addr"), pps);
		l->src_p[l->n_src] = l->src[l->n_src];
		l->n_src++;
	}
}

/* One line per mitigation step, in words; the latest 16 are kept. */
static void add_mitigation(struct xg_alert_lines *l, struct json_object *m)
{
	struct json_object *v;
	char line[160];
	int64_t ttl = 0;
	bool applied = true;
	int i;

	if (json_object_object_get_ex(m, "ttl", &v))
		ttl = json_object_get_int64(v);
	if (json_object_object_get_ex(m, "applied", &v))
		applied = json_object_get_boolean(v);
	if (ttl > 0)
		snprintf(line, sizeof(line), "%s%s %s for %llds (%s)",
			 applied ? "" : "not applied: ", jstr(m, "action"), jstr(m, "target"),
			 (long long)ttl, jstr(m, "reason"));
	else
		snprintf(line, sizeof(line), "%s%s %s (%s)",
			 applied ? "" : "not applied: ", jstr(m, "action"), jstr(m, "target"),
			 jstr(m, "reason"));
	if (l->n_mit == 16) {
		memmove(l->mit[0], l->mit[1], sizeof(l->mit[0]) * 15);
		l->n_mit--;
	}
	snprintf(l->mit[l->n_mit++], sizeof(l->mit[0]), "%s", line);
	for (i = 0; i < l->n_mit; i++)
		l->mit_p[i] = l->mit[i];
}

/* ---- trackers: one per incident being notified ---- */

static struct tracker *tracker_find(struct xg_alerter *a, const char *id, bool create)
{
	struct tracker *free_slot = NULL;
	int i;

	for (i = 0; i < MAX_TRACKERS; i++) {
		if (a->tr[i].used && !strcmp(a->tr[i].id, id))
			return &a->tr[i];
		if (!a->tr[i].used && !free_slot)
			free_slot = &a->tr[i];
	}
	if (!create)
		return NULL;
	if (!free_slot) {
		/* Only closed incidents whose closes a maintenance window holds
		 * can pile up; the oldest gives way. */
		free_slot = &a->tr[0];
		for (i = 1; i < MAX_TRACKERS; i++)
			if (a->tr[i].st.open_ns < free_slot->st.open_ns)
				free_slot = &a->tr[i];
		logf_(a, "warn", "alerts: forgetting incident %s to track %s", free_slot->id, id);
		json_object_put(free_slot->inc);
	}
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->used = true;
	snprintf(free_slot->id, sizeof(free_slot->id), "%s", id);
	xg_route_state_init(&free_slot->st);
	return free_slot;
}

static void tracker_drop(struct tracker *t)
{
	json_object_put(t->inc);
	memset(t, 0, sizeof(*t));
}

static void pend_add(struct xg_alerter *a, struct tracker *t, const struct xg_route_out *out)
{
	int i;

	for (i = 0; i < out->n && t->n_pend < MAX_PENDING; i++)
		t->pend[t->n_pend++] = out->a[i];
	if (out->held && out->held != (int)a->held_logged)
		logf_(a, "info",
		      "alerts: %d notification(s) for incident %s held by a maintenance "
		      "window",
		      out->held, t->id);
	a->held_logged = (uint64_t)out->held;
	a->trackers_dirty = true;
}

static enum xg_alert_kind route_kind_to_alert(enum xg_route_kind k)
{
	return k == XG_ROUTE_OPEN    ? XG_ALERT_OPEN
	       : k == XG_ROUTE_CLOSE ? XG_ALERT_CLOSE
				     : XG_ALERT_UPDATE;
}

static enum xg_alert_sev route_sev_to_alert(enum xg_route_sev s)
{
	switch (s) {
	case XG_ROUTE_SEV_CRITICAL:
		return XG_SEV_CRITICAL;
	case XG_ROUTE_SEV_ERROR:
		return XG_SEV_ERROR;
	case XG_ROUTE_SEV_WARNING:
		return XG_SEV_WARNING;
	default:
		return XG_SEV_INFO;
	}
}

static void fill_event(struct xg_alerter *a, struct xg_alert_event *ev, enum xg_alert_kind kind,
		       enum xg_alert_sev sev, struct json_object *inc,
		       const struct xg_alert_lines *l, uint64_t now_ns)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->incident = inc;
	ev->severity = kind == XG_ALERT_CLOSE ? XG_SEV_INFO : sev;
	ev->node = a->node;
	ev->top_sources = l ? l->src_p : NULL;
	ev->n_top_sources = l ? (size_t)l->n_src : 0;
	ev->mitigation = l ? l->mit_p : NULL;
	ev->n_mitigation = l ? (size_t)l->n_mit : 0;
	ev->pcap = *jstr(inc, "pcap") ? jstr(inc, "pcap") : NULL;
	ev->now = (int64_t)(now_ns / 1000000000ULL);
}

#define FLUSH_MAX 512 /* events per flush: a tick rarely has more than a few */

/* Drops the first n pending actions of t: they are queued. */
static void pend_consume(struct tracker *t, int n)
{
	memmove(t->pend, t->pend + n, sizeof(t->pend[0]) * (size_t)(t->n_pend - n));
	t->n_pend -= n;
}

/* Renders and queues the pending actions, with one fdatasync. What does
 * not fit, or does not get written, stays pending for the next tick: an
 * action is forgotten only once it is on disk. */
static void flush(struct xg_alerter *a)
{
	struct xg_alertq_event *ev = calloc(FLUSH_MAX, sizeof(*ev));
	char **bufs = calloc(FLUSH_MAX, sizeof(*bufs));
	int taken[MAX_TRACKERS] = {0};
	uint64_t dropped = 0;
	size_t n = 0, i;
	int t, k, r;

	for (t = 0; ev && bufs && t < MAX_TRACKERS; t++) {
		struct tracker *tr = &a->tr[t];

		for (k = 0; tr->used && k < tr->n_pend && n < FLUSH_MAX; k++, taken[t]++) {
			const struct xg_route_action *act = &tr->pend[k];
			int idx = xg_alerts_sink_find(a->cfg, act->sink);
			struct xg_alert_event aev;
			size_t len;

			if (idx < 0)
				continue; /* a reload removed it: nobody to tell */
			fill_event(a, &aev, route_kind_to_alert(act->kind),
				   route_sev_to_alert(act->severity), tr->inc, &tr->lines,
				   act->not_before_ns);
			if (xg_alert_render(a->cfg, idx, &aev, &bufs[n], &len)) {
				logf_(a, "error", "alerts: cannot render the %s of %s for %s",
				      xg_alert_kind_name(aev.kind), tr->id, act->sink);
				continue;
			}
			ev[n] = (struct xg_alertq_event){
			    .sink = act->sink, .dedup_key = tr->id, .payload = bufs[n], .len = len};
			n++;
		}
	}
	r = n ? xg_alertq_push_many(a->q, ev, n, NULL, &dropped) : 0;
	if (r)
		logf_(a, "error", "alerts: cannot queue %zu notification(s), will retry: %s", n,
		      strerror(-r));
	else
		for (t = 0; t < MAX_TRACKERS; t++)
			if (taken[t])
				pend_consume(&a->tr[t], taken[t]);
	if (dropped)
		logf_(a, "error",
		      "alerts: queue full, dropped the %llu oldest notification(s) (see "
		      "'xdpctl alerts status')",
		      (unsigned long long)dropped);
	for (i = 0; bufs && i < n; i++)
		free(bufs[i]);
	free(bufs);
	free(ev);
}

/* ---- incidents.json: routing state across restarts ---- */

static void state_path(const struct xg_alerter *a, const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", a->dir, name);
}

static void save_trackers(struct xg_alerter *a, uint64_t now_ns)
{
	struct json_object *root = json_object_new_object(), *arr = json_object_new_array();
	char path[XG_ALERTER_PATH_MAX + 32], err[256], *hex;
	const char *s;
	size_t k;
	int i;

	json_object_object_add(root, "format", json_object_new_string(STATE_MAGIC));
	json_object_object_add(root, "saved_ns", json_object_new_int64((int64_t)now_ns));
	json_object_object_add(root, "state_size",
			       json_object_new_int64(sizeof(struct xg_route_state)));
	hex = malloc(2 * sizeof(struct xg_route_state) + 1);
	for (i = 0; hex && i < MAX_TRACKERS; i++) {
		const unsigned char *p = (const unsigned char *)&a->tr[i].st;
		struct json_object *o, *mit;
		int m;

		if (!a->tr[i].used)
			continue;
		for (k = 0; k < sizeof(struct xg_route_state); k++)
			sprintf(hex + 2 * k, "%02x", p[k]);
		o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_string(a->tr[i].id));
		json_object_object_add(o, "incident", json_object_get(a->tr[i].inc));
		mit = json_object_new_array();
		for (m = 0; m < a->tr[i].lines.n_mit; m++)
			json_object_array_add(mit, json_object_new_string(a->tr[i].lines.mit[m]));
		json_object_object_add(o, "mitigation", mit);
		json_object_object_add(o, "route_state", json_object_new_string(hex));
		json_object_array_add(arr, o);
	}
	free(hex);
	json_object_object_add(root, "incidents", arr);
	s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
	state_path(a, "incidents.json", path, sizeof(path));
	if (xg_write_atomic(path, s, strlen(s), err, sizeof(err)))
		logf_(a, "error", "alerts: %s", err);
	json_object_put(root);
	a->trackers_dirty = false;
}

static int unhex(const char *s, unsigned char *out, size_t n)
{
	size_t k;

	if (strlen(s) != 2 * n)
		return -1;
	for (k = 0; k < n; k++) {
		unsigned int b;

		if (sscanf(s + 2 * k, "%2x", &b) != 1)
			return -1;
		out[k] = (unsigned char)b;
	}
	return 0;
}

/* Returns when the state was saved (0: nothing saved). */
static uint64_t load_trackers(struct xg_alerter *a)
{
	struct json_object *root, *arr, *v;
	char path[XG_ALERTER_PATH_MAX + 32], err[256], *text;
	size_t len, i, n;

	state_path(a, "incidents.json", path, sizeof(path));
	uint64_t saved = 0;

	if (access(path, F_OK))
		return 0;
	if (xg_read_file(path, 16 << 20, &text, &len, err, sizeof(err))) {
		logf_(a, "error", "alerts: %s", err);
		return 0;
	}
	root = json_tokener_parse(text);
	free(text);
	if (!root || strcmp(jstr(root, "format"), STATE_MAGIC) ||
	    !json_object_object_get_ex(root, "state_size", &v) ||
	    json_object_get_int64(v) != (int64_t)sizeof(struct xg_route_state) ||
	    !json_object_object_get_ex(root, "incidents", &arr)) {
		logf_(a, "warn", "alerts: %s is unreadable or from another version; ignored", path);
		json_object_put(root);
		return 0;
	}
	if (json_object_object_get_ex(root, "saved_ns", &v))
		saved = (uint64_t)json_object_get_int64(v);
	n = json_object_array_length(arr);
	for (i = 0; i < n && i < MAX_TRACKERS; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i), *inc, *mit;
		struct tracker *t = tracker_find(a, jstr(e, "id"), true);
		size_t m;

		if (unhex(jstr(e, "route_state"), (unsigned char *)&t->st, sizeof(t->st)) ||
		    !json_object_object_get_ex(e, "incident", &inc)) {
			tracker_drop(t);
			continue;
		}
		t->inc = json_object_get(inc);
		xg_alert_top_sources(t->inc, &t->lines);
		if (json_object_object_get_ex(e, "mitigation", &mit))
			for (m = 0; m < json_object_array_length(mit) && m < 16; m++) {
				snprintf(t->lines.mit[m], sizeof(t->lines.mit[0]), "%s",
					 json_object_get_string(json_object_array_get_idx(mit, m)));
				t->lines.mit_p[m] = t->lines.mit[m];
				t->lines.n_mit = (int)m + 1;
			}
	}
	json_object_put(root);
	return saved;
}

/* The controller that opened these is gone: whoever was told of the open
 * is told of the close, so nothing stays paged forever. The close is
 * routed as of the last save, so an escalation step that fell due while
 * nobody ran does not page anyone now, just to resolve at once. */
static void close_orphans(struct xg_alerter *a, uint64_t saved_ns, uint64_t now_ns)
{
	struct xg_route_out out;
	int i;

	for (i = 0; i < MAX_TRACKERS; i++) {
		struct tracker *t = &a->tr[i];

		if (!t->used || !t->st.open)
			continue;
		json_object_object_add(t->inc, "closed_by", json_object_new_string("restart"));
		if (xg_route_on_event(&a->cfg->route, &t->st, XG_ROUTE_CLOSE, t->st.sev, NULL, 0,
				      saved_ns && saved_ns < now_ns ? saved_ns : now_ns, &out) >= 0)
			pend_add(a, t, &out);
		logf_(a, "info",
		      "alerts: incident %s was open when the controller stopped; closing "
		      "it for its sinks",
		      t->id);
	}
}

/* ---- workers ---- */

static double jitter(struct worker *w)
{
	/* xorshift64*: workers need spread, not secrecy */
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return (double)((w->rng * 2685821657736338717ULL) >> 11) / (double)(1ULL << 53);
}

static void record_test(struct xg_alerter *a, const char *id, const char *sink, const char *outcome,
			const char *error)
{
	struct test_result *t = NULL;
	int i;

	/* caller holds a->lock */
	for (i = 0; i < MAX_TESTS; i++)
		if (!strcmp(a->tests[i].id, id))
			t = &a->tests[i];
	if (!t) {
		t = &a->tests[a->next_test];
		a->next_test = (a->next_test + 1) % MAX_TESTS;
	}
	snprintf(t->id, sizeof(t->id), "%s", id);
	snprintf(t->sink, sizeof(t->sink), "%s", sink);
	snprintf(t->outcome, sizeof(t->outcome), "%s", outcome);
	snprintf(t->error, sizeof(t->error), "%s", error ? error : "");
	t->at_ns = realtime_ns();
}

static void worker_result(struct worker *w, const struct xg_alert_item *it,
			  const struct xg_http_result *res)
{
	struct xg_alerter *a = w->a;
	struct sink_stat *st = &a->stat[w->idx];
	uint64_t now = realtime_ns(), wait = 0;
	bool test = !strncmp(it->dedup_key, XG_ALERTER_TEST_PREFIX, strlen(XG_ALERTER_TEST_PREFIX));
	int r;

	if (res->outcome == XG_SEND_RETRY) {
		wait = xg_send_backoff_ns(it->attempts + 1, jitter(w), res->retry_after_s);
		r = xg_alertq_retry(a->q, it->id, now + wait);
	} else {
		r = xg_alertq_ack(a->q, it->id);
	}
	if (r && r != -ENOENT)
		logf_(a, "error", "alerts: %s: cannot record the outcome of event %llu: %s",
		      it->sink, (unsigned long long)it->id, strerror(-r));
	pthread_mutex_lock(&a->lock);
	st->last_status = res->status;
	if (res->outcome == XG_SEND_DELIVERED) {
		st->delivered++;
		st->last_ok_ns = now;
		st->next_retry_ns = 0;
	} else {
		st->last_err_ns = now;
		snprintf(st->last_error, sizeof(st->last_error), "%s", res->error);
		if (res->outcome == XG_SEND_RETRY) {
			st->retries++;
			st->next_retry_ns = now + wait;
		} else {
			st->dropped++;
		}
	}
	if (test)
		record_test(a, it->dedup_key, it->sink, xg_send_outcome_name(res->outcome),
			    res->error);
	pthread_mutex_unlock(&a->lock);
	if (res->outcome == XG_SEND_DELIVERED)
		logf_(a, "info", "alerts: delivered %s event %llu to %s%s (status %ld)",
		      it->dedup_key, (unsigned long long)it->id, it->sink,
		      it->attempts ? " after retries" : "", res->status);
	else if (res->outcome == XG_SEND_RETRY)
		logf_(a, "warn", "alerts: %s: attempt %u of event %llu failed, retry in %.1fs: %s",
		      it->sink, it->attempts + 1, (unsigned long long)it->id, (double)wait / 1e9,
		      res->error);
	else
		logf_(a, "error", "alerts: %s: event %llu (%s) dropped, the sink refused it: %s",
		      it->sink, (unsigned long long)it->id, it->dedup_key, res->error);
}

static bool stopping(struct xg_alerter *a)
{
	bool s;

	pthread_mutex_lock(&a->lock);
	s = a->stop;
	pthread_mutex_unlock(&a->lock);
	return s;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct xg_alerter *a = w->a;
	const char *sink = a->cfg->route.sinks[w->idx].name;

	pthread_setname_np(pthread_self(), "xg-alert");
	while (!stopping(a)) {
		uint64_t gen = xg_alertq_gen(a->q), now = realtime_ns(), next = UINT64_MAX;
		struct xg_alert_item it;
		struct xg_http_result res;
		int r, ms = WAIT_MAX_MS;

		r = xg_alertq_lease(a->q, sink, now, &it, &next);
		if (r == -ENOENT) {
			if (next != UINT64_MAX && next > now &&
			    (next - now) / 1000000 < WAIT_MAX_MS)
				ms = (int)((next - now) / 1000000) + 1;
			xg_alertq_wait(a->q, gen, ms);
			continue;
		}
		if (r) {
			logf_(a, "error", "alerts: %s: cannot read the queue: %s", sink,
			      strerror(-r));
			xg_alertq_wait(a->q, gen, WAIT_MAX_MS);
			continue;
		}
		xg_alert_deliver(a->cfg, w->idx, it.payload, it.len,
				 (int64_t)(realtime_ns() / 1000000000ULL), &res);
		worker_result(w, &it, &res);
		xg_alertq_item_free(&it);
	}
	return NULL;
}

static void workers_start(struct xg_alerter *a)
{
	int i, r;

	if (a->o.no_workers)
		return;
	pthread_mutex_lock(&a->lock);
	a->stop = false;
	pthread_mutex_unlock(&a->lock);
	for (i = 0; i < a->cfg->route.n_sinks; i++) {
		struct worker *w = &a->w[i];

		w->a = a;
		w->idx = i;
		w->rng = realtime_ns() ^ ((uint64_t)(i + 1) * 0x9e3779b97f4a7c15ULL);
		r = pthread_create(&w->thread, NULL, worker_main, w);
		w->running = !r;
		if (r)
			logf_(a, "error", "alerts: cannot start the worker for %s: %s",
			      a->cfg->route.sinks[i].name, strerror(r));
	}
}

static void workers_stop(struct xg_alerter *a)
{
	int i;

	pthread_mutex_lock(&a->lock);
	a->stop = true;
	pthread_mutex_unlock(&a->lock);
	xg_alertq_wake(a->q);
	for (i = 0; i < XG_ROUTE_MAX_SINKS; i++) {
		if (a->w[i].running)
			pthread_join(a->w[i].thread, NULL);
		a->w[i].running = false;
	}
}

/* Per-sink counters follow the sink's name across a reload. */
static void remap_stats(struct xg_alerter *a, const struct xg_alerts_cfg *cfg)
{
	struct sink_stat old[XG_ROUTE_MAX_SINKS];
	int i, j;

	memcpy(old, a->stat, sizeof(old));
	memset(a->stat, 0, sizeof(a->stat));
	for (i = 0; i < cfg->route.n_sinks; i++) {
		snprintf(a->stat[i].name, sizeof(a->stat[i].name), "%s", cfg->route.sinks[i].name);
		for (j = 0; j < XG_ROUTE_MAX_SINKS; j++)
			if (old[j].name[0] && !strcmp(old[j].name, a->stat[i].name))
				a->stat[i] = old[j];
	}
}

static void set_node(struct xg_alerter *a)
{
	if (a->cfg->node[0])
		snprintf(a->node, sizeof(a->node), "%s", a->cfg->node);
	else if (gethostname(a->node, sizeof(a->node) - 1))
		snprintf(a->node, sizeof(a->node), "xdpguard");
}

int xg_alerter_open(struct xg_alerter **out, const struct xg_alerts_cfg *cfg,
		    const struct xg_alerter_opts *o, uint64_t now_ns, char *err, size_t errlen)
{
	struct xg_alerter *a = calloc(1, sizeof(*a));
	char qdir[XG_ALERTER_PATH_MAX + 16], why[256];
	int r;

	*out = NULL;
	if (!a || !(a->cfg = malloc(sizeof(*a->cfg)))) {
		free(a);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(a->cfg, cfg, sizeof(*cfg));
	a->o = *o;
	snprintf(a->dir, sizeof(a->dir), "%s", o->dir);
	snprintf(qdir, sizeof(qdir), "%s/queue", a->dir);
	pthread_mutex_init(&a->lock, NULL);
	set_node(a);
	remap_stats(a, cfg);
	if (xg_mkdir_p(qdir, err, errlen)) {
		r = -EIO;
		goto fail;
	}
	r = xg_alertq_open(&a->q, qdir, cfg->queue_capacity, why, sizeof(why));
	if (r) {
		snprintf(err, errlen, "alert queue %s: %s", qdir,
			 r == -EBUSY ? "in use by another xdpctl run" : why);
		goto fail;
	}
	if (why[0])
		logf_(a, "warn", "alerts: %s", why);
	close_orphans(a, load_trackers(a), now_ns);
	workers_start(a);
	*out = a;
	return 0;
fail:
	pthread_mutex_destroy(&a->lock);
	free(a->cfg);
	free(a);
	return r;
}

void xg_alerter_reload(struct xg_alerter *a, const struct xg_alerts_cfg *cfg)
{
	workers_stop(a);
	remap_stats(a, cfg);
	memcpy(a->cfg, cfg, sizeof(*cfg));
	set_node(a);
	workers_start(a);
}

static int kind_of(const char *event, enum xg_route_kind *k)
{
	if (!strcmp(event, "incident_open"))
		*k = XG_ROUTE_OPEN;
	else if (!strcmp(event, "incident_update"))
		*k = XG_ROUTE_UPDATE;
	else if (!strcmp(event, "incident_close"))
		*k = XG_ROUTE_CLOSE;
	else
		return -1;
	return 0;
}

void xg_alerter_on_event(struct xg_alerter *a, const char *event, uint64_t now_ns,
			 struct json_object *obj, const char *const *ifaces, int n_ifaces)
{
	struct xg_route_out out;
	enum xg_route_kind kind;
	enum xg_alert_sev sev;
	struct tracker *t;

	if (!strcmp(event, "mitigation")) {
		t = tracker_find(a, jstr(obj, "incident"), false);
		if (t) {
			add_mitigation(&t->lines, obj);
			a->trackers_dirty = true;
		}
		return;
	}
	if (kind_of(event, &kind) || !*jstr(obj, "id"))
		return;
	t = tracker_find(a, jstr(obj, "id"), kind == XG_ROUTE_OPEN);
	if (!t)
		return;
	json_object_put(t->inc);
	t->inc = json_object_get(obj);
	xg_alert_top_sources(obj, &t->lines);
	/* A close keeps the severity routing followed; the message says info. */
	sev = xg_alert_severity(kind == XG_ROUTE_OPEN ? XG_ALERT_OPEN : XG_ALERT_UPDATE, obj);
	if (xg_route_on_event(&a->cfg->route, &t->st, kind, xg_alert_route_sev(sev), ifaces,
			      n_ifaces, now_ns, &out) < 0) {
		logf_(a, "warn", "alerts: %s for %s out of order; ignored", event, t->id);
		return;
	}
	pend_add(a, t, &out);
}

/* ---- 'xdpctl alerts test' ---- */

int xg_alerter_test(struct xg_alerter *a, const char *sink, const char *id, uint64_t now_ns,
		    char *err, size_t errlen)
{
	int idx = xg_alerts_sink_find(a->cfg, sink), r, n, k;
	struct xg_alertq_event ev[2];
	char *buf[2] = {NULL, NULL};
	size_t len[2];

	if (strncmp(id, XG_ALERTER_TEST_PREFIX, strlen(XG_ALERTER_TEST_PREFIX)) ||
	    strlen(id) >= sizeof(a->tests[0].id)) {
		snprintf(err, errlen, "invalid test id \"%s\"", id);
		return -EINVAL;
	}
	if (idx < 0) {
		snprintf(err, errlen, "no sink named \"%s\" in the running config", sink);
		r = -ENOENT;
		goto out;
	}
	n = xg_alert_render_test(a->cfg, idx, a->node, id, (int64_t)(now_ns / 1000000000ULL), buf,
				 len);
	r = n < 0 ? n : 0;
	for (k = 0; k < n; k++)
		ev[k] = (struct xg_alertq_event){
		    .sink = sink, .dedup_key = id, .payload = buf[k], .len = len[k]};
	if (!r)
		r = xg_alertq_push_many(a->q, ev, (size_t)n, NULL, NULL);
	for (k = 0; k < n; k++)
		free(buf[k]);
	if (r)
		snprintf(err, errlen, "cannot queue the test event: %s", strerror(-r));
out:
	pthread_mutex_lock(&a->lock);
	record_test(a, id, sink, r ? "failed" : "queued", r ? err : NULL);
	pthread_mutex_unlock(&a->lock);
	return r;
}

/* Requests the CLI dropped into spool/: {"id": "test-...", "sink": "..."}. */
static void run_spool(struct xg_alerter *a, uint64_t now_ns)
{
	char dir[XG_ALERTER_PATH_MAX + 16], path[XG_ALERTER_PATH_MAX + 300], err[256], *text;
	struct dirent *de;
	int done = 0;
	size_t len;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", a->dir, XG_ALERTER_SPOOL_DIR);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)) != NULL && done < MAX_SPOOL_TICK) {
		struct json_object *req;
		size_t n = strlen(de->d_name);

		if (n < 6 || strcmp(de->d_name + n - 5, ".json"))
			continue; /* "." and "..", and files still being written (.tmp) */
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (xg_read_file(path, 4096, &text, &len, err, sizeof(err))) {
			unlink(path);
			continue;
		}
		unlink(path);
		req = json_tokener_parse(text);
		free(text);
		if (xg_alerter_test(a, jstr(req, "sink"), jstr(req, "id"), now_ns, err,
				    sizeof(err)))
			logf_(a, "warn", "alerts: test request %s: %s", de->d_name, err);
		else
			logf_(a, "info", "alerts: test event %s queued for %s", jstr(req, "id"),
			      jstr(req, "sink"));
		json_object_put(req);
		done++;
	}
	closedir(d);
}

/* ---- status ---- */

static struct json_object *time_or_null(uint64_t ns)
{
	return ns ? json_object_new_double((double)ns / 1e9) : NULL;
}

struct orphan_ctx {
	const struct xg_alerts_cfg *cfg;
	struct json_object *obj;
};

static int count_orphan(const struct xg_alertq_meta *m, void *arg)
{
	struct orphan_ctx *c = arg;
	struct json_object *v;

	if (xg_alerts_sink_find(c->cfg, m->sink) >= 0)
		return 0;
	if (json_object_object_get_ex(c->obj, m->sink, &v))
		json_object_int_inc(v, 1);
	else
		json_object_object_add(c->obj, m->sink, json_object_new_int64(1));
	return 0;
}

struct json_object *xg_alerter_queue_json(const struct xg_alertq_stats *s)
{
	struct json_object *q = json_object_new_object();

	json_object_object_add(q, "depth", json_object_new_int64((int64_t)s->depth));
	json_object_object_add(q, "leased", json_object_new_int64((int64_t)s->leased));
	json_object_object_add(q, "capacity", json_object_new_int64((int64_t)s->capacity));
	json_object_object_add(q, "pushed", json_object_new_int64((int64_t)s->pushed));
	json_object_object_add(q, "acked", json_object_new_int64((int64_t)s->acked));
	json_object_object_add(q, "dropped", json_object_new_int64((int64_t)s->dropped));
	json_object_object_add(q, "retried", json_object_new_int64((int64_t)s->retried));
	json_object_object_add(q, "disk_bytes", json_object_new_int64((int64_t)s->disk_bytes));
	return q;
}

struct json_object *xg_alerter_status(struct xg_alerter *a, uint64_t now_ns)
{
	struct json_object *o = json_object_new_object(), *q;
	struct json_object *sinks = json_object_new_array(), *tests = json_object_new_array();
	struct orphan_ctx oc = {a->cfg, json_object_new_object()};
	struct xg_alertq_stats s;
	int i;

	xg_alertq_stats(a->q, &s);
	q = xg_alerter_queue_json(&s);
	json_object_object_add(o, "pid", json_object_new_int64(getpid()));
	json_object_object_add(o, "updated", json_object_new_double((double)now_ns / 1e9));
	json_object_object_add(o, "node", json_object_new_string(a->node));
	xg_alertq_foreach(a->q, count_orphan, &oc);
	json_object_object_add(q, "orphaned", oc.obj);
	json_object_object_add(o, "queue", q);
	pthread_mutex_lock(&a->lock);
	for (i = 0; i < a->cfg->route.n_sinks; i++) {
		const struct sink_stat *st = &a->stat[i];
		struct json_object *e = json_object_new_object();

		json_object_object_add(e, "name", json_object_new_string(st->name));
		json_object_object_add(
		    e, "type",
		    json_object_new_string(xg_route_sink_type_name(a->cfg->route.sinks[i].type)));
		json_object_object_add(
		    e, "depth",
		    json_object_new_int64((int64_t)xg_alertq_sink_depth(a->q, st->name)));
		json_object_object_add(e, "delivered",
				       json_object_new_int64((int64_t)st->delivered));
		json_object_object_add(e, "retries", json_object_new_int64((int64_t)st->retries));
		json_object_object_add(e, "dropped", json_object_new_int64((int64_t)st->dropped));
		json_object_object_add(e, "last_ok", time_or_null(st->last_ok_ns));
		json_object_object_add(e, "last_error_at", time_or_null(st->last_err_ns));
		json_object_object_add(e, "last_error",
				       st->last_err_ns ? json_object_new_string(st->last_error)
						       : NULL);
		json_object_object_add(e, "last_status", json_object_new_int64(st->last_status));
		json_object_object_add(e, "next_retry", time_or_null(st->next_retry_ns));
		json_object_array_add(sinks, e);
	}
	for (i = 0; i < MAX_TESTS; i++) {
		const struct test_result *t = &a->tests[(a->next_test + i) % MAX_TESTS];
		struct json_object *e;

		if (!t->id[0])
			continue;
		e = json_object_new_object();
		json_object_object_add(e, "id", json_object_new_string(t->id));
		json_object_object_add(e, "sink", json_object_new_string(t->sink));
		json_object_object_add(e, "outcome", json_object_new_string(t->outcome));
		json_object_object_add(e, "error", json_object_new_string(t->error));
		json_object_object_add(e, "at", time_or_null(t->at_ns));
		json_object_array_add(tests, e);
	}
	pthread_mutex_unlock(&a->lock);
	json_object_object_add(o, "sinks", sinks);
	json_object_object_add(o, "tests", tests);
	return o;
}

/* The status is rewritten when it changes, and at least every
 * STATUS_HEARTBEAT_NS so that its "updated" stamp shows the controller is
 * alive: a quiet node does not rename a file every tick. */
#define STATUS_HEARTBEAT_NS 10000000000ULL

static void write_status(struct xg_alerter *a, uint64_t now_ns, bool force)
{
	const int flags = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;
	struct json_object *o = xg_alerter_status(a, now_ns);
	char path[XG_ALERTER_PATH_MAX + 32], err[256];
	char *body;
	const char *s;

	json_object_object_del(o, "updated");
	body = strdup(json_object_to_json_string_ext(o, flags));
	if (!force && body && a->last_status && !strcmp(body, a->last_status) &&
	    now_ns - a->last_status_ns < STATUS_HEARTBEAT_NS) {
		free(body);
		json_object_put(o);
		return;
	}
	json_object_object_add(o, "updated", json_object_new_double((double)now_ns / 1e9));
	s = json_object_to_json_string_ext(o, flags);
	state_path(a, XG_ALERTER_STATUS_FILE, path, sizeof(path));
	if (xg_write_replace(path, s, strlen(s), err, sizeof(err)))
		logf_(a, "error", "alerts: %s", err);
	json_object_put(o);
	free(a->last_status);
	a->last_status = body;
	a->last_status_ns = now_ns;
}

void xg_alerter_tick(struct xg_alerter *a, uint64_t now_ns)
{
	struct xg_route_out out;
	int i;

	for (i = 0; i < MAX_TRACKERS; i++) {
		struct tracker *t = &a->tr[i];

		if (!t->used)
			continue;
		if (xg_route_tick(&a->cfg->route, &t->st, now_ns, &out) > 0 || out.held)
			pend_add(a, t, &out);
	}
	flush(a);
	for (i = 0; i < MAX_TRACKERS; i++) {
		if (a->tr[i].used && !a->tr[i].n_pend && xg_route_done(&a->tr[i].st)) {
			tracker_drop(&a->tr[i]);
			a->trackers_dirty = true;
		}
	}
	if (a->trackers_dirty)
		save_trackers(a, now_ns);
	run_spool(a, now_ns);
	/* The status is for humans and scripts: looked at every 200 ms at most
	 * while the queue changes, once a second when it does not (building it
	 * is the cost, even when it is not rewritten). */
	{
		uint64_t gen = xg_alertq_gen(a->q), since = now_ns - a->status_checked_ns;

		if (since >= 1000000000ULL || (gen != a->status_gen && since >= 200000000ULL)) {
			a->status_checked_ns = now_ns;
			a->status_gen = gen;
			write_status(a, now_ns, false);
		}
	}
}

void xg_alerter_close(struct xg_alerter *a, uint64_t now_ns)
{
	struct xg_alertq_stats s;
	int waited;

	if (!a)
		return;
	xg_alerter_tick(a, now_ns);
	for (waited = 0; !a->o.no_workers && waited < XG_ALERTER_DRAIN_MS; waited += 50) {
		xg_alertq_stats(a->q, &s);
		if (!s.depth)
			break;
		usleep(50000);
	}
	workers_stop(a);
	write_status(a, realtime_ns(), true);
	for (int i = 0; i < MAX_TRACKERS; i++)
		json_object_put(a->tr[i].inc);
	xg_alertq_close(a->q);
	pthread_mutex_destroy(&a->lock);
	free(a->last_status);
	free(a->cfg);
	free(a);
}
