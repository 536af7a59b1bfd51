// SPDX-License-Identifier: GPL-2.0-only
/*
 * Escalation levels and the BGP rules of an incident (see escalate.h).
 */
#include "escalate.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "config.h"

#define NS_PER_S 1000000000ULL

static bool level_on(const struct xg_bgp_level_cfg *l)
{
	return l->enabled && (l->pps > 0 || l->bps > 0);
}

static bool reaches(const struct xg_bgp_level_cfg *l, double pps, double bps)
{
	return (l->pps > 0 && pps >= l->pps) || (l->bps > 0 && bps >= l->bps);
}

int xg_esc_level_for(const struct xg_bgp_cfg *cfg, double pps, double bps)
{
	int l, best = XG_LVL_LOCAL;

	if (!cfg->enabled)
		return XG_LVL_LOCAL;
	for (l = XG_LVL_FS_RATELIMIT; l < XG_LVL_MAX; l++)
		if (level_on(&cfg->level[l]) && reaches(&cfg->level[l], pps, bps))
			best = l;
	return best;
}

/* Under the step-down mark of level l: every measure the level uses is
 * under step_down_ratio x its threshold. */
static bool below_mark(const struct xg_bgp_cfg *cfg, int l, double pps, double bps)
{
	const struct xg_bgp_level_cfg *lc = &cfg->level[l];
	double r = cfg->step_down_ratio;

	if (lc->pps > 0 && pps >= r * lc->pps)
		return false;
	if (lc->bps > 0 && bps >= r * lc->bps)
		return false;
	return true;
}

int xg_esc_step(const struct xg_bgp_cfg *cfg, struct xg_esc_state *st, double pps, double bps,
		uint64_t now_ns)
{
	int want = xg_esc_level_for(cfg, pps, bps);

	if (st->level < XG_LVL_LOCAL || want > st->level) {
		st->level = want;
		st->level_since_ns = now_ns;
		st->below_since_ns = 0;
		return st->level;
	}
	if (st->level == XG_LVL_LOCAL || !below_mark(cfg, st->level, pps, bps)) {
		st->below_since_ns = 0;
		return st->level;
	}
	if (!st->below_since_ns) {
		st->below_since_ns = now_ns;
		return st->level;
	}
	if (now_ns - st->below_since_ns < (uint64_t)cfg->hold_down_s * NS_PER_S)
		return st->level;
	/* One level down, to the next one that is on; the hold starts again
	 * so each step down is a decision of its own. */
	do
		st->level--;
	while (st->level > XG_LVL_LOCAL && !level_on(&cfg->level[st->level]));
	st->level_since_ns = now_ns;
	st->below_since_ns = 0;
	return st->level;
}

void xg_esc_attack_rate(const struct xg_snapshot *s, const struct xg_incident *inc, double *pps,
			double *bps)
{
	double bits = 0;

	if (inc && inc->peak_pps > 0)
		bits = inc->peak_bps / inc->peak_pps;
	else if (s->metric[XG_M_PPS] > 0)
		bits = s->metric[XG_M_BPS] / s->metric[XG_M_PPS];
	*pps = s->metric[XG_M_PPS] + s->mitigated_pps;
	*bps = s->metric[XG_M_BPS] + s->mitigated_pps * bits;
}

static void ports_from(const struct xg_cfg_ports *p, struct xg_bgp_ports *out)
{
	int i;

	memset(out, 0, sizeof(*out));
	/* A service with more ranges than a rule can carry is matched on
	 * everything else; the rule still names its sources. */
	if (p->n <= 0 || p->n > XG_BGP_PORTS_MAX)
		return;
	for (i = 0; i < p->n; i++) {
		out->r[i].lo = p->r[i].lo;
		out->r[i].hi = p->r[i].hi;
	}
	out->n = (uint8_t)p->n;
}

static uint8_t flag_of(const char *subtype)
{
	static const struct {
		const char *name;
		uint8_t flags;
	} map[] = {
	    {"ack", XG_BGP_TCP_ACK}, {"rst", XG_BGP_TCP_RST}, {"fin", XG_BGP_TCP_FIN},
	    {"psh", XG_BGP_TCP_PSH}, {"syn", XG_BGP_TCP_SYN},
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(subtype, map[i].name))
			return map[i].flags;
	return 0;
}

void xg_esc_match_for(const struct xg_cfg *cfg, const struct xg_class *cls, struct xg_esc_match *m)
{
	const char *f = cls->family, *svc = cls->service;
	unsigned int port;

	memset(m, 0, sizeof(*m));
	if (!strcmp(f, "syn_flood") || !strcmp(f, "sip_tls_syn_flood")) {
		m->proto = 6;
		m->tcp_flags = XG_BGP_TCP_SYN;
	} else if (!strcmp(f, "tcp_flood")) {
		m->proto = 6;
		m->tcp_flags = flag_of(cls->subtype);
	} else if (!strcmp(f, "icmp_flood")) {
		m->icmp = true;
	} else if (!strcmp(f, "fragment_flood")) {
		m->fragment = XG_BGP_FRAG_IS;
	} else if (!strcmp(f, "amplification")) {
		uint16_t sp = xg_plan_amp_port(xg_plan_amp_class(cls));

		m->proto = 17;
		if (sp) {
			m->sport.n = 1;
			m->sport.r[0].lo = m->sport.r[0].hi = sp;
		}
		return; /* the reflector hits any port: no dport */
	} else if (!strcmp(f, "udp_flood") || !strcmp(f, "rtp_flood") || !strncmp(f, "sip_", 4)) {
		m->proto = !strcmp(svc, "sip-tcp") || !strcmp(svc, "sip-tls") ? 6 : 17;
	} else {
		return; /* multi_vector, protocol_flood, ...: addresses only */
	}
	if (m->fragment || m->icmp)
		return;
	if (!strcmp(svc, "sip-udp") && m->proto == 17)
		ports_from(&cfg->sip_udp, &m->dport);
	else if (!strcmp(svc, "sip-tcp") && m->proto == 6)
		ports_from(&cfg->sip_tcp, &m->dport);
	else if (!strcmp(svc, "sip-tls") && m->proto == 6)
		ports_from(&cfg->sip_tls, &m->dport);
	else if (!strcmp(svc, "rtp") && m->proto == 17)
		ports_from(&cfg->rtp, &m->dport);
	else if (sscanf(svc, m->proto == 6 ? "tcp/%u" : "udp/%u", &port) == 1 && port > 0 &&
		 port <= 65535) {
		m->dport.n = 1;
		m->dport.r[0].lo = m->dport.r[0].hi = (uint16_t)port;
	}
}

/* ---- safety ---- */

struct range {
	int family;
	const char *cidr;
};

/* RFC 6890 special-purpose blocks (and multicast, class E, 6to4 relay). */
static const char *const reserved[] = {
    "0.0.0.0/8",     "10.0.0.0/8",	"100.64.0.0/10",  "127.0.0.0/8",    "169.254.0.0/16",
    "172.16.0.0/12", "192.0.0.0/24",	"192.0.2.0/24",	  "192.88.99.0/24", "192.168.0.0/16",
    "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4",    "240.0.0.0/4",
    "::/127",	     "::ffff:0:0/96",	"64:ff9b:1::/48", "100::/64",	    "2001::/23",
    "2001:db8::/32", "fc00::/7",	"fe80::/10",	  "ff00::/8",
};

bool xg_esc_is_reserved(const struct xg_cidr *c)
{
	struct xg_cidr r;
	size_t i;
	char err[64];

	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		if (xg_cidr_parse(reserved[i], &r, err, sizeof(err)))
			continue; /* cannot happen: the table is constant */
		if (r.family != c->family)
			continue;
		/* inside the block, or covering it */
		if (xg_cidr_contains(&r, c) || xg_cidr_contains(c, &r))
			return true;
	}
	return false;
}

int xg_esc_admit(const struct xg_bgp_cfg *cfg, const struct xg_bgp_intent *in, char *why,
		 size_t whylen)
{
	char text[64];
	int i;

	if (xg_bgp_intent_validate(in, why, whylen))
		return -EINVAL;
	if (in->has_dst && !cfg->allow_private && xg_esc_is_reserved(&in->dst)) {
		xg_cidr_format(&in->dst, text, sizeof(text));
		snprintf(why, whylen,
			 "%s is a private or reserved address (bgp.allow_private is off)", text);
		return -EPERM;
	}
	if (in->kind != XG_BGP_RTBH)
		return 0;
	xg_cidr_format(&in->dst, text, sizeof(text));
	if (in->dst.prefixlen <
	    (in->dst.family == AF_INET ? cfg->rtbh_min_prefix_v4 : cfg->rtbh_min_prefix_v6)) {
		snprintf(why, whylen, "RTBH of %s: shorter than bgp.rtbh_min_prefix_%s (/%u)", text,
			 in->dst.family == AF_INET ? "v4" : "v6",
			 in->dst.family == AF_INET ? cfg->rtbh_min_prefix_v4
						   : cfg->rtbh_min_prefix_v6);
		return -EPERM;
	}
	for (i = 0; i < cfg->n_never; i++) {
		const struct xg_cidr *nb = &cfg->never_blackhole[i];

		if (nb->family == in->dst.family &&
		    (xg_cidr_contains(nb, &in->dst) || xg_cidr_contains(&in->dst, nb))) {
			char n[64];

			xg_cidr_format(nb, n, sizeof(n));
			snprintf(why, whylen, "RTBH of %s: on bgp.never_blackhole (%s)", text, n);
			return -EPERM;
		}
	}
	return 0;
}

/* ---- rules ---- */

static void note(struct xg_esc_rules *out, const char *a, const char *b)
{
	char *n;
	size_t len = sizeof(out->notes[0]);

	if (out->n_notes >= XG_ESC_MAX_NOTES)
		return;
	n = out->notes[out->n_notes++];
	snprintf(n, len, "%s", a);
	snprintf(n + strlen(n), len - strlen(n), "%s", b);
}

static void add_rule(const struct xg_bgp_cfg *cfg, struct xg_esc_rules *out,
		     const struct xg_bgp_intent *in, int level)
{
	char why[160], text[XG_BGP_TEXT_MAX];
	int i;

	for (i = 0; i < out->n; i++)
		if (!memcmp(&out->rule[i], in, sizeof(*in)))
			return;
	if (xg_esc_admit(cfg, in, why, sizeof(why))) {
		note(out, "left out: ", why);
		return;
	}
	if (out->n >= XG_ESC_MAX_RULES) {
		if (xg_bgp_intent_format(in, text, sizeof(text)) < 0)
			snprintf(text, sizeof(text), "a rule");
		note(out, text, ": left out, over 64 rules for one incident");
		return;
	}
	out->rule[out->n] = *in;
	out->level[out->n++] = level;
}

static void flowspec_rules(const struct xg_bgp_cfg *cfg, int level, const struct xg_incident *inc,
			   const struct xg_plan *plan, const struct xg_esc_match *m,
			   struct xg_esc_rules *out)
{
	int v, k, used;
	bool any_source = false;

	for (v = 0; v < inc->n_victims; v++) {
		const struct xg_cidr *victim = &inc->victims[v];

		used = 0;
		for (k = 0; k < plan->n && used < (int)cfg->max_flowspec_sources; k++) {
			const struct xg_step *st = &plan->steps[k];
			struct xg_bgp_intent in;

			if (st->kind != XG_STEP_BLOCK || st->target.family != victim->family)
				continue;
			any_source = true;
			memset(&in, 0, sizeof(in));
			in.kind = XG_BGP_FLOWSPEC;
			in.has_src = in.has_dst = true;
			in.src = st->target;
			in.dst = *victim;
			in.dst.prefixlen = xg_cidr_maxlen(victim);
			in.proto = m->icmp ? (victim->family == AF_INET ? 1 : 58) : m->proto;
			if (in.proto == 6 || in.proto == 17) {
				in.dport = m->dport;
				in.sport = m->sport;
			}
			if (in.proto == 6)
				in.tcp_flags = m->tcp_flags;
			in.fragment = m->fragment;
			if (level >= XG_LVL_FS_DISCARD) {
				in.action = XG_BGP_DISCARD;
			} else {
				in.action = XG_BGP_RATE_LIMIT;
				in.rate_bps = cfg->rate_limit_bps;
			}
			add_rule(cfg, out, &in,
				 level >= XG_LVL_FS_DISCARD ? XG_LVL_FS_DISCARD
							    : XG_LVL_FS_RATELIMIT);
			used++;
		}
	}
	if (!any_source)
		note(out, "no FlowSpec rule: no source prefix that spares the peers ",
		     "(spoofed or widely spread sources): the drop stays local");
}

/* BLACKHOLE first, then the configured communities, merged into what the
 * rule already has, without duplicates, ascending (the canonical text
 * insists on it). */
void xg_esc_rtbh_policy(const struct xg_bgp_cfg *cfg, struct xg_bgp_intent *in)
{
	uint32_t want[1 + XG_BGP_COMM_MAX];
	int i, j, k, n = 0;

	if (in->kind != XG_BGP_RTBH)
		return;
	want[n++] = 65535u << 16 | 666;
	for (k = 0; k < cfg->n_comm && n < (int)(sizeof(want) / sizeof(want[0])); k++)
		want[n++] = cfg->comm[k];
	for (k = 0; k < n; k++) {
		for (j = 0; j < in->n_comm && in->comm[j] != want[k]; j++)
			;
		if (j == in->n_comm && in->n_comm < XG_BGP_COMM_MAX)
			in->comm[in->n_comm++] = want[k];
	}
	for (k = 0; k < cfg->n_lcomm; k++) {
		for (j = 0; j < in->n_lcomm; j++)
			if (in->lcomm[j].global == cfg->lcomm[k].global &&
			    in->lcomm[j].local1 == cfg->lcomm[k].local1 &&
			    in->lcomm[j].local2 == cfg->lcomm[k].local2)
				break;
		if (j == in->n_lcomm && in->n_lcomm < XG_BGP_LCOMM_MAX) {
			in->lcomm[in->n_lcomm].global = cfg->lcomm[k].global;
			in->lcomm[in->n_lcomm].local1 = cfg->lcomm[k].local1;
			in->lcomm[in->n_lcomm].local2 = cfg->lcomm[k].local2;
			in->n_lcomm++;
		}
	}
	/* ascending, as the canonical text insists */
	for (i = 1; i < in->n_comm; i++)
		for (j = i; j > 0 && in->comm[j - 1] > in->comm[j]; j--) {
			uint32_t t = in->comm[j];

			in->comm[j] = in->comm[j - 1];
			in->comm[j - 1] = t;
		}
	for (i = 1; i < in->n_lcomm; i++)
		for (j = i; j > 0; j--) {
			__typeof__(in->lcomm[0]) x = in->lcomm[j - 1], y = in->lcomm[j];

			if (x.global < y.global ||
			    (x.global == y.global &&
			     (x.local1 < y.local1 ||
			      (x.local1 == y.local1 && x.local2 <= y.local2))))
				break;
			in->lcomm[j - 1] = y;
			in->lcomm[j] = x;
		}
}

static void rtbh_rules(const struct xg_bgp_cfg *cfg, const struct xg_incident *inc,
		       struct xg_esc_rules *out)
{
	int v;

	for (v = 0; v < inc->n_victims; v++) {
		struct xg_bgp_intent in;

		memset(&in, 0, sizeof(in));
		in.kind = XG_BGP_RTBH;
		in.has_dst = true;
		in.dst = inc->victims[v];
		in.dst.prefixlen = xg_cidr_maxlen(&in.dst);
		xg_esc_rtbh_policy(cfg, &in);
		add_rule(cfg, out, &in, XG_LVL_RTBH);
	}
}

void xg_esc_rules(const struct xg_bgp_cfg *cfg, int level, const struct xg_incident *inc,
		  const struct xg_plan *plan, const struct xg_esc_match *m,
		  struct xg_esc_rules *out)
{
	int fs;

	memset(out, 0, sizeof(*out));
	if (!cfg->enabled || level < XG_LVL_FS_RATELIMIT)
		return;
	if (!inc->n_victims) {
		note(out, "no BGP rule: the incident has no victim address", "");
		return;
	}
	/* FlowSpec stays in force under RTBH: when the black hole is withdrawn
	 * first on the way down, the filter is already there. */
	fs = level < XG_LVL_FS_DISCARD ? level : XG_LVL_FS_DISCARD;
	while (fs >= XG_LVL_FS_RATELIMIT && !level_on(&cfg->level[fs]))
		fs--;
	if (fs >= XG_LVL_FS_RATELIMIT)
		flowspec_rules(cfg, fs, inc, plan, m, out);
	if (level >= XG_LVL_RTBH)
		rtbh_rules(cfg, inc, out);
}
