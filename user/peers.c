// SPDX-License-Identifier: GPL-2.0-only
#include "peers.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xdpguard/abi.h>

#include "cli.h"
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
	uint64_t since; /* entries last touched before this are unchanged */
};

static void account(struct read_ctx *r, const struct xg_cidr *a, const struct xg_peer *v)
{
	struct xg_peer_entry *e;
	uint64_t sip = v->sip_ok + v->sip_bad, dsip, drtp, dok, dbad;

	/* Untouched since the last walk: its counts are the ones already
	 * taken, and most of a busy map is such entries. */
	if (v->last_ns < r->since)
		return;
	e = find(r->p, a);

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

/* The program stamps entries with its coarse clock, which may lag
 * CLOCK_MONOTONIC by a tick or so: a walk's mark is taken this much early. */
#define WALK_MARGIN_NS 100000000ULL

static int read_map(struct read_ctx *r, int fd, int family)
{
	struct map_ctx mc = {r, family};
	uint64_t *walked = &r->p->walked_ns[family == AF_INET ? 0 : 1], start = xg_mono_ns();
	int ret;

	r->since = r->p->primed ? *walked : 0;
	ret = xg_map_walk(fd, family == AF_INET ? 4 : 16, sizeof(struct xg_peer), PEERS_CHUNK,
			  false, account_one, &mc);
	if (!ret)
		*walked = start > WALK_MARGIN_NS ? start - WALK_MARGIN_NS : 0;
	return ret;
}

int xg_peers_update(struct xg_peers *p, const struct xg_maps *m, uint64_t now_ns, bool learn,
		    bool walk_v6, struct xg_peers_tick *out)
{
	struct read_ctx r = {p, now_ns, learn, out, 0};
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
	const struct xg_peer_entry *e, *tmp;
	char *text = NULL;
	size_t len = 0;
	bool first = true;
	FILE *f;
	int ret;

	/* Written as text directly, not through a json-c tree: a tree of
	 * 65,536 peers took tens of MB for a moment at every save. Addresses
	 * and reasons need no escaping. */
	f = open_memstream(&text, &len);
	if (!f) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	/* One peer a line: the loader parses a line at a time. */
	fprintf(f, "{\"format\":%d,\"peers\":[\n", PEERS_FORMAT);
	HASH_ITER (hh, p->table, e, tmp) {
		char addr[64];

		if (!e->known)
			continue;
		xg_cidr_format(&e->addr, addr, sizeof(addr));
		fprintf(f,
			"%s{\"addr\":\"%s\",\"reason\":\"%s\",\"first_ns\":%" PRId64
			",\"last_ns\":%" PRId64 ",\"sip_ok\":%" PRId64 ",\"rtp_ok\":%" PRId64 "}",
			first ? "" : ",\n", addr, e->via_rtp ? "rtp" : "sip", (int64_t)e->first_ns,
			(int64_t)e->last_ns, (int64_t)e->sip_ok, (int64_t)e->rtp_ok);
		first = false;
	}
	fputs("\n]}\n", f);
	if (fclose(f) || !text) {
		free(text);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	ret = xg_write_atomic(path, text, len, err, errlen);
	free(text);
	return ret;
}

/* One peer object of the file into the table; bad entries are skipped
 * (one does not cost the rest). Returns -ENOMEM when the table is full. */
static int load_one(struct xg_peers *p, struct json_object *j)
{
	struct xg_peer_entry *e;
	struct json_object *f;
	struct xg_cidr a;
	char why[128];

	if (!json_object_is_type(j, json_type_object) ||
	    !json_object_object_get_ex(j, "addr", &f) ||
	    xg_cidr_parse(json_object_get_string(f), &a, why, sizeof(why)) || !xg_cidr_is_host(&a))
		return 0;
	e = find(p, &a);
	if (!e)
		e = add(p, &a, 0);
	if (!e)
		return -ENOMEM;
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
	return 0;
}

/* The file as xg_peers_save writes it, a line at a time, so that 65,536
 * peers never become one json-c tree (~100 MB for a moment). Returns 1 when
 * the text is not in that layout (an older or hand-made file). */
static int load_lines(struct xg_peers *p, char *text)
{
	static const char head[] = "{\"format\":1,\"peers\":[\n";
	char *line = text + sizeof(head) - 1, *next;

	if (strncmp(text, head, sizeof(head) - 1))
		return 1;
	for (; *line; line = next) {
		struct json_object *j;
		size_t n;
		int r;

		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		n = (size_t)(next - line);
		while (n && (line[n - 1] == '\n' || line[n - 1] == ','))
			n--;
		if (n == 2 && !strncmp(line, "]}", 2))
			return 0;
		line[n] = '\0';
		j = json_tokener_parse(line);
		if (!j)
			return 1;
		r = load_one(p, j);
		json_object_put(j);
		if (r)
			return 0; /* the table is full: the rest cannot be kept either */
	}
	return 1; /* no closing line */
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
	/* The fast path works on a copy: a file it cannot finish goes to the
	 * whole-file parser as it was (entries already taken are found and
	 * updated in place, not added twice). */
	{
		char *copy = strdup(text);

		ret = copy ? load_lines(p, copy) : 1;
		free(copy);
		if (!ret) {
			free(text);
			return 0;
		}
	}
	o = json_tokener_parse(text);
	free(text);
	if (!o || !json_object_object_get_ex(o, "format", &v) ||
	    json_object_get_int(v) != PEERS_FORMAT ||
	    !json_object_object_get_ex(o, "peers", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		snprintf(err, errlen, "%s: not an xdpguard peers file (format %d)", path,
			 PEERS_FORMAT);
		json_object_put(o);
		xg_peers_free(p); /* what the line reader took, if anything */
		return -EINVAL;
	}
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++)
		if (load_one(p, json_object_array_get_idx(arr, i)))
			break;
	json_object_put(o);
	return 0;
}
