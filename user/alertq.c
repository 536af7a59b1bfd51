// SPDX-License-Identifier: GPL-2.0-only
/* The durable alert queue; the file format is described in alertq.h. */
#include "alertq.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"

#define MAGIC	0x51414758u
#define VERSION 1
#define HDR_LEN 12 /* magic, len, crc */
/* Ids are 1 .. ID_MAX - 1 and next_id at most ID_MAX: past that is damage
 * (a real queue never gets there), next_id must not wrap to 0 (which reads
 * back as no id), and a HEAD over it is refused at open. */
#define ID_MAX (UINT64_MAX / 2)

enum { REC_HEAD = 1, REC_ENQ, REC_RETRY, REC_ACK, REC_DROP };

/* Body sizes and field offsets, see alertq.h. */
#define HEAD_BODY  44
#define HEAD_NEXT  4
#define HEAD_DROP  12
#define HEAD_ACK   20
#define HEAD_RETR  28
#define HEAD_CTIME 36

#define ENQ_FIXED 40
#define ENQ_SLEN  2
#define ENQ_KLEN  4
#define ENQ_ATT	  8
#define ENQ_ID	  12
#define ENQ_NB	  20
#define ENQ_CTIME 28
#define ENQ_PLEN  36

#define RETRY_BODY 24
#define RETRY_ATT  4
#define RETRY_ID   8
#define RETRY_NB   16

#define ID_BODY 12 /* ACK and DROP */
#define ID_ID	4

/* Compaction writes the new log in chunks of this size, so a queue full of
 * large payloads does not need all of them in memory at once. */
#define FLUSH_BYTES (1024 * 1024)

/* One queued event. The payload stays in the log at off. */
struct item {
	uint64_t id;
	uint64_t not_before;
	uint64_t created;
	uint64_t off;
	uint32_t rec_len;
	uint32_t attempts;
	uint32_t len;
	bool leased;
	uint64_t khash; /* of sink and key, for the lease's ordering check */
	char *key;	/* points into sink[], after the sink's NUL */
	char sink[];
};

struct xg_alertq {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint64_t gen;
	int dirfd;
	int fd;
	uint64_t seg;  /* number of the live log */
	uint64_t end;  /* end of the last good record: where appends go */
	uint64_t live; /* bytes of the HEAD and the queued events' records */
	/* The log may not match memory (a failed write): the next write first
	 * rewrites the whole log from memory. */
	bool resync;
	bool renumbering; /* write_segment gives the kept events ids 1, 2, ... */
	size_t capacity;
	struct item **v; /* by id, oldest first */
	size_t n, cap;
	struct item **blk; /* lease scratch: a set of blocking (sink, key) */
	size_t blk_cap;
	uint8_t *buf; /* one record's body, read back from the log */
	uint64_t next_id, acked, dropped, retried;
	uint64_t compactions, truncated;
	bool quarantined;
};

struct wbuf {
	uint8_t *p;
	size_t len, cap;
};

/* CRC-32, reflected polynomial 0xEDB88320 as in zlib, a nibble at a time:
 * zlib is only linked indirectly through libbpf, so it is not ours to call,
 * and a 16-entry table is fast enough for alert payloads. */
static const uint32_t crc_nibble[16] = {
    0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
    0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c, 0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

uint32_t xg_crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		crc = (crc >> 4) ^ crc_nibble[crc & 15];
		crc = (crc >> 4) ^ crc_nibble[crc & 15];
	}
	return ~crc;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Adds a sentence to what open reports, which may say several things. */
static void erradd(char *err, size_t errlen, const char *fmt, ...)
{
	size_t used;
	va_list ap;

	if (!err || !errlen)
		return;
	used = strnlen(err, errlen);
	if (used && used + 2 < errlen) {
		memcpy(err + used, "; ", 3);
		used += 2;
	}
	if (used + 1 >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + used, errlen - used, fmt, ap);
	va_end(ap);
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t r = pread(fd, p, len, (off_t)off);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -EBADMSG; /* the file ends inside the record */
		p += r;
		len -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

static int pwrite_full(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t r = pwrite(fd, p, len, (off_t)off);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += r;
		len -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

static int wb_reserve(struct wbuf *w, size_t more)
{
	size_t cap = w->cap ? w->cap : 4096;
	uint8_t *p;

	if (w->len + more <= w->cap)
		return 0;
	while (cap < w->len + more)
		cap *= 2;
	p = realloc(w->p, cap);
	if (!p)
		return -ENOMEM;
	w->p = p;
	w->cap = cap;
	return 0;
}

/* Starts a record of body_len bytes at w->len; returns its body, or NULL.
 * The caller fills the body, then seals the record at *start. */
static uint8_t *rec_begin(struct wbuf *w, uint32_t body_len, size_t *start)
{
	uint8_t *rec;

	if (wb_reserve(w, HDR_LEN + (size_t)body_len))
		return NULL;
	*start = w->len;
	rec = w->p + w->len;
	memset(rec, 0, HDR_LEN + (size_t)body_len);
	put32(rec, MAGIC);
	put32(rec + 4, body_len);
	w->len += HDR_LEN + (size_t)body_len;
	return rec + HDR_LEN;
}

static void rec_seal(uint8_t *rec)
{
	uint32_t len = get32(rec + 4);
	uint32_t crc = xg_crc32(0, rec + 4, 4);

	put32(rec + 8, xg_crc32(crc, rec + HDR_LEN, len));
}

/* Reads the record at off into q->buf. -EBADMSG when it is not a whole,
 * valid record below size: a torn tail at open, corruption elsewhere. */
static int rec_read(struct xg_alertq *q, int fd, uint64_t off, uint64_t size, uint32_t *body_len)
{
	uint8_t hdr[HDR_LEN];
	uint32_t len, crc;
	int ret;

	if (off > size || size - off < HDR_LEN)
		return -EBADMSG;
	ret = pread_full(fd, hdr, HDR_LEN, off);
	if (ret)
		return ret;
	len = get32(hdr + 4);
	if (get32(hdr) != MAGIC || len == 0 || len > XG_ALERTQ_REC_MAX ||
	    size - off - HDR_LEN < len)
		return -EBADMSG;
	ret = pread_full(fd, q->buf, len, off + HDR_LEN);
	if (ret)
		return ret;
	crc = xg_crc32(xg_crc32(0, hdr + 4, 4), q->buf, len);
	if (crc != get32(hdr + 8))
		return -EBADMSG;
	*body_len = len;
	return 0;
}

static bool name_ok(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* Checks an ENQ body's lengths; false for one that does not add up. */
static bool enq_valid(const uint8_t *b, uint32_t blen)
{
	uint32_t slen, klen, plen;

	if (blen < ENQ_FIXED)
		return false;
	slen = get16(b + ENQ_SLEN);
	klen = get16(b + ENQ_KLEN);
	plen = get32(b + ENQ_PLEN);
	if (!slen || slen >= XG_ALERTQ_SINK_MAX || klen >= XG_ALERTQ_KEY_MAX ||
	    plen > XG_ALERTQ_PAYLOAD_MAX || (uint64_t)ENQ_FIXED + slen + klen + plen != blen)
		return false;
	return name_ok((const char *)b + ENQ_FIXED, slen + klen);
}

static uint64_t fnv1a(uint64_t h, const char *s, size_t len)
{
	while (len--) {
		h ^= (uint8_t)*s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static struct item *item_new(const char *sink, size_t slen, const char *key, size_t klen)
{
	struct item *it = calloc(1, sizeof(*it) + slen + klen + 2);

	if (!it)
		return NULL;
	memcpy(it->sink, sink, slen);
	it->key = it->sink + slen + 1;
	memcpy(it->key, key, klen);
	/* The sink's NUL is hashed too: ("ab", "c") is not ("a", "bc"). */
	it->khash = fnv1a(fnv1a(0xcbf29ce484222325ULL, it->sink, slen + 1), key, klen);
	return it;
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap ? *cap : 64;
	void *p;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	p = realloc(*arr, c * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = c;
	return 0;
}

static int items_reserve(struct xg_alertq *q, size_t need)
{
	return grow((void **)&q->v, &q->cap, need, sizeof(*q->v));
}

/* Index of id in q->v, or where it would go (*found false). */
static size_t find(const struct xg_alertq *q, uint64_t id, bool *found)
{
	size_t lo = 0, hi = q->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (q->v[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < q->n && q->v[lo]->id == id;
	return lo;
}

static void remove_at(struct xg_alertq *q, size_t i)
{
	q->live -= q->v[i]->rec_len;
	free(q->v[i]);
	memmove(&q->v[i], &q->v[i + 1], (q->n - i - 1) * sizeof(*q->v));
	q->n--;
}

static void changed(struct xg_alertq *q)
{
	q->gen++;
	pthread_cond_broadcast(&q->cond);
}

static void seg_name(char *buf, size_t len, uint64_t num, const char *ext)
{
	snprintf(buf, len, "seg-%016" PRIx64 ".%s", num, ext);
}

static int add_head(struct wbuf *w, const struct xg_alertq *q, uint64_t dropped)
{
	size_t start;
	uint8_t *b = rec_begin(w, HEAD_BODY, &start);

	if (!b)
		return -ENOMEM;
	b[0] = REC_HEAD;
	b[1] = VERSION;
	put64(b + HEAD_NEXT, q->next_id);
	put64(b + HEAD_DROP, dropped);
	put64(b + HEAD_ACK, q->acked);
	put64(b + HEAD_RETR, q->retried);
	put64(b + HEAD_CTIME, realtime_ns());
	rec_seal(w->p + start);
	return 0;
}

static int add_id_rec(struct wbuf *w, uint8_t type, uint64_t id)
{
	size_t start;
	uint8_t *b = rec_begin(w, ID_BODY, &start);

	if (!b)
		return -ENOMEM;
	b[0] = type;
	put64(b + ID_ID, id);
	rec_seal(w->p + start);
	return 0;
}

/* Writes the queued events behind a fresh HEAD into log number num and
 * makes it the live log. An event whose record no longer reads back (disk
 * corruption) cannot be carried over: it is dropped and counted. On failure
 * the old log stays live and nothing changes. */
static int write_segment(struct xg_alertq *q, uint64_t num)
{
	char tmp[64], log[64], old[64];
	struct wbuf w = {0}, hw = {0};
	uint64_t *offs = NULL, pos = 0, live;
	size_t i, j, nlost = 0;
	int fd, ret;

	seg_name(tmp, sizeof(tmp), num, "tmp");
	seg_name(log, sizeof(log), num, "log");
	fd = openat(q->dirfd, tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	offs = calloc(q->n ? q->n : 1, sizeof(*offs));
	/* A placeholder: the counts are known once every event is copied. */
	ret = !offs ? -ENOMEM : add_head(&w, q, q->dropped);
	live = w.len;
	for (i = 0; !ret && i < q->n; i++) {
		struct item *it = q->v[i];
		uint32_t blen;
		size_t start;
		uint8_t *b;

		ret = rec_read(q, q->fd, it->off, q->end, &blen);
		if (ret == -EBADMSG || (!ret && (q->buf[0] != REC_ENQ || !enq_valid(q->buf, blen) ||
						 get64(q->buf + ENQ_ID) != it->id))) {
			offs[i] = UINT64_MAX;
			nlost++;
			ret = 0;
			continue;
		}
		if (ret)
			break;
		b = rec_begin(&w, blen, &start);
		if (!b) {
			ret = -ENOMEM;
			break;
		}
		memcpy(b, q->buf, blen);
		/* renumbering: the kept events get 1, 2, ... in order */
		if (q->renumbering)
			put64(b + ENQ_ID, (uint64_t)(i - nlost) + 1);
		put32(b + ENQ_ATT, it->attempts);
		put64(b + ENQ_NB, it->not_before);
		rec_seal(w.p + start);
		offs[i] = pos + start;
		live += it->rec_len;
		if (w.len >= FLUSH_BYTES) {
			ret = pwrite_full(fd, w.p, w.len, pos);
			pos += w.len;
			w.len = 0;
		}
	}
	if (!ret) {
		ret = pwrite_full(fd, w.p, w.len, pos);
		pos += w.len;
	}
	if (!ret && nlost) {
		ret = add_head(&hw, q, q->dropped + nlost);
		if (!ret)
			ret = pwrite_full(fd, hw.p, hw.len, 0);
	}
	if (!ret && fsync(fd))
		ret = -errno;
	if (!ret && renameat(q->dirfd, tmp, q->dirfd, log))
		ret = -errno;
	/* The rename must be durable before anything is appended to the new
	 * log, or a crash could bring back the old one without those events. */
	if (!ret && fsync(q->dirfd))
		ret = -errno;
	free(w.p);
	free(hw.p);
	if (ret) {
		close(fd);
		unlinkat(q->dirfd, tmp, 0);
		free(offs);
		return ret;
	}

	for (i = j = 0; i < q->n; i++) {
		if (offs[i] == UINT64_MAX) {
			free(q->v[i]);
			continue;
		}
		q->v[i]->off = offs[i];
		if (q->renumbering)
			q->v[i]->id = (uint64_t)j + 1;
		q->v[j++] = q->v[i];
	}
	q->n = j;
	free(offs);
	if (q->fd >= 0) {
		close(q->fd);
		if (q->seg != num) {
			seg_name(old, sizeof(old), q->seg, "log");
			unlinkat(q->dirfd, old, 0);
		}
	}
	q->fd = fd;
	q->seg = num;
	q->end = pos;
	q->live = live;
	q->dropped += nlost;
	q->resync = false;
	if (nlost)
		changed(q);
	return 0;
}

static int compact_locked(struct xg_alertq *q)
{
	int ret = write_segment(q, q->seg + 1);

	if (!ret)
		q->compactions++;
	return ret;
}

static int ensure_synced(struct xg_alertq *q)
{
	return q->resync ? compact_locked(q) : 0;
}

/* Appends w at the end of the log. On failure the partial write is cut off
 * again, and the log is rewritten before the next append in any case: after
 * a failed write or fsync the file's contents are not to be trusted. */
static int append(struct xg_alertq *q, const struct wbuf *w, bool sync)
{
	int ret = pwrite_full(q->fd, w->p, w->len, q->end);

	if (!ret && sync && fdatasync(q->fd))
		ret = -errno;
	if (ret) {
		/* Cut the partial record off so the log stays parseable even
		 * if no rewrite succeeds before a crash; failing that too,
		 * the torn tail is cut at the next open. */
		int cut = ftruncate(q->fd, (off_t)q->end);

		(void)cut;
		q->resync = true;
		return ret;
	}
	q->end += w->len;
	return 0;
}

static void maybe_compact(struct xg_alertq *q)
{
	/* Amortised: a rewrite copies the live half at most once per as many
	 * bytes appended. A failure is retried at the next trigger. */
	if (q->end > XG_ALERTQ_COMPACT_MIN && q->end > 2 * q->live)
		compact_locked(q);
}

/* Drops the k oldest events: DROP records, then memory. */
static int drop_oldest(struct xg_alertq *q, size_t k, bool sync)
{
	struct wbuf w = {0};
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < k; i++)
		ret = add_id_rec(&w, REC_DROP, q->v[i]->id);
	if (!ret)
		ret = append(q, &w, sync);
	free(w.p);
	if (ret)
		return ret;
	for (i = 0; i < k; i++)
		remove_at(q, 0);
	q->dropped += k;
	return 0;
}

/* Replays the log in fd into q. -EBADMSG when its HEAD is unreadable (the
 * caller moves it aside); a torn tail is cut off. */
static int replay(struct xg_alertq *q, int fd, char *err, size_t errlen)
{
	uint64_t off = 0, size, skipped = 0;
	struct stat st;
	uint32_t blen;
	int ret;

	if (fstat(fd, &st))
		return -errno;
	size = (uint64_t)st.st_size;
	ret = rec_read(q, fd, 0, size, &blen);
	if (ret)
		return ret;
	if (q->buf[0] != REC_HEAD || blen < HEAD_BODY)
		return -EBADMSG;
	if (q->buf[1] > VERSION)
		return -EPROTONOSUPPORT;
	if (get64(q->buf + HEAD_NEXT) > ID_MAX)
		return -EBADMSG;
	q->next_id = get64(q->buf + HEAD_NEXT);
	q->dropped = get64(q->buf + HEAD_DROP);
	q->acked = get64(q->buf + HEAD_ACK);
	q->retried = get64(q->buf + HEAD_RETR);
	if (!q->next_id)
		q->next_id = 1;
	off = HDR_LEN + blen;
	q->live = off;
	for (;;) {
		const uint8_t *b = q->buf;
		struct item *it;
		bool found;
		size_t i;
		uint64_t id;

		ret = rec_read(q, fd, off, size, &blen);
		if (ret == -EBADMSG)
			break;
		if (ret)
			return ret;
		switch (b[0]) {
		case REC_ENQ:
			if (!enq_valid(b, blen)) {
				skipped++;
				break;
			}
			id = get64(b + ENQ_ID);
			i = find(q, id, &found);
			if (found || !id || id >= ID_MAX || items_reserve(q, q->n + 1)) {
				if (!found && id && id < ID_MAX)
					return -ENOMEM;
				skipped++;
				break;
			}
			it = item_new((const char *)b + ENQ_FIXED, get16(b + ENQ_SLEN),
				      (const char *)b + ENQ_FIXED + get16(b + ENQ_SLEN),
				      get16(b + ENQ_KLEN));
			if (!it)
				return -ENOMEM;
			it->id = id;
			it->attempts = get32(b + ENQ_ATT);
			it->not_before = get64(b + ENQ_NB);
			it->created = get64(b + ENQ_CTIME);
			it->len = get32(b + ENQ_PLEN);
			it->off = off;
			it->rec_len = HDR_LEN + blen;
			memmove(&q->v[i + 1], &q->v[i], (q->n - i) * sizeof(*q->v));
			q->v[i] = it;
			q->n++;
			q->live += it->rec_len;
			if (id >= q->next_id)
				q->next_id = id + 1;
			break;
		case REC_RETRY:
			if (blen < RETRY_BODY) {
				skipped++;
				break;
			}
			i = find(q, get64(b + RETRY_ID), &found);
			if (found) {
				q->v[i]->attempts = get32(b + RETRY_ATT);
				q->v[i]->not_before = get64(b + RETRY_NB);
				q->retried++;
			}
			break;
		case REC_ACK:
		case REC_DROP:
			if (blen < ID_BODY) {
				skipped++;
				break;
			}
			i = find(q, get64(b + ID_ID), &found);
			if (b[0] == REC_DROP)
				q->dropped++;
			if (found) {
				if (b[0] == REC_ACK)
					q->acked++;
				remove_at(q, i);
			}
			break;
		case REC_HEAD:
			skipped++;
			break;
		default:
			/* Whole and checksummed, so written on purpose, by a
			 * newer version: do not touch what we cannot read. */
			errf(err, errlen, "record type %u at offset %" PRIu64 " is unknown", b[0],
			     off);
			return -EPROTONOSUPPORT;
		}
		off += HDR_LEN + blen;
	}
	if (skipped)
		erradd(err, errlen, "%" PRIu64 " malformed records ignored", skipped);
	if (off < size) {
		q->truncated = size - off;
		if (ftruncate(fd, (off_t)off) || fsync(fd))
			q->resync = true; /* the next write rewrites the log instead */
	}
	q->end = off;
	return 0;
}

static void free_items(struct xg_alertq *q)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		free(q->v[i]);
	q->n = 0;
}

static int cmp_desc(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* The numbers of the logs in the directory, highest first; leftover
 * compaction files are removed. *max_seen includes moved-aside logs so a
 * new log never reuses their number. */
static int list_segments(struct xg_alertq *q, uint64_t **nums, size_t *n, uint64_t *max_seen)
{
	size_t cap = 0;
	struct dirent *de;
	DIR *d;
	int dfd = dup(q->dirfd);

	*nums = NULL;
	*n = 0;
	*max_seen = 0;
	if (dfd < 0)
		return -errno;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -errno;
	}
	while ((de = readdir(d))) {
		const char *s = de->d_name;
		char *endp;
		uint64_t num;

		if (strncmp(s, "seg-", 4) || strlen(s) < 4 + 16 + 4)
			continue;
		num = strtoull(s + 4, &endp, 16);
		if (endp != s + 4 + 16 || *endp != '.')
			continue;
		if (num > *max_seen)
			*max_seen = num;
		if (!strcmp(endp, ".tmp")) {
			unlinkat(q->dirfd, s, 0);
		} else if (!strcmp(endp, ".log")) {
			if (grow((void **)nums, &cap, *n + 1, sizeof(**nums))) {
				closedir(d);
				return -ENOMEM;
			}
			(*nums)[(*n)++] = num;
		}
	}
	closedir(d);
	if (*n)
		qsort(*nums, *n, sizeof(**nums), cmp_desc);
	return 0;
}

static int load(struct xg_alertq *q, char *err, size_t errlen)
{
	char name[64], aside[64];
	uint64_t *nums, max_seen;
	size_t n, i;
	int ret;

	ret = list_segments(q, &nums, &n, &max_seen);
	if (ret) {
		errf(err, errlen, "cannot list the queue directory: %s", strerror(-ret));
		return ret;
	}
	for (i = 0; i < n; i++) {
		int fd;

		seg_name(name, sizeof(name), nums[i], "log");
		fd = openat(q->dirfd, name, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			ret = -errno;
			errf(err, errlen, "cannot open %s: %s", name, strerror(-ret));
			break;
		}
		ret = replay(q, fd, err, errlen);
		if (!ret) {
			q->fd = fd;
			q->seg = nums[i];
			break;
		}
		close(fd);
		free_items(q);
		if (ret != -EBADMSG) {
			if (ret == -EPROTONOSUPPORT && !(err && err[0]))
				errf(err, errlen, "%s was written by a newer xdpguard", name);
			else if (ret != -EPROTONOSUPPORT)
				errf(err, errlen, "cannot read %s: %s", name, strerror(-ret));
			break;
		}
		/* The HEAD is synced before the log gets its name, so an
		 * unreadable one is damage: keep it for a human, go on with
		 * the previous log if a crash left one, else start empty. */
		seg_name(aside, sizeof(aside), nums[i], "corrupt");
		if (renameat(q->dirfd, name, q->dirfd, aside)) {
			ret = -errno;
			errf(err, errlen, "cannot move %s aside: %s", name, strerror(-ret));
			break;
		}
		q->quarantined = true;
		erradd(err, errlen, "%s is unreadable, moved to %s", name, aside);
		ret = 0;
	}
	/* Older logs are left by a crash during compaction: the newest wins. */
	for (i++; !ret && i < n; i++) {
		seg_name(name, sizeof(name), nums[i], "log");
		unlinkat(q->dirfd, name, 0);
	}
	free(nums);
	if (ret)
		return ret;
	if (q->truncated)
		erradd(err, errlen, "cut off a torn tail of %" PRIu64 " bytes", q->truncated);
	if (q->fd < 0) {
		q->seg = max_seen;
		if (!q->next_id)
			q->next_id = 1;
		ret = write_segment(q, max_seen + 1);
		if (ret) {
			errf(err, errlen, "cannot create the queue log: %s", strerror(-ret));
			return ret;
		}
	}
	if (q->n > q->capacity) {
		size_t k = q->n - q->capacity;

		ret = ensure_synced(q);
		if (!ret)
			ret = drop_oldest(q, k, true);
		if (ret) {
			errf(err, errlen, "cannot shrink the queue: %s", strerror(-ret));
			return ret;
		}
		erradd(err, errlen, "dropped the %zu oldest events to fit capacity %zu", k,
		       q->capacity);
	}
	return 0;
}

/* Ids this high come only from a damaged log, and would soon run out:
 * number the queued events afresh from 1, in their order, and rewrite the
 * log, so pushes go on and what the log says stays readable. Ids live only
 * in this log, so nothing outside refers to the old ones. */
static int renumber(struct xg_alertq *q, const char *dir, char *err, size_t errlen)
{
	size_t used = err && errlen ? strlen(err) : 0;
	int ret;

	/* The new ids go into the copied records (write_segment): the old
	 * ones are how it finds each event's record in the old log. */
	q->next_id = q->n + 1;
	q->renumbering = true;
	ret = compact_locked(q);
	q->renumbering = false;
	if (err && errlen > used)
		snprintf(
		    err + used, errlen - used,
		    "%s%s: event ids near exhaustion (a damaged log): %zu queued events renumbered",
		    used ? "; " : "", dir, q->n);
	return ret;
}

int xg_alertq_open(struct xg_alertq **qp, const char *dir, size_t capacity, char *err,
		   size_t errlen)
{
	struct xg_alertq *q;
	pthread_condattr_t ca;
	int ret;

	*qp = NULL;
	if (err && errlen)
		err[0] = '\0';
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->fd = -1;
	q->dirfd = -1;
	q->capacity = capacity ? capacity : XG_ALERTQ_DEFAULT_CAPACITY;
	pthread_mutex_init(&q->lock, NULL);
	/* Waits use the monotonic clock: a wall-clock step must not stretch
	 * or cut a worker's timeout. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q->cond, &ca);
	pthread_condattr_destroy(&ca);
	q->buf = malloc(XG_ALERTQ_REC_MAX);
	if (!q->buf) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = xg_mkdir_p(dir, err, errlen);
	if (ret)
		goto fail;
	q->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (q->dirfd < 0) {
		ret = -errno;
		errf(err, errlen, "cannot open %s: %s", dir, strerror(-ret));
		goto fail;
	}
	/* One writer per log: a second one would append at the wrong offset
	 * and cut off the first one's writes as torn. */
	if (flock(q->dirfd, LOCK_EX | LOCK_NB)) {
		ret = errno == EWOULDBLOCK ? -EBUSY : -errno;
		errf(err, errlen, "%s: %s", dir,
		     ret == -EBUSY ? "the alert queue is open in another process or thread"
				   : strerror(-ret));
		goto fail;
	}
	ret = load(q, err, errlen);
	if (!ret && q->next_id > ID_MAX / 2)
		ret = renumber(q, dir, err, errlen);
	if (ret)
		goto fail;
	*qp = q;
	return 0;
fail:
	xg_alertq_close(q);
	return ret;
}

void xg_alertq_close(struct xg_alertq *q)
{
	if (!q)
		return;
	if (q->fd >= 0) {
		/* Acks and retries are not synced as they happen. */
		fdatasync(q->fd);
		close(q->fd);
	}
	if (q->dirfd >= 0)
		close(q->dirfd);
	free_items(q);
	free(q->v);
	free(q->blk);
	free(q->buf);
	pthread_cond_destroy(&q->cond);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

static bool event_ok(const struct xg_alertq_event *e, size_t *slen, size_t *klen)
{
	const char *key = e->dedup_key ? e->dedup_key : "";

	if (!e->sink)
		return false;
	*slen = strnlen(e->sink, XG_ALERTQ_SINK_MAX);
	*klen = strnlen(key, XG_ALERTQ_KEY_MAX);
	return *slen && *slen < XG_ALERTQ_SINK_MAX && *klen < XG_ALERTQ_KEY_MAX &&
	       e->len <= XG_ALERTQ_PAYLOAD_MAX && (e->payload || !e->len) &&
	       name_ok(e->sink, *slen) && name_ok(key, *klen);
}

int xg_alertq_push_many(struct xg_alertq *q, const struct xg_alertq_event *ev, size_t n,
			uint64_t *ids_out, uint64_t *dropped_out)
{
	struct item **fresh = NULL;
	struct wbuf w = {0};
	uint64_t now = realtime_ns(), *offs = NULL;
	size_t i, drops = 0, slen, klen;
	int ret = 0;

	if (dropped_out)
		*dropped_out = 0;
	for (i = 0; i < n; i++)
		if (!event_ok(&ev[i], &slen, &klen))
			return -EINVAL;
	if (!n)
		return 0;
	if (n > q->capacity)
		return -E2BIG;
	fresh = calloc(n, sizeof(*fresh));
	offs = calloc(n, sizeof(*offs));
	if (!fresh || !offs) {
		free(fresh);
		free(offs);
		return -ENOMEM;
	}

	pthread_mutex_lock(&q->lock);
	ret = q->next_id + n > ID_MAX ? -EOVERFLOW : ensure_synced(q);
	if (!ret)
		ret = items_reserve(q, q->n + n);
	if (!ret && q->n + n > q->capacity)
		drops = q->n + n - q->capacity;
	/* The drops and the new events go in one write, so a crash keeps both
	 * or neither and the counter never disagrees with the contents. */
	for (i = 0; !ret && i < drops; i++)
		ret = add_id_rec(&w, REC_DROP, q->v[i]->id);
	for (i = 0; !ret && i < n; i++) {
		const struct xg_alertq_event *e = &ev[i];
		const char *key = e->dedup_key ? e->dedup_key : "";
		size_t start;
		uint8_t *b;

		event_ok(e, &slen, &klen);
		fresh[i] = item_new(e->sink, slen, key, klen);
		b = fresh[i] ? rec_begin(&w, (uint32_t)(ENQ_FIXED + slen + klen + e->len), &start)
			     : NULL;
		if (!b) {
			ret = -ENOMEM;
			break;
		}
		b[0] = REC_ENQ;
		put16(b + ENQ_SLEN, (uint16_t)slen);
		put16(b + ENQ_KLEN, (uint16_t)klen);
		put64(b + ENQ_ID, q->next_id + i);
		put64(b + ENQ_NB, e->not_before_ns);
		put64(b + ENQ_CTIME, now);
		put32(b + ENQ_PLEN, (uint32_t)e->len);
		memcpy(b + ENQ_FIXED, e->sink, slen);
		memcpy(b + ENQ_FIXED + slen, key, klen);
		if (e->len)
			memcpy(b + ENQ_FIXED + slen + klen, e->payload, e->len);
		rec_seal(w.p + start);
		offs[i] = start;
		fresh[i]->id = q->next_id + i;
		fresh[i]->not_before = e->not_before_ns;
		fresh[i]->created = now;
		fresh[i]->len = (uint32_t)e->len;
		fresh[i]->rec_len = (uint32_t)(HDR_LEN + ENQ_FIXED + slen + klen + e->len);
	}
	if (!ret) {
		uint64_t base = q->end;

		ret = append(q, &w, true);
		for (i = 0; !ret && i < n; i++)
			fresh[i]->off = base + offs[i];
	}
	if (!ret) {
		for (i = 0; i < drops; i++)
			remove_at(q, 0);
		q->dropped += drops;
		for (i = 0; i < n; i++) {
			q->v[q->n++] = fresh[i];
			q->live += fresh[i]->rec_len;
			if (ids_out)
				ids_out[i] = fresh[i]->id;
			fresh[i] = NULL;
		}
		q->next_id += n;
		if (dropped_out)
			*dropped_out = drops;
		changed(q);
		maybe_compact(q);
	}
	pthread_mutex_unlock(&q->lock);
	for (i = 0; i < n; i++)
		free(fresh[i]);
	free(fresh);
	free(offs);
	free(w.p);
	return ret;
}

int xg_alertq_push(struct xg_alertq *q, const char *sink, const char *dedup_key,
		   const void *payload, size_t len, uint64_t not_before_ns, uint64_t *id_out,
		   uint64_t *dropped_out)
{
	struct xg_alertq_event e = {
	    .sink = sink,
	    .dedup_key = dedup_key,
	    .payload = payload,
	    .len = len,
	    .not_before_ns = not_before_ns,
	};

	return xg_alertq_push_many(q, &e, 1, id_out, dropped_out);
}

/* Copies event i out of the log. -EBADMSG when its record is damaged. */
static int read_item(struct xg_alertq *q, const struct item *it, struct xg_alert_item *out)
{
	const uint8_t *b = q->buf;
	uint32_t blen;
	int ret = rec_read(q, q->fd, it->off, q->end, &blen);

	if (ret)
		return ret;
	if (b[0] != REC_ENQ || !enq_valid(b, blen) || get64(b + ENQ_ID) != it->id)
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	out->payload = malloc(it->len + 1);
	if (!out->payload)
		return -ENOMEM;
	memcpy(out->payload, b + blen - it->len, it->len);
	((char *)out->payload)[it->len] = '\0';
	out->id = it->id;
	snprintf(out->sink, sizeof(out->sink), "%s", it->sink);
	snprintf(out->dedup_key, sizeof(out->dedup_key), "%s", it->key);
	out->not_before_ns = it->not_before;
	out->created_ns = it->created;
	out->attempts = it->attempts;
	out->len = it->len;
	return 0;
}

static bool same_key(const struct item *a, const struct item *b)
{
	return a->khash == b->khash && !strcmp(a->key, b->key) && !strcmp(a->sink, b->sink);
}

/* An open-addressing set of the (sink, key) pairs that have an older event
 * still queued, so a lease is one pass over the queue even when every event
 * waits for a backoff. */
static bool blk_has(struct item *const *set, size_t mask, const struct item *it)
{
	size_t h;

	for (h = it->khash & mask; set[h]; h = (h + 1) & mask)
		if (same_key(set[h], it))
			return true;
	return false;
}

static void blk_add(struct item **set, size_t mask, struct item *it)
{
	size_t h;

	for (h = it->khash & mask; set[h]; h = (h + 1) & mask)
		if (same_key(set[h], it))
			return;
	set[h] = it;
}

int xg_alertq_lease(struct xg_alertq *q, const char *sink, uint64_t now_ns,
		    struct xg_alert_item *out, uint64_t *next_due_ns)
{
	uint64_t next = UINT64_MAX;
	size_t i = 0, mask;
	bool used = false, damaged = false;
	int ret = -ENOENT;

	pthread_mutex_lock(&q->lock);
	/* Sized for every queued event, so the set never fills up. */
	for (mask = 63; mask < 2 * q->n; mask = mask * 2 + 1)
		;
	if (grow((void **)&q->blk, &q->blk_cap, mask + 1, sizeof(*q->blk))) {
		pthread_mutex_unlock(&q->lock);
		return -ENOMEM;
	}
	while (i < q->n) {
		struct item *it = q->v[i];

		if ((sink && strcmp(it->sink, sink)) ||
		    (used && it->key[0] && blk_has(q->blk, mask, it))) {
			i++;
			continue;
		}
		if (!it->leased && it->not_before <= now_ns) {
			ret = read_item(q, it, out);
			if (!ret) {
				it->leased = true;
				break;
			}
			if (ret != -EBADMSG)
				break;
			if (damaged) {
				ret = -EIO;
				break;
			}
			damaged = true;
			/* Damaged on disk (a record that read back before): it
			 * cannot be delivered. A rewrite drops and counts it,
			 * and keeps open from cutting the log off there. */
			ret = compact_locked(q);
			if (ret)
				break;
			ret = -ENOENT;
			i = 0;
			next = UINT64_MAX;
			used = false;
			continue;
		}
		if (!it->leased && it->not_before < next)
			next = it->not_before;
		if (it->key[0]) {
			if (!used)
				memset(q->blk, 0, (mask + 1) * sizeof(*q->blk));
			used = true;
			blk_add(q->blk, mask, it);
		}
		i++;
	}
	pthread_mutex_unlock(&q->lock);
	if (ret == -ENOENT && next_due_ns)
		*next_due_ns = next;
	return ret;
}

void xg_alertq_item_free(struct xg_alert_item *it)
{
	free(it->payload);
	it->payload = NULL;
	it->len = 0;
}

/* Writes one small record for event i; the event's memory state is
 * already changed, whatever the write does. */
static int write_rec(struct xg_alertq *q, uint8_t type, const struct item *it)
{
	struct wbuf w = {0};
	size_t start;
	uint8_t *b;
	int ret;

	/* A rewrite carries the change already (it is in memory); when it
	 * fails, resync stays set and the next rewrite carries it. */
	if (q->resync)
		return compact_locked(q);
	if (type == REC_RETRY) {
		b = rec_begin(&w, RETRY_BODY, &start);
		if (b) {
			b[0] = REC_RETRY;
			put32(b + RETRY_ATT, it->attempts);
			put64(b + RETRY_ID, it->id);
			put64(b + RETRY_NB, it->not_before);
			rec_seal(w.p + start);
		}
		ret = b ? 0 : -ENOMEM;
	} else {
		ret = add_id_rec(&w, type, it->id);
	}
	if (!ret)
		ret = append(q, &w, false);
	else
		q->resync = true;
	free(w.p);
	return ret;
}

int xg_alertq_ack(struct xg_alertq *q, uint64_t id)
{
	struct item *it;
	bool found;
	size_t i;
	int ret;

	pthread_mutex_lock(&q->lock);
	i = find(q, id, &found);
	if (!found) {
		pthread_mutex_unlock(&q->lock);
		return -ENOENT;
	}
	it = q->v[i];
	/* Memory first: the event was delivered, so it must not be handed
	 * out again in this run even if the ACK cannot be written. */
	q->v[i] = NULL;
	q->live -= it->rec_len;
	memmove(&q->v[i], &q->v[i + 1], (q->n - i - 1) * sizeof(*q->v));
	q->n--;
	q->acked++;
	ret = write_rec(q, REC_ACK, it);
	free(it);
	changed(q);
	maybe_compact(q);
	pthread_mutex_unlock(&q->lock);
	return ret;
}

int xg_alertq_retry(struct xg_alertq *q, uint64_t id, uint64_t not_before_ns)
{
	struct item *it;
	bool found;
	size_t i;
	int ret;

	pthread_mutex_lock(&q->lock);
	i = find(q, id, &found);
	if (!found) {
		pthread_mutex_unlock(&q->lock);
		return -ENOENT;
	}
	it = q->v[i];
	it->attempts++;
	it->not_before = not_before_ns;
	it->leased = false;
	q->retried++;
	ret = write_rec(q, REC_RETRY, it);
	changed(q);
	maybe_compact(q);
	pthread_mutex_unlock(&q->lock);
	return ret;
}

int xg_alertq_release(struct xg_alertq *q, uint64_t id)
{
	bool found;
	size_t i;

	pthread_mutex_lock(&q->lock);
	i = find(q, id, &found);
	if (found) {
		q->v[i]->leased = false;
		changed(q);
	}
	pthread_mutex_unlock(&q->lock);
	return found ? 0 : -ENOENT;
}

uint64_t xg_alertq_gen(struct xg_alertq *q)
{
	uint64_t gen;

	pthread_mutex_lock(&q->lock);
	gen = q->gen;
	pthread_mutex_unlock(&q->lock);
	return gen;
}

int xg_alertq_wait(struct xg_alertq *q, uint64_t gen, int timeout_ms)
{
	struct timespec dl;
	int ret = 0;

	clock_gettime(CLOCK_MONOTONIC, &dl);
	if (timeout_ms > 0) {
		dl.tv_sec += timeout_ms / 1000;
		dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (dl.tv_nsec >= 1000000000L) {
			dl.tv_sec++;
			dl.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&q->lock);
	while (q->gen == gen && ret != ETIMEDOUT) {
		if (timeout_ms < 0)
			pthread_cond_wait(&q->cond, &q->lock);
		else
			ret = pthread_cond_timedwait(&q->cond, &q->lock, &dl);
	}
	ret = q->gen != gen ? 0 : -ETIMEDOUT;
	pthread_mutex_unlock(&q->lock);
	return ret;
}

void xg_alertq_wake(struct xg_alertq *q)
{
	pthread_mutex_lock(&q->lock);
	changed(q);
	pthread_mutex_unlock(&q->lock);
}

int xg_alertq_compact(struct xg_alertq *q)
{
	int ret;

	pthread_mutex_lock(&q->lock);
	ret = compact_locked(q);
	pthread_mutex_unlock(&q->lock);
	return ret;
}

void xg_alertq_stats(struct xg_alertq *q, struct xg_alertq_stats *st)
{
	size_t i;

	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&q->lock);
	st->depth = q->n;
	for (i = 0; i < q->n; i++)
		st->leased += q->v[i]->leased;
	st->capacity = q->capacity;
	st->pushed = q->next_id - 1;
	st->acked = q->acked;
	st->dropped = q->dropped;
	st->retried = q->retried;
	st->disk_bytes = q->end;
	st->live_bytes = q->live;
	st->compactions = q->compactions;
	st->truncated_bytes = q->truncated;
	st->quarantined = q->quarantined;
	pthread_mutex_unlock(&q->lock);
}

size_t xg_alertq_sink_depth(struct xg_alertq *q, const char *sink)
{
	size_t i, n = 0;

	pthread_mutex_lock(&q->lock);
	for (i = 0; i < q->n; i++)
		n += !strcmp(q->v[i]->sink, sink);
	pthread_mutex_unlock(&q->lock);
	return n;
}

int xg_alertq_foreach(struct xg_alertq *q, int (*cb)(const struct xg_alertq_meta *m, void *arg),
		      void *arg)
{
	size_t i;
	int ret = 0;

	pthread_mutex_lock(&q->lock);
	for (i = 0; !ret && i < q->n; i++) {
		const struct item *it = q->v[i];
		struct xg_alertq_meta m = {
		    .id = it->id,
		    .sink = it->sink,
		    .dedup_key = it->key,
		    .not_before_ns = it->not_before,
		    .created_ns = it->created,
		    .attempts = it->attempts,
		    .len = it->len,
		    .leased = it->leased,
		};

		ret = cb(&m, arg);
	}
	pthread_mutex_unlock(&q->lock);
	return ret;
}
