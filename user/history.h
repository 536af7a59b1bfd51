/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Traffic and availability history for the status page and the API: the
 * last 24 hours of traffic in 5-minute buckets (peak pps and bps, per
 * service and for all traffic) and the last 30 days of availability per
 * service (seconds operational, elevated, under attack). Updated by the tick
 * thread, read by the HTTP thread (its own mutex), kept in STATE_DIR/
 * history.json (written to a temp file then renamed) so a restart keeps it.
 * The clock is the caller's (CLOCK_REALTIME nanoseconds).
 *
 * A service is "attack" while an open incident targets it (the incident's
 * service, or every service for "any"), "elevated" while its rate is over
 * half its threshold, else "operational".
 */
#ifndef XG_HISTORY_H
#define XG_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "obs.h"

enum xg_svc_state {
	XG_STATE_OPERATIONAL = 0,
	XG_STATE_ELEVATED,
	XG_STATE_ATTACK,
};

/* "operational", "elevated", "attack" */
const char *xg_svc_state_name(enum xg_svc_state s);

/* The services the page shows: "all", "sip-udp", "sip-tcp", "sip-tls",
 * "rtp" (index 0..XG_HIST_SERVICES-1). */
#define XG_HIST_SERVICES 5
const char *xg_history_service(int i);

/* The state of service i in the published state o. */
enum xg_svc_state xg_history_state(const struct xg_obs *o, int i);

struct xg_history;

/* Loads path when it exists. A file that cannot be read or is damaged is
 * not an error: the history starts empty, err says why and 0 is returned
 * (err is "" otherwise). -ENOMEM. A NULL path keeps the history in memory
 * only (xg_history_save does nothing). */
int xg_history_open(struct xg_history **h, const char *path, char *err, size_t errlen);
void xg_history_close(struct xg_history *h);

/* One tick of interval_s seconds ending at now_ns: the peaks of its
 * 5-minute bucket and interval_s seconds (at most 300) of its state in the
 * day (UTC). A tick without rates (!o->have_snap) records nothing: time
 * nobody recorded is "no data", never "operational". */
void xg_history_add(struct xg_history *h, const struct xg_obs *o, double interval_s,
		    uint64_t now_ns);

/* Writes the file (call every minute or so, and at exit). */
int xg_history_save(struct xg_history *h, char *err, size_t errlen);

/* {"traffic": {"bucket_s": 300, "start": T, "services": {"all": [{"t": T,
 * "pps": X, "bps": Y, "state": "..."}, ... 288]}}, "availability": {"days":
 * 30, "services": {"sip-udp": [{"day": "2026-11-22", "operational_s": N,
 * "elevated_s": N, "attack_s": N, "availability": 0.999}, ... 30]}}}
 * Oldest first, the last bucket and day being now's; every service in both.
 * A bucket nothing was recorded in has "state": "nodata" and null pps and
 * bps; availability is (operational + elevated) / recorded seconds, null
 * for a day without any. */
struct json_object *xg_history_json(struct xg_history *h, uint64_t now_ns);

#endif /* XG_HISTORY_H */
