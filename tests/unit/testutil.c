// SPDX-License-Identifier: GPL-2.0-only
#include "testutil.h"

#include <CUnit/CUnit.h>
#include <stdio.h>

struct xg_cidr xg_test_cidr(const char *text)
{
	struct xg_cidr c;
	char err[128];

	if (xg_cidr_parse(text, &c, err, sizeof(err))) {
		fprintf(stderr, "xg_test_cidr: '%s': %s\n", text, err);
		CU_FAIL_FATAL("not an address or prefix");
	}
	return c;
}
