// SPDX-License-Identifier: GPL-2.0-only
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "lock.h"
#include "preflight.h"

int xg_fail(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "xdpctl %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

int xg_parse_uint(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!text || *text < '0' || *text > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int xg_parse_duration(const char *text, uint64_t *out_s)
{
	unsigned long long v, mult = 1;
	char *end;

	if (!text || *text < '0' || *text > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno)
		return -EINVAL;
	if (*end) {
		switch (*end) {
		case 's':
			mult = 1;
			break;
		case 'm':
			mult = 60;
			break;
		case 'h':
			mult = 3600;
			break;
		case 'd':
			mult = 86400;
			break;
		default:
			return -EINVAL;
		}
		if (end[1])
			return -EINVAL;
	}
	if (v > 100ULL * 365 * 86400 / mult)
		return -ERANGE;
	*out_s = v * mult;
	return 0;
}

void xg_format_duration(uint64_t s, char *buf, size_t len)
{
	if (s == 0)
		snprintf(buf, len, "0s");
	else if (s < 60)
		snprintf(buf, len, "%llus", (unsigned long long)s);
	else if (s < 3600)
		snprintf(buf, len, "%llum%02llus", (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
	else if (s < 86400)
		snprintf(buf, len, "%lluh%02llum", (unsigned long long)(s / 3600),
			 (unsigned long long)(s % 3600 / 60));
	else
		snprintf(buf, len, "%llud%02lluh", (unsigned long long)(s / 86400),
			 (unsigned long long)(s % 86400 / 3600));
}

void xg_format_rate(double v, char *buf, size_t len)
{
	if (v >= 1e9)
		snprintf(buf, len, "%.2fG", v / 1e9);
	else if (v >= 1e6)
		snprintf(buf, len, "%.2fM", v / 1e6);
	else if (v >= 1e3)
		snprintf(buf, len, "%.1fk", v / 1e3);
	else
		snprintf(buf, len, "%.0f", v);
}

uint64_t xg_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Serialises map edits between xdpctl processes and the controller; held
 * until exit. */
static int take_lock(const char *cmd)
{
	char err[XG_ERR_LEN];

	if (xg_lock(err, sizeof(err)) < 0)
		return xg_fail(cmd, "%s", err);
	return 0; /* the fd stays open on purpose: the lock lives until exit */
}

int xg_cli_open(const char *cmd, struct xg_maps *maps, bool lock)
{
	char err[XG_ERR_LEN];
	const char *dir = xg_pin_dir();

	if (xg_check_privileges(err, sizeof(err)) || xg_check_kernel(err, sizeof(err)) ||
	    xg_check_bpffs(dir, err, sizeof(err)))
		return xg_fail(cmd, "%s", err);
	if (lock && take_lock(cmd))
		return 1;
	if (xg_maps_open_pinned(dir, maps, err, sizeof(err)))
		return xg_fail(cmd, "%s", err);
	return 0;
}

void xg_json_print(struct json_object *obj)
{
	puts(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						     JSON_C_TO_STRING_NOSLASHESCAPE));
}

int xg_cli_sub(int *argc, char ***argv, const char *optstring,
	       int (*parse)(int argc, char **argv, const char *optstring, void *opts), void *opts,
	       const char *usage, const char **sub)
{
	char first[64];
	int ret;

	/* '+': stop at the subcommand, which getopt would otherwise move */
	snprintf(first, sizeof(first), "+%s", optstring);
	optind = 1;
	ret = parse(*argc, *argv, first, opts);
	if (ret)
		return ret;
	if (optind >= *argc) {
		fputs(usage, stderr);
		return 3;
	}
	*argc -= optind;
	*argv += optind;
	*sub = (*argv)[0];
	/* optind 0 makes glibc start afresh, from the subcommand on */
	optind = 0;
	return parse(*argc, *argv, optstring, opts);
}

const char *xg_json_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

int xg_parse_since(const char *s, double *out)
{
	uint64_t secs;
	struct tm tm;
	char *end;

	if (!xg_parse_duration(s, &secs) && strspn(s, "0123456789") != strlen(s)) {
		*out = (double)time(NULL) - (double)secs;
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, "%Y-%m-%d", &tm);
	}
	if (end && !*end) {
		*out = (double)timegm(&tm);
		return 0;
	}
	if (!xg_parse_duration(s, &secs)) {
		*out = (double)secs; /* a bare number: Unix time */
		return 0;
	}
	return -1;
}
