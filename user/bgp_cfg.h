/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The "bgp" section of the configuration: when an attack is escalated past
 * the node's own XDP drop to the network (thresholds per level), what the
 * rules look like (rate, communities, next hops), the safety limits, and the
 * speakers that carry them (ExaBGP, GoBGP, BIRD 2, FRR, a webhook). Plain
 * data, parsed by config.c, used by escalate.c (pure decisions) and bgp.c
 * (the rule table, the queue and the speaker workers).
 */
#ifndef XG_BGP_CFG_H
#define XG_BGP_CFG_H

#include <stdbool.h>
#include <stdint.h>

#include "bgp_intent.h"
#include "cidr.h"

#define XG_BGP_SPEAKERS_MAX 8
#define XG_BGP_NAME_MAX	    32 /* speaker name, with the NUL */
#define XG_BGP_PATH_MAX	    256
#define XG_BGP_URL_MAX	    512
#define XG_BGP_NEVER_MAX    64
#define XG_BGP_ARGS_MAX	    8 /* scrub command words */
#define XG_BGP_ADDR_MAX	    46

/* Escalation levels, in order. Level 1 is the node's own XDP drop (always
 * on); each higher level adds to the one below it. */
enum xg_bgp_level {
	XG_LVL_NONE = 0,
	XG_LVL_LOCAL = 1,    /* XDP drop on the node */
	XG_LVL_FS_RATELIMIT, /* FlowSpec traffic-rate rate_limit_bps per rule */
	XG_LVL_FS_DISCARD,   /* FlowSpec discard */
	XG_LVL_RTBH,	     /* remotely triggered black hole of the victim */
	XG_LVL_SCRUB,	     /* the scrubbing trigger (webhook and/or command) */
	XG_LVL_MAX,
};

/* A level comes on when the attack reaches pps OR bps (a 0 leaves that
 * measure out; both 0 = the level is off). */
struct xg_bgp_level_cfg {
	bool enabled;
	double pps;
	double bps;
	bool dry_run; /* decide, log and journal, announce nothing */
};

enum xg_speaker_type {
	XG_SPK_EXABGP = 0, /* process API through `xdpctl bgp exabgp-api` */
	XG_SPK_GOBGP,	   /* the gobgp CLI against gobgpd's API */
	XG_SPK_BIRD,	   /* a generated include file + birdc configure */
	XG_SPK_FRR,	   /* vtysh (RTBH only: FRR cannot originate FlowSpec) */
	XG_SPK_WEBHOOK,	   /* the intent as JSON, POSTed */
};

/* Which fields apply depends on the type (every path absolute):
 *   exabgp   socket: the relay socket (default STATE_DIR/bgp/exabgp.sock)
 *   gobgp    target: gobgpd's API "HOST:PORT" (default 127.0.0.1:50051),
 *            program (default "gobgp")
 *   bird     socket: birdc's control socket (default /run/bird/bird.ctl),
 *            include: the generated file (required), program ("birdc"),
 *            prefix: protocol names (default "xdpguard"), flow4_table
 *            ("flowtab4"), flow6_table ("flowtab6"), rtbh4_table
 *            ("master4"), rtbh6_table ("master6")
 *   frr      asn (required), socket: vtysh's --vty_socket dir (default:
 *            vtysh's own), program ("vtysh")
 *   webhook  url (required)
 * Every type: timeout_ms (default 5000), families "flowspec" / "rtbh"
 * (default both where the speaker can). */
struct xg_speaker_cfg {
	char name[XG_BGP_NAME_MAX];
	enum xg_speaker_type type;
	char socket[XG_BGP_PATH_MAX];
	char target[128];
	char program[XG_BGP_PATH_MAX];
	char include[XG_BGP_PATH_MAX];
	char url[XG_BGP_URL_MAX];
	char prefix[32];
	char flow4_table[32], flow6_table[32], rtbh4_table[32], rtbh6_table[32];
	uint32_t asn;
	uint32_t timeout_ms;
	bool flowspec; /* carries FlowSpec rules */
	bool rtbh;     /* carries RTBH announcements */
};

struct xg_bgp_cfg {
	bool enabled; /* escalate at all (default false) */
	bool dry_run; /* every level dry-run */
	struct xg_bgp_level_cfg level[XG_LVL_MAX];
	double
	    step_down_ratio; /* step down when the attack falls under this x the level's threshold (0.5) */
	uint32_t hold_down_s;	       /* ... for this long (30) */
	uint64_t rate_limit_bps;       /* FlowSpec rate-limit action, bytes/s (125000 = 1 Mbit/s) */
	uint32_t rule_ttl_s;	       /* a rule lapses this long after its last refresh (600) */
	uint32_t max_rules;	       /* active rules at once, all speakers (200) */
	uint32_t max_announce_per_min; /* new announcements in any 60 s (60) */
	uint32_t max_flowspec_sources; /* source prefixes per incident and victim (16) */
	/* RTBH: 65535:666 always, plus these */
	uint8_t n_comm;
	uint32_t comm[XG_BGP_COMM_MAX - 1];
	uint8_t n_lcomm;
	struct {
		uint32_t global, local1, local2;
	} lcomm[XG_BGP_LCOMM_MAX];
	char next_hop_v4[XG_BGP_ADDR_MAX]; /* RTBH next hop (192.0.2.1) */
	char next_hop_v6[XG_BGP_ADDR_MAX]; /* (100::1) */
	uint8_t rtbh_min_prefix_v4;	   /* RTBH prefixes at least this long (32) */
	uint8_t rtbh_min_prefix_v6;	   /* (128) */
	bool allow_private; /* private and reserved victims may be escalated (false) */
	int n_never;
	struct xg_cidr never_blackhole[XG_BGP_NEVER_MAX];
	/* the scrubbing trigger, level XG_LVL_SCRUB: either or both */
	char scrub_url[XG_BGP_URL_MAX];
	int n_scrub_args;
	char scrub_command[XG_BGP_ARGS_MAX][XG_BGP_PATH_MAX]; /* argv, [0] an absolute path */
	int n_speakers;
	struct xg_speaker_cfg speakers[XG_BGP_SPEAKERS_MAX];
};

void xg_bgp_cfg_defaults(struct xg_bgp_cfg *cfg);

/* Defaults of one speaker of the type (name left empty). */
void xg_speaker_cfg_defaults(struct xg_speaker_cfg *s, enum xg_speaker_type type);

/* "exabgp", "gobgp", "bird", "frr", "webhook"; -1 when unknown */
int xg_speaker_type_parse(const char *s);
const char *xg_speaker_type_name(enum xg_speaker_type t);

/* "local", "flowspec_ratelimit", "flowspec_discard", "rtbh", "scrub" (the
 * config keys of the levels); NULL for NONE and out of range */
const char *xg_bgp_level_name(int level);

#endif /* XG_BGP_CFG_H */
