// SPDX-License-Identifier: GPL-2.0-only
/* What the program learns about traffic beyond the counters: amplification
 * source-port classes, the sampled victim map, the SIP/RTP peer-learning
 * maps and their per-CPU budget, and the distinct-source bitmap with the
 * collector's estimate from it. */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <math.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector.h"
#include "harness.h"
#include "rtcfg.h"

#define SYN	0x02
#define ACK	0x10
#define PSH_ACK 0x18

/* Pins the calling thread to the CPU it is on, so per-CPU state (sequences,
 * budgets, bitmap blocks) sees every packet of a test. */
struct pin {
	cpu_set_t old;
	bool ok;
	int cpu;
};

static void pin_at(struct pin *p, const char *file, int line)
{
	cpu_set_t one;

	p->cpu = sched_getcpu();
	if (p->cpu < 0)
		p->cpu = 0;
	CPU_ZERO(&one);
	CPU_SET(p->cpu, &one);
	p->ok = sched_getaffinity(0, sizeof(p->old), &p->old) == 0 &&
		sched_setaffinity(0, sizeof(one), &one) == 0;
	check_at(p->ok, file, line, "pinned to CPU %d", p->cpu);
}

static void unpin(struct pin *p)
{
	if (p->ok)
		sched_setaffinity(0, sizeof(p->old), &p->old);
	p->ok = false;
}

#define PIN(p) pin_at((p), __FILE__, __LINE__)

/* Sends a spec and checks the verdict; returns the frame length. */
static size_t send_at(const struct pkt_spec *s, int want, const char *file, int line)
{
	uint8_t buf[PKT_MAX];
	size_t n = build_at(s, buf, sizeof(buf), file, line);

	if (!n)
		return 0;
	expect_eq_at((uint64_t)xdp_run_at(buf, n, file, line), (uint64_t)want, "verdict", file,
		     line);
	return n;
}

/* A spec from src (IPv4 or IPv6 text) with the given protocol and ports. */
static void spec_any(struct pkt_spec *s, const char *src, uint8_t proto, uint16_t sport,
		     uint16_t dport)
{
	if (strchr(src, ':'))
		spec_v6(s, src, proto, dport);
	else
		spec_v4(s, src, proto, dport);
	s->sport = sport;
}

static size_t send_udp_at(const char *src, uint16_t sport, uint16_t dport, const void *payload,
			  size_t len, int want, const char *file, int line)
{
	static const uint8_t pattern[PKT_MAX] = {0x55};
	struct pkt_spec s;

	spec_any(&s, src, IPPROTO_UDP, sport, dport);
	spec_payload(&s, payload ? payload : pattern, len);
	return send_at(&s, want, file, line);
}

static size_t send_tcp_at(const char *src, uint16_t sport, uint16_t dport, uint8_t flags,
			  const char *payload, int want, const char *file, int line)
{
	struct pkt_spec s;

	spec_any(&s, src, IPPROTO_TCP, sport, dport);
	s.tcp_flags = flags;
	if (payload)
		spec_text(&s, payload);
	return send_at(&s, want, file, line);
}

#define SEND_UDP(src, sport, dport, payload, len)                                                  \
	send_udp_at((src), (sport), (dport), (payload), (len), XDP_PASS, __FILE__, __LINE__)
#define SEND_TCP(src, sport, dport, flags, payload)                                                \
	send_tcp_at((src), (sport), (dport), (flags), (payload), XDP_PASS, __FILE__, __LINE__)

/* A well-formed SIP request over UDP to 5060. */
static void send_sip_at(const char *src, const char *method, const char *file, int line)
{
	char msg[1024];

	sip_request(msg, sizeof(msg), method, "UDP");
	send_udp_at(src, 5060, 5060, msg, strlen(msg), XDP_PASS, file, line);
}

#define SEND_SIP(src) send_sip_at((src), "REGISTER", __FILE__, __LINE__)

static const uint8_t junk[48] = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02, 0x03, 0xff, 0xfe,
				 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0};

/* A 172-byte G.711 RTP packet (version 2) to dport. */
static void send_rtp_at(const char *src, uint16_t dport, uint16_t seq, const char *file, int line)
{
	uint8_t rtp[172];
	size_t n = pkt_rtp(rtp, sizeof(rtp), sizeof(rtp), 0, seq, 160u * seq, 0x1234abcd);

	check_at(n == sizeof(rtp), file, line, "pkt_rtp");
	send_udp_at(src, 10000, dport, rtp, sizeof(rtp), XDP_PASS, file, line);
}

#define SEND_RTP(src, seq) send_rtp_at((src), 10000, (seq), __FILE__, __LINE__)

/* Map keys from address text. */
static struct xg_v4_key key4(const char *text)
{
	struct xg_v4_key k = {{0}};

	if (inet_pton(AF_INET, text, k.addr) != 1)
		check_at(false, __FILE__, __LINE__, "bad test address %s", text);
	return k;
}

static struct xg_v6_key key6(const char *text)
{
	struct xg_v6_key k = {{0}};

	if (inet_pton(AF_INET6, text, k.addr) != 1)
		check_at(false, __FILE__, __LINE__, "bad test address %s", text);
	return k;
}

/* Looks an address up in the v4 or v6 map of a pair; 0 or -errno. */
static int lookup_addr(int fd4, int fd6, const char *addr, void *out)
{
	if (strchr(addr, ':')) {
		struct xg_v6_key k = key6(addr);

		return bpf_map_lookup_elem(fd6, &k, out) ? -errno : 0;
	} else {
		struct xg_v4_key k = key4(addr);

		return bpf_map_lookup_elem(fd4, &k, out) ? -errno : 0;
	}
}

static int peer_get(const char *addr, struct xg_peer *out)
{
	memset(out, 0, sizeof(*out));
	return lookup_addr(fx.m.peers_v4, fx.m.peers_v6, addr, out);
}

static int victim_get(const char *addr, struct xg_talker *out)
{
	memset(out, 0, sizeof(*out));
	return lookup_addr(fx.m.victims_v4, fx.m.victims_v6, addr, out);
}

static int talker_get(const char *addr, struct xg_talker *out)
{
	memset(out, 0, sizeof(*out));
	return lookup_addr(fx.m.talkers_v4, fx.m.talkers_v6, addr, out);
}

/* Number of entries in a hash map. */
static size_t hash_count(int fd)
{
	uint8_t key[64], next[64];
	size_t n = 0;
	void *prev = NULL;

	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, sizeof(key));
		prev = key;
		n++;
	}
	return n;
}

static size_t peers_count(void)
{
	return hash_count(fx.m.peers_v4) + hash_count(fx.m.peers_v6);
}

/* xg_learn: skipped summed over CPUs, and one CPU's budget. */
static uint64_t learn_skipped(void)
{
	struct xg_learn *v = calloc((size_t)fx.ncpu, sizeof(*v));
	__u32 zero = 0;
	uint64_t sum = 0;
	int cpu;

	if (!v || bpf_map_lookup_elem(fx.m.learn, &zero, v)) {
		check_at(false, __FILE__, __LINE__, "reading xg_learn");
		free(v);
		return 0;
	}
	for (cpu = 0; cpu < fx.ncpu; cpu++)
		sum += v[cpu].skipped;
	free(v);
	return sum;
}

static int64_t learn_budget(int cpu)
{
	struct xg_learn *v = calloc((size_t)fx.ncpu, sizeof(*v));
	__u32 zero = 0;
	int64_t b = -1;

	if (v && cpu < fx.ncpu && !bpf_map_lookup_elem(fx.m.learn, &zero, v))
		b = v[cpu].budget;
	else
		check_at(false, __FILE__, __LINE__, "reading xg_learn");
	free(v);
	return b;
}

static void set_cfg(int sample_shift, int rtp_learn_shift, uint32_t flags)
{
	struct xg_config cfg;

	CFG_GET(&cfg);
	if (sample_shift >= 0)
		cfg.sample_shift = (uint32_t)sample_shift;
	if (rtp_learn_shift >= 0)
		cfg.rtp_learn_shift = (uint32_t)rtp_learn_shift;
	cfg.flags = flags;
	CFG_PUT(&cfg);
}

static uint64_t mono_coarse_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* --- Amplification source ports --------------------------------------- */

static void test_amp_classes(void)
{
	static const struct {
		uint16_t sport;
		int amp;
		const char *src;
	} cases[] = {
	    {53, XG_AMP_DNS, "10.123.3.1"},	     {123, XG_AMP_NTP, "10.123.3.2"},
	    {1900, XG_AMP_SSDP, "10.123.3.3"},	     {11211, XG_AMP_MEMCACHED, "10.123.3.4"},
	    {19, XG_AMP_CHARGEN, "10.123.3.5"},	     {389, XG_AMP_CLDAP, "10.123.3.6"},
	    {53, XG_AMP_DNS, "fd00:123:3::1"},	     {123, XG_AMP_NTP, "fd00:123:3::2"},
	    {11211, XG_AMP_MEMCACHED, "10.123.3.7"},
	};
	uint64_t pk[XG_AMP_SLOTS] = {0}, by[XG_AMP_SLOTS] = {0};
	struct xg_stats st;
	size_t i;
	int a;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* Different sizes, so bytes tell the packets apart. */
		size_t n = SEND_UDP(cases[i].src, cases[i].sport, 33000, NULL, 100 + 37 * i);

		pk[cases[i].amp]++;
		by[cases[i].amp] += n;
	}
	stats_get(&st);
	for (a = 0; a < XG_AMP_SLOTS; a++) {
		check_at(st.amp[a].packets == pk[a], __FILE__, __LINE__,
			 "amp[%d].packets == %llu (got %llu)", a, (unsigned long long)pk[a],
			 (unsigned long long)st.amp[a].packets);
		check_at(st.amp[a].bytes == by[a], __FILE__, __LINE__,
			 "amp[%d].bytes == %llu (got %llu)", a, (unsigned long long)by[a],
			 (unsigned long long)st.amp[a].bytes);
	}
	EXPECT_EQ(st.amp[XG_AMP_DNS].packets, 2);
	EXPECT_EQ(st.amp[XG_AMP_MEMCACHED].packets, 2);
	EXPECT_EQ(st.amp[XG_AMP_NONE].packets, 0);
}

static void test_amp_table(void)
{
	static const struct {
		__u32 port;
		uint8_t amp;
	} want[] = {
	    {19, XG_AMP_CHARGEN}, {53, XG_AMP_DNS},	{123, XG_AMP_NTP},
	    {389, XG_AMP_CLDAP},  {1900, XG_AMP_SSDP},	{11211, XG_AMP_MEMCACHED},
	    {5060, XG_AMP_NONE},  {40000, XG_AMP_NONE}, {0, XG_AMP_NONE},
	};
	struct xg_sport_class v;
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		v.amp = 0xff;
		EXPECT_EQ(bpf_map_lookup_elem(fx.m.sport_class, &want[i].port, &v), 0);
		check_at(v.amp == want[i].amp, __FILE__, __LINE__,
			 "xg_sport_class[%u] == %u (got %u)", want[i].port, want[i].amp, v.amp);
	}
	/* Idempotent. */
	EXPECT_EQ(xg_amp_ports_init(&fx.m), 0);
	EXPECT_EQ(bpf_map_lookup_elem(fx.m.sport_class, &want[1].port, &v), 0);
	EXPECT_EQ(v.amp, XG_AMP_DNS);
}

static void test_amp_not_counted(void)
{
	struct xg_stats st;
	int a;

	SEND_UDP("10.123.3.1", 40000, 33000, NULL, 100);  /* not a reflector port */
	SEND_UDP("fd00:123:3::1", 40000, 9, NULL, 100);	  /* nor over IPv6 */
	SEND_TCP("10.123.3.1", 53, 33000, ACK, "answer"); /* TCP from 53 */
	SEND_TCP("fd00:123:3::1", 123, 33000, SYN, NULL);
	SEND_UDP("10.123.3.1", 33000, 53, NULL, 40); /* a query to 53, not from it */
	SEND_UDP("10.123.3.1", 54, 33000, NULL, 40);
	SEND_UDP("10.123.3.1", 1901, 33000, NULL, 40);
	/* Dropped at the blocklist: never counted past the drop reason. */
	BLOCK("10.123.3.9");
	send_udp_at("10.123.3.9", 53, 33000, NULL, 512, XDP_DROP, __FILE__, __LINE__);
	stats_get(&st);
	for (a = 0; a < XG_AMP_SLOTS; a++)
		check_at(!st.amp[a].packets && !st.amp[a].bytes, __FILE__, __LINE__,
			 "amp[%d] not counted (got %llu packets)", a,
			 (unsigned long long)st.amp[a].packets);
	EXPECT_EQ(st.proto[XG_PROTO_UDP].packets, 5);
	EXPECT_EQ(st.proto[XG_PROTO_TCP].packets, 2);
	EXPECT_EQ(st.drop[XG_REASON_BLOCK], 1);
}

static void test_amp_monitor_only(void)
{
	struct xg_stats st;
	size_t n;

	/* A would-drop packet is passed, so it is counted like one. */
	BLOCK("10.123.3.9");
	set_cfg(-1, -1, XG_CFG_MONITOR_ONLY);
	n = SEND_UDP("10.123.3.9", 123, 33000, NULL, 468);
	stats_get(&st);
	EXPECT_EQ(st.amp[XG_AMP_NTP].packets, 1);
	EXPECT_EQ(st.amp[XG_AMP_NTP].bytes, n);
	EXPECT_EQ(st.would_drop[XG_REASON_BLOCK], 1);
}

/* --- Victims -------------------------------------------------------------- */

static size_t send_to_at(const char *src, const char *dst, size_t len, int want, const char *file,
			 int line)
{
	static const uint8_t pattern[PKT_MAX];
	struct pkt_spec s;

	spec_any(&s, src, IPPROTO_UDP, 40000, 9);
	if (pkt_set_addr(&s, 0, dst))
		check_at(false, file, line, "bad test address %s", dst);
	spec_payload(&s, pattern, len);
	return send_at(&s, want, file, line);
}

#define SEND_TO(src, dst, len) send_to_at((src), (dst), (len), XDP_PASS, __FILE__, __LINE__)

static void test_victims_v4(void)
{
	struct xg_talker t;
	uint64_t t0 = now_ns(), t1;
	size_t a1, a2, a3, b;

	set_cfg(0, -1, 0);
	a1 = SEND_TO("10.123.1.7", "10.123.0.9", 100);
	a2 = SEND_TO("10.123.1.7", "10.123.0.9", 200);
	a3 = SEND_TO("10.123.1.8", "10.123.0.9", 300);
	b = SEND_TO("10.123.1.7", "10.123.0.10", 50);
	t1 = now_ns();

	EXPECT_EQ(victim_get("10.123.0.9", &t), 0);
	EXPECT_EQ(t.samples, 3);
	EXPECT_EQ(t.bytes, a1 + a2 + a3);
	EXPECT_TRUE(t.last_ns >= t0 && t.last_ns <= t1);
	EXPECT_EQ(victim_get("10.123.0.10", &t), 0);
	EXPECT_EQ(t.samples, 1);
	EXPECT_EQ(t.bytes, b);
	EXPECT_EQ(hash_count(fx.m.victims_v4), 2);
	EXPECT_EQ(hash_count(fx.m.victims_v6), 0);

	/* Sources go to the talkers, not to the victims, and vice versa. */
	EXPECT_EQ(talker_get("10.123.1.7", &t), 0);
	EXPECT_EQ(t.samples, 3);
	EXPECT_EQ(t.bytes, a1 + a2 + b);
	EXPECT_EQ(talker_get("10.123.1.8", &t), 0);
	EXPECT_EQ(t.samples, 1);
	EXPECT_EQ(t.bytes, a3);
	EXPECT_TRUE(victim_get("10.123.1.7", &t) < 0);
	EXPECT_TRUE(talker_get("10.123.0.9", &t) < 0);
}

static void test_victims_v6(void)
{
	struct xg_talker t;
	struct xg_stats st;
	size_t a = 0;

	set_cfg(0, -1, 0);
	a += SEND_TO("fd00:123:1::7", "fd00:123::9", 64);
	a += SEND_TO("fd00:123:1::8", "fd00:123::9", 128);
	SEND_TO("fd00:123:1::8", "fd00:123::a", 10);

	EXPECT_EQ(victim_get("fd00:123::9", &t), 0);
	EXPECT_EQ(t.samples, 2);
	EXPECT_EQ(t.bytes, a);
	EXPECT_EQ(victim_get("fd00:123::a", &t), 0);
	EXPECT_EQ(t.samples, 1);
	EXPECT_EQ(hash_count(fx.m.victims_v6), 2);
	EXPECT_EQ(hash_count(fx.m.victims_v4), 0);
	EXPECT_EQ(talker_get("fd00:123:1::8", &t), 0);
	EXPECT_EQ(t.samples, 2);
	EXPECT_EQ(talker_get("fd00:123:1::7", &t), 0);
	EXPECT_EQ(t.samples, 1);
	stats_get(&st);
	EXPECT_EQ(st.talker_samples, 3);
}

static void test_victims_not_sampled(void)
{
	struct xg_talker t;
	struct xg_stats st;

	/* Sampling off: nothing anywhere. */
	set_cfg(32, -1, 0);
	SEND_TO("10.123.1.7", "10.123.0.9", 100);
	SEND_TO("fd00:123:1::7", "fd00:123::9", 100);
	EXPECT_EQ(hash_count(fx.m.victims_v4) + hash_count(fx.m.victims_v6), 0);

	/* Sampling every packet, but the source is blocked. */
	set_cfg(0, -1, 0);
	BLOCK("10.123.1.66");
	send_to_at("10.123.1.66", "10.123.0.66", 100, XDP_DROP, __FILE__, __LINE__);
	EXPECT_TRUE(victim_get("10.123.0.66", &t) < 0);
	EXPECT_TRUE(talker_get("10.123.1.66", &t) < 0);
	stats_get(&st);
	EXPECT_EQ(st.talker_samples, 0);
}

/* --- Peer learning -------------------------------------------------------- */

static void test_peer_sip_ok(void)
{
	char msg[1024];
	struct xg_peer p;

	SEND_SIP("10.123.2.1");
	EXPECT_EQ(peer_get("10.123.2.1", &p), 0);
	EXPECT_EQ(p.sip_ok, 1);
	EXPECT_EQ(p.sip_bad, 0);
	EXPECT_EQ(p.rtp_ok, 0);

	/* Requests, responses and keep-alives all count as well-formed. */
	send_sip_at("10.123.2.1", "INVITE", __FILE__, __LINE__);
	sip_response(msg, sizeof(msg), "UDP");
	SEND_UDP("10.123.2.1", 5060, 5060, msg, strlen(msg));
	SEND_UDP("10.123.2.1", 5060, 5060, "\r\n\r\n", 4);
	EXPECT_EQ(peer_get("10.123.2.1", &p), 0);
	EXPECT_EQ(p.sip_ok, 4);
	EXPECT_EQ(p.sip_bad, 0);

	/* SIP over TCP, and IPv6 into its own map. */
	sip_request(msg, sizeof(msg), "OPTIONS", "TCP");
	SEND_TCP("10.123.2.2", 40000, 5060, PSH_ACK, msg);
	EXPECT_EQ(peer_get("10.123.2.2", &p), 0);
	EXPECT_EQ(p.sip_ok, 1);
	SEND_SIP("fd00:123:2::1");
	EXPECT_EQ(peer_get("fd00:123:2::1", &p), 0);
	EXPECT_EQ(p.sip_ok, 1);
	EXPECT_EQ(p.sip_bad, 0);
	EXPECT_EQ(hash_count(fx.m.peers_v4), 2);
	EXPECT_EQ(hash_count(fx.m.peers_v6), 1);
}

static void test_peer_sip_bad(void)
{
	struct xg_peer p;
	struct xg_stats st;

	SEND_UDP("10.123.2.3", 40000, 5060, junk, sizeof(junk));
	EXPECT_EQ(peer_get("10.123.2.3", &p), 0);
	EXPECT_EQ(p.sip_ok, 0);
	EXPECT_EQ(p.sip_bad, 1);
	EXPECT_EQ(p.rtp_ok, 0);
	/* Too short for a start line: malformed too. */
	SEND_UDP("10.123.2.3", 40000, 5060, "hello", 5);
	SEND_UDP("fd00:123:2::3", 40000, 5060, junk, sizeof(junk));
	EXPECT_EQ(peer_get("10.123.2.3", &p), 0);
	EXPECT_EQ(p.sip_bad, 2);
	EXPECT_EQ(peer_get("fd00:123:2::3", &p), 0);
	EXPECT_EQ(p.sip_bad, 1);
	EXPECT_EQ(p.sip_ok, 0);
	/* A good message afterwards adds to sip_ok beside the bad. */
	SEND_SIP("10.123.2.3");
	EXPECT_EQ(peer_get("10.123.2.3", &p), 0);
	EXPECT_EQ(p.sip_ok, 1);
	EXPECT_EQ(p.sip_bad, 2);
	stats_get(&st);
	EXPECT_EQ(st.sip[XG_SIP_MALFORMED], 3);
}

static void test_peer_nothing(void)
{
	char msg[1024];
	struct xg_stats st;

	/* No payload: a bare TCP ACK, a SYN, an empty datagram. */
	SEND_TCP("10.123.2.4", 40000, 5060, ACK, NULL);
	SEND_TCP("fd00:123:2::4", 40000, 5060, ACK, NULL);
	SEND_TCP("10.123.2.4", 40000, 5060, SYN, NULL);
	SEND_UDP("10.123.2.4", 40000, 5060, NULL, 0);
	/* The middle of a TCP message. */
	SEND_TCP("10.123.2.4", 40000, 5060, PSH_ACK, "Content-Length: 0\r\n\r\n");
	/* SIP, but not on a SIP port (TLS is not inspected). */
	sip_request(msg, sizeof(msg), "REGISTER", "UDP");
	SEND_UDP("10.123.2.4", 5060, 5062, msg, strlen(msg));
	SEND_TCP("10.123.2.4", 40000, 5061, PSH_ACK, msg);
	/* Not RTP, on the RTP range. */
	SEND_UDP("10.123.2.4", 40000, 10000, junk, 12);

	EXPECT_EQ(peers_count(), 0);
	EXPECT_EQ(learn_skipped(), 0);
	EXPECT_TRUE(!xg_learn_used(&fx.m, XG_DEFAULT_LEARN_BUDGET, NULL));
	stats_get(&st);
	EXPECT_EQ(st.sip[XG_SIP_CONTINUATION], 1);
	EXPECT_EQ(st.rtp_invalid, 1);
}

static void test_peer_rtp_every(void)
{
	/* RFC 7983: STUN binding request with the magic cookie, DTLS. */
	static const uint8_t stun[20] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42};
	static const uint8_t dtls[13] = {22, 0xfe, 0xfd};
	static const uint8_t zero12[12], nocookie[20] = {0x00, 0x01}, short11[11] = {0x80};
	struct xg_peer p;
	struct xg_stats st;
	int i;

	set_cfg(-1, 0, 0);
	for (i = 0; i < 5; i++)
		SEND_RTP("10.123.4.1", (uint16_t)i);
	EXPECT_EQ(peer_get("10.123.4.1", &p), 0);
	EXPECT_EQ(p.rtp_ok, 5);
	EXPECT_EQ(p.sip_ok, 0);
	EXPECT_EQ(p.sip_bad, 0);

	SEND_UDP("10.123.4.2", 40000, 20000, stun, sizeof(stun));
	SEND_UDP("10.123.4.2", 40000, 15000, dtls, sizeof(dtls));
	EXPECT_EQ(peer_get("10.123.4.2", &p), 0);
	EXPECT_EQ(p.rtp_ok, 2);
	send_rtp_at("fd00:123:4::1", 12345, 1, __FILE__, __LINE__);
	EXPECT_EQ(peer_get("fd00:123:4::1", &p), 0);
	EXPECT_EQ(p.rtp_ok, 1);

	/* Invalid: zero version, a short packet, STUN without the cookie. */
	SEND_UDP("10.123.4.3", 40000, 10000, junk + 40, 8);
	SEND_UDP("10.123.4.3", 40000, 10000, zero12, sizeof(zero12));
	SEND_UDP("10.123.4.3", 40000, 10000, nocookie, sizeof(nocookie));
	SEND_UDP("10.123.4.3", 40000, 10000, short11, sizeof(short11));
	EXPECT_TRUE(peer_get("10.123.4.3", &p) < 0);
	/* Valid RTP outside the RTP range. */
	send_rtp_at("10.123.4.4", 9999, 1, __FILE__, __LINE__);
	send_rtp_at("10.123.4.4", 20001, 1, __FILE__, __LINE__);
	EXPECT_TRUE(peer_get("10.123.4.4", &p) < 0);

	EXPECT_EQ(hash_count(fx.m.peers_v4), 2);
	EXPECT_EQ(hash_count(fx.m.peers_v6), 1);
	stats_get(&st);
	EXPECT_EQ(st.rtp_invalid, 4);
	EXPECT_EQ(st.rtp_learn_seq, 8);
}

static void test_peer_rtp_one_in_four(void)
{
	struct xg_peer p;
	struct xg_stats st;
	struct pin pin;
	int i;

	set_cfg(-1, 2, 0);
	PIN(&pin);
	for (i = 0; i < 400; i++)
		SEND_RTP("10.123.4.5", (uint16_t)i);
	unpin(&pin);
	EXPECT_EQ(peer_get("10.123.4.5", &p), 0);
	EXPECT_EQ(p.rtp_ok, 100); /* packets 0, 4, 8, ... 396 */
	stats_get(&st);
	EXPECT_EQ(st.rtp_learn_seq, 400);
	EXPECT_EQ(st.svc[XG_SVC_RTP].packets, 400);
	EXPECT_EQ(learn_budget(pin.cpu), XG_DEFAULT_LEARN_BUDGET - 100);
}

static void test_peer_rtp_off(void)
{
	struct xg_peer p;
	int i;

	set_cfg(-1, 32, 0);
	for (i = 0; i < 10; i++)
		SEND_RTP("10.123.4.6", (uint16_t)i);
	EXPECT_TRUE(peer_get("10.123.4.6", &p) < 0);
	EXPECT_EQ(peers_count(), 0);
	/* SIP is still learned. */
	SEND_SIP("10.123.4.6");
	EXPECT_EQ(peer_get("10.123.4.6", &p), 0);
	EXPECT_EQ(p.sip_ok, 1);
	EXPECT_EQ(p.rtp_ok, 0);
}

static void test_peer_paused(void)
{
	struct xg_peer p, before;
	struct xg_stats st;
	int i;

	/* One source learned before the pause. */
	set_cfg(-1, 0, 0);
	SEND_SIP("10.123.5.1");
	EXPECT_EQ(peer_get("10.123.5.1", &before), 0);
	EXPECT_EQ(xg_learn_refill(&fx.m, XG_DEFAULT_LEARN_BUDGET), 0);

	set_cfg(-1, 0, XG_CFG_LEARN_PAUSED);
	SEND_SIP("10.123.5.1");
	SEND_UDP("10.123.5.1", 40000, 5060, junk, sizeof(junk));
	SEND_RTP("10.123.5.1", 1);
	SEND_SIP("10.123.5.2");
	SEND_SIP("fd00:123:5::2");
	SEND_UDP("10.123.5.3", 40000, 5060, junk, sizeof(junk));
	for (i = 0; i < 4; i++)
		SEND_RTP("10.123.5.4", (uint16_t)i);

	EXPECT_EQ(peer_get("10.123.5.1", &p), 0);
	EXPECT_TRUE(memcmp(&p, &before, sizeof(p)) == 0);
	EXPECT_EQ(peers_count(), 1);
	/* No budget spent, nothing skipped. */
	EXPECT_TRUE(!xg_learn_used(&fx.m, XG_DEFAULT_LEARN_BUDGET, NULL));
	EXPECT_EQ(learn_skipped(), 0);
	/* The counters still count. */
	stats_get(&st);
	EXPECT_EQ(st.sip[XG_SIP_REGISTER], 4);
	EXPECT_EQ(st.sip[XG_SIP_MALFORMED], 2);
	EXPECT_EQ(st.svc[XG_SVC_RTP].packets, 5);

	/* Resumed. */
	set_cfg(-1, 0, 0);
	SEND_SIP("10.123.5.2");
	EXPECT_EQ(peer_get("10.123.5.2", &p), 0);
	EXPECT_EQ(p.sip_ok, 1);
	SEND_RTP("10.123.5.1", 2);
	EXPECT_EQ(peer_get("10.123.5.1", &p), 0);
	EXPECT_EQ(p.sip_ok, before.sip_ok);
	EXPECT_EQ(p.rtp_ok, 1);
}

static void test_peer_times(void)
{
	struct xg_peer p, q;
	uint64_t t0, t1;

	t0 = mono_coarse_ns();
	SEND_SIP("10.123.6.1");
	t1 = now_ns();
	EXPECT_EQ(peer_get("10.123.6.1", &p), 0);
	EXPECT_TRUE(p.first_ns > 0);
	EXPECT_TRUE(p.first_ns >= t0);
	EXPECT_TRUE(p.first_ns <= t1);
	EXPECT_EQ(p.last_ns, p.first_ns); /* one packet, one clock read */

	SEND_UDP("10.123.6.1", 40000, 5060, junk, sizeof(junk));
	set_cfg(-1, 0, 0);
	SEND_RTP("10.123.6.1", 1);
	t1 = now_ns();
	EXPECT_EQ(peer_get("10.123.6.1", &q), 0);
	EXPECT_EQ(q.first_ns, p.first_ns);
	EXPECT_TRUE(q.last_ns >= p.last_ns);
	EXPECT_TRUE(q.last_ns <= t1);
	EXPECT_EQ(q.sip_ok, 1);
	EXPECT_EQ(q.sip_bad, 1);
	EXPECT_EQ(q.rtp_ok, 1);

	/* IPv6 the same. */
	SEND_SIP("fd00:123:6::1");
	SEND_SIP("fd00:123:6::1");
	EXPECT_EQ(peer_get("fd00:123:6::1", &p), 0);
	EXPECT_TRUE(p.first_ns >= t0);
	EXPECT_TRUE(p.first_ns <= p.last_ns);
	EXPECT_TRUE(p.last_ns <= now_ns());
	EXPECT_EQ(p.sip_ok, 2);
}

/* --- Learning budget ------------------------------------------------------ */

static void test_learn_budget(void)
{
	static const char *const srcs[] = {"10.123.7.1", "10.123.7.2", "10.123.7.3", "10.123.7.4",
					   "10.123.7.5"};
	struct xg_peer p;
	struct pin pin;
	uint64_t skipped0;
	int cpu;
	size_t i;

	EXPECT_EQ(xg_learn_refill(&fx.m, 3), 0);
	EXPECT_TRUE(!xg_learn_used(&fx.m, 3, NULL));
	skipped0 = learn_skipped();
	PIN(&pin);
	for (i = 0; i < 5; i++)
		SEND_SIP(srcs[i]);
	unpin(&pin);

	EXPECT_EQ(hash_count(fx.m.peers_v4), 3);
	EXPECT_EQ(learn_skipped(), skipped0 + 2);
	for (i = 0; i < 5; i++)
		check_at((peer_get(srcs[i], &p) == 0) == (i < 3), __FILE__, __LINE__, "%s %s",
			 srcs[i], i < 3 ? "learned" : "skipped");
	EXPECT_TRUE(xg_learn_used(&fx.m, 3, NULL));
	/* Only the CPU that ran spent its budget; it does not go negative. */
	for (cpu = 0; cpu < fx.ncpu; cpu++)
		check_at(learn_budget(cpu) == (cpu == pin.cpu ? 0 : 3), __FILE__, __LINE__,
			 "budget of CPU %d", cpu);

	/* A refill keeps the skipped count and lets learning go on. */
	EXPECT_EQ(xg_learn_refill(&fx.m, 3), 0);
	EXPECT_EQ(learn_skipped(), skipped0 + 2);
	EXPECT_TRUE(!xg_learn_used(&fx.m, 3, NULL));
	SEND_SIP(srcs[4]);
	EXPECT_EQ(peer_get(srcs[4], &p), 0);
	EXPECT_EQ(p.sip_ok, 1);
	EXPECT_EQ(hash_count(fx.m.peers_v4), 4);
}

static void test_learn_used(void)
{
	EXPECT_EQ(xg_learn_refill(&fx.m, 3), 0);
	EXPECT_TRUE(!xg_learn_used(&fx.m, 3, NULL));
	EXPECT_TRUE(xg_learn_used(&fx.m, 4, NULL)); /* refilled to another amount */
	/* Traffic that learns nothing spends nothing. */
	SEND_UDP("10.123.7.9", 40000, 9, NULL, 10);
	SEND_TCP("10.123.7.9", 40000, 5060, ACK, NULL);
	EXPECT_TRUE(!xg_learn_used(&fx.m, 3, NULL));
	SEND_SIP("10.123.7.9");
	EXPECT_TRUE(xg_learn_used(&fx.m, 3, NULL));
}

/* The controller skips the IPv6 learning map's walk while touched_v6 stays:
 * IPv4 SIP leaves it, IPv6 SIP moves it. */
static void test_learn_touched_v6(void)
{
	uint64_t a, b, c;

	EXPECT_EQ(xg_learn_refill(&fx.m, 100), 0);
	xg_learn_used(&fx.m, 100, &a);
	check_at(a != UINT64_MAX, __FILE__, __LINE__, "touched_v6 read");
	SEND_SIP("10.123.7.10");
	EXPECT_TRUE(xg_learn_used(&fx.m, 100, &b));
	EXPECT_EQ(b, a);
	SEND_SIP("fd00:123::7:10");
	xg_learn_used(&fx.m, 100, &c);
	EXPECT_EQ(c, a + 1);
	/* a refill keeps it */
	EXPECT_EQ(xg_learn_refill(&fx.m, 100), 0);
	xg_learn_used(&fx.m, 100, &b);
	EXPECT_EQ(b, c);
}

static void test_learn_budget_existing(void)
{
	struct xg_peer p;
	struct pin pin;
	uint64_t skipped0;

	set_cfg(-1, 0, 0);
	SEND_SIP("10.123.7.20");
	skipped0 = learn_skipped();

	/* An empty budget stops updates of known entries too, and RTP. */
	EXPECT_EQ(xg_learn_refill(&fx.m, 0), 0);
	PIN(&pin);
	SEND_SIP("10.123.7.20");
	SEND_UDP("10.123.7.20", 40000, 5060, junk, sizeof(junk));
	SEND_RTP("10.123.7.20", 1);
	SEND_SIP("fd00:123:7::20");
	unpin(&pin);
	EXPECT_EQ(peer_get("10.123.7.20", &p), 0);
	EXPECT_EQ(p.sip_ok, 1);
	EXPECT_EQ(p.sip_bad, 0);
	EXPECT_EQ(p.rtp_ok, 0);
	EXPECT_EQ(hash_count(fx.m.peers_v6), 0);
	EXPECT_EQ(learn_skipped(), skipped0 + 4);
	EXPECT_EQ(learn_budget(pin.cpu), 0);
	EXPECT_TRUE(!xg_learn_used(&fx.m, 0, NULL));

	/* One update each. */
	EXPECT_EQ(xg_learn_refill(&fx.m, 2), 0);
	PIN(&pin);
	SEND_RTP("10.123.7.20", 2);
	SEND_SIP("fd00:123:7::20");
	SEND_SIP("10.123.7.21");
	unpin(&pin);
	EXPECT_EQ(peer_get("10.123.7.20", &p), 0);
	EXPECT_EQ(p.rtp_ok, 1);
	EXPECT_EQ(hash_count(fx.m.peers_v6), 1);
	EXPECT_TRUE(peer_get("10.123.7.21", &p) < 0);
	EXPECT_EQ(learn_skipped(), skipped0 + 5);
}

/* --- Distinct-source bitmap ----------------------------------------------- */

static uint64_t srcbits_total(void)
{
	uint64_t n = 0;
	size_t i;

	if (!fx.m.srcbits_mem) {
		check_at(false, __FILE__, __LINE__, "xg_srcbits is not mapped");
		return 0;
	}
	for (i = 0; i < fx.m.srcbits_cpus * XG_SRCBITS_WORDS; i++)
		n += (uint64_t)__builtin_popcountll(fx.m.srcbits_mem[i]);
	return n;
}

/* Bits set in the OR of the CPUs' blocks: what the collector counts. */
static uint64_t srcbits_union(void)
{
	uint64_t n = 0;
	size_t w, cpu;

	if (!fx.m.srcbits_mem)
		return 0;
	for (w = 0; w < XG_SRCBITS_WORDS; w++) {
		__u64 v = 0;

		for (cpu = 0; cpu < fx.m.srcbits_cpus; cpu++)
			v |= fx.m.srcbits_mem[cpu * XG_SRCBITS_WORDS + w];
		n += (uint64_t)__builtin_popcountll(v);
	}
	return n;
}

static void srcbits_clear(void)
{
	if (fx.m.srcbits_mem)
		memset(fx.m.srcbits_mem, 0,
		       fx.m.srcbits_cpus * XG_SRCBITS_WORDS * sizeof(*fx.m.srcbits_mem));
}

/* A bijection on 32 bits (murmur3's finaliser): distinct i, distinct out,
 * spread like random addresses. */
static uint32_t scramble(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x85ebca6bu;
	x ^= x >> 13;
	x *= 0xc2b2ae35u;
	x ^= x >> 16;
	return x;
}

enum { SPREAD, SEQUENTIAL };

/* Sends one small UDP packet from each of n distinct sources. */
static void send_distinct_at(int family, int how, uint32_t n, uint32_t seed, const char *file,
			     int line)
{
	struct pkt_spec s;
	uint8_t buf[PKT_MAX];
	uint32_t i, fails = 0;

	if (family == 6)
		spec_v6(&s, "fd00:123:8::1", IPPROTO_UDP, 9);
	else
		spec_v4(&s, "10.123.8.1", IPPROTO_UDP, 9);
	spec_payload(&s, "x", 1);
	for (i = 0; i < n; i++) {
		uint32_t v = how == SPREAD ? scramble(seed + i) : (0x0a7c0000u | (seed + i));
		size_t len;

		v = htonl(v);
		if (family == 6)
			memcpy(s.src + 12, &v, 4); /* fd00:123:8::/96 + 32 bits */
		else
			memcpy(s.src, &v, 4);
		len = pkt_build(&s, buf, sizeof(buf));
		if (!len || xdp_run_at(buf, len, file, line) != XDP_PASS)
			fails++;
	}
	check_at(fails == 0, file, line, "%u of %u packets passed", n - fails, n);
}

#define SEND_DISTINCT(fam, how, n, seed)                                                           \
	send_distinct_at((fam), (how), (n), (seed), __FILE__, __LINE__)

static void distinct_check_at(int family, int how, uint32_t n, const char *file, int line)
{
	struct pin pin;
	uint64_t total, uni;

	srcbits_clear();
	pin_at(&pin, file, line);
	send_distinct_at(family, how, n, 1000, file, line);
	unpin(&pin);
	total = srcbits_total();
	uni = srcbits_union();
	/* Hash collisions only merge bits: never more than n, rarely fewer
	 * (about n^2 / 2^19 expected for random sources). */
	expect_range_at(total, n - n / 50, n, "set bits", file, line);
	expect_eq_at(uni, total, "set bits (union) == set bits (pinned)", file, line);
}

static void test_srcbits_v4(void)
{
	distinct_check_at(4, SPREAD, 1, __FILE__, __LINE__);
	EXPECT_EQ(srcbits_total(), 1);
	distinct_check_at(4, SPREAD, 100, __FILE__, __LINE__);
	distinct_check_at(4, SPREAD, 5000, __FILE__, __LINE__);
	EXPECT_RANGE(srcbits_total(), 4900, 5000);
	/* Consecutive addresses of one /16, as a spoofed flood may use. */
	distinct_check_at(4, SEQUENTIAL, 100, __FILE__, __LINE__);
	distinct_check_at(4, SEQUENTIAL, 5000, __FILE__, __LINE__);
	EXPECT_RANGE(srcbits_total(), 4900, 5000);
}

static void test_srcbits_v6(void)
{
	distinct_check_at(6, SPREAD, 1, __FILE__, __LINE__);
	EXPECT_EQ(srcbits_total(), 1);
	distinct_check_at(6, SPREAD, 100, __FILE__, __LINE__);
	distinct_check_at(6, SPREAD, 5000, __FILE__, __LINE__);
	EXPECT_RANGE(srcbits_total(), 4900, 5000);
	distinct_check_at(6, SEQUENTIAL, 5000, __FILE__, __LINE__);
	EXPECT_RANGE(srcbits_total(), 4900, 5000);
}

static void test_srcbits_same_source(void)
{
	struct pin pin;
	int i;

	PIN(&pin);
	for (i = 0; i < 100; i++)
		SEND_UDP("10.123.9.1", (uint16_t)(40000 + i), 9, NULL, 10);
	unpin(&pin);
	EXPECT_EQ(srcbits_total(), 1);

	/* Protocols and ports do not matter, only the source. */
	srcbits_clear();
	PIN(&pin);
	for (i = 0; i < 100; i++) {
		if (i % 3 == 0)
			SEND_TCP("10.123.9.1", 40000, (uint16_t)(80 + i), SYN, NULL);
		else
			SEND_SIP("10.123.9.1");
	}
	unpin(&pin);
	EXPECT_EQ(srcbits_total(), 1);

	srcbits_clear();
	PIN(&pin);
	for (i = 0; i < 100; i++)
		SEND_UDP("fd00:123:9::1", 40000, 9, NULL, 10);
	unpin(&pin);
	EXPECT_EQ(srcbits_total(), 1);
	/* A second source of each family: one more bit each. */
	PIN(&pin);
	SEND_UDP("fd00:123:9::2", 40000, 9, NULL, 10);
	SEND_UDP("10.123.9.2", 40000, 9, NULL, 10);
	SEND_UDP("10.123.9.2", 40000, 9, NULL, 10);
	unpin(&pin);
	EXPECT_EQ(srcbits_total(), 3);
	/* Only the pinned CPU's block was written. */
	EXPECT_EQ(srcbits_union(), 3);
}

/* Bits set in one CPU's block. */
static uint64_t srcbits_block(size_t cpu)
{
	uint64_t n = 0;
	size_t w;

	for (w = 0; fx.m.srcbits_mem && w < XG_SRCBITS_WORDS; w++)
		n += (uint64_t)__builtin_popcountll(fx.m.srcbits_mem[cpu * XG_SRCBITS_WORDS + w]);
	return n;
}

static void test_srcbits_per_cpu(void)
{
	cpu_set_t allowed, one;
	char src[32];
	size_t cpu, other, tried = 0;

	EXPECT_EQ(fx.m.srcbits_cpus, fx.ncpu);
	EXPECT_TRUE(sched_getaffinity(0, sizeof(allowed), &allowed) == 0);
	for (cpu = 0; cpu < fx.m.srcbits_cpus && cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &allowed))
			continue;
		srcbits_clear();
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (sched_setaffinity(0, sizeof(one), &one)) {
			check_at(false, __FILE__, __LINE__, "pinning to CPU %zu", cpu);
			continue;
		}
		snprintf(src, sizeof(src), "10.123.11.%zu", cpu % 250 + 1);
		SEND_UDP(src, 40000, 9, NULL, 10);
		SEND_UDP(src, 40001, 9, NULL, 10);
		sched_setaffinity(0, sizeof(allowed), &allowed);
		/* The bit is in the block of the CPU that ran, and only there. */
		for (other = 0; other < fx.m.srcbits_cpus; other++)
			check_at(srcbits_block(other) == (other == cpu), __FILE__, __LINE__,
				 "packet on CPU %zu: %llu bits in the block of CPU %zu", cpu,
				 (unsigned long long)srcbits_block(other), other);
		tried++;
	}
	EXPECT_TRUE(tried > 0);
}

static void test_srcbits_not_passed(void)
{
	uint8_t arp[60] = {[12] = 0x08, [13] = 0x06};
	struct pkt_spec s;
	int i;

	BLOCK("10.123.9.66");
	BLOCK("fd00:123:9::66");
	BLOCK("10.123.10.0/24");
	BLOCK_RATE("10.123.9.77", 1);
	for (i = 0; i < 10; i++) {
		send_udp_at("10.123.9.66", 40000, 9, NULL, 10, XDP_DROP, __FILE__, __LINE__);
		send_udp_at("fd00:123:9::66", 40000, 9, NULL, 10, XDP_DROP, __FILE__, __LINE__);
		send_tcp_at("10.123.10.7", 40000, 80, SYN, NULL, XDP_DROP, __FILE__, __LINE__);
	}
	EXPECT_EQ(RUN(arp, sizeof(arp)), XDP_PASS);
	EXPECT_EQ(srcbits_total(), 0);

	/* The rate-limited source: its first packet passes (one bit), the
	 * burst after it is dropped and adds nothing. */
	spec_v4(&s, "10.123.9.77", IPPROTO_UDP, 9);
	EXPECT_EQ(RUN_SPEC(&s), XDP_PASS);
	EXPECT_EQ(srcbits_union(), 1);

	/* Allowlisted and would-drop packets are passed: they count. */
	ALLOW("10.123.9.88");
	SEND_UDP("10.123.9.88", 40000, 9, NULL, 10);
	EXPECT_EQ(srcbits_union(), 2);
	set_cfg(-1, -1, XG_CFG_MONITOR_ONLY);
	SEND_UDP("10.123.9.66", 40000, 9, NULL, 10);
	EXPECT_EQ(srcbits_union(), 3);
}

static void test_srcbits_collector(void)
{
	struct xg_collector c;
	struct xg_snapshot *snap = calloc(1, sizeof(*snap));
	char err[256] = "";
	uint64_t t0 = now_ns();
	double est;

	if (!snap) {
		EXPECT_TRUE(snap != NULL);
		return;
	}
	/* Bits from before the first collect are not this tick's. */
	SEND_DISTINCT(4, SPREAD, 500, 77777);
	EXPECT_TRUE(srcbits_union() > 0);
	if (xg_collector_init(&c, &fx.m, err, sizeof(err))) {
		check_at(false, __FILE__, __LINE__, "xg_collector_init: %s", err);
		free(snap);
		return;
	}
	EXPECT_EQ(xg_collector_collect(&c, t0, NULL, snap), 1);
	EXPECT_EQ(srcbits_total(), 0);

	SEND_DISTINCT(4, SPREAD, 2000, 1);
	SEND_DISTINCT(6, SPREAD, 1000, 1);
	SEND_DISTINCT(4, SPREAD, 500, 1); /* repeats of the first 500 */
	EXPECT_RANGE(srcbits_union(), 2940, 3000);
	EXPECT_EQ(xg_collector_collect(&c, t0 + 1000000000ULL, NULL, snap), 0);
	est = snap->distinct_sources;
	check_at(fabs(est - 3000.0) <= 150.0, __FILE__, __LINE__,
		 "distinct_sources %.1f within 5%% of 3000", est);
	EXPECT_EQ(srcbits_total(), 0);

	/* A tick with no traffic: zero. */
	EXPECT_EQ(xg_collector_collect(&c, t0 + 2000000000ULL, NULL, snap), 0);
	check_at(snap->distinct_sources == 0.0, __FILE__, __LINE__,
		 "distinct_sources %.1f == 0 after an idle tick", snap->distinct_sources);
	xg_collector_free(&c);
	free(snap);
}

static const struct fx_test tests[] = {
    {"amplification classes: DNS NTP SSDP memcached chargen CLDAP", test_amp_classes},
    {"xg_sport_class filled by xg_amp_ports_init", test_amp_table},
    {"amplification: other ports, TCP, queries, drops not counted", test_amp_not_counted},
    {"amplification: would-drop counted", test_amp_monitor_only},
    {"victims v4: destinations sampled, sources as talkers", test_victims_v4},
    {"victims v6", test_victims_v6},
    {"victims: sampling off, dropped source", test_victims_not_sampled},
    {"peers: well-formed SIP counts sip_ok", test_peer_sip_ok},
    {"peers: malformed SIP counts sip_bad", test_peer_sip_bad},
    {"peers: no payload, continuation, other ports touch nothing", test_peer_nothing},
    {"peers: valid RTP/STUN/DTLS, every packet (shift 0)", test_peer_rtp_every},
    {"peers: RTP 1 in 4 (shift 2), pinned", test_peer_rtp_one_in_four},
    {"peers: RTP learning off (shift 32)", test_peer_rtp_off},
    {"peers: XG_CFG_LEARN_PAUSED updates nothing", test_peer_paused},
    {"peers: first_ns and last_ns", test_peer_times},
    {"learn budget: 3 of 5 new sources, 2 skipped", test_learn_budget},
    {"xg_learn_used after refill and after SIP", test_learn_used},
    {"touched_v6 moves with IPv6 SIP only", test_learn_touched_v6},
    {"learn budget: empty budget stops updates of known sources", test_learn_budget_existing},
    {"srcbits: distinct IPv4 sources", test_srcbits_v4},
    {"srcbits: distinct IPv6 sources", test_srcbits_v6},
    {"srcbits: one source, one bit", test_srcbits_same_source},
    {"srcbits: each CPU writes its own block", test_srcbits_per_cpu},
    {"srcbits: dropped and non-IP packets set nothing", test_srcbits_not_passed},
    {"srcbits: collector estimate and clearing", test_srcbits_collector},
    {NULL, NULL},
};

int register_learn_tests(void)
{
	return fx_add_suite("learn", tests);
}
