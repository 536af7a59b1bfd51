/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ABI between the XDP program and userspace: every map key, value, enum
 * and constant both sides share. Bump XG_ABI_VERSION whenever a layout here
 * changes; xdpctl refuses to reuse pinned maps from another version.
 *
 * Only fixed-width types and no pointers, so the same header compiles for
 * -target bpf and for the host, and tests/unit checks the sizes.
 */
#ifndef XDPGUARD_ABI_H
#define XDPGUARD_ABI_H

#include <linux/types.h>

#define XG_ABI_VERSION 5

/* Where the maps are pinned (LIBBPF_PIN_BY_NAME below this directory). */
#define XG_PIN_DIR   "/sys/fs/bpf/xdpguard"
#define XG_PROG_NAME "xdpguard"

/* Map capacities. */
#define XG_BLOCK_EXACT_MAX  (1u << 20) /* single addresses per family */
#define XG_BLOCK_PREFIX_MAX 65536      /* prefixes per family */
#define XG_ALLOW_EXACT_MAX  65536
#define XG_ALLOW_PREFIX_MAX 16384
#define XG_RATELIMIT_MAX    262144 /* per-source buckets (LRU) */
#define XG_TALKERS_MAX	    16384  /* sampled per-source counters (LRU), drained each tick */
#define XG_VICTIMS_MAX	    4096   /* sampled per-destination counters (LRU) */
/* Per-source SIP/RTP activity for learning (LRU), walked every tick: a batch
 * walk visits every bucket whether used or not (~13 ns each here), so the
 * size is the controller's main cost in peace. An evicted source only
 * restarts its counts: learning keeps its history in userspace (peers.c). */
#define XG_PEERS_MAX 32768

/* Distinct sources per tick by linear counting: each fully parsed packet
 * that goes on (passed or would-drop) sets the bit its source hashes to in its CPU's block of xg_srcbits (mmapable, one
 * block of XG_SRCBITS_WORDS per possible CPU); userspace ORs the blocks,
 * counts zero bits and clears them every tick. */
#define XG_SRCBITS_LOG2	 18
#define XG_SRCBITS_WORDS ((1u << XG_SRCBITS_LOG2) / 64)

/*
 * Prefixes live in one hash per family keyed by (length, masked address);
 * the program probes only the lengths listed in xg_config, longest first,
 * so a node with no prefixes pays nothing and random sources cost one
 * hash miss per length in use instead of an LPM-trie walk.
 */
#define XG_PREFIX_LENS_MAX 16

#define XG_PORTS	      65536
#define XG_PORT_KEY(l4, port) ((l4)*XG_PORTS + (port)) /* l4: 0 TCP, 1 UDP */
#define XG_PORT_L4_TCP	      0
#define XG_PORT_L4_UDP	      1

#define XG_IPV6_MAX_EXT 6  /* extension headers walked before giving up */
#define XG_SIP_PEEK	16 /* payload bytes inspected for a SIP start line */

/* Layer-4 protocol as counted. */
enum xg_proto {
	XG_PROTO_TCP = 0,
	XG_PROTO_UDP,
	XG_PROTO_ICMP,
	XG_PROTO_ICMPV6,
	XG_PROTO_GRE,
	XG_PROTO_ESP,
	XG_PROTO_OTHER, /* any other IP protocol */
	XG_PROTO_NONIP, /* ARP, LLDP, ... */
	XG_PROTO_MAX,
};

/* Service classes. The per-port table xg_port_class maps (l4, port) to one. */
enum xg_svc {
	XG_SVC_NONE = 0,
	XG_SVC_SIP_UDP,
	XG_SVC_SIP_TCP,
	XG_SVC_SIP_TLS,
	XG_SVC_RTP,
	XG_SVC_EXTRA0, /* configurable extra classes, names in xg_config */
	XG_SVC_EXTRA1,
	XG_SVC_EXTRA2,
	XG_SVC_EXTRA3,
	XG_SVC_EXTRA4,
	XG_SVC_EXTRA5,
	XG_SVC_EXTRA6,
	XG_SVC_EXTRA7,
	XG_SVC_MAX,
};
#define XG_SVC_EXTRA_COUNT 8

/* TCP flag combinations, one bucket per packet (first match in this order). */
enum xg_tcpf {
	XG_TCPF_SYN = 0, /* SYN without ACK */
	XG_TCPF_SYNACK,
	XG_TCPF_RST,
	XG_TCPF_FIN,
	XG_TCPF_PSH, /* PSH (with or without ACK) */
	XG_TCPF_URG,
	XG_TCPF_ACK,  /* bare ACK */
	XG_TCPF_NONE, /* no flag set (null scan) */
	XG_TCPF_XMAS, /* FIN+PSH+URG */
	XG_TCPF_MAX,
};

/* What the first payload bytes on a SIP port were. */
enum xg_sip {
	XG_SIP_REGISTER = 0,
	XG_SIP_INVITE,
	XG_SIP_OPTIONS,
	XG_SIP_ACK,
	XG_SIP_BYE,
	XG_SIP_CANCEL,
	XG_SIP_SUBSCRIBE,
	XG_SIP_NOTIFY,
	XG_SIP_MESSAGE,
	XG_SIP_OTHER,	     /* request with another method token */
	XG_SIP_RESPONSE,     /* "SIP/2.0 " status line */
	XG_SIP_KEEPALIVE,    /* CRLF keep-alive (RFC 5626) */
	XG_SIP_CONTINUATION, /* TCP segment in the middle of a message */
	XG_SIP_MALFORMED,    /* not SIP */
	XG_SIP_MAX,
};

/* Verdicts. */
enum xg_verdict {
	XG_VERDICT_PASS = 0,
	XG_VERDICT_DROP,
	XG_VERDICT_WOULD_DROP, /* monitor-only mode: counted, passed */
	XG_VERDICT_MAX,
};

/* Why a packet was (or would have been) dropped. */
enum xg_reason {
	XG_REASON_NONE = 0,
	XG_REASON_BLOCK,	/* exact /32 or /128 block entry */
	XG_REASON_BLOCK_PREFIX, /* prefix block entry */
	XG_REASON_RATELIMIT,	/* over the entry's per-source pps */
	XG_REASON_PROTECT,	/* protect mode: an unknown source over its rate or the budget */
	XG_REASON_AMP,		/* from a reflector source port to a non-client port */
	XG_REASON_MAX,
};

/* Well-known UDP amplification (reflection) source ports, as classes: the
 * table xg_sport_class maps a UDP source port to one of these. */
enum xg_amp {
	XG_AMP_NONE = 0,
	XG_AMP_CHARGEN,	  /* 19 */
	XG_AMP_DNS,	  /* 53 */
	XG_AMP_PORTMAP,	  /* 111 */
	XG_AMP_NTP,	  /* 123 */
	XG_AMP_NETBIOS,	  /* 137 */
	XG_AMP_SNMP,	  /* 161 */
	XG_AMP_CLDAP,	  /* 389 */
	XG_AMP_RIP,	  /* 520 */
	XG_AMP_SSDP,	  /* 1900 */
	XG_AMP_ARD,	  /* 3283 */
	XG_AMP_WSD,	  /* 3702 */
	XG_AMP_MDNS,	  /* 5353 */
	XG_AMP_UBNT,	  /* 10001 */
	XG_AMP_MEMCACHED, /* 11211 */
	XG_AMP_OTHER,	  /* configured extra reflector port */
	XG_AMP_MAX,
};
#define XG_AMP_SLOTS 16

/* Why parsing stopped early; such packets are passed and counted. */
enum xg_malformed {
	XG_MAL_ETH = 0,	 /* shorter than an Ethernet header */
	XG_MAL_VLAN,	 /* truncated VLAN tag or more than 2 tags */
	XG_MAL_IPV4,	 /* truncated header, IHL < 5 */
	XG_MAL_IPV6,	 /* truncated header */
	XG_MAL_IPV6_EXT, /* truncated or too many extension headers */
	XG_MAL_L4,	 /* truncated TCP/UDP/ICMP header */
	XG_MAL_MAX,
};

/* Counter arrays indexed by a value the verifier cannot bound by itself are
 * sized to a power of two and indexed with a mask. */
#define XG_PROTO_SLOTS	8
#define XG_SVC_SLOTS	16
#define XG_SIP_SLOTS	16
#define XG_MAL_SLOTS	8
#define XG_REASON_SLOTS 8

#define XG_TTL_BUCKETS	32 /* TTL / hop limit >> 3 */
#define XG_SIZE_BUCKETS 32 /* frame length >> 6, the last one open-ended */

/* Block entry actions. */
enum xg_action {
	XG_ACTION_DROP = 0,
	XG_ACTION_RATELIMIT, /* pass up to rate_pps per source, drop the rest */
};

/* Who put an entry in. */
enum xg_origin {
	XG_ORIGIN_MANUAL = 0, /* xdpctl */
	XG_ORIGIN_CONTROLLER, /* the controller's mitigation */
	XG_ORIGIN_API,
	XG_ORIGIN_LEARNED, /* allowlist: a peer the controller learned */
	XG_ORIGIN_CONFIG,  /* allowlist: from the controller's config */
};

/* Config flags. */
#define XG_CFG_MONITOR_ONLY (1u << 0) /* never drop; count "would drop" */
#define XG_CFG_LEARN_PAUSED (1u << 1) /* no updates to xg_peers_*: set during incidents */

/* Which lookups the program performs; userspace sets a bit when a map gets
 * its first entry and clears it when the map empties, so empty maps cost
 * nothing per packet. */
#define XG_HAVE_ALLOW_V4 (1u << 0)
#define XG_HAVE_ALLOW_V6 (1u << 1)
#define XG_HAVE_BLOCK_V4 (1u << 2)
#define XG_HAVE_BLOCK_V6 (1u << 3)

struct xg_v4_key {
	__u8 addr[4];
};

struct xg_v6_key {
	__u8 addr[16];
};

struct xg_v4_prefix_key {
	__u32 prefixlen;
	__u8 addr[4]; /* host bits zero */
};

struct xg_v6_prefix_key {
	__u32 prefixlen;
	__u8 addr[16]; /* host bits zero */
};

/* A blocklist entry (exact or prefix). Userspace writes everything but
 * hits, which the program increments without atomics: a lost increment when
 * two CPUs hit one entry at once is cheaper than a locked add per drop, and
 * exact totals are in xg_stats.drop[]. */
struct xg_block {
	__u64 expires_ns; /* CLOCK_MONOTONIC; 0 = never */
	__u64 hits;
	__u64 created_ns; /* CLOCK_MONOTONIC */
	__u32 rate_pps;	  /* XG_ACTION_RATELIMIT only */
	__u32 incident;	  /* incident id, 0 = none */
	__u8 action;	  /* enum xg_action */
	__u8 origin;	  /* enum xg_origin */
	__u8 why;	  /* enum xg_why: what put the entry in */
	__u8 pad[5];
};

/* Why the controller made a block entry. */
enum xg_why {
	XG_WHY_MANUAL = 0,
	XG_WHY_TOP_SOURCE, /* a top source of the attack */
	XG_WHY_AGGREGATE,  /* sources crowding into one /24 or /64 */
	XG_WHY_SOFT,	   /* soft-allowlisted: rate-limited, never dropped */
};

/* An allowlist entry (exact or prefix). */
#define XG_COMMENT_LEN 48
struct xg_allow {
	__u64 hits;
	__u64 created_ns;
	char comment[XG_COMMENT_LEN];
	__u8 origin; /* enum xg_origin: manual, config or learned */
	__u8 pad[7];
};

/* Protect mode's aggregate budget for one service, per CPU: GCRA over
 * budget_pps / ncpus, so the CPUs never share a cache line. */
struct xg_budget {
	__u64 tat_ns;
};

/* Per-source token bucket state for rate-limited entries (GCRA: the
 * theoretical arrival time of the next conforming packet). */
struct xg_ratelimit {
	__u64 tat_ns;
};

/* Sampled per-source counters, for top talkers: each sample stands for
 * (1 << sample_shift) packets; userspace scales. */
struct xg_talker {
	__u64 samples;
	__u64 bytes; /* sum of sampled frame lengths */
	__u64 last_ns;
};

/* Per-source SIP/RTP activity, updated for every packet to a SIP port and
 * for 1 in 2^rtp_learn_shift valid RTP packets, unless learning is paused:
 * what peer learning and source novelty are built on. */
struct xg_peer {
	__u64 sip_ok;	/* well-formed SIP: requests, responses, keep-alives */
	__u64 sip_bad;	/* malformed SIP */
	__u64 rtp_ok;	/* valid RTP/RTCP/STUN/DTLS, sampled */
	__u64 first_ns; /* CLOCK_MONOTONIC (coarse) of the first packet */
	__u64 last_ns;
};

/* Per-CPU budget of xg_peers updates: each update spends one, the
 * controller refills it every tick, so learning costs bounded work however
 * fast a flood arrives before it is detected. */
struct xg_learn {
	__s64 budget;
	__u64 skipped;	  /* updates not made for want of budget */
	__u64 touched_v6; /* updates made to xg_peers_v6: its walk is skipped while this stays */
};

struct xg_ctr {
	__u64 packets;
	__u64 bytes;
};

/* All hot counters in one per-CPU value, so a packet costs one map lookup
 * for all of them. */
struct xg_stats {
	struct xg_ctr proto[XG_PROTO_SLOTS];
	struct xg_ctr l3[2]; /* 0 IPv4, 1 IPv6 */
	struct xg_ctr svc[XG_SVC_SLOTS];
	__u64 tcp_flags[XG_TCPF_MAX];
	__u64 ttl[XG_TTL_BUCKETS];
	__u64 size[XG_SIZE_BUCKETS];
	__u64 frag_first; /* first fragments (L4 header present) */
	__u64 frag_later; /* non-first fragments (no L4 header) */
	__u64 sip[XG_SIP_SLOTS];
	__u64 rtp_invalid; /* in the RTP range but not RTP version 2 */
	__u64 verdict[XG_VERDICT_MAX];
	__u64 drop[XG_REASON_SLOTS];	   /* dropped, by reason */
	__u64 would_drop[XG_REASON_SLOTS]; /* monitor-only, by reason */
	__u64 malformed[XG_MAL_SLOTS];
	__u64 allowed;		 /* allowlisted source: preserved */
	__u64 sample_seq;	 /* per-CPU packet sequence for 1/N sampling */
	__u64 talker_samples;	 /* samples taken into xg_talkers_v4/v6 */
	__u64 talker_samples_v6; /* of which IPv6: the v6 maps' drain is skipped while it stays */
	struct xg_ctr amp[XG_AMP_SLOTS]; /* UDP by reflector source port class */
	__u64 rtp_learn_seq;		 /* per-CPU sequence for 1/N RTP learning */
	__u64 pcap_seq;			 /* per-CPU sequence for 1/N packet sampling */
	__u64 pcap_samples;		 /* records written to xg_samples */
	__u64 pcap_lost;		 /* samples lost: the ring buffer was full */
	__u64 hit_seq;			 /* per-CPU sequence for sampled entry hits */
};

/* Block entries count hits exactly up to XG_HITS_EXACT, then in steps of
 * XG_HITS_STEP (1 packet in XG_HITS_STEP adds it): cheap at flood rates on
 * many CPUs, and still an unbiased estimate. Allow entries count exactly. */
#define XG_HITS_EXACT 1024
#define XG_HITS_STEP  4096

/* xg_config.list_gen wraps within this mask (see there). */
#define XG_LIST_GEN_MASK 0x7fffffffu

/* The program's per-CPU cache of blocked sources (bpf/xg_hot.h), one
 * direct-mapped table per family, indexed by a hash of the source. Private
 * to the program (not pinned); here so that the tests can read it. */
#define XG_HOT_SLOTS 256

struct xg_hot_head {
	__u64 expires_ns; /* the block entry's, 0 = never */
	__u32 gen;	  /* xg_config.list_gen + 1 when written; 0 = empty */
	__u8 reason;	  /* enum xg_reason */
	__u8 pad[3];
};

struct xg_hot_slot4 {
	struct xg_hot_head h;
	__be32 src;
	__u32 pad;
};

struct xg_hot_slot6 {
	struct xg_hot_head h;
	__u8 src[16];
};

struct xg_hot {
	struct xg_hot_slot4 v4[XG_HOT_SLOTS];
	struct xg_hot_slot6 v6[XG_HOT_SLOTS];
};

/* A source's slot: Fibonacci hashing (the top 8 bits of the product) of the
 * IPv4 address, or of the XOR of the IPv6 address's four words, each as
 * loaded from the packet. */
static inline __u32 xg_hot_index(__u32 x)
{
	return (x * 2654435761u) >> 24;
}

static inline __u32 xg_hot_fold6(const __u32 *a)
{
	return a[0] ^ a[1] ^ a[2] ^ a[3];
}

/* Packet sampling for forensics: 1 packet in 2^pcap_shift (any verdict,
 * dropped ones too) is copied, up to XG_SAMPLE_SNAP bytes, into the
 * xg_samples ring buffer as one struct xg_sample cut after its cap_len
 * bytes of data (a record is XG_SAMPLE_HDR + cap_len bytes, so the ring
 * holds thousands of small packets, not a thousand 2 KiB records). When
 * userspace falls behind the ring is full and the sample is counted in
 * pcap_lost instead: the packet path never waits. */
/* 2048 keeps a whole standard frame: SIP messages run 400-1500 bytes and
 * tshark decodes no header of a truncated one, Call-ID included. A power
 * of 2, for the program's bounds. */
#define XG_SAMPLE_SNAP	  2048
#define XG_SAMPLES_BYTES  (512 * 1024) /* ring buffer size, a power of 2 */
#define XG_SAMPLE_HDR	  24	       /* offsetof(struct xg_sample, data) */
#define XG_PCAP_SHIFT_OFF 32

struct xg_sample {
	__u64 ts_ns;	/* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u32 ifindex;	/* ingress interface */
	__u32 orig_len; /* frame length */
	__u16 cap_len;	/* bytes of data used, <= XG_SAMPLE_SNAP */
	__u8 verdict;	/* enum xg_verdict */
	__u8 reason;	/* enum xg_reason, for a (would-be) drop */
	__u32 pad;
	__u8 data[XG_SAMPLE_SNAP];
};
_Static_assert(__builtin_offsetof(struct xg_sample, data) == XG_SAMPLE_HDR,
	       "XG_SAMPLE_HDR is the offset of the data");

/* Per-port counters: xg_port_stats, an mmapable array holding one block of
 * 2 * XG_PORTS counters per possible CPU, indexed by
 * cpu * 2 * XG_PORTS + XG_PORT_KEY; each CPU writes only its own block. */
struct xg_port_ctr {
	__u64 packets;
};

/* xg_port_class value: enum xg_svc for (l4, dst port). */
struct xg_port_class {
	__u8 svc;
};

/* xg_sport_class value: enum xg_amp for a UDP source port. */
struct xg_sport_class {
	__u8 amp;
};

#define XG_SVC_NAME_LEN 16

/* The prefix lengths present in one prefix map, longest first, with their
 * netmasks precomputed so the program masks without branching. */
struct xg_lens_v4 {
	__u32 n;
	__u32 len[XG_PREFIX_LENS_MAX];
	__u32 mask[XG_PREFIX_LENS_MAX]; /* network order */
};

struct xg_lens_v6 {
	__u32 n;
	__u32 len[XG_PREFIX_LENS_MAX];
	__u32 mask[XG_PREFIX_LENS_MAX][4]; /* network order */
};

/* The one entry of xg_config. */
struct xg_config {
	__u32 abi_version; /* XG_ABI_VERSION once initialised */
	__u32 flags;	   /* XG_CFG_* */
	__u32 have;	   /* XG_HAVE_* */
	/* Written after every change to the lists (lists.c), which the
	 * program's per-CPU cache of blocked sources (xg_hot) checks against.
	 * Kept below XG_LIST_GEN_MASK so that gen + 1 is never 0. */
	__u32 list_gen;
	__u32 sample_shift;    /* sample 1 packet in 2^shift; >= 32 = off */
	__u32 rtp_learn_shift; /* 1 valid RTP packet in 2^shift updates xg_peers; >= 32 = off */
	__u32 pcap_shift;      /* 1 packet in 2^shift into xg_samples; >= 32 = off */
	/* Protect mode, per service class: unknown (not allowlisted) sources
	 * get protect_src_pps each and protect_budget_pps all together. */
	__u32 protect_mask; /* bit per enum xg_svc */
	__u32 protect_src_pps[XG_SVC_SLOTS];
	__u32 protect_budget_pps[XG_SVC_SLOTS];
	__u32 ncpus; /* to split the budget between CPUs */
	/* Amplification: UDP from a class in amp_drop_mask to a port outside
	 * the node's own client ports is dropped. */
	__u32 amp_drop_mask; /* bit per enum xg_amp */
	__u16 client_lo;
	__u16 client_hi;
	struct xg_lens_v4 block_v4;
	struct xg_lens_v6 block_v6;
	struct xg_lens_v4 allow_v4;
	struct xg_lens_v6 allow_v6;
	__u16 rtp_lo; /* informational: the port table is authoritative */
	__u16 rtp_hi;
	char svc_name[XG_SVC_EXTRA_COUNT][XG_SVC_NAME_LEN];
};

#endif /* XDPGUARD_ABI_H */
