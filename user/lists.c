// SPDX-License-Identifier: GPL-2.0-only
#include "lists.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapwalk.h"
#include "rtcfg.h"

#define WALK_CHUNK 4096

/* One of the four maps behind a list, and how its keys look. */
struct list_map {
	int fd;
	int family;
	bool prefix;
	size_t key_size;
	size_t value_size;
};

static void list_maps(const struct xg_maps *m, enum xg_list list, struct list_map out[4])
{
	bool block = list == XG_LIST_BLOCK;
	size_t vs = block ? sizeof(struct xg_block) : sizeof(struct xg_allow);

	out[0] = (struct list_map){block ? m->block_v4 : m->allow_v4, AF_INET, false,
				   sizeof(struct xg_v4_key), vs};
	out[1] = (struct list_map){block ? m->block_v6 : m->allow_v6, AF_INET6, false,
				   sizeof(struct xg_v6_key), vs};
	out[2] = (struct list_map){block ? m->block_pfx_v4 : m->allow_pfx_v4, AF_INET, true,
				   sizeof(struct xg_v4_prefix_key), vs};
	out[3] = (struct list_map){block ? m->block_pfx_v6 : m->allow_pfx_v6, AF_INET6, true,
				   sizeof(struct xg_v6_prefix_key), vs};
}

static const struct list_map *map_for(const struct list_map maps[4], const struct xg_cidr *c)
{
	int idx = (c->family == AF_INET ? 0 : 1) + (xg_cidr_is_host(c) ? 0 : 2);

	return &maps[idx];
}

/* Key bytes for a CIDR in its map; returns the key size. */
static size_t make_key(const struct xg_cidr *c, uint8_t key[20])
{
	size_t alen = c->family == AF_INET ? 4 : 16;
	__u32 plen = c->prefixlen;

	memset(key, 0, 20);
	if (xg_cidr_is_host(c)) {
		memcpy(key, c->addr, alen);
		return alen;
	}
	memcpy(key, &plen, sizeof(plen));
	memcpy(key + sizeof(plen), c->addr, alen);
	return sizeof(plen) + alen;
}

static void cidr_from_key(const struct list_map *lm, const uint8_t *key, struct xg_cidr *c)
{
	size_t alen = lm->family == AF_INET ? 4 : 16;

	memset(c, 0, sizeof(*c));
	c->family = lm->family;
	if (lm->prefix) {
		__u32 plen;

		memcpy(&plen, key, sizeof(plen));
		c->prefixlen = plen;
		memcpy(c->addr, key + sizeof(plen), alen);
	} else {
		c->prefixlen = (unsigned int)alen * 8;
		memcpy(c->addr, key, alen);
	}
}

typedef int (*raw_cb)(const struct list_map *lm, const uint8_t *key, const void *val, void *arg);

struct raw_ctx {
	const struct list_map *lm;
	raw_cb cb;
	void *arg;
};

static int raw_one(const void *key, const void *val, void *arg)
{
	const struct raw_ctx *rc = arg;

	return rc->cb(rc->lm, key, val, rc->arg);
}

/* Visits every element of one of the list's maps. */
static int map_walk(const struct list_map *lm, raw_cb cb, void *arg)
{
	struct raw_ctx rc = {lm, cb, arg};

	return xg_map_walk(lm->fd, lm->key_size, lm->value_size, WALK_CHUNK, false, raw_one, &rc);
}

struct walk_ctx {
	enum xg_list list;
	xg_entry_cb cb;
	void *arg;
};

static int walk_one(const struct list_map *lm, const uint8_t *key, const void *val, void *arg)
{
	struct walk_ctx *w = arg;
	struct xg_entry e;

	memset(&e, 0, sizeof(e));
	e.list = w->list;
	cidr_from_key(lm, key, &e.cidr);
	if (w->list == XG_LIST_BLOCK)
		memcpy(&e.block, val, sizeof(e.block));
	else
		memcpy(&e.allow, val, sizeof(e.allow));
	return w->cb(&e, w->arg);
}

int xg_list_walk(const struct xg_maps *m, enum xg_list list, xg_entry_cb cb, void *arg)
{
	struct list_map maps[4];
	struct walk_ctx w = {list, cb, arg};
	int i, ret;

	list_maps(m, list, maps);
	for (i = 0; i < 4; i++) {
		ret = map_walk(&maps[i], walk_one, &w);
		if (ret)
			return ret;
	}
	return 0;
}

static int count_one(const struct xg_entry *e, void *arg)
{
	(void)e;
	(*(long *)arg)++;
	return 0;
}

long xg_list_count(const struct xg_maps *m, enum xg_list list)
{
	long n = 0;
	int ret = xg_list_walk(m, list, count_one, &n);

	return ret ? ret : n;
}

/* Prefix lengths in use in one prefix map, as a bitmap over 0..128. */
static int collect_lens(const struct list_map *lm, const uint8_t *key, const void *val, void *arg)
{
	bool *used = arg;
	__u32 plen;

	(void)lm;
	(void)val;
	memcpy(&plen, key, sizeof(plen));
	if (plen <= 128)
		used[plen] = true;
	return 0;
}

static bool map_empty(int fd, size_t key_size)
{
	uint8_t key[20];

	(void)key_size;
	return bpf_map_get_next_key(fd, NULL, key) != 0;
}

static int fill_lens_v4(const bool *used, struct xg_lens_v4 *out)
{
	int len;

	memset(out, 0, sizeof(*out));
	for (len = 32; len >= 0; len--) {
		uint32_t mask[4];

		if (!used[len])
			continue;
		if (out->n == XG_PREFIX_LENS_MAX)
			return -E2BIG;
		xg_cidr_mask_words((unsigned int)len, mask);
		out->len[out->n] = (__u32)len;
		out->mask[out->n] = mask[0];
		out->n++;
	}
	return 0;
}

static int fill_lens_v6(const bool *used, struct xg_lens_v6 *out)
{
	int len;

	memset(out, 0, sizeof(*out));
	for (len = 128; len >= 0; len--) {
		if (!used[len])
			continue;
		if (out->n == XG_PREFIX_LENS_MAX)
			return -E2BIG;
		xg_cidr_mask_words((unsigned int)len, out->mask[out->n]);
		out->len[out->n] = (__u32)len;
		out->n++;
	}
	return 0;
}

/* Computes the lookup plan for one list into cfg. extra holds entries about
 * to be added, so the limits are checked before anything moves. */
static int plan_list(const struct xg_maps *m, enum xg_list list, const struct xg_cidr *extra,
		     size_t nextra, struct xg_config *cfg, char *err, size_t errlen)
{
	struct list_map maps[4];
	bool used4[129] = {false}, used6[129] = {false};
	bool block = list == XG_LIST_BLOCK;
	struct xg_lens_v4 *l4 = block ? &cfg->block_v4 : &cfg->allow_v4;
	struct xg_lens_v6 *l6 = block ? &cfg->block_v6 : &cfg->allow_v6;
	__u32 bit4 = block ? XG_HAVE_BLOCK_V4 : XG_HAVE_ALLOW_V4;
	__u32 bit6 = block ? XG_HAVE_BLOCK_V6 : XG_HAVE_ALLOW_V6;
	bool extra4 = false, extra6 = false;
	size_t i;
	int ret;

	list_maps(m, list, maps);
	ret = map_walk(&maps[2], collect_lens, used4);
	if (!ret)
		ret = map_walk(&maps[3], collect_lens, used6);
	if (ret) {
		snprintf(err, errlen, "cannot read the prefix maps: %s", strerror(-ret));
		return ret;
	}
	for (i = 0; i < nextra; i++) {
		if (extra[i].family == AF_INET)
			extra4 = true;
		else
			extra6 = true;
		if (!xg_cidr_is_host(&extra[i]))
			(extra[i].family == AF_INET ? used4 : used6)[extra[i].prefixlen] = true;
	}

	if (fill_lens_v4(used4, l4) || fill_lens_v6(used6, l6)) {
		snprintf(err, errlen,
			 "too many distinct prefix lengths in the %s (at most %d per address "
			 "family); aggregate to fewer lengths",
			 block ? "blocklist" : "allowlist", XG_PREFIX_LENS_MAX);
		return -E2BIG;
	}
	cfg->have &= ~(bit4 | bit6);
	if (l4->n || extra4 || !map_empty(maps[0].fd, maps[0].key_size))
		cfg->have |= bit4;
	if (l6->n || extra6 || !map_empty(maps[1].fd, maps[1].key_size))
		cfg->have |= bit6;
	return 0;
}

/* Every config write here follows a list write: the new generation tells
 * the program's cache of blocked sources (bpf/xg_hot.h) that what it
 * remembers may be stale. */
static int write_config(const struct xg_maps *m, struct xg_config *cfg)
{
	cfg->list_gen = (cfg->list_gen + 1) & XG_LIST_GEN_MASK;
	return xg_rtcfg_write(m, cfg);
}

int xg_lists_sync(const struct xg_maps *m, char *err, size_t errlen)
{
	struct xg_config cfg;
	int ret = xg_rtcfg_read(m, &cfg);

	if (ret) {
		snprintf(err, errlen, "cannot read the config map: %s", strerror(-ret));
		return ret;
	}
	ret = plan_list(m, XG_LIST_BLOCK, NULL, 0, &cfg, err, errlen);
	if (!ret)
		ret = plan_list(m, XG_LIST_ALLOW, NULL, 0, &cfg, err, errlen);
	if (!ret) {
		ret = write_config(m, &cfg);
		if (ret)
			snprintf(err, errlen, "cannot write the config map: %s", strerror(-ret));
	}
	return ret;
}

/*
 * Inserts one entry: the plan (with the new prefix counted) is checked first,
 * the entry written next, the config last, so the program never probes a
 * length before its entry exists; if the config write fails the entry is
 * removed again.
 */
static int list_insert(const struct xg_maps *m, enum xg_list list, const struct xg_cidr *c,
		       const void *val, char *err, size_t errlen)
{
	struct list_map maps[4];
	const struct list_map *lm;
	struct xg_config cfg;
	uint8_t key[20];
	int ret;

	list_maps(m, list, maps);
	lm = map_for(maps, c);
	make_key(c, key);
	ret = xg_rtcfg_read(m, &cfg);
	if (ret) {
		snprintf(err, errlen, "cannot read the config map: %s", strerror(-ret));
		return ret;
	}
	ret = plan_list(m, list, c, 1, &cfg, err, errlen);
	if (ret)
		return ret;
	if (bpf_map_update_elem(lm->fd, key, val, BPF_ANY)) {
		ret = -errno;
		if (ret == -E2BIG || ret == -ENOMEM)
			snprintf(err, errlen, "the %s is full",
				 list == XG_LIST_BLOCK ? "blocklist" : "allowlist");
		else
			snprintf(err, errlen, "cannot update the map: %s", strerror(-ret));
		return ret;
	}
	ret = write_config(m, &cfg);
	if (ret) {
		bpf_map_delete_elem(lm->fd, key);
		snprintf(err, errlen, "cannot write the config map: %s", strerror(-ret));
	}
	return ret;
}

/*
 * Writes the entries with one batch update per map. What each entry
 * replaces is saved in old/had first, so the caller can restore it; *done
 * counts the entries that may have been written.
 */
static int write_batches(const struct list_map maps[4], enum xg_list list,
			 const struct xg_cidr *cidrs, const void *vals, size_t n, uint8_t *old,
			 bool *had, size_t *done, char *err, size_t errlen)
{
	size_t vs = list == XG_LIST_BLOCK ? sizeof(struct xg_block) : sizeof(struct xg_allow);
	uint8_t *keys = calloc(n ? n : 1, 20), *bvals = calloc(n ? n : 1, vs);
	int mi, ret = 0;
	size_t i;

	if (!keys || !bvals) {
		ret = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		const struct list_map *lm = map_for(maps, &cidrs[i]);
		uint8_t key[20];

		make_key(&cidrs[i], key);
		had[i] = bpf_map_lookup_elem(lm->fd, key, old + i * vs) == 0;
	}
	*done = n;
	for (mi = 0; mi < 4 && !ret; mi++) {
		const struct list_map *lm = &maps[mi];
		__u32 count = 0;

		for (i = 0; i < n; i++) {
			uint8_t key[20];
			struct xg_block *nb;

			if (map_for(maps, &cidrs[i]) != lm)
				continue;
			make_key(&cidrs[i], key);
			memcpy(keys + count * lm->key_size, key, lm->key_size);
			memcpy(bvals + count * vs, (const uint8_t *)vals + i * vs, vs);
			/* A re-block keeps its hit count and first-seen time. */
			if (had[i] && list == XG_LIST_BLOCK) {
				const struct xg_block *ob = (const void *)(old + i * vs);

				nb = (void *)(bvals + count * vs);
				nb->hits = ob->hits;
				nb->created_ns = ob->created_ns;
			}
			count++;
		}
		if (!count)
			continue;
		if (bpf_map_update_batch(lm->fd, keys, bvals, &count, NULL)) {
			ret = -errno;
			snprintf(err, errlen, "cannot add %u entries: %s", count,
				 ret == -E2BIG || ret == -ENOMEM ? "the list is full"
								 : strerror(-ret));
		}
	}
out:
	free(keys);
	free(bvals);
	return ret;
}

int xg_list_add_many(const struct xg_maps *m, enum xg_list list, const struct xg_cidr *cidrs,
		     const void *vals, size_t n, char *err, size_t errlen)
{
	size_t vs = list == XG_LIST_BLOCK ? sizeof(struct xg_block) : sizeof(struct xg_allow);
	struct list_map maps[4];
	struct xg_config cfg;
	uint8_t *old = calloc(n ? n : 1, vs);
	bool *had = calloc(n ? n : 1, sizeof(*had));
	size_t done = 0;
	int ret = 0;

	if (!old || !had) {
		ret = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	list_maps(m, list, maps);
	ret = xg_rtcfg_read(m, &cfg);
	if (ret) {
		snprintf(err, errlen, "cannot read the config map: %s", strerror(-ret));
		goto out;
	}
	ret = plan_list(m, list, cidrs, n, &cfg, err, errlen);
	if (!ret)
		ret = write_batches(maps, list, cidrs, vals, n, old, had, &done, err, errlen);
	if (!ret) {
		ret = write_config(m, &cfg);
		if (ret)
			snprintf(err, errlen, "cannot write the config map: %s", strerror(-ret));
	}
	if (ret) {
		/* Put back what was there before, newest first. */
		while (done-- > 0) {
			const struct list_map *lm = map_for(maps, &cidrs[done]);
			uint8_t key[20];

			make_key(&cidrs[done], key);
			if (had[done])
				bpf_map_update_elem(lm->fd, key, old + done * vs, BPF_ANY);
			else
				bpf_map_delete_elem(lm->fd, key);
		}
	}
out:
	free(old);
	free(had);
	return ret;
}

int xg_block_add(const struct xg_maps *m, const struct xg_cidr *c, const struct xg_block_spec *s,
		 uint64_t now_ns, char *err, size_t errlen)
{
	struct list_map maps[4];
	struct xg_block v, old;
	uint8_t key[20];

	if (s->ttl_s > UINT64_MAX / 1000000000ULL - now_ns / 1000000000ULL - 1) {
		snprintf(err, errlen, "ttl %llu s is too large", (unsigned long long)s->ttl_s);
		return -EINVAL;
	}
	memset(&v, 0, sizeof(v));
	v.created_ns = now_ns;
	v.expires_ns = s->ttl_s ? now_ns + s->ttl_s * 1000000000ULL : 0;
	v.rate_pps = s->rate_pps;
	v.action = s->rate_pps ? XG_ACTION_RATELIMIT : XG_ACTION_DROP;
	v.incident = s->incident;
	v.origin = s->origin;
	v.why = s->why;

	/* A re-block keeps its hit count and first-seen time. */
	list_maps(m, XG_LIST_BLOCK, maps);
	make_key(c, key);
	if (bpf_map_lookup_elem(map_for(maps, c)->fd, key, &old) == 0) {
		v.hits = old.hits;
		v.created_ns = old.created_ns;
	}
	return list_insert(m, XG_LIST_BLOCK, c, &v, err, errlen);
}

int xg_allow_add(const struct xg_maps *m, const struct xg_cidr *c, const char *comment,
		 uint64_t now_ns, char *err, size_t errlen)
{
	return xg_allow_add_origin(m, c, comment, XG_ORIGIN_MANUAL, now_ns, err, errlen);
}

int xg_allow_add_origin(const struct xg_maps *m, const struct xg_cidr *c, const char *comment,
			uint8_t origin, uint64_t now_ns, char *err, size_t errlen)
{
	struct xg_allow v;

	memset(&v, 0, sizeof(v));
	v.created_ns = now_ns;
	v.origin = origin;
	if (comment) {
		if (strlen(comment) >= sizeof(v.comment)) {
			snprintf(err, errlen, "comment is longer than %zu characters",
				 sizeof(v.comment) - 1);
			return -EINVAL;
		}
		strncpy(v.comment, comment, sizeof(v.comment) - 1);
	}
	return list_insert(m, XG_LIST_ALLOW, c, &v, err, errlen);
}

int xg_list_del(const struct xg_maps *m, enum xg_list list, const struct xg_cidr *c, char *err,
		size_t errlen)
{
	struct list_map maps[4];
	uint8_t key[20];

	list_maps(m, list, maps);
	make_key(c, key);
	if (bpf_map_delete_elem(map_for(maps, c)->fd, key)) {
		int e = errno;
		char text[64];

		xg_cidr_format(c, text, sizeof(text));
		if (e == ENOENT)
			snprintf(err, errlen, "%s is not in the %s", text,
				 list == XG_LIST_BLOCK ? "blocklist" : "allowlist");
		else
			snprintf(err, errlen, "cannot delete %s: %s", text, strerror(e));
		return -e;
	}
	return xg_lists_sync(m, err, errlen);
}

struct reap_ctx {
	uint64_t now;
	long n;
};

static int reap_one(const struct list_map *lm, const uint8_t *key, const void *val, void *arg)
{
	const struct xg_block *b = val;
	struct reap_ctx *r = arg;

	if (b->expires_ns && b->expires_ns <= r->now && bpf_map_delete_elem(lm->fd, key) == 0)
		r->n++;
	return 0;
}

long xg_block_reap(const struct xg_maps *m, uint64_t now_ns)
{
	struct list_map maps[4];
	struct reap_ctx r = {now_ns, 0};
	char err[256];
	int i, ret;

	list_maps(m, XG_LIST_BLOCK, maps);
	for (i = 0; i < 4; i++) {
		ret = map_walk(&maps[i], reap_one, &r);
		if (ret)
			return ret;
	}
	if (r.n) {
		ret = xg_lists_sync(m, err, sizeof(err));
		if (ret)
			return ret;
	}
	return r.n;
}
