/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Turns the maps into one snapshot per tick: counter deltas (batch reads, a
 * cost that does not depend on traffic), the sampled talker and victim maps
 * (read and emptied each tick, so what they hold is this tick's samples),
 * and what the peer store knows about the sources.
 */
#ifndef XG_COLLECTOR_H
#define XG_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "counters.h"
#include "maps.h"
#include "peers.h"
#include "snapshot.h"

struct xg_collector {
	const struct xg_maps *maps;
	struct xg_counters *prev;
	struct xg_counters *cur;
	struct xg_stats delta; /* ports are compared in place, not copied */
	uint64_t prev_ns;      /* controller clock at the previous read */
	bool primed;
	uint32_t sample_rate;		  /* 1 in N packets sampled into the talker maps */
	uint32_t watched[XG_WATCHED_MAX]; /* XG_PORT_KEYs reported every tick */
	int n_watched;
};

int xg_collector_init(struct xg_collector *c, const struct xg_maps *m, char *err, size_t errlen);
void xg_collector_free(struct xg_collector *c);

/* Reads everything at now_ns. The first call only primes the deltas and
 * returns 1; afterwards 0 with a snapshot, or a negative errno. */
int xg_collector_collect(struct xg_collector *c, uint64_t now_ns, const struct xg_peers *peers,
			 struct xg_snapshot *out);

/* Empties the talker and victim maps (after a gap, so old samples are not
 * read as this tick's). */
void xg_collector_reset_samples(struct xg_collector *c);

#endif
