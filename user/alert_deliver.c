// SPDX-License-Identifier: GPL-2.0-only
#include "alert_deliver.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_json(struct json_object *o, size_t *len)
{
	char *s;

	if (!o)
		return NULL;
	s = xg_alert_json_string(o);
	json_object_put(o);
	if (s)
		*len = strlen(s);
	return s;
}

static char *render_opsgenie(const struct xg_alert_event *ev, size_t *len)
{
	struct xg_alert_request req = {0};
	char *body, *out = NULL;

	if (xg_alert_opsgenie(ev, &req))
		return NULL;
	body = xg_alert_json_string(req.body);
	if (body && asprintf(&out, "%s\n%s", req.path, body) < 0)
		out = NULL;
	free(body);
	xg_alert_request_free(&req);
	if (out)
		*len = strlen(out);
	return out;
}

static char *render_email(const struct xg_alert_sink_cfg *s, const struct xg_alert_event *ev,
			  size_t *len)
{
	const char *to[XG_ALERT_MAX_RCPT];
	struct xg_alert_email_opts o = {0};
	char *msg;
	int i;

	for (i = 0; i < s->n_to && i < XG_ALERT_MAX_RCPT; i++)
		to[i] = s->to[i];
	o.from = s->from;
	o.to = to;
	o.n_to = (size_t)i;
	o.subject_prefix = s->subject_prefix[0] ? s->subject_prefix : NULL;
	msg = xg_alert_email(ev, &o);
	if (msg)
		*len = strlen(msg);
	return msg;
}

static char *render_syslog(const struct xg_alert_sink_cfg *s, const struct xg_alert_event *ev,
			   size_t *len)
{
	struct xg_alert_syslog_opts o;
	char *line;

	xg_alert_syslog_defaults(&o);
	o.facility = s->facility;
	o.cef = s->cef;
	o.version = XG_VERSION;
	line = xg_alert_syslog(ev, &o);
	if (line)
		*len = strlen(line);
	return line;
}

int xg_alert_render(const struct xg_alerts_cfg *cfg, int idx, const struct xg_alert_event *ev,
		    char **out, size_t *len)
{
	const struct xg_alert_sink_cfg *s;
	struct xg_alert_event clean;
	char *r = NULL;

	if (idx < 0 || idx >= cfg->route.n_sinks)
		return -EINVAL;
	s = &cfg->sink[idx];
	*len = 0;
	/* A receiver refuses a whole request for one bad byte, and an incident
	 * read back from disk may hold anything: render from a clean copy. */
	clean = *ev;
	clean.incident = xg_alert_clean_json(ev->incident);
	if (ev->incident && !clean.incident)
		return -ENOMEM;
	ev = &clean;
	switch (cfg->route.sinks[idx].type) {
	case XG_ROUTE_SINK_WEBHOOK:
		r = xg_alert_webhook_body(ev);
		if (r)
			*len = strlen(r);
		break;
	case XG_ROUTE_SINK_PAGERDUTY:
		r = dup_json(xg_alert_pagerduty(ev, s->routing_key), len);
		break;
	case XG_ROUTE_SINK_SLACK:
		r = dup_json(xg_alert_slack(ev), len);
		break;
	case XG_ROUTE_SINK_DISCORD:
		/* The mention pages people: only for what is critical. */
		r = dup_json(xg_alert_discord(ev, s->mention[0] &&
							  ev->severity == XG_SEV_CRITICAL &&
							  ev->kind != XG_ALERT_CLOSE
						      ? s->mention
						      : NULL),
			     len);
		break;
	case XG_ROUTE_SINK_OPSGENIE:
		r = render_opsgenie(ev, len);
		break;
	case XG_ROUTE_SINK_EMAIL:
		r = render_email(s, ev, len);
		break;
	case XG_ROUTE_SINK_SYSLOG:
		r = render_syslog(s, ev, len);
		break;
	default:
		json_object_put(clean.incident);
		return -EINVAL;
	}
	json_object_put(clean.incident);
	if (!r)
		return -ENOMEM;
	*out = r;
	return 0;
}

/* The bare address of "Name <addr>" or "addr", for the SMTP envelope. */
static void bare_addr(const char *s, char *out, size_t len)
{
	const char *lt = strrchr(s, '<'), *gt;

	if (lt && (gt = strchr(lt, '>')) != NULL)
		snprintf(out, len, "%.*s", (int)(gt - lt - 1), lt + 1);
	else
		snprintf(out, len, "%s", s);
}

static void deliver_http(const struct xg_alert_sink_cfg *s, enum xg_route_sink_type type,
			 const char *payload, size_t len, int64_t now, struct xg_http_result *res)
{
	const char *hdr[XG_ALERT_MAX_HEADERS + 3];
	char sig[XG_ALERT_SIG_MAX + 32], auth[XG_ALERT_SECRET_MAX + 32];
	char url[XG_ALERT_URL_MAX + 512];
	struct xg_http_req req = {0};
	const char *body = payload;
	size_t n = 0;
	int i, r;

	hdr[n++] = "Content-Type: application/json";
	snprintf(url, sizeof(url), "%s", s->url);
	if (type == XG_ROUTE_SINK_WEBHOOK) {
		for (i = 0; i < s->n_headers; i++)
			hdr[n++] = s->headers[i];
		if (s->secret[0]) {
			r = snprintf(sig, sizeof(sig), "%s: ", XG_ALERT_SIG_HEADER);
			if (xg_alert_sign(s->secret, now, payload, len, sig + r,
					  sizeof(sig) - (size_t)r)) {
				*res = (struct xg_http_result){.outcome = XG_SEND_RETRY};
				snprintf(res->error, sizeof(res->error), "cannot sign the body");
				return;
			}
			hdr[n++] = sig;
		}
	} else if (type == XG_ROUTE_SINK_OPSGENIE) {
		const char *nl = memchr(payload, '\n', len);

		if (!nl) {
			*res = (struct xg_http_result){.outcome = XG_SEND_PERMANENT};
			snprintf(res->error, sizeof(res->error),
				 "malformed queued OpsGenie request");
			return;
		}
		/* the base without a trailing '/', then the request's path */
		snprintf(url, sizeof(url), "%.*s%.*s",
			 (int)(strlen(s->url) - (s->url[strlen(s->url) - 1] == '/')), s->url,
			 (int)(nl - payload), payload);
		body = nl + 1;
		len -= (size_t)(body - payload);
		snprintf(auth, sizeof(auth), "Authorization: GenieKey %s", s->api_key);
		hdr[n++] = auth;
	}
	req.url = url;
	req.body = body;
	req.body_len = len;
	req.headers = hdr;
	req.n_headers = n;
	req.timeout_ms = s->timeout_ms;
	req.insecure = !s->tls_verify;
	req.ca_file = s->ca_file[0] ? s->ca_file : NULL;
	xg_send_http(&req, res);
}

static void deliver_smtp(const struct xg_alert_sink_cfg *s, const char *payload, size_t len,
			 struct xg_http_result *res)
{
	char from[XG_ALERT_ADDR_MAX], to[XG_ALERT_MAX_RCPT][XG_ALERT_ADDR_MAX];
	const char *rcpt[XG_ALERT_MAX_RCPT];
	struct xg_smtp_req req = {0};
	int i;

	bare_addr(s->from, from, sizeof(from));
	for (i = 0; i < s->n_to && i < XG_ALERT_MAX_RCPT; i++) {
		bare_addr(s->to[i], to[i], sizeof(to[i]));
		rcpt[i] = to[i];
	}
	req.url = s->url;
	req.from = from;
	req.rcpt = rcpt;
	req.n_rcpt = (size_t)i;
	req.message = payload;
	req.message_len = len;
	req.user = s->user[0] ? s->user : NULL;
	req.password = s->user[0] ? s->password : NULL;
	req.starttls = s->starttls;
	req.timeout_ms = s->timeout_ms;
	req.insecure = !s->tls_verify;
	req.ca_file = s->ca_file[0] ? s->ca_file : NULL;
	xg_send_smtp(&req, res);
}

void xg_alert_deliver(const struct xg_alerts_cfg *cfg, int idx, const char *payload, size_t len,
		      int64_t now, struct xg_http_result *res)
{
	enum xg_route_sink_type type;

	memset(res, 0, sizeof(*res));
	if (idx < 0 || idx >= cfg->route.n_sinks) {
		res->outcome = XG_SEND_PERMANENT;
		snprintf(res->error, sizeof(res->error), "no such sink");
		return;
	}
	type = cfg->route.sinks[idx].type;
	switch (type) {
	case XG_ROUTE_SINK_EMAIL:
		deliver_smtp(&cfg->sink[idx], payload, len, res);
		break;
	case XG_ROUTE_SINK_SYSLOG:
		/* lines carry no NUL; the stored payload is NUL-terminated */
		xg_send_syslog(cfg->sink[idx].target, payload, res);
		break;
	default:
		deliver_http(&cfg->sink[idx], type, payload, len, now, res);
		break;
	}
}

int xg_alert_render_test(const struct xg_alerts_cfg *cfg, int idx, const char *node, const char *id,
			 int64_t now, char *out[2], size_t len[2])
{
	struct json_object *inc = xg_alert_test_incident(node, now);
	struct xg_alert_event ev = {.severity = XG_SEV_INFO, .node = node, .now = now};
	enum xg_route_sink_type type;
	int r, n = 1;

	if (!inc)
		return -ENOMEM;
	if (idx < 0 || idx >= cfg->route.n_sinks) {
		json_object_put(inc);
		return -EINVAL;
	}
	type = cfg->route.sinks[idx].type;
	json_object_object_add(inc, "id", json_object_new_string(id));
	ev.incident = inc;
	ev.kind = XG_ALERT_TEST;
	r = xg_alert_render(cfg, idx, &ev, &out[0], &len[0]);
	if (!r && (type == XG_ROUTE_SINK_PAGERDUTY || type == XG_ROUTE_SINK_OPSGENIE)) {
		ev.kind = XG_ALERT_CLOSE;
		r = xg_alert_render(cfg, idx, &ev, &out[1], &len[1]);
		if (r)
			free(out[0]);
		n = 2;
	}
	json_object_put(inc);
	return r ? r : n;
}

enum xg_route_sev xg_alert_route_sev(enum xg_alert_sev sev)
{
	switch (sev) {
	case XG_SEV_CRITICAL:
		return XG_ROUTE_SEV_CRITICAL;
	case XG_SEV_ERROR:
		return XG_ROUTE_SEV_ERROR;
	case XG_SEV_WARNING:
		return XG_ROUTE_SEV_WARNING;
	default:
		return XG_ROUTE_SEV_INFO;
	}
}
