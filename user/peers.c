// SPDX-License-Identifier: GPL-2.0-only
#include "peers.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xdpguard/abi.h>

#include "fsutil.h"
#include "mapwalk.h"

#define PEERS_CHUNK    4096
#define PEERS_FILE_MAX (64u << 20)
#define PEERS_FORMAT   1

static void make_key(const struct xg_cidr *a, uint8_t key[17])
{
	key[0] = (uint8_t)a->family;
	memcpy(key + 1, a->addr, 16);
}

static struct xg_peer_entry *find(const struct xg_peers *p, const struct xg_cidr *a)
{
	struct xg_peer_entry *e;
	uint8_t key[17];

	make_key(a, key);
	HASH_FIND(hh, p->table, key, sizeof(key), e);
	return e;
}

static struct xg_peer_entry *add(struct xg_peers *p, const struct xg_cidr *a, uint64_t now_ns)
{
	struct xg_peer_entry *e;

	if (p->count >= XG_PEERS_TABLE_MAX)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->addr = *a;
	make_key(a, e->key);
	e->first_ns = now_ns;
	e->last_ns = now_ns;
	HASH_ADD(hh, p->table, key, sizeof(e->key), e);
	p->count++;
	return e;
}

static void drop(struct xg_peers *p, struct xg_peer_entry *e)
{
	HASH_DEL(p->table, e);
	p->count--;
	if (e->known)
		p->known--;
	free(e);
}

void xg_peers_init(struct xg_peers *p)
{
	memset(p, 0, sizeof(*p));
}

void xg_peers_free(struct xg_peers *p)
{
	struct xg_peer_entry *e, *tmp;

	HASH_ITER (hh, p->table, e, tmp) {
		HASH_DEL(p->table, e);
		free(e);
	}
	memset(p, 0, sizeof(*p));
}

bool xg_peers_is_known(const struct xg_peers *p, const struct xg_cidr *addr)
{
	const struct xg_peer_entry *e = find(p, addr);

	return e && e->known;
}

struct read_ctx {
	struct xg_peers *p;
	uint64_t now;
	bool learn;
	struct xg_peers_tick *out;
};

static void account(struct read_ctx *r, const struct xg_cidr *a, const struct xg_peer *v)
{
	struct xg_peer_entry *e = find(r->p, a);
	uint64_t sip = v->sip_ok + v->sip_bad, dsip, drtp, dok, dbad;

	if (!e) {
		e = add(r->p, a, r->now);
		if (!e)
			return;
		/* Before the first read, counts are history we did not see. */
		if (!r->p->primed) {
			e->prev_sip = sip;
			e->prev_rtp = v->rtp_ok;
			e->sip_ok = v->sip_ok;
			e->sip_bad = v->sip_bad;
			return;
		}
	}
	/* The map is an LRU: an evicted and re-added source restarts at 0. */
	dsip = sip >= e->prev_sip ? sip - e->prev_sip : sip;
	drtp = v->rtp_ok >= e->prev_rtp ? v->rtp_ok - e->prev_rtp : v->rtp_ok;
	dok = v->sip_ok >= e->sip_ok ? v->sip_ok - e->sip_ok : v->sip_ok;
	dbad = v->sip_bad >= e->sip_bad ? v->sip_bad - e->sip_bad : v->sip_bad;
	(void)dok;
	e->prev_sip = sip;
	e->prev_rtp = v->rtp_ok;
	if (!dsip && !drtp)
		return;
	e->last_ns = r->now;
	e->sip_ok = v->sip_ok;
	e->sip_bad = v->sip_bad;
	e->rtp_ok += drtp;
	r->out->sip_total += (double)dsip;
	if (e->known)
		r->out->sip_known += (double)dsip;
	if (!r->learn)
		return;
	if (dbad) {
		/* Malformed SIP disqualifies: a known peer that turns bad is
		 * no longer preserved. */
		if (e->known) {
			e->known = false;
			r->p->known--;
		}
		e->active_ticks = 0;
		return;
	}
	e->active_ticks++;
	if (!e->known && e->active_ticks >= XG_PEER_MIN_TICKS && !e->sip_bad) {
		e->known = true;
		e->via_rtp = e->sip_ok == 0;
		r->p->known++;
		r->out->new_known++;
	}
}

struct map_ctx {
	struct read_ctx *r;
	int family;
};

static int account_one(const void *key, const void *val, void *arg)
{
	const struct map_ctx *mc = arg;
	size_t klen = mc->family == AF_INET ? 4 : 16;
	struct xg_cidr a = {.family = mc->family, .prefixlen = (unsigned)klen * 8};

	memcpy(a.addr, key, klen);
	account(mc->r, &a, val);
	return 0;
}

static int read_map(struct read_ctx *r, int fd, int family)
{
	struct map_ctx mc = {r, family};

	return xg_map_walk(fd, family == AF_INET ? 4 : 16, sizeof(struct xg_peer), PEERS_CHUNK,
			   false, account_one, &mc);
}

int xg_peers_update(struct xg_peers *p, const struct xg_maps *m, uint64_t now_ns, bool learn,
		    bool walk_v6, struct xg_peers_tick *out)
{
	struct read_ctx r = {p, now_ns, learn, out};
	int ret;

	memset(out, 0, sizeof(*out));
	ret = read_map(&r, m->peers_v4, AF_INET);
	if (!ret && walk_v6)
		ret = read_map(&r, m->peers_v6, AF_INET6);
	p->primed = true;
	return ret;
}

size_t xg_peers_age(struct xg_peers *p, uint64_t now_ns, uint64_t max_idle_ns)
{
	struct xg_peer_entry *e, *tmp;
	size_t n = 0;

	HASH_ITER (hh, p->table, e, tmp) {
		if (now_ns > e->last_ns && now_ns - e->last_ns > max_idle_ns) {
			drop(p, e);
			n++;
		}
	}
	return n;
}

int xg_peers_save(const struct xg_peers *p, const char *path, char *err, size_t errlen)
{
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array();
	const struct xg_peer_entry *e, *tmp;
	const char *text;
	int ret;

	json_object_object_add(o, "format", json_object_new_int(PEERS_FORMAT));
	HASH_ITER (hh, p->table, e, tmp) {
		struct json_object *j;
		char addr[64];

		if (!e->known)
			continue;
		xg_cidr_format(&e->addr, addr, sizeof(addr));
		j = json_object_new_object();
		json_object_object_add(j, "addr", json_object_new_string(addr));
		json_object_object_add(j, "reason",
				       json_object_new_string(e->via_rtp ? "rtp" : "sip"));
		json_object_object_add(j, "first_ns", json_object_new_int64((int64_t)e->first_ns));
		json_object_object_add(j, "last_ns", json_object_new_int64((int64_t)e->last_ns));
		json_object_object_add(j, "sip_ok", json_object_new_int64((int64_t)e->sip_ok));
		json_object_object_add(j, "rtp_ok", json_object_new_int64((int64_t)e->rtp_ok));
		json_object_array_add(arr, j);
	}
	json_object_object_add(o, "peers", arr);
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	ret = xg_write_atomic(path, text, strlen(text), err, errlen);
	json_object_put(o);
	return ret;
}

int xg_peers_load(struct xg_peers *p, const char *path, char *err, size_t errlen)
{
	struct json_object *o, *arr, *v;
	char *text;
	size_t i, n;
	int ret;

	ret = xg_read_file(path, PEERS_FILE_MAX, &text, NULL, err, errlen);
	if (ret)
		return ret;
	o = json_tokener_parse(text);
	free(text);
	if (!o || !json_object_object_get_ex(o, "format", &v) ||
	    json_object_get_int(v) != PEERS_FORMAT ||
	    !json_object_object_get_ex(o, "peers", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		snprintf(err, errlen, "%s: not an xdpguard peers file (format %d)", path,
			 PEERS_FORMAT);
		json_object_put(o);
		return -EINVAL;
	}
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		struct json_object *j = json_object_array_get_idx(arr, i), *f;
		struct xg_peer_entry *e;
		struct xg_cidr a;
		char why[128];

		if (!json_object_object_get_ex(j, "addr", &f) ||
		    xg_cidr_parse(json_object_get_string(f), &a, why, sizeof(why)) ||
		    !xg_cidr_is_host(&a))
			continue; /* one bad entry does not cost the rest */
		e = find(p, &a);
		if (!e)
			e = add(p, &a, 0);
		if (!e)
			break;
		if (json_object_object_get_ex(j, "first_ns", &f))
			e->first_ns = (uint64_t)json_object_get_int64(f);
		if (json_object_object_get_ex(j, "last_ns", &f))
			e->last_ns = (uint64_t)json_object_get_int64(f);
		if (json_object_object_get_ex(j, "reason", &f))
			e->via_rtp = !strcmp(json_object_get_string(f), "rtp");
		e->active_ticks = XG_PEER_MIN_TICKS;
		if (!e->known) {
			e->known = true;
			p->known++;
		}
	}
	json_object_put(o);
	return 0;
}
