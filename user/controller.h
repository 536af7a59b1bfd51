/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The path of one tick: collect, baseline, detect, classify, record. The
 * same controller runs in the daemon (wall clock, pinned maps) and in
 * replay (capture clock, private maps); it learns nothing about which.
 */
#ifndef XG_CONTROLLER_H
#define XG_CONTROLLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "apply.h"
#include "baseline.h"
#include "clock.h"
#include "collector.h"
#include "config.h"
#include "detect.h"
#include "events.h"
#include "maps.h"
#include "peers.h"
#include "snapshot.h"

struct xg_controller {
	struct xg_cfg cfg;
	const struct xg_maps *maps;
	const struct xg_clock *clock;
	struct xg_event_sink sink;
	bool persist;	  /* write the state dir (baselines, peers, journal) */
	bool lock_config; /* take the xdpctl lock around config writes (shared maps) */

	struct xg_collector col;
	struct xg_applier apply;
	double peace_unknown_pps[XG_SVC_MAX]; /* per service, outside incidents */
	uint64_t last_peer_sync_ns;
	struct xg_peers peers;
	struct xg_baseline *base;
	struct xg_detector det;
	struct xg_snapshot snap; /* the last tick's */
	double thr[XG_M_MAX];	 /* the last tick's thresholds */
	bool have_snap;
	bool learn_paused;
	bool was_learning;
	int64_t learn_refill;	/* the budget each CPU got at the last tick */
	uint64_t learn_v6_seen; /* xg_learn's touched_v6 at the last walk */

	uint64_t ticks;
	uint64_t last_save_ns;
	uint64_t surges;
};

/* Loads the saved state (baselines, peers, incident sequence) from the
 * state dir when persist is set. */
int xg_controller_init(struct xg_controller *c, const struct xg_cfg *cfg,
		       const struct xg_maps *maps, const struct xg_clock *clock,
		       struct xg_event_sink sink, bool persist, char *err, size_t errlen);

/* Writes the data-plane side of cfg (service ports, sampling, monitor-only)
 * into the maps and makes cfg the controller's config. */
int xg_controller_apply(struct xg_controller *c, const struct xg_cfg *cfg, char *err,
			size_t errlen);

/* One tick at the clock's time. */
int xg_controller_tick(struct xg_controller *c, char *err, size_t errlen);

/* Saves baselines, peers and the incident sequence (persist only). */
int xg_controller_save(struct xg_controller *c, char *err, size_t errlen);

/* Closes an open incident as of now (shutdown), journaled. */
void xg_controller_close_open(struct xg_controller *c, const char *why);

void xg_controller_free(struct xg_controller *c);

#endif
