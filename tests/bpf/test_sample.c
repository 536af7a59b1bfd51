// SPDX-License-Identifier: GPL-2.0-only
/* Packet sampling into the xg_samples ring buffer: the record layout, the
 * 1-in-2^n rate, dropped packets included, and loss counted when the ring
 * is full. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stddef.h>
#include <netinet/in.h>
#include <string.h>
#include <time.h>

#include "harness.h"

struct got {
	size_t n;
	struct xg_sample first, last;
};

static int on_sample(void *ctx, void *data, size_t size)
{
	struct got *g = ctx;

	const struct xg_sample *s = data;

	/* a record ends with its captured bytes (the ring pads to 8) */
	if (size < XG_SAMPLE_HDR || size != XG_SAMPLE_HDR + (size_t)s->cap_len)
		return -EINVAL;
	if (!g->n) {
		memset(&g->first, 0, sizeof(g->first));
		memcpy(&g->first, data, size);
	}
	memset(&g->last, 0, sizeof(g->last));
	memcpy(&g->last, data, size);
	g->n++;
	return 0;
}

/* Everything in the ring now; the ring is drained either way. */
static struct got drain(void)
{
	struct got g = {0};
	struct ring_buffer *rb = ring_buffer__new(fx.m.samples, on_sample, &g, NULL);

	EXPECT_TRUE(rb != NULL);
	if (rb) {
		EXPECT_TRUE(ring_buffer__consume(rb) >= 0);
		ring_buffer__free(rb);
	}
	return g;
}

static void set_pcap_shift(uint32_t shift)
{
	struct xg_config cfg;

	CFG_GET(&cfg);
	cfg.pcap_shift = shift;
	CFG_PUT(&cfg);
}

/* A UDP datagram of len payload bytes from src; returns the frame length. */
static size_t udp_frame(const char *src, size_t len, uint8_t *buf, size_t cap)
{
	static const uint8_t pattern[PKT_MAX] = {0x80, 0x00, 0x12, 0x34};
	struct pkt_spec s;

	spec_v4(&s, src, IPPROTO_UDP, 40000);
	spec_payload(&s, pattern, len);
	return build_at(&s, buf, cap, __FILE__, __LINE__);
}

/* The same frame repeat times in one BPF_PROG_TEST_RUN: one CPU, so the
 * per-CPU sampling sequence is deterministic. */
static int run_repeat(const uint8_t *buf, size_t len, uint32_t repeat)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = (__u32)len,
		    .repeat = repeat);
	int ret = bpf_prog_test_run_opts(fx.prog_fd, &o);

	EXPECT_EQ(ret, 0);
	return ret ? -1 : (int)o.retval;
}

static void test_off_by_default(void)
{
	uint8_t buf[PKT_MAX];
	struct xg_stats st;
	size_t n = udp_frame("10.123.1.7", 100, buf, sizeof(buf));
	struct xg_config cfg;

	drain();
	CFG_GET(&cfg);
	EXPECT_EQ(cfg.pcap_shift, XG_PCAP_SHIFT_OFF);
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	EXPECT_EQ(drain().n, 0);
	stats_get(&st);
	EXPECT_EQ(st.pcap_seq, 0);
	EXPECT_EQ(st.pcap_samples, 0);
}

static void test_record_layout(void)
{
	uint8_t buf[PKT_MAX];
	size_t n = udp_frame("10.123.1.7", 100, buf, sizeof(buf));
	struct timespec ts;
	uint64_t t0, t1;
	struct xg_stats st;
	struct got g;

	drain();
	set_pcap_shift(0);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t1 = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	g = drain();
	EXPECT_EQ(g.n, 1);
	EXPECT_EQ(sizeof(struct xg_sample), XG_SAMPLE_HDR + XG_SAMPLE_SNAP);
	EXPECT_EQ(offsetof(struct xg_sample, data), XG_SAMPLE_HDR);
	EXPECT_EQ(g.first.orig_len, n);
	EXPECT_EQ(g.first.cap_len, n);
	EXPECT_EQ(g.first.verdict, XG_VERDICT_PASS);
	EXPECT_EQ(g.first.reason, XG_REASON_NONE);
	EXPECT_TRUE(g.first.ts_ns >= t0 && g.first.ts_ns <= t1);
	EXPECT_TRUE(memcmp(g.first.data, buf, n) == 0);
	stats_get(&st);
	EXPECT_EQ(st.pcap_samples, 1);
	EXPECT_EQ(st.pcap_lost, 0);
}

/* A full-size frame is kept whole; a jumbo one is cut at the snap length
 * with its length on the wire recorded. */
static void test_snap_length(void)
{
	static uint8_t big[XG_SAMPLE_SNAP + 600];
	uint8_t buf[PKT_MAX];
	size_t n = udp_frame("10.123.1.7", 1472, buf, sizeof(buf));
	struct got g;

	drain();
	set_pcap_shift(0);
	EXPECT_EQ(n, 1514);
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	g = drain();
	EXPECT_EQ(g.n, 1);
	EXPECT_EQ(g.first.orig_len, n);
	EXPECT_EQ(g.first.cap_len, n);
	EXPECT_TRUE(memcmp(g.first.data, buf, n) == 0);

	memcpy(big, buf, n); /* headers say less; the program parses what they say */
	EXPECT_EQ(RUN(big, sizeof(big)), XDP_PASS);
	g = drain();
	EXPECT_EQ(g.n, 1);
	EXPECT_EQ(g.first.orig_len, sizeof(big));
	EXPECT_EQ(g.first.cap_len, XG_SAMPLE_SNAP);
	EXPECT_TRUE(memcmp(g.first.data, big, XG_SAMPLE_SNAP) == 0);
}

static void test_dropped_sampled(void)
{
	uint8_t buf[PKT_MAX];
	size_t n = udp_frame("10.123.1.9", 60, buf, sizeof(buf));
	struct got g;

	drain();
	set_pcap_shift(0);
	BLOCK("10.123.1.9");
	EXPECT_EQ(RUN(buf, n), XDP_DROP);
	g = drain();
	EXPECT_EQ(g.n, 1);
	EXPECT_EQ(g.first.verdict, XG_VERDICT_DROP);
	EXPECT_EQ(g.first.reason, XG_REASON_BLOCK);

	/* monitor-only: passed, and sampled as a would-be drop */
	{
		struct xg_config cfg;

		CFG_GET(&cfg);
		cfg.flags |= XG_CFG_MONITOR_ONLY;
		CFG_PUT(&cfg);
	}
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	g = drain();
	EXPECT_EQ(g.n, 1);
	EXPECT_EQ(g.first.verdict, XG_VERDICT_WOULD_DROP);
	EXPECT_EQ(g.first.reason, XG_REASON_BLOCK);
}

static void test_rate(void)
{
	uint8_t buf[PKT_MAX];
	size_t n = udp_frame("10.123.1.7", 100, buf, sizeof(buf));
	struct xg_stats st;

	drain();
	set_pcap_shift(2);
	EXPECT_EQ(run_repeat(buf, n, 4000), XDP_PASS);
	EXPECT_EQ(drain().n, 1000);
	set_pcap_shift(10);
	EXPECT_EQ(run_repeat(buf, n, 4096), XDP_PASS);
	stats_get(&st);
	/* 4000 then 4096 more on the same sequence: 1 in 4, then 1 in 1024 */
	EXPECT_EQ(st.pcap_seq, 8096);
	EXPECT_EQ(drain().n, st.pcap_samples - 1000);
	EXPECT_RANGE(st.pcap_samples - 1000, 4, 5);
}

static void test_full_ring_counts_loss(void)
{
	uint8_t buf[PKT_MAX];
	size_t n = udp_frame("10.123.1.7", 100, buf, sizeof(buf));
	/* twice what the ring holds: a record is 8 bytes of ring header and
	 * the sample, padded to 8 */
	const uint32_t sent = 2 * XG_SAMPLES_BYTES / (8 + XG_SAMPLE_HDR + (uint32_t)n);
	struct xg_stats st;
	struct got g;

	drain();
	set_pcap_shift(0);
	EXPECT_EQ(run_repeat(buf, n, sent), XDP_PASS);
	g = drain();
	stats_get(&st);
	EXPECT_TRUE(st.pcap_lost > 0);
	EXPECT_EQ(st.pcap_samples + st.pcap_lost, sent);
	EXPECT_EQ(g.n, st.pcap_samples);
	/* drained: sampling works again */
	EXPECT_EQ(RUN(buf, n), XDP_PASS);
	EXPECT_EQ(drain().n, 1);
}

/* Hits on a block entry: exact up to XG_HITS_EXACT, then in steps, so a
 * flood does not write the shared entry on every packet. */
static void test_hits_sampled(void)
{
	uint8_t buf[PKT_MAX];
	size_t n = udp_frame("10.123.1.9", 60, buf, sizeof(buf));
	struct xg_block b;

	BLOCK("10.123.1.9");
	EXPECT_EQ(run_repeat(buf, n, 100), XDP_DROP);
	EXPECT_EQ(block_entry("10.123.1.9", &b), 0);
	EXPECT_EQ(b.hits, 100);
	EXPECT_EQ(run_repeat(buf, n, 39900), XDP_DROP);
	EXPECT_EQ(block_entry("10.123.1.9", &b), 0);
	EXPECT_RANGE(b.hits, 40000 - XG_HITS_STEP, 40000 + XG_HITS_STEP);
}

static const struct fx_test tests[] = {
    {"sampling is off until the controller turns it on", test_off_by_default},
    {"a record: time, lengths, verdict, the frame's bytes", test_record_layout},
    {"a full frame kept whole, a jumbo one cut at the snap length", test_snap_length},
    {"dropped and would-be-dropped packets are sampled with their reason", test_dropped_sampled},
    {"1 in 4, then 1 in 1024", test_rate},
    {"a full ring loses samples, counted, never blocks", test_full_ring_counts_loss},
    {"entry hits: exact, then sampled in steps of XG_HITS_STEP", test_hits_sampled},
    {NULL, NULL},
};

int register_sample_tests(void)
{
	return fx_add_suite("sample", tests);
}
