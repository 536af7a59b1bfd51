// SPDX-License-Identifier: GPL-2.0-only
/* Baselines on synthetic series: percentiles, floors, the rolling window,
 * learning, the time-of-week profile, saving and loading. */
#include <CUnit/Basic.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "baseline.h"
#include "suites.h"

#define NS   1000000000ULL
#define HOUR (3600ULL * NS)
#define DAY  (24ULL * HOUR)

/* Monday 2026-01-05 00:00:00 UTC. */
static uint64_t monday_ns(void)
{
	struct tm tm = {.tm_year = 126, .tm_mon = 0, .tm_mday = 5};

	return (uint64_t)timegm(&tm) * NS;
}

static struct xg_baseline *new_baseline(void)
{
	struct xg_baseline *b = malloc(sizeof(*b));

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	xg_baseline_init(b);
	return b;
}

/* Every metric at value v. */
static void feed(struct xg_baseline *b, const struct xg_baseline_cfg *cfg, double v, uint64_t now)
{
	double metric[XG_M_MAX];
	int m;

	for (m = 0; m < XG_M_MAX; m++)
		metric[m] = v;
	xg_baseline_update(b, cfg, metric, now);
}

static void no_floors(struct xg_baseline_cfg *cfg)
{
	int m;

	for (m = 0; m < XG_M_MAX; m++)
		cfg->floor[m] = 0;
}

static uint32_t lcg(uint32_t *state)
{
	*state = *state * 1664525u + 1013904223u;
	return *state >> 8;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void test_defaults(void)
{
	struct xg_baseline_cfg cfg;
	int m;

	xg_baseline_cfg_defaults(&cfg);
	CU_ASSERT_EQUAL(cfg.window, 300);
	CU_ASSERT_DOUBLE_EQUAL(cfg.multiplier, 3, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(cfg.percentile, 99, 1e-12);
	CU_ASSERT_EQUAL(cfg.learning_s, 300);
	CU_ASSERT_EQUAL(cfg.tow_after_s, 7 * 24 * 3600);
	for (m = 0; m < XG_M_MAX; m++)
		CU_ASSERT_DOUBLE_EQUAL(cfg.floor[m], xg_metric_default_floor(m), 1e-9);
}

static void test_percentile_exact(void)
{
	struct xg_baseline *b = new_baseline();
	struct xg_baseline_cfg cfg;
	uint64_t t = monday_ns();
	int i;

	xg_baseline_cfg_defaults(&cfg);
	cfg.window = 100;
	CU_ASSERT_DOUBLE_EQUAL(xg_baseline_percentile(b, &cfg, XG_M_PPS), 0, 1e-12);
	/* 1..100 in a scrambled order (37 is prime to 100). */
	for (i = 0; i < 100; i++)
		feed(b, &cfg, (double)(i * 37 % 100 + 1), t + (uint64_t)i * NS);
	CU_ASSERT_DOUBLE_EQUAL(xg_baseline_percentile(b, &cfg, XG_M_PPS), 99, 1e-12);
	cfg.percentile = 50;
	CU_ASSERT_DOUBLE_EQUAL(xg_baseline_percentile(b, &cfg, XG_M_PPS), 50, 1e-12);
	cfg.percentile = 100;
	CU_ASSERT_DOUBLE_EQUAL(xg_baseline_percentile(b, &cfg, XG_M_PPS), 100, 1e-12);
	cfg.percentile = 0;
	CU_ASSERT_DOUBLE_EQUAL(xg_baseline_percentile(b, &cfg, XG_M_PPS), 1, 1e-12);
	cfg.percentile = 95.5; /* rank ceil(95.5) = 96 */
	CU_ASSERT_DOUBLE_EQUAL(xg_baseline_percentile(b, &cfg, XG_M_PPS), 96, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(xg_baseline_percentile(b, &cfg, -1), 0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(xg_baseline_percentile(b, &cfg, XG_M_MAX), 0, 1e-12);

	/* A partly filled window: 10 samples, p90 is the 9th smallest. */
	xg_baseline_init(b);
	cfg.percentile = 90;
	for (i = 10; i >= 1; i--)
		feed(b, &cfg, i, t + (uint64_t)i * NS);
	CU_ASSERT_DOUBLE_EQUAL(xg_baseline_percentile(b, &cfg, XG_M_PPS), 9, 1e-12);
	free(b);
}

/* Against sorting, on random data with and without many ties. */
static void test_percentile_random(void)
{
	static const double pcts[] = {1, 50, 90, 95, 99, 99.9, 100};
	static const int windows[] = {1, 2, 7, 100, 300, 1000, XG_BASELINE_WINDOW_MAX};
	struct xg_baseline *b = new_baseline();
	double *ref = malloc(XG_BASELINE_WINDOW_MAX * sizeof(*ref));
	struct xg_baseline_cfg cfg;
	uint32_t seed = 42;
	size_t w, p;
	int ties, i, bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
	xg_baseline_cfg_defaults(&cfg);
	for (ties = 0; ties < 2; ties++) {
		for (w = 0; w < sizeof(windows) / sizeof(windows[0]); w++) {
			int n = windows[w] + windows[w] / 2; /* the window rolls too */

			xg_baseline_init(b);
			cfg.window = windows[w];
			for (i = 0; i < n; i++) {
				double v = ties ? (double)(lcg(&seed) % 5)
						: (double)(lcg(&seed) % 1000000) / 7.0;

				feed(b, &cfg, v, monday_ns() + (uint64_t)i * NS);
				if (i >= n - windows[w])
					ref[i - (n - windows[w])] = v;
			}
			qsort(ref, (size_t)windows[w], sizeof(*ref), cmp_double);
			for (p = 0; p < sizeof(pcts) / sizeof(pcts[0]); p++) {
				int rank = (int)ceil(pcts[p] / 100.0 * windows[w] - 1e-9);

				if (rank < 1)
					rank = 1;
				cfg.percentile = pcts[p];
				if (xg_baseline_percentile(b, &cfg, XG_M_UDP_PPS) != ref[rank - 1])
					bad++;
			}
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	free(ref);
	free(b);
}

static void test_floors(void)
{
	struct xg_baseline *b = new_baseline();
	struct xg_baseline_cfg cfg;
	double thr[XG_M_MAX], metric[XG_M_MAX];
	uint64_t t = monday_ns();
	int m, i;

	xg_baseline_cfg_defaults(&cfg);
	/* Nothing learnt yet: the floors. */
	xg_baseline_thresholds(b, &cfg, t, thr);
	for (m = 0; m < XG_M_MAX; m++)
		CU_ASSERT_DOUBLE_EQUAL(thr[m], xg_metric_default_floor(m), 1e-9);

	/* Quiet traffic: 3x its percentile is under every floor. */
	for (i = 0; i < 300; i++)
		feed(b, &cfg, 10, t + (uint64_t)i * NS);
	xg_baseline_thresholds(b, &cfg, t + 300 * NS, thr);
	for (m = 0; m < XG_M_MAX; m++)
		CU_ASSERT_DOUBLE_EQUAL(thr[m], xg_metric_default_floor(m), 1e-9);

	/* Busy traffic: 3x the p99 of each metric, here twice its floor. */
	for (i = 0; i < 300; i++) {
		for (m = 0; m < XG_M_MAX; m++)
			metric[m] = 2 * xg_metric_default_floor(m) * (i == 150 ? 0.5 : 1);
		xg_baseline_update(b, &cfg, metric, t + (uint64_t)(300 + i) * NS);
	}
	xg_baseline_thresholds(b, &cfg, t + 600 * NS, thr);
	for (m = 0; m < XG_M_MAX; m++)
		CU_ASSERT_DOUBLE_EQUAL(thr[m], 6 * xg_metric_default_floor(m),
				       1e-6 * xg_metric_default_floor(m));

	/* A configured floor wins over a low baseline. */
	cfg.floor[XG_M_SYN_PPS] = 1e9;
	xg_baseline_thresholds(b, &cfg, t + 600 * NS, thr);
	CU_ASSERT_DOUBLE_EQUAL(thr[XG_M_SYN_PPS], 1e9, 1e-3);
	free(b);
}

static void test_window_roll(void)
{
	struct xg_baseline *b = new_baseline();
	struct xg_baseline_cfg cfg;
	uint64_t t = monday_ns();
	double metric[XG_M_MAX] = {0};
	int i;

	xg_baseline_cfg_defaults(&cfg);
	cfg.window = 10;
	for (i = 0; i < 10; i++)
		feed(b, &cfg, 1000 + i, t + (uint64_t)i * NS);
	CU_ASSERT_EQUAL(b->m[XG_M_PPS].count, 10);
	CU_ASSERT_DOUBLE_EQUAL(xg_baseline_percentile(b, &cfg, XG_M_PPS), 1009, 1e-9);
	/* Ten newer, smaller samples push every old one out. */
	for (i = 0; i < 10; i++)
		feed(b, &cfg, 100 + i, t + (uint64_t)(10 + i) * NS);
	CU_ASSERT_EQUAL(b->m[XG_M_PPS].count, 10);
	CU_ASSERT_DOUBLE_EQUAL(xg_baseline_percentile(b, &cfg, XG_M_PPS), 109, 1e-9);
	cfg.percentile = 1;
	CU_ASSERT_DOUBLE_EQUAL(xg_baseline_percentile(b, &cfg, XG_M_PPS), 100, 1e-9);
	/* Halfway: five old, five new. */
	cfg.percentile = 100;
	for (i = 0; i < 5; i++)
		feed(b, &cfg, 5000, t + (uint64_t)(20 + i) * NS);
	cfg.percentile = 50;
	CU_ASSERT_DOUBLE_EQUAL(xg_baseline_percentile(b, &cfg, XG_M_PPS), 109, 1e-9);
	cfg.percentile = 60;
	CU_ASSERT_DOUBLE_EQUAL(xg_baseline_percentile(b, &cfg, XG_M_PPS), 5000, 1e-9);

	/* A collector glitch (NaN, negative) does not get in. */
	xg_baseline_init(b);
	cfg.percentile = 100;
	metric[XG_M_PPS] = NAN;
	metric[XG_M_TCP_PPS] = -5;
	xg_baseline_update(b, &cfg, metric, t);
	CU_ASSERT_EQUAL(b->m[XG_M_PPS].count, 0);
	CU_ASSERT_EQUAL(b->m[XG_M_TCP_PPS].count, 1);
	CU_ASSERT_DOUBLE_EQUAL(xg_baseline_percentile(b, &cfg, XG_M_TCP_PPS), 0, 1e-12);
	free(b);
}

static void test_learning(void)
{
	struct xg_baseline *b = new_baseline();
	struct xg_baseline_cfg cfg;
	uint64_t t = monday_ns() + 12345;
	int i;

	xg_baseline_cfg_defaults(&cfg);
	CU_ASSERT_TRUE(xg_baseline_learning(b, &cfg, t));
	CU_ASSERT_TRUE(xg_baseline_learning(b, &cfg, t + 10000 * NS)); /* still no sample */
	for (i = 0; i < 300; i++) {
		CU_ASSERT_TRUE(xg_baseline_learning(b, &cfg, t + (uint64_t)i * NS));
		feed(b, &cfg, 100, t + (uint64_t)i * NS);
	}
	CU_ASSERT_EQUAL(b->first_ns, t);
	CU_ASSERT_TRUE(xg_baseline_learning(b, &cfg, t + 299 * NS));
	CU_ASSERT_TRUE(xg_baseline_learning(b, &cfg, t + 300 * NS - 1));
	CU_ASSERT_FALSE(xg_baseline_learning(b, &cfg, t + 300 * NS));
	CU_ASSERT_FALSE(xg_baseline_learning(b, &cfg, t + 3000 * NS));
	/* A clock that stepped back does not end learning early. */
	CU_ASSERT_TRUE(xg_baseline_learning(b, &cfg, t - 1000 * NS));
	cfg.learning_s = 0;
	CU_ASSERT_FALSE(xg_baseline_learning(b, &cfg, t));
	free(b);
}

static void test_tow_bucket(void)
{
	uint64_t mon = monday_ns();

	CU_ASSERT_EQUAL(xg_baseline_tow_bucket(mon), 0);
	CU_ASSERT_EQUAL(xg_baseline_tow_bucket(mon + HOUR - 1), 0);
	CU_ASSERT_EQUAL(xg_baseline_tow_bucket(mon + HOUR), 1);
	CU_ASSERT_EQUAL(xg_baseline_tow_bucket(mon + DAY + 9 * HOUR + 1800 * NS), 33);
	CU_ASSERT_EQUAL(xg_baseline_tow_bucket(mon + 7 * DAY - 1), 167);
	CU_ASSERT_EQUAL(xg_baseline_tow_bucket(mon + 7 * DAY), 0);
	CU_ASSERT_EQUAL(xg_baseline_tow_bucket(mon - 1), 167); /* Sunday 23:59 */
}

/* Steady 1000 with a daily 10000 from 09:00 to 10:00 UTC, one sample a
 * minute, a one-hour window: at 09:00 the window holds only 1000s. */
static double daily_peak(uint64_t t)
{
	return (t / HOUR) % 24 == 9 ? 10000 : 1000;
}

static void test_time_of_week(void)
{
	struct xg_baseline *b = new_baseline();
	struct xg_baseline_cfg cfg;
	double thr[XG_M_MAX];
	uint64_t mon = monday_ns(), t;
	int m;

	xg_baseline_cfg_defaults(&cfg);
	no_floors(&cfg);
	cfg.window = 60;

	/* Six days in: the profile is not used yet, whatever it holds. */
	for (t = mon; t < mon + 6 * DAY + 9 * HOUR; t += 60 * NS)
		feed(b, &cfg, daily_peak(t), t);
	xg_baseline_thresholds(b, &cfg, t, thr);
	CU_ASSERT_DOUBLE_EQUAL(thr[XG_M_PPS], 3000, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(thr[XG_M_SIP_REGISTER_PPS], 3000, 1e-6);

	/* A week and more: 09:00 on the second Monday. */
	for (; t < mon + 7 * DAY + 9 * HOUR; t += 60 * NS)
		feed(b, &cfg, daily_peak(t), t);
	CU_ASSERT_EQUAL(xg_baseline_tow_bucket(t), 9);
	CU_ASSERT_DOUBLE_EQUAL(xg_baseline_percentile(b, &cfg, XG_M_PPS), 1000, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(b->m[XG_M_PPS].tow[9], 10000, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(b->m[XG_M_PPS].tow[8], 1000, 1e-6);
	/* The hour after the peak is not a peak: the window lag stays out. */
	CU_ASSERT_DOUBLE_EQUAL(b->m[XG_M_PPS].tow[10], 1000, 1e-6);
	CU_ASSERT_EQUAL(b->m[XG_M_PPS].tow_samples[9], 60);
	xg_baseline_thresholds(b, &cfg, t, thr);
	for (m = 0; m < XG_M_MAX; m++)
		CU_ASSERT_DOUBLE_EQUAL(thr[m], 30000, 1e-6);
	/* So the peak itself does not fire. */
	CU_ASSERT_TRUE(daily_peak(t) < thr[XG_M_PPS]);

	/* Without the profile it would have. */
	cfg.tow_after_s = 8 * 24 * 3600;
	xg_baseline_thresholds(b, &cfg, t, thr);
	CU_ASSERT_DOUBLE_EQUAL(thr[XG_M_PPS], 3000, 1e-6);
	CU_ASSERT_TRUE(daily_peak(t) > thr[XG_M_PPS]);
	cfg.tow_after_s = 7 * 24 * 3600;

	/* Other hours keep their own, lower, thresholds: 08:30 and 15:00;
	 * 08:50 looks ahead to the 09:00 peak. */
	xg_baseline_thresholds(b, &cfg, mon + 7 * DAY + 8 * HOUR + 1800 * NS, thr);
	CU_ASSERT_DOUBLE_EQUAL(thr[XG_M_PPS], 3000, 1e-6);
	xg_baseline_thresholds(b, &cfg, mon + 7 * DAY + 15 * HOUR, thr);
	CU_ASSERT_DOUBLE_EQUAL(thr[XG_M_PPS], 3000, 1e-6);
	xg_baseline_thresholds(b, &cfg, mon + 7 * DAY + 8 * HOUR + 3000 * NS, thr);
	CU_ASSERT_DOUBLE_EQUAL(thr[XG_M_PPS], 30000, 1e-6);

	/* A second week with a lower peak blends in (EWMA 0.3). */
	for (; t < mon + 7 * DAY + 10 * HOUR + 60 * NS; t += 60 * NS)
		feed(b, &cfg, daily_peak(t) == 10000 ? 5000 : 1000, t);
	CU_ASSERT_DOUBLE_EQUAL(b->m[XG_M_PPS].tow[9], 0.7 * 10000 + 0.3 * 5000, 1e-6);
	CU_ASSERT_EQUAL(b->m[XG_M_PPS].tow_samples[9], 120);
	free(b);
}

/* An hour's percentile comes from its histogram: exact for a steady rate,
 * within the bin width otherwise, and one spike does not make it. */
static void test_tow_hour_percentile(void)
{
	struct xg_baseline *b = new_baseline();
	struct xg_baseline_cfg cfg;
	uint64_t mon = monday_ns(), t = mon;
	int i;

	xg_baseline_cfg_defaults(&cfg);
	no_floors(&cfg);
	for (i = 0; i < 3600; i++, t += NS)
		feed(b, &cfg, i == 100 ? 1e6 : 200 + i % 100, t);
	feed(b, &cfg, 0, t); /* the next hour closes this one */
	/* Nearest-rank p99 of 3600 is the 3564th smallest: 299 here. */
	CU_ASSERT_TRUE(b->m[XG_M_PPS].tow[0] >= 299);
	CU_ASSERT_TRUE(b->m[XG_M_PPS].tow[0] <= 299 * 1.0906);
	free(b);
}

static char *temp_path(char *dir, size_t len)
{
	char *p;

	snprintf(dir, len, "/tmp/xg-baseline-XXXXXX");
	p = mkdtemp(dir);
	CU_ASSERT_PTR_NOT_NULL(p);
	return p;
}

static void fill_varied(struct xg_baseline *b, const struct xg_baseline_cfg *cfg, int n,
			uint64_t start)
{
	double metric[XG_M_MAX];
	uint32_t seed = 7;
	int i, m;

	for (i = 0; i < n; i++) {
		for (m = 0; m < XG_M_MAX; m++)
			metric[m] = (double)(lcg(&seed) % 100000) / 3.0 + m;
		xg_baseline_update(b, cfg, metric, start + (uint64_t)i * 60 * NS);
	}
}

static void test_save_load(void)
{
	struct xg_baseline *b = new_baseline(), *l = new_baseline();
	struct xg_baseline_cfg cfg;
	double t1[XG_M_MAX], t2[XG_M_MAX];
	char dir[64], path[128], err[256];
	uint64_t start = monday_ns() + 5 * DAY;
	int m;

	xg_baseline_cfg_defaults(&cfg);
	cfg.tow_after_s = 3600;
	fill_varied(b, &cfg, 500, start); /* 500 minutes: window full, 8 hours of profile */
	temp_path(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/baseline.json", dir);
	CU_ASSERT_EQUAL(xg_baseline_save(b, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(access(path, F_OK), 0);
	snprintf(err, sizeof(err), "%s/baseline.json.tmp", dir);
	CU_ASSERT_NOT_EQUAL(access(err, F_OK), 0); /* renamed away */

	CU_ASSERT_EQUAL(xg_baseline_load(l, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(l->first_ns, b->first_ns);
	CU_ASSERT_EQUAL(l->last_ns, b->last_ns);
	CU_ASSERT_EQUAL(l->samples, b->samples);
	CU_ASSERT_EQUAL(l->hour, b->hour);
	for (m = 0; m < XG_M_MAX; m++) {
		CU_ASSERT_EQUAL(l->m[m].count, b->m[m].count);
		CU_ASSERT_EQUAL(memcmp(l->m[m].tow, b->m[m].tow, sizeof(b->m[m].tow)), 0);
		CU_ASSERT_EQUAL(
		    memcmp(l->m[m].tow_samples, b->m[m].tow_samples, sizeof(b->m[m].tow_samples)),
		    0);
		CU_ASSERT_EQUAL(
		    memcmp(l->m[m].hour_hist, b->m[m].hour_hist, sizeof(b->m[m].hour_hist)), 0);
		CU_ASSERT_EQUAL(l->m[m].hour_n, b->m[m].hour_n);
		CU_ASSERT_EQUAL(l->m[m].hour_max, b->m[m].hour_max);
		CU_ASSERT_EQUAL(xg_baseline_percentile(l, &cfg, m),
				xg_baseline_percentile(b, &cfg, m));
	}
	xg_baseline_thresholds(b, &cfg, b->last_ns + 60 * NS, t1);
	xg_baseline_thresholds(l, &cfg, b->last_ns + 60 * NS, t2);
	CU_ASSERT_EQUAL(memcmp(t1, t2, sizeof(t1)), 0);
	/* And both go on the same way. */
	fill_varied(b, &cfg, 100, b->last_ns + 60 * NS);
	fill_varied(l, &cfg, 100, l->last_ns + 60 * NS);
	for (m = 0; m < XG_M_MAX; m++)
		CU_ASSERT_EQUAL(xg_baseline_percentile(l, &cfg, m),
				xg_baseline_percentile(b, &cfg, m));

	unlink(path);
	rmdir(dir);
	free(b);
	free(l);
}

static void test_load_window_change(void)
{
	struct xg_baseline *b = new_baseline(), *l = new_baseline();
	struct xg_baseline_cfg cfg, small, big;
	char dir[64], path[128], err[256];
	uint64_t t = monday_ns();
	int i;

	xg_baseline_cfg_defaults(&cfg);
	for (i = 0; i < 300; i++)
		feed(b, &cfg, i < 200 ? 5000 + i : 100 + i, t + (uint64_t)i * NS);
	temp_path(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/baseline.json", dir);
	CU_ASSERT_EQUAL_FATAL(xg_baseline_save(b, path, err, sizeof(err)), 0);

	/* Shrunk to 100: only the newest 100 samples (200..299 -> 300..399). */
	small = cfg;
	small.window = 100;
	CU_ASSERT_EQUAL_FATAL(xg_baseline_load(l, path, err, sizeof(err)), 0);
	small.percentile = 100;
	CU_ASSERT_DOUBLE_EQUAL(xg_baseline_percentile(l, &small, XG_M_PPS), 399, 1e-9);
	small.percentile = 1;
	CU_ASSERT_DOUBLE_EQUAL(xg_baseline_percentile(l, &small, XG_M_PPS), 300, 1e-9);
	feed(l, &small, 42, t + 300 * NS);
	CU_ASSERT_EQUAL(l->m[XG_M_PPS].count, 100);
	small.percentile = 1;
	CU_ASSERT_DOUBLE_EQUAL(xg_baseline_percentile(l, &small, XG_M_PPS), 42, 1e-9);
	small.percentile = 100;
	CU_ASSERT_DOUBLE_EQUAL(xg_baseline_percentile(l, &small, XG_M_PPS), 399, 1e-9);

	/* Grown to 600: all 300 kept, and the window fills on. */
	big = cfg;
	big.window = 600;
	CU_ASSERT_EQUAL_FATAL(xg_baseline_load(l, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(l->m[XG_M_PPS].count, 300);
	big.percentile = 100;
	CU_ASSERT_DOUBLE_EQUAL(xg_baseline_percentile(l, &big, XG_M_PPS), 5199, 1e-9);
	for (i = 0; i < 200; i++)
		feed(l, &big, 1, t + (uint64_t)(300 + i) * NS);
	CU_ASSERT_EQUAL(l->m[XG_M_PPS].count, 500);
	big.percentile = 60; /* rank 300 of 500: 200 ones, then 100..399 */
	CU_ASSERT_DOUBLE_EQUAL(xg_baseline_percentile(l, &big, XG_M_PPS), 399, 1e-9);

	unlink(path);
	rmdir(dir);
	free(b);
	free(l);
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* Replaces the first occurrence of from by to in a saved file. */
static int edit_file(const char *path, const char *from, const char *to)
{
	FILE *f = fopen(path, "r");
	char *buf, *hit, *out;
	long len;
	int ret;

	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)len + 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	hit = strstr(buf, from);
	if (!hit) {
		free(buf);
		return -1;
	}
	out = malloc((size_t)len + strlen(to) + 1);
	if (!out) {
		free(buf);
		return -1;
	}
	memcpy(out, buf, (size_t)(hit - buf));
	strcpy(out + (hit - buf), to);
	strcat(out, hit + strlen(from));
	ret = write_text(path, out);
	free(out);
	free(buf);
	return ret;
}

static void expect_bad(const char *path, struct xg_baseline *l, const char *needle)
{
	char err[256] = "";
	int ret = xg_baseline_load(l, path, err, sizeof(err));

	CU_ASSERT_TRUE(ret < 0);
	CU_ASSERT_NOT_EQUAL(ret, -ENOENT);
	CU_ASSERT_TRUE(strlen(err) > 0);
	CU_ASSERT_PTR_NULL(strchr(err, '\n'));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
	if (needle && !strstr(err, needle)) {
		fprintf(stderr, "\nexpected '%s' in: %s\n", needle, err);
		CU_FAIL("error message");
	}
}

static void test_load_errors(void)
{
	struct xg_baseline *b = new_baseline(), *l = new_baseline();
	struct xg_baseline_cfg cfg;
	char dir[64], path[128], good[128], err[256];
	uint64_t t = monday_ns();
	int i;

	xg_baseline_cfg_defaults(&cfg);
	temp_path(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/baseline.json", dir);
	snprintf(good, sizeof(good), "%s/good.json", dir);

	err[0] = '\0';
	CU_ASSERT_EQUAL(xg_baseline_load(l, path, err, sizeof(err)), -ENOENT);

	/* l holds something; a failed load must leave it alone. */
	for (i = 0; i < 10; i++)
		feed(l, &cfg, 77, t + (uint64_t)i * NS);
	for (i = 0; i < 20; i++)
		feed(b, &cfg, 5, t + (uint64_t)i * NS);
	CU_ASSERT_EQUAL_FATAL(xg_baseline_save(b, good, err, sizeof(err)), 0);

	CU_ASSERT_EQUAL(write_text(path, ""), 0);
	expect_bad(path, l, "not valid JSON");
	CU_ASSERT_EQUAL(write_text(path, "{\"format\": \"xdpguard-baseline\", \"vers"), 0);
	expect_bad(path, l, "not valid JSON");
	CU_ASSERT_EQUAL(write_text(path, "[1, 2, 3]"), 0);
	expect_bad(path, l, "not an xdpguard baseline");
	CU_ASSERT_EQUAL(write_text(path, "{\"format\": \"xdpguard-baseline\", \"version\": 1} x"),
			0);
	expect_bad(path, l, "trailing data");

	CU_ASSERT_EQUAL(xg_baseline_save(b, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(edit_file(path, "\"version\":1", "\"version\":99"), 0);
	expect_bad(path, l, "version 99");

	CU_ASSERT_EQUAL(xg_baseline_save(b, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(edit_file(path, "\"tow\":[", "\"tow\":[1.5,"), 0);
	expect_bad(path, l, "168");

	CU_ASSERT_EQUAL(xg_baseline_save(b, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(edit_file(path, "\"window\":[", "\"window\":[\"five\","), 0);
	expect_bad(path, l, "not a number");

	CU_ASSERT_EQUAL(xg_baseline_save(b, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(edit_file(path, "\"window\":[", "\"window\":[-5,"), 0);
	expect_bad(path, l, ">= 0");

	CU_ASSERT_EQUAL(xg_baseline_save(b, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(edit_file(path, "\"first_ns\":", "\"first\":"), 0);
	expect_bad(path, l, "first_ns");

	CU_ASSERT_EQUAL(xg_baseline_save(b, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(edit_file(path, "\"hour_hist\":[0", "\"hour_hist\":[0.5"), 0);
	expect_bad(path, l, "not a count");

	/* Truncated in the middle, as after a crash without the rename. */
	CU_ASSERT_EQUAL(xg_baseline_save(b, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(truncate(path, 1000), 0);
	expect_bad(path, l, "not valid JSON");

	/* Nothing of the above got into l. */
	CU_ASSERT_EQUAL(l->samples, 10);
	CU_ASSERT_DOUBLE_EQUAL(xg_baseline_percentile(l, &cfg, XG_M_PPS), 77, 1e-9);
	/* The good file still loads. */
	CU_ASSERT_EQUAL(xg_baseline_load(l, good, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(l->samples, 20);

	/* Saving where nothing can be written is an error with a reason. */
	err[0] = '\0';
	CU_ASSERT_TRUE(xg_baseline_save(b, "/nonexistent-dir/baseline.json", err, sizeof(err)) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent-dir/baseline.json.tmp"));

	unlink(path);
	unlink(good);
	rmdir(dir);
	free(b);
	free(l);
}

void add_baseline_suite(void)
{
	CU_pSuite s = CU_add_suite("baseline", NULL, NULL);

	CU_add_test(s, "defaults", test_defaults);
	CU_add_test(s, "nearest-rank percentile", test_percentile_exact);
	CU_add_test(s, "percentile against sorting", test_percentile_random);
	CU_add_test(s, "floors and multiplier", test_floors);
	CU_add_test(s, "the window rolls", test_window_roll);
	CU_add_test(s, "learning period", test_learning);
	CU_add_test(s, "time-of-week buckets", test_tow_bucket);
	CU_add_test(s, "time-of-week profile carries a daily peak", test_time_of_week);
	CU_add_test(s, "an hour's percentile in the profile", test_tow_hour_percentile);
	CU_add_test(s, "save and load round trip", test_save_load);
	CU_add_test(s, "load with another window size", test_load_window_change);
	CU_add_test(s, "load errors leave the baseline alone", test_load_errors);
}
