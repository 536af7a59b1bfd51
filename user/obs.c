// SPDX-License-Identifier: GPL-2.0-only
/*
 * The published controller state (see obs.h).
 */
#include "obs.h"

#include <string.h>

/* A 1 s tick normally takes a few ms; 100 ms ticks must stay far below. */
const double xg_obs_tick_le[XG_OBS_TICK_BUCKETS] = {0.0005, 0.001, 0.0025, 0.005, 0.01,
						    0.025,  0.05,  0.1,	   0.25,  1.0};

void xg_obs_board_init(struct xg_obs_board *b)
{
	memset(b, 0, sizeof(*b));
	pthread_mutex_init(&b->lock, NULL);
}

void xg_obs_board_destroy(struct xg_obs_board *b)
{
	pthread_mutex_destroy(&b->lock);
}

void xg_obs_publish(struct xg_obs_board *b, const struct xg_obs *o)
{
	pthread_mutex_lock(&b->lock);
	b->cur = *o;
	b->valid = true;
	pthread_mutex_unlock(&b->lock);
}

bool xg_obs_get(struct xg_obs_board *b, struct xg_obs *out)
{
	bool valid;

	pthread_mutex_lock(&b->lock);
	valid = b->valid;
	if (valid)
		*out = b->cur;
	pthread_mutex_unlock(&b->lock);
	return valid;
}

void xg_obs_tick_add(struct xg_obs_tick_hist *h, double seconds)
{
	int i;

	for (i = 0; i < XG_OBS_TICK_BUCKETS; i++)
		if (seconds <= xg_obs_tick_le[i])
			h->count[i]++;
	h->total++;
	h->sum_s += seconds;
}

uint64_t xg_obs_port_total(const struct xg_obs *o, int l4, uint16_t port)
{
	int i;

	for (i = 0; i < o->totals.n_ports; i++)
		if (o->totals.ports[i].l4 == l4 && o->totals.ports[i].port == port)
			return o->totals.ports[i].packets;
	return 0;
}

bool xg_obs_port_set(struct xg_obs *o, int l4, uint16_t port, uint64_t packets)
{
	struct xg_obs_totals *t = &o->totals;
	int i;

	for (i = 0; i < t->n_ports; i++)
		if (t->ports[i].l4 == l4 && t->ports[i].port == port) {
			t->ports[i].packets = packets;
			return true;
		}
	if (t->n_ports >= XG_OBS_PORTS_MAX)
		return false;
	t->ports[t->n_ports++] = (struct xg_obs_port){(uint8_t)l4, port, packets};
	return true;
}
