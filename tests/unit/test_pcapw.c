// SPDX-License-Identifier: GPL-2.0-only
/* The per-incident pcap: the gzip'd writer read back with libpcap itself,
 * the pre-attack ring, the retention plan and its enforcement, export.
 * Temp dirs under /tmp, fixed clocks, no root. */
#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "tmpdir.h"
#include "pcapw.h"
#include "suites.h"

#define NS  1000000000ULL
#define DAY (86400ULL * NS)

/* Sunday 2026-11-22 00:19:51 UTC: every test's time 0. */
static uint64_t t0(void)
{
	struct tm tm = {
	    .tm_year = 2026 - 1900, .tm_mon = 10, .tm_mday = 22, .tm_min = 19, .tm_sec = 51};

	return (uint64_t)timegm(&tm) * NS;
}

/* ---- temp dirs ---- */

static void tmpdir(char *buf, size_t len)
{
	xg_test_tmpdir(buf, len, "pcapw");
}

static void rm_rf(const char *dir)
{
	xg_test_rm_rf(dir);
}

static bool exists(const char *path)
{
	struct stat st;

	return !lstat(path, &st);
}

static uint64_t size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (uint64_t)st.st_size;
}

/* ---- frames: Ethernet / IPv4 / UDP, checksummed so tools show no errors ---- */

static const char invite[] = "INVITE sip:100@198.51.100.5 SIP/2.0\r\n"
			     "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
			     "From: <sip:a@192.0.2.1>;tag=1\r\n"
			     "To: <sip:100@198.51.100.5>\r\n"
			     "Call-ID: xg-test-1\r\n"
			     "CSeq: 1 INVITE\r\n"
			     "Content-Length: 0\r\n"
			     "\r\n";

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Writes the whole frame (payload_len bytes of payload, from payload or
 * a counting pattern) into buf; returns its length. */
static size_t udp_frame(uint8_t *buf, uint16_t sport, uint16_t dport, const void *payload,
			size_t payload_len)
{
	static const uint8_t macs[12] = {0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01};
	uint8_t *ip = buf + 14, *udp = ip + 20;
	uint32_t sum = 0;
	size_t i;

	memcpy(buf, macs, sizeof(macs));
	put16(buf + 12, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + 8 + payload_len));
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, (uint8_t[]){192, 0, 2, 1}, 4);
	memcpy(ip + 16, (uint8_t[]){198, 51, 100, 5}, 4);
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(ip + 10, (uint16_t)~sum);
	put16(udp, sport);
	put16(udp + 2, dport);
	put16(udp + 4, (uint16_t)(8 + payload_len));
	put16(udp + 6, 0); /* no UDP checksum: allowed over IPv4 */
	for (i = 0; i < payload_len; i++)
		udp[8 + i] = payload ? ((const uint8_t *)payload)[i] : (uint8_t)i;
	return 14 + 20 + 8 + payload_len;
}

struct frame {
	uint64_t ts;
	uint8_t data[XG_SAMPLE_SNAP + 512];
	uint32_t orig_len, cap_len;
};

/* A DNS-sourced (reflection-like) packet, the INVITE, and a jumbo RTP
 * frame truncated to the snap length. */
static void make_frames(struct frame f[3])
{
	memset(f, 0, 3 * sizeof(*f));
	f[0].ts = t0() + 123456789; /* .123456789 s -> 123456 us */
	f[0].orig_len = f[0].cap_len = (uint32_t)udp_frame(f[0].data, 53, 5060, NULL, 30);
	f[1].ts = t0() + NS + 999999999;
	f[1].orig_len = f[1].cap_len =
	    (uint32_t)udp_frame(f[1].data, 5060, 5060, invite, strlen(invite));
	f[2].ts = t0() + 2 * NS + 1000;
	f[2].orig_len = (uint32_t)udp_frame(f[2].data, 40000, 20000, NULL, XG_SAMPLE_SNAP + 200);
	f[2].cap_len = XG_SAMPLE_SNAP;
}

static int write_file(const char *path, struct frame *f, int n, struct xg_pcapw_result *res)
{
	char err[256] = "";
	struct xg_pcapw *w;
	int i;

	if (xg_pcapw_open(&w, path, err, sizeof(err)))
		return -1;
	for (i = 0; i < n; i++)
		if (xg_pcapw_write(w, f[i].ts, f[i].data, f[i].cap_len, f[i].orig_len))
			return -1;
	CU_ASSERT_EQUAL(xg_pcapw_packets(w), (uint64_t)n);
	return xg_pcapw_close(w, res, err, sizeof(err));
}

/* Reads a pcap back with libpcap and compares it with the frames. */
static void check_pcap(pcap_t *p, const struct frame *f, int n)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int i = 0, r;

	CU_ASSERT_EQUAL(pcap_datalink(p), DLT_EN10MB);
	CU_ASSERT_EQUAL(pcap_snapshot(p), XG_SAMPLE_SNAP);
	CU_ASSERT_EQUAL(pcap_get_tstamp_precision(p), PCAP_TSTAMP_PRECISION_MICRO);
	while ((r = pcap_next_ex(p, &h, &data)) == 1) {
		CU_ASSERT_FATAL(i < n);
		CU_ASSERT_EQUAL((uint64_t)h->ts.tv_sec, f[i].ts / NS);
		CU_ASSERT_EQUAL((uint64_t)h->ts.tv_usec, f[i].ts % NS / 1000);
		CU_ASSERT_EQUAL(h->caplen, f[i].cap_len);
		CU_ASSERT_EQUAL(h->len, f[i].orig_len);
		CU_ASSERT_EQUAL(memcmp(data, f[i].data, f[i].cap_len), 0);
		i++;
	}
	CU_ASSERT_EQUAL(r, PCAP_ERROR_BREAK); /* a clean end, not a truncated file */
	CU_ASSERT_EQUAL(i, n);
}

/* A gzip stream as a FILE*, for pcap_fopen_offline. */
static ssize_t gz_read(void *c, char *buf, size_t size)
{
	return gzread(c, buf, (unsigned int)size);
}

static int gz_close(void *c)
{
	return gzclose(c) == Z_OK ? 0 : EOF;
}

static void test_write_read_back(void)
{
	char dir[64], path[128], tmp[160], out[128], err[256], hex[65];
	static const cookie_io_functions_t io = {.read = gz_read, .close = gz_close};
	char errbuf[PCAP_ERRBUF_SIZE];
	struct xg_pcapw_result res;
	struct frame f[3];
	uint8_t magic[4];
	FILE *fp;
	pcap_t *p;
	int fd;

	CU_ASSERT_TRUE_FATAL(strlen(invite) + 42 <= XG_SAMPLE_SNAP);
	make_frames(f);
	tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/20261122T001951Z-1.pcap.gz", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	memset(&res, 0xaa, sizeof(res));
	CU_ASSERT_EQUAL_FATAL(write_file(path, f, 3, &res), 0);

	CU_ASSERT_TRUE(exists(path));
	CU_ASSERT_FALSE(exists(tmp));
	CU_ASSERT_EQUAL(res.packets, 3);
	CU_ASSERT_EQUAL(res.bytes, size_of(path));
	CU_ASSERT_EQUAL(res.first_ts_ns, f[0].ts);
	CU_ASSERT_EQUAL(res.last_ts_ns, f[2].ts);
	CU_ASSERT_EQUAL(xg_sha256_file(path, hex), 0);
	CU_ASSERT_EQUAL(strlen(res.sha256), 64);
	CU_ASSERT_STRING_EQUAL(res.sha256, hex);
	CU_ASSERT_EQUAL(strspn(res.sha256, "0123456789abcdef"), 64);

	/* the plain pcap through export: classic microsecond magic */
	snprintf(out, sizeof(out), "%s/out.pcap", dir);
	CU_ASSERT_EQUAL_FATAL(xg_pcap_export(path, out, true, err, sizeof(err)), 0);
	fd = open(out, O_RDONLY);
	CU_ASSERT_EQUAL(read(fd, magic, 4), 4);
	close(fd);
	CU_ASSERT_EQUAL(magic[0] | magic[1] << 8 | magic[2] << 16 | (uint32_t)magic[3] << 24,
			0xa1b2c3d4);
	p = pcap_open_offline(out, errbuf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	check_pcap(p, f, 3);
	pcap_close(p);

	/* and straight from the gzip stream */
	fp = fopencookie(gzopen(path, "rb"), "r", io);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	p = pcap_fopen_offline(fp, errbuf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	check_pcap(p, f, 3);
	pcap_close(p); /* closes fp */
	rm_rf(dir);
}

static void test_empty_capture(void)
{
	char dir[64], path[128], out[128], err[256], errbuf[PCAP_ERRBUF_SIZE];
	struct xg_pcapw_result res;
	struct xg_pcapw *w;
	pcap_t *p;

	tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/x-1.pcap.gz", dir);
	CU_ASSERT_EQUAL_FATAL(xg_pcapw_open(&w, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(xg_pcapw_close(w, &res, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(res.packets, 0);
	CU_ASSERT_EQUAL(res.first_ts_ns, 0);
	CU_ASSERT_EQUAL(res.last_ts_ns, 0);
	snprintf(out, sizeof(out), "%s/out.pcap", dir);
	CU_ASSERT_EQUAL_FATAL(xg_pcap_export(path, out, true, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(size_of(out), 24); /* the file header alone */
	p = pcap_open_offline(out, errbuf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	check_pcap(p, NULL, 0);
	pcap_close(p);
	rm_rf(dir);
}

static void test_tmp_and_abort(void)
{
	char dir[64], path[128], tmp[160], err[256];
	struct frame f[3];
	struct xg_pcapw *w;

	make_frames(f);
	tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/a-1.pcap.gz", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	CU_ASSERT_EQUAL_FATAL(xg_pcapw_open(&w, path, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(exists(tmp));
	CU_ASSERT_FALSE(exists(path)); /* never a partial file under the final name */
	CU_ASSERT_EQUAL(xg_pcapw_write(w, f[0].ts, f[0].data, f[0].cap_len, f[0].orig_len), 0);
	xg_pcapw_abort(w);
	CU_ASSERT_FALSE(exists(tmp));
	CU_ASSERT_FALSE(exists(path));
	xg_pcapw_abort(NULL);
	rm_rf(dir);
}

static void test_bad_input(void)
{
	char dir[64], path[160], want[192], err[256];
	uint8_t data[XG_SAMPLE_SNAP + 1] = {0};
	struct xg_pcapw *w = (void *)1;

	tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/a.pcap", dir);
	CU_ASSERT_EQUAL(xg_pcapw_open(&w, path, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NULL(w);
	snprintf(path, sizeof(path), "%s/missing/a.pcap.gz", dir);
	CU_ASSERT_EQUAL(xg_pcapw_open(&w, path, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "%s.tmp: ", path); /* "PATH: reason" */
	CU_ASSERT_EQUAL(strncmp(err, want, strlen(want)), 0);

	snprintf(path, sizeof(path), "%s/a.pcap.gz", dir);
	CU_ASSERT_EQUAL_FATAL(xg_pcapw_open(&w, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(xg_pcapw_write(w, t0(), data, XG_SAMPLE_SNAP + 1, XG_SAMPLE_SNAP + 100),
			-EINVAL);
	CU_ASSERT_EQUAL(xg_pcapw_write(w, t0(), data, 60, 59), -EINVAL);
	CU_ASSERT_EQUAL(xg_pcapw_write(w, t0(), data, 60, 60), 0);
	CU_ASSERT_EQUAL(xg_pcapw_packets(w), 1); /* the refused ones are not counted */
	CU_ASSERT_EQUAL(xg_pcapw_close(w, NULL, err, sizeof(err)), 0);
	rm_rf(dir);
}

/* ---- the ring ---- */

static int collect_ts(const struct xg_sample_rec *rec, void *arg)
{
	uint64_t **p = arg;

	*(*p)++ = rec->ts_real_ns;
	return 0;
}

static int stop_at_second(const struct xg_sample_rec *rec, void *arg)
{
	int *calls = arg;

	(void)rec;
	return ++*calls == 2 ? 7 : 0;
}

static void test_ring(void)
{
	struct xg_sample_ring r;
	struct xg_sample s;
	uint64_t seen[8], *p = seen;
	int calls = 0;
	uint32_t i;

	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL_FATAL(xg_sample_ring_init(&r, 3), 0);
	CU_ASSERT_EQUAL(xg_sample_ring_count(&r), 0);
	CU_ASSERT_PTR_NULL(xg_sample_ring_at(&r, 0));
	for (i = 1; i <= 5; i++) {
		s.orig_len = 100 + i;
		s.cap_len = (uint16_t)(60 + i);
		s.data[0] = (uint8_t)i;
		s.data[59 + i] = (uint8_t)(0xa0 + i);
		xg_sample_ring_push(&r, i, &s);
	}
	CU_ASSERT_EQUAL(xg_sample_ring_count(&r), 3);
	for (i = 0; i < 3; i++) {
		const struct xg_sample_rec *rec = xg_sample_ring_at(&r, i);

		CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
		CU_ASSERT_EQUAL(rec->ts_real_ns, 3 + i); /* 1 and 2 were overwritten */
		CU_ASSERT_EQUAL(rec->orig_len, 103 + i);
		CU_ASSERT_EQUAL(rec->cap_len, 63 + i);
		CU_ASSERT_EQUAL(rec->data[0], 3 + i);
		CU_ASSERT_EQUAL(rec->data[62 + i], 0xa3 + i); /* the last byte kept */
	}
	CU_ASSERT_PTR_NULL(xg_sample_ring_at(&r, 3));
	CU_ASSERT_EQUAL(xg_sample_ring_foreach(&r, collect_ts, &p), 0);
	CU_ASSERT_EQUAL(p - seen, 3);
	CU_ASSERT_TRUE(seen[0] == 3 && seen[1] == 4 && seen[2] == 5);
	CU_ASSERT_EQUAL(xg_sample_ring_foreach(&r, stop_at_second, &calls), 7);
	CU_ASSERT_EQUAL(calls, 2);

	xg_sample_ring_clear(&r);
	CU_ASSERT_EQUAL(xg_sample_ring_count(&r), 0);
	xg_sample_ring_push(&r, 9, &s);
	CU_ASSERT_EQUAL(xg_sample_ring_count(&r), 1);
	CU_ASSERT_EQUAL(xg_sample_ring_at(&r, 0)->ts_real_ns, 9);
	/* a slot reused by a bigger sample, then a much smaller one */
	s.cap_len = XG_SAMPLE_SNAP;
	memset(s.data, 0x5a, sizeof(s.data));
	xg_sample_ring_push(&r, 10, &s);
	s.cap_len = 40;
	s.data[39] = 0x11;
	for (i = 11; i <= 13; i++)
		xg_sample_ring_push(&r, i, &s);
	CU_ASSERT_EQUAL(xg_sample_ring_count(&r), 3);
	for (i = 0; i < 3; i++) {
		const struct xg_sample_rec *rec = xg_sample_ring_at(&r, i);

		CU_ASSERT_EQUAL(rec->ts_real_ns, 11 + i);
		CU_ASSERT_EQUAL(rec->cap_len, 40);
		CU_ASSERT_EQUAL(rec->data[39], 0x11);
	}
	s.cap_len = 0xffff; /* never read past the record's data */
	xg_sample_ring_push(&r, 14, &s);
	CU_ASSERT_EQUAL(xg_sample_ring_at(&r, 2)->cap_len, XG_SAMPLE_SNAP);
	xg_sample_ring_free(&r);

	/* ring_packets 0: nothing is kept */
	CU_ASSERT_EQUAL_FATAL(xg_sample_ring_init(&r, 0), 0);
	xg_sample_ring_push(&r, 1, &s);
	CU_ASSERT_EQUAL(xg_sample_ring_count(&r), 0);
	xg_sample_ring_free(&r);
}

/* ---- retention ---- */

static struct xg_pcap_file pf(const char *name, uint64_t size, uint64_t mtime_ns)
{
	struct xg_pcap_file f = {.size = size, .mtime_ns = mtime_ns};

	snprintf(f.name, sizeof(f.name), "%s", name);
	return f;
}

static void test_plan_age(void)
{
	uint64_t now = t0();
	/* unsorted on purpose: the plan sorts for itself */
	struct xg_pcap_file f[] = {
	    pf("b.pcap.gz", 10, now - 29 * DAY),
	    pf("a.pcap.gz", 10, now - 40 * DAY),
	    pf("c.pcap.gz", 10, now - 30 * DAY), /* exactly 30 days: not older */
	    pf("d.pcap.gz", 10, now - 30 * DAY - 1),
	    pf("e.pcap.gz", 10, now + DAY), /* from the future: new */
	};
	struct xg_pcap_limits lim = {.max_age_s = 30 * 86400};
	bool rm[5];

	CU_ASSERT_EQUAL(xg_pcap_retention_plan(f, 5, &lim, now, rm), 2);
	CU_ASSERT_FALSE(rm[0]);
	CU_ASSERT_TRUE(rm[1]);
	CU_ASSERT_FALSE(rm[2]);
	CU_ASSERT_TRUE(rm[3]);
	CU_ASSERT_FALSE(rm[4]);

	lim.max_age_s = 0; /* no limit */
	CU_ASSERT_EQUAL(xg_pcap_retention_plan(f, 5, &lim, now, rm), 0);
	CU_ASSERT_EQUAL(xg_pcap_retention_plan(NULL, 0, &lim, now, rm), 0);
}

static void test_plan_budget(void)
{
	uint64_t now = t0();
	struct xg_pcap_file f[] = {
	    pf("new.pcap.gz", 300, now - 1 * DAY),
	    pf("old.pcap.gz", 100, now - 3 * DAY),
	    pf("mid.pcap.gz", 200, now - 2 * DAY),
	};
	struct xg_pcap_limits lim = {.max_total_bytes = 350};
	bool rm[3];

	/* 600 > 350: old (500 left), then mid (300 fits) */
	CU_ASSERT_EQUAL(xg_pcap_retention_plan(f, 3, &lim, now, rm), 2);
	CU_ASSERT_FALSE(rm[0]);
	CU_ASSERT_TRUE(rm[1]);
	CU_ASSERT_TRUE(rm[2]);

	lim.max_total_bytes = 600; /* exactly fits */
	CU_ASSERT_EQUAL(xg_pcap_retention_plan(f, 3, &lim, now, rm), 0);
	lim.max_total_bytes = 599;
	CU_ASSERT_EQUAL(xg_pcap_retention_plan(f, 3, &lim, now, rm), 1);
	CU_ASSERT_TRUE(rm[1]);
	lim.max_total_bytes = 1; /* even the newest goes when it alone is too big */
	CU_ASSERT_EQUAL(xg_pcap_retention_plan(f, 3, &lim, now, rm), 3);
}

static void test_plan_age_then_budget(void)
{
	uint64_t now = t0();
	struct xg_pcap_file f[] = {
	    pf("x2.pcap.gz", 100, now - 5 * DAY), /* same mtime as x1: by name */
	    pf("x1.pcap.gz", 100, now - 5 * DAY),
	    pf("ancient.pcap.gz", 5000, now - 90 * DAY),
	    pf("recent.pcap.gz", 100, now - DAY),
	};
	struct xg_pcap_limits lim = {.max_age_s = 30 * 86400, .max_total_bytes = 250};
	bool rm[4];

	/* ancient by age; then 300 > 250 without it: x1 (oldest, then by name) */
	CU_ASSERT_EQUAL(xg_pcap_retention_plan(f, 4, &lim, now, rm), 2);
	CU_ASSERT_FALSE(rm[0]);
	CU_ASSERT_TRUE(rm[1]);
	CU_ASSERT_TRUE(rm[2]);
	CU_ASSERT_FALSE(rm[3]);
}

static void make_file(const char *dir, const char *name, size_t size, uint64_t mtime_ns)
{
	char path[256], buf[512] = {0};
	struct timespec ts[2];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (size) {
		size_t n = size < sizeof(buf) ? size : sizeof(buf);

		fwrite(buf, 1, n, f);
		size -= n;
	}
	fclose(f);
	ts[0].tv_sec = ts[1].tv_sec = (time_t)(mtime_ns / NS);
	ts[0].tv_nsec = ts[1].tv_nsec = (long)(mtime_ns % NS);
	CU_ASSERT_EQUAL(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static void test_scan_and_enforce(void)
{
	struct xg_pcap_limits lim = {.max_age_s = 30 * 86400, .max_total_bytes = 700};
	char dir[64], path[128], err[256];
	struct xg_pcap_file *files;
	uint64_t now = t0(), freed = 0, free_b = 0;
	unsigned int removed = 0;
	size_t n;

	tmpdir(dir, sizeof(dir));
	make_file(dir, "d.pcap.gz", 400, now - 1 * DAY);
	make_file(dir, "a.pcap.gz", 100, now - 40 * DAY);
	make_file(dir, "c.pcap.gz", 200, now - 5 * DAY);
	make_file(dir, "b.pcap.gz", 300, now - 10 * DAY);
	/* not captures, or not finished ones: never counted, never removed */
	make_file(dir, "e.pcap.gz.tmp", 5000, now - 90 * DAY);
	make_file(dir, "notes.txt", 5000, now - 90 * DAY);
	make_file(dir, ".hidden.pcap.gz", 5000, now - 90 * DAY);
	snprintf(path, sizeof(path), "%s/sub.pcap.gz", dir);
	CU_ASSERT_EQUAL(mkdir(path, 0700), 0);

	CU_ASSERT_EQUAL_FATAL(xg_pcap_scan(dir, &files, &n, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(n, 4);
	CU_ASSERT_STRING_EQUAL(files[0].name, "a.pcap.gz"); /* oldest first */
	CU_ASSERT_STRING_EQUAL(files[1].name, "b.pcap.gz");
	CU_ASSERT_STRING_EQUAL(files[2].name, "c.pcap.gz");
	CU_ASSERT_STRING_EQUAL(files[3].name, "d.pcap.gz");
	CU_ASSERT_EQUAL(files[0].size, 100);
	CU_ASSERT_EQUAL(files[0].mtime_ns, now - 40 * DAY);
	free(files);

	/* a by age; then 900 > 700: b, leaving 600 */
	CU_ASSERT_EQUAL(xg_pcap_enforce(dir, &lim, now, &removed, &freed, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(removed, 2);
	CU_ASSERT_EQUAL(freed, 400);
	CU_ASSERT_EQUAL_FATAL(xg_pcap_scan(dir, &files, &n, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(n, 2);
	free(files);
	snprintf(path, sizeof(path), "%s/e.pcap.gz.tmp", dir);
	CU_ASSERT_TRUE(exists(path));
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	CU_ASSERT_TRUE(exists(path));

	/* again: nothing more to do */
	CU_ASSERT_EQUAL(xg_pcap_enforce(dir, &lim, now, &removed, &freed, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(removed, 0);
	CU_ASSERT_EQUAL(freed, 0);

	/* startup: the remains of a crash mid-capture go */
	CU_ASSERT_EQUAL(xg_pcap_remove_stale_tmp(dir, &removed, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(removed, 1);
	snprintf(path, sizeof(path), "%s/e.pcap.gz.tmp", dir);
	CU_ASSERT_FALSE(exists(path));

	CU_ASSERT_EQUAL(xg_pcap_free_bytes(dir, &free_b), 0);
	CU_ASSERT_TRUE(free_b > 0);

	/* a directory nobody created yet holds no captures */
	snprintf(path, sizeof(path), "%s/none", dir);
	CU_ASSERT_EQUAL(xg_pcap_scan(path, &files, &n, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_PTR_NULL(files);
	CU_ASSERT_EQUAL(xg_pcap_enforce(path, &lim, now, &removed, &freed, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(removed, 0);
	CU_ASSERT_EQUAL(xg_pcap_remove_stale_tmp(path, &removed, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(xg_pcap_free_bytes(path, &free_b), -ENOENT);
	rm_rf(dir);
}

/* ---- export ---- */

static bool same_bytes(const char *a, const char *b)
{
	char ha[65], hb[65];

	return !xg_sha256_file(a, ha) && !xg_sha256_file(b, hb) && !strcmp(ha, hb);
}

static void test_export(void)
{
	char dir[64], path[128], out[128], tmp[160], bad[128], err[256], want[256];
	struct xg_pcapw_result res;
	struct frame f[3];
	uint8_t buf[4096];
	uint64_t plain;
	gzFile gz;
	int fd, n;

	make_frames(f);
	tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/i-1.pcap.gz", dir);
	CU_ASSERT_EQUAL_FATAL(write_file(path, f, 3, &res), 0);

	/* compressed: the same bytes, so the journal's sha256 still holds */
	snprintf(out, sizeof(out), "%s/copy.pcap.gz", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	CU_ASSERT_EQUAL(xg_pcap_export(path, out, false, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(same_bytes(path, out));
	CU_ASSERT_FALSE(exists(tmp));

	/* uncompressed: 24-byte header, then 16 + caplen per packet */
	snprintf(out, sizeof(out), "%s/copy.pcap", dir);
	CU_ASSERT_EQUAL(xg_pcap_export(path, out, true, err, sizeof(err)), 0);
	plain = 24 + 3 * 16 + f[0].cap_len + f[1].cap_len + f[2].cap_len;
	CU_ASSERT_EQUAL(size_of(out), plain);
	gz = gzopen(path, "rb");
	n = gzread(gz, buf, sizeof(buf));
	gzclose(gz);
	CU_ASSERT_EQUAL(n, (int)plain);
	fd = open(out, O_RDONLY);
	{
		uint8_t got[4096];

		CU_ASSERT_EQUAL(read(fd, got, sizeof(got)), (ssize_t)plain);
		CU_ASSERT_EQUAL(memcmp(got, buf, plain), 0);
	}
	close(fd);
	/* over an existing file: replaced whole */
	CU_ASSERT_EQUAL(xg_pcap_export(path, out, true, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(size_of(out), plain);

	/* a missing source names itself; nothing is created */
	snprintf(bad, sizeof(bad), "%s/nope.pcap.gz", dir);
	snprintf(out, sizeof(out), "%s/never.pcap", dir);
	CU_ASSERT_EQUAL(xg_pcap_export(bad, out, true, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "%s: ", bad);
	CU_ASSERT_EQUAL(strncmp(err, want, strlen(want)), 0);
	CU_ASSERT_FALSE(exists(out));

	/* a truncated gzip is an error, not a short pcap */
	snprintf(bad, sizeof(bad), "%s/cut.pcap.gz", dir);
	fd = open(path, O_RDONLY);
	n = (int)read(fd, buf, sizeof(buf));
	close(fd);
	fd = open(bad, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CU_ASSERT_EQUAL(write(fd, buf, (size_t)n - 12), n - 12);
	close(fd);
	CU_ASSERT_NOT_EQUAL(xg_pcap_export(bad, out, true, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "cut.pcap.gz: gzip: "));
	CU_ASSERT_FALSE(exists(out));
	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	CU_ASSERT_FALSE(exists(tmp));

	/* neither is a file that was never gzip'd */
	snprintf(bad, sizeof(bad), "%s/plain.pcap.gz", dir);
	snprintf(out, sizeof(out), "%s/copy.pcap", dir);
	rename(out, bad);
	snprintf(out, sizeof(out), "%s/never.pcap", dir);
	CU_ASSERT_EQUAL(xg_pcap_export(bad, out, true, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a gzip file"));
	CU_ASSERT_FALSE(exists(out));

	/* a device is written in place (no .tmp next to it) */
	CU_ASSERT_EQUAL(xg_pcap_export(path, "/dev/null", true, err, sizeof(err)), 0);
	rm_rf(dir);
}

/* ---- names ---- */

static void test_names(void)
{
	char buf[64];

	CU_ASSERT_EQUAL(
	    xg_pcap_path(buf, sizeof(buf), "/var/lib/xdpguard/pcaps", "20261122T001951Z-1"), 0);
	CU_ASSERT_STRING_EQUAL(buf, "/var/lib/xdpguard/pcaps/20261122T001951Z-1.pcap.gz");
	CU_ASSERT_EQUAL(xg_pcap_path(buf, sizeof(buf), "/d", "../etc/x"), -EINVAL);
	CU_ASSERT_EQUAL(xg_pcap_path(buf, sizeof(buf), "/d", "a/b"), -EINVAL);
	CU_ASSERT_EQUAL(xg_pcap_path(buf, sizeof(buf), "/d", ".hidden"), -EINVAL);
	CU_ASSERT_EQUAL(xg_pcap_path(buf, sizeof(buf), "/d", ""), -EINVAL);
	CU_ASSERT_EQUAL(xg_pcap_path(buf, sizeof(buf), "/d", "a b"), -EINVAL);
	CU_ASSERT_EQUAL(xg_pcap_path(buf, 16, "/d", "20261122T001951Z-1"), -ENAMETOOLONG);
	CU_ASSERT_TRUE(xg_pcap_id_valid("20261122T001951Z-12"));
	CU_ASSERT_FALSE(xg_pcap_id_valid(NULL));

	CU_ASSERT_EQUAL(xg_pcap_dir_of(buf, sizeof(buf), "", "/var/lib/xdpguard"), 0);
	CU_ASSERT_STRING_EQUAL(buf, "/var/lib/xdpguard/pcaps");
	CU_ASSERT_EQUAL(xg_pcap_dir_of(buf, sizeof(buf), "/srv/pcaps", "/var/lib/xdpguard"), 0);
	CU_ASSERT_STRING_EQUAL(buf, "/srv/pcaps");
}

void add_pcapw_suite(void)
{
	CU_pSuite s = CU_add_suite("pcapw", NULL, NULL);

	CU_add_test(s, "a written capture reads back with libpcap, gzip'd and plain",
		    test_write_read_back);
	CU_add_test(s, "a capture without packets is a valid empty pcap", test_empty_capture);
	CU_add_test(s, "only the .tmp exists while writing; abort removes it", test_tmp_and_abort);
	CU_add_test(s, "bad names and lengths are refused", test_bad_input);
	CU_add_test(s, "the ring keeps the last N, oldest first", test_ring);
	CU_add_test(s, "retention: files older than max_age go", test_plan_age);
	CU_add_test(s, "retention: the oldest go until the rest fits", test_plan_budget);
	CU_add_test(s, "retention: age first, then the budget, ties by name",
		    test_plan_age_then_budget);
	CU_add_test(s, "scan sees only finished captures; enforce applies the plan",
		    test_scan_and_enforce);
	CU_add_test(s, "export copies as is or gunzipped, whole or not at all", test_export);
	CU_add_test(s, "capture names and the capture directory", test_names);
}
