/* SPDX-License-Identifier: GPL-2.0-only */
/* Files in the state dir: written whole or not at all. */
#ifndef XG_FSUTIL_H
#define XG_FSUTIL_H

#include <stddef.h>

/* Writes data to path through path.tmp, fsync, rename and a directory
 * fsync, so a crash leaves the old file or the new one. */
int xg_write_atomic(const char *path, const void *data, size_t len, char *err, size_t errlen);

/* The same without the syncs: readers never see a half-written file, but a
 * power loss may lose the write. For status snapshots rewritten several
 * times a second, where the next write replaces a lost one anyway. */
int xg_write_replace(const char *path, const void *data, size_t len, char *err, size_t errlen);

/* Reads a whole file (at most max bytes) into a NUL-terminated buffer the
 * caller frees. Returns -ENOENT when it does not exist. */
int xg_read_file(const char *path, size_t max, char **out, size_t *len, char *err, size_t errlen);

/* fsync of the directory holding path: a rename into it is durable only
 * once the directory is synced. 0 or -errno. */
int xg_fsync_dir_of(const char *path);

/* mkdir -p with mode 0700 for the last component. */
int xg_mkdir_p(const char *path, char *err, size_t errlen);

#endif
