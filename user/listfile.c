// SPDX-License-Identifier: GPL-2.0-only
#include "listfile.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

int xg_listfile_parse(FILE *f, const char *name, struct xg_listfile_entry **out, size_t *n,
		      char *err, size_t errlen)
{
	struct xg_listfile_entry *v = NULL;
	size_t cap = 0, count = 0;
	char *line = NULL;
	size_t linecap = 0;
	unsigned int lineno = 0;
	char why[256];

	*out = NULL;
	*n = 0;
	while (getline(&line, &linecap, f) >= 0) {
		char *text, *hash, *comment = NULL, *cidr_end;
		struct xg_listfile_entry *e;

		lineno++;
		hash = strchr(line, '#');
		if (hash) {
			*hash = '\0';
			comment = trim(hash + 1);
		}
		text = trim(line);
		if (!*text)
			continue;
		cidr_end = text + strcspn(text, " \t");
		if (*cidr_end) {
			*cidr_end = '\0';
			snprintf(err, errlen,
				 "%s:%u: unexpected text after '%s' (comments start with #)", name,
				 lineno, text);
			goto fail;
		}
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct xg_listfile_entry *nv = realloc(v, ncap * sizeof(*v));

			if (!nv) {
				snprintf(err, errlen, "%s: out of memory", name);
				goto fail;
			}
			v = nv;
			cap = ncap;
		}
		e = &v[count];
		memset(e, 0, sizeof(*e));
		e->line = lineno;
		if (xg_cidr_parse(text, &e->cidr, why, sizeof(why))) {
			snprintf(err, errlen, "%s:%u: invalid CIDR: %s", name, lineno, why);
			goto fail;
		}
		if (comment && strlen(comment) >= sizeof(e->comment)) {
			snprintf(err, errlen, "%s:%u: comment is longer than %zu characters", name,
				 lineno, sizeof(e->comment) - 1);
			goto fail;
		}
		if (comment)
			memcpy(e->comment, comment, strlen(comment) + 1);
		count++;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", name);
		goto fail;
	}
	free(line);
	*out = v;
	*n = count;
	return 0;
fail:
	free(line);
	free(v);
	return -1;
}
