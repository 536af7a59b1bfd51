// SPDX-License-Identifier: GPL-2.0-only
/*
 * planner_bench: the time one mitigation plan takes. The planner is pure,
 * so this calls xg_plan() on a synthetic attack snapshot, the busiest case
 * the controller meets: 32 top sources (the snapshot's maximum), a quarter
 * of them crowding into two /24s (aggregation), one preserved peer inside a
 * crowded /24 (the split around it), many distinct sources (protect mode)
 * and a UDP service. Prints the median ns per plan over ROUNDS of N calls.
 *
 *   planner_bench [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "planner.h"

#define ROUNDS 9

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* 198.18.0.0/15 (RFC 2544, benchmarking): data only, nothing is sent. */
static void host(struct xg_cidr *c, int a, int b)
{
	char text[32], err[128];

	snprintf(text, sizeof(text), "198.18.%d.%d", a, b);
	if (xg_cidr_parse(text, c, err, sizeof(err))) {
		fprintf(stderr, "planner_bench: %s\n", err);
		exit(1);
	}
}

static bool preserved(void *arg, const struct xg_cidr *h)
{
	return xg_cidr_contains((const struct xg_cidr *)arg, h);
}

static bool covers(void *arg, const struct xg_cidr *prefix)
{
	return xg_cidr_contains(prefix, (const struct xg_cidr *)arg);
}

static bool never(void *arg, const struct xg_cidr *h)
{
	(void)arg;
	(void)h;
	return false;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	static struct xg_snapshot s;
	static struct xg_plan plan;
	struct xg_incident inc;
	struct xg_plan_cfg cfg;
	struct xg_cidr peer;
	struct xg_preserved keep = {preserved, covers, never, &peer};
	double peace[XG_SVC_MAX] = {0}, v[ROUNDS];
	long n = argc > 1 ? atol(argv[1]) : 100000;
	int i, r;

	if (n < 1) {
		fprintf(stderr, "usage: planner_bench [N]\n");
		return 2;
	}
	xg_plan_cfg_defaults(&cfg);
	memset(&inc, 0, sizeof(inc));
	snprintf(inc.cls.family, sizeof(inc.cls.family), "udp_flood");
	snprintf(inc.cls.service, sizeof(inc.cls.service), "sip-udp");
	inc.cls.attack = true;
	inc.cls.confidence = 90;
	s.n_top_src = XG_TOP_SOURCES;
	for (i = 0; i < XG_TOP_SOURCES; i++) {
		/* 8 in two /24s, the rest spread out */
		host(&s.top_src[i].addr, i < 8 ? 1 + i / 4 : 10 + i, i < 8 ? 10 + i : 7);
		s.top_src[i].pps = 20000.0 - 300.0 * i;
		s.top_src[i].samples = 100;
	}
	host(&peer, 1, 200); /* a preserved peer inside the first crowded /24 */
	s.distinct_sources = 5000;
	s.new_source_share = 0.9;
	s.svc_pps[XG_SVC_SIP_UDP] = 700000;
	peace[XG_SVC_SIP_UDP] = 300;

	xg_plan(&cfg, &inc, &s, &keep, peace, &plan);
	for (r = 0; r < ROUNDS; r++) {
		uint64_t t0 = mono_ns();
		long k;

		for (k = 0; k < n; k++)
			xg_plan(&cfg, &inc, &s, &keep, peace, &plan);
		v[r] = (double)(mono_ns() - t0) / (double)n;
	}
	qsort(v, ROUNDS, sizeof(v[0]), cmp);
	printf("planner: %.0f ns per plan (median of %d rounds of %ld; %d steps: 32 top sources, "
	       "2 crowded /24s, a peer split out, protect mode)\n",
	       v[ROUNDS / 2], ROUNDS, n, plan.n);
	return 0;
}
