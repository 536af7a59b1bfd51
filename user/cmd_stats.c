// SPDX-License-Identifier: GPL-2.0-only
/* xdpctl stats: rates over an interval, from two counter reads. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "counters.h"
#include "names.h"
#include "rtcfg.h"

#define TOP_PORTS 10

static struct json_object *jrate(double pps, double bps)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "pps", json_object_new_double(pps));
	if (bps >= 0)
		json_object_object_add(o, "bps", json_object_new_double(bps));
	return o;
}

static void print_json(const struct xg_counters *d, double secs, const struct xg_port_count *top,
		       int ntop, const struct xg_config *cfg)
{
	const struct xg_stats *s = &d->st;
	struct json_object *o = json_object_new_object();
	struct json_object *proto = json_object_new_object(), *svc = json_object_new_object();
	struct json_object *sip = json_object_new_object(), *tcpf = json_object_new_object();
	struct json_object *drops = json_object_new_object(), *would = json_object_new_object();
	struct json_object *mal = json_object_new_object(), *ports = json_object_new_array();
	struct json_object *verdict = json_object_new_object();
	int i;

	json_object_object_add(o, "interval_s", json_object_new_double(secs));
	json_object_object_add(o, "monitor_only",
			       json_object_new_boolean(cfg->flags & XG_CFG_MONITOR_ONLY));
	for (i = 0; i < XG_PROTO_MAX; i++)
		json_object_object_add(
		    proto, xg_proto_name(i),
		    jrate(s->proto[i].packets / secs, s->proto[i].bytes * 8.0 / secs));
	json_object_object_add(o, "protocols", proto);
	for (i = 1; i < XG_SVC_MAX; i++) {
		if (i >= XG_SVC_EXTRA0 && !s->svc[i].packets)
			continue;
		json_object_object_add(
		    svc, xg_svc_name(i),
		    jrate(s->svc[i].packets / secs, s->svc[i].bytes * 8.0 / secs));
	}
	json_object_object_add(o, "services", svc);
	for (i = 0; i < XG_SIP_MAX; i++)
		json_object_object_add(sip, xg_sip_name(i),
				       json_object_new_double(s->sip[i] / secs));
	json_object_object_add(o, "sip_pps", sip);
	json_object_object_add(o, "rtp_invalid_pps", json_object_new_double(s->rtp_invalid / secs));
	for (i = 0; i < XG_TCPF_MAX; i++)
		json_object_object_add(tcpf, xg_tcpf_name(i),
				       json_object_new_double(s->tcp_flags[i] / secs));
	json_object_object_add(o, "tcp_flags_pps", tcpf);
	for (i = 1; i < XG_REASON_MAX; i++) {
		json_object_object_add(drops, xg_reason_name(i),
				       json_object_new_double(s->drop[i] / secs));
		json_object_object_add(would, xg_reason_name(i),
				       json_object_new_double(s->would_drop[i] / secs));
	}
	json_object_object_add(o, "drops_pps", drops);
	json_object_object_add(o, "would_drop_pps", would);
	json_object_object_add(verdict, "pass",
			       json_object_new_double(s->verdict[XG_VERDICT_PASS] / secs));
	json_object_object_add(verdict, "drop",
			       json_object_new_double(s->verdict[XG_VERDICT_DROP] / secs));
	json_object_object_add(verdict, "would_drop",
			       json_object_new_double(s->verdict[XG_VERDICT_WOULD_DROP] / secs));
	json_object_object_add(o, "verdict_pps", verdict);
	json_object_object_add(o, "allowlisted_pps", json_object_new_double(s->allowed / secs));
	for (i = 0; i < XG_MAL_MAX; i++)
		json_object_object_add(mal, xg_malformed_name(i),
				       json_object_new_double(s->malformed[i] / secs));
	json_object_object_add(o, "malformed_pps", mal);
	json_object_object_add(o, "fragments_pps",
			       json_object_new_double((s->frag_first + s->frag_later) / secs));
	/* packets sampled for the incident captures, and samples the ring
	 * buffer had no room for (the reader fell behind) */
	json_object_object_add(o, "pcap_samples_pps",
			       json_object_new_double(s->pcap_samples / secs));
	json_object_object_add(o, "pcap_lost_pps", json_object_new_double(s->pcap_lost / secs));
	for (i = 0; i < ntop; i++) {
		struct json_object *p = json_object_new_object();

		json_object_object_add(
		    p, "proto",
		    json_object_new_string(top[i].l4 == XG_PORT_L4_TCP ? "tcp" : "udp"));
		json_object_object_add(p, "port", json_object_new_int(top[i].port));
		json_object_object_add(p, "pps", json_object_new_double(top[i].packets / secs));
		json_object_array_add(ports, p);
	}
	json_object_object_add(o, "top_ports", ports);
	xg_json_print(o);
	json_object_put(o);
}

static void line(const char *name, double pps, double bps)
{
	char p[32], b[32];

	xg_format_rate(pps, p, sizeof(p));
	if (bps < 0) {
		printf("  %-18s %10s pps\n", name, p);
		return;
	}
	xg_format_rate(bps, b, sizeof(b));
	printf("  %-18s %10s pps %10sbit/s\n", name, p, b);
}

static void print_text(const struct xg_counters *d, double secs, const struct xg_port_count *top,
		       int ntop, const struct xg_config *cfg)
{
	const struct xg_stats *s = &d->st;
	char name[32];
	int i;

	printf("rates over %.1f s%s\n", secs,
	       cfg->flags & XG_CFG_MONITOR_ONLY ? " (monitor-only: nothing is dropped)" : "");
	printf("protocols:\n");
	for (i = 0; i < XG_PROTO_MAX; i++)
		if (s->proto[i].packets)
			line(xg_proto_name(i), s->proto[i].packets / secs,
			     s->proto[i].bytes * 8.0 / secs);
	printf("services:\n");
	for (i = 1; i < XG_SVC_MAX; i++) {
		const char *n = xg_svc_name(i);

		if (i >= XG_SVC_EXTRA0) {
			if (!s->svc[i].packets)
				continue;
			if (cfg->svc_name[i - XG_SVC_EXTRA0][0])
				n = cfg->svc_name[i - XG_SVC_EXTRA0];
		}
		line(n, s->svc[i].packets / secs, s->svc[i].bytes * 8.0 / secs);
	}
	printf("SIP:\n");
	for (i = 0; i < XG_SIP_MAX; i++)
		if (s->sip[i] || i <= XG_SIP_OPTIONS || i == XG_SIP_MALFORMED)
			line(xg_sip_name(i), s->sip[i] / secs, -1);
	line("rtp-invalid", s->rtp_invalid / secs, -1);
	printf("TCP flags:\n");
	for (i = 0; i < XG_TCPF_MAX; i++)
		if (s->tcp_flags[i])
			line(xg_tcpf_name(i), s->tcp_flags[i] / secs, -1);
	printf("verdicts:\n");
	line("pass", s->verdict[XG_VERDICT_PASS] / secs, -1);
	line("drop", s->verdict[XG_VERDICT_DROP] / secs, -1);
	if (s->verdict[XG_VERDICT_WOULD_DROP])
		line("would-drop", s->verdict[XG_VERDICT_WOULD_DROP] / secs, -1);
	line("allowlisted", s->allowed / secs, -1);
	printf("drops by reason:\n");
	for (i = 1; i < XG_REASON_MAX; i++) {
		line(xg_reason_name(i), s->drop[i] / secs, -1);
		if (s->would_drop[i]) {
			snprintf(name, sizeof(name), "would-%s", xg_reason_name(i));
			line(name, s->would_drop[i] / secs, -1);
		}
	}
	if (s->frag_first || s->frag_later)
		line("fragments", (s->frag_first + s->frag_later) / secs, -1);
	for (i = 0; i < XG_MAL_MAX; i++) {
		if (!s->malformed[i])
			continue;
		snprintf(name, sizeof(name), "malformed-%s", xg_malformed_name(i));
		line(name, s->malformed[i] / secs, -1);
	}
	if (s->pcap_samples || s->pcap_lost) {
		printf("capture sampling:\n");
		line("sampled", s->pcap_samples / secs, -1);
		line("lost (ring full)", s->pcap_lost / secs, -1);
	}
	printf("top destination ports:\n");
	if (!ntop)
		printf("  (none)\n");
	for (i = 0; i < ntop; i++) {
		snprintf(name, sizeof(name), "%s/%d", top[i].l4 == XG_PORT_L4_TCP ? "tcp" : "udp",
			 top[i].port);
		line(name, top[i].packets / secs, -1);
	}
}

int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"interval", required_argument, NULL, 'i'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct xg_counters *a = NULL, *b = NULL, *d = NULL;
	struct xg_port_count top[TOP_PORTS];
	struct xg_maps maps;
	struct xg_config cfg;
	uint64_t interval_ms = 1000;
	bool json = false;
	double secs;
	int c, ntop, ret = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ji:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'i':
			if (xg_parse_uint(optarg, 100, 60000, &interval_ms))
				return xg_fail("stats",
					       "invalid --interval '%s': milliseconds, 100-60000",
					       optarg);
			break;
		case 'h':
			puts("usage: xdpctl stats [--json] [--interval MS]");
			return 0;
		default:
			return 2;
		}
	}
	if (optind != argc)
		return xg_fail("stats", "unexpected argument '%s'", argv[optind]);
	if (xg_cli_open("stats", &maps, false))
		return 1;
	a = malloc(sizeof(*a));
	b = malloc(sizeof(*b));
	d = malloc(sizeof(*d));
	if (!a || !b || !d || xg_rtcfg_read(&maps, &cfg) || xg_counters_read(&maps, a)) {
		xg_fail("stats", "cannot read the counters");
		goto out;
	}
	nanosleep(
	    &(struct timespec){(time_t)(interval_ms / 1000), (long)(interval_ms % 1000) * 1000000L},
	    NULL);
	if (xg_counters_read(&maps, b)) {
		xg_fail("stats", "cannot read the counters");
		goto out;
	}
	xg_counters_delta(a, b, d);
	secs = d->mono_ns / 1e9;
	if (secs <= 0)
		secs = interval_ms / 1000.0;
	ntop = xg_counters_top_ports(d, top, TOP_PORTS);
	if (json)
		print_json(d, secs, top, ntop, &cfg);
	else
		print_text(d, secs, top, ntop, &cfg);
	ret = 0;
out:
	free(a);
	free(b);
	free(d);
	xg_maps_close(&maps);
	return ret;
}
