// SPDX-License-Identifier: GPL-2.0-only
/*
 * The HTTP server of xdpctl run (see httpd.h). Everything here runs on
 * libmicrohttpd's threads and reads copies: the published state, the
 * journal, peers.json and the maps. Nothing it does can hold up a tick
 * except the xdpctl lock, which a change takes for a few map writes, as
 * 'xdpctl block' does.
 */
#include "httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <uthash.h>

#include "bgp_cfg.h"
#include "cli.h"
#include "fsutil.h"
#include "journal.h"
#include "lists.h"
#include "lock.h"
#include "names.h"
#include "prom.h"
#include "statuspage.h"
#include "version.h"

#define HTTPD_THREADS	     2	/* a slow /status never queues a scrape */
#define HTTPD_CONN_MAX	     64 /* connections at once */
#define HTTPD_TIMEOUT_S	     10 /* an idle connection is closed */
#define HTTPD_INCIDENTS_MAX  1000
#define HTTPD_INCIDENTS_DEF  100
#define HTTPD_STATUS_DAYS    7
#define HTTPD_STATUS_MAX     50 /* incidents on the status page */
#define HTTPD_PEERS_FILE_MAX (64u << 20)
#define HTTPD_REASON_LEN     128
#define HTTPD_TTL_MAX	     315360000 /* ten years */

#define CT_JSON "application/json"
#define CT_PROM "text/plain; version=0.0.4; charset=utf-8"
#define CT_HTML "text/html; charset=utf-8"

struct xg_httpd {
	struct MHD_Daemon *mhd;
	struct xg_http_cfg cfg;
	char state_dir[XG_CFG_PATH_LEN];
	struct xg_obs_board *board;
	struct xg_history *history;
	const struct xg_maps *maps;
	void (*log)(void *arg, const char *level, const char *msg);
	void *log_arg;
};

enum route_id {
	R_METRICS,
	R_STATUS_PAGE,
	R_STATUS,
	R_INCIDENTS,
	R_INCIDENT,
	R_BLOCKS,
	R_BLOCK,
	R_PEERS,
	R_BASELINES,
	R_ALLOW,
	R_ALLOW_ONE,
};

enum { M_GET = 1, M_POST = 2, M_DELETE = 4 };

/* The routes: an exact path, or a prefix followed by one argument. */
static const struct route {
	enum route_id id;
	const char *path;
	bool prefix;
	unsigned methods;
	const char *allow; /* the Allow header of a 405 */
} routes[] = {
    {R_METRICS, "/metrics", false, M_GET, "GET, HEAD"},
    {R_STATUS_PAGE, "/status", false, M_GET, "GET, HEAD"},
    {R_STATUS, "/api/v1/status", false, M_GET, "GET, HEAD"},
    {R_INCIDENTS, "/api/v1/incidents", false, M_GET, "GET, HEAD"},
    {R_INCIDENT, "/api/v1/incidents/", true, M_GET, "GET, HEAD"},
    {R_BLOCKS, "/api/v1/blocks", false, M_GET | M_POST | M_DELETE, "GET, HEAD, POST, DELETE"},
    {R_BLOCK, "/api/v1/blocks/", true, M_DELETE, "DELETE"},
    {R_PEERS, "/api/v1/peers", false, M_GET, "GET, HEAD"},
    {R_BASELINES, "/api/v1/baselines", false, M_GET, "GET, HEAD"},
    {R_ALLOW, "/api/v1/allow", false, M_GET | M_POST | M_DELETE, "GET, HEAD, POST, DELETE"},
    {R_ALLOW_ONE, "/api/v1/allow/", true, M_DELETE, "DELETE"},
};

/* One request's state across the handler's calls. */
struct req {
	const struct route *rt;
	const char *arg; /* after a prefix route's path, in the URL */
	unsigned method;
	bool responded; /* answered before the body was read */
	bool too_large;
	char *body;
	size_t len;
};

static void logf_(const struct xg_httpd *h, const char *level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void logf_(const struct xg_httpd *h, const char *level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!h->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	h->log(h->log_arg, level, msg);
}

static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
	const struct xg_httpd *h = cls;
	char msg[512];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	logf_(h, "warn", "http: %s", msg);
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ---- responses ---- */

/* Takes buf (malloc'd). */
static enum MHD_Result send_buf(struct MHD_Connection *conn, unsigned status, const char *type,
				char *buf, size_t len, const char *allow)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(buf);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Bearer realm=\"xdpguard\"");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Takes a reference of o. */
static enum MHD_Result send_json(struct MHD_Connection *conn, unsigned status,
				 struct json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t len = strlen(s);
	char *buf = malloc(len + 2);

	if (buf) {
		memcpy(buf, s, len);
		buf[len++] = '\n';
		buf[len] = '\0';
	}
	json_object_put(o);
	if (!buf)
		return MHD_NO;
	return send_buf(conn, status, CT_JSON, buf, len, NULL);
}

static enum MHD_Result send_error(struct MHD_Connection *conn, unsigned status, const char *allow,
				  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static enum MHD_Result send_error(struct MHD_Connection *conn, unsigned status, const char *allow,
				  const char *fmt, ...)
{
	struct json_object *o = json_object_new_object();
	const char *s;
	char msg[512];
	va_list ap;
	char *buf;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_object_add(o, "error", json_object_new_string(msg));
	json_object_object_add(o, "status", json_object_new_int((int)status));
	s = json_object_to_json_string_ext(o,
					   JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (asprintf(&buf, "%s\n", s) < 0)
		buf = NULL;
	json_object_put(o);
	if (!buf)
		return MHD_NO;
	return send_buf(conn, status, CT_JSON, buf, strlen(buf), allow);
}

/* ---- helpers ---- */

/* The published state, on the heap: it holds the per-port counters. */
static struct xg_obs *obs_copy(struct xg_httpd *h)
{
	struct xg_obs *o = malloc(sizeof(*o));

	if (o && !xg_obs_get(h->board, o)) {
		free(o);
		return NULL;
	}
	return o;
}

static struct json_object *time_json(uint64_t ns)
{
	return json_object_new_double((double)(ns / 1000000ULL) / 1e3);
}

static const char *client_of(struct MHD_Connection *conn, char *buf, size_t len)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(buf, len, "?");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf,
			  (socklen_t)len);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf,
			  (socklen_t)len);
	return buf;
}

/* Compares in time that does not depend on where they differ. */
static bool token_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char d = la != lb;

	for (i = 0; i < lb; i++)
		d |= (unsigned char)(a[i < la ? i : 0] ^ b[i]);
	return d == 0;
}

static bool authorized(const struct xg_httpd *h, struct MHD_Connection *conn)
{
	const char *v =
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);

	if (!h->cfg.token[0] || !v || strncasecmp(v, "Bearer ", 7))
		return false;
	v += 7;
	while (*v == ' ')
		v++;
	return token_equal(v, h->cfg.token);
}

/* %XX decoding of a path argument (a CIDR's / comes as %2F). */
static int unescape(const char *in, char *out, size_t len)
{
	size_t o = 0;
	unsigned x;

	for (; *in; in++) {
		if (o + 1 >= len)
			return -1;
		if (*in == '%' && in[1] && in[2] && sscanf(in + 1, "%2x", &x) == 1) {
			out[o++] = (char)x;
			in += 2;
		} else {
			out[o++] = *in;
		}
	}
	out[o] = '\0';
	return 0;
}

/* ---- incidents from the journal ---- */

struct inc_ent {
	char id[48];
	struct json_object *o; /* the latest event of the incident */
	double start;
	UT_hash_handle hh;
};

struct inc_set {
	struct inc_ent *by_id;
	const char *only_id;
	size_t n;
	bool oom;
};

static int inc_collect(struct json_object *ev, void *arg)
{
	struct inc_set *s = arg;
	const char *id = xg_json_str(ev, "id"), *event = xg_json_str(ev, "event");
	struct json_object *v;
	struct inc_ent *e;

	/* mitigation and escalation lines are journaled too: not incidents */
	if (!event || strncmp(event, "incident_", 9) || !id || strlen(id) >= sizeof(e->id))
		return 0;
	if (s->only_id && strcmp(id, s->only_id))
		return 0;
	HASH_FIND_STR(s->by_id, id, e);
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e) {
			s->oom = true;
			return -ENOMEM;
		}
		snprintf(e->id, sizeof(e->id), "%s", id);
		HASH_ADD_STR(s->by_id, id, e);
		s->n++;
	}
	json_object_put(e->o);
	e->o = json_object_get(ev);
	e->start = json_object_object_get_ex(ev, "start", &v) ? json_object_get_double(v) : 0;
	return 0;
}

static int inc_newest_first(struct inc_ent *a, struct inc_ent *b)
{
	if (a->start != b->start)
		return a->start < b->start ? 1 : -1;
	return strcmp(b->id, a->id);
}

static void inc_free(struct inc_set *s)
{
	struct inc_ent *e, *tmp;

	HASH_ITER (hh, s->by_id, e, tmp) {
		HASH_DEL(s->by_id, e);
		json_object_put(e->o);
		free(e);
	}
}

/* The incidents that started at or after since (Unix seconds), newest
 * first, at most limit, in an array. NULL when the journal cannot be read. */
static struct json_object *incidents_json(struct xg_httpd *h, double since, size_t limit,
					  const char *only_id)
{
	struct inc_set s = {.only_id = only_id};
	struct json_object *arr;
	struct inc_ent *e, *tmp;
	char err[256];
	int ret;

	ret = xg_journal_read(h->state_dir, inc_collect, &s, err, sizeof(err));
	if (ret < 0 || s.oom) {
		inc_free(&s);
		return NULL;
	}
	HASH_SORT(s.by_id, inc_newest_first);
	arr = json_object_new_array();
	HASH_ITER (hh, s.by_id, e, tmp) {
		if (json_object_array_length(arr) >= limit)
			break;
		if (e->start >= since)
			json_object_array_add(arr, json_object_get(e->o));
	}
	inc_free(&s);
	return arr;
}

/* ---- GET handlers ---- */

static enum MHD_Result get_metrics(struct xg_httpd *h, struct MHD_Connection *conn)
{
	struct xg_obs *o = obs_copy(h);
	char *buf = NULL;
	size_t len = 0;
	int ret;

	if (!o)
		return send_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, NULL,
				  "the controller has not published a tick yet");
	ret = xg_prom_render(o, (int)h->cfg.top_ports, &buf, &len);
	free(o);
	if (ret)
		return send_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL, "out of memory");
	return send_buf(conn, MHD_HTTP_OK, CT_PROM, buf, len, NULL);
}

static enum MHD_Result get_status_page(struct xg_httpd *h, struct MHD_Connection *conn)
{
	struct xg_status_page_opts po = {
	    .redact = h->cfg.status_redact,
	    .title = h->cfg.status_title[0] ? h->cfg.status_title : NULL,
	};
	uint64_t now = realtime_ns();
	struct json_object *hist, *inc;
	struct xg_obs *o;
	char *buf = NULL;
	size_t len = 0;
	int ret;

	if (!h->cfg.status_page)
		return send_error(conn, MHD_HTTP_NOT_FOUND, NULL,
				  "the status page is off (http.status_page.enabled)");
	o = obs_copy(h); /* NULL: every pill "unknown" */
	hist = h->history ? xg_history_json(h->history, now) : json_object_new_object();
	inc = incidents_json(h, (double)now / 1e9 - HTTPD_STATUS_DAYS * 86400.0, HTTPD_STATUS_MAX,
			     NULL);
	if (!inc)
		inc = json_object_new_array();
	ret = xg_status_page_render(o, hist, inc, &po, now, &buf, &len);
	json_object_put(hist);
	json_object_put(inc);
	free(o);
	if (ret)
		return send_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL, "out of memory");
	return send_buf(conn, MHD_HTTP_OK, CT_HTML, buf, len, NULL);
}

static double sum(const double *v, int n)
{
	double s = 0;
	int i;

	for (i = 0; i < n; i++)
		s += v[i];
	return s;
}

static struct json_object *rates_json(const struct xg_obs *o)
{
	const struct xg_snapshot *s = &o->snap;
	struct json_object *r = json_object_new_object();
	struct json_object *proto = json_object_new_object();
	struct json_object *svc = json_object_new_object();
	int i;

	json_object_object_add(r, "interval_s", json_object_new_double(s->interval_s));
	json_object_object_add(r, "pps", json_object_new_double(s->metric[XG_M_PPS]));
	json_object_object_add(r, "bps", json_object_new_double(s->metric[XG_M_BPS]));
	json_object_object_add(r, "dropped_pps",
			       json_object_new_double(sum(s->drop_pps, XG_REASON_MAX)));
	json_object_object_add(r, "would_drop_pps",
			       json_object_new_double(sum(s->would_drop_pps, XG_REASON_MAX)));
	json_object_object_add(r, "allowed_pps", json_object_new_double(s->allowed_pps));
	for (i = 0; i < XG_PROTO_MAX; i++)
		json_object_object_add(proto, xg_proto_name(i),
				       json_object_new_double(s->proto_pps[i]));
	json_object_object_add(r, "proto_pps", proto);
	for (i = XG_SVC_SIP_UDP; i < XG_SVC_MAX; i++) {
		struct json_object *e;

		/* the extra classes only when they see traffic */
		if (i >= XG_SVC_EXTRA0 && !s->svc_pps[i])
			continue;
		e = json_object_new_object();
		json_object_object_add(e, "pps", json_object_new_double(s->svc_pps[i]));
		json_object_object_add(e, "bps", json_object_new_double(s->svc_bps[i]));
		json_object_object_add(svc, xg_svc_name(i), e);
	}
	json_object_object_add(r, "services", svc);
	return r;
}

static enum MHD_Result get_status(struct xg_httpd *h, struct MHD_Connection *conn)
{
	struct xg_obs *o = obs_copy(h);
	struct json_object *r, *ifs, *esc, *cnt, *inc = NULL;
	int i;

	if (!o)
		return send_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, NULL,
				  "the controller has not published a tick yet");
	r = json_object_new_object();
	ifs = json_object_new_array();
	esc = json_object_new_object();
	cnt = json_object_new_object();
	json_object_object_add(r, "node", json_object_new_string(o->node));
	json_object_object_add(r, "version", json_object_new_string(XG_VERSION));
	for (i = 0; i < o->n_ifaces && i < XG_CFG_MAX_IFACES; i++)
		json_object_array_add(ifs, json_object_new_string(o->ifaces[i]));
	json_object_object_add(r, "interfaces", ifs);
	json_object_object_add(r, "tick_ms", json_object_new_int64(o->tick_ms));
	json_object_object_add(r, "ts", time_json(o->ts_ns));
	json_object_object_add(r, "started", time_json(o->start_ns));
	json_object_object_add(
	    r, "uptime_s",
	    json_object_new_int64(
		o->ts_ns > o->start_ns ? (int64_t)((o->ts_ns - o->start_ns) / 1000000000ULL) : 0));
	json_object_object_add(r, "ticks", json_object_new_int64((int64_t)o->seq));
	json_object_object_add(r, "learning", json_object_new_boolean(o->learning));
	json_object_object_add(r, "monitor_only", json_object_new_boolean(o->monitor_only));
	json_object_object_add(r, "rates", o->have_snap ? rates_json(o) : NULL);
	if (o->incident_open) {
		inc = xg_incident_to_json(&o->inc, "incident_open");
		json_object_object_del(inc, "event");
	}
	json_object_object_add(r, "incident", inc);
	json_object_object_add(r, "incidents_total",
			       json_object_new_int64((int64_t)o->incidents_total));
	json_object_object_add(esc, "level", json_object_new_int(o->esc_level));
	json_object_object_add(esc, "name",
			       json_object_new_string(xg_bgp_level_name(o->esc_level) ?: "none"));
	json_object_object_add(r, "escalation", esc);
	json_object_object_add(cnt, "blocks_active",
			       json_object_new_int64((int64_t)o->blocks_active));
	json_object_object_add(cnt, "allowlist", json_object_new_int64((int64_t)o->allow_entries));
	json_object_object_add(cnt, "peers", json_object_new_int64((int64_t)o->peers_learned));
	json_object_object_add(cnt, "bgp_rules", json_object_new_int64((int64_t)o->bgp_rules));
	json_object_object_add(cnt, "alert_queue",
			       json_object_new_int64((int64_t)o->alert_queue_depth));
	json_object_object_add(r, "counts", cnt);
	free(o);
	return send_json(conn, MHD_HTTP_OK, r);
}

static enum MHD_Result get_incidents(struct xg_httpd *h, struct MHD_Connection *conn)
{
	const char *since_s = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "since");
	const char *limit_s = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "limit");
	struct json_object *arr, *r;
	uint64_t limit = HTTPD_INCIDENTS_DEF;
	double since = 0;

	if (since_s && xg_parse_since(since_s, &since))
		return send_error(conn, MHD_HTTP_BAD_REQUEST, NULL,
				  "invalid since: use 2h, 7d, a Unix time, 2026-11-21 or "
				  "2026-11-21T10:00:00Z");
	if (limit_s && xg_parse_uint(limit_s, 1, HTTPD_INCIDENTS_MAX, &limit))
		return send_error(conn, MHD_HTTP_BAD_REQUEST, NULL, "invalid limit: 1-%d",
				  HTTPD_INCIDENTS_MAX);
	arr = incidents_json(h, since, (size_t)limit, NULL);
	if (!arr)
		return send_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL,
				  "cannot read the incident journal");
	r = json_object_new_object();
	json_object_object_add(r, "count",
			       json_object_new_int64((int64_t)json_object_array_length(arr)));
	json_object_object_add(r, "incidents", arr);
	return send_json(conn, MHD_HTTP_OK, r);
}

static enum MHD_Result get_incident(struct xg_httpd *h, struct MHD_Connection *conn, const char *id)
{
	struct json_object *arr, *one;

	if (!*id || strlen(id) >= 48)
		return send_error(conn, MHD_HTTP_NOT_FOUND, NULL, "no such incident");
	arr = incidents_json(h, 0, 1, id);
	if (!arr)
		return send_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL,
				  "cannot read the incident journal");
	if (!json_object_array_length(arr)) {
		json_object_put(arr);
		return send_error(conn, MHD_HTTP_NOT_FOUND, NULL, "no incident '%s'", id);
	}
	one = json_object_get(json_object_array_get_idx(arr, 0));
	json_object_put(arr);
	return send_json(conn, MHD_HTTP_OK, one);
}

/* An entry as 'xdpctl list --json' prints it. */
struct list_walk {
	uint64_t now;
	struct json_object *arr;
};

static int entry_json(const struct xg_entry *e, void *arg)
{
	struct list_walk *w = arg;
	struct json_object *j = json_object_new_object();
	uint64_t created = e->list == XG_LIST_BLOCK ? e->block.created_ns : e->allow.created_ns;
	char cidr[64];

	xg_cidr_format(&e->cidr, cidr, sizeof(cidr));
	json_object_object_add(j, "cidr", json_object_new_string(cidr));
	json_object_object_add(
	    j, "age_s",
	    json_object_new_int64(w->now > created ? (int64_t)((w->now - created) / 1000000000ULL)
						   : 0));
	if (e->list == XG_LIST_BLOCK) {
		const struct xg_block *b = &e->block;
		bool expired = b->expires_ns && b->expires_ns <= w->now;

		json_object_object_add(j, "action",
				       json_object_new_string(xg_action_name(b->action)));
		json_object_object_add(
		    j, "rate_pps",
		    b->action == XG_ACTION_RATELIMIT ? json_object_new_int64(b->rate_pps) : NULL);
		json_object_object_add(
		    j, "ttl_left_s",
		    b->expires_ns
			? json_object_new_int64(
			      expired ? 0
				      : (int64_t)((b->expires_ns - w->now + 999999999ULL) /
						  1000000000ULL))
			: NULL);
		json_object_object_add(j, "expired", json_object_new_boolean(expired));
		json_object_object_add(j, "hits", json_object_new_int64((int64_t)b->hits));
		json_object_object_add(j, "origin",
				       json_object_new_string(xg_origin_name(b->origin)));
		json_object_object_add(j, "incident", json_object_new_int64(b->incident));
		json_object_object_add(j, "reason", json_object_new_string(xg_why_name(b->why)));
	} else {
		json_object_object_add(j, "origin",
				       json_object_new_string(xg_origin_name(e->allow.origin)));
		json_object_object_add(j, "hits", json_object_new_int64((int64_t)e->allow.hits));
		json_object_object_add(j, "comment", json_object_new_string(e->allow.comment));
	}
	json_object_array_add(w->arr, j);
	return 0;
}

static enum MHD_Result get_list(struct xg_httpd *h, struct MHD_Connection *conn, enum xg_list list)
{
	struct list_walk w = {.now = xg_mono_ns(), .arr = json_object_new_array()};
	const char *name = list == XG_LIST_BLOCK ? "blocks" : "allow";
	struct json_object *r;
	int ret;

	ret = xg_list_walk(h->maps, list, entry_json, &w);
	if (ret) {
		json_object_put(w.arr);
		return send_error(
		    conn, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL, "cannot read the %s: %s",
		    list == XG_LIST_BLOCK ? "blocklist" : "allowlist", strerror(-ret));
	}
	r = json_object_new_object();
	json_object_object_add(r, "count",
			       json_object_new_int64((int64_t)json_object_array_length(w.arr)));
	json_object_object_add(r, name, w.arr);
	return send_json(conn, MHD_HTTP_OK, r);
}

static enum MHD_Result get_peers(struct xg_httpd *h, struct MHD_Connection *conn)
{
	struct json_object *o, *arr, *r;
	char path[XG_CFG_PATH_LEN + 16], err[256], *text = NULL;
	int ret;

	snprintf(path, sizeof(path), "%s/peers.json", h->state_dir);
	ret = xg_read_file(path, HTTPD_PEERS_FILE_MAX, &text, NULL, err, sizeof(err));
	if (ret && ret != -ENOENT)
		return send_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL, "%s", err);
	o = ret ? NULL : json_tokener_parse(text);
	free(text);
	if (!o || !json_object_object_get_ex(o, "peers", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		json_object_put(o);
		if (!ret)
			return send_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL,
					  "%s is not an xdpguard peers file", path);
		arr = json_object_new_array(); /* nothing learned yet */
	} else {
		arr = json_object_get(arr);
		json_object_put(o);
	}
	r = json_object_new_object();
	json_object_object_add(r, "count",
			       json_object_new_int64((int64_t)json_object_array_length(arr)));
	json_object_object_add(r, "peers", arr);
	return send_json(conn, MHD_HTTP_OK, r);
}

static enum MHD_Result get_baselines(struct xg_httpd *h, struct MHD_Connection *conn)
{
	struct xg_obs *o = obs_copy(h);
	struct json_object *r, *m;
	int i;

	if (!o)
		return send_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, NULL,
				  "the controller has not published a tick yet");
	r = json_object_new_object();
	m = json_object_new_object();
	json_object_object_add(r, "ts", time_json(o->ts_ns));
	json_object_object_add(r, "learning", json_object_new_boolean(o->learning));
	for (i = 0; i < XG_M_MAX; i++) {
		struct json_object *e = json_object_new_object();

		json_object_object_add(
		    e, "rate", json_object_new_double(o->have_snap ? o->snap.metric[i] : 0));
		json_object_object_add(e, "baseline", json_object_new_double(o->baseline[i]));
		json_object_object_add(e, "threshold", json_object_new_double(o->thr[i]));
		json_object_object_add(m, xg_metric_name(i), e);
	}
	json_object_object_add(r, "metrics", m);
	free(o);
	return send_json(conn, MHD_HTTP_OK, r);
}

/* ---- changes ---- */

/* The body as a JSON object with only the keys in known; NULL and a 400
 * queued when it is not. */
static struct json_object *parse_body(struct MHD_Connection *conn, const struct req *r,
				      const char *const *known, enum MHD_Result *res)
{
	struct json_tokener *tok = json_tokener_new_ex(8);
	struct json_object *o = NULL;
	size_t end = 0;
	int i;

	if (!tok) {
		*res = MHD_NO;
		return NULL;
	}
	if (r->len)
		o = json_tokener_parse_ex(tok, r->body, (int)r->len);
	if (o)
		end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	while (o && end < r->len && strchr(" \t\r\n", r->body[end]))
		end++;
	if (!o || end != r->len || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		*res = send_error(conn, MHD_HTTP_BAD_REQUEST, NULL,
				  "the body must be one JSON object");
		return NULL;
	}
	json_object_object_foreach (o, key, val) {
		(void)val;
		for (i = 0; known[i] && strcmp(known[i], key); i++)
			;
		if (!known[i]) {
			*res = send_error(conn, MHD_HTTP_BAD_REQUEST, NULL, "unknown key '%.64s'",
					  key);
			json_object_put(o);
			return NULL;
		}
	}
	return o;
}

/* A string member: NULL when absent; *bad when present but not a short,
 * one-line string. */
static const char *str_member(struct json_object *o, const char *key, size_t max, bool *bad)
{
	struct json_object *v;
	const char *s, *p;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return NULL;
	if (!json_object_is_type(v, json_type_string)) {
		*bad = true;
		return NULL;
	}
	s = json_object_get_string(v);
	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*bad = true;
	if (strlen(s) > max)
		*bad = true;
	return s;
}

static enum MHD_Result bad_cidr(struct MHD_Connection *conn, const char *text, struct xg_cidr *out)
{
	char err[256];

	if (!text)
		return send_error(conn, MHD_HTTP_BAD_REQUEST, NULL, "cidr is required");
	if (xg_cidr_parse(text, out, err, sizeof(err)))
		return send_error(conn, MHD_HTTP_BAD_REQUEST, NULL, "invalid CIDR: %s", err);
	return MHD_YES;
}

/* An API change in the journal, next to the controller's own decisions;
 * extra's members (borrowed) go in too. */
static void journal_change(struct xg_httpd *h, const char *event, const char *cidr,
			   const char *client, struct json_object *extra)
{
	struct json_object *o = json_object_new_object();
	char err[256];

	json_object_object_add(o, "event", json_object_new_string(event));
	json_object_object_add(o, "ts", time_json(realtime_ns()));
	json_object_object_add(o, "cidr", json_object_new_string(cidr));
	if (extra) {
		json_object_object_foreach (extra, key, val)
			json_object_object_add(o, key, json_object_get(val));
	}
	json_object_object_add(o, "via", json_object_new_string("api"));
	json_object_object_add(o, "client", json_object_new_string(client));
	if (xg_journal_append_json(h->state_dir, o, true, err, sizeof(err)))
		logf_(h, "error", "http: %s", err);
	json_object_put(o);
}

static enum MHD_Result post_block(struct xg_httpd *h, struct MHD_Connection *conn,
				  const struct req *r)
{
	static const char *const known[] = {"cidr", "ttl_s", "rate_pps", "reason", NULL};
	struct xg_block_spec spec = {.origin = XG_ORIGIN_API, .why = XG_WHY_MANUAL};
	char err[256], text[64], client[64];
	const char *cidr_s, *reason;
	struct json_object *o, *v, *res_o;
	enum MHD_Result res = MHD_YES;
	struct xg_cidr cidr;
	bool bad = false;
	int lock, ret;

	o = parse_body(conn, r, known, &res);
	if (!o)
		return res;
	cidr_s = str_member(o, "cidr", 64, &bad);
	reason = str_member(o, "reason", HTTPD_REASON_LEN, &bad);
	if (bad) {
		res = send_error(conn, MHD_HTTP_BAD_REQUEST, NULL,
				 "cidr and reason must be one-line strings (reason at most %d "
				 "characters)",
				 HTTPD_REASON_LEN);
		goto out;
	}
	if (!cidr_s || xg_cidr_parse(cidr_s, &cidr, err, sizeof(err))) {
		res = bad_cidr(conn, cidr_s, &cidr);
		goto out;
	}
	if (json_object_object_get_ex(o, "ttl_s", &v) && !json_object_is_type(v, json_type_null)) {
		int64_t t = json_object_get_int64(v);

		if (!json_object_is_type(v, json_type_int) || t < 1 || t > HTTPD_TTL_MAX) {
			res = send_error(conn, MHD_HTTP_BAD_REQUEST, NULL,
					 "ttl_s must be an integer 1-%d (leave it out for no "
					 "expiry)",
					 HTTPD_TTL_MAX);
			goto out;
		}
		spec.ttl_s = (uint64_t)t;
	}
	if (json_object_object_get_ex(o, "rate_pps", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		int64_t p = json_object_get_int64(v);

		if (!json_object_is_type(v, json_type_int) || p < 1 || p > 100000000) {
			res = send_error(conn, MHD_HTTP_BAD_REQUEST, NULL,
					 "rate_pps must be an integer 1-100000000 (leave it out "
					 "to drop)");
			goto out;
		}
		spec.rate_pps = (uint32_t)p;
	}
	/* as 'xdpctl block': one writer at a time, expired entries first */
	lock = xg_lock(err, sizeof(err));
	if (lock < 0) {
		res = send_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL, "%s", err);
		goto out;
	}
	xg_block_reap(h->maps, xg_mono_ns());
	ret = xg_block_add(h->maps, &cidr, &spec, xg_mono_ns(), err, sizeof(err));
	xg_unlock(lock);
	if (ret) {
		res = send_error(
		    conn, ret == -EINVAL ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_INTERNAL_SERVER_ERROR,
		    NULL, "%s", err);
		goto out;
	}
	xg_cidr_format(&cidr, text, sizeof(text));
	client_of(conn, client, sizeof(client));
	logf_(h, "info", "api: %s %s%s%llu s by %s%s%s", spec.rate_pps ? "rate-limited" : "blocked",
	      text, spec.ttl_s ? " for " : ", no expiry", (unsigned long long)spec.ttl_s, client,
	      reason ? ": " : "", reason ? reason : "");
	res_o = json_object_new_object();
	json_object_object_add(res_o, "ttl_s",
			       spec.ttl_s ? json_object_new_int64((int64_t)spec.ttl_s) : NULL);
	json_object_object_add(res_o, "rate_pps",
			       spec.rate_pps ? json_object_new_int64(spec.rate_pps) : NULL);
	json_object_object_add(res_o, "reason", reason ? json_object_new_string(reason) : NULL);
	journal_change(h, "api_block", text, client, res_o);
	json_object_object_add(res_o, "cidr", json_object_new_string(text));
	json_object_object_add(res_o, "action",
			       json_object_new_string(xg_action_name(
				   spec.rate_pps ? XG_ACTION_RATELIMIT : XG_ACTION_DROP)));
	json_object_object_add(res_o, "origin",
			       json_object_new_string(xg_origin_name(XG_ORIGIN_API)));
	res = send_json(conn, MHD_HTTP_CREATED, res_o);
out:
	json_object_put(o);
	return res;
}

static enum MHD_Result post_allow(struct xg_httpd *h, struct MHD_Connection *conn,
				  const struct req *r)
{
	static const char *const known[] = {"cidr", "comment", NULL};
	char err[256], text[64], client[64];
	const char *cidr_s, *comment;
	struct json_object *o, *res_o;
	enum MHD_Result res = MHD_YES;
	struct xg_cidr cidr;
	bool bad = false;
	int lock, ret;

	o = parse_body(conn, r, known, &res);
	if (!o)
		return res;
	cidr_s = str_member(o, "cidr", 64, &bad);
	comment = str_member(o, "comment", XG_COMMENT_LEN - 1, &bad);
	if (bad) {
		res = send_error(conn, MHD_HTTP_BAD_REQUEST, NULL,
				 "cidr and comment must be one-line strings (comment at most %d "
				 "characters)",
				 XG_COMMENT_LEN - 1);
		goto out;
	}
	if (!cidr_s || xg_cidr_parse(cidr_s, &cidr, err, sizeof(err))) {
		res = bad_cidr(conn, cidr_s, &cidr);
		goto out;
	}
	lock = xg_lock(err, sizeof(err));
	if (lock < 0) {
		res = send_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL, "%s", err);
		goto out;
	}
	ret = xg_allow_add_origin(h->maps, &cidr, comment, XG_ORIGIN_API, xg_mono_ns(), err,
				  sizeof(err));
	xg_unlock(lock);
	if (ret) {
		res = send_error(
		    conn, ret == -EINVAL ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_INTERNAL_SERVER_ERROR,
		    NULL, "%s", err);
		goto out;
	}
	xg_cidr_format(&cidr, text, sizeof(text));
	client_of(conn, client, sizeof(client));
	logf_(h, "info", "api: allowlisted %s by %s%s%s", text, client, comment ? ": " : "",
	      comment ? comment : "");
	res_o = json_object_new_object();
	json_object_object_add(res_o, "comment", json_object_new_string(comment ? comment : ""));
	journal_change(h, "api_allow", text, client, res_o);
	json_object_object_add(res_o, "cidr", json_object_new_string(text));
	json_object_object_add(res_o, "origin",
			       json_object_new_string(xg_origin_name(XG_ORIGIN_API)));
	res = send_json(conn, MHD_HTTP_CREATED, res_o);
out:
	json_object_put(o);
	return res;
}

/* DELETE of a block or allow entry: the CIDR from the path or ?cidr=. */
static enum MHD_Result delete_entry(struct xg_httpd *h, struct MHD_Connection *conn,
				    const struct req *r, enum xg_list list)
{
	const char *q = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "cidr");
	const char *what = list == XG_LIST_BLOCK ? "blocklist" : "allowlist";
	char arg[128], err[256], text[64], client[64];
	struct json_object *res_o;
	struct xg_cidr cidr;
	int lock, ret;

	if (r->arg && *r->arg) {
		if (unescape(r->arg, arg, sizeof(arg)))
			return send_error(conn, MHD_HTTP_BAD_REQUEST, NULL, "invalid CIDR");
	} else if (q) {
		snprintf(arg, sizeof(arg), "%s", q);
	} else {
		return send_error(conn, MHD_HTTP_BAD_REQUEST, NULL,
				  "which entry? /api/v1/%s/10.0.0.0%%2F8 or ?cidr=10.0.0.0/8",
				  list == XG_LIST_BLOCK ? "blocks" : "allow");
	}
	if (xg_cidr_parse(arg, &cidr, err, sizeof(err)))
		return send_error(conn, MHD_HTTP_BAD_REQUEST, NULL, "invalid CIDR: %s", err);
	lock = xg_lock(err, sizeof(err));
	if (lock < 0)
		return send_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL, "%s", err);
	ret = xg_list_del(h->maps, list, &cidr, err, sizeof(err));
	xg_unlock(lock);
	xg_cidr_format(&cidr, text, sizeof(text));
	if (ret == -ENOENT)
		return send_error(conn, MHD_HTTP_NOT_FOUND, NULL, "%s is not in the %s", text,
				  what);
	if (ret)
		return send_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL, "%s", err);
	client_of(conn, client, sizeof(client));
	logf_(h, "info", "api: removed %s from the %s by %s", text, what, client);
	journal_change(h, list == XG_LIST_BLOCK ? "api_unblock" : "api_disallow", text, client,
		       NULL);
	res_o = json_object_new_object();
	json_object_object_add(res_o, "removed", json_object_new_string(text));
	json_object_object_add(res_o, "list", json_object_new_string(what));
	return send_json(conn, MHD_HTTP_OK, res_o);
}

/* ---- dispatch ---- */

static const struct route *find_route(const char *url, const char **arg)
{
	size_t i, n;

	*arg = NULL;
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		n = strlen(routes[i].path);
		if (!routes[i].prefix && !strcmp(url, routes[i].path))
			return &routes[i];
		if (routes[i].prefix && !strncmp(url, routes[i].path, n) && url[n]) {
			*arg = url + n;
			return &routes[i];
		}
	}
	return NULL;
}

static unsigned method_of(const char *m)
{
	if (!strcmp(m, MHD_HTTP_METHOD_GET) || !strcmp(m, MHD_HTTP_METHOD_HEAD))
		return M_GET;
	if (!strcmp(m, MHD_HTTP_METHOD_POST))
		return M_POST;
	if (!strcmp(m, MHD_HTTP_METHOD_DELETE))
		return M_DELETE;
	return 0;
}

/* What can be decided from the request line and headers: 404, 405, 401,
 * 403, 413, answered before any body is read (r->responded). MHD_YES
 * without a response when the request may go on. */
static enum MHD_Result precheck(struct xg_httpd *h, struct MHD_Connection *conn, const char *url,
				struct req *r)
{
	const char *cl;
	bool change;

	r->responded = true;
	r->rt = find_route(url, &r->arg);
	if (!r->rt)
		return send_error(conn, MHD_HTTP_NOT_FOUND, NULL, "no such resource: %.100s", url);
	if (!(r->rt->methods & r->method))
		return send_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, r->rt->allow,
				  "method not allowed (allowed: %s)", r->rt->allow);
	change = r->method != M_GET;
	if (change && !h->cfg.token[0])
		return send_error(conn, MHD_HTTP_FORBIDDEN, NULL,
				  "changes are off: set http.token to enable changes");
	if ((change || h->cfg.read_auth) && !authorized(h, conn))
		return send_error(conn, MHD_HTTP_UNAUTHORIZED, NULL,
				  "a valid 'Authorization: Bearer TOKEN' header is required");
	cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl && strtoull(cl, NULL, 10) > XG_HTTPD_BODY_MAX)
		return send_error(conn, MHD_HTTP_CONTENT_TOO_LARGE, NULL,
				  "the body is larger than %d bytes", XG_HTTPD_BODY_MAX);
	r->responded = false;
	return MHD_YES;
}

static enum MHD_Result dispatch(struct xg_httpd *h, struct MHD_Connection *conn,
				const struct req *r)
{
	bool get = r->method == M_GET;

	switch (r->rt->id) {
	case R_METRICS:
		return get_metrics(h, conn);
	case R_STATUS_PAGE:
		return get_status_page(h, conn);
	case R_STATUS:
		return get_status(h, conn);
	case R_INCIDENTS:
		return get_incidents(h, conn);
	case R_INCIDENT:
		return get_incident(h, conn, r->arg);
	case R_PEERS:
		return get_peers(h, conn);
	case R_BASELINES:
		return get_baselines(h, conn);
	case R_BLOCKS:
		if (get)
			return get_list(h, conn, XG_LIST_BLOCK);
		return r->method == M_POST ? post_block(h, conn, r)
					   : delete_entry(h, conn, r, XG_LIST_BLOCK);
	case R_ALLOW:
		if (get)
			return get_list(h, conn, XG_LIST_ALLOW);
		return r->method == M_POST ? post_allow(h, conn, r)
					   : delete_entry(h, conn, r, XG_LIST_ALLOW);
	case R_BLOCK:
		return delete_entry(h, conn, r, XG_LIST_BLOCK);
	case R_ALLOW_ONE:
		return delete_entry(h, conn, r, XG_LIST_ALLOW);
	}
	return send_error(conn, MHD_HTTP_NOT_FOUND, NULL, "no such resource");
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	struct xg_httpd *h = cls;
	struct req *r = *con_cls;
	(void)version;
	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		*con_cls = r;
		r->method = method_of(method);
		return precheck(h, conn, url, r);
	}
	if (*upload_size) {
		if (!r->responded && !r->too_large) {
			if (r->len + *upload_size > XG_HTTPD_BODY_MAX) {
				r->too_large = true;
			} else {
				char *nb = realloc(r->body, r->len + *upload_size + 1);

				if (!nb)
					return MHD_NO;
				memcpy(nb + r->len, upload, *upload_size);
				r->body = nb;
				r->len += *upload_size;
				r->body[r->len] = '\0';
			}
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->responded)
		return MHD_YES;
	r->responded = true;
	r->rt = find_route(url, &r->arg); /* this call's url: the argument points into it */
	if (r->too_large)
		return send_error(conn, MHD_HTTP_CONTENT_TOO_LARGE, NULL,
				  "the body is larger than %d bytes", XG_HTTPD_BODY_MAX);
	return dispatch(h, conn, r);
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (r) {
		free(r->body);
		free(r);
		*con_cls = NULL;
	}
}

/* ---- start and stop ---- */

/* Our own socket: a bind error is then the kernel's, word for word. */
static int listen_on(const struct xg_http_cfg *cfg, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	bool v6 = strchr(cfg->bind, ':') != NULL;
	socklen_t sl;
	int fd, one = 1, e;

	memset(&ss, 0, sizeof(ss));
	if (v6) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(cfg->port);
		e = inet_pton(AF_INET6, cfg->bind, &s6->sin6_addr);
		sl = sizeof(*s6);
	} else {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(cfg->port);
		e = inet_pton(AF_INET, cfg->bind, &s4->sin_addr);
		sl = sizeof(*s4);
	}
	if (e != 1) {
		snprintf(err, errlen, "http: invalid bind address %s", cfg->bind);
		return -EINVAL;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (v6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) || listen(fd, 64))
		goto fail;
	return fd;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	snprintf(err, errlen, "http: cannot listen on %s%s%s:%u: %s", v6 ? "[" : "", cfg->bind,
		 v6 ? "]" : "", cfg->port, strerror(e));
	return -e;
}

int xg_httpd_start(struct xg_httpd **out, const struct xg_httpd_opts *o, char *err, size_t errlen)
{
	struct xg_httpd *h;
	int fd;

	*out = NULL;
	if (!o->cfg->enabled)
		return 0;
	h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "http: out of memory");
		return -ENOMEM;
	}
	h->cfg = *o->cfg;
	snprintf(h->state_dir, sizeof(h->state_dir), "%s", o->state_dir);
	h->board = o->board;
	h->history = o->history;
	h->maps = o->maps;
	h->log = o->log;
	h->log_arg = o->log_arg;
	fd = listen_on(&h->cfg, err, errlen);
	if (fd < 0) {
		free(h);
		return fd;
	}
	h->mhd = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG |
		(strchr(h->cfg.bind, ':') ? MHD_USE_IPv6 : 0),
	    /* the logger first: libmicrohttpd warns about any option before it */
	    0, NULL, NULL, handle, h, MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, h,
	    MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)HTTPD_THREADS,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTPD_CONN_MAX, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)HTTPD_TIMEOUT_S, MHD_OPTION_NOTIFY_COMPLETED, completed, h, MHD_OPTION_END);
	if (!h->mhd) {
		close(fd);
		snprintf(err, errlen, "http: cannot start the server on %s:%u", h->cfg.bind,
			 h->cfg.port);
		free(h);
		return -EIO;
	}
	*out = h;
	return 0;
}

void xg_httpd_stop(struct xg_httpd *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->mhd); /* closes the listening socket too */
	free(h);
}

bool xg_httpd_cfg_changed(const struct xg_http_cfg *a, const struct xg_http_cfg *b)
{
	return a->enabled != b->enabled || strcmp(a->bind, b->bind) || a->port != b->port ||
	       strcmp(a->token, b->token) || a->read_auth != b->read_auth ||
	       a->top_ports != b->top_ports || a->status_page != b->status_page ||
	       a->status_redact != b->status_redact || strcmp(a->status_title, b->status_title);
}
