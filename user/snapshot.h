/* SPDX-License-Identifier: GPL-2.0-only */
/* One tick's view of the traffic: rates over the interval, the busiest
 * ports, sources and destinations, and what is known about the sources.
 * Built by the collector; read by baseline, detection and classification. */
#ifndef XG_SNAPSHOT_H
#define XG_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>
#include <xdpguard/abi.h>

#include "cidr.h"
#include "metrics.h"

#define XG_TOP_PORTS   16
#define XG_TOP_SOURCES 32
#define XG_TOP_VICTIMS 8
#define XG_WATCHED_MAX 64

struct xg_port_rate {
	uint8_t l4; /* XG_PORT_L4_TCP or XG_PORT_L4_UDP */
	uint16_t port;
	double pps;
};

struct xg_addr_rate {
	struct xg_cidr addr; /* a host address */
	double pps;	     /* estimated from samples */
	uint32_t samples;    /* samples behind the estimate */
	double bps;
	bool known; /* seen in peacetime (sources only) */
};

struct xg_snapshot {
	uint64_t ts_ns;	   /* clock time at the end of the interval */
	double interval_s; /* length of the interval */

	double metric[XG_M_MAX]; /* the watched rates, per second */

	double proto_pps[XG_PROTO_MAX];
	double proto_bps[XG_PROTO_MAX];
	double svc_pps[XG_SVC_MAX];
	double svc_bps[XG_SVC_MAX];
	double sip_pps[XG_SIP_MAX];
	double tcpf_pps[XG_TCPF_MAX];
	double amp_pps[XG_AMP_MAX]; /* UDP by reflector source port class */
	double amp_bps[XG_AMP_MAX];
	double drop_pps[XG_REASON_MAX];
	double would_drop_pps[XG_REASON_MAX];
	double allowed_pps;
	double mitigated_pps;		   /* dropped by any reason: the attack still coming */
	double ttl_hist[XG_TTL_BUCKETS];   /* packets in the interval */
	double size_hist[XG_SIZE_BUCKETS]; /* packets in the interval */

	struct xg_port_rate top_ports[XG_TOP_PORTS]; /* busiest first */
	int n_top_ports;
	struct xg_port_rate watched[XG_WATCHED_MAX]; /* the configured ports, always */
	int n_watched;
	struct xg_addr_rate top_src[XG_TOP_SOURCES]; /* busiest first */
	int n_top_src;
	struct xg_addr_rate top_dst[XG_TOP_VICTIMS];
	int n_top_dst;

	double distinct_sources; /* estimate of distinct sources in the interval */
	double src_entropy;	 /* bits, over sampled sources; high = spread out */
	double ttl_entropy;	 /* bits, over the TTL histogram; high = spoofed-looking */
	/* Of the SIP packets in the interval from sources the learning map saw,
	 * the share from sources known before (peers); -1 when there was none. */
	double sip_known_share;
	/* Of the sampled source packets, the share from sources never seen in
	 * peacetime; -1 when nothing was sampled. */
	double new_source_share;
};

#endif
