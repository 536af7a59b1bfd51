// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_alert: incident journal lines to the bytes every alert sink gets.
 *
 * The input is an incidents.jsonl (user/journal.c reads it back after a
 * restart or a crash, torn lines included). Each event object is rendered
 * the way the alerter does it (user/alerter.c fill_event + alert_deliver
 * xg_alert_render) for one sink of each type, then checked against what
 * user/alert_payload.h promises:
 *
 *  - JSON sinks (webhook, PagerDuty, Slack, Discord, OpsGenie) get JSON
 *    that parses strictly and is valid UTF-8, within Slack's, Discord's and
 *    OpsGenie's limits (UTF-16 units);
 *  - email: CRLF lines of at most 998 bytes, 7-bit (no 8BITMIME), headers
 *    that an incident cannot add to;
 *  - syslog: one line, no control characters, valid UTF-8;
 *  - the summary and a CEF record are one line; a signed body verifies.
 *
 * Every string value of each event, and the whole input, also goes through
 * xg_alert_redact(), xg_alert_clip() and xg_alert_verify() (as a signature
 * header): text from outside that reaches logs and receivers.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert_cfg.h"
#include "alert_deliver.h"
#include "alert_payload.h"
#include "alerter.h"
#include "config.h"
#include "journal.h"
#include "fuzz_util.h"

/* One sink of each type, with every option that changes the rendering. */
static const char sinks_config[] =
    "{\"alerts\": {\"node\": \"edge-1\", \"sinks\": [\n"
    " {\"name\": \"hook\", \"type\": \"webhook\", \"url\": \"https://example.net/h\","
    "  \"secret\": \"s3cr3t\"},\n"
    " {\"name\": \"pd\", \"type\": \"pagerduty\", \"routing_key\": \"0123456789abcdef\"},\n"
    " {\"name\": \"chat\", \"type\": \"slack\", \"url\": "
    "\"https://hooks.slack.com/services/T/B/X\"},\n"
    " {\"name\": \"disc\", \"type\": \"discord\", \"url\": "
    "\"https://discord.com/api/webhooks/1/x\","
    "  \"mention\": \"@here\"},\n"
    " {\"name\": \"og\", \"type\": \"opsgenie\", \"api_key\": \"k\"},\n"
    " {\"name\": \"mail\", \"type\": \"email\", \"url\": \"smtp://mail.example.net:587\","
    "  \"from\": \"xdpguard <xdpguard@example.net>\", \"to\": [\"noc@example.net\", "
    "\"b@example.org\"],"
    "  \"subject_prefix\": \"[edge]\"},\n"
    " {\"name\": \"log\", \"type\": \"syslog\", \"facility\": \"local3\"},\n"
    " {\"name\": \"siem\", \"type\": \"syslog\", \"format\": \"cef\"}\n"
    "]}}";

static struct xg_cfg *cfg;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[512];

	(void)argc;
	(void)argv;
	cfg = malloc(sizeof(*cfg));
	if (!cfg || xg_cfg_parse(cfg, sinks_config, "sinks.json", err, sizeof(err))) {
		fprintf(stderr, "fuzz_alert: the sinks config does not parse: %s\n", err);
		abort();
	}
	return 0;
}

/* ---- checks ---- */

static struct json_object *parse_strict(const char *s, const char *what)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;
	size_t len = strlen(s);

	if (!tok)
		abort();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, s, (int)len);
	FZ_CHECK(o && json_tokener_get_error(tok) == json_tokener_success &&
		     json_tokener_get_parse_end(tok) == len,
		 "%s is not strict JSON (%s): %s", what,
		 json_tokener_error_desc(json_tokener_get_error(tok)), s);
	json_tokener_free(tok);
	return o;
}

static const char *jget_str(struct json_object *o, const char *path)
{
	struct json_object *v = o;
	char key[64];
	const char *p = path;

	/* "a.b.0.c": keys and array indexes */
	while (v && *p) {
		size_t n = strcspn(p, ".");

		snprintf(key, sizeof(key), "%.*s", (int)n, p);
		if (json_object_is_type(v, json_type_array))
			v = json_object_array_get_idx(v, (size_t)atoi(key));
		else if (!json_object_object_get_ex(v, key, &v))
			v = NULL;
		p += n + (p[n] == '.');
	}
	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static size_t units(const char *s)
{
	return s ? xg_alert_text_units(s) : 0;
}

static void check_limit(struct json_object *o, const char *path, size_t max, const char *what)
{
	const char *s = jget_str(o, path);

	FZ_CHECK(units(s) <= max, "%s %s is %zu units, over %zu: %s", what, path, units(s), max, s);
}

static void check_slack(struct json_object *o)
{
	struct json_object *blocks, *fields;
	char path[64];
	size_t i, n;

	check_limit(o, "text", 3000, "slack");
	check_limit(o, "blocks.0.text.text", 150, "slack header");
	check_limit(o, "blocks.1.text.text", 3000, "slack section");
	FZ_CHECK(json_object_object_get_ex(o, "blocks", &blocks), "slack: no blocks");
	fields = json_object_object_get_ex(json_object_array_get_idx(blocks, 1), "fields", &fields)
		     ? fields
		     : NULL;
	n = fields ? json_object_array_length(fields) : 0;
	FZ_CHECK(n <= 10, "slack: %zu fields", n);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "blocks.1.fields.%zu.text", i);
		check_limit(o, path, 2000, "slack field");
	}
	check_limit(o, "blocks.2.elements.0.text", 2000, "slack context");
}

static void check_discord(struct json_object *o)
{
	struct json_object *em, *fields;
	char path[64];
	size_t i, n, total;

	check_limit(o, "content", XG_DISCORD_CONTENT_MAX, "discord");
	check_limit(o, "embeds.0.title", XG_DISCORD_TITLE_MAX, "discord");
	check_limit(o, "embeds.0.description", XG_DISCORD_DESC_MAX, "discord");
	check_limit(o, "embeds.0.footer.text", XG_DISCORD_FOOTER_MAX, "discord");
	total = units(jget_str(o, "embeds.0.title")) + units(jget_str(o, "embeds.0.description")) +
		units(jget_str(o, "embeds.0.footer.text"));
	FZ_CHECK(json_object_object_get_ex(o, "embeds", &em), "discord: no embeds");
	em = json_object_array_get_idx(em, 0);
	n = json_object_object_get_ex(em, "fields", &fields) ? json_object_array_length(fields) : 0;
	FZ_CHECK(n <= XG_DISCORD_FIELDS_MAX, "discord: %zu fields", n);
	for (i = 0; i < n; i++) {
		const char *name, *value;

		snprintf(path, sizeof(path), "embeds.0.fields.%zu.name", i);
		check_limit(o, path, XG_DISCORD_FIELD_NAME_MAX, "discord");
		name = jget_str(o, path);
		snprintf(path, sizeof(path), "embeds.0.fields.%zu.value", i);
		check_limit(o, path, XG_DISCORD_FIELD_VALUE_MAX, "discord");
		value = jget_str(o, path);
		FZ_CHECK(name && *name && value && *value, "discord field %zu is empty", i);
		total += units(name) + units(value);
	}
	FZ_CHECK(total <= XG_DISCORD_EMBED_TOTAL_MAX, "discord embed is %zu units in all", total);
}

#define HDR_NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-"

/* The headers xg_alert_email() writes: an incident must not add any. */
static bool header_known(const char *name, size_t n)
{
	static const char *const known[] = {
	    "From",
	    "To",
	    "Subject",
	    "Date",
	    "Message-ID",
	    "In-Reply-To",
	    "References",
	    "Auto-Submitted",
	    "X-Xdpguard-Incident",
	    "X-Xdpguard-Severity",
	    "MIME-Version",
	    "Content-Type",
	    "Content-Transfer-Encoding",
	};
	size_t k;

	for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
		if (strlen(known[k]) == n && !strncmp(name, known[k], n))
			return true;
	return false;
}

static void check_email(const char *m)
{
	const char *line = m, *end;
	bool in_headers = true, seen_from = false, seen_subject = false;

	for (; *line; line = end + 2) {
		end = strstr(line, "\r\n");
		FZ_CHECK(end, "email: a line without CRLF at the end: %s", line);
		FZ_CHECK(end - line <= 998, "email: a line of %zu bytes", (size_t)(end - line));
		for (const char *p = line; p < end; p++) {
			FZ_CHECK(*p != '\r' && *p != '\n', "email: a bare CR or LF at %zu",
				 (size_t)(p - m));
			FZ_CHECK((unsigned char)*p < 0x80,
				 "email: 8-bit byte 0x%02x at %zu in %.*s", (unsigned char)*p,
				 (size_t)(p - m), (int)(end - line), line);
		}
		if (!in_headers)
			continue;
		if (end == line) {
			in_headers = false;
			continue;
		}
		if (*line == ' ' || *line == '\t')
			continue; /* folded */
		{
			size_t n = strspn(line, HDR_NAME_CHARS);

			FZ_CHECK(n && line[n] == ':', "email: not a header line: %.*s",
				 (int)(end - line), line);
			FZ_CHECK(header_known(line, n), "email: an unexpected header: %.*s",
				 (int)(end - line), line);
			seen_from |= !strncmp(line, "From:", 5);
			seen_subject |= !strncmp(line, "Subject:", 8);
		}
	}
	FZ_CHECK(!in_headers && seen_from && seen_subject, "email: incomplete headers");
}

static void check_one_line(const char *s, const char *what)
{
	const char *p;

	FZ_CHECK(fz_utf8_valid(s), "%s is not valid UTF-8: %s", what, s);
	for (p = s; *p; p++)
		FZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f,
			 "%s has control byte 0x%02x at %zu: %s", what, (unsigned char)*p,
			 (size_t)(p - s), s);
}

static void check_rendered(enum xg_route_sink_type type, const char *out, size_t len)
{
	struct json_object *o;
	const char *nl;

	FZ_CHECK(strlen(out) == len, "rendered length %zu, strlen %zu", len, strlen(out));
	FZ_CHECK(fz_utf8_valid(out), "%s payload is not valid UTF-8 at byte %ld: ...%.80s",
		 xg_route_sink_type_name(type), fz_utf8_bad_at(out),
		 out + (fz_utf8_bad_at(out) > 40 ? fz_utf8_bad_at(out) - 40 : 0));
	switch (type) {
	case XG_ROUTE_SINK_WEBHOOK:
	case XG_ROUTE_SINK_PAGERDUTY:
		json_object_put(parse_strict(out, xg_route_sink_type_name(type)));
		break;
	case XG_ROUTE_SINK_SLACK:
		o = parse_strict(out, "slack");
		check_slack(o);
		json_object_put(o);
		break;
	case XG_ROUTE_SINK_DISCORD:
		o = parse_strict(out, "discord");
		check_discord(o);
		json_object_put(o);
		break;
	case XG_ROUTE_SINK_OPSGENIE:
		nl = strchr(out, '\n');
		FZ_CHECK(nl && !strncmp(out, "/v2/alerts", 10), "opsgenie: %s", out);
		for (const char *p = out; p < nl; p++)
			FZ_CHECK((unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f,
				 "opsgenie path byte 0x%02x: %.*s", (unsigned char)*p,
				 (int)(nl - out), out);
		o = parse_strict(nl + 1, "opsgenie body");
		check_limit(o, "message", XG_OPSGENIE_MESSAGE_MAX, "opsgenie");
		json_object_put(o);
		break;
	case XG_ROUTE_SINK_EMAIL:
		check_email(out);
		break;
	case XG_ROUTE_SINK_SYSLOG:
		check_one_line(out, "syslog line");
		FZ_CHECK(out[0] == '<', "syslog: %s", out);
		break;
	default:
		break;
	}
}

/* ---- strings from outside: redact, clip, verify ---- */

static void fuzz_string(const char *s)
{
	static const size_t maxes[] = {0, 1, 2, 3, 7, 130, 150};
	char *r, *c, hdr[XG_ALERT_SIG_MAX];
	size_t i, u = xg_alert_text_units(s);
	int v;

	r = xg_alert_redact(s);
	FZ_CHECK(r, "xg_alert_redact returned NULL");
	FZ_CHECK(!fz_utf8_valid(s) || fz_utf8_valid(r), "redacting valid UTF-8 broke it: %s -> %s",
		 s, r);
	free(r);

	for (i = 0; i <= sizeof(maxes) / sizeof(maxes[0]); i++) {
		size_t max = i < sizeof(maxes) / sizeof(maxes[0]) ? maxes[i] : u;

		c = xg_alert_clip(s, max);
		FZ_CHECK(c, "xg_alert_clip returned NULL");
		FZ_CHECK(xg_alert_text_units(c) <= max, "clip to %zu gave %zu units", max,
			 xg_alert_text_units(c));
		FZ_CHECK(fz_utf8_valid(c), "clip gave invalid UTF-8");
		if (u <= max && fz_utf8_valid(s))
			FZ_CHECK(!strcmp(c, s), "clip changed text that fits");
		free(c);
	}

	v = xg_alert_verify("s3cr3t", s, "{}", 2, 1700000000, XG_ALERT_SIG_TOLERANCE);
	FZ_CHECK(v == 0 || v == -EINVAL || v == -EBADMSG || v == -ETIMEDOUT, "verify returned %d",
		 v);
	/* s as a body: signed, it verifies */
	v = xg_alert_sign("s3cr3t", 1700000000, s, strlen(s), hdr, sizeof(hdr));
	FZ_CHECK(!v, "sign: %d", v);
	v = xg_alert_verify("s3cr3t", hdr, s, strlen(s), 1700000100, XG_ALERT_SIG_TOLERANCE);
	FZ_CHECK(!v, "a signature we made does not verify: %d (%s)", v, hdr);
}

/* ---- the events ---- */

/* Per input, to keep it fast: the events rendered, the strings fuzzed. */
#define MAX_EVENTS  8
#define MAX_STRINGS 16

struct run {
	int events;
	int strings;
};

static int on_event(struct json_object *obj, void *arg)
{
	struct xg_alert_lines *l = calloc(1, sizeof(*l));
	struct run *run = arg;
	struct json_object *v, *mit;
	struct xg_alert_event ev;
	enum xg_alert_kind kind = XG_ALERT_UPDATE;
	const char *event = "", *pcap;
	char *s;
	size_t i;
	int idx, r;

	if (run->events++ >= MAX_EVENTS) {
		free(l);
		return 1; /* enough: keep an input's cost bounded */
	}
	if (!l)
		abort();
	if (json_object_object_get_ex(obj, "event", &v) && json_object_is_type(v, json_type_string))
		event = json_object_get_string(v);
	if (!strcmp(event, "incident_open"))
		kind = XG_ALERT_OPEN;
	else if (!strcmp(event, "incident_close"))
		kind = XG_ALERT_CLOSE;
	else if (!strcmp(event, "test"))
		kind = XG_ALERT_TEST;

	/* as the alerter's fill_event() */
	xg_alert_top_sources(obj, l);
	if (json_object_object_get_ex(obj, "mitigation", &mit) &&
	    json_object_is_type(mit, json_type_array))
		for (i = 0; i < json_object_array_length(mit) && l->n_mit < 16; i++) {
			struct json_object *e = json_object_array_get_idx(mit, i);

			if (!json_object_is_type(e, json_type_string))
				continue;
			snprintf(l->mit[l->n_mit], sizeof(l->mit[0]), "%s",
				 json_object_get_string(e));
			l->mit_p[l->n_mit] = l->mit[l->n_mit];
			l->n_mit++;
		}
	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.incident = obj;
	ev.severity = xg_alert_severity(kind, obj);
	FZ_CHECK((unsigned int)ev.severity <= XG_SEV_INFO, "severity %d", ev.severity);
	if (kind == XG_ALERT_CLOSE)
		ev.severity = XG_SEV_INFO;
	ev.node = cfg->alerts.node;
	ev.top_sources = l->src_p;
	ev.n_top_sources = (size_t)l->n_src;
	ev.mitigation = l->mit_p;
	ev.n_mitigation = (size_t)l->n_mit;
	pcap =
	    json_object_object_get_ex(obj, "pcap", &v) && json_object_is_type(v, json_type_string)
		? json_object_get_string(v)
		: "";
	ev.pcap = *pcap ? pcap : NULL;
	ev.now =
	    json_object_object_get_ex(obj, "logged", &v) ? json_object_get_int64(v) : 1700000000;

	for (idx = 0; idx < cfg->alerts.route.n_sinks; idx++) {
		size_t len = 0;
		char *out = NULL;

		r = xg_alert_render(&cfg->alerts, idx, &ev, &out, &len);
		FZ_CHECK(!r && out, "render for %s: %d", cfg->alerts.route.sinks[idx].name, r);
		check_rendered(cfg->alerts.route.sinks[idx].type, out, len);
		free(out);
	}
	/* the renderers' own words, on the incident as read (not cleaned):
	 * the line structure holds whatever the strings are */
	s = xg_alert_summary(&ev);
	FZ_CHECK(s && !strpbrk(s, "\r\n"), "the summary is not one line: %s", s ? s : "NULL");
	free(s);
	s = xg_alert_text_report(&ev);
	FZ_CHECK(s, "text report NULL");
	free(s);
	s = xg_alert_cef(&ev, "1.0");
	FZ_CHECK(s && !strpbrk(s, "\r\n"), "CEF record is not one line: %s", s ? s : "NULL");
	free(s);

	/* what a receiver and the logs see of the incident's own strings */
	json_object_object_foreach (obj, key, val) {
		(void)key;
		if (json_object_is_type(val, json_type_string) && run->strings++ < MAX_STRINGS)
			fuzz_string(json_object_get_string(val));
	}
	free(l);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[4200], err[512];
	struct run run = {0};
	char *s;
	int r;

	snprintf(path, sizeof(path), "%s/%s", fz_scratch(), XG_JOURNAL_FILE);
	fz_write_file(path, data, size);
	err[0] = 'x';
	r = xg_journal_read(fz_scratch(), on_event, &run, err, sizeof(err));
	FZ_CHECK(r == 0 || r == 1, "xg_journal_read returned %d", r);
	FZ_CHECK(!strchr(err, '\n'), "journal error spans lines: %s", err);
	unlink(path);

	s = fz_strdup(data, size);
	fuzz_string(s);
	free(s);
	return 0;
}
