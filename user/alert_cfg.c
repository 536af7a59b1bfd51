// SPDX-License-Identifier: GPL-2.0-only
#include "alert_cfg.h"

#include <stdio.h>
#include <string.h>

#include "alert_payload.h"
#include "alertq.h"

void xg_alerts_cfg_defaults(struct xg_alerts_cfg *a)
{
	memset(a, 0, sizeof(*a));
	a->queue_capacity = XG_ALERTQ_DEFAULT_CAPACITY;
	xg_route_cfg_defaults(&a->route);
}

void xg_alert_sink_defaults(struct xg_alert_sink_cfg *s, enum xg_route_sink_type type)
{
	memset(s, 0, sizeof(*s));
	s->tls_verify = true;
	s->timeout_ms = XG_ALERT_TIMEOUT_MS;
	s->starttls = true;
	s->facility = XG_SYSLOG_FACILITY_DAEMON;
	switch (type) {
	case XG_ROUTE_SINK_PAGERDUTY:
		snprintf(s->url, sizeof(s->url), "%s", XG_PAGERDUTY_URL);
		break;
	case XG_ROUTE_SINK_OPSGENIE:
		snprintf(s->url, sizeof(s->url), "%s", XG_OPSGENIE_API_URL);
		break;
	case XG_ROUTE_SINK_SYSLOG:
		snprintf(s->target, sizeof(s->target), "%s", XG_SYSLOG_DEFAULT_DEST);
		break;
	default:
		break;
	}
}

int xg_alerts_sink_find(const struct xg_alerts_cfg *a, const char *name)
{
	int i;

	for (i = 0; i < a->route.n_sinks; i++)
		if (!strcmp(a->route.sinks[i].name, name))
			return i;
	return -1;
}
