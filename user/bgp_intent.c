// SPDX-License-Identifier: GPL-2.0-only
#include "bgp_intent.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <json-c/json.h>

/* ExaBGP clamps traffic-rate to this; the other speakers would accept more,
 * so it is the cap for every speaker to keep one rule meaning one thing. */
#define RATE_MAX     1000000000000ull
#define WORDS_MAX    48
#define FRR_RMAP_PFX "xg-rtbh-"

/* ---- Names ---------------------------------------------------------------- */

/* Parts of a rule in grammar order; errors name them and parse knows the
 * word that gave each. */
enum part {
	P_KIND,
	P_SRC,
	P_DST,
	P_PROTO,
	P_DPORT,
	P_SPORT,
	P_LENGTH,
	P_TCP_FLAGS,
	P_FRAGMENT,
	P_THEN,
	P_PREFIX,
	P_COMM,
	P_LCOMM,
	P_COUNT,
};

static const char *const part_names[P_COUNT] = {
    [P_KIND] = "kind",
    [P_SRC] = "src",
    [P_DST] = "dst",
    [P_PROTO] = "proto",
    [P_DPORT] = "dport",
    [P_SPORT] = "sport",
    [P_LENGTH] = "length",
    [P_TCP_FLAGS] = "tcp-flags",
    [P_FRAGMENT] = "fragment",
    [P_THEN] = "then",
    [P_PREFIX] = "prefix",
    [P_COMM] = "community",
    [P_LCOMM] = "large-community",
};

/* Bit i of tcp_flags / fragment, in the grammar's spelling and the
 * speakers'. ExaBGP says push where the grammar says psh. */
static const char *const tcp_names[8] = {"fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr"};
static const char *const tcp_exabgp[8] = {"fin", "syn", "rst", "push", "ack", "urg", "ece", "cwr"};
static const char tcp_gobgp[8] = {'F', 'S', 'R', 'P', 'A', 'U', 'E', 'C'};
static const char *const frag_names[4] = {"dont-fragment", "is-fragment", "first-fragment",
					  "last-fragment"};
static const char *const frag_bird[4] = {"dont_fragment", "is_fragment", "first_fragment",
					 "last_fragment"};

#define PROTO_ICMP   1
#define PROTO_TCP    6
#define PROTO_UDP    17
#define PROTO_ICMPV6 58

static const char *proto_name(uint8_t proto)
{
	switch (proto) {
	case PROTO_ICMP:
		return "icmp";
	case PROTO_TCP:
		return "tcp";
	case PROTO_UDP:
		return "udp";
	case PROTO_ICMPV6:
		return "icmpv6";
	}
	return NULL;
}

/* ---- Errors --------------------------------------------------------------- */

/* Where an error goes and, when parsing, which word gave each part, so the
 * same checks serve built intents ("dport: ...") and text ("word 5 (dport):
 * ..."). */
struct ectx {
	char *err;
	size_t errlen;
	const int *word; /* 1-based word of each part, 0 = not given; NULL for built intents */
};

__attribute__((format(printf, 3, 4))) static int fail(const struct ectx *e, enum part p,
						      const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (!e->err || !e->errlen)
		return -EINVAL;
	if (e->word && e->word[p] > 0)
		snprintf(e->err, e->errlen, "word %d (%s): %s", e->word[p], part_names[p], why);
	else
		snprintf(e->err, e->errlen, "%s: %s", part_names[p], why);
	return -EINVAL;
}

/* A word with no part yet (unknown words, spacing). */
__attribute__((format(printf, 3, 4))) static int fail_word(const struct ectx *e, int word,
							   const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (e->err && e->errlen)
		snprintf(e->err, e->errlen, "word %d: %s", word, why);
	return -EINVAL;
}

/* ---- Small formatting helpers --------------------------------------------- */

static unsigned int family_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

static const char *family_name(int family)
{
	return family == AF_INET ? "ipv4" : "ipv6";
}

/* Always "addr/len", which every speaker wants. */
static void cidr_full(const struct xg_cidr *c, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(c->family, c->addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	snprintf(buf, len, "%s/%u", a, c->prefixlen);
}

static void range_text(uint16_t lo, uint16_t hi, char *buf, size_t len)
{
	if (lo == hi)
		snprintf(buf, len, "%u", lo);
	else
		snprintf(buf, len, "%u-%u", lo, hi);
}

static void comm_text(uint32_t c, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRIu32 ":%" PRIu32, c >> 16, c & 0xffff);
}

/* ---- Validation ----------------------------------------------------------- */

static int check_cidr(const struct ectx *e, enum part p, const struct xg_cidr *c)
{
	struct xg_cidr fixed;
	char text[INET6_ADDRSTRLEN + 8], hint[INET6_ADDRSTRLEN + 8];
	unsigned int bits, bit;
	bool host = false;

	if (c->family != AF_INET && c->family != AF_INET6)
		return fail(e, p, "address family %d is neither IPv4 nor IPv6", c->family);
	bits = family_bits(c->family);
	if (c->prefixlen > bits)
		return fail(e, p, "prefix length %u is longer than %u", c->prefixlen, bits);
	fixed = *c;
	for (bit = c->prefixlen; bit < bits; bit++) {
		if (fixed.addr[bit / 8] & (0x80 >> (bit % 8)))
			host = true;
		fixed.addr[bit / 8] &= (uint8_t) ~(0x80 >> (bit % 8));
	}
	if (host) {
		cidr_full(c, text, sizeof(text));
		xg_cidr_format(&fixed, hint, sizeof(hint));
		return fail(e, p, "'%s' has host bits set (did you mean %s?)", text, hint);
	}
	return 0;
}

static int check_ports(const struct ectx *e, enum part p, const struct xg_bgp_ports *ports)
{
	char a[16], b[16];
	int i;

	if (ports->n > XG_BGP_PORTS_MAX)
		return fail(e, p, "%u port ranges, at most %d", ports->n, XG_BGP_PORTS_MAX);
	for (i = 0; i < ports->n; i++) {
		if (ports->r[i].lo > ports->r[i].hi)
			return fail(e, p, "port range %u-%u has lo > hi", ports->r[i].lo,
				    ports->r[i].hi);
		if (i == 0)
			continue;
		range_text(ports->r[i - 1].lo, ports->r[i - 1].hi, a, sizeof(a));
		range_text(ports->r[i].lo, ports->r[i].hi, b, sizeof(b));
		/* ascending and disjoint, so one set of ports has one text */
		if (ports->r[i].lo < ports->r[i - 1].lo)
			return fail(e, p, "ports out of order (%s after %s)", b, a);
		if (ports->r[i].lo <= ports->r[i - 1].hi)
			return fail(e, p, "ports %s and %s overlap", a, b);
	}
	return 0;
}

static int check_flowspec(const struct xg_bgp_intent *in, const struct ectx *e)
{
	const struct xg_cidr *c = in->has_dst ? &in->dst : &in->src;
	bool ports = in->dport.n || in->sport.n;
	int ret;

	if (!in->has_src && !in->has_dst)
		return fail(e, P_KIND, "flowspec needs src or dst");
	if (in->has_src && (ret = check_cidr(e, P_SRC, &in->src)))
		return ret;
	if (in->has_dst && (ret = check_cidr(e, P_DST, &in->dst)))
		return ret;
	if (in->has_src && in->has_dst && in->src.family != in->dst.family)
		return fail(e, P_DST, "dst is %s but src is %s; a rule has one family",
			    in->dst.family == AF_INET ? "IPv4" : "IPv6",
			    in->src.family == AF_INET ? "IPv4" : "IPv6");
	if (in->proto == PROTO_ICMP && c->family == AF_INET6)
		return fail(e, P_PROTO, "icmp with IPv6 addresses; use icmpv6");
	if (in->proto == PROTO_ICMPV6 && c->family == AF_INET)
		return fail(e, P_PROTO, "icmpv6 with IPv4 addresses; use icmp");
	if ((ret = check_ports(e, P_DPORT, &in->dport)) ||
	    (ret = check_ports(e, P_SPORT, &in->sport)))
		return ret;
	if (ports && in->proto != PROTO_UDP && in->proto != PROTO_TCP)
		return fail(e, in->dport.n ? P_DPORT : P_SPORT, "ports need proto udp or tcp");
	if (in->len_lo > in->len_hi)
		return fail(e, P_LENGTH, "length range %u-%u has lo > hi", in->len_lo, in->len_hi);
	if (in->tcp_flags && in->proto != PROTO_TCP)
		return fail(e, P_TCP_FLAGS, "tcp-flags need proto tcp");
	if (in->fragment & ~0x0f)
		return fail(e, P_FRAGMENT, "unknown fragment bits 0x%02x", in->fragment);
	/* RFC 8956: IPv6 has no DF bit, so the component has no such flag */
	if ((in->fragment & XG_BGP_FRAG_DF) && c->family == AF_INET6)
		return fail(e, P_FRAGMENT, "dont-fragment does not exist in IPv6 (RFC 8956)");
	if (in->n_comm || in->n_lcomm)
		return fail(e, in->n_comm ? P_COMM : P_LCOMM, "communities are for rtbh only");
	switch (in->action) {
	case XG_BGP_DISCARD:
		if (in->rate_bps || in->rt_asn || in->rt_val)
			return fail(e, P_THEN, "discard takes no rate or route target");
		break;
	case XG_BGP_RATE_LIMIT:
		if (in->rt_asn || in->rt_val)
			return fail(e, P_THEN, "rate-limit takes no route target");
		if (!in->rate_bps)
			return fail(e, P_THEN, "rate-limit 0 would drop everything; use discard");
		if (in->rate_bps > RATE_MAX)
			return fail(e, P_THEN, "rate-limit %" PRIu64 " exceeds %llu bytes/s",
				    in->rate_bps, RATE_MAX);
		break;
	case XG_BGP_REDIRECT:
		if (in->rate_bps)
			return fail(e, P_THEN, "redirect takes no rate");
		if (!in->rt_asn)
			return fail(e, P_THEN, "redirect to ASN 0, which is reserved");
		if (in->rt_asn > 0xffff && in->rt_val > 0xffff)
			return fail(e, P_THEN,
				    "redirect %" PRIu32 ":%" PRIu32
				    ": a 4-byte ASN leaves 16 bits for the value (at most 65535)",
				    in->rt_asn, in->rt_val);
		break;
	default:
		return fail(e, P_THEN, "unknown action %d", (int)in->action);
	}
	return 0;
}

static int lcomm_cmp(const struct xg_bgp_intent *in, int a, int b)
{
	const uint32_t x[3] = {in->lcomm[a].global, in->lcomm[a].local1, in->lcomm[a].local2};
	const uint32_t y[3] = {in->lcomm[b].global, in->lcomm[b].local1, in->lcomm[b].local2};
	int i;

	for (i = 0; i < 3; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

static int check_rtbh(const struct xg_bgp_intent *in, const struct ectx *e)
{
	char a[16], b[16];
	int i, ret;

	if (!in->has_dst)
		return fail(e, P_PREFIX, "rtbh needs a prefix (dst)");
	if ((ret = check_cidr(e, P_PREFIX, &in->dst)))
		return ret;
	if (in->has_src)
		return fail(e, P_SRC, "rtbh takes no src; only flowspec matches sources");
	if (in->proto || in->dport.n || in->sport.n || in->len_lo || in->len_hi || in->tcp_flags ||
	    in->fragment)
		return fail(e, P_KIND, "rtbh takes no packet match (proto, ports, length, flags)");
	if (in->action != XG_BGP_DISCARD || in->rate_bps || in->rt_asn || in->rt_val)
		return fail(e, P_THEN, "rtbh takes no action; it always discards");
	if (in->n_comm > XG_BGP_COMM_MAX)
		return fail(e, P_COMM, "%u communities, at most %d", in->n_comm, XG_BGP_COMM_MAX);
	for (i = 1; i < in->n_comm; i++) {
		comm_text(in->comm[i - 1], a, sizeof(a));
		comm_text(in->comm[i], b, sizeof(b));
		if (in->comm[i] == in->comm[i - 1])
			return fail(e, P_COMM, "%s given twice", b);
		/* ascending, so one set of communities has one text */
		if (in->comm[i] < in->comm[i - 1])
			return fail(e, P_COMM, "out of order (%s after %s)", b, a);
	}
	if (in->n_lcomm > XG_BGP_LCOMM_MAX)
		return fail(e, P_LCOMM, "%u large communities, at most %d", in->n_lcomm,
			    XG_BGP_LCOMM_MAX);
	for (i = 1; i < in->n_lcomm; i++) {
		int cmp = lcomm_cmp(in, i, i - 1);

		if (cmp == 0)
			return fail(e, P_LCOMM, "%" PRIu32 ":%" PRIu32 ":%" PRIu32 " given twice",
				    in->lcomm[i].global, in->lcomm[i].local1, in->lcomm[i].local2);
		if (cmp < 0)
			return fail(e, P_LCOMM,
				    "out of order (%" PRIu32 ":%" PRIu32 ":%" PRIu32
				    " after %" PRIu32 ":%" PRIu32 ":%" PRIu32 ")",
				    in->lcomm[i].global, in->lcomm[i].local1, in->lcomm[i].local2,
				    in->lcomm[i - 1].global, in->lcomm[i - 1].local1,
				    in->lcomm[i - 1].local2);
	}
	return 0;
}

static int check(const struct xg_bgp_intent *in, const struct ectx *e)
{
	if (!in)
		return fail(e, P_KIND, "no intent");
	switch (in->kind) {
	case XG_BGP_FLOWSPEC:
		return check_flowspec(in, e);
	case XG_BGP_RTBH:
		return check_rtbh(in, e);
	}
	return fail(e, P_KIND, "unknown kind %d", (int)in->kind);
}

int xg_bgp_intent_validate(const struct xg_bgp_intent *in, char *err, size_t errlen)
{
	const struct ectx e = {err, errlen, NULL};

	return check(in, &e);
}

/* The family a valid intent's routes belong to. */
static int intent_family(const struct xg_bgp_intent *in)
{
	return in->has_dst ? in->dst.family : in->src.family;
}

/* ---- Bounded text --------------------------------------------------------- */

/* Appends never fail visibly: running out of room is remembered and
 * reported once at the end, which keeps the renderers linear. */
struct text {
	char *buf;
	size_t len, used;
	bool full;
};

__attribute__((format(printf, 2, 3))) static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	if (t->full)
		return;
	room = t->len - t->used;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->used, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		t->full = true;
		t->buf[t->used] = '\0';
		return;
	}
	t->used += (size_t)n;
}

static int text_done(const struct text *t)
{
	return t->full ? -ENOSPC : (int)t->used;
}

/* ---- Canonical text ------------------------------------------------------- */

static void put_ports(struct text *t, const char *kw, const struct xg_bgp_ports *p)
{
	char r[16];
	int i;

	if (!p->n)
		return;
	put(t, " %s ", kw);
	for (i = 0; i < p->n; i++) {
		range_text(p->r[i].lo, p->r[i].hi, r, sizeof(r));
		put(t, "%s%s", i ? "," : "", r);
	}
}

static void put_bits(struct text *t, const char *kw, uint8_t bits, const char *const *names, int n)
{
	const char *sep = "";
	int i;

	if (!bits)
		return;
	put(t, " %s ", kw);
	for (i = 0; i < n; i++) {
		if (!(bits & (1u << i)))
			continue;
		put(t, "%s%s", sep, names[i]);
		sep = "|";
	}
}

int xg_bgp_intent_format(const struct xg_bgp_intent *in, char *buf, size_t len)
{
	struct text t = {buf, len, 0, false};
	char a[INET6_ADDRSTRLEN + 8];
	const char *name;
	int i;

	if (!buf || !len)
		return -ENOSPC;
	buf[0] = '\0';
	if (xg_bgp_intent_validate(in, NULL, 0))
		return -EINVAL;
	if (in->kind == XG_BGP_RTBH) {
		xg_cidr_format(&in->dst, a, sizeof(a));
		put(&t, "rtbh %s", a);
		for (i = 0; i < in->n_comm; i++) {
			comm_text(in->comm[i], a, sizeof(a));
			put(&t, "%s%s", i ? "," : " community ", a);
		}
		for (i = 0; i < in->n_lcomm; i++)
			put(&t, "%s%" PRIu32 ":%" PRIu32 ":%" PRIu32, i ? "," : " large-community ",
			    in->lcomm[i].global, in->lcomm[i].local1, in->lcomm[i].local2);
		return text_done(&t);
	}
	put(&t, "flowspec");
	if (in->has_src) {
		xg_cidr_format(&in->src, a, sizeof(a));
		put(&t, " src %s", a);
	}
	if (in->has_dst) {
		xg_cidr_format(&in->dst, a, sizeof(a));
		put(&t, " dst %s", a);
	}
	if (in->proto) {
		name = proto_name(in->proto);
		if (name)
			put(&t, " proto %s", name);
		else
			put(&t, " proto %u", in->proto);
	}
	put_ports(&t, "dport", &in->dport);
	put_ports(&t, "sport", &in->sport);
	if (in->len_lo || in->len_hi)
		put(&t, " length %u-%u", in->len_lo, in->len_hi);
	put_bits(&t, "tcp-flags", in->tcp_flags, tcp_names, 8);
	put_bits(&t, "fragment", in->fragment, frag_names, 4);
	switch (in->action) {
	case XG_BGP_DISCARD:
		put(&t, " then discard");
		break;
	case XG_BGP_RATE_LIMIT:
		put(&t, " then rate-limit %" PRIu64, in->rate_bps);
		break;
	case XG_BGP_REDIRECT:
		put(&t, " then redirect %" PRIu32 ":%" PRIu32, in->rt_asn, in->rt_val);
		break;
	}
	return text_done(&t);
}

/* ---- Parsing -------------------------------------------------------------- */

/* A decimal number in s[0..n): digits only, no sign, no leading zero. */
static bool num(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!n || n > 20 || (n > 1 && s[0] == '0'))
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

/* Splits s at sep into at most max items of (start, length); -1 when there
 * are more items, -2 on an empty one. */
struct item {
	const char *s;
	size_t n;
};

static int split(const char *s, char sep, struct item *items, int max)
{
	int n = 0;

	for (;;) {
		const char *end = strchr(s, sep);
		size_t len = end ? (size_t)(end - s) : strlen(s);

		if (!len)
			return -2;
		if (n == max)
			return -1;
		items[n].s = s;
		items[n].n = len;
		n++;
		if (!end)
			return n;
		s = end + 1;
	}
}

static int parse_cidr(const struct ectx *e, enum part p, const char *w, struct xg_cidr *out)
{
	char why[160];

	if (xg_cidr_parse(w, out, why, sizeof(why)))
		return fail(e, p, "%s", why);
	return 0;
}

static int parse_proto(const struct ectx *e, const char *w, uint8_t *out)
{
	static const uint8_t named[] = {PROTO_UDP, PROTO_TCP, PROTO_ICMP, PROTO_ICMPV6};
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(named); i++) {
		if (!strcmp(w, proto_name(named[i]))) {
			*out = named[i];
			return 0;
		}
	}
	if (!strcmp(w, "0"))
		return fail(e, P_PROTO, "proto 0 means any; leave proto out");
	if (!num(w, strlen(w), 255, &v))
		return fail(e, P_PROTO, "'%s' is not udp, tcp, icmp, icmpv6 or a number 1-255", w);
	*out = (uint8_t)v;
	return 0;
}

static int range_cmp(const void *a, const void *b)
{
	const uint16_t *x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return (x[1] > y[1]) - (x[1] < y[1]);
}

static int parse_ports(const struct ectx *e, enum part p, const char *w, struct xg_bgp_ports *out)
{
	struct item it[XG_BGP_PORTS_MAX];
	int n, i;

	n = split(w, ',', it, XG_BGP_PORTS_MAX);
	if (n == -1)
		return fail(e, p, "more than %d ports or ranges in '%s'", XG_BGP_PORTS_MAX, w);
	if (n == -2)
		return fail(e, p, "empty port in '%s'", w);
	for (i = 0; i < n; i++) {
		const char *dash = memchr(it[i].s, '-', it[i].n);
		size_t lo_n = dash ? (size_t)(dash - it[i].s) : it[i].n;
		uint64_t lo, hi;

		if (!num(it[i].s, lo_n, 65535, &lo) ||
		    (dash && !num(dash + 1, it[i].n - lo_n - 1, 65535, &hi)))
			return fail(e, p, "'%.*s' is not a port 0-65535 or a range lo-hi",
				    (int)it[i].n, it[i].s);
		if (!dash)
			hi = lo;
		if (lo > hi)
			return fail(e, p, "port range %" PRIu64 "-%" PRIu64 " has lo > hi", lo, hi);
		out->r[i].lo = (uint16_t)lo;
		out->r[i].hi = (uint16_t)hi;
	}
	out->n = (uint8_t)n;
	/* the order does not change the rule: keep the one canonical order */
	qsort(out->r, out->n, sizeof(out->r[0]), range_cmp);
	return 0;
}

static int parse_length(const struct ectx *e, const char *w, struct xg_bgp_intent *out)
{
	const char *dash = strchr(w, '-');
	uint64_t lo, hi;

	if (!dash || !num(w, (size_t)(dash - w), 65535, &lo) ||
	    !num(dash + 1, strlen(dash + 1), 65535, &hi))
		return fail(e, P_LENGTH, "'%s' is not a range lo-hi of 0-65535", w);
	if (lo > hi)
		return fail(e, P_LENGTH, "length range %" PRIu64 "-%" PRIu64 " has lo > hi", lo,
			    hi);
	if (!hi)
		return fail(e, P_LENGTH, "length 0-0 means any; leave length out");
	out->len_lo = (uint16_t)lo;
	out->len_hi = (uint16_t)hi;
	return 0;
}

static int parse_bits(const struct ectx *e, enum part p, const char *w, const char *const *names,
		      int n_names, uint8_t *out)
{
	struct item it[8];
	int n, i, k;

	n = split(w, '|', it, n_names);
	if (n == -1)
		return fail(e, p, "more than %d flags in '%s'", n_names, w);
	if (n == -2)
		return fail(e, p, "empty flag in '%s'", w);
	*out = 0;
	for (i = 0; i < n; i++) {
		for (k = 0; k < n_names; k++)
			if (strlen(names[k]) == it[i].n && !memcmp(names[k], it[i].s, it[i].n))
				break;
		if (k == n_names) {
			if (p == P_TCP_FLAGS)
				return fail(
				    e, p, "'%.*s' is not fin, syn, rst, psh, ack, urg, ece or cwr",
				    (int)it[i].n, it[i].s);
			return fail(e, p,
				    "'%.*s' is not dont-fragment, is-fragment, first-fragment or "
				    "last-fragment",
				    (int)it[i].n, it[i].s);
		}
		if (*out & (1u << k))
			return fail(e, p, "%s given twice", names[k]);
		*out |= (uint8_t)(1u << k);
	}
	return 0;
}

/* "A:B" with A <= amax, B <= bmax. */
static bool pair(const char *w, uint64_t amax, uint64_t bmax, uint64_t *a, uint64_t *b)
{
	const char *colon = strchr(w, ':');

	return colon && num(w, (size_t)(colon - w), amax, a) &&
	       num(colon + 1, strlen(colon + 1), bmax, b);
}

static int parse_action(const struct ectx *e, const char *action, const char *arg,
			struct xg_bgp_intent *out)
{
	uint64_t a, b;

	if (!strcmp(action, "discard")) {
		out->action = XG_BGP_DISCARD;
		return 0;
	}
	if (!strcmp(action, "rate-limit")) {
		if (!arg)
			return fail(e, P_THEN, "rate-limit needs BYTES_PER_S");
		if (!num(arg, strlen(arg), UINT64_MAX, &a))
			return fail(e, P_THEN, "'%s' is not a number of bytes per second", arg);
		out->action = XG_BGP_RATE_LIMIT;
		out->rate_bps = a;
		return 0;
	}
	if (!strcmp(action, "redirect")) {
		if (!arg)
			return fail(e, P_THEN, "redirect needs ASN:NN");
		if (!pair(arg, UINT32_MAX, UINT32_MAX, &a, &b))
			return fail(e, P_THEN, "'%s' is not a route target ASN:NN", arg);
		out->action = XG_BGP_REDIRECT;
		out->rt_asn = (uint32_t)a;
		out->rt_val = (uint32_t)b;
		return 0;
	}
	return fail(e, P_THEN, "'%s' is not discard, rate-limit or redirect", action);
}

static int u32_cmp(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;

	return (*x > *y) - (*x < *y);
}

static int lcomm_qcmp(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;
	int i;

	for (i = 0; i < 3; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

static int parse_comms(const struct ectx *e, const char *w, struct xg_bgp_intent *out)
{
	struct item it[XG_BGP_COMM_MAX];
	char one[32];
	uint64_t a, b;
	int n, i;

	n = split(w, ',', it, XG_BGP_COMM_MAX);
	if (n == -1)
		return fail(e, P_COMM, "more than %d communities in '%s'", XG_BGP_COMM_MAX, w);
	if (n == -2)
		return fail(e, P_COMM, "empty community in '%s'", w);
	for (i = 0; i < n; i++) {
		snprintf(one, sizeof(one), "%.*s", (int)it[i].n, it[i].s);
		if (it[i].n >= sizeof(one) || !pair(one, 65535, 65535, &a, &b))
			return fail(e, P_COMM, "'%.*s' is not a community A:B of 0-65535",
				    (int)it[i].n, it[i].s);
		out->comm[i] = (uint32_t)(a << 16 | b);
	}
	out->n_comm = (uint8_t)n;
	qsort(out->comm, out->n_comm, sizeof(out->comm[0]), u32_cmp);
	return 0;
}

static int parse_lcomms(const struct ectx *e, const char *w, struct xg_bgp_intent *out)
{
	struct item it[XG_BGP_LCOMM_MAX];
	char one[48];
	uint64_t g, l1, l2;
	int n, i;

	n = split(w, ',', it, XG_BGP_LCOMM_MAX);
	if (n == -1)
		return fail(e, P_LCOMM, "more than %d large communities in '%s'", XG_BGP_LCOMM_MAX,
			    w);
	if (n == -2)
		return fail(e, P_LCOMM, "empty large community in '%s'", w);
	for (i = 0; i < n; i++) {
		const char *c1, *c2;

		snprintf(one, sizeof(one), "%.*s", (int)it[i].n, it[i].s);
		c1 = strchr(one, ':');
		c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (it[i].n >= sizeof(one) || !c2 ||
		    !num(one, (size_t)(c1 - one), UINT32_MAX, &g) ||
		    !num(c1 + 1, (size_t)(c2 - c1 - 1), UINT32_MAX, &l1) ||
		    !num(c2 + 1, strlen(c2 + 1), UINT32_MAX, &l2))
			return fail(e, P_LCOMM,
				    "'%.*s' is not a large community G:L1:L2 of 32-bit numbers",
				    (int)it[i].n, it[i].s);
		out->lcomm[i].global = (uint32_t)g;
		out->lcomm[i].local1 = (uint32_t)l1;
		out->lcomm[i].local2 = (uint32_t)l2;
	}
	out->n_lcomm = (uint8_t)n;
	qsort(out->lcomm, out->n_lcomm, sizeof(out->lcomm[0]), lcomm_qcmp);
	return 0;
}

struct keyword {
	const char *word;
	enum part part;
};

static const struct keyword flow_words[] = {
    {"src", P_SRC},	{"dst", P_DST},	      {"proto", P_PROTO},	  {"dport", P_DPORT},
    {"sport", P_SPORT}, {"length", P_LENGTH}, {"tcp-flags", P_TCP_FLAGS}, {"fragment", P_FRAGMENT},
    {"then", P_THEN},
};

static const struct keyword rtbh_words[] = {
    {"community", P_COMM},
    {"large-community", P_LCOMM},
};

/* "src, dst, ... or then": the keywords that may still follow. */
static void expected(const struct keyword *kw, size_t n, enum part last, char *buf, size_t len)
{
	struct text t = {buf, len, 0, false};
	size_t i, left = 0, k = 0;

	for (i = 0; i < n; i++)
		left += kw[i].part > last;
	for (i = 0; i < n; i++) {
		if (kw[i].part <= last)
			continue;
		put(&t, "%s%s", k == 0 ? "" : k + 1 == left ? " or " : ", ", kw[i].word);
		k++;
	}
	if (!k)
		put(&t, "nothing");
}

static int parse_value(const struct ectx *e, enum part p, const char *w, struct xg_bgp_intent *out)
{
	switch (p) {
	case P_SRC:
		out->has_src = true;
		return parse_cidr(e, p, w, &out->src);
	case P_DST:
		out->has_dst = true;
		return parse_cidr(e, p, w, &out->dst);
	case P_PROTO:
		return parse_proto(e, w, &out->proto);
	case P_DPORT:
		return parse_ports(e, p, w, &out->dport);
	case P_SPORT:
		return parse_ports(e, p, w, &out->sport);
	case P_LENGTH:
		return parse_length(e, w, out);
	case P_TCP_FLAGS:
		return parse_bits(e, p, w, tcp_names, 8, &out->tcp_flags);
	case P_FRAGMENT:
		return parse_bits(e, p, w, frag_names, 4, &out->fragment);
	case P_COMM:
		return parse_comms(e, w, out);
	case P_LCOMM:
		return parse_lcomms(e, w, out);
	default:
		return fail(e, p, "internal: no value parser");
	}
}

static int parse_words(int n, const char *const *w, struct xg_bgp_intent *out, char *err,
		       size_t errlen)
{
	int word[P_COUNT] = {0};
	const struct ectx e = {err, errlen, word};
	const struct keyword *kws;
	enum part last = P_KIND;
	size_t n_kws;
	char exp[160];
	int i = 1, k, ret;

	memset(out, 0, sizeof(*out));
	if (n < 1)
		return fail_word(&e, 1, "empty rule: flowspec ... or rtbh CIDR");
	word[P_KIND] = 1;
	if (!strcmp(w[0], "flowspec")) {
		out->kind = XG_BGP_FLOWSPEC;
		kws = flow_words;
		n_kws = sizeof(flow_words) / sizeof(flow_words[0]);
	} else if (!strcmp(w[0], "rtbh")) {
		out->kind = XG_BGP_RTBH;
		kws = rtbh_words;
		n_kws = sizeof(rtbh_words) / sizeof(rtbh_words[0]);
		if (n < 2)
			return fail_word(&e, 2, "rtbh needs a prefix (rtbh CIDR)");
		word[P_PREFIX] = 2;
		out->has_dst = true;
		if ((ret = parse_cidr(&e, P_PREFIX, w[1], &out->dst)))
			return ret;
		i = 2;
	} else {
		return fail_word(&e, 1, "'%s' is not flowspec or rtbh", w[0]);
	}
	while (i < n) {
		for (k = 0; k < (int)n_kws; k++)
			if (!strcmp(w[i], kws[k].word))
				break;
		if (k == (int)n_kws) {
			expected(kws, n_kws, last, exp, sizeof(exp));
			return fail_word(&e, i + 1, "unknown word '%s' (expected %s)", w[i], exp);
		}
		if (word[kws[k].part])
			return fail_word(&e, i + 1, "%s given twice", w[i]);
		if (kws[k].part < last)
			return fail_word(&e, i + 1, "%s out of order: it goes before %s", w[i],
					 part_names[last]);
		last = kws[k].part;
		word[last] = i + 2;
		if (i + 1 >= n)
			return fail_word(&e, i + 1, "%s needs a value after it", w[i]);
		if (last == P_THEN) {
			const char *arg = i + 2 < n ? w[i + 2] : NULL;
			bool takes_arg = strcmp(w[i + 1], "discard") != 0;

			if (takes_arg && arg)
				word[P_THEN] = i + 3;
			if ((ret = parse_action(&e, w[i + 1], arg, out)))
				return ret;
			i += takes_arg ? 3 : 2;
			if (i < n)
				return fail_word(&e, i + 1, "trailing '%s' after the action", w[i]);
			break;
		}
		if ((ret = parse_value(&e, last, w[i + 1], out)))
			return ret;
		i += 2;
	}
	if (out->kind == XG_BGP_FLOWSPEC && last != P_THEN)
		return fail_word(&e, n + 1,
				 "missing the action: then discard, then rate-limit BYTES_PER_S or "
				 "then redirect ASN:NN");
	return check(out, &e);
}

int xg_bgp_intent_parse(const char *text, struct xg_bgp_intent *out, char *err, size_t errlen)
{
	const struct ectx e = {err, errlen, NULL};
	char buf[XG_BGP_TEXT_MAX];
	const char *w[WORDS_MAX];
	size_t len;
	int n = 0;
	char *p;

	memset(out, 0, sizeof(*out));
	if (!text || !*text)
		return fail_word(&e, 1, "empty rule: flowspec ... or rtbh CIDR");
	len = strlen(text);
	if (len >= sizeof(buf))
		return fail_word(&e, 1, "rule longer than %zu characters", sizeof(buf) - 1);
	memcpy(buf, text, len + 1);
	for (p = buf; *p; p++) {
		/* one spelling per rule: no tabs, no control bytes, no upper case */
		if (*p <= ' ' && *p != ' ')
			return fail_word(&e, n + 1, "control character 0x%02x", (unsigned char)*p);
		if ((unsigned char)*p >= 0x7f)
			return fail_word(&e, n + 1, "non-ASCII byte 0x%02x", (unsigned char)*p);
		if (*p >= 'A' && *p <= 'Z')
			return fail_word(&e, n + 1, "upper case '%c'; the rule is lower case", *p);
		if (*p == ' ')
			n += p > buf && p[-1] != ' ';
	}
	n = 0;
	p = buf;
	for (;;) {
		char *sp = strchr(p, ' ');

		if (sp == p)
			return fail_word(&e, n + 1, n ? "two spaces before it" : "leading space");
		if (n == WORDS_MAX)
			return fail_word(&e, n + 1, "more than %d words", WORDS_MAX);
		w[n++] = p;
		if (!sp)
			break;
		*sp = '\0';
		p = sp + 1;
		if (!*p)
			return fail_word(&e, n, "trailing space after it");
	}
	return parse_words(n, w, out, err, errlen);
}

int xg_bgp_intent_parse_argv(int argc, char *const argv[], struct xg_bgp_intent *out, char *err,
			     size_t errlen)
{
	const struct ectx e = {err, errlen, NULL};
	int i;

	memset(out, 0, sizeof(*out));
	if (argc > WORDS_MAX)
		return fail_word(&e, WORDS_MAX + 1, "more than %d words", WORDS_MAX);
	for (i = 0; i < argc; i++) {
		const char *c;

		if (!argv[i] || !*argv[i])
			return fail_word(&e, i + 1, "empty word");
		for (c = argv[i]; *c; c++)
			if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f)
				return fail_word(&e, i + 1, "'%s' holds a space or control byte",
						 argv[i]);
	}
	return parse_words(argc, (const char *const *)argv, out, err, errlen);
}

/* ---- JSON ----------------------------------------------------------------- */

static struct json_object *ports_json(const struct xg_bgp_ports *p)
{
	struct json_object *a = json_object_new_array();
	char r[16];
	int i;

	for (i = 0; a && i < p->n; i++) {
		range_text(p->r[i].lo, p->r[i].hi, r, sizeof(r));
		json_object_array_add(a, json_object_new_string(r));
	}
	return a;
}

static struct json_object *bits_json(uint8_t bits, const char *const *names, int n)
{
	struct json_object *a = json_object_new_array();
	int i;

	for (i = 0; a && i < n; i++)
		if (bits & (1u << i))
			json_object_array_add(a, json_object_new_string(names[i]));
	return a;
}

static void add_cidr(struct json_object *o, const char *key, const struct xg_cidr *c)
{
	char a[INET6_ADDRSTRLEN + 8];

	cidr_full(c, a, sizeof(a));
	json_object_object_add(o, key, json_object_new_string(a));
}

static struct json_object *match_json(const struct xg_bgp_intent *in)
{
	struct json_object *m = json_object_new_object();
	char r[16];

	if (!m)
		return NULL;
	if (in->has_src)
		add_cidr(m, "src", &in->src);
	if (in->has_dst)
		add_cidr(m, "dst", &in->dst);
	if (in->proto)
		json_object_object_add(m, "proto", json_object_new_int(in->proto));
	if (in->dport.n)
		json_object_object_add(m, "dport", ports_json(&in->dport));
	if (in->sport.n)
		json_object_object_add(m, "sport", ports_json(&in->sport));
	if (in->len_lo || in->len_hi) {
		snprintf(r, sizeof(r), "%u-%u", in->len_lo, in->len_hi);
		json_object_object_add(m, "length", json_object_new_string(r));
	}
	if (in->tcp_flags)
		json_object_object_add(m, "tcp_flags", bits_json(in->tcp_flags, tcp_names, 8));
	if (in->fragment)
		json_object_object_add(m, "fragment", bits_json(in->fragment, frag_names, 4));
	return m;
}

static struct json_object *action_json(const struct xg_bgp_intent *in)
{
	struct json_object *a = json_object_new_object();
	char rt[32];

	if (!a)
		return NULL;
	switch (in->action) {
	case XG_BGP_DISCARD:
		json_object_object_add(a, "type", json_object_new_string("discard"));
		break;
	case XG_BGP_RATE_LIMIT:
		json_object_object_add(a, "type", json_object_new_string("rate-limit"));
		json_object_object_add(a, "bytes_per_s",
				       json_object_new_int64((int64_t)in->rate_bps));
		break;
	case XG_BGP_REDIRECT:
		snprintf(rt, sizeof(rt), "%" PRIu32 ":%" PRIu32, in->rt_asn, in->rt_val);
		json_object_object_add(a, "type", json_object_new_string("redirect"));
		json_object_object_add(a, "route_target", json_object_new_string(rt));
		break;
	}
	return a;
}

struct json_object *xg_bgp_intent_to_json(const struct xg_bgp_intent *in)
{
	char rule[XG_BGP_TEXT_MAX], one[48];
	struct json_object *o, *a;
	int i;

	if (xg_bgp_intent_format(in, rule, sizeof(rule)) < 0)
		return NULL;
	o = json_object_new_object();
	if (!o)
		return NULL;
	json_object_object_add(
	    o, "kind", json_object_new_string(in->kind == XG_BGP_RTBH ? "rtbh" : "flowspec"));
	json_object_object_add(o, "family", json_object_new_string(family_name(intent_family(in))));
	json_object_object_add(o, "rule", json_object_new_string(rule));
	if (in->kind == XG_BGP_FLOWSPEC) {
		json_object_object_add(o, "match", match_json(in));
		json_object_object_add(o, "action", action_json(in));
		return o;
	}
	add_cidr(o, "prefix", &in->dst);
	a = json_object_new_array();
	for (i = 0; a && i < in->n_comm; i++) {
		comm_text(in->comm[i], one, sizeof(one));
		json_object_array_add(a, json_object_new_string(one));
	}
	json_object_object_add(o, "communities", a);
	a = json_object_new_array();
	for (i = 0; a && i < in->n_lcomm; i++) {
		snprintf(one, sizeof(one), "%" PRIu32 ":%" PRIu32 ":%" PRIu32, in->lcomm[i].global,
			 in->lcomm[i].local1, in->lcomm[i].local2);
		json_object_array_add(a, json_object_new_string(one));
	}
	json_object_object_add(o, "large_communities", a);
	return o;
}

/* ---- Shared by the renderers ---------------------------------------------- */

/* The next hop re-spelled from its parsed bytes, so a caller string never
 * reaches a speaker; it must be of the prefix's family. */
static int next_hop_text(const char *nh, int family, char *buf, size_t len)
{
	uint8_t addr[16];

	if (!nh || !*nh || inet_pton(family, nh, addr) != 1)
		return -EINVAL;
	return inet_ntop(family, addr, buf, (socklen_t)len) ? 0 : -EINVAL;
}

/* Argument vectors: strings copied into store, pointers in argv. */
struct args {
	char **argv;
	int argc;
	struct text store;
};

__attribute__((format(printf, 2, 3))) static void arg(struct args *a, const char *fmt, ...)
{
	struct text *t = &a->store;
	va_list ap;
	size_t room;
	int n;

	if (t->full)
		return;
	if (a->argc + 1 >= XG_BGP_ARGV_MAX) {
		t->full = true;
		return;
	}
	room = t->len - t->used;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->used, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n + 1 > room) {
		t->full = true;
		return;
	}
	a->argv[a->argc++] = t->buf + t->used;
	t->used += (size_t)n + 1;
}

static int args_done(struct args *a)
{
	if (a->store.full)
		return -ENOSPC;
	a->argv[a->argc] = NULL;
	return a->argc;
}

/* ---- ExaBGP --------------------------------------------------------------- */

/* Numeric operators as ExaBGP spells them: =80, >=6000&<=6010, <=200. */
static void exa_range(struct text *t, uint16_t lo, uint16_t hi)
{
	if (lo == hi)
		put(t, "=%u", lo);
	else if (!lo)
		put(t, "<=%u", hi);
	else
		put(t, ">=%u&<=%u", lo, hi);
}

static void exa_ports(struct text *t, const char *kw, const struct xg_bgp_ports *p)
{
	int i;

	if (!p->n)
		return;
	put(t, "%s %s", kw, p->n > 1 ? "[ " : "");
	for (i = 0; i < p->n; i++) {
		put(t, "%s", i ? " " : "");
		exa_range(t, p->r[i].lo, p->r[i].hi);
	}
	put(t, "%s; ", p->n > 1 ? " ]" : "");
}

static void exa_match(struct text *t, const struct xg_bgp_intent *in)
{
	bool v6 = intent_family(in) == AF_INET6;
	char a[INET6_ADDRSTRLEN + 8];
	const char *sep = "";
	int i, n = 0;

	put(t, "match { ");
	/* IPv6 prefixes carry the RFC 8956 offset as a third field */
	if (in->has_src) {
		cidr_full(&in->src, a, sizeof(a));
		put(t, "source %s%s; ", a, v6 ? "/0" : "");
	}
	if (in->has_dst) {
		cidr_full(&in->dst, a, sizeof(a));
		put(t, "destination %s%s; ", a, v6 ? "/0" : "");
	}
	if (in->proto) {
		put(t, "%s ", v6 ? "next-header" : "protocol");
		if (in->proto == PROTO_TCP || in->proto == PROTO_UDP)
			put(t, "%s; ", proto_name(in->proto));
		else
			put(t, "=%u; ", in->proto);
	}
	exa_ports(t, "destination-port", &in->dport);
	exa_ports(t, "source-port", &in->sport);
	if (in->len_lo || in->len_hi) {
		put(t, "packet-length ");
		exa_range(t, in->len_lo, in->len_hi);
		put(t, "; ");
	}
	/* =syn&=ack: every flag set (match bit, ANDed) */
	if (in->tcp_flags) {
		put(t, "tcp-flags [ ");
		for (i = 0; i < 8; i++) {
			if (!(in->tcp_flags & (1u << i)))
				continue;
			put(t, "%s=%s", sep, tcp_exabgp[i]);
			sep = "&";
		}
		put(t, " ]; ");
	}
	/* a list: any of the fragment types */
	if (in->fragment) {
		for (i = 0; i < 4; i++)
			n += !!(in->fragment & (1u << i));
		put(t, "fragment %s", n > 1 ? "[ " : "");
		sep = "";
		for (i = 0; i < 4; i++) {
			if (!(in->fragment & (1u << i)))
				continue;
			put(t, "%s%s", sep, frag_names[i]);
			sep = " ";
		}
		put(t, "%s; ", n > 1 ? " ]" : "");
	}
	put(t, "}");
}

int xg_bgp_render_exabgp(const struct xg_bgp_intent *in, bool announce, const char *next_hop,
			 char *buf, size_t len)
{
	struct text t = {buf, len, 0, false};
	char a[INET6_ADDRSTRLEN + 8], nh[INET6_ADDRSTRLEN];
	int i;

	if (!buf || !len)
		return -ENOSPC;
	buf[0] = '\0';
	if (xg_bgp_intent_validate(in, NULL, 0))
		return -EINVAL;
	if (in->kind == XG_BGP_RTBH) {
		bool has_nh = next_hop && *next_hop;

		if ((announce || has_nh) && next_hop_text(next_hop, in->dst.family, nh, sizeof(nh)))
			return -EINVAL;
		cidr_full(&in->dst, a, sizeof(a));
		if (!announce) {
			put(&t, "withdraw route %s", a);
			if (has_nh)
				put(&t, " next-hop %s", nh);
			return text_done(&t);
		}
		put(&t, "announce route %s next-hop %s", a, nh);
		for (i = 0; i < in->n_comm; i++) {
			comm_text(in->comm[i], a, sizeof(a));
			put(&t, "%s%s", i ? " " : " community [", a);
		}
		put(&t, "%s", in->n_comm ? "]" : "");
		for (i = 0; i < in->n_lcomm; i++)
			put(&t, "%s%" PRIu32 ":%" PRIu32 ":%" PRIu32,
			    i ? " " : " large-community [", in->lcomm[i].global,
			    in->lcomm[i].local1, in->lcomm[i].local2);
		put(&t, "%s", in->n_lcomm ? "]" : "");
		return text_done(&t);
	}
	put(&t, "%s flow route { ", announce ? "announce" : "withdraw");
	exa_match(&t, in);
	/* the match alone names the route to withdraw */
	if (!announce) {
		put(&t, " }");
		return text_done(&t);
	}
	switch (in->action) {
	case XG_BGP_DISCARD:
		put(&t, " then { discard; } }");
		break;
	case XG_BGP_RATE_LIMIT:
		put(&t, " then { rate-limit %" PRIu64 "; } }", in->rate_bps);
		break;
	case XG_BGP_REDIRECT:
		put(&t, " then { redirect %" PRIu32 ":%" PRIu32 "; } }", in->rt_asn, in->rt_val);
		break;
	}
	return text_done(&t);
}

/* ---- gobgp ---------------------------------------------------------------- */

static void gobgp_range(struct args *a, uint16_t lo, uint16_t hi)
{
	if (lo == hi)
		arg(a, "==%u", lo);
	else if (!lo)
		arg(a, "<=%u", hi);
	else
		arg(a, ">=%u&<=%u", lo, hi);
}

static void gobgp_ports(struct args *a, const char *kw, const struct xg_bgp_ports *p)
{
	int i;

	if (!p->n)
		return;
	arg(a, "%s", kw);
	for (i = 0; i < p->n; i++)
		gobgp_range(a, p->r[i].lo, p->r[i].hi);
}

static void gobgp_flowspec(struct args *a, const struct xg_bgp_intent *in, bool announce)
{
	char s[INET6_ADDRSTRLEN + 8], flags[9];
	int i, n = 0;

	arg(a, "%s-flowspec", family_name(intent_family(in)));
	arg(a, "%s", announce ? "add" : "del");
	arg(a, "match");
	if (in->has_dst) {
		cidr_full(&in->dst, s, sizeof(s));
		arg(a, "destination");
		arg(a, "%s", s);
	}
	if (in->has_src) {
		cidr_full(&in->src, s, sizeof(s));
		arg(a, "source");
		arg(a, "%s", s);
	}
	if (in->proto) {
		arg(a, "protocol");
		if (in->proto == PROTO_TCP || in->proto == PROTO_UDP)
			arg(a, "%s", proto_name(in->proto));
		else
			arg(a, "==%u", in->proto);
	}
	gobgp_ports(a, "destination-port", &in->dport);
	gobgp_ports(a, "source-port", &in->sport);
	if (in->len_lo || in->len_hi) {
		arg(a, "packet-length");
		gobgp_range(a, in->len_lo, in->len_hi);
	}
	/* =SA: one bitmask with the match bit, all of them set */
	if (in->tcp_flags) {
		for (i = 0; i < 8; i++)
			if (in->tcp_flags & (1u << i))
				flags[n++] = tcp_gobgp[i];
		flags[n] = '\0';
		arg(a, "tcp-flags");
		arg(a, "=%s", flags);
	}
	/* one item each: any of them */
	if (in->fragment) {
		arg(a, "fragment");
		for (i = 0; i < 4; i++)
			if (in->fragment & (1u << i))
				arg(a, "%s", frag_names[i]);
	}
	if (!announce)
		return;
	arg(a, "then");
	switch (in->action) {
	case XG_BGP_DISCARD:
		arg(a, "discard");
		break;
	case XG_BGP_RATE_LIMIT:
		arg(a, "rate-limit");
		arg(a, "%" PRIu64, in->rate_bps);
		break;
	case XG_BGP_REDIRECT:
		arg(a, "redirect");
		/* gobgp 3 clips "4200000000:1" to 65535:1; the asdot form
		 * H.L:V gives the 4-byte-AS community (type 0x82) */
		if (in->rt_asn > 0xffff)
			arg(a, "%" PRIu32 ".%" PRIu32 ":%" PRIu32, in->rt_asn >> 16,
			    in->rt_asn & 0xffff, in->rt_val);
		else
			arg(a, "%" PRIu32 ":%" PRIu32, in->rt_asn, in->rt_val);
		break;
	}
}

int xg_bgp_render_gobgp(const struct xg_bgp_intent *in, bool announce, const char *next_hop,
			char *argv[XG_BGP_ARGV_MAX], char *store, size_t store_len)
{
	struct args a = {argv, 0, {store, store_len, 0, false}};
	char s[INET6_ADDRSTRLEN + 8], nh[INET6_ADDRSTRLEN];
	int i;

	if (!argv || !store || !store_len)
		return -ENOSPC;
	argv[0] = NULL;
	if (xg_bgp_intent_validate(in, NULL, 0))
		return -EINVAL;
	arg(&a, "global");
	arg(&a, "rib");
	arg(&a, "-a");
	if (in->kind == XG_BGP_FLOWSPEC) {
		gobgp_flowspec(&a, in, announce);
		return args_done(&a);
	}
	if (announce && next_hop_text(next_hop, in->dst.family, nh, sizeof(nh)))
		return -EINVAL;
	cidr_full(&in->dst, s, sizeof(s));
	arg(&a, "%s", family_name(in->dst.family));
	arg(&a, "%s", announce ? "add" : "del");
	arg(&a, "%s", s);
	if (!announce)
		return args_done(&a);
	arg(&a, "nexthop");
	arg(&a, "%s", nh);
	if (in->n_comm) {
		char c[16], list[XG_BGP_COMM_MAX * 12];
		struct text t = {list, sizeof(list), 0, false};

		for (i = 0; i < in->n_comm; i++) {
			comm_text(in->comm[i], c, sizeof(c));
			put(&t, "%s%s", i ? "," : "", c);
		}
		arg(&a, "community");
		arg(&a, "%s", list);
	}
	if (in->n_lcomm) {
		char list[XG_BGP_LCOMM_MAX * 34];
		struct text t = {list, sizeof(list), 0, false};

		for (i = 0; i < in->n_lcomm; i++)
			put(&t, "%s%" PRIu32 ":%" PRIu32 ":%" PRIu32, i ? "," : "",
			    in->lcomm[i].global, in->lcomm[i].local1, in->lcomm[i].local2);
		arg(&a, "large-community");
		arg(&a, "%s", list);
	}
	return args_done(&a);
}

/* ---- BIRD 2 --------------------------------------------------------------- */

/*
 * The include file and the operator's bird.conf
 *
 * bird.conf must declare the tables named in struct xg_bird_names before
 * including the file, e.g.
 *
 *	flow4 table flowtab4;
 *	flow6 table flowtab6;
 *	include "/etc/bird/xdpguard.conf";
 *
 * and export them (and the RTBH tables, master4/master6 by default) to the
 * BGP peers that should see the rules:
 *
 *	protocol bgp upstream {
 *		...
 *		flow4 { table flowtab4; import none; export all; };
 *		ipv4 { export where proto = "xdpguard_rtbh4"; next hop address 192.0.2.1; };
 *	};
 *
 * The file declares one static protocol per named table, always, even with
 * no rules, so the protocols stay put across reloads and a rule that leaves
 * the file is withdrawn by `birdc configure`:
 *
 *	protocol static PREFIX_flow4 { flow4 { table FLOW4_TABLE; }; route flow4 {...} {...}; }
 *	protocol static PREFIX_flow6 { flow6 { table FLOW6_TABLE; }; ... }
 *	protocol static PREFIX_rtbh4 { ipv4 { table RTBH4_TABLE; }; route P blackhole {...}; }
 *	protocol static PREFIX_rtbh6 { ipv6 { table RTBH6_TABLE; }; ... }
 *
 * A NULL table name leaves its protocol out; a rule that needs it is
 * -EINVAL. FlowSpec actions are RFC 8955/7674 extended communities in
 * bgp_ext_community: discard and rate-limit are traffic-rate (generic,
 * 0x80060000, IEEE float bytes/s), redirect is (generic, 0x8008AAAA, V) for a
 * 2-byte ASN and (generic, 0x8208AAAA, AAAAVVVV) for a 4-byte one. RTBH
 * routes are blackhole routes carrying bgp_community / bgp_large_community;
 * BIRD does not set their BGP next hop, so the BGP export does (as above) or
 * the peer uses next hop self. Rules with the same text are written once;
 * two rules with the same match but different actions (or communities) are
 * one route in BIRD, so they are -EEXIST for the caller to resolve.
 */

enum bird_proto { B_FLOW4, B_FLOW6, B_RTBH4, B_RTBH6, B_COUNT };

/* A BIRD symbol: letters, digits, underscores, not starting with a digit. */
static bool bird_symbol(const char *s)
{
	const char *c;

	if (!s || !*s || (*s >= '0' && *s <= '9') || strlen(s) > 48)
		return false;
	for (c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_'))
			return false;
	return true;
}

static enum bird_proto bird_proto_of(const struct xg_bgp_intent *in)
{
	bool v6 = intent_family(in) == AF_INET6;

	if (in->kind == XG_BGP_RTBH)
		return v6 ? B_RTBH6 : B_RTBH4;
	return v6 ? B_FLOW6 : B_FLOW4;
}

static bool same_cidr(const struct xg_cidr *a, const struct xg_cidr *b)
{
	return a->family == b->family && a->prefixlen == b->prefixlen &&
	       !memcmp(a->addr, b->addr, family_bits(a->family) / 8);
}

static bool same_ports(const struct xg_bgp_ports *a, const struct xg_bgp_ports *b)
{
	int i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->r[i].lo != b->r[i].lo || a->r[i].hi != b->r[i].hi)
			return false;
	return true;
}

/* Same route in BIRD: same NLRI, whatever the action or communities. */
static bool same_route(const struct xg_bgp_intent *a, const struct xg_bgp_intent *b)
{
	if (a->kind != b->kind || a->has_src != b->has_src || a->has_dst != b->has_dst)
		return false;
	if ((a->has_src && !same_cidr(&a->src, &b->src)) ||
	    (a->has_dst && !same_cidr(&a->dst, &b->dst)))
		return false;
	return a->proto == b->proto && same_ports(&a->dport, &b->dport) &&
	       same_ports(&a->sport, &b->sport) && a->len_lo == b->len_lo &&
	       a->len_hi == b->len_hi && a->tcp_flags == b->tcp_flags && a->fragment == b->fragment;
}

bool xg_bgp_intent_equal(const struct xg_bgp_intent *a, const struct xg_bgp_intent *b)
{
	int i;

	if (!same_route(a, b) || a->action != b->action || a->rate_bps != b->rate_bps ||
	    a->rt_asn != b->rt_asn || a->rt_val != b->rt_val || a->n_comm != b->n_comm ||
	    a->n_lcomm != b->n_lcomm)
		return false;
	for (i = 0; i < a->n_comm && i < XG_BGP_COMM_MAX; i++)
		if (a->comm[i] != b->comm[i])
			return false;
	for (i = 0; i < a->n_lcomm && i < XG_BGP_LCOMM_MAX; i++)
		if (a->lcomm[i].global != b->lcomm[i].global ||
		    a->lcomm[i].local1 != b->lcomm[i].local1 ||
		    a->lcomm[i].local2 != b->lcomm[i].local2)
			return false;
	return true;
}

static void bird_ports(struct text *t, const char *kw, const struct xg_bgp_ports *p)
{
	int i;

	if (!p->n)
		return;
	put(t, " %s ", kw);
	for (i = 0; i < p->n; i++) {
		if (p->r[i].lo == p->r[i].hi)
			put(t, "%s%u", i ? "," : "", p->r[i].lo);
		else
			put(t, "%s%u..%u", i ? "," : "", p->r[i].lo, p->r[i].hi);
	}
	put(t, ";");
}

static uint32_t float_bits(uint64_t rate)
{
	float f = (float)rate;
	uint32_t bits;

	memcpy(&bits, &f, sizeof(bits));
	return bits;
}

static void bird_flow(struct text *t, const struct xg_bgp_intent *in)
{
	bool v6 = intent_family(in) == AF_INET6;
	char a[INET6_ADDRSTRLEN + 8];
	const char *sep = "";
	int i;

	put(t, "\troute flow%c {", v6 ? '6' : '4');
	if (in->has_dst) {
		cidr_full(&in->dst, a, sizeof(a));
		put(t, " dst %s;", a);
	}
	if (in->has_src) {
		cidr_full(&in->src, a, sizeof(a));
		put(t, " src %s;", a);
	}
	if (in->proto)
		put(t, " %s %u;", v6 ? "next header" : "proto", in->proto);
	bird_ports(t, "dport", &in->dport);
	bird_ports(t, "sport", &in->sport);
	if (in->len_lo == in->len_hi && in->len_hi)
		put(t, " length %u;", in->len_lo);
	else if (in->len_hi)
		put(t, " length %u..%u;", in->len_lo, in->len_hi);
	/* value/mask: every listed flag set */
	if (in->tcp_flags)
		put(t, " tcp flags 0x%02x/0x%02x;", in->tcp_flags, in->tcp_flags);
	if (in->fragment) {
		put(t, " fragment ");
		for (i = 0; i < 4; i++) {
			if (!(in->fragment & (1u << i)))
				continue;
			put(t, "%s%s", sep, frag_bird[i]);
			sep = " || ";
		}
		put(t, ";");
	}
	put(t, " } {\n\t\tbgp_ext_community.add((generic, ");
	switch (in->action) {
	case XG_BGP_DISCARD:
		put(t, "0x80060000, 0x0");
		break;
	case XG_BGP_RATE_LIMIT:
		put(t, "0x80060000, 0x%08" PRIx32, float_bits(in->rate_bps));
		break;
	case XG_BGP_REDIRECT:
		if (in->rt_asn > 0xffff)
			put(t, "0x8208%04" PRIx32 ", 0x%04" PRIx32 "%04" PRIx32, in->rt_asn >> 16,
			    in->rt_asn & 0xffff, in->rt_val);
		else
			put(t, "0x8008%04" PRIx32 ", 0x%08" PRIx32, in->rt_asn, in->rt_val);
		break;
	}
	put(t, "));\n\t};\n");
}

static void bird_rtbh(struct text *t, const struct xg_bgp_intent *in)
{
	char a[INET6_ADDRSTRLEN + 8];
	int i;

	cidr_full(&in->dst, a, sizeof(a));
	if (!in->n_comm && !in->n_lcomm) {
		put(t, "\troute %s blackhole;\n", a);
		return;
	}
	put(t, "\troute %s blackhole {\n", a);
	for (i = 0; i < in->n_comm; i++)
		put(t, "\t\tbgp_community.add((%" PRIu32 ", %" PRIu32 "));\n", in->comm[i] >> 16,
		    in->comm[i] & 0xffff);
	for (i = 0; i < in->n_lcomm; i++)
		put(t, "\t\tbgp_large_community.add((%" PRIu32 ", %" PRIu32 ", %" PRIu32 "));\n",
		    in->lcomm[i].global, in->lcomm[i].local1, in->lcomm[i].local2);
	put(t, "\t};\n");
}

int xg_bgp_render_bird(const struct xg_bgp_intent *const *rules, size_t n,
		       const struct xg_bird_names *names, char *buf, size_t len)
{
	static const char *const suffix[B_COUNT] = {"flow4", "flow6", "rtbh4", "rtbh6"};
	static const char *const channel[B_COUNT] = {"flow4", "flow6", "ipv4", "ipv6"};
	struct text t = {buf, len, 0, false};
	const char *table[B_COUNT];
	size_t i, k;
	int p;

	if (!buf || !len)
		return -ENOSPC;
	buf[0] = '\0';
	if (!names || !bird_symbol(names->prefix) || (n && !rules))
		return -EINVAL;
	table[B_FLOW4] = names->flow4_table;
	table[B_FLOW6] = names->flow6_table;
	table[B_RTBH4] = names->rtbh4_table;
	table[B_RTBH6] = names->rtbh6_table;
	for (p = 0; p < B_COUNT; p++)
		if (table[p] && !bird_symbol(table[p]))
			return -EINVAL;
	for (i = 0; i < n; i++) {
		if (xg_bgp_intent_validate(rules[i], NULL, 0) || !table[bird_proto_of(rules[i])])
			return -EINVAL;
		for (k = 0; k < i; k++)
			if (same_route(rules[k], rules[i]) &&
			    !xg_bgp_intent_equal(rules[k], rules[i]))
				return -EEXIST;
	}
	put(&t, "# Written by xdpguard: every active BGP mitigation rule. Do not edit.\n");
	for (p = 0; p < B_COUNT; p++) {
		if (!table[p])
			continue;
		put(&t, "\nprotocol static %s_%s {\n\t%s { table %s; };\n", names->prefix,
		    suffix[p], channel[p], table[p]);
		for (i = 0; i < n; i++) {
			bool dup = false;

			if ((int)bird_proto_of(rules[i]) != p)
				continue;
			for (k = 0; k < i && !dup; k++)
				dup = same_route(rules[k], rules[i]);
			if (dup)
				continue;
			if (rules[i]->kind == XG_BGP_RTBH)
				bird_rtbh(&t, rules[i]);
			else
				bird_flow(&t, rules[i]);
		}
		put(&t, "}\n");
	}
	return text_done(&t);
}

/* ---- FRR ------------------------------------------------------------------ */

/*
 * An RTBH prefix is a BGP network statement whose route-map, named
 * xg-rtbh-PREFIX, sets the communities. The operator's config needs
 * "no bgp network import-check" (or a route to the prefix in the RIB) and,
 * for a next hop other than self (e.g. 192.0.2.1 for an iBGP trigger), an
 * outbound route-map on the neighbor matching the communities. vtysh stops
 * at the first failing command, so the withdraw drops the route-map first
 * (that never fails) and the network last, whose "% Can't find static route
 * specified" then means it was already withdrawn.
 */
int xg_bgp_render_frr(const struct xg_bgp_intent *in, bool announce, uint32_t asn,
		      char *argv[XG_BGP_ARGV_MAX], char *store, size_t store_len)
{
	struct args a = {argv, 0, {store, store_len, 0, false}};
	char pfx[INET6_ADDRSTRLEN + 8], list[XG_BGP_LCOMM_MAX * 34];
	struct text t;
	int i;

	if (!argv || !store || !store_len)
		return -ENOSPC;
	argv[0] = NULL;
	if (xg_bgp_intent_validate(in, NULL, 0) || !asn)
		return -EINVAL;
	if (in->kind != XG_BGP_RTBH)
		return -EOPNOTSUPP;
	cidr_full(&in->dst, pfx, sizeof(pfx));
	arg(&a, "-c");
	arg(&a, "configure terminal");
	if (!announce) {
		arg(&a, "-c");
		arg(&a, "no route-map " FRR_RMAP_PFX "%s", pfx);
	} else {
		arg(&a, "-c");
		arg(&a, "route-map " FRR_RMAP_PFX "%s permit 10", pfx);
		/* both set lines every time: a re-announce replaces the old
		 * communities instead of keeping a stale list */
		arg(&a, "-c");
		if (in->n_comm) {
			t = (struct text){list, sizeof(list), 0, false};
			for (i = 0; i < in->n_comm; i++)
				put(&t, "%s%" PRIu32 ":%" PRIu32, i ? " " : "", in->comm[i] >> 16,
				    in->comm[i] & 0xffff);
			arg(&a, "set community %s", list);
		} else {
			arg(&a, "no set community");
		}
		arg(&a, "-c");
		if (in->n_lcomm) {
			t = (struct text){list, sizeof(list), 0, false};
			for (i = 0; i < in->n_lcomm; i++)
				put(&t, "%s%" PRIu32 ":%" PRIu32 ":%" PRIu32, i ? " " : "",
				    in->lcomm[i].global, in->lcomm[i].local1, in->lcomm[i].local2);
			arg(&a, "set large-community %s", list);
		} else {
			arg(&a, "no set large-community");
		}
		arg(&a, "-c");
		arg(&a, "exit");
	}
	arg(&a, "-c");
	arg(&a, "router bgp %" PRIu32, asn);
	arg(&a, "-c");
	arg(&a, "address-family %s unicast", family_name(in->dst.family));
	arg(&a, "-c");
	if (announce)
		arg(&a, "network %s route-map " FRR_RMAP_PFX "%s", pfx, pfx);
	else
		arg(&a, "no network %s", pfx);
	return args_done(&a);
}
