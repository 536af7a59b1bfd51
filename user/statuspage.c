// SPDX-License-Identifier: GPL-2.0-only
/*
 * The status page (see statuspage.h). Every piece of text that comes from
 * outside this file (titles, node names, incident fields) goes through
 * put_text: with redaction on, anything that looks like an IPv4 or IPv6
 * address becomes "[redacted]" before it is HTML-escaped, so no field of an
 * incident, whatever it holds, can leak an address.
 */
#include "statuspage.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "history.h"

#define NS_PER_S	 1000000000ULL
#define REDACTED	 "[redacted]"
#define INITIAL_CAPACITY (64 * 1024)
#define STALE_MIN_S	 60 /* a state older than this (or 10 ticks) is unknown */
#define STALE_TICKS	 10
#define REFRESH_S	 30

struct sb {
	char *buf;
	size_t len, cap;
	bool oom;
};

static void sb_grow(struct sb *b, size_t need)
{
	size_t ncap = b->cap;
	char *nb;

	if (b->oom || b->len + need < b->cap)
		return;
	while (b->len + need >= ncap)
		ncap *= 2;
	nb = realloc(b->buf, ncap);
	if (!nb) {
		b->oom = true;
		return;
	}
	b->buf = nb;
	b->cap = ncap;
}

static void sb_mem(struct sb *b, const char *s, size_t n)
{
	sb_grow(b, n);
	if (b->oom)
		return;
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

/* Trusted text: literals of this file and numbers it formatted. */
static void sb_raw(struct sb *b, const char *s)
{
	sb_mem(b, s, strlen(s));
}

static void sb_rawf(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_rawf(struct sb *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		sb_mem(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static void put_escaped(struct sb *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&':
			sb_raw(b, "&amp;");
			break;
		case '<':
			sb_raw(b, "&lt;");
			break;
		case '>':
			sb_raw(b, "&gt;");
			break;
		case '"':
			sb_raw(b, "&quot;");
			break;
		case '\'':
			sb_raw(b, "&#39;");
			break;
		default:
			sb_mem(b, &s[i], 1);
		}
	}
}

/* ---- redaction ---- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool in_run(char c)
{
	return is_hex(c) || c == ':' || c == '.';
}

/* Three or more dot-separated groups of 1-3 digits anywhere in s[0..n):
 * an address, or one cut short (evidence is truncated text). */
static bool has_ipv4(const char *s, size_t n)
{
	size_t k, p;
	int groups, d;

	for (k = 0; k < n; k++) {
		for (p = k, groups = 0;; p++) {
			for (d = 0; p < n && is_digit(s[p]) && d < 4; p++)
				d++;
			if (d == 0 || d > 3)
				break;
			if (++groups == 3)
				return true;
			if (p >= n || s[p] != '.')
				break;
		}
	}
	return false;
}

/* "::", seven colons, or two with a group that has a hex letter or 3-4
 * digits: clock times (22:19:03) stay, any IPv6 address goes, cut short
 * or not (MAC addresses go too). */
static bool has_ipv6(const char *s, size_t n)
{
	bool hexish = false, dotted = false;
	size_t k, g = 0;
	int colons = 0;

	for (k = 0; k <= n; k++) {
		if (k < n && s[k] == '.') {
			dotted = true; /* 03.125 is not a group of 3 */
		} else if (k == n || s[k] == ':') {
			if (!dotted && g >= 3 && g <= 4)
				hexish = true;
			g = 0;
			dotted = false;
			if (k < n && k + 1 < n && s[k + 1] == ':')
				return true;
			colons += k < n;
		} else {
			g++;
			hexish |= !is_digit(s[k]);
		}
	}
	return colons >= 7 || (colons >= 2 && hexish);
}

/* Escapes s, replacing each address-looking token (a run of hex digits,
 * colons and dots with an address in it, and a /len or %zone after it). */
static void put_text_n(struct sb *b, const char *s, size_t n, bool redact)
{
	size_t i = 0, j;

	if (!redact) {
		put_escaped(b, s, n);
		return;
	}
	while (i < n) {
		if (!in_run(s[i])) {
			put_escaped(b, &s[i], 1);
			i++;
			continue;
		}
		for (j = i; j < n && in_run(s[j]); j++)
			;
		if (!has_ipv4(&s[i], j - i) && !has_ipv6(&s[i], j - i)) {
			put_escaped(b, &s[i], j - i);
			i = j;
			continue;
		}
		if (j < n && s[j] == '%')
			for (j++; j < n && (isalnum((unsigned char)s[j]) || s[j] == '_'); j++)
				;
		if (j + 1 < n && s[j] == '/' && is_digit(s[j + 1]))
			for (j++; j < n && is_digit(s[j]); j++)
				;
		sb_raw(b, REDACTED);
		i = j;
	}
}

static void put_text(struct sb *b, const char *s, bool redact)
{
	put_text_n(b, s ? s : "", s ? strlen(s) : 0, redact);
}

/* ---- values ---- */

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

static bool jnum(struct json_object *o, const char *key, double *out)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
		return false;
	*out = json_object_get_double(v);
	return isfinite(*out);
}

static bool jbool(struct json_object *o, const char *key)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, key, &v) &&
	       json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
}

static struct json_object *jarr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_array))
		return v;
	return NULL;
}

static struct json_object *jobj(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_object))
		return v;
	return NULL;
}

/* "850 pps", "12.3 kpps", "1.25 Mpps"; the same for bps. */
static void fmt_rate(char *buf, size_t len, double v, const char *unit)
{
	static const char *const prefix[] = {"", "k", "M", "G", "T"};
	int p = 0;

	while (fabs(v) >= 1000 && p < 4) {
		v /= 1000;
		p++;
	}
	if (p == 0)
		snprintf(buf, len, "%.0f %s", v, unit);
	else
		snprintf(buf, len, "%.*f %s%s",
			 fabs(v) < 10	 ? 2
			 : fabs(v) < 100 ? 1
					 : 0,
			 v, prefix[p], unit);
}

static void fmt_time(char *buf, size_t len, double secs, bool seconds)
{
	time_t t = (time_t)secs;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, seconds ? "%Y-%m-%d %H:%M:%S UTC" : "%Y-%m-%d %H:%M UTC", &tm);
}

static void fmt_duration(char *buf, size_t len, double s)
{
	uint64_t t = s > 0 ? (uint64_t)(s + 0.5) : 0;

	if (t < 60)
		snprintf(buf, len, "%" PRIu64 " s", t);
	else if (t < 3600)
		snprintf(buf, len, "%" PRIu64 " min %" PRIu64 " s", t / 60, t % 60);
	else if (t < 86400)
		snprintf(buf, len, "%" PRIu64 " h %" PRIu64 " min", t / 3600, t / 60 % 60);
	else
		snprintf(buf, len, "%" PRIu64 " d %" PRIu64 " h", t / 86400, t / 3600 % 24);
}

/* ---- states ---- */

#define STATE_UNKNOWN (-1)

static const char *state_class(int st)
{
	return st < 0 ? "unknown" : xg_svc_state_name((enum xg_svc_state)st);
}

static const char *state_label(int st)
{
	switch (st) {
	case XG_STATE_OPERATIONAL:
		return "Operational";
	case XG_STATE_ELEVATED:
		return "Elevated traffic";
	case XG_STATE_ATTACK:
		return "Under attack";
	default:
		return "Unknown";
	}
}

static const char *service_label(const char *name)
{
	static const char *const labels[][2] = {
	    {"all", "All traffic"},	 {"sip-udp", "SIP over UDP"}, {"sip-tcp", "SIP over TCP"},
	    {"sip-tls", "SIP over TLS"}, {"rtp", "Media (RTP)"},      {"any", "All services"},
	};
	size_t i;

	for (i = 0; name && i < sizeof(labels) / sizeof(labels[0]); i++)
		if (!strcmp(name, labels[i][0]))
			return labels[i][1];
	return name;
}

/* The published state is as good as unknown once the ticks stopped. */
static bool stale(const struct xg_obs *o, uint64_t now_ns)
{
	uint64_t limit = (uint64_t)STALE_MIN_S * NS_PER_S;
	uint64_t ticks = (uint64_t)o->tick_ms * STALE_TICKS * 1000000ULL;

	if (ticks > limit)
		limit = ticks;
	return o->ts_ns && now_ns > o->ts_ns && now_ns - o->ts_ns > limit;
}

/* ---- the page ---- */

static const char css[] =
    ":root{--ok:#16a34a;--warn:#d97706;--bad:#dc2626;--unk:#6b7280;--nd:#e5e7eb;"
    "--fg:#111827;--muted:#6b7280;--bg:#f4f6f9;--card:#fff;--line:#e5e7eb}"
    "@media (prefers-color-scheme:dark){:root{--fg:#e5e7eb;--muted:#9ca3af;--bg:#0f141b;"
    "--card:#171e27;--line:#2a3340;--nd:#2a3340}}"
    "*{box-sizing:border-box}"
    "body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 -apple-system,"
    "BlinkMacSystemFont,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif;"
    "-webkit-font-smoothing:antialiased}"
    ".wrap{max-width:1040px;margin:0 auto;padding:36px 20px 48px}"
    "header h1{font-size:26px;line-height:1.25;margin:0 0 4px;font-weight:650;"
    "letter-spacing:-.01em}"
    ".sub{color:var(--muted);margin:0;font-size:14px}"
    ".banner{display:flex;align-items:center;gap:12px;padding:16px 20px;border-radius:10px;"
    "color:#fff;margin:24px 0;font-size:17px;font-weight:600}"
    ".banner p{margin:2px 0 0;font-size:14px;font-weight:400;opacity:.95}"
    ".banner.operational{background:var(--ok)}.banner.elevated{background:var(--warn)}"
    ".banner.attack{background:var(--bad)}.banner.unknown{background:var(--unk)}"
    ".card{background:var(--card);border:1px solid var(--line);border-radius:10px;"
    "padding:20px 24px;margin-bottom:20px;box-shadow:0 1px 2px rgba(0,0,0,.04)}"
    ".card h2{font-size:16px;margin:0 0 14px;font-weight:600}"
    ".services{list-style:none;margin:0;padding:0}"
    ".services li{display:flex;justify-content:space-between;align-items:center;gap:12px;"
    "padding:10px 0;border-top:1px solid var(--line)}"
    ".services li:first-child{border-top:0;padding-top:0}"
    ".pill{display:inline-flex;align-items:center;gap:7px;padding:3px 12px;"
    "border-radius:999px;font-size:13px;font-weight:600;white-space:nowrap}"
    ".pill::before{content:\"\";width:8px;height:8px;border-radius:50%;"
    "background:currentColor}"
    ".pill.operational{background:#dcfce7;color:#166534}"
    ".pill.elevated{background:#fef3c7;color:#92400e}"
    ".pill.attack{background:#fee2e2;color:#991b1b}"
    ".pill.unknown{background:#eceef1;color:#374151}"
    ".chart{margin:0 0 20px}.chart:last-of-type{margin-bottom:8px}"
    ".chart-head{display:flex;justify-content:space-between;gap:12px;flex-wrap:wrap;"
    "font-size:14px;font-weight:600;margin-bottom:6px}"
    ".chart-head span{color:var(--muted);font-weight:400}"
    ".bars{display:flex;align-items:flex-end;gap:1px;height:64px;"
    "border-bottom:1px solid var(--line)}"
    ".bars i{flex:1 1 0;min-width:0;border-radius:1px 1px 0 0}"
    ".days{display:flex;gap:3px;height:34px}.days i{flex:1 1 0;min-width:0;border-radius:2px}"
    "i.o{background:var(--ok)}i.e{background:var(--warn)}i.a{background:var(--bad)}"
    "i.n{background:var(--nd)}"
    ".axis{display:flex;justify-content:space-between;font-size:12px;color:var(--muted);"
    "margin-top:4px}"
    ".legend{display:flex;flex-wrap:wrap;gap:6px 16px;font-size:12px;color:var(--muted);"
    "margin-top:10px}"
    ".legend i{display:inline-block;width:10px;height:10px;border-radius:2px;"
    "margin-right:6px;vertical-align:-1px}"
    ".none{color:var(--muted);margin:0}"
    "details.incident{border:1px solid var(--line);border-radius:8px;margin-bottom:10px}"
    "details.incident summary{cursor:pointer;padding:12px 16px;display:flex;"
    "flex-wrap:wrap;gap:4px 12px;align-items:center;list-style:none}"
    "details.incident summary::-webkit-details-marker{display:none}"
    "details.incident summary::before{content:\"\\25B8\";color:var(--muted)}"
    "details.incident[open] summary::before{content:\"\\25BE\"}"
    ".when{color:var(--muted);font-size:14px}"
    ".tag{font-size:12px;font-weight:600;padding:2px 8px;border-radius:999px}"
    ".tag.ongoing{background:#fee2e2;color:#991b1b}"
    ".tag.resolved{background:#dcfce7;color:#166534}"
    "dl{display:grid;grid-template-columns:190px 1fr;gap:8px 16px;margin:0;"
    "padding:4px 16px 16px 34px;font-size:14px}"
    "dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}"
    "dd ul{margin:0;padding-left:18px}"
    "footer{color:var(--muted);font-size:12px;text-align:center;margin-top:28px}"
    "@media (max-width:640px){.wrap{padding:20px 12px 32px}.card{padding:16px}"
    ".bars{gap:0;height:48px}.days{gap:1px}dl{grid-template-columns:1fr;gap:2px;"
    "padding-left:16px}dt{margin-top:8px}}";

static void head(struct sb *b, const char *title, bool redact)
{
	sb_raw(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
	sb_rawf(b, "<meta http-equiv=\"refresh\" content=\"%d\">\n<title>", REFRESH_S);
	put_text(b, title, redact);
	sb_raw(b, "</title>\n<style>");
	sb_raw(b, css);
	sb_raw(b, "</style>\n</head>\n<body>\n<main class=\"wrap\">\n<header><h1>");
	put_text(b, title, redact);
	sb_raw(b, "</h1>");
}

/* "sip_register_flood" -> "SIP REGISTER flood". */
static void put_family(struct sb *b, const char *family, bool redact)
{
	static const char *const upper[] = {
	    "sip", "rtp",  "udp", "tcp",  "tls",  "syn",  "ack",    "rst",	"fin",
	    "psh", "icmp", "dns", "ntp",  "ssdp", "snmp", "wsd",    "mdns",	"cldap",
	    "gre", "esp",  "ard", "ubnt", "rip",  "xmas", "invite", "register", "options"};
	char word[32];
	const char *p = family && family[0] ? family : "unclassified_attack";
	bool first = true;
	size_t n, i, k;

	while (*p) {
		n = strcspn(p, "_");
		snprintf(word, sizeof(word), "%.*s", (int)(n < sizeof(word) ? n : sizeof(word) - 1),
			 p);
		for (i = 0; i < sizeof(upper) / sizeof(upper[0]); i++)
			if (!strcmp(word, upper[i]))
				for (k = 0; word[k]; k++)
					word[k] = (char)toupper((unsigned char)word[k]);
		if (first)
			word[0] = (char)toupper((unsigned char)word[0]);
		if (!first)
			sb_raw(b, " ");
		put_text(b, word, redact);
		first = false;
		p += n;
		if (*p == '_')
			p++;
	}
}

static void banner(struct sb *b, const struct xg_obs *o, int worst, bool redact)
{
	static const char *const text[] = {"All systems operational", "Elevated traffic",
					   "Under attack: mitigation active"};
	char when[40];

	sb_rawf(b, "<section class=\"banner %s\"><div><div>%s</div>", state_class(worst),
		worst < 0 ? "Status unknown" : text[worst]);
	if (worst < 0) {
		sb_raw(b, "<p>The protection engine has not reported recently.</p>");
	} else if (worst == XG_STATE_ATTACK && o->incident_open) {
		fmt_time(when, sizeof(when), (double)o->inc.start_ns / 1e9, false);
		sb_raw(b, "<p>");
		put_family(b, o->inc.cls.family, redact);
		sb_raw(b, " against ");
		put_text(b, service_label(o->inc.cls.service[0] ? o->inc.cls.service : "any"),
			 redact);
		sb_rawf(b, " is being mitigated since %s.</p>", when);
	} else if (worst == XG_STATE_ELEVATED) {
		sb_raw(b, "<p>Traffic is above its usual level; no attack is in progress.</p>");
	}
	sb_raw(b, "</div></section>\n");
}

static void services_card(struct sb *b, const int *state)
{
	int i;

	sb_raw(b, "<section class=\"card\"><h2>Services</h2><ul class=\"services\">");
	for (i = 0; i < XG_HIST_SERVICES; i++) {
		const char *name = xg_history_service(i), *cls = state_class(state[i]);

		sb_rawf(b,
			"<li><span>%s</span><span class=\"pill %s\" data-service=\"%s\" "
			"data-state=\"%s\">%s</span></li>",
			service_label(name), cls, name, cls, state_label(state[i]));
	}
	sb_raw(b, "</ul></section>\n");
}

static char state_letter(const char *state)
{
	if (!state)
		return 'n';
	if (!strcmp(state, "operational"))
		return 'o';
	if (!strcmp(state, "elevated"))
		return 'e';
	if (!strcmp(state, "attack"))
		return 'a';
	return 'n';
}

static void legend(struct sb *b, bool availability)
{
	sb_rawf(b,
		"<div class=\"legend\"><span><i class=\"o\"></i>%s</span>"
		"<span><i class=\"e\"></i>%s</span><span><i class=\"a\"></i>%s</span>"
		"<span><i class=\"n\"></i>No data</span></div>",
		availability ? "No attack" : "Operational",
		availability ? "Attack, 99% or more available" : "Elevated traffic",
		availability ? "Attack, less than 99% available" : "Under attack");
}

/* One service's 24 h: a bar per bucket, its height the peak pps against
 * the window's highest, its color the bucket's worst state. */
static void traffic_chart(struct sb *b, const char *name, struct json_object *rows,
			  const struct xg_obs *o, int svc)
{
	size_t i, n = json_object_array_length(rows);
	double peak = 0, v;
	char r1[32], r2[32], when[40];

	for (i = 0; i < n; i++)
		if (jnum(json_object_array_get_idx(rows, i), "pps", &v) && v > peak)
			peak = v;
	fmt_rate(r1, sizeof(r1), peak, "pps");
	sb_rawf(b, "<div class=\"chart\"><div class=\"chart-head\">%s<span>", service_label(name));
	if (o && o->have_snap) {
		double now = svc == 0 ? o->snap.metric[XG_M_PPS] : 0;

		if (svc == 1)
			now = o->snap.svc_pps[XG_SVC_SIP_UDP];
		else if (svc == 2)
			now = o->snap.svc_pps[XG_SVC_SIP_TCP];
		else if (svc == 3)
			now = o->snap.svc_pps[XG_SVC_SIP_TLS];
		else if (svc == 4)
			now = o->snap.svc_pps[XG_SVC_RTP];
		fmt_rate(r2, sizeof(r2), now, "pps");
		sb_rawf(b, "now %s &middot; ", r2);
	}
	sb_rawf(b, "24 h peak %s</span></div><div class=\"bars\">", r1);
	for (i = 0; i < n; i++) {
		struct json_object *r = json_object_array_get_idx(rows, i);
		const char *st = jstr(r, "state");
		char c = state_letter(st);
		double t = 0, pps = 0, bps = 0, h = 100;

		jnum(r, "t", &t);
		fmt_time(when, sizeof(when), t, false);
		if (c == 'n') {
			sb_rawf(b,
				"<i class=\"n\" style=\"height:100%%\" title=\"%s: no data\"></i>",
				when);
			continue;
		}
		jnum(r, "pps", &pps);
		jnum(r, "bps", &bps);
		/* The shortest bar stays visible, its color being the point. */
		h = peak > 0 ? 100 * pps / peak : 0;
		if (h < 4)
			h = 4;
		fmt_rate(r1, sizeof(r1), pps, "pps");
		fmt_rate(r2, sizeof(r2), bps, "bps");
		sb_rawf(b, "<i class=\"%c\" style=\"height:%.0f%%\" title=\"%s: %s, %s, %s\"></i>",
			c, h, when, r1, r2,
			state_label(c == 'o'   ? 0
				    : c == 'e' ? 1
					       : 2));
	}
	sb_raw(b, "</div><div class=\"axis\"><span>24 h ago</span><span>12 h ago</span>"
		  "<span>now</span></div></div>");
}

static void traffic_card(struct sb *b, struct json_object *history, const struct xg_obs *o)
{
	struct json_object *svcs = jobj(jobj(history, "traffic"), "services"), *rows;
	int i, shown = 0;

	sb_raw(b, "<section class=\"card\"><h2>Traffic, last 24 hours</h2>");
	for (i = 0; i < XG_HIST_SERVICES; i++) {
		const char *name = xg_history_service(i);

		rows = jarr(svcs, name);
		if (!rows || !json_object_array_length(rows))
			continue;
		traffic_chart(b, name, rows, o, i);
		shown++;
	}
	if (shown)
		legend(b, false);
	else
		sb_raw(b, "<p class=\"none\">No traffic history yet.</p>");
	sb_raw(b, "</section>\n");
}

/* A percentage rounded down: a minute of attack never shows as 100.00%. */
static double pct_down(double share)
{
	return floor(share * 10000 + 1e-6) / 100; /* 0.57 * 10000 is 5699.99... */
}

static void availability_row(struct sb *b, const char *name, struct json_object *rows)
{
	size_t i, n = json_object_array_length(rows);
	double up = 0, total = 0;
	char pct[32];

	for (i = 0; i < n; i++) {
		struct json_object *r = json_object_array_get_idx(rows, i);
		double op = 0, el = 0, at = 0;

		jnum(r, "operational_s", &op);
		jnum(r, "elevated_s", &el);
		jnum(r, "attack_s", &at);
		up += op + el;
		total += op + el + at;
	}
	if (total > 0)
		snprintf(pct, sizeof(pct), "%.2f%% available", pct_down(up / total));
	else
		snprintf(pct, sizeof(pct), "No data");
	sb_rawf(b,
		"<div class=\"chart\"><div class=\"chart-head\">%s<span>%s</span></div>"
		"<div class=\"days\">",
		service_label(name), pct);
	for (i = 0; i < n; i++) {
		struct json_object *r = json_object_array_get_idx(rows, i);
		const char *day = jstr(r, "day");
		double a, at = 0;
		char d[40];

		jnum(r, "attack_s", &at);
		if (!jnum(r, "availability", &a)) {
			sb_raw(b, "<i class=\"n\" title=\"");
			put_text(b, day, false);
			sb_raw(b, ": no data\"></i>");
			continue;
		}
		sb_rawf(b, "<i class=\"%c\" title=\"", at <= 0 ? 'o' : a >= 0.99 ? 'e' : 'a');
		put_text(b, day, false);
		fmt_duration(d, sizeof(d), at);
		sb_rawf(b, ": %.2f%% available", pct_down(a));
		if (at > 0)
			sb_rawf(b, ", %s under attack", d);
		sb_raw(b, "\"></i>");
	}
	sb_raw(b,
	       "</div><div class=\"axis\"><span>30 days ago</span><span>today</span></div></div>");
}

static void availability_card(struct sb *b, struct json_object *history)
{
	struct json_object *svcs = jobj(jobj(history, "availability"), "services"), *rows;
	int i, shown = 0;

	sb_raw(b, "<section class=\"card\"><h2>Availability, last 30 days</h2>");
	for (i = 0; i < XG_HIST_SERVICES; i++) {
		const char *name = xg_history_service(i);

		rows = jarr(svcs, name);
		if (!rows || !json_object_array_length(rows))
			continue;
		availability_row(b, name, rows);
		shown++;
	}
	if (shown)
		legend(b, true);
	else
		sb_raw(b, "<p class=\"none\">No availability history yet.</p>");
	sb_raw(b, "</section>\n");
}

static void dt(struct sb *b, const char *term)
{
	sb_rawf(b, "<dt>%s</dt><dd>", term);
}

static void string_list(struct sb *b, struct json_object *arr, bool redact)
{
	size_t i, n = json_object_array_length(arr);

	sb_raw(b, "<ul>");
	for (i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(arr, i);

		sb_raw(b, "<li>");
		put_text(b, v ? json_object_get_string(v) : "", redact);
		sb_raw(b, "</li>");
	}
	sb_raw(b, "</ul>");
}

/* top_sources: [{"addr", "pps", "known"}] (or plain strings). */
static void sources(struct sb *b, struct json_object *arr, bool redact)
{
	size_t i, n = json_object_array_length(arr);
	char r[32];
	double pps;

	sb_raw(b, "<ul>");
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);

		sb_raw(b, "<li>");
		if (!json_object_is_type(e, json_type_object)) {
			put_text(b, e ? json_object_get_string(e) : "", redact);
		} else {
			/* Redacted wholesale: a name could be as telling. */
			put_text(b, redact ? REDACTED : jstr(e, "addr"), redact);
			if (jnum(e, "pps", &pps)) {
				fmt_rate(r, sizeof(r), pps, "pps");
				sb_rawf(b, " &middot; %s", r);
			}
			if (jbool(e, "known"))
				sb_raw(b, " &middot; known peer");
		}
		sb_raw(b, "</li>");
	}
	sb_raw(b, "</ul>");
}

/* mitigation: lines of text, or the journal's mitigation events
 * {"action", "target", "rate_pps", "ttl", "reason", "applied"}. */
static void mitigation(struct sb *b, struct json_object *arr, bool redact)
{
	size_t i, n = json_object_array_length(arr);
	double v;

	sb_raw(b, "<ul>");
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i), *ap;

		sb_raw(b, "<li>");
		if (!json_object_is_type(e, json_type_object)) {
			put_text(b, e ? json_object_get_string(e) : "", redact);
			sb_raw(b, "</li>");
			continue;
		}
		put_text(b, jstr(e, "action") ?: "action", redact);
		sb_raw(b, " ");
		put_text(b, jstr(e, "target"), redact);
		if (jnum(e, "rate_pps", &v))
			sb_rawf(b, " at %.0f pps", v);
		if (jnum(e, "ttl", &v) && v > 0)
			sb_rawf(b, " for %.0f s", v);
		if (jstr(e, "reason")) {
			sb_raw(b, " (");
			put_text(b, jstr(e, "reason"), redact);
			sb_raw(b, ")");
		}
		if (json_object_object_get_ex(e, "applied", &ap) && !json_object_get_boolean(ap))
			sb_raw(b, " &middot; not applied (monitor-only)");
		sb_raw(b, "</li>");
	}
	sb_raw(b, "</ul>");
}

static void incident(struct sb *b, struct json_object *inc, bool redact, uint64_t now_ns)
{
	struct json_object *arr, *peaks;
	double start = 0, end = 0, dur = 0, v;
	bool have_start = jnum(inc, "start", &start), ended = jnum(inc, "end", &end);
	const char *svc = jstr(inc, "service"), *s;
	char t1[40], t2[40], d[40];

	if (!ended || !jnum(inc, "duration_s", &dur))
		dur = ended ? end - start : (double)now_ns / 1e9 - start;
	fmt_time(t1, sizeof(t1), start, true);
	fmt_duration(d, sizeof(d), have_start ? dur : 0);

	sb_raw(b, "<details class=\"incident\"><summary>");
	sb_rawf(b, "<span class=\"tag %s\">%s</span><strong>", ended ? "resolved" : "ongoing",
		ended ? "Resolved" : "Ongoing");
	put_family(b, jstr(inc, "family"), redact);
	sb_raw(b, "</strong>");
	if (svc && svc[0]) {
		sb_raw(b, "<span>on ");
		put_text(b, service_label(svc), redact);
		sb_raw(b, "</span>");
	}
	if (have_start)
		sb_rawf(b, "<span class=\"when\">%s &middot; %s%s</span>", t1, d,
			ended ? "" : " so far");
	sb_raw(b, "</summary><dl>");

	dt(b, "Incident");
	put_text(b, jstr(inc, "id"), redact);
	sb_raw(b, "</dd>");
	dt(b, "Attack type");
	put_family(b, jstr(inc, "family"), redact);
	if ((s = jstr(inc, "subtype")) && s[0]) {
		sb_raw(b, " (");
		put_text(b, s, redact);
		sb_raw(b, ")");
	}
	sb_raw(b, "</dd>");
	if (svc && svc[0]) {
		dt(b, "Targeted service");
		put_text(b, service_label(svc), redact);
		sb_raw(b, "</dd>");
	}
	if (jnum(inc, "confidence", &v)) {
		dt(b, "Confidence");
		sb_rawf(b, "%.0f%%</dd>", v);
	}
	if (jbool(inc, "spoofed") || jbool(inc, "botnet") || jbool(inc, "learning")) {
		dt(b, "Traits");
		sb_rawf(b, "%s%s%s</dd>", jbool(inc, "spoofed") ? "spoofed sources " : "",
			jbool(inc, "botnet") ? "many real sources (botnet) " : "",
			jbool(inc, "learning") ? "seen while learning (monitor-only)" : "");
	}
	dt(b, "Peak");
	fmt_rate(t2, sizeof(t2), jnum(inc, "peak_pps", &v) ? v : 0, "pps");
	sb_raw(b, t2);
	fmt_rate(t2, sizeof(t2), jnum(inc, "peak_bps", &v) ? v : 0, "bps");
	sb_rawf(b, ", %s</dd>", t2);
	if (have_start) {
		dt(b, "Started");
		sb_rawf(b, "%s</dd>", t1);
	}
	dt(b, "Ended");
	if (ended) {
		fmt_time(t2, sizeof(t2), end, true);
		sb_rawf(b, "%s</dd>", t2);
	} else {
		sb_raw(b, "ongoing</dd>");
	}
	if (have_start) {
		dt(b, "Duration");
		sb_rawf(b, "%s%s</dd>", d, ended ? "" : " so far");
	}
	if ((arr = jarr(inc, "metrics")) && json_object_array_length(arr)) {
		size_t i, n = json_object_array_length(arr);

		peaks = jobj(inc, "peak_metrics");
		dt(b, "Over threshold");
		sb_raw(b, "<ul>");
		for (i = 0; i < n; i++) {
			const char *m = json_object_get_string(json_object_array_get_idx(arr, i));

			sb_raw(b, "<li>");
			put_text(b, m, redact);
			if (m && jnum(peaks, m, &v))
				sb_rawf(b, ": peak %.0f", v);
			sb_raw(b, "</li>");
		}
		sb_raw(b, "</ul></dd>");
	}
	if ((arr = jarr(inc, "destinations")) && json_object_array_length(arr)) {
		dt(b, "Targets");
		if (redact)
			sb_rawf(b, "%zu address%s (redacted)", json_object_array_length(arr),
				json_object_array_length(arr) == 1 ? "" : "es");
		else
			string_list(b, arr, false);
		sb_raw(b, "</dd>");
	}
	if ((arr = jarr(inc, "top_sources")) && json_object_array_length(arr)) {
		dt(b, "Top sources");
		sources(b, arr, redact);
		sb_raw(b, "</dd>");
	}
	if ((arr = jarr(inc, "mitigation")) && json_object_array_length(arr)) {
		dt(b, "Mitigation");
		mitigation(b, arr, redact);
		sb_raw(b, "</dd>");
	}
	if ((s = jstr(inc, "closed_by"))) {
		dt(b, "Closed by");
		put_text(b, s, redact);
		sb_raw(b, "</dd>");
	}
	if ((arr = jarr(inc, "evidence")) && json_object_array_length(arr)) {
		dt(b, "Evidence");
		string_list(b, arr, redact);
		sb_raw(b, "</dd>");
	}
	sb_raw(b, "</dl></details>\n");
}

static void incidents_card(struct sb *b, struct json_object *incidents, bool redact,
			   uint64_t now_ns)
{
	size_t i, n = 0, shown = 0;

	if (incidents && json_object_is_type(incidents, json_type_array))
		n = json_object_array_length(incidents);
	sb_raw(b, "<section class=\"card\"><h2>Incidents, last 7 days</h2>");
	for (i = 0; i < n; i++) {
		struct json_object *inc = json_object_array_get_idx(incidents, i);

		if (!json_object_is_type(inc, json_type_object))
			continue;
		incident(b, inc, redact, now_ns);
		shown++;
	}
	if (!shown)
		sb_raw(b, "<p class=\"none\">No incidents in the last 7 days.</p>");
	sb_raw(b, "</section>\n");
}

int xg_status_page_render(const struct xg_obs *o, struct json_object *history,
			  struct json_object *incidents, const struct xg_status_page_opts *opts,
			  uint64_t now_ns, char **out, size_t *len)
{
	struct xg_status_page_opts def = {.redact = true};
	struct sb b = {.cap = INITIAL_CAPACITY};
	int state[XG_HIST_SERVICES], worst = STATE_UNKNOWN, i;
	const char *title;
	char when[40];

	*out = NULL;
	*len = 0;
	if (!opts)
		opts = &def;
	title = opts->title && opts->title[0] ? opts->title : "xdpguard status";
	if (o && stale(o, now_ns))
		o = NULL;
	for (i = 0; i < XG_HIST_SERVICES; i++) {
		state[i] = o ? (int)xg_history_state(o, i) : STATE_UNKNOWN;
		if (state[i] > worst)
			worst = state[i];
	}
	b.buf = malloc(b.cap);
	if (!b.buf)
		return -ENOMEM;
	b.buf[0] = '\0';

	head(&b, title, opts->redact);
	fmt_time(when, sizeof(when), (double)now_ns / 1e9, false);
	sb_rawf(&b, "<p class=\"sub\">Updated %s</p></header>\n", when);
	banner(&b, o, worst, opts->redact);
	services_card(&b, state);
	traffic_card(&b, history, o);
	availability_card(&b, history);
	incidents_card(&b, incidents, opts->redact, now_ns);
	sb_raw(&b, "<footer>");
	if (o && o->node[0]) {
		sb_raw(&b, "Node ");
		put_text(&b, o->node, opts->redact);
		sb_raw(&b, " &middot; ");
	}
	sb_rawf(&b,
		"Times in UTC &middot; refreshes every %d s &middot; protected by xdpguard"
		"</footer>\n</main>\n</body>\n</html>\n",
		REFRESH_S);

	if (b.oom) {
		free(b.buf);
		return -ENOMEM;
	}
	*out = b.buf;
	*len = b.len;
	return 0;
}
