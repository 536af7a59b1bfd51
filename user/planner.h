/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Mitigation planning: from an open incident and this tick's snapshot, the
 * steps that should be in force now. Pure: what is preserved (allowlist,
 * learned peers, the node's own addresses), what is soft-allowlisted and the
 * peacetime rates come in as arguments; applying, TTLs and withdrawal are
 * the caller's (apply.c). Never outputs a step that would drop a preserved
 * source: an aggregate that would cover one is split around it or becomes a
 * rate limit.
 */
#ifndef XG_PLANNER_H
#define XG_PLANNER_H

#include <stdbool.h>
#include <stdint.h>

#include "cidr.h"
#include "detect.h"
#include "snapshot.h"

#define XG_PLAN_MAX_STEPS   256
#define XG_PLAN_MIN_SAMPLES 3 /* a top source needs this many samples to be blocked */

enum xg_step_kind {
	XG_STEP_BLOCK,	   /* drop the target (a /32, /128 or an aggregate) */
	XG_STEP_RATELIMIT, /* rate-limit each source in the target to rate_pps */
	XG_STEP_PROTECT,   /* service svc in protect mode */
	XG_STEP_AMP_DROP,  /* drop UDP from reflector source port class amp to non-client ports */
};

struct xg_step {
	enum xg_step_kind kind;
	struct xg_cidr target; /* BLOCK, RATELIMIT */
	uint8_t svc;	       /* PROTECT: enum xg_svc */
	uint8_t amp;	       /* AMP_DROP: enum xg_amp */
	uint32_t rate_pps;     /* RATELIMIT: per source; PROTECT: per unknown source */
	uint32_t budget_pps;   /* PROTECT: all unknown sources of the service together */
	char reason[96];       /* why, for the journal and the block list */
};

struct xg_plan {
	int n;
	struct xg_step steps[XG_PLAN_MAX_STEPS];
};

/* What must never be dropped, as the caller knows it. */
struct xg_preserved {
	/* a preserved address: allowlisted, a learned peer, or the node's own */
	bool (*is_preserved)(void *arg, const struct xg_cidr *host);
	/* any preserved address inside the prefix */
	bool (*covers_preserved)(void *arg, const struct xg_cidr *prefix);
	/* in the soft allowlist: rate-limit, never drop */
	bool (*is_soft)(void *arg, const struct xg_cidr *host);
	void *arg;
};

struct xg_plan_cfg {
	int max_block_sources;	 /* at most this many /32 or /128 steps (default 32) */
	double min_source_pps;	 /* a top source under this is not blocked (default 50) */
	int aggregate_min;	 /* sources in one /24 (IPv6 /64) to block the prefix (default 4) */
	double protect_distinct; /* more distinct sources than this: protect mode (default 500) */
	uint32_t protect_source_pps;  /* per unknown source in protect mode (default 10) */
	double protect_budget_factor; /* budget = factor x peacetime unknown rate (default 2) */
	uint32_t protect_budget_min;  /* and at least this (default 100 pps) */
	uint32_t soft_rate_pps; /* soft-allowlisted sources are limited to this (default 50) */
};

void xg_plan_cfg_defaults(struct xg_plan_cfg *cfg);

/*
 * The steps for the incident now. peace_unknown_pps[svc] is the service's
 * peacetime rate of traffic from unknown sources (the protect budget's
 * base). Spoofed attacks and attacks from more than protect_distinct
 * sources put the attacked service in protect mode instead of (or besides)
 * blocking top sources; amplification adds an AMP_DROP for its class.
 * Protect mode also comes on when the sources the plan blocks carry under
 * half the rate of the attack's metric (xg_plan_attack_metric). Steps come
 * in a fixed order: AMP_DROP, PROTECT, prefix steps, then host steps, each
 * group busiest first. keep may be NULL (nothing preserved), and so may
 * peace_unknown_pps (the budget is then protect_budget_min).
 */
void xg_plan(const struct xg_plan_cfg *cfg, const struct xg_incident *inc,
	     const struct xg_snapshot *s, const struct xg_preserved *keep,
	     const double peace_unknown_pps[XG_SVC_MAX], struct xg_plan *out);

/* enum xg_svc of the incident's service ("sip-udp" -> XG_SVC_SIP_UDP), or
 * XG_SVC_NONE when the attack is not on a known service. */
uint8_t xg_plan_service_class(const char *service);

/* enum xg_amp of an "amplification" incident's subtype ("dns" ->
 * XG_AMP_DNS, "other" -> XG_AMP_OTHER), or XG_AMP_NONE for any other
 * family or subtype. */
uint8_t xg_plan_amp_class(const struct xg_class *cls);

/* The reflector source port of an enum xg_amp class (53 for XG_AMP_DNS); 0
 * for XG_AMP_NONE and XG_AMP_OTHER (configured ports). */
uint16_t xg_plan_amp_port(uint8_t amp);

/* The metric (enum xg_metric) whose rate the attack of this class is
 * measured by: sip_invite_flood -> sip_invite_pps, syn_flood -> syn_pps,
 * udp_flood on sip-udp -> sip_udp_pps, ...; XG_M_PPS for multi_vector and
 * anything unnamed. Protect mode compares the blockable sources with it. */
int xg_plan_attack_metric(const struct xg_class *cls);

#endif
