// SPDX-License-Identifier: GPL-2.0-only
/*
 * xdpctl replay: what xdpguard would have done with a capture. Every packet
 * goes through the real XDP program (BPF_PROG_TEST_RUN, nothing attached)
 * in timestamp order, and the real controller ticks on the capture's
 * clock, so map changes apply to the packets that follow.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
/* libbpf brings the kernel's struct bpf_insn; libpcap must not bring its own. */
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <pcap/pcap.h>
#include <pcap/dlt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "capture.h"
#include "config.h"
#include "controller.h"
#include "loader.h"
#include "names.h"
#include "preflight.h"
#include "rtcfg.h"
#include "xdpguard.skel.h"

#define XG_REPLAY_MAX_FRAME 3500 /* what BPF_PROG_TEST_RUN takes for XDP */

static const char replay_usage[] =
    "usage: xdpctl replay FILE [--config FILE] [--state-dir DIR]\n"
    "                          [--passed-pcap OUT] [--dropped-pcap OUT]\n"
    "\n"
    "Runs a capture (pcap with micro- or nanosecond timestamps, or pcapng;\n"
    "Ethernet, Linux cooked or raw IP) through the real XDP program and the real\n"
    "controller, with the capture's timestamps as the clock: a tick fires each\n"
    "time capture time crosses a tick boundary. Nothing is attached to any NIC.\n"
    "\n"
    "Output, one JSON object per line: incident_open, incident_update,\n"
    "incident_close and surge events with their capture time in \"ts\", then\n"
    "{\"event\":\"summary\",\"packets\":N,\"passed\":N,\"dropped\":N,...}.\n"
    "\n"
    "  --config FILE        the controller's config (default: embedded defaults)\n"
    "  --state-dir DIR      keep baselines, peers and the journal there (default:\n"
    "                       a throw-away directory)\n"
    "  --passed-pcap OUT    write the packets the program passed\n"
    "  --dropped-pcap OUT   write the packets the program dropped\n";

struct replay {
	pcap_t *in;
	pcap_dumper_t *passed;
	pcap_dumper_t *dropped;
	pcap_t *dead; /* the output format */
	int linktype;
	int prog_fd;
	uint64_t packets, n_passed, n_dropped, skipped, reordered;
};

#define REPLAY_BATCH 256 /* packets between drains of the sample ring */

struct replay_sink {
	uint64_t incidents;
	struct xg_capture *capture; /* NULL: captures off */
	size_t n;		    /* packets run since the last drain */
	uint64_t mono[REPLAY_BATCH], real[REPLAY_BATCH];
};

static void drain_batch(struct replay_sink *rs)
{
	if (rs->capture)
		xg_capture_drain_batch(rs->capture, rs->mono, rs->real, rs->n);
	rs->n = 0;
}

/* Replay events go to stdout as one line each, "event" and "ts" first. */
static void print_event(void *arg, const char *event, uint64_t ts_ns, struct json_object *o)
{
	struct json_object *line = json_object_new_object();
	struct replay_sink *rs = arg;

	if (!strcmp(event, "incident_open"))
		rs->incidents++;
	xg_capture_on_event(rs->capture, event, o);
	json_object_object_add(line, "event", json_object_new_string(event));
	json_object_object_add(line, "ts", json_object_new_double((double)ts_ns / 1e9));
	json_object_object_foreach (o, key, val) {
		if (!strcmp(key, "event"))
			continue;
		json_object_object_add(line, key, json_object_get(val));
	}
	puts(json_object_to_json_string_ext(line, JSON_C_TO_STRING_PLAIN |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(line);
}

/* An Ethernet frame for the program, from whatever the capture carries. */
int xg_replay_to_ethernet(int linktype, const uint8_t *pkt, uint32_t len, uint8_t *out,
			  uint32_t *out_len);

int xg_replay_to_ethernet(int linktype, const uint8_t *pkt, uint32_t len, uint8_t *out,
			  uint32_t *out_len)
{
	uint16_t proto;

	switch (linktype) {
	case DLT_EN10MB:
		if (len > XG_REPLAY_MAX_FRAME)
			return -1;
		memcpy(out, pkt, len);
		*out_len = len;
		return 0;
	case DLT_LINUX_SLL: /* 16-byte cooked header, protocol at 14 */
		if (len < 16 || len - 16 + 14 > XG_REPLAY_MAX_FRAME)
			return -1;
		proto = (uint16_t)(pkt[14] << 8 | pkt[15]);
		pkt += 16;
		len -= 16;
		break;
	case DLT_RAW:
	case 14:  /* DLT_RAW on some systems */
	case 101: /* LINKTYPE_RAW */
		if (len < 1 || len + 14 > XG_REPLAY_MAX_FRAME)
			return -1;
		proto = (pkt[0] >> 4) == 6 ? 0x86dd : 0x0800;
		break;
	default:
		return -1;
	}
	memset(out, 0, 12);
	out[0] = 0x02; /* locally administered MACs */
	out[6] = 0x02;
	out[12] = (uint8_t)(proto >> 8);
	out[13] = (uint8_t)proto;
	memcpy(out + 14, pkt, len);
	*out_len = len + 14;
	return 0;
}

static int run_packet(struct replay *r, const struct pcap_pkthdr *h, const uint8_t *data)
{
	uint8_t frame[XG_REPLAY_MAX_FRAME];
	uint32_t flen;
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = frame, .repeat = 1);

	if (xg_replay_to_ethernet(r->linktype, data, h->caplen, frame, &flen) || flen < 14) {
		r->skipped++;
		return 0;
	}
	topts.data_size_in = flen;
	if (bpf_prog_test_run_opts(r->prog_fd, &topts)) {
		r->skipped++; /* a frame the kernel will not run (too large, too small) */
		return 0;
	}
	if (topts.retval == XDP_DROP) {
		r->n_dropped++;
		if (r->dropped)
			pcap_dump((u_char *)r->dropped, h, data);
	} else {
		r->n_passed++;
		if (r->passed)
			pcap_dump((u_char *)r->passed, h, data);
	}
	return 0;
}

static uint64_t ts_ns(const struct pcap_pkthdr *h)
{
	/* Opened with nanosecond precision: tv_usec holds nanoseconds. */
	return (uint64_t)h->ts.tv_sec * 1000000000ULL + (uint64_t)h->ts.tv_usec;
}

static void summary(const struct replay *r, const struct xg_maps *maps, uint64_t incidents,
		    double secs)
{
	struct xg_counters *ct = calloc(1, sizeof(*ct));
	struct json_object *o = json_object_new_object(), *by = json_object_new_object();
	int i;

	json_object_object_add(o, "event", json_object_new_string("summary"));
	json_object_object_add(o, "packets", json_object_new_int64((int64_t)r->packets));
	json_object_object_add(o, "passed", json_object_new_int64((int64_t)r->n_passed));
	json_object_object_add(o, "dropped", json_object_new_int64((int64_t)r->n_dropped));
	if (ct && !xg_counters_read(maps, ct))
		for (i = 1; i < XG_REASON_MAX; i++)
			json_object_object_add(by, xg_reason_name(i),
					       json_object_new_int64((int64_t)ct->st.drop[i]));
	json_object_object_add(o, "dropped_by_reason", by);
	json_object_object_add(o, "skipped", json_object_new_int64((int64_t)r->skipped));
	json_object_object_add(o, "reordered", json_object_new_int64((int64_t)r->reordered));
	json_object_object_add(o, "incidents", json_object_new_int64((int64_t)incidents));
	json_object_object_add(o, "replay_pps",
			       json_object_new_double(secs > 0 ? (double)r->packets / secs : 0));
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	free(ct);
}

/* Removes the throw-away state dir and what the controller wrote in it. */
static void remove_state_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[4096];

	if (d) {
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
}

static pcap_dumper_t *open_dump(struct replay *r, const char *path)
{
	pcap_dumper_t *d;

	if (!r->dead)
		r->dead = pcap_open_dead_with_tstamp_precision(r->linktype, 65535,
							       PCAP_TSTAMP_PRECISION_NANO);
	d = r->dead ? pcap_dump_open(r->dead, path) : NULL;
	if (!d)
		xg_fail("replay", "cannot write %s: %s", path,
			r->dead ? pcap_geterr(r->dead) : "out of memory");
	return d;
}

int cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"state-dir", required_argument, NULL, 's'},
	    {"passed-pcap", required_argument, NULL, 'p'},
	    {"dropped-pcap", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	const char *config = NULL, *state_dir = NULL, *passed = NULL, *dropped = NULL, *file;
	char err[XG_ERR_LEN], errbuf[PCAP_ERRBUF_SIZE], tmpdir[] = "/tmp/xdpguard-replay-XXXXXX";
	struct xdpguard_bpf *skel = NULL;
	struct xg_controller *c = NULL;
	struct replay r = {0};
	struct xg_clock clock;
	struct xg_maps maps;
	struct xg_cfg cfg;
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t tick_ns, next_tick = 0, last_ts = 0;
	struct replay_sink rs = {0};
	struct timespec t0, t1;
	int ch, rc, ret = 1;
	bool throwaway;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:s:p:d:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config = optarg;
			break;
		case 's':
			state_dir = optarg;
			break;
		case 'p':
			passed = optarg;
			break;
		case 'd':
			dropped = optarg;
			break;
		case 'h':
			fputs(replay_usage, stdout);
			return 0;
		default:
			return 2;
		}
	}
	if (optind != argc - 1)
		return xg_fail("replay", "expected one capture file (see 'xdpctl replay --help')");
	file = argv[optind];
	if (config ? xg_cfg_load(&cfg, config, err, sizeof(err)) : (xg_cfg_defaults(&cfg), 0))
		return xg_fail("replay", "%s", err);
	if (xg_check_privileges(err, sizeof(err)) || xg_check_kernel(err, sizeof(err)))
		return xg_fail("replay", "%s", err);

	r.in = pcap_open_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!r.in)
		/* libpcap names the file in some messages, not in others */
		return strstr(errbuf, file) ? xg_fail("replay", "%s", errbuf)
					    : xg_fail("replay", "%s: %s", file, errbuf);
	r.linktype = pcap_datalink(r.in);
	if (r.linktype != DLT_EN10MB && r.linktype != DLT_LINUX_SLL && r.linktype != DLT_RAW &&
	    r.linktype != 14 && r.linktype != 101) {
		xg_fail("replay",
			"%s: link type %s is not supported (Ethernet, Linux cooked or raw IP)",
			file, pcap_datalink_val_to_name(r.linktype));
		goto out;
	}
	if ((passed && !(r.passed = open_dump(&r, passed))) ||
	    (dropped && !(r.dropped = open_dump(&r, dropped))))
		goto out;

	throwaway = !state_dir;
	if (throwaway) {
		if (!mkdtemp(tmpdir)) {
			xg_fail("replay", "cannot create a state dir: %s", strerror(errno));
			goto out;
		}
		state_dir = tmpdir;
	}
	snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s", state_dir);

	skel = xg_skel_load_private(err, sizeof(err));
	if (!skel) {
		xg_fail("replay", "%s", err);
		goto out_dir;
	}
	xg_maps_from_skel(skel, &maps);
	r.prog_fd = bpf_program__fd(skel->progs.xdpguard);
	if (xg_rtcfg_init(&maps, err, sizeof(err))) {
		xg_fail("replay", "%s", err);
		goto out_dir;
	}

	tick_ns = (uint64_t)cfg.tick_ms * 1000000ULL;
	xg_clock_fixed(&clock, 0);
	c = calloc(1, sizeof(*c));
	if (!c ||
	    xg_controller_init(c, &cfg, &maps, &clock,
			       (struct xg_event_sink){.emit = print_event, .arg = &rs}, true, err,
			       sizeof(err)) ||
	    xg_controller_apply(c, &cfg, err, sizeof(err))) {
		xg_fail("replay", "%s", c ? err : "out of memory");
		goto out_ctl;
	}

	/* Captures go to the state dir the caller keeps, as the daemon's do. */
	if (!throwaway && cfg.pcap.enabled) {
		struct xg_capture_opts co = {
		    .state_dir = state_dir, .cfg = &cfg.pcap, .samples_fd = maps.samples};

		if (xg_capture_open(&rs.capture, &co, err, sizeof(err))) {
			xg_fail("replay", "pcap: %s", err);
			goto out_ctl;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((rc = pcap_next_ex(r.in, &h, &data)) == 1) {
		uint64_t ts = ts_ns(h);

		if (ts < last_ts) {
			r.reordered++; /* never let the clock go back */
			ts = last_ts;
		}
		last_ts = ts;
		if (!next_tick) {
			/* Prime at the tick boundary before the first packet. */
			clock.fixed_ns = ts - ts % tick_ns;
			if (xg_controller_tick(c, err, sizeof(err)))
				goto tick_error;
			next_tick = clock.fixed_ns + tick_ns;
		}
		/* samples before the tick, so a capture it starts has them */
		if (ts >= next_tick)
			drain_batch(&rs);
		while (ts >= next_tick) {
			clock.fixed_ns = next_tick;
			if (xg_controller_tick(c, err, sizeof(err)))
				goto tick_error;
			next_tick += tick_ns;
		}
		r.packets++;
		if (rs.capture) {
			/* samples carry the capture's time, as the incidents do */
			rs.mono[rs.n] = xg_mono_ns();
			rs.real[rs.n++] = ts;
		}
		run_packet(&r, h, data);
		if (rs.n == REPLAY_BATCH)
			drain_batch(&rs);
	}
	if (rc == PCAP_ERROR) {
		xg_fail("replay", "%s: packet %llu: %s", file, (unsigned long long)r.packets + 1,
			pcap_geterr(r.in));
		goto out_ctl;
	}
	/* One last tick for the packets after the last boundary. */
	drain_batch(&rs);
	if (next_tick) {
		clock.fixed_ns = next_tick;
		if (xg_controller_tick(c, err, sizeof(err)))
			goto tick_error;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	summary(&r, &maps, rs.incidents,
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (!throwaway && xg_controller_save(c, err, sizeof(err)))
		xg_fail("replay", "%s", err);
	ret = 0;
	goto out_ctl;
tick_error:
	xg_fail("replay", "controller tick at %.3f: %s", (double)clock.fixed_ns / 1e9, err);
out_ctl:
	xg_capture_close(rs.capture);
	if (c)
		xg_controller_free(c);
	free(c);
out_dir:
	if (throwaway && state_dir)
		remove_state_dir(state_dir);
out:
	if (skel)
		xdpguard_bpf__destroy(skel);
	if (r.passed)
		pcap_dump_close(r.passed);
	if (r.dropped)
		pcap_dump_close(r.dropped);
	if (r.dead)
		pcap_close(r.dead);
	pcap_close(r.in);
	return ret;
}
