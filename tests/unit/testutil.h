/* SPDX-License-Identifier: GPL-2.0-only */
/* Small helpers the unit suites share. */
#ifndef XG_TEST_TESTUTIL_H
#define XG_TEST_TESTUTIL_H

#include "cidr.h"

/* The address or prefix in text (a CUnit fatal failure, with the parser's
 * reason, when it is not one). */
struct xg_cidr xg_test_cidr(const char *text);

#endif
