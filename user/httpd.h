/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The HTTP server inside xdpctl run (libmicrohttpd, its own thread):
 *
 *   GET    /metrics                 Prometheus text format 0.0.4 (prom.c)
 *   GET    /status                  the status page (statuspage.c)
 *   GET    /api/v1/status           node, rates, the open incident, counts
 *   GET    /api/v1/incidents        from the journal, newest first
 *                                   (?since=2h|7d|UNIX_TIME, ?limit=N)
 *   GET    /api/v1/incidents/ID     one incident, latest state
 *   GET    /api/v1/blocks           the XDP blocklist
 *   GET    /api/v1/peers            the learned peers
 *   GET    /api/v1/baselines        per metric: rate, baseline (p99), threshold
 *   POST   /api/v1/blocks           {"cidr", "ttl_s", "reason"}
 *   DELETE /api/v1/blocks/CIDR      (/ as %2F) or ?cidr=CIDR
 *   POST   /api/v1/allow            {"cidr", "comment"}
 *   DELETE /api/v1/allow?cidr=CIDR  (or /api/v1/allow/CIDR)
 *
 * The tick thread never waits for it: it renders from copies of the
 * published state (xg_obs_get), the journal, the history (its own lock)
 * and the maps. Changes go through lists.c under the xdpctl lock, as
 * 'xdpctl block' and 'xdpctl allow' make them. Errors are JSON
 * {"error": "...", "status": N}. With http.token set, changes need
 * "Authorization: Bearer TOKEN" (and reads too with http.read_auth); with no
 * token, changes are refused (403).
 */
#ifndef XG_HTTPD_H
#define XG_HTTPD_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "history.h"
#include "maps.h"
#include "obs.h"

#define XG_HTTPD_BODY_MAX (64 * 1024) /* request bodies over this: 413 */

struct xg_httpd;

struct xg_httpd_opts {
	const struct xg_http_cfg *cfg; /* copied */
	const char *state_dir;	       /* copied: the journal and peers.json */
	struct xg_obs_board *board;    /* the tick thread publishes here */
	struct xg_history *history;    /* may be NULL: an empty history */
	const struct xg_maps *maps;    /* the pinned maps, shared with the tick */
	/* One line, from the server's thread; level "error", "warn", "info". */
	void (*log)(void *arg, const char *level, const char *msg);
	void *log_arg;
};

/* Binds and starts serving. 0, or -errno with a one-line err naming the
 * address and port ("cannot listen on 127.0.0.1:9477: Address already in
 * use"). Does nothing (*h NULL, 0) when cfg->enabled is false. */
int xg_httpd_start(struct xg_httpd **h, const struct xg_httpd_opts *o, char *err, size_t errlen);

/* Stops the thread (requests in flight finish) and frees; NULL is fine. */
void xg_httpd_stop(struct xg_httpd *h);

/* True when a and b need a server restart to go from one to the other
 * (every key counts: the token and the page options are the server's
 * copy). */
bool xg_httpd_cfg_changed(const struct xg_http_cfg *a, const struct xg_http_cfg *b);

#endif /* XG_HTTPD_H */
