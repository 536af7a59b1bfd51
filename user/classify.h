/* SPDX-License-Identifier: GPL-2.0-only */
/* Names an attack from a snapshot and the metrics that fired. Pure. */
#ifndef XG_CLASSIFY_H
#define XG_CLASSIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "snapshot.h"

#define XG_EVIDENCE_MAX 8
#define XG_EVIDENCE_LEN 120

struct xg_class {
	/* Generic: udp_flood, syn_flood, icmp_flood, fragment_flood,
	 * multi_vector, tcp_flood (subtype ack|rst|fin|psh|xmas|null),
	 * protocol_flood (gre|esp|other), amplification (dns|ntp|ssdp|
	 * memcached|cldap|chargen|snmp|wsd|mdns|...). VoIP: sip_register_flood,
	 * sip_invite_flood, sip_options_flood, sip_malformed_flood,
	 * sip_tls_syn_flood, rtp_flood. Not attacks: sip_registration_surge
	 * (an avalanche restart: known sources), traffic_surge. */
	char family[32];
	char subtype[24];
	char service[24]; /* the targeted service: sip-udp, sip-tcp, sip-tls, rtp, udp/53, any */
	int confidence;	  /* 0-100 */
	bool spoofed;	  /* from TTL and source entropy */
	bool botnet;	  /* many distinct real sources */
	bool attack;	  /* false for benign surges: no incident is opened */
	int n_evidence;
	char evidence[XG_EVIDENCE_MAX][XG_EVIDENCE_LEN]; /* why, in words with numbers */
};

/* fired: bitmask of (1ULL << enum xg_metric) over the threshold this tick. */
void xg_classify(const struct xg_snapshot *s, const double thr[XG_M_MAX], uint64_t fired,
		 struct xg_class *out);

#endif
