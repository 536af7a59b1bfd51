// SPDX-License-Identifier: GPL-2.0-only
/* The Prometheus exposition: every family of obs.h with HELP and TYPE,
 * values as given, label escaping, a cumulative histogram and a bounded
 * set of per-port series. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prom.h"
#include "suites.h"

static const struct {
	const char *name, *type;
} families[] = {
    {"xdpguard_build_info", "gauge"},
    {"xdpguard_up", "gauge"},
    {"xdpguard_learning", "gauge"},
    {"xdpguard_monitor_only", "gauge"},
    {"xdpguard_packets_total", "counter"},
    {"xdpguard_bytes_total", "counter"},
    {"xdpguard_service_packets_total", "counter"},
    {"xdpguard_service_bytes_total", "counter"},
    {"xdpguard_sip_requests_total", "counter"},
    {"xdpguard_sip_malformed_packets_total", "counter"},
    {"xdpguard_rtp_invalid_packets_total", "counter"},
    {"xdpguard_malformed_packets_total", "counter"},
    {"xdpguard_verdict_packets_total", "counter"},
    {"xdpguard_dropped_packets_total", "counter"},
    {"xdpguard_would_drop_packets_total", "counter"},
    {"xdpguard_allowed_packets_total", "counter"},
    {"xdpguard_tcp_flag_packets_total", "counter"},
    {"xdpguard_port_packets_total", "counter"},
    {"xdpguard_rate", "gauge"},
    {"xdpguard_threshold", "gauge"},
    {"xdpguard_baseline", "gauge"},
    {"xdpguard_incident_open", "gauge"},
    {"xdpguard_incidents_total", "counter"},
    {"xdpguard_escalation_level", "gauge"},
    {"xdpguard_blocks_active", "gauge"},
    {"xdpguard_allowlist_entries", "gauge"},
    {"xdpguard_peers_learned", "gauge"},
    {"xdpguard_bgp_rules_active", "gauge"},
    {"xdpguard_alert_queue_depth", "gauge"},
    {"xdpguard_capture_samples_total", "counter"},
    {"xdpguard_capture_lost_total", "counter"},
    {"xdpguard_tick_duration_seconds", "histogram"},
};

#define N_FAMILIES (sizeof(families) / sizeof(families[0]))

static struct xg_obs *obs_new(void)
{
	/* Over a megabyte (the per-port counters): never on the stack. */
	struct xg_obs *o = calloc(1, sizeof(*o));

	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	return o;
}

static char *render(const struct xg_obs *o, int top)
{
	char *text = NULL;
	size_t len = 0;

	CU_ASSERT_EQUAL_FATAL(xg_prom_render(o, top, &text, &len), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_EQUAL(strlen(text), len);
	return text;
}

/* Lines starting with prefix. */
static int count_lines(const char *text, const char *prefix)
{
	size_t plen = strlen(prefix);
	const char *p = text;
	int n = 0;

	while (*p) {
		if (!strncmp(p, prefix, plen))
			n++;
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	return n;
}

/* Lines that are not comments: one series each. */
static int count_series(const char *text)
{
	return count_lines(text, "xdpguard_");
}

static bool has_line(const char *text, const char *line)
{
	char buf[256];
	size_t n = strlen(line);

	if (!strncmp(text, line, n) && text[n] == '\n')
		return true;
	snprintf(buf, sizeof(buf), "\n%s\n", line);
	return strstr(text, buf) != NULL;
}

static void test_prom_families(void)
{
	struct xg_obs *o = obs_new();
	char *text, line[160];
	size_t i;

	o->have_snap = true;
	text = render(o, 8);
	for (i = 0; i < N_FAMILIES; i++) {
		snprintf(line, sizeof(line), "# HELP %s ", families[i].name);
		CU_ASSERT_EQUAL(count_lines(text, line), 1);
		snprintf(line, sizeof(line), "# TYPE %s %s", families[i].name, families[i].type);
		CU_ASSERT_TRUE(has_line(text, line));
		if (!has_line(text, line))
			fprintf(stderr, "missing: %s\n", line);
	}
	/* No family beyond the documented ones. */
	CU_ASSERT_EQUAL(count_lines(text, "# TYPE "), (int)N_FAMILIES);
	CU_ASSERT_EQUAL(count_lines(text, "# HELP "), (int)N_FAMILIES);
	/* Every counter family ends in _total, every other does not. */
	for (i = 0; i < N_FAMILIES; i++) {
		size_t n = strlen(families[i].name);
		bool total = n > 6 && !strcmp(families[i].name + n - 6, "_total");

		CU_ASSERT_EQUAL(total, !strcmp(families[i].type, "counter"));
	}
	CU_ASSERT_TRUE(has_line(text, "xdpguard_up 1"));
	CU_ASSERT_EQUAL(text[strlen(text) - 1], '\n');
	free(text);
	free(o);
}

static void test_prom_counter_values(void)
{
	struct xg_obs *o = obs_new();
	struct xg_stats *st = &o->totals.st;
	char *text;

	st->proto[XG_PROTO_UDP].packets = 12345678901234ULL;
	st->proto[XG_PROTO_UDP].bytes = 18446744073709551615ULL; /* UINT64_MAX stays exact */
	st->proto[XG_PROTO_NONIP].packets = 7;
	st->svc[XG_SVC_SIP_UDP].packets = 4242;
	st->svc[XG_SVC_RTP].bytes = 99;
	st->sip[XG_SIP_REGISTER] = 31;
	st->sip[XG_SIP_MALFORMED] = 5;
	st->rtp_invalid = 6;
	st->malformed[XG_MAL_IPV6_EXT] = 8;
	st->verdict[XG_VERDICT_WOULD_DROP] = 9;
	st->drop[XG_REASON_RATELIMIT] = 10;
	st->would_drop[XG_REASON_AMP] = 11;
	st->allowed = 12;
	st->tcp_flags[XG_TCPF_SYN] = 13;
	st->pcap_samples = 14;
	st->pcap_lost = 15;
	o->incidents_total = 16;
	o->incident_open = true;
	o->esc_level = 3;
	o->blocks_active = 17;
	o->allow_entries = 18;
	o->peers_learned = 19;
	o->bgp_rules = 20;
	o->alert_queue_depth = 21;
	o->learning = true;
	o->have_snap = true;
	o->snap.metric[XG_M_SIP_REGISTER_PPS] = 1234.5;
	o->thr[XG_M_PPS] = 50000;
	o->baseline[XG_M_UDP_PPS] = 0.25;
	text = render(o, 0);

	CU_ASSERT_TRUE(has_line(text, "xdpguard_packets_total{proto=\"udp\"} 12345678901234"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_bytes_total{proto=\"udp\"} 18446744073709551615"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_packets_total{proto=\"non-ip\"} 7"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_packets_total{proto=\"tcp\"} 0"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_service_packets_total{service=\"sip-udp\"} 4242"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_service_bytes_total{service=\"rtp\"} 99"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_sip_requests_total{method=\"REGISTER\"} 31"));
	CU_ASSERT_EQUAL(count_lines(text, "xdpguard_sip_requests_total{method=\"malformed\"}"), 0);
	CU_ASSERT_TRUE(has_line(text, "xdpguard_sip_malformed_packets_total 5"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_rtp_invalid_packets_total 6"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_malformed_packets_total{layer=\"ipv6-ext\"} 8"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_verdict_packets_total{verdict=\"would-drop\"} 9"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_dropped_packets_total{reason=\"ratelimit\"} 10"));
	CU_ASSERT_TRUE(
	    has_line(text, "xdpguard_would_drop_packets_total{reason=\"amplification\"} 11"));
	CU_ASSERT_EQUAL(count_lines(text, "xdpguard_dropped_packets_total{reason=\"none\"}"), 0);
	CU_ASSERT_TRUE(has_line(text, "xdpguard_allowed_packets_total 12"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_tcp_flag_packets_total{flag=\"syn\"} 13"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_capture_samples_total 14"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_capture_lost_total 15"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_incidents_total 16"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_incident_open 1"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_escalation_level 3"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_blocks_active 17"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_allowlist_entries 18"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_peers_learned 19"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_bgp_rules_active 20"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_alert_queue_depth 21"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_learning 1"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_monitor_only 0"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_rate{metric=\"sip_register_pps\"} 1234.5"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_threshold{metric=\"pps\"} 50000"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_baseline{metric=\"udp_pps\"} 0.25"));
	CU_ASSERT_EQUAL(count_lines(text, "xdpguard_rate{"), XG_M_MAX);
	CU_ASSERT_EQUAL(count_lines(text, "xdpguard_packets_total{"), XG_PROTO_MAX);
	CU_ASSERT_EQUAL(count_lines(text, "xdpguard_service_packets_total{"), XG_SVC_MAX);
	free(text);

	/* Before the first tick there is no rate to show: no series. */
	o->have_snap = false;
	text = render(o, 0);
	CU_ASSERT_EQUAL(count_lines(text, "xdpguard_rate{"), 0);
	CU_ASSERT_EQUAL(count_lines(text, "# TYPE xdpguard_rate gauge"), 1);
	free(text);
	free(o);
}

static void test_prom_escaping(void)
{
	char out[64];

	CU_ASSERT_EQUAL(xg_prom_escape_label("plain", out, sizeof(out)), 5);
	CU_ASSERT_STRING_EQUAL(out, "plain");
	CU_ASSERT_EQUAL(xg_prom_escape_label("a\"b\\c\nd", out, sizeof(out)), 10);
	CU_ASSERT_STRING_EQUAL(out, "a\\\"b\\\\c\\nd");
	/* Truncated like snprintf: the needed length, a terminated prefix. */
	CU_ASSERT_EQUAL(xg_prom_escape_label("\"\"\"", out, 4), 6);
	CU_ASSERT_STRING_EQUAL(out, "\\\"\\");
	CU_ASSERT_EQUAL(xg_prom_escape_label("x", NULL, 0), 1);
}

static void test_prom_histogram(void)
{
	struct xg_obs *o = obs_new();
	static const double ticks[] = {0.0001, 0.0004, 0.002, 0.003, 0.02, 0.3, 2.0};
	char *text;
	size_t i;

	for (i = 0; i < sizeof(ticks) / sizeof(ticks[0]); i++)
		xg_obs_tick_add(&o->tick, ticks[i]);
	text = render(o, 0);
	CU_ASSERT_TRUE(has_line(text, "xdpguard_tick_duration_seconds_bucket{le=\"0.0005\"} 2"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_tick_duration_seconds_bucket{le=\"0.001\"} 2"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_tick_duration_seconds_bucket{le=\"0.0025\"} 3"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_tick_duration_seconds_bucket{le=\"0.005\"} 4"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_tick_duration_seconds_bucket{le=\"0.025\"} 5"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_tick_duration_seconds_bucket{le=\"0.25\"} 5"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_tick_duration_seconds_bucket{le=\"1\"} 6"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_tick_duration_seconds_bucket{le=\"+Inf\"} 7"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_tick_duration_seconds_count 7"));
	CU_ASSERT_EQUAL(count_lines(text, "xdpguard_tick_duration_seconds_sum 2.325"), 1);
	CU_ASSERT_EQUAL(count_lines(text, "xdpguard_tick_duration_seconds_bucket{"),
			XG_OBS_TICK_BUCKETS + 1);
	free(text);

	/* A histogram filled wrong still never decreases. */
	memset(&o->tick, 0, sizeof(o->tick));
	o->tick.count[0] = 5;
	o->tick.count[1] = 3;
	o->tick.total = 4;
	text = render(o, 0);
	CU_ASSERT_TRUE(has_line(text, "xdpguard_tick_duration_seconds_bucket{le=\"0.001\"} 5"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_tick_duration_seconds_bucket{le=\"+Inf\"} 5"));
	CU_ASSERT_TRUE(has_line(text, "xdpguard_tick_duration_seconds_count 5"));
	free(text);
	free(o);
}

static void top_port(struct xg_obs *o, uint8_t l4, uint16_t port, double pps)
{
	struct xg_port_rate *r = &o->snap.top_ports[o->snap.n_top_ports++];

	r->l4 = l4;
	r->port = port;
	r->pps = pps;
}

static void test_prom_ports(void)
{
	struct xg_obs *o = obs_new();
	char *text;
	int i;

	o->watched_udp[0] = 5060;
	o->watched_udp[1] = 10000;
	o->n_watched_udp = 2;
	o->watched_tcp[0] = 5061;
	o->n_watched_tcp = 1;
	xg_obs_port_set(o, XG_PORT_L4_UDP, 5060, 777);
	xg_obs_port_set(o, XG_PORT_L4_TCP, 443, 888);
	o->have_snap = true;
	top_port(o, XG_PORT_L4_UDP, 5060, 900); /* watched too: once */
	top_port(o, XG_PORT_L4_TCP, 443, 800);
	top_port(o, XG_PORT_L4_UDP, 53, 700); /* beyond the top 2 */
	text = render(o, 2);
	CU_ASSERT_EQUAL(count_lines(text, "xdpguard_port_packets_total{"), 4);
	CU_ASSERT_TRUE(
	    has_line(text, "xdpguard_port_packets_total{proto=\"udp\",port=\"5060\"} 777"));
	CU_ASSERT_TRUE(
	    has_line(text, "xdpguard_port_packets_total{proto=\"tcp\",port=\"443\"} 888"));
	CU_ASSERT_TRUE(
	    has_line(text, "xdpguard_port_packets_total{proto=\"udp\",port=\"10000\"} 0"));
	CU_ASSERT_TRUE(
	    has_line(text, "xdpguard_port_packets_total{proto=\"tcp\",port=\"5061\"} 0"));
	CU_ASSERT_EQUAL(count_lines(text, "xdpguard_port_packets_total{proto=\"udp\",port=\"53\"}"),
			0);
	free(text);

	/* top_ports 0: the watched ports alone. */
	text = render(o, 0);
	CU_ASSERT_EQUAL(count_lines(text, "xdpguard_port_packets_total{"), 3);
	free(text);

	/* Everything full, and nonsense counts clamped: the documented bound. */
	o->snap.n_top_ports = 0;
	for (i = 0; i < 32; i++) {
		o->watched_udp[i] = (uint16_t)(20000 + i);
		o->watched_tcp[i] = (uint16_t)(30000 + i);
	}
	o->n_watched_udp = 1000;
	o->n_watched_tcp = 32;
	for (i = 0; i < XG_TOP_PORTS; i++)
		top_port(o, XG_PORT_L4_UDP, (uint16_t)(40000 + i), 100);
	text = render(o, 1000);
	CU_ASSERT_EQUAL(count_lines(text, "xdpguard_port_packets_total{"), 80);
	CU_ASSERT(count_series(text) <= XG_PROM_MAX_SERIES);
	CU_ASSERT_EQUAL(count_series(text), XG_PROM_MAX_SERIES); /* the worst case is the bound */
	free(text);
	free(o);
}

void add_prom_suite(void)
{
	CU_pSuite s = CU_add_suite("prom", NULL, NULL);

	CU_add_test(s, "every family with HELP and TYPE", test_prom_families);
	CU_add_test(s, "counter and gauge values", test_prom_counter_values);
	CU_add_test(s, "label escaping", test_prom_escaping);
	CU_add_test(s, "cumulative histogram", test_prom_histogram);
	CU_add_test(s, "per-port series bounded", test_prom_ports);
}
