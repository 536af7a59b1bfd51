// SPDX-License-Identifier: GPL-2.0-only
/*
 * prog_cost: nanoseconds per packet of the xdpguard XDP program under
 * BPF_PROG_TEST_RUN, next to references run on the same packets in the
 * same process: a bare XDP_DROP program (the test-run floor), xdp-tools'
 * xdp-filter (xdpfilt_alw_all.o: default allow, listed sources dropped)
 * and, on the IPv4 drop rows, the minimal hash drop of the veth bench
 * (bench_hashdrop.bpf.o, holding the same sources): the floor of any
 * blocklist keyed on a hash lookup of the source. A blocked IPv4 source
 * repeated a million times is served by xdpguard's per-CPU cache of
 * dropped sources after its first 1024 hits; the QinQ-tagged drop rows
 * skip the cache and time the full path.
 *
 * Each number is the kernel's own mean per run (opts.duration, integer ns)
 * over `repeat` runs of one packet, the least of `runs` measurements (a
 * shared host's other load only ever adds time, in phases that last seconds
 * and moved a median by up to 2x here; the least is the run it disturbed
 * least). Each
 * list state (1k exact blocks, 1M, 1k plus a prefix, plus an allow entry)
 * lives in its own loaded copy of the filters, so every run measures every
 * case on every program, interleaved: drift on a noisy host hits them all.
 *
 * A test run reruns one packet, so random sources need distinct packets:
 * RAND_PKTS prebuilt ones, each run once (see RAND_REPEAT for why once).
 * Every measurement checks the verdict too: a benchmark that measures the
 * wrong path exits 1.
 *
 * Nothing is pinned or attached: xdpguard is loaded with private maps and
 * xdp-filter's pin paths are cleared before its load.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>

#include <xdpguard/abi.h>
#include "cidr.h"
#include "lists.h"
#include "loader.h"
#include "maps.h"
#include "rtcfg.h"
#include "pkt.h"
#include "xdpguard.skel.h"

#define XF_OBJ_DEFAULT "/usr/lib/x86_64-linux-gnu/bpf/xdpfilt_alw_all.o"
/* MAP_FLAG_SRC in xdp-filter's common_kern_user.h: the per-CPU value of a
 * filter_ipv4/filter_ipv6 entry whose source address is to be matched. */
#define XF_MAP_FLAG_SRC 1ULL

#define REPEAT_DEFAULT 1000000
#define REPEAT_QUICK   200000
#define RUNS_DEFAULT   5
#define RUNS_MAX       101
#define WARMUP_REPEAT  1000

#define N_SMALL	    1000    /* exact blocks per family in the "1k" copy */
#define N_LARGE	    1000000 /* IPv4 exact blocks in the "1M" copy */
#define BLOCKED_IDX 500	    /* the blocked source measured: in both copies */
#define FILL_CHUNK  65536

/*
 * Random sources: RAND_PKTS distinct prebuilt packets, each run once. With
 * repeat > 1 the kernel adds the program to the XDP dispatcher for the call
 * and removes it after (bpf_prog_change_xdp), two synchronize_rcu() per
 * call: ~20 ms here, so thousands of calls with repeat > 1 take many
 * minutes. repeat = 1 skips that and leaves every hash probe as cold as in a
 * real spoofed flood; the price is the per-call timer and loop overhead in
 * every number of that row, which its XDP_DROP column shows, and the control
 * row (one source, same method) separates from the cost of random sources.
 */
#define RAND_PKTS   65536
#define RAND_REPEAT 1

#define TCP_FLAG_SYN 0x02

enum { P_XG, P_DROP, P_HASH, P_XF, NPROG };

static const char *const prog_name[NPROG] = {"xdpguard", "XDP_DROP", "hash drop", "xdp-filter"};

#define NA (-1) /* case does not apply to this program */

struct frame {
	uint8_t data[PKT_MAX];
	uint32_t len;
};

/* n frames of one length, stride bytes apart (0: one frame n times). */
struct frames {
	uint8_t *data;
	uint32_t len;
	uint32_t stride;
	int n;
};

/* One loaded copy of each filter, in one list state. */
struct inst {
	const char *name;
	struct xdpguard_bpf *skel;
	struct xg_maps m;
	struct bpf_object *xf;
	int xf_v4, xf_v6; /* filter_ipv4, filter_ipv6 */
	struct bpf_object *hd;
	int hd_v4; /* bench_hashdrop's hashdrop_src */
	int fd[NPROG];
};

struct bcase {
	const char *id;	  /* JSON key */
	const char *desc; /* table row */
	const struct inst *in;
	struct frames pkts; /* n > 1: the random-source method */
	int expect[NPROG];
	double ns[NPROG];
	/* Packet sampling on: drained after every run, as the controller's
	 * reader would, so every run pays for real samples, not for a full
	 * ring's cheap refusals. */
	struct ring_buffer *drain;
};

struct opts {
	const char *bpf_dir;
	const char *xf_obj;
	unsigned int repeat;
	int runs;
	bool json;
};

static struct opts o = {
    .bpf_dir = "build",
    .xf_obj = XF_OBJ_DEFAULT,
    .repeat = REPEAT_DEFAULT,
    .runs = RUNS_DEFAULT,
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("prog_cost: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void progress(const char *fmt, ...)
{
	va_list ap;

	if (o.json)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level != LIBBPF_WARN)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static const char *verdict_name(uint32_t v)
{
	switch (v) {
	case XDP_ABORTED:
		return "XDP_ABORTED";
	case XDP_DROP:
		return "XDP_DROP";
	case XDP_PASS:
		return "XDP_PASS";
	case XDP_TX:
		return "XDP_TX";
	case XDP_REDIRECT:
		return "XDP_REDIRECT";
	default:
		return "unknown";
	}
}

/* ---- packets ---------------------------------------------------------- */

static void build(struct frame *f, const struct pkt_spec *s, const char *what)
{
	size_t n = pkt_build(s, f->data, sizeof(f->data));

	if (!n)
		die("cannot build the %s packet", what);
	f->len = (uint32_t)n;
}

static void set_addr(struct pkt_spec *s, int is_src, const char *text)
{
	if (pkt_set_addr(s, is_src, text))
		die("bad address %s", text);
}

/* An RTP packet: version 2, PCMU, 20 ms of audio (12-byte header + 160). */
static uint8_t rtp_payload[12 + 160];

static void rtp_init(void)
{
	static const uint8_t hdr[12] = {
	    0x80,		    /* V=2, no padding, extension or CSRCs */
	    0x00,		    /* PT 0 (PCMU) */
	    0x1a, 0x2b,		    /* sequence number */
	    0x00, 0x01, 0xe2, 0x40, /* timestamp */
	    0x5e, 0xc1, 0x7a, 0x33, /* SSRC */
	};
	size_t i;

	memcpy(rtp_payload, hdr, sizeof(hdr));
	for (i = sizeof(hdr); i < sizeof(rtp_payload); i++)
		rtp_payload[i] = 0xd5 ^ (uint8_t)(i * 7); /* mu-law audio */
}

static void rtp_spec(struct pkt_spec *s, const char *src, const char *dst)
{
	pkt_spec_init(s);
	set_addr(s, 1, src);
	set_addr(s, 0, dst);
	s->proto = IPPROTO_UDP;
	s->sport = 16384;
	s->dport = 12000;
	s->payload = rtp_payload;
	s->payload_len = sizeof(rtp_payload);
}

/* A small but realistic INVITE with an SDP offer. */
static char sip_invite[1024];
static size_t sip_invite_len;

static void sip_init(void)
{
	static const char sdp[] = "v=0\r\n"
				  "o=- 4711 1 IN IP4 10.123.1.2\r\n"
				  "s=-\r\n"
				  "c=IN IP4 10.123.1.2\r\n"
				  "t=0 0\r\n"
				  "m=audio 16384 RTP/AVP 0\r\n";
	int n;

	n = snprintf(sip_invite, sizeof(sip_invite),
		     "INVITE sip:bob@10.123.0.2 SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP 10.123.1.2:5060;branch=z9hG4bK776asdhds\r\n"
		     "Max-Forwards: 70\r\n"
		     "From: <sip:alice@10.123.1.2>;tag=1928301774\r\n"
		     "To: <sip:bob@10.123.0.2>\r\n"
		     "Call-ID: a84b4c76e66710@10.123.1.2\r\n"
		     "CSeq: 314159 INVITE\r\n"
		     "Contact: <sip:alice@10.123.1.2>\r\n"
		     "Content-Type: application/sdp\r\n"
		     "Content-Length: %zu\r\n"
		     "\r\n"
		     "%s",
		     sizeof(sdp) - 1, sdp);
	if (n < 0 || (size_t)n >= sizeof(sip_invite))
		die("SIP INVITE does not fit");
	sip_invite_len = (size_t)n;
}

/* xorshift64*: reproducible random sources. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t rng32(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dULL) >> 32);
}

/* The i-th blocked IPv4 source, host order: 20.0.0.1 + i. */
static uint32_t block_v4_addr(uint32_t i)
{
	return 0x14000001u + i;
}

/* The i-th blocked IPv6 source: 2001:db8:dead::1 + i. */
static void block_v6_addr(uint32_t i, uint8_t out[16])
{
	static const uint8_t base[16] = {0x20, 0x01, 0x0d, 0xb8, 0xde, 0xad};
	uint32_t v = i + 1;

	memcpy(out, base, 16);
	out[12] = (uint8_t)(v >> 24);
	out[13] = (uint8_t)(v >> 16);
	out[14] = (uint8_t)(v >> 8);
	out[15] = (uint8_t)v;
}

/* RTP packets from random unicast sources outside everything the benchmark
 * blocks or allows (20/8, 10/8) and outside 0/8, 127/8 and multicast. */
static struct frames random_frames(int n)
{
	struct frames fs = {.n = n};
	struct pkt_spec s;
	struct frame f;
	int i;

	rtp_spec(&s, "10.123.1.2", "10.123.0.2");
	build(&f, &s, "random-source");
	fs.len = f.len;
	fs.stride = f.len;
	fs.data = malloc((size_t)n * f.len);
	if (!fs.data)
		die("out of memory");
	for (i = 0; i < n; i++) {
		uint32_t a;
		uint8_t top;

		do {
			a = rng32();
			top = (uint8_t)(a >> 24);
		} while (top == 0 || top == 10 || top == 20 || top == 127 || top >= 224);
		s.src[0] = (uint8_t)(a >> 24);
		s.src[1] = (uint8_t)(a >> 16);
		s.src[2] = (uint8_t)(a >> 8);
		s.src[3] = (uint8_t)a;
		build(&f, &s, "random-source");
		if (f.len != fs.len)
			die("random-source frames differ in length");
		memcpy(fs.data + (size_t)i * fs.stride, f.data, f.len);
	}
	return fs;
}

/* One frame; with n > 1 it is run n times once each, like the random ones. */
static struct frames same_frame(const struct frame *f, int n)
{
	struct frames fs = {.data = (uint8_t *)f->data, .len = f->len, .stride = 0, .n = n};

	return fs;
}

/* ---- loading ---------------------------------------------------------- */

static struct bpf_object *open_plain(const char *path)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);

	if (!obj)
		die("cannot open %s: %s", path, strerror(errno));
	return obj;
}

static int first_prog_fd(struct bpf_object *obj, const char *path)
{
	struct bpf_program *p = bpf_object__next_program(obj, NULL);
	int fd = p ? bpf_program__fd(p) : -1;

	if (fd < 0)
		die("%s: no program", path);
	return fd;
}

/* One of the bench's own objects in --bpf-dir, opened (not loaded). */
static struct bpf_object *open_bench_obj(const char *file, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", o.bpf_dir, file);
	if (access(path, R_OK))
		die("%s: %s (run `make`, or pass --bpf-dir)", path, strerror(errno));
	return open_plain(path);
}

static struct bpf_object *load_drop(int *fd)
{
	char path[4096];
	struct bpf_object *obj = open_bench_obj("bench_drop.bpf.o", path, sizeof(path));

	if (bpf_object__load(obj))
		die("cannot load %s: %s", path, strerror(errno));
	*fd = first_prog_fd(obj, path);
	return obj;
}

/* Loads xdp-filter privately: its maps are LIBBPF_PIN_BY_NAME, so every pin
 * path is cleared first, and filter_ipv4 (10000 entries as shipped) gets
 * xdpguard's capacity, so both copies differ only in what they hold. */
static void load_xf(struct inst *in)
{
	struct bpf_map *map;

	if (access(o.xf_obj, R_OK))
		die("%s: %s (Debian package xdp-tools, or pass --xdp-filter)", o.xf_obj,
		    strerror(errno));
	in->xf = open_plain(o.xf_obj);
	bpf_object__for_each_map (map, in->xf) {
		if (bpf_map__set_pin_path(map, NULL))
			die("%s: cannot clear the pin path of %s", o.xf_obj, bpf_map__name(map));
	}
	map = bpf_object__find_map_by_name(in->xf, "filter_ipv4");
	if (!map || !bpf_object__find_map_by_name(in->xf, "filter_ipv6"))
		die("%s: no filter_ipv4/filter_ipv6 map: not xdpfilt_alw_all?", o.xf_obj);
	if (bpf_map__key_size(map) != 4 || bpf_map__value_size(map) != 8)
		die("%s: unexpected filter_ipv4 layout", o.xf_obj);
	if (bpf_map__set_max_entries(map, XG_BLOCK_EXACT_MAX))
		die("%s: cannot resize filter_ipv4", o.xf_obj);
	if (bpf_object__load(in->xf))
		die("cannot load %s: %s", o.xf_obj, strerror(errno));
	bpf_object__for_each_map (map, in->xf) {
		if (bpf_map__is_pinned(map))
			die("%s: map %s got pinned", o.xf_obj, bpf_map__name(map));
	}
	in->fd[P_XF] = first_prog_fd(in->xf, o.xf_obj);
	in->xf_v4 = bpf_object__find_map_fd_by_name(in->xf, "filter_ipv4");
	in->xf_v6 = bpf_object__find_map_fd_by_name(in->xf, "filter_ipv6");
	if (in->xf_v4 < 0 || in->xf_v6 < 0)
		die("%s: filter maps have no fd", o.xf_obj);
}

/* Loads the minimal hash drop, its map sized as xdpguard's exact list. */
static void load_hd(struct inst *in)
{
	char path[4096];
	struct bpf_map *map;

	in->hd = open_bench_obj("bench_hashdrop.bpf.o", path, sizeof(path));
	map = bpf_object__find_map_by_name(in->hd, "hashdrop_src");
	if (!map || bpf_map__key_size(map) != 4 || bpf_map__value_size(map) != 1)
		die("%s: no hashdrop_src map of 4-byte keys and 1-byte values", path);
	if (bpf_map__set_max_entries(map, XG_BLOCK_EXACT_MAX))
		die("%s: cannot resize hashdrop_src", path);
	if (bpf_object__load(in->hd))
		die("cannot load %s: %s", path, strerror(errno));
	in->fd[P_HASH] = first_prog_fd(in->hd, path);
	in->hd_v4 = bpf_map__fd(map);
	if (in->hd_v4 < 0)
		die("%s: hashdrop_src has no fd", path);
}

/* Loads a copy; xdp-filter and the hash drop only where they have the
 * feature measured (exact sources). */
static void load_inst(struct inst *in, const char *name, int drop_fd, bool with_xf)
{
	char err[256] = "";

	in->name = name;
	in->skel = xg_skel_load_private(err, sizeof(err));
	if (!in->skel)
		die("cannot load xdpguard: %s", err);
	in->fd[P_XG] = bpf_program__fd(in->skel->progs.xdpguard);
	if (in->fd[P_XG] < 0)
		die("xdpguard: no program fd");
	xg_maps_from_skel(in->skel, &in->m);
	if (xg_rtcfg_init(&in->m, err, sizeof(err)))
		die("xg_rtcfg_init: %s", err);
	in->fd[P_DROP] = drop_fd;
	in->fd[P_XF] = in->xf_v4 = in->xf_v6 = -1;
	in->fd[P_HASH] = in->hd_v4 = -1;
	if (with_xf) {
		load_xf(in);
		load_hd(in);
	}
}

static void unload_inst(struct inst *in)
{
	if (in->xf)
		bpf_object__close(in->xf);
	if (in->hd)
		bpf_object__close(in->hd);
	xdpguard_bpf__destroy(in->skel);
}

/* ---- filling the lists ------------------------------------------------ */

static void update_batch(int fd, void *keys, void *vals, uint32_t n, size_t ksz, size_t vsz,
			 const char *what)
{
	uint32_t count = n, i;

	if (!bpf_map_update_batch(fd, keys, vals, &count, NULL) && count == n)
		return;
	/* Kernels without batch updates for this map type: one at a time. */
	for (i = 0; i < n; i++) {
		if (bpf_map_update_elem(fd, (char *)keys + i * ksz, (char *)vals + i * vsz,
					BPF_ANY))
			die("cannot fill %s: %s", what, strerror(errno));
	}
}

static struct xg_block block_value(uint64_t now)
{
	struct xg_block b;

	memset(&b, 0, sizeof(b));
	b.created_ns = now;
	b.action = XG_ACTION_DROP;
	b.origin = XG_ORIGIN_MANUAL;
	return b;
}

/* Blocks IPv4 sources [0, n) in every filter of a copy. */
static void fill_v4(const struct inst *in, uint32_t n_total, int ncpu)
{
	struct xg_v4_key *k = calloc(FILL_CHUNK, sizeof(*k));
	struct xg_block *v = calloc(FILL_CHUNK, sizeof(*v));
	uint32_t *xk = calloc(FILL_CHUNK, sizeof(*xk));
	uint64_t *xv = calloc((size_t)FILL_CHUNK * ncpu, sizeof(*xv));
	uint8_t *hv = malloc(FILL_CHUNK);
	struct xg_block b = block_value(mono_ns());
	uint32_t i, j, n;

	if (!k || !v || !xk || !xv || !hv)
		die("out of memory");
	memset(hv, 1, FILL_CHUNK);
	for (i = 0; i < (size_t)FILL_CHUNK * ncpu; i++)
		xv[i] = XF_MAP_FLAG_SRC;
	for (i = 0; i < n_total; i += n) {
		n = n_total - i < FILL_CHUNK ? n_total - i : FILL_CHUNK;
		for (j = 0; j < n; j++) {
			uint32_t a = htonl(block_v4_addr(i + j));

			memcpy(k[j].addr, &a, 4);
			v[j] = b;
			xk[j] = a;
		}
		update_batch(in->m.block_v4, k, v, n, sizeof(*k), sizeof(*v), "xg_block_v4");
		if (in->xf)
			update_batch(in->xf_v4, xk, xv, n, sizeof(*xk), sizeof(*xv) * ncpu,
				     "filter_ipv4");
		if (in->hd)
			update_batch(in->hd_v4, xk, hv, n, sizeof(*xk), 1, "hashdrop_src");
	}
	free(k);
	free(v);
	free(xk);
	free(xv);
	free(hv);
}

static void fill_v6(const struct inst *in, uint32_t n, int ncpu)
{
	struct xg_v6_key *k = calloc(n, sizeof(*k));
	struct xg_block *v = calloc(n, sizeof(*v));
	struct in6_addr *xk = calloc(n, sizeof(*xk));
	uint64_t *xv = calloc((size_t)n * ncpu, sizeof(*xv));
	struct xg_block b = block_value(mono_ns());
	uint32_t i;

	if (!k || !v || !xk || !xv)
		die("out of memory");
	for (i = 0; i < n; i++) {
		block_v6_addr(i, k[i].addr);
		memcpy(&xk[i], k[i].addr, 16);
		v[i] = b;
	}
	for (i = 0; i < n * (uint32_t)ncpu; i++)
		xv[i] = XF_MAP_FLAG_SRC;
	update_batch(in->m.block_v6, k, v, n, sizeof(*k), sizeof(*v), "xg_block_v6");
	if (in->xf)
		update_batch(in->xf_v6, xk, xv, n, sizeof(*xk), sizeof(*xv) * ncpu, "filter_ipv6");
	free(k);
	free(v);
	free(xk);
	free(xv);
}

/* Fills a copy, then lets xdpguard's config know (have-bits). */
static void fill(const struct inst *in, uint32_t n_v4, uint32_t n_v6, int ncpu)
{
	char err[256] = "";
	long n;

	progress("filling %s: %u IPv4 + %u IPv6 exact blocks\n", in->name, n_v4, n_v6);
	fill_v4(in, n_v4, ncpu);
	fill_v6(in, n_v6, ncpu);
	if (xg_lists_sync(&in->m, err, sizeof(err)))
		die("xg_lists_sync: %s", err);
	n = xg_list_count(&in->m, XG_LIST_BLOCK);
	if (n != (long)n_v4 + n_v6)
		die("xdpguard (%s) holds %ld block entries, expected %u", in->name, n, n_v4 + n_v6);
}

static void cidr(const char *text, struct xg_cidr *c)
{
	char err[256] = "";

	if (xg_cidr_parse(text, c, err, sizeof(err)))
		die("%s: %s", text, err);
}

/* ---- measuring -------------------------------------------------------- */

/* One BPF_PROG_TEST_RUN of frame i: returns the kernel's mean ns per run. */
static double test_run(int p, const struct bcase *c, int i, unsigned int repeat)
{
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = c->pkts.data + (size_t)i * c->pkts.stride,
		    .data_size_in = c->pkts.len, .repeat = repeat);

	if (bpf_prog_test_run_opts(c->in->fd[p], &t))
		die("BPF_PROG_TEST_RUN of %s on case '%s' failed: %s", prog_name[p], c->id,
		    strerror(errno));
	if (t.retval != (uint32_t)c->expect[p])
		die("wrong verdict: case '%s' on %s returned %s, expected %s", c->id, prog_name[p],
		    verdict_name(t.retval), verdict_name((uint32_t)c->expect[p]));
	return (double)t.duration;
}

static double measure_once(int p, const struct bcase *c)
{
	double sum = 0;
	int i;

	if (c->pkts.n == 1)
		return test_run(p, c, 0, o.repeat);
	for (i = 0; i < c->pkts.n; i++)
		sum += test_run(p, c, i, RAND_REPEAT);
	return sum / c->pkts.n;
}

static double least(const double *v, int n)
{
	double m = v[0];
	int i;

	for (i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

#define GROUP_MAX 24

/* Measures a group of cases: every run measures every case on every
 * program, so slow phases of the host spread over all of them. */
static void measure_group(struct bcase *const *cs, int n)
{
	static double v[GROUP_MAX][NPROG][RUNS_MAX];
	int k, p, r;

	if (n > GROUP_MAX)
		die("group too large");
	/* Warm-up, which also checks every verdict before the long runs. */
	for (k = 0; k < n; k++) {
		for (p = 0; p < NPROG; p++) {
			if (cs[k]->expect[p] != NA)
				test_run(p, cs[k], 0, WARMUP_REPEAT);
		}
	}
	for (r = 0; r < o.runs; r++) {
		progress("  run %d/%d\n", r + 1, o.runs);
		for (k = 0; k < n; k++) {
			for (p = 0; p < NPROG; p++) {
				if (cs[k]->expect[p] != NA)
					v[k][p][r] = measure_once(p, cs[k]);
				if (cs[k]->drain)
					ring_buffer__consume(cs[k]->drain);
			}
		}
	}
	for (k = 0; k < n; k++) {
		progress("  %-20s", cs[k]->id);
		for (p = 0; p < NPROG; p++) {
			cs[k]->ns[p] = cs[k]->expect[p] == NA ? NAN : least(v[k][p], o.runs);
			if (cs[k]->expect[p] != NA)
				progress(" %s %.1f", prog_name[p], cs[k]->ns[p]);
		}
		progress("\n");
	}
}

/* ---- report ----------------------------------------------------------- */

struct target {
	const char *id;
	const char *desc;
	double num, den;
	double value; /* num / den */
	double limit;
};

static struct target mk_target(const char *id, const char *desc, double num, double den,
			       double limit)
{
	struct target t = {
	    .id = id,
	    .desc = desc,
	    .num = num,
	    .den = den,
	    .value = den > 0 ? num / den : INFINITY,
	    .limit = limit,
	};

	return t;
}

static bool target_pass(const struct target *t)
{
	return t->value <= t->limit;
}

static double ratio(const struct bcase *c)
{
	if (isnan(c->ns[P_XF]) || isnan(c->ns[P_XG]) || c->ns[P_XF] <= 0)
		return NAN;
	return c->ns[P_XG] / c->ns[P_XF];
}

static const char *fmt(char *buf, size_t len, double v, const char *f)
{
	if (isnan(v))
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, f, v);
	return buf;
}

static void json_num(const char *key, double v, const char *f, bool comma)
{
	char buf[32];

	printf("\"%s\":%s%s", key, isnan(v) ? "null" : fmt(buf, sizeof(buf), v, f),
	       comma ? "," : "");
}

static void report_json(const struct bcase *cs, int nc, const struct target *ts, int nt,
			const char *kernel, bool all)
{
	int i;

	printf("{\"tool\":\"prog_cost\",\"kernel\":\"%s\",\"repeat\":%u,\"runs\":%d,", kernel,
	       o.repeat, o.runs);
	printf("\"method\":\"BPF_PROG_TEST_RUN, opts.duration (integer ns, the kernel's mean "
	       "per run) of one packet run `repeat` times, least of `runs`, all cases and "
	       "programs interleaved in every run; random_src_1m: %d distinct packets run "
	       "%d time(s) each, mean of the per-packet durations, per-call timer overhead "
	       "included (see xdp_drop_ns and the control row)\",",
	       RAND_PKTS, RAND_REPEAT);
	printf("\"xdp_filter\":\"%s\",\"cases\":[", o.xf_obj);
	for (i = 0; i < nc; i++) {
		printf("%s{\"case\":\"%s\",\"desc\":\"%s\",", i ? "," : "", cs[i].id, cs[i].desc);
		json_num("xdpguard_ns", cs[i].ns[P_XG], "%.1f", true);
		json_num("xdp_drop_ns", cs[i].ns[P_DROP], "%.1f", true);
		json_num("hash_drop_ns", cs[i].ns[P_HASH], "%.1f", true);
		json_num("xdp_filter_ns", cs[i].ns[P_XF], "%.1f", true);
		json_num("xdpguard_per_xdp_filter", ratio(&cs[i]), "%.3f", false);
		putchar('}');
	}
	printf("],\"targets\":[");
	for (i = 0; i < nt; i++) {
		printf("%s{\"target\":\"%s\",\"desc\":\"%s\",", i ? "," : "", ts[i].id, ts[i].desc);
		json_num("value", ts[i].value, "%.3f", true);
		json_num("limit", ts[i].limit, "%.2f", true);
		printf("\"pass\":%s}", target_pass(&ts[i]) ? "true" : "false");
	}
	printf("],\"all_targets_pass\":%s}\n", all ? "true" : "false");
}

static void report(const struct bcase *cs, int nc, const struct target *ts, int nt,
		   const char *kernel)
{
	char a[32], b[32], c[32], d[32], e[32];
	bool all = true;
	int i;

	for (i = 0; i < nt; i++)
		all = all && target_pass(&ts[i]);
	if (o.json) {
		report_json(cs, nc, ts, nt, kernel, all);
		return;
	}

	printf("\n## prog_cost\n\n");
	printf("BPF_PROG_TEST_RUN on kernel %s: ns = opts.duration (the kernel's integer mean "
	       "per run) of one packet\nrun %u times, least of %d runs; all cases and programs "
	       "are interleaved in every run.\n",
	       kernel, o.repeat, o.runs);
	printf("State: 1k = %d IPv4 + %d IPv6 exact blocks, 1M = %d IPv4 + %d IPv6, each in its "
	       "own loaded copy\nof the filters; the prefix row's copy adds 10.99.0.0/16, "
	       "10.97.0.1 for "
	       "1 h and 10.98.0.1 at 10 pps to 1k,\nthe allowlist row's also allows 10.99.7.7. "
	       "A source blocked with drop is cached after 1024 hits\n(bpf/xg_hot.h): the "
	       "QinQ rows time the full path, the other drop rows (not the rate limit) "
	       "the cache.\n",
	       N_SMALL, N_SMALL, N_LARGE, N_SMALL);
	printf("Random sources: %d distinct packets, each run %d time(s) (repeat > 1 costs two "
	       "synchronize_rcu()\nper call for the XDP dispatcher), mean of the per-packet "
	       "durations, same packets for every\nprogram: that row and its control include "
	       "the per-call timer overhead (see XDP_DROP).\n",
	       RAND_PKTS, RAND_REPEAT);
	printf("xdp-filter: %s (filter_ipv4 sized %u); n/a = no such feature.\n", o.xf_obj,
	       XG_BLOCK_EXACT_MAX);
	printf("Hash drop: bench_hashdrop.bpf.o (Ethernet, IPv4, one hash lookup of the source), "
	       "holding the copy's IPv4\nsources; drop rows only.\n\n");
	printf("| case | xdpguard ns | XDP_DROP ns | hash drop ns | xdp-filter ns | "
	       "xdpguard/xdp-filter |\n");
	printf("|---|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < nc; i++) {
		printf("| %s | %s | %s | %s | %s | %s |\n", cs[i].desc,
		       fmt(a, sizeof(a), cs[i].ns[P_XG], "%.1f"),
		       fmt(b, sizeof(b), cs[i].ns[P_DROP], "%.1f"),
		       fmt(e, sizeof(e), cs[i].ns[P_HASH], "%.1f"),
		       fmt(c, sizeof(c), cs[i].ns[P_XF], "%.1f"),
		       fmt(d, sizeof(d), ratio(&cs[i]), "%.2f"));
	}
	putchar('\n');
	for (i = 0; i < nt; i++) {
		printf("target %s: %.1f / %.1f = %.2f (limit %.2f): %s\n", ts[i].desc, ts[i].num,
		       ts[i].den, ts[i].value, ts[i].limit, target_pass(&ts[i]) ? "PASS" : "FAIL");
	}
	printf("targets: %s\n", all ? "all PASS" : "some FAIL");
}

/* ---- main ------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: prog_cost [--bpf-dir DIR] [--repeat N] [--runs N] [--quick] [--json]\n"
		"                 [--xdp-filter OBJ]\n"
		"Measures ns/packet of xdpguard under BPF_PROG_TEST_RUN next to a bare XDP_DROP\n"
		"program, xdp-tools' xdp-filter and (drop rows) a minimal XDP hash drop, on the\n"
		"same packets.\n"
		"  --bpf-dir DIR     where bench_drop.bpf.o and bench_hashdrop.bpf.o are\n"
		"                    (default build)\n"
		"  --repeat N        runs per BPF_PROG_TEST_RUN (default %d)\n"
		"  --runs N          measurements per case, the least is reported (default %d)\n"
		"  --quick           repeat %d, for a smoke run\n"
		"  --json            one JSON object instead of the table\n"
		"  --xdp-filter OBJ  xdp-filter object (default %s)\n"
		"Exits 1 on a setup error or a wrong verdict; a missed target only prints FAIL.\n",
		REPEAT_DEFAULT, RUNS_DEFAULT, REPEAT_QUICK, XF_OBJ_DEFAULT);
}

static long parse_num(const char *s, const char *opt, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "prog_cost: %s wants a number in %ld..%ld\n", opt, lo, hi);
		exit(2);
	}
	return v;
}

static void parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"bpf-dir", required_argument, NULL, 'd'}, {"repeat", required_argument, NULL, 'r'},
	    {"runs", required_argument, NULL, 'n'},    {"quick", no_argument, NULL, 'q'},
	    {"json", no_argument, NULL, 'j'},	       {"xdp-filter", required_argument, NULL, 'x'},
	    {"help", no_argument, NULL, 'h'},	       {NULL, 0, NULL, 0},
	};
	bool repeat_set = false, quick = false;
	int c;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'd':
			o.bpf_dir = optarg;
			break;
		case 'r':
			o.repeat = (unsigned int)parse_num(optarg, "--repeat", 1, 1000000000);
			repeat_set = true;
			break;
		case 'n':
			o.runs = (int)parse_num(optarg, "--runs", 1, RUNS_MAX);
			break;
		case 'q':
			quick = true;
			break;
		case 'j':
			o.json = true;
			break;
		case 'x':
			o.xf_obj = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc) {
		usage(stderr);
		exit(2);
	}
	if (quick && !repeat_set)
		o.repeat = REPEAT_QUICK;
}

enum {
	C_RTP,
	C_SIP,
	C_SYN,
	C_V6,
	C_BLOCK_1K,
	C_BLOCK_1M,
	C_RANDOM,
	C_RANDOM_CTL,
	C_PREFIX,
	C_ALLOW,
	C_RTP_SAMPLED,
	C_SIP_SAMPLED,
	C_BLOCK_V6,
	C_RATELIMIT,
	C_BLOCK_QINQ_1K,
	C_BLOCK_QINQ_1M,
	C_BLOCK_TTL,
	NCASES,
};

static void set_case(struct bcase *c, const char *id, const char *desc, const struct inst *in,
		     struct frames pkts, int expect_xg, int expect_xf)
{
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->desc = desc;
	c->in = in;
	c->pkts = pkts;
	c->expect[P_XG] = expect_xg;
	c->expect[P_DROP] = XDP_DROP;
	c->expect[P_XF] = expect_xf;
	/* the hash drop knows exact sources of untagged IPv4 only: the drop
	 * rows xdp-filter has, on frames of that shape */
	c->expect[P_HASH] =
	    expect_xf == XDP_DROP && pkts.len > 13 && pkts.data[12] == 0x08 && pkts.data[13] == 0x00
		? XDP_DROP
		: NA;
}

#define PCAP_SHIFT_BENCH 10 /* 1 in 1024: the default peacetime rate */

static int drop_sample(void *ctx, void *data, size_t size)
{
	(void)ctx;
	(void)data;
	(void)size;
	return 0;
}

/* Sampling into the capture ring buffer, 1 in 1024, and its reader. */
static struct ring_buffer *enable_sampling(struct inst *in)
{
	struct xg_config rc;
	struct ring_buffer *rb;

	if (xg_rtcfg_read(&in->m, &rc))
		die("cannot read the config of %s", in->name);
	rc.pcap_shift = PCAP_SHIFT_BENCH;
	if (xg_rtcfg_write(&in->m, &rc))
		die("cannot write the config of %s", in->name);
	rb = ring_buffer__new(in->m.samples, drop_sample, NULL, NULL);
	if (!rb)
		die("cannot read the sample ring buffer: %s", strerror(errno));
	return rb;
}

int main(int argc, char **argv)
{
	static struct frame f_rtp, f_sip, f_syn, f_v6, f_block, f_prefix, f_allow, f_block6, f_rl,
	    f_block_qinq, f_ttl;
	char buf6[INET6_ADDRSTRLEN];
	uint8_t a6[16];
	static struct inst small, large, pfx, alw, smp;
	struct ring_buffer *smp_rb;
	struct bcase cs[NCASES], *grp[NCASES];
	char err[256] = "", kernel[65] = "?", buf[INET_ADDRSTRLEN];
	char desc_rtp[64], desc_sip[64], desc_rnd[64], desc_ctl[80];
	struct bpf_object *drop_obj;
	struct xg_block_spec spec;
	struct target ts[8];
	struct utsname un;
	struct pkt_spec s;
	struct xg_cidr c;
	int ncpu, drop_fd, i;
	uint32_t a;

	parse_args(argc, argv);
	libbpf_set_print(libbpf_print);
	if (!uname(&un))
		snprintf(kernel, sizeof(kernel), "%s", un.release);
	ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0)
		die("cannot count possible CPUs: %s", strerror(-ncpu));

	drop_obj = load_drop(&drop_fd);
	load_inst(&small, "1k copy", drop_fd, true);
	load_inst(&large, "1M copy", drop_fd, true);
	load_inst(&pfx, "1k+prefix copy", drop_fd, false);
	load_inst(&alw, "1k+prefix+allow copy", drop_fd, false);
	load_inst(&smp, "1k copy, sampling 1/1024", drop_fd, false);
	smp_rb = enable_sampling(&smp);

	/* Packets. */
	rtp_init();
	sip_init();
	rtp_spec(&s, "10.123.1.2", "10.123.0.2");
	build(&f_rtp, &s, "RTP");

	pkt_spec_init(&s); /* 10.123.1.2 -> 10.123.0.2:5060/udp */
	s.sport = 5060;
	s.payload = sip_invite;
	s.payload_len = sip_invite_len;
	build(&f_sip, &s, "SIP INVITE");

	pkt_spec_init(&s);
	s.proto = IPPROTO_TCP;
	s.sport = 40001;
	s.dport = 5061;
	s.tcp_flags = TCP_FLAG_SYN;
	build(&f_syn, &s, "TCP SYN");

	rtp_spec(&s, "2001:db8:1::2", "2001:db8::2");
	build(&f_v6, &s, "IPv6 UDP");

	a = htonl(block_v4_addr(BLOCKED_IDX));
	inet_ntop(AF_INET, &a, buf, sizeof(buf));
	rtp_spec(&s, buf, "10.123.0.2");
	build(&f_block, &s, "blocked-source");
	/* The same in QinQ tags (802.1ad, 802.1Q): the cache of dropped
	 * sources serves untagged and single-tagged frames only, so these
	 * rows time the full drop path. */
	s.nvlan = 2;
	s.vlan_tpid[0] = 0x88a8;
	s.vlan_id[0] = 100;
	s.vlan_id[1] = 200;
	build(&f_block_qinq, &s, "QinQ blocked-source");

	rtp_spec(&s, "10.99.1.1", "10.123.0.2");
	build(&f_prefix, &s, "prefix-blocked");

	block_v6_addr(BLOCKED_IDX, a6);
	inet_ntop(AF_INET6, a6, buf6, sizeof(buf6));
	rtp_spec(&s, buf6, "2001:db8::2");
	build(&f_block6, &s, "blocked IPv6 source");

	/* Rate-limited to 10 pps: a million in a row are almost all over it. */
	rtp_spec(&s, "10.98.0.1", "10.123.0.2");
	build(&f_rl, &s, "rate-limited");

	/* Blocked for an hour, as the controller blocks: the expiry costs a
	 * clock read on every drop. */
	rtp_spec(&s, "10.97.0.1", "10.123.0.2");
	build(&f_ttl, &s, "TTL-blocked");

	/* Inside the blocked prefix too: the allowlist must win. */
	rtp_spec(&s, "10.99.7.7", "10.123.0.2");
	build(&f_allow, &s, "allowlisted");

	snprintf(desc_rtp, sizeof(desc_rtp), "RTP UDP/12000, %zu B payload, 1k (pass)",
		 sizeof(rtp_payload));
	snprintf(desc_sip, sizeof(desc_sip), "SIP INVITE UDP/5060, %zu B payload, 1k (pass)",
		 sip_invite_len);
	snprintf(desc_rnd, sizeof(desc_rnd), "%d random sources, 1M (pass)", RAND_PKTS);
	snprintf(desc_ctl, sizeof(desc_ctl), "control: one source, same method, 1M (pass)");

	set_case(&cs[C_RTP], "rtp_pass", desc_rtp, &small, same_frame(&f_rtp, 1), XDP_PASS,
		 XDP_PASS);
	set_case(&cs[C_SIP], "sip_invite_pass", desc_sip, &small, same_frame(&f_sip, 1), XDP_PASS,
		 XDP_PASS);
	set_case(&cs[C_SYN], "tcp_syn_pass", "TCP SYN to 5061, 1k (pass)", &small,
		 same_frame(&f_syn, 1), XDP_PASS, XDP_PASS);
	set_case(&cs[C_V6], "ipv6_udp_pass", "IPv6 UDP/12000 RTP, 1k (pass)", &small,
		 same_frame(&f_v6, 1), XDP_PASS, XDP_PASS);
	set_case(&cs[C_BLOCK_1K], "block_exact_1k", "blocked /32, 1k blocks (drop)", &small,
		 same_frame(&f_block, 1), XDP_DROP, XDP_DROP);
	set_case(&cs[C_BLOCK_1M], "block_exact_1m", "blocked /32, 1M blocks (drop)", &large,
		 same_frame(&f_block, 1), XDP_DROP, XDP_DROP);
	set_case(&cs[C_RANDOM], "random_src_1m", desc_rnd, &large, random_frames(RAND_PKTS),
		 XDP_PASS, XDP_PASS);
	set_case(&cs[C_RANDOM_CTL], "one_src_control_1m", desc_ctl, &large,
		 same_frame(&f_rtp, RAND_PKTS), XDP_PASS, XDP_PASS);
	set_case(&cs[C_PREFIX], "block_prefix", "blocked by 10.99.0.0/16 prefix, 1k (drop)", &pfx,
		 same_frame(&f_prefix, 1), XDP_DROP, NA);
	set_case(&cs[C_ALLOW], "allowlisted", "allowlisted /32 inside a blocked prefix (pass)",
		 &alw, same_frame(&f_allow, 1), XDP_PASS, NA);

	set_case(&cs[C_RTP_SAMPLED], "rtp_pass_sampled",
		 "RTP UDP/12000, 1k, packet sampling 1/1024 (pass)", &smp, same_frame(&f_rtp, 1),
		 XDP_PASS, NA);
	set_case(&cs[C_SIP_SAMPLED], "sip_invite_pass_sampled",
		 "SIP INVITE UDP/5060, 1k, packet sampling 1/1024 (pass)", &smp,
		 same_frame(&f_sip, 1), XDP_PASS, NA);
	set_case(&cs[C_BLOCK_V6], "block_exact_v6_1k", "blocked /128, 1k blocks (drop)", &small,
		 same_frame(&f_block6, 1), XDP_DROP, XDP_DROP);
	set_case(&cs[C_RATELIMIT], "ratelimit_over",
		 "rate-limited /32 (10 pps) over its rate, 1k (drop)", &pfx, same_frame(&f_rl, 1),
		 XDP_DROP, NA);
	set_case(&cs[C_BLOCK_QINQ_1K], "block_exact_qinq_1k",
		 "blocked /32 in QinQ tags, 1k blocks (drop, full path)", &small,
		 same_frame(&f_block_qinq, 1), XDP_DROP, XDP_DROP);
	set_case(&cs[C_BLOCK_QINQ_1M], "block_exact_qinq_1m",
		 "blocked /32 in QinQ tags, 1M blocks (drop, full path)", &large,
		 same_frame(&f_block_qinq, 1), XDP_DROP, XDP_DROP);
	set_case(&cs[C_BLOCK_TTL], "block_ttl", "blocked /32 with a 1 h TTL, 1k (drop)", &pfx,
		 same_frame(&f_ttl, 1), XDP_DROP, NA);
	cs[C_RTP_SAMPLED].drain = smp_rb;
	cs[C_SIP_SAMPLED].drain = smp_rb;
	fill(&smp, N_SMALL, N_SMALL, ncpu);
	fill(&small, N_SMALL, N_SMALL, ncpu);
	fill(&large, N_LARGE, N_SMALL, ncpu);

	fill(&pfx, N_SMALL, N_SMALL, ncpu);
	fill(&alw, N_SMALL, N_SMALL, ncpu);
	/* A prefix block; in the last copy also an allow entry inside it. */
	memset(&spec, 0, sizeof(spec));
	cidr("10.99.0.0/16", &c);
	if (xg_block_add(&pfx.m, &c, &spec, mono_ns(), err, sizeof(err)) ||
	    xg_block_add(&alw.m, &c, &spec, mono_ns(), err, sizeof(err)))
		die("xg_block_add 10.99.0.0/16: %s", err);
	spec.rate_pps = 10;
	cidr("10.98.0.1", &c);
	if (xg_block_add(&pfx.m, &c, &spec, mono_ns(), err, sizeof(err)))
		die("xg_block_add 10.98.0.1 rate 10: %s", err);
	spec.rate_pps = 0;
	spec.ttl_s = 3600;
	cidr("10.97.0.1", &c);
	if (xg_block_add(&pfx.m, &c, &spec, mono_ns(), err, sizeof(err)))
		die("xg_block_add 10.97.0.1 ttl 3600: %s", err);
	spec.ttl_s = 0;
	cidr("10.99.7.7", &c);
	if (xg_allow_add(&alw.m, &c, "prog_cost", mono_ns(), err, sizeof(err)))
		die("xg_allow_add 10.99.7.7: %s", err);

	progress("measuring\n");
	for (i = 0; i < NCASES; i++)
		grp[i] = &cs[i];
	measure_group(grp, NCASES);

	ts[0] = mk_target("drop_1k", "drop path <= 0.7x xdp-filter drop (blocked /32, 1k blocks)",
			  cs[C_BLOCK_1K].ns[P_XG], cs[C_BLOCK_1K].ns[P_XF], 0.7);
	ts[1] = mk_target("drop_1m", "drop path <= 0.7x xdp-filter drop (blocked /32, 1M blocks)",
			  cs[C_BLOCK_1M].ns[P_XG], cs[C_BLOCK_1M].ns[P_XF], 0.7);
	ts[2] = mk_target("pass_sip", "full pass path <= 1.2x xdp-filter pass (SIP INVITE)",
			  cs[C_SIP].ns[P_XG], cs[C_SIP].ns[P_XF], 1.2);
	ts[3] = mk_target("pass_rtp", "full pass path <= 1.2x xdp-filter pass (RTP)",
			  cs[C_RTP].ns[P_XG], cs[C_RTP].ns[P_XF], 1.2);
	/* The cached rows do not touch the lists: the map's size shows on the
	 * full path. */
	ts[4] = mk_target("drop_scaling", "1M-blocks drop <= 1.1x 1k-blocks drop (full path)",
			  cs[C_BLOCK_QINQ_1M].ns[P_XG], cs[C_BLOCK_QINQ_1K].ns[P_XG], 1.1);
	ts[5] = mk_target("sampling_rtp", "sampling 1/1024 <= 1.05x sampling off (RTP pass)",
			  cs[C_RTP_SAMPLED].ns[P_XG], cs[C_RTP].ns[P_XG], 1.05);
	ts[6] = mk_target("sampling_sip", "sampling 1/1024 <= 1.05x sampling off (SIP pass)",
			  cs[C_SIP_SAMPLED].ns[P_XG], cs[C_SIP].ns[P_XG], 1.05);
	ts[7] = mk_target("drop_full", "full drop path <= 0.7x xdp-filter drop (QinQ, 1k blocks)",
			  cs[C_BLOCK_QINQ_1K].ns[P_XG], cs[C_BLOCK_QINQ_1K].ns[P_XF], 0.7);
	report(cs, NCASES, ts, 8, kernel);

	free(cs[C_RANDOM].pkts.data);
	ring_buffer__free(smp_rb);
	unload_inst(&smp);
	unload_inst(&alw);
	unload_inst(&pfx);
	unload_inst(&large);
	unload_inst(&small);
	bpf_object__close(drop_obj);
	return 0;
}
