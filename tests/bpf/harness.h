/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared fixture for the BPF tests: one privately loaded skeleton per suite,
 * every map reset before each test, and helpers that run crafted packets
 * through BPF_PROG_TEST_RUN and read the counters back.
 *
 * Helpers that can fail record a CUnit failure at the caller's line (the
 * upper-case macros pass __FILE__/__LINE__), so a failing check points at
 * the test, not at this file.
 */
#ifndef XG_TEST_HARNESS_H
#define XG_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>
#include <CUnit/Basic.h>
#include <xdpguard/abi.h>

#include "cidr.h"
#include "lists.h"
#include "maps.h"
#include "pkt.h"

struct xdpguard_bpf;

struct fixture {
	struct xdpguard_bpf *skel;
	struct xg_maps m;
	int prog_fd;
	int ncpu;
};

extern struct fixture fx;

/* Loads the program with private maps and installs the default config.
 * Returns 0, or -1 with a one-line reason in err. */
int fx_load(char *err, size_t errlen);
void fx_unload(void);

/* CUnit suite init/cleanup and per-test setup/teardown. */
int fx_suite_init(void);
int fx_suite_clean(void);
void fx_setup(void);
void fx_teardown(void);

/* Registers a suite with the fixture; tests is a NULL-terminated table. */
struct fx_test {
	const char *name;
	CU_TestFunc fn;
};
int fx_add_suite(const char *name, const struct fx_test *tests);

uint64_t now_ns(void);

/* Formats a message and records a CUnit assertion at file:line. */
void check_at(bool ok, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void expect_eq_at(uint64_t got, uint64_t want, const char *expr, const char *file, int line);
void expect_range_at(uint64_t got, uint64_t lo, uint64_t hi, const char *expr, const char *file,
		     int line);

#define EXPECT_EQ(got, want)                                                                       \
	expect_eq_at((uint64_t)(got), (uint64_t)(want), #got " == " #want, __FILE__, __LINE__)
#define EXPECT_RANGE(got, lo, hi)                                                                  \
	expect_range_at((uint64_t)(got), (uint64_t)(lo), (uint64_t)(hi), #got, __FILE__, __LINE__)
#define EXPECT_TRUE(cond) check_at((cond), __FILE__, __LINE__, "%s", #cond)

/* Packets. */
int xdp_run_at(const void *buf, size_t len, const char *file, int line);
size_t build_at(const struct pkt_spec *s, uint8_t *buf, size_t cap, const char *file, int line);
int run_spec_at(const struct pkt_spec *s, const char *file, int line);

#define RUN(buf, len) xdp_run_at((buf), (len), __FILE__, __LINE__)
#define BUILD(s, buf) build_at((s), (buf), sizeof(buf), __FILE__, __LINE__)
#define RUN_SPEC(s)   run_spec_at((s), __FILE__, __LINE__)

/* A default spec (IPv4 UDP 10.123.1.2:40000 -> 10.123.0.2:5060) with the
 * given source and destination port, protocol and payload. */
void spec_v4(struct pkt_spec *s, const char *src, uint8_t proto, uint16_t dport);
void spec_v6(struct pkt_spec *s, const char *src, uint8_t proto, uint16_t dport);
void spec_payload(struct pkt_spec *s, const void *p, size_t len);
void spec_text(struct pkt_spec *s, const char *text);
/* A SIP keep-alive (CRLF CRLF) in UDP to 5060 from src, IPv4 or IPv6. */
void spec_keepalive(struct pkt_spec *s, const char *src);

/* Realistic SIP messages (request line or status line, Via, From, To,
 * Call-ID, CSeq, Content-Length); transport is "UDP" or "TCP". */
void sip_request(char *buf, size_t cap, const char *method, const char *transport);
void sip_response(char *buf, size_t cap, const char *transport);

/* Counters, summed over CPUs. */
void stats_get(struct xg_stats *out);
uint64_t port_get(int l4, uint16_t port);
uint64_t sum_u64(const uint64_t *a, size_t n);
#define SUM(arr) sum_u64((const uint64_t *)(arr), sizeof(arr) / sizeof(uint64_t))

/* Runtime config. */
void cfg_get_at(struct xg_config *cfg, const char *file, int line);
void cfg_put_at(const struct xg_config *cfg, const char *file, int line);
#define CFG_GET(c) cfg_get_at((c), __FILE__, __LINE__)
#define CFG_PUT(c) cfg_put_at((c), __FILE__, __LINE__)

/* Lists through the real userspace API; the helpers assert success. */
struct xg_cidr cidr_at(const char *text, const char *file, int line);
int block_at(const char *cidr, uint64_t ttl_s, uint32_t rate_pps, uint64_t now, const char *file,
	     int line);
int allow_at(const char *cidr, const char *file, int line);
int unlist_at(enum xg_list list, const char *cidr, const char *file, int line);

#define CIDR(text)		  cidr_at((text), __FILE__, __LINE__)
#define BLOCK(cidr)		  block_at((cidr), 0, 0, now_ns(), __FILE__, __LINE__)
#define BLOCK_TTL(cidr, ttl, now) block_at((cidr), (ttl), 0, (now), __FILE__, __LINE__)
#define BLOCK_RATE(cidr, pps)	  block_at((cidr), 0, (pps), now_ns(), __FILE__, __LINE__)
#define ALLOW(cidr)		  allow_at((cidr), __FILE__, __LINE__)
#define UNBLOCK(cidr)		  unlist_at(XG_LIST_BLOCK, (cidr), __FILE__, __LINE__)
#define UNALLOW(cidr)		  unlist_at(XG_LIST_ALLOW, (cidr), __FILE__, __LINE__)

/* The entry stored for a CIDR, read straight from its map; -errno if absent. */
int block_entry(const char *cidr, struct xg_block *out);
int allow_entry(const char *cidr, struct xg_allow *out);

/* Suites. */
int register_parse_tests(void);
int register_list_tests(void);
int register_counter_tests(void);
int register_l7_tests(void);
int register_learn_tests(void);
int register_sample_tests(void);
int register_hot_tests(void);

#endif /* XG_TEST_HARNESS_H */
