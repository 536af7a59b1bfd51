// SPDX-License-Identifier: GPL-2.0-only
#include "apply.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "journal.h"
#include "lists.h"
#include "lock.h"
#include "names.h"
#include "rtcfg.h"

#define NS 1000000000ULL
/* The program's own expiry trails the controller's by this, so the
 * controller withdraws first and the program only steps in if it died. */
#define BPF_EXPIRY_SLACK_S 30
/* New steps within this long may be rolled back by the collateral check. */
#define COLLATERAL_WINDOW_NS (5 * NS)
/* Below this much normal peer traffic the collateral check has no signal. */
#define COLLATERAL_MIN_PPS 5.0
#define PEER_NORMAL_ALPHA  0.1

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

/* The step's target as people read it. */
static void target_text(const struct xg_step *st, char *buf, size_t len)
{
	switch (st->kind) {
	case XG_STEP_BLOCK:
	case XG_STEP_RATELIMIT:
		xg_cidr_format(&st->target, buf, len);
		break;
	case XG_STEP_PROTECT:
		snprintf(buf, len, "%s", xg_svc_name(st->svc));
		break;
	case XG_STEP_AMP_DROP:
		snprintf(buf, len, "reflectors:%s", xg_amp_name(st->amp));
		break;
	}
}

static void step_key(const struct xg_step *st, char *buf, size_t len)
{
	static const char *const kinds[] = {"block", "ratelimit", "protect", "amp"};
	char t[64];

	target_text(st, t, sizeof(t));
	snprintf(buf, len, "%s %s", kinds[st->kind], t);
}

static void emit(struct xg_applier *a, const char *action, const struct xg_step *st,
		 const char *incident, uint64_t ttl_s, const char *reason, bool applied,
		 uint64_t now_ns)
{
	struct json_object *o = json_object_new_object();
	char target[64], err[256];

	target_text(st, target, sizeof(target));
	json_object_object_add(o, "event", json_object_new_string("mitigation"));
	json_object_object_add(o, "incident", json_object_new_string(incident ? incident : ""));
	json_object_object_add(o, "action", json_object_new_string(action));
	json_object_object_add(o, "target", json_object_new_string(target));
	if (st->kind == XG_STEP_RATELIMIT || st->kind == XG_STEP_PROTECT)
		json_object_object_add(o, "rate_pps", json_object_new_int64(st->rate_pps));
	if (st->kind == XG_STEP_PROTECT)
		json_object_object_add(o, "budget_pps", json_object_new_int64(st->budget_pps));
	json_object_object_add(o, "ttl", json_object_new_int64((int64_t)ttl_s));
	json_object_object_add(o, "reason", json_object_new_string(reason));
	json_object_object_add(o, "applied", json_object_new_boolean(applied));
	json_object_object_add(o, "ts", json_object_new_double((double)now_ns / 1e9));
	if (a->state_dir)
		xg_journal_append_json(a->state_dir, o, false, err, sizeof(err));
	if (a->sink.emit)
		a->sink.emit(a->sink.arg, "mitigation", now_ns, o);
	json_object_put(o);
}

void xg_apply_init(struct xg_applier *a, const struct xg_maps *m, struct xg_event_sink sink)
{
	memset(a, 0, sizeof(*a));
	a->maps = m;
	a->sink = sink;
}

void xg_apply_free(struct xg_applier *a)
{
	struct xg_active *x, *xt;
	struct xg_recent *r, *rt;
	struct xg_learned *l, *lt;

	HASH_ITER (hh, a->active, x, xt) {
		HASH_DEL(a->active, x);
		free(x);
	}
	HASH_ITER (hh, a->recent, r, rt) {
		HASH_DEL(a->recent, r);
		free(r);
	}
	HASH_ITER (hh, a->learned, l, lt) {
		HASH_DEL(a->learned, l);
		free(l);
	}
	a->n_active = a->n_learned = 0;
}

void xg_apply_own_addresses(struct xg_applier *a)
{
	struct ifaddrs *ifs, *i;

	a->n_own = 0;
	if (getifaddrs(&ifs))
		return;
	for (i = ifs; i && a->n_own < XG_OWN_ADDRS_MAX; i = i->ifa_next) {
		struct xg_cidr *c = &a->own[a->n_own];

		if (!i->ifa_addr)
			continue;
		memset(c, 0, sizeof(*c));
		if (i->ifa_addr->sa_family == AF_INET) {
			c->family = AF_INET;
			c->prefixlen = 32;
			memcpy(c->addr, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			c->family = AF_INET6;
			c->prefixlen = 128;
			memcpy(c->addr, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, 16);
		} else {
			continue;
		}
		a->n_own++;
	}
	freeifaddrs(ifs);
}

struct stale_ctx {
	const struct xg_mitigation_cfg *cfg;
	struct xg_cidr gone[XG_CFG_MAX_CIDRS];
	int n;
};

/* Config allowlist entries the new config no longer has. */
static int find_stale(const struct xg_entry *e, void *arg)
{
	struct stale_ctx *sc = arg;
	int i;

	if (e->allow.origin != XG_ORIGIN_CONFIG || sc->n == XG_CFG_MAX_CIDRS)
		return 0;
	for (i = 0; i < sc->cfg->n_allow; i++)
		if (!memcmp(&sc->cfg->allow[i], &e->cidr, sizeof(e->cidr)))
			return 0;
	sc->gone[sc->n++] = e->cidr;
	return 0;
}

int xg_apply_configure(struct xg_applier *a, const struct xg_mitigation_cfg *cfg, char *err,
		       size_t errlen)
{
	struct stale_ctx *sc = calloc(1, sizeof(*sc));
	int i, ret;

	a->cfg = cfg;
	/* A reload that drops an allowlist entry takes it out of the program. */
	if (sc) {
		sc->cfg = cfg;
		xg_list_walk(a->maps, XG_LIST_ALLOW, find_stale, sc);
		for (i = 0; i < sc->n; i++)
			xg_list_del(a->maps, XG_LIST_ALLOW, &sc->gone[i], err, errlen);
		free(sc);
	}
	for (i = 0; i < cfg->n_allow; i++) {
		ret = xg_allow_add_origin(a->maps, &cfg->allow[i], "config allowlist",
					  XG_ORIGIN_CONFIG, mono_ns(), err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- what is preserved, for the planner and the final guard ---- */

struct keep_ctx {
	struct xg_applier *a;
	const struct xg_peers *peers;
};

static bool in_allow_maps(const struct xg_maps *m, const struct xg_cidr *host)
{
	struct xg_allow v;

	return bpf_map_lookup_elem(host->family == AF_INET ? m->allow_v4 : m->allow_v6, host->addr,
				   &v) == 0;
}

static bool keep_is_preserved(void *arg, const struct xg_cidr *host)
{
	struct keep_ctx *k = arg;
	int i;

	for (i = 0; i < k->a->n_own; i++)
		if (xg_cidr_contains(host, &k->a->own[i]) || xg_cidr_contains(&k->a->own[i], host))
			return true;
	for (i = 0; k->a->cfg && i < k->a->cfg->n_allow; i++)
		if (xg_cidr_contains(&k->a->cfg->allow[i], host))
			return true;
	if (k->peers && xg_peers_is_known(k->peers, host))
		return true;
	return xg_cidr_is_host(host) && in_allow_maps(k->a->maps, host);
}

static bool keep_covers(void *arg, const struct xg_cidr *prefix)
{
	struct keep_ctx *k = arg;
	const struct xg_peer_entry *e, *tmp;
	int i;

	for (i = 0; i < k->a->n_own; i++)
		if (xg_cidr_contains(prefix, &k->a->own[i]))
			return true;
	for (i = 0; k->a->cfg && i < k->a->cfg->n_allow; i++)
		if (xg_cidr_contains(prefix, &k->a->cfg->allow[i]) ||
		    xg_cidr_contains(&k->a->cfg->allow[i], prefix))
			return true;
	if (k->peers)
		HASH_ITER (hh, k->peers->table, e, tmp) {
			if (e->known && xg_cidr_contains(prefix, &e->addr))
				return true;
		}
	return false;
}

static bool keep_is_soft(void *arg, const struct xg_cidr *host)
{
	struct keep_ctx *k = arg;
	int i;

	for (i = 0; k->a->cfg && i < k->a->cfg->n_soft; i++)
		if (xg_cidr_contains(&k->a->cfg->soft[i], host))
			return true;
	return false;
}

/* ---- map changes ---- */

static int set_config_bits(struct xg_applier *a, const struct xg_step *st, bool on)
{
	struct xg_config rc;
	int lock = -1, ret;
	char err[256];

	if (a->lock_config) {
		lock = xg_lock(err, sizeof(err));
		if (lock < 0)
			return lock;
	}
	ret = xg_rtcfg_read(a->maps, &rc);
	if (!ret) {
		if (st->kind == XG_STEP_PROTECT) {
			uint32_t bit = 1u << (st->svc & (XG_SVC_SLOTS - 1));

			if (on) {
				rc.protect_mask |= bit;
				rc.protect_src_pps[st->svc & (XG_SVC_SLOTS - 1)] = st->rate_pps;
				rc.protect_budget_pps[st->svc & (XG_SVC_SLOTS - 1)] =
				    st->budget_pps;
			} else {
				rc.protect_mask &= ~bit;
			}
		} else {
			uint32_t bit = 1u << (st->amp & 31);

			if (on) {
				rc.amp_drop_mask |= bit;
				if (a->cfg) {
					rc.client_lo = a->cfg->client_ports.lo;
					rc.client_hi = a->cfg->client_ports.hi;
				}
			} else {
				rc.amp_drop_mask &= ~bit;
			}
		}
		ret = xg_rtcfg_write(a->maps, &rc);
	}
	xg_unlock(lock);
	return ret;
}

static uint8_t why_of(const struct xg_step *st)
{
	if (!xg_cidr_is_host(&st->target))
		return XG_WHY_AGGREGATE;
	return st->kind == XG_STEP_RATELIMIT ? XG_WHY_SOFT : XG_WHY_TOP_SOURCE;
}

static uint32_t incident_seq(const char *id)
{
	const char *dash = id ? strrchr(id, '-') : NULL;

	return dash ? (uint32_t)strtoul(dash + 1, NULL, 10) : 0;
}

/* Puts one step in force (or refreshes its program-side expiry). */
static int put_step(struct xg_applier *a, const struct xg_step *st, const char *incident,
		    uint64_t ttl_s)
{
	char err[256];

	switch (st->kind) {
	case XG_STEP_BLOCK:
	case XG_STEP_RATELIMIT: {
		struct xg_block_spec spec = {
		    .ttl_s = ttl_s + BPF_EXPIRY_SLACK_S,
		    .rate_pps = st->kind == XG_STEP_RATELIMIT ? st->rate_pps : 0,
		    .incident = incident_seq(incident),
		    .origin = XG_ORIGIN_CONTROLLER,
		    .why = why_of(st),
		};

		return xg_block_add(a->maps, &st->target, &spec, mono_ns(), err, sizeof(err));
	}
	case XG_STEP_PROTECT:
	case XG_STEP_AMP_DROP:
		return set_config_bits(a, st, true);
	}
	return -EINVAL;
}

static void take_step(struct xg_applier *a, const struct xg_step *st)
{
	char err[256];

	switch (st->kind) {
	case XG_STEP_BLOCK:
	case XG_STEP_RATELIMIT:
		xg_list_del(a->maps, XG_LIST_BLOCK, &st->target, err, sizeof(err));
		break;
	case XG_STEP_PROTECT:
	case XG_STEP_AMP_DROP:
		set_config_bits(a, st, false);
		break;
	}
}

static const char *add_action(const struct xg_step *st)
{
	switch (st->kind) {
	case XG_STEP_BLOCK:
		return "block";
	case XG_STEP_RATELIMIT:
		return "ratelimit";
	default:
		return "protect";
	}
}

static const char *remove_action(const struct xg_step *st)
{
	return st->kind == XG_STEP_BLOCK || st->kind == XG_STEP_RATELIMIT ? "unblock" : "unprotect";
}

static void withdraw(struct xg_applier *a, struct xg_active *x, uint64_t now_ns, const char *why,
		     bool applied, uint64_t cooldown_s)
{
	struct xg_recent *r;

	if (applied)
		take_step(a, &x->step);
	emit(a, remove_action(&x->step), &x->step, x->incident, 0, why, applied, now_ns);
	HASH_FIND_STR(a->recent, x->key, r);
	if (!r && (r = calloc(1, sizeof(*r)))) {
		snprintf(r->key, sizeof(r->key), "%s", x->key);
		HASH_ADD_STR(a->recent, key, r);
	}
	if (r)
		r->until_ns = now_ns + cooldown_s * NS;
	HASH_DEL(a->active, x);
	a->n_active--;
	free(x);
}

static size_t host_entries(const struct xg_applier *a)
{
	const struct xg_active *x, *t;
	size_t n = 0;

	HASH_ITER (hh, a->active, x, t) {
		if (x->step.kind == XG_STEP_BLOCK || x->step.kind == XG_STEP_RATELIMIT)
			n++;
	}
	return n;
}

/* The last guard before a drop: nothing the planner sent may touch what is
 * preserved, whatever the plan says. */
static bool guard_ok(struct keep_ctx *k, const struct xg_step *st)
{
	if (st->kind == XG_STEP_BLOCK)
		return !keep_is_preserved(k, &st->target) && !keep_covers(k, &st->target);
	if (st->kind == XG_STEP_RATELIMIT && xg_cidr_is_host(&st->target))
		return !keep_is_preserved(k, &st->target) || keep_is_soft(k, &st->target);
	return true;
}

static void plan_and_apply(struct xg_applier *a, const struct xg_incident *inc,
			   const struct xg_snapshot *s, struct keep_ctx *k,
			   const double peace_unknown_pps[XG_SVC_MAX], uint64_t now_ns, bool enact)
{
	struct xg_preserved keep = {keep_is_preserved, keep_covers, keep_is_soft, k};
	const struct xg_mitigation_cfg *cfg = a->cfg;
	struct xg_plan *plan = malloc(sizeof(*plan));
	uint64_t ttl = cfg->block_ttl_s;
	int i;

	if (!plan)
		return;
	xg_plan(&cfg->plan, inc, s, &keep, peace_unknown_pps, plan);
	if (now_ns - a->minute_ns >= 60 * NS) {
		a->minute_ns = now_ns;
		a->inserts = 0;
	}
	for (i = 0; i < plan->n; i++) {
		const struct xg_step *st = &plan->steps[i];
		struct xg_active *x;
		struct xg_recent *r;
		char key[80];
		bool is_host_entry = st->kind == XG_STEP_BLOCK || st->kind == XG_STEP_RATELIMIT;

		step_key(st, key, sizeof(key));
		HASH_FIND_STR(a->active, key, x);
		if (x) {
			/* Still needed: extend, here and in the program. */
			x->expires_ns = now_ns + ttl * NS;
			if (enact && is_host_entry)
				put_step(a, st, x->incident, ttl);
			continue;
		}
		if (!guard_ok(k, st)) {
			a->steps_refused++;
			emit(a, "refused", st, inc->id, 0, "would touch a preserved source", false,
			     now_ns);
			continue;
		}
		HASH_FIND_STR(a->recent, key, r);
		if (r && r->until_ns > now_ns)
			continue; /* cooldown: withdrawn a moment ago */
		if (is_host_entry && (host_entries(a) >= cfg->max_entries ||
				      a->inserts >= cfg->max_inserts_per_min)) {
			a->steps_refused++;
			continue;
		}
		x = calloc(1, sizeof(*x));
		if (!x)
			break;
		snprintf(x->key, sizeof(x->key), "%s", key);
		x->step = *st;
		x->first_ns = now_ns;
		x->expires_ns = now_ns + ttl * NS;
		snprintf(x->incident, sizeof(x->incident), "%s", inc->id);
		if (enact && put_step(a, st, inc->id, ttl)) {
			free(x);
			a->steps_refused++;
			continue;
		}
		HASH_ADD_STR(a->active, key, x);
		a->n_active++;
		if (is_host_entry)
			a->inserts++;
		a->steps_applied++;
		a->last_new_ns = now_ns;
		emit(a, add_action(st), st, inc->id, ttl, st->reason, enact, now_ns);
	}
	free(plan);
}

int xg_apply_blocks(const struct xg_applier *a, const char *incident, struct xg_plan *out)
{
	struct xg_active *x, *t;

	out->n = 0;
	HASH_ITER (hh, a->active, x, t) {
		if (out->n >= XG_PLAN_MAX_STEPS)
			break;
		if (x->step.kind == XG_STEP_BLOCK && !strcmp(x->incident, incident))
			out->steps[out->n++] = x->step;
	}
	return out->n;
}

/* Preserved-peer traffic (allowlist hits) collapsing right after new steps
 * means the steps hurt what they protect: take the new ones back. */
static void collateral_check(struct xg_applier *a, const struct xg_snapshot *s,
			     const struct xg_incident *inc, uint64_t now_ns, bool enact)
{
	struct xg_active *x, *t;
	char why[160];

	if (!inc) {
		a->peer_normal_pps = a->peer_normal_pps
					 ? (1 - PEER_NORMAL_ALPHA) * a->peer_normal_pps +
					       PEER_NORMAL_ALPHA * s->allowed_pps
					 : s->allowed_pps;
		return;
	}
	if (a->cfg->collateral_share <= 0 || a->peer_normal_pps < COLLATERAL_MIN_PPS ||
	    !a->last_new_ns || now_ns - a->last_new_ns > COLLATERAL_WINDOW_NS ||
	    s->allowed_pps >= a->cfg->collateral_share * a->peer_normal_pps)
		return;
	snprintf(why, sizeof(why),
		 "collateral: preserved-peer traffic fell to %.0f pps from a normal %.0f pps "
		 "after this step",
		 s->allowed_pps, a->peer_normal_pps);
	HASH_ITER (hh, a->active, x, t) {
		if (now_ns - x->first_ns <= COLLATERAL_WINDOW_NS) {
			a->rollbacks++;
			withdraw(a, x, now_ns, why, enact, a->cfg->block_ttl_s);
		}
	}
	a->last_new_ns = 0;
}

void xg_apply_tick(struct xg_applier *a, const struct xg_incident *inc, const struct xg_snapshot *s,
		   const struct xg_peers *peers, const double peace_unknown_pps[XG_SVC_MAX],
		   uint64_t now_ns, bool monitor_only)
{
	struct keep_ctx k = {a, peers};
	struct xg_active *x, *t;
	bool enact;

	if (!a->cfg)
		return;
	enact = !monitor_only && !a->cfg->dry_run;
	if (inc && a->cfg->enabled)
		plan_and_apply(a, inc, s, &k, peace_unknown_pps, now_ns, enact);
	collateral_check(a, s, inc, now_ns, enact);
	HASH_ITER (hh, a->active, x, t) {
		if (x->expires_ns <= now_ns)
			withdraw(a, x, now_ns,
				 inc ? "no longer needed" : "incident over and TTL passed", enact,
				 a->cfg->cooldown_s);
	}
}

/* The learned peers not in the allowlist yet, each made an entry, in one
 * batch: one map update per family however many, where an insert each
 * would re-plan the lists every time (65k peers took seconds). */
static int add_learned(struct xg_applier *a, const struct xg_peers *peers, uint64_t mono)
{
	const struct xg_peer_entry *e, *et, **src;
	struct xg_cidr *cidrs;
	struct xg_allow *vals;
	struct xg_learned *l;
	size_t n = 0, i, cap = HASH_COUNT(peers->table);
	char err[256];
	int ret = 0;

	cidrs = calloc(cap ? cap : 1, sizeof(*cidrs));
	vals = calloc(cap ? cap : 1, sizeof(*vals));
	src = calloc(cap ? cap : 1, sizeof(*src));
	if (!cidrs || !vals || !src) {
		free(cidrs);
		free(vals);
		free(src);
		return -ENOMEM;
	}
	HASH_ITER (hh, peers->table, e, et) {
		if (!e->known || a->n_learned + n >= a->cfg->max_peers)
			continue;
		HASH_FIND(hh, a->learned, e->key, sizeof(e->key), l);
		if (l || in_allow_maps(a->maps, &e->addr))
			continue; /* known, or allowlisted by hand or by config */
		src[n] = e;
		cidrs[n] = e->addr;
		vals[n].created_ns = mono;
		vals[n].origin = XG_ORIGIN_LEARNED;
		snprintf(vals[n].comment, sizeof(vals[n].comment), "%s",
			 e->via_rtp ? "learned RTP peer" : "learned SIP peer");
		n++;
	}
	if (n)
		ret = xg_list_add_many(a->maps, XG_LIST_ALLOW, cidrs, vals, n, err, sizeof(err));
	for (i = 0; !ret && i < n; i++) {
		l = calloc(1, sizeof(*l));
		if (!l)
			break;
		memcpy(l->key, src[i]->key, sizeof(l->key));
		l->addr = cidrs[i];
		HASH_ADD(hh, a->learned, key, sizeof(l->key), l);
		a->n_learned++;
	}
	free(cidrs);
	free(vals);
	free(src);
	return ret;
}

int xg_apply_sync_peers(struct xg_applier *a, const struct xg_peers *peers, uint64_t mono)
{
	struct xg_learned *l, *lt;
	char err[256];
	int ret;

	if (!a->cfg)
		return 0;
	ret = add_learned(a, peers, mono);
	/* Peers that aged out or turned bad leave the allowlist. */
	HASH_ITER (hh, a->learned, l, lt) {
		if (xg_peers_is_known(peers, &l->addr))
			continue;
		xg_list_del(a->maps, XG_LIST_ALLOW, &l->addr, err, sizeof(err));
		HASH_DEL(a->learned, l);
		a->n_learned--;
		free(l);
	}
	return ret;
}
