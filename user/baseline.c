// SPDX-License-Identifier: GPL-2.0-only
/*
 * Baselines. The window percentile is nearest-rank (the ceil(p/100 * n)-th
 * smallest sample) found by a three-way quickselect over a stack copy, so
 * runs of equal samples (a metric that is always 0) cost O(n), and nothing is
 * allocated per call.
 *
 * Time-of-week profile: the hour being recorded goes into a log histogram
 * per metric (8 bins per doubling, plus the hour's maximum); when the first
 * sample of a later hour arrives, the finished hour's percentile is read
 * from it (the upper edge of the bin holding the nearest rank, capped at the
 * hour's maximum: within about 9%, exact for a steady rate) and folded into
 * its bucket as an EWMA across weeks: TOW_ALPHA for the newest week, the
 * rest for the older ones, the first week taken as is. The hour's own
 * samples rather than the window's percentile, so the minutes of window lag
 * after a peak do not make the next hour look like a peak too. Thresholds
 * look one bucket ahead in the last TOW_LOOKAHEAD_S of an hour, because a
 * daily peak does not start at the same second every day.
 */
#include "baseline.h"

#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fsutil.h"

#define NS_PER_S	1000000000ULL
#define NS_PER_HOUR	(3600ULL * NS_PER_S)
#define TOW_ALPHA	0.3 /* weight of the newest week in a bucket */
#define TOW_LOOKAHEAD_S 900 /* use the next hour's bucket too in an hour's last 15 minutes */

#define BASELINE_FORMAT	  "xdpguard-baseline"
#define BASELINE_VERSION  1
#define BASELINE_FILE_MAX (64u << 20)

void xg_baseline_cfg_defaults(struct xg_baseline_cfg *cfg)
{
	int m;

	memset(cfg, 0, sizeof(*cfg));
	cfg->window = 300;
	cfg->multiplier = 3;
	cfg->percentile = 99;
	cfg->learning_s = 300;
	cfg->tow_after_s = 7 * 24 * 3600;
	for (m = 0; m < XG_M_MAX; m++)
		cfg->floor[m] = xg_metric_default_floor(m);
}

void xg_baseline_init(struct xg_baseline *b)
{
	memset(b, 0, sizeof(*b));
}

static int cfg_window(const struct xg_baseline_cfg *cfg)
{
	if (cfg->window < 1)
		return 1;
	if (cfg->window > XG_BASELINE_WINDOW_MAX)
		return XG_BASELINE_WINDOW_MAX;
	return cfg->window;
}

static void swap_d(double *a, double *b)
{
	double t = *a;

	*a = *b;
	*b = t;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The k-th smallest (0-based) of v[0..n): three-way quickselect with a
 * median-of-three pivot; falls back to sorting if partitions keep coming out
 * lopsided, so the worst case stays O(n log n). */
static double select_kth(double *v, int n, int k)
{
	int lo = 0, hi = n - 1, budget = 64;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2, lt, gt, i;
		double pivot;

		if (--budget < 0) {
			qsort(v + lo, (size_t)(hi - lo + 1), sizeof(*v), cmp_double);
			return v[k];
		}
		if (v[mid] < v[lo])
			swap_d(&v[mid], &v[lo]);
		if (v[hi] < v[lo])
			swap_d(&v[hi], &v[lo]);
		if (v[hi] < v[mid])
			swap_d(&v[hi], &v[mid]);
		pivot = v[mid];

		/* v[lo..lt) < pivot, v[lt..i) == pivot, v(gt..hi] > pivot */
		lt = lo;
		gt = hi;
		i = lo;
		while (i <= gt) {
			if (v[i] < pivot)
				swap_d(&v[lt++], &v[i++]);
			else if (v[i] > pivot)
				swap_d(&v[i], &v[gt--]);
			else
				i++;
		}
		if (k < lt)
			hi = lt - 1;
		else if (k > gt)
			lo = gt + 1;
		else
			return pivot;
	}
	return v[k];
}

static double window_percentile(const struct xg_metric_baseline *mb, int window, double pct)
{
	double tmp[XG_BASELINE_WINDOW_MAX];
	int n = mb->count < window ? mb->count : window;
	int i, pos, rank;

	if (n <= 0)
		return 0;
	/* The newest n samples, walking back from head. */
	pos = mb->head;
	for (i = 0; i < n; i++) {
		pos = pos ? pos - 1 : XG_BASELINE_WINDOW_MAX - 1;
		tmp[i] = mb->ring[pos];
	}
	rank = (int)ceil(pct / 100.0 * n - 1e-9);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return select_kth(tmp, n, rank - 1);
}

int xg_baseline_tow_bucket(uint64_t now_ns)
{
	time_t t = (time_t)(now_ns / NS_PER_S);
	struct tm tm;

	if (!gmtime_r(&t, &tm))
		return 0;
	/* tm_wday counts from Sunday; the profile from Monday. */
	return ((tm.tm_wday + 6) % 7) * 24 + tm.tm_hour;
}

static int hour_bin(double v)
{
	int bin;

	if (v < 1)
		return 0;
	bin = 1 + (int)floor(XG_HOUR_BINS_PER_OCTAVE * log2(v));
	return bin < XG_HOUR_BINS ? bin : XG_HOUR_BINS - 1;
}

/* The recorded hour's nearest-rank percentile, from its histogram. */
static double hour_percentile(const struct xg_metric_baseline *mb, double pct)
{
	uint64_t rank = (uint64_t)ceil(pct / 100.0 * mb->hour_n - 1e-9), seen = 0;
	int bin;

	if (rank < 1)
		rank = 1;
	if (rank > mb->hour_n)
		rank = mb->hour_n;
	for (bin = 0; bin < XG_HOUR_BINS - 1; bin++) {
		seen += mb->hour_hist[bin];
		if (seen >= rank)
			break;
	}
	if (bin == XG_HOUR_BINS - 1)
		return mb->hour_max;
	{
		double edge = bin ? exp2((double)bin / XG_HOUR_BINS_PER_OCTAVE) : 1;

		return edge < mb->hour_max ? edge : mb->hour_max;
	}
}

static void tow_fold(struct xg_metric_baseline *mb, double pct, int bucket)
{
	double v;

	if (!mb->hour_n)
		return;
	v = hour_percentile(mb, pct);
	if (!mb->tow_samples[bucket])
		mb->tow[bucket] = v;
	else
		mb->tow[bucket] = (1 - TOW_ALPHA) * mb->tow[bucket] + TOW_ALPHA * v;
	if (mb->tow_samples[bucket] > UINT32_MAX - mb->hour_n)
		mb->tow_samples[bucket] = UINT32_MAX;
	else
		mb->tow_samples[bucket] += mb->hour_n;
	memset(mb->hour_hist, 0, sizeof(mb->hour_hist));
	mb->hour_n = 0;
	mb->hour_max = 0;
}

void xg_baseline_update(struct xg_baseline *b, const struct xg_baseline_cfg *cfg,
			const double metric[XG_M_MAX], uint64_t now_ns)
{
	int window = cfg_window(cfg), m;
	uint64_t hour = now_ns / NS_PER_HOUR;
	bool new_hour = b->samples && hour != b->hour;
	int old_bucket = xg_baseline_tow_bucket(b->hour * NS_PER_HOUR);

	if (!b->samples)
		b->first_ns = now_ns;
	for (m = 0; m < XG_M_MAX; m++) {
		struct xg_metric_baseline *mb = &b->m[m];
		double v = metric[m];

		if (new_hour)
			tow_fold(mb, cfg->percentile, old_bucket);
		/* A collector glitch must not poison the window. */
		if (!isfinite(v))
			continue;
		if (v < 0)
			v = 0;
		mb->ring[mb->head] = v;
		mb->head = (mb->head + 1) % XG_BASELINE_WINDOW_MAX;
		mb->count = mb->count + 1 < window ? mb->count + 1 : window;
		if (mb->hour_n < UINT32_MAX) {
			mb->hour_hist[hour_bin(v)]++;
			mb->hour_n++;
			if (v > mb->hour_max)
				mb->hour_max = v;
		}
	}
	b->hour = hour;
	b->last_ns = now_ns;
	b->samples++;
}

static uint64_t elapsed_s(const struct xg_baseline *b, uint64_t now_ns)
{
	return now_ns > b->first_ns ? (now_ns - b->first_ns) / NS_PER_S : 0;
}

void xg_baseline_thresholds(const struct xg_baseline *b, const struct xg_baseline_cfg *cfg,
			    uint64_t now_ns, double thr[XG_M_MAX])
{
	int window = cfg_window(cfg), m;
	bool use_tow = b->samples && elapsed_s(b, now_ns) >= cfg->tow_after_s;
	int bucket = xg_baseline_tow_bucket(now_ns);
	int next = (bucket + 1) % XG_TOW_BUCKETS;
	bool lookahead = (now_ns / NS_PER_S) % 3600 >= 3600 - TOW_LOOKAHEAD_S;

	for (m = 0; m < XG_M_MAX; m++) {
		const struct xg_metric_baseline *mb = &b->m[m];
		double base = window_percentile(mb, window, cfg->percentile);
		double floor = cfg->floor[m] > 0 ? cfg->floor[m] : 0;
		double t;

		if (use_tow) {
			if (mb->tow_samples[bucket] && mb->tow[bucket] > base)
				base = mb->tow[bucket];
			if (lookahead && mb->tow_samples[next] && mb->tow[next] > base)
				base = mb->tow[next];
		}
		t = cfg->multiplier * base;
		thr[m] = t > floor ? t : floor;
	}
}

bool xg_baseline_learning(const struct xg_baseline *b, const struct xg_baseline_cfg *cfg,
			  uint64_t now_ns)
{
	return !b->samples || elapsed_s(b, now_ns) < cfg->learning_s;
}

double xg_baseline_percentile(const struct xg_baseline *b, const struct xg_baseline_cfg *cfg,
			      int metric)
{
	if (metric < 0 || metric >= XG_M_MAX)
		return 0;
	return window_percentile(&b->m[metric], cfg_window(cfg), cfg->percentile);
}

/* ---- persistence ---- */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static struct json_object *metric_to_json(const struct xg_metric_baseline *mb)
{
	struct json_object *o = json_object_new_object();
	struct json_object *win = json_object_new_array_ext(mb->count);
	struct json_object *tow = json_object_new_array_ext(XG_TOW_BUCKETS);
	struct json_object *tows = json_object_new_array_ext(XG_TOW_BUCKETS);
	struct json_object *hist = json_object_new_array_ext(XG_HOUR_BINS);
	int i, pos;

	if (!o || !win || !tow || !tows || !hist) {
		json_object_put(o);
		json_object_put(win);
		json_object_put(tow);
		json_object_put(tows);
		json_object_put(hist);
		return NULL;
	}
	/* Oldest first, so a reader can keep the newest by taking the tail. */
	pos = (mb->head - mb->count + XG_BASELINE_WINDOW_MAX) % XG_BASELINE_WINDOW_MAX;
	for (i = 0; i < mb->count; i++) {
		json_object_array_add(win, json_object_new_double(mb->ring[pos]));
		pos = (pos + 1) % XG_BASELINE_WINDOW_MAX;
	}
	for (i = 0; i < XG_TOW_BUCKETS; i++) {
		json_object_array_add(tow, json_object_new_double(mb->tow[i]));
		json_object_array_add(tows, json_object_new_int64(mb->tow_samples[i]));
	}
	for (i = 0; i < XG_HOUR_BINS; i++)
		json_object_array_add(hist, json_object_new_int64(mb->hour_hist[i]));
	json_object_object_add(o, "window", win);
	json_object_object_add(o, "tow", tow);
	json_object_object_add(o, "tow_samples", tows);
	json_object_object_add(o, "hour_hist", hist);
	json_object_object_add(o, "hour_max", json_object_new_double(mb->hour_max));
	return o;
}

int xg_baseline_save(const struct xg_baseline *b, const char *path, char *err, size_t errlen)
{
	struct json_object *root = json_object_new_object(), *metrics = json_object_new_object();
	const char *text;
	int ret, m;

	if (!root || !metrics) {
		json_object_put(root);
		json_object_put(metrics);
		set_err(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	json_object_object_add(root, "format", json_object_new_string(BASELINE_FORMAT));
	json_object_object_add(root, "version", json_object_new_int(BASELINE_VERSION));
	json_object_object_add(root, "first_ns", json_object_new_int64((int64_t)b->first_ns));
	json_object_object_add(root, "last_ns", json_object_new_int64((int64_t)b->last_ns));
	json_object_object_add(root, "samples", json_object_new_int64((int64_t)b->samples));
	json_object_object_add(root, "hour", json_object_new_int64((int64_t)b->hour));
	json_object_object_add(root, "metrics", metrics);
	for (m = 0; m < XG_M_MAX; m++) {
		struct json_object *o = metric_to_json(&b->m[m]);

		if (!o) {
			json_object_put(root);
			set_err(err, errlen, "%s: out of memory", path);
			return -ENOMEM;
		}
		json_object_object_add(metrics, xg_metric_name(m), o);
	}
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
	if (!text) {
		json_object_put(root);
		set_err(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}

	ret = xg_write_atomic(path, text, strlen(text), err, errlen);
	json_object_put(root);
	return ret;
}

static bool is_number(struct json_object *o)
{
	return json_object_is_type(o, json_type_double) || json_object_is_type(o, json_type_int);
}

/* A non-negative integer member (required). */
static int get_u64(struct json_object *obj, const char *key, uint64_t *out, const char *path,
		   char *err, size_t errlen)
{
	struct json_object *o;
	int64_t v;

	if (!json_object_object_get_ex(obj, key, &o) || !json_object_is_type(o, json_type_int)) {
		set_err(err, errlen, "%s: %s: missing or not an integer", path, key);
		return -EINVAL;
	}
	v = json_object_get_int64(o);
	if (v < 0) {
		set_err(err, errlen, "%s: %s: must not be negative", path, key);
		return -EINVAL;
	}
	*out = (uint64_t)v;
	return 0;
}

static int get_number_array(struct json_object *obj, const char *mname, const char *key,
			    struct json_object **out, const char *path, char *err, size_t errlen)
{
	size_t i, n;

	if (!json_object_object_get_ex(obj, key, out) ||
	    !json_object_is_type(*out, json_type_array)) {
		set_err(err, errlen, "%s: metrics.%s.%s: missing or not an array", path, mname,
			key);
		return -EINVAL;
	}
	n = json_object_array_length(*out);
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(*out, i);
		double v;

		if (!is_number(e)) {
			set_err(err, errlen, "%s: metrics.%s.%s[%zu]: not a number", path, mname,
				key, i);
			return -EINVAL;
		}
		v = json_object_get_double(e);
		if (!isfinite(v) || v < 0) {
			set_err(err, errlen, "%s: metrics.%s.%s[%zu]: must be a finite number >= 0",
				path, mname, key, i);
			return -EINVAL;
		}
	}
	return 0;
}

/* Every element a whole number that fits in a uint32_t. */
static int check_counts(struct json_object *arr, const char *mname, const char *key,
			const char *path, char *err, size_t errlen)
{
	size_t i, n = json_object_array_length(arr);

	for (i = 0; i < n; i++) {
		double c = json_object_get_double(json_object_array_get_idx(arr, i));

		if (c != floor(c) || c > UINT32_MAX) {
			set_err(err, errlen, "%s: metrics.%s.%s[%zu]: not a count", path, mname,
				key, i);
			return -EINVAL;
		}
	}
	return 0;
}

static int metric_from_json(struct xg_metric_baseline *mb, struct json_object *o, const char *mname,
			    const char *path, char *err, size_t errlen)
{
	struct json_object *win, *tow, *tows, *hist, *hmax;
	uint64_t hour_n = 0;
	size_t n, skip, i;
	int ret;

	if (!json_object_is_type(o, json_type_object)) {
		set_err(err, errlen, "%s: metrics.%s: not an object", path, mname);
		return -EINVAL;
	}
	ret = get_number_array(o, mname, "window", &win, path, err, errlen);
	if (!ret)
		ret = get_number_array(o, mname, "tow", &tow, path, err, errlen);
	if (!ret)
		ret = get_number_array(o, mname, "tow_samples", &tows, path, err, errlen);
	if (!ret)
		ret = get_number_array(o, mname, "hour_hist", &hist, path, err, errlen);
	if (ret)
		return ret;
	if (json_object_array_length(tow) != XG_TOW_BUCKETS ||
	    json_object_array_length(tows) != XG_TOW_BUCKETS) {
		set_err(err, errlen, "%s: metrics.%s: tow and tow_samples must have %d entries",
			path, mname, XG_TOW_BUCKETS);
		return -EINVAL;
	}
	if (json_object_array_length(hist) != XG_HOUR_BINS) {
		set_err(err, errlen, "%s: metrics.%s: hour_hist must have %d entries", path, mname,
			XG_HOUR_BINS);
		return -EINVAL;
	}
	ret = check_counts(tows, mname, "tow_samples", path, err, errlen);
	if (!ret)
		ret = check_counts(hist, mname, "hour_hist", path, err, errlen);
	if (ret)
		return ret;
	if (!json_object_object_get_ex(o, "hour_max", &hmax) || !is_number(hmax) ||
	    !isfinite(json_object_get_double(hmax)) || json_object_get_double(hmax) < 0) {
		set_err(err, errlen, "%s: metrics.%s.hour_max: missing or invalid", path, mname);
		return -EINVAL;
	}

	/* A window saved with a bigger XG_BASELINE_WINDOW_MAX: keep the newest. */
	n = json_object_array_length(win);
	skip = n > XG_BASELINE_WINDOW_MAX ? n - XG_BASELINE_WINDOW_MAX : 0;
	for (i = skip; i < n; i++)
		mb->ring[i - skip] = json_object_get_double(json_object_array_get_idx(win, i));
	mb->count = (int)(n - skip);
	mb->head = mb->count % XG_BASELINE_WINDOW_MAX;
	for (i = 0; i < XG_TOW_BUCKETS; i++) {
		mb->tow[i] = json_object_get_double(json_object_array_get_idx(tow, i));
		mb->tow_samples[i] =
		    (uint32_t)json_object_get_double(json_object_array_get_idx(tows, i));
	}
	for (i = 0; i < XG_HOUR_BINS; i++) {
		mb->hour_hist[i] =
		    (uint32_t)json_object_get_double(json_object_array_get_idx(hist, i));
		hour_n += mb->hour_hist[i];
	}
	if (hour_n > UINT32_MAX) {
		set_err(err, errlen, "%s: metrics.%s.hour_hist: too many samples", path, mname);
		return -EINVAL;
	}
	mb->hour_n = (uint32_t)hour_n;
	mb->hour_max = json_object_get_double(hmax);
	return 0;
}

static int baseline_from_json(struct xg_baseline *nb, struct json_object *root, const char *path,
			      char *err, size_t errlen)
{
	struct json_object *o, *metrics;
	uint64_t version;
	int ret, m;

	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "format", &o) ||
	    !json_object_is_type(o, json_type_string) ||
	    strcmp(json_object_get_string(o), BASELINE_FORMAT)) {
		set_err(err, errlen, "%s: not an xdpguard baseline file", path);
		return -EINVAL;
	}
	ret = get_u64(root, "version", &version, path, err, errlen);
	if (ret)
		return ret;
	if (version != BASELINE_VERSION) {
		set_err(err, errlen, "%s: baseline version %llu is not supported (expected %d)",
			path, (unsigned long long)version, BASELINE_VERSION);
		return -EINVAL;
	}
	ret = get_u64(root, "first_ns", &nb->first_ns, path, err, errlen);
	if (!ret)
		ret = get_u64(root, "last_ns", &nb->last_ns, path, err, errlen);
	if (!ret)
		ret = get_u64(root, "samples", &nb->samples, path, err, errlen);
	if (!ret)
		ret = get_u64(root, "hour", &nb->hour, path, err, errlen);
	if (ret)
		return ret;
	if (!json_object_object_get_ex(root, "metrics", &metrics) ||
	    !json_object_is_type(metrics, json_type_object)) {
		set_err(err, errlen, "%s: metrics: missing or not an object", path);
		return -EINVAL;
	}
	/* By name, so a metric added later starts empty instead of shifting the
	 * others; names this build does not know are ignored. */
	for (m = 0; m < XG_M_MAX; m++) {
		if (!json_object_object_get_ex(metrics, xg_metric_name(m), &o))
			continue;
		ret = metric_from_json(&nb->m[m], o, xg_metric_name(m), path, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

int xg_baseline_load(struct xg_baseline *b, const char *path, char *err, size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *root;
	struct xg_baseline *nb;
	char *text = NULL;
	size_t end;
	int ret;

	ret = xg_read_file(path, BASELINE_FILE_MAX, &text, NULL, err, errlen);
	if (ret)
		return ret;
	tok = json_tokener_new();
	if (!tok) {
		free(text);
		set_err(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	root = json_tokener_parse_ex(tok, text, (int)strlen(text));
	if (!root) {
		enum json_tokener_error jerr = json_tokener_get_error(tok);

		set_err(err, errlen, "%s: not valid JSON: %s", path,
			jerr == json_tokener_continue ? "unexpected end of file"
						      : json_tokener_error_desc(jerr));
		json_tokener_free(tok);
		free(text);
		return -EINVAL;
	}
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	while (text[end] == ' ' || text[end] == '\n' || text[end] == '\t' || text[end] == '\r')
		end++;
	if (text[end]) {
		set_err(err, errlen, "%s: not valid JSON: trailing data at byte %zu", path, end);
		json_object_put(root);
		free(text);
		return -EINVAL;
	}
	free(text);

	/* Into a scratch copy, so a bad file leaves b as it was. */
	nb = calloc(1, sizeof(*nb));
	if (!nb) {
		json_object_put(root);
		set_err(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	ret = baseline_from_json(nb, root, path, err, errlen);
	json_object_put(root);
	if (!ret)
		memcpy(b, nb, sizeof(*b));
	free(nb);
	return ret;
}
