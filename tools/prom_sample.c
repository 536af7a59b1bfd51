// SPDX-License-Identifier: GPL-2.0-only
/*
 * Prints the Prometheus exposition of a synthetic controller state with
 * every table full, for `build/prom_sample | promtool check metrics` and
 * for counting the worst-case series.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prom.h"

static void fill(struct xg_obs *o)
{
	struct xg_stats *st = &o->totals.st;
	int i;

	o->ts_ns = 1763762400ULL * 1000000000ULL;
	o->start_ns = o->ts_ns - 3600ULL * 1000000000ULL;
	o->seq = 3600;
	snprintf(o->node, sizeof(o->node), "edge-1 \"quoted\" \\ node");
	o->n_ifaces = 1;
	snprintf(o->ifaces[0], sizeof(o->ifaces[0]), "eth0");
	o->tick_ms = 1000;
	o->learning = true;
	for (i = 0; i < XG_PROTO_SLOTS; i++) {
		st->proto[i].packets = 1000u + (unsigned)i;
		st->proto[i].bytes = 64000u + (unsigned)i;
	}
	for (i = 0; i < XG_SVC_SLOTS; i++) {
		st->svc[i].packets = 100u + (unsigned)i;
		st->svc[i].bytes = 6400u + (unsigned)i;
	}
	for (i = 0; i < XG_SIP_SLOTS; i++)
		st->sip[i] = 10u + (unsigned)i;
	for (i = 0; i < XG_TCPF_MAX; i++)
		st->tcp_flags[i] = 20u + (unsigned)i;
	for (i = 0; i < XG_MAL_SLOTS; i++)
		st->malformed[i] = 30u + (unsigned)i;
	for (i = 0; i < XG_VERDICT_MAX; i++)
		st->verdict[i] = 40u + (unsigned)i;
	for (i = 0; i < XG_REASON_SLOTS; i++) {
		st->drop[i] = 50u + (unsigned)i;
		st->would_drop[i] = 60u + (unsigned)i;
	}
	st->allowed = 70;
	st->rtp_invalid = 80;
	st->pcap_samples = 90;
	st->pcap_lost = 1;

	/* 32 + 32 watched ports and 16 busy ports none of them watched: the
	 * worst case for the per-port series. */
	for (i = 0; i < 32; i++) {
		o->watched_udp[i] = (uint16_t)(10000 + i);
		o->watched_tcp[i] = (uint16_t)(5060 + i);
		xg_obs_port_set(o, XG_PORT_L4_UDP, 10000 + i, 500u + (unsigned)i);
		xg_obs_port_set(o, XG_PORT_L4_TCP, 5060 + i, 600u + (unsigned)i);
	}
	o->n_watched_udp = o->n_watched_tcp = 32;
	o->have_snap = true;
	o->snap.interval_s = 1;
	for (i = 0; i < XG_TOP_PORTS; i++) {
		o->snap.top_ports[i].l4 = (uint8_t)(i & 1);
		o->snap.top_ports[i].port = (uint16_t)(40000 + i);
		o->snap.top_ports[i].pps = 1000.0 - i;
	}
	o->snap.n_top_ports = XG_TOP_PORTS;
	for (i = 0; i < XG_M_MAX; i++) {
		o->snap.metric[i] = 12.5 * i;
		o->thr[i] = 1000.0 + i;
		o->baseline[i] = 100.25 + i;
	}
	o->incident_open = true;
	o->incidents_total = 3;
	o->esc_level = 2;
	o->blocks_active = 12;
	o->allow_entries = 34;
	o->peers_learned = 56;
	o->bgp_rules = 2;
	o->alert_queue_depth = 1;
	for (i = 0; i < 1000; i++)
		xg_obs_tick_add(&o->tick, 0.0001 * (i % 300));
}

int main(void)
{
	struct xg_obs *o = calloc(1, sizeof(*o));
	size_t len;
	char *text;

	if (!o)
		return 1;
	fill(o);
	if (xg_prom_render(o, 64, &text, &len)) {
		free(o);
		return 1;
	}
	fwrite(text, 1, len, stdout);
	free(text);
	free(o);
	return 0;
}
