// SPDX-License-Identifier: GPL-2.0-only
/* The configuration file: defaults, a full file and its round trip through
 * JSON, and one exact message (file, line, key path) per kind of error. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert_payload.h"
#include "config.h"
#include "suites.h"

/* The effective configuration as compact JSON text, for comparisons that
 * do not depend on struct padding. Caller frees. */
static char *cfg_text(const struct xg_cfg *cfg)
{
	struct json_object *o = xg_cfg_to_json(cfg);
	char *s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));

	json_object_put(o);
	return s;
}

static bool is_default(const struct xg_cfg *cfg)
{
	struct xg_cfg d;
	char *a, *b;
	bool same;

	xg_cfg_defaults(&d);
	a = cfg_text(cfg);
	b = cfg_text(&d);
	same = !strcmp(a, b);
	free(a);
	free(b);
	return same;
}

static void test_defaults(void)
{
	struct xg_cfg c;
	char err[512];
	int m;

	xg_cfg_defaults(&c);
	CU_ASSERT_EQUAL(c.n_interfaces, 0);
	CU_ASSERT_STRING_EQUAL(c.attach_mode, "auto");
	CU_ASSERT_EQUAL(c.tick_ms, 1000);
	CU_ASSERT_STRING_EQUAL(c.state_dir, "/var/lib/xdpguard");
	CU_ASSERT_STRING_EQUAL(c.log_level, "info");
	CU_ASSERT_FALSE(c.monitor_only);
	CU_ASSERT_EQUAL(c.sample_rate, 64);
	CU_ASSERT_EQUAL(c.learn_budget, 20000);
	CU_ASSERT_EQUAL(c.sip_udp.n, 1);
	CU_ASSERT_EQUAL(c.sip_udp.r[0].lo, 5060);
	CU_ASSERT_EQUAL(c.sip_udp.r[0].hi, 5060);
	CU_ASSERT_EQUAL(c.sip_tcp.n, 1);
	CU_ASSERT_EQUAL(c.sip_tcp.r[0].lo, 5060);
	CU_ASSERT_EQUAL(c.sip_tls.n, 1);
	CU_ASSERT_EQUAL(c.sip_tls.r[0].lo, 5061);
	CU_ASSERT_EQUAL(c.rtp.n, 1);
	CU_ASSERT_EQUAL(c.rtp.r[0].lo, 10000);
	CU_ASSERT_EQUAL(c.rtp.r[0].hi, 20000);
	for (m = 0; m < 8; m++)
		CU_ASSERT_STRING_EQUAL(c.extra[m].name, "");
	CU_ASSERT_EQUAL(c.watched_udp.n, 0);
	CU_ASSERT_EQUAL(c.watched_tcp.n, 0);
	CU_ASSERT_EQUAL(c.baseline.window, 300);
	CU_ASSERT_DOUBLE_EQUAL(c.baseline.multiplier, 3.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(c.baseline.percentile, 99.0, 1e-12);
	CU_ASSERT_EQUAL(c.baseline.learning_s, 300);
	CU_ASSERT_EQUAL(c.baseline.tow_after_s, 604800);
	for (m = 0; m < XG_M_MAX; m++)
		CU_ASSERT_DOUBLE_EQUAL(c.baseline.floor[m], xg_metric_default_floor(m), 1e-9);
	CU_ASSERT_EQUAL(c.detect.close_ticks, 5);
	CU_ASSERT_TRUE(c.http.enabled);
	CU_ASSERT_STRING_EQUAL(c.http.bind, "127.0.0.1");
	CU_ASSERT_EQUAL(c.http.port, 9477);
	CU_ASSERT_STRING_EQUAL(c.http.token, "");
	CU_ASSERT_FALSE(c.http.read_auth);
	CU_ASSERT_EQUAL(c.http.top_ports, 10);
	CU_ASSERT_TRUE(c.http.status_page);
	CU_ASSERT_TRUE(c.http.status_redact);
	CU_ASSERT_STRING_EQUAL(c.http.status_title, "");
	CU_ASSERT_TRUE(c.pcap.enabled);
	CU_ASSERT_STRING_EQUAL(c.pcap.dir, "");
	CU_ASSERT_EQUAL(c.pcap.peace_sample_rate, 1024);
	CU_ASSERT_EQUAL(c.pcap.incident_sample_rate, 64);
	CU_ASSERT_EQUAL(c.pcap.ring_packets, 1000);
	CU_ASSERT_EQUAL(c.pcap.max_packets, 10000);
	CU_ASSERT_EQUAL(c.pcap.max_age_days, 30);
	CU_ASSERT_EQUAL(c.pcap.max_total_mb, 1024);
	CU_ASSERT_EQUAL(c.pcap.min_free_mb, 512);

	/* An empty object is a complete file; whitespace around it is fine. */
	memset(&c, 0xab, sizeof(c));
	CU_ASSERT_EQUAL(xg_cfg_parse(&c, " \n{}\n\n", "t.json", err, sizeof(err)), 0);
	CU_ASSERT_TRUE(is_default(&c));
}

static const char full[] =
    "{\n"
    "  \"interfaces\": [\"eth0\", \"bond0.100\"],\n"
    "  \"attach_mode\": \"native\",\n"
    "  \"tick_ms\": 500,\n"
    "  \"state_dir\": \"/srv/xg\",\n"
    "  \"log_level\": \"debug\",\n"
    "  \"monitor_only\": true,\n"
    "  \"sample_rate\": 0,\n"
    "  \"learn_budget\": 1000,\n"
    "  \"services\": {\n"
    "    \"sip_udp_ports\": \"5060,5080-5082\",\n"
    "    \"sip_tcp_ports\": \" 5060 , 5080 \",\n"
    "    \"sip_tls_ports\": \"5061\",\n"
    "    \"rtp_ports\": \"16384-32767,40000-40010\",\n"
    "    \"extra\": [\n"
    "      {\"name\": \"turn\", \"udp_ports\": \"3478\", \"tcp_ports\": \"3478,5349\"},\n"
    "      {\"name\": \"webrtc_ws\", \"tcp_ports\": \"8443\"}\n"
    "    ],\n"
    "    \"watched_ports\": \"udp:53,tcp:443-444,udp:123\"\n"
    "  },\n"
    "  \"baseline\": {\n"
    "    \"window\": 600,\n"
    "    \"multiplier\": 2.5,\n"
    "    \"percentile\": 95.5,\n"
    "    \"learning_s\": 0,\n"
    "    \"tow_after_s\": 1209600,\n"
    "    \"floors\": {\"pps\": 1000, \"sip_invite_pps\": 12.5, \"amp_pps\": 0}\n"
    "  },\n"
    "  \"detection\": {\"close_ticks\": 10}\n"
    "}\n";

static void test_full_file_round_trip(void)
{
	struct xg_cfg c, back;
	char err[512], *a, *b, buf[128];
	struct json_object *o;

	CU_ASSERT_EQUAL_FATAL(xg_cfg_parse(&c, full, "full.json", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.n_interfaces, 2);
	CU_ASSERT_STRING_EQUAL(c.interfaces[1], "bond0.100");
	CU_ASSERT_STRING_EQUAL(c.attach_mode, "native");
	CU_ASSERT_EQUAL(c.tick_ms, 500);
	CU_ASSERT_STRING_EQUAL(c.state_dir, "/srv/xg");
	CU_ASSERT_STRING_EQUAL(c.log_level, "debug");
	CU_ASSERT_TRUE(c.monitor_only);
	CU_ASSERT_EQUAL(c.sample_rate, 0);
	CU_ASSERT_EQUAL(c.learn_budget, 1000);
	CU_ASSERT_EQUAL(c.sip_udp.n, 2);
	CU_ASSERT_EQUAL(c.sip_udp.r[1].lo, 5080);
	CU_ASSERT_EQUAL(c.sip_udp.r[1].hi, 5082);
	CU_ASSERT_EQUAL(c.sip_tcp.n, 2);
	CU_ASSERT_EQUAL(c.rtp.r[0].lo, 16384);
	CU_ASSERT_STRING_EQUAL(c.extra[0].name, "turn");
	CU_ASSERT_EQUAL(c.extra[0].tcp.n, 2);
	CU_ASSERT_EQUAL(c.extra[0].tcp.r[1].lo, 5349);
	CU_ASSERT_STRING_EQUAL(c.extra[1].name, "webrtc_ws");
	CU_ASSERT_EQUAL(c.extra[1].udp.n, 0);
	CU_ASSERT_STRING_EQUAL(c.extra[2].name, "");
	CU_ASSERT_EQUAL(c.watched_udp.n, 2);
	CU_ASSERT_EQUAL(c.watched_udp.r[1].lo, 123);
	CU_ASSERT_EQUAL(c.watched_tcp.n, 1);
	CU_ASSERT_EQUAL(c.watched_tcp.r[0].hi, 444);
	CU_ASSERT_TRUE(xg_cfg_ports_contains(&c.watched_tcp, 444));
	CU_ASSERT_FALSE(xg_cfg_ports_contains(&c.watched_tcp, 445));
	CU_ASSERT_EQUAL(c.baseline.window, 600);
	CU_ASSERT_DOUBLE_EQUAL(c.baseline.multiplier, 2.5, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(c.baseline.percentile, 95.5, 1e-12);
	CU_ASSERT_EQUAL(c.baseline.learning_s, 0);
	CU_ASSERT_EQUAL(c.baseline.tow_after_s, 1209600);
	CU_ASSERT_DOUBLE_EQUAL(c.baseline.floor[XG_M_PPS], 1000, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(c.baseline.floor[XG_M_SIP_INVITE_PPS], 12.5, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(c.baseline.floor[XG_M_AMP_PPS], 0, 1e-9);
	/* a floor the file leaves out keeps its default */
	CU_ASSERT_DOUBLE_EQUAL(c.baseline.floor[XG_M_UDP_PPS],
			       xg_metric_default_floor(XG_M_UDP_PPS), 1e-9);
	CU_ASSERT_EQUAL(c.detect.close_ticks, 10);

	/* Every key of the layout is in the output, every metric in floors. */
	o = xg_cfg_to_json(&c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	{
		static const char *const keys[] = {
		    "interfaces", "attach_mode",  "tick_ms",	 "state_dir",
		    "log_level",  "monitor_only", "sample_rate", "learn_budget",
		    "services",	  "baseline",	  "detection",	 "mitigation",
		    "pcap",	  "alerts",	  "bgp",	 "http",
		};
		struct json_object *svc, *base, *floors, *det, *x;
		size_t i;
		int m;

		CU_ASSERT_EQUAL(json_object_object_length(o), 16);
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			CU_ASSERT_TRUE(json_object_object_get_ex(o, keys[i], NULL));
		CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(o, "services", &svc));
		CU_ASSERT_EQUAL(json_object_object_length(svc), 6);
		CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(svc, "watched_ports", &x));
		CU_ASSERT_STRING_EQUAL(json_object_get_string(x), "udp:53,udp:123,tcp:443-444");
		CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(svc, "extra", &x));
		CU_ASSERT_EQUAL(json_object_array_length(x), 2);
		x = json_object_array_get_idx(x, 1);
		CU_ASSERT_EQUAL(json_object_object_length(x), 3);
		CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(o, "baseline", &base));
		CU_ASSERT_EQUAL(json_object_object_length(base), 6);
		CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(base, "floors", &floors));
		CU_ASSERT_EQUAL(json_object_object_length(floors), XG_M_MAX);
		for (m = 0; m < XG_M_MAX; m++)
			CU_ASSERT_TRUE(json_object_object_get_ex(floors, xg_metric_name(m), NULL));
		CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(o, "detection", &det));
		CU_ASSERT_EQUAL(json_object_object_length(det), 1);
	}
	json_object_put(o);

	/* The output reads back to the same configuration. */
	a = cfg_text(&c);
	CU_ASSERT_EQUAL_FATAL(xg_cfg_parse(&back, a, "shown.json", err, sizeof(err)), 0);
	b = cfg_text(&back);
	CU_ASSERT_STRING_EQUAL(a, b);
	CU_ASSERT_EQUAL(memcmp(&c.extra, &back.extra, sizeof(c.extra)), 0);
	CU_ASSERT_EQUAL(memcmp(c.baseline.floor, back.baseline.floor, sizeof(c.baseline.floor)), 0);
	CU_ASSERT_DOUBLE_EQUAL(back.baseline.percentile, 95.5, 1e-12);
	free(a);
	free(b);

	/* And so do the defaults. */
	xg_cfg_defaults(&c);
	a = cfg_text(&c);
	CU_ASSERT_EQUAL(xg_cfg_parse(&back, a, "shown.json", err, sizeof(err)), 0);
	CU_ASSERT_TRUE(is_default(&back));
	free(a);

	CU_ASSERT_EQUAL(xg_cfg_ports_format(&c.rtp, NULL, buf, sizeof(buf)), 11);
	CU_ASSERT_STRING_EQUAL(buf, "10000-20000");
}

struct bad {
	const char *text;
	const char *err;
};

/* Each bad file gives exactly this line, and leaves the defaults. */
static void check_bad(const struct bad *v, size_t n)
{
	struct xg_cfg c;
	char err[1024];
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&c, 0x5a, sizeof(c));
		err[0] = '\0';
		CU_ASSERT_EQUAL(xg_cfg_parse(&c, v[i].text, "t.json", err, sizeof(err)), -1);
		if (strcmp(err, v[i].err))
			fprintf(stderr, "\n  case %zu: got  '%s'\n          want '%s'\n", i, err,
				v[i].err);
		CU_ASSERT_STRING_EQUAL(err, v[i].err);
		CU_ASSERT_PTR_NULL(strchr(err, '\n'));
		CU_ASSERT_TRUE(is_default(&c));
	}
}

static void test_unknown_keys(void)
{
	static const struct bad v[] = {
	    {"{\n  \"tick_ms\": 500,\n  \"tickms\": 500\n}",
	     "t.json:3: tickms: unknown key (known: interfaces, attach_mode, tick_ms, state_dir, "
	     "log_level, monitor_only, sample_rate, learn_budget, services, baseline, "
	     "detection, mitigation, pcap, alerts, bgp, http)"},
	    {"{\n  \"baseline\": {\n    \"window\": 300,\n    \"windw\": 300\n  }\n}",
	     "t.json:4: baseline.windw: unknown key (known: window, multiplier, percentile, "
	     "learning_s, tow_after_s, floors)"},
	    {"{\"detection\": {\n\"close\": 1}}",
	     "t.json:2: detection.close: unknown key (known: close_ticks)"},
	    {"{\"mitigation\": {\n\"allowlist\": [\"10.0.0.0/8\",\n \"10.1.2.3/24\"]}}",
	     "t.json:3: mitigation.allowlist[1]: invalid CIDR: '10.1.2.3/24' has host bits set "
	     "(did you mean 10.1.2.0/24?)"},
	    {"{\"mitigation\": {\"block_ttl_s\": 0}}",
	     "t.json:1: mitigation.block_ttl_s: must be an integer 1-2592000, got 0"},
	    {"{\"services\": {\"extra\": [\n{\"name\": \"a\", \"udp_ports\": \"1\"},\n"
	     "{\"name\": \"b\",\n \"udp\": \"2\"}]}}",
	     "t.json:4: services.extra[1].udp: unknown key (known: name, udp_ports, tcp_ports)"},
	    {"{\"baseline\": {\"floors\": {\n\"pps\": 1,\n\"ppss\": 2}}}",
	     "t.json:3: baseline.floors.ppss: unknown metric (known: pps, bps, tcp_pps, udp_pps, "
	     "icmp_pps, gre_pps, esp_pps, other_pps, frag_pps, syn_pps, ack_pps, rst_pps, "
	     "fin_pps, psh_pps, xmas_pps, null_pps, sip_udp_pps, sip_tcp_pps, sip_tls_pps, "
	     "rtp_pps, sip_register_pps, sip_invite_pps, sip_options_pps, sip_malformed_pps, "
	     "rtp_invalid_pps, amp_pps)"},
	    /* escapes are decoded to find the key; control characters never
	     * reach the message */
	    {"{\"services\": {},\n\"\\u0062ad\\nkey\": 1}",
	     "t.json:2: bad?key: unknown key (known: interfaces, attach_mode, tick_ms, state_dir, "
	     "log_level, monitor_only, sample_rate, learn_budget, services, baseline, "
	     "detection, mitigation, pcap, alerts, bgp, http)"},
	};

	check_bad(v, sizeof(v) / sizeof(v[0]));
}

static void test_wrong_types(void)
{
	static const struct bad v[] = {
	    {"{\n\"tick_ms\": \"1000\"}",
	     "t.json:2: tick_ms: must be an integer 100-60000, got \"1000\""},
	    {"{\"tick_ms\": 1000.0}",
	     "t.json:1: tick_ms: must be an integer 100-60000, got 1000.0"},
	    {"{\"monitor_only\": 1}", "t.json:1: monitor_only: must be true or false, got 1"},
	    {"{\"interfaces\": \"eth0\"}",
	     "t.json:1: interfaces: must be an array of interface names, got \"eth0\""},
	    {"{\"interfaces\": [\"eth0\",\n 7]}",
	     "t.json:2: interfaces[1]: must be an interface name (a string), got 7"},
	    {"{\"services\": [],\n\"x\": 1}",
	     "t.json:1: services: must be an object, got an array"},
	    {"{\"services\": {\"sip_udp_ports\": 5060}}",
	     "t.json:1: services.sip_udp_ports: must be a string of ports like "
	     "\"5060,5080-5082\", got 5060"},
	    {"{\"baseline\": {\"multiplier\": \"3\"}}",
	     "t.json:1: baseline.multiplier: must be a number over 1 and at most 100, got \"3\""},
	    {"{\"baseline\": {\"floors\": null}}",
	     "t.json:1: baseline.floors: must be an object, got null"},
	    {"{\"attach_mode\": [\"auto\"]}",
	     "t.json:1: attach_mode: must be one of auto, native, generic, got an array"},
	    {"{\"services\": {\"extra\": [\"turn\"]}}",
	     "t.json:1: services.extra[0]: must be an object, got \"turn\""},
	};

	check_bad(v, sizeof(v) / sizeof(v[0]));
}

static void test_out_of_range(void)
{
	static const struct bad v[] = {
	    {"{\n\n  \"baseline\": {\n    \"window\": 5\n  }\n}",
	     "t.json:4: baseline.window: must be an integer 10-3600, got 5"},
	    {"{\"baseline\": {\"window\": 3601}}",
	     "t.json:1: baseline.window: must be an integer 10-3600, got 3601"},
	    {"{\"baseline\": {\"multiplier\": 1}}",
	     "t.json:1: baseline.multiplier: must be a number over 1 and at most 100, got 1"},
	    {"{\"baseline\": {\"multiplier\": NaN}}",
	     "t.json:1: baseline.multiplier: must be a number over 1 and at most 100, got NaN"},
	    {"{\"baseline\": {\"percentile\": 49.9}}",
	     "t.json:1: baseline.percentile: must be a number 50-100, got 49.9"},
	    {"{\"baseline\": {\"floors\": {\"bps\": -1}}}",
	     "t.json:1: baseline.floors.bps: must be a number 0-1e15, got -1"},
	    {"{\"baseline\": {\"tow_after_s\": 3600}}",
	     "t.json:1: baseline.tow_after_s: must be an integer 86400-31536000, got 3600"},
	    {"{\"detection\": {\"close_ticks\": 0}}",
	     "t.json:1: detection.close_ticks: must be an integer 1-3600, got 0"},
	    {"{\"tick_ms\": 99999999999999999999999}",
	     "t.json:1: tick_ms: must be an integer 100-60000, got a number too large for 64 "
	     "bits"},
	    {"{\"sample_rate\": 100}",
	     "t.json:1: sample_rate: must be 0 (off) or a power of 2 up to 1073741824, got 100"},
	    {"{\"learn_budget\": -1}",
	     "t.json:1: learn_budget: must be an integer 0-10000000, got -1"},
	    {"{\"log_level\": \"verbose\"}",
	     "t.json:1: log_level: must be one of error, warn, info, debug, got \"verbose\""},
	    {"{\"state_dir\": \"var/lib/xdpguard\"}",
	     "t.json:1: state_dir: must be an absolute path, got \"var/lib/xdpguard\""},
	    {"{\"interfaces\": [\"eth0\", \"a-very-long-name0\"]}",
	     "t.json:1: interfaces[1]: invalid interface name \"a-very-long-name0\": 1-15 "
	     "characters, no '/', ':' or spaces"},
	    {"{\"services\": {\"extra\": [{\"name\": \"Turn\", \"udp_ports\": \"3478\"}]}}",
	     "t.json:1: services.extra[0].name: must be 1-15 characters a-z 0-9 _ -, got "
	     "\"Turn\""},
	    {"{\"services\": {\"extra\": [{\"name\": \"sip-udp\", \"udp_ports\": \"3478\"}]}}",
	     "t.json:1: services.extra[0].name: \"sip-udp\" is a built-in class name"},
	    {"{\"services\": {\"extra\": [\n{\"udp_ports\": \"3478\"}]}}",
	     "t.json:2: services.extra[0]: a class needs a \"name\""},
	    {"{\"services\": {\"extra\": [\n{\"name\": \"turn\", \"udp_ports\": \"\"}]}}",
	     "t.json:2: services.extra[0]: class \"turn\" needs udp_ports or tcp_ports"},
	};

	check_bad(v, sizeof(v) / sizeof(v[0]));
}

static void test_bad_ports(void)
{
	static const struct bad v[] = {
	    {"{\"services\": {\n\"rtp_ports\": \"10000-x\"}}",
	     "t.json:2: services.rtp_ports: invalid port list \"10000-x\": \"10000-x\" is not a "
	     "range of ports 1-65535"},
	    {"{\"services\": {\"sip_udp_ports\": \"0\"}}",
	     "t.json:1: services.sip_udp_ports: invalid port list \"0\": \"0\" is not a port "
	     "1-65535"},
	    {"{\"services\": {\"sip_udp_ports\": \"65536\"}}",
	     "t.json:1: services.sip_udp_ports: invalid port list \"65536\": \"65536\" is not a "
	     "port 1-65535"},
	    {"{\"services\": {\"sip_udp_ports\": \"5070-5060\"}}",
	     "t.json:1: services.sip_udp_ports: invalid port list \"5070-5060\": range "
	     "\"5070-5060\" is reversed"},
	    {"{\"services\": {\"sip_udp_ports\": \"5060,\"}}",
	     "t.json:1: services.sip_udp_ports: invalid port list \"5060,\": an empty item"},
	    {"{\"services\": {\"sip_udp_ports\": \"1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17\"}}",
	     "t.json:1: services.sip_udp_ports: invalid port list \"1,2,3,4,5,6,7,8,9,10,11,12,"
	     "13,14,15,16,17\": more than 16 ranges"},
	    {"{\"services\": {\"watched_ports\": \"udp:53,443\"}}",
	     "t.json:1: services.watched_ports: invalid port list \"udp:53,443\": \"443\" needs "
	     "udp: or tcp: in front"},
	    {"{\"services\": {\"extra\": [{\"name\": \"t\",\n\"tcp_ports\": \"-1\"}]}}",
	     "t.json:2: services.extra[0].tcp_ports: invalid port list \"-1\": \"-1\" is not a "
	     "range of ports 1-65535"},
	    /* one port, one service class: the file's key is the one blamed */
	    {"{\"services\": {\n\"sip_udp_ports\": \"5060,15000\"}}",
	     "t.json:2: services.sip_udp_ports: udp port 15000 is also in services.rtp_ports (a "
	     "port belongs to one service class)"},
	    {"{\"services\": {\"extra\": [{\"name\": \"a\", \"tcp_ports\": \"80\"},\n"
	     "{\"name\": \"b\", \"tcp_ports\": \"70-90\"}]}}",
	     "t.json:2: services.extra[1].tcp_ports: tcp port 80 is also in "
	     "services.extra[0].tcp_ports (a port belongs to one service class)"},
	};

	check_bad(v, sizeof(v) / sizeof(v[0]));
}

static void test_bad_json(void)
{
	static const struct bad v[] = {
	    {"{\n  \"tick_ms\": 500,\n  \"log_level\": \"info\",\n}\n",
	     "t.json:4: invalid JSON: unexpected character"},
	    {"{\n  \"tick_ms\": 500\n  \"log_level\": \"info\"\n}\n",
	     "t.json:3: invalid JSON: object value separator ',' expected"},
	    {"{\n  \"baseline\": {\n    \"window\": 300\n",
	     "t.json:3: invalid JSON: unexpected end "
	     "of file (an unclosed { [ or \"?)"},
	    {"{\"monitor_only\": tru}", "t.json:1: invalid JSON: boolean expected"},
	    {"{} {}", "t.json:1: invalid JSON: unexpected character"},
	    {"{\n/* comment */ }", "t.json:2: invalid JSON: comments are not allowed"},
	    {"{\"tick_ms\": 500, // no\n}", "t.json:1: invalid JSON: comments are not allowed"},
	    {"  \n", "t.json:1: empty: a config file is a JSON object, at least {}"},
	    {"\n[1, 2]", "t.json:2: the top level must be a JSON object {...}, got an array"},
	    {"{\"a\": \"\xff\"}", "t.json:1: invalid JSON: invalid utf-8 string"},
	};

	check_bad(v, sizeof(v) / sizeof(v[0]));
}

static void test_duplicates_and_limits(void)
{
	static const struct bad v[] = {
	    {"{\"interfaces\": [\n\"eth0\",\n\"eth1\",\n\"eth0\"]}",
	     "t.json:4: interfaces[2]: duplicate interface \"eth0\" (also interfaces[0])"},
	    {"{\"interfaces\": [\"e0\",\"e1\",\"e2\",\"e3\",\"e4\",\"e5\",\"e6\",\"e7\",\"e8\","
	     "\"e9\",\"e10\",\"e11\",\"e12\",\"e13\",\"e14\",\"e15\",\"e16\"]}",
	     "t.json:1: interfaces: at most 16 interfaces, got 17"},
	    {"{\"services\": {\n\"extra\": [\n"
	     "{\"name\": \"a\", \"udp_ports\": \"1\"}, {\"name\": \"b\", \"udp_ports\": \"2\"},\n"
	     "{\"name\": \"c\", \"udp_ports\": \"3\"}, {\"name\": \"d\", \"udp_ports\": \"4\"},\n"
	     "{\"name\": \"e\", \"udp_ports\": \"5\"}, {\"name\": \"f\", \"udp_ports\": \"6\"},\n"
	     "{\"name\": \"g\", \"udp_ports\": \"7\"}, {\"name\": \"h\", \"udp_ports\": \"8\"},\n"
	     "{\"name\": \"i\", \"udp_ports\": \"9\"}]}}",
	     "t.json:2: services.extra: at most 8 classes, got 9"},
	    {"{\"services\": {\"extra\": [{\"name\": \"a\", \"udp_ports\": \"1\"},\n"
	     "{\"name\": \"a\", \"udp_ports\": \"2\"}]}}",
	     "t.json:2: services.extra[1].name: duplicate class name \"a\" (also "
	     "services.extra[0])"},
	    /* json-c would keep the last silently */
	    {"{\"baseline\": {\"window\": 300,\n\"multiplier\": 2,\n\"window\": 600}}",
	     "t.json:3: baseline.window: duplicate key (first at line 1)"},
	};

	check_bad(v, sizeof(v) / sizeof(v[0]));
}

/* The line finder follows nesting, arrays, strings with escapes and quotes
 * that look like keys, and keys reused at other levels. */
static void test_positions(void)
{
	static const struct bad v[] = {
	    {"{\n"
	     "  \"state_dir\": \"/a \\\"window\\\": { [ ]\",\n"
	     "  \"interfaces\": [\"eth0\", \"window\"],\n"
	     "  \"services\": {\"extra\": [{\"name\": \"window\", \"udp_ports\": \"7\"}]},\n"
	     "  \"baseline\": {\"floors\": {\"pps\": 1}, \"learning_s\": 1,\n"
	     "\n"
	     "     \"window\"\n"
	     "       :\n"
	     "         1\n"
	     "  }\n"
	     "}\n",
	     "t.json:7: baseline.window: must be an integer 10-3600, got 1"},
	    {"{\"services\": {\"extra\": [\n"
	     "  {\"name\": \"a\", \"udp_ports\": \"1\"},\n"
	     "  {\"name\": \"b\", \"udp_ports\": \"2\"},\n"
	     "  {\"name\": \"c\",\n"
	     "   \"udp_ports\": \"x\"}]}}",
	     "t.json:5: services.extra[2].udp_ports: invalid port list \"x\": \"x\" is not a port "
	     "1-65535"},
	    {"{'baseline': {'window': 300,\n'percentile': 10}}",
	     "t.json:2: baseline.percentile: must be a number 50-100, got 10"},
	};

	check_bad(v, sizeof(v) / sizeof(v[0]));
}

static void test_load_file(void)
{
	char path[] = "/tmp/xg-config-test-XXXXXX", err[1024], want[1200];
	struct xg_cfg c;
	FILE *f;
	int fd;

	fd = mkstemp(path);
	CU_ASSERT_TRUE_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(full, f);
	fclose(f);
	CU_ASSERT_EQUAL(xg_cfg_load(&c, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.tick_ms, 500);
	CU_ASSERT_STRING_EQUAL(c.extra[1].name, "webrtc_ws");

	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("{\n  \"tick_ms\": 50\n}\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(xg_cfg_load(&c, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: tick_ms: must be an integer 100-60000, got 50", path);
	CU_ASSERT_STRING_EQUAL(err, want);
	CU_ASSERT_TRUE(is_default(&c));

	/* Over 1 MiB: refused before parsing, valid or not. */
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("{\"state_dir\": \"/", f);
	for (fd = 0; fd < (1 << 20); fd++)
		fputc('a', f);
	fputs("\"}", f);
	fclose(f);
	CU_ASSERT_EQUAL(xg_cfg_load(&c, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: larger than 1 MiB: not a config file", path);
	CU_ASSERT_STRING_EQUAL(err, want);

	unlink(path);
	CU_ASSERT_EQUAL(xg_cfg_load(&c, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: cannot open: No such file or directory", path);
	CU_ASSERT_STRING_EQUAL(err, want);
	CU_ASSERT_TRUE(is_default(&c));
}

/* ---- alerts ---- */

/* Every sink type, two policies, both kinds of window. The secrets are
 * distinct strings so the output can be searched for them. */
static const char alerts_full[] =
    "{\n"
    "  \"interfaces\": [\"eth0\"],\n"
    "  \"alerts\": {\n"
    "    \"node\": \"edge-1\",\n"
    "    \"queue_capacity\": 8192,\n"
    "    \"coalesce_s\": 45,\n"
    "    \"sinks\": [\n"
    "      {\"name\": \"noc\", \"type\": \"webhook\", \"url\": \"https://hooks.example.net/x\",\n"
    "       \"secret\": \"s3cret-hmac\",\n"
    "       \"headers\": [\"X-Team: noc\", \"Authorization: Bearer t0ken-abc\"],\n"
    "       \"tls_verify\": false, \"ca_file\": \"/etc/ssl/x.pem\", \"timeout_ms\": 5000},\n"
    "      {\"name\": \"pd\", \"type\": \"pagerduty\", \"routing_key\": "
    "\"R0UTINGKEY0123456789\"},\n"
    "      {\"name\": \"chat\", \"type\": \"slack\",\n"
    "       \"url\": \"https://hooks.slack.com/services/T0001/B0002/XXXXslacktoken\"},\n"
    "      {\"name\": \"dc\", \"type\": \"discord\", \"mention\": \"@here\",\n"
    "       \"url\": \"https://discord.com/api/webhooks/12345/discordTOKENvalue\"},\n"
    "      {\"name\": \"og\", \"type\": \"opsgenie\", \"api_key\": \"opsgenie-key-1\",\n"
    "       \"url\": \"https://api.eu.opsgenie.com\"},\n"
    "      {\"name\": \"mail\", \"type\": \"email\", \"url\": \"smtp://127.0.0.1:2525\",\n"
    "       \"from\": \"xdpguard <x@example.net>\",\n"
    "       \"to\": [\"noc@example.net\", \"oncall@example.net\"], \"user\": \"u\",\n"
    "       \"password\": \"mail-pass-9\", \"starttls\": false, \"subject_prefix\": \"[edge]\"},\n"
    "      {\"type\": \"syslog\", \"name\": \"siem\", \"target\": \"udp:[2001:db8::1]:514\",\n"
    "       \"facility\": \"local3\", \"format\": \"cef\"}\n"
    "    ],\n"
    "    \"policies\": [\n"
    "      {\"name\": \"page\", \"steps\": [{\"delay_s\": 0, \"sinks\": [\"chat\", \"dc\"]},\n"
    "                                  {\"delay_s\": 60, \"sinks\": [\"pd\", \"og\"]}]},\n"
    "      {\"name\": \"log\", \"steps\": [{\"sinks\": [\"siem\", \"noc\", \"mail\"]}]}\n"
    "    ],\n"
    "    \"routes\": [{\"min_severity\": \"warning\", \"policy\": \"page\"}, {\"policy\": "
    "\"log\"}],\n"
    "    \"maintenance\": [\n"
    "      {\"weekly\": \"Sun 02:00-04:00\", \"interfaces\": [\"eth0\"]},\n"
    "      {\"start\": \"2026-12-01T01:00:00Z\", \"end\": \"2026-12-01T03:00:00Z\"}\n"
    "    ]\n"
    "  }\n"
    "}\n";

/* What the output must never contain. */
static const char *const alerts_secrets[] = {
    "s3cret-hmac", "t0ken-abc",		"R0UTINGKEY0123456789", "XXXXslacktoken",
    "T0001/B0002", "discordTOKENvalue", "opsgenie-key-1",	"mail-pass-9",
};

static void test_alerts_full(void)
{
	const struct xg_alerts_cfg *a;
	const struct xg_route_cfg *r;
	struct xg_cfg *c = malloc(sizeof(*c));
	char err[1024];
	int ret;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	ret = xg_cfg_parse(c, alerts_full, "a.json", err, sizeof(err));
	if (ret)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_EQUAL_FATAL(ret, 0);
	a = &c->alerts;
	r = &a->route;
	CU_ASSERT_STRING_EQUAL(a->node, "edge-1");
	CU_ASSERT_EQUAL(a->queue_capacity, 8192);
	CU_ASSERT_EQUAL(r->coalesce_s, 45);
	CU_ASSERT_EQUAL_FATAL(r->n_sinks, 7);
	CU_ASSERT_STRING_EQUAL(r->sinks[0].name, "noc");
	CU_ASSERT_EQUAL(r->sinks[0].type, XG_ROUTE_SINK_WEBHOOK);
	CU_ASSERT_STRING_EQUAL(a->sink[0].url, "https://hooks.example.net/x");
	CU_ASSERT_STRING_EQUAL(a->sink[0].secret, "s3cret-hmac");
	CU_ASSERT_EQUAL(a->sink[0].n_headers, 2);
	CU_ASSERT_STRING_EQUAL(a->sink[0].headers[1], "Authorization: Bearer t0ken-abc");
	CU_ASSERT_FALSE(a->sink[0].tls_verify);
	CU_ASSERT_STRING_EQUAL(a->sink[0].ca_file, "/etc/ssl/x.pem");
	CU_ASSERT_EQUAL(a->sink[0].timeout_ms, 5000);
	CU_ASSERT_EQUAL(r->sinks[1].type, XG_ROUTE_SINK_PAGERDUTY);
	CU_ASSERT_STRING_EQUAL(a->sink[1].routing_key, "R0UTINGKEY0123456789");
	CU_ASSERT_EQUAL(r->sinks[2].type, XG_ROUTE_SINK_SLACK);
	CU_ASSERT_EQUAL(r->sinks[3].type, XG_ROUTE_SINK_DISCORD);
	CU_ASSERT_STRING_EQUAL(a->sink[3].mention, "@here");
	CU_ASSERT_EQUAL(r->sinks[4].type, XG_ROUTE_SINK_OPSGENIE);
	CU_ASSERT_STRING_EQUAL(a->sink[4].url, "https://api.eu.opsgenie.com");
	CU_ASSERT_STRING_EQUAL(a->sink[4].api_key, "opsgenie-key-1");
	CU_ASSERT_EQUAL(r->sinks[5].type, XG_ROUTE_SINK_EMAIL);
	CU_ASSERT_STRING_EQUAL(a->sink[5].from, "xdpguard <x@example.net>");
	CU_ASSERT_EQUAL(a->sink[5].n_to, 2);
	CU_ASSERT_STRING_EQUAL(a->sink[5].to[1], "oncall@example.net");
	CU_ASSERT_STRING_EQUAL(a->sink[5].user, "u");
	CU_ASSERT_STRING_EQUAL(a->sink[5].password, "mail-pass-9");
	CU_ASSERT_FALSE(a->sink[5].starttls);
	CU_ASSERT_STRING_EQUAL(a->sink[5].subject_prefix, "[edge]");
	/* the type after the name: read first all the same */
	CU_ASSERT_STRING_EQUAL(r->sinks[6].name, "siem");
	CU_ASSERT_EQUAL(r->sinks[6].type, XG_ROUTE_SINK_SYSLOG);
	CU_ASSERT_STRING_EQUAL(a->sink[6].target, "udp:[2001:db8::1]:514");
	CU_ASSERT_EQUAL(a->sink[6].facility, 19);
	CU_ASSERT_TRUE(a->sink[6].cef);
	CU_ASSERT_EQUAL(xg_alerts_sink_find(a, "mail"), 5);

	CU_ASSERT_EQUAL_FATAL(r->n_policies, 2);
	CU_ASSERT_STRING_EQUAL(r->policies[0].name, "page");
	CU_ASSERT_EQUAL_FATAL(r->policies[0].n_steps, 2);
	CU_ASSERT_EQUAL(r->policies[0].steps[1].delay_s, 60);
	CU_ASSERT_EQUAL(r->policies[0].steps[1].n_sinks, 2);
	CU_ASSERT_STRING_EQUAL(r->policies[0].steps[1].sinks[1], "og");
	CU_ASSERT_EQUAL(r->policies[1].steps[0].delay_s, 0);
	CU_ASSERT_EQUAL(r->policies[1].steps[0].n_sinks, 3);
	CU_ASSERT_EQUAL_FATAL(r->n_routes, 2);
	CU_ASSERT_EQUAL(r->routes[0].min_severity, XG_ROUTE_SEV_WARNING);
	CU_ASSERT_STRING_EQUAL(r->routes[0].policy, "page");
	CU_ASSERT_EQUAL(r->routes[1].min_severity, XG_ROUTE_SEV_INFO); /* the default */
	CU_ASSERT_EQUAL_FATAL(r->n_windows, 2);
	CU_ASSERT_EQUAL(r->windows[0].kind, XG_ROUTE_WIN_WEEKLY);
	CU_ASSERT_EQUAL(r->windows[0].week_start_s, 6 * 86400 + 2 * 3600);
	CU_ASSERT_EQUAL(r->windows[0].week_len_s, 2 * 3600);
	CU_ASSERT_EQUAL(r->windows[0].n_ifaces, 1);
	CU_ASSERT_STRING_EQUAL(r->windows[0].ifaces[0], "eth0");
	CU_ASSERT_EQUAL(r->windows[1].kind, XG_ROUTE_WIN_ONCE);
	CU_ASSERT_EQUAL(r->windows[1].start_s, 1796086800);
	CU_ASSERT_EQUAL(r->windows[1].end_s, 1796094000);
	CU_ASSERT_EQUAL(r->windows[1].n_ifaces, 0);
	free(c);
}

/* Each sink starts from its type's defaults. */
static void test_alerts_defaults(void)
{
	static const char text[] =
	    "{\"alerts\": {\"sinks\": [\n"
	    "{\"name\": \"pd\", \"type\": \"pagerduty\", \"routing_key\": \"k\"},\n"
	    "{\"name\": \"og\", \"type\": \"opsgenie\", \"api_key\": \"k\"},\n"
	    "{\"name\": \"sys\", \"type\": \"syslog\"},\n"
	    "{\"name\": \"m\", \"type\": \"email\", \"url\": \"smtps://mail.example.net\",\n"
	    " \"from\": \"a@example.net\", \"to\": [\"b@example.net\"]}]}}";
	struct xg_cfg *c = malloc(sizeof(*c));
	const struct xg_alert_sink_cfg *s;
	char err[1024];
	int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	xg_cfg_defaults(c);
	CU_ASSERT_STRING_EQUAL(c->alerts.node, "");
	CU_ASSERT_EQUAL(c->alerts.queue_capacity, 4096);
	CU_ASSERT_EQUAL(c->alerts.route.coalesce_s, 30);
	CU_ASSERT_EQUAL(c->alerts.route.n_sinks, 0);

	CU_ASSERT_EQUAL_FATAL(xg_cfg_parse(c, text, "t.json", err, sizeof(err)), 0);
	s = c->alerts.sink;
	CU_ASSERT_STRING_EQUAL(s[0].url, XG_PAGERDUTY_URL);
	CU_ASSERT_STRING_EQUAL(s[1].url, XG_OPSGENIE_API_URL);
	CU_ASSERT_STRING_EQUAL(s[2].target, XG_SYSLOG_DEFAULT_DEST);
	CU_ASSERT_EQUAL(s[2].facility, XG_SYSLOG_FACILITY_DAEMON);
	CU_ASSERT_FALSE(s[2].cef);
	CU_ASSERT_TRUE(s[3].starttls);
	CU_ASSERT_STRING_EQUAL(s[3].password, "");
	for (i = 0; i < 4; i++) {
		CU_ASSERT_TRUE(s[i].tls_verify);
		CU_ASSERT_EQUAL(s[i].timeout_ms, XG_ALERT_TIMEOUT_MS);
		CU_ASSERT_STRING_EQUAL(s[i].ca_file, "");
	}
	free(c);
}

static void test_alerts_bad_keys(void)
{
	static const struct bad v[] = {
	    {"{\"alerts\": {\n\"nodes\": \"x\"}}",
	     "t.json:2: alerts.nodes: unknown key (known: node, queue_capacity, coalesce_s, "
	     "sinks, policies, routes, maintenance)"},
	    {"{\"alerts\": {\"sinks\": [\n{\"name\": \"a\", \"type\": \"slack\",\n"
	     " \"uri\": \"https://h\"}]}}",
	     "t.json:3: alerts.sinks[0].uri: unknown key (known: name, type, url, tls_verify, "
	     "ca_file, timeout_ms)"},
	    {"{\"alerts\": {\"sinks\": [{\"name\": \"a\", \"type\": \"webhook\", \"url\": "
	     "\"https://a\"},\n"
	     "{\"name\": \"b\", \"type\": \"pagerduty\", \"routing_key\": \"k\"},\n"
	     "{\"name\": \"c\", \"type\": \"slack\", \"url\": \"https://h\",\n"
	     " \"secret\": \"x\"}]}}",
	     "t.json:4: alerts.sinks[2].secret: not a key of a slack sink (known: name, type, "
	     "url, tls_verify, ca_file, timeout_ms)"},
	    /* the type decides, even after the key */
	    {"{\"alerts\": {\"sinks\": [{\"name\": \"m\", \"facility\": \"local0\",\n"
	     "\"type\": \"email\"}]}}",
	     "t.json:1: alerts.sinks[0].facility: not a key of an email sink (known: name, type, "
	     "url, from, to, user, password, starttls, subject_prefix, tls_verify, ca_file, "
	     "timeout_ms)"},
	    {"{\"alerts\": {\"sinks\": [{\"name\": \"s\", \"type\": \"syslog\",\n"
	     "\"tls_verify\": true}]}}",
	     "t.json:2: alerts.sinks[0].tls_verify: not a key of a syslog sink (known: name, "
	     "type, target, facility, format)"},
	    {"{\"alerts\": {\"policies\": [{\"name\": \"p\", \"steps\": [{\"sinks\": [\"a\"],\n"
	     "\"delay\": 5}]}]}}",
	     "t.json:2: alerts.policies[0].steps[0].delay: unknown key (known: delay_s, sinks)"},
	    {"{\"alerts\": {\"routes\": [{\"policy\": \"p\",\n\"severity\": \"info\"}]}}",
	     "t.json:2: alerts.routes[0].severity: unknown key (known: min_severity, policy)"},
	    {"{\"alerts\": {\"maintenance\": [{\n\"from\": \"2026-12-01T01:00:00Z\"}]}}",
	     "t.json:2: alerts.maintenance[0].from: unknown key (known: weekly, start, end, "
	     "interfaces)"},
	    {"{\"alerts\": []}", "t.json:1: alerts: must be an object, got an array"},
	};

	check_bad(v, sizeof(v) / sizeof(v[0]));
}

static void test_alerts_bad_sinks(void)
{
	static const struct bad v[] = {
	    {"{\"alerts\": {\"sinks\": [{\"name\": \"a\", \"type\": \"slack\", \"url\": "
	     "\"https://h\"},\n"
	     "  {\"name\": \"pd\", \"type\": \"pagerduty\"}]}}",
	     "t.json:2: alerts.sinks[1]: a pagerduty sink needs \"routing_key\""},
	    {"{\"alerts\": {\"sinks\": [\n{\"name\": \"og\", \"type\": \"opsgenie\", \"api_key\": "
	     "\"\"}]}}",
	     "t.json:2: alerts.sinks[0]: an opsgenie sink needs \"api_key\""},
	    {"{\"alerts\": {\"sinks\": [\n{\"name\": \"w\", \"type\": \"webhook\"}]}}",
	     "t.json:2: alerts.sinks[0]: a webhook sink needs \"url\""},
	    {"{\"alerts\": {\"sinks\": [\n{\"name\": \"m\", \"type\": \"email\", \"url\": "
	     "\"smtp://h\", \"from\": \"a@b\", \"to\": []}]}}",
	     "t.json:2: alerts.sinks[0]: an email sink needs \"to\""},
	    {"{\"alerts\": {\"sinks\": [\n{\"name\": \"m\", \"type\": \"email\", \"url\": "
	     "\"smtp://h\", \"to\": [\"a@b\"]}]}}",
	     "t.json:2: alerts.sinks[0]: an email sink needs \"from\""},
	    {"{\"alerts\": {\"sinks\": [\n{\"name\": \"a\"}]}}",
	     "t.json:2: alerts.sinks[0]: a sink needs a \"type\" (webhook, pagerduty, slack, "
	     "discord, opsgenie, email, syslog)"},
	    {"{\"alerts\": {\"sinks\": [{\"name\": \"a\",\n\"type\": \"teams\"}]}}",
	     "t.json:2: alerts.sinks[0].type: must be one of webhook, pagerduty, slack, discord, "
	     "opsgenie, email, syslog, got \"teams\""},
	    {"{\"alerts\": {\"sinks\": [\n{\"type\": \"syslog\"}]}}",
	     "t.json:2: alerts.sinks[0]: a sink needs a \"name\""},
	    {"{\"alerts\": {\"sinks\": [{\"name\": \"a b\", \"type\": \"syslog\"}]}}",
	     "t.json:1: alerts.sinks[0].name: must be 1-31 characters A-Z a-z 0-9 _ - ., got "
	     "\"a b\""},
	    /* the URL is not shown: it may hold a token */
	    {"{\"alerts\": {\"sinks\": [{\"name\": \"w\", \"type\": \"webhook\",\n"
	     "\"url\": \"ftp://hooks.example.net/abc\"}]}}",
	     "t.json:2: alerts.sinks[0].url: must be an http:// or https:// URL"},
	    {"{\"alerts\": {\"sinks\": [{\"name\": \"w\", \"type\": \"slack\",\n"
	     "\"url\": \"https:///path\"}]}}",
	     "t.json:2: alerts.sinks[0].url: must be an http:// or https:// URL"},
	    {"{\"alerts\": {\"sinks\": [{\"name\": \"m\", \"type\": \"email\",\n"
	     "\"url\": \"https://mail.example.net\", \"from\": \"a@b\", \"to\": [\"c@d\"]}]}}",
	     "t.json:2: alerts.sinks[0].url: must be an smtp:// or smtps:// URL"},
	    {"{\"alerts\": {\"sinks\": [{\"name\": \"w\", \"type\": \"webhook\", \"url\": "
	     "\"https://h\",\n"
	     "\"headers\": [\"X-A: 1\",\n\"X-B: 2\\r\\nX-Evil: 1\"]}]}}",
	     "t.json:3: alerts.sinks[0].headers[1]: contains a control character"},
	    {"{\"alerts\": {\"sinks\": [{\"name\": \"w\", \"type\": \"webhook\", \"url\": "
	     "\"https://h\",\n"
	     "\"headers\": [\"X Team: noc\"]}]}}",
	     "t.json:2: alerts.sinks[0].headers[0]: must be \"Name: value\", the name of letters, "
	     "digits and !#$%&'*+-.^_`|~"},
	    {"{\"alerts\": {\"sinks\": [{\"name\": \"w\", \"type\": \"webhook\", \"url\": "
	     "\"https://h\",\n"
	     "\"headers\": [\"X-Team\"]}]}}",
	     "t.json:2: alerts.sinks[0].headers[0]: must be \"Name: value\", the name of letters, "
	     "digits and !#$%&'*+-.^_`|~"},
	    {"{\"alerts\": {\"sinks\": [{\"name\": \"w\", \"type\": \"webhook\", \"url\": "
	     "\"https://h\",\n"
	     "\"headers\": \"Authorization: Bearer t0ken\"}]}}",
	     "t.json:2: alerts.sinks[0].headers: must be an array of headers \"Name: value\", got "
	     "something else"},
	    {"{\"alerts\": {\"sinks\": [{\"name\": \"s\", \"type\": \"syslog\",\n"
	     "\"facility\": \"local9\"}]}}",
	     "t.json:2: alerts.sinks[0].facility: must be a syslog facility (kern, user, mail, "
	     "daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp, ntp, security, console, "
	     "clock, local0, local1, local2, local3, local4, local5, local6, local7), got "
	     "\"local9\""},
	    {"{\"alerts\": {\"sinks\": [{\"name\": \"s\", \"type\": \"syslog\",\n"
	     "\"format\": \"json\"}]}}",
	     "t.json:2: alerts.sinks[0].format: must be one of rfc5424, cef, got \"json\""},
	    {"{\"alerts\": {\"sinks\": [{\"name\": \"w\", \"type\": \"webhook\", \"url\": "
	     "\"https://h\",\n"
	     "\"timeout_ms\": 50}]}}",
	     "t.json:2: alerts.sinks[0].timeout_ms: must be an integer 100-120000, got 50"},
	    /* a secret of the wrong type is not shown either */
	    {"{\"alerts\": {\"sinks\": [{\"name\": \"p\", \"type\": \"pagerduty\",\n"
	     "\"routing_key\": 12345678901234567}]}}",
	     "t.json:2: alerts.sinks[0].routing_key: must be a string"},
	    {"{\"alerts\": {\"sinks\": [{\"name\": \"m\", \"type\": \"email\", \"url\": "
	     "\"smtp://h\",\n"
	     "\"from\": \"a@b\", \"to\": [\"c@d\", \"oncall\"]}]}}",
	     "t.json:2: alerts.sinks[0].to[1]: must be an email address (with an @)"},
	    {"{\"alerts\": {\"sinks\": [{\"name\": \"m\", \"type\": \"email\", \"url\": "
	     "\"smtp://h\",\n"
	     "\"from\": \"a@b\", \"to\": [\"c@d\"],\n\"password\": \"p\"}]}}",
	     "t.json:3: alerts.sinks[0].password: needs a \"user\" to log in with"},
	    {"{\"alerts\": {\"sinks\": [{\"name\": \"w\", \"type\": \"webhook\", \"url\": "
	     "\"https://h\",\n"
	     "\"ca_file\": \"certs/ca.pem\"}]}}",
	     "t.json:2: alerts.sinks[0].ca_file: must be an absolute path (or \"\")"},
	    {"{\"alerts\": {\n\"node\": \"edge 1\"}}",
	     "t.json:2: alerts.node: must be 1-63 printable ASCII characters without spaces (\"\" "
	     "for the host name), got \"edge 1\""},
	    {"{\"alerts\": {\n\"queue_capacity\": 100}}",
	     "t.json:2: alerts.queue_capacity: must be an integer 2000-1000000, got 100"},
	    {"{\"alerts\": {\n\"coalesce_s\": 3601}}",
	     "t.json:2: alerts.coalesce_s: must be an integer 0-3600, got 3601"},
	};

	check_bad(v, sizeof(v) / sizeof(v[0]));
}

static void test_alerts_bad_targets(void)
{
	static const char *const targets[] = {
	    "udp:127.0.0.1",	   "udp:127.0.0.1:0",
	    "udp:127.0.0.1:65536", "udp::514",
	    "tcp:127.0.0.1:514",   "unix:dev/log",
	    "udp:2001:db8::1:514", "udp:[2001:db8::1:514",
	    "udp:user@host:514",   "",
	};
	char text[256], want[256];
	struct bad v;
	size_t i;

	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		snprintf(text, sizeof(text),
			 "{\"alerts\": {\"sinks\": [{\"name\": \"s\", \"type\": \"syslog\",\n"
			 "\"target\": \"%s\"}]}}",
			 targets[i]);
		snprintf(want, sizeof(want),
			 "t.json:2: alerts.sinks[0].target: must be \"udp:HOST:PORT\" (port "
			 "1-65535, an IPv6 host in [ ]) or \"unix:/absolute/path\"");
		v = (struct bad){text, want};
		check_bad(&v, 1);
	}
}

/* Routing errors come from xg_route_cfg_check(), at the line of the key
 * path it names. */
static void test_alerts_bad_routing(void)
{
	static const struct bad v[] = {
	    {"{\"alerts\": {\"sinks\": [{\"name\": \"a\", \"type\": \"slack\", \"url\": "
	     "\"https://h\"}],\n"
	     "\"policies\": [{\"name\": \"p\", \"steps\": [\n{\"sinks\": [\"a\",\n \"b\"]}]}]}}",
	     "t.json:4: alerts.policies[0].steps[0].sinks[1]: unknown sink \"b\" (not in "
	     "alerts.sinks)"},
	    /* the policy may come before the sinks it names */
	    {"{\"alerts\": {\"policies\": [{\"name\": \"p\", \"steps\": [{\"sinks\": [\"a\"]}]}],\n"
	     "\"sinks\": [{\"name\": \"a\", \"type\": \"slack\", \"url\": \"https://h\"}],\n"
	     "\"routes\": [{\"min_severity\": \"error\",\n\"policy\": \"q\"}]}}",
	     "t.json:4: alerts.routes[0].policy: no policy named \"q\" (in alerts.policies)"},
	    {"{\"alerts\": {\"sinks\": [{\"name\": \"a\", \"type\": \"syslog\"},\n"
	     "{\"name\": \"a\", \"type\": \"syslog\"}]}}",
	     "t.json:2: alerts.sinks[1].name: duplicate sink \"a\" (also alerts.sinks[0])"},
	    {"{\"alerts\": {\"sinks\": [{\"name\": \"a\", \"type\": \"syslog\"}],\n"
	     "\"policies\": [{\"name\": \"p\", \"steps\": [{\"delay_s\": 60, \"sinks\": [\"a\"]},\n"
	     "{\"delay_s\": 30, \"sinks\": [\"a\"]}]}]}}",
	     "t.json:3: alerts.policies[0].steps[1].delay_s: 30 is less than the step before it "
	     "(60): steps go in the order they fire"},
	    {"{\"alerts\": {\n\"policies\": [{\"steps\": []}]}}",
	     "t.json:2: alerts.policies[0]: a policy needs a \"name\""},
	    {"{\"alerts\": {\n\"routes\": [{\"min_severity\": \"warn\"}]}}",
	     "t.json:2: alerts.routes[0].min_severity: must be one of info, warning, error, "
	     "critical, got \"warn\""},
	    {"{\"alerts\": {\n\"routes\": [{\"min_severity\": \"error\"}]}}",
	     "t.json:2: alerts.routes[0]: a route needs a \"policy\""},
	};

	check_bad(v, sizeof(v) / sizeof(v[0]));
}

static void test_alerts_bad_windows(void)
{
	static const struct bad v[] = {
	    {"{\"alerts\": {\"maintenance\": [\n{\"weekly\": \"Sun 25:00-04:00\"}]}}",
	     "t.json:2: alerts.maintenance[0].weekly: \"25:00\" is not a time 00:00-23:59"},
	    {"{\"alerts\": {\"maintenance\": [\n{\"start\": \"2026-12-01T01:00:00Z\"}]}}",
	     "t.json:2: alerts.maintenance[0]: a window needs \"weekly\", or \"start\" and "
	     "\"end\""},
	    {"{\"alerts\": {\"maintenance\": [{\"weekly\": \"Sun 02:00-04:00\",\n"
	     "\"end\": \"2026-12-01T01:00:00Z\"}]}}",
	     "t.json:1: alerts.maintenance[0]: \"weekly\" or \"start\" and \"end\", not both"},
	    {"{\"alerts\": {\"maintenance\": [{\"start\": \"2026-12-01T03:00:00Z\",\n"
	     "\"end\": \"2026-12-01T01:00:00Z\"}]}}",
	     "t.json:2: alerts.maintenance[0].end: must be after \"start\""},
	    {"{\"alerts\": {\"maintenance\": [{\"start\": \"2026-02-29T03:00:00Z\",\n"
	     "\"end\": \"2026-12-01T01:00:00Z\"}]}}",
	     "t.json:1: alerts.maintenance[0].start: must be a UTC time like "
	     "\"2026-12-01T01:00:00Z\", got \"2026-02-29T03:00:00Z\""},
	    {"{\"alerts\": {\"maintenance\": [{\"start\": \"2026-12-01 03:00:00\",\n"
	     "\"end\": \"2026-12-01T01:00:00Z\"}]}}",
	     "t.json:1: alerts.maintenance[0].start: must be a UTC time like "
	     "\"2026-12-01T01:00:00Z\", got \"2026-12-01 03:00:00\""},
	    {"{\"alerts\": {\"maintenance\": [{\"start\": \"2026-12-01T01:00:00+01:00\",\n"
	     "\"end\": \"2026-12-01T01:00:00Z\"}]}}",
	     "t.json:1: alerts.maintenance[0].start: must be a UTC time like "
	     "\"2026-12-01T01:00:00Z\", got \"2026-12-01T01:00:00+01:00\""},
	    {"{\"alerts\": {\"maintenance\": [{\"weekly\": \"Sun 02:00-04:00\",\n"
	     "\"interfaces\": [\"eth0\",\n\"eth0\"]}]}}",
	     "t.json:3: alerts.maintenance[0].interfaces[1]: duplicate interface \"eth0\" (also "
	     "alerts.maintenance[0].interfaces[0])"},
	};

	check_bad(v, sizeof(v) / sizeof(v[0]));
}

/* head, then n items (item a format of the index, sep between them),
 * then tail, into buf. */
static void repeat(char *buf, size_t len, const char *head, const char *item, const char *sep,
		   int n, const char *tail)
{
	size_t off = (size_t)snprintf(buf, len, "%s", head);
	int i;

	for (i = 0; i < n && off < len; i++) {
		off += (size_t)snprintf(buf + off, len - off, "%s", i ? sep : "");
		if (off < len)
			off += (size_t)snprintf(buf + off, len - off, item, i);
	}
	if (off < len)
		snprintf(buf + off, len - off, "%s", tail);
}

/* Limits: one over each is refused with the limit in the message. */
static void test_alerts_limits(void)
{
	static const char webhook[] = "{\"alerts\": {\"sinks\": [{\"name\": \"w\", \"type\": "
				      "\"webhook\", \"url\": \"https://h\",\n";
	char text[4096], head[256], want[256];
	const struct bad v = {text, want};

	repeat(text, sizeof(text), "{\"alerts\": {\n\"sinks\": [",
	       "{\"name\": \"s%d\", \"type\": \"syslog\"}", ", ", XG_ROUTE_MAX_SINKS + 1, "]}}");
	snprintf(want, sizeof(want), "t.json:2: alerts.sinks: at most %d sinks, got %d",
		 XG_ROUTE_MAX_SINKS, XG_ROUTE_MAX_SINKS + 1);
	check_bad(&v, 1);

	snprintf(head, sizeof(head), "%s\"headers\": [", webhook);
	repeat(text, sizeof(text), head, "\"X-%d: v\"", ", ", XG_ALERT_MAX_HEADERS + 1, "]}]}}");
	snprintf(want, sizeof(want),
		 "t.json:2: alerts.sinks[0].headers: at most %d headers, got %d",
		 XG_ALERT_MAX_HEADERS, XG_ALERT_MAX_HEADERS + 1);
	check_bad(&v, 1);

	/* a secret one byte too long for its buffer */
	snprintf(head, sizeof(head), "%s\"secret\": \"", webhook);
	repeat(text, sizeof(text), head, "k", "", XG_ALERT_SECRET_MAX, "\"}]}}");
	snprintf(want, sizeof(want), "t.json:2: alerts.sinks[0].secret: longer than %d characters",
		 XG_ALERT_SECRET_MAX - 1);
	check_bad(&v, 1);
}

static bool json_has(struct json_object *o, const char *key, const char *want)
{
	struct json_object *x;

	return json_object_object_get_ex(o, key, &x) && !strcmp(json_object_get_string(x), want);
}

/* config show: every key of each sink's type and no other, secrets as
 * "***", URLs and headers redacted; and the output reads back. */
static void test_alerts_show(void)
{
	/* name, type and the type's keys: webhook ... syslog */
	static const int n_keys[] = {8, 7, 6, 7, 7, 12, 5};
	struct xg_cfg *c = malloc(sizeof(*c)), *back = malloc(sizeof(*back));
	struct json_object *o, *al, *sinks, *x, *w;
	char err[1024], *a, *b;
	size_t i;
	int ret;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	CU_ASSERT_EQUAL_FATAL(xg_cfg_parse(c, alerts_full, "a.json", err, sizeof(err)), 0);
	a = cfg_text(c);
	for (i = 0; i < sizeof(alerts_secrets) / sizeof(alerts_secrets[0]); i++) {
		if (strstr(a, alerts_secrets[i]))
			fprintf(stderr, "\n  \"%s\" in config show\n", alerts_secrets[i]);
		CU_ASSERT_PTR_NULL(strstr(a, alerts_secrets[i]));
	}

	o = xg_cfg_to_json(c);
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(o, "alerts", &al));
	CU_ASSERT_EQUAL(json_object_object_length(al), 7);
	CU_ASSERT_TRUE(json_has(al, "node", "edge-1"));
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(al, "sinks", &sinks));
	CU_ASSERT_EQUAL_FATAL(json_object_array_length(sinks), 7);
	for (i = 0; i < 7; i++)
		CU_ASSERT_EQUAL(json_object_object_length(json_object_array_get_idx(sinks, i)),
				n_keys[i]);
	x = json_object_array_get_idx(sinks, 0);
	CU_ASSERT_TRUE(json_has(x, "secret", "***"));
	CU_ASSERT_TRUE(json_has(x, "url", "https://hooks.example.net/x"));
	CU_ASSERT_TRUE(json_object_object_get_ex(x, "headers", &w));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_array_get_idx(w, 0)),
			       "X-Team: noc");
	CU_ASSERT_TRUE(json_has(json_object_array_get_idx(sinks, 1), "routing_key", "***"));
	CU_ASSERT_TRUE(json_has(json_object_array_get_idx(sinks, 1), "url", XG_PAGERDUTY_URL));
	CU_ASSERT_TRUE(json_has(json_object_array_get_idx(sinks, 2), "url",
				"https://hooks.slack.com/services/***"));
	CU_ASSERT_TRUE(json_has(json_object_array_get_idx(sinks, 4), "api_key", "***"));
	x = json_object_array_get_idx(sinks, 5);
	CU_ASSERT_TRUE(json_has(x, "password", "***"));
	CU_ASSERT_TRUE(json_has(x, "user", "u"));
	x = json_object_array_get_idx(sinks, 6);
	CU_ASSERT_TRUE(json_has(x, "target", "udp:[2001:db8::1]:514"));
	CU_ASSERT_TRUE(json_has(x, "facility", "local3"));
	CU_ASSERT_TRUE(json_has(x, "format", "cef"));
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(al, "maintenance", &w));
	CU_ASSERT_TRUE(json_has(json_object_array_get_idx(w, 0), "weekly", "Sun 02:00-04:00"));
	CU_ASSERT_TRUE(json_has(json_object_array_get_idx(w, 1), "start", "2026-12-01T01:00:00Z"));
	CU_ASSERT_TRUE(json_has(json_object_array_get_idx(w, 1), "end", "2026-12-01T03:00:00Z"));
	CU_ASSERT_TRUE(
	    json_object_object_get_ex(json_object_array_get_idx(w, 1), "interfaces", NULL));
	json_object_put(o);

	/* It reads back, and shows the same again: a redacted value is a valid
	 * one. Unset secrets show as "" and read back unset. */
	ret = xg_cfg_parse(back, a, "shown.json", err, sizeof(err));
	if (ret)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_EQUAL_FATAL(ret, 0);
	b = cfg_text(back);
	CU_ASSERT_STRING_EQUAL(a, b);
	CU_ASSERT_EQUAL(back->alerts.route.n_windows, 2);
	CU_ASSERT_EQUAL(back->alerts.route.windows[1].end_s, 1796094000);
	CU_ASSERT_EQUAL(memcmp(&back->alerts.route.policies, &c->alerts.route.policies,
			       sizeof(c->alerts.route.policies)),
			0);
	free(a);
	free(b);

	/* A host name the redactor takes for a token still shows as a valid
	 * target. */
	CU_ASSERT_EQUAL_FATAL(
	    xg_cfg_parse(c,
			 "{\"alerts\": {\"sinks\": [{\"name\": \"s\", \"type\": \"syslog\", "
			 "\"target\": \"udp:syslog01.dc2.example.net:514\"}]}}",
			 "t.json", err, sizeof(err)),
	    0);
	a = cfg_text(c);
	CU_ASSERT_PTR_NOT_NULL(strstr(a, "\"udp:syslog01.dc2.example.net:514\""));
	CU_ASSERT_EQUAL(xg_cfg_parse(back, a, "shown.json", err, sizeof(err)), 0);
	free(a);
	free(c);
	free(back);
}

static const char pcap_full[] = "{\n"
				"  \"pcap\": {\n"
				"    \"enabled\": false,\n"
				"    \"dir\": \"/srv/xg/pcaps\",\n"
				"    \"peace_sample_rate\": 0,\n"
				"    \"incident_sample_rate\": 65536,\n"
				"    \"ring_packets\": 0,\n"
				"    \"max_packets\": 1,\n"
				"    \"max_age_days\": 3650,\n"
				"    \"max_total_mb\": 0,\n"
				"    \"min_free_mb\": 10000000\n"
				"  }\n"
				"}\n";

static void test_pcap_full(void)
{
	struct xg_cfg c;
	char err[512];

	CU_ASSERT_EQUAL_FATAL(xg_cfg_parse(&c, pcap_full, "p.json", err, sizeof(err)), 0);
	CU_ASSERT_FALSE(c.pcap.enabled);
	CU_ASSERT_STRING_EQUAL(c.pcap.dir, "/srv/xg/pcaps");
	CU_ASSERT_EQUAL(c.pcap.peace_sample_rate, 0);
	CU_ASSERT_EQUAL(c.pcap.incident_sample_rate, 65536);
	CU_ASSERT_EQUAL(c.pcap.ring_packets, 0);
	CU_ASSERT_EQUAL(c.pcap.max_packets, 1);
	CU_ASSERT_EQUAL(c.pcap.max_age_days, 3650);
	CU_ASSERT_EQUAL(c.pcap.max_total_mb, 0);
	CU_ASSERT_EQUAL(c.pcap.min_free_mb, 10000000);
	/* the rest keeps its defaults */
	CU_ASSERT_EQUAL(c.tick_ms, 1000);
	CU_ASSERT_TRUE(c.mitigation.enabled);

	/* Keys left out keep their defaults; "" is the default dir; equal
	 * ring and file sizes are fine, in either order. */
	CU_ASSERT_EQUAL(xg_cfg_parse(&c,
				     "{\"pcap\": {\"dir\": \"\", \"max_packets\": 5000, "
				     "\"ring_packets\": 5000}}",
				     "p.json", err, sizeof(err)),
			0);
	CU_ASSERT_STRING_EQUAL(c.pcap.dir, "");
	CU_ASSERT_EQUAL(c.pcap.ring_packets, 5000);
	CU_ASSERT_EQUAL(c.pcap.max_packets, 5000);
	CU_ASSERT_EQUAL(c.pcap.peace_sample_rate, 1024);
	CU_ASSERT_EQUAL(c.pcap.min_free_mb, 512);
	CU_ASSERT_EQUAL(
	    xg_cfg_parse(&c, "{\"pcap\": {\"ring_packets\": 100000, \"max_packets\": 1000000}}",
			 "p.json", err, sizeof(err)),
	    0);
	CU_ASSERT_EQUAL(c.pcap.ring_packets, 100000);
	CU_ASSERT_EQUAL(c.pcap.max_packets, 1000000);

	/* An empty section is the defaults. */
	CU_ASSERT_EQUAL(xg_cfg_parse(&c, "{\"pcap\": {}}", "p.json", err, sizeof(err)), 0);
	CU_ASSERT_TRUE(is_default(&c));
}

static void test_pcap_bad(void)
{
	static const struct bad v[] = {
	    /* rates */
	    {"{\"pcap\": {\n\"peace_sample_rate\": 1000}}",
	     "t.json:2: pcap.peace_sample_rate: must be 0 (off) or a power of 2 up to 65536, "
	     "got 1000"},
	    {"{\"pcap\": {\n\"incident_sample_rate\": 131072}}",
	     "t.json:2: pcap.incident_sample_rate: must be 0 (off) or a power of 2 up to 65536, "
	     "got 131072"},
	    {"{\"pcap\": {\"incident_sample_rate\": -64}}",
	     "t.json:1: pcap.incident_sample_rate: must be 0 (off) or a power of 2 up to 65536, "
	     "got -64"},
	    {"{\"pcap\": {\"peace_sample_rate\": \"1024\"}}",
	     "t.json:1: pcap.peace_sample_rate: must be 0 (off) or a power of 2 up to 65536, "
	     "got \"1024\""},
	    /* the ring must fit in a file: whichever comes first, and when
	     * one of them is a default */
	    {"{\"pcap\": {\n\"ring_packets\": 2000,\n\"max_packets\": 1999}}",
	     "t.json:3: pcap.max_packets: must be at least ring_packets (2000), got 1999"},
	    {"{\"pcap\": {\n\"max_packets\": 10,\n\"ring_packets\": 11}}",
	     "t.json:2: pcap.max_packets: must be at least ring_packets (11), got 10"},
	    {"{\"pcap\": {\"max_packets\": 999}}",
	     "t.json:1: pcap.max_packets: must be at least ring_packets (1000), got 999"},
	    {"{\"tick_ms\": 1000,\n\"pcap\": {\n\"ring_packets\": 20000}}",
	     "t.json:2: pcap.max_packets: must be at least ring_packets (20000), got 10000"},
	    /* dir */
	    {"{\"pcap\": {\n\"dir\": \"pcaps\"}}",
	     "t.json:2: pcap.dir: must be an absolute path or \"\", got \"pcaps\""},
	    {"{\"pcap\": {\"dir\": \"/srv/a\\nb\"}}",
	     "t.json:1: pcap.dir: contains a control character"},
	    {"{\"pcap\": {\"dir\": null}}",
	     "t.json:1: pcap.dir: must be an absolute path or \"\" (a string), got null"},
	    /* the other keys */
	    {"{\"pcap\": {\"enabled\": \"yes\"}}",
	     "t.json:1: pcap.enabled: must be true or false, got \"yes\""},
	    {"{\"pcap\": {\"ring_packets\": 100001}}",
	     "t.json:1: pcap.ring_packets: must be an integer 0-100000, got 100001"},
	    {"{\"pcap\": {\"max_packets\": 0}}",
	     "t.json:1: pcap.max_packets: must be an integer 1-1000000, got 0"},
	    {"{\"pcap\": {\"max_packets\": 1000001}}",
	     "t.json:1: pcap.max_packets: must be an integer 1-1000000, got 1000001"},
	    {"{\"pcap\": {\"max_age_days\": 3651}}",
	     "t.json:1: pcap.max_age_days: must be an integer 0-3650, got 3651"},
	    {"{\"pcap\": {\"max_total_mb\": 10000001}}",
	     "t.json:1: pcap.max_total_mb: must be an integer 0-10000000, got 10000001"},
	    {"{\"pcap\": {\"min_free_mb\": -1}}",
	     "t.json:1: pcap.min_free_mb: must be an integer 0-10000000, got -1"},
	    {"{\"pcap\": true}", "t.json:1: pcap: must be an object, got true"},
	    /* unknown keys */
	    {"{\"pcap\": {\n\"enabled\": true,\n\"directory\": \"/x\"}}",
	     "t.json:3: pcap.directory: unknown key (known: enabled, dir, peace_sample_rate, "
	     "incident_sample_rate, ring_packets, max_packets, max_age_days, max_total_mb, "
	     "min_free_mb)"},
	};
	struct bad one;
	char text[XG_CFG_PATH_LEN + 64], want[128];

	check_bad(v, sizeof(v) / sizeof(v[0]));

	/* a dir one byte too long for its buffer */
	snprintf(text, sizeof(text), "{\"pcap\": {\"dir\": \"/%0*d\"}}", XG_CFG_PATH_LEN - 1, 0);
	snprintf(want, sizeof(want), "t.json:1: pcap.dir: longer than %d characters",
		 XG_CFG_PATH_LEN - 1);
	one = (struct bad){text, want};
	check_bad(&one, 1);
}

/* config show: every key of the section, in order, and the output reads
 * back to the same configuration. */
static void test_pcap_show(void)
{
	static const char *const keys[] = {
	    "enabled",	    "dir",	   "peace_sample_rate", "incident_sample_rate",
	    "ring_packets", "max_packets", "max_age_days",	"max_total_mb",
	    "min_free_mb",
	};
	struct xg_cfg c, back;
	struct json_object *o, *p, *x;
	char err[512], *a, *b;
	size_t i = 0;
	bool after_mitigation = false, before_alerts = false;

	CU_ASSERT_EQUAL_FATAL(xg_cfg_parse(&c, pcap_full, "p.json", err, sizeof(err)), 0);
	o = xg_cfg_to_json(&c);
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(o, "pcap", &p));
	CU_ASSERT_EQUAL(json_object_object_length(p), sizeof(keys) / sizeof(keys[0]));
	json_object_object_foreach (p, key, val) {
		(void)val;
		CU_ASSERT_FATAL(i < sizeof(keys) / sizeof(keys[0]));
		CU_ASSERT_STRING_EQUAL(key, keys[i]);
		i++;
	}
	CU_ASSERT_TRUE(json_has(p, "dir", "/srv/xg/pcaps"));
	CU_ASSERT_TRUE(json_object_object_get_ex(p, "enabled", &x));
	CU_ASSERT_FALSE(json_object_get_boolean(x));
	CU_ASSERT_TRUE(json_object_object_get_ex(p, "min_free_mb", &x));
	CU_ASSERT_EQUAL(json_object_get_int64(x), 10000000);
	/* between mitigation and alerts */
	{
		const char *prev = NULL;

		json_object_object_foreach (o, key, val) {
			(void)val;
			if (!strcmp(key, "pcap")) {
				after_mitigation = prev && !strcmp(prev, "mitigation");
			} else if (prev && !strcmp(prev, "pcap")) {
				before_alerts = !strcmp(key, "alerts");
			}
			prev = key;
		}
	}
	CU_ASSERT_TRUE(after_mitigation);
	CU_ASSERT_TRUE(before_alerts);
	json_object_put(o);

	a = cfg_text(&c);
	CU_ASSERT_EQUAL_FATAL(xg_cfg_parse(&back, a, "shown.json", err, sizeof(err)), 0);
	b = cfg_text(&back);
	CU_ASSERT_STRING_EQUAL(a, b);
	CU_ASSERT_EQUAL(memcmp(&c.pcap, &back.pcap, sizeof(c.pcap)), 0);
	free(a);
	free(b);
}

/* ---- bgp ---- */

static void test_bgp_defaults(void)
{
	static const char *const names[] = {
	    NULL, "local", "flowspec_ratelimit", "flowspec_discard", "rtbh", "scrub"};
	struct xg_cfg *c = malloc(sizeof(*c));
	const struct xg_bgp_cfg *b;
	struct xg_speaker_cfg s;
	int t, l;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	xg_cfg_defaults(c);
	b = &c->bgp;
	CU_ASSERT_FALSE(b->enabled);
	CU_ASSERT_FALSE(b->dry_run);
	CU_ASSERT_TRUE(b->level[XG_LVL_LOCAL].enabled);
	CU_ASSERT_DOUBLE_EQUAL(b->level[XG_LVL_LOCAL].pps, 0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(b->level[XG_LVL_LOCAL].bps, 0, 1e-9);
	CU_ASSERT_TRUE(b->level[XG_LVL_FS_RATELIMIT].enabled);
	CU_ASSERT_DOUBLE_EQUAL(b->level[XG_LVL_FS_RATELIMIT].pps, 500000, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(b->level[XG_LVL_FS_RATELIMIT].bps, 2e9, 1e-9);
	CU_ASSERT_TRUE(b->level[XG_LVL_FS_DISCARD].enabled);
	CU_ASSERT_DOUBLE_EQUAL(b->level[XG_LVL_FS_DISCARD].pps, 1000000, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(b->level[XG_LVL_FS_DISCARD].bps, 5e9, 1e-9);
	CU_ASSERT_TRUE(b->level[XG_LVL_RTBH].enabled);
	CU_ASSERT_DOUBLE_EQUAL(b->level[XG_LVL_RTBH].pps, 5000000, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(b->level[XG_LVL_RTBH].bps, 9e9, 1e-9);
	CU_ASSERT_FALSE(b->level[XG_LVL_SCRUB].enabled);
	CU_ASSERT_DOUBLE_EQUAL(b->level[XG_LVL_SCRUB].pps, 10000000, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(b->level[XG_LVL_SCRUB].bps, 2e10, 1e-9);
	for (l = XG_LVL_LOCAL; l < XG_LVL_MAX; l++)
		CU_ASSERT_FALSE(b->level[l].dry_run);
	CU_ASSERT_DOUBLE_EQUAL(b->step_down_ratio, 0.5, 1e-12);
	CU_ASSERT_EQUAL(b->hold_down_s, 30);
	CU_ASSERT_EQUAL(b->rate_limit_bps, 125000);
	CU_ASSERT_EQUAL(b->rule_ttl_s, 600);
	CU_ASSERT_EQUAL(b->max_rules, 200);
	CU_ASSERT_EQUAL(b->max_announce_per_min, 60);
	CU_ASSERT_EQUAL(b->max_flowspec_sources, 16);
	CU_ASSERT_EQUAL(b->n_comm, 0);
	CU_ASSERT_EQUAL(b->n_lcomm, 0);
	CU_ASSERT_STRING_EQUAL(b->next_hop_v4, "192.0.2.1");
	CU_ASSERT_STRING_EQUAL(b->next_hop_v6, "100::1");
	CU_ASSERT_EQUAL(b->rtbh_min_prefix_v4, 32);
	CU_ASSERT_EQUAL(b->rtbh_min_prefix_v6, 128);
	CU_ASSERT_FALSE(b->allow_private);
	CU_ASSERT_EQUAL(b->n_never, 0);
	CU_ASSERT_STRING_EQUAL(b->scrub_url, "");
	CU_ASSERT_EQUAL(b->n_scrub_args, 0);
	CU_ASSERT_EQUAL(b->n_speakers, 0);

	/* each speaker type's defaults */
	xg_speaker_cfg_defaults(&s, XG_SPK_EXABGP);
	CU_ASSERT_EQUAL(s.type, XG_SPK_EXABGP);
	CU_ASSERT_STRING_EQUAL(s.name, "");
	CU_ASSERT_STRING_EQUAL(s.socket, "");
	CU_ASSERT_TRUE(s.flowspec && s.rtbh);
	CU_ASSERT_EQUAL(s.timeout_ms, 5000);
	xg_speaker_cfg_defaults(&s, XG_SPK_GOBGP);
	CU_ASSERT_STRING_EQUAL(s.target, "127.0.0.1:50051");
	CU_ASSERT_STRING_EQUAL(s.program, "gobgp");
	CU_ASSERT_TRUE(s.flowspec && s.rtbh);
	xg_speaker_cfg_defaults(&s, XG_SPK_BIRD);
	CU_ASSERT_STRING_EQUAL(s.socket, "/run/bird/bird.ctl");
	CU_ASSERT_STRING_EQUAL(s.program, "birdc");
	CU_ASSERT_STRING_EQUAL(s.include, "");
	CU_ASSERT_STRING_EQUAL(s.prefix, "xdpguard");
	CU_ASSERT_STRING_EQUAL(s.flow4_table, "flowtab4");
	CU_ASSERT_STRING_EQUAL(s.flow6_table, "flowtab6");
	CU_ASSERT_STRING_EQUAL(s.rtbh4_table, "master4");
	CU_ASSERT_STRING_EQUAL(s.rtbh6_table, "master6");
	CU_ASSERT_EQUAL(s.timeout_ms, 5000);
	xg_speaker_cfg_defaults(&s, XG_SPK_FRR);
	CU_ASSERT_STRING_EQUAL(s.program, "vtysh");
	CU_ASSERT_STRING_EQUAL(s.socket, "");
	CU_ASSERT_EQUAL(s.asn, 0);
	CU_ASSERT_FALSE(s.flowspec);
	CU_ASSERT_TRUE(s.rtbh);
	xg_speaker_cfg_defaults(&s, XG_SPK_WEBHOOK);
	CU_ASSERT_STRING_EQUAL(s.url, "");
	CU_ASSERT_TRUE(s.flowspec && s.rtbh);
	CU_ASSERT_EQUAL(s.timeout_ms, 5000);

	/* names */
	for (t = XG_SPK_EXABGP; t <= XG_SPK_WEBHOOK; t++)
		CU_ASSERT_EQUAL(xg_speaker_type_parse(xg_speaker_type_name(t)), t);
	CU_ASSERT_STRING_EQUAL(xg_speaker_type_name(XG_SPK_FRR), "frr");
	CU_ASSERT_EQUAL(xg_speaker_type_parse("bird2"), -1);
	CU_ASSERT_EQUAL(xg_speaker_type_parse(""), -1);
	CU_ASSERT_EQUAL(xg_speaker_type_parse(NULL), -1);
	for (l = XG_LVL_NONE; l < XG_LVL_MAX; l++) {
		if (names[l]) {
			CU_ASSERT_STRING_EQUAL(xg_bgp_level_name(l), names[l]);
		} else {
			CU_ASSERT_PTR_NULL(xg_bgp_level_name(l));
		}
	}
	CU_ASSERT_PTR_NULL(xg_bgp_level_name(XG_LVL_MAX));
	CU_ASSERT_PTR_NULL(xg_bgp_level_name(-1));
	free(c);
}

static const char bgp_full[] =
    "{\n"
    "  \"bgp\": {\n"
    "    \"enabled\": true,\n"
    "    \"dry_run\": false,\n"
    "    \"levels\": {\n"
    "      \"flowspec_ratelimit\": {\"enabled\": true, \"pps\": 200000, \"bps\": 0},\n"
    "      \"flowspec_discard\": {\"pps\": 400000, \"bps\": 1e9, \"dry_run\": true},\n"
    "      \"rtbh\": {\"enabled\": false},\n"
    "      \"scrub\": {\"enabled\": true, \"pps\": 2000000, \"bps\": 4.5e10}\n"
    "    },\n"
    "    \"step_down_ratio\": 0.25,\n"
    "    \"hold_down_s\": 120,\n"
    "    \"rate_limit_bps\": 1250000,\n"
    "    \"rule_ttl_s\": 300,\n"
    "    \"max_rules\": 50,\n"
    "    \"max_announce_per_min\": 10,\n"
    "    \"max_flowspec_sources\": 8,\n"
    "    \"communities\": [\"65535:666\", \"64512:100\", \"0:65535\"],\n"
    "    \"large_communities\": [\"4200000000:1:2\", \"64512:0:4294967295\"],\n"
    "    \"next_hop_v4\": \"198.51.100.1\",\n"
    "    \"next_hop_v6\": \"2001:DB8:0::1\",\n"
    "    \"rtbh_min_prefix_v4\": 24,\n"
    "    \"rtbh_min_prefix_v6\": 64,\n"
    "    \"allow_private\": true,\n"
    "    \"never_blackhole\": [\"203.0.113.0/24\", \"2001:db8:1::/48\"],\n"
    "    \"scrub\": {\"url\": \"https://scrub.example.net/api/divert\",\n"
    "              \"command\": [\"/usr/local/bin/divert\", \"--on\", \"edge 1\"]},\n"
    "    \"speakers\": [\n"
    "      {\"name\": \"exa\", \"type\": \"exabgp\"},\n"
    "      {\"name\": \"go-1\", \"type\": \"gobgp\", \"target\": \"[::1]:50051\",\n"
    "       \"program\": \"/usr/bin/gobgp\", \"timeout_ms\": 2000},\n"
    "      {\"name\": \"bird\", \"include\": \"/etc/bird/xdpguard.conf\", \"type\": \"bird\",\n"
    "       \"socket\": \"/run/bird.ctl\", \"program\": \"birdc2\", \"prefix\": \"xg\",\n"
    "       \"flow4_table\": \"fs4\", \"flow6_table\": \"fs6\", \"rtbh4_table\": \"t4\",\n"
    "       \"rtbh6_table\": \"t6\", \"families\": [\"flowspec\"]},\n"
    "      {\"name\": \"frr_1\", \"type\": \"frr\", \"asn\": 4294967295, \"socket\": "
    "\"/run/frr\",\n"
    "       \"families\": [\"rtbh\"]},\n"
    "      {\"name\": \"hook\", \"type\": \"webhook\", \"url\": \"http://10.0.0.9:8080/bgp\",\n"
    "       \"families\": [\"rtbh\", \"flowspec\"]}\n"
    "    ]\n"
    "  }\n"
    "}\n";

static void test_bgp_full(void)
{
	struct xg_cfg *c = malloc(sizeof(*c));
	const struct xg_speaker_cfg *s;
	const struct xg_bgp_cfg *b;
	char err[1024], buf[64];
	int ret;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	ret = xg_cfg_parse(c, bgp_full, "b.json", err, sizeof(err));
	if (ret)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_EQUAL_FATAL(ret, 0);
	b = &c->bgp;
	CU_ASSERT_TRUE(b->enabled);
	CU_ASSERT_FALSE(b->dry_run);
	CU_ASSERT_TRUE(b->level[XG_LVL_LOCAL].enabled);
	CU_ASSERT_TRUE(b->level[XG_LVL_FS_RATELIMIT].enabled);
	CU_ASSERT_DOUBLE_EQUAL(b->level[XG_LVL_FS_RATELIMIT].pps, 200000, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(b->level[XG_LVL_FS_RATELIMIT].bps, 0, 1e-9);
	CU_ASSERT_FALSE(b->level[XG_LVL_FS_RATELIMIT].dry_run);
	CU_ASSERT_TRUE(b->level[XG_LVL_FS_DISCARD].enabled); /* the default */
	CU_ASSERT_DOUBLE_EQUAL(b->level[XG_LVL_FS_DISCARD].pps, 400000, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(b->level[XG_LVL_FS_DISCARD].bps, 1e9, 1e-9);
	CU_ASSERT_TRUE(b->level[XG_LVL_FS_DISCARD].dry_run);
	CU_ASSERT_FALSE(b->level[XG_LVL_RTBH].enabled);
	CU_ASSERT_DOUBLE_EQUAL(b->level[XG_LVL_RTBH].pps, 5000000, 1e-9); /* the default */
	CU_ASSERT_TRUE(b->level[XG_LVL_SCRUB].enabled);
	CU_ASSERT_DOUBLE_EQUAL(b->level[XG_LVL_SCRUB].pps, 2000000, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(b->level[XG_LVL_SCRUB].bps, 4.5e10, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(b->step_down_ratio, 0.25, 1e-12);
	CU_ASSERT_EQUAL(b->hold_down_s, 120);
	CU_ASSERT_EQUAL(b->rate_limit_bps, 1250000);
	CU_ASSERT_EQUAL(b->rule_ttl_s, 300);
	CU_ASSERT_EQUAL(b->max_rules, 50);
	CU_ASSERT_EQUAL(b->max_announce_per_min, 10);
	CU_ASSERT_EQUAL(b->max_flowspec_sources, 8);
	/* 65535:666 is always sent: not kept in the list */
	CU_ASSERT_EQUAL_FATAL(b->n_comm, 2);
	CU_ASSERT_EQUAL(b->comm[0], 64512u << 16 | 100);
	CU_ASSERT_EQUAL(b->comm[1], 65535u);
	CU_ASSERT_EQUAL_FATAL(b->n_lcomm, 2);
	CU_ASSERT_EQUAL(b->lcomm[0].global, 4200000000u);
	CU_ASSERT_EQUAL(b->lcomm[0].local1, 1);
	CU_ASSERT_EQUAL(b->lcomm[0].local2, 2);
	CU_ASSERT_EQUAL(b->lcomm[1].global, 64512);
	CU_ASSERT_EQUAL(b->lcomm[1].local1, 0);
	CU_ASSERT_EQUAL(b->lcomm[1].local2, 4294967295u);
	CU_ASSERT_STRING_EQUAL(b->next_hop_v4, "198.51.100.1");
	CU_ASSERT_STRING_EQUAL(b->next_hop_v6, "2001:db8::1"); /* canonical */
	CU_ASSERT_EQUAL(b->rtbh_min_prefix_v4, 24);
	CU_ASSERT_EQUAL(b->rtbh_min_prefix_v6, 64);
	CU_ASSERT_TRUE(b->allow_private);
	CU_ASSERT_EQUAL_FATAL(b->n_never, 2);
	xg_cidr_format(&b->never_blackhole[1], buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "2001:db8:1::/48");
	CU_ASSERT_STRING_EQUAL(b->scrub_url, "https://scrub.example.net/api/divert");
	CU_ASSERT_EQUAL_FATAL(b->n_scrub_args, 3);
	CU_ASSERT_STRING_EQUAL(b->scrub_command[0], "/usr/local/bin/divert");
	CU_ASSERT_STRING_EQUAL(b->scrub_command[2], "edge 1");

	CU_ASSERT_EQUAL_FATAL(b->n_speakers, 5);
	s = b->speakers;
	CU_ASSERT_STRING_EQUAL(s[0].name, "exa");
	CU_ASSERT_EQUAL(s[0].type, XG_SPK_EXABGP);
	CU_ASSERT_STRING_EQUAL(s[0].socket, "");
	CU_ASSERT_EQUAL(s[0].timeout_ms, 5000);
	CU_ASSERT_TRUE(s[0].flowspec && s[0].rtbh);
	CU_ASSERT_EQUAL(s[1].type, XG_SPK_GOBGP);
	CU_ASSERT_STRING_EQUAL(s[1].name, "go-1");
	CU_ASSERT_STRING_EQUAL(s[1].target, "[::1]:50051");
	CU_ASSERT_STRING_EQUAL(s[1].program, "/usr/bin/gobgp");
	CU_ASSERT_EQUAL(s[1].timeout_ms, 2000);
	/* the type after another key: read first all the same */
	CU_ASSERT_EQUAL(s[2].type, XG_SPK_BIRD);
	CU_ASSERT_STRING_EQUAL(s[2].include, "/etc/bird/xdpguard.conf");
	CU_ASSERT_STRING_EQUAL(s[2].socket, "/run/bird.ctl");
	CU_ASSERT_STRING_EQUAL(s[2].program, "birdc2");
	CU_ASSERT_STRING_EQUAL(s[2].prefix, "xg");
	CU_ASSERT_STRING_EQUAL(s[2].flow4_table, "fs4");
	CU_ASSERT_STRING_EQUAL(s[2].flow6_table, "fs6");
	CU_ASSERT_STRING_EQUAL(s[2].rtbh4_table, "t4");
	CU_ASSERT_STRING_EQUAL(s[2].rtbh6_table, "t6");
	CU_ASSERT_TRUE(s[2].flowspec);
	CU_ASSERT_FALSE(s[2].rtbh);
	CU_ASSERT_EQUAL(s[3].type, XG_SPK_FRR);
	CU_ASSERT_EQUAL(s[3].asn, 4294967295u);
	CU_ASSERT_STRING_EQUAL(s[3].socket, "/run/frr");
	CU_ASSERT_STRING_EQUAL(s[3].program, "vtysh");
	CU_ASSERT_FALSE(s[3].flowspec);
	CU_ASSERT_TRUE(s[3].rtbh);
	CU_ASSERT_EQUAL(s[4].type, XG_SPK_WEBHOOK);
	CU_ASSERT_STRING_EQUAL(s[4].url, "http://10.0.0.9:8080/bgp");
	CU_ASSERT_TRUE(s[4].flowspec && s[4].rtbh);
	/* the rest keeps its defaults */
	CU_ASSERT_TRUE(c->mitigation.enabled);
	CU_ASSERT_EQUAL(c->tick_ms, 1000);

	/* Keys left out keep their defaults; an empty section is the
	 * defaults. */
	CU_ASSERT_EQUAL_FATAL(
	    xg_cfg_parse(c, "{\"bgp\": {\"hold_down_s\": 0, \"communities\": [\"65535:666\"]}}",
			 "b.json", err, sizeof(err)),
	    0);
	CU_ASSERT_EQUAL(c->bgp.hold_down_s, 0);
	CU_ASSERT_EQUAL(c->bgp.n_comm, 0);
	CU_ASSERT_EQUAL(c->bgp.max_rules, 200);
	CU_ASSERT_EQUAL(xg_cfg_parse(c, "{\"bgp\": {}}", "b.json", err, sizeof(err)), 0);
	CU_ASSERT_TRUE(is_default(c));

	/* Enabled without speakers is fine while every BGP level is dry-run
	 * or off, and with one speaker of each family the levels need. */
	CU_ASSERT_EQUAL(xg_cfg_parse(c, "{\"bgp\": {\"enabled\": true, \"dry_run\": true}}",
				     "b.json", err, sizeof(err)),
			0);
	CU_ASSERT_EQUAL(
	    xg_cfg_parse(c,
			 "{\"bgp\": {\"enabled\": true, \"levels\": {\"flowspec_ratelimit\": "
			 "{\"dry_run\": true}, \"flowspec_discard\": {\"enabled\": false}, "
			 "\"rtbh\": {\"dry_run\": true}}}}",
			 "b.json", err, sizeof(err)),
	    0);
	CU_ASSERT_EQUAL(
	    xg_cfg_parse(c,
			 "{\"bgp\": {\"enabled\": true, \"speakers\": [{\"name\": \"r\", "
			 "\"type\": \"frr\", \"asn\": 64512}, {\"name\": \"f\", "
			 "\"type\": \"gobgp\", \"families\": [\"flowspec\"]}]}}",
			 "b.json", err, sizeof(err)),
	    0);
	/* a threshold of 0 leaves that measure out of the order check */
	CU_ASSERT_EQUAL(
	    xg_cfg_parse(
		c,
		"{\"bgp\": {\"levels\": {\"flowspec_ratelimit\": {\"pps\": 0, \"bps\": 1e9}, "
		"\"flowspec_discard\": {\"pps\": 100}, \"scrub\": {\"enabled\": false, "
		"\"pps\": 0, \"bps\": 0}}}}",
		"b.json", err, sizeof(err)),
	    0);
	CU_ASSERT_DOUBLE_EQUAL(c->bgp.level[XG_LVL_FS_DISCARD].pps, 100, 1e-9);
	free(c);
}

static void test_bgp_bad_values(void)
{
	static const struct bad v[] = {
	    {"{\"bgp\": {\n\"enable\": true}}",
	     "t.json:2: bgp.enable: unknown key (known: enabled, dry_run, levels, step_down_ratio, "
	     "hold_down_s, rate_limit_bps, rule_ttl_s, max_rules, max_announce_per_min, "
	     "max_flowspec_sources, communities, large_communities, next_hop_v4, next_hop_v6, "
	     "rtbh_min_prefix_v4, rtbh_min_prefix_v6, allow_private, never_blackhole, scrub, "
	     "speakers)"},
	    {"{\"bgp\": []}", "t.json:1: bgp: must be an object, got an array"},
	    {"{\"bgp\": {\"enabled\": \"yes\"}}",
	     "t.json:1: bgp.enabled: must be true or false, got \"yes\""},
	    {"{\"bgp\": {\"allow_private\": 1}}",
	     "t.json:1: bgp.allow_private: must be true or false, got 1"},
	    {"{\"bgp\": {\"step_down_ratio\": 1}}",
	     "t.json:1: bgp.step_down_ratio: must be a number over 0 and under 1, got 1"},
	    {"{\"bgp\": {\"step_down_ratio\": 0}}",
	     "t.json:1: bgp.step_down_ratio: must be a number over 0 and under 1, got 0"},
	    {"{\"bgp\": {\"hold_down_s\": 86401}}",
	     "t.json:1: bgp.hold_down_s: must be an integer 0-86400, got 86401"},
	    {"{\"bgp\": {\"rate_limit_bps\": 0}}",
	     "t.json:1: bgp.rate_limit_bps: must be an integer 1-1000000000000, got 0"},
	    {"{\"bgp\": {\"rule_ttl_s\": 9}}",
	     "t.json:1: bgp.rule_ttl_s: must be an integer 10-604800, got 9"},
	    {"{\"bgp\": {\"max_rules\": 10001}}",
	     "t.json:1: bgp.max_rules: must be an integer 1-10000, got 10001"},
	    {"{\"bgp\": {\"max_announce_per_min\": 0}}",
	     "t.json:1: bgp.max_announce_per_min: must be an integer 1-100000, got 0"},
	    {"{\"bgp\": {\"max_flowspec_sources\": 257}}",
	     "t.json:1: bgp.max_flowspec_sources: must be an integer 1-256, got 257"},
	    {"{\"bgp\": {\"rtbh_min_prefix_v4\": 7}}",
	     "t.json:1: bgp.rtbh_min_prefix_v4: must be an integer 8-32, got 7"},
	    {"{\"bgp\": {\"rtbh_min_prefix_v6\": 129}}",
	     "t.json:1: bgp.rtbh_min_prefix_v6: must be an integer 16-128, got 129"},
	    /* next hops */
	    {"{\"bgp\": {\n\"next_hop_v4\": \"2001:db8::1\"}}",
	     "t.json:2: bgp.next_hop_v4: must be an IPv4 address, got \"2001:db8::1\""},
	    {"{\"bgp\": {\"next_hop_v4\": \"192.0.2.1/32\"}}",
	     "t.json:1: bgp.next_hop_v4: must be an IPv4 address, got \"192.0.2.1/32\""},
	    {"{\"bgp\": {\"next_hop_v6\": \"192.0.2.1\"}}",
	     "t.json:1: bgp.next_hop_v6: must be an IPv6 address, got \"192.0.2.1\""},
	    /* communities */
	    {"{\"bgp\": {\"communities\": [\"1:2\",\n\"65536:1\"]}}",
	     "t.json:2: bgp.communities[1]: must be a community \"A:B\" (A and B 0-65535), got "
	     "\"65536:1\""},
	    {"{\"bgp\": {\"communities\": [\"1:2:3\"]}}",
	     "t.json:1: bgp.communities[0]: must be a community \"A:B\" (A and B 0-65535), got "
	     "\"1:2:3\""},
	    {"{\"bgp\": {\"communities\": [\"1:\"]}}",
	     "t.json:1: bgp.communities[0]: must be a community \"A:B\" (A and B 0-65535), got "
	     "\"1:\""},
	    {"{\"bgp\": {\"communities\": [\"+1:2\"]}}",
	     "t.json:1: bgp.communities[0]: must be a community \"A:B\" (A and B 0-65535), got "
	     "\"+1:2\""},
	    {"{\"bgp\": {\"communities\": \"1:2\"}}",
	     "t.json:1: bgp.communities: must be an array of communities \"A:B\", got \"1:2\""},
	    {"{\"bgp\": {\"communities\": [\"1:2\", \"65535:666\",\n\"1:2\"]}}",
	     "t.json:2: bgp.communities[2]: duplicate community 1:2"},
	    {"{\"bgp\": {\n\"communities\": [\"1:1\", \"1:2\", \"1:3\", \"1:4\", \"1:5\", \"1:6\", "
	     "\"1:7\", \"1:8\"]}}",
	     "t.json:2: bgp.communities: at most 7 communities besides 65535:666 (always sent)"},
	    {"{\"bgp\": {\"large_communities\": [\"1:2\"]}}",
	     "t.json:1: bgp.large_communities[0]: must be a large community \"G:L1:L2\" (each "
	     "0-4294967295), got \"1:2\""},
	    {"{\"bgp\": {\"large_communities\": [\"4294967296:1:1\"]}}",
	     "t.json:1: bgp.large_communities[0]: must be a large community \"G:L1:L2\" (each "
	     "0-4294967295), got \"4294967296:1:1\""},
	    {"{\"bgp\": {\"large_communities\": [\"1:2:3\",\n\"1:2:3\"]}}",
	     "t.json:2: bgp.large_communities[1]: duplicate large community 1:2:3"},
	    {"{\"bgp\": {\n\"large_communities\": [\"1:1:1\", \"1:1:2\", \"1:1:3\", \"1:1:4\", "
	     "\"1:1:5\"]}}",
	     "t.json:2: bgp.large_communities: at most 4 large communities, got 5"},
	    /* never_blackhole */
	    {"{\"bgp\": {\"never_blackhole\": [\"10.0.0.0/8\",\n\"10.1.2.3/24\"]}}",
	     "t.json:2: bgp.never_blackhole[1]: invalid CIDR: '10.1.2.3/24' has host bits set "
	     "(did you mean 10.1.2.0/24?)"},
	    {"{\"bgp\": {\"never_blackhole\": \"10.0.0.0/8\"}}",
	     "t.json:1: bgp.never_blackhole: must be an array of CIDR strings, got "
	     "\"10.0.0.0/8\""},
	    /* scrub */
	    {"{\"bgp\": {\"scrub\": {\n\"url\": \"ftp://scrub.example.net\"}}}",
	     "t.json:2: bgp.scrub.url: must be an http:// or https:// URL (or \"\")"},
	    {"{\"bgp\": {\"scrub\": {\"command\": [\"divert\", \"-x\"]}}}",
	     "t.json:1: bgp.scrub.command[0]: must be an absolute path (the program), got "
	     "\"divert\""},
	    {"{\"bgp\": {\"scrub\": {\"command\": [\"/bin/divert\",\n\"\"]}}}",
	     "t.json:2: bgp.scrub.command[1]: an empty word"},
	    {"{\"bgp\": {\"scrub\": {\"command\": [\"/bin/divert\", \"a\\nb\"]}}}",
	     "t.json:1: bgp.scrub.command[1]: contains a control character"},
	    {"{\"bgp\": {\"scrub\": {\"command\": [\"/bin/divert\", 1]}}}",
	     "t.json:1: bgp.scrub.command[1]: must be a string"},
	    {"{\"bgp\": {\"scrub\": {\n\"cmd\": []}}}",
	     "t.json:2: bgp.scrub.cmd: unknown key (known: url, command)"},
	};

	check_bad(v, sizeof(v) / sizeof(v[0]));
}

static void test_bgp_bad_levels(void)
{
	static const struct bad v[] = {
	    {"{\"bgp\": {\"levels\": {\n\"local\": {\"enabled\": false}}}}",
	     "t.json:2: bgp.levels.local: not configurable: level 1, the XDP drop on the node, "
	     "is always on"},
	    {"{\"bgp\": {\"levels\": {\n\"blackhole\": {}}}}",
	     "t.json:2: bgp.levels.blackhole: unknown level (known: flowspec_ratelimit, "
	     "flowspec_discard, rtbh, scrub)"},
	    {"{\"bgp\": {\"levels\": {\"rtbh\": {\n\"threshold\": 1}}}}",
	     "t.json:2: bgp.levels.rtbh.threshold: unknown key (known: enabled, pps, bps, "
	     "dry_run)"},
	    {"{\"bgp\": {\"levels\": {\"rtbh\": 5}}}",
	     "t.json:1: bgp.levels.rtbh: must be an object, got 5"},
	    {"{\"bgp\": {\"levels\": {\"rtbh\": {\"pps\": -1}}}}",
	     "t.json:1: bgp.levels.rtbh.pps: must be a number 0-1e15, got -1"},
	    {"{\"bgp\": {\"levels\": {\"scrub\": {\"bps\": \"1G\"}}}}",
	     "t.json:1: bgp.levels.scrub.bps: must be a number 0-1e15, got \"1G\""},
	    {"{\"bgp\": {\"levels\": {\"flowspec_ratelimit\": {\"dry_run\": null}}}}",
	     "t.json:1: bgp.levels.flowspec_ratelimit.dry_run: must be true or false, got null"},
	    /* on with no threshold */
	    {"{\"bgp\": {\"levels\": {\n\"flowspec_discard\": {\"pps\": 0, \"bps\": 0}}}}",
	     "t.json:2: bgp.levels.flowspec_discard: enabled with pps and bps both 0: give a "
	     "threshold, or \"enabled\": false"},
	    /* thresholds must not fall with the level: the key the file sets
	     * is blamed, the higher one when it sets both */
	    {"{\"bgp\": {\"levels\": {\"flowspec_ratelimit\": {\"pps\": 300000},\n"
	     "\"flowspec_discard\": {\"pps\": 200000}}}}",
	     "t.json:2: bgp.levels.flowspec_discard.pps: must be at least flowspec_ratelimit.pps "
	     "(300000), got 200000"},
	    {"{\"bgp\": {\"levels\": {\n\"flowspec_ratelimit\": {\"bps\": 6e9}}}}",
	     "t.json:2: bgp.levels.flowspec_ratelimit.bps: must be at most flowspec_discard.bps "
	     "(5000000000), got 6000000000"},
	    {"{\"bgp\": {\"levels\": {\n\"rtbh\": {\"pps\": 400000}}}}",
	     "t.json:2: bgp.levels.rtbh.pps: must be at least flowspec_ratelimit.pps (500000), "
	     "got 400000"},
	    /* a level that is off is not compared */
	    {"{\"bgp\": {\"levels\": {\"flowspec_discard\": {\"enabled\": false},\n"
	     "\"scrub\": {\"enabled\": true, \"bps\": 1e9}}}}",
	     "t.json:2: bgp.levels.scrub.bps: must be at least flowspec_ratelimit.bps "
	     "(2000000000), got 1000000000"},
	    /* scrubbing needs a trigger */
	    {"{\"bgp\": {\"levels\": {\"scrub\": {\n\"enabled\": true}}}}",
	     "t.json:2: bgp.levels.scrub.enabled: the scrub level needs scrub.url or "
	     "scrub.command"},
	    {"{\"bgp\": {\"levels\": {\"scrub\": {\"enabled\": true}},\n"
	     "\"scrub\": {\"url\": \"\", \"command\": []}}}",
	     "t.json:1: bgp.levels.scrub.enabled: the scrub level needs scrub.url or "
	     "scrub.command"},
	    /* enabled: somewhere to announce */
	    {"{\"bgp\": {\n\"enabled\": true}}",
	     "t.json:2: bgp.enabled: needs at least one speaker in speakers (or every level off "
	     "or dry-run)"},
	    {"{\"bgp\": {\n\"enabled\": true, \"speakers\": [],\n"
	     "\"levels\": {\"flowspec_ratelimit\": {\"dry_run\": true}}}}",
	     "t.json:2: bgp.enabled: needs at least one speaker in speakers (or every level off "
	     "or dry-run)"},
	    {"{\"bgp\": {\"enabled\": true,\n\"speakers\": [{\"name\": \"r\", \"type\": \"frr\", "
	     "\"asn\": 1}]}}",
	     "t.json:2: bgp.speakers: no speaker carries flowspec, which level "
	     "flowspec_ratelimit announces (add the family to a speaker, or make the level off "
	     "or dry-run)"},
	    {"{\"bgp\": {\"enabled\": true,\n\"speakers\": [{\"name\": \"g\", \"type\": \"gobgp\", "
	     "\"families\": [\"flowspec\"]}]}}",
	     "t.json:2: bgp.speakers: no speaker carries rtbh, which level rtbh announces (add "
	     "the family to a speaker, or make the level off or dry-run)"},
	};

	check_bad(v, sizeof(v) / sizeof(v[0]));
}

static void test_bgp_bad_speakers(void)
{
	static const struct bad v[] = {
	    {"{\"bgp\": {\"speakers\": [\n{\"name\": \"a\"}]}}",
	     "t.json:2: bgp.speakers[0]: a speaker needs a \"type\" (exabgp, gobgp, bird, frr, "
	     "webhook)"},
	    {"{\"bgp\": {\"speakers\": [{\"name\": \"a\",\n\"type\": \"quagga\"}]}}",
	     "t.json:2: bgp.speakers[0].type: must be one of exabgp, gobgp, bird, frr, webhook, "
	     "got \"quagga\""},
	    {"{\"bgp\": {\"speakers\": [\n{\"type\": \"exabgp\"}]}}",
	     "t.json:2: bgp.speakers[0]: a speaker needs a \"name\""},
	    {"{\"bgp\": {\"speakers\": [{\"type\": \"exabgp\",\n\"name\": \"Edge 1\"}]}}",
	     "t.json:2: bgp.speakers[0].name: must be 1-31 characters a-z 0-9 _ -, got \"Edge "
	     "1\""},
	    {"{\"bgp\": {\"speakers\": [{\"type\": \"exabgp\", \"name\": "
	     "\"abcdefghijabcdefghijabcdefghijab\"}]}}",
	     "t.json:1: bgp.speakers[0].name: must be 1-31 characters a-z 0-9 _ -, got "
	     "\"abcdefghijabcdefghijabcdefghijab\""},
	    {"{\"bgp\": {\"speakers\": [{\"type\": \"exabgp\", \"name\": \"a\"},\n"
	     "{\"type\": \"webhook\", \"url\": \"https://h\",\n\"name\": \"a\"}]}}",
	     "t.json:3: bgp.speakers[1].name: duplicate speaker name \"a\" (also "
	     "bgp.speakers[0])"},
	    /* keys of another type, or of none */
	    {"{\"bgp\": {\"speakers\": [{\"name\": \"g\", \"type\": \"gobgp\",\n"
	     "\"socket\": \"/run/gobgp.sock\"}]}}",
	     "t.json:2: bgp.speakers[0].socket: not a key of a gobgp speaker (known: name, type, "
	     "target, program, timeout_ms, families)"},
	    {"{\"bgp\": {\"speakers\": [{\"name\": \"e\", \"program\": \"x\",\n"
	     "\"type\": \"exabgp\"}]}}",
	     "t.json:1: bgp.speakers[0].program: not a key of an exabgp speaker (known: name, "
	     "type, socket, timeout_ms, families)"},
	    {"{\"bgp\": {\"speakers\": [{\"name\": \"w\", \"type\": \"webhook\", \"url\": "
	     "\"https://h\",\n\"secret\": \"x\"}]}}",
	     "t.json:2: bgp.speakers[0].secret: unknown key (known: name, type, url, timeout_ms, "
	     "families)"},
	    /* required keys */
	    {"{\"bgp\": {\"speakers\": [\n{\"name\": \"b\", \"type\": \"bird\"}]}}",
	     "t.json:2: bgp.speakers[0]: a bird speaker needs \"include\""},
	    {"{\"bgp\": {\"speakers\": [\n{\"name\": \"r\", \"type\": \"frr\"}]}}",
	     "t.json:2: bgp.speakers[0]: an frr speaker needs \"asn\""},
	    {"{\"bgp\": {\"speakers\": [\n{\"name\": \"w\", \"type\": \"webhook\", \"url\": "
	     "\"\"}]}}",
	     "t.json:2: bgp.speakers[0]: a webhook speaker needs \"url\""},
	    /* values */
	    {"{\"bgp\": {\"speakers\": [{\"name\": \"b\", \"type\": \"bird\",\n"
	     "\"include\": \"xdpguard.conf\"}]}}",
	     "t.json:2: bgp.speakers[0].include: must be an absolute path, got \"xdpguard.conf\""},
	    {"{\"bgp\": {\"speakers\": [{\"name\": \"b\", \"type\": \"bird\", \"include\": "
	     "\"/x\",\n"
	     "\"socket\": \"\"}]}}",
	     "t.json:2: bgp.speakers[0].socket: must be an absolute path, got \"\""},
	    {"{\"bgp\": {\"speakers\": [{\"name\": \"e\", \"type\": \"exabgp\",\n"
	     "\"socket\": \"run/x.sock\"}]}}",
	     "t.json:2: bgp.speakers[0].socket: must be an absolute path (or \"\"), got "
	     "\"run/x.sock\""},
	    {"{\"bgp\": {\"speakers\": [{\"name\": \"g\", \"type\": \"gobgp\",\n"
	     "\"target\": \"localhost\"}]}}",
	     "t.json:2: bgp.speakers[0].target: must be \"HOST:PORT\" (port 1-65535, an IPv6 host "
	     "in [ ]), got \"localhost\""},
	    {"{\"bgp\": {\"speakers\": [{\"name\": \"g\", \"type\": \"gobgp\", \"target\": "
	     "\"::1:50051\"}]}}",
	     "t.json:1: bgp.speakers[0].target: must be \"HOST:PORT\" (port 1-65535, an IPv6 host "
	     "in [ ]), got \"::1:50051\""},
	    {"{\"bgp\": {\"speakers\": [{\"name\": \"g\", \"type\": \"gobgp\", \"program\": "
	     "\"bin/gobgp\"}]}}",
	     "t.json:1: bgp.speakers[0].program: must be an absolute path or a program name "
	     "(letters, digits, . _ + -, not starting with -), got \"bin/gobgp\""},
	    {"{\"bgp\": {\"speakers\": [{\"name\": \"w\", \"type\": \"webhook\",\n"
	     "\"url\": \"hooks.example.net/bgp?token=s3cret\"}]}}",
	     "t.json:2: bgp.speakers[0].url: must be an http:// or https:// URL"},
	    {"{\"bgp\": {\"speakers\": [{\"name\": \"b\", \"type\": \"bird\", \"include\": "
	     "\"/x\",\n"
	     "\"flow4_table\": \"4flow\"}]}}",
	     "t.json:2: bgp.speakers[0].flow4_table: must be a BIRD name (a letter or _, then "
	     "letters, digits and _), got \"4flow\""},
	    {"{\"bgp\": {\"speakers\": [{\"name\": \"r\", \"type\": \"frr\", \"asn\": 0}]}}",
	     "t.json:1: bgp.speakers[0].asn: must be an integer 1-4294967295, got 0"},
	    {"{\"bgp\": {\"speakers\": [{\"name\": \"r\", \"type\": \"frr\", \"asn\": "
	     "4294967296}]}}",
	     "t.json:1: bgp.speakers[0].asn: must be an integer 1-4294967295, got 4294967296"},
	    {"{\"bgp\": {\"speakers\": [{\"name\": \"e\", \"type\": \"exabgp\", \"timeout_ms\": "
	     "50}]}}",
	     "t.json:1: bgp.speakers[0].timeout_ms: must be an integer 100-120000, got 50"},
	    /* families */
	    {"{\"bgp\": {\"speakers\": [{\"name\": \"r\", \"type\": \"frr\", \"asn\": 1,\n"
	     "\"families\": [\"rtbh\", \"flowspec\"]}]}}",
	     "t.json:2: bgp.speakers[0].families[1]: frr cannot originate FlowSpec: an frr "
	     "speaker carries \"rtbh\" only"},
	    {"{\"bgp\": {\"speakers\": [{\"name\": \"e\", \"type\": \"exabgp\",\n"
	     "\"families\": [\"rtbh\", \"rtbh\"]}]}}",
	     "t.json:2: bgp.speakers[0].families[1]: duplicate family \"rtbh\""},
	    {"{\"bgp\": {\"speakers\": [{\"name\": \"e\", \"type\": \"exabgp\",\n"
	     "\"families\": []}]}}",
	     "t.json:2: bgp.speakers[0].families: at least one of \"flowspec\", \"rtbh\""},
	    {"{\"bgp\": {\"speakers\": [{\"name\": \"e\", \"type\": \"exabgp\", \"families\": "
	     "[\"vpn\"]}]}}",
	     "t.json:1: bgp.speakers[0].families[0]: must be one of flowspec, rtbh, got \"vpn\""},
	    {"{\"bgp\": {\"speakers\": {}}}",
	     "t.json:1: bgp.speakers: must be an array of speakers, got an object"},
	};

	check_bad(v, sizeof(v) / sizeof(v[0]));
}

/* Limits: one over each is refused with the limit in the message. */
static void test_bgp_limits(void)
{
	char text[8192], head[256], want[256];
	const struct bad v = {text, want};

	repeat(text, sizeof(text), "{\"bgp\": {\n\"speakers\": [",
	       "{\"name\": \"s%d\", \"type\": \"exabgp\"}", ", ", XG_BGP_SPEAKERS_MAX + 1, "]}}");
	snprintf(want, sizeof(want), "t.json:2: bgp.speakers: at most %d speakers, got %d",
		 XG_BGP_SPEAKERS_MAX, XG_BGP_SPEAKERS_MAX + 1);
	check_bad(&v, 1);

	repeat(text, sizeof(text), "{\"bgp\": {\n\"never_blackhole\": [", "\"10.0.%d.0/24\"", ", ",
	       XG_BGP_NEVER_MAX + 1, "]}}");
	snprintf(want, sizeof(want), "t.json:2: bgp.never_blackhole: at most %d entries, got %d",
		 XG_BGP_NEVER_MAX, XG_BGP_NEVER_MAX + 1);
	check_bad(&v, 1);

	repeat(text, sizeof(text), "{\"bgp\": {\"scrub\": {\n\"command\": [\"/bin/x\", ", "\"%d\"",
	       ", ", XG_BGP_ARGS_MAX, "]}}}");
	snprintf(want, sizeof(want), "t.json:2: bgp.scrub.command: at most %d words, got %d",
		 XG_BGP_ARGS_MAX, XG_BGP_ARGS_MAX + 1);
	check_bad(&v, 1);

	/* a word one byte too long for its buffer */
	repeat(text, sizeof(text), "{\"bgp\": {\"scrub\": {\"command\": [\"/", "x", "",
	       XG_BGP_PATH_MAX - 1, "\"]}}}");
	snprintf(want, sizeof(want), "t.json:1: bgp.scrub.command[0]: longer than %d characters",
		 XG_BGP_PATH_MAX - 1);
	check_bad(&v, 1);

	/* a socket path that does not fit sun_path */
	snprintf(head, sizeof(head),
		 "{\"bgp\": {\"speakers\": [{\"name\": \"e\", \"type\": \"exabgp\",\n"
		 "\"socket\": \"/");
	repeat(text, sizeof(text), head, "s", "", 107, "\"}]}}");
	snprintf(want, sizeof(want),
		 "t.json:2: bgp.speakers[0].socket: longer than 107 characters (a socket path)");
	check_bad(&v, 1);
	/* ... and one that does */
	repeat(text, sizeof(text), head, "s", "", 106, "\"}]}}");
	{
		struct xg_cfg *c = malloc(sizeof(*c));
		char err[512];

		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		CU_ASSERT_EQUAL(xg_cfg_parse(c, text, "t.json", err, sizeof(err)), 0);
		free(c);
	}
}

/* config show: every key, the speakers' keys per type, and the output
 * reads back to the same configuration. */
static void test_bgp_show(void)
{
	static const char *const keys[] = {
	    "enabled",
	    "dry_run",
	    "levels",
	    "step_down_ratio",
	    "hold_down_s",
	    "rate_limit_bps",
	    "rule_ttl_s",
	    "max_rules",
	    "max_announce_per_min",
	    "max_flowspec_sources",
	    "communities",
	    "large_communities",
	    "next_hop_v4",
	    "next_hop_v6",
	    "rtbh_min_prefix_v4",
	    "rtbh_min_prefix_v6",
	    "allow_private",
	    "never_blackhole",
	    "scrub",
	    "speakers",
	};
	static const int n_keys[] = {5, 6, 12, 7, 5}; /* per speaker of bgp_full */
	struct xg_cfg *c = malloc(sizeof(*c)), *back = malloc(sizeof(*back));
	struct json_object *o, *bo, *x, *y;
	char err[1024], *a, *b;
	size_t i = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	CU_ASSERT_EQUAL_FATAL(xg_cfg_parse(c, bgp_full, "b.json", err, sizeof(err)), 0);
	o = xg_cfg_to_json(c);
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(o, "bgp", &bo));
	CU_ASSERT_EQUAL(json_object_object_length(bo), sizeof(keys) / sizeof(keys[0]));
	json_object_object_foreach (bo, key, val) {
		(void)val;
		CU_ASSERT_FATAL(i < sizeof(keys) / sizeof(keys[0]));
		CU_ASSERT_STRING_EQUAL(key, keys[i]);
		i++;
	}
	/* levels 2-5, never "local" */
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(bo, "levels", &x));
	CU_ASSERT_EQUAL(json_object_object_length(x), 4);
	CU_ASSERT_FALSE(json_object_object_get_ex(x, "local", NULL));
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(x, "scrub", &y));
	CU_ASSERT_EQUAL(json_object_object_length(y), 4);
	CU_ASSERT_STRING_EQUAL(json_object_to_json_string_ext(y, JSON_C_TO_STRING_PLAIN),
			       "{\"enabled\":true,\"pps\":2000000,\"bps\":45000000000,"
			       "\"dry_run\":false}");
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(bo, "communities", &x));
	CU_ASSERT_STRING_EQUAL(json_object_to_json_string_ext(x, JSON_C_TO_STRING_PLAIN),
			       "[\"64512:100\",\"0:65535\"]");
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(bo, "large_communities", &x));
	CU_ASSERT_STRING_EQUAL(json_object_to_json_string_ext(x, JSON_C_TO_STRING_PLAIN),
			       "[\"4200000000:1:2\",\"64512:0:4294967295\"]");
	CU_ASSERT_TRUE(json_has(bo, "next_hop_v6", "2001:db8::1"));
	CU_ASSERT_TRUE(json_has(bo, "step_down_ratio", "0.25"));
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(bo, "speakers", &x));
	CU_ASSERT_EQUAL_FATAL(json_object_array_length(x), 5);
	for (i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(json_object_object_length(json_object_array_get_idx(x, i)),
				n_keys[i]);
	y = json_object_array_get_idx(x, 3);
	CU_ASSERT_STRING_EQUAL(json_object_to_json_string_ext(
				   y, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
			       "{\"name\":\"frr_1\",\"type\":\"frr\",\"socket\":\"/run/frr\","
			       "\"program\":\"vtysh\",\"asn\":4294967295,\"timeout_ms\":5000,"
			       "\"families\":[\"rtbh\"]}");
	/* the last section */
	{
		const char *last = NULL;

		json_object_object_foreach (o, key, val) {
			(void)val;
			last = key;
		}
		CU_ASSERT_STRING_EQUAL(last, "http");
	}
	json_object_put(o);

	a = cfg_text(c);
	CU_ASSERT_EQUAL_FATAL(xg_cfg_parse(back, a, "shown.json", err, sizeof(err)), 0);
	b = cfg_text(back);
	CU_ASSERT_STRING_EQUAL(a, b);
	CU_ASSERT_EQUAL(memcmp(back->bgp.speakers, c->bgp.speakers, sizeof(c->bgp.speakers)), 0);
	CU_ASSERT_EQUAL(memcmp(back->bgp.comm, c->bgp.comm, sizeof(c->bgp.comm)), 0);
	CU_ASSERT_EQUAL(back->bgp.n_comm, 2);
	CU_ASSERT_DOUBLE_EQUAL(back->bgp.level[XG_LVL_SCRUB].bps, 4.5e10, 1e-9);
	free(a);
	free(b);

	/* URLs are shown with their credentials masked, and still read back. */
	CU_ASSERT_EQUAL_FATAL(
	    xg_cfg_parse(
		c,
		"{\"bgp\": {\"scrub\": {\"url\": \"https://u:pw-s3cret@scrub.example.net/x\"}, "
		"\"speakers\": [{\"name\": \"w\", \"type\": \"webhook\", \"url\": "
		"\"https://h.example.net/bgp?token=t0ken-xyz\"}]}}",
		"b.json", err, sizeof(err)),
	    0);
	a = cfg_text(c);
	CU_ASSERT_PTR_NULL(strstr(a, "pw-s3cret"));
	CU_ASSERT_PTR_NULL(strstr(a, "t0ken-xyz"));
	CU_ASSERT_EQUAL(xg_cfg_parse(back, a, "shown.json", err, sizeof(err)), 0);
	free(a);

	/* The defaults read back too. */
	xg_cfg_defaults(c);
	a = cfg_text(c);
	CU_ASSERT_EQUAL(xg_cfg_parse(back, a, "shown.json", err, sizeof(err)), 0);
	CU_ASSERT_TRUE(is_default(back));
	free(a);
	free(c);
	free(back);
}

/* config/xdpguard.json (the tests run from the top of the tree) is valid
 * and sets every key at its default. */
static void test_example_file(void)
{
	struct xg_cfg c;
	char err[1024];

	CU_ASSERT_EQUAL(xg_cfg_load(&c, "config/xdpguard.json", err, sizeof(err)), 0);
	CU_ASSERT_TRUE(is_default(&c));
}

/* ---- http ---- */

#define HTTP_TOKEN "s3cr3t-T0ken_abc.def~ghi+jk/lm=="

static void test_http_full(void)
{
	struct xg_cfg c;
	char err[512];

	CU_ASSERT_EQUAL_FATAL(
	    xg_cfg_parse(&c,
			 "{\"http\": {\"enabled\": false, \"bind\": \"2001:DB8:0::1\", "
			 "\"port\": 65535, \"token\": \"" HTTP_TOKEN "\", \"read_auth\": true, "
			 "\"top_ports\": 64, \"status_page\": {\"enabled\": false, "
			 "\"redact\": false, \"title\": \"Voice platform status\"}}}",
			 "h.json", err, sizeof(err)),
	    0);
	CU_ASSERT_FALSE(c.http.enabled);
	CU_ASSERT_STRING_EQUAL(c.http.bind, "2001:db8::1"); /* canonical */
	CU_ASSERT_EQUAL(c.http.port, 65535);
	CU_ASSERT_STRING_EQUAL(c.http.token, HTTP_TOKEN);
	CU_ASSERT_TRUE(c.http.read_auth);
	CU_ASSERT_EQUAL(c.http.top_ports, 64);
	CU_ASSERT_FALSE(c.http.status_page);
	CU_ASSERT_FALSE(c.http.status_redact);
	CU_ASSERT_STRING_EQUAL(c.http.status_title, "Voice platform status");

	/* the other end of each range; a key left out keeps its default */
	CU_ASSERT_EQUAL_FATAL(
	    xg_cfg_parse(&c,
			 "{\"http\": {\"bind\": \"0.0.0.0\", \"port\": 1, "
			 "\"top_ports\": 0, \"token\": \"\", \"status_page\": {}}}",
			 "h.json", err, sizeof(err)),
	    0);
	CU_ASSERT_STRING_EQUAL(c.http.bind, "0.0.0.0");
	CU_ASSERT_EQUAL(c.http.port, 1);
	CU_ASSERT_EQUAL(c.http.top_ports, 0);
	CU_ASSERT_TRUE(c.http.enabled);
	CU_ASSERT_TRUE(c.http.status_redact);
	CU_ASSERT_EQUAL(
	    xg_cfg_parse(&c, "{\"http\": {\"bind\": \"::\"}}", "h.json", err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(c.http.bind, "::");
	CU_ASSERT_EQUAL(xg_cfg_parse(&c, "{\"http\": {}}", "h.json", err, sizeof(err)), 0);
	CU_ASSERT_TRUE(is_default(&c));
}

static void test_http_bad(void)
{
	static const struct bad v[] = {
	    {"{\"http\": {\n\"enabled\": 1}}",
	     "t.json:2: http.enabled: must be true or false, got 1"},
	    {"{\"http\": {\n\"bind\": \"localhost\"}}",
	     "t.json:2: http.bind: must be an IPv4 or IPv6 address, got \"localhost\""},
	    {"{\"http\": {\"bind\": \"10.0.0.0/8\"}}",
	     "t.json:1: http.bind: must be an IPv4 or IPv6 address, got \"10.0.0.0/8\""},
	    {"{\"http\": {\"bind\": \"::1%lo\"}}",
	     "t.json:1: http.bind: must be an IPv4 or IPv6 address, got \"::1%lo\""},
	    {"{\"http\": {\"bind\": 127}}",
	     "t.json:1: http.bind: must be an IPv4 or IPv6 address, got 127"},
	    {"{\"http\": {\n\"port\": 0}}",
	     "t.json:2: http.port: must be an integer 1-65535, got 0"},
	    {"{\"http\": {\"port\": 65536}}",
	     "t.json:1: http.port: must be an integer 1-65535, got 65536"},
	    {"{\"http\": {\"port\": \"9477\"}}",
	     "t.json:1: http.port: must be an integer 1-65535, got \"9477\""},
	    {"{\"http\": {\"top_ports\": 65}}",
	     "t.json:1: http.top_ports: must be an integer 0-64, got 65"},
	    /* a token is never shown, right or wrong */
	    {"{\"http\": {\n\"token\": \"short-token\"}}",
	     "t.json:2: http.token: must be \"\" or 16-127 characters of A-Z a-z 0-9 - . _ ~ + / "
	     "(and = at the end)"},
	    {"{\"http\": {\"token\": \"has a space in it, 0123456789\"}}",
	     "t.json:1: http.token: must be \"\" or 16-127 characters of A-Z a-z 0-9 - . _ ~ + / "
	     "(and = at the end)"},
	    {"{\"http\": {\"token\": \"0123456789=abcdef0123\"}}",
	     "t.json:1: http.token: must be \"\" or 16-127 characters of A-Z a-z 0-9 - . _ ~ + / "
	     "(and = at the end)"},
	    {"{\"http\": {\"token\": \"***\"}}",
	     "t.json:1: http.token: must be \"\" or 16-127 characters of A-Z a-z 0-9 - . _ ~ + / "
	     "(and = at the end)"},
	    {"{\"http\": {\"token\": 12345678901234567}}",
	     "t.json:1: http.token: must be a string"},
	    {"{\"http\": {\n\"read_auth\": true}}", "t.json:2: http.read_auth: needs http.token"},
	    {"{\"http\": {\"status_page\": {\n\"title\": \"a\\nb\"}}}",
	     "t.json:2: http.status_page.title: contains a control character"},
	    {"{\"http\": {\"status_page\": {\"redact\": \"no\"}}}",
	     "t.json:1: http.status_page.redact: must be true or false, got \"no\""},
	    {"{\"http\": {\"status_page\": true}}",
	     "t.json:1: http.status_page: must be an object, got true"},
	    {"{\"http\": {\"status_page\": {\n\"theme\": \"dark\"}}}",
	     "t.json:2: http.status_page.theme: unknown key (known: enabled, redact, title)"},
	    {"{\"http\": []}", "t.json:1: http: must be an object, got an array"},
	    {"{\"http\": {\n\"listen\": \"127.0.0.1:9477\"}}",
	     "t.json:2: http.listen: unknown key (known: enabled, bind, port, token, read_auth, "
	     "top_ports, status_page)"},
	};
	struct bad one;
	char text[512], want[128];

	check_bad(v, sizeof(v) / sizeof(v[0]));

	/* a token one character too long, a title one too long */
	snprintf(text, sizeof(text), "{\"http\": {\"token\": \"%0*d\"}}", XG_HTTP_TOKEN_LEN, 0);
	one = (struct bad){text,
			   "t.json:1: http.token: must be \"\" or 16-127 characters of A-Z a-z 0-9 "
			   "- . _ ~ + / (and = at the end)"};
	check_bad(&one, 1);
	snprintf(text, sizeof(text), "{\"http\": {\"status_page\": {\"title\": \"%0*d\"}}}",
		 XG_HTTP_TITLE_LEN, 0);
	snprintf(want, sizeof(want), "t.json:1: http.status_page.title: longer than %d characters",
		 XG_HTTP_TITLE_LEN - 1);
	one = (struct bad){text, want};
	check_bad(&one, 1);
}

/* config show: the token as "***" (which does not load as a token), the
 * rest as set, reading back. */
static void test_http_show(void)
{
	struct xg_cfg c, back;
	struct json_object *o, *h, *sp;
	char err[512], *a, *b;

	CU_ASSERT_EQUAL_FATAL(
	    xg_cfg_parse(&c,
			 "{\"http\": {\"bind\": \"::1\", \"port\": 8080, \"token\": \"" HTTP_TOKEN
			 "\", \"read_auth\": true, \"status_page\": {\"title\": \"NOC\"}}}",
			 "h.json", err, sizeof(err)),
	    0);
	o = xg_cfg_to_json(&c);
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(o, "http", &h));
	CU_ASSERT_EQUAL(json_object_object_length(h), 7);
	CU_ASSERT_STRING_EQUAL(json_object_to_json_string_ext(h, JSON_C_TO_STRING_PLAIN),
			       "{\"enabled\":true,\"bind\":\"::1\",\"port\":8080,\"token\":\"***\","
			       "\"read_auth\":true,\"top_ports\":10,\"status_page\":{\"enabled\":"
			       "true,\"redact\":true,\"title\":\"NOC\"}}");
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(h, "status_page", &sp));
	CU_ASSERT_EQUAL(json_object_object_length(sp), 3);
	a = cfg_text(&c);
	CU_ASSERT_PTR_NULL(strstr(a, HTTP_TOKEN));
	CU_ASSERT_EQUAL(xg_cfg_parse(&back, a, "shown.json", err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "http.token"));
	free(a);
	json_object_put(o);

	/* without a token, the shown file reads back the same */
	c.http.token[0] = '\0';
	c.http.read_auth = false;
	a = cfg_text(&c);
	CU_ASSERT_PTR_NOT_NULL(strstr(a, "\"token\":\"\""));
	CU_ASSERT_EQUAL_FATAL(xg_cfg_parse(&back, a, "shown.json", err, sizeof(err)), 0);
	b = cfg_text(&back);
	CU_ASSERT_STRING_EQUAL(a, b);
	free(a);
	free(b);
}

void add_config_suite(void)
{
	CU_pSuite s = CU_add_suite("config", NULL, NULL);

	CU_add_test(s, "defaults", test_defaults);
	CU_add_test(s, "a full file, and its round trip through JSON", test_full_file_round_trip);
	CU_add_test(s, "unknown keys, top level and nested", test_unknown_keys);
	CU_add_test(s, "wrong types", test_wrong_types);
	CU_add_test(s, "values out of range", test_out_of_range);
	CU_add_test(s, "bad port lists and ports in two classes", test_bad_ports);
	CU_add_test(s, "JSON syntax errors with their line", test_bad_json);
	CU_add_test(s, "duplicates and list limits", test_duplicates_and_limits);
	CU_add_test(s, "the line finder", test_positions);
	CU_add_test(s, "loading a file", test_load_file);
	CU_add_test(s, "config/xdpguard.json is valid and all defaults", test_example_file);
	CU_add_test(s, "pcap: a full section", test_pcap_full);
	CU_add_test(s, "pcap: bad values and unknown keys", test_pcap_bad);
	CU_add_test(s, "pcap: config show and its round trip", test_pcap_show);
	CU_add_test(s, "alerts: a full section", test_alerts_full);
	CU_add_test(s, "alerts: defaults per sink type", test_alerts_defaults);
	CU_add_test(s, "alerts: unknown keys and keys of another type", test_alerts_bad_keys);
	CU_add_test(s, "alerts: bad sinks", test_alerts_bad_sinks);
	CU_add_test(s, "alerts: bad syslog targets", test_alerts_bad_targets);
	CU_add_test(s, "alerts: routing checked as a whole", test_alerts_bad_routing);
	CU_add_test(s, "alerts: bad maintenance windows", test_alerts_bad_windows);
	CU_add_test(s, "alerts: limits", test_alerts_limits);
	CU_add_test(s, "alerts: config show hides secrets and reads back", test_alerts_show);
	CU_add_test(s, "bgp: defaults and names", test_bgp_defaults);
	CU_add_test(s, "bgp: a full section", test_bgp_full);
	CU_add_test(s, "bgp: bad values", test_bgp_bad_values);
	CU_add_test(s, "bgp: bad levels and checks across keys", test_bgp_bad_levels);
	CU_add_test(s, "bgp: bad speakers", test_bgp_bad_speakers);
	CU_add_test(s, "bgp: limits", test_bgp_limits);
	CU_add_test(s, "bgp: config show and its round trip", test_bgp_show);
	CU_add_test(s, "http: a full section", test_http_full);
	CU_add_test(s, "http: bad values and unknown keys", test_http_bad);
	CU_add_test(s, "http: config show hides the token", test_http_show);
}
