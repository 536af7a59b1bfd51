/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sources known from peacetime. Each tick the SIP/RTP learning maps
 * (xg_peers_v4/v6, filled by the XDP program) are read; a source that sends
 * well-formed SIP, or valid RTP, in at least two ticks outside incidents
 * and never malformed SIP becomes a known peer. Detection uses this for
 * source novelty (a re-registration avalanche comes from known sources, a
 * flood from new ones); mitigation preserves known peers. Learning stops
 * while an incident is open, so an attacker cannot become a peer.
 */
#ifndef XG_PEERS_H
#define XG_PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uthash.h>

#include "cidr.h"
#include "maps.h"

#define XG_PEERS_TABLE_MAX 524288 /* entries tracked; the oldest idle go first */
#define XG_PEER_MIN_TICKS  2	  /* active ticks before a source is known */

struct xg_peer_entry {
	uint8_t key[17]; /* family, then 16 address bytes */
	struct xg_cidr addr;
	uint64_t prev_sip; /* sip_ok + sip_bad at the last read */
	uint64_t prev_rtp;
	uint64_t sip_ok; /* accumulated since first seen */
	uint64_t sip_bad;
	uint64_t rtp_ok; /* sampled */
	uint32_t active_ticks;
	uint64_t first_ns; /* controller clock */
	uint64_t last_ns;
	bool known;
	bool via_rtp; /* learned from RTP rather than SIP */
	UT_hash_handle hh;
};

struct xg_peers {
	struct xg_peer_entry *table;
	size_t count;
	size_t known;
	bool primed; /* the first read only records counts */
	/* CLOCK_MONOTONIC at the start of the last walk of each learning map
	 * (v4, v6), less a margin: entries the program has not touched since
	 * are skipped without a table probe */
	uint64_t walked_ns[2];
};

/* What one read found, for the snapshot. */
struct xg_peers_tick {
	double sip_known; /* SIP packets this tick from known peers */
	double sip_total; /* SIP packets this tick from all sources in the maps */
	size_t new_known; /* sources that became known this tick */
};

void xg_peers_init(struct xg_peers *p);
void xg_peers_free(struct xg_peers *p);

/* Reads the learning maps (the IPv6 one only when walk_v6); learn is false
 * while an incident is open. */
int xg_peers_update(struct xg_peers *p, const struct xg_maps *m, uint64_t now_ns, bool learn,
		    bool walk_v6, struct xg_peers_tick *out);

bool xg_peers_is_known(const struct xg_peers *p, const struct xg_cidr *addr);

/* Forgets sources idle longer than max_idle_ns (known ones included). */
size_t xg_peers_age(struct xg_peers *p, uint64_t now_ns, uint64_t max_idle_ns);

/* Known peers as JSON in a file (temp file, fsync, rename), one peer a
 * line, and back. Load fills a fresh table; it returns -ENOENT when there is
 * no file, and on any error leaves the table empty. */
int xg_peers_save(const struct xg_peers *p, const char *path, char *err, size_t errlen);
int xg_peers_load(struct xg_peers *p, const char *path, char *err, size_t errlen);

#endif
