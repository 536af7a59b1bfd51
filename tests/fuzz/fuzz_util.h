/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the libFuzzer targets in tests/fuzz: a NUL-terminated copy of
 * the input, a scratch directory for targets that need files, and a way to
 * report a broken invariant that libFuzzer records as a crash (with the
 * input saved as the reproducer).
 */
#ifndef XG_FUZZ_UTIL_H
#define XG_FUZZ_UTIL_H

#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* An invariant does not hold: say which, then abort (libFuzzer saves the
 * input as crash-<sha1> and prints its path). */
static inline void fz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static inline void fz_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* FZ_CHECK(cond, "printf format", args...): the message says what broke. */
#define FZ_CHECK(cond, ...)                                                                        \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "\n==fuzz== INVARIANT BROKEN at %s:%d: %s: ", __FILE__,    \
				__LINE__, #cond);                                                  \
			fz_fail(__VA_ARGS__);                                                      \
		}                                                                                  \
	} while (0)

/* data as a malloc'd C string (a NUL inside ends it early, as for any C
 * caller). */
static inline char *fz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Where s stops being valid UTF-8 (overlongs, surrogates and code points
 * past U+10FFFF are invalid: what every JSON parser and chat service
 * refuses), or -1 when all of it is valid. */
static inline long fz_utf8_bad_at(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	while (*u) {
		unsigned int c = *u, n, i, cp;

		if (c < 0x80) {
			u++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 2, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 3, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 4, cp = c & 0x07;
		else
			return (long)(u - (const unsigned char *)s);
		for (i = 1; i < n; i++) {
			if ((u[i] & 0xc0) != 0x80)
				return (long)(u - (const unsigned char *)s);
			cp = cp << 6 | (u[i] & 0x3f);
		}
		if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return (long)(u - (const unsigned char *)s);
		u += n;
	}
	return -1;
}

static inline int fz_utf8_valid(const char *s)
{
	return fz_utf8_bad_at(s) < 0;
}

/* Removes dir and everything in it (one level of subdirectories is
 * enough for what the targets create). */
static inline void fz_rm_rf(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[4096];
	struct stat st;

	if (d) {
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			if (!lstat(path, &st) && S_ISDIR(st.st_mode))
				fz_rm_rf(path);
			else
				unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
}

/* A scratch directory for this process, removed at exit. On tmpfs when
 * TMPDIR is unset and /dev/shm is there: the targets fsync a lot, which
 * tmpfs makes free. tests/fuzz/run.sh points TMPDIR at a directory it
 * removes itself, so nothing is left behind when a target crashes. */
static char fz_scratch_dir[4096];

static inline void fz_scratch_cleanup(void)
{
	if (fz_scratch_dir[0])
		fz_rm_rf(fz_scratch_dir);
}

static inline const char *fz_scratch(void)
{
	const char *base;

	if (fz_scratch_dir[0])
		return fz_scratch_dir;
	base = getenv("TMPDIR");
	if (!base || !*base)
		base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(fz_scratch_dir, sizeof(fz_scratch_dir), "%s/xg-fuzz-XXXXXX", base);
	if (!mkdtemp(fz_scratch_dir)) {
		perror("fuzz: mkdtemp");
		abort();
	}
	atexit(fz_scratch_cleanup);
	return fz_scratch_dir;
}

/* Writes len bytes to path (created or truncated). */
static inline void fz_write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "we");

	if (!f || (len && fwrite(buf, 1, len, f) != len) || fclose(f)) {
		perror(path);
		abort();
	}
}

#endif
