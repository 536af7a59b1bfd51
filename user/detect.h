/* SPDX-License-Identifier: GPL-2.0-only */
/* Threshold crossings with hysteresis into incidents: open in the tick a
 * metric crosses its threshold, close after close_ticks ticks under it.
 * Pure: the state is the caller's, the time comes in as an argument. */
#ifndef XG_DETECT_H
#define XG_DETECT_H

#include <stdbool.h>
#include <stdint.h>

#include "classify.h"
#include "snapshot.h"

/* An open incident stays open while mitigation still drops at least this
 * many pps and this share of the incident's peak. */
#define XG_DETECT_SUSTAIN_MIN_PPS 100.0
#define XG_DETECT_SUSTAIN_SHARE	  0.05

struct xg_detect_cfg {
	int close_ticks; /* consecutive ticks under every threshold to close (default 5) */
};

struct xg_incident {
	uint64_t seq; /* increasing per node */
	char id[40];  /* "20261121T221903Z-3": start time (UTC) and seq */
	uint64_t start_ns;
	uint64_t end_ns; /* 0 while open */
	uint64_t last_ns;
	double peak_pps; /* of all traffic while open */
	double peak_bps;
	uint64_t fired; /* every metric that fired while open, (1ULL << m) */
	double peak_metric[XG_M_MAX];
	double threshold_at_open[XG_M_MAX];
	struct xg_class cls; /* the latest classification */
	struct xg_cidr victims[XG_TOP_VICTIMS];
	int n_victims;
	bool learning; /* opened in the learning period: monitor-only */
	int under_ticks;
	int updates;
};

struct xg_detector {
	bool open;
	struct xg_incident cur;
	uint64_t next_seq; /* seq of the next incident (persisted by the caller) */
	double report_pps; /* cur.peak_pps when the last open or update was reported */
};

enum xg_detect_event {
	XG_EV_NONE = 0,
	XG_EV_OPEN,
	XG_EV_UPDATE, /* classification, fired metrics or peak changed materially */
	XG_EV_CLOSE,
	XG_EV_SURGE, /* over threshold, but classified benign: no incident */
};

void xg_detect_cfg_defaults(struct xg_detect_cfg *cfg);

void xg_detector_init(struct xg_detector *d, uint64_t next_seq);

/*
 * One tick. thr is this tick's thresholds; learning marks incidents
 * monitor-only. Returns the event; the incident (open, updated or just
 * closed) is in d->cur. *cls_out receives this tick's classification when
 * anything fired (else it is zeroed).
 */
enum xg_detect_event xg_detect_step(struct xg_detector *d, const struct xg_detect_cfg *cfg,
				    const struct xg_snapshot *s, const double thr[XG_M_MAX],
				    bool learning, uint64_t now_ns, struct xg_class *cls_out);

/* Bitmask of the metrics over their threshold. */
uint64_t xg_detect_fired(const struct xg_snapshot *s, const double thr[XG_M_MAX]);

#endif
