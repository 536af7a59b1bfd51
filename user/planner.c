// SPDX-License-Identifier: GPL-2.0-only
/*
 * Mitigation planning. From the incident's class and this tick's busiest
 * sources, the steps to be in force now:
 *
 * - amplification by a known reflector port class: one AMP_DROP for the
 *   class (it covers every reflector, seen or not);
 * - protect mode for the attacked service when the sources are spoofed,
 *   too many, or too small to block one by one;
 * - blocks for the busiest unknown sources that are not preserved, a /24
 *   (IPv6 /64) at a time when enough of them share one, split around any
 *   preserved address inside (or rate-limited as a whole when splitting
 *   would exceed the host budget); soft-allowlisted sources are only
 *   rate-limited. Spoofed sources are never blocked: they are fake.
 *
 * Every BLOCK is checked once more against the preserved set at the end and
 * dropped if it would drop a preserved address. Nothing here keeps state.
 */
#include "planner.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* The candidates must carry this share of the attacking metric's rate for
 * blocking them to be the answer; below it the attack is spread over
 * sources too small to see, and the service goes into protect mode. */
#define PROTECT_COVER_SHARE 0.5
/* Aggregation prefix lengths. */
#define AGG_LEN_V4 24
#define AGG_LEN_V6 64

static const struct {
	const char *name;
	uint8_t amp;
	uint16_t port; /* 0: configured ports */
} amp_classes[] = {
    {"chargen", XG_AMP_CHARGEN, 19},  {"dns", XG_AMP_DNS, 53},
    {"portmap", XG_AMP_PORTMAP, 111}, {"ntp", XG_AMP_NTP, 123},
    {"netbios", XG_AMP_NETBIOS, 137}, {"snmp", XG_AMP_SNMP, 161},
    {"cldap", XG_AMP_CLDAP, 389},     {"rip", XG_AMP_RIP, 520},
    {"ssdp", XG_AMP_SSDP, 1900},      {"ard", XG_AMP_ARD, 3283},
    {"wsd", XG_AMP_WSD, 3702},	      {"mdns", XG_AMP_MDNS, 5353},
    {"ubnt", XG_AMP_UBNT, 10001},     {"memcached", XG_AMP_MEMCACHED, 11211},
    {"other", XG_AMP_OTHER, 0},
};

/* How a /24 or /64 with candidates in it is handled. */
enum how {
	H_HOSTS,     /* too few candidates: each one on its own */
	H_SPLIT,     /* enough, but it holds a preserved address: host steps */
	H_BLOCK,     /* one BLOCK for the prefix */
	H_RATELIMIT, /* split would exceed the host budget: rate-limit the prefix */
};

struct cand {
	struct xg_cidr addr;
	double pps;
	bool soft;
	int group;
	bool host_step; /* gets a step of its own */
};

struct group {
	struct xg_cidr prefix;
	int n;
	int n_soft;
	double pps;
	enum how how;
	const char *holds; /* SPLIT and RATELIMIT: what keeps it from a BLOCK */
};

struct ctx {
	const struct xg_plan_cfg *cfg;
	const struct xg_incident *inc;
	const struct xg_snapshot *s;
	const struct xg_preserved *keep;
	char name[64]; /* "udp_flood", "amplification/dns" */
	struct cand c[XG_TOP_SOURCES];
	int n;
	struct group g[XG_TOP_SOURCES];
	int ng;
};

void xg_plan_cfg_defaults(struct xg_plan_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_block_sources = 32;
	cfg->min_source_pps = 50;
	cfg->aggregate_min = 4;
	cfg->protect_distinct = 500;
	cfg->protect_source_pps = 10;
	cfg->protect_budget_factor = 2;
	cfg->protect_budget_min = 100;
	cfg->soft_rate_pps = 50;
}

uint8_t xg_plan_service_class(const char *service)
{
	if (!service)
		return XG_SVC_NONE;
	if (!strcmp(service, "sip-udp"))
		return XG_SVC_SIP_UDP;
	if (!strcmp(service, "sip-tcp"))
		return XG_SVC_SIP_TCP;
	if (!strcmp(service, "sip-tls"))
		return XG_SVC_SIP_TLS;
	if (!strcmp(service, "rtp"))
		return XG_SVC_RTP;
	return XG_SVC_NONE;
}

uint8_t xg_plan_amp_class(const struct xg_class *cls)
{
	size_t i;

	if (strcmp(cls->family, "amplification"))
		return XG_AMP_NONE;
	for (i = 0; i < sizeof(amp_classes) / sizeof(amp_classes[0]); i++)
		if (!strcmp(cls->subtype, amp_classes[i].name))
			return amp_classes[i].amp;
	return XG_AMP_NONE;
}

uint16_t xg_plan_amp_port(uint8_t amp)
{
	size_t i;

	for (i = 0; i < sizeof(amp_classes) / sizeof(amp_classes[0]); i++)
		if (amp_classes[i].amp == amp)
			return amp_classes[i].port;
	return 0;
}

int xg_plan_attack_metric(const struct xg_class *cls)
{
	static const struct {
		const char *family;
		const char *subtype; /* NULL: any */
		const char *service; /* NULL: any */
		int m;
	} map[] = {
	    {"sip_register_flood", NULL, NULL, XG_M_SIP_REGISTER_PPS},
	    {"sip_invite_flood", NULL, NULL, XG_M_SIP_INVITE_PPS},
	    {"sip_options_flood", NULL, NULL, XG_M_SIP_OPTIONS_PPS},
	    {"sip_malformed_flood", NULL, NULL, XG_M_SIP_MALFORMED_PPS},
	    {"sip_tls_syn_flood", NULL, NULL, XG_M_SYN_PPS},
	    {"sip_registration_surge", NULL, "sip-tcp", XG_M_SIP_TCP_PPS},
	    {"sip_registration_surge", NULL, NULL, XG_M_SIP_UDP_PPS},
	    {"syn_flood", NULL, NULL, XG_M_SYN_PPS},
	    {"tcp_flood", "ack", NULL, XG_M_ACK_PPS},
	    {"tcp_flood", "rst", NULL, XG_M_RST_PPS},
	    {"tcp_flood", "fin", NULL, XG_M_FIN_PPS},
	    {"tcp_flood", "psh", NULL, XG_M_PSH_PPS},
	    {"tcp_flood", "xmas", NULL, XG_M_XMAS_PPS},
	    {"tcp_flood", "null", NULL, XG_M_NULL_PPS},
	    {"tcp_flood", NULL, "sip-tls", XG_M_SIP_TLS_PPS},
	    {"tcp_flood", NULL, "sip-tcp", XG_M_SIP_TCP_PPS},
	    {"tcp_flood", NULL, NULL, XG_M_TCP_PPS},
	    {"udp_flood", NULL, "sip-udp", XG_M_SIP_UDP_PPS},
	    {"udp_flood", NULL, "rtp", XG_M_RTP_PPS},
	    {"udp_flood", NULL, NULL, XG_M_UDP_PPS},
	    {"rtp_flood", "non_rtp", NULL, XG_M_RTP_INVALID_PPS},
	    {"rtp_flood", NULL, NULL, XG_M_RTP_PPS},
	    {"amplification", NULL, NULL, XG_M_AMP_PPS},
	    {"icmp_flood", NULL, NULL, XG_M_ICMP_PPS},
	    {"fragment_flood", NULL, NULL, XG_M_FRAG_PPS},
	    {"protocol_flood", "gre", NULL, XG_M_GRE_PPS},
	    {"protocol_flood", "esp", NULL, XG_M_ESP_PPS},
	    {"protocol_flood", "other", NULL, XG_M_OTHER_PPS},
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(cls->family, map[i].family))
			continue;
		if (map[i].subtype && strcmp(cls->subtype, map[i].subtype))
			continue;
		if (map[i].service && strcmp(cls->service, map[i].service))
			continue;
		return map[i].m;
	}
	/* multi_vector, traffic_surge, anything new: all traffic. */
	return XG_M_PPS;
}

/* The preserved set, with missing callbacks answered conservatively: a
 * prefix is taken to hold a preserved address when only is_preserved is
 * there to ask. No keep at all means nothing is preserved. */
static bool is_preserved(const struct xg_preserved *keep, const struct xg_cidr *host)
{
	if (!keep)
		return false;
	if (keep->is_preserved)
		return keep->is_preserved(keep->arg, host);
	if (keep->covers_preserved)
		return keep->covers_preserved(keep->arg, host);
	return false;
}

static bool covers_preserved(const struct xg_preserved *keep, const struct xg_cidr *prefix)
{
	if (!keep)
		return false;
	if (keep->covers_preserved)
		return keep->covers_preserved(keep->arg, prefix);
	if (keep->is_preserved)
		return xg_cidr_is_host(prefix) ? keep->is_preserved(keep->arg, prefix) : true;
	return false;
}

static bool is_soft(const struct xg_preserved *keep, const struct xg_cidr *host)
{
	return keep && keep->is_soft && keep->is_soft(keep->arg, host);
}

static bool valid_host(const struct xg_cidr *a)
{
	return (a->family == AF_INET || a->family == AF_INET6) && xg_cidr_is_host(a);
}

static struct xg_cidr prefix_of(const struct xg_cidr *host)
{
	struct xg_cidr p;
	unsigned int bit, max = xg_cidr_maxlen(host);

	memset(&p, 0, sizeof(p));
	p.family = host->family;
	p.prefixlen = host->family == AF_INET ? AGG_LEN_V4 : AGG_LEN_V6;
	memcpy(p.addr, host->addr, max / 8);
	for (bit = p.prefixlen; bit < max; bit++)
		p.addr[bit / 8] &= (uint8_t) ~(0x80 >> (bit % 8));
	return p;
}

static bool same_cidr(const struct xg_cidr *a, const struct xg_cidr *b)
{
	return a->family == b->family && a->prefixlen == b->prefixlen &&
	       !memcmp(a->addr, b->addr, xg_cidr_maxlen(a) / 8);
}

/* Busiest first; ties by family and address, so the order never depends on
 * the input's. */
static bool busier(double pa, const struct xg_cidr *a, double pb, const struct xg_cidr *b)
{
	if (pa != pb)
		return pa > pb;
	if (a->family != b->family)
		return a->family < b->family;
	if (a->prefixlen != b->prefixlen)
		return a->prefixlen < b->prefixlen;
	return memcmp(a->addr, b->addr, 16) < 0;
}

static void set_reason(struct xg_step *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_reason(struct xg_step *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->reason, sizeof(st->reason), fmt, ap);
	va_end(ap);
}

static struct xg_step *add_step(struct xg_plan *out, enum xg_step_kind kind)
{
	struct xg_step *st;

	if (out->n >= XG_PLAN_MAX_STEPS)
		return NULL;
	st = &out->steps[out->n++];
	memset(st, 0, sizeof(*st));
	st->kind = kind;
	return st;
}

/* The top sources that are busy enough to block, unknown and not
 * preserved. An address listed twice counts once, at its highest rate, and
 * as known if either entry says so. */
static void collect(struct ctx *x)
{
	const struct xg_snapshot *s = x->s;
	int n = s->n_top_src < 0		? 0
		: s->n_top_src > XG_TOP_SOURCES ? XG_TOP_SOURCES
						: s->n_top_src;
	int i, j;

	for (i = 0; i < n; i++) {
		const struct xg_addr_rate *t = &s->top_src[i];
		bool known = t->known, dup = false;
		double pps = t->pps;
		struct cand *c;

		if (!valid_host(&t->addr))
			continue;
		/* One or two samples say little about a source: at 1 in 64 they
		 * read as 64-128 pps whatever it really sends. */
		if (t->samples && t->samples < XG_PLAN_MIN_SAMPLES)
			continue;
		for (j = 0; j < n && !dup; j++) {
			if (j == i || !same_cidr(&s->top_src[j].addr, &t->addr))
				continue;
			dup = j < i;
			known = known || s->top_src[j].known;
			if (s->top_src[j].pps > pps)
				pps = s->top_src[j].pps;
		}
		if (dup || known || !(pps >= x->cfg->min_source_pps) ||
		    is_preserved(x->keep, &t->addr))
			continue;
		c = &x->c[x->n++];
		memset(c, 0, sizeof(*c));
		c->addr = t->addr;
		c->pps = pps;
		c->soft = is_soft(x->keep, &t->addr);
		c->group = -1;
	}
	/* Busiest first whatever the collector's order (stable). */
	for (i = 1; i < x->n; i++) {
		struct cand t = x->c[i];

		for (j = i; j > 0 && busier(t.pps, &t.addr, x->c[j - 1].pps, &x->c[j - 1].addr);
		     j--)
			x->c[j] = x->c[j - 1];
		x->c[j] = t;
	}
}

/* A known (peacetime) top source inside the prefix: traffic that is not
 * the attack's shares it, so it is split like one holding a peer. */
static bool holds_known_source(const struct ctx *x, const struct xg_cidr *prefix)
{
	int n = x->s->n_top_src > XG_TOP_SOURCES ? XG_TOP_SOURCES : x->s->n_top_src;
	int i;

	for (i = 0; i < n; i++)
		if (x->s->top_src[i].known && xg_cidr_contains(prefix, &x->s->top_src[i].addr))
			return true;
	return false;
}

static void group(struct ctx *x)
{
	int i, j;

	for (i = 0; i < x->n; i++) {
		struct xg_cidr p = prefix_of(&x->c[i].addr);

		for (j = 0; j < x->ng; j++)
			if (same_cidr(&x->g[j].prefix, &p))
				break;
		if (j == x->ng) {
			memset(&x->g[j], 0, sizeof(x->g[j]));
			x->g[j].prefix = p;
			x->ng++;
		}
		x->c[i].group = j;
		x->g[j].n++;
		x->g[j].n_soft += x->c[i].soft;
		x->g[j].pps += x->c[i].pps;
	}
	for (j = 0; j < x->ng; j++) {
		struct group *g = &x->g[j];

		if (x->cfg->aggregate_min < 1 || g->n < x->cfg->aggregate_min) {
			g->how = H_HOSTS;
		} else if (covers_preserved(x->keep, &g->prefix)) {
			g->how = H_SPLIT;
			g->holds = "a peer";
		} else if (holds_known_source(x, &g->prefix)) {
			g->how = H_SPLIT;
			g->holds = "a known source";
		} else {
			g->how = H_BLOCK;
		}
	}
}

/* Host steps wanted: every candidate outside a blocked or rate-limited
 * prefix, and soft-allowlisted ones inside a blocked prefix (an exact entry
 * wins over a prefix in the data plane, so theirs keeps them from being
 * dropped with the prefix). */
static void count_hosts(const struct ctx *x, int *required, int *others)
{
	int i;

	*required = *others = 0;
	for (i = 0; i < x->n; i++) {
		enum how h = x->g[x->c[i].group].how;

		if (h == H_BLOCK && x->c[i].soft)
			(*required)++;
		else if (h == H_HOSTS || h == H_SPLIT)
			(*others)++;
	}
}

/* Fits the host steps into max_block_sources: split prefixes become
 * prefix rate limits, largest first; if the soft hosts of blocked
 * prefixes alone do not fit, those prefixes are rate-limited instead of
 * blocked; then the busiest hosts are taken. */
static void budget_hosts(struct ctx *x)
{
	int max = x->cfg->max_block_sources > 0 ? x->cfg->max_block_sources : 0;
	int required, others, i, j, taken;

	count_hosts(x, &required, &others);
	while (required + others > max) {
		int best = -1;

		for (j = 0; j < x->ng; j++)
			if (x->g[j].how == H_SPLIT && (best < 0 || x->g[j].n > x->g[best].n))
				best = j;
		if (best < 0)
			break;
		x->g[best].how = H_RATELIMIT;
		count_hosts(x, &required, &others);
	}
	for (j = x->ng - 1; j >= 0 && required > max; j--) {
		if (x->g[j].how == H_BLOCK && x->g[j].n_soft) {
			x->g[j].how = H_RATELIMIT;
			x->g[j].holds = "soft-allowlisted sources";
			count_hosts(x, &required, &others);
		}
	}
	taken = 0;
	for (i = 0; i < x->n; i++) {
		if (x->g[x->c[i].group].how == H_BLOCK && x->c[i].soft) {
			x->c[i].host_step = true;
			taken++;
		}
	}
	/* Candidates are busiest first. */
	for (i = 0; i < x->n && taken < max; i++) {
		enum how h = x->g[x->c[i].group].how;

		if (h == H_HOSTS || h == H_SPLIT) {
			x->c[i].host_step = true;
			taken++;
		}
	}
}

/* The final check: never a step that drops a preserved address. A prefix
 * rate limit may hold one (the allowlist wins over it, and it only limits);
 * a BLOCK may not, and no host step may target a preserved host; a
 * soft-allowlisted host is never blocked. */
static bool step_safe(const struct xg_preserved *keep, const struct xg_step *st)
{
	bool host = xg_cidr_is_host(&st->target);

	if (st->kind != XG_STEP_BLOCK && st->kind != XG_STEP_RATELIMIT)
		return true;
	if (host && (is_preserved(keep, &st->target) || covers_preserved(keep, &st->target)))
		return false;
	if (st->kind == XG_STEP_RATELIMIT)
		return true;
	if (!host && covers_preserved(keep, &st->target))
		return false;
	if (host && is_soft(keep, &st->target))
		return false;
	return true;
}

/* Prefix steps by their sources' pps, then host steps by pps. Returns the
 * candidate pps the surviving steps cover. */
static double source_steps(struct ctx *x, struct xg_plan *out)
{
	const struct xg_plan_cfg *cfg = x->cfg;
	bool used[XG_TOP_SOURCES] = {false};
	double covered = 0;
	int i, k;

	for (k = 0; k < x->ng; k++) {
		const struct group *g = NULL;
		struct xg_step *st;
		char pfx[64];
		int best = -1;

		for (i = 0; i < x->ng; i++) {
			if (used[i] || (x->g[i].how != H_BLOCK && x->g[i].how != H_RATELIMIT))
				continue;
			if (best < 0 || busier(x->g[i].pps, &x->g[i].prefix, x->g[best].pps,
					       &x->g[best].prefix))
				best = i;
		}
		if (best < 0)
			break;
		used[best] = true;
		g = &x->g[best];
		st = add_step(out, g->how == H_BLOCK ? XG_STEP_BLOCK : XG_STEP_RATELIMIT);
		if (!st)
			break;
		st->target = g->prefix;
		xg_cidr_format(&g->prefix, pfx, sizeof(pfx));
		if (g->how == H_BLOCK) {
			set_reason(st, "%d source%s in %s, %.0f pps of %s", g->n,
				   g->n == 1 ? "" : "s", pfx, g->pps, x->name);
		} else {
			st->rate_pps = cfg->protect_source_pps;
			set_reason(st, "%d sources in %s (holds %s), %.0f pps of %s: limit %u pps",
				   g->n, pfx, g->holds, g->pps, x->name, st->rate_pps);
		}
		if (!step_safe(x->keep, st)) {
			out->n--;
			continue;
		}
		covered += g->pps;
	}
	/* Candidates are busiest first already. */
	for (i = 0; i < x->n; i++) {
		const struct cand *c = &x->c[i];
		const struct group *g = &x->g[c->group];
		struct xg_step *st;

		if (!c->host_step)
			continue;
		st = add_step(out, c->soft ? XG_STEP_RATELIMIT : XG_STEP_BLOCK);
		if (!st)
			break;
		st->target = c->addr;
		if (c->soft) {
			st->rate_pps = cfg->soft_rate_pps;
			set_reason(st, "soft-allowlisted top source %.0f pps of %s: limit %u pps",
				   c->pps, x->name, st->rate_pps);
		} else if (g->how == H_SPLIT) {
			char pfx[64];

			xg_cidr_format(&g->prefix, pfx, sizeof(pfx));
			set_reason(st, "top source %.0f pps of %s (%s holds %s)", c->pps, x->name,
				   pfx, g->holds);
		} else {
			set_reason(st, "top source %.0f pps of %s", c->pps, x->name);
		}
		if (!step_safe(x->keep, st)) {
			out->n--;
			continue;
		}
		/* Soft hosts inside a blocked prefix are counted there. */
		if (g->how != H_BLOCK)
			covered += c->pps;
	}
	return covered;
}

static uint32_t budget(const struct xg_plan_cfg *cfg, const double *peace, uint8_t svc)
{
	double base = peace ? peace[svc] : 0, b;

	if (!(base > 0))
		base = 0;
	b = ceil(cfg->protect_budget_factor * base);
	if (!(b > 0))
		b = 0;
	if (b > UINT32_MAX)
		b = UINT32_MAX;
	return (uint32_t)b > cfg->protect_budget_min ? (uint32_t)b : cfg->protect_budget_min;
}

static const char *svc_name(uint8_t svc)
{
	switch (svc) {
	case XG_SVC_SIP_UDP:
		return "sip-udp";
	case XG_SVC_SIP_TCP:
		return "sip-tcp";
	case XG_SVC_SIP_TLS:
		return "sip-tls";
	case XG_SVC_RTP:
		return "rtp";
	default:
		return "?";
	}
}

void xg_plan(const struct xg_plan_cfg *cfg, const struct xg_incident *inc,
	     const struct xg_snapshot *s, const struct xg_preserved *keep,
	     const double peace_unknown_pps[XG_SVC_MAX], struct xg_plan *out)
{
	struct xg_plan_cfg defaults;
	struct xg_plan src;
	struct ctx x;
	uint8_t amp, svc;
	double covered = 0, rate, amp_pps = 0;
	int m, i;
	bool spoofed;

	memset(out, 0, sizeof(*out));
	if (!inc || !s)
		return;
	if (!cfg) {
		xg_plan_cfg_defaults(&defaults);
		cfg = &defaults;
	}
	memset(&x, 0, sizeof(x));
	x.cfg = cfg;
	x.inc = inc;
	x.s = s;
	x.keep = keep;
	snprintf(x.name, sizeof(x.name), "%.31s%s%.23s", inc->cls.family,
		 inc->cls.subtype[0] ? "/" : "", inc->cls.subtype);
	spoofed = inc->cls.spoofed;
	amp = xg_plan_amp_class(&inc->cls);
	svc = xg_plan_service_class(inc->cls.service);

	/* Per-source steps, unless the sources are fake. */
	memset(&src, 0, sizeof(src));
	if (!spoofed) {
		collect(&x);
		group(&x);
		budget_hosts(&x);
		covered = source_steps(&x, &src);
	}

	if (amp != XG_AMP_NONE) {
		struct xg_step *st = add_step(out, XG_STEP_AMP_DROP);
		size_t k;

		amp_pps = s->amp_pps[amp] > 0 ? s->amp_pps[amp] : 0;
		st->amp = amp;
		for (k = 0; amp_classes[k].amp != amp; k++)
			;
		if (amp_classes[k].port)
			set_reason(st, "%s amplification %.0f pps: drop udp from source port %u",
				   amp_classes[k].name, amp_pps, amp_classes[k].port);
		else
			set_reason(
			    st, "amplification %.0f pps: drop udp from the extra reflector ports",
			    amp_pps);
	}

	m = xg_plan_attack_metric(&inc->cls);
	rate = s->metric[m] > 0 ? s->metric[m] : 0;
	if (svc != XG_SVC_NONE) {
		bool many = s->distinct_sources > cfg->protect_distinct;
		bool thin = rate > 0 && covered + amp_pps < PROTECT_COVER_SHARE * rate;

		if (spoofed || many || thin) {
			struct xg_step *st = add_step(out, XG_STEP_PROTECT);

			st->svc = svc;
			st->rate_pps = cfg->protect_source_pps;
			st->budget_pps = budget(cfg, peace_unknown_pps, svc);
			if (spoofed)
				set_reason(st, "spoofed %s: protect %s, budget %u pps", x.name,
					   svc_name(svc), st->budget_pps);
			else if (many)
				set_reason(
				    st, "%.0f distinct sources in %s: protect %s, budget %u pps",
				    s->distinct_sources, x.name, svc_name(svc), st->budget_pps);
			else
				set_reason(
				    st,
				    "top sources %.0f of %.0f pps of %s: protect %s, budget %u pps",
				    covered + amp_pps, rate, x.name, svc_name(svc), st->budget_pps);
		}
	}

	for (i = 0; i < src.n && out->n < XG_PLAN_MAX_STEPS; i++)
		out->steps[out->n++] = src.steps[i];
}
