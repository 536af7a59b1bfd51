// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_replay: captures from outside, as `xdpctl replay FILE` and
 * `xdpctl pcap get` meet them.
 *
 * The input is a capture file (pcap with micro- or nanosecond timestamps,
 * or pcapng) read the way xdpctl replay reads it: libpcap with nanosecond
 * precision, then packet by packet. Each packet then goes:
 *
 *  - through xg_replay_to_ethernet(), the frame conversion replay feeds to
 *    the XDP program, when user/ exports it (it is the static to_ethernet()
 *    in user/cmd_replay.c today; the weak reference below picks it up as
 *    soon as it is exported under that name, nothing else to change);
 *  - into an incident capture (user/pcapw.c: the gzip'd pcap writer), as
 *    the capture thread writes sampled frames: at most XG_SAMPLE_SNAP bytes,
 *    microsecond timestamps;
 *  - back out with xg_pcap_export() (gunzip, as `xdpctl pcap get
 *    --uncompress`), read again with libpcap, and compared packet by packet.
 *
 * An input that starts with the gzip magic is a damaged or hostile
 * .pcap.gz in the capture directory instead: xg_pcap_export() must refuse
 * or copy it, never crash.
 *
 * libpcap itself is the system's, not instrumented: its own bugs show only
 * through what ASan intercepts. The project's code on this path is.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <pcap/pcap.h>
#include <pcap/dlt.h>

#include <xdpguard/abi.h>

#include "pcapw.h"
#include "fuzz_util.h"

/* What BPF_PROG_TEST_RUN takes for XDP: XG_REPLAY_MAX_FRAME in
 * user/cmd_replay.c. */
#define FZ_REPLAY_MAX_FRAME 3500
#define FZ_MAX_PACKETS	    64 /* per input: enough for every code path, keeps it fast */

/* The conversion xdpctl replay applies to each packet; weak: NULL until
 * user/ exports it. 0 with an Ethernet frame of *out_len bytes in out
 * (room for FZ_REPLAY_MAX_FRAME), or -1 for a packet replay skips. */
int xg_replay_to_ethernet(int linktype, const uint8_t *pkt, uint32_t len, uint8_t *out,
			  uint32_t *out_len) __attribute__((weak));

struct pkt {
	uint64_t ts_us;
	uint32_t caplen, len;
	uint8_t *data;
};

static void fuzz_export_gz(const uint8_t *data, size_t size)
{
	char src[4200], dst[4200], err[512];
	int r;

	snprintf(src, sizeof(src), "%s/in.pcap.gz", fz_scratch());
	snprintf(dst, sizeof(dst), "%s/out.pcap", fz_scratch());
	fz_write_file(src, data, size);
	r = xg_pcap_export(src, dst, true, err, sizeof(err));
	if (r) {
		FZ_CHECK(r < 0 && err[0], "export failed with %d and no message", r);
		FZ_CHECK(access(dst, F_OK) && errno == ENOENT, "a failed export left %s", dst);
		FZ_CHECK(!strchr(err, '\n'), "export error spans lines: %s", err);
	}
	unlink(dst);
	unlink(src);
}

static void check_frame(int linktype, const struct pcap_pkthdr *h, const uint8_t *pkt,
			uint8_t *frame)
{
	uint32_t flen = 0;

	if (!xg_replay_to_ethernet)
		return;
	if (xg_replay_to_ethernet(linktype, pkt, h->caplen, frame, &flen))
		return;
	FZ_CHECK(flen <= FZ_REPLAY_MAX_FRAME, "a frame of %u bytes from %u", flen, h->caplen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char errbuf[PCAP_ERRBUF_SIZE], err[512], path[4200], out[4200], hex[65];
	struct pkt *pk = NULL;
	struct pcap_pkthdr *h;
	const u_char *bytes;
	struct xg_pcapw *w;
	struct xg_pcapw_result res;
	uint8_t *frame;
	size_t n = 0, i;
	pcap_t *p;
	FILE *f;
	int r, linktype;

	if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
		fuzz_export_gz(data, size);
		return 0;
	}
	if (!size)
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f)
		abort();
	p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!p) {
		fclose(f);
		return 0;
	}
	linktype = pcap_datalink(p);
	frame = malloc(FZ_REPLAY_MAX_FRAME); /* exact size: ASan sees an overrun */
	pk = calloc(FZ_MAX_PACKETS, sizeof(*pk));
	if (!frame || !pk)
		abort();

	snprintf(path, sizeof(path), "%s/incident%s", fz_scratch(), XG_PCAP_EXT);
	snprintf(out, sizeof(out), "%s/export.pcap", fz_scratch());
	r = xg_pcapw_open(&w, path, err, sizeof(err));
	FZ_CHECK(!r, "xg_pcapw_open: %s", err);
	while (n < FZ_MAX_PACKETS && pcap_next_ex(p, &h, &bytes) == 1) {
		/* the capture's clock, as replay computes it (tv_usec holds ns) */
		uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ULL + (uint64_t)h->ts.tv_usec;
		uint32_t cap = h->caplen < XG_SAMPLE_SNAP ? h->caplen : XG_SAMPLE_SNAP;
		uint32_t len = h->len > cap ? h->len : cap;

		check_frame(linktype, h, bytes, frame);
		r = xg_pcapw_write(w, ts, bytes, cap, len);
		FZ_CHECK(!r, "xg_pcapw_write(%u of %u bytes): %d", cap, len, r);
		FZ_CHECK(xg_pcapw_packets(w) == n + 1, "packet count");
		pk[n].ts_us = ts / 1000;
		pk[n].caplen = cap;
		pk[n].len = len;
		pk[n].data = malloc(cap ? cap : 1);
		if (!pk[n].data)
			abort();
		memcpy(pk[n].data, bytes, cap);
		n++;
	}
	pcap_close(p); /* closes f */

	r = xg_pcapw_close(w, &res, err, sizeof(err));
	FZ_CHECK(!r, "xg_pcapw_close: %s", err);
	FZ_CHECK(res.packets == n, "%llu packets written, %zu given",
		 (unsigned long long)res.packets, n);
	FZ_CHECK(!n || res.first_ts_ns <= res.last_ts_ns, "first_ts after last_ts");
	FZ_CHECK(!xg_sha256_file(path, hex) && !strcmp(hex, res.sha256), "sha256 %s vs %s", hex,
		 res.sha256);

	/* out again, as `xdpctl pcap get --uncompress`, and read back */
	r = xg_pcap_export(path, out, true, err, sizeof(err));
	FZ_CHECK(!r, "xg_pcap_export: %s", err);
	p = pcap_open_offline_with_tstamp_precision(out, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
	FZ_CHECK(p, "the exported capture does not open: %s", errbuf);
	FZ_CHECK(pcap_datalink(p) == DLT_EN10MB, "link type %d", pcap_datalink(p));
	for (i = 0; i < n; i++) {
		r = pcap_next_ex(p, &h, &bytes);
		FZ_CHECK(r == 1, "packet %zu of %zu missing from the export (%d)", i, n, r);
		FZ_CHECK(h->caplen == pk[i].caplen && h->len == pk[i].len,
			 "packet %zu: %u/%u bytes, wrote %u/%u", i, h->caplen, h->len, pk[i].caplen,
			 pk[i].len);
		FZ_CHECK(!memcmp(bytes, pk[i].data, pk[i].caplen), "packet %zu: other bytes", i);
		/* a classic pcap keeps 32 bits of seconds (libpcap reads them
		 * back signed) */
		FZ_CHECK((uint32_t)h->ts.tv_sec == (uint32_t)(pk[i].ts_us / 1000000) &&
			     (uint64_t)h->ts.tv_usec == pk[i].ts_us % 1000000,
			 "packet %zu: timestamp %lld.%06ld, wrote %llu us", i,
			 (long long)h->ts.tv_sec, (long)h->ts.tv_usec,
			 (unsigned long long)pk[i].ts_us);
	}
	FZ_CHECK(pcap_next_ex(p, &h, &bytes) == -2, "more packets in the export than written");
	pcap_close(p);
	unlink(out);
	unlink(path);
	for (i = 0; i < n; i++)
		free(pk[i].data);
	free(pk);
	free(frame);
	return 0;
}
