/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The "alerts" section of the configuration: who hears about incidents
 * (sinks and how to reach them), when (policies, routes, maintenance: the
 * routing part, checked by alert_route) and the durable queue in between.
 * Plain data, parsed by config.c, used by alerter.c.
 *
 * Sinks live in two parallel arrays: route.sinks[i] has the name and type
 * that routing needs, sink[i] how to deliver to it.
 */
#ifndef XG_ALERT_CFG_H
#define XG_ALERT_CFG_H

#include <stdbool.h>
#include <stdint.h>

#include "alert_route.h"

#define XG_ALERT_URL_MAX     512 /* with the NUL */
#define XG_ALERT_SECRET_MAX  256
#define XG_ALERT_HEADER_MAX  256
#define XG_ALERT_MAX_HEADERS 8
#define XG_ALERT_ADDR_MAX    128
#define XG_ALERT_MAX_RCPT    8
#define XG_ALERT_NODE_MAX    64
#define XG_ALERT_MENTION_MAX 64

#define XG_ALERT_QUEUE_MIN     2000
#define XG_ALERT_QUEUE_MAX     1000000
#define XG_ALERT_TIMEOUT_MS    10000 /* a whole attempt, default */
#define XG_OPSGENIE_API_URL    "https://api.opsgenie.com"
#define XG_SYSLOG_DEFAULT_DEST "unix:/dev/log"

/* How to deliver to one sink. Which fields apply depends on the type:
 *   webhook    url (required), secret (HMAC key, optional), headers
 *   pagerduty  url (default XG_PAGERDUTY_URL), routing_key (required)
 *   slack      url (required)
 *   discord    url (required), mention ("@here": content on critical)
 *   opsgenie   url (API base, default XG_OPSGENIE_API_URL), api_key (required)
 *   email      url (smtp://HOST:PORT or smtps://..., required), from, to[]
 *              (required), user, password, starttls, subject_prefix
 *   syslog     target ("udp:HOST:PORT" | "unix:PATH", default
 *              XG_SYSLOG_DEFAULT_DEST), facility, cef
 * Every HTTP and SMTP sink: tls_verify (default true), ca_file, timeout_ms.
 * Secrets (secret, routing_key, api_key, password) never leave this struct
 * except towards the sink: config show prints "***" for them, and URLs and
 * headers go through xg_alert_redact() before any log line. */
struct xg_alert_sink_cfg {
	char url[XG_ALERT_URL_MAX];
	char target[XG_ALERT_URL_MAX];
	char secret[XG_ALERT_SECRET_MAX];
	char routing_key[XG_ALERT_SECRET_MAX];
	char api_key[XG_ALERT_SECRET_MAX];
	char user[XG_ALERT_ADDR_MAX];
	char password[XG_ALERT_SECRET_MAX];
	int n_headers;
	char headers[XG_ALERT_MAX_HEADERS][XG_ALERT_HEADER_MAX]; /* "Name: value" */
	bool tls_verify;
	char ca_file[XG_ALERT_URL_MAX];
	uint32_t timeout_ms; /* 100-120000 */
	char mention[XG_ALERT_MENTION_MAX];
	char from[XG_ALERT_ADDR_MAX];
	int n_to;
	char to[XG_ALERT_MAX_RCPT][XG_ALERT_ADDR_MAX];
	char subject_prefix[XG_ALERT_MENTION_MAX];
	bool starttls; /* smtp:// only: require STARTTLS (default true) */
	int facility;  /* syslog: 0-23, default daemon (3) */
	bool cef;      /* syslog: the CEF record as MSG */
};

struct xg_alerts_cfg {
	char node[XG_ALERT_NODE_MAX]; /* in every alert; "" = the host name */
	uint32_t queue_capacity;      /* events on disk, oldest dropped past it (4096) */
	struct xg_route_cfg route;    /* sinks (name, type), policies, routes, maintenance */
	struct xg_alert_sink_cfg sink[XG_ROUTE_MAX_SINKS];
};

/* No sinks (nothing is alerted), queue 4096; each sink's defaults come from
 * xg_alert_sink_defaults() when config.c adds it. */
void xg_alerts_cfg_defaults(struct xg_alerts_cfg *a);
void xg_alert_sink_defaults(struct xg_alert_sink_cfg *s, enum xg_route_sink_type type);

/* Index of the sink named name in a->route.sinks, or -1. */
int xg_alerts_sink_find(const struct xg_alerts_cfg *a, const char *name);

#endif
