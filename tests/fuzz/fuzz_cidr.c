// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_cidr: the small parsers of outside text, each on the same input.
 *
 *   xg_cidr_parse          block/allow/unblock arguments, config allowlists
 *   xg_listfile_parse      allowlist and blocklist files (xdpctl allow --file)
 *   xg_parse_duration      --ttl and friends
 *   xg_parse_uint          numeric options
 *   xg_cfg_ports_parse     port lists in the config, with and without udp:/tcp:
 *   xg_route_weekly_parse  maintenance windows ("Sun 02:00-04:00")
 *   xg_send_parse_retry_after  a sink's Retry-After response header
 *   the enum name parsers (severities, kinds, sink types, syslog facilities)
 *
 * Each one that accepts its input must print it back in a form it reads
 * again as the same value (format, parse, compare), and stay in its
 * documented range.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert_payload.h"
#include "alert_route.h"
#include "alert_send.h"
#include "cidr.h"
#include "cli.h"
#include "config.h"
#include "listfile.h"
#include "fuzz_util.h"

static void fuzz_cidr(const char *s)
{
	struct xg_cidr c, back;
	char err[256], buf[64], err2[256];

	if (xg_cidr_parse(s, &c, err, sizeof(err))) {
		FZ_CHECK(err[0], "xg_cidr_parse failed without a reason");
		return;
	}
	FZ_CHECK(c.family == AF_INET || c.family == AF_INET6, "family %d", c.family);
	FZ_CHECK(c.prefixlen <= xg_cidr_maxlen(&c), "prefix /%u", c.prefixlen);
	xg_cidr_format(&c, buf, sizeof(buf));
	FZ_CHECK(!xg_cidr_parse(buf, &back, err2, sizeof(err2)),
		 "'%s' formats as '%s', which does not parse: %s", s, buf, err2);
	FZ_CHECK(back.family == c.family && back.prefixlen == c.prefixlen &&
		     !memcmp(back.addr, c.addr, sizeof(c.addr)),
		 "'%s' -> '%s' reads back as another CIDR", s, buf);
	FZ_CHECK(xg_cidr_contains(&c, &c), "'%s' does not contain itself", s);
	FZ_CHECK(xg_cidr_is_host(&c) == (c.prefixlen == xg_cidr_maxlen(&c)), "is_host of '%s'", s);
}

static void fuzz_listfile(const uint8_t *data, size_t size)
{
	struct xg_listfile_entry *v = NULL;
	char err[512], buf[64], why[256];
	unsigned int last = 0;
	struct xg_cidr back;
	size_t n = 0, i;
	FILE *f;

	if (!size)
		return; /* fmemopen() refuses an empty buffer */
	f = fmemopen((void *)data, size, "r");
	if (!f)
		abort();
	if (xg_listfile_parse(f, "fuzz.list", &v, &n, err, sizeof(err))) {
		FZ_CHECK(!v && !n, "a failed parse returned entries");
		FZ_CHECK(!strncmp(err, "fuzz.list:", 10), "error without the file name: %s", err);
		fclose(f);
		return;
	}
	fclose(f);
	for (i = 0; i < n; i++) {
		FZ_CHECK(v[i].line > last, "entry %zu: line %u after line %u", i, v[i].line, last);
		last = v[i].line;
		FZ_CHECK(memchr(v[i].comment, '\0', sizeof(v[i].comment)),
			 "comment not terminated");
		FZ_CHECK(!strchr(v[i].comment, '\n'), "comment of line %u spans lines", v[i].line);
		xg_cidr_format(&v[i].cidr, buf, sizeof(buf));
		FZ_CHECK(!xg_cidr_parse(buf, &back, why, sizeof(why)),
			 "line %u formats as '%s', which does not parse: %s", v[i].line, buf, why);
	}
	free(v);
}

static void fuzz_numbers(const char *s)
{
	uint64_t v = 0, w = 0;
	int r;

	r = xg_parse_duration(s, &v);
	FZ_CHECK(r == 0 || r == -EINVAL || r == -ERANGE, "xg_parse_duration returned %d", r);
	if (!r)
		FZ_CHECK(v <= 100ULL * 365 * 86400, "'%s' is %llu s: over a century", s,
			 (unsigned long long)v);
	r = xg_parse_uint(s, 0, UINT64_MAX, &v);
	FZ_CHECK(r == 0 || r == -EINVAL, "xg_parse_uint returned %d", r);
	if (!xg_parse_uint(s, 1, 65535, &w)) {
		FZ_CHECK(w >= 1 && w <= 65535, "'%s' out of [1, 65535]: %llu", s,
			 (unsigned long long)w);
		FZ_CHECK(!r && v == w, "'%s' parses in [1, 65535] but not in [0, max]", s);
	}
	r = xg_send_parse_retry_after(s, 1700000000, &v);
	FZ_CHECK(r == 0 || r == -EINVAL, "retry-after returned %d", r);
	if (!r)
		FZ_CHECK(v <= XG_SEND_RETRY_AFTER_MAX, "Retry-After '%s' gave %llu s", s,
			 (unsigned long long)v);
}

static void check_ports(const char *s, const struct xg_cfg_ports *p)
{
	int i;

	FZ_CHECK(p->n >= 0 && p->n <= XG_CFG_MAX_RANGES, "'%s': %d ranges", s, p->n);
	for (i = 0; i < p->n; i++)
		FZ_CHECK(p->r[i].lo >= 1 && p->r[i].lo <= p->r[i].hi, "'%s': range %d is %u-%u", s,
			 i, p->r[i].lo, p->r[i].hi);
}

static bool same_ports(const struct xg_cfg_ports *a, const struct xg_cfg_ports *b)
{
	return a->n == b->n && !memcmp(a->r, b->r, (size_t)a->n * sizeof(a->r[0]));
}

static void fuzz_ports(const char *s)
{
	struct xg_cfg_ports p, tcp, p2, tcp2;
	char why[256], buf[XG_CFG_MAX_RANGES * 16], udp_s[XG_CFG_MAX_RANGES * 20];
	char tcp_s[XG_CFG_MAX_RANGES * 20], both[sizeof(udp_s) + sizeof(tcp_s) + 1];
	int len;

	if (!xg_cfg_ports_parse(s, false, &p, NULL, why, sizeof(why))) {
		check_ports(s, &p);
		len = xg_cfg_ports_format(&p, NULL, buf, sizeof(buf));
		FZ_CHECK(len >= 0 && (size_t)len < sizeof(buf), "'%s' formats to %d bytes", s, len);
		FZ_CHECK(!xg_cfg_ports_parse(buf, false, &p2, NULL, why, sizeof(why)),
			 "'%s' formats as '%s', which does not parse: %s", s, buf, why);
		FZ_CHECK(same_ports(&p, &p2), "'%s' -> '%s' reads back as other ports", s, buf);
		FZ_CHECK(!p.n || xg_cfg_ports_contains(&p, p.r[0].hi), "'%s' misses its own port",
			 s);
	}
	if (!xg_cfg_ports_parse(s, true, &p, &tcp, why, sizeof(why))) {
		check_ports(s, &p);
		check_ports(s, &tcp);
		/* as config show writes watched_ports */
		xg_cfg_ports_format(&p, "udp:", udp_s, sizeof(udp_s));
		xg_cfg_ports_format(&tcp, "tcp:", tcp_s, sizeof(tcp_s));
		snprintf(both, sizeof(both), "%s%s%s", udp_s, *udp_s && *tcp_s ? "," : "", tcp_s);
		FZ_CHECK(!xg_cfg_ports_parse(both, true, &p2, &tcp2, why, sizeof(why)),
			 "'%s' formats as '%s', which does not parse: %s", s, both, why);
		FZ_CHECK(same_ports(&p, &p2) && same_ports(&tcp, &tcp2),
			 "'%s' -> '%s' reads back as other ports", s, both);
	}
}

static void fuzz_weekly(const char *s)
{
	struct xg_route_window w, w2;
	struct xg_route_cfg *cfg;
	char why[256], buf[64];
	uint64_t t, until;
	int len;

	memset(&w, 0, sizeof(w));
	if (xg_route_weekly_parse(s, &w, why, sizeof(why))) {
		FZ_CHECK(why[0], "a failed weekly parse without a reason");
		return;
	}
	FZ_CHECK(w.kind == XG_ROUTE_WIN_WEEKLY, "kind %d", w.kind);
	FZ_CHECK(w.week_start_s < XG_ROUTE_WEEK_S, "'%s' starts at %u s", s, w.week_start_s);
	FZ_CHECK(w.week_len_s >= 1 && w.week_len_s < XG_ROUTE_WEEK_S, "'%s' lasts %u s", s,
		 w.week_len_s);
	len = xg_route_weekly_format(&w, buf, sizeof(buf));
	FZ_CHECK(len > 0 && (size_t)len < sizeof(buf), "'%s' formats to %d bytes", s, len);
	memset(&w2, 0, sizeof(w2));
	FZ_CHECK(!xg_route_weekly_parse(buf, &w2, why, sizeof(why)),
		 "'%s' formats as '%s', which does not parse: %s", s, buf, why);
	FZ_CHECK(w2.week_start_s == w.week_start_s && w2.week_len_s == w.week_len_s,
		 "'%s' (%u+%u) -> '%s' (%u+%u)", s, w.week_start_s, w.week_len_s, buf,
		 w2.week_start_s, w2.week_len_s);

	/* The window as the only one: maintenance ends when the window does. */
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		abort();
	xg_route_cfg_defaults(cfg);
	cfg->n_windows = 1;
	cfg->windows[0] = w;
	/* a Monday 00:00 UTC, then a time inside the week derived from it */
	t = 1700438400ULL * 1000000000ULL + (uint64_t)w.week_start_s * 1000000000ULL + 1;
	until = xg_route_maintenance_until(cfg, NULL, 0, t);
	FZ_CHECK(until != UINT64_MAX && until >= t, "'%s': maintenance until %llu from %llu", s,
		 (unsigned long long)until, (unsigned long long)t);
	FZ_CHECK(xg_route_window_active(&w, t), "'%s' is not active at its own start", s);
	FZ_CHECK(!xg_route_window_active(&w, until), "'%s' is still active when it ends", s);
	FZ_CHECK(until - t <= (uint64_t)w.week_len_s * 1000000000ULL,
		 "'%s' ends %llu ns after its start, longer than it lasts", s,
		 (unsigned long long)(until - t));
	free(cfg);
}

static void fuzz_names(const char *s)
{
	enum xg_alert_kind k;
	enum xg_alert_sev sv;
	enum xg_route_sev rs;
	enum xg_route_sink_type st;
	int fac;

	if (!xg_alert_kind_parse(s, &k))
		FZ_CHECK(!strcmp(xg_alert_kind_name(k), s), "kind '%s'", s);
	if (!xg_alert_sev_parse(s, &sv))
		FZ_CHECK(!strcmp(xg_alert_sev_name(sv), s), "severity '%s'", s);
	if (!xg_route_sev_parse(s, &rs))
		FZ_CHECK(!strcmp(xg_route_sev_name(rs), s), "route severity '%s'", s);
	if (!xg_route_sink_type_parse(s, &st))
		FZ_CHECK(!strcmp(xg_route_sink_type_name(st), s), "sink type '%s'", s);
	fac = xg_alert_syslog_facility(s);
	FZ_CHECK(fac == -EINVAL || (fac >= 0 && fac <= 23), "facility '%s' is %d", s, fac);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_strdup(data, size);

	fuzz_cidr(s);
	fuzz_numbers(s);
	fuzz_ports(s);
	fuzz_weekly(s);
	fuzz_names(s);
	fuzz_listfile(data, size);
	free(s);
	return 0;
}
