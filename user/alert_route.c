// SPDX-License-Identifier: GPL-2.0-only
/*
 * Alert routing decisions (the rules are in alert_route.h). Every pending
 * action is a due time in a slot; whether it may go out is decided when it
 * is released, from the due time and the maintenance windows, so the same
 * events give the same actions however often the caller ticks.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alert_route.h"

#define NS    1000000000ULL
#define DAY_S 86400u
#define NONE  UINT64_MAX
/* Unix time 0 was a Thursday: three days after a Monday 00:00. */
#define EPOCH_SOW_S (3u * DAY_S)

static const char *const sev_names[XG_ROUTE_SEV_MAX] = {"info", "warning", "error", "critical"};
static const char *const type_names[XG_ROUTE_SINK_MAX] = {
    "webhook", "pagerduty", "slack", "discord", "opsgenie", "email", "syslog"};
static const char *const day_names[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

void xg_route_cfg_defaults(struct xg_route_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->coalesce_s = 30;
}

const char *xg_route_sev_name(enum xg_route_sev sev)
{
	return (unsigned)sev < XG_ROUTE_SEV_MAX ? sev_names[sev] : "?";
}

int xg_route_sev_parse(const char *s, enum xg_route_sev *out)
{
	int k;

	for (k = 0; k < XG_ROUTE_SEV_MAX; k++) {
		if (!strcmp(s, sev_names[k])) {
			*out = (enum xg_route_sev)k;
			return 0;
		}
	}
	return -1;
}

const char *xg_route_sink_type_name(enum xg_route_sink_type type)
{
	return (unsigned)type < XG_ROUTE_SINK_MAX ? type_names[type] : "?";
}

int xg_route_sink_type_parse(const char *s, enum xg_route_sink_type *out)
{
	int k;

	for (k = 0; k < XG_ROUTE_SINK_MAX; k++) {
		if (!strcmp(s, type_names[k])) {
			*out = (enum xg_route_sink_type)k;
			return 0;
		}
	}
	return -1;
}

/* ---- weekly windows ---- */

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* A day name at s: its index 0 (Mon) to 6, or -1. */
static int parse_day(const char *s, const char **end)
{
	int k;

	for (k = 0; k < 7; k++) {
		if (!strncasecmp(s, day_names[k], 3) && !isalpha((unsigned char)s[3])) {
			*end = s + 3;
			return k;
		}
	}
	return -1;
}

/* "HH:MM" at s, in seconds; 24:00 only when allow_24. -1 when it is not. */
static long parse_hhmm(const char *s, bool allow_24, const char **end)
{
	int h, m;

	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) || s[2] != ':' ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]) ||
	    isdigit((unsigned char)s[5]))
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && (m || !allow_24)))
		return -1;
	*end = s + 5;
	return (long)h * 3600 + m * 60;
}

/* The token at s, for messages: up to the next space or dash. */
static int token_len(const char *s)
{
	int n = 0;

	while (s[n] && s[n] != ' ' && s[n] != '\t' && s[n] != '-' && n < 16)
		n++;
	return n ? n : 1;
}

static int why_fail(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int why_fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;
	char *p;

	if (!why || !whylen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	/* one line, whatever the input held */
	for (p = why; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return -1;
}

int xg_route_weekly_parse(const char *spec, struct xg_route_window *w, char *why, size_t whylen)
{
	static const char form[] = "DAY HH:MM-HH:MM or DAY HH:MM-DAY HH:MM (UTC), like "
				   "\"Sun 02:00-04:00\"";
	const char *s = skip_ws(spec), *e;
	long st, et, start, end, len;
	int sday, eday = -1;

	sday = parse_day(s, &e);
	if (sday < 0) {
		if (!*s)
			return why_fail(why, whylen, "empty: expected %s", form);
		return why_fail(why, whylen, "\"%.*s\" is not a day (Mon Tue Wed Thu Fri Sat Sun)",
				token_len(s), s);
	}
	s = e;
	if (*s != ' ' && *s != '\t')
		return why_fail(why, whylen, "expected %s", form);
	s = skip_ws(s);
	st = parse_hhmm(s, false, &e);
	if (st < 0)
		return why_fail(why, whylen, "\"%.*s\" is not a time 00:00-23:59", token_len(s), s);
	s = skip_ws(e);
	if (*s != '-')
		return why_fail(why, whylen, "expected %s", form);
	s = skip_ws(s + 1);
	if (isalpha((unsigned char)*s)) {
		eday = parse_day(s, &e);
		if (eday < 0)
			return why_fail(why, whylen,
					"\"%.*s\" is not a day (Mon Tue Wed Thu Fri Sat Sun)",
					token_len(s), s);
		s = e;
		if (*s != ' ' && *s != '\t')
			return why_fail(why, whylen, "expected %s", form);
		s = skip_ws(s);
	}
	et = parse_hhmm(s, true, &e);
	if (et < 0)
		return why_fail(why, whylen, "\"%.*s\" is not a time 00:00-24:00", token_len(s), s);
	s = skip_ws(e);
	if (*s)
		return why_fail(why, whylen, "unexpected \"%.*s\" after the end time", token_len(s),
				s);

	start = sday * (long)DAY_S + st;
	if (eday < 0) {
		if (et == st)
			return why_fail(why, whylen,
					"start and end are the same time: an empty window (for a "
					"whole day write \"Mon 02:00-Tue 02:00\")");
		/* an end at or before the start is the next day */
		len = et > st ? et - st : et + (long)DAY_S - st;
	} else {
		end = eday * (long)DAY_S + et;
		len = ((end - start) % (long)XG_ROUTE_WEEK_S + (long)XG_ROUTE_WEEK_S) %
		      (long)XG_ROUTE_WEEK_S;
		if (!len)
			return why_fail(why, whylen,
					"start and end are the same time: an empty window");
	}
	w->kind = XG_ROUTE_WIN_WEEKLY;
	w->week_start_s = (uint32_t)start;
	w->week_len_s = (uint32_t)len;
	return 0;
}

int xg_route_weekly_format(const struct xg_route_window *w, char *buf, size_t len)
{
	uint32_t st = w->week_start_s % XG_ROUTE_WEEK_S;
	uint32_t end = (st + w->week_len_s) % XG_ROUTE_WEEK_S;
	uint32_t sd = st / DAY_S, ed = end / DAY_S, so = st % DAY_S, eo = end % DAY_S;

	/* The short form reads back the same only under a day. */
	if (w->week_len_s < DAY_S)
		return snprintf(buf, len, "%s %02u:%02u-%02u:%02u", day_names[sd], so / 3600,
				so % 3600 / 60, eo / 3600, eo % 3600 / 60);
	return snprintf(buf, len, "%s %02u:%02u-%s %02u:%02u", day_names[sd], so / 3600,
			so % 3600 / 60, day_names[ed], eo / 3600, eo % 3600 / 60);
}

/* ---- maintenance ---- */

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t s_to_ns(int64_t s)
{
	if (s <= 0)
		return 0;
	return (uint64_t)s > UINT64_MAX / NS ? UINT64_MAX : (uint64_t)s * NS;
}

/* Where t falls in the window's week, in ns from its start; valid only for
 * WEEKLY windows. */
static uint64_t week_offset(const struct xg_route_window *w, uint64_t t_ns)
{
	const uint64_t week = (uint64_t)XG_ROUTE_WEEK_S * NS;
	uint64_t sow = (t_ns % week + (uint64_t)EPOCH_SOW_S * NS) % week;
	uint64_t start = (uint64_t)(w->week_start_s % XG_ROUTE_WEEK_S) * NS;

	return (sow + week - start) % week;
}

bool xg_route_window_active(const struct xg_route_window *w, uint64_t t_ns)
{
	if (w->kind == XG_ROUTE_WIN_ONCE)
		return t_ns >= s_to_ns(w->start_s) && t_ns < s_to_ns(w->end_s);
	if (w->kind == XG_ROUTE_WIN_WEEKLY)
		return week_offset(w, t_ns) < (uint64_t)w->week_len_s * NS;
	return false;
}

/* The end of the window's occurrence that covers t (an active window). */
static uint64_t window_end(const struct xg_route_window *w, uint64_t t_ns)
{
	if (w->kind == XG_ROUTE_WIN_ONCE)
		return s_to_ns(w->end_s);
	return sat_add(t_ns, (uint64_t)w->week_len_s * NS - week_offset(w, t_ns));
}

static int clamp(int n, int max)
{
	return n < 0 ? 0 : n > max ? max : n;
}

static bool window_applies(const struct xg_route_window *w, const char *ifname)
{
	int i, n = clamp(w->n_ifaces, XG_ROUTE_MAX_IFACES);

	if (!n)
		return true;
	for (i = 0; ifname && i < n; i++)
		if (!strncmp(w->ifaces[i], ifname, XG_ROUTE_IFNAME_LEN))
			return true;
	return false;
}

/* The end of the run of windows covering ifname (NULL: only global ones)
 * from t, following windows that overlap or touch. */
static uint64_t iface_until(const struct xg_route_cfg *cfg, const char *ifname, uint64_t t_ns)
{
	int nw = clamp(cfg->n_windows, XG_ROUTE_MAX_WINDOWS), iter, i;
	uint64_t cur = t_ns;

	/* Each window occurrence extends the run once, a weekly one at most
	 * twice before the run passes a week; past that the windows cover
	 * every moment of the week. */
	for (iter = 0; iter < 2 * nw + 4; iter++) {
		uint64_t best = cur;

		if (cur == UINT64_MAX)
			return cur;
		for (i = 0; i < nw; i++) {
			const struct xg_route_window *w = &cfg->windows[i];
			uint64_t e;

			if (!window_applies(w, ifname) || !xg_route_window_active(w, cur))
				continue;
			e = window_end(w, cur);
			if (e > best)
				best = e;
		}
		if (best == cur)
			return cur;
		cur = best;
	}
	return UINT64_MAX;
}

uint64_t xg_route_maintenance_until(const struct xg_route_cfg *cfg, const char *const *ifaces,
				    int n_ifaces, uint64_t t_ns)
{
	uint64_t until = UINT64_MAX, u;
	int i;

	if (n_ifaces <= 0 || !ifaces)
		return iface_until(cfg, NULL, t_ns);
	/* An incident that also reaches an interface outside maintenance is
	 * news: it is held only while all of its interfaces are covered. */
	for (i = 0; i < n_ifaces && until > t_ns; i++) {
		u = iface_until(cfg, ifaces[i], t_ns);
		if (u < until)
			until = u;
	}
	return until;
}

/* When an action due at due_ns may go out. */
static uint64_t release_time(const struct xg_route_cfg *cfg, const struct xg_route_state *st,
			     uint64_t due_ns)
{
	const char *names[XG_ROUTE_MAX_IFACES];
	int i, n = clamp(st->n_ifaces, XG_ROUTE_MAX_IFACES);

	for (i = 0; i < n; i++)
		names[i] = st->ifaces[i];
	return xg_route_maintenance_until(cfg, names, n, due_ns);
}

/* ---- per-incident state ---- */

void xg_route_state_init(struct xg_route_state *st)
{
	memset(st, 0, sizeof(*st));
}

static int sink_index(const struct xg_route_cfg *cfg, const char *name)
{
	int i, n = clamp(cfg->n_sinks, XG_ROUTE_MAX_SINKS);

	for (i = 0; i < n; i++)
		if (!strncmp(cfg->sinks[i].name, name, XG_ROUTE_NAME_LEN))
			return i;
	return -1;
}

static const struct xg_route_policy *find_policy(const struct xg_route_cfg *cfg, const char *name)
{
	int i, n = clamp(cfg->n_policies, XG_ROUTE_MAX_POLICIES);

	for (i = 0; i < n; i++)
		if (!strncmp(cfg->policies[i].name, name, XG_ROUTE_NAME_LEN))
			return &cfg->policies[i];
	return NULL;
}

/* The slot of a configured sink, made when absent (NULL when full). Slots
 * are keyed by name, not by index, so a config reload cannot point one
 * incident's history at another sink. */
static struct xg_route_slot *slot_get(const struct xg_route_cfg *cfg, struct xg_route_state *st,
				      int sink)
{
	const struct xg_route_sink *k = &cfg->sinks[sink];
	struct xg_route_slot *s;
	int i;

	for (i = 0; i < st->n_slots; i++)
		if (!strncmp(st->slot[i].sink, k->name, XG_ROUTE_NAME_LEN))
			return &st->slot[i];
	if (st->n_slots >= XG_ROUTE_MAX_SLOTS)
		return NULL;
	s = &st->slot[st->n_slots++];
	memset(s, 0, sizeof(*s));
	snprintf(s->sink, sizeof(s->sink), "%.*s", XG_ROUTE_NAME_LEN - 1, k->name);
	s->type = k->type;
	s->open_due_ns = NONE;
	return s;
}

/* Schedules the steps of every route whose min_severity is over above and
 * at most upto: the routes that start to match now. above may be -1. */
static void schedule(const struct xg_route_cfg *cfg, struct xg_route_state *st, int above,
		     enum xg_route_sev upto, uint64_t now_ns)
{
	int nr = clamp(cfg->n_routes, XG_ROUTE_MAX_ROUTES), r, k, j;

	for (r = 0; r < nr; r++) {
		const struct xg_route_rule *rule = &cfg->routes[r];
		const struct xg_route_policy *p;

		if ((int)rule->min_severity <= above || rule->min_severity > upto)
			continue;
		p = find_policy(cfg, rule->policy);
		if (!p)
			continue;
		for (k = 0; k < clamp(p->n_steps, XG_ROUTE_MAX_STEPS); k++) {
			const struct xg_route_step *step = &p->steps[k];
			uint64_t due = sat_add(now_ns, (uint64_t)step->delay_s * NS);

			for (j = 0; j < clamp(step->n_sinks, XG_ROUTE_MAX_STEP_SINKS); j++) {
				int sink = sink_index(cfg, step->sinks[j]);
				struct xg_route_slot *s;

				if (sink < 0)
					continue;
				s = slot_get(cfg, st, sink);
				if (s && !s->notified && due < s->open_due_ns)
					s->open_due_ns = due;
			}
		}
	}
}

static void emit(const struct xg_route_cfg *cfg, const struct xg_route_state *st,
		 const struct xg_route_slot *s, enum xg_route_kind kind, uint64_t at,
		 struct xg_route_out *out)
{
	struct xg_route_action *a;
	int sink;

	if (out->n >= XG_ROUTE_MAX_OUT)
		return; /* cannot happen: see XG_ROUTE_MAX_OUT */
	a = &out->a[out->n++];
	memset(a, 0, sizeof(*a));
	memcpy(a->sink, s->sink, sizeof(a->sink));
	sink = sink_index(cfg, s->sink);
	a->type = sink >= 0 ? cfg->sinks[sink].type : s->type;
	a->kind = kind;
	a->not_before_ns = at;
	a->severity = st->sev;
	a->rev = st->rev;
}

/* Whether the action due at due_ns goes out by now; *at is when. */
static bool releasable(const struct xg_route_cfg *cfg, const struct xg_route_state *st,
		       uint64_t due_ns, uint64_t now_ns, uint64_t *at, struct xg_route_out *out)
{
	if (due_ns > now_ns)
		return false;
	*at = release_time(cfg, st, due_ns);
	if (*at <= now_ns)
		return true;
	out->held++;
	return false;
}

static void release(const struct xg_route_cfg *cfg, struct xg_route_state *st, uint64_t now_ns,
		    struct xg_route_out *out)
{
	uint64_t at;
	int i;

	for (i = 0; i < st->n_slots; i++) {
		struct xg_route_slot *s = &st->slot[i];

		if (st->open && !s->notified && s->open_due_ns != NONE &&
		    releasable(cfg, st, s->open_due_ns, now_ns, &at, out)) {
			emit(cfg, st, s, XG_ROUTE_OPEN, at, out);
			s->notified = true;
			s->opened_ns = at;
			s->last_sent_ns = at;
			/* the open carries the latest state */
			s->update_pending = false;
		}
		if (st->open && s->notified && s->update_pending &&
		    releasable(cfg, st, s->update_due_ns, now_ns, &at, out)) {
			emit(cfg, st, s, XG_ROUTE_UPDATE, at, out);
			s->update_pending = false;
			s->last_sent_ns = at;
		}
		if (s->close_pending && releasable(cfg, st, s->close_due_ns, now_ns, &at, out)) {
			emit(cfg, st, s, XG_ROUTE_CLOSE, at, out);
			s->close_pending = false;
			s->closed = true;
			s->last_sent_ns = at;
		}
	}
}

static int order_of(const struct xg_route_cfg *cfg, const struct xg_route_action *a)
{
	int sink = sink_index(cfg, a->sink);

	/* a sink a reload removed goes after the configured ones */
	return sink >= 0 ? sink : XG_ROUTE_MAX_SINKS;
}

static bool before(const struct xg_route_cfg *cfg, const struct xg_route_action *a,
		   const struct xg_route_action *b)
{
	int oa, ob;

	if (a->not_before_ns != b->not_before_ns)
		return a->not_before_ns < b->not_before_ns;
	oa = order_of(cfg, a);
	ob = order_of(cfg, b);
	if (oa != ob)
		return oa < ob;
	if (oa == XG_ROUTE_MAX_SINKS && strcmp(a->sink, b->sink))
		return strcmp(a->sink, b->sink) < 0;
	return a->kind < b->kind;
}

/* Insertion sort: stable, so one sink's actions keep the order in which
 * they were decided; there are a few dozen at most. */
static void sort_out(const struct xg_route_cfg *cfg, struct xg_route_out *out)
{
	int i, j;

	for (i = 1; i < out->n; i++) {
		struct xg_route_action a = out->a[i];

		for (j = i; j > 0 && before(cfg, &a, &out->a[j - 1]); j--)
			out->a[j] = out->a[j - 1];
		out->a[j] = a;
	}
}

int xg_route_tick(const struct xg_route_cfg *cfg, struct xg_route_state *st, uint64_t now_ns,
		  struct xg_route_out *out)
{
	out->n = 0;
	out->held = 0;
	if (!st->active)
		return 0;
	release(cfg, st, now_ns, out);
	sort_out(cfg, out);
	return out->n;
}

static void set_ifaces(struct xg_route_state *st, const char *const *ifaces, int n)
{
	int i;

	st->n_ifaces = n;
	for (i = 0; i < n; i++)
		snprintf(st->ifaces[i], sizeof(st->ifaces[i]), "%.*s", XG_ROUTE_IFNAME_LEN - 1,
			 ifaces[i] ? ifaces[i] : "");
}

int xg_route_on_event(const struct xg_route_cfg *cfg, struct xg_route_state *st,
		      enum xg_route_kind kind, enum xg_route_sev sev, const char *const *ifaces,
		      int n_ifaces, uint64_t now_ns, struct xg_route_out *out)
{
	uint64_t coalesce = (uint64_t)cfg->coalesce_s * NS;
	enum xg_route_sev old_peak;
	int i;

	out->n = 0;
	out->held = 0;
	if ((unsigned)sev >= XG_ROUTE_SEV_MAX || n_ifaces < 0 || n_ifaces > XG_ROUTE_MAX_IFACES ||
	    (n_ifaces && !ifaces))
		return -1;
	switch (kind) {
	case XG_ROUTE_OPEN:
		if (st->active)
			return -1;
		xg_route_state_init(st);
		st->active = true;
		st->open = true;
		st->sev = st->peak = sev;
		st->rev = 1;
		st->open_ns = now_ns;
		set_ifaces(st, ifaces, n_ifaces);
		schedule(cfg, st, -1, sev, now_ns);
		break;
	case XG_ROUTE_UPDATE:
		if (!st->active || !st->open)
			return -1;
		/* what was due before this update goes out with the state it had */
		release(cfg, st, now_ns, out);
		st->rev++;
		st->sev = sev;
		set_ifaces(st, ifaces, n_ifaces);
		old_peak = st->peak;
		if (sev > st->peak) {
			st->peak = sev;
			schedule(cfg, st, (int)old_peak, sev, now_ns);
		}
		for (i = 0; i < st->n_slots; i++) {
			struct xg_route_slot *s = &st->slot[i];
			uint64_t due;

			/* a sink without the open gets the latest state with it */
			if (!s->notified || s->update_pending)
				continue;
			due = sat_add(s->last_sent_ns, coalesce);
			s->update_pending = true;
			s->update_due_ns = due > now_ns ? due : now_ns;
		}
		break;
	case XG_ROUTE_CLOSE:
		if (!st->active || !st->open)
			return -1;
		release(cfg, st, now_ns, out);
		st->rev++;
		st->sev = sev;
		set_ifaces(st, ifaces, n_ifaces);
		st->open = false;
		st->close_ns = now_ns;
		for (i = 0; i < st->n_slots; i++) {
			struct xg_route_slot *s = &st->slot[i];

			/* a step not yet due never will be; a waiting update
			 * is stale once the close says how it ended */
			s->open_due_ns = NONE;
			s->update_pending = false;
			if (s->notified && !s->closed) {
				s->close_pending = true;
				s->close_due_ns = now_ns;
			}
		}
		break;
	default:
		return -1;
	}
	/* the first release saw the same held actions, and some of them the
	 * close has just cancelled */
	out->held = 0;
	release(cfg, st, now_ns, out);
	sort_out(cfg, out);
	return out->n;
}

uint64_t xg_route_next_due(const struct xg_route_cfg *cfg, const struct xg_route_state *st)
{
	uint64_t next = NONE, t;
	int i;

	for (i = 0; st->active && i < st->n_slots; i++) {
		const struct xg_route_slot *s = &st->slot[i];

		if (st->open && !s->notified && s->open_due_ns != NONE) {
			t = release_time(cfg, st, s->open_due_ns);
			next = t < next ? t : next;
		}
		if (st->open && s->notified && s->update_pending) {
			t = release_time(cfg, st, s->update_due_ns);
			next = t < next ? t : next;
		}
		if (s->close_pending) {
			t = release_time(cfg, st, s->close_due_ns);
			next = t < next ? t : next;
		}
	}
	return next;
}

bool xg_route_done(const struct xg_route_state *st)
{
	int i;

	if (!st->active || st->open)
		return false;
	for (i = 0; i < st->n_slots; i++)
		if (st->slot[i].close_pending)
			return false;
	return true;
}

/* ---- checking a configuration ---- */

struct chk {
	char *path;
	size_t pathlen;
	char *why;
	size_t whylen;
};

static int chk_fail(const struct chk *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int chk_fail(const struct chk *c, const char *path, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (c->path && c->pathlen)
		snprintf(c->path, c->pathlen, "%s", path);
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return why_fail(c->why, c->whylen, "%s", buf);
}

/* A name as a message shows it: bounded, even when unterminated. */
#define NAME_ARG(s) (int)strnlen((s), XG_ROUTE_NAME_LEN), (s)

static bool name_ok(const char *s)
{
	size_t n = strnlen(s, XG_ROUTE_NAME_LEN), i;

	if (!n || n >= XG_ROUTE_NAME_LEN)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
			return false;
	return true;
}

static bool ifname_ok(const char *s)
{
	size_t n = strnlen(s, XG_ROUTE_IFNAME_LEN), i;

	/* as the kernel's dev_valid_name() */
	if (!n || n >= XG_ROUTE_IFNAME_LEN || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == ':' || isspace((unsigned char)s[i]) ||
		    (unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static int check_count(const struct chk *c, const char *path, int n, int max)
{
	if (n < 0 || n > max)
		return chk_fail(c, path, "at most %d, got %d", max, n);
	return 0;
}

static int check_sinks(const struct chk *c, const struct xg_route_cfg *cfg, const char *pre)
{
	char p[160];
	int i, j;

	snprintf(p, sizeof(p), "%ssinks", pre);
	if (check_count(c, p, cfg->n_sinks, XG_ROUTE_MAX_SINKS))
		return -1;
	for (i = 0; i < cfg->n_sinks; i++) {
		const struct xg_route_sink *k = &cfg->sinks[i];

		snprintf(p, sizeof(p), "%ssinks[%d].name", pre, i);
		if (!name_ok(k->name))
			return chk_fail(c, p,
					"must be 1-%d characters A-Z a-z 0-9 _ - ., got \"%.*s\"",
					XG_ROUTE_NAME_LEN - 1, NAME_ARG(k->name));
		for (j = 0; j < i; j++)
			if (!strcmp(cfg->sinks[j].name, k->name))
				return chk_fail(c, p, "duplicate sink \"%s\" (also %ssinks[%d])",
						k->name, pre, j);
		snprintf(p, sizeof(p), "%ssinks[%d].type", pre, i);
		if ((unsigned)k->type >= XG_ROUTE_SINK_MAX)
			return chk_fail(c, p,
					"must be one of webhook, pagerduty, slack, discord, "
					"opsgenie, email, syslog");
	}
	return 0;
}

static int check_policies(const struct chk *c, const struct xg_route_cfg *cfg, const char *pre)
{
	char p[200];
	int i, j, k;

	snprintf(p, sizeof(p), "%spolicies", pre);
	if (check_count(c, p, cfg->n_policies, XG_ROUTE_MAX_POLICIES))
		return -1;
	for (i = 0; i < cfg->n_policies; i++) {
		const struct xg_route_policy *pol = &cfg->policies[i];

		snprintf(p, sizeof(p), "%spolicies[%d].name", pre, i);
		if (!name_ok(pol->name))
			return chk_fail(c, p,
					"must be 1-%d characters A-Z a-z 0-9 _ - ., got \"%.*s\"",
					XG_ROUTE_NAME_LEN - 1, NAME_ARG(pol->name));
		for (j = 0; j < i; j++)
			if (!strcmp(cfg->policies[j].name, pol->name))
				return chk_fail(c, p,
						"duplicate policy \"%s\" (also %spolicies[%d])",
						pol->name, pre, j);
		snprintf(p, sizeof(p), "%spolicies[%d].steps", pre, i);
		if (!pol->n_steps)
			return chk_fail(c, p, "policy \"%s\" needs at least one step", pol->name);
		if (check_count(c, p, pol->n_steps, XG_ROUTE_MAX_STEPS))
			return -1;
		for (k = 0; k < pol->n_steps; k++) {
			const struct xg_route_step *st = &pol->steps[k];

			snprintf(p, sizeof(p), "%spolicies[%d].steps[%d].delay_s", pre, i, k);
			if (st->delay_s > XG_ROUTE_MAX_DELAY_S)
				return chk_fail(c, p, "must be 0-%d, got %u", XG_ROUTE_MAX_DELAY_S,
						st->delay_s);
			/* steps read as an escalation: in the order they fire */
			if (k && st->delay_s < pol->steps[k - 1].delay_s)
				return chk_fail(c, p,
						"%u is less than the step before it (%u): steps "
						"go in the order they fire",
						st->delay_s, pol->steps[k - 1].delay_s);
			snprintf(p, sizeof(p), "%spolicies[%d].steps[%d].sinks", pre, i, k);
			if (!st->n_sinks)
				return chk_fail(c, p, "a step needs at least one sink");
			if (check_count(c, p, st->n_sinks, XG_ROUTE_MAX_STEP_SINKS))
				return -1;
			for (j = 0; j < st->n_sinks; j++) {
				const char *name = st->sinks[j];
				int k2, j2;

				snprintf(p, sizeof(p), "%spolicies[%d].steps[%d].sinks[%d]", pre, i,
					 k, j);
				if (sink_index(cfg, name) < 0)
					return chk_fail(c, p,
							"unknown sink \"%.*s\" (not in %ssinks)",
							NAME_ARG(name), pre);
				/* a later mention would never fire: the sink
				 * already has the open by then */
				for (k2 = 0; k2 <= k; k2++)
					for (j2 = 0; j2 < (k2 < k ? pol->steps[k2].n_sinks : j);
					     j2++)
						if (!strcmp(pol->steps[k2].sinks[j2], name))
							return chk_fail(c, p,
									"sink \"%s\" is already in "
									"steps[%d]",
									name, k2);
			}
		}
	}
	return 0;
}

static int check_routes(const struct chk *c, const struct xg_route_cfg *cfg, const char *pre)
{
	char p[160];
	int i;

	snprintf(p, sizeof(p), "%sroutes", pre);
	if (check_count(c, p, cfg->n_routes, XG_ROUTE_MAX_ROUTES))
		return -1;
	for (i = 0; i < cfg->n_routes; i++) {
		const struct xg_route_rule *r = &cfg->routes[i];

		snprintf(p, sizeof(p), "%sroutes[%d].min_severity", pre, i);
		if ((unsigned)r->min_severity >= XG_ROUTE_SEV_MAX)
			return chk_fail(c, p, "must be one of info, warning, error, critical");
		snprintf(p, sizeof(p), "%sroutes[%d].policy", pre, i);
		if (!find_policy(cfg, r->policy))
			return chk_fail(c, p, "no policy named \"%.*s\" (in %spolicies)",
					NAME_ARG(r->policy), pre);
	}
	return 0;
}

static int check_windows(const struct chk *c, const struct xg_route_cfg *cfg, const char *pre)
{
	char p[160];
	int i, j, k;

	snprintf(p, sizeof(p), "%smaintenance", pre);
	if (check_count(c, p, cfg->n_windows, XG_ROUTE_MAX_WINDOWS))
		return -1;
	for (i = 0; i < cfg->n_windows; i++) {
		const struct xg_route_window *w = &cfg->windows[i];

		if (w->kind == XG_ROUTE_WIN_ONCE) {
			snprintf(p, sizeof(p), "%smaintenance[%d].start", pre, i);
			if (w->start_s < 0)
				return chk_fail(c, p, "must be a Unix time (UTC seconds), got %lld",
						(long long)w->start_s);
			snprintf(p, sizeof(p), "%smaintenance[%d].end", pre, i);
			if (w->end_s <= w->start_s)
				return chk_fail(c, p, "must be after start (%lld), got %lld",
						(long long)w->start_s, (long long)w->end_s);
		} else if (w->kind == XG_ROUTE_WIN_WEEKLY) {
			snprintf(p, sizeof(p), "%smaintenance[%d].weekly", pre, i);
			if (w->week_start_s >= XG_ROUTE_WEEK_S || !w->week_len_s ||
			    w->week_len_s >= XG_ROUTE_WEEK_S)
				return chk_fail(c, p,
						"must start within the week and last from a "
						"second to under a week");
		} else {
			snprintf(p, sizeof(p), "%smaintenance[%d]", pre, i);
			return chk_fail(c, p, "needs \"start\" and \"end\", or \"weekly\"");
		}
		snprintf(p, sizeof(p), "%smaintenance[%d].interfaces", pre, i);
		if (check_count(c, p, w->n_ifaces, XG_ROUTE_MAX_IFACES))
			return -1;
		for (j = 0; j < w->n_ifaces; j++) {
			snprintf(p, sizeof(p), "%smaintenance[%d].interfaces[%d]", pre, i, j);
			if (!ifname_ok(w->ifaces[j]))
				return chk_fail(c, p,
						"invalid interface name \"%.*s\": 1-15 characters, "
						"no '/', ':' or spaces",
						(int)strnlen(w->ifaces[j], XG_ROUTE_IFNAME_LEN),
						w->ifaces[j]);
			for (k = 0; k < j; k++)
				if (!strcmp(w->ifaces[k], w->ifaces[j]))
					return chk_fail(c, p,
							"duplicate interface \"%s\" (also "
							"interfaces[%d])",
							w->ifaces[j], k);
		}
	}
	return 0;
}

int xg_route_cfg_check(const struct xg_route_cfg *cfg, const char *prefix, char *path,
		       size_t pathlen, char *why, size_t whylen)
{
	const struct chk c = {path, pathlen, why, whylen};
	char pre[96], p[160];

	if (path && pathlen)
		path[0] = '\0';
	if (why && whylen)
		why[0] = '\0';
	/* "alerts." before every key, or nothing */
	snprintf(pre, sizeof(pre), "%s%s", prefix ? prefix : "", prefix && *prefix ? "." : "");
	snprintf(p, sizeof(p), "%scoalesce_s", pre);
	if (cfg->coalesce_s > XG_ROUTE_MAX_COALESCE_S)
		return chk_fail(&c, p, "must be 0-%d, got %u", XG_ROUTE_MAX_COALESCE_S,
				cfg->coalesce_s);
	/* sinks first: policies name them, routes name policies */
	if (check_sinks(&c, cfg, pre) || check_policies(&c, cfg, pre) ||
	    check_routes(&c, cfg, pre) || check_windows(&c, cfg, pre))
		return -1;
	return 0;
}
