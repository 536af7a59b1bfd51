// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_alertq: the durable alert queue's recovery from a damaged disk
 * (user/alertq.c). The input becomes the queue's log, and
 * xg_alertq_open() must recover from whatever it finds: cut a torn tail,
 * skip malformed records, move an unreadable log aside, or refuse a log
 * from a newer version; never crash, leak or hang.
 *
 * Input: byte 0 holds flags, the rest the log.
 *   bit 0  the rest is written as is (otherwise it is a list of records,
 *          below, which the harness frames and checksums, so the fuzzer
 *          reaches the record parser instead of failing every CRC)
 *   bit 1  an older, valid log is there too (a crash during compaction)
 *   bit 2  open with capacity 2 (events dropped to fit)
 *   bit 3  a compaction's leftover .tmp is there too
 * A record: u8 ctl, u16 body length (little-endian), the body. ctl bit 0
 * breaks the CRC, bit 1 the magic, bit 2 cuts the record short (a torn
 * write), bit 3 makes an ENQ body's sink, key and payload lengths add up.
 *
 * After a successful open, every due event is leased (its payload read
 * back from the log) and acked or retried, the log compacted, closed and
 * opened again: that second open must find exactly what the first left,
 * with nothing to recover.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alertq.h"
#include "fuzz_util.h"

#define MAGIC	  0x51414758u
#define REC_HEAD  1
#define REC_ENQ	  2
#define ENQ_FIXED 40
#define SEG_OLD	  "seg-0000000000000001.log"
#define SEG_NEW	  "seg-0000000000000002.log"
#define SEG_TMP	  "seg-0000000000000003.tmp"

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *data, size_t len)
{
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	if (len)
		memcpy(b->p + b->len, data, len);
	b->len += len;
}

static void le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
	le16(p, (uint16_t)v);
	le16(p + 2, (uint16_t)(v >> 16));
}

static void le64(uint8_t *p, uint64_t v)
{
	le32(p, (uint32_t)v);
	le32(p + 4, (uint32_t)(v >> 32));
}

/* One framed record: magic, length, CRC over the length bytes and body. */
static void record(struct buf *b, const uint8_t *body, uint32_t len, uint8_t ctl)
{
	uint8_t hdr[12];
	uint32_t crc;

	le32(hdr, ctl & 2 ? MAGIC ^ 1 : MAGIC);
	le32(hdr + 4, len);
	crc = xg_crc32(xg_crc32(0, hdr + 4, 4), body, len);
	le32(hdr + 8, ctl & 1 ? ~crc : crc);
	put(b, hdr, sizeof(hdr));
	put(b, body, ctl & 4 ? len / 2 : len);
}

/* An ENQ body whose lengths add up: sink and key from the fuzzer's bytes,
 * the rest payload. */
static void fix_enq(uint8_t *body, uint32_t len)
{
	uint32_t room = len - ENQ_FIXED, slen, klen;

	slen = 1 + body[2] % 63;
	if (slen > room)
		slen = room;
	klen = body[4] % 256;
	if (klen > room - slen)
		klen = room - slen;
	le16(body + 2, (uint16_t)slen);
	le16(body + 4, (uint16_t)klen);
	le32(body + 36, room - slen - klen);
}

static void structured(struct buf *b, const uint8_t *data, size_t size)
{
	static uint8_t body[XG_ALERTQ_REC_MAX];
	size_t off = 0;

	while (off + 3 <= size) {
		uint8_t ctl = data[off];
		uint32_t len = (uint32_t)(data[off + 1] | data[off + 2] << 8);

		off += 3;
		if (len > size - off)
			len = (uint32_t)(size - off);
		if (!len)
			continue;
		memcpy(body, data + off, len);
		off += len;
		if ((ctl & 8) && body[0] == REC_ENQ && len > ENQ_FIXED)
			fix_enq(body, len);
		record(b, body, len, ctl);
		if (ctl & 4)
			break; /* a torn record ends the log */
	}
}

/* A valid log: a HEAD and one event, "older" than the fuzzed one. */
static void old_log(struct buf *b)
{
	uint8_t head[44] = {REC_HEAD, 1}, enq[ENQ_FIXED + 4 + 1 + 2] = {REC_ENQ};

	le64(head + 4, 2); /* next id */
	record(b, head, sizeof(head), 0);
	le16(enq + 2, 4);
	le16(enq + 4, 1);
	le64(enq + 12, 1); /* id */
	le32(enq + 36, 2);
	memcpy(enq + ENQ_FIXED, "hookk{}", 7);
	record(b, enq, sizeof(enq), 0);
}

struct seen {
	size_t n;
	uint64_t max_id;
};

static int count_cb(const struct xg_alertq_meta *m, void *arg)
{
	struct seen *sn = arg;

	FZ_CHECK(!sn->n || m->id > sn->max_id, "ids not increasing: %llu after %llu",
		 (unsigned long long)m->id, (unsigned long long)sn->max_id);
	sn->max_id = m->id;
	sn->n++;
	FZ_CHECK(m->sink && m->sink[0] && m->dedup_key, "an event without a sink");
	FZ_CHECK(m->len <= XG_ALERTQ_PAYLOAD_MAX, "payload of %zu bytes", m->len);
	FZ_CHECK(strlen(m->sink) < XG_ALERTQ_SINK_MAX && strlen(m->dedup_key) < XG_ALERTQ_KEY_MAX,
		 "names too long");
	return 0;
}

static void check_err(const char *err)
{
	FZ_CHECK(!strpbrk(err, "\r\n"), "open's message spans lines: %s", err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char dir[4200], path[4300], err[512];
	struct xg_alertq_stats st, st2;
	bool near;
	struct xg_alert_item it;
	struct xg_alertq *q;
	struct buf log = {0}, old = {0};
	struct seen seen = {0};
	uint64_t id, dropped;
	size_t capacity, i;
	uint8_t flags;
	int r;

	if (!size)
		return 0;
	flags = data[0];
	data++;
	size--;
	capacity = flags & 4 ? 2 : 0;
	snprintf(dir, sizeof(dir), "%s/q", fz_scratch());
	fz_rm_rf(dir);
	if (mkdir(dir, 0700))
		abort();
	if (flags & 1)
		put(&log, data, size);
	else
		structured(&log, data, size);
	snprintf(path, sizeof(path), "%s/%s", dir, flags & 2 ? SEG_NEW : SEG_OLD);
	fz_write_file(path, log.p, log.len);
	if (flags & 2) {
		old_log(&old);
		snprintf(path, sizeof(path), "%s/%s", dir, SEG_OLD);
		fz_write_file(path, old.p, old.len);
	}
	if (flags & 8) {
		snprintf(path, sizeof(path), "%s/%s", dir, SEG_TMP);
		fz_write_file(path, log.p, log.len / 2);
	}

	r = xg_alertq_open(&q, dir, capacity, err, sizeof(err));
	check_err(err);
	if (r) {
		/* a log from a newer version is left alone; nothing else fails */
		FZ_CHECK(r == -EPROTONOSUPPORT, "open failed: %d (%s)", r, err);
		FZ_CHECK(!q && err[0], "a failed open without a message");
		goto out;
	}
	xg_alertq_stats(q, &st);
	FZ_CHECK(st.depth <= st.capacity, "%zu queued, capacity %zu", st.depth, st.capacity);
	FZ_CHECK(st.live_bytes <= st.disk_bytes, "live %llu > disk %llu",
		 (unsigned long long)st.live_bytes, (unsigned long long)st.disk_bytes);
	FZ_CHECK(!xg_alertq_foreach(q, count_cb, &seen) && seen.n == st.depth,
		 "foreach saw %zu of %zu", seen.n, st.depth);

	/* deliver: everything due now, oldest first */
	for (i = 0; i < 2 * st.depth + 4; i++) {
		r = xg_alertq_lease(q, NULL, UINT64_MAX - 1, &it, NULL);
		if (r == -ENOENT)
			break;
		FZ_CHECK(!r, "lease: %d", r);
		FZ_CHECK(it.payload && ((char *)it.payload)[it.len] == '\0',
			 "payload not NUL-terminated");
		FZ_CHECK(it.len <= XG_ALERTQ_PAYLOAD_MAX, "leased %zu bytes", it.len);
		if (i % 3 == 2) {
			r = xg_alertq_retry(q, it.id, UINT64_MAX);
			FZ_CHECK(!r, "retry: %d", r);
		} else {
			r = xg_alertq_ack(q, it.id);
			FZ_CHECK(!r, "ack: %d", r);
		}
		xg_alertq_item_free(&it);
	}
	FZ_CHECK(i < 2 * st.depth + 4, "lease never ran dry");
	/* a new event after recovery: a fresh id, and it survives a restart */
	r = xg_alertq_push(q, "fuzz", "k", "{}", 2, 0, &id, &dropped);
	FZ_CHECK(!r, "push after recovery: %d", r);
	FZ_CHECK(!seen.n || id > seen.max_id, "push got id %llu, the log had %llu",
		 (unsigned long long)id, (unsigned long long)seen.max_id);
	r = xg_alertq_compact(q);
	FZ_CHECK(!r, "compact: %d", r);
	xg_alertq_stats(q, &st);
	xg_alertq_close(q);

	/* a clean log now: the second open recovers nothing, unless this
	 * run's pushes took the ids past the renumbering mark (half of the
	 * id space: only a damaged log starts that high), which open then
	 * renumbers as documented */
	near = st.pushed >= UINT64_MAX / 4;
	r = xg_alertq_open(&q, dir, capacity, err, sizeof(err));
	FZ_CHECK(!r, "reopen failed: %d (%s)", r, err);
	FZ_CHECK(!err[0] || (near && strstr(err, "near exhaustion")), "reopen had to recover: %s",
		 err);
	xg_alertq_stats(q, &st2);
	if (near)
		st.pushed = st2.pushed; /* renumbered from 1 */
	FZ_CHECK(st2.depth == st.depth && st2.pushed == st.pushed && st2.acked == st.acked &&
		     st2.dropped == st.dropped,
		 "reopen: depth %zu/%zu pushed %llu/%llu acked %llu/%llu dropped %llu/%llu",
		 st2.depth, st.depth, (unsigned long long)st2.pushed, (unsigned long long)st.pushed,
		 (unsigned long long)st2.acked, (unsigned long long)st.acked,
		 (unsigned long long)st2.dropped, (unsigned long long)st.dropped);
	FZ_CHECK(!st2.truncated_bytes && !st2.quarantined, "reopen cut or moved the log");
	xg_alertq_close(q);
out:
	fz_rm_rf(dir);
	free(log.p);
	free(old.p);
	return 0;
}
