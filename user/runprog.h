/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Running a helper program (gobgp, birdc, vtysh, a scrubbing hook) the
 * safe way: an argument vector, never a shell, stdin from a buffer, stdout
 * and stderr captured together up to a limit, and a hard timeout after which
 * the child is killed. Safe to call from worker threads (posix_spawn).
 */
#ifndef XG_RUNPROG_H
#define XG_RUNPROG_H

#include <stddef.h>

/*
 * Runs argv[0] (searched in PATH when it has no '/') with argv, feeding
 * input (may be NULL) to its stdin. out gets stdout and stderr, NUL
 * terminated and cut at outlen - 1. Returns 0 when the program ran and
 * exited (its exit status in *status, 128 + N when killed by signal N),
 * -ETIMEDOUT when it was killed after timeout_ms, -ENOENT when it could not
 * be started, or another negative errno. The caller must ignore SIGPIPE
 * (a child that exits before reading its input would kill it); the child
 * gets the default disposition back.
 */
int xg_spawn(char *const argv[], const char *input, int timeout_ms, char *out, size_t outlen,
	     int *status);

/* argv as one line for logs and the journal: words with spaces or quotes
 * are single-quoted. */
void xg_spawn_format(char *const argv[], char *buf, size_t len);

#endif /* XG_RUNPROG_H */
