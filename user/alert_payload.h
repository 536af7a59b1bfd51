/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Alert payloads: what each alert sink receives for an incident event, and
 * the webhook signature. Pure: no I/O, no clock (the time comes in the
 * event), no globals, so every sink's output is reproducible in a unit test
 * and the transports (HTTP, SMTP, syslog) stay the caller's.
 *
 * Ownership: a renderer returning struct json_object * hands over one
 * reference (json_object_put() it); one returning char * hands over a
 * malloc'd string (free() it). NULL means out of memory or a bad argument,
 * with errno set. The event and everything it points to stay the caller's.
 *
 * Text limits are counted in UTF-16 code units, which is never less than
 * the code points Slack, Discord and OpsGenie count, so a clipped text fits
 * whichever way the service counts. Clipping happens only between code
 * points, ends with an ellipsis inside the limit, and replaces invalid
 * UTF-8 with U+FFFD: a service rejects the whole request for one bad byte.
 */
#ifndef XG_ALERT_PAYLOAD_H
#define XG_ALERT_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

enum xg_alert_kind {
	XG_ALERT_OPEN,
	XG_ALERT_UPDATE,
	XG_ALERT_CLOSE,
	XG_ALERT_TEST, /* a synthetic event to prove a sink works */
};

/* Ordered from the most to the least urgent: a "minimum severity" filter is
 * sev <= min. The names are PagerDuty's, which the other sinks map from. */
enum xg_alert_sev {
	XG_SEV_CRITICAL,
	XG_SEV_ERROR,
	XG_SEV_WARNING,
	XG_SEV_INFO,
};

struct xg_alert_event {
	enum xg_alert_kind kind;
	/* The incident in the xg_incident_to_json() shape; borrowed, never
	 * modified. NULL reads as an incident with every field empty. */
	struct json_object *incident;
	enum xg_alert_sev severity;	/* usually xg_alert_severity(kind, incident) */
	const char *node;		/* the reporting node's name */
	const char *const *top_sources; /* "203.0.113.7 (41 kpps)", ... */
	size_t n_top_sources;
	const char *const *mitigation; /* one line per step, in words */
	size_t n_mitigation;
	const char *pcap; /* where the incident capture is; NULL: none */
	int64_t now;	  /* unix seconds: sent_at, Date, every "sent" timestamp */
};

const char *xg_alert_kind_name(enum xg_alert_kind kind);	 /* "open", "update", ... */
int xg_alert_kind_parse(const char *s, enum xg_alert_kind *out); /* 0 or -EINVAL */
const char *xg_alert_sev_name(enum xg_alert_sev sev);		 /* "critical", ... */
int xg_alert_sev_parse(const char *s, enum xg_alert_sev *out);	 /* 0 or -EINVAL */

/* The severity rules, first match wins. They page for what hurts calls and
 * for what is big and certain, and keep doubtful or benign events quiet:
 *   close, test                                           -> info
 *   no family, "test", or a benign one (sip_registration_surge,
 *   traffic_surge: not attacks)                            -> warning
 *   confidence < XG_ALERT_SEV_WEAK_CONFIDENCE              -> warning
 *   a VoIP family (sip_*, rtp_*) or a VoIP service
 *   (sip-udp, sip-tcp, sip-tls, rtp)                       -> critical
 *   confidence >= XG_ALERT_SEV_CRIT_CONFIDENCE and
 *   peak_pps > XG_ALERT_SEV_CRIT_PPS                       -> critical
 *   any other attack                                       -> error
 * The learning flag does not lower it: a monitor-only incident is an
 * attack nothing mitigates, which is no reason to page less. */
#define XG_ALERT_SEV_WEAK_CONFIDENCE 50
#define XG_ALERT_SEV_CRIT_CONFIDENCE 80
#define XG_ALERT_SEV_CRIT_PPS	     100000.0
enum xg_alert_sev xg_alert_severity(enum xg_alert_kind kind, struct json_object *incident);

/* A synthetic incident for XG_ALERT_TEST events, in the journal's shape
 * (id "test-<now>", family "test", one evidence line saying it is a test). */
struct json_object *xg_alert_test_incident(const char *node, int64_t now);

/* One line for humans, e.g. "SIP INVITE flood on sip-udp at edge-1: 1.2 Mpps,
 * 9.6 Gbit/s, 90% confidence, spoofed"; "Resolved: ..." on close. */
char *xg_alert_summary(const struct xg_alert_event *ev);

/* A deep copy of v whose strings and object keys are valid UTF-8 (invalid
 * sequences as U+FFFD), for rendering an incident read back from disk.
 * NULL: out of memory, or v is NULL. */
struct json_object *xg_alert_clean_json(struct json_object *v);

/* json_object as compact JSON, without escaping '/', malloc'd: the exact
 * bytes to send (and, for the webhook, to sign). */
char *xg_alert_json_string(struct json_object *o);

/* s clipped to at most max_units UTF-16 code units (see the top comment);
 * NULL s reads as "". xg_alert_text_units() measures the same way. */
char *xg_alert_clip(const char *s, size_t max_units);
size_t xg_alert_text_units(const char *s);

/* --- 1. Generic webhook ------------------------------------------------ */

/* {"type", "node", "severity", "summary", "incident": {a copy},
 *  "classification": {family, subtype, service, confidence, spoofed, botnet,
 *  evidence}, "peak": {pps, bps}, "top_sources", "mitigation",
 *  "pcap": string|null, "sent_at": unix seconds} */
struct json_object *xg_alert_webhook_json(const struct xg_alert_event *ev);
char *xg_alert_webhook_body(const struct xg_alert_event *ev); /* the same, serialized */

/* The receiver checks the signature header over the exact body bytes:
 * "t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>". Signing the time
 * with the body lets a receiver refuse replays of an old request. */
#define XG_ALERT_SIG_HEADER    "X-Xdpguard-Signature"
#define XG_ALERT_SIG_MAX       128 /* room for the header value, NUL included */
#define XG_ALERT_SIG_TOLERANCE 300 /* seconds; the default replay window */
#define XG_ALERT_HMAC_LEN      32

/* HMAC-SHA256 through libcrypto. 0, or -EINVAL (empty key), -EIO. */
int xg_alert_hmac_sha256(const void *key, size_t keylen, const void *data, size_t len,
			 uint8_t out[XG_ALERT_HMAC_LEN]);
/* The same as 64 lowercase hex digits and a NUL. */
int xg_alert_hmac_sha256_hex(const void *key, size_t keylen, const void *data, size_t len,
			     char out[2 * XG_ALERT_HMAC_LEN + 1]);

/* The header value for body signed at time t. 0, or -EINVAL (empty secret,
 * t < 0), -ENOSPC (out too small), -ENOMEM, -EIO. */
int xg_alert_sign(const char *secret, int64_t t, const char *body, size_t body_len, char *out,
		  size_t outlen);

/* 0 when header carries a v1 signature of body by secret (several v1=
 * entries are allowed, for key rotation; any match accepts) and its t is
 * within tolerance_s of now either way (a clock ahead would otherwise
 * stretch the replay window). The signature is compared in constant time
 * (CRYPTO_memcmp). -EINVAL: malformed header or bad argument; -EBADMSG: no
 * signature matches (wrong secret, tampered body or time); -ETIMEDOUT:
 * authentic but outside the window. */
int xg_alert_verify(const char *secret, const char *header, const char *body, size_t body_len,
		    int64_t now, int64_t tolerance_s);

/* --- 2. PagerDuty Events API v2 --------------------------------------- */

#define XG_PAGERDUTY_URL "https://events.pagerduty.com/v2/enqueue"

/* open, update and test: event_action "trigger" with the full payload
 * (summary, source, severity, timestamp, component, group, class,
 * custom_details); close: "resolve" with only routing_key, event_action and
 * dedup_key. dedup_key is the incident id, so an update refreshes the same
 * PagerDuty incident and the close resolves it. */
struct json_object *xg_alert_pagerduty(const struct xg_alert_event *ev, const char *routing_key);

/* --- 3. Slack incoming webhook (Block Kit) ---------------------------- */

/* {"text": fallback, "blocks": [header, section (summary and evidence as
 * text, up to 10 fields), context]}, mrkdwn escaped (& < >) and within
 * Slack's limits (header 150, section text 3000, field 2000). */
struct json_object *xg_alert_slack(const struct xg_alert_event *ev);

/* --- 4. Discord webhook ------------------------------------------------ */

/* Discord's limits, enforced by clipping: a title of 256, a description of
 * 4096, 25 fields of name 256 and value 1024, a footer of 2048, 6000 in all
 * (the description gives way first, then the last fields), content 2000. */
#define XG_DISCORD_TITLE_MAX	   256
#define XG_DISCORD_DESC_MAX	   4096
#define XG_DISCORD_FIELDS_MAX	   25
#define XG_DISCORD_FIELD_NAME_MAX  256
#define XG_DISCORD_FIELD_VALUE_MAX 1024
#define XG_DISCORD_FOOTER_MAX	   2048
#define XG_DISCORD_EMBED_TOTAL_MAX 6000
#define XG_DISCORD_CONTENT_MAX	   2000

/* The embed colour of each severity: red, orange, yellow, green (info is
 * what a close reports, so a resolved incident shows green). */
int xg_alert_discord_color(enum xg_alert_sev sev);

/* {"content"?: content (omitted when NULL, e.g. "@here" for critical),
 *  "embeds": [{title, description, color, fields [{name, value, inline}],
 *  footer, timestamp}]}. One field per peak metric after the fixed ones;
 * past 25 the last field says how many more there were. */
struct json_object *xg_alert_discord(const struct xg_alert_event *ev, const char *content);

/* --- 5. OpsGenie Alert API --------------------------------------------- */

/* A request relative to the API base (https://api.opsgenie.com, or
 * api.eu.opsgenie.com), POSTed with "Authorization: GenieKey <key>". */
struct xg_alert_request {
	char *path;		  /* malloc'd */
	struct json_object *body; /* one reference */
};

/* open, update, test: path "/v2/alerts", the create body (message of at
 * most 130, alias = incident id, description, priority, source, entity,
 * tags, details as a string map). An update is a create again: OpsGenie
 * de-duplicates on the alias, and the alert exists even when the open was
 * lost. close: path "/v2/alerts/{alias}/close?identifierType=alias"
 * (alias percent-encoded), body {source, note}. 0 or -ENOMEM. */
int xg_alert_opsgenie(const struct xg_alert_event *ev, struct xg_alert_request *req);
void xg_alert_request_free(struct xg_alert_request *req);

/* Priority by severity: critical P1, error P2, warning P3, info P5 (P4 is
 * left for the operator's own rules). */
const char *xg_alert_opsgenie_priority(enum xg_alert_sev sev);

#define XG_OPSGENIE_MESSAGE_MAX 130

/* --- 6. Email ----------------------------------------------------------- */

struct xg_alert_email_opts {
	const char *from;      /* "xdpguard <xdpguard@example.net>"; required */
	const char *const *to; /* header recipients; at least one */
	size_t n_to;
	const char *subject_prefix; /* NULL: "[xdpguard]" */
	const char *msgid_domain;   /* right side of Message-ID; NULL: the node */
};

/* An RFC 5322 message for libcurl's SMTP upload (CURLOPT_UPLOAD with a
 * CURLOPT_READFUNCTION): CRLF line endings, no dot-stuffing (curl does it). Headers: From, To, Subject (RFC 2047 encoded when not ASCII),
 * Date, Message-ID, In-Reply-To/References to the open's Message-ID on
 * update and close (so clients thread an incident), Auto-Submitted,
 * MIME-Version, Content-Type text/plain; charset=utf-8, and a
 * Content-Transfer-Encoding of 7bit, or quoted-printable when the body is
 * not ASCII or has a line over 998 bytes (8bit needs the server's
 * 8BITMIME, which curl does not negotiate). CR and LF in header inputs
 * become spaces: no header injection through a node name or address. */
char *xg_alert_email(const struct xg_alert_event *ev, const struct xg_alert_email_opts *o);

/* The plain-text report the email carries (also OpsGenie's description),
 * '\n' line endings. */
char *xg_alert_text_report(const struct xg_alert_event *ev);

/* --- 7. syslog (RFC 5424) and CEF -------------------------------------- */

#define XG_SYSLOG_FACILITY_DAEMON 3
#define XG_SYSLOG_SD_ID		  "xdpguard@32473" /* 32473: RFC 5612's example PEN */

struct xg_alert_syslog_opts {
	int facility;	      /* 0-23; xg_alert_syslog_defaults() sets daemon (3) */
	const char *hostname; /* NULL: the event's node */
	long procid;	      /* <= 0: "-" */
	bool cef;	      /* MSG is the CEF record instead of the summary */
	const char *version;  /* product version for CEF; NULL: "unknown" */
};

void xg_alert_syslog_defaults(struct xg_alert_syslog_opts *o);

/* "daemon", "local0".."local7", "user", ... -> 0-23, or -EINVAL. */
int xg_alert_syslog_facility(const char *name);

/* Syslog severity (RFC 5424 table 2) of an alert severity: critical 2,
 * error 3, warning 4, info 6. */
int xg_alert_syslog_severity(enum xg_alert_sev sev);

/* One line, no trailing newline (the transport frames it):
 * <PRI>1 TIMESTAMP HOSTNAME xdpguard PROCID MSGID
 *   [xdpguard@32473 id="" family="" subtype="" service="" confidence=""
 *    severity=""] MSG
 * (subtype only when the incident has one)
 * PRI = facility * 8 + xg_alert_syslog_severity(); MSGID "incident_open",
 * "incident_update", "incident_close" or "test" (the journal's names);
 * PARAM-VALUEs escape '"', '\' and ']'. Control characters become spaces,
 * so a record never spans lines. NULL opts: the defaults; NULL with errno
 * EINVAL for a facility outside 0-23. MSG carries no BOM: most collectors
 * show it as garbage. */
char *xg_alert_syslog(const struct xg_alert_event *ev, const struct xg_alert_syslog_opts *o);

/* CEF severity 0-10: critical 10, error 8, warning 5, info 3. */
int xg_alert_cef_severity(enum xg_alert_sev sev);

/* CEF:0|xdpguard|xdpguard|VERSION|family|name|severity|extension, with
 * CEF's escaping: '\' and '|' in the header, '\' and '=' in extension
 * values, newlines as \n in extensions and as spaces in the header. */
char *xg_alert_cef(const struct xg_alert_event *ev, const char *version);

/* --- Secrets in logs ---------------------------------------------------- */

/*
 * s with its credentials replaced by "***", for logging a sink's URL or a
 * header. Masks: URL userinfo; the token part of Slack (/services/...) and
 * Discord (/api/webhooks/ID/...) webhook paths, and any other path segment
 * that looks like a token (20+ letters, digits, '-' or '_', with both
 * letters and digits); query, fragment and header parameters whose name
 * contains key, token, secret, signature, password, passwd, auth or
 * credential (or is sig or pwd); the credentials after an auth scheme
 * (Bearer, Basic, GenieKey, Token, ...); the whole value of a "Name: value"
 * header whose name is sensitive; and a bare token (16+ characters without
 * spaces, with a digit: a routing or API key). Anything else is unchanged.
 */
char *xg_alert_redact(const char *s);

#endif
