// SPDX-License-Identifier: GPL-2.0-only
/*
 * The drop fast path (bpf/xg_hot.h): a blocked source is remembered per CPU
 * once its entry counts in steps, and every list change made through
 * the list API reaches it on the next packet. Each test pins itself to one
 * CPU: the cache is per CPU, and BPF_PROG_TEST_RUN runs on the caller's.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "xdpguard.skel.h"

#define NS_PER_S 1000000000ULL
/* Packets that arm the cache: the exact hits, then the first step. */
#define ARM (XG_HITS_EXACT + 1)
/* The flood the tests arm with: ten more leave this CPU's step counter
 * at 11. */
#define FLOOD (ARM + 10)

struct pin {
	cpu_set_t saved;
	int cpu;
};

static void pin_at(struct pin *p, const char *file, int line)
{
	cpu_set_t one;

	p->cpu = sched_getcpu();
	check_at(p->cpu >= 0 && sched_getaffinity(0, sizeof(p->saved), &p->saved) == 0, file, line,
		 "cannot read the CPU affinity: %s", strerror(errno));
	CPU_ZERO(&one);
	CPU_SET(p->cpu, &one);
	check_at(sched_setaffinity(0, sizeof(one), &one) == 0, file, line,
		 "cannot pin to CPU %d: %s", p->cpu, strerror(errno));
}
#define PIN(p) pin_at((p), __FILE__, __LINE__)

static void unpin(struct pin *p)
{
	sched_setaffinity(0, sizeof(p->saved), &p->saved);
}

/* A flood's packet from src (IPv4 or IPv6), as the lists see it. */
static size_t flood_frame(uint8_t *buf, size_t cap, const char *src)
{
	struct pkt_spec s;

	spec_keepalive(&s, src);
	return build_at(&s, buf, cap, __FILE__, __LINE__);
}

/* Runs src's frame n times in one BPF_PROG_TEST_RUN; returns the last
 * verdict. */
static int send_n_at(const char *src, uint32_t n, const char *file, int line)
{
	uint8_t buf[PKT_MAX];
	size_t len = flood_frame(buf, sizeof(buf), src);
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = (__u32)len, .repeat = n);
	int ret = bpf_prog_test_run_opts(fx.prog_fd, &o);

	check_at(ret == 0, file, line, "BPF_PROG_TEST_RUN x%u: %s", n, strerror(-ret));
	return ret ? -1 : (int)o.retval;
}
#define SEND_N(src, n) send_n_at((src), (n), __FILE__, __LINE__)
#define SEND(src)      send_n_at((src), 1, __FILE__, __LINE__)

/* Every CPU's cache, read in one lookup; the caller frees it. */
static struct xg_hot *hot_read(void)
{
	struct xg_hot *all = calloc((size_t)fx.ncpu, sizeof(*all));
	__u32 zero = 0;

	if (!all || bpf_map_lookup_elem(bpf_map__fd(fx.skel->maps.xg_hot), &zero, all)) {
		check_at(false, __FILE__, __LINE__, "cannot read xg_hot: %s", strerror(errno));
		free(all);
		return NULL;
	}
	return all;
}

/* Whether cpu holds a current slot for src (IPv4 or IPv6); its head is
 * copied to out. */
static bool hot_find(int cpu, const char *src, struct xg_hot_head *out)
{
	struct xg_hot *all = hot_read();
	bool v6 = strchr(src, ':') != NULL;
	struct xg_config cfg;
	uint8_t a[16];
	bool found = false;
	int i;

	CFG_GET(&cfg);
	if (!all || inet_pton(v6 ? AF_INET6 : AF_INET, src, a) != 1) {
		free(all);
		return false;
	}
	for (i = 0; i < XG_HOT_SLOTS; i++) {
		const struct xg_hot_head *h = v6 ? &all[cpu].v6[i].h : &all[cpu].v4[i].h;
		const void *held = v6 ? (const void *)all[cpu].v6[i].src : &all[cpu].v4[i].src;

		if (!memcmp(held, a, v6 ? 16 : 4) && h->gen == cfg.list_gen + 1) {
			*out = *h;
			found = true;
		}
	}
	free(all);
	return found;
}

/* Slots in use on any CPU, current or not. */
static int hot_used(void)
{
	struct xg_hot *all = hot_read();
	int cpu, i, n = 0;

	for (cpu = 0; all && cpu < fx.ncpu; cpu++)
		for (i = 0; i < XG_HOT_SLOTS; i++)
			n += (all[cpu].v4[i].h.gen != 0) + (all[cpu].v6[i].h.gen != 0);
	free(all);
	return n;
}

/* An address in the same slot as base that differs from it only in its
 * last two bytes, written to out. */
static void slot_mate(const char *base, char *out, size_t cap)
{
	bool v6 = strchr(base, ':') != NULL;
	int af = v6 ? AF_INET6 : AF_INET;
	uint8_t a[16], b[16];
	__u32 w[4];
	int last = v6 ? 15 : 3, x;

	inet_pton(af, base, a);
	memcpy(w, a, sizeof(w));
	for (x = 0; x < 65536; x++) {
		__u32 ia, ib, v[4];

		memcpy(b, a, sizeof(b));
		b[last - 1] = (uint8_t)(x >> 8);
		b[last] = (uint8_t)x;
		memcpy(v, b, sizeof(v));
		ia = v6 ? xg_hot_index(xg_hot_fold6(w)) : xg_hot_index(w[0]);
		ib = v6 ? xg_hot_index(xg_hot_fold6(v)) : xg_hot_index(v[0]);
		if (memcmp(a, b, sizeof(a)) && ia == ib)
			break;
	}
	check_at(x < 65536, __FILE__, __LINE__, "no slot mate for %s", base);
	inet_ntop(af, b, out, (socklen_t)cap);
}

/* Floods src (blocked) with FLOOD packets, all dropped, after which p's CPU
 * holds a current slot for it; the slot's head goes to out if given. */
static void arm_at(const struct pin *p, const char *src, struct xg_hot_head *out, const char *file,
		   int line)
{
	struct xg_hot_head h;

	check_at(send_n_at(src, FLOOD, file, line) == XDP_DROP, file, line,
		 "the flood from %s was not dropped", src);
	check_at(hot_find(p->cpu, src, out ? out : &h), file, line, "%s is not cached on CPU %d",
		 src, p->cpu);
}
#define ARM_SRC(p, src, out) arm_at((p), (src), (out), __FILE__, __LINE__)

/* Deletes src's exact IPv4 block entry as bpftool would: behind the list
 * API, so with no new generation. */
static void delete_behind_api(const char *src)
{
	struct xg_v4_key key;
	struct in_addr a;

	check_at(inet_pton(AF_INET, src, &a) == 1, __FILE__, __LINE__, "bad address %s", src);
	memcpy(key.addr, &a.s_addr, sizeof(key.addr));
	check_at(bpf_map_delete_elem(fx.m.block_v4, &key) == 0, __FILE__, __LINE__,
		 "cannot delete %s: %s", src, strerror(errno));
}

static void test_arms_after_exact_hits(void)
{
	const uint32_t n = 3 * XG_HITS_STEP + 5;
	struct xg_hot_head slot;
	struct xg_block b;
	struct xg_stats st;
	struct pin p;

	PIN(&p);
	BLOCK("10.123.1.2");
	/* Entries count their first hits exactly: no slot until they step. */
	EXPECT_EQ(SEND_N("10.123.1.2", XG_HITS_EXACT - 1), XDP_DROP);
	EXPECT_EQ(hot_used(), 0);
	EXPECT_EQ(SEND("10.123.1.2"), XDP_DROP);
	EXPECT_TRUE(hot_find(p.cpu, "10.123.1.2", &slot));
	EXPECT_EQ(slot.reason, XG_REASON_BLOCK);
	EXPECT_EQ(slot.expires_ns, 0);

	/* A flood through the cache is counted as the full path counts it:
	 * every drop, and the entry's hits in steps (one at hit 1025, then
	 * one every XG_HITS_STEP). */
	EXPECT_EQ(SEND_N("10.123.1.2", n), XDP_DROP);
	stats_get(&st);
	EXPECT_EQ(st.drop[XG_REASON_BLOCK], XG_HITS_EXACT + n);
	EXPECT_EQ(st.verdict[XG_VERDICT_DROP], XG_HITS_EXACT + n);
	EXPECT_EQ(st.verdict[XG_VERDICT_PASS], 0);
	EXPECT_EQ(block_entry("10.123.1.2", &b), 0);
	EXPECT_EQ(b.hits, XG_HITS_EXACT + 4 * XG_HITS_STEP);
	EXPECT_TRUE(hot_find(p.cpu, "10.123.1.2", &slot));
	unpin(&p);
}

static void test_slot_mates(void)
{
	char mate4[INET_ADDRSTRLEN], mate6[INET6_ADDRSTRLEN];
	struct xg_hot_head slot;
	struct pin p;

	/* A source that shares a cached source's slot is compared in full:
	 * it is not dropped, and it does not evict the cached one. */
	slot_mate("10.123.1.2", mate4, sizeof(mate4));
	slot_mate("fd00:123:1::2", mate6, sizeof(mate6));
	PIN(&p);
	BLOCK("10.123.1.2");
	BLOCK("fd00:123:1::2");
	ARM_SRC(&p, "10.123.1.2", NULL);
	ARM_SRC(&p, "fd00:123:1::2", NULL);
	EXPECT_EQ(SEND(mate4), XDP_PASS);
	EXPECT_EQ(SEND(mate6), XDP_PASS);
	EXPECT_TRUE(hot_find(p.cpu, "10.123.1.2", &slot));
	EXPECT_TRUE(hot_find(p.cpu, "fd00:123:1::2", &slot));
	unpin(&p);
}

static void test_list_writes_change_gen(void)
{
	struct xg_config a, b;

	CFG_GET(&a);
	BLOCK("10.123.1.2");
	CFG_GET(&b);
	EXPECT_TRUE(b.list_gen != a.list_gen);
	ALLOW("10.123.5.0/24");
	CFG_GET(&a);
	EXPECT_TRUE(a.list_gen != b.list_gen);
	UNBLOCK("10.123.1.2");
	CFG_GET(&b);
	EXPECT_TRUE(b.list_gen != a.list_gen);
	EXPECT_TRUE(b.list_gen <= XG_LIST_GEN_MASK);
}

static void test_unblock_next_packet(void)
{
	struct pin p;

	PIN(&p);
	BLOCK("10.123.1.2");
	ARM_SRC(&p, "10.123.1.2", NULL);
	UNBLOCK("10.123.1.2");
	EXPECT_EQ(SEND("10.123.1.2"), XDP_PASS);
	EXPECT_EQ(SEND("10.123.1.2"), XDP_PASS);
	unpin(&p);
}

static void test_allow_next_packet(void)
{
	struct xg_hot_head slot;
	struct xg_stats st;
	struct pin p;

	PIN(&p);
	BLOCK("10.123.2.0/24");
	ARM_SRC(&p, "10.123.2.7", &slot);
	EXPECT_EQ(slot.reason, XG_REASON_BLOCK_PREFIX);
	/* A peer allowlisted in the middle of a flood is never dropped again. */
	ALLOW("10.123.2.7");
	EXPECT_EQ(SEND("10.123.2.7"), XDP_PASS);
	stats_get(&st);
	EXPECT_EQ(st.allowed, 1);
	EXPECT_EQ(st.drop[XG_REASON_BLOCK_PREFIX], FLOOD);
	EXPECT_EQ(SEND("10.123.2.8"), XDP_DROP);
	unpin(&p);
}

static void test_reblock_as_rate_limit(void)
{
	struct xg_hot_head slot;
	struct pin p;

	PIN(&p);
	BLOCK("10.123.1.2");
	ARM_SRC(&p, "10.123.1.2", NULL);
	/* Now 10 pps: the first packet of a fresh bucket conforms. */
	BLOCK_RATE("10.123.1.2", 10);
	EXPECT_EQ(SEND("10.123.1.2"), XDP_PASS);
	EXPECT_EQ(SEND_N("10.123.1.2", FLOOD), XDP_DROP);
	/* Rate-limited sources are never cached: the bucket decides. */
	EXPECT_TRUE(!hot_find(p.cpu, "10.123.1.2", &slot));
	unpin(&p);
}

static void test_monitor_only_after_arming(void)
{
	struct xg_config cfg;
	struct xg_stats st;
	struct pin p;

	PIN(&p);
	BLOCK("10.123.1.2");
	ARM_SRC(&p, "10.123.1.2", NULL);
	CFG_GET(&cfg);
	cfg.flags |= XG_CFG_MONITOR_ONLY;
	CFG_PUT(&cfg);
	EXPECT_EQ(SEND("10.123.1.2"), XDP_PASS);
	stats_get(&st);
	EXPECT_EQ(st.would_drop[XG_REASON_BLOCK], 1);
	cfg.flags &= ~XG_CFG_MONITOR_ONLY;
	CFG_PUT(&cfg);
	EXPECT_EQ(SEND("10.123.1.2"), XDP_DROP);
	unpin(&p);
}

/* Sets the expiry of src's exact entry and of its slot on cpu, as time
 * passing would (both hold the same instant). */
static void expire(const char *src, int cpu, uint64_t when)
{
	struct xg_hot *all = hot_read();
	struct in_addr a;
	struct xg_block b;
	__u32 zero = 0;
	int i;

	if (!all || inet_pton(AF_INET, src, &a) != 1 || block_entry(src, &b)) {
		check_at(false, __FILE__, __LINE__, "cannot expire %s", src);
		free(all);
		return;
	}
	b.expires_ns = when;
	check_at(bpf_map_update_elem(fx.m.block_v4, &a.s_addr, &b, BPF_EXIST) == 0, __FILE__,
		 __LINE__, "cannot rewrite the entry: %s", strerror(errno));
	for (i = 0; i < XG_HOT_SLOTS; i++)
		if (all[cpu].v4[i].src == a.s_addr)
			all[cpu].v4[i].h.expires_ns = when;
	check_at(bpf_map_update_elem(bpf_map__fd(fx.skel->maps.xg_hot), &zero, all, BPF_ANY) == 0,
		 __FILE__, __LINE__, "cannot rewrite xg_hot: %s", strerror(errno));
	free(all);
}

static void test_expiry(void)
{
	uint64_t now = now_ns();
	struct xg_hot_head slot;
	struct pin p;

	PIN(&p);
	BLOCK_TTL("10.123.1.2", 3600, now);
	ARM_SRC(&p, "10.123.1.2", &slot);
	EXPECT_EQ(slot.expires_ns, now + 3600 * NS_PER_S);
	expire("10.123.1.2", p.cpu, now_ns() - NS_PER_S);
	EXPECT_EQ(SEND("10.123.1.2"), XDP_PASS);
	EXPECT_TRUE(!hot_find(p.cpu, "10.123.1.2", &slot));
	unpin(&p);
}

static void test_edit_behind_the_api(void)
{
	struct xg_stats st;
	struct pin p;

	PIN(&p);
	BLOCK("10.123.1.2");
	ARM_SRC(&p, "10.123.1.2", NULL);
	stats_get(&st);
	EXPECT_EQ(st.hit_seq, 11); /* where FLOOD leaves it */

	/* Deleted with bpftool, say: no new generation. The cache keeps
	 * dropping until the step counter comes round, then the full path
	 * finds no entry and lets the source through. */
	delete_behind_api("10.123.1.2");
	EXPECT_EQ(SEND_N("10.123.1.2", XG_HITS_STEP - 11), XDP_DROP);
	stats_get(&st);
	EXPECT_EQ(st.drop[XG_REASON_BLOCK], FLOOD + XG_HITS_STEP - 11);
	EXPECT_EQ(SEND("10.123.1.2"), XDP_PASS);
	EXPECT_EQ(SEND("10.123.1.2"), XDP_PASS);
	unpin(&p);
}

static void test_malformed_header_passes(void)
{
	uint8_t buf[PKT_MAX];
	size_t len = flood_frame(buf, sizeof(buf), "10.123.1.2");
	struct xg_stats st;
	struct pin p;

	PIN(&p);
	BLOCK("10.123.1.2");
	ARM_SRC(&p, "10.123.1.2", NULL);
	/* IHL 4: the full parse calls it malformed and passes it; so does
	 * the cache. */
	buf[14] = 0x44;
	EXPECT_EQ(RUN(buf, len), XDP_PASS);
	stats_get(&st);
	EXPECT_EQ(st.malformed[XG_MAL_IPV4], 1);
	unpin(&p);
}

static void test_ipv6(void)
{
	struct xg_hot_head slot;
	struct xg_stats st;
	struct pin p;

	PIN(&p);
	BLOCK("fd00:123:1::2");
	BLOCK("fd00:123:2::/48");
	ARM_SRC(&p, "fd00:123:1::2", &slot);
	EXPECT_EQ(slot.reason, XG_REASON_BLOCK);
	ARM_SRC(&p, "fd00:123:2::7", &slot);
	EXPECT_EQ(slot.reason, XG_REASON_BLOCK_PREFIX);
	stats_get(&st);
	EXPECT_EQ(st.drop[XG_REASON_BLOCK], FLOOD);
	EXPECT_EQ(st.drop[XG_REASON_BLOCK_PREFIX], FLOOD);
	ALLOW("fd00:123:2::7");
	EXPECT_EQ(SEND("fd00:123:2::7"), XDP_PASS);
	UNBLOCK("fd00:123:1::2");
	EXPECT_EQ(SEND("fd00:123:1::2"), XDP_PASS);
	unpin(&p);
}

static void test_vlan(void)
{
	struct pkt_spec s;
	struct pin p;

	PIN(&p);
	BLOCK("10.123.1.2");
	ARM_SRC(&p, "10.123.1.2", NULL);
	/* With the entry gone behind the API, what the cache serves is
	 * still dropped and what takes the full path already passes: one
	 * tag (802.1Q or 802.1ad) is served, QinQ is not. */
	delete_behind_api("10.123.1.2");
	EXPECT_EQ(SEND("10.123.1.2"), XDP_DROP);
	spec_keepalive(&s, "10.123.1.2");
	s.nvlan = 1;
	s.vlan_id[0] = 100;
	EXPECT_EQ(RUN_SPEC(&s), XDP_DROP);
	s.vlan_tpid[0] = 0x88a8;
	EXPECT_EQ(RUN_SPEC(&s), XDP_DROP);
	s.nvlan = 2;
	s.vlan_tpid[1] = 0x8100;
	s.vlan_id[1] = 200;
	EXPECT_EQ(RUN_SPEC(&s), XDP_PASS);
	unpin(&p);
}

static const struct fx_test tests[] = {
    {"a source is cached after its exact hits, counted the same", test_arms_after_exact_hits},
    {"a source sharing a cached source's slot passes", test_slot_mates},
    {"every list write changes list_gen", test_list_writes_change_gen},
    {"unblock reaches a cached source on the next packet", test_unblock_next_packet},
    {"allowlisting a cached source passes its next packet", test_allow_next_packet},
    {"re-block as rate limit leaves the cache", test_reblock_as_rate_limit},
    {"monitor-only applies to cached sources", test_monitor_only_after_arming},
    {"an expired cached entry passes", test_expiry},
    {"an entry deleted behind the API passes at the next step", test_edit_behind_the_api},
    {"IHL < 5 from a cached source passes as malformed", test_malformed_header_passes},
    {"IPv6: exact and prefix cached, allow and unblock reach them", test_ipv6},
    {"one VLAN tag is served by the cache, QinQ takes the full path", test_vlan},
    {NULL, NULL},
};

int register_hot_tests(void)
{
	return fx_add_suite("hot", tests);
}
