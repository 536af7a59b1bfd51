/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Allowlist and blocklist entries. Single addresses go into the exact hashes,
 * prefixes into the prefix hashes; after every change the config's "have"
 * bits and prefix-length tables are brought in line with the maps, so the
 * program only probes what exists.
 */
#ifndef XG_LISTS_H
#define XG_LISTS_H

#include <stdint.h>
#include <xdpguard/abi.h>
#include "cidr.h"
#include "maps.h"

enum xg_list {
	XG_LIST_BLOCK,
	XG_LIST_ALLOW,
};

struct xg_block_spec {
	uint64_t ttl_s;	   /* 0 = never expires */
	uint32_t rate_pps; /* 0 = drop, else rate-limit per source */
	uint32_t incident;
	uint8_t origin; /* enum xg_origin */
	uint8_t why;	/* enum xg_why */
};

struct xg_entry {
	enum xg_list list;
	struct xg_cidr cidr;
	struct xg_block block; /* XG_LIST_BLOCK */
	struct xg_allow allow; /* XG_LIST_ALLOW */
};

/* Adds or replaces a block entry. now_ns is CLOCK_MONOTONIC. */
int xg_block_add(const struct xg_maps *m, const struct xg_cidr *c, const struct xg_block_spec *s,
		 uint64_t now_ns, char *err, size_t errlen);

/* Adds or replaces an allow entry; comment may be NULL. */
int xg_allow_add(const struct xg_maps *m, const struct xg_cidr *c, const char *comment,
		 uint64_t now_ns, char *err, size_t errlen);

/* The same with the entry's origin (enum xg_origin: manual, config, learned). */
int xg_allow_add_origin(const struct xg_maps *m, const struct xg_cidr *c, const char *comment,
			uint8_t origin, uint64_t now_ns, char *err, size_t errlen);

/* Adds n entries as one change: on any failure every entry already written
 * is put back as it was (restored or deleted) and nothing is left changed.
 * vals holds n struct xg_block (block) or struct xg_allow (allow); for block
 * entries that exist already, the hit count and creation time are kept. */
int xg_list_add_many(const struct xg_maps *m, enum xg_list list, const struct xg_cidr *cidrs,
		     const void *vals, size_t n, char *err, size_t errlen);

/* Removes an entry; -ENOENT (with err set) when it is not there. */
int xg_list_del(const struct xg_maps *m, enum xg_list list, const struct xg_cidr *c, char *err,
		size_t errlen);

typedef int (*xg_entry_cb)(const struct xg_entry *e, void *arg);

/* Calls cb for every entry of the list (exact and prefix, both families);
 * stops early and returns cb's value when it is non-zero. */
int xg_list_walk(const struct xg_maps *m, enum xg_list list, xg_entry_cb cb, void *arg);

/* Number of entries in the list. */
long xg_list_count(const struct xg_maps *m, enum xg_list list);

/* Deletes block entries that expired before now_ns; returns how many. */
long xg_block_reap(const struct xg_maps *m, uint64_t now_ns);

/* Recomputes the config's have-bits and prefix-length tables from the maps. */
int xg_lists_sync(const struct xg_maps *m, char *err, size_t errlen);

#endif
