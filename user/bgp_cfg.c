// SPDX-License-Identifier: GPL-2.0-only
/*
 * Defaults and names of the "bgp" section (bgp_cfg.h); config.c parses it.
 * The defaults are documented in config/README.md.
 */
#include "bgp_cfg.h"

#include <stdio.h>
#include <string.h>

static const char *const speaker_types[] = {
    [XG_SPK_EXABGP] = "exabgp", [XG_SPK_GOBGP] = "gobgp",     [XG_SPK_BIRD] = "bird",
    [XG_SPK_FRR] = "frr",	[XG_SPK_WEBHOOK] = "webhook",
};

#define N_SPEAKER_TYPES (int)(sizeof(speaker_types) / sizeof(speaker_types[0]))

static const char *const level_names[XG_LVL_MAX] = {
    [XG_LVL_LOCAL] = "local",
    [XG_LVL_FS_RATELIMIT] = "flowspec_ratelimit",
    [XG_LVL_FS_DISCARD] = "flowspec_discard",
    [XG_LVL_RTBH] = "rtbh",
    [XG_LVL_SCRUB] = "scrub",
};

void xg_bgp_cfg_defaults(struct xg_bgp_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	/* pps and bps 0 on LOCAL: it needs no threshold, it is always on */
	cfg->level[XG_LVL_LOCAL] = (struct xg_bgp_level_cfg){true, 0, 0, false};
	cfg->level[XG_LVL_FS_RATELIMIT] = (struct xg_bgp_level_cfg){true, 500000, 2e9, false};
	cfg->level[XG_LVL_FS_DISCARD] = (struct xg_bgp_level_cfg){true, 1000000, 5e9, false};
	cfg->level[XG_LVL_RTBH] = (struct xg_bgp_level_cfg){true, 5000000, 9e9, false};
	/* off: it needs a URL or a command, which no default can give */
	cfg->level[XG_LVL_SCRUB] = (struct xg_bgp_level_cfg){false, 10000000, 2e10, false};
	cfg->step_down_ratio = 0.5;
	cfg->hold_down_s = 30;
	cfg->rate_limit_bps = 125000;
	cfg->rule_ttl_s = 600;
	cfg->max_rules = 200;
	cfg->max_announce_per_min = 60;
	cfg->max_flowspec_sources = 16;
	snprintf(cfg->next_hop_v4, sizeof(cfg->next_hop_v4), "192.0.2.1");
	snprintf(cfg->next_hop_v6, sizeof(cfg->next_hop_v6), "100::1");
	cfg->rtbh_min_prefix_v4 = 32;
	cfg->rtbh_min_prefix_v6 = 128;
}

void xg_speaker_cfg_defaults(struct xg_speaker_cfg *s, enum xg_speaker_type type)
{
	memset(s, 0, sizeof(*s));
	s->type = type;
	s->timeout_ms = 5000;
	s->flowspec = true;
	s->rtbh = true;
	switch (type) {
	case XG_SPK_EXABGP:
		break; /* socket "": STATE_DIR/bgp/exabgp.sock, known only at run time */
	case XG_SPK_GOBGP:
		snprintf(s->target, sizeof(s->target), "127.0.0.1:50051");
		snprintf(s->program, sizeof(s->program), "gobgp");
		break;
	case XG_SPK_BIRD:
		snprintf(s->socket, sizeof(s->socket), "/run/bird/bird.ctl");
		snprintf(s->program, sizeof(s->program), "birdc");
		snprintf(s->prefix, sizeof(s->prefix), "xdpguard");
		snprintf(s->flow4_table, sizeof(s->flow4_table), "flowtab4");
		snprintf(s->flow6_table, sizeof(s->flow6_table), "flowtab6");
		snprintf(s->rtbh4_table, sizeof(s->rtbh4_table), "master4");
		snprintf(s->rtbh6_table, sizeof(s->rtbh6_table), "master6");
		break;
	case XG_SPK_FRR:
		snprintf(s->program, sizeof(s->program), "vtysh");
		s->flowspec = false; /* FRR cannot originate FlowSpec */
		break;
	case XG_SPK_WEBHOOK:
		break;
	}
}

int xg_speaker_type_parse(const char *s)
{
	int t;

	for (t = 0; s && t < N_SPEAKER_TYPES; t++)
		if (!strcmp(s, speaker_types[t]))
			return t;
	return -1;
}

const char *xg_speaker_type_name(enum xg_speaker_type t)
{
	if ((int)t < 0 || (int)t >= N_SPEAKER_TYPES)
		return "unknown";
	return speaker_types[t];
}

const char *xg_bgp_level_name(int level)
{
	if (level <= XG_LVL_NONE || level >= XG_LVL_MAX)
		return NULL;
	return level_names[level];
}
