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
	struct xg_counters *cur; /* the totals at the last read, ports included */
	struct xg_stats prev_st; /* the hot counters at the read before */
	struct xg_stats delta;	 /* ports are compared in place, not copied */
	uint64_t prev_ns;	 /* controller clock at the previous read */
	bool primed;
	uint32_t sample_rate;		  /* 1 in N packets sampled into the talker maps */
	uint32_t watched[XG_WATCHED_MAX]; /* XG_PORT_KEYs reported every tick */
	int n_watched;
};

/* One sampled address of a talker or victim map, and its samples. */
struct xg_talker_sample {
	struct xg_cidr addr;
	uint64_t samples;
	uint64_t bytes;
};

struct xg_talker_set {
	struct xg_talker_sample *v; /* malloc'd; the caller frees */
	size_t n, cap;
	uint64_t total; /* samples */
};

/* Appends every entry of a talker or victim map (fd, AF_INET or AF_INET6)
 * to out. drain empties the map as it reads (lookup-and-delete is atomic
 * per element, so each sample lands in exactly one reader's set): the
 * controller drains, an observer such as `xdpctl top` must not. */
int xg_talkers_read(int fd, int family, bool drain, struct xg_talker_set *out);

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
