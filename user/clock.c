// SPDX-License-Identifier: GPL-2.0-only
#include "clock.h"

#include <time.h>

static uint64_t real_now(const struct xg_clock *c)
{
	struct timespec ts;

	(void)c;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t fixed_now(const struct xg_clock *c)
{
	return c->fixed_ns;
}

void xg_clock_real(struct xg_clock *c)
{
	c->now_ns = real_now;
	c->fixed_ns = 0;
}

void xg_clock_fixed(struct xg_clock *c, uint64_t start_ns)
{
	c->now_ns = fixed_now;
	c->fixed_ns = start_ns;
}
