// SPDX-License-Identifier: GPL-2.0-only
#include "tmpdir.h"

#include <CUnit/CUnit.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

void xg_test_tmpdir(char *buf, size_t len, const char *tag)
{
	snprintf(buf, len, "/tmp/xg-%s-XXXXXX", tag);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(buf));
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void xg_test_rm_rf(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
