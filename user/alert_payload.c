// SPDX-License-Identifier: GPL-2.0-only
#include "alert_payload.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#define ELLIPSIS    "\xe2\x80\xa6" /* U+2026: one unit, three bytes */
#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/* ---- Growing strings ---------------------------------------------------- */

/* Appends never fail visibly: the first allocation failure is remembered
 * and sb_done() reports it, which keeps the renderers linear. */
struct sb {
	char *buf;
	size_t len, cap;
	bool oom;
};

static void sb_addn(struct sb *b, const char *s, size_t n)
{
	size_t cap;
	char *p;

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->buf, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->buf = p;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

static void sb_add(struct sb *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

static void sb_addc(struct sb *b, char c)
{
	sb_addn(b, &c, 1);
}

__attribute__((format(printf, 2, 3))) static void sb_addf(struct sb *b, const char *fmt, ...)
{
	char small[256], *big;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		sb_addn(b, small, (size_t)n);
		return;
	}
	big = malloc((size_t)n + 1);
	if (!big) {
		b->oom = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb_addn(b, big, (size_t)n);
	free(big);
}

static char *sb_done(struct sb *b)
{
	if (b->oom) {
		free(b->buf);
		errno = ENOMEM;
		return NULL;
	}
	return b->buf ? b->buf : strdup("");
}

/* ---- UTF-8 -------------------------------------------------------------- */

/* The length of the valid code point at s, or 0 for an invalid sequence
 * (overlong, surrogate, past U+10FFFF, truncated): what passes here is what
 * every JSON parser accepts. */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
	uint32_t c = s[0];
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		c &= 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

enum esc {
	ESC_NONE,
	ESC_SLACK, /* & < > as entities: Slack's mrkdwn and text */
	ESC_LINE,  /* control characters as spaces: one-line contexts */
};

/* One code point of s as it will be written: bytes, length, units. */
struct piece {
	const char *p;
	size_t len;   /* bytes written */
	size_t units; /* UTF-16 code units counted */
	size_t adv;   /* bytes consumed from s */
};

static void next_piece(const char *s, enum esc e, struct piece *pc)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t cp = 0;
	size_t n = utf8_next(u, &cp);

	if (!n) {
		*pc = (struct piece){REPLACEMENT, 3, 1, 1};
		return;
	}
	*pc = (struct piece){s, n, cp >= 0x10000 ? 2 : 1, n};
	if (e == ESC_SLACK) {
		if (cp == '&')
			*pc = (struct piece){"&amp;", 5, 5, 1};
		else if (cp == '<')
			*pc = (struct piece){"&lt;", 4, 4, 1};
		else if (cp == '>')
			*pc = (struct piece){"&gt;", 4, 4, 1};
	} else if (e == ESC_LINE && (cp < 0x20 || cp == 0x7f)) {
		*pc = (struct piece){" ", 1, 1, 1};
	}
}

static size_t units_esc(const char *s, enum esc e)
{
	struct piece pc;
	size_t n = 0;

	for (; s && *s; s += pc.adv) {
		next_piece(s, e, &pc);
		n += pc.units;
	}
	return n;
}

/* Appends s escaped, clipped to max units with an ellipsis inside the limit
 * when it does not fit. Escapes are never cut in half. */
static void sb_clip(struct sb *b, const char *s, size_t max, enum esc e)
{
	struct piece pc;
	size_t used = 0;
	bool fits;

	if (!s)
		return;
	fits = units_esc(s, e) <= max;
	if (!fits && max == 0)
		return;
	for (; *s; s += pc.adv) {
		next_piece(s, e, &pc);
		if (!fits && used + pc.units > max - 1)
			break;
		sb_addn(b, pc.p, pc.len);
		used += pc.units;
	}
	if (!fits)
		sb_add(b, ELLIPSIS);
}

/* s on one line: a list item with a newline in it would read as two. */
static void sb_oneline(struct sb *b, const char *s)
{
	sb_clip(b, s, SIZE_MAX, ESC_LINE);
}

static void sb_item(struct sb *b, const char *s)
{
	sb_add(b, "  - ");
	sb_oneline(b, s);
	sb_addc(b, '\n');
}

static char *clip_esc(const char *s, size_t max, enum esc e)
{
	struct sb b = {0};

	sb_clip(&b, s, max, e);
	return sb_done(&b);
}

char *xg_alert_clip(const char *s, size_t max_units)
{
	return clip_esc(s, max_units, ESC_NONE);
}

size_t xg_alert_text_units(const char *s)
{
	return units_esc(s, ESC_NONE);
}

/* ---- JSON helpers ------------------------------------------------------- */

/* A JSON string from text we do not control: valid UTF-8, at most max
 * units. json-c would pass invalid bytes through, and a service then
 * refuses the whole request. */
static struct json_object *jtext(const char *s, size_t max)
{
	struct json_object *o;
	char *c = clip_esc(s ? s : "", max, ESC_NONE);

	if (!c)
		return NULL;
	o = json_object_new_string(c);
	free(c);
	return o;
}

static struct json_object *jtext_all(const char *s)
{
	return jtext(s, SIZE_MAX);
}

/* Takes ownership of s (NULL: the JSON string is dropped with the oom). */
static struct json_object *jown(char *s)
{
	struct json_object *o = s ? json_object_new_string(s) : NULL;

	free(s);
	return o;
}

static void jadd(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

static struct json_object *jlist(const char *const *v, size_t n)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; a && i < n; i++)
		if (v[i])
			json_object_array_add(a, jtext_all(v[i]));
	return a;
}

char *xg_alert_json_string(struct json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE);

	if (!s) {
		errno = ENOMEM;
		return NULL;
	}
	return strdup(s);
}

/* ---- Reading the incident ----------------------------------------------- */

static struct json_object *inc_get(struct json_object *inc, const char *key)
{
	struct json_object *v = NULL;

	if (!inc || !json_object_object_get_ex(inc, key, &v))
		return NULL;
	return v;
}

static const char *inc_str(struct json_object *inc, const char *key)
{
	struct json_object *v = inc_get(inc, key);

	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

static double inc_num(struct json_object *inc, const char *key)
{
	struct json_object *v = inc_get(inc, key);

	if (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int))
		return json_object_get_double(v);
	return 0.0;
}

static bool inc_bool(struct json_object *inc, const char *key)
{
	struct json_object *v = inc_get(inc, key);

	return json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
}

static struct json_object *inc_arr(struct json_object *inc, const char *key)
{
	struct json_object *v = inc_get(inc, key);

	return json_object_is_type(v, json_type_array) ? v : NULL;
}

static size_t arr_len(struct json_object *a)
{
	return a ? json_object_array_length(a) : 0;
}

/* The i-th element when it is a string, else NULL. */
static const char *arr_str(struct json_object *a, size_t i)
{
	struct json_object *v = json_object_array_get_idx(a, i);

	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static struct json_object *arr_copy(struct json_object *a)
{
	struct json_object *o = json_object_new_array();
	size_t i;

	for (i = 0; o && i < arr_len(a); i++)
		if (arr_str(a, i))
			json_object_array_add(o, jtext_all(arr_str(a, i)));
	return o;
}

static int inc_confidence(struct json_object *inc)
{
	return (int)inc_num(inc, "confidence");
}

static const char *ev_node(const struct xg_alert_event *ev)
{
	return ev->node && ev->node[0] ? ev->node : "xdpguard";
}

static const char *inc_id(const struct xg_alert_event *ev)
{
	const char *id = inc_str(ev->incident, "id");

	return id[0] ? id : "unknown";
}

/* ---- Names -------------------------------------------------------------- */

static const char *const kind_names[] = {"open", "update", "close", "test"};
static const char *const sev_names[] = {"critical", "error", "warning", "info"};

const char *xg_alert_kind_name(enum xg_alert_kind kind)
{
	return (unsigned int)kind < 4 ? kind_names[kind] : "unknown";
}

int xg_alert_kind_parse(const char *s, enum xg_alert_kind *out)
{
	int i;

	for (i = 0; s && i < 4; i++) {
		if (!strcmp(s, kind_names[i])) {
			*out = (enum xg_alert_kind)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *xg_alert_sev_name(enum xg_alert_sev sev)
{
	return (unsigned int)sev < 4 ? sev_names[sev] : "unknown";
}

int xg_alert_sev_parse(const char *s, enum xg_alert_sev *out)
{
	int i;

	for (i = 0; s && i < 4; i++) {
		if (!strcmp(s, sev_names[i])) {
			*out = (enum xg_alert_sev)i;
			return 0;
		}
	}
	return -EINVAL;
}

static const char *sev_upper(enum xg_alert_sev sev)
{
	static const char *const up[] = {"CRITICAL", "ERROR", "WARNING", "INFO"};

	return (unsigned int)sev < 4 ? up[sev] : "UNKNOWN";
}

/* The journal's event names, also the syslog MSGID. */
static const char *kind_event(enum xg_alert_kind kind)
{
	static const char *const ev[] = {"incident_open", "incident_update", "incident_close",
					 "test"};

	return (unsigned int)kind < 4 ? ev[kind] : "unknown";
}

static const char *kind_status(enum xg_alert_kind kind)
{
	static const char *const st[] = {"open", "ongoing", "resolved", "test"};

	return (unsigned int)kind < 4 ? st[kind] : "unknown";
}

static bool is_benign(const char *family)
{
	return !family[0] || !strcmp(family, "test") || !strcmp(family, "sip_registration_surge") ||
	       !strcmp(family, "traffic_surge");
}

static bool is_voip(const char *family, const char *service)
{
	return !strncmp(family, "sip_", 4) || !strncmp(family, "rtp_", 4) ||
	       !strncmp(service, "sip-", 4) || !strcmp(service, "rtp");
}

enum xg_alert_sev xg_alert_severity(enum xg_alert_kind kind, struct json_object *inc)
{
	const char *family = inc_str(inc, "family");
	int conf = inc_confidence(inc);

	if (kind == XG_ALERT_CLOSE || kind == XG_ALERT_TEST)
		return XG_SEV_INFO;
	if (is_benign(family) || conf < XG_ALERT_SEV_WEAK_CONFIDENCE)
		return XG_SEV_WARNING;
	if (is_voip(family, inc_str(inc, "service")))
		return XG_SEV_CRITICAL;
	if (conf >= XG_ALERT_SEV_CRIT_CONFIDENCE &&
	    inc_num(inc, "peak_pps") > XG_ALERT_SEV_CRIT_PPS)
		return XG_SEV_CRITICAL;
	return XG_SEV_ERROR;
}

static const struct {
	const char *family, *name;
} family_names[] = {
    {"udp_flood", "UDP flood"},
    {"syn_flood", "SYN flood"},
    {"icmp_flood", "ICMP flood"},
    {"fragment_flood", "Fragment flood"},
    {"multi_vector", "Multi-vector attack"},
    {"tcp_flood", "TCP flag flood"},
    {"protocol_flood", "IP protocol flood"},
    {"amplification", "Amplification attack"},
    {"sip_register_flood", "SIP REGISTER flood"},
    {"sip_invite_flood", "SIP INVITE flood"},
    {"sip_options_flood", "SIP OPTIONS flood"},
    {"sip_malformed_flood", "Malformed SIP flood"},
    {"sip_tls_syn_flood", "SIP-TLS SYN flood"},
    {"rtp_flood", "RTP flood"},
    {"sip_registration_surge", "SIP registration surge"},
    {"traffic_surge", "Traffic surge"},
    {"test", "Test alert"},
};

/* "SIP INVITE flood", "Amplification attack (dns)": the family in words,
 * an unknown one with '_' as spaces. */
static void attack_name(struct json_object *inc, char *buf, size_t len)
{
	const char *family = inc_str(inc, "family"), *sub = inc_str(inc, "subtype");
	size_t i;
	char *p;

	snprintf(buf, len, "%s", family[0] ? family : "Incident");
	for (p = buf; *p; p++)
		if (*p == '_')
			*p = ' ';
	for (i = 0; i < sizeof(family_names) / sizeof(family_names[0]); i++)
		if (!strcmp(family, family_names[i].family))
			snprintf(buf, len, "%s", family_names[i].name);
	if (sub[0]) {
		size_t n = strlen(buf);

		snprintf(buf + n, len - n, " (%s)", sub);
	}
}

/* ---- Numbers and times -------------------------------------------------- */

static void fmt_scaled(double v, const char *const *units, int n_units, char *buf, size_t len)
{
	int u = 0;

	if (!(v >= 0.0)) /* NaN too */
		v = 0.0;
	while (v >= 1000.0 && u < n_units - 1) {
		v /= 1000.0;
		u++;
	}
	if (u == 0 || v >= 100.0)
		snprintf(buf, len, "%.0f %s", v, units[u]);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
}

static void fmt_pps(double v, char *buf, size_t len)
{
	static const char *const u[] = {"pps", "kpps", "Mpps", "Gpps"};

	fmt_scaled(v, u, 4, buf, len);
}

static void fmt_bps(double v, char *buf, size_t len)
{
	static const char *const u[] = {"bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"};

	fmt_scaled(v, u, 5, buf, len);
}

static void fmt_duration(double s, char *buf, size_t len)
{
	long t = s > 0 ? (long)(s + 0.5) : 0;

	if (t < 60)
		snprintf(buf, len, "%lds", t);
	else if (t < 3600)
		snprintf(buf, len, "%ldm %lds", t / 60, t % 60);
	else
		snprintf(buf, len, "%ldh %ldm", t / 3600, (t % 3600) / 60);
}

static void iso8601(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "1970-01-01T00:00:00Z");
}

/* RFC 5322 date, by hand: strftime's %a and %b follow the locale. */
static void rfc5322_date(int64_t t, char *buf, size_t len)
{
	static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm)) {
		tt = 0;
		gmtime_r(&tt, &tm);
	}
	snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d +0000", wd[tm.tm_wday], tm.tm_mday,
		 mo[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The incident's start, or now when it has none (a test). */
static int64_t inc_start(const struct xg_alert_event *ev)
{
	double s = inc_num(ev->incident, "start");

	/* a damaged journal may say anything: past year 9999 is no time */
	return s > 0 && s < 253402300800.0 ? (int64_t)s : ev->now;
}

/* ---- Shared text -------------------------------------------------------- */

static void sb_summary(struct sb *b, const struct xg_alert_event *ev)
{
	struct json_object *inc = ev->incident;
	const char *svc = inc_str(inc, "service");
	char name[96], pps[32], bps[32], dur[32];

	if (ev->kind == XG_ALERT_TEST) {
		sb_addf(b, "Test alert from xdpguard at %s: alerting works, no attack",
			ev_node(ev));
		return;
	}
	attack_name(inc, name, sizeof(name));
	fmt_pps(inc_num(inc, "peak_pps"), pps, sizeof(pps));
	fmt_bps(inc_num(inc, "peak_bps"), bps, sizeof(bps));
	if (ev->kind == XG_ALERT_CLOSE)
		sb_add(b, "Resolved: ");
	else if (ev->kind == XG_ALERT_UPDATE)
		sb_add(b, "Ongoing: ");
	sb_add(b, name);
	if (svc[0] && strcmp(svc, "any"))
		sb_addf(b, " on %s", svc);
	sb_addf(b, " at %s", ev_node(ev));
	if (ev->kind == XG_ALERT_CLOSE) {
		fmt_duration(inc_num(inc, "duration_s"), dur, sizeof(dur));
		sb_addf(b, " after %s, peak %s, %s", dur, pps, bps);
		return;
	}
	sb_addf(b, ": %s, %s, %d%% confidence", pps, bps, inc_confidence(inc));
	if (inc_bool(inc, "spoofed"))
		sb_add(b, ", spoofed");
	if (inc_bool(inc, "botnet"))
		sb_add(b, ", botnet");
	if (inc_bool(inc, "learning"))
		sb_add(b, ", monitor-only (learning)");
}

char *xg_alert_summary(const struct xg_alert_event *ev)
{
	struct sb b = {0};
	char *raw, *s;

	sb_summary(&b, ev);
	raw = sb_done(&b);
	if (!raw)
		return NULL;
	/* one line of valid UTF-8, whatever the incident's strings hold */
	s = clip_esc(raw, SIZE_MAX, ESC_LINE);
	free(raw);
	return s;
}

/* "<SEVERITY>: <attack> at <node>", the title of the chat sinks. */
static void sb_title(struct sb *b, const struct xg_alert_event *ev)
{
	char name[96];

	attack_name(ev->incident, name, sizeof(name));
	if (ev->kind == XG_ALERT_TEST) {
		sb_addf(b, "Test alert from %s", ev_node(ev));
		return;
	}
	if (ev->kind == XG_ALERT_CLOSE)
		sb_add(b, "Resolved");
	else
		sb_add(b, sev_upper(ev->severity));
	sb_addf(b, ": %s at %s", name, ev_node(ev));
}

static void sb_join(struct sb *b, const char *const *v, size_t n, const char *sep)
{
	size_t i;
	bool first = true;

	for (i = 0; i < n; i++) {
		if (!v[i])
			continue;
		if (!first)
			sb_add(b, sep);
		sb_add(b, v[i]);
		first = false;
	}
}

static void sb_join_arr(struct sb *b, struct json_object *a, const char *sep)
{
	size_t i;
	bool first = true;

	for (i = 0; i < arr_len(a); i++) {
		if (!arr_str(a, i))
			continue;
		if (!first)
			sb_add(b, sep);
		sb_add(b, arr_str(a, i));
		first = false;
	}
}

static char *join(const char *const *v, size_t n, const char *sep)
{
	struct sb b = {0};

	sb_join(&b, v, n, sep);
	return sb_done(&b);
}

static char *join_arr(struct json_object *a, const char *sep)
{
	struct sb b = {0};

	sb_join_arr(&b, a, sep);
	return sb_done(&b);
}

static char *peak_text(struct json_object *inc)
{
	char pps[32], bps[32];
	struct sb b = {0};

	fmt_pps(inc_num(inc, "peak_pps"), pps, sizeof(pps));
	fmt_bps(inc_num(inc, "peak_bps"), bps, sizeof(bps));
	sb_addf(&b, "%s, %s", pps, bps);
	return sb_done(&b);
}

static const char *yesno(bool v)
{
	return v ? "yes" : "no";
}

char *xg_alert_text_report(const struct xg_alert_event *ev)
{
	struct json_object *inc = ev->incident, *a;
	char name[96], when[32], pps[32], bps[32], dur[32];
	struct sb b = {0};
	size_t i;

	attack_name(inc, name, sizeof(name));
	sb_summary(&b, ev);
	sb_add(&b, "\n\n");
	sb_addf(&b, "Node:         %s\n", ev_node(ev));
	sb_addf(&b, "Incident:     %s\n", inc_id(ev));
	sb_addf(&b, "Status:       %s\n", kind_status(ev->kind));
	sb_addf(&b, "Severity:     %s\n", xg_alert_sev_name(ev->severity));
	if (ev->kind != XG_ALERT_TEST) {
		sb_addf(&b, "Attack:       %s [%s]\n", name, inc_str(inc, "family"));
		sb_addf(&b, "Service:      %s\n",
			inc_str(inc, "service")[0] ? inc_str(inc, "service") : "-");
		sb_addf(&b, "Confidence:   %d%%\n", inc_confidence(inc));
		sb_addf(&b, "Spoofed:      %s\n", yesno(inc_bool(inc, "spoofed")));
		sb_addf(&b, "Botnet:       %s\n", yesno(inc_bool(inc, "botnet")));
		if (inc_bool(inc, "learning"))
			sb_add(&b, "Mode:         monitor-only (learning period)\n");
		iso8601(inc_start(ev), when, sizeof(when));
		sb_addf(&b, "Started:      %s\n", when);
		if (inc_num(inc, "end") > 0) {
			iso8601((int64_t)inc_num(inc, "end"), when, sizeof(when));
			fmt_duration(inc_num(inc, "duration_s"), dur, sizeof(dur));
			sb_addf(&b, "Ended:        %s (after %s)\n", when, dur);
		}
		fmt_pps(inc_num(inc, "peak_pps"), pps, sizeof(pps));
		fmt_bps(inc_num(inc, "peak_bps"), bps, sizeof(bps));
		sb_addf(&b, "Peak:         %s, %s\n", pps, bps);
		if ((a = inc_arr(inc, "destinations")) && arr_len(a)) {
			sb_add(&b, "Destinations: ");
			sb_join_arr(&b, a, ", ");
			sb_addc(&b, '\n');
		}
		if ((a = inc_arr(inc, "metrics")) && arr_len(a)) {
			sb_add(&b, "Metrics:      ");
			sb_join_arr(&b, a, ", ");
			sb_addc(&b, '\n');
		}
	}
	if ((a = inc_arr(inc, "evidence")) && arr_len(a)) {
		sb_add(&b, "\nEvidence:\n");
		for (i = 0; i < arr_len(a); i++)
			if (arr_str(a, i))
				sb_item(&b, arr_str(a, i));
	}
	if (ev->n_top_sources) {
		sb_add(&b, "\nTop sources:\n");
		for (i = 0; i < ev->n_top_sources; i++)
			if (ev->top_sources[i])
				sb_item(&b, ev->top_sources[i]);
	}
	if (ev->n_mitigation) {
		sb_add(&b, "\nMitigation:\n");
		for (i = 0; i < ev->n_mitigation; i++)
			if (ev->mitigation[i])
				sb_item(&b, ev->mitigation[i]);
	}
	if (ev->pcap) {
		sb_add(&b, "\nCapture:      ");
		sb_oneline(&b, ev->pcap);
		sb_addc(&b, '\n');
	}
	sb_addf(&b, "\n-- \nxdpguard on %s\n", ev_node(ev));
	return sb_done(&b);
}

struct json_object *xg_alert_test_incident(const char *node, int64_t now)
{
	struct json_object *o = json_object_new_object();
	char id[40], when[32];
	struct sb ev = {0};
	char *line;

	if (!o) {
		errno = ENOMEM;
		return NULL;
	}
	snprintf(id, sizeof(id), "test-%" PRId64, now);
	iso8601(now, when, sizeof(when));
	sb_addf(&ev, "a test alert from xdpguard on %s; no attack is in progress",
		node && node[0] ? node : "xdpguard");
	line = sb_done(&ev);
	jadd(o, "event", json_object_new_string("test"));
	jadd(o, "id", json_object_new_string(id));
	jadd(o, "seq", json_object_new_int64(0));
	jadd(o, "family", json_object_new_string("test"));
	jadd(o, "subtype", json_object_new_string(""));
	jadd(o, "service", json_object_new_string("any"));
	jadd(o, "confidence", json_object_new_int(100));
	jadd(o, "spoofed", json_object_new_boolean(0));
	jadd(o, "botnet", json_object_new_boolean(0));
	jadd(o, "learning", json_object_new_boolean(0));
	jadd(o, "start", json_object_new_double((double)now));
	jadd(o, "start_utc", json_object_new_string(when));
	jadd(o, "peak_pps", json_object_new_double(0));
	jadd(o, "peak_bps", json_object_new_double(0));
	jadd(o, "metrics", json_object_new_array());
	jadd(o, "peak_metrics", json_object_new_object());
	jadd(o, "destinations", json_object_new_array());
	{
		struct json_object *e = json_object_new_array();

		if (e && line)
			json_object_array_add(e, jtext_all(line));
		jadd(o, "evidence", e);
	}
	free(line);
	return o;
}

/* ---- 1. Generic webhook ------------------------------------------------- */

static struct json_object *classification_json(struct json_object *inc)
{
	struct json_object *c = json_object_new_object();

	if (!c)
		return NULL;
	jadd(c, "family", jtext_all(inc_str(inc, "family")));
	jadd(c, "subtype", jtext_all(inc_str(inc, "subtype")));
	jadd(c, "service", jtext_all(inc_str(inc, "service")));
	jadd(c, "confidence", json_object_new_int(inc_confidence(inc)));
	jadd(c, "spoofed", json_object_new_boolean(inc_bool(inc, "spoofed")));
	jadd(c, "botnet", json_object_new_boolean(inc_bool(inc, "botnet")));
	jadd(c, "evidence", arr_copy(inc_arr(inc, "evidence")));
	return c;
}

static struct json_object *peak_json(struct json_object *inc)
{
	struct json_object *p = json_object_new_object();

	if (!p)
		return NULL;
	jadd(p, "pps", json_object_new_double(inc_num(inc, "peak_pps")));
	jadd(p, "bps", json_object_new_double(inc_num(inc, "peak_bps")));
	return p;
}

struct json_object *xg_alert_clean_json(struct json_object *v)
{
	struct json_object *o = NULL;
	size_t i, n;

	switch (json_object_get_type(v)) {
	case json_type_string:
		return jtext_all(json_object_get_string(v));
	case json_type_object:
		o = json_object_new_object();
		json_object_object_foreach (v, key, val) {
			char *k = o ? clip_esc(key, SIZE_MAX, ESC_NONE) : NULL;

			if (k)
				json_object_object_add(o, k, xg_alert_clean_json(val));
			free(k);
		}
		return o;
	case json_type_array:
		o = json_object_new_array();
		n = json_object_array_length(v);
		for (i = 0; o && i < n; i++)
			json_object_array_add(o,
					      xg_alert_clean_json(json_object_array_get_idx(v, i)));
		return o;
	default:
		if (v && json_object_deep_copy(v, &o, NULL))
			o = NULL;
		return o;
	}
}

struct json_object *xg_alert_webhook_json(const struct xg_alert_event *ev)
{
	struct json_object *o = json_object_new_object(), *inc = NULL;

	if (!o) {
		errno = ENOMEM;
		return NULL;
	}
	if (!ev->incident || json_object_deep_copy(ev->incident, &inc, NULL))
		inc = json_object_new_object();
	jadd(o, "type", json_object_new_string(xg_alert_kind_name(ev->kind)));
	jadd(o, "node", jtext_all(ev_node(ev)));
	jadd(o, "severity", json_object_new_string(xg_alert_sev_name(ev->severity)));
	jadd(o, "summary", jown(xg_alert_summary(ev)));
	jadd(o, "incident", inc);
	jadd(o, "classification", classification_json(ev->incident));
	jadd(o, "peak", peak_json(ev->incident));
	jadd(o, "top_sources", jlist(ev->top_sources, ev->n_top_sources));
	jadd(o, "mitigation", jlist(ev->mitigation, ev->n_mitigation));
	jadd(o, "pcap", ev->pcap ? jtext_all(ev->pcap) : NULL);
	jadd(o, "sent_at", json_object_new_int64(ev->now));
	return o;
}

char *xg_alert_webhook_body(const struct xg_alert_event *ev)
{
	struct json_object *o = xg_alert_webhook_json(ev);
	char *s;

	if (!o)
		return NULL;
	s = xg_alert_json_string(o);
	json_object_put(o);
	return s;
}

/* ---- Signature ---------------------------------------------------------- */

int xg_alert_hmac_sha256(const void *key, size_t keylen, const void *data, size_t len,
			 uint8_t out[XG_ALERT_HMAC_LEN])
{
	unsigned int mdlen = 0;

	/* An empty key would sign with a key anyone knows. */
	if (!key || !keylen || keylen > INT_MAX || (!data && len))
		return -EINVAL;
	if (!HMAC(EVP_sha256(), key, (int)keylen, data ? data : (const void *)"", len, out,
		  &mdlen) ||
	    mdlen != XG_ALERT_HMAC_LEN)
		return -EIO;
	return 0;
}

static void hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int xg_alert_hmac_sha256_hex(const void *key, size_t keylen, const void *data, size_t len,
			     char out[2 * XG_ALERT_HMAC_LEN + 1])
{
	uint8_t md[XG_ALERT_HMAC_LEN];
	int ret = xg_alert_hmac_sha256(key, keylen, data, len, md);

	if (!ret)
		hex_encode(md, sizeof(md), out);
	return ret;
}

/* HMAC over "<t>.<body>", the string both ends build. */
static int sign_raw(const char *secret, int64_t t, const char *body, size_t body_len,
		    uint8_t md[XG_ALERT_HMAC_LEN])
{
	char prefix[32];
	char *msg;
	int n, ret;

	n = snprintf(prefix, sizeof(prefix), "%" PRId64 ".", t);
	if (body_len > SIZE_MAX - (size_t)n)
		return -EINVAL;
	msg = malloc((size_t)n + body_len + 1);
	if (!msg)
		return -ENOMEM;
	memcpy(msg, prefix, (size_t)n);
	if (body_len)
		memcpy(msg + n, body, body_len);
	ret = xg_alert_hmac_sha256(secret, strlen(secret), msg, (size_t)n + body_len, md);
	free(msg);
	return ret;
}

int xg_alert_sign(const char *secret, int64_t t, const char *body, size_t body_len, char *out,
		  size_t outlen)
{
	uint8_t md[XG_ALERT_HMAC_LEN];
	char hex[2 * XG_ALERT_HMAC_LEN + 1];
	int ret, n;

	if (!secret || !secret[0] || t < 0 || (!body && body_len) || !out)
		return -EINVAL;
	ret = sign_raw(secret, t, body, body_len, md);
	if (ret)
		return ret;
	hex_encode(md, sizeof(md), hex);
	n = snprintf(out, outlen, "t=%" PRId64 ",v1=%s", t, hex);
	return n < 0 || (size_t)n >= outlen ? -ENOSPC : 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#define SIG_MAX_V1 8

int xg_alert_verify(const char *secret, const char *header, const char *body, size_t body_len,
		    int64_t now, int64_t tolerance_s)
{
	uint8_t cand[SIG_MAX_V1][XG_ALERT_HMAC_LEN], md[XG_ALERT_HMAC_LEN];
	int n_cand = 0, i, ret, ok = 0;
	bool have_t = false;
	const char *p = header;
	int64_t t = 0;

	if (!secret || !secret[0] || !header || (!body && body_len) || now < 0 || tolerance_s < 0)
		return -EINVAL;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len;

		if (!end)
			end = p + strlen(p);
		while (p < end && *p == ' ')
			p++;
		len = (size_t)(end - p);
		while (len && p[len - 1] == ' ')
			len--;
		if (len > 2 && !strncmp(p, "t=", 2)) {
			size_t k;

			if (have_t)
				return -EINVAL; /* two times: which one was signed? */
			for (k = 2; k < len; k++) {
				if (p[k] < '0' || p[k] > '9' || t > (INT64_MAX - 9) / 10)
					return -EINVAL;
				t = t * 10 + (p[k] - '0');
			}
			have_t = true;
		} else if (len == 3 + 2 * XG_ALERT_HMAC_LEN && !strncmp(p, "v1=", 3)) {
			bool good = n_cand < SIG_MAX_V1;
			size_t k;

			for (k = 0; good && k < XG_ALERT_HMAC_LEN; k++) {
				int hi = hexval(p[3 + 2 * k]), lo = hexval(p[4 + 2 * k]);

				if (hi < 0 || lo < 0)
					good = false;
				else
					cand[n_cand][k] = (uint8_t)(hi << 4 | lo);
			}
			if (good)
				n_cand++;
		}
		/* Other schemes (v0, a future v2) are someone else's: skipped. */
		p = *end ? end + 1 : end;
	}
	if (!have_t || !n_cand)
		return -EINVAL;
	ret = sign_raw(secret, t, body, body_len, md);
	if (ret)
		return ret;
	/* Every candidate is compared, in constant time each: how far a
	 * guess matched must not show in the timing. */
	for (i = 0; i < n_cand; i++)
		ok |= !CRYPTO_memcmp(cand[i], md, sizeof(md));
	OPENSSL_cleanse(md, sizeof(md));
	if (!ok)
		return -EBADMSG;
	/* Checked after the signature, so -ETIMEDOUT means "authentic but
	 * old", a clock problem or a replay, not a forgery. */
	if (now - t > tolerance_s || t - now > tolerance_s)
		return -ETIMEDOUT;
	return 0;
}

/* ---- 2. PagerDuty ------------------------------------------------------- */

#define PD_SUMMARY_MAX 1024 /* PagerDuty truncates there */
#define PD_DEDUP_MAX   255

struct json_object *xg_alert_pagerduty(const struct xg_alert_event *ev, const char *routing_key)
{
	struct json_object *o = json_object_new_object(), *p, *d;
	struct json_object *inc = ev->incident;
	const char *family = inc_str(inc, "family"), *sub = inc_str(inc, "subtype");
	const char *svc = inc_str(inc, "service");
	char when[32], *sum;
	struct sb cls = {0};

	if (!o) {
		errno = ENOMEM;
		return NULL;
	}
	jadd(o, "routing_key", jtext_all(routing_key ? routing_key : ""));
	jadd(o, "event_action",
	     json_object_new_string(ev->kind == XG_ALERT_CLOSE ? "resolve" : "trigger"));
	jadd(o, "dedup_key", jtext(inc_id(ev), PD_DEDUP_MAX));
	if (ev->kind == XG_ALERT_CLOSE)
		return o;

	p = json_object_new_object();
	d = json_object_new_object();
	if (!p || !d) {
		json_object_put(p);
		json_object_put(d);
		json_object_put(o);
		errno = ENOMEM;
		return NULL;
	}
	iso8601(ev->now, when, sizeof(when));
	sum = xg_alert_summary(ev);
	jadd(p, "summary", jown(clip_esc(sum, PD_SUMMARY_MAX, ESC_LINE)));
	free(sum);
	jadd(p, "source", jtext_all(ev_node(ev)));
	jadd(p, "severity", json_object_new_string(xg_alert_sev_name(ev->severity)));
	jadd(p, "timestamp", json_object_new_string(when));
	jadd(p, "component", jtext_all(svc[0] ? svc : "any"));
	jadd(p, "group", jtext_all(family[0] ? family : "unknown"));
	sb_add(&cls, family[0] ? family : "unknown");
	if (sub[0])
		sb_addf(&cls, "/%s", sub);
	jadd(p, "class", jown(sb_done(&cls)));

	jadd(d, "incident_id", jtext_all(inc_id(ev)));
	jadd(d, "status", json_object_new_string(kind_status(ev->kind)));
	jadd(d, "node", jtext_all(ev_node(ev)));
	jadd(d, "family", jtext_all(family));
	jadd(d, "subtype", jtext_all(sub));
	jadd(d, "service", jtext_all(svc));
	jadd(d, "confidence", json_object_new_int(inc_confidence(inc)));
	jadd(d, "spoofed", json_object_new_boolean(inc_bool(inc, "spoofed")));
	jadd(d, "botnet", json_object_new_boolean(inc_bool(inc, "botnet")));
	jadd(d, "monitor_only", json_object_new_boolean(inc_bool(inc, "learning")));
	jadd(d, "started", jtext_all(inc_str(inc, "start_utc")));
	jadd(d, "evidence", arr_copy(inc_arr(inc, "evidence")));
	jadd(d, "peak", peak_json(inc));
	jadd(d, "peak_text", jown(peak_text(inc)));
	jadd(d, "destinations", arr_copy(inc_arr(inc, "destinations")));
	jadd(d, "metrics", arr_copy(inc_arr(inc, "metrics")));
	jadd(d, "top_sources", jlist(ev->top_sources, ev->n_top_sources));
	jadd(d, "mitigation", jlist(ev->mitigation, ev->n_mitigation));
	if (ev->pcap)
		jadd(d, "pcap", jtext_all(ev->pcap));
	jadd(p, "custom_details", d);
	jadd(o, "payload", p);
	return o;
}

/* ---- 3. Slack ----------------------------------------------------------- */

#define SLACK_HEADER_MAX  150
#define SLACK_SECTION_MAX 3000
#define SLACK_FIELD_MAX	  2000
#define SLACK_FIELDS_MAX  10
#define SLACK_TEXT_MAX	  3000 /* the fallback: notifications show far less */

static struct json_object *slack_text(const char *type, char *text)
{
	struct json_object *t = json_object_new_object();

	if (t) {
		jadd(t, "type", json_object_new_string(type));
		jadd(t, "text", jown(text));
	} else {
		free(text);
	}
	return t;
}

/* "*Title*\nvalue": the title is ours, the value escaped and clipped so
 * the whole field stays within Slack's 2000. */
static void slack_field(struct json_object *fields, const char *title, const char *value)
{
	struct sb b = {0};
	size_t head = strlen(title) + 3;

	if (json_object_array_length(fields) >= SLACK_FIELDS_MAX)
		return;
	sb_addf(&b, "*%s*\n", title);
	sb_clip(&b, value && value[0] ? value : "-", SLACK_FIELD_MAX - head, ESC_SLACK);
	json_object_array_add(fields, slack_text("mrkdwn", sb_done(&b)));
}

static const char *slack_emoji(const struct xg_alert_event *ev)
{
	static const char *const em[] = {
	    ":rotating_light:", ":red_circle:", ":warning:", ":information_source:"};

	if (ev->kind == XG_ALERT_CLOSE)
		return ":white_check_mark:";
	return (unsigned int)ev->severity < 4 ? em[ev->severity] : ":grey_question:";
}

struct json_object *xg_alert_slack(const struct xg_alert_event *ev)
{
	struct json_object *o = json_object_new_object(), *blocks = json_object_new_array();
	struct json_object *hdr = json_object_new_object(), *sec = json_object_new_object();
	struct json_object *ctx = json_object_new_object(), *fields = json_object_new_array();
	struct json_object *elems = json_object_new_array(), *inc = ev->incident, *a;
	char *sum = xg_alert_summary(ev), *tmp, conf[16], when[32];
	struct sb b = {0};
	size_t i;

	if (!o || !blocks || !hdr || !sec || !ctx || !fields || !elems || !sum) {
		json_object_put(o);
		json_object_put(blocks);
		json_object_put(hdr);
		json_object_put(sec);
		json_object_put(ctx);
		json_object_put(fields);
		json_object_put(elems);
		free(sum);
		errno = ENOMEM;
		return NULL;
	}
	jadd(o, "text", jown(clip_esc(sum, SLACK_TEXT_MAX, ESC_SLACK)));

	/* Header: plain_text, which Slack shows as is (no escaping). */
	sb_addf(&b, "%s ", slack_emoji(ev));
	sb_title(&b, ev);
	tmp = sb_done(&b);
	jadd(hdr, "type", json_object_new_string("header"));
	{
		struct json_object *t =
		    slack_text("plain_text", clip_esc(tmp, SLACK_HEADER_MAX, ESC_LINE));

		if (t)
			jadd(t, "emoji", json_object_new_boolean(1));
		jadd(hdr, "text", t);
	}
	free(tmp);
	json_object_array_add(blocks, hdr);

	/* Section: the summary and the evidence, then the facts as fields. */
	memset(&b, 0, sizeof(b));
	sb_add(&b, sum);
	if ((a = inc_arr(inc, "evidence")) && arr_len(a)) {
		sb_add(&b, "\n*Evidence*");
		for (i = 0; i < arr_len(a); i++)
			if (arr_str(a, i))
				sb_addf(&b, "\n\xe2\x80\xa2 %s", arr_str(a, i)); /* bullet */
	}
	tmp = sb_done(&b);
	jadd(sec, "type", json_object_new_string("section"));
	jadd(sec, "text", slack_text("mrkdwn", clip_esc(tmp, SLACK_SECTION_MAX, ESC_SLACK)));
	free(tmp);
	slack_field(fields, "Severity", xg_alert_sev_name(ev->severity));
	slack_field(fields, "Status", kind_status(ev->kind));
	slack_field(fields, "Service", inc_str(inc, "service"));
	snprintf(conf, sizeof(conf), "%d%%", inc_confidence(inc));
	slack_field(fields, "Confidence", conf);
	tmp = peak_text(inc);
	slack_field(fields, "Peak", tmp);
	free(tmp);
	memset(&b, 0, sizeof(b));
	sb_addf(&b, "spoofed: %s, botnet: %s", yesno(inc_bool(inc, "spoofed")),
		yesno(inc_bool(inc, "botnet")));
	tmp = sb_done(&b);
	slack_field(fields, "Sources", tmp);
	free(tmp);
	tmp = join_arr(inc_arr(inc, "destinations"), "\n");
	slack_field(fields, "Destinations", tmp);
	free(tmp);
	tmp = join(ev->top_sources, ev->n_top_sources, "\n");
	slack_field(fields, "Top sources", tmp);
	free(tmp);
	tmp = join(ev->mitigation, ev->n_mitigation, "\n");
	slack_field(fields, "Mitigation", tmp);
	free(tmp);
	slack_field(fields, "Capture", ev->pcap ? ev->pcap : "none");
	jadd(sec, "fields", fields);
	json_object_array_add(blocks, sec);

	/* Context: where it comes from and which incident, for the search. */
	memset(&b, 0, sizeof(b));
	iso8601(inc_start(ev), when, sizeof(when));
	sb_addf(&b, "xdpguard on %s | incident %s | started %s", ev_node(ev), inc_id(ev), when);
	tmp = sb_done(&b);
	json_object_array_add(elems,
			      slack_text("mrkdwn", clip_esc(tmp, SLACK_FIELD_MAX, ESC_SLACK)));
	free(tmp);
	jadd(ctx, "type", json_object_new_string("context"));
	jadd(ctx, "elements", elems);
	json_object_array_add(blocks, ctx);
	jadd(o, "blocks", blocks);
	free(sum);
	return o;
}

/* ---- 4. Discord --------------------------------------------------------- */

struct dfield {
	char *name, *value;
	bool inl;
};

/* The embed as C strings first: the limits are easier to enforce before
 * anything is JSON. */
struct dembed {
	char *title, *desc, *footer;
	struct dfield f[XG_DISCORD_FIELDS_MAX];
	int n;
	size_t more; /* fields that did not fit in 25 */
	bool oom;
};

int xg_alert_discord_color(enum xg_alert_sev sev)
{
	static const int colors[] = {0xe74c3c, 0xe67e22, 0xf1c40f, 0x2ecc71};

	return (unsigned int)sev < 4 ? colors[sev] : 0x95a5a6;
}

static void d_field(struct dembed *e, const char *name, const char *value, bool inl)
{
	struct dfield *f;

	if (e->n >= XG_DISCORD_FIELDS_MAX) {
		e->more++;
		return;
	}
	f = &e->f[e->n++];
	/* Discord refuses an empty name or value. */
	f->name = clip_esc(name && name[0] ? name : "-", XG_DISCORD_FIELD_NAME_MAX, ESC_NONE);
	f->value = clip_esc(value && value[0] ? value : "-", XG_DISCORD_FIELD_VALUE_MAX, ESC_NONE);
	f->inl = inl;
	if (!f->name || !f->value)
		e->oom = true;
}

static void d_field_own(struct dembed *e, const char *name, char *value, bool inl)
{
	if (!value)
		e->oom = true;
	d_field(e, name, value, inl);
	free(value);
}

static size_t d_total(const struct dembed *e)
{
	size_t n = xg_alert_text_units(e->title) + xg_alert_text_units(e->desc) +
		   xg_alert_text_units(e->footer);
	int i;

	for (i = 0; i < e->n; i++)
		n += xg_alert_text_units(e->f[i].name) + xg_alert_text_units(e->f[i].value);
	return n;
}

static void d_free(struct dembed *e)
{
	int i;

	free(e->title);
	free(e->desc);
	free(e->footer);
	for (i = 0; i < e->n; i++) {
		free(e->f[i].name);
		free(e->f[i].value);
	}
}

/* 25 fields at most, the last saying what was left out; then 6000 in all,
 * the description giving way first (the fields carry the facts), then the
 * last fields (the per-metric peaks). */
static void d_limit(struct dembed *e)
{
	size_t total, excess, du;
	char more[64];

	if (e->more) {
		struct dfield *last = &e->f[XG_DISCORD_FIELDS_MAX - 1];

		snprintf(more, sizeof(more), "%zu more not shown", e->more + 1);
		free(last->name);
		free(last->value);
		last->name = strdup("More");
		last->value = strdup(more);
		last->inl = false;
		if (!last->name || !last->value)
			e->oom = true;
	}
	total = d_total(e);
	if (total > XG_DISCORD_EMBED_TOTAL_MAX && e->desc) {
		char *d;

		excess = total - XG_DISCORD_EMBED_TOTAL_MAX;
		du = xg_alert_text_units(e->desc);
		d = clip_esc(e->desc, du > excess ? du - excess : 0, ESC_NONE);
		free(e->desc);
		e->desc = d;
		if (!d)
			e->oom = true;
	}
	while (d_total(e) > XG_DISCORD_EMBED_TOTAL_MAX && e->n > 0) {
		e->n--;
		free(e->f[e->n].name);
		free(e->f[e->n].value);
	}
}

static void metric_value(const char *metric, double v, char *buf, size_t len)
{
	if (!strcmp(metric, "bps"))
		fmt_bps(v, buf, len);
	else
		fmt_pps(v, buf, len);
}

struct json_object *xg_alert_discord(const struct xg_alert_event *ev, const char *content)
{
	struct json_object *inc = ev->incident, *a, *pm;
	struct json_object *o, *embeds, *em, *fields, *footer;
	struct dembed e = {0};
	char buf[64], when[32];
	struct sb b = {0};
	size_t i;
	int k;

	sb_title(&b, ev);
	e.title = b.oom ? NULL : clip_esc(b.buf, XG_DISCORD_TITLE_MAX, ESC_LINE);
	free(b.buf);

	memset(&b, 0, sizeof(b));
	sb_summary(&b, ev);
	if ((a = inc_arr(inc, "evidence")) && arr_len(a)) {
		sb_add(&b, "\n\n**Evidence**");
		for (i = 0; i < arr_len(a); i++)
			if (arr_str(a, i))
				sb_addf(&b, "\n\xe2\x80\xa2 %s", arr_str(a, i));
	}
	e.desc = b.oom ? NULL : clip_esc(b.buf, XG_DISCORD_DESC_MAX, ESC_NONE);
	free(b.buf);

	memset(&b, 0, sizeof(b));
	sb_addf(&b, "xdpguard on %s \xc2\xb7 incident %s", ev_node(ev), inc_id(ev));
	e.footer = b.oom ? NULL : clip_esc(b.buf, XG_DISCORD_FOOTER_MAX, ESC_LINE);
	free(b.buf);
	if (!e.title || !e.desc || !e.footer)
		e.oom = true;

	d_field(&e, "Severity", xg_alert_sev_name(ev->severity), true);
	d_field(&e, "Status", kind_status(ev->kind), true);
	d_field(&e, "Service", inc_str(inc, "service"), true);
	snprintf(buf, sizeof(buf), "%d%%", inc_confidence(inc));
	d_field(&e, "Confidence", buf, true);
	d_field_own(&e, "Peak", peak_text(inc), true);
	d_field(&e, "Spoofed", yesno(inc_bool(inc, "spoofed")), true);
	d_field(&e, "Botnet", yesno(inc_bool(inc, "botnet")), true);
	iso8601(inc_start(ev), when, sizeof(when));
	d_field(&e, "Started", when, true);
	if (ev->kind == XG_ALERT_CLOSE) {
		fmt_duration(inc_num(inc, "duration_s"), buf, sizeof(buf));
		d_field(&e, "Duration", buf, true);
	}
	d_field(&e, "Incident", inc_id(ev), true);
	d_field_own(&e, "Destinations", join_arr(inc_arr(inc, "destinations"), "\n"), false);
	d_field_own(&e, "Top sources", join(ev->top_sources, ev->n_top_sources, "\n"), false);
	d_field_own(&e, "Mitigation", join(ev->mitigation, ev->n_mitigation, "\n"), false);
	if (ev->pcap)
		d_field(&e, "Capture", ev->pcap, false);
	pm = inc_get(inc, "peak_metrics");
	if (json_object_is_type(pm, json_type_object)) {
		json_object_object_foreach (pm, key, val) {
			char name[96];

			snprintf(name, sizeof(name), "Peak %s", key);
			metric_value(key, json_object_get_double(val), buf, sizeof(buf));
			d_field(&e, name, buf, true);
		}
	}
	d_limit(&e);

	o = json_object_new_object();
	embeds = json_object_new_array();
	em = json_object_new_object();
	fields = json_object_new_array();
	footer = json_object_new_object();
	if (e.oom || !o || !embeds || !em || !fields || !footer) {
		json_object_put(o);
		json_object_put(embeds);
		json_object_put(em);
		json_object_put(fields);
		json_object_put(footer);
		d_free(&e);
		errno = ENOMEM;
		return NULL;
	}
	if (content)
		jadd(o, "content", jtext(content, XG_DISCORD_CONTENT_MAX));
	jadd(em, "title", json_object_new_string(e.title));
	if (e.desc[0]) /* Discord refuses an empty description */
		jadd(em, "description", json_object_new_string(e.desc));
	jadd(em, "color", json_object_new_int(xg_alert_discord_color(ev->severity)));
	for (k = 0; k < e.n; k++) {
		struct json_object *f = json_object_new_object();

		if (!f)
			continue;
		jadd(f, "name", json_object_new_string(e.f[k].name));
		jadd(f, "value", json_object_new_string(e.f[k].value));
		jadd(f, "inline", json_object_new_boolean(e.f[k].inl));
		json_object_array_add(fields, f);
	}
	jadd(em, "fields", fields);
	jadd(footer, "text", json_object_new_string(e.footer));
	jadd(em, "footer", footer);
	iso8601(ev->now, when, sizeof(when));
	jadd(em, "timestamp", json_object_new_string(when));
	json_object_array_add(embeds, em);
	jadd(o, "embeds", embeds);
	d_free(&e);
	return o;
}

/* ---- 5. OpsGenie -------------------------------------------------------- */

#define OG_ALIAS_MAX	   512
#define OG_DESC_MAX	   15000
#define OG_SOURCE_MAX	   100
#define OG_ENTITY_MAX	   512
#define OG_TAG_MAX	   50
#define OG_NOTE_MAX	   25000
#define OG_DETAIL_LIST_MAX 1500 /* a list in details: the map holds 8000 in all */

const char *xg_alert_opsgenie_priority(enum xg_alert_sev sev)
{
	static const char *const p[] = {"P1", "P2", "P3", "P5"};

	return (unsigned int)sev < 4 ? p[sev] : "P3";
}

void xg_alert_request_free(struct xg_alert_request *req)
{
	free(req->path);
	json_object_put(req->body);
	req->path = NULL;
	req->body = NULL;
}

static void sb_urlenc(struct sb *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~')
			sb_addc(b, (char)c);
		else
			sb_addf(b, "%%%02X", c);
	}
}

static void og_tag(struct json_object *tags, const char *t)
{
	if (t && t[0])
		json_object_array_add(tags, jtext(t, OG_TAG_MAX));
}

static void og_detail(struct json_object *d, const char *key, const char *value, size_t max)
{
	if (value && value[0])
		jadd(d, key, jtext(value, max));
}

static void og_detail_own(struct json_object *d, const char *key, char *value, size_t max)
{
	og_detail(d, key, value, max);
	free(value);
}

int xg_alert_opsgenie(const struct xg_alert_event *ev, struct xg_alert_request *req)
{
	struct json_object *inc = ev->incident, *body = json_object_new_object(), *tags, *d;
	char *sum = xg_alert_summary(ev), *msg, buf[32];
	struct sb path = {0}, m = {0};

	req->path = NULL;
	req->body = NULL;
	if (!body || !sum) {
		json_object_put(body);
		free(sum);
		return -ENOMEM;
	}
	if (ev->kind == XG_ALERT_CLOSE) {
		sb_add(&path, "/v2/alerts/");
		sb_urlenc(&path, inc_id(ev));
		sb_add(&path, "/close?identifierType=alias");
		jadd(body, "source", jtext(ev_node(ev), OG_SOURCE_MAX));
		jadd(body, "note", jtext(sum, OG_NOTE_MAX));
		goto out;
	}
	sb_add(&path, "/v2/alerts");
	/* The message is what a phone shows: the title, clipped to 130. */
	sb_title(&m, ev);
	msg = sb_done(&m);
	jadd(body, "message", jown(clip_esc(msg, XG_OPSGENIE_MESSAGE_MAX, ESC_LINE)));
	free(msg);
	jadd(body, "alias", jtext(inc_id(ev), OG_ALIAS_MAX));
	msg = xg_alert_text_report(ev);
	jadd(body, "description", jown(clip_esc(msg, OG_DESC_MAX, ESC_NONE)));
	free(msg);
	jadd(body, "priority", json_object_new_string(xg_alert_opsgenie_priority(ev->severity)));
	jadd(body, "source", jtext(ev_node(ev), OG_SOURCE_MAX));
	jadd(body, "entity", jtext(ev_node(ev), OG_ENTITY_MAX));

	tags = json_object_new_array();
	if (tags) {
		og_tag(tags, "xdpguard");
		og_tag(tags, inc_str(inc, "family"));
		og_tag(tags, inc_str(inc, "service"));
		og_tag(tags, xg_alert_sev_name(ev->severity));
		if (inc_bool(inc, "spoofed"))
			og_tag(tags, "spoofed");
		if (inc_bool(inc, "botnet"))
			og_tag(tags, "botnet");
		if (inc_bool(inc, "learning"))
			og_tag(tags, "monitor-only");
		if (ev->kind == XG_ALERT_TEST)
			og_tag(tags, "test");
	}
	jadd(body, "tags", tags);

	/* details is a string-to-string map: numbers go as text. */
	d = json_object_new_object();
	if (d) {
		og_detail(d, "incident", inc_id(ev), OG_ALIAS_MAX);
		og_detail(d, "node", ev_node(ev), OG_SOURCE_MAX);
		og_detail(d, "status", kind_status(ev->kind), 32);
		og_detail(d, "severity", xg_alert_sev_name(ev->severity), 32);
		og_detail(d, "family", inc_str(inc, "family"), 64);
		og_detail(d, "subtype", inc_str(inc, "subtype"), 64);
		og_detail(d, "service", inc_str(inc, "service"), 64);
		snprintf(buf, sizeof(buf), "%d", inc_confidence(inc));
		og_detail(d, "confidence", buf, 32);
		og_detail(d, "spoofed", yesno(inc_bool(inc, "spoofed")), 8);
		og_detail(d, "botnet", yesno(inc_bool(inc, "botnet")), 8);
		og_detail_own(d, "peak", peak_text(inc), 64);
		snprintf(buf, sizeof(buf), "%.0f", inc_num(inc, "peak_pps"));
		og_detail(d, "peak_pps", buf, 32);
		snprintf(buf, sizeof(buf), "%.0f", inc_num(inc, "peak_bps"));
		og_detail(d, "peak_bps", buf, 32);
		og_detail(d, "started", inc_str(inc, "start_utc"), 32);
		og_detail_own(d, "destinations", join_arr(inc_arr(inc, "destinations"), ", "),
			      OG_DETAIL_LIST_MAX);
		og_detail_own(d, "top_sources", join(ev->top_sources, ev->n_top_sources, ", "),
			      OG_DETAIL_LIST_MAX);
		og_detail_own(d, "mitigation", join(ev->mitigation, ev->n_mitigation, "; "),
			      OG_DETAIL_LIST_MAX);
		og_detail(d, "pcap", ev->pcap, 1024);
	}
	jadd(body, "details", d);
out:
	free(sum);
	req->path = sb_done(&path);
	if (!req->path) {
		json_object_put(body);
		return -ENOMEM;
	}
	req->body = body;
	return 0;
}

/* ---- 6. Email ----------------------------------------------------------- */

#define EMAIL_SUBJECT_MAX 200 /* units; folded below 998 bytes a line */
#define EMAIL_WORD_BYTES  45  /* 60 in base64, 72 as an encoded word: under 75 */
#define EMAIL_LINE_MAX	  998 /* RFC 5322 2.1.1 */
#define EMAIL_QP_LINE	  76  /* RFC 2045 6.7 */
/* An address in units: at 3 bytes a unit still far under 998 a line. */
#define EMAIL_ADDR_MAX 240

static bool is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

/* RFC 2047 encoded words, cut between code points (a word must decode on
 * its own), folded with CRLF SP. s is valid UTF-8 (hdr_clean'ed). */
static void sb_encoded_words(struct sb *b, const char *s)
{
	unsigned char out[4 * ((EMAIL_WORD_BYTES + 2) / 3) + 1];
	bool first = true;

	while (*s) {
		size_t n = 0, cl;
		uint32_t cp;

		while (s[n] && (cl = utf8_next((const unsigned char *)s + n, &cp)) &&
		       n + cl <= EMAIL_WORD_BYTES)
			n += cl;
		if (!n) /* cannot happen on clean text; never loop forever */
			n = 1;
		EVP_EncodeBlock(out, (const unsigned char *)s, (int)n);
		if (!first)
			sb_add(b, "\r\n ");
		sb_addf(b, "=?UTF-8?B?%s?=", out);
		first = false;
		s += n;
	}
}

/* Header input: controls (CR and LF first) as spaces, so a node name or an
 * address cannot add a header; invalid UTF-8 replaced. */
static char *hdr_clean(const char *s, size_t max)
{
	return clip_esc(s ? s : "", max, ESC_LINE);
}

/* The characters a Message-ID may carry; anything else as '-'. */
static void sb_msgid_part(struct sb *b, const char *s, bool domain)
{
	bool any = false;
	size_t n = 0;

	/* an id from a damaged journal may be long: a header line is not */
	for (; *s && n < 200; s++, n++) {
		char c = *s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || (!domain && c == '_'))
			sb_addc(b, c);
		else
			sb_addc(b, '-');
		any = true;
	}
	if (!any)
		sb_add(b, domain ? "localhost" : "x");
}

/* The open's Message-ID is a function of the incident alone, so updates and
 * the close can name it in In-Reply-To without state; the others carry the
 * time to stay unique. */
static void sb_msgid(struct sb *b, const struct xg_alert_event *ev, const char *domain, bool open)
{
	sb_add(b, "<xdpguard.");
	sb_msgid_part(b, inc_id(ev), false);
	if (open) {
		sb_add(b, ".open");
	} else {
		sb_addf(b, ".%s.%" PRId64, xg_alert_kind_name(ev->kind), ev->now);
	}
	sb_addc(b, '@');
	sb_msgid_part(b, domain, true);
	sb_addc(b, '>');
}

/* 7bit when the body is ASCII with short lines, else quoted-printable
 * (soft breaks keep lines at 76, '=' and 8-bit bytes as =XX, trailing
 * white space encoded so no relay strips it). CR is dropped: a line ends
 * at LF and becomes CRLF. */
static void sb_body(struct sb *b, const char *text, bool qp)
{
	const char *line = text;

	while (*line) {
		const char *end = strchr(line, '\n'), *p;
		size_t col = 0;

		if (!end)
			end = line + strlen(line);
		for (p = line; p < end; p++) {
			unsigned char c = (unsigned char)*p;
			const char *q = p + 1;
			bool last, enc;

			if (c == '\r')
				continue;
			if (!qp) {
				sb_addc(b, (char)c);
				continue;
			}
			while (q < end && *q == '\r')
				q++;
			last = q == end;
			enc = c == '=' || c >= 0x7f || (c < 0x20 && c != '\t') ||
			      ((c == ' ' || c == '\t') && last);
			if (col + (enc ? 3 : 1) > EMAIL_QP_LINE - 1) {
				sb_add(b, "=\r\n");
				col = 0;
			}
			if (enc)
				sb_addf(b, "=%02X", c);
			else
				sb_addc(b, (char)c);
			col += enc ? 3 : 1;
		}
		sb_add(b, "\r\n");
		line = *end ? end + 1 : end;
	}
}

static bool needs_qp(const char *text)
{
	size_t col = 0;

	for (; *text; text++) {
		if ((unsigned char)*text >= 0x80)
			return true;
		col = *text == '\n' ? 0 : col + 1;
		if (col > EMAIL_LINE_MAX)
			return true;
	}
	return false;
}

char *xg_alert_email(const struct xg_alert_event *ev, const struct xg_alert_email_opts *o)
{
	char *from, *subj, *report, *id, date[64];
	const char *domain;
	struct sb b = {0}, s = {0};
	bool qp, first = true;
	size_t i;

	if (!o || !o->from || !o->from[0] || !o->to) {
		errno = EINVAL;
		return NULL;
	}
	for (i = 0; i < o->n_to && !(o->to[i] && o->to[i][0]); i++)
		;
	if (i == o->n_to) { /* no usable recipient */
		errno = EINVAL;
		return NULL;
	}
	domain = o->msgid_domain && o->msgid_domain[0] ? o->msgid_domain : ev_node(ev);
	sb_add(&s, o->subject_prefix ? o->subject_prefix : "[xdpguard]");
	if (s.len)
		sb_addc(&s, ' ');
	sb_title(&s, ev);
	report = xg_alert_text_report(ev);
	from = hdr_clean(o->from, EMAIL_ADDR_MAX);
	subj = s.oom ? NULL : hdr_clean(s.buf, EMAIL_SUBJECT_MAX);
	id = hdr_clean(inc_id(ev), 200);
	free(s.buf);
	if (!report || !from || !subj || !id) {
		b.oom = true;
		goto out;
	}

	sb_addf(&b, "From: %s\r\n", from);
	sb_add(&b, "To: ");
	for (i = 0; i < o->n_to; i++) {
		char *to;

		if (!o->to[i] || !o->to[i][0])
			continue;
		to = hdr_clean(o->to[i], EMAIL_ADDR_MAX);
		if (!to) {
			b.oom = true;
			break;
		}
		/* One recipient per line: no line nears 998 whatever the count. */
		sb_addf(&b, "%s%s", first ? "" : ",\r\n ", to);
		first = false;
		free(to);
	}
	sb_add(&b, "\r\nSubject: ");
	if (is_ascii(subj))
		sb_add(&b, subj);
	else
		sb_encoded_words(&b, subj);
	rfc5322_date(ev->now, date, sizeof(date));
	sb_addf(&b, "\r\nDate: %s\r\nMessage-ID: ", date);
	sb_msgid(&b, ev, domain, ev->kind == XG_ALERT_OPEN);
	sb_add(&b, "\r\n");
	if (ev->kind == XG_ALERT_UPDATE || ev->kind == XG_ALERT_CLOSE) {
		sb_add(&b, "In-Reply-To: ");
		sb_msgid(&b, ev, domain, true);
		sb_add(&b, "\r\nReferences: ");
		sb_msgid(&b, ev, domain, true);
		sb_add(&b, "\r\n");
	}
	/* RFC 3834: no vacation auto-replies to an alert. */
	sb_add(&b, "Auto-Submitted: auto-generated\r\n");
	sb_add(&b, "X-Xdpguard-Incident: ");
	if (is_ascii(id))
		sb_add(&b, id);
	else
		sb_encoded_words(&b, id);
	sb_add(&b, "\r\n");
	sb_addf(&b, "X-Xdpguard-Severity: %s\r\n", xg_alert_sev_name(ev->severity));
	qp = needs_qp(report);
	sb_add(&b, "MIME-Version: 1.0\r\n");
	sb_add(&b, "Content-Type: text/plain; charset=utf-8\r\n");
	sb_addf(&b, "Content-Transfer-Encoding: %s\r\n\r\n", qp ? "quoted-printable" : "7bit");
	sb_body(&b, report, qp);
out:
	free(report);
	free(from);
	free(subj);
	free(id);
	return sb_done(&b);
}

/* ---- 7. syslog and CEF -------------------------------------------------- */

static const struct {
	const char *name;
	int code;
} facilities[] = {
    {"kern", 0},      {"user", 1},    {"mail", 2},    {"daemon", 3},	{"auth", 4},
    {"syslog", 5},    {"lpr", 6},     {"news", 7},    {"uucp", 8},	{"cron", 9},
    {"authpriv", 10}, {"ftp", 11},    {"ntp", 12},    {"security", 13}, {"console", 14},
    {"clock", 15},    {"local0", 16}, {"local1", 17}, {"local2", 18},	{"local3", 19},
    {"local4", 20},   {"local5", 21}, {"local6", 22}, {"local7", 23},
};

int xg_alert_syslog_facility(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (!strcasecmp(name, facilities[i].name))
			return facilities[i].code;
	return -EINVAL;
}

void xg_alert_syslog_defaults(struct xg_alert_syslog_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->facility = XG_SYSLOG_FACILITY_DAEMON;
}

int xg_alert_syslog_severity(enum xg_alert_sev sev)
{
	static const int s[] = {2, 3, 4, 6};

	return (unsigned int)sev < 4 ? s[sev] : 5;
}

int xg_alert_cef_severity(enum xg_alert_sev sev)
{
	static const int s[] = {10, 8, 5, 3};

	return (unsigned int)sev < 4 ? s[sev] : 5;
}

/* RFC 5424 6.3.3: '"', '\' and ']' escaped with '\'; controls as spaces
 * so the record stays one line. */
static void sb_sd_value(struct sb *b, const char *s)
{
	struct piece pc;

	for (; s && *s; s += pc.adv) {
		next_piece(s, ESC_LINE, &pc);
		if (pc.len == 1 && (pc.p[0] == '"' || pc.p[0] == '\\' || pc.p[0] == ']'))
			sb_addc(b, '\\');
		sb_addn(b, pc.p, pc.len);
	}
}

/* HOSTNAME and PROCID are PRINTUSASCII without spaces, at most max. */
static void sb_printusascii(struct sb *b, const char *s, size_t max)
{
	size_t n = 0;

	for (; s && *s && n < max; s++, n++)
		sb_addc(b, *s > ' ' && *s < 0x7f ? *s : '_');
	if (!n)
		sb_addc(b, '-');
}

static void sb_sd_param(struct sb *b, const char *name, const char *value)
{
	sb_addf(b, " %s=\"", name);
	sb_sd_value(b, value);
	sb_addc(b, '"');
}

char *xg_alert_syslog(const struct xg_alert_event *ev, const struct xg_alert_syslog_opts *o)
{
	struct xg_alert_syslog_opts def;
	struct json_object *inc = ev->incident;
	const char *sub = inc_str(inc, "subtype");
	char when[32], conf[16], *msg;
	struct sb b = {0};
	struct piece pc;
	const char *p;

	if (!o) {
		xg_alert_syslog_defaults(&def);
		o = &def;
	}
	if (o->facility < 0 || o->facility > 23) {
		errno = EINVAL;
		return NULL;
	}
	iso8601(ev->now, when, sizeof(when));
	sb_addf(&b, "<%d>1 %s ", o->facility * 8 + xg_alert_syslog_severity(ev->severity), when);
	sb_printusascii(&b, o->hostname ? o->hostname : ev->node, 255);
	sb_add(&b, " xdpguard ");
	if (o->procid > 0)
		sb_addf(&b, "%ld", o->procid);
	else
		sb_addc(&b, '-');
	sb_addf(&b, " %s [%s", kind_event(ev->kind), XG_SYSLOG_SD_ID);
	sb_sd_param(&b, "id", inc_id(ev));
	sb_sd_param(&b, "family", inc_str(inc, "family"));
	if (sub[0])
		sb_sd_param(&b, "subtype", sub);
	sb_sd_param(&b, "service", inc_str(inc, "service"));
	snprintf(conf, sizeof(conf), "%d", inc_confidence(inc));
	sb_sd_param(&b, "confidence", conf);
	sb_sd_param(&b, "severity", xg_alert_sev_name(ev->severity));
	sb_add(&b, "] ");
	msg = o->cef ? xg_alert_cef(ev, o->version) : xg_alert_summary(ev);
	if (!msg)
		b.oom = true;
	for (p = msg; p && *p; p += pc.adv) {
		next_piece(p, ESC_LINE, &pc);
		sb_addn(&b, pc.p, pc.len);
	}
	free(msg);
	return sb_done(&b);
}

/* CEF header fields: '\' and '|' escaped; no line breaks at all. */
static void sb_cef_hdr(struct sb *b, const char *s)
{
	struct piece pc;

	for (; s && *s; s += pc.adv) {
		next_piece(s, ESC_LINE, &pc);
		if (pc.len == 1 && (pc.p[0] == '\\' || pc.p[0] == '|'))
			sb_addc(b, '\\');
		sb_addn(b, pc.p, pc.len);
	}
}

/* CEF extension values: '\' and '=' escaped, CR and LF as \r and \n. */
static void sb_cef_val(struct sb *b, const char *s)
{
	struct piece pc;

	for (; s && *s; s += pc.adv) {
		if (*s == '\n' || *s == '\r') {
			sb_add(b, *s == '\n' ? "\\n" : "\\r");
			pc.adv = 1;
			continue;
		}
		next_piece(s, ESC_LINE, &pc);
		if (pc.len == 1 && (pc.p[0] == '\\' || pc.p[0] == '='))
			sb_addc(b, '\\');
		sb_addn(b, pc.p, pc.len);
	}
}

/* ext is where the extension starts: pairs after the first get a space. */
static void sb_cef_kv(struct sb *b, size_t ext, const char *key, const char *value)
{
	if (!value || !value[0])
		return;
	if (b->len > ext)
		sb_addc(b, ' ');
	sb_addf(b, "%s=", key);
	sb_cef_val(b, value);
}

static void sb_cef_label(struct sb *b, size_t ext, const char *key, const char *label,
			 const char *value)
{
	char lk[32];

	if (!value || !value[0])
		return;
	snprintf(lk, sizeof(lk), "%sLabel", key);
	sb_cef_kv(b, ext, lk, label);
	sb_cef_kv(b, ext, key, value);
}

/* Seconds as milliseconds, saturated: no overflow for any time given. */
static int64_t ms_of(int64_t s)
{
	if (s > INT64_MAX / 1000)
		return INT64_MAX;
	if (s < INT64_MIN / 1000)
		return INT64_MIN;
	return s * 1000;
}

char *xg_alert_cef(const struct xg_alert_event *ev, const char *version)
{
	struct json_object *inc = ev->incident;
	const char *family = inc_str(inc, "family");
	char name[96], num[32], *tmp;
	struct sb b = {0};
	size_t ext;

	attack_name(inc, name, sizeof(name));
	sb_add(&b, "CEF:0|xdpguard|xdpguard|");
	sb_cef_hdr(&b, version && version[0] ? version : "unknown");
	sb_addc(&b, '|');
	sb_cef_hdr(&b, family[0] ? family : "unknown");
	sb_addc(&b, '|');
	sb_cef_hdr(&b, name);
	sb_addf(&b, "|%d|", xg_alert_cef_severity(ev->severity));
	ext = b.len;

	snprintf(num, sizeof(num), "%" PRId64, ms_of(ev->now));
	sb_cef_kv(&b, ext, "rt", num);
	sb_cef_kv(&b, ext, "act", xg_alert_kind_name(ev->kind));
	sb_cef_kv(&b, ext, "dvchost", ev_node(ev));
	tmp = xg_alert_summary(ev);
	if (!tmp)
		b.oom = true;
	sb_cef_kv(&b, ext, "msg", tmp);
	free(tmp);
	snprintf(num, sizeof(num), "%" PRId64, ms_of(inc_start(ev)));
	sb_cef_kv(&b, ext, "start", num);
	if (inc_num(inc, "end") > 0) {
		snprintf(num, sizeof(num), "%.0f", inc_num(inc, "end") * 1000.0);
		sb_cef_kv(&b, ext, "end", num);
	}
	sb_cef_label(&b, ext, "cs1", "incident", inc_id(ev));
	sb_cef_label(&b, ext, "cs2", "service", inc_str(inc, "service"));
	sb_cef_label(&b, ext, "cs3", "subtype", inc_str(inc, "subtype"));
	tmp = join(ev->top_sources, ev->n_top_sources, ",");
	sb_cef_label(&b, ext, "cs4", "topSources", tmp);
	free(tmp);
	tmp = join(ev->mitigation, ev->n_mitigation, "\n");
	sb_cef_label(&b, ext, "cs5", "mitigation", tmp);
	free(tmp);
	sb_cef_label(&b, ext, "cs6", "pcap", ev->pcap);
	snprintf(num, sizeof(num), "%d", inc_confidence(inc));
	sb_cef_label(&b, ext, "cn1", "confidence", num);
	snprintf(num, sizeof(num), "%.0f", inc_num(inc, "peak_pps"));
	sb_cef_label(&b, ext, "cfp1", "peakPps", num);
	snprintf(num, sizeof(num), "%.0f", inc_num(inc, "peak_bps"));
	sb_cef_label(&b, ext, "cfp2", "peakBps", num);
	return sb_done(&b);
}

/* ---- Redaction ---------------------------------------------------------- */

#define MASK "***"

static bool is_alnum(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool ci_contains(const char *s, size_t n, const char *word)
{
	size_t w = strlen(word), i;

	for (i = 0; i + w <= n; i++)
		if (!strncasecmp(s + i, word, w))
			return true;
	return false;
}

/* Substrings, not whole names: api_key, routing_key, access_token,
 * client_secret, X-Auth-Token all match. A false positive only hides a
 * harmless value in a log. */
static bool sensitive_name(const char *s, size_t n)
{
	static const char *const words[] = {"key",	"token",  "secret", "signature",
					    "password", "passwd", "auth",   "credential"};
	size_t i;

	if (n == 3 && (!strncasecmp(s, "sig", 3) || !strncasecmp(s, "pwd", 3)))
		return true;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (ci_contains(s, n, words[i]))
			return true;
	return false;
}

static bool is_name_char(char c)
{
	return is_alnum(c) || c == '_' || c == '-' || c == '.';
}

/* name=value pairs in s[0, n), separated by any of seps: the values of
 * sensitive names masked, everything else copied. */
static void sb_params(struct sb *b, const char *s, size_t n, const char *seps)
{
	size_t i = 0, st, vs;

	while (i < n) {
		st = i;
		while (i < n && is_name_char(s[i]))
			i++;
		if (i > st && i < n && s[i] == '=') {
			bool mask = sensitive_name(s + st, i - st);

			sb_addn(b, s + st, i - st + 1);
			vs = ++i;
			while (i < n && !strchr(seps, s[i]))
				i++;
			if (mask && i > vs)
				sb_add(b, MASK);
			else
				sb_addn(b, s + vs, i - vs);
			continue;
		}
		while (i < n && !strchr(seps, s[i]))
			i++;
		if (i < n)
			i++; /* the separator */
		sb_addn(b, s + st, i - st);
	}
}

/* A generated secret in a path: long, and letters mixed with digits (words
 * and numeric ids are neither). */
static bool tokenish(const char *s, size_t n)
{
	bool alpha = false, digit = false;
	size_t i;

	if (n < 20)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digit = true;
		else if (is_alnum(s[i]))
			alpha = true;
		else if (s[i] != '-' && s[i] != '_')
			return false;
	}
	return alpha && digit;
}

static void sb_redact_url(struct sb *b, const char *s, const char *scheme_end)
{
	const char *auth = scheme_end + 3, *host, *at, *path, *pend, *p, *seg;
	size_t alen = strcspn(auth, "/?#"), plen, slen;
	bool slack;
	int wh = 0; /* 1: the next segment is a webhook id, 2: its token */

	sb_addn(b, s, (size_t)(auth - s));
	at = memrchr(auth, '@', alen);
	if (at) {
		sb_add(b, MASK "@");
		host = at + 1;
	} else {
		host = auth;
	}
	sb_addn(b, host, (size_t)(auth + alen - host));
	slack = ci_contains(host, (size_t)(auth + alen - host), "hooks.slack.com");

	path = auth + alen;
	plen = strcspn(path, "?#");
	pend = path + plen;
	for (p = path; p < pend; p = seg + slen) {
		bool mask;

		sb_addc(b, '/'); /* a path after an authority starts with '/' */
		seg = p + 1;
		slen = 0;
		while (seg + slen < pend && seg[slen] != '/')
			slen++;
		mask = tokenish(seg, slen) || (wh == 2 && slen);
		wh = wh == 1 ? 2 : 0;
		if (slen == 8 && !strncmp(seg, "webhooks", 8))
			wh = 1; /* Discord: /api/webhooks/ID/TOKEN */
		if (mask)
			sb_add(b, MASK);
		else
			sb_addn(b, seg, slen);
		if (slack && slen == 8 && !strncmp(seg, "services", 8) && seg + slen < pend) {
			/* Slack: /services/T.../B.../secret is the credential. */
			sb_add(b, "/" MASK);
			slen = (size_t)(pend - seg);
		}
	}
	if (*pend == '?') {
		size_t qlen = strcspn(pend + 1, "#");

		sb_addc(b, '?');
		sb_params(b, pend + 1, qlen, "&;");
		pend += 1 + qlen;
	}
	if (*pend == '#') { /* OAuth puts tokens in fragments */
		sb_addc(b, '#');
		sb_params(b, pend + 1, strlen(pend + 1), "&;");
	}
}

static bool auth_scheme(const char *s, size_t n)
{
	static const char *const schemes[] = {
	    "Bearer", "Basic", "Token", "GenieKey",  "Splunk", "Digest",	  "ApiKey",
	    "Key",    "SSWS",  "OAuth", "Negotiate", "NTLM",   "AWS4-HMAC-SHA256"};
	size_t i;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strlen(schemes[i]) == n && !strncasecmp(s, schemes[i], n))
			return true;
	return false;
}

/* A routing key or an API key on its own: one long word with a digit, of
 * the characters keys are made of. */
static bool bare_token(const char *s)
{
	size_t n = 0;
	bool digit = false;

	for (; s[n]; n++) {
		if (s[n] >= '0' && s[n] <= '9')
			digit = true;
		else if (!is_alnum(s[n]) && !strchr("-_.+/=~:", s[n]))
			return false;
	}
	return n >= 16 && digit;
}

static void sb_redact_value(struct sb *b, const char *v, bool sensitive_header)
{
	size_t w = strcspn(v, " \t");

	if (v[w] && w && auth_scheme(v, w)) {
		sb_addn(b, v, w);
		sb_add(b, " " MASK);
	} else if (sensitive_header && v[0]) {
		sb_add(b, MASK);
	} else if (strchr(v, '=')) {
		sb_params(b, v, strlen(v), " \t,;&");
	} else if (bare_token(v)) {
		sb_add(b, MASK);
	} else {
		sb_add(b, v);
	}
}

char *xg_alert_redact(const char *s)
{
	const char *se, *p;
	struct sb b = {0};
	size_t n;

	if (!s)
		s = "";
	se = strstr(s, "://");
	/* A URL: a scheme (letters, digits, + - .) up to "://". */
	for (p = s; se && p < se && (is_alnum(*p) || strchr("+-.", *p)); p++)
		;
	if (se && p == se && se > s) {
		sb_redact_url(&b, s, se);
		return sb_done(&b);
	}
	/* "Name: value": the header's name says whether all of it is secret. */
	/* any RFC 7230 token may name a header */
	n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
		      "!#$%&'*+-.^_`|~");
	if (n && s[n] == ':') {
		bool sens = sensitive_name(s, n) || ci_contains(s, n, "cookie");

		p = s + n + 1;
		p += strspn(p, " \t");
		sb_addn(&b, s, (size_t)(p - s));
		sb_redact_value(&b, p, sens);
		return sb_done(&b);
	}
	sb_redact_value(&b, s, false);
	return sb_done(&b);
}
