/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-incident packet captures: one gzip'd pcap per incident,
 * DIR/<incident-id>.pcap.gz, written through DIR/<id>.pcap.gz.tmp and
 * renamed when complete, so a file with the final name is always whole.
 *
 * The deciding parts (the pre-attack ring, the retention plan, the names)
 * are pure; the I/O sits in the writer, the directory scan/enforce and the
 * export. Nothing here is thread-safe: one writer belongs to one thread.
 */
#ifndef XG_PCAPW_H
#define XG_PCAPW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xdpguard/abi.h>

#define XG_PCAP_EXT    ".pcap.gz"
#define XG_PCAP_TMP    ".tmp"  /* appended to the final name while writing */
#define XG_PCAP_SUBDIR "pcaps" /* under STATE_DIR when pcap.dir is "" */

/* ---- the writer ---- */

struct xg_pcapw;

struct xg_pcapw_result {
	uint64_t packets;
	uint64_t bytes;	      /* size of the .gz on disk */
	uint64_t first_ts_ns; /* earliest and latest packet, wall clock; 0 without packets */
	uint64_t last_ts_ns;
	char sha256[65]; /* lowercase hex of the final file's bytes */
};

/* Creates path + ".tmp" (mode 0600, truncated if a stale one exists) and
 * writes the pcap header: Ethernet, snaplen XG_SAMPLE_SNAP, microsecond
 * timestamps. path must end in ".pcap.gz". Returns 0 or -errno with
 * "PATH: reason" in err. */
int xg_pcapw_open(struct xg_pcapw **w, const char *path, char *err, size_t errlen);

/* Appends one frame: cap_len bytes of data (at most XG_SAMPLE_SNAP, at most
 * orig_len), orig_len the length on the wire, ts_real_ns CLOCK_REALTIME
 * (truncated to microseconds). Returns 0, -EINVAL for bad lengths (nothing
 * written), or the first write error (-errno, sticky: the file is lost,
 * abort it). Buffered: errors can surface on a later call or at close. */
int xg_pcapw_write(struct xg_pcapw *w, uint64_t ts_real_ns, const void *data, uint32_t cap_len,
		   uint32_t orig_len);

/* Frames written so far (the caller stops at pcap.max_packets). */
uint64_t xg_pcapw_packets(const struct xg_pcapw *w);

/* Finishes the gzip stream, fsyncs, renames the .tmp to the final path,
 * fsyncs the directory and fills res (may be NULL). Always frees w; on
 * error the .tmp is removed and -errno returned with "PATH: reason". */
int xg_pcapw_close(struct xg_pcapw *w, struct xg_pcapw_result *res, char *err, size_t errlen);

/* Drops the capture: closes and removes the .tmp, frees w. NULL is fine. */
void xg_pcapw_abort(struct xg_pcapw *w);

/* ---- the pre-attack ring (pure) ---- */

/* One sample as the ring keeps it: only its captured bytes. */
struct xg_sample_rec {
	uint64_t ts_real_ns;
	const uint8_t *data; /* cap_len bytes */
	uint32_t orig_len;
	uint16_t cap_len;
};

struct xg_sample_slot {
	struct xg_sample_rec rec;
	uint8_t *buf; /* rec.data */
	uint32_t buf_cap;
};

/* The last cap samples seen, oldest overwritten first. A slot holds the
 * sample's captured bytes, not the kernel record's 2 KiB: a ring of SIP and
 * RTP packets takes a fraction of the memory. */
struct xg_sample_ring {
	struct xg_sample_slot *v;
	uint32_t cap;
	uint32_t head; /* index of the oldest record */
	uint32_t n;
};

/* cap 0 is allowed: every push is then discarded. Returns 0 or -ENOMEM. */
int xg_sample_ring_init(struct xg_sample_ring *r, uint32_t cap);
void xg_sample_ring_push(struct xg_sample_ring *r, uint64_t ts_real_ns, const struct xg_sample *s);
uint32_t xg_sample_ring_count(const struct xg_sample_ring *r);
/* i = 0 is the oldest; NULL when i >= count. */
const struct xg_sample_rec *xg_sample_ring_at(const struct xg_sample_ring *r, uint32_t i);
/* Oldest first; stops at and returns the first non-zero cb value. */
int xg_sample_ring_foreach(const struct xg_sample_ring *r,
			   int (*cb)(const struct xg_sample_rec *rec, void *arg), void *arg);
void xg_sample_ring_clear(struct xg_sample_ring *r);
void xg_sample_ring_free(struct xg_sample_ring *r);

/* ---- names ---- */

/* An incident id usable as a file name: not empty, no '/', not starting
 * with '.', printable, shorter than 200 bytes. */
bool xg_pcap_id_valid(const char *id);

/* buf = "<dir>/<id>.pcap.gz". Returns 0, -EINVAL for an invalid id or
 * -ENAMETOOLONG. */
int xg_pcap_path(char *buf, size_t len, const char *dir, const char *id);

/* The capture directory: pcap_dir when set, else STATE_DIR/pcaps.
 * Returns 0 or -ENAMETOOLONG. */
int xg_pcap_dir_of(char *buf, size_t len, const char *pcap_dir, const char *state_dir);

/* ---- retention ---- */

struct xg_pcap_file {
	char name[256]; /* "<id>.pcap.gz", no directory */
	uint64_t size;
	uint64_t mtime_ns; /* CLOCK_REALTIME */
};

struct xg_pcap_limits {
	uint64_t max_age_s;	  /* remove files older than this; 0 = no limit */
	uint64_t max_total_bytes; /* then the oldest until the rest fits; 0 = no limit */
};

/* Pure: sets remove[i] for each file to delete: every file older than
 * max_age (now - mtime > max_age), then the oldest of the rest (by mtime,
 * then name) until their total is at most max_total_bytes. files need not
 * be sorted. Returns the number to remove, or -ENOMEM. */
int xg_pcap_retention_plan(const struct xg_pcap_file *files, size_t n,
			   const struct xg_pcap_limits *lim, uint64_t now_ns, bool *remove);

/* The regular files named *.pcap.gz in dir (a .tmp being written, hidden
 * files and anything else are ignored), oldest first (mtime, then name).
 * A missing dir is 0 files. *files is malloc'd (NULL when none). */
int xg_pcap_scan(const char *dir, struct xg_pcap_file **files, size_t *n, char *err, size_t errlen);

/* Scan, plan, unlink. removed/freed (may be NULL) count what went. Keeps
 * going past a failed unlink and returns its -errno with "PATH: reason". */
int xg_pcap_enforce(const char *dir, const struct xg_pcap_limits *lim, uint64_t now_ns,
		    unsigned int *removed, uint64_t *freed, char *err, size_t errlen);

/* Removes every *.pcap.gz.tmp in dir: the remains of a crash mid-capture,
 * which scan and enforce never count. Call it at startup, before any writer
 * opens. */
int xg_pcap_remove_stale_tmp(const char *dir, unsigned int *removed, char *err, size_t errlen);

/* Free space for an unprivileged user (statvfs f_bavail), in bytes.
 * Returns 0 or -errno. */
int xg_pcap_free_bytes(const char *dir, uint64_t *out);

/* ---- copy out ---- */

/* Copies src_gz to dst as is, or gunzipped with uncompress. dst "-" is
 * stdout; otherwise dst + ".tmp" is written, fsync'd and renamed, so dst is
 * whole or untouched. A corrupt or truncated gzip stream is an error.
 * Returns 0 or -errno with "PATH: reason". */
int xg_pcap_export(const char *src_gz, const char *dst, bool uncompress, char *err, size_t errlen);

/* SHA-256 of a file's bytes as 64 lowercase hex digits. Returns 0 or -errno. */
int xg_sha256_file(const char *path, char hex[65]);

#endif
