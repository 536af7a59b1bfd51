// SPDX-License-Identifier: GPL-2.0-only
/* Allowlist, blocklist, expiry, per-source rate limiting and monitor-only
 * mode, configured through the userspace list API (user/lists.h), and the
 * config's have-bits and prefix-length tables that xg_lists_sync keeps. */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "harness.h"
#include "rtcfg.h"

#define NS_PER_S    1000000000ULL
#define RL_BURST_NS 100000000ULL /* XG_RL_BURST_NS in bpf/xg_verdict.h */

/* Sends one UDP datagram to 5060 from src; returns the verdict. */
static int send_from_at(const char *src, const char *file, int line)
{
	struct pkt_spec s;

	spec_keepalive(&s, src);
	return run_spec_at(&s, file, line);
}
#define SEND_FROM(src) send_from_at((src), __FILE__, __LINE__)

static uint64_t block_hits(const char *cidr)
{
	struct xg_block b;

	if (block_entry(cidr, &b)) {
		check_at(false, __FILE__, __LINE__, "no block entry for %s", cidr);
		return UINT64_MAX;
	}
	return b.hits;
}

static uint64_t allow_hits(const char *cidr)
{
	struct xg_allow a;

	if (allow_entry(cidr, &a)) {
		check_at(false, __FILE__, __LINE__, "no allow entry for %s", cidr);
		return UINT64_MAX;
	}
	return a.hits;
}

static void test_allow_over_block_v4(void)
{
	struct xg_stats st;

	BLOCK("10.123.1.0/24");
	BLOCK("10.123.1.3");
	BLOCK("10.123.1.4");
	ALLOW("10.123.1.3");

	EXPECT_EQ(SEND_FROM("10.123.1.3"), XDP_PASS); /* allowed, though blocked twice */
	EXPECT_EQ(SEND_FROM("10.123.1.2"), XDP_DROP); /* the /24 */
	EXPECT_EQ(SEND_FROM("10.123.1.4"), XDP_DROP); /* the exact entry */
	EXPECT_EQ(SEND_FROM("10.123.2.2"), XDP_PASS); /* outside everything */

	stats_get(&st);
	EXPECT_EQ(st.allowed, 1);
	EXPECT_EQ(st.drop[XG_REASON_BLOCK_PREFIX], 1);
	EXPECT_EQ(st.drop[XG_REASON_BLOCK], 1);
	EXPECT_EQ(st.drop[XG_REASON_RATELIMIT], 0);
	EXPECT_EQ(st.verdict[XG_VERDICT_DROP], 2);
	EXPECT_EQ(st.verdict[XG_VERDICT_PASS], 2);
	EXPECT_EQ(st.verdict[XG_VERDICT_WOULD_DROP], 0);
	/* Drops are counted by reason and per entry only; protocol, family and
	 * port counters see the two packets that passed. */
	EXPECT_EQ(st.proto[XG_PROTO_UDP].packets, 2);
	EXPECT_EQ(st.l3[0].packets, 2);
	EXPECT_EQ(port_get(XG_PORT_L4_UDP, 5060), 2);
	EXPECT_EQ(st.sip[XG_SIP_KEEPALIVE], 2);
	EXPECT_EQ(SUM(st.size), 2);

	EXPECT_EQ(allow_hits("10.123.1.3"), 1);
	EXPECT_EQ(block_hits("10.123.1.3"), 0);
	EXPECT_EQ(block_hits("10.123.1.4"), 1);
	EXPECT_EQ(block_hits("10.123.1.0/24"), 1);
}

static void test_allow_over_block_v6(void)
{
	struct xg_stats st;

	BLOCK("fd00:123:1::/64");
	BLOCK("fd00:123:1::3");
	BLOCK("fd00:123:1::4");
	ALLOW("fd00:123:1::3");

	EXPECT_EQ(SEND_FROM("fd00:123:1::3"), XDP_PASS);
	EXPECT_EQ(SEND_FROM("fd00:123:1::2"), XDP_DROP);
	EXPECT_EQ(SEND_FROM("fd00:123:1:0:ffff:ffff:ffff:ffff"), XDP_DROP);
	EXPECT_EQ(SEND_FROM("fd00:123:1::4"), XDP_DROP);
	EXPECT_EQ(SEND_FROM("fd00:123:2::2"), XDP_PASS);
	EXPECT_EQ(SEND_FROM("10.123.1.3"), XDP_PASS); /* the other family is untouched */

	stats_get(&st);
	EXPECT_EQ(st.allowed, 1);
	EXPECT_EQ(st.drop[XG_REASON_BLOCK_PREFIX], 2);
	EXPECT_EQ(st.drop[XG_REASON_BLOCK], 1);
	EXPECT_EQ(st.verdict[XG_VERDICT_DROP], 3);
	EXPECT_EQ(st.verdict[XG_VERDICT_PASS], 3);
	EXPECT_EQ(st.l3[1].packets, 2); /* passed IPv6 packets only */
	EXPECT_EQ(allow_hits("fd00:123:1::3"), 1);
	EXPECT_EQ(block_hits("fd00:123:1::/64"), 2);
	EXPECT_EQ(block_hits("fd00:123:1::4"), 1);
}

static void test_allow_prefix_covers_block(void)
{
	struct xg_stats st;

	BLOCK("10.123.1.2");
	BLOCK("10.123.1.0/24");
	BLOCK("fd00:123:1::2");
	ALLOW("10.123.0.0/16");
	ALLOW("fd00:123::/32");

	EXPECT_EQ(SEND_FROM("10.123.1.2"), XDP_PASS);
	EXPECT_EQ(SEND_FROM("10.123.1.9"), XDP_PASS);
	EXPECT_EQ(SEND_FROM("fd00:123:1::2"), XDP_PASS);
	EXPECT_EQ(SEND_FROM("10.124.1.2"), XDP_PASS); /* not listed at all */

	stats_get(&st);
	EXPECT_EQ(st.allowed, 3);
	EXPECT_EQ(SUM(st.drop), 0);
	EXPECT_EQ(st.verdict[XG_VERDICT_PASS], 4);
	EXPECT_EQ(allow_hits("10.123.0.0/16"), 2);
	EXPECT_EQ(allow_hits("fd00:123::/32"), 1);
	EXPECT_EQ(block_hits("10.123.1.2"), 0);
	/* Allowed traffic is counted in full. */
	EXPECT_EQ(port_get(XG_PORT_L4_UDP, 5060), 4);
}

static void test_longest_prefix_first(void)
{
	struct xg_stats st;

	/* A rate limit generous enough never to bite, on the longer prefix. */
	BLOCK("10.0.0.0/8");
	BLOCK_RATE("10.123.1.0/24", 1000000);

	EXPECT_EQ(SEND_FROM("10.123.1.2"), XDP_PASS); /* the /24 decides */
	EXPECT_EQ(SEND_FROM("10.9.9.9"), XDP_DROP);   /* only the /8 matches */

	stats_get(&st);
	EXPECT_EQ(st.drop[XG_REASON_BLOCK_PREFIX], 1);
	EXPECT_EQ(st.drop[XG_REASON_RATELIMIT], 0);
	EXPECT_EQ(block_hits("10.123.1.0/24"), 1);
	EXPECT_EQ(block_hits("10.0.0.0/8"), 1);
}

static void test_exact_before_prefix(void)
{
	struct xg_stats st;

	BLOCK("10.123.1.0/24");
	BLOCK_RATE("10.123.1.2", 1000000);
	BLOCK("fd00:123:1::/64");
	BLOCK_RATE("fd00:123:1::2", 1000000);

	EXPECT_EQ(SEND_FROM("10.123.1.2"), XDP_PASS);
	EXPECT_EQ(SEND_FROM("10.123.1.9"), XDP_DROP);
	EXPECT_EQ(SEND_FROM("fd00:123:1::2"), XDP_PASS);
	EXPECT_EQ(SEND_FROM("fd00:123:1::9"), XDP_DROP);

	stats_get(&st);
	EXPECT_EQ(st.drop[XG_REASON_BLOCK_PREFIX], 2);
	EXPECT_EQ(st.verdict[XG_VERDICT_PASS], 2);
	EXPECT_EQ(block_hits("10.123.1.2"), 1);
	EXPECT_EQ(block_hits("fd00:123:1::2"), 1);
}

static void test_block_everything(void)
{
	struct xg_config cfg;
	struct xg_stats st;

	BLOCK("0.0.0.0/0");
	BLOCK("::/0");
	ALLOW("10.123.1.3");
	CFG_GET(&cfg);
	EXPECT_EQ(cfg.block_v4.n, 1);
	EXPECT_EQ(cfg.block_v4.len[0], 0);
	EXPECT_EQ(cfg.block_v4.mask[0], 0);
	EXPECT_EQ(cfg.block_v6.n, 1);
	EXPECT_EQ(cfg.block_v6.len[0], 0);
	EXPECT_EQ(cfg.block_v6.mask[0][0] | cfg.block_v6.mask[0][3], 0);

	EXPECT_EQ(SEND_FROM("10.123.1.2"), XDP_DROP);
	EXPECT_EQ(SEND_FROM("203.0.113.9"), XDP_DROP);
	EXPECT_EQ(SEND_FROM("2001:db8::1"), XDP_DROP);
	EXPECT_EQ(SEND_FROM("10.123.1.3"), XDP_PASS);
	stats_get(&st);
	EXPECT_EQ(st.drop[XG_REASON_BLOCK_PREFIX], 3);
	EXPECT_EQ(st.allowed, 1);
	EXPECT_EQ(block_hits("0.0.0.0/0"), 2);
	EXPECT_EQ(block_hits("::/0"), 1);
}

static void test_unblock(void)
{
	struct xg_config cfg;
	struct xg_cidr c = CIDR("10.123.1.2");
	char err[256] = "";
	int ret;

	BLOCK("10.123.1.2");
	EXPECT_EQ(SEND_FROM("10.123.1.2"), XDP_DROP);
	UNBLOCK("10.123.1.2");
	EXPECT_EQ(SEND_FROM("10.123.1.2"), XDP_PASS);
	CFG_GET(&cfg);
	EXPECT_EQ(cfg.have & XG_HAVE_BLOCK_V4, 0);
	EXPECT_EQ(xg_list_count(&fx.m, XG_LIST_BLOCK), 0);

	ret = xg_list_del(&fx.m, XG_LIST_BLOCK, &c, err, sizeof(err));
	EXPECT_TRUE(ret == -ENOENT);
	check_at(strstr(err, "10.123.1.2") != NULL, __FILE__, __LINE__,
		 "the error names the entry: '%s'", err);
}

static void test_expired_exact(void)
{
	uint64_t now = now_ns();
	struct xg_block b;
	struct xg_stats st;
	struct xg_config cfg;

	BLOCK_TTL("10.123.1.2", 1, now - 10 * NS_PER_S); /* expired 9 s ago */
	BLOCK_TTL("10.123.1.3", 3600, now);
	EXPECT_EQ(block_entry("10.123.1.2", &b), 0);
	EXPECT_EQ(b.expires_ns, now - 9 * NS_PER_S);

	EXPECT_EQ(SEND_FROM("10.123.1.2"), XDP_PASS);
	EXPECT_EQ(SEND_FROM("10.123.1.3"), XDP_DROP);
	stats_get(&st);
	EXPECT_EQ(st.drop[XG_REASON_BLOCK], 1);
	EXPECT_EQ(st.verdict[XG_VERDICT_PASS], 1);

	EXPECT_EQ(xg_block_reap(&fx.m, now_ns()), 1);
	EXPECT_TRUE(block_entry("10.123.1.2", &b) == -ENOENT);
	EXPECT_EQ(block_entry("10.123.1.3", &b), 0);
	EXPECT_EQ(xg_list_count(&fx.m, XG_LIST_BLOCK), 1);
	CFG_GET(&cfg);
	EXPECT_TRUE(cfg.have & XG_HAVE_BLOCK_V4); /* the live one is still there */
	EXPECT_EQ(SEND_FROM("10.123.1.3"), XDP_DROP);
	EXPECT_EQ(xg_block_reap(&fx.m, now_ns()), 0);
}

static void test_expired_prefix(void)
{
	uint64_t now = now_ns();
	struct xg_config cfg;
	struct xg_stats st;

	BLOCK_TTL("10.123.1.0/24", 1, now - 10 * NS_PER_S);
	BLOCK_TTL("fd00:123:1::/64", 1, now - 10 * NS_PER_S);
	EXPECT_EQ(SEND_FROM("10.123.1.2"), XDP_PASS);
	EXPECT_EQ(SEND_FROM("fd00:123:1::2"), XDP_PASS);
	stats_get(&st);
	EXPECT_EQ(SUM(st.drop), 0);
	EXPECT_EQ(block_hits("10.123.1.0/24"), 0);

	EXPECT_EQ(xg_block_reap(&fx.m, now_ns()), 2);
	EXPECT_EQ(xg_list_count(&fx.m, XG_LIST_BLOCK), 0);
	CFG_GET(&cfg);
	EXPECT_EQ(cfg.block_v4.n, 0);
	EXPECT_EQ(cfg.block_v6.n, 0);
	EXPECT_EQ(cfg.have & (XG_HAVE_BLOCK_V4 | XG_HAVE_BLOCK_V6), 0);
}

static void test_expired_exact_live_prefix(void)
{
	uint64_t now = now_ns();
	struct xg_stats st;

	/* An expired exact entry must not hide a live prefix behind it. */
	BLOCK_TTL("10.123.1.2", 1, now - 10 * NS_PER_S);
	BLOCK_TTL("10.123.1.0/24", 60, now);
	EXPECT_EQ(SEND_FROM("10.123.1.2"), XDP_DROP);
	stats_get(&st);
	EXPECT_EQ(st.drop[XG_REASON_BLOCK_PREFIX], 1);
	EXPECT_EQ(st.drop[XG_REASON_BLOCK], 0);
}

/* Sends n datagrams from src back to back; returns how many passed. */
static int burst(const char *src, int n, uint64_t *elapsed_ns)
{
	uint64_t t0 = now_ns();
	int i, passed = 0;

	for (i = 0; i < n; i++) {
		if (SEND_FROM(src) == XDP_PASS)
			passed++;
	}
	*elapsed_ns += now_ns() - t0;
	return passed;
}

/*
 * GCRA at 10 pps: interval I = 100 ms, burst tolerance max(I, 100 ms) = I.
 * The first packet sets TAT = t1 + I; after k passes TAT = t1 + k * I, and
 * the next conforms only when TAT - now < I, i.e. now > t1 + (k - 1) * I.
 * So a burst spanning E passes at most 2 + E / I packets: 2 when the loop
 * takes under 100 ms (it takes a few ms), one more per further 100 ms on a
 * very slow machine. The 10 ms is the coarse clock's tick granularity.
 */
static uint64_t rl_max_passes(uint64_t elapsed_ns)
{
	return 2 + (elapsed_ns + 10000000ULL) / RL_BURST_NS;
}

static void test_ratelimit_v4(void)
{
	struct xg_stats st;
	struct xg_block b;
	uint64_t elapsed = 0;
	int passed;

	BLOCK_RATE("10.123.1.2", 10);
	EXPECT_EQ(block_entry("10.123.1.2", &b), 0);
	EXPECT_EQ(b.action, XG_ACTION_RATELIMIT);
	EXPECT_EQ(b.rate_pps, 10);

	passed = burst("10.123.1.2", 100, &elapsed);
	EXPECT_RANGE(passed, 1, rl_max_passes(elapsed));
	stats_get(&st);
	EXPECT_EQ(st.drop[XG_REASON_RATELIMIT], 100 - passed);
	EXPECT_EQ(st.drop[XG_REASON_BLOCK], 0);
	EXPECT_EQ(st.verdict[XG_VERDICT_DROP], 100 - passed);
	EXPECT_EQ(st.verdict[XG_VERDICT_PASS], passed);
	EXPECT_EQ(port_get(XG_PORT_L4_UDP, 5060), passed);
	EXPECT_EQ(block_hits("10.123.1.2"), 100);
	/* Other sources are not limited. */
	EXPECT_EQ(SEND_FROM("10.123.1.3"), XDP_PASS);
}

static void test_ratelimit_v6_per_source(void)
{
	struct xg_stats st;
	uint64_t elapsed = 0;
	uint8_t key[16], next[16];
	int a, b, entries = 0;

	BLOCK_RATE("fd00:123:1::/64", 10);
	a = burst("fd00:123:1::2", 50, &elapsed);
	b = burst("fd00:123:1::3", 50, &elapsed);
	/* Each source has its own bucket under the one prefix entry. */
	EXPECT_RANGE(a, 1, rl_max_passes(elapsed));
	EXPECT_RANGE(b, 1, rl_max_passes(elapsed));
	stats_get(&st);
	EXPECT_EQ(st.drop[XG_REASON_RATELIMIT], 100 - a - b);
	EXPECT_EQ(st.drop[XG_REASON_BLOCK_PREFIX], 0);
	EXPECT_EQ(st.verdict[XG_VERDICT_PASS], a + b);
	EXPECT_EQ(block_hits("fd00:123:1::/64"), 100);

	if (bpf_map_get_next_key(fx.m.rl_v6, NULL, key) == 0) {
		entries = 1;
		while (bpf_map_get_next_key(fx.m.rl_v6, key, next) == 0) {
			memcpy(key, next, sizeof(key));
			entries++;
		}
	}
	EXPECT_EQ(entries, 2);
}

static void test_monitor_only(void)
{
	struct xg_config cfg;
	struct xg_stats st;
	uint64_t elapsed = 0;
	int passed;

	CFG_GET(&cfg);
	cfg.flags |= XG_CFG_MONITOR_ONLY;
	CFG_PUT(&cfg);
	BLOCK("10.123.1.2");
	BLOCK("10.123.2.0/24");
	BLOCK("fd00:123:1::2");
	BLOCK_RATE("10.123.3.2", 10);

	EXPECT_EQ(SEND_FROM("10.123.1.2"), XDP_PASS);
	EXPECT_EQ(SEND_FROM("10.123.2.2"), XDP_PASS);
	EXPECT_EQ(SEND_FROM("fd00:123:1::2"), XDP_PASS);
	passed = burst("10.123.3.2", 20, &elapsed);
	EXPECT_EQ(passed, 20);

	stats_get(&st);
	EXPECT_EQ(SUM(st.drop), 0);
	EXPECT_EQ(st.verdict[XG_VERDICT_DROP], 0);
	EXPECT_EQ(st.would_drop[XG_REASON_BLOCK], 2);
	EXPECT_EQ(st.would_drop[XG_REASON_BLOCK_PREFIX], 1);
	EXPECT_RANGE(st.would_drop[XG_REASON_RATELIMIT], 20 - rl_max_passes(elapsed), 19);
	EXPECT_EQ(st.verdict[XG_VERDICT_WOULD_DROP], SUM(st.would_drop));
	EXPECT_EQ(st.verdict[XG_VERDICT_PASS] + st.verdict[XG_VERDICT_WOULD_DROP], 23);
	/* Would-drop traffic is still counted in full. */
	EXPECT_EQ(port_get(XG_PORT_L4_UDP, 5060), 23);
	EXPECT_EQ(st.sip[XG_SIP_KEEPALIVE], 23);
	EXPECT_EQ(block_hits("10.123.1.2"), 1);

	/* Back to enforcing (re-read: the list API rewrote the plan since). */
	CFG_GET(&cfg);
	EXPECT_TRUE(cfg.flags & XG_CFG_MONITOR_ONLY); /* list updates keep the flag */
	cfg.flags &= ~XG_CFG_MONITOR_ONLY;
	CFG_PUT(&cfg);
	EXPECT_EQ(SEND_FROM("10.123.1.2"), XDP_DROP);
	stats_get(&st);
	EXPECT_EQ(st.drop[XG_REASON_BLOCK], 1);
	EXPECT_EQ(st.would_drop[XG_REASON_BLOCK], 2);
}

static void test_reblock_keeps_hits(void)
{
	uint64_t t0 = now_ns();
	struct xg_block b;

	BLOCK_TTL("10.123.1.2", 60, t0);
	EXPECT_EQ(SEND_FROM("10.123.1.2"), XDP_DROP);
	EXPECT_EQ(SEND_FROM("10.123.1.2"), XDP_DROP);
	EXPECT_EQ(SEND_FROM("10.123.1.2"), XDP_DROP);
	BLOCK_TTL("10.123.1.2", 120, t0 + 5 * NS_PER_S);
	EXPECT_EQ(block_entry("10.123.1.2", &b), 0);
	EXPECT_EQ(b.hits, 3);
	EXPECT_EQ(b.created_ns, t0);
	EXPECT_EQ(b.expires_ns, t0 + 125 * NS_PER_S);
	EXPECT_EQ(b.action, XG_ACTION_DROP);
	EXPECT_EQ(b.origin, XG_ORIGIN_API);
}

static void test_entry_fields(void)
{
	struct xg_cidr c = CIDR("fd00:123:1::/48");
	struct xg_block_spec spec = {
	    .ttl_s = 0, .rate_pps = 500, .incident = 42, .origin = XG_ORIGIN_CONTROLLER};
	uint64_t now = now_ns();
	struct xg_block b;
	struct xg_allow a;
	char err[256] = "";

	EXPECT_EQ(xg_block_add(&fx.m, &c, &spec, now, err, sizeof(err)), 0);
	EXPECT_EQ(block_entry("fd00:123:1::/48", &b), 0);
	EXPECT_EQ(b.expires_ns, 0);
	EXPECT_EQ(b.created_ns, now);
	EXPECT_EQ(b.rate_pps, 500);
	EXPECT_EQ(b.action, XG_ACTION_RATELIMIT);
	EXPECT_EQ(b.incident, 42);
	EXPECT_EQ(b.origin, XG_ORIGIN_CONTROLLER);
	EXPECT_EQ(b.hits, 0);

	ALLOW("192.0.2.0/24");
	EXPECT_EQ(allow_entry("192.0.2.0/24", &a), 0);
	EXPECT_TRUE(strcmp(a.comment, "test") == 0);
	EXPECT_TRUE(a.created_ns > 0);
	EXPECT_EQ(xg_list_count(&fx.m, XG_LIST_BLOCK), 1);
	EXPECT_EQ(xg_list_count(&fx.m, XG_LIST_ALLOW), 1);
}

static void test_have_bits(void)
{
	struct xg_config cfg;

	CFG_GET(&cfg);
	EXPECT_EQ(cfg.have, 0); /* nothing listed: no lookups at all */
	BLOCK("fd00:123:1::2");
	CFG_GET(&cfg);
	EXPECT_EQ(cfg.have, XG_HAVE_BLOCK_V6);
	EXPECT_EQ(cfg.block_v6.n, 0); /* exact entries need no prefix length */
	ALLOW("10.123.1.2");
	CFG_GET(&cfg);
	EXPECT_EQ(cfg.have, XG_HAVE_BLOCK_V6 | XG_HAVE_ALLOW_V4);
	UNBLOCK("fd00:123:1::2");
	UNALLOW("10.123.1.2");
	CFG_GET(&cfg);
	EXPECT_EQ(cfg.have, 0);
	/* The flags and defaults around the tables are preserved. */
	EXPECT_EQ(cfg.abi_version, XG_ABI_VERSION);
	EXPECT_EQ(cfg.sample_shift, XG_DEFAULT_SAMPLE_SHIFT);
	EXPECT_EQ(cfg.rtp_lo, XG_DEFAULT_RTP_LO);
	EXPECT_EQ(cfg.rtp_hi, XG_DEFAULT_RTP_HI);
}

static void test_sync_lens_v4(void)
{
	struct xg_config cfg;
	char err[256] = "";

	BLOCK("10.123.0.0/16");
	BLOCK("10.0.0.0/8");
	BLOCK("10.124.2.0/23");
	BLOCK("10.125.0.0/16"); /* a length already present */
	BLOCK("10.126.1.1");	/* exact: not a prefix length */
	CFG_GET(&cfg);
	EXPECT_TRUE(cfg.have & XG_HAVE_BLOCK_V4);
	EXPECT_EQ(cfg.have & XG_HAVE_BLOCK_V6, 0);
	EXPECT_EQ(cfg.block_v4.n, 3);
	EXPECT_EQ(cfg.block_v4.len[0], 23);
	EXPECT_EQ(cfg.block_v4.len[1], 16);
	EXPECT_EQ(cfg.block_v4.len[2], 8);
	EXPECT_EQ(cfg.block_v4.mask[0], htonl(0xfffffe00));
	EXPECT_EQ(cfg.block_v4.mask[1], htonl(0xffff0000));
	EXPECT_EQ(cfg.block_v4.mask[2], htonl(0xff000000));
	EXPECT_EQ(cfg.allow_v4.n, 0);

	EXPECT_EQ(SEND_FROM("10.124.3.200"), XDP_DROP); /* in the /23 */
	EXPECT_EQ(block_hits("10.124.2.0/23"), 1);

	/* Syncing again from the maps gives the same plan. */
	EXPECT_EQ(xg_lists_sync(&fx.m, err, sizeof(err)), 0);
	CFG_GET(&cfg);
	EXPECT_EQ(cfg.block_v4.n, 3);
	EXPECT_EQ(cfg.block_v4.len[0], 23);

	UNBLOCK("10.123.0.0/16");
	CFG_GET(&cfg);
	EXPECT_EQ(cfg.block_v4.n, 3); /* 10.125.0.0/16 still uses /16 */
	UNBLOCK("10.125.0.0/16");
	CFG_GET(&cfg);
	EXPECT_EQ(cfg.block_v4.n, 2);
	EXPECT_EQ(cfg.block_v4.len[0], 23);
	EXPECT_EQ(cfg.block_v4.len[1], 8);
	EXPECT_EQ(cfg.block_v4.mask[1], htonl(0xff000000));
	UNBLOCK("10.0.0.0/8");
	UNBLOCK("10.124.2.0/23");
	CFG_GET(&cfg);
	EXPECT_EQ(cfg.block_v4.n, 0);
	EXPECT_TRUE(cfg.have & XG_HAVE_BLOCK_V4); /* the exact entry is left */
	UNBLOCK("10.126.1.1");
	CFG_GET(&cfg);
	EXPECT_EQ(cfg.have & XG_HAVE_BLOCK_V4, 0);
	EXPECT_EQ(SEND_FROM("10.124.3.200"), XDP_PASS);
}

static void test_sync_lens_v6(void)
{
	struct xg_config cfg;

	ALLOW("fd00:123::/48");
	ALLOW("fd00:123:1::/64");
	ALLOW("fd00:123:1::/127");
	ALLOW("fc00::/7");
	CFG_GET(&cfg);
	EXPECT_EQ(cfg.have, XG_HAVE_ALLOW_V6);
	EXPECT_EQ(cfg.allow_v6.n, 4);
	EXPECT_EQ(cfg.allow_v6.len[0], 127);
	EXPECT_EQ(cfg.allow_v6.len[1], 64);
	EXPECT_EQ(cfg.allow_v6.len[2], 48);
	EXPECT_EQ(cfg.allow_v6.len[3], 7);
	EXPECT_EQ(cfg.allow_v6.mask[0][0], 0xffffffff);
	EXPECT_EQ(cfg.allow_v6.mask[0][3], htonl(0xfffffffe));
	EXPECT_EQ(cfg.allow_v6.mask[1][1], 0xffffffff);
	EXPECT_EQ(cfg.allow_v6.mask[1][2], 0);
	EXPECT_EQ(cfg.allow_v6.mask[2][1], htonl(0xffff0000));
	EXPECT_EQ(cfg.allow_v6.mask[2][2], 0);
	EXPECT_EQ(cfg.allow_v6.mask[3][0], htonl(0xfe000000));
	EXPECT_EQ(cfg.allow_v6.mask[3][1], 0);
	EXPECT_EQ(cfg.block_v6.n, 0);

	/* The plan works: an address only the /7 covers is allowed. */
	BLOCK("fd99::/16");
	EXPECT_EQ(SEND_FROM("fd99::1"), XDP_PASS);
	EXPECT_EQ(allow_hits("fc00::/7"), 1);

	UNALLOW("fd00:123::/48");
	UNALLOW("fd00:123:1::/64");
	UNALLOW("fd00:123:1::/127");
	UNALLOW("fc00::/7");
	CFG_GET(&cfg);
	EXPECT_EQ(cfg.allow_v6.n, 0);
	EXPECT_EQ(cfg.have & XG_HAVE_ALLOW_V6, 0);
	EXPECT_EQ(SEND_FROM("fd99::1"), XDP_DROP);
}

static void test_too_many_lens(void)
{
	struct xg_config before, after;
	struct xg_cidr c;
	struct xg_block_spec spec = {.origin = XG_ORIGIN_MANUAL};
	struct xg_block b;
	char text[64], err[256] = "";
	int len, ret;

	/* XG_PREFIX_LENS_MAX distinct lengths: /8 .. /23. */
	for (len = 8; len < 8 + XG_PREFIX_LENS_MAX; len++) {
		snprintf(text, sizeof(text), "10.0.0.0/%d", len);
		BLOCK(text);
	}
	CFG_GET(&before);
	EXPECT_EQ(before.block_v4.n, XG_PREFIX_LENS_MAX);

	c = CIDR("192.168.1.0/24");
	ret = xg_block_add(&fx.m, &c, &spec, now_ns(), err, sizeof(err));
	EXPECT_TRUE(ret < 0);
	check_at(strstr(err, "prefix length") != NULL, __FILE__, __LINE__,
		 "the error explains the limit: '%s'", err);
	CFG_GET(&after);
	EXPECT_TRUE(memcmp(&before, &after, sizeof(before)) == 0);
	EXPECT_TRUE(block_entry("192.168.1.0/24", &b) == -ENOENT);
	EXPECT_EQ(xg_list_count(&fx.m, XG_LIST_BLOCK), XG_PREFIX_LENS_MAX);
	EXPECT_EQ(SEND_FROM("192.168.1.2"), XDP_PASS);

	/* A length already in use still fits; so does another family. */
	BLOCK("192.168.0.0/16");
	BLOCK("fd00:123:1::/64");
	EXPECT_EQ(SEND_FROM("192.168.1.2"), XDP_DROP);

	/* An entry put in behind the API's back: sync refuses the plan and
	 * leaves the config as it was. */
	{
		struct xg_v4_prefix_key k = {.prefixlen = 30, .addr = {172, 16, 0, 4}};
		struct xg_block v = {0};

		CFG_GET(&before);
		EXPECT_EQ(bpf_map_update_elem(fx.m.block_pfx_v4, &k, &v, BPF_ANY), 0);
		err[0] = '\0';
		EXPECT_TRUE(xg_lists_sync(&fx.m, err, sizeof(err)) < 0);
		EXPECT_TRUE(err[0] != '\0');
		CFG_GET(&after);
		EXPECT_TRUE(memcmp(&before, &after, sizeof(before)) == 0);
	}
}

static void test_malformed_blocked(void)
{
	struct pkt_spec s;
	struct xg_stats st;
	uint8_t buf[PKT_MAX];
	int i;

	/* The lists need only the source address, so a packet that ends early
	 * after it still meets them: a blocked source is dropped (and, never
	 * parsed further, not counted as malformed); an unknown one passes and
	 * is counted as malformed. */
	BLOCK("10.123.1.2");
	spec_v4(&s, "10.123.1.2", IPPROTO_TCP, 5060);
	BUILD(&s, buf);
	EXPECT_EQ(RUN(buf, 14 + 20 + 10), XDP_DROP);
	spec_v4(&s, "10.123.1.9", IPPROTO_TCP, 5060);
	BUILD(&s, buf);
	EXPECT_EQ(RUN(buf, 14 + 20 + 10), XDP_PASS);
	stats_get(&st);
	EXPECT_EQ(st.malformed[XG_MAL_L4], 1);
	EXPECT_EQ(st.drop[XG_REASON_BLOCK], 1);
	EXPECT_EQ(block_hits("10.123.1.2"), 1);

	/* More extension headers than the parser walks is no way around a
	 * block: the IPv6 source is known before the chain. */
	BLOCK("fd00:7b::2");
	pkt_spec_init(&s);
	pkt_set_addr(&s, 1, "fd00:7b::2");
	pkt_set_addr(&s, 0, "fd00:7b::1");
	s.next_ext = XG_IPV6_MAX_EXT + 1;
	for (i = 0; i < s.next_ext; i++)
		s.ext_type[i] = IPPROTO_DSTOPTS;
	EXPECT_EQ(RUN_SPEC(&s), XDP_DROP);
	pkt_set_addr(&s, 1, "fd00:7b::9");
	EXPECT_EQ(RUN_SPEC(&s), XDP_PASS);
	stats_get(&st);
	EXPECT_EQ(st.malformed[XG_MAL_IPV6_EXT], 1);
	EXPECT_EQ(st.drop[XG_REASON_BLOCK], 2);
}

static void test_fragments_blocked(void)
{
	struct pkt_spec s;
	struct xg_stats st;

	/* Fragments carry the source address: the block applies to all. */
	BLOCK("10.123.1.2");
	spec_v4(&s, "10.123.1.2", IPPROTO_UDP, 5060);
	spec_text(&s, "fragment payload");
	s.frag_more = 1;
	EXPECT_EQ(RUN_SPEC(&s), XDP_DROP);
	s.frag_more = 0;
	s.frag_offset = 100;
	EXPECT_EQ(RUN_SPEC(&s), XDP_DROP);
	stats_get(&st);
	EXPECT_EQ(st.drop[XG_REASON_BLOCK], 2);
}

static const struct fx_test tests[] = {
    {"allow over block, IPv4 (/24 + exact)", test_allow_over_block_v4},
    {"allow over block, IPv6 (/64 + /128)", test_allow_over_block_v6},
    {"allow prefix covering blocked hosts", test_allow_prefix_covers_block},
    {"longest block prefix is probed first", test_longest_prefix_first},
    {"exact block entry before prefix", test_exact_before_prefix},
    {"0.0.0.0/0 and ::/0 block everything but the allowlist", test_block_everything},
    {"unblock with xg_list_del", test_unblock},
    {"expired exact block passes, reap removes it", test_expired_exact},
    {"expired prefix blocks pass, reap clears the plan", test_expired_prefix},
    {"expired exact entry does not hide a live prefix", test_expired_exact_live_prefix},
    {"rate limit 10 pps, IPv4 exact entry", test_ratelimit_v4},
    {"rate limit 10 pps per source under an IPv6 prefix", test_ratelimit_v6_per_source},
    {"monitor-only: would_drop, never drop", test_monitor_only},
    {"re-block keeps hits and created time", test_reblock_keeps_hits},
    {"entry fields written by the API", test_entry_fields},
    {"have-bits follow the lists", test_have_bits},
    {"xg_lists_sync: IPv4 lengths longest first, masks", test_sync_lens_v4},
    {"xg_lists_sync: IPv6 lengths and masks (allowlist)", test_sync_lens_v6},
    {"too many prefix lengths refused, nothing changed", test_too_many_lens},
    {"malformed packet from a blocked source is still dropped", test_malformed_blocked},
    {"fragments from a blocked source are dropped", test_fragments_blocked},
    {NULL, NULL},
};

int register_list_tests(void)
{
	return fx_add_suite("lists", tests);
}
