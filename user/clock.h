/* SPDX-License-Identifier: GPL-2.0-only */
/* The one clock the controller reads: wall-clock time in the daemon, the
 * capture's timestamps in replay, anything a test likes. */
#ifndef XG_CLOCK_H
#define XG_CLOCK_H

#include <stdint.h>

struct xg_clock {
	uint64_t (*now_ns)(const struct xg_clock *c); /* Unix time, ns */
	uint64_t fixed_ns;			      /* for xg_clock_fixed */
};

static inline uint64_t xg_clock_now(const struct xg_clock *c)
{
	return c->now_ns(c);
}

/* CLOCK_REALTIME. */
void xg_clock_real(struct xg_clock *c);

/* A clock that returns c->fixed_ns: set it to move time (replay, tests). */
void xg_clock_fixed(struct xg_clock *c, uint64_t start_ns);

#endif
