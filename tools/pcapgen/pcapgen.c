// SPDX-License-Identifier: GPL-2.0-only
/*
 * xg-pcapgen: deterministic test captures for `xdpctl replay`.
 *
 * Every scenario is peacetime VoIP traffic towards the protected node
 * (10.123.0.2, fd00:7b::2; ingress only, so none of the node's answers),
 * then an attack or a benign surge, then peace again so that an incident
 * can close. Packets are scheduled first (one time per packet, per flow),
 * sorted by time, then built in that order with the packet builder, so one
 * seed always gives the same bytes.
 *
 * usage: xg-pcapgen SCENARIO -o OUT.pcap [--seed N] [--scale X] [--nanosecond]
 *        xg-pcapgen list
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkt.h"

#define PROG "xg-pcapgen"

#define EPOCH_S	    1793613600ULL /* 2026-11-02 10:00:00 UTC */
#define PEACE_S	    40.0	  /* peace before the attack */
#define ATTACK_S    12.0	  /* the attack */
#define AFTER_S	    20.0	  /* peace after it, for the incident to close */
#define RAMP_S	    600.0	  /* the ramp scenario's length */
#define OUTAGE_S    20.0	  /* avalanche: no traffic at all */
#define AVALANCHE_S 90.0	  /* avalanche: its length */
#define MAX_PACKETS 10000000

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20

static const uint8_t node4[4] = {10, 123, 0, 2};
static const uint8_t node6[16] = {0xfd, 0x00, 0x00, 0x7b, [15] = 0x02};

/* splitmix64: small, fast and the same everywhere. */
struct rng {
	uint64_t s;
};

static uint64_t rnd64(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rnd32(struct rng *r)
{
	return (uint32_t)(rnd64(r) >> 32);
}

/* Uniform in [0, n). */
static uint32_t rnd(struct rng *r, uint32_t n)
{
	return (uint32_t)(((uint64_t)rnd32(r) * n) >> 32);
}

/* Uniform in [lo, hi]. */
static uint32_t rnd_in(struct rng *r, uint32_t lo, uint32_t hi)
{
	return lo + rnd(r, hi - lo + 1);
}

/* Uniform in [0, 1). */
static double rndf(struct rng *r)
{
	return (double)(rnd64(r) >> 11) * (1.0 / 9007199254740992.0);
}

static void rnd_bytes(struct rng *r, uint8_t *p, size_t n)
{
	while (n--)
		*p++ = (uint8_t)rnd32(r);
}

/* What a flow sends. */
enum kind {
	/* peacetime */
	K_SIP_REGISTER, /* one endpoint's registrations */
	K_SIP_OPTIONS,	/* one endpoint's keep-alive OPTIONS */
	K_RTP,		/* one RTP stream, 50 pps */
	K_RTCP,		/* its RTCP sender reports */
	K_PING,		/* a monitoring host's echo requests */
	K_TLS,		/* an established SIP-over-TLS connection: ACKs and records */
	/* attacks */
	K_UDP,
	K_TCP, /* sub: TCP flags */
	K_ICMP,
	K_FRAG,
	K_GRE,
	K_ESP,
	K_AMP,	     /* sub: enum amp */
	K_SIP_FLOOD, /* sub: enum method */
	K_SIP_JUNK,
	K_RTP_FLOOD,
};

enum amp { AMP_DNS, AMP_NTP, AMP_SSDP, AMP_MEMCACHED };
enum method { M_REGISTER, M_INVITE, M_OPTIONS };
enum pool { POOL_FEW, POOL_BOTNET, POOL_V6, POOL_SPOOFED };

/* REGISTER event arguments. */
#define REG_REFRESH 0 /* a new transaction */
#define REG_RETX    1 /* a retransmission of the last one */
#define REG_STALE   2 /* a new transaction with a fresh nonce (after a 401) */

/* TLS event arguments. */
#define TLS_ACK	   0
#define TLS_RECORD 1

struct src {
	uint8_t family;
	uint8_t addr[16];
	uint8_t ttl;
	uint16_t port;
	uint32_t id; /* per-source state: SPI, ICMP id, ... */
	uint32_t seq;
};

struct flow {
	enum kind kind;
	int sub;
	struct src self;  /* a peacetime flow's source */
	struct src *pool; /* an attack's sources; NULL: spoofed, one per packet */
	int npool;
	int family;
	uint16_t ports[4]; /* destinations to choose from; 0 = a random high port */
	int nports;
	/* SIP endpoint state */
	uint32_t user;
	const char *ua;
	uint32_t cseq, nc, tag, branch[2], callid[2];
	uint64_t nonce;
	/* RTP, TCP and ICMP state */
	uint16_t dport, seq16;
	uint32_t ts, ssrc, packets, octets;
	uint32_t tcp_seq, tcp_ack, tsval;
	int link; /* RTCP: its RTP flow */
};

struct event {
	uint64_t t_ns; /* from the start of the capture */
	uint32_t flow;
	uint32_t arg;
	uint32_t order; /* ties keep the order of scheduling */
};

struct gen {
	struct rng rng;
	double scale;
	double length_s;
	double out_from, out_to; /* outage: nothing is sent */
	double atk_from, atk_to; /* equal when there is no attack */
	struct flow *flows;
	size_t nflows, capflows;
	struct event *ev;
	size_t nev, capev;
	bool too_many;
};

struct vector {
	enum kind kind;
	int sub;
	double pps;
	int nsrc;
	enum pool pool;
	uint16_t ports[4];
};

enum stype { S_ATTACK, S_RAMP, S_AVALANCHE };

struct scenario {
	const char *name;
	const char *desc;
	enum stype type;
	struct vector v[2];
};

/* The attack rates sit well over the test config's floors
 * (tests/replay/replay.json); --scale multiplies them. */
static const struct scenario scenarios[] = {
    {"udp_flood",
     "UDP to random high ports from 8 sources, 4000 pps",
     S_ATTACK,
     {{K_UDP, 0, 4000, 8, POOL_FEW, {0}}}},
    {"syn_flood",
     "TCP SYN to 443 and 80 from 500 sources, 3000 pps",
     S_ATTACK,
     {{K_TCP, TCP_SYN, 3000, 500, POOL_BOTNET, {443, 443, 80}}}},
    {"sip_tls_syn_flood",
     "TCP SYN to SIP-TLS 5061 from 500 sources, 3000 pps",
     S_ATTACK,
     {{K_TCP, TCP_SYN, 3000, 500, POOL_BOTNET, {5061}}}},
    {"tcp_ack",
     "bare TCP ACKs to 80, 443 and high ports from 200 sources, 4000 pps",
     S_ATTACK,
     {{K_TCP, TCP_ACK, 4000, 200, POOL_BOTNET, {80, 443, 0}}}},
    {"tcp_rst",
     "TCP RST and RST+ACK from 200 sources, 2000 pps",
     S_ATTACK,
     {{K_TCP, TCP_RST, 2000, 200, POOL_BOTNET, {80, 443, 0}}}},
    {"tcp_fin",
     "TCP FIN and FIN+ACK from 200 sources, 2000 pps",
     S_ATTACK,
     {{K_TCP, TCP_FIN, 2000, 200, POOL_BOTNET, {80, 443, 0}}}},
    {"tcp_psh",
     "TCP PSH+ACK with junk payloads from 200 sources, 4000 pps",
     S_ATTACK,
     {{K_TCP, TCP_PSH | TCP_ACK, 4000, 200, POOL_BOTNET, {80, 443, 0}}}},
    {"tcp_xmas",
     "TCP FIN+PSH+URG (xmas) from 200 sources, 1000 pps",
     S_ATTACK,
     {{K_TCP, TCP_FIN | TCP_PSH | TCP_URG, 1000, 200, POOL_BOTNET, {80, 443, 0}}}},
    {"tcp_null",
     "TCP with no flags (null scan) from 200 sources, 1000 pps",
     S_ATTACK,
     {{K_TCP, 0, 1000, 200, POOL_BOTNET, {80, 443, 0}}}},
    {"icmp_flood",
     "ICMP echo requests from 50 sources, 3000 pps",
     S_ATTACK,
     {{K_ICMP, 0, 3000, 50, POOL_BOTNET, {0}}}},
    {"fragment_flood",
     "IPv4 non-first UDP fragments of 1000-1480 bytes from 20 sources, 1000 pps",
     S_ATTACK,
     {{K_FRAG, 0, 1000, 20, POOL_BOTNET, {0}}}},
    {"gre_flood",
     "GRE carrying junk IPv4 from 20 sources, 3000 pps",
     S_ATTACK,
     {{K_GRE, 0, 3000, 20, POOL_BOTNET, {0}}}},
    {"esp_flood",
     "IPsec ESP with random payloads from 20 sources, 3000 pps",
     S_ATTACK,
     {{K_ESP, 0, 3000, 20, POOL_BOTNET, {0}}}},
    {"amp_dns",
     "DNS ANY responses (UDP from port 53) from 300 resolvers, 2500 pps",
     S_ATTACK,
     {{K_AMP, AMP_DNS, 2500, 300, POOL_BOTNET, {0}}}},
    {"amp_ntp",
     "NTP monlist responses (UDP from port 123) from 300 servers, 2500 pps",
     S_ATTACK,
     {{K_AMP, AMP_NTP, 2500, 300, POOL_BOTNET, {0}}}},
    {"amp_ssdp",
     "SSDP replies (UDP from port 1900) from 300 devices, 2500 pps",
     S_ATTACK,
     {{K_AMP, AMP_SSDP, 2500, 300, POOL_BOTNET, {0}}}},
    {"amp_memcached",
     "memcached VALUE replies (UDP from port 11211) from 100 servers, 2000 pps",
     S_ATTACK,
     {{K_AMP, AMP_MEMCACHED, 2000, 100, POOL_BOTNET, {0}}}},
    {"sip_register_flood",
     "SIP REGISTER to udp/5060 from 1000 new sources, 1000 pps",
     S_ATTACK,
     {{K_SIP_FLOOD, M_REGISTER, 1000, 1000, POOL_BOTNET, {5060}}}},
    {"sip_invite_flood",
     "SIP INVITE with SDP (TDoS) to udp/5060 from 500 new sources, 600 pps",
     S_ATTACK,
     {{K_SIP_FLOOD, M_INVITE, 600, 500, POOL_BOTNET, {5060}}}},
    {"sip_options_flood",
     "SIP OPTIONS scans to udp/5060 from 1000 new sources, 1000 pps",
     S_ATTACK,
     {{K_SIP_FLOOD, M_OPTIONS, 1000, 1000, POOL_BOTNET, {5060}}}},
    {"sip_malformed_flood",
     "binary junk and broken start lines to udp/5060 from 100 sources, 1000 pps",
     S_ATTACK,
     {{K_SIP_JUNK, 0, 1000, 100, POOL_BOTNET, {5060}}}},
    {"rtp_flood",
     "junk and RTP-looking UDP into 10000-20000 from 200 new sources, 3000 pps",
     S_ATTACK,
     {{K_RTP_FLOOD, 0, 3000, 200, POOL_BOTNET, {0}}}},
    {"multi_vector",
     "SYN flood to 443/80 (3000 pps) and UDP flood (3000 pps) at once",
     S_ATTACK,
     {{K_TCP, TCP_SYN, 3000, 500, POOL_BOTNET, {443, 443, 80}},
      {K_UDP, 0, 3000, 8, POOL_FEW, {0}}}},
    {"ipv6_udp_flood",
     "UDP over IPv6 to random high ports from 8 fd00:7b:1::/64 sources, 4000 pps",
     S_ATTACK,
     {{K_UDP, 0, 4000, 8, POOL_V6, {0}}}},
    {"spoofed_udp_flood",
     "UDP from a random source and TTL per packet, 4000 pps",
     S_ATTACK,
     {{K_UDP, 0, 4000, 0, POOL_SPOOFED, {0}}}},
    {"ramp",
     "no attack: all peacetime traffic grows steadily to 3x over 10 minutes",
     S_RAMP,
     {{0}}},
    {"avalanche",
     "no attack: 20 s outage, then 550 known endpoints re-register at once",
     S_AVALANCHE,
     {{0}}},
};

#define N_SCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p)
		die("out of memory");
	return p;
}

/* ---- scheduling ---- */

static uint32_t add_flow(struct gen *g, enum kind kind, int sub)
{
	struct flow *f;

	if (g->nflows == g->capflows) {
		g->capflows = g->capflows ? 2 * g->capflows : 256;
		g->flows = xrealloc(g->flows, g->capflows * sizeof(*g->flows));
	}
	f = &g->flows[g->nflows];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->sub = sub;
	f->link = -1;
	return (uint32_t)g->nflows++;
}

/* One packet of flow f at t seconds (dropped outside the capture). */
static void at(struct gen *g, double t, uint32_t f, uint32_t arg)
{
	struct event *e;

	if (t < 0)
		t = 0;
	if (t >= g->length_s)
		return;
	if (g->nev >= MAX_PACKETS) {
		g->too_many = true;
		return;
	}
	if (g->nev == g->capev) {
		g->capev = g->capev ? 2 * g->capev : 65536;
		g->ev = xrealloc(g->ev, g->capev * sizeof(*g->ev));
	}
	e = &g->ev[g->nev];
	e->t_ns = (uint64_t)(t * 1e9 + 0.5);
	e->flow = f;
	e->arg = arg;
	e->order = (uint32_t)g->nev++;
}

static bool in_outage(const struct gen *g, double t)
{
	return t >= g->out_from && t < g->out_to;
}

/* Every period seconds on [from, to), none in the outage, each time moved
 * by up to +-jitter seconds. */
static void every(struct gen *g, uint32_t f, double from, double period, double to, double jitter,
		  uint32_t arg)
{
	double t;

	for (t = from; t < to; t += period)
		if (!in_outage(g, t))
			at(g, t + jitter * (2 * rndf(&g->rng) - 1), f, arg);
}

/* pps packets per second on [from, to), evenly spread, each moved later by
 * up to 90% of the gap so that a flow's packets keep their order. */
static void steady(struct gen *g, uint32_t f, double from, double to, double pps)
{
	uint64_t n = (uint64_t)((to - from) * pps + 0.5), i;

	for (i = 0; i < n && !g->too_many; i++)
		at(g, from + ((double)i + 0.9 * rndf(&g->rng)) / pps, f, 0);
}

static int cmp_event(const void *a, const void *b)
{
	const struct event *x = a, *y = b;

	if (x->t_ns != y->t_ns)
		return x->t_ns < y->t_ns ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* ---- addresses ---- */

static void src_v4(struct src *s, uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t ttl)
{
	memset(s, 0, sizeof(*s));
	s->family = 4;
	s->addr[0] = a;
	s->addr[1] = b;
	s->addr[2] = c;
	s->addr[3] = d;
	s->ttl = ttl;
}

/* fd00:7b:PREFIX::HOST */
static void src_v6(struct src *s, uint16_t prefix, uint32_t host, uint8_t ttl)
{
	memset(s, 0, sizeof(*s));
	s->family = 6;
	s->addr[0] = 0xfd;
	s->addr[3] = 0x7b;
	s->addr[4] = (uint8_t)(prefix >> 8);
	s->addr[5] = (uint8_t)prefix;
	s->addr[12] = (uint8_t)(host >> 24);
	s->addr[13] = (uint8_t)(host >> 16);
	s->addr[14] = (uint8_t)(host >> 8);
	s->addr[15] = (uint8_t)host;
	s->ttl = ttl;
}

/* A public-looking unicast IPv4 address, outside the private, loopback,
 * link-local, CGN and multicast ranges and outside 10.123.0.0/16. */
static void rnd_public_v4(struct rng *r, uint8_t *a)
{
	for (;;) {
		uint32_t v = rnd32(r);

		a[0] = (uint8_t)(v >> 24);
		a[1] = (uint8_t)(v >> 16);
		a[2] = (uint8_t)(v >> 8);
		a[3] = (uint8_t)v;
		if (a[0] == 0 || a[0] == 10 || a[0] == 127 || a[0] >= 224 || a[3] == 0 ||
		    a[3] == 255)
			continue;
		if ((a[0] == 100 && (a[1] & 0xc0) == 64) || (a[0] == 169 && a[1] == 254) ||
		    (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168))
			continue;
		return;
	}
}

/* A real source's TTL: mostly Linux and IoT devices (64), some Windows
 * (128), a few 255, less 8-20 hops (most near 14). */
static uint8_t rnd_ttl(struct rng *r)
{
	uint32_t os = rnd(r, 20);
	uint8_t initial = os < 16 ? 64 : os < 19 ? 128 : 255;

	return (uint8_t)(initial - rnd_in(r, 4, 10) - rnd_in(r, 4, 10));
}

static const uint16_t amp_ports[] = {19,  53,	111,  123,  137,  161,	 389,
				     520, 1900, 3283, 3702, 5353, 10001, 11211};

static bool is_amp_port(uint32_t p)
{
	size_t i;

	for (i = 0; i < sizeof(amp_ports) / sizeof(amp_ports[0]); i++)
		if (amp_ports[i] == p)
			return true;
	return false;
}

/* A random source port that is no reflector's port. */
static uint16_t rnd_sport(struct rng *r)
{
	uint32_t p;

	do
		p = rnd_in(r, 1024, 65535);
	while (is_amp_port(p));
	return (uint16_t)p;
}

/* A random destination port above the RTP range (10000-20000), so generic
 * floods do not count as RTP. */
static uint16_t rnd_high_port(struct rng *r)
{
	return (uint16_t)rnd_in(r, 20001, 65535);
}

static void make_pool(struct gen *g, struct flow *f, enum pool pool, int n)
{
	static const uint16_t amp_sport[] = {53, 123, 1900, 11211};
	int i;

	f->family = pool == POOL_V6 ? 6 : 4;
	if (pool == POOL_SPOOFED || n <= 0)
		return;
	f->pool = calloc((size_t)n, sizeof(*f->pool));
	if (!f->pool)
		die("out of memory");
	f->npool = n;
	for (i = 0; i < n; i++) {
		struct src *s = &f->pool[i];

		switch (pool) {
		case POOL_FEW: /* TEST-NET-3 */
			src_v4(s, 203, 0, 113, (uint8_t)(10 + i), rnd_ttl(&g->rng));
			break;
		case POOL_V6: /* fd00:7b:1::/64, random interface ids */
			src_v6(s, 1, 0, rnd_ttl(&g->rng));
			rnd_bytes(&g->rng, s->addr + 8, 8);
			break;
		default:
			memset(s, 0, sizeof(*s));
			s->family = 4;
			rnd_public_v4(&g->rng, s->addr);
			s->ttl = rnd_ttl(&g->rng);
			break;
		}
		s->port = f->kind == K_AMP ? amp_sport[f->sub] : rnd_sport(&g->rng);
		s->id = rnd32(&g->rng);
		s->seq = rnd_in(&g->rng, 1, 1000);
	}
}

/* ---- peacetime ---- */

struct peace {
	int sip;       /* endpoints 10.123.1.10.. with REGISTER and OPTIONS */
	double reg_s;  /* their REGISTER period */
	double opt_s;  /* their OPTIONS period */
	int sip6;      /* the same over IPv6, fd00:7b:2::10.. */
	int extra;     /* REGISTER-only endpoints 10.123.16.0.. (avalanche) */
	int rtp;       /* RTP streams from 10.123.2.10.. to 10000, 10002, ... */
	int tls;       /* SIP-TLS connections from 10.123.4.10.. to 5061 */
	int ping;      /* monitoring hosts 10.123.3.5.., 1 echo request/s each */
	double grow_s; /* > 0: every count grows linearly to 3x over this time */
};

/* When member k of a group of n starts: at once, or when the group has
 * grown to more than k members. */
static double join_at(const struct peace *p, int k, int n)
{
	if (k < n || p->grow_s <= 0)
		return 0;
	return (double)(k - n + 1) / n * p->grow_s / 2;
}

static int grown(const struct peace *p, int n)
{
	return p->grow_s > 0 ? 3 * n : n;
}

static const char *const user_agents[] = {
    "Yealink SIP-T46S 66.86.0.15",
    "Grandstream GXP2170 1.0.11.23",
    "PolycomVVX-VVX_411-UA/6.3.1.8427",
    "Cisco-CP8845/12.8.1",
    "snom D785/10.1.141.13",
    "Zoiper rv2.10.19.6",
};

static void sip_endpoint(struct gen *g, struct flow *f, uint32_t user)
{
	f->user = user;
	f->ua = user_agents[rnd(&g->rng, sizeof(user_agents) / sizeof(user_agents[0]))];
	f->cseq = rnd_in(&g->rng, 1, 5000);
	f->tag = rnd32(&g->rng);
	f->callid[0] = rnd32(&g->rng);
	f->callid[1] = rnd32(&g->rng);
	f->nonce = rnd64(&g->rng);
	f->self.port = 5060;
}

/* An endpoint's registrations. In the avalanche they stop at the outage
 * and restart after it: each endpoint re-registers within 5 s, retransmits
 * (RFC 3261 timer A: 0.5, 1, 2 s) while the overloaded registrar is slow to
 * answer, then sends the REGISTER with the fresh nonce of the 401. */
static void schedule_register(struct gen *g, uint32_t f, double join, double period, bool avalanche)
{
	double first = join + period * rndf(&g->rng), t, wait, next;
	int i;

	if (!avalanche) {
		every(g, f, first, period, g->length_s, 0.02, REG_REFRESH);
		return;
	}
	every(g, f, first, period, g->out_from, 0.02, REG_REFRESH);
	/* most phones are back within 1.5 s, all within 5 s */
	t = g->out_to + (rnd(&g->rng, 4) ? 1.5 : 5.0) * rndf(&g->rng);
	at(g, t, f, REG_REFRESH);
	wait = 1.0 + 4.0 * rndf(&g->rng); /* until the 401 arrives */
	for (i = 0, next = 0.5; next < wait && i < 4; i++, next = 2 * next + 0.5)
		at(g, t + next, f, REG_RETX);
	t += wait + 0.02 + 0.05 * rndf(&g->rng);
	at(g, t, f, REG_STALE);
	every(g, f, t + period, period, g->length_s, 0.02, REG_REFRESH);
}

static void plan_peace(struct gen *g, const struct peace *p, bool avalanche)
{
	uint32_t f, r;
	int i, n;

	n = grown(p, p->sip);
	for (i = 0; i < n; i++) {
		double join = join_at(p, i, p->sip);
		uint8_t ttl = i % 3 ? 62 : 126;

		f = add_flow(g, K_SIP_REGISTER, 0);
		if (i < 240) /* 10.123.1.10-249, then 10.123.8.1 onwards */
			src_v4(&g->flows[f].self, 10, 123, 1, (uint8_t)(10 + i), ttl);
		else
			src_v4(&g->flows[f].self, 10, 123, (uint8_t)(8 + (i - 240) / 250),
			       (uint8_t)(1 + (i - 240) % 250), ttl);
		sip_endpoint(g, &g->flows[f], (uint32_t)(1000 + i));
		schedule_register(g, f, join, p->reg_s, avalanche);
		r = add_flow(g, K_SIP_OPTIONS, 0);
		g->flows[r] = g->flows[f];
		g->flows[r].kind = K_SIP_OPTIONS;
		every(g, r, join + p->opt_s * rndf(&g->rng), p->opt_s, g->length_s, 0.02, 0);
	}
	n = grown(p, p->sip6);
	for (i = 0; i < n; i++) {
		double join = join_at(p, i, p->sip6);

		f = add_flow(g, K_SIP_REGISTER, 0);
		src_v6(&g->flows[f].self, 2, (uint32_t)(0x10 + i), 62);
		sip_endpoint(g, &g->flows[f], (uint32_t)(6000 + i));
		schedule_register(g, f, join, p->reg_s, avalanche);
		r = add_flow(g, K_SIP_OPTIONS, 0);
		g->flows[r] = g->flows[f];
		g->flows[r].kind = K_SIP_OPTIONS;
		every(g, r, join + p->opt_s * rndf(&g->rng), p->opt_s, g->length_s, 0.02, 0);
	}
	for (i = 0; i < p->extra; i++) {
		f = add_flow(g, K_SIP_REGISTER, 0);
		src_v4(&g->flows[f].self, 10, 123, (uint8_t)(16 + i / 250), (uint8_t)(1 + i % 250),
		       i % 4 ? 61 : 125);
		sip_endpoint(g, &g->flows[f], (uint32_t)(20000 + i));
		schedule_register(g, f, 0, p->reg_s, avalanche);
	}
	n = grown(p, p->rtp);
	for (i = 0; i < n; i++) {
		double join = join_at(p, i, p->rtp) + 0.02 * rndf(&g->rng);
		struct flow *s;

		f = add_flow(g, K_RTP, 0);
		s = &g->flows[f];
		src_v4(&s->self, 10, 123, 2, (uint8_t)(10 + i % 200), 61);
		s->self.port = (uint16_t)(20000 + 2 * i);
		s->dport = (uint16_t)(10000 + 2 * (i % 4000));
		s->ssrc = rnd32(&g->rng);
		s->seq16 = (uint16_t)rnd32(&g->rng);
		s->ts = rnd32(&g->rng);
		every(g, f, join, 0.020, g->length_s, 0.001, 0);
		r = add_flow(g, K_RTCP, 0);
		g->flows[r].link = (int)f;
		g->flows[r].self = s->self;
		g->flows[r].self.port++;
		every(g, r, join + 5 * rndf(&g->rng), 5.0, g->length_s, 0.05, 0);
	}
	n = grown(p, p->tls);
	for (i = 0; i < n; i++) {
		double join = join_at(p, i, p->tls);
		struct flow *s;

		f = add_flow(g, K_TLS, 0);
		s = &g->flows[f];
		src_v4(&s->self, 10, 123, 4, (uint8_t)(10 + i % 200), 62);
		s->self.port = (uint16_t)(41000 + i);
		s->tcp_seq = rnd32(&g->rng);
		s->tcp_ack = rnd32(&g->rng);
		s->tsval = rnd32(&g->rng);
		every(g, f, join + 0.1 * rndf(&g->rng), 0.1, g->length_s, 0.01, TLS_ACK);
		every(g, f, join + 0.5 * rndf(&g->rng), 0.5, g->length_s, 0.05, TLS_RECORD);
	}
	n = grown(p, p->ping);
	for (i = 0; i < n; i++) {
		f = add_flow(g, K_PING, 0);
		src_v4(&g->flows[f].self, 10, 123, 3, (uint8_t)(5 + i % 200), 63);
		g->flows[f].self.id = (uint32_t)(0x4d2 + i);
		every(g, f, join_at(p, i, p->ping) + rndf(&g->rng), 1.0, g->length_s, 0.005, 0);
	}
}

/* ---- building ---- */

static void spec_for(struct pkt_spec *s, const struct src *src, uint8_t proto, struct rng *r)
{
	pkt_spec_init(s);
	s->family = src->family;
	memcpy(s->src, src->addr, 16);
	memset(s->dst, 0, 16);
	memcpy(s->dst, src->family == 4 ? node4 : node6, src->family == 4 ? 4 : 16);
	s->proto = proto;
	s->ttl = src->ttl ? src->ttl : 1;
	s->set = PKT_SET_IP_ID;
	s->ip_id = (uint16_t)rnd32(r);
	s->sport = src->port;
}

static void addr_text(const struct src *s, char *buf, size_t len, bool brackets)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(s->family == 4 ? AF_INET : AF_INET6, s->addr, a, sizeof(a));
	if (s->family == 6 && brackets)
		snprintf(buf, len, "[%s]", a);
	else
		snprintf(buf, len, "%s", a);
}

static const char *node_text(int family)
{
	return family == 4 ? "10.123.0.2" : "[fd00:7b::2]";
}

/* Appends to a text payload; truncation is impossible at these sizes but
 * checked anyway. */
struct text {
	char buf[1500];
	size_t len;
};

__attribute__((format(printf, 2, 3))) static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(t->buf) - t->len)
		die("internal error: payload too long");
	t->len += (size_t)n;
}

static void hex32(char *out, struct rng *r, int words)
{
	int i;

	for (i = 0; i < words; i++)
		sprintf(out + 8 * i, "%08x", rnd32(r));
}

/* A peacetime endpoint's REGISTER (with the digest of its cached nonce). */
static void sip_register(struct gen *g, struct flow *f, uint32_t arg, struct text *t)
{
	char me[64], resp[33], cnonce[9];
	const char *node = node_text(f->self.family);

	if (arg != REG_RETX) {
		f->cseq++;
		f->branch[0] = rnd32(&g->rng);
		f->branch[1] = rnd32(&g->rng);
		if (arg == REG_STALE) {
			f->nonce = rnd64(&g->rng);
			f->nc = 0;
		}
		f->nc++;
	}
	/* the same digest for a retransmission: derive it from the state */
	{
		struct rng d = {f->nonce ^ f->nc ^ ((uint64_t)f->user << 32)};

		hex32(resp, &d, 4);
		hex32(cnonce, &d, 1);
	}
	addr_text(&f->self, me, sizeof(me), true);
	put(t, "REGISTER sip:%s SIP/2.0\r\n", node);
	put(t, "Via: SIP/2.0/UDP %s:%u;branch=z9hG4bK%08x%08x;rport\r\n", me, f->self.port,
	    f->branch[0], f->branch[1]);
	put(t, "Max-Forwards: 70\r\n");
	put(t, "From: <sip:%u@%s>;tag=%08x\r\n", f->user, node, f->tag);
	put(t, "To: <sip:%u@%s>\r\n", f->user, node);
	put(t, "Call-ID: %08x%08x@%s\r\n", f->callid[0], f->callid[1], me);
	put(t, "CSeq: %u REGISTER\r\n", f->cseq);
	put(t, "Contact: <sip:%u@%s:%u;transport=udp>\r\n", f->user, me, f->self.port);
	put(t,
	    "Authorization: Digest username=\"%u\", realm=\"voip.example.net\", "
	    "nonce=\"%016" PRIx64 "\", uri=\"sip:%s\", response=\"%s\", algorithm=MD5, "
	    "cnonce=\"%s\", qop=auth, nc=%08x\r\n",
	    f->user, f->nonce, node, resp, cnonce, f->nc);
	put(t, "Expires: 60\r\n");
	put(t, "Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, OPTIONS, INFO, MESSAGE\r\n");
	put(t, "User-Agent: %s\r\n", f->ua);
	put(t, "Content-Length: 0\r\n\r\n");
}

static void sip_options(struct gen *g, struct flow *f, struct text *t)
{
	char me[64];
	const char *node = node_text(f->self.family);

	addr_text(&f->self, me, sizeof(me), true);
	f->cseq++;
	put(t, "OPTIONS sip:%s SIP/2.0\r\n", node);
	put(t, "Via: SIP/2.0/UDP %s:%u;branch=z9hG4bK%08x%08x;rport\r\n", me, f->self.port,
	    rnd32(&g->rng), rnd32(&g->rng));
	put(t, "Max-Forwards: 70\r\n");
	put(t, "From: <sip:%u@%s>;tag=%08x\r\n", f->user, node, rnd32(&g->rng));
	put(t, "To: <sip:%s>\r\n", node);
	put(t, "Call-ID: %08x%08x@%s\r\n", rnd32(&g->rng), rnd32(&g->rng), me);
	put(t, "CSeq: %u OPTIONS\r\n", f->cseq);
	put(t, "Contact: <sip:%u@%s:%u>\r\n", f->user, me, f->self.port);
	put(t, "Accept: application/sdp\r\n");
	put(t, "User-Agent: %s\r\n", f->ua);
	put(t, "Content-Length: 0\r\n\r\n");
}

static const char *const scanner_agents[] = {
    "friendly-scanner", "sipvicious", "VaxSIPUserAgent/3.1", "PortSIP VoIP SDK 11.2",
    "sipcli/v1.8",	"pplsip",     "Z 5.2.28 rv2.8.99",
};

/* An attacker's REGISTER, INVITE (with SDP) or OPTIONS. */
static void sip_flood(struct gen *g, struct flow *f, const struct src *s, struct text *t)
{
	static const char *const methods[] = {"REGISTER", "INVITE", "OPTIONS"};
	const char *m = methods[f->sub];
	const char *ua =
	    scanner_agents[rnd(&g->rng, sizeof(scanner_agents) / sizeof(scanner_agents[0]))];
	const char *node = node_text(s->family);
	char me[64], target[48], sdp[600];
	uint32_t user = rnd_in(&g->rng, 100, 9999);
	int sdp_len = 0;

	addr_text(s, me, sizeof(me), true);
	if (f->sub == M_INVITE) {
		char c[64];
		uint32_t sess = rnd32(&g->rng);

		addr_text(s, c, sizeof(c), false);
		snprintf(target, sizeof(target), "+%u%u%05u", rnd_in(&g->rng, 1, 99),
			 rnd_in(&g->rng, 100, 999), rnd(&g->rng, 100000));
		sdp_len = snprintf(sdp, sizeof(sdp),
				   "v=0\r\no=- %u %u IN IP%d %s\r\ns=-\r\nc=IN IP%d %s\r\nt=0 0\r\n"
				   "m=audio %u RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\n"
				   "a=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
				   "a=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n",
				   sess, sess, s->family, c, s->family, c,
				   2 * rnd_in(&g->rng, 5000, 15000));
	} else {
		snprintf(target, sizeof(target), "%u", user);
	}
	if (f->sub == M_REGISTER)
		put(t, "REGISTER sip:%s SIP/2.0\r\n", node);
	else
		put(t, "%s sip:%s@%s SIP/2.0\r\n", m, target, node);
	put(t, "Via: SIP/2.0/UDP %s:%u;branch=z9hG4bK%08x;rport\r\n", me, s->port, rnd32(&g->rng));
	put(t, "Max-Forwards: 70\r\n");
	put(t, "From: \"%u\" <sip:%u@%s>;tag=%08x\r\n", user, user, node, rnd32(&g->rng));
	put(t, "To: <sip:%s@%s>\r\n", target, node);
	put(t, "Call-ID: %08x%08x\r\n", rnd32(&g->rng), rnd32(&g->rng));
	put(t, "CSeq: 1 %s\r\n", m);
	put(t, "Contact: <sip:%u@%s:%u>\r\n", user, me, s->port);
	if (f->sub == M_REGISTER && rnd(&g->rng, 2)) {
		char resp[33];

		hex32(resp, &g->rng, 4);
		put(t,
		    "Authorization: Digest username=\"%u\", realm=\"%s\", nonce=\"%08x\", "
		    "uri=\"sip:%s\", response=\"%s\", algorithm=MD5\r\n",
		    user, node, rnd32(&g->rng), node, resp);
	}
	if (f->sub == M_OPTIONS)
		put(t, "Accept: application/sdp\r\n");
	put(t, "User-Agent: %s\r\n", ua);
	if (f->sub == M_INVITE) {
		put(t, "Content-Type: application/sdp\r\n");
		put(t, "Content-Length: %d\r\n\r\n%s", sdp_len, sdp);
	} else {
		put(t, "Content-Length: 0\r\n\r\n");
	}
}

/* Not SIP: binary junk, or a start line broken where the XDP program
 * looks (a tab instead of the space after the method). */
static size_t sip_junk(struct gen *g, uint8_t *p)
{
	size_t n = rnd_in(&g->rng, 40, 600);

	rnd_bytes(&g->rng, p, n);
	if (rnd(&g->rng, 5) == 0) {
		static const char bad[] = "INVITE\tsip:100@10.123.0.2 SIP/2.0\r\nVia: \x01\x02";

		memcpy(p, bad, sizeof(bad) - 1);
	} else {
		/* not a token character and not CR: never parses as SIP */
		p[0] = (uint8_t)(rnd(&g->rng, 2) ? rnd_in(&g->rng, 0x80, 0xff)
						 : rnd_in(&g->rng, 0x00, 0x08));
	}
	return n;
}

static size_t rtp_header(uint8_t *p, bool marker, uint8_t pt, uint16_t seq, uint32_t ts,
			 uint32_t ssrc)
{
	p[0] = 0x80;
	p[1] = (uint8_t)((marker ? 0x80 : 0) | pt);
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	p[4] = (uint8_t)(ts >> 24);
	p[5] = (uint8_t)(ts >> 16);
	p[6] = (uint8_t)(ts >> 8);
	p[7] = (uint8_t)ts;
	p[8] = (uint8_t)(ssrc >> 24);
	p[9] = (uint8_t)(ssrc >> 16);
	p[10] = (uint8_t)(ssrc >> 8);
	p[11] = (uint8_t)ssrc;
	return 12;
}

static void put32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* G.711 mu-law of quiet speech: values near the top of either half. */
static void ulaw_noise(struct rng *r, uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)((rnd(r, 2) ? 0xf0 : 0x70) | rnd(r, 16));
}

static size_t dns_response(struct rng *r, uint8_t *p)
{
	static const char *const names[] = {"\x03isc\x03org", "\x07example\x03com",
					    "\x04ripe\x03net", "\x03gov"};
	const char *name = names[rnd(r, 4)];
	size_t n = 0, nl = strlen(name) + 1, target = rnd_in(r, 1000, 1400), i;
	uint16_t an = 0;

	p[n++] = (uint8_t)rnd32(r); /* id */
	p[n++] = (uint8_t)rnd32(r);
	p[n++] = 0x81; /* response, RD, RA, no error */
	p[n++] = 0x80;
	p[n++] = 0;
	p[n++] = 1;	     /* one question */
	memset(p + n, 0, 6); /* answers (set below), no authority, no additional */
	n += 6;
	memcpy(p + n, name, nl);
	n += nl;
	p[n++] = 0;
	p[n++] = 255; /* ANY */
	p[n++] = 0;
	p[n++] = 1; /* IN */
	while (n + 12 + 200 <= target) {
		size_t len = rnd_in(r, 120, 200);

		p[n++] = 0xc0; /* the question's name */
		p[n++] = 12;
		p[n++] = 0;
		p[n++] = 16; /* TXT */
		p[n++] = 0;
		p[n++] = 1;
		put32be(p + n, 3600);
		n += 4;
		p[n++] = (uint8_t)((len + 1) >> 8);
		p[n++] = (uint8_t)(len + 1);
		p[n++] = (uint8_t)len;
		for (i = 0; i < len; i++) /* printable text, like SPF and DKIM records */
			p[n++] = (uint8_t)(33 + rnd(r, 94));
		an++;
	}
	p[6] = (uint8_t)(an >> 8);
	p[7] = (uint8_t)an;
	return n;
}

static size_t amp_payload(struct gen *g, int type, uint8_t *p)
{
	struct rng *r = &g->rng;
	struct text t;
	size_t n;

	switch (type) {
	case AMP_DNS:
		return dns_response(r, p);
	case AMP_NTP: /* mode 7 MON_GETLIST_1 response: 6 items of 72 bytes */
		p[0] = 0xd7;
		p[1] = 0x00;
		p[2] = 0x03;
		p[3] = 0x2a;
		p[4] = 0x00;
		p[5] = 0x06;
		p[6] = 0x00;
		p[7] = 0x48;
		rnd_bytes(r, p + 8, 6 * 72);
		return 8 + 6 * 72;
	case AMP_SSDP:
		t.len = 0;
		put(&t,
		    "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nDATE: Mon, 02 Nov 2026 "
		    "10:00:%02u GMT\r\nEXT:\r\nLOCATION: http://192.168.%u.%u:%u/rootDesc.xml\r\n"
		    "SERVER: Linux/3.14 UPnP/1.0 IpBridge/1.%u\r\nST: upnp:rootdevice\r\n"
		    "USN: uuid:%08x-%04x-%04x-%04x-%08x%04x::upnp:rootdevice\r\n\r\n",
		    rnd(r, 60), rnd(r, 256), rnd_in(r, 1, 254), rnd_in(r, 1024, 65000), rnd(r, 60),
		    rnd32(r), rnd(r, 65536), rnd(r, 65536), rnd(r, 65536), rnd32(r), rnd(r, 65536));
		memcpy(p, t.buf, t.len);
		return t.len;
	default: /* memcached: UDP frame header, then a big VALUE */
		n = rnd_in(r, 1100, 1400);
		p[0] = (uint8_t)rnd32(r); /* request id */
		p[1] = (uint8_t)rnd32(r);
		p[2] = 0;
		p[3] = (uint8_t)rnd(r, 8); /* sequence number */
		p[4] = 0;
		p[5] = 8; /* datagrams in the reply */
		p[6] = 0;
		p[7] = 0;
		t.len = 0;
		put(&t, "VALUE %c%c%c 0 %u\r\n", 'a' + rnd(r, 26), 'a' + rnd(r, 26),
		    'a' + rnd(r, 26), 1000000 + rnd(r, 9000000));
		memcpy(p + 8, t.buf, t.len);
		rnd_bytes(r, p + 8 + t.len, n - 8 - t.len);
		return n;
	}
}

/* An IPv4 packet of len bytes between random addresses: UDP with junk. */
static void inner_ipv4(struct rng *r, uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	memset(p, 0, 20);
	p[0] = 0x45;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	p[4] = (uint8_t)rnd32(r);
	p[5] = (uint8_t)rnd32(r);
	p[8] = 64;
	p[9] = IPPROTO_UDP;
	rnd_public_v4(r, p + 12);
	rnd_public_v4(r, p + 16);
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	p[10] = (uint8_t)(~sum >> 8);
	p[11] = (uint8_t)~sum;
	p[20] = (uint8_t)rnd32(r); /* UDP: random ports, length, no checksum */
	p[21] = (uint8_t)rnd32(r);
	p[22] = (uint8_t)rnd32(r);
	p[23] = (uint8_t)rnd32(r);
	p[24] = (uint8_t)((len - 20) >> 8);
	p[25] = (uint8_t)(len - 20);
	p[26] = 0;
	p[27] = 0;
	rnd_bytes(r, p + 28, len - 28);
}

static uint16_t pick_port(struct gen *g, const struct flow *f)
{
	uint16_t p = f->nports ? f->ports[rnd(&g->rng, (uint32_t)f->nports)] : 0;

	return p ? p : rnd_high_port(&g->rng);
}

/* The attack source for this packet: from the pool, or spoofed. */
static struct src *attack_src(struct gen *g, struct flow *f, struct src *tmp)
{
	if (f->npool)
		return &f->pool[rnd(&g->rng, (uint32_t)f->npool)];
	memset(tmp, 0, sizeof(*tmp));
	tmp->family = 4;
	rnd_public_v4(&g->rng, tmp->addr);
	tmp->ttl = (uint8_t)rnd_in(&g->rng, 1, 255);
	tmp->port = rnd_sport(&g->rng);
	return tmp;
}

static const uint8_t syn_opts[12] = {2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 1, 1};

/* What a spec points into while its packet is built. */
struct scratch {
	struct text t;
	uint8_t pl[1600];
	uint8_t opt[12];
	struct src tmp;
};

/* A peacetime packet: SIP, RTP, RTCP, ping, SIP-TLS. */
static void build_peace(struct gen *g, struct flow *f, uint32_t arg, struct pkt_spec *s,
			struct scratch *x)
{
	struct rng *r = &g->rng;
	size_t n = 0;

	switch (f->kind) {
	case K_SIP_REGISTER:
	case K_SIP_OPTIONS:
		spec_for(s, &f->self, IPPROTO_UDP, r);
		s->dport = 5060;
		if (f->kind == K_SIP_REGISTER)
			sip_register(g, f, arg, &x->t);
		else
			sip_options(g, f, &x->t);
		s->payload = x->t.buf;
		s->payload_len = x->t.len;
		break;
	case K_RTP:
		spec_for(s, &f->self, IPPROTO_UDP, r);
		s->set |= PKT_SET_TOS;
		s->tos = 0xb8; /* EF */
		s->dport = f->dport;
		n = rtp_header(x->pl, f->packets == 0, 0, f->seq16++, f->ts, f->ssrc);
		f->ts += 160;
		ulaw_noise(r, x->pl + n, 160);
		n += 160;
		f->packets++;
		f->octets += 160;
		s->payload = x->pl;
		s->payload_len = n;
		break;
	case K_RTCP: { /* a sender report about the linked stream */
		const struct flow *m = &g->flows[f->link];

		spec_for(s, &f->self, IPPROTO_UDP, r);
		s->dport = (uint16_t)(m->dport + 1);
		x->pl[0] = 0x80;
		x->pl[1] = 200;
		x->pl[2] = 0;
		x->pl[3] = 6;
		put32be(x->pl + 4, m->ssrc);
		put32be(x->pl + 8, (uint32_t)(EPOCH_S + 2208988800ULL));
		put32be(x->pl + 12, rnd32(r));
		put32be(x->pl + 16, m->ts);
		put32be(x->pl + 20, m->packets);
		put32be(x->pl + 24, m->octets);
		s->payload = x->pl;
		s->payload_len = 28;
		break;
	}
	case K_PING:
		spec_for(s, &f->self, IPPROTO_ICMP, r);
		s->set |= PKT_SET_ICMP_ID | PKT_SET_IP_DF;
		s->icmp_id = (uint16_t)f->self.id;
		s->icmp_seq = ++f->seq16;
		put32be(x->pl, (uint32_t)EPOCH_S + f->seq16);
		memset(x->pl + 4, 0, 4);
		for (n = 8; n < 56; n++)
			x->pl[n] = (uint8_t)n;
		s->payload = x->pl;
		s->payload_len = 56;
		break;
	case K_TLS:
		spec_for(s, &f->self, IPPROTO_TCP, r);
		s->dport = 5061;
		s->set |= PKT_SET_TCP_SEQ | PKT_SET_TCP_ACK | PKT_SET_TCP_WIN | PKT_SET_IP_DF;
		s->tcp_win = 501;
		f->tsval += 100;
		x->opt[0] = 1;
		x->opt[1] = 1;
		x->opt[2] = 8;
		x->opt[3] = 10;
		put32be(x->opt + 4, f->tsval);
		put32be(x->opt + 8, f->tsval ^ 0x5a5a5a5a);
		s->tcp_opt = x->opt;
		s->tcp_opt_len = 12;
		s->tcp_seq = f->tcp_seq;
		if (arg == TLS_RECORD) {
			n = rnd_in(r, 80, 400);
			x->pl[0] = 0x17; /* TLS 1.2 application data */
			x->pl[1] = 3;
			x->pl[2] = 3;
			x->pl[3] = (uint8_t)((n - 5) >> 8);
			x->pl[4] = (uint8_t)(n - 5);
			rnd_bytes(r, x->pl + 5, n - 5);
			s->tcp_flags = TCP_PSH | TCP_ACK;
			s->payload = x->pl;
			s->payload_len = n;
			f->tcp_seq += (uint32_t)n;
		} else {
			s->tcp_flags = TCP_ACK;
			f->tcp_ack += rnd_in(r, 60, 1400); /* what the node sent */
		}
		s->tcp_ack = f->tcp_ack;
		break;
	default:
		break;
	}
}

/* An attack packet, from the flow's pool of sources or a spoofed one. */
static void build_attack(struct gen *g, struct flow *f, struct pkt_spec *s, struct scratch *x)
{
	struct rng *r = &g->rng;
	struct src *a;
	size_t n = 0;

	switch (f->kind) {
	case K_UDP:
		a = attack_src(g, f, &x->tmp);
		spec_for(s, a, IPPROTO_UDP, r);
		if (f->npool)
			s->sport = (uint16_t)rnd_in(r, 32768, 60999);
		s->dport = pick_port(g, f);
		n = rnd_in(r, 64, 512);
		rnd_bytes(r, x->pl, n);
		s->payload = x->pl;
		s->payload_len = n;
		break;
	case K_TCP:
		a = attack_src(g, f, &x->tmp);
		spec_for(s, a, IPPROTO_TCP, r);
		s->sport = (uint16_t)rnd_in(r, 1024, 65535);
		s->dport = pick_port(g, f);
		s->set |= PKT_SET_TCP_SEQ | PKT_SET_TCP_WIN;
		s->tcp_seq = rnd32(r);
		s->tcp_flags = (uint8_t)f->sub;
		if (f->sub == TCP_SYN) {
			s->set |= PKT_SET_IP_DF;
			s->tcp_win = 64240;
			s->tcp_opt = syn_opts;
			s->tcp_opt_len = sizeof(syn_opts);
		} else {
			s->tcp_win = (uint16_t)rnd_in(r, 512, 65535);
			if (f->sub == TCP_RST || f->sub == TCP_FIN)
				s->tcp_flags |= rnd(r, 2) ? TCP_ACK : 0;
			if (s->tcp_flags & TCP_ACK) {
				s->set |= PKT_SET_TCP_ACK;
				s->tcp_ack = rnd32(r);
			}
			if (f->sub == (TCP_PSH | TCP_ACK)) {
				n = rnd_in(r, 20, 300);
				rnd_bytes(r, x->pl, n);
				s->payload = x->pl;
				s->payload_len = n;
			}
		}
		break;
	case K_ICMP:
		a = attack_src(g, f, &x->tmp);
		spec_for(s, a, IPPROTO_ICMP, r);
		s->set |= PKT_SET_ICMP_ID;
		s->icmp_id = (uint16_t)a->id;
		s->icmp_seq = (uint16_t)a->seq++;
		n = rnd_in(r, 56, 512);
		rnd_bytes(r, x->pl, n);
		s->payload = x->pl;
		s->payload_len = n;
		break;
	case K_FRAG:
		a = attack_src(g, f, &x->tmp);
		spec_for(s, a, IPPROTO_UDP, r);
		s->frag_offset = (uint16_t)(185 * rnd_in(r, 1, 40)); /* 1480-byte steps */
		s->frag_more = (int)rnd(r, 2);
		n = s->frag_more ? 1480 : rnd_in(r, 1000, 1480);
		rnd_bytes(r, x->pl, n);
		s->payload = x->pl;
		s->payload_len = n;
		break;
	case K_GRE:
		a = attack_src(g, f, &x->tmp);
		spec_for(s, a, IPPROTO_GRE, r);
		n = rnd_in(r, 64, 400);
		x->pl[0] = 0; /* no flags, version 0 */
		x->pl[1] = 0;
		x->pl[2] = 0x08; /* IPv4 inside: random addresses, UDP, junk */
		x->pl[3] = 0x00;
		inner_ipv4(r, x->pl + 4, n - 4);
		s->payload = x->pl;
		s->payload_len = n;
		break;
	case K_ESP:
		a = attack_src(g, f, &x->tmp);
		spec_for(s, a, IPPROTO_ESP, r);
		n = rnd_in(r, 64, 400) & ~(size_t)3;
		put32be(x->pl, a->id);
		put32be(x->pl + 4, a->seq++);
		rnd_bytes(r, x->pl + 8, n - 8);
		s->payload = x->pl;
		s->payload_len = n;
		break;
	case K_AMP:
		a = attack_src(g, f, &x->tmp);
		spec_for(s, a, IPPROTO_UDP, r);
		s->dport = rnd_high_port(r);
		n = amp_payload(g, f->sub, x->pl);
		s->payload = x->pl;
		s->payload_len = n;
		break;
	case K_SIP_FLOOD:
		a = attack_src(g, f, &x->tmp);
		spec_for(s, a, IPPROTO_UDP, r);
		if (rnd(r, 2))
			s->sport = 5060;
		s->dport = 5060;
		x->tmp = *a;
		x->tmp.port = s->sport;
		sip_flood(g, f, &x->tmp, &x->t);
		s->payload = x->t.buf;
		s->payload_len = x->t.len;
		break;
	case K_SIP_JUNK:
		a = attack_src(g, f, &x->tmp);
		spec_for(s, a, IPPROTO_UDP, r);
		s->dport = 5060;
		n = sip_junk(g, x->pl);
		s->payload = x->pl;
		s->payload_len = n;
		break;
	case K_RTP_FLOOD:
		a = attack_src(g, f, &x->tmp);
		spec_for(s, a, IPPROTO_UDP, r);
		s->dport = (uint16_t)(10000 + 2 * rnd(r, 5000));
		if (rnd(r, 2)) { /* looks like RTP: version 2, random stream */
			n = rtp_header(x->pl, false, rnd(r, 2) ? 0 : 8, (uint16_t)rnd32(r),
				       rnd32(r), rnd32(r));
			rnd_bytes(r, x->pl + n, 160);
			n += 160;
		} else { /* junk: the first byte is no RTP, STUN or DTLS */
			n = rnd_in(r, 20, 400);
			rnd_bytes(r, x->pl, n);
			x->pl[0] = (uint8_t)(rnd(r, 2) ? rnd_in(r, 26, 127) : rnd_in(r, 192, 255));
		}
		s->payload = x->pl;
		s->payload_len = n;
		break;
	default:
		break;
	}
}

/* Builds the packet of one event into frame; returns its length. */
static size_t build(struct gen *g, struct flow *f, uint32_t arg, uint8_t *frame)
{
	struct scratch x;
	struct pkt_spec s;
	size_t n;

	x.t.len = 0;
	if (f->kind < K_UDP)
		build_peace(g, f, arg, &s, &x);
	else
		build_attack(g, f, &s, &x);
	n = pkt_build(&s, frame, PKT_MAX);
	if (!n)
		die("internal error: cannot build a packet of flow kind %d", f->kind);
	return n;
}

/* ---- scenarios ---- */

static const struct peace standard_peace = {
    .sip = 50,
    .reg_s = 10,
    .opt_s = 5,
    .sip6 = 5,
    .rtp = 4,
    .tls = 2,
    .ping = 1,
};

static void plan(struct gen *g, const struct scenario *sc)
{
	struct peace p = standard_peace;
	size_t i;

	switch (sc->type) {
	case S_RAMP:
		/* fewer sources to start with, so ten minutes stay small; the
		 * OPTIONS rate crosses the test config's floor on the way */
		g->length_s = RAMP_S;
		p.sip = (int)(150 * g->scale + 0.5);
		p.reg_s = 20;
		p.sip6 = 2;
		p.rtp = 1;
		p.tls = 1;
		p.grow_s = RAMP_S;
		plan_peace(g, &p, false);
		return;
	case S_AVALANCHE:
		g->length_s = AVALANCHE_S;
		g->out_from = PEACE_S;
		g->out_to = PEACE_S + OUTAGE_S;
		p.extra = (int)(500 * g->scale + 0.5);
		plan_peace(g, &p, true);
		return;
	case S_ATTACK:
		break;
	}
	g->length_s = PEACE_S + ATTACK_S + AFTER_S;
	g->atk_from = PEACE_S;
	g->atk_to = PEACE_S + ATTACK_S;
	plan_peace(g, &p, false);
	for (i = 0; i < 2 && sc->v[i].pps > 0; i++) {
		const struct vector *v = &sc->v[i];
		uint32_t f = add_flow(g, v->kind, v->sub);
		struct flow *fl = &g->flows[f];
		int k;

		for (k = 0; k < 4 && (k == 0 || v->ports[k]); k++)
			fl->ports[fl->nports++] = v->ports[k];
		make_pool(g, fl, v->pool, v->nsrc);
		steady(g, f, g->atk_from, g->atk_to, v->pps * g->scale);
	}
}

static const struct scenario *find_scenario(const char *name)
{
	size_t i;

	for (i = 0; i < N_SCENARIOS; i++)
		if (!strcmp(scenarios[i].name, name))
			return &scenarios[i];
	return NULL;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: " PROG " SCENARIO -o OUT.pcap [--seed N] [--scale X] [--nanosecond]\n"
		"       " PROG " list\n"
		"\n"
		"Writes a deterministic capture (Ethernet, libpcap format) of traffic to the\n"
		"protected node 10.123.0.2 / fd00:7b::2: %.0f s of peace (50 SIP endpoints with\n"
		"REGISTER and OPTIONS, 4 RTP streams, SIP-TLS ACKs, a little ICMP), a %.0f s\n"
		"attack, then %.0f s of peace (ramp and avalanche: no attack, see 'list').\n"
		"Time starts at 2026-11-02 10:00:00 UTC.\n"
		"On success one line on stderr gives the packet count.\n"
		"\n"
		"  -o, --output FILE  where to write the capture (required)\n"
		"  --seed N           random seed (default 1): the same seed, the same bytes\n"
		"  --scale X          multiply the attack's packet rate (ramp: the number of SIP\n"
		"                     endpoints; avalanche: the 500 extra endpoints); 0.01-100,\n"
		"                     default 1\n"
		"  --nanosecond       nanosecond timestamps (default microsecond)\n"
		"  -h, --help         this text\n",
		PEACE_S, ATTACK_S, AFTER_S);
}

static void list(void)
{
	size_t i;

	for (i = 0; i < N_SCENARIOS; i++)
		printf("%-20s %s\n", scenarios[i].name, scenarios[i].desc);
}

static int write_pcap(struct gen *g, const char *path, bool nano, uint64_t *bytes)
{
	pcap_t *pd;
	pcap_dumper_t *d;
	uint8_t frame[PKT_MAX];
	size_t i;

	pd = pcap_open_dead_with_tstamp_precision(
	    DLT_EN10MB, 65535, nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
	if (!pd)
		die("cannot open a pcap handle");
	d = pcap_dump_open(pd, path);
	if (!d)
		die("%s", pcap_geterr(pd));
	*bytes = 0;
	for (i = 0; i < g->nev; i++) {
		const struct event *e = &g->ev[i];
		struct pcap_pkthdr h;
		uint64_t ns = EPOCH_S * 1000000000ULL + e->t_ns;
		size_t len = build(g, &g->flows[e->flow], e->arg, frame);

		memset(&h, 0, sizeof(h));
		h.ts.tv_sec = (time_t)(ns / 1000000000ULL);
		h.ts.tv_usec = (suseconds_t)(nano ? ns % 1000000000ULL : ns % 1000000000ULL / 1000);
		h.caplen = (bpf_u_int32)len;
		h.len = (bpf_u_int32)len;
		pcap_dump((u_char *)d, &h, frame);
		*bytes += len;
	}
	if (pcap_dump_flush(d) || ferror(pcap_dump_file(d))) {
		int err = errno;

		pcap_dump_close(d);
		pcap_close(pd);
		die("%s: write failed: %s", path, strerror(err ? err : EIO));
	}
	pcap_dump_close(d);
	pcap_close(pd);
	return 0;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return !errno && !*end;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"output", required_argument, NULL, 'o'}, {"seed", required_argument, NULL, 's'},
	    {"scale", required_argument, NULL, 'x'},  {"nanosecond", no_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},	      {NULL, 0, NULL, 0},
	};
	const struct scenario *sc;
	const char *out = NULL;
	struct gen g;
	uint64_t seed = 1, bytes;
	bool nano = false;
	char *end;
	size_t i;
	int c;

	memset(&g, 0, sizeof(g));
	g.scale = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 's':
			if (!parse_u64(optarg, &seed))
				die("--seed %s: not a non-negative integer", optarg);
			break;
		case 'x':
			errno = 0;
			g.scale = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(g.scale >= 0.01 && g.scale <= 100))
				die("--scale %s: must be a number from 0.01 to 100", optarg);
			break;
		case 'n':
			nano = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			die("%s: needs a value (see --help)", argv[optind - 1]);
			break;
		default:
			die("%s: unknown option (see --help)", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		die("no scenario given (try '" PROG " list' or --help)");
	if (optind + 1 < argc)
		die("%s: unexpected argument (one scenario at a time)", argv[optind + 1]);
	if (!strcmp(argv[optind], "list")) {
		list();
		return 0;
	}
	sc = find_scenario(argv[optind]);
	if (!sc)
		die("%s: unknown scenario (try '" PROG " list')", argv[optind]);
	if (!out)
		die("no output file given (-o OUT.pcap)");

	g.rng.s = seed ^ 0x7864706775617264ULL; /* "xdpguard" */
	g.out_from = g.out_to = -1;
	plan(&g, sc);
	if (g.too_many)
		die("--scale %g: more than %d packets", g.scale, MAX_PACKETS);
	qsort(g.ev, g.nev, sizeof(*g.ev), cmp_event);
	write_pcap(&g, out, nano, &bytes);

	fprintf(stderr, PROG ": %s: %zu packets, %" PRIu64 " bytes, %.1f s from %llu", sc->name,
		g.nev, bytes, g.length_s, (unsigned long long)EPOCH_S);
	if (g.atk_to > g.atk_from)
		fprintf(stderr, ", attack %.1f-%.1f s", g.atk_from, g.atk_to);
	if (g.out_to > g.out_from)
		fprintf(stderr, ", outage %.1f-%.1f s", g.out_from, g.out_to);
	fprintf(stderr, " -> %s\n", out);

	for (i = 0; i < g.nflows; i++)
		free(g.flows[i].pool);
	free(g.flows);
	free(g.ev);
	return 0;
}
