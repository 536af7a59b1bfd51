/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Alert routing: which sink hears what about an incident, and when. Pure:
 * the configuration and the per-incident state are the caller's, time comes
 * in as an argument, and nothing is sent from here. The caller queues each
 * action (alertq) and renders it from the incident (alert_payload).
 *
 * Time is Unix ns (xg_clock), because maintenance windows are UTC
 * wall-clock times.
 *
 * The rules:
 * - An incident goes to every route whose min_severity is at or under its
 *   severity. Routing follows the peak severity: a route that matched once
 *   keeps its escalation going after the severity falls. A rise in
 *   severity adds the routes that now match, their step delays counted from
 *   the rise.
 * - A route names a policy: steps, each a delay after the open (or the rise)
 *   and sinks. A sink gets the open when its earliest step is due, and only
 *   while the incident is still open; a sink in several steps or routes is
 *   notified once.
 * - Updates go only to sinks that got the open, at most one per sink per
 *   coalesce_s: an update less than coalesce_s after the last message to
 *   the sink waits for the end of that window, and any later updates join
 *   it. Actions carry the incident's revision and severity at the time they
 *   go out, so the latest state wins.
 * - A close goes to every sink that got the open, and drops a waiting
 *   update. A sink whose open was not yet due gets nothing.
 * - Maintenance windows (one-off or weekly, global or per interface) hold
 *   back every action that falls due while every interface of the incident
 *   is in a window (an incident with no interfaces: while a global window is
 *   on). Held, not lost: what still matters when the window ends goes out
 *   then: the close to a sink that got the open (so PagerDuty or OpsGenie
 *   resolve), the open and its due steps when the incident is still open,
 *   one update with the latest state. An incident that opens and closes
 *   inside a window sends nothing, and needs nothing closed.
 * - Output is deterministic: sorted by time due, then by the sink's place
 *   in cfg->sinks, then open < update < close.
 */
#ifndef XG_ALERT_ROUTE_H
#define XG_ALERT_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XG_ROUTE_NAME_LEN	32 /* sink and policy names, with the NUL */
#define XG_ROUTE_IFNAME_LEN	16 /* IFNAMSIZ */
#define XG_ROUTE_MAX_SINKS	16
#define XG_ROUTE_MAX_ROUTES	16
#define XG_ROUTE_MAX_POLICIES	8
#define XG_ROUTE_MAX_STEPS	8
#define XG_ROUTE_MAX_STEP_SINKS 8
#define XG_ROUTE_MAX_WINDOWS	16
#define XG_ROUTE_MAX_IFACES	16 /* per window and per incident */
#define XG_ROUTE_MAX_DELAY_S	86400
#define XG_ROUTE_MAX_COALESCE_S 3600
#define XG_ROUTE_WEEK_S		604800
/* Slots per incident: twice the sinks, so sinks notified before a config
 * reload still get their close while the new config's sinks are scheduled. */
#define XG_ROUTE_MAX_SLOTS (2 * XG_ROUTE_MAX_SINKS)
/* One call emits at most two actions per slot (open or update, then an
 * update or the close), so an xg_route_out never overflows. */
#define XG_ROUTE_MAX_OUT (2 * XG_ROUTE_MAX_SLOTS)

enum xg_route_sev {
	XG_ROUTE_SEV_INFO,
	XG_ROUTE_SEV_WARNING,
	XG_ROUTE_SEV_ERROR,
	XG_ROUTE_SEV_CRITICAL,
	XG_ROUTE_SEV_MAX,
};

enum xg_route_sink_type {
	XG_ROUTE_SINK_WEBHOOK,
	XG_ROUTE_SINK_PAGERDUTY,
	XG_ROUTE_SINK_SLACK,
	XG_ROUTE_SINK_DISCORD,
	XG_ROUTE_SINK_OPSGENIE,
	XG_ROUTE_SINK_EMAIL,
	XG_ROUTE_SINK_SYSLOG,
	XG_ROUTE_SINK_MAX,
};

/* What happened to the incident (input) and what a sink is told (output). */
enum xg_route_kind {
	XG_ROUTE_OPEN,
	XG_ROUTE_UPDATE,
	XG_ROUTE_CLOSE,
};

struct xg_route_sink {
	char name[XG_ROUTE_NAME_LEN]; /* 1-31 of A-Z a-z 0-9 _ - ., unique */
	enum xg_route_sink_type type;
};

struct xg_route_rule {
	enum xg_route_sev min_severity;
	char policy[XG_ROUTE_NAME_LEN];
};

struct xg_route_step {
	uint32_t delay_s; /* after the open, 0-86400; not less than the step before */
	int n_sinks;
	char sinks[XG_ROUTE_MAX_STEP_SINKS][XG_ROUTE_NAME_LEN];
};

struct xg_route_policy {
	char name[XG_ROUTE_NAME_LEN];
	int n_steps;
	struct xg_route_step steps[XG_ROUTE_MAX_STEPS];
};

enum xg_route_window_kind {
	XG_ROUTE_WIN_ONCE,   /* [start_s, end_s) */
	XG_ROUTE_WIN_WEEKLY, /* every week, from week_start_s for week_len_s */
};

struct xg_route_window {
	enum xg_route_window_kind kind;
	int64_t start_s, end_s; /* ONCE: Unix seconds (UTC) */
	uint32_t week_start_s;	/* WEEKLY: seconds after Monday 00:00 UTC */
	uint32_t week_len_s;	/* WEEKLY: 1 to a week less a second */
	int n_ifaces;		/* 0: every interface */
	char ifaces[XG_ROUTE_MAX_IFACES][XG_ROUTE_IFNAME_LEN];
};

struct xg_route_cfg {
	uint32_t coalesce_s; /* at most one update per incident per sink per this (30) */
	int n_sinks;
	struct xg_route_sink sinks[XG_ROUTE_MAX_SINKS];
	int n_routes;
	struct xg_route_rule routes[XG_ROUTE_MAX_ROUTES];
	int n_policies;
	struct xg_route_policy policies[XG_ROUTE_MAX_POLICIES];
	int n_windows;
	struct xg_route_window windows[XG_ROUTE_MAX_WINDOWS];
};

/* One sink's view of one incident. Times are Unix ns. */
struct xg_route_slot {
	char sink[XG_ROUTE_NAME_LEN];
	enum xg_route_sink_type type; /* kept for a sink a reload removed */
	bool notified;		      /* the open went out */
	bool closed;		      /* the close went out */
	bool update_pending;
	bool close_pending;
	uint64_t open_due_ns; /* UINT64_MAX: no step names this sink (yet) */
	uint64_t opened_ns;   /* when the open went out */
	uint64_t last_sent_ns;
	uint64_t update_due_ns;
	uint64_t close_due_ns;
};

/* Per incident, plain data (no pointers): it may be saved and restored.
 * Keep it until xg_route_done(): a close held by maintenance outlives the
 * incident. */
struct xg_route_state {
	bool active;		/* the open was seen */
	bool open;		/* and the close not yet */
	enum xg_route_sev sev;	/* the latest */
	enum xg_route_sev peak; /* what routing follows */
	uint32_t rev;		/* events seen, the open is 1 */
	uint64_t open_ns, close_ns;
	int n_ifaces; /* the latest event's interfaces; 0: none known */
	char ifaces[XG_ROUTE_MAX_IFACES][XG_ROUTE_IFNAME_LEN];
	int n_slots;
	struct xg_route_slot slot[XG_ROUTE_MAX_SLOTS];
};

struct xg_route_action {
	char sink[XG_ROUTE_NAME_LEN];
	enum xg_route_sink_type type;
	enum xg_route_kind kind;
	/* When it fell due: never after the call's now_ns, earlier when the
	 * caller ticked late; the time the message should carry. */
	uint64_t not_before_ns;
	enum xg_route_sev severity; /* the incident's latest */
	uint32_t rev;		    /* the incident's revision the message reflects */
};

struct xg_route_out {
	int n;
	int held; /* actions due but held back by maintenance (for the log) */
	struct xg_route_action a[XG_ROUTE_MAX_OUT];
};

/* No sinks, routes, policies or windows (nothing is alerted); coalesce_s 30. */
void xg_route_cfg_defaults(struct xg_route_cfg *cfg);

/*
 * Checks cfg as a whole: names, types and ranges, a route naming a policy
 * that does not exist, a step naming an unknown sink, windows. On error
 * returns -1 with the key path in path (prefix, then ".policies[1].steps[0]
 * .sinks[2]", matching the JSON layout in config/README.md) and the reason
 * in why, one line each, for config.c's "FILE:LINE: KEY.PATH: reason".
 */
int xg_route_cfg_check(const struct xg_route_cfg *cfg, const char *prefix, char *path,
		       size_t pathlen, char *why, size_t whylen);

const char *xg_route_sev_name(enum xg_route_sev sev);
/* "info", "warning", "error", "critical": 0, or -1. */
int xg_route_sev_parse(const char *s, enum xg_route_sev *out);
const char *xg_route_sink_type_name(enum xg_route_sink_type type);
/* "webhook", "pagerduty", "slack", "discord", "opsgenie", "email", "syslog". */
int xg_route_sink_type_parse(const char *s, enum xg_route_sink_type *out);

/*
 * A weekly window in UTC: "Sun 02:00-04:00"; an end before the start is the
 * next day ("Sat 23:00-01:00"); with a day before the end it may span days
 * ("Fri 22:00-Mon 06:00"). Days Mon-Sun (any case), times HH:MM, 24:00 as an
 * end. Sets w's kind and week fields; its interfaces are left as they are.
 * Returns 0, or -1 with the reason in why.
 */
int xg_route_weekly_parse(const char *spec, struct xg_route_window *w, char *why, size_t whylen);

/* The spec of a weekly window, as xg_route_weekly_parse reads it back.
 * Returns what snprintf returns. */
int xg_route_weekly_format(const struct xg_route_window *w, char *buf, size_t len);

/* The window is on at t. */
bool xg_route_window_active(const struct xg_route_window *w, uint64_t t_ns);

/* The first time at or after t when the incident on these interfaces (none:
 * only global windows count) is out of every window: t when it is not in
 * one now, UINT64_MAX when windows cover all time. */
uint64_t xg_route_maintenance_until(const struct xg_route_cfg *cfg, const char *const *ifaces,
				    int n_ifaces, uint64_t t_ns);

void xg_route_state_init(struct xg_route_state *st);

/*
 * An incident event at now_ns: XG_ROUTE_OPEN once, then any UPDATEs, then
 * one CLOSE, each with the incident's severity and its interfaces (kept for
 * the ticks that follow). First releases what fell due up to now_ns, as
 * xg_route_tick would, so the result does not depend on how often the
 * caller ticks. Fills out (from empty) and returns out->n; -1 with out
 * empty and st untouched for an event out of that order or a bad argument.
 */
int xg_route_on_event(const struct xg_route_cfg *cfg, struct xg_route_state *st,
		      enum xg_route_kind kind, enum xg_route_sev sev, const char *const *ifaces,
		      int n_ifaces, uint64_t now_ns, struct xg_route_out *out);

/* Releases escalation steps, coalesced updates and held actions due by
 * now_ns. Fills out (from empty) and returns out->n. */
int xg_route_tick(const struct xg_route_cfg *cfg, struct xg_route_state *st, uint64_t now_ns,
		  struct xg_route_out *out);

/* When the next tick would emit something (it may be in the past), or
 * UINT64_MAX when nothing is pending. */
uint64_t xg_route_next_due(const struct xg_route_cfg *cfg, const struct xg_route_state *st);

/* The incident is closed and every close has gone out: st may be dropped. */
bool xg_route_done(const struct xg_route_state *st);

#endif
