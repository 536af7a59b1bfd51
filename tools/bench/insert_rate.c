// SPDX-License-Identifier: GPL-2.0-only
/*
 * Block insertion rate: N /32 entries through xg_list_add_many (one batch
 * update per map, what the controller's applier uses), into a private copy
 * of the program's maps. Median of 3 runs, each into emptied maps.
 *
 * usage: insert_rate [N]
 */
#include <arpa/inet.h>
#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lists.h"
#include "loader.h"
#include "maps.h"
#include "rtcfg.h"
#include "xdpguard.skel.h"

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int quiet(enum libbpf_print_level l, const char *f, va_list ap)
{
	(void)l;
	(void)f;
	(void)ap;
	return 0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100000, i, r;
	struct xdpguard_bpf *skel;
	struct xg_cidr *c;
	struct xg_block *v;
	struct xg_maps m;
	double rate[3];
	char err[256];

	libbpf_set_print(quiet);
	if (n <= 0 || (unsigned int)n > XG_BLOCK_EXACT_MAX) {
		fprintf(stderr, "insert_rate: N must be 1-%u\n", XG_BLOCK_EXACT_MAX);
		return 2;
	}
	c = calloc((size_t)n, sizeof(*c));
	v = calloc((size_t)n, sizeof(*v));
	if (!c || !v)
		return 1;
	for (i = 0; i < n; i++) {
		uint32_t a = htonl(0x0a000000u + (uint32_t)i);

		c[i].family = AF_INET;
		c[i].prefixlen = 32;
		memcpy(c[i].addr, &a, 4);
	}
	for (r = 0; r < 3; r++) {
		double t;

		skel = xg_skel_load_private(err, sizeof(err));
		if (!skel) {
			fprintf(stderr, "insert_rate: %s\n", err);
			return 1;
		}
		xg_maps_from_skel(skel, &m);
		if (xg_rtcfg_init(&m, err, sizeof(err)))
			return 1;
		t = now_s();
		if (xg_list_add_many(&m, XG_LIST_BLOCK, c, v, (size_t)n, err, sizeof(err))) {
			fprintf(stderr, "insert_rate: %s\n", err);
			return 1;
		}
		rate[r] = n / (now_s() - t);
		xg_maps_close(&m);
		xdpguard_bpf__destroy(skel);
	}
	qsort(rate, 3, sizeof(rate[0]), cmp);
	printf("block insertion: %d /32 entries in one batch, median of 3: %.0f entries/s "
	       "(target >= 100000: %s)\n",
	       n, rate[1], rate[1] >= 100000 ? "PASS" : "FAIL");
	free(c);
	free(v);
	return 0;
}
