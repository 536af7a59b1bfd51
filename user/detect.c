// SPDX-License-Identifier: GPL-2.0-only
/* Incidents from threshold crossings. The caller owns the state and the
 * clock; nothing here reads the time or keeps anything between calls. */
#include "detect.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define NS_PER_S 1000000000ULL

/* An update is worth reporting when the peak grew by this factor since the
 * last report: smaller steps are noise in a flood that ramps up. */
#define PEAK_GROWTH_REPORT 1.5

void xg_detect_cfg_defaults(struct xg_detect_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->close_ticks = 5;
}

void xg_detector_init(struct xg_detector *d, uint64_t next_seq)
{
	memset(d, 0, sizeof(*d));
	d->next_seq = next_seq;
}

uint64_t xg_detect_fired(const struct xg_snapshot *s, const double thr[XG_M_MAX])
{
	uint64_t fired = 0;
	int m;

	/* Written so a NaN on either side never fires. */
	for (m = 0; m < XG_M_MAX; m++)
		if (s->metric[m] > thr[m])
			fired |= 1ULL << m;
	return fired;
}

static void format_id(char *buf, size_t len, uint64_t now_ns, uint64_t seq)
{
	time_t t = (time_t)(now_ns / NS_PER_S);
	char stamp[24] = "19700101T000000Z";
	struct tm tm;

	if (gmtime_r(&t, &tm))
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(buf, len, "%s-%llu", stamp, (unsigned long long)seq);
}

static void open_incident(struct xg_detector *d, const struct xg_snapshot *s,
			  const double thr[XG_M_MAX], bool learning, uint64_t now_ns,
			  uint64_t fired, const struct xg_class *cls)
{
	struct xg_incident *inc = &d->cur;
	int i;

	memset(inc, 0, sizeof(*inc));
	inc->seq = d->next_seq++;
	format_id(inc->id, sizeof(inc->id), now_ns, inc->seq);
	inc->start_ns = now_ns;
	inc->last_ns = now_ns;
	inc->peak_pps = s->metric[XG_M_PPS];
	inc->peak_bps = s->metric[XG_M_BPS];
	inc->fired = fired;
	memcpy(inc->peak_metric, s->metric, sizeof(inc->peak_metric));
	memcpy(inc->threshold_at_open, thr, sizeof(inc->threshold_at_open));
	inc->cls = *cls;
	for (i = 0; i < s->n_top_dst && i < XG_TOP_VICTIMS; i++)
		inc->victims[i] = s->top_dst[i].addr;
	inc->n_victims = i;
	inc->learning = learning;
	d->report_pps = inc->peak_pps;
	d->open = true;
}

enum xg_detect_event xg_detect_step(struct xg_detector *d, const struct xg_detect_cfg *cfg,
				    const struct xg_snapshot *s, const double thr[XG_M_MAX],
				    bool learning, uint64_t now_ns, struct xg_class *cls_out)
{
	uint64_t fired = xg_detect_fired(s, thr);
	struct xg_incident *inc = &d->cur;
	int close_ticks = cfg->close_ticks > 0 ? cfg->close_ticks : 1;
	bool report = false;
	struct xg_class cls;
	int m;

	memset(&cls, 0, sizeof(cls));
	if (fired)
		xg_classify(s, thr, fired, &cls);
	if (cls_out)
		*cls_out = cls;

	if (!d->open) {
		if (!fired)
			return XG_EV_NONE;
		if (!cls.attack)
			return XG_EV_SURGE;
		open_incident(d, s, thr, learning, now_ns, fired, &cls);
		return XG_EV_OPEN;
	}

	inc->last_ns = now_ns;
	for (m = 0; m < XG_M_MAX; m++)
		if (s->metric[m] > inc->peak_metric[m])
			inc->peak_metric[m] = s->metric[m];
	/* The attack's size: what reached the host plus what mitigation
	 * dropped. */
	if (s->metric[XG_M_PPS] + s->mitigated_pps > inc->peak_pps)
		inc->peak_pps = s->metric[XG_M_PPS] + s->mitigated_pps;
	if (s->metric[XG_M_BPS] > inc->peak_bps)
		inc->peak_bps = s->metric[XG_M_BPS];

	if (!fired) {
		/* The metrics fall once mitigation drops the attack; what is
		 * still being dropped says whether the attack goes on. */
		if (s->mitigated_pps >= XG_DETECT_SUSTAIN_MIN_PPS &&
		    s->mitigated_pps >= XG_DETECT_SUSTAIN_SHARE * inc->peak_pps) {
			inc->under_ticks = 0;
			return XG_EV_NONE;
		}
		if (++inc->under_ticks >= close_ticks) {
			inc->end_ns = now_ns;
			d->open = false;
			return XG_EV_CLOSE;
		}
		return XG_EV_NONE;
	}

	inc->under_ticks = 0;
	if (fired & ~inc->fired)
		report = true;
	inc->fired |= fired;
	if (strcmp(cls.family, inc->cls.family) || strcmp(cls.subtype, inc->cls.subtype))
		report = true;
	inc->cls = cls;
	if (d->report_pps > 0 ? inc->peak_pps >= PEAK_GROWTH_REPORT * d->report_pps
			      : inc->peak_pps > 0)
		report = true;
	if (!report)
		return XG_EV_NONE;
	inc->updates++;
	d->report_pps = inc->peak_pps;
	return XG_EV_UPDATE;
}
