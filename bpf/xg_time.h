/* SPDX-License-Identifier: GPL-2.0-only */
/* The program's clock: CLOCK_MONOTONIC, as userspace writes expiries. */
#ifndef XG_TIME_H
#define XG_TIME_H

#include <linux/bpf.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

static __always_inline __u64 xg_now(void)
{
	/* Expiry needs tick precision, not nanoseconds; the coarse clock is
	 * several times cheaper where the kernel has it (5.11+). */
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_ktime_get_coarse_ns))
		return bpf_ktime_get_coarse_ns();
	return bpf_ktime_get_ns();
}

#endif /* XG_TIME_H */
