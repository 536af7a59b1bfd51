// SPDX-License-Identifier: GPL-2.0-only
#include "controller.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fsutil.h"
#include "journal.h"
#include "lock.h"
#include "rtcfg.h"

#define SAVE_EVERY_NS	 (60ULL * 1000000000ULL)
#define PEER_MAX_IDLE_NS (30ULL * 86400 * 1000000000ULL) /* learned peers age out */
#define STATE_FILE_MAX	 (1u << 20)

static void state_path(const struct xg_controller *c, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", c->cfg.state_dir, name);
}

/* The incident sequence survives restarts, so ids stay unique. */
static int load_seq(struct xg_controller *c, uint64_t *seq, char *err, size_t errlen)
{
	char path[4096], *text;
	struct json_object *o, *v;
	int ret;

	*seq = 1;
	state_path(c, "controller.json", path, sizeof(path));
	ret = xg_read_file(path, STATE_FILE_MAX, &text, NULL, err, errlen);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return ret;
	o = json_tokener_parse(text);
	free(text);
	if (o && json_object_object_get_ex(o, "next_seq", &v))
		*seq = (uint64_t)json_object_get_int64(v);
	json_object_put(o);
	if (*seq < 1)
		*seq = 1;
	return 0;
}

static int save_seq(struct xg_controller *c, char *err, size_t errlen)
{
	struct json_object *o = json_object_new_object();
	char path[4096];
	const char *text;
	int ret;

	json_object_object_add(o, "next_seq", json_object_new_int64((int64_t)c->det.next_seq));
	text = json_object_to_json_string(o);
	state_path(c, "controller.json", path, sizeof(path));
	ret = xg_write_atomic(path, text, strlen(text), err, errlen);
	json_object_put(o);
	return ret;
}

int xg_controller_init(struct xg_controller *c, const struct xg_cfg *cfg,
		       const struct xg_maps *maps, const struct xg_clock *clock,
		       struct xg_event_sink sink, bool persist, char *err, size_t errlen)
{
	char path[4096];
	uint64_t seq = 1;
	int ret;

	memset(c, 0, sizeof(*c));
	c->cfg = *cfg;
	c->maps = maps;
	c->clock = clock;
	c->sink = sink;
	c->persist = persist;
	xg_peers_init(&c->peers);
	c->base = calloc(1, sizeof(*c->base));
	if (!c->base) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	xg_baseline_init(c->base);
	ret = xg_collector_init(&c->col, maps, err, errlen);
	if (ret)
		goto fail;
	if (persist) {
		ret = xg_mkdir_p(cfg->state_dir, err, errlen);
		if (ret)
			goto fail;
		state_path(c, "baseline.json", path, sizeof(path));
		ret = xg_baseline_load(c->base, path, err, errlen);
		if (ret && ret != -ENOENT)
			goto fail;
		state_path(c, "peers.json", path, sizeof(path));
		ret = xg_peers_load(&c->peers, path, err, errlen);
		if (ret && ret != -ENOENT)
			goto fail;
		ret = load_seq(c, &seq, err, errlen);
		if (ret)
			goto fail;
	}
	xg_detector_init(&c->det, seq);
	xg_apply_init(&c->apply, maps, sink);
	c->apply.state_dir = persist ? c->cfg.state_dir : NULL;
	return 0;
fail:
	xg_controller_free(c);
	return ret;
}

void xg_controller_free(struct xg_controller *c)
{
	xg_apply_free(&c->apply);
	xg_collector_free(&c->col);
	xg_peers_free(&c->peers);
	free(c->base);
	c->base = NULL;
}

static void add_ports(uint8_t *tbl, int l4, const struct xg_cfg_ports *p, uint8_t svc)
{
	int i, port;

	for (i = 0; i < p->n; i++)
		for (port = p->r[i].lo; port <= p->r[i].hi; port++)
			tbl[XG_PORT_KEY(l4, port)] = svc;
}

/* The watched ports, as port keys, up to what a snapshot holds. */
static void watch_ports(struct xg_collector *col, int l4, const struct xg_cfg_ports *p)
{
	int i, port;

	for (i = 0; i < p->n; i++)
		for (port = p->r[i].lo; port <= p->r[i].hi && col->n_watched < XG_WATCHED_MAX;
		     port++)
			col->watched[col->n_watched++] = XG_PORT_KEY((uint32_t)l4, (uint32_t)port);
}

/* 1 in rate as a shift; 0 (off), or capture turned off, is the off shift. */
static uint32_t pcap_shift_of(const struct xg_pcap_cfg *p, bool incident)
{
	uint32_t rate = incident ? p->incident_sample_rate : p->peace_sample_rate;

	return p->enabled && rate ? (uint32_t)__builtin_ctz(rate) : XG_PCAP_SHIFT_OFF;
}

int xg_controller_apply(struct xg_controller *c, const struct xg_cfg *cfg, char *err, size_t errlen)
{
	uint8_t *tbl = calloc(2 * XG_PORTS, 1);
	struct xg_config rc;
	int lock = -1, ret, i;

	if (!tbl) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* Extra classes first, so the SIP and RTP ports win any overlap. */
	for (i = 0; i < XG_SVC_EXTRA_COUNT; i++) {
		if (!cfg->extra[i].name[0])
			continue;
		add_ports(tbl, XG_PORT_L4_UDP, &cfg->extra[i].udp, (uint8_t)(XG_SVC_EXTRA0 + i));
		add_ports(tbl, XG_PORT_L4_TCP, &cfg->extra[i].tcp, (uint8_t)(XG_SVC_EXTRA0 + i));
	}
	add_ports(tbl, XG_PORT_L4_UDP, &cfg->rtp, XG_SVC_RTP);
	add_ports(tbl, XG_PORT_L4_UDP, &cfg->sip_udp, XG_SVC_SIP_UDP);
	add_ports(tbl, XG_PORT_L4_TCP, &cfg->sip_tcp, XG_SVC_SIP_TCP);
	add_ports(tbl, XG_PORT_L4_TCP, &cfg->sip_tls, XG_SVC_SIP_TLS);

	if (c->lock_config) {
		lock = xg_lock(err, errlen);
		if (lock < 0) {
			free(tbl);
			return lock;
		}
	}
	ret = xg_port_class_write_all(c->maps, tbl);
	if (!ret)
		ret = xg_rtcfg_read(c->maps, &rc);
	if (!ret) {
		if (cfg->monitor_only)
			rc.flags |= XG_CFG_MONITOR_ONLY;
		else
			rc.flags &= ~XG_CFG_MONITOR_ONLY;
		rc.sample_shift = cfg->sample_rate ? (uint32_t)__builtin_ctz(cfg->sample_rate) : 32;
		rc.pcap_shift = pcap_shift_of(&cfg->pcap, c->learn_paused);
		rc.rtp_lo = cfg->rtp.n ? cfg->rtp.r[0].lo : 0;
		rc.rtp_hi = cfg->rtp.n ? cfg->rtp.r[0].hi : 0;
		for (i = 0; i < XG_SVC_EXTRA_COUNT; i++)
			snprintf(rc.svc_name[i], XG_SVC_NAME_LEN, "%s", cfg->extra[i].name);
		ret = xg_rtcfg_write(c->maps, &rc);
	}
	xg_unlock(lock);
	free(tbl);
	if (ret) {
		snprintf(err, errlen, "cannot write the runtime config: %s", strerror(-ret));
		return ret;
	}
	c->cfg = *cfg;
	c->col.sample_rate = cfg->sample_rate;
	c->apply.lock_config = c->lock_config;
	ret = xg_apply_configure(&c->apply, &c->cfg.mitigation, err, errlen);
	if (ret)
		return ret;
	c->col.n_watched = 0;
	watch_ports(&c->col, XG_PORT_L4_UDP, &cfg->watched_udp);
	watch_ports(&c->col, XG_PORT_L4_TCP, &cfg->watched_tcp);
	return 0;
}

/* Learning pauses while an incident is open: an attacker must not become a
 * peer; and packet sampling for the capture goes up. Both live in the
 * shared config, so it is a locked RMW. */
static int set_learn_paused(struct xg_controller *c, bool paused, char *err, size_t errlen)
{
	struct xg_config rc;
	int lock = -1, ret;

	if (paused == c->learn_paused)
		return 0;
	if (c->lock_config) {
		lock = xg_lock(err, errlen);
		if (lock < 0)
			return lock;
	}
	ret = xg_rtcfg_read(c->maps, &rc);
	if (!ret) {
		if (paused)
			rc.flags |= XG_CFG_LEARN_PAUSED;
		else
			rc.flags &= ~XG_CFG_LEARN_PAUSED;
		rc.pcap_shift = pcap_shift_of(&c->cfg.pcap, paused);
		ret = xg_rtcfg_write(c->maps, &rc);
	}
	xg_unlock(lock);
	if (ret) {
		snprintf(err, errlen, "cannot write the config map: %s", strerror(-ret));
		return ret;
	}
	c->learn_paused = paused;
	return 0;
}

static void emit(struct xg_controller *c, const char *event, uint64_t ts, struct json_object *o)
{
	if (c->sink.emit)
		c->sink.emit(c->sink.arg, event, ts, o);
}

/* The busiest sources of the tick, for the alerts (not journaled: the
 * journal keeps what was decided, the mitigation events). */
#define ALERT_TOP_SOURCES 5

static void add_top_sources(const struct xg_controller *c, struct json_object *o)
{
	struct json_object *arr = json_object_new_array();
	int i;

	for (i = 0; i < c->snap.n_top_src && i < ALERT_TOP_SOURCES; i++) {
		const struct xg_addr_rate *r = &c->snap.top_src[i];
		struct json_object *e = json_object_new_object();
		char a[64];

		xg_cidr_format(&r->addr, a, sizeof(a));
		json_object_object_add(e, "addr", json_object_new_string(a));
		json_object_object_add(e, "pps", json_object_new_double(r->pps));
		json_object_object_add(e, "known", json_object_new_boolean(r->known));
		json_object_array_add(arr, e);
	}
	json_object_object_add(o, "top_sources", arr);
}

static void record(struct xg_controller *c, enum xg_detect_event ev, const struct xg_class *cls)
{
	static const char *const names[] = {
	    [XG_EV_OPEN] = "incident_open",
	    [XG_EV_UPDATE] = "incident_update",
	    [XG_EV_CLOSE] = "incident_close",
	};
	char err[256];
	struct json_object *o;

	if (ev == XG_EV_SURGE) {
		struct xg_incident tmp = {0};

		/* Not an incident: logged and emitted, never journaled. */
		c->surges++;
		tmp.cls = *cls;
		tmp.start_ns = tmp.last_ns = c->snap.ts_ns;
		tmp.fired = xg_detect_fired(&c->snap, c->thr);
		snprintf(tmp.id, sizeof(tmp.id), "-");
		o = xg_incident_to_json(&tmp, "surge");
		emit(c, "surge", c->snap.ts_ns, o);
		json_object_put(o);
		return;
	}
	if (ev != XG_EV_OPEN && ev != XG_EV_UPDATE && ev != XG_EV_CLOSE)
		return;
	if (c->persist && xg_journal_append(c->cfg.state_dir, &c->det.cur, names[ev],
					    ev != XG_EV_UPDATE, err, sizeof(err))) {
		o = json_object_new_object();
		json_object_object_add(o, "error", json_object_new_string(err));
		emit(c, "error", c->snap.ts_ns, o);
		json_object_put(o);
	}
	o = xg_incident_to_json(&c->det.cur, names[ev]);
	add_top_sources(c, o);
	emit(c, names[ev], c->snap.ts_ns, o);
	json_object_put(o);
}

/* Peacetime traffic from unknown sources, per service: protect mode's
 * budget is built on it. */
#define PEACE_ALPHA 0.05

static void mitigate(struct xg_controller *c, uint64_t now, bool new_peers)
{
	const struct xg_incident *inc = c->det.open ? &c->det.cur : NULL;
	double share = c->snap.new_source_share < 0 ? 0 : c->snap.new_source_share;
	struct timespec ts;
	int i;

	if (!inc) {
		for (i = 0; i < XG_SVC_MAX; i++)
			c->peace_unknown_pps[i] = (1 - PEACE_ALPHA) * c->peace_unknown_pps[i] +
						  PEACE_ALPHA * c->snap.svc_pps[i] * share;
	}
	c->apply.lock_config = c->lock_config;
	/* Learning, and incidents that are not attacks: decide and report,
	 * apply nothing. */
	xg_apply_tick(&c->apply, inc, &c->snap, &c->peers, c->peace_unknown_pps, now,
		      inc && (inc->learning || !inc->cls.attack));
	if (new_peers || now - c->last_peer_sync_ns >= SAVE_EVERY_NS) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		xg_apply_sync_peers(&c->apply, &c->peers,
				    (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec);
		c->last_peer_sync_ns = now;
	}
}

static void notice(struct xg_controller *c, const char *event, const char *msg, uint64_t now)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "message", json_object_new_string(msg));
	emit(c, event, now, o);
	json_object_put(o);
}

int xg_controller_tick(struct xg_controller *c, char *err, size_t errlen)
{
	uint64_t now = xg_clock_now(c->clock);
	struct xg_peers_tick pt;
	enum xg_detect_event ev;
	uint64_t v6;
	struct xg_class cls;
	bool learning, priming;
	int ret;

	c->ticks++;
	ret = xg_collector_collect(&c->col, now, &c->peers, &c->snap);
	if (ret < 0) {
		snprintf(err, errlen, "cannot read the counters: %s", strerror(-ret));
		return ret;
	}
	priming = ret == 1; /* the first read only sets the starting point */
	/* The learning maps are walked only when the program wrote to them
	 * (a walk visits every bucket of the map, used or not). */
	memset(&pt, 0, sizeof(pt));
	if (xg_learn_used(c->maps, c->learn_refill, &v6) || priming) {
		bool walk_v6 = priming || v6 != c->learn_v6_seen;

		c->learn_v6_seen = v6;
		ret = xg_peers_update(&c->peers, c->maps, now, !c->det.open, walk_v6, &pt);
		if (ret) {
			snprintf(err, errlen, "cannot read the learning maps: %s", strerror(-ret));
			return ret;
		}
	}
	/* Learning costs bounded work per tick, however fast traffic comes. */
	c->learn_refill = (int64_t)c->cfg.learn_budget * c->cfg.tick_ms / 1000 + 1;
	xg_learn_refill(c->maps, c->learn_refill);
	if (priming)
		return 0;
	c->have_snap = true;
	c->snap.sip_known_share = pt.sip_total > 0 ? pt.sip_known / pt.sip_total : -1;

	learning = xg_baseline_learning(c->base, &c->cfg.baseline, now);
	if (c->was_learning && !learning)
		notice(c, "learning_done", "baselines learned: detection can now mitigate", now);
	c->was_learning = learning;
	if (pt.new_known) {
		char msg[96];

		snprintf(msg, sizeof(msg), "%zu new peers learned, %zu known", pt.new_known,
			 c->peers.known);
		notice(c, "peers_learned", msg, now);
	}
	xg_baseline_thresholds(c->base, &c->cfg.baseline, now, c->thr);
	ev = xg_detect_step(&c->det, &c->cfg.detect, &c->snap, c->thr, learning, now, &cls);
	/* Only quiet ticks teach the baseline: an attack or a surge must not
	 * become normal. */
	if (!c->det.open && ev == XG_EV_NONE)
		xg_baseline_update(c->base, &c->cfg.baseline, c->snap.metric, now);
	record(c, ev, &cls);
	mitigate(c, now, pt.new_known > 0);
	/* A new peer is saved at once, so xdpctl peers shows it. */
	if (c->persist && pt.new_known) {
		char path[4096];

		state_path(c, "peers.json", path, sizeof(path));
		xg_peers_save(&c->peers, path, err, errlen);
	}

	ret = set_learn_paused(c, c->det.open, err, errlen);
	if (ret)
		return ret;
	if (c->persist && now - c->last_save_ns >= SAVE_EVERY_NS) {
		xg_peers_age(&c->peers, now, PEER_MAX_IDLE_NS);
		ret = xg_controller_save(c, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

int xg_controller_save(struct xg_controller *c, char *err, size_t errlen)
{
	char path[4096];
	int ret;

	if (!c->persist)
		return 0;
	c->last_save_ns = xg_clock_now(c->clock);
	state_path(c, "baseline.json", path, sizeof(path));
	ret = xg_baseline_save(c->base, path, err, errlen);
	if (!ret) {
		state_path(c, "peers.json", path, sizeof(path));
		ret = xg_peers_save(&c->peers, path, err, errlen);
	}
	if (!ret)
		ret = save_seq(c, err, errlen);
	/* Serialising the state is the daemon's biggest transient allocation;
	 * give the memory back rather than keep it as heap. */
	malloc_trim(0);
	return ret;
}

void xg_controller_close_open(struct xg_controller *c, const char *why)
{
	char err[256];
	struct json_object *o;

	if (!c->det.open)
		return;
	c->det.open = false;
	c->det.cur.end_ns = xg_clock_now(c->clock);
	c->det.cur.last_ns = c->det.cur.end_ns;
	if (c->persist)
		xg_journal_append(c->cfg.state_dir, &c->det.cur, "incident_close", true, err,
				  sizeof(err));
	o = xg_incident_to_json(&c->det.cur, "incident_close");
	json_object_object_add(o, "closed_by", json_object_new_string(why));
	emit(c, "incident_close", c->det.cur.end_ns, o);
	json_object_put(o);
}
