// SPDX-License-Identifier: GPL-2.0-only
/*
 * xdpctl top: a live view of the node. Rates come from the pinned maps the
 * way xdpctl stats computes them (two counter reads one interval apart);
 * the open incident and the mitigation state come from the daemon's HTTP
 * API when it answers. Each frame is built once as positioned text, then
 * drawn by curses on a terminal or printed as plain text in batch mode, so
 * both show the same numbers.
 */
#include <curl/curl.h>
#include <curses.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bgp_cfg.h"
#include "cidr.h"
#include "cli.h"
#include "collector.h"
#include "counters.h"
#include "names.h"
#include "rtcfg.h"

static const char top_usage[] =
    "usage: xdpctl top [--interval MS] [--api URL | --no-api] [--token TOKEN]\n"
    "                  [--sort pps|bps|addr] [--once | --batch N]\n"
    "\n"
    "A live view of the node, refreshed every interval: packets and bits per\n"
    "second by protocol and by service (sip-udp, sip-tcp, sip-tls, rtp and the\n"
    "configured extra classes), SIP requests by method and malformed SIP,\n"
    "verdicts (passed, dropped, would-drop in monitor-only mode, allowlisted\n"
    "traffic preserved), drops by reason, the busiest destination ports and the\n"
    "busiest sources; and, from the daemon's HTTP API, the open incident (id,\n"
    "family/subtype, targeted service, confidence, peak) and the mitigation in\n"
    "force (escalation level, blocks, allowlist entries, learned peers, BGP\n"
    "rules, alert queue depth).\n"
    "\n"
    "The counters are read from the pinned maps, so top works with or without\n"
    "a running daemon. When the API does not answer, the frame says so\n"
    "(\"daemon API: not reachable (URL: reason)\"; \"error\" with the HTTP status\n"
    "when it answers with one, 401 without the right token) and the rates go on.\n"
    "\n"
    "Sources are estimated from the XDP program's sampled talker counters (1\n"
    "packet in 2^sample_shift, see 'xdpctl set sample-rate'), scaled to the\n"
    "interval's samples: approximate, and empty when sampling is off.\n"
    "\n"
    "Keys (on a terminal):\n"
    "  q        quit (Ctrl-C too)\n"
    "  p        pause or resume the updates (the frame stays on screen)\n"
    "  s        cycle the order of the sources: pps, bit/s, address\n"
    "\n"
    "Options:\n"
    "  -i, --interval MS   refresh period in milliseconds, 100-10000 (1000)\n"
    "  --api URL           the daemon's status endpoint\n"
    "                      (http://127.0.0.1:9477/api/v1/status)\n"
    "  --no-api            counters only; do not ask the daemon\n"
    "  --token TOKEN       bearer token for the API; the environment variable\n"
    "                      XDPGUARD_TOKEN does the same without showing it in ps\n"
    "  --sort KEY          the initial order of the sources: pps, bps or addr\n"
    "  -1, --once          print one plain-text frame and exit (--batch 1)\n"
    "  -b, --batch N       print N plain-text frames, one interval apart, and\n"
    "                      exit; no curses. The default when stdout is not a\n"
    "                      terminal is one frame.\n"
    "  -h, --help          this text\n"
    "\n"
    "Needs root (it reads the pinned maps, " XG_PIN_DIR " or\n"
    "$XDPGUARD_PIN_DIR). Small terminals are truncated, never wrapped.\n"
    "\n"
    "Exit status: 0 on success, 1 on an error, 2 on bad usage.\n"
    "\n"
    "Examples:\n"
    "  xdpctl top\n"
    "  xdpctl top --interval 500 --api https://edge1:9477/api/v1/status\n"
    "  xdpctl top --batch 5 --no-api > frames.txt\n";

#define TOP_DEFAULT_API "http://127.0.0.1:9477/api/v1/status"
#define TOP_PORTS_SHOWN 10
#define TOP_SOURCES	20
#define API_MAX_BODY	(1 << 20)

/* Left column width when the two columns stand side by side. */
#define LEFT_W	   46
#define RIGHT_MIN  40
#define PLAIN_W	   160 /* batch frames: wide enough for both columns */
#define FRAME_ROWS 96
#define SEG_LEN	   192

enum style { ST_TEXT = 0, ST_HEAD, ST_ALERT, ST_DIM, ST_OK };

enum sort_key { SORT_PPS = 0, SORT_BPS, SORT_ADDR, SORT_MAX };
static const char *const sort_names[SORT_MAX] = {"pps", "bps", "addr"};

struct seg {
	char text[SEG_LEN];
	int style;
};

struct column {
	int n;
	struct seg row[FRAME_ROWS];
};

/* One frame: a full-width header and two columns. */
struct frame {
	struct column head, left, right;
};

/* A source as the talker map holds it: samples and sampled bytes since its
 * entry was made (or since the daemon last emptied the map). */
struct src_rate {
	struct xg_cidr addr;
	double pps, bps;
};

struct api {
	char url[512];
	bool off;
	CURL *c;
	struct curl_slist *hdr;
	char *body;
	size_t len;
	bool overflow;
	long timeout_ms;
	struct json_object *status; /* the last answer; NULL when none */
	bool reached;		    /* the server answered, if not with a status */
	char err[CURL_ERROR_SIZE + 64];
};

struct top {
	struct xg_maps maps;
	struct xg_config cfg;
	struct xg_counters *prev, *cur, *d;
	struct xg_talker_set talk_prev, talk_cur;
	struct src_rate *src;
	size_t n_src;
	bool sampling; /* the program samples talkers */
	uint32_t sample_rate;
	double secs; /* length of the last interval; 0 before the first */
	struct xg_port_count ports[TOP_PORTS_SHOWN];
	int n_ports;
	struct api api;
	int sort;
	bool paused;
	uint64_t interval_ms;
	time_t when; /* wall clock of the last sample */
};

/* ---- frame building ---- */

static void add(struct column *c, int style, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add(struct column *c, int style, const char *fmt, ...)
{
	va_list ap;

	if (c->n >= FRAME_ROWS)
		return;
	va_start(ap, fmt);
	vsnprintf(c->row[c->n].text, SEG_LEN, fmt, ap);
	va_end(ap);
	c->row[c->n++].style = style;
}

static void rate_row(struct column *c, const char *name, double pps, double bps)
{
	char p[32], b[32];

	xg_format_rate(pps, p, sizeof(p));
	if (bps < 0) {
		add(c, ST_TEXT, "  %-16.16s %10s", name, p);
		return;
	}
	xg_format_rate(bps, b, sizeof(b));
	add(c, ST_TEXT, "  %-16.16s %10s %12s", name, p, b);
}

/* ---- the daemon's API ---- */

/* A member by dotted path ("counts.blocks"); NULL when any step is absent. */
static struct json_object *jpath(struct json_object *o, const char *path)
{
	char key[64];
	const char *dot;

	while (o && path && *path) {
		size_t n;

		dot = strchr(path, '.');
		n = dot ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof(key) || !json_object_is_type(o, json_type_object))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		if (!json_object_object_get_ex(o, key, &o))
			return NULL;
		path = dot ? dot + 1 : NULL;
	}
	return o;
}

static bool jnum(struct json_object *o, const char *path, double *out)
{
	struct json_object *v = jpath(o, path);

	if (!v ||
	    !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return false;
	*out = json_object_get_double(v);
	return true;
}

static const char *jstr(struct json_object *o, const char *path)
{
	struct json_object *v = jpath(o, path);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static size_t api_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct api *a = arg;
	size_t n = size * nmemb;
	char *nb;

	if (a->len + n > API_MAX_BODY) {
		a->overflow = true;
		return 0; /* aborts the transfer */
	}
	nb = realloc(a->body, a->len + n + 1);
	if (!nb)
		return 0;
	a->body = nb;
	memcpy(a->body + a->len, data, n);
	a->len += n;
	a->body[a->len] = '\0';
	return n;
}

static int api_init(struct api *a, const char *url, const char *token, uint64_t interval_ms)
{
	char auth[1024];
	int rc = 0;

	snprintf(a->url, sizeof(a->url), "%s", url);
	/* a slow daemon must not freeze the screen for longer than a frame */
	a->timeout_ms = (long)(interval_ms / 2);
	if (a->timeout_ms < 200)
		a->timeout_ms = 200;
	if (a->timeout_ms > 2000)
		a->timeout_ms = 2000;
	a->c = curl_easy_init();
	if (!a->c)
		return -ENOMEM;
	if (token && *token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		a->hdr = curl_slist_append(NULL, auth);
		explicit_bzero(auth, sizeof(auth));
		if (!a->hdr)
			return -ENOMEM;
		rc |= curl_easy_setopt(a->c, CURLOPT_HTTPHEADER, a->hdr);
	}
	rc |= curl_easy_setopt(a->c, CURLOPT_URL, a->url);
	rc |= curl_easy_setopt(a->c, CURLOPT_PROTOCOLS_STR, "http,https");
	rc |= curl_easy_setopt(a->c, CURLOPT_NOSIGNAL, 1L);
	rc |= curl_easy_setopt(a->c, CURLOPT_CONNECTTIMEOUT_MS, a->timeout_ms);
	rc |= curl_easy_setopt(a->c, CURLOPT_TIMEOUT_MS, a->timeout_ms);
	rc |= curl_easy_setopt(a->c, CURLOPT_FOLLOWLOCATION, 0L);
	rc |= curl_easy_setopt(a->c, CURLOPT_WRITEFUNCTION, api_write);
	rc |= curl_easy_setopt(a->c, CURLOPT_WRITEDATA, a);
	rc |= curl_easy_setopt(a->c, CURLOPT_USERAGENT, "xdpctl-top");
	return rc ? -EINVAL : 0;
}

static void api_free(struct api *a)
{
	if (a->status)
		json_object_put(a->status);
	if (a->c)
		curl_easy_cleanup(a->c);
	curl_slist_free_all(a->hdr);
	free(a->body);
}

/* One GET; on failure a->status is NULL and a->err says why. */
static void api_fetch(struct api *a)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct json_object *st;
	const char *msg;
	long code = 0;
	CURLcode cc;

	if (a->status) {
		json_object_put(a->status);
		a->status = NULL;
	}
	if (a->off)
		return;
	a->len = 0;
	a->overflow = false;
	a->reached = false;
	curl_easy_setopt(a->c, CURLOPT_ERRORBUFFER, errbuf);
	cc = curl_easy_perform(a->c);
	curl_easy_setopt(a->c, CURLOPT_ERRORBUFFER, NULL);
	if (cc != CURLE_OK) {
		snprintf(a->err, sizeof(a->err), "%s",
			 a->overflow ? "answer larger than 1 MiB"
				     : (*errbuf ? errbuf : curl_easy_strerror(cc)));
		return;
	}
	curl_easy_getinfo(a->c, CURLINFO_RESPONSE_CODE, &code);
	a->reached = true;
	st = a->len ? json_tokener_parse(a->body) : NULL;
	if (code != 200) {
		msg = st ? jstr(st, "error") : NULL;
		snprintf(a->err, sizeof(a->err), "HTTP %ld%s%s%s", code,
			 code == 401 || code == 403 ? " (see --token)" : "", msg ? ": " : "",
			 msg ? msg : "");
		if (st)
			json_object_put(st);
		return;
	}
	if (!st || !json_object_is_type(st, json_type_object)) {
		snprintf(a->err, sizeof(a->err), "the answer is not a JSON object");
		if (st)
			json_object_put(st);
		return;
	}
	a->status = st;
}

/* ---- sampled sources ---- */

static int by_addr(const void *a, const void *b)
{
	const struct xg_cidr *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->addr, y->addr, sizeof(x->addr));
}

static int by_src_addr(const void *a, const void *b)
{
	return by_addr(&((const struct xg_talker_sample *)a)->addr,
		       &((const struct xg_talker_sample *)b)->addr);
}

/* Reads the talker maps without emptying them: the daemon drains them
 * each tick and top must not steal its samples. */
static int talkers_read(const struct xg_maps *m, struct xg_talker_set *out)
{
	int ret;

	out->n = 0;
	out->total = 0;
	ret = xg_talkers_read(m->talkers_v4, AF_INET, false, out);
	if (!ret)
		ret = xg_talkers_read(m->talkers_v6, AF_INET6, false, out);
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), by_src_addr);
	return ret;
}

static int src_rate_cmp(const void *a, const void *b, void *arg)
{
	const struct src_rate *x = a, *y = b;

	switch (*(const int *)arg) {
	case SORT_BPS:
		if (x->bps != y->bps)
			return x->bps < y->bps ? 1 : -1;
		break;
	case SORT_ADDR:
		return by_addr(&x->addr, &y->addr);
	default:
		break;
	}
	if (x->pps != y->pps)
		return x->pps < y->pps ? 1 : -1;
	return by_addr(&x->addr, &y->addr);
}

/*
 * Per-source rates over the interval. Without a daemon the map only grows,
 * and a source's samples in the interval are its increase. With a daemon
 * the map is emptied every tick, out of phase with us: what it holds is a
 * recent slice of traffic, so each source gets its share of that slice.
 * Either way the shares are scaled to the samples the program counted in
 * the interval (talker_samples), then by the sampling rate.
 */
static int sources_update(struct top *t)
{
	struct xg_talker_set *cur = &t->talk_cur, *prev = &t->talk_prev, tmp;
	uint64_t taken = t->d->st.talker_samples, weight = 0;
	bool drained = cur->total < prev->total + taken / 2;
	struct src_rate *r;
	double k;
	size_t i;

	r = realloc(t->src, (cur->n ? cur->n : 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	t->src = r;
	t->n_src = 0;
	for (i = 0; i < cur->n; i++) {
		const struct xg_talker_sample *c = &cur->v[i];
		const struct xg_talker_sample *p =
		    drained ? NULL : bsearch(c, prev->v, prev->n, sizeof(*c), by_src_addr);
		uint64_t s = c->samples, b = c->bytes;

		if (p && s >= p->samples) {
			s -= p->samples;
			b = b >= p->bytes ? b - p->bytes : 0;
		}
		if (!s)
			continue;
		r[t->n_src++] = (struct src_rate){c->addr, (double)s, (double)b};
		weight += s;
	}
	k = weight ? (double)(taken ? taken : weight) / (double)weight : 0;
	k *= (double)t->sample_rate / t->secs;
	for (i = 0; i < t->n_src; i++) {
		r[i].pps *= k;
		r[i].bps *= k * 8;
	}
	qsort_r(r, t->n_src, sizeof(*r), src_rate_cmp, &t->sort);
	tmp = *prev;
	*prev = *cur;
	*cur = tmp;
	return 0;
}

/* ---- one interval ---- */

static void sampling_cfg(struct top *t)
{
	t->sampling = t->cfg.sample_shift < 32;
	t->sample_rate = t->sampling ? 1u << t->cfg.sample_shift : 0;
}

/* The counters and talkers as they are now: the start of the next
 * interval (at start, and after a pause). */
static int prime(struct top *t)
{
	if (xg_rtcfg_read(&t->maps, &t->cfg) || xg_counters_read(&t->maps, t->prev))
		return -EIO;
	sampling_cfg(t);
	if (talkers_read(&t->maps, &t->talk_prev))
		t->talk_prev.n = t->talk_prev.total = 0;
	return 0;
}

static int sample(struct top *t)
{
	struct xg_counters *x;

	if (xg_rtcfg_read(&t->maps, &t->cfg) || xg_counters_read(&t->maps, t->cur))
		return -EIO;
	sampling_cfg(t);
	xg_counters_delta(t->prev, t->cur, t->d);
	t->secs = (double)t->d->mono_ns / 1e9;
	if (t->secs <= 0)
		t->secs = (double)t->interval_ms / 1000.0;
	t->n_ports = xg_counters_top_ports(t->d, t->ports, TOP_PORTS_SHOWN);
	if (talkers_read(&t->maps, &t->talk_cur) || !t->sampling || sources_update(t)) {
		t->n_src = 0;
		t->talk_prev.n = t->talk_prev.total = 0;
	}
	x = t->prev;
	t->prev = t->cur;
	t->cur = x;
	api_fetch(&t->api);
	t->when = time(NULL);
	return 0;
}

/* ---- the frame ---- */

/* A count of the status document's "counts"; "-" when absent. */
static void fmt_count(struct json_object *st, const char *name, char *buf, size_t len)
{
	char path[64];
	double v;

	snprintf(path, sizeof(path), "counts.%s", name);
	if (jnum(st, path, &v))
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "-");
}

/* The open incident as GET /api/v1/status gives it: the journal's record
 * (journal.c) under "incident", null when none is open. */
static void build_incident(const struct top *t, struct column *c)
{
	struct json_object *st = t->api.status, *inc = jpath(st, "incident");
	const char *fam, *sub, *svc, *id;
	char pk[32], pb[32], age[32];
	double conf = 0, pps = 0, bps = 0, start = 0, total = 0;
	struct timespec now;

	if (!inc || !json_object_is_type(inc, json_type_object) || !(id = jstr(inc, "id"))) {
		if (jnum(st, "incidents_total", &total))
			add(c, ST_OK, "incident: none open (%.0f since the daemon started)", total);
		else
			add(c, ST_OK, "incident: none open");
		return;
	}
	fam = jstr(inc, "family");
	sub = jstr(inc, "subtype");
	svc = jstr(inc, "service");
	jnum(inc, "confidence", &conf);
	jnum(inc, "peak_pps", &pps);
	jnum(inc, "peak_bps", &bps);
	xg_format_rate(pps, pk, sizeof(pk));
	xg_format_rate(bps, pb, sizeof(pb));
	clock_gettime(CLOCK_REALTIME, &now);
	if (!jnum(inc, "start", &start) || start <= 0)
		snprintf(age, sizeof(age), "-");
	else if ((double)now.tv_sec - start < 1) /* the daemon's clock may run ahead of ours */
		snprintf(age, sizeof(age), "<1s");
	else
		xg_format_duration((uint64_t)((double)now.tv_sec - start), age, sizeof(age));
	add(c, ST_ALERT,
	    "INCIDENT %s  %s%s%s  service %s  confidence %.0f%%  peak %s pps %sbit/s  open %s%s",
	    id, fam ? fam : "?", sub && *sub ? "/" : "", sub && *sub ? sub : "", svc ? svc : "?",
	    conf, pk, pb, age,
	    json_object_get_boolean(jpath(inc, "learning")) ? "  (learning: monitor-only)" : "");
}

static void build_mitigation(const struct top *t, struct column *c)
{
	struct json_object *st = t->api.status;
	char blocks[24], allow[24], peers[24], rules[24], queue[24];
	const char *lname = jstr(st, "escalation.name");
	double level = 0;

	jnum(st, "escalation.level", &level);
	fmt_count(st, "blocks_active", blocks, sizeof(blocks));
	fmt_count(st, "allowlist", allow, sizeof(allow));
	fmt_count(st, "peers", peers, sizeof(peers));
	fmt_count(st, "bgp_rules", rules, sizeof(rules));
	fmt_count(st, "alert_queue", queue, sizeof(queue));
	add(c, level > 1 ? ST_ALERT : ST_TEXT,
	    "mitigation: escalation %.0f (%s)  blocks %s  allowlist %s  learned peers %s  "
	    "bgp rules %s  alert queue %s",
	    level, lname ? lname : "none", blocks, allow, peers, rules, queue);
}

static void build_head(const struct top *t, struct column *c)
{
	struct json_object *st = t->api.status, *ifa = jpath(st, "interfaces");
	char when[16] = "--:--:--", ifs[160] = "", up[32] = "-", host[64] = "", *p = ifs;
	const char *node = jstr(st, "node");
	bool learning = json_object_get_boolean(jpath(st, "learning"));
	double uptime = 0, tick = 0;
	struct tm tm;
	size_t i;

	if (!node && !gethostname(host, sizeof(host) - 1))
		node = host;
	if (t->when && localtime_r(&t->when, &tm))
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	for (i = 0; json_object_is_type(ifa, json_type_array) && i < json_object_array_length(ifa);
	     i++) {
		const char *name = json_object_get_string(json_object_array_get_idx(ifa, i));

		if (name && p < ifs + sizeof(ifs) - 1)
			p += snprintf(p, (size_t)(ifs + sizeof(ifs) - p), "%s%s",
				      p == ifs ? "" : ",", name);
	}
	add(c, ST_HEAD, "xdpguard top  node %s%s%s  %s  every %.1f s  %s%s%s", node ? node : "?",
	    *ifs ? "  interfaces " : "", ifs, when, (double)t->interval_ms / 1000.0,
	    t->cfg.flags & XG_CFG_MONITOR_ONLY ? "monitor-only (nothing dropped)" : "enforcing",
	    learning ? ", learning baselines" : "", t->paused ? "  [PAUSED]" : "");
	if (t->api.off) {
		add(c, ST_DIM, "daemon API: off (--no-api)");
		return;
	}
	if (!t->when) {
		add(c, ST_DIM, "daemon API: %s (asked every interval)", t->api.url);
		return;
	}
	if (!st) {
		add(c, ST_DIM, "daemon API: %s (%s: %s)",
		    t->api.reached ? "error" : "not reachable", t->api.url, t->api.err);
		add(c, ST_DIM, "incident: unknown (no answer from the daemon API)");
		add(c, ST_DIM, "mitigation: unknown (no answer from the daemon API)");
		return;
	}
	jnum(st, "tick_ms", &tick);
	if (jnum(st, "uptime_s", &uptime))
		xg_format_duration((uint64_t)uptime, up, sizeof(up));
	add(c, ST_OK, "daemon API: %s: ok (tick %.0f ms, up %s)", t->api.url, tick, up);
	build_incident(t, c);
	build_mitigation(t, c);
}

static void build_left(const struct top *t, struct column *c)
{
	const struct xg_stats *s = &t->d->st;
	double secs = t->secs, pps = 0, bps = 0;
	char name[40];
	int i;

	add(c, ST_HEAD, "%-18s %10s %12s", "PROTOCOL", "pps", "bit/s");
	for (i = 0; i < XG_PROTO_MAX; i++) {
		pps += (double)s->proto[i].packets;
		bps += (double)s->proto[i].bytes * 8.0;
	}
	rate_row(c, "all", pps / secs, bps / secs);
	for (i = 0; i < XG_PROTO_MAX; i++)
		rate_row(c, xg_proto_name(i), (double)s->proto[i].packets / secs,
			 (double)s->proto[i].bytes * 8.0 / secs);
	add(c, ST_TEXT, "%s", "");
	add(c, ST_HEAD, "%-18s %10s %12s", "SERVICE", "pps", "bit/s");
	for (i = 1; i < XG_SVC_MAX; i++) {
		const char *n = xg_svc_name(i);

		if (i >= XG_SVC_EXTRA0) {
			const char *cn = t->cfg.svc_name[i - XG_SVC_EXTRA0];

			if (!s->svc[i].packets && !cn[0])
				continue;
			if (cn[0]) {
				snprintf(name, sizeof(name), "%.*s", XG_SVC_NAME_LEN, cn);
				n = name;
			}
		}
		rate_row(c, n, (double)s->svc[i].packets / secs,
			 (double)s->svc[i].bytes * 8.0 / secs);
	}
	add(c, ST_TEXT, "%s", "");
	add(c, ST_HEAD, "%-18s %10s", "SIP", "pps");
	for (i = 0; i < XG_SIP_MAX; i++)
		if (s->sip[i] || i <= XG_SIP_OPTIONS || i == XG_SIP_MALFORMED)
			rate_row(c, xg_sip_name(i), (double)s->sip[i] / secs, -1);
	rate_row(c, "rtp-invalid", (double)s->rtp_invalid / secs, -1);
	add(c, ST_TEXT, "%s", "");
	add(c, ST_HEAD, "%-18s %10s", "VERDICT", "pps");
	rate_row(c, "pass", (double)s->verdict[XG_VERDICT_PASS] / secs, -1);
	rate_row(c, "drop", (double)s->verdict[XG_VERDICT_DROP] / secs, -1);
	if (s->verdict[XG_VERDICT_WOULD_DROP] || t->cfg.flags & XG_CFG_MONITOR_ONLY)
		rate_row(c, "would-drop", (double)s->verdict[XG_VERDICT_WOULD_DROP] / secs, -1);
	rate_row(c, "allowlisted", (double)s->allowed / secs, -1);
	add(c, ST_TEXT, "%s", "");
	add(c, ST_HEAD, "%-18s %10s", "DROPS BY REASON", "pps");
	for (i = 1; i < XG_REASON_MAX; i++) {
		rate_row(c, xg_reason_name(i), (double)s->drop[i] / secs, -1);
		if (s->would_drop[i]) {
			snprintf(name, sizeof(name), "would-%s", xg_reason_name(i));
			rate_row(c, name, (double)s->would_drop[i] / secs, -1);
		}
	}
}

static void build_right(const struct top *t, struct column *c)
{
	char name[64], p[32], b[32];
	size_t i;

	add(c, ST_HEAD, "%-18s %10s", "TOP DST PORTS", "pps");
	if (!t->n_ports)
		add(c, ST_DIM, "  (none)");
	for (i = 0; i < (size_t)t->n_ports; i++) {
		snprintf(name, sizeof(name), "%s/%d",
			 t->ports[i].l4 == XG_PORT_L4_TCP ? "tcp" : "udp", t->ports[i].port);
		rate_row(c, name, (double)t->ports[i].packets / t->secs, -1);
	}
	add(c, ST_TEXT, "%s", "");
	if (!t->sampling) {
		add(c, ST_HEAD, "TOP SOURCES");
		add(c, ST_DIM, "  (talker sampling is off: xdpctl set sample-rate N)");
		return;
	}
	snprintf(name, sizeof(name), "TOP SOURCES (1/%u sampled, by %s)", t->sample_rate,
		 sort_names[t->sort]);
	add(c, ST_HEAD, "%-40s %10s %12s", name, "pps", "bit/s");
	if (!t->n_src)
		add(c, ST_DIM, "  (none)");
	for (i = 0; i < t->n_src && i < TOP_SOURCES; i++) {
		xg_cidr_format(&t->src[i].addr, name, sizeof(name));
		xg_format_rate(t->src[i].pps, p, sizeof(p));
		xg_format_rate(t->src[i].bps, b, sizeof(b));
		add(c, ST_TEXT, "  %-38.39s %10s %12s", name, p, b);
	}
}

static void build(const struct top *t, struct frame *f)
{
	f->head.n = f->left.n = f->right.n = 0;
	build_head(t, &f->head);
	if (!t->when) {
		add(&f->left, ST_DIM, "collecting the first %.1f s...",
		    (double)t->interval_ms / 1000.0);
		return;
	}
	build_left(t, &f->left);
	build_right(t, &f->right);
}

/* ---- drawing ---- */

typedef void (*put_fn)(void *ctx, int y, int x, const struct seg *s);

/* Places the frame at a width: the columns side by side when they fit,
 * else one under the other. Returns the rows used. */
static int lay_out(const struct frame *f, int width, put_fn put, void *ctx)
{
	bool wide = width >= LEFT_W + RIGHT_MIN;
	int y = 0, i;

	for (i = 0; i < f->head.n; i++)
		put(ctx, y++, 0, &f->head.row[i]);
	y++;
	for (i = 0; i < f->left.n; i++)
		put(ctx, y + i, 0, &f->left.row[i]);
	if (!wide)
		y += f->left.n + (f->left.n ? 1 : 0);
	for (i = 0; i < f->right.n; i++)
		put(ctx, y + i, wide ? LEFT_W : 0, &f->right.row[i]);
	return y + (wide ? (f->left.n > f->right.n ? f->left.n : f->right.n) : f->right.n);
}

#define PLAIN_ROWS (3 * FRAME_ROWS + 2)

struct plain {
	char row[PLAIN_ROWS][PLAIN_W + 1];
};

static void plain_put(void *ctx, int y, int x, const struct seg *s)
{
	struct plain *pl = ctx;
	size_t n = strlen(s->text);

	if (y < 0 || y >= PLAIN_ROWS || x >= PLAIN_W)
		return;
	if (n > (size_t)(PLAIN_W - x))
		n = (size_t)(PLAIN_W - x);
	memcpy(pl->row[y] + x, s->text, n);
}

static int print_plain(const struct frame *f)
{
	struct plain *pl = malloc(sizeof(*pl));
	int rows, y, n;

	if (!pl)
		return -ENOMEM;
	memset(pl, ' ', sizeof(*pl));
	rows = lay_out(f, PLAIN_W, plain_put, pl);
	for (y = 0; y < rows && y < PLAIN_ROWS; y++) {
		n = PLAIN_W;
		while (n > 0 && pl->row[y][n - 1] == ' ')
			n--;
		printf("%.*s\n", n, pl->row[y]);
	}
	free(pl);
	return 0;
}

static int style_attr(int style)
{
	switch (style) {
	case ST_HEAD:
		return A_BOLD | (has_colors() ? COLOR_PAIR(1) : 0);
	case ST_ALERT:
		return A_BOLD | (has_colors() ? COLOR_PAIR(2) : A_REVERSE);
	case ST_OK:
		return has_colors() ? COLOR_PAIR(3) : 0;
	case ST_DIM:
		return A_DIM;
	default:
		return A_NORMAL;
	}
}

/* Clipped to the screen; the last row is the key help. */
static void curses_put(void *ctx, int y, int x, const struct seg *s)
{
	(void)ctx;
	if (y >= LINES - 1 || x >= COLS)
		return;
	attrset(style_attr(s->style));
	mvaddnstr(y, x, s->text, COLS - x);
}

static void draw_curses(const struct top *t, const struct frame *f)
{
	char help[128];

	erase();
	lay_out(f, COLS, curses_put, NULL);
	snprintf(help, sizeof(help), " q quit  p %s  s sort sources (by %s) %s",
		 t->paused ? "resume" : "pause", sort_names[t->sort], t->paused ? " PAUSED " : "");
	attrset(A_REVERSE);
	if (LINES > 0 && COLS > 0)
		mvaddnstr(LINES - 1, 0, help, COLS - 1);
	attrset(A_NORMAL);
	refresh();
}

static int run_curses(struct top *t, struct frame *f)
{
	uint64_t next, now;
	int ch, ret = 0;

	if (!initscr())
		return xg_fail("top", "cannot initialise the terminal");
	raw(); /* Ctrl-C arrives as a key, so the terminal is always restored */
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	if (has_colors()) {
		start_color();
		use_default_colors();
		init_pair(1, COLOR_CYAN, -1);
		init_pair(2, COLOR_RED, -1);
		init_pair(3, COLOR_GREEN, -1);
	}
	build(t, f);
	draw_curses(t, f);
	next = xg_mono_ns() + t->interval_ms * 1000000ULL;
	for (;;) {
		now = xg_mono_ns();
		if (now >= next) {
			if (!t->paused) {
				if (sample(t)) {
					ret = -EIO;
					break;
				}
				build(t, f);
				draw_curses(t, f);
			}
			next += t->interval_ms * 1000000ULL;
			if (next <= now)
				next = now + t->interval_ms * 1000000ULL;
			continue;
		}
		timeout((int)((next - now + 999999) / 1000000));
		ch = getch();
		if (ch == 'q' || ch == 'Q' || ch == 3 /* Ctrl-C */)
			break;
		switch (ch) {
		case 'p':
		case 'P':
		case ' ':
			t->paused = !t->paused;
			if (!t->paused) {
				/* the next frame covers one interval, not the pause */
				if (prime(t)) {
					ret = -EIO;
					goto out;
				}
				next = xg_mono_ns() + t->interval_ms * 1000000ULL;
			}
			break;
		case 's':
		case 'S':
			t->sort = (t->sort + 1) % SORT_MAX;
			qsort_r(t->src, t->n_src, sizeof(*t->src), src_rate_cmp, &t->sort);
			break;
		case KEY_RESIZE:
		case 12: /* Ctrl-L */
			clearok(curscr, TRUE);
			break;
		default:
			continue;
		}
		build(t, f);
		draw_curses(t, f);
	}
out:
	endwin();
	if (ret)
		return xg_fail("top", "cannot read the counters");
	return 0;
}

static int run_batch(struct top *t, struct frame *f, uint64_t frames)
{
	uint64_t i;

	for (i = 0; i < frames; i++) {
		nanosleep(&(struct timespec){(time_t)(t->interval_ms / 1000),
					     (long)(t->interval_ms % 1000) * 1000000L},
			  NULL);
		if (sample(t))
			return xg_fail("top", "cannot read the counters");
		build(t, f);
		if (i)
			putchar('\n');
		if (print_plain(f))
			return xg_fail("top", "out of memory");
		fflush(stdout);
	}
	return 0;
}

int cmd_top(int argc, char **argv)
{
	enum { OPT_API = 256, OPT_NO_API, OPT_TOKEN, OPT_SORT };
	static const struct option opts[] = {
	    {"interval", required_argument, NULL, 'i'},
	    {"api", required_argument, NULL, OPT_API},
	    {"no-api", no_argument, NULL, OPT_NO_API},
	    {"token", required_argument, NULL, OPT_TOKEN},
	    {"sort", required_argument, NULL, OPT_SORT},
	    {"once", no_argument, NULL, '1'},
	    {"batch", required_argument, NULL, 'b'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	const char *api = TOP_DEFAULT_API, *token = getenv("XDPGUARD_TOKEN");
	uint64_t interval_ms = 1000, frames = 0;
	bool no_api = false, batch = false;
	struct frame *f = NULL;
	struct top *t = NULL;
	int c, sort = SORT_PPS, ret = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "i:1b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (xg_parse_uint(optarg, 100, 10000, &interval_ms))
				return xg_fail("top",
					       "invalid --interval '%s': milliseconds, 100-10000",
					       optarg);
			break;
		case OPT_API:
			if (strncmp(optarg, "http://", 7) && strncmp(optarg, "https://", 8))
				return xg_fail("top",
					       "invalid --api '%s': an http:// or https:// URL",
					       optarg);
			if (strlen(optarg) >= sizeof(t->api.url))
				return xg_fail("top", "--api: URL too long");
			api = optarg;
			break;
		case OPT_NO_API:
			no_api = true;
			break;
		case OPT_TOKEN:
			token = optarg;
			break;
		case OPT_SORT:
			for (sort = 0; sort < SORT_MAX && strcmp(optarg, sort_names[sort]); sort++)
				;
			if (sort == SORT_MAX)
				return xg_fail("top", "invalid --sort '%s': pps, bps or addr",
					       optarg);
			break;
		case '1':
			batch = true;
			frames = 1;
			break;
		case 'b':
			if (xg_parse_uint(optarg, 1, 1000000, &frames))
				return xg_fail("top", "invalid --batch '%s': frames, 1-1000000",
					       optarg);
			batch = true;
			break;
		case 'h':
			fputs(top_usage, stdout);
			return 0;
		default:
			return 2;
		}
	}
	if (optind != argc)
		return xg_fail("top", "unexpected argument '%s'", argv[optind]);
	/* curses only on a terminal; scripts get plain frames */
	if (!batch && (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))) {
		batch = true;
		frames = 1;
	}
	t = calloc(1, sizeof(*t));
	f = calloc(1, sizeof(*f));
	if (!t || !f) {
		xg_fail("top", "out of memory");
		goto out_free;
	}
	t->interval_ms = interval_ms;
	t->sort = sort;
	t->api.off = no_api;
	if (xg_cli_open("top", &t->maps, false))
		goto out_free;
	t->prev = malloc(sizeof(*t->prev));
	t->cur = malloc(sizeof(*t->cur));
	t->d = calloc(1, sizeof(*t->d));
	if (!t->prev || !t->cur || !t->d) {
		xg_fail("top", "out of memory");
		goto out;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		xg_fail("top", "cannot initialise libcurl");
		goto out;
	}
	if (!no_api && api_init(&t->api, api, token, interval_ms)) {
		xg_fail("top", "cannot set up the API client");
		goto out_curl;
	}
	if (prime(t)) {
		xg_fail("top", "cannot read the counters");
		goto out_curl;
	}
	ret = batch ? run_batch(t, f, frames) : run_curses(t, f);
out_curl:
	api_free(&t->api);
	curl_global_cleanup();
out:
	free(t->prev);
	free(t->cur);
	free(t->d);
	free(t->talk_prev.v);
	free(t->talk_cur.v);
	free(t->src);
	xg_maps_close(&t->maps);
out_free:
	free(t);
	free(f);
	return ret;
}
