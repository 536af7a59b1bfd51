// SPDX-License-Identifier: GPL-2.0-only
/*
 * The BGP rule table, its safety limits and the speaker workers (see
 * bgp.h).
 */
#include "bgp.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "alertq.h"
#include "bgp_speaker.h"
#include "escalate.h"
#include "fsutil.h"
#include "journal.h"

#define NS		1000000000ULL
#define RULES_FILE	"rules.json"
#define STATUS_FILE	"status.json"
#define QUEUE_DIR	"queue"
#define SPOOL_DIR	"spool"
#define QUEUE_CAPACITY	20000
#define PROBE_EVERY_MS	5000
#define WAIT_MAX_MS	1000
#define BACKOFF_MAX_S	60
#define SPOOL_PER_TICK	64
#define STATUS_EVERY_NS (NS / 2)
#define SCRUB_SINK	"scrub" /* the queue's pseudo speaker for the trigger */

struct rule {
	char key[XG_BGP_TEXT_MAX];
	struct xg_bgp_intent in;
	int level;
	bool dry_run;
	uint32_t ttl_s;
	uint64_t created_ns, expires_ns;
	int n_owners;
	char owners[XG_BGP_OWNERS_MAX][XG_BGP_OWNER_MAX];
};

struct speaker {
	struct xg_bgp *b;
	int idx;
	pthread_t thread;
	bool running;
	struct xg_exa exa;
	bool exa_seen; /* a relay connected since the worker started */
	/* under b->lock */
	bool up;
	char session[128];
	uint64_t sent, failed, last_ok_ns, next_retry_ns;
	char last_error[XG_SPK_DETAIL_MAX];
};

struct xg_bgp {
	struct xg_bgp_cfg cfg;
	struct xg_bgp_opts o;
	char state_dir[XG_BGP_PATH_MAX];
	char dir[XG_BGP_PATH_MAX + 8];
	struct xg_alertq *q;

	pthread_mutex_t lock; /* everything below, and cfg while workers run */
	struct rule *rules;
	size_t n, cap;
	uint64_t *window; /* times of the announcements of the last minute, a ring */
	size_t win_head, win_n, win_cap;
	bool dirty;
	bool stop;
	uint64_t last_status_ns;
	uint64_t announced, withdrawn, refused;
	uint64_t last_refusal_ns; /* journaled */
	uint64_t spk_refused;	  /* operations a speaker refused for good */
	char spk_refusal[XG_BGP_NAME_MAX + XG_SPK_DETAIL_MAX + 4];
	struct speaker spk[XG_BGP_SPEAKERS_MAX];
	bool scrub_running;
	pthread_t scrub_thread;
};

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

__attribute__((format(printf, 3, 4))) static void logf_(struct xg_bgp *b, const char *level,
							const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!b->o.log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	b->o.log(b->o.log_arg, level, msg);
}

static void journal(struct xg_bgp *b, struct json_object *o)
{
	char err[256];

	if (xg_journal_append_json(b->state_dir, o, false, err, sizeof(err)))
		logf_(b, "warn", "bgp: journal: %s", err);
	json_object_put(o);
}

static struct json_object *event_obj(const char *event, uint64_t now_ns)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "event", json_object_new_string(event));
	json_object_object_add(o, "ts", json_object_new_double((double)now_ns / 1e9));
	return o;
}

void xg_bgp_exabgp_socket(const struct xg_bgp_cfg *cfg, const char *state_dir, char *buf,
			  size_t len)
{
	int i;

	for (i = 0; i < cfg->n_speakers; i++)
		if (cfg->speakers[i].type == XG_SPK_EXABGP && cfg->speakers[i].socket[0]) {
			snprintf(buf, len, "%s", cfg->speakers[i].socket);
			return;
		}
	snprintf(buf, len, "%s/bgp/exabgp.sock", state_dir);
}

/* ---- the table ---- */

static struct rule *find(struct xg_bgp *b, const char *key)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (!strcmp(b->rules[i].key, key))
			return &b->rules[i];
	return NULL;
}

static bool carries(const struct xg_speaker_cfg *s, const struct xg_bgp_intent *in)
{
	return in->kind == XG_BGP_RTBH ? s->rtbh : s->flowspec;
}

static bool carried(const struct xg_bgp *b, const struct xg_bgp_intent *in)
{
	int i;

	for (i = 0; i < b->cfg.n_speakers; i++)
		if (carries(&b->cfg.speakers[i], in))
			return true;
	return false;
}

static struct json_object *owners_json(const struct rule *r)
{
	struct json_object *a = json_object_new_array();
	int i;

	for (i = 0; i < r->n_owners; i++)
		json_object_array_add(a, json_object_new_string(r->owners[i]));
	return a;
}

/* Queues op for every speaker that carries the rule; BIRD gets a "sync"
 * (it loads the whole table). Called with the lock held. */
static int queue_op(struct xg_bgp *b, const struct rule *r, const char *op, uint64_t now_ns)
{
	struct xg_alertq_event ev[XG_BGP_SPEAKERS_MAX];
	char *bodies[XG_BGP_SPEAKERS_MAX] = {0};
	size_t n = 0, i;
	int k, ret = 0;

	for (k = 0; k < b->cfg.n_speakers; k++) {
		const struct xg_speaker_cfg *s = &b->cfg.speakers[k];
		struct json_object *o;
		bool bird = s->type == XG_SPK_BIRD;

		if (!carries(s, &r->in))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "op", json_object_new_string(bird ? "sync" : op));
		json_object_object_add(o, "rule", json_object_new_string(r->key));
		json_object_object_add(o, "owners", owners_json(r));
		bodies[n] = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
		if (!bodies[n]) {
			ret = -ENOMEM;
			goto out;
		}
		/* per-rule order (announce before withdraw); BIRD's syncs all
		 * read the table, so they need no order */
		ev[n] = (struct xg_alertq_event){.sink = s->name,
						 .dedup_key = bird ? NULL : r->key,
						 .payload = bodies[n],
						 .len = strlen(bodies[n]),
						 .not_before_ns = now_ns};
		n++;
	}
	if (n)
		ret = xg_alertq_push_many(b->q, ev, n, NULL, NULL);
out:
	for (i = 0; i < n; i++)
		free(bodies[i]);
	if (ret)
		logf_(b, "error", "bgp: cannot queue %s of %s: %s", op, r->key, strerror(-ret));
	return ret;
}

static size_t window_count(struct xg_bgp *b, uint64_t now_ns)
{
	/* drop what left the minute */
	while (b->win_n) {
		uint64_t t = b->window[(b->win_head + b->win_cap - b->win_n) % b->win_cap];

		if (now_ns - t < 60 * NS)
			break;
		b->win_n--;
	}
	return b->win_n;
}

static void window_add(struct xg_bgp *b, uint64_t now_ns)
{
	b->window[b->win_head] = now_ns;
	b->win_head = (b->win_head + 1) % b->win_cap;
	if (b->win_n < b->win_cap)
		b->win_n++;
}

static size_t live_count(struct xg_bgp *b)
{
	size_t i, n = 0;

	for (i = 0; i < b->n; i++)
		n += !b->rules[i].dry_run;
	return n;
}

static void journal_rule(struct xg_bgp *b, const char *event, const struct rule *r, const char *why,
			 uint64_t now_ns)
{
	struct json_object *o = event_obj(event, now_ns);

	json_object_object_add(o, "rule", json_object_new_string(r->key));
	json_object_object_add(o, "level",
			       json_object_new_string(xg_bgp_level_name(r->level) ?: "manual"));
	json_object_object_add(o, "owners", owners_json(r));
	json_object_object_add(o, "dry_run", json_object_new_boolean(r->dry_run));
	if (why)
		json_object_object_add(o, "why", json_object_new_string(why));
	if (r->dry_run) {
		/* what would have gone to each speaker */
		struct json_object *p = json_object_new_object();
		int k;

		for (k = 0; k < b->cfg.n_speakers; k++) {
			const struct xg_speaker_cfg *s = &b->cfg.speakers[k];
			const char *nh =
			    r->in.dst.family == AF_INET6 ? b->cfg.next_hop_v6 : b->cfg.next_hop_v4;
			char text[XG_SPK_PAYLOAD_MAX];

			if (!carries(s, &r->in) || s->type != XG_SPK_EXABGP)
				continue;
			if (xg_bgp_render_exabgp(&r->in, !strcmp(event, "bgp_announce"), nh, text,
						 sizeof(text)) >= 0)
				json_object_object_add(p, s->name, json_object_new_string(text));
		}
		json_object_object_add(o, "payloads", p);
	}
	journal(b, o);
}

/* Admits a new rule. Called with the lock held. 0, or -EPERM/-EAGAIN/-ENOSPC
 * with why. */
static int admit(struct xg_bgp *b, const struct xg_bgp_intent *in, bool dry_run, uint64_t now_ns,
		 char *why, size_t whylen)
{
	int r = xg_esc_admit(&b->cfg, in, why, whylen);

	if (r)
		return r;
	if (dry_run)
		return 0;
	if (!carried(b, in)) {
		snprintf(why, whylen,
			 "no speaker carries %s (bgp.speakers[].families): it would go nowhere",
			 in->kind == XG_BGP_RTBH ? "rtbh" : "flowspec");
		return -EPERM;
	}
	if (live_count(b) >= b->cfg.max_rules) {
		snprintf(why, whylen, "at the cap of %u active rules (bgp.max_rules)",
			 b->cfg.max_rules);
		return -ENOSPC;
	}
	if (window_count(b, now_ns) >= b->cfg.max_announce_per_min) {
		snprintf(why, whylen,
			 "%u announcements in the last minute (bgp.max_announce_per_min): "
			 "held back",
			 b->cfg.max_announce_per_min);
		return -EAGAIN;
	}
	return 0;
}

static bool has_owner(const struct rule *r, const char *owner)
{
	int i;

	for (i = 0; i < r->n_owners; i++)
		if (!strcmp(r->owners[i], owner))
			return true;
	return false;
}

static void add_owner(struct rule *r, const char *owner)
{
	if (has_owner(r, owner) || r->n_owners >= XG_BGP_OWNERS_MAX)
		return;
	snprintf(r->owners[r->n_owners++], XG_BGP_OWNER_MAX, "%s", owner);
}

static void del_owner(struct rule *r, const char *owner)
{
	int i;

	for (i = 0; i < r->n_owners; i++)
		if (!strcmp(r->owners[i], owner)) {
			memmove(&r->owners[i], &r->owners[i + 1],
				(size_t)(r->n_owners - i - 1) * XG_BGP_OWNER_MAX);
			r->n_owners--;
			return;
		}
}

/* Removes rules[i] (withdrawing it unless dry-run). Lock held. */
static void remove_rule(struct xg_bgp *b, size_t i, const char *why, uint64_t now_ns)
{
	struct rule *r = &b->rules[i];

	if (!r->dry_run)
		queue_op(b, r, "withdraw", now_ns);
	journal_rule(b, "bgp_withdraw", r, why, now_ns);
	logf_(b, "info", "bgp: withdraw %s%s (%s)", r->dry_run ? "(dry-run) " : "", r->key, why);
	b->withdrawn++;
	b->rules[i] = b->rules[--b->n];
	b->dirty = true;
}

/* Adds a new rule. Lock held. */
static int add_rule(struct xg_bgp *b, const struct xg_bgp_intent *in, const char *key, int level,
		    bool dry_run, const char *owner, uint32_t ttl_s, uint64_t now_ns, char *why,
		    size_t whylen)
{
	struct rule *r;
	int ret = admit(b, in, dry_run, now_ns, why, whylen);

	if (ret)
		return ret;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct rule *nr = realloc(b->rules, cap * sizeof(*nr));

		if (!nr) {
			snprintf(why, whylen, "out of memory");
			return -ENOMEM;
		}
		b->rules = nr;
		b->cap = cap;
	}
	r = &b->rules[b->n];
	memset(r, 0, sizeof(*r));
	snprintf(r->key, sizeof(r->key), "%s", key);
	r->in = *in;
	r->level = level;
	r->dry_run = dry_run;
	r->ttl_s = ttl_s;
	r->created_ns = now_ns;
	r->expires_ns = now_ns + (uint64_t)ttl_s * NS;
	add_owner(r, owner);
	if (!dry_run) {
		ret = queue_op(b, r, "announce", now_ns);
		if (ret) {
			snprintf(why, whylen, "cannot queue: %s", strerror(-ret));
			return ret;
		}
		window_add(b, now_ns);
	}
	b->n++;
	b->announced++;
	b->dirty = true;
	journal_rule(b, "bgp_announce", r, NULL, now_ns);
	logf_(b, "info", "bgp: announce %s%s (for %s, TTL %u s)", dry_run ? "(dry-run) " : "", key,
	      owner, ttl_s);
	return 0;
}

static bool level_dry(const struct xg_bgp_cfg *cfg, int level)
{
	if (cfg->dry_run)
		return true;
	return level > XG_LVL_LOCAL && level < XG_LVL_MAX && cfg->level[level].dry_run;
}

/* Counts a refused rule and journals it (bgp_refused); quiet: at most one
 * journal line per 10 s (the controller retries every tick). Lock held. */
static void refused(struct xg_bgp *b, const char *key, const char *owner, const char *why,
		    uint64_t now_ns, bool quiet)
{
	struct json_object *o;

	b->refused++;
	if (quiet && now_ns - b->last_refusal_ns < 10 * NS)
		return;
	b->last_refusal_ns = now_ns;
	o = event_obj("bgp_refused", now_ns);
	json_object_object_add(o, "rule", json_object_new_string(key));
	json_object_object_add(o, "owner", json_object_new_string(owner));
	json_object_object_add(o, "why", json_object_new_string(why));
	journal(b, o);
}

int xg_bgp_sync(struct xg_bgp *b, const char *owner, const struct xg_bgp_intent *rules,
		const int *levels, int n, uint32_t ttl_s, uint64_t now_ns,
		struct xg_bgp_sync_result *res)
{
	char(*keys)[XG_BGP_TEXT_MAX] = NULL;
	size_t i;
	int k;

	memset(res, 0, sizeof(*res));
	if (!ttl_s)
		ttl_s = b->cfg.rule_ttl_s;
	if (n > 0) {
		keys = calloc((size_t)n, sizeof(*keys));
		if (!keys)
			return -ENOMEM;
	}
	for (k = 0; k < n; k++)
		if (xg_bgp_intent_format(&rules[k], keys[k], sizeof(keys[k])) < 0)
			keys[k][0] = '\0';
	pthread_mutex_lock(&b->lock);
	for (k = 0; k < n; k++) {
		int level = levels ? levels[k] : XG_LVL_FS_DISCARD;
		struct rule *r;
		char why[256];

		if (!keys[k][0])
			continue;
		r = find(b, keys[k]);
		if (r) {
			add_owner(r, owner);
			if (r->expires_ns < now_ns + (uint64_t)ttl_s * NS)
				r->expires_ns = now_ns + (uint64_t)ttl_s * NS;
			res->refreshed++;
			continue;
		}
		if (add_rule(b, &rules[k], keys[k], level, level_dry(&b->cfg, level), owner, ttl_s,
			     now_ns, why, sizeof(why))) {
			if (!res->refused)
				snprintf(res->first_refusal, sizeof(res->first_refusal), "%s: %s",
					 keys[k], why);
			res->refused++;
			/* A held-back rule is tried again every tick: one journal
			 * line per 10 s is the story, the counter the size. */
			refused(b, keys[k], owner, why, now_ns, true);
			continue;
		}
		res->announced++;
	}
	/* this owner's rules that it no longer wants */
	for (i = b->n; i-- > 0;) {
		struct rule *r = &b->rules[i];
		bool wanted = false;

		if (!has_owner(r, owner))
			continue;
		for (k = 0; k < n && !wanted; k++)
			wanted = !strcmp(keys[k], r->key);
		if (wanted)
			continue;
		del_owner(r, owner);
		b->dirty = true;
		if (!r->n_owners) {
			remove_rule(b, i, n ? "no longer needed at this level" : "released",
				    now_ns);
			res->withdrawn++;
		}
	}
	pthread_mutex_unlock(&b->lock);
	free(keys);
	return 0;
}

int xg_bgp_announce(struct xg_bgp *b, const struct xg_bgp_intent *in_, const char *owner,
		    uint32_t ttl_s, uint64_t now_ns, char *why, size_t whylen)
{
	struct xg_bgp_intent pol = *in_, *in = &pol;
	char key[XG_BGP_TEXT_MAX];
	struct rule *r;
	int ret = 0;

	xg_esc_rtbh_policy(&b->cfg, in);
	if (xg_bgp_intent_validate(in, why, whylen) ||
	    xg_bgp_intent_format(in, key, sizeof(key)) < 0)
		return -EINVAL;
	if (!owner || !owner[0])
		owner = "manual";
	if (!ttl_s)
		ttl_s = b->cfg.rule_ttl_s;
	pthread_mutex_lock(&b->lock);
	r = find(b, key);
	if (r) {
		add_owner(r, owner);
		if (r->expires_ns < now_ns + (uint64_t)ttl_s * NS)
			r->expires_ns = now_ns + (uint64_t)ttl_s * NS;
		b->dirty = true;
	} else {
		ret = add_rule(b, in, key, XG_LVL_NONE, b->cfg.dry_run, owner, ttl_s, now_ns, why,
			       whylen);
		/* a manual refusal is one decision: always journalled */
		if (ret == -EPERM || ret == -EINVAL || ret == -ENOSPC || ret == -EAGAIN)
			refused(b, key, owner, why, now_ns, false);
	}
	pthread_mutex_unlock(&b->lock);
	return ret;
}

int xg_bgp_withdraw(struct xg_bgp *b, const struct xg_bgp_intent *in, uint64_t now_ns, char *why,
		    size_t whylen)
{
	char key[XG_BGP_TEXT_MAX];
	struct rule *r;
	int ret = 0;

	if (xg_bgp_intent_validate(in, why, whylen) ||
	    xg_bgp_intent_format(in, key, sizeof(key)) < 0)
		return -EINVAL;
	pthread_mutex_lock(&b->lock);
	r = find(b, key);
	if (!r && in->kind == XG_BGP_RTBH) {
		/* as announce put it in force: with the RTBH policy's communities */
		struct xg_bgp_intent pol = *in;
		char pkey[XG_BGP_TEXT_MAX];

		xg_esc_rtbh_policy(&b->cfg, &pol);
		if (xg_bgp_intent_format(&pol, pkey, sizeof(pkey)) >= 0)
			r = find(b, pkey);
	}
	if (r) {
		remove_rule(b, (size_t)(r - b->rules), "withdrawn by hand", now_ns);
	} else {
		snprintf(why, whylen, "no such rule in force: %s", key);
		ret = -ENOENT;
	}
	pthread_mutex_unlock(&b->lock);
	return ret;
}

int xg_bgp_flush(struct xg_bgp *b, uint64_t now_ns)
{
	int n = 0;

	pthread_mutex_lock(&b->lock);
	while (b->n) {
		remove_rule(b, b->n - 1, "flush", now_ns);
		n++;
	}
	pthread_mutex_unlock(&b->lock);
	return n;
}

int xg_bgp_scrub(struct xg_bgp *b, const char *owner, struct json_object *context, uint64_t now_ns)
{
	struct json_object *o = json_object_new_object();
	const char *body;
	int ret;

	json_object_object_add(o, "op", json_object_new_string("scrub"));
	json_object_object_add(o, "owner", json_object_new_string(owner));
	json_object_object_add(o, "incident", json_object_get(context));
	body = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if (b->cfg.dry_run || b->cfg.level[XG_LVL_SCRUB].dry_run) {
		struct json_object *j = event_obj("bgp_scrub", now_ns);

		json_object_object_add(j, "owner", json_object_new_string(owner));
		json_object_object_add(j, "dry_run", json_object_new_boolean(true));
		journal(b, j);
		json_object_put(o);
		return 0;
	}
	ret = xg_alertq_push(b->q, SCRUB_SINK, owner, body, strlen(body), now_ns, NULL, NULL);
	json_object_put(o);
	logf_(b, ret ? "error" : "warn", "bgp: scrubbing trigger for %s %s", owner,
	      ret ? "could not be queued" : "queued");
	return ret;
}

/* ---- persistence ---- */

static int save(struct xg_bgp *b)
{
	struct json_object *root = json_object_new_object(), *arr = json_object_new_array();
	char path[sizeof(b->dir) + 32], err[256];
	const char *text;
	size_t i;
	int ret;

	json_object_object_add(root, "version", json_object_new_int(1));
	for (i = 0; i < b->n; i++) {
		const struct rule *r = &b->rules[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "rule", json_object_new_string(r->key));
		json_object_object_add(o, "level", json_object_new_int(r->level));
		json_object_object_add(o, "dry_run", json_object_new_boolean(r->dry_run));
		json_object_object_add(o, "ttl_s", json_object_new_int64(r->ttl_s));
		json_object_object_add(o, "created_ns", json_object_new_uint64(r->created_ns));
		json_object_object_add(o, "expires_ns", json_object_new_uint64(r->expires_ns));
		json_object_object_add(o, "owners", owners_json(r));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "rules", arr);
	/* the announcements of the last minute: max_announce_per_min holds
	 * across runs (each `xdpctl bgp announce` without a controller is one) */
	arr = json_object_new_array();
	for (i = b->win_n; i > 0; i--)
		json_object_array_add(
		    arr,
		    json_object_new_uint64(b->window[(b->win_head + b->win_cap - i) % b->win_cap]));
	json_object_object_add(root, "recent_announcements", arr);
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY);
	snprintf(path, sizeof(path), "%s/%s", b->dir, RULES_FILE);
	ret = xg_write_atomic(path, text, strlen(text), err, sizeof(err));
	json_object_put(root);
	if (ret)
		logf_(b, "error", "bgp: %s", err);
	else
		b->dirty = false;
	return ret;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, key, &v) &&
		       json_object_is_type(v, json_type_string)
		   ? json_object_get_string(v)
		   : NULL;
}

static uint64_t ju64(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_uint64(v) : 0;
}

/* Reloads the table: live rules are announced again, expired ones
 * withdrawn. A rule the file cannot describe any more is dropped with a
 * warning (it lapses at the speaker only through a flush). */
static int load(struct xg_bgp *b, uint64_t now_ns, char *err, size_t errlen)
{
	char path[sizeof(b->dir) + 32], *text = NULL;
	struct json_object *root, *arr;
	size_t len, i, n;
	int again = 0, gone = 0;

	snprintf(path, sizeof(path), "%s/%s", b->dir, RULES_FILE);
	if (access(path, F_OK))
		return 0;
	if (xg_read_file(path, 64 << 20, &text, &len, err, errlen))
		return -EIO;
	root = json_tokener_parse(text);
	free(text);
	if (!root || !json_object_object_get_ex(root, "rules", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		snprintf(err, errlen, "%s: not a rule table (move it aside to start empty)", path);
		json_object_put(root);
		return -EINVAL;
	}
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i), *ow, *v;
		const char *text_rule = jstr(o, "rule");
		struct xg_bgp_intent in;
		struct rule r;
		char why[256];
		size_t k;

		if (!text_rule || xg_bgp_intent_parse(text_rule, &in, why, sizeof(why))) {
			logf_(b, "warn", "bgp: %s: rule %zu unreadable, dropped: %s", path, i,
			      text_rule ? why : "no \"rule\"");
			continue;
		}
		memset(&r, 0, sizeof(r));
		snprintf(r.key, sizeof(r.key), "%s", text_rule);
		r.in = in;
		r.level = json_object_object_get_ex(o, "level", &v) ? json_object_get_int(v) : 0;
		r.dry_run =
		    json_object_object_get_ex(o, "dry_run", &v) && json_object_get_boolean(v);
		r.ttl_s = (uint32_t)ju64(o, "ttl_s");
		r.created_ns = ju64(o, "created_ns");
		r.expires_ns = ju64(o, "expires_ns");
		if (json_object_object_get_ex(o, "owners", &ow) &&
		    json_object_is_type(ow, json_type_array))
			for (k = 0; k < json_object_array_length(ow); k++) {
				const char *s =
				    json_object_get_string(json_object_array_get_idx(ow, k));

				if (s)
					add_owner(&r, s);
			}
		if (b->n == b->cap) {
			size_t cap = b->cap ? b->cap * 2 : 64;
			struct rule *nr = realloc(b->rules, cap * sizeof(*nr));

			if (!nr)
				break;
			b->rules = nr;
			b->cap = cap;
		}
		b->rules[b->n++] = r;
		if (r.expires_ns <= now_ns) {
			remove_rule(b, b->n - 1, "expired while the controller was down", now_ns);
			gone++;
		} else if (!r.dry_run && !b->o.no_reannounce) {
			queue_op(b, &b->rules[b->n - 1], "announce", now_ns);
			again++;
		}
	}
	if (json_object_object_get_ex(root, "recent_announcements", &arr) &&
	    json_object_is_type(arr, json_type_array))
		for (i = 0; i < json_object_array_length(arr); i++) {
			uint64_t t =
			    (uint64_t)json_object_get_uint64(json_object_array_get_idx(arr, i));

			if (t <= now_ns && now_ns - t < 60 * NS)
				window_add(b, t);
		}
	json_object_put(root);
	if (again || gone)
		logf_(b, "info", "bgp: restart: %d rules announced again, %d expired and withdrawn",
		      again, gone);
	b->dirty = gone > 0;
	return 0;
}

/* ---- workers ---- */

static void speaker_result(struct speaker *w, const struct xg_alert_item *it, const char *op,
			   const char *rule, const struct xg_spk_result *res)
{
	struct xg_bgp *b = w->b;
	const struct xg_speaker_cfg *s = &b->cfg.speakers[w->idx];
	uint64_t now = realtime_ns();
	struct json_object *o;

	if (res->ok || res->permanent) {
		xg_alertq_ack(b->q, it->id);
	} else {
		uint64_t shift = it->attempts < 6 ? it->attempts : 6, delay = NS << shift;

		if (delay > BACKOFF_MAX_S * NS)
			delay = BACKOFF_MAX_S * NS;
		xg_alertq_retry(b->q, it->id, now + delay);
		pthread_mutex_lock(&b->lock);
		w->next_retry_ns = now + delay;
		pthread_mutex_unlock(&b->lock);
	}
	pthread_mutex_lock(&b->lock);
	if (res->ok) {
		w->sent++;
		w->last_ok_ns = now;
		w->next_retry_ns = 0;
	} else {
		w->failed++;
		snprintf(w->last_error, sizeof(w->last_error), "%s", res->detail);
		if (res->permanent) {
			b->spk_refused++;
			snprintf(b->spk_refusal, sizeof(b->spk_refusal), "%s: %s", s->name,
				 res->detail);
		}
	}
	pthread_mutex_unlock(&b->lock);
	/* Only outcomes go to the journal: a retry storm against a dead
	 * speaker is in the log and the status, once per attempt is enough. */
	if (!res->ok && !res->permanent) {
		logf_(b, "warn", "bgp: %s: %s %s failed (attempt %u), retrying: %s", s->name, op,
		      rule, it->attempts + 1, res->detail);
		return;
	}
	o = event_obj(res->ok ? "bgp_sent" : "bgp_failed", now);
	json_object_object_add(o, "speaker", json_object_new_string(s->name));
	json_object_object_add(o, "type", json_object_new_string(xg_speaker_type_name(s->type)));
	json_object_object_add(o, "op", json_object_new_string(op));
	if (rule)
		json_object_object_add(o, "rule", json_object_new_string(rule));
	json_object_object_add(o, "payload", json_object_new_string(res->payload));
	json_object_object_add(o, "answer", json_object_new_string(res->detail));
	json_object_object_add(o, "latency_s",
			       json_object_new_double((double)(now - it->created_ns) / 1e9));
	journal(b, o);
	logf_(b, res->ok ? "info" : "error", "bgp: %s: %s %s: %s", s->name, op, rule ? rule : "",
	      res->ok ? "done" : res->detail);
}

/* The rules BIRD should hold now, as pointers into a copy. */
static size_t bird_rules(struct xg_bgp *b, const struct xg_speaker_cfg *s,
			 struct xg_bgp_intent **copy, const struct xg_bgp_intent ***ptrs)
{
	size_t i, n = 0;

	pthread_mutex_lock(&b->lock);
	*copy = calloc(b->n ? b->n : 1, sizeof(**copy));
	*ptrs = calloc(b->n ? b->n : 1, sizeof(**ptrs));
	if (*copy && *ptrs)
		for (i = 0; i < b->n; i++)
			if (!b->rules[i].dry_run && carries(s, &b->rules[i].in)) {
				(*copy)[n] = b->rules[i].in;
				(*ptrs)[n] = &(*copy)[n];
				n++;
			}
	pthread_mutex_unlock(&b->lock);
	return n;
}

static void bird_item(struct speaker *w, struct xg_alert_item *it)
{
	struct xg_bgp *b = w->b;
	const struct xg_speaker_cfg *s = &b->cfg.speakers[w->idx];
	struct xg_bgp_intent *copy = NULL;
	const struct xg_bgp_intent **ptrs = NULL;
	struct xg_spk_result res;
	size_t n = bird_rules(b, s, &copy, &ptrs);
	char what[64];

	if (!copy || !ptrs) {
		memset(&res, 0, sizeof(res));
		snprintf(res.detail, sizeof(res.detail), "out of memory");
	} else {
		xg_spk_bird_sync(s, ptrs, n, &res);
	}
	free(copy);
	free(ptrs);
	snprintf(what, sizeof(what), "(%zu rules)", n);
	speaker_result(w, it, "sync", what, &res);
	/* Syncs queued meanwhile are all answered by this one: it read the
	 * table after they were pushed. */
	if (res.ok) {
		struct xg_alert_item more;

		while (!xg_alertq_lease(b->q, s->name, realtime_ns(), &more, NULL)) {
			xg_alertq_ack(b->q, more.id);
			xg_alertq_item_free(&more);
		}
	}
}

static void exa_wait_relay(struct speaker *w, int timeout_ms);

static void rule_item(struct speaker *w, struct xg_alert_item *it, struct json_object *req)
{
	struct xg_bgp *b = w->b;
	const struct xg_speaker_cfg *s = &b->cfg.speakers[w->idx];
	const char *op = jstr(req, "op"), *text = jstr(req, "rule");
	struct json_object *ow = NULL;
	struct xg_spk_result res;
	struct xg_bgp_intent in;
	char why[256];

	memset(&res, 0, sizeof(res));
	if (!op || !text || xg_bgp_intent_parse(text, &in, why, sizeof(why))) {
		res.permanent = true;
		snprintf(res.detail, sizeof(res.detail), "unreadable queued operation");
		speaker_result(w, it, op ? op : "?", text, &res);
		return;
	}
	json_object_object_get_ex(req, "owners", &ow);
	if (s->type == XG_SPK_EXABGP)
		exa_wait_relay(w, (int)s->timeout_ms);
	xg_spk_apply(s, &b->cfg, &w->exa, &in, !strcmp(op, "announce"),
		     ow ? json_object_to_json_string(ow) : NULL, &res);
	speaker_result(w, it, op, text, &res);
}

static bool stopping(struct xg_bgp *b)
{
	bool s;

	pthread_mutex_lock(&b->lock);
	s = b->stop;
	pthread_mutex_unlock(&b->lock);
	return s;
}

/* A new ExaBGP relay means a fresh ExaBGP: it holds nothing, so every
 * rule it carries is announced to it again. */
static void exa_resync(struct speaker *w)
{
	struct xg_bgp *b = w->b;
	const struct xg_speaker_cfg *s = &b->cfg.speakers[w->idx];
	uint64_t now = realtime_ns();
	size_t i, n = 0;

	pthread_mutex_lock(&b->lock);
	for (i = 0; i < b->n; i++) {
		const struct rule *r = &b->rules[i];
		struct json_object *o;
		const char *body;

		if (r->dry_run || !carries(s, &r->in))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "op", json_object_new_string("announce"));
		json_object_object_add(o, "rule", json_object_new_string(r->key));
		json_object_object_add(o, "owners", owners_json(r));
		body = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
		if (!xg_alertq_push(b->q, s->name, r->key, body, strlen(body), now, NULL, NULL))
			n++;
		json_object_put(o);
	}
	pthread_mutex_unlock(&b->lock);
	logf_(b, "info", "bgp: %s: ExaBGP relay connected; %zu rules announced to it", s->name, n);
}

/* Takes a waiting ExaBGP relay. The first one since the worker started
 * needs no resync: the rules were queued when the table was loaded (or
 * since), and announcing them twice only doubles the work. A later one is
 * a restarted ExaBGP (or relay) that holds nothing. */
static void exa_poll(struct speaker *w)
{
	if (!xg_exa_accept(&w->exa))
		return;
	if (w->exa_seen)
		exa_resync(w);
	else
		logf_(w->b, "info", "bgp: %s: ExaBGP relay connected",
		      w->b->cfg.speakers[w->idx].name);
	w->exa_seen = true;
}

/* The relay reconnects on its own schedule (every 0.5 s): give it that
 * long, bounded by the speaker's timeout, before an operation fails and
 * goes to the retry backoff. */
static void exa_wait_relay(struct speaker *w, int timeout_ms)
{
	int waited = 0;

	if (timeout_ms > 2000)
		timeout_ms = 2000;
	for (;;) {
		exa_poll(w);
		if (xg_exa_connected(&w->exa) || waited >= timeout_ms || stopping(w->b))
			return;
		usleep(50 * 1000);
		waited += 50;
	}
}

static void *speaker_main(void *arg)
{
	struct speaker *w = arg;
	struct xg_bgp *b = w->b;
	const struct xg_speaker_cfg *s = &b->cfg.speakers[w->idx];
	uint64_t last_probe = 0;

	pthread_setname_np(pthread_self(), "xg-bgp");
	while (!stopping(b)) {
		uint64_t gen = xg_alertq_gen(b->q), now = realtime_ns(), next = UINT64_MAX;
		struct xg_alert_item it;
		struct json_object *req;
		int r, ms = WAIT_MAX_MS;

		if (s->type == XG_SPK_EXABGP)
			exa_poll(w);
		if (now - last_probe >= (uint64_t)PROBE_EVERY_MS * 1000000) {
			char session[128];
			bool up;

			xg_spk_probe(s, &w->exa, &up, session, sizeof(session));
			pthread_mutex_lock(&b->lock);
			if (up != w->up)
				logf_(b, up ? "info" : "warn", "bgp: %s: %s", s->name, session);
			w->up = up;
			snprintf(w->session, sizeof(w->session), "%s", session);
			pthread_mutex_unlock(&b->lock);
			last_probe = now;
		}
		r = xg_alertq_lease(b->q, s->name, now, &it, &next);
		if (r == -ENOENT) {
			if (next != UINT64_MAX && next > now &&
			    (next - now) / 1000000 < WAIT_MAX_MS)
				ms = (int)((next - now) / 1000000) + 1;
			/* ExaBGP's relay connects on its own time: look again soon */
			if (s->type == XG_SPK_EXABGP && !xg_exa_connected(&w->exa) && ms > 100)
				ms = 100;
			xg_alertq_wait(b->q, gen, ms);
			continue;
		}
		if (r) {
			xg_alertq_wait(b->q, gen, WAIT_MAX_MS);
			continue;
		}
		req = json_tokener_parse(it.payload);
		if (s->type == XG_SPK_BIRD)
			bird_item(w, &it);
		else
			rule_item(w, &it, req);
		json_object_put(req);
		xg_alertq_item_free(&it);
	}
	return NULL;
}

static void *scrub_main(void *arg)
{
	struct xg_bgp *b = arg;

	pthread_setname_np(pthread_self(), "xg-scrub");
	while (!stopping(b)) {
		uint64_t gen = xg_alertq_gen(b->q), now = realtime_ns(), next = UINT64_MAX;
		struct xg_alert_item it;
		struct xg_spk_result res;
		struct json_object *o;
		int ms = WAIT_MAX_MS;

		if (xg_alertq_lease(b->q, SCRUB_SINK, now, &it, &next)) {
			if (next != UINT64_MAX && next > now &&
			    (next - now) / 1000000 < WAIT_MAX_MS)
				ms = (int)((next - now) / 1000000) + 1;
			xg_alertq_wait(b->q, gen, ms);
			continue;
		}
		xg_spk_scrub(&b->cfg, it.payload, &res);
		if (res.ok || res.permanent)
			xg_alertq_ack(b->q, it.id);
		else
			xg_alertq_retry(b->q, it.id,
					now + (NS << (it.attempts < 5 ? it.attempts : 5)));
		o = event_obj(res.ok ? "bgp_scrub" : "bgp_scrub_failed", realtime_ns());
		json_object_object_add(o, "owner", json_object_new_string(it.dedup_key));
		json_object_object_add(o, "payload", json_object_new_string(res.payload));
		json_object_object_add(o, "answer", json_object_new_string(res.detail));
		journal(b, o);
		logf_(b, res.ok ? "warn" : "error", "bgp: scrubbing trigger for %s: %s",
		      it.dedup_key, res.detail);
		xg_alertq_item_free(&it);
	}
	return NULL;
}

static void workers_stop(struct xg_bgp *b)
{
	int i;

	pthread_mutex_lock(&b->lock);
	b->stop = true;
	pthread_mutex_unlock(&b->lock);
	xg_alertq_wake(b->q);
	for (i = 0; i < XG_BGP_SPEAKERS_MAX; i++) {
		struct speaker *w = &b->spk[i];

		if (w->running)
			pthread_join(w->thread, NULL);
		w->running = false;
		if (w->exa.lfd >= 0 || w->exa.cfd >= 0)
			xg_exa_close(&w->exa);
	}
	if (b->scrub_running)
		pthread_join(b->scrub_thread, NULL);
	b->scrub_running = false;
}

int xg_bgp_start(struct xg_bgp *b, char *err, size_t errlen)
{
	int i, r;

	if (b->o.no_workers)
		return 0;
	pthread_mutex_lock(&b->lock);
	b->stop = false;
	pthread_mutex_unlock(&b->lock);
	for (i = 0; i < b->cfg.n_speakers; i++) {
		struct speaker *w = &b->spk[i];
		const struct xg_speaker_cfg *s = &b->cfg.speakers[i];

		w->b = b;
		w->idx = i;
		w->exa.lfd = w->exa.cfd = -1;
		if (s->type == XG_SPK_EXABGP) {
			char path[XG_BGP_PATH_MAX + 32];

			if (s->socket[0])
				snprintf(path, sizeof(path), "%s", s->socket);
			else
				snprintf(path, sizeof(path), "%s/exabgp.sock", b->dir);
			r = xg_exa_listen(&w->exa, path, err, errlen);
			if (r) {
				workers_stop(b);
				return r;
			}
		}
		r = pthread_create(&w->thread, NULL, speaker_main, w);
		if (r) {
			snprintf(err, errlen, "bgp: cannot start the worker for %s: %s", s->name,
				 strerror(r));
			workers_stop(b);
			return -r;
		}
		w->running = true;
	}
	r = pthread_create(&b->scrub_thread, NULL, scrub_main, b);
	if (r) {
		snprintf(err, errlen, "bgp: cannot start the scrub worker: %s", strerror(r));
		workers_stop(b);
		return -r;
	}
	b->scrub_running = true;
	return 0;
}

/* ---- open, close, reload ---- */

int xg_bgp_open(struct xg_bgp **out, const struct xg_bgp_cfg *cfg, const struct xg_bgp_opts *o,
		uint64_t now_ns, char *err, size_t errlen)
{
	struct xg_bgp *b = calloc(1, sizeof(*b));
	char qdir[sizeof(b->dir) + 16];
	int r, i;

	*out = NULL;
	if (!b)
		return -ENOMEM;
	b->cfg = *cfg;
	b->o = *o;
	snprintf(b->state_dir, sizeof(b->state_dir), "%s", o->state_dir);
	snprintf(b->dir, sizeof(b->dir), "%s/bgp", o->state_dir);
	pthread_mutex_init(&b->lock, NULL);
	for (i = 0; i < XG_BGP_SPEAKERS_MAX; i++)
		b->spk[i].exa.lfd = b->spk[i].exa.cfd = -1;
	b->win_cap = cfg->max_announce_per_min ? cfg->max_announce_per_min : 1;
	b->window = calloc(b->win_cap, sizeof(*b->window));
	snprintf(qdir, sizeof(qdir), "%s/%s", b->dir, QUEUE_DIR);
	if (!b->window) {
		r = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	r = xg_mkdir_p(qdir, err, errlen);
	if (r)
		goto fail;
	r = xg_alertq_open(&b->q, qdir, QUEUE_CAPACITY, err, errlen);
	if (r)
		goto fail;
	r = load(b, now_ns, err, errlen);
	if (r)
		goto fail;
	if (b->dirty)
		save(b);
	*out = b;
	return 0;
fail:
	if (b->q)
		xg_alertq_close(b->q);
	free(b->window);
	free(b->rules);
	pthread_mutex_destroy(&b->lock);
	free(b);
	return r;
}

int xg_bgp_reload(struct xg_bgp *b, const struct xg_bgp_cfg *cfg, char *err, size_t errlen)
{
	uint64_t *win =
	    calloc(cfg->max_announce_per_min ? cfg->max_announce_per_min : 1, sizeof(*win));
	bool restart = b->cfg.n_speakers != cfg->n_speakers ||
		       memcmp(b->cfg.speakers, cfg->speakers, sizeof(cfg->speakers));
	bool had_workers = b->spk[0].running || b->scrub_running;

	if (!win) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (restart)
		workers_stop(b);
	pthread_mutex_lock(&b->lock);
	b->cfg = *cfg;
	free(b->window);
	b->window = win;
	b->win_cap = cfg->max_announce_per_min ? cfg->max_announce_per_min : 1;
	b->win_head = b->win_n = 0;
	pthread_mutex_unlock(&b->lock);
	if (restart && had_workers)
		return xg_bgp_start(b, err, errlen);
	return 0;
}

void xg_bgp_close(struct xg_bgp *b)
{
	if (!b)
		return;
	workers_stop(b);
	pthread_mutex_lock(&b->lock);
	save(b);
	pthread_mutex_unlock(&b->lock);
	xg_alertq_close(b->q);
	free(b->window);
	free(b->rules);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

/* ---- tick, spool, status ---- */

size_t xg_bgp_active(struct xg_bgp *b)
{
	size_t n;

	pthread_mutex_lock(&b->lock);
	n = live_count(b);
	pthread_mutex_unlock(&b->lock);
	return n;
}

size_t xg_bgp_pending(struct xg_bgp *b)
{
	struct xg_alertq_stats st;

	xg_alertq_stats(b->q, &st);
	return st.depth;
}

uint64_t xg_bgp_speaker_refusals(struct xg_bgp *b, char *last, size_t len)
{
	uint64_t n;

	pthread_mutex_lock(&b->lock);
	n = b->spk_refused;
	snprintf(last, len, "%s", b->spk_refusal);
	pthread_mutex_unlock(&b->lock);
	return n;
}

int xg_bgp_drain(struct xg_bgp *b, int timeout_ms)
{
	struct timespec ts;
	int waited = 0;

	while (xg_bgp_pending(b)) {
		if (waited >= timeout_ms)
			return -ETIMEDOUT;
		ts = (struct timespec){0, 20 * 1000000};
		nanosleep(&ts, NULL);
		waited += 20;
	}
	return 0;
}

static void expire(struct xg_bgp *b, uint64_t now_ns)
{
	size_t i;

	pthread_mutex_lock(&b->lock);
	for (i = b->n; i-- > 0;)
		if (b->rules[i].expires_ns <= now_ns)
			remove_rule(b, i, "TTL passed", now_ns);
	pthread_mutex_unlock(&b->lock);
}

static void reply(const char *path, int ret, const char *why)
{
	struct json_object *o = json_object_new_object();
	const char *text;
	char err[256];

	json_object_object_add(o, "ok", json_object_new_boolean(ret == 0));
	if (ret)
		json_object_object_add(o, "error", json_object_new_string(why));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	xg_write_atomic(path, text, strlen(text), err, sizeof(err));
	json_object_put(o);
}

/* One CLI request: {"op": "announce"|"withdraw"|"flush", "rule": "...",
 * "ttl_s": N, "owner": "..."}; the answer goes to NAME.reply. */
static void serve(struct xg_bgp *b, struct json_object *req, const char *reply_path,
		  uint64_t now_ns)
{
	const char *op = jstr(req, "op"), *text = jstr(req, "rule");
	struct xg_bgp_intent in;
	char why[512] = "";
	struct json_object *v;
	uint32_t ttl = 0;
	int ret;

	if (json_object_object_get_ex(req, "ttl_s", &v))
		ttl = (uint32_t)json_object_get_int64(v);
	if (op && !strcmp(op, "flush")) {
		snprintf(why, sizeof(why), "%d", xg_bgp_flush(b, now_ns));
		reply(reply_path, 0, why);
		return;
	}
	if (!op || !text || (strcmp(op, "announce") && strcmp(op, "withdraw"))) {
		reply(reply_path, -EINVAL, "bad request");
		return;
	}
	ret = xg_bgp_intent_parse(text, &in, why, sizeof(why));
	if (!ret)
		ret = !strcmp(op, "announce") ? xg_bgp_announce(b, &in, jstr(req, "owner"), ttl,
								now_ns, why, sizeof(why))
					      : xg_bgp_withdraw(b, &in, now_ns, why, sizeof(why));
	reply(reply_path, ret, why);
}

static void run_spool(struct xg_bgp *b, uint64_t now_ns)
{
	char dir[sizeof(b->dir) + 16], path[sizeof(dir) + 300], rpath[sizeof(path) + 8], err[256],
	    *text;
	struct dirent *de;
	int done = 0;
	size_t len;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", b->dir, SPOOL_DIR);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)) != NULL && done < SPOOL_PER_TICK) {
		struct json_object *req;
		size_t n = strlen(de->d_name);

		if (n < 5 || strcmp(de->d_name + n - 4, ".req"))
			continue; /* ".", "..", replies and files still being written */
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		snprintf(rpath, sizeof(rpath), "%s/%.*s.reply", dir, (int)(n - 4), de->d_name);
		if (xg_read_file(path, 8192, &text, &len, err, sizeof(err))) {
			unlink(path);
			continue;
		}
		unlink(path);
		req = json_tokener_parse(text);
		free(text);
		serve(b, req, rpath, now_ns);
		json_object_put(req);
		done++;
	}
	closedir(d);
}

static struct json_object *ns_or_null(uint64_t ns)
{
	return ns ? json_object_new_double((double)ns / 1e9) : NULL;
}

struct json_object *xg_bgp_status_json(struct xg_bgp *b, uint64_t now_ns)
{
	struct json_object *root = json_object_new_object(), *rules = json_object_new_array(),
			   *spk = json_object_new_array(), *lim = json_object_new_object(),
			   *q = json_object_new_object();
	struct xg_alertq_stats st;
	size_t i;
	int k;

	xg_alertq_stats(b->q, &st);
	pthread_mutex_lock(&b->lock);
	json_object_object_add(root, "enabled", json_object_new_boolean(b->cfg.enabled));
	json_object_object_add(root, "dry_run", json_object_new_boolean(b->cfg.dry_run));
	json_object_object_add(root, "ts", json_object_new_double((double)now_ns / 1e9));
	for (i = 0; i < b->n; i++) {
		const struct rule *r = &b->rules[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "rule", json_object_new_string(r->key));
		json_object_object_add(
		    o, "kind",
		    json_object_new_string(r->in.kind == XG_BGP_RTBH ? "rtbh" : "flowspec"));
		json_object_object_add(
		    o, "level", json_object_new_string(xg_bgp_level_name(r->level) ?: "manual"));
		json_object_object_add(o, "dry_run", json_object_new_boolean(r->dry_run));
		json_object_object_add(o, "owners", owners_json(r));
		json_object_object_add(o, "created", ns_or_null(r->created_ns));
		json_object_object_add(o, "expires", ns_or_null(r->expires_ns));
		json_object_object_add(
		    o, "expires_in_s",
		    json_object_new_int64(
			r->expires_ns > now_ns ? (int64_t)((r->expires_ns - now_ns) / NS) : 0));
		json_object_array_add(rules, o);
	}
	for (k = 0; k < b->cfg.n_speakers; k++) {
		const struct xg_speaker_cfg *s = &b->cfg.speakers[k];
		const struct speaker *w = &b->spk[k];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(s->name));
		json_object_object_add(o, "type",
				       json_object_new_string(xg_speaker_type_name(s->type)));
		json_object_object_add(o, "up", json_object_new_boolean(w->up));
		json_object_object_add(o, "session", json_object_new_string(w->session));
		json_object_object_add(o, "sent", json_object_new_int64((int64_t)w->sent));
		json_object_object_add(o, "failed", json_object_new_int64((int64_t)w->failed));
		json_object_object_add(o, "last_ok", ns_or_null(w->last_ok_ns));
		json_object_object_add(o, "last_error", json_object_new_string(w->last_error));
		json_object_object_add(o, "next_retry", ns_or_null(w->next_retry_ns));
		json_object_object_add(
		    o, "pending",
		    json_object_new_int64((int64_t)xg_alertq_sink_depth(b->q, s->name)));
		json_object_array_add(spk, o);
	}
	json_object_object_add(lim, "active_rules", json_object_new_int64((int64_t)live_count(b)));
	json_object_object_add(lim, "max_rules", json_object_new_int64(b->cfg.max_rules));
	json_object_object_add(lim, "announced_last_min",
			       json_object_new_int64((int64_t)window_count(b, now_ns)));
	json_object_object_add(lim, "max_announce_per_min",
			       json_object_new_int64(b->cfg.max_announce_per_min));
	json_object_object_add(lim, "announced", json_object_new_int64((int64_t)b->announced));
	json_object_object_add(lim, "withdrawn", json_object_new_int64((int64_t)b->withdrawn));
	json_object_object_add(lim, "refused", json_object_new_int64((int64_t)b->refused));
	pthread_mutex_unlock(&b->lock);
	json_object_object_add(q, "depth", json_object_new_int64((int64_t)st.depth));
	json_object_object_add(q, "retried", json_object_new_int64((int64_t)st.retried));
	json_object_object_add(q, "dropped", json_object_new_int64((int64_t)st.dropped));
	json_object_object_add(root, "rules", rules);
	json_object_object_add(root, "speakers", spk);
	json_object_object_add(root, "limits", lim);
	json_object_object_add(root, "queue", q);
	return root;
}

void xg_bgp_tick(struct xg_bgp *b, uint64_t now_ns)
{
	expire(b, now_ns);
	run_spool(b, now_ns);
	pthread_mutex_lock(&b->lock);
	if (b->dirty)
		save(b);
	pthread_mutex_unlock(&b->lock);
	if (now_ns - b->last_status_ns >= STATUS_EVERY_NS) {
		struct json_object *st = xg_bgp_status_json(b, now_ns);
		const char *text = json_object_to_json_string_ext(st, JSON_C_TO_STRING_PRETTY);
		char path[sizeof(b->dir) + 32], err[256];

		snprintf(path, sizeof(path), "%s/%s", b->dir, STATUS_FILE);
		xg_write_replace(path, text, strlen(text), err, sizeof(err));
		json_object_put(st);
		b->last_status_ns = now_ns;
	}
}
