/* SPDX-License-Identifier: GPL-2.0-only */
/* Reads the per-CPU counters and sums them over CPUs. */
#ifndef XG_COUNTERS_H
#define XG_COUNTERS_H

#include <stdint.h>
#include <xdpguard/abi.h>
#include "maps.h"

struct xg_counters {
	struct xg_stats st;
	uint64_t port[2 * XG_PORTS]; /* by XG_PORT_KEY */
	uint64_t mono_ns;	     /* CLOCK_MONOTONIC when read */
};

/* Reads everything with batch lookups: a cost that does not depend on
 * traffic. */
int xg_counters_read(const struct xg_maps *m, struct xg_counters *out);

/* The hot counters alone. */
int xg_counters_read_stats(const struct xg_maps *m, struct xg_stats *out);

/* out = b - a, field by field (counters only grow; a restart of the
 * program yields zeroes rather than wrapped values). */
void xg_counters_delta(const struct xg_counters *a, const struct xg_counters *b,
		       struct xg_counters *out);

/* The same for the hot counters alone. */
void xg_stats_delta(const struct xg_stats *a, const struct xg_stats *b, struct xg_stats *out);

/* One destination port's packets in a delta. */
struct xg_port_count {
	int l4; /* XG_PORT_L4_TCP or XG_PORT_L4_UDP */
	int port;
	uint64_t packets;
};

/* The busiest destination ports of a delta, busiest first, at most max:
 * what xdpctl stats and xdpctl top print. Returns how many. */
int xg_counters_top_ports(const struct xg_counters *d, struct xg_port_count *out, int max);

/* The controller's per-tick read: sums the CPUs' per-port counters into
 * tot (running totals by XG_PORT_KEY, updated in place) and keeps, in the
 * same pass, the busiest changes since the previous totals in top (busiest
 * first, at most max). One pass and no second table: returns how many. */
int xg_counters_update_ports(const struct xg_maps *m, uint64_t *tot, struct xg_port_count *top,
			     int max);

#endif
