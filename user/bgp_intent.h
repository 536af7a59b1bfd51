/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * BGP mitigation intents: one typed rule (a FlowSpec filter or an RTBH
 * announcement) built once by the controller or the CLI, and rendered by each
 * speaker adapter into what that speaker takes (ExaBGP API text, gobgp
 * argument vectors, a BIRD 2 include file, FRR vtysh argument vectors, JSON).
 * Everything here is pure: no I/O, no clock, no allocation the caller cannot
 * see. Rendered text and argument values come only from validated fields,
 * never from caller strings, so nothing here can smuggle a shell word or a
 * second command into a speaker.
 *
 * The canonical text form (xg_bgp_intent_format / xg_bgp_intent_parse) is the
 * rule's identity: two intents with the same text are the same rule, which is
 * how rules from several incidents or nodes are aggregated. Grammar (words
 * separated by single spaces, in this order, optional parts left out):
 *
 *   flowspec [src CIDR] [dst CIDR] [proto udp|tcp|icmp|icmpv6|N]
 *            [dport P[,P...]] [sport P[,P...]] [length L-H]
 *            [tcp-flags FLAG[|FLAG...]] [fragment FRAG[|FRAG...]]
 *            then discard | then rate-limit BYTES_PER_S | then redirect ASN:NN
 *   rtbh CIDR [community A:B[,A:B...]] [large-community G:L1:L2[,...]]
 *
 * P is a port or a range lo-hi; FLAG is fin|syn|rst|psh|ack|urg|ece|cwr
 * (the rule matches packets with all of them set); FRAG is
 * dont-fragment|is-fragment|first-fragment|last-fragment (the rule matches
 * packets with any of them; IPv6 has no dont-fragment, RFC 8956). A flowspec
 * intent needs at least one of src and dst, both of the same family when both
 * are given; ports need proto udp or tcp; tcp-flags need proto tcp; icmp is
 * IPv4's and icmpv6 IPv6's. A length range 0-H means up to H. BYTES_PER_S is
 * 1..10^12 (ExaBGP's cap). An rtbh intent has only the prefix (in dst) and
 * communities.
 *
 * One rule has one text: format writes port lists and communities in
 * ascending order, flags in bit order, protocols 1, 6, 17 and 58 by name and
 * addresses as xg_cidr_format does (a host without /32 or /128); validate
 * insists on ascending, non-overlapping port ranges and communities. Parse
 * sorts lists and accepts any order of flags, any lower-case spelling of an
 * address xg_cidr_parse takes (10.0.0.1/32, 2001:db8:0::1) and a port range
 * 80-80, so compare rules by the text format writes, or with
 * xg_bgp_intent_equal.
 */
#ifndef XG_BGP_INTENT_H
#define XG_BGP_INTENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cidr.h"

struct json_object;

#define XG_BGP_PORTS_MAX 4   /* port ranges per list */
#define XG_BGP_COMM_MAX	 8   /* standard communities per intent */
#define XG_BGP_LCOMM_MAX 4   /* large communities per intent */
#define XG_BGP_TEXT_MAX	 512 /* canonical text with the NUL */
#define XG_BGP_ARGV_MAX	 64  /* rendered argument vector entries, with the NULL */

enum xg_bgp_kind {
	XG_BGP_FLOWSPEC = 0,
	XG_BGP_RTBH,
};

enum xg_bgp_action {
	XG_BGP_DISCARD = 0,
	XG_BGP_RATE_LIMIT, /* rate_bps bytes per second (RFC 8955 traffic-rate) */
	XG_BGP_REDIRECT,   /* to the VRF with route target rt_asn:rt_val */
};

/* tcp_flags bits, as in the TCP header */
#define XG_BGP_TCP_FIN 0x01
#define XG_BGP_TCP_SYN 0x02
#define XG_BGP_TCP_RST 0x04
#define XG_BGP_TCP_PSH 0x08
#define XG_BGP_TCP_ACK 0x10
#define XG_BGP_TCP_URG 0x20
#define XG_BGP_TCP_ECE 0x40
#define XG_BGP_TCP_CWR 0x80

/* fragment bits, as in the RFC 8955 fragment component */
#define XG_BGP_FRAG_DF	  0x01 /* dont-fragment */
#define XG_BGP_FRAG_IS	  0x02 /* is-fragment */
#define XG_BGP_FRAG_FIRST 0x04 /* first-fragment */
#define XG_BGP_FRAG_LAST  0x08 /* last-fragment */

struct xg_bgp_ports {
	uint8_t n;
	struct {
		uint16_t lo, hi; /* lo <= hi; a single port has lo == hi */
	} r[XG_BGP_PORTS_MAX];
};

struct xg_bgp_intent {
	enum xg_bgp_kind kind;
	/* FLOWSPEC match; RTBH uses dst only (the announced prefix) */
	bool has_src, has_dst;
	struct xg_cidr src, dst;
	uint8_t proto; /* IP protocol / IPv6 next header; 0 = any */
	struct xg_bgp_ports dport, sport;
	uint16_t len_lo, len_hi; /* packet length range; 0-0 = any */
	uint8_t tcp_flags;	 /* XG_BGP_TCP_*: all set; 0 = any */
	uint8_t fragment;	 /* XG_BGP_FRAG_*; 0 = any */
	/* FLOWSPEC action */
	enum xg_bgp_action action;
	uint64_t rate_bps; /* RATE_LIMIT, 1..10^12 */
	/* REDIRECT: a 2-byte ASN (<= 65535) or a 4-byte ASN with rt_val <= 65535 */
	uint32_t rt_asn, rt_val;
	/* RTBH communities (65535:666 is added by the caller's policy, not here) */
	uint8_t n_comm;
	uint32_t comm[XG_BGP_COMM_MAX]; /* asn << 16 | value */
	uint8_t n_lcomm;
	struct {
		uint32_t global, local1, local2;
	} lcomm[XG_BGP_LCOMM_MAX];
};

/* Checks every rule of the grammar above on a built intent (host bits of
 * the CIDRs must be zero). 0, or -EINVAL with "what: why" in err (err may
 * be NULL). */
int xg_bgp_intent_validate(const struct xg_bgp_intent *in, char *err, size_t errlen);

/* Same rule: compares the fields in use, not unused slots or padding. */
bool xg_bgp_intent_equal(const struct xg_bgp_intent *a, const struct xg_bgp_intent *b);

/* The canonical text. Returns the length, -EINVAL for an invalid intent, or
 * -ENOSPC when len is too small (XG_BGP_TEXT_MAX always suffices). */
int xg_bgp_intent_format(const struct xg_bgp_intent *in, char *buf, size_t len);

/* Parses the canonical text (same order, lower case, single spaces; leading
 * and trailing spaces are an error; see above for what it tolerates) into a
 * validated intent. -EINVAL with "word N (part): why" or "word N: why" in
 * err, N counting from 1 and naming the word at fault (the value, not its
 * keyword), e.g. "word 5 (dport): port range 6000-5000 has lo > hi". */
int xg_bgp_intent_parse(const char *text, struct xg_bgp_intent *out, char *err, size_t errlen);

/* Parses words (argv style, e.g. the CLI's remaining arguments) joined by
 * single spaces: the same grammar. */
int xg_bgp_intent_parse_argv(int argc, char *const argv[], struct xg_bgp_intent *out, char *err,
			     size_t errlen);

/* JSON object for webhooks and logs: {"kind":"flowspec","family":"ipv4",
 * "rule":"<canonical text>","match":{...},"action":{...}} or for rtbh
 * {"kind":"rtbh","family":...,"rule":...,"prefix":...,"communities":[...],
 * "large_communities":[...]}. match has only the parts given: "src"/"dst"
 * ("10.0.0.1/32", always with the length), "proto" (a number), "dport"/
 * "sport" (["80","6000-6010"]), "length" ("100-200"), "tcp_flags"
 * (["syn","ack"]), "fragment" (["is-fragment"]); action is {"type":
 * "discard"} or {"type":"rate-limit","bytes_per_s":N} or {"type":"redirect",
 * "route_target":"65000:100"}; prefix is "10.0.0.1/32", communities "A:B",
 * large ones "G:L1:L2". NULL for an invalid intent or on allocation failure. */
struct json_object *xg_bgp_intent_to_json(const struct xg_bgp_intent *in);

/*
 * ExaBGP API (4.x, text encoder): one line, no newline, e.g.
 *   announce flow route { match { destination 10.0.0.1/32; protocol udp;
 *   destination-port =5060; } then { discard; } }
 *   announce route 10.0.0.1/32 next-hop 192.0.2.1 community [65535:666]
 * announce=false renders the withdraw, which names the route by its match
 * alone: "withdraw flow route { match { ... } }", "withdraw route P
 * [next-hop NH]". next_hop is used for RTBH only: an address of the prefix's
 * family, required to announce, optional to withdraw (NULL or ""). IPv6
 * FlowSpec prefixes carry the RFC 8956 offset, "destination 2001:db8::1/128/0",
 * and the protocol is "next-header". Returns the length, -EINVAL (invalid
 * intent or next hop) or -ENOSPC.
 */
int xg_bgp_render_exabgp(const struct xg_bgp_intent *in, bool announce, const char *next_hop,
			 char *buf, size_t len);

/*
 * gobgp CLI argument vector after the program and its global options, e.g.
 *   global rib -a ipv4-flowspec add match destination 10.0.0.1/32
 *   protocol udp destination-port ==5060 then discard
 *   global rib -a ipv4 add 10.0.0.1/32 nexthop 192.0.2.1 community 65535:666
 * ("del" instead of "add" when announce is false; a FlowSpec del has no
 * "then" part, an RTBH del no nexthop). argv gets pointers into store
 * (store_len bytes); the vector ends with NULL. Returns argc or a negative
 * errno (-EINVAL for an invalid intent or next hop, -ENOSPC when argv or
 * store is too small). A redirect to a 4-byte ASN is written in asdot
 * (64086.59904:100), as gobgp 3 clips "4200000000:100" to 65535:100.
 */
int xg_bgp_render_gobgp(const struct xg_bgp_intent *in, bool announce, const char *next_hop,
			char *argv[XG_BGP_ARGV_MAX], char *store, size_t store_len);

/*
 * BIRD 2 include file holding every active rule: a static protocol per
 * family for flow4/flow6 routes (actions as RFC 8955 extended communities)
 * and one per family for RTBH blackhole routes with their (large)
 * communities. Protocol names are prefix "_flow4", "_flow6", "_rtbh4",
 * "_rtbh6"; tables come from the operator's bird.conf (flow4_table, ...),
 * see the definition for the exact contract. A NULL table leaves its
 * protocol out. Returns the length of the text or a negative errno: -ENOSPC,
 * -EINVAL (an invalid rule, a rule whose table is NULL, a prefix or table
 * that is not a BIRD symbol), -EEXIST (two rules with the same match but
 * different actions or communities: one route in BIRD). Rules with the same
 * text are written once.
 */
struct xg_bird_names {
	const char *prefix;	 /* protocol name prefix, e.g. "xdpguard" */
	const char *flow4_table; /* e.g. "flowtab4" */
	const char *flow6_table;
	const char *rtbh4_table; /* e.g. "master4" */
	const char *rtbh6_table;
};
int xg_bgp_render_bird(const struct xg_bgp_intent *const *rules, size_t n,
		       const struct xg_bird_names *names, char *buf, size_t len);

/*
 * FRR vtysh argument vector (after "vtysh") announcing or withdrawing an RTBH
 * prefix from router bgp asn: "-c" "configure terminal" ... a network
 * statement whose route-map xg-rtbh-PREFIX sets the communities (see the
 * definition for what the operator's config needs; the next hop is the
 * operator's outbound policy's or self). FRR cannot originate FlowSpec:
 * -EOPNOTSUPP for FLOWSPEC intents. Same conventions as xg_bgp_render_gobgp.
 */
int xg_bgp_render_frr(const struct xg_bgp_intent *in, bool announce, uint32_t asn,
		      char *argv[XG_BGP_ARGV_MAX], char *store, size_t store_len);

#endif /* XG_BGP_INTENT_H */
