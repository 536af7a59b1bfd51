/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * BGP escalation, the stateful part: the table of rules in force, who wants
 * each (incidents, manual announcements, other nodes: a reference count),
 * the safety limits, and the delivery of every announce and withdraw to the
 * configured speakers through a durable queue and one worker thread per
 * speaker, so the controller's tick never waits on a speaker.
 *
 * On disk, in STATE_DIR/bgp/:
 *   rules.json    the rule table (written to a temp file, then renamed)
 *   queue/        the operations not yet confirmed by a speaker (alertq)
 *   status.json   rules, speakers and limits for `xdpctl bgp status|list`
 *   spool/        requests from the CLI (announce, withdraw, flush)
 *   exabgp.sock   where `xdpctl bgp exabgp-api` (run by ExaBGP) connects
 *
 * Each rule is announced once whatever the number of owners, and withdrawn
 * when its last owner lets go or its TTL passes. The journal gets every
 * decision (announce, withdraw, refused by a limit) and every operation a
 * speaker confirmed or refused, with the exact payload sent.
 *
 * A restart reloads the table: rules whose TTL still runs are announced
 * again (a speaker may have lost them), expired ones are withdrawn.
 */
#ifndef XG_BGP_H
#define XG_BGP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "bgp_cfg.h"
#include "bgp_intent.h"

#define XG_BGP_OWNER_MAX  48 /* with the NUL */
#define XG_BGP_OWNERS_MAX 16 /* owners per rule */

struct xg_bgp;

struct xg_bgp_opts {
	const char *state_dir;
	bool no_workers; /* unit tests: decide and queue, deliver nothing */
	/* a CLI run: at open, withdraw what expired but do not announce the
	 * live rules again (only a controller start reconciles speakers) */
	bool no_reannounce;
	void (*log)(void *arg, const char *level, const char *msg);
	void *log_arg;
};

/* Opens the state (creating STATE_DIR/bgp), reloads the table and queues the
 * restart reconciliation. -EBUSY when another process has it open (a
 * running controller). now_ns is CLOCK_REALTIME. */
int xg_bgp_open(struct xg_bgp **out, const struct xg_bgp_cfg *cfg, const struct xg_bgp_opts *o,
		uint64_t now_ns, char *err, size_t errlen);

/* Starts the speaker workers (and the ExaBGP relay socket). Signals must
 * be blocked by the caller first if it wants them on its own thread. */
int xg_bgp_start(struct xg_bgp *b, char *err, size_t errlen);

/* New config (speakers and limits). Workers restart when speakers change. */
int xg_bgp_reload(struct xg_bgp *b, const struct xg_bgp_cfg *cfg, char *err, size_t errlen);

/* Stops workers, saves the table, frees. Rules stay announced: a restart
 * takes them over (their TTL still bounds them). NULL is a no-op. */
void xg_bgp_close(struct xg_bgp *b);

/* What a sync did, for the caller's log. */
struct xg_bgp_sync_result {
	int announced; /* new rules queued (or dry-run logged) */
	int withdrawn; /* rules whose last owner let go */
	int refreshed; /* already in force, TTL extended */
	int refused;   /* by a limit or a safety check */
	char first_refusal[XG_BGP_TEXT_MAX + 256];
};

/*
 * The rules owner wants in force now (levels[i]: the escalation level of
 * rules[i], for per-level dry-run; NULL = all XG_LVL_FS_DISCARD). Rules of
 * this owner not in the list lose the owner; new ones are admitted
 * (xg_esc_admit, the rule cap, the announcements-per-minute window) and
 * queued to every speaker that carries their kind. ttl_s 0 = the
 * configured rule_ttl_s. n = 0 releases everything owner holds.
 */
int xg_bgp_sync(struct xg_bgp *b, const char *owner, const struct xg_bgp_intent *rules,
		const int *levels, int n, uint32_t ttl_s, uint64_t now_ns,
		struct xg_bgp_sync_result *res);

/* Manual rules (`xdpctl bgp announce|withdraw|flush`, the API). announce
 * adds owner (default "manual") to the rule, with ttl_s (0: configured).
 * withdraw removes the rule whoever owns it. flush withdraws every rule.
 * 0, or a negative errno with why. */
int xg_bgp_announce(struct xg_bgp *b, const struct xg_bgp_intent *in, const char *owner,
		    uint32_t ttl_s, uint64_t now_ns, char *why, size_t whylen);
int xg_bgp_withdraw(struct xg_bgp *b, const struct xg_bgp_intent *in, uint64_t now_ns, char *why,
		    size_t whylen);
int xg_bgp_flush(struct xg_bgp *b, uint64_t now_ns);

/* The scrubbing trigger: queues the webhook and/or command with context
 * (the incident as JSON, not consumed). */
int xg_bgp_scrub(struct xg_bgp *b, const char *owner, struct json_object *context, uint64_t now_ns);

/* Once per tick: expires rules, serves CLI requests from the spool, saves
 * the table when it changed and writes status.json. */
void xg_bgp_tick(struct xg_bgp *b, uint64_t now_ns);

/* Rules in force, and operations not yet confirmed by every speaker. */
size_t xg_bgp_active(struct xg_bgp *b);
size_t xg_bgp_pending(struct xg_bgp *b);

/* The status object (as status.json holds it). */
struct json_object *xg_bgp_status_json(struct xg_bgp *b, uint64_t now_ns);

/* Operations a speaker refused for good (not retried) since open, and the
 * last one's "speaker: why" in last. */
uint64_t xg_bgp_speaker_refusals(struct xg_bgp *b, char *last, size_t len);

/* Waits (bounded) until no operation is pending: the CLI's own run. */
int xg_bgp_drain(struct xg_bgp *b, int timeout_ms);

/* Default ExaBGP relay socket of a state dir. */
void xg_bgp_exabgp_socket(const struct xg_bgp_cfg *cfg, const char *state_dir, char *buf,
			  size_t len);

#endif /* XG_BGP_H */
