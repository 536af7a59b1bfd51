/* SPDX-License-Identifier: GPL-2.0-only */
/* One writer at a time for the shared maps: xdpctl commands and the
 * controller read-modify-write xg_config, so they take this lock first. */
#ifndef XG_LOCK_H
#define XG_LOCK_H

#include <stddef.h>

#define XG_LOCK_FILE "/run/xdpguard.lock"

/* Blocks until the lock is held; returns the fd to pass to xg_unlock, or a
 * negative errno with err set. */
int xg_lock(char *err, size_t errlen);
void xg_unlock(int fd);

#endif
