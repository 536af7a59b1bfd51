/* SPDX-License-Identifier: GPL-2.0-only */
/* The rates the baseline learns and detection watches, one id each. */
#ifndef XG_METRICS_H
#define XG_METRICS_H

#include <stdint.h>

enum xg_metric {
	XG_M_PPS = 0, /* all traffic that reached the host */
	XG_M_BPS,
	XG_M_TCP_PPS,
	XG_M_UDP_PPS,
	XG_M_ICMP_PPS, /* ICMP + ICMPv6 */
	XG_M_GRE_PPS,
	XG_M_ESP_PPS,
	XG_M_OTHER_PPS, /* other IP protocols */
	XG_M_FRAG_PPS,	/* first + later fragments */
	XG_M_SYN_PPS,
	XG_M_ACK_PPS,
	XG_M_RST_PPS,
	XG_M_FIN_PPS,
	XG_M_PSH_PPS,
	XG_M_XMAS_PPS,
	XG_M_NULL_PPS,
	XG_M_SIP_UDP_PPS,
	XG_M_SIP_TCP_PPS,
	XG_M_SIP_TLS_PPS,
	XG_M_RTP_PPS,
	XG_M_SIP_REGISTER_PPS,
	XG_M_SIP_INVITE_PPS,
	XG_M_SIP_OPTIONS_PPS,
	XG_M_SIP_MALFORMED_PPS,
	XG_M_RTP_INVALID_PPS,
	XG_M_AMP_PPS, /* UDP from well-known reflector source ports */
	XG_M_MAX,
};

/* Short names used in config keys, JSON and logs: "pps", "udp_pps", ... */
const char *xg_metric_name(int m);

/* -1 when unknown. */
int xg_metric_by_name(const char *name);

/* Default floor of each metric's threshold: detection never fires below it,
 * whatever the baseline says. */
double xg_metric_default_floor(int m);

#endif
