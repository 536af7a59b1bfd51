// SPDX-License-Identifier: GPL-2.0-only
/* The fixture and helpers shared by every BPF test; see harness.h. */
#include "harness.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "loader.h"
#include "rtcfg.h"
#include "xdpguard.skel.h"

struct fixture fx = {.prog_fd = -1};

/* Buffers for zeroing the two 128k-entry arrays in one batch call each. */
static __u32 *zero_keys;
static void *zero_vals;

_Static_assert(sizeof(struct xg_stats) % sizeof(__u64) == 0, "xg_stats is not all __u64");

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void check_at(bool ok, const char *file, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, (unsigned int)line, msg, file, "",
				CU_FALSE);
}

void expect_eq_at(uint64_t got, uint64_t want, const char *expr, const char *file, int line)
{
	if (got == want)
		check_at(true, file, line, "%s", expr);
	else
		check_at(false, file, line, "%s (got %" PRIu64 ", expected %" PRIu64 ")", expr, got,
			 want);
}

void expect_range_at(uint64_t got, uint64_t lo, uint64_t hi, const char *expr, const char *file,
		     int line)
{
	check_at(got >= lo && got <= hi, file, line,
		 "%s in [%" PRIu64 ", %" PRIu64 "] (got %" PRIu64 ")", expr, lo, hi, got);
}

/* libbpf chatter (e.g. the .xdp_run_config section libxdp reads) would
 * drown the CUnit report; as in xdpctl, XDPGUARD_DEBUG=1 brings it back. */
static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

int fx_load(char *err, size_t errlen)
{
	static bool print_set;
	const char *debug = getenv("XDPGUARD_DEBUG");

	if (!print_set && (!debug || strcmp(debug, "1"))) {
		libbpf_set_print(quiet_print);
		print_set = true;
	}
	fx.ncpu = libbpf_num_possible_cpus();
	if (fx.ncpu <= 0) {
		snprintf(err, errlen, "cannot count possible CPUs: %s", strerror(-fx.ncpu));
		return -1;
	}
	fx.skel = xg_skel_load_private(err, errlen);
	if (!fx.skel)
		return -1;
	fx.prog_fd = bpf_program__fd(fx.skel->progs.xdpguard);
	xg_maps_from_skel(fx.skel, &fx.m);
	if (xg_rtcfg_init(&fx.m, err, errlen)) {
		fx_unload();
		return -1;
	}
	return 0;
}

void fx_unload(void)
{
	if (fx.skel)
		xdpguard_bpf__destroy(fx.skel);
	fx.skel = NULL;
	fx.prog_fd = -1;
	memset(&fx.m, 0, sizeof(fx.m));
}

int fx_suite_init(void)
{
	char err[512];
	__u32 i;

	if (fx_load(err, sizeof(err))) {
		fprintf(stderr, "bpf: %s\n", err);
		return -1;
	}
	if (!zero_keys) {
		zero_keys = calloc(2 * XG_PORTS, sizeof(*zero_keys));
		zero_vals = calloc((size_t)2 * XG_PORTS * (size_t)fx.ncpu, sizeof(__u64));
		if (!zero_keys || !zero_vals)
			return -1;
		for (i = 0; i < 2 * XG_PORTS; i++)
			zero_keys[i] = i;
	}
	return 0;
}

int fx_suite_clean(void)
{
	fx_unload();
	return 0;
}

/* Deletes every element of a hash map. */
static int clear_hash(int fd)
{
	uint8_t key[64];

	while (bpf_map_get_next_key(fd, NULL, key) == 0) {
		if (bpf_map_delete_elem(fd, key))
			return -errno;
	}
	return errno == ENOENT ? 0 : -errno;
}

/* Zeroes all 2 * XG_PORTS entries of a port-indexed array. */
static int zero_port_array(int fd)
{
	__u32 count = 2 * XG_PORTS, i;

	if (bpf_map_update_batch(fd, zero_keys, zero_vals, &count, NULL) == 0)
		return 0;
	/* No batch ops on arrays (before 5.6): one at a time. */
	for (i = 0; i < 2 * XG_PORTS; i++) {
		if (bpf_map_update_elem(fd, &i, zero_vals, BPF_ANY))
			return -errno;
	}
	return 0;
}

/* Zeroes every CPU's block of the mmapped per-port counters. */
static int zero_port_stats(void)
{
	__u32 *keys = calloc(2 * XG_PORTS, sizeof(*keys));
	__u32 count, i;
	size_t cpu;
	int ret = 0;

	if (!keys)
		return -ENOMEM;
	for (cpu = 0; !ret && cpu < fx.m.port_cpus; cpu++) {
		for (i = 0; i < 2 * XG_PORTS; i++)
			keys[i] = (__u32)cpu * 2 * XG_PORTS + i;
		count = 2 * XG_PORTS;
		if (bpf_map_update_batch(fx.m.port_stats, keys, zero_vals, &count, NULL))
			ret = -errno;
	}
	free(keys);
	return ret;
}

void fx_setup(void)
{
	int hashes[] = {
	    fx.m.block_v4,   fx.m.block_v6,   fx.m.block_pfx_v4, fx.m.block_pfx_v6,
	    fx.m.allow_v4,   fx.m.allow_v6,   fx.m.allow_pfx_v4, fx.m.allow_pfx_v6,
	    fx.m.rl_v4,	     fx.m.rl_v6,      fx.m.talkers_v4,	 fx.m.talkers_v6,
	    fx.m.victims_v4, fx.m.victims_v6, fx.m.peers_v4,	 fx.m.peers_v6,
	};
	struct xg_config cfg;
	char err[512] = "";
	__u32 zero = 0;
	size_t i;
	int ret;

	if (!fx.skel) {
		check_at(false, __FILE__, __LINE__, "fixture: no program loaded");
		return;
	}
	for (i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
		ret = clear_hash(hashes[i]);
		if (ret)
			check_at(false, __FILE__, __LINE__, "fixture: clearing a hash map: %s",
				 strerror(-ret));
	}
	if (bpf_map_update_elem(fx.m.stats, &zero, zero_vals, BPF_ANY))
		check_at(false, __FILE__, __LINE__, "fixture: zeroing xg_stats: %s",
			 strerror(errno));
	/* The learning budget's skipped counters survive a refill: zero them
	 * here, and xg_rtcfg_init below refills the budget. */
	if (bpf_map_update_elem(fx.m.learn, &zero, zero_vals, BPF_ANY))
		check_at(false, __FILE__, __LINE__, "fixture: zeroing xg_learn: %s",
			 strerror(errno));
	if (fx.m.srcbits_mem)
		memset(fx.m.srcbits_mem, 0,
		       fx.m.srcbits_cpus * XG_SRCBITS_WORDS * sizeof(*fx.m.srcbits_mem));
	else
		check_at(false, __FILE__, __LINE__, "fixture: xg_srcbits is not mapped");
	ret = zero_port_stats();
	if (!ret)
		ret = zero_port_array(fx.m.port_class);
	if (ret)
		check_at(false, __FILE__, __LINE__, "fixture: zeroing port arrays: %s",
			 strerror(-ret));
	/* The config below starts list_gen again: slots of the last test
	 * would look current. */
	if (bpf_map_update_elem(bpf_map__fd(fx.skel->maps.xg_hot), &zero, zero_vals, BPF_ANY))
		check_at(false, __FILE__, __LINE__, "fixture: zeroing xg_hot: %s", strerror(errno));
	memset(&cfg, 0, sizeof(cfg));
	if (xg_rtcfg_write(&fx.m, &cfg) || xg_rtcfg_init(&fx.m, err, sizeof(err)))
		check_at(false, __FILE__, __LINE__, "fixture: resetting the config: %s", err);
}

void fx_teardown(void)
{
}

int fx_add_suite(const char *name, const struct fx_test *tests)
{
	CU_pSuite s = CU_add_suite_with_setup_and_teardown(name, fx_suite_init, fx_suite_clean,
							   fx_setup, fx_teardown);

	if (!s)
		return -1;
	for (; tests->name; tests++) {
		if (!CU_add_test(s, tests->name, tests->fn))
			return -1;
	}
	return 0;
}

int xdp_run_at(const void *buf, size_t len, const char *file, int line)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = (__u32)len, .repeat = 1);
	int ret;

	if (fx.prog_fd < 0) {
		check_at(false, file, line, "no program loaded");
		return -1;
	}
	ret = bpf_prog_test_run_opts(fx.prog_fd, &o);
	if (ret) {
		check_at(false, file, line, "BPF_PROG_TEST_RUN of %zu bytes: %s", len,
			 strerror(-ret));
		return -1;
	}
	return (int)o.retval;
}

size_t build_at(const struct pkt_spec *s, uint8_t *buf, size_t cap, const char *file, int line)
{
	size_t n = pkt_build(s, buf, cap);

	if (!n)
		check_at(false, file, line, "pkt_build failed");
	return n;
}

int run_spec_at(const struct pkt_spec *s, const char *file, int line)
{
	uint8_t buf[PKT_MAX];
	size_t n = build_at(s, buf, sizeof(buf), file, line);

	if (!n)
		return -1;
	return xdp_run_at(buf, n, file, line);
}

void spec_v4(struct pkt_spec *s, const char *src, uint8_t proto, uint16_t dport)
{
	pkt_spec_init(s);
	if (pkt_set_addr(s, 1, src))
		check_at(false, __FILE__, __LINE__, "bad test address %s", src);
	s->proto = proto;
	s->dport = dport;
}

void spec_v6(struct pkt_spec *s, const char *src, uint8_t proto, uint16_t dport)
{
	pkt_spec_init(s);
	if (pkt_set_addr(s, 1, src) || pkt_set_addr(s, 0, "fd00:123::2") || s->family != 6)
		check_at(false, __FILE__, __LINE__, "bad test address %s", src);
	s->proto = proto;
	s->dport = dport;
}

void spec_keepalive(struct pkt_spec *s, const char *src)
{
	if (strchr(src, ':'))
		spec_v6(s, src, IPPROTO_UDP, 5060);
	else
		spec_v4(s, src, IPPROTO_UDP, 5060);
	spec_text(s, "\r\n\r\n");
}

void spec_payload(struct pkt_spec *s, const void *p, size_t len)
{
	s->payload = p;
	s->payload_len = len;
}

void spec_text(struct pkt_spec *s, const char *text)
{
	spec_payload(s, text, strlen(text));
}

void stats_get(struct xg_stats *out)
{
	struct xg_stats *percpu = calloc((size_t)fx.ncpu, sizeof(*percpu));
	uint64_t *dst = (uint64_t *)out;
	size_t words = sizeof(*out) / sizeof(uint64_t), w;
	__u32 zero = 0;
	int cpu;

	memset(out, 0, sizeof(*out));
	if (!percpu || bpf_map_lookup_elem(fx.m.stats, &zero, percpu)) {
		check_at(false, __FILE__, __LINE__, "reading xg_stats: %s", strerror(errno));
		free(percpu);
		return;
	}
	for (cpu = 0; cpu < fx.ncpu; cpu++) {
		const uint64_t *src = (const uint64_t *)&percpu[cpu];

		for (w = 0; w < words; w++)
			dst[w] += src[w];
	}
	free(percpu);
}

uint64_t port_get(int l4, uint16_t port)
{
	__u32 key = XG_PORT_KEY((__u32)l4, port);
	uint64_t sum = 0;
	size_t cpu;

	if (!fx.m.port_mem) {
		check_at(false, __FILE__, __LINE__, "xg_port_stats is not mapped");
		return 0;
	}
	for (cpu = 0; cpu < fx.m.port_cpus; cpu++)
		sum += fx.m.port_mem[cpu * 2 * XG_PORTS + key];
	return sum;
}

uint64_t sum_u64(const uint64_t *a, size_t n)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += a[i];
	return s;
}

void cfg_get_at(struct xg_config *cfg, const char *file, int line)
{
	int ret = xg_rtcfg_read(&fx.m, cfg);

	check_at(ret == 0, file, line, "xg_rtcfg_read: %s", strerror(-ret));
}

void cfg_put_at(const struct xg_config *cfg, const char *file, int line)
{
	int ret = xg_rtcfg_write(&fx.m, cfg);

	check_at(ret == 0, file, line, "xg_rtcfg_write: %s", strerror(-ret));
}

struct xg_cidr cidr_at(const char *text, const char *file, int line)
{
	struct xg_cidr c;
	char err[256] = "";

	if (xg_cidr_parse(text, &c, err, sizeof(err)))
		check_at(false, file, line, "xg_cidr_parse(%s): %s", text, err);
	return c;
}

int block_at(const char *cidr, uint64_t ttl_s, uint32_t rate_pps, uint64_t now, const char *file,
	     int line)
{
	struct xg_cidr c = cidr_at(cidr, file, line);
	struct xg_block_spec s = {.ttl_s = ttl_s, .rate_pps = rate_pps, .origin = XG_ORIGIN_API};
	char err[256] = "";
	int ret = xg_block_add(&fx.m, &c, &s, now, err, sizeof(err));

	check_at(ret == 0, file, line, "xg_block_add(%s): %d %s", cidr, ret, err);
	return ret;
}

int allow_at(const char *cidr, const char *file, int line)
{
	struct xg_cidr c = cidr_at(cidr, file, line);
	char err[256] = "";
	int ret = xg_allow_add(&fx.m, &c, "test", now_ns(), err, sizeof(err));

	check_at(ret == 0, file, line, "xg_allow_add(%s): %d %s", cidr, ret, err);
	return ret;
}

int unlist_at(enum xg_list list, const char *cidr, const char *file, int line)
{
	struct xg_cidr c = cidr_at(cidr, file, line);
	char err[256] = "";
	int ret = xg_list_del(&fx.m, list, &c, err, sizeof(err));

	check_at(ret == 0, file, line, "xg_list_del(%s): %d %s", cidr, ret, err);
	return ret;
}

/* Reads the entry for a CIDR from the map the program uses for it. */
static int list_entry(bool block, const char *cidr, void *out)
{
	struct xg_cidr c;
	char err[256];
	uint8_t key[20] = {0};
	bool v4, host;
	int fd;

	if (xg_cidr_parse(cidr, &c, err, sizeof(err)))
		return -EINVAL;
	v4 = c.family == AF_INET;
	host = xg_cidr_is_host(&c);
	if (host) {
		memcpy(key, c.addr, v4 ? 4 : 16);
		fd = block ? (v4 ? fx.m.block_v4 : fx.m.block_v6)
			   : (v4 ? fx.m.allow_v4 : fx.m.allow_v6);
	} else {
		__u32 plen = c.prefixlen;

		memcpy(key, &plen, sizeof(plen));
		memcpy(key + sizeof(plen), c.addr, v4 ? 4 : 16);
		fd = block ? (v4 ? fx.m.block_pfx_v4 : fx.m.block_pfx_v6)
			   : (v4 ? fx.m.allow_pfx_v4 : fx.m.allow_pfx_v6);
	}
	return bpf_map_lookup_elem(fd, key, out) ? -errno : 0;
}

int block_entry(const char *cidr, struct xg_block *out)
{
	return list_entry(true, cidr, out);
}

int allow_entry(const char *cidr, struct xg_allow *out)
{
	return list_entry(false, cidr, out);
}

void sip_request(char *buf, size_t cap, const char *method, const char *transport)
{
	bool reg = strcmp(method, "REGISTER") == 0;
	const char *uri = reg ? "sip:pbx.example.net" : "sip:bob@pbx.example.net";

	snprintf(buf, cap,
		 "%s %s SIP/2.0\r\n"
		 "Via: SIP/2.0/%s 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r\n"
		 "Max-Forwards: 70\r\n"
		 "From: \"Alice\" <sip:alice@example.net>;tag=1928301774\r\n"
		 "To: <%s>\r\n"
		 "Call-ID: a84b4c76e66710@192.0.2.10\r\n"
		 "CSeq: 314159 %s\r\n"
		 "Contact: <sip:alice@192.0.2.10:5060;transport=%s>\r\n"
		 "User-Agent: xdpguard-test/1.0\r\n"
		 "Content-Length: 0\r\n"
		 "\r\n",
		 method, uri, transport, reg ? "sip:alice@example.net" : "sip:bob@pbx.example.net",
		 method, transport);
}

void sip_response(char *buf, size_t cap, const char *transport)
{
	snprintf(buf, cap,
		 "SIP/2.0 200 OK\r\n"
		 "Via: SIP/2.0/%s 192.0.2.10:5060;branch=z9hG4bK776asdhds;received=198.51.100.7\r\n"
		 "From: \"Alice\" <sip:alice@example.net>;tag=1928301774\r\n"
		 "To: <sip:bob@pbx.example.net>;tag=a6c85cf\r\n"
		 "Call-ID: a84b4c76e66710@192.0.2.10\r\n"
		 "CSeq: 314159 OPTIONS\r\n"
		 "Allow: INVITE, ACK, CANCEL, OPTIONS, BYE\r\n"
		 "Content-Length: 0\r\n"
		 "\r\n",
		 transport);
}
