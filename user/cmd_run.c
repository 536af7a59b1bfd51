// SPDX-License-Identifier: GPL-2.0-only
/* xdpctl run: the controller daemon. Foreground, one tick per timer
 * expiry; SIGHUP reloads the config, SIGTERM/SIGINT stop it and leave the
 * program attached (blocks keep expiring on their own). */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "alert_send.h"
#include "alerter.h"
#include "bgp.h"
#include "capture.h"
#include "cli.h"
#include "clock.h"
#include "config.h"
#include "controller.h"
#include "escalate.h"
#include "history.h"
#include "httpd.h"
#include "journal.h"
#include "lists.h"
#include "loader.h"
#include "obs.h"
#include "preflight.h"

static const char run_usage[] =
    "usage: xdpctl run [--config FILE] [--state-dir DIR] [--detach-on-exit] [IFACE...]\n"
    "\n"
    "Runs the controller in the foreground: every tick (1 s by default, down to\n"
    "100 ms) it reads the counters, learns baselines, detects and classifies\n"
    "attacks, records incidents in STATE_DIR/incidents.jsonl, mitigates them in\n"
    "XDP, and alerts the config's sinks (webhook, PagerDuty, Slack, Discord,\n"
    "OpsGenie, email, syslog) through a queue in STATE_DIR/alerts that survives\n"
    "restarts ('xdpctl alerts status').\n"
    "\n"
    "  --config FILE      JSON config (see config/README.md); without it, the\n"
    "                     embedded defaults. 'xdpctl config check FILE' validates.\n"
    "  --state-dir DIR    baselines, peers and the incident journal (default from\n"
    "                     the config: /var/lib/xdpguard)\n"
    "  --detach-on-exit   detach the interfaces when stopping (default: stay\n"
    "                     attached; blocks keep expiring on their own)\n"
    "  IFACE...           interfaces to attach, added to the config's list\n"
    "\n"
    "HTTP (config 'http', on by default on 127.0.0.1:9477): /metrics for\n"
    "Prometheus, /status (the status page), /api/v1/... (status, incidents,\n"
    "blocks, allow, peers, baselines). A port already in use stops the start.\n"
    "\n"
    "Signals: SIGHUP reloads the config (an invalid file is logged and the old\n"
    "config stays); SIGTERM or SIGINT saves the state and stops.\n";

struct run_opts {
	const char *config;
	const char *state_dir;
	bool detach;
};

static void log_line(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void log_line(const char *level, const char *fmt, ...)
{
	struct timespec ts;
	struct tm tm;
	char when[32];
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* the alert workers log too: one line at a time */
	flockfile(stdout);
	printf("%s %-5s ", when, level);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	funlockfile(stdout);
}

static void log_msg(void *arg, const char *level, const char *msg)
{
	(void)arg;
	log_line(level, "%s", msg);
}

/* What the event sink needs: the alerter, and the interfaces an incident
 * is on (all of the daemon's) for maintenance windows. */
struct run_ctx {
	struct xg_alerter *alerter;
	struct xg_capture *capture;
	const struct xg_cfg *cfg;
	uint32_t queue_capacity; /* the queue's, fixed while it is open */
	struct xg_bgp *bgp;	 /* NULL: no BGP escalation */
	struct xg_esc_state esc; /* of the incident named esc_owner */
	char esc_owner[40];
	struct xg_plan *blocks; /* scratch: the incident's blocks in force */

	/* what the HTTP server shows: published once per tick */
	struct xg_obs_board board;
	struct xg_obs *obs; /* the tick's scratch copy (it holds the port counters) */
	struct xg_obs_tick_hist tick_hist;
	struct xg_history *history;
	struct xg_httpd *httpd;
	uint64_t start_ns;
	uint64_t incidents_total;
	uint64_t last_history_save_ns;
	uint64_t last_allow_count_ns, last_alert_depth_ns, last_baseline_ns;
	size_t allow_entries, alert_depth;
	double baseline[XG_M_MAX]; /* the window's p99 per metric, as last computed */
};

/* Events as one log line each: what a NOC engineer reads first. */
static void log_event(void *arg, const char *event, uint64_t ts_ns, struct json_object *o)
{
	struct json_object *v;
	const char *family = "", *service = "", *id = "";
	int conf = 0;
	double pps = 0;

	struct run_ctx *rc = arg;

	if (rc && !strcmp(event, "incident_open"))
		rc->incidents_total++;
	/* the capture first: it names its file in the incident for the alerts */
	if (rc)
		xg_capture_on_event(rc->capture, event, o);
	if (rc && rc->alerter) {
		const char *ifs[XG_CFG_MAX_IFACES];
		int i;

		for (i = 0; i < rc->cfg->n_interfaces; i++)
			ifs[i] = rc->cfg->interfaces[i];
		xg_alerter_on_event(rc->alerter, event, ts_ns, o, ifs, rc->cfg->n_interfaces);
	}
	if (json_object_object_get_ex(o, "id", &v))
		id = json_object_get_string(v);
	if (json_object_object_get_ex(o, "family", &v))
		family = json_object_get_string(v);
	if (json_object_object_get_ex(o, "service", &v))
		service = json_object_get_string(v);
	if (json_object_object_get_ex(o, "confidence", &v))
		conf = json_object_get_int(v);
	if (json_object_object_get_ex(o, "peak_pps", &v))
		pps = json_object_get_double(v);
	if (!strcmp(event, "error")) {
		json_object_object_get_ex(o, "error", &v);
		log_line("error", "%s", json_object_get_string(v));
		return;
	}
	if (strncmp(event, "incident_", 9) && strcmp(event, "surge")) {
		/* mitigation decisions and notices: their own fields */
		log_line("info", "%s %s", event,
			 json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
		return;
	}
	log_line(strcmp(event, "surge") ? "warn" : "info",
		 "%s id=%s family=%s service=%s confidence=%d peak_pps=%.0f  %s", event, id, family,
		 service, conf, pps,
		 json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* Alerts live in STATE_DIR/alerts; the queue there is this daemon's alone. */
#define QUEUE_WAIT_TRIES 100 /* of 100 ms */

static int open_alerter(const struct xg_cfg *cfg, struct run_ctx *rc, uint64_t now)
{
	struct xg_alerter_opts ao = {.log = log_msg};
	char dir[XG_CFG_PATH_LEN + 16], err[XG_ERR_LEN];
	int r, tries;

	snprintf(dir, sizeof(dir), "%s/alerts", cfg->state_dir);
	ao.dir = dir;
	rc->cfg = cfg;
	if (xg_send_init())
		return xg_fail("run", "cannot initialise libcurl");
	for (tries = 0;; tries++) {
		r = xg_alerter_open(&rc->alerter, &cfg->alerts, &ao, now, err, sizeof(err));
		/* A predecessor killed a moment ago (systemd's restart) may not
		 * have let go of the queue yet: wait for it, a little. */
		if (r != -EBUSY || tries == QUEUE_WAIT_TRIES)
			break;
		if (!tries)
			log_line("warn",
				 "alerts: the queue is held by another process; waiting up "
				 "to %d s",
				 QUEUE_WAIT_TRIES / 10);
		usleep(100000);
	}
	if (r)
		return xg_fail("run", "%s", err);
	rc->queue_capacity = cfg->alerts.queue_capacity;
	log_line("info", "alerts: %d sink(s), queue in %s/queue", cfg->alerts.route.n_sinks, dir);
	return 0;
}

static uint64_t realtime_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* BGP escalation: the rule table (reloaded, reconciled) and the speaker
 * workers. Opened when escalation is enabled or speakers are configured
 * (rules of an earlier run still need their withdrawal). */
static int open_bgp(const struct xg_cfg *cfg, struct run_ctx *rc)
{
	struct xg_bgp_opts bo = {.state_dir = cfg->state_dir, .log = log_msg};
	char err[XG_ERR_LEN];
	int r, tries;

	if (!cfg->bgp.enabled && !cfg->bgp.n_speakers)
		return 0;
	rc->blocks = malloc(sizeof(*rc->blocks));
	if (!rc->blocks)
		return xg_fail("run", "out of memory");
	for (tries = 0;; tries++) {
		r = xg_bgp_open(&rc->bgp, &cfg->bgp, &bo, realtime_now(), err, sizeof(err));
		if (r != -EBUSY || tries == QUEUE_WAIT_TRIES)
			break;
		usleep(100000);
	}
	if (r)
		return xg_fail("run", "bgp: %s", err);
	if (xg_bgp_start(rc->bgp, err, sizeof(err)))
		return xg_fail("run", "%s", err);
	log_line("info", "bgp: escalation %s%s, %d speaker(s), %zu rule(s) in force",
		 cfg->bgp.enabled ? "enabled" : "disabled", cfg->bgp.dry_run ? " (dry-run)" : "",
		 cfg->bgp.n_speakers, xg_bgp_active(rc->bgp));
	return 0;
}

/* Incident captures from the XDP program's samples, on a thread of their
 * own. Turned off in the config: no reader, and the program samples
 * nothing (the controller sets its rate to off). */
static int open_capture(const struct xg_cfg *cfg, const struct xg_maps *maps, struct run_ctx *rc)
{
	struct xg_capture_opts co = {.state_dir = cfg->state_dir,
				     .cfg = &cfg->pcap,
				     .samples_fd = maps->samples,
				     .threaded = true,
				     .log = log_msg};
	char err[XG_ERR_LEN];

	if (!cfg->pcap.enabled)
		return 0;
	if (xg_capture_open(&rc->capture, &co, err, sizeof(err)))
		return xg_fail("run", "pcap: %s", err);
	return 0;
}

static int arm_timer(int tfd, uint32_t tick_ms)
{
	struct itimerspec its = {
	    .it_interval = {tick_ms / 1000, (long)(tick_ms % 1000) * 1000000L},
	    .it_value = {tick_ms / 1000, (long)(tick_ms % 1000) * 1000000L},
	};

	return timerfd_settime(tfd, 0, &its, NULL);
}

static int load_cfg(const struct run_opts *o, struct xg_cfg *cfg, char *err, size_t errlen)
{
	if (o->config) {
		if (xg_cfg_load(cfg, o->config, err, errlen))
			return -1;
	} else {
		xg_cfg_defaults(cfg);
	}
	if (o->state_dir)
		snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", o->state_dir);
	return 0;
}

static enum xg_mode mode_of(const char *s)
{
	if (!strcmp(s, "native"))
		return XG_MODE_NATIVE;
	if (!strcmp(s, "generic"))
		return XG_MODE_GENERIC;
	return XG_MODE_AUTO;
}

static int attach_all(const struct xg_cfg *cfg)
{
	char err[XG_ERR_LEN];
	int i;

	for (i = 0; i < cfg->n_interfaces; i++) {
		struct xg_attach_result res;

		if (xg_attach(cfg->interfaces[i], mode_of(cfg->attach_mode), xg_pin_dir(), &res,
			      err, sizeof(err)))
			return xg_fail("run", "%s", err);
		log_line("info", "%s %s (%s mode, prog id %u)",
			 res.already ? "already attached to" : "attached to", cfg->interfaces[i],
			 res.mode, res.prog_id);
		if (res.fell_back)
			log_line("warn", "%s: no native XDP, using generic mode",
				 cfg->interfaces[i]);
	}
	return 0;
}

/* Adds the interfaces named on the command line to the config's list. */
static int add_ifaces(struct xg_cfg *cfg, int argc, char **argv)
{
	int i, j;

	for (i = 0; i < argc; i++) {
		bool dup = false;

		if (strlen(argv[i]) >= sizeof(cfg->interfaces[0]))
			return xg_fail("run", "interface name '%s' is too long", argv[i]);
		for (j = 0; j < cfg->n_interfaces; j++)
			dup |= !strcmp(cfg->interfaces[j], argv[i]);
		if (dup)
			continue;
		if (cfg->n_interfaces == XG_CFG_MAX_IFACES)
			return xg_fail("run", "more than %d interfaces", XG_CFG_MAX_IFACES);
		snprintf(cfg->interfaces[cfg->n_interfaces++], sizeof(cfg->interfaces[0]), "%s",
			 argv[i]);
	}
	return 0;
}

/* The escalation level changed: a journal line and a log line. */
static void escalation_event(const struct xg_controller *c, const char *id, int from, int to,
			     double pps, double bps, uint64_t now)
{
	struct json_object *o = json_object_new_object();
	char err[XG_ERR_LEN];

	json_object_object_add(o, "event", json_object_new_string("escalation"));
	json_object_object_add(o, "ts", json_object_new_double((double)now / 1e9));
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "from",
			       json_object_new_string(xg_bgp_level_name(from) ?: "none"));
	json_object_object_add(o, "to", json_object_new_string(xg_bgp_level_name(to) ?: "none"));
	json_object_object_add(o, "pps", json_object_new_double(pps));
	json_object_object_add(o, "bps", json_object_new_double(bps));
	if (xg_journal_append_json(c->cfg.state_dir, o, true, err, sizeof(err)))
		log_line("error", "%s", err);
	json_object_put(o);
	log_line(to > from ? "warn" : "info",
		 "incident %s: escalation %s -> %s at %.0f pps, %.0f bps", id,
		 xg_bgp_level_name(from) ?: "none", xg_bgp_level_name(to) ?: "none", pps, bps);
}

/* Past the node's own drop: the level the attack's size calls for, and the
 * BGP rules of that level for the incident (escalate.c decides, bgp.c
 * queues). When the incident ends its rules are released. */
static void escalate_tick(struct xg_controller *c, struct run_ctx *rc)
{
	const struct xg_bgp_cfg *bc = &c->cfg.bgp;
	const struct xg_incident *inc = c->det.open ? &c->det.cur : NULL;
	struct xg_bgp_sync_result res;
	uint64_t now = realtime_now();
	bool act;

	if (!rc->bgp)
		return;
	act = inc && bc->enabled && !inc->learning && inc->cls.attack && !c->cfg.monitor_only;
	if (rc->esc_owner[0] && (!act || strcmp(inc->id, rc->esc_owner))) {
		if (rc->esc.level > XG_LVL_LOCAL)
			escalation_event(c, rc->esc_owner, rc->esc.level, XG_LVL_NONE, 0, 0, now);
		xg_bgp_sync(rc->bgp, rc->esc_owner, NULL, NULL, 0, 0, now, &res);
		rc->esc_owner[0] = '\0';
	}
	if (act) {
		struct xg_esc_rules *rules = malloc(sizeof(*rules));
		struct xg_esc_match m;
		double pps, bps;
		int prev, lvl;

		if (!rc->esc_owner[0]) {
			snprintf(rc->esc_owner, sizeof(rc->esc_owner), "%s", inc->id);
			memset(&rc->esc, 0, sizeof(rc->esc));
		}
		prev = rc->esc.level;
		xg_esc_attack_rate(&c->snap, inc, &pps, &bps);
		lvl = xg_esc_step(bc, &rc->esc, pps, bps, now);
		if (lvl != prev && (lvl > XG_LVL_LOCAL || prev > XG_LVL_LOCAL))
			escalation_event(c, inc->id, prev, lvl, pps, bps, now);
		if (rules && rc->blocks && (lvl > XG_LVL_LOCAL || prev > XG_LVL_LOCAL)) {
			xg_esc_match_for(&c->cfg, &inc->cls, &m);
			xg_apply_blocks(&c->apply, inc->id, rc->blocks);
			xg_esc_rules(bc, lvl, inc, rc->blocks, &m, rules);
			if (lvl != prev)
				for (int i = 0; i < rules->n_notes; i++)
					log_line("warn", "incident %s: bgp: %s", inc->id,
						 rules->notes[i]);
			xg_bgp_sync(rc->bgp, inc->id, rules->rule, rules->level, rules->n, 0, now,
				    &res);
			if (res.refused && lvl != prev)
				log_line("warn", "incident %s: bgp: %d rule(s) refused: %s",
					 inc->id, res.refused, res.first_refusal);
		}
		free(rules);
		if (lvl >= XG_LVL_SCRUB && !rc->esc.scrub_fired) {
			struct json_object *ctx = xg_incident_to_json(inc, "escalation");

			xg_bgp_scrub(rc->bgp, inc->id, ctx, now);
			json_object_put(ctx);
			rc->esc.scrub_fired = true;
		}
	}
	xg_bgp_tick(rc->bgp, now);
}

static uint64_t mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

#define NS_PER_S	   1000000000ULL
#define HISTORY_SAVE_NS	   (60 * NS_PER_S)
#define ALLOW_COUNT_NS	   (10 * NS_PER_S) /* a walk of up to max_peers entries */
#define BASELINE_NS	   (10 * NS_PER_S)
#define ALERT_DEPTH_NS	   NS_PER_S
#define OBS_WATCHED_PER_L4 32

/* The configured watched ports, one by one, up to what obs holds. */
static int watched_list(const struct xg_cfg_ports *p, uint16_t *out)
{
	int i, port, n = 0;

	for (i = 0; i < p->n; i++)
		for (port = p->r[i].lo; port <= p->r[i].hi && n < OBS_WATCHED_PER_L4; port++)
			out[n++] = (uint16_t)port;
	return n;
}

static size_t alert_depth(struct xg_alerter *a, uint64_t now)
{
	struct json_object *st, *q, *d;
	size_t n = 0;

	if (!a)
		return 0;
	st = xg_alerter_status(a, now);
	if (json_object_object_get_ex(st, "queue", &q) && json_object_object_get_ex(q, "depth", &d))
		n = (size_t)json_object_get_int64(d);
	json_object_put(st);
	return n;
}

/* The tick's state for the HTTP thread: filled in rc->obs, then copied to
 * the board. The cheap parts every tick; the allowlist count (a map walk)
 * and the alert queue depth less often. */
static void publish(struct xg_controller *c, struct run_ctx *rc, uint64_t now)
{
	struct xg_obs *o = rc->obs;
	uint64_t mono = mono_now();
	int i;

	if (!o)
		return;
	o->ts_ns = now;
	o->start_ns = rc->start_ns;
	o->seq++;
	if (c->cfg.alerts.node[0])
		snprintf(o->node, sizeof(o->node), "%s", c->cfg.alerts.node);
	else if (gethostname(o->node, sizeof(o->node) - 1))
		snprintf(o->node, sizeof(o->node), "localhost");
	o->n_ifaces = c->cfg.n_interfaces;
	for (i = 0; i < c->cfg.n_interfaces; i++)
		snprintf(o->ifaces[i], sizeof(o->ifaces[i]), "%s", c->cfg.interfaces[i]);
	o->tick_ms = c->cfg.tick_ms;
	o->learning = c->was_learning;
	o->monitor_only = c->cfg.monitor_only;
	o->have_snap = c->have_snap;
	o->snap = c->snap;
	memcpy(o->thr, c->thr, sizeof(o->thr));
	/* a percentile per metric sorts its window: baselines move slowly, so
	 * every 10 s is fresh enough */
	if (!rc->last_baseline_ns || mono - rc->last_baseline_ns >= BASELINE_NS) {
		for (i = 0; i < XG_M_MAX; i++)
			rc->baseline[i] = xg_baseline_percentile(c->base, &c->cfg.baseline, i);
		rc->last_baseline_ns = mono;
	}
	memcpy(o->baseline, rc->baseline, sizeof(o->baseline));
	o->n_watched_udp = watched_list(&c->cfg.watched_udp, o->watched_udp);
	o->n_watched_tcp = watched_list(&c->cfg.watched_tcp, o->watched_tcp);
	/* the counters, and of the 128k port counters only those a scrape
	 * shows: the watched ports and the tick's busiest */
	o->totals.n_ports = 0;
	if (c->col.cur) {
		const uint64_t *pc = c->col.cur->port;

		o->totals.st = c->col.cur->st;
		for (i = 0; i < o->n_watched_udp; i++)
			xg_obs_port_set(o, XG_PORT_L4_UDP, o->watched_udp[i],
					pc[XG_PORT_KEY(XG_PORT_L4_UDP, o->watched_udp[i])]);
		for (i = 0; i < o->n_watched_tcp; i++)
			xg_obs_port_set(o, XG_PORT_L4_TCP, o->watched_tcp[i],
					pc[XG_PORT_KEY(XG_PORT_L4_TCP, o->watched_tcp[i])]);
		for (i = 0; i < c->snap.n_top_ports; i++)
			xg_obs_port_set(o, c->snap.top_ports[i].l4, c->snap.top_ports[i].port,
					pc[XG_PORT_KEY(c->snap.top_ports[i].l4 & 1,
						       c->snap.top_ports[i].port)]);
	}
	o->incident_open = c->det.open;
	if (c->det.open)
		o->inc = c->det.cur;
	o->incidents_total = rc->incidents_total;
	/* An attack is at least the node's own drop, escalation on or off. */
	o->esc_level = rc->esc_owner[0]			      ? rc->esc.level
		       : c->det.open && c->det.cur.cls.attack ? XG_LVL_LOCAL
							      : XG_LVL_NONE;
	o->blocks_active = c->apply.n_active;
	if (!rc->last_allow_count_ns || mono - rc->last_allow_count_ns >= ALLOW_COUNT_NS) {
		long n = xg_list_count(c->maps, XG_LIST_ALLOW);

		rc->allow_entries = n > 0 ? (size_t)n : 0;
		rc->last_allow_count_ns = mono;
	}
	o->allow_entries = rc->allow_entries;
	o->peers_learned = c->peers.known;
	o->bgp_rules = rc->bgp ? xg_bgp_active(rc->bgp) : 0;
	if (!rc->last_alert_depth_ns || mono - rc->last_alert_depth_ns >= ALERT_DEPTH_NS) {
		rc->alert_depth = alert_depth(rc->alerter, now);
		rc->last_alert_depth_ns = mono;
	}
	o->alert_queue_depth = rc->alert_depth;
	o->tick = rc->tick_hist;
	xg_obs_publish(&rc->board, o);
}

static void save_history(struct run_ctx *rc)
{
	char err[XG_ERR_LEN];

	if (rc->history && xg_history_save(rc->history, err, sizeof(err)))
		log_line("error", "history: %s", err);
}

/* One controller tick, then what it means for BGP and the alerts, then
 * the state for the HTTP server and the history. Its duration (all of
 * it, the publishing included) goes into the histogram the next publish
 * carries. */
static void tick(struct xg_controller *c, struct run_ctx *rc)
{
	uint64_t t0 = mono_now(), now;
	char err[XG_ERR_LEN];

	if (xg_controller_tick(c, err, sizeof(err)))
		log_line("error", "%s", err);
	escalate_tick(c, rc);
	xg_alerter_tick(rc->alerter, xg_clock_now(c->clock));
	now = realtime_now();
	publish(c, rc, now);
	if (rc->history && rc->obs && c->have_snap) {
		xg_history_add(rc->history, rc->obs, c->snap.interval_s, now);
		if (now - rc->last_history_save_ns >= HISTORY_SAVE_NS) {
			save_history(rc);
			rc->last_history_save_ns = now;
		}
	}
	xg_obs_tick_add(&rc->tick_hist, (double)(mono_now() - t0) / 1e9);
}

static int start_httpd(struct xg_controller *c, struct run_ctx *rc, const struct xg_maps *maps,
		       const struct xg_http_cfg *hc)
{
	struct xg_httpd_opts ho = {
	    .cfg = hc,
	    .state_dir = c->cfg.state_dir,
	    .board = &rc->board,
	    .history = rc->history,
	    .maps = maps,
	    .log = log_msg,
	};
	char err[XG_ERR_LEN];
	int ret = xg_httpd_start(&rc->httpd, &ho, err, sizeof(err));

	if (ret)
		return xg_fail("run", "%s", err);
	if (rc->httpd)
		log_line("info", "http: serving /metrics, /status and /api/v1 on %s%s%s:%u%s",
			 strchr(hc->bind, ':') ? "[" : "", hc->bind,
			 strchr(hc->bind, ':') ? "]" : "", hc->port,
			 hc->token[0] ? "" : " (read-only: no http.token)");
	else
		log_line("info", "http: off (http.enabled is false)");
	return 0;
}

/* A reload with other http settings: the server starts again with them.
 * When the new ones fail (a port in use), the old ones come back. */
static void reload_httpd(struct xg_controller *c, struct run_ctx *rc, const struct xg_maps *maps,
			 const struct xg_http_cfg *old)
{
	if (!xg_httpd_cfg_changed(old, &c->cfg.http))
		return;
	xg_httpd_stop(rc->httpd);
	rc->httpd = NULL;
	if (!start_httpd(c, rc, maps, &c->cfg.http))
		return;
	log_line("error", "http: keeping the previous settings");
	c->cfg.http = *old;
	if (start_httpd(c, rc, maps, old))
		log_line("error", "http: the server is off until the next reload");
}

/* The signals serve() reads from a signalfd. Blocked before any thread
 * starts (alert workers, the capture reader), so they inherit the mask and
 * a SIGHUP is never delivered to one of them, whose default is to die. */
static void run_signals(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGHUP);
	sigprocmask(SIG_BLOCK, mask, NULL);
}

static int serve(struct xg_controller *c, struct run_ctx *rc, const struct run_opts *o,
		 const struct xg_maps *maps, int argc, char **argv)
{
	struct pollfd fds[2];
	char err[XG_ERR_LEN];
	sigset_t mask;
	int sfd, tfd, ret = 0;
	bool stop = false;

	run_signals(&mask);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (sfd < 0 || tfd < 0 || arm_timer(tfd, c->cfg.tick_ms))
		return xg_fail("run", "cannot set up the timer and signals: %s", strerror(errno));
	fds[0] = (struct pollfd){.fd = tfd, .events = POLLIN};
	fds[1] = (struct pollfd){.fd = sfd, .events = POLLIN};
	/* The first tick primes the counters; detection starts one tick later. */
	tick(c, rc);

	while (!stop) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = xg_fail("run", "poll: %s", strerror(errno));
			break;
		}
		if (fds[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) != sizeof(si))
				continue;
			if (si.ssi_signo == SIGHUP) {
				struct xg_http_cfg old_http = c->cfg.http;
				struct xg_cfg fresh;

				if (load_cfg(o, &fresh, err, sizeof(err)) ||
				    add_ifaces(&fresh, argc, argv)) {
					log_line("error",
						 "config reload failed, keeping the old config: %s",
						 err);
					continue;
				}
				if (attach_all(&fresh) ||
				    xg_controller_apply(c, &fresh, err, sizeof(err))) {
					log_line("error", "config reload failed: %s", err);
					continue;
				}
				arm_timer(tfd, c->cfg.tick_ms);
				xg_alerter_reload(rc->alerter, &c->cfg.alerts);
				if (rc->capture)
					xg_capture_reload(rc->capture, &c->cfg.pcap);
				if (rc->bgp &&
				    xg_bgp_reload(rc->bgp, &c->cfg.bgp, err, sizeof(err)))
					log_line("error", "bgp: %s", err);
				reload_httpd(c, rc, maps, &old_http);
				if (fresh.alerts.queue_capacity != rc->queue_capacity)
					log_line("warn",
						 "alerts.queue_capacity changes at the next "
						 "start (the queue is open)");
				log_line("info", "config reloaded (tick %u ms, %d alert sink(s))",
					 c->cfg.tick_ms, c->cfg.alerts.route.n_sinks);
			} else {
				log_line("info", "stopping (%s)", strsignal((int)si.ssi_signo));
				stop = true;
			}
		}
		if (fds[0].revents & POLLIN) {
			uint64_t expirations;

			if (read(tfd, &expirations, sizeof(expirations)) != sizeof(expirations))
				continue;
			tick(c, rc);
		}
	}
	close(sfd);
	close(tfd);
	return ret;
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"state-dir", required_argument, NULL, 's'},
	    {"detach-on-exit", no_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct run_opts o = {0};
	struct run_ctx rc = {0};
	sigset_t sigs;
	struct xg_controller *c = NULL;
	struct xg_clock clock;
	struct xg_maps maps;
	struct xg_cfg cfg;
	char err[XG_ERR_LEN];
	bool removed;
	int ch, ret = 1, i;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:s:dh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o.config = optarg;
			break;
		case 's':
			o.state_dir = optarg;
			break;
		case 'd':
			o.detach = true;
			break;
		case 'h':
			fputs(run_usage, stdout);
			return 0;
		default:
			return 2;
		}
	}
	if (load_cfg(&o, &cfg, err, sizeof(err)))
		return xg_fail("run", "%s", err);
	if (add_ifaces(&cfg, argc - optind, argv + optind))
		return 1;
	if (xg_check_privileges(err, sizeof(err)) || xg_check_kernel(err, sizeof(err)) ||
	    xg_check_bpffs(xg_pin_dir(), err, sizeof(err)))
		return xg_fail("run", "%s", err);
	if (attach_all(&cfg))
		return 1;
	if (xg_maps_open_pinned(xg_pin_dir(), &maps, err, sizeof(err)))
		return xg_fail("run", "%s (give an interface: xdpctl run IFACE)", err);

	xg_clock_real(&clock);
	xg_obs_board_init(&rc.board);
	run_signals(&sigs);
	/* a child that exits before reading its input must not kill us */
	signal(SIGPIPE, SIG_IGN);
	if (open_alerter(&cfg, &rc, xg_clock_now(&clock)) || open_capture(&cfg, &maps, &rc) ||
	    open_bgp(&cfg, &rc))
		goto out;
	c = calloc(1, sizeof(*c));
	if (!c || xg_controller_init(c, &cfg, &maps, &clock,
				     (struct xg_event_sink){.emit = log_event, .arg = &rc}, true,
				     err, sizeof(err))) {
		xg_fail("run", "%s", c ? err : "out of memory");
		goto out;
	}
	rc.cfg = &c->cfg;
	c->lock_config = true;
	xg_apply_own_addresses(&c->apply);
	if (xg_controller_apply(c, &cfg, err, sizeof(err))) {
		xg_fail("run", "%s", err);
		goto out_ctl;
	}
	log_line("info", "xdpguard controller running: tick %u ms, state in %s%s", cfg.tick_ms,
		 cfg.state_dir, cfg.monitor_only ? ", monitor-only" : "");
	{
		char path[XG_CFG_PATH_LEN + 16];

		snprintf(path, sizeof(path), "%s/history.json", cfg.state_dir);
		rc.obs = calloc(1, sizeof(*rc.obs));
		if (!rc.obs || xg_history_open(&rc.history, path, err, sizeof(err))) {
			xg_fail("run", "out of memory");
			goto out_stop;
		}
		if (err[0])
			log_line("warn", "history: %s", err);
		rc.start_ns = realtime_now();
		rc.last_history_save_ns = rc.start_ns;
		if (start_httpd(c, &rc, &maps, &c->cfg.http))
			goto out_stop;
	}
	{
		struct xg_clock real;
		uint64_t now;

		xg_clock_real(&real);
		now = xg_clock_now(&real);
		log_line("info", "baselines: %llu samples restored, %s; %zu known peers",
			 (unsigned long long)c->base->samples,
			 xg_baseline_learning(c->base, &cfg.baseline, now)
			     ? "learning (monitor-only)"
			     : "learning done",
			 c->peers.known);
	}
	/* Loading the program (the kernel's BTF), the state files and the
	 * lists freed several MB that the heap would otherwise keep for the
	 * daemon's whole life. */
	malloc_trim(0);
	ret = serve(c, &rc, &o, &maps, argc - optind, argv + optind);
out_stop:
	/* the server first: nothing it reads goes away under it */
	xg_httpd_stop(rc.httpd);
	rc.httpd = NULL;
	save_history(&rc);
	xg_controller_close_open(c, "shutdown");
	xg_capture_close(rc.capture);
	rc.capture = NULL;
	xg_bgp_close(rc.bgp);
	rc.bgp = NULL;
	/* the close just emitted gets its chance to go out */
	xg_alerter_close(rc.alerter, xg_clock_now(c->clock));
	rc.alerter = NULL;
	if (xg_controller_save(c, err, sizeof(err)))
		log_line("error", "%s", err);
	if (o.detach) {
		for (i = 0; i < c->cfg.n_interfaces; i++) {
			if (xg_detach(c->cfg.interfaces[i], xg_pin_dir(), &removed, err,
				      sizeof(err)))
				log_line("error", "%s", err);
			else
				log_line("info", "detached from %s", c->cfg.interfaces[i]);
		}
	}
out_ctl:
	xg_controller_free(c);
out:
	xg_history_close(rc.history);
	free(rc.obs);
	xg_obs_board_destroy(&rc.board);
	free(c);
	xg_bgp_close(rc.bgp);
	free(rc.blocks);
	xg_capture_close(rc.capture);
	xg_alerter_close(rc.alerter, xg_clock_now(&clock));
	xg_send_cleanup();
	xg_maps_close(&maps);
	return ret;
}
