/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What normal looks like, per metric: a rolling window of samples (the
 * threshold is multiplier x the window's percentile, never under the
 * metric's floor), a time-of-week profile (168 hourly buckets) used once a
 * week of data exists, and a learning period during which the node only
 * monitors. Pure functions over a clock value; saving and loading are the
 * only I/O.
 */
#ifndef XG_BASELINE_H
#define XG_BASELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics.h"

#define XG_BASELINE_WINDOW_MAX	3600
#define XG_TOW_BUCKETS		168				   /* hours in a week */
#define XG_HOUR_BINS_PER_OCTAVE 8				   /* about 9% resolution */
#define XG_HOUR_BINS		(1 + 40 * XG_HOUR_BINS_PER_OCTAVE) /* [0,1), then up to 2^40 */

struct xg_baseline_cfg {
	int window;	     /* samples in the rolling window (default 300) */
	double multiplier;   /* threshold = multiplier x percentile (default 3) */
	double percentile;   /* default 99 */
	uint64_t learning_s; /* monitor-only period from the first sample (default 300) */
	/* use the time-of-week profile once this much data exists (default 7 days) */
	uint64_t tow_after_s;
	double floor[XG_M_MAX]; /* per-metric floors (defaults: xg_metric_default_floor) */
};

struct xg_metric_baseline {
	/* The newest samples, indexed modulo XG_BASELINE_WINDOW_MAX (not
	 * window), so a window change needs no reshuffling. */
	double ring[XG_BASELINE_WINDOW_MAX];
	int count; /* valid samples, <= window (more only after loading a bigger window) */
	int head;  /* next slot to write */
	/* per hour of week: the hour's percentile, blended across weeks */
	double tow[XG_TOW_BUCKETS];
	uint32_t tow_samples[XG_TOW_BUCKETS];
	/* The hour being recorded (b->hour), for its own percentile when it
	 * ends: a log histogram, XG_HOUR_BINS_PER_OCTAVE bins per doubling. */
	uint32_t hour_hist[XG_HOUR_BINS];
	uint32_t hour_n;
	double hour_max;
};

struct xg_baseline {
	uint64_t first_ns; /* clock time of the first sample, 0 = none yet */
	uint64_t last_ns;
	uint64_t samples;
	uint64_t hour; /* hours since the epoch of the samples in hour_hist */
	struct xg_metric_baseline m[XG_M_MAX];
};

void xg_baseline_cfg_defaults(struct xg_baseline_cfg *cfg);

void xg_baseline_init(struct xg_baseline *b);

/* Adds one tick's rates. The controller calls it only outside incidents, so
 * an attack never becomes normal. */
void xg_baseline_update(struct xg_baseline *b, const struct xg_baseline_cfg *cfg,
			const double metric[XG_M_MAX], uint64_t now_ns);

/* The threshold of every metric at now_ns. */
void xg_baseline_thresholds(const struct xg_baseline *b, const struct xg_baseline_cfg *cfg,
			    uint64_t now_ns, double thr[XG_M_MAX]);

/* True while in the learning period (monitor-only). */
bool xg_baseline_learning(const struct xg_baseline *b, const struct xg_baseline_cfg *cfg,
			  uint64_t now_ns);

/* The current percentile of one metric's window (0 when empty). */
double xg_baseline_percentile(const struct xg_baseline *b, const struct xg_baseline_cfg *cfg,
			      int metric);

/* The time-of-week bucket of a clock value: hours since Monday 00:00 UTC. */
int xg_baseline_tow_bucket(uint64_t now_ns);

/* JSON in a file, written to a temporary file, fsync'd, then renamed. */
int xg_baseline_save(const struct xg_baseline *b, const char *path, char *err, size_t errlen);

/* Returns -ENOENT when there is no file (a first start), another negative
 * errno with err set when the file is unreadable or malformed; b is left
 * as it was on any error. The file may hold more samples than cfg->window
 * (the window shrank): every function uses only the newest cfg->window
 * samples and the next update drops the rest. */
int xg_baseline_load(struct xg_baseline *b, const char *path, char *err, size_t errlen);

#endif
