/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Alert transports: deliver what alert_payload rendered. HTTP(S) for the
 * webhook, PagerDuty, Slack, Discord and OpsGenie sinks, SMTP for email,
 * datagrams for syslog. One call is one delivery attempt, synchronous and
 * bounded by its timeouts; retrying is the caller's (alertq), paced by
 * xg_send_backoff_ns().
 *
 * Every attempt ends in one of three outcomes, which is all a queue worker
 * needs to know: delivered (ack), retry (back off and try again), permanent
 * (the request itself is wrong: retrying would only repeat the failure, so
 * drop it and log res->error).
 *
 * res->error never carries a credential: URLs and curl's messages go
 * through xg_alert_redact() first, because the text ends up in logs.
 *
 * libcurl must be initialised once per program, before any thread starts:
 * call xg_send_init() from main() and xg_send_cleanup() at exit (with a
 * thread-safe libcurl, 7.84+, the init is left to libcurl's first handle).
 * The only global state is libcurl's own.
 */
#ifndef XG_ALERT_SEND_H
#define XG_ALERT_SEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum xg_send_outcome {
	XG_SEND_DELIVERED,
	XG_SEND_RETRY,
	XG_SEND_PERMANENT,
};

/* "delivered", "retry", "permanent". */
const char *xg_send_outcome_name(enum xg_send_outcome o);

#define XG_SEND_CONNECT_TIMEOUT_MS 5000
#define XG_SEND_TIMEOUT_MS	   15000
/* A Retry-After beyond this is clamped: one misbehaving receiver must not
 * park its queue for days. */
#define XG_SEND_RETRY_AFTER_MAX 3600
#define XG_SEND_ERROR_MAX	256

struct xg_http_result {
	/* HTTP status, or for SMTP the last reply code; 0 when no response
	 * arrived (connection refused, timeout, TLS failure, ...). */
	long status;
	enum xg_send_outcome outcome;
	/* From a Retry-After header (delta seconds or HTTP-date), at most
	 * XG_SEND_RETRY_AFTER_MAX; 0 when absent. */
	uint64_t retry_after_s;
	/* Empty when delivered; otherwise why, redacted. */
	char error[XG_SEND_ERROR_MAX];
};

struct xg_http_req {
	const char *url;    /* http:// or https:// only; redirects are not followed */
	const char *method; /* NULL: "POST" */
	const char *body;   /* NULL: no body */
	size_t body_len;
	/* "Name: value" each, e.g. "Content-Type: application/json". A CR or
	 * LF in one is refused (-EINVAL): no header injection. */
	const char *const *headers;
	size_t n_headers;
	long connect_timeout_ms; /* <= 0: XG_SEND_CONNECT_TIMEOUT_MS */
	long timeout_ms;	 /* whole transfer; <= 0: XG_SEND_TIMEOUT_MS */
	/* Tests only: skip TLS peer and host verification. */
	bool insecure;
	const char *ca_file; /* NULL: the system's CA store */
};

/*
 * One HTTP request. Classification: 2xx delivered; 408, 429, 5xx and any
 * network or TLS error retry; anything else (3xx, other 4xx) permanent.
 * The response body is read and discarded.
 *
 * Returns the HTTP status (> 0) when a response arrived, 0 when none did
 * (res->outcome says retry), or -EINVAL (bad request, res->outcome
 * permanent) / -ENOMEM. res is always filled.
 */
int xg_send_http(const struct xg_http_req *req, struct xg_http_result *res);

/*
 * A Retry-After value: delta seconds, or an HTTP-date taken relative to
 * now (unix seconds; a date in the past is 0). Clamped to
 * XG_SEND_RETRY_AFTER_MAX. 0 or -EINVAL (unparseable; *out untouched).
 */
int xg_send_parse_retry_after(const char *value, int64_t now, uint64_t *out_s);

struct xg_smtp_req {
	/* smtp://host[:port] or smtps://host[:port] (implicit TLS). */
	const char *url;
	const char *from;	 /* envelope sender, a bare address: "a@example.net" */
	const char *const *rcpt; /* envelope recipients, bare addresses; >= 1 */
	size_t n_rcpt;
	/* The whole message, e.g. from xg_alert_email(): CRLF line endings,
	 * not dot-stuffed (curl does it). */
	const char *message;
	size_t message_len;
	const char *user;     /* NULL: no AUTH */
	const char *password; /* with user */
	/* smtp:// only: require STARTTLS (fail, permanently, when the server
	 * does not offer it) instead of sending in the clear. */
	bool starttls;
	long connect_timeout_ms; /* <= 0: XG_SEND_CONNECT_TIMEOUT_MS */
	long timeout_ms;	 /* <= 0: XG_SEND_TIMEOUT_MS */
	bool insecure;		 /* tests only, as for HTTP */
	const char *ca_file;
};

/*
 * One SMTP transaction. Delivered when the server accepted the message;
 * permanent on a 5xx reply, refused login, a malformed URL or a missing
 * STARTTLS; retry otherwise (4xx replies, network and TLS errors). Returns
 * like xg_send_http(), with the last SMTP reply code as the status.
 */
int xg_send_smtp(const struct xg_smtp_req *req, struct xg_http_result *res);

/*
 * Syslog datagrams to target "udp:HOST:PORT" (HOST may be "[v6]") or
 * "unix:PATH" (e.g. "unix:/dev/log", a SOCK_DGRAM socket). line is sent
 * one datagram per '\n'-separated line (empty lines skipped), without the
 * newline: syslog framing over datagrams is one message per datagram.
 * Returns 0 when every datagram went out (UDP gives no further proof), or
 * -errno; res (may be NULL) gets the outcome: a malformed target or an
 * oversize datagram is permanent, anything else retry.
 */
int xg_send_syslog(const char *target, const char *line, struct xg_http_result *res);

/*
 * The wait before the next attempt after the attempt-th failure (1 for the
 * first; 0 reads as 1): full jitter over an exponential window of 1 s, 2 s,
 * 4 s, ... capped at 300 s, i.e. jitter01 * window, and never less than
 * retry_after_s (itself clamped to XG_SEND_RETRY_AFTER_MAX). jitter01 is the caller's uniform random number in [0, 1)
 * (clamped into it), so the function is pure. Full jitter spreads a herd of
 * workers that all failed at once over the whole window.
 */
#define XG_SEND_BACKOFF_CAP_S 300
uint64_t xg_send_backoff_ns(unsigned attempt, double jitter01, uint64_t retry_after_s);

/* curl_global_init()/curl_global_cleanup(), once per program, before any
 * thread starts. 0 or -EIO. */
int xg_send_init(void);
void xg_send_cleanup(void);

#endif
