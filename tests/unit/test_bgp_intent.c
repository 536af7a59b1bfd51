// SPDX-License-Identifier: GPL-2.0-only
/* BGP intents: the canonical text both ways, every validation rule with its
 * message, and each speaker's rendering as checked against ExaBGP 4.2, gobgp
 * 3.10, BIRD 2.0.12 and FRR 8.4 (the expected strings are what those
 * programs accepted). */
#include <CUnit/Basic.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <json-c/json.h>

#include "bgp_intent.h"
#include "suites.h"
#include "testutil.h"

static struct xg_bgp_intent parsed(const char *text)
{
	struct xg_bgp_intent in;
	char err[256] = "";

	if (xg_bgp_intent_parse(text, &in, err, sizeof(err))) {
		fprintf(stderr, "\n'%s': %s\n", text, err);
		CU_FAIL_FATAL("parse");
	}
	return in;
}

/* A flowspec intent to a host with udp, as the planner would build one. */
static struct xg_bgp_intent flow_to(const char *dst)
{
	struct xg_bgp_intent in;

	memset(&in, 0, sizeof(in));
	in.kind = XG_BGP_FLOWSPEC;
	in.has_dst = true;
	in.dst = xg_test_cidr(dst);
	in.proto = 17;
	return in;
}

static struct xg_bgp_intent rtbh(const char *prefix)
{
	struct xg_bgp_intent in;

	memset(&in, 0, sizeof(in));
	in.kind = XG_BGP_RTBH;
	in.has_dst = true;
	in.dst = xg_test_cidr(prefix);
	return in;
}

/* Asserts that validate fails with exactly this message. */
#define BAD(in, msg)                                                                               \
	do {                                                                                       \
		char e_[256] = "";                                                                 \
		CU_ASSERT_EQUAL(xg_bgp_intent_validate(&(in), e_, sizeof(e_)), -EINVAL);           \
		CU_ASSERT_STRING_EQUAL(e_, msg);                                                   \
	} while (0)

/* Asserts that parse fails with exactly this message. */
#define BAD_TEXT(text, msg)                                                                        \
	do {                                                                                       \
		struct xg_bgp_intent o_;                                                           \
		char e_[256] = "";                                                                 \
		CU_ASSERT_EQUAL(xg_bgp_intent_parse(text, &o_, e_, sizeof(e_)), -EINVAL);          \
		CU_ASSERT_STRING_EQUAL(e_, msg);                                                   \
	} while (0)

/* The argument vector as one line, words split by single spaces. */
static const char *joined(char *const *argv, int argc, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < argc; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? " " : "", argv[i]);
	return buf;
}

static const char *const canonical[] = {
    "flowspec dst 10.0.0.1 then discard",
    "flowspec src 10.1.0.0/16 then discard",
    "flowspec src 192.0.2.0/24 dst 10.0.0.1 proto udp dport 5060,6000-6010 sport 53 length "
    "100-200 then discard",
    "flowspec dst 10.0.0.2 proto tcp tcp-flags syn|ack fragment is-fragment|first-fragment then "
    "rate-limit 9600",
    "flowspec dst 10.0.0.3 proto 47 length 0-1000 then redirect 4200000000:100",
    "flowspec dst 10.0.0.0/24 proto icmp fragment dont-fragment then redirect 65000:4200000000",
    "flowspec src 2001:db8:1::/48 dst 2001:db8::1 proto udp dport 53 fragment is-fragment then "
    "discard",
    "flowspec dst 2001:db8::2 proto icmpv6 then redirect 65000:100",
    "flowspec dst 2001:db8::3 proto tcp sport 1024-65535 length 1000-1000 tcp-flags "
    "fin|syn|rst|psh|ack|urg|ece|cwr then rate-limit 1000000000000",
    "flowspec src 2001:db8::/32 proto udp sport 123 length 468-65535 then rate-limit 100000",
    "rtbh 10.0.0.1 community 65000:1,65535:666 large-community 65000:1:2,4200000000:3:4",
    "rtbh 2001:db8::1 community 65535:666",
    "rtbh 10.9.0.0/24",
    "rtbh 2001:db8::/32 large-community 1:2:3",
};

/* ---- Canonical text ------------------------------------------------------- */

static void test_round_trip_text(void)
{
	char buf[XG_BGP_TEXT_MAX], err[256];
	struct xg_bgp_intent in, again;
	size_t i;

	for (i = 0; i < sizeof(canonical) / sizeof(canonical[0]); i++) {
		in = parsed(canonical[i]);
		CU_ASSERT_EQUAL(xg_bgp_intent_format(&in, buf, sizeof(buf)),
				(int)strlen(canonical[i]));
		CU_ASSERT_STRING_EQUAL(buf, canonical[i]);
		CU_ASSERT_EQUAL(xg_bgp_intent_parse(buf, &again, err, sizeof(err)), 0);
		CU_ASSERT_TRUE(xg_bgp_intent_equal(&in, &again));
	}
}

static void test_round_trip_struct(void)
{
	struct xg_bgp_intent a = flow_to("2001:db8::/64"), b = rtbh("10.0.0.0/8"), out;
	char buf[XG_BGP_TEXT_MAX], err[256];

	a.has_src = true;
	a.src = xg_test_cidr("2001:db8:ffff::1");
	a.dport.n = 2;
	a.dport.r[0].lo = 53;
	a.dport.r[0].hi = 53;
	a.dport.r[1].lo = 1000;
	a.dport.r[1].hi = 2000;
	a.sport.n = 1;
	a.sport.r[0].lo = 0;
	a.sport.r[0].hi = 1023;
	a.len_lo = 0;
	a.len_hi = 512;
	a.fragment = XG_BGP_FRAG_IS | XG_BGP_FRAG_LAST;
	a.action = XG_BGP_RATE_LIMIT;
	a.rate_bps = 125000;
	CU_ASSERT_TRUE_FATAL(xg_bgp_intent_format(&a, buf, sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, "flowspec src 2001:db8:ffff::1 dst 2001:db8::/64 proto udp "
				    "dport 53,1000-2000 sport 0-1023 length 0-512 fragment "
				    "is-fragment|last-fragment then rate-limit 125000");
	CU_ASSERT_EQUAL(xg_bgp_intent_parse(buf, &out, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(xg_bgp_intent_equal(&a, &out));
	CU_ASSERT_EQUAL(out.dport.r[1].hi, 2000);
	CU_ASSERT_EQUAL(out.rate_bps, 125000);

	b.n_comm = 2;
	b.comm[0] = 65000u << 16 | 1;
	b.comm[1] = 65535u << 16 | 666;
	b.n_lcomm = 1;
	b.lcomm[0].global = 4200000000u;
	b.lcomm[0].local1 = 7;
	b.lcomm[0].local2 = 9;
	CU_ASSERT_TRUE_FATAL(xg_bgp_intent_format(&b, buf, sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, "rtbh 10.0.0.0/8 community 65000:1,65535:666 large-community "
				    "4200000000:7:9");
	CU_ASSERT_EQUAL(xg_bgp_intent_parse(buf, &out, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(xg_bgp_intent_equal(&b, &out));
	CU_ASSERT_EQUAL(out.kind, XG_BGP_RTBH);
	CU_ASSERT_EQUAL(out.dst.family, AF_INET);
	CU_ASSERT_FALSE(xg_bgp_intent_equal(&a, &b));
}

/* What parse tolerates comes back in the one canonical spelling. */
static void test_normalises(void)
{
	struct xg_bgp_intent in;
	char buf[XG_BGP_TEXT_MAX];

	in = parsed("flowspec dst 10.0.0.1/32 proto 17 dport 443,80-80,20-21 then discard");
	CU_ASSERT_EQUAL(in.proto, 17);
	CU_ASSERT_EQUAL(in.dport.n, 3);
	CU_ASSERT_EQUAL(in.dport.r[0].lo, 20);
	CU_ASSERT_EQUAL(in.dport.r[0].hi, 21);
	CU_ASSERT_EQUAL(in.dport.r[1].lo, 80);
	CU_ASSERT_EQUAL(in.dport.r[1].hi, 80);
	CU_ASSERT_EQUAL(in.dport.r[2].lo, 443);
	CU_ASSERT_TRUE(in.has_dst);
	CU_ASSERT_FALSE(in.has_src);
	CU_ASSERT_EQUAL(in.dst.prefixlen, 32);
	in = parsed("flowspec dst 2001:db8:0::1/128 proto 6 dport 443,80-80,20-21 tcp-flags "
		    "ack|syn then discard");
	xg_bgp_intent_format(&in, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "flowspec dst 2001:db8::1 proto tcp dport 20-21,80,443 "
				    "tcp-flags syn|ack then discard");
	in = parsed("rtbh 10.0.0.1/32 community 65535:666,0:0,65000:1");
	xg_bgp_intent_format(&in, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "rtbh 10.0.0.1 community 0:0,65000:1,65535:666");
	in = parsed("rtbh 10.0.0.1 large-community 2:0:0,1:5:5,1:4:9");
	xg_bgp_intent_format(&in, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "rtbh 10.0.0.1 large-community 1:4:9,1:5:5,2:0:0");
}

static void test_argv(void)
{
	char *words[] = {"flowspec", "dst", "10.0.0.1", "proto",      "udp",
			 "dport",    "53",  "then",	"rate-limit", "10000"};
	char *spaced[] = {"flowspec", "dst 10.0.0.1", "then", "discard"};
	char *empty[] = {"flowspec", "", "then", "discard"};
	struct xg_bgp_intent in, text;
	char err[256];

	CU_ASSERT_EQUAL(xg_bgp_intent_parse_argv(10, words, &in, err, sizeof(err)), 0);
	text = parsed("flowspec dst 10.0.0.1 proto udp dport 53 then rate-limit 10000");
	CU_ASSERT_TRUE(xg_bgp_intent_equal(&in, &text));
	CU_ASSERT_EQUAL(xg_bgp_intent_parse_argv(4, spaced, &in, err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "word 2: 'dst 10.0.0.1' holds a space or control byte");
	CU_ASSERT_EQUAL(xg_bgp_intent_parse_argv(4, empty, &in, err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "word 2: empty word");
	CU_ASSERT_EQUAL(xg_bgp_intent_parse_argv(0, words, &in, err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "word 1: empty rule: flowspec ... or rtbh CIDR");
	/* the error names the word as the CLI user counts them */
	words[6] = "70000";
	CU_ASSERT_EQUAL(xg_bgp_intent_parse_argv(10, words, &in, err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err,
			       "word 7 (dport): '70000' is not a port 0-65535 or a range lo-hi");
}

static void test_format_space(void)
{
	struct xg_bgp_intent in = parsed(canonical[2]), bad = flow_to("10.0.0.1");
	char buf[XG_BGP_TEXT_MAX];
	size_t need = strlen(canonical[2]), len;

	for (len = 1; len <= need; len++) {
		CU_ASSERT_EQUAL(xg_bgp_intent_format(&in, buf, len), -ENOSPC);
		CU_ASSERT_EQUAL(strlen(buf), strnlen(buf, len)); /* always terminated */
	}
	CU_ASSERT_EQUAL(xg_bgp_intent_format(&in, buf, need + 1), (int)need);
	CU_ASSERT_EQUAL(xg_bgp_intent_format(&in, buf, 0), -ENOSPC);
	bad.dport.n = 1;
	bad.dport.r[0].lo = 9;
	bad.dport.r[0].hi = 8;
	CU_ASSERT_EQUAL(xg_bgp_intent_format(&bad, buf, sizeof(buf)), -EINVAL);
}

/* ---- Validation of built intents ------------------------------------------ */

static void test_validate_ok(void)
{
	struct xg_bgp_intent in = flow_to("10.0.0.1"), r = rtbh("2001:db8::/48");

	CU_ASSERT_EQUAL(xg_bgp_intent_validate(&in, NULL, 0), 0);
	in.proto = 0;
	CU_ASSERT_EQUAL(xg_bgp_intent_validate(&in, NULL, 0), 0);
	in.action = XG_BGP_REDIRECT;
	in.rt_asn = 65000;
	in.rt_val = 4294967295u;
	CU_ASSERT_EQUAL(xg_bgp_intent_validate(&in, NULL, 0), 0);
	in.rt_asn = 4200000000u;
	in.rt_val = 65535;
	CU_ASSERT_EQUAL(xg_bgp_intent_validate(&in, NULL, 0), 0);
	CU_ASSERT_EQUAL(xg_bgp_intent_validate(&r, NULL, 0), 0);
}

static void test_validate_match(void)
{
	struct xg_bgp_intent in;

	in = flow_to("10.0.0.0/24");
	in.dst.addr[3] = 1;
	BAD(in, "dst: '10.0.0.1/24' has host bits set (did you mean 10.0.0.0/24?)");
	in = flow_to("10.0.0.1");
	in.has_src = true;
	in.src = xg_test_cidr("2001:db8::/32");
	BAD(in, "dst: dst is IPv4 but src is IPv6; a rule has one family");
	in = flow_to("10.0.0.1");
	in.has_dst = false;
	BAD(in, "kind: flowspec needs src or dst");
	in = flow_to("10.0.0.1");
	in.proto = 6;
	in.dport.n = 1;
	in.dport.r[0].lo = 6000;
	in.dport.r[0].hi = 5000;
	BAD(in, "dport: port range 6000-5000 has lo > hi");
	in.dport.n = 5;
	BAD(in, "dport: 5 port ranges, at most 4");
	in.dport.n = 2;
	in.dport.r[0].lo = in.dport.r[0].hi = 443;
	in.dport.r[1].lo = in.dport.r[1].hi = 80;
	BAD(in, "dport: ports out of order (80 after 443)");
	in.dport.r[1].lo = 400;
	in.dport.r[1].hi = 500;
	in.dport.r[0].hi = 450;
	BAD(in, "dport: ports out of order (400-500 after 443-450)");
	in.dport.r[1].lo = 445;
	BAD(in, "dport: ports 443-450 and 445-500 overlap");
	in.dport.n = 0;
	in.sport.n = 1;
	in.proto = 1;
	BAD(in, "sport: ports need proto udp or tcp");
	in = flow_to("10.0.0.1");
	in.tcp_flags = XG_BGP_TCP_SYN;
	BAD(in, "tcp-flags: tcp-flags need proto tcp");
	in = flow_to("10.0.0.1");
	in.len_lo = 300;
	in.len_hi = 200;
	BAD(in, "length: length range 300-200 has lo > hi");
	in = flow_to("2001:db8::1");
	in.fragment = XG_BGP_FRAG_DF;
	BAD(in, "fragment: dont-fragment does not exist in IPv6 (RFC 8956)");
	in.fragment = 0x10;
	BAD(in, "fragment: unknown fragment bits 0x10");
	in = flow_to("2001:db8::1");
	in.proto = 1;
	BAD(in, "proto: icmp with IPv6 addresses; use icmpv6");
	in = flow_to("10.0.0.1");
	in.proto = 58;
	BAD(in, "proto: icmpv6 with IPv4 addresses; use icmp");
	in = flow_to("10.0.0.1");
	in.dst.prefixlen = 33;
	BAD(in, "dst: prefix length 33 is longer than 32");
	in.dst.family = 7;
	BAD(in, "dst: address family 7 is neither IPv4 nor IPv6");
	in = flow_to("10.0.0.1");
	in.n_comm = 1;
	BAD(in, "community: communities are for rtbh only");
	in = flow_to("10.0.0.1");
	in.kind = 9;
	BAD(in, "kind: unknown kind 9");
}

static void test_validate_action(void)
{
	struct xg_bgp_intent in = flow_to("10.0.0.1");

	in.action = XG_BGP_RATE_LIMIT;
	BAD(in, "then: rate-limit 0 would drop everything; use discard");
	in.rate_bps = 1000000000001ull;
	BAD(in, "then: rate-limit 1000000000001 exceeds 1000000000000 bytes/s");
	in.rate_bps = 1000000000000ull;
	CU_ASSERT_EQUAL(xg_bgp_intent_validate(&in, NULL, 0), 0);
	in.rt_asn = 1;
	BAD(in, "then: rate-limit takes no route target");
	in.action = XG_BGP_DISCARD;
	BAD(in, "then: discard takes no rate or route target");
	in.action = XG_BGP_REDIRECT;
	BAD(in, "then: redirect takes no rate");
	in.rate_bps = 0;
	in.rt_asn = 0;
	BAD(in, "then: redirect to ASN 0, which is reserved");
	in.rt_asn = 65536;
	in.rt_val = 65536;
	BAD(in, "then: redirect 65536:65536: a 4-byte ASN leaves 16 bits for the value (at most "
		"65535)");
	in.action = 7;
	BAD(in, "then: unknown action 7");
}

static void test_validate_rtbh(void)
{
	struct xg_bgp_intent in = rtbh("10.0.0.1");

	in.has_src = true;
	in.src = xg_test_cidr("10.0.0.2");
	BAD(in, "src: rtbh takes no src; only flowspec matches sources");
	in = rtbh("10.0.0.1");
	in.proto = 17;
	BAD(in, "kind: rtbh takes no packet match (proto, ports, length, flags)");
	in = rtbh("10.0.0.1");
	in.action = XG_BGP_RATE_LIMIT;
	in.rate_bps = 5;
	BAD(in, "then: rtbh takes no action; it always discards");
	in = rtbh("10.0.0.1");
	in.has_dst = false;
	BAD(in, "prefix: rtbh needs a prefix (dst)");
	in = rtbh("10.0.0.1");
	in.n_comm = 9;
	BAD(in, "community: 9 communities, at most 8");
	in.n_comm = 2;
	in.comm[0] = in.comm[1] = 65535u << 16 | 666;
	BAD(in, "community: 65535:666 given twice");
	in.comm[1] = 1;
	BAD(in, "community: out of order (0:1 after 65535:666)");
	in.n_comm = 0;
	in.n_lcomm = 5;
	BAD(in, "large-community: 5 large communities, at most 4");
	in.n_lcomm = 2;
	in.lcomm[0].global = 2;
	in.lcomm[1].global = 1;
	BAD(in, "large-community: out of order (1:0:0 after 2:0:0)");
	in.lcomm[1].global = 2;
	BAD(in, "large-community: 2:0:0 given twice");
}

/* ---- Parse errors --------------------------------------------------------- */

static void test_parse_grammar(void)
{
	BAD_TEXT("", "word 1: empty rule: flowspec ... or rtbh CIDR");
	BAD_TEXT("flowspec dst 10.0.0.1 proto udp dport 6000-5000 then discard",
		 "word 7 (dport): port range 6000-5000 has lo > hi");
	BAD_TEXT("flowspec dst 10.0.0.1 then discard now",
		 "word 6: trailing 'now' after the action");
	BAD_TEXT("flowspec dst 10.0.0.1 then rate-limit 5 6",
		 "word 7: trailing '6' after the action");
	BAD_TEXT("flowspec dst 10.0.0.1 foo 1 then discard",
		 "word 4: unknown word 'foo' (expected proto, dport, sport, length, tcp-flags, "
		 "fragment or then)");
	BAD_TEXT("flowspec dst 10.0.0.1 dst 10.0.0.2 then discard", "word 4: dst given twice");
	BAD_TEXT("flowspec dst 10.0.0.1 src 10.0.0.2 then discard",
		 "word 4: src out of order: it goes before dst");
	BAD_TEXT("flowspec dst 10.0.0.1 proto udp dport 80 sport 53 dport 81 then discard",
		 "word 10: dport given twice");
	BAD_TEXT("flowspec dst 10.0.0.1", "word 4: missing the action: then discard, then "
					  "rate-limit BYTES_PER_S or then redirect ASN:NN");
	BAD_TEXT("flowspec dst", "word 2: dst needs a value after it");
	BAD_TEXT("flowspec dst 10.0.0.1 then", "word 4: then needs a value after it");
	BAD_TEXT("flowspec dst 10.0.0.1 then rate-limit", "word 5 (then): rate-limit needs "
							  "BYTES_PER_S");
	BAD_TEXT("flowspec dst 10.0.0.1 then drop",
		 "word 5 (then): 'drop' is not discard, rate-limit or redirect");
	BAD_TEXT(" flowspec dst 10.0.0.1 then discard", "word 1: leading space");
	BAD_TEXT("flowspec dst 10.0.0.1 then discard ", "word 5: trailing space after it");
	BAD_TEXT("flowspec dst  10.0.0.1 then discard", "word 3: two spaces before it");
	BAD_TEXT("flowspec dst\t10.0.0.1 then discard", "word 2: control character 0x09");
	BAD_TEXT("Flowspec dst 10.0.0.1 then discard",
		 "word 1: upper case 'F'; the rule is lower case");
	BAD_TEXT("flowspecs dst 10.0.0.1 then discard", "word 1: 'flowspecs' is not flowspec or "
							"rtbh");
	BAD_TEXT("rtbh", "word 2: rtbh needs a prefix (rtbh CIDR)");
	BAD_TEXT("rtbh 10.0.0.1 community 1:1 community 1:2", "word 5: community given twice");
	BAD_TEXT("rtbh 10.0.0.1 large-community 1:1:1 community 1:2",
		 "word 5: community out of order: it goes before large-community");
	BAD_TEXT("rtbh 10.0.0.1 then discard",
		 "word 3: unknown word 'then' (expected community or large-community)");
	BAD_TEXT("flowspec then discard", "word 1 (kind): flowspec needs src or dst");
}

static void test_parse_values(void)
{
	BAD_TEXT("flowspec dst 10.0.0.1/24 then discard",
		 "word 3 (dst): '10.0.0.1/24' has host bits set (did you mean 10.0.0.0/24?)");
	BAD_TEXT("flowspec src 10.0.0.0/8 dst 2001:db8::1 then discard",
		 "word 5 (dst): dst is IPv6 but src is IPv4; a rule has one family");
	BAD_TEXT("flowspec dst 10.0.0.1 dport 80 then discard",
		 "word 5 (dport): ports need proto udp or tcp");
	BAD_TEXT("flowspec dst 10.0.0.1 proto udp tcp-flags syn then discard",
		 "word 7 (tcp-flags): tcp-flags need proto tcp");
	BAD_TEXT("flowspec dst 10.0.0.1 proto tcp tcp-flags syn|bogus then discard",
		 "word 7 (tcp-flags): 'bogus' is not fin, syn, rst, psh, ack, urg, ece or cwr");
	BAD_TEXT("flowspec dst 10.0.0.1 proto tcp tcp-flags syn|syn then discard",
		 "word 7 (tcp-flags): syn given twice");
	BAD_TEXT("flowspec dst 10.0.0.1 fragment is-fragment|| then discard",
		 "word 5 (fragment): empty flag in 'is-fragment||'");
	BAD_TEXT("flowspec dst 10.0.0.1 then rate-limit 0",
		 "word 6 (then): rate-limit 0 would drop everything; use discard");
	BAD_TEXT("flowspec dst 10.0.0.1 then rate-limit 1e6",
		 "word 6 (then): '1e6' is not a number of bytes per second");
	BAD_TEXT("flowspec dst 10.0.0.1 then redirect 4200000000:70000",
		 "word 6 (then): redirect 4200000000:70000: a 4-byte ASN leaves 16 bits for the "
		 "value (at most 65535)");
	BAD_TEXT("flowspec dst 10.0.0.1 then redirect 65000", "word 6 (then): '65000' is not a "
							      "route target ASN:NN");
	BAD_TEXT("flowspec dst 10.0.0.1 proto udp dport 1,2,3,4,5 then discard",
		 "word 7 (dport): more than 4 ports or ranges in '1,2,3,4,5'");
	BAD_TEXT("flowspec dst 10.0.0.1 proto udp dport 1,,3 then discard",
		 "word 7 (dport): empty port in '1,,3'");
	BAD_TEXT("flowspec dst 10.0.0.1 proto udp dport 053 then discard",
		 "word 7 (dport): '053' is not a port 0-65535 or a range lo-hi");
	BAD_TEXT("flowspec dst 10.0.0.1 proto udp sport 10-20,15 then discard",
		 "word 7 (sport): ports 10-20 and 15 overlap");
	BAD_TEXT("flowspec dst 10.0.0.1 proto 0 then discard",
		 "word 5 (proto): proto 0 means any; leave proto out");
	BAD_TEXT("flowspec dst 10.0.0.1 proto 256 then discard",
		 "word 5 (proto): '256' is not udp, tcp, icmp, icmpv6 or a number 1-255");
	BAD_TEXT("flowspec dst 10.0.0.1 length 0-0 then discard",
		 "word 5 (length): length 0-0 means any; leave length out");
	BAD_TEXT("flowspec dst 10.0.0.1 length 200-100 then discard",
		 "word 5 (length): length range 200-100 has lo > hi");
	BAD_TEXT("flowspec dst 10.0.0.1 length 100 then discard",
		 "word 5 (length): '100' is not a range lo-hi of 0-65535");
	BAD_TEXT("flowspec dst 2001:db8::1 fragment dont-fragment then discard",
		 "word 5 (fragment): dont-fragment does not exist in IPv6 (RFC 8956)");
	BAD_TEXT("rtbh 10.0.0.1 community 1:1,2:2,3:3,4:4,5:5,6:6,7:7,8:8,9:9",
		 "word 4 (community): more than 8 communities in "
		 "'1:1,2:2,3:3,4:4,5:5,6:6,7:7,8:8,9:9'");
	BAD_TEXT("rtbh 10.0.0.1 community 65536:1",
		 "word 4 (community): '65536:1' is not a community A:B of 0-65535");
	BAD_TEXT("rtbh 10.0.0.1 community 1:1,1:1", "word 4 (community): 1:1 given twice");
	BAD_TEXT("rtbh 10.0.0.1 large-community 1:2",
		 "word 4 (large-community): '1:2' is not a large community G:L1:L2 of 32-bit "
		 "numbers");
	BAD_TEXT("rtbh 10.0.0.1 large-community 1:1:1,2:2:2,3:3:3,4:4:4,5:5:5",
		 "word 4 (large-community): more than 4 large communities in "
		 "'1:1:1,2:2:2,3:3:3,4:4:4,5:5:5'");
	BAD_TEXT("rtbh nonsense", "word 2 (prefix): 'nonsense' is not an IPv4 or IPv6 address or "
				  "CIDR");
}

static void test_error_buffers(void)
{
	struct xg_bgp_intent in;
	char tiny[8];

	/* no buffer, or a short one: still an error, never an overrun */
	CU_ASSERT_EQUAL(xg_bgp_intent_parse("flowspec then discard", &in, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(xg_bgp_intent_parse("flowspec then discard", &in, tiny, sizeof(tiny)),
			-EINVAL);
	CU_ASSERT_STRING_EQUAL(tiny, "word 1 ");
	CU_ASSERT_EQUAL(xg_bgp_intent_parse(NULL, &in, tiny, sizeof(tiny)), -EINVAL);
	CU_ASSERT_EQUAL(xg_bgp_intent_validate(NULL, tiny, sizeof(tiny)), -EINVAL);
}

/* ---- ExaBGP --------------------------------------------------------------- */

static void test_exabgp_v4(void)
{
	struct xg_bgp_intent in = parsed(canonical[2]);
	char buf[1024];

	CU_ASSERT_TRUE(xg_bgp_render_exabgp(&in, true, NULL, buf, sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, "announce flow route { match { source 192.0.2.0/24; "
				    "destination 10.0.0.1/32; protocol udp; destination-port [ "
				    "=5060 >=6000&<=6010 ]; source-port =53; packet-length "
				    ">=100&<=200; } then { discard; } }");
	CU_ASSERT_TRUE(xg_bgp_render_exabgp(&in, false, NULL, buf, sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, "withdraw flow route { match { source 192.0.2.0/24; "
				    "destination 10.0.0.1/32; protocol udp; destination-port [ "
				    "=5060 >=6000&<=6010 ]; source-port =53; packet-length "
				    ">=100&<=200; } }");
	in = parsed(canonical[3]);
	xg_bgp_render_exabgp(&in, true, NULL, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "announce flow route { match { destination 10.0.0.2/32; "
				    "protocol tcp; tcp-flags [ =syn&=ack ]; fragment [ is-fragment "
				    "first-fragment ]; } then { rate-limit 9600; } }");
	in = parsed(canonical[4]);
	xg_bgp_render_exabgp(&in, true, NULL, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "announce flow route { match { destination 10.0.0.3/32; "
				    "protocol =47; packet-length <=1000; } then { redirect "
				    "4200000000:100; } }");
	in = parsed("rtbh 10.0.0.1 community 65000:1,65535:666 large-community "
		    "65000:1:2,4200000000:3:4");
	CU_ASSERT_EQUAL(xg_bgp_render_exabgp(&in, true, "192.0.2.1", buf, sizeof(buf)),
			(int)strlen("announce route 10.0.0.1/32 next-hop 192.0.2.1 community "
				    "[65000:1 65535:666] large-community [65000:1:2 "
				    "4200000000:3:4]"));
	CU_ASSERT_STRING_EQUAL(buf, "announce route 10.0.0.1/32 next-hop 192.0.2.1 community "
				    "[65000:1 65535:666] large-community [65000:1:2 "
				    "4200000000:3:4]");
	xg_bgp_render_exabgp(&in, false, NULL, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "withdraw route 10.0.0.1/32");
	xg_bgp_render_exabgp(&in, false, "192.0.2.1", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "withdraw route 10.0.0.1/32 next-hop 192.0.2.1");
	in = parsed("rtbh 10.9.0.0/24");
	xg_bgp_render_exabgp(&in, true, "192.0.2.1", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "announce route 10.9.0.0/24 next-hop 192.0.2.1");
}

static void test_exabgp_v6(void)
{
	struct xg_bgp_intent in = parsed(canonical[6]);
	char buf[1024];

	xg_bgp_render_exabgp(&in, true, NULL, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "announce flow route { match { source 2001:db8:1::/48/0; "
				    "destination 2001:db8::1/128/0; next-header udp; "
				    "destination-port =53; fragment is-fragment; } then { "
				    "discard; } }");
	xg_bgp_render_exabgp(&in, false, NULL, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "withdraw flow route { match { source 2001:db8:1::/48/0; "
				    "destination 2001:db8::1/128/0; next-header udp; "
				    "destination-port =53; fragment is-fragment; } }");
	in = parsed(canonical[8]);
	xg_bgp_render_exabgp(&in, true, NULL, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "announce flow route { match { destination "
				    "2001:db8::3/128/0; next-header tcp; source-port "
				    ">=1024&<=65535; packet-length =1000; tcp-flags [ "
				    "=fin&=syn&=rst&=push&=ack&=urg&=ece&=cwr ]; } then { "
				    "rate-limit 1000000000000; } }");
	in = parsed(canonical[7]);
	xg_bgp_render_exabgp(&in, true, NULL, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "announce flow route { match { destination "
				    "2001:db8::2/128/0; next-header =58; } then { redirect "
				    "65000:100; } }");
	in = parsed("rtbh 2001:db8::1 community 65535:666");
	xg_bgp_render_exabgp(&in, true, "100::1", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(
	    buf, "announce route 2001:db8::1/128 next-hop 100::1 community [65535:666]");
	xg_bgp_render_exabgp(&in, false, "", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "withdraw route 2001:db8::1/128");
	/* the next hop is re-spelled from its bytes, never copied */
	xg_bgp_render_exabgp(&in, false, "0100:0:0::01", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "withdraw route 2001:db8::1/128 next-hop 100::1");
}

static void test_exabgp_errors(void)
{
	struct xg_bgp_intent in = parsed("rtbh 10.0.0.1 community 65535:666"), bad = in;
	char buf[1024];
	size_t need, len;

	CU_ASSERT_EQUAL(xg_bgp_render_exabgp(&in, true, NULL, buf, sizeof(buf)), -EINVAL);
	CU_ASSERT_EQUAL(xg_bgp_render_exabgp(&in, true, "", buf, sizeof(buf)), -EINVAL);
	CU_ASSERT_EQUAL(xg_bgp_render_exabgp(&in, true, "100::1", buf, sizeof(buf)), -EINVAL);
	CU_ASSERT_EQUAL(xg_bgp_render_exabgp(&in, true, "192.0.2.1; shutdown", buf, sizeof(buf)),
			-EINVAL);
	bad.n_comm = 9;
	CU_ASSERT_EQUAL(xg_bgp_render_exabgp(&bad, true, "192.0.2.1", buf, sizeof(buf)), -EINVAL);
	in = parsed(canonical[8]);
	need = (size_t)xg_bgp_render_exabgp(&in, true, NULL, buf, sizeof(buf));
	for (len = 0; len <= need; len++)
		CU_ASSERT_EQUAL(xg_bgp_render_exabgp(&in, true, NULL, buf, len), -ENOSPC);
	CU_ASSERT_EQUAL(xg_bgp_render_exabgp(&in, true, NULL, buf, need + 1), (int)need);
}

/* ---- gobgp ---------------------------------------------------------------- */

static void test_gobgp_flowspec(void)
{
	char *argv[XG_BGP_ARGV_MAX], store[2048], line[2048];
	struct xg_bgp_intent in = parsed(canonical[2]);
	int n;

	n = xg_bgp_render_gobgp(&in, true, NULL, argv, store, sizeof(store));
	CU_ASSERT_EQUAL(n, 21);
	CU_ASSERT_PTR_NULL(argv[n]);
	CU_ASSERT_STRING_EQUAL(joined(argv, n, line, sizeof(line)),
			       "global rib -a ipv4-flowspec add match destination 10.0.0.1/32 "
			       "source 192.0.2.0/24 protocol udp destination-port ==5060 "
			       ">=6000&<=6010 source-port ==53 packet-length >=100&<=200 then "
			       "discard");
	CU_ASSERT_STRING_EQUAL(argv[14], ">=6000&<=6010"); /* one word per item */
	n = xg_bgp_render_gobgp(&in, false, NULL, argv, store, sizeof(store));
	CU_ASSERT_STRING_EQUAL(joined(argv, n, line, sizeof(line)),
			       "global rib -a ipv4-flowspec del match destination 10.0.0.1/32 "
			       "source 192.0.2.0/24 protocol udp destination-port ==5060 "
			       ">=6000&<=6010 source-port ==53 packet-length >=100&<=200");
	in = parsed(canonical[3]);
	n = xg_bgp_render_gobgp(&in, true, NULL, argv, store, sizeof(store));
	CU_ASSERT_STRING_EQUAL(joined(argv, n, line, sizeof(line)),
			       "global rib -a ipv4-flowspec add match destination 10.0.0.2/32 "
			       "protocol tcp tcp-flags =SA fragment is-fragment first-fragment "
			       "then rate-limit 9600");
	in = parsed(canonical[4]);
	n = xg_bgp_render_gobgp(&in, true, NULL, argv, store, sizeof(store));
	CU_ASSERT_STRING_EQUAL(joined(argv, n, line, sizeof(line)),
			       "global rib -a ipv4-flowspec add match destination 10.0.0.3/32 "
			       "protocol ==47 packet-length <=1000 then redirect "
			       "64086.59904:100");
	in = parsed(canonical[8]);
	n = xg_bgp_render_gobgp(&in, true, NULL, argv, store, sizeof(store));
	CU_ASSERT_STRING_EQUAL(joined(argv, n, line, sizeof(line)),
			       "global rib -a ipv6-flowspec add match destination 2001:db8::3/128 "
			       "protocol tcp source-port >=1024&<=65535 packet-length ==1000 "
			       "tcp-flags =FSRPAUEC then rate-limit 1000000000000");
	in = parsed(canonical[6]);
	n = xg_bgp_render_gobgp(&in, false, NULL, argv, store, sizeof(store));
	CU_ASSERT_STRING_EQUAL(joined(argv, n, line, sizeof(line)),
			       "global rib -a ipv6-flowspec del match destination 2001:db8::1/128 "
			       "source 2001:db8:1::/48 protocol udp destination-port ==53 "
			       "fragment is-fragment");
}

static void test_gobgp_rtbh(void)
{
	char *argv[XG_BGP_ARGV_MAX], store[2048], line[2048];
	struct xg_bgp_intent in = parsed(canonical[10]);
	int n;

	n = xg_bgp_render_gobgp(&in, true, "192.0.2.1", argv, store, sizeof(store));
	CU_ASSERT_EQUAL(n, 12);
	CU_ASSERT_STRING_EQUAL(joined(argv, n, line, sizeof(line)),
			       "global rib -a ipv4 add 10.0.0.1/32 nexthop 192.0.2.1 community "
			       "65000:1,65535:666 large-community 65000:1:2,4200000000:3:4");
	n = xg_bgp_render_gobgp(&in, false, NULL, argv, store, sizeof(store));
	CU_ASSERT_STRING_EQUAL(joined(argv, n, line, sizeof(line)),
			       "global rib -a ipv4 del 10.0.0.1/32");
	in = parsed(canonical[11]);
	n = xg_bgp_render_gobgp(&in, true, "100::1", argv, store, sizeof(store));
	CU_ASSERT_STRING_EQUAL(joined(argv, n, line, sizeof(line)),
			       "global rib -a ipv6 add 2001:db8::1/128 nexthop 100::1 community "
			       "65535:666");
	n = xg_bgp_render_gobgp(&in, false, "100::1", argv, store, sizeof(store));
	CU_ASSERT_STRING_EQUAL(joined(argv, n, line, sizeof(line)),
			       "global rib -a ipv6 del 2001:db8::1/128");
	CU_ASSERT_EQUAL(xg_bgp_render_gobgp(&in, true, "192.0.2.1", argv, store, sizeof(store)),
			-EINVAL);
	CU_ASSERT_EQUAL(xg_bgp_render_gobgp(&in, true, NULL, argv, store, sizeof(store)), -EINVAL);
}

static void test_gobgp_space(void)
{
	char *argv[XG_BGP_ARGV_MAX], store[2048];
	struct xg_bgp_intent in = parsed(canonical[2]);
	size_t need = 0, len;
	int i, n;

	n = xg_bgp_render_gobgp(&in, true, NULL, argv, store, sizeof(store));
	for (i = 0; i < n; i++)
		need += strlen(argv[i]) + 1;
	for (len = 0; len < need; len++)
		CU_ASSERT_EQUAL(xg_bgp_render_gobgp(&in, true, NULL, argv, store, len), -ENOSPC);
	CU_ASSERT_EQUAL(xg_bgp_render_gobgp(&in, true, NULL, argv, store, need), n);
	CU_ASSERT_EQUAL(xg_bgp_render_gobgp(&in, true, NULL, argv, NULL, 100), -ENOSPC);
}

/* ---- BIRD ----------------------------------------------------------------- */

static const struct xg_bird_names bird_names = {"xg", "flowtab4", "flowtab6", "master4", "master6"};

static void test_bird_file(void)
{
	struct xg_bgp_intent r[5] = {parsed(canonical[2]), parsed(canonical[4]),
				     parsed(canonical[8]), parsed(canonical[10]),
				     parsed(canonical[12])};
	const struct xg_bgp_intent *rules[5] = {&r[0], &r[1], &r[2], &r[3], &r[4]};
	char buf[4096];
	int n;

	n = xg_bgp_render_bird(rules, 5, &bird_names, buf, sizeof(buf));
	CU_ASSERT_EQUAL(n, (int)strlen(buf));
	CU_ASSERT_STRING_EQUAL(
	    buf,
	    "# Written by xdpguard: every active BGP mitigation rule. Do not edit.\n"
	    "\n"
	    "protocol static xg_flow4 {\n"
	    "\tflow4 { table flowtab4; };\n"
	    "\troute flow4 { dst 10.0.0.1/32; src 192.0.2.0/24; proto 17; dport "
	    "5060,6000..6010; sport 53; length 100..200; } {\n"
	    "\t\tbgp_ext_community.add((generic, 0x80060000, 0x0));\n"
	    "\t};\n"
	    "\troute flow4 { dst 10.0.0.3/32; proto 47; length 0..1000; } {\n"
	    "\t\tbgp_ext_community.add((generic, 0x8208fa56, 0xea000064));\n"
	    "\t};\n"
	    "}\n"
	    "\n"
	    "protocol static xg_flow6 {\n"
	    "\tflow6 { table flowtab6; };\n"
	    "\troute flow6 { dst 2001:db8::3/128; next header 6; sport 1024..65535; length 1000; "
	    "tcp flags 0xff/0xff; } {\n"
	    "\t\tbgp_ext_community.add((generic, 0x80060000, 0x5368d4a5));\n"
	    "\t};\n"
	    "}\n"
	    "\n"
	    "protocol static xg_rtbh4 {\n"
	    "\tipv4 { table master4; };\n"
	    "\troute 10.0.0.1/32 blackhole {\n"
	    "\t\tbgp_community.add((65000, 1));\n"
	    "\t\tbgp_community.add((65535, 666));\n"
	    "\t\tbgp_large_community.add((65000, 1, 2));\n"
	    "\t\tbgp_large_community.add((4200000000, 3, 4));\n"
	    "\t};\n"
	    "\troute 10.9.0.0/24 blackhole;\n"
	    "}\n"
	    "\n"
	    "protocol static xg_rtbh6 {\n"
	    "\tipv6 { table master6; };\n"
	    "}\n");
}

static void test_bird_actions(void)
{
	struct xg_bgp_intent r[4] = {parsed(canonical[3]), parsed(canonical[5]),
				     parsed(canonical[6]), parsed(canonical[7])};
	const struct xg_bgp_intent *rules[4] = {&r[0], &r[1], &r[2], &r[3]};
	struct xg_bird_names flow_only = {"xdpguard", "ft4", "ft6", NULL, NULL};
	char buf[4096];

	CU_ASSERT_TRUE_FATAL(xg_bgp_render_bird(rules, 4, &flow_only, buf, sizeof(buf)) > 0);
	/* rate-limit 9600 is the IEEE float 0x46160000 */
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\troute flow4 { dst 10.0.0.2/32; proto 6; tcp flags "
					   "0x12/0x12; fragment is_fragment || first_fragment; } "
					   "{\n\t\tbgp_ext_community.add((generic, 0x80060000, "
					   "0x46160000));\n"));
	/* 2-byte ASN redirect with a 32-bit value */
	CU_ASSERT_PTR_NOT_NULL(strstr(buf,
				      "\troute flow4 { dst 10.0.0.0/24; proto 1; fragment "
				      "dont_fragment; } {\n\t\tbgp_ext_community.add((generic, "
				      "0x8008fde8, 0xfa56ea00));\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\troute flow6 { dst 2001:db8::1/128; src "
					   "2001:db8:1::/48; next header 17; dport 53; fragment "
					   "is_fragment; } {\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "(generic, 0x8008fde8, 0x00000064)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "protocol static xdpguard_flow6 {\n\tflow6 { table "
					   "ft6; };\n"));
	CU_ASSERT_PTR_NULL(strstr(buf, "rtbh"));
}

static void test_bird_errors(void)
{
	struct xg_bgp_intent a = parsed("flowspec dst 10.0.0.1 then discard"),
			     b = parsed("flowspec dst 10.0.0.1 then rate-limit 10000"),
			     c = parsed("rtbh 10.0.0.1"), bad = a;
	const struct xg_bgp_intent *same[2] = {&a, &a}, *conflict[2] = {&a, &b}, *one[1] = {&c},
				   *invalid[1] = {&bad};
	struct xg_bird_names names = bird_names;
	char buf[4096], once[4096];
	int n;

	/* the same rule twice is written once */
	n = xg_bgp_render_bird(same, 2, &names, buf, sizeof(buf));
	CU_ASSERT_EQUAL(xg_bgp_render_bird(same, 1, &names, once, sizeof(once)), n);
	CU_ASSERT_STRING_EQUAL(buf, once);
	CU_ASSERT_EQUAL(xg_bgp_render_bird(conflict, 2, &names, buf, sizeof(buf)), -EEXIST);
	bad.dst.prefixlen = 24;
	CU_ASSERT_EQUAL(xg_bgp_render_bird(invalid, 1, &names, buf, sizeof(buf)), -EINVAL);
	names.rtbh4_table = NULL;
	CU_ASSERT_EQUAL(xg_bgp_render_bird(one, 1, &names, buf, sizeof(buf)), -EINVAL);
	names = bird_names;
	names.prefix = "xg; protocol";
	CU_ASSERT_EQUAL(xg_bgp_render_bird(one, 1, &names, buf, sizeof(buf)), -EINVAL);
	names = bird_names;
	names.flow4_table = "4tab";
	CU_ASSERT_EQUAL(xg_bgp_render_bird(one, 1, &names, buf, sizeof(buf)), -EINVAL);
	CU_ASSERT_EQUAL(xg_bgp_render_bird(one, 1, NULL, buf, sizeof(buf)), -EINVAL);
	/* no rules: the protocols stay, empty, so a reload withdraws */
	n = xg_bgp_render_bird(NULL, 0, &bird_names, buf, sizeof(buf));
	CU_ASSERT_TRUE(n > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "protocol static xg_rtbh6 {\n\tipv6 { table master6; "
					   "};\n}\n"));
	CU_ASSERT_PTR_NULL(strstr(buf, "route"));
	for (size_t len = 0; len <= (size_t)n; len++)
		CU_ASSERT_EQUAL(xg_bgp_render_bird(NULL, 0, &bird_names, buf, len), -ENOSPC);
}

/* ---- FRR ------------------------------------------------------------------ */

static void test_frr(void)
{
	char *argv[XG_BGP_ARGV_MAX], store[2048], line[2048];
	struct xg_bgp_intent in = parsed(canonical[10]);
	int n;

	n = xg_bgp_render_frr(&in, true, 65003, argv, store, sizeof(store));
	CU_ASSERT_EQUAL(n, 16);
	CU_ASSERT_PTR_NULL(argv[n]);
	CU_ASSERT_STRING_EQUAL(argv[0], "-c");
	CU_ASSERT_STRING_EQUAL(argv[1], "configure terminal");
	CU_ASSERT_STRING_EQUAL(argv[3], "route-map xg-rtbh-10.0.0.1/32 permit 10");
	CU_ASSERT_STRING_EQUAL(argv[5], "set community 65000:1 65535:666");
	CU_ASSERT_STRING_EQUAL(argv[7], "set large-community 65000:1:2 4200000000:3:4");
	CU_ASSERT_STRING_EQUAL(argv[9], "exit");
	CU_ASSERT_STRING_EQUAL(argv[11], "router bgp 65003");
	CU_ASSERT_STRING_EQUAL(argv[13], "address-family ipv4 unicast");
	CU_ASSERT_STRING_EQUAL(argv[15], "network 10.0.0.1/32 route-map xg-rtbh-10.0.0.1/32");
	n = xg_bgp_render_frr(&in, false, 65003, argv, store, sizeof(store));
	CU_ASSERT_EQUAL(n, 10);
	CU_ASSERT_STRING_EQUAL(joined(argv, n, line, sizeof(line)),
			       "-c configure terminal -c no route-map xg-rtbh-10.0.0.1/32 -c "
			       "router bgp 65003 -c address-family ipv4 unicast -c no network "
			       "10.0.0.1/32");
	in = parsed(canonical[11]);
	n = xg_bgp_render_frr(&in, true, 4200000000u, argv, store, sizeof(store));
	CU_ASSERT_STRING_EQUAL(joined(argv, n, line, sizeof(line)),
			       "-c configure terminal -c route-map xg-rtbh-2001:db8::1/128 permit "
			       "10 -c set community 65535:666 -c no set large-community -c exit "
			       "-c router bgp 4200000000 -c address-family ipv6 unicast -c "
			       "network 2001:db8::1/128 route-map xg-rtbh-2001:db8::1/128");
	n = xg_bgp_render_frr(&in, false, 65003, argv, store, sizeof(store));
	CU_ASSERT_STRING_EQUAL(argv[n - 1], "no network 2001:db8::1/128");
	in = parsed(canonical[12]);
	n = xg_bgp_render_frr(&in, true, 65003, argv, store, sizeof(store));
	CU_ASSERT_STRING_EQUAL(argv[5], "no set community");
	CU_ASSERT_STRING_EQUAL(argv[7], "no set large-community");
}

static void test_frr_errors(void)
{
	char *argv[XG_BGP_ARGV_MAX], store[2048];
	struct xg_bgp_intent in = parsed(canonical[0]);
	size_t need = 0, len;
	int i, n;

	CU_ASSERT_EQUAL(xg_bgp_render_frr(&in, true, 65003, argv, store, sizeof(store)),
			-EOPNOTSUPP);
	CU_ASSERT_EQUAL(xg_bgp_render_frr(&in, false, 65003, argv, store, sizeof(store)),
			-EOPNOTSUPP);
	in = parsed(canonical[10]);
	CU_ASSERT_EQUAL(xg_bgp_render_frr(&in, true, 0, argv, store, sizeof(store)), -EINVAL);
	n = xg_bgp_render_frr(&in, true, 65003, argv, store, sizeof(store));
	for (i = 0; i < n; i++)
		need += strlen(argv[i]) + 1;
	for (len = 0; len < need; len++)
		CU_ASSERT_EQUAL(xg_bgp_render_frr(&in, true, 65003, argv, store, len), -ENOSPC);
	CU_ASSERT_EQUAL(xg_bgp_render_frr(&in, true, 65003, argv, store, need), n);
}

/* ---- JSON ----------------------------------------------------------------- */

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return "(missing)";
	return json_object_get_string(v);
}

static void test_json_flowspec(void)
{
	struct xg_bgp_intent in = parsed(canonical[3]);
	struct json_object *o = xg_bgp_intent_to_json(&in), *m, *a, *v;

	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_STRING_EQUAL(jstr(o, "kind"), "flowspec");
	CU_ASSERT_STRING_EQUAL(jstr(o, "family"), "ipv4");
	CU_ASSERT_STRING_EQUAL(jstr(o, "rule"), canonical[3]);
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(o, "match", &m));
	CU_ASSERT_STRING_EQUAL(jstr(m, "dst"), "10.0.0.2/32");
	CU_ASSERT_STRING_EQUAL(jstr(m, "src"), "(missing)");
	CU_ASSERT_STRING_EQUAL(jstr(m, "proto"), "6");
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(m, "tcp_flags", &v));
	CU_ASSERT_EQUAL(json_object_array_length(v), 2);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_array_get_idx(v, 1)), "ack");
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(m, "fragment", &v));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_array_get_idx(v, 0)),
			       "is-fragment");
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(o, "action", &a));
	CU_ASSERT_STRING_EQUAL(jstr(a, "type"), "rate-limit");
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(a, "bytes_per_s", &v));
	CU_ASSERT_EQUAL(json_object_get_int64(v), 9600);
	json_object_put(o);

	in = parsed(canonical[2]);
	o = xg_bgp_intent_to_json(&in);
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(o, "match", &m));
	CU_ASSERT_STRING_EQUAL(jstr(m, "src"), "192.0.2.0/24");
	CU_ASSERT_STRING_EQUAL(jstr(m, "length"), "100-200");
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(m, "dport", &v));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_array_get_idx(v, 1)),
			       "6000-6010");
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(o, "action", &a));
	CU_ASSERT_STRING_EQUAL(jstr(a, "type"), "discard");
	json_object_put(o);

	in = parsed(canonical[7]);
	o = xg_bgp_intent_to_json(&in);
	CU_ASSERT_STRING_EQUAL(jstr(o, "family"), "ipv6");
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(o, "action", &a));
	CU_ASSERT_STRING_EQUAL(jstr(a, "type"), "redirect");
	CU_ASSERT_STRING_EQUAL(jstr(a, "route_target"), "65000:100");
	json_object_put(o);
}

static void test_json_rtbh(void)
{
	struct xg_bgp_intent in = parsed(canonical[10]), bad = in;
	struct json_object *o = xg_bgp_intent_to_json(&in), *v;

	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_STRING_EQUAL(jstr(o, "kind"), "rtbh");
	CU_ASSERT_STRING_EQUAL(jstr(o, "family"), "ipv4");
	CU_ASSERT_STRING_EQUAL(jstr(o, "prefix"), "10.0.0.1/32");
	CU_ASSERT_STRING_EQUAL(jstr(o, "rule"), canonical[10]);
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(o, "communities", &v));
	CU_ASSERT_EQUAL(json_object_array_length(v), 2);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_array_get_idx(v, 1)),
			       "65535:666");
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(o, "large_communities", &v));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_array_get_idx(v, 1)),
			       "4200000000:3:4");
	CU_ASSERT_FALSE(json_object_object_get_ex(o, "match", &v));
	json_object_put(o);
	in = parsed("rtbh 2001:db8::/32");
	o = xg_bgp_intent_to_json(&in);
	CU_ASSERT_STRING_EQUAL(jstr(o, "family"), "ipv6");
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(o, "communities", &v));
	CU_ASSERT_EQUAL(json_object_array_length(v), 0);
	json_object_put(o);
	bad.proto = 17;
	CU_ASSERT_PTR_NULL(xg_bgp_intent_to_json(&bad));
}

void add_bgp_intent_suite(void)
{
	CU_pSuite s = CU_add_suite("bgp_intent", NULL, NULL);

	CU_add_test(s, "canonical texts round trip", test_round_trip_text);
	CU_add_test(s, "built intents round trip, v4 and v6", test_round_trip_struct);
	CU_add_test(s, "parse normalises lists, flags, addresses", test_normalises);
	CU_add_test(s, "parse_argv: same grammar, words checked", test_argv);
	CU_add_test(s, "format: -ENOSPC and -EINVAL", test_format_space);
	CU_add_test(s, "validate: good intents", test_validate_ok);
	CU_add_test(s, "validate: match errors", test_validate_match);
	CU_add_test(s, "validate: action errors", test_validate_action);
	CU_add_test(s, "validate: rtbh errors", test_validate_rtbh);
	CU_add_test(s, "parse: grammar errors name the word", test_parse_grammar);
	CU_add_test(s, "parse: value errors name the word", test_parse_values);
	CU_add_test(s, "errors fit any buffer", test_error_buffers);
	CU_add_test(s, "exabgp: v4 announce and withdraw", test_exabgp_v4);
	CU_add_test(s, "exabgp: v6 announce and withdraw", test_exabgp_v6);
	CU_add_test(s, "exabgp: bad next hop, -ENOSPC", test_exabgp_errors);
	CU_add_test(s, "gobgp: flowspec add and del, v4 and v6", test_gobgp_flowspec);
	CU_add_test(s, "gobgp: rtbh add and del, v4 and v6", test_gobgp_rtbh);
	CU_add_test(s, "gobgp: -ENOSPC", test_gobgp_space);
	CU_add_test(s, "bird: the include file", test_bird_file);
	CU_add_test(s, "bird: actions as extended communities", test_bird_actions);
	CU_add_test(s, "bird: duplicates, conflicts, names, -ENOSPC", test_bird_errors);
	CU_add_test(s, "frr: rtbh announce and withdraw, v4 and v6", test_frr);
	CU_add_test(s, "frr: flowspec -EOPNOTSUPP, -ENOSPC", test_frr_errors);
	CU_add_test(s, "json: flowspec", test_json_flowspec);
	CU_add_test(s, "json: rtbh", test_json_rtbh);
}
