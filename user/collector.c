// SPDX-License-Identifier: GPL-2.0-only
#include "collector.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapwalk.h"

#define TALKER_CHUNK 4096

int xg_collector_init(struct xg_collector *c, const struct xg_maps *m, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->maps = m;
	c->sample_rate = 64;
	c->cur = calloc(1, sizeof(*c->cur));
	if (!c->cur) {
		xg_collector_free(c);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

void xg_collector_free(struct xg_collector *c)
{
	free(c->cur);
	c->cur = NULL;
}

static int set_push(struct xg_talker_set *s, const struct xg_talker_sample *x)
{
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 1024;
		struct xg_talker_sample *nv = realloc(s->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		s->v = nv;
		s->cap = ncap;
	}
	s->v[s->n++] = *x;
	s->total += x->samples;
	return 0;
}

struct read_ctx {
	int family;
	struct xg_talker_set *out;
};

static int read_one(const void *key, const void *val, void *arg)
{
	const struct read_ctx *d = arg;
	const struct xg_talker *t = val;
	size_t klen = d->family == AF_INET ? 4 : 16;
	struct xg_talker_sample x = {
	    .addr = {.family = d->family, .prefixlen = (unsigned)klen * 8},
	    .samples = t->samples,
	    .bytes = t->bytes,
	};

	memcpy(x.addr.addr, key, klen);
	return set_push(d->out, &x);
}

int xg_talkers_read(int fd, int family, bool drain, struct xg_talker_set *out)
{
	struct read_ctx d = {family, out};

	return xg_map_walk(fd, family == AF_INET ? 4 : 16, sizeof(struct xg_talker), TALKER_CHUNK,
			   drain, read_one, &d);
}

/* Reads and empties one talker/victim map: lookup-and-delete is atomic per
 * element, so every sample lands in exactly one tick. */
static int drain(int fd, int family, struct xg_talker_set *out)
{
	return xg_talkers_read(fd, family, true, out);
}

static int by_samples_desc(const void *a, const void *b)
{
	const struct xg_talker_sample *x = a, *y = b;

	return x->samples < y->samples ? 1 : x->samples > y->samples ? -1 : 0;
}

/* Shannon entropy in bits of a distribution given as counts. */
static double entropy(const double *counts, size_t n)
{
	double total = 0, h = 0;
	size_t i;

	for (i = 0; i < n; i++)
		total += counts[i];
	if (total <= 0)
		return 0;
	for (i = 0; i < n; i++) {
		double p = counts[i] / total;

		if (p > 0)
			h -= p * log2(p);
	}
	return h;
}

static void fill_addrs(const struct xg_talker_set *s, double scale, double secs,
		       const struct xg_peers *peers, struct xg_addr_rate *out, int max, int *n)
{
	int i;

	*n = 0;
	for (i = 0; i < max && (size_t)i < s->n; i++) {
		out[i].addr = s->v[i].addr;
		out[i].pps = (double)s->v[i].samples * scale / secs;
		out[i].samples = (uint32_t)s->v[i].samples;
		out[i].bps = (double)s->v[i].bytes * 8.0 * scale / secs;
		out[i].known = peers && xg_peers_is_known(peers, &s->v[i].addr);
		(*n)++;
	}
}

#define NOVELTY_SOURCES 2048

/* The sources side: top talkers, entropy, distinct estimate, novelty. */
static void sources(struct xg_collector *c, struct xg_talker_set *src, double secs,
		    const struct xg_peers *peers, struct xg_snapshot *out)
{
	double scale = c->sample_rate ? (double)c->sample_rate : 1.0;
	size_t i, stride = (src->n + NOVELTY_SOURCES - 1) / NOVELTY_SOURCES;
	double h = 0, unknown = 0, seen = 0;

	qsort(src->v, src->n, sizeof(*src->v), by_samples_desc);
	fill_addrs(src, scale, secs, peers, out->top_src, XG_TOP_SOURCES, &out->n_top_src);
	if (!src->total) {
		out->src_entropy = 0;
		out->new_source_share = -1;
		return;
	}
	for (i = 0; i < src->n; i++) {
		double p = (double)src->v[i].samples / (double)src->total;

		h -= p * log2(p);
	}
	/* The share of samples from sources that are not known peers: over
	 * every source up to NOVELTY_SOURCES, over an even stride of the list
	 * beyond (a flood from random sources fills the talker map every tick,
	 * and a peer-table probe for each of them was a fifth of the tick). */
	for (i = 0; i < src->n; i += stride) {
		seen += (double)src->v[i].samples;
		if (!peers || !xg_peers_is_known(peers, &src->v[i].addr))
			unknown += (double)src->v[i].samples;
	}
	out->src_entropy = h;
	out->new_source_share = seen > 0 ? unknown / seen : -1;
}

/* Distinct sources in the tick by linear counting over the bitmap the
 * program fills: n = -m ln(zero bits / m). The bitmap is cleared after the
 * read; a bit set in between is lost, which only errs low. */
static double distinct_sources(const struct xg_maps *m)
{
	const double bits = (double)(XG_SRCBITS_WORDS * 64);
	size_t cpu, w;
	double zero = 0;

	if (!m->srcbits_mem)
		return 0;
	for (w = 0; w < XG_SRCBITS_WORDS; w++) {
		__u64 v = 0;

		for (cpu = 0; cpu < m->srcbits_cpus; cpu++) {
			v |= m->srcbits_mem[cpu * XG_SRCBITS_WORDS + w];
			m->srcbits_mem[cpu * XG_SRCBITS_WORDS + w] = 0;
		}
		zero += (double)(64 - __builtin_popcountll(v));
	}
	if (zero >= bits)
		return 0;
	if (zero < 1)
		zero = 1; /* saturated: report the most the bitmap can tell */
	return -bits * log(zero / bits);
}

static void top_ports(const struct xg_port_count *top, int n, double secs, struct xg_snapshot *out)
{
	int i;

	for (i = 0; i < n; i++)
		out->top_ports[i] = (struct xg_port_rate){.l4 = (uint8_t)top[i].l4,
							  .port = (uint16_t)top[i].port,
							  .pps = (double)top[i].packets / secs};
	out->n_top_ports = n;
}

static void rates(const struct xg_stats *s, double secs, struct xg_snapshot *out)
{
	double pkts = 0, bytes = 0, dropped = 0;
	int i;

	for (i = 0; i < XG_PROTO_MAX; i++) {
		out->proto_pps[i] = (double)s->proto[i].packets / secs;
		out->proto_bps[i] = (double)s->proto[i].bytes * 8.0 / secs;
		pkts += (double)s->proto[i].packets;
		bytes += (double)s->proto[i].bytes;
	}
	for (i = 0; i < XG_SVC_MAX; i++) {
		out->svc_pps[i] = (double)s->svc[i].packets / secs;
		out->svc_bps[i] = (double)s->svc[i].bytes * 8.0 / secs;
	}
	for (i = 0; i < XG_SIP_MAX; i++)
		out->sip_pps[i] = (double)s->sip[i] / secs;
	for (i = 0; i < XG_TCPF_MAX; i++)
		out->tcpf_pps[i] = (double)s->tcp_flags[i] / secs;
	for (i = 0; i < XG_AMP_MAX; i++) {
		out->amp_pps[i] = (double)s->amp[i].packets / secs;
		out->amp_bps[i] = (double)s->amp[i].bytes * 8.0 / secs;
	}
	for (i = 0; i < XG_REASON_MAX; i++) {
		out->drop_pps[i] = (double)s->drop[i] / secs;
		out->would_drop_pps[i] = (double)s->would_drop[i] / secs;
		dropped += (double)s->drop[i];
	}
	out->allowed_pps = (double)s->allowed / secs;
	out->mitigated_pps = dropped / secs;
	for (i = 0; i < XG_TTL_BUCKETS; i++)
		out->ttl_hist[i] = (double)s->ttl[i];
	for (i = 0; i < XG_SIZE_BUCKETS; i++)
		out->size_hist[i] = (double)s->size[i];
	out->ttl_entropy = entropy(out->ttl_hist, XG_TTL_BUCKETS);

	/* Like every metric, the total is what reached the host: dropped
	 * traffic is in mitigated_pps, which keeps an incident open. */
	out->metric[XG_M_PPS] = pkts / secs;
	out->metric[XG_M_BPS] = bytes * 8.0 / secs;
	out->metric[XG_M_TCP_PPS] = out->proto_pps[XG_PROTO_TCP];
	out->metric[XG_M_UDP_PPS] = out->proto_pps[XG_PROTO_UDP];
	out->metric[XG_M_ICMP_PPS] =
	    out->proto_pps[XG_PROTO_ICMP] + out->proto_pps[XG_PROTO_ICMPV6];
	out->metric[XG_M_GRE_PPS] = out->proto_pps[XG_PROTO_GRE];
	out->metric[XG_M_ESP_PPS] = out->proto_pps[XG_PROTO_ESP];
	out->metric[XG_M_OTHER_PPS] = out->proto_pps[XG_PROTO_OTHER];
	out->metric[XG_M_FRAG_PPS] = (double)(s->frag_first + s->frag_later) / secs;
	out->metric[XG_M_SYN_PPS] = out->tcpf_pps[XG_TCPF_SYN];
	out->metric[XG_M_ACK_PPS] = out->tcpf_pps[XG_TCPF_ACK];
	out->metric[XG_M_RST_PPS] = out->tcpf_pps[XG_TCPF_RST];
	out->metric[XG_M_FIN_PPS] = out->tcpf_pps[XG_TCPF_FIN];
	out->metric[XG_M_PSH_PPS] = out->tcpf_pps[XG_TCPF_PSH];
	out->metric[XG_M_XMAS_PPS] = out->tcpf_pps[XG_TCPF_XMAS];
	out->metric[XG_M_NULL_PPS] = out->tcpf_pps[XG_TCPF_NONE];
	out->metric[XG_M_SIP_UDP_PPS] = out->svc_pps[XG_SVC_SIP_UDP];
	out->metric[XG_M_SIP_TCP_PPS] = out->svc_pps[XG_SVC_SIP_TCP];
	out->metric[XG_M_SIP_TLS_PPS] = out->svc_pps[XG_SVC_SIP_TLS];
	out->metric[XG_M_RTP_PPS] = out->svc_pps[XG_SVC_RTP];
	out->metric[XG_M_SIP_REGISTER_PPS] = out->sip_pps[XG_SIP_REGISTER];
	out->metric[XG_M_SIP_INVITE_PPS] = out->sip_pps[XG_SIP_INVITE];
	out->metric[XG_M_SIP_OPTIONS_PPS] = out->sip_pps[XG_SIP_OPTIONS];
	out->metric[XG_M_SIP_MALFORMED_PPS] = out->sip_pps[XG_SIP_MALFORMED];
	out->metric[XG_M_RTP_INVALID_PPS] = (double)s->rtp_invalid / secs;
	out->metric[XG_M_AMP_PPS] = 0;
	for (i = 1; i < XG_AMP_MAX; i++)
		out->metric[XG_M_AMP_PPS] += out->amp_pps[i];
}

int xg_collector_collect(struct xg_collector *c, uint64_t now_ns, const struct xg_peers *peers,
			 struct xg_snapshot *out)
{
	struct xg_talker_set src = {0}, dst = {0};
	struct xg_port_count top[XG_TOP_PORTS];
	uint64_t watched_was[XG_WATCHED_MAX];
	double secs;
	int ret, i, n_top;

	c->prev_st = c->cur->st;
	ret = xg_counters_read_stats(c->maps, &c->cur->st);
	if (ret)
		return ret;
	for (i = 0; i < c->n_watched; i++)
		watched_was[i] = c->cur->port[c->watched[i]];
	n_top = xg_counters_update_ports(c->maps, c->cur->port, top, XG_TOP_PORTS);
	/* Draining walks every bucket; when nothing was sampled since the last
	 * tick the maps are empty and the walk is skipped. */
	if (!c->primed || c->cur->st.talker_samples != c->prev_st.talker_samples) {
		/* the same for each family: IPv6 maps that got nothing are not walked */
		bool v6 =
		    !c->primed || c->cur->st.talker_samples_v6 != c->prev_st.talker_samples_v6;

		ret = drain(c->maps->talkers_v4, AF_INET, &src);
		if (!ret && v6)
			ret = drain(c->maps->talkers_v6, AF_INET6, &src);
		if (!ret)
			ret = drain(c->maps->victims_v4, AF_INET, &dst);
		if (!ret && v6)
			ret = drain(c->maps->victims_v6, AF_INET6, &dst);
		if (ret)
			goto out;
	}
	if (!c->primed || now_ns <= c->prev_ns) {
		distinct_sources(c->maps); /* starts the first tick's bitmap empty */
		c->primed = true;
		c->prev_ns = now_ns;
		ret = 1;
		goto out;
	}
	secs = (double)(now_ns - c->prev_ns) / 1e9;
	xg_stats_delta(&c->prev_st, &c->cur->st, &c->delta);
	memset(out, 0, sizeof(*out));
	out->ts_ns = now_ns;
	out->interval_s = secs;
	rates(&c->delta, secs, out);
	top_ports(top, n_top, secs, out);
	for (i = 0; i < c->n_watched; i++) {
		uint32_t k = c->watched[i];

		out->watched[i].l4 = (uint8_t)(k / XG_PORTS);
		out->watched[i].port = (uint16_t)(k % XG_PORTS);
		out->watched[i].pps =
		    (double)(c->cur->port[k] > watched_was[i] ? c->cur->port[k] - watched_was[i]
							      : 0) /
		    secs;
	}
	out->n_watched = c->n_watched;
	sources(c, &src, secs, peers, out);
	out->distinct_sources = distinct_sources(c->maps);
	qsort(dst.v, dst.n, sizeof(*dst.v), by_samples_desc);
	fill_addrs(&dst, c->sample_rate ? (double)c->sample_rate : 1.0, secs, NULL, out->top_dst,
		   XG_TOP_VICTIMS, &out->n_top_dst);
	out->sip_known_share = -1; /* the controller fills it from the peer store */

	c->prev_ns = now_ns;
out:
	free(src.v);
	free(dst.v);
	return ret;
}

void xg_collector_reset_samples(struct xg_collector *c)
{
	struct xg_talker_set s = {0};

	drain(c->maps->talkers_v4, AF_INET, &s);
	drain(c->maps->talkers_v6, AF_INET6, &s);
	drain(c->maps->victims_v4, AF_INET, &s);
	drain(c->maps->victims_v6, AF_INET6, &s);
	free(s.v);
}
