// SPDX-License-Identifier: GPL-2.0-only
/* xdpctl bgp status|list|announce|withdraw|flush|exabgp-api: the BGP rules
 * the controller escalated to (FlowSpec, RTBH), by hand. The running
 * controller owns the rule table (its queue is locked), so these read the
 * status file it writes and hand it requests through its spool directory;
 * with no controller running they open the table themselves, deliver to the
 * speakers and wait until every speaker confirmed. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "bgp.h"
#include "cli.h"
#include "config.h"
#include "fsutil.h"

static const char bgp_usage[] =
    "usage: xdpctl bgp status [--json]\n"
    "       xdpctl bgp list [--json]\n"
    "       xdpctl bgp announce RULE... [--ttl DURATION] [--owner NAME]\n"
    "       xdpctl bgp withdraw RULE...\n"
    "       xdpctl bgp flush\n"
    "       xdpctl bgp exabgp-api [--socket PATH]\n"
    "   (every command also takes --config FILE, --state-dir DIR, --wait SEC)\n"
    "\n"
    "When an attack is bigger than the node's link, the controller ('xdpctl run')\n"
    "escalates to the routers upstream through the speakers of the config's \"bgp\"\n"
    "section: FlowSpec rate-limit, FlowSpec discard, then RTBH of the victim, then\n"
    "the scrubbing trigger, each level at its own pps/bps threshold, stepping\n"
    "back down as the attack subsides. Every rule names the attack's source\n"
    "prefixes, so no FlowSpec rule ever matches a preserved peer.\n"
    "\n"
    "Commands:\n"
    "  status      Speakers (session state, sent, failed, last error), limits\n"
    "              (active rules of max_rules, announcements in the last minute)\n"
    "              and the queue.\n"
    "  list        The rules in force: text, level, owners, time left.\n"
    "  announce RULE...\n"
    "              Puts a rule in force by hand (owner \"manual\", or --owner)\n"
    "              for --ttl (default the config's rule_ttl_s). The same safety\n"
    "              checks as the controller's own rules apply.\n"
    "  withdraw RULE...\n"
    "              Withdraws the rule whoever wants it.\n"
    "  flush       Withdraws every rule from every speaker.\n"
    "  exabgp-api  The relay ExaBGP runs as its API process (see README):\n"
    "              commands from the controller to ExaBGP, acks back.\n"
    "\n"
    "RULE is the rule's text, as `list` prints it:\n"
    "  flowspec [src CIDR] [dst CIDR] [proto udp|tcp|icmp|N] [dport P,...]\n"
    "           [sport P,...] [length L-H] [tcp-flags syn|...] [fragment F|...]\n"
    "           then discard | then rate-limit BYTES_PER_S | then redirect ASN:NN\n"
    "  rtbh CIDR [community A:B,...] [large-community G:L1:L2,...]\n"
    "\n"
    "Options:\n"
    "  --config FILE     the config (speakers, limits); default: embedded defaults\n"
    "  --state-dir DIR   default: the config's state_dir (/var/lib/xdpguard)\n"
    "  --ttl DURATION    announce: 300, 90s, 10m, 2h (at most 7d)\n"
    "  --owner NAME      announce: who wants it (another node's name, a ticket)\n"
    "  --wait SEC        how long to wait for the controller or the speakers\n"
    "                    (default 30)\n"
    "  --socket PATH     exabgp-api: the controller's relay socket\n"
    "                    (default STATE_DIR/bgp/exabgp.sock)\n"
    "  --json            machine-readable output\n"
    "\n"
    "Exit status: 0 on success, 1 on an error or a refused rule, 2 on bad usage.\n"
    "\n"
    "Examples:\n"
    "  xdpctl bgp announce rtbh 198.51.100.7/32 --ttl 10m\n"
    "  xdpctl bgp announce flowspec src 203.0.113.0/24 dst 198.51.100.7/32 \\\n"
    "      proto udp dport 5060 then discard\n"
    "  xdpctl bgp list --json\n";

struct bgp_opts {
	const char *config;
	const char *state_dir;
	const char *owner;
	const char *socket;
	bool json;
	uint64_t ttl_s;
	uint64_t wait_s;
	struct xg_cfg *cfg;
};

static uint64_t now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void log_stderr(void *arg, const char *level, const char *msg)
{
	(void)arg;
	if (strcmp(level, "info") && strcmp(level, "debug"))
		fprintf(stderr, "xdpctl bgp: %s\n", msg);
}

static int load_cfg(struct bgp_opts *o)
{
	char err[XG_ERR_LEN];

	o->cfg = malloc(sizeof(*o->cfg));
	if (!o->cfg)
		return xg_fail("bgp", "out of memory");
	if (o->config ? xg_cfg_load(o->cfg, o->config, err, sizeof(err))
		      : (xg_cfg_defaults(o->cfg), 0))
		return xg_fail("bgp", "%s", err);
	if (o->state_dir)
		snprintf(o->cfg->state_dir, sizeof(o->cfg->state_dir), "%s", o->state_dir);
	return 0;
}

static struct json_object *read_status(const struct bgp_opts *o)
{
	char path[XG_CFG_PATH_LEN + 32], err[XG_ERR_LEN], *text;
	struct json_object *st;
	size_t len;

	snprintf(path, sizeof(path), "%s/bgp/status.json", o->cfg->state_dir);
	if (access(path, F_OK) || xg_read_file(path, 16 << 20, &text, &len, err, sizeof(err)))
		return NULL;
	st = json_tokener_parse(text);
	free(text);
	return st;
}

/* The table opened by this process (no controller running), or -EBUSY. */
static int open_own(struct bgp_opts *o, struct xg_bgp **b, bool workers)
{
	struct xg_bgp_opts bo = {.state_dir = o->cfg->state_dir,
				 .no_workers = !workers,
				 .no_reannounce = true,
				 .log = log_stderr};
	char err[XG_ERR_LEN];
	int r;

	r = xg_bgp_open(b, &o->cfg->bgp, &bo, now_real(), err, sizeof(err));
	if (r == -EBUSY)
		return r;
	if (r)
		return -(xg_fail("bgp", "%s", err) + 1000);
	if (workers && xg_bgp_start(*b, err, sizeof(err))) {
		xg_bgp_close(*b);
		return -(xg_fail("bgp", "%s", err) + 1000);
	}
	return 0;
}

static double num(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_double(v) : 0;
}

static void print_rules(struct json_object *st)
{
	struct json_object *rules;
	size_t i, n;

	if (!json_object_object_get_ex(st, "rules", &rules) ||
	    !(n = json_object_array_length(rules))) {
		printf("no rules in force\n");
		return;
	}
	printf("%-18s %8s  %-24s %s\n", "LEVEL", "TTL LEFT", "OWNERS", "RULE");
	for (i = 0; i < n; i++) {
		struct json_object *r = json_object_array_get_idx(rules, i), *ow;
		char left[32], owners[256] = "";
		size_t k, off = 0;

		xg_format_duration((uint64_t)num(r, "expires_in_s"), left, sizeof(left));
		if (json_object_object_get_ex(r, "owners", &ow))
			for (k = 0; k < json_object_array_length(ow) && off < sizeof(owners); k++)
				off += (size_t)snprintf(
				    owners + off, sizeof(owners) - off, "%s%s", k ? "," : "",
				    json_object_get_string(json_object_array_get_idx(ow, k)));
		printf("%-18s %8s  %-24s %s%s\n", xg_json_str(r, "level"), left, owners,
		       xg_json_str(r, "rule"),
		       json_object_get_boolean(json_object_object_get(r, "dry_run")) ? " (dry-run)"
										     : "");
	}
}

static void print_status(struct json_object *st, bool running)
{
	struct json_object *spk, *lim = json_object_object_get(st, "limits"),
				 *q = json_object_object_get(st, "queue");
	size_t i;

	printf("controller: %s; escalation %s%s\n", running ? "running" : "not running",
	       json_object_get_boolean(json_object_object_get(st, "enabled")) ? "enabled"
									      : "disabled",
	       json_object_get_boolean(json_object_object_get(st, "dry_run")) ? " (dry-run)" : "");
	printf("rules: %.0f active of %.0f (max_rules); %.0f announced in the last minute of %.0f "
	       "allowed; %.0f announced, %.0f withdrawn, %.0f refused by this %s\n",
	       num(lim, "active_rules"), num(lim, "max_rules"), num(lim, "announced_last_min"),
	       num(lim, "max_announce_per_min"), num(lim, "announced"), num(lim, "withdrawn"),
	       num(lim, "refused"), running ? "run" : "command");
	printf("queue: %.0f operations waiting for a speaker, %.0f retries\n", num(q, "depth"),
	       num(q, "retried"));
	if (!json_object_object_get_ex(st, "speakers", &spk) || !json_object_array_length(spk)) {
		printf("no speakers configured (see the \"bgp\" section in config/README.md)\n");
		return;
	}
	printf("\n%-14s %-8s %-5s %7s %6s %7s  %-34s %s\n", "SPEAKER", "TYPE", "UP", "PENDING",
	       "SENT", "FAILED", "SESSION", "LAST ERROR");
	for (i = 0; i < json_object_array_length(spk); i++) {
		struct json_object *s = json_object_array_get_idx(spk, i);

		printf("%-14s %-8s %-5s %7.0f %6.0f %7.0f  %-34s %s\n", xg_json_str(s, "name"),
		       xg_json_str(s, "type"),
		       running ? (json_object_get_boolean(json_object_object_get(s, "up")) ? "yes"
											   : "no")
			       : "-",
		       num(s, "pending"), num(s, "sent"), num(s, "failed"),
		       running ? xg_json_str(s, "session") : "(not probed)",
		       xg_json_str(s, "last_error") ? xg_json_str(s, "last_error") : "");
	}
}

static int show(struct bgp_opts *o, bool rules_only)
{
	struct json_object *st;
	struct xg_bgp *b = NULL;
	bool running;
	int r = open_own(o, &b, false);

	if (r < -1000)
		return -r - 1000;
	running = r == -EBUSY;
	if (running) {
		st = read_status(o);
		if (!st)
			return xg_fail("bgp",
				       "the controller is running but %s/bgp/status.json is "
				       "not readable yet; try again in a second",
				       o->cfg->state_dir);
	} else {
		st = xg_bgp_status_json(b, now_real());
		xg_bgp_close(b);
	}
	json_object_object_add(st, "controller_running", json_object_new_boolean(running));
	if (o->json) {
		if (rules_only) {
			struct json_object *rules =
			    json_object_get(json_object_object_get(st, "rules"));

			xg_json_print(rules);
			json_object_put(rules);
		} else {
			xg_json_print(st);
		}
	} else if (rules_only) {
		print_rules(st);
	} else {
		print_status(st, running);
		printf("\n");
		print_rules(st);
	}
	json_object_put(st);
	return 0;
}

/* The running controller does it: a request in its spool, the reply read
 * back. */
static int via_controller(struct bgp_opts *o, const char *op, const char *rule, char *why,
			  size_t whylen)
{
	char spool[XG_CFG_PATH_LEN + 32], path[sizeof(spool) + 96], rpath[sizeof(path)],
	    err[XG_ERR_LEN], id[64], *text;
	struct json_object *req = json_object_new_object(), *rep;
	uint64_t deadline = xg_mono_ns() + o->wait_s * 1000000000ULL;
	size_t len;
	int ok;

	snprintf(id, sizeof(id), "%lld-%d-%llu", (long long)time(NULL), (int)getpid(),
		 (unsigned long long)(xg_mono_ns() % 1000000));
	snprintf(spool, sizeof(spool), "%s/bgp/spool", o->cfg->state_dir);
	snprintf(path, sizeof(path), "%s/%s.req", spool, id);
	snprintf(rpath, sizeof(rpath), "%s/%s.reply", spool, id);
	json_object_object_add(req, "op", json_object_new_string(op));
	if (rule)
		json_object_object_add(req, "rule", json_object_new_string(rule));
	if (o->ttl_s)
		json_object_object_add(req, "ttl_s", json_object_new_int64((int64_t)o->ttl_s));
	if (o->owner)
		json_object_object_add(req, "owner", json_object_new_string(o->owner));
	text = (char *)json_object_to_json_string(req);
	if (xg_mkdir_p(spool, err, sizeof(err)) ||
	    xg_write_atomic(path, text, strlen(text), err, sizeof(err))) {
		json_object_put(req);
		snprintf(why, whylen, "%s", err);
		return -EIO;
	}
	json_object_put(req);
	while (xg_mono_ns() < deadline) {
		usleep(50000);
		if (access(rpath, F_OK) || xg_read_file(rpath, 8192, &text, &len, err, sizeof(err)))
			continue;
		unlink(rpath);
		rep = json_tokener_parse(text);
		free(text);
		ok = json_object_get_boolean(json_object_object_get(rep, "ok"));
		snprintf(why, whylen, "%s",
			 xg_json_str(rep, "error") ? xg_json_str(rep, "error") : "");
		json_object_put(rep);
		return ok ? 0 : -EPERM;
	}
	unlink(path); /* not picked up: do not leave it for a later controller */
	snprintf(why, whylen, "the controller did not answer within %llu s",
		 (unsigned long long)o->wait_s);
	return -ETIMEDOUT;
}

static int join_rule(int argc, char **argv, char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < argc; i++) {
		int n = snprintf(buf + off, len - off, "%s%s", i ? " " : "", argv[i]);

		if (n < 0 || (size_t)n >= len - off)
			return -ENOSPC;
		off += (size_t)n;
	}
	return 0;
}

static int change(struct bgp_opts *o, const char *op, int argc, char **argv)
{
	char rule[XG_BGP_TEXT_MAX] = "", why[512] = "";
	struct xg_bgp_intent in;
	struct xg_bgp *b = NULL;
	bool flush = !strcmp(op, "flush");
	char refusal[1024];
	uint64_t refusals;
	int r;

	if (!flush) {
		if (join_rule(argc, argv, rule, sizeof(rule)))
			return xg_fail("bgp", "the rule is too long");
		if (xg_bgp_intent_parse_argv(argc, argv, &in, why, sizeof(why)))
			return xg_fail("bgp", "rule '%s': %s", rule, why);
		xg_bgp_intent_format(&in, rule, sizeof(rule));
	}
	signal(SIGPIPE, SIG_IGN);
	r = open_own(o, &b, true);
	if (r < -1000)
		return -r - 1000;
	if (r == -EBUSY) {
		r = via_controller(o, op, flush ? NULL : rule, why, sizeof(why));
		if (r)
			return xg_fail("bgp", "%s%s%s", flush ? "" : rule, flush ? "" : ": ", why);
		if (flush)
			printf("flushed %s rules (the running controller withdraws them)\n", why);
		else
			printf("%s: %s (by the running controller)\n", op, rule);
		return 0;
	}
	if (flush)
		snprintf(why, sizeof(why), "%d", xg_bgp_flush(b, now_real()));
	else if (!strcmp(op, "announce"))
		r = xg_bgp_announce(b, &in, o->owner, (uint32_t)o->ttl_s, now_real(), why,
				    sizeof(why));
	else
		r = xg_bgp_withdraw(b, &in, now_real(), why, sizeof(why));
	if (r) {
		xg_bgp_close(b);
		return xg_fail("bgp", "%s: %s", rule, why);
	}
	/* no controller: this process delivers, and says whether it could */
	r = xg_bgp_drain(b, (int)o->wait_s * 1000);
	xg_bgp_tick(b, now_real());
	refusals = xg_bgp_speaker_refusals(b, refusal, sizeof(refusal));
	xg_bgp_close(b);
	if (refusals)
		return xg_fail("bgp", "%s%s%s: a speaker refused it: %s", flush ? "flush" : op,
			       flush ? "" : " ", flush ? "" : rule, refusal);
	if (r)
		return xg_fail("bgp",
			       "%s%s queued, but not every speaker confirmed within %llu s; the "
			       "next 'xdpctl run' or bgp command retries (see 'xdpctl bgp status')",
			       flush ? "flush" : op, flush ? "" : "",
			       (unsigned long long)o->wait_s);
	if (flush)
		printf("flushed %s rules\n", why);
	else
		printf("%s: %s\n", op, rule);
	return 0;
}

/* ---- the ExaBGP relay ---- */

static int relay_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = send(fd, buf, len, MSG_NOSIGNAL);

		if (w < 0 && errno == ENOTSOCK)
			w = write(fd, buf, len);
		if (w <= 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* ExaBGP starts this as its API process: what the controller sends on the
 * socket goes to stdout (ExaBGP reads commands there), what ExaBGP writes
 * to stdin (acks) goes back. It outlives controller restarts (reconnects)
 * and ends when ExaBGP closes stdin. */
static int exabgp_api(struct bgp_opts *o)
{
	char path[XG_CFG_PATH_LEN + 32], buf[8192];
	int fd = -1;

	signal(SIGPIPE, SIG_IGN);
	if (o->socket)
		snprintf(path, sizeof(path), "%s", o->socket);
	else
		xg_bgp_exabgp_socket(&o->cfg->bgp, o->cfg->state_dir, path, sizeof(path));
	for (;;) {
		struct pollfd p[2] = {{.fd = 0, .events = POLLIN}, {.fd = fd, .events = POLLIN}};
		int n;

		if (fd < 0) {
			fd = relay_connect(path);
			p[1].fd = fd;
		}
		n = poll(p, 2, fd < 0 ? 100 : -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = read(0, buf, sizeof(buf));

			if (r <= 0)
				return 0; /* ExaBGP is gone */
			if (fd >= 0 && write_all(fd, buf, (size_t)r)) {
				close(fd);
				fd = -1;
			}
		}
		if (fd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t r = read(fd, buf, sizeof(buf));

			if (r <= 0) {
				close(fd);
				fd = -1;
				continue;
			}
			if (write_all(1, buf, (size_t)r))
				return 0;
		}
	}
}

static int parse_opts(int argc, char **argv, const char *optstring, void *arg)
{
	struct bgp_opts *o = arg;
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"state-dir", required_argument, NULL, 's'},
	    {"ttl", required_argument, NULL, 't'},
	    {"owner", required_argument, NULL, 'o'},
	    {"wait", required_argument, NULL, 'w'},
	    {"socket", required_argument, NULL, 'S'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
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
			if (xg_parse_duration(optarg, &o->ttl_s) || o->ttl_s < 1 ||
			    o->ttl_s > 7 * 86400)
				return 1 + xg_fail("bgp",
						   "--ttl '%s': must be 1 s to 7 days (300, "
						   "90s, 10m, 2h, 1d)",
						   optarg);
			break;
		case 'o':
			if (!optarg[0] || strlen(optarg) >= XG_BGP_OWNER_MAX ||
			    strpbrk(optarg, " \t\r\n\"\\"))
				return 1 + xg_fail("bgp",
						   "--owner '%s': 1-%d characters, no spaces or "
						   "quotes",
						   optarg, XG_BGP_OWNER_MAX - 1);
			o->owner = optarg;
			break;
		case 'w':
			if (xg_parse_uint(optarg, 1, 3600, &o->wait_s))
				return 1 + xg_fail("bgp", "--wait '%s': must be 1-3600 seconds",
						   optarg);
			break;
		case 'S':
			o->socket = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'h':
			fputs(bgp_usage, stdout);
			return 1;
		default:
			return 3;
		}
	}
	return 0;
}

int cmd_bgp(int argc, char **argv)
{
	struct bgp_opts o = {.wait_s = 30};
	const char *sub;
	int ret, nargs;

	ret = xg_cli_sub(&argc, &argv, "c:s:t:o:w:S:jh", parse_opts, &o, bgp_usage, &sub);
	if (ret)
		return ret - 1;
	nargs = argc - optind;
	if (strcmp(sub, "status") && strcmp(sub, "list") && strcmp(sub, "announce") &&
	    strcmp(sub, "withdraw") && strcmp(sub, "flush") && strcmp(sub, "exabgp-api")) {
		fprintf(stderr,
			"xdpctl bgp: unknown command '%s' (status, list, announce, "
			"withdraw, flush, exabgp-api)\n",
			sub);
		return 2;
	}
	if ((!strcmp(sub, "announce") || !strcmp(sub, "withdraw")) ? nargs < 2 : nargs != 0) {
		fprintf(stderr, "xdpctl bgp: %s\n",
			!strcmp(sub, "announce") || !strcmp(sub, "withdraw")
			    ? "a rule is needed, e.g. 'rtbh 198.51.100.7/32' (see --help)"
			    : "this command takes no arguments (see --help)");
		return 2;
	}
	if (load_cfg(&o)) {
		free(o.cfg);
		return 1;
	}
	if (!strcmp(sub, "status") || !strcmp(sub, "list"))
		ret = show(&o, !strcmp(sub, "list"));
	else if (!strcmp(sub, "exabgp-api"))
		ret = exabgp_api(&o);
	else
		ret = change(&o, sub, nargs, argv + optind);
	free(o.cfg);
	return ret;
}
