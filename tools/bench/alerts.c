// SPDX-License-Identifier: GPL-2.0-only
/*
 * alert_bench: the alert pipeline end to end, through the real alerter
 * (routing, rendering, the durable queue, a worker, HTTP) into a local
 * receiver (tests/integration/alert_recv.py). tools/bench/alerts.sh runs it.
 *
 *   alert_bench latency --url URL --incidents N --dir DIR [--out FILE]
 *       N incidents 20 ms apart, each opened and closed the way the daemon
 *       does it (on_event, then tick); prints "bench-<k> <t_open>" per
 *       incident (unix seconds, ns precision), for joining with the
 *       receiver's arrival times.
 *   alert_bench drain --url URL --events N --dir DIR
 *       queues N test events with no worker running, then reopens with
 *       workers on and times the drain: a backlog after an outage.
 *
 * Exit status 0, 1 when the queue did not empty in time or on an error,
 * 2 on a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>

#include "alert_cfg.h"
#include "alert_send.h"
#include "alerter.h"

#define SINK		  "bench"
#define SPACING_NS	  20000000ULL /* between incident opens: a busy day, not a drain */
#define CLOSE_AFTER_NS	  10000000ULL /* the close, halfway to the next open */
#define LATENCY_WAIT_S	  30
#define DRAIN_WAIT_S	  120
#define POLL_NS		  5000000L
#define DEFAULT_INCIDENTS 100
#define DEFAULT_EVENTS	  XG_ALERT_QUEUE_MIN /* the capacity the queue must offer */

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Absolute monotonic sleeps, so the schedule does not drift with the time
 * each tick takes. */
static void sleep_until(uint64_t mono)
{
	struct timespec ts = {(time_t)(mono / 1000000000ULL), (long)(mono % 1000000000ULL)};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void sleep_ns(long ns)
{
	struct timespec ts = {0, ns};

	nanosleep(&ts, NULL);
}

/* Warnings and errors only: one info line per delivery would drown the
 * output, and a retry or a drop is exactly what explains an outlier. */
static void log_cb(void *arg, const char *level, const char *msg)
{
	(void)arg;
	if (strcmp(level, "info"))
		fprintf(stderr, "alert_bench: %s: %s\n", level, msg);
}

/* One webhook sink, paged at once for every severity. */
static int make_cfg(struct xg_alerts_cfg *c, const char *url, size_t need)
{
	struct xg_route_cfg *r = &c->route;
	char path[256], why[256];

	xg_alerts_cfg_defaults(c);
	if (need > c->queue_capacity)
		c->queue_capacity = (uint32_t)need; /* no drops: they would end the drain early */
	r->n_sinks = 1;
	snprintf(r->sinks[0].name, sizeof(r->sinks[0].name), "%s", SINK);
	r->sinks[0].type = XG_ROUTE_SINK_WEBHOOK;
	xg_alert_sink_defaults(&c->sink[0], XG_ROUTE_SINK_WEBHOOK);
	if (strlen(url) >= sizeof(c->sink[0].url)) {
		fprintf(stderr, "alert_bench: URL too long\n");
		return -1;
	}
	snprintf(c->sink[0].url, sizeof(c->sink[0].url), "%s", url);
	r->n_policies = 1;
	snprintf(r->policies[0].name, sizeof(r->policies[0].name), "now");
	r->policies[0].n_steps = 1;
	r->policies[0].steps[0].delay_s = 0;
	r->policies[0].steps[0].n_sinks = 1;
	snprintf(r->policies[0].steps[0].sinks[0], sizeof(r->policies[0].steps[0].sinks[0]), "%s",
		 SINK);
	r->n_routes = 1;
	r->routes[0].min_severity = XG_ROUTE_SEV_INFO;
	snprintf(r->routes[0].policy, sizeof(r->routes[0].policy), "now");
	if (xg_route_cfg_check(r, "alerts", path, sizeof(path), why, sizeof(why))) {
		fprintf(stderr, "alert_bench: config: %s: %s\n", path, why);
		return -1;
	}
	return 0;
}

static int open_alerter(struct xg_alerter **a, const struct xg_alerts_cfg *cfg, const char *dir,
			bool no_workers)
{
	struct xg_alerter_opts o = {.dir = dir, .log = log_cb, .no_workers = no_workers};
	char err[512];

	if (xg_alerter_open(a, cfg, &o, realtime_ns(), err, sizeof(err))) {
		fprintf(stderr, "alert_bench: %s\n", err);
		return -1;
	}
	return 0;
}

/* Reads a number out of the status, as 'xdpctl alerts status' would. */
static int64_t status_num(struct json_object *st, const char *obj, int idx, const char *key)
{
	struct json_object *o, *v;

	if (!json_object_object_get_ex(st, obj, &o))
		return -1;
	if (idx >= 0)
		o = json_object_array_get_idx(o, (size_t)idx);
	if (!o || !json_object_object_get_ex(o, key, &v))
		return -1;
	return json_object_get_int64(v);
}

static int64_t queue_depth(struct xg_alerter *a)
{
	struct json_object *st = xg_alerter_status(a, realtime_ns());
	int64_t d = status_num(st, "queue", -1, "depth");

	json_object_put(st);
	return d;
}

/* Polls until the queue is empty or limit_s passes; the elapsed ns, or -1. */
static int64_t wait_empty(struct xg_alerter *a, uint64_t t0_mono, unsigned limit_s)
{
	for (;;) {
		uint64_t now = mono_ns();

		if (queue_depth(a) == 0)
			return (int64_t)(now - t0_mono);
		if (now - t0_mono > (uint64_t)limit_s * 1000000000ULL)
			return -1;
		sleep_ns(POLL_NS);
	}
}

static void print_sink_stats(struct xg_alerter *a, const char *mode)
{
	struct json_object *st = xg_alerter_status(a, realtime_ns());

	fprintf(stderr,
		"alert_bench: %s: delivered %lld, retries %lld, dropped %lld; queue depth %lld, "
		"dropped when full %lld\n",
		mode, (long long)status_num(st, "sinks", 0, "delivered"),
		(long long)status_num(st, "sinks", 0, "retries"),
		(long long)status_num(st, "sinks", 0, "dropped"),
		(long long)status_num(st, "queue", -1, "depth"),
		(long long)status_num(st, "queue", -1, "dropped"));
	json_object_put(st);
}

/* An incident as the controller reports it (xg_incident_to_json's shape),
 * critical by the severity rules: confident, big, an attack family. */
static struct json_object *incident(int k, const char *event, uint64_t start_ns, uint64_t end_ns)
{
	struct json_object *o = json_object_new_object(), *arr, *src;
	char id[32];

	snprintf(id, sizeof(id), "bench-%d", k);
	json_object_object_add(o, "event", json_object_new_string(event));
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "seq", json_object_new_int64(k));
	json_object_object_add(o, "family", json_object_new_string("udp_flood"));
	json_object_object_add(o, "subtype", json_object_new_string(""));
	json_object_object_add(o, "service", json_object_new_string(""));
	json_object_object_add(o, "confidence", json_object_new_int(90));
	json_object_object_add(o, "learning", json_object_new_boolean(false));
	json_object_object_add(o, "start", json_object_new_double((double)start_ns / 1e9));
	if (end_ns) {
		json_object_object_add(o, "end", json_object_new_double((double)end_ns / 1e9));
		json_object_object_add(o, "duration_s",
				       json_object_new_double((double)(end_ns - start_ns) / 1e9));
	}
	json_object_object_add(o, "peak_pps", json_object_new_double(200000));
	json_object_object_add(o, "peak_bps", json_object_new_double(200000.0 * 8 * 512));
	arr = json_object_new_array();
	json_object_array_add(arr, json_object_new_string("198.51.100.10/32"));
	json_object_object_add(o, "destinations", arr);
	arr = json_object_new_array();
	src = json_object_new_object();
	json_object_object_add(src, "addr", json_object_new_string("203.0.113.7"));
	json_object_object_add(src, "pps", json_object_new_double(200000));
	json_object_array_add(arr, src);
	json_object_object_add(o, "top_sources", arr);
	return o;
}

static int run_latency(const char *url, int n, const char *dir, const char *out)
{
	struct xg_alerts_cfg *cfg = malloc(sizeof(*cfg));
	struct xg_alerter *a = NULL;
	FILE *f = stdout;
	uint64_t t0, start;
	int64_t waited;
	int k, ret = 1;

	if (!cfg || make_cfg(cfg, url, 0) || open_alerter(&a, cfg, dir, false))
		goto out;
	if (out && !(f = fopen(out, "w"))) {
		fprintf(stderr, "alert_bench: %s: %s\n", out, strerror(errno));
		goto out;
	}
	start = mono_ns();
	for (k = 0; k < n; k++) {
		uint64_t t_open, t_close;
		struct json_object *o;

		sleep_until(start + (uint64_t)k * SPACING_NS);
		/* The clock starts before the event reaches the alerter, so
		 * routing, rendering and the queue's fdatasync are counted. */
		t_open = realtime_ns();
		o = incident(k, "incident_open", t_open, 0);
		xg_alerter_on_event(a, "incident_open", t_open, o, NULL, 0);
		xg_alerter_tick(a, t_open);
		json_object_put(o);
		fprintf(f, "bench-%d %llu.%09llu\n", k,
			(unsigned long long)(t_open / 1000000000ULL),
			(unsigned long long)(t_open % 1000000000ULL));

		sleep_until(start + (uint64_t)k * SPACING_NS + CLOSE_AFTER_NS);
		t_close = realtime_ns();
		o = incident(k, "incident_close", t_open, t_close);
		xg_alerter_on_event(a, "incident_close", t_close, o, NULL, 0);
		xg_alerter_tick(a, t_close);
		json_object_put(o);
	}
	if (f != stdout && fclose(f)) {
		fprintf(stderr, "alert_bench: %s: %s\n", out, strerror(errno));
		f = stdout;
		goto out;
	}
	f = stdout;
	t0 = mono_ns();
	waited = wait_empty(a, t0, LATENCY_WAIT_S);
	if (waited < 0)
		fprintf(stderr, "alert_bench: the queue did not empty within %d s\n",
			LATENCY_WAIT_S);
	else
		ret = 0;
	print_sink_stats(a, "latency");
out:
	if (f != stdout)
		fclose(f);
	xg_alerter_close(a, realtime_ns());
	free(cfg);
	return ret;
}

static int run_drain(const char *url, int n, const char *dir)
{
	struct xg_alerts_cfg *cfg = malloc(sizeof(*cfg));
	struct xg_alerter *a = NULL;
	uint64_t t0;
	int64_t took;
	char err[256];
	int k, ret = 1;

	if (!cfg || make_cfg(cfg, url, (size_t)n))
		goto out;
	/* The backlog: an outage's worth of events, queued with nobody
	 * sending, so the drain below starts from a full queue on disk. */
	if (open_alerter(&a, cfg, dir, true))
		goto out;
	t0 = mono_ns();
	for (k = 0; k < n; k++) {
		char id[64];

		snprintf(id, sizeof(id), "%sbench-%d", XG_ALERTER_TEST_PREFIX, k);
		if (xg_alerter_test(a, SINK, id, realtime_ns(), err, sizeof(err))) {
			fprintf(stderr, "alert_bench: %s\n", err);
			goto out;
		}
	}
	fprintf(stderr, "alert_bench: drain: queued %d events in %.2f s (one fdatasync each)\n", n,
		(double)(mono_ns() - t0) / 1e9);
	if (queue_depth(a) != n) {
		fprintf(stderr, "alert_bench: drain: queue depth %lld, expected %d\n",
			(long long)queue_depth(a), n);
		goto out;
	}
	xg_alerter_close(a, realtime_ns());
	a = NULL;

	/* From the open: replaying the log is part of recovering a backlog. */
	t0 = mono_ns();
	if (open_alerter(&a, cfg, dir, false))
		goto out;
	took = wait_empty(a, t0, DRAIN_WAIT_S);
	print_sink_stats(a, "drain");
	if (took < 0) {
		fprintf(stderr, "alert_bench: the queue did not empty within %d s\n", DRAIN_WAIT_S);
		goto out;
	}
	printf("drained %d events in %.3f s: %.1f events/s\n", n, (double)took / 1e9,
	       took ? (double)n / ((double)took / 1e9) : 0.0);
	ret = 0;
out:
	xg_alerter_close(a, realtime_ns());
	free(cfg);
	return ret;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: alert_bench latency --url URL [--incidents N] --dir DIR [--out FILE]\n"
		"       alert_bench drain --url URL [--events N] --dir DIR\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"url", required_argument, NULL, 'u'},    {"incidents", required_argument, NULL, 'n'},
	    {"events", required_argument, NULL, 'n'}, {"dir", required_argument, NULL, 'd'},
	    {"out", required_argument, NULL, 'o'},    {NULL, 0, NULL, 0},
	};
	const char *url = NULL, *dir = NULL, *out = NULL, *mode;
	int n = -1, c, ret;

	if (argc < 2)
		return usage();
	mode = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			url = optarg;
			break;
		case 'n':
			n = atoi(optarg);
			if (n <= 0 || n > XG_ALERT_QUEUE_MAX)
				return usage();
			break;
		case 'd':
			dir = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		default:
			return usage();
		}
	}
	if (!url || !dir || optind != argc)
		return usage();
	if (xg_send_init()) { /* before the alerter starts any thread */
		fprintf(stderr, "alert_bench: cannot initialise libcurl\n");
		return 1;
	}
	if (!strcmp(mode, "latency"))
		ret = run_latency(url, n > 0 ? n : DEFAULT_INCIDENTS, dir, out);
	else if (!strcmp(mode, "drain"))
		ret = run_drain(url, n > 0 ? n : DEFAULT_EVENTS, dir);
	else
		ret = usage();
	xg_send_cleanup();
	return ret;
}
