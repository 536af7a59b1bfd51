/* SPDX-License-Identifier: GPL-2.0-only */
/* Visiting every element of a BPF hash map in batches: one loop for the
 * list walks, the peer-store reads and the talker drains. */
#ifndef XG_MAPWALK_H
#define XG_MAPWALK_H

#include <stdbool.h>
#include <stddef.h>

typedef int (*xg_map_cb)(const void *key, const void *val, void *arg);

/* Calls cb for every element, in batches of up to chunk elements; with
 * drain, each batch is read and deleted atomically per element
 * (lookup-and-delete), so an update lands in exactly one walk. Stops when cb
 * returns non-zero and returns that value; negative errno on failure. */
int xg_map_walk(int fd, size_t key_size, size_t value_size, size_t chunk, bool drain, xg_map_cb cb,
		void *arg);

#endif
