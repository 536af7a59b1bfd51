// SPDX-License-Identifier: GPL-2.0-only
/* Alert payloads: every sink's shape parsed back, the limits with
 * multibyte text at the edge, escaping, signatures and redaction. */
#include <CUnit/Basic.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert_payload.h"
#include "journal.h"
#include "metrics.h"
#include "suites.h"

#define T0 1763762400LL /* 2025-11-21T22:00:00Z */

static const char *const sources[] = {"203.0.113.7 (41 kpps)", "198.51.100.0/24 (120 kpps)"};
static const char *const steps[] = {"protect sip-udp: unknown sources at 50 pps each",
				    "block 198.51.100.0/24 for 300s"};

/* An incident as the journal writes it, so the renderers read the real
 * shape. */
static struct json_object *mk_incident(const char *family, const char *service, int conf,
				       double pps, bool closed)
{
	struct xg_incident inc;

	memset(&inc, 0, sizeof(inc));
	snprintf(inc.id, sizeof(inc.id), "20251121T220000Z-7");
	inc.seq = 7;
	snprintf(inc.cls.family, sizeof(inc.cls.family), "%s", family);
	snprintf(inc.cls.service, sizeof(inc.cls.service), "%s", service);
	inc.cls.confidence = conf;
	inc.cls.spoofed = true;
	inc.cls.n_evidence = 2;
	snprintf(inc.cls.evidence[0], sizeof(inc.cls.evidence[0]), "INVITE 850000 pps, 40x p99");
	snprintf(inc.cls.evidence[1], sizeof(inc.cls.evidence[1]), "TTL entropy <low> & spread");
	inc.start_ns = (uint64_t)T0 * 1000000000ULL;
	inc.last_ns = inc.start_ns;
	if (closed)
		inc.end_ns = inc.start_ns + 150ULL * 1000000000ULL;
	inc.peak_pps = pps;
	inc.peak_bps = pps * 8 * 500;
	inc.fired = (1ULL << XG_M_SIP_INVITE_PPS) | (1ULL << XG_M_SIP_UDP_PPS);
	inc.peak_metric[XG_M_SIP_INVITE_PPS] = pps * 0.9;
	inc.peak_metric[XG_M_SIP_UDP_PPS] = pps;
	inc.n_victims = 0;
	return xg_incident_to_json(&inc, closed ? "incident_close" : "incident_open");
}

static void mk_event(struct xg_alert_event *ev, enum xg_alert_kind kind, struct json_object *inc)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->incident = inc;
	ev->severity = xg_alert_severity(kind, inc);
	ev->node = "edge-1";
	ev->top_sources = sources;
	ev->n_top_sources = 2;
	ev->mitigation = steps;
	ev->n_mitigation = 2;
	ev->pcap = "/var/lib/xdpguard/pcap/20251121T220000Z-7.pcap";
	ev->now = T0 + 5;
}

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static const char *gets(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);

	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static bool is_type(struct json_object *o, const char *key, json_type t)
{
	return json_object_is_type(get(o, key), t);
}

/* Serialize and parse back: what a service would receive. */
static struct json_object *roundtrip(struct json_object *o)
{
	char *s = xg_alert_json_string(o);
	struct json_object *p;

	json_object_put(o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	p = json_tokener_parse(s);
	free(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	return p;
}

/* Independent of the module: a strict UTF-8 check and a UTF-16 length. */
static bool valid_utf8(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	while (*u) {
		int n = *u < 0x80 ? 1 : (*u & 0xe0) == 0xc0 ? 2 : (*u & 0xf0) == 0xe0 ? 3 : 4;
		int i;

		if (*u >= 0xf8 || (*u >= 0x80 && *u < 0xc2))
			return false;
		for (i = 1; i < n; i++)
			if ((u[i] & 0xc0) != 0x80)
				return false;
		u += n;
	}
	return true;
}

static size_t u16len(const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c & 0xc0) != 0x80)
			n++;
		if (c >= 0xf0)
			n++; /* a surrogate pair */
	}
	return n;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

static char *repeat(const char *unit, int n)
{
	size_t len = strlen(unit);
	char *s = malloc(len * (size_t)n + 1);
	int i;

	for (i = 0; i < n; i++)
		memcpy(s + len * (size_t)i, unit, len);
	s[len * (size_t)n] = '\0';
	return s;
}

static bool matches(const char *re, const char *s)
{
	regex_t r;
	int ret;

	if (regcomp(&r, re, REG_EXTENDED | REG_NOSUB))
		return false;
	ret = regexec(&r, s, 0, NULL, 0);
	regfree(&r);
	return ret == 0;
}

/* ---- Severity and names ---- */

static void test_severity(void)
{
	struct {
		enum xg_alert_kind kind;
		const char *family, *service;
		int conf;
		double pps;
		enum xg_alert_sev want;
	} cases[] = {
	    {XG_ALERT_OPEN, "sip_invite_flood", "sip-udp", 90, 1000, XG_SEV_CRITICAL},
	    {XG_ALERT_UPDATE, "rtp_flood", "rtp", 60, 1000, XG_SEV_CRITICAL},
	    {XG_ALERT_OPEN, "amplification", "rtp", 70, 1000, XG_SEV_CRITICAL}, /* VoIP service */
	    {XG_ALERT_OPEN, "udp_flood", "any", 85, 200000, XG_SEV_CRITICAL},
	    {XG_ALERT_OPEN, "udp_flood", "any", 85, 50000, XG_SEV_ERROR},
	    {XG_ALERT_OPEN, "syn_flood", "any", 70, 900000, XG_SEV_ERROR},
	    {XG_ALERT_OPEN, "udp_flood", "any", 80, 100000, XG_SEV_ERROR}, /* > 100k, not >= */
	    {XG_ALERT_OPEN, "sip_invite_flood", "sip-udp", 30, 1000000, XG_SEV_WARNING},
	    {XG_ALERT_OPEN, "traffic_surge", "any", 90, 1000000, XG_SEV_WARNING},
	    {XG_ALERT_OPEN, "sip_registration_surge", "sip-udp", 90, 1000, XG_SEV_WARNING},
	    {XG_ALERT_CLOSE, "sip_invite_flood", "sip-udp", 90, 1000000, XG_SEV_INFO},
	    {XG_ALERT_TEST, "sip_invite_flood", "sip-udp", 90, 1000000, XG_SEV_INFO},
	};
	enum xg_alert_sev sev;
	enum xg_alert_kind kind;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct json_object *inc = mk_incident(cases[i].family, cases[i].service,
						      cases[i].conf, cases[i].pps, false);

		CU_ASSERT_EQUAL(xg_alert_severity(cases[i].kind, inc), cases[i].want);
		json_object_put(inc);
	}
	CU_ASSERT_EQUAL(xg_alert_severity(XG_ALERT_OPEN, NULL), XG_SEV_WARNING);
	CU_ASSERT_EQUAL(xg_alert_sev_parse("error", &sev), 0);
	CU_ASSERT_EQUAL(sev, XG_SEV_ERROR);
	CU_ASSERT_EQUAL(xg_alert_sev_parse("fatal", &sev), -EINVAL);
	CU_ASSERT_EQUAL(xg_alert_kind_parse("close", &kind), 0);
	CU_ASSERT_EQUAL(kind, XG_ALERT_CLOSE);
	CU_ASSERT_STRING_EQUAL(xg_alert_kind_name(XG_ALERT_UPDATE), "update");
	CU_ASSERT_STRING_EQUAL(xg_alert_sev_name(XG_SEV_CRITICAL), "critical");
}

/* ---- Clipping ---- */

static void test_clip(void)
{
	char *s, *in;

	s = xg_alert_clip("hello", 5);
	CU_ASSERT_STRING_EQUAL(s, "hello");
	free(s);
	s = xg_alert_clip("hello world", 5);
	CU_ASSERT_STRING_EQUAL(s, "hell\xe2\x80\xa6");
	free(s);
	/* 2-byte characters: cut between them, ellipsis within the limit. */
	in = repeat("\xc3\xa9", 10); /* é x10 */
	s = xg_alert_clip(in, 6);
	CU_ASSERT_TRUE(valid_utf8(s));
	CU_ASSERT_EQUAL(u16len(s), 6);
	CU_ASSERT_TRUE(ends_with(s, "\xc3\xa9\xe2\x80\xa6"));
	free(s);
	free(in);
	/* A 4-byte emoji counts 2 and is never split. */
	in = repeat("\xf0\x9f\x94\xa5", 5); /* U+1F525 x5 = 10 units */
	s = xg_alert_clip(in, 10);
	CU_ASSERT_STRING_EQUAL(s, in);
	free(s);
	s = xg_alert_clip(in, 6); /* 2 emoji (4) + ellipsis (1): a third would be 7 */
	CU_ASSERT_TRUE(valid_utf8(s));
	CU_ASSERT_EQUAL(u16len(s), 5);
	CU_ASSERT_EQUAL(strlen(s), 8 + 3);
	free(s);
	free(in);
	/* Invalid bytes become U+FFFD: a service would refuse them. */
	s = xg_alert_clip("a\xff\xc3(b\xed\xa0\x80", 100);
	CU_ASSERT_TRUE(valid_utf8(s));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "\xef\xbf\xbd"));
	CU_ASSERT_EQUAL(strncmp(s, "a\xef\xbf\xbd", 4), 0);
	free(s);
	s = xg_alert_clip(NULL, 3);
	CU_ASSERT_STRING_EQUAL(s, "");
	free(s);
	CU_ASSERT_EQUAL(xg_alert_text_units("a\xc3\xa9\xf0\x9f\x94\xa5"), 4);
}

/* ---- Webhook ---- */

static void test_webhook(void)
{
	struct json_object *inc = mk_incident("sip_invite_flood", "sip-udp", 90, 850000, false);
	struct json_object *o, *c, *v;
	struct xg_alert_event ev;
	char *body;

	mk_event(&ev, XG_ALERT_OPEN, inc);
	body = xg_alert_webhook_body(&ev);
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	CU_ASSERT_PTR_NULL(strstr(body, "\\/")); /* paths stay readable */
	o = json_tokener_parse(body);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_STRING_EQUAL(gets(o, "type"), "open");
	CU_ASSERT_STRING_EQUAL(gets(o, "node"), "edge-1");
	CU_ASSERT_STRING_EQUAL(gets(o, "severity"), "critical");
	CU_ASSERT_TRUE(is_type(o, "summary", json_type_string));
	CU_ASSERT_TRUE(is_type(o, "incident", json_type_object));
	CU_ASSERT_STRING_EQUAL(gets(get(o, "incident"), "id"), "20251121T220000Z-7");
	c = get(o, "classification");
	CU_ASSERT_TRUE_FATAL(json_object_is_type(c, json_type_object));
	CU_ASSERT_STRING_EQUAL(gets(c, "family"), "sip_invite_flood");
	CU_ASSERT_STRING_EQUAL(gets(c, "subtype"), "");
	CU_ASSERT_STRING_EQUAL(gets(c, "service"), "sip-udp");
	CU_ASSERT_TRUE(is_type(c, "confidence", json_type_int));
	CU_ASSERT_EQUAL(json_object_get_int(get(c, "confidence")), 90);
	CU_ASSERT_TRUE(is_type(c, "spoofed", json_type_boolean));
	CU_ASSERT_TRUE(json_object_get_boolean(get(c, "spoofed")));
	CU_ASSERT_TRUE(is_type(c, "botnet", json_type_boolean));
	CU_ASSERT_EQUAL(json_object_array_length(get(c, "evidence")), 2);
	v = get(o, "peak");
	CU_ASSERT_TRUE(is_type(v, "pps", json_type_double));
	CU_ASSERT_DOUBLE_EQUAL(json_object_get_double(get(v, "pps")), 850000, 1e-6);
	CU_ASSERT_TRUE(is_type(v, "bps", json_type_double));
	CU_ASSERT_EQUAL(json_object_array_length(get(o, "top_sources")), 2);
	CU_ASSERT_STRING_EQUAL(
	    json_object_get_string(json_object_array_get_idx(get(o, "mitigation"), 1)), steps[1]);
	CU_ASSERT_STRING_EQUAL(gets(o, "pcap"), ev.pcap);
	CU_ASSERT_TRUE(is_type(o, "sent_at", json_type_int));
	CU_ASSERT_EQUAL(json_object_get_int64(get(o, "sent_at")), T0 + 5);
	json_object_put(o);
	free(body);

	/* No capture: null, not a missing key or an empty string. */
	ev.pcap = NULL;
	o = roundtrip(xg_alert_webhook_json(&ev));
	CU_ASSERT_TRUE(json_object_object_get_ex(o, "pcap", &v));
	CU_ASSERT_PTR_NULL(v);
	json_object_put(o);
	json_object_put(inc);
}

/* ---- Signature ---- */

static void test_hmac_vector(void)
{
	static const char data[] = "what do ya want for nothing?";
	uint8_t md[XG_ALERT_HMAC_LEN];
	char hex[2 * XG_ALERT_HMAC_LEN + 1];

	/* RFC 4231 test case 2. */
	CU_ASSERT_EQUAL(xg_alert_hmac_sha256_hex("Jefe", 4, data, strlen(data), hex), 0);
	CU_ASSERT_STRING_EQUAL(hex,
			       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	CU_ASSERT_EQUAL(xg_alert_hmac_sha256("Jefe", 4, data, strlen(data), md), 0);
	CU_ASSERT_EQUAL(md[0], 0x5b);
	CU_ASSERT_EQUAL(md[31], 0x43);
	CU_ASSERT_EQUAL(xg_alert_hmac_sha256("", 0, data, strlen(data), md), -EINVAL);
}

static void test_sign_verify(void)
{
	const char *body = "{\"type\":\"open\",\"id\":\"x\"}";
	size_t len = strlen(body);
	char sig[XG_ALERT_SIG_MAX], small[16], expect[2 * XG_ALERT_HMAC_LEN + 1], msg[128];
	char hdr[3 * XG_ALERT_SIG_MAX], tampered[64];
	const int64_t t = T0;

	CU_ASSERT_EQUAL_FATAL(xg_alert_sign("s3cret", t, body, len, sig, sizeof(sig)), 0);
	/* The header is t=<unix>,v1=<HMAC of "<t>.<body>">. */
	snprintf(msg, sizeof(msg), "%lld.%s", (long long)t, body);
	xg_alert_hmac_sha256_hex("s3cret", 6, msg, strlen(msg), expect);
	snprintf(hdr, sizeof(hdr), "t=%lld,v1=%s", (long long)t, expect);
	CU_ASSERT_STRING_EQUAL(sig, hdr);
	CU_ASSERT_TRUE(matches("^t=[0-9]+,v1=[0-9a-f]{64}$", sig));

	CU_ASSERT_EQUAL(xg_alert_verify("s3cret", sig, body, len, t + 10, 300), 0);
	CU_ASSERT_EQUAL(xg_alert_verify("wrong", sig, body, len, t + 10, 300), -EBADMSG);
	snprintf(tampered, sizeof(tampered), "%s", body);
	tampered[10] = 'x';
	CU_ASSERT_EQUAL(xg_alert_verify("s3cret", sig, tampered, len, t + 10, 300), -EBADMSG);
	CU_ASSERT_EQUAL(xg_alert_verify("s3cret", sig, body, len - 1, t + 10, 300), -EBADMSG);
	/* Stale, and from too far in the future: authentic, still refused. */
	CU_ASSERT_EQUAL(xg_alert_verify("s3cret", sig, body, len, t + 301, 300), -ETIMEDOUT);
	CU_ASSERT_EQUAL(xg_alert_verify("s3cret", sig, body, len, t + 300, 300), 0);
	CU_ASSERT_EQUAL(xg_alert_verify("s3cret", sig, body, len, t - 301, 300), -ETIMEDOUT);
	/* A replayed signature with a fresh t does not match. */
	snprintf(hdr, sizeof(hdr), "t=%lld,%s", (long long)(t + 1000), strchr(sig, ',') + 1);
	CU_ASSERT_EQUAL(xg_alert_verify("s3cret", hdr, body, len, t + 1000, 300), -EBADMSG);
	/* Key rotation: any of several v1 entries; unknown schemes skipped. */
	snprintf(hdr, sizeof(hdr), "t=%lld, v0=abc, v1=%064d, %s", (long long)t, 0,
		 strchr(sig, ',') + 1);
	CU_ASSERT_EQUAL(xg_alert_verify("s3cret", hdr, body, len, t, 300), 0);
	/* Malformed. */
	CU_ASSERT_EQUAL(xg_alert_verify("s3cret", "v1=00", body, len, t, 300), -EINVAL);
	CU_ASSERT_EQUAL(xg_alert_verify("s3cret", "t=12x,v1=00", body, len, t, 300), -EINVAL);
	CU_ASSERT_EQUAL(xg_alert_verify("s3cret", "t=1", body, len, t, 300), -EINVAL);
	snprintf(hdr, sizeof(hdr), "t=1,%s", sig);
	CU_ASSERT_EQUAL(xg_alert_verify("s3cret", hdr, body, len, t, 300), -EINVAL);
	CU_ASSERT_EQUAL(xg_alert_verify("", sig, body, len, t, 300), -EINVAL);
	CU_ASSERT_EQUAL(xg_alert_sign("", t, body, len, sig, sizeof(sig)), -EINVAL);
	CU_ASSERT_EQUAL(xg_alert_sign("k", t, body, len, small, sizeof(small)), -ENOSPC);
}

/* ---- PagerDuty ---- */

static void test_pagerduty(void)
{
	struct json_object *inc = mk_incident("amplification", "any", 85, 250000, false);
	struct json_object *o, *p, *d;
	struct xg_alert_event ev;
	const char *sev;

	json_object_object_add(inc, "subtype", json_object_new_string("dns"));
	mk_event(&ev, XG_ALERT_OPEN, inc);
	o = roundtrip(xg_alert_pagerduty(&ev, "R0UT1NGKEY0123456789abcdef012345"));
	CU_ASSERT_STRING_EQUAL(gets(o, "routing_key"), "R0UT1NGKEY0123456789abcdef012345");
	CU_ASSERT_STRING_EQUAL(gets(o, "event_action"), "trigger");
	CU_ASSERT_STRING_EQUAL(gets(o, "dedup_key"), "20251121T220000Z-7");
	p = get(o, "payload");
	CU_ASSERT_TRUE_FATAL(json_object_is_type(p, json_type_object));
	CU_ASSERT_TRUE(is_type(p, "summary", json_type_string));
	CU_ASSERT_TRUE(strlen(gets(p, "summary")) > 0 && u16len(gets(p, "summary")) <= 1024);
	CU_ASSERT_STRING_EQUAL(gets(p, "source"), "edge-1");
	sev = gets(p, "severity");
	CU_ASSERT_PTR_NOT_NULL_FATAL(sev);
	CU_ASSERT_STRING_EQUAL(sev, "critical");
	CU_ASSERT_TRUE(matches("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
			       gets(p, "timestamp")));
	CU_ASSERT_STRING_EQUAL(gets(p, "timestamp"), "2025-11-21T22:00:05Z");
	CU_ASSERT_STRING_EQUAL(gets(p, "component"), "any");
	CU_ASSERT_STRING_EQUAL(gets(p, "group"), "amplification");
	CU_ASSERT_STRING_EQUAL(gets(p, "class"), "amplification/dns");
	d = get(p, "custom_details");
	CU_ASSERT_TRUE_FATAL(json_object_is_type(d, json_type_object));
	CU_ASSERT_STRING_EQUAL(gets(d, "family"), "amplification");
	CU_ASSERT_TRUE(is_type(d, "confidence", json_type_int));
	CU_ASSERT_TRUE(is_type(d, "spoofed", json_type_boolean));
	CU_ASSERT_EQUAL(json_object_array_length(get(d, "evidence")), 2);
	CU_ASSERT_TRUE(is_type(get(d, "peak"), "pps", json_type_double));
	CU_ASSERT_EQUAL(json_object_array_length(get(d, "top_sources")), 2);
	CU_ASSERT_EQUAL(json_object_array_length(get(d, "mitigation")), 2);
	json_object_put(o);

	/* An update is a trigger on the same dedup_key. */
	ev.kind = XG_ALERT_UPDATE;
	o = roundtrip(xg_alert_pagerduty(&ev, "k"));
	CU_ASSERT_STRING_EQUAL(gets(o, "event_action"), "trigger");
	CU_ASSERT_STRING_EQUAL(gets(o, "dedup_key"), "20251121T220000Z-7");
	json_object_put(o);

	/* Every severity is one PagerDuty knows. */
	for (ev.severity = XG_SEV_CRITICAL; ev.severity <= XG_SEV_INFO; ev.severity++) {
		o = roundtrip(xg_alert_pagerduty(&ev, "k"));
		sev = gets(get(o, "payload"), "severity");
		CU_ASSERT_TRUE(sev && (!strcmp(sev, "critical") || !strcmp(sev, "error") ||
				       !strcmp(sev, "warning") || !strcmp(sev, "info")));
		json_object_put(o);
	}

	/* Resolve: exactly routing_key, event_action, dedup_key. */
	ev.kind = XG_ALERT_CLOSE;
	ev.severity = xg_alert_severity(ev.kind, inc);
	o = roundtrip(xg_alert_pagerduty(&ev, "k"));
	CU_ASSERT_STRING_EQUAL(gets(o, "event_action"), "resolve");
	CU_ASSERT_STRING_EQUAL(gets(o, "dedup_key"), "20251121T220000Z-7");
	CU_ASSERT_STRING_EQUAL(gets(o, "routing_key"), "k");
	CU_ASSERT_EQUAL(json_object_object_length(o), 3);
	json_object_put(o);
	json_object_put(inc);
}

/* ---- Slack ---- */

static void test_slack(void)
{
	struct json_object *inc = mk_incident("sip_invite_flood", "sip-udp", 90, 850000, false);
	struct json_object *o, *blocks, *b, *f;
	struct xg_alert_event ev;
	const char *t;
	char *node;
	size_t i;

	mk_event(&ev, XG_ALERT_OPEN, inc);
	o = roundtrip(xg_alert_slack(&ev));
	CU_ASSERT_TRUE(is_type(o, "text", json_type_string));
	CU_ASSERT_PTR_NOT_NULL(strstr(gets(o, "text"), "SIP INVITE flood"));
	blocks = get(o, "blocks");
	CU_ASSERT_TRUE_FATAL(json_object_is_type(blocks, json_type_array));
	CU_ASSERT_EQUAL_FATAL(json_object_array_length(blocks), 3);
	b = json_object_array_get_idx(blocks, 0);
	CU_ASSERT_STRING_EQUAL(gets(b, "type"), "header");
	CU_ASSERT_STRING_EQUAL(gets(get(b, "text"), "type"), "plain_text");
	CU_ASSERT_PTR_NOT_NULL(strstr(gets(get(b, "text"), "text"), "CRITICAL"));
	b = json_object_array_get_idx(blocks, 1);
	CU_ASSERT_STRING_EQUAL(gets(b, "type"), "section");
	CU_ASSERT_STRING_EQUAL(gets(get(b, "text"), "type"), "mrkdwn");
	/* mrkdwn escaping: the evidence says "<low> &". */
	t = gets(get(b, "text"), "text");
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "&lt;low&gt; &amp; spread"));
	CU_ASSERT_PTR_NULL(strstr(t, "<low>"));
	f = get(b, "fields");
	CU_ASSERT_TRUE_FATAL(json_object_is_type(f, json_type_array));
	CU_ASSERT_TRUE(json_object_array_length(f) >= 1 && json_object_array_length(f) <= 10);
	for (i = 0; i < json_object_array_length(f); i++) {
		struct json_object *x = json_object_array_get_idx(f, i);

		CU_ASSERT_STRING_EQUAL(gets(x, "type"), "mrkdwn");
		CU_ASSERT_TRUE(strlen(gets(x, "text")) > 0 && u16len(gets(x, "text")) <= 2000);
	}
	b = json_object_array_get_idx(blocks, 2);
	CU_ASSERT_STRING_EQUAL(gets(b, "type"), "context");
	CU_ASSERT_TRUE(json_object_array_length(get(b, "elements")) >= 1);
	json_object_put(o);

	/* A long multibyte node name: the header clips at 150, on a code
	 * point, and the result is valid UTF-8. */
	node = repeat("\xe2\x82\xac", 400); /* euro sign, 3 bytes */
	ev.node = node;
	o = roundtrip(xg_alert_slack(&ev));
	t = gets(get(json_object_array_get_idx(get(o, "blocks"), 0), "text"), "text");
	CU_ASSERT_TRUE(valid_utf8(t));
	CU_ASSERT_EQUAL(u16len(t), 150);
	CU_ASSERT_TRUE(ends_with(t, "\xe2\x80\xa6"));
	f = get(json_object_array_get_idx(get(o, "blocks"), 1), "text");
	CU_ASSERT_TRUE(u16len(gets(f, "text")) <= 3000);
	json_object_put(o);
	free(node);
	json_object_put(inc);
}

/* ---- Discord ---- */

static size_t embed_total(struct json_object *em)
{
	struct json_object *f = get(em, "fields");
	size_t n = 0, i;

	n += gets(em, "title") ? u16len(gets(em, "title")) : 0;
	n += gets(em, "description") ? u16len(gets(em, "description")) : 0;
	n += u16len(gets(get(em, "footer"), "text"));
	for (i = 0; i < json_object_array_length(f); i++) {
		struct json_object *x = json_object_array_get_idx(f, i);

		n += u16len(gets(x, "name")) + u16len(gets(x, "value"));
	}
	return n;
}

static void test_discord(void)
{
	struct json_object *inc = mk_incident("udp_flood", "any", 70, 50000, false);
	struct json_object *o, *em, *f, *pm;
	struct xg_alert_event ev;
	const char *big[300];
	char *node, *src;
	size_t i;

	mk_event(&ev, XG_ALERT_OPEN, inc);
	o = roundtrip(xg_alert_discord(&ev, NULL));
	CU_ASSERT_FALSE(json_object_object_get_ex(o, "content", NULL));
	CU_ASSERT_EQUAL_FATAL(json_object_array_length(get(o, "embeds")), 1);
	em = json_object_array_get_idx(get(o, "embeds"), 0);
	CU_ASSERT_TRUE(is_type(em, "title", json_type_string));
	CU_ASSERT_TRUE(is_type(em, "description", json_type_string));
	CU_ASSERT_TRUE(is_type(em, "color", json_type_int));
	CU_ASSERT_EQUAL(json_object_get_int(get(em, "color")),
			xg_alert_discord_color(XG_SEV_ERROR));
	CU_ASSERT_TRUE(matches("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$", gets(em, "timestamp")));
	f = get(em, "fields");
	CU_ASSERT_TRUE_FATAL(json_object_is_type(f, json_type_array));
	for (i = 0; i < json_object_array_length(f); i++) {
		struct json_object *x = json_object_array_get_idx(f, i);

		CU_ASSERT_TRUE(is_type(x, "name", json_type_string));
		CU_ASSERT_TRUE(is_type(x, "value", json_type_string));
		CU_ASSERT_TRUE(strlen(gets(x, "value")) > 0);
		CU_ASSERT_TRUE(is_type(x, "inline", json_type_boolean));
	}
	json_object_put(o);

	/* Colours differ by severity; content when asked. */
	CU_ASSERT_NOT_EQUAL(xg_alert_discord_color(XG_SEV_CRITICAL),
			    xg_alert_discord_color(XG_SEV_INFO));
	o = roundtrip(xg_alert_discord(&ev, "@here"));
	CU_ASSERT_STRING_EQUAL(gets(o, "content"), "@here");
	json_object_put(o);

	/* Title at 256 with 2-byte characters, a field value at 1024 with
	 * 4-byte ones (a pair each, never split), 25 fields at most from 26
	 * peak metrics, 6000 in all. */
	node = repeat("\xc3\xa9", 300);
	src = repeat("\xf0\x9f\x94\xa5", 20);
	for (i = 0; i < 300; i++)
		big[i] = src;
	ev.node = node;
	ev.top_sources = big;
	ev.n_top_sources = 300;
	pm = json_object_new_object();
	for (i = 0; i < XG_M_MAX; i++)
		json_object_object_add(pm, xg_metric_name((int)i), json_object_new_double(1e6));
	json_object_object_add(inc, "peak_metrics", pm);
	o = roundtrip(xg_alert_discord(&ev, NULL));
	em = json_object_array_get_idx(get(o, "embeds"), 0);
	CU_ASSERT_TRUE(valid_utf8(gets(em, "title")));
	CU_ASSERT_EQUAL(u16len(gets(em, "title")), 256);
	CU_ASSERT_TRUE(ends_with(gets(em, "title"), "\xc3\xa9\xe2\x80\xa6"));
	f = get(em, "fields");
	CU_ASSERT_EQUAL(json_object_array_length(f), 25);
	for (i = 0; i < json_object_array_length(f); i++) {
		struct json_object *x = json_object_array_get_idx(f, i);

		CU_ASSERT_TRUE(valid_utf8(gets(x, "value")));
		CU_ASSERT_TRUE(u16len(gets(x, "value")) <= 1024);
		CU_ASSERT_TRUE(u16len(gets(x, "name")) <= 256);
		if (!strcmp(gets(x, "name"), "Top sources")) {
			/* 24 lines of 41 units = 984, a 25th would pass 1024 */
			CU_ASSERT_TRUE(u16len(gets(x, "value")) > 1000);
			CU_ASSERT_TRUE(ends_with(gets(x, "value"), "\xe2\x80\xa6"));
		}
	}
	CU_ASSERT_STRING_EQUAL(gets(json_object_array_get_idx(f, 24), "name"), "More");
	CU_ASSERT_TRUE(embed_total(em) <= 6000);
	CU_ASSERT_TRUE(u16len(gets(get(em, "footer"), "text")) <= 2048);
	json_object_put(o);
	free(node);
	free(src);
	json_object_put(inc);
}

/* ---- OpsGenie ---- */

static void test_opsgenie(void)
{
	struct json_object *inc = mk_incident("sip_register_flood", "sip-udp", 90, 30000, false);
	static const char *const want[] = {"P1", "P2", "P3", "P5"};
	struct xg_alert_request req;
	struct xg_alert_event ev;
	struct json_object *d, *t;
	char *node;
	size_t i;

	for (i = 0; i < 4; i++)
		CU_ASSERT_STRING_EQUAL(xg_alert_opsgenie_priority((enum xg_alert_sev)i), want[i]);

	mk_event(&ev, XG_ALERT_OPEN, inc);
	CU_ASSERT_EQUAL_FATAL(xg_alert_opsgenie(&ev, &req), 0);
	CU_ASSERT_STRING_EQUAL(req.path, "/v2/alerts");
	req.body = roundtrip(req.body);
	CU_ASSERT_TRUE(u16len(gets(req.body, "message")) <= 130);
	CU_ASSERT_STRING_EQUAL(gets(req.body, "alias"), "20251121T220000Z-7");
	CU_ASSERT_TRUE(is_type(req.body, "description", json_type_string));
	CU_ASSERT_PTR_NOT_NULL(strstr(gets(req.body, "description"), "Top sources:"));
	CU_ASSERT_STRING_EQUAL(gets(req.body, "priority"), "P1");
	CU_ASSERT_STRING_EQUAL(gets(req.body, "source"), "edge-1");
	t = get(req.body, "tags");
	CU_ASSERT_TRUE_FATAL(json_object_is_type(t, json_type_array));
	for (i = 0; i < json_object_array_length(t); i++) {
		struct json_object *x = json_object_array_get_idx(t, i);

		CU_ASSERT_TRUE(json_object_is_type(x, json_type_string));
		CU_ASSERT_TRUE(u16len(json_object_get_string(x)) <= 50);
	}
	d = get(req.body, "details");
	CU_ASSERT_TRUE_FATAL(json_object_is_type(d, json_type_object));
	CU_ASSERT_STRING_EQUAL(gets(d, "confidence"), "90");
	{
		json_object_object_foreach (d, k, v) {
			(void)k;
			CU_ASSERT_TRUE(json_object_is_type(v, json_type_string));
		}
	}
	xg_alert_request_free(&req);

	/* Priority follows severity; the message stays within 130 with a
	 * long multibyte node. */
	node = repeat("\xe6\x97\xa5", 200); /* CJK, 3 bytes */
	ev.node = node;
	for (i = 0; i < 4; i++) {
		ev.severity = (enum xg_alert_sev)i;
		CU_ASSERT_EQUAL_FATAL(xg_alert_opsgenie(&ev, &req), 0);
		req.body = roundtrip(req.body);
		CU_ASSERT_STRING_EQUAL(gets(req.body, "priority"), want[i]);
		CU_ASSERT_TRUE(valid_utf8(gets(req.body, "message")));
		CU_ASSERT_EQUAL(u16len(gets(req.body, "message")), 130);
		CU_ASSERT_TRUE(u16len(gets(req.body, "source")) <= 100);
		xg_alert_request_free(&req);
	}
	free(node);

	/* Close: a path on the alias, body {source, note}. */
	ev.node = "edge-1";
	ev.kind = XG_ALERT_CLOSE;
	CU_ASSERT_EQUAL_FATAL(xg_alert_opsgenie(&ev, &req), 0);
	CU_ASSERT_STRING_EQUAL(req.path,
			       "/v2/alerts/20251121T220000Z-7/close?identifierType=alias");
	CU_ASSERT_STRING_EQUAL(gets(req.body, "source"), "edge-1");
	CU_ASSERT_PTR_NOT_NULL(strstr(gets(req.body, "note"), "Resolved"));
	CU_ASSERT_EQUAL(json_object_object_length(req.body), 2);
	xg_alert_request_free(&req);
	/* An alias that is not URL-safe is percent-encoded. */
	json_object_object_add(inc, "id", json_object_new_string("a b/c?d"));
	CU_ASSERT_EQUAL_FATAL(xg_alert_opsgenie(&ev, &req), 0);
	CU_ASSERT_STRING_EQUAL(req.path, "/v2/alerts/a%20b%2Fc%3Fd/close?identifierType=alias");
	xg_alert_request_free(&req);
	json_object_put(inc);
}

/* ---- Email ---- */

static bool crlf_only(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
			return false;
		if (s[i] == '\r' && s[i + 1] != '\n')
			return false;
	}
	return true;
}

static size_t longest_line(const char *s)
{
	size_t best = 0, n = 0;

	for (; *s; s++) {
		if (*s == '\r' || *s == '\n') {
			n = 0;
			continue;
		}
		if (++n > best)
			best = n;
	}
	return best;
}

static void test_email(void)
{
	struct json_object *inc = mk_incident("sip_invite_flood", "sip-udp", 90, 850000, true);
	static const char *const to[] = {"noc@example.net", "oncall@example.net"};
	struct xg_alert_email_opts o = {.from = "xdpguard <xdpguard@example.net>",
					.to = to,
					.n_to = 2,
					.msgid_domain = "edge-1.example.net"};
	static const char *const evil_to[] = {"a@example.net\r\nBcc: x@evil.example"};
	struct xg_alert_event ev;
	char *m, *body;

	mk_event(&ev, XG_ALERT_OPEN, inc);
	m = xg_alert_email(&ev, &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(strncmp(m, "From: xdpguard <xdpguard@example.net>\r\n", 39), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(m, "\r\nTo: noc@example.net,\r\n oncall@example.net\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m, "\r\nSubject: [xdpguard] CRITICAL: SIP INVITE flood at "
					 "edge-1\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m, "\r\nDate: Fri, 21 Nov 2025 22:00:05 +0000\r\n"));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(m, "\r\nMessage-ID: <xdpguard.20251121T220000Z-7.open@edge-1.example.net>\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m, "\r\nMIME-Version: 1.0\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m, "\r\nContent-Type: text/plain; charset=utf-8\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m, "\r\nContent-Transfer-Encoding: 7bit\r\n"));
	CU_ASSERT_PTR_NULL(strstr(m, "In-Reply-To"));
	body = strstr(m, "\r\n\r\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "Incident:     20251121T220000Z-7\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "  - block 198.51.100.0/24 for 300s\r\n"));
	CU_ASSERT_TRUE(crlf_only(m));
	CU_ASSERT_TRUE(ends_with(m, "\r\n"));
	CU_ASSERT_TRUE(longest_line(m) <= 998);
	free(m);

	/* The close threads under the open. */
	ev.kind = XG_ALERT_CLOSE;
	ev.severity = xg_alert_severity(ev.kind, inc);
	m = xg_alert_email(&ev, &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_PTR_NOT_NULL(strstr(m, "\r\nSubject: [xdpguard] Resolved: SIP INVITE flood"));
	CU_ASSERT_PTR_NOT_NULL(strstr(
	    m, "\r\nIn-Reply-To: <xdpguard.20251121T220000Z-7.open@edge-1.example.net>\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m, "\r\nMessage-ID: <xdpguard.20251121T220000Z-7.close."));
	CU_ASSERT_PTR_NOT_NULL(strstr(m, "Ended:"));
	free(m);

	/* Non-ASCII: RFC 2047 subject, quoted-printable body, lines <= 76. */
	ev.node = "n\xc5\x93ud-\xc3\xa9t\xc3\xa9";
	m = xg_alert_email(&ev, &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_PTR_NOT_NULL(strstr(m, "\r\nSubject: =?UTF-8?B?"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m, "\r\nContent-Transfer-Encoding: quoted-printable\r\n"));
	body = strstr(m, "\r\n\r\n");
	CU_ASSERT_TRUE(body && longest_line(body) <= 76);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "=C3=A9"));
	CU_ASSERT_TRUE(crlf_only(m));
	free(m);

	/* No header injection through an address or the node. */
	ev.node = "edge\r\nBcc: y@evil.example";
	o.to = evil_to;
	o.n_to = 1;
	m = xg_alert_email(&ev, &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	body = strstr(m, "\r\n\r\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	body[2] = '\0'; /* the headers only: the body may say anything */
	CU_ASSERT_PTR_NULL(strstr(m, "\r\nBcc:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m, "\r\nTo: a@example.net  Bcc: x@evil.example\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m, " at edge  Bcc: y@evil.example\r\n"));
	CU_ASSERT_TRUE(crlf_only(m));
	free(m);
	o.n_to = 0;
	CU_ASSERT_PTR_NULL(xg_alert_email(&ev, &o));
	json_object_put(inc);
}

/* ---- syslog and CEF ---- */

#define SYSLOG_RE                                                                                  \
	"^<[0-9]{1,3}>1 [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z [!-~]{1,255} "      \
	"xdpguard (-|[0-9]+) [!-~]{1,32} \\[xdpguard@32473( [a-z_]+=\"([^\"\\\\]|\\\\.)*\")+\\] "

static void test_syslog(void)
{
	struct json_object *inc = mk_incident("sip_invite_flood", "sip-udp", 90, 850000, false);
	const char *want = "<26>1 2025-11-21T22:00:05Z edge-1 xdpguard - incident_open "
			   "[xdpguard@32473 id=\"20251121T220000Z-7\" family=\"sip_invite_flood\"";
	struct xg_alert_syslog_opts o;
	struct xg_alert_event ev;
	char *line;

	mk_event(&ev, XG_ALERT_OPEN, inc);
	line = xg_alert_syslog(&ev, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(line);
	CU_ASSERT_TRUE(matches(SYSLOG_RE, line));
	/* daemon (3) * 8 + crit (2) */
	CU_ASSERT_EQUAL(strncmp(line, want, strlen(want)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(line, " severity=\"critical\"] SIP INVITE flood"));
	CU_ASSERT_PTR_NULL(strchr(line, '\n'));
	free(line);

	/* local0 (16) * 8 + info (6); procid; hostname without spaces. */
	xg_alert_syslog_defaults(&o);
	CU_ASSERT_EQUAL(o.facility, 3);
	o.facility = xg_alert_syslog_facility("local0");
	CU_ASSERT_EQUAL(o.facility, 16);
	o.hostname = "my host";
	o.procid = 4242;
	ev.kind = XG_ALERT_CLOSE;
	ev.severity = XG_SEV_INFO;
	line = xg_alert_syslog(&ev, &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(line);
	CU_ASSERT_TRUE(matches(SYSLOG_RE, line));
	CU_ASSERT_EQUAL(strncmp(line, "<134>1 ", 7), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(line, " my_host xdpguard 4242 incident_close ["));
	free(line);

	/* SD-PARAM escaping of '"', '\' and ']'; newlines never end the line. */
	json_object_object_add(inc, "family", json_object_new_string("a\"b\\c]d\ne"));
	ev.kind = XG_ALERT_OPEN;
	line = xg_alert_syslog(&ev, &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(line);
	CU_ASSERT_PTR_NOT_NULL(strstr(line, " family=\"a\\\"b\\\\c\\]d e\""));
	CU_ASSERT_PTR_NULL(strchr(line, '\n'));
	CU_ASSERT_TRUE(matches(SYSLOG_RE, line));
	free(line);

	o.facility = 24;
	CU_ASSERT_PTR_NULL(xg_alert_syslog(&ev, &o));
	CU_ASSERT_EQUAL(xg_alert_syslog_facility("nope"), -EINVAL);
	CU_ASSERT_EQUAL(xg_alert_syslog_severity(XG_SEV_ERROR), 3);
	CU_ASSERT_EQUAL(xg_alert_syslog_severity(XG_SEV_WARNING), 4);
	json_object_put(inc);
}

/* The unescaped '|' in a CEF record: exactly 7 separate the 8 parts. */
static int cef_pipes(const char *s)
{
	int n = 0;

	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			continue;
		}
		if (*s == '|')
			n++;
	}
	return n;
}

static void test_cef(void)
{
	struct json_object *inc = mk_incident("sip_invite_flood", "sip-udp", 90, 850000, false);
	static const char *const odd[] = {"a=b\\c\nd|e"};
	struct xg_alert_syslog_opts o;
	struct xg_alert_event ev;
	const char *want;
	char *s;

	mk_event(&ev, XG_ALERT_OPEN, inc);
	s = xg_alert_cef(&ev, "0.1.0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	want = "CEF:0|xdpguard|xdpguard|0.1.0|sip_invite_flood|SIP INVITE flood|10|rt=";
	CU_ASSERT_EQUAL(strncmp(s, want, strlen(want)), 0);
	CU_ASSERT_EQUAL(cef_pipes(s), 7);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, " cs1Label=incident cs1=20251121T220000Z-7"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, " cn1Label=confidence cn1=90"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, " dvchost=edge-1"));
	free(s);

	/* Header: '|' and '\' escaped, newline as a space; extension: '=' and
	 * '\' escaped, newline as \n, '|' left alone. */
	json_object_object_add(inc, "family", json_object_new_string("x|y\\z\nw"));
	ev.mitigation = odd;
	ev.n_mitigation = 1;
	ev.severity = XG_SEV_WARNING;
	s = xg_alert_cef(&ev, "1|2");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	want = "CEF:0|xdpguard|xdpguard|1\\|2|x\\|y\\\\z w|x\\|y\\\\z w|5|rt=";
	CU_ASSERT_EQUAL(strncmp(s, want, strlen(want)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, " cs5=a\\=b\\\\c\\nd|e"));
	CU_ASSERT_PTR_NULL(strchr(s, '\n'));
	free(s);

	/* Through syslog: CEF as the MSG. */
	xg_alert_syslog_defaults(&o);
	o.cef = true;
	o.version = "0.1.0";
	s = xg_alert_syslog(&ev, &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "] CEF:0|xdpguard|xdpguard|0.1.0|"));
	free(s);
	CU_ASSERT_EQUAL(xg_alert_cef_severity(XG_SEV_CRITICAL), 10);
	CU_ASSERT_EQUAL(xg_alert_cef_severity(XG_SEV_INFO), 3);
	json_object_put(inc);
}

/* ---- Redaction ---- */

static void test_redact(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"https://user:pa55@alerts.example.net/hook", "https://***@alerts.example.net/hook"},
	    {"https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX",
	     "https://hooks.slack.com/services/***"},
	    {"https://discord.com/api/webhooks/123456789012345678/abcDEF-ghi_jkl",
	     "https://discord.com/api/webhooks/123456789012345678/***"},
	    {"https://x.example/a?api_key=k1&name=ok&token=t2;Signature=s3#access_token=t4",
	     "https://x.example/a?api_key=***&name=ok&token=***;Signature=***#access_token=***"},
	    {"https://x.example/hooks/3f9a8b7c6d5e4f3a2b1c0d9e8f?sig=abc&secret=",
	     "https://x.example/hooks/***?sig=***&secret="},
	    {"https://events.pagerduty.com/v2/enqueue", "https://events.pagerduty.com/v2/enqueue"},
	    {"smtps://mailer:pw@smtp.example.net:465", "smtps://***@smtp.example.net:465"},
	    {"Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc", "Bearer ***"},
	    {"GenieKey 11111111-2222-3333-4444-555555555555", "GenieKey ***"},
	    {"Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic ***"},
	    {"X-Api-Key: abc", "X-Api-Key: ***"},
	    {"Content-Type: application/json", "Content-Type: application/json"},
	    {"R0UT1NGKEY0123456789abcdef012345", "***"},
	    {"routing_key=abcdef0123456789, region=eu", "routing_key=***, region=eu"},
	    {"t=1763762400,v1=abcd", "t=1763762400,v1=abcd"},
	    {"plain words", "plain words"},
	    {"", ""},
	};
	size_t i;
	char *s;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = xg_alert_redact(cases[i].in);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		if (strcmp(s, cases[i].out))
			fprintf(stderr, "\nredact(%s) = %s, want %s\n", cases[i].in, s,
				cases[i].out);
		CU_ASSERT_STRING_EQUAL(s, cases[i].out);
		free(s);
	}
}

/* ---- A test event through every sink ---- */

static void test_test_event(void)
{
	struct json_object *inc = xg_alert_test_incident("edge-1", T0), *o;
	struct xg_alert_syslog_opts so;
	struct xg_alert_request req;
	struct xg_alert_event ev;
	static const char *const to[] = {"noc@example.net"};
	struct xg_alert_email_opts eo = {.from = "x@example.net", .to = to, .n_to = 1};
	char *s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(inc);
	CU_ASSERT_STRING_EQUAL(gets(inc, "family"), "test");
	mk_event(&ev, XG_ALERT_TEST, inc);
	ev.n_top_sources = 0;
	ev.n_mitigation = 0;
	ev.pcap = NULL;
	CU_ASSERT_EQUAL(ev.severity, XG_SEV_INFO);
	s = xg_alert_summary(&ev);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "Test alert"));
	free(s);
	o = roundtrip(xg_alert_webhook_json(&ev));
	CU_ASSERT_STRING_EQUAL(gets(o, "type"), "test");
	json_object_put(o);
	o = roundtrip(xg_alert_pagerduty(&ev, "k"));
	CU_ASSERT_STRING_EQUAL(gets(o, "event_action"), "trigger");
	CU_ASSERT_STRING_EQUAL(gets(get(o, "payload"), "severity"), "info");
	json_object_put(o);
	json_object_put(roundtrip(xg_alert_slack(&ev)));
	json_object_put(roundtrip(xg_alert_discord(&ev, NULL)));
	CU_ASSERT_EQUAL(xg_alert_opsgenie(&ev, &req), 0);
	CU_ASSERT_STRING_EQUAL(gets(req.body, "priority"), "P5");
	xg_alert_request_free(&req);
	s = xg_alert_email(&ev, &eo);
	CU_ASSERT_PTR_NOT_NULL(s);
	free(s);
	xg_alert_syslog_defaults(&so);
	s = xg_alert_syslog(&ev, &so);
	CU_ASSERT_TRUE(s && matches(SYSLOG_RE, s) && !strncmp(s, "<30>1 ", 6));
	free(s);
	/* A missing incident reads as empty, never a crash. */
	ev.incident = NULL;
	o = roundtrip(xg_alert_webhook_json(&ev));
	CU_ASSERT_TRUE(is_type(o, "incident", json_type_object));
	json_object_put(o);
	json_object_put(inc);
}

void add_alert_payload_suite(void)
{
	CU_pSuite s = CU_add_suite("alert_payload", NULL, NULL);

	CU_add_test(s, "severity mapping and names", test_severity);
	CU_add_test(s, "UTF-8 aware clipping", test_clip);
	CU_add_test(s, "generic webhook body", test_webhook);
	CU_add_test(s, "HMAC-SHA256 RFC 4231 case 2", test_hmac_vector);
	CU_add_test(s, "sign, verify, tamper, replay", test_sign_verify);
	CU_add_test(s, "PagerDuty trigger and resolve", test_pagerduty);
	CU_add_test(s, "Slack Block Kit", test_slack);
	CU_add_test(s, "Discord embed and limits", test_discord);
	CU_add_test(s, "OpsGenie create and close", test_opsgenie);
	CU_add_test(s, "email RFC 5322", test_email);
	CU_add_test(s, "syslog RFC 5424", test_syslog);
	CU_add_test(s, "CEF escaping", test_cef);
	CU_add_test(s, "secret redaction", test_redact);
	CU_add_test(s, "test event through every sink", test_test_event);
}
