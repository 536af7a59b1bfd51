/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Escalation to the network: how far past the node's own XDP drop an attack
 * goes (FlowSpec rate-limit, FlowSpec discard, RTBH, the scrubbing trigger),
 * and which BGP rules that level means for an incident. Pure: the caller
 * passes the clock, the incident, its mitigation plan and the config.
 *
 * Peers are never matched: a FlowSpec rule always names source prefixes,
 * and they come from the plan's BLOCK steps, which the planner already keeps
 * clear of every preserved address. An attack with no such source (spoofed,
 * or spread over too many sources) gets no FlowSpec rule and stays local
 * until RTBH, which drops everything to the victim and so is the last
 * resort, guarded by never_blackhole and the private-address check.
 */
#ifndef XG_ESCALATE_H
#define XG_ESCALATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp_cfg.h"
#include "bgp_intent.h"
#include "detect.h"
#include "planner.h"

struct xg_cfg;

/* Per incident, kept by the caller between ticks. */
struct xg_esc_state {
	int level;		 /* enum xg_bgp_level; NONE before the first step */
	uint64_t below_since_ns; /* since when under the step-down mark (0: not) */
	uint64_t level_since_ns; /* when the current level was entered */
	bool scrub_fired;	 /* the scrubbing trigger went off for this incident */
};

/* The highest enabled level whose threshold pps or bps reaches (LOCAL when
 * none). */
int xg_esc_level_for(const struct xg_bgp_cfg *cfg, double pps, double bps);

/*
 * One tick of an open incident at rate pps/bps. Up: at once, to the level
 * the rate reaches. Down: one level at a time, once the rate has stayed
 * under step_down_ratio x the current level's threshold for hold_down_s.
 * Returns the new level (also in st->level). With bgp disabled: LOCAL.
 */
int xg_esc_step(const struct xg_bgp_cfg *cfg, struct xg_esc_state *st, double pps, double bps,
		uint64_t now_ns);

/* The attack's size as the link sees it: what reached the host plus what
 * XDP dropped (the drop path counts packets, not bytes, so the dropped
 * bytes are estimated at the incident's mean packet size from its peak).
 * Escalation must not step down because the node's own drop works: the
 * link carries the attack either way. */
void xg_esc_attack_rate(const struct xg_snapshot *s, const struct xg_incident *inc, double *pps,
			double *bps);

/* What the rules of an incident match besides addresses, from its class
 * and the configured service ports. */
struct xg_esc_match {
	uint8_t proto;		   /* 0 any; ICMP is set per victim family */
	bool icmp;		   /* proto is ICMP or ICMPv6 by the victim's family */
	struct xg_bgp_ports dport; /* the attacked service's ports, if they fit */
	struct xg_bgp_ports sport; /* the reflector port of an amplification */
	uint8_t tcp_flags;
	uint8_t fragment;
};

void xg_esc_match_for(const struct xg_cfg *cfg, const struct xg_class *cls, struct xg_esc_match *m);

#define XG_ESC_MAX_RULES 64
#define XG_ESC_MAX_NOTES 8

struct xg_esc_rules {
	int n;
	struct xg_bgp_intent rule[XG_ESC_MAX_RULES];
	int level[XG_ESC_MAX_RULES]; /* the level each rule belongs to (dry-run is per level) */
	int n_notes;
	char notes[XG_ESC_MAX_NOTES][160]; /* what was left out and why */
};

/*
 * The rules that level means for the incident. FLOWSPEC (levels 2-3): one
 * rule per victim and BLOCK source of the plan (at most
 * max_flowspec_sources per victim), rate-limited at level 2, discarded from
 * level 3. RTBH (level 4+): each victim's host route with 65535:666 and the
 * configured communities. Every rule passes xg_esc_admit(); the ones that do
 * not are left out with a note.
 */
void xg_esc_rules(const struct xg_bgp_cfg *cfg, int level, const struct xg_incident *inc,
		  const struct xg_plan *plan, const struct xg_esc_match *m,
		  struct xg_esc_rules *out);

/* Safety checks every rule passes, automatic or manual: valid; the victim
 * (FlowSpec dst, RTBH prefix) is not private or reserved unless
 * allow_private; an RTBH prefix is at least rtbh_min_prefix long and not
 * covering or inside never_blackhole. 0, or -EPERM/-EINVAL with why. */
int xg_esc_admit(const struct xg_bgp_cfg *cfg, const struct xg_bgp_intent *in, char *why,
		 size_t whylen);

/* The RTBH policy, on the controller's rules and manual ones alike:
 * BLACKHOLE (65535:666) always, then the configured communities and large
 * communities, merged into the rule's own without duplicates, in the
 * canonical order. No-op for FlowSpec. */
void xg_esc_rtbh_policy(const struct xg_bgp_cfg *cfg, struct xg_bgp_intent *in);

/* Private, loopback, link-local, documentation, benchmarking, CGN,
 * multicast and other reserved ranges (RFC 6890 and friends). */
bool xg_esc_is_reserved(const struct xg_cidr *c);

#endif /* XG_ESCALATE_H */
