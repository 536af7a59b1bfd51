/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon's configuration: JSON (json-c), every value with an embedded
 * default so no file is needed. A file only overrides; unknown keys, wrong
 * types and out-of-range values are errors that name the file, the line and
 * the key path ("xdpguard.json:12: baseline.window: must be 10-3600").
 */
#ifndef XG_CONFIG_H
#define XG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "alert_cfg.h"
#include "baseline.h"
#include "bgp_cfg.h"
#include "cidr.h"
#include "detect.h"
#include "planner.h"

#define XG_CFG_MAX_IFACES 16
#define XG_CFG_MAX_RANGES 16
#define XG_CFG_PATH_LEN	  256

struct xg_cfg_range {
	uint16_t lo, hi;
};

struct xg_cfg_ports {
	int n;
	struct xg_cfg_range r[XG_CFG_MAX_RANGES];
};

struct xg_cfg_extra_class {
	char name[16]; /* empty = slot unused */
	struct xg_cfg_ports udp;
	struct xg_cfg_ports tcp;
};

#define XG_CFG_MAX_CIDRS 256

/* What the controller does about an incident. */
struct xg_mitigation_cfg {
	bool enabled;		      /* act on incidents (default true) */
	bool dry_run;		      /* log and journal every decision, apply none */
	uint32_t block_ttl_s;	      /* each step's TTL, extended while the attack lasts (300) */
	uint32_t max_entries;	      /* controller-made entries in force at once (10000) */
	uint32_t max_inserts_per_min; /* new entries per minute (6000) */
	uint32_t cooldown_s; /* a target withdrawn less than this ago is not re-added (60) */
	double
	    collateral_share; /* roll back when peer traffic falls under this share of normal (0.5) */
	uint32_t max_peers;   /* learned peers kept (50000) */
	uint32_t peer_idle_s; /* a learned peer idle this long is forgotten (30 days) */
	struct xg_cfg_range
	    client_ports; /* the node's own client ports: spared by the reflector rule */
	int n_allow;
	struct xg_cidr allow[XG_CFG_MAX_CIDRS]; /* static allowlist: trunks, SBCs, subnets */
	int n_soft;
	struct xg_cidr soft[XG_CFG_MAX_CIDRS]; /* soft allowlist: rate-limited, never dropped */
	struct xg_plan_cfg plan;
};

/* Incident captures: sampled packets from XDP, a pre-attack ring, one
 * gzip'd pcap per incident, retention. */
struct xg_pcap_cfg {
	bool enabled;		       /* capture at all (default true) */
	char dir[XG_CFG_PATH_LEN];     /* "" = STATE_DIR/pcaps */
	uint32_t peace_sample_rate;    /* 1 in N outside incidents, power of 2, 0 off (1024) */
	uint32_t incident_sample_rate; /* 1 in N while an incident is open (64) */
	uint32_t ring_packets;	       /* kept from before the attack (1000) */
	uint32_t max_packets;	       /* per incident file, ring included (10000) */
	uint32_t max_age_days;	       /* files older are removed (30; 0 = no limit) */
	uint32_t max_total_mb;	       /* all files together (1024; 0 = no limit) */
	uint32_t min_free_mb;	       /* stop writing under this much free space (512) */
};

/* The HTTP server inside xdpctl run: /metrics, /api/v1, /status. */
#define XG_HTTP_DEFAULT_PORT 9477
#define XG_HTTP_TOKEN_LEN    128
#define XG_HTTP_TITLE_LEN    128
#define XG_HTTP_TOP_PORTS    64

struct xg_http_cfg {
	bool enabled;			      /* serve at all (default true) */
	char bind[48];			      /* an IPv4 or IPv6 address (127.0.0.1) */
	uint16_t port;			      /* 9477 */
	char token[XG_HTTP_TOKEN_LEN];	      /* bearer token; "" = no changes allowed */
	bool read_auth;			      /* reads need the token too (false) */
	uint32_t top_ports;		      /* busiest ports exported per tick, 0-64 (10) */
	bool status_page;		      /* serve /status (true) */
	bool status_redact;		      /* no IP address on /status (true) */
	char status_title[XG_HTTP_TITLE_LEN]; /* "" = "xdpguard status" */
};

struct xg_cfg {
	/* daemon */
	int n_interfaces;
	char interfaces[XG_CFG_MAX_IFACES][16]; /* attached at start when not yet */
	char attach_mode[8];			/* "auto" | "native" | "generic" */
	uint32_t tick_ms;			/* 100-60000, default 1000 */
	char state_dir[XG_CFG_PATH_LEN];	/* default /var/lib/xdpguard */
	char log_level[8];			/* "error" | "warn" | "info" | "debug" */

	/* data plane */
	bool monitor_only;     /* count "would drop", drop nothing */
	uint32_t sample_rate;  /* 1 in N packets into the top-talker maps (power of 2; 0 = off) */
	uint32_t learn_budget; /* xg_peers updates per CPU per second (default 20000) */

	/* services */
	struct xg_cfg_ports sip_udp; /* default 5060 */
	struct xg_cfg_ports sip_tcp; /* default 5060 */
	struct xg_cfg_ports sip_tls; /* default 5061 */
	struct xg_cfg_ports rtp;     /* default 10000-20000 */
	struct xg_cfg_extra_class extra[8];
	/* per-port rates in every snapshot (default: none); by protocol, as
	 * "watched_ports": "udp:53,tcp:443" says */
	struct xg_cfg_ports watched_udp;
	struct xg_cfg_ports watched_tcp;

	/* decisions */
	struct xg_baseline_cfg baseline;
	struct xg_detect_cfg detect;
	struct xg_mitigation_cfg mitigation;

	/* forensics */
	struct xg_pcap_cfg pcap;

	/* notifications */
	struct xg_alerts_cfg alerts;

	/* escalation to the network (FlowSpec, RTBH, scrubbing) */
	struct xg_bgp_cfg bgp;

	/* metrics, API and status page */
	struct xg_http_cfg http;
};

/* The embedded defaults. */
void xg_cfg_defaults(struct xg_cfg *cfg);

/* Defaults, then the file's values over them. On error returns -1 with one
 * line in err ("FILE:LINE: KEY.PATH: what is wrong") and leaves cfg as the
 * defaults. */
int xg_cfg_load(struct xg_cfg *cfg, const char *path, char *err, size_t errlen);

/* The same from a string (name is used in messages): for tests and fuzzing. */
int xg_cfg_parse(struct xg_cfg *cfg, const char *text, const char *name, char *err, size_t errlen);

/* The effective configuration as JSON, every key present (config show). */
struct json_object *xg_cfg_to_json(const struct xg_cfg *cfg);

/* "5060,5080-5082" ("" for none); with a prefix ("udp:"), before every
 * range. Returns the length snprintf would have written. */
int xg_cfg_ports_format(const struct xg_cfg_ports *p, const char *prefix, char *buf, size_t len);

/* True when port is in one of p's ranges. */
bool xg_cfg_ports_contains(const struct xg_cfg_ports *p, uint16_t port);

/* "5060, 5080-5082" into p, or with prefixed, "udp:53,tcp:443-444" into p
 * (UDP) and tcp. Blank text is no ports; at most XG_CFG_MAX_RANGES items.
 * Returns -1 with the reason in why. */
int xg_cfg_ports_parse(const char *text, bool prefixed, struct xg_cfg_ports *p,
		       struct xg_cfg_ports *tcp, char *why, size_t whylen);

/* CLI entry point: xdpctl config check|show (argv[0] is "config"). */
int cmd_config(int argc, char **argv);

#endif
