/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The alerter: incidents in, notifications out, none lost. It ties the
 * pieces together:
 *
 *   controller events -> routing (alert_route, per incident)
 *     -> rendering (alert_deliver) -> durable queue (alertq)
 *     -> one worker thread per sink -> transport (alert_send)
 *
 * The controller's thread calls xg_alerter_on_event() for each event and
 * xg_alerter_tick() once per tick; both only touch memory and the local
 * disk (one fdatasync per tick with something to queue), never the network:
 * sending is the workers'. A worker leases its sink's oldest due event,
 * tries it once, and acks it, schedules a retry with backoff (honouring
 * Retry-After), or drops it on a permanent failure (logged).
 *
 * In dir (the daemon uses STATE_DIR/alerts):
 *   queue/          the durable queue (alertq)
 *   incidents.json  routing state of incidents still being notified, so a
 *                   restart resolves what it paged and keeps escalations
 *   status.json     queue depth and per-sink results, for
 *                   'xdpctl alerts status' (the queue itself is locked)
 *   spool/          requests from 'xdpctl alerts test' while the daemon runs
 */
#ifndef XG_ALERTER_H
#define XG_ALERTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "alert_cfg.h"
#include "alertq.h"

struct xg_alerter;

struct xg_alerter_opts {
	const char *dir;
	/* One line, from any thread; level "error", "warn" or "info". */
	void (*log)(void *arg, const char *level, const char *msg);
	void *log_arg;
	bool no_workers; /* queue but do not send (tests, benchmarks) */
};

#define XG_ALERTER_STATUS_FILE "status.json"
#define XG_ALERTER_SPOOL_DIR   "spool"
#define XG_ALERTER_TEST_PREFIX "test-"
#define XG_ALERTER_DRAIN_MS    2000 /* close waits this long for the queue to empty */

/* Opens the queue (taking it: a second alerter on dir fails with -EBUSY),
 * restores incidents still being notified, and closes those that were
 * open (the controller that opened them is gone), then starts the workers.
 * cfg is copied. 0 or -errno with err set. */
int xg_alerter_open(struct xg_alerter **out, const struct xg_alerts_cfg *cfg,
		    const struct xg_alerter_opts *o, uint64_t now_ns, char *err, size_t errlen);

/* A new configuration: the workers are stopped (each finishes its attempt),
 * cfg copied, the workers started again. Incidents keep their routing
 * state; events queued for a sink that is gone stay queued (and show in
 * the status) until a sink of that name returns. */
void xg_alerter_reload(struct xg_alerter *a, const struct xg_alerts_cfg *cfg);

/* A controller event (incident_open, incident_update, incident_close,
 * mitigation; others are ignored) with its JSON, borrowed. ifaces are the
 * interfaces the incident is on (for maintenance windows). */
void xg_alerter_on_event(struct xg_alerter *a, const char *event, uint64_t now_ns,
			 struct json_object *obj, const char *const *ifaces, int n_ifaces);

/* Queues what this tick's events and the escalation steps that fell due
 * produced, runs 'xdpctl alerts test' requests, writes status.json. */
void xg_alerter_tick(struct xg_alerter *a, uint64_t now_ns);

/* Queues a test event for sink under id (which must start with
 * XG_ALERTER_TEST_PREFIX); its outcome shows in status.json's "tests".
 * 0, or -ENOENT (no such sink) / -EINVAL / the queue's error, with err. */
int xg_alerter_test(struct xg_alerter *a, const char *sink, const char *id, uint64_t now_ns,
		    char *err, size_t errlen);

/* The queue's numbers as status.json's "queue" has them (one reference). */
struct json_object *xg_alerter_queue_json(const struct xg_alertq_stats *s);

/* The status as status.json has it (one reference). */
struct json_object *xg_alerter_status(struct xg_alerter *a, uint64_t now_ns);

/* Flushes, lets the workers drain for up to XG_ALERTER_DRAIN_MS, stops
 * them and closes the queue; what is left stays queued for the next run. */
void xg_alerter_close(struct xg_alerter *a, uint64_t now_ns);

/* The event to render for a route action: builds top sources and
 * mitigation lines from the incident JSON; strings point into bufs. */
struct xg_alert_lines {
	int n_src, n_mit;
	char src[8][96];
	char mit[16][160];
	const char *src_p[8];
	const char *mit_p[16];
};

/* "203.0.113.7 (41.0 kpps)" lines from an incident's "top_sources". */
void xg_alert_top_sources(struct json_object *inc, struct xg_alert_lines *l);

#endif
