// SPDX-License-Identifier: GPL-2.0-only
/* The status page: pill states, redaction of every address, HTML
 * escaping, incidents as <details>, no external asset. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "history.h"
#include "journal.h"
#include "statuspage.h"
#include "suites.h"

#define S    1000000000ULL
#define NOW  (1795305600ULL * S + 12 * 3600 * S) /* 2026-11-22 12:00 UTC */
#define HOUR (3600 * S)

static struct xg_obs *obs_new(void)
{
	struct xg_obs *o = calloc(1, sizeof(*o));
	int m;

	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	o->ts_ns = NOW;
	o->tick_ms = 1000;
	o->have_snap = true;
	for (m = 0; m < XG_M_MAX; m++)
		o->thr[m] = 1000;
	return o;
}

static char *render(const struct xg_obs *o, struct json_object *hist, struct json_object *incs,
		    const struct xg_status_page_opts *opts)
{
	char *html = NULL;
	size_t len = 0;

	CU_ASSERT_EQUAL_FATAL(xg_status_page_render(o, hist, incs, opts, NOW, &html, &len), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(html);
	CU_ASSERT_EQUAL(strlen(html), len);
	return html;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (hay = strstr(hay, needle); hay; hay = strstr(hay + 1, needle))
		n++;
	return n;
}

static bool pill(const char *html, const char *svc, const char *state)
{
	char want[160];

	snprintf(want, sizeof(want),
		 "<span class=\"pill %s\" data-service=\"%s\" data-state=\"%s\">", state, svc,
		 state);
	return strstr(html, want) != NULL;
}

static void test_status_pills(void)
{
	static const char *const svcs[] = {"all", "sip-udp", "sip-tcp", "sip-tls", "rtp"};
	struct xg_obs *o = obs_new();
	char *html;
	size_t i;

	/* Nothing published yet: every pill unknown. */
	html = render(NULL, NULL, NULL, NULL);
	for (i = 0; i < 5; i++)
		CU_ASSERT_TRUE(pill(html, svcs[i], "unknown"));
	CU_ASSERT_EQUAL(count(html, "data-state="), 5);
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "Status unknown"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "<title>xdpguard status</title>"));
	free(html);

	html = render(o, NULL, NULL, NULL);
	for (i = 0; i < 5; i++)
		CU_ASSERT_TRUE(pill(html, svcs[i], "operational"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "All systems operational"));
	free(html);

	o->snap.metric[XG_M_RTP_PPS] = 600;
	html = render(o, NULL, NULL, NULL);
	CU_ASSERT_TRUE(pill(html, "rtp", "elevated"));
	CU_ASSERT_TRUE(pill(html, "sip-udp", "operational"));
	free(html);

	o->incident_open = true;
	snprintf(o->inc.cls.family, sizeof(o->inc.cls.family), "sip_register_flood");
	snprintf(o->inc.cls.service, sizeof(o->inc.cls.service), "sip-udp");
	o->inc.start_ns = NOW - 60 * S;
	html = render(o, NULL, NULL, NULL);
	CU_ASSERT_TRUE(pill(html, "all", "attack"));
	CU_ASSERT_TRUE(pill(html, "sip-udp", "attack"));
	CU_ASSERT_TRUE(pill(html, "sip-tcp", "operational"));
	CU_ASSERT_TRUE(pill(html, "rtp", "elevated"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "SIP REGISTER flood"));
	free(html);

	/* A state the ticks stopped updating is not trusted. */
	o->ts_ns = NOW - 600 * S;
	html = render(o, NULL, NULL, NULL);
	CU_ASSERT_TRUE(pill(html, "sip-udp", "unknown"));
	free(html);
	free(o);
}

static struct json_object *incident_json(bool ended)
{
	struct xg_incident inc;
	struct json_object *o, *arr, *e;
	char err[128];

	memset(&inc, 0, sizeof(inc));
	inc.seq = 3;
	snprintf(inc.id, sizeof(inc.id), "20261122T110000Z-3");
	snprintf(inc.cls.family, sizeof(inc.cls.family), "udp_flood");
	snprintf(inc.cls.service, sizeof(inc.cls.service), "rtp");
	inc.cls.confidence = 87;
	inc.cls.spoofed = true;
	inc.start_ns = NOW - HOUR;
	inc.last_ns = NOW - HOUR / 2;
	inc.end_ns = ended ? NOW - HOUR / 2 : 0;
	inc.peak_pps = 2.5e6;
	inc.peak_bps = 9.6e9;
	inc.fired = 1ULL << XG_M_UDP_PPS;
	inc.peak_metric[XG_M_UDP_PPS] = 2.4e6;
	CU_ASSERT_EQUAL_FATAL(xg_cidr_parse("10.123.0.5", &inc.victims[0], err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(xg_cidr_parse("2001:db8::5", &inc.victims[1], err, sizeof(err)), 0);
	inc.n_victims = 2;
	inc.cls.n_evidence = 3;
	snprintf(inc.cls.evidence[0], XG_EVIDENCE_LEN, "top source 10.123.4.5 at 40%% of traffic");
	snprintf(inc.cls.evidence[1], XG_EVIDENCE_LEN,
		 "sources 2001:DB8:1::7/128 and ::ffff:10.123.9.1 since 11:00:00");
	snprintf(inc.cls.evidence[2], XG_EVIDENCE_LEN, "victim [2001:db8:0:0:0:0:0:9]:5060");
	o = xg_incident_to_json(&inc, ended ? "incident_close" : "incident_open");

	arr = json_object_new_array();
	e = json_object_new_object();
	json_object_object_add(e, "addr", json_object_new_string("10.123.8.8"));
	json_object_object_add(e, "pps", json_object_new_double(120000));
	json_object_array_add(arr, e);
	json_object_array_add(arr, json_object_new_string("2001:db8::77 (1.2 kpps)"));
	json_object_object_add(o, "top_sources", arr);

	arr = json_object_new_array();
	e = json_object_new_object();
	json_object_object_add(e, "action", json_object_new_string("block"));
	json_object_object_add(e, "target", json_object_new_string("10.123.8.0/24"));
	json_object_object_add(e, "ttl", json_object_new_int64(600));
	json_object_object_add(e, "reason", json_object_new_string("aggregate"));
	json_object_array_add(arr, e);
	json_object_array_add(arr, json_object_new_string("ratelimit 2001:db8:2::/64 at 100 pps"));
	json_object_object_add(o, "mitigation", arr);
	return o;
}

static void test_status_redaction(void)
{
	struct xg_status_page_opts opts = {.redact = true, .title = "Voice 10.123.1.1 status"};
	struct json_object *incs = json_object_new_array();
	struct xg_obs *o = obs_new();
	char *html;

	snprintf(o->node, sizeof(o->node), "10.123.7.7");
	json_object_array_add(incs, incident_json(false));
	json_object_array_add(incs, incident_json(true));

	html = render(o, NULL, incs, &opts);
	CU_ASSERT_PTR_NULL(strstr(html, "10.123."));
	CU_ASSERT_PTR_NULL(strcasestr(html, "2001:db8"));
	CU_ASSERT_PTR_NULL(strstr(html, "ffff"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "[redacted]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "2 addresses (redacted)"));
	/* Clock times and numbers are not addresses. */
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "since 11:00:00"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "at 40% of traffic"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "120 kpps"));
	free(html);

	/* Without redaction they are all there (the title too). */
	opts.redact = false;
	html = render(o, NULL, incs, &opts);
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "10.123.0.5"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "2001:db8::5"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "10.123.4.5"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "10.123.8.8"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "10.123.8.0/24"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "2001:db8:2::/64"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "Voice 10.123.1.1 status"));
	CU_ASSERT_PTR_NULL(strstr(html, "[redacted]"));
	free(html);
	json_object_put(incs);
	free(o);
}

static void test_status_escaping(void)
{
	struct xg_status_page_opts opts = {.redact = true,
					   .title = "<script>alert(\"x\")</script> & co"};
	struct json_object *incs = json_object_new_array(), *inc = incident_json(true);
	char *html;

	json_object_object_add(inc, "family", json_object_new_string("<img src=x onerror=1>"));
	json_object_object_add(inc, "closed_by", json_object_new_string("o'hara \"quoted\""));
	json_object_array_add(incs, inc);
	html = render(NULL, NULL, incs, &opts);
	CU_ASSERT_PTR_NULL(strstr(html, "<script"));
	CU_ASSERT_PTR_NULL(strstr(html, "<img"));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(html, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "o&#39;hara &quot;quoted&quot;"));
	/* Self-contained: nothing to fetch. */
	CU_ASSERT_PTR_NULL(strstr(html, "http://"));
	CU_ASSERT_PTR_NULL(strstr(html, "https://"));
	CU_ASSERT_PTR_NULL(strstr(html, "<link"));
	CU_ASSERT_PTR_NULL(strstr(html, "url("));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "<style>"));
	free(html);
	json_object_put(incs);
}

static void test_status_scrub(void)
{
	static const char *const leak[] = {
	    "fe80::1%eth0 talks",      "cut short 10.123.4",	  "cut short 2001:db8:1",
	    "[2001:db8::1]:5060",      "10.123.0.0/16 aggregate", "full 2001:0db8:0:0:0:0:0:1",
	    "2001:DB8:AB:CD:EF:1:2:3",
	};
	static const char *const keep[] = {
	    "at 22:19:03.125 UTC",
	    "1.5 Mpps from 3200 sources",
	    "ratio 3:1",
	    "TTL 64, 95% of SYN",
	};
	struct json_object *incs = json_object_new_array(), *inc = json_object_new_object();
	struct json_object *ev = json_object_new_array();
	char *html;
	size_t i;

	json_object_object_add(inc, "id", json_object_new_string("20261122T110000Z-9"));
	json_object_object_add(inc, "family", json_object_new_string("udp_flood"));
	for (i = 0; i < sizeof(leak) / sizeof(leak[0]); i++)
		json_object_array_add(ev, json_object_new_string(leak[i]));
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		json_object_array_add(ev, json_object_new_string(keep[i]));
	json_object_object_add(inc, "evidence", ev);
	json_object_array_add(incs, inc);
	html = render(NULL, NULL, incs, NULL);
	CU_ASSERT_PTR_NULL(strstr(html, "fe80"));
	CU_ASSERT_PTR_NULL(strstr(html, "eth0"));
	CU_ASSERT_PTR_NULL(strstr(html, "10.123"));
	CU_ASSERT_PTR_NULL(strcasestr(html, "2001:db8"));
	CU_ASSERT_PTR_NULL(strstr(html, "0db8"));
	CU_ASSERT_PTR_NULL(strstr(html, "/16"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "<li>[redacted] talks</li>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "<li>[[redacted]]:5060</li>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "<li>[redacted] aggregate</li>"));
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		CU_ASSERT_PTR_NOT_NULL(strstr(html, keep[i]));
	free(html);
	json_object_put(incs);
}

static void test_status_incidents(void)
{
	struct json_object *incs = json_object_new_array(), *hist;
	struct xg_history *h = NULL;
	struct xg_obs *o = obs_new();
	char err[128], *html;
	int i;

	/* No incident: said so, no <details>. */
	html = render(o, NULL, incs, NULL);
	CU_ASSERT_EQUAL(count(html, "<details"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "No incidents in the last 7 days"));
	free(html);

	json_object_array_add(incs, incident_json(false));
	json_object_array_add(incs, incident_json(true));
	json_object_array_add(incs, json_object_new_string("not an incident"));
	html = render(o, NULL, incs, NULL);
	CU_ASSERT_EQUAL(count(html, "<details class=\"incident\">"), 2);
	CU_ASSERT_EQUAL(count(html, "</details>"), 2);
	CU_ASSERT_EQUAL(count(html, "<summary>"), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "Ongoing"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "Resolved"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "UDP flood"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "Media (RTP)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "87%"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "2.50 Mpps"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "9.60 Gbps"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "2026-11-22 11:00:00 UTC")); /* start */
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "2026-11-22 11:30:00 UTC")); /* end */
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "30 min 0 s"));		 /* duration */
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "1 h 0 min so far"));	 /* the open one */
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "udp_pps: peak 2400000"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "for 600 s (aggregate)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "spoofed sources"));
	free(html);

	/* With history: 288 traffic bars and 30 day bars per service. */
	CU_ASSERT_EQUAL_FATAL(xg_history_open(&h, NULL, err, sizeof(err)), 0);
	o->snap.metric[XG_M_PPS] = 5000;
	o->thr[XG_M_PPS] = 1e6; /* well under: operational */
	for (i = 0; i < 10; i++)
		xg_history_add(h, o, 1, NOW - (uint64_t)i * 300 * S);
	hist = xg_history_json(h, NOW);
	html = render(o, hist, incs, NULL);
	CU_ASSERT_EQUAL(count(html, "<div class=\"bars\">"), 5);
	CU_ASSERT_EQUAL(count(html, "<div class=\"days\">"), 5);
	CU_ASSERT_EQUAL(count(html, "<i class=\"o\" style=\"height:100%\""), 10); /* all */
	CU_ASSERT_EQUAL(count(html, "<i class=\"o\" style="), 50);
	CU_ASSERT_EQUAL(count(html, "<i class=\"n\" style="), 5 * 278);
	CU_ASSERT_PTR_NOT_NULL(strstr(html, "100.00% available"));
	free(html);
	json_object_put(hist);
	xg_history_close(h);
	json_object_put(incs);
	free(o);
}

void add_statuspage_suite(void)
{
	CU_pSuite s = CU_add_suite("statuspage", NULL, NULL);

	CU_add_test(s, "pills: operational, elevated, attack, unknown", test_status_pills);
	CU_add_test(s, "redaction of every address", test_status_redaction);
	CU_add_test(s, "address-looking tokens and what is not one", test_status_scrub);
	CU_add_test(s, "HTML escaping, no external asset", test_status_escaping);
	CU_add_test(s, "incidents as <details>, history bars", test_status_incidents);
}
