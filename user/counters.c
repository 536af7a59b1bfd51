// SPDX-License-Identifier: GPL-2.0-only
#include "counters.h"
#include "cli.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* struct xg_stats is all __u64, so it sums as an array of them. */
#define STATS_WORDS (sizeof(struct xg_stats) / sizeof(__u64))
_Static_assert(sizeof(struct xg_stats) % sizeof(__u64) == 0, "xg_stats must be all __u64");

static int read_stats(const struct xg_maps *m, int ncpu, struct xg_stats *out)
{
	struct xg_stats *percpu = calloc((size_t)ncpu, sizeof(*percpu));
	__u64 *dst = (__u64 *)out;
	__u32 zero = 0;
	int cpu, ret = 0;
	size_t w;

	if (!percpu)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	if (bpf_map_lookup_elem(m->stats, &zero, percpu)) {
		ret = -errno;
		goto out;
	}
	for (cpu = 0; cpu < ncpu; cpu++) {
		const __u64 *src = (const __u64 *)&percpu[cpu];

		for (w = 0; w < STATS_WORDS; w++)
			dst[w] += src[w];
	}
	/* The sampling sequence is a per-CPU cursor, not a count to sum. */
	out->sample_seq = 0;
out:
	free(percpu);
	return ret;
}

/* Sums the CPUs' blocks of the mmapped per-port counters. */
static void read_ports(const struct xg_maps *m, uint64_t *out)
{
	size_t cpu, k;

	memset(out, 0, 2 * XG_PORTS * sizeof(*out));
	for (cpu = 0; m->port_mem && cpu < m->port_cpus; cpu++) {
		const __u64 *blk = m->port_mem + cpu * 2 * XG_PORTS;

		for (k = 0; k < 2 * XG_PORTS; k++)
			out[k] += blk[k];
	}
}

int xg_counters_read_stats(const struct xg_maps *m, struct xg_stats *out)
{
	int ncpu = libbpf_num_possible_cpus();

	return ncpu <= 0 ? -EINVAL : read_stats(m, ncpu, out);
}

/* Puts x into the sorted top list (busiest first) when it belongs there. */
static void top_insert(struct xg_port_count *top, int *n, int max, struct xg_port_count x)
{
	int j;

	if (*n == max && x.packets <= top[*n - 1].packets)
		return;
	if (*n < max)
		(*n)++;
	for (j = *n - 1; j > 0 && top[j - 1].packets < x.packets; j--)
		top[j] = top[j - 1];
	top[j] = x;
}

int xg_counters_update_ports(const struct xg_maps *m, uint64_t *tot, struct xg_port_count *top,
			     int max)
{
	size_t cpu, k;
	int n = 0;

	for (k = 0; k < 2 * XG_PORTS; k++) {
		uint64_t sum = 0, d;

		for (cpu = 0; m->port_mem && cpu < m->port_cpus; cpu++)
			sum += m->port_mem[cpu * 2 * XG_PORTS + k];
		/* counters only grow; a reloaded program starts again at 0 */
		d = sum > tot[k] ? sum - tot[k] : 0;
		tot[k] = sum;
		if (d && max > 0)
			top_insert(
			    top, &n, max,
			    (struct xg_port_count){(int)(k / XG_PORTS), (int)(k % XG_PORTS), d});
	}
	return n;
}

int xg_counters_read(const struct xg_maps *m, struct xg_counters *out)
{
	int ncpu = libbpf_num_possible_cpus();
	int ret;

	if (ncpu <= 0)
		return -EINVAL;
	out->mono_ns = xg_mono_ns();
	ret = read_stats(m, ncpu, &out->st);
	if (!ret)
		read_ports(m, out->port);
	return ret;
}

static uint64_t sub(uint64_t a, uint64_t b)
{
	return b >= a ? b - a : 0;
}

void xg_stats_delta(const struct xg_stats *a, const struct xg_stats *b, struct xg_stats *out)
{
	const __u64 *sa = (const __u64 *)a, *sb = (const __u64 *)b;
	__u64 *so = (__u64 *)out;
	size_t i;

	for (i = 0; i < STATS_WORDS; i++)
		so[i] = sub(sa[i], sb[i]);
}

void xg_counters_delta(const struct xg_counters *a, const struct xg_counters *b,
		       struct xg_counters *out)
{
	size_t i;

	xg_stats_delta(&a->st, &b->st, &out->st);
	for (i = 0; i < 2 * XG_PORTS; i++)
		out->port[i] = sub(a->port[i], b->port[i]);
	out->mono_ns = sub(a->mono_ns, b->mono_ns);
}

int xg_counters_top_ports(const struct xg_counters *d, struct xg_port_count *out, int max)
{
	int n = 0, k;

	if (max <= 0)
		return 0;
	for (k = 0; k < 2 * XG_PORTS; k++)
		if (d->port[k])
			top_insert(out, &n, max,
				   (struct xg_port_count){k / XG_PORTS, k % XG_PORTS, d->port[k]});
	return n;
}
