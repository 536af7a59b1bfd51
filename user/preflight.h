/* SPDX-License-Identifier: GPL-2.0-only */
/* Checks before touching the kernel, each failing with one clear line:
 * privileges, bpffs, kernel version. */
#ifndef XG_PREFLIGHT_H
#define XG_PREFLIGHT_H

#include <stddef.h>

#define XG_MIN_KERNEL_MAJOR 5
#define XG_MIN_KERNEL_MINOR 10

/* Root, or CAP_BPF + CAP_NET_ADMIN (or CAP_SYS_ADMIN). */
int xg_check_privileges(char *err, size_t errlen);

/* bpffs mounted at the parent of pin_dir. */
int xg_check_bpffs(const char *pin_dir, char *err, size_t errlen);

/* Parses "5.10.0-..." style releases; pure, for tests. Returns 1 when
 * release is at least XG_MIN_KERNEL, 0 when older, -1 when unparseable. */
int xg_kernel_release_ok(const char *release);

int xg_check_kernel(char *err, size_t errlen);

#endif
