/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Incident captures: packets the XDP program samples (the xg_samples ring
 * buffer) become one gzip'd pcap per incident that starts before the attack.
 *
 * The reader drains the ring buffer every XG_CAPTURE_DRAIN_MS into a ring
 * of the last pcap.ring_packets samples. When an incident opens, its file
 * starts with that ring and goes on with every sample until the incident
 * closes, pcap.max_packets is reached, or free space falls under
 * pcap.min_free_mb. Each finished file is journaled ({"event":"pcap",
 * "incident", "path", "packets", "bytes", "sha256", "first_ts", "last_ts",
 * "stopped"}) and retention (age, total size) is applied.
 *
 * In the daemon the reader is a thread of its own: the controller's tick
 * only posts "start" and "stop", and never touches the disk for captures.
 * In replay there is no thread: the caller drains after each batch of
 * packets and stamps the samples with the capture's clock.
 */
#ifndef XG_CAPTURE_H
#define XG_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "config.h"

/* The reader drains every XG_CAPTURE_DRAIN_MS while samples come fast
 * (more than XG_CAPTURE_BUSY a drain) or a capture is open, and every
 * XG_CAPTURE_IDLE_MS otherwise: the 512 KiB ring holds ~2900 samples of
 * 150-byte packets (~5400 of 60-byte ones), so 500 ms is safe below ~5,800
 * small samples/s (a 6 Mpps flood at the peace rate of 1 in 1024, before
 * the incident opens and the reader speeds up), and a quiet node wakes
 * twice a second, not 50 times. */
#define XG_CAPTURE_DRAIN_MS 20
#define XG_CAPTURE_IDLE_MS  500
#define XG_CAPTURE_BUSY	    64

struct xg_capture;

struct xg_capture_opts {
	const char *state_dir; /* the journal */
	const struct xg_pcap_cfg *cfg;
	int samples_fd; /* the xg_samples ring buffer map */
	bool threaded;	/* the daemon: drain on a thread; replay: xg_capture_drain() */
	/* One line, from any thread; level "error", "warn" or "info". */
	void (*log)(void *arg, const char *level, const char *msg);
	void *log_arg;
};

/* Creates the capture directory, removes the .tmp files a crash left and
 * applies retention. cfg is copied. 0 or -errno with err set. */
int xg_capture_open(struct xg_capture **out, const struct xg_capture_opts *o, char *err,
		    size_t errlen);

/* A controller event: "incident_open" starts the incident's capture,
 * "incident_close" finishes it; others are ignored. The path of the
 * incident's capture is added to obj as "pcap" (for the alerts): on open,
 * and on updates and the close while the file exists. */
void xg_capture_on_event(struct xg_capture *c, const char *event, struct json_object *obj);

/* Without a thread (replay): drains the ring buffer now, after a batch
 * of packets run since the last drain: packet i was
 * run at CLOCK_MONOTONIC mono[i] (ascending) and is stamped real[i]; each
 * sample gets the stamp of the last packet run before its BPF time. Replay
 * drains once per batch instead of once per packet. */
int xg_capture_drain_batch(struct xg_capture *c, const uint64_t *mono, const uint64_t *real,
			   size_t n);

/* A new configuration (rates are the controller's; this takes the ring
 * size, caps and retention). */
void xg_capture_reload(struct xg_capture *c, const struct xg_pcap_cfg *cfg);

/* Samples read, and lost by the reader (the BPF side counts its own). */
void xg_capture_stats(struct xg_capture *c, uint64_t *read, uint64_t *written);

/* Finishes an open capture (stopped "shutdown"), stops the reader. */
void xg_capture_close(struct xg_capture *c);

#endif
