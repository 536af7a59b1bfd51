// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Prometheus exposition of the published state (see obs.h, prom.h).
 *
 * Bounded cardinality: every label value comes from a fixed table, except
 * the per-port series, which are at most the watched ports (32 UDP + 32
 * TCP) and the top ports of the last tick (at most XG_TOP_PORTS = 16),
 * deduplicated. With every table full the exposition holds at most
 * XG_PROM_MAX_SERIES = 271 series (histogram buckets, _sum and _count
 * counted one each):
 *
 *   build_info, up, learning, monitor_only                 4
 *   packets_total, bytes_total         {proto}      2 x  8 = 16
 *   service_packets/bytes_total        {service}    2 x 13 = 26
 *   sip_requests_total                 {method}           13
 *   sip_malformed, rtp_invalid                              2
 *   malformed_packets_total            {layer}             6
 *   verdict_packets_total              {verdict}           3
 *   dropped / would_drop_packets_total {reason}     2 x  5 = 10
 *   allowed_packets_total                                  1
 *   tcp_flag_packets_total             {flag}              9
 *   port_packets_total                 {proto,port}       80
 *   rate, threshold, baseline          {metric}     3 x 26 = 78
 *   incident_open, incidents_total, escalation_level,
 *   blocks_active, allowlist_entries, peers_learned,
 *   bgp_rules_active, alert_queue_depth                    8
 *   capture_samples_total, capture_lost_total              2
 *   tick_duration_seconds              10 le + +Inf + 2   13
 */
#include "prom.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xdpguard/abi.h>

#include "metrics.h"
#include "names.h"
#include "version.h"

#define TOP_PORTS_MAX	 64
#define WATCHED_PER_L4	 32
#define PORT_SERIES_MAX	 (2 * WATCHED_PER_L4 + XG_TOP_PORTS)
#define VALUE_LEN	 40
#define INITIAL_CAPACITY 16384

_Static_assert(PORT_SERIES_MAX == 80, "update the series bound in prom.c and prom.h");
_Static_assert(XG_PROTO_MAX == 8 && XG_SVC_MAX == 13 && XG_SIP_MAX == 14 && XG_MAL_MAX == 6 &&
		   XG_VERDICT_MAX == 3 && XG_REASON_MAX == 6 && XG_TCPF_MAX == 9 &&
		   XG_M_MAX == 26 && XG_OBS_TICK_BUCKETS == 10,
	       "a label table changed: update XG_PROM_MAX_SERIES and the table above");

struct sb {
	char *buf;
	size_t len, cap;
	bool oom;
};

/* Room for need more bytes; false (and oom) when there is none. */
static bool sb_reserve(struct sb *b, size_t need)
{
	size_t ncap = b->cap;
	char *nb;

	if (b->oom)
		return false;
	if (b->cap - b->len > need)
		return true;
	while (ncap - b->len <= need)
		ncap *= 2;
	nb = realloc(b->buf, ncap);
	if (!nb) {
		b->oom = true;
		return false;
	}
	b->buf = nb;
	b->cap = ncap;
	return true;
}

static void sb_vprintf(struct sb *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	if (b->oom)
		return;
	va_copy(aq, ap);
	n = vsnprintf(b->buf + b->len, b->cap - b->len, fmt, aq);
	va_end(aq);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if ((size_t)n >= b->cap - b->len) {
		if (!sb_reserve(b, (size_t)n))
			return;
		vsnprintf(b->buf + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

static void sb_printf(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sb *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vprintf(b, fmt, ap);
	va_end(ap);
}

/* HELP text: backslash and newline escaped; label values: the double
 * quote too (text format 0.0.4). Returns the length needed, as snprintf. */
static size_t escape(const char *s, bool quote, char *out, size_t outlen)
{
	size_t n = 0;

	for (; *s; s++) {
		char c = *s;

		if (c == '\\' || c == '\n' || (quote && c == '"')) {
			if (n + 1 < outlen)
				out[n] = '\\';
			n++;
			if (c == '\n')
				c = 'n';
		}
		if (n + 1 < outlen)
			out[n] = c;
		n++;
	}
	if (outlen)
		out[n < outlen ? n : outlen - 1] = '\0';
	return n;
}

size_t xg_prom_escape_label(const char *s, char *out, size_t outlen)
{
	return escape(s, true, out, outlen);
}

static void put_escaped(struct sb *b, const char *s, bool quote)
{
	size_t need = escape(s, quote, NULL, 0);

	if (b->oom || !sb_reserve(b, need + 1))
		return;
	b->len += escape(s, quote, b->buf + b->len, b->cap - b->len);
}

static void family(struct sb *b, const char *name, const char *type, const char *help)
{
	sb_printf(b, "# HELP %s ", name);
	put_escaped(b, help, false);
	sb_printf(b, "\n# TYPE %s %s\n", name, type);
}

static void fmt_u64(char *buf, uint64_t v)
{
	snprintf(buf, VALUE_LEN, "%" PRIu64, v);
}

static void fmt_double(char *buf, double v)
{
	if (isnan(v)) {
		snprintf(buf, VALUE_LEN, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, VALUE_LEN, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	/* 15 digits reads well; 17 only when needed to read back exact. */
	snprintf(buf, VALUE_LEN, "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, VALUE_LEN, "%.17g", v);
}

/* name{k1="v1",k2="v2"} value; a NULL key ends the labels. */
static void series(struct sb *b, const char *name, const char *k1, const char *v1, const char *k2,
		   const char *v2, const char *value)
{
	sb_printf(b, "%s", name);
	if (k1) {
		sb_printf(b, "{%s=\"", k1);
		put_escaped(b, v1, true);
		if (k2) {
			sb_printf(b, "\",%s=\"", k2);
			put_escaped(b, v2, true);
		}
		sb_printf(b, "\"}");
	}
	sb_printf(b, " %s\n", value);
}

static void one_u64(struct sb *b, const char *name, const char *type, const char *help, uint64_t v)
{
	char val[VALUE_LEN];

	family(b, name, type, help);
	fmt_u64(val, v);
	series(b, name, NULL, NULL, NULL, NULL, val);
}

static void labelled_u64(struct sb *b, const char *name, const char *key, const char *label,
			 uint64_t v)
{
	char val[VALUE_LEN];

	fmt_u64(val, v);
	series(b, name, key, label, NULL, NULL, val);
}

static void labelled_double(struct sb *b, const char *name, const char *key, const char *label,
			    double v)
{
	char val[VALUE_LEN];

	fmt_double(val, v);
	series(b, name, key, label, NULL, NULL, val);
}

struct port_key {
	uint8_t l4;
	uint16_t port;
};

static int port_cmp(const void *pa, const void *pb)
{
	const struct port_key *a = pa, *b = pb;

	if (a->l4 != b->l4)
		return a->l4 < b->l4 ? -1 : 1;
	return (int)a->port - (int)b->port;
}

static int add_port(struct port_key *keys, int n, uint8_t l4, uint16_t port)
{
	int i;

	if (l4 != XG_PORT_L4_TCP && l4 != XG_PORT_L4_UDP)
		return n;
	for (i = 0; i < n; i++)
		if (keys[i].l4 == l4 && keys[i].port == port)
			return n;
	keys[n].l4 = l4;
	keys[n].port = port;
	return n + 1;
}

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* The watched ports, then the busiest of the last tick, each once. */
static int port_set(const struct xg_obs *o, int top_ports, struct port_key *keys)
{
	int i, n = 0, nu = clamp(o->n_watched_udp, 0, WATCHED_PER_L4);
	int nt = clamp(o->n_watched_tcp, 0, WATCHED_PER_L4);
	int ntop = 0;

	for (i = 0; i < nu; i++)
		n = add_port(keys, n, XG_PORT_L4_UDP, o->watched_udp[i]);
	for (i = 0; i < nt; i++)
		n = add_port(keys, n, XG_PORT_L4_TCP, o->watched_tcp[i]);
	if (o->have_snap)
		ntop = clamp(o->snap.n_top_ports, 0, XG_TOP_PORTS);
	ntop = clamp(top_ports, 0, ntop);
	for (i = 0; i < ntop; i++)
		n = add_port(keys, n, o->snap.top_ports[i].l4, o->snap.top_ports[i].port);
	qsort(keys, (size_t)n, sizeof(*keys), port_cmp);
	return n;
}

static void render_traffic(struct sb *b, const struct xg_obs *o, int top_ports)
{
	const struct xg_stats *st = &o->totals.st;
	struct port_key keys[PORT_SERIES_MAX];
	int i, n;

	family(b, "xdpguard_packets_total", "counter",
	       "Packets seen by the XDP program, by protocol.");
	for (i = 0; i < XG_PROTO_MAX; i++)
		labelled_u64(b, "xdpguard_packets_total", "proto", xg_proto_name(i),
			     st->proto[i].packets);
	family(b, "xdpguard_bytes_total", "counter", "Bytes seen by the XDP program, by protocol.");
	for (i = 0; i < XG_PROTO_MAX; i++)
		labelled_u64(b, "xdpguard_bytes_total", "proto", xg_proto_name(i),
			     st->proto[i].bytes);
	family(b, "xdpguard_service_packets_total", "counter",
	       "Packets by service class (the destination port's class).");
	for (i = 0; i < XG_SVC_MAX; i++)
		labelled_u64(b, "xdpguard_service_packets_total", "service", xg_svc_name(i),
			     st->svc[i].packets);
	family(b, "xdpguard_service_bytes_total", "counter", "Bytes by service class.");
	for (i = 0; i < XG_SVC_MAX; i++)
		labelled_u64(b, "xdpguard_service_bytes_total", "service", xg_svc_name(i),
			     st->svc[i].bytes);
	/* Every SIP message kind but malformed, which has its own counter. */
	family(b, "xdpguard_sip_requests_total", "counter",
	       "SIP messages on SIP ports, by request method (or response, keepalive, "
	       "tcp-continuation).");
	for (i = 0; i < XG_SIP_MAX; i++)
		if (i != XG_SIP_MALFORMED)
			labelled_u64(b, "xdpguard_sip_requests_total", "method", xg_sip_name(i),
				     st->sip[i]);
	one_u64(b, "xdpguard_sip_malformed_packets_total", "counter",
		"Packets to SIP ports that are not SIP.", st->sip[XG_SIP_MALFORMED]);
	one_u64(b, "xdpguard_rtp_invalid_packets_total", "counter",
		"Packets in the RTP port range that are not RTP version 2.", st->rtp_invalid);
	family(b, "xdpguard_malformed_packets_total", "counter",
	       "Packets whose parsing stopped early (passed), by layer.");
	for (i = 0; i < XG_MAL_MAX; i++)
		labelled_u64(b, "xdpguard_malformed_packets_total", "layer", xg_malformed_name(i),
			     st->malformed[i]);

	family(b, "xdpguard_tcp_flag_packets_total", "counter",
	       "TCP packets by flag combination (first match).");
	for (i = 0; i < XG_TCPF_MAX; i++)
		labelled_u64(b, "xdpguard_tcp_flag_packets_total", "flag", xg_tcpf_name(i),
			     st->tcp_flags[i]);

	n = port_set(o, top_ports, keys);
	family(b, "xdpguard_port_packets_total", "counter",
	       "Packets by destination port: the watched ports and the busiest of the last "
	       "tick.");
	for (i = 0; i < n; i++) {
		char port[8], val[VALUE_LEN];

		snprintf(port, sizeof(port), "%u", keys[i].port);
		fmt_u64(val, xg_obs_port_total(o, keys[i].l4, keys[i].port));
		series(b, "xdpguard_port_packets_total", "proto",
		       keys[i].l4 == XG_PORT_L4_UDP ? "udp" : "tcp", "port", port, val);
	}
}

static void render_verdicts(struct sb *b, const struct xg_obs *o)
{
	static const char *const verdicts[XG_VERDICT_MAX] = {"pass", "drop", "would-drop"};
	const struct xg_stats *st = &o->totals.st;
	int i;

	family(b, "xdpguard_verdict_packets_total", "counter", "Packets by verdict.");
	for (i = 0; i < XG_VERDICT_MAX; i++)
		labelled_u64(b, "xdpguard_verdict_packets_total", "verdict", verdicts[i],
			     st->verdict[i]);
	family(b, "xdpguard_dropped_packets_total", "counter", "Packets dropped, by reason.");
	for (i = XG_REASON_NONE + 1; i < XG_REASON_MAX; i++)
		labelled_u64(b, "xdpguard_dropped_packets_total", "reason", xg_reason_name(i),
			     st->drop[i]);
	family(b, "xdpguard_would_drop_packets_total", "counter",
	       "Packets monitor-only mode would have dropped, by reason.");
	for (i = XG_REASON_NONE + 1; i < XG_REASON_MAX; i++)
		labelled_u64(b, "xdpguard_would_drop_packets_total", "reason", xg_reason_name(i),
			     st->would_drop[i]);
	one_u64(b, "xdpguard_allowed_packets_total", "counter",
		"Packets from allowlisted sources (preserved peers).", st->allowed);
}

static void render_rates(struct sb *b, const struct xg_obs *o)
{
	int m;

	/* Without a tick there is no rate: absent rather than a false 0. */
	family(b, "xdpguard_rate", "gauge",
	       "The last tick's rate of each watched metric, per second.");
	for (m = 0; o->have_snap && m < XG_M_MAX; m++)
		labelled_double(b, "xdpguard_rate", "metric", xg_metric_name(m), o->snap.metric[m]);
	family(b, "xdpguard_threshold", "gauge", "The last tick's detection threshold per metric.");
	for (m = 0; m < XG_M_MAX; m++)
		labelled_double(b, "xdpguard_threshold", "metric", xg_metric_name(m), o->thr[m]);
	family(b, "xdpguard_baseline", "gauge", "The baseline window's p99 per metric.");
	for (m = 0; m < XG_M_MAX; m++)
		labelled_double(b, "xdpguard_baseline", "metric", xg_metric_name(m),
				o->baseline[m]);
}

static void render_controller(struct sb *b, const struct xg_obs *o)
{
	const struct xg_stats *st = &o->totals.st;

	one_u64(b, "xdpguard_incident_open", "gauge", "1 while an incident is open.",
		o->incident_open);
	one_u64(b, "xdpguard_incidents_total", "counter", "Incidents opened since the start.",
		o->incidents_total);
	one_u64(b, "xdpguard_escalation_level", "gauge",
		"Escalation level of the open incident (0 none, up to 5).",
		(uint64_t)clamp(o->esc_level, 0, 5));
	one_u64(b, "xdpguard_blocks_active", "gauge", "Blocklist entries in the maps.",
		o->blocks_active);
	one_u64(b, "xdpguard_allowlist_entries", "gauge", "Allowlist entries in the maps.",
		o->allow_entries);
	one_u64(b, "xdpguard_peers_learned", "gauge", "Peers learned from SIP and RTP activity.",
		o->peers_learned);
	one_u64(b, "xdpguard_bgp_rules_active", "gauge", "BGP rules announced.", o->bgp_rules);
	one_u64(b, "xdpguard_alert_queue_depth", "gauge", "Alerts waiting for delivery.",
		o->alert_queue_depth);
	one_u64(b, "xdpguard_capture_samples_total", "counter",
		"Packets sampled into the capture ring buffer.", st->pcap_samples);
	one_u64(b, "xdpguard_capture_lost_total", "counter",
		"Packet samples lost because the capture ring buffer was full.", st->pcap_lost);
}

static void render_tick_hist(struct sb *b, const struct xg_obs *o)
{
	const struct xg_obs_tick_hist *h = &o->tick;
	const char *name = "xdpguard_tick_duration_seconds";
	char le[VALUE_LEN], val[VALUE_LEN], bucket[64];
	uint64_t run = 0;
	int i;

	family(b, name, "histogram", "Duration of one controller tick.");
	snprintf(bucket, sizeof(bucket), "%s_bucket", name);
	/* Buckets must never decrease, whatever the caller filled in. */
	for (i = 0; i < XG_OBS_TICK_BUCKETS; i++) {
		if (h->count[i] > run)
			run = h->count[i];
		snprintf(le, sizeof(le), "%g", xg_obs_tick_le[i]);
		fmt_u64(val, run);
		series(b, bucket, "le", le, NULL, NULL, val);
	}
	if (h->total > run)
		run = h->total;
	fmt_u64(val, run);
	series(b, bucket, "le", "+Inf", NULL, NULL, val);
	fmt_double(val, h->sum_s);
	sb_printf(b, "%s_sum %s\n", name, val);
	fmt_u64(val, run);
	sb_printf(b, "%s_count %s\n", name, val);
}

int xg_prom_render(const struct xg_obs *o, int top_ports, char **out, size_t *len)
{
	struct sb b = {.cap = INITIAL_CAPACITY};

	*out = NULL;
	*len = 0;
	b.buf = malloc(b.cap);
	if (!b.buf)
		return -ENOMEM;
	b.buf[0] = '\0';

	family(&b, "xdpguard_build_info", "gauge", "Always 1; the version is a label.");
	labelled_u64(&b, "xdpguard_build_info", "version", XG_VERSION, 1);
	one_u64(&b, "xdpguard_up", "gauge", "1 while the controller publishes its state.", 1);
	one_u64(&b, "xdpguard_learning", "gauge", "1 during the learning period (monitor-only).",
		o->learning);
	one_u64(&b, "xdpguard_monitor_only", "gauge", "1 when nothing is dropped, only counted.",
		o->monitor_only);
	render_traffic(&b, o, top_ports);
	render_verdicts(&b, o);
	render_rates(&b, o);
	render_controller(&b, o);
	render_tick_hist(&b, o);

	if (b.oom) {
		free(b.buf);
		return -ENOMEM;
	}
	*out = b.buf;
	*len = b.len;
	return 0;
}
