// SPDX-License-Identifier: GPL-2.0-only
/* xdpctl alerts status|test: the alert queue and its sinks. The running
 * controller owns the queue (it is locked), so these read the status file
 * it writes and hand it test requests through its spool directory; with no
 * controller running they open the queue or send directly. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alert_deliver.h"
#include "alerter.h"
#include "alertq.h"
#include "cli.h"
#include "config.h"
#include "fsutil.h"

static const char alerts_usage[] =
    "usage: xdpctl alerts status [--json] [--config FILE] [--state-dir DIR]\n"
    "       xdpctl alerts test SINK [--timeout SEC] [--json] [--config FILE]\n"
    "                               [--state-dir DIR]\n"
    "\n"
    "The controller ('xdpctl run') notifies the sinks of the config's \"alerts\"\n"
    "section (webhook, pagerduty, slack, discord, opsgenie, email, syslog) through\n"
    "a queue on disk, STATE_DIR/alerts/queue: nothing queued is lost to a network\n"
    "outage, a restart or a kill -9; each event is retried with backoff until\n"
    "its sink takes it or refuses it for good.\n"
    "\n"
    "Commands:\n"
    "  status\n"
    "        Queue depth and totals (pushed, delivered, dropped because the queue\n"
    "        was full, retries), and per sink: events waiting, delivered, retries,\n"
    "        refused, the last success, the last error and the next retry. Read\n"
    "        from STATE_DIR/alerts/status.json, which the controller rewrites\n"
    "        when it changes and every 10 s; with no controller running, the\n"
    "        queue's own numbers\n"
    "        and the last run's per-sink results.\n"
    "  test SINK\n"
    "        Sends an event marked as a test (family \"test\", severity info, id\n"
    "        test-...) to SINK through the real path. With the controller\n"
    "        running: queued by the controller and delivered by its worker,\n"
    "        waiting up to --timeout seconds (default 15) for the outcome. With\n"
    "        no controller: rendered and sent once, directly, with the config\n"
    "        from --config. Exit 0 only when the sink took it.\n"
    "\n"
    "Options:\n"
    "  --config FILE     the config (sinks; state_dir); default: embedded defaults\n"
    "  --state-dir DIR   default: the config's state_dir (/var/lib/xdpguard)\n"
    "  --timeout SEC     test: how long to wait for the outcome (1-600)\n"
    "  --json            machine-readable output\n"
    "\n"
    "Secrets (webhook secrets, routing keys, API keys, passwords) never appear\n"
    "in the output; URLs and errors are redacted.\n"
    "\n"
    "Exit status: 0 on success, 1 on an error or a failed test, 2 on bad usage.\n"
    "\n"
    "Examples:\n"
    "  xdpctl alerts status\n"
    "  xdpctl alerts test pagerduty --config /etc/xdpguard/xdpguard.json\n";

struct alerts_opts {
	const char *config;
	const char *state_dir;
	bool json;
	uint64_t timeout_s;
	struct xg_cfg *cfg; /* heap: the alerts section makes it large */
	char dir[XG_CFG_PATH_LEN + 16];
};

static int load(struct alerts_opts *o)
{
	char err[XG_ERR_LEN];

	o->cfg = malloc(sizeof(*o->cfg));
	if (!o->cfg)
		return xg_fail("alerts", "out of memory");
	if (o->config ? xg_cfg_load(o->cfg, o->config, err, sizeof(err))
		      : (xg_cfg_defaults(o->cfg), 0))
		return xg_fail("alerts", "%s", err);
	if (o->state_dir)
		snprintf(o->cfg->state_dir, sizeof(o->cfg->state_dir), "%s", o->state_dir);
	snprintf(o->dir, sizeof(o->dir), "%s/alerts", o->cfg->state_dir);
	return 0;
}

static double num(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_double(v) : 0;
}

static struct json_object *read_status(const struct alerts_opts *o)
{
	char path[sizeof(o->dir) + 32], err[XG_ERR_LEN], *text;
	struct json_object *st;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", o->dir, XG_ALERTER_STATUS_FILE);
	if (access(path, F_OK) || xg_read_file(path, 4 << 20, &text, &len, err, sizeof(err)))
		return NULL;
	st = json_tokener_parse(text);
	free(text);
	return st;
}

/* The queue's own numbers when no controller holds it; -EBUSY when one
 * does (it is running). */
static int queue_stats(const struct alerts_opts *o, struct json_object *status)
{
	char qdir[sizeof(o->dir) + 16], why[256];
	struct json_object *q, *sinks;
	struct xg_alertq_stats s;
	struct xg_alertq *aq;
	size_t i;
	int r;

	snprintf(qdir, sizeof(qdir), "%s/queue", o->dir);
	if (access(qdir, F_OK))
		return -ENOENT;
	r = xg_alertq_open(&aq, qdir, 0, why, sizeof(why));
	if (r)
		return r;
	xg_alertq_stats(aq, &s);
	s.leased = 0; /* nobody holds a lease when nobody runs */
	q = xg_alerter_queue_json(&s);
	json_object_object_add(status, "queue", q);
	if (json_object_object_get_ex(status, "sinks", &sinks))
		for (i = 0; i < json_object_array_length(sinks); i++) {
			struct json_object *e = json_object_array_get_idx(sinks, i);
			const char *name = xg_json_str(e, "name");

			json_object_object_add(e, "depth",
					       json_object_new_int64((int64_t)xg_alertq_sink_depth(
						   aq, name ? name : "")));
		}
	xg_alertq_close(aq);
	return 0;
}

static void when(double t, char *buf, size_t len)
{
	time_t s = (time_t)t;
	struct tm tm;

	if (t <= 0) {
		snprintf(buf, len, "-");
		return;
	}
	gmtime_r(&s, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void print_status(struct json_object *st, bool running)
{
	struct json_object *q = NULL, *sinks = NULL, *orph;
	char a[32], b[32];
	size_t i;

	json_object_object_get_ex(st, "queue", &q);
	if (running) {
		struct timespec ts;
		double age;

		clock_gettime(CLOCK_REALTIME, &ts);
		age = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 - num(st, "updated");
		printf("controller: running (pid %.0f), status %.1f s old\n", num(st, "pid"),
		       age < 0 ? 0 : age);
	} else
		printf("controller: not running; per-sink results are from its last run\n");
	printf("queue: %.0f waiting (%.0f being sent) of %.0f; %.0f queued ever, %.0f "
	       "delivered or refused, %.0f dropped when full, %.0f retries; %.1f KiB on disk\n",
	       num(q, "depth"), num(q, "leased"), num(q, "capacity"), num(q, "pushed"),
	       num(q, "acked"), num(q, "dropped"), num(q, "retried"), num(q, "disk_bytes") / 1024);
	if (q && json_object_object_get_ex(q, "orphaned", &orph) &&
	    json_object_object_length(orph)) {
		json_object_object_foreach (orph, k, v)
			printf("  %d waiting for sink \"%s\", which the config no longer has\n",
			       json_object_get_int(v), k);
	}
	if (!json_object_object_get_ex(st, "sinks", &sinks) || !json_object_array_length(sinks)) {
		printf("no sinks configured (see the \"alerts\" section in config/README.md)\n");
		return;
	}
	printf("\n%-16s %-10s %7s %9s %7s %7s  %-20s  %s\n", "SINK", "TYPE", "WAITING", "DELIVERED",
	       "RETRIES", "REFUSED", "LAST OK", "LAST ERROR");
	for (i = 0; i < json_object_array_length(sinks); i++) {
		struct json_object *e = json_object_array_get_idx(sinks, i);
		const char *err = xg_json_str(e, "last_error");

		when(num(e, "last_ok"), a, sizeof(a));
		when(num(e, "last_error_at"), b, sizeof(b));
		printf("%-16s %-10s %7.0f %9.0f %7.0f %7.0f  %-20s  ", xg_json_str(e, "name"),
		       xg_json_str(e, "type"), num(e, "depth"), num(e, "delivered"),
		       num(e, "retries"), num(e, "dropped"), a);
		if (err)
			printf("%s %s", b, err);
		else
			printf("-");
		if (num(e, "next_retry") > 0)
			printf(" (next retry in %.0f s)",
			       num(e, "next_retry") - (double)time(NULL));
		putchar('\n');
	}
}

static int cmd_status_alerts(struct alerts_opts *o)
{
	struct json_object *st = read_status(o);
	bool running;
	int r;

	if (!st)
		st = json_object_new_object();
	r = queue_stats(o, st);
	running = r == -EBUSY;
	if (r && r != -EBUSY && r != -ENOENT) {
		json_object_put(st);
		return xg_fail("alerts", "cannot open the queue in %s/queue: %s", o->dir,
			       strerror(-r));
	}
	json_object_object_add(st, "running", json_object_new_boolean(running));
	if (o->json)
		xg_json_print(st);
	else
		print_status(st, running);
	json_object_put(st);
	return 0;
}

static int report(const struct alerts_opts *o, const char *id, const char *sink,
		  const char *outcome, const char *error, const char *how)
{
	bool ok = !strcmp(outcome, "delivered");

	if (o->json) {
		struct json_object *r = json_object_new_object();

		json_object_object_add(r, "id", json_object_new_string(id));
		json_object_object_add(r, "sink", json_object_new_string(sink));
		json_object_object_add(r, "outcome", json_object_new_string(outcome));
		json_object_object_add(r, "error", json_object_new_string(error ? error : ""));
		json_object_object_add(r, "path", json_object_new_string(how));
		xg_json_print(r);
		json_object_put(r);
	} else if (ok) {
		printf("test event %s delivered to %s (%s)\n", id, sink, how);
	} else if (!strcmp(outcome, "retry") && strstr(how, "directly")) {
		fprintf(stderr,
			"xdpctl alerts: test event %s to %s failed (%s; nothing is queued): %s\n",
			id, sink, how, error);
	} else if (!strcmp(outcome, "retry")) {
		fprintf(stderr,
			"xdpctl alerts: test event %s to %s failed and will be retried (%s): %s\n",
			id, sink, how, error);
	} else {
		fprintf(stderr, "xdpctl alerts: test event %s to %s: %s (%s): %s\n", id, sink,
			outcome, how, error && *error ? error : "no further detail");
	}
	return ok ? 0 : 1;
}

/* No controller: render and send once, here (and for PagerDuty and
 * OpsGenie the resolve that follows, so no page stays open). */
static int test_direct(struct alerts_opts *o, const char *sink, const char *id)
{
	int idx = xg_alerts_sink_find(&o->cfg->alerts, sink), n, k;
	struct xg_http_result res = {0};
	char host[64] = "xdpguard", *buf[2];
	size_t len[2];

	if (idx < 0)
		return xg_fail("alerts", "no sink named \"%s\" in %s", sink,
			       o->config ? o->config : "the embedded defaults (use --config)");
	if (o->cfg->alerts.node[0])
		snprintf(host, sizeof(host), "%s", o->cfg->alerts.node);
	else
		gethostname(host, sizeof(host) - 1);
	n = xg_alert_render_test(&o->cfg->alerts, idx, host, id, time(NULL), buf, len);
	if (n < 0)
		return xg_fail("alerts", "cannot render the test event: %s", strerror(-n));
	if (xg_send_init()) {
		n = 0;
		res.outcome = XG_SEND_RETRY;
		snprintf(res.error, sizeof(res.error), "cannot initialise libcurl");
	}
	for (k = 0; k < n; k++) {
		if (k == 0 || res.outcome == XG_SEND_DELIVERED)
			xg_alert_deliver(&o->cfg->alerts, idx, buf[k], len[k], time(NULL), &res);
		free(buf[k]);
	}
	xg_send_cleanup();
	return report(o, id, sink, xg_send_outcome_name(res.outcome), res.error,
		      "sent directly: no controller running");
}

/* A controller: hand it the request, wait for the outcome in its status. */
static int test_spool(struct alerts_opts *o, const char *sink, const char *id)
{
	char spool[sizeof(o->dir) + 16], path[sizeof(spool) + 96], err[XG_ERR_LEN];
	struct json_object *req = json_object_new_object(), *st, *tests;
	uint64_t deadline = xg_mono_ns() + o->timeout_s * 1000000000ULL;
	const char *text;
	size_t i;

	snprintf(spool, sizeof(spool), "%s/%s", o->dir, XG_ALERTER_SPOOL_DIR);
	snprintf(path, sizeof(path), "%s/%s.json", spool, id);
	json_object_object_add(req, "id", json_object_new_string(id));
	json_object_object_add(req, "sink", json_object_new_string(sink));
	text = json_object_to_json_string(req);
	if (xg_mkdir_p(spool, err, sizeof(err)) ||
	    xg_write_atomic(path, text, strlen(text), err, sizeof(err))) {
		json_object_put(req);
		return xg_fail("alerts", "%s", err);
	}
	json_object_put(req);
	while (xg_mono_ns() < deadline) {
		usleep(100000);
		st = read_status(o);
		if (!st || !json_object_object_get_ex(st, "tests", &tests)) {
			json_object_put(st);
			continue;
		}
		for (i = 0; i < json_object_array_length(tests); i++) {
			struct json_object *t = json_object_array_get_idx(tests, i);
			const char *out = xg_json_str(t, "outcome");
			int ret;

			if (!xg_json_str(t, "id") || strcmp(xg_json_str(t, "id"), id) || !out ||
			    !strcmp(out, "queued"))
				continue;
			ret = report(o, id, sink, out, xg_json_str(t, "error"),
				     "queued and sent by the running controller");
			json_object_put(st);
			return ret;
		}
		json_object_put(st);
	}
	unlink(path); /* not picked up: do not leave it for a later controller */
	return report(o, id, sink, "timeout", "no outcome yet; see 'xdpctl alerts status'",
		      "queued by the running controller");
}

static int cmd_test_alerts(struct alerts_opts *o, const char *sink)
{
	struct json_object *probe = json_object_new_object();
	char id[64];
	int r;

	snprintf(id, sizeof(id), "%s%lld-%d", XG_ALERTER_TEST_PREFIX, (long long)time(NULL),
		 (int)getpid());
	r = queue_stats(o, probe);
	json_object_put(probe);
	if (r == -EBUSY)
		return test_spool(o, sink, id);
	return test_direct(o, sink, id);
}

/* Options before and after the subcommand: 0 to go on, else the exit code
 * plus one (so a clean --help is 1). */
static int parse_opts(int argc, char **argv, const char *optstring, void *arg)
{
	struct alerts_opts *o = arg;
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},  {"state-dir", required_argument, NULL, 's'},
	    {"timeout", required_argument, NULL, 't'}, {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},	       {0},
	};
	int ch;

	while ((ch = getopt_long(argc, argv, optstring, opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->config = optarg;
			break;
		case 's':
			o->state_dir = optarg;
			break;
		case 't':
			if (xg_parse_uint(optarg, 1, 600, &o->timeout_s))
				return 1 + xg_fail("alerts",
						   "--timeout '%s': must be 1-600 seconds", optarg);
			break;
		case 'j':
			o->json = true;
			break;
		case 'h':
			fputs(alerts_usage, stdout);
			return 1;
		default:
			return 3;
		}
	}
	return 0;
}

int cmd_alerts(int argc, char **argv)
{
	struct alerts_opts o = {.timeout_s = 15};
	const char *sub;
	int ret;

	ret = xg_cli_sub(&argc, &argv, "c:s:t:jh", parse_opts, &o, alerts_usage, &sub);
	if (ret)
		return ret - 1;
	if (strcmp(sub, "status") && strcmp(sub, "test")) {
		fprintf(stderr, "xdpctl alerts: unknown command '%s' (status, test)\n", sub);
		return 2;
	}
	if (!strcmp(sub, "status") ? optind != argc : optind != argc - 1) {
		fprintf(stderr, "xdpctl alerts: %s\n",
			!strcmp(sub, "status") ? "status takes no arguments"
					       : "usage: xdpctl alerts test SINK [options]");
		return 2;
	}
	if (load(&o)) {
		free(o.cfg);
		return 1;
	}
	ret = !strcmp(sub, "status") ? cmd_status_alerts(&o) : cmd_test_alerts(&o, argv[optind]);
	free(o.cfg);
	return ret;
}
