/* SPDX-License-Identifier: GPL-2.0-only */
/* Temporary directories for the unit tests that touch files. */
#ifndef XG_TEST_TMPDIR_H
#define XG_TEST_TMPDIR_H

#include <stddef.h>

/* buf = a new /tmp/xg-TAG-XXXXXX (a CUnit fatal failure when it cannot be
 * made). */
void xg_test_tmpdir(char *buf, size_t len, const char *tag);

/* rm -rf dir. */
void xg_test_rm_rf(const char *dir);

#endif
