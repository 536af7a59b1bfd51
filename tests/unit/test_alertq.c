// SPDX-License-Identifier: GPL-2.0-only
/* The durable alert queue: order, sinks, backoff, persistence, capacity,
 * torn tails, kill -9, compaction and threads. Temp dirs, no root, and no
 * assert depends on timing: the clock is passed in, kills are counted. */
#include <CUnit/Basic.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alertq.h"
#include "suites.h"

#define ANY UINT64_MAX /* a "now" at which everything is due */

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Deterministic payload bytes for a seed, so a reader can check them
 * without keeping a copy. */
static void fill(uint8_t *buf, size_t len, uint64_t seed)
{
	uint64_t s = seed * 0x9e3779b97f4a7c15ULL + 1;
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)xorshift(&s);
}

static bool payload_is(const struct xg_alert_item *it, size_t len, uint64_t seed)
{
	uint8_t *want = malloc(len ? len : 1);
	bool ok;

	fill(want, len, seed);
	ok = it->len == len && !memcmp(it->payload, want, len);
	free(want);
	return ok;
}

static void tmpdir(char *buf, size_t len)
{
	snprintf(buf, len, "/tmp/xg-alertq-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(buf));
}

/* The queue dir holds files only. */
static void rm_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	rmdir(dir);
}

/* Path of the live log (the only seg-*.log). */
static int seg_path(const char *dir, char *buf, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (!strncmp(de->d_name, "seg-", 4) && l > 4 &&
		    !strcmp(de->d_name + l - 4, ".log")) {
			snprintf(buf, len, "%s/%s", dir, de->d_name);
			n++;
		}
	}
	closedir(d);
	return n;
}

static int count_files(const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name), s = strlen(suffix);

		n += l > s && !strcmp(de->d_name + l - s, suffix);
	}
	closedir(d);
	return n;
}

static off_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : st.st_size;
}

/* Opens a queue that needs no recovery: open reports none. */
static struct xg_alertq *open_q(const char *dir, size_t cap)
{
	struct xg_alertq *q = NULL;
	char err[256];
	int ret = xg_alertq_open(&q, dir, cap, err, sizeof(err));

	if (ret || err[0])
		fprintf(stderr, "alertq open: %s\n", err);
	CU_ASSERT_EQUAL(ret, 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	return q;
}

static uint64_t push_seeded(struct xg_alertq *q, const char *sink, const char *key, size_t len,
			    uint64_t seed, uint64_t nb)
{
	uint8_t *buf = malloc(len ? len : 1);
	uint64_t id = 0, dropped = 99;

	fill(buf, len, seed);
	CU_ASSERT_EQUAL(xg_alertq_push(q, sink, key, buf, len, nb, &id, &dropped), 0);
	CU_ASSERT_EQUAL(dropped, 0);
	free(buf);
	return id;
}

static uint64_t lease_id(struct xg_alertq *q, const char *sink, uint64_t now)
{
	struct xg_alert_item it;
	uint64_t id;

	if (xg_alertq_lease(q, sink, now, &it, NULL))
		return 0;
	id = it.id;
	xg_alertq_item_free(&it);
	return id;
}

static void test_crc(void)
{
	CU_ASSERT_EQUAL(xg_crc32(0, "123456789", 9), 0xcbf43926u);
	CU_ASSERT_EQUAL(xg_crc32(xg_crc32(0, "1234", 4), "56789", 5), 0xcbf43926u);
	CU_ASSERT_EQUAL(xg_crc32(0, "", 0), 0);
}

static void test_order(void)
{
	struct xg_alertq_stats st;
	struct xg_alert_item it;
	char dir[64];
	uint64_t ids[5], due = 0;
	struct xg_alertq *q;
	int i;

	tmpdir(dir, sizeof(dir));
	q = open_q(dir, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	for (i = 0; i < 5; i++)
		ids[i] = push_seeded(q, "slack", NULL, 100 + (size_t)i, (uint64_t)i, 0);
	CU_ASSERT_EQUAL(ids[0], 1);
	CU_ASSERT_EQUAL(ids[4], 5);

	/* Oldest first; a leased event is not handed out again. */
	CU_ASSERT_EQUAL_FATAL(xg_alertq_lease(q, "slack", 0, &it, NULL), 0);
	CU_ASSERT_EQUAL(it.id, ids[0]);
	CU_ASSERT_STRING_EQUAL(it.sink, "slack");
	CU_ASSERT_STRING_EQUAL(it.dedup_key, "");
	CU_ASSERT_EQUAL(it.attempts, 0);
	CU_ASSERT_TRUE(payload_is(&it, 100, 0));
	xg_alertq_item_free(&it);
	CU_ASSERT_EQUAL(lease_id(q, "slack", 0), ids[1]);
	CU_ASSERT_EQUAL(xg_alertq_ack(q, ids[0]), 0);
	CU_ASSERT_EQUAL(xg_alertq_ack(q, ids[0]), -ENOENT);
	/* Released, it is the oldest again. */
	CU_ASSERT_EQUAL(xg_alertq_release(q, ids[1]), 0);
	CU_ASSERT_EQUAL(lease_id(q, "slack", 0), ids[1]);
	xg_alertq_stats(q, &st);
	CU_ASSERT_EQUAL(st.depth, 4);
	CU_ASSERT_EQUAL(st.leased, 1);
	for (i = 1; i < 5; i++) {
		if (i > 1)
			CU_ASSERT_EQUAL(lease_id(q, "slack", 0), ids[i]);
		CU_ASSERT_EQUAL(xg_alertq_ack(q, ids[i]), 0);
	}
	CU_ASSERT_EQUAL(xg_alertq_lease(q, "slack", 0, &it, &due), -ENOENT);
	CU_ASSERT_EQUAL(due, UINT64_MAX);
	xg_alertq_stats(q, &st);
	CU_ASSERT_EQUAL(st.depth, 0);
	CU_ASSERT_EQUAL(st.pushed, 5);
	CU_ASSERT_EQUAL(st.acked, 5);
	CU_ASSERT_EQUAL(st.dropped, 0);
	xg_alertq_close(q);
	rm_dir(dir);
}

static void test_bad_input(void)
{
	char dir[64], big[XG_ALERTQ_KEY_MAX + 1];
	struct xg_alertq *q, *q2 = NULL;
	uint8_t *pl = calloc(1, XG_ALERTQ_PAYLOAD_MAX + 1);
	uint64_t id;

	tmpdir(dir, sizeof(dir));
	q = open_q(dir, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CU_ASSERT_EQUAL(xg_alertq_push(q, NULL, NULL, "x", 1, 0, &id, NULL), -EINVAL);
	CU_ASSERT_EQUAL(xg_alertq_push(q, "", NULL, "x", 1, 0, &id, NULL), -EINVAL);
	CU_ASSERT_EQUAL(xg_alertq_push(q, "a\nb", NULL, "x", 1, 0, &id, NULL), -EINVAL);
	CU_ASSERT_EQUAL(xg_alertq_push(q, "s", big, "x", 1, 0, &id, NULL), -EINVAL);
	CU_ASSERT_EQUAL(xg_alertq_push(q, "s", NULL, NULL, 1, 0, &id, NULL), -EINVAL);
	CU_ASSERT_EQUAL(xg_alertq_push(q, "s", NULL, pl, XG_ALERTQ_PAYLOAD_MAX + 1, 0, &id, NULL),
			-EINVAL);
	/* 64 KiB exactly and empty are fine. */
	CU_ASSERT_EQUAL(xg_alertq_push(q, "s", NULL, pl, XG_ALERTQ_PAYLOAD_MAX, 0, &id, NULL), 0);
	CU_ASSERT_EQUAL(xg_alertq_push(q, "s", NULL, NULL, 0, 0, &id, NULL), 0);
	CU_ASSERT_EQUAL(xg_alertq_ack(q, 12345), -ENOENT);
	CU_ASSERT_EQUAL(xg_alertq_retry(q, 12345, 0), -ENOENT);
	CU_ASSERT_EQUAL(xg_alertq_release(q, 12345), -ENOENT);

	/* One writer per directory, in this process as in another. */
	{
		char err[256];

		CU_ASSERT_EQUAL(xg_alertq_open(&q2, dir, 0, err, sizeof(err)), -EBUSY);
		CU_ASSERT_PTR_NULL(q2);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "another"));
	}
	xg_alertq_close(q);
	q2 = open_q(dir, 0);
	xg_alertq_close(q2);
	free(pl);
	rm_dir(dir);
}

static void test_sinks(void)
{
	char dir[64];
	struct xg_alertq *q;
	uint64_t a1, b1, a2, b2;

	tmpdir(dir, sizeof(dir));
	q = open_q(dir, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	a1 = push_seeded(q, "a", NULL, 10, 1, 0);
	b1 = push_seeded(q, "b", NULL, 10, 2, 0);
	a2 = push_seeded(q, "a", NULL, 10, 3, 0);
	b2 = push_seeded(q, "b", NULL, 10, 4, 0);
	CU_ASSERT_EQUAL(xg_alertq_sink_depth(q, "a"), 2);
	CU_ASSERT_EQUAL(xg_alertq_sink_depth(q, "b"), 2);
	CU_ASSERT_EQUAL(xg_alertq_sink_depth(q, "c"), 0);
	CU_ASSERT_EQUAL(lease_id(q, "b", 0), b1);
	CU_ASSERT_EQUAL(lease_id(q, "a", 0), a1);
	CU_ASSERT_EQUAL(lease_id(q, "c", 0), 0);
	/* Any sink: the oldest not leased. */
	CU_ASSERT_EQUAL(lease_id(q, NULL, 0), a2);
	CU_ASSERT_EQUAL(lease_id(q, "b", 0), b2);
	CU_ASSERT_EQUAL(lease_id(q, NULL, 0), 0);
	CU_ASSERT_EQUAL(xg_alertq_ack(q, b1), 0);
	CU_ASSERT_EQUAL(xg_alertq_sink_depth(q, "a"), 2);
	CU_ASSERT_EQUAL(xg_alertq_sink_depth(q, "b"), 1);
	xg_alertq_close(q);
	rm_dir(dir);
}

static void test_not_before(void)
{
	struct xg_alert_item it;
	char dir[64];
	struct xg_alertq *q;
	uint64_t x, y, due = 0;

	tmpdir(dir, sizeof(dir));
	q = open_q(dir, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	x = push_seeded(q, "s", NULL, 10, 1, 1000);
	y = push_seeded(q, "s", NULL, 10, 2, 0);
	/* The older one waits: the younger, due one goes first. */
	CU_ASSERT_EQUAL(lease_id(q, "s", 500), y);
	CU_ASSERT_EQUAL(xg_alertq_lease(q, "s", 500, &it, &due), -ENOENT);
	CU_ASSERT_EQUAL(due, 1000);
	CU_ASSERT_EQUAL(xg_alertq_lease(q, "s", 999, &it, &due), -ENOENT);
	CU_ASSERT_EQUAL(lease_id(q, "s", 1000), x);
	xg_alertq_close(q);
	rm_dir(dir);
}

/* A "resolve" never overtakes its "trigger": same sink and key go in push
 * order, while other keys are not held up. */
static void test_key_order(void)
{
	struct xg_alert_item it;
	char dir[64];
	struct xg_alertq *q;
	uint64_t t1, r1, t2, other, due = 0;

	tmpdir(dir, sizeof(dir));
	q = open_q(dir, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	t1 = push_seeded(q, "pd", "inc-1", 10, 1, 0);
	r1 = push_seeded(q, "pd", "inc-1", 10, 2, 0);
	t2 = push_seeded(q, "pd", "inc-2", 10, 3, 0);
	other = push_seeded(q, "slack", "inc-1", 10, 4, 0);
	CU_ASSERT_EQUAL(lease_id(q, "pd", 0), t1);
	CU_ASSERT_EQUAL(lease_id(q, "pd", 0), t2);
	CU_ASSERT_EQUAL(lease_id(q, "pd", 0), 0);
	/* Same key, other sink: independent. */
	CU_ASSERT_EQUAL(lease_id(q, "slack", 0), other);
	/* The trigger backs off: the resolve still waits behind it. */
	CU_ASSERT_EQUAL(xg_alertq_retry(q, t1, 2000), 0);
	CU_ASSERT_EQUAL(xg_alertq_lease(q, "pd", 1000, &it, &due), -ENOENT);
	CU_ASSERT_EQUAL(due, 2000);
	CU_ASSERT_EQUAL_FATAL(xg_alertq_lease(q, "pd", 2000, &it, NULL), 0);
	CU_ASSERT_EQUAL(it.id, t1);
	CU_ASSERT_EQUAL(it.attempts, 1);
	CU_ASSERT_STRING_EQUAL(it.dedup_key, "inc-1");
	xg_alertq_item_free(&it);
	CU_ASSERT_EQUAL(lease_id(q, "pd", 2000), 0);
	CU_ASSERT_EQUAL(xg_alertq_ack(q, t1), 0);
	CU_ASSERT_EQUAL(lease_id(q, "pd", 2000), r1);
	xg_alertq_close(q);
	rm_dir(dir);
}

static void test_retry_persists(void)
{
	struct xg_alertq_stats st;
	struct xg_alert_item it;
	char dir[64];
	struct xg_alertq *q;
	uint64_t id, due = 0;

	tmpdir(dir, sizeof(dir));
	q = open_q(dir, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	id = push_seeded(q, "webhook", "k", 300, 7, 0);
	CU_ASSERT_EQUAL(lease_id(q, "webhook", 0), id);
	CU_ASSERT_EQUAL(xg_alertq_retry(q, id, 3000), 0);
	CU_ASSERT_EQUAL(lease_id(q, "webhook", 3000), id);
	CU_ASSERT_EQUAL(xg_alertq_retry(q, id, 5000), 0);
	xg_alertq_close(q);

	q = open_q(dir, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_EQUAL(xg_alertq_lease(q, "webhook", 4999, &it, &due), -ENOENT);
	CU_ASSERT_EQUAL(due, 5000);
	CU_ASSERT_EQUAL_FATAL(xg_alertq_lease(q, "webhook", 5000, &it, NULL), 0);
	CU_ASSERT_EQUAL(it.id, id);
	CU_ASSERT_EQUAL(it.attempts, 2);
	CU_ASSERT_EQUAL(it.not_before_ns, 5000);
	CU_ASSERT_TRUE(payload_is(&it, 300, 7));
	xg_alertq_item_free(&it);
	xg_alertq_stats(q, &st);
	CU_ASSERT_EQUAL(st.retried, 2);
	xg_alertq_close(q);
	rm_dir(dir);
}

struct collect {
	uint64_t ids[256];
	uint32_t attempts[256];
	int n;
};

static int collect_cb(const struct xg_alertq_meta *m, void *arg)
{
	struct collect *c = arg;

	if (c->n < 256) {
		c->attempts[c->n] = m->attempts;
		c->ids[c->n++] = m->id;
	}
	return 0;
}

/* Sizes that cover empty, small, odd and the 64 KiB maximum. */
static size_t size_of(uint64_t id)
{
	static const size_t sizes[] = {0, 1, 17, 300, 4095, 4096, 20000, XG_ALERTQ_PAYLOAD_MAX};

	return sizes[id % 8] + (id % 8 && id % 8 < 7 ? id % 5 : 0);
}

/* Checks that the queue holds exactly want[0..n) (with the payloads of
 * push_seeded(.., size_of(id), id, ..)) by leasing and acking everything. */
static void drain_expect(struct xg_alertq *q, const uint64_t *want, int n)
{
	struct collect c = {0};
	struct xg_alert_item it;
	int i, bad = 0;

	xg_alertq_foreach(q, collect_cb, &c);
	CU_ASSERT_EQUAL(c.n, n);
	for (i = 0; i < n && i < c.n; i++)
		bad += c.ids[i] != want[i];
	CU_ASSERT_EQUAL(bad, 0);
	for (i = 0; i < n; i++) {
		if (xg_alertq_lease(q, NULL, ANY, &it, NULL)) {
			bad++;
			break;
		}
		bad += it.id != want[i] || !payload_is(&it, size_of(it.id), it.id);
		CU_ASSERT_EQUAL(xg_alertq_ack(q, it.id), 0);
		xg_alertq_item_free(&it);
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(lease_id(q, NULL, ANY), 0);
}

static void test_reopen(void)
{
	char dir[64], sink[8], key[16];
	struct xg_alertq_stats st;
	uint64_t want[64];
	struct xg_alertq *q;
	int i, n = 0;

	tmpdir(dir, sizeof(dir));
	q = open_q(dir, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	for (i = 1; i <= 48; i++) {
		uint64_t id;

		snprintf(sink, sizeof(sink), "s%d", i % 3);
		snprintf(key, sizeof(key), i % 2 ? "" : "inc-%d", i % 5);
		id = push_seeded(q, sink, key, size_of((uint64_t)i), (uint64_t)i, 0);
		CU_ASSERT_EQUAL(id, (uint64_t)i);
	}
	/* Ack every third; lease some others without acking: leases do not
	 * survive a restart, the events do. */
	for (i = 1; i <= 48; i++) {
		if (i % 3 == 0) {
			CU_ASSERT_EQUAL(xg_alertq_ack(q, (uint64_t)i), 0);
		} else {
			want[n++] = (uint64_t)i;
		}
	}
	CU_ASSERT_NOT_EQUAL(lease_id(q, "s1", 0), 0);
	CU_ASSERT_NOT_EQUAL(lease_id(q, "s2", 0), 0);
	xg_alertq_close(q);

	q = open_q(dir, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	xg_alertq_stats(q, &st);
	CU_ASSERT_EQUAL(st.depth, (size_t)n);
	CU_ASSERT_EQUAL(st.leased, 0);
	CU_ASSERT_EQUAL(st.pushed, 48);
	CU_ASSERT_EQUAL(st.acked, 16);
	CU_ASSERT_EQUAL(st.truncated_bytes, 0);
	drain_expect(q, want, n);
	xg_alertq_close(q);

	/* Ids are never reused, even with the queue empty. */
	q = open_q(dir, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_EQUAL(push_seeded(q, "s", NULL, 1, 1, 0), 49);
	xg_alertq_close(q);
	rm_dir(dir);
}

static void test_capacity(void)
{
	struct xg_alertq_event ev[128];
	struct xg_alertq_stats st;
	uint64_t ids[128], dropped, id;
	char dir[64], err[256], pl[16];
	struct xg_alertq *q;
	size_t i, j, total = 0, single_drops = 0;

	tmpdir(dir, sizeof(dir));
	q = open_q(dir, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	/* Fill it in batches (one sync each), then 100 more one by one. */
	memset(pl, 'x', sizeof(pl));
	for (i = 0; i < XG_ALERTQ_DEFAULT_CAPACITY / 128; i++) {
		for (j = 0; j < 128; j++)
			ev[j] = (struct xg_alertq_event){.sink = "s", .payload = pl, .len = 16};
		CU_ASSERT_EQUAL(xg_alertq_push_many(q, ev, 128, ids, &dropped), 0);
		CU_ASSERT_EQUAL(dropped, 0);
		CU_ASSERT_EQUAL(ids[127], (i + 1) * 128);
	}
	for (i = 0; i < 100; i++) {
		CU_ASSERT_EQUAL(xg_alertq_push(q, "s", NULL, pl, 16, 0, &id, &dropped), 0);
		total += dropped;
		single_drops += dropped == 1;
	}
	CU_ASSERT_EQUAL(total, 100);
	CU_ASSERT_EQUAL(single_drops, 100);
	xg_alertq_stats(q, &st);
	CU_ASSERT_EQUAL(st.depth, 4096);
	CU_ASSERT_EQUAL(st.dropped, 100);
	CU_ASSERT_EQUAL(lease_id(q, "s", 0), 101);
	CU_ASSERT_EQUAL(xg_alertq_push_many(q, ev, 128, NULL, NULL), 0);
	xg_alertq_close(q);

	/* The count survives a restart, and the oldest are still the ones
	 * gone; a batch larger than the queue is refused. */
	q = open_q(dir, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	xg_alertq_stats(q, &st);
	CU_ASSERT_EQUAL(st.depth, 4096);
	CU_ASSERT_EQUAL(st.dropped, 228);
	CU_ASSERT_EQUAL(st.pushed, 4096 + 100 + 128);
	CU_ASSERT_EQUAL(st.pushed, st.depth + st.acked + st.dropped);
	CU_ASSERT_EQUAL(lease_id(q, "s", 0), 229);
	xg_alertq_close(q);

	/* A smaller capacity at open drops the excess, oldest first. */
	CU_ASSERT_EQUAL(xg_alertq_open(&q, dir, 4000, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "dropped the 96 oldest"));
	xg_alertq_stats(q, &st);
	CU_ASSERT_EQUAL(st.depth, 4000);
	CU_ASSERT_EQUAL(st.dropped, 228 + 96);
	CU_ASSERT_EQUAL(lease_id(q, "s", 0), 229 + 96);
	xg_alertq_close(q);

	CU_ASSERT_EQUAL(xg_alertq_open(&q, dir, 64, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_EQUAL(xg_alertq_push_many(q, ev, 65, NULL, NULL), -E2BIG);
	xg_alertq_stats(q, &st);
	CU_ASSERT_EQUAL(st.depth, 64);
	CU_ASSERT_EQUAL(st.pushed, st.depth + st.acked + st.dropped);
	xg_alertq_close(q);
	rm_dir(dir);
}

/* The torn-tail test's history: the file size after each operation and
 * what it did. */
enum { OP_PUSH, OP_ACK, OP_RETRY };
struct op {
	off_t end;
	int type;
	uint64_t id;
};

/* The events that must be queued when the log is cut at cut: every
 * operation whose record ended at or before it. *last is the last id
 * pushed by then: ids of pushes that never completed are used again. */
static int expected_at(const struct op *ops, int nops, off_t cut, uint64_t *want, off_t *good,
		       uint64_t *last)
{
	int i, j, n = 0;

	*good = ops[0].end; /* the HEAD */
	*last = 0;
	for (i = 1; i < nops && ops[i].end <= cut; i++) {
		*good = ops[i].end;
		if (ops[i].type == OP_PUSH) {
			want[n++] = ops[i].id;
			*last = ops[i].id;
		} else if (ops[i].type == OP_ACK) {
			for (j = 0; j < n && want[j] != ops[i].id; j++)
				;
			if (j < n) {
				memmove(&want[j], &want[j + 1],
					(size_t)(n - j - 1) * sizeof(*want));
				n--;
			}
		}
	}
	return n;
}

static void write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

static void test_torn_tail(void)
{
	char dir[64], cdir[64], path[256], cpath[320], name[64], err[256];
	struct op ops[80];
	uint64_t want[64], seed = 42;
	struct xg_alertq *q;
	int nops = 0, i, cut_i, bad_files = 0, ri = 0;
	uint8_t *orig;
	off_t size;

	/* A history of pushes of all sizes, acks and a retry. */
	tmpdir(dir, sizeof(dir));
	q = open_q(dir, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_EQUAL_FATAL(seg_path(dir, path, sizeof(path)), 1);
	ops[nops++] = (struct op){file_size(path), OP_PUSH, 0};
	for (i = 1; i <= 40; i++) {
		uint64_t id = push_seeded(q, i % 2 ? "a" : "b", i % 4 ? "" : "k",
					  size_of((uint64_t)i), (uint64_t)i, 0);

		ops[nops++] = (struct op){file_size(path), OP_PUSH, id};
		if (i % 5 == 0) {
			CU_ASSERT_EQUAL(xg_alertq_ack(q, id - 2), 0);
			ops[nops++] = (struct op){file_size(path), OP_ACK, id - 2};
		}
		if (i == 21) {
			CU_ASSERT_EQUAL(xg_alertq_retry(q, 20, 0), 0);
			ri = nops;
			ops[nops++] = (struct op){file_size(path), OP_RETRY, 20};
		}
	}
	xg_alertq_close(q);
	size = file_size(path);
	CU_ASSERT_EQUAL_FATAL(size, ops[nops - 1].end);
	orig = malloc((size_t)size);
	{
		int fd = open(path, O_RDONLY);

		CU_ASSERT_EQUAL_FATAL(read(fd, orig, (size_t)size), size);
		close(fd);
	}
	snprintf(name, sizeof(name), "%s", strrchr(path, '/') + 1);

	/* 50 cuts at random offsets (fixed seed), a few on the boundaries.
	 * The tail after the cut is gone, or garbage, or zeros (a crash
	 * that extended the file but did not write its blocks). */
	for (cut_i = 0; cut_i < 50; cut_i++) {
		struct xg_alertq_stats st;
		uint64_t last, fresh;
		off_t cut, good;
		int n, tail = cut_i % 3;

		if (cut_i < 5)
			cut = ops[(cut_i * 7) % nops].end - (cut_i % 2);
		else
			cut = ops[0].end + (off_t)(xorshift(&seed) % (uint64_t)(size - ops[0].end));
		if (cut < ops[0].end)
			cut = ops[0].end;
		n = expected_at(ops, nops, cut, want, &good, &last);

		tmpdir(cdir, sizeof(cdir));
		snprintf(cpath, sizeof(cpath), "%s/%s", cdir, name);
		if (tail == 0) {
			write_file(cpath, orig, (size_t)cut);
		} else {
			uint8_t *buf = malloc((size_t)size);
			off_t k;

			memcpy(buf, orig, (size_t)cut);
			for (k = cut; k < size; k++)
				buf[k] = tail == 1 ? (uint8_t)xorshift(&seed) : 0;
			write_file(cpath, buf, (size_t)size);
			free(buf);
		}
		CU_ASSERT_EQUAL(xg_alertq_open(&q, cdir, 0, err, sizeof(err)), 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(q);
		xg_alertq_stats(q, &st);
		CU_ASSERT_EQUAL(st.depth, (size_t)n);
		CU_ASSERT_EQUAL(st.truncated_bytes, (uint64_t)((tail ? size : cut) - good));
		CU_ASSERT_EQUAL(file_size(cpath), good);
		CU_ASSERT_FALSE(st.quarantined);
		/* The retried event kept its attempt when the RETRY survived. */
		{
			struct collect c = {0};

			xg_alertq_foreach(q, collect_cb, &c);
			for (i = 0; i < c.n; i++)
				if (c.ids[i] == 20)
					CU_ASSERT_EQUAL(c.attempts[i], cut >= ops[ri].end ? 1 : 0);
		}
		/* Appending after the cut works and survives a reopen. */
		fresh = push_seeded(q, "a", NULL, size_of(99), 99, 0);
		CU_ASSERT_EQUAL(fresh, last + 1);
		xg_alertq_close(q);
		q = open_q(cdir, 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(q);
		/* Not drain_expect: the new event is seeded 99, not by id. */
		{
			struct xg_alert_item it;
			int k, bad = 0;

			for (k = 0; k < n; k++) {
				if (xg_alertq_lease(q, NULL, ANY, &it, NULL)) {
					bad++;
					break;
				}
				bad += it.id != want[k] || !payload_is(&it, size_of(it.id), it.id);
				xg_alertq_ack(q, it.id);
				xg_alertq_item_free(&it);
			}
			CU_ASSERT_EQUAL(bad, 0);
			CU_ASSERT_EQUAL_FATAL(xg_alertq_lease(q, NULL, ANY, &it, NULL), 0);
			CU_ASSERT_EQUAL(it.id, fresh);
			CU_ASSERT_TRUE(payload_is(&it, size_of(99), 99));
			xg_alertq_item_free(&it);
			CU_ASSERT_EQUAL(lease_id(q, NULL, ANY), 0);
		}
		xg_alertq_close(q);
		bad_files += count_files(cdir, ".corrupt");
		rm_dir(cdir);
	}
	CU_ASSERT_EQUAL(ops[ri].type, OP_RETRY);
	CU_ASSERT_EQUAL(bad_files, 0);
	free(orig);
	rm_dir(dir);
}

/* A damaged HEAD is moved aside (alerts keep flowing); a log from a newer
 * format is refused and left alone. */
static void test_bad_head(void)
{
	char dir[64], path[256], err[256];
	struct xg_alertq_stats st;
	struct xg_alertq *q;
	uint8_t rec[12 + 44] = {0};
	uint32_t crc;

	tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/seg-0000000000000003.log", dir);
	write_file(path, "this is not a queue log", 23);
	CU_ASSERT_EQUAL(xg_alertq_open(&q, dir, 0, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "unreadable"));
	xg_alertq_stats(q, &st);
	CU_ASSERT_TRUE(st.quarantined);
	CU_ASSERT_EQUAL(st.depth, 0);
	CU_ASSERT_EQUAL(push_seeded(q, "s", NULL, 10, 1, 0), 1);
	xg_alertq_close(q);
	CU_ASSERT_EQUAL(count_files(dir, ".corrupt"), 1);
	CU_ASSERT_EQUAL(seg_path(dir, path, sizeof(path)), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(path, "seg-0000000000000004.log"));
	rm_dir(dir);

	/* A whole, checksummed HEAD of version 2. */
	tmpdir(dir, sizeof(dir));
	rec[0] = 0x58, rec[1] = 0x47, rec[2] = 0x41, rec[3] = 0x51;
	rec[4] = 44;
	rec[12] = 1;
	rec[13] = 2;
	crc = xg_crc32(xg_crc32(0, rec + 4, 4), rec + 12, 44);
	rec[8] = (uint8_t)crc, rec[9] = (uint8_t)(crc >> 8);
	rec[10] = (uint8_t)(crc >> 16), rec[11] = (uint8_t)(crc >> 24);
	snprintf(path, sizeof(path), "%s/seg-0000000000000001.log", dir);
	write_file(path, rec, sizeof(rec));
	CU_ASSERT_EQUAL(xg_alertq_open(&q, dir, 0, err, sizeof(err)), -EPROTONOSUPPORT);
	CU_ASSERT_PTR_NULL(q);
	CU_ASSERT_EQUAL(file_size(path), (off_t)sizeof(rec));
	CU_ASSERT_EQUAL(count_files(dir, ".corrupt"), 0);
	rm_dir(dir);
}

/* A HEAD whose next id is past half the id space (only damage puts it
 * there) is renumbered at open: the queued events keep their payloads and
 * order with ids 1, 2, ..., and the next open finds a clean log. The first
 * version renumbered the events but then could not find their records by
 * the new ids and dropped them all. */
/* Sets the next id in the live log's HEAD (the first record: 12 bytes of
 * magic, length and CRC, then type, version, 2 bytes, the next id). */
static void patch_next_id(const char *dir, uint64_t next_id)
{
	char path[256];
	uint32_t crc, len;
	uint8_t *log;
	off_t size;
	FILE *f;
	int i;

	CU_ASSERT_EQUAL_FATAL(seg_path(dir, path, sizeof(path)), 1);
	size = file_size(path);
	log = malloc((size_t)size);
	f = fopen(path, "rb");
	CU_ASSERT_FATAL(f && fread(log, 1, (size_t)size, f) == (size_t)size);
	fclose(f);
	for (i = 0; i < 8; i++)
		log[16 + i] = (uint8_t)(next_id >> (8 * i));
	len = (uint32_t)log[4] | (uint32_t)log[5] << 8 | (uint32_t)log[6] << 16 |
	      (uint32_t)log[7] << 24;
	crc = xg_crc32(xg_crc32(0, log + 4, 4), log + 12, len);
	log[8] = (uint8_t)crc, log[9] = (uint8_t)(crc >> 8);
	log[10] = (uint8_t)(crc >> 16), log[11] = (uint8_t)(crc >> 24);
	write_file(path, log, (size_t)size);
	free(log);
}

/* A HEAD whose next id is past half the id space (only damage puts it
 * there) is renumbered at open: the queued events keep their payloads and
 * order with ids 1, 2, ..., and the next open finds a clean log. The first
 * version renumbered the events and then looked for their records under
 * the new ids, found none and dropped them all. */
static void test_renumber(void)
{
	const uint64_t high = 1ULL << 61; /* under the mark: a normal open */
	char dir[64], err[256];
	struct xg_alert_item it;
	struct xg_alertq_stats st;
	struct xg_alertq *q;

	tmpdir(dir, sizeof(dir));
	q = open_q(dir, 0);
	xg_alertq_close(q);
	patch_next_id(dir, high);
	q = open_q(dir, 0);
	CU_ASSERT_EQUAL(push_seeded(q, "s", "k", 100, 7, 0), high);
	CU_ASSERT_EQUAL(push_seeded(q, "s", "k", 200, 8, 0), high + 1);
	xg_alertq_close(q);
	patch_next_id(dir, (1ULL << 62) + 5); /* past the mark */

	CU_ASSERT_EQUAL(xg_alertq_open(&q, dir, 0, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "2 queued events renumbered"));
	xg_alertq_stats(q, &st);
	CU_ASSERT_EQUAL(st.depth, 2);
	CU_ASSERT_EQUAL(st.dropped, 0);
	CU_ASSERT_EQUAL_FATAL(xg_alertq_lease(q, "s", 1, &it, NULL), 0);
	CU_ASSERT_EQUAL(it.id, 1);
	CU_ASSERT_TRUE(payload_is(&it, 100, 7));
	CU_ASSERT_EQUAL(xg_alertq_ack(q, it.id), 0);
	xg_alertq_item_free(&it);
	CU_ASSERT_EQUAL(push_seeded(q, "s", "k", 10, 9, 0), 3);
	xg_alertq_close(q);
	q = open_q(dir, 0); /* clean: no message */
	CU_ASSERT_EQUAL_FATAL(xg_alertq_lease(q, "s", 1, &it, NULL), 0);
	CU_ASSERT_EQUAL(it.id, 2);
	CU_ASSERT_TRUE(payload_is(&it, 200, 8));
	xg_alertq_item_free(&it);
	xg_alertq_close(q);
	rm_dir(dir);
}

/* A record damaged on disk after it was written (bit rot) cannot be
 * delivered: lease drops and counts it and goes on with the next one. */
static void test_damaged_record(void)
{
	char dir[64], path[256];
	struct xg_alertq_stats st;
	struct xg_alertq *q;
	uint64_t a, b, c;
	off_t mid;
	int fd;

	tmpdir(dir, sizeof(dir));
	q = open_q(dir, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_EQUAL_FATAL(seg_path(dir, path, sizeof(path)), 1);
	a = push_seeded(q, "s", NULL, 100, 1, 0);
	mid = file_size(path) + 150; /* inside b's payload */
	b = push_seeded(q, "s", NULL, 300, 2, 0);
	c = push_seeded(q, "s", NULL, 100, 3, 0);
	fd = open(path, O_WRONLY);
	CU_ASSERT_EQUAL(pwrite(fd, "\xff\xfe", 2, mid), 2);
	close(fd);
	CU_ASSERT_EQUAL(lease_id(q, "s", 0), a);
	CU_ASSERT_EQUAL(lease_id(q, "s", 0), c);
	xg_alertq_stats(q, &st);
	CU_ASSERT_EQUAL(st.dropped, 1);
	CU_ASSERT_EQUAL(st.depth, 2);
	CU_ASSERT_EQUAL(xg_alertq_ack(q, b), -ENOENT);
	xg_alertq_close(q);
	/* The rewrite removed it, so open finds nothing to cut. */
	q = open_q(dir, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	xg_alertq_stats(q, &st);
	CU_ASSERT_EQUAL(st.depth, 2);
	CU_ASSERT_EQUAL(st.dropped, 1);
	CU_ASSERT_EQUAL(st.truncated_bytes, 0);
	xg_alertq_close(q);
	rm_dir(dir);
}

/* The child of the kill -9 test: pushes until killed, reporting each id on
 * the pipe only after push returned. Payloads are seeded by id. */
static void kill_child(const char *dir, int wfd)
{
	struct xg_alertq *q;
	char err[256];
	uint64_t i;

	if (xg_alertq_open(&q, dir, 1 << 15, err, sizeof(err)))
		_exit(2);
	for (i = 0; i < 20000; i++) {
		struct xg_alertq_stats st;
		uint8_t buf[5000];
		uint64_t id;
		size_t len;

		xg_alertq_stats(q, &st);
		id = st.pushed + 1;
		len = (size_t)(id * 37 % sizeof(buf));
		fill(buf, len, id);
		if (xg_alertq_push(q, "s", id % 3 ? NULL : "k", buf, len, 0, &id, NULL))
			_exit(3);
		if (write(wfd, &id, sizeof(id)) != sizeof(id))
			_exit(4);
	}
	_exit(0);
}

static int kill_round(const char *dir, int after, uint8_t *reported, size_t max)
{
	int p[2], got = 0, status;
	uint64_t id;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(p[0]);
		kill_child(dir, p[1]);
	}
	close(p[1]);
	while (got < after && read(p[0], &id, sizeof(id)) == sizeof(id)) {
		if (id < max)
			reported[id] = 1;
		got++;
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	/* Ids written before the kill are reported too. */
	while (read(p[0], &id, sizeof(id)) == sizeof(id)) {
		if (id < max)
			reported[id] = 1;
		got++;
	}
	close(p[0]);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? got : -1;
}

static void test_kill9(void)
{
	const size_t max = 40000;
	uint8_t *reported = calloc(max, 1), *present = calloc(max, 1);
	struct xg_alertq_stats st;
	struct xg_alert_item it;
	int missing = 0, bad = 0, n1, n2;
	struct xg_alertq *q;
	char dir[64], err[256];
	size_t i;

	tmpdir(dir, sizeof(dir));
	/* Twice: the second child starts from the first one's torn log. */
	n1 = kill_round(dir, 1000, reported, max);
	CU_ASSERT(n1 >= 1000);
	n2 = kill_round(dir, 200, reported, max);
	CU_ASSERT(n2 >= 200);

	/* Open may cut a torn tail (a kill in the middle of a write). */
	CU_ASSERT_EQUAL(xg_alertq_open(&q, dir, 1 << 15, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	xg_alertq_stats(q, &st);
	CU_ASSERT_FALSE(st.quarantined);
	CU_ASSERT(st.depth >= (size_t)(n1 + n2));
	CU_ASSERT_EQUAL(st.pushed, st.depth);
	while (!xg_alertq_lease(q, NULL, ANY, &it, NULL)) {
		if (it.id < max)
			present[it.id] = 1;
		bad += !payload_is(&it, (size_t)(it.id * 37 % 5000), it.id);
		xg_alertq_ack(q, it.id);
		xg_alertq_item_free(&it);
	}
	for (i = 0; i < max; i++)
		missing += reported[i] && !present[i];
	CU_ASSERT_EQUAL(missing, 0);
	CU_ASSERT_EQUAL(bad, 0);
	xg_alertq_close(q);
	free(reported);
	free(present);
	rm_dir(dir);
}

static void test_compaction(void)
{
	struct xg_alertq_stats st, st2;
	struct collect c = {0};
	char dir[64], path[256], path2[256];
	uint64_t want[256];
	struct xg_alertq *q;
	int i, n = 0;

	tmpdir(dir, sizeof(dir));
	q = open_q(dir, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	for (i = 1; i <= 200; i++)
		push_seeded(q, i % 2 ? "a" : "b", i % 3 ? "" : "k", size_of((uint64_t)i) % 9000,
			    (uint64_t)i, 0);
	for (i = 1; i <= 200; i++) {
		if (i % 4) {
			CU_ASSERT_EQUAL(xg_alertq_ack(q, (uint64_t)i), 0);
		} else {
			want[n++] = (uint64_t)i;
		}
	}
	CU_ASSERT_EQUAL(xg_alertq_retry(q, 8, 0), 0);
	CU_ASSERT_EQUAL(xg_alertq_retry(q, 8, 0), 0);
	CU_ASSERT_EQUAL(lease_id(q, "b", 0), 4);
	CU_ASSERT_EQUAL_FATAL(seg_path(dir, path, sizeof(path)), 1);
	xg_alertq_stats(q, &st);
	CU_ASSERT(st.disk_bytes > st.live_bytes);

	CU_ASSERT_EQUAL(xg_alertq_compact(q), 0);
	xg_alertq_stats(q, &st2);
	CU_ASSERT_EQUAL(st2.compactions, 1);
	CU_ASSERT_EQUAL(st2.disk_bytes, st2.live_bytes);
	CU_ASSERT_EQUAL(st2.live_bytes, st.live_bytes);
	CU_ASSERT_EQUAL(st2.depth, (size_t)n);
	CU_ASSERT_EQUAL(st2.acked, st.acked);
	CU_ASSERT_EQUAL(st2.retried, 2);
	/* Leases survive a compaction, and the old log is gone. */
	CU_ASSERT_EQUAL(st2.leased, 1);
	CU_ASSERT_EQUAL(seg_path(dir, path2, sizeof(path2)), 1);
	CU_ASSERT(strcmp(path, path2) < 0);
	CU_ASSERT_EQUAL(file_size(path2), (off_t)st2.disk_bytes);
	xg_alertq_foreach(q, collect_cb, &c);
	CU_ASSERT_EQUAL(c.n, n);
	CU_ASSERT_EQUAL(c.ids[1], 8);
	CU_ASSERT_EQUAL(c.attempts[1], 2);
	CU_ASSERT_EQUAL(xg_alertq_release(q, 4), 0);
	xg_alertq_close(q);

	q = open_q(dir, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	xg_alertq_stats(q, &st);
	CU_ASSERT_EQUAL(st.acked, st2.acked);
	CU_ASSERT_EQUAL(st.retried, 2);
	CU_ASSERT_EQUAL(st.pushed, 200);
	memset(&c, 0, sizeof(c));
	xg_alertq_foreach(q, collect_cb, &c);
	CU_ASSERT_EQUAL(c.attempts[1], 2);
	/* drain_expect checks payloads seeded by id with size_of(id); these
	 * were pushed with size_of(id) % 9000. */
	for (i = 0; i < n; i++) {
		struct xg_alert_item it;

		CU_ASSERT_EQUAL_FATAL(xg_alertq_lease(q, NULL, ANY, &it, NULL), 0);
		CU_ASSERT_EQUAL(it.id, want[i]);
		CU_ASSERT_TRUE(payload_is(&it, size_of(it.id) % 9000, it.id));
		CU_ASSERT_EQUAL(xg_alertq_ack(q, it.id), 0);
		xg_alertq_item_free(&it);
	}
	xg_alertq_close(q);

	/* Automatic: once the log passes 1 MiB and is mostly dead. 40 events
	 * of 60 KiB pushed and acked: the log stays small. */
	q = open_q(dir, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	for (i = 0; i < 40; i++) {
		uint64_t id = push_seeded(q, "a", NULL, 60000, (uint64_t)i, 0);

		if (i < 39)
			CU_ASSERT_EQUAL(xg_alertq_ack(q, id), 0);
	}
	xg_alertq_stats(q, &st);
	CU_ASSERT(st.compactions >= 1);
	CU_ASSERT(st.disk_bytes < 2 * XG_ALERTQ_COMPACT_MIN);
	CU_ASSERT_EQUAL(st.depth, 1);
	xg_alertq_close(q);
	q = open_q(dir, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	{
		struct xg_alert_item it;

		CU_ASSERT_EQUAL_FATAL(xg_alertq_lease(q, "a", 0, &it, NULL), 0);
		CU_ASSERT_TRUE(payload_is(&it, 60000, 39));
		xg_alertq_item_free(&it);
	}
	xg_alertq_close(q);
	CU_ASSERT_EQUAL(seg_path(dir, path, sizeof(path)), 1);
	CU_ASSERT_EQUAL(count_files(dir, ".tmp"), 0);
	rm_dir(dir);
}

static void test_wait(void)
{
	struct xg_alertq *q;
	char dir[64];
	uint64_t gen;

	tmpdir(dir, sizeof(dir));
	q = open_q(dir, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	gen = xg_alertq_gen(q);
	CU_ASSERT_EQUAL(xg_alertq_wait(q, gen, 0), -ETIMEDOUT);
	/* A push between reading gen and waiting is not missed. */
	push_seeded(q, "s", NULL, 1, 1, 0);
	CU_ASSERT_EQUAL(xg_alertq_wait(q, gen, 5000), 0);
	gen = xg_alertq_gen(q);
	xg_alertq_wake(q);
	CU_ASSERT_EQUAL(xg_alertq_wait(q, gen, 5000), 0);
	xg_alertq_close(q);
	rm_dir(dir);
}

#define PRODUCERS    2
#define CONSUMERS    2
#define PER_PRODUCER 1500
#define TOTAL_EVENTS (PRODUCERS * PER_PRODUCER)

struct conc {
	struct xg_alertq *q;
	atomic_int inflight[TOTAL_EVENTS + 1];
	atomic_int acks[TOTAL_EVENTS + 1];
	atomic_int retried[TOTAL_EVENTS + 1];
	atomic_int total_acked;
	atomic_int errors;
	int producer;
};

struct producer_arg {
	struct conc *c;
	int idx;
};

static void *producer(void *arg)
{
	struct producer_arg *pa = arg;
	char sink[8], key[16];
	int i;

	snprintf(sink, sizeof(sink), "s%d", pa->idx);
	for (i = 0; i < PER_PRODUCER; i++) {
		uint64_t id;
		uint8_t buf[64];

		/* Some keyed runs, to mix the ordering rule in. */
		snprintf(key, sizeof(key), i % 4 ? "" : "k%d", i / 40);
		fill(buf, sizeof(buf), (uint64_t)(pa->idx * PER_PRODUCER + i));
		if (xg_alertq_push(pa->c->q, sink, key, buf, sizeof(buf), 0, &id, NULL) ||
		    id > TOTAL_EVENTS)
			atomic_fetch_add(&pa->c->errors, 1);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	struct conc *c = arg;

	while (atomic_load(&c->total_acked) < TOTAL_EVENTS && atomic_load(&c->errors) == 0) {
		uint64_t gen = xg_alertq_gen(c->q);
		struct xg_alert_item it;
		int ret = xg_alertq_lease(c->q, NULL, ANY, &it, NULL);

		if (ret == -ENOENT) {
			xg_alertq_wait(c->q, gen, 50);
			continue;
		}
		if (ret || it.id > TOTAL_EVENTS || it.len != 64) {
			atomic_fetch_add(&c->errors, 1);
			break;
		}
		/* Never handed to two workers at once. */
		if (atomic_exchange(&c->inflight[it.id], 1))
			atomic_fetch_add(&c->errors, 1);
		/* One in five fails once and comes back. */
		if (it.id % 5 == 0 && !atomic_load(&c->retried[it.id])) {
			atomic_store(&c->retried[it.id], 1);
			atomic_store(&c->inflight[it.id], 0);
			if (xg_alertq_retry(c->q, it.id, 0))
				atomic_fetch_add(&c->errors, 1);
		} else {
			atomic_store(&c->inflight[it.id], 0);
			atomic_fetch_add(&c->acks[it.id], 1);
			if (xg_alertq_ack(c->q, it.id))
				atomic_fetch_add(&c->errors, 1);
			atomic_fetch_add(&c->total_acked, 1);
		}
		xg_alertq_item_free(&it);
	}
	/* Done or failed: let the other consumer see it without waiting. */
	xg_alertq_wake(c->q);
	return NULL;
}

static void test_threads(void)
{
	struct conc *c = calloc(1, sizeof(*c));
	struct producer_arg pa[PRODUCERS];
	pthread_t pt[PRODUCERS], ct[CONSUMERS];
	struct xg_alertq_stats st;
	int i, once = 0;
	char dir[64];

	tmpdir(dir, sizeof(dir));
	c->q = open_q(dir, 2 * TOTAL_EVENTS);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->q);
	for (i = 0; i < CONSUMERS; i++)
		pthread_create(&ct[i], NULL, consumer, c);
	for (i = 0; i < PRODUCERS; i++) {
		pa[i] = (struct producer_arg){c, i};
		pthread_create(&pt[i], NULL, producer, &pa[i]);
	}
	for (i = 0; i < PRODUCERS; i++)
		pthread_join(pt[i], NULL);
	for (i = 0; i < CONSUMERS; i++)
		pthread_join(ct[i], NULL);
	CU_ASSERT_EQUAL(atomic_load(&c->errors), 0);
	for (i = 1; i <= TOTAL_EVENTS; i++)
		once += atomic_load(&c->acks[i]) == 1;
	CU_ASSERT_EQUAL(once, TOTAL_EVENTS);
	xg_alertq_stats(c->q, &st);
	CU_ASSERT_EQUAL(st.depth, 0);
	CU_ASSERT_EQUAL(st.pushed, TOTAL_EVENTS);
	CU_ASSERT_EQUAL(st.acked, TOTAL_EVENTS);
	CU_ASSERT_EQUAL(st.retried, TOTAL_EVENTS / 5);
	xg_alertq_close(c->q);
	free(c);
	rm_dir(dir);
}

void add_alertq_suite(void)
{
	CU_pSuite s = CU_add_suite("alertq", NULL, NULL);

	CU_add_test(s, "CRC-32 matches zlib's", test_crc);
	CU_add_test(s, "push, lease, ack: oldest first, leased once", test_order);
	CU_add_test(s, "bad input refused, one opener per directory", test_bad_input);
	CU_add_test(s, "sinks are separate queues", test_sinks);
	CU_add_test(s, "not_before is respected", test_not_before);
	CU_add_test(s, "same sink and dedup key stay in order", test_key_order);
	CU_add_test(s, "retry counts attempts, persisted", test_retry_persists);
	CU_add_test(s, "reopen restores the unacked events byte for byte", test_reopen);
	CU_add_test(s, "full: oldest dropped, counted, persisted", test_capacity);
	CU_add_test(s, "torn tail at 50 offsets: cut, nothing earlier lost", test_torn_tail);
	CU_add_test(s, "damaged HEAD moved aside, newer format refused", test_bad_head);
	CU_add_test(s, "ids near exhaustion renumbered, events kept", test_renumber);
	CU_add_test(s, "record damaged on disk: dropped at lease", test_damaged_record);
	CU_add_test(s, "kill -9 during pushes: every reported id kept", test_kill9);
	CU_add_test(s, "compaction keeps order, content and counters", test_compaction);
	CU_add_test(s, "wait: no missed wakeup", test_wait);
	CU_add_test(s, "2 producers, 2 consumers: each event acked once", test_threads);
}
