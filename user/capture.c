// SPDX-License-Identifier: GPL-2.0-only
#include "capture.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "journal.h"
#include "pcapw.h"

#define PATH_LEN	 4096
#define FREE_CHECK_EVERY 1000 /* packets between free-space checks */
#define STOP_NONE	 NULL

struct xg_capture {
	struct xg_capture_opts o;
	struct xg_pcap_cfg cfg;
	char dir[PATH_LEN];
	struct ring_buffer *rb;
	struct xg_sample_ring ring;

	pthread_mutex_t lock; /* everything below, and the ring and writer */
	pthread_t thread;
	bool running, stop;
	/* requests from the controller's thread, acted on by the reader */
	bool want_start, want_stop;
	char start_id[128], stop_id[128];
	const char *stop_why;

	/* the open capture */
	struct xg_pcapw *w;
	char id[128];
	char path[PATH_LEN];
	uint64_t since_free_check;
	uint64_t stamp_ns;		     /* replay: the time of the samples being drained */
	const uint64_t *map_mono, *map_real; /* replay's batch: BPF time -> stamp */
	size_t map_n;
	uint64_t read, written;
};

static void logf_(struct xg_capture *c, const char *level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void logf_(struct xg_capture *c, const char *level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!c->o.log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->o.log(c->o.log_arg, level, msg);
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void retention(struct xg_capture *c)
{
	struct xg_pcap_limits lim = {
	    .max_age_s = (uint64_t)c->cfg.max_age_days * 86400,
	    .max_total_bytes = (uint64_t)c->cfg.max_total_mb << 20,
	};
	unsigned int removed = 0;
	uint64_t freed = 0;
	char err[512];

	if (xg_pcap_enforce(c->dir, &lim, clock_ns(CLOCK_REALTIME), &removed, &freed, err,
			    sizeof(err)))
		logf_(c, "error", "pcap: retention: %s", err);
	if (removed)
		logf_(c, "info", "pcap: retention removed %u file(s), %.1f MiB", removed,
		      (double)freed / 1048576.0);
}

/* Room to write: free space over the floor. */
static bool space_ok(struct xg_capture *c)
{
	uint64_t free_b;

	if (!c->cfg.min_free_mb)
		return true;
	return xg_pcap_free_bytes(c->dir, &free_b) || free_b >= (uint64_t)c->cfg.min_free_mb << 20;
}

static void journal_pcap(struct xg_capture *c, const struct xg_pcapw_result *r, const char *why)
{
	struct json_object *o = json_object_new_object();
	char err[512];

	json_object_object_add(o, "event", json_object_new_string("pcap"));
	json_object_object_add(o, "incident", json_object_new_string(c->id));
	json_object_object_add(o, "path", json_object_new_string(c->path));
	json_object_object_add(o, "packets", json_object_new_int64((int64_t)r->packets));
	json_object_object_add(o, "bytes", json_object_new_int64((int64_t)r->bytes));
	json_object_object_add(o, "sha256", json_object_new_string(r->sha256));
	json_object_object_add(o, "first_ts", json_object_new_double((double)r->first_ts_ns / 1e9));
	json_object_object_add(o, "last_ts", json_object_new_double((double)r->last_ts_ns / 1e9));
	json_object_object_add(o, "stopped", json_object_new_string(why));
	/* replay's records carry the capture's clock, as its incidents do */
	json_object_object_add(
	    o, "ts",
	    json_object_new_double((double)(c->stamp_ns ? c->stamp_ns : clock_ns(CLOCK_REALTIME)) /
				   1e9));
	if (xg_journal_append_json(c->o.state_dir, o, true, err, sizeof(err)))
		logf_(c, "error", "pcap: %s", err);
	json_object_put(o);
}

/* Closes the open capture: the file, its journal record, retention. */
static void finish(struct xg_capture *c, const char *why)
{
	struct xg_pcapw_result r;
	char err[512];

	if (!c->w)
		return;
	if (xg_pcapw_close(c->w, &r, err, sizeof(err))) {
		logf_(c, "error", "pcap: incident %s: %s", c->id, err);
	} else {
		logf_(c, "info", "pcap: incident %s: %llu packets in %s (%s), sha256 %s", c->id,
		      (unsigned long long)r.packets, c->path, why, r.sha256);
		journal_pcap(c, &r, why);
	}
	c->w = NULL;
	retention(c);
}

static int write_rec(const struct xg_sample_rec *rec, void *arg)
{
	struct xg_capture *c = arg;

	if (xg_pcapw_write(c->w, rec->ts_real_ns, rec->data, rec->cap_len, rec->orig_len)) {
		logf_(c, "error", "pcap: incident %s: cannot write %s; capture dropped", c->id,
		      c->path);
		xg_pcapw_abort(c->w);
		c->w = NULL;
		return 1;
	}
	c->written++;
	return 0;
}

static void start(struct xg_capture *c, const char *id)
{
	char err[512];

	finish(c, "incident_closed"); /* a stop that never came */
	snprintf(c->id, sizeof(c->id), "%s", id);
	if (xg_pcap_path(c->path, sizeof(c->path), c->dir, id)) {
		logf_(c, "error", "pcap: incident id \"%s\" cannot name a file", id);
		return;
	}
	if (!space_ok(c)) {
		struct xg_pcapw_result none = {0};

		logf_(c, "warn", "pcap: incident %s: no capture, free space in %s is under %u MiB",
		      id, c->dir, c->cfg.min_free_mb);
		journal_pcap(c, &none, "disk_floor");
		return;
	}
	if (xg_pcapw_open(&c->w, c->path, err, sizeof(err))) {
		logf_(c, "error", "pcap: incident %s: %s", id, err);
		c->w = NULL;
		return;
	}
	c->since_free_check = 0;
	/* the file starts with what came before the attack */
	xg_sample_ring_foreach(&c->ring, write_rec, c);
}

/* The stamp of the last packet of the batch run at or before BPF time t. */
static uint64_t batch_stamp(const struct xg_capture *c, uint64_t t)
{
	size_t lo = 0, hi = c->map_n;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->map_mono[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return c->map_real[lo];
}

/* One sample from the ring buffer (the reader, with c->lock held). */
static int on_sample(void *ctx, void *data, size_t size)
{
	struct xg_capture *c = ctx;
	const struct xg_sample *s = data;
	uint64_t ts;

	/* a record is the header and cap_len bytes of data (abi.h) */
	if (size < XG_SAMPLE_HDR || size < XG_SAMPLE_HDR + (size_t)s->cap_len ||
	    s->cap_len > XG_SAMPLE_SNAP)
		return 0;
	c->read++;
	if (c->map_n)
		ts = batch_stamp(c, s->ts_ns);
	else if (c->stamp_ns)
		ts = c->stamp_ns;
	else
		ts = s->ts_ns + (clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC));
	xg_sample_ring_push(&c->ring, ts, s);
	if (!c->w)
		return 0;
	if (xg_pcapw_packets(c->w) >= c->cfg.max_packets) {
		finish(c, "cap");
		return 0;
	}
	if (++c->since_free_check >= FREE_CHECK_EVERY) {
		c->since_free_check = 0;
		if (!space_ok(c)) {
			logf_(c, "warn",
			      "pcap: incident %s: stopped, free space in %s is under %u MiB", c->id,
			      c->dir, c->cfg.min_free_mb);
			finish(c, "disk_floor");
			return 0;
		}
	}
	write_rec(
	    &(struct xg_sample_rec){
		.ts_real_ns = ts, .data = s->data, .orig_len = s->orig_len, .cap_len = s->cap_len},
	    c);
	return 0;
}

/* Requests before samples, so a start sees the ring as it was when asked.
 * A stop applies only to its own incident; a start finishes any older
 * capture itself. Both orders of an open and a close within one drain
 * come out right: a stop of the previous incident first, and a stop of
 * the one just started after its start. */
static void serve_requests(struct xg_capture *c)
{
	if (c->want_stop && c->w && !strcmp(c->id, c->stop_id)) {
		c->want_stop = false;
		finish(c, c->stop_why);
	}
	if (c->want_start) {
		c->want_start = false;
		start(c, c->start_id);
	}
	if (c->want_stop && c->w && !strcmp(c->id, c->stop_id))
		finish(c, c->stop_why);
	c->want_stop = false;
}

int xg_capture_drain_batch(struct xg_capture *c, const uint64_t *mono, const uint64_t *real,
			   size_t n)
{
	int r;

	if (!n)
		return 0;
	pthread_mutex_lock(&c->lock);
	c->map_mono = mono;
	c->map_real = real;
	c->map_n = n;
	c->stamp_ns = real[n - 1]; /* for the journal's record */
	r = ring_buffer__consume(c->rb);
	c->map_n = 0;
	serve_requests(c);
	pthread_mutex_unlock(&c->lock);
	return r;
}

static void *reader(void *arg)
{
	struct xg_capture *c = arg;

	pthread_setname_np(pthread_self(), "xg-capture"); /* for top -H and the benchmarks */
	for (;;) {
		bool busy;
		int n;

		pthread_mutex_lock(&c->lock);
		if (c->stop) {
			pthread_mutex_unlock(&c->lock);
			break;
		}
		serve_requests(c);
		c->stamp_ns = 0;
		n = ring_buffer__consume(c->rb);
		busy = c->w || c->want_start || n > XG_CAPTURE_BUSY;
		pthread_mutex_unlock(&c->lock);
		/* the program does not wake us (no wakeup per sample): poll,
		 * fast while an incident is captured or samples pour in */
		usleep((busy ? XG_CAPTURE_DRAIN_MS : XG_CAPTURE_IDLE_MS) * 1000);
	}
	return NULL;
}

int xg_capture_open(struct xg_capture **out, const struct xg_capture_opts *o, char *err,
		    size_t errlen)
{
	struct xg_capture *c = calloc(1, sizeof(*c));
	unsigned int stale = 0;
	int r;

	*out = NULL;
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	c->o = *o;
	c->cfg = *o->cfg;
	pthread_mutex_init(&c->lock, NULL);
	r = xg_pcap_dir_of(c->dir, sizeof(c->dir), c->cfg.dir, o->state_dir);
	if (r || xg_mkdir_p(c->dir, err, errlen)) {
		if (r)
			snprintf(err, errlen, "pcap.dir: path too long");
		r = r ? r : -EIO;
		goto fail;
	}
	if (xg_pcap_remove_stale_tmp(c->dir, &stale, err, errlen) == 0 && stale)
		logf_(c, "info", "pcap: removed %u unfinished capture(s) from a crash", stale);
	r = xg_sample_ring_init(&c->ring, c->cfg.ring_packets);
	if (r) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	c->rb = ring_buffer__new(o->samples_fd, on_sample, c, NULL);
	if (!c->rb) {
		r = -errno;
		snprintf(err, errlen, "cannot read the sample ring buffer: %s", strerror(-r));
		goto fail;
	}
	retention(c);
	if (o->threaded) {
		r = pthread_create(&c->thread, NULL, reader, c);
		if (r) {
			snprintf(err, errlen, "cannot start the capture reader: %s", strerror(r));
			r = -r;
			goto fail;
		}
		c->running = true;
	}
	*out = c;
	return 0;
fail:
	ring_buffer__free(c->rb);
	xg_sample_ring_free(&c->ring);
	pthread_mutex_destroy(&c->lock);
	free(c);
	return r;
}

static bool file_or_tmp(const char *path)
{
	char tmp[PATH_LEN + 8];

	snprintf(tmp, sizeof(tmp), "%s%s", path, XG_PCAP_TMP);
	return !access(path, F_OK) || !access(tmp, F_OK);
}

void xg_capture_on_event(struct xg_capture *c, const char *event, struct json_object *obj)
{
	struct json_object *v;
	const char *id;
	char path[PATH_LEN];
	bool open = !strcmp(event, "incident_open"), close = !strcmp(event, "incident_close");

	if (!c || (!open && !close && strcmp(event, "incident_update")))
		return;
	if (!json_object_object_get_ex(obj, "id", &v) || !(id = json_object_get_string(v)) ||
	    !xg_pcap_id_valid(id))
		return;
	if (open || close) {
		pthread_mutex_lock(&c->lock);
		/* a close never cancels its own pending open: both are served */
		if (open) {
			snprintf(c->start_id, sizeof(c->start_id), "%s", id);
			c->want_start = true;
		} else {
			snprintf(c->stop_id, sizeof(c->stop_id), "%s", id);
			c->want_stop = true;
		}
		c->stop_why = "incident_closed";
		pthread_mutex_unlock(&c->lock);
	}
	/* Alerts render from the latest event: name the file on the close too,
	 * when there is one (or one being written). */
	if (!xg_pcap_path(path, sizeof(path), c->dir, id) && (open || file_or_tmp(path)))
		json_object_object_add(obj, "pcap", json_object_new_string(path));
}

void xg_capture_reload(struct xg_capture *c, const struct xg_pcap_cfg *cfg)
{
	pthread_mutex_lock(&c->lock);
	/* the ring keeps its size until restart: resizing would drop history */
	c->cfg.max_packets = cfg->max_packets;
	c->cfg.max_age_days = cfg->max_age_days;
	c->cfg.max_total_mb = cfg->max_total_mb;
	c->cfg.min_free_mb = cfg->min_free_mb;
	pthread_mutex_unlock(&c->lock);
}

void xg_capture_stats(struct xg_capture *c, uint64_t *read, uint64_t *written)
{
	pthread_mutex_lock(&c->lock);
	*read = c->read;
	*written = c->written;
	pthread_mutex_unlock(&c->lock);
}

void xg_capture_close(struct xg_capture *c)
{
	if (!c)
		return;
	if (c->running) {
		pthread_mutex_lock(&c->lock);
		c->stop = true;
		pthread_mutex_unlock(&c->lock);
		pthread_join(c->thread, NULL);
	}
	pthread_mutex_lock(&c->lock);
	serve_requests(c);
	ring_buffer__consume(c->rb);
	finish(c, "shutdown");
	pthread_mutex_unlock(&c->lock);
	ring_buffer__free(c->rb);
	xg_sample_ring_free(&c->ring);
	pthread_mutex_destroy(&c->lock);
	free(c);
}
