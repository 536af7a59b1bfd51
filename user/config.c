// SPDX-License-Identifier: GPL-2.0-only
/*
 * The daemon's configuration file (layout and keys: config/README.md).
 * json-c parses; every key is then checked for type and range in file
 * order. json-c keeps no positions, so a small scanner over the original
 * text finds the line where a key path appears, for messages of the form
 * "FILE:LINE: KEY.PATH: reason".
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "alert_payload.h"
#include "config.h"
#include "names.h"
#include "rtcfg.h"

#define CFG_MAX_FILE	 (1 << 20)
#define CFG_PATH_MAX	 1024 /* key paths; a longer one falls back to its parent's line */
#define CFG_N_EXTRA	 XG_SVC_EXTRA_COUNT
#define CFG_SCAN_DEPTH	 64  /* json-c stops at 32; the scanner never sees deeper text */
#define CFG_DUP_TRACK	 256 /* distinct paths remembered when looking for duplicate keys */
#define CFG_SAMPLE_MAX	 (1u << 30)
#define CFG_LEARN_MAX	 10000000
#define CFG_LEARNING_MAX 2592000  /* 30 days */
#define CFG_TOW_MIN	 86400	  /* a day */
#define CFG_TOW_MAX	 31536000 /* a year */
#define CFG_CLOSE_MAX	 3600

_Static_assert(sizeof(((struct xg_cfg *)0)->extra) / sizeof(struct xg_cfg_extra_class) ==
		   CFG_N_EXTRA,
	       "one extra class per data-plane slot");

void xg_cfg_defaults(struct xg_cfg *cfg)
{
	int m;

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->attach_mode, sizeof(cfg->attach_mode), "auto");
	cfg->tick_ms = 1000;
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "/var/lib/xdpguard");
	snprintf(cfg->log_level, sizeof(cfg->log_level), "info");
	cfg->monitor_only = false;
	cfg->sample_rate = 64;
	cfg->learn_budget = 20000;
	cfg->sip_udp = (struct xg_cfg_ports){1, {{XG_DEFAULT_SIP_PORT, XG_DEFAULT_SIP_PORT}}};
	cfg->sip_tcp = (struct xg_cfg_ports){1, {{XG_DEFAULT_SIP_PORT, XG_DEFAULT_SIP_PORT}}};
	cfg->sip_tls =
	    (struct xg_cfg_ports){1, {{XG_DEFAULT_SIP_TLS_PORT, XG_DEFAULT_SIP_TLS_PORT}}};
	cfg->rtp = (struct xg_cfg_ports){1, {{XG_DEFAULT_RTP_LO, XG_DEFAULT_RTP_HI}}};

	/* Set here rather than through xg_baseline_cfg_defaults() and
	 * xg_detect_cfg_defaults() so this module links on its own; the values
	 * are the ones baseline.h and detect.h document. */
	cfg->baseline.window = 300;
	cfg->baseline.multiplier = 3.0;
	cfg->baseline.percentile = 99;
	cfg->baseline.learning_s = 300;
	cfg->baseline.tow_after_s = 604800;
	for (m = 0; m < XG_M_MAX; m++)
		cfg->baseline.floor[m] = xg_metric_default_floor(m);
	cfg->detect.close_ticks = 5;

	cfg->mitigation.enabled = true;
	cfg->mitigation.block_ttl_s = 300;
	cfg->mitigation.max_entries = 10000;
	cfg->mitigation.max_inserts_per_min = 6000;
	cfg->mitigation.cooldown_s = 60;
	cfg->mitigation.collateral_share = 0.5;
	cfg->mitigation.max_peers = 50000;
	cfg->mitigation.peer_idle_s = 30 * 86400;
	cfg->mitigation.client_ports = (struct xg_cfg_range){32768, 60999};
	/* the planner's defaults, as planner.h documents them */
	cfg->mitigation.plan.max_block_sources = 32;
	cfg->mitigation.plan.min_source_pps = 50;
	cfg->mitigation.plan.aggregate_min = 4;
	cfg->mitigation.plan.protect_distinct = 500;
	cfg->mitigation.plan.protect_source_pps = 10;
	cfg->mitigation.plan.protect_budget_factor = 2;
	cfg->mitigation.plan.protect_budget_min = 100;
	cfg->mitigation.plan.soft_rate_pps = 50;
	cfg->pcap.enabled = true;
	cfg->pcap.peace_sample_rate = 1024;
	cfg->pcap.incident_sample_rate = 64;
	cfg->pcap.ring_packets = 1000;
	cfg->pcap.max_packets = 10000;
	cfg->pcap.max_age_days = 30;
	cfg->pcap.max_total_mb = 1024;
	cfg->pcap.min_free_mb = 512;
	xg_alerts_cfg_defaults(&cfg->alerts);
	xg_bgp_cfg_defaults(&cfg->bgp);
	cfg->http.enabled = true;
	snprintf(cfg->http.bind, sizeof(cfg->http.bind), "127.0.0.1");
	cfg->http.port = XG_HTTP_DEFAULT_PORT;
	cfg->http.top_ports = 10;
	cfg->http.status_page = true;
	cfg->http.status_redact = true;
}

/* ---- ports ---- */

int xg_cfg_ports_format(const struct xg_cfg_ports *p, const char *prefix, char *buf, size_t len)
{
	size_t off = 0;
	int i, w;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < p->n; i++) {
		size_t room = off < len ? len - off : 0;
		char *at = room ? buf + off : NULL;

		if (p->r[i].lo == p->r[i].hi)
			w = snprintf(at, room, "%s%s%u", i ? "," : "", prefix ? prefix : "",
				     p->r[i].lo);
		else
			w = snprintf(at, room, "%s%s%u-%u", i ? "," : "", prefix ? prefix : "",
				     p->r[i].lo, p->r[i].hi);
		if (w < 0)
			return -1;
		off += (size_t)w;
	}
	return (int)off;
}

bool xg_cfg_ports_contains(const struct xg_cfg_ports *p, uint16_t port)
{
	int i;

	for (i = 0; i < p->n; i++)
		if (port >= p->r[i].lo && port <= p->r[i].hi)
			return true;
	return false;
}

/* One port number, 1-65535, digits only. */
static int parse_port(const char *s, size_t n, uint16_t *out)
{
	unsigned long v = 0;
	size_t i;

	if (!n || n > 5)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

/*
 * "5060, 5080-5082" into p, or with prefixed, "udp:53,tcp:443-444" into
 * udp and tcp. Blank text is no ports. why gets the reason on error.
 */
int xg_cfg_ports_parse(const char *text, bool prefixed, struct xg_cfg_ports *p,
		       struct xg_cfg_ports *tcp, char *why, size_t whylen)
{
	const char *s = text;

	p->n = 0;
	if (tcp)
		tcp->n = 0;
	while (*s == ' ')
		s++;
	if (!*s)
		return 0;
	for (;;) {
		const char *item, *end, *dash;
		struct xg_cfg_ports *dst = p;
		struct xg_cfg_range r;
		size_t n;

		while (*s == ' ')
			s++;
		item = s;
		end = strchr(s, ',');
		if (!end)
			end = s + strlen(s);
		n = (size_t)(end - item);
		while (n && item[n - 1] == ' ')
			n--;
		if (!n) {
			snprintf(why, whylen, "an empty item");
			return -1;
		}
		if (prefixed) {
			if (n > 4 && !strncmp(item, "tcp:", 4)) {
				dst = tcp;
			} else if (n <= 4 || strncmp(item, "udp:", 4)) {
				snprintf(why, whylen, "\"%.*s\" needs udp: or tcp: in front",
					 (int)n, item);
				return -1;
			}
			item += 4;
			n -= 4;
		}
		dash = memchr(item, '-', n);
		if (dash) {
			if (parse_port(item, (size_t)(dash - item), &r.lo) ||
			    parse_port(dash + 1, n - (size_t)(dash - item) - 1, &r.hi)) {
				snprintf(why, whylen, "\"%.*s\" is not a range of ports 1-65535",
					 (int)n, item);
				return -1;
			}
			if (r.lo > r.hi) {
				snprintf(why, whylen, "range \"%.*s\" is reversed", (int)n, item);
				return -1;
			}
		} else {
			if (parse_port(item, n, &r.lo)) {
				snprintf(why, whylen, "\"%.*s\" is not a port 1-65535", (int)n,
					 item);
				return -1;
			}
			r.hi = r.lo;
		}
		if (dst->n == XG_CFG_MAX_RANGES) {
			snprintf(why, whylen, "more than %d ranges%s", XG_CFG_MAX_RANGES,
				 prefixed ? " per protocol" : "");
			return -1;
		}
		dst->r[dst->n++] = r;
		if (!*end)
			return 0;
		s = end + 1;
	}
}

/* ---- positions ----
 * The scanner walks text json-c has already accepted, so it does not
 * validate; it only tracks lines, strings (with escapes, and the single
 * quotes json-c also accepts) and nesting, and reports every object key
 * and array element with its path ("services.extra[1].name") and line.
 */

struct scan {
	const char *s;
	size_t len, i;
	int line;
	int depth;
	int over; /* levels pushed past the end of path: no visits there */
	bool stop;
	size_t plen;
	char path[CFG_PATH_MAX];
	void (*visit)(struct scan *sc, int line, void *ctx);
	void *ctx;
};

static void scan_value(struct scan *sc);

static void scan_ws(struct scan *sc)
{
	while (sc->i < sc->len && isspace((unsigned char)sc->s[sc->i])) {
		if (sc->s[sc->i] == '\n')
			sc->line++;
		sc->i++;
	}
}

static void put_utf8(char *out, size_t outlen, size_t *o, bool *fits, uint32_t cp)
{
	char b[4];
	size_t n, k;

	if (!out)
		return;
	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	for (k = 0; k < n; k++) {
		if (*o + 1 < outlen)
			out[(*o)++] = b[k];
		else
			*fits = false;
	}
}

static bool hex4(const struct scan *sc, size_t at, uint32_t *out)
{
	uint32_t v = 0;
	size_t k;

	if (at + 4 > sc->len)
		return false;
	for (k = 0; k < 4; k++) {
		char c = sc->s[at + k];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return false;
	}
	*out = v;
	return true;
}

/* At a quote: decodes the string into out (when given) as json-c does.
 * Returns false when it did not fit. */
static bool scan_string(struct scan *sc, char *out, size_t outlen)
{
	char q = sc->s[sc->i++];
	bool fits = true;
	size_t o = 0;

	while (sc->i < sc->len) {
		char c = sc->s[sc->i++];
		uint32_t cp, lo;

		if (c == q)
			break;
		if (c == '\n')
			sc->line++;
		if (c != '\\' || sc->i >= sc->len) {
			if (out && o + 1 < outlen)
				out[o++] = c;
			else if (out)
				fits = false;
			continue;
		}
		c = sc->s[sc->i++];
		switch (c) {
		case 'b':
			cp = '\b';
			break;
		case 'f':
			cp = '\f';
			break;
		case 'n':
			cp = '\n';
			break;
		case 'r':
			cp = '\r';
			break;
		case 't':
			cp = '\t';
			break;
		case 'u':
			if (!hex4(sc, sc->i, &cp)) {
				cp = 'u';
				break;
			}
			sc->i += 4;
			if (cp >= 0xd800 && cp <= 0xdbff && sc->i + 1 < sc->len &&
			    sc->s[sc->i] == '\\' && sc->s[sc->i + 1] == 'u' &&
			    hex4(sc, sc->i + 2, &lo) && lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				sc->i += 6;
			} else if (cp >= 0xd800 && cp <= 0xdfff) {
				cp = 0xfffd; /* a lone surrogate, as json-c replaces it */
			}
			break;
		default:
			cp = (unsigned char)c;
			break;
		}
		put_utf8(out, outlen, &o, &fits, cp);
	}
	if (out && outlen)
		out[o < outlen ? o : outlen - 1] = '\0';
	return fits;
}

static size_t path_push(struct scan *sc, const char *key, bool fits, long idx)
{
	size_t old = sc->plen, room = sizeof(sc->path) - old;
	int w;

	if (sc->over || !fits) {
		sc->over++;
		return old;
	}
	if (key)
		w = snprintf(sc->path + old, room, "%s%s", old ? "." : "", key);
	else
		w = snprintf(sc->path + old, room, "[%ld]", idx);
	if (w < 0 || (size_t)w >= room) {
		sc->path[old] = '\0';
		sc->over++;
		return old;
	}
	sc->plen = old + (size_t)w;
	return old;
}

static void path_pop(struct scan *sc, size_t old)
{
	if (sc->over)
		sc->over--;
	sc->plen = old;
	sc->path[old] = '\0';
}

static void scan_object(struct scan *sc)
{
	char key[CFG_PATH_MAX];

	while (!sc->stop) {
		int line;
		bool fits;
		size_t old;

		scan_ws(sc);
		if (sc->i >= sc->len)
			return;
		if (sc->s[sc->i] == '}') {
			sc->i++;
			return;
		}
		if (sc->s[sc->i] != '"' && sc->s[sc->i] != '\'') {
			sc->i++; /* ',' (or anything json-c tolerates) */
			continue;
		}
		line = sc->line;
		fits = scan_string(sc, key, sizeof(key));
		scan_ws(sc);
		if (sc->i < sc->len && sc->s[sc->i] == ':')
			sc->i++;
		old = path_push(sc, key, fits, 0);
		if (!sc->over)
			sc->visit(sc, line, sc->ctx);
		scan_value(sc);
		path_pop(sc, old);
	}
}

static void scan_array(struct scan *sc)
{
	long idx = 0;

	while (!sc->stop) {
		size_t old;

		scan_ws(sc);
		if (sc->i >= sc->len)
			return;
		if (sc->s[sc->i] == ']') {
			sc->i++;
			return;
		}
		if (sc->s[sc->i] == ',') {
			sc->i++;
			continue;
		}
		old = path_push(sc, NULL, true, idx++);
		if (!sc->over)
			sc->visit(sc, sc->line, sc->ctx);
		scan_value(sc);
		path_pop(sc, old);
	}
}

static void scan_value(struct scan *sc)
{
	char c;

	scan_ws(sc);
	if (sc->i >= sc->len || sc->stop)
		return;
	c = sc->s[sc->i];
	if (c == '{' || c == '[') {
		if (++sc->depth > CFG_SCAN_DEPTH) {
			sc->stop = true;
			return;
		}
		sc->i++;
		if (c == '{')
			scan_object(sc);
		else
			scan_array(sc);
		sc->depth--;
	} else if (c == '"' || c == '\'') {
		scan_string(sc, NULL, 0);
	} else {
		/* A number or a literal: up to the next separator. */
		while (sc->i < sc->len && !strchr(",]}", sc->s[sc->i]) &&
		       !isspace((unsigned char)sc->s[sc->i]))
			sc->i++;
	}
}

static void scan_run(const char *text, size_t len, void (*visit)(struct scan *, int, void *),
		     void *ctx)
{
	struct scan *sc = calloc(1, sizeof(*sc));

	if (!sc)
		return;
	sc->s = text;
	sc->len = len;
	sc->line = 1;
	sc->visit = visit;
	sc->ctx = ctx;
	scan_value(sc);
	free(sc);
}

struct find {
	const char *want;
	int line;
};

static void find_visit(struct scan *sc, int line, void *ctx)
{
	struct find *f = ctx;

	/* The last occurrence wins, as it does in json-c. */
	if (!strcmp(sc->path, f->want))
		f->line = line;
}

/* The line of a key path, else of its nearest parent that appears, else 1. */
static int line_of(const char *text, size_t len, const char *path)
{
	char p[CFG_PATH_MAX];

	snprintf(p, sizeof(p), "%s", path);
	while (*p) {
		struct find f = {p, 0};
		char *dot, *br;

		scan_run(text, len, find_visit, &f);
		if (f.line)
			return f.line;
		dot = strrchr(p, '.');
		br = strrchr(p, '[');
		if (!dot && !br)
			break;
		*(dot > br ? dot : br) = '\0';
	}
	return 1;
}

struct dups {
	int n;
	char *path[CFG_DUP_TRACK];
	int line[CFG_DUP_TRACK];
	bool found;
	char dup[CFG_PATH_MAX]; /* the first path seen twice */
	int first_line, dup_line;
};

static void dup_visit(struct scan *sc, int line, void *ctx)
{
	struct dups *d = ctx;
	int k;

	for (k = 0; k < d->n; k++) {
		if (!strcmp(d->path[k], sc->path)) {
			d->found = true;
			snprintf(d->dup, sizeof(d->dup), "%s", sc->path);
			d->first_line = d->line[k];
			d->dup_line = line;
			sc->stop = true;
			return;
		}
	}
	/* Only a document already checked key by key gets here, so its
	 * distinct paths are few; past the limit, paths are still compared. */
	if (d->n < CFG_DUP_TRACK) {
		d->path[d->n] = strdup(sc->path);
		if (d->path[d->n]) {
			d->line[d->n] = line;
			d->n++;
		}
	}
}

/* ---- checking ---- */

struct ctx {
	const char *text;
	size_t len;
	const char *name;
	char *err;
	size_t errlen;
};

/* Messages are one line, whatever a key or value contains. */
static void one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static int fail_at(const struct ctx *c, int line, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail_at(const struct ctx *c, int line, const char *path, const char *fmt, ...)
{
	char why[768];
	va_list ap;

	if (!c->err || !c->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (line > 0 && path)
		snprintf(c->err, c->errlen, "%s:%d: %s: %s", c->name, line, path, why);
	else if (line > 0)
		snprintf(c->err, c->errlen, "%s:%d: %s", c->name, line, why);
	else
		snprintf(c->err, c->errlen, "%s: %s", c->name, why);
	one_line(c->err);
	return -1;
}

static int fail(const struct ctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(const struct ctx *c, const char *path, const char *fmt, ...)
{
	char why[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return fail_at(c, line_of(c->text, c->len, path), path, "%s", why);
}

/* A path too long for out is cut; its messages then take the line of the
 * nearest parent that still matches. */
static void join(char *out, const char *parent, const char *key)
{
	if (snprintf(out, CFG_PATH_MAX, "%s%s%s", parent, *parent ? "." : "", key) >= CFG_PATH_MAX)
		out[CFG_PATH_MAX - 1] = '\0';
}

static void join_idx(char *out, const char *parent, size_t idx)
{
	if (snprintf(out, CFG_PATH_MAX, "%s[%zu]", parent, idx) >= CFG_PATH_MAX)
		out[CFG_PATH_MAX - 1] = '\0';
}

/* A value as the message shows it: JSON text, shortened; containers by kind. */
static const char *describe(struct json_object *v, char *buf, size_t len)
{
	const char *t;

	switch (json_object_get_type(v)) {
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_null:
		return "null";
	case json_type_int:
		/* json-c clamps what does not fit in 64 bits */
		if (json_object_get_uint64(v) == UINT64_MAX ||
		    json_object_get_int64(v) == INT64_MIN)
			return "a number too large for 64 bits";
		/* fall through */
	default:
		t = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
							  JSON_C_TO_STRING_NOSLASHESCAPE);
		if (strlen(t) > 48)
			snprintf(buf, len, "%.45s...", t);
		else
			snprintf(buf, len, "%s", t);
		return buf;
	}
}

static int get_int(const struct ctx *c, struct json_object *v, const char *path, int64_t lo,
		   int64_t hi, int64_t *out)
{
	char got[64];
	int64_t x;

	/* A value over INT64_MAX reads as INT64_MAX: out of range either way. */
	x = json_object_get_int64(v);
	if (!json_object_is_type(v, json_type_int) || x < lo || x > hi)
		return fail(c, path, "must be an integer %lld-%lld, got %s", (long long)lo,
			    (long long)hi, describe(v, got, sizeof(got)));
	*out = x;
	return 0;
}

/* A number (integer or not) in [lo, hi], or (lo, hi] when lo_open. */
static int get_num(const struct ctx *c, struct json_object *v, const char *path, double lo,
		   bool lo_open, double hi, const char *range, double *out)
{
	char got[64];
	double x;

	if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
		return fail(c, path, "must be a number %s, got %s", range,
			    describe(v, got, sizeof(got)));
	x = json_object_get_double(v);
	if (!isfinite(x) || (lo_open ? x <= lo : x < lo) || x > hi)
		return fail(c, path, "must be a number %s, got %s", range,
			    describe(v, got, sizeof(got)));
	*out = x;
	return 0;
}

static int get_bool(const struct ctx *c, struct json_object *v, const char *path, bool *out)
{
	char got[64];

	if (!json_object_is_type(v, json_type_boolean))
		return fail(c, path, "must be true or false, got %s",
			    describe(v, got, sizeof(got)));
	*out = json_object_get_boolean(v);
	return 0;
}

static int get_str(const struct ctx *c, struct json_object *v, const char *path, const char *what,
		   const char **out)
{
	char got[64];

	if (!json_object_is_type(v, json_type_string))
		return fail(c, path, "must be %s, got %s", what, describe(v, got, sizeof(got)));
	*out = json_object_get_string(v);
	return 0;
}

static int get_object(const struct ctx *c, struct json_object *v, const char *path)
{
	char got[64];

	if (!json_object_is_type(v, json_type_object))
		return fail(c, path, "must be an object, got %s", describe(v, got, sizeof(got)));
	return 0;
}

/* One of a fixed set of words, copied into out. */
static int get_word(const struct ctx *c, struct json_object *v, const char *path,
		    const char *const *words, const char *list, char *out, size_t outlen)
{
	char got[64];
	const char *s;
	int k;

	if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		for (k = 0; words[k]; k++) {
			if (!strcmp(s, words[k])) {
				snprintf(out, outlen, "%s", s);
				return 0;
			}
		}
	}
	return fail(c, path, "must be one of %s, got %s", list, describe(v, got, sizeof(got)));
}

/* s fits a buffer of size and is one line: no control characters, which
 * would break a log line, or a header (injection). */
static int check_text(const struct ctx *c, const char *path, const char *s, size_t size)
{
	const char *p;

	if (strlen(s) >= size)
		return fail(c, path, "longer than %zu characters", size - 1);
	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return fail(c, path, "contains a control character");
	return 0;
}

/* A string checked by check_text, copied into out. The value is never
 * shown: it may be a credential. */
static int get_text(const struct ctx *c, struct json_object *v, const char *path, char *out,
		    size_t size)
{
	const char *s;

	if (!json_object_is_type(v, json_type_string))
		return fail(c, path, "must be a string");
	s = json_object_get_string(v);
	if (check_text(c, path, s, size))
		return -1;
	snprintf(out, size, "%s", s);
	return 0;
}

static int get_ports(const struct ctx *c, struct json_object *v, const char *path, bool prefixed,
		     struct xg_cfg_ports *p, struct xg_cfg_ports *tcp)
{
	const char *what = prefixed ? "a string of ports like \"udp:53,tcp:443-444\""
				    : "a string of ports like \"5060,5080-5082\"";
	char why[160], got[64];
	const char *s;

	if (get_str(c, v, path, what, &s))
		return -1;
	if (xg_cfg_ports_parse(s, prefixed, p, tcp, why, sizeof(why)))
		return fail(c, path, "invalid port list %s: %s", describe(v, got, sizeof(got)),
			    why);
	return 0;
}

static bool ifname_ok(const char *s)
{
	size_t n = strlen(s);

	/* The kernel's dev_valid_name(), and IFNAMSIZ. */
	if (!n || n >= 16 || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s) ||
		    (unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* An array of at most max elements, each read by elem (with its index and
 * arg) into the caller's storage; *n is the count read. what names the
 * elements in "must be an array of ...", noun in "at most N ...". */
struct list_spec {
	const char *what;
	const char *noun;
	int max;
	int (*elem)(const struct ctx *c, struct json_object *e, const char *path, int i, void *arg);
	bool hide; /* a wrong value is not shown: it may be a credential */
};

static int get_list(const struct ctx *c, struct json_object *v, const char *path,
		    const struct list_spec *l, void *arg, int *n)
{
	char got[64], epath[CFG_PATH_MAX];
	size_t i, len;

	if (!json_object_is_type(v, json_type_array))
		return fail(c, path, "must be an array of %s, got %s", l->what,
			    l->hide ? "something else" : describe(v, got, sizeof(got)));
	len = json_object_array_length(v);
	if (len > (size_t)l->max)
		return fail(c, path, "at most %d %s, got %zu", l->max, l->noun, len);
	for (i = 0; i < len; i++) {
		join_idx(epath, path, i);
		if (l->elem(c, json_object_array_get_idx(v, i), epath, (int)i, arg))
			return -1;
	}
	*n = (int)len;
	return 0;
}

/* The parent of an element's path, "interfaces" of "interfaces[2]": its
 * length, for messages. */
static int parent_len(const char *path)
{
	const char *br = strrchr(path, '[');

	return br ? (int)(br - path) : (int)strlen(path);
}

/* One interface name into arg, a char[][16], unique in the list. */
static int iface_elem(const struct ctx *c, struct json_object *e, const char *path, int i,
		      void *arg)
{
	char(*out)[16] = arg, got[64];
	const char *s;
	int j;

	if (get_str(c, e, path, "an interface name (a string)", &s))
		return -1;
	if (!ifname_ok(s))
		return fail(c, path,
			    "invalid interface name %s: 1-15 characters, no '/', ':' or spaces",
			    describe(e, got, sizeof(got)));
	for (j = 0; j < i; j++)
		if (!strcmp(out[j], s))
			return fail(c, path, "duplicate interface \"%s\" (also %.*s[%d])", s,
				    parent_len(path), path, j);
	snprintf(out[i], 16, "%s", s);
	return 0;
}

static const struct list_spec iface_list = {"interface names", "interfaces", XG_CFG_MAX_IFACES,
					    iface_elem, false};

static int parse_state_dir(const struct ctx *c, struct json_object *v, const char *path,
			   struct xg_cfg *cfg)
{
	char got[64];
	const char *s;

	if (get_str(c, v, path, "an absolute path (a string)", &s))
		return -1;
	if (s[0] != '/')
		return fail(c, path, "must be an absolute path, got %s",
			    describe(v, got, sizeof(got)));
	if (check_text(c, path, s, sizeof(cfg->state_dir)))
		return -1;
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", s);
	return 0;
}

static int parse_u32(const struct ctx *c, struct json_object *v, const char *path, int64_t lo,
		     int64_t hi, uint32_t *out)
{
	int64_t x;

	if (get_int(c, v, path, lo, hi, &x))
		return -1;
	*out = (uint32_t)x;
	return 0;
}

/* 1 in N packets: 0 (off) or a power of 2 up to max. */
static int get_rate(const struct ctx *c, struct json_object *v, const char *path, uint32_t max,
		    uint32_t *out)
{
	char got[64];
	int64_t x = json_object_get_int64(v);

	if (!json_object_is_type(v, json_type_int) || x < 0 || x > max || (x & (x - 1)))
		return fail(c, path, "must be 0 (off) or a power of 2 up to %u, got %s", max,
			    describe(v, got, sizeof(got)));
	*out = (uint32_t)x;
	return 0;
}

static int parse_sample_rate(const struct ctx *c, struct json_object *v, const char *path,
			     struct xg_cfg *cfg)
{
	return get_rate(c, v, path, CFG_SAMPLE_MAX, &cfg->sample_rate);
}

static bool name_char_ok(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
}

static int parse_extra_class(const struct ctx *c, struct json_object *v, const char *path,
			     struct xg_cfg_extra_class *x, bool *udp_set, bool *tcp_set)
{
	char kpath[CFG_PATH_MAX], got[64];
	bool named = false;
	int svc;

	if (get_object(c, v, path))
		return -1;
	json_object_object_foreach (v, key, val) {
		join(kpath, path, key);
		if (!strcmp(key, "name")) {
			const char *s, *p;

			if (get_str(c, val, kpath, "a class name (a string)", &s))
				return -1;
			for (p = s; *p && name_char_ok(*p); p++)
				;
			if (!*s || *p || strlen(s) >= sizeof(x->name))
				return fail(c, kpath,
					    "must be 1-%zu characters a-z 0-9 _ -, got %s",
					    sizeof(x->name) - 1, describe(val, got, sizeof(got)));
			for (svc = 0; svc < XG_SVC_MAX; svc++)
				if (!strcmp(s, xg_svc_name(svc)))
					return fail(c, kpath, "\"%s\" is a built-in class name", s);
			snprintf(x->name, sizeof(x->name), "%s", s);
			named = true;
		} else if (!strcmp(key, "udp_ports")) {
			if (get_ports(c, val, kpath, false, &x->udp, NULL))
				return -1;
			*udp_set = true;
		} else if (!strcmp(key, "tcp_ports")) {
			if (get_ports(c, val, kpath, false, &x->tcp, NULL))
				return -1;
			*tcp_set = true;
		} else {
			return fail(c, kpath, "unknown key (known: name, udp_ports, tcp_ports)");
		}
	}
	if (!named)
		return fail(c, path, "a class needs a \"name\"");
	if (!x->udp.n && !x->tcp.n)
		return fail(c, path, "class \"%s\" needs udp_ports or tcp_ports", x->name);
	return 0;
}

/* A port belongs to one service class at most: the data plane's table maps
 * each (protocol, port) to one. */
struct port_owner {
	const char *path;
	const struct xg_cfg_ports *p;
	bool udp;
	bool in_file;
};

static int check_overlaps(const struct ctx *c, const struct port_owner *o, int n)
{
	int a, b, i, j;

	for (b = 1; b < n; b++) {
		for (a = 0; a < b; a++) {
			if (o[a].udp != o[b].udp)
				continue;
			for (i = 0; i < o[a].p->n; i++) {
				for (j = 0; j < o[b].p->n; j++) {
					const struct xg_cfg_range *ra = &o[a].p->r[i];
					const struct xg_cfg_range *rb = &o[b].p->r[j];
					uint16_t lo = ra->lo > rb->lo ? ra->lo : rb->lo;
					uint16_t hi = ra->hi < rb->hi ? ra->hi : rb->hi;
					/* Blame the one the file sets. */
					const struct port_owner *at =
					    o[b].in_file || !o[a].in_file ? &o[b] : &o[a];
					const struct port_owner *other =
					    at == &o[b] ? &o[a] : &o[b];

					if (lo > hi)
						continue;
					return fail(c, at->path,
						    "%s port %u is also in %s (a port belongs to "
						    "one service class)",
						    o[b].udp ? "udp" : "tcp", lo, other->path);
				}
			}
		}
	}
	return 0;
}

static int parse_services(const struct ctx *c, struct json_object *v, const char *path,
			  struct xg_cfg *cfg)
{
	struct port_owner own[4 + 2 * CFG_N_EXTRA];
	char kpath[CFG_PATH_MAX];
	char xpath[CFG_N_EXTRA][2][CFG_PATH_MAX];
	bool set[4] = {false}, xset[CFG_N_EXTRA][2] = {{false}};
	int k, n = 0;

	if (get_object(c, v, path))
		return -1;
	json_object_object_foreach (v, key, val) {
		join(kpath, path, key);
		if (!strcmp(key, "sip_udp_ports")) {
			if (get_ports(c, val, kpath, false, &cfg->sip_udp, NULL))
				return -1;
			set[0] = true;
		} else if (!strcmp(key, "sip_tcp_ports")) {
			if (get_ports(c, val, kpath, false, &cfg->sip_tcp, NULL))
				return -1;
			set[1] = true;
		} else if (!strcmp(key, "sip_tls_ports")) {
			if (get_ports(c, val, kpath, false, &cfg->sip_tls, NULL))
				return -1;
			set[2] = true;
		} else if (!strcmp(key, "rtp_ports")) {
			if (get_ports(c, val, kpath, false, &cfg->rtp, NULL))
				return -1;
			set[3] = true;
		} else if (!strcmp(key, "watched_ports")) {
			if (get_ports(c, val, kpath, true, &cfg->watched_udp, &cfg->watched_tcp))
				return -1;
		} else if (!strcmp(key, "extra")) {
			char got[64], epath[CFG_PATH_MAX], npath[CFG_PATH_MAX];
			size_t i, j, ne;

			if (!json_object_is_type(val, json_type_array))
				return fail(c, kpath, "must be an array of classes, got %s",
					    describe(val, got, sizeof(got)));
			ne = json_object_array_length(val);
			if (ne > (size_t)CFG_N_EXTRA)
				return fail(c, kpath, "at most %d classes, got %zu", CFG_N_EXTRA,
					    ne);
			memset(cfg->extra, 0, sizeof(cfg->extra));
			memset(xset, 0, sizeof(xset));
			for (i = 0; i < ne; i++) {
				join_idx(epath, kpath, i);
				if (parse_extra_class(c, json_object_array_get_idx(val, i), epath,
						      &cfg->extra[i], &xset[i][0], &xset[i][1]))
					return -1;
				for (j = 0; j < i; j++)
					if (!strcmp(cfg->extra[j].name, cfg->extra[i].name)) {
						join(npath, epath, "name");
						return fail(c, npath,
							    "duplicate class name \"%s\" (also "
							    "%s[%zu])",
							    cfg->extra[i].name, kpath, j);
					}
			}
		} else {
			return fail(c, kpath,
				    "unknown key (known: sip_udp_ports, sip_tcp_ports, "
				    "sip_tls_ports, rtp_ports, extra, watched_ports)");
		}
	}

	own[n++] = (struct port_owner){"services.sip_udp_ports", &cfg->sip_udp, true, set[0]};
	own[n++] = (struct port_owner){"services.sip_tcp_ports", &cfg->sip_tcp, false, set[1]};
	own[n++] = (struct port_owner){"services.sip_tls_ports", &cfg->sip_tls, false, set[2]};
	own[n++] = (struct port_owner){"services.rtp_ports", &cfg->rtp, true, set[3]};
	for (k = 0; k < CFG_N_EXTRA && cfg->extra[k].name[0]; k++) {
		snprintf(xpath[k][0], CFG_PATH_MAX, "services.extra[%d].udp_ports", k);
		snprintf(xpath[k][1], CFG_PATH_MAX, "services.extra[%d].tcp_ports", k);
		own[n++] = (struct port_owner){xpath[k][0], &cfg->extra[k].udp, true, xset[k][0]};
		own[n++] = (struct port_owner){xpath[k][1], &cfg->extra[k].tcp, false, xset[k][1]};
	}
	return check_overlaps(c, own, n);
}

static int parse_floors(const struct ctx *c, struct json_object *v, const char *path,
			struct xg_cfg *cfg)
{
	char kpath[CFG_PATH_MAX], known[512];
	size_t off = 0;
	int m;

	if (get_object(c, v, path))
		return -1;
	json_object_object_foreach (v, key, val) {
		join(kpath, path, key);
		m = xg_metric_by_name(key);
		if (m < 0) {
			for (m = 0; m < XG_M_MAX && off < sizeof(known); m++)
				off += (size_t)snprintf(known + off, sizeof(known) - off, "%s%s",
							m ? ", " : "", xg_metric_name(m));
			return fail(c, kpath, "unknown metric (known: %s)", known);
		}
		if (get_num(c, val, kpath, 0, false, 1e15, "0-1e15", &cfg->baseline.floor[m]))
			return -1;
	}
	return 0;
}

static int parse_baseline(const struct ctx *c, struct json_object *v, const char *path,
			  struct xg_cfg *cfg)
{
	struct xg_baseline_cfg *b = &cfg->baseline;
	char kpath[CFG_PATH_MAX];
	int64_t x;

	if (get_object(c, v, path))
		return -1;
	json_object_object_foreach (v, key, val) {
		join(kpath, path, key);
		if (!strcmp(key, "window")) {
			if (get_int(c, val, kpath, 10, XG_BASELINE_WINDOW_MAX, &x))
				return -1;
			b->window = (int)x;
		} else if (!strcmp(key, "multiplier")) {
			if (get_num(c, val, kpath, 1, true, 100, "over 1 and at most 100",
				    &b->multiplier))
				return -1;
		} else if (!strcmp(key, "percentile")) {
			if (get_num(c, val, kpath, 50, false, 100, "50-100", &b->percentile))
				return -1;
		} else if (!strcmp(key, "learning_s")) {
			if (get_int(c, val, kpath, 0, CFG_LEARNING_MAX, &x))
				return -1;
			b->learning_s = (uint64_t)x;
		} else if (!strcmp(key, "tow_after_s")) {
			if (get_int(c, val, kpath, CFG_TOW_MIN, CFG_TOW_MAX, &x))
				return -1;
			b->tow_after_s = (uint64_t)x;
		} else if (!strcmp(key, "floors")) {
			if (parse_floors(c, val, kpath, cfg))
				return -1;
		} else {
			return fail(c, kpath,
				    "unknown key (known: window, multiplier, percentile, "
				    "learning_s, tow_after_s, floors)");
		}
	}
	return 0;
}

static int parse_detection(const struct ctx *c, struct json_object *v, const char *path,
			   struct xg_cfg *cfg)
{
	char kpath[CFG_PATH_MAX];
	int64_t x;

	if (get_object(c, v, path))
		return -1;
	json_object_object_foreach (v, key, val) {
		join(kpath, path, key);
		if (!strcmp(key, "close_ticks")) {
			if (get_int(c, val, kpath, 1, CFG_CLOSE_MAX, &x))
				return -1;
			cfg->detect.close_ticks = (int)x;
		} else {
			return fail(c, kpath, "unknown key (known: close_ticks)");
		}
	}
	return 0;
}

/* An array of at most max CIDR strings. */
static int parse_cidrs(const struct ctx *c, struct json_object *v, const char *path,
		       struct xg_cidr *out, int max, int *n)
{
	char got[64], ipath[CFG_PATH_MAX], why[160];
	size_t i, len;

	if (!json_object_is_type(v, json_type_array))
		return fail(c, path, "must be an array of CIDR strings, got %s",
			    describe(v, got, sizeof(got)));
	len = json_object_array_length(v);
	if (len > (size_t)max)
		return fail(c, path, "at most %d entries, got %zu", max, len);
	for (i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);

		snprintf(ipath, sizeof(ipath), "%s[%zu]", path, i);
		if (!json_object_is_type(e, json_type_string))
			return fail(c, ipath, "must be a CIDR string, got %s",
				    describe(e, got, sizeof(got)));
		if (xg_cidr_parse(json_object_get_string(e), &out[i], why, sizeof(why)))
			return fail(c, ipath, "invalid CIDR: %s", why);
	}
	*n = (int)len;
	return 0;
}

static int parse_mitigation(const struct ctx *c, struct json_object *v, const char *path,
			    struct xg_cfg *cfg)
{
	struct xg_mitigation_cfg *m = &cfg->mitigation;
	char kpath[CFG_PATH_MAX];
	int ret = 0;
	int64_t x;

	if (get_object(c, v, path))
		return -1;
	json_object_object_foreach (v, key, val) {
		join(kpath, path, key);
		if (!strcmp(key, "enabled")) {
			ret = get_bool(c, val, kpath, &m->enabled);
		} else if (!strcmp(key, "dry_run")) {
			ret = get_bool(c, val, kpath, &m->dry_run);
		} else if (!strcmp(key, "block_ttl_s")) {
			ret = parse_u32(c, val, kpath, 1, 86400 * 30, &m->block_ttl_s);
		} else if (!strcmp(key, "max_entries")) {
			ret = parse_u32(c, val, kpath, 1, 1000000, &m->max_entries);
		} else if (!strcmp(key, "max_inserts_per_min")) {
			ret = parse_u32(c, val, kpath, 1, 10000000, &m->max_inserts_per_min);
		} else if (!strcmp(key, "cooldown_s")) {
			ret = parse_u32(c, val, kpath, 0, 86400, &m->cooldown_s);
		} else if (!strcmp(key, "collateral_share")) {
			ret = get_num(c, val, kpath, 0, false, 1, "0-1 (0 turns the check off)",
				      &m->collateral_share);
		} else if (!strcmp(key, "max_peers")) {
			ret = parse_u32(c, val, kpath, 0, XG_ALLOW_EXACT_MAX, &m->max_peers);
		} else if (!strcmp(key, "peer_idle_s")) {
			ret = parse_u32(c, val, kpath, 60, 86400 * 365, &m->peer_idle_s);
		} else if (!strcmp(key, "client_ports")) {
			struct xg_cfg_ports p = {0};

			ret = get_ports(c, val, kpath, false, &p, NULL);
			if (!ret && p.n != 1)
				ret =
				    fail(c, kpath, "must be one port range, like \"32768-60999\"");
			if (!ret)
				m->client_ports = p.r[0];
		} else if (!strcmp(key, "allowlist")) {
			ret = parse_cidrs(c, val, kpath, m->allow, XG_CFG_MAX_CIDRS, &m->n_allow);
		} else if (!strcmp(key, "soft_allowlist")) {
			ret = parse_cidrs(c, val, kpath, m->soft, XG_CFG_MAX_CIDRS, &m->n_soft);
		} else if (!strcmp(key, "max_block_sources")) {
			ret = get_int(c, val, kpath, 0, XG_PLAN_MAX_STEPS - 8, &x);
			m->plan.max_block_sources = (int)x;
		} else if (!strcmp(key, "min_source_pps")) {
			ret =
			    get_num(c, val, kpath, 0, false, 1e9, "0-1e9", &m->plan.min_source_pps);
		} else if (!strcmp(key, "aggregate_min")) {
			ret = get_int(c, val, kpath, 2, 256, &x);
			m->plan.aggregate_min = (int)x;
		} else if (!strcmp(key, "protect_distinct")) {
			ret = get_num(c, val, kpath, 1, false, 1e9, "1-1e9",
				      &m->plan.protect_distinct);
		} else if (!strcmp(key, "protect_source_pps")) {
			ret = parse_u32(c, val, kpath, 1, 1000000, &m->plan.protect_source_pps);
		} else if (!strcmp(key, "protect_budget_factor")) {
			ret = get_num(c, val, kpath, 0, true, 1000, "over 0 and at most 1000",
				      &m->plan.protect_budget_factor);
		} else if (!strcmp(key, "protect_budget_min")) {
			ret = parse_u32(c, val, kpath, 1, 100000000, &m->plan.protect_budget_min);
		} else if (!strcmp(key, "soft_rate_pps")) {
			ret = parse_u32(c, val, kpath, 1, 100000000, &m->plan.soft_rate_pps);
		} else {
			ret =
			    fail(c, kpath,
				 "unknown key (known: enabled, dry_run, block_ttl_s, max_entries, "
				 "max_inserts_per_min, cooldown_s, collateral_share, max_peers, "
				 "peer_idle_s, client_ports, allowlist, soft_allowlist, "
				 "max_block_sources, min_source_pps, aggregate_min, "
				 "protect_distinct, protect_source_pps, protect_budget_factor, "
				 "protect_budget_min, soft_rate_pps)");
		}
		if (ret)
			return -1;
	}
	return 0;
}

/* ---- pcap ---- */

#define CFG_PCAP_RATE_MAX 65536
#define CFG_PCAP_RING_MAX 100000
#define CFG_PCAP_FILE_MAX 1000000
#define CFG_PCAP_AGE_MAX  3650
#define CFG_PCAP_MB_MAX	  10000000

/* "" (STATE_DIR/pcaps) or an absolute path. */
static int parse_pcap_dir(const struct ctx *c, struct json_object *v, const char *path,
			  struct xg_pcap_cfg *p)
{
	char got[64];
	const char *s;

	if (get_str(c, v, path, "an absolute path or \"\" (a string)", &s))
		return -1;
	if (s[0] && s[0] != '/')
		return fail(c, path, "must be an absolute path or \"\", got %s",
			    describe(v, got, sizeof(got)));
	if (check_text(c, path, s, sizeof(p->dir)))
		return -1;
	snprintf(p->dir, sizeof(p->dir), "%s", s);
	return 0;
}

static int parse_pcap(const struct ctx *c, struct json_object *v, const char *path,
		      struct xg_cfg *cfg)
{
	struct xg_pcap_cfg *p = &cfg->pcap;
	char kpath[CFG_PATH_MAX];
	int ret;

	if (get_object(c, v, path))
		return -1;
	json_object_object_foreach (v, key, val) {
		join(kpath, path, key);
		if (!strcmp(key, "enabled"))
			ret = get_bool(c, val, kpath, &p->enabled);
		else if (!strcmp(key, "dir"))
			ret = parse_pcap_dir(c, val, kpath, p);
		else if (!strcmp(key, "peace_sample_rate"))
			ret = get_rate(c, val, kpath, CFG_PCAP_RATE_MAX, &p->peace_sample_rate);
		else if (!strcmp(key, "incident_sample_rate"))
			ret = get_rate(c, val, kpath, CFG_PCAP_RATE_MAX, &p->incident_sample_rate);
		else if (!strcmp(key, "ring_packets"))
			ret = parse_u32(c, val, kpath, 0, CFG_PCAP_RING_MAX, &p->ring_packets);
		else if (!strcmp(key, "max_packets"))
			ret = parse_u32(c, val, kpath, 1, CFG_PCAP_FILE_MAX, &p->max_packets);
		else if (!strcmp(key, "max_age_days"))
			ret = parse_u32(c, val, kpath, 0, CFG_PCAP_AGE_MAX, &p->max_age_days);
		else if (!strcmp(key, "max_total_mb"))
			ret = parse_u32(c, val, kpath, 0, CFG_PCAP_MB_MAX, &p->max_total_mb);
		else if (!strcmp(key, "min_free_mb"))
			ret = parse_u32(c, val, kpath, 0, CFG_PCAP_MB_MAX, &p->min_free_mb);
		else
			ret = fail(c, kpath,
				   "unknown key (known: enabled, dir, peace_sample_rate, "
				   "incident_sample_rate, ring_packets, max_packets, max_age_days, "
				   "max_total_mb, min_free_mb)");
		if (ret)
			return -1;
	}
	/* The ring is the start of every incident's file: it must fit. Checked
	 * once both are read, whatever their order (either may be a default). */
	if (p->max_packets < p->ring_packets) {
		join(kpath, path, "max_packets");
		return fail(c, kpath, "must be at least ring_packets (%u), got %u", p->ring_packets,
			    p->max_packets);
	}
	return 0;
}

/* ---- alerts ---- */

#define CFG_TIMEOUT_MIN 100
#define CFG_TIMEOUT_MAX 120000
#define CFG_SUN_PATH	108 /* sizeof(sockaddr_un.sun_path) */

/* Where a sink key applies, as a mask of types. */
#define ST(x)  (1u << XG_ROUTE_SINK_##x)
#define T_HTTP (ST(WEBHOOK) | ST(PAGERDUTY) | ST(SLACK) | ST(DISCORD) | ST(OPSGENIE))
#define T_NET  (T_HTTP | ST(EMAIL))
/* A field of struct xg_alert_sink_cfg: its offset and size. */
#define SF(f) offsetof(struct xg_alert_sink_cfg, f), sizeof(((struct xg_alert_sink_cfg *)0)->f)

enum sink_kind {
	SK_TEXT,   /* any one-line string */
	SK_SECRET, /* the same, shown as "***" */
	SK_URL,	   /* http(s)://, or smtp(s):// for email */
	SK_ADDR,   /* an email address */
	SK_PATH,   /* "" or an absolute path */
	SK_TARGET, /* udp:HOST:PORT or unix:/PATH */
	SK_BOOL,
	SK_TIMEOUT,
	SK_FACILITY,
	SK_FORMAT,
	SK_HEADERS,
	SK_TO,
};

/* The keys of a sink besides name and type, in the order messages list
 * them and config show prints them. One table for parsing, "known:" lists,
 * required fields and output, so they cannot disagree. */
struct sink_key {
	const char *name;
	unsigned types;	   /* where it applies */
	unsigned required; /* where it must be set (not empty) */
	enum sink_kind kind;
	size_t off, size;
};

static const struct sink_key sink_keys[] = {
    {"url", T_NET, ST(WEBHOOK) | ST(SLACK) | ST(DISCORD) | ST(EMAIL), SK_URL, SF(url)},
    {"secret", ST(WEBHOOK), 0, SK_SECRET, SF(secret)},
    {"headers", ST(WEBHOOK), 0, SK_HEADERS, SF(headers)},
    {"routing_key", ST(PAGERDUTY), ST(PAGERDUTY), SK_SECRET, SF(routing_key)},
    {"mention", ST(DISCORD), 0, SK_TEXT, SF(mention)},
    {"api_key", ST(OPSGENIE), ST(OPSGENIE), SK_SECRET, SF(api_key)},
    {"from", ST(EMAIL), ST(EMAIL), SK_ADDR, SF(from)},
    {"to", ST(EMAIL), ST(EMAIL), SK_TO, SF(to)},
    {"user", ST(EMAIL), 0, SK_TEXT, SF(user)},
    {"password", ST(EMAIL), 0, SK_SECRET, SF(password)},
    {"starttls", ST(EMAIL), 0, SK_BOOL, SF(starttls)},
    {"subject_prefix", ST(EMAIL), 0, SK_TEXT, SF(subject_prefix)},
    {"target", ST(SYSLOG), 0, SK_TARGET, SF(target)},
    {"facility", ST(SYSLOG), 0, SK_FACILITY, SF(facility)},
    {"format", ST(SYSLOG), 0, SK_FORMAT, SF(cef)},
    {"tls_verify", T_NET, 0, SK_BOOL, SF(tls_verify)},
    {"ca_file", T_NET, 0, SK_PATH, SF(ca_file)},
    {"timeout_ms", T_NET, 0, SK_TIMEOUT, SF(timeout_ms)},
};

#define N_SINK_KEYS (sizeof(sink_keys) / sizeof(sink_keys[0]))

/* What xg_alert_syslog_facility() accepts, for messages and config show. */
static const char *const facilities[] = {
    "kern",   "user",	"mail",	    "daemon", "auth",	"syslog",   "lpr",     "news",
    "uucp",   "cron",	"authpriv", "ftp",    "ntp",	"security", "console", "clock",
    "local0", "local1", "local2",   "local3", "local4", "local5",   "local6",  "local7",
};

#define N_FACILITIES (sizeof(facilities) / sizeof(facilities[0]))

static const char *const sink_types[] = {"webhook",  "pagerduty", "slack",  "discord",
					 "opsgenie", "email",	  "syslog", NULL};
static const char *const severities[] = {"info", "warning", "error", "critical", NULL};
static const char *const syslog_formats[] = {"rfc5424", "cef", NULL};

/* "a slack", "an email": the start of messages about a sink of type t. */
static const char *a_type(enum xg_route_sink_type t, char *buf, size_t len)
{
	const char *name = xg_route_sink_type_name(t);

	snprintf(buf, len, "%s %s", strchr("aeiou", name[0]) ? "an" : "a", name);
	return buf;
}

/* "name, type, url, ...": the keys of a sink of type t. */
static const char *sink_known(enum xg_route_sink_type t, char *buf, size_t len)
{
	size_t k, off;

	off = (size_t)snprintf(buf, len, "name, type");
	for (k = 0; k < N_SINK_KEYS && off < len; k++)
		if (sink_keys[k].types & (1u << t))
			off += (size_t)snprintf(buf + off, len - off, ", %s", sink_keys[k].name);
	return buf;
}

static bool route_name_ok(const char *s)
{
	const char *p;

	for (p = s; *p && (isalnum((unsigned char)*p) || strchr("_-.", *p)); p++)
		;
	return *s && !*p && p - s < XG_ROUTE_NAME_LEN;
}

/* A sink or policy name (alert_route's rule) into out, XG_ROUTE_NAME_LEN. */
static int get_name(const struct ctx *c, struct json_object *v, const char *path, char *out)
{
	char got[64];

	if (!json_object_is_type(v, json_type_string) || !route_name_ok(json_object_get_string(v)))
		return fail(c, path, "must be 1-%d characters A-Z a-z 0-9 _ - ., got %s",
			    XG_ROUTE_NAME_LEN - 1, describe(v, got, sizeof(got)));
	snprintf(out, XG_ROUTE_NAME_LEN, "%s", json_object_get_string(v));
	return 0;
}

static int name_elem(const struct ctx *c, struct json_object *e, const char *path, int i, void *arg)
{
	char(*out)[XG_ROUTE_NAME_LEN] = arg;

	return get_name(c, e, path, out[i]);
}

static bool has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* scheme://, then something other than a path: a host at least. */
static bool url_ok(const char *s, enum xg_route_sink_type t)
{
	const char *a = t == XG_ROUTE_SINK_EMAIL ? "smtp://" : "http://";
	const char *b = t == XG_ROUTE_SINK_EMAIL ? "smtps://" : "https://";
	const char *rest;

	if (has_prefix(s, a))
		rest = s + strlen(a);
	else if (has_prefix(s, b))
		rest = s + strlen(b);
	else
		return false;
	return *rest && *rest != '/' && !strchr(s, ' ');
}

/* "HOST:PORT", HOST a name or address, IPv6 in brackets, PORT 1-65535. A
 * host has no room for userinfo, so a valid one holds no credential. */
static bool hostport_ok(const char *host)
{
	const char *colon;
	size_t hl, i;
	uint16_t port;
	bool v6;

	colon = strrchr(host, ':');
	if (!colon || parse_port(colon + 1, strlen(colon + 1), &port))
		return false;
	hl = (size_t)(colon - host);
	v6 = hl > 2 && host[0] == '[' && host[hl - 1] == ']';
	if (v6) {
		host++;
		hl -= 2;
	}
	for (i = 0; i < hl; i++)
		if (!isalnum((unsigned char)host[i]) && !strchr(v6 ? ":.%" : ".-_", host[i]))
			return false;
	return hl > 0;
}

/* "udp:HOST:PORT" or "unix:/PATH", the shapes xg_send_syslog() takes. */
static bool target_ok(const char *s)
{
	if (has_prefix(s, "unix:"))
		return s[5] == '/' && strlen(s + 5) < CFG_SUN_PATH;
	return has_prefix(s, "udp:") && hostport_ok(s + 4);
}

/* The reason a checked string of kind k (for a sink of type t) is wrong, or
 * NULL. */
static const char *sink_text_why(enum sink_kind k, enum xg_route_sink_type t, const char *s)
{
	switch (k) {
	case SK_URL:
		if (url_ok(s, t))
			return NULL;
		return t == XG_ROUTE_SINK_EMAIL ? "must be an smtp:// or smtps:// URL"
						: "must be an http:// or https:// URL";
	case SK_ADDR:
		return !*s || strchr(s, '@') ? NULL : "must be an email address (with an @)";
	case SK_PATH:
		return !*s || *s == '/' ? NULL : "must be an absolute path (or \"\")";
	case SK_TARGET:
		return target_ok(s) ? NULL
				    : "must be \"udp:HOST:PORT\" (port 1-65535, an IPv6 host in "
				      "[ ]) or \"unix:/absolute/path\"";
	default:
		return NULL;
	}
}

/* RFC 7230 tchar: what a header name is made of. */
static bool tchar(char ch)
{
	return isalnum((unsigned char)ch) || (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

static int header_elem(const struct ctx *c, struct json_object *e, const char *path, int i,
		       void *arg)
{
	struct xg_alert_sink_cfg *s = arg;
	const char *h = s->headers[i];

	if (get_text(c, e, path, s->headers[i], sizeof(s->headers[i])))
		return -1;
	while (tchar(*h))
		h++;
	if (h == s->headers[i] || *h != ':')
		return fail(c, path,
			    "must be \"Name: value\", the name of letters, digits and "
			    "!#$%%&'*+-.^_`|~");
	return 0;
}

static int to_elem(const struct ctx *c, struct json_object *e, const char *path, int i, void *arg)
{
	struct xg_alert_sink_cfg *s = arg;

	if (get_text(c, e, path, s->to[i], sizeof(s->to[i])))
		return -1;
	return strchr(s->to[i], '@') ? 0 : fail(c, path, "must be an email address (with an @)");
}

static const struct list_spec header_list = {"headers \"Name: value\"", "headers",
					     XG_ALERT_MAX_HEADERS, header_elem, true};
static const struct list_spec to_list = {"email addresses", "addresses", XG_ALERT_MAX_RCPT, to_elem,
					 false};

static int get_facility(const struct ctx *c, struct json_object *v, const char *path, int *out)
{
	char got[64], known[256];
	size_t k, off = 0;

	if (json_object_is_type(v, json_type_string)) {
		*out = xg_alert_syslog_facility(json_object_get_string(v));
		if (*out >= 0)
			return 0;
	}
	for (k = 0; k < N_FACILITIES && off < sizeof(known); k++)
		off += (size_t)snprintf(known + off, sizeof(known) - off, "%s%s", k ? ", " : "",
					facilities[k]);
	return fail(c, path, "must be a syslog facility (%s), got %s", known,
		    describe(v, got, sizeof(got)));
}

static int parse_sink_key(const struct ctx *c, struct json_object *v, const char *path,
			  const struct sink_key *k, enum xg_route_sink_type t,
			  struct xg_alert_sink_cfg *s)
{
	char *field = (char *)s + k->off, word[16];
	const char *why;

	switch (k->kind) {
	case SK_BOOL:
		return get_bool(c, v, path, (bool *)field);
	case SK_TIMEOUT:
		return parse_u32(c, v, path, CFG_TIMEOUT_MIN, CFG_TIMEOUT_MAX, &s->timeout_ms);
	case SK_FACILITY:
		return get_facility(c, v, path, &s->facility);
	case SK_FORMAT:
		if (get_word(c, v, path, syslog_formats, "rfc5424, cef", word, sizeof(word)))
			return -1;
		s->cef = !strcmp(word, "cef");
		return 0;
	case SK_HEADERS:
		return get_list(c, v, path, &header_list, s, &s->n_headers);
	case SK_TO:
		return get_list(c, v, path, &to_list, s, &s->n_to);
	default:
		break;
	}
	if (get_text(c, v, path, field, k->size))
		return -1;
	why = sink_text_why(k->kind, t, field);
	return why ? fail(c, path, "%s", why) : 0;
}

/* A key of the sink: known, and one that sinks of its type have. */
static int sink_key(const struct ctx *c, struct json_object *v, const char *path, const char *key,
		    enum xg_route_sink_type t, struct xg_alert_sink_cfg *s)
{
	char known[256], a[32];
	size_t k;

	for (k = 0; k < N_SINK_KEYS; k++) {
		if (strcmp(key, sink_keys[k].name))
			continue;
		if (!(sink_keys[k].types & (1u << t)))
			return fail(c, path, "not a key of %s sink (known: %s)",
				    a_type(t, a, sizeof(a)), sink_known(t, known, sizeof(known)));
		return parse_sink_key(c, v, path, &sink_keys[k], t, s);
	}
	return fail(c, path, "unknown key (known: %s)", sink_known(t, known, sizeof(known)));
}

/* Required fields set, and a password only with a user. */
static int sink_complete(const struct ctx *c, const char *path, enum xg_route_sink_type t,
			 const struct xg_alert_sink_cfg *s)
{
	char a[32], ppath[CFG_PATH_MAX];
	size_t k;

	for (k = 0; k < N_SINK_KEYS; k++) {
		const struct sink_key *sk = &sink_keys[k];
		bool empty = sk->kind == SK_TO ? !s->n_to : !*((const char *)s + sk->off);

		if ((sk->required & (1u << t)) && empty)
			return fail(c, path, "%s sink needs \"%s\"", a_type(t, a, sizeof(a)),
				    sk->name);
	}
	if (t == XG_ROUTE_SINK_EMAIL && *s->password && !*s->user) {
		join(ppath, path, "password");
		return fail(c, ppath, "needs a \"user\" to log in with");
	}
	return 0;
}

/* The type comes first, wherever the file puts it: it says which keys the
 * sink has and what their defaults are. */
static int sink_type(const struct ctx *c, struct json_object *v, const char *path,
		     enum xg_route_sink_type *t)
{
	char tpath[CFG_PATH_MAX], word[16];
	struct json_object *tv;

	if (!json_object_object_get_ex(v, "type", &tv))
		return fail(c, path,
			    "a sink needs a \"type\" (webhook, pagerduty, slack, discord, "
			    "opsgenie, email, syslog)");
	join(tpath, path, "type");
	if (get_word(c, tv, tpath, sink_types,
		     "webhook, pagerduty, slack, discord, opsgenie, email, syslog", word,
		     sizeof(word)))
		return -1;
	return xg_route_sink_type_parse(word, t);
}

static int sink_elem(const struct ctx *c, struct json_object *v, const char *path, int i, void *arg)
{
	struct xg_alerts_cfg *a = arg;
	struct xg_route_sink *rs = &a->route.sinks[i];
	struct xg_alert_sink_cfg *s = &a->sink[i];
	char kpath[CFG_PATH_MAX];
	int ret = 0;

	if (get_object(c, v, path) || sink_type(c, v, path, &rs->type))
		return -1;
	xg_alert_sink_defaults(s, rs->type);
	json_object_object_foreach (v, key, val) {
		join(kpath, path, key);
		if (!strcmp(key, "name"))
			ret = get_name(c, val, kpath, rs->name);
		else if (strcmp(key, "type"))
			ret = sink_key(c, val, kpath, key, rs->type, s);
		if (ret)
			return -1;
	}
	if (!rs->name[0])
		return fail(c, path, "a sink needs a \"name\"");
	return sink_complete(c, path, rs->type, s);
}

static int step_elem(const struct ctx *c, struct json_object *v, const char *path, int i, void *arg)
{
	static const struct list_spec names = {"sink names", "sinks", XG_ROUTE_MAX_STEP_SINKS,
					       name_elem, false};
	struct xg_route_step *st = &((struct xg_route_step *)arg)[i];
	char kpath[CFG_PATH_MAX];
	int ret;

	if (get_object(c, v, path))
		return -1;
	json_object_object_foreach (v, key, val) {
		join(kpath, path, key);
		if (!strcmp(key, "delay_s"))
			ret = parse_u32(c, val, kpath, 0, XG_ROUTE_MAX_DELAY_S, &st->delay_s);
		else if (!strcmp(key, "sinks"))
			ret = get_list(c, val, kpath, &names, st->sinks, &st->n_sinks);
		else
			ret = fail(c, kpath, "unknown key (known: delay_s, sinks)");
		if (ret)
			return -1;
	}
	return 0;
}

static int policy_elem(const struct ctx *c, struct json_object *v, const char *path, int i,
		       void *arg)
{
	static const struct list_spec steps = {"steps", "steps", XG_ROUTE_MAX_STEPS, step_elem,
					       false};
	struct xg_route_policy *p = &((struct xg_route_policy *)arg)[i];
	char kpath[CFG_PATH_MAX];
	int ret;

	if (get_object(c, v, path))
		return -1;
	json_object_object_foreach (v, key, val) {
		join(kpath, path, key);
		if (!strcmp(key, "name"))
			ret = get_name(c, val, kpath, p->name);
		else if (!strcmp(key, "steps"))
			ret = get_list(c, val, kpath, &steps, p->steps, &p->n_steps);
		else
			ret = fail(c, kpath, "unknown key (known: name, steps)");
		if (ret)
			return -1;
	}
	return p->name[0] ? 0 : fail(c, path, "a policy needs a \"name\"");
}

static int route_elem(const struct ctx *c, struct json_object *v, const char *path, int i,
		      void *arg)
{
	struct xg_route_rule *r = &((struct xg_route_rule *)arg)[i];
	char kpath[CFG_PATH_MAX], word[16];
	int ret;

	if (get_object(c, v, path))
		return -1;
	json_object_object_foreach (v, key, val) {
		join(kpath, path, key);
		if (!strcmp(key, "min_severity"))
			ret = get_word(c, val, kpath, severities, "info, warning, error, critical",
				       word, sizeof(word)) ||
			      xg_route_sev_parse(word, &r->min_severity);
		else if (!strcmp(key, "policy"))
			ret = get_name(c, val, kpath, r->policy);
		else
			ret = fail(c, kpath, "unknown key (known: min_severity, policy)");
		if (ret)
			return -1;
	}
	return r->policy[0] ? 0 : fail(c, path, "a route needs a \"policy\"");
}

/* RFC 3339 in UTC, exactly "YYYY-MM-DDTHH:MM:SSZ" (years 1970-9999), to
 * Unix seconds: one spelling, so config show prints what it reads. */
static int parse_utc(const char *s, int64_t *out)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	struct tm tm = {0};
	int k, y, mo, d;

	for (k = 0; shape[k]; k++)
		if (shape[k] == 'd' ? !isdigit((unsigned char)s[k]) : s[k] != shape[k])
			return -1;
	if (s[k] || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &tm.tm_hour, &tm.tm_min,
			   &tm.tm_sec) != 6)
		return -1;
	if (y < 1970 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	*out = (int64_t)timegm(&tm);
	/* timegm() moves Feb 30 to March: a date that moved did not exist */
	return tm.tm_mon == mo - 1 && tm.tm_mday == d ? 0 : -1;
}

static int get_utc(const struct ctx *c, struct json_object *v, const char *path, int64_t *out)
{
	char got[64];

	if (!json_object_is_type(v, json_type_string) || parse_utc(json_object_get_string(v), out))
		return fail(c, path, "must be a UTC time like \"2026-12-01T01:00:00Z\", got %s",
			    describe(v, got, sizeof(got)));
	return 0;
}

/* Which of weekly, start and end the window had. */
#define W_WEEKLY 1
#define W_START	 2
#define W_END	 4

static int window_key(const struct ctx *c, struct json_object *v, const char *path, const char *key,
		      struct xg_route_window *w, int *seen)
{
	char why[160];
	const char *s;

	if (!strcmp(key, "weekly")) {
		*seen |= W_WEEKLY;
		if (get_str(c, v, path, "a weekly window like \"Sun 02:00-04:00\"", &s))
			return -1;
		return xg_route_weekly_parse(s, w, why, sizeof(why)) ? fail(c, path, "%s", why) : 0;
	}
	if (!strcmp(key, "start")) {
		*seen |= W_START;
		return get_utc(c, v, path, &w->start_s);
	}
	if (!strcmp(key, "end")) {
		*seen |= W_END;
		return get_utc(c, v, path, &w->end_s);
	}
	if (!strcmp(key, "interfaces")) {
		static const struct list_spec ifaces = {"interface names", "interfaces",
							XG_ROUTE_MAX_IFACES, iface_elem, false};

		return get_list(c, v, path, &ifaces, w->ifaces, &w->n_ifaces);
	}
	return fail(c, path, "unknown key (known: weekly, start, end, interfaces)");
}

static int window_elem(const struct ctx *c, struct json_object *v, const char *path, int i,
		       void *arg)
{
	struct xg_route_window *w = &((struct xg_route_window *)arg)[i];
	char kpath[CFG_PATH_MAX];
	int seen = 0;

	if (get_object(c, v, path))
		return -1;
	json_object_object_foreach (v, key, val) {
		join(kpath, path, key);
		if (window_key(c, val, kpath, key, w, &seen))
			return -1;
	}
	if (seen == W_WEEKLY)
		return 0;
	if (seen & W_WEEKLY)
		return fail(c, path, "\"weekly\" or \"start\" and \"end\", not both");
	if (seen != (W_START | W_END))
		return fail(c, path, "a window needs \"weekly\", or \"start\" and \"end\"");
	w->kind = XG_ROUTE_WIN_ONCE;
	join(kpath, path, "end");
	return w->end_s > w->start_s ? 0 : fail(c, kpath, "must be after \"start\"");
}

/* A host name as the default node; anything else must be one syslog
 * HOSTNAME: printable ASCII without spaces. */
static int parse_node(const struct ctx *c, struct json_object *v, const char *path, char *out)
{
	char got[64];
	const char *s, *p;

	if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		for (p = s; *p > ' ' && *p < 0x7f; p++)
			;
		if (!*p && p - s < XG_ALERT_NODE_MAX) {
			snprintf(out, XG_ALERT_NODE_MAX, "%s", s);
			return 0;
		}
	}
	return fail(c, path,
		    "must be 1-%d printable ASCII characters without spaces (\"\" for the host "
		    "name), got %s",
		    XG_ALERT_NODE_MAX - 1, describe(v, got, sizeof(got)));
}

static const struct list_spec sink_list = {"sinks", "sinks", XG_ROUTE_MAX_SINKS, sink_elem, false};
static const struct list_spec policy_list = {"policies", "policies", XG_ROUTE_MAX_POLICIES,
					     policy_elem, false};
static const struct list_spec route_list = {"routes", "routes", XG_ROUTE_MAX_ROUTES, route_elem,
					    false};
static const struct list_spec window_list = {"maintenance windows", "windows", XG_ROUTE_MAX_WINDOWS,
					     window_elem, false};

static int parse_alerts(const struct ctx *c, struct json_object *v, const char *path,
			struct xg_cfg *cfg)
{
	struct xg_alerts_cfg *a = &cfg->alerts;
	struct xg_route_cfg *r = &a->route;
	char kpath[CFG_PATH_MAX], why[256];
	int ret;

	if (get_object(c, v, path))
		return -1;
	json_object_object_foreach (v, key, val) {
		join(kpath, path, key);
		if (!strcmp(key, "node"))
			ret = parse_node(c, val, kpath, a->node);
		else if (!strcmp(key, "queue_capacity"))
			ret = parse_u32(c, val, kpath, XG_ALERT_QUEUE_MIN, XG_ALERT_QUEUE_MAX,
					&a->queue_capacity);
		else if (!strcmp(key, "coalesce_s"))
			ret = parse_u32(c, val, kpath, 0, XG_ROUTE_MAX_COALESCE_S, &r->coalesce_s);
		else if (!strcmp(key, "sinks"))
			ret = get_list(c, val, kpath, &sink_list, a, &r->n_sinks);
		else if (!strcmp(key, "policies"))
			ret = get_list(c, val, kpath, &policy_list, r->policies, &r->n_policies);
		else if (!strcmp(key, "routes"))
			ret = get_list(c, val, kpath, &route_list, r->routes, &r->n_routes);
		else if (!strcmp(key, "maintenance"))
			ret = get_list(c, val, kpath, &window_list, r->windows, &r->n_windows);
		else
			ret = fail(c, kpath,
				   "unknown key (known: node, queue_capacity, coalesce_s, sinks, "
				   "policies, routes, maintenance)");
		if (ret)
			return -1;
	}
	/* Names across lists (a step's sink, a route's policy) are checked
	 * once everything is read: the file may name a sink before it. */
	if (xg_route_cfg_check(r, path, kpath, sizeof(kpath), why, sizeof(why)))
		return fail(c, kpath, "%s", why);
	return 0;
}

/* ---- bgp ---- */

#define CFG_BGP_RATE_MAX   1e15 /* a level's pps or bps threshold */
#define CFG_BGP_RATE_RANGE "0-1e15"
#define CFG_BLACKHOLE	   (65535u << 16 | 666) /* RFC 7999 BLACKHOLE: always sent */

/* Where a speaker key applies, as a mask of types. */
#define PT(x)  (1u << XG_SPK_##x)
#define PT_ALL (PT(EXABGP) | PT(GOBGP) | PT(BIRD) | PT(FRR) | PT(WEBHOOK))
/* A field of struct xg_speaker_cfg: its offset and size. */
#define PF(f) offsetof(struct xg_speaker_cfg, f), sizeof(((struct xg_speaker_cfg *)0)->f)

enum spk_kind {
	PK_SOCKET,  /* an absolute path that fits sun_path; "" where that is the default */
	PK_PATH,    /* an absolute path */
	PK_PROGRAM, /* an absolute path or a program name looked up in PATH */
	PK_TARGET,  /* HOST:PORT */
	PK_URL,	    /* http(s):// */
	PK_SYMBOL,  /* a BIRD symbol: protocol and table names */
	PK_ASN,
	PK_TIMEOUT,
	PK_FAMILIES,
};

/* The keys of a speaker besides name and type, in the order messages list
 * them and config show prints them: as sink_keys, one table for parsing,
 * "known:" lists, required keys and output. */
struct spk_key {
	const char *name;
	unsigned types;	   /* where it applies */
	unsigned required; /* where it must be set */
	enum spk_kind kind;
	size_t off, size;
};

static const struct spk_key spk_keys[] = {
    {"socket", PT(EXABGP) | PT(BIRD) | PT(FRR), 0, PK_SOCKET, PF(socket)},
    {"target", PT(GOBGP), 0, PK_TARGET, PF(target)},
    {"program", PT(GOBGP) | PT(BIRD) | PT(FRR), 0, PK_PROGRAM, PF(program)},
    {"include", PT(BIRD), PT(BIRD), PK_PATH, PF(include)},
    {"prefix", PT(BIRD), 0, PK_SYMBOL, PF(prefix)},
    {"flow4_table", PT(BIRD), 0, PK_SYMBOL, PF(flow4_table)},
    {"flow6_table", PT(BIRD), 0, PK_SYMBOL, PF(flow6_table)},
    {"rtbh4_table", PT(BIRD), 0, PK_SYMBOL, PF(rtbh4_table)},
    {"rtbh6_table", PT(BIRD), 0, PK_SYMBOL, PF(rtbh6_table)},
    {"asn", PT(FRR), PT(FRR), PK_ASN, PF(asn)},
    {"url", PT(WEBHOOK), PT(WEBHOOK), PK_URL, PF(url)},
    {"timeout_ms", PT_ALL, 0, PK_TIMEOUT, PF(timeout_ms)},
    {"families", PT_ALL, 0, PK_FAMILIES, PF(flowspec)}, /* flowspec and rtbh */
};

#define N_SPK_KEYS (sizeof(spk_keys) / sizeof(spk_keys[0]))

static const char *const spk_types[] = {"exabgp", "gobgp", "bird", "frr", "webhook", NULL};
static const char *const bgp_families[] = {"flowspec", "rtbh", NULL};

/* "an exabgp", "a gobgp": the start of messages about a speaker. */
static const char *a_speaker(enum xg_speaker_type t, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s", t == XG_SPK_EXABGP || t == XG_SPK_FRR ? "an" : "a",
		 xg_speaker_type_name(t));
	return buf;
}

/* "name, type, socket, ...": the keys of a speaker of type t. */
static const char *spk_known(enum xg_speaker_type t, char *buf, size_t len)
{
	size_t k, off;

	off = (size_t)snprintf(buf, len, "name, type");
	for (k = 0; k < N_SPK_KEYS && off < len; k++)
		if (spk_keys[k].types & (1u << t))
			off += (size_t)snprintf(buf + off, len - off, ", %s", spk_keys[k].name);
	return buf;
}

/* A BIRD symbol: a letter or _, then letters, digits and _. */
static bool symbol_ok(const char *s)
{
	const char *p = s;

	if (!isalpha((unsigned char)*p) && *p != '_')
		return false;
	while (isalnum((unsigned char)*p) || *p == '_')
		p++;
	return !*p;
}

/* What execvp() runs as given: an absolute path, or a name to look up in
 * PATH (no '/', and not an option: no leading '-'). */
static bool program_ok(const char *s)
{
	const char *p = s;

	if (*s == '/')
		return true;
	if (!*s || *s == '-')
		return false;
	while (isalnum((unsigned char)*p) || (*p && strchr("._+-", *p)))
		p++;
	return !*p;
}

/* The reason a checked string of kind k is wrong, or NULL. empty_ok: ""
 * is the type's default (exabgp's and frr's socket). */
static const char *spk_text_why(enum spk_kind k, const char *s, bool empty_ok)
{
	if (!*s && empty_ok)
		return NULL;
	switch (k) {
	case PK_SOCKET:
		if (*s != '/')
			return empty_ok ? "must be an absolute path (or \"\")"
					: "must be an absolute path";
		return NULL;
	case PK_PATH:
		return *s == '/' ? NULL : "must be an absolute path";
	case PK_PROGRAM:
		return program_ok(s) ? NULL
				     : "must be an absolute path or a program name (letters, "
				       "digits, . _ + -, not starting with -)";
	case PK_TARGET:
		return hostport_ok(s) ? NULL
				      : "must be \"HOST:PORT\" (port 1-65535, an IPv6 host in [ ])";
	case PK_URL:
		return url_ok(s, XG_ROUTE_SINK_WEBHOOK) ? NULL
							: "must be an http:// or https:// URL";
	case PK_SYMBOL:
		return symbol_ok(s) ? NULL
				    : "must be a BIRD name (a letter or _, then letters, digits "
				      "and _)";
	default:
		return NULL;
	}
}

/* One family of a speaker's list; the first element clears the defaults. */
static int family_elem(const struct ctx *c, struct json_object *e, const char *path, int i,
		       void *arg)
{
	struct xg_speaker_cfg *s = arg;
	char word[16];
	bool *f;

	if (!i)
		s->flowspec = s->rtbh = false;
	if (get_word(c, e, path, bgp_families, "flowspec, rtbh", word, sizeof(word)))
		return -1;
	f = !strcmp(word, "flowspec") ? &s->flowspec : &s->rtbh;
	if (*f)
		return fail(c, path, "duplicate family \"%s\"", word);
	if (f == &s->flowspec && s->type == XG_SPK_FRR)
		return fail(c, path,
			    "frr cannot originate FlowSpec: an frr speaker carries "
			    "\"rtbh\" only");
	*f = true;
	return 0;
}

static const struct list_spec family_list = {"families (\"flowspec\", \"rtbh\")", "families", 2,
					     family_elem, false};

static int parse_spk_key(const struct ctx *c, struct json_object *v, const char *path,
			 const struct spk_key *k, struct xg_speaker_cfg *s)
{
	char *field = (char *)s + k->off, got[64];
	struct xg_speaker_cfg d;
	const char *why;
	int n;

	switch (k->kind) {
	case PK_ASN:
		return parse_u32(c, v, path, 1, UINT32_MAX, &s->asn);
	case PK_TIMEOUT:
		return parse_u32(c, v, path, CFG_TIMEOUT_MIN, CFG_TIMEOUT_MAX, &s->timeout_ms);
	case PK_FAMILIES:
		if (get_list(c, v, path, &family_list, s, &n))
			return -1;
		return n ? 0 : fail(c, path, "at least one of \"flowspec\", \"rtbh\"");
	default:
		break;
	}
	if (get_text(c, v, path, field, k->size))
		return -1;
	if (k->kind == PK_SOCKET && strlen(field) >= CFG_SUN_PATH)
		return fail(c, path, "longer than %d characters (a socket path)", CFG_SUN_PATH - 1);
	xg_speaker_cfg_defaults(&d, s->type);
	why = spk_text_why(k->kind, field, !*((const char *)&d + k->off));
	if (!why)
		return 0;
	/* a URL may hold a credential: never shown */
	if (k->kind == PK_URL)
		return fail(c, path, "%s", why);
	return fail(c, path, "%s, got %s", why, describe(v, got, sizeof(got)));
}

/* A key of the speaker: known, and one that speakers of its type have. */
static int spk_key(const struct ctx *c, struct json_object *v, const char *path, const char *key,
		   struct xg_speaker_cfg *s)
{
	char known[256], a[32];
	size_t k;

	for (k = 0; k < N_SPK_KEYS; k++) {
		if (strcmp(key, spk_keys[k].name))
			continue;
		if (!(spk_keys[k].types & (1u << s->type)))
			return fail(c, path, "not a key of %s speaker (known: %s)",
				    a_speaker(s->type, a, sizeof(a)),
				    spk_known(s->type, known, sizeof(known)));
		return parse_spk_key(c, v, path, &spk_keys[k], s);
	}
	return fail(c, path, "unknown key (known: %s)", spk_known(s->type, known, sizeof(known)));
}

/* The type comes first, wherever the file puts it: it says which keys the
 * speaker has and what their defaults are. */
static int spk_type(const struct ctx *c, struct json_object *v, const char *path,
		    enum xg_speaker_type *t)
{
	char tpath[CFG_PATH_MAX], word[16];
	struct json_object *tv;

	if (!json_object_object_get_ex(v, "type", &tv))
		return fail(c, path,
			    "a speaker needs a \"type\" (exabgp, gobgp, bird, frr, webhook)");
	join(tpath, path, "type");
	if (get_word(c, tv, tpath, spk_types, "exabgp, gobgp, bird, frr, webhook", word,
		     sizeof(word)))
		return -1;
	*t = (enum xg_speaker_type)xg_speaker_type_parse(word);
	return 0;
}

/* It names the speaker in logs, metrics and file names. */
static int get_speaker_name(const struct ctx *c, struct json_object *v, const char *path, char *out)
{
	char got[64];
	const char *s, *p;

	if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		for (p = s; name_char_ok(*p); p++)
			;
		if (*s && !*p && p - s < XG_BGP_NAME_MAX) {
			snprintf(out, XG_BGP_NAME_MAX, "%s", s);
			return 0;
		}
	}
	return fail(c, path, "must be 1-%d characters a-z 0-9 _ -, got %s", XG_BGP_NAME_MAX - 1,
		    describe(v, got, sizeof(got)));
}

static int speaker_elem(const struct ctx *c, struct json_object *v, const char *path, int i,
			void *arg)
{
	struct xg_bgp_cfg *b = arg;
	struct xg_speaker_cfg *s = &b->speakers[i];
	char kpath[CFG_PATH_MAX], a[32];
	enum xg_speaker_type t = XG_SPK_EXABGP;
	size_t k;
	int j, ret = 0;

	if (get_object(c, v, path) || spk_type(c, v, path, &t))
		return -1;
	xg_speaker_cfg_defaults(s, t);
	json_object_object_foreach (v, key, val) {
		join(kpath, path, key);
		if (!strcmp(key, "name")) {
			ret = get_speaker_name(c, val, kpath, s->name);
		} else if (strcmp(key, "type")) {
			ret = spk_key(c, val, kpath, key, s);
		}
		if (ret)
			return -1;
	}
	if (!s->name[0])
		return fail(c, path, "a speaker needs a \"name\"");
	for (j = 0; j < i; j++) {
		if (!strcmp(b->speakers[j].name, s->name)) {
			join(kpath, path, "name");
			return fail(c, kpath, "duplicate speaker name \"%s\" (also %.*s[%d])",
				    s->name, parent_len(path), path, j);
		}
	}
	for (k = 0; k < N_SPK_KEYS; k++) {
		const struct spk_key *sk = &spk_keys[k];
		bool unset = sk->kind == PK_ASN ? !s->asn : !*((const char *)s + sk->off);

		if ((sk->required & (1u << t)) && unset)
			return fail(c, path, "%s speaker needs \"%s\"", a_speaker(t, a, sizeof(a)),
				    sk->name);
	}
	return 0;
}

static const struct list_spec speaker_list = {"speakers", "speakers", XG_BGP_SPEAKERS_MAX,
					      speaker_elem, false};

/* Digits only, at most 10 of them, the value at most max. */
static bool parse_uint_text(const char *s, size_t n, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!n || n > 10)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* "A:B:..." with exactly n parts, each digits at most max. */
static bool parse_parts(const char *s, int n, uint32_t max, uint32_t *out)
{
	const char *colon;
	int k;

	for (k = 0; k < n; k++) {
		colon = strchr(s, ':');
		if ((k < n - 1) != !!colon)
			return false;
		if (!parse_uint_text(s, colon ? (size_t)(colon - s) : strlen(s), max, &out[k]))
			return false;
		s = colon + 1;
	}
	return true;
}

/* Standard communities "A:B"; 65535:666 may be listed, but it is always
 * sent, so it takes none of the slots. */
static int parse_communities(const struct ctx *c, struct json_object *v, const char *path,
			     struct xg_bgp_cfg *b)
{
	const int max = (int)(sizeof(b->comm) / sizeof(b->comm[0]));
	char got[64], epath[CFG_PATH_MAX];
	size_t i, len;
	uint32_t p[2];
	int j;

	if (!json_object_is_type(v, json_type_array))
		return fail(c, path, "must be an array of communities \"A:B\", got %s",
			    describe(v, got, sizeof(got)));
	len = json_object_array_length(v);
	b->n_comm = 0;
	for (i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);
		uint32_t comm;

		join_idx(epath, path, i);
		if (!json_object_is_type(e, json_type_string) ||
		    !parse_parts(json_object_get_string(e), 2, 65535, p))
			return fail(c, epath,
				    "must be a community \"A:B\" (A and B 0-65535), got %s",
				    describe(e, got, sizeof(got)));
		comm = p[0] << 16 | p[1];
		if (comm == CFG_BLACKHOLE)
			continue;
		for (j = 0; j < b->n_comm; j++)
			if (b->comm[j] == comm)
				return fail(c, epath, "duplicate community %u:%u", p[0], p[1]);
		if (b->n_comm == max)
			return fail(c, path,
				    "at most %d communities besides 65535:666 (always sent)", max);
		b->comm[b->n_comm++] = comm;
	}
	return 0;
}

static int lcomm_elem(const struct ctx *c, struct json_object *e, const char *path, int i,
		      void *arg)
{
	struct xg_bgp_cfg *b = arg;
	char got[64];
	uint32_t p[3];
	int j;

	if (!json_object_is_type(e, json_type_string) ||
	    !parse_parts(json_object_get_string(e), 3, UINT32_MAX, p))
		return fail(c, path,
			    "must be a large community \"G:L1:L2\" (each 0-4294967295), got %s",
			    describe(e, got, sizeof(got)));
	for (j = 0; j < i; j++)
		if (b->lcomm[j].global == p[0] && b->lcomm[j].local1 == p[1] &&
		    b->lcomm[j].local2 == p[2])
			return fail(c, path, "duplicate large community %u:%u:%u", p[0], p[1],
				    p[2]);
	b->lcomm[i].global = p[0];
	b->lcomm[i].local1 = p[1];
	b->lcomm[i].local2 = p[2];
	return 0;
}

static const struct list_spec lcomm_list = {"large communities \"G:L1:L2\"", "large communities",
					    XG_BGP_LCOMM_MAX, lcomm_elem, false};

/* An address of the family, kept in its canonical text (what the
 * speakers are given). */
static int get_addr(const struct ctx *c, struct json_object *v, const char *path, int family,
		    char *out, size_t size)
{
	const char *what = family == AF_INET ? "an IPv4 address" : "an IPv6 address";
	unsigned char buf[16];
	char got[64];

	if (!json_object_is_type(v, json_type_string) ||
	    inet_pton(family, json_object_get_string(v), buf) != 1 ||
	    !inet_ntop(family, buf, out, (socklen_t)size))
		return fail(c, path, "must be %s, got %s", what, describe(v, got, sizeof(got)));
	return 0;
}

static int get_prefix_len(const struct ctx *c, struct json_object *v, const char *path, int lo,
			  int hi, uint8_t *out)
{
	int64_t x;

	if (get_int(c, v, path, lo, hi, &x))
		return -1;
	*out = (uint8_t)x;
	return 0;
}

/* A scrub command word: one line, not empty; the first an absolute path
 * (run as given, without a shell). */
static int arg_elem(const struct ctx *c, struct json_object *e, const char *path, int i, void *arg)
{
	struct xg_bgp_cfg *b = arg;
	char got[64];

	if (get_text(c, e, path, b->scrub_command[i], sizeof(b->scrub_command[i])))
		return -1;
	if (!b->scrub_command[i][0])
		return fail(c, path, "an empty word");
	if (!i && b->scrub_command[i][0] != '/')
		return fail(c, path, "must be an absolute path (the program), got %s",
			    describe(e, got, sizeof(got)));
	return 0;
}

static const struct list_spec arg_list = {"words (a program and its arguments)", "words",
					  XG_BGP_ARGS_MAX, arg_elem, false};

static int parse_scrub(const struct ctx *c, struct json_object *v, const char *path,
		       struct xg_bgp_cfg *b)
{
	char kpath[CFG_PATH_MAX];
	int ret;

	if (get_object(c, v, path))
		return -1;
	json_object_object_foreach (v, key, val) {
		join(kpath, path, key);
		if (!strcmp(key, "url")) {
			ret = get_text(c, val, kpath, b->scrub_url, sizeof(b->scrub_url));
			if (!ret && *b->scrub_url && !url_ok(b->scrub_url, XG_ROUTE_SINK_WEBHOOK))
				ret =
				    fail(c, kpath, "must be an http:// or https:// URL (or \"\")");
		} else if (!strcmp(key, "command")) {
			ret = get_list(c, val, kpath, &arg_list, b, &b->n_scrub_args);
		} else {
			ret = fail(c, kpath, "unknown key (known: url, command)");
		}
		if (ret)
			return -1;
	}
	return 0;
}

/* Which thresholds of a level the file sets, for blaming the right key. */
#define SET_PPS 1u
#define SET_BPS 2u

static int parse_level(const struct ctx *c, struct json_object *v, const char *path,
		       struct xg_bgp_level_cfg *l, unsigned *set)
{
	char kpath[CFG_PATH_MAX];
	int ret;

	if (get_object(c, v, path))
		return -1;
	json_object_object_foreach (v, key, val) {
		join(kpath, path, key);
		if (!strcmp(key, "enabled")) {
			ret = get_bool(c, val, kpath, &l->enabled);
		} else if (!strcmp(key, "pps")) {
			ret = get_num(c, val, kpath, 0, false, CFG_BGP_RATE_MAX, CFG_BGP_RATE_RANGE,
				      &l->pps);
			*set |= SET_PPS;
		} else if (!strcmp(key, "bps")) {
			ret = get_num(c, val, kpath, 0, false, CFG_BGP_RATE_MAX, CFG_BGP_RATE_RANGE,
				      &l->bps);
			*set |= SET_BPS;
		} else if (!strcmp(key, "dry_run")) {
			ret = get_bool(c, val, kpath, &l->dry_run);
		} else {
			ret = fail(c, kpath, "unknown key (known: enabled, pps, bps, dry_run)");
		}
		if (ret)
			return -1;
	}
	return 0;
}

static int parse_levels(const struct ctx *c, struct json_object *v, const char *path,
			struct xg_bgp_cfg *b, unsigned *set)
{
	char kpath[CFG_PATH_MAX];
	int l;

	if (get_object(c, v, path))
		return -1;
	json_object_object_foreach (v, key, val) {
		join(kpath, path, key);
		if (!strcmp(key, "local"))
			return fail(
			    c, kpath,
			    "not configurable: level 1, the XDP drop on the node, is always "
			    "on");
		for (l = XG_LVL_FS_RATELIMIT; l < XG_LVL_MAX; l++)
			if (!strcmp(key, xg_bgp_level_name(l)))
				break;
		if (l == XG_LVL_MAX)
			return fail(c, kpath,
				    "unknown level (known: flowspec_ratelimit, flowspec_discard, "
				    "rtbh, scrub)");
		if (parse_level(c, val, kpath, &b->level[l], &set[l]))
			return -1;
	}
	return 0;
}

static const char *num_text(double v, char *buf, size_t len)
{
	snprintf(buf, len, "%.15g", v);
	return buf;
}

/* A higher level must not come on before a lower one: each threshold at
 * least the one below it, where both levels are on and both set it. The
 * key the file sets is blamed. */
static int check_level_order(const struct ctx *c, const char *path, const struct xg_bgp_cfg *b,
			     const unsigned *set, unsigned bit)
{
	const char *m = bit == SET_PPS ? "pps" : "bps";
	char kpath[CFG_PATH_MAX], x[32], y[32];
	int hi, lo;

	for (hi = XG_LVL_FS_DISCARD; hi < XG_LVL_MAX; hi++) {
		for (lo = XG_LVL_FS_RATELIMIT; lo < hi; lo++) {
			const struct xg_bgp_level_cfg *h = &b->level[hi], *l = &b->level[lo];
			double vh = bit == SET_PPS ? h->pps : h->bps;
			double vl = bit == SET_PPS ? l->pps : l->bps;

			if (!h->enabled || !l->enabled || !vh || !vl || vh >= vl)
				continue;
			if ((set[hi] & bit) || !(set[lo] & bit)) {
				snprintf(kpath, sizeof(kpath), "%s.levels.%s.%s", path,
					 xg_bgp_level_name(hi), m);
				return fail(c, kpath, "must be at least %s.%s (%s), got %s",
					    xg_bgp_level_name(lo), m, num_text(vl, x, sizeof(x)),
					    num_text(vh, y, sizeof(y)));
			}
			snprintf(kpath, sizeof(kpath), "%s.levels.%s.%s", path,
				 xg_bgp_level_name(lo), m);
			return fail(c, kpath, "must be at most %s.%s (%s), got %s",
				    xg_bgp_level_name(hi), m, num_text(vh, x, sizeof(x)),
				    num_text(vl, y, sizeof(y)));
		}
	}
	return 0;
}

/* A BGP level that would announce something: on, and not dry-run. */
static bool announces(const struct xg_bgp_cfg *b, int l)
{
	return b->level[l].enabled && !b->level[l].dry_run && !b->dry_run;
}

/* Rules between keys, checked once the whole section is read: the file
 * may give them in any order, and any of them may be a default. */
static int check_bgp(const struct ctx *c, const char *path, const struct xg_bgp_cfg *b,
		     const unsigned *set)
{
	char kpath[CFG_PATH_MAX];
	bool fs = false, rtbh = false;
	int l, k;

	for (l = XG_LVL_FS_RATELIMIT; l < XG_LVL_MAX; l++) {
		const struct xg_bgp_level_cfg *lc = &b->level[l];

		if (lc->enabled && !lc->pps && !lc->bps) {
			snprintf(kpath, sizeof(kpath), "%s.levels.%s", path, xg_bgp_level_name(l));
			return fail(c, kpath,
				    "enabled with pps and bps both 0: give a threshold, or "
				    "\"enabled\": false");
		}
	}
	if (check_level_order(c, path, b, set, SET_PPS) ||
	    check_level_order(c, path, b, set, SET_BPS))
		return -1;
	if (b->level[XG_LVL_SCRUB].enabled && !*b->scrub_url && !b->n_scrub_args) {
		snprintf(kpath, sizeof(kpath), "%s.levels.scrub.enabled", path);
		return fail(c, kpath, "the scrub level needs scrub.url or scrub.command");
	}
	if (!b->enabled)
		return 0;
	/* The scrub level goes through its own trigger, not a speaker. */
	for (k = 0; k < b->n_speakers; k++) {
		fs |= b->speakers[k].flowspec;
		rtbh |= b->speakers[k].rtbh;
	}
	for (l = XG_LVL_FS_RATELIMIT; l <= XG_LVL_RTBH; l++) {
		bool want_fs = l != XG_LVL_RTBH;

		if (!announces(b, l))
			continue;
		if (!b->n_speakers) {
			join(kpath, path, "enabled");
			return fail(c, kpath,
				    "needs at least one speaker in speakers (or every level off or "
				    "dry-run)");
		}
		if (want_fs ? !fs : !rtbh) {
			join(kpath, path, "speakers");
			return fail(
			    c, kpath,
			    "no speaker carries %s, which level %s announces (add the family "
			    "to a speaker, or make the level off or dry-run)",
			    want_fs ? "flowspec" : "rtbh", xg_bgp_level_name(l));
		}
	}
	return 0;
}

static int parse_bgp(const struct ctx *c, struct json_object *v, const char *path,
		     struct xg_cfg *cfg)
{
	struct xg_bgp_cfg *b = &cfg->bgp;
	unsigned set[XG_LVL_MAX] = {0};
	char kpath[CFG_PATH_MAX], got[64];
	int64_t x = 0;
	int n = 0, ret;

	if (get_object(c, v, path))
		return -1;
	json_object_object_foreach (v, key, val) {
		join(kpath, path, key);
		if (!strcmp(key, "enabled")) {
			ret = get_bool(c, val, kpath, &b->enabled);
		} else if (!strcmp(key, "dry_run")) {
			ret = get_bool(c, val, kpath, &b->dry_run);
		} else if (!strcmp(key, "levels")) {
			ret = parse_levels(c, val, kpath, b, set);
		} else if (!strcmp(key, "step_down_ratio")) {
			ret = get_num(c, val, kpath, 0, true, 1, "over 0 and under 1",
				      &b->step_down_ratio);
			if (!ret && b->step_down_ratio >= 1)
				ret = fail(c, kpath, "must be a number over 0 and under 1, got %s",
					   describe(val, got, sizeof(got)));
		} else if (!strcmp(key, "hold_down_s")) {
			ret = parse_u32(c, val, kpath, 0, 86400, &b->hold_down_s);
		} else if (!strcmp(key, "rate_limit_bps")) {
			ret = get_int(c, val, kpath, 1, 1000000000000, &x);
			b->rate_limit_bps = (uint64_t)x;
		} else if (!strcmp(key, "rule_ttl_s")) {
			ret = parse_u32(c, val, kpath, 10, 604800, &b->rule_ttl_s);
		} else if (!strcmp(key, "max_rules")) {
			ret = parse_u32(c, val, kpath, 1, 10000, &b->max_rules);
		} else if (!strcmp(key, "max_announce_per_min")) {
			ret = parse_u32(c, val, kpath, 1, 100000, &b->max_announce_per_min);
		} else if (!strcmp(key, "max_flowspec_sources")) {
			ret = parse_u32(c, val, kpath, 1, 256, &b->max_flowspec_sources);
		} else if (!strcmp(key, "communities")) {
			ret = parse_communities(c, val, kpath, b);
		} else if (!strcmp(key, "large_communities")) {
			ret = get_list(c, val, kpath, &lcomm_list, b, &n);
			b->n_lcomm = (uint8_t)n;
		} else if (!strcmp(key, "next_hop_v4")) {
			ret = get_addr(c, val, kpath, AF_INET, b->next_hop_v4,
				       sizeof(b->next_hop_v4));
		} else if (!strcmp(key, "next_hop_v6")) {
			ret = get_addr(c, val, kpath, AF_INET6, b->next_hop_v6,
				       sizeof(b->next_hop_v6));
		} else if (!strcmp(key, "rtbh_min_prefix_v4")) {
			ret = get_prefix_len(c, val, kpath, 8, 32, &b->rtbh_min_prefix_v4);
		} else if (!strcmp(key, "rtbh_min_prefix_v6")) {
			ret = get_prefix_len(c, val, kpath, 16, 128, &b->rtbh_min_prefix_v6);
		} else if (!strcmp(key, "allow_private")) {
			ret = get_bool(c, val, kpath, &b->allow_private);
		} else if (!strcmp(key, "never_blackhole")) {
			ret = parse_cidrs(c, val, kpath, b->never_blackhole, XG_BGP_NEVER_MAX,
					  &b->n_never);
		} else if (!strcmp(key, "scrub")) {
			ret = parse_scrub(c, val, kpath, b);
		} else if (!strcmp(key, "speakers")) {
			ret = get_list(c, val, kpath, &speaker_list, b, &b->n_speakers);
		} else {
			ret =
			    fail(c, kpath,
				 "unknown key (known: enabled, dry_run, levels, step_down_ratio, "
				 "hold_down_s, rate_limit_bps, rule_ttl_s, max_rules, "
				 "max_announce_per_min, max_flowspec_sources, communities, "
				 "large_communities, next_hop_v4, next_hop_v6, rtbh_min_prefix_v4, "
				 "rtbh_min_prefix_v6, allow_private, never_blackhole, scrub, "
				 "speakers)");
		}
		if (ret)
			return -1;
	}
	return check_bgp(c, path, b, set);
}

/* ---- http ---- */

#define CFG_TOKEN_MIN 16

/* An IPv4 or IPv6 address, kept in canonical form. */
static int get_bind_addr(const struct ctx *c, struct json_object *v, const char *path, char *out,
			 size_t size)
{
	unsigned char buf[16];
	char got[64];
	const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
	int family = s && strchr(s, ':') ? AF_INET6 : AF_INET;

	if (!s || inet_pton(family, s, buf) != 1 || !inet_ntop(family, buf, out, (socklen_t)size))
		return fail(c, path, "must be an IPv4 or IPv6 address, got %s",
			    describe(v, got, sizeof(got)));
	return 0;
}

/* RFC 6750's b64token: what an Authorization: Bearer header can carry. */
static bool token_ok(const char *s)
{
	size_t n =
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/");

	return n > 0 && strspn(s + n, "=") == strlen(s + n);
}

/* "" (no token) or a bearer token. The value is never shown: a credential. */
static int get_token(const struct ctx *c, struct json_object *v, const char *path, char *out,
		     size_t size)
{
	const char *s;

	if (!json_object_is_type(v, json_type_string))
		return fail(c, path, "must be a string");
	s = json_object_get_string(v);
	if (s[0] && (strlen(s) < CFG_TOKEN_MIN || strlen(s) >= size || !token_ok(s)))
		return fail(c, path,
			    "must be \"\" or %d-%zu characters of A-Z a-z 0-9 - . _ ~ + / "
			    "(and = at the end)",
			    CFG_TOKEN_MIN, size - 1);
	snprintf(out, size, "%s", s);
	return 0;
}

static int parse_status_page(const struct ctx *c, struct json_object *v, const char *path,
			     struct xg_http_cfg *h)
{
	char kpath[CFG_PATH_MAX];
	int ret;

	if (get_object(c, v, path))
		return -1;
	json_object_object_foreach (v, key, val) {
		join(kpath, path, key);
		if (!strcmp(key, "enabled"))
			ret = get_bool(c, val, kpath, &h->status_page);
		else if (!strcmp(key, "redact"))
			ret = get_bool(c, val, kpath, &h->status_redact);
		else if (!strcmp(key, "title"))
			ret = get_text(c, val, kpath, h->status_title, sizeof(h->status_title));
		else
			ret = fail(c, kpath, "unknown key (known: enabled, redact, title)");
		if (ret)
			return -1;
	}
	return 0;
}

static int parse_http(const struct ctx *c, struct json_object *v, const char *path,
		      struct xg_cfg *cfg)
{
	struct xg_http_cfg *h = &cfg->http;
	char kpath[CFG_PATH_MAX];
	uint32_t port = h->port;
	int ret;

	if (get_object(c, v, path))
		return -1;
	json_object_object_foreach (v, key, val) {
		join(kpath, path, key);
		if (!strcmp(key, "enabled")) {
			ret = get_bool(c, val, kpath, &h->enabled);
		} else if (!strcmp(key, "bind")) {
			ret = get_bind_addr(c, val, kpath, h->bind, sizeof(h->bind));
		} else if (!strcmp(key, "port")) {
			ret = parse_u32(c, val, kpath, 1, 65535, &port);
			h->port = (uint16_t)port;
		} else if (!strcmp(key, "token")) {
			ret = get_token(c, val, kpath, h->token, sizeof(h->token));
		} else if (!strcmp(key, "read_auth")) {
			ret = get_bool(c, val, kpath, &h->read_auth);
		} else if (!strcmp(key, "top_ports")) {
			ret = parse_u32(c, val, kpath, 0, XG_HTTP_TOP_PORTS, &h->top_ports);
		} else if (!strcmp(key, "status_page")) {
			ret = parse_status_page(c, val, kpath, h);
		} else {
			ret = fail(c, kpath,
				   "unknown key (known: enabled, bind, port, token, read_auth, "
				   "top_ports, status_page)");
		}
		if (ret)
			return -1;
	}
	/* Reads behind a token nobody can present would lock everyone out. */
	if (h->read_auth && !h->token[0]) {
		join(kpath, path, "read_auth");
		return fail(c, kpath, "needs http.token");
	}
	return 0;
}

static const char *const attach_modes[] = {"auto", "native", "generic", NULL};
static const char *const log_levels[] = {"error", "warn", "info", "debug", NULL};

static int parse_root(const struct ctx *c, struct json_object *root, struct xg_cfg *cfg)
{
	json_object_object_foreach (root, key, val) {
		const char *path = key;
		int ret;

		if (!strcmp(key, "interfaces"))
			ret = get_list(c, val, path, &iface_list, cfg->interfaces,
				       &cfg->n_interfaces);
		else if (!strcmp(key, "attach_mode"))
			ret = get_word(c, val, path, attach_modes, "auto, native, generic",
				       cfg->attach_mode, sizeof(cfg->attach_mode));
		else if (!strcmp(key, "tick_ms"))
			ret = parse_u32(c, val, path, 100, 60000, &cfg->tick_ms);
		else if (!strcmp(key, "state_dir"))
			ret = parse_state_dir(c, val, path, cfg);
		else if (!strcmp(key, "log_level"))
			ret = get_word(c, val, path, log_levels, "error, warn, info, debug",
				       cfg->log_level, sizeof(cfg->log_level));
		else if (!strcmp(key, "monitor_only"))
			ret = get_bool(c, val, path, &cfg->monitor_only);
		else if (!strcmp(key, "sample_rate"))
			ret = parse_sample_rate(c, val, path, cfg);
		else if (!strcmp(key, "learn_budget"))
			ret = parse_u32(c, val, path, 0, CFG_LEARN_MAX, &cfg->learn_budget);
		else if (!strcmp(key, "services"))
			ret = parse_services(c, val, path, cfg);
		else if (!strcmp(key, "baseline"))
			ret = parse_baseline(c, val, path, cfg);
		else if (!strcmp(key, "detection"))
			ret = parse_detection(c, val, path, cfg);
		else if (!strcmp(key, "mitigation"))
			ret = parse_mitigation(c, val, path, cfg);
		else if (!strcmp(key, "pcap"))
			ret = parse_pcap(c, val, path, cfg);
		else if (!strcmp(key, "alerts"))
			ret = parse_alerts(c, val, path, cfg);
		else if (!strcmp(key, "bgp"))
			ret = parse_bgp(c, val, path, cfg);
		else if (!strcmp(key, "http"))
			ret = parse_http(c, val, path, cfg);
		else
			ret = fail(c, path,
				   "unknown key (known: interfaces, attach_mode, tick_ms, "
				   "state_dir, log_level, monitor_only, sample_rate, learn_budget, "
				   "services, baseline, detection, mitigation, pcap, alerts, bgp, "
				   "http)");
		if (ret)
			return ret;
	}
	return 0;
}

static int line_at(const char *text, size_t off)
{
	int line = 1;
	size_t i;

	for (i = 0; i < off; i++)
		if (text[i] == '\n')
			line++;
	return line;
}

/* json-c keeps the last of a repeated key without a word; a file that sets
 * a value twice almost always means a mistake, so it is one. */
static int check_duplicates(const struct ctx *c)
{
	struct dups *d = calloc(1, sizeof(*d));
	int k, ret = 0;

	if (!d)
		return fail_at(c, 0, NULL, "out of memory");
	scan_run(c->text, c->len, dup_visit, d);
	if (d->found)
		ret = fail_at(c, d->dup_line, d->dup, "duplicate key (first at line %d)",
			      d->first_line);
	for (k = 0; k < d->n; k++)
		free(d->path[k]);
	free(d);
	return ret;
}

static int parse_text(struct xg_cfg *cfg, const char *text, size_t len, const char *name, char *err,
		      size_t errlen)
{
	const struct ctx c = {text, len, name, err, errlen};
	struct json_tokener *tok;
	struct json_object *root;
	enum json_tokener_error jerr;
	struct xg_cfg *tmp;
	const char *nul;
	size_t end, k;
	int ret;

	xg_cfg_defaults(cfg);
	if (err && errlen)
		err[0] = '\0';
	if (len > CFG_MAX_FILE)
		return fail_at(&c, 0, NULL, "larger than 1 MiB (%zu bytes): not a config file",
			       len);
	nul = memchr(text, '\0', len);
	if (nul)
		return fail_at(&c, line_at(text, (size_t)(nul - text)), NULL,
			       "contains a NUL byte: not a JSON text");

	tok = json_tokener_new();
	if (!tok)
		return fail_at(&c, 0, NULL, "out of memory");
	/* Strict: no trailing commas, comments or trailing garbage. */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!root || jerr != json_tokener_success) {
		json_object_put(root);
		if (jerr == json_tokener_continue || jerr == json_tokener_success) {
			/* Ran out of text: point at the last thing written. */
			for (k = len; k && isspace((unsigned char)text[k - 1]); k--)
				;
			if (!k)
				return fail_at(&c, 1, NULL,
					       "empty: a config file is a JSON object, "
					       "at least {}");
			return fail_at(&c, line_at(text, k - 1), NULL,
				       "invalid JSON: unexpected end of file (an unclosed { [ "
				       "or \"?)");
		}
		/* json-c's own words for a comment are no help */
		if (end + 1 < len && text[end] == '/' &&
		    (text[end + 1] == '*' || text[end + 1] == '/'))
			return fail_at(&c, line_at(text, end), NULL,
				       "invalid JSON: comments are not allowed");
		return fail_at(&c, line_at(text, end), NULL, "invalid JSON: %s",
			       json_tokener_error_desc(jerr));
	}
	for (k = end; k < len; k++) {
		if (!isspace((unsigned char)text[k])) {
			json_object_put(root);
			return fail_at(&c, line_at(text, k), NULL,
				       "invalid JSON: text after the top-level object");
		}
	}
	if (!json_object_is_type(root, json_type_object)) {
		char got[64];

		for (k = 0; k < len && isspace((unsigned char)text[k]); k++)
			;
		ret = fail_at(&c, line_at(text, k), NULL,
			      "the top level must be a JSON object {...}, got %s",
			      describe(root, got, sizeof(got)));
		json_object_put(root);
		return ret;
	}

	tmp = malloc(sizeof(*tmp));
	if (!tmp) {
		json_object_put(root);
		return fail_at(&c, 0, NULL, "out of memory");
	}
	xg_cfg_defaults(tmp);
	ret = parse_root(&c, root, tmp);
	if (!ret)
		ret = check_duplicates(&c);
	if (!ret)
		*cfg = *tmp;
	free(tmp);
	json_object_put(root);
	return ret ? -1 : 0;
}

int xg_cfg_parse(struct xg_cfg *cfg, const char *text, const char *name, char *err, size_t errlen)
{
	return parse_text(cfg, text, strlen(text), name, err, errlen);
}

int xg_cfg_load(struct xg_cfg *cfg, const char *path, char *err, size_t errlen)
{
	const struct ctx c = {NULL, 0, path, err, errlen};
	size_t len = 0;
	char *buf;
	ssize_t r;
	int fd, ret;

	xg_cfg_defaults(cfg);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_at(&c, 0, NULL, "cannot open: %s", strerror(errno));
	/* Read one byte past the limit to know the file is too large, whatever
	 * kind of file it is. */
	buf = malloc(CFG_MAX_FILE + 2);
	if (!buf) {
		close(fd);
		return fail_at(&c, 0, NULL, "out of memory");
	}
	while (len <= CFG_MAX_FILE) {
		r = read(fd, buf + len, CFG_MAX_FILE + 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = errno;
			free(buf);
			close(fd);
			return fail_at(&c, 0, NULL, "cannot read: %s", strerror(ret));
		}
		if (!r)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (len > CFG_MAX_FILE) {
		free(buf);
		return fail_at(&c, 0, NULL, "larger than 1 MiB: not a config file");
	}
	buf[len] = '\0';
	ret = parse_text(cfg, buf, len, path, err, errlen);
	free(buf);
	return ret;
}

/* ---- the effective configuration as JSON ---- */

/* Integral values as integers ("50000", not "50000.0"); others with the
 * fewest digits that read back exactly. */
static struct json_object *new_number(double v, bool always_fraction)
{
	char buf[40];

	if (!always_fraction && v == floor(v) && fabs(v) < 9007199254740992.0)
		return json_object_new_int64((int64_t)v);
	snprintf(buf, sizeof(buf), "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, sizeof(buf), "%.17g", v);
	if (!strpbrk(buf, ".eEni"))
		strcat(buf, ".0");
	return json_object_new_double_s(v, buf);
}

static struct json_object *new_ports(const struct xg_cfg_ports *p)
{
	char buf[XG_CFG_MAX_RANGES * 16];

	xg_cfg_ports_format(p, NULL, buf, sizeof(buf));
	return json_object_new_string(buf);
}

static struct json_object *cidrs_json(const struct xg_cidr *v, int n)
{
	struct json_object *arr = json_object_new_array();
	char buf[64];
	int i;

	for (i = 0; i < n; i++) {
		xg_cidr_format(&v[i], buf, sizeof(buf));
		json_object_array_add(arr, json_object_new_string(buf));
	}
	return arr;
}

static struct json_object *mitigation_json(const struct xg_mitigation_cfg *m)
{
	struct json_object *o = json_object_new_object();
	char ports[32];

	json_object_object_add(o, "enabled", json_object_new_boolean(m->enabled));
	json_object_object_add(o, "dry_run", json_object_new_boolean(m->dry_run));
	json_object_object_add(o, "block_ttl_s", json_object_new_int64(m->block_ttl_s));
	json_object_object_add(o, "max_entries", json_object_new_int64(m->max_entries));
	json_object_object_add(o, "max_inserts_per_min",
			       json_object_new_int64(m->max_inserts_per_min));
	json_object_object_add(o, "cooldown_s", json_object_new_int64(m->cooldown_s));
	json_object_object_add(o, "collateral_share", new_number(m->collateral_share, true));
	json_object_object_add(o, "max_peers", json_object_new_int64(m->max_peers));
	json_object_object_add(o, "peer_idle_s", json_object_new_int64(m->peer_idle_s));
	snprintf(ports, sizeof(ports), "%u-%u", m->client_ports.lo, m->client_ports.hi);
	json_object_object_add(o, "client_ports", json_object_new_string(ports));
	json_object_object_add(o, "allowlist", cidrs_json(m->allow, m->n_allow));
	json_object_object_add(o, "soft_allowlist", cidrs_json(m->soft, m->n_soft));
	json_object_object_add(o, "max_block_sources",
			       json_object_new_int64(m->plan.max_block_sources));
	json_object_object_add(o, "min_source_pps", new_number(m->plan.min_source_pps, false));
	json_object_object_add(o, "aggregate_min", json_object_new_int64(m->plan.aggregate_min));
	json_object_object_add(o, "protect_distinct", new_number(m->plan.protect_distinct, false));
	json_object_object_add(o, "protect_source_pps",
			       json_object_new_int64(m->plan.protect_source_pps));
	json_object_object_add(o, "protect_budget_factor",
			       new_number(m->plan.protect_budget_factor, true));
	json_object_object_add(o, "protect_budget_min",
			       json_object_new_int64(m->plan.protect_budget_min));
	json_object_object_add(o, "soft_rate_pps", json_object_new_int64(m->plan.soft_rate_pps));
	return o;
}

static struct json_object *pcap_json(const struct xg_pcap_cfg *p)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "enabled", json_object_new_boolean(p->enabled));
	json_object_object_add(o, "dir", json_object_new_string(p->dir));
	json_object_object_add(o, "peace_sample_rate", json_object_new_int64(p->peace_sample_rate));
	json_object_object_add(o, "incident_sample_rate",
			       json_object_new_int64(p->incident_sample_rate));
	json_object_object_add(o, "ring_packets", json_object_new_int64(p->ring_packets));
	json_object_object_add(o, "max_packets", json_object_new_int64(p->max_packets));
	json_object_object_add(o, "max_age_days", json_object_new_int64(p->max_age_days));
	json_object_object_add(o, "max_total_mb", json_object_new_int64(p->max_total_mb));
	json_object_object_add(o, "min_free_mb", json_object_new_int64(p->min_free_mb));
	return o;
}

/* n strings of size bytes each from base, as an array; redacted when they
 * may hold a credential (headers). */
static struct json_object *strs_json(const char *base, size_t size, int n, bool redact);

/* s through xg_alert_redact(). When valid (may be NULL) says the masked
 * text no longer reads back, s is shown instead: a syslog target has no
 * place for a credential, but a long host name with digits looks like a
 * token to the redactor, and config show must print a valid file. */
static struct json_object *redacted_json(const char *s, bool (*valid)(const char *))
{
	struct json_object *o;
	char *r = xg_alert_redact(s);

	if (!r)
		return json_object_new_string("***"); /* out of memory: show nothing */
	o = json_object_new_string(valid && !valid(r) ? s : r);
	free(r);
	return o;
}

static struct json_object *strs_json(const char *base, size_t size, int n, bool redact)
{
	struct json_object *arr = json_object_new_array();
	int i;

	for (i = 0; i < n; i++)
		json_object_array_add(arr, redact
					       ? redacted_json(base + (size_t)i * size, NULL)
					       : json_object_new_string(base + (size_t)i * size));
	return arr;
}

static const char *facility_name(int code)
{
	size_t k;

	for (k = 0; k < N_FACILITIES; k++)
		if (xg_alert_syslog_facility(facilities[k]) == code)
			return facilities[k];
	return "daemon";
}

/* One sink key's value as config show prints it: secrets as "***" when
 * set, URLs and headers redacted. */
static struct json_object *sink_value_json(const struct sink_key *k,
					   const struct xg_alert_sink_cfg *s)
{
	const char *field = (const char *)s + k->off;

	switch (k->kind) {
	case SK_SECRET:
		return json_object_new_string(*field ? "***" : "");
	case SK_URL:
		return redacted_json(field, NULL);
	case SK_TARGET:
		return redacted_json(field, target_ok);
	case SK_BOOL:
		return json_object_new_boolean(*(const bool *)field);
	case SK_TIMEOUT:
		return json_object_new_int64(s->timeout_ms);
	case SK_FACILITY:
		return json_object_new_string(facility_name(s->facility));
	case SK_FORMAT:
		return json_object_new_string(s->cef ? "cef" : "rfc5424");
	case SK_HEADERS:
		return strs_json(s->headers[0], sizeof(s->headers[0]), s->n_headers, true);
	case SK_TO:
		return strs_json(s->to[0], sizeof(s->to[0]), s->n_to, false);
	default:
		return json_object_new_string(field);
	}
}

static struct json_object *sinks_json(const struct xg_alerts_cfg *a)
{
	struct json_object *arr = json_object_new_array();
	int i;
	size_t k;

	for (i = 0; i < a->route.n_sinks; i++) {
		const struct xg_route_sink *rs = &a->route.sinks[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(rs->name));
		json_object_object_add(o, "type",
				       json_object_new_string(xg_route_sink_type_name(rs->type)));
		for (k = 0; k < N_SINK_KEYS; k++)
			if (sink_keys[k].types & (1u << rs->type))
				json_object_object_add(o, sink_keys[k].name,
						       sink_value_json(&sink_keys[k], &a->sink[i]));
		json_object_array_add(arr, o);
	}
	return arr;
}

static struct json_object *policies_json(const struct xg_route_cfg *r)
{
	struct json_object *arr = json_object_new_array();
	int i, k;

	for (i = 0; i < r->n_policies; i++) {
		const struct xg_route_policy *p = &r->policies[i];
		struct json_object *o = json_object_new_object();
		struct json_object *steps = json_object_new_array();

		for (k = 0; k < p->n_steps; k++) {
			struct json_object *st = json_object_new_object();

			json_object_object_add(st, "delay_s",
					       json_object_new_int64(p->steps[k].delay_s));
			json_object_object_add(st, "sinks",
					       strs_json(p->steps[k].sinks[0], XG_ROUTE_NAME_LEN,
							 p->steps[k].n_sinks, false));
			json_object_array_add(steps, st);
		}
		json_object_object_add(o, "name", json_object_new_string(p->name));
		json_object_object_add(o, "steps", steps);
		json_object_array_add(arr, o);
	}
	return arr;
}

static struct json_object *routes_json(const struct xg_route_cfg *r)
{
	struct json_object *arr = json_object_new_array();
	int i;

	for (i = 0; i < r->n_routes; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(
		    o, "min_severity",
		    json_object_new_string(xg_route_sev_name(r->routes[i].min_severity)));
		json_object_object_add(o, "policy", json_object_new_string(r->routes[i].policy));
		json_object_array_add(arr, o);
	}
	return arr;
}

static struct json_object *utc_json(int64_t t)
{
	time_t tt = (time_t)t;
	char buf[32];
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		buf[0] = '\0';
	return json_object_new_string(buf);
}

static struct json_object *windows_json(const struct xg_route_cfg *r)
{
	struct json_object *arr = json_object_new_array();
	char spec[64];
	int i;

	for (i = 0; i < r->n_windows; i++) {
		const struct xg_route_window *w = &r->windows[i];
		struct json_object *o = json_object_new_object();

		if (w->kind == XG_ROUTE_WIN_WEEKLY) {
			xg_route_weekly_format(w, spec, sizeof(spec));
			json_object_object_add(o, "weekly", json_object_new_string(spec));
		} else {
			json_object_object_add(o, "start", utc_json(w->start_s));
			json_object_object_add(o, "end", utc_json(w->end_s));
		}
		json_object_object_add(
		    o, "interfaces",
		    strs_json(w->ifaces[0], XG_ROUTE_IFNAME_LEN, w->n_ifaces, false));
		json_object_array_add(arr, o);
	}
	return arr;
}

static struct json_object *alerts_json(const struct xg_alerts_cfg *a)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "node", json_object_new_string(a->node));
	json_object_object_add(o, "queue_capacity", json_object_new_int64(a->queue_capacity));
	json_object_object_add(o, "coalesce_s", json_object_new_int64(a->route.coalesce_s));
	json_object_object_add(o, "sinks", sinks_json(a));
	json_object_object_add(o, "policies", policies_json(&a->route));
	json_object_object_add(o, "routes", routes_json(&a->route));
	json_object_object_add(o, "maintenance", windows_json(&a->route));
	return o;
}

static struct json_object *level_json(const struct xg_bgp_level_cfg *l)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "enabled", json_object_new_boolean(l->enabled));
	json_object_object_add(o, "pps", new_number(l->pps, false));
	json_object_object_add(o, "bps", new_number(l->bps, false));
	json_object_object_add(o, "dry_run", json_object_new_boolean(l->dry_run));
	return o;
}

static struct json_object *spk_value_json(const struct spk_key *k, const struct xg_speaker_cfg *s)
{
	struct json_object *arr;

	switch (k->kind) {
	case PK_ASN:
		return json_object_new_int64(s->asn);
	case PK_TIMEOUT:
		return json_object_new_int64(s->timeout_ms);
	case PK_FAMILIES:
		arr = json_object_new_array();
		if (s->flowspec)
			json_object_array_add(arr, json_object_new_string("flowspec"));
		if (s->rtbh)
			json_object_array_add(arr, json_object_new_string("rtbh"));
		return arr;
	case PK_URL:
		return redacted_json(s->url, NULL);
	default:
		return json_object_new_string((const char *)s + k->off);
	}
}

static struct json_object *speakers_json(const struct xg_bgp_cfg *b)
{
	struct json_object *arr = json_object_new_array();
	int i;
	size_t k;

	for (i = 0; i < b->n_speakers; i++) {
		const struct xg_speaker_cfg *s = &b->speakers[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(s->name));
		json_object_object_add(o, "type",
				       json_object_new_string(xg_speaker_type_name(s->type)));
		for (k = 0; k < N_SPK_KEYS; k++)
			if (spk_keys[k].types & (1u << s->type))
				json_object_object_add(o, spk_keys[k].name,
						       spk_value_json(&spk_keys[k], s));
		json_object_array_add(arr, o);
	}
	return arr;
}

static struct json_object *bgp_json(const struct xg_bgp_cfg *b)
{
	struct json_object *o = json_object_new_object();
	struct json_object *levels = json_object_new_object();
	struct json_object *comm = json_object_new_array();
	struct json_object *lcomm = json_object_new_array();
	struct json_object *scrub = json_object_new_object();
	char buf[40];
	int l, k;

	json_object_object_add(o, "enabled", json_object_new_boolean(b->enabled));
	json_object_object_add(o, "dry_run", json_object_new_boolean(b->dry_run));
	for (l = XG_LVL_FS_RATELIMIT; l < XG_LVL_MAX; l++)
		json_object_object_add(levels, xg_bgp_level_name(l), level_json(&b->level[l]));
	json_object_object_add(o, "levels", levels);
	json_object_object_add(o, "step_down_ratio", new_number(b->step_down_ratio, true));
	json_object_object_add(o, "hold_down_s", json_object_new_int64(b->hold_down_s));
	json_object_object_add(o, "rate_limit_bps",
			       json_object_new_int64((int64_t)b->rate_limit_bps));
	json_object_object_add(o, "rule_ttl_s", json_object_new_int64(b->rule_ttl_s));
	json_object_object_add(o, "max_rules", json_object_new_int64(b->max_rules));
	json_object_object_add(o, "max_announce_per_min",
			       json_object_new_int64(b->max_announce_per_min));
	json_object_object_add(o, "max_flowspec_sources",
			       json_object_new_int64(b->max_flowspec_sources));
	/* 65535:666 is not listed: it is always sent */
	for (k = 0; k < b->n_comm; k++) {
		snprintf(buf, sizeof(buf), "%u:%u", b->comm[k] >> 16, b->comm[k] & 0xffff);
		json_object_array_add(comm, json_object_new_string(buf));
	}
	json_object_object_add(o, "communities", comm);
	for (k = 0; k < b->n_lcomm; k++) {
		snprintf(buf, sizeof(buf), "%u:%u:%u", b->lcomm[k].global, b->lcomm[k].local1,
			 b->lcomm[k].local2);
		json_object_array_add(lcomm, json_object_new_string(buf));
	}
	json_object_object_add(o, "large_communities", lcomm);
	json_object_object_add(o, "next_hop_v4", json_object_new_string(b->next_hop_v4));
	json_object_object_add(o, "next_hop_v6", json_object_new_string(b->next_hop_v6));
	json_object_object_add(o, "rtbh_min_prefix_v4",
			       json_object_new_int64(b->rtbh_min_prefix_v4));
	json_object_object_add(o, "rtbh_min_prefix_v6",
			       json_object_new_int64(b->rtbh_min_prefix_v6));
	json_object_object_add(o, "allow_private", json_object_new_boolean(b->allow_private));
	json_object_object_add(o, "never_blackhole", cidrs_json(b->never_blackhole, b->n_never));
	json_object_object_add(scrub, "url", redacted_json(b->scrub_url, NULL));
	json_object_object_add(
	    scrub, "command",
	    strs_json(b->scrub_command[0], sizeof(b->scrub_command[0]), b->n_scrub_args, false));
	json_object_object_add(o, "scrub", scrub);
	json_object_object_add(o, "speakers", speakers_json(b));
	return o;
}

static struct json_object *http_json(const struct xg_http_cfg *h)
{
	struct json_object *o = json_object_new_object();
	struct json_object *sp = json_object_new_object();

	json_object_object_add(o, "enabled", json_object_new_boolean(h->enabled));
	json_object_object_add(o, "bind", json_object_new_string(h->bind));
	json_object_object_add(o, "port", json_object_new_int64(h->port));
	/* "***" is not a valid token: a shown file cannot be loaded as if it
	 * had one */
	json_object_object_add(o, "token", json_object_new_string(h->token[0] ? "***" : ""));
	json_object_object_add(o, "read_auth", json_object_new_boolean(h->read_auth));
	json_object_object_add(o, "top_ports", json_object_new_int64(h->top_ports));
	json_object_object_add(sp, "enabled", json_object_new_boolean(h->status_page));
	json_object_object_add(sp, "redact", json_object_new_boolean(h->status_redact));
	json_object_object_add(sp, "title", json_object_new_string(h->status_title));
	json_object_object_add(o, "status_page", sp);
	return o;
}

struct json_object *xg_cfg_to_json(const struct xg_cfg *cfg)
{
	struct json_object *root = json_object_new_object();
	struct json_object *ifs = json_object_new_array();
	struct json_object *svc = json_object_new_object();
	struct json_object *extra = json_object_new_array();
	struct json_object *base = json_object_new_object();
	struct json_object *floors = json_object_new_object();
	struct json_object *det = json_object_new_object();
	char wudp[XG_CFG_MAX_RANGES * 20], wtcp[XG_CFG_MAX_RANGES * 20];
	char watched[sizeof(wudp) + sizeof(wtcp) + 1];
	int i;

	for (i = 0; i < cfg->n_interfaces && i < XG_CFG_MAX_IFACES; i++)
		json_object_array_add(ifs, json_object_new_string(cfg->interfaces[i]));
	json_object_object_add(root, "interfaces", ifs);
	json_object_object_add(root, "attach_mode", json_object_new_string(cfg->attach_mode));
	json_object_object_add(root, "tick_ms", json_object_new_int64(cfg->tick_ms));
	json_object_object_add(root, "state_dir", json_object_new_string(cfg->state_dir));
	json_object_object_add(root, "log_level", json_object_new_string(cfg->log_level));
	json_object_object_add(root, "monitor_only", json_object_new_boolean(cfg->monitor_only));
	json_object_object_add(root, "sample_rate", json_object_new_int64(cfg->sample_rate));
	json_object_object_add(root, "learn_budget", json_object_new_int64(cfg->learn_budget));

	json_object_object_add(svc, "sip_udp_ports", new_ports(&cfg->sip_udp));
	json_object_object_add(svc, "sip_tcp_ports", new_ports(&cfg->sip_tcp));
	json_object_object_add(svc, "sip_tls_ports", new_ports(&cfg->sip_tls));
	json_object_object_add(svc, "rtp_ports", new_ports(&cfg->rtp));
	for (i = 0; i < CFG_N_EXTRA; i++) {
		struct json_object *x;

		if (!cfg->extra[i].name[0])
			continue;
		x = json_object_new_object();
		json_object_object_add(x, "name", json_object_new_string(cfg->extra[i].name));
		json_object_object_add(x, "udp_ports", new_ports(&cfg->extra[i].udp));
		json_object_object_add(x, "tcp_ports", new_ports(&cfg->extra[i].tcp));
		json_object_array_add(extra, x);
	}
	json_object_object_add(svc, "extra", extra);
	xg_cfg_ports_format(&cfg->watched_udp, "udp:", wudp, sizeof(wudp));
	xg_cfg_ports_format(&cfg->watched_tcp, "tcp:", wtcp, sizeof(wtcp));
	snprintf(watched, sizeof(watched), "%s%s%s", wudp, *wudp && *wtcp ? "," : "", wtcp);
	json_object_object_add(svc, "watched_ports", json_object_new_string(watched));
	json_object_object_add(root, "services", svc);

	json_object_object_add(base, "window", json_object_new_int64(cfg->baseline.window));
	json_object_object_add(base, "multiplier", new_number(cfg->baseline.multiplier, true));
	json_object_object_add(base, "percentile", new_number(cfg->baseline.percentile, false));
	json_object_object_add(base, "learning_s",
			       json_object_new_int64((int64_t)cfg->baseline.learning_s));
	json_object_object_add(base, "tow_after_s",
			       json_object_new_int64((int64_t)cfg->baseline.tow_after_s));
	for (i = 0; i < XG_M_MAX; i++)
		json_object_object_add(floors, xg_metric_name(i),
				       new_number(cfg->baseline.floor[i], false));
	json_object_object_add(base, "floors", floors);
	json_object_object_add(root, "baseline", base);

	json_object_object_add(det, "close_ticks", json_object_new_int64(cfg->detect.close_ticks));
	json_object_object_add(root, "detection", det);
	json_object_object_add(root, "mitigation", mitigation_json(&cfg->mitigation));
	json_object_object_add(root, "pcap", pcap_json(&cfg->pcap));
	json_object_object_add(root, "alerts", alerts_json(&cfg->alerts));
	json_object_object_add(root, "bgp", bgp_json(&cfg->bgp));
	json_object_object_add(root, "http", http_json(&cfg->http));
	return root;
}
