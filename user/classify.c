// SPDX-License-Identifier: GPL-2.0-only
/*
 * Attack classification. The fired metrics are grouped into vectors (one
 * per family: a SIP method flood, a SYN flood, an amplification, ...), each
 * with its strength (the highest value/threshold ratio among its metrics) and
 * the packets it accounts for. The totals (pps, bps, udp_pps, tcp_pps) only
 * make a vector of their own when no specific vector carries most of them,
 * and overlapping vectors are merged (fragments of reflected responses belong
 * to the amplification). One strong vector, or several of one group, names
 * the family; strong vectors of unrelated groups make a multi_vector.
 */
#include "classify.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Benign SIP surge (an avalanche restart: every endpoint re-registers at
 * once, with retransmissions): most SIP from peers known in peacetime, few
 * new sources. */
#define SURGE_KNOWN_SHARE_MIN 0.8
#define SURGE_NEW_SHARE_MAX   0.5
/* Only the totals fired (no protocol or service metric) and nearly all of it
 * comes from sources known in peacetime: a traffic_surge, not an attack. */
#define TRAFFIC_SURGE_NEW_MAX 0.2
/* A vector explains a total (udp_pps, tcp_pps, pps) when it carries at least
 * this share of it; the SIP payload explains the SIP ports likewise. */
#define EXPLAIN_SHARE 0.5
/* One destination port is the target when it carries this share. */
#define DOMINANT_PORT_SHARE 0.5
/* Unrelated vectors at least this far over their thresholds: multi_vector. */
#define MULTI_VECTOR_RATIO 2.0
/* Spoofing, either sign alone:
 * - nearly one distinct source per packet (a random source per packet: real
 *   hosts, bots included, send many packets each), from mostly new sources;
 * - random TTLs spread over the 32 TTL buckets (real sources cluster below
 *   64, 128 and 255: about 2 bits, a mixed-OS botnet about 3), again from
 *   mostly new sources. */
#define SPOOF_TTL_ENTROPY_BITS	 3.5
#define SPOOF_DISTINCT_MIN	 1000
#define SPOOF_SOURCES_PER_PACKET 0.5
#define SPOOF_NEW_SHARE_MIN	 0.5
/* Botnet: not spoofed, many distinct sources, mostly new ones. */
#define BOTNET_DISTINCT_MIN  500
#define BOTNET_NEW_SHARE_MIN 0.5
/* The default SIP-TLS port; any other is recognised by its service class. */
#define SIP_TLS_PORT 5061
/* Ratio used when a threshold is 0 (no floor, empty baseline). */
#define RATIO_NO_THRESHOLD 1000.0

#define BIT(m)	       (1ULL << (m))
#define MAX_VECS       16
#define MAX_METRIC_EVD 3 /* metric lines per vector in the evidence */

enum group {
	G_SIP,	 /* SIP requests and payload on the SIP ports */
	G_TLS,	 /* SIP over TLS: SYNs and traffic to the TLS ports */
	G_RTP,	 /* the RTP range */
	G_AMP,	 /* reflection from well-known UDP ports */
	G_SYN,	 /* SYN floods elsewhere */
	G_TCPF,	 /* other TCP flag floods */
	G_ICMP,	 /* ICMP and ICMPv6 */
	G_FRAG,	 /* IP fragments */
	G_PROTO, /* GRE, ESP, other IP protocols, non-IP */
	G_UDP,	 /* plain UDP */
};

struct vec {
	const char *family;
	const char *subtype;
	char service[24];
	enum group group;
	uint64_t mask;	/* its own fired metrics */
	uint64_t extra; /* fired metrics it explains too: totals, merged vectors */
	double ratio;	/* the strongest of both over its threshold */
	double pps;	/* the packets it accounts for */
	bool udp, tcp;	/* transport, for explaining the totals */
	char detail[XG_EVIDENCE_LEN];
};

struct ctx {
	const struct xg_snapshot *s;
	const double *thr;
	uint64_t fired;
	struct vec v[MAX_VECS];
	int n;
};

static const char *const amp_names[XG_AMP_MAX] = {
    [XG_AMP_NONE] = "none",	  [XG_AMP_CHARGEN] = "chargen", [XG_AMP_DNS] = "dns",
    [XG_AMP_PORTMAP] = "portmap", [XG_AMP_NTP] = "ntp",		[XG_AMP_NETBIOS] = "netbios",
    [XG_AMP_SNMP] = "snmp",	  [XG_AMP_CLDAP] = "cldap",	[XG_AMP_RIP] = "rip",
    [XG_AMP_SSDP] = "ssdp",	  [XG_AMP_ARD] = "ard",		[XG_AMP_WSD] = "wsd",
    [XG_AMP_MDNS] = "mdns",	  [XG_AMP_UBNT] = "ubnt",	[XG_AMP_MEMCACHED] = "memcached",
    [XG_AMP_OTHER] = "other",
};

static const char *const sip_method_names[] = {
    [XG_SIP_REGISTER] = "REGISTER",
    [XG_SIP_INVITE] = "INVITE",
    [XG_SIP_OPTIONS] = "OPTIONS",
};

/* TCP flag buckets as tcp_flood subtypes. */
static const char *const tcpf_subtype[XG_TCPF_MAX] = {
    [XG_TCPF_SYN] = "syn", [XG_TCPF_SYNACK] = "synack", [XG_TCPF_RST] = "rst",
    [XG_TCPF_FIN] = "fin", [XG_TCPF_PSH] = "psh",	[XG_TCPF_URG] = "urg",
    [XG_TCPF_ACK] = "ack", [XG_TCPF_NONE] = "null",	[XG_TCPF_XMAS] = "xmas",
};

static double clamp01(double x)
{
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

static double share(double part, double whole)
{
	return whole > 0 ? clamp01(part / whole) : 0;
}

static double ratio(const struct ctx *c, int m)
{
	double v = c->s->metric[m], t = c->thr[m];

	if (t > 0)
		return v / t;
	return v > 0 ? RATIO_NO_THRESHOLD : 0;
}

static bool fired(const struct ctx *c, int m)
{
	return c->fired & BIT(m);
}

/* Of the metrics in list, the fired one furthest over its threshold. */
static int best_fired(const struct ctx *c, const int *list, int n)
{
	int best = -1, i;

	for (i = 0; i < n; i++)
		if (fired(c, list[i]) && (best < 0 || ratio(c, list[i]) > ratio(c, best)))
			best = list[i];
	return best;
}

static double mask_ratio(const struct ctx *c, uint64_t mask)
{
	double r = 0;
	int m;

	for (m = 0; m < XG_M_MAX; m++)
		if ((mask & BIT(m)) && ratio(c, m) > r)
			r = ratio(c, m);
	return r;
}

static struct vec *add_vec(struct ctx *c, const char *family, const char *subtype, enum group g,
			   uint64_t mask, double pps)
{
	struct vec *v;

	if (c->n >= MAX_VECS)
		return NULL;
	v = &c->v[c->n++];
	memset(v, 0, sizeof(*v));
	v->family = family;
	v->subtype = subtype;
	v->group = g;
	v->mask = mask & c->fired;
	v->ratio = mask_ratio(c, v->mask);
	v->pps = pps;
	snprintf(v->service, sizeof(v->service), "any");
	return v;
}

static void remove_vec(struct ctx *c, int i)
{
	memmove(&c->v[i], &c->v[i + 1], (size_t)(c->n - i - 1) * sizeof(c->v[0]));
	c->n--;
}

static struct vec *find_group(struct ctx *c, enum group g)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (c->v[i].group == g)
			return &c->v[i];
	return NULL;
}

static void detail(struct vec *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void detail(struct vec *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->detail, sizeof(v->detail), fmt, ap);
	va_end(ap);
}

/* The busiest port of one transport in the snapshot, or NULL. */
static const struct xg_port_rate *top_port(const struct xg_snapshot *s, int l4)
{
	int i;

	for (i = 0; i < s->n_top_ports && i < XG_TOP_PORTS; i++)
		if (s->top_ports[i].l4 == l4)
			return &s->top_ports[i];
	return NULL;
}

/* "udp/PORT" when one port carries most of base, else "any". */
static void port_service(const struct xg_snapshot *s, int l4, double base, char *buf, size_t len)
{
	const struct xg_port_rate *p = top_port(s, l4);

	if (p && base > 0 && p->pps >= DOMINANT_PORT_SHARE * base)
		snprintf(buf, len, "%s/%u", l4 == XG_PORT_L4_TCP ? "tcp" : "udp", p->port);
	else
		snprintf(buf, len, "any");
}

static void port_detail(struct vec *v, const struct xg_snapshot *s, int l4, double base,
			const char *what)
{
	const struct xg_port_rate *p = top_port(s, l4);
	const char *proto = l4 == XG_PORT_L4_TCP ? "tcp" : "udp";

	if (!p || base <= 0)
		return;
	if (p->pps >= DOMINANT_PORT_SHARE * base)
		detail(v, "%.0f%% of %s to %s/%u", 100 * share(p->pps, base), what, proto, p->port);
	else
		detail(v, "%s spread over many ports: the busiest, %s/%u, has %.0f%%", what, proto,
		       p->port, 100 * share(p->pps, base));
}

static double sip_total(const struct xg_snapshot *s)
{
	double t = 0;
	int i;

	for (i = 0; i < XG_SIP_MAX; i++)
		t += s->sip_pps[i];
	return t;
}

static bool sip_over_tcp(const struct xg_snapshot *s)
{
	return s->metric[XG_M_SIP_TCP_PPS] > s->metric[XG_M_SIP_UDP_PPS];
}

static const char *sip_service(const struct xg_snapshot *s)
{
	return sip_over_tcp(s) ? "sip-tcp" : "sip-udp";
}

/* The SIP payload accounts for the traffic to the SIP ports (not, say, a
 * SYN flood against tcp/5060, whose packets carry no SIP). */
static bool sip_payload_explains(const struct xg_snapshot *s)
{
	double ports = s->metric[XG_M_SIP_UDP_PPS] + s->metric[XG_M_SIP_TCP_PPS];

	return ports <= 0 || sip_total(s) >= EXPLAIN_SHARE * ports;
}

static int dominant_tcpf(const struct xg_snapshot *s)
{
	int f, best = XG_TCPF_ACK;

	for (f = 0; f < XG_TCPF_MAX; f++)
		if (s->tcpf_pps[f] > s->tcpf_pps[best])
			best = f;
	return best;
}

static const int sip_method_metrics[] = {XG_M_SIP_REGISTER_PPS, XG_M_SIP_INVITE_PPS,
					 XG_M_SIP_OPTIONS_PPS};

static int method_of_metric(int m)
{
	return m == XG_M_SIP_REGISTER_PPS ? XG_SIP_REGISTER
	       : m == XG_M_SIP_INVITE_PPS ? XG_SIP_INVITE
					  : XG_SIP_OPTIONS;
}

static const char *method_family(int sip)
{
	return sip == XG_SIP_REGISTER ? "sip_register_flood"
	       : sip == XG_SIP_INVITE ? "sip_invite_flood"
				      : "sip_options_flood";
}

/* A TCP vector named by the dominant flag bucket (SYN makes a syn_flood). */
static struct vec *add_tcp_by_flag(struct ctx *c, uint64_t mask, double pps, enum group g)
{
	int f = dominant_tcpf(c->s);
	struct vec *v;

	if (f == XG_TCPF_SYN)
		v = add_vec(c, "syn_flood", "", g == G_TCPF ? G_SYN : g, mask, pps);
	else
		v = add_vec(c, "tcp_flood", tcpf_subtype[f], g, mask, pps);
	if (v) {
		v->tcp = true;
		detail(v, "%s is %.0f%% of TCP packets", tcpf_subtype[f],
		       100 * share(c->s->tcpf_pps[f], c->s->metric[XG_M_TCP_PPS]));
	}
	return v;
}

static void build_sip(struct ctx *c)
{
	const struct xg_snapshot *s = c->s;
	uint64_t svc_mask = BIT(XG_M_SIP_UDP_PPS) | BIT(XG_M_SIP_TCP_PPS);
	int meth = best_fired(c, sip_method_metrics, 3), sip = -1, i;
	double total = sip_total(s);
	struct vec *v;

	if (fired(c, XG_M_SIP_MALFORMED_PPS)) {
		v = add_vec(c, "sip_malformed_flood", "", G_SIP,
			    BIT(XG_M_SIP_MALFORMED_PPS) | (meth < 0 ? svc_mask : 0),
			    s->sip_pps[XG_SIP_MALFORMED]);
		if (v) {
			v->udp = !sip_over_tcp(s);
			v->tcp = !v->udp;
			snprintf(v->service, sizeof(v->service), "%s", sip_service(s));
			detail(v, "%.0f%% of SIP packets are not SIP",
			       100 * share(s->sip_pps[XG_SIP_MALFORMED], total));
		}
	}
	if (meth >= 0) {
		sip = method_of_metric(meth);
	} else if ((c->fired & svc_mask) && !fired(c, XG_M_SIP_MALFORMED_PPS) &&
		   sip_payload_explains(s)) {
		/* Only the SIP ports fired: the dominant kind of SIP packet says
		 * what the flood is made of. */
		int top = 0;

		for (i = 1; i < XG_SIP_MAX; i++)
			if (s->sip_pps[i] > s->sip_pps[top])
				top = i;
		if (top == XG_SIP_REGISTER || top == XG_SIP_INVITE || top == XG_SIP_OPTIONS) {
			sip = top;
		} else if (top == XG_SIP_MALFORMED) {
			v = add_vec(c, "sip_malformed_flood", "", G_SIP, svc_mask,
				    s->sip_pps[XG_SIP_MALFORMED]);
			if (v) {
				v->udp = !sip_over_tcp(s);
				v->tcp = !v->udp;
				snprintf(v->service, sizeof(v->service), "%s", sip_service(s));
				detail(v, "%.0f%% of SIP packets are not SIP",
				       100 * share(s->sip_pps[XG_SIP_MALFORMED], total));
			}
		} else {
			/* Responses, keep-alives, other methods: a flood of the
			 * SIP port rather than of one SIP function. */
			if (sip_over_tcp(s)) {
				v = add_tcp_by_flag(c, svc_mask, total, G_SIP);
			} else {
				v = add_vec(c, "udp_flood", "", G_SIP, svc_mask, total);
				if (v)
					v->udp = true;
			}
			if (v) {
				snprintf(v->service, sizeof(v->service), "%s", sip_service(s));
				detail(v, "%.0f%% of SIP packets are %s",
				       100 * share(s->sip_pps[top], total),
				       top == XG_SIP_RESPONSE	 ? "responses"
				       : top == XG_SIP_KEEPALIVE ? "keep-alives"
								 : "other requests");
			}
		}
	}
	if (sip < 0)
		return;
	v = add_vec(c, method_family(sip), "", G_SIP, (meth >= 0 ? BIT(meth) : 0) | svc_mask,
		    s->sip_pps[sip]);
	if (!v)
		return;
	v->udp = !sip_over_tcp(s);
	v->tcp = !v->udp;
	snprintf(v->service, sizeof(v->service), "%s", sip_service(s));
	detail(v, "%.0f%% of SIP packets are %s", 100 * share(s->sip_pps[sip], total),
	       sip_method_names[sip]);
}

static void build_tcp(struct ctx *c)
{
	static const int flag_metrics[] = {XG_M_ACK_PPS, XG_M_RST_PPS,	XG_M_FIN_PPS,
					   XG_M_PSH_PPS, XG_M_XMAS_PPS, XG_M_NULL_PPS};
	static const char *const flag_names[] = {"ack", "rst", "fin", "psh", "xmas", "null"};
	const struct xg_snapshot *s = c->s;
	double syn = s->metric[XG_M_SYN_PPS], tls = s->svc_pps[XG_SVC_SIP_TLS];
	const struct xg_port_rate *top = top_port(s, XG_PORT_L4_TCP);
	bool tls_syn = false;
	struct vec *v;
	int f, i;

	if (fired(c, XG_M_SYN_PPS)) {
		/* Most SYNs are accounted for by the SIP-TLS class, and the
		 * busiest TCP port, when known, is 5061 or no busier than the
		 * whole class (so it can be one of its ports). */
		tls_syn = tls >= EXPLAIN_SHARE * syn &&
			  (!top || top->port == SIP_TLS_PORT || top->pps <= tls * 1.01);
		if (tls_syn) {
			v = add_vec(c, "sip_tls_syn_flood", "", G_TLS,
				    BIT(XG_M_SYN_PPS) | BIT(XG_M_SIP_TLS_PPS), syn);
			if (v) {
				v->tcp = true;
				snprintf(v->service, sizeof(v->service), "sip-tls");
				if (top)
					detail(v, "%.0f%% of SYNs go to SIP-TLS; busiest tcp/%u",
					       100 * share(tls, syn), top->port);
				else
					detail(v, "%.0f%% of SYNs go to SIP-TLS",
					       100 * share(tls, syn));
			}
		} else {
			v = add_vec(c, "syn_flood", "", G_SYN, BIT(XG_M_SYN_PPS), syn);
			if (v) {
				v->tcp = true;
				if (s->svc_pps[XG_SVC_SIP_TCP] >= EXPLAIN_SHARE * syn)
					snprintf(v->service, sizeof(v->service), "sip-tcp");
				else
					port_service(s, XG_PORT_L4_TCP, syn, v->service,
						     sizeof(v->service));
				detail(v, "SYN is %.0f%% of TCP packets",
				       100 * share(syn, s->metric[XG_M_TCP_PPS]));
			}
		}
	}
	if (fired(c, XG_M_SIP_TLS_PPS) && !tls_syn) {
		v = add_tcp_by_flag(c, BIT(XG_M_SIP_TLS_PPS), tls, G_TLS);
		if (v)
			snprintf(v->service, sizeof(v->service), "sip-tls");
	}

	f = best_fired(c, flag_metrics, 6);
	if (f >= 0) {
		uint64_t mask = 0;
		double pps = 0;

		for (i = 0; i < 6; i++) {
			if (!fired(c, flag_metrics[i]))
				continue;
			mask |= BIT(flag_metrics[i]);
			pps += s->metric[flag_metrics[i]];
		}
		for (i = 0; flag_metrics[i] != f; i++)
			;
		v = add_vec(c, "tcp_flood", flag_names[i], G_TCPF, mask, pps);
		if (v) {
			v->tcp = true;
			port_service(s, XG_PORT_L4_TCP, pps, v->service, sizeof(v->service));
			detail(v, "%s is %.0f%% of TCP packets", flag_names[i],
			       100 * share(s->metric[f], s->metric[XG_M_TCP_PPS]));
		}
	}
}

static void build_udp_specific(struct ctx *c)
{
	const struct xg_snapshot *s = c->s;
	struct vec *v;
	int a, best;

	if (fired(c, XG_M_RTP_PPS) || fired(c, XG_M_RTP_INVALID_PPS)) {
		double rtp = s->metric[XG_M_RTP_PPS], bad = s->metric[XG_M_RTP_INVALID_PPS];
		bool junk = share(bad, rtp) >= EXPLAIN_SHARE;

		v = add_vec(c, "rtp_flood", junk ? "non_rtp" : "rtp", G_RTP,
			    BIT(XG_M_RTP_PPS) | BIT(XG_M_RTP_INVALID_PPS), rtp > bad ? rtp : bad);
		if (v) {
			v->udp = true;
			snprintf(v->service, sizeof(v->service), "rtp");
			if (junk)
				detail(v, "%.0f%% of packets to the RTP range are not RTP",
				       100 * share(bad, rtp));
			else
				detail(v, "the RTP range gets %.0f%% of all packets",
				       100 * share(rtp, s->metric[XG_M_PPS]));
		}
	}
	if (fired(c, XG_M_AMP_PPS)) {
		double amp = s->metric[XG_M_AMP_PPS];

		best = XG_AMP_NONE + 1;
		for (a = best + 1; a < XG_AMP_MAX; a++)
			if (s->amp_pps[a] > s->amp_pps[best])
				best = a;
		v = add_vec(c, "amplification", amp_names[best], G_AMP, BIT(XG_M_AMP_PPS), amp);
		if (v) {
			v->udp = true;
			port_service(s, XG_PORT_L4_UDP, amp, v->service, sizeof(v->service));
			detail(v, "%s is %.0f%% of the traffic from reflector ports",
			       amp_names[best], 100 * share(s->amp_pps[best], amp));
		}
	}
	if (fired(c, XG_M_FRAG_PPS)) {
		v = add_vec(c, "fragment_flood", "", G_FRAG, BIT(XG_M_FRAG_PPS),
			    s->metric[XG_M_FRAG_PPS]);
		if (v) {
			/* Fragments of UDP, in practice: reflected responses or
			 * a fragment flood carry the UDP total. */
			v->udp = true;
			detail(v, "fragments are %.0f%% of all packets",
			       100 * share(s->metric[XG_M_FRAG_PPS], s->metric[XG_M_PPS]));
		}
	}
}

static void build_other(struct ctx *c)
{
	static const int proto_metrics[] = {XG_M_GRE_PPS, XG_M_ESP_PPS, XG_M_OTHER_PPS};
	static const char *const proto_names[] = {"gre", "esp", "other"};
	const struct xg_snapshot *s = c->s;
	struct vec *v;
	int p, i;

	if (fired(c, XG_M_ICMP_PPS)) {
		v = add_vec(c, "icmp_flood", "", G_ICMP, BIT(XG_M_ICMP_PPS),
			    s->metric[XG_M_ICMP_PPS]);
		if (v)
			detail(v, "ICMP is %.0f%% of all packets",
			       100 * share(s->metric[XG_M_ICMP_PPS], s->metric[XG_M_PPS]));
	}
	p = best_fired(c, proto_metrics, 3);
	if (p >= 0) {
		uint64_t mask = 0;
		double pps = 0;

		for (i = 0; i < 3; i++) {
			if (!fired(c, proto_metrics[i]))
				continue;
			mask |= BIT(proto_metrics[i]);
			pps += s->metric[proto_metrics[i]];
		}
		for (i = 0; proto_metrics[i] != p; i++)
			;
		v = add_vec(c, "protocol_flood", proto_names[i], G_PROTO, mask, pps);
		if (v)
			detail(v, "%s is %.0f%% of all packets", proto_names[i],
			       100 * share(s->metric[p], s->metric[XG_M_PPS]));
	}
}

/* The vector of one transport carrying the largest share of total. */
static struct vec *explainer(struct ctx *c, bool udp, double total)
{
	struct vec *best = NULL;
	int i;

	for (i = 0; i < c->n; i++) {
		struct vec *v = &c->v[i];

		if (!(udp ? v->udp : v->tcp) || v->pps < EXPLAIN_SHARE * total)
			continue;
		if (!best || v->pps > best->pps)
			best = v;
	}
	return best;
}

static void add_udp_flood(struct ctx *c, uint64_t mask, double pps)
{
	struct vec *v = add_vec(c, "udp_flood", "", G_UDP, mask, pps);

	if (!v)
		return;
	v->udp = true;
	port_service(c->s, XG_PORT_L4_UDP, pps, v->service, sizeof(v->service));
	port_detail(v, c->s, XG_PORT_L4_UDP, pps, "UDP");
}

static void build_totals(struct ctx *c)
{
	const struct xg_snapshot *s = c->s;
	struct vec *v;
	double sum;
	int i;

	if (fired(c, XG_M_UDP_PPS)) {
		v = explainer(c, true, s->metric[XG_M_UDP_PPS]);
		if (v)
			v->extra |= BIT(XG_M_UDP_PPS);
		else
			add_udp_flood(c, BIT(XG_M_UDP_PPS), s->metric[XG_M_UDP_PPS]);
	}
	if (fired(c, XG_M_TCP_PPS)) {
		v = explainer(c, false, s->metric[XG_M_TCP_PPS]);
		if (v) {
			v->extra |= BIT(XG_M_TCP_PPS);
		} else {
			v = add_tcp_by_flag(c, BIT(XG_M_TCP_PPS), s->metric[XG_M_TCP_PPS], G_TCPF);
			if (v)
				port_service(s, XG_PORT_L4_TCP, s->metric[XG_M_TCP_PPS], v->service,
					     sizeof(v->service));
		}
	}
	/* SIP ports that fired without SIP payload to explain them (a flood
	 * of bare TCP segments at tcp/5060): a flood of the port. */
	if ((c->fired & (BIT(XG_M_SIP_UDP_PPS) | BIT(XG_M_SIP_TCP_PPS))) &&
	    !sip_payload_explains(s)) {
		bool tcp = sip_over_tcp(s);
		int m = tcp ? XG_M_SIP_TCP_PPS : XG_M_SIP_UDP_PPS;

		v = explainer(c, !tcp, s->metric[m]);
		if (v) {
			v->extra |= c->fired & BIT(m);
		} else {
			if (tcp)
				v = add_tcp_by_flag(c, BIT(m), s->metric[m], G_TCPF);
			else
				v = add_vec(c, "udp_flood", "", G_UDP, BIT(m), s->metric[m]);
			if (v)
				snprintf(v->service, sizeof(v->service), "%s", sip_service(s));
		}
	}

	if (!fired(c, XG_M_PPS) && !fired(c, XG_M_BPS))
		return;
	for (sum = 0, v = NULL, i = 0; i < c->n; i++) {
		sum += c->v[i].pps;
		if (!v || c->v[i].pps > v->pps)
			v = &c->v[i];
	}
	/* bps alone is carried by few large packets, which a packet share
	 * does not measure: any specific vector explains it. */
	if (v && (!fired(c, XG_M_PPS) || sum >= EXPLAIN_SHARE * s->metric[XG_M_PPS])) {
		v->extra |= c->fired & (BIT(XG_M_PPS) | BIT(XG_M_BPS));
		return;
	}
	/* The totals fired on their own: name the protocol that carries them
	 * (by bytes when only bps fired: few large packets). */
	{
		const double *by = fired(c, XG_M_PPS) ? s->proto_pps : s->proto_bps;
		uint64_t mask = c->fired & (BIT(XG_M_PPS) | BIT(XG_M_BPS));
		double pps;
		int p = 0;

		for (i = 1; i < XG_PROTO_MAX; i++)
			if (by[i] > by[p])
				p = i;
		pps = s->proto_pps[p];
		switch (p) {
		case XG_PROTO_UDP:
			if (!find_group(c, G_UDP))
				add_udp_flood(c, mask, pps);
			break;
		case XG_PROTO_TCP:
			if (!find_group(c, G_TCPF) && !find_group(c, G_SYN))
				add_tcp_by_flag(c, mask, pps, G_TCPF);
			break;
		case XG_PROTO_ICMP:
		case XG_PROTO_ICMPV6:
			if (!find_group(c, G_ICMP)) {
				pps = s->proto_pps[XG_PROTO_ICMP] + s->proto_pps[XG_PROTO_ICMPV6];
				v = add_vec(c, "icmp_flood", "", G_ICMP, mask, pps);
				if (v)
					detail(v, "ICMP is %.0f%% of all packets",
					       100 * share(pps, s->metric[XG_M_PPS]));
			}
			break;
		default:
			if (!find_group(c, G_PROTO)) {
				const char *sub = p == XG_PROTO_GRE   ? "gre"
						  : p == XG_PROTO_ESP ? "esp"
								      : "other";

				v = add_vec(c, "protocol_flood", sub, G_PROTO, mask, pps);
				if (v)
					detail(v, "%s is %.0f%% of all packets",
					       p == XG_PROTO_NONIP ? "non-IP" : sub,
					       100 * share(pps, s->metric[XG_M_PPS]));
			}
			break;
		}
	}
}

/* Overlapping vectors are one attack seen twice. */
static void merge(struct ctx *c)
{
	struct vec *amp = find_group(c, G_AMP), *udp;
	int i;

	for (i = 0; i < c->n; i++) {
		struct vec *v = &c->v[i];

		if (amp && v->group == G_RTP && amp->pps >= EXPLAIN_SHARE * v->pps) {
			/* Reflected responses aimed at the media ports. */
			amp->extra |= v->mask | v->extra;
			if (!strcmp(amp->service, "any"))
				snprintf(amp->service, sizeof(amp->service), "rtp");
		} else if (v->group == G_FRAG && (amp || find_group(c, G_UDP))) {
			/* Large reflected responses and UDP floods fragment. */
			udp = amp ? amp : find_group(c, G_UDP);
			udp->extra |= v->mask | v->extra;
		} else {
			continue;
		}
		remove_vec(c, i);
		amp = find_group(c, G_AMP);
		i--;
	}
	for (i = 0; i < c->n; i++)
		c->v[i].ratio = mask_ratio(c, c->v[i].mask | c->v[i].extra);
}

static void sort_vecs(struct ctx *c)
{
	int i, j;

	for (i = 1; i < c->n; i++) {
		struct vec t = c->v[i];

		for (j = i; j > 0 && c->v[j - 1].ratio < t.ratio; j--)
			c->v[j] = c->v[j - 1];
		c->v[j] = t;
	}
}

static void evidence(struct xg_class *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void evidence(struct xg_class *out, const char *fmt, ...)
{
	va_list ap;

	if (out->n_evidence >= XG_EVIDENCE_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(out->evidence[out->n_evidence++], XG_EVIDENCE_LEN, fmt, ap);
	va_end(ap);
}

static void metric_evidence(const struct ctx *c, struct xg_class *out, int m)
{
	evidence(out, "%s %.0f/s is %.1fx its threshold %.0f", xg_metric_name(m), c->s->metric[m],
		 ratio(c, m), c->thr[m]);
}

/* Up to max lines for the fired metrics of a vector: its own strongest
 * first, then what it explains besides. */
static void mask_evidence(const struct ctx *c, struct xg_class *out, uint64_t own, uint64_t extra,
			  int max)
{
	int i;

	for (i = 0; i < max && (own || extra); i++) {
		uint64_t *from = own ? &own : &extra;
		int m, best = -1;

		for (m = 0; m < XG_M_MAX; m++)
			if ((*from & BIT(m)) && (best < 0 || ratio(c, m) > ratio(c, best)))
				best = m;
		metric_evidence(c, out, best);
		*from &= ~BIT(best);
	}
}

static int confidence(double r, double dominance)
{
	/* 10x over threshold is as sure as it gets; a flood that is most of
	 * the traffic is surer than a side stream. */
	double over = r > 1 ? clamp01(log10(r)) : 0;

	return (int)lround(30 + 45 * over + 25 * clamp01(dominance));
}

static void source_flags(const struct xg_snapshot *s, struct xg_class *out)
{
	bool many_new = s->new_source_share >= SPOOF_NEW_SHARE_MIN;
	bool per_packet = s->distinct_sources >= SPOOF_DISTINCT_MIN &&
			  s->distinct_sources >= SPOOF_SOURCES_PER_PACKET * s->metric[XG_M_PPS];

	out->spoofed = many_new && (per_packet || s->ttl_entropy >= SPOOF_TTL_ENTROPY_BITS);
	out->botnet = !out->spoofed && s->distinct_sources >= BOTNET_DISTINCT_MIN &&
		      s->new_source_share >= BOTNET_NEW_SHARE_MIN;
}

static void source_evidence(const struct xg_snapshot *s, struct xg_class *out)
{
	if (s->new_source_share >= 0)
		evidence(out, "%.0f%% of sampled packets from new sources",
			 100 * s->new_source_share);
	if (out->spoofed || out->botnet || s->distinct_sources >= BOTNET_DISTINCT_MIN)
		evidence(out, "%.0f distinct sources, source entropy %.1f bits",
			 s->distinct_sources, s->src_entropy);
	if (out->spoofed || s->ttl_entropy > 0)
		evidence(out, "ttl entropy %.1f bits", s->ttl_entropy);
}

static void set_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

/* SIP requests (and the SIP ports, and totals the SIP traffic carries)
 * fired, from peers known in peacetime: an avalanche restart. */
static bool registration_surge(const struct ctx *c)
{
	const uint64_t sipm = BIT(XG_M_SIP_REGISTER_PPS) | BIT(XG_M_SIP_INVITE_PPS) |
			      BIT(XG_M_SIP_OPTIONS_PPS) | BIT(XG_M_SIP_UDP_PPS) |
			      BIT(XG_M_SIP_TCP_PPS);
	const uint64_t totals =
	    BIT(XG_M_PPS) | BIT(XG_M_BPS) | BIT(XG_M_UDP_PPS) | BIT(XG_M_TCP_PPS);
	const struct xg_snapshot *s = c->s;
	double sip_udp = s->svc_pps[XG_SVC_SIP_UDP], sip_tcp = s->svc_pps[XG_SVC_SIP_TCP];

	if (!(c->fired & sipm) || (c->fired & ~(sipm | totals)))
		return false;
	if (s->sip_known_share < SURGE_KNOWN_SHARE_MIN ||
	    s->new_source_share >= SURGE_NEW_SHARE_MAX || !sip_payload_explains(s))
		return false;
	/* A total that fired must be carried by the SIP traffic, or something
	 * else is going on as well. */
	if (fired(c, XG_M_UDP_PPS) && sip_udp < EXPLAIN_SHARE * s->metric[XG_M_UDP_PPS])
		return false;
	if (fired(c, XG_M_TCP_PPS) && sip_tcp < EXPLAIN_SHARE * s->metric[XG_M_TCP_PPS])
		return false;
	if (fired(c, XG_M_PPS) && sip_udp + sip_tcp < EXPLAIN_SHARE * s->metric[XG_M_PPS])
		return false;
	if (fired(c, XG_M_BPS) && s->svc_bps[XG_SVC_SIP_UDP] + s->svc_bps[XG_SVC_SIP_TCP] <
				      EXPLAIN_SHARE * s->metric[XG_M_BPS])
		return false;
	return true;
}

static void classify_surge(const struct ctx *c, struct xg_class *out)
{
	const struct xg_snapshot *s = c->s;
	double total = sip_total(s), known = s->sip_known_share;
	double novelty = s->new_source_share > 0 ? s->new_source_share : 0;
	int top = XG_SIP_REGISTER, i;

	for (i = XG_SIP_INVITE; i <= XG_SIP_OPTIONS; i++)
		if (s->sip_pps[i] > s->sip_pps[top])
			top = i;
	set_str(out->family, sizeof(out->family), "sip_registration_surge");
	set_str(out->service, sizeof(out->service), sip_service(s));
	out->attack = false;
	out->confidence = (int)lround(100 * clamp01(known) * (1 - clamp01(novelty)));
	mask_evidence(c, out, c->fired, 0, MAX_METRIC_EVD);
	evidence(out, "%.0f%% of SIP packets from peers known before", 100 * known);
	evidence(out, "%.0f%% of SIP packets are %s", 100 * share(s->sip_pps[top], total),
		 sip_method_names[top]);
	source_evidence(s, out);
}

void xg_classify(const struct xg_snapshot *s, const double thr[XG_M_MAX], uint64_t fired_mask,
		 struct xg_class *out)
{
	struct ctx c = {.s = s, .thr = thr, .fired = fired_mask};
	double total = s->metric[XG_M_PPS];
	int i, strong = 0, groups = 0;
	uint64_t seen = 0;

	memset(out, 0, sizeof(*out));
	source_flags(s, out);
	if (!fired_mask) {
		set_str(out->family, sizeof(out->family), "none");
		set_str(out->service, sizeof(out->service), "any");
		return;
	}
	if (registration_surge(&c)) {
		classify_surge(&c, out);
		return;
	}
	if (!(fired_mask & ~(BIT(XG_M_PPS) | BIT(XG_M_BPS))) && s->new_source_share >= 0 &&
	    s->new_source_share < TRAFFIC_SURGE_NEW_MAX) {
		set_str(out->family, sizeof(out->family), "traffic_surge");
		set_str(out->service, sizeof(out->service), "any");
		out->attack = false;
		out->confidence = (int)lround(100 * (1 - s->new_source_share));
		mask_evidence(&c, out, fired_mask, 0, MAX_METRIC_EVD);
		evidence(out, "only the totals rose; %.0f%% of sampled packets from known sources",
			 100 * (1 - s->new_source_share));
		source_evidence(s, out);
		return;
	}

	build_sip(&c);
	build_tcp(&c);
	build_udp_specific(&c);
	build_other(&c);
	build_totals(&c);
	merge(&c);
	sort_vecs(&c);
	out->attack = true;
	if (!c.n) {
		/* Not reachable with a sane snapshot; name it rather than guess. */
		set_str(out->family, sizeof(out->family), "traffic_surge");
		set_str(out->service, sizeof(out->service), "any");
		out->confidence = 30;
		mask_evidence(&c, out, fired_mask, 0, MAX_METRIC_EVD);
		source_evidence(s, out);
		return;
	}

	for (i = 0; i < c.n; i++) {
		if (c.v[i].ratio < MULTI_VECTOR_RATIO)
			break;
		strong++;
		if (!(seen & BIT(c.v[i].group)))
			groups++;
		seen |= BIT(c.v[i].group);
	}

	if (groups >= 2) {
		int order[MAX_VECS], j, k;
		double pps = 0;
		size_t off = 0;
		bool same = true;

		/* Named in a fixed order (by group), not by strength, so two
		 * vectors trading places is not a change of class. */
		for (i = 0; i < strong; i++) {
			for (j = i; j > 0; j--) {
				const struct vec *a = &c.v[order[j - 1]], *b = &c.v[i];

				if (a->group < b->group ||
				    (a->group == b->group && strcmp(a->family, b->family) <= 0))
					break;
				order[j] = order[j - 1];
			}
			order[j] = i;
		}
		set_str(out->family, sizeof(out->family), "multi_vector");
		for (k = 0; k < strong; k++) {
			const char *f = c.v[order[k]].family;
			size_t flen = strlen(f);

			/* "syn_flood" + "udp_flood" -> "syn+udp" */
			if (flen > 6 && !strcmp(f + flen - 6, "_flood"))
				flen -= 6;
			if (off + flen + 2 <= sizeof(out->subtype))
				off +=
				    (size_t)snprintf(out->subtype + off, sizeof(out->subtype) - off,
						     "%s%.*s", k ? "+" : "", (int)flen, f);
		}
		for (i = 0; i < strong; i++) {
			pps += c.v[i].pps;
			same = same && !strcmp(c.v[i].service, c.v[0].service);
		}
		set_str(out->service, sizeof(out->service), same ? c.v[0].service : "any");
		/* As sure as the weaker of the two strongest vectors. */
		out->confidence = confidence(c.v[1].ratio, share(pps, total));
		for (i = 0; i < strong && out->n_evidence < XG_EVIDENCE_MAX - 3; i++) {
			mask_evidence(&c, out, c.v[i].mask, c.v[i].extra, 1);
			if (c.v[i].detail[0])
				evidence(out, "%s: %s", c.v[i].family, c.v[i].detail);
		}
	} else {
		const struct vec *v = &c.v[0];

		set_str(out->family, sizeof(out->family), v->family);
		set_str(out->subtype, sizeof(out->subtype), v->subtype);
		set_str(out->service, sizeof(out->service), v->service);
		out->confidence = confidence(v->ratio, total > 0 ? share(v->pps, total) : 1);
		mask_evidence(&c, out, v->mask, v->extra, MAX_METRIC_EVD);
		if (v->detail[0])
			evidence(out, "%s", v->detail);
		/* Weaker vectors alongside, so nothing that fired goes unmentioned. */
		for (i = 1; i < c.n && out->n_evidence < XG_EVIDENCE_MAX - 3; i++)
			evidence(out, "also %s%s%s at %.1fx", c.v[i].family,
				 c.v[i].subtype[0] ? "/" : "", c.v[i].subtype, c.v[i].ratio);
	}
	if (out->confidence > 100)
		out->confidence = 100;
	source_evidence(s, out);
}
