/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One sink, end to end: render an alert event into the bytes the sink's
 * queue keeps (xg_alert_render), then deliver those bytes with the sink's
 * transport (xg_alert_deliver). Between the two the bytes sit in the durable
 * queue, possibly across a restart, so everything that must be fresh at
 * send time (the webhook signature's timestamp) is added by the deliverer.
 *
 * The stored form, per sink type:
 *   webhook, pagerduty, slack, discord   the JSON body
 *   opsgenie                             "PATH\n" then the JSON body
 *   email                                the RFC 5322 message
 *   syslog                               the RFC 5424 line
 */
#ifndef XG_ALERT_DELIVER_H
#define XG_ALERT_DELIVER_H

#include <stddef.h>
#include <stdint.h>

#include "alert_cfg.h"
#include "alert_payload.h"
#include "alert_send.h"

#include "version.h"

/* Renders ev for sink idx of cfg. *out is malloc'd (free it), *len its
 * length without the NUL that follows. 0, -EINVAL (bad sink), -ENOMEM. */
int xg_alert_render(const struct xg_alerts_cfg *cfg, int idx, const struct xg_alert_event *ev,
		    char **out, size_t *len);

/* One delivery attempt of rendered bytes to sink idx, at now (unix
 * seconds, for the webhook signature). res is always filled. */
void xg_alert_deliver(const struct xg_alerts_cfg *cfg, int idx, const char *payload, size_t len,
		      int64_t now, struct xg_http_result *res);

/* The test event for sink idx, as 'xdpctl alerts test' sends it: an
 * incident marked as a test (family "test", id = id, severity info). For
 * PagerDuty and OpsGenie a close follows in out[1], so a test leaves no
 * open page behind. Returns how many were rendered (1 or 2; free each), or
 * -errno. */
int xg_alert_render_test(const struct xg_alerts_cfg *cfg, int idx, const char *node, const char *id,
			 int64_t now, char *out[2], size_t len[2]);

/* The event's severity on routing's scale. */
enum xg_route_sev xg_alert_route_sev(enum xg_alert_sev sev);

#endif
