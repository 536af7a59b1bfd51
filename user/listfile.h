/* SPDX-License-Identifier: GPL-2.0-only */
/* Lists of CIDRs from a file: one per line, "#" starts a comment, and the
 * comment on an entry's line is kept (it becomes the allowlist comment).
 * Pure: parses text, touches no map. */
#ifndef XG_LISTFILE_H
#define XG_LISTFILE_H

#include <stddef.h>
#include <stdio.h>
#include <xdpguard/abi.h>

#include "cidr.h"

struct xg_listfile_entry {
	struct xg_cidr cidr;
	unsigned int line;
	char comment[XG_COMMENT_LEN];
};

/* Parses the whole stream; on the first bad line returns -1 with
 * "NAME:LINE: reason" in err and nothing in *out. */
int xg_listfile_parse(FILE *f, const char *name, struct xg_listfile_entry **out, size_t *n,
		      char *err, size_t errlen);

#endif
