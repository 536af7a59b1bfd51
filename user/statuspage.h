/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The status page (/status): one self-contained HTML document (inline CSS,
 * no script needed, no external asset) for customers and the NOC during an
 * attack: a pill per service (Operational, Elevated traffic, Under attack),
 * the last 24 h of traffic and 30 days of availability as bars, and the
 * incidents of the last 7 days, each expandable (<details>) to its
 * classification and mitigation. With redaction (the default) no address
 * of a peer, an attacker or the node appears anywhere in the document. Pure.
 */
#ifndef XG_STATUSPAGE_H
#define XG_STATUSPAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "obs.h"

struct xg_status_page_opts {
	bool redact;	   /* hide every IP address (default true) */
	const char *title; /* e.g. "Voice platform status"; NULL: "xdpguard status" */
};

/*
 * Renders the page. o may be NULL (no tick published yet: every pill
 * "Unknown"); a state older than 60 s or 10 ticks at now_ns counts as none.
 * history is xg_history_json() (NULL: no charts); incidents is a JSON array
 * of incident objects (xg_incident_to_json, optionally with "top_sources"
 * [{"addr", "pps", "known"}], "mitigation" (lines or the journal's
 * mitigation events) and "closed_by"), newest first, already limited to the
 * last 7 days. opts NULL: the defaults. Returns 0 and a malloc'd,
 * NUL-terminated document, or -ENOMEM.
 *
 * Stable hooks for tests and scrapers: each pill is
 * <span class="pill STATE" data-service="NAME" data-state="STATE">, STATE
 * one of operational, elevated, attack, unknown.
 */
int xg_status_page_render(const struct xg_obs *o, struct json_object *history,
			  struct json_object *incidents, const struct xg_status_page_opts *opts,
			  uint64_t now_ns, char **out, size_t *len);

#endif /* XG_STATUSPAGE_H */
