/* SPDX-License-Identifier: GPL-2.0-only */
/* The durable alert queue: events waiting for delivery to a sink (webhook,
 * PagerDuty, Slack, ...), kept on disk so a restart or a kill -9 loses none.
 *
 * Delivery is at-least-once: an event stays queued until a worker acks it.
 * When the queue is full the oldest events are dropped, counted (the counter
 * is persisted) and reported to the pusher so it can log the loss.
 *
 * On disk, in DIR (the controller uses STATE_DIR/alertq):
 *
 *   seg-<16 hex digits>.log   the log; only the highest number is live
 *   seg-<...>.tmp             a compaction in progress; removed at open
 *   seg-<...>.corrupt         a log whose first record was unreadable, moved
 *                             aside at open (kept for a human)
 *
 * The log is a sequence of records, all integers little-endian:
 *
 *   u32 magic  0x51414758 ("XGAQ" in file order)
 *   u32 len    length of body, 1..XG_ALERTQ_REC_MAX
 *   u32 crc    CRC-32 (IEEE, as zlib's crc32()) of the 4 len bytes then body
 *   u8  body[len], body[0] is the record type:
 *
 *   1 HEAD   u8 version(1) u16 0 u64 next_id u64 dropped u64 acked
 *            u64 retried u64 created_ns
 *            Always the first record; carries the totals of everything that
 *            compaction removed.
 *   2 ENQ    u8 0 u16 sink_len u16 key_len u16 0 u32 attempts u64 id
 *            u64 not_before_ns u64 created_ns u32 payload_len
 *            then sink, dedup_key and payload bytes (no NULs)
 *   3 RETRY  u8 0 u16 0 u32 attempts u64 id u64 not_before_ns
 *   4 ACK    u8 0 u16 0 u64 id
 *   5 DROP   u8 0 u16 0 u64 id        (dropped because the queue was full)
 *
 * Appends go at the end of the last good record with one pwrite() per
 * operation; a push is fdatasync'd before it returns, so an acknowledged
 * push survives a kill -9 and a power loss. Acks and retries are not synced:
 * losing one to a power loss only means a duplicate delivery or a repeated
 * backoff step, which at-least-once allows, and keeps workers off the disk.
 *
 * Open replays the live log and stops at the first record that is short or
 * fails its magic, length or CRC check: that is a torn tail (a write cut by
 * a crash), everything after it was never synced, so it is cut off and the
 * number of bytes is reported. Compaction writes the live events (with their
 * current attempts and not_before) behind a fresh HEAD into seg-<n+1>.tmp,
 * fsyncs it, renames it to seg-<n+1>.log, fsyncs the directory and unlinks
 * seg-<n>.log, so a crash at any point leaves one complete log. It runs when
 * the log is over XG_ALERTQ_COMPACT_MIN bytes and more than half of it is
 * dead, or on request.
 *
 * Payloads live only in the log (read back with pread on lease), so memory
 * is a small record per queued event whatever the payload sizes.
 *
 * Ordering: events are leased oldest first, per sink. Events with the same
 * sink and a non-empty dedup_key are delivered in push order: one is not
 * leased while an older one with the same sink and key is still queued
 * (leased or waiting for its backoff), so a "resolve" never overtakes its
 * "trigger". Events without a dedup_key are independent.
 *
 * Times are CLOCK_REALTIME nanoseconds (they must mean the same after a
 * restart or a reboot); the caller passes "now" so tests control the clock.
 *
 * Threads: every function takes the queue's mutex, so the controller can
 * push while workers lease, ack and retry. A queue directory is opened by one
 * xg_alertq at a time (flock on the directory): a second open, in this
 * process or another, fails with -EBUSY, so `xdpctl alerts status` must ask
 * the running controller rather than open the queue itself. */
#ifndef XG_ALERTQ_H
#define XG_ALERTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XG_ALERTQ_DEFAULT_CAPACITY 4096
#define XG_ALERTQ_SINK_MAX	   64	       /* with the NUL */
#define XG_ALERTQ_KEY_MAX	   256	       /* with the NUL */
#define XG_ALERTQ_PAYLOAD_MAX	   (64 * 1024) /* inclusive */
#define XG_ALERTQ_REC_MAX	   (XG_ALERTQ_PAYLOAD_MAX + 1024)
#define XG_ALERTQ_COMPACT_MIN	   (1024 * 1024)

struct xg_alertq;

/* One event to push. payload may be NULL when len is 0; dedup_key may be
 * NULL or "" for none. */
struct xg_alertq_event {
	const char *sink;
	const char *dedup_key;
	const void *payload;
	size_t len;
	uint64_t not_before_ns;
};

/* A leased event. payload is malloc'd and followed by a NUL that len does
 * not count (a text payload is a C string): release it with
 * xg_alertq_item_free(). attempts counts the retries so far (0 at first). */
struct xg_alert_item {
	uint64_t id;
	char sink[XG_ALERTQ_SINK_MAX];
	char dedup_key[XG_ALERTQ_KEY_MAX];
	uint64_t not_before_ns;
	uint64_t created_ns;
	uint32_t attempts;
	size_t len;
	void *payload;
};

/* An event as xg_alertq_foreach() shows it: no payload. The strings are
 * valid only during the callback. */
struct xg_alertq_meta {
	uint64_t id;
	const char *sink;
	const char *dedup_key;
	uint64_t not_before_ns;
	uint64_t created_ns;
	uint32_t attempts;
	size_t len;
	bool leased;
};

struct xg_alertq_stats {
	size_t depth;		  /* queued events, leased ones included */
	size_t leased;		  /* handed to a worker, not acked or retried */
	size_t capacity;	  /* at most this many queued */
	uint64_t pushed;	  /* ever, persisted (= the last id) */
	uint64_t acked;		  /* ever, persisted */
	uint64_t dropped;	  /* ever, oldest dropped when full, persisted */
	uint64_t retried;	  /* ever, persisted */
	uint64_t disk_bytes;	  /* size of the live log */
	uint64_t live_bytes;	  /* of which the HEAD and queued events */
	uint64_t compactions;	  /* by this open */
	uint64_t truncated_bytes; /* torn tail cut off by this open */
	bool quarantined;	  /* this open moved an unreadable log aside */
};

/* Opens (creating it when needed) the queue in dir; capacity 0 means
 * XG_ALERTQ_DEFAULT_CAPACITY. Returns 0 or -errno with err set. On success
 * err is "" or says what recovery did (a torn tail cut off, a log moved
 * aside, events dropped to fit a smaller capacity): log it. Fails with
 * -EBUSY when the queue is open elsewhere, and -EPROTONOSUPPORT for a log
 * written by a newer format (left untouched). */
int xg_alertq_open(struct xg_alertq **q, const char *dir, size_t capacity, char *err,
		   size_t errlen);

/* Syncs and frees. No other thread may use q any more. */
void xg_alertq_close(struct xg_alertq *q);

/* Pushes n events with one write and one fdatasync; when this returns 0
 * they are durable. ids_out (n entries) may be NULL. *dropped_out (may be
 * NULL) is how many older events were dropped to make room: log it. Fails
 * with -EINVAL for a bad event (no sink, names too long or holding
 * control characters, payload over XG_ALERTQ_PAYLOAD_MAX), -E2BIG when n
 * exceeds the capacity, -EOVERFLOW when the ids ran out (2^63: a damaged
 * log), or the write error; then nothing was queued or
 * dropped. */
int xg_alertq_push_many(struct xg_alertq *q, const struct xg_alertq_event *ev, size_t n,
			uint64_t *ids_out, uint64_t *dropped_out);

/* One event: xg_alertq_push_many() with n = 1.
 * Ids start at 1 and increase; an id returned by a push is never given
 * again. A push that a crash cut short never returned, so its id may be. */
int xg_alertq_push(struct xg_alertq *q, const char *sink, const char *dedup_key,
		   const void *payload, size_t len, uint64_t not_before_ns, uint64_t *id_out,
		   uint64_t *dropped_out);

/* Leases the oldest event for sink (NULL: any sink) that is due
 * (not_before_ns <= now_ns), not leased, and not behind an older event with
 * the same sink and dedup_key. It stays queued and is not leased again
 * until it is acked, retried or released. Returns 0, or -ENOENT when there
 * is none; then *next_due_ns (may be NULL) is the earliest not_before_ns
 * after now_ns among that sink's waiting events, or UINT64_MAX (wait for a
 * wakeup). -EIO when the log cannot be read. */
int xg_alertq_lease(struct xg_alertq *q, const char *sink, uint64_t now_ns,
		    struct xg_alert_item *out, uint64_t *next_due_ns);

void xg_alertq_item_free(struct xg_alert_item *it);

/* Delivered: removes the event. -ENOENT when it is not queued (already
 * acked, or dropped while leased: not an error for the worker). Another
 * negative errno means the ack took effect but could not be written: the
 * event may be delivered again after a restart. */
int xg_alertq_ack(struct xg_alertq *q, uint64_t id);

/* Delivery failed: attempts++, due again at not_before_ns, lease released.
 * Return values as for xg_alertq_ack(). */
int xg_alertq_retry(struct xg_alertq *q, uint64_t id, uint64_t not_before_ns);

/* Gives a leased event back without counting an attempt (worker shutdown).
 * Nothing is written: leases are not persisted, a restart releases all. */
int xg_alertq_release(struct xg_alertq *q, uint64_t id);

/* Waiting for work without missing a wakeup: read gen before trying to
 * lease; when the lease finds nothing, xg_alertq_wait(q, gen, ms) returns
 * at once if anything changed since (0), else waits until something does
 * (0) or timeout_ms passes (-ETIMEDOUT). A negative timeout waits forever.
 * Every push, ack, retry, release and xg_alertq_wake() changes gen. */
uint64_t xg_alertq_gen(struct xg_alertq *q);
int xg_alertq_wait(struct xg_alertq *q, uint64_t gen, int timeout_ms);

/* Wakes every waiter (shutdown: set your stop flag, then wake). */
void xg_alertq_wake(struct xg_alertq *q);

/* Rewrites the log with only the live events now. */
int xg_alertq_compact(struct xg_alertq *q);

void xg_alertq_stats(struct xg_alertq *q, struct xg_alertq_stats *st);

/* Queued events for one sink (leased ones included). */
size_t xg_alertq_sink_depth(struct xg_alertq *q, const char *sink);

/* Calls cb for every queued event, oldest first, under the queue's lock (cb
 * must not call into q). Returns 0 or the first non-zero cb value. */
int xg_alertq_foreach(struct xg_alertq *q, int (*cb)(const struct xg_alertq_meta *m, void *arg),
		      void *arg);

/* CRC-32 as zlib's crc32(crc, buf, len), so the log can be checked with
 * common tools. */
uint32_t xg_crc32(uint32_t crc, const void *buf, size_t len);

#endif
