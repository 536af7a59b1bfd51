/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Applying mitigation: turns the planner's steps into map entries with a
 * TTL, extends them while the attack lasts, withdraws them once the
 * incident has closed and the TTL has passed, and keeps the safety rules:
 * caps on entries and inserts per minute, a cooldown against flapping,
 * never the node's own addresses or a preserved peer, dry-run, monitor-only
 * while learning, and a collateral check that rolls a step back when
 * preserved-peer traffic collapses after it. Also keeps the learned peers
 * and the config's allowlist in the XDP allowlist.
 */
#ifndef XG_APPLY_H
#define XG_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uthash.h>

#include "config.h"
#include "events.h"
#include "maps.h"
#include "peers.h"
#include "planner.h"

#define XG_OWN_ADDRS_MAX 64

struct xg_active {
	char key[80]; /* kind and target */
	struct xg_step step;
	uint64_t first_ns;
	uint64_t expires_ns; /* controller clock */
	char incident[40];
	UT_hash_handle hh;
};

struct xg_recent {
	char key[80];
	uint64_t until_ns; /* not re-added before this */
	UT_hash_handle hh;
};

struct xg_learned {
	uint8_t key[17];
	struct xg_cidr addr;
	UT_hash_handle hh;
};

struct xg_applier {
	const struct xg_maps *maps;
	struct xg_event_sink sink;
	const char *state_dir; /* journal mitigation events when set */
	bool lock_config;
	struct xg_active *active;
	size_t n_active;
	struct xg_recent *recent;
	struct xg_learned *learned; /* learned peers we put in the allowlist */
	size_t n_learned;
	struct xg_cidr own[XG_OWN_ADDRS_MAX]; /* the node's addresses: never blocked */
	int n_own;
	const struct xg_mitigation_cfg *cfg;
	uint64_t minute_ns;	/* start of the current insert-rate minute */
	uint32_t inserts;	/* in that minute */
	double peer_normal_pps; /* preserved-peer traffic outside incidents (EWMA) */
	uint64_t last_new_ns;	/* when the last new step went in */
	uint64_t steps_applied, steps_refused, rollbacks;
};

void xg_apply_init(struct xg_applier *a, const struct xg_maps *m, struct xg_event_sink sink);
void xg_apply_free(struct xg_applier *a);

/* The BLOCK steps in force for incident (whatever tick planned them: a
 * blocked source no longer shows among the top sources), for escalation to
 * BGP. Returns their number. */
int xg_apply_blocks(const struct xg_applier *a, const char *incident, struct xg_plan *out);

/* Puts the config's allowlist in the XDP allowlist (origin config) and
 * records the node's own addresses (from the running namespace). */
int xg_apply_configure(struct xg_applier *a, const struct xg_mitigation_cfg *cfg, char *err,
		       size_t errlen);

/* Reads the node's addresses with getifaddrs(). */
void xg_apply_own_addresses(struct xg_applier *a);

/*
 * One tick: plan and apply for the open incident (inc NULL when none),
 * extend what is still needed, withdraw what has expired, check for
 * collateral damage. monitor_only (learning, or an incident that is not an
 * attack) plans and reports but applies nothing.
 */
void xg_apply_tick(struct xg_applier *a, const struct xg_incident *inc, const struct xg_snapshot *s,
		   const struct xg_peers *peers, const double peace_unknown_pps[XG_SVC_MAX],
		   uint64_t now_ns, bool monitor_only);

/* Mirrors the known peers into the XDP allowlist (origin learned): adds the
 * new ones up to max_peers, removes the forgotten ones. */
int xg_apply_sync_peers(struct xg_applier *a, const struct xg_peers *peers, uint64_t mono_ns);

#endif
