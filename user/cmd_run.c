// SPDX-License-Identifier: GPL-2.0-only
/* xdpctl run: the controller daemon. Foreground, one tick per timer
 * expiry; SIGHUP reloads the config, SIGTERM/SIGINT stop it and leave the
 * program attached (blocks keep expiring on their own). */
#include <errno.h>
#include <getopt.h>
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
#include "capture.h"
#include "cli.h"
#include "clock.h"
#include "config.h"
#include "controller.h"
#include "loader.h"
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
};

/* Events as one log line each: what a NOC engineer reads first. */
static void log_event(void *arg, const char *event, uint64_t ts_ns, struct json_object *o)
{
	struct json_object *v;
	const char *family = "", *service = "", *id = "";
	int conf = 0;
	double pps = 0;

	struct run_ctx *rc = arg;

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

/* One controller tick, then what it means for the alerts. */
static void tick(struct xg_controller *c, struct run_ctx *rc)
{
	char err[XG_ERR_LEN];

	if (xg_controller_tick(c, err, sizeof(err)))
		log_line("error", "%s", err);
	xg_alerter_tick(rc->alerter, xg_clock_now(c->clock));
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

static int serve(struct xg_controller *c, struct run_ctx *rc, const struct run_opts *o, int argc,
		 char **argv)
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
	run_signals(&sigs);
	if (open_alerter(&cfg, &rc, xg_clock_now(&clock)) || open_capture(&cfg, &maps, &rc))
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
	ret = serve(c, &rc, &o, argc - optind, argv + optind);
	xg_controller_close_open(c, "shutdown");
	xg_capture_close(rc.capture);
	rc.capture = NULL;
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
	free(c);
	xg_capture_close(rc.capture);
	xg_alerter_close(rc.alerter, xg_clock_now(&clock));
	xg_send_cleanup();
	xg_maps_close(&maps);
	return ret;
}
